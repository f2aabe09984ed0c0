/*
 * carpool_instance.h - carpool instances for the benchmark and the tests.
 *
 * Uniform: drivers and passengers spread uniformly in a disk around a venue,
 * seats uniform in 1..4. Clustered: attendees drawn from real French
 * communes around the venue (the embedded gazetteer), a few towns sending
 * most people, everyone at their commune's centre. Both from a seed (same
 * seed, same instance).
 */
#ifndef PL_BENCH_CARPOOL_INSTANCE_H
#define PL_BENCH_CARPOOL_INSTANCE_H

#include <stdint.h>

#include "carpool.h"

/* Fill parts[0..n) : the first ndrivers drive, the rest ride. The venue is
 * *venue. Deterministic in seed. */
void bench_instance_make(pl_carpool_participant *parts, size_t n, size_t ndrivers, double radius_km,
                         const pl_carpool_point *venue, uint64_t seed);

/* Fill parts[0..n) with attendees from ncommunes communes within radius_km
 * of *venue, drawn with probability proportional to their population; each
 * attendee picks one of them in proportion to its population (so the
 * largest towns send most people) and stands at its centre. The first
 * ndrivers drive (seats uniform in 1..4), the rest ride. Returns the number
 * of communes used (fewer than asked if the radius holds fewer). */
size_t bench_instance_clustered(pl_carpool_participant *parts, size_t n, size_t ndrivers,
                                double radius_km, size_t ncommunes, const pl_carpool_point *venue,
                                uint64_t seed);

#endif
