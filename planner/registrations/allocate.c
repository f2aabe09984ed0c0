/*
 * allocate.c - ranked choices to workshops: min-cost max-flow over profiles.
 * The problem and the objective are stated in allocate.h.
 */
#include "allocate.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct edge {
    int to;
    int next;      /* next edge out of the same node, -1 at the end */
    long long cap; /* residual capacity */
    long long cost;
} edge;

typedef struct graph {
    int nnodes;
    int *head; /* first edge out of each node, -1 when none */
    edge *edges;
    int nedges;
    int maxedges;
} graph;

typedef struct heap_item {
    long long dist;
    int node;
} heap_item;

/* A person's ranking, cleaned: valid workshop indices, each once, in order. */
typedef struct person {
    size_t index;
    const int *list;
    int len;
} person;

static int add_edge(graph *g, int from, int to, long long cap, long long cost)
{
    edge *e;

    if (g->nedges + 2 > g->maxedges)
        return -1;
    e = &g->edges[g->nedges];
    e->to = to;
    e->cap = cap;
    e->cost = cost;
    e->next = g->head[from];
    g->head[from] = g->nedges++;
    e = &g->edges[g->nedges];
    e->to = from;
    e->cap = 0;
    e->cost = -cost;
    e->next = g->head[to];
    g->head[to] = g->nedges++;
    return g->nedges - 2;
}

static void heap_push(heap_item *h, size_t *n, heap_item it)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h[parent].dist < it.dist || (h[parent].dist == it.dist && h[parent].node <= it.node))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = it;
}

static heap_item heap_pop(heap_item *h, size_t *n)
{
    heap_item top = h[0], last = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && (h[c + 1].dist < h[c].dist ||
                           (h[c + 1].dist == h[c].dist && h[c + 1].node < h[c].node)))
            c++;
        if (last.dist < h[c].dist || (last.dist == h[c].dist && last.node <= h[c].node))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = last;
    return top;
}

/* Push as much as possible from u toward t along admissible edges (residual,
 * reduced cost 0: on a shortest path), up to f. A node from which nothing
 * could be pushed stays marked for the rest of this search (a dead end);
 * the others are unmarked on the way back, so the search stays linear. */
static long long push_admissible(graph *g, int u, int t, long long f, const long long *pot,
                                 char *mark)
{
    long long pushed = 0;

    if (u == t)
        return f;
    mark[u] = 1;
    for (int e = g->head[u]; e >= 0 && pushed < f; e = g->edges[e].next) {
        edge *ed = &g->edges[e];
        long long got, room;
        if (ed->cap <= 0 || mark[ed->to] || ed->cost + pot[u] - pot[ed->to] != 0)
            continue;
        room = f - pushed < ed->cap ? f - pushed : ed->cap;
        got = push_admissible(g, ed->to, t, room, pot, mark);
        if (got > 0) {
            ed->cap -= got;
            g->edges[e ^ 1].cap += got;
            pushed += got;
        }
    }
    if (pushed > 0)
        mark[u] = 0;
    return pushed;
}

/* Successive shortest paths from s to t (the primal-dual form: after each
 * Dijkstra, every shortest path found is saturated before the next one);
 * potentials keep reduced costs non-negative so that Dijkstra applies (every
 * initial cost is >= 0). */
static int min_cost_max_flow(graph *g, int s, int t)
{
    int n = g->nnodes;
    long long *pot = calloc((size_t)n, sizeof(*pot));
    long long *dist = malloc((size_t)n * sizeof(*dist));
    int *via = malloc((size_t)n * sizeof(*via));
    char *mark = malloc((size_t)n);
    heap_item *heap = malloc(((size_t)g->nedges + 1) * sizeof(*heap));
    int rc = -1;

    if (!pot || !dist || !via || !mark || !heap)
        goto done;
    for (;;) {
        size_t hn = 0;
        long long push;

        for (int v = 0; v < n; v++) {
            dist[v] = LLONG_MAX;
            via[v] = -1;
        }
        dist[s] = 0;
        heap_push(heap, &hn, (heap_item){0, s});
        while (hn) {
            heap_item it = heap_pop(heap, &hn);
            if (it.dist > dist[it.node])
                continue;
            for (int e = g->head[it.node]; e >= 0; e = g->edges[e].next) {
                const edge *ed = &g->edges[e];
                long long nd;
                if (ed->cap <= 0)
                    continue;
                nd = it.dist + ed->cost + pot[it.node] - pot[ed->to];
                if (nd < dist[ed->to]) {
                    dist[ed->to] = nd;
                    via[ed->to] = e;
                    heap_push(heap, &hn, (heap_item){nd, ed->to});
                }
            }
        }
        if (dist[t] == LLONG_MAX)
            break;
        /* Unreachable nodes get the largest distance found: reduced costs
         * of edges into them stay non-negative. */
        for (int v = 0; v < n; v++)
            pot[v] += dist[v] != LLONG_MAX ? dist[v] : dist[t];
        do {
            memset(mark, 0, (size_t)n);
            push = push_admissible(g, s, t, LLONG_MAX, pot, mark);
        } while (push > 0);
    }
    rc = 0;
done:
    free(pot);
    free(dist);
    free(via);
    free(mark);
    free(heap);
    return rc;
}

static int compare_people(const void *a, const void *b)
{
    const person *x = a, *y = b;
    int n = x->len < y->len ? x->len : y->len;

    for (int i = 0; i < n; i++)
        if (x->list[i] != y->list[i])
            return x->list[i] < y->list[i] ? -1 : 1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int same_list(const person *x, const person *y)
{
    return x->len == y->len && memcmp(x->list, y->list, (size_t)x->len * sizeof(int)) == 0;
}

static int validate(const pl_alloc_problem *p, pl_error *err)
{
    if (p->npeople > INT_MAX / 4 || p->nworkshops > INT_MAX / 4)
        return pl_error_set(err, PL_EINVALID, "allocation: too many people or workshops");
    if (p->npeople && (!p->rank_start || (p->rank_start[p->npeople] && !p->ranked)))
        return pl_error_set(err, PL_EINVALID, "allocation: rankings missing");
    if (p->nworkshops && !p->capacity)
        return pl_error_set(err, PL_EINVALID, "allocation: capacities missing");
    for (size_t w = 0; w < p->nworkshops; w++)
        if (p->capacity[w] < 0 && p->capacity[w] != PL_ALLOC_UNLIMITED)
            return pl_error_set(err, PL_EINVALID, "allocation: workshop %zu has capacity %d", w,
                                p->capacity[w]);
    for (size_t i = 0; i < p->npeople; i++) {
        if (p->rank_start[i + 1] < p->rank_start[i])
            return pl_error_set(err, PL_EINVALID, "allocation: rankings of person %zu out of order",
                                i);
        for (size_t k = p->rank_start[i]; k < p->rank_start[i + 1]; k++)
            if (p->ranked[k] < 0 || (size_t)p->ranked[k] >= p->nworkshops)
                return pl_error_set(err, PL_EINVALID,
                                    "allocation: person %zu ranked workshop %d, not in this slot",
                                    i, p->ranked[k]);
        if (p->fixed && p->fixed[i] != -1 &&
            (p->fixed[i] < 0 || (size_t)p->fixed[i] >= p->nworkshops))
            return pl_error_set(err, PL_EINVALID, "allocation: person %zu holds workshop %d", i,
                                p->fixed[i]);
    }
    return 0;
}

void pl_alloc_result_free(pl_alloc_result *r)
{
    if (!r)
        return;
    free(r->workshop);
    free(r->rank);
    free(r->reason);
    free(r->by_rank);
    free(r);
}

/* 1-based rank of workshop w in person i's ranking, repeated entries not
 * counted (allocate.h), 0 when not ranked. */
static int rank_of(const pl_alloc_problem *p, size_t i, int w)
{
    int rank = 0;
    for (size_t k = p->rank_start[i]; k < p->rank_start[i + 1]; k++) {
        int seen = 0;
        for (size_t j = p->rank_start[i]; j < k && !seen; j++)
            seen = p->ranked[j] == p->ranked[k];
        if (seen)
            continue;
        rank++;
        if (p->ranked[k] == w)
            return rank;
    }
    return 0;
}

int pl_alloc_solve(pl_alloc_result **out, const pl_alloc_problem *p, pl_error *err)
{
    size_t n = p->npeople, nw = p->nworkshops, nranked = 0, nprof = 0;
    pl_alloc_result *r = NULL;
    long long *left = NULL; /* places left per workshop after the fixed people */
    int *clean = NULL;      /* the cleaned rankings, back to back */
    person *people = NULL;  /* people to place, grouped by identical ranking */
    size_t *prof_start = NULL;
    int *prof_edge = NULL; /* per profile: index of its first profile->workshop edge */
    graph g = {0};
    long long weight;
    int rc;

    *out = NULL;
    if ((rc = validate(p, err)) < 0)
        return rc;
    r = calloc(1, sizeof(*r));
    if (!r)
        return pl_error_oom(err);
    r->npeople = n;
    r->max_rank = nw;
    r->workshop = malloc((n ? n : 1) * sizeof(*r->workshop));
    r->rank = calloc(n ? n : 1, sizeof(*r->rank));
    r->reason = calloc(n ? n : 1, sizeof(*r->reason));
    r->by_rank = calloc(nw + 1, sizeof(*r->by_rank));
    left = calloc(nw ? nw : 1, sizeof(*left));
    clean = malloc((p->npeople && p->rank_start[n] ? p->rank_start[n] : 1) * sizeof(*clean));
    people = malloc((n ? n : 1) * sizeof(*people));
    if (!r->workshop || !r->rank || !r->reason || !r->by_rank || !left || !clean || !people)
        goto oom;

    for (size_t w = 0; w < nw; w++)
        left[w] = p->capacity[w] == PL_ALLOC_UNLIMITED ? (long long)n : p->capacity[w];
    /* The people who keep what they hold come first. */
    for (size_t i = 0; i < n; i++) {
        r->workshop[i] = -1;
        if (p->fixed && p->fixed[i] >= 0) {
            r->workshop[i] = p->fixed[i];
            r->rank[i] = rank_of(p, i, p->fixed[i]);
            if (left[p->fixed[i]] > 0)
                left[p->fixed[i]]--;
        }
    }
    /* Clean every other ranking: each workshop once, at its best rank. */
    {
        size_t used = 0;
        for (size_t i = 0; i < n; i++) {
            int *list = clean + used;
            int len = 0;
            if (r->workshop[i] >= 0)
                continue;
            for (size_t k = p->rank_start[i]; k < p->rank_start[i + 1]; k++) {
                int dup = 0;
                for (int j = 0; j < len && !dup; j++)
                    dup = list[j] == p->ranked[k];
                if (!dup)
                    list[len++] = p->ranked[k];
            }
            if (len == 0) {
                r->reason[i] = PL_ALLOC_NO_CHOICE;
                continue;
            }
            used += (size_t)len;
            people[nranked++] = (person){i, list, len};
        }
    }
    qsort(people, nranked, sizeof(*people), compare_people);
    prof_start = malloc((nranked + 1) * sizeof(*prof_start));
    if (!prof_start)
        goto oom;
    for (size_t k = 0; k < nranked; k++)
        if (k == 0 || !same_list(&people[k - 1], &people[k]))
            prof_start[nprof++] = k;
    prof_start[nprof] = nranked;

    /* Nodes: source 0, profiles 1..nprof, workshops, sink. A rank above the
     * first costs more than any sum of ranks can: objective 2 before 3. */
    weight = (long long)(nw + 1) * (long long)(n + 1) + 1;
    g.nnodes = (int)(nprof + nw + 2);
    g.head = malloc((size_t)g.nnodes * sizeof(*g.head));
    g.maxedges = 2 * (int)(nprof + nw);
    for (size_t q = 0; q < nprof; q++)
        g.maxedges += 2 * people[prof_start[q]].len;
    g.edges = malloc((size_t)g.maxedges * sizeof(*g.edges));
    prof_edge = malloc((nprof ? nprof : 1) * sizeof(*prof_edge));
    if (!g.head || !g.edges || !prof_edge)
        goto oom;
    for (int v = 0; v < g.nnodes; v++)
        g.head[v] = -1;
    {
        int sink = g.nnodes - 1;
        /* Workshop edges first, so that profiles' edges are listed (and
         * explored) in their own rank order. */
        for (size_t w = 0; w < nw; w++)
            add_edge(&g, (int)(1 + nprof + w), sink, left[w], 0);
        for (size_t q = 0; q < nprof; q++) {
            const person *first = &people[prof_start[q]];
            long long count = (long long)(prof_start[q + 1] - prof_start[q]);
            add_edge(&g, 0, (int)(1 + q), count, 0);
            /* Added last rank first: head insertion lists them first rank first. */
            for (int k = first->len - 1; k >= 0; k--) {
                long long cost = (long long)(k + 1) + (k > 0 ? weight : 0);
                prof_edge[q] = add_edge(&g, (int)(1 + q), (int)(1 + nprof + (size_t)first->list[k]),
                                        count, cost);
            }
        }
        if (min_cost_max_flow(&g, 0, sink) < 0)
            goto oom;
    }

    /* Hand out each profile's flow in arrival order: earlier people first to
     * the better ranks. prof_edge[q] is the first-choice edge; the profile's
     * other edges were added before it, every second entry, last rank first. */
    for (size_t q = 0; q < nprof; q++) {
        const person *first = &people[prof_start[q]];
        size_t next = prof_start[q];
        for (int k = 0; k < first->len; k++) {
            int e = prof_edge[q] - 2 * k;
            long long flow = g.edges[e ^ 1].cap;
            for (; flow > 0; flow--, next++) {
                size_t i = people[next].index;
                r->workshop[i] = first->list[k];
                r->rank[i] = k + 1;
            }
        }
        for (; next < prof_start[q + 1]; next++)
            r->reason[people[next].index] = PL_ALLOC_FULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (r->workshop[i] < 0)
            continue;
        r->reason[i] = PL_ALLOC_PLACED;
        r->placed++;
        if (r->rank[i] > 0) {
            r->by_rank[r->rank[i]]++;
            r->total_rank += r->rank[i];
            if (r->rank[i] > 1)
                r->below_first++;
        }
    }
    *out = r;
    r = NULL;
    rc = 0;
    goto done;
oom:
    rc = pl_error_oom(err);
done:
    pl_alloc_result_free(r);
    free(left);
    free(clean);
    free(people);
    free(prof_start);
    free(prof_edge);
    free(g.head);
    free(g.edges);
    return rc;
}
