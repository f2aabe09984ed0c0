/*
 * sender.h - delivering the outbox: the reminder step, then every due
 * message composed (compose.h) and sent (smtp.h) over one connection,
 * each marked in the store as soon as the server answered, so a sender
 * killed at any point sends again at most the one message in flight (with
 * the same Message-ID).
 *
 * Temporary failures (4xx, a dropped connection) are retried with backoff:
 * 1 min, 2, 4, ... at most 6 h apart, and after PL_MAIL_MAX_ATTEMPTS the
 * message is marked failed. A permanent failure (5xx) marks it failed at
 * once with the server's answer; `planner mail retry` queues it again.
 * A relay that cannot be reached, refuses the login or answers 421 stops
 * the run (the message in hand is retried later). At most
 * cfg->rate_per_minute messages leave in any minute.
 */
#ifndef PL_MAIL_SENDER_H
#define PL_MAIL_SENDER_H

#include "compose.h"
#include "config.h"
#include "smtp.h"

#define PL_MAIL_MAX_ATTEMPTS 10

/* Gets each message tried: outcome "sent", "retry" or "failed", and the
 * server's answer (borrowed, valid during the call). */
typedef void (*pl_mail_result_fn)(const pl_outbox_message *m, const char *outcome,
                                  const char *reply, void *payload);

typedef struct pl_mail_send_options {
    size_t limit;         /* at most this many messages (0: every due one) */
    int now;              /* ignore backoff and grouping delays */
    int no_remind;        /* skip the reminder step */
    pl_mail_feed_fn feed; /* NULL: calendar/ directly (compose.h) */
    volatile int *stop;   /* non-zero stops the run between messages; may be NULL */
    pl_mail_result_fn on_result;
    void *payload;
} pl_mail_send_options;
#define PL_MAIL_SEND_OPTIONS_INIT                                                                  \
    {                                                                                              \
        0, 0, 0, NULL, NULL, NULL, NULL                                                            \
    }

typedef struct pl_mail_send_stats {
    size_t reminders; /* queued by the reminder step */
    size_t sent, retry, failed;
    int stopped; /* the relay was down: the run stopped early (why in err of the return) */
    char down_reason[512];
} pl_mail_send_stats;

/*
 * Queue the reminders that are due (outbox.h, pl_outbox_remind): for each
 * published event not yet begun, N days before its start in its own zone
 * (pl_outbox_reminder_days), and for an online or hybrid event with a
 * link, the day before (detail "link"). now_utc as pl_now_utc gives.
 * *added (may be NULL) gets the number of messages queued.
 */
int pl_mail_remind(pl_store *store, const char *now_utc, size_t *added, pl_error *err);

/*
 * Run the reminder step (unless opts->no_remind) then send what is due.
 * cfg->smtp_url must be set (PL_EINVALID otherwise). Returns 0 (stats say
 * how it went, including a relay that was down), or a PL_E... code for a
 * failure of the store.
 */
int pl_mail_send(pl_store *store, const pl_mail_config *cfg, const pl_mail_send_options *opts,
                 pl_mail_send_stats *stats, pl_error *err);

/*
 * The background sender of `planner serve`: a thread with its own
 * connection to db_path that runs pl_mail_send every interval_s seconds
 * (and stops cleanly between two messages). When PLANNER_SMTP_URL is not
 * set, *out is NULL and nothing runs (messages wait in the outbox).
 * Returns 0 or PL_EINVALID (a bad configuration, err says which).
 */
typedef struct pl_mail_worker pl_mail_worker;
int pl_mail_worker_start(pl_mail_worker **out, const char *db_path, const char *base_url,
                         pl_mail_feed_fn feed, unsigned interval_s, pl_error *err);
/* Stop the thread (within the message in flight) and free w. NULL accepted. */
void pl_mail_worker_stop(pl_mail_worker *w);

#endif
