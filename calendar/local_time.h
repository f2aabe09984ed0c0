/*
 * local_time.h - wall times against the real rules of their time zone
 * (libical's zone data, built from the system's tzdata).
 *
 * The core stores and compares local wall times only (event.h). Some of
 * them do not exist: in Europe/Paris, 02:00-02:59 on the last Sunday of
 * March is skipped (the clocks jump to 03:00); others happen twice:
 * 02:00-02:59 on the last Sunday of October. Calendar clients move a
 * skipped time past the gap and take the first of a doubled one
 * (RFC 5545 3.3.5), which is rarely what the organiser meant.
 *
 * Thread-safe: each function takes calendar/'s libical lock for its
 * duration (docs/threading.md); pl_calendar_check_local_times calls fn
 * under it.
 */
#ifndef PL_CALENDAR_LOCAL_TIME_H
#define PL_CALENDAR_LOCAL_TIME_H

#include "planner.h"

typedef enum pl_local_time_kind {
    PL_LOCAL_TIME_NORMAL,      /* happens exactly once */
    PL_LOCAL_TIME_NONEXISTENT, /* in a gap: the clocks skip it */
    PL_LOCAL_TIME_AMBIGUOUS,   /* in an overlap: it happens twice */
} pl_local_time_kind;

typedef struct pl_local_time {
    pl_local_time_kind kind;
    /* Around a gap or an overlap: the wall clock "HH:MM" the transition
     * leaves and the one it lands on ("02:00" -> "03:00" in spring,
     * "03:00" -> "02:00" in autumn in Europe/Paris); "" for a normal time. */
    char clock_from[6];
    char clock_to[6];
} pl_local_time;

/*
 * Classify the wall time local ("YYYY-MM-DDTHH:MM") in the IANA zone.
 * Returns 0, or PL_EINVALID (an unparsable time, a zone libical does not
 * know) with the message in err.
 */
int pl_calendar_local_time(pl_local_time *out, const char *zone, const char *local, pl_error *err);

/*
 * Report through fn, as conflicts, every start and end of ev and of its
 * non-cancelled sessions that does not exist in ev's zone
 * (PL_CONFLICT_NONEXISTENT_TIME) or happens twice there
 * (PL_CONFLICT_AMBIGUOUS_TIME, a warning: pl_conflict_is_warning). The
 * event's own times come first with session NULL, then the sessions in
 * ev's order. This is the half of an agenda check the core cannot do; run
 * it beside pl_agenda_check. Returns 0 or PL_EINVALID (ev's zone is
 * unknown to libical; nothing reported).
 */
int pl_calendar_check_local_times(const pl_event *ev, pl_conflict_fn fn, void *payload,
                                  pl_error *err);

/*
 * The wall time in zone, "YYYY-MM-DDTHH:MM" into out (at least 17 bytes),
 * of the UTC instant utc ("YYYY-MM-DDTHH:MM:SSZ", as pl_now_utc gives).
 * Returns 0 or PL_EINVALID (a malformed instant, an unknown zone).
 */
int pl_calendar_local_from_utc(char *out, size_t size, const char *zone, const char *utc,
                               pl_error *err);

#endif
