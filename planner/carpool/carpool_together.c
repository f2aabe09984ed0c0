/*
 * carpool_together.c - people the organiser keeps in one car (planner
 * carpool together): the pairs stored, and the plan brought in line with
 * them after matching (moves made as carpool_changes.c makes them).
 */
#include "carpool_plan.h"
#include "carpool_changes_internal.h"
#include "store_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- people kept in one car (planner carpool together) ---- */

static int reg_id(long long *out, pl_store *store, const char *slug, const char *email,
                  pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &st,
                               "SELECT r.id FROM registrations r JOIN events e ON e.id = "
                               "r.event_id WHERE e.slug = ?1 AND r.email = ?2 COLLATE NOCASE",
                               err)) < 0)
        return rc;
    pl_store_bind_text(st, 1, slug);
    pl_store_bind_text(st, 2, email);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = pl_error_set(err, PL_ENOTFOUND, "%s is not registered for '%s'", email, slug);
    } else {
        rc = pl_store_fail(store, err, "cannot read the registrations");
    }
    sqlite3_finalize(st);
    return rc;
}

int pl_carpool_together_set(pl_store *store, const char *slug, const char *email_a,
                            const char *email_b, int on, pl_error *err)
{
    long long a = 0, b = 0;
    int rc;

    if ((rc = reg_id(&a, store, slug, email_a, err)) < 0)
        return rc;
    if (email_b && (rc = reg_id(&b, store, slug, email_b, err)) < 0)
        return rc;
    if (!email_b) {
        if (on)
            return pl_error_set(err, PL_EINVALID, "together needs two people");
        /* every pair of a */
        return pl_carpool_run_id(store, "DELETE FROM carpool_together WHERE a_id = ?1 OR b_id = ?1",
                                 a, 0, err);
    }
    if (a == b)
        return pl_error_set(err, PL_EINVALID, "%s and %s are the same registration", email_a,
                            email_b);
    if (a > b) {
        long long t = a;
        a = b;
        b = t;
    }
    return pl_carpool_run_id(
        store,
        on ? "INSERT OR IGNORE INTO carpool_together (a_id, b_id) VALUES (?1, ?2)"
           : "DELETE FROM carpool_together WHERE a_id = ?1 AND b_id = ?2",
        a, b, err);
}

/* The driver of the car registration reg is in (itself for a driver), 0
 * when it has none in plan_id. */
static long long car_driver(pl_store *store, long long plan_id, long long reg, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    long long d = 0;

    if (pl_store_prepare(store, &st,
                         "SELECT g.driver_id FROM carpool_members m JOIN carpool_groups g ON "
                         "g.id = m.group_id WHERE g.plan_id = ?1 AND m.registration_id = ?2",
                         err) < 0)
        return PL_EIO;
    sqlite3_bind_int64(st, 1, plan_id);
    sqlite3_bind_int64(st, 2, reg);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        d = sqlite3_column_int64(st, 0);
    else if (s != SQLITE_DONE)
        d = pl_store_fail(store, err, "cannot read the carpool plan");
    sqlite3_finalize(st);
    return d;
}

typedef struct pair {
    long long a, b;
    char *ea, *eb;
} pair;

static char *email_of(pl_store *store, long long reg)
{
    sqlite3_stmt *st = NULL;
    char *e = NULL;

    if (pl_store_prepare(store, &st, "SELECT email FROM registrations WHERE id = ?1", NULL) < 0)
        return NULL;
    sqlite3_bind_int64(st, 1, reg);
    if (sqlite3_step(st) == SQLITE_ROW)
        e = pl_store_column_text(st, 0);
    sqlite3_finalize(st);
    return e;
}

int pl_carpool_honour_together(size_t *unmet, pl_store *store, const char *slug, long long plan_id,
                               pl_carpool_trip trip, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    pair *pairs = NULL;
    size_t n = 0, cap = 0, left = 0;
    int rc, s;

    *unmet = 0;
    rc = pl_store_prepare(store, &st,
                          "SELECT t.a_id, t.b_id FROM carpool_together t JOIN registrations ra "
                          "ON ra.id = t.a_id JOIN registrations rb ON rb.id = t.b_id JOIN events "
                          "e ON e.id = ra.event_id WHERE e.slug = ?1 AND ra.status = 'confirmed' "
                          "AND rb.status = 'confirmed' AND ra.travel <> 'none' AND rb.travel <> "
                          "'none' AND NOT EXISTS (SELECT 1 FROM carpool_choices c WHERE "
                          "c.excluded = 1 AND c.registration_id IN (t.a_id, t.b_id)) "
                          "ORDER BY t.a_id, t.b_id",
                          err);
    if (rc < 0)
        return rc;
    pl_store_bind_text(st, 1, slug);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            pair *np = realloc(pairs, ncap * sizeof(*np));
            if (!np) {
                rc = pl_error_oom(err);
                goto done;
            }
            pairs = np;
            cap = ncap;
        }
        pairs[n].a = sqlite3_column_int64(st, 0);
        pairs[n].b = sqlite3_column_int64(st, 1);
        pairs[n].ea = email_of(store, pairs[n].a);
        pairs[n].eb = email_of(store, pairs[n].b);
        n++;
        if (!pairs[n - 1].ea || !pairs[n - 1].eb) {
            rc = pl_error_oom(err);
            goto done;
        }
    }
    if (s != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read the carpool choices");
        goto done;
    }
    /* two passes: a chain A-B, B-C settles in the second */
    for (int pass = 0; pass < 2; pass++) {
        left = 0;
        for (size_t i = 0; i < n; i++) {
            const pair *p = &pairs[i];
            long long da = car_driver(store, plan_id, p->a, err);
            long long db = car_driver(store, plan_id, p->b, err);
            if (da < 0 || db < 0) {
                rc = (int)(da < 0 ? da : db);
                goto done;
            }
            if (da && da == db)
                continue;
            /* who moves into whose car: a driver's car first */
            struct {
                long long who, to;
            } tries[4] = {{p->b, da == p->a ? p->a : 0},
                          {p->a, db == p->b ? p->b : 0},
                          {p->b, da},
                          {p->a, db}};
            int done_one = 0;
            for (int t = 0; t < 4 && !done_one; t++) {
                char *who, *to;
                long long ev = 0;
                if (!tries[t].to)
                    continue;
                who = tries[t].who == p->a ? p->ea : p->eb;
                to = email_of(store, tries[t].to);
                if (!to) {
                    rc = pl_error_oom(err);
                    goto done;
                }
                rc = pl_carpool_move_in_tx(NULL, &ev, store, slug, who, to, trip, 0, 0, err);
                free(to);
                if (rc == 0)
                    done_one = 1;
                else if (rc != PL_EINVALID && rc != PL_ENOTFOUND)
                    goto done;
                pl_error_clear(err);
                rc = 0;
            }
            if (!done_one)
                left++;
        }
    }
    *unmet = left;
done:
    sqlite3_finalize(st);
    for (size_t i = 0; i < n; i++) {
        free(pairs[i].ea);
        free(pairs[i].eb);
    }
    free(pairs);
    return rc;
}
