#include "carpool_json.h"

#include <math.h>

static json_t *real_rounded(double x, double scale)
{
    return json_real(round(x * scale) / scale);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *member_json(const pl_carpool_member *m, const char *time_key)
{
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:s}", "name", m->name, "email",
                     m->email, "phone", str_or_null(m->phone), "origin", str_or_null(m->origin),
                     "place", str_or_null(m->place), "precision", str_or_null(m->precision), "lat",
                     real_rounded(m->lat, 1e6), "lon", real_rounded(m->lon, 1e6), time_key,
                     m->time);
}

json_t *pl_carpool_group_to_json(const pl_carpool_saved_group *g)
{
    return pl_carpool_group_to_json_trip(g, PL_CARPOOL_OUTBOUND);
}

json_t *pl_carpool_group_to_json_trip(const pl_carpool_saved_group *g, pl_carpool_trip trip)
{
    const char *time_key = trip == PL_CARPOOL_RETURN ? "dropoff_time" : "pickup_time";
    json_t *passengers = json_array();
    double direct = g->distance_km - g->detour_km;

    if (!passengers)
        return NULL;
    for (size_t k = 0; k < g->npassengers; k++)
        if (json_array_append_new(passengers, member_json(&g->passengers[k], time_key))) {
            json_decref(passengers);
            return NULL;
        }
    return json_pack("{s:i, s:o, s:o, s:i, s:s, s:s, s:o, s:o, s:o, s:b, s:o}", "number", g->number,
                     "driver", member_json(&g->driver, "departure_time"), "passengers", passengers,
                     "seats", g->seats, "departure_time", g->departure, "arrival_time", g->arrival,
                     "distance_km", real_rounded(g->distance_km, 1e3), "detour_km",
                     real_rounded(g->detour_km, 1e3), "detour_pct",
                     real_rounded(direct > 0 ? 100.0 * g->detour_km / direct : 0.0, 1e2),
                     "confirmed", g->confirmed, "confirmed_at", str_or_null(g->confirmed_at));
}

static json_t *unassigned_json(const pl_carpool_saved_unassigned *u)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "name", u->name, "email", u->email, "travel",
                     u->travel, "origin", str_or_null(u->origin), "reason", u->code, "detail",
                     u->reason);
}

json_t *pl_carpool_plan_to_json(const pl_carpool_saved_plan *plan)
{
    const pl_carpool_options *o = &plan->options;
    const pl_carpool_totals *t = &plan->totals;
    json_t *groups = json_array(), *unassigned = json_array();

    if (!groups || !unassigned)
        goto fail;
    for (size_t g = 0; g < plan->ngroups; g++)
        if (json_array_append_new(groups,
                                  pl_carpool_group_to_json_trip(&plan->groups[g], plan->trip)))
            goto fail;
    for (size_t u = 0; u < plan->nunassigned; u++)
        if (json_array_append_new(unassigned, unassigned_json(&plan->unassigned[u])))
            goto fail;
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:{s:f, s:o, s:f, s:f, s:f, s:f, s:f}, s:o, s:o, "
        "s:{s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}}",
        "event", plan->event_slug, "trip", pl_carpool_trip_name(plan->trip), "event_start",
        plan->event_start, "timezone", plan->timezone, "planned", plan->planned, "options",
        "max_detour_pct", o->max_detour_pct, "max_detour_minutes",
        o->max_detour_minutes < 0 ? json_null() : json_real(o->max_detour_minutes), "road_factor",
        o->road_factor, "speed_kmh", o->speed_kmh, "stop_minutes", o->stop_minutes,
        "margin_minutes", o->margin_minutes, "co2_kg_per_km", o->co2_kg_per_km, "groups", groups,
        "unassigned", unassigned, "totals", "cars", (json_int_t)t->cars, "passengers",
        (json_int_t)t->passengers, "riders", (json_int_t)t->riders, "riders_seated",
        (json_int_t)t->riders_seated, "vehicle_km", real_rounded(t->vehicle_km, 1e3),
        "vehicle_km_alone", real_rounded(t->vehicle_km_alone, 1e3), "vehicle_km_avoided",
        real_rounded(t->vehicle_km_avoided, 1e3), "co2_avoided_kg",
        real_rounded(t->co2_avoided_kg, 1e3));
fail:
    json_decref(groups);
    json_decref(unassigned);
    return NULL;
}

const char *pl_carpool_role_in_plan_name(pl_carpool_role_in_plan role)
{
    switch (role) {
    case PL_CARPOOL_AS_DRIVER:
        return "driver";
    case PL_CARPOOL_AS_PASSENGER:
        return "passenger";
    case PL_CARPOOL_AS_UNASSIGNED:
        return "unassigned";
    default:
        return "none";
    }
}

/* Why a has no group: a stable code and one line; both NULL when it has one. */
static void why_none(const pl_carpool_assignment *a, const char **code, const char **detail)
{
    if (a->unassigned) {
        *code = a->unassigned->code;
        *detail = a->unassigned->reason;
    } else if (a->reason) {
        *code = "not_planned";
        *detail = a->reason;
    }
}

json_t *pl_carpool_assignment_to_json(const pl_carpool_assignment *a)
{
    json_t *pickup = json_null(), *group = json_null();
    const char *code = NULL, *detail = NULL;

    if (a->self) {
        pickup =
            json_pack("{s:s, s:o, s:o, s:o, s:o}", "time", a->self->time, "origin",
                      str_or_null(a->self->origin), "place", str_or_null(a->self->place), "lat",
                      real_rounded(a->self->lat, 1e6), "lon", real_rounded(a->self->lon, 1e6));
        group = pl_carpool_group_to_json_trip(a->group, a->plan->trip);
    }
    why_none(a, &code, &detail);
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "event", a->plan->event_slug,
                     "name", a->name, "email", a->email, "role",
                     pl_carpool_role_in_plan_name(a->role), "group", group, "pickup", pickup,
                     "reason", str_or_null(code), "detail", str_or_null(detail));
}

static json_t *stop_json(const pl_carpool_assignment *a, const pl_carpool_member *m, int driver)
{
    pl_carpool_seen seen;

    pl_carpool_member_seen(&seen, a, m);
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b}", "role",
                     driver ? "driver" : "passenger", "name", seen.name, "time", m->time, "place",
                     str_or_null(seen.place[0] ? seen.place : NULL), "phone",
                     str_or_null(seen.phone), "lat", real_rounded(m->lat, 1e6), "lon",
                     real_rounded(m->lon, 1e6), "self", seen.is_self);
}

json_t *pl_carpool_assignment_to_member_json(const pl_carpool_assignment *a)
{
    const pl_carpool_saved_group *g = a->group;
    json_t *stops = json_null(), *pickup = json_null();
    const char *code = NULL, *detail = NULL;

    if (g && a->self) {
        char where[512];
        if (!(stops = json_array()) ||
            json_array_append_new(stops, stop_json(a, &g->driver, 1)) != 0)
            goto fail;
        for (size_t k = 0; k < g->npassengers; k++)
            if (json_array_append_new(stops, stop_json(a, &g->passengers[k], 0)) != 0)
                goto fail;
        pl_carpool_member_where(where, sizeof(where), a->self);
        pickup = json_pack("{s:s, s:s, s:o, s:o}", "time", a->self->time, "place", where, "lat",
                           real_rounded(a->self->lat, 1e6), "lon", real_rounded(a->self->lon, 1e6));
    }
    why_none(a, &code, &detail);
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "role",
                     pl_carpool_role_in_plan_name(a->role), "group",
                     g ? json_integer(g->number) : json_null(), "confirmed",
                     g ? json_boolean(g->confirmed) : json_null(), "departure_time",
                     str_or_null(g ? g->departure : NULL), "arrival_time",
                     str_or_null(g ? g->arrival : NULL), "pickup", pickup, "stops", stops, "reason",
                     str_or_null(code), "detail", str_or_null(detail));
fail:
    json_decref(stops);
    return NULL;
}
