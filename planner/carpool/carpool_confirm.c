/*
 * carpool_confirm.c - the organiser's decisions on a stored plan: confirming
 * its cars (pl_carpool_confirm...) and the choices kept across plans
 * (exclude, lock: pl_carpool_choice_set).
 */
#include "carpool_plan.h"
#include "lang.h"
#include "event.h"
#include "origin.h"
#include "outbox.h"
#include "text.h"
#include "store_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- confirming groups ---- */

/* Where e-mail stands in the plan when it does not drive a group. */
static int not_a_driver(pl_store *store, long long plan_id, const char *slug, const char *email,
                        pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc, s;

    rc = pl_store_prepare(store, &st,
                          "SELECT d.name, d.email FROM carpool_members m "
                          "JOIN registrations r ON r.id = m.registration_id "
                          "JOIN carpool_groups g ON g.id = m.group_id "
                          "JOIN registrations d ON d.id = g.driver_id "
                          "WHERE g.plan_id = ?1 AND r.email = ?2 AND m.position > 0",
                          err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, plan_id);
    pl_store_bind_text(st, 2, email);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        rc = pl_error_set(err, PL_EINVALID,
                          "%s rides with %s; the driver (%s) confirms the group, or the "
                          "organiser confirms every group",
                          email, (const char *)sqlite3_column_text(st, 0),
                          (const char *)sqlite3_column_text(st, 1));
    else if (s == SQLITE_DONE)
        rc = pl_error_set(err, PL_ENOTFOUND, "%s drives no group of the carpool plan of '%s'",
                          email, slug);
    else
        rc = pl_store_fail(store, err, "cannot read the carpool plan");
    sqlite3_finalize(st);
    return rc;
}

int pl_carpool_confirm(size_t *out_count, pl_store *store, const char *slug,
                       const char *driver_email, pl_error *err)
{
    return pl_carpool_confirm_trip(out_count, store, slug, driver_email, PL_CARPOOL_OUTBOUND, err);
}

int pl_carpool_confirm_trip(size_t *out_count, pl_store *store, const char *slug,
                            const char *driver_email, pl_carpool_trip trip, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    long long plan_id = 0, event_id = 0;
    char now[32];
    int rc, s, in_tx = 0;

    if (out_count)
        *out_count = 0;
    pl_now_utc(now);
    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    in_tx = 1;
    rc = pl_store_prepare(store, &st,
                          "SELECT e.id, p.id FROM events e "
                          "LEFT JOIN carpool_plans p ON p.event_id = e.id "
                          "AND p.trip = ?2 WHERE e.slug = ?1",
                          err);
    if (rc < 0)
        goto done;
    pl_store_bind_text(st, 1, slug);
    pl_store_bind_text(st, 2, pl_carpool_trip_name(trip));
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        event_id = sqlite3_column_int64(st, 0);
        plan_id = sqlite3_column_int64(st, 1);
    } else if (s != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read the carpool plan");
        goto done;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (event_id == 0) {
        rc = pl_error_set(err, PL_ENOTFOUND, "no event '%s'", slug);
        goto done;
    }
    if (plan_id == 0) {
        rc = trip == PL_CARPOOL_RETURN
                 ? pl_error_set(err, PL_ENOTFOUND,
                                "no carpool plan of the way home yet for event '%s' (planner "
                                "carpool plan %s --trip return)",
                                slug, slug)
                 : pl_error_set(err, PL_ENOTFOUND, "no carpool plan yet for event '%s'", slug);
        goto done;
    }
    if (driver_email) {
        long long gid;
        int npass;
        rc = pl_store_prepare(store, &st,
                              "SELECT g.id, (SELECT count(*) FROM carpool_members m "
                              "WHERE m.group_id = g.id AND m.position > 0) "
                              "FROM carpool_groups g JOIN registrations r ON r.id = g.driver_id "
                              "WHERE g.plan_id = ?1 AND r.email = ?2",
                              err);
        if (rc < 0)
            goto done;
        sqlite3_bind_int64(st, 1, plan_id);
        pl_store_bind_text(st, 2, driver_email);
        s = sqlite3_step(st);
        if (s == SQLITE_DONE) {
            rc = not_a_driver(store, plan_id, slug, driver_email, err);
            goto done;
        }
        if (s != SQLITE_ROW) {
            rc = pl_store_fail(store, err, "cannot read the carpool plan");
            goto done;
        }
        gid = sqlite3_column_int64(st, 0);
        npass = sqlite3_column_int(st, 1);
        sqlite3_finalize(st);
        st = NULL;
        if (npass == 0) {
            rc = pl_error_set(err, PL_EINVALID,
                              "%s drives alone in this plan: there is no group to confirm",
                              driver_email);
            goto done;
        }
        rc = pl_store_prepare(store, &st,
                              "UPDATE carpool_groups SET confirmed = 1, confirmed_at = ?2 "
                              "WHERE id = ?1 AND confirmed = 0",
                              err);
        if (rc < 0)
            goto done;
        sqlite3_bind_int64(st, 1, gid);
    } else {
        rc = pl_store_prepare(store, &st,
                              "UPDATE carpool_groups SET confirmed = 1, confirmed_at = ?2 "
                              "WHERE plan_id = ?1 AND confirmed = 0 AND EXISTS (SELECT 1 FROM "
                              "carpool_members m WHERE m.group_id = carpool_groups.id "
                              "AND m.position > 0)",
                              err);
        if (rc < 0)
            goto done;
        sqlite3_bind_int64(st, 1, plan_id);
    }
    pl_store_bind_text(st, 2, now);
    if ((rc = pl_store_step(store, st, "cannot confirm the carpool group", err)) < 0)
        goto done;
    if (out_count)
        *out_count = (size_t)sqlite3_changes(pl_store_db(store));
    if ((rc = pl_outbox_carpool_confirmed(store, plan_id, now, err)) < 0)
        goto done;
    in_tx = 0;
    rc = pl_store_commit(store, err);
done:
    sqlite3_finalize(st);
    if (in_tx)
        pl_store_rollback(store);
    return rc;
}

int pl_carpool_choice_set(pl_store *store, const char *slug, const char *email,
                          pl_carpool_choice choice, int on, pl_error *err)
{
    pl_carpool_assignment *a = NULL;
    sqlite3_stmt *st = NULL;
    int rc;

    if (choice == PL_CARPOOL_LOCK && on) {
        /* only a car of the stored plan, with passengers, can be kept */
        if ((rc = pl_carpool_assignment_find_email(&a, store, slug, email, err)) < 0)
            return rc;
        if (a->role == PL_CARPOOL_AS_PASSENGER)
            rc = pl_error_set(err, PL_EINVALID, "%s rides with %s <%s>: lock the driver's car",
                              email, a->group->driver.name, a->group->driver.email);
        else if (a->role != PL_CARPOOL_AS_DRIVER || a->group->npassengers == 0)
            rc = pl_error_set(err, PL_EINVALID, "%s drives no car with passengers in the plan",
                              email);
        pl_carpool_assignment_free(a);
        if (rc < 0)
            return rc;
    }
    rc = pl_store_prepare(store, &st,
                          choice == PL_CARPOOL_EXCLUDE
                              ? "INSERT INTO carpool_choices (registration_id, excluded) "
                                "SELECT r.id, ?3 FROM registrations r JOIN events e ON e.id = "
                                "r.event_id WHERE e.slug = ?1 AND r.email = ?2 "
                                "ON CONFLICT (registration_id) DO UPDATE SET excluded = ?3"
                              : "INSERT INTO carpool_choices (registration_id, locked) "
                                "SELECT r.id, ?3 FROM registrations r JOIN events e ON e.id = "
                                "r.event_id WHERE e.slug = ?1 AND r.email = ?2 "
                                "ON CONFLICT (registration_id) DO UPDATE SET locked = ?3",
                          err);
    if (rc < 0)
        return rc;
    pl_store_bind_text(st, 1, slug);
    pl_store_bind_text(st, 2, email);
    sqlite3_bind_int(st, 3, on ? 1 : 0);
    rc = pl_store_step(store, st, "cannot store the carpool choice", err);
    if (rc == 0 && sqlite3_changes(pl_store_db(store)) == 0)
        rc = pl_error_set(err, PL_ENOTFOUND, "%s is not registered for '%s'", email, slug);
    sqlite3_finalize(st);
    return rc;
}
