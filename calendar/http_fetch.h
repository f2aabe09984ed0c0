/*
 * http_fetch.h - a small, polite HTTP GET with libcurl: the transport of the
 * optional geocoder (planner/geocoder.h). It lives here because calendar/
 * is the folder that links libcurl; the core only sees the callback.
 *
 * Polite: http and https only (redirects too, at most 3), connect and total
 * timeouts, a cap on the body, a User-Agent naming planner, and at most
 * `max_rate` requests per second (it sleeps between requests when needed).
 */
#ifndef PL_CALENDAR_HTTP_FETCH_H
#define PL_CALENDAR_HTTP_FETCH_H

#include "planner.h"

#include <stddef.h>

typedef struct pl_http_fetcher {
    long connect_timeout_ms; /* 0: 5 s */
    long timeout_ms;         /* whole transfer; 0: 10 s */
    size_t max_bytes;        /* 0: 256 KiB */
    double max_rate;         /* requests per second; 0: 10 */
    double last;             /* monotonic seconds of the last request (state) */
} pl_http_fetcher;

#define PL_HTTP_FETCHER_INIT                                                                       \
    {                                                                                              \
        0, 0, 0, 0, 0                                                                              \
    }

/*
 * A pl_geocoder_fetch_fn: GET url with the pl_http_fetcher `payload` (its
 * pacing state is updated). *out (malloc'ed, NUL-terminated) and *out_len
 * get the body of a 200 answer. Returns 0; PL_EINVALID for a URL that is
 * not http(s) or a body over max_bytes; PL_EIO for a network failure, a
 * timeout or another HTTP status. Messages name the host, not the query.
 */
int pl_http_fetch(char **out, size_t *out_len, const char *url, void *payload, pl_error *err);

#endif
