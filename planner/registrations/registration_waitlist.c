/*
 * registration_waitlist.c - the waiting lists, the event's and each
 * session's: seats given to the first in line whenever some are free, and
 * cancelling a registration, which frees seats.
 */
#include "registration_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* The choices a stored registration made, in its order. */
int reg_stored_choices(pl_registration_batch *b, long long rowid, choice **out, size_t *n,
                       pl_error *err)
{
    sqlite3_stmt *st = b->st[ST_GET_SESSIONS];
    choice *c = NULL;
    size_t count = 0;
    int rc;

    *out = NULL;
    *n = 0;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, rowid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long sid = sqlite3_column_int64(st, 0);
        for (size_t i = 0; i < b->nsessions; i++) {
            if (b->sessions[i].rowid != sid)
                continue;
            choice *p = realloc(c, (count + 1) * sizeof(*p));
            if (!p) {
                free(c);
                sqlite3_reset(st);
                return pl_error_oom(err);
            }
            c = p;
            c[count].idx = i;
            c[count].waiting = sqlite3_column_int(st, 1);
            c[count++].order = sqlite3_column_int64(st, 2);
            break;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(c);
        return pl_store_fail(b->store, err, "cannot read registration sessions");
    }
    *out = c;
    *n = count;
    return 0;
}

static int set_choice(pl_registration_batch *b, long long rowid, const choice *c, pl_error *err)
{
    sqlite3_stmt *st = b->st[ST_SET_CHOICE];
    int rc;

    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, rowid);
    sqlite3_bind_int64(st, 2, b->sessions[c->idx].rowid);
    sqlite3_bind_text(st, 3, c->waiting ? "waitlisted" : "confirmed", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, c->order);
    rc = pl_store_step(b->store, st, "cannot write registrations", err);
    sqlite3_reset(st);
    return rc;
}

/* Add rowid to b->promoted (once). */
static int add_promoted(pl_registration_batch *b, long long rowid, pl_error *err)
{
    for (size_t i = 0; i < b->npromoted; i++)
        if (b->promoted[i] == rowid)
            return 0;
    if (b->npromoted == b->promoted_cap) {
        size_t pc = b->promoted_cap ? b->promoted_cap * 2 : 8;
        long long *p = realloc(b->promoted, pc * sizeof(*p));
        if (!p)
            return pl_error_oom(err);
        b->promoted = p;
        b->promoted_cap = pc;
    }
    b->promoted[b->npromoted++] = rowid;
    return 0;
}

/* Tell rowid, confirmed for the event and waiting in session s's line, that
 * a seat of s is theirs: one message per person and session (its version),
 * none for someone promoted to the event by this same change (that
 * message lists their workshops already), none without an outbox (--no-mail). */
static int seat_message(pl_registration_batch *b, long long rowid, const sess *s, pl_error *err)
{
    char version[48], detail[160];
    int rc;

    if (!b->outbox)
        return 0;
    for (size_t i = 0; i < b->npromoted; i++)
        if (b->promoted[i] == rowid)
            return 0;
    snprintf(version, sizeof(version), "seat:%lld", s->rowid);
    snprintf(detail, sizeof(detail), "seat:%s", s->key);
    rc = pl_outbox_enqueue(b->store, rowid, PL_MAIL_PROMOTION, version, detail, err);
    return rc < 0 ? rc : 0;
}

/*
 * Give the free seats of session idx to the first people in its line, in
 * line order. Afterwards no one in its line has a seat free: the invariant
 * reg_choose relies on.
 */
int reg_fill_session(pl_registration_batch *b, size_t idx, pl_error *err)
{
    sess *s = &b->sessions[idx];
    sqlite3_stmt *st = b->st[ST_LINE_FIRST];
    int rc = 0;

    while (s->waiting > 0 && (s->capacity <= 0 || s->confirmed < s->capacity)) {
        choice c = {idx, 0, 0};
        long long rowid;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, s->rowid);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) { /* counted more than there are */
            s->waiting = 0;
            rc = 0;
            break;
        }
        if (rc != SQLITE_ROW) {
            sqlite3_reset(st);
            return pl_store_fail(b->store, err, "cannot read a session's waiting list");
        }
        rowid = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if ((rc = set_choice(b, rowid, &c, err)) < 0 || (rc = seat_message(b, rowid, s, err)) < 0 ||
            (rc = add_promoted(b, rowid, err)) < 0)
            return rc;
        s->waiting--;
        s->confirmed++;
        b->session_promoted++;
    }
    sqlite3_reset(st);
    return rc;
}

static int set_status(pl_registration_batch *b, long long rowid, pl_reg_status status,
                      pl_error *err)
{
    sqlite3_stmt *st = b->st[ST_STATUS];
    int rc;

    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, rowid);
    sqlite3_bind_text(st, 2, reg_status_names[status], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, b->now, -1, SQLITE_STATIC);
    rc = pl_store_step(b->store, st, "cannot write registrations", err);
    sqlite3_reset(st);
    return rc;
}

/*
 * Promote, in arrival order, the people waiting for the event while it has
 * seats: whatever their sessions, which each give them a seat or a place
 * at the end of that session's line. Their rowids go to b->promoted.
 * Afterwards no one waiting for the event fits: the invariant every save
 * relies on.
 */
static int fill(pl_registration_batch *b, pl_error *err)
{
    sqlite3_stmt *st = b->st[ST_WAITERS];
    long long *ids = NULL;
    size_t n = 0, cap = 0;
    int rc;

    b->npromoted = 0;
    if (!reg_fits(b, NULL, 0))
        return 0;
    /* Ids first: the statuses change while we go. */
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, b->event_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            long long *p = realloc(ids, (cap = cap ? cap * 2 : 64) * sizeof(*p));
            if (!p) {
                rc = pl_error_oom(err);
                goto done;
            }
            ids = p;
        }
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = pl_store_fail(b->store, err, "cannot read the waiting list");
        goto done;
    }
    rc = 0;
    for (size_t i = 0; i < n && reg_fits(b, NULL, 0); i++) {
        choice *c = NULL;
        size_t k = 0;
        if ((rc = reg_stored_choices(b, ids[i], &c, &k, err)) < 0)
            goto done;
        if ((rc = set_status(b, ids[i], PL_REG_CONFIRMED, err)) < 0) {
            free(c);
            goto done;
        }
        b->confirmed++;
        for (size_t j = 0; j < k && rc == 0; j++) {
            c[j] = reg_choose(b, c[j].idx, 1);
            rc = set_choice(b, ids[i], &c[j], err);
        }
        free(c);
        if (rc < 0 || (rc = add_promoted(b, ids[i], err)) < 0 ||
            (rc = pl_outbox_writer_note(b->outbox, ids[i], PL_MAIL_PROMOTION, err)) < 0)
            goto done;
    }
done:
    free(ids);
    return rc;
}

/* Fill the event, then every session with people in its line. */
int reg_fill_all(pl_registration_batch *b, pl_error *err)
{
    int rc = fill(b, err);

    for (size_t i = 0; rc == 0 && i < b->nsessions; i++)
        if (b->sessions[i].waiting > 0)
            rc = reg_fill_session(b, i, err);
    return rc;
}

/* Give back what counted choices took; fill the sessions they freed. */
static int unchoose_all(pl_registration_batch *b, const choice *c, size_t n, pl_error *err)
{
    int rc = 0;

    for (size_t i = 0; i < n; i++)
        if (reg_unchoose(b, &c[i]) && rc == 0)
            rc = reg_fill_session(b, c[i].idx, err);
    return rc;
}

static pl_registration_left_fn left_hook;

void pl_registration_set_left_hook(pl_registration_left_fn fn)
{
    left_hook = fn;
}

/* Cancel the active registration at rowid; fill the freed seats. */
int reg_batch_cancel(pl_registration_batch *b, const char *email, long long *out_rowid,
                     pl_error *err)
{
    sqlite3_stmt *find = b->st[ST_FIND];
    choice *c = NULL;
    size_t n = 0;
    pl_reg_status status;
    long long rowid;
    int rc;

    b->npromoted = 0;
    sqlite3_reset(find);
    sqlite3_bind_int64(find, 1, b->event_id);
    pl_store_bind_text(find, 2, email);
    rc = sqlite3_step(find);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(find);
        return pl_error_set(err, PL_ENOTFOUND, "no registration for %s", email);
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(find);
        return pl_store_fail(b->store, err, "cannot read registrations");
    }
    rowid = sqlite3_column_int64(find, 0);
    status = reg_status_from(sqlite3_column_text(find, 1));
    sqlite3_reset(find);
    *out_rowid = rowid;
    if (status == PL_REG_CANCELLED)
        return 0;
    if ((rc = set_status(b, rowid, PL_REG_CANCELLED, err)) < 0)
        return rc;
    if ((rc = pl_outbox_writer_note(b->outbox, rowid, PL_MAIL_CANCELLATION, err)) < 0)
        return rc;
    if (status != PL_REG_CONFIRMED)
        return 0;
    if (left_hook && (rc = left_hook(b->store, rowid, err)) < 0)
        return rc;
    if ((rc = reg_stored_choices(b, rowid, &c, &n, err)) < 0)
        return rc;
    b->confirmed--;
    /* the event's seat first: who it promotes joins the sessions' lines
     * behind those already in them */
    b->session_promoted = 0;
    if ((rc = fill(b, err)) == 0)
        rc = unchoose_all(b, c, n, err);
    free(c);
    return rc;
}
