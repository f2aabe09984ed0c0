/*
 * carpool_changes.c - changes to the cars of a stored plan between two plans:
 * a member who cancels, an organiser who moves someone, a passenger who
 * leaves, a driver who declines. Each one rewrites the car's rows, brings the
 * pickups up to date, and, when a confirmed car is concerned, records the
 * change (table carpool_changes) and queues the carpool messages
 * (pl_outbox_carpool_changed), all in one transaction. People kept
 * together are carpool_together.c's; reading the record,
 * carpool_changes_list.c's.
 *
 * About 1,050 lines, on purpose: every change here (a cancel, a move, a
 * passenger leaving, a driver declining) works on the same private picture
 * of one car (stop, car, geo: its route, order and limits) inside the same
 * transaction that records and tells; split, that picture would become a
 * header of its own.
 */
#include "carpool_plan.h"
#include "carpool_changes_internal.h"
#include "event.h"
#include "origin.h"
#include "outbox.h"
#include "store_private.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static long long changes_mark(pl_store *store, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    long long mark = 0;

    if (pl_store_prepare(store, &st, "SELECT coalesce(max(id), 0) FROM carpool_changes", err) < 0)
        return PL_EIO;
    if (sqlite3_step(st) == SQLITE_ROW)
        mark = sqlite3_column_int64(st, 0);
    else
        mark = pl_store_fail(store, err, "cannot read the carpool changes");
    sqlite3_finalize(st);
    return mark;
}

/* One row of carpool_changes; driver and from 0 for NULL. */
static int record(pl_store *store, long long event_id, pl_carpool_trip trip, long long driver,
                  long long from, long long registration, const char *what, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc;

    if ((rc = pl_store_prepare(store, &st,
                               "INSERT INTO carpool_changes (event_id, trip, driver_id, "
                               "from_driver_id, registration_id, what, at) VALUES (?1, ?2, "
                               "nullif(?3, 0), nullif(?4, 0), ?5, ?6, ?7)",
                               err)) < 0)
        return rc;
    pl_now_utc(now);
    sqlite3_bind_int64(st, 1, event_id);
    pl_store_bind_text(st, 2, pl_carpool_trip_name(trip));
    sqlite3_bind_int64(st, 3, driver);
    sqlite3_bind_int64(st, 4, from);
    sqlite3_bind_int64(st, 5, registration);
    pl_store_bind_text(st, 6, what);
    pl_store_bind_text(st, 7, now);
    rc = pl_store_step(store, st, "cannot record the carpool change", err);
    sqlite3_finalize(st);
    return rc;
}

int pl_carpool_change_record(pl_store *store, long long event_id, pl_carpool_trip trip,
                             long long driver, long long from, long long registration,
                             const char *what, pl_error *err)
{
    return record(store, event_id, trip, driver, from, registration, what, err);
}

/* After rows of the plan of (slug, trip) changed: the pickups (feeds) in
 * line with it, and the messages of the changes recorded after mark. */
static int finish(pl_store *store, long long event_id, const char *slug, pl_carpool_trip trip,
                  long long mark, int *told, pl_error *err)
{
    pl_carpool_saved_plan *plan = NULL;
    int rc;

    if ((rc = pl_carpool_plan_load_trip(&plan, store, slug, trip, err)) < 0)
        return rc;
    rc = pl_carpool_pickups_sync(store, plan, err);
    pl_carpool_saved_plan_free(plan);
    if (rc < 0)
        return rc;
    rc = pl_outbox_carpool_changed(store, event_id, mark, err);
    if (rc >= 0 && told)
        *told += rc;
    return rc < 0 ? rc : 0;
}

int pl_carpool_changes_notify(pl_store *store, long long event_id, long long mark, pl_error *err)
{
    int rc = pl_outbox_carpool_changed(store, event_id, mark, err);
    return rc < 0 ? rc : 0;
}

long long pl_carpool_changes_mark(pl_store *store, pl_error *err)
{
    return changes_mark(store, err);
}

/* The passengers of group gid lose their seat: listed without one (reason
 * code: seat_lost when the driver cancelled, driver_declined), each recorded
 * when the car was confirmed. */
static int unseat_passengers(pl_store *store, long long plan_id, long long gid, long long event_id,
                             pl_carpool_trip trip, long long driver, int confirmed,
                             const char *code, const char *why, pl_error *err)
{
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int rc, s;

    if ((rc = pl_store_prepare(store, &sel,
                               "SELECT m.registration_id FROM carpool_members m WHERE "
                               "m.group_id = ?1 AND m.position > 0 ORDER BY m.position",
                               err)) < 0 ||
        (rc = pl_store_prepare(store, &ins,
                               "INSERT OR REPLACE INTO carpool_unassigned (plan_id, "
                               "registration_id, travel, origin, code, reason) SELECT ?1, r.id, "
                               "r.travel, r.origin, ?4, ?3 FROM "
                               "registrations r WHERE r.id = ?2",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(sel, 1, gid);
    while ((s = sqlite3_step(sel)) == SQLITE_ROW) {
        long long reg = sqlite3_column_int64(sel, 0);
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, plan_id);
        sqlite3_bind_int64(ins, 2, reg);
        pl_store_bind_text(ins, 3, why);
        pl_store_bind_text(ins, 4, code);
        if ((rc = pl_store_step(store, ins, "cannot update the carpool plan", err)) < 0)
            goto done;
        if (confirmed && (rc = record(store, event_id, trip, driver, 0, reg, "lost_seat", err)) < 0)
            goto done;
    }
    if (s != SQLITE_DONE)
        rc = pl_store_fail(store, err, "cannot read the carpool plan");
done:
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return rc;
}

static int delete_group(pl_store *store, long long gid, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &st, "DELETE FROM carpool_groups WHERE id = ?1", err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, gid);
    rc = pl_store_step(store, st, "cannot update the carpool plan", err);
    sqlite3_finalize(st);
    return rc;
}

/* The plan totals after its groups changed by hand: cars, passengers,
 * riders seated and km from the stored groups. */
static int refresh_totals(pl_store *store, long long plan_id, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = pl_store_prepare(
             store, &st,
             "UPDATE carpool_plans SET "
             "cars = (SELECT count(*) FROM carpool_groups g WHERE g.plan_id = ?1), "
             "passengers = (SELECT count(*) FROM carpool_groups g JOIN carpool_members m ON "
             "m.group_id = g.id WHERE g.plan_id = ?1 AND m.position > 0), "
             "riders_seated = (SELECT count(*) FROM carpool_groups g JOIN carpool_members m ON "
             "m.group_id = g.id JOIN registrations r ON r.id = m.registration_id WHERE "
             "g.plan_id = ?1 AND m.position > 0 AND r.travel = 'ride'), "
             "vehicle_km = coalesce((SELECT sum(distance_km) FROM carpool_groups g WHERE "
             "g.plan_id = ?1), 0) WHERE id = ?1",
             err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, plan_id);
    rc = pl_store_step(store, st, "cannot update the carpool plan", err);
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    /* everyone in a car, driving alone to the venue: km from the stored points */
    {
        sqlite3_stmt *sel = NULL;
        double alone = 0.0;
        int s;
        if ((rc = pl_store_prepare(store, &sel,
                                   "SELECT m.lat, m.lon, e.venue_lat, e.venue_lon, p.road_factor "
                                   "FROM carpool_plans p JOIN events e ON e.id = p.event_id JOIN "
                                   "carpool_groups g ON g.plan_id = p.id JOIN carpool_members m "
                                   "ON m.group_id = g.id WHERE p.id = ?1",
                                   err)) < 0)
            return rc;
        sqlite3_bind_int64(sel, 1, plan_id);
        while ((s = sqlite3_step(sel)) == SQLITE_ROW) {
            pl_carpool_point a = {sqlite3_column_double(sel, 0), sqlite3_column_double(sel, 1)};
            pl_carpool_point b = {sqlite3_column_double(sel, 2), sqlite3_column_double(sel, 3)};
            alone += pl_carpool_distance_km(&a, &b, sqlite3_column_double(sel, 4));
        }
        if (s != SQLITE_DONE)
            rc = pl_store_fail(store, err, "cannot read the carpool plan");
        sqlite3_finalize(sel);
        if (rc < 0)
            return rc;
        if ((rc = pl_store_prepare(store, &st,
                                   "UPDATE carpool_plans SET vehicle_km_alone = ?2 WHERE id = ?1",
                                   err)) < 0)
            return rc;
        sqlite3_bind_int64(st, 1, plan_id);
        sqlite3_bind_double(st, 2, alone);
        rc = pl_store_step(store, st, "cannot update the carpool plan", err);
        sqlite3_finalize(st);
        st = NULL;
        if (rc < 0)
            return rc;
    }
    if ((rc = pl_store_prepare(store, &st,
                               "UPDATE carpool_plans SET vehicle_km_avoided = vehicle_km_alone - "
                               "vehicle_km, co2_avoided_kg = (vehicle_km_alone - vehicle_km) * "
                               "co2_kg_per_km WHERE id = ?1",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, plan_id);
    rc = pl_store_step(store, st, "cannot update the carpool plan", err);
    sqlite3_finalize(st);
    return rc;
}

/* ---- a confirmed member cancels ---- */

int pl_carpool_registration_left(pl_store *store, long long registration_id, pl_error *err)
{
    sqlite3_stmt *st = NULL, *del = NULL;
    long long mark, event_id = 0;
    char *slug = NULL;
    int rc, s, trips[2] = {0, 0};

    if ((mark = changes_mark(store, err)) < 0)
        return (int)mark;
    rc = pl_store_prepare(store, &st,
                          "SELECT g.id, g.driver_id, m.position, p.trip, p.id, e.id, e.slug "
                          "FROM carpool_members m JOIN carpool_groups g ON g.id = m.group_id "
                          "JOIN carpool_plans p ON p.id = g.plan_id JOIN events e ON "
                          "e.id = p.event_id WHERE m.registration_id = ?1 AND g.confirmed = 1",
                          err);
    if (rc < 0)
        return rc;
    if ((rc = pl_store_prepare(store, &del,
                               "DELETE FROM carpool_members WHERE group_id = ?1 AND "
                               "registration_id = ?2",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, registration_id);
    /* read all first: the rows change below */
    struct hit {
        long long gid, driver, plan;
        int position;
        pl_carpool_trip trip;
    } hits[2];
    size_t nhits = 0;
    while ((s = sqlite3_step(st)) == SQLITE_ROW && nhits < 2) {
        struct hit *h = &hits[nhits++];
        h->gid = sqlite3_column_int64(st, 0);
        h->driver = sqlite3_column_int64(st, 1);
        h->position = sqlite3_column_int(st, 2);
        if (pl_carpool_trip_parse(&h->trip, (const char *)sqlite3_column_text(st, 3)) < 0)
            h->trip = PL_CARPOOL_OUTBOUND;
        h->plan = sqlite3_column_int64(st, 4);
        event_id = sqlite3_column_int64(st, 5);
        if (!slug && !(slug = pl_store_column_text(st, 6))) {
            rc = pl_error_oom(err);
            goto done;
        }
    }
    if (s != SQLITE_DONE && s != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read the carpool plan");
        goto done;
    }
    for (size_t i = 0; i < nhits; i++) {
        const struct hit *h = &hits[i];
        if (h->position > 0) {
            sqlite3_reset(del);
            sqlite3_bind_int64(del, 1, h->gid);
            sqlite3_bind_int64(del, 2, registration_id);
            if ((rc = pl_store_step(store, del, "cannot update a carpool group", err)) < 0 ||
                (rc = record(store, event_id, h->trip, h->driver, 0, registration_id, "left",
                             err)) < 0)
                goto done;
        } else {
            if ((rc = unseat_passengers(store, h->plan, h->gid, event_id, h->trip, h->driver, 1,
                                        PL_CARPOOL_WHY_SEAT_LOST,
                                        "their driver cancelled: the car will be planned again",
                                        err)) < 0 ||
                (rc = record(store, event_id, h->trip, h->driver, 0, registration_id,
                             "driver_cancelled", err)) < 0 ||
                (rc = delete_group(store, h->gid, err)) < 0)
                goto done;
        }
        if ((rc = refresh_totals(store, h->plan, err)) < 0)
            goto done;
        trips[h->trip] = 1;
    }
    for (int t = 0; t < 2; t++)
        if (trips[t] &&
            (rc = finish(store, event_id, slug, (pl_carpool_trip)t, mark, NULL, err)) < 0)
            goto done;
done:
    sqlite3_finalize(st);
    sqlite3_finalize(del);
    free(slug);
    return rc;
}

/* ---- moving people between cars by hand ---- */

/* A stop of a car: a member as stored (or about to be). */
typedef struct stop {
    long long reg;
    const char *origin, *place, *precision;
    double lat, lon;
} stop;

/* A car being rewritten: its driver's stop, its passengers in the engine's
 * order (towards the venue), and its figures. */
typedef struct car {
    long long gid, driver;
    int confirmed, seats;
    stop home;
    stop *pass;
    size_t n;
    char departure[32], arrival[32];
    double direct, distance;
} car;

typedef struct geo {
    pl_carpool_point venue;
    const pl_carpool_options *o;
} geo;

static double km(const geo *g, double lat1, double lon1, double lat2, double lon2)
{
    pl_carpool_point a = {lat1, lon1}, b = {lat2, lon2};
    return pl_carpool_distance_km(&a, &b, g->o->road_factor);
}

static double route_km(const geo *g, const stop *home, const stop *p, const size_t *order, size_t n)
{
    double total = 0.0, lat = home->lat, lon = home->lon;
    for (size_t i = 0; i < n; i++) {
        total += km(g, lat, lon, p[order[i]].lat, p[order[i]].lon);
        lat = p[order[i]].lat;
        lon = p[order[i]].lon;
    }
    return total + km(g, lat, lon, g->venue.lat, g->venue.lon);
}

static void permute(const geo *g, const car *c, size_t *cur, size_t k, int *used, size_t *best,
                    double *best_km)
{
    if (k == c->n) {
        double d = route_km(g, &c->home, c->pass, cur, c->n);
        if (d < *best_km - 1e-9) {
            *best_km = d;
            memcpy(best, cur, c->n * sizeof(*best));
        }
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        if (used[i])
            continue;
        used[i] = 1;
        cur[k] = i;
        permute(g, c, cur, k + 1, used, best, best_km);
        used[i] = 0;
    }
}

/* The shortest pickup order of c's passengers: every order for up to 7,
 * else the order as it is with the last one inserted where it costs least. */
static int best_order(const geo *g, car *c, pl_error *err)
{
    size_t n = c->n, *cur = NULL, *best = NULL;
    int *used = NULL;
    stop *sorted = NULL;
    double best_km = INFINITY;

    if (n == 0) {
        c->distance = route_km(g, &c->home, NULL, NULL, 0);
        return 0;
    }
    cur = calloc(n, sizeof(*cur));
    best = calloc(n, sizeof(*best));
    used = calloc(n, sizeof(*used));
    sorted = calloc(n, sizeof(*sorted));
    if (!cur || !best || !used || !sorted) {
        free(cur);
        free(best);
        free(used);
        free(sorted);
        return pl_error_oom(err);
    }
    if (n <= 7) {
        permute(g, c, cur, 0, used, best, &best_km);
    } else {
        /* the others in their order, the last one at its best place */
        for (size_t pos = 0; pos < n; pos++) {
            size_t k = 0;
            for (size_t i = 0; i + 1 < n; i++) {
                if (i == pos)
                    cur[k++] = n - 1;
                cur[k++] = i;
            }
            if (pos == n - 1)
                cur[k++] = n - 1;
            double d = route_km(g, &c->home, c->pass, cur, n);
            if (d < best_km - 1e-9) {
                best_km = d;
                memcpy(best, cur, n * sizeof(*best));
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = c->pass[best[i]];
    memcpy(c->pass, sorted, n * sizeof(*sorted));
    c->distance = best_km;
    free(cur);
    free(best);
    free(used);
    free(sorted);
    return 0;
}

static double detour_minutes(const geo *g, const car *c)
{
    return (c->distance - c->direct) / g->o->speed_kmh * 60.0 + (double)c->n * g->o->stop_minutes;
}

static int within_limits(const geo *g, const car *c)
{
    double extra = c->direct * g->o->max_detour_pct / 100.0;
    if (g->o->max_detour_minutes >= 0.0) {
        double cap =
            (g->o->max_detour_minutes - (double)c->n * g->o->stop_minutes) * g->o->speed_kmh / 60.0;
        if (cap < extra)
            extra = cap;
    }
    return c->distance <= c->direct + extra + 1e-6;
}

static long clock_of(const char *t)
{
    pl_datetime dt;
    if (!t || pl_datetime_parse(&dt, t) < 0)
        return 0;
    return (long)pl_datetime_minutes(&dt);
}

/* Store car c: its members in order with their times, its figures. The way
 * there counts back from the arrival; the way home forward from the
 * departure, passengers in drop-off order. */
static int write_car(pl_store *store, const geo *g, car *c, pl_carpool_trip trip, pl_error *err)
{
    sqlite3_stmt *del = NULL, *ins = NULL, *upd = NULL;
    size_t n = c->n;
    double *legs = calloc(n + 1, sizeof(*legs));
    long *times = calloc(n + 1, sizeof(*times));
    char when[32];
    int rc;

    if (!legs || !times) {
        free(legs);
        free(times);
        return pl_error_oom(err);
    }
    {
        double lat = c->home.lat, lon = c->home.lon;
        for (size_t i = 0; i < n; i++) {
            legs[i] = km(g, lat, lon, c->pass[i].lat, c->pass[i].lon);
            lat = c->pass[i].lat;
            lon = c->pass[i].lon;
        }
        legs[n] = km(g, lat, lon, g->venue.lat, g->venue.lon);
    }
    if (trip == PL_CARPOOL_RETURN) {
        /* times[0]: departure; times[1 + i]: drop-off i (reverse order) */
        double t = (double)clock_of(c->departure);
        times[0] = (long)t;
        for (size_t i = 0; i < n; i++) {
            t += legs[n - i] / g->o->speed_kmh * 60.0;
            times[1 + i] = (long)ceil(t - 1e-9);
            t += g->o->stop_minutes;
        }
        t += legs[0] / g->o->speed_kmh * 60.0;
        pl_carpool_time_format((long)ceil(t - 1e-9), c->arrival, sizeof(c->arrival));
        /* drop-off order */
        for (size_t i = 0; i < n / 2; i++) {
            stop tmp = c->pass[i];
            c->pass[i] = c->pass[n - 1 - i];
            c->pass[n - 1 - i] = tmp;
        }
    } else {
        double t = (double)clock_of(c->arrival);
        for (size_t i = n; i > 0; i--) {
            t -= legs[i] / g->o->speed_kmh * 60.0;
            t -= g->o->stop_minutes;
            times[i] = (long)floor(t);
        }
        t -= legs[0] / g->o->speed_kmh * 60.0;
        times[0] = (long)floor(t);
        pl_carpool_time_format(times[0], c->departure, sizeof(c->departure));
    }
    if ((rc = pl_store_prepare(store, &del, "DELETE FROM carpool_members WHERE group_id = ?1",
                               err)) < 0 ||
        (rc = pl_store_prepare(store, &ins,
                               "INSERT INTO carpool_members (group_id, position, registration_id, "
                               "origin, place, lat, lon, time, precision) VALUES (?1, ?2, ?3, ?4, "
                               "?5, ?6, ?7, ?8, ?9)",
                               err)) < 0 ||
        (rc = pl_store_prepare(store, &upd,
                               "UPDATE carpool_groups SET departure = ?2, arrival = ?3, "
                               "distance_km = ?4, detour_km = ?5 WHERE id = ?1",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(del, 1, c->gid);
    if ((rc = pl_store_step(store, del, "cannot update a carpool group", err)) < 0)
        goto done;
    for (size_t k = 0; k <= n; k++) {
        const stop *s = k == 0 ? &c->home : &c->pass[k - 1];
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, c->gid);
        sqlite3_bind_int(ins, 2, (int)k);
        sqlite3_bind_int64(ins, 3, s->reg);
        pl_store_bind_text(ins, 4, s->origin);
        pl_store_bind_text(ins, 5, s->place);
        sqlite3_bind_double(ins, 6, s->lat);
        sqlite3_bind_double(ins, 7, s->lon);
        pl_carpool_time_format(times[k], when, sizeof(when));
        pl_store_bind_text(ins, 8, when);
        pl_store_bind_text(ins, 9, s->precision);
        if ((rc = pl_store_step(store, ins, "cannot update a carpool group", err)) < 0)
            goto done;
    }
    sqlite3_bind_int64(upd, 1, c->gid);
    pl_store_bind_text(upd, 2, c->departure);
    pl_store_bind_text(upd, 3, c->arrival);
    sqlite3_bind_double(upd, 4, c->distance);
    sqlite3_bind_double(upd, 5, c->distance - c->direct);
    rc = pl_store_step(store, upd, "cannot update a carpool group", err);
done:
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    free(legs);
    free(times);
    return rc;
}

static stop stop_of(const pl_carpool_member *m)
{
    stop s = {m->registration, m->origin, m->place, m->precision, m->lat, m->lon};
    return s;
}

/* Car of stored group sg (plan plan_id): passengers in the engine's order. */
static int car_of(car *c, pl_store *store, long long plan_id, const geo *g,
                  const pl_carpool_saved_group *sg, pl_carpool_trip trip, size_t extra,
                  pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    memset(c, 0, sizeof(*c));
    c->driver = sg->driver.registration;
    c->confirmed = sg->confirmed;
    c->seats = sg->seats;
    c->home = stop_of(&sg->driver);
    c->n = sg->npassengers;
    c->pass = calloc(c->n + extra + 1, sizeof(*c->pass));
    if (!c->pass)
        return pl_error_oom(err);
    for (size_t i = 0; i < c->n; i++)
        c->pass[i] = stop_of(&sg->passengers[trip == PL_CARPOOL_RETURN ? c->n - 1 - i : i]);
    snprintf(c->departure, sizeof(c->departure), "%s", sg->departure ? sg->departure : "");
    snprintf(c->arrival, sizeof(c->arrival), "%s", sg->arrival ? sg->arrival : "");
    c->direct = km(g, c->home.lat, c->home.lon, g->venue.lat, g->venue.lon);
    c->distance = route_km(g, &c->home, c->pass, NULL, 0);
    {
        size_t *id = calloc(c->n + 1, sizeof(*id));
        if (!id)
            return pl_error_oom(err);
        for (size_t i = 0; i < c->n; i++)
            id[i] = i;
        c->distance = route_km(g, &c->home, c->pass, id, c->n);
        free(id);
    }
    if ((rc = pl_store_prepare(
             store, &st, "SELECT id FROM carpool_groups WHERE plan_id = ?1 AND driver_id = ?2",
             err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, plan_id);
    sqlite3_bind_int64(st, 2, c->driver);
    if (sqlite3_step(st) == SQLITE_ROW)
        c->gid = sqlite3_column_int64(st, 0);
    else
        rc = pl_store_fail(store, err, "cannot read the carpool plan");
    sqlite3_finalize(st);
    return rc;
}

static int same_email(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

/* The plan of (slug, trip) as stored, its id and the event's (venue). */
static int open_plan(pl_carpool_saved_plan **plan, long long *plan_id, pl_event **ev,
                     pl_store *store, const char *slug, pl_carpool_trip trip, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = pl_carpool_plan_load_trip(plan, store, slug, trip, err)) < 0)
        return rc;
    if ((rc = pl_event_load(ev, store, slug, err)) < 0)
        return rc;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT p.id FROM carpool_plans p JOIN events e ON e.id = "
                               "p.event_id WHERE e.slug = ?1 AND p.trip = ?2",
                               err)) < 0)
        return rc;
    pl_store_bind_text(st, 1, slug);
    pl_store_bind_text(st, 2, pl_carpool_trip_name(trip));
    if (sqlite3_step(st) == SQLITE_ROW)
        *plan_id = sqlite3_column_int64(st, 0);
    else
        rc = pl_store_fail(store, err, "cannot read the carpool plan");
    sqlite3_finalize(st);
    return rc;
}

int pl_carpool_run_id(pl_store *store, const char *sql, long long a, long long b, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &st, sql, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    rc = pl_store_step(store, st, "cannot update the carpool plan", err);
    sqlite3_finalize(st);
    return rc;
}

/* When registration reg leaves the venue: the end of the last session they
 * attend, else the event's end (as the way home is planned). */
static long leave_clock(pl_store *store, long long reg)
{
    sqlite3_stmt *st = NULL;
    long t = 0;

    if (pl_store_prepare(store, &st,
                         "SELECT coalesce((SELECT max(s.end) FROM sessions s WHERE s.event_id = "
                         "r.event_id AND s.status = 'confirmed' AND (s.kind <> 'workshop' OR "
                         "s.id IN (SELECT rs.session_id FROM registration_sessions rs WHERE "
                         "rs.registration_id = r.id AND rs.status = 'confirmed'))), e.end) FROM "
                         "registrations r JOIN events e ON e.id = r.event_id WHERE r.id = ?1",
                         NULL) < 0)
        return 0;
    sqlite3_bind_int64(st, 1, reg);
    if (sqlite3_step(st) == SQLITE_ROW)
        t = clock_of((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return t;
}

/* Is the car of driver in plan plan_id locked (carpool lock)? */
static int is_locked(pl_store *store, long long driver)
{
    sqlite3_stmt *st = NULL;
    int locked = 0;

    if (pl_store_prepare(store, &st,
                         "SELECT locked FROM carpool_choices WHERE registration_id = ?1", NULL) < 0)
        return 1; /* when in doubt, do not touch it */
    sqlite3_bind_int64(st, 1, driver);
    if (sqlite3_step(st) == SQLITE_ROW)
        locked = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return locked;
}

/* The move, inside the caller's transaction: rows rewritten, recorded when
 * a confirmed car is concerned (the caller brings the pickups in line and
 * queues the messages). fixed_too = 0 refuses to touch a confirmed or locked
 * car (the planner keeping people together). *event_id gets the event. */
int pl_carpool_move_in_tx(pl_carpool_move_result *out, long long *event_id, pl_store *store,
                          const char *slug, const char *email, const char *to_email,
                          pl_carpool_trip trip, int force, int fixed_too, pl_error *err)
{
    pl_carpool_move_result res;
    pl_carpool_saved_plan *plan = NULL;
    pl_event *ev = NULL;
    const pl_carpool_saved_group *from = NULL, *to = NULL, *solo = NULL;
    const pl_carpool_saved_unassigned *un = NULL;
    const pl_carpool_member *self = NULL;
    car cf = {0}, ct = {0};
    pl_origin where;
    stop mover = {0};
    long long plan_id = 0;
    geo g;
    int rc;

    memset(&res, 0, sizeof(res));
    if (out)
        *out = res;
    if ((rc = open_plan(&plan, &plan_id, &ev, store, slug, trip, err)) < 0)
        goto done;
    g.venue.lat = ev->venue_lat;
    g.venue.lon = ev->venue_lon;
    g.o = &plan->options;
    for (size_t i = 0; i < plan->ngroups; i++) {
        const pl_carpool_saved_group *sg = &plan->groups[i];
        if (same_email(sg->driver.email, to_email))
            to = sg;
        if (same_email(sg->driver.email, email)) {
            self = &sg->driver;
            solo = sg;
        }
        for (size_t k = 0; k < sg->npassengers; k++)
            if (same_email(sg->passengers[k].email, email)) {
                from = sg;
                self = &sg->passengers[k];
            }
    }
    for (size_t u = 0; u < plan->nunassigned && !self; u++)
        if (same_email(plan->unassigned[u].email, email))
            un = &plan->unassigned[u];
    if (!self && !un) {
        rc = pl_error_set(err, PL_ENOTFOUND,
                          "%s is not in the carpool plan of '%s' (not registered, not "
                          "travelling, waiting, or registered since): plan again first",
                          email, slug);
        goto done;
    }
    if (!to) {
        rc = pl_error_set(err, PL_EINVALID, "%s drives no car in the %s plan of '%s'", to_email,
                          pl_carpool_trip_name(trip), slug);
        goto done;
    }
    if (solo && solo->npassengers > 0) {
        rc =
            pl_error_set(err, PL_EINVALID, "%s drives a car with %zu passenger(s): move them first",
                         email, solo->npassengers);
        goto done;
    }
    if (to == from || to == solo) {
        rc = pl_error_set(err, PL_EINVALID, "%s is already in the car of %s", email, to_email);
        goto done;
    }
    if (!fixed_too &&
        (to->confirmed || (from && from->confirmed) || is_locked(store, to->driver.registration) ||
         (from && is_locked(store, from->driver.registration)))) {
        rc = pl_error_set(err, PL_EINVALID, "a confirmed or locked car is kept as it is");
        goto done;
    }
    if (trip == PL_CARPOOL_RETURN && !force &&
        leave_clock(store, self ? self->registration : un->registration) >
            clock_of(to->departure)) {
        rc = pl_error_set(err, PL_EINVALID,
                          "%s is still at the venue when the car of %s leaves (%s); add --force "
                          "to move them anyway",
                          email, to_email, to->departure ? to->departure : "?");
        goto done;
    }
    if (to->npassengers + 1 > (size_t)to->seats) {
        rc = pl_error_set(err, PL_EINVALID, "the car of %s is full (%zu of %d seats taken)",
                          to_email, to->npassengers, to->seats);
        goto done;
    }
    if (self) {
        mover = stop_of(self);
    } else {
        if (pl_origin_resolve(&where, un->origin) < 0) {
            rc = pl_error_set(err, PL_EINVALID,
                              "the origin of %s (\"%s\") cannot be placed: correct it first", email,
                              un->origin ? un->origin : "");
            goto done;
        }
        mover.reg = un->registration;
        mover.origin = un->origin;
        mover.place = where.name[0] ? where.name : NULL;
        mover.precision = pl_origin_precision_name(where.precision);
        mover.lat = where.lat;
        mover.lon = where.lon;
    }

    /* the car moved to */
    if ((rc = car_of(&ct, store, plan_id, &g, to, trip, 1, err)) < 0)
        goto done;
    res.detour_km_before = ct.distance - ct.direct;
    res.detour_pct_before = ct.direct > 0 ? 100.0 * res.detour_km_before / ct.direct : 0.0;
    res.detour_min_before = detour_minutes(&g, &ct);
    ct.pass[ct.n++] = mover;
    if ((rc = best_order(&g, &ct, err)) < 0)
        goto done;
    res.detour_km_after = ct.distance - ct.direct;
    res.detour_pct_after = ct.direct > 0 ? 100.0 * res.detour_km_after / ct.direct : 0.0;
    res.detour_min_after = detour_minutes(&g, &ct);
    res.over_limit = !within_limits(&g, &ct);
    if (res.over_limit && !force) {
        rc = pl_error_set(err, PL_EINVALID,
                          "the detour of %s's car would grow by %.1f km and %.0f min, from "
                          "%.1f km (%.0f %%, %.0f min) to %.1f km (%.0f %%, %.0f min), beyond "
                          "the plan's limits (%.0f %%, %s%.0f min); add --force to accept it",
                          to_email, res.detour_km_after - res.detour_km_before,
                          res.detour_min_after - res.detour_min_before, res.detour_km_before,
                          res.detour_pct_before, res.detour_min_before, res.detour_km_after,
                          res.detour_pct_after, res.detour_min_after, g.o->max_detour_pct,
                          g.o->max_detour_minutes < 0 ? "no cap, " : "",
                          g.o->max_detour_minutes < 0 ? 0.0 : g.o->max_detour_minutes);
        goto done;
    }
    if ((rc = write_car(store, &g, &ct, trip, err)) < 0)
        goto done;
    /* where they came from */
    if (from) {
        if ((rc = car_of(&cf, store, plan_id, &g, from, trip, 0, err)) < 0)
            goto done;
        for (size_t i = 0; i < cf.n; i++)
            if (cf.pass[i].reg == mover.reg) {
                memmove(&cf.pass[i], &cf.pass[i + 1], (cf.n - i - 1) * sizeof(*cf.pass));
                cf.n--;
                break;
            }
        {
            size_t *id = calloc(cf.n + 1, sizeof(*id));
            if (!id) {
                rc = pl_error_oom(err);
                goto done;
            }
            for (size_t i = 0; i < cf.n; i++)
                id[i] = i;
            cf.distance = route_km(&g, &cf.home, cf.pass, id, cf.n);
            free(id);
        }
        if ((rc = write_car(store, &g, &cf, trip, err)) < 0)
            goto done;
    } else if (solo) {
        if ((rc = pl_carpool_run_id(
                 store, "DELETE FROM carpool_groups WHERE plan_id = ?1 AND driver_id = ?2", plan_id,
                 mover.reg, err)) < 0)
            goto done;
    } else {
        if ((rc = pl_carpool_run_id(store,
                                    "DELETE FROM carpool_unassigned WHERE plan_id = ?1 AND "
                                    "registration_id = ?2",
                                    plan_id, mover.reg, err)) < 0)
            goto done;
    }
    if ((rc = refresh_totals(store, plan_id, err)) < 0)
        goto done;
    if (ct.confirmed || (from && from->confirmed)) {
        res.recorded = 1;
        if ((rc = record(store, ev->rowid, trip, ct.driver, from ? from->driver.registration : 0,
                         mover.reg, "moved", err)) < 0)
            goto done;
    }
    *event_id = ev->rowid;
    if (out)
        *out = res;
done:
    free(cf.pass);
    free(ct.pass);
    pl_event_free(ev);
    pl_carpool_saved_plan_free(plan);
    return rc;
}

int pl_carpool_move(pl_carpool_move_result *out, pl_store *store, const char *slug,
                    const char *email, const char *to_email, pl_carpool_trip trip, int force,
                    pl_error *err)
{
    pl_carpool_move_result res;
    long long mark, event_id = 0;
    int rc;

    memset(&res, 0, sizeof(res));
    if (out)
        *out = res;
    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    if ((mark = changes_mark(store, err)) < 0)
        rc = (int)mark;
    else if ((rc = pl_carpool_move_in_tx(&res, &event_id, store, slug, email, to_email, trip, force,
                                         1, err)) == 0 &&
             (rc = finish(store, event_id, slug, trip, mark, &res.told, err)) == 0)
        rc = pl_store_commit(store, err);
    if (rc < 0) {
        pl_store_rollback(store);
        return rc;
    }
    if (out)
        *out = res;
    return rc;
}

/* ---- the attendee's own actions ---- */

enum { LEAVE, DECLINE };

static int own_action(int action, pl_store *store, const char *slug, const char *email,
                      pl_carpool_trip trip, int *told, pl_error *err)
{
    pl_carpool_saved_plan *plan = NULL;
    pl_event *ev = NULL;
    const pl_carpool_saved_group *sg = NULL;
    long long plan_id = 0, mark = 0, self = 0;
    car c = {0};
    geo g;
    int rc, n = 0;

    if (told)
        *told = 0;
    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    if ((mark = changes_mark(store, err)) < 0) {
        rc = (int)mark;
        goto done;
    }
    if ((rc = open_plan(&plan, &plan_id, &ev, store, slug, trip, err)) < 0)
        goto done;
    g.venue.lat = ev->venue_lat;
    g.venue.lon = ev->venue_lon;
    g.o = &plan->options;
    for (size_t i = 0; i < plan->ngroups && !sg; i++) {
        const pl_carpool_saved_group *x = &plan->groups[i];
        if (action == DECLINE && same_email(x->driver.email, email)) {
            sg = x;
            self = x->driver.registration;
        }
        for (size_t k = 0; action == LEAVE && k < x->npassengers; k++)
            if (same_email(x->passengers[k].email, email)) {
                sg = x;
                self = x->passengers[k].registration;
            }
    }
    if (!sg) {
        rc = pl_error_set(err, PL_EINVALID,
                          action == LEAVE ? "%s rides in no car of the %s plan: nothing to leave"
                                          : "%s drives no car of the %s plan: nothing to decline",
                          email, pl_carpool_trip_name(trip));
        goto done;
    }
    if (action == DECLINE && sg->npassengers == 0) {
        rc = pl_error_set(err, PL_EINVALID, "%s drives alone: there is no car to decline", email);
        goto done;
    }
    if ((rc = car_of(&c, store, plan_id, &g, sg, trip, 0, err)) < 0)
        goto done;
    if (action == LEAVE) {
        for (size_t i = 0; i < c.n; i++)
            if (c.pass[i].reg == self) {
                memmove(&c.pass[i], &c.pass[i + 1], (c.n - i - 1) * sizeof(*c.pass));
                c.n--;
                break;
            }
        if ((rc = pl_carpool_run_id(
                 store,
                 "INSERT OR REPLACE INTO carpool_unassigned (plan_id, registration_id, "
                 "travel, origin, code, reason) SELECT ?1, r.id, r.travel, r.origin, "
                 "'" PL_CARPOOL_WHY_LEFT "', 'left their car' FROM registrations r "
                 "WHERE r.id = ?2",
                 plan_id, self, err)) < 0)
            goto done;
        if (sg->confirmed && (rc = record(store, ev->rowid, trip, sg->driver.registration, 0, self,
                                          "left", err)) < 0)
            goto done;
    } else {
        if ((rc = unseat_passengers(store, plan_id, c.gid, ev->rowid, trip, self, sg->confirmed,
                                    PL_CARPOOL_WHY_DRIVER_DECLINED,
                                    "their driver declined the car: planned again at the next "
                                    "plan",
                                    err)) < 0)
            goto done;
        c.n = 0;
        /* the car is theirs alone now, and stays so in later plans */
        if ((rc = pl_carpool_run_id(store,
                                    "UPDATE carpool_groups SET confirmed = 0, confirmed_at = NULL "
                                    "WHERE id = ?1",
                                    c.gid, 0, err)) < 0 ||
            (rc = pl_carpool_run_id(
                 store,
                 "INSERT INTO carpool_choices (registration_id, excluded) VALUES (?1, 1) "
                 "ON CONFLICT (registration_id) DO UPDATE SET excluded = 1",
                 self, 0, err)) < 0)
            goto done;
        if (sg->confirmed &&
            (rc = record(store, ev->rowid, trip, self, 0, self, "driver_declined", err)) < 0)
            goto done;
    }
    {
        size_t *id = calloc(c.n + 1, sizeof(*id));
        if (!id) {
            rc = pl_error_oom(err);
            goto done;
        }
        for (size_t i = 0; i < c.n; i++)
            id[i] = i;
        c.distance = route_km(&g, &c.home, c.pass, id, c.n);
        free(id);
    }
    if ((rc = write_car(store, &g, &c, trip, err)) < 0 ||
        (rc = refresh_totals(store, plan_id, err)) < 0 ||
        (rc = finish(store, ev->rowid, slug, trip, mark, &n, err)) < 0)
        goto done;
    rc = pl_store_commit(store, err);
    if (rc == 0 && told)
        *told = n;
    if (rc == 0)
        goto out;
done:
    pl_store_rollback(store);
out:
    free(c.pass);
    pl_event_free(ev);
    pl_carpool_saved_plan_free(plan);
    return rc;
}

int pl_carpool_leave(pl_store *store, const char *slug, const char *email, pl_carpool_trip trip,
                     int *told, pl_error *err)
{
    return own_action(LEAVE, store, slug, email, trip, told, err);
}

int pl_carpool_driver_decline(pl_store *store, const char *slug, const char *email,
                              pl_carpool_trip trip, int *told, pl_error *err)
{
    return own_action(DECLINE, store, slug, email, trip, told, err);
}

int pl_carpool_driver_accept(pl_store *store, const char *slug, const char *email,
                             pl_carpool_trip trip, pl_error *err)
{
    return pl_carpool_confirm_trip(NULL, store, slug, email, trip, err);
}
