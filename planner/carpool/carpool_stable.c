/*
 * carpool_stable.c - after a plan that kept the previous plan's cars where
 * they still fit (problem.prefer), the riders left without a seat take the
 * spare seats of those cars: each one, in participant order, goes to the car
 * where their stop adds the fewest km, at the best place of its route, within
 * the detour limits. Pure, like the engine: arrays in, arrays out.
 */
#include "carpool.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double dist(const pl_carpool_problem *pb, const pl_carpool_options *o,
                   const pl_carpool_point *a, const pl_carpool_point *b)
{
    (void)pb;
    if (o->distance_km)
        return o->distance_km(a, b, o->payload);
    return pl_carpool_distance_km(a, b, o->road_factor);
}

static const pl_carpool_point *at(const pl_carpool_problem *pb, const pl_carpool_group *g, size_t i)
{
    /* 0: the driver, 1..k: the passengers, k + 1: the venue */
    if (i == 0)
        return &pb->participants[g->driver].origin;
    if (i <= g->npassengers)
        return &pb->participants[g->passengers[i - 1]].origin;
    return &pb->venue;
}

static double max_len(const pl_carpool_options *o, double direct, size_t k)
{
    double extra = direct * o->max_detour_pct / 100.0;
    if (o->max_detour_minutes >= 0.0) {
        double cap = (o->max_detour_minutes - (double)k * o->stop_minutes) * o->speed_kmh / 60.0;
        if (cap < extra)
            extra = cap;
    }
    return direct + extra;
}

/* The times of g (the way there): counted back from the arrival. */
static void times(const pl_carpool_problem *pb, const pl_carpool_options *o, pl_carpool_group *g)
{
    double t = (double)pb->event_start - o->margin_minutes;
    size_t k = g->npassengers;
    g->arrival_time = (long)floor(t);
    for (size_t i = k; i > 0; i--) {
        t -= dist(pb, o, at(pb, g, i), at(pb, g, i + 1)) / o->speed_kmh * 60.0;
        t -= o->stop_minutes;
        g->pickup_times[i - 1] = (long)floor(t);
    }
    t -= dist(pb, o, at(pb, g, 0), at(pb, g, 1)) / o->speed_kmh * 60.0;
    g->departure_time = (long)floor(t);
}

int pl_carpool_fill_seats(pl_carpool_result *res, const pl_carpool_problem *pb,
                          const pl_carpool_options *o, size_t *seated, pl_error *err)
{
    size_t keep = 0;

    *seated = 0;
    if (pb->trip != PL_CARPOOL_OUTBOUND)
        return PL_OK;
    /* bounded work: every unseated rider against every car */
    if ((double)res->nunassigned * (double)res->ngroups > 2e7)
        return PL_OK;
    for (size_t u = 0; u < res->nunassigned; u++) {
        const pl_carpool_unassigned *un = &res->unassigned[u];
        const pl_carpool_participant *p = &pb->participants[un->participant];
        pl_carpool_group *best = NULL;
        size_t best_pos = 0;
        double best_add = INFINITY;

        if (p->role != PL_CARPOOL_ROLE_RIDE ||
            (un->reason != PL_CARPOOL_REASON_NO_SEAT && un->reason != PL_CARPOOL_REASON_NO_ROOM &&
             un->reason != PL_CARPOOL_REASON_NO_DRIVER && un->reason != PL_CARPOOL_REASON_KEPT)) {
            res->unassigned[keep++] = *un;
            continue;
        }
        for (size_t gi = 0; gi < res->ngroups; gi++) {
            pl_carpool_group *g = &res->groups[gi];
            size_t k = g->npassengers;
            if (g->confirmed || (int)k >= pb->participants[g->driver].seats)
                continue;
            double direct = dist(pb, o, at(pb, g, 0), &pb->venue);
            double limit = max_len(o, direct, k + 1);
            for (size_t pos = 0; pos <= k; pos++) {
                const pl_carpool_point *a = at(pb, g, pos), *b = at(pb, g, pos + 1);
                double add =
                    dist(pb, o, a, &p->origin) + dist(pb, o, &p->origin, b) - dist(pb, o, a, b);
                if (g->distance_km + add <= limit + 1e-9 && add < best_add - 1e-12) {
                    best_add = add;
                    best = g;
                    best_pos = pos;
                }
            }
        }
        if (!best) {
            res->unassigned[keep++] = *un;
            continue;
        }
        size_t k = best->npassengers;
        size_t *np = realloc(best->passengers, (k + 1) * sizeof(*np));
        if (!np)
            return pl_error_oom(err);
        best->passengers = np;
        long *nt = realloc(best->pickup_times, (k + 1) * sizeof(*nt));
        if (!nt)
            return pl_error_oom(err);
        best->pickup_times = nt;
        memmove(np + best_pos + 1, np + best_pos, (k - best_pos) * sizeof(*np));
        np[best_pos] = un->participant;
        best->npassengers = k + 1;
        best->distance_km += best_add;
        best->detour_km += best_add;
        times(pb, o, best);
        res->totals.passengers++;
        res->totals.riders_seated++;
        res->totals.vehicle_km += best_add;
        res->totals.vehicle_km_alone += dist(pb, o, &p->origin, &pb->venue);
        res->totals.vehicle_km_avoided = res->totals.vehicle_km_alone - res->totals.vehicle_km;
        res->totals.co2_avoided_kg = res->totals.vehicle_km_avoided * o->co2_kg_per_km;
        (*seated)++;
    }
    res->nunassigned = keep;
    return PL_OK;
}
