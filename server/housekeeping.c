/*
 * housekeeping.c - what the server does by itself once a day: remove the
 * personal fields of events over for PL_REG_PURGE_DAYS days
 * (pl_registration_purge_due, docs/privacy.md). A thread of its own with its
 * own connection, so that the work never holds a request; it waits on a
 * condition so that stopping the server does not wait a day.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOUSEKEEPING_PERIOD_S (24 * 3600)

struct srv_housekeeping {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    char *db_path;
};

static void run_once(const char *db_path)
{
    pl_store *store = NULL;
    pl_error err;
    size_t purged = 0;

    if (pl_store_open(&store, db_path, 0, &err) < 0 ||
        pl_registration_purge_due(store, &purged, &err) < 0)
        fprintf(stderr, "planner: daily purge: %s\n", err.msg);
    else if (purged)
        fprintf(stderr, "planner: daily purge: personal data of %zu registration%s removed\n",
                purged, purged == 1 ? "" : "s");
    pl_store_free(store);
}

static void *loop(void *arg)
{
    struct srv_housekeeping *h = arg;

    pthread_mutex_lock(&h->lock);
    while (!h->stopping) {
        struct timespec until;
        pthread_mutex_unlock(&h->lock);
        run_once(h->db_path);
        pthread_mutex_lock(&h->lock);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += HOUSEKEEPING_PERIOD_S;
        while (!h->stopping && pthread_cond_timedwait(&h->wake, &h->lock, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

int srv_housekeeping_start(pl_server *srv, pl_error *err)
{
    struct srv_housekeeping *h = calloc(1, sizeof(*h));

    if (!h || !(h->db_path = strdup(srv->db_path))) {
        free(h);
        return pl_error_oom(err);
    }
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->wake, NULL);
    if (pthread_create(&h->thread, NULL, loop, h) != 0) {
        pthread_mutex_destroy(&h->lock);
        pthread_cond_destroy(&h->wake);
        free(h->db_path);
        free(h);
        return pl_error_set(err, PL_ERROR, "cannot start the housekeeping thread");
    }
    srv->housekeeping = h;
    return 0;
}

void srv_housekeeping_stop(pl_server *srv)
{
    struct srv_housekeeping *h = srv->housekeeping;

    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    h->stopping = 1;
    pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->wake);
    free(h->db_path);
    free(h);
    srv->housekeeping = NULL;
}
