/*
 * subscribe.h - import a remote iCalendar feed (`planner subscribe URL`).
 *
 * The feed is downloaded with libcurl (http and https only, redirects too),
 * never from this machine or a private network unless allow_private
 * (net_guard.h: every address connected to is checked, after redirects and
 * name resolution), conditionally when it was fetched before (If-None-Match /
 * If-Modified-Since from the stored ETag / Last-Modified), with connect and
 * total timeouts, a size cap and a bounded number of redirects. A body that
 * is not an iCalendar stream is refused and nothing changes. Its events are
 * then stored with pl_external_sync: in place by UID, in one transaction.
 * A user name and password in the URL (https://user:pass@host/...) are
 * used for the download, and never shown in a message nor stored: the
 * source is stored, and found again, under the URL without them.
 */
#ifndef PL_CALENDAR_SUBSCRIBE_H
#define PL_CALENDAR_SUBSCRIBE_H

#include "planner.h"

#include <stddef.h>

typedef struct pl_subscribe_options {
    long connect_timeout_ms; /* 0: 10 s */
    long timeout_ms;         /* whole transfer; 0: 30 s */
    size_t max_bytes;        /* 0: 5 MiB */
    long max_redirects;      /* 0: 5 */
    int allow_private;       /* let loopback and private addresses through */
} pl_subscribe_options;

#define PL_SUBSCRIBE_OPTIONS_INIT                                                                  \
    {                                                                                              \
        0, 0, 0, 0, 0                                                                              \
    }

typedef struct pl_subscribe_result {
    int not_modified; /* 304: nothing was downloaded or changed */
    size_t skipped;   /* VEVENTs left out (no UID or start, repeats) */
    pl_external_sync_stats stats;
    char name[256]; /* the remote calendar's name, or "" */
} pl_subscribe_result;

/*
 * Fetch url and store its events. out may be NULL. Returns 0; PL_EINVALID
 * for a bad URL (not http or https), an address refused by the guard, a
 * body that is not a calendar or is too large; PL_EIO for network
 * failures, timeouts, HTTP errors and database errors. On failure nothing
 * is stored.
 */
int pl_calendar_subscribe(pl_subscribe_result *out, pl_store *store, const char *url,
                          const pl_subscribe_options *opts, pl_error *err);

/* url without the user name and password it may carry ("https://u:p@h/x"
 * -> "https://h/x"): how messages show it and how it is stored. malloc'ed,
 * NULL when out of memory. */
char *pl_subscribe_shown_url(const char *url);

/*
 * Parse iCalendar text (need not be NUL-terminated) into external events:
 * VEVENTs with a UID and a start, times kept in their IANA zone when known,
 * otherwise converted to UTC (floating times take X-WR-TIMEZONE, else
 * Europe/Paris); text made valid UTF-8. origin names the text in messages.
 * *out (an array of *count, free with pl_external_list_free) and *out_name
 * (the calendar's name or NULL, free()) belong to the caller; out_name and
 * skipped may be NULL. PL_EINVALID when text is not a calendar.
 */
int pl_calendar_parse_external(pl_external_event **out, size_t *count, char **out_name,
                               size_t *skipped, const char *text, size_t len, const char *origin,
                               pl_error *err);

#endif
