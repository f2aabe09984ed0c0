/* carpool_instance.c - see carpool_instance.h */
#include "carpool_instance.h"

#include <math.h>
#include <stdlib.h>

#include "gazetteer_data.h"

static uint64_t next(uint64_t *st)
{
    uint64_t z = (*st += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double unit(uint64_t *st)
{
    return (double)(next(st) >> 11) / 9007199254740992.0;
}

void bench_instance_make(pl_carpool_participant *parts, size_t n, size_t ndrivers, double radius_km,
                         const pl_carpool_point *venue, uint64_t seed)
{
    const double pi = 3.14159265358979323846, km_per_deg = 6371.0088 * pi / 180.0;
    uint64_t st = seed * 0x2545f4914f6cdd1dULL + 1;
    for (size_t i = 0; i < n; i++) {
        double r = radius_km * sqrt(unit(&st)), a = 2 * pi * unit(&st);
        double dy = r * sin(a), dx = r * cos(a);
        parts[i].id = (long)i;
        parts[i].origin.lat = venue->lat + dy / km_per_deg;
        parts[i].origin.lon = venue->lon + dx / (km_per_deg * cos(venue->lat * pi / 180.0));
        parts[i].seats = 1 + (int)(next(&st) % 4);
        parts[i].role = i < ndrivers ? PL_CARPOOL_ROLE_DRIVE : PL_CARPOOL_ROLE_RIDE;
        if (i >= ndrivers)
            parts[i].seats = 0;
    }
}

size_t bench_instance_clustered(pl_carpool_participant *parts, size_t n, size_t ndrivers,
                                double radius_km, size_t ncommunes, const pl_carpool_point *venue,
                                uint64_t seed)
{
    uint64_t st = seed * 0x2545f4914f6cdd1dULL + 7;
    size_t nin = 0, nc = 0;
    unsigned *in = malloc(pl_gz_place_count * sizeof *in);
    unsigned *chosen = malloc((ncommunes ? ncommunes : 1) * sizeof *chosen);
    double *cum = malloc((ncommunes ? ncommunes : 1) * sizeof *cum);
    double total = 0.0;
    if (!in || !chosen || !cum)
        abort();
    for (unsigned i = 0; i < pl_gz_place_count; i++) {
        const pl_gz_place *g = &pl_gz_places[i];
        pl_carpool_point pt = {g->lat / 1e5, g->lon / 1e5};
        if (g->kind != PL_GZ_COMMUNE || g->population == 0 ||
            pl_carpool_distance_km(venue, &pt, 1.0) > radius_km)
            continue;
        in[nin++] = i;
        total += g->population;
    }
    /* communes drawn by population, without replacement */
    while (nc < ncommunes && total > 0.0) {
        double x = unit(&st) * total;
        size_t k = 0;
        while (k + 1 < nin && x >= pl_gz_places[in[k]].population) {
            x -= pl_gz_places[in[k]].population;
            k++;
        }
        chosen[nc++] = in[k];
        total -= pl_gz_places[in[k]].population;
        in[k] = in[--nin];
    }
    total = 0.0;
    for (size_t c = 0; c < nc; c++)
        cum[c] = total += pl_gz_places[chosen[c]].population;
    for (size_t i = 0; i < n; i++) {
        double x = unit(&st) * total;
        size_t c = 0;
        while (c + 1 < nc && x >= cum[c])
            c++;
        const pl_gz_place *g = &pl_gz_places[chosen[c]];
        parts[i].id = (long)i;
        parts[i].origin.lat = g->lat / 1e5;
        parts[i].origin.lon = g->lon / 1e5;
        parts[i].role = i < ndrivers ? PL_CARPOOL_ROLE_DRIVE : PL_CARPOOL_ROLE_RIDE;
        parts[i].seats = i < ndrivers ? 1 + (int)(next(&st) % 4) : 0;
    }
    free(in);
    free(chosen);
    free(cum);
    return nc;
}
