/*
 * carpool_plan.c - planning an event's carpools: who travels and from
 * where, what the previous plan keeps, the engine's input, and the plan
 * stored in one transaction (pl_carpool_plan_event). Reading the stored
 * plan is carpool_saved.c's; confirming its cars, carpool_confirm.c's.
 *
 * About 1,050 lines, on purpose: planning is one pipeline over one private
 * state (planning, part, kept) that no other file needs; cut in two, that
 * state would have to become a header of its own.
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

/* A participant as read from the registrations, with their resolved origin. */
typedef struct part {
    long long rowid;
    char *origin; /* as typed, owned */
    char *travel; /* owned */
    int seats;
    pl_origin where;
    double lat, lon; /* NaN without a point */
    char *leave;     /* end of the last session they attend, NULL if none; owned */
    int excluded;    /* planner carpool exclude */
} part;

/* A confirmed group of the stored plan, as found again in the new input. */
typedef struct kept {
    long long group_id;
    size_t driver; /* index into parts */
    size_t *passengers;
    size_t npassengers;
} kept;

typedef struct planning {
    pl_store *store;
    pl_event *ev;
    part *parts;
    size_t nparts;
    kept *kept;
    size_t nkept;
    long long plan_id; /* 0: no stored plan yet */
    pl_carpool_trip trip;
} planning;

static void parts_free(part *parts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(parts[i].origin);
        free(parts[i].travel);
        free(parts[i].leave);
    }
    free(parts);
}

static void kept_free(kept *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i].passengers);
    free(list);
}

static void planning_clear(planning *pl)
{
    parts_free(pl->parts, pl->nparts);
    kept_free(pl->kept, pl->nkept);
    pl_event_free(pl->ev);
}

static int oom(pl_error *err)
{
    return pl_error_oom(err);
}

/* The event, which must have a venue with coordinates. */
static int load_event(planning *pl, const char *slug, pl_error *err)
{
    int rc = pl_event_load(&pl->ev, pl->store, slug, err);

    if (rc < 0)
        return rc;
    if (strcmp(pl->ev->format, "online") == 0)
        return pl_error_set(err, PL_EINVALID,
                            "event '%s' is online: there is no venue to carpool to", slug);
    if (!pl->ev->has_geo)
        return pl_error_set(err, PL_EINVALID,
                            "event '%s' has no venue coordinates (venue.lat and venue.lon in "
                            "its file); carpools are planned to the venue, so add them and "
                            "import the event again",
                            slug);
    return 0;
}

/* Confirmed registrations that travel, in registration order, with their
 * origins resolved. */
static int load_parts(planning *pl, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc, s, failed = 0;

    rc = pl_store_prepare(pl->store, &st,
                          "SELECT r.id, r.origin, r.travel, r.seats, "
                          /* the last session they attend: one they chose (a seat in
                           * it), or one everyone attends (not a workshop) */
                          "(SELECT max(s.end) FROM sessions s WHERE s.event_id = r.event_id "
                          "AND s.status = 'confirmed' AND (s.kind <> 'workshop' OR s.id IN "
                          "(SELECT rs.session_id FROM registration_sessions rs WHERE "
                          "rs.registration_id = r.id AND rs.status = 'confirmed'))), "
                          "(SELECT excluded FROM carpool_choices c WHERE c.registration_id = r.id) "
                          "FROM registrations r "
                          "WHERE r.event_id = ?1 AND r.status = 'confirmed' AND r.travel <> 'none' "
                          "ORDER BY r.id",
                          err);
    if (rc < 0)
        goto done;
    sqlite3_bind_int64(st, 1, pl->ev->rowid);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        part *p;
        if (pl->nparts == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            part *np = realloc(pl->parts, ncap * sizeof(*np));
            if (!np) {
                rc = oom(err);
                goto done;
            }
            pl->parts = np;
            cap = ncap;
        }
        p = &pl->parts[pl->nparts++];
        memset(p, 0, sizeof(*p));
        p->rowid = sqlite3_column_int64(st, 0);
        p->origin = pl_store_column_dup(st, 1, &failed);
        p->travel = pl_store_column_dup(st, 2, &failed);
        p->seats = sqlite3_column_int(st, 3);
        p->leave = pl_store_column_dup(st, 4, &failed);
        p->excluded = sqlite3_column_int(st, 5);
        if (failed || !p->travel) {
            rc = oom(err);
            goto done;
        }
    }
    if (s != SQLITE_DONE)
        rc = pl_store_fail(pl->store, err, "cannot read the registrations");
done:
    sqlite3_finalize(st);
    return rc;
}

static int resolve_origins(planning *pl, const pl_carpool_plan_options *opts, pl_error *err)
{
    size_t step = pl->nparts / 100 + 1;
    int rc;

    for (size_t i = 0; i < pl->nparts; i++) {
        part *p = &pl->parts[i];
        if (pl_origin_resolve(&p->where, p->origin) < 0 && opts->geocoder && p->origin &&
            *p->origin &&
            (rc = pl_geocoder_lookup(&p->where, pl->store, opts->geocoder->url, p->origin, err)) <
                0 &&
            rc != PL_ENOTFOUND)
            return rc;
        if (p->where.status == PL_ORIGIN_OK) {
            p->lat = p->where.lat;
            p->lon = p->where.lon;
        } else {
            p->lat = p->lon = NAN;
        }
        if (opts->progress && (i % step == 0 || i + 1 == pl->nparts))
            opts->progress("origins", i + 1, pl->nparts, opts->payload);
    }
    return 0;
}

static long find_part(const planning *pl, long long rowid)
{
    size_t lo = 0, hi = pl->nparts;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pl->parts[mid].rowid < rowid)
            lo = mid + 1;
        else if (pl->parts[mid].rowid > rowid)
            hi = mid;
        else
            return (long)mid;
    }
    return -1;
}

/* A new car of *list (n of cap used) driven by parts[driver], group gid;
 * NULL when memory runs out. */
static kept *kept_add(kept **list, size_t *n, size_t *cap, long long gid, size_t driver)
{
    kept *cur;

    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        kept *nk = realloc(*list, ncap * sizeof(*nk));
        if (!nk)
            return NULL;
        *list = nk;
        *cap = ncap;
    }
    cur = &(*list)[(*n)++];
    memset(cur, 0, sizeof(*cur));
    cur->group_id = gid;
    cur->driver = driver;
    return cur;
}

/* parts[idx] rides in cur, last (or first: a drop-off order read backwards).
 * PL_OK or PL_ENOMEM. */
static int kept_ride(kept *cur, size_t idx, int first, pl_error *err)
{
    size_t *np = realloc(cur->passengers, (cur->npassengers + 1) * sizeof(*np));

    if (!np)
        return oom(err);
    cur->passengers = np;
    if (first)
        memmove(np + 1, np, cur->npassengers * sizeof(*np));
    np[first ? 0 : cur->npassengers] = idx;
    cur->npassengers++;
    return PL_OK;
}

static long long find_plan_id(pl_store *store, long long event_id, pl_carpool_trip trip,
                              pl_error *err)
{
    sqlite3_stmt *st = NULL;
    long long id = 0;
    int s;

    if (pl_store_prepare(store, &st,
                         "SELECT id FROM carpool_plans WHERE event_id = ?1 AND trip = ?2", err) < 0)
        return PL_EIO;
    sqlite3_bind_int64(st, 1, event_id);
    pl_store_bind_text(st, 2, pl_carpool_trip_name(trip));
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    else if (s != SQLITE_DONE)
        id = pl_store_fail(store, err, "cannot read the carpool plan");
    sqlite3_finalize(st);
    return id;
}

/*
 * The stored plan's confirmed groups whose driver still takes part. Their
 * members keep the place they were planned from (the stored point), so that
 * the engine sees the group exactly as confirmed. A passenger who no longer
 * takes part is taken out of the group (and out of its rows).
 */
static int load_kept(planning *pl, int confirmed_too, pl_error *err)
{
    sqlite3_stmt *st = NULL, *del = NULL;
    size_t cap = 0;
    int rc = 0, s;
    kept *cur = NULL;
    long long gone = 0; /* a group whose driver no longer takes part */

    rc = pl_store_prepare(
        pl->store, &st,
        "SELECT g.id, m.position, m.registration_id, m.lat, m.lon, g.confirmed, g.driver_id "
        "FROM carpool_groups g JOIN carpool_members m ON m.group_id = g.id "
        "WHERE g.plan_id = ?1 AND ((?2 AND g.confirmed = 1) OR EXISTS (SELECT 1 FROM "
        "carpool_choices c WHERE c.registration_id = g.driver_id AND "
        "c.locked = 1)) "
        "ORDER BY g.driver_id, m.position",
        err);
    if (rc < 0)
        goto done;
    rc = pl_store_prepare(pl->store, &del,
                          "DELETE FROM carpool_members WHERE group_id = ?1 AND position = ?2", err);
    if (rc < 0)
        goto done;
    sqlite3_bind_int64(st, 1, pl->plan_id);
    sqlite3_bind_int(st, 2, confirmed_too);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        long long gid = sqlite3_column_int64(st, 0);
        int pos = sqlite3_column_int(st, 1);
        long long reg = sqlite3_column_int64(st, 2);
        long idx = find_part(pl, reg);
        int confirmed = sqlite3_column_int(st, 5);
        long long driver = sqlite3_column_int64(st, 6);

        /* a confirmed car that changes: recorded (carpool_changes) */
        if (confirmed && confirmed_too && idx < 0 &&
            (rc = pl_carpool_change_record(pl->store, pl->ev->rowid, pl->trip, driver, 0, reg,
                                           pos == 0 ? "driver_cancelled" : "left", err)) < 0)
            goto done;
        if (confirmed && confirmed_too && idx >= 0 && pos > 0 && gid == gone &&
            (rc = pl_carpool_change_record(pl->store, pl->ev->rowid, pl->trip, driver, 0, reg,
                                           "lost_seat", err)) < 0)
            goto done;
        if (pos == 0) {
            cur = NULL;
            if (idx < 0) {
                gone = gid;
                continue; /* the driver no longer takes part: plan them again */
            }
            if (!(cur = kept_add(&pl->kept, &pl->nkept, &cap, gid, (size_t)idx))) {
                rc = oom(err);
                goto done;
            }
        } else if (cur && cur->group_id == gid) {
            if (idx < 0) {
                sqlite3_reset(del);
                sqlite3_bind_int64(del, 1, gid);
                sqlite3_bind_int(del, 2, pos);
                if ((rc = pl_store_step(pl->store, del, "cannot update a carpool group", err)) < 0)
                    goto done;
                continue;
            }
            if ((rc = kept_ride(cur, (size_t)idx, 0, err)) < 0)
                goto done;
        } else {
            continue;
        }
        pl->parts[idx].lat = sqlite3_column_double(st, 3);
        pl->parts[idx].lon = sqlite3_column_double(st, 4);
    }
    if (s != SQLITE_DONE) {
        rc = pl_store_fail(pl->store, err, "cannot read the confirmed carpool groups");
        goto done;
    }
    /* A group left without passengers is planned again like any other. */
    for (size_t i = 0; i < pl->nkept;) {
        if (pl->kept[i].npassengers == 0) {
            free(pl->kept[i].passengers);
            pl->kept[i] = pl->kept[--pl->nkept];
        } else {
            i++;
        }
    }
done:
    sqlite3_finalize(st);
    sqlite3_finalize(del);
    return rc;
}

/*
 * The way home: the groups of the stored outbound plan, with the members
 * who still take part, as groups to keep where they fit (passengers in
 * drop-off order: the reverse of the pickups).
 */
static int load_prefer(planning *pl, kept **out, size_t *nout, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    kept *list = NULL, *cur = NULL;
    size_t n = 0, cap = 0;
    int rc, s;

    rc = pl_store_prepare(pl->store, &st,
                          "SELECT g.id, m.position, m.registration_id FROM carpool_plans p "
                          "JOIN carpool_groups g ON g.plan_id = p.id "
                          "JOIN carpool_members m ON m.group_id = g.id "
                          "WHERE p.event_id = ?1 AND p.trip = 'outbound' "
                          "ORDER BY g.driver_id, m.position",
                          err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, pl->ev->rowid);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        long long gid = sqlite3_column_int64(st, 0);
        long idx = find_part(pl, sqlite3_column_int64(st, 2));
        if (sqlite3_column_int(st, 1) == 0) {
            cur = NULL;
            if (idx < 0)
                continue;
            if (!(cur = kept_add(&list, &n, &cap, gid, (size_t)idx))) {
                rc = oom(err);
                goto done;
            }
        } else if (cur && cur->group_id == gid && idx >= 0) {
            /* drop-off order: each one goes in front */
            if ((rc = kept_ride(cur, (size_t)idx, 1, err)) < 0)
                goto done;
        }
    }
    if (s != SQLITE_DONE)
        rc = pl_store_fail(pl->store, err, "cannot read the outbound carpool groups");
done:
    sqlite3_finalize(st);
    if (rc < 0) {
        kept_free(list, n);
        return rc;
    }
    *out = list;
    *nout = n;
    return 0;
}

/*
 * The groups of the stored plan being replaced (the way there), members who
 * still take part, pickup order: the cars a re-plan keeps where they still
 * fit, so that it moves as few people as possible. Kept groups (confirmed,
 * locked) are left out: they are kept anyway.
 */
static int load_previous(planning *pl, kept **out, size_t *nout, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    kept *list = NULL, *cur = NULL;
    size_t n = 0, cap = 0;
    int rc, s;

    rc = pl_store_prepare(pl->store, &st,
                          "SELECT g.id, m.position, m.registration_id FROM carpool_groups g "
                          "JOIN carpool_members m ON m.group_id = g.id WHERE g.plan_id = ?1 "
                          "ORDER BY g.driver_id, m.position",
                          err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, pl->plan_id);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        long long gid = sqlite3_column_int64(st, 0);
        long idx = find_part(pl, sqlite3_column_int64(st, 2));
        int is_kept = 0;
        for (size_t k = 0; k < pl->nkept; k++)
            if (pl->kept[k].group_id == gid)
                is_kept = 1;
        if (sqlite3_column_int(st, 1) == 0) {
            cur = NULL;
            if (idx < 0 || is_kept)
                continue;
            if (!(cur = kept_add(&list, &n, &cap, gid, (size_t)idx))) {
                rc = oom(err);
                goto done;
            }
        } else if (cur && cur->group_id == gid && idx >= 0) {
            if ((rc = kept_ride(cur, (size_t)idx, 0, err)) < 0)
                goto done;
        }
    }
    if (s != SQLITE_DONE)
        rc = pl_store_fail(pl->store, err, "cannot read the carpool plan");
done:
    sqlite3_finalize(st);
    if (rc < 0) {
        kept_free(list, n);
        return rc;
    }
    *out = list;
    *nout = n;
    return 0;
}

/* When part p leaves the venue, on the engine's clock. */
static long leave_minutes(const part *p, long event_end)
{
    pl_datetime dt;
    if (p->leave && pl_datetime_parse(&dt, p->leave) == 0)
        return (long)pl_datetime_minutes(&dt);
    return event_end;
}

/* Who each registration rode with in the stored plan plan_id (its driver's
 * registration; its own for a driver; 0 without a car), to count who moves. */
typedef struct seat_of {
    long long registration, driver;
} seat_of;

static int seat_cmp(const void *a, const void *b)
{
    const seat_of *x = a, *y = b;
    return x->registration < y->registration ? -1 : x->registration > y->registration;
}

static int load_seats(pl_store *store, long long plan_id, seat_of **out, size_t *n, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    seat_of *list = NULL;
    size_t cap = 0;
    int rc, s;

    *out = NULL;
    *n = 0;
    rc = pl_store_prepare(store, &st,
                          "SELECT m.registration_id, g.driver_id FROM carpool_groups g "
                          "JOIN carpool_members m ON m.group_id = g.id WHERE g.plan_id = ?1 "
                          "UNION ALL SELECT registration_id, 0 FROM carpool_unassigned "
                          "WHERE plan_id = ?1",
                          err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, plan_id);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            seat_of *nl = realloc(list, ncap * sizeof(*nl));
            if (!nl) {
                rc = oom(err);
                goto done;
            }
            list = nl;
            cap = ncap;
        }
        list[*n].registration = sqlite3_column_int64(st, 0);
        list[*n].driver = sqlite3_column_int64(st, 1);
        (*n)++;
    }
    if (s != SQLITE_DONE)
        rc = pl_store_fail(store, err, "cannot read the carpool plan");
    else if (*n)
        qsort(list, *n, sizeof(*list), seat_cmp);
done:
    sqlite3_finalize(st);
    if (rc < 0) {
        free(list);
        *n = 0;
    } else {
        *out = list;
    }
    return rc;
}

/* People of both plans whose car changed. */
static size_t count_moved(const seat_of *before, size_t nb, const pl_carpool_saved_plan *plan)
{
    size_t moved = 0;
    for (size_t g = 0; g < plan->ngroups; g++) {
        const pl_carpool_saved_group *sg = &plan->groups[g];
        for (size_t k = 0; k <= sg->npassengers; k++) {
            seat_of key = {k ? sg->passengers[k - 1].registration : sg->driver.registration, 0};
            const seat_of *was = bsearch(&key, before, nb, sizeof(*before), seat_cmp);
            if (was && was->driver != sg->driver.registration)
                moved++;
        }
    }
    for (size_t u = 0; u < plan->nunassigned; u++) {
        seat_of key = {plan->unassigned[u].registration, 0};
        const seat_of *was = bsearch(&key, before, nb, sizeof(*before), seat_cmp);
        if (was && was->driver != 0)
            moved++;
    }
    return moved;
}

static pl_carpool_role role_of(const char *travel)
{
    if (strcmp(travel, "drive") == 0)
        return PL_CARPOOL_ROLE_DRIVE;
    if (strcmp(travel, "ride") == 0)
        return PL_CARPOOL_ROLE_RIDE;
    if (strcmp(travel, "flexible") == 0)
        return PL_CARPOOL_ROLE_FLEXIBLE;
    return PL_CARPOOL_ROLE_NONE;
}

static int is_kept_driver(const planning *pl, size_t idx)
{
    for (size_t k = 0; k < pl->nkept; k++)
        if (pl->kept[k].driver == idx)
            return 1;
    return 0;
}

/* The why of an unassigned participant: a stable code and one line. */
static void explain(const part *p, pl_carpool_reason reason, const char **code, char *buf,
                    size_t size)
{
    if (p->excluded) {
        *code = PL_CARPOOL_WHY_EXCLUDED;
        snprintf(buf, size, "left out of the carpools by the organiser");
        return;
    }
    if (reason == PL_CARPOOL_REASON_NO_ORIGIN) {
        int ambiguous = p->where.status == PL_ORIGIN_AMBIGUOUS;
        *code = ambiguous ? PL_CARPOOL_WHY_ORIGIN_AMBIGUOUS : PL_CARPOOL_WHY_ORIGIN_UNKNOWN;
        if (!p->origin || !*p->origin)
            snprintf(buf, size, "no origin given: add where they travel from");
        else
            snprintf(buf, size, "origin \"%.80s\" %s: %s", p->origin,
                     ambiguous ? "is ambiguous" : "was not found",
                     p->where.reason[0] ? p->where.reason : "no place matches it");
        return;
    }
    *code = reason == PL_CARPOOL_REASON_NO_SEAT      ? PL_CARPOOL_WHY_NO_SEAT
            : reason == PL_CARPOOL_REASON_NO_ROOM    ? PL_CARPOOL_WHY_NO_ROOM
            : reason == PL_CARPOOL_REASON_LEAVE_TIME ? PL_CARPOOL_WHY_LEAVE_TIME
            : reason == PL_CARPOOL_REASON_NO_DRIVERS ? PL_CARPOOL_WHY_NOBODY_DRIVES
            : reason == PL_CARPOOL_REASON_KEPT       ? PL_CARPOOL_WHY_CAR_KEPT
                                                     : PL_CARPOOL_WHY_NO_DRIVER;
    snprintf(buf, size, "%s", pl_carpool_reason_text(reason));
}

static int save_plan(planning *pl, const pl_carpool_problem *pb, const pl_carpool_result *res,
                     const pl_carpool_options *o, pl_error *err)
{
    sqlite3_stmt *st = NULL, *grp = NULL, *mem = NULL, *una = NULL;
    char now[32], when[32];
    int rc;

    pl_now_utc(now);
    /* The plan row: created once per event, then updated in place. */
    if (pl->plan_id == 0) {
        rc = pl_store_prepare(pl->store, &st,
                              "INSERT INTO carpool_plans (event_id, planned, max_detour_pct, "
                              "max_detour_minutes, road_factor, speed_kmh, stop_minutes, "
                              "margin_minutes, co2_kg_per_km, iterations, candidates, cars, "
                              "passengers, riders, riders_seated, vehicle_km, vehicle_km_alone, "
                              "vehicle_km_avoided, co2_avoided_kg, trip) VALUES (?1, ?2, ?3, ?4, "
                              "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
                              "?19, ?20)",
                              err);
    } else {
        rc = pl_store_prepare(pl->store, &st,
                              "UPDATE carpool_plans SET planned = ?2, max_detour_pct = ?3, "
                              "max_detour_minutes = ?4, road_factor = ?5, speed_kmh = ?6, "
                              "stop_minutes = ?7, margin_minutes = ?8, co2_kg_per_km = ?9, "
                              "iterations = ?10, candidates = ?11, cars = ?12, passengers = ?13, "
                              "riders = ?14, riders_seated = ?15, vehicle_km = ?16, "
                              "vehicle_km_alone = ?17, vehicle_km_avoided = ?18, "
                              "co2_avoided_kg = ?19 WHERE event_id = ?1 AND trip = ?20",
                              err);
    }
    if (rc < 0)
        goto done;
    sqlite3_bind_int64(st, 1, pl->ev->rowid);
    pl_store_bind_text(st, 2, now);
    sqlite3_bind_double(st, 3, o->max_detour_pct);
    if (o->max_detour_minutes < 0)
        sqlite3_bind_null(st, 4);
    else
        sqlite3_bind_double(st, 4, o->max_detour_minutes);
    sqlite3_bind_double(st, 5, o->road_factor);
    sqlite3_bind_double(st, 6, o->speed_kmh);
    sqlite3_bind_double(st, 7, o->stop_minutes);
    sqlite3_bind_double(st, 8, o->margin_minutes);
    sqlite3_bind_double(st, 9, o->co2_kg_per_km);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)res->iterations);
    sqlite3_bind_int(st, 11, o->candidates);
    sqlite3_bind_int64(st, 12, (sqlite3_int64)res->totals.cars);
    sqlite3_bind_int64(st, 13, (sqlite3_int64)res->totals.passengers);
    sqlite3_bind_int64(st, 14, (sqlite3_int64)res->totals.riders);
    sqlite3_bind_int64(st, 15, (sqlite3_int64)res->totals.riders_seated);
    sqlite3_bind_double(st, 16, res->totals.vehicle_km);
    sqlite3_bind_double(st, 17, res->totals.vehicle_km_alone);
    sqlite3_bind_double(st, 18, res->totals.vehicle_km_avoided);
    sqlite3_bind_double(st, 19, res->totals.co2_avoided_kg);
    pl_store_bind_text(st, 20, pl_carpool_trip_name(pl->trip));
    if ((rc = pl_store_step(pl->store, st, "cannot store the carpool plan", err)) < 0)
        goto done;
    if (pl->plan_id == 0)
        pl->plan_id = sqlite3_last_insert_rowid(pl_store_db(pl->store));
    sqlite3_finalize(st);
    st = NULL;

    /* Everything but the kept groups goes (their members with them). */
    rc = pl_store_prepare(pl->store, &st, "DELETE FROM carpool_unassigned WHERE plan_id = ?1", err);
    if (rc < 0)
        goto done;
    sqlite3_bind_int64(st, 1, pl->plan_id);
    if ((rc = pl_store_step(pl->store, st, "cannot replace the carpool plan", err)) < 0)
        goto done;
    sqlite3_finalize(st);
    st = NULL;
    rc = pl_store_prepare(pl->store, &st,
                          "DELETE FROM carpool_groups WHERE plan_id = ?1 AND id NOT IN "
                          "(SELECT value FROM json_each(?2))",
                          err);
    if (rc < 0)
        goto done;
    {
        pl_buf ids = PL_BUF_INIT;
        pl_buf_puts(&ids, "[");
        for (size_t k = 0; k < pl->nkept; k++)
            pl_buf_printf(&ids, "%s%lld", k ? "," : "", pl->kept[k].group_id);
        if (pl_buf_puts(&ids, "]") < 0) {
            pl_buf_free(&ids);
            rc = oom(err);
            goto done;
        }
        sqlite3_bind_int64(st, 1, pl->plan_id);
        pl_store_bind_text(st, 2, ids.data);
        pl_buf_free(&ids);
    }
    if ((rc = pl_store_step(pl->store, st, "cannot replace the carpool plan", err)) < 0)
        goto done;

    rc = pl_store_prepare(pl->store, &grp,
                          "INSERT INTO carpool_groups (plan_id, driver_id, seats, departure, "
                          "arrival, distance_km, detour_km) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                          err);
    if (rc < 0)
        goto done;
    rc = pl_store_prepare(pl->store, &mem,
                          "INSERT INTO carpool_members (group_id, position, registration_id, "
                          "origin, place, lat, lon, time, precision) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                          err);
    if (rc < 0)
        goto done;
    for (size_t g = 0; g < res->ngroups; g++) {
        const pl_carpool_group *cg = &res->groups[g];
        const part *d = &pl->parts[cg->driver];
        long long gid;

        if (cg->confirmed)
            continue; /* kept as stored */
        sqlite3_reset(grp);
        sqlite3_bind_int64(grp, 1, pl->plan_id);
        sqlite3_bind_int64(grp, 2, d->rowid);
        sqlite3_bind_int(grp, 3, pb->participants[cg->driver].seats);
        pl_carpool_time_format(cg->departure_time, when, sizeof(when));
        pl_store_bind_text(grp, 4, when);
        pl_carpool_time_format(cg->arrival_time, when, sizeof(when));
        pl_store_bind_text(grp, 5, when);
        sqlite3_bind_double(grp, 6, cg->distance_km);
        sqlite3_bind_double(grp, 7, cg->detour_km);
        if ((rc = pl_store_step(pl->store, grp, "cannot store a carpool group", err)) < 0)
            goto done;
        gid = sqlite3_last_insert_rowid(pl_store_db(pl->store));
        for (size_t k = 0; k <= cg->npassengers; k++) {
            size_t idx = k == 0 ? cg->driver : cg->passengers[k - 1];
            const part *p = &pl->parts[idx];
            long t = k == 0 ? cg->departure_time : cg->pickup_times[k - 1];

            sqlite3_reset(mem);
            sqlite3_bind_int64(mem, 1, gid);
            sqlite3_bind_int(mem, 2, (int)k);
            sqlite3_bind_int64(mem, 3, p->rowid);
            pl_store_bind_text(mem, 4, p->origin);
            pl_store_bind_text(mem, 5, p->where.name[0] ? p->where.name : NULL);
            sqlite3_bind_double(mem, 6, p->lat);
            sqlite3_bind_double(mem, 7, p->lon);
            pl_carpool_time_format(t, when, sizeof(when));
            pl_store_bind_text(mem, 8, when);
            pl_store_bind_text(mem, 9, pl_origin_precision_name(p->where.precision));
            if ((rc = pl_store_step(pl->store, mem, "cannot store a carpool member", err)) < 0)
                goto done;
        }
    }

    rc = pl_store_prepare(pl->store, &una,
                          "INSERT INTO carpool_unassigned (plan_id, registration_id, travel, "
                          "origin, code, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                          err);
    if (rc < 0)
        goto done;
    for (size_t u = 0; u < res->nunassigned; u++) {
        const part *p = &pl->parts[res->unassigned[u].participant];
        const char *code;
        char why[512];

        explain(p, res->unassigned[u].reason, &code, why, sizeof(why));
        sqlite3_reset(una);
        sqlite3_bind_int64(una, 1, pl->plan_id);
        sqlite3_bind_int64(una, 2, p->rowid);
        pl_store_bind_text(una, 3, p->travel);
        pl_store_bind_text(una, 4, p->origin);
        pl_store_bind_text(una, 5, code);
        pl_store_bind_text(una, 6, why);
        if ((rc = pl_store_step(pl->store, una, "cannot store the unassigned", err)) < 0)
            goto done;
    }
done:
    sqlite3_finalize(st);
    sqlite3_finalize(grp);
    sqlite3_finalize(mem);
    sqlite3_finalize(una);
    return rc;
}

int pl_carpool_plan_event(pl_carpool_saved_plan **out, pl_store *store, const char *slug,
                          const pl_carpool_plan_options *opts, pl_error *err)
{
    pl_carpool_plan_options defaults = PL_CARPOOL_PLAN_OPTIONS_INIT;
    planning pl = {store, NULL, NULL, 0, NULL, 0, 0, PL_CARPOOL_OUTBOUND};
    kept *prefer = NULL;
    size_t nprefer = 0;
    pl_carpool_confirmed *pf = NULL;
    long *leave = NULL;
    seat_of *before = NULL; /* the plan replaced, to count who moves */
    int replaced = 0;
    size_t nbefore = 0;
    pl_carpool_participant *ps = NULL;
    pl_carpool_confirmed *cf = NULL;
    pl_carpool_result *res = NULL;
    pl_carpool_saved_plan *saved = NULL;
    pl_carpool_problem pb = {0};
    pl_datetime start, end;
    long long mark = 0; /* changes recorded before this plan */
    size_t together_unmet = 0;
    int stable_used = 0;
    int rc, in_tx = 0;
    pl_carpool_old_car *old_cars = NULL; /* confirmed cars a forced re-plan may change */
    size_t nold_cars = 0;

    if (out)
        *out = NULL;
    if (!opts)
        opts = &defaults;
    pl.trip = opts->trip;
    if ((rc = load_event(&pl, slug, err)) < 0)
        goto done;
    if ((rc = pl_datetime_parse(&start, pl.ev->start)) < 0 ||
        (rc = pl_datetime_parse(&end, pl.ev->end)) < 0) {
        rc = pl_error_set(err, PL_EINVALID, "event '%s': bad start '%s'", slug, pl.ev->start);
        goto done;
    }
    /* The geocoder's requests, outside the transaction: the write lock is
     * not held while waiting for a remote service. */
    if (opts->geocoder && (rc = pl_geocoder_resolve_event(opts->geocoder_stats, store, slug,
                                                          opts->geocoder, err)) < 0)
        goto done;
    /* Read and write in one transaction, so that the confirmed groups kept
     * are the ones replaced. */
    if ((rc = pl_store_begin(store, err)) < 0)
        goto done;
    in_tx = 1;
    if ((rc = load_parts(&pl, err)) < 0 || (rc = resolve_origins(&pl, opts, err)) < 0)
        goto done;
    if ((pl.plan_id = find_plan_id(store, pl.ev->rowid, pl.trip, err)) < 0) {
        rc = (int)pl.plan_id;
        goto done;
    }
    if ((mark = pl_carpool_changes_mark(store, err)) < 0) {
        rc = (int)mark;
        goto done;
    }
    /* A plain re-plan over confirmed cars: refused, unless forced (then
     * what happens to their members is recorded and told) */
    if (pl.plan_id > 0 && !opts->keep_confirmed) {
        size_t nconf = 0;
        char count[32];
        if ((rc = pl_carpool_confirmed_count(&nconf, store, pl.plan_id, err)) < 0)
            goto done;
        snprintf(count, sizeof(count), "%zu", nconf);
        if (nconf && !opts->force) {
            if (pl.trip == PL_CARPOOL_RETURN)
                rc = PL_SAY(err, PL_EINVALID, NULL, ERR_CARPOOL_CONFIRMED_HOME, count);
            else
                rc = PL_SAY(err, PL_EINVALID, NULL, ERR_CARPOOL_CONFIRMED_THERE, count);
            goto done;
        }
        if (nconf &&
            (rc = pl_carpool_old_cars_load(&old_cars, &nold_cars, store, pl.plan_id, err)) < 0)
            goto done;
    }
    /* confirmed cars with keep_confirmed; locked cars always */
    if (pl.plan_id > 0 && (rc = load_kept(&pl, opts->keep_confirmed, err)) < 0)
        goto done;
    if (pl.trip == PL_CARPOOL_RETURN && (rc = load_prefer(&pl, &prefer, &nprefer, err)) < 0)
        goto done;

    ps = calloc(pl.nparts ? pl.nparts : 1, sizeof(*ps));
    cf = calloc(pl.nkept ? pl.nkept : 1, sizeof(*cf));
    pf = calloc(nprefer ? nprefer : 1, sizeof(*pf));
    leave = calloc(pl.nparts ? pl.nparts : 1, sizeof(*leave));
    if (!ps || !cf || !pf || !leave) {
        rc = oom(err);
        goto done;
    }
    for (size_t i = 0; i < pl.nparts; i++) {
        const part *p = &pl.parts[i];
        ps[i].id = (long)i;
        ps[i].origin.lat = p->lat;
        ps[i].origin.lon = p->lon;
        ps[i].role = role_of(p->travel);
        ps[i].seats = ps[i].role == PL_CARPOOL_ROLE_RIDE ? 0 : p->seats;
        if (ps[i].seats < 0)
            ps[i].seats = 0;
        /* Excluded: a car goes alone; a rider is not planned (see explain) */
        if (p->excluded && ps[i].role != PL_CARPOOL_ROLE_RIDE) {
            ps[i].role = PL_CARPOOL_ROLE_DRIVE;
            ps[i].seats = 0;
        } else if (p->excluded) {
            ps[i].role = PL_CARPOOL_ROLE_NONE;
        }
        /* A kept group's driver drives it, whatever their role says now. */
        if (ps[i].role == PL_CARPOOL_ROLE_RIDE && is_kept_driver(&pl, i))
            ps[i].role = PL_CARPOOL_ROLE_DRIVE;
    }
    for (size_t k = 0; k < pl.nkept; k++) {
        cf[k].driver = pl.kept[k].driver;
        cf[k].passengers = pl.kept[k].passengers;
        cf[k].npassengers = pl.kept[k].npassengers;
        if (ps[cf[k].driver].seats < (int)cf[k].npassengers)
            ps[cf[k].driver].seats = (int)cf[k].npassengers;
    }
    pb.participants = ps;
    pb.nparticipants = pl.nparts;
    pb.venue.lat = pl.ev->venue_lat;
    pb.venue.lon = pl.ev->venue_lon;
    pb.event_start = (long)pl_datetime_minutes(&start);
    pb.confirmed = pl.nkept ? cf : NULL;
    pb.nconfirmed = pl.nkept;
    if (pl.trip == PL_CARPOOL_RETURN) {
        pb.trip = PL_CARPOOL_RETURN;
        pb.event_end = (long)pl_datetime_minutes(&end);
        for (size_t i = 0; i < pl.nparts; i++)
            leave[i] = leave_minutes(&pl.parts[i], pb.event_end);
        pb.leave = leave;
        for (size_t k = 0; k < nprefer; k++) {
            pf[k].driver = prefer[k].driver;
            pf[k].passengers = prefer[k].passengers;
            pf[k].npassengers = prefer[k].npassengers;
        }
        pb.prefer = nprefer ? pf : NULL;
        pb.nprefer = nprefer;
    }

    if (opts->progress)
        opts->progress("matching", 0, 1, opts->payload);
    if ((rc = pl_carpool_plan(&res, &pb, &opts->engine, err)) < 0)
        goto done;
    /* A re-plan of the way there moves as few people as possible: the
     * previous cars are kept where they still fit and newcomers take their
     * spare seats; that plan is taken when it seats at least as many riders
     * as the plan made afresh (res), else the fresh one is. */
    if (pl.trip == PL_CARPOOL_OUTBOUND && pl.plan_id > 0 && !opts->fresh) {
        pl_carpool_result *stable = NULL;
        size_t filled = 0;
        if ((rc = load_previous(&pl, &prefer, &nprefer, err)) < 0)
            goto done;
        free(pf);
        if (!(pf = calloc(nprefer ? nprefer : 1, sizeof(*pf)))) {
            rc = oom(err);
            goto done;
        }
        for (size_t k = 0; k < nprefer; k++) {
            pf[k].driver = prefer[k].driver;
            pf[k].passengers = prefer[k].passengers;
            pf[k].npassengers = prefer[k].npassengers;
        }
        pb.prefer = nprefer ? pf : NULL;
        pb.nprefer = nprefer;
        if ((rc = pl_carpool_plan(&stable, &pb, &opts->engine, err)) < 0 ||
            (rc = pl_carpool_fill_seats(stable, &pb, &opts->engine, &filled, err)) < 0) {
            pl_carpool_result_free(stable);
            goto done;
        }
        if (stable->totals.riders_seated >= res->totals.riders_seated) {
            pl_carpool_result_free(res);
            res = stable;
            stable_used = 1;
        } else {
            pl_carpool_result_free(stable);
        }
    }
    if (opts->progress) {
        opts->progress("matching", 1, 1, opts->payload);
        opts->progress("saving", 0, 1, opts->payload);
    }
    replaced = pl.plan_id > 0; /* save_plan gives a first plan its id */
    if (pl.plan_id > 0 && (rc = load_seats(store, pl.plan_id, &before, &nbefore, err)) < 0)
        goto done;
    if ((rc = save_plan(&pl, &pb, res, &opts->engine, err)) < 0)
        goto done;
    /* people kept in one car (carpool together), where the seats and the
     * detour limits let them */
    if ((rc = pl_carpool_honour_together(&together_unmet, store, slug, pl.plan_id, pl.trip, err)) <
        0)
        goto done;
    /* forced over confirmed cars: each member's change recorded */
    if (nold_cars && (rc = pl_carpool_old_cars_record(store, pl.ev->rowid, pl.trip, pl.plan_id,
                                                      old_cars, nold_cars, err)) < 0)
        goto done;
    /* The plan as stored, and each member's pickup (their feeds) with it. */
    if ((rc = pl_carpool_plan_load_trip(&saved, store, slug, pl.trip, err)) < 0 ||
        (rc = pl_carpool_pickups_sync(store, saved, err)) < 0 ||
        (rc = pl_carpool_changes_notify(store, pl.ev->rowid, mark, err)) < 0)
        goto done;
    saved->replaced = replaced;
    saved->together_unmet = together_unmet;
    saved->kept_previous = stable_used;
    if (before)
        saved->moved = count_moved(before, nbefore, saved);
    in_tx = 0;
    if ((rc = pl_store_commit(store, err)) < 0)
        goto done;
    if (opts->progress)
        opts->progress("saving", 1, 1, opts->payload);
    if (out) {
        *out = saved;
        saved = NULL;
    }
done:
    if (in_tx)
        pl_store_rollback(store);
    pl_carpool_old_cars_free(old_cars, nold_cars);
    pl_carpool_saved_plan_free(saved);
    pl_carpool_result_free(res);
    free(ps);
    free(cf);
    free(pf);
    free(leave);
    free(before);
    kept_free(prefer, nprefer);
    planning_clear(&pl);
    return rc;
}
