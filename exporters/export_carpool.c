/*
 * export_carpool.c - `planner export carpool`: the stored carpool plan as a
 * table (xlsx, CSV; also the workshop pack's Carpools sheet), as the plan's
 * JSON, and as a GeoJSON map of the routes.
 */
#include "export_internal.h"

#include "carpool_json.h"
#include "carpool_summary.h"
#include "outfile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Printed: what the drivers and the organiser read on paper, narrow enough
 * to be read when fitted to one landscape page wide (long text wraps). The
 * matched commune, for checking the plan, stays on screen only. */
static const pl_column columns[] = {
    {PL_T_EXPORT_GROUP, "group", PL_COL_INT, 0, 0, 0, 0},
    {PL_T_EXPORT_ROLE, "role", PL_COL_TEXT, 0, 0, 0, 0},
    {PL_T_EXPORT_FULL_NAME, "name", PL_COL_TEXT, 0, 0, 18, 0},
    {PL_T_EXPORT_EMAIL, "email", PL_COL_TEXT, 0, 0, 24, 0},
    {PL_T_EXPORT_PHONE, "phone", PL_COL_TEXT, 0, 0, 0, 0},
    {PL_T_EXPORT_ORGANIZATION, "organization", PL_COL_TEXT, 0, 0, 16, 0},
    {PL_T_EXPORT_ORIGIN, "origin", PL_COL_TEXT, 0, 0, 16, 0},
    {PL_T_EXPORT_PICKUP_ORDER, "pickup_order", PL_COL_INT, 0, 0, 9, 0},
    {PL_T_EXPORT_DATE, "date", PL_COL_DATE, 0, 0, 0, 0},
    {PL_T_EXPORT_PICKUP_TIME, "pickup_time", PL_COL_TIME, 0, 0, 9, 0},
    {PL_T_EXPORT_KM, "distance_km", PL_COL_REAL, 0, 0, 0, 0},
    {PL_T_EXPORT_DETOUR_KM, "detour_km", PL_COL_REAL, 0, 0, 8, 0},
    {PL_T_EXPORT_CONFIRMED, "confirmed", PL_COL_BOOL, 0, 0, 0, 0},
    {PL_T_EXPORT_NO_SEAT_REASON, "reason", PL_COL_TEXT, 0, 0, 18, 0},
    /* the way there, or home: then the order and times are drop-offs */
    {PL_T_EXPORT_TRIP, "trip", PL_COL_TEXT, 0, 0, 0, 0},
    {PL_T_EXPORT_COMMUNE, "commune", PL_COL_TEXT, 0, 0, 0, 1},
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

const pl_table pl_carpool_table = {PL_T_EXPORT_SHEET_CARPOOLS, "carpools", columns, NCOLUMNS,
                                   PL_TABLE_PRINT_LANDSCAPE | PL_TABLE_PRINT_REPEAT_HEADER};

static int by_rowid(const void *a, const void *b)
{
    long long x = (*(const pl_roster_row *const *)a)->rowid;
    long long y = (*(const pl_roster_row *const *)b)->rowid;
    return x < y ? -1 : x > y;
}

/* The roster's row of registration rowid, from the rows sorted by rowid;
 * NULL when it is not there. */
static const pl_roster_row *row_of(const pl_roster_row **by_id, size_t n, long long rowid)
{
    pl_roster_row key = {.rowid = rowid};
    const pl_roster_row *k = &key, **hit;

    hit = bsearch(&k, by_id, n, sizeof(*by_id), by_rowid);
    return hit ? *hit : NULL;
}

static const char *organization_of(const pl_roster_row **by_id, size_t n, long long rowid)
{
    const pl_roster_row *r = row_of(by_id, n, rowid);
    return r ? r->organization : NULL;
}

/* The Trip column: words of the event's language, "outbound" or "return"
 * in JSON. */
#define TRIP_CELL(L, trip)                                                                         \
    {                                                                                              \
        .text = pl_lang_text(L, (trip) == PL_CARPOOL_RETURN ? PL_T_EXPORT_TRIP_RETURN              \
                                                            : PL_T_EXPORT_TRIP_OUTBOUND),          \
        .json = pl_carpool_trip_name(trip)                                                         \
    }

/* Kilometres to the metre, as in the plan's JSON; never below 0. */
static double km(double x)
{
    return x > 0 ? round(x * 1e3) / 1e3 : 0.0;
}

static int member_row(pl_sink *sink, pl_lang L, const pl_carpool_saved_group *g,
                      const pl_carpool_member *m, int order, const char *organization,
                      pl_carpool_trip trip, pl_error *err)
{
    int driver = order == 0;
    /* km and detour once per car, on its driver's row, so that a column sum
     * is the plan's vehicle-km */
    pl_cell row[NCOLUMNS] = {
        {.num = g->number},
        {.text = pl_lang_text(L, driver ? PL_T_COMMON_TRAVEL_DRIVER : PL_T_COMMON_TRAVEL_PASSENGER),
         .json = driver ? "driver" : "passenger"},
        {.text = m->name},
        {.text = m->email},
        {.text = m->phone},
        {.text = organization},
        {.text = m->origin},
        {.num = order},
        {.text = m->time},
        {.text = m->time},
        {.real = km(g->distance_km), .null = !driver},
        {.real = km(g->detour_km), .null = !driver},
        {.num = g->confirmed},
        {.text = NULL},
        TRIP_CELL(L, trip),
        {.text = m->place},
    };
    return pl_sink_row(sink, row, err);
}

int pl_carpool_rows(pl_sink *sink, const pl_roster *roster, const pl_carpool_saved_plan *plan,
                    pl_error *err)
{
    const pl_roster_row **by_id = calloc(roster->nrows ? roster->nrows : 1, sizeof(*by_id));
    size_t n = roster->nrows;
    pl_lang L = pl_event_lang(roster->event);
    int rc = 0;

    if (!by_id)
        return pl_error_oom(err);
    for (size_t i = 0; i < n; i++)
        by_id[i] = &roster->rows[i];
    qsort(by_id, n, sizeof(*by_id), by_rowid);
    for (size_t g = 0; g < plan->ngroups && rc == 0; g++) {
        const pl_carpool_saved_group *sg = &plan->groups[g];
        rc = member_row(sink, L, sg, &sg->driver, 0,
                        organization_of(by_id, n, sg->driver.registration), plan->trip, err);
        for (size_t k = 0; k < sg->npassengers && rc == 0; k++)
            rc = member_row(sink, L, sg, &sg->passengers[k], (int)k + 1,
                            organization_of(by_id, n, sg->passengers[k].registration), plan->trip,
                            err);
    }
    for (size_t u = 0; u < plan->nunassigned && rc == 0; u++) {
        const pl_carpool_saved_unassigned *su = &plan->unassigned[u];
        const pl_roster_row *r = row_of(by_id, n, su->registration);
        pl_origin where;

        pl_origin_resolve(&where, su->origin);
        pl_cell row[NCOLUMNS] = {
            {.null = 1},
            {.text = pl_lang_text(L, PL_T_EXPORT_UNASSIGNED), .json = "unassigned"},
            {.text = su->name},
            {.text = su->email},
            {.text = r ? r->phone : NULL},
            {.text = r ? r->organization : NULL},
            {.text = su->origin},
            {.null = 1},
            {.text = NULL},
            {.text = NULL},
            {.null = 1},
            {.null = 1},
            {.null = 1},
            /* the reason in the event's words; JSON keeps the plan's line */
            {.text = pl_carpool_why_short(L, su->code), .json = su->reason},
            TRIP_CELL(L, plan->trip),
            {.text = where.status == PL_ORIGIN_OK ? where.name : NULL},
        };
        rc = pl_sink_row(sink, row, err);
    }
    free(by_id);
    return rc;
}

/* ---- GeoJSON (RFC 7946) ---- */

/* [lon, lat], 6 decimals (about 10 cm): RFC 7946 puts longitude first. */
static json_t *position(double lat, double lon)
{
    return json_pack("[f, f]", round(lon * 1e6) / 1e6, round(lat * 1e6) / 1e6);
}

static json_t *feature(json_t *geometry, json_t *properties)
{
    return json_pack("{s:s, s:o, s:o}", "type", "Feature", "geometry", geometry, "properties",
                     properties);
}

/* A colour per car, for the viewers that read simplestyle properties
 * (geojson.io, uMap, GitHub); others ignore them. */
static const char *colour(int number)
{
    static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                          "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"};
    return palette[(number - 1 + 10) % 10];
}

/* The way home: a drop-off, or (order 0) the driver's home. */
static json_t *home_stop_feature(const pl_carpool_saved_group *g, const pl_carpool_member *m,
                                 int order)
{
    return feature(
        json_pack("{s:s, s:o}", "type", "Point", "coordinates", position(m->lat, m->lon)),
        json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:o, s:s, s:s}", "kind",
                  order == 0 ? "home" : "dropoff", "trip", "return", "group", g->number, "order",
                  order, "name", m->name, "time", order == 0 ? g->arrival : m->time, "commune",
                  m->place ? json_string(m->place) : json_null(), "marker-color", colour(g->number),
                  "marker-symbol", order == 0 ? "car" : "pitch"));
}

/* The way home: the venue, the drop-offs in order, the driver's home. */
static json_t *home_route_feature(const pl_carpool_saved_group *g, const pl_event *ev)
{
    json_t *line = json_array(), *names = json_array();
    int bad = !line || !names;

    if (ev->has_geo)
        bad |= json_array_append_new(line, position(ev->venue_lat, ev->venue_lon));
    for (size_t k = 0; k < g->npassengers; k++) {
        bad |= json_array_append_new(line, position(g->passengers[k].lat, g->passengers[k].lon));
        bad |= json_array_append_new(names, json_string(g->passengers[k].name));
    }
    bad |= json_array_append_new(line, position(g->driver.lat, g->driver.lon)) != 0;
    if (bad) {
        json_decref(line);
        json_decref(names);
        return NULL;
    }
    return feature(json_pack("{s:s, s:o}", "type", "LineString", "coordinates", line),
                   json_pack("{s:s, s:s, s:i, s:s, s:o, s:i, s:s, s:s, s:f, s:f, s:s, s:i, s:s}",
                             "kind", "route", "trip", "return", "group", g->number, "driver",
                             g->driver.name, "passengers", names, "seats", g->seats,
                             "departure_time", g->departure, "arrival_time", g->arrival,
                             "distance_km", round(g->distance_km * 1e3) / 1e3, "detour_km",
                             round(g->detour_km * 1e3) / 1e3, "stroke", colour(g->number),
                             "stroke-width", 2, "stroke-dasharray", "6 4"));
}

static json_t *stop_feature(const pl_carpool_saved_group *g, const pl_carpool_member *m, int order)
{
    return feature(
        json_pack("{s:s, s:o}", "type", "Point", "coordinates", position(m->lat, m->lon)),
        json_pack("{s:s, s:i, s:i, s:s, s:s, s:o, s:s, s:s}", "kind",
                  order == 0 ? "departure" : "pickup", "group", g->number, "order", order, "name",
                  m->name, "time", m->time, "commune",
                  m->place ? json_string(m->place) : json_null(), "marker-color", colour(g->number),
                  "marker-symbol", order == 0 ? "car" : "pitch"));
}

/* The route: the driver's origin, the pickups in order, the venue. */
static json_t *route_feature(const pl_carpool_saved_group *g, const pl_event *ev)
{
    json_t *line = json_array(), *names = json_array();
    int bad = !line || !names;

    bad |= json_array_append_new(line, position(g->driver.lat, g->driver.lon)) != 0;
    for (size_t k = 0; k < g->npassengers; k++) {
        bad |= json_array_append_new(line, position(g->passengers[k].lat, g->passengers[k].lon));
        bad |= json_array_append_new(names, json_string(g->passengers[k].name));
    }
    if (ev->has_geo)
        bad |= json_array_append_new(line, position(ev->venue_lat, ev->venue_lon));
    if (bad) {
        json_decref(line);
        json_decref(names);
        return NULL;
    }
    return feature(json_pack("{s:s, s:o}", "type", "LineString", "coordinates", line),
                   json_pack("{s:s, s:i, s:s, s:o, s:i, s:s, s:s, s:f, s:f, s:b, s:s, s:i}", "kind",
                             "route", "group", g->number, "driver", g->driver.name, "passengers",
                             names, "seats", g->seats, "departure_time", g->departure,
                             "arrival_time", g->arrival, "distance_km",
                             round(g->distance_km * 1e3) / 1e3, "detour_km",
                             round(g->detour_km * 1e3) / 1e3, "confirmed", g->confirmed, "stroke",
                             colour(g->number), "stroke-width", 4));
}

/* The map: the venue, then each car's route and its stops. New reference,
 * NULL when out of memory. */
static json_t *carpool_geojson(const pl_event *ev, const pl_carpool_saved_plan *plan,
                               const pl_carpool_saved_plan *home)
{
    json_t *features = json_array();
    int bad = !features;

    if (ev->has_geo)
        bad |= json_array_append_new(
            features,
            feature(json_pack("{s:s, s:o}", "type", "Point", "coordinates",
                              position(ev->venue_lat, ev->venue_lon)),
                    json_pack("{s:s, s:s, s:o, s:s, s:s, s:s}", "kind", "venue", "name",
                              ev->venue_name ? ev->venue_name : ev->title, "address",
                              ev->venue_address ? json_string(ev->venue_address) : json_null(),
                              "event_start", plan->event_start, "marker-color", "#000000",
                              "marker-symbol", "star")));
    for (size_t g = 0; g < plan->ngroups && !bad; g++) {
        const pl_carpool_saved_group *sg = &plan->groups[g];
        /* a LineString needs two positions: a driver alone without a venue
         * point has none */
        if (ev->has_geo || sg->npassengers)
            bad |= json_array_append_new(features, route_feature(sg, ev));
        bad |= json_array_append_new(features, stop_feature(sg, &sg->driver, 0));
        for (size_t k = 0; k < sg->npassengers; k++)
            bad |=
                json_array_append_new(features, stop_feature(sg, &sg->passengers[k], (int)k + 1));
    }
    /* the way home, when planned: its routes (dashed) and drop-offs */
    for (size_t g = 0; home && g < home->ngroups && !bad; g++) {
        const pl_carpool_saved_group *sg = &home->groups[g];
        if (ev->has_geo || sg->npassengers)
            bad |= json_array_append_new(features, home_route_feature(sg, ev));
        bad |= json_array_append_new(features, home_stop_feature(sg, &sg->driver, 0));
        for (size_t k = 0; k < sg->npassengers; k++)
            bad |= json_array_append_new(features,
                                         home_stop_feature(sg, &sg->passengers[k], (int)k + 1));
    }
    if (bad) {
        json_decref(features);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:s, s:o}", "type", "FeatureCollection", "event", plan->event_slug,
                     "title", ev->title, "features", features);
}

/* Write doc (stolen) into path, whole or not at all. */
static int write_json_file(const char *path, json_t *doc, size_t flags, pl_error *err)
{
    pl_outfile f;
    int rc;

    if (!doc)
        return pl_error_oom(err);
    if ((rc = pl_outfile_open(&f, path, 1, err)) == 0) {
        if (json_dumpf(doc, f.fp, flags) != 0 || fputc('\n', f.fp) == EOF) {
            pl_outfile_abort(&f);
            rc = pl_error_set(err, PL_EIO, "%s: write failed", path);
        } else {
            rc = pl_outfile_commit(&f, err);
        }
    }
    json_decref(doc);
    return rc;
}

int pl_export_carpool(pl_store *store, const char *slug, const char *path,
                      const pl_export_options *opts, pl_error *err)
{
    pl_carpool_saved_plan *plan = NULL, *home = NULL;
    pl_roster roster;
    pl_sink *sink = NULL;
    char title[512];
    int rc;

    if ((rc = pl_roster_load(&roster, store, slug, PL_ROSTER_ALL, err)) != 0)
        return rc;
    if ((rc = pl_carpool_plan_load(&plan, store, slug, err)) != 0)
        goto done;
    /* the way home, when it is planned */
    rc = pl_carpool_plan_load_trip(&home, store, slug, PL_CARPOOL_RETURN, err);
    if (rc == PL_ENOTFOUND)
        rc = 0;
    else if (rc != 0)
        goto done;
    if (opts->format == PL_EXPORT_JSON) {
        json_t *doc = pl_carpool_plan_to_json(plan);
        if (doc && home && json_object_set_new(doc, "return", pl_carpool_plan_to_json(home)) != 0) {
            json_decref(doc);
            doc = NULL;
        }
        rc = write_json_file(path, doc, PL_CARPOOL_JSON_FLAGS, err);
        goto done;
    }
    if (opts->format == PL_EXPORT_GEOJSON) {
        rc = write_json_file(path, carpool_geojson(roster.event, plan, home),
                             JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12), err);
        goto done;
    }
    {
        pl_sink_options so = pl_export_sink_options(roster.event, opts, PL_T_EXPORT_DOC_CARPOOLS,
                                                    NULL, title, sizeof(title));
        if ((rc = pl_sink_open(&sink, path, &so, err)) != 0)
            goto done;
    }
    if ((rc = pl_sink_begin(sink, &pl_carpool_table, err)) != 0 ||
        (rc = pl_carpool_rows(sink, &roster, plan, err)) != 0 ||
        (home && (rc = pl_carpool_rows(sink, &roster, home, err)) != 0))
        goto done;
    rc = pl_sink_close(sink, err);
done:
    pl_sink_free(sink);
    pl_carpool_saved_plan_free(home);
    pl_carpool_saved_plan_free(plan);
    pl_roster_free(&roster);
    return rc;
}
