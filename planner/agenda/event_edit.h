/*
 * event_edit.h - changing an event piece by piece (the back office) through
 * the event file: the event is written as JSON, changed there, and read
 * back with the same parser and saved with the same pl_event_save as
 * `planner event import`. Validation, messages and SEQUENCE bumps are
 * therefore those of an import.
 */
#ifndef PL_EVENT_EDIT_H
#define PL_EVENT_EDIT_H

#include "agenda.h"
#include "event.h"

#include <jansson.h>

/*
 * Parse root (an event file as JSON, as pl_event_to_json writes it) with
 * pl_event_parse_json_text's rules; name is used in messages. *out is freed
 * with pl_event_free. Returns 0, PL_EINVALID (err names the JSON path) or
 * PL_ENOMEM.
 */
int pl_event_from_json(pl_event **out, const json_t *root, const char *name, pl_error *err);

/*
 * A copy of ev as a new event file: slug `slug`, a draft, its start moved to
 * `start` ("YYYY-MM-DDTHH:MM") and its end and every session moved by the
 * same amount; cancelled sessions and stored fields (uid, sequence,
 * modified) left out. *out is a new reference (json_decref). Returns 0,
 * PL_EINVALID for a malformed start, PL_ENOMEM.
 */
int pl_event_duplicate_json(json_t **out, const pl_event *ev, const char *slug, const char *start,
                            pl_error *err);

/* when ("YYYY-MM-DDTHH:MM") moved by minutes, into out (at least 17 bytes).
 * Returns 0 or PL_EINVALID for a malformed when. */
int pl_datetime_add_minutes(char *out, size_t size, const char *when, long long minutes);

/* How many of the n conflicts forbid publishing (all but warnings). */
size_t pl_conflicts_blocking(const pl_conflict *conflicts, size_t n);

#endif
