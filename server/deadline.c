/*
 * deadline.c - slow clients: a connection must deliver each whole request
 * (request line, headers and body) within request_timeout_s of being
 * opened or of its previous reply, whatever it sends meanwhile. MHD's own
 * timeout only counts idle time, so a client sending one header line every
 * few seconds would hold its connection forever (slowloris).
 *
 * MHD tells us when a connection opens and closes (MHD_OPTION_NOTIFY_
 * CONNECTION); a reaper thread looks at the open ones four times a second
 * and shuts down the socket of any whose request is late: MHD then sees the
 * end of the stream and closes the connection in its own thread. While more
 * than three quarters of the connection limit are open, a request gets
 * SRV_PRESSURE_MS instead, so that whole requests keep finding a place.
 * A connection whose request is being answered (or its reply sent) is
 * never touched here; MHD's idle timeout covers slow readers.
 *
 * Locking: the list is under a mutex, taken when a connection opens or
 * closes and by the reaper; the per-request marks are atomics. MHD calls the
 * CLOSED notification before it closes the socket, so a socket in the list
 * is always still open when the reaper shuts it down.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define SRV_PRESSURE_MS 1000
#define REAP_PERIOD_MS 250

typedef struct watched {
    MHD_socket fd;
    atomic_llong waiting_since; /* ms; 0 while a request is being answered */
    int reaped;
    struct watched *prev, *next;
} watched;

struct srv_deadlines {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t reaper;
    int running, stop;
    watched *head;
    size_t count;
    atomic_ullong closed; /* connections shut down for being too slow */
};

static long long now_ms(void)
{
    return (long long)(srv_now_s() * 1000.0);
}

static void reap(pl_server *srv)
{
    struct srv_deadlines *d = srv->deadlines;
    long long now = now_ms(), limit = (long long)srv->opts.request_timeout_s * 1000;

    pthread_mutex_lock(&d->lock);
    if (d->count * 4 > (size_t)srv->opts.max_connections * 3 && limit > SRV_PRESSURE_MS)
        limit = SRV_PRESSURE_MS;
    for (watched *w = d->head; w; w = w->next) {
        long long since = atomic_load(&w->waiting_since);
        if (w->reaped || since == 0 || now - since < limit)
            continue;
        w->reaped = 1;
        shutdown(w->fd, SHUT_RDWR);
        atomic_fetch_add(&d->closed, 1);
    }
    pthread_mutex_unlock(&d->lock);
}

static void *reaper(void *arg)
{
    pl_server *srv = arg;
    struct srv_deadlines *d = srv->deadlines;

    pthread_mutex_lock(&d->lock);
    while (!d->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += REAP_PERIOD_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&d->wake, &d->lock, &until);
        if (d->stop)
            break;
        pthread_mutex_unlock(&d->lock);
        reap(srv);
        pthread_mutex_lock(&d->lock);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

int srv_deadline_start(pl_server *srv, pl_error *err)
{
    struct srv_deadlines *d = calloc(1, sizeof(*d));
    int rc;

    if (!d)
        return pl_error_oom(err);
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->wake, NULL);
    srv->deadlines = d;
    if (srv->opts.request_timeout_s == 0)
        return 0; /* no deadline: nothing to reap */
    if ((rc = pthread_create(&d->reaper, NULL, reaper, srv)) != 0)
        return pl_error_set(err, PL_ERROR, "cannot start the slow-request reaper: %s",
                            strerror(rc));
    d->running = 1;
    return 0;
}

void srv_deadline_stop(pl_server *srv)
{
    struct srv_deadlines *d = srv->deadlines;

    if (!d)
        return;
    if (d->running) {
        pthread_mutex_lock(&d->lock);
        d->stop = 1;
        pthread_cond_signal(&d->wake);
        pthread_mutex_unlock(&d->lock);
        pthread_join(d->reaper, NULL);
    }
    while (d->head) { /* MHD stopped: its CLOSED notifications have run */
        watched *w = d->head;
        d->head = w->next;
        free(w);
    }
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d);
    srv->deadlines = NULL;
}

unsigned long long srv_deadline_closed(const pl_server *srv)
{
    return srv->deadlines ? atomic_load(&srv->deadlines->closed) : 0;
}

void srv_deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                         enum MHD_ConnectionNotificationCode code)
{
    pl_server *srv = cls;
    struct srv_deadlines *d = srv->deadlines;
    watched *w = *socket_context;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!info || !(w = calloc(1, sizeof(*w))))
            return; /* not watched: MHD's idle timeout still applies */
        w->fd = info->connect_fd;
        atomic_store(&w->waiting_since, now_ms());
        pthread_mutex_lock(&d->lock);
        w->next = d->head;
        if (d->head)
            d->head->prev = w;
        d->head = w;
        d->count++;
        pthread_mutex_unlock(&d->lock);
        *socket_context = w;
    } else if (w) {
        pthread_mutex_lock(&d->lock);
        if (w->prev)
            w->prev->next = w->next;
        else
            d->head = w->next;
        if (w->next)
            w->next->prev = w->prev;
        d->count--;
        pthread_mutex_unlock(&d->lock);
        free(w);
        *socket_context = NULL;
    }
}

static watched *watched_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

void srv_deadline_answering(struct MHD_Connection *conn)
{
    watched *w = watched_of(conn);

    if (w)
        atomic_store(&w->waiting_since, 0);
}

void srv_deadline_next(struct MHD_Connection *conn)
{
    watched *w = watched_of(conn);

    if (w)
        atomic_store(&w->waiting_since, now_ms());
}
