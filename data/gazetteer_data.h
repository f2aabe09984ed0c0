/*
 * Layout of the embedded gazetteer generated into data/gazetteer_data.c by
 * data/generate.js. Private to planner/origin.c: use planner/origin.h.
 *
 * Strings live in chunks of at most 4,000 bytes (C11 only guarantees string
 * literals of 4,095 characters); a string reference is chunk * 4096 + offset.
 */
#ifndef PL_GAZETTEER_DATA_H
#define PL_GAZETTEER_DATA_H

#include <stdint.h>

enum pl_gz_kind {
    PL_GZ_COMMUNE = 0,        /* a current commune */
    PL_GZ_ARRONDISSEMENT = 1, /* a municipal arrondissement of Paris, Lyon, Marseille */
    PL_GZ_FORMER = 2          /* a former (merged, delegated, associated) commune */
};

/* Where a place's point comes from (see data/README.md). */
enum pl_gz_precision {
    PL_GZ_EXACT = 0,  /* GeoNames point filed under the place's own INSEE code */
    PL_GZ_PARENT = 1, /* point of the commune it belongs to */
    PL_GZ_POSTAL = 2, /* point of the most populous commune sharing its postal code */
    PL_GZ_EPCI = 3,   /* point of the most populous commune of its intercommunality */
    PL_GZ_DEPT = 4    /* point of its département's chef-lieu */
};

typedef struct pl_gz_place {
    char insee[6];       /* own INSEE code ("2A004"); a former commune keeps its old one */
    uint32_t name;       /* string reference */
    int32_t lat, lon;    /* 1e-5 degrees, WGS 84 */
    uint32_t population; /* INSEE municipal population (GeoNames for former communes) */
    uint32_t postal;     /* main postal code as a number, 0 if none */
    uint16_t parent;     /* city of an arrondissement, current commune of a former one, else self */
    uint8_t kind;        /* enum pl_gz_kind */
    uint8_t precision;   /* enum pl_gz_precision */
    uint8_t arrondissement; /* number of a municipal arrondissement, else 0 */
} pl_gz_place;

typedef struct pl_gz_postal {
    uint32_t code;  /* postal code as a number (1400 for "01400") */
    uint16_t place; /* index into pl_gz_places */
} pl_gz_postal;

typedef struct pl_gz_departement {
    char code[4];  /* "01", "2A", "974" */
    uint32_t name; /* string reference */
    uint16_t seat; /* place whose point stands for the département; 0xFFFF if none */
} pl_gz_departement;

extern const unsigned pl_gz_string_chunk_count;
extern const char *const pl_gz_string_chunks[];

/* Sorted by INSEE code. */
extern const unsigned pl_gz_place_count;
extern const pl_gz_place pl_gz_places[];

/* Place indexes sorted by name key (see name_key() in origin.c), then by
 * decreasing population. */
extern const unsigned pl_gz_name_count;
extern const uint16_t pl_gz_by_name[];

/* Sorted by postal code; within a code, the places whose main code it is
 * come first, then by decreasing population. */
extern const unsigned pl_gz_postal_count;
extern const pl_gz_postal pl_gz_postals[];

/* Sorted by code. */
extern const unsigned pl_gz_departement_count;
extern const pl_gz_departement pl_gz_departements[];

#endif
