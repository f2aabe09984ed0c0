/*
 * carpool_summary.h - the counts of a stored carpool plan in words a person
 * follows: every count says which people it is about, and the parts add up
 * to their whole.
 *
 *   Asked for a seat: 24 - 22 seated, 2 without a seat (1 no driver within
 *     the detour limit, 1 origin not found)
 *   Cars: 9 - 7 with passengers, 2 driving alone; 25 passengers: 22 who
 *     asked for a seat, 3 flexible
 *   Not in a car: 1 who would drive (1 origin not found)
 *
 * "Asked for a seat" is everyone whose travel is "ride", whatever their
 * origin; "without a seat" is the part of them the plan lists as unassigned,
 * by reason. Drivers and flexible people who are in no car (their origin is
 * unknown or ambiguous, their car went) are counted apart, never as riders.
 * The command line writes it in English (as the rest of its carpool
 * output), the back office in the event's language.
 */
#ifndef PL_CARPOOL_SUMMARY_H
#define PL_CARPOOL_SUMMARY_H

#include "carpool_plan.h"
#include "lang.h"

#include <stddef.h>

/* The reasons, in the order the summary lists them. */
#define PL_CARPOOL_NWHY 12

typedef struct pl_carpool_summary {
    size_t want_seat;       /* travel "ride", in a car or not */
    size_t seated;          /* of them, in a car */
    size_t unseated;        /* of them, in no car: want_seat - seated */
    size_t cars;            /* everyone driving: with_passengers + alone */
    size_t with_passengers; /* cars with at least one passenger */
    size_t alone;           /* drivers going alone */
    size_t passengers;      /* seated passengers: seated + flexible_riding */
    size_t flexible_riding; /* "flexible" people riding with someone */
    size_t not_in_car;      /* drivers and flexible people in no car */
    /* unseated and not_in_car by reason: counts per PL_CARPOOL_WHY_* in
     * the order of pl_carpool_why_code(k); other codes (older plans) in
     * the last slot, "other" */
    size_t unseated_by[PL_CARPOOL_NWHY + 1];
    size_t not_in_car_by[PL_CARPOOL_NWHY + 1];
} pl_carpool_summary;

/* The k-th reason code (0 <= k < PL_CARPOOL_NWHY), NULL beyond. */
const char *pl_carpool_why_code(size_t k);

/* A reason in a few words ("no driver within the detour limit" / "aucun
 * conducteur dans la limite de détour"): for counts. Unknown codes: "other
 * reason". Static storage. */
const char *pl_carpool_why_short(pl_lang lang, const char *code);

/* Count plan. */
void pl_carpool_summary_count(pl_carpool_summary *out, const pl_carpool_saved_plan *plan);

/* The summary as lines (each ending with '\n'; the third only when
 * somebody who would drive is in no car) in lang, into buf (always
 * NUL-terminated, cut to fit). Returns buf. */
char *pl_carpool_summary_text(char *buf, size_t size, pl_lang lang,
                              const pl_carpool_saved_plan *plan);

#endif
