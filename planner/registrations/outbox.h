/*
 * outbox.h - the messages attendees must receive, as rows of the store.
 *
 * The core decides THAT a person must be told and WHAT ABOUT (a kind and
 * references: the registration, a version, a detail); never how the message
 * looks: mail/ turns a row into MIME and sends it. A row is written in the
 * same transaction as the change that causes it (a registration, a
 * promotion, a session change, a carpool confirmation), so a change that
 * rolls back leaves no message, and a committed one never loses its message.
 *
 * Dedupe: one row per (registration, kind, version). Enqueueing the same
 * triple again does nothing, so re-running an import, a plan confirmation
 * or the reminder step never sends the same thing twice. Each row has a
 * Message-ID local part generated once (mail/ adds "@" and the sender's
 * domain), so a message sent twice (a sender killed between the server's
 * answer and its own bookkeeping) carries the same Message-ID.
 *
 * Change messages are grouped: a change for a person who already has a
 * change message waiting (never tried yet) is merged into it; a new change
 * message waits PL_OUTBOX_CHANGE_DELAY seconds (or the "mail.change_delay"
 * setting) before it is due, so that many edits in a short time make one
 * message per person.
 */
#ifndef PL_OUTBOX_H
#define PL_OUTBOX_H

#include "error.h"
#include "store.h"

#include <stddef.h>

typedef enum pl_mail_kind {
    PL_MAIL_CONFIRMATION, /* a new registration, confirmed */
    PL_MAIL_WAITLISTED,   /* a new registration, on the waiting list */
    PL_MAIL_PROMOTION,    /* moved from the waiting list to confirmed */
    PL_MAIL_CANCELLATION, /* the person's cancellation, acknowledged */
    PL_MAIL_CHANGE,       /* sessions or the event moved, renamed, cancelled */
    PL_MAIL_CARPOOL,      /* the person's car (plan confirmed, group changed, seat lost) */
    PL_MAIL_REMINDER,     /* N days before; the online link the day before */
    PL_MAIL_ANNOUNCEMENT, /* the organiser's own words */
    PL_MAIL_KIND_COUNT
} pl_mail_kind;

typedef enum pl_mail_status { PL_MAIL_QUEUED, PL_MAIL_SENT, PL_MAIL_FAILED } pl_mail_status;

/* Seconds a new change message waits for more changes to merge. */
#define PL_OUTBOX_CHANGE_DELAY 300

/* "confirmation", "waitlisted", ... "announcement" (the JSON of mail list). */
const char *pl_mail_kind_name(pl_mail_kind kind);
/* Returns 0, or PL_EINVALID for an unknown name. */
int pl_mail_kind_parse(pl_mail_kind *out, const char *s);
/* "queued", "sent", "failed". */
const char *pl_mail_status_name(pl_mail_status status);
int pl_mail_status_parse(pl_mail_status *out, const char *s);

/* ---- enqueueing: inside the caller's transaction ---- */

/*
 * Queue a message of kind for the registration registration_id. version
 * completes the dedupe key; NULL means the registration's place in line
 * (its arrival number), which changes only when the person registers
 * again. detail (may be NULL) is what the renderer needs beyond the
 * registration (for a carpool message: what changed; free text or JSON,
 * the kind's renderer reads it). Change messages are merged as described
 * above: use pl_outbox_change for them.
 * Returns 1 when a row was added, 0 when that (registration, kind,
 * version) was already queued or sent, PL_ENOTFOUND for an unknown
 * registration, PL_EIO.
 */
int pl_outbox_enqueue(pl_store *store, long long registration_id, pl_mail_kind kind,
                      const char *version, const char *detail, pl_error *err);

/*
 * Tell registration_id what `planner sessions allocate` gave them: outcome
 * names it ("12:00=atelier-pdie;14:15=-"), detail is what the message
 * shows (planner/registrations/ranks.h). A change message, versioned
 * "allocation:OUTCOME|after=ID" (ID: the person's previous allocation
 * message, 0 for none). The last outcome the person was told, or is about
 * to be, decides: the same outcome again queues nothing; a different one
 * first drops the person's allocation messages not tried yet (unless a
 * programme change was merged into them), then queues the new one. In the
 * caller's transaction. Returns 1 when a message was queued, 0 when the
 * person already knows, or a PL_E... code.
 */
int pl_outbox_allocation(pl_store *store, long long registration_id, const char *outcome,
                         const char *detail, pl_error *err);

/*
 * Send a registration its personal link again (an organiser's "resend"):
 * one more confirmation, or waiting-list message, with the same link, in
 * its own transaction. Each call queues a new message (its version is the
 * time of the call, to the second). Returns 0, PL_ENOTFOUND (no such
 * registration in event slug), PL_EINVALID (a cancelled registration has
 * no link to send), PL_EBUSY, PL_EIO.
 */
int pl_outbox_resend_link(pl_store *store, const char *slug, long long registration_id,
                          pl_error *err);

/*
 * A change of a session, or of the event itself when session_id is 0,
 * to tell everyone it concerns: for a workshop, the people who chose it;
 * for any other session and for the event, everyone registered (confirmed
 * or waiting). what is "moved", "renamed", "cancelled" or "reinstated"
 * (several may be given separated by commas); before is what the person
 * last knew (title and times, one line, may be NULL). Call it in the
 * transaction that makes the change, before or after writing it. Returns
 * the number of people told (>= 0) or a PL_E... code.
 */
int pl_outbox_change(pl_store *store, long long event_id, long long session_id, const char *what,
                     const char *before, pl_error *err);

/*
 * Detection for pl_event_save, called before a session's row is rewritten
 * with these values: a change is queued (pl_outbox_change) when the
 * session moves (start, end or room), is renamed, or comes back after a
 * cancellation; nothing for other edits (a description, a capacity).
 * Returns the number of people told or a PL_E... code.
 */
int pl_outbox_session_edit(pl_store *store, long long session_id, const char *title,
                           const char *start, const char *end, const char *room, pl_error *err);
/* The sessions of the event that keep() does not keep, about to be
 * cancelled (removed from the event file): a change for each. */
int pl_outbox_sessions_dropped(pl_store *store, long long event_id,
                               int (*keep)(const char *key, void *payload), void *payload,
                               pl_error *err);
/* The same for the event's own row: moved (start, end, venue) or cancelled. */
int pl_outbox_event_edit(pl_store *store, long long event_id, const char *start, const char *end,
                         const char *venue_name, const char *venue_address, const char *status,
                         pl_error *err);

/*
 * A batch's writer: the statements prepared once, for an import of many
 * people (planner/registrations/registration.c). NULL is accepted by every
 * pl_outbox_writer_* function and makes it do nothing: a batch that must
 * not send mail (--no-mail) simply has no writer.
 */
typedef struct pl_outbox_writer pl_outbox_writer;

int pl_outbox_writer_open(pl_outbox_writer **out, pl_store *store, pl_error *err);
void pl_outbox_writer_free(pl_outbox_writer *w);

/* A confirmation or waiting-list message (from the registration's status)
 * for every registration with an id from first to last: new people. */
int pl_outbox_writer_registered(pl_outbox_writer *w, long long first, long long last,
                                pl_error *err);
/* A promotion, or a cancellation, of one registration. A cancellation
 * also drops the person's allocation messages not tried yet
 * (pl_outbox_allocation): they left. */
int pl_outbox_writer_note(pl_outbox_writer *w, long long registration_id, pl_mail_kind kind,
                          pl_error *err);

/*
 * Reminders of the event slug: one of kind reminder for each confirmed
 * registration, versioned by version (e.g. "2d:<event start>" so that a
 * moved event is reminded again), detail as given. Returns the number of
 * messages added (people already reminded with that version are skipped).
 */
int pl_outbox_remind(pl_store *store, const char *slug, const char *version, const char *detail,
                     pl_error *err);

/*
 * Carpool messages for every member (driver and passengers) of the groups
 * of the plan plan_id confirmed at confirmed_at (the transaction of
 * pl_carpool_confirm). Versioned by the person's pickup sequence, so a
 * group confirmed again tells no one twice; a plan of the way home: by the
 * drop-off's sequence ("home:N"), detail "return". Returns the number
 * queued.
 */
int pl_outbox_carpool_confirmed(pl_store *store, long long plan_id, const char *confirmed_at,
                                pl_error *err);

/*
 * Carpool messages for the changes to confirmed cars of the event recorded
 * after the change id `after` (table carpool_changes, both trips: the way
 * home's messages have detail "return" or "lost_seat_return", versions
 * "home:N" / "homelost:N" from the drop-off's sequence; call it
 * after the pickups are brought up to date, in the same transaction): each
 * member of a confirmed car that changed (its new composition: versioned by their
 * pickup sequence, as pl_outbox_carpool_confirmed, so nothing is said twice),
 * each person moved, and a "lost seat" message (detail "lost_seat", version
 * "lost:SEQUENCE") to each person whose seat went. Nobody is told of their
 * own act (left, cancelled, declined). Returns the number queued.
 */
int pl_outbox_carpool_changed(pl_store *store, long long event_id, long long after, pl_error *err);

/* to for pl_outbox_announce */
typedef enum pl_mail_audience {
    PL_AUDIENCE_CONFIRMED,
    PL_AUDIENCE_WAITLISTED,
    PL_AUDIENCE_ALL /* confirmed and waiting */
} pl_mail_audience;

/*
 * An organiser's announcement for the event slug: subject and body stored
 * once, one message per person of the audience, in one transaction.
 * Returns the number of messages queued, PL_ENOTFOUND, PL_EINVALID (empty
 * subject or body), PL_EIO.
 */
int pl_outbox_announce(pl_store *store, const char *slug, const char *subject, const char *body,
                       pl_mail_audience to, pl_error *err);

/* ---- reading and sending (mail/ and the CLI) ---- */

typedef struct pl_outbox_message {
    long long id;
    long long registration_id;
    char *event_slug;
    char *to; /* the registration's e-mail */
    pl_mail_kind kind;
    char *version;
    char *detail;     /* may be NULL */
    char *message_id; /* local part; mail/ adds "@domain" */
    pl_mail_status status;
    int attempts;
    char *error;      /* the last failure, NULL when none */
    char *created;    /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
    char *sent;       /* NULL until sent */
    char *not_before; /* not due before (backoff, grouping) */
    /* announcements only (NULL otherwise) */
    char *subject;
    char *body;
} pl_outbox_message;

void pl_outbox_message_free(pl_outbox_message *m);
void pl_outbox_list_free(pl_outbox_message **list, size_t count);

/* One message by id. PL_ENOTFOUND when none. Free with pl_outbox_message_free. */
int pl_outbox_get(pl_outbox_message **out, pl_store *store, long long id, pl_error *err);

/*
 * Messages of the event slug (NULL: every event) with that status (NULL:
 * any), oldest first. PL_ENOTFOUND for an unknown slug. Free with
 * pl_outbox_list_free.
 */
int pl_outbox_list(pl_outbox_message ***out, size_t *count, pl_store *store, const char *slug,
                   const pl_mail_status *status, pl_error *err);

/*
 * Queued messages due at now (UTC "YYYY-MM-DDTHH:MM:SSZ"; all queued ones
 * when ignore_schedule), oldest first, at most limit (0: no limit).
 */
int pl_outbox_due(pl_outbox_message ***out, size_t *count, pl_store *store, const char *now,
                  int ignore_schedule, size_t limit, pl_error *err);

/* The server accepted message id at now. */
int pl_outbox_mark_sent(pl_store *store, long long id, const char *now, pl_error *err);
/* A temporary failure: attempts + 1, error kept, due again at not_before. */
int pl_outbox_mark_retry(pl_store *store, long long id, const char *error, const char *not_before,
                         pl_error *err);
/* A permanent failure: status failed, attempts + 1, the server's answer kept. */
int pl_outbox_mark_failed(pl_store *store, long long id, const char *error, pl_error *err);

/* Queue a failed message again, due now (the organiser fixed the address
 * or the relay). PL_ENOTFOUND for no such message, PL_EINVALID when it was
 * sent already. */
int pl_outbox_requeue(pl_store *store, long long id, pl_error *err);
/* Queue every failed message again. Returns how many (>= 0). */
int pl_outbox_requeue_failed(pl_store *store, pl_error *err);

/* The event's reminder lead in days (setting "mail.reminder_days:SLUG";
 * default 2; 0: no reminders). */
int pl_outbox_reminder_days(pl_store *store, const char *slug, int *out, pl_error *err);
int pl_outbox_set_reminder_days(pl_store *store, const char *slug, int days, pl_error *err);

#endif
