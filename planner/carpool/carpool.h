/*
 * carpool.h - the carpool matching engine.
 *
 * A pure function over arrays: participants (origin, role, seats) and a venue
 * go in, a plan comes out. No database, no I/O, no global state, so the
 * engine can be tested, fuzzed and benchmarked alone.
 *
 * The problem. Drivers start at their origin, pick up passengers at the
 * passengers' origins and end at the venue before the event starts (minus a
 * margin). Each driver's route may be at most `max_detour_pct` percent AND at
 * most `max_detour_minutes` longer than their direct trip (stops included in
 * the minutes). Objective, in this order:
 *   1. seat the most participants who need a seat (role RIDE);
 *   2. use the fewest vehicle-km (every car that goes to the venue counts).
 * A FLEXIBLE participant has a car: the engine decides whether they drive
 * (possibly picking people up) or ride with someone else; they are never left
 * without transport. Same input, same options: same plan (no clock, no
 * unseeded randomness; the search is bounded by iterations, not by time).
 *
 * The method, after the best vehicle-routing solvers: candidate drivers per
 * passenger from a spatial index, the nearest by detour (memory linear in the
 * number of participants, no N x N matrix), regret insertion, ejection chains (augmenting paths) to
 * seat more riders, then ruin-and-recreate local search on vehicle-km, an
 * exact reordering of every route at the end and, on small instances (up to
 * 64 drivers and riders, no flexible participant), an exact polish: every
 * feasible route enumerated and packed by branch and bound under a fixed
 * work budget.
 */
#ifndef PL_CARPOOL_H
#define PL_CARPOOL_H

#include <stddef.h>

#include "error.h"

/* A place in WGS84 degrees. */
typedef struct pl_carpool_point {
    double lat;
    double lon;
} pl_carpool_point;

typedef enum pl_carpool_role {
    PL_CARPOOL_ROLE_NONE = 0, /* does not take part in carpooling */
    PL_CARPOOL_ROLE_DRIVE,    /* drives, offers `seats` seats */
    PL_CARPOOL_ROLE_RIDE,     /* needs a seat */
    PL_CARPOOL_ROLE_FLEXIBLE  /* has a car with `seats` seats; engine decides */
} pl_carpool_role;

typedef struct pl_carpool_participant {
    long id;                 /* caller's identifier, not used by the engine */
    pl_carpool_point origin; /* NaN or out of range: unknown origin */
    pl_carpool_role role;
    int seats; /* passenger seats offered (DRIVE, FLEXIBLE); >= 0 */
} pl_carpool_participant;

/* A group confirmed by a previous plan: kept exactly as given (same driver,
 * same passengers in the same pickup order), never re-checked against seats
 * or detour, and its members are not planned again. Indices point into
 * pl_carpool_problem.participants. */
typedef struct pl_carpool_confirmed {
    size_t driver;
    const size_t *passengers;
    size_t npassengers;
} pl_carpool_confirmed;

/* Which way the cars go. */
typedef enum pl_carpool_trip {
    PL_CARPOOL_OUTBOUND = 0, /* home -> pickups -> venue, arriving before the start */
    PL_CARPOOL_RETURN        /* venue -> drop-offs -> home, leaving at the end */
} pl_carpool_trip;

typedef struct pl_carpool_problem {
    const pl_carpool_participant *participants; /* borrowed */
    size_t nparticipants;
    pl_carpool_point venue;
    long event_start;                      /* in minutes, on the caller's clock (e.g. minutes since
                                              midnight, or a Unix time / 60); pickup times come
                                              back on the same clock */
    const pl_carpool_confirmed *confirmed; /* borrowed, may be NULL */
    size_t nconfirmed;
    /* The return trip (trip = PL_CARPOOL_RETURN): each car leaves the venue
     * when its driver does, drops its passengers in order and ends at the
     * driver's home; the same seat and detour rules (a route is the outbound
     * one driven backwards). Groups, confirmed ones included, list their
     * passengers in drop-off order, and their times are drop-off times. */
    pl_carpool_trip trip;
    long event_end; /* RETURN: when people leave the venue (same clock) */
    /* RETURN, may be NULL: per participant, when they leave the venue (the
     * end of the last session they attend); a passenger rides only with a
     * driver who leaves at the same time or later. NULL: event_end for all. */
    const long *leave;
    /* Groups to keep where they still fit (seats, detour, leave times, every
     * member still travelling), e.g. the outbound groups for the return;
     * those that do not fit are planned again. Same form as confirmed (for
     * the return, passengers in drop-off order); borrowed, may be NULL. Kept
     * groups come back with confirmed = 0. */
    const pl_carpool_confirmed *prefer;
    size_t nprefer;
} pl_carpool_problem;

/* Value of max_detour_minutes meaning "no cap in minutes". */
#define PL_CARPOOL_UNLIMITED (-1.0)

typedef struct pl_carpool_options {
    /* Route at most this many percent longer than the direct trip. */
    double max_detour_pct;
    /* And at most this many minutes longer (driving + stops), or
     * PL_CARPOOL_UNLIMITED. */
    double max_detour_minutes;
    /* Road distance = great-circle distance x road_factor (default 1.3, the
     * usual ratio of French road to crow-fly distance). */
    double road_factor;
    /* Average door-to-door speed in km/h used for detour minutes and pickup
     * times (default 60 km/h: a mix of motorway, main and local roads). */
    double speed_kmh;
    /* Minutes spent at each pickup (default 2). */
    double stop_minutes;
    /* Drivers arrive this many minutes before the event start (default 15). */
    double margin_minutes;
    /* kg CO2e per vehicle-km, for the CO2 avoided (default 0.218: ADEME Base
     * Carbone, "voiture particulière, motorisation moyenne", 2022 average
     * car, combustion and upstream). */
    double co2_kg_per_km;
    /* Search budget in ruin-and-recreate iterations; 0 = automatic (grows
     * with the number of passengers, up to 40,000 from 10,000 passengers). Iterations, not seconds,
     * so that the plan never depends on the machine's speed. */
    unsigned long iterations;
    /* Candidate drivers kept per passenger (the nearest by detour); bounds
     * memory at O(participants x candidates). 0 = default (64). */
    int candidates;
    /* Distance seam: road km between two points. NULL = great circle x
     * road_factor. A routing-engine matrix can be plugged in here; the
     * spatial index still ranks candidates by crow-fly detour and trusts it
     * to within 15 % and 0.5 km, so the callback should not be much shorter
     * than great circle x road_factor. Must be deterministic. */
    double (*distance_km)(const pl_carpool_point *a, const pl_carpool_point *b, void *payload);
    void *payload; /* passed to distance_km */
} pl_carpool_options;

#define PL_CARPOOL_OPTIONS_INIT                                                                    \
    {                                                                                              \
        25.0, 30.0, 1.3, 60.0, 2.0, 15.0, 0.218, 0, 0, NULL, NULL                                  \
    }

/* Set *opts to the defaults above. */
void pl_carpool_options_init(pl_carpool_options *opts);

typedef enum pl_carpool_reason {
    PL_CARPOOL_REASON_ROLE_NONE = 1, /* role NONE */
    PL_CARPOOL_REASON_NO_ORIGIN,     /* origin unknown */
    PL_CARPOOL_REASON_NO_DRIVER,     /* no driver can reach them within detour */
    PL_CARPOOL_REASON_NO_SEAT,       /* every driver in reach is full */
    PL_CARPOOL_REASON_NO_ROOM,       /* drivers in reach have seats left, but no
                                        route can take one more stop within the
                                        detour limit */
    PL_CARPOOL_REASON_LEAVE_TIME,    /* return trip: every driver in reach
                                        leaves the venue before them */
    PL_CARPOOL_REASON_NO_DRIVERS,    /* nobody else drives with a seat to
                                        offer (or nobody whose origin is
                                        known): the detour limit is not why */
    PL_CARPOOL_REASON_KEPT           /* a car within reach has a seat left,
                                        but it is kept as it is (confirmed,
                                        locked, or going home together) and
                                        the open ones are full or out of
                                        reach */
} pl_carpool_reason;

/* One car. Indices point into pl_carpool_problem.participants. On the
 * return trip, passengers are in drop-off order, pickup_times are drop-off
 * times, departure_time is when the car leaves the venue and arrival_time
 * when the driver is home. */
typedef struct pl_carpool_group {
    size_t driver;
    size_t *passengers;  /* in pickup order; owned by the result */
    long *pickup_times;  /* per passenger, minutes (event clock); owned */
    size_t npassengers;  /* may be 0: the driver goes alone */
    long departure_time; /* driver leaves home, minutes (event clock) */
    long arrival_time;   /* at the venue: event start - margin */
    double distance_km;  /* origin -> pickups -> venue */
    double detour_km;    /* distance_km - direct trip */
    int confirmed;       /* 1 if kept from problem.confirmed */
    int preferred;       /* 1 if kept from problem.prefer */
} pl_carpool_group;

typedef struct pl_carpool_unassigned {
    size_t participant;
    pl_carpool_reason reason;
} pl_carpool_unassigned;

typedef struct pl_carpool_totals {
    size_t cars;               /* groups, i.e. cars driven to the venue */
    size_t passengers;         /* seated passengers (riders and flexible) */
    size_t riders;             /* participants with role RIDE and an origin */
    size_t riders_seated;      /* of which seated */
    double vehicle_km;         /* sum of group distances */
    double vehicle_km_alone;   /* everyone in a group driving alone */
    double vehicle_km_avoided; /* vehicle_km_alone - vehicle_km */
    double co2_avoided_kg;     /* vehicle_km_avoided x co2_kg_per_km */
} pl_carpool_totals;

typedef struct pl_carpool_result {
    pl_carpool_group *groups; /* drivers in ascending index order */
    size_t ngroups;
    pl_carpool_unassigned *unassigned; /* ascending participant index */
    size_t nunassigned;
    pl_carpool_totals totals;
    unsigned long iterations; /* search iterations actually run */
} pl_carpool_result;

/*
 * Compute a carpool plan.
 *
 * out:     receives the plan, owned by the caller, freed with
 *          pl_carpool_result_free. Untouched on failure.
 * problem: participants, venue, event start, confirmed groups (borrowed).
 * opts:    NULL for the defaults.
 * err:     may be NULL.
 *
 * Every participant appears exactly once in the result: as a driver, a
 * passenger, or unassigned with a reason.
 *
 * Returns PL_OK, PL_EINVALID (bad venue, role, seats, options, or a
 * participant in two confirmed groups) or PL_ERROR (out of memory).
 */
int pl_carpool_plan(pl_carpool_result **out, const pl_carpool_problem *problem,
                    const pl_carpool_options *opts, pl_error *err);

/*
 * After a plan of the way there that kept earlier cars (problem.prefer),
 * which take no one new: the riders of result left without a seat (no seat,
 * no room, no driver) take the spare seats of its cars, confirmed ones
 * excepted, each (in participant order) where their stop adds the fewest km,
 * at the best place of the route, within the detour limits; times, km and
 * totals follow. *seated gets how many. Nothing is done on the way home, or
 * when riders x cars exceeds 2e7 (bounded work). Returns PL_OK or PL_ERROR
 * (out of memory).
 */
int pl_carpool_fill_seats(pl_carpool_result *result, const pl_carpool_problem *problem,
                          const pl_carpool_options *opts, size_t *seated, pl_error *err);

/* Free a result (NULL allowed). */
void pl_carpool_result_free(pl_carpool_result *result);

/* One line in English for a reason, e.g. "no driver can reach them within
 * the detour limit". Static storage. */
const char *pl_carpool_reason_text(pl_carpool_reason reason);

/* Road km between two points with the default model (great circle x
 * road_factor). */
double pl_carpool_distance_km(const pl_carpool_point *a, const pl_carpool_point *b,
                              double road_factor);

#endif
