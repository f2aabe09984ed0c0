/*
 * page_carpool.c - the carpool group on an attendee's own page (/me/TOKEN):
 * the driver, the fellow passengers, the pickup place and time, and a small
 * map of the route drawn as inline SVG (no tiles, nothing from elsewhere).
 *
 * What one member sees of the others is decided in the core
 * (pl_carpool_member_seen): first names, communes, the driver's phone when
 * given; never an e-mail address.
 *
 * The attendee's own actions sit under their car (me_carpool.c answers
 * them): a driver confirms the car (a form) or declines it, a passenger
 * leaves it (links to a confirmation step, GET /me/TOKEN/carpool/ACTION).
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct words {
    /* labels end with their colon: " :" in French, ":" in English */
    const char *title, *pending, *you_drive, *leave_from, *pick_up, *alone, *you_ride, *driven_by,
        *phone, *pickup, *also, *arrival, *confirmed, *not_confirmed, *no_group, *day_before,
        *venue, *map_label, *why[6];
    /* the way home */
    const char *home_title, *home_drive, *home_leave, *drop_off, *home_alone, *home_ride, *dropoff,
        *home_arrival;
} words;

static const words fr = {
    "Covoiturage",
    "Les groupes de covoiturage ne sont pas encore formés : revenez sur cette page.",
    "Vous conduisez la voiture n°",
    "Départ :",
    "Prises en charge, dans l'ordre :",
    "Vous conduisez seul·e : personne à prendre en charge dans la limite de détour.",
    "Vous voyagez dans la voiture n°",
    ", conduite par",
    "tél.",
    "Prise en charge :",
    "Avec vous :",
    "Arrivée sur place :",
    "Le groupe est confirmé.",
    "Le groupe n'est pas encore confirmé : il peut changer.",
    "Pas de place de covoiturage pour l'instant :",
    "la veille",
    "Lieu",
    "Carte du trajet",
    {"votre commune de départ n'a pas été reconnue : corrigez-la en vous réinscrivant ou "
     "écrivez aux organisateurs",
     "votre commune de départ est ambiguë : précisez le code postal",
     "aucun conducteur ne passe assez près de chez vous",
     "les conducteurs qui passent près de chez vous sont complets",
     "les voitures qui passent près de chez vous ont des places, mais pas le détour pour "
     "vous prendre",
     "les conducteurs qui passent près de chez vous repartent avant vous"},
    "Retour en covoiturage",
    "Au retour, vous conduisez la voiture n°",
    "Départ du lieu :",
    "Déposes, dans l'ordre :",
    "Au retour, vous rentrez seul·e.",
    "Au retour, vous voyagez dans la voiture n°",
    "Dépose :",
    "Arrivée chez vous :",
};

static const words en = {
    "Carpool",
    "Carpool groups are not formed yet: come back to this page.",
    "You drive car",
    "Leave:",
    "Pickups, in order:",
    "You drive alone: nobody to pick up within the detour limit.",
    "You ride in car",
    ", driven by",
    "phone",
    "Pickup:",
    "With you:",
    "Arrival at the venue:",
    "The group is confirmed.",
    "The group is not confirmed yet: it may change.",
    "No carpool seat for now:",
    "the day before",
    "Venue",
    "Map of the route",
    {"your origin was not recognised: correct it or write to the organisers",
     "your origin is ambiguous: add the postal code", "no driver passes close enough to you",
     "the drivers near you are full",
     "the cars near you have seats left, but not the detour to pick you up",
     "the drivers near you leave before you"},
    "Ride home",
    "On the way home you drive car",
    "Leave the venue:",
    "Drop-offs, in order:",
    "On the way home you drive alone.",
    "On the way home you ride in car",
    "Drop-off:",
    "Home:",
};

/* "06:40", or "06:40 (the day before)" when not on the event's day. */
static void clock_text(char *out, size_t size, const words *W, const char *t, const char *day)
{
    const char *hm = t && strlen(t) >= 16 ? t + 11 : (t ? t : "");

    if (t && day && strncmp(t, day, 10) != 0)
        snprintf(out, size, "%.5s (%s)", hm, W->day_before);
    else
        snprintf(out, size, "%.5s", hm);
}

/* A tel: URI (RFC 3966) of a phone number as people type it: the leading
 * '+' and the digits, nothing else, so no percent-encoding is needed and
 * diallers take it as it is. */
static const char *tel_uri(char *buf, size_t size, const char *phone)
{
    size_t n = 0;

    for (const char *p = phone; *p && n + 1 < size; p++)
        if ((*p >= '0' && *p <= '9') || (*p == '+' && n == 0))
            buf[n++] = *p;
    buf[n] = '\0';
    return buf;
}

static void stop_line(srv_html *h, const words *W, const pl_carpool_assignment *a,
                      const pl_carpool_member *m, const char *day)
{
    pl_carpool_seen seen;
    char when[64];

    pl_carpool_member_seen(&seen, a, m);
    clock_text(when, sizeof(when), W, m->time, day);
    srv_html_emit(h, "<li class=\"member\"><strong>%t</strong> <bdi>%t</bdi>", when, seen.name);
    if (seen.place[0])
        srv_html_emit(h, " — <bdi>%t</bdi>", seen.place);
    if (seen.phone) {
        char tel[64];
        srv_html_emit(h, " · %t <a href=\"tel:%a\">%t</a>", W->phone,
                      tel_uri(tel, sizeof(tel), seen.phone), seen.phone);
    }
    srv_html_emit(h, "</li>\n");
}

/* Put a label at (x, y), moved down a line at a time while it would cover
 * one already placed: stops in one town are often a few pixels apart. */
static void label_place(double *lx, double *ly, size_t *n, double x, double y)
{
    for (int moved = 1; moved;) {
        moved = 0;
        for (size_t i = 0; i < *n; i++)
            if (fabs(ly[i] - y) < 12 && fabs(lx[i] - x) < 80) {
                y = ly[i] + 13;
                moved = 1;
            }
    }
    lx[*n] = x;
    ly[*n] = y;
    (*n)++;
}

/*
 * The route as an SVG: an equirectangular projection (x = lon x cos(mean
 * latitude), y = lat) scaled to the bounding box, so that distances look
 * right at a region's scale. Stops are numbered circles (class "stop"), the
 * venue a square (class "venue"); labels are first names, escaped.
 */
static void route_map(srv_html *h, const words *W, const pl_carpool_assignment *a,
                      const pl_event *ev)
{
    enum { WIDTH = 320, HEIGHT = 200, PAD = 28, MAXPTS = 64 };
    const pl_carpool_saved_group *g = a->group;
    double x[MAXPTS], y[MAXPTS], lx[MAXPTS], ly[MAXPTS], minx, maxx, miny, maxy, lat0 = 0, scale;
    size_t n = 0, nstops, nlabels = 0;

    for (size_t k = 0; k <= g->npassengers && n < MAXPTS - 1; k++) {
        const pl_carpool_member *m = k == 0 ? &g->driver : &g->passengers[k - 1];
        x[n] = m->lon;
        y[n++] = m->lat;
    }
    nstops = n;
    if (ev->has_geo) {
        x[n] = ev->venue_lon;
        y[n++] = ev->venue_lat;
    }
    for (size_t i = 0; i < n; i++)
        lat0 += y[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        x[i] *= cos(lat0 * 3.14159265358979323846 / 180.0);
    minx = maxx = x[0];
    miny = maxy = y[0];
    for (size_t i = 1; i < n; i++) {
        minx = fmin(minx, x[i]);
        maxx = fmax(maxx, x[i]);
        miny = fmin(miny, y[i]);
        maxy = fmax(maxy, y[i]);
    }
    scale = fmin((WIDTH - 2 * PAD) / fmax(maxx - minx, 1e-9),
                 (HEIGHT - 2 * PAD) / fmax(maxy - miny, 1e-9));
    for (size_t i = 0; i < n; i++) {
        /* centred in the box; north up */
        x[i] = WIDTH / 2.0 + (x[i] - (minx + maxx) / 2) * scale;
        y[i] = HEIGHT / 2.0 - (y[i] - (miny + maxy) / 2) * scale;
    }
    srv_html_emit(h,
                  "<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                  "width=\"100%%\" style=\"max-width:28rem\" role=\"img\" aria-label=\"%a\">"
                  "<title>%t</title>"
                  "<rect width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"currentColor\" "
                  "stroke-opacity=\".25\"/><polyline fill=\"none\" stroke=\"#0b5cad\" "
                  "stroke-width=\"3\" stroke-linejoin=\"round\" points=\"",
                  WIDTH, HEIGHT, W->map_label, W->map_label, WIDTH, HEIGHT);
    for (size_t i = 0; i < n; i++) {
        char pt[64];
        snprintf(pt, sizeof(pt), "%s%.1f,%.1f", i ? " " : "", x[i], y[i]);
        srv_html_emit(h, "%s", pt);
    }
    srv_html_emit(h, "\"/>\n");
    for (size_t i = 0; i < nstops; i++) {
        const pl_carpool_member *m = i == 0 ? &g->driver : &g->passengers[i - 1];
        pl_carpool_seen seen;
        char at[160];

        pl_carpool_member_seen(&seen, a, m);
        snprintf(at, sizeof(at), "cx=\"%.1f\" cy=\"%.1f\"", x[i], y[i]);
        srv_html_emit(h, "<g class=\"stop\"><circle %s r=\"6\" fill=\"%s\" stroke=\"#fff\"/>", at,
                      seen.is_self ? "#b3261e" : "#0b5cad");
        label_place(lx, ly, &nlabels, x[i] + 8, y[i] - 8);
        snprintf(at, sizeof(at), "x=\"%.1f\" y=\"%.1f\"", lx[nlabels - 1], ly[nlabels - 1]);
        /* Numbered as in the list above: passengers 1, 2, ...; the driver by name. */
        if (i == 0)
            srv_html_emit(h, "<text %s font-size=\"11\" fill=\"currentColor\">%t</text></g>\n", at,
                          seen.name);
        else
            srv_html_emit(h, "<text %s font-size=\"11\" fill=\"currentColor\">%d. %t</text></g>\n",
                          at, (int)i, seen.name);
    }
    if (ev->has_geo) {
        char at[160];
        snprintf(at, sizeof(at), "x=\"%.1f\" y=\"%.1f\"", x[n - 1] - 6, y[n - 1] - 6);
        srv_html_emit(h,
                      "<g class=\"venue\"><rect %s width=\"12\" height=\"12\" fill=\"#1b1f24\" "
                      "stroke=\"#fff\"/>",
                      at);
        label_place(lx, ly, &nlabels, x[n - 1] + 9, y[n - 1] + 14);
        snprintf(at, sizeof(at), "x=\"%.1f\" y=\"%.1f\"", lx[nlabels - 1], ly[nlabels - 1]);
        srv_html_emit(h, "<text %s font-size=\"11\" fill=\"currentColor\">%t</text></g>\n", at,
                      ev->venue_name ? ev->venue_name : W->venue);
    }
    srv_html_emit(h, "</svg>\n");
}

static const char *why(const words *W, const char *code)
{
    pl_lang pl = W == &fr ? PL_LANG_FR : PL_LANG_EN;
    if (code && strcmp(code, PL_CARPOOL_WHY_LEFT) == 0)
        return pl_lang_text(pl, PL_T_PAGES_CARPOOL_WHY_LEFT);
    if (code && strcmp(code, PL_CARPOOL_WHY_SEAT_LOST) == 0)
        return pl_lang_text(pl, PL_T_PAGES_CARPOOL_WHY_SEAT_LOST);
    if (code && strcmp(code, PL_CARPOOL_WHY_EXCLUDED) == 0)
        return pl_lang_text(pl, PL_T_PAGES_CARPOOL_WHY_EXCLUDED);
    if (code && strcmp(code, PL_CARPOOL_WHY_DRIVER_DECLINED) == 0)
        return pl_lang_text(pl, PL_T_PAGES_CARPOOL_WHY_DRIVER_DECLINED);
    if (code && strcmp(code, PL_CARPOOL_WHY_NOBODY_DRIVES) == 0)
        return pl_lang_text(pl, PL_T_PAGES_CARPOOL_WHY_NOBODY_DRIVES);
    if (code && strcmp(code, PL_CARPOOL_WHY_CAR_KEPT) == 0)
        return pl_lang_text(pl, PL_T_PAGES_CARPOOL_WHY_CAR_KEPT);
    static const char *const codes[] = {
        PL_CARPOOL_WHY_ORIGIN_UNKNOWN, PL_CARPOOL_WHY_ORIGIN_AMBIGUOUS, PL_CARPOOL_WHY_NO_DRIVER,
        PL_CARPOOL_WHY_NO_SEAT,        PL_CARPOOL_WHY_NO_ROOM,          PL_CARPOOL_WHY_LEAVE_TIME};
    for (int i = 0; i < 6; i++)
        if (code && strcmp(code, codes[i]) == 0)
            return W->why[i];
    return NULL;
}

/* Under a car: what its member may do about it on the given trip. A driver
 * of a car not yet confirmed confirms it here (way there only: the way home
 * has no confirmation); declining and leaving go through a confirmation
 * step that says what happens. */
static void own_actions(srv_html *h, const words *W, const pl_server *srv, const char *token,
                        const pl_carpool_assignment *a, pl_carpool_trip trip)
{
    pl_lang pl = W == &fr ? PL_LANG_FR : PL_LANG_EN;
    const char *tn = pl_carpool_trip_name(trip);
    char purpose[200], form[64];

    if (!token || !a->group || (a->role == PL_CARPOOL_AS_DRIVER && a->group->npassengers == 0))
        return;
    srv_html_emit(h, "<div class=\"carpool-actions\" id=\"carpool-actions-%s\">\n", tn);
    if (a->role == PL_CARPOOL_AS_DRIVER) {
        if (trip == PL_CARPOOL_OUTBOUND && !a->group->confirmed) {
            snprintf(purpose, sizeof(purpose), "carpool:%s", token);
            srv_form_token(srv, purpose, form);
            srv_html_emit(h,
                          "<form method=\"post\" action=\"/me/%u/carpool/accept\">"
                          "<input type=\"hidden\" name=\"csrf\" value=\"%a\">"
                          "<input type=\"hidden\" name=\"trip\" value=\"%s\"><p>%t</p>"
                          "<div><button type=\"submit\">%t</button></div></form>\n",
                          token, form, tn, pl_lang_text(pl, PL_T_PAGES_CARPOOL_ACCEPT_HINT),
                          pl_lang_text(pl, PL_T_PAGES_CARPOOL_ACCEPT));
        }
        srv_html_emit(h, "<p><a href=\"/me/%u/carpool/decline?trip=%s\">%t</a></p>\n", token, tn,
                      pl_lang_text(pl, PL_T_PAGES_CARPOOL_DECLINE));
    } else {
        srv_html_emit(h, "<p><a href=\"/me/%u/carpool/leave?trip=%s\">%t</a></p>\n", token, tn,
                      pl_lang_text(pl, PL_T_PAGES_CARPOOL_LEAVE));
    }
    srv_html_emit(h, "</div>\n");
}

/* The way home, once it is planned: the car, when it leaves the venue, the
 * drop-offs (driver) or one's own drop-off (passenger). Nothing without a
 * plan for the way home, or without a car on it. */
static void home_section(srv_html *h, const words *W, srv_req *req, const char *token,
                         const pl_event *ev, const pl_registration *reg, char modified[32])
{
    pl_carpool_assignment *a = NULL;
    const pl_carpool_saved_group *g;
    const char *day = ev->start;
    char when[64], home[64];

    if (pl_carpool_assignment_find_trip(&a, req->store, reg->rowid, PL_CARPOOL_RETURN, NULL) < 0 ||
        (a->role != PL_CARPOOL_AS_DRIVER && a->role != PL_CARPOOL_AS_PASSENGER))
        goto done;
    srv_latest(modified, a->plan->planned);
    g = a->group;
    clock_text(when, sizeof(when), W, g->departure, day);
    srv_html_emit(h, "<h3>%t</h3>\n<div id=\"carpool-return\">\n", W->home_title);
    if (a->role == PL_CARPOOL_AS_DRIVER && g->npassengers == 0) {
        srv_html_emit(h, "<p>%t %t %t</p>\n", W->home_alone, W->home_leave, when);
    } else if (a->role == PL_CARPOOL_AS_DRIVER) {
        clock_text(home, sizeof(home), W, g->arrival, day);
        srv_html_emit(h, "<p><strong>%t %d.</strong> %t %t.</p>\n<p>%t</p><ol>\n", W->home_drive,
                      g->number, W->home_leave, when, W->drop_off);
        for (size_t k = 0; k < g->npassengers; k++)
            stop_line(h, W, a, &g->passengers[k], day);
        srv_html_emit(h, "</ol>\n<p>%t %t.</p>\n", W->home_arrival, home);
    } else {
        pl_carpool_seen driver, self;
        pl_carpool_member_seen(&driver, a, &g->driver);
        pl_carpool_member_seen(&self, a, a->self);
        srv_html_emit(h, "<p>%t %d%t <bdi><strong>%t</strong></bdi>. %t %t.</p>\n", W->home_ride,
                      g->number, W->driven_by, driver.name, W->home_leave, when);
        clock_text(when, sizeof(when), W, a->self->time, day);
        srv_html_emit(h, "<p id=\"dropoff\"><strong>%t %t</strong>, %t.</p>\n", W->dropoff, when,
                      self.place);
    }
    own_actions(h, W, req->srv, token, a, PL_CARPOOL_RETURN);
    srv_html_emit(h, "</div>\n");
done:
    pl_carpool_assignment_free(a);
}

/* After an action of own_actions: what was done (?carpool=WHAT), as a status
 * message. */
static void own_notice(srv_html *h, const words *W, srv_req *req)
{
    pl_lang pl = W == &fr ? PL_LANG_FR : PL_LANG_EN;
    const char *done =
        req->conn ? MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "carpool") : NULL;
    pl_text_id id;

    if (!done)
        return;
    if (strcmp(done, "accept") == 0)
        id = PL_T_PAGES_CARPOOL_DONE_ACCEPT;
    else if (strcmp(done, "decline") == 0)
        id = PL_T_PAGES_CARPOOL_DONE_DECLINE;
    else if (strcmp(done, "leave") == 0)
        id = PL_T_PAGES_CARPOOL_DONE_LEAVE;
    else
        return;
    srv_html_emit(h, "<p class=\"status\" role=\"status\" id=\"carpool-notice\">%t</p>\n",
                  pl_lang_text(pl, id));
}

void srv_carpool_section(srv_html *h, int french, srv_req *req, const pl_event *ev,
                         const pl_registration *reg, const char *token, char modified[32])
{
    const words *W = french ? &fr : &en;
    pl_store *store = req->store;
    pl_carpool_assignment *a = NULL;
    pl_carpool_pickup *pk = NULL;
    const pl_carpool_saved_group *g;
    const char *day = ev->start;
    char when[64];

    if (strcmp(ev->format, "online") == 0 || reg->travel == PL_TRAVEL_NONE)
        return;
    srv_html_emit(h, "<h2>%t</h2>\n<div id=\"carpool\">\n", W->title);
    own_notice(h, W, req);
    /* A seat left, a car declined or moved changes what the page shows
     * without a new plan: the pickups' last change moves the page's date. */
    for (int t = 0; t < 2; t++) {
        if (pl_carpool_pickup_load_trip(&pk, store, reg->rowid,
                                        t ? PL_CARPOOL_RETURN : PL_CARPOOL_OUTBOUND, NULL) == 0)
            srv_latest(modified, pk->modified);
        pl_carpool_pickup_free(pk);
        pk = NULL;
    }
    if (reg->status != PL_REG_CONFIRMED ||
        pl_carpool_assignment_find(&a, store, reg->rowid, NULL) < 0 ||
        a->role == PL_CARPOOL_AS_OUTSIDE) {
        /* no plan yet, or made before this registration, or not attending */
        if (reg->status != PL_REG_CANCELLED)
            srv_html_emit(h, "<p class=\"muted\">%t</p>\n", W->pending);
        goto done;
    }
    srv_latest(modified, a->plan->planned);
    g = a->group;
    if (a->role == PL_CARPOOL_AS_UNASSIGNED) {
        srv_html_emit(h, "<p>%t %t.</p>\n", W->no_group,
                      why(W, a->unassigned->code) ? why(W, a->unassigned->code)
                                                  : a->unassigned->reason);
        goto done;
    }
    srv_latest(modified, g->confirmed_at);
    if (a->role == PL_CARPOOL_AS_DRIVER && g->npassengers == 0) {
        clock_text(when, sizeof(when), W, g->departure, day);
        srv_html_emit(h, "<p>%t</p><p>%t %t</p>\n", W->alone, W->leave_from, when);
        goto done;
    }
    if (a->role == PL_CARPOOL_AS_DRIVER) {
        pl_carpool_seen self;
        pl_carpool_member_seen(&self, a, a->self);
        clock_text(when, sizeof(when), W, g->departure, day);
        srv_html_emit(h, "<p><strong>%t %d.</strong> %t %t, %t.</p>\n<p>%t</p><ol>\n", W->you_drive,
                      g->number, W->leave_from, when, self.place, W->pick_up);
        for (size_t k = 0; k < g->npassengers; k++)
            stop_line(h, W, a, &g->passengers[k], day);
        srv_html_emit(h, "</ol>\n");
    } else {
        pl_carpool_seen driver, self;
        pl_carpool_member_seen(&driver, a, &g->driver);
        pl_carpool_member_seen(&self, a, a->self);
        srv_html_emit(h, "<p>%t %d%t <bdi><strong id=\"driver\">%t</strong></bdi>", W->you_ride,
                      g->number, W->driven_by, driver.name);
        if (driver.phone) {
            char tel[64];
            srv_html_emit(h, " (%t <a href=\"tel:%a\">%t</a>)", W->phone,
                          tel_uri(tel, sizeof(tel), driver.phone), driver.phone);
        }
        clock_text(when, sizeof(when), W, a->self->time, day);
        srv_html_emit(h, ".</p>\n<p id=\"pickup\"><strong>%t %t</strong>, %t.</p>\n", W->pickup,
                      when, self.place);
        if (g->npassengers > 1) {
            srv_html_emit(h, "<p>%t</p><ul>\n", W->also);
            for (size_t k = 0; k < g->npassengers; k++)
                if (&g->passengers[k] != a->self)
                    stop_line(h, W, a, &g->passengers[k], day);
            srv_html_emit(h, "</ul>\n");
        }
    }
    clock_text(when, sizeof(when), W, g->arrival, day);
    srv_html_emit(h, "<p>%t %t. %t</p>\n", W->arrival, when,
                  g->confirmed ? W->confirmed : W->not_confirmed);
    route_map(h, W, a, ev);
    own_actions(h, W, req->srv, token, a, PL_CARPOOL_OUTBOUND);
done:
    srv_html_emit(h, "</div>\n");
    if (reg->status == PL_REG_CONFIRMED)
        home_section(h, W, req, token, ev, reg, modified);
    pl_carpool_assignment_free(a);
}
