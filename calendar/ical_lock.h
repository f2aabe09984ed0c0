/*
 * ical_lock.h - private to calendar/: the one lock around libical.
 *
 * libical 3.0 keeps process-wide state that this library relies on and
 * that is not safe to share between threads: the built-in zones are loaded
 * lazily, and loading one frees and replaces its location string (the
 * very pointer ics_parse.c once kept); the zone cache's expanded
 * transitions grow on demand; the "errors are fatal" switch is global.
 * Every public function of calendar/ that calls libical takes this lock
 * for the time of its libical work (never around database reads), so the
 * callers -- the server's worker threads, the CLI, a mail sender -- need no
 * lock of their own. docs/threading.md lists the functions.
 *
 * Recursive: a locked public function may call another.
 */
#ifndef PL_CALENDAR_ICAL_LOCK_H
#define PL_CALENDAR_ICAL_LOCK_H

void pl_ical_lock(void);
void pl_ical_unlock(void);

#endif
