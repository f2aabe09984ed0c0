/*
 * export_internal.h - what the exports of this folder share.
 */
#ifndef PL_EXPORT_INTERNAL_H
#define PL_EXPORT_INTERNAL_H

#include "table.h"

/* The JSON document's first fields for an export of ev: "kind", "event"
 * (slug, title, timezone, start, end), "generated" (UTC). New reference. */
json_t *pl_export_meta(const pl_event *ev, const char *kind);

/* The agenda sheet's columns, and its rows for ev. registered[i] is the
 * number of confirmed registrants of ev->sessions[i] (NULL: none). */
extern const pl_table pl_agenda_table;
int pl_agenda_rows(pl_sink *sink, const pl_event *ev, const int *registered, pl_error *err);

#endif
