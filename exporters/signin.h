/*
 * signin.h - the sign-in sheets (feuilles d'émargement) of an event, as
 * training funders ask for them: one per day of the event and one per
 * workshop, each headed by the event's title, the date, the place (the room
 * for a workshop) and a line for the organiser's name and signature; the
 * confirmed people (for a workshop: those who chose it) by last name, with
 * a signature column per half-day for a day that has a morning and an
 * afternoon.
 *
 * The model is built once and written by the workbook (export pack) and by
 * the PDF (export signin), so that both print the same sheets.
 */
#ifndef PL_SIGNIN_H
#define PL_SIGNIN_H

#include "export_internal.h"

#define PL_SIGNIN_ROWS_PER_PAGE 20 /* with room to sign */
#define PL_SIGNIN_HEADING_MAX 5

typedef struct pl_signin_sheet {
    char name[128];                           /* sheet name */
    char heading[PL_SIGNIN_HEADING_MAX][512]; /* the lines above the table */
    size_t nheading;
    int half_days;                /* 2: "Signature matin" and "Signature après-midi"; 1: one */
    const pl_roster_row **people; /* by last name; borrowed from the roster */
    size_t npeople;
} pl_signin_sheet;

typedef struct pl_signin {
    pl_lang lang;
    pl_signin_sheet *sheets;
    size_t nsheets;
} pl_signin;

/* The sign-in sheets of roster (loaded with PL_ROSTER_ALL), which must
 * outlive them. Returns 0 or PL_ENOMEM. Release with pl_signin_free. */
int pl_signin_build(pl_signin *out, const pl_roster *roster, pl_error *err);
void pl_signin_free(pl_signin *s);

/* The columns of a sheet: Nom, Prénom, Structure, then the signatures. */
extern const pl_table pl_signin_table_full; /* two half-days */
extern const pl_table pl_signin_table_one;  /* one signature */

#endif
