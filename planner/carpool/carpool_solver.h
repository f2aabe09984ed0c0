/*
 * carpool_solver.h - the engine's shared state, private to planner/carpool/.
 *
 * The engine (carpool.h) is split by phase, one file each, over the state
 * defined here:
 *   carpool_candidates.c  candidate drivers per passenger (spatial index)
 *   carpool_route.c       route moves, the undo log, exact route order
 *   carpool_regret.c      regret insertion
 *   carpool_chain.c       ejection chains and the sweeps that run them
 *   carpool_lns.c         ruin and recreate
 *   carpool_exact.c       exact polish for small instances
 *   carpool.c             the public API: checks, the plan, the result
 * Helpers on the hot paths are static inline here.
 */
#ifndef PL_CARPOOL_SOLVER_H
#define PL_CARPOOL_SOLVER_H

#include "carpool.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EARTH_KM 6371.0088
#define PI 3.14159265358979323846
#define EPS 1e-9
#define DEFAULT_CANDIDATES 64
#define PLANAR_SLACK 1.15
#define REORDER_MAX 8
#define REORDER_INSERT 5   /* reorder on insertion up to this many stops */
#define REORDER_SLACK 0.03 /* ... when cheapest insertion misses by less */
#define CHAIN_NODES_FULL 2000
#define CHAIN_NODES_LNS 40
#define CERT_PER_PARTICIPANT 48 /* room for failed sweep searches */
#define LARGE_PASSENGERS 10000  /* beyond this, the search effort stops growing */

enum {
    F_DRIVE = 1,  /* may drive: DRIVE or FLEXIBLE */
    F_RIDE = 2,   /* may ride: RIDE or FLEXIBLE */
    F_RIDER = 4,  /* role RIDE: counts in the first objective */
    F_LOCKED = 8, /* in a confirmed group */
    F_BAD = 16    /* unknown origin */
};

typedef struct dindex dindex;

typedef struct solver {
    size_t n; /* participants; index n is the venue */
    const pl_carpool_participant *pt;
    pl_carpool_options o;
    pl_carpool_point venue;
    double *u;  /* unit vectors, 3 per point, n + 1 points */
    double *pr; /* great-circle km from the venue */
    double *pa; /* bearing from the venue, radians in [-pi, pi] */
    double *dv; /* road km from origin to venue */
    unsigned char *flag;
    int *seats;   /* usable seats (0 if cannot drive) */
    size_t *roff; /* route slots of d: route[roff[d] ...], seats[d] of them */
    uint32_t *route;
    double *legs; /* legs of d: legs[roff[d] + d ...], seats[d] + 1 */
    int *rlen;
    double *rdist;
    int32_t *host;
    double *maxlen1; /* max route length with one passenger */

    /* candidate drivers of passenger p: cd/cdop[coff[p] .. coff[p + 1]) */
    size_t *coff;
    uint32_t *cd;
    double *cdop;  /* road km driver origin -> p */
    double *icost; /* insertion cost cache, per candidate */
    int *ipos;
    /* reverse: passengers having d as candidate: vp/vk[voff[d] .. voff[d+1]) */
    size_t *voff;
    uint32_t *vp;
    uint32_t *vk;

    long seated; /* riders seated */
    double km;   /* total vehicle-km */

    /* undo log: shadow copies of routes and hosts touched this iteration */
    int logging;
    unsigned stamp;
    unsigned *rstamp;
    unsigned *hstamp;
    uint32_t *sh_route;
    double *sh_legs;
    int *sh_len;
    double *sh_dist;
    int32_t *sh_host;
    uint32_t *touched_r;
    size_t ntouched_r;
    uint32_t *touched_h;
    size_t ntouched_h;

    /* scratch */
    unsigned mark;
    unsigned *pmark; /* pool membership / BFS passengers */
    unsigned *dmark; /* ruined drivers */
    uint64_t *dseen; /* drivers seen by an ejection chain search (bitset) */
    uint32_t *seen;  /* ... listed, to clear it */
    size_t nseen;

    /* A sweep's failed searches, each with the drivers it read: it fails
     * again as long as none of them changes (see sweep). */
    size_t *cert_off; /* per rider: its drivers in cert[], or SIZE_MAX */
    uint32_t *cert_len;
    size_t *cert_at; /* per rider: changed[] length when it failed */
    uint32_t *cert;
    size_t ncert, cert_cap;
    uint32_t *changed; /* drivers (and riders) changed during this sweep */
    size_t nchanged;
    int sweeping; /* record changes; -1 once changed[] overflowed */
    unsigned *pver;
    uint32_t *pool;
    double *hkey; /* heap */
    uint32_t *hp;
    size_t hn;
    int *node_par;
    uint32_t *node_x;
    uint32_t *node_d;

    uint64_t rng;
    int random_order; /* pool_insert in random order instead of by regret */
    double *rkey;

    struct dindex *dix; /* driver sites and their index (carpool_candidates.c) */
    int reverse;        /* return trip: dist(i, j) is the road from j to i */
    /* Groups kept as they are (confirmed, or preferred and still fitting),
     * passengers in the engine's order (towards the venue); the members are
     * F_LOCKED. */
    struct kept {
        size_t driver;
        size_t *passengers;
        size_t npassengers;
        int confirmed;
    } * kept;
    size_t nkept;
    const long *leave;  /* return trip: when each one leaves the venue; NULL: all at once */
    unsigned char *why; /* per rider left without a seat: its pl_carpool_reason */
} solver;

typedef struct lns_ctx {
    uint32_t *drivers; /* plannable drivers */
    size_t ndrivers;
    uint32_t *queue;
    uint32_t *riders; /* plannable riders with candidates */
    size_t nriders;
    uint32_t *pr; /* riders to re-seat */
    size_t npr;
    uint32_t *pf; /* flexible participants to reconsider */
    size_t npf;
    unsigned long nsweeps; /* ejection-chain sweeps during the search */
} lns_ctx;

/* ---- small helpers ---------------------------------------------------- */

static inline int point_ok(const pl_carpool_point *p)
{
    return isfinite(p->lat) && isfinite(p->lon) && p->lat >= -90.0 && p->lat <= 90.0 &&
           p->lon >= -180.0 && p->lon <= 180.0;
}

static inline void unit_vector(double *out, const pl_carpool_point *p)
{
    double la = p->lat * PI / 180.0, lo = p->lon * PI / 180.0;
    out[0] = cos(la) * cos(lo);
    out[1] = cos(la) * sin(lo);
    out[2] = sin(la);
}

static inline double chord_km(const double *a, const double *b)
{
    double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    double c = sqrt(dx * dx + dy * dy + dz * dz) / 2.0;
    if (c > 1.0)
        c = 1.0;
    return 2.0 * EARTH_KM * asin(c);
}

static inline const pl_carpool_point *point_of(const solver *s, size_t i)
{
    return i == s->n ? &s->venue : &s->pt[i].origin;
}

/* Road km between points i and j (index n is the venue). */
static inline double dist(const solver *s, size_t i, size_t j)
{
    if (s->o.distance_km && s->reverse)
        return s->o.distance_km(point_of(s, j), point_of(s, i), s->o.payload);
    if (s->o.distance_km)
        return s->o.distance_km(point_of(s, i), point_of(s, j), s->o.payload);
    return chord_km(s->u + 3 * i, s->u + 3 * j) * s->o.road_factor;
}

static inline uint64_t rng_next(solver *s)
{
    /* splitmix64: seeded from the input, so the same input gives the same
     * sequence */
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline size_t rng_below(solver *s, size_t n)
{
    return n ? (size_t)(rng_next(s) % n) : 0;
}

static inline uint64_t hash_mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

static inline uint64_t double_bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

/* Longest allowed route for driver d carrying k passengers (< dv if none). */
static inline double max_len(const solver *s, size_t d, int k)
{
    double direct = s->dv[d];
    double extra = direct * s->o.max_detour_pct / 100.0;
    if (s->o.max_detour_minutes >= 0.0) {
        double minutes = s->o.max_detour_minutes - k * s->o.stop_minutes;
        double cap = minutes * s->o.speed_kmh / 60.0;
        if (cap < extra)
            extra = cap;
    }
    return direct + extra;
}

static inline int is_driving(const solver *s, size_t d)
{
    return (s->flag[d] & F_DRIVE) && !(s->flag[d] & (F_LOCKED | F_BAD)) && s->host[d] < 0;
}

/* May passenger p ride with driver d (return trip: d leaves no earlier)? */
static inline int leave_ok(const solver *s, size_t p, size_t d)
{
    return !s->leave || s->leave[p] <= s->leave[d];
}

static inline size_t stop_at(const solver *s, size_t d, int i)
{
    if (i < 0)
        return d;
    if (i >= s->rlen[d])
        return s->n;
    return s->route[s->roff[d] + (size_t)i];
}

/* Index of driver d in p's candidate list, or -1. */
static inline long cand_index(const solver *s, size_t p, size_t d)
{
    for (size_t c = s->coff[p]; c < s->coff[p + 1]; c++)
        if (s->cd[c] == d)
            return (long)(c - s->coff[p]);
    return -1;
}

/* ---- route moves, undo log, exact order (carpool_route.c) ------------- */

void cp_log_begin(solver *s);

void cp_log_rollback(solver *s);

/* Shortest order of the k stops set[] between d's origin and the venue
 * (Held-Karp, k <= REORDER_MAX). Returns its length; order[] gets indices
 * into set. */
double cp_best_order(const solver *s, size_t d, const uint32_t *set, int k, int *order);

/* Cheapest feasible insertion of p into d's route. Returns the added length
 * (HUGE_VAL if none) and the position in *pos. dop = dist(d, p); dpr[i] =
 * dist(p, i-th stop) if the caller has them, else NULL. slack loosens (> 0)
 * or tightens (< 0) the length limit. */
double cp_insert_eval_with(const solver *s, size_t d, size_t p, double dop, const double *dpr,
                           int *pos, double slack);

/* The same, computing the distances. */
double cp_insert_eval(const solver *s, size_t d, size_t p, double dop, int *pos, double slack);

/* Insert p at position pos of d's route (feasibility checked by caller). */
void cp_route_insert(solver *s, size_t d, size_t p, int pos);

/* Take p out of its host's route. A FLEXIBLE p drives again (alone). */
void cp_route_remove(solver *s, size_t p);

/* Cost of seating p with driver d (change in vehicle-km), HUGE_VAL if not
 * possible now. */
double cp_seat_cost(const solver *s, size_t p, size_t c, int *pos);

/* Reorder d's passengers optimally when that shortens the route. */
void cp_reorder(solver *s, size_t d);

/* ---- phases ----------------------------------------------------------- */

/* Candidate drivers of every passenger: the K best by single-pickup detour
 * among the drivers who can take them alone, by a best-first search of the
 * driver index (exact for the default distance; with a distance callback,
 * crow-fly detours are trusted to within PLANAR_SLACK and 0.5 km). Lists
 * are stored in participant order; memory is O(passengers x K). */
int cp_build_candidates(solver *s, size_t np, const uint32_t *drv, size_t nd);

/* After the search, every rider still without a seat tries every driver
 * within reach (not only its candidates): the nearest one who can take it
 * does; else s->why[] gets the true reason (no driver within reach, drivers
 * within reach full, or seats left but no route can take the stop). Returns
 * 0, -1 out of memory. */
int cp_fill_unseated(solver *s);

/* Free the driver index kept by cp_build_candidates. */
void cp_index_free(solver *s);

/* Seat pool members by regret insertion. flex: the members are FLEXIBLE
 * participants, seated only where it saves vehicle-km. */
void cp_pool_insert(solver *s, const uint32_t *pool, size_t m, int flex);

int cp_eject(solver *s, size_t root, int limit);

/* Ejection chains with a large budget for every rider left without a seat,
 * until a round seats nobody more. A rider whose search would repeat a
 * failure is skipped (most of them after the first round); the plan is the
 * same as trying them all. */
void cp_sweep(solver *s, lns_ctx *l, int limit);

/* Ruin and recreate for iters iterations. A plan seating fewer riders is
 * never accepted; one with more vehicle-km is accepted below a threshold
 * that falls linearly to zero at 80 % of the budget (then pure descent), to
 * leave local optima. Half of the recreates follow regret, half a random
 * order. */
void cp_lns(solver *s, lns_ctx *l, unsigned long iters);

/* Returns 1 if the plan was improved, 0 if not (or not attempted), -1 on
 * out of memory. */
int cp_exact_small(solver *s, const lns_ctx *l);

#endif
