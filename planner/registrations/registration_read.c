/*
 * registration_read.c - reading registrations: one by id, e-mail or token,
 * and every one of an event from one snapshot, with waiting-list positions
 * and reasons.
 */
#include "registration_internal.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REG_SELECT                                                                                 \
    "SELECT r.id, r.uid, r.token, e.slug, r.name, r.email, r.organization, r.origin, r.phone, "    \
    "r.travel, r.seats, r.meal, r.diet, r.public_list, r.status, r.created, r.updated, "           \
    "r.arrival, r.event_id, r.share_phone FROM registrations r JOIN events e ON e.id = "           \
    "r.event_id "

static pl_registration *read_row(sqlite3_stmt *st)
{
    pl_registration *r = calloc(1, sizeof(*r));
    const char *travel;
    int oom = 0;

    if (!r)
        return NULL;
    r->rowid = sqlite3_column_int64(st, 0);
    r->uid = pl_store_column_dup(st, 1, &oom);
    r->token = pl_store_column_dup(st, 2, &oom);
    r->event_slug = pl_store_column_dup(st, 3, &oom);
    r->name = pl_store_column_dup(st, 4, &oom);
    r->email = pl_store_column_dup(st, 5, &oom);
    r->organization = pl_store_column_dup(st, 6, &oom);
    r->origin = pl_store_column_dup(st, 7, &oom);
    r->phone = pl_store_column_dup(st, 8, &oom);
    travel = (const char *)sqlite3_column_text(st, 9);
    for (int i = 0; i < 4; i++)
        if (travel && strcmp(travel, reg_travel_names[i]) == 0)
            r->travel = (pl_travel)i;
    r->seats = sqlite3_column_int(st, 10);
    r->meal = sqlite3_column_int(st, 11);
    r->diet = pl_store_column_dup(st, 12, &oom);
    r->public_list = sqlite3_column_int(st, 13);
    r->share_phone = sqlite3_column_int(st, 19);
    r->status = reg_status_from(sqlite3_column_text(st, 14));
    r->created = pl_store_column_dup(st, 15, &oom);
    r->updated = pl_store_column_dup(st, 16, &oom);
    if (oom || !r->uid || !r->token || !r->event_slug || !r->name || !r->email || !r->created ||
        !r->updated) {
        pl_registration_free(r);
        return NULL;
    }
    return r;
}

/* Sessions, waiting-list position and reason of one loaded registration. */
static int complete_one(pl_store *store, pl_registration *r, long long arrival, long long event_id,
                        pl_error *err)
{
    sqlite3_stmt *st = NULL;
    char reason[160] = "";
    long long v;
    int rc;

    /* Each session and, for a person confirmed for the event who waits in
     * its line, their place in it. */
    if ((rc = pl_store_prepare(
             store, &st,
             "SELECT s.key, CASE WHEN rs.status = 'waitlisted' AND ?2 THEN "
             "(SELECT count(*) FROM registration_sessions w JOIN registrations wr ON "
             "wr.id = w.registration_id WHERE w.session_id = rs.session_id AND "
             "w.status = 'waitlisted' AND wr.status = 'confirmed' AND "
             "w.wait_order <= rs.wait_order) ELSE 0 END "
             "FROM registration_sessions rs JOIN sessions s ON s.id = rs.session_id "
             "WHERE rs.registration_id = ?1 ORDER BY rs.position",
             err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, r->rowid);
    sqlite3_bind_int(st, 2, r->status == PL_REG_CONFIRMED);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        int *w = realloc(r->session_waiting, (r->sessions.count + 1) * sizeof(*w));
        if (w)
            r->session_waiting = w;
        if (!w || pl_strlist_push(&r->sessions, key) < 0) {
            rc = pl_error_oom(err);
            goto done;
        }
        r->session_waiting[r->sessions.count - 1] = sqlite3_column_int(st, 1);
    }
    if (rc != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read registration sessions");
        goto done;
    }
    rc = 0;
    if (r->status != PL_REG_WAITLISTED)
        goto done;
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT count(*) FROM registrations WHERE event_id = ?1 AND "
                               "status = 'waitlisted' AND arrival <= ?2",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, arrival);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read the waiting list");
        goto done;
    }
    r->waitlist_position = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = reg_query_ll(store, "SELECT capacity FROM events WHERE id = ?", event_id, &v, err)) <
        0)
        goto done;
    if (v > 0) {
        long long taken;
        if ((rc = reg_query_ll(store,
                               "SELECT count(*) FROM registrations WHERE event_id = ? AND "
                               "status = 'confirmed'",
                               event_id, &taken, err)) < 0)
            goto done;
        if (taken >= v)
            snprintf(reason, sizeof(reason), "the event is full (%lld place%s)", v,
                     v == 1 ? "" : "s");
    }
    if (!reason[0])
        snprintf(reason, sizeof(reason), "waiting for a place to free up");
    if (!(r->waitlist_reason = pl_strdup(reason)))
        rc = pl_error_oom(err);
done:
    sqlite3_finalize(st);
    return rc;
}

/* Load the one registration matching REG_SELECT + where, bound to text
 * (when rowid is 0) or rowid. */
static int load_where(pl_registration **out, pl_store *store, const char *where, const char *text1,
                      const char *text2, long long rowid, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    pl_registration *r = NULL;
    char sql[1024];
    long long arrival = 0, event_id = 0;
    int rc;

    *out = NULL;
    snprintf(sql, sizeof(sql), "%s%s", REG_SELECT, where);
    if ((rc = pl_store_prepare(store, &st, sql, err)) < 0)
        return rc;
    if (rowid)
        sqlite3_bind_int64(st, 1, rowid);
    else
        pl_store_bind_text(st, 1, text1);
    if (text2)
        pl_store_bind_text(st, 2, text2);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        rc = PL_ENOTFOUND;
        goto done;
    }
    if (rc != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read registrations");
        goto done;
    }
    if (!(r = read_row(st))) {
        rc = pl_error_oom(err);
        goto done;
    }
    arrival = sqlite3_column_int64(st, 17);
    event_id = sqlite3_column_int64(st, 18);
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = complete_one(store, r, arrival, event_id, err)) < 0)
        goto done;
    *out = r;
    r = NULL;
done:
    sqlite3_finalize(st);
    pl_registration_free(r);
    return rc;
}

int pl_registration_load(pl_registration **out, pl_store *store, long long rowid, pl_error *err)
{
    int rc = load_where(out, store, "WHERE r.id = ?1", NULL, NULL, rowid, err);

    if (rc == PL_ENOTFOUND)
        return pl_error_set(err, rc, "no registration #%lld", rowid);
    return rc;
}

int pl_registration_find_email(pl_registration **out, pl_store *store, const char *slug,
                               const char *email, pl_error *err)
{
    int rc = load_where(out, store, "WHERE e.slug = ?1 AND r.email = ?2", slug, email, 0, err);

    if (rc == PL_ENOTFOUND)
        return pl_error_set(err, rc, "no registration for %s in '%s'", email, slug);
    return rc;
}

int pl_registration_find_token(pl_registration **out, pl_store *store, const char *token,
                               pl_error *err)
{
    int rc;

    /* The token is a secret: never echo it in a message. Tokens made before
     * schema 7 are 24 random bytes, without the position. */
    if (!token || (strlen(token) != 2 * PL_REG_TOKEN_BYTES && strlen(token) != 48))
        return pl_error_set(err, PL_ENOTFOUND, "no registration with this link");
    rc = load_where(out, store, "WHERE r.token = ?1", token, NULL, 0, err);
    if (rc == PL_ENOTFOUND)
        return pl_error_set(err, rc, "no registration with this link");
    return rc;
}

/* Gets each registration, owned (free it with pl_registration_free). */
typedef int (*take_fn)(pl_registration *r, void *payload);

/*
 * Read the registrations of slug in arrival order, complete (sessions,
 * waiting-list position and reason), one at a time, inside a savepoint so
 * that all of them come from one snapshot of the database. Memory does not
 * grow with the number of registrations.
 */
static int visit(pl_store *store, const char *slug, take_fn take, void *payload, pl_error *err)
{
    sqlite3_stmt *st = NULL, *ss = NULL;
    pl_registration *r = NULL;
    long long event_id = 0, capacity = 0, confirmed = 0, waiting = 0;
    int rc, srow, in_savepoint = 0;

    if ((rc = pl_store_prepare(store, &st, "SELECT id, capacity FROM events WHERE slug = ?", err)) <
        0)
        return rc;
    pl_store_bind_text(st, 1, slug);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE ? pl_error_set(err, PL_ENOTFOUND, "no event '%s'", slug)
                               : pl_store_fail(store, err, "cannot read events");
        goto done;
    }
    event_id = sqlite3_column_int64(st, 0);
    capacity = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    st = NULL;

    if (sqlite3_exec(pl_store_db(store), "SAVEPOINT pl_registration_visit", NULL, NULL, NULL) !=
        SQLITE_OK) {
        rc = pl_store_fail(store, err, "cannot read registrations");
        goto done;
    }
    in_savepoint = 1;
    /* The reasons of the waiting list need the seats taken, known ahead. */
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT coalesce(sum(status = 'confirmed'), 0) "
                               "FROM registrations WHERE event_id = ?",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, event_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read registrations");
        goto done;
    }
    confirmed = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;

    /* Registrations and their sessions, both in arrival order, merged. */
    if ((rc = pl_store_prepare(
             store, &st, REG_SELECT "WHERE r.event_id = ? ORDER BY r.arrival, r.id", err)) < 0 ||
        (rc = pl_store_prepare(store, &ss,
                               /* places in each session's line, numbered once */
                               "WITH line AS (SELECT rs.registration_id AS rid, "
                               "rs.session_id AS sid, row_number() OVER (PARTITION BY "
                               "rs.session_id ORDER BY rs.wait_order) AS place "
                               "FROM registration_sessions rs JOIN registrations r ON "
                               "r.id = rs.registration_id WHERE r.event_id = ?1 AND "
                               "r.status = 'confirmed' AND rs.status = 'waitlisted') "
                               "SELECT rs.registration_id, s.key, r.arrival, "
                               "coalesce(line.place, 0) FROM registration_sessions rs "
                               "JOIN registrations r ON r.id = rs.registration_id "
                               "JOIN sessions s ON s.id = rs.session_id "
                               "LEFT JOIN line ON line.rid = rs.registration_id AND "
                               "line.sid = rs.session_id "
                               "WHERE r.event_id = ?1 ORDER BY r.arrival, r.id, rs.position",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(ss, 1, event_id);
    srow = sqlite3_step(ss);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long arrival = sqlite3_column_int64(st, 17);
        char reason[160] = "";

        if (!(r = read_row(st))) {
            rc = pl_error_oom(err);
            goto done;
        }
        if (r->status == PL_REG_WAITLISTED)
            r->waitlist_position = (int)++waiting;
        /* skip the sessions of rows that sort before this one (none expected) */
        while (srow == SQLITE_ROW && sqlite3_column_int64(ss, 0) != r->rowid &&
               (sqlite3_column_int64(ss, 2) < arrival ||
                (sqlite3_column_int64(ss, 2) == arrival && sqlite3_column_int64(ss, 0) < r->rowid)))
            srow = sqlite3_step(ss);
        for (; srow == SQLITE_ROW && sqlite3_column_int64(ss, 0) == r->rowid;
             srow = sqlite3_step(ss)) {
            int *w = realloc(r->session_waiting, (r->sessions.count + 1) * sizeof(*w));
            if (w)
                r->session_waiting = w;
            if (!w || pl_strlist_push(&r->sessions, (const char *)sqlite3_column_text(ss, 1)) < 0) {
                rc = pl_error_oom(err);
                goto done;
            }
            r->session_waiting[r->sessions.count - 1] = sqlite3_column_int(ss, 3);
        }
        if (srow != SQLITE_ROW && srow != SQLITE_DONE) {
            rc = pl_store_fail(store, err, "cannot read registration sessions");
            goto done;
        }
        if (r->status == PL_REG_WAITLISTED) {
            if (capacity > 0 && confirmed >= capacity)
                snprintf(reason, sizeof(reason), "the event is full (%lld place%s)", capacity,
                         capacity == 1 ? "" : "s");
            if (!reason[0])
                snprintf(reason, sizeof(reason), "waiting for a place to free up");
            if (!(r->waitlist_reason = pl_strdup(reason))) {
                rc = pl_error_oom(err);
                goto done;
            }
        }
        rc = take(r, payload);
        r = NULL;
        if (rc != 0)
            goto done;
    }
    if (rc != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read registrations");
        goto done;
    }
    rc = 0;
done:
    sqlite3_finalize(st);
    sqlite3_finalize(ss);
    if (in_savepoint) /* read only: nothing to keep or undo */
        sqlite3_exec(pl_store_db(store), "RELEASE pl_registration_visit", NULL, NULL, NULL);
    pl_registration_free(r);
    return rc;
}

typedef struct each_ctx {
    pl_registration_fn fn;
    void *payload;
} each_ctx;

static int take_each(pl_registration *r, void *payload)
{
    each_ctx *ctx = payload;
    int rc = ctx->fn(r, ctx->payload);

    pl_registration_free(r);
    return rc;
}

int pl_registration_each(pl_store *store, const char *slug, pl_registration_fn fn, void *payload,
                         pl_error *err)
{
    each_ctx ctx = {fn, payload};

    return visit(store, slug, take_each, &ctx, err);
}

typedef struct list_ctx {
    pl_registration **regs;
    size_t n, cap;
    int oom;
} list_ctx;

static int take_list(pl_registration *r, void *payload)
{
    list_ctx *l = payload;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        pl_registration **p = realloc(l->regs, cap * sizeof(*p));
        if (!p) {
            pl_registration_free(r);
            l->oom = 1;
            return PL_ERROR;
        }
        l->regs = p;
        l->cap = cap;
    }
    l->regs[l->n++] = r;
    return 0;
}

int pl_registration_list(pl_registration ***out, size_t *count, pl_store *store, const char *slug,
                         pl_error *err)
{
    list_ctx l = {NULL, 0, 0, 0};
    int rc = visit(store, slug, take_list, &l, err);

    *out = NULL;
    *count = 0;
    if (l.oom)
        pl_error_oom(err);
    if (rc != 0) {
        pl_registration_list_free(l.regs, l.n);
        return rc;
    }
    *out = l.regs;
    *count = l.n;
    return 0;
}

int pl_registration_count(pl_registration_counts *out, pl_store *store, const char *slug,
                          pl_session_count_fn session_fn, void *payload, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    long long event_id = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    /* One snapshot for all the numbers. */
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT e.id, e.confirmed_count, e.public_count,"
                               " (SELECT count(*) FROM registrations r WHERE r.event_id = e.id"
                               "  AND r.status = 'waitlisted'),"
                               " (SELECT max(updated) FROM registrations r"
                               "  WHERE r.event_id = e.id)"
                               " FROM events e WHERE e.slug = ?",
                               err)) < 0)
        return rc;
    pl_store_bind_text(st, 1, slug);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        event_id = sqlite3_column_int64(st, 0);
        out->confirmed = sqlite3_column_int(st, 1);
        out->public_list = sqlite3_column_int(st, 2);
        out->waitlisted = sqlite3_column_int(st, 3);
        if (sqlite3_column_text(st, 4))
            snprintf(out->updated, sizeof(out->updated), "%s",
                     (const char *)sqlite3_column_text(st, 4));
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = pl_error_set(err, PL_ENOTFOUND, "no event '%s'", slug);
    } else {
        rc = pl_store_fail(store, err, "cannot count registrations");
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc < 0 || !session_fn)
        return rc;
    if ((rc = pl_store_prepare(
             store, &st, "SELECT key, confirmed_count FROM sessions WHERE event_id = ?", err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, event_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        session_fn((const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1), payload);
    rc = rc == SQLITE_DONE ? 0 : pl_store_fail(store, err, "cannot count session seats");
    sqlite3_finalize(st);
    return rc;
}
