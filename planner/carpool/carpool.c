/*
 * carpool.c - the carpool matching engine (see carpool.h for the contract):
 * its public functions; the phases are in the files listed in
 * carpool_solver.h.
 *
 * State. Every participant that can drive (DRIVE, FLEXIBLE) owns a route:
 * the passengers it picks up, in order, and the length of each leg
 * (origin -> p1 -> ... -> pk -> venue). Every participant that can ride
 * (RIDE, FLEXIBLE) has a host: the driver whose route holds them, or -1.
 * A FLEXIBLE participant with no host drives (alone or not); with a host, its
 * own route is empty and its car stays home. So every state is a complete
 * plan and the objective is (riders seated, total length of the routes of
 * the cars that drive), kept up to date by every move.
 *
 * Search. (1) candidates: each passenger keeps its `candidates` best drivers
 * by single-pickup detour, found by a best-first search of a polar index of
 * the drivers around the venue (see build_candidates). (2) regret insertion of
 * riders, then flexible participants where riding saves km. (3) ejection
 * chains: breadth-first augmenting paths that seat an unassigned rider by
 * moving others along. (4) ruin and recreate over related routes, accepting
 * lexicographic non-worsening, every move logged so a rejected iteration is
 * undone exactly. (5) exact reordering of each route.
 */
#include "carpool_solver.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

double pl_carpool_distance_km(const pl_carpool_point *a, const pl_carpool_point *b,
                              double road_factor)
{
    double ua[3], ub[3];
    unit_vector(ua, a);
    unit_vector(ub, b);
    return chord_km(ua, ub) * road_factor;
}

/* ---- public API ------------------------------------------------------- */

void pl_carpool_options_init(pl_carpool_options *opts)
{
    pl_carpool_options def = PL_CARPOOL_OPTIONS_INIT;
    *opts = def;
}

const char *pl_carpool_reason_text(pl_carpool_reason reason)
{
    switch (reason) {
    case PL_CARPOOL_REASON_ROLE_NONE:
        return "not taking part in carpooling";
    case PL_CARPOOL_REASON_NO_ORIGIN:
        return "origin unknown";
    case PL_CARPOOL_REASON_NO_DRIVER:
        return "no driver can reach them within the detour limit";
    case PL_CARPOOL_REASON_NO_SEAT:
        return "every driver within reach is full";
    case PL_CARPOOL_REASON_LEAVE_TIME:
        return "every driver within reach leaves the venue before them";
    case PL_CARPOOL_REASON_KEPT:
        return "a car within reach has a seat left, but it is kept as it is (confirmed, locked or "
               "going home together)";
    case PL_CARPOOL_REASON_NO_DRIVERS:
        return "nobody drives with a seat to offer on this trip";
    case PL_CARPOOL_REASON_NO_ROOM:
        return "drivers within reach have seats left, but none can add this stop within the "
               "detour limit";
    }
    return "unknown reason";
}

void pl_carpool_result_free(pl_carpool_result *result)
{
    if (!result)
        return;
    for (size_t i = 0; i < result->ngroups; i++) {
        free(result->groups[i].passengers);
        free(result->groups[i].pickup_times);
    }
    free(result->groups);
    free(result->unassigned);
    free(result);
}

static void solver_free(solver *s)
{
    void *all[] = {s->u,        s->pr,       s->pa,      s->dv,      s->flag,      s->seats,
                   s->roff,     s->route,    s->legs,    s->rlen,    s->rdist,     s->host,
                   s->maxlen1,  s->coff,     s->cd,      s->cdop,    s->icost,     s->ipos,
                   s->voff,     s->vp,       s->vk,      s->rstamp,  s->hstamp,    s->sh_route,
                   s->sh_legs,  s->sh_len,   s->sh_dist, s->sh_host, s->touched_r, s->touched_h,
                   s->pmark,    s->dmark,    s->pver,    s->pool,    s->hkey,      s->hp,
                   s->node_par, s->node_x,   s->node_d,  s->rkey,    s->dseen,     s->seen,
                   s->cert_off, s->cert_len, s->cert_at, s->cert,    s->changed,   s->why};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]);
    for (size_t i = 0; i < s->nkept; i++)
        free(s->kept[i].passengers);
    free(s->kept);
    cp_index_free(s);
}

static int check_input(const pl_carpool_problem *pb, const pl_carpool_options *o, pl_error *err)
{
    if (!pb || (pb->nparticipants > 0 && !pb->participants) ||
        (pb->nconfirmed > 0 && !pb->confirmed) || (pb->nprefer > 0 && !pb->prefer))
        return pl_error_set(err, PL_EINVALID, "carpool: missing participants");
    if (pb->trip != PL_CARPOOL_OUTBOUND && pb->trip != PL_CARPOOL_RETURN)
        return pl_error_set(err, PL_EINVALID, "carpool: unknown trip %d", (int)pb->trip);
    if (pb->nparticipants >= UINT32_MAX / 2)
        return pl_error_set(err, PL_EINVALID, "carpool: too many participants");
    if (!point_ok(&pb->venue))
        return pl_error_set(err, PL_EINVALID, "carpool: venue has no valid coordinates");
    if (!(o->max_detour_pct >= 0.0) || !isfinite(o->max_detour_pct))
        return pl_error_set(err, PL_EINVALID, "carpool: max detour must be a percentage >= 0");
    if (isnan(o->max_detour_minutes))
        return pl_error_set(err, PL_EINVALID, "carpool: max detour minutes is not a number");
    if (!(o->road_factor > 0.0) || !isfinite(o->road_factor))
        return pl_error_set(err, PL_EINVALID, "carpool: road factor must be > 0");
    if (!(o->speed_kmh > 0.0) || !isfinite(o->speed_kmh))
        return pl_error_set(err, PL_EINVALID, "carpool: average speed must be > 0 km/h");
    if (!(o->stop_minutes >= 0.0) || !isfinite(o->stop_minutes) || !isfinite(o->margin_minutes))
        return pl_error_set(err, PL_EINVALID, "carpool: stop and margin must be finite minutes");
    if (!(o->co2_kg_per_km >= 0.0) || !isfinite(o->co2_kg_per_km))
        return pl_error_set(err, PL_EINVALID, "carpool: CO2 factor must be >= 0");
    if (o->candidates < 0 || o->candidates > 1000)
        return pl_error_set(err, PL_EINVALID, "carpool: candidates must be 0..1000");
    for (size_t i = 0; i < pb->nparticipants; i++) {
        const pl_carpool_participant *p = &pb->participants[i];
        if (p->role < PL_CARPOOL_ROLE_NONE || p->role > PL_CARPOOL_ROLE_FLEXIBLE)
            return pl_error_set(err, PL_EINVALID, "carpool: participant %zu: unknown role %d", i,
                                (int)p->role);
        if (p->seats < 0 || p->seats > 64)
            return pl_error_set(err, PL_EINVALID, "carpool: participant %zu: seats must be 0..64",
                                i);
    }
    return PL_OK;
}

/* Add a kept group, its passengers turned to the engine's order (the
 * return trip lists them in drop-off order). */
static int keep_group(solver *s, const pl_carpool_confirmed *c, int confirmed)
{
    struct kept *k = &s->kept[s->nkept];
    k->driver = c->driver;
    k->npassengers = c->npassengers;
    k->confirmed = confirmed;
    k->passengers = malloc((c->npassengers ? c->npassengers : 1) * sizeof *k->passengers);
    if (!k->passengers)
        return -1;
    for (size_t i = 0; i < c->npassengers; i++)
        k->passengers[i] = c->passengers[s->reverse ? c->npassengers - 1 - i : i];
    s->nkept++;
    return 0;
}

/* Mark confirmed groups' members as locked; reject overlaps. */
static int lock_confirmed(solver *s, const pl_carpool_problem *pb, pl_error *err)
{
    for (size_t g = 0; g < pb->nconfirmed; g++) {
        const pl_carpool_confirmed *c = &pb->confirmed[g];
        if (c->npassengers > 0 && !c->passengers)
            return pl_error_set(err, PL_EINVALID, "carpool: confirmed group %zu: no passengers", g);
        for (size_t i = 0; i <= c->npassengers; i++) {
            size_t p = i == 0 ? c->driver : c->passengers[i - 1];
            if (p >= s->n)
                return pl_error_set(err, PL_EINVALID,
                                    "carpool: confirmed group %zu: no participant %zu", g, p);
            if (s->flag[p] & F_LOCKED)
                return pl_error_set(err, PL_EINVALID,
                                    "carpool: participant %zu is in two confirmed groups", p);
            if (s->flag[p] & F_BAD)
                return pl_error_set(err, PL_EINVALID,
                                    "carpool: confirmed group %zu: participant %zu has no origin",
                                    g, p);
            s->flag[p] |= F_LOCKED;
        }
        if (keep_group(s, c, 1) < 0)
            return pl_error_oom(err);
    }
    return PL_OK;
}

/* Does preferred group c still fit: every member known, travelling and in
 * no other kept group, the driver's seats, leave times, and the detour? */
static int prefer_fits(const solver *s, const pl_carpool_confirmed *c)
{
    size_t d = c->driver, k = c->npassengers;
    if (k == 0 || !c->passengers || d >= s->n || (s->flag[d] & (F_LOCKED | F_BAD)) ||
        !(s->flag[d] & F_DRIVE) || (size_t)s->pt[d].seats < k)
        return 0;
    double len = 0.0;
    size_t prev = d;
    for (size_t i = 0; i < k; i++) {
        size_t p = c->passengers[s->reverse ? k - 1 - i : i];
        if (p >= s->n || p == d || (s->flag[p] & (F_LOCKED | F_BAD)) || !(s->flag[p] & F_RIDE) ||
            !leave_ok(s, p, d))
            return 0;
        for (size_t j = 0; j < k; j++)
            if (c->passengers[j] == p && j != (s->reverse ? k - 1 - i : i))
                return 0; /* twice in the group */
        len += dist(s, prev, p);
        prev = p;
    }
    len += dist(s, prev, s->n);
    return len <= max_len(s, d, (int)k) + EPS;
}

/* Keep the preferred groups that still fit, as they are. */
static int lock_preferred(solver *s, const pl_carpool_problem *pb, pl_error *err)
{
    for (size_t g = 0; g < pb->nprefer; g++) {
        const pl_carpool_confirmed *c = &pb->prefer[g];
        if (!prefer_fits(s, c))
            continue;
        s->flag[c->driver] |= F_LOCKED;
        for (size_t i = 0; i < c->npassengers; i++)
            s->flag[c->passengers[i]] |= F_LOCKED;
        if (keep_group(s, c, 0) < 0)
            return pl_error_oom(err);
    }
    return PL_OK;
}

/* Return trip: legs[] in the engine's order (towards the venue), group
 * passengers already in drop-off order. */
static void fill_times_return(const solver *s, pl_carpool_group *g, const double *legs, long leave)
{
    double t = (double)leave;
    size_t k = g->npassengers;
    g->departure_time = leave;
    for (size_t i = 0; i < k; i++) {
        t += legs[k - i] / s->o.speed_kmh * 60.0;
        g->pickup_times[i] = (long)ceil(t - 1e-9);
        t += s->o.stop_minutes;
    }
    t += legs[0] / s->o.speed_kmh * 60.0;
    g->arrival_time = (long)ceil(t - 1e-9);
}

static void fill_times(const solver *s, pl_carpool_group *g, const double *legs, long start)
{
    double t = (double)start - s->o.margin_minutes;
    size_t k = g->npassengers;
    g->arrival_time = (long)floor(t);
    for (size_t i = k; i > 0; i--) {
        t -= legs[i] / s->o.speed_kmh * 60.0;
        t -= s->o.stop_minutes;
        g->pickup_times[i - 1] = (long)floor(t);
    }
    t -= legs[0] / s->o.speed_kmh * 60.0;
    g->departure_time = (long)floor(t);
}

static int build_result(pl_carpool_result **out, solver *s, const pl_carpool_problem *pb)
{
    int rc = PL_ERROR;
    size_t n = s->n, ng = s->nkept, nu = 0;
    double *legs = NULL;
    pl_carpool_result *res = calloc(1, sizeof *res);
    if (!res)
        goto done;
    for (size_t d = 0; d < n; d++)
        if (is_driving(s, d))
            ng++;
    size_t maxk = 1;
    for (size_t g = 0; g < s->nkept; g++)
        if (s->kept[g].npassengers + 1 > maxk)
            maxk = s->kept[g].npassengers + 1;
    for (size_t d = 0; d < n; d++)
        if ((size_t)s->seats[d] + 1 > maxk)
            maxk = (size_t)s->seats[d] + 1;
    legs = malloc(maxk * sizeof *legs);
    res->groups = calloc(ng ? ng : 1, sizeof *res->groups);
    res->unassigned = calloc(n ? n : 1, sizeof *res->unassigned);
    if (!legs || !res->groups || !res->unassigned)
        goto done;

    /* group order: by driver index, confirmed and planned alike */
    size_t gi = 0;
    for (size_t d = 0; d < n; d++) {
        const struct kept *cf = NULL;
        if (s->flag[d] & F_LOCKED) {
            for (size_t g = 0; g < s->nkept; g++)
                if (s->kept[g].driver == d)
                    cf = &s->kept[g];
            if (!cf)
                continue;
        } else if (!is_driving(s, d)) {
            continue;
        }
        pl_carpool_group *g = &res->groups[gi++];
        res->ngroups = gi; /* so that a failure below frees this group too */
        size_t k = cf ? cf->npassengers : (size_t)s->rlen[d];
        g->driver = d;
        g->npassengers = k;
        g->confirmed = cf && cf->confirmed;
        g->preferred = cf && !cf->confirmed;
        g->passengers = malloc((k ? k : 1) * sizeof *g->passengers);
        g->pickup_times = malloc((k ? k : 1) * sizeof *g->pickup_times);
        if (!g->passengers || !g->pickup_times)
            goto done;
        size_t prev = d;
        double total = 0.0, alone = s->dv[d];
        for (size_t i = 0; i < k; i++) {
            size_t p = cf ? cf->passengers[i] : s->route[s->roff[d] + i];
            g->passengers[i] = p;
            legs[i] = cf ? dist(s, prev, p) : s->legs[s->roff[d] + d + i];
            total += legs[i];
            alone += s->dv[p];
            prev = p;
        }
        legs[k] = cf ? dist(s, prev, n) : s->legs[s->roff[d] + d + k];
        total += legs[k];
        g->distance_km = total;
        g->detour_km = total - s->dv[d];
        if (s->reverse) {
            for (size_t i = 0; i < k / 2; i++) {
                size_t tmp = g->passengers[i];
                g->passengers[i] = g->passengers[k - 1 - i];
                g->passengers[k - 1 - i] = tmp;
            }
            fill_times_return(s, g, legs, pb->leave ? pb->leave[d] : pb->event_end);
        } else {
            fill_times(s, g, legs, pb->event_start);
        }
        res->totals.cars++;
        res->totals.passengers += k;
        res->totals.vehicle_km += total;
        res->totals.vehicle_km_alone += alone;
    }
    res->ngroups = gi;

    for (size_t p = 0; p < n; p++) {
        pl_carpool_role role = s->pt[p].role;
        int reason = 0;
        if (role == PL_CARPOOL_ROLE_RIDE && !(s->flag[p] & F_BAD))
            res->totals.riders++;
        if ((s->flag[p] & F_RIDER) && ((s->flag[p] & F_LOCKED) || s->host[p] >= 0))
            res->totals.riders_seated++;
        if (s->flag[p] & F_LOCKED)
            continue;
        if (role == PL_CARPOOL_ROLE_NONE)
            reason = PL_CARPOOL_REASON_ROLE_NONE;
        else if (s->flag[p] & F_BAD)
            reason = PL_CARPOOL_REASON_NO_ORIGIN;
        else if ((s->flag[p] & F_RIDER) && s->host[p] < 0)
            reason = s->why[p];
        if (reason) {
            res->unassigned[nu].participant = p;
            res->unassigned[nu].reason = (pl_carpool_reason)reason;
            nu++;
        }
    }
    res->nunassigned = nu;
    res->totals.vehicle_km_avoided = res->totals.vehicle_km_alone - res->totals.vehicle_km;
    res->totals.co2_avoided_kg = res->totals.vehicle_km_avoided * s->o.co2_kg_per_km;
    *out = res;
    res = NULL;
    rc = PL_OK;
done:
    pl_carpool_result_free(res);
    free(legs);
    return rc;
}

#define ALLOC(ptr, count) (((ptr) = calloc((count) > 0 ? (count) : 1, sizeof *(ptr))) == NULL)

int pl_carpool_plan(pl_carpool_result **out, const pl_carpool_problem *problem,
                    const pl_carpool_options *opts, pl_error *err)
{
    int rc;
    solver s;
    lns_ctx l = {0};
    uint32_t *pass = NULL;
    size_t np = 0, n;
    memset(&s, 0, sizeof s);
    if (opts)
        s.o = *opts;
    else
        pl_carpool_options_init(&s.o);
    if (!out)
        return pl_error_set(err, PL_EINVALID, "carpool: no output");
    rc = check_input(problem, &s.o, err);
    if (rc < 0)
        return rc;
    n = problem->nparticipants;
    s.n = n;
    s.reverse = problem->trip == PL_CARPOOL_RETURN;
    s.leave = s.reverse ? problem->leave : NULL;
    s.pt = problem->participants;
    s.venue = problem->venue;
    rc = PL_ERROR;
    if (ALLOC(s.u, 3 * (n + 1)) || ALLOC(s.pr, n + 1) || ALLOC(s.pa, n + 1) || ALLOC(s.dv, n + 1) ||
        ALLOC(s.flag, n) || ALLOC(s.seats, n) || ALLOC(s.roff, n + 1) || ALLOC(s.rlen, n) ||
        ALLOC(s.rdist, n) || ALLOC(s.host, n) || ALLOC(s.maxlen1, n) || ALLOC(s.rstamp, n) ||
        ALLOC(s.hstamp, n) || ALLOC(s.sh_len, n) || ALLOC(s.sh_dist, n) || ALLOC(s.sh_host, n) ||
        ALLOC(s.touched_r, n) || ALLOC(s.touched_h, n) || ALLOC(s.pmark, n) || ALLOC(s.dmark, n) ||
        ALLOC(s.dseen, n / 64 + 1) || ALLOC(s.seen, n) || ALLOC(s.cert_off, n) ||
        ALLOC(s.cert_len, n) || ALLOC(s.cert_at, n) || ALLOC(s.changed, n + 1) ||
        ALLOC(s.cert, CERT_PER_PARTICIPANT * n) || ALLOC(s.pver, n) || ALLOC(s.hkey, n) ||
        ALLOC(s.rkey, n) || ALLOC(s.hp, n) || ALLOC(s.node_par, n + 1) || ALLOC(s.node_x, n + 1) ||
        ALLOC(s.node_d, n + 1) || ALLOC(s.why, n) ||
        ALLOC(s.kept, problem->nconfirmed + problem->nprefer) || ALLOC(pass, n) ||
        ALLOC(l.drivers, n) || ALLOC(l.queue, n) || ALLOC(l.riders, n) || ALLOC(l.pr, n) ||
        ALLOC(l.pf, n)) {
        rc = pl_error_oom(err);
        goto done;
    }

    /* east and north at the venue, for bearings */
    s.cert_cap = CERT_PER_PARTICIPANT * n;
    double la0 = s.venue.lat * PI / 180.0, lo0 = s.venue.lon * PI / 180.0;
    double east[3] = {-sin(lo0), cos(lo0), 0.0};
    double north[3] = {-sin(la0) * cos(lo0), -sin(la0) * sin(lo0), cos(la0)};
    uint64_t seed = 0x5eed;
    unit_vector(s.u + 3 * n, &s.venue);
    for (size_t i = 0; i < n; i++) {
        const pl_carpool_participant *p = &s.pt[i];
        unsigned char f = 0;
        if (p->role == PL_CARPOOL_ROLE_DRIVE || p->role == PL_CARPOOL_ROLE_FLEXIBLE)
            f |= F_DRIVE;
        if (p->role == PL_CARPOOL_ROLE_RIDE || p->role == PL_CARPOOL_ROLE_FLEXIBLE)
            f |= F_RIDE;
        if (p->role == PL_CARPOOL_ROLE_RIDE)
            f |= F_RIDER;
        if (!point_ok(&p->origin))
            f |= F_BAD;
        s.flag[i] = f;
        s.host[i] = -1;
        seed = hash_mix(seed, (uint64_t)p->role * 131 + (uint64_t)p->seats);
        if (f & F_BAD)
            continue;
        seed = hash_mix(hash_mix(seed, double_bits(p->origin.lat)), double_bits(p->origin.lon));
        const double *u = s.u + 3 * i;
        unit_vector(s.u + 3 * i, &p->origin);
        s.pr[i] = chord_km(u, s.u + 3 * n);
        s.pa[i] = atan2(u[0] * east[0] + u[1] * east[1] + u[2] * east[2],
                        u[0] * north[0] + u[1] * north[1] + u[2] * north[2]);
        s.dv[i] = dist(&s, i, n);
    }
    s.rng = hash_mix(seed, n);
    rc = lock_confirmed(&s, problem, err);
    if (rc == PL_OK)
        rc = lock_preferred(&s, problem, err);
    if (rc < 0)
        goto done;
    rc = PL_ERROR;

    size_t slots = 0;
    for (size_t i = 0; i < n; i++) {
        s.roff[i] = slots;
        if ((s.flag[i] & F_BAD) && !(s.flag[i] & F_LOCKED))
            continue;
        if ((s.flag[i] & F_DRIVE) && !(s.flag[i] & (F_LOCKED | F_BAD))) {
            s.seats[i] = s.pt[i].seats;
            s.maxlen1[i] = max_len(&s, i, 1);
            l.drivers[l.ndrivers++] = (uint32_t)i;
            s.rdist[i] = s.dv[i];
            s.km += s.dv[i];
        }
        if ((s.flag[i] & F_RIDE) && !(s.flag[i] & (F_LOCKED | F_BAD)))
            pass[np++] = (uint32_t)i;
        slots += (size_t)s.seats[i];
    }
    s.roff[n] = slots;
    if (ALLOC(s.route, slots) || ALLOC(s.sh_route, slots) || ALLOC(s.legs, slots + n + 1) ||
        ALLOC(s.sh_legs, slots + n + 1)) {
        rc = pl_error_oom(err);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        s.legs[s.roff[i] + i] = s.dv[i];
    if (cp_build_candidates(&s, np, l.drivers, l.ndrivers) < 0) {
        rc = pl_error_oom(err);
        goto done;
    }

    /* a sweep costs about the same per rider left without a seat, and large
     * instances leave more of them: fewer sweeps during the search there
     * (none from 80,000 passengers, 7 up to 10,000); the sweeps after
     * construction and after the search always run */
    l.nsweeps = 8;
    if (np > LARGE_PASSENGERS)
        l.nsweeps = 8 * LARGE_PASSENGERS / np;

    /* construction: riders by regret, then ejection chains, then flexibles */
    size_t nr = 0, nf = 0;
    for (size_t i = 0; i < np; i++) {
        if (s.flag[pass[i]] & F_RIDER)
            l.pr[nr++] = pass[i];
        else
            l.pf[nf++] = pass[i];
        if ((s.flag[pass[i]] & F_RIDER) && s.coff[pass[i] + 1] > s.coff[pass[i]])
            l.riders[l.nriders++] = pass[i];
    }
    cp_pool_insert(&s, l.pr, nr, 0);
    cp_sweep(&s, &l, CHAIN_NODES_FULL);
    cp_pool_insert(&s, l.pf, nf, 1);

    unsigned long iters = s.o.iterations;
    if (iters == 0) {
        /* small instances get a search long enough to reach the optimum */
        iters = 10000 + 3 * (unsigned long)(np < LARGE_PASSENGERS ? np : LARGE_PASSENGERS);
        if (np < 500 && 40000 - 60 * (unsigned long)np > iters)
            iters = 40000 - 60 * (unsigned long)np;
    }

    cp_lns(&s, &l, iters);
    cp_sweep(&s, &l, CHAIN_NODES_FULL);
    for (size_t i = 0; i < l.ndrivers; i++)
        cp_reorder(&s, l.drivers[i]);
    if (cp_exact_small(&s, &l) < 0 || cp_fill_unseated(&s) < 0) {
        rc = pl_error_oom(err);
        goto done;
    }

    rc = build_result(out, &s, problem);
    if (rc < 0) {
        rc = pl_error_oom(err);
        goto done;
    }
    (*out)->iterations = iters;
done:
    solver_free(&s);
    free(pass);
    free(l.drivers);
    free(l.queue);
    free(l.riders);
    free(l.pr);
    free(l.pf);
    return rc;
}
