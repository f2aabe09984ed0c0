/*
 * carpool_saved.c - an event's stored plan read back (pl_carpool_plan_load),
 * and one registration's assignment in it (pl_carpool_assignment_find...):
 * what the pages, feeds, mail and exports show. Planning and storing a plan
 * is carpool_plan.c's; confirming its cars, carpool_confirm.c's.
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

static int oom(pl_error *err)
{
    return pl_error_oom(err);
}

/* ---- reading the stored plan ---- */

static void member_clear(pl_carpool_member *m)
{
    free(m->name);
    free(m->email);
    free(m->phone);
    free(m->origin);
    free(m->place);
    free(m->precision);
    free(m->time);
}

void pl_carpool_saved_plan_free(pl_carpool_saved_plan *plan)
{
    if (!plan)
        return;
    for (size_t g = 0; g < plan->ngroups; g++) {
        pl_carpool_saved_group *sg = &plan->groups[g];
        member_clear(&sg->driver);
        for (size_t k = 0; k < sg->npassengers; k++)
            member_clear(&sg->passengers[k]);
        free(sg->passengers);
        free(sg->departure);
        free(sg->arrival);
        free(sg->confirmed_at);
    }
    free(plan->groups);
    for (size_t u = 0; u < plan->nunassigned; u++) {
        pl_carpool_saved_unassigned *su = &plan->unassigned[u];
        free(su->name);
        free(su->email);
        free(su->travel);
        free(su->origin);
        free(su->code);
        free(su->reason);
    }
    free(plan->unassigned);
    free(plan->event_slug);
    free(plan->event_start);
    free(plan->timezone);
    free(plan->planned);
    free(plan);
}

/* A phone is shown only when it holds something. */
static char *phone_column(sqlite3_stmt *st, int col, int *failed)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    const unsigned char *p = s;

    while (p && (*p == ' ' || *p == '\t'))
        p++;
    return p && *p ? pl_store_column_dup(st, col, failed) : NULL;
}

static int load_header(pl_carpool_saved_plan *plan, long long *plan_id, pl_store *store,
                       const char *slug, pl_carpool_trip trip, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    pl_carpool_options *o = &plan->options;
    pl_carpool_totals *t = &plan->totals;
    int rc, s;

    rc = pl_store_prepare(store, &st,
                          "SELECT e.slug, e.start, e.timezone, p.id, p.planned, "
                          "p.max_detour_pct, p.max_detour_minutes, p.road_factor, p.speed_kmh, "
                          "p.stop_minutes, p.margin_minutes, p.co2_kg_per_km, p.iterations, "
                          "p.candidates, p.cars, p.passengers, p.riders, p.riders_seated, "
                          "p.vehicle_km, p.vehicle_km_alone, p.vehicle_km_avoided, "
                          "p.co2_avoided_kg "
                          "FROM events e LEFT JOIN carpool_plans p ON p.event_id = e.id "
                          "AND p.trip = ?2 WHERE e.slug = ?1",
                          err);
    if (rc < 0)
        return rc;
    pl_store_bind_text(st, 1, slug);
    pl_store_bind_text(st, 2, pl_carpool_trip_name(trip));
    plan->trip = trip;
    s = sqlite3_step(st);
    if (s == SQLITE_DONE) {
        rc = pl_error_set(err, PL_ENOTFOUND, "no event '%s'", slug);
        goto done;
    }
    if (s != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read the carpool plan");
        goto done;
    }
    if (sqlite3_column_type(st, 3) == SQLITE_NULL && trip == PL_CARPOOL_RETURN) {
        rc = pl_error_set(err, PL_ENOTFOUND, "no carpool plan for the way home yet for event '%s'",
                          slug);
        goto done;
    }
    if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
        rc = pl_error_set(err, PL_ENOTFOUND, "no carpool plan yet for event '%s'", slug);
        goto done;
    }
    plan->event_slug = pl_store_column_text(st, 0);
    plan->event_start = pl_store_column_text(st, 1);
    plan->timezone = pl_store_column_text(st, 2);
    *plan_id = sqlite3_column_int64(st, 3);
    plan->planned = pl_store_column_text(st, 4);
    pl_carpool_options_init(o);
    o->max_detour_pct = sqlite3_column_double(st, 5);
    o->max_detour_minutes = sqlite3_column_type(st, 6) == SQLITE_NULL
                                ? PL_CARPOOL_UNLIMITED
                                : sqlite3_column_double(st, 6);
    o->road_factor = sqlite3_column_double(st, 7);
    o->speed_kmh = sqlite3_column_double(st, 8);
    o->stop_minutes = sqlite3_column_double(st, 9);
    o->margin_minutes = sqlite3_column_double(st, 10);
    o->co2_kg_per_km = sqlite3_column_double(st, 11);
    o->iterations = (unsigned long)sqlite3_column_int64(st, 12);
    o->candidates = sqlite3_column_int(st, 13);
    t->cars = (size_t)sqlite3_column_int64(st, 14);
    t->passengers = (size_t)sqlite3_column_int64(st, 15);
    t->riders = (size_t)sqlite3_column_int64(st, 16);
    t->riders_seated = (size_t)sqlite3_column_int64(st, 17);
    t->vehicle_km = sqlite3_column_double(st, 18);
    t->vehicle_km_alone = sqlite3_column_double(st, 19);
    t->vehicle_km_avoided = sqlite3_column_double(st, 20);
    t->co2_avoided_kg = sqlite3_column_double(st, 21);
    if (!plan->event_slug || !plan->event_start || !plan->timezone || !plan->planned)
        rc = oom(err);
done:
    sqlite3_finalize(st);
    return rc;
}

/* Cars with passengers first, then drivers going alone, each in the order of
 * the drivers' registrations; numbered 1, 2, ... in that order. */
static void number_groups(pl_carpool_saved_plan *plan)
{
    size_t k = 0;

    for (size_t g = 0; g < plan->ngroups; g++) {
        if (plan->groups[g].npassengers == 0)
            continue;
        pl_carpool_saved_group tmp = plan->groups[g];
        memmove(&plan->groups[k + 1], &plan->groups[k], (g - k) * sizeof(tmp));
        plan->groups[k++] = tmp;
    }
    for (size_t g = 0; g < plan->ngroups; g++)
        plan->groups[g].number = (int)g + 1;
}

static int load_groups(pl_carpool_saved_plan *plan, long long plan_id, pl_store *store,
                       pl_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    long long cur_id = 0;
    int rc, s, failed = 0;

    rc = pl_store_prepare(store, &st,
                          "SELECT g.id, g.seats, g.departure, g.arrival, g.distance_km, "
                          "g.detour_km, g.confirmed, g.confirmed_at, m.position, "
                          "m.registration_id, r.name, r.email, r.phone, m.origin, m.place, "
                          "m.lat, m.lon, m.time, m.precision, r.share_phone "
                          "FROM carpool_groups g "
                          "JOIN carpool_members m ON m.group_id = g.id "
                          "JOIN registrations r ON r.id = m.registration_id "
                          "WHERE g.plan_id = ?1 ORDER BY g.driver_id, m.position",
                          err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, plan_id);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        long long gid = sqlite3_column_int64(st, 0);
        pl_carpool_saved_group *g;
        pl_carpool_member *m;

        if (gid != cur_id || plan->ngroups == 0) {
            if (plan->ngroups == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                pl_carpool_saved_group *ng = realloc(plan->groups, ncap * sizeof(*ng));
                if (!ng) {
                    rc = oom(err);
                    goto done;
                }
                plan->groups = ng;
                cap = ncap;
            }
            g = &plan->groups[plan->ngroups++];
            memset(g, 0, sizeof(*g));
            cur_id = gid;
            g->number = (int)plan->ngroups;
            g->seats = sqlite3_column_int(st, 1);
            g->departure = pl_store_column_text(st, 2);
            g->arrival = pl_store_column_text(st, 3);
            g->distance_km = sqlite3_column_double(st, 4);
            g->detour_km = sqlite3_column_double(st, 5);
            g->confirmed = sqlite3_column_int(st, 6);
            g->confirmed_at = pl_store_column_text(st, 7);
            if (!g->departure || !g->arrival) {
                rc = oom(err);
                goto done;
            }
        }
        g = &plan->groups[plan->ngroups - 1];
        if (sqlite3_column_int(st, 8) == 0) {
            m = &g->driver;
        } else {
            pl_carpool_member *np = realloc(g->passengers, (g->npassengers + 1) * sizeof(*np));
            if (!np) {
                rc = oom(err);
                goto done;
            }
            g->passengers = np;
            m = &g->passengers[g->npassengers++];
            memset(m, 0, sizeof(*m));
        }
        m->registration = sqlite3_column_int64(st, 9);
        m->name = pl_store_column_dup(st, 10, &failed);
        m->email = pl_store_column_dup(st, 11, &failed);
        m->phone = phone_column(st, 12, &failed);
        m->origin = pl_store_column_dup(st, 13, &failed);
        m->place = pl_store_column_dup(st, 14, &failed);
        m->lat = sqlite3_column_double(st, 15);
        m->lon = sqlite3_column_double(st, 16);
        m->time = pl_store_column_dup(st, 17, &failed);
        m->precision = pl_store_column_dup(st, 18, &failed);
        m->share_phone = sqlite3_column_int(st, 19) != 0;
        if (failed || !m->name || !m->email || !m->time) {
            rc = oom(err);
            goto done;
        }
    }
    if (s != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read the carpool groups");
        goto done;
    }
    number_groups(plan);
done:
    sqlite3_finalize(st);
    return rc;
}

static int load_unassigned(pl_carpool_saved_plan *plan, long long plan_id, pl_store *store,
                           pl_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc, s, failed = 0;

    rc = pl_store_prepare(store, &st,
                          "SELECT u.registration_id, r.name, r.email, u.travel, u.origin, "
                          "u.code, u.reason FROM carpool_unassigned u "
                          "JOIN registrations r ON r.id = u.registration_id "
                          "WHERE u.plan_id = ?1 ORDER BY u.registration_id",
                          err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, plan_id);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        pl_carpool_saved_unassigned *u;
        if (plan->nunassigned == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            pl_carpool_saved_unassigned *nu = realloc(plan->unassigned, ncap * sizeof(*nu));
            if (!nu) {
                rc = oom(err);
                goto done;
            }
            plan->unassigned = nu;
            cap = ncap;
        }
        u = &plan->unassigned[plan->nunassigned++];
        u->registration = sqlite3_column_int64(st, 0);
        u->name = pl_store_column_dup(st, 1, &failed);
        u->email = pl_store_column_dup(st, 2, &failed);
        u->travel = pl_store_column_dup(st, 3, &failed);
        u->origin = pl_store_column_dup(st, 4, &failed);
        u->code = pl_store_column_dup(st, 5, &failed);
        u->reason = pl_store_column_dup(st, 6, &failed);
        if (failed || !u->name || !u->email || !u->travel || !u->code || !u->reason) {
            rc = oom(err);
            goto done;
        }
    }
    if (s != SQLITE_DONE)
        rc = pl_store_fail(store, err, "cannot read the unassigned");
done:
    sqlite3_finalize(st);
    return rc;
}

int pl_carpool_plan_load(pl_carpool_saved_plan **out, pl_store *store, const char *slug,
                         pl_error *err)
{
    return pl_carpool_plan_load_trip(out, store, slug, PL_CARPOOL_OUTBOUND, err);
}

int pl_carpool_plan_load_trip(pl_carpool_saved_plan **out, pl_store *store, const char *slug,
                              pl_carpool_trip trip, pl_error *err)
{
    pl_carpool_saved_plan *plan = calloc(1, sizeof(*plan));
    long long plan_id = 0;
    int rc;

    *out = NULL;
    if (!plan)
        return oom(err);
    if ((rc = load_header(plan, &plan_id, store, slug, trip, err)) < 0)
        goto done;
    if ((rc = load_groups(plan, plan_id, store, err)) < 0)
        goto done;
    if ((rc = load_unassigned(plan, plan_id, store, err)) < 0)
        goto done;
    *out = plan;
    plan = NULL;
done:
    pl_carpool_saved_plan_free(plan);
    return rc;
}

/* ---- one registration's assignment ---- */

void pl_carpool_assignment_free(pl_carpool_assignment *a)
{
    if (!a)
        return;
    pl_carpool_saved_plan_free(a->plan);
    free(a->name);
    free(a->email);
    free(a->reason);
    free(a);
}

enum { BY_ROWID, BY_EMAIL, BY_TOKEN };

static int find_assignment(pl_carpool_assignment **out, pl_store *store, int by, long long rowid,
                           const char *slug, const char *key, pl_carpool_trip trip, pl_error *err)
{
    static const char *const sql[] = {
        [BY_ROWID] = "SELECT r.id, r.name, r.email, r.status, r.travel, e.slug "
                     "FROM registrations r JOIN events e ON e.id = r.event_id WHERE r.id = ?1",
        [BY_EMAIL] = "SELECT r.id, r.name, r.email, r.status, r.travel, e.slug "
                     "FROM registrations r JOIN events e ON e.id = r.event_id "
                     "WHERE e.slug = ?2 AND r.email = ?3",
        [BY_TOKEN] = "SELECT r.id, r.name, r.email, r.status, r.travel, e.slug "
                     "FROM registrations r JOIN events e ON e.id = r.event_id WHERE r.token = ?3",
    };
    pl_carpool_assignment *a = calloc(1, sizeof(*a));
    sqlite3_stmt *st = NULL;
    char *status = NULL, *travel = NULL, *event = NULL;
    int rc, s;

    *out = NULL;
    if (!a)
        return oom(err);
    if ((rc = pl_store_prepare(store, &st, sql[by], err)) < 0)
        goto done;
    if (by == BY_ROWID)
        sqlite3_bind_int64(st, 1, rowid);
    pl_store_bind_text(st, 2, slug);
    pl_store_bind_text(st, 3, key);
    s = sqlite3_step(st);
    if (s == SQLITE_DONE) {
        if (by == BY_EMAIL)
            rc = pl_error_set(err, PL_ENOTFOUND, "%s is not registered for '%s'", key, slug);
        else
            rc = pl_error_set(err, PL_ENOTFOUND, "no such registration");
        goto done;
    }
    if (s != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read the registration");
        goto done;
    }
    a->registration = sqlite3_column_int64(st, 0);
    a->name = pl_store_column_text(st, 1);
    a->email = pl_store_column_text(st, 2);
    status = pl_store_column_text(st, 3);
    travel = pl_store_column_text(st, 4);
    event = pl_store_column_text(st, 5);
    if (!a->name || !a->email || !status || !travel || !event) {
        rc = oom(err);
        goto done;
    }
    if ((rc = pl_carpool_plan_load_trip(&a->plan, store, event, trip, err)) < 0)
        goto done;

    if (strcmp(status, "confirmed") == 0) {
        for (size_t g = 0; g < a->plan->ngroups && !a->self; g++) {
            const pl_carpool_saved_group *sg = &a->plan->groups[g];
            if (sg->driver.registration == a->registration) {
                a->role = PL_CARPOOL_AS_DRIVER;
                a->group = sg;
                a->self = &sg->driver;
            }
            for (size_t k = 0; k < sg->npassengers && !a->self; k++)
                if (sg->passengers[k].registration == a->registration) {
                    a->role = PL_CARPOOL_AS_PASSENGER;
                    a->group = sg;
                    a->self = &sg->passengers[k];
                }
        }
        for (size_t u = 0; u < a->plan->nunassigned && !a->self && !a->unassigned; u++)
            if (a->plan->unassigned[u].registration == a->registration) {
                a->role = PL_CARPOOL_AS_UNASSIGNED;
                a->unassigned = &a->plan->unassigned[u];
            }
    }
    if (!a->role) {
        pl_buf why = PL_BUF_INIT;
        a->role = PL_CARPOOL_AS_OUTSIDE;
        if (strcmp(status, "cancelled") == 0)
            pl_buf_puts(&why, "the registration is cancelled");
        else if (strcmp(status, "waitlisted") == 0)
            pl_buf_puts(&why, "the registration is on the waiting list; carpools are planned "
                              "for confirmed registrations only");
        else if (strcmp(travel, "none") == 0)
            pl_buf_puts(&why, "no carpool was asked for (travel: none)");
        else
            pl_buf_printf(&why,
                          "registered or changed after the carpool plan of %s; the organiser "
                          "will include them when planning again",
                          a->plan->planned);
        if (!(a->reason = pl_buf_detach(&why))) {
            rc = oom(err);
            goto done;
        }
    }
    *out = a;
    a = NULL;
done:
    sqlite3_finalize(st);
    free(status);
    free(travel);
    free(event);
    pl_carpool_assignment_free(a);
    return rc;
}

int pl_carpool_assignment_find(pl_carpool_assignment **out, pl_store *store, long long registration,
                               pl_error *err)
{
    return find_assignment(out, store, BY_ROWID, registration, NULL, NULL, PL_CARPOOL_OUTBOUND,
                           err);
}

int pl_carpool_assignment_find_email(pl_carpool_assignment **out, pl_store *store, const char *slug,
                                     const char *email, pl_error *err)
{
    return find_assignment(out, store, BY_EMAIL, 0, slug, email, PL_CARPOOL_OUTBOUND, err);
}

int pl_carpool_assignment_find_trip(pl_carpool_assignment **out, pl_store *store,
                                    long long registration, pl_carpool_trip trip, pl_error *err)
{
    return find_assignment(out, store, BY_ROWID, registration, NULL, NULL, trip, err);
}

int pl_carpool_assignment_find_email_trip(pl_carpool_assignment **out, pl_store *store,
                                          const char *slug, const char *email, pl_carpool_trip trip,
                                          pl_error *err)
{
    return find_assignment(out, store, BY_EMAIL, 0, slug, email, trip, err);
}

int pl_carpool_assignment_find_token(pl_carpool_assignment **out, pl_store *store,
                                     const char *token, pl_error *err)
{
    return find_assignment(out, store, BY_TOKEN, 0, NULL, token, PL_CARPOOL_OUTBOUND, err);
}

int pl_carpool_travellers_count(size_t *out, pl_store *store, const char *slug, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *out = 0;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT count(*) FROM registrations r JOIN events e ON e.id = "
                               "r.event_id WHERE e.slug = ?1 AND r.travel <> 'none'",
                               err)) < 0)
        return rc;
    pl_store_bind_text(st, 1, slug);
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = (size_t)sqlite3_column_int64(st, 0);
    else
        rc = pl_store_fail(store, err, "cannot count the travellers");
    sqlite3_finalize(st);
    return rc;
}
