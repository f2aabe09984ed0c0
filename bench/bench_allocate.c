/*
 * bench_allocate.c - the workshop allocation on generated instances.
 *
 *   bench_allocate [PEOPLE] [SEED]            time 3 slots of 8 workshops
 *   bench_allocate --lp FILE PEOPLE SEED [CAPACITY_PCT]
 *                                             write slot 1 as a CPLEX LP for
 *                                             glpsol, print our objective
 *
 * Instances: every person ranks 3 workshops of a slot (a few rank 1 or 2,
 * some rank all 8), drawn with skewed popularity (workshop k is chosen with
 * weight 1/(k+1)^1.2, a different order per slot); capacities add up to 105 %
 * of the people (or CAPACITY_PCT), the same for every workshop, so popular
 * ones overflow.
 *
 * The LP is the same problem as the allocation: x[i][w] in [0, 1] (the
 * constraint matrix is totally unimodular, so the LP optimum is integral),
 * one workshop per person, capacities, and the cost our solver minimises
 * with a reward for every placement larger than any cost: minimising it
 * places the most people, then the fewest below their first choice, then
 * the least total rank. bench/bench_allocate.sh compares both optima.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "allocate.h"

#define NW 8
#define NSLOTS 3

static uint64_t rng;
static double capacity_pct = 105;

static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

typedef struct slot {
    int capacity[NW];
    size_t *start;
    int *ranked;
} slot;

static void make_slot(slot *s, size_t n, int which)
{
    double weight[NW], total = 0;
    size_t k = 0;
    int order[NW];

    for (int w = 0; w < NW; w++) {
        order[w] = (w + 3 * which) % NW; /* a different favourite per slot */
        weight[w] = 1.0 / pow(w + 1, 1.2);
        total += weight[w];
        s->capacity[w] = (int)((double)n * capacity_pct / 100 / NW) + 1;
    }
    s->start = malloc((n + 1) * sizeof(*s->start));
    s->ranked = malloc(n * NW * sizeof(*s->ranked));
    for (size_t i = 0; i < n; i++) {
        double u = uniform();
        int len = u < 0.05 ? 1 : u < 0.15 ? 2 : u < 0.9 ? 3 : NW;
        int taken[NW] = {0};
        s->start[i] = k;
        for (int j = 0; j < len; j++) {
            double left = 0, x;
            int w = 0;
            for (int c = 0; c < NW; c++)
                left += taken[c] ? 0 : weight[c];
            x = uniform() * left;
            for (w = 0; w < NW; w++) {
                if (taken[w])
                    continue;
                if (x < weight[w])
                    break;
                x -= weight[w];
            }
            if (w == NW) /* rounding: the last free one */
                for (w = NW - 1; taken[w]; w--)
                    ;
            taken[w] = 1;
            s->ranked[k++] = order[w];
        }
    }
    s->start[n] = k;
    (void)total;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The cost our solver minimises, with the placement reward (see above). */
static double cost(size_t n, int rank)
{
    double weight = (double)(NW + 1) * (double)(n + 1) + 1;
    double reward = (double)n * (weight + NW) + 1;
    return rank + (rank > 1 ? weight : 0) - reward;
}

static int write_lp(const char *path, const slot *s, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "Minimize\n obj:");
    for (size_t i = 0; i < n; i++)
        for (size_t k = s->start[i]; k < s->start[i + 1]; k++)
            fprintf(f, " %+.0f x_%zu_%d", cost(n, (int)(k - s->start[i]) + 1), i, s->ranked[k]);
    fprintf(f, "\nSubject To\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, " p%zu:", i);
        for (size_t k = s->start[i]; k < s->start[i + 1]; k++)
            fprintf(f, " + x_%zu_%d", i, s->ranked[k]);
        fprintf(f, " <= 1\n");
    }
    for (int w = 0; w < NW; w++) {
        int any = 0;
        fprintf(f, " w%d:", w);
        for (size_t i = 0; i < n; i++)
            for (size_t k = s->start[i]; k < s->start[i + 1]; k++)
                if (s->ranked[k] == w) {
                    fprintf(f, " + x_%zu_%d", i, w);
                    any = 1;
                }
        fprintf(f, "%s <= %d\n", any ? "" : " 0 x_none", s->capacity[w]);
    }
    fprintf(f, "Bounds\n");
    for (size_t i = 0; i < n; i++)
        for (size_t k = s->start[i]; k < s->start[i + 1]; k++)
            fprintf(f, " 0 <= x_%zu_%d <= 1\n", i, s->ranked[k]);
    fprintf(f, "End\n");
    return fclose(f);
}

int main(int argc, char **argv)
{
    const char *lp = NULL;
    size_t n = 10000;
    unsigned long long seed = 1;
    double total_ms = 0;
    pl_error err;

    if (argc > 1 && strcmp(argv[1], "--lp") == 0) {
        if (argc < 5) {
            fprintf(stderr, "usage: bench_allocate --lp FILE PEOPLE SEED [CAPACITY_PCT]\n");
            return 2;
        }
        lp = argv[2];
        if (argc > 5)
            capacity_pct = strtod(argv[5], NULL);
        argv += 2;
        argc -= 2;
    }
    if (argc > 1)
        n = strtoul(argv[1], NULL, 10);
    if (argc > 2)
        seed = strtoull(argv[2], NULL, 10);
    rng = seed * 0x9E3779B97F4A7C15ULL + 1;

    for (int which = 0; which < (lp ? 1 : NSLOTS); which++) {
        slot s;
        pl_alloc_problem p;
        pl_alloc_result *r;
        double t0, t1;

        make_slot(&s, n, which);
        p = (pl_alloc_problem){n, NW, s.capacity, s.start, s.ranked, NULL};
        t0 = now_ms();
        if (pl_alloc_solve(&r, &p, &err) < 0) {
            fprintf(stderr, "bench_allocate: %s\n", err.msg);
            return 3;
        }
        t1 = now_ms();
        total_ms += t1 - t0;
        if (lp) {
            double obj = 0;
            for (size_t i = 0; i < n; i++)
                if (r->workshop[i] >= 0)
                    obj += cost(n, r->rank[i]);
            if (write_lp(lp, &s, n) != 0) {
                perror(lp);
                return 3;
            }
            printf("ours %.0f placed %zu below_first %zu total_rank %lld\n", obj, r->placed,
                   r->below_first, r->total_rank);
        } else {
            printf("slot %d: %zu people, placed %zu, first choice %zu, second %zu, third %zu, "
                   "total rank %lld, %.1f ms\n",
                   which + 1, n, r->placed, r->by_rank[1], r->by_rank[2], r->by_rank[3],
                   r->total_rank, t1 - t0);
        }
        pl_alloc_result_free(r);
        free(s.start);
        free(s.ranked);
    }
    if (!lp)
        printf("total: %.1f ms for %d slots\n", total_ms, NSLOTS);
    return 0;
}
