/*
 * registration_batch.c - the batch: an event's seat counts and prepared
 * statements, loaded once; saving one row (create, update, keep what is not
 * given), cancelling, and promoting from the waiting list.
 */
#include "registration_internal.h"
#include "lang.h"
#include "text.h"

#include <stddef.h>
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

/* The choices a stored registration made, in its order. */
static int stored_choices(pl_registration_batch *b, long long rowid, choice **out, size_t *n,
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
static int fill_session(pl_registration_batch *b, size_t idx, pl_error *err)
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
        if ((rc = stored_choices(b, ids[i], &c, &k, err)) < 0)
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
static int fill_all(pl_registration_batch *b, pl_error *err)
{
    int rc = fill(b, err);

    for (size_t i = 0; rc == 0 && i < b->nsessions; i++)
        if (b->sessions[i].waiting > 0)
            rc = fill_session(b, i, err);
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
    if ((rc = fill_all(b, err)) < 0)
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

/* Give back what counted choices took; fill the sessions they freed. */
static int unchoose_all(pl_registration_batch *b, const choice *c, size_t n, pl_error *err)
{
    int rc = 0;

    for (size_t i = 0; i < n; i++)
        if (reg_unchoose(b, &c[i]) && rc == 0)
            rc = fill_session(b, c[i].idx, err);
    return rc;
}

/* Bind the person's own fields as ?first..?first+9 (ST_INSERT, ST_UPDATE).
 * The strings are in's: the caller resets the statement before they go. */
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

    if ((rc = stored_choices(b, rowid, &old, &nold, err)) < 0)
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
                rc = fill_session(b, old[k].idx, err);
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
    int rc = stored_choices(b, rowid, &old, &nold, err);

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
        if ((rc = stored_choices(b, rowid, &c, &n, err)) < 0)
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
    if ((rc = stored_choices(b, rowid, &c, &n, err)) < 0)
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
