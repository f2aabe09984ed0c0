/*
 * carpool_changes_internal.h - what carpool_changes.c lends to
 * carpool_together.c: private to planner/carpool.
 */
#ifndef PL_CARPOOL_CHANGES_INTERNAL_H
#define PL_CARPOOL_CHANGES_INTERNAL_H

#include "carpool_plan.h"

/* Run sql, a statement without rows, with ?1 = a and ?2 = b. */
int pl_carpool_run_id(pl_store *store, const char *sql, long long a, long long b, pl_error *err);

/* The move, inside the caller's transaction: rows rewritten, recorded when
 * a confirmed car is concerned (the caller brings the pickups in line and
 * queues the messages). fixed_too = 0 refuses to touch a confirmed or locked
 * car (the planner keeping people together). *event_id gets the event. */
int pl_carpool_move_in_tx(pl_carpool_move_result *out, long long *event_id, pl_store *store,
                          const char *slug, const char *email, const char *to_email,
                          pl_carpool_trip trip, int force, int fixed_too, pl_error *err);

#endif
