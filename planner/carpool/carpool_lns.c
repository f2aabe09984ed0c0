/*
 * carpool_lns.c - ruin and recreate: empty a few related routes, seat their
 * people again, keep the plan if it is no worse. See carpool_solver.h.
 */
#include "carpool_solver.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
            cp_route_remove(s, q);
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

/* Ruin and recreate for iters iterations. A plan seating fewer riders is
 * never accepted; one with more vehicle-km is accepted below a threshold
 * that falls linearly to zero at 80 % of the budget (then pure descent), to
 * leave local optima. Half of the recreates follow regret, half a random
 * order. */
void cp_lns(solver *s, lns_ctx *l, unsigned long iters)
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
            cp_sweep(s, l, CHAIN_NODES_FULL);
        }
        long old_seated = s->seated;
        double old_km = s->km;
        double threshold = it < cool ? t0 * (double)(cool - it) / (double)cool : 0.0;
        threshold *= (double)(rng_next(s) >> 11) / 9007199254740992.0;
        cp_log_begin(s);
        ruin(s, l);
        s->random_order = (int)(rng_next(s) & 1);
        cp_pool_insert(s, l->pr, l->npr, 0);
        for (size_t i = 0; i < l->npr; i++)
            if (s->host[l->pr[i]] < 0)
                cp_eject(s, l->pr[i], CHAIN_NODES_LNS);
        cp_pool_insert(s, l->pf, l->npf, 1);
        s->random_order = 0;
        if (s->seated > old_seated ||
            (s->seated == old_seated && s->km <= old_km + threshold + EPS))
            continue;
        cp_log_rollback(s);
        s->seated = old_seated;
        s->km = old_km;
    }
    s->logging = 0;
}
