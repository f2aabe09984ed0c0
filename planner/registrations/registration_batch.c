/*
 * registration_batch.c - the batch: an event's seat counts, sessions and
 * prepared statements, loaded once; the chosen sessions resolved.
 */
#include "registration_internal.h"
#include "lang.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const batch_sql[ST_COUNT] = {
    [ST_FIND] = "SELECT id, status, name, email, organization, origin, phone, travel, seats, "
                "meal, diet, public_list, share_phone FROM registrations "
                "WHERE event_id = ?1 AND email = ?2",
    [ST_INSERT] = "INSERT INTO registrations (event_id, uid, token, name, email, organization, "
                  "origin, phone, travel, seats, meal, diet, public_list, status, arrival, "
                  "created, updated, share_phone) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                  "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, ?17) "
                  "ON CONFLICT (event_id, email) DO NOTHING",
    [ST_UPDATE] =
        "UPDATE registrations SET name = ?2, email = ?3, organization = ?4, "
        "origin = ?5, phone = ?6, travel = ?7, seats = ?8, meal = ?9, diet = ?10, "
        "public_list = ?11, status = ?12, arrival = coalesce(?13, arrival), updated = ?14, "
        "share_phone = ?15 WHERE id = ?1",
    [ST_STATUS] = "UPDATE registrations SET status = ?2, updated = ?3 WHERE id = ?1",
    [ST_GET_SESSIONS] = "SELECT session_id, status = 'waitlisted', wait_order "
                        "FROM registration_sessions WHERE registration_id = ? ORDER BY position",
    [ST_DEL_SESSIONS] = "DELETE FROM registration_sessions WHERE registration_id = ?",
    [ST_ADD_SESSION] = "INSERT INTO registration_sessions (registration_id, session_id, position, "
                       "status, wait_order) VALUES (?, ?, ?, ?, ?)",
    [ST_WAITERS] = "SELECT id FROM registrations WHERE event_id = ? AND status = 'waitlisted' "
                   "ORDER BY arrival",
    [ST_RETOKEN] = "UPDATE registrations SET token = ?2 WHERE id = ?1",
    [ST_SET_CHOICE] = "UPDATE registration_sessions SET status = ?3, wait_order = ?4 "
                      "WHERE registration_id = ?1 AND session_id = ?2",
    [ST_LINE_FIRST] = "SELECT rs.registration_id FROM registration_sessions rs "
                      "JOIN registrations r ON r.id = rs.registration_id "
                      "WHERE rs.session_id = ? AND rs.status = 'waitlisted' "
                      "AND r.status = 'confirmed' ORDER BY rs.wait_order LIMIT 1",
};

int reg_query_ll(pl_store *store, const char *sql, long long arg, long long *out, pl_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    *out = 0; /* defined on every path: Release builds cannot see that errors are negative */
    if ((rc = pl_store_prepare(store, &stmt, sql, err)) < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, arg);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(stmt, 0);
        rc = 0;
    } else {
        rc = pl_store_fail(store, err, "cannot read registrations");
    }
    sqlite3_finalize(stmt);
    return rc;
}

static sess *sess_by_rowid(pl_registration_batch *b, long long rowid)
{
    for (size_t i = 0; i < b->nsessions; i++)
        if (b->sessions[i].rowid == rowid)
            return &b->sessions[i];
    return NULL;
}

static int load_sessions(pl_registration_batch *b, pl_error *err)
{
    sqlite3_stmt *stmt = NULL;
    size_t cap = 0;
    int rc;

    if ((rc = pl_store_prepare(b->store, &stmt,
                               "SELECT id, key, capacity, status FROM sessions "
                               "WHERE event_id = ? ORDER BY position, start, key",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, b->event_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (b->nsessions == cap) {
            cap = cap ? cap * 2 : 16;
            sess *s = realloc(b->sessions, cap * sizeof(*s));
            const char **ids = realloc(b->ids, cap * sizeof(*ids));
            if (s)
                b->sessions = s;
            if (ids)
                b->ids = ids;
            if (!s || !ids) {
                rc = pl_error_oom(err);
                goto done;
            }
        }
        sess *s = &b->sessions[b->nsessions];
        memset(s, 0, sizeof(*s));
        s->rowid = sqlite3_column_int64(stmt, 0);
        s->key = pl_store_column_text(stmt, 1);
        s->capacity = sqlite3_column_int(stmt, 2);
        s->cancelled = strcmp((const char *)sqlite3_column_text(stmt, 3), "cancelled") == 0;
        if (!s->key) {
            rc = pl_error_oom(err);
            goto done;
        }
        b->ids[b->nsessions++] = s->key;
    }
    if (rc != SQLITE_DONE) {
        rc = pl_store_fail(b->store, err, "cannot read sessions");
        goto done;
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    /* Seats taken in each session and people in its line: the choices
     * of its confirmed registrations. In time that does not grow with the
     * event: the seats are the store's counter (schema 15), the line is
     * read through registration_sessions_line, and the last place given in
     * any line is the largest wait_order of either status (an index lookup
     * each; rows of people no longer confirmed may only make it larger,
     * which keeps every line in order). */
    if ((rc = pl_store_prepare(
             b->store, &stmt,
             "SELECT s.id, s.confirmed_count, "
             "(SELECT count(*) FROM registration_sessions rs "
             " JOIN registrations r ON r.id = rs.registration_id "
             " WHERE rs.session_id = s.id AND rs.status = 'waitlisted' "
             " AND r.status = 'confirmed'), "
             "max(coalesce((SELECT max(wait_order) FROM registration_sessions "
             "              WHERE session_id = s.id AND status = 'confirmed'), 0), "
             "    coalesce((SELECT max(wait_order) FROM registration_sessions "
             "              WHERE session_id = s.id AND status = 'waitlisted'), 0)) "
             "FROM sessions s WHERE s.event_id = ?",
             err)) < 0)
        goto done;
    sqlite3_bind_int64(stmt, 1, b->event_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        sess *s = sess_by_rowid(b, sqlite3_column_int64(stmt, 0));
        if (s) {
            s->confirmed = sqlite3_column_int(stmt, 1);
            s->waiting = sqlite3_column_int(stmt, 2);
        }
        if (sqlite3_column_int64(stmt, 3) > b->wait_order)
            b->wait_order = sqlite3_column_int64(stmt, 3);
    }
    rc = rc == SQLITE_DONE ? 0 : pl_store_fail(b->store, err, "cannot count session seats");
done:
    sqlite3_finalize(stmt);
    return rc;
}

int pl_registration_batch_open(pl_registration_batch **out, pl_store *store, const char *slug,
                               pl_error *err)
{
    pl_registration_batch *b = NULL;
    sqlite3_stmt *ev = NULL;
    long long v;
    int rc;

    *out = NULL;
    if (!(b = calloc(1, sizeof(*b))))
        return pl_error_oom(err);
    b->store = store;
    pl_now_utc(b->now);
    {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        b->clock_ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    if ((rc = pl_store_prepare(store, &ev, "SELECT id, capacity, status FROM events WHERE slug = ?",
                               err)) < 0)
        goto done;
    pl_store_bind_text(ev, 1, slug);
    rc = sqlite3_step(ev);
    if (rc == SQLITE_DONE) {
        rc = pl_error_set(err, PL_ENOTFOUND, "no event '%s'", slug);
        goto done;
    }
    if (rc != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read events");
        goto done;
    }
    b->event_id = sqlite3_column_int64(ev, 0);
    b->capacity = sqlite3_column_int(ev, 1);
    b->cancelled_event = strcmp((const char *)sqlite3_column_text(ev, 2), "cancelled") == 0;
    for (int i = 0; i < ST_COUNT; i++)
        if ((rc = pl_store_prepare(store, &b->st[i], batch_sql[i], err)) < 0)
            goto done;
    if ((rc = load_sessions(b, err)) < 0)
        goto done;
    if ((rc = pl_outbox_writer_open(&b->outbox, store, err)) < 0)
        goto done;
    /* the store's counter (schema 15) */
    if ((rc = reg_query_ll(store, "SELECT confirmed_count FROM events WHERE id = ?", b->event_id,
                           &v, err)) < 0)
        goto done;
    b->confirmed = (int)v;
    if ((rc = reg_query_ll(store,
                           /* one index lookup per status (registrations_line) */
                           "SELECT coalesce(max(m), 0) FROM ("
                           "SELECT max(arrival) AS m FROM registrations WHERE event_id = ?1 "
                           "AND status = 'confirmed' UNION ALL "
                           "SELECT max(arrival) FROM registrations WHERE event_id = ?1 "
                           "AND status = 'waitlisted' UNION ALL "
                           "SELECT max(arrival) FROM registrations WHERE event_id = ?1 "
                           "AND status = 'cancelled')",
                           b->event_id, &b->arrival, err)) < 0)
        goto done;
    if ((rc = reg_query_ll(store, "SELECT coalesce(max(id), 0) FROM registrations", 0,
                           &b->start_rowid, err)) < 0)
        goto done;
    b->next_id = b->start_rowid + 1;
    /* Capacities may have grown since the last change (an event re-import):
     * restore "no waiting person fits" before anything else. */
    if ((rc = reg_fill_all(b, err)) < 0)
        goto done;
done:
    sqlite3_finalize(ev);
    if (rc < 0) {
        pl_registration_batch_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

void pl_registration_batch_free(pl_registration_batch *b)
{
    if (!b)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(b->st[i]);
    for (int i = 0; i < GROUP_SIZES; i++) {
        sqlite3_finalize(b->insert_rows[i]);
        sqlite3_finalize(b->insert_sessions[i]);
    }
    for (size_t r = 0; b->group && r < b->ngroup; r++) /* dropped unwritten */
        memset(b->group[r].token, 0, sizeof(b->group[r].token));
    free(b->group);
    free(b->group_choices);
    for (size_t i = 0; i < b->nsessions; i++)
        free(b->sessions[i].key);
    free(b->sessions);
    free(b->ids);
    free(b->promoted);
    pl_outbox_writer_free(b->outbox);
    memset(b->pool, 0, sizeof(b->pool));
    free(b);
}

void pl_registration_batch_set_mail(pl_registration_batch *b, int on)
{
    if (!on) {
        pl_outbox_writer_free(b->outbox);
        b->outbox = NULL;
    }
}

int pl_registration_batch_created(const pl_registration_batch *b, long long rowid)
{
    return rowid > b->start_rowid;
}

size_t pl_registration_batch_sessions(const pl_registration_batch *b, const char *const **out_ids)
{
    *out_ids = b->ids;
    return b->nsessions;
}

/* The chosen session ids as indexes, each once, in the order given. */
int reg_resolve_sessions(pl_registration_batch *b, const pl_strlist *ids, size_t **out, size_t *n,
                         pl_error *err)
{
    size_t *idx = NULL, count = 0;

    *out = NULL;
    *n = 0;
    if (ids->count == 0)
        return 0;
    if (!(idx = calloc(ids->count, sizeof(*idx))))
        return pl_error_oom(err);
    for (size_t i = 0; i < ids->count; i++) {
        size_t j = 0, dup = 0;
        while (j < b->nsessions && strcmp(b->sessions[j].key, ids->items[i]) != 0)
            j++;
        if (j == b->nsessions) {
            pl_buf known = PL_BUF_INIT;
            for (size_t k = 0; k < b->nsessions && known.len < 200; k++)
                if (!b->sessions[k].cancelled)
                    pl_buf_printf(&known, "%s%s", known.len ? ", " : "", b->sessions[k].key);
            PL_SAY(err, PL_EINVALID, "sessions", REG_ERR_UNKNOWN_SESSION, ids->items[i],
                   known.data ? known.data : "no sessions");
            pl_buf_free(&known);
            free(idx);
            return PL_EINVALID;
        }
        if (b->sessions[j].cancelled) {
            free(idx);
            return PL_SAY(err, PL_EINVALID, "sessions", REG_ERR_SESSION_CANCELLED,
                          b->sessions[j].key);
        }
        for (size_t k = 0; k < count; k++)
            dup |= idx[k] == j;
        if (!dup)
            idx[count++] = j;
    }
    *out = idx;
    *n = count;
    return 0;
}
