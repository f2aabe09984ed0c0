/*
 * registration.h - people registered for an event: the model, capacity and
 * waiting list, and storage.
 *
 * One registration per (event, e-mail), e-mails compared case-insensitively
 * (ASCII). Saving a registration for an e-mail that is already registered
 * updates it in place (uid, token and place in line are kept).
 *
 * Capacity. An event's capacity (0: no limit) is never exceeded: past it,
 * a new registration is waitlisted for the event, in order of arrival,
 * whatever its sessions. A session's capacity (0: no limit of its own) is
 * never exceeded either: a person confirmed for the event who chooses a
 * full session goes on that session's own waiting list (line), and stays
 * confirmed for the event and seated in their other sessions. Someone
 * waiting for the event holds no session seat and no place in a line; when
 * they get into the event each of their sessions seats them or puts them at
 * the end of its line. A freed seat goes, in the same transaction, to the
 * first person waiting for it: the event's to the first waiting for the
 * event, a session's to the first in its line. All of it runs in one BEGIN
 * IMMEDIATE transaction, so several processes writing the same database
 * file at once can never overbook.
 */
#ifndef PL_REGISTRATION_H
#define PL_REGISTRATION_H

#include "error.h"
#include "event.h"
#include "store.h"

#include <stddef.h>

typedef enum pl_travel {
    PL_TRAVEL_NONE,
    PL_TRAVEL_DRIVE,
    PL_TRAVEL_RIDE,
    PL_TRAVEL_FLEXIBLE
} pl_travel;

typedef enum pl_reg_status { PL_REG_CONFIRMED, PL_REG_WAITLISTED, PL_REG_CANCELLED } pl_reg_status;

/* The fields an update may leave as they are stored (pl_registration.keep). */
typedef enum pl_reg_field {
    PL_REG_FIELD_NAME = 1 << 0,
    PL_REG_FIELD_ORGANIZATION = 1 << 1,
    PL_REG_FIELD_ORIGIN = 1 << 2,
    PL_REG_FIELD_PHONE = 1 << 3,
    PL_REG_FIELD_TRAVEL = 1 << 4, /* travel and seats together */
    PL_REG_FIELD_MEAL = 1 << 5,
    PL_REG_FIELD_DIET = 1 << 6,
    PL_REG_FIELD_PUBLIC = 1 << 7,
    PL_REG_FIELD_SESSIONS = 1 << 8,
    PL_REG_FIELD_SHARE_PHONE = 1 << 9
} pl_reg_field;
#define PL_REG_FIELD_ALL 0x3ffu

typedef struct pl_registration {
    long long rowid;
    char *uid;   /* public, stable */
    char *token; /* secret, 192 random bits from the OS; never in public output */
    char *event_slug;
    char *name, *email, *organization, *origin /* as typed */, *phone /* may be NULL */;
    pl_travel travel;
    int seats;            /* drive / flexible: free seats offered (>= 1); else 0 */
    int meal;             /* takes the shared meal */
    char *diet;           /* may be NULL */
    int public_list;      /* consented to the public list */
    int share_phone;      /* consented to share the phone with their carpool group only */
    pl_strlist sessions;  /* chosen session ids */
    int *session_waiting; /* when read: per chosen session, in the same order, 0 when
                             seated in it (or waiting for the event), else the
                             1-based place on that session's waiting list; may be
                             NULL when there are no sessions. Ignored by saves. */
    pl_reg_status status;
    int waitlist_position;   /* 1-based while waitlisted, else 0 */
    char *created, *updated; /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
    char *waitlist_reason;   /* while waitlisted, why, one line ("the event is full
                                (60 places)", "session 'x' is full (20 places)"); else NULL */
    unsigned keep;           /* input to a save only: PL_REG_FIELD_* bits of the fields
                                not given, which an update leaves as stored (their
                                values here are ignored then; a new registration gets
                                them as given: empty). 0: every field is given. */
} pl_registration;

/* Longest accepted values, in bytes. */
#define PL_REG_NAME_MAX 200
#define PL_REG_TEXT_MAX 500
#define PL_REG_EMAIL_MAX 254
/* Most free seats one driver may offer. */
#define PL_REG_SEATS_MAX 8
#define PL_REG_STR_(x) #x
#define PL_REG_STR(x) PL_REG_STR_(x)
/* The same, as a string for help texts and messages: "8". */
#define PL_REG_SEATS_MAX_STR PL_REG_STR(PL_REG_SEATS_MAX)
/* Length of a token: 32 bytes as 64 hex digits, an 8-byte time-ordered
 * position (the same as the uid's) then 24 random bytes (192 bits)
 * from the OS. Tokens made before schema 7 are 24 random bytes (48 digits)
 * and are still found. */
#define PL_REG_TOKEN_BYTES 32
#define PL_REG_TOKEN_RANDOM_BYTES 24

/* "none", "drive", "ride", "flexible". */
const char *pl_travel_name(pl_travel travel);
/* Parse a travel value, English or French, case and accents ignored:
 * none|aucun|"", drive|conducteur|driver, ride|passager|passenger,
 * flexible. Returns 0 or PL_EINVALID. */
int pl_travel_parse(pl_travel *out, const char *s);
/* Read a number of free seats written in decimal ("3"): 0, or PL_EINVALID
 * when s is not a whole number. Whether it is a good number for the way
 * the person travels is one rule, pl_registration_check's: 1 to
 * PL_REG_SEATS_MAX for drive and flexible; for anyone else it is not
 * stored. */
int pl_reg_seats_parse(int *out, const char *s);
/* The one rule for free seats: 1 to PL_REG_SEATS_MAX for drive and
 * flexible; for anyone else any value does (it is not stored). */
int pl_reg_seats_ok(pl_travel travel, int seats);
/* "confirmed", "waitlisted", "cancelled". */
const char *pl_reg_status_name(pl_reg_status status);

/* Release r and everything it owns. NULL is accepted. */
void pl_registration_free(pl_registration *r);

/* Called once per problem found by pl_registration_check: column is the
 * field at fault ("name", "email", "seats", ...), msg one line. */
typedef void (*pl_registration_problem_fn)(const char *column, const char *msg, void *payload);

/*
 * Check one registration's own fields: name present; e-mail present and
 * well-formed (local@domain.tld); seats from 1 to PL_REG_SEATS_MAX for drive
 * and flexible, 0 otherwise; an origin for anyone who carpools (drive, ride,
 * flexible); phone made of digits, spaces and + . - ( ); lengths within the
 * PL_REG_*_MAX limits. Calls fn (may be NULL) for every problem. Returns
 * the number of problems.
 */
int pl_registration_check(const pl_registration *r, pl_registration_problem_fn fn, void *payload);

/* The same, stopping at the first problem: returns 0, or PL_EINVALID with
 * err->path set to the column at fault. */
int pl_registration_validate(const pl_registration *r, pl_error *err);

/* Is s a plausible e-mail address (local@domain.tld, no spaces)? */
int pl_email_valid(const char *s);

/*
 * Create, or update by (event, lower(email)), the registration `in` for the
 * event `slug`. in->uid, token, status, position and times are ignored: they
 * are the store's. An update changes only the fields given: those in
 * in->keep stay as stored (a kept field is checked with the others, as
 * stored: an origin cleared while the stored travel is "ride" is refused). Capacity and waiting
 * list are applied in one BEGIN IMMEDIATE transaction. An update keeps the person's status and
 * place in line unless their new session choice no longer fits (then they are waitlisted); a
 * cancelled registration that registers again is treated as new. PL_ENOTFOUND for an unknown event,
 * PL_EINVALID for bad fields or an unknown session id. *out (may be NULL) gets the stored
 * registration; free with pl_registration_free.
 */
int pl_registration_save(pl_store *store, const char *slug, const pl_registration *in,
                         pl_registration **out, pl_error *err);

/* What one save did. */
typedef struct pl_registration_change {
    int created;     /* a new registration, or a cancelled one registered again */
    int changed;     /* an existing registration's fields changed */
    size_t promoted; /* others given a seat from a waiting list (the event's or a
                        session's) by this change */
} pl_registration_change;

/* pl_registration_save, also telling what it did (change may be NULL). An
 * update that adds a full session puts the person at the end of its line;
 * a session kept keeps its seat or place in line. Like _create and _update,
 * it runs in its own transaction, or in the caller's when one is open
 * (pl_store_begin: a sign-up and its rankings saved together); then a
 * failure leaves the rollback to the caller. */
int pl_registration_save_ext(pl_store *store, const char *slug, const pl_registration *in,
                             pl_registration **out, pl_registration_change *change, pl_error *err);

/*
 * pl_registration_save_ext for a new registration only (the public form):
 * PL_EEXISTS, with nothing changed, when in->email has an active
 * (confirmed or waiting) registration for the event. The test is made
 * inside the save's transaction, so of two requests for the same e-mail
 * at once exactly one creates. A cancelled registration registers again
 * (change->created is set).
 */
int pl_registration_create(pl_store *store, const char *slug, const pl_registration *in,
                           pl_registration **out, pl_registration_change *change, pl_error *err);

/*
 * pl_registration_save_ext for an existing active registration only (the
 * person's own page): PL_ENOTFOUND, with nothing changed, when in->email
 * has no registration for the event or it is cancelled. Fields in
 * in->keep stay as stored.
 */
int pl_registration_update(pl_store *store, const char *slug, const pl_registration *in,
                           pl_registration **out, pl_registration_change *change, pl_error *err);

/*
 * Cancel the registration of email for the event slug and promote the first
 * waiting people who now fit, in the same transaction. PL_ENOTFOUND when no
 * such registration. Cancelling twice is not an error. *out (may be NULL)
 * gets the cancelled registration; free with pl_registration_free.
 */
int pl_registration_cancel(pl_store *store, const char *slug, const char *email,
                           pl_registration **out, pl_error *err);

/*
 * Called in the transaction of every cancellation (pl_registration_cancel,
 * pl_registration_erase) of a registration that was confirmed, after its
 * status is written: for the layers that keep something about confirmed
 * people (the carpools: a confirmed car loses a member). Registrations know
 * nothing of them; the program installs the hook once at start, before any
 * thread (cli/main.c installs pl_carpool_registration_left). A hook that
 * fails rolls the cancellation back. NULL: none (the default).
 */
typedef int (*pl_registration_left_fn)(pl_store *store, long long registration_id, pl_error *err);
void pl_registration_set_left_hook(pl_registration_left_fn fn);

/* pl_registration_cancel, also giving the people promoted from the waiting
 * list, in order (*promoted and *npromoted may be NULL; free the array with
 * pl_registration_list_free). */
int pl_registration_cancel_ext(pl_store *store, const char *slug, const char *email,
                               pl_registration **out, pl_registration ***promoted,
                               size_t *npromoted, pl_error *err);

/* Every registration of the event (cancelled included), in arrival order.
 * PL_ENOTFOUND for an unknown event. Free with pl_registration_list_free. */
int pl_registration_list(pl_registration ***out, size_t *count, pl_store *store, const char *slug,
                         pl_error *err);
void pl_registration_list_free(pl_registration **regs, size_t count);

/* Gets one registration, borrowed: valid only during the call (copy what
 * you keep). Return 0 to go on; anything else stops the visit. */
typedef int (*pl_registration_fn)(const pl_registration *r, void *payload);

/* How many people an event has, as its page shows them. */
typedef struct pl_registration_counts {
    int confirmed;    /* confirmed registrations */
    int waitlisted;   /* on the waiting list */
    int public_list;  /* confirmed people who consented to the public list */
    char updated[32]; /* latest change of any of its registrations (UTC), or "" */
} pl_registration_counts;

/* One session's seats taken: its confirmed registrations. */
typedef void (*pl_session_count_fn)(const char *session_id, int confirmed, void *payload);

/*
 * The counts of the event slug into *out, and session_fn (may be NULL) for
 * each of its sessions, in time that does not grow with the number of
 * registrations (counters the store keeps, index lookups), so that a page
 * built after every sign-up stays cheap. Returns 0, PL_ENOTFOUND or PL_EIO.
 */
int pl_registration_count(pl_registration_counts *out, pl_store *store, const char *slug,
                          pl_session_count_fn session_fn, void *payload, pl_error *err);

/*
 * Call fn for every registration of the event slug, complete and in the
 * order of pl_registration_list (arrival order, cancelled included), one at
 * a time: memory does not grow with the number of registrations. All of
 * them are read from one snapshot of the database (a savepoint is held
 * during the visit), so fn must not write to store. Returns 0,
 * PL_ENOTFOUND for an unknown event, another PL_E... code, or the non-zero
 * value fn returned to stop.
 */
int pl_registration_each(pl_store *store, const char *slug, pl_registration_fn fn, void *payload,
                         pl_error *err);

/* One registration by e-mail (case-insensitive) or by token. PL_ENOTFOUND
 * when absent. Free with pl_registration_free. */
int pl_registration_find_email(pl_registration **out, pl_store *store, const char *slug,
                               const char *email, pl_error *err);
int pl_registration_find_token(pl_registration **out, pl_store *store, const char *token,
                               pl_error *err);

/*
 * A batch: many saves in a transaction the caller holds (an import). It
 * loads the event, its sessions and the seat counts once and keeps its
 * prepared statements, so each save costs a few indexed statements.
 *
 *     pl_store_begin(store, err);
 *     pl_registration_batch_open(&b, store, slug, err);
 *     for each row: pl_registration_batch_save(b, &reg, &change, err);
 *     pl_registration_batch_free(b);
 *     pl_store_commit(store, err);   (or pl_store_rollback)
 *
 * The batch must be freed before the transaction ends; freeing it drops
 * queued saves not yet flushed (see pl_registration_batch_queue).
 */
typedef struct pl_registration_batch pl_registration_batch;

/* PL_ENOTFOUND for an unknown event. Free with pl_registration_batch_free. */
int pl_registration_batch_open(pl_registration_batch **out, pl_store *store, const char *slug,
                               pl_error *err);
void pl_registration_batch_free(pl_registration_batch *batch);

/* Save one registration (see pl_registration_save_ext). *out_rowid (may be
 * NULL) gets its database id; *out_status its status after the save. */
int pl_registration_batch_save(pl_registration_batch *batch, const pl_registration *in,
                               long long *out_rowid, pl_reg_status *out_status,
                               pl_registration_change *change, pl_error *err);

/*
 * Queued saves, for an import of many new people. A queued registration is
 * saved exactly as pl_registration_batch_save would save it at that point
 * of the sequence (same capacity decisions, same arrival order, a later row
 * for the same e-mail updating the earlier one), but new people are written
 * in groups: up to PL_REGISTRATION_GROUP of them with one multi-row INSERT
 * (and one for their sessions), with ids, places in line and statuses
 * decided in memory. A group is written only if every e-mail in it is new:
 * when the INSERT meets one that is already registered, SQLite undoes the
 * whole statement, the seats it counted are given back, and from that row
 * on the group is saved row by row (updates, re-registrations after a
 * cancellation, full sessions). Rows for a known e-mail, rows with a
 * problem, and every row while the previous one updated someone, take the
 * row-by-row path directly. Memory is one group, whatever the file.
 *
 * Results come back in queue order through the pl_registration_saved_fn,
 * from pl_registration_batch_queue or pl_registration_batch_flush (call it
 * after the last row, and before reading the database or ending the
 * transaction).
 */
#define PL_REGISTRATION_GROUP 64

/* What happened to one queued registration. */
typedef struct pl_registration_saved {
    const pl_registration *in; /* the row as queued (a copy; borrowed for the call) */
    long tag;                  /* as given to pl_registration_batch_queue */
    int rc;                    /* 0, or PL_EINVALID / PL_EFULL: not saved, why in *err */
    const pl_error *err;       /* set when rc < 0 */
    long long rowid;           /* when rc == 0 */
    pl_reg_status status;      /* when rc == 0: after the save */
    pl_registration_change change;
} pl_registration_saved;

/* Gets each result, borrowed: valid only during the call. */
typedef void (*pl_registration_saved_fn)(const pl_registration_saved *saved, void *payload);

/* Where the results of queued saves go (fn may be NULL: dropped). */
void pl_registration_batch_on_saved(pl_registration_batch *batch, pl_registration_saved_fn fn,
                                    void *payload);

/* Queue a save of `in` (copied: it may change or go after the call); tag
 * comes back with its result (a line number). Returns 0, or a negative
 * code for a failure that stops the batch (database, memory, random
 * source): a problem with a row itself is a result, not a failure. */
int pl_registration_batch_queue(pl_registration_batch *batch, const pl_registration *in, long tag,
                                pl_error *err);

/* Save every queued registration now. Returns 0 or a failure that stops
 * the batch, as pl_registration_batch_queue. */
int pl_registration_batch_flush(pl_registration_batch *batch, pl_error *err);

/* Queue messages for what the batch does (on, the default: confirmations,
 * promotions, cancellations, see outbox.h), or none (an import with
 * --no-mail, back-filling an old event). */
void pl_registration_batch_set_mail(pl_registration_batch *batch, int on);

/* Was the registration with this rowid created by this batch? (A file that
 * names the same e-mail twice.) */
int pl_registration_batch_created(const pl_registration_batch *batch, long long rowid);

/* The event's session ids, in agenda order, for messages (borrowed). */
size_t pl_registration_batch_sessions(const pl_registration_batch *batch,
                                      const char *const **out_ids);

/*
 * Privacy (docs/privacy.md). Removing a registration's personal fields
 * keeps what anonymous counts need: its event, status, arrival, travel and
 * seats, meal, sessions and places in line; the name becomes "" and the
 * e-mail and the token a placeholder ("erased-UID", no longer an address
 * nor a link), organization, origin, phone and diet NULL, public consent
 * off. The uid stays (it says nothing about the person).
 */

/* The person with this link erases their data: the registration is
 * cancelled (its seats go to who waits, in the same transaction) and its
 * personal fields removed. PL_ENOTFOUND for an unknown link. */
int pl_registration_erase(pl_store *store, const char *token, pl_error *err);

/* Remove the personal fields of every registration of the event slug,
 * keeping statuses and counts, once the event ended more than after_days
 * days ago (its end date, in its own calendar, against today's UTC date).
 * *count (may be NULL) gets the number of registrations purged now.
 * after_days PL_REG_PURGE_EVENT_DAYS: the event's own "purge_after_days",
 * or PL_REG_PURGE_DAYS when it has none.
 * PL_ENOTFOUND for an unknown event, PL_EINVALID (nothing changed) when
 * the event is not over for that long yet. */
#define PL_REG_PURGE_DAYS 90
#define PL_REG_PURGE_EVENT_DAYS (-1)
int pl_registration_purge(pl_store *store, const char *slug, int after_days, size_t *count,
                          pl_error *err);

/* pl_registration_purge for every event over for its own purge delay
 * ("purge_after_days", else PL_REG_PURGE_DAYS) (what `serve` runs daily).
 * *count gets the registrations purged. */
int pl_registration_purge_due(pl_store *store, size_t *count, pl_error *err);

/* Load one registration by database id, complete (sessions, position,
 * reason). Free with pl_registration_free. */
int pl_registration_load(pl_registration **out, pl_store *store, long long rowid, pl_error *err);

#endif
