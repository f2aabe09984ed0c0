/*
 * carpool_json.h - a stored carpool plan, or one attendee's assignment, as
 * JSON (the shape of `planner carpool plan --format json`, docs/carpool.md).
 */
#ifndef PL_CARPOOL_JSON_H
#define PL_CARPOOL_JSON_H

#include "carpool_plan.h"

#include <jansson.h>

/* Flags for json_dump*: reals keep 12 significant digits, so that the
 * rounded kilometres and coordinates print as they are. */
#define PL_CARPOOL_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))

/*
 * The plan as {"event", "planned", "options", "groups": [{"number", "driver":
 * {...}, "passengers": [{..., "pickup_time"}], "seats", "departure_time",
 * "arrival_time", "distance_km", "detour_km", "detour_pct", "confirmed"}],
 * "unassigned": [{"name", "email", "travel", "origin", "reason", "detail"}],
 * "totals": {...}}. Kilometres are rounded to the metre, coordinates to 6
 * decimals. Returns a new reference (json_decref it), NULL when out of
 * memory.
 */
json_t *pl_carpool_plan_to_json(const pl_carpool_saved_plan *plan);

/* One group (an element of "groups" above). New reference or NULL. */
json_t *pl_carpool_group_to_json(const pl_carpool_saved_group *group);

/* The same for a group of a plan of trip: on the way home (RETURN) the
 * passengers' times are "dropoff_time", the group's "departure_time" is
 * when it leaves the venue and its "arrival_time" when the driver is home. */
json_t *pl_carpool_group_to_json_trip(const pl_carpool_saved_group *group, pl_carpool_trip trip);

/*
 * One attendee's assignment: {"event", "name", "email", "role": "driver" |
 * "passenger" | "unassigned" | "none", "group": {...} or null, "pickup":
 * {"time", "origin", "place", "lat", "lon"} or null, "reason", "detail"}.
 * New reference or NULL.
 */
json_t *pl_carpool_assignment_to_json(const pl_carpool_assignment *a);

/*
 * The same as the person themself may see it (GET /me/TOKEN.json): no
 * e-mail address, the others by first name (pl_carpool_member_seen):
 * {"role", "group": number or null, "confirmed", "departure_time",
 * "arrival_time", "pickup": {"time", "place", "lat", "lon"} or null,
 * "stops": [{"role": "driver" | "passenger", "name", "time", "place",
 * "phone", "lat", "lon", "self"}] (driver first, then the pickups in
 * order), "reason", "detail"}. New reference or NULL.
 */
json_t *pl_carpool_assignment_to_member_json(const pl_carpool_assignment *a);

/* "driver", "passenger", "unassigned", "none". */
const char *pl_carpool_role_in_plan_name(pl_carpool_role_in_plan role);

#endif
