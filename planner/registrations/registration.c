#include "registration.h"
#include "csv.h"
#include "random.h"
#include "text.h"
#include "store_private.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert(PL_REG_TOKEN_BYTES == 8 + PL_REG_TOKEN_RANDOM_BYTES &&
                   PL_REG_TOKEN_RANDOM_BYTES >= 16,
               "a token is a position and at least 128 random bits");

static const char *const travel_names[] = {"none", "drive", "ride", "flexible"};
static const char *const status_names[] = {"confirmed", "waitlisted", "cancelled"};

const char *pl_travel_name(pl_travel travel)
{
    return (unsigned)travel < 4 ? travel_names[travel] : "none";
}

const char *pl_reg_status_name(pl_reg_status status)
{
    return (unsigned)status < 3 ? status_names[status] : "confirmed";
}

int pl_travel_parse(pl_travel *out, const char *s)
{
    static const struct {
        const char *key;
        pl_travel travel;
    } words[] = {
        {"", PL_TRAVEL_NONE},
        {"none", PL_TRAVEL_NONE},
        {"aucun", PL_TRAVEL_NONE},
        {"aucune", PL_TRAVEL_NONE},
        {"drive", PL_TRAVEL_DRIVE},
        {"driver", PL_TRAVEL_DRIVE},
        {"conducteur", PL_TRAVEL_DRIVE},
        {"conductrice", PL_TRAVEL_DRIVE},
        {"ride", PL_TRAVEL_RIDE},
        {"rider", PL_TRAVEL_RIDE},
        {"passenger", PL_TRAVEL_RIDE},
        {"passager", PL_TRAVEL_RIDE},
        {"passagere", PL_TRAVEL_RIDE},
        {"flexible", PL_TRAVEL_FLEXIBLE},
    };
    char key[32];

    pl_csv_fold(key, sizeof(key), s ? s : "");
    if (s && strlen(s) >= sizeof(key))
        return PL_EINVALID;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(key, words[i].key) == 0) {
            *out = words[i].travel;
            return 0;
        }
    return PL_EINVALID;
}

void pl_registration_free(pl_registration *r)
{
    if (!r)
        return;
    free(r->uid);
    free(r->token);
    free(r->event_slug);
    free(r->name);
    free(r->email);
    free(r->organization);
    free(r->origin);
    free(r->phone);
    free(r->diet);
    pl_strlist_clear(&r->sessions);
    free(r->created);
    free(r->updated);
    free(r->waitlist_reason);
    free(r);
}

void pl_registration_list_free(pl_registration **regs, size_t count)
{
    if (!regs)
        return;
    for (size_t i = 0; i < count; i++)
        pl_registration_free(regs[i]);
    free(regs);
}

/* ---- checks ---- */

int pl_email_valid(const char *s)
{
    const char *at, *dot;
    size_t n;

    if (!s || (n = strlen(s)) == 0 || n > PL_REG_EMAIL_MAX || pl_text_problem(s))
        return 0;
    at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@'))
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == ',' || *p == ';' || *p == '<' || *p == '>' ||
            *p == '"' || *p == '(' || *p == ')' || *p == '[' || *p == ']' || *p == '\\')
            return 0;
    dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0' || strstr(at + 1, "..") || s[n - 1] == '.')
        return 0;
    if (s[0] == '.' || at[-1] == '.')
        return 0;
    return 1;
}

static int blank(const char *s)
{
    if (!s)
        return 1;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

static int problem(pl_registration_problem_fn fn, void *payload, const char *column,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int problem(pl_registration_problem_fn fn, void *payload, const char *column,
                   const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    if (fn) {
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        fn(column, msg, payload);
    }
    return 1;
}

static int too_long(pl_registration_problem_fn fn, void *payload, const char *column, const char *s,
                    size_t max)
{
    const char *bad;

    if (s && strlen(s) > max)
        return problem(fn, payload, column, "too long (%zu bytes, at most %zu)", strlen(s), max);
    if ((bad = pl_text_problem(s)))
        return problem(fn, payload, column, "%s", bad);
    return 0;
}

int pl_registration_check(const pl_registration *r, pl_registration_problem_fn fn, void *payload)
{
    int n = 0;

    if (blank(r->name))
        n += problem(fn, payload, "name", "empty");
    else
        n += too_long(fn, payload, "name", r->name, PL_REG_NAME_MAX);
    if (blank(r->email))
        n += problem(fn, payload, "email", "empty");
    else if (!pl_email_valid(r->email))
        n += problem(fn, payload, "email", "\"%.80s\" is not an e-mail address", r->email);
    if (r->travel == PL_TRAVEL_DRIVE || r->travel == PL_TRAVEL_FLEXIBLE) {
        if (r->seats < 1 || r->seats > PL_REG_SEATS_MAX)
            n += problem(fn, payload, "seats", "%d is not a number of free seats from 1 to %d",
                         r->seats, PL_REG_SEATS_MAX);
    }
    if (r->travel != PL_TRAVEL_NONE && blank(r->origin))
        n += problem(fn, payload, "origin", "empty (needed to carpool as %s)",
                     pl_travel_name(r->travel));
    if (r->phone && !blank(r->phone)) {
        int digits = 0, bad = 0;
        for (const char *p = r->phone; *p; p++) {
            if (*p >= '0' && *p <= '9')
                digits++;
            else if (!strchr(" +.-()/", *p))
                bad = 1;
        }
        if (bad || digits < 4 || digits > 20)
            n += problem(fn, payload, "phone", "\"%.40s\" is not a phone number", r->phone);
    }
    n += too_long(fn, payload, "organization", r->organization, PL_REG_TEXT_MAX);
    n += too_long(fn, payload, "origin", r->origin, PL_REG_TEXT_MAX);
    n += too_long(fn, payload, "phone", r->phone, 40);
    n += too_long(fn, payload, "diet", r->diet, PL_REG_TEXT_MAX);
    return n;
}

static void first_problem(const char *column, const char *msg, void *payload)
{
    pl_error *err = payload;

    if (err && err->code == PL_OK)
        pl_error_set_at(err, PL_EINVALID, NULL, 0, 0, column, "%s", msg);
}

int pl_registration_validate(const pl_registration *r, pl_error *err)
{
    pl_error local;
    pl_error *e = err ? err : &local;

    /* Only the code marks "no problem yet": clearing the whole record on
     * every row of an import shows in its profile. */
    e->code = PL_OK;
    if (pl_registration_check(r, first_problem, e) == 0)
        return 0;
    return PL_EINVALID;
}

/* ---- the batch: seat counts and prepared statements ---- */

typedef struct sess {
    long long rowid;
    char *key;
    int capacity; /* 0: no limit of its own */
    int cancelled;
    int confirmed; /* confirmed registrations that chose it */
} sess;

enum {
    ST_FIND,
    ST_INSERT,
    ST_UPDATE,
    ST_STATUS,
    ST_GET_SESSIONS,
    ST_DEL_SESSIONS,
    ST_ADD_SESSION,
    ST_WAITERS,
    ST_RETOKEN,
    ST_COUNT
};

static const char *const batch_sql[ST_COUNT] = {
    [ST_FIND] = "SELECT id, status, name, email, organization, origin, phone, travel, seats, "
                "meal, diet, public_list FROM registrations WHERE event_id = ?1 AND email = ?2",
    [ST_INSERT] = "INSERT INTO registrations (event_id, uid, token, name, email, organization, "
                  "origin, phone, travel, seats, meal, diet, public_list, status, arrival, "
                  "created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                  "?13, ?14, ?15, ?16, ?16) ON CONFLICT (event_id, email) DO NOTHING",
    [ST_UPDATE] =
        "UPDATE registrations SET name = ?2, email = ?3, organization = ?4, "
        "origin = ?5, phone = ?6, travel = ?7, seats = ?8, meal = ?9, diet = ?10, "
        "public_list = ?11, status = ?12, arrival = coalesce(?13, arrival), updated = ?14 "
        "WHERE id = ?1",
    [ST_STATUS] = "UPDATE registrations SET status = ?2, updated = ?3 WHERE id = ?1",
    [ST_GET_SESSIONS] = "SELECT session_id FROM registration_sessions "
                        "WHERE registration_id = ? ORDER BY position",
    [ST_DEL_SESSIONS] = "DELETE FROM registration_sessions WHERE registration_id = ?",
    [ST_ADD_SESSION] = "INSERT INTO registration_sessions (registration_id, session_id, position) "
                       "VALUES (?, ?, ?)",
    [ST_WAITERS] = "SELECT id FROM registrations WHERE event_id = ? AND status = 'waitlisted' "
                   "ORDER BY arrival",
    [ST_RETOKEN] = "UPDATE registrations SET token = ?2 WHERE id = ?1",
};

/* Multi-row statements are prepared for 1, 2, 4, ... PL_REGISTRATION_GROUP
 * rows: a group of any size is written with at most GROUP_SIZES of them. */
#define GROUP_SIZES 7
_Static_assert(PL_REGISTRATION_GROUP == 1 << (GROUP_SIZES - 1), "a group is a power of two");

/* Longest text of a valid registration's own fields, each with its NUL
 * (the phone's limit is below PL_REG_TEXT_MAX). */
#define PENDING_TEXT (PL_REG_NAME_MAX + PL_REG_EMAIL_MAX + 4 * PL_REG_TEXT_MAX + 6)

/* A new person queued in the group, with what was decided for them. */
typedef struct pending {
    pl_registration in; /* its strings point into text; no sessions */
    long tag;
    unsigned hash;          /* of the e-mail, ASCII case folded */
    size_t first_idx, nidx; /* chosen sessions: group_idx[first_idx..+nidx) */
    pl_reg_status status;
    long long rowid, arrival;
    char uid[37], token[2 * PL_REG_TOKEN_BYTES + 1];
    char text[PENDING_TEXT];
} pending;

struct pl_registration_batch {
    pl_store *store;
    long long event_id;
    int capacity; /* 0: no limit */
    int cancelled_event;
    int confirmed;
    sess *sessions;
    size_t nsessions;
    const char **ids;      /* session keys, for messages */
    long long arrival;     /* last arrival number given */
    long long start_rowid; /* registrations above it were created by this batch */
    long long *promoted;   /* rowids promoted by the last fill */
    size_t npromoted, promoted_cap;
    char now[32];
    long long clock_ms; /* for time-ordered uids and tokens */
    unsigned order_seq;
    int expect_new;           /* the last row was new: try inserting first */
    unsigned char pool[1024]; /* random bytes not yet used */
    size_t pool_left;
    sqlite3_stmt *st[ST_COUNT];
    /* queued saves (pl_registration_batch_queue) */
    long long next_id; /* the id the next new registration gets */
    pending *group;
    size_t ngroup;
    size_t *group_idx; /* the group's chosen sessions, all rows together */
    size_t ngroup_idx, group_idx_cap;
    sqlite3_stmt *insert_rows[GROUP_SIZES]; /* 1, 2, 4, ... rows at once */
    sqlite3_stmt *insert_sessions[GROUP_SIZES];
    pl_registration_saved_fn on_saved;
    void *saved_payload;
    int flushing;
};

static int query_ll(pl_store *store, const char *sql, long long arg, long long *out, pl_error *err)
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
    /* Seats taken in each session: its confirmed registrations. */
    if ((rc = pl_store_prepare(b->store, &stmt,
                               "SELECT rs.session_id, count(*) FROM registration_sessions rs "
                               "JOIN registrations r ON r.id = rs.registration_id "
                               "WHERE r.event_id = ? AND r.status = 'confirmed' "
                               "GROUP BY rs.session_id",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(stmt, 1, b->event_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        sess *s = sess_by_rowid(b, sqlite3_column_int64(stmt, 0));
        if (s)
            s->confirmed = sqlite3_column_int(stmt, 1);
    }
    rc = rc == SQLITE_DONE ? 0 : pl_store_fail(b->store, err, "cannot count session seats");
done:
    sqlite3_finalize(stmt);
    return rc;
}

/* Does a person holding no seat yet, choosing sessions idx[0..n), fit? On
 * "no", why (one line) into reason when given. */
static int fits(const pl_registration_batch *b, const size_t *idx, size_t n, char *reason,
                size_t size)
{
    if (b->capacity > 0 && b->confirmed >= b->capacity) {
        if (reason)
            snprintf(reason, size, "the event is full (%d place%s)", b->capacity,
                     b->capacity == 1 ? "" : "s");
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        const sess *s = &b->sessions[idx[i]];
        if (s->capacity > 0 && s->confirmed >= s->capacity) {
            if (reason)
                snprintf(reason, size, "session '%s' is full (%d place%s)", s->key, s->capacity,
                         s->capacity == 1 ? "" : "s");
            return 0;
        }
    }
    return 1;
}

static void count_seats(pl_registration_batch *b, const size_t *idx, size_t n, int delta)
{
    b->confirmed += delta;
    for (size_t i = 0; i < n; i++)
        b->sessions[idx[i]].confirmed += delta;
}

/* The sessions (indexes into b->sessions) a stored registration chose. */
static int stored_sessions(pl_registration_batch *b, long long rowid, size_t **out, size_t *n,
                           pl_error *err)
{
    sqlite3_stmt *st = b->st[ST_GET_SESSIONS];
    size_t *idx = NULL, count = 0;
    int rc;

    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, rowid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long sid = sqlite3_column_int64(st, 0);
        for (size_t i = 0; i < b->nsessions; i++) {
            if (b->sessions[i].rowid != sid)
                continue;
            size_t *p = realloc(idx, (count + 1) * sizeof(*p));
            if (!p) {
                free(idx);
                sqlite3_reset(st);
                return pl_error_oom(err);
            }
            idx = p;
            idx[count++] = i;
            break;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(idx);
        return pl_store_fail(b->store, err, "cannot read registration sessions");
    }
    *out = idx;
    *n = count;
    return 0;
}

static int set_status(pl_registration_batch *b, long long rowid, pl_reg_status status,
                      pl_error *err)
{
    sqlite3_stmt *st = b->st[ST_STATUS];
    int rc;

    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, rowid);
    sqlite3_bind_text(st, 2, status_names[status], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, b->now, -1, SQLITE_STATIC);
    rc = pl_store_step(b->store, st, "cannot write registrations", err);
    sqlite3_reset(st);
    return rc;
}

/*
 * Promote, in arrival order, every waiting person who now fits (event seat
 * and each chosen session). Their rowids go to b->promoted. Afterwards no
 * waiting person fits: the invariant every save relies on.
 */
static int fill(pl_registration_batch *b, pl_error *err)
{
    sqlite3_stmt *st = b->st[ST_WAITERS];
    long long *ids = NULL;
    size_t n = 0, cap = 0;
    int rc;

    b->npromoted = 0;
    if (b->capacity > 0 && b->confirmed >= b->capacity)
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
    for (size_t i = 0; i < n; i++) {
        size_t *idx = NULL, k = 0;
        if (b->capacity > 0 && b->confirmed >= b->capacity)
            break;
        if ((rc = stored_sessions(b, ids[i], &idx, &k, err)) < 0)
            goto done;
        if (fits(b, idx, k, NULL, 0)) {
            if ((rc = set_status(b, ids[i], PL_REG_CONFIRMED, err)) < 0) {
                free(idx);
                goto done;
            }
            count_seats(b, idx, k, +1);
            if (b->npromoted == b->promoted_cap) {
                size_t c = b->promoted_cap ? b->promoted_cap * 2 : 8;
                long long *p = realloc(b->promoted, c * sizeof(*p));
                if (!p) {
                    free(idx);
                    rc = pl_error_oom(err);
                    goto done;
                }
                b->promoted = p;
                b->promoted_cap = c;
            }
            b->promoted[b->npromoted++] = ids[i];
        }
        free(idx);
    }
done:
    free(ids);
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
        rc = pl_error_set(err, PL_ENOTFOUND,
                          "no event '%s'; import it first with 'planner event import FILE.json'",
                          slug);
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
    if ((rc = query_ll(store,
                       "SELECT count(*) FROM registrations WHERE event_id = ? "
                       "AND status = 'confirmed'",
                       b->event_id, &v, err)) < 0)
        goto done;
    b->confirmed = (int)v;
    if ((rc = query_ll(store,
                       "SELECT coalesce(max(arrival), 0) FROM registrations WHERE event_id = ?",
                       b->event_id, &b->arrival, err)) < 0)
        goto done;
    if ((rc = query_ll(store, "SELECT coalesce(max(id), 0) FROM registrations", 0, &b->start_rowid,
                       err)) < 0)
        goto done;
    b->next_id = b->start_rowid + 1;
    /* Capacities may have grown since the last change (an event re-import):
     * restore "no waiting person fits" before anything else. */
    if ((rc = fill(b, err)) < 0)
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
    free(b->group_idx);
    for (size_t i = 0; i < b->nsessions; i++)
        free(b->sessions[i].key);
    free(b->sessions);
    free(b->ids);
    free(b->promoted);
    memset(b->pool, 0, sizeof(b->pool));
    free(b);
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
static int resolve_sessions(pl_registration_batch *b, const pl_strlist *ids, size_t **out,
                            size_t *n, pl_error *err)
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
            pl_error_set_at(err, PL_EINVALID, NULL, 0, 0, "sessions",
                            "unknown session \"%.80s\" (the event has: %s)", ids->items[i],
                            known.data ? known.data : "no sessions");
            pl_buf_free(&known);
            free(idx);
            return PL_EINVALID;
        }
        if (b->sessions[j].cancelled) {
            free(idx);
            return pl_error_set_at(err, PL_EINVALID, NULL, 0, 0, "sessions",
                                   "session \"%s\" is cancelled", b->sessions[j].key);
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
    return blank(s) ? NULL : s;
}

static int same_text(const char *a, const unsigned char *b)
{
    if (!a || !b)
        return !a && !b;
    return strcmp(a, (const char *)b) == 0;
}

static int write_sessions(pl_registration_batch *b, long long rowid, const size_t *idx, size_t n,
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
        sqlite3_bind_int64(st, 2, b->sessions[idx[i]].rowid);
        sqlite3_bind_int(st, 3, (int)i);
        if ((rc = pl_store_step(b->store, st, "cannot write registrations", err)) < 0)
            break;
    }
    sqlite3_reset(st);
    return rc;
}

/* Bind a string that outlives the statement's next step (no copy). */
static void bind_static(sqlite3_stmt *st, int index, const char *s)
{
    if (s)
        sqlite3_bind_text(st, index, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, index);
}

/* Bind the person's own fields as ?first..?first+9 (ST_INSERT, ST_UPDATE).
 * The strings are in's: the caller resets the statement before they go. */
static void bind_person(sqlite3_stmt *st, int first, const pl_registration *in)
{
    int drives = in->travel == PL_TRAVEL_DRIVE || in->travel == PL_TRAVEL_FLEXIBLE;

    bind_static(st, first, in->name);
    bind_static(st, first + 1, in->email);
    bind_static(st, first + 2, opt(in->organization));
    bind_static(st, first + 3, opt(in->origin));
    bind_static(st, first + 4, opt(in->phone));
    sqlite3_bind_text(st, first + 5, pl_travel_name(in->travel), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, first + 6, drives ? in->seats : 0);
    sqlite3_bind_int(st, first + 7, in->meal ? 1 : 0);
    bind_static(st, first + 8, in->meal ? opt(in->diet) : NULL);
    sqlite3_bind_int(st, first + 9, in->public_list ? 1 : 0);
}

/* Random bytes from the OS, drawn a block at a time: one getrandom(2) for
 * many registrations. */
static int take_random(pl_registration_batch *b, unsigned char *out, size_t n)
{
    if (b->pool_left < n) {
        if (pl_random_bytes(b->pool, sizeof(b->pool)) < 0)
            return PL_EIO;
        b->pool_left = sizeof(b->pool);
    }
    memcpy(out, b->pool + sizeof(b->pool) - b->pool_left, n);
    /* A secret is never handed out twice, nor left in the pool. */
    memset(b->pool + sizeof(b->pool) - b->pool_left, 0, n);
    b->pool_left -= n;
    return 0;
}

static void hex(char *out, const unsigned char *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        *out++ = digits[in[i] >> 4];
        *out++ = digits[in[i] & 15];
    }
    *out = '\0';
}

/*
 * The next position in time order: 48 bits of Unix milliseconds, then a
 * 12-bit counter (the batch's clock moves on one millisecond every 4,096
 * registrations, so one batch's positions stay in order).
 */
static unsigned long long next_order(pl_registration_batch *b)
{
    unsigned seq = b->order_seq++;
    unsigned long long ms = (unsigned long long)b->clock_ms + (seq >> 12);

    return (ms & 0xffffffffffffULL) << 16 | (seq & 0xfff);
}

/*
 * A new uid and token. Both begin with the same time-ordered position, so
 * that a registration's entries land at the end of the uid and token
 * indexes instead of anywhere in them: 100,000 random tokens spread their
 * inserts over the whole token index, which then no longer fits SQLite's
 * page cache and is read and written back page by page (a quarter of an
 * import's time). The uid is a version 7 UUID (RFC 9562: the position,
 * then random bits). The token's secret part is the 24 random bytes after
 * the position, as before; the position says when the registration was
 * made, which its public uid says too.
 */
static int new_ids(pl_registration_batch *b, char uid[37], char token[2 * PL_REG_TOKEN_BYTES + 1])
{
    unsigned long long pos = next_order(b);
    unsigned char u[16], t[PL_REG_TOKEN_BYTES];
    char h[33];

    if (take_random(b, u + 8, 8) < 0 || take_random(b, t + 8, PL_REG_TOKEN_RANDOM_BYTES) < 0)
        return PL_EIO;
    for (int i = 0; i < 8; i++)
        u[i] = t[i] = (unsigned char)(pos >> (56 - 8 * i));
    u[6] |= 0x70;                                 /* version 7 */
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* variant 10 */
    hex(h, u, 16);
    /* 8-4-4-4-12 */
    memcpy(uid, h, 8);
    uid[8] = '-';
    memcpy(uid + 9, h + 8, 4);
    uid[13] = '-';
    memcpy(uid + 14, h + 12, 4);
    uid[18] = '-';
    memcpy(uid + 19, h + 16, 4);
    uid[23] = '-';
    memcpy(uid + 24, h + 20, 12);
    uid[36] = '\0';
    hex(token, t, sizeof(t));
    memset(t, 0, sizeof(t));
    return 0;
}

/* Give the registration at rowid a new secret token (its uid stays). */
static int retoken(pl_registration_batch *b, long long rowid, pl_error *err)
{
    char uid[37], token[2 * PL_REG_TOKEN_BYTES + 1];
    sqlite3_stmt *st = b->st[ST_RETOKEN];
    int rc;

    if (new_ids(b, uid, token) < 0)
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
    char uid[37], token[2 * PL_REG_TOKEN_BYTES + 1];
    pl_reg_status status = fits(b, idx, n, NULL, 0) ? PL_REG_CONFIRMED : PL_REG_WAITLISTED;
    int rc;

    if (new_ids(b, uid, token) < 0)
        return pl_error_set(err, PL_EIO, "cannot read the OS random source");
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, b->event_id);
    sqlite3_bind_text(st, 2, uid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, token, -1, SQLITE_STATIC);
    bind_person(st, 4, in);
    sqlite3_bind_text(st, 14, status_names[status], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 15, ++b->arrival);
    sqlite3_bind_text(st, 16, b->now, -1, SQLITE_STATIC);
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
    if ((rc = write_sessions(b, *out_rowid, idx, n, 0, err)) < 0)
        return rc;
    if (status == PL_REG_CONFIRMED)
        count_seats(b, idx, n, +1);
    *out_status = status;
    return 0;
}

static int update_row(pl_registration_batch *b, long long rowid, const pl_registration *in,
                      pl_reg_status status, long long arrival, pl_error *err)
{
    sqlite3_stmt *st = b->st[ST_UPDATE];
    int rc;

    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, rowid);
    bind_person(st, 2, in);
    sqlite3_bind_text(st, 12, status_names[status], -1, SQLITE_STATIC);
    /* Bindings outlive sqlite3_reset: without the NULL, an update after a
     * re-registration in the same batch would take that newcomer's place
     * in line. */
    if (arrival > 0)
        sqlite3_bind_int64(st, 13, arrival);
    else
        sqlite3_bind_null(st, 13);
    sqlite3_bind_text(st, 14, b->now, -1, SQLITE_STATIC);
    rc = pl_store_step(b->store, st, "cannot write registrations", err);
    sqlite3_reset(st);
    return rc;
}

static pl_reg_status status_from(const unsigned char *s)
{
    for (int i = 0; i < 3; i++)
        if (s && strcmp((const char *)s, status_names[i]) == 0)
            return (pl_reg_status)i;
    return PL_REG_CANCELLED;
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
           sqlite3_column_int(row, 11) == (in->public_list ? 1 : 0);
}

static int contains(const size_t *idx, size_t n, size_t v)
{
    for (size_t i = 0; i < n; i++)
        if (idx[i] == v)
            return 1;
    return 0;
}

/* Update an active (confirmed or waiting) registration in place. */
static int update_active(pl_registration_batch *b, long long rowid, pl_reg_status status,
                         const pl_registration *in, const size_t *idx, size_t n,
                         pl_reg_status *out_status, pl_registration_change *change, pl_error *err)
{
    size_t *old = NULL, nold = 0;
    int rc, freed = 0;

    if ((rc = stored_sessions(b, rowid, &old, &nold, err)) < 0)
        return rc;
    if (status == PL_REG_CONFIRMED) {
        /* A confirmed person keeps their seat; a session they add must have
         * room, or nothing changes. */
        for (size_t i = 0; i < n; i++) {
            const sess *s = &b->sessions[idx[i]];
            if (!contains(old, nold, idx[i]) && s->capacity > 0 && s->confirmed >= s->capacity) {
                rc = pl_error_set_at(
                    err, PL_EFULL, NULL, 0, 0, "sessions",
                    "session '%s' is full (%d place%s); %s keeps their place and their sessions",
                    s->key, s->capacity, s->capacity == 1 ? "" : "s", in->email);
                goto done;
            }
        }
        for (size_t i = 0; i < nold; i++)
            if (!contains(idx, n, old[i])) {
                b->sessions[old[i]].confirmed--;
                freed |= b->sessions[old[i]].capacity > 0;
            }
        for (size_t i = 0; i < n; i++)
            if (!contains(old, nold, idx[i]))
                b->sessions[idx[i]].confirmed++;
    } else if (fits(b, idx, n, NULL, 0)) {
        /* Waiting, and the new choice fits: no one ahead of them does. */
        status = PL_REG_CONFIRMED;
        count_seats(b, idx, n, +1);
    }
    if ((rc = update_row(b, rowid, in, status, 0, err)) < 0)
        goto done;
    if ((rc = write_sessions(b, rowid, idx, n, 1, err)) < 0)
        goto done;
    *out_status = status;
    if (freed) {
        if ((rc = fill(b, err)) < 0)
            goto done;
        if (change)
            change->promoted += b->npromoted;
    }
done:
    free(old);
    return rc;
}

static int same_sessions(pl_registration_batch *b, long long rowid, const size_t *idx, size_t n,
                         int *out, pl_error *err)
{
    size_t *old = NULL, nold = 0;
    int rc = stored_sessions(b, rowid, &old, &nold, err);

    if (rc < 0)
        return rc;
    *out = nold == n && (n == 0 || memcmp(old, idx, n * sizeof(*idx)) == 0);
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
            if (travel && strcmp(travel, travel_names[i]) == 0)
                m->travel = (pl_travel)i;
        m->seats = sqlite3_column_int(row, 8);
    }
    if (in->keep & PL_REG_FIELD_MEAL)
        m->meal = sqlite3_column_int(row, 9);
    if (in->keep & PL_REG_FIELD_PUBLIC)
        m->public_list = sqlite3_column_int(row, 11);
    return 0;
}

/* What a save may do with the e-mail's registration. */
typedef enum save_mode {
    SAVE_ANY,    /* create or update */
    SAVE_CREATE, /* only create (or register again after cancelling) */
    SAVE_UPDATE  /* only update an active registration */
} save_mode;

static int save_row(pl_registration_batch *b, const pl_registration *in, save_mode mode,
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
        return pl_error_set(err, PL_EINVALID, "the event is cancelled: no registrations");
    if ((rc = resolve_sessions(b, &in->sessions, &idx, &n, err)) < 0)
        return rc;
    /* In a file of new people, inserting first saves a look-up per row. */
    if (b->expect_new && !in->keep && mode != SAVE_UPDATE) {
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
    bind_static(find, 2, in->email);
    rc = sqlite3_step(find);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(find);
        if (mode == SAVE_UPDATE) {
            rc = pl_error_set_at(err, PL_ENOTFOUND, NULL, 0, 0, "email",
                                 "%s is not registered for this event", in->email);
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
    status = status_from(sqlite3_column_text(find, 1));
    /* Decided here, inside the caller's transaction: two requests for the
     * same e-mail cannot both see it free. */
    if (mode == SAVE_CREATE && status != PL_REG_CANCELLED) {
        sqlite3_reset(find);
        rc = pl_error_set_at(err, PL_EEXISTS, NULL, 0, 0, "email",
                             "%s is already registered for this event", in->email);
        goto done;
    }
    if (mode == SAVE_UPDATE && status == PL_REG_CANCELLED) {
        sqlite3_reset(find);
        rc = pl_error_set_at(err, PL_ENOTFOUND, NULL, 0, 0, "email",
                             "the registration of %s is cancelled", in->email);
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
        free(idx);
        idx = NULL;
        if ((rc = stored_sessions(b, rowid, &idx, &n, err)) < 0)
            goto done;
    }
    if (status == PL_REG_CANCELLED) {
        /* Registering again after cancelling: a new arrival, same uid, and a
         * new token. Whoever registers again with that e-mail (anyone who
         * knows it, on the public form) gets a link; the old one, which the
         * first person still holds, must not show the new registration. */
        status = fits(b, idx, n, NULL, 0) ? PL_REG_CONFIRMED : PL_REG_WAITLISTED;
        if ((rc = update_row(b, rowid, in, status, ++b->arrival, err)) < 0 ||
            (rc = retoken(b, rowid, err)) < 0)
            goto done;
        if ((rc = write_sessions(b, rowid, idx, n, 1, err)) < 0)
            goto done;
        if (status == PL_REG_CONFIRMED)
            count_seats(b, idx, n, +1);
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
    return save_row(b, in, SAVE_ANY, out_rowid, out_status, change, err);
}

/* ---- queued saves: new people written a group at a time ---- */

void pl_registration_batch_on_saved(pl_registration_batch *b, pl_registration_saved_fn fn,
                                    void *payload)
{
    b->on_saved = fn;
    b->saved_payload = payload;
}

/* Save in now, row by row, and hand over the result. */
static int save_one(pl_registration_batch *b, const pl_registration *in, long tag, pl_error *err)
{
    pl_registration_saved s;
    pl_error e;
    int rc;

    memset(&s, 0, sizeof(s));
    s.in = in;
    s.tag = tag;
    s.err = &e;
    rc = pl_registration_batch_save(b, in, &s.rowid, &s.status, &s.change, &e);
    if (rc < 0 && rc != PL_EINVALID && rc != PL_EFULL) {
        if (err)
            *err = e;
        return rc;
    }
    s.rc = rc;
    if (b->on_saved)
        b->on_saved(&s, b->saved_payload);
    return 0;
}

/* FNV-1a of the e-mail, ASCII case folded, as SQLite's NOCASE compares. */
static unsigned email_hash(const char *s)
{
    unsigned h = 2166136261u;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32u : c)) * 16777619u;
    }
    return h;
}

static int same_email(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if ((x >= 'A' && x <= 'Z' ? x + 32 : x) != (y >= 'A' && y <= 'Z' ? y + 32 : y))
            return 0;
    }
    return *a == *b;
}

/* Copy s (may be NULL) into the pending row's text at *used. */
static char *keep_text(pending *p, size_t *used, const char *s)
{
    size_t n;
    char *out;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    if (*used + n > sizeof(p->text))
        return NULL;
    out = memcpy(p->text + *used, s, n);
    *used += n;
    return out;
}

/* Add in (valid, new as far as the group knows) to the group, deciding its
 * id, place in line, status and secrets now, in arrival order. Returns 1
 * when it does not fit in a pending row (then nothing changed), 0, or a
 * failure. */
static int add_pending(pl_registration_batch *b, const pl_registration *in, long tag, unsigned hash,
                       const size_t *idx, size_t n, pl_error *err)
{
    pending *p = &b->group[b->ngroup];
    size_t used = 0;

    memset(&p->in, 0, sizeof(p->in));
    if ((in->name && !(p->in.name = keep_text(p, &used, in->name))) ||
        (in->email && !(p->in.email = keep_text(p, &used, in->email))) ||
        (in->organization && !(p->in.organization = keep_text(p, &used, in->organization))) ||
        (in->origin && !(p->in.origin = keep_text(p, &used, in->origin))) ||
        (in->phone && !(p->in.phone = keep_text(p, &used, in->phone))) ||
        (in->diet && !(p->in.diet = keep_text(p, &used, in->diet))))
        return 1;
    if (b->ngroup_idx + n > b->group_idx_cap) {
        size_t cap = b->group_idx_cap ? b->group_idx_cap * 2 : 256;
        while (cap < b->ngroup_idx + n)
            cap *= 2;
        size_t *q = realloc(b->group_idx, cap * sizeof(*q));
        if (!q)
            return pl_error_oom(err);
        b->group_idx = q;
        b->group_idx_cap = cap;
    }
    if (new_ids(b, p->uid, p->token) < 0)
        return pl_error_set(err, PL_EIO, "cannot read the OS random source");
    p->in.keep = in->keep; /* a replay may find the e-mail registered */
    p->in.travel = in->travel;
    p->in.seats = in->seats;
    p->in.meal = in->meal;
    p->in.public_list = in->public_list;
    p->tag = tag;
    p->hash = hash;
    p->first_idx = b->ngroup_idx;
    p->nidx = n;
    if (n)
        memcpy(b->group_idx + b->ngroup_idx, idx, n * sizeof(*idx));
    b->ngroup_idx += n;
    p->status = fits(b, idx, n, NULL, 0) ? PL_REG_CONFIRMED : PL_REG_WAITLISTED;
    if (p->status == PL_REG_CONFIRMED)
        count_seats(b, idx, n, +1);
    p->arrival = ++b->arrival;
    p->rowid = b->next_id++;
    b->ngroup++;
    return 0;
}

int pl_registration_batch_queue(pl_registration_batch *b, const pl_registration *in, long tag,
                                pl_error *err)
{
    size_t *idx = NULL, n = 0;
    int rc;

    /* After a new person, the next is likely new too: group them. A row
     * with a problem, or for an e-mail the group has, goes row by row
     * after the group (the later row updates the earlier one). */
    if (b->expect_new && !b->cancelled_event && pl_registration_validate(in, NULL) == 0) {
        unsigned hash = email_hash(in->email);
        int dup = 0;
        for (size_t i = 0; i < b->ngroup && !dup; i++)
            dup = b->group[i].hash == hash && same_email(b->group[i].in.email, in->email);
        if (!b->group && !(b->group = malloc(PL_REGISTRATION_GROUP * sizeof(*b->group))))
            return pl_error_oom(err);
        if (!dup && resolve_sessions(b, &in->sessions, &idx, &n, NULL) == 0) {
            rc = add_pending(b, in, tag, hash, idx, n, err);
            free(idx);
            if (rc < 0)
                return rc;
            if (rc == 0)
                return b->ngroup == PL_REGISTRATION_GROUP ? pl_registration_batch_flush(b, err) : 0;
        }
    }
    if ((rc = pl_registration_batch_flush(b, err)) < 0)
        return rc;
    return save_one(b, in, tag, err);
}

static int prepare_group_sql(pl_registration_batch *b, sqlite3_stmt **out, int rows_stmt, size_t k,
                             pl_error *err)
{
    pl_buf sql = PL_BUF_INIT;
    int rc = 0;

    if (*out)
        return 0;
    if (rows_stmt) {
        /* ?1 event, ?2 now; then 15 values a row. */
        pl_buf_printf(&sql, "INSERT INTO registrations (id, event_id, uid, token, name, email, "
                            "organization, origin, phone, travel, seats, meal, diet, "
                            "public_list, status, arrival, created, updated) VALUES ");
        for (size_t r = 0; r < k; r++) {
            size_t v = 3 + r * 15;
            pl_buf_printf(&sql, "%s(?%zu, ?1", r ? ", " : "", v);
            for (size_t j = 1; j < 15; j++)
                pl_buf_printf(&sql, ", ?%zu", v + j);
            pl_buf_printf(&sql, ", ?2, ?2)");
        }
    } else {
        pl_buf_printf(&sql, "INSERT INTO registration_sessions (registration_id, session_id, "
                            "position) VALUES ");
        for (size_t r = 0; r < k; r++)
            pl_buf_printf(&sql, "%s(?, ?, ?)", r ? ", " : "");
    }
    if (!sql.data)
        rc = pl_error_oom(err);
    else
        rc = pl_store_prepare(b->store, out, sql.data, err);
    pl_buf_free(&sql);
    return rc;
}

/* log2 of the largest power of two <= n (n >= 1, <= PL_REGISTRATION_GROUP). */
static int chunk_bits(size_t n)
{
    int k = GROUP_SIZES - 1;

    while (((size_t)1 << k) > n)
        k--;
    return k;
}

/* Insert group rows [from, from + 2^bits) with one statement. Returns 0, 1
 * when one of their e-mails is registered already (SQLite undid the
 * statement: nothing written), or a failure. */
static int insert_rows(pl_registration_batch *b, size_t from, int bits, pl_error *err)
{
    size_t k = (size_t)1 << bits;
    sqlite3_stmt *st;
    int rc;

    if ((rc = prepare_group_sql(b, &b->insert_rows[bits], 1, k, err)) < 0)
        return rc;
    st = b->insert_rows[bits];
    sqlite3_bind_int64(st, 1, b->event_id);
    sqlite3_bind_text(st, 2, b->now, -1, SQLITE_STATIC);
    for (size_t r = 0; r < k; r++) {
        const pending *p = &b->group[from + r];
        int v = (int)(3 + r * 15);
        sqlite3_bind_int64(st, v, p->rowid);
        sqlite3_bind_text(st, v + 1, p->uid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, v + 2, p->token, -1, SQLITE_STATIC);
        bind_person(st, v + 3, &p->in);
        sqlite3_bind_text(st, v + 13, status_names[p->status], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, v + 14, p->arrival);
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc == SQLITE_CONSTRAINT)
        rc = 1; /* most likely a known e-mail; the row-by-row path tells */
    else
        rc = pl_store_fail(b->store, err, "cannot write registrations");
    sqlite3_reset(st);
    return rc;
}

/* Insert n (registration, session, position) triples. */
static int insert_session_rows(pl_registration_batch *b, const long long *t, size_t n,
                               pl_error *err)
{
    int rc = 0;

    while (n > 0 && rc == 0) {
        int bits = chunk_bits(n);
        size_t k = (size_t)1 << bits;
        sqlite3_stmt *st;
        if ((rc = prepare_group_sql(b, &b->insert_sessions[bits], 0, k, err)) < 0)
            return rc;
        st = b->insert_sessions[bits];
        for (size_t i = 0; i < 3 * k; i++)
            sqlite3_bind_int64(st, (int)i + 1, t[i]);
        rc = pl_store_step(b->store, st, "cannot write registrations", err);
        sqlite3_reset(st);
        t += 3 * k;
        n -= k;
    }
    return rc;
}

/* The sessions of group rows [from, to). */
static int insert_group_sessions(pl_registration_batch *b, size_t from, size_t to, pl_error *err)
{
    long long t[3 * PL_REGISTRATION_GROUP];
    size_t n = 0;
    int rc;

    for (size_t r = from; r < to; r++) {
        const pending *p = &b->group[r];
        for (size_t i = 0; i < p->nidx; i++) {
            if (n == PL_REGISTRATION_GROUP) {
                if ((rc = insert_session_rows(b, t, n, err)) < 0)
                    return rc;
                n = 0;
            }
            t[3 * n] = p->rowid;
            t[3 * n + 1] = b->sessions[b->group_idx[p->first_idx + i]].rowid;
            t[3 * n + 2] = (long long)i;
            n++;
        }
    }
    return insert_session_rows(b, t, n, err);
}

/* Give back what group rows [from, ngroup) took (seats, places in line,
 * ids) and save them row by row instead. */
static int replay(pl_registration_batch *b, size_t from, pl_error *err)
{
    const char **ids = NULL;
    int rc = 0;

    for (size_t r = b->ngroup; r-- > from;) {
        const pending *p = &b->group[r];
        if (p->status == PL_REG_CONFIRMED)
            count_seats(b, b->group_idx + p->first_idx, p->nidx, -1);
    }
    b->arrival = b->group[from].arrival - 1;
    b->next_id = b->group[from].rowid;
    if (b->nsessions && !(ids = calloc(b->nsessions, sizeof(*ids))))
        return pl_error_oom(err);
    for (size_t r = from; r < b->ngroup && rc == 0; r++) {
        pending *p = &b->group[r];
        for (size_t i = 0; i < p->nidx; i++)
            ids[i] = b->sessions[b->group_idx[p->first_idx + i]].key;
        p->in.sessions.items = (char **)ids;
        p->in.sessions.count = p->nidx;
        rc = save_one(b, &p->in, p->tag, err);
        p->in.sessions.items = NULL;
        p->in.sessions.count = 0;
    }
    free(ids);
    return rc;
}

int pl_registration_batch_flush(pl_registration_batch *b, pl_error *err)
{
    size_t done = 0;
    int rc = 0;

    /* A result handler may end up here again (an import reporting a
     * problem flushes first): the group is being written already. */
    if (b->flushing || b->ngroup == 0)
        return 0;
    b->flushing = 1;
    while (done < b->ngroup) {
        int bits = chunk_bits(b->ngroup - done);
        size_t k = (size_t)1 << bits;
        if ((rc = insert_rows(b, done, bits, err)) < 0)
            goto done;
        if (rc == 1) {
            b->expect_new = 0;
            rc = replay(b, done, err);
            goto done;
        }
        if ((rc = insert_group_sessions(b, done, done + k, err)) < 0)
            goto done;
        for (size_t r = done; r < done + k && b->on_saved; r++) {
            pl_registration_saved s;
            memset(&s, 0, sizeof(s));
            s.in = &b->group[r].in;
            s.tag = b->group[r].tag;
            s.rowid = b->group[r].rowid;
            s.status = b->group[r].status;
            s.change.created = 1;
            b->on_saved(&s, b->saved_payload);
        }
        done += k;
    }
done:
    for (size_t r = 0; r < b->ngroup; r++) /* secrets are not left behind */
        memset(b->group[r].token, 0, sizeof(b->group[r].token));
    b->ngroup = 0;
    b->ngroup_idx = 0;
    b->flushing = 0;
    return rc;
}

/* Cancel the active registration at rowid; fill the freed seats. */
static int batch_cancel(pl_registration_batch *b, const char *email, long long *out_rowid,
                        pl_error *err)
{
    sqlite3_stmt *find = b->st[ST_FIND];
    size_t *idx = NULL, n = 0;
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
    status = status_from(sqlite3_column_text(find, 1));
    sqlite3_reset(find);
    *out_rowid = rowid;
    if (status == PL_REG_CANCELLED)
        return 0;
    if ((rc = set_status(b, rowid, PL_REG_CANCELLED, err)) < 0)
        return rc;
    if (status != PL_REG_CONFIRMED)
        return 0;
    if ((rc = stored_sessions(b, rowid, &idx, &n, err)) < 0)
        return rc;
    count_seats(b, idx, n, -1);
    free(idx);
    return fill(b, err);
}

/* ---- reading ---- */

#define REG_SELECT                                                                                 \
    "SELECT r.id, r.uid, r.token, e.slug, r.name, r.email, r.organization, r.origin, r.phone, "    \
    "r.travel, r.seats, r.meal, r.diet, r.public_list, r.status, r.created, r.updated, "           \
    "r.arrival, r.event_id FROM registrations r JOIN events e ON e.id = r.event_id "

static pl_registration *read_row(sqlite3_stmt *st)
{
    pl_registration *r = calloc(1, sizeof(*r));
    const char *travel;

    if (!r)
        return NULL;
    r->rowid = sqlite3_column_int64(st, 0);
    r->uid = pl_store_column_text(st, 1);
    r->token = pl_store_column_text(st, 2);
    r->event_slug = pl_store_column_text(st, 3);
    r->name = pl_store_column_text(st, 4);
    r->email = pl_store_column_text(st, 5);
    r->organization = pl_store_column_text(st, 6);
    r->origin = pl_store_column_text(st, 7);
    r->phone = pl_store_column_text(st, 8);
    travel = (const char *)sqlite3_column_text(st, 9);
    for (int i = 0; i < 4; i++)
        if (travel && strcmp(travel, travel_names[i]) == 0)
            r->travel = (pl_travel)i;
    r->seats = sqlite3_column_int(st, 10);
    r->meal = sqlite3_column_int(st, 11);
    r->diet = pl_store_column_text(st, 12);
    r->public_list = sqlite3_column_int(st, 13);
    r->status = status_from(sqlite3_column_text(st, 14));
    r->created = pl_store_column_text(st, 15);
    r->updated = pl_store_column_text(st, 16);
    if (!r->uid || !r->token || !r->event_slug || !r->name || !r->email || !r->created ||
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

    if ((rc = pl_store_prepare(
             store, &st,
             "SELECT s.key, s.capacity, (SELECT count(*) FROM registration_sessions rs2 "
             "JOIN registrations r2 ON r2.id = rs2.registration_id WHERE rs2.session_id = s.id "
             "AND r2.status = 'confirmed') FROM registration_sessions rs "
             "JOIN sessions s ON s.id = rs.session_id WHERE rs.registration_id = ? "
             "ORDER BY rs.position",
             err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, r->rowid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        int cap = sqlite3_column_int(st, 1), taken = sqlite3_column_int(st, 2);
        if (pl_strlist_push(&r->sessions, key) < 0) {
            rc = pl_error_oom(err);
            goto done;
        }
        if (!reason[0] && cap > 0 && taken >= cap)
            snprintf(reason, sizeof(reason), "session '%s' is full (%d place%s)", key, cap,
                     cap == 1 ? "" : "s");
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
    if ((rc = query_ll(store, "SELECT capacity FROM events WHERE id = ?", event_id, &v, err)) < 0)
        goto done;
    if (v > 0) {
        long long taken;
        if ((rc = query_ll(store,
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

/* A session with a capacity of its own, and its confirmed registrants: why
 * a waiting person waits. */
typedef struct full_sess {
    char *key;
    int capacity, confirmed;
} full_sess;

static void full_sess_free(full_sess *fs, size_t n)
{
    for (size_t i = 0; fs && i < n; i++)
        free(fs[i].key);
    free(fs);
}

static int load_full_sessions(full_sess **out, size_t *n, pl_store *store, long long event_id,
                              pl_error *err)
{
    sqlite3_stmt *st = NULL;
    full_sess *fs = NULL;
    size_t count = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT s.key, s.capacity, (SELECT count(*) FROM "
                               "registration_sessions rs JOIN registrations r ON r.id = "
                               "rs.registration_id WHERE rs.session_id = s.id AND r.status = "
                               "'confirmed') FROM sessions s WHERE s.event_id = ? AND "
                               "s.capacity > 0 ORDER BY s.id",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, event_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        full_sess *p = realloc(fs, (count + 1) * sizeof(*p));
        if (!p || !(p[count].key = pl_store_column_text(st, 0))) {
            fs = p ? p : fs;
            rc = pl_error_oom(err);
            goto done;
        }
        fs = p;
        fs[count].capacity = sqlite3_column_int(st, 1);
        fs[count++].confirmed = sqlite3_column_int(st, 2);
    }
    if (rc != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read sessions");
        goto done;
    }
    rc = 0;
    *out = fs;
    *n = count;
    fs = NULL;
done:
    sqlite3_finalize(st);
    full_sess_free(fs, count);
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
    full_sess *fs = NULL;
    size_t nfs = 0;
    long long event_id = 0, capacity = 0, confirmed = 0, waitlisted = 0, waiting = 0;
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
                               "SELECT coalesce(sum(status = 'confirmed'), 0), "
                               "coalesce(sum(status = 'waitlisted'), 0) FROM registrations "
                               "WHERE event_id = ?",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, event_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read registrations");
        goto done;
    }
    confirmed = sqlite3_column_int64(st, 0);
    waitlisted = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    st = NULL;
    if (waitlisted > 0 && (rc = load_full_sessions(&fs, &nfs, store, event_id, err)) < 0)
        goto done;

    /* Registrations and their sessions, both in arrival order, merged. */
    if ((rc = pl_store_prepare(
             store, &st, REG_SELECT "WHERE r.event_id = ? ORDER BY r.arrival, r.id", err)) < 0 ||
        (rc = pl_store_prepare(store, &ss,
                               "SELECT rs.registration_id, s.key, r.arrival "
                               "FROM registration_sessions rs "
                               "JOIN registrations r ON r.id = rs.registration_id "
                               "JOIN sessions s ON s.id = rs.session_id "
                               "WHERE r.event_id = ? ORDER BY r.arrival, r.id, rs.position",
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
             srow = sqlite3_step(ss))
            if (pl_strlist_push(&r->sessions, (const char *)sqlite3_column_text(ss, 1)) < 0) {
                rc = pl_error_oom(err);
                goto done;
            }
        if (srow != SQLITE_ROW && srow != SQLITE_DONE) {
            rc = pl_store_fail(store, err, "cannot read registration sessions");
            goto done;
        }
        if (r->status == PL_REG_WAITLISTED) {
            if (capacity > 0 && confirmed >= capacity)
                snprintf(reason, sizeof(reason), "the event is full (%lld place%s)", capacity,
                         capacity == 1 ? "" : "s");
            for (size_t j = 0; !reason[0] && j < r->sessions.count; j++)
                for (size_t k = 0; k < nfs; k++)
                    if (strcmp(fs[k].key, r->sessions.items[j]) == 0 &&
                        fs[k].confirmed >= fs[k].capacity)
                        snprintf(reason, sizeof(reason), "session '%s' is full (%d place%s)",
                                 fs[k].key, fs[k].capacity, fs[k].capacity == 1 ? "" : "s");
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
    full_sess_free(fs, nfs);
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

/* ---- the public operations: one transaction each ---- */

/* One save in its own transaction. */
static int save_tx(pl_store *store, const char *slug, const pl_registration *in, save_mode mode,
                   pl_registration **out, pl_registration_change *change, pl_error *err)
{
    pl_registration_batch *b = NULL;
    long long rowid = 0;
    size_t promoted_at_open = 0;
    int rc;

    if (out)
        *out = NULL;
    if (change)
        memset(change, 0, sizeof(*change));
    if (!in->keep && (rc = pl_registration_validate(in, err)) < 0)
        return rc;
    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    if ((rc = pl_registration_batch_open(&b, store, slug, err)) < 0)
        goto done;
    promoted_at_open = b->npromoted;
    if ((rc = save_row(b, in, mode, &rowid, NULL, change, err)) < 0)
        goto done;
    if (change)
        change->promoted += promoted_at_open;
    pl_registration_batch_free(b);
    b = NULL;
    if (out && (rc = pl_registration_load(out, store, rowid, err)) < 0)
        goto done;
    rc = pl_store_commit(store, err);
done:
    pl_registration_batch_free(b);
    if (rc < 0) {
        pl_store_rollback(store);
        if (out) {
            pl_registration_free(*out);
            *out = NULL;
        }
    }
    return rc;
}

int pl_registration_save_ext(pl_store *store, const char *slug, const pl_registration *in,
                             pl_registration **out, pl_registration_change *change, pl_error *err)
{
    return save_tx(store, slug, in, SAVE_ANY, out, change, err);
}

int pl_registration_create(pl_store *store, const char *slug, const pl_registration *in,
                           pl_registration **out, pl_registration_change *change, pl_error *err)
{
    return save_tx(store, slug, in, SAVE_CREATE, out, change, err);
}

int pl_registration_update(pl_store *store, const char *slug, const pl_registration *in,
                           pl_registration **out, pl_registration_change *change, pl_error *err)
{
    return save_tx(store, slug, in, SAVE_UPDATE, out, change, err);
}

int pl_registration_save(pl_store *store, const char *slug, const pl_registration *in,
                         pl_registration **out, pl_error *err)
{
    return pl_registration_save_ext(store, slug, in, out, NULL, err);
}

int pl_registration_cancel_ext(pl_store *store, const char *slug, const char *email,
                               pl_registration **out, pl_registration ***promoted,
                               size_t *npromoted, pl_error *err)
{
    pl_registration_batch *b = NULL;
    pl_registration **list = NULL;
    size_t nlist = 0;
    long long rowid = 0;
    int rc;

    if (out)
        *out = NULL;
    if (promoted)
        *promoted = NULL;
    if (npromoted)
        *npromoted = 0;
    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    if ((rc = pl_registration_batch_open(&b, store, slug, err)) < 0)
        goto done;
    if ((rc = batch_cancel(b, email, &rowid, err)) < 0)
        goto done;
    if (promoted && b->npromoted) {
        if (!(list = calloc(b->npromoted, sizeof(*list)))) {
            rc = pl_error_oom(err);
            goto done;
        }
        for (; nlist < b->npromoted; nlist++)
            if ((rc = pl_registration_load(&list[nlist], store, b->promoted[nlist], err)) < 0)
                goto done;
    }
    pl_registration_batch_free(b);
    b = NULL;
    if (out && (rc = pl_registration_load(out, store, rowid, err)) < 0)
        goto done;
    if ((rc = pl_store_commit(store, err)) < 0)
        goto done;
    if (promoted) {
        *promoted = list;
        *npromoted = nlist;
        list = NULL;
    }
done:
    pl_registration_batch_free(b);
    pl_registration_list_free(list, nlist);
    if (rc < 0) {
        pl_store_rollback(store);
        if (out) {
            pl_registration_free(*out);
            *out = NULL;
        }
    }
    return rc;
}

int pl_registration_cancel(pl_store *store, const char *slug, const char *email,
                           pl_registration **out, pl_error *err)
{
    return pl_registration_cancel_ext(store, slug, email, out, NULL, NULL, err);
}
