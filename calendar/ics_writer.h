/*
 * ics_writer.h - private to calendar/: the streaming feed writer shared by
 * the event feeds (feed.c) and the personal feed (personal.c).
 *
 * Each VEVENT is built with libical, serialised, refolded and appended to a
 * buffer, then freed, so that memory stays near the size of the output.
 */
#ifndef PL_CALENDAR_ICS_WRITER_H
#define PL_CALENDAR_ICS_WRITER_H

#include "feed.h"
#include "lang.h"

#include <libical/ical.h>

typedef struct ics_zone {
    char *name;
    int year; /* earliest year used */
} ics_zone;

typedef struct ics_writer {
    pl_buf out;
    const pl_calendar_options *opts;
    ics_zone *zones;
    size_t nzones;
    char **uids; /* open-addressing set of the UIDs written */
    size_t uid_cap, nuids;
    pl_error *err;
    int rc; /* first error */
} ics_writer;

/* Whether zone is a name of UTC ("UTC", "GMT", "Etc/UTC", "Etc/GMT+0"...):
 * its wall times are written as UTC ("...Z"), with no VTIMEZONE. */
int ics_zone_is_utc(const char *zone);
/* Whether times in zone can be written: UTC, or a zone libical has the
 * rules of (its VTIMEZONE can be built). */
int ics_zone_writable(const char *zone);

/* Note that zone is used from year on (call before ics_begin); UTC names
 * need no VTIMEZONE and are not noted. */
int ics_use_zone(ics_writer *w, const char *zone, const char *local_time);

/* Write the VCALENDAR header and the VTIMEZONEs of the zones used.
 * tz_default is X-WR-TIMEZONE. */
int ics_begin(ics_writer *w, const char *name, const char *description, const char *tz_default);

/* Serialise vevent (freed here, whatever happens) into the feed. A VEVENT
 * whose UID was already written is dropped and 0 returned. */
int ics_add(ics_writer *w, icalcomponent *vevent);

/* End the calendar and hand its bytes to *out. Frees the writer. */
int ics_finish(ics_writer *w, char **out, size_t *len);
void ics_writer_clear(ics_writer *w);

/* Times from the store: "YYYY-MM-DDTHH:MM[:SS]" local, "...Z" UTC. */
struct icaltimetype ics_local(const char *s);
struct icaltimetype ics_utc(const char *s);
/* A property of kind DTSTART/DTEND at local time s in zone: with
 * TZID=zone, or in UTC ("...Z") when zone is a name of UTC. */
icalproperty *ics_local_prop(icalproperty_kind kind, const char *s, const char *zone);
/* UID, DTSTAMP (= modified), CREATED, LAST-MODIFIED, SEQUENCE, STATUS. */
void ics_add_revision(icalcomponent *ev, const char *uid, const char *created, const char *modified,
                      int sequence, int cancelled);
/* SUMMARY, prefixed for cancelled items ("Annulé : ", "Cancelled: "). */
void ics_add_summary(icalcomponent *ev, const char *summary, int cancelled, pl_lang lang);

/* Append to b the catalogue's text fmt (pl_lang_text: a printf format)
 * filled with the arguments. Returns 0 or PL_ENOMEM. */
int ics_textf(pl_buf *b, const char *fmt, ...);

/* Append "\r\n"-folded content of in (libical's output: CRLF or LF lines,
 * possibly folded) to out: logical lines refolded at 75 octets on character
 * and escape boundaries, X-WR-* values escaped as TEXT. Exposed for tests. */
int pl_ics_refold(pl_buf *out, const char *in, size_t len);

#endif
