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

/* The agenda sheet's columns, and its rows for ev. registered[i] is the
 * number of confirmed registrants of ev->sessions[i] (NULL: none). */
extern const pl_table pl_agenda_table;
int pl_agenda_rows(pl_sink *sink, const pl_event *ev, const int *registered, pl_error *err);

/* An event with its registrations, as the registrant exports read them. */
typedef struct pl_roster {
    pl_event *event;
    pl_registration **regs; /* arrival order */
    size_t nregs;
    const pl_registration **sorted;  /* organiser order (see pl_export_registrants) */
    const pl_registration **by_name; /* confirmed only, by name */
    size_t nconfirmed;
    int *registered; /* per ev->sessions[i]: confirmed registrants who chose it */
} pl_roster;

/* Load and sort the roster of slug. PL_ENOTFOUND for an unknown event.
 * Release with pl_roster_free (which accepts a zeroed roster). */
int pl_roster_load(pl_roster *out, pl_store *store, const char *slug, pl_error *err);
void pl_roster_free(pl_roster *r);

/* The organiser list's columns, and its rows in organiser order. */
extern const pl_table pl_registrants_table;
int pl_registrants_rows(pl_sink *sink, const pl_roster *r, pl_error *err);

#endif
