/*
 * libFuzzer target for pl_alloc_solve (PLANNER_FUZZ=ON with clang, see
 * tests/CMakeLists.txt); its corpus is replayed by ctest with any compiler:
 *   build-fuzz/tests/fuzz_allocate tests/fuzz/corpus/allocate -max_total_time=60
 * The bytes make a small instance (up to 8 people, 4 workshops, any
 * rankings, repeated entries, people holding a workshop); the result must be
 * an allocation within capacities, and as good as exhaustive search finds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "allocate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct score {
    size_t placed, below;
    long long total;
} score;

static int better(score a, score b)
{
    if (a.placed != b.placed)
        return a.placed > b.placed;
    if (a.below != b.below)
        return a.below < b.below;
    return a.total < b.total;
}

/* Cleaned rankings (repeats dropped), as the solver reads them. */
static int list[8][8], len[8];

static void search(size_t n, const int *cap, size_t i, int *load, score cur, score *best)
{
    if (i == n) {
        if (better(cur, *best))
            *best = cur;
        return;
    }
    search(n, cap, i + 1, load, cur, best);
    for (int k = 0; k < len[i]; k++) {
        int w = list[i][k];
        if (cap[w] != PL_ALLOC_UNLIMITED && load[w] >= cap[w])
            continue;
        load[w]++;
        search(n, cap, i + 1, load, (score){cur.placed + 1, cur.below + (k > 0), cur.total + k + 1},
               best);
        load[w]--;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos = 0, n, nw, k = 0;
    int cap[4], ranked[64], fixed[8], load[4] = {0}, any_fixed = 0;
    size_t start[9];
    pl_alloc_result *r = NULL;
    pl_error err;
    score best = {0, 0, 0};

#define NEXT() (pos < size ? data[pos++] : 0)
    nw = 1 + NEXT() % 4;
    n = NEXT() % 9;
    for (size_t w = 0; w < nw; w++) {
        uint8_t c = NEXT();
        cap[w] = c == 255 ? PL_ALLOC_UNLIMITED : c % 4;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t head = NEXT();
        size_t l = head % 7;
        start[i] = k;
        len[i] = 0;
        for (size_t j = 0; j < l; j++) {
            int w = NEXT() % (int)nw, seen = 0;
            ranked[k++] = w;
            for (int m = 0; m < len[i]; m++)
                seen |= list[i][m] == w;
            if (!seen)
                list[i][len[i]++] = w;
        }
        fixed[i] = (head & 0x80) && len[i] ? list[i][0] : -1;
        any_fixed |= fixed[i] >= 0;
    }
    start[n] = k;
#undef NEXT

    pl_alloc_problem p = {n, nw, cap, start, ranked, any_fixed ? fixed : NULL};
    if (pl_alloc_solve(&r, &p, &err) != 0)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (fixed[i] >= 0 && any_fixed && r->workshop[i] != fixed[i])
            abort();
        if (r->workshop[i] < 0) {
            if (r->rank[i] != 0 || r->reason[i] == PL_ALLOC_PLACED)
                abort();
            if ((r->reason[i] == PL_ALLOC_NO_CHOICE) != (len[i] == 0))
                abort();
            continue;
        }
        load[r->workshop[i]]++;
        if (fixed[i] < 0 && list[i][r->rank[i] - 1] != r->workshop[i])
            abort();
    }
    if (!any_fixed) {
        for (size_t w = 0; w < nw; w++)
            if (cap[w] != PL_ALLOC_UNLIMITED && load[w] > cap[w])
                abort();
        memset(load, 0, sizeof(load));
        search(n, cap, 0, load, best, &best);
        if (r->placed != best.placed || r->below_first != best.below || r->total_rank != best.total)
            abort();
    }
    pl_alloc_result_free(r);
    return 0;
}
