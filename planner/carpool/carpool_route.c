/*
 * carpool_route.c - route moves: insertion and removal of a passenger, the
 * undo log that lets a rejected search iteration be taken back exactly, and
 * the exact (Held-Karp) order of a route. See carpool_solver.h.
 */
#include "carpool_solver.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

void cp_log_begin(solver *s)
{
    s->logging = 1;
    s->stamp++;
    s->ntouched_r = 0;
    s->ntouched_h = 0;
}

void cp_log_rollback(solver *s)
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

/* Shortest order of the k stops set[] between d's origin and the venue
 * (Held-Karp, k <= REORDER_MAX). Returns its length; order[] gets indices
 * into set. */
double cp_best_order(const solver *s, size_t d, const uint32_t *set, int k, int *order)
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

/* Cheapest feasible insertion of p into d's route. Returns the added length
 * (HUGE_VAL if none) and the position in *pos. dop = dist(d, p); dpr[i] =
 * dist(p, i-th stop) if the caller has them, else NULL. slack loosens (> 0)
 * or tightens (< 0) the length limit. */
double cp_insert_eval_with(const solver *s, size_t d, size_t p, double dop, const double *dpr,
                           int *pos, double slack)
{
    int k = s->rlen[d];
    if (k >= s->seats[d] || d == p || !is_driving(s, d) || !leave_ok(s, p, d))
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
        double len = cp_best_order(s, d, set, k + 1, order);
        if (len - s->rdist[d] <= limit + EPS) {
            best = len - s->rdist[d];
            best_pos = k + 1;
        }
    }
    *pos = best_pos;
    return best;
}

/* The same, computing the distances. */
double cp_insert_eval(const solver *s, size_t d, size_t p, double dop, int *pos, double slack)
{
    return cp_insert_eval_with(s, d, p, dop, NULL, pos, slack);
}

/* Insert p at position pos of d's route (feasibility checked by caller). */
void cp_route_insert(solver *s, size_t d, size_t p, int pos)
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
        cp_reorder(s, d);
}

/* Take p out of its host's route. A FLEXIBLE p drives again (alone). */
void cp_route_remove(solver *s, size_t p)
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

/* Cost of seating p with driver d (change in vehicle-km), HUGE_VAL if not
 * possible now. */
double cp_seat_cost(const solver *s, size_t p, size_t c, int *pos)
{
    size_t d = s->cd[c];
    if (s->host[p] >= 0)
        return HUGE_VAL;
    if (s->flag[p] & F_DRIVE) {
        if (s->rlen[p] > 0)
            return HUGE_VAL;
        double delta = cp_insert_eval(s, d, p, s->cdop[c], pos, 0.0);
        return delta == HUGE_VAL ? HUGE_VAL : delta - s->rdist[p];
    }
    return cp_insert_eval(s, d, p, s->cdop[c], pos, 0.0);
}

/* Reorder d's passengers optimally when that shortens the route. */
void cp_reorder(solver *s, size_t d)
{
    int k = s->rlen[d], order[REORDER_MAX];
    if (k < 2 || k > REORDER_MAX)
        return;
    uint32_t *r = s->route + s->roff[d], old[REORDER_MAX];
    double best = cp_best_order(s, d, r, k, order);
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
