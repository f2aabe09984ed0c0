/*
 * carpool_candidates.c - candidate drivers per passenger, from a polar index
 * of the drivers around the venue. See carpool_solver.h.
 */
#include "carpool_solver.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct hent {
    double det;
    double dop;
    uint32_t d;    /* the site's first driver */
    uint32_t site; /* drivers at d's point */
} hent;

static int hent_less(const hent *a, const hent *b)
{
    return a->det < b->det || (a->det == b->det && a->d < b->d);
}

/* Bounded max-heap push: keep the K best (smallest detour) entries. */
static void hent_push(hent *h, int *cnt, int cap, hent e)
{
    int i;
    if (*cnt < cap) {
        i = (*cnt)++;
        while (i > 0 && hent_less(&h[(i - 1) / 2], &e)) {
            h[i] = h[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        h[i] = e;
        return;
    }
    if (!hent_less(&e, &h[0]))
        return;
    i = 0;
    for (;;) {
        int l = 2 * i + 1, r = l + 1, top = -1;
        const hent *big = &e;
        if (l < *cnt && hent_less(big, &h[l])) {
            top = l;
            big = &h[l];
        }
        if (r < *cnt && hent_less(big, &h[r]))
            top = r;
        if (top < 0)
            break;
        h[i] = h[top];
        i = top;
    }
    h[i] = e;
}

static int hent_cmp(const void *a, const void *b)
{
    const hent *x = a, *y = b;
    return hent_less(x, y) ? -1 : (hent_less(y, x) ? 1 : 0);
}

/*
 * The driver index. Drivers are placed by polar coordinates around the
 * venue (great-circle km r, bearing a), cut into sectors of equal count by
 * bearing and, inside a sector, into chunks by r, farthest first. On the
 * sphere, the detour g(d, p) + g(p, v) - g(d, v) of a driver d for a
 * passenger p grows with the angle at the venue between them and never
 * grows with r (moving d away from the venue by x lengthens g(d, p) by at
 * most x), so the least detour over a chunk is reached at its largest r and
 * the smallest angle: an exact lower bound, by the law of haversines. Along
 * a sector the chunks' bounds only grow, so each sector is a sorted stream
 * and the streams are merged best first: the search stops when the next
 * bound exceeds the K-th best detour found, or the largest detour the
 * remaining drivers may make.
 */
#define SECTOR_DRIVERS 128 /* drivers per sector (about) */
#define CHUNK_DRIVERS 8

typedef struct chunk {
    double rmax;       /* great-circle km from the venue, farthest member */
    double sin_rmax;   /* sin(rmax / EARTH_KM) */
    double amin, amax; /* bearings of the members */
    double reach;      /* largest detour allowed to a member of this chunk or
                          of a nearer one in the sector */
    size_t first;      /* members: ord[first .. first + count) */
    size_t count;
} chunk;

typedef struct sector {
    double amin, amax;
    size_t first; /* chunks [first, first + count) */
    size_t count;
} sector;

typedef struct stream {
    double key;
    size_t sec;
    size_t ch;
} stream;

typedef struct keyed {
    double key;
    uint32_t d;
    uint32_t site;
} keyed;

/* A participant's point, to group those at the same one. */
typedef struct located {
    double lat, lon;
    uint32_t i;
} located;

static int located_cmp(const void *a, const void *b)
{
    const located *x = a, *y = b;
    if (x->lat != y->lat)
        return x->lat < y->lat ? -1 : 1;
    if (x->lon != y->lon)
        return x->lon < y->lon ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int same_point(const located *a, const located *b)
{
    return a->lat == b->lat && a->lon == b->lon;
}

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->d < y->d ? -1 : x->d > y->d;
}

/* sin^2 of half the angle between bearing a and the interval [lo, hi]. */
static double hav_gap(double a, double lo, double hi)
{
    if (a >= lo && a <= hi)
        return 0.0;
    double g1 = fabs(a - lo), g2 = fabs(a - hi);
    if (g1 > PI)
        g1 = 2 * PI - g1;
    if (g2 > PI)
        g2 = 2 * PI - g2;
    double h = sin((g1 < g2 ? g1 : g2) / 2.0);
    return h * h;
}

/* Least great-circle detour of a driver at r km from the venue for a
 * passenger at rho km, the angle between them at the venue having
 * haversine hav_da (law of haversines). */
static double detour_lb(double r, double sin_r, double rho, double sin_rho, double hav_da)
{
    double h = sin((r - rho) / (2.0 * EARTH_KM));
    h = h * h + sin_r * sin_rho * hav_da;
    if (h > 1.0)
        h = 1.0;
    return 2.0 * EARTH_KM * asin(sqrt(h)) + rho - r;
}

static void stream_push(stream *h, size_t *n, stream e)
{
    size_t i = (*n)++;
    while (i > 0 && (h[(i - 1) / 2].key > e.key ||
                     (h[(i - 1) / 2].key == e.key && h[(i - 1) / 2].sec > e.sec))) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = e;
}

static stream stream_pop(stream *h, size_t *n)
{
    stream top = h[0], e = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const stream *best = &e;
        if (l < *n && (h[l].key < best->key || (h[l].key == best->key && h[l].sec < best->sec))) {
            m = l;
            best = &h[l];
        }
        if (r < *n && (h[r].key < best->key || (h[r].key == best->key && h[r].sec < best->sec)))
            m = r;
        if (m == i)
            break;
        h[i] = h[m];
        i = m;
    }
    if (*n > 0)
        h[i] = e;
    return top;
}

/*
 * Sites. Drivers at exactly the same point (everyone whose origin is a
 * commune's centre) have the same direct trip, the same detour limit and the
 * same detour for any passenger: the index holds one entry per site, and a
 * passenger's candidate list takes a few drivers from each of the nearest
 * sites instead of the first K of the nearest one. Which few is rotated by
 * the passenger's rank among the passengers at its own point, so that
 * together they cover every driver of a site. With one driver per site (no
 * two drivers at one point) the lists are what they were without sites.
 */
#define SITE_SHARE 8 /* a site gets at least K / SITE_SHARE slots of a list */

struct dindex {
    uint32_t *ord;   /* the first driver of each site */
    uint32_t *osite; /* site of ord[i] */
    chunk *chunks;
    sector *sectors;
    size_t nsec;
    double mul, add; /* key = lower bound / mul - add (slack for a custom metric) */
    size_t nsites;
    size_t *sfirst; /* drivers of site k: smem[sfirst[k] .. sfirst[k + 1]), by index */
    uint32_t *smem;
    uint32_t *dsite; /* per participant: its site if it is an indexed driver, else UINT32_MAX */
};

static void dindex_free(dindex *x)
{
    if (!x)
        return;
    free(x->ord);
    free(x->osite);
    free(x->chunks);
    free(x->sectors);
    free(x->sfirst);
    free(x->smem);
    free(x->dsite);
    free(x);
}

void cp_index_free(solver *s)
{
    dindex_free(s->dix);
    s->dix = NULL;
}

static int dindex_build(dindex *x, const solver *s, const uint32_t *drv, size_t nd)
{
    size_t m = 0, nl = 0;
    keyed *kd = malloc((nd ? nd : 1) * sizeof *kd);
    located *lc = malloc((nd ? nd : 1) * sizeof *lc);
    x->ord = malloc((nd ? nd : 1) * sizeof *x->ord);
    x->osite = malloc((nd ? nd : 1) * sizeof *x->osite);
    x->chunks = malloc((nd ? nd : 1) * sizeof *x->chunks);
    x->sectors = malloc((nd ? nd : 1) * sizeof *x->sectors);
    x->sfirst = malloc((nd + 1) * sizeof *x->sfirst);
    x->smem = malloc((nd ? nd : 1) * sizeof *x->smem);
    x->dsite = malloc((s->n ? s->n : 1) * sizeof *x->dsite);
    if (!kd || !lc || !x->ord || !x->osite || !x->chunks || !x->sectors || !x->sfirst || !x->smem ||
        !x->dsite) {
        free(kd);
        free(lc);
        return -1;
    }
    for (size_t i = 0; i < s->n; i++)
        x->dsite[i] = UINT32_MAX;
    for (size_t t = 0; t < nd; t++) {
        size_t d = drv[t];
        if (s->seats[d] > 0 && s->maxlen1[d] >= s->dv[d] - EPS)
            lc[nl++] = (located){s->pt[d].origin.lat, s->pt[d].origin.lon, (uint32_t)d};
    }
    qsort(lc, nl, sizeof *lc, located_cmp);
    for (size_t i = 0; i < nl; i++) {
        if (i == 0 || !same_point(&lc[i - 1], &lc[i])) {
            x->sfirst[m] = i;
            kd[m] = (keyed){s->pa[lc[i].i], lc[i].i, (uint32_t)m};
            m++;
        }
        x->smem[i] = lc[i].i;
        x->dsite[lc[i].i] = (uint32_t)(m - 1);
    }
    x->sfirst[m] = nl;
    x->nsites = m;
    free(lc);
    qsort(kd, m, sizeof *kd, keyed_cmp);
    size_t nsec = (m + SECTOR_DRIVERS - 1) / SECTOR_DRIVERS, nch = 0;
    for (size_t k = 0; k < nsec; k++) {
        size_t lo = m * k / nsec, hi = m * (k + 1) / nsec;
        sector *sc = &x->sectors[k];
        sc->amin = kd[lo].key;
        sc->amax = kd[hi - 1].key;
        sc->first = nch;
        for (size_t i = lo; i < hi; i++)
            kd[i].key = -s->pr[kd[i].d]; /* farthest first */
        qsort(kd + lo, hi - lo, sizeof *kd, keyed_cmp);
        for (size_t i = lo; i < hi; i++) {
            x->ord[i] = kd[i].d;
            x->osite[i] = kd[i].site;
        }
        for (size_t c = lo; c < hi; c += CHUNK_DRIVERS) {
            chunk *ch = &x->chunks[nch++];
            ch->first = c;
            ch->count = hi - c < CHUNK_DRIVERS ? hi - c : CHUNK_DRIVERS;
            ch->rmax = s->pr[x->ord[c]];
            ch->sin_rmax = sin(ch->rmax / EARTH_KM);
            ch->amin = HUGE_VAL;
            ch->amax = -HUGE_VAL;
            ch->reach = -HUGE_VAL;
            for (size_t i = c; i < c + ch->count; i++) {
                size_t d = x->ord[i];
                ch->amin = fmin(ch->amin, s->pa[d]);
                ch->amax = fmax(ch->amax, s->pa[d]);
                ch->reach = fmax(ch->reach, s->maxlen1[d] - s->dv[d]);
            }
        }
        sc->count = nch - sc->first;
        for (size_t c = sc->first + sc->count - 1; c > sc->first; c--)
            x->chunks[c - 1].reach = fmax(x->chunks[c - 1].reach, x->chunks[c].reach);
    }
    x->nsec = nsec;
    free(kd);
    return 0;
}

/* Key of chunk c for a passenger (rho, sin_rho) with haversine gap hav. */
static double chunk_key(const solver *s, const dindex *x, const chunk *c, double rho,
                        double sin_rho, double hav)
{
    double lb = detour_lb(c->rmax, c->sin_rmax, rho, sin_rho, hav) * s->o.road_factor;
    return lb / x->mul - x->add;
}

/* The K best drivers of passenger p by detour (then index) into heap h. */
static int dindex_query(const solver *s, const dindex *x, size_t p, stream *sh, hent *h, int K)
{
    int cnt = 0;
    size_t nsh = 0;
    double rho = s->pr[p], sin_rho = sin(rho / EARTH_KM), a = s->pa[p];
    for (size_t k = 0; k < x->nsec; k++) {
        const sector *sc = &x->sectors[k];
        const chunk *c = &x->chunks[sc->first];
        double key = chunk_key(s, x, c, rho, sin_rho, hav_gap(a, sc->amin, sc->amax));
        if (key <= c->reach + EPS)
            stream_push(sh, &nsh, (stream){key, k, sc->first});
    }
    while (nsh > 0) {
        stream e = stream_pop(sh, &nsh);
        if (cnt == K && e.key > h[0].det)
            break;
        const sector *sc = &x->sectors[e.sec];
        const chunk *c = &x->chunks[e.ch];
        double key = chunk_key(s, x, c, rho, sin_rho, hav_gap(a, c->amin, c->amax));
        if (key <= c->reach + EPS && (cnt < K || key <= h[0].det)) {
            for (size_t i = c->first; i < c->first + c->count; i++) {
                size_t d = x->ord[i], k = x->osite[i];
                if (x->dsite[p] == k && x->sfirst[k + 1] - x->sfirst[k] == 1)
                    continue; /* p is the only driver there */
                double dop = dist(s, d, p);
                if (dop + s->dv[p] > s->maxlen1[d] + EPS)
                    continue;
                hent he = {dop + s->dv[p] - s->dv[d], dop, (uint32_t)d, (uint32_t)k};
                hent_push(h, &cnt, K, he);
            }
        }
        if (e.ch + 1 < sc->first + sc->count) {
            const chunk *nc = c + 1;
            double nkey = chunk_key(s, x, nc, rho, sin_rho, hav_gap(a, sc->amin, sc->amax));
            if (nkey <= nc->reach + EPS)
                stream_push(sh, &nsh, (stream){nkey, e.sec, e.ch + 1});
        }
    }
    return cnt;
}

/* Rank of every passenger among the passengers at its point, and a salt per
 * point (its first passenger), to rotate the drivers they take from a site. */
static int passenger_ranks(const solver *s, uint32_t *rank, uint32_t *salt)
{
    size_t m = 0;
    located *lc = malloc((s->n ? s->n : 1) * sizeof *lc);
    if (!lc)
        return -1;
    for (size_t p = 0; p < s->n; p++)
        if ((s->flag[p] & F_RIDE) && !(s->flag[p] & (F_LOCKED | F_BAD)))
            lc[m++] = (located){s->pt[p].origin.lat, s->pt[p].origin.lon, (uint32_t)p};
    qsort(lc, m, sizeof *lc, located_cmp);
    for (size_t i = 0, first = 0; i < m; i++) {
        if (i > 0 && !same_point(&lc[i - 1], &lc[i]))
            first = i;
        rank[lc[i].i] = (uint32_t)(i - first);
        salt[lc[i].i] = lc[first].i;
    }
    free(lc);
    return 0;
}

/* Spread K slots over the c sites found (nearest first): each gets up to
 * K / SITE_SHARE, then what is left goes to the nearest ones. */
static int share_slots(const dindex *x, const hent *h, int c, size_t p, int K, int *take)
{
    int left = K, cap = K / SITE_SHARE > 0 ? K / SITE_SHARE : 1;
    for (int k = 0; k < c; k++) {
        size_t site = h[k].site;
        int size = (int)(x->sfirst[site + 1] - x->sfirst[site]) - (x->dsite[p] == site);
        take[k] = size < cap ? size : cap;
        if (take[k] > left)
            take[k] = left;
        left -= take[k];
    }
    for (int k = 0; k < c && left > 0; k++) {
        size_t site = h[k].site;
        int size = (int)(x->sfirst[site + 1] - x->sfirst[site]) - (x->dsite[p] == site);
        int more = size - take[k] < left ? size - take[k] : left;
        take[k] += more;
        left -= more;
    }
    return K - left;
}

/* Candidate drivers of every passenger: the drivers who can take them alone
 * with the least single-pickup detour, K at most, found by a best-first
 * search of the index of driver sites (exact for the default distance; with
 * a distance callback, crow-fly detours are trusted to within PLANAR_SLACK
 * and 0.5 km), a few drivers per site (see share_slots). Lists are stored
 * in participant order; memory is O(passengers x K). The index stays in
 * s->dix for cp_fill_unseated. */
int cp_build_candidates(solver *s, size_t np, const uint32_t *drv, size_t nd)
{
    int rc = PL_ERROR, K = s->o.candidates > 0 ? s->o.candidates : DEFAULT_CANDIDATES;
    dindex *x = calloc(1, sizeof *x);
    stream *sh = NULL;
    hent *heap = NULL;
    int *take = NULL;
    uint32_t *rank = NULL, *salt = NULL;
    size_t n = s->n, total = 0, cap = 0;

    s->coff = calloc(n + 2, sizeof *s->coff);
    s->voff = calloc(n + 2, sizeof *s->voff);
    heap = malloc((size_t)K * sizeof *heap);
    take = malloc((size_t)K * sizeof *take);
    rank = calloc(n ? n : 1, sizeof *rank);
    salt = calloc(n ? n : 1, sizeof *salt);
    if (!x || !s->coff || !s->voff || !heap || !take || !rank || !salt ||
        dindex_build(x, s, drv, nd) < 0 || passenger_ranks(s, rank, salt) < 0)
        goto done;
    x->mul = s->o.distance_km ? PLANAR_SLACK : 1.0;
    x->add = s->o.distance_km ? 0.5 : 1e-6;
    sh = malloc((x->nsec ? x->nsec : 1) * sizeof *sh);
    if (!sh)
        goto done;
    for (size_t p = 0; p < n; p++) {
        int c = 0, got = 0;
        if (np > 0 && (s->flag[p] & F_RIDE) && !(s->flag[p] & (F_LOCKED | F_BAD)))
            c = dindex_query(s, x, p, sh, heap, K);
        qsort(heap, (size_t)c, sizeof *heap, hent_cmp);
        got = share_slots(x, heap, c, p, K, take);
        if (total + (size_t)got > cap) {
            size_t ncap = cap ? cap + cap / 2 : (size_t)K * 64;
            while (ncap < total + (size_t)got)
                ncap += ncap / 2;
            uint32_t *ncd = realloc(s->cd, ncap * sizeof *ncd);
            if (ncd)
                s->cd = ncd;
            double *ncdop = realloc(s->cdop, ncap * sizeof *ncdop);
            if (ncdop)
                s->cdop = ncdop;
            if (!ncd || !ncdop)
                goto done;
            cap = ncap;
        }
        for (int k = 0; k < c; k++) {
            size_t site = heap[k].site, first = x->sfirst[site];
            size_t size = x->sfirst[site + 1] - first;
            size_t at = ((size_t)rank[p] * (size_t)take[k] + salt[p]) % size, seen = 0;
            for (int j = 0; j < take[k]; at = (at + 1) % size) {
                uint32_t d = x->smem[first + at];
                if (++seen > size)
                    break; /* the site has fewer drivers p may ride with */
                if (d == p || !leave_ok(s, p, d))
                    continue;
                s->cd[total] = d;
                s->cdop[total] = heap[k].dop;
                s->voff[d + 1]++;
                total++;
                j++;
            }
        }
        s->coff[p + 1] = total;
    }
    s->coff[n + 1] = s->coff[n];
    if (!s->cd) {
        s->cd = malloc(sizeof *s->cd);
        s->cdop = malloc(sizeof *s->cdop);
    }
    s->icost = malloc((total + 1) * sizeof *s->icost);
    s->ipos = malloc((total + 1) * sizeof *s->ipos);
    s->vp = malloc((total + 1) * sizeof *s->vp);
    s->vk = malloc((total + 1) * sizeof *s->vk);
    if (!s->cd || !s->cdop || !s->icost || !s->ipos || !s->vp || !s->vk)
        goto done;
    for (size_t d = 0; d <= n; d++)
        s->voff[d + 1] += s->voff[d];
    for (size_t p = 0; p < n; p++)
        for (size_t c = s->coff[p]; c < s->coff[p + 1]; c++) {
            size_t e = s->voff[s->cd[c]]++;
            s->vp[e] = (uint32_t)p;
            s->vk[e] = (uint32_t)(c - s->coff[p]);
        }
    for (size_t d = n + 1; d > 0; d--)
        s->voff[d] = s->voff[d - 1];
    s->voff[0] = 0;
    s->dix = x;
    x = NULL;
    rc = PL_OK;
done:
    dindex_free(x);
    free(sh);
    free(heap);
    free(take);
    free(rank);
    free(salt);
    return rc;
}

/* Seat p with driver d, a FLEXIBLE riding elsewhere who can take p alone:
 * it drives again. */
static void drive_instead(solver *s, size_t d, size_t p)
{
    cp_route_remove(s, d);
    cp_route_insert(s, d, p, 0);
}

/* Kept cars (confirmed, or preferred) within reach of p: none (0), only
 * some leaving before p (1), one leaving with or after p, full (2), or
 * with a seat left (3). They are closed to p either way. */
static int kept_in_reach(const solver *s, size_t p)
{
    int found = 0;
    for (size_t g = 0; g < s->nkept; g++) {
        size_t d = s->kept[g].driver;
        int got;
        if (s->pt[d].seats == 0 || dist(s, d, p) + s->dv[p] > max_len(s, d, 1) + EPS)
            continue;
        if (!leave_ok(s, p, d))
            got = 1;
        else if ((int)s->kept[g].npassengers < s->pt[d].seats)
            return 3;
        else
            got = 2;
        if (got > found)
            found = got;
    }
    return found;
}

/* Among the kept cars with a seat left (free, nfree): one within reach of
 * p that leaves with or after them (3), else 0. */
static int kept_free_in_reach(const solver *s, size_t p, const size_t *free_k, size_t nfree)
{
    for (size_t i = 0; i < nfree; i++) {
        size_t d = s->kept[free_k[i]].driver;
        if (dist(s, d, p) + s->dv[p] <= max_len(s, d, 1) + EPS && leave_ok(s, p, d))
            return 3;
    }
    return 0;
}

int cp_fill_unseated(solver *s)
{
    dindex *x = s->dix;
    size_t K = x ? x->nsites : 0;
    /* Any car at all with a seat (the index holds every driver with seats
     * and a known origin, kept cars are apart): without one, the detour
     * limit is not why someone rides with nobody. */
    int any = K > 0;
    for (size_t g = 0; g < s->nkept && !any; g++)
        any = s->pt[s->kept[g].driver].seats > 0;
    /* the kept cars with a seat left: usually few, and the only ones a
     * rider with full drivers in reach is checked against */
    size_t *free_k = malloc((s->nkept ? s->nkept : 1) * sizeof(*free_k)), nfree = 0;
    if (!free_k)
        return -1;
    for (size_t g = 0; g < s->nkept; g++)
        if (s->pt[s->kept[g].driver].seats > 0 &&
            (int)s->kept[g].npassengers < s->pt[s->kept[g].driver].seats)
            free_k[nfree++] = g;
    hent *h = malloc((K ? K : 1) * sizeof *h);
    stream *sh = malloc((x && x->nsec ? x->nsec : 1) * sizeof *sh);
    if (!h || !sh) {
        free(h);
        free(sh);
        free(free_k);
        return -1;
    }
    for (size_t p = 0; p < s->n; p++) {
        if (!(s->flag[p] & F_RIDER) || (s->flag[p] & (F_LOCKED | F_BAD)) || s->host[p] >= 0)
            continue;
        int c = K ? dindex_query(s, x, p, sh, h, (int)K) : 0, room = 0, seated = 0, early = 0;
        int late = 0; /* a driver within reach leaves with or after p */
        qsort(h, (size_t)c, sizeof *h, hent_cmp);
        for (int k = 0; k < c && !seated; k++) {
            size_t site = h[k].site;
            for (size_t i = x->sfirst[site]; i < x->sfirst[site + 1] && !seated; i++) {
                size_t d = x->smem[i];
                int pos;
                if (d == p)
                    continue;
                if (!leave_ok(s, p, d)) {
                    early = 1;
                    continue;
                }
                late = 1;
                if (is_driving(s, d)) {
                    if (s->rlen[d] >= s->seats[d])
                        continue;
                    room = 1;
                    if (cp_insert_eval(s, d, p, h[k].dop, &pos, 0.0) != HUGE_VAL) {
                        cp_route_insert(s, d, p, pos);
                        seated = 1;
                    }
                } else if ((s->flag[d] & F_DRIVE) && !(s->flag[d] & (F_LOCKED | F_BAD)) &&
                           s->host[d] >= 0 && d != p) {
                    drive_instead(s, d, p);
                    seated = 1;
                }
            }
        }
        int kept = seated || room ? 0
                   : late         ? kept_free_in_reach(s, p, free_k, nfree)
                                  : kept_in_reach(s, p);
        if (seated)
            s->why[p] = 0;
        else if (room)
            s->why[p] = PL_CARPOOL_REASON_NO_ROOM;
        else if (kept == 3)
            s->why[p] = PL_CARPOOL_REASON_KEPT;
        else if (late || kept == 2)
            s->why[p] = PL_CARPOOL_REASON_NO_SEAT;
        else if (early || kept == 1)
            s->why[p] = PL_CARPOOL_REASON_LEAVE_TIME;
        else if (!any)
            s->why[p] = PL_CARPOOL_REASON_NO_DRIVERS;
        else
            s->why[p] = PL_CARPOOL_REASON_NO_DRIVER;
    }
    free(h);
    free(sh);
    free(free_k);
    return 0;
}
