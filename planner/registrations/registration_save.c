/*
 * registration_save.c - saving one row: create, update in place, keep what
 * is not given, register again after cancelling.
 */
#include "registration_internal.h"
#include "lang.h"
#include "text.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *opt(const char *s)
{
    return reg_blank(s) ? NULL : s;
}

static int same_text(const char *a, const unsigned char *b)
{
    if (!a || !b)
        return !a && !b;
    return strcmp(a, (const char *)b) == 0;
}

int reg_write_choices(pl_registration_batch *b, long long rowid, const choice *c, size_t n,
                      int replace, pl_error *err)
{
    sqlite3_stmt *st;
    int rc = 0;

    if (replace) {
        st = b->st[ST_DEL_SESSIONS];
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, rowid);
        rc = pl_store_step(b->store, st, "cannot write registrations", err);
        sqlite3_reset(st);
        if (rc < 0)
            return rc;
    }
    st = b->st[ST_ADD_SESSION];
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, rowid);
        sqlite3_bind_int64(st, 2, b->sessions[c[i].idx].rowid);
        sqlite3_bind_int(st, 3, (int)i);
        sqlite3_bind_text(st, 4, c[i].waiting ? "waitlisted" : "confirmed", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, c[i].order);
        if ((rc = pl_store_step(b->store, st, "cannot write registrations", err)) < 0)
            break;
    }
    sqlite3_reset(st);
    return rc;
}

/* The choices of sessions idx[0..n) for a person new to them, counted
 * (see reg_choose). */
static choice *choose_all(pl_registration_batch *b, const size_t *idx, size_t n, int confirmed)
{
    choice *c = calloc(n ? n : 1, sizeof(*c));

    for (size_t i = 0; c && i < n; i++)
        c[i] = reg_choose(b, idx[i], confirmed);
    return c;
}
void reg_bind_person(sqlite3_stmt *st, int first, const pl_registration *in)
{
    int drives = in->travel == PL_TRAVEL_DRIVE || in->travel == PL_TRAVEL_FLEXIBLE;

    reg_bind_static(st, first, in->name);
    reg_bind_static(st, first + 1, in->email);
    reg_bind_static(st, first + 2, opt(in->organization));
    reg_bind_static(st, first + 3, opt(in->origin));
    reg_bind_static(st, first + 4, opt(in->phone));
    sqlite3_bind_text(st, first + 5, pl_travel_name(in->travel), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, first + 6, drives ? in->seats : 0);
    sqlite3_bind_int(st, first + 7, in->meal ? 1 : 0);
    reg_bind_static(st, first + 8, in->meal ? opt(in->diet) : NULL);
    sqlite3_bind_int(st, first + 9, in->public_list ? 1 : 0);
}

/* Give the registration at rowid a new secret token (its uid stays). */
static int retoken(pl_registration_batch *b, long long rowid, pl_error *err)
{
    char uid[PL_UUID_SIZE], token[2 * PL_REG_TOKEN_BYTES + 1];
    sqlite3_stmt *st = b->st[ST_RETOKEN];
    int rc;

    if (reg_new_ids(b, uid, token) < 0)
        return pl_error_set(err, PL_EIO, "cannot read the OS random source");
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, rowid);
    sqlite3_bind_text(st, 2, token, -1, SQLITE_TRANSIENT);
    rc = pl_store_step(b->store, st, "cannot write registrations", err);
    sqlite3_reset(st);
    return rc;
}

/* Insert in as a new registration, unless its e-mail is there already:
 * then *out_rowid is 0 and nothing changed. */
static int insert_new(pl_registration_batch *b, const pl_registration *in, const size_t *idx,
                      size_t n, long long *out_rowid, pl_reg_status *out_status, pl_error *err)
{
    sqlite3_stmt *st = b->st[ST_INSERT];
    char uid[PL_UUID_SIZE], token[2 * PL_REG_TOKEN_BYTES + 1];
    pl_reg_status status = reg_fits(b, NULL, 0) ? PL_REG_CONFIRMED : PL_REG_WAITLISTED;
    choice *c = NULL;
    int rc;

    if (reg_new_ids(b, uid, token) < 0)
        return pl_error_set(err, PL_EIO, "cannot read the OS random source");
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, b->event_id);
    sqlite3_bind_text(st, 2, uid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, token, -1, SQLITE_STATIC);
    reg_bind_person(st, 4, in);
    sqlite3_bind_text(st, 14, reg_status_names[status], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 15, ++b->arrival);
    sqlite3_bind_text(st, 16, b->now, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 17, in->share_phone ? 1 : 0);
    rc = pl_store_step(b->store, st, "cannot write registrations", err);
    sqlite3_reset(st);
    *out_rowid = 0;
    if (rc < 0)
        return rc;
    if (sqlite3_changes(pl_store_db(b->store)) == 0) {
        b->arrival--;
        return 0;
    }
    *out_rowid = sqlite3_last_insert_rowid(pl_store_db(b->store));
    if (*out_rowid >= b->next_id)
        b->next_id = *out_rowid + 1;
    if (status == PL_REG_CONFIRMED)
        b->confirmed++;
    if (!(c = choose_all(b, idx, n, status == PL_REG_CONFIRMED)))
        return pl_error_oom(err);
    rc = reg_write_choices(b, *out_rowid, c, n, 0, err);
    free(c);
    if (rc < 0)
        return rc;
    *out_status = status;
    return pl_outbox_writer_registered(b->outbox, *out_rowid, *out_rowid, err);
}

static int update_row(pl_registration_batch *b, long long rowid, const pl_registration *in,
                      pl_reg_status status, long long arrival, pl_error *err)
{
    sqlite3_stmt *st = b->st[ST_UPDATE];
    int rc;

    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, rowid);
    reg_bind_person(st, 2, in);
    sqlite3_bind_text(st, 12, reg_status_names[status], -1, SQLITE_STATIC);
    /* Bindings outlive sqlite3_reset: without the NULL, an update after a
     * re-registration in the same batch would take that newcomer's place
     * in line. */
    if (arrival > 0)
        sqlite3_bind_int64(st, 13, arrival);
    else
        sqlite3_bind_null(st, 13);
    sqlite3_bind_text(st, 14, b->now, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 15, in->share_phone ? 1 : 0);
    rc = pl_store_step(b->store, st, "cannot write registrations", err);
    sqlite3_reset(st);
    return rc;
}

/* Are the stored person's fields (a ST_FIND row) those of in? */
static int same_person(sqlite3_stmt *row, const pl_registration *in)
{
    int drives = in->travel == PL_TRAVEL_DRIVE || in->travel == PL_TRAVEL_FLEXIBLE;

    return same_text(in->name, sqlite3_column_text(row, 2)) &&
           same_text(in->email, sqlite3_column_text(row, 3)) &&
           same_text(opt(in->organization), sqlite3_column_text(row, 4)) &&
           same_text(opt(in->origin), sqlite3_column_text(row, 5)) &&
           same_text(opt(in->phone), sqlite3_column_text(row, 6)) &&
           same_text(pl_travel_name(in->travel), sqlite3_column_text(row, 7)) &&
           sqlite3_column_int(row, 8) == (drives ? in->seats : 0) &&
           sqlite3_column_int(row, 9) == (in->meal ? 1 : 0) &&
           same_text(in->meal ? opt(in->diet) : NULL, sqlite3_column_text(row, 10)) &&
           sqlite3_column_int(row, 11) == (in->public_list ? 1 : 0) &&
           sqlite3_column_int(row, 12) == (in->share_phone ? 1 : 0);
}

/* Update an active (confirmed or waiting) registration in place. */
static int update_active(pl_registration_batch *b, long long rowid, pl_reg_status status,
                         const pl_registration *in, const size_t *idx, size_t n,
                         pl_reg_status *out_status, pl_registration_change *change, pl_error *err)
{
    choice *old = NULL, *c = NULL;
    size_t nold = 0;
    int rc;

    if ((rc = reg_stored_choices(b, rowid, &old, &nold, err)) < 0)
        return rc;
    if (!(c = calloc(n ? n : 1, sizeof(*c)))) {
        rc = pl_error_oom(err);
        goto done;
    }
    b->session_promoted = 0;
    if (status == PL_REG_WAITLISTED && reg_fits(b, NULL, 0)) {
        /* Waiting for the event and a seat is free (no one ahead of them,
         * or they would have had it): theirs now. */
        status = PL_REG_CONFIRMED;
        b->confirmed++;
        nold = 0; /* their choices waited uncounted */
    }
    /* A session kept keeps its seat or place in line; one added gives a
     * seat or the end of its line; one dropped gives its seat back, to
     * the first in that session's line. */
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < nold && old[k].idx != idx[i])
            k++;
        c[i] = k < nold ? old[k] : reg_choose(b, idx[i], status == PL_REG_CONFIRMED);
    }
    if ((rc = update_row(b, rowid, in, status, 0, err)) < 0 ||
        (rc = reg_write_choices(b, rowid, c, n, 1, err)) < 0)
        goto done;
    if (status == PL_REG_CONFIRMED)
        for (size_t k = 0; k < nold && rc == 0; k++) {
            int kept = 0;
            for (size_t i = 0; i < n && !kept; i++)
                kept = idx[i] == old[k].idx;
            if (!kept && reg_unchoose(b, &old[k]))
                rc = reg_fill_session(b, old[k].idx, err);
        }
    if (rc < 0)
        goto done;
    *out_status = status;
    if (change)
        change->promoted += b->session_promoted;
done:
    free(old);
    free(c);
    return rc;
}

static int same_sessions(pl_registration_batch *b, long long rowid, const size_t *idx, size_t n,
                         int *out, pl_error *err)
{
    choice *old = NULL;
    size_t nold = 0;
    int rc = reg_stored_choices(b, rowid, &old, &nold, err);

    if (rc < 0)
        return rc;
    *out = nold == n;
    for (size_t i = 0; *out && i < n; i++)
        *out = old[i].idx == idx[i];
    free(old);
    return 0;
}

/* Strings merge_kept copied from the stored row. */
typedef struct kept_text {
    char *s[5];
} kept_text;

static void kept_text_free(kept_text *k)
{
    for (size_t i = 0; i < sizeof(k->s) / sizeof(k->s[0]); i++)
        free(k->s[i]);
    memset(k, 0, sizeof(*k));
}

/* *m = in, with the fields in->keep names taken from the stored row (a
 * ST_FIND row); strings taken are copies held by kept. */
static int merge_kept(pl_registration *m, const pl_registration *in, sqlite3_stmt *row,
                      kept_text *kept, pl_error *err)
{
    static const struct {
        unsigned bit;
        int column;
        size_t offset;
    } texts[] = {
        {PL_REG_FIELD_NAME, 2, offsetof(pl_registration, name)},
        {PL_REG_FIELD_ORGANIZATION, 4, offsetof(pl_registration, organization)},
        {PL_REG_FIELD_ORIGIN, 5, offsetof(pl_registration, origin)},
        {PL_REG_FIELD_PHONE, 6, offsetof(pl_registration, phone)},
        {PL_REG_FIELD_DIET, 10, offsetof(pl_registration, diet)},
    };

    *m = *in;
    m->keep = 0;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        if (!(in->keep & texts[i].bit))
            continue;
        kept->s[i] = pl_store_column_text(row, texts[i].column);
        if (!kept->s[i] && sqlite3_column_type(row, texts[i].column) != SQLITE_NULL)
            return pl_error_oom(err);
        *(char **)((char *)m + texts[i].offset) = kept->s[i];
    }
    if (in->keep & PL_REG_FIELD_TRAVEL) {
        const char *travel = (const char *)sqlite3_column_text(row, 7);
        m->travel = PL_TRAVEL_NONE;
        for (int i = 0; i < 4; i++)
            if (travel && strcmp(travel, reg_travel_names[i]) == 0)
                m->travel = (pl_travel)i;
        m->seats = sqlite3_column_int(row, 8);
    }
    if (in->keep & PL_REG_FIELD_MEAL)
        m->meal = sqlite3_column_int(row, 9);
    if (in->keep & PL_REG_FIELD_PUBLIC)
        m->public_list = sqlite3_column_int(row, 11);
    if (in->keep & PL_REG_FIELD_SHARE_PHONE)
        m->share_phone = sqlite3_column_int(row, 12);
    return 0;
}

int reg_save_row(pl_registration_batch *b, const pl_registration *in, reg_save_mode mode,
                 long long *out_rowid, pl_reg_status *out_status, pl_registration_change *change,
                 pl_error *err)
{
    sqlite3_stmt *find = b->st[ST_FIND];
    size_t *idx = NULL, n = 0;
    pl_reg_status status = PL_REG_CONFIRMED;
    pl_registration merged;
    kept_text kept = {{NULL}};
    long long rowid = 0;
    unsigned keep = in->keep;
    int rc, same;

    if (change)
        memset(change, 0, sizeof(*change));
    /* With fields kept, what to check is known once the stored row is. */
    if (!in->keep && (rc = pl_registration_validate(in, err)) < 0)
        return rc;
    if (b->cancelled_event)
        return PL_SAY(err, PL_EINVALID, "", REG_ERR_EVENT_CANCELLED, NULL);
    if ((rc = reg_resolve_sessions(b, &in->sessions, &idx, &n, err)) < 0)
        return rc;
    /* In a file of new people, inserting first saves a look-up per row. */
    if (b->expect_new && !in->keep && mode != REG_SAVE_UPDATE) {
        if ((rc = insert_new(b, in, idx, n, &rowid, &status, err)) < 0)
            goto done;
        if (rowid) {
            if (change)
                change->created = 1;
            goto done;
        }
    }
    sqlite3_reset(find);
    sqlite3_bind_int64(find, 1, b->event_id);
    reg_bind_static(find, 2, in->email);
    rc = sqlite3_step(find);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(find);
        if (mode == REG_SAVE_UPDATE) {
            rc = PL_SAY(err, PL_ENOTFOUND, "email", REG_ERR_NOT_REGISTERED, in->email);
            goto done;
        }
        if (in->keep && (rc = pl_registration_validate(in, err)) < 0)
            goto done;
        if ((rc = insert_new(b, in, idx, n, &rowid, &status, err)) < 0)
            goto done;
        if (!rowid) {
            rc = pl_error_set(err, PL_ERROR, "%s: registered and not found", in->email);
            goto done;
        }
        b->expect_new = 1;
        if (change)
            change->created = 1;
        goto done;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(find);
        rc = pl_store_fail(b->store, err, "cannot read registrations");
        goto done;
    }
    b->expect_new = 0;
    rowid = sqlite3_column_int64(find, 0);
    status = reg_status_from(sqlite3_column_text(find, 1));
    /* Decided here, inside the caller's transaction: two requests for the
     * same e-mail cannot both see it free. */
    if (mode == REG_SAVE_CREATE && status != PL_REG_CANCELLED) {
        sqlite3_reset(find);
        rc = PL_SAY(err, PL_EEXISTS, "email", REG_ERR_REGISTERED, in->email);
        goto done;
    }
    if (mode == REG_SAVE_UPDATE && status == PL_REG_CANCELLED) {
        sqlite3_reset(find);
        rc = PL_SAY(err, PL_ENOTFOUND, "email", REG_ERR_CANCELLED_REG, in->email);
        goto done;
    }
    if (in->keep) {
        if ((rc = merge_kept(&merged, in, find, &kept, err)) < 0 ||
            (rc = pl_registration_validate(&merged, err)) < 0) {
            sqlite3_reset(find);
            goto done;
        }
        in = &merged;
    }
    same = same_person(find, in);
    sqlite3_reset(find);
    rc = 0;
    if (keep & PL_REG_FIELD_SESSIONS) {
        choice *c = NULL;
        free(idx);
        idx = NULL;
        n = 0;
        if ((rc = reg_stored_choices(b, rowid, &c, &n, err)) < 0)
            goto done;
        if (n && !(idx = calloc(n, sizeof(*idx)))) {
            free(c);
            rc = pl_error_oom(err);
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            idx[i] = c[i].idx;
        free(c);
    }
    if (status == PL_REG_CANCELLED) {
        /* Registering again after cancelling: a new arrival, same uid, and a
         * new token. Whoever registers again with that e-mail (anyone who
         * knows it, on the public form) gets a link; the old one, which the
         * first person still holds, must not show the new registration. */
        choice *c;
        status = reg_fits(b, NULL, 0) ? PL_REG_CONFIRMED : PL_REG_WAITLISTED;
        if ((rc = update_row(b, rowid, in, status, ++b->arrival, err)) < 0 ||
            (rc = retoken(b, rowid, err)) < 0)
            goto done;
        if ((rc = pl_outbox_writer_registered(b->outbox, rowid, rowid, err)) < 0)
            goto done;
        if (status == PL_REG_CONFIRMED)
            b->confirmed++;
        if (!(c = choose_all(b, idx, n, status == PL_REG_CONFIRMED))) {
            rc = pl_error_oom(err);
            goto done;
        }
        rc = reg_write_choices(b, rowid, c, n, 1, err);
        free(c);
        if (rc < 0)
            goto done;
        if (change)
            change->created = 1;
        goto done;
    }
    if (same) {
        if ((rc = same_sessions(b, rowid, idx, n, &same, err)) < 0)
            goto done;
        if (same)
            goto done;
    }
    if ((rc = update_active(b, rowid, status, in, idx, n, &status, change, err)) < 0)
        goto done;
    if (change)
        change->changed = 1;
done:
    free(idx);
    kept_text_free(&kept);
    if (rc < 0)
        return rc;
    if (out_rowid)
        *out_rowid = rowid;
    if (out_status)
        *out_status = status;
    return 0;
}

int pl_registration_batch_save(pl_registration_batch *b, const pl_registration *in,
                               long long *out_rowid, pl_reg_status *out_status,
                               pl_registration_change *change, pl_error *err)
{
    return reg_save_row(b, in, REG_SAVE_ANY, out_rowid, out_status, change, err);
}
