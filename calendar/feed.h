/*
 * feed.h - iCalendar feeds (RFC 5545, RFC 7986) of the planner's events.
 *
 * Three feeds: all published events (each event and each of its sessions
 * its own VEVENT, plus the events of subscribed calendars), one event, and
 * one person's own (personal.h). What every feed guarantees:
 *   - CRLF line ends; lines folded at 75 octets, never inside a UTF-8
 *     character nor inside a backslash escape; TEXT escaped, X-WR-* too.
 *   - VERSION, PRODID, NAME + X-WR-CALNAME, DESCRIPTION + X-WR-CALDESC,
 *     X-WR-TIMEZONE, REFRESH-INTERVAL and X-PUBLISHED-TTL. No ATTENDEE.
 *   - DTSTART;TZID=<the event's IANA zone> with one VTIMEZONE per zone whose
 *     TZID is exactly the zone name, trimmed to the rules in force from the
 *     earliest year the feed uses; for a name of UTC ("UTC", "GMT",
 *     "Etc/UTC"...), DTSTART in UTC ("...Z") and no VTIMEZONE. Never
 *     floating times.
 *   - The all-events feed never fails because of one event: an event (or a
 *     subscribed calendar's event) whose zone cannot be written is left out
 *     and reported through opts->warn; the others are served.
 *   - UID, SEQUENCE, CREATED, LAST-MODIFIED from the store; DTSTAMP is the
 *     stored modification time, never the clock: the same data gives the
 *     same bytes (servers derive their ETag from them).
 *   - Cancelled events and sessions (including sessions removed from the
 *     event file) stay as STATUS:CANCELLED, their summary prefixed
 *     "Annulé : " for clients that ignore STATUS.
 * An event with sessions appears as an all-day, transparent VEVENT (its
 * banner) and its sessions carry the schedule; an event without sessions is
 * one timed VEVENT.
 */
#ifndef PL_CALENDAR_FEED_H
#define PL_CALENDAR_FEED_H

#include "planner.h"

#include <stddef.h>

typedef struct pl_calendar_options {
    /* Public address of the planner's pages, e.g. "https://agenda.example.org"
     * (no trailing slash): each item links to BASE/e/SLUG. NULL: no links. */
    const char *base_url;
    /* REFRESH-INTERVAL and X-PUBLISHED-TTL, in minutes; 0: 60. */
    int refresh_minutes;
    /* The one-event feed of a draft event (an organiser's preview); drafts
     * are otherwise PL_ENOTFOUND, and never in the all-events feed. */
    int include_drafts;
    /* Calendar name and description; NULL: a default per feed. */
    const char *name;
    const char *description;
    /* Told about each item left out of the all-events feed because it
     * cannot be written (its zone has no rules libical knows), with a
     * message naming the item; NULL: left out silently. */
    void (*warn)(void *payload, const char *message);
    void *warn_payload;
} pl_calendar_options;

#define PL_CALENDAR_OPTIONS_INIT                                                                   \
    {                                                                                              \
        NULL, 0, 0, NULL, NULL, NULL, NULL                                                         \
    }

/*
 * The all-events feed: every published or cancelled event of the store with
 * its sessions, then the subscribed calendars' events. *out gets the bytes
 * (malloc'ed and NUL-terminated, free() them), *len their count. opts may
 * be NULL. Events whose zone cannot be written are left out (opts->warn).
 * Returns 0, PL_EIO, PL_ENOMEM.
 */
int pl_calendar_feed_all(char **out, size_t *len, pl_store *store, const pl_calendar_options *opts,
                         pl_error *err);

/*
 * The feed of the event slug (its banner and its sessions). PL_ENOTFOUND
 * when there is no such event, or it is a draft and opts->include_drafts is
 * not set; PL_EINVALID when its zone cannot be written. Ownership as
 * pl_calendar_feed_all.
 */
int pl_calendar_feed_event(char **out, size_t *len, pl_store *store, const char *slug,
                           const pl_calendar_options *opts, pl_error *err);

/*
 * The feed of the event ev as loaded (pl_event_load): the same bytes as
 * pl_calendar_feed_event, a draft included (the caller decides who may see
 * one). Ownership as pl_calendar_feed_all.
 */
int pl_calendar_write_event(char **out, size_t *len, const pl_event *ev,
                            const pl_calendar_options *opts, pl_error *err);

/*
 * The all-events feed from data already loaded (a server, a benchmark):
 * events (drafts skipped) in the given order, then externals (may be NULL
 * when nexternals is 0). Ownership as pl_calendar_feed_all.
 */
int pl_calendar_write_events(char **out, size_t *len, pl_event *const *events, size_t nevents,
                             const pl_external_event *externals, size_t nexternals,
                             const pl_calendar_options *opts, pl_error *err);

#endif
