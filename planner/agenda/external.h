/*
 * external.h - events of subscribed calendars (`planner subscribe URL`).
 *
 * The core stores plain records; parsing iCalendar is calendar/'s job (the
 * core never includes libical). A subscription is one source (its URL, the
 * validators of the last download) and the events it held. Syncing a source
 * updates its events in place by UID, in one transaction: changed events get
 * their sequence and modified time moved, events gone from the remote feed
 * stay, cancelled, so that subscribers of our feeds see them go.
 */
#ifndef PL_EXTERNAL_H
#define PL_EXTERNAL_H

#include "error.h"
#include "store.h"

#include <stddef.h>

typedef struct pl_external_source {
    long long rowid; /* 0 when not stored */
    char *url;
    char *name;          /* the remote calendar's name, or NULL */
    char *etag;          /* validators of the last 200 response, or NULL */
    char *last_modified; /* the Last-Modified header as received */
    char *fetched;       /* UTC "YYYY-MM-DDTHH:MM:SSZ" of the last change */
} pl_external_source;

/*
 * One remote event, reduced to what our feeds show. Times take one of three
 * forms: "YYYY-MM-DDTHH:MM:SS" local wall time in the IANA zone tzid,
 * "YYYY-MM-DDTHH:MM:SSZ" UTC (tzid NULL), or "YYYY-MM-DD" for an all-day
 * event (tzid NULL, end exclusive). Never floating.
 */
typedef struct pl_external_event {
    char *uid;
    char *summary; /* may be NULL, as every text field below */
    char *description;
    char *location;
    char *url;
    char *start;
    char *end; /* may be NULL: same as start */
    char *tzid;
    char *rrule; /* the remote RRULE value, or NULL */
    int has_geo;
    double lat, lon;
    int cancelled;       /* remote STATUS:CANCELLED, or gone from the feed */
    int remote_sequence; /* the remote SEQUENCE (input of a sync) */
    /* stored fields, set by pl_external_list */
    int sequence;
    char *created;
    char *modified;
    char *source_url;
} pl_external_event;

/* Release what ev owns (not ev itself). NULL is accepted. */
void pl_external_event_clear(pl_external_event *ev);
void pl_external_source_free(pl_external_source *src);

/* The stored source with this URL. PL_ENOTFOUND when not subscribed.
 * Free with pl_external_source_free. */
int pl_external_source_find(pl_external_source **out, pl_store *store, const char *url,
                            pl_error *err);

typedef struct pl_external_sync_stats {
    int created; /* the source is new */
    int added;
    int changed;
    int cancelled; /* gone from the remote feed, now cancelled */
    int unchanged;
} pl_external_sync_stats;

/*
 * Store src (matched by url; name and validators updated) and its events in
 * one transaction: new UIDs are added, known ones updated in place (sequence
 * becomes max(old + 1, remote sequence) on a real change), the source's
 * stored events absent from events are kept as cancelled. Events with a
 * duplicate or empty UID are PL_EINVALID (nothing is written). out may be
 * NULL.
 */
int pl_external_sync(pl_store *store, const pl_external_source *src,
                     const pl_external_event *events, size_t count, pl_external_sync_stats *out,
                     pl_error *err);

/* Every stored external event (cancelled ones included), ordered by start
 * then uid. *out is an array of *count records; free with
 * pl_external_list_free. */
int pl_external_list(pl_external_event **out, size_t *count, pl_store *store, pl_error *err);
void pl_external_list_free(pl_external_event *events, size_t count);

#endif
