/*
 * event_json.h - the event file (JSON, see docs/event-format.md): parse and
 * validate it into a pl_event, import it, and write an event back as JSON.
 */
#ifndef PL_EVENT_JSON_H
#define PL_EVENT_JSON_H

#include "event.h"

#include <jansson.h>

/*
 * Size limits of an event file, in characters (Unicode code points), as
 * docs/event-format.md lists them: a file past one is refused with the file
 * and the JSON path, so that no page or feed grows without bound.
 */
#define PL_EVENT_NAME_MAX 200          /* title, theme, venue and speaker names, ... */
#define PL_EVENT_SUMMARY_MAX 500       /* summary, venue.address */
#define PL_EVENT_DESCRIPTION_MAX 20000 /* the event's description */
#define PL_EVENT_TEXT_MAX 5000         /* a session's description, a speaker's bio */
#define PL_EVENT_ROOM_MAX 100          /* sessions[].room */
#define PL_EVENT_URL_MAX 2000          /* online_url */
#define PL_EVENT_ZONE_MAX 64           /* timezone */
#define PL_EVENT_LIST_MAX 50           /* items of organizations, challenges, ... */
#define PL_EVENT_SPEAKERS_MAX 500      /* speakers[] */
#define PL_EVENT_SESSIONS_MAX 1000     /* sessions[] */

/*
 * Parse and validate the event file at path. Every problem is reported with
 * the file and the JSON path ("sessions[3].start"); malformed JSON with its
 * line and column. Returns 0, PL_EINVALID for bad content, PL_EIO when the
 * file cannot be read. *out is freed with pl_event_free.
 */
int pl_event_parse_json(pl_event **out, const char *path, pl_error *err);

/* The same for text in memory; name is used in messages. */
int pl_event_parse_json_text(pl_event **out, const char *text, size_t len, const char *name,
                             pl_error *err);

/* Parse path, then pl_event_save it (one transaction). Nothing is written
 * unless the whole file is valid. out may be NULL. */
int pl_event_import_file(pl_store *store, const char *path, pl_event_save_stats *out,
                         pl_error *err);

/* The event (with its sessions and speakers) as a new JSON object in the file
 * format, plus the stored fields (uid, sequence, modified, session status).
 * Returns a new reference (json_decref it), NULL when out of memory. */
json_t *pl_event_to_json(const pl_event *ev);

#endif
