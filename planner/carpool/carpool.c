/*
 * carpool.c - the carpool matching engine (see carpool.h for the contract).
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
} solver;

/* ---- small helpers ---------------------------------------------------- */

static int point_ok(const pl_carpool_point *p)
{
    return isfinite(p->lat) && isfinite(p->lon) && p->lat >= -90.0 && p->lat <= 90.0 &&
           p->lon >= -180.0 && p->lon <= 180.0;
}

static void unit_vector(double *out, const pl_carpool_point *p)
{
    double la = p->lat * PI / 180.0, lo = p->lon * PI / 180.0;
    out[0] = cos(la) * cos(lo);
    out[1] = cos(la) * sin(lo);
    out[2] = sin(la);
}

static double chord_km(const double *a, const double *b)
{
    double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    double c = sqrt(dx * dx + dy * dy + dz * dz) / 2.0;
    if (c > 1.0)
        c = 1.0;
    return 2.0 * EARTH_KM * asin(c);
}

double pl_carpool_distance_km(const pl_carpool_point *a, const pl_carpool_point *b,
                              double road_factor)
{
    double ua[3], ub[3];
    unit_vector(ua, a);
    unit_vector(ub, b);
    return chord_km(ua, ub) * road_factor;
}

static const pl_carpool_point *point_of(const solver *s, size_t i)
{
    return i == s->n ? &s->venue : &s->pt[i].origin;
}

/* Road km between points i and j (index n is the venue). */
static double dist(const solver *s, size_t i, size_t j)
{
    if (s->o.distance_km)
        return s->o.distance_km(point_of(s, i), point_of(s, j), s->o.payload);
    return chord_km(s->u + 3 * i, s->u + 3 * j) * s->o.road_factor;
}

static uint64_t rng_next(solver *s)
{
    /* splitmix64: seeded from the input, so the same input gives the same
     * sequence */
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t rng_below(solver *s, size_t n)
{
    return n ? (size_t)(rng_next(s) % n) : 0;
}

static uint64_t hash_mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

static uint64_t double_bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

/* Longest allowed route for driver d carrying k passengers (< dv if none). */
static double max_len(const solver *s, size_t d, int k)
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

static int is_driving(const solver *s, size_t d)
{
    return (s->flag[d] & F_DRIVE) && !(s->flag[d] & (F_LOCKED | F_BAD)) && s->host[d] < 0;
}

/* ---- undo log --------------------------------------------------------- */

static void save_route(solver *s, size_t d)
{
    if (!s->logging || s->rstamp[d] == s->stamp)
        return;
    s->rstamp[d] = s->stamp;
    memcpy(s->sh_route + s->roff[d], s->route + s->roff[d], (size_t)s->rlen[d] * sizeof *s->route);
    memcpy(s->sh_legs + s->roff[d] + d, s->legs + s->roff[d] + d,
           (size_t)(s->rlen[d] + 1) * sizeof *s->legs);
    s->sh_len[d] = s->rlen[d];
    s->sh_dist[d] = s->rdist[d];
    s->touched_r[s->ntouched_r++] = (uint32_t)d;
}

static void save_host(solver *s, size_t p)
{
    if (!s->logging || s->hstamp[p] == s->stamp)
        return;
    s->hstamp[p] = s->stamp;
    s->sh_host[p] = s->host[p];
    s->touched_h[s->ntouched_h++] = (uint32_t)p;
}

static void log_begin(solver *s)
{
    s->logging = 1;
    s->stamp++;
    s->ntouched_r = 0;
    s->ntouched_h = 0;
}

static void log_rollback(solver *s)
{
    for (size_t i = 0; i < s->ntouched_r; i++) {
        size_t d = s->touched_r[i];
        s->rlen[d] = s->sh_len[d];
        s->rdist[d] = s->sh_dist[d];
        memcpy(s->route + s->roff[d], s->sh_route + s->roff[d],
               (size_t)s->rlen[d] * sizeof *s->route);
        memcpy(s->legs + s->roff[d] + d, s->sh_legs + s->roff[d] + d,
               (size_t)(s->rlen[d] + 1) * sizeof *s->legs);
    }
    for (size_t i = 0; i < s->ntouched_h; i++) {
        size_t p = s->touched_h[i];
        s->host[p] = s->sh_host[p];
    }
    s->ntouched_r = s->ntouched_h = 0;
}

/* During a sweep, d's route or host changed. */
static void note_change(solver *s, size_t d)
{
    if (s->sweeping <= 0)
        return;
    if (s->nchanged == s->n + 1) {
        s->sweeping = -1; /* too many: no failure is certain any more */
        return;
    }
    s->changed[s->nchanged++] = (uint32_t)d;
}

/* ---- route moves ------------------------------------------------------ */

static size_t stop_at(const solver *s, size_t d, int i)
{
    if (i < 0)
        return d;
    if (i >= s->rlen[d])
        return s->n;
    return s->route[s->roff[d] + (size_t)i];
}

/* Shortest order of the k stops set[] between d's origin and the venue
 * (Held-Karp, k <= REORDER_MAX). Returns its length; order[] gets indices
 * into set. */
static double best_order(const solver *s, size_t d, const uint32_t *set, int k, int *order)
{
    double m[REORDER_MAX][REORDER_MAX], from_o[REORDER_MAX], to_v[REORDER_MAX];
    double dp[1 << REORDER_MAX][REORDER_MAX];
    signed char par[1 << REORDER_MAX][REORDER_MAX];
    for (int i = 0; i < k; i++) {
        from_o[i] = dist(s, d, set[i]);
        to_v[i] = s->dv[set[i]];
        for (int j = 0; j < i; j++)
            m[i][j] = m[j][i] = dist(s, set[i], set[j]);
    }
    int full = (1 << k) - 1;
    for (int mask = 1; mask <= full; mask++)
        for (int j = 0; j < k; j++)
            dp[mask][j] = HUGE_VAL;
    for (int j = 0; j < k; j++) {
        dp[1 << j][j] = from_o[j];
        par[1 << j][j] = -1;
    }
    for (int mask = 1; mask <= full; mask++)
        for (int j = 0; j < k; j++) {
            if (!(mask & (1 << j)) || dp[mask][j] == HUGE_VAL)
                continue;
            for (int t = 0; t < k; t++) {
                if (mask & (1 << t))
                    continue;
                double v = dp[mask][j] + m[j][t];
                int nm = mask | (1 << t);
                if (v < dp[nm][t]) {
                    dp[nm][t] = v;
                    par[nm][t] = (signed char)j;
                }
            }
        }
    double best = HUGE_VAL;
    int last = 0;
    for (int j = 0; j < k; j++)
        if (dp[full][j] + to_v[j] < best) {
            best = dp[full][j] + to_v[j];
            last = j;
        }
    int mask = full;
    for (int i = k - 1; i >= 0; i--) {
        order[i] = last;
        int pj = par[mask][last];
        mask &= ~(1 << last);
        last = pj;
    }
    return best;
}

static void reorder(solver *s, size_t d);

/* Cheapest feasible insertion of p into d's route. Returns the added length
 * (HUGE_VAL if none) and the position in *pos. dop = dist(d, p); dpr[i] =
 * dist(p, i-th stop) if the caller has them, else NULL. slack loosens (> 0)
 * or tightens (< 0) the length limit. */
static double insert_eval_with(const solver *s, size_t d, size_t p, double dop, const double *dpr,
                               int *pos, double slack)
{
    int k = s->rlen[d];
    if (k >= s->seats[d] || d == p || !is_driving(s, d))
        return HUGE_VAL;
    double limit = max_len(s, d, k + 1) - s->rdist[d] + slack;
    if (limit < -EPS)
        return HUGE_VAL;
    const double *legs = s->legs + s->roff[d] + d;
    const uint32_t *r = s->route + s->roff[d];
    double best = HUGE_VAL, prev_d = dop, umin = HUGE_VAL;
    int best_pos = -1;
    for (int i = 0; i <= k; i++) {
        double next_d = i == k ? s->dv[p] : dpr ? dpr[i] : dist(s, p, r[i]);
        double delta = prev_d + next_d - legs[i];
        if (delta <= limit + EPS && delta < best) {
            best = delta;
            best_pos = i;
        }
        if (delta < umin)
            umin = delta;
        prev_d = next_d;
    }
    if (best_pos < 0 && k >= 1 && k < REORDER_INSERT &&
        umin - limit <= REORDER_SLACK * s->rdist[d]) {
        /* no position works in the current order: try the best order */
        uint32_t set[REORDER_INSERT];
        int order[REORDER_INSERT];
        memcpy(set, r, (size_t)k * sizeof *r);
        set[k] = (uint32_t)p;
        double len = best_order(s, d, set, k + 1, order);
        if (len - s->rdist[d] <= limit + EPS) {
            best = len - s->rdist[d];
            best_pos = k + 1;
        }
    }
    *pos = best_pos;
    return best;
}

/* The same, computing the distances. */
static double insert_eval(const solver *s, size_t d, size_t p, double dop, int *pos, double slack)
{
    return insert_eval_with(s, d, p, dop, NULL, pos, slack);
}

/* Insert p at position pos of d's route (feasibility checked by caller). */
static void route_insert(solver *s, size_t d, size_t p, int pos)
{
    save_route(s, d);
    save_host(s, p);
    int k = s->rlen[d], reordering = pos > k;
    uint32_t *r = s->route + s->roff[d];
    double *legs = s->legs + s->roff[d] + d;
    if (reordering)
        pos = k;
    size_t prev = stop_at(s, d, pos - 1), next = stop_at(s, d, pos);
    double a = dist(s, prev, p), b = dist(s, p, next);
    memmove(r + pos + 1, r + pos, (size_t)(k - pos) * sizeof *r);
    memmove(legs + pos + 2, legs + pos + 1, (size_t)(k - pos) * sizeof *legs);
    double old = legs[pos];
    r[pos] = (uint32_t)p;
    legs[pos] = a;
    legs[pos + 1] = b;
    s->rlen[d] = k + 1;
    s->rdist[d] += a + b - old;
    s->km += a + b - old;
    if (s->flag[p] & F_DRIVE)
        s->km -= s->rdist[p]; /* p's car stays home */
    if (s->flag[p] & F_RIDER)
        s->seated++;
    s->host[p] = (int32_t)d;
    note_change(s, d);
    note_change(s, p);
    if (reordering)
        reorder(s, d);
}

/* Take p out of its host's route. A FLEXIBLE p drives again (alone). */
static void route_remove(solver *s, size_t p)
{
    size_t d = (size_t)s->host[p];
    save_route(s, d);
    save_host(s, p);
    int k = s->rlen[d], pos = 0;
    uint32_t *r = s->route + s->roff[d];
    double *legs = s->legs + s->roff[d] + d;
    while (r[pos] != p)
        pos++;
    size_t prev = stop_at(s, d, pos - 1), next = stop_at(s, d, pos + 1);
    double c = dist(s, prev, next);
    double old = legs[pos] + legs[pos + 1];
    memmove(r + pos, r + pos + 1, (size_t)(k - pos - 1) * sizeof *r);
    memmove(legs + pos + 1, legs + pos + 2, (size_t)(k - pos - 1) * sizeof *legs);
    legs[pos] = c;
    s->rlen[d] = k - 1;
    s->rdist[d] += c - old;
    s->km += c - old;
    s->host[p] = -1;
    note_change(s, d);
    note_change(s, p);
    if (s->flag[p] & F_DRIVE)
        s->km += s->rdist[p];
    if (s->flag[p] & F_RIDER)
        s->seated--;
}

/* Index of driver d in p's candidate list, or -1. */
static long cand_index(const solver *s, size_t p, size_t d)
{
    for (size_t c = s->coff[p]; c < s->coff[p + 1]; c++)
        if (s->cd[c] == d)
            return (long)(c - s->coff[p]);
    return -1;
}

/* Cost of seating p with driver d (change in vehicle-km), HUGE_VAL if not
 * possible now. */
static double seat_cost(const solver *s, size_t p, size_t c, int *pos)
{
    size_t d = s->cd[c];
    if (s->host[p] >= 0)
        return HUGE_VAL;
    if (s->flag[p] & F_DRIVE) {
        if (s->rlen[p] > 0)
            return HUGE_VAL;
        double delta = insert_eval(s, d, p, s->cdop[c], pos, 0.0);
        return delta == HUGE_VAL ? HUGE_VAL : delta - s->rdist[p];
    }
    return insert_eval(s, d, p, s->cdop[c], pos, 0.0);
}

/* ---- regret insertion ------------------------------------------------- */

/* Indexed max-heap over pool members: higher key first, then lower index. */
static int heap_above(const solver *s, size_t a, size_t b)
{
    return s->hkey[a] > s->hkey[b] || (s->hkey[a] == s->hkey[b] && s->hp[a] < s->hp[b]);
}

static void heap_swap(solver *s, size_t a, size_t b)
{
    double k = s->hkey[a];
    uint32_t p = s->hp[a];
    s->hkey[a] = s->hkey[b];
    s->hp[a] = s->hp[b];
    s->hkey[b] = k;
    s->hp[b] = p;
    s->pver[s->hp[a]] = (unsigned)a;
    s->pver[s->hp[b]] = (unsigned)b;
}

static void heap_fix(solver *s, size_t i)
{
    while (i > 0 && heap_above(s, i, (i - 1) / 2)) {
        heap_swap(s, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, top = i;
        if (l < s->hn && heap_above(s, l, top))
            top = l;
        if (r < s->hn && heap_above(s, r, top))
            top = r;
        if (top == i)
            break;
        heap_swap(s, i, top);
        i = top;
    }
}

#define NOT_IN_HEAP UINT32_MAX

/* Put p in the heap with key, or take it out if key is NaN. */
static void heap_set(solver *s, uint32_t p, double key)
{
    unsigned at = s->pver[p];
    if (isnan(key)) {
        if (at == NOT_IN_HEAP)
            return;
        size_t last = --s->hn;
        if (at != last) {
            heap_swap(s, at, last);
            s->pver[p] = NOT_IN_HEAP;
            heap_fix(s, at);
        } else {
            s->pver[p] = NOT_IN_HEAP;
        }
        return;
    }
    if (at == NOT_IN_HEAP) {
        at = (unsigned)s->hn++;
        s->hp[at] = p;
        s->pver[p] = at;
    }
    s->hkey[at] = key;
    heap_fix(s, at);
}

/* Regret key of pool member q from its cached costs: members with a single
 * option first, then the largest regret (second best - best). NaN if q has
 * no option. *best gets the candidate slot of the cheapest option. */
static double regret_key(const solver *s, size_t q, size_t *best)
{
    double c1 = HUGE_VAL, c2 = HUGE_VAL;
    size_t b = SIZE_MAX;
    for (size_t c = s->coff[q]; c < s->coff[q + 1]; c++) {
        double v = s->icost[c];
        if (v < c1) {
            c2 = c1;
            c1 = v;
            b = c;
        } else if (v < c2) {
            c2 = v;
        }
    }
    *best = b;
    if (c1 == HUGE_VAL)
        return NAN;
    if (c2 == HUGE_VAL)
        return 1e12 - c1;
    return c2 - c1;
}

static void cost_update(solver *s, size_t q, size_t c, int flex)
{
    double v = seat_cost(s, q, c, &s->ipos[c]);
    if (flex && v >= -EPS)
        v = HUGE_VAL; /* a flexible rides only if it saves vehicle-km */
    s->icost[c] = v;
}

static void member_refresh(solver *s, size_t q)
{
    size_t b;
    double key = regret_key(s, q, &b);
    if (s->random_order && !isnan(key))
        key = s->rkey[q];
    heap_set(s, (uint32_t)q, key);
}

/* After driver x's route changed (or x stopped driving), refresh pool
 * members that have x as a candidate. */
static void pool_touch(solver *s, const uint32_t *pool, size_t m, size_t x, int flex)
{
    if (m <= 64) {
        for (size_t i = 0; i < m; i++) {
            size_t q = pool[i];
            if (s->pmark[q] != s->mark)
                continue;
            long k = cand_index(s, q, x);
            if (k >= 0) {
                cost_update(s, q, s->coff[q] + (size_t)k, flex);
                member_refresh(s, q);
            }
        }
        return;
    }
    for (size_t e = s->voff[x]; e < s->voff[x + 1]; e++) {
        size_t q = s->vp[e];
        if (s->pmark[q] != s->mark)
            continue;
        cost_update(s, q, s->coff[q] + s->vk[e], flex);
        member_refresh(s, q);
    }
}

/* Seat pool members by regret insertion. flex: the members are FLEXIBLE
 * participants, seated only where it saves vehicle-km. */
static void pool_insert(solver *s, const uint32_t *pool, size_t m, int flex)
{
    s->mark++;
    s->hn = 0;
    for (size_t i = 0; i < m; i++) {
        size_t q = pool[i];
        if (s->host[q] >= 0)
            continue;
        s->pmark[q] = s->mark;
        s->pver[q] = NOT_IN_HEAP;
        s->rkey[q] = (double)(rng_next(s) >> 11);
        for (size_t c = s->coff[q]; c < s->coff[q + 1]; c++)
            cost_update(s, q, c, flex);
        member_refresh(s, q);
    }
    while (s->hn > 0) {
        size_t q = s->hp[0], c;
        regret_key(s, q, &c);
        heap_set(s, (uint32_t)q, NAN);
        s->pmark[q] = 0;
        size_t d = s->cd[c];
        route_insert(s, d, q, s->ipos[c]);
        pool_touch(s, pool, m, d, flex);
        if (s->flag[q] & F_DRIVE)
            pool_touch(s, pool, m, q, flex); /* q no longer drives */
        if (s->pmark[d] == s->mark) {
            /* d now carries someone: it can no longer ride */
            for (size_t e = s->coff[d]; e < s->coff[d + 1]; e++)
                s->icost[e] = HUGE_VAL;
            member_refresh(s, d);
        }
    }
    s->mark++;
}

/* ---- ejection chains -------------------------------------------------- */

/* Can d's route, with its j-th passenger taken out, take x (dop = dist(d, x),
 * dxr[i] = dist(x, i-th stop))? */
static int swap_ok(const solver *s, size_t d, int j, size_t x, double dop, const double *dxr)
{
    int k = s->rlen[d];
    const uint32_t *r = s->route + s->roff[d];
    const double *legs = s->legs + s->roff[d] + d;
    size_t prev = stop_at(s, d, j - 1), next = stop_at(s, d, j + 1);
    double merged = dist(s, prev, next);
    double base = s->rdist[d] - legs[j] - legs[j + 1] + merged;
    double limit = max_len(s, d, k) - 1e-7;
    double prev_d = dop, umin = HUGE_VAL;
    for (int i = 0; i < k; i++) { /* positions in the reduced route */
        double leg = i < j ? legs[i] : (i == j ? merged : legs[i + 1]);
        size_t nx = i == k - 1 ? s->n : r[i < j ? i : i + 1];
        double next_d = nx == s->n ? s->dv[x] : dxr[i < j ? i : i + 1];
        double len = base + prev_d + next_d - leg;
        if (len <= limit)
            return 1;
        if (len < umin)
            umin = len;
        prev_d = next_d;
    }
    if (k >= 2 && k <= REORDER_INSERT && umin - limit <= REORDER_SLACK * limit) {
        /* no position works in the current order: try the best order */
        uint32_t set[REORDER_INSERT];
        int order[REORDER_INSERT], m = 0;
        for (int i = 0; i < k; i++)
            if (i != j)
                set[m++] = r[i];
        set[m++] = (uint32_t)x;
        return best_order(s, d, set, m, order) <= limit;
    }
    return 0;
}

static double cand_dop(const solver *s, size_t p, size_t d)
{
    long k = cand_index(s, p, d);
    return k >= 0 ? s->cdop[s->coff[p] + (size_t)k] : dist(s, d, p);
}

/* Move each passenger of the path ending at node i one step: node i's
 * passenger into target, its old driver takes its parent's, and so on. */
static void chain_apply(solver *s, int i, size_t target)
{
    while (i >= 0) {
        size_t x = s->node_x[i];
        if (s->host[x] >= 0)
            route_remove(s, x);
        int pos = -1;
        insert_eval(s, target, x, cand_dop(s, x, target), &pos, 1e-6);
        if (pos < 0)
            pos = s->rlen[target]; /* unreachable: checked by swap_ok */
        route_insert(s, target, x, pos);
        target = s->node_d[i];
        i = s->node_par[i];
    }
}

static int on_path(const solver *s, int i, size_t d)
{
    for (; i >= 0; i = s->node_par[i])
        if (s->node_d[i] == d)
            return 1;
    return 0;
}

/* Seat the unassigned rider root through a breadth-first augmenting path of
 * at most limit nodes. Returns 1 if seated. Drivers seen are kept in a
 * bitset (small enough to stay in cache on large instances: the search
 * looks at many more candidates than it finds new drivers). */
static int bfs_chain(solver *s, size_t root, int limit)
{
    unsigned m = ++s->mark;
    int nn = 1;
    s->node_x[0] = (uint32_t)root;
    s->node_par[0] = -1;
    s->node_d[0] = UINT32_MAX;
    s->pmark[root] = m;
    for (int i = 0; i < nn; i++) {
        size_t x = s->node_x[i];
        for (size_t c = s->coff[x]; c < s->coff[x + 1]; c++) {
            size_t d = s->cd[c];
            uint64_t bit = 1ULL << (d & 63);
            if (s->dseen[d >> 6] & bit)
                continue;
            s->dseen[d >> 6] |= bit;
            s->seen[s->nseen++] = (uint32_t)d;
            if (!is_driving(s, d)) {
                /* a FLEXIBLE riding elsewhere can take its car and x */
                if ((s->flag[d] & F_DRIVE) && !(s->flag[d] & (F_LOCKED | F_BAD)) &&
                    s->seats[d] > 0 && !on_path(s, i, (size_t)s->host[d])) {
                    route_remove(s, d);
                    chain_apply(s, i, d);
                    return 1;
                }
                continue;
            }
            /* distances from x to d's stops, shared by the insertion and
             * every swap */
            const uint32_t *r = s->route + s->roff[d];
            double dxr[65];
            int pos, k = s->rlen[d], used = k < s->seats[d];
            for (int j = 0; j < k && !used; j++)
                used = s->pmark[r[j]] != m && (nn < limit || (s->flag[r[j]] & F_DRIVE));
            if (!used)
                continue;
            for (int j = 0; j < k; j++)
                dxr[j] = dist(s, x, r[j]);
            if (insert_eval_with(s, d, x, s->cdop[c], dxr, &pos, -1e-7) != HUGE_VAL) {
                chain_apply(s, i, d);
                return 1;
            }
            for (int j = 0; j < s->rlen[d]; j++) {
                size_t q = r[j];
                if (s->pmark[q] == m || (nn >= limit && !(s->flag[q] & F_DRIVE)))
                    continue;
                if (!swap_ok(s, d, j, x, s->cdop[c], dxr))
                    continue;
                if (s->flag[q] & F_DRIVE) { /* a FLEXIBLE drives instead */
                    route_remove(s, q);
                    chain_apply(s, i, d);
                    return 1;
                }
                s->pmark[q] = m;
                s->node_x[nn] = (uint32_t)q;
                s->node_par[nn] = i;
                s->node_d[nn] = (uint32_t)d;
                nn++;
            }
        }
    }
    return 0;
}

static int eject(solver *s, size_t root, int limit)
{
    s->nseen = 0;
    int rc = bfs_chain(s, root, limit);
    for (size_t i = 0; i < s->nseen; i++)
        s->dseen[s->seen[i] >> 6] = 0;
    return rc;
}

/* ---- ruin and recreate ------------------------------------------------ */

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

static void pool_add(solver *s, lns_ctx *l, size_t p, unsigned m)
{
    if (s->pmark[p] == m)
        return;
    s->pmark[p] = m;
    if (s->flag[p] & F_RIDER)
        l->pr[l->npr++] = (uint32_t)p;
    else
        l->pf[l->npf++] = (uint32_t)p;
}

/* Empty a few related routes: a random one, then routes of drivers who could
 * also take the passengers removed, with the unassigned riders around. */
static void ruin(solver *s, lns_ctx *l)
{
    unsigned m = ++s->mark;
    size_t target = 2 + rng_below(s, 9), removed = 0, qh = 0, qt = 0;
    size_t waiting_cap = 2 + rng_below(s, 4);
    size_t d0 = l->drivers[rng_below(s, l->ndrivers)];
    l->npr = l->npf = 0;
    if (l->nriders > 0 && rng_below(s, 3) == 0) {
        /* aim at a rider left without a seat, if a few draws find one */
        for (int t = 0; t < 16; t++) {
            size_t u = l->riders[rng_below(s, l->nriders)];
            size_t nc = s->coff[u + 1] - s->coff[u];
            if (s->host[u] >= 0 || nc == 0)
                continue;
            pool_add(s, l, u, m);
            d0 = s->cd[s->coff[u] + rng_below(s, nc < 8 ? nc : 8)];
            break;
        }
    }
    if (s->host[d0] >= 0)
        d0 = (size_t)s->host[d0];
    l->queue[qt++] = (uint32_t)d0;
    while (qh < qt && removed < target) {
        size_t d = l->queue[qh++];
        if (s->dmark[d] == m)
            continue;
        s->dmark[d] = m;
        while (s->rlen[d] > 0) {
            size_t q = s->route[s->roff[d] + (size_t)s->rlen[d] - 1];
            route_remove(s, q);
            pool_add(s, l, q, m);
            removed++;
            size_t nc = s->coff[q + 1] - s->coff[q];
            for (int t = 0; t < 2 && nc > 0; t++) {
                size_t e = s->cd[s->coff[q] + rng_below(s, nc < 6 ? nc : 6)];
                if (s->dmark[e] != m && qt < l->ndrivers)
                    l->queue[qt++] = (uint32_t)(s->host[e] >= 0 ? (size_t)s->host[e] : e);
            }
        }
        if (s->flag[d] & F_RIDE)
            pool_add(s, l, d, m); /* a FLEXIBLE driving alone may ride */
        size_t waiting = 0, nv = s->voff[d + 1] - s->voff[d];
        size_t start = nv ? rng_below(s, nv) : 0;
        for (size_t t = 0; t < nv && waiting < waiting_cap; t++) {
            size_t p = s->vp[s->voff[d] + (start + t) % nv];
            if ((s->flag[p] & F_RIDER) && s->host[p] < 0 && s->pmark[p] != m) {
                pool_add(s, l, p, m);
                waiting++;
            }
        }
    }
}

/* Would rider r's search fail again? Yes if it failed earlier in this sweep
 * and none of the drivers it read has changed since: the search reads
 * nothing else (candidate lists do not change), so it would repeat itself
 * exactly. */
static int fails_again(solver *s, size_t r)
{
    if (s->cert_off[r] == SIZE_MAX || s->sweeping < 0)
        return 0;
    if (s->cert_at[r] == s->nchanged)
        return 1;
    const uint32_t *c = s->cert + s->cert_off[r];
    int same = 1;
    for (uint32_t k = 0; k < s->cert_len[r]; k++)
        s->dseen[c[k] >> 6] |= 1ULL << (c[k] & 63);
    for (size_t e = s->cert_at[r]; e < s->nchanged && same; e++)
        if (s->dseen[s->changed[e] >> 6] & (1ULL << (s->changed[e] & 63)))
            same = 0;
    for (uint32_t k = 0; k < s->cert_len[r]; k++)
        s->dseen[c[k] >> 6] = 0;
    return same;
}

/* Ejection chains with a large budget for every rider left without a seat,
 * until a round seats nobody more. A rider whose search would repeat a
 * failure is skipped (most of them after the first round); the plan is the
 * same as trying them all. */
static void sweep(solver *s, lns_ctx *l, int limit)
{
    s->sweeping = 1;
    s->nchanged = 0;
    s->ncert = 0;
    for (size_t i = 0; i < l->nriders; i++)
        s->cert_off[l->riders[i]] = SIZE_MAX;
    for (int round = 0; round < 3; round++) {
        int gained = 0;
        for (size_t i = 0; i < l->nriders; i++) {
            size_t r = l->riders[i];
            if (s->host[r] >= 0 || fails_again(s, r))
                continue;
            if (eject(s, r, limit)) {
                gained++;
                continue;
            }
            s->cert_off[r] = SIZE_MAX;
            if (s->ncert + s->nseen > s->cert_cap)
                continue; /* no room: tried again next round */
            memcpy(s->cert + s->ncert, s->seen, s->nseen * sizeof *s->seen);
            s->cert_off[r] = s->ncert;
            s->cert_len[r] = (uint32_t)s->nseen;
            s->cert_at[r] = s->nchanged;
            s->ncert += s->nseen;
        }
        if (!gained)
            break;
    }
    s->sweeping = 0;
}

/* Ruin and recreate for iters iterations. A plan seating fewer riders is
 * never accepted; one with more vehicle-km is accepted below a threshold
 * that falls linearly to zero at 80 % of the budget (then pure descent), to
 * leave local optima. Half of the recreates follow regret, half a random
 * order. */
static void lns(solver *s, lns_ctx *l, unsigned long iters)
{
    if (l->ndrivers == 0)
        return;
    double t0 = 0.0;
    for (size_t i = 0; i < l->ndrivers; i++)
        t0 += s->maxlen1[l->drivers[i]] - s->dv[l->drivers[i]];
    t0 = t0 / (double)l->ndrivers * 0.1;
    unsigned long cool = iters - iters / 5;
    unsigned long sweep_every = l->nsweeps ? iters / l->nsweeps + 1 : iters + 1;
    for (unsigned long it = 0; it < iters; it++) {
        if (it % sweep_every == sweep_every - 1) {
            s->logging = 0;
            sweep(s, l, CHAIN_NODES_FULL);
        }
        long old_seated = s->seated;
        double old_km = s->km;
        double threshold = it < cool ? t0 * (double)(cool - it) / (double)cool : 0.0;
        threshold *= (double)(rng_next(s) >> 11) / 9007199254740992.0;
        log_begin(s);
        ruin(s, l);
        s->random_order = (int)(rng_next(s) & 1);
        pool_insert(s, l->pr, l->npr, 0);
        for (size_t i = 0; i < l->npr; i++)
            if (s->host[l->pr[i]] < 0)
                eject(s, l->pr[i], CHAIN_NODES_LNS);
        pool_insert(s, l->pf, l->npf, 1);
        s->random_order = 0;
        if (s->seated > old_seated ||
            (s->seated == old_seated && s->km <= old_km + threshold + EPS))
            continue;
        log_rollback(s);
        s->seated = old_seated;
        s->km = old_km;
    }
    s->logging = 0;
}

/* ---- exact route order ------------------------------------------------ */

/* Reorder d's passengers optimally when that shortens the route. */
static void reorder(solver *s, size_t d)
{
    int k = s->rlen[d], order[REORDER_MAX];
    if (k < 2 || k > REORDER_MAX)
        return;
    uint32_t *r = s->route + s->roff[d], old[REORDER_MAX];
    double best = best_order(s, d, r, k, order);
    if (best >= s->rdist[d] - 1e-9)
        return;
    save_route(s, d);
    memcpy(old, r, (size_t)k * sizeof *r);
    double *legs = s->legs + s->roff[d] + d;
    for (int i = 0; i < k; i++)
        r[i] = old[order[i]];
    legs[0] = dist(s, d, r[0]);
    for (int i = 1; i < k; i++)
        legs[i] = dist(s, r[i - 1], r[i]);
    legs[k] = s->dv[r[k - 1]];
    s->km += best - s->rdist[d];
    s->rdist[d] = best;
}

/* ---- exact polish for small instances --------------------------------- */

/*
 * On small instances of drivers and riders (no flexible participant, no
 * confirmed group), every feasible route of every driver is enumerated and
 * the best packing is searched by branch and bound, branching on the
 * unseated rider with the fewest routes left (seat it on one of them, or
 * leave it out). The heuristic's plan is the incumbent, so the search only
 * has to prove it optimal or find the rider (or the km) it missed. The
 * search is bounded by a work budget, never by time: past it the heuristic
 * plan stays, and the plan still does not depend on the machine.
 */
#define EXACT_MAX_PEOPLE 64 /* riders and drivers; riders fit a 64-bit mask */
#define EXACT_MAX_ROUTES 200000
#define EXACT_MAX_WORK 20000000UL /* routes looked at by the search */

typedef struct xroute {
    uint64_t mask; /* riders, as bits of xs.bit */
    double detour; /* route length - direct trip */
    uint32_t driver;
    int k;
    uint32_t stops[REORDER_MAX]; /* in best order */
} xroute;

typedef struct xsearch {
    const solver *s;
    xroute *routes;
    size_t nroutes, cap;
    uint32_t *riders; /* bit -> participant */
    int nr;
    uint32_t **by_rider; /* routes covering each rider */
    size_t *nby;
    double *minshare;    /* least detour / k over the routes covering each rider */
    unsigned char *used; /* drivers that have a route in the current branch */
    size_t *dfirst;      /* routes of drivers[j]: [dfirst[j], dfirst[j + 1]) */
    const uint32_t *drivers;
    size_t ndrivers;
    size_t *chosen, nchosen, *best, nbest;
    long best_r;
    double best_det;
    unsigned long nodes; /* work done: nodes and routes looked at */
    int improved, aborted;
} xsearch;

static int xadd(xsearch *x, size_t d, const uint32_t *set, int k, double len, const int *order,
                const int *bitof)
{
    if (x->nroutes == x->cap) {
        size_t ncap = x->cap ? 2 * x->cap : 256;
        xroute *nr;
        if (ncap > EXACT_MAX_ROUTES || !(nr = realloc(x->routes, ncap * sizeof *nr)))
            return -1;
        x->routes = nr;
        x->cap = ncap;
    }
    xroute *r = &x->routes[x->nroutes++];
    r->mask = 0;
    for (int i = 0; i < k; i++) {
        r->stops[i] = set[order[i]];
        r->mask |= 1ULL << bitof[i];
    }
    r->driver = (uint32_t)d;
    r->k = k;
    r->detour = len - x->s->dv[d];
    return 0;
}

/* Every feasible route of d over cand[from..] added to set[0..k). Adding a
 * stop never shortens a route and never loosens the limit, so an
 * infeasible set ends its branch. */
static int xenum(xsearch *x, size_t d, const uint32_t *cand, const int *cbit, int nc, int from,
                 uint32_t *set, int *bits, int k)
{
    const solver *s = x->s;
    for (int c = from; c < nc; c++) {
        int order[REORDER_MAX];
        set[k] = cand[c];
        bits[k] = cbit[c];
        double len = best_order(s, d, set, k + 1, order);
        if (len > max_len(s, d, k + 1) + EPS)
            continue;
        int obits[REORDER_MAX];
        for (int i = 0; i <= k; i++)
            obits[i] = bits[i];
        if (xadd(x, d, set, k + 1, len, order, obits) < 0)
            return -1;
        if (k + 1 < s->seats[d] && xenum(x, d, cand, cbit, nc, c + 1, set, bits, k + 1) < 0)
            return -1;
    }
    return 0;
}

static void xdfs(xsearch *x, uint64_t covered, uint64_t skipped, uint64_t reach, long seated,
                 double det)
{
    if (x->aborted || ++x->nodes > EXACT_MAX_WORK) {
        x->aborted = 1;
        return;
    }
    /* riders left, those no open route can take are out; branch on the one
     * with the fewest open routes */
    uint64_t rem = reach & ~covered & ~skipped;
    int pick = -1;
    size_t fewest = SIZE_MAX;
    for (uint64_t m = rem; m; m &= m - 1) {
        int b = __builtin_ctzll(m);
        size_t open = 0;
        for (size_t i = 0; i < x->nby[b]; i++) {
            const xroute *r = &x->routes[x->by_rider[b][i]];
            x->nodes++;
            if (!x->used[r->driver] && !(r->mask & (covered | skipped)))
                open++;
        }
        if (open == 0) {
            skipped |= 1ULL << b;
            rem &= ~(1ULL << b);
        } else if (open < fewest) {
            fewest = open;
            pick = b;
        }
    }
    /* each free driver seats at most the riders of its largest open route */
    long left = __builtin_popcountll(rem), cap = 0;
    for (size_t j = 0; j < x->ndrivers && cap < left; j++) {
        int most = 0;
        if (x->used[x->drivers[j]])
            continue;
        for (size_t r = x->dfirst[j]; r < x->dfirst[j + 1]; r++) {
            x->nodes++;
            if (x->routes[r].k > most && !(x->routes[r].mask & (covered | skipped)))
                most = x->routes[r].k;
        }
        cap += most;
    }
    long ub = seated + (left < cap ? left : cap);
    if (ub < x->best_r)
        return;
    if (ub == x->best_r) {
        /* every rider left must be seated: each costs at least its share */
        double lb = det;
        if (left > cap)
            return;
        for (uint64_t m = rem; m; m &= m - 1)
            lb += x->minshare[__builtin_ctzll(m)];
        if (lb >= x->best_det - 1e-7)
            return;
    }
    if (!rem) {
        if (seated > x->best_r || det < x->best_det - 1e-7) {
            x->best_r = seated;
            x->best_det = det;
            memcpy(x->best, x->chosen, x->nchosen * sizeof *x->best);
            x->nbest = x->nchosen;
            x->improved = 1;
        }
        return;
    }
    for (size_t i = 0; i < x->nby[pick] && !x->aborted; i++) {
        size_t ri = x->by_rider[pick][i];
        const xroute *r = &x->routes[ri];
        if (x->used[r->driver] || (r->mask & (covered | skipped)))
            continue;
        x->used[r->driver] = 1;
        x->chosen[x->nchosen++] = ri;
        xdfs(x, covered | r->mask, skipped, reach, seated + r->k, det + r->detour);
        x->nchosen--;
        x->used[r->driver] = 0;
    }
    xdfs(x, covered, skipped | (1ULL << pick), reach, seated, det);
}

static int route_share_less(const xsearch *x, uint32_t a, uint32_t b)
{
    const xroute *ra = &x->routes[a], *rb = &x->routes[b];
    double sa = ra->detour / ra->k, sb = rb->detour / rb->k;
    if (sa != sb)
        return sa < sb;
    return a < b;
}

/* Returns 1 if the plan was improved, 0 if not (or not attempted), -1 on
 * out of memory. */
static int exact_small(solver *s, const lns_ctx *l)
{
    size_t n = s->n, people = 0;
    int rc = -1;
    xsearch x;
    memset(&x, 0, sizeof x);
    x.s = s;
    for (size_t i = 0; i < n; i++) {
        unsigned char f = s->flag[i];
        if (f & F_BAD)
            continue;
        if ((f & F_LOCKED) || ((f & F_DRIVE) && (f & F_RIDE)) || s->seats[i] > REORDER_MAX)
            return 0;
        people++;
    }
    if (people > EXACT_MAX_PEOPLE || l->ndrivers == 0)
        return 0;
    int *bitof = malloc(n * sizeof *bitof);
    uint32_t *cand = malloc(n * sizeof *cand);
    int *cbit = malloc(n * sizeof *cbit);
    x.riders = malloc(64 * sizeof *x.riders);
    x.used = calloc(n, 1);
    x.dfirst = malloc((l->ndrivers + 1) * sizeof *x.dfirst);
    x.drivers = l->drivers;
    x.ndrivers = l->ndrivers;
    if (!bitof || !cand || !cbit || !x.riders || !x.used || !x.dfirst)
        goto done;
    for (size_t i = 0; i < n; i++) {
        bitof[i] = -1;
        if ((s->flag[i] & F_RIDER) && !(s->flag[i] & F_BAD)) {
            bitof[i] = x.nr;
            x.riders[x.nr++] = (uint32_t)i;
        }
    }
    for (size_t j = 0; j < l->ndrivers; j++) {
        size_t d = l->drivers[j];
        uint32_t set[REORDER_MAX];
        int bits[REORDER_MAX], nc = 0;
        x.dfirst[j] = x.dfirst[j + 1] = x.nroutes;
        if (s->seats[d] == 0)
            continue;
        for (int b = 0; b < x.nr; b++) {
            size_t p = x.riders[b];
            if (dist(s, d, p) + s->dv[p] <= max_len(s, d, 1) + EPS) {
                cand[nc] = (uint32_t)p;
                cbit[nc++] = b;
            }
        }
        if (xenum(&x, d, cand, cbit, nc, 0, set, bits, 0) < 0) {
            rc = x.nroutes >= EXACT_MAX_ROUTES / 2 ? 0 : -1; /* too many: give up */
            goto done;
        }
        x.dfirst[j + 1] = x.nroutes;
    }
    x.by_rider = calloc((size_t)x.nr ? (size_t)x.nr : 1, sizeof *x.by_rider);
    x.nby = calloc((size_t)x.nr ? (size_t)x.nr : 1, sizeof *x.nby);
    x.minshare = malloc(((size_t)x.nr ? (size_t)x.nr : 1) * sizeof *x.minshare);
    x.chosen = malloc((l->ndrivers + 1) * sizeof *x.chosen);
    x.best = malloc((l->ndrivers + 1) * sizeof *x.best);
    if (!x.by_rider || !x.nby || !x.minshare || !x.chosen || !x.best)
        goto done;
    for (size_t r = 0; r < x.nroutes; r++)
        for (uint64_t m = x.routes[r].mask; m; m &= m - 1)
            x.nby[__builtin_ctzll(m)]++;
    uint64_t reach = 0;
    for (int b = 0; b < x.nr; b++) {
        x.by_rider[b] = malloc((x.nby[b] ? x.nby[b] : 1) * sizeof **x.by_rider);
        if (!x.by_rider[b])
            goto done;
        if (x.nby[b])
            reach |= 1ULL << b;
        x.nby[b] = 0;
        x.minshare[b] = HUGE_VAL;
    }
    for (size_t r = 0; r < x.nroutes; r++)
        for (uint64_t m = x.routes[r].mask; m; m &= m - 1) {
            int b = __builtin_ctzll(m);
            double share = x.routes[r].detour / x.routes[r].k;
            x.by_rider[b][x.nby[b]++] = (uint32_t)r;
            if (share < x.minshare[b])
                x.minshare[b] = share;
        }
    /* cheapest routes first (insertion sort: the lists are short) */
    for (int b = 0; b < x.nr; b++)
        for (size_t i = 1; i < x.nby[b]; i++) {
            uint32_t v = x.by_rider[b][i];
            size_t j = i;
            for (; j > 0 && route_share_less(&x, v, x.by_rider[b][j - 1]); j--)
                x.by_rider[b][j] = x.by_rider[b][j - 1];
            x.by_rider[b][j] = v;
        }

    double base = 0.0;
    for (size_t j = 0; j < l->ndrivers; j++)
        base += s->dv[l->drivers[j]];
    x.best_r = s->seated;
    x.best_det = s->km - base;
    xdfs(&x, 0, 0, reach, 0, 0.0);
    rc = 0;
    if (!x.improved || x.aborted)
        goto done;

    /* install the better plan */
    for (size_t j = 0; j < l->ndrivers; j++) {
        size_t d = l->drivers[j];
        for (int i = 0; i < s->rlen[d]; i++)
            s->host[s->route[s->roff[d] + (size_t)i]] = -1;
        s->rlen[d] = 0;
        s->rdist[d] = s->dv[d];
        s->legs[s->roff[d] + d] = s->dv[d];
    }
    s->km = base;
    s->seated = 0;
    for (size_t c = 0; c < x.nbest; c++) {
        const xroute *r = &x.routes[x.best[c]];
        size_t d = r->driver;
        double *legs = s->legs + s->roff[d] + d, len = 0.0;
        for (int i = 0; i < r->k; i++) {
            s->route[s->roff[d] + (size_t)i] = r->stops[i];
            s->host[r->stops[i]] = (int32_t)d;
            legs[i] = dist(s, i ? r->stops[i - 1] : d, r->stops[i]);
            len += legs[i];
        }
        legs[r->k] = s->dv[r->stops[r->k - 1]];
        len += legs[r->k];
        s->rlen[d] = r->k;
        s->rdist[d] = len;
        s->km += len - s->dv[d];
        s->seated += r->k;
    }
    rc = 1;
done:
    if (x.by_rider)
        for (int b = 0; b < x.nr; b++)
            free(x.by_rider[b]);
    free(x.by_rider);
    free(x.nby);
    free(x.minshare);
    free(x.chosen);
    free(x.best);
    free(x.routes);
    free(x.riders);
    free(x.used);
    free(x.dfirst);
    free(bitof);
    free(cand);
    free(cbit);
    return rc;
}

/* ---- candidates ------------------------------------------------------- */

typedef struct hent {
    double det;
    double dop;
    uint32_t d;
} hent;

static int hent_less(const hent *a, const hent *b)
{
    return a->det < b->det || (a->det == b->det && a->d < b->d);
}

/* Bounded max-heap push: keep the K best (smallest detour) entries. */
static void hent_push(hent *h, int *cnt, int cap, hent e)
{
    int i;
    if (*cnt < cap) {
        i = (*cnt)++;
        while (i > 0 && hent_less(&h[(i - 1) / 2], &e)) {
            h[i] = h[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        h[i] = e;
        return;
    }
    if (!hent_less(&e, &h[0]))
        return;
    i = 0;
    for (;;) {
        int l = 2 * i + 1, r = l + 1, top = -1;
        const hent *big = &e;
        if (l < *cnt && hent_less(big, &h[l])) {
            top = l;
            big = &h[l];
        }
        if (r < *cnt && hent_less(big, &h[r]))
            top = r;
        if (top < 0)
            break;
        h[i] = h[top];
        i = top;
    }
    h[i] = e;
}

static int hent_cmp(const void *a, const void *b)
{
    const hent *x = a, *y = b;
    return hent_less(x, y) ? -1 : (hent_less(y, x) ? 1 : 0);
}

/*
 * The driver index. Drivers are placed by polar coordinates around the
 * venue (great-circle km r, bearing a), cut into sectors of equal count by
 * bearing and, inside a sector, into chunks by r, farthest first. On the
 * sphere, the detour g(d, p) + g(p, v) - g(d, v) of a driver d for a
 * passenger p grows with the angle at the venue between them and never
 * grows with r (moving d away from the venue by x lengthens g(d, p) by at
 * most x), so the least detour over a chunk is reached at its largest r and
 * the smallest angle: an exact lower bound, by the law of haversines. Along
 * a sector the chunks' bounds only grow, so each sector is a sorted stream
 * and the streams are merged best first: the search stops when the next
 * bound exceeds the K-th best detour found, or the largest detour the
 * remaining drivers may make.
 */
#define SECTOR_DRIVERS 128 /* drivers per sector (about) */
#define CHUNK_DRIVERS 8

typedef struct chunk {
    double rmax;       /* great-circle km from the venue, farthest member */
    double sin_rmax;   /* sin(rmax / EARTH_KM) */
    double amin, amax; /* bearings of the members */
    double reach;      /* largest detour allowed to a member of this chunk or
                          of a nearer one in the sector */
    size_t first;      /* members: ord[first .. first + count) */
    size_t count;
} chunk;

typedef struct sector {
    double amin, amax;
    size_t first; /* chunks [first, first + count) */
    size_t count;
} sector;

typedef struct stream {
    double key;
    size_t sec;
    size_t ch;
} stream;

typedef struct keyed {
    double key;
    uint32_t d;
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->d < y->d ? -1 : x->d > y->d;
}

/* sin^2 of half the angle between bearing a and the interval [lo, hi]. */
static double hav_gap(double a, double lo, double hi)
{
    if (a >= lo && a <= hi)
        return 0.0;
    double g1 = fabs(a - lo), g2 = fabs(a - hi);
    if (g1 > PI)
        g1 = 2 * PI - g1;
    if (g2 > PI)
        g2 = 2 * PI - g2;
    double h = sin((g1 < g2 ? g1 : g2) / 2.0);
    return h * h;
}

/* Least great-circle detour of a driver at r km from the venue for a
 * passenger at rho km, the angle between them at the venue having
 * haversine hav_da (law of haversines). */
static double detour_lb(double r, double sin_r, double rho, double sin_rho, double hav_da)
{
    double h = sin((r - rho) / (2.0 * EARTH_KM));
    h = h * h + sin_r * sin_rho * hav_da;
    if (h > 1.0)
        h = 1.0;
    return 2.0 * EARTH_KM * asin(sqrt(h)) + rho - r;
}

static void stream_push(stream *h, size_t *n, stream e)
{
    size_t i = (*n)++;
    while (i > 0 && (h[(i - 1) / 2].key > e.key ||
                     (h[(i - 1) / 2].key == e.key && h[(i - 1) / 2].sec > e.sec))) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = e;
}

static stream stream_pop(stream *h, size_t *n)
{
    stream top = h[0], e = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const stream *best = &e;
        if (l < *n && (h[l].key < best->key || (h[l].key == best->key && h[l].sec < best->sec))) {
            m = l;
            best = &h[l];
        }
        if (r < *n && (h[r].key < best->key || (h[r].key == best->key && h[r].sec < best->sec)))
            m = r;
        if (m == i)
            break;
        h[i] = h[m];
        i = m;
    }
    if (*n > 0)
        h[i] = e;
    return top;
}

typedef struct dindex {
    uint32_t *ord;
    chunk *chunks;
    sector *sectors;
    size_t nsec;
    double mul, add; /* key = lower bound / mul - add (slack for a custom metric) */
} dindex;

static int dindex_build(dindex *x, const solver *s, const uint32_t *drv, size_t nd)
{
    size_t m = 0;
    keyed *kd = malloc((nd ? nd : 1) * sizeof *kd);
    x->ord = malloc((nd ? nd : 1) * sizeof *x->ord);
    x->chunks = malloc((nd ? nd : 1) * sizeof *x->chunks);
    x->sectors = malloc((nd ? nd : 1) * sizeof *x->sectors);
    if (!kd || !x->ord || !x->chunks || !x->sectors) {
        free(kd);
        return -1;
    }
    for (size_t t = 0; t < nd; t++) {
        size_t d = drv[t];
        if (s->seats[d] > 0 && s->maxlen1[d] >= s->dv[d] - EPS)
            kd[m++] = (keyed){s->pa[d], (uint32_t)d};
    }
    qsort(kd, m, sizeof *kd, keyed_cmp);
    size_t nsec = (m + SECTOR_DRIVERS - 1) / SECTOR_DRIVERS, nch = 0;
    for (size_t k = 0; k < nsec; k++) {
        size_t lo = m * k / nsec, hi = m * (k + 1) / nsec;
        sector *sc = &x->sectors[k];
        sc->amin = kd[lo].key;
        sc->amax = kd[hi - 1].key;
        sc->first = nch;
        for (size_t i = lo; i < hi; i++)
            kd[i].key = -s->pr[kd[i].d]; /* farthest first */
        qsort(kd + lo, hi - lo, sizeof *kd, keyed_cmp);
        for (size_t i = lo; i < hi; i++)
            x->ord[i] = kd[i].d;
        for (size_t c = lo; c < hi; c += CHUNK_DRIVERS) {
            chunk *ch = &x->chunks[nch++];
            ch->first = c;
            ch->count = hi - c < CHUNK_DRIVERS ? hi - c : CHUNK_DRIVERS;
            ch->rmax = s->pr[x->ord[c]];
            ch->sin_rmax = sin(ch->rmax / EARTH_KM);
            ch->amin = HUGE_VAL;
            ch->amax = -HUGE_VAL;
            ch->reach = -HUGE_VAL;
            for (size_t i = c; i < c + ch->count; i++) {
                size_t d = x->ord[i];
                ch->amin = fmin(ch->amin, s->pa[d]);
                ch->amax = fmax(ch->amax, s->pa[d]);
                ch->reach = fmax(ch->reach, s->maxlen1[d] - s->dv[d]);
            }
        }
        sc->count = nch - sc->first;
        for (size_t c = sc->first + sc->count - 1; c > sc->first; c--)
            x->chunks[c - 1].reach = fmax(x->chunks[c - 1].reach, x->chunks[c].reach);
    }
    x->nsec = nsec;
    free(kd);
    return 0;
}

/* Key of chunk c for a passenger (rho, sin_rho) with haversine gap hav. */
static double chunk_key(const solver *s, const dindex *x, const chunk *c, double rho,
                        double sin_rho, double hav)
{
    double lb = detour_lb(c->rmax, c->sin_rmax, rho, sin_rho, hav) * s->o.road_factor;
    return lb / x->mul - x->add;
}

/* The K best drivers of passenger p by detour (then index) into heap h. */
static int dindex_query(const solver *s, const dindex *x, size_t p, stream *sh, hent *h, int K)
{
    int cnt = 0;
    size_t nsh = 0;
    double rho = s->pr[p], sin_rho = sin(rho / EARTH_KM), a = s->pa[p];
    for (size_t k = 0; k < x->nsec; k++) {
        const sector *sc = &x->sectors[k];
        const chunk *c = &x->chunks[sc->first];
        double key = chunk_key(s, x, c, rho, sin_rho, hav_gap(a, sc->amin, sc->amax));
        if (key <= c->reach + EPS)
            stream_push(sh, &nsh, (stream){key, k, sc->first});
    }
    while (nsh > 0) {
        stream e = stream_pop(sh, &nsh);
        if (cnt == K && e.key > h[0].det)
            break;
        const sector *sc = &x->sectors[e.sec];
        const chunk *c = &x->chunks[e.ch];
        double key = chunk_key(s, x, c, rho, sin_rho, hav_gap(a, c->amin, c->amax));
        if (key <= c->reach + EPS && (cnt < K || key <= h[0].det)) {
            for (size_t i = c->first; i < c->first + c->count; i++) {
                size_t d = x->ord[i];
                if (d == p)
                    continue;
                double dop = dist(s, d, p);
                if (dop + s->dv[p] > s->maxlen1[d] + EPS)
                    continue;
                hent he = {dop + s->dv[p] - s->dv[d], dop, (uint32_t)d};
                hent_push(h, &cnt, K, he);
            }
        }
        if (e.ch + 1 < sc->first + sc->count) {
            const chunk *nc = c + 1;
            double nkey = chunk_key(s, x, nc, rho, sin_rho, hav_gap(a, sc->amin, sc->amax));
            if (nkey <= nc->reach + EPS)
                stream_push(sh, &nsh, (stream){nkey, e.sec, e.ch + 1});
        }
    }
    return cnt;
}

/* Candidate drivers of every passenger: the K best by single-pickup detour
 * among the drivers who can take them alone, by a best-first search of the
 * driver index (exact for the default distance; with a distance callback,
 * crow-fly detours are trusted to within PLANAR_SLACK and 0.5 km). Lists
 * are stored in participant order; memory is O(passengers x K). */
static int build_candidates(solver *s, size_t np, const uint32_t *drv, size_t nd)
{
    int rc = PL_ERROR, K = s->o.candidates > 0 ? s->o.candidates : DEFAULT_CANDIDATES;
    dindex x = {0};
    stream *sh = NULL;
    hent *heap = NULL;
    size_t n = s->n, total = 0, cap = 0;

    s->coff = calloc(n + 2, sizeof *s->coff);
    s->voff = calloc(n + 2, sizeof *s->voff);
    heap = malloc((size_t)K * sizeof *heap);
    if (!s->coff || !s->voff || !heap || dindex_build(&x, s, drv, nd) < 0)
        goto done;
    x.mul = s->o.distance_km ? PLANAR_SLACK : 1.0;
    x.add = s->o.distance_km ? 0.5 : 1e-6;
    sh = malloc((x.nsec ? x.nsec : 1) * sizeof *sh);
    if (!sh)
        goto done;
    for (size_t p = 0; p < n; p++) {
        int c = 0;
        if (np > 0 && (s->flag[p] & F_RIDE) && !(s->flag[p] & (F_LOCKED | F_BAD)))
            c = dindex_query(s, &x, p, sh, heap, K);
        if (total + (size_t)c > cap) {
            size_t ncap = cap ? cap + cap / 2 : (size_t)K * 64;
            while (ncap < total + (size_t)c)
                ncap += ncap / 2;
            uint32_t *ncd = realloc(s->cd, ncap * sizeof *ncd);
            if (ncd)
                s->cd = ncd;
            double *ncdop = realloc(s->cdop, ncap * sizeof *ncdop);
            if (ncdop)
                s->cdop = ncdop;
            if (!ncd || !ncdop)
                goto done;
            cap = ncap;
        }
        qsort(heap, (size_t)c, sizeof *heap, hent_cmp);
        for (int k = 0; k < c; k++) {
            s->cd[total + (size_t)k] = heap[k].d;
            s->cdop[total + (size_t)k] = heap[k].dop;
            s->voff[heap[k].d + 1]++;
        }
        total += (size_t)c;
        s->coff[p + 1] = total;
    }
    s->coff[n + 1] = s->coff[n];
    if (!s->cd) {
        s->cd = malloc(sizeof *s->cd);
        s->cdop = malloc(sizeof *s->cdop);
    }
    s->icost = malloc((total + 1) * sizeof *s->icost);
    s->ipos = malloc((total + 1) * sizeof *s->ipos);
    s->vp = malloc((total + 1) * sizeof *s->vp);
    s->vk = malloc((total + 1) * sizeof *s->vk);
    if (!s->cd || !s->cdop || !s->icost || !s->ipos || !s->vp || !s->vk)
        goto done;
    for (size_t d = 0; d <= n; d++)
        s->voff[d + 1] += s->voff[d];
    for (size_t p = 0; p < n; p++)
        for (size_t c = s->coff[p]; c < s->coff[p + 1]; c++) {
            size_t e = s->voff[s->cd[c]]++;
            s->vp[e] = (uint32_t)p;
            s->vk[e] = (uint32_t)(c - s->coff[p]);
        }
    for (size_t d = n + 1; d > 0; d--)
        s->voff[d] = s->voff[d - 1];
    s->voff[0] = 0;
    rc = PL_OK;
done:
    free(x.ord);
    free(x.chunks);
    free(x.sectors);
    free(sh);
    free(heap);
    return rc;
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
                   s->cert_off, s->cert_len, s->cert_at, s->cert,    s->changed};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]);
}

static int check_input(const pl_carpool_problem *pb, const pl_carpool_options *o, pl_error *err)
{
    if (!pb || (pb->nparticipants > 0 && !pb->participants) ||
        (pb->nconfirmed > 0 && !pb->confirmed))
        return pl_error_set(err, PL_EINVALID, "carpool: missing participants");
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
    }
    return PL_OK;
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
    size_t n = s->n, ng = pb->nconfirmed, nu = 0;
    double *legs = NULL;
    pl_carpool_result *res = calloc(1, sizeof *res);
    if (!res)
        goto done;
    for (size_t d = 0; d < n; d++)
        if (is_driving(s, d))
            ng++;
    size_t maxk = 1;
    for (size_t g = 0; g < pb->nconfirmed; g++)
        if (pb->confirmed[g].npassengers + 1 > maxk)
            maxk = pb->confirmed[g].npassengers + 1;
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
        const pl_carpool_confirmed *cf = NULL;
        if (s->flag[d] & F_LOCKED) {
            for (size_t g = 0; g < pb->nconfirmed; g++)
                if (pb->confirmed[g].driver == d)
                    cf = &pb->confirmed[g];
            if (!cf)
                continue;
        } else if (!is_driving(s, d)) {
            continue;
        }
        pl_carpool_group *g = &res->groups[gi++];
        size_t k = cf ? cf->npassengers : (size_t)s->rlen[d];
        g->driver = d;
        g->npassengers = k;
        g->confirmed = cf != NULL;
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
        fill_times(s, g, legs, pb->event_start);
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
            reason = s->coff[p + 1] > s->coff[p] ? PL_CARPOOL_REASON_NO_SEAT
                                                 : PL_CARPOOL_REASON_NO_DRIVER;
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
        ALLOC(s.node_d, n + 1) || ALLOC(pass, n) || ALLOC(l.drivers, n) || ALLOC(l.queue, n) ||
        ALLOC(l.riders, n) || ALLOC(l.pr, n) || ALLOC(l.pf, n)) {
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
    }
    s.rng = hash_mix(seed, n);
    rc = lock_confirmed(&s, problem, err);
    if (rc < 0)
        goto done;
    rc = PL_ERROR;

    size_t slots = 0;
    for (size_t i = 0; i < n; i++) {
        s.roff[i] = slots;
        if ((s.flag[i] & F_BAD) && !(s.flag[i] & F_LOCKED))
            continue;
        s.dv[i] = dist(&s, i, n);
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
    if (build_candidates(&s, np, l.drivers, l.ndrivers) < 0) {
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
    pool_insert(&s, l.pr, nr, 0);
    sweep(&s, &l, CHAIN_NODES_FULL);
    pool_insert(&s, l.pf, nf, 1);

    unsigned long iters = s.o.iterations;
    if (iters == 0) {
        /* small instances get a search long enough to reach the optimum */
        iters = 10000 + 3 * (unsigned long)(np < LARGE_PASSENGERS ? np : LARGE_PASSENGERS);
        if (np < 500 && 40000 - 60 * (unsigned long)np > iters)
            iters = 40000 - 60 * (unsigned long)np;
    }

    lns(&s, &l, iters);
    sweep(&s, &l, CHAIN_NODES_FULL);
    for (size_t i = 0; i < l.ndrivers; i++)
        reorder(&s, l.drivers[i]);
    if (exact_small(&s, &l) < 0) {
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
