/*
 * writer.c - requests that write (every POST) are answered on writer
 * threads, not on the worker threads that serve the pages and feeds.
 *
 * A write may have to wait for SQLite's write lock, held by another
 * process (a `planner event import`) or by another write. Waiting on a
 * worker thread would stall every connection that thread polls, cached GETs
 * included. So the worker suspends the connection (MHD_suspend_connection)
 * and queues the request; a writer thread answers it with its own database
 * connection and resumes the connection, and the worker then sends the
 * reply (server.c). A write waits at most SRV_WRITE_WAIT_MS for the lock
 * (SRV_WRITE_RETRY_MS while the previous one did not get it); then it fails
 * with PL_EBUSY, which the handlers answer 503 with Retry-After, in the
 * page's language for a form.
 *
 * Writer connections commit with synchronous = FULL: a registration the
 * server has acknowledged survives a power loss (docs/server.md).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WRITERS 2
#define QUEUE_MAX 1024

struct srv_writers {
    pthread_mutex_t lock;
    pthread_cond_t work;
    pthread_t threads[WRITERS];
    int nthreads, stop;
    srv_req *head, *tail;
    size_t queued;
    atomic_int blocked; /* the last write answered 503 (the lock was held) */
};

/* Hand req's reply to its worker: resume the connection, whose next
 * callback sends req->later. */
static void finish(srv_req *req)
{
    req->later_state = SRV_LATER_READY;
    MHD_resume_connection(req->conn);
}

static void answer_busy(srv_req *req, const char *why)
{
    srv_reply_error(&req->later, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", why);
    finish(req);
}

static void *writer(void *arg)
{
    pl_server *srv = arg;
    struct srv_writers *w = srv->writers;
    pl_store *store = NULL;
    pl_error err;

    for (;;) {
        srv_req *req;
        long wait_ms;

        pthread_mutex_lock(&w->lock);
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->work, &w->lock);
        if (!(req = w->head)) { /* stopping, queue empty */
            pthread_mutex_unlock(&w->lock);
            break;
        }
        w->head = req->next_job;
        if (!w->head)
            w->tail = NULL;
        w->queued--;
        pthread_mutex_unlock(&w->lock);

        if (!store && pl_store_open(&store, srv->db_path, 0, &err) < 0) {
            char buf[700];
            fprintf(stderr, "planner: %s\n", pl_error_format(&err, buf, sizeof(buf)));
            store = NULL;
            answer_busy(req, "the database is not available");
            continue;
        }
        /* While the last write found the lock held by someone else, the
         * next ones only try briefly: a queue behind an import drains in
         * 503s, not in 2 s each. Waiting behind our own writes is progress
         * and is not counted. */
        wait_ms = atomic_load(&w->blocked) ? SRV_WRITE_RETRY_MS : SRV_WRITE_WAIT_MS;
        if (pl_store_configure(store, (int)wait_ms, 1, &err) < 0) {
            answer_busy(req, "the database is not available");
            continue;
        }
        req->store = store;
        srv_answer_build(req, &req->later);
        atomic_store(&w->blocked, req->later.status == MHD_HTTP_SERVICE_UNAVAILABLE);
        finish(req);
    }
    pl_store_free(store);
    return NULL;
}

int srv_writers_start(pl_server *srv, pl_error *err)
{
    struct srv_writers *w = calloc(1, sizeof(*w));
    int rc;

    if (!w)
        return pl_error_oom(err);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work, NULL);
    srv->writers = w;
    for (int i = 0; i < WRITERS; i++) {
        if ((rc = pthread_create(&w->threads[i], NULL, writer, srv)) != 0)
            return pl_error_set(err, PL_ERROR, "cannot start a writer thread: %s", strerror(rc));
        w->nthreads++;
    }
    return 0;
}

void srv_writers_stop(pl_server *srv)
{
    struct srv_writers *w = srv->writers;

    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1; /* the threads answer what is queued, then leave */
    pthread_cond_broadcast(&w->work);
    pthread_mutex_unlock(&w->lock);
    for (int i = 0; i < w->nthreads; i++)
        pthread_join(w->threads[i], NULL);
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->lock);
    free(w);
    srv->writers = NULL;
}

enum MHD_Result srv_writers_submit(srv_req *req)
{
    struct srv_writers *w = req->srv->writers;
    int full;

    req->later_state = SRV_LATER_QUEUED;
    req->next_job = NULL;
    pthread_mutex_lock(&w->lock);
    full = w->queued >= QUEUE_MAX || w->stop;
    if (!full) {
        /* suspended before any writer can resume it */
        MHD_suspend_connection(req->conn);
        if (w->tail)
            w->tail->next_job = req;
        else
            w->head = req;
        w->tail = req;
        w->queued++;
        pthread_cond_signal(&w->work);
    }
    pthread_mutex_unlock(&w->lock);
    if (full) {
        enum MHD_Result ok;
        req->later_state = SRV_LATER_SENT;
        srv_reply_error(&req->later, MHD_HTTP_SERVICE_UNAVAILABLE,
                        "too many writes waiting; try again in a few seconds");
        ok = srv_reply_send(req, &req->later, NULL);
        return ok;
    }
    return MHD_YES;
}
