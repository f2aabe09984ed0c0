/*
 * carpool_chain.c - ejection chains: seat a rider through a breadth-first
 * augmenting path that moves others along, and the sweeps that run them for
 * every rider without a seat. See carpool_solver.h.
 */
#include "carpool_solver.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Can d's route, with its j-th passenger taken out, take x (dop = dist(d, x),
 * dxr[i] = dist(x, i-th stop))? */
static int swap_ok(const solver *s, size_t d, int j, size_t x, double dop, const double *dxr)
{
    int k = s->rlen[d];
    const uint32_t *r = s->route + s->roff[d];
    const double *legs = s->legs + s->roff[d] + d;
    if (!leave_ok(s, x, d))
        return 0;
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
        return cp_best_order(s, d, set, m, order) <= limit;
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
            cp_route_remove(s, x);
        int pos = -1;
        cp_insert_eval(s, target, x, cand_dop(s, x, target), &pos, 1e-6);
        if (pos < 0)
            pos = s->rlen[target]; /* unreachable: checked by swap_ok */
        cp_route_insert(s, target, x, pos);
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
                    s->seats[d] > 0 && leave_ok(s, x, d) && !on_path(s, i, (size_t)s->host[d])) {
                    cp_route_remove(s, d);
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
            if (cp_insert_eval_with(s, d, x, s->cdop[c], dxr, &pos, -1e-7) != HUGE_VAL) {
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
                    cp_route_remove(s, q);
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

int cp_eject(solver *s, size_t root, int limit)
{
    s->nseen = 0;
    int rc = bfs_chain(s, root, limit);
    for (size_t i = 0; i < s->nseen; i++)
        s->dseen[s->seen[i] >> 6] = 0;
    return rc;
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
void cp_sweep(solver *s, lns_ctx *l, int limit)
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
            if (cp_eject(s, r, limit)) {
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
