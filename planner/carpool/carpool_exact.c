/*
 * carpool_exact.c - exact polish for small instances. See carpool_solver.h.
 */
#include "carpool_solver.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
        double len = cp_best_order(s, d, set, k + 1, order);
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
int cp_exact_small(solver *s, const lns_ctx *l)
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
            if (leave_ok(s, p, d) && dist(s, d, p) + s->dv[p] <= max_len(s, d, 1) + EPS) {
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
