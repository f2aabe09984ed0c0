/*
 * bench_carpool.c - speed and quality of the carpool engine.
 *
 *   bench_carpool exact [RUNS]            40 attendees (12 drivers, alpha 30 %,
 *                                         40 km) against the exact optimum
 *                                         (route enumeration + set packing by
 *                                         cbc, coinor-cbc)
 *   bench_carpool scale N DRIVERS RADIUS_KM ALPHA [SEEDS] [NOBOUND]
 *                                         time and riders seated against an
 *                                         upper bound (b-matching of seats to
 *                                         passengers each driver could pick up
 *                                         alone, by max-flow)
 *   bench_carpool clustered N [SEEDS [COMMUNES [RADIUS_KM [ALPHA [BOUND]]]]]
 *                                         N attendees (30 % drivers) from real
 *                                         communes (default 40 within 80 km,
 *                                         alpha 20 %) at their centres,
 *                                         against the same bound computed
 *                                         between communes
 *   bench_carpool gen N DRIVERS RADIUS_KM SEED
 *                                         print an instance as CSV
 *
 * Benchmarks use the detour percentage only (max_detour_minutes unlimited),
 * as the instances of issue 6 are defined by alpha alone. Every plan is also
 * checked independently (seats, detour, nobody twice).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "carpool.h"
#include "carpool_instance.h"

static const pl_carpool_point VENUE = {45.7640, 4.8357}; /* Lyon */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: steadier than wall time on a shared machine. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long maxrss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static double dkm(const pl_carpool_participant *p, size_t a, size_t b, double rf)
{
    const pl_carpool_point *pa = a == SIZE_MAX ? &VENUE : &p[a].origin;
    const pl_carpool_point *pb = b == SIZE_MAX ? &VENUE : &p[b].origin;
    return pl_carpool_distance_km(pa, pb, rf);
}

/* Independent check of a plan; returns riders seated, -1 if invalid. */
static long verify(const pl_carpool_participant *p, size_t n, const pl_carpool_result *r,
                   const pl_carpool_options *o, double *km)
{
    char *seen = calloc(n, 1);
    long seated = 0;
    *km = 0;
    for (size_t g = 0; g < r->ngroups; g++) {
        const pl_carpool_group *gr = &r->groups[g];
        size_t d = gr->driver, prev = d;
        if (seen[d]++ || (int)gr->npassengers > p[d].seats)
            goto bad;
        double len = 0;
        for (size_t i = 0; i < gr->npassengers; i++) {
            size_t q = gr->passengers[i];
            if (seen[q]++)
                goto bad;
            if (p[q].role == PL_CARPOOL_ROLE_RIDE)
                seated++;
            len += dkm(p, prev, q, o->road_factor);
            prev = q;
        }
        len += dkm(p, prev, SIZE_MAX, o->road_factor);
        double direct = dkm(p, d, SIZE_MAX, o->road_factor);
        if (len > direct * (1 + o->max_detour_pct / 100) + 1e-6 ||
            fabs(len - gr->distance_km) > 1e-6)
            goto bad;
        *km += len;
    }
    for (size_t u = 0; u < r->nunassigned; u++)
        if (seen[r->unassigned[u].participant]++)
            goto bad;
    for (size_t i = 0; i < n; i++)
        if (seen[i] != 1)
            goto bad;
    free(seen);
    return seated;
bad:
    free(seen);
    return -1;
}

/* ---- upper bound: max-flow (Dinic) ----------------------------------- */

typedef struct flow {
    int n;
    int *head, *nxt, *to, *cap, *level, *it, *q;
    size_t m, mcap;
} flow;

static void fadd(flow *f, int a, int b, int c)
{
    if (f->m + 2 > f->mcap) {
        f->mcap = f->mcap ? 2 * f->mcap : 1024;
        f->nxt = realloc(f->nxt, f->mcap * sizeof(int));
        f->to = realloc(f->to, f->mcap * sizeof(int));
        f->cap = realloc(f->cap, f->mcap * sizeof(int));
    }
    f->to[f->m] = b, f->cap[f->m] = c, f->nxt[f->m] = f->head[a], f->head[a] = (int)f->m++;
    f->to[f->m] = a, f->cap[f->m] = 0, f->nxt[f->m] = f->head[b], f->head[b] = (int)f->m++;
}

static int bfs(flow *f, int s, int t)
{
    for (int i = 0; i < f->n; i++)
        f->level[i] = -1;
    int qh = 0, qt = 0;
    f->q[qt++] = s;
    f->level[s] = 0;
    while (qh < qt) {
        int v = f->q[qh++];
        for (int e = f->head[v]; e >= 0; e = f->nxt[e])
            if (f->cap[e] > 0 && f->level[f->to[e]] < 0) {
                f->level[f->to[e]] = f->level[v] + 1;
                f->q[qt++] = f->to[e];
            }
    }
    return f->level[t] >= 0;
}

static int dfs(flow *f, int v, int t, int pushed)
{
    if (v == t)
        return pushed;
    for (; f->it[v] >= 0; f->it[v] = f->nxt[f->it[v]]) {
        int e = f->it[v], w = f->to[e];
        if (f->cap[e] > 0 && f->level[w] == f->level[v] + 1) {
            int got = dfs(f, w, t, pushed < f->cap[e] ? pushed : f->cap[e]);
            if (got > 0) {
                f->cap[e] -= got;
                f->cap[e ^ 1] += got;
                return got;
            }
        }
    }
    return 0;
}

/* Participants at the same point, of one role: drivers there are
 * interchangeable but for their seats, riders entirely. */
typedef struct site {
    pl_carpool_point at;
    long people; /* riders, or the drivers' seats */
} site;

static int point_cmp(const void *a, const void *b)
{
    const pl_carpool_point *x = a, *y = b;
    if (x->lat != y->lat)
        return x->lat < y->lat ? -1 : 1;
    return x->lon < y->lon ? -1 : x->lon > y->lon;
}

/* The sites of role, seats summed for drivers. */
static size_t sites_of(const pl_carpool_participant *p, size_t n, pl_carpool_role role, site **out)
{
    site *s = malloc((n ? n : 1) * sizeof *s);
    size_t m = 0, k = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i].role == role)
            s[m++] = (site){p[i].origin, role == PL_CARPOOL_ROLE_DRIVE ? p[i].seats : 1};
    qsort(s, m, sizeof *s, point_cmp); /* `at` is the first member */
    for (size_t i = 0; i < m; i++) {
        if (k > 0 && point_cmp(&s[k - 1].at, &s[i].at) == 0)
            s[k - 1].people += s[i].people;
        else
            s[k++] = s[i];
    }
    *out = s;
    return k;
}

/* Riders that can be seated if each driver took any passengers it could
 * reach alone, up to its seats: a b-matching, by max-flow. Drivers at one
 * point are interchangeable (same direct trip, same detour limit), and so
 * are riders at one point, so the flow runs between sites: exact and small
 * when origins are communes' centres. */
static long upper_bound(const pl_carpool_participant *p, size_t n, const pl_carpool_options *o)
{
    flow f = {0};
    site *ds, *rs;
    size_t nds = sites_of(p, n, PL_CARPOOL_ROLE_DRIVE, &ds);
    size_t nrs = sites_of(p, n, PL_CARPOOL_ROLE_RIDE, &rs);
    int s = (int)(nds + nrs), t = s + 1;
    f.n = t + 1;
    f.head = malloc((size_t)f.n * sizeof(int));
    f.level = malloc((size_t)f.n * sizeof(int));
    f.it = malloc((size_t)f.n * sizeof(int));
    f.q = malloc((size_t)f.n * sizeof(int));
    double *dv = malloc((nrs ? nrs : 1) * sizeof *dv);
    for (int i = 0; i < f.n; i++)
        f.head[i] = -1;
    for (size_t q = 0; q < nrs; q++) {
        dv[q] = pl_carpool_distance_km(&rs[q].at, &VENUE, o->road_factor);
        fadd(&f, (int)(nds + q), t, (int)rs[q].people);
    }
    for (size_t d = 0; d < nds; d++) {
        double direct = pl_carpool_distance_km(&ds[d].at, &VENUE, o->road_factor);
        double lim = direct * (1 + o->max_detour_pct / 100);
        fadd(&f, s, (int)d, (int)ds[d].people);
        for (size_t q = 0; q < nrs; q++)
            if (dv[q] <= lim &&
                pl_carpool_distance_km(&ds[d].at, &rs[q].at, o->road_factor) + dv[q] <= lim + 1e-9)
                fadd(&f, (int)d, (int)(nds + q), 1 << 30);
    }
    long total = 0;
    while (bfs(&f, s, t)) {
        for (int i = 0; i < f.n; i++)
            f.it[i] = f.head[i];
        int got;
        while ((got = dfs(&f, s, t, 1 << 30)) > 0)
            total += got;
    }
    free(f.head), free(f.level), free(f.it), free(f.q), free(f.nxt), free(f.to), free(f.cap);
    free(dv), free(ds), free(rs);
    return total;
}

/* ---- exact reference through cbc ------------------------------------- */

typedef struct route {
    int d, k, pass[8];
    double len;
} route;

/* Best order of a passenger set for driver d (permutations, k <= 4). */
static double best_len(const pl_carpool_participant *p, int d, int *set, int k, double rf)
{
    double best = HUGE_VAL;
    int perm[8];
    for (int i = 0; i < k; i++)
        perm[i] = i;
    for (;;) {
        double len = 0;
        size_t prev = (size_t)d;
        for (int i = 0; i < k; i++) {
            len += dkm(p, prev, (size_t)set[perm[i]], rf);
            prev = (size_t)set[perm[i]];
        }
        len += dkm(p, prev, SIZE_MAX, rf);
        if (len < best)
            best = len;
        int i = k - 2;
        while (i >= 0 && perm[i] > perm[i + 1])
            i--;
        if (i < 0)
            break;
        int j = k - 1;
        while (perm[j] < perm[i])
            j--;
        int tmp = perm[i];
        perm[i] = perm[j], perm[j] = tmp;
        for (int a = i + 1, b = k - 1; a < b; a++, b--)
            tmp = perm[a], perm[a] = perm[b], perm[b] = tmp;
    }
    return best;
}

static void enumerate(const pl_carpool_participant *p, int d, const int *cands, int nc, int from,
                      int *set, int k, double lim, double rf, route **out, size_t *nout,
                      size_t *cap)
{
    if (k > 0) {
        double len = best_len(p, d, set, k, rf);
        if (len > lim + 1e-9)
            return; /* supersets cannot be shorter (triangle inequality) */
        if (*nout == *cap) {
            *cap = *cap ? 2 * *cap : 256;
            *out = realloc(*out, *cap * sizeof **out);
        }
        route *r = &(*out)[(*nout)++];
        r->d = d, r->k = k, r->len = len;
        memcpy(r->pass, set, (size_t)k * sizeof(int));
    }
    if (k == p[d].seats)
        return;
    for (int i = from; i < nc; i++) {
        set[k] = cands[i];
        enumerate(p, d, cands, nc, i + 1, set, k + 1, lim, rf, out, nout, cap);
    }
}

/* Exact (seated, km) by set packing with cbc; returns 0 on success. */
static int exact(const pl_carpool_participant *p, size_t n, const pl_carpool_options *o,
                 long *seated, double *km)
{
    route *rs = NULL;
    size_t nr = 0, cap = 0;
    int cands[256], set[8];
    double rf = o->road_factor;
    for (size_t d = 0; d < n; d++) {
        if (p[d].role != PL_CARPOOL_ROLE_DRIVE)
            continue;
        double dv = dkm(p, d, SIZE_MAX, rf), lim = dv * (1 + o->max_detour_pct / 100);
        int nc = 0;
        for (size_t q = 0; q < n; q++)
            if (p[q].role == PL_CARPOOL_ROLE_RIDE &&
                dkm(p, d, q, rf) + dkm(p, q, SIZE_MAX, rf) <= lim + 1e-9)
                cands[nc++] = (int)q;
        if (nr == cap) {
            cap = cap ? 2 * cap : 256;
            rs = realloc(rs, cap * sizeof *rs);
        }
        rs[nr].d = (int)d, rs[nr].k = 0, rs[nr].len = dv; /* alone */
        nr++;
        enumerate(p, (int)d, cands, nc, 0, set, 0, lim, rf, &rs, &nr, &cap);
    }
    char lp[] = "/tmp/carpool_exact_XXXXXX";
    int fd = mkstemp(lp);
    if (fd < 0)
        return -1;
    close(fd);
    char lpfile[64], solfile[64], cmd[256];
    snprintf(lpfile, sizeof lpfile, "%s.lp", lp);
    snprintf(solfile, sizeof solfile, "%s.sol", lp);
    FILE *f = fopen(lpfile, "w");
    /* maximise 10000 x riders - km: riders first, then km */
    fprintf(f, "Maximize\n obj:");
    for (size_t i = 0; i < nr; i++)
        fprintf(f, " %+.9f x%zu", 10000.0 * rs[i].k - rs[i].len, i);
    fprintf(f, "\nSubject To\n");
    for (size_t d = 0; d < n; d++) {
        if (p[d].role != PL_CARPOOL_ROLE_DRIVE)
            continue;
        fprintf(f, " d%zu:", d);
        for (size_t i = 0; i < nr; i++)
            if (rs[i].d == (int)d)
                fprintf(f, " + x%zu", i);
        fprintf(f, " = 1\n");
    }
    for (size_t q = 0; q < n; q++) {
        if (p[q].role != PL_CARPOOL_ROLE_RIDE)
            continue;
        int any = 0;
        for (size_t i = 0; i < nr; i++)
            for (int j = 0; j < rs[i].k; j++)
                if (rs[i].pass[j] == (int)q) {
                    if (!any)
                        fprintf(f, " p%zu:", q);
                    fprintf(f, " + x%zu", i);
                    any = 1;
                }
        if (any)
            fprintf(f, " <= 1\n");
    }
    fprintf(f, "Binary\n");
    for (size_t i = 0; i < nr; i++)
        fprintf(f, " x%zu\n", i);
    fprintf(f, "End\n");
    fclose(f);
    snprintf(cmd, sizeof cmd, "cbc %s solve solu %s >/dev/null 2>&1", lpfile, solfile);
    int rc = system(cmd);
    f = fopen(solfile, "r");
    if (rc != 0 || !f) {
        free(rs);
        return -1;
    }
    char line[512];
    *seated = 0;
    *km = 0;
    if (!fgets(line, sizeof line, f) || strncmp(line, "Optimal", 7) != 0)
        rc = -1;
    while (fgets(line, sizeof line, f)) {
        size_t idx;
        double val;
        if (sscanf(line, " %*d x%zu %lf", &idx, &val) == 2 && val > 0.5 && idx < nr) {
            *seated += rs[idx].k;
            *km += rs[idx].len;
        }
    }
    fclose(f);
    unlink(lp), unlink(lpfile), unlink(solfile);
    free(rs);
    return rc;
}

static int run_exact(int runs)
{
    size_t n = 40, nd = 12;
    pl_carpool_participant p[40];
    pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
    o.max_detour_pct = 30;
    o.max_detour_minutes = PL_CARPOOL_UNLIMITED;
    int same = 0, worse_seats = 0;
    double worst_gap = 0, tmax = 0;
    for (int r = 1; r <= runs; r++) {
        bench_instance_make(p, n, nd, 40.0, &VENUE, (uint64_t)r);
        pl_carpool_problem pb = {p, n, VENUE, 600, NULL, 0, PL_CARPOOL_OUTBOUND, 0, NULL, NULL, 0};
        pl_carpool_result *res = NULL;
        double t0 = now_s();
        if (pl_carpool_plan(&res, &pb, &o, NULL) < 0)
            return 1;
        double t = now_s() - t0;
        tmax = t > tmax ? t : tmax;
        double km, xkm;
        long seated = verify(p, n, res, &o, &km), xs;
        if (seated < 0) {
            printf("seed %d: INVALID PLAN\n", r);
            return 1;
        }
        if (exact(p, n, &o, &xs, &xkm) < 0) {
            printf("seed %d: cbc failed (is coinor-cbc installed?)\n", r);
            return 1;
        }
        double gap = (km - xkm) / xkm * 100;
        if (seated == xs && gap < 1e-6)
            same++;
        else if (seated < xs)
            worse_seats++;
        if (seated == xs && gap > worst_gap)
            worst_gap = gap;
        printf("seed %2d: engine %ld seated %.3f km | exact %ld seated %.3f km%s\n", r, seated, km,
               xs, xkm, seated == xs && gap < 1e-6 ? "" : "  <-- differs");
        pl_carpool_result_free(res);
    }
    printf("exact optimum reached: %d/%d (fewer seated: %d, worst km gap %.3f %%), slowest "
           "%.4f s\n",
           same, runs, worse_seats, worst_gap, tmax);
    return 0;
}

static int run_scale(size_t n, size_t nd, double radius, double alpha, int seeds, int bound)
{
    pl_carpool_participant *p = malloc(n * sizeof *p);
    pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
    o.max_detour_pct = alpha;
    o.max_detour_minutes = PL_CARPOOL_UNLIMITED;
    for (int r = 1; r <= seeds; r++) {
        bench_instance_make(p, n, nd, radius, &VENUE, (uint64_t)r);
        pl_carpool_problem pb = {p, n, VENUE, 600, NULL, 0, PL_CARPOOL_OUTBOUND, 0, NULL, NULL, 0};
        pl_carpool_result *res = NULL;
        double t0 = now_s(), c0 = cpu_s();
        if (pl_carpool_plan(&res, &pb, &o, NULL) < 0)
            return 1;
        double t = now_s() - t0, cpu = cpu_s() - c0;
        long rss = maxrss_kb(); /* before the bound's own memory */
        double km;
        long seated = verify(p, n, res, &o, &km);
        long ub = bound ? upper_bound(p, n, &o) : -1;
        printf("n=%zu drivers=%zu R=%.0fkm alpha=%.0f%% seed=%d: %.3f s (cpu %.3f s), riders "
               "seated %ld / %zu",
               n, nd, radius, alpha, r, t, cpu, seated, n - nd);
        if (ub > 0)
            printf(", upper bound %ld (%.2f %%)", ub, 100.0 * (double)seated / (double)ub);
        printf(", vehicle-km %.0f, avoided %.0f km, CO2 avoided %.0f kg, iterations %lu, "
               "peak RSS %.1f MB%s\n",
               km, res->totals.vehicle_km_avoided, res->totals.co2_avoided_kg, res->iterations,
               (double)rss / 1024.0, seated < 0 ? "  INVALID PLAN" : "");
        pl_carpool_result_free(res);
        if (seated < 0)
            return 1;
    }
    free(p);
    return 0;
}

/* Riders without a seat, by reason, as "no_driver 3, no_seat 1". */
static void print_reasons(const pl_carpool_result *res)
{
    size_t count[16] = {0};
    for (size_t u = 0; u < res->nunassigned; u++)
        if ((int)res->unassigned[u].reason < 16)
            count[res->unassigned[u].reason]++;
    printf("unseated:");
    for (int r = 1; r < 16; r++)
        if (count[r])
            printf(" %zu %s;", count[r], pl_carpool_reason_text((pl_carpool_reason)r));
    if (!res->nunassigned)
        printf(" none");
    printf("\n");
}

static int run_clustered(size_t n, int seeds, size_t ncommunes, double radius, double alpha,
                         int bound)
{
    pl_carpool_participant *p = malloc(n * sizeof *p);
    pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
    size_t nd = n * 3 / 10;
    o.max_detour_pct = alpha;
    o.max_detour_minutes = PL_CARPOOL_UNLIMITED;
    for (int r = 1; r <= seeds; r++) {
        size_t nc = bench_instance_clustered(p, n, nd, radius, ncommunes, &VENUE, (uint64_t)r);
        pl_carpool_problem pb = {p, n, VENUE, 600, NULL, 0, PL_CARPOOL_OUTBOUND, 0, NULL, NULL, 0};
        pl_carpool_result *res = NULL;
        double t0 = now_s(), c0 = cpu_s();
        if (pl_carpool_plan(&res, &pb, &o, NULL) < 0)
            return 1;
        double t = now_s() - t0, cpu = cpu_s() - c0;
        long rss = maxrss_kb();
        double km;
        long seated = verify(p, n, res, &o, &km);
        long ub = bound ? upper_bound(p, n, &o) : -1;
        printf("clustered n=%zu communes=%zu drivers=%zu R=%.0fkm alpha=%.0f%% seed=%d: %.3f s "
               "(cpu %.3f s), riders seated %ld / %zu",
               n, nc, nd, radius, alpha, r, t, cpu, seated, n - nd);
        if (ub >= 0)
            printf(", upper bound %ld (%.2f %%)", ub,
                   ub ? 100.0 * (double)seated / (double)ub : 100.0);
        printf(", vehicle-km %.0f, iterations %lu, peak RSS %.1f MB%s\n", km, res->iterations,
               (double)rss / 1024.0, seated < 0 ? "  INVALID PLAN" : "");
        print_reasons(res);
        pl_carpool_result_free(res);
        if (seated < 0)
            return 1;
    }
    free(p);
    return 0;
}

static int run_gen(size_t n, size_t nd, double radius, uint64_t seed)
{
    pl_carpool_participant *p = malloc(n * sizeof *p);
    bench_instance_make(p, n, nd, radius, &VENUE, seed);
    printf("id,lat,lon,role,seats\n");
    printf("venue,%.6f,%.6f,,\n", VENUE.lat, VENUE.lon);
    for (size_t i = 0; i < n; i++)
        printf("%ld,%.6f,%.6f,%s,%d\n", p[i].id, p[i].origin.lat, p[i].origin.lon,
               p[i].role == PL_CARPOOL_ROLE_DRIVE ? "drive" : "ride", p[i].seats);
    free(p);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "exact") == 0)
        return run_exact(argc > 2 ? atoi(argv[2]) : 20);
    if (argc >= 6 && strcmp(argv[1], "scale") == 0)
        return run_scale((size_t)atol(argv[2]), (size_t)atol(argv[3]), atof(argv[4]), atof(argv[5]),
                         argc > 6 ? atoi(argv[6]) : 1, argc > 7 ? atoi(argv[7]) : 1);
    if (argc >= 3 && strcmp(argv[1], "clustered") == 0)
        return run_clustered((size_t)atol(argv[2]), argc > 3 ? atoi(argv[3]) : 1,
                             argc > 4 ? (size_t)atol(argv[4]) : 40, argc > 5 ? atof(argv[5]) : 80.0,
                             argc > 6 ? atof(argv[6]) : 20.0, argc > 7 ? atoi(argv[7]) : 1);
    if (argc >= 6 && strcmp(argv[1], "gen") == 0)
        return run_gen((size_t)atol(argv[2]), (size_t)atol(argv[3]), atof(argv[4]),
                       (uint64_t)atoll(argv[5]));
    fprintf(stderr,
            "usage: bench_carpool exact [RUNS]\n"
            "       bench_carpool scale N DRIVERS RADIUS_KM ALPHA [SEEDS] [BOUND 0|1]\n"
            "       bench_carpool clustered N [SEEDS [COMMUNES [RADIUS_KM [ALPHA [BOUND]]]]]\n"
            "       bench_carpool gen N DRIVERS RADIUS_KM SEED\n");
    return 2;
}
