/*
 * test_carpool.c - the carpool matching engine on hand-made cases whose
 * optimum is known, and properties of plans on random seeded instances.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "carpool.h"

#define KM_PER_DEG (6371.0088 * 3.14159265358979323846 / 180.0)

static const pl_carpool_point VENUE = {45.7640, 4.8357};

/* A point north_km north and east_km east of the venue. */
static pl_carpool_point at(double north_km, double east_km)
{
    pl_carpool_point p;
    p.lat = VENUE.lat + north_km / KM_PER_DEG;
    p.lon = VENUE.lon + east_km / (KM_PER_DEG * cos(VENUE.lat * 3.14159265358979323846 / 180.0));
    return p;
}

static pl_carpool_participant person(pl_carpool_role role, int seats, double north_km,
                                     double east_km)
{
    pl_carpool_participant p;
    memset(&p, 0, sizeof p);
    p.role = role;
    p.seats = seats;
    p.origin = at(north_km, east_km);
    return p;
}

static pl_carpool_result *plan(const pl_carpool_participant *p, size_t n,
                               const pl_carpool_options *o)
{
    pl_carpool_problem pb = {p,    n,    VENUE, 9 * 60 + 30, NULL, 0, PL_CARPOOL_OUTBOUND, 0,
                             NULL, NULL, 0};
    pl_carpool_result *r = NULL;
    pl_error err;
    assert_int_equal(pl_carpool_plan(&r, &pb, o, &err), PL_OK);
    assert_non_null(r);
    return r;
}

/* Group driven by d, or NULL. */
static const pl_carpool_group *group_of(const pl_carpool_result *r, size_t d)
{
    for (size_t g = 0; g < r->ngroups; g++)
        if (r->groups[g].driver == d)
            return &r->groups[g];
    return NULL;
}

/* Reason participant p is unassigned, or 0. */
static int reason_of(const pl_carpool_result *r, size_t p)
{
    for (size_t u = 0; u < r->nunassigned; u++)
        if (r->unassigned[u].participant == p)
            return (int)r->unassigned[u].reason;
    return 0;
}

static void passenger_on_the_way_is_picked_up(void **state)
{
    (void)state;
    pl_carpool_participant p[2] = {person(PL_CARPOOL_ROLE_DRIVE, 3, 60, 0),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, 30, 1)};
    pl_carpool_result *r = plan(p, 2, NULL);
    const pl_carpool_group *g = group_of(r, 0);
    assert_non_null(g);
    assert_int_equal(r->ngroups, 1);
    assert_int_equal(g->npassengers, 1);
    assert_int_equal(g->passengers[0], 1);
    assert_int_equal(r->nunassigned, 0);
    /* arrive by 9:15 (15 min margin), pick up 30 km x 1.3 = 39 km before */
    assert_int_equal(g->arrival_time, 9 * 60 + 15);
    assert_true(g->pickup_times[0] < g->arrival_time - 35);
    assert_true(g->departure_time < g->pickup_times[0]);
    assert_true(g->detour_km >= 0 && g->detour_km < 1.0);
    assert_int_equal(r->totals.cars, 1);
    assert_int_equal(r->totals.riders_seated, 1);
    /* the rider would have driven 39 km alone */
    assert_true(fabs(r->totals.vehicle_km_avoided - (39.0 - g->detour_km)) < 0.5);
    assert_true(fabs(r->totals.co2_avoided_kg - r->totals.vehicle_km_avoided * 0.218) < 1e-9);
    pl_carpool_result_free(r);
}

static void far_passenger_is_unassigned_with_reason(void **state)
{
    (void)state;
    pl_carpool_participant p[3] = {person(PL_CARPOOL_ROLE_DRIVE, 3, 60, 0),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, -50, 0),
                                   person(PL_CARPOOL_ROLE_NONE, 0, 10, 0)};
    pl_carpool_result *r = plan(p, 3, NULL);
    assert_int_equal(group_of(r, 0)->npassengers, 0);
    assert_int_equal(reason_of(r, 1), PL_CARPOOL_REASON_NO_DRIVER);
    assert_int_equal(reason_of(r, 2), PL_CARPOOL_REASON_ROLE_NONE);
    assert_string_equal(pl_carpool_reason_text(PL_CARPOOL_REASON_NO_DRIVER),
                        "no driver can reach them within the detour limit");
    assert_int_equal(r->totals.riders, 1);
    assert_int_equal(r->totals.riders_seated, 0);
    pl_carpool_result_free(r);
}

static void seats_are_respected(void **state)
{
    (void)state;
    pl_carpool_participant p[5] = {
        person(PL_CARPOOL_ROLE_DRIVE, 2, 80, 0), person(PL_CARPOOL_ROLE_RIDE, 0, 60, 0),
        person(PL_CARPOOL_ROLE_RIDE, 0, 40, 0), person(PL_CARPOOL_ROLE_RIDE, 0, 20, 0),
        person(PL_CARPOOL_ROLE_RIDE, 0, 50, 0)};
    pl_carpool_result *r = plan(p, 5, NULL);
    const pl_carpool_group *g = group_of(r, 0);
    assert_int_equal(g->npassengers, 2);
    assert_int_equal(r->nunassigned, 2);
    for (size_t u = 0; u < r->nunassigned; u++)
        assert_int_equal(r->unassigned[u].reason, PL_CARPOOL_REASON_NO_SEAT);
    /* pickups in order along the way: the farther one first */
    double first = fabs(p[g->passengers[0]].origin.lat - VENUE.lat);
    double second = fabs(p[g->passengers[1]].origin.lat - VENUE.lat);
    assert_true(first > second);
    assert_true(g->pickup_times[0] < g->pickup_times[1]);
    pl_carpool_result_free(r);
}

/* Driver A can take rider 2 or rider 3, driver B only rider 2: both riders
 * ride only if A takes 3 (a greedy choice of the nearer rider fails). */
static void every_rider_seated_when_possible(void **state)
{
    (void)state;
    pl_carpool_participant p[4] = {
        person(PL_CARPOOL_ROLE_DRIVE, 1, 50, 0), person(PL_CARPOOL_ROLE_DRIVE, 1, 50, 30),
        person(PL_CARPOOL_ROLE_RIDE, 0, 40, 5), person(PL_CARPOOL_ROLE_RIDE, 0, 30, -4)};
    pl_carpool_result *r = plan(p, 4, NULL);
    assert_int_equal(r->totals.riders_seated, 2);
    assert_int_equal(group_of(r, 0)->passengers[0], 3);
    assert_int_equal(group_of(r, 1)->passengers[0], 2);
    pl_carpool_result_free(r);
}

static void flexible_rides_when_it_saves_km(void **state)
{
    (void)state;
    pl_carpool_participant p[2] = {person(PL_CARPOOL_ROLE_DRIVE, 3, 60, 0),
                                   person(PL_CARPOOL_ROLE_FLEXIBLE, 3, 30, 1)};
    pl_carpool_result *r = plan(p, 2, NULL);
    assert_int_equal(r->ngroups, 1);
    assert_int_equal(group_of(r, 0)->npassengers, 1);
    assert_int_equal(group_of(r, 0)->passengers[0], 1);
    assert_int_equal(r->totals.passengers, 1);
    assert_int_equal(r->totals.riders, 0);
    pl_carpool_result_free(r);
}

/* The flexible is the only one who can reach the rider: it drives. */
static void flexible_drives_when_it_seats_a_rider(void **state)
{
    (void)state;
    pl_carpool_participant p[3] = {person(PL_CARPOOL_ROLE_DRIVE, 3, 60, 0),
                                   person(PL_CARPOOL_ROLE_FLEXIBLE, 2, 50, 50),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, 25, 25)};
    pl_carpool_result *r = plan(p, 3, NULL);
    assert_non_null(group_of(r, 1));
    assert_int_equal(group_of(r, 1)->npassengers, 1);
    assert_int_equal(group_of(r, 1)->passengers[0], 2);
    assert_int_equal(r->totals.riders_seated, 1);
    assert_int_equal(r->totals.cars, 2);
    pl_carpool_result_free(r);
}

static void detour_minutes_cap(void **state)
{
    (void)state;
    /* 299 km trip: 25 % = 75 km but 30 min at 60 km/h = 30 km only; the
     * pickup costs 65 km */
    pl_carpool_participant p[2] = {person(PL_CARPOOL_ROLE_DRIVE, 3, 230, 0),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, 120, 80)};
    pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
    pl_carpool_result *r = plan(p, 2, &o);
    assert_int_equal(reason_of(r, 1), PL_CARPOOL_REASON_NO_DRIVER);
    pl_carpool_result_free(r);
    o.max_detour_minutes = PL_CARPOOL_UNLIMITED;
    r = plan(p, 2, &o);
    assert_int_equal(group_of(r, 0)->npassengers, 1);
    assert_true(group_of(r, 0)->detour_km > 30.0);
    pl_carpool_result_free(r);
}

static void unknown_origin(void **state)
{
    (void)state;
    pl_carpool_participant p[2] = {person(PL_CARPOOL_ROLE_DRIVE, 3, 60, 0),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, 30, 0)};
    p[1].origin.lat = NAN;
    pl_carpool_result *r = plan(p, 2, NULL);
    assert_int_equal(reason_of(r, 1), PL_CARPOOL_REASON_NO_ORIGIN);
    assert_int_equal(r->totals.riders, 0);
    pl_carpool_result_free(r);
}

/* Nobody offers a seat: the detour limit is not the reason. A driver with
 * no seat, a driver whose origin is unknown and a rider do not count; one
 * far driver with a seat does (then the detour limit is the reason). */
static void nobody_drives_is_not_a_detour(void **state)
{
    (void)state;
    pl_carpool_participant p[4] = {
        person(PL_CARPOOL_ROLE_DRIVE, 0, 10, 0), person(PL_CARPOOL_ROLE_DRIVE, 3, 20, 0),
        person(PL_CARPOOL_ROLE_RIDE, 0, 30, 0), person(PL_CARPOOL_ROLE_RIDE, 0, 30, 1)};
    p[1].origin.lat = NAN;
    pl_carpool_result *r = plan(p, 4, NULL);
    assert_int_equal(reason_of(r, 2), PL_CARPOOL_REASON_NO_DRIVERS);
    assert_int_equal(reason_of(r, 3), PL_CARPOOL_REASON_NO_DRIVERS);
    assert_string_equal(pl_carpool_reason_text(PL_CARPOOL_REASON_NO_DRIVERS),
                        "nobody drives with a seat to offer on this trip");
    pl_carpool_result_free(r);

    /* a driver with a seat, out of reach: no driver within the limit */
    p[1].origin = at(-60, 0);
    r = plan(p, 4, NULL);
    assert_int_equal(reason_of(r, 2), PL_CARPOOL_REASON_NO_DRIVER);
    assert_int_equal(reason_of(r, 3), PL_CARPOOL_REASON_NO_DRIVER);
    pl_carpool_result_free(r);

    /* no driver at all, only riders */
    r = plan(p + 2, 2, NULL);
    assert_int_equal(reason_of(r, 0), PL_CARPOOL_REASON_NO_DRIVERS);
    assert_int_equal(reason_of(r, 1), PL_CARPOOL_REASON_NO_DRIVERS);
    pl_carpool_result_free(r);
}

/* A confirmed car with a seat left is a driver of the event: a rider far
 * from it is out of reach, not without drivers. */
static void confirmed_car_counts_as_a_driver(void **state)
{
    (void)state;
    pl_carpool_participant p[3] = {person(PL_CARPOOL_ROLE_DRIVE, 3, 60, 0),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, 50, 0),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, -50, 0)};
    size_t conf_pass[1] = {1};
    pl_carpool_confirmed conf = {0, conf_pass, 1};
    pl_carpool_problem pb = {p, 3, VENUE, 600, &conf, 1, PL_CARPOOL_OUTBOUND, 0, NULL, NULL, 0};
    pl_carpool_result *r = NULL;
    assert_int_equal(pl_carpool_plan(&r, &pb, NULL, NULL), PL_OK);
    assert_int_equal(reason_of(r, 2), PL_CARPOOL_REASON_NO_DRIVER);
    pl_carpool_result_free(r);

    /* a rider on its way: the confirmed car has two seats left but is kept
     * as it is; not "every driver within reach is full" */
    p[2] = person(PL_CARPOOL_ROLE_RIDE, 0, 55, 0);
    assert_int_equal(pl_carpool_plan(&r, &pb, NULL, NULL), PL_OK);
    assert_int_equal(reason_of(r, 2), PL_CARPOOL_REASON_KEPT);
    assert_string_equal(pl_carpool_reason_text(PL_CARPOOL_REASON_KEPT),
                        "a car within reach has a seat left, but it is kept as it is (confirmed, "
                        "locked or going home together)");
    pl_carpool_result_free(r);

    /* the confirmed car full (one seat): now it is full */
    p[0].seats = 1;
    assert_int_equal(pl_carpool_plan(&r, &pb, NULL, NULL), PL_OK);
    assert_int_equal(reason_of(r, 2), PL_CARPOOL_REASON_NO_SEAT);
    pl_carpool_result_free(r);
}

static void confirmed_group_is_kept(void **state)
{
    (void)state;
    /* without confirmation, rider 2 would go with driver 1 (on its way) */
    pl_carpool_participant p[4] = {
        person(PL_CARPOOL_ROLE_DRIVE, 2, 60, 30), person(PL_CARPOOL_ROLE_DRIVE, 2, 60, 0),
        person(PL_CARPOOL_ROLE_RIDE, 0, 30, 0), person(PL_CARPOOL_ROLE_RIDE, 0, 40, 1)};
    size_t conf_pass[1] = {2};
    pl_carpool_confirmed conf = {0, conf_pass, 1};
    pl_carpool_problem pb = {p, 4, VENUE, 600, &conf, 1, PL_CARPOOL_OUTBOUND, 0, NULL, NULL, 0};
    pl_carpool_result *r = NULL;
    assert_int_equal(pl_carpool_plan(&r, &pb, NULL, NULL), PL_OK);
    const pl_carpool_group *g0 = group_of(r, 0), *g1 = group_of(r, 1);
    assert_non_null(g0);
    assert_true(g0->confirmed);
    assert_int_equal(g0->npassengers, 1);
    assert_int_equal(g0->passengers[0], 2);
    assert_false(g1->confirmed);
    assert_int_equal(g1->npassengers, 1);
    assert_int_equal(g1->passengers[0], 3);
    assert_int_equal(r->totals.riders_seated, 2);
    pl_carpool_result_free(r);
}

static void bad_input_is_rejected(void **state)
{
    (void)state;
    pl_carpool_participant p[2] = {person(PL_CARPOOL_ROLE_DRIVE, 3, 60, 0),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, 30, 0)};
    pl_carpool_problem pb = {p, 2, {NAN, 0}, 600, NULL, 0, PL_CARPOOL_OUTBOUND, 0, NULL, NULL, 0};
    pl_carpool_result *r = NULL;
    pl_error err;
    assert_int_equal(pl_carpool_plan(&r, &pb, NULL, &err), PL_EINVALID);
    assert_null(r);
    assert_non_null(strstr(err.msg, "venue"));
    pb.venue = VENUE;
    p[0].seats = -1;
    assert_int_equal(pl_carpool_plan(&r, &pb, NULL, &err), PL_EINVALID);
    p[0].seats = 3;
    size_t twice[2] = {1, 1};
    pl_carpool_confirmed conf = {0, twice, 2};
    pb.confirmed = &conf;
    pb.nconfirmed = 1;
    assert_int_equal(pl_carpool_plan(&r, &pb, NULL, &err), PL_EINVALID);
    assert_non_null(strstr(err.msg, "two confirmed"));
    pb.nconfirmed = 0;
    pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
    o.road_factor = 0;
    assert_int_equal(pl_carpool_plan(&r, &pb, &o, &err), PL_EINVALID);
    assert_null(r);
    pl_carpool_result_free(NULL);
}

static void empty_problem(void **state)
{
    (void)state;
    pl_carpool_result *r = plan(NULL, 0, NULL);
    assert_int_equal(r->ngroups, 0);
    assert_int_equal(r->nunassigned, 0);
    pl_carpool_result_free(r);
}

typedef struct counting {
    long calls;
} counting;

static double manhattan_km(const pl_carpool_point *a, const pl_carpool_point *b, void *payload)
{
    ((counting *)payload)->calls++;
    double dy = (a->lat - b->lat) * KM_PER_DEG;
    double dx = (a->lon - b->lon) * KM_PER_DEG * cos(VENUE.lat * 3.14159265358979323846 / 180.0);
    return 1.2 * (fabs(dx) + fabs(dy));
}

static void distance_callback_is_used(void **state)
{
    (void)state;
    counting c = {0};
    pl_carpool_participant p[2] = {person(PL_CARPOOL_ROLE_DRIVE, 3, 60, 0),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, 30, 1)};
    pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
    o.distance_km = manhattan_km;
    o.payload = &c;
    pl_carpool_result *r = plan(p, 2, &o);
    assert_true(c.calls > 0);
    const pl_carpool_group *g = group_of(r, 0);
    assert_int_equal(g->npassengers, 1);
    /* 60 km north then 1 km east and back: manhattan x 1.2 */
    assert_true(fabs(g->distance_km - 1.2 * 62.0) < 0.01);
    pl_carpool_result_free(r);
}

/* ---- properties on random instances ---------------------------------- */

static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double urand(uint64_t *s)
{
    return (double)(rnd(s) >> 11) / 9007199254740992.0;
}

static size_t make_instance(pl_carpool_participant *p, uint64_t seed)
{
    uint64_t st = seed;
    size_t n = 20 + (size_t)(rnd(&st) % 100);
    double radius = 20 + urand(&st) * 200;
    for (size_t i = 0; i < n; i++) {
        double r = radius * sqrt(urand(&st)), a = 6.283185307179586 * urand(&st);
        unsigned k = (unsigned)(rnd(&st) % 20);
        pl_carpool_role role = k < 6    ? PL_CARPOOL_ROLE_DRIVE
                               : k < 15 ? PL_CARPOOL_ROLE_RIDE
                               : k < 19 ? PL_CARPOOL_ROLE_FLEXIBLE
                                        : PL_CARPOOL_ROLE_NONE;
        p[i] = person(role, (int)(rnd(&st) % 5), r * sin(a), r * cos(a));
        p[i].id = (long)i;
        if (rnd(&st) % 50 == 0)
            p[i].origin.lon = NAN;
    }
    return n;
}

static double road(const pl_carpool_point *a, const pl_carpool_point *b)
{
    return pl_carpool_distance_km(a, b, 1.3);
}

/* Can driver d take q alone within the limits of o (percent, and minutes
 * with one stop)? */
static int in_reach(const pl_carpool_participant *p, size_t d, size_t q,
                    const pl_carpool_options *o)
{
    double direct = road(&p[d].origin, &VENUE);
    double len = road(&p[d].origin, &p[q].origin) + road(&p[q].origin, &VENUE);
    double minutes = (len - direct) / o->speed_kmh * 60 + o->stop_minutes;
    return len <= direct * (1 + o->max_detour_pct / 100) + 1e-9 &&
           (o->max_detour_minutes < 0 || minutes <= o->max_detour_minutes + 1e-9);
}

static int has_flexible(const pl_carpool_participant *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].role == PL_CARPOOL_ROLE_FLEXIBLE)
            return 1;
    return 0;
}

/* The reason given to an unseated rider is true: no driver within reach; or
 * every driver within reach is full; or one of them has a seat left (and no
 * route could take the stop). */
static void check_reason(const pl_carpool_participant *p, size_t n, const pl_carpool_result *r,
                         size_t q, pl_carpool_reason why, const pl_carpool_options *o)
{
    int reach = 0, room = 0, any = 0;
    for (size_t d = 0; d < n; d++)
        if (p[d].role != PL_CARPOOL_ROLE_RIDE && p[d].seats > 0 && isfinite(p[d].origin.lon) &&
            isfinite(p[d].origin.lat))
            any = 1;
    for (size_t d = 0; d < n; d++) {
        if (p[d].role != PL_CARPOOL_ROLE_DRIVE || p[d].seats == 0 || !isfinite(p[d].origin.lon) ||
            !in_reach(p, d, q, o))
            continue;
        reach = 1;
        for (size_t g = 0; g < r->ngroups; g++)
            if (r->groups[g].driver == d && (int)r->groups[g].npassengers < p[d].seats)
                room = 1;
    }
    if (why == PL_CARPOOL_REASON_NO_DRIVERS)
        assert_false(any);
    else if (why == PL_CARPOOL_REASON_NO_DRIVER)
        assert_true(any && !reach);
    else if (why == PL_CARPOOL_REASON_NO_SEAT)
        assert_true(reach && !room);
    else
        assert_true(why == PL_CARPOOL_REASON_NO_ROOM && room);
}

/* Every participant exactly once; seats, detour (% and minutes with stops),
 * distances, times and totals consistent; on the return trip, passengers
 * are in drop-off order and the route is driven from the venue. */
static void check_trip(const pl_carpool_participant *p, size_t n, const pl_carpool_result *r,
                       const pl_carpool_options *o, pl_carpool_trip trip)
{
    int seen[200] = {0};
    double vkm = 0, alone = 0;
    size_t pass = 0;
    for (size_t g = 0; g < r->ngroups; g++) {
        const pl_carpool_group *gr = &r->groups[g];
        const pl_carpool_participant *d = &p[gr->driver];
        assert_true(d->role == PL_CARPOOL_ROLE_DRIVE || d->role == PL_CARPOOL_ROLE_FLEXIBLE);
        assert_true((int)gr->npassengers <= d->seats);
        seen[gr->driver]++;
        const pl_carpool_point *prev = &d->origin;
        double len = 0, direct = road(&d->origin, &VENUE);
        alone += direct;
        long t_prev = gr->departure_time;
        for (size_t i = 0; i < gr->npassengers; i++) {
            size_t at = trip == PL_CARPOOL_RETURN ? gr->npassengers - 1 - i : i;
            const pl_carpool_participant *q = &p[gr->passengers[at]];
            assert_true(q->role == PL_CARPOOL_ROLE_RIDE || q->role == PL_CARPOOL_ROLE_FLEXIBLE);
            seen[gr->passengers[at]]++;
            len += road(prev, &q->origin);
            alone += road(&q->origin, &VENUE);
            prev = &q->origin;
            assert_true(gr->pickup_times[i] >= t_prev);
            t_prev = gr->pickup_times[i];
        }
        len += road(prev, &VENUE);
        assert_true(t_prev <= gr->arrival_time);
        assert_true(fabs(len - gr->distance_km) < 1e-6);
        assert_true(len <= direct * (1 + o->max_detour_pct / 100) + 1e-6);
        double minutes = (len - direct) / o->speed_kmh * 60 + o->stop_minutes * gr->npassengers;
        assert_true(minutes <= o->max_detour_minutes + 1e-6);
        vkm += len;
        pass += gr->npassengers;
    }
    for (size_t u = 0; u < r->nunassigned; u++) {
        size_t q = r->unassigned[u].participant;
        seen[q]++;
        /* a flexible or a driver with an origin always goes by car */
        if (p[q].role == PL_CARPOOL_ROLE_DRIVE || p[q].role == PL_CARPOOL_ROLE_FLEXIBLE)
            assert_int_equal(r->unassigned[u].reason, PL_CARPOOL_REASON_NO_ORIGIN);
        else if (p[q].role == PL_CARPOOL_ROLE_RIDE && isfinite(p[q].origin.lon) &&
                 !has_flexible(p, n))
            check_reason(p, n, r, q, r->unassigned[u].reason, o);
    }
    for (size_t i = 0; i < n; i++)
        assert_int_equal(seen[i], 1);
    assert_int_equal(r->totals.cars, r->ngroups);
    assert_int_equal(r->totals.passengers, pass);
    assert_true(fabs(r->totals.vehicle_km - vkm) < 1e-6);
    assert_true(fabs(r->totals.vehicle_km_alone - alone) < 1e-6);
}

static void check_plan(const pl_carpool_participant *p, size_t n, const pl_carpool_result *r,
                       const pl_carpool_options *o)
{
    check_trip(p, n, r, o, PL_CARPOOL_OUTBOUND);
}

static void same_plan(const pl_carpool_result *a, const pl_carpool_result *b)
{
    assert_int_equal(a->ngroups, b->ngroups);
    assert_int_equal(a->nunassigned, b->nunassigned);
    for (size_t g = 0; g < a->ngroups; g++) {
        assert_int_equal(a->groups[g].driver, b->groups[g].driver);
        assert_int_equal(a->groups[g].npassengers, b->groups[g].npassengers);
        assert_memory_equal(a->groups[g].passengers, b->groups[g].passengers,
                            a->groups[g].npassengers * sizeof(size_t));
    }
    assert_true(a->totals.vehicle_km == b->totals.vehicle_km);
}

static void random_plans_are_valid_and_deterministic(void **state)
{
    (void)state;
    pl_carpool_participant p[200];
    for (uint64_t seed = 1; seed <= 40; seed++) {
        size_t n = make_instance(p, seed);
        pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
        o.iterations = 2000;
        if (seed % 3 == 0)
            o.max_detour_pct = 40;
        if (seed % 4 == 0)
            o.stop_minutes = 5;
        pl_carpool_result *a = plan(p, n, &o), *b = plan(p, n, &o);
        check_plan(p, n, a, &o);
        same_plan(a, b);
        pl_carpool_result_free(a);
        pl_carpool_result_free(b);
    }
}

/* With one candidate per passenger and one seat per car, a seated rider
 * rides with the driver of least single-pickup detour (found here by brute
 * force) unless that driver is full, and a rider is
 * "no driver" exactly when no driver can take them alone: the spatial index
 * neither misses nor misranks a driver, on every side of the venue and at
 * every distance. */
static void candidate_is_the_least_detour_driver(void **state)
{
    (void)state;
    enum { N = 600 };
    static pl_carpool_participant p[N];
    pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
    o.candidates = 1;
    o.iterations = 200;
    o.max_detour_pct = 30;
    o.max_detour_minutes = PL_CARPOOL_UNLIMITED;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        uint64_t st = seed * 7919;
        for (size_t i = 0; i < N; i++) {
            double r = 400 * urand(&st) * urand(&st), a = 6.283185307179586 * urand(&st);
            int drive = rnd(&st) % 3 == 0;
            p[i] = person(drive ? PL_CARPOOL_ROLE_DRIVE : PL_CARPOOL_ROLE_RIDE, drive ? 1 : 0,
                          r * sin(a), r * cos(a));
        }
        pl_carpool_result *res = plan(p, N, &o);
        size_t *best = malloc(N * sizeof *best);
        for (size_t q = 0; q < N; q++) {
            double bd = HUGE_VAL, dvq = road(&p[q].origin, &VENUE);
            best[q] = SIZE_MAX;
            for (size_t d = 0; d < N && p[q].role == PL_CARPOOL_ROLE_RIDE; d++) {
                if (p[d].role != PL_CARPOOL_ROLE_DRIVE)
                    continue;
                double dvd = road(&p[d].origin, &VENUE), dop = road(&p[d].origin, &p[q].origin);
                if (dop + dvq > dvd * 1.3 + 1e-9)
                    continue;
                if (dop + dvq - dvd < bd) {
                    bd = dop + dvq - dvd;
                    best[q] = d;
                }
            }
        }
        /* a rider seated with another driver (by the last pass, which tries
         * every driver within reach) found its best driver full */
        for (size_t g = 0; g < res->ngroups; g++)
            for (size_t k = 0; k < res->groups[g].npassengers; k++) {
                size_t q = res->groups[g].passengers[k];
                assert_true(res->groups[g].driver == best[q] ||
                            group_of(res, best[q])->npassengers == 1);
            }
        for (size_t u = 0; u < res->nunassigned; u++) {
            size_t q = res->unassigned[u].participant;
            assert_int_equal(res->unassigned[u].reason == PL_CARPOOL_REASON_NO_DRIVER,
                             best[q] == SIZE_MAX);
        }
        free(best);
        pl_carpool_result_free(res);
    }
}

/* The automatic search budget grows with the passengers (10,000 + 3 per
 * passenger) up to 10,000 passengers, then stays at 40,000 iterations. */
static void automatic_budget_stops_growing(void **state)
{
    (void)state;
    enum { N = 12000 };
    static pl_carpool_participant p[N];
    uint64_t st = 5;
    for (size_t i = 0; i < N; i++) {
        double r = 50 * sqrt(urand(&st)), a = 6.283185307179586 * urand(&st);
        p[i] = i < 20 ? person(PL_CARPOOL_ROLE_DRIVE, 4, r * sin(a), r * cos(a))
                      : person(PL_CARPOOL_ROLE_RIDE, 0, r * sin(a), r * cos(a));
    }
    pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
    pl_carpool_result *r = plan(p, 1000, &o);
    assert_int_equal(r->iterations, 10000 + 3 * 980);
    pl_carpool_result_free(r);
    r = plan(p, N, &o);
    assert_int_equal(r->iterations, 40000);
    assert_int_equal(r->ngroups, 20);
    assert_int_equal(r->totals.passengers, 80); /* every seat taken */
    assert_int_equal(r->ngroups + r->totals.passengers + r->nunassigned, N);
    pl_carpool_result_free(r);
}

/* Keeping the plan's own groups as confirmed reproduces them, and the rest
 * stays valid. */
static void replanning_with_confirmed_groups(void **state)
{
    (void)state;
    pl_carpool_participant p[200];
    size_t n = make_instance(p, 77);
    pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
    o.iterations = 1000;
    pl_carpool_result *a = plan(p, n, &o);
    pl_carpool_confirmed conf[200];
    size_t nc = 0;
    for (size_t g = 0; g < a->ngroups; g += 2)
        conf[nc++] = (pl_carpool_confirmed){a->groups[g].driver, a->groups[g].passengers,
                                            a->groups[g].npassengers};
    pl_carpool_problem pb = {p, n, VENUE, 600, conf, nc, PL_CARPOOL_OUTBOUND, 0, NULL, NULL, 0};
    pl_carpool_result *b = NULL;
    assert_int_equal(pl_carpool_plan(&b, &pb, &o, NULL), PL_OK);
    check_plan(p, n, b, &o);
    for (size_t c = 0; c < nc; c++) {
        const pl_carpool_group *g = group_of(b, conf[c].driver);
        assert_non_null(g);
        assert_true(g->confirmed);
        assert_int_equal(g->npassengers, conf[c].npassengers);
        assert_memory_equal(g->passengers, conf[c].passengers, g->npassengers * sizeof(size_t));
    }
    pl_carpool_result_free(b);
    pl_carpool_result_free(a);
}

/* ---- clustered origins ------------------------------------------------- */

/* Communes: points of the tests below, km north and east of the venue. */
static const double TOWNS[][2] = {{40, 5}, {-35, 12}, {8, -45}, {25, 30}, {-60, -20}, {70, -5}};
#define NTOWNS (sizeof TOWNS / sizeof TOWNS[0])

/* A seeded instance of n people at the centres of the towns above, the
 * first town sending about half of them (skewed sizes, as real communes);
 * about a third drive. flexible: some of them are FLEXIBLE. */
static size_t make_clustered(pl_carpool_participant *p, size_t n, uint64_t seed, int flexible)
{
    uint64_t st = seed * 104729;
    for (size_t i = 0; i < n; i++) {
        size_t town = rnd(&st) % 2 ? 0 : (size_t)(rnd(&st) % NTOWNS);
        unsigned k = (unsigned)(rnd(&st) % 20);
        pl_carpool_role role = k < 7 ? PL_CARPOOL_ROLE_DRIVE : PL_CARPOOL_ROLE_RIDE;
        if (flexible && k >= 17)
            role = PL_CARPOOL_ROLE_FLEXIBLE;
        p[i] = person(role, role == PL_CARPOOL_ROLE_RIDE ? 0 : 1 + (int)(rnd(&st) % 4),
                      TOWNS[town][0], TOWNS[town][1]);
        p[i].id = (long)i;
    }
    return n;
}

/* Every town has more seats than riders, and many more drivers than a
 * candidate list holds: the optimum seats every rider in their own town, at
 * no extra vehicle-km (the pickup is at the driver's door). */
static void clustered_riders_seated_in_their_own_town(void **state)
{
    (void)state;
    enum { PER_TOWN = 30 };
    pl_carpool_participant p[NTOWNS * PER_TOWN];
    size_t n = 0;
    double direct = 0.0;
    for (size_t t = 0; t < NTOWNS; t++)
        for (size_t i = 0; i < PER_TOWN; i++, n++) {
            int drive = i < PER_TOWN / 2 + 1;
            p[n] = person(drive ? PL_CARPOOL_ROLE_DRIVE : PL_CARPOOL_ROLE_RIDE, drive ? 1 : 0,
                          TOWNS[t][0], TOWNS[t][1]);
            if (drive)
                direct += road(&p[n].origin, &VENUE);
        }
    pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
    o.candidates = 4; /* far fewer than the 16 drivers of a town */
    pl_carpool_result *r = plan(p, n, &o);
    check_plan(p, n, r, &o);
    assert_int_equal(r->totals.riders_seated, r->totals.riders);
    assert_int_equal(r->nunassigned, 0);
    assert_true(fabs(r->totals.vehicle_km - direct) < 1e-6);
    for (size_t g = 0; g < r->ngroups; g++)
        for (size_t k = 0; k < r->groups[g].npassengers; k++) {
            const pl_carpool_point *a = &p[r->groups[g].driver].origin;
            const pl_carpool_point *b = &p[r->groups[g].passengers[k]].origin;
            assert_true(a->lat == b->lat && a->lon == b->lon);
        }
    pl_carpool_result_free(r);
}

/* One town has more riders than its drivers' seats; the next town on the
 * way has free seats. With one candidate per rider (its own town), the
 * riders left over still ride with the other town's drivers: the number
 * seated is the b-matching bound. */
static void clustered_overflow_goes_to_the_next_town(void **state)
{
    (void)state;
    pl_carpool_participant p[40];
    size_t n = 0;
    for (int i = 0; i < 10; i++) /* far town: 10 drivers, 1 seat, 20 riders */
        p[n++] = person(PL_CARPOOL_ROLE_DRIVE, 1, 60, 0);
    for (int i = 0; i < 20; i++)
        p[n++] = person(PL_CARPOOL_ROLE_RIDE, 0, 60, 0);
    for (int i = 0; i < 5; i++) /* town on the way: 5 drivers, 2 seats, nobody to take */
        p[n++] = person(PL_CARPOOL_ROLE_DRIVE, 2, 61, 1);
    pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
    o.candidates = 1;
    pl_carpool_result *r = plan(p, n, &o);
    check_plan(p, n, r, &o);
    assert_int_equal(r->totals.riders_seated, 20);
    pl_carpool_result_free(r);
}

/* The reasons: no driver within reach; drivers within reach full; a driver
 * within reach with a seat left whose route cannot take the stop. */
static void clustered_reasons_are_true(void **state)
{
    (void)state;
    /* a town with 2 seats for 4 riders, and a rider nobody can reach */
    pl_carpool_participant a[7] = {
        person(PL_CARPOOL_ROLE_DRIVE, 1, 40, 0), person(PL_CARPOOL_ROLE_DRIVE, 1, 40, 0),
        person(PL_CARPOOL_ROLE_RIDE, 0, 40, 0),  person(PL_CARPOOL_ROLE_RIDE, 0, 40, 0),
        person(PL_CARPOOL_ROLE_RIDE, 0, 40, 0),  person(PL_CARPOOL_ROLE_RIDE, 0, 40, 0),
        person(PL_CARPOOL_ROLE_RIDE, 0, -40, 0)};
    pl_carpool_result *r = plan(a, 7, NULL);
    assert_int_equal(r->totals.riders_seated, 2);
    assert_int_equal(reason_of(r, 6), PL_CARPOOL_REASON_NO_DRIVER);
    for (size_t q = 2; q < 6; q++) {
        int why = reason_of(r, q);
        assert_true(why == 0 || why == PL_CARPOOL_REASON_NO_SEAT);
    }
    pl_carpool_result_free(r);

    /* one driver, 2 seats: either rider alone fits, both together do not */
    pl_carpool_participant b[3] = {person(PL_CARPOOL_ROLE_DRIVE, 2, 60, 0),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, 30, 10),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, 30, -10)};
    r = plan(b, 3, NULL);
    assert_int_equal(r->totals.riders_seated, 1);
    assert_int_equal(r->nunassigned, 1);
    assert_int_equal(r->unassigned[0].reason, PL_CARPOOL_REASON_NO_ROOM);
    assert_string_equal(pl_carpool_reason_text(PL_CARPOOL_REASON_NO_ROOM),
                        "drivers within reach have seats left, but none can add this stop "
                        "within the detour limit");
    pl_carpool_result_free(r);
}

/* The property test over clustered instances: seats, detour, nobody twice,
 * true reasons, same plan twice; with small candidate lists too. */
static void clustered_plans_are_valid_and_deterministic(void **state)
{
    (void)state;
    pl_carpool_participant p[200];
    for (uint64_t seed = 1; seed <= 30; seed++) {
        size_t n = make_clustered(p, 60 + (size_t)(seed * 37 % 140), seed, seed % 3 == 0);
        pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
        o.iterations = 1000;
        if (seed % 2 == 0)
            o.candidates = 3;
        if (seed % 5 == 0)
            o.max_detour_pct = 40;
        pl_carpool_result *a = plan(p, n, &o), *b = plan(p, n, &o);
        check_plan(p, n, a, &o);
        same_plan(a, b);
        pl_carpool_result_free(a);
        pl_carpool_result_free(b);
    }
}

/* ---- the way home ------------------------------------------------------ */

static pl_carpool_result *plan_return(const pl_carpool_participant *p, size_t n,
                                      const pl_carpool_options *o, const long *leave,
                                      const pl_carpool_confirmed *prefer, size_t nprefer)
{
    pl_carpool_problem pb = {p,       n,     VENUE,  9 * 60, NULL, 0, PL_CARPOOL_RETURN,
                             17 * 60, leave, prefer, nprefer};
    pl_carpool_result *r = NULL;
    pl_error err;
    assert_int_equal(pl_carpool_plan(&r, &pb, o, &err), PL_OK);
    return r;
}

/* From the venue, the nearer passenger is dropped first; the car leaves at
 * the end, each drop-off is the driving time later (plus the stop before
 * it), the driver is home last. */
static void return_drops_in_order_with_times(void **state)
{
    (void)state;
    pl_carpool_participant p[3] = {person(PL_CARPOOL_ROLE_DRIVE, 2, 60, 0),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, 40, 1),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, 20, 1)};
    pl_carpool_result *out = plan(p, 3, NULL), *r = plan_return(p, 3, NULL, NULL, NULL, 0);
    const pl_carpool_group *g = group_of(r, 0), *go = group_of(out, 0);
    assert_int_equal(g->npassengers, 2);
    assert_int_equal(go->passengers[0], 1); /* outbound: the farther first */
    assert_int_equal(g->passengers[0], 2);  /* home: the nearer first */
    assert_int_equal(g->passengers[1], 1);
    assert_true(fabs(g->distance_km - go->distance_km) < 1e-9);
    double t = 17 * 60 + road(&VENUE, &p[2].origin);
    assert_int_equal(g->departure_time, 17 * 60);
    assert_int_equal(g->pickup_times[0], (long)ceil(t - 1e-9));
    t += 2 + road(&p[2].origin, &p[1].origin);
    assert_int_equal(g->pickup_times[1], (long)ceil(t - 1e-9));
    t += 2 + road(&p[1].origin, &p[0].origin);
    assert_int_equal(g->arrival_time, (long)ceil(t - 1e-9));
    check_trip(p, 3, r, &(pl_carpool_options)PL_CARPOOL_OPTIONS_INIT, PL_CARPOOL_RETURN);
    pl_carpool_result_free(out);
    pl_carpool_result_free(r);
}

/* A passenger who leaves after the driver does not ride with them; the
 * car leaves when its driver does. */
static void return_respects_leave_times(void **state)
{
    (void)state;
    pl_carpool_participant p[3] = {person(PL_CARPOOL_ROLE_DRIVE, 2, 60, 0),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, 40, 1),
                                   person(PL_CARPOOL_ROLE_RIDE, 0, 20, 1)};
    long leave[3] = {16 * 60, 17 * 60, 15 * 60};
    pl_carpool_result *r = plan_return(p, 3, NULL, leave, NULL, 0);
    const pl_carpool_group *g = group_of(r, 0);
    assert_int_equal(g->npassengers, 1);
    assert_int_equal(g->passengers[0], 2);
    assert_int_equal(g->departure_time, 16 * 60);
    assert_int_equal(reason_of(r, 1), PL_CARPOOL_REASON_LEAVE_TIME);
    pl_carpool_result_free(r);
}

/* The outbound groups go home together where they still fit; a group whose
 * passenger stays later than its driver is planned again. */
static void return_prefers_the_outbound_groups(void **state)
{
    (void)state;
    /* two drivers side by side: either could take any rider, so only the
     * preference decides */
    pl_carpool_participant p[6] = {
        person(PL_CARPOOL_ROLE_DRIVE, 2, 50, 0), person(PL_CARPOOL_ROLE_DRIVE, 2, 50, 0.5),
        person(PL_CARPOOL_ROLE_RIDE, 0, 30, 0),  person(PL_CARPOOL_ROLE_RIDE, 0, 30, 0.5),
        person(PL_CARPOOL_ROLE_RIDE, 0, 20, 0),  person(PL_CARPOOL_ROLE_RIDE, 0, 20, 0.5)};
    size_t a[2] = {5, 2}, b[2] = {4, 3}; /* drop-off order: nearer first */
    pl_carpool_confirmed prefer[2] = {{0, a, 2}, {1, b, 2}};
    pl_carpool_result *r = plan_return(p, 6, NULL, NULL, prefer, 2);
    const pl_carpool_group *g0 = group_of(r, 0), *g1 = group_of(r, 1);
    assert_int_equal(g0->npassengers, 2);
    assert_true(g0->preferred && !g0->confirmed);
    assert_int_equal(g0->passengers[0], 5);
    assert_int_equal(g0->passengers[1], 2);
    assert_int_equal(g1->passengers[0], 4);
    assert_int_equal(g1->passengers[1], 3);
    check_trip(p, 6, r, &(pl_carpool_options)PL_CARPOOL_OPTIONS_INIT, PL_CARPOOL_RETURN);
    pl_carpool_result_free(r);

    /* rider 2 stays until 18:00, after driver 0: that group is re-planned,
     * the other is kept */
    long leave[6] = {17 * 60, 18 * 60, 18 * 60, 17 * 60, 17 * 60, 17 * 60};
    r = plan_return(p, 6, NULL, leave, prefer, 2);
    assert_false(group_of(r, 0)->preferred);
    assert_true(group_of(r, 1)->preferred);
    assert_int_equal(r->totals.riders_seated, 3); /* driver 1 is full, 2 stays later than 0 */
    assert_int_equal(reason_of(r, 2), PL_CARPOOL_REASON_NO_SEAT);
    pl_carpool_result_free(r);
}

/* The property test over both trips: clustered and uniform instances. */
static void return_plans_are_valid(void **state)
{
    (void)state;
    pl_carpool_participant p[200];
    for (uint64_t seed = 1; seed <= 20; seed++) {
        size_t n = seed % 2 ? make_instance(p, seed) : make_clustered(p, 120, seed, 1);
        pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
        o.iterations = 1000;
        pl_carpool_result *a = plan_return(p, n, &o, NULL, NULL, 0);
        pl_carpool_result *b = plan_return(p, n, &o, NULL, NULL, 0);
        check_trip(p, n, a, &o, PL_CARPOOL_RETURN);
        same_plan(a, b);
        pl_carpool_result_free(a);
        pl_carpool_result_free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(passenger_on_the_way_is_picked_up),
        cmocka_unit_test(far_passenger_is_unassigned_with_reason),
        cmocka_unit_test(seats_are_respected),
        cmocka_unit_test(every_rider_seated_when_possible),
        cmocka_unit_test(flexible_rides_when_it_saves_km),
        cmocka_unit_test(flexible_drives_when_it_seats_a_rider),
        cmocka_unit_test(detour_minutes_cap),
        cmocka_unit_test(unknown_origin),
        cmocka_unit_test(confirmed_group_is_kept),
        cmocka_unit_test(nobody_drives_is_not_a_detour),
        cmocka_unit_test(confirmed_car_counts_as_a_driver),
        cmocka_unit_test(bad_input_is_rejected),
        cmocka_unit_test(empty_problem),
        cmocka_unit_test(distance_callback_is_used),
        cmocka_unit_test(random_plans_are_valid_and_deterministic),
        cmocka_unit_test(replanning_with_confirmed_groups),
        cmocka_unit_test(candidate_is_the_least_detour_driver),
        cmocka_unit_test(automatic_budget_stops_growing),
        cmocka_unit_test(clustered_riders_seated_in_their_own_town),
        cmocka_unit_test(clustered_overflow_goes_to_the_next_town),
        cmocka_unit_test(clustered_reasons_are_true),
        cmocka_unit_test(clustered_plans_are_valid_and_deterministic),
        cmocka_unit_test(return_drops_in_order_with_times),
        cmocka_unit_test(return_respects_leave_times),
        cmocka_unit_test(return_prefers_the_outbound_groups),
        cmocka_unit_test(return_plans_are_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
