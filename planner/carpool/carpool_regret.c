/*
 * carpool_regret.c - regret insertion: seat a pool of passengers, the one
 * with the fewest or most differing options first. See carpool_solver.h.
 */
#include "carpool_solver.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    double v = cp_seat_cost(s, q, c, &s->ipos[c]);
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
void cp_pool_insert(solver *s, const uint32_t *pool, size_t m, int flex)
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
        cp_route_insert(s, d, q, s->ipos[c]);
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
