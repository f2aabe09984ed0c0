/*
 * event.h - the event model (events, sessions, speakers) and its storage.
 *
 * All times are local wall times "YYYY-MM-DDTHH:MM" in the event's IANA
 * time zone; the core compares local times only.
 */
#ifndef PL_EVENT_H
#define PL_EVENT_H

#include "error.h"
#include "store.h"

#include <stddef.h>

typedef struct pl_strlist {
    char **items; /* owned */
    size_t count;
} pl_strlist;

/* Append a copy of s. Returns 0, or PL_ERROR when out of memory (l is then
 * unchanged). */
int pl_strlist_push(pl_strlist *l, const char *s);
/* Free the items and leave l empty. */
void pl_strlist_clear(pl_strlist *l);

typedef struct pl_speaker {
    char *id; /* the file's key, unique within the event */
    char *name;
    char *organization; /* may be NULL */
    char *bio;          /* may be NULL */
} pl_speaker;

typedef struct pl_session {
    long long rowid; /* database id; 0 when not stored */
    char *id;        /* the file's key, stable within its event */
    char *uid;       /* feed UID, generated once; NULL when not stored */
    char *title;
    char *kind;  /* talk | workshop | meal | break | forum | plenary */
    char *start; /* "YYYY-MM-DDTHH:MM" local */
    char *end;
    char *room;          /* may be NULL */
    int capacity;        /* 0: no limit of its own */
    char *description;   /* may be NULL */
    pl_strlist speakers; /* speaker ids, in order */
    int cancelled;       /* removed from the file, or cancelled */
    int sequence;        /* bumped by every real change */
    char *created;       /* UTC "YYYY-MM-DDTHH:MM:SSZ"; NULL when not stored */
    char *modified;
} pl_session;

typedef struct pl_event {
    long long rowid;
    char *slug;
    char *uid;
    char *title;
    char *summary;
    char *description;
    char *format; /* in_person | online | hybrid */
    char *timezone;
    char *language; /* "fr" | "en" as the file says; NULL: by the zone (pl_event_lang) */
    char *start;    /* "YYYY-MM-DDTHH:MM" local */
    char *end;
    char *venue_name;
    char *venue_address;
    int has_geo;
    double venue_lat, venue_lon;
    char *online_url;
    int capacity; /* 0: no limit */
    /* days after its end before its personal data is purged; 0: the
     * default, PL_REG_PURGE_DAYS (registration.h) */
    int purge_after_days;
    pl_strlist organizations;
    char *theme;
    pl_strlist challenges;
    pl_strlist communities;
    pl_strlist commons;
    char *status; /* draft | published | cancelled */
    int sequence;
    char *created;
    char *modified;
    pl_speaker *speakers;
    size_t nspeakers;
    pl_session *sessions; /* sorted by start, then room, then id */
    size_t nsessions;
} pl_event;

/* Free what s owns (not s itself), leaving it to be zeroed or dropped. */
void pl_session_clear(pl_session *s);

/* Release ev and everything it owns. NULL is accepted. */
void pl_event_free(pl_event *ev);

/* Borrowed lookups; NULL when absent. */
const pl_speaker *pl_event_speaker(const pl_event *ev, const char *id);
const pl_session *pl_event_session(const pl_event *ev, const char *id);

/* What pl_event_save changed. */
typedef struct pl_event_save_stats {
    int created;       /* the event is new */
    int event_changed; /* the event's own fields changed */
    int sessions_added;
    int sessions_changed;
    int sessions_cancelled; /* removed from the file, now cancelled */
    int sessions_unchanged;
} pl_event_save_stats;

/*
 * Create the event, or update in place the one with the same slug, in one
 * transaction: sessions are added, changed (their sequence and modified time
 * move only on a real change) or, when absent from ev, kept as cancelled.
 * ev must have passed pl_event_parse_json's validation. out may be NULL.
 */
int pl_event_save(pl_store *store, const pl_event *ev, pl_event_save_stats *out, pl_error *err);

/* Load one event with its speakers and sessions (cancelled ones included).
 * PL_ENOTFOUND when no event has this slug. Free with pl_event_free. */
int pl_event_load(pl_event **out, pl_store *store, const char *slug, pl_error *err);

/* Load every event, sorted by start then slug, each complete as with
 * pl_event_load. Free with pl_event_list_free. */
int pl_event_list(pl_event ***out, size_t *count, pl_store *store, pl_error *err);
void pl_event_list_free(pl_event **events, size_t count);

#endif
