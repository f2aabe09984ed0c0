/*
 * allocate.h - placing people in parallel workshops by their ranked choices.
 *
 * A pure function over arrays, like the carpool engine: people with their
 * ranked workshops and the workshops' capacities go in, one workshop (or none)
 * per person comes out. No database, no I/O, no global state, so it can be
 * tested, fuzzed and benchmarked alone. One call is one time slot: the
 * workshops that run in parallel at that time; the caller loops over slots.
 *
 * Objective, in this order (lexicographic):
 *   1. place the most people;
 *   2. among those, place the fewest people below their first choice;
 *   3. among those, the least total rank (1 for a first choice, 2 for a
 *      second...).
 * Ties are broken deterministically: among people who ranked the same
 * workshops in the same order, the earlier one (smaller index: arrival order)
 * gets the better or equal rank. Same input, same result.
 *
 * The method: a min-cost max-flow (successive shortest paths with Dijkstra
 * and potentials) from a source through "profiles" (people who ranked the
 * same list, merged, with their count as capacity) to the workshops and a
 * sink. Successive shortest paths give, for the largest flow, the least cost
 * among flows of that size, which is objectives 1 and then the cost. The cost
 * of placing someone at rank r is r, plus a weight larger than any possible
 * sum of ranks when r > 1: objective 2 comes before 3. Merging identical
 * rankings keeps the graph small (a few hundred profiles for thousands of
 * people with skewed tastes), which is what makes 10,000 people a matter of
 * milliseconds.
 */
#ifndef PL_ALLOCATE_H
#define PL_ALLOCATE_H

#include <stddef.h>

#include "error.h"

/* Capacity of a workshop without a limit. */
#define PL_ALLOC_UNLIMITED (-1)

typedef struct pl_alloc_problem {
    size_t npeople;
    size_t nworkshops;
    /* Per workshop: places, >= 0, or PL_ALLOC_UNLIMITED. */
    const int *capacity;
    /* Person i ranked ranked[rank_start[i]] (first choice) ...
     * ranked[rank_start[i + 1] - 1] (last); rank_start has npeople + 1
     * entries. Entries are workshop indices; a workshop listed again later
     * in the same ranking is ignored (the entries after it move up a rank). A person who ranked
     * nothing is left unplaced (PL_ALLOC_NO_CHOICE). */
    const size_t *rank_start;
    const int *ranked;
    /* Optional (NULL: none). Per person: a workshop they already hold and
     * must keep (they were told), or -1. Such a person is placed there first,
     * whatever their ranking, even beyond its capacity; the others share what
     * is left. */
    const int *fixed;
} pl_alloc_problem;

/* Why a person is left unplaced. */
typedef enum pl_alloc_reason {
    PL_ALLOC_PLACED = 0,
    PL_ALLOC_NO_CHOICE, /* ranked no workshop of this slot */
    PL_ALLOC_FULL       /* every workshop they ranked is full */
} pl_alloc_reason;

typedef struct pl_alloc_result {
    size_t npeople;
    int *workshop;           /* per person: workshop index, or -1 */
    int *rank;               /* per person: 1-based rank placed at, 0 if not */
    pl_alloc_reason *reason; /* per person */
    size_t placed;           /* people placed */
    size_t below_first;      /* placed people not at their first choice */
    long long total_rank;    /* sum of rank over placed people */
    size_t max_rank;         /* length of by_rank minus one */
    size_t *by_rank;         /* by_rank[r]: people placed at rank r (r >= 1) */
} pl_alloc_result;

/*
 * Solve one slot. On success *out holds the result, owned by the caller and
 * freed with pl_alloc_result_free. Returns 0, PL_EINVALID (an index out of
 * range, a negative capacity other than PL_ALLOC_UNLIMITED, rank_start not
 * increasing) or PL_ENOMEM; on failure *out is NULL.
 */
int pl_alloc_solve(pl_alloc_result **out, const pl_alloc_problem *problem, pl_error *err);

/* Free a result (NULL allowed). */
void pl_alloc_result_free(pl_alloc_result *result);

#endif
