/*
 * feeds_calendar.c - the server's feeds are those of calendar/: the same
 * bytes as `planner calendar`, so that the ETag is a hash of them. Every
 * other libical call of the server goes through here too, under one lock.
 */
#include "calendar.h"
#include "internal.h"

#include <pthread.h>
#include <stdio.h>

/* libical keeps process-wide state (its built-in time zone cache, its error
 * code); feeds are built one at a time so that the server's worker threads
 * never race on it. Most feed requests are answered from the reply cache and
 * never get here. */
static pthread_mutex_t libical_lock = PTHREAD_MUTEX_INITIALIZER;

/* An event left out of /events.ics: logged, the others are served. */
static void warn_left_out(void *payload, const char *message)
{
    (void)payload;
    fprintf(stderr, "planner: warning: %s\n", message);
}

static int feed_all(char **out, size_t *len, pl_store *store, const char *key, const char *base_url,
                    pl_error *err)
{
    pl_calendar_options opts = PL_CALENDAR_OPTIONS_INIT;

    int rc;

    (void)key;
    opts.base_url = base_url;
    opts.warn = warn_left_out;
    pthread_mutex_lock(&libical_lock);
    rc = pl_calendar_feed_all(out, len, store, &opts, err);
    pthread_mutex_unlock(&libical_lock);
    return rc;
}

static int feed_event(char **out, size_t *len, pl_store *store, const char *slug,
                      const char *base_url, pl_error *err)
{
    pl_calendar_options opts = PL_CALENDAR_OPTIONS_INIT;

    int rc;

    opts.base_url = base_url;
    pthread_mutex_lock(&libical_lock);
    rc = pl_calendar_feed_event(out, len, store, slug, &opts, err);
    pthread_mutex_unlock(&libical_lock);
    return rc;
}

/* With the carpool pickup the plan stored for the registration, if any. */
static int feed_attendee(char **out, size_t *len, pl_store *store, const char *token,
                         const char *base_url, pl_error *err)
{
    pl_calendar_options opts = PL_CALENDAR_OPTIONS_INIT;

    int rc;

    opts.base_url = base_url;
    pthread_mutex_lock(&libical_lock);
    rc = pl_calendar_feed_personal(out, len, store, token, &opts, err);
    pthread_mutex_unlock(&libical_lock);
    return rc;
}

int srv_local_from_utc(char *out, size_t size, const char *zone, const char *utc)
{
    int rc;

    pthread_mutex_lock(&libical_lock);
    rc = pl_calendar_local_from_utc(out, size, zone, utc, NULL);
    pthread_mutex_unlock(&libical_lock);
    return rc;
}

static const pl_server_feeds feeds = {feed_all, feed_event, feed_attendee};

const pl_server_feeds *pl_server_default_feeds(void)
{
    return &feeds;
}

int srv_check_local_times(const pl_event *ev, pl_conflict_fn fn, void *payload, pl_error *err)
{
    int rc;

    pthread_mutex_lock(&libical_lock);
    rc = pl_calendar_check_local_times(ev, fn, payload, err);
    pthread_mutex_unlock(&libical_lock);
    return rc;
}
