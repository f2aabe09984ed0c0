/* carpool_instance.c - see carpool_instance.h */
#include "carpool_instance.h"

#include <math.h>

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
