/*
 * ranks.c - ranked workshop choices in the store, and the allocation that
 * turns them into chosen sessions (ranks.h). The placing itself is
 * allocate.c's, a pure function.
 */
#include "ranks.h"
#include "allocate.h"
#include "csv.h"
#include "lang.h"
#include "outbox.h"
#include "store_private.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A workshop of the event, with its slot. */
typedef struct workshop {
    long long rowid;
    char *key;
    char *title;
    char *start; /* the stored start, YYYY-MM-DDTHH:MM */
    int capacity;
} workshop;

typedef struct event_ws {
    long long event_id;
    int multi_day;
    workshop *items;
    size_t count;
} event_ws;

static void ws_free(event_ws *e)
{
    for (size_t i = 0; i < e->count; i++) {
        free(e->items[i].key);
        free(e->items[i].title);
        free(e->items[i].start);
    }
    free(e->items);
    memset(e, 0, sizeof(*e));
}

/* The slot's name of a stored start: its time, or the whole start when the
 * event spans several days. */
static void slot_name(char out[20], const event_ws *e, const char *start)
{
    const char *t = strchr(start, 'T');
    snprintf(out, 20, "%s", e->multi_day || !t ? start : t + 1);
}

static int load_workshops(event_ws *e, pl_store *store, const char *slug, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc, failed = 0;
    char first_day[11] = "";

    memset(e, 0, sizeof(*e));
    if ((rc = pl_store_prepare(store, &st, "SELECT id FROM events WHERE slug = ?", err)) < 0)
        return rc;
    pl_store_bind_text(st, 1, slug);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        e->event_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SQLITE_DONE)
        return pl_error_set(err, PL_ENOTFOUND, "no event '%s'", slug);
    if (rc != SQLITE_ROW)
        return pl_store_fail(store, err, "cannot read the event");
    if ((rc = pl_store_prepare(
             store, &st,
             "SELECT id, key, start, capacity, title FROM sessions WHERE event_id = ? "
             "AND kind = 'workshop' AND status = 'confirmed' "
             "ORDER BY start, position, id",
             err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, e->event_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        workshop *w;
        workshop *grown = realloc(e->items, (e->count + 1) * sizeof(*grown));
        if (!grown) {
            failed = 1;
            break;
        }
        e->items = grown;
        w = &e->items[e->count++];
        w->rowid = sqlite3_column_int64(st, 0);
        w->key = pl_store_column_dup(st, 1, &failed);
        w->start = pl_store_column_dup(st, 2, &failed);
        w->capacity = sqlite3_column_int(st, 3);
        w->title = pl_store_column_dup(st, 4, &failed);
        if (failed || !w->key || !w->start || !w->title) {
            failed = 1;
            break;
        }
        if (!first_day[0])
            snprintf(first_day, sizeof(first_day), "%.10s", w->start);
        else if (strncmp(first_day, w->start, 10) != 0)
            e->multi_day = 1;
    }
    sqlite3_finalize(st);
    if (failed) {
        ws_free(e);
        return pl_error_oom(err);
    }
    if (rc != SQLITE_DONE) {
        ws_free(e);
        return pl_store_fail(store, err, "cannot read the workshops");
    }
    return 0;
}

static const workshop *find_ws(const event_ws *e, const char *key)
{
    for (size_t i = 0; i < e->count; i++)
        if (strcmp(e->items[i].key, key) == 0)
            return &e->items[i];
    return NULL;
}

static int check(const event_ws *e, const pl_strlist *ranked, char *slot, pl_error *err)
{
    const workshop *first = NULL;

    slot[0] = '\0';
    for (size_t i = 0; i < ranked->count; i++) {
        const workshop *w = find_ws(e, ranked->items[i]);
        if (!w)
            return PL_SAY(err, PL_EINVALID, "ranks", REG_ERR_RANK_UNKNOWN, ranked->items[i]);
        for (size_t j = 0; j < i; j++)
            if (strcmp(ranked->items[j], ranked->items[i]) == 0)
                return PL_SAY(err, PL_EINVALID, "ranks", REG_ERR_RANK_TWICE, ranked->items[i]);
        if (!first)
            first = w;
        else if (strcmp(first->start, w->start) != 0)
            return PL_SAY(err, PL_EINVALID, "ranks", REG_ERR_RANK_SLOTS, first->key, w->key);
    }
    if (first)
        slot_name(slot, e, first->start);
    return 0;
}

int pl_ranks_check(pl_store *store, const char *slug, const pl_strlist *ranked, char *slot,
                   pl_error *err)
{
    event_ws e;
    int rc;

    if ((rc = load_workshops(&e, store, slug, err)) < 0)
        return rc;
    rc = check(&e, ranked, slot, err);
    ws_free(&e);
    return rc;
}

static int exec_bound(pl_store *store, const char *sql, long long a, long long b, long long c,
                      const char *text, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &st, sql, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    if (sqlite3_bind_parameter_count(st) >= 3)
        sqlite3_bind_int64(st, 3, c);
    if (sqlite3_bind_parameter_count(st) >= 4)
        pl_store_bind_text(st, 4, text);
    rc = pl_store_step(store, st, "cannot save the workshop ranking", err);
    sqlite3_finalize(st);
    return rc < 0 ? rc : 0;
}

static int registration_id(long long *out, pl_store *store, long long event_id, const char *email,
                           pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = pl_store_prepare(
             store, &st, "SELECT id FROM registrations WHERE event_id = ? AND email = ?", err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, event_id);
    pl_store_bind_text(st, 2, email);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return pl_error_set(err, PL_ENOTFOUND, "no registration for %.200s", email);
    return rc == SQLITE_ROW ? 0 : pl_store_fail(store, err, "cannot read the registration");
}

/* 1 when the stored ranking of ranked's slot is ranked already, 0 when
 * not, < 0 on error. */
static int same_ranking(pl_store *store, long long rid, const event_ws *e, const pl_strlist *ranked,
                        pl_error *err)
{
    sqlite3_stmt *st = NULL;
    const workshop *w = find_ws(e, ranked->items[0]);
    size_t n = 0;
    int rc, same = 1;

    if ((rc = pl_store_prepare(store, &st,
                               "SELECT s.key FROM registration_ranks k JOIN sessions s ON s.id = "
                               "k.session_id WHERE k.registration_id = ? AND s.event_id = ? AND "
                               "s.start = ? ORDER BY k.rank",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, rid);
    sqlite3_bind_int64(st, 2, e->event_id);
    pl_store_bind_text(st, 3, w->start);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n >= ranked->count ||
            strcmp((const char *)sqlite3_column_text(st, 0), ranked->items[n]) != 0)
            same = 0;
        n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return pl_store_fail(store, err, "cannot read the workshop ranking");
    return same && n == ranked->count;
}

/* A ranking is part of the registration: its last change moves. */
static int touch(pl_store *store, long long rid, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc;

    pl_now_utc(now);
    if ((rc = pl_store_prepare(store, &st, "UPDATE registrations SET updated = ? WHERE id = ?",
                               err)) < 0)
        return rc;
    pl_store_bind_text(st, 1, now);
    sqlite3_bind_int64(st, 2, rid);
    rc = pl_store_step(store, st, "cannot save the workshop ranking", err);
    sqlite3_finalize(st);
    return rc < 0 ? rc : 0;
}

int pl_ranks_clear(pl_store *store, const char *slug, const char *email, const char *slot,
                   pl_error *err)
{
    event_ws e;
    long long rid = 0;
    int rc, own = sqlite3_get_autocommit(pl_store_db(store)), any = 0;

    if ((rc = load_workshops(&e, store, slug, err)) < 0)
        return rc;
    if (own && (rc = pl_store_begin(store, err)) < 0)
        goto done;
    if ((rc = registration_id(&rid, store, e.event_id, email, err)) < 0)
        goto done;
    for (size_t i = 0; rc == 0 && i < e.count; i++) {
        char name[20];
        slot_name(name, &e, e.items[i].start);
        if (strcmp(name, slot) != 0)
            continue;
        any = 1;
        rc = exec_bound(store,
                        "DELETE FROM registration_ranks WHERE registration_id = ?1 AND "
                        "session_id = ?2",
                        rid, e.items[i].rowid, 0, NULL, err);
        if (rc == 0 && sqlite3_changes(pl_store_db(store)) > 0)
            rc = touch(store, rid, err);
    }
    if (rc == 0 && !any)
        rc = PL_SAY(err, PL_EINVALID, "ranks", REG_ERR_RANK_NO_SLOT, slot);
    if (rc == 0 && own)
        rc = pl_store_commit(store, err);
done:
    if (rc < 0 && own && !sqlite3_get_autocommit(pl_store_db(store)))
        pl_store_rollback(store);
    ws_free(&e);
    return rc;
}

int pl_ranks_set(pl_store *store, const char *slug, const char *email, const pl_strlist *ranked,
                 pl_error *err)
{
    event_ws e;
    char slot[20];
    long long rid = 0;
    int rc, own = sqlite3_get_autocommit(pl_store_db(store));

    if ((rc = load_workshops(&e, store, slug, err)) < 0)
        return rc;
    if ((rc = check(&e, ranked, slot, err)) < 0)
        goto done;
    if (own && (rc = pl_store_begin(store, err)) < 0)
        goto done;
    if ((rc = registration_id(&rid, store, e.event_id, email, err)) < 0)
        goto done;
    /* The slot's previous ranking goes: the workshops starting then. */
    if (ranked->count && (rc = same_ranking(store, rid, &e, ranked, err)) != 0) {
        rc = rc > 0 ? 0 : rc; /* unchanged: nothing written */
    } else if (ranked->count) {
        const workshop *w = find_ws(&e, ranked->items[0]);
        rc = touch(store, rid, err);
        if (rc == 0)
            rc = exec_bound(
                store,
                "DELETE FROM registration_ranks WHERE registration_id = ?1 AND session_id "
                "IN (SELECT id FROM sessions WHERE event_id = ?2 AND start = "
                "(SELECT start FROM sessions WHERE id = ?3))",
                rid, e.event_id, w->rowid, NULL, err);
        for (size_t i = 0; rc == 0 && i < ranked->count; i++)
            rc = exec_bound(store,
                            "INSERT INTO registration_ranks (registration_id, session_id, rank) "
                            "VALUES (?1, ?2, ?3)",
                            rid, find_ws(&e, ranked->items[i])->rowid, (long long)i + 1, NULL, err);
    }
    if (rc == 0 && own)
        rc = pl_store_commit(store, err);
done:
    if (rc < 0 && own && !sqlite3_get_autocommit(pl_store_db(store)))
        pl_store_rollback(store);
    ws_free(&e);
    return rc;
}

/* ---- the workshops by slot, for readers of rankings ---- */

struct pl_workshop_slots {
    event_ws e;
    char (*slots)[20]; /* per workshop */
    char *folded;      /* per workshop, its folded title, PL_SLOT_FOLD bytes each */
};

#define PL_SLOT_FOLD 256

int pl_workshop_slots_load(pl_workshop_slots **out, pl_store *store, const char *slug,
                           pl_error *err)
{
    pl_workshop_slots *s = calloc(1, sizeof(*s));
    int rc;

    *out = NULL;
    if (!s)
        return pl_error_oom(err);
    if ((rc = load_workshops(&s->e, store, slug, err)) < 0) {
        free(s);
        return rc;
    }
    if (s->e.count && (!(s->slots = calloc(s->e.count, sizeof(*s->slots))) ||
                       !(s->folded = calloc(s->e.count, PL_SLOT_FOLD)))) {
        pl_workshop_slots_free(s);
        return pl_error_oom(err);
    }
    for (size_t i = 0; i < s->e.count; i++) {
        slot_name(s->slots[i], &s->e, s->e.items[i].start);
        pl_csv_fold(s->folded + i * PL_SLOT_FOLD, PL_SLOT_FOLD, s->e.items[i].title);
    }
    *out = s;
    return 0;
}

void pl_workshop_slots_free(pl_workshop_slots *s)
{
    if (!s)
        return;
    ws_free(&s->e);
    free(s->slots);
    free(s->folded);
    free(s);
}

size_t pl_workshop_slots_count(const pl_workshop_slots *s)
{
    return s->e.count;
}

const char *pl_workshop_slots_get(const pl_workshop_slots *s, size_t i, const char **title,
                                  const char **slot)
{
    if (title)
        *title = s->e.items[i].title;
    if (slot)
        *slot = s->slots[i];
    return s->e.items[i].key;
}

const char *pl_workshop_slots_find(const pl_workshop_slots *s, const char *text, const char **slot)
{
    char folded[PL_SLOT_FOLD];

    for (size_t i = 0; i < s->e.count; i++)
        if (strcmp(s->e.items[i].key, text) == 0)
            return pl_workshop_slots_get(s, i, NULL, slot);
    pl_csv_fold(folded, sizeof(folded), text);
    if (!folded[0])
        return NULL;
    for (size_t i = 0; i < s->e.count; i++)
        if (strcmp(s->folded + i * PL_SLOT_FOLD, folded) == 0)
            return pl_workshop_slots_get(s, i, NULL, slot);
    return NULL;
}

void pl_rankings_free(pl_ranking *r, size_t count)
{
    for (size_t i = 0; r && i < count; i++) {
        pl_strlist_clear(&r[i].sessions);
        free(r[i].allocation);
    }
    free(r);
}

int pl_ranks_get(pl_ranking **out, size_t *count, pl_store *store, const char *slug,
                 const char *email, pl_error *err)
{
    event_ws e;
    sqlite3_stmt *st = NULL;
    pl_ranking *list = NULL;
    size_t n = 0;
    long long rid;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = load_workshops(&e, store, slug, err)) < 0)
        return rc;
    if ((rc = registration_id(&rid, store, e.event_id, email, err)) < 0)
        goto done;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT s.key, s.start FROM registration_ranks k JOIN sessions s "
                               "ON s.id = k.session_id WHERE k.registration_id = ? "
                               "ORDER BY s.start, k.rank",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, rid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char slot[20];
        slot_name(slot, &e, (const char *)sqlite3_column_text(st, 1));
        if (!n || strcmp(list[n - 1].slot, slot) != 0) {
            pl_ranking *grown = realloc(list, (n + 1) * sizeof(*grown));
            if (!grown)
                goto oom;
            list = grown;
            memset(&list[n], 0, sizeof(list[n]));
            memcpy(list[n].slot, slot, sizeof(slot));
            n++;
        }
        if (pl_strlist_push(&list[n - 1].sessions, (const char *)sqlite3_column_text(st, 0)) < 0)
            goto oom;
    }
    if (rc != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read the workshop rankings");
        goto done;
    }
    sqlite3_finalize(st);
    st = NULL;
    /* What the allocation made of each ranked slot. */
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT a.slot, s.key, a.rank FROM registration_allocations a "
                               "LEFT JOIN sessions s ON s.id = a.session_id "
                               "WHERE a.registration_id = ?",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, rid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *slot = (const char *)sqlite3_column_text(st, 0);
        for (size_t i = 0; i < n; i++) {
            int failed = 0;
            if (strcmp(list[i].slot, slot) != 0)
                continue;
            list[i].allocated = 1;
            list[i].allocation_rank = sqlite3_column_int(st, 2);
            free(list[i].allocation);
            list[i].allocation = NULL;
            if (sqlite3_column_type(st, 1) != SQLITE_NULL &&
                (!(list[i].allocation = pl_store_column_dup(st, 1, &failed)) || failed))
                goto oom;
        }
    }
    if (rc != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read the workshop allocations");
        goto done;
    }
    *out = list;
    *count = n;
    list = NULL;
    n = 0;
    rc = 0;
    goto done;
oom:
    rc = pl_error_oom(err);
done:
    sqlite3_finalize(st);
    pl_rankings_free(list, n);
    ws_free(&e);
    return rc;
}

/* ---- allocation ---- */

void pl_allocation_free(pl_allocation *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->nassignments; i++) {
        free(a->assignments[i].email);
        free(a->assignments[i].session);
    }
    for (size_t i = 0; i < a->nunplaced; i++)
        free(a->unplaced[i].email);
    free(a->assignments);
    free(a->unplaced);
    free(a->by_rank);
    free(a->event);
    free(a);
}

/* A ranked person of one slot. */
typedef struct ranked_person {
    long long rid;
    char *email;
    int held; /* workshop index allocated by an earlier run, or -1 */
} ranked_person;

static int push_item(pl_allocation_item **items, size_t *n, long long rid, const char *email,
                     const char *slot, const char *session, int rank, const char *reason)
{
    pl_allocation_item *grown = realloc(*items, (*n + 1) * sizeof(*grown));
    pl_allocation_item *it;

    if (!grown)
        return -1;
    *items = grown;
    it = &grown[*n];
    memset(it, 0, sizeof(*it));
    snprintf(it->slot, sizeof(it->slot), "%s", slot);
    it->rank = rank;
    it->reason = reason;
    it->registration_id = rid;
    it->email = strdup(email);
    it->session = session ? strdup(session) : NULL;
    if (!it->email || (session && !it->session)) {
        free(it->email);
        free(it->session);
        return -1;
    }
    (*n)++;
    return 0;
}

/* Allocate the slot of workshops ws[0..nws) (same start). */
static int allocate_slot(pl_allocation *a, pl_store *store, const event_ws *e, const workshop *ws,
                         size_t nws, int keep, const char *now, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    ranked_person *people = NULL;
    size_t npeople = 0, nranked = 0, cap_r = 0;
    size_t *start = NULL;
    int *ranked = NULL, *capacity = NULL, *fixed = NULL;
    pl_alloc_result *res = NULL;
    char slot[20];
    int rc;

    slot_name(slot, e, ws[0].start);
    /* The people who ranked a workshop of this slot, in arrival order, with
     * their ranks; and where an earlier run placed them. */
    rc = pl_store_prepare(
        store, &st,
        "SELECT r.id, r.email, k.session_id, "
        "(SELECT a.session_id FROM registration_allocations a "
        " WHERE a.registration_id = r.id AND a.slot = ?3) "
        "FROM registrations r JOIN registration_ranks k ON k.registration_id = r.id "
        "JOIN sessions s ON s.id = k.session_id "
        "WHERE r.event_id = ?1 AND r.status = 'confirmed' AND s.start = ?2 "
        "AND s.kind = 'workshop' AND s.status = 'confirmed' "
        "ORDER BY r.arrival, r.id, k.rank",
        err);
    if (rc < 0)
        goto done;
    sqlite3_bind_int64(st, 1, e->event_id);
    pl_store_bind_text(st, 2, ws[0].start);
    pl_store_bind_text(st, 3, slot);
    start = malloc(sizeof(*start));
    if (!start)
        goto oom;
    start[0] = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long rid = sqlite3_column_int64(st, 0), sid = sqlite3_column_int64(st, 2);
        int w = -1;
        for (size_t k = 0; k < nws; k++)
            if (ws[k].rowid == sid)
                w = (int)k;
        if (!npeople || people[npeople - 1].rid != rid) {
            ranked_person *gp = realloc(people, (npeople + 1) * sizeof(*gp));
            size_t *gs = realloc(start, (npeople + 2) * sizeof(*gs));
            if (gp)
                people = gp;
            if (gs)
                start = gs;
            if (!gp || !gs)
                goto oom;
            people[npeople].rid = rid;
            people[npeople].held = -1;
            if (!(people[npeople].email = strdup((const char *)sqlite3_column_text(st, 1))))
                goto oom;
            if (sqlite3_column_type(st, 3) != SQLITE_NULL)
                for (size_t k = 0; k < nws; k++)
                    if (ws[k].rowid == sqlite3_column_int64(st, 3))
                        people[npeople].held = (int)k;
            npeople++;
            start[npeople] = start[npeople - 1];
        }
        if (nranked == cap_r) {
            int *g = realloc(ranked, (cap_r = cap_r ? 2 * cap_r : 64) * sizeof(*g));
            if (!g)
                goto oom;
            ranked = g;
        }
        ranked[nranked++] = w;
        start[npeople] = nranked;
    }
    if (rc != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read the workshop rankings");
        goto done;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!npeople) {
        rc = 0;
        goto done;
    }
    a->nslots++;

    /* Places left: the capacity less the confirmed people who chose the
     * workshop without ranking this slot. */
    capacity = calloc(nws, sizeof(*capacity));
    fixed = malloc(npeople * sizeof(*fixed));
    if (!capacity || !fixed)
        goto oom;
    if ((rc = pl_store_prepare(
             store, &st,
             "SELECT count(*) FROM registration_sessions rs JOIN registrations r "
             "ON r.id = rs.registration_id WHERE rs.session_id = ?1 "
             "AND rs.status = 'confirmed' AND r.status = 'confirmed' AND NOT EXISTS (SELECT 1 FROM "
             "registration_ranks k JOIN sessions s ON s.id = k.session_id "
             "WHERE k.registration_id = r.id AND s.start = ?2 "
             "AND s.kind = 'workshop' AND s.status = 'confirmed')",
             err)) < 0)
        goto done;
    for (size_t k = 0; k < nws; k++) {
        long long taken;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, ws[k].rowid);
        pl_store_bind_text(st, 2, ws[k].start);
        if (sqlite3_step(st) != SQLITE_ROW) {
            rc = pl_store_fail(store, err, "cannot count the workshop's places");
            goto done;
        }
        taken = sqlite3_column_int64(st, 0);
        capacity[k] = ws[k].capacity <= 0       ? PL_ALLOC_UNLIMITED
                      : taken >= ws[k].capacity ? 0
                                                : ws[k].capacity - (int)taken;
    }
    sqlite3_finalize(st);
    st = NULL;
    for (size_t i = 0; i < npeople; i++)
        fixed[i] = keep ? people[i].held : -1;

    {
        pl_alloc_problem p = {npeople, nws, capacity, start, ranked, fixed};
        if ((rc = pl_alloc_solve(&res, &p, err)) < 0)
            goto done;
    }

    /* Write: the allocated session replaces the person's choices of this
     * slot; the allocation is remembered (for --keep-assigned). */
    for (size_t i = 0; i < npeople; i++) {
        int w = res->workshop[i];
        /* A person whose workshop changes has a new last change, so that
         * /me and the personal feed are not answered "not modified". */
        if ((w != people[i].held || w < 0) && (rc = touch(store, people[i].rid, err)) < 0)
            goto done;
        if ((rc = exec_bound(store,
                             "DELETE FROM registration_sessions WHERE registration_id = ?1 AND "
                             "session_id IN (SELECT id FROM sessions WHERE event_id = ?2 AND "
                             "kind = 'workshop' AND start = (SELECT start FROM sessions "
                             "WHERE id = ?3))",
                             people[i].rid, e->event_id, ws[0].rowid, NULL, err)) < 0)
            goto done;
        if (w >= 0 &&
            (rc = exec_bound(store,
                             "INSERT INTO registration_sessions (registration_id, session_id, "
                             "position) VALUES (?1, ?2, (SELECT coalesce(max(position), -1) + 1 "
                             "FROM registration_sessions WHERE registration_id = ?1))",
                             people[i].rid, ws[w].rowid, 0, NULL, err)) < 0)
            goto done;
        if ((rc = pl_store_prepare(store, &st,
                                   "INSERT INTO registration_allocations (registration_id, slot, "
                                   "session_id, rank, allocated) VALUES (?1, ?2, ?3, ?4, ?5) "
                                   "ON CONFLICT (registration_id, slot) DO UPDATE SET "
                                   "session_id = excluded.session_id, rank = excluded.rank, "
                                   "allocated = excluded.allocated",
                                   err)) < 0)
            goto done;
        sqlite3_bind_int64(st, 1, people[i].rid);
        pl_store_bind_text(st, 2, slot);
        if (w >= 0)
            sqlite3_bind_int64(st, 3, ws[w].rowid);
        sqlite3_bind_int(st, 4, res->rank[i]);
        pl_store_bind_text(st, 5, now);
        rc = pl_store_step(store, st, "cannot save the allocation", err);
        sqlite3_finalize(st);
        st = NULL;
        if (rc < 0)
            goto done;
        if (w >= 0) {
            if (push_item(&a->assignments, &a->nassignments, people[i].rid, people[i].email, slot,
                          ws[w].key, res->rank[i], NULL) < 0)
                goto oom;
            a->placed++;
            if (keep && people[i].held == w)
                a->kept++;
            if (res->rank[i] > 0 && (size_t)res->rank[i] <= a->max_rank)
                a->by_rank[res->rank[i]]++;
        } else if (push_item(&a->unplaced, &a->nunplaced, people[i].rid, people[i].email, slot,
                             NULL, 0,
                             res->reason[i] == PL_ALLOC_NO_CHOICE
                                 ? "ranked no workshop of this slot"
                                 : "every workshop ranked is full") < 0) {
            goto oom;
        }
    }
    rc = 0;
    goto done;
oom:
    rc = pl_error_oom(err);
done:
    sqlite3_finalize(st);
    for (size_t i = 0; i < npeople; i++)
        free(people[i].email);
    free(people);
    free(start);
    free(ranked);
    free(capacity);
    free(fixed);
    pl_alloc_result_free(res);
    return rc;
}

/* ---- telling people what the allocation gave them ---- */

static int by_person(const void *x, const void *y)
{
    const pl_allocation_item *const *a = x, *const *b = y;
    if ((*a)->registration_id != (*b)->registration_id)
        return (*a)->registration_id < (*b)->registration_id ? -1 : 1;
    return strcmp((*a)->slot, (*b)->slot);
}

/* One change message per person allocated (placed or not) in this run:
 * the detail lists, slot by slot, the workshop given with its rank, or
 * why none; pl_outbox_allocation compares that outcome with the last one
 * the person was told, so running the same allocation again queues
 * nothing, and a different outcome is told (replacing a message about an
 * older one not sent yet). In the allocation's transaction. */
static int tell_people(pl_allocation *a, pl_store *store, pl_error *err)
{
    size_t n = a->nassignments + a->nunplaced, k = 0;
    const pl_allocation_item **all = n ? malloc(n * sizeof(*all)) : NULL;
    int rc = 0;

    if (n && !all)
        return pl_error_oom(err);
    for (size_t i = 0; i < a->nassignments; i++)
        all[k++] = &a->assignments[i];
    for (size_t i = 0; i < a->nunplaced; i++)
        all[k++] = &a->unplaced[i];
    if (n)
        qsort(all, n, sizeof(*all), by_person); /* qsort(NULL, 0) is undefined */
    for (size_t i = 0; rc >= 0 && i < n;) {
        size_t j = i;
        json_t *items = json_array();
        pl_buf version = PL_BUF_INIT;
        char *detail = NULL;

        for (; j < n && all[j]->registration_id == all[i]->registration_id; j++) {
            const pl_allocation_item *it = all[j];
            json_t *o = json_pack("{s:s}", "slot", it->slot);
            if (it->session) {
                json_object_set_new(o, "allocated", json_string(it->session));
                json_object_set_new(o, "rank", json_integer(it->rank));
            } else {
                json_object_set_new(o, "allocated", json_null());
                json_object_set_new(o, "why", json_string("full"));
            }
            json_array_append_new(items, o);
            pl_buf_printf(&version, "%s%s=%s", j > i ? ";" : "", it->slot,
                          it->session ? it->session : "-");
        }
        if (!(detail = json_dumps(items, JSON_COMPACT)) || !version.data)
            rc = pl_error_oom(err);
        else if ((rc = pl_outbox_allocation(store, all[i]->registration_id, version.data, detail,
                                            err)) > 0)
            a->told++;
        free(detail);
        json_decref(items);
        pl_buf_free(&version);
        i = j;
    }
    free(all);
    return rc < 0 ? rc : 0;
}

int pl_sessions_allocate(pl_allocation **out, pl_store *store, const char *slug, int flags,
                         pl_error *err)
{
    int keep_assigned = (flags & PL_ALLOC_KEEP_ASSIGNED) != 0;
    event_ws e;
    pl_allocation *a = NULL;
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    int rc, in_tx = 0;

    *out = NULL;
    gmtime_r(&t, &tm);
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    in_tx = 1;
    if ((rc = load_workshops(&e, store, slug, err)) < 0)
        goto done_noe;
    if (!(a = calloc(1, sizeof(*a))) || !(a->event = strdup(slug)))
        goto oom;
    a->max_rank = e.count;
    if (!(a->by_rank = calloc(e.count + 1, sizeof(*a->by_rank))))
        goto oom;
    for (size_t i = 0; i < e.count;) {
        size_t j = i;
        while (j < e.count && strcmp(e.items[j].start, e.items[i].start) == 0)
            j++;
        if ((rc = allocate_slot(a, store, &e, &e.items[i], j - i, keep_assigned, now, err)) < 0)
            goto done;
        i = j;
    }
    if (!(flags & PL_ALLOC_NO_MAIL) && (rc = tell_people(a, store, err)) < 0)
        goto done;
    if ((rc = pl_store_commit(store, err)) < 0)
        goto done;
    in_tx = 0;
    *out = a;
    a = NULL;
    rc = 0;
    goto done;
oom:
    rc = pl_error_oom(err);
done:
    ws_free(&e);
done_noe:
    if (in_tx)
        pl_store_rollback(store);
    pl_allocation_free(a);
    return rc;
}
