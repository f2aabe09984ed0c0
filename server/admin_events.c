/*
 * admin_events.c - the organisers' events: the dashboard, an event's page
 * (its fields, agenda as the public timeline with conflicts beside the
 * sessions, speakers, exports), and changes to the event itself; its
 * sessions and speakers are changed in admin_sessions.c, with the helpers
 * this file lends it (admin_event_edit.h).
 *
 * A change is made on the event file, never on the database directly: the
 * stored event is written as JSON (pl_event_to_json), the posted fields
 * change that JSON, and it is read back and saved as `planner event
 * import` does (pl_event_from_json, pl_event_save): same validation, same
 * messages, same SEQUENCE bumps. A form with an error is shown again with
 * what was typed, the message beside the field at fault.
 */
#include "admin.h"
#include "admin_event_edit.h"
#include "calendar.h"
#include "registration.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEOCODER_SETTING "geocoder_url" /* the one `carpool plan --geocoder` keeps */

static const char *const formats[] = {"in_person", "hybrid", "online", NULL};
static const char *const kinds[] = {"talk", "workshop", "meal", "break", "forum", "plenary", NULL};

static const char *const *format_labels(const adm *a)
{
    static const char *const fr[] = {"sur place", "hybride", "en ligne", NULL};
    static const char *const en[] = {"in person", "hybrid", "online", NULL};
    return a->french ? fr : en;
}

static const char *const *kind_labels(const adm *a)
{
    static const char *const fr[] = {"intervention", "atelier",  "repas", "pause",
                                     "forum",        "plénière", NULL};
    static const char *const en[] = {"talk", "workshop", "meal", "break", "forum", "plenary", NULL};
    return a->french ? fr : en;
}

static const char *label_of(const char *const *values, const char *const *labels, const char *v)
{
    for (size_t i = 0; values[i]; i++)
        if (v && strcmp(values[i], v) == 0)
            return labels[i];
    return v ? v : "";
}

/* ---- conflicts ---------------------------------------------------------- */

static void add_conflict(const pl_conflict *c, void *payload)
{
    conflicts *l = payload;
    pl_conflict *grown = realloc(l->items, (l->count + 1) * sizeof(*grown));

    if (!grown)
        return;
    l->items = grown;
    l->items[l->count] = *c;
    /* the borrowed names live in ev, which outlives the list */
    l->count++;
    l->blocking += !pl_conflict_is_warning(c->kind);
}

/* agenda check's rules: the core's, then the zone's (calendar/). */
void adm_ev_check_agenda(conflicts *out, const pl_event *ev)
{
    pl_conflict *found = NULL;
    size_t n = 0;
    pl_error err;

    memset(out, 0, sizeof(*out));
    out->ev = ev;
    if (pl_agenda_check(&found, &n, ev) == 0) {
        out->items = found;
        out->count = n;
        out->blocking = pl_conflicts_blocking(found, n);
    }
    pl_calendar_check_local_times(ev, add_conflict, out, &err);
}

void adm_ev_conflict_list(srv_html *h, const adm *a, const conflicts *c, const char *session)
{
    int any = 0;

    for (size_t i = 0; i < c->count; i++) {
        const pl_conflict *k = &c->items[i];
        if (session && !((k->session && strcmp(k->session, session) == 0) ||
                         (k->other && strcmp(k->other, session) == 0)))
            continue;
        if (!any++)
            srv_html_emit(h, "<ul class=\"warn\">");
        char text[400];
        pl_conflict_text(k, c->ev, a->french ? PL_LANG_FR : PL_LANG_EN, text, sizeof(text));
        srv_html_emit(
            h, "<li>%s%t</li>",
            pl_conflict_is_warning(k->kind) ? TX(a, ADMIN_WARNING) : TX(a, ADMIN_CONFLICT), text);
    }
    if (any)
        srv_html_emit(h, "</ul>");
}

/* ---- saving through the event file ------------------------------------- */

/*
 * Read root back as an event file and save it; the error, if any, is kept
 * in a for the form shown again. With check_conflicts (publishing without
 * the organiser accepting them), an agenda with conflicts is refused.
 */
int adm_ev_save_json(adm *a, json_t *root, int check_conflicts)
{
    pl_event *ev = NULL;
    pl_event_save_stats st;
    pl_error err;
    int rc;

    pl_error_clear(&err);
    if ((rc = pl_event_from_json(&ev, root, "form", &err)) < 0)
        goto done;
    if (check_conflicts) {
        conflicts c;
        adm_ev_check_agenda(&c, ev);
        for (size_t i = 0; i < c.count && rc == 0; i++)
            if (!pl_conflict_is_warning(c.items[i].kind)) {
                char text[400];
                pl_conflict_text(&c.items[i], ev, a->french ? PL_LANG_FR : PL_LANG_EN, text,
                                 sizeof(text));
                /* already in the page's language: a message without text id */
                rc = pl_error_set_at(&err, PL_EINVALID, NULL, 0, 0, "accept_conflicts",
                                     "%s (%zu)%s%s", TX(a, ADMIN_THE_AGENDA_HAS_CONFLICTS_FIX),
                                     c.blocking, TX(a, ADMIN_SYMBOL), text);
            }
        free(c.items);
        if (rc < 0)
            goto done;
    }
    if ((rc = pl_event_save(a->req->store, ev, &st, &err)) < 0)
        goto done;
    srv_changed(a->req->srv);
done:
    if (rc < 0)
        adm_set_error(a, &err);
    pl_event_free(ev);
    return rc;
}

/* A form value for a key of the file: absent -> untouched; "" -> the key
 * is left out (its default); else the string (or a number for capacity). */
int adm_ev_set_field(json_t *obj, const char *key, const char *value, int number)
{
    char *end;
    long long n;

    if (!value)
        return 0;
    if (!*value)
        return json_object_del(obj, key), 0;
    if (number) {
        n = strtoll(value, &end, 10);
        if (!*end)
            return json_object_set_new(obj, key, json_integer(n));
    }
    return json_object_set_new(obj, key, json_string(value));
}

static int parse_number(double *out, const char *s)
{
    char buf[64], *end;

    if (!s || !*s || strlen(s) >= sizeof(buf))
        return -1;
    snprintf(buf, sizeof(buf), "%s", s);
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '.';
    *out = strtod(buf, &end);
    return *end ? -1 : 0;
}

/* Where the venue is: the gazetteer, else the geocoder the organiser set
 * for carpools (cached answers first, then one request). Not found: why, in
 * lang (the geocoder's answer when it was asked, else the gazetteer's). */
static int locate(pl_store *store, const char *address, const char *name, double *lat, double *lon,
                  pl_lang lang, char *why, size_t size)
{
    const char *tries[2] = {address, name};
    const char *typed = address && *address ? address : name ? name : "";
    pl_origin o = {0};
    char *url = NULL;
    pl_error err, said;

    for (int i = 0; i < 2; i++) {
        const char *t = tries[i], *p;
        if (!t || !*t)
            continue;
        if (pl_origin_resolve(&o, t) == 0)
            goto found;
        /* "6 quai de la Seine, 75019 Paris": the postal code and what follows */
        for (p = t; *p; p++)
            if (isdigit((unsigned char)p[0]) && strspn(p, "0123456789") == 5 &&
                (p == t || !isdigit((unsigned char)p[-1])) && pl_origin_resolve(&o, p) == 0)
                goto found;
    }
    if (o.status == PL_ORIGIN_AMBIGUOUS)
        PL_SAY(&said, PL_ENOTFOUND, NULL, GEO_ERR_AMBIGUOUS, typed, o.reason);
    else
        PL_SAY(&said, PL_ENOTFOUND, NULL, GEO_ERR_NOT_PLACE, typed, o.reason);
    pl_error_text(&said, lang, why, size);
    if (pl_setting_get(&url, store, GEOCODER_SETTING, &err) == 0 && url && *url &&
        strcmp(url, "none") != 0 && address && *address) {
        if (pl_geocoder_lookup(&o, store, url, address, &err) == 0) {
            free(url);
            goto found;
        }
        {
            pl_http_fetcher fetcher = PL_HTTP_FETCHER_INIT;
            char *body = NULL, *req = NULL;
            size_t len = 0;
            pl_geocoder_hit hit;
            pl_error_clear(&err);
            if (pl_geocoder_request_url(&req, url, address, &err) == 0 &&
                pl_http_fetch(&body, &len, req, &fetcher, &err) == 0 &&
                pl_geocoder_parse(&hit, body, len, &err) == 0) {
                free(req);
                free(body);
                free(url);
                *lat = hit.lat;
                *lon = hit.lon;
                return 0;
            }
            /* the geocoder's own answer ("no place matches"), else why it
             * could not be asked (its words: a technical detail) */
            if (err.text)
                pl_error_text(&err, lang, why, size);
            else if (err.code != PL_OK) {
                PL_SAY(&said, PL_ENOTFOUND, NULL, GEO_ERR_NOT_ASKED, err.msg);
                pl_error_text(&said, lang, why, size);
            }
            free(req);
            free(body);
        }
    }
    free(url);
    return PL_ENOTFOUND;
found:
    *lat = o.lat;
    *lon = o.lon;
    return 0;
}

/*
 * The venue of root from the posted venue_name, venue_address and, to
 * correct the point found, venue_lat/venue_lon. The point is looked up
 * again whenever the address changes.
 */
static int set_venue(adm *a, json_t *root, const pl_event *old, pl_error *err)
{
    const char *name = adm_changed(a, "venue_name");
    const char *address = adm_changed(a, "venue_address");
    const char *slat = adm_changed(a, "venue_lat");
    const char *slon = adm_changed(a, "venue_lon");
    json_t *venue = json_object_get(root, "venue");
    int address_changed;
    double lat, lon;
    char why[320] = "";

    if (!name && !address && !slat && !slon)
        return 0;
    if (!venue) {
        venue = json_object();
        json_object_set_new(root, "venue", venue);
    }
    adm_ev_set_field(venue, "name", name, 0);
    adm_ev_set_field(venue, "address", address, 0);
    if (!json_object_get(venue, "name") && !json_object_get(venue, "address")) {
        json_object_del(root, "venue");
        return 0;
    }
    name = json_string_value(json_object_get(venue, "name"));
    address = json_string_value(json_object_get(venue, "address"));
    address_changed = !old || !old->has_geo ||
                      strcmp(address ? address : "", old->venue_address ? old->venue_address : "");
    slat = srv_field_get(a->req, "venue_lat");
    slon = srv_field_get(a->req, "venue_lon");
    if (!address_changed && (adm_changed(a, "venue_lat") || adm_changed(a, "venue_lon")) &&
        parse_number(&lat, slat) == 0 &&
        parse_number(&lon, slon) == 0) { /* the organiser's correction */
        json_object_set_new(venue, "lat", json_real(lat));
        json_object_set_new(venue, "lon", json_real(lon));
        return 0;
    }
    if (!address_changed)
        return 0;
    if (locate(a->req->store, address, name, &lat, &lon, a->french ? PL_LANG_FR : PL_LANG_EN, why,
               sizeof(why)) < 0)
        return pl_error_set_at(err, PL_EINVALID, NULL, 0, 0, "venue.address", "%s%s%s",
                               TX(a, ADMIN_ADDRESS_NOT_FOUND_GIVE_THE), *why ? " — " : "", why);
    json_object_set_new(venue, "lat", json_real(lat));
    json_object_set_new(venue, "lon", json_real(lon));
    return 0;
}

static const char *const event_text_keys[] = {"slug",       "title",    "summary", "description",
                                              "format",     "timezone", "start",   "end",
                                              "online_url", "language", NULL};

/* Apply the posted event fields to root. */
static int apply_event_fields(adm *a, json_t *root, const pl_event *old, pl_error *err)
{
    for (size_t i = 0; event_text_keys[i]; i++)
        adm_ev_set_field(root, event_text_keys[i], adm_changed(a, event_text_keys[i]), 0);
    adm_ev_set_field(root, "capacity", adm_changed(a, "capacity"), 1);
    adm_ev_set_field(root, "purge_after_days", adm_changed(a, "purge_after_days"), 1);
    return set_venue(a, root, old, err);
}

/* ---- the dashboard ------------------------------------------------------ */

typedef struct counts {
    int confirmed, waiting, travellers;
} counts;

static int count_one(const pl_registration *r, void *payload)
{
    counts *c = payload;

    if (r->status == PL_REG_CONFIRMED) {
        c->confirmed++;
        c->travellers += r->travel != PL_TRAVEL_NONE;
    } else if (r->status == PL_REG_WAITLISTED) {
        c->waiting++;
    }
    return 0;
}

static void event_form(srv_html *h, adm *a, const pl_event *ev);

int adm_dashboard(adm *a)
{
    pl_event **events = NULL;
    size_t n = 0, french = 0;
    srv_html h = {PL_BUF_INIT, 0};
    pl_error err;

    if (pl_event_list(&events, &n, a->req->store, &err) < 0)
        return adm_error(a, 503, err.msg);
    for (size_t i = 0; i < n; i++)
        french += (size_t)(pl_event_lang(events[i]) == PL_LANG_FR);
    a->french = 2 * french >= n;
    adm_page_start(&h, a, TX(a, ADMIN_EVENTS), NULL);
    srv_html_emit(&h, "<p><a href=\"/admin/events/new\">%s</a></p>\n",
                  TX(a, ADMIN_CREATE_AN_EVENT));
    if (n == 0)
        srv_html_emit(&h, "<p>%s</p>\n", TX(a, ADMIN_NO_EVENTS_YET));
    else {
        adm_table_wrap(&h, "events-caption");
        srv_html_emit(&h,
                      "<table><caption class=\"muted\" id=\"events-caption\">%s</caption>"
                      "<thead><tr>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>\n",
                      TX(a, ADMIN_EVERY_EVENT_DRAFTS_INCLUDED), TX(a, ADMIN_EVENT),
                      TX(a, ADMIN_START), TX(a, ADMIN_STATUS), TX(a, ADMIN_CONFIRMED_2),
                      TX(a, ADMIN_WAITING), TX(a, ADMIN_PLACES_LEFT), TX(a, ADMIN_TRAVELLERS),
                      TX(a, ADMIN_LINKS));
    }
    for (size_t i = 0; i < n; i++) {
        const pl_event *ev = events[i];
        counts c = {0, 0, 0};
        char left[16] = "—", start[128];
        pl_registration_each(a->req->store, ev->slug, count_one, &c, NULL);
        if (ev->capacity > 0)
            snprintf(left, sizeof(left), "%d", ev->capacity - c.confirmed);
        srv_html_emit(&h,
                      "<tr><th scope=\"row\"><a href=\"/admin/e/%u\">%t</a></th><td>%t</td>"
                      "<td>%t</td><td>%d</td><td>%d</td><td>%t</td><td>%d</td><td>"
                      "<a href=\"/admin/e/%u/registrations\">%s</a> · "
                      "<a href=\"/admin/e/%u/carpool\">%s</a>",
                      ev->slug, ev->title, adm_when(start, sizeof(start), a, ev, ev->start),
                      strcmp(ev->status, "draft") == 0       ? TX(a, ADMIN_DRAFT)
                      : strcmp(ev->status, "published") == 0 ? TX(a, ADMIN_PUBLISHED)
                                                             : TX(a, ADMIN_CANCELLED),
                      c.confirmed, c.waiting, left, c.travellers, ev->slug,
                      TX(a, ADMIN_REGISTRATIONS), ev->slug, TX(a, ADMIN_CARPOOL_2));
        if (strcmp(ev->status, "draft") != 0)
            srv_html_emit(&h, " · <a href=\"/e/%u\">%s</a>", ev->slug, TX(a, ADMIN_PUBLIC_PAGE));
        srv_html_emit(&h, "</td></tr>\n");
    }
    if (n)
        srv_html_emit(&h, "</tbody></table></div>\n");
    pl_event_list_free(events, n);
    return adm_page_reply(a, 200, &h);
}

/* ---- create ------------------------------------------------------------- */

static int new_form_page(adm *a, unsigned status)
{
    srv_html h = {PL_BUF_INIT, 0};

    adm_page_start(&h, a, TX(a, ADMIN_CREATE_AN_EVENT), NULL);
    adm_error_summary(&h, a);
    srv_html_emit(&h,
                  "<p>%s</p>\n<form method=\"post\" action=\"/admin/events\" class=\"stack\">\n",
                  TX(a, ADMIN_A_NEW_EVENT_IS_A));
    adm_csrf_field(&h, a);
    adm_input(&h, a, "text", "slug", TX(a, ADMIN_SLUG_PAGE_ADDRESS), NULL,
              TX(a, ADMIN_LOWERCASE_LETTERS_DIGITS_AND_HYPHENS), 1);
    event_form(&h, a, NULL);
    srv_html_emit(&h, "<div><button type=\"submit\">%s</button></div></form>\n",
                  TX(a, ADMIN_CREATE_THE_DRAFT));
    return adm_page_reply(a, status, &h);
}

int adm_event_new_form(adm *a)
{
    return new_form_page(a, 200);
}

int adm_event_create(adm *a)
{
    const char *slug = srv_field_get(a->req, "slug");
    json_t *root = json_object();
    pl_event *old = NULL;
    pl_error err;
    char where[200];
    int rc;

    pl_error_clear(&err);
    if (slug && *slug && pl_event_load(&old, a->req->store, slug, NULL) == 0) {
        a->french = pl_event_lang(old) == PL_LANG_FR;
        pl_event_free(old);
        pl_error_set_at(&err, PL_EEXISTS, NULL, 0, 0, "slug", "%s « %s »",
                        TX(a, ADMIN_AN_EVENT_ALREADY_HAS_THE), slug);
        adm_set_error(a, &err);
        json_decref(root);
        return new_form_page(a, 409);
    }
    json_object_set_new(root, "status", json_string("draft"));
    if ((rc = apply_event_fields(a, root, NULL, &err)) < 0)
        adm_set_error(a, &err);
    else
        rc = adm_ev_save_json(a, root, 0);
    json_decref(root);
    if (rc < 0)
        return new_form_page(a, srv_status_for(rc));
    snprintf(where, sizeof(where), "/admin/e/%s?done=created", slug);
    return adm_redirect(a, where);
}

/* ---- the event's page --------------------------------------------------- */

static void event_form(srv_html *h, adm *a, const pl_event *ev)
{
    char cap[16] = "", lat[32] = "", lon[32] = "", purge[16] = "";

    if (ev && ev->capacity)
        snprintf(cap, sizeof(cap), "%d", ev->capacity);
    if (ev && ev->purge_after_days > 0)
        snprintf(purge, sizeof(purge), "%d", ev->purge_after_days);
    if (ev && ev->has_geo) {
        snprintf(lat, sizeof(lat), "%.6f", ev->venue_lat);
        snprintf(lon, sizeof(lon), "%.6f", ev->venue_lon);
    }
    adm_input(h, a, "text", "title", TX(a, ADMIN_TITLE), ev ? ev->title : NULL, NULL, 1);
    adm_input(h, a, "text", "summary", TX(a, ADMIN_SUMMARY_ONE_LINE), ev ? ev->summary : NULL, NULL,
              0);
    adm_textarea(h, a, "description", TX(a, ADMIN_DESCRIPTION), ev ? ev->description : NULL);
    adm_select(h, a, "format", TX(a, ADMIN_FORMAT), ev ? ev->format : "in_person", formats,
               format_labels(a));
    adm_input(h, a, "text", "timezone", TX(a, ADMIN_TIME_ZONE), ev ? ev->timezone : "Europe/Paris",
              NULL, 0);
    {
        static const char *const values[] = {"", "fr", "en", NULL};
        const char *labels[] = {TX(a, ADMIN_LANGUAGE_BY_ZONE), "français", "English", NULL};
        adm_select(h, a, "language", TX(a, ADMIN_LANGUAGE), ev ? ev->language : "", values, labels);
    }
    adm_input(h, a, "datetime-local", "start", TX(a, ADMIN_START), ev ? ev->start : NULL, NULL, 1);
    adm_input(h, a, "datetime-local", "end", TX(a, ADMIN_END), ev ? ev->end : NULL, NULL, 1);
    adm_input(h, a, "number", "capacity", TX(a, ADMIN_CAPACITY), cap, TX(a, ADMIN_EMPTY_NO_LIMIT),
              0);
    adm_input(h, a, "url", "online_url", TX(a, ADMIN_ONLINE_LINK), ev ? ev->online_url : NULL,
              TX(a, ADMIN_FOR_AN_ONLINE_OR_HYBRID), 0);
    adm_input(h, a, "number", "purge_after_days", TX(a, ADMIN_PURGE_AFTER_DAYS), purge,
              TX(a, ADMIN_PURGE_AFTER_DAYS_HINT), 0);
    adm_input(h, a, "text", "venue_name", TX(a, ADMIN_VENUE), ev ? ev->venue_name : NULL, NULL, 0);
    adm_input(h, a, "text", "venue_address", TX(a, ADMIN_VENUE_ADDRESS),
              ev ? ev->venue_address : NULL, TX(a, ADMIN_THE_POSITION_IS_FOUND_FROM), 0);
    if (ev && ev->has_geo) {
        srv_html_emit(h, "<fieldset><legend>%s</legend>\n",
                      TX(a, ADMIN_POSITION_FOUND_CORRECT_IT_IF));
        adm_input(h, a, "text", "venue_lat", TX(a, ADMIN_LATITUDE), lat, NULL, 0);
        adm_input(h, a, "text", "venue_lon", TX(a, ADMIN_LONGITUDE), lon, NULL, 0);
        srv_html_emit(h, "</fieldset>\n");
    }
}

void adm_ev_session_fields(srv_html *h, adm *a, const pl_event *ev, const pl_session *s)
{
    char cap[16] = "";

    if (s && s->capacity)
        snprintf(cap, sizeof(cap), "%d", s->capacity);
    if (!s)
        adm_input(h, a, "text", "id", TX(a, ADMIN_ID), NULL,
                  TX(a, ADMIN_LETTERS_DIGITS_AND_EMPTY_MADE), 0);
    adm_input(h, a, "text", "title", TX(a, ADMIN_TITLE), s ? s->title : NULL, NULL, 1);
    adm_select(h, a, "kind", TX(a, ADMIN_KIND), s ? s->kind : "workshop", kinds, kind_labels(a));
    adm_input(h, a, "datetime-local", "start", TX(a, ADMIN_START), s ? s->start : ev->start, NULL,
              1);
    adm_input(h, a, "datetime-local", "end", TX(a, ADMIN_END), s ? s->end : NULL, NULL, 1);
    adm_input(h, a, "text", "room", TX(a, ADMIN_ROOM), s ? s->room : NULL, NULL, 0);
    adm_input(h, a, "number", "capacity", TX(a, ADMIN_CAPACITY), cap,
              TX(a, ADMIN_EMPTY_ONLY_THE_EVENTS), 0);
    adm_textarea(h, a, "description", TX(a, ADMIN_DESCRIPTION), s ? s->description : NULL);
    if (ev->nspeakers) {
        srv_html_emit(h,
                      "<fieldset><legend>%s</legend>\n"
                      "<input type=\"hidden\" name=\"speakers_field\" value=\"1\">\n",
                      TX(a, ADMIN_SPEAKERS));
        for (size_t i = 0; i < ev->nspeakers; i++) {
            const pl_speaker *sp = &ev->speakers[i];
            int on = 0;
            if (a->repost) {
                for (size_t f = 0; f < a->req->nfields; f++)
                    if (strcmp(a->req->fields[f].key, "speakers") == 0 &&
                        a->req->fields[f].value.data &&
                        strcmp(a->req->fields[f].value.data, sp->id) == 0)
                        on = 1;
            } else if (s) {
                for (size_t k = 0; k < s->speakers.count; k++)
                    on |= strcmp(s->speakers.items[k], sp->id) == 0;
            }
            srv_html_emit(h,
                          "<div><label class=\"check\"><input type=\"checkbox\" name=\"speakers\" "
                          "value=\"%a\"%s> %t</label></div>\n",
                          sp->id, on ? " checked" : "", sp->name);
        }
        srv_html_emit(h, "</fieldset>\n");
    }
}

void adm_ev_speaker_fields(srv_html *h, adm *a, const pl_speaker *sp)
{
    if (!sp)
        adm_input(h, a, "text", "id", TX(a, ADMIN_ID), NULL, TX(a, ADMIN_EMPTY_MADE_FROM_THE_NAME),
                  0);
    adm_input(h, a, "text", "name", TX(a, ADMIN_NAME), sp ? sp->name : NULL, NULL, 1);
    adm_input(h, a, "text", "organization", TX(a, ADMIN_ORGANIZATION), sp ? sp->organization : NULL,
              NULL, 0);
    adm_textarea(h, a, "bio", TX(a, ADMIN_BIO), sp ? sp->bio : NULL);
}

static void session_card(srv_html *h, adm *a, const pl_event *ev, const pl_session *s,
                         const conflicts *c)
{
    int bad = 0;

    for (size_t i = 0; i < c->count; i++)
        if ((c->items[i].session && strcmp(c->items[i].session, s->id) == 0) ||
            (c->items[i].other && strcmp(c->items[i].other, s->id) == 0))
            bad = 1;
    srv_html_emit(h,
                  "<article class=\"card%s\" id=\"s-%a\"><div class=\"kind\">%t · %t–%t</div>"
                  "<h4>%t</h4>",
                  bad ? " conflict" : "", s->id, label_of(kinds, kind_labels(a), s->kind),
                  adm_hhmm(s->start), adm_hhmm(s->end), s->title);
    if (s->room)
        srv_html_emit(h, "<div class=\"muted\">%s : %t</div>", TX(a, ADMIN_ROOM), s->room);
    for (size_t k = 0; k < s->speakers.count; k++) {
        const pl_speaker *sp = pl_event_speaker(ev, s->speakers.items[k]);
        srv_html_emit(h, "<div>%t</div>", sp ? sp->name : s->speakers.items[k]);
    }
    adm_ev_conflict_list(h, a, c, s->id);
    srv_html_emit(h,
                  "<div class=\"actions\"><a href=\"/admin/e/%u/sessions/%u\">%s<span "
                  "class=\"skip\"> %t</span></a>"
                  "<form method=\"post\" action=\"/admin/e/%u/sessions/%u/cancel\" "
                  "class=\"inline\">",
                  ev->slug, s->id, TX(a, ADMIN_EDIT), s->title, ev->slug, s->id);
    adm_csrf_field(h, a);
    srv_html_emit(h,
                  "<button type=\"submit\" class=\"danger\" aria-label=\"%s %a\">%s</button>"
                  "</form></div></article>\n",
                  TX(a, ADMIN_CANCEL_THE_SESSION), s->title, TX(a, ADMIN_CANCEL));
}

static void timeline(srv_html *h, adm *a, const pl_event *ev, const conflicts *c)
{
    pl_slot *slots = NULL;
    size_t nslots = 0, *order = NULL;

    if (pl_agenda_slots(&slots, &nslots, &order, ev) < 0) {
        h->failed = 1;
        return;
    }
    if (nslots == 0)
        srv_html_emit(h, "<p>%s</p>\n", TX(a, ADMIN_NO_SESSIONS));
    for (size_t i = 0; i < nslots; i++) {
        srv_html_emit(h,
                      "<section class=\"slot\" aria-label=\"%t – %t\">"
                      "<h3 class=\"time\">%t – %t</h3>\n",
                      adm_hhmm(slots[i].start), adm_hhmm(slots[i].end), adm_hhmm(slots[i].start),
                      adm_hhmm(slots[i].end));
        for (size_t k = 0; k < slots[i].count; k++)
            session_card(h, a, ev, &ev->sessions[order[slots[i].first + k]], c);
        srv_html_emit(h, "</section>\n");
    }
    free(slots);
    free(order);
}

static int event_page(adm *a, pl_event *ev, unsigned status)
{
    srv_html h = {PL_BUF_INIT, 0};
    int posted = a->posted_form, repost = a->repost;
    const char *done = MHD_lookup_connection_value(a->req->conn, MHD_GET_ARGUMENT_KIND, "done");
    char when[256];
    conflicts c;

    adm_ev_check_agenda(&c, ev);
    adm_page_start(&h, a, ev->title, ev->slug);
    if (done && !*a->err_msg)
        srv_html_emit(&h, "<p class=\"notice\" role=\"status\">%s</p>\n", TX(a, ADMIN_SAVED));
    adm_error_summary(&h, a);
    srv_html_emit(&h, "<p>%s : <strong>%s</strong> · %t (%t)</p>\n", TX(a, ADMIN_STATUS),
                  strcmp(ev->status, "draft") == 0       ? TX(a, ADMIN_DRAFT)
                  : strcmp(ev->status, "published") == 0 ? TX(a, ADMIN_PUBLISHED)
                                                         : TX(a, ADMIN_CANCELLED),
                  adm_event_when(when, sizeof(when), a, ev), ev->timezone);

    /* publish */
    a->repost = repost && posted == ADM_FORM_PUBLISH;
    if (strcmp(ev->status, "published") != 0) {
        srv_html_emit(&h,
                      "<h2 id=\"publish\">%s</h2>\n<form method=\"post\" "
                      "action=\"/admin/e/%u/publish\" class=\"stack\">\n",
                      TX(a, ADMIN_PUBLISH), ev->slug);
        adm_csrf_field(&h, a);
        if (c.blocking)
            srv_html_emit(&h,
                          "<p class=\"warn\">%z %s</p><div><label class=\"check\" "
                          "for=\"f-accept_conflicts\"><input type=\"checkbox\" "
                          "id=\"f-accept_conflicts\" name=\"accept_conflicts\" value=\"1\"> %s"
                          "</label></div>\n",
                          c.blocking, TX(a, ADMIN_CONFLICT_S_IN_THE_AGENDA),
                          TX(a, ADMIN_PUBLISH_DESPITE_THE_CONFLICTS));
        srv_html_emit(&h, "<div><button type=\"submit\">%s</button></div></form>\n",
                      TX(a, ADMIN_PUBLISH_THE_EVENT));
    }

    /* agenda */
    srv_html_emit(&h, "<h2 id=\"agenda\">%s</h2>\n", TX(a, ADMIN_AGENDA));
    if (c.count) {
        srv_html_emit(&h, "<div role=\"status\"><p class=\"warn\"><strong>%z %s</strong></p>",
                      c.count, TX(a, ADMIN_PROBLEM_S));
        adm_ev_conflict_list(&h, a, &c, NULL);
        srv_html_emit(&h, "</div>\n");
    } else {
        srv_html_emit(&h, "<p>%s</p>\n", TX(a, ADMIN_NO_CONFLICTS));
    }
    timeline(&h, a, ev, &c);
    adm_allocate_form(&h, a, ev);

    a->repost = repost && posted == ADM_FORM_SESSION;
    a->idp = "ses-";
    srv_html_emit(&h,
                  "<h2 id=\"new-session\">%s</h2>\n<form method=\"post\" "
                  "action=\"/admin/e/%u/sessions\" class=\"stack\">\n",
                  TX(a, ADMIN_ADD_A_SESSION), ev->slug);
    adm_csrf_field(&h, a);
    adm_ev_session_fields(&h, a, ev, NULL);
    srv_html_emit(&h, "<div><button type=\"submit\">%s</button></div></form>\n",
                  TX(a, ADMIN_ADD_THE_SESSION));

    /* speakers */
    srv_html_emit(&h, "<h2 id=\"speakers\">%s</h2>\n", TX(a, ADMIN_SPEAKERS));
    if (ev->nspeakers) {
        srv_html_emit(&h, "<ul>\n");
        for (size_t i = 0; i < ev->nspeakers; i++)
            srv_html_emit(&h,
                          "<li>%t%s%t%s — <a href=\"/admin/e/%u/speakers/%u\">%s<span "
                          "class=\"skip\"> %t</span></a></li>\n",
                          ev->speakers[i].name, ev->speakers[i].organization ? " (" : "",
                          ev->speakers[i].organization, ev->speakers[i].organization ? ")" : "",
                          ev->slug, ev->speakers[i].id, TX(a, ADMIN_EDIT), ev->speakers[i].name);
        srv_html_emit(&h, "</ul>\n");
    }
    a->repost = repost && posted == ADM_FORM_SPEAKER;
    a->idp = "spk-";
    srv_html_emit(&h,
                  "<h3>%s</h3>\n<form method=\"post\" action=\"/admin/e/%u/speakers\" "
                  "class=\"stack\">\n",
                  TX(a, ADMIN_ADD_A_SPEAKER), ev->slug);
    adm_csrf_field(&h, a);
    adm_ev_speaker_fields(&h, a, NULL);
    srv_html_emit(&h, "<div><button type=\"submit\">%s</button></div></form>\n",
                  TX(a, ADMIN_ADD_THE_SPEAKER));

    /* the event itself */
    a->repost = repost && posted == ADM_FORM_EVENT;
    a->idp = "ev-";
    srv_html_emit(&h,
                  "<h2 id=\"edit\">%s</h2>\n<form method=\"post\" action=\"/admin/e/%u\" "
                  "class=\"stack\">\n",
                  TX(a, ADMIN_EDIT_THE_EVENT), ev->slug);
    adm_csrf_field(&h, a);
    a->track = 1;
    event_form(&h, a, ev);
    a->track = 0;
    srv_html_emit(&h, "<div><button type=\"submit\">%s</button></div></form>\n", TX(a, ADMIN_SAVE));

    a->repost = repost && posted == ADM_FORM_DUPLICATE;
    a->idp = "dup-";
    srv_html_emit(&h,
                  "<h2 id=\"duplicate\">%s</h2>\n<form method=\"post\" "
                  "action=\"/admin/e/%u/duplicate\" class=\"stack\">\n<p>%s</p>\n",
                  TX(a, ADMIN_DUPLICATE), ev->slug, TX(a, ADMIN_A_NEW_DRAFT_ITS_SESSIONS));
    adm_csrf_field(&h, a);
    adm_input(&h, a, "text", "slug", TX(a, ADMIN_NEW_SLUG), NULL, NULL, 1);
    adm_input(&h, a, "datetime-local", "start", TX(a, ADMIN_NEW_START), NULL, NULL, 1);
    srv_html_emit(&h, "<div><button type=\"submit\">%s</button></div></form>\n",
                  TX(a, ADMIN_DUPLICATE_THE_EVENT));

    /* exports */
    srv_html_emit(&h, "<h2 id=\"exports\">%s</h2>\n<ul>\n", TX(a, ADMIN_EXPORTS));
    for (size_t i = 0; srv_export_name(i); i++)
        srv_html_emit(&h, "<li><a href=\"/admin/e/%u/%u\">%t</a></li>\n", ev->slug,
                      srv_export_name(i), srv_export_name(i));
    srv_html_emit(&h, "</ul>\n");
    a->repost = repost;
    a->idp = NULL;
    free(c.items);
    return adm_page_reply(a, status, &h);
}

/* Show the event page again after a failed post (status from the error). */
int adm_ev_again(adm *a, int form, int rc)
{
    pl_event *ev = NULL;
    unsigned status = rc == PL_EEXISTS ? 409 : srv_status_for(rc);
    int r;

    static const char *const prefixes[] = {"f-", "ev-", "dup-", "f-", "ses-", "spk-", "f-", "f-"};

    a->posted_form = form;
    a->idp_error = prefixes[form];
    if (pl_event_load(&ev, a->req->store, a->args[0], NULL) < 0)
        return adm_error(a, status, a->err_msg);
    a->french = pl_event_lang(ev) == PL_LANG_FR;
    r = event_page(a, ev, status == 500 ? 400 : status);
    pl_event_free(ev);
    return r;
}

int adm_ev_saved(adm *a, const char *anchor)
{
    char where[300];

    snprintf(where, sizeof(where), "/admin/e/%s?done=1%s%s", a->args[0], anchor ? "#" : "",
             anchor ? anchor : "");
    return adm_redirect(a, where);
}

int adm_event_page(adm *a)
{
    pl_event *ev = NULL;
    int r;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    r = event_page(a, ev, 200);
    pl_event_free(ev);
    return r;
}

/* Load the event and its file; 0, or the error page was answered. */
int adm_ev_begin(adm *a, pl_event **ev, json_t **root)
{
    if (adm_load_event(a, ev) < 0)
        return -1;
    if (!(*root = pl_event_to_json(*ev))) {
        pl_event_free(*ev);
        adm_error(a, 500, NULL);
        return -1;
    }
    return 0;
}

int adm_event_update(adm *a)
{
    const char *slug = srv_field_get(a->req, "slug");
    pl_event *ev = NULL;
    json_t *root = NULL;
    pl_error err;
    int rc;

    if (adm_ev_begin(a, &ev, &root) < 0)
        return 0;
    pl_error_clear(&err);
    if (slug && strcmp(slug, ev->slug) != 0)
        rc = pl_error_set_at(&err, PL_EINVALID, NULL, 0, 0, "", "%s",
                             TX(a, ADMIN_AN_EVENTS_SLUG_DOES_NOT));
    else
        rc = apply_event_fields(a, root, ev, &err);
    if (rc < 0)
        adm_set_error(a, &err);
    else
        rc = adm_ev_save_json(a, root, 0);
    json_decref(root);
    pl_event_free(ev);
    return rc < 0 ? adm_ev_again(a, ADM_FORM_EVENT, rc) : adm_ev_saved(a, "edit");
}

int adm_event_publish(adm *a)
{
    const char *accept = srv_field_get(a->req, "accept_conflicts");
    pl_event *ev = NULL;
    json_t *root = NULL;
    int rc;

    if (adm_ev_begin(a, &ev, &root) < 0)
        return 0;
    json_object_set_new(root, "status", json_string("published"));
    rc = adm_ev_save_json(a, root, !(accept && strcmp(accept, "1") == 0));
    json_decref(root);
    pl_event_free(ev);
    return rc < 0 ? adm_ev_again(a, ADM_FORM_PUBLISH, rc) : adm_ev_saved(a, NULL);
}

int adm_event_duplicate(adm *a)
{
    const char *slug = srv_field_get(a->req, "slug"), *start = srv_field_get(a->req, "start");
    pl_event *ev = NULL, *other = NULL;
    json_t *root = NULL;
    pl_error err;
    char where[200];
    int rc;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    pl_error_clear(&err);
    if (slug && *slug && pl_event_load(&other, a->req->store, slug, NULL) == 0) {
        pl_event_free(other);
        rc = pl_error_set_at(&err, PL_EEXISTS, NULL, 0, 0, "slug", "%s « %s »",
                             TX(a, ADMIN_AN_EVENT_ALREADY_HAS_THE), slug);
    } else {
        rc = pl_event_duplicate_json(&root, ev, slug, start, &err);
    }
    if (rc < 0)
        adm_set_error(a, &err);
    else
        rc = adm_ev_save_json(a, root, 0);
    json_decref(root);
    pl_event_free(ev);
    if (rc < 0)
        return adm_ev_again(a, ADM_FORM_DUPLICATE, rc);
    snprintf(where, sizeof(where), "/admin/e/%s?done=duplicated", slug);
    return adm_redirect(a, where);
}
