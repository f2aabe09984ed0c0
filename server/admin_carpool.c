/*
 * admin_carpool.c - an event's carpools for its organisers: plan them with
 * the options of `planner carpool plan`, see the groups on a map and in a
 * table, confirm them, and plan again keeping the confirmed groups.
 *
 * The organiser's changes to the stored cars, as `planner carpool move /
 * together / exclude / lock` do them (the same core functions): forms under
 * the groups, people picked by name; the record of the changes to
 * confirmed cars (`planner carpool changes`) at the bottom.
 *
 * The plan runs in the request, with the same core function as the command
 * line (pl_carpool_plan_event). Origins the gazetteer cannot place are read
 * from the cache of the geocoder the organiser set with `carpool plan
 * --geocoder` (no request is made from a page: run the command line to ask
 * it about new origins).
 */
#include "admin.h"
#include "carpool_plan.h"
#include "carpool_summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEOCODER_SETTING "geocoder_url"

/* A posted number within [lo, hi]; def when empty. 0 or -1. */
static int number(double *out, const char *s, double def, double lo, double hi)
{
    char buf[64], *end;

    if (!s || !*s) {
        *out = def;
        return 0;
    }
    snprintf(buf, sizeof(buf), "%s", s);
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '.';
    *out = strtod(buf, &end);
    return *end || *out < lo || *out > hi ? -1 : 0;
}

static void fmt(char *out, size_t size, double v)
{
    snprintf(out, size, "%g", v);
}

/* ---- the map ---- */

typedef struct box {
    double minlat, maxlat, minlon, maxlon, k; /* k: cos of the mean latitude */
} box;

static void grow(box *b, double lat, double lon)
{
    if (lat < b->minlat)
        b->minlat = lat;
    if (lat > b->maxlat)
        b->maxlat = lat;
    if (lon < b->minlon)
        b->minlon = lon;
    if (lon > b->maxlon)
        b->maxlon = lon;
}

static void xy(const box *b, double lat, double lon, double *x, double *y)
{
    double w = (b->maxlon - b->minlon) * b->k, h = b->maxlat - b->minlat;
    double scale = 560.0 / (w > h ? (w > 0 ? w : 1e-6) : (h > 0 ? h : 1e-6));

    *x = 20 + (lon - b->minlon) * b->k * scale;
    *y = 20 + (b->maxlat - lat) * scale;
}

/* Every group's route to the venue, drawn as inline SVG (no tiles, nothing
 * fetched): equirectangular, north up. */
static void plan_map(srv_html *h, const adm *a, const pl_event *ev,
                     const pl_carpool_saved_plan *plan)
{
    static const char *const colours[] = {"#0b5cad", "#a1160a", "#17663a",
                                          "#7a4b00", "#5b2a86", "#00626b"};
    box b = {ev->venue_lat, ev->venue_lat, ev->venue_lon, ev->venue_lon, 1};
    double x, y, vx, vy;

    if (!ev->has_geo || plan->ngroups == 0)
        return;
    for (size_t g = 0; g < plan->ngroups; g++) {
        grow(&b, plan->groups[g].driver.lat, plan->groups[g].driver.lon);
        for (size_t p = 0; p < plan->groups[g].npassengers; p++)
            grow(&b, plan->groups[g].passengers[p].lat, plan->groups[g].passengers[p].lon);
    }
    b.k = cos((b.minlat + b.maxlat) / 2 * M_PI / 180);
    xy(&b, ev->venue_lat, ev->venue_lon, &vx, &vy);
    srv_html_emit(h,
                  "<svg viewBox=\"0 0 600 600\" width=\"100%%\" style=\"max-width:36rem\" "
                  "role=\"img\" aria-labelledby=\"map-title\"><title id=\"map-title\">%s</title>"
                  "<rect width=\"600\" height=\"600\" fill=\"#f5f7f9\"/>\n",
                  TX(a, ADMIN_MAP_OF_THE_ROUTES_TO));
    for (size_t g = 0; g < plan->ngroups; g++) {
        const pl_carpool_saved_group *gr = &plan->groups[g];
        const char *c = colours[g % 6];
        char pts[64];
        srv_html_emit(h, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", c);
        xy(&b, gr->driver.lat, gr->driver.lon, &x, &y);
        snprintf(pts, sizeof(pts), "%.1f,%.1f ", x, y);
        srv_html_emit(h, "%s", pts);
        for (size_t p = 0; p < gr->npassengers; p++) {
            xy(&b, gr->passengers[p].lat, gr->passengers[p].lon, &x, &y);
            snprintf(pts, sizeof(pts), "%.1f,%.1f ", x, y);
            srv_html_emit(h, "%s", pts);
        }
        snprintf(pts, sizeof(pts), "%.1f,%.1f", vx, vy);
        srv_html_emit(h, "%s\"/>\n", pts);
        xy(&b, gr->driver.lat, gr->driver.lon, &x, &y);
        snprintf(pts, sizeof(pts), "cx=\"%.1f\" cy=\"%.1f\"", x, y);
        srv_html_emit(h, "<circle %s r=\"6\" fill=\"%s\"/>", pts, c);
        for (size_t p = 0; p < gr->npassengers; p++) {
            xy(&b, gr->passengers[p].lat, gr->passengers[p].lon, &x, &y);
            snprintf(pts, sizeof(pts), "cx=\"%.1f\" cy=\"%.1f\"", x, y);
            srv_html_emit(h, "<circle %s r=\"4\" fill=\"#fff\" stroke=\"%s\"/>", pts, c);
        }
        srv_html_emit(h, "\n");
    }
    {
        char sq[80];
        snprintf(sq, sizeof(sq), "x=\"%.1f\" y=\"%.1f\"", vx - 7, vy - 7);
        srv_html_emit(h, "<rect %s width=\"14\" height=\"14\" fill=\"#1b1f24\"/></svg>\n", sq);
    }
}

/* ---- the page ---- */

static void options_form(srv_html *h, adm *a, const pl_event *ev, const pl_carpool_saved_plan *plan)
{
    pl_carpool_options def;
    char detour[32], minutes[32], road[32], co2[32];
    pl_carpool_plan_options o;
    int repost = a->repost;

    /* another form of the page refused (move, together...): these fields
     * show the plan's values, not what that form posted */
    size_t plen = a->req->path ? strlen(a->req->path) : 0;
    if (plen < 13 || strcmp(a->req->path + plen - 13, "/carpool/plan") != 0)
        a->repost = 0;
    pl_carpool_plan_options_init(&o);
    def = plan ? plan->options : o.engine;
    fmt(detour, sizeof(detour), def.max_detour_pct);
    if (def.max_detour_minutes < 0)
        snprintf(minutes, sizeof(minutes), "none");
    else
        fmt(minutes, sizeof(minutes), def.max_detour_minutes);
    fmt(road, sizeof(road), def.road_factor);
    fmt(co2, sizeof(co2), def.co2_kg_per_km);
    srv_html_emit(h,
                  "<h2 id=\"plan\">%s</h2>\n<form method=\"post\" "
                  "action=\"/admin/e/%u/carpool/plan\" class=\"stack\">\n",
                  plan ? TX(a, ADMIN_PLAN_AGAIN) : TX(a, ADMIN_PLAN_THE_CARPOOLS), ev->slug);
    adm_csrf_field(h, a);
    adm_input(h, a, "text", "max_detour", TX(a, ADMIN_LARGEST_DETOUR), detour,
              TX(a, ADMIN_A_DRIVERS_ROUTE_AT_MOST), 0);
    adm_input(h, a, "text", "max_detour_minutes", TX(a, ADMIN_LARGEST_DETOUR_MINUTES), minutes,
              TX(a, ADMIN_STOPS_INCLUDED_NONE_NO_CAP), 0);
    adm_input(h, a, "text", "road_factor", TX(a, ADMIN_ROAD_FACTOR), road,
              TX(a, ADMIN_ROAD_KM_GREAT_CIRCLE_KM), 0);
    adm_input(h, a, "text", "co2_factor", TX(a, ADMIN_KG_CO2E_PER_KM), co2, NULL, 0);
    srv_html_emit(h,
                  "<div><label class=\"check\"><input type=\"checkbox\" name=\"keep_confirmed\" "
                  "value=\"1\"%s> %s</label></div>\n<div><button type=\"submit\">%s</button></div>"
                  "</form>\n",
                  plan ? " checked" : "", TX(a, ADMIN_KEEP_THE_CONFIRMED_GROUPS_AS),
                  TX(a, ADMIN_PLAN));
    a->repost = repost;
}

static void person(srv_html *h, const pl_carpool_member *m)
{
    srv_html_emit(h, "%t <span class=\"muted\">(%t)</span>", m->name,
                  m->place ? m->place : m->origin);
}

static void groups_table(srv_html *h, const adm *a, const pl_event *ev,
                         const pl_carpool_saved_plan *plan)
{
    char km[64];

    snprintf(km, sizeof(km), "%.0f km, %.0f kg CO2e", plan->totals.vehicle_km_avoided,
             plan->totals.co2_avoided_kg);
    srv_html_emit(h, "<h2 id=\"groups\">%s</h2>\n<p>%z %s · %z %s · %s %t</p>\n",
                  TX(a, ADMIN_GROUPS), plan->totals.cars, TX(a, ADMIN_CARS),
                  plan->totals.passengers, TX(a, ADMIN_PASSENGERS), TX(a, ADMIN_AVOIDED), km);
    /* who the counts are about, adding up (carpool_summary.h) */
    {
        char words[2048], *line = words, *nl;
        pl_carpool_summary_text(words, sizeof(words), a->french ? PL_LANG_FR : PL_LANG_EN, plan);
        for (; (nl = strchr(line, '\n')); line = nl + 1) {
            *nl = '\0';
            srv_html_emit(h, "<p>%t</p>\n", line);
        }
    }
    plan_map(h, a, ev, plan);
    adm_table_wrap(h, "groups");
    srv_html_emit(h,
                  "<table><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                  "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                  "</tr></thead><tbody>\n",
                  TX(a, ADMIN_CAR), TX(a, ADMIN_DRIVER_LEAVES), TX(a, ADMIN_PASSENGERS_PICKUP),
                  TX(a, ADMIN_KM_DETOUR), TX(a, ADMIN_CONFIRMED));
    for (size_t g = 0; g < plan->ngroups; g++) {
        const pl_carpool_saved_group *gr = &plan->groups[g];
        char dist[48];
        snprintf(dist, sizeof(dist), "%.1f (%.1f)", gr->distance_km, gr->detour_km);
        srv_html_emit(h, "<tr><th scope=\"row\">%d</th><td>", gr->number);
        person(h, &gr->driver);
        srv_html_emit(h, " %t</td><td>", adm_hhmm(gr->departure));
        if (!gr->npassengers)
            srv_html_emit(h, "%s", TX(a, ADMIN_ALONE));
        for (size_t p = 0; p < gr->npassengers; p++) {
            srv_html_emit(h, "%s", p ? "<br>" : "");
            person(h, &gr->passengers[p]);
            srv_html_emit(h, " %t", adm_hhmm(gr->passengers[p].time));
        }
        srv_html_emit(h, "</td><td>%t</td><td>", dist);
        if (gr->confirmed) {
            srv_html_emit(h, "%s", TX(a, ADMIN_YES));
        } else if (gr->npassengers) {
            srv_html_emit(h,
                          "<form method=\"post\" action=\"/admin/e/%u/carpool/confirm\" "
                          "class=\"inline\"><input type=\"hidden\" name=\"driver_email\" "
                          "value=\"%a\">",
                          ev->slug, gr->driver.email);
            adm_csrf_field(h, a);
            srv_html_emit(h,
                          "<button type=\"submit\" class=\"secondary\" aria-label=\"%s %d\">%s"
                          "</button></form>",
                          TX(a, ADMIN_CONFIRM_CAR), gr->number, TX(a, ADMIN_CONFIRM));
        } else {
            srv_html_emit(h, "—");
        }
        srv_html_emit(h, "</td></tr>\n");
    }
    srv_html_emit(h, "</tbody></table></div>\n");
    srv_html_emit(h, "<form method=\"post\" action=\"/admin/e/%u/carpool/confirm\">", ev->slug);
    adm_csrf_field(h, a);
    srv_html_emit(h,
                  "<input type=\"hidden\" name=\"all\" value=\"1\"><p><button type=\"submit\">%s"
                  "</button></p></form>\n",
                  TX(a, ADMIN_CONFIRM_EVERY_GROUP));
    if (plan->nunassigned) {
        srv_html_emit(h, "<h3>%s</h3>\n<ul>\n", TX(a, ADMIN_WITHOUT_A_SEAT_AND_WHY));
        for (size_t u = 0; u < plan->nunassigned; u++) {
            const pl_carpool_saved_unassigned *x = &plan->unassigned[u];
            const char *summary =
                pl_carpool_why_short(a->french ? PL_LANG_FR : PL_LANG_EN, x->code);
            srv_html_emit(h, "<li>%t (%t)%s", x->name, x->origin, a->french ? " : " : ": ");
            /* the plan's detail (English, said so) only says more for an
             * origin: which communes matched, what was typed */
            if (x->code && x->reason && *x->reason && strncmp(x->code, "origin_", 7) == 0)
                srv_html_emit(h, "%t — <span lang=\"en\">%t</span>", summary, x->reason);
            else
                srv_html_emit(h, "%t", summary);
            srv_html_emit(h, "</li>\n");
        }
        srv_html_emit(h, "</ul>\n");
    }
    srv_html_emit(h,
                  "<p><a href=\"/admin/e/%u/carpool.xlsx\">carpool.xlsx</a> · "
                  "<a href=\"/admin/e/%u/carpool.csv\">carpool.csv</a> · "
                  "<a href=\"/admin/e/%u/carpool.geojson\">carpool.geojson</a></p>\n",
                  ev->slug, ev->slug, ev->slug);
}

/* ---- the organiser's changes ---- */

/* Everyone of a plan, for the selects: value e-mail, label "Name (e-mail)". */
typedef struct people {
    const char **values, **labels;
    char **owned;
    size_t n;
} people;

static void people_free(people *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->owned[i]);
    free(p->values);
    free(p->labels);
    free(p->owned);
    memset(p, 0, sizeof(*p));
}

static void people_add(people *p, const char *name, const char *email)
{
    char *label;
    size_t len;

    if (!email)
        return;
    for (size_t i = 1; i < p->n; i++)
        if (strcmp(p->values[i], email) == 0)
            return;
    len = strlen(name ? name : "") + strlen(email) + 4;
    if (!(label = malloc(len)))
        return;
    snprintf(label, len, "%s (%s)", name ? name : "", email);
    p->values[p->n] = email;
    p->labels[p->n] = label;
    p->owned[p->n++] = label;
}

/* drivers: only the drivers (any car); else everyone, drivers first. The
 * first entry is "choose" (value ""). */
static int people_of(people *p, const adm *a, const pl_carpool_saved_plan *plan, int drivers)
{
    size_t max = 2 + plan->nunassigned;

    for (size_t g = 0; g < plan->ngroups; g++)
        max += 1 + plan->groups[g].npassengers;
    memset(p, 0, sizeof(*p));
    p->values = calloc(max, sizeof(*p->values));
    p->labels = calloc(max, sizeof(*p->labels));
    p->owned = calloc(max, sizeof(*p->owned));
    if (!p->values || !p->labels || !p->owned) {
        people_free(p);
        return -1;
    }
    p->values[0] = "";
    p->labels[0] = TX(a, ADMIN_CARPOOL_PICK);
    p->owned[0] = NULL;
    p->n = 1;
    for (size_t g = 0; g < plan->ngroups; g++)
        people_add(p, plan->groups[g].driver.name, plan->groups[g].driver.email);
    for (size_t g = 0; !drivers && g < plan->ngroups; g++)
        for (size_t k = 0; k < plan->groups[g].npassengers; k++)
            people_add(p, plan->groups[g].passengers[k].name, plan->groups[g].passengers[k].email);
    for (size_t u = 0; !drivers && u < plan->nunassigned; u++)
        people_add(p, plan->unassigned[u].name, plan->unassigned[u].email);
    return 0;
}

/* A checkbox with its label, and a hint tied to it (may be NULL). */
static void check(srv_html *h, const char *id, const char *name, const char *label,
                  const char *hint)
{
    srv_html_emit(h,
                  "<div><label class=\"check\" for=\"%a\"><input type=\"checkbox\" id=\"%a\" "
                  "name=\"%a\" value=\"1\"",
                  id, id, name);
    if (hint)
        srv_html_emit(h, " aria-describedby=\"%a-hint\"", id);
    srv_html_emit(h, "> %t</label>", label);
    if (hint)
        srv_html_emit(h, "<span class=\"hint\" id=\"%a-hint\">%t</span>", id, hint);
    srv_html_emit(h, "</div>\n");
}

static void change_forms(srv_html *h, adm *a, const pl_event *ev, const pl_carpool_saved_plan *plan,
                         int has_return)
{
    people all, drivers;
    const char *trips[] = {"outbound", "return", NULL};
    const char *trip_labels[] = {TX(a, ADMIN_CARPOOL_OUTBOUND), TX(a, ADMIN_CARPOOL_RETURN), NULL};
    const char *choices[] = {"exclude", "include", "lock", "unlock", NULL};
    const char *choice_labels[] = {TX(a, ADMIN_CARPOOL_EXCLUDE), TX(a, ADMIN_CARPOOL_INCLUDE),
                                   TX(a, ADMIN_CARPOOL_LOCK), TX(a, ADMIN_CARPOOL_UNLOCK), NULL};

    if (people_of(&all, a, plan, 0) < 0)
        return;
    if (people_of(&drivers, a, plan, 1) < 0) {
        people_free(&all);
        return;
    }
    all.values[all.n] = drivers.values[drivers.n] = NULL;
    all.labels[all.n] = drivers.labels[drivers.n] = NULL;
    srv_html_emit(h, "<h2 id=\"change\">%s</h2>\n", TX(a, ADMIN_CARPOOL_CHANGE_CARS));

    a->idp = "mv-";
    srv_html_emit(h,
                  "<form method=\"post\" action=\"/admin/e/%u/carpool/move\" class=\"stack\" "
                  "id=\"move\"><fieldset><legend>%s</legend>\n",
                  ev->slug, TX(a, ADMIN_CARPOOL_MOVE));
    adm_csrf_field(h, a);
    adm_select(h, a, "email", TX(a, ADMIN_CARPOOL_MOVE_WHO), "", all.values, all.labels);
    adm_select(h, a, "to", TX(a, ADMIN_CARPOOL_MOVE_TO), "", drivers.values, drivers.labels);
    if (has_return)
        adm_select(h, a, "trip", TX(a, ADMIN_CARPOOL_TRIP), "outbound", trips, trip_labels);
    check(h, "mv-force", "force", TX(a, ADMIN_CARPOOL_FORCE), TX(a, ADMIN_CARPOOL_FORCE_HINT));
    srv_html_emit(h, "<div><button type=\"submit\">%s</button></div></fieldset></form>\n",
                  TX(a, ADMIN_CARPOOL_MOVE_BUTTON));

    a->idp = "tg-";
    srv_html_emit(h,
                  "<form method=\"post\" action=\"/admin/e/%u/carpool/together\" "
                  "class=\"stack\" id=\"together\"><fieldset><legend>%s</legend>\n",
                  ev->slug, TX(a, ADMIN_CARPOOL_TOGETHER));
    adm_csrf_field(h, a);
    adm_select(h, a, "email_a", TX(a, ADMIN_CARPOOL_FIRST), "", all.values, all.labels);
    adm_select(h, a, "email_b", TX(a, ADMIN_CARPOOL_SECOND), "", all.values, all.labels);
    check(h, "tg-off", "off", TX(a, ADMIN_CARPOOL_TOGETHER_OFF), NULL);
    srv_html_emit(h, "<div><button type=\"submit\">%s</button></div></fieldset></form>\n",
                  TX(a, ADMIN_CARPOOL_TOGETHER_BUTTON));

    a->idp = "ch-";
    srv_html_emit(h,
                  "<form method=\"post\" action=\"/admin/e/%u/carpool/choice\" class=\"stack\" "
                  "id=\"choice\"><fieldset><legend>%s</legend>\n",
                  ev->slug, TX(a, ADMIN_CARPOOL_CHOICE));
    adm_csrf_field(h, a);
    adm_select(h, a, "email", TX(a, ADMIN_CARPOOL_PERSON), "", all.values, all.labels);
    adm_select(h, a, "choice", TX(a, ADMIN_CARPOOL_WHAT), "exclude", choices, choice_labels);
    srv_html_emit(h, "<div><button type=\"submit\">%s</button></div></fieldset></form>\n",
                  TX(a, ADMIN_CARPOOL_CHOICE_BUTTON));
    a->idp = NULL;
    people_free(&all);
    people_free(&drivers);
}

static const char *what_text(const adm *a, const char *what)
{
    if (strcmp(what, "joined") == 0)
        return TX(a, ADMIN_CARPOOL_WHAT_JOINED);
    if (strcmp(what, "left") == 0)
        return TX(a, ADMIN_CARPOOL_WHAT_LEFT);
    if (strcmp(what, "lost_seat") == 0)
        return TX(a, ADMIN_CARPOOL_WHAT_LOST_SEAT);
    if (strcmp(what, "driver_cancelled") == 0)
        return TX(a, ADMIN_CARPOOL_WHAT_DRIVER_CANCELLED);
    if (strcmp(what, "driver_declined") == 0)
        return TX(a, ADMIN_CARPOOL_WHAT_DRIVER_DECLINED);
    if (strcmp(what, "moved") == 0)
        return TX(a, ADMIN_CARPOOL_WHAT_MOVED);
    return what;
}

/* What `planner carpool changes` lists. */
static void changes_table(srv_html *h, const adm *a, const pl_event *ev)
{
    pl_carpool_change *list = NULL;
    size_t n = 0;

    if (pl_carpool_changes_list(&list, &n, a->req->store, ev->slug, NULL) < 0)
        return;
    srv_html_emit(h, "<h2 id=\"changes\">%s</h2>\n", TX(a, ADMIN_CARPOOL_CHANGES));
    if (n == 0) {
        srv_html_emit(h, "<p>%s</p>\n", TX(a, ADMIN_CARPOOL_NO_CHANGE));
        return;
    }
    srv_html_emit(h,
                  "<table id=\"changes-table\"><thead><tr><th scope=\"col\">%s</th>"
                  "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                  "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>\n",
                  TX(a, ADMIN_CARPOOL_WHEN), TX(a, ADMIN_CARPOOL_TRIP), TX(a, ADMIN_CARPOOL_CHANGE),
                  TX(a, ADMIN_CARPOOL_PERSON), TX(a, ADMIN_CARPOOL_CAR_OF),
                  TX(a, ADMIN_CARPOOL_FROM_CAR_OF));
    for (size_t i = 0; i < n; i++) {
        const pl_carpool_change *c = &list[i];
        srv_html_emit(h,
                      "<tr><td>%t</td><td>%s</td><td data-what=\"%a\">%t</td><td>%t (%t)</td>"
                      "<td>%t</td><td>%t</td></tr>\n",
                      c->at,
                      strcmp(c->trip, "return") == 0 ? TX(a, ADMIN_CARPOOL_RETURN)
                                                     : TX(a, ADMIN_CARPOOL_OUTBOUND),
                      c->what, what_text(a, c->what), c->name ? c->name : "",
                      c->email ? c->email : "", c->driver_email ? c->driver_email : "—",
                      c->from_email ? c->from_email : "");
    }
    srv_html_emit(h, "</tbody></table>\n");
    pl_carpool_changes_free(list, n);
}

/* The notice of a change done: ?done=1 (saved), ?done=next (from the next
 * plan), ?done=move&before=KM&after=KM[&over=1]. */
static void done_notice(srv_html *h, const adm *a, const char *done)
{
    struct MHD_Connection *c = a->req->conn;
    if (strcmp(done, "next") == 0) {
        srv_html_emit(h, "<p class=\"notice\" role=\"status\">%s</p>\n",
                      TX(a, ADMIN_CARPOOL_NEXT_PLAN));
    } else if (strcmp(done, "move") == 0) {
        const char *before = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "before");
        const char *after = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "after");
        const char *over = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "over");
        double b = before ? strtod(before, NULL) : 0, f = after ? strtod(after, NULL) : 0;
        char nums[96];
        snprintf(nums, sizeof(nums), "%.1f", b);
        srv_html_emit(h, "<p class=\"notice\" role=\"status\" id=\"moved\">%s %s, %s ",
                      TX(a, ADMIN_CARPOOL_MOVED), nums, TX(a, ADMIN_CARPOOL_AFTER));
        snprintf(nums, sizeof(nums), "%.1f (%+.1f)", f, f - b);
        srv_html_emit(h, "%s%s%s.</p>\n", nums, over ? " — " : "",
                      over ? TX(a, ADMIN_CARPOOL_OVER) : "");
    } else {
        srv_html_emit(h, "<p class=\"notice\" role=\"status\">%s</p>\n", TX(a, ADMIN_SAVED));
    }
}

static int carpool_page(adm *a, const pl_event *ev, unsigned status)
{
    srv_html h = {PL_BUF_INIT, 0};
    pl_carpool_saved_plan *plan = NULL, *home = NULL;
    const char *done = MHD_lookup_connection_value(a->req->conn, MHD_GET_ARGUMENT_KIND, "done");

    pl_carpool_plan_load(&plan, a->req->store, ev->slug, NULL);
    pl_carpool_plan_load_trip(&home, a->req->store, ev->slug, PL_CARPOOL_RETURN, NULL);
    adm_page_start(&h, a, TX(a, ADMIN_CARPOOL), ev->slug);
    if (done && !*a->err_msg)
        done_notice(&h, a, done);
    adm_error_summary(&h, a);
    srv_html_emit(&h, "<p>%t</p>\n", ev->title);
    if (strcmp(ev->format, "online") == 0)
        srv_html_emit(&h, "<p>%s</p>\n", TX(a, ADMIN_AN_ONLINE_EVENT_NO_CARPOOL));
    else if (!plan)
        srv_html_emit(&h, "<p>%s</p>\n", TX(a, ADMIN_NO_PLAN_YET));
    else
        groups_table(&h, a, ev, plan);
    if (plan)
        change_forms(&h, a, ev, plan, home != NULL);
    if (strcmp(ev->format, "online") != 0)
        options_form(&h, a, ev, plan);
    if (plan)
        changes_table(&h, a, ev);
    pl_carpool_saved_plan_free(plan);
    pl_carpool_saved_plan_free(home);
    return adm_page_reply(a, status, &h);
}

int adm_carpool_page(adm *a)
{
    pl_event *ev = NULL;
    int r;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    r = carpool_page(a, ev, 200);
    pl_event_free(ev);
    return r;
}

static int back(adm *a)
{
    char where[300];

    snprintf(where, sizeof(where), "/admin/e/%s/carpool?done=1#groups", a->args[0]);
    return adm_redirect(a, where);
}

int adm_carpool_plan(adm *a)
{
    pl_carpool_plan_options opts;
    pl_geocoder g = {NULL, NULL, NULL};
    const char *keep = srv_field_get(a->req, "keep_confirmed");
    const char *minutes = srv_field_get(a->req, "max_detour_minutes");
    char *url = NULL;
    pl_event *ev = NULL;
    pl_error err;
    int rc, r;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    pl_carpool_plan_options_init(&opts);
    pl_error_clear(&err);
    rc = 0;
    if (number(&opts.engine.max_detour_pct, srv_field_get(a->req, "max_detour"),
               opts.engine.max_detour_pct, 0, 1000) < 0)
        rc = pl_error_set_at(&err, PL_EINVALID, NULL, 0, 0, "max_detour", "%s",
                             TX(a, ADMIN_A_PERCENTAGE_FROM_0_TO));
    if (rc == 0 && minutes && strcmp(minutes, "none") == 0)
        opts.engine.max_detour_minutes = PL_CARPOOL_UNLIMITED;
    else if (rc == 0 && number(&opts.engine.max_detour_minutes, minutes,
                               opts.engine.max_detour_minutes, 0, 24 * 60) < 0)
        rc = pl_error_set_at(&err, PL_EINVALID, NULL, 0, 0, "max_detour_minutes", "%s",
                             TX(a, ADMIN_MINUTES_FROM_0_TO_1440));
    if (rc == 0 && number(&opts.engine.road_factor, srv_field_get(a->req, "road_factor"),
                          opts.engine.road_factor, 1, 3) < 0)
        rc = pl_error_set_at(&err, PL_EINVALID, NULL, 0, 0, "road_factor", "%s",
                             TX(a, ADMIN_A_FACTOR_FROM_1_TO));
    if (rc == 0 && number(&opts.engine.co2_kg_per_km, srv_field_get(a->req, "co2_factor"),
                          opts.engine.co2_kg_per_km, 0, 10) < 0)
        rc = pl_error_set_at(&err, PL_EINVALID, NULL, 0, 0, "co2_factor", "%s",
                             TX(a, ADMIN_KG_FROM_0_TO_10));
    if (rc == 0) {
        opts.keep_confirmed = keep && strcmp(keep, "1") == 0;
        if (pl_setting_get(&url, a->req->store, GEOCODER_SETTING, NULL) == 0 && url &&
            strcmp(url, "none") != 0) {
            g.url = url; /* its cache only: no request from a page */
            opts.geocoder = &g;
        }
        rc = pl_carpool_plan_event(NULL, a->req->store, ev->slug, &opts, &err);
    }
    free(url);
    if (rc == 0) {
        srv_changed(a->req->srv);
        pl_event_free(ev);
        return back(a);
    }
    adm_set_error(a, &err);
    r = carpool_page(a, ev, srv_status_for(rc));
    pl_event_free(ev);
    return r;
}

int adm_carpool_confirm(adm *a)
{
    const char *email = srv_field_get(a->req, "driver_email");
    pl_event *ev = NULL;
    pl_error err;
    int rc, r;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    rc = pl_carpool_confirm(NULL, a->req->store, ev->slug, email && *email ? email : NULL, &err);
    if (rc == 0) {
        srv_changed(a->req->srv);
        pl_event_free(ev);
        return back(a);
    }
    adm_set_error(a, &err);
    r = carpool_page(a, ev, srv_status_for(rc));
    pl_event_free(ev);
    return r;
}

/* The page again with err, answered with its status. */
static int refused(adm *a, pl_event *ev, int rc, const pl_error *err)
{
    int r;

    adm_set_error(a, err);
    r = carpool_page(a, ev, srv_status_for(rc));
    pl_event_free(ev);
    return r;
}

static int picked(const char *s)
{
    return s && *s;
}

static int back_to(adm *a, pl_event *ev, const char *query)
{
    char where[400];

    srv_changed(a->req->srv);
    pl_event_free(ev);
    snprintf(where, sizeof(where), "/admin/e/%s/carpool?%s", a->args[0], query);
    return adm_redirect(a, where);
}

/* POST /admin/e/SLUG/carpool/move: email, to (a driver), trip, force. */
int adm_carpool_move(adm *a)
{
    const char *email = srv_field_get(a->req, "email"), *to = srv_field_get(a->req, "to");
    const char *trip_name = srv_field_get(a->req, "trip"), *force = srv_field_get(a->req, "force");
    pl_carpool_trip trip = PL_CARPOOL_OUTBOUND;
    pl_carpool_move_result res;
    pl_event *ev = NULL;
    pl_error err;
    char query[200];
    int rc;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    pl_error_clear(&err);
    if (!picked(email) || !picked(to))
        return refused(
            a, ev, PL_EINVALID,
            (pl_error_set(&err, PL_EINVALID, "%s", TX(a, ADMIN_CARPOOL_PICK_MISSING)), &err));
    if (picked(trip_name) && pl_carpool_trip_parse(&trip, trip_name) < 0)
        return refused(
            a, ev, PL_EINVALID,
            (pl_error_set(&err, PL_EINVALID, "trip: outbound | return, not '%s'", trip_name),
             &err));
    a->idp_error = "mv-";
    rc = pl_carpool_move(&res, a->req->store, ev->slug, email, to, trip, picked(force), &err);
    if (rc < 0)
        return refused(a, ev, rc, &err);
    snprintf(query, sizeof(query), "done=move&before=%.1f&after=%.1f%s#groups",
             res.detour_km_before, res.detour_km_after, res.over_limit ? "&over=1" : "");
    return back_to(a, ev, query);
}

/* POST /admin/e/SLUG/carpool/together: email_a, email_b, off. */
int adm_carpool_together(adm *a)
{
    const char *ea = srv_field_get(a->req, "email_a"), *eb = srv_field_get(a->req, "email_b");
    int off = picked(srv_field_get(a->req, "off")), rc;
    pl_event *ev = NULL;
    pl_error err;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    pl_error_clear(&err);
    if (!picked(ea) || (!off && !picked(eb)))
        return refused(
            a, ev, PL_EINVALID,
            (pl_error_set(&err, PL_EINVALID, "%s", TX(a, ADMIN_CARPOOL_PICK_MISSING)), &err));
    a->idp_error = "tg-";
    rc = pl_carpool_together_set(a->req->store, ev->slug, ea, picked(eb) ? eb : NULL, !off, &err);
    if (rc < 0)
        return refused(a, ev, rc, &err);
    return back_to(a, ev, "done=next#change");
}

/* POST /admin/e/SLUG/carpool/choice: email, choice (exclude, include, lock,
 * unlock). */
int adm_carpool_choice(adm *a)
{
    const char *email = srv_field_get(a->req, "email"), *what = srv_field_get(a->req, "choice");
    pl_carpool_choice choice;
    pl_event *ev = NULL;
    pl_error err;
    int on, rc;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    pl_error_clear(&err);
    if (!picked(email))
        return refused(
            a, ev, PL_EINVALID,
            (pl_error_set(&err, PL_EINVALID, "%s", TX(a, ADMIN_CARPOOL_PICK_MISSING)), &err));
    if (what && strcmp(what, "exclude") == 0) {
        choice = PL_CARPOOL_EXCLUDE;
        on = 1;
    } else if (what && strcmp(what, "include") == 0) {
        choice = PL_CARPOOL_EXCLUDE;
        on = 0;
    } else if (what && strcmp(what, "lock") == 0) {
        choice = PL_CARPOOL_LOCK;
        on = 1;
    } else if (what && strcmp(what, "unlock") == 0) {
        choice = PL_CARPOOL_LOCK;
        on = 0;
    } else {
        return refused(
            a, ev, PL_EINVALID,
            (pl_error_set(&err, PL_EINVALID, "choice: exclude | include | lock | unlock"), &err));
    }
    a->idp_error = "ch-";
    rc = pl_carpool_choice_set(a->req->store, ev->slug, email, choice, on, &err);
    if (rc < 0)
        return refused(a, ev, rc, &err);
    return back_to(a, ev, "done=next#change");
}
