/*
 * agenda.h - the rules an agenda must follow, and its time slots.
 *
 * Conflicts: a speaker in two overlapping sessions, two overlapping sessions
 * in one room, a session outside the event's hours, a session that does not
 * end after it starts, a session capacity above the event's, a reference to
 * an unknown speaker. Parallel sessions in different rooms are normal.
 * Cancelled sessions are ignored. Two sessions overlap when one starts
 * before the other ends (back-to-back sessions do not).
 *
 * The core compares wall times only. Whether a wall time exists in the
 * event's zone needs the zone's rules, which live in calendar/
 * (pl_calendar_check_local_times): it reports the last two kinds below.
 */
#ifndef PL_AGENDA_H
#define PL_AGENDA_H

#include "event.h"
#include "lang.h"

typedef enum pl_conflict_kind {
    PL_CONFLICT_SPEAKER_OVERLAP,
    PL_CONFLICT_ROOM_OVERLAP,
    PL_CONFLICT_OUTSIDE_HOURS,
    PL_CONFLICT_BAD_TIMES,
    PL_CONFLICT_CAPACITY,
    PL_CONFLICT_UNKNOWN_SPEAKER,
    PL_CONFLICT_NONEXISTENT_TIME, /* in a spring-forward gap (calendar/) */
    PL_CONFLICT_AMBIGUOUS_TIME,   /* in a fall-back overlap (calendar/); a warning */
} pl_conflict_kind;

typedef struct pl_conflict {
    pl_conflict_kind kind;
    const char *session; /* borrowed from the event; NULL: the event itself */
    const char *other;   /* the other session, or NULL */
    char message[320];   /* one line, names sessions, times, speaker or room */
    const char *detail;  /* unknown-speaker: the speaker id; nonexistent- and
                          * ambiguous-time: the time; else NULL (borrowed) */
} pl_conflict;

/* Short stable name of a kind, e.g. "speaker-overlap". */
const char *pl_conflict_kind_name(pl_conflict_kind kind);

/* Is kind only a warning (reported, but it does not fail a check)? Only
 * PL_CONFLICT_AMBIGUOUS_TIME is: RFC 5545 gives such a time one meaning. */
int pl_conflict_is_warning(pl_conflict_kind kind);

/* c in lang for a person (pages), into buf (always NUL-terminated):
 * sessions named by their titles, times as HH:MM, the speaker by name,
 * from the catalogue (errors.def, CONFLICT_*). ev is the event checked.
 * c->message stays the one-line English of the command line, with ids.
 * Returns buf. */
const char *pl_conflict_text(const pl_conflict *c, const pl_event *ev, pl_lang lang, char *buf,
                             size_t size);

/* Receives one conflict; it and its strings live only during the call. */
typedef void (*pl_conflict_fn)(const pl_conflict *conflict, void *payload);

/*
 * Check ev's agenda. *out gets a malloc'ed array of *count conflicts (free()
 * it; NULL when there are none), in a stable order. Returns 0 or PL_ERROR
 * (out of memory).
 */
int pl_agenda_check(pl_conflict **out, size_t *count, const pl_event *ev);

/* A time slot: sessions that overlap, directly or through one another. */
typedef struct pl_slot {
    const char *start; /* earliest start, borrowed */
    const char *end;   /* latest end, borrowed */
    size_t first;      /* index into the order array */
    size_t count;
} pl_slot;

/*
 * Group ev's non-cancelled sessions into time slots, in time order.
 * *out_order gets session indexes (into ev->sessions) sorted by start, room;
 * *out_slots the slots over that order. Both malloc'ed, free() them.
 * Returns 0 or PL_ERROR.
 */
int pl_agenda_slots(pl_slot **out_slots, size_t *nslots, size_t **out_order, const pl_event *ev);

#endif
