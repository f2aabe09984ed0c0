/*
 * carpool_replan.c - a re-plan without keep_confirmed and confirmed cars
 * in the stored plan: refused unless forced (pl_carpool_plan_options.force);
 * forced, every member of a confirmed car that changed or went is recorded
 * (carpool_changes) and told, through the same path as the other changes.
 *
 * What is recorded, for each confirmed car of the plan replaced (driver D):
 *   - a passenger now in another car (of E): moved (E, from D); now in no
 *     car with others: lost_seat (D);
 *   - D's new car, when D still drives passengers: a newcomer who was in
 *     no confirmed car joined (D) (from one: moved, above); the car stays
 *     confirmed (as after carpool move), so its members as they now are
 *     are told; a car with the same passengers is kept confirmed, untold;
 *   - D with no car of passengers: moved (E, from D) when riding with E,
 *     else lost_seat (D): their car went.
 */
#include "carpool_plan.h"
#include "store_private.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

int pl_carpool_confirmed_count(size_t *out, pl_store *store, long long plan_id, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *out = 0;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT count(*) FROM carpool_groups g WHERE g.plan_id = ?1 AND "
                               "g.confirmed = 1 AND NOT EXISTS (SELECT 1 FROM carpool_choices c "
                               "WHERE c.registration_id = g.driver_id AND c.locked = 1)",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, plan_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = (size_t)sqlite3_column_int64(st, 0);
    else
        rc = pl_store_fail(store, err, "cannot read the carpool plan");
    sqlite3_finalize(st);
    return rc;
}

void pl_carpool_old_cars_free(pl_carpool_old_car *cars, size_t n)
{
    for (size_t i = 0; cars && i < n; i++) {
        free(cars[i].passengers);
        free(cars[i].confirmed_at);
    }
    free(cars);
}

int pl_carpool_old_cars_load(pl_carpool_old_car **out, size_t *n, pl_store *store,
                             long long plan_id, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    pl_carpool_old_car *cars = NULL, *cur = NULL;
    size_t count = 0;
    long long gid = 0;
    int rc, s;

    *out = NULL;
    *n = 0;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT g.id, g.driver_id, g.confirmed_at, m.registration_id "
                               "FROM carpool_groups g JOIN carpool_members m ON m.group_id = "
                               "g.id WHERE g.plan_id = ?1 AND g.confirmed = 1 AND m.position > 0 "
                               "AND NOT EXISTS (SELECT 1 FROM carpool_choices c WHERE "
                               "c.registration_id = g.driver_id AND c.locked = 1) "
                               "ORDER BY g.driver_id, m.position",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, plan_id);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (!cur || sqlite3_column_int64(st, 0) != gid) {
            pl_carpool_old_car *more = realloc(cars, (count + 1) * sizeof(*more));
            if (!more)
                goto oom;
            cars = more;
            cur = &cars[count++];
            memset(cur, 0, sizeof(*cur));
            gid = sqlite3_column_int64(st, 0);
            cur->driver = sqlite3_column_int64(st, 1);
            if (sqlite3_column_type(st, 2) != SQLITE_NULL &&
                !(cur->confirmed_at = strdup((const char *)sqlite3_column_text(st, 2))))
                goto oom;
        }
        long long *np = realloc(cur->passengers, (cur->npassengers + 1) * sizeof(*np));
        if (!np)
            goto oom;
        cur->passengers = np;
        cur->passengers[cur->npassengers++] = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE) {
        pl_carpool_old_cars_free(cars, count);
        return pl_store_fail(store, err, "cannot read the confirmed carpool groups");
    }
    *out = cars;
    *n = count;
    return PL_OK;
oom:
    sqlite3_finalize(st);
    pl_carpool_old_cars_free(cars, count);
    return pl_error_oom(err);
}

/* Where registration reg is in plan plan_id: *driver the driver of their car
 * (themselves when they drive) and *with the passengers of that car; 0 and
 * 0 when in no car. */
static int where_now(long long *driver, long long *with, pl_store *store, long long plan_id,
                     long long reg, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc, s;

    *driver = 0;
    *with = 0;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT g.driver_id, (SELECT count(*) FROM carpool_members m2 "
                               "WHERE m2.group_id = g.id AND m2.position > 0) FROM "
                               "carpool_members m JOIN carpool_groups g ON g.id = m.group_id "
                               "WHERE g.plan_id = ?1 AND m.registration_id = ?2",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, plan_id);
    sqlite3_bind_int64(st, 2, reg);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *driver = sqlite3_column_int64(st, 0);
        *with = sqlite3_column_int64(st, 1);
    } else if (s != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read the carpool plan");
    }
    sqlite3_finalize(st);
    return rc;
}

static int in_list(const long long *list, size_t n, long long v)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == v)
            return 1;
    return 0;
}

/* Was reg a passenger of one of the old confirmed cars? */
static int was_in_old(const pl_carpool_old_car *old, size_t nold, long long reg)
{
    for (size_t c = 0; c < nold; c++)
        if (in_list(old[c].passengers, old[c].npassengers, reg))
            return 1;
    return 0;
}

int pl_carpool_old_cars_record(pl_store *store, long long event_id, pl_carpool_trip trip,
                               long long plan_id, const pl_carpool_old_car *old, size_t nold,
                               pl_error *err)
{
    sqlite3_stmt *pass = NULL, *conf = NULL;
    long long *now = NULL;
    char at[32];
    int rc = 0, s;

    pl_now_utc(at);
    if ((rc = pl_store_prepare(store, &pass,
                               "SELECT m.registration_id FROM carpool_groups g JOIN "
                               "carpool_members m ON m.group_id = g.id WHERE g.plan_id = ?1 AND "
                               "g.driver_id = ?2 AND m.position > 0 ORDER BY m.position",
                               err)) < 0 ||
        (rc = pl_store_prepare(store, &conf,
                               "UPDATE carpool_groups SET confirmed = 1, confirmed_at = ?3 "
                               "WHERE plan_id = ?1 AND driver_id = ?2",
                               err)) < 0)
        goto done;
    for (size_t c = 0; c < nold; c++) {
        const pl_carpool_old_car *car = &old[c];
        long long d = car->driver, drv, with;
        size_t nnow = 0;
        int same;

        /* D's car now: its passengers */
        free(now);
        now = NULL;
        sqlite3_reset(pass);
        sqlite3_bind_int64(pass, 1, plan_id);
        sqlite3_bind_int64(pass, 2, d);
        while ((s = sqlite3_step(pass)) == SQLITE_ROW) {
            long long *more = realloc(now, (nnow + 1) * sizeof(*more));
            if (!more) {
                rc = pl_error_oom(err);
                goto done;
            }
            now = more;
            now[nnow++] = sqlite3_column_int64(pass, 0);
        }
        if (s != SQLITE_DONE) {
            rc = pl_store_fail(store, err, "cannot read the carpool plan");
            goto done;
        }
        same = nnow == car->npassengers;
        for (size_t i = 0; same && i < nnow; i++)
            same = in_list(car->passengers, car->npassengers, now[i]);
        /* the passengers who are no longer in D's car */
        for (size_t i = 0; i < car->npassengers; i++) {
            long long p = car->passengers[i];
            if (in_list(now, nnow, p))
                continue;
            if ((rc = where_now(&drv, &with, store, plan_id, p, err)) < 0)
                goto done;
            if (drv && with)
                rc = pl_carpool_change_record(store, event_id, trip, drv, d, p, "moved", err);
            else
                rc = pl_carpool_change_record(store, event_id, trip, d, 0, p, "lost_seat", err);
            if (rc < 0)
                goto done;
        }
        if (nnow) {
            /* D still drives passengers: newcomers joined; the car stays
             * confirmed (unchanged: as it was confirmed) */
            for (size_t i = 0; i < nnow; i++)
                if (!in_list(car->passengers, car->npassengers, now[i]) &&
                    !was_in_old(old, nold, now[i]) &&
                    (rc = pl_carpool_change_record(store, event_id, trip, d, 0, now[i], "joined",
                                                   err)) < 0)
                    goto done;
            sqlite3_reset(conf);
            sqlite3_bind_int64(conf, 1, plan_id);
            sqlite3_bind_int64(conf, 2, d);
            pl_store_bind_text(conf, 3, same && car->confirmed_at ? car->confirmed_at : at);
            if ((rc = pl_store_step(store, conf, "cannot confirm the carpool group", err)) < 0)
                goto done;
            continue;
        }
        /* D's car went: D rides with someone, or has lost their car */
        if ((rc = where_now(&drv, &with, store, plan_id, d, err)) < 0)
            goto done;
        if (drv && drv != d)
            rc = pl_carpool_change_record(store, event_id, trip, drv, d, d, "moved", err);
        else
            rc = pl_carpool_change_record(store, event_id, trip, d, 0, d, "lost_seat", err);
        if (rc < 0)
            goto done;
    }
done:
    free(now);
    sqlite3_finalize(pass);
    sqlite3_finalize(conf);
    return rc < 0 ? rc : 0;
}
