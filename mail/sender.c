#include "sender.h"

#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- reminders ---- */

/* The wall time in zone of the UTC instant now_utc, as minutes (the key of
 * pl_datetime_minutes). GLib's zones: thread-safe, unlike libical's. */
static int local_minutes(long long *out, const char *zone, const char *now_utc)
{
    GTimeZone *tz = g_time_zone_new_identifier(zone);
    GDateTime *utc = NULL, *local = NULL;
    pl_datetime dt;
    int rc = PL_EINVALID;

    if (!tz)
        return rc;
    utc = g_date_time_new_from_iso8601(now_utc, NULL);
    if (utc && (local = g_date_time_to_timezone(utc, tz))) {
        dt.year = g_date_time_get_year(local);
        dt.month = g_date_time_get_month(local);
        dt.day = g_date_time_get_day_of_month(local);
        dt.hour = g_date_time_get_hour(local);
        dt.minute = g_date_time_get_minute(local);
        *out = pl_datetime_minutes(&dt);
        rc = 0;
    }
    if (local)
        g_date_time_unref(local);
    if (utc)
        g_date_time_unref(utc);
    g_time_zone_unref(tz);
    return rc;
}

int pl_mail_remind(pl_store *store, const char *now_utc, size_t *added, pl_error *err)
{
    pl_event **events = NULL;
    size_t n = 0, total = 0;
    int rc;

    if (added)
        *added = 0;
    if ((rc = pl_event_list(&events, &n, store, err)) < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const pl_event *ev = events[i];
        long long now, start;
        pl_datetime dt;
        char version[64];
        int days;

        if (strcmp(ev->status, "published") != 0 || pl_datetime_parse(&dt, ev->start) < 0 ||
            local_minutes(&now, ev->timezone, now_utc) < 0)
            continue;
        start = pl_datetime_minutes(&dt);
        if (now >= start)
            continue;
        if ((rc = pl_outbox_reminder_days(store, ev->slug, &days, err)) < 0)
            goto done;
        if (days > 0 && now >= start - (long long)days * 1440) {
            snprintf(version, sizeof(version), "%dd:%s", days, ev->start);
            if ((rc = pl_outbox_remind(store, ev->slug, version, NULL, err)) < 0)
                goto done;
            total += (size_t)rc;
        }
        if (ev->online_url && strcmp(ev->format, "in_person") != 0 && now >= start - 1440) {
            snprintf(version, sizeof(version), "link:%s", ev->start);
            if ((rc = pl_outbox_remind(store, ev->slug, version, "link", err)) < 0)
                goto done;
            total += (size_t)rc;
        }
    }
    rc = 0;
    if (added)
        *added = total;
done:
    pl_event_list_free(events, n);
    return rc;
}

/* ---- sending ---- */

/* now_utc + seconds, in the same form. */
static void utc_plus(char out[32], const char *now_utc, long seconds)
{
    struct tm tm;
    time_t t;

    memset(&tm, 0, sizeof(tm));
    if (sscanf(now_utc, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6) {
        snprintf(out, 32, "%s", now_utc);
        return;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    t = timegm(&tm) + seconds;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int stopped(const pl_mail_send_options *o)
{
    return o->stop && *o->stop;
}

/* At most rate messages in any 60 s: wait until the oldest of the last
 * `rate` sends is a minute old. Sleeps in short steps to notice a stop. */
typedef struct limiter {
    double *times;
    int rate, count, head;
} limiter;

static void limiter_wait(limiter *l, const pl_mail_send_options *o)
{
    if (l->rate <= 0 || l->count < l->rate)
        return;
    while (!stopped(o)) {
        double wait = l->times[l->head] + 60.0 - monotonic();
        if (wait <= 0)
            break;
        struct timespec ts = {0, (long)((wait < 0.2 ? wait : 0.2) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

static void limiter_note(limiter *l)
{
    if (l->rate <= 0)
        return;
    l->times[l->head] = monotonic();
    l->head = (l->head + 1) % l->rate;
    if (l->count < l->rate)
        l->count++;
}

static void report(const pl_mail_send_options *o, const pl_outbox_message *m, const char *outcome,
                   const char *reply)
{
    if (o->on_result)
        o->on_result(m, outcome, reply, o->payload);
}

/*
 * Building a message costs about as much CPU as the SMTP exchange costs
 * waiting for the server: a second thread, with its own connection to the
 * database, builds the next messages while this one waits for answers.
 * Messages leave in order; the sender marks each one as soon as the server
 * answered, on its own connection.
 */
#define AHEAD 16

typedef struct built {
    char *bytes;
    size_t len;
    int rc;
    pl_error err;
} built;

typedef struct builder {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    const char *path;
    const pl_mail_config *cfg;
    pl_mail_feed_fn feed;
    pl_outbox_message **due;
    size_t ndue;
    built slot[AHEAD];
    size_t made, taken; /* messages built so far, and handed to the sender */
    int cancel;
} builder;

static void *builder_main(void *arg)
{
    builder *b = arg;
    pl_store *store = NULL;
    pl_mail_composer *comp = NULL;
    pl_error err;
    int rc;

    rc = pl_store_open(&store, b->path, 0, &err);
    if (rc == 0)
        rc = pl_mail_composer_new(&comp, store, b->cfg, b->feed, &err);
    for (size_t i = 0; i < b->ndue; i++) {
        built one = {NULL, 0, rc, err};
        if (rc == 0)
            one.rc = pl_mail_compose(&one.bytes, &one.len, comp, b->due[i], &one.err);
        pthread_mutex_lock(&b->lock);
        while (!b->cancel && b->made - b->taken == AHEAD)
            pthread_cond_wait(&b->changed, &b->lock);
        if (b->cancel) {
            pthread_mutex_unlock(&b->lock);
            free(one.bytes);
            break;
        }
        b->slot[b->made % AHEAD] = one;
        b->made++;
        pthread_cond_broadcast(&b->changed);
        pthread_mutex_unlock(&b->lock);
    }
    pl_mail_composer_free(comp);
    pl_store_free(store);
    return NULL;
}

/* The next built message, in order (the caller owns its bytes). */
static built builder_take(builder *b)
{
    built one;

    pthread_mutex_lock(&b->lock);
    while (b->made == b->taken)
        pthread_cond_wait(&b->changed, &b->lock);
    one = b->slot[b->taken % AHEAD];
    b->taken++;
    pthread_cond_broadcast(&b->changed);
    pthread_mutex_unlock(&b->lock);
    return one;
}

static void builder_stop(builder *b)
{
    pthread_mutex_lock(&b->lock);
    b->cancel = 1;
    pthread_cond_broadcast(&b->changed);
    pthread_mutex_unlock(&b->lock);
    pthread_join(b->thread, NULL);
    for (size_t i = b->taken; i < b->made; i++)
        free(b->slot[i % AHEAD].bytes);
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->changed);
}

int pl_mail_send(pl_store *store, const pl_mail_config *cfg, const pl_mail_send_options *opts,
                 pl_mail_send_stats *stats, pl_error *err)
{
    pl_mail_send_options defaults = PL_MAIL_SEND_OPTIONS_INIT;
    const pl_mail_send_options *o = opts ? opts : &defaults;
    pl_outbox_message **due = NULL;
    pl_smtp *smtp = NULL;
    limiter lim = {NULL, cfg->rate_per_minute, 0, 0};
    builder b;
    int started = 0;
    size_t ndue = 0;
    char now[32];
    int rc;

    memset(stats, 0, sizeof(*stats));
    memset(&b, 0, sizeof(b));
    if (!cfg->smtp_url)
        return pl_error_set(err, PL_EINVALID,
                            "PLANNER_SMTP_URL is not set: messages wait in the outbox "
                            "('planner mail list')");
    pl_now_utc(now);
    if (!o->no_remind && (rc = pl_mail_remind(store, now, &stats->reminders, err)) < 0)
        return rc;
    /* One list for the run: a message retried now is not tried again in
     * the same run, even with --now. */
    if ((rc = pl_outbox_due(&due, &ndue, store, now, o->now, o->limit, err)) < 0)
        return rc;
    if (ndue == 0)
        goto done;
    if (lim.rate > 0 && !(lim.times = calloc((size_t)lim.rate, sizeof(double)))) {
        rc = pl_error_oom(err);
        goto done;
    }
    if ((rc = pl_smtp_open(&smtp, cfg, err)) < 0)
        goto done;
    b.path = pl_store_path(store);
    b.cfg = cfg;
    b.feed = o->feed;
    b.due = due;
    b.ndue = ndue;
    pthread_mutex_init(&b.lock, NULL);
    pthread_cond_init(&b.changed, NULL);
    if (pthread_create(&b.thread, NULL, builder_main, &b) != 0) {
        pthread_mutex_destroy(&b.lock);
        pthread_cond_destroy(&b.changed);
        rc = pl_error_set(err, PL_ERROR, "cannot start the thread that builds messages");
        goto done;
    }
    started = 1;
    for (size_t i = 0; i < ndue && !stopped(o); i++) {
        const pl_outbox_message *m = due[i];
        built one = builder_take(&b);
        char reply[512], when[32];
        pl_smtp_result res;

        if (one.rc < 0) {
            if (one.rc == PL_ENOMEM || one.rc == PL_EIO) {
                if (err)
                    *err = one.err;
                rc = one.rc;
                goto done;
            }
            /* this message cannot be built: say why, go on with the others */
            pl_error_format(&one.err, reply, sizeof(reply));
            if ((rc = pl_outbox_mark_failed(store, m->id, reply, err)) < 0)
                goto done;
            stats->failed++;
            report(o, m, "failed", reply);
            continue;
        }
        limiter_wait(&lim, o);
        res = pl_smtp_send(smtp, m->to, one.bytes, one.len, reply, sizeof(reply));
        free(one.bytes);
        limiter_note(&lim);
        pl_now_utc(when);
        if (res == PL_SMTP_OK) {
            rc = pl_outbox_mark_sent(store, m->id, when, err);
            stats->sent++;
            report(o, m, "sent", reply);
        } else if (res == PL_SMTP_PERMANENT || m->attempts + 1 >= PL_MAIL_MAX_ATTEMPTS) {
            char why[600];
            if (res == PL_SMTP_PERMANENT)
                snprintf(why, sizeof(why), "%s", reply);
            else
                snprintf(why, sizeof(why), "gave up after %d attempts: %s", m->attempts + 1, reply);
            rc = pl_outbox_mark_failed(store, m->id, why, err);
            stats->failed++;
            report(o, m, "failed", why);
        } else {
            long delay = 60L << (m->attempts < 9 ? m->attempts : 9);
            char sent_at[32];
            if (delay > 6 * 3600)
                delay = 6 * 3600;
            memcpy(sent_at, when, sizeof(sent_at));
            utc_plus(when, sent_at, delay);
            rc = pl_outbox_mark_retry(store, m->id, reply, when, err);
            stats->retry++;
            report(o, m, "retry", reply);
            if (res == PL_SMTP_DOWN) {
                stats->stopped = 1;
                snprintf(stats->down_reason, sizeof(stats->down_reason), "%s", reply);
            }
        }
        if (rc < 0 || stats->stopped)
            goto done;
    }
    rc = 0;
done:
    if (started)
        builder_stop(&b);
    pl_smtp_free(smtp);
    pl_outbox_list_free(due, ndue);
    free(lim.times);
    return rc < 0 ? rc : 0;
}

/* ---- the background sender ---- */

struct pl_mail_worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    volatile int stop;
    char *db_path;
    pl_mail_config *cfg;
    pl_mail_feed_fn feed;
    unsigned interval_s;
};

static void worker_log(const pl_outbox_message *m, const char *outcome, const char *reply,
                       void *payload)
{
    (void)payload;
    /* No address in the server's log: the message id says which. */
    if (strcmp(outcome, "sent") != 0)
        fprintf(stderr, "planner: mail: message %lld (%s): %s: %s\n", m->id,
                pl_mail_kind_name(m->kind), outcome, reply);
}

static void *worker_main(void *arg)
{
    pl_mail_worker *w = arg;
    pl_store *store = NULL;
    pl_error err;

    if (pl_store_open(&store, w->db_path, PL_STORE_CREATE, &err) < 0) {
        fprintf(stderr, "planner: mail: %s\n", err.msg);
        return NULL;
    }
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        pl_mail_send_options o = PL_MAIL_SEND_OPTIONS_INIT;
        pl_mail_send_stats st;
        struct timespec until;

        pthread_mutex_unlock(&w->lock);
        o.feed = w->feed;
        o.stop = &w->stop;
        o.on_result = worker_log;
        if (pl_mail_send(store, w->cfg, &o, &st, &err) < 0)
            fprintf(stderr, "planner: mail: %s\n", err.msg);
        else if (st.stopped)
            fprintf(stderr, "planner: mail: the relay is not answering (%s); trying again later\n",
                    st.down_reason);
        else if (st.sent)
            fprintf(stderr, "planner: mail: %zu sent\n", st.sent);
        pthread_mutex_lock(&w->lock);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += w->interval_s;
        while (!w->stop && pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&w->lock);
    pl_store_free(store);
    return NULL;
}

int pl_mail_worker_start(pl_mail_worker **out, const char *db_path, const char *base_url,
                         pl_mail_feed_fn feed, unsigned interval_s, pl_error *err)
{
    pl_mail_config *cfg = NULL;
    pl_mail_worker *w = NULL;
    int rc;

    *out = NULL;
    if ((rc = pl_mail_config_from_env(&cfg, base_url, err)) < 0)
        return rc;
    if (!cfg->smtp_url) {
        pl_mail_config_free(cfg);
        return 0;
    }
    if (!(w = calloc(1, sizeof(*w))) || !(w->db_path = strdup(db_path))) {
        free(w);
        pl_mail_config_free(cfg);
        return pl_error_oom(err);
    }
    w->cfg = cfg;
    w->feed = feed;
    w->interval_s = interval_s ? interval_s : 30;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        free(w->db_path);
        free(w);
        pl_mail_config_free(cfg);
        return pl_error_set(err, PL_ERROR, "cannot start the mail sender thread");
    }
    *out = w;
    return 0;
}

void pl_mail_worker_stop(pl_mail_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    pl_mail_config_free(w->cfg);
    free(w->db_path);
    free(w);
}
