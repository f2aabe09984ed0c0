/*
 * test_allocate.c - workshop allocation on hand-made cases whose optimum is
 * known, and against exhaustive search on thousands of small random ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "allocate.h"

/* Rankings written as strings: "01" is workshop 0 then 1; "" ranks nothing. */
typedef struct instance {
    size_t n, nw;
    int capacity[8];
    size_t start[64];
    int ranked[512];
    int fixed[64];
    int has_fixed;
} instance;

static void build(instance *in, size_t nw, const int *cap, const char *const *ranks, size_t n)
{
    size_t k = 0;
    memset(in, 0, sizeof(*in));
    in->n = n;
    in->nw = nw;
    memcpy(in->capacity, cap, nw * sizeof(int));
    for (size_t i = 0; i < n; i++) {
        in->start[i] = k;
        for (const char *c = ranks[i]; *c; c++)
            in->ranked[k++] = *c - '0';
        in->fixed[i] = -1;
    }
    in->start[n] = k;
}

static pl_alloc_result *solve(const instance *in)
{
    pl_alloc_problem p = {in->n,     in->nw,     in->capacity,
                          in->start, in->ranked, in->has_fixed ? in->fixed : NULL};
    pl_alloc_result *r = NULL;
    pl_error err;
    assert_int_equal(pl_alloc_solve(&r, &p, &err), 0);
    assert_non_null(r);
    return r;
}

static void test_everyone_first_choice(void **state)
{
    static const char *const ranks[] = {"012", "102", "210"};
    int cap[] = {1, 1, 1};
    instance in;
    pl_alloc_result *r;
    (void)state;
    build(&in, 3, cap, ranks, 3);
    r = solve(&in);
    assert_int_equal(r->placed, 3);
    assert_int_equal(r->below_first, 0);
    assert_int_equal(r->workshop[0], 0);
    assert_int_equal(r->workshop[1], 1);
    assert_int_equal(r->workshop[2], 2);
    pl_alloc_result_free(r);
}

/* Two want workshop 0 (one place). Greedy in arrival order would give it to
 * person 0 and leave person 1, who ranked only 0, out; the optimum moves
 * person 0 to their second choice and places everyone. */
static void test_most_placed_first(void **state)
{
    static const char *const ranks[] = {"01", "0"};
    int cap[] = {1, 1};
    instance in;
    pl_alloc_result *r;
    (void)state;
    build(&in, 2, cap, ranks, 2);
    r = solve(&in);
    assert_int_equal(r->placed, 2);
    assert_int_equal(r->workshop[0], 1);
    assert_int_equal(r->rank[0], 2);
    assert_int_equal(r->workshop[1], 0);
    assert_int_equal(r->by_rank[1], 1);
    assert_int_equal(r->by_rank[2], 1);
    pl_alloc_result_free(r);
}

/* Everyone placed, and only one person below their first choice: A goes to
 * their third choice so that B and C get their first (the other full
 * placement, A 3rd, B 2nd, C 2nd, has three below first). */
static void test_fewest_below_first(void **state)
{
    static const char *const ranks[] = {"012", "01", "10"};
    int cap[] = {1, 1, 1};
    instance in;
    pl_alloc_result *r;
    (void)state;
    build(&in, 3, cap, ranks, 3);
    r = solve(&in);
    assert_int_equal(r->placed, 3);
    assert_int_equal(r->below_first, 1);
    assert_int_equal(r->workshop[0], 2); /* A at 3rd so that B and C get their 1st */
    assert_int_equal(r->workshop[1], 0);
    assert_int_equal(r->workshop[2], 1);
    assert_int_equal(r->total_rank, 5);
    pl_alloc_result_free(r);
}

static void test_identical_rankings_arrival_order(void **state)
{
    static const char *const ranks[] = {"01", "01", "01", "01"};
    int cap[] = {2, 1};
    instance in;
    pl_alloc_result *r;
    (void)state;
    build(&in, 2, cap, ranks, 4);
    r = solve(&in);
    assert_int_equal(r->placed, 3);
    assert_int_equal(r->workshop[0], 0);
    assert_int_equal(r->workshop[1], 0);
    assert_int_equal(r->workshop[2], 1);
    assert_int_equal(r->workshop[3], -1);
    assert_int_equal(r->reason[3], PL_ALLOC_FULL);
    pl_alloc_result_free(r);
}

static void test_no_choice_unlimited_and_duplicates(void **state)
{
    static const char *const ranks[] = {"", "00", "1"};
    int cap[] = {0, PL_ALLOC_UNLIMITED};
    instance in;
    pl_alloc_result *r;
    (void)state;
    build(&in, 2, cap, ranks, 3);
    r = solve(&in);
    assert_int_equal(r->reason[0], PL_ALLOC_NO_CHOICE);
    assert_int_equal(r->reason[1], PL_ALLOC_FULL);
    assert_int_equal(r->workshop[2], 1);
    assert_int_equal(r->placed, 1);
    pl_alloc_result_free(r);
}

/* Someone already told their workshop keeps it, even if a better overall
 * allocation would move them. */
static void test_fixed_kept(void **state)
{
    static const char *const ranks[] = {"01", "0"};
    int cap[] = {1, 1};
    instance in;
    pl_alloc_result *r;
    (void)state;
    build(&in, 2, cap, ranks, 2);
    in.has_fixed = 1;
    in.fixed[0] = 0;
    r = solve(&in);
    assert_int_equal(r->workshop[0], 0);
    assert_int_equal(r->workshop[1], -1);
    assert_int_equal(r->reason[1], PL_ALLOC_FULL);
    pl_alloc_result_free(r);
}

static void test_invalid(void **state)
{
    static const char *const ranks[] = {"05"};
    int cap[] = {1, 1};
    instance in;
    pl_alloc_result *r = (pl_alloc_result *)&in;
    pl_error err;
    pl_alloc_problem p;
    (void)state;
    build(&in, 2, cap, ranks, 1);
    p = (pl_alloc_problem){in.n, in.nw, in.capacity, in.start, in.ranked, NULL};
    assert_int_equal(pl_alloc_solve(&r, &p, &err), PL_EINVALID);
    assert_null(r);
    assert_non_null(strstr(err.msg, "workshop 5"));
    in.ranked[1] = 1;
    in.capacity[1] = -7;
    assert_int_equal(pl_alloc_solve(&r, &p, &err), PL_EINVALID);
}

/* ---- exhaustive search on small random instances ---- */

static uint64_t rng;
static unsigned next_rand(unsigned bound)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % bound);
}

typedef struct score {
    size_t placed, below;
    long long total;
} score;

/* a better than b in the objective's order */
static int better(score a, score b)
{
    if (a.placed != b.placed)
        return a.placed > b.placed;
    if (a.below != b.below)
        return a.below < b.below;
    return a.total < b.total;
}

static void search(const instance *in, size_t i, int *load, score cur, score *best)
{
    if (i == in->n) {
        if (better(cur, *best))
            *best = cur;
        return;
    }
    search(in, i + 1, load, cur, best); /* person i unplaced */
    for (size_t k = in->start[i]; k < in->start[i + 1]; k++) {
        int w = in->ranked[k], r = (int)(k - in->start[i]) + 1, dup = 0;
        for (size_t j = in->start[i]; j < k; j++)
            dup |= in->ranked[j] == w;
        if (dup || (in->capacity[w] != PL_ALLOC_UNLIMITED && load[w] >= in->capacity[w]))
            continue;
        load[w]++;
        search(in, i + 1, load, (score){cur.placed + 1, cur.below + (r > 1), cur.total + r}, best);
        load[w]--;
    }
}

static void test_matches_exhaustive_search(void **state)
{
    (void)state;
    rng = 0x9E3779B97F4A7C15ULL;
    for (int trial = 0; trial < 3000; trial++) {
        instance in;
        int load[8] = {0};
        score best = {0, 0, 0};
        pl_alloc_result *r;
        size_t k = 0;

        memset(&in, 0, sizeof(in));
        in.nw = 1 + next_rand(4);
        in.n = 1 + next_rand(7);
        for (size_t w = 0; w < in.nw; w++)
            in.capacity[w] = next_rand(6) == 0 ? PL_ALLOC_UNLIMITED : (int)next_rand(3);
        for (size_t i = 0; i < in.n; i++) {
            size_t len = next_rand((unsigned)in.nw + 1);
            in.start[i] = k;
            int perm[8];
            for (size_t w = 0; w < in.nw; w++)
                perm[w] = (int)w;
            for (size_t j = 0; j < len; j++) { /* a random ranking: no workshop twice */
                size_t pick = j + next_rand((unsigned)(in.nw - j));
                int t = perm[j];
                perm[j] = perm[pick];
                perm[pick] = t;
                in.ranked[k++] = perm[j];
            }
            in.fixed[i] = -1;
        }
        in.start[in.n] = k;
        search(&in, 0, load, best, &best);
        r = solve(&in);
        assert_int_equal(r->placed, best.placed);
        assert_int_equal(r->below_first, best.below);
        assert_int_equal(r->total_rank, best.total);
        /* The result is an allocation: within capacities, ranks consistent. */
        memset(load, 0, sizeof(load));
        for (size_t i = 0; i < in.n; i++) {
            if (r->workshop[i] < 0) {
                assert_int_equal(r->rank[i], 0);
                assert_true(r->reason[i] != PL_ALLOC_PLACED);
                continue;
            }
            load[r->workshop[i]]++;
            assert_true(r->rank[i] >= 1);
            assert_int_equal(in.ranked[in.start[i] + (size_t)r->rank[i] - 1], r->workshop[i]);
        }
        for (size_t w = 0; w < in.nw; w++)
            if (in.capacity[w] != PL_ALLOC_UNLIMITED)
                assert_true(load[w] <= in.capacity[w]);
        pl_alloc_result_free(r);
    }
}

/* Same input, same output; identical rankings keep arrival order. */
static void test_deterministic_and_fair(void **state)
{
    (void)state;
    rng = 12345;
    for (int trial = 0; trial < 200; trial++) {
        instance in;
        size_t k = 0;
        pl_alloc_result *a, *b;
        static const char *const tastes[] = {"0123", "1023", "0", "32", "2301"};

        memset(&in, 0, sizeof(in));
        in.nw = 4;
        in.n = 10 + next_rand(50);
        for (size_t w = 0; w < in.nw; w++)
            in.capacity[w] = (int)next_rand(12);
        for (size_t i = 0; i < in.n; i++) {
            in.start[i] = k;
            for (const char *c = tastes[next_rand(5)]; *c; c++)
                in.ranked[k++] = *c - '0';
            in.fixed[i] = -1;
        }
        in.start[in.n] = k;
        a = solve(&in);
        b = solve(&in);
        assert_memory_equal(a->workshop, b->workshop, in.n * sizeof(int));
        for (size_t i = 0; i < in.n; i++)
            for (size_t j = i + 1; j < in.n; j++) {
                size_t li = in.start[i + 1] - in.start[i], lj = in.start[j + 1] - in.start[j];
                int ri = a->rank[i] ? a->rank[i] : 99, rj = a->rank[j] ? a->rank[j] : 99;
                if (li == lj &&
                    !memcmp(&in.ranked[in.start[i]], &in.ranked[in.start[j]], li * sizeof(int)))
                    assert_true(ri <= rj);
            }
        pl_alloc_result_free(a);
        pl_alloc_result_free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_everyone_first_choice),
        cmocka_unit_test(test_most_placed_first),
        cmocka_unit_test(test_fewest_below_first),
        cmocka_unit_test(test_identical_rankings_arrival_order),
        cmocka_unit_test(test_no_choice_unlimited_and_duplicates),
        cmocka_unit_test(test_fixed_kept),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_matches_exhaustive_search),
        cmocka_unit_test(test_deterministic_and_fair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
