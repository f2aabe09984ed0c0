/*
 * carpool_instance.h - random carpool instances for the benchmark.
 *
 * Drivers and passengers spread uniformly in a disk around a venue, seats
 * uniform in 1..4, all from a seed (same seed, same instance).
 */
#ifndef PL_BENCH_CARPOOL_INSTANCE_H
#define PL_BENCH_CARPOOL_INSTANCE_H

#include <stdint.h>

#include "carpool.h"

/* Fill parts[0..n) : the first ndrivers drive, the rest ride. The venue is
 * *venue. Deterministic in seed. */
void bench_instance_make(pl_carpool_participant *parts, size_t n, size_t ndrivers, double radius_km,
                         const pl_carpool_point *venue, uint64_t seed);

#endif
