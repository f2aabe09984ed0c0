/*
 * export_internal.h - what the exports of this folder share.
 */
#ifndef PL_EXPORT_INTERNAL_H
#define PL_EXPORT_INTERNAL_H

#include "registration.h"
#include "table.h"

/* The JSON document's first fields for an export of ev: "kind", "event"
 * (slug, title, timezone, start, end), "generated" (UTC). New reference. */
json_t *pl_export_meta(const pl_event *ev, const char *kind);

/* The sink options of an export of ev (opts NULL: xlsx): the event's
 * language and zone, and the document title "<doc> — <event title>"
 * written into title (kept by the options). kind: the JSON document's kind
 * (pl_export_meta), or NULL for no meta fields. */
pl_sink_options pl_export_sink_options(const pl_event *ev, const pl_export_options *opts,
                                       pl_text_id doc, const char *kind, char *title, size_t size);

/* The agenda sheet's columns, and its rows for ev. registered[i] is the
 * number of confirmed registrants of ev->sessions[i] (NULL: none). */
extern const pl_table pl_agenda_table;
int pl_agenda_rows(pl_sink *sink, const pl_event *ev, const int *registered, pl_error *err);

/* One registration as the exports write it: only what they show (never the
 * token). Strings live in the roster's arena; NULL when empty. */
typedef struct pl_roster_row {
    long long rowid;
    const char *name, *email, *organization, *origin, *phone, *diet, *uid, *created, *updated;
    const char *last, *first; /* the name split (names.h); first may be "" */
    pl_strlist sessions;      /* items in the arena too */
    int seats, waitlist_position;
    unsigned char travel, status, meal, public_list; /* pl_travel, pl_reg_status, 0/1, 0/1 */
} pl_roster_row;

/* What a roster keeps of each registration. */
typedef enum pl_roster_keep {
    PL_ROSTER_COUNTS, /* nothing: only the seats taken per session (the agenda) */
    PL_ROSTER_PUBLIC, /* the public list: confirmed people who consented, name and organization */
    PL_ROSTER_ALL,    /* every registration, every field the exports write */
} pl_roster_keep;

typedef struct pl_roster_block pl_roster_block;

/* An event with its registrations, as the exports read them: streamed from
 * the store (pl_registration_each) into compact rows. */
typedef struct pl_roster {
    pl_event *event;
    pl_roster_row *rows; /* what was kept, in arrival order */
    size_t nrows;
    const pl_roster_row **sorted;  /* organiser order (see pl_export_registrants) */
    const pl_roster_row **by_name; /* confirmed only, by last then first name, French order */
    size_t nconfirmed;
    int *registered; /* per ev->sessions[i]: confirmed registrants who chose it */
    pl_roster_block *arena;
} pl_roster;

/* Load and sort the roster of slug, keeping what keep says. PL_ENOTFOUND
 * for an unknown event. Release with pl_roster_free (which accepts a zeroed
 * roster). */
int pl_roster_load(pl_roster *out, pl_store *store, const char *slug, pl_roster_keep keep,
                   pl_error *err);
void pl_roster_free(pl_roster *r);

/* The organiser list's columns, and its rows in organiser order. */
extern const pl_table pl_registrants_table;
int pl_registrants_rows(pl_sink *sink, const pl_roster *r, pl_error *err);

/* A registration status or travel choice in lang. */
const char *pl_export_status_text(pl_lang lang, int status);
const char *pl_export_travel_text(pl_lang lang, int travel);

/* The carpool plan's columns, and its rows: each car's driver then its
 * passengers in pickup order, then the people without a seat. */
extern const pl_table pl_carpool_table;
int pl_carpool_rows(pl_sink *sink, const pl_roster *roster, const pl_carpool_saved_plan *plan,
                    pl_error *err);

#endif
