/*
 * pages.c - the HTML pages: upcoming events, an event's agenda with its
 * registration form, and error pages; an attendee's own page is in
 * page_me.c, with the words, frame and form helpers this file lends it
 * (pages_common.h).
 *
 * Language: French for a French event, English otherwise. An event is
 * French when its time zone is that of metropolitan France or of a French
 * overseas territory (srv_event_is_french). The list of events is French
 * when most of the events shown are (ties, and an empty list, in French).
 *
 * Pages are self-contained (inline CSS, inline SVG, no scripts, no fonts or
 * images from elsewhere) and laid out for a phone first.
 */
#include "calendar.h"
#include "internal.h"
#include "lang.h"
#include "page_ranks.h"
#include "pages_common.h"
#include "registration.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const lang fr = {
    "fr",
    "Prochains événements",
    "Aucun événement à venir pour l'instant.",
    "S'abonner",
    "S'abonner à tous les événements",
    "lien https",
    "Ajouter à Google Agenda",
    "S'abonner dans Google Agenda",
    "Programme",
    "Lieu",
    "En ligne",
    "Intervenants",
    "Salle",
    "S'inscrire",
    "Nom et prénom",
    "Adresse e-mail",
    "Structure",
    "Commune de départ",
    "commune ou code postal, pour le covoiturage",
    "Trajet",
    "je ne cherche pas de covoiturage",
    "je conduis et propose des places",
    "je cherche une place (passager)",
    "je peux conduire ou être passager",
    "Places offertes",
    "Je participe au repas",
    "Régime alimentaire",
    "Ateliers",
    "aucun de ces ateliers",
    "complet",
    "places restantes",
    "J'accepte de figurer sur la liste publique des participants (nom et structure, jamais "
    "l'e-mail)",
    "Envoyer mon inscription",
    "L'événement est complet : vous serez inscrit·e en liste d'attente.",
    "Les inscriptions sont fermées.",
    "Votre inscription",
    "Inscription confirmée",
    "En liste d'attente",
    "Inscription annulée",
    "Vos sessions",
    "Aucune session choisie.",
    "Votre agenda personnel",
    "Annuler mon inscription",
    "Annuler l'inscription ? Votre place sera proposée à la liste d'attente.",
    "Retour au programme",
    "Page introuvable.",
    "Erreur",
    "oui",
    "non",
    "oui",
    "non",
    {"intervention", "atelier", "repas", "pause", "forum", "plénière"},
    "Événement annulé",
    "position",
    "places disponibles",
    "Participants",
    "Télécharger la liste des participants (CSV)"};

static const lang en = {"en",
                        "Upcoming events",
                        "No upcoming events yet.",
                        "Subscribe",
                        "Subscribe to all events",
                        "https link",
                        "Add to Google Calendar",
                        "Subscribe in Google Calendar",
                        "Agenda",
                        "Venue",
                        "Online",
                        "Speakers",
                        "Room",
                        "Register",
                        "Full name",
                        "E-mail address",
                        "Organization",
                        "Travelling from",
                        "town or postcode, for carpooling",
                        "Travel",
                        "no carpool for me",
                        "I drive and offer seats",
                        "I need a seat (passenger)",
                        "I can drive or ride",
                        "Seats offered",
                        "I will join the meal",
                        "Diet",
                        "Workshops",
                        "none of these",
                        "full",
                        "places left",
                        "List me on the public list of participants (name and organization, never "
                        "the e-mail)",
                        "Send my registration",
                        "The event is full: you will be put on the waiting list.",
                        "Registration is closed.",
                        "Your registration",
                        "Registration confirmed",
                        "On the waiting list",
                        "Registration cancelled",
                        "Your sessions",
                        "No session chosen.",
                        "Your personal calendar",
                        "Cancel my registration",
                        "Cancel your registration? Your seat goes to the waiting list.",
                        "Back to the agenda",
                        "Page not found.",
                        "Error",
                        "yes",
                        "no",
                        "yes",
                        "no",
                        {"talk", "workshop", "meal", "break", "forum", "plenary"},
                        "Event cancelled",
                        "position",
                        "places available",
                        "Participants",
                        "Download the list of participants (CSV)"};

int srv_event_is_french(const pl_event *ev)
{
    static const char *const zones[] = {
        "Europe/Paris",     "America/Cayenne", "America/Guadeloupe", "America/Martinique",
        "America/Miquelon", "Indian/Reunion",  "Indian/Mayotte",     "Pacific/Noumea",
        "Pacific/Tahiti",   "Pacific/Wallis",  "Pacific/Marquesas",  "Pacific/Gambier",
    };
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
        if (ev->timezone && strcmp(ev->timezone, zones[i]) == 0)
            return 1;
    return 0;
}

const lang *pg_lang_named(const char *code)
{
    return code && strcmp(code, "en") == 0 ? &en : &fr;
}

const lang *pg_lang_of(const pl_event *ev)
{
    return srv_event_is_french(ev) ? &fr : &en;
}

static const char *kind_label(const lang *L, const char *kind)
{
    static const char *const kinds[] = {"talk", "workshop", "meal", "break", "forum", "plenary"};
    for (int i = 0; i < 6; i++)
        if (kind && strcmp(kind, kinds[i]) == 0)
            return L->kinds[i];
    return kind ? kind : "";
}

/* "jeudi 10 décembre 2026", "Thursday, 10 December 2026": the day as the
 * rest of the planner writes it (pl_datefmt). One formatter per language,
 * opened on first use and kept (opening one costs about 0.7 ms, which the
 * list of events would pay for every event); not thread-safe, hence the
 * lock. A date it cannot read, or no formatter, is shown as stored. */
static void format_day(char *out, size_t size, const lang *L, const char *when)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static pl_datefmt *fmt[PL_LANG_COUNT];
    pl_lang which = L == &fr ? PL_LANG_FR : PL_LANG_EN;

    pthread_mutex_lock(&lock);
    if (!fmt[which])
        pl_datefmt_open(&fmt[which], which, NULL, NULL); /* wall times: no zone */
    if (fmt[which])
        pl_datefmt_format(fmt[which], out, size, PL_DATE_LONG, when);
    else
        snprintf(out, size, "%s", when ? when : "");
    pthread_mutex_unlock(&lock);
}

const char *pg_hhmm(const char *when) /* "YYYY-MM-DDTHH:MM" -> "HH:MM" */
{
    return when && strlen(when) >= 16 ? when + 11 : "";
}

static const char style[] =
    "<style>"
    ":root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#5b6570;--line:#d7dde3;"
    "--accent:#0b5cad;--card:#f5f7f9}"
    "@media(prefers-color-scheme:dark){:root{--fg:#e8ecef;--bg:#14171a;--muted:#a2adb8;"
    "--line:#333a41;--accent:#7cb8ff;--card:#1d2125}}"
    "*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',"
    "Roboto,sans-serif;color:var(--fg);background:var(--bg)}"
    "main{max-width:60rem;margin:0 auto;padding:1rem;overflow-wrap:anywhere}"
    "a{color:var(--accent)}"
    "h1{font-size:1.6rem;line-height:1.2;margin:.5rem 0}h2{font-size:1.25rem;margin-top:2rem}"
    ".muted{color:var(--muted)}.links a{display:inline-block;margin:.2rem .8rem .2rem 0}"
    ".event{border-top:1px solid var(--line);padding:1rem 0}"
    ".slot{display:flex;gap:.6rem;margin:.6rem 0;flex-wrap:wrap}"
    ".slot>.time{flex:0 0 100%;font-weight:600}"
    ".card{flex:1 1 14rem;background:var(--card);border:1px solid var(--line);"
    "border-radius:.5rem;padding:.6rem .8rem}.card h3{margin:.1rem 0;font-size:1.05rem}"
    ".kind{font-size:.8rem;text-transform:uppercase;letter-spacing:.03em;color:var(--muted)}"
    "form{display:grid;gap:.8rem;max-width:36rem}label{display:block;font-weight:600}"
    "input[type=text],input[type=email],input[type=number],select{width:100%;padding:.5rem;"
    "font:inherit;border:1px solid var(--line);border-radius:.3rem;background:var(--bg);"
    "color:var(--fg)}fieldset{border:1px solid var(--line);border-radius:.4rem}"
    ".check{font-weight:400}button{font:inherit;padding:.6rem 1rem;border:0;"
    "border-radius:.3rem;background:var(--accent);color:var(--bg);cursor:pointer}"
    ".status{font-size:1.2rem;font-weight:700}.warn{color:#b3261e}"
    "dl{display:grid;grid-template-columns:minmax(0,16rem) 1fr;gap:.2rem 1rem}dt{font-weight:600}"
    "dd{margin:0}@media(max-width:36rem){dl{display:block}dd{margin:0 0 .5rem}}"
    "</style>";

void pg_page_start(srv_html *h, const lang *L, const char *title)
{
    srv_html_emit(h,
                  "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<title>%t</title>%s</head><body><main>\n",
                  L->code, title, style);
}

void pg_page_end(srv_html *h)
{
    srv_html_emit(h, "</main></body></html>\n");
}

/* https://host/path -> webcal://host/path (http:// too). */
static void webcal_url(char *out, size_t size, const char *base, const char *path)
{
    const char *rest = strstr(base, "://");
    snprintf(out, size, "webcal://%s%s", rest ? rest + 3 : base, path);
}

void pg_subscribe_links(srv_html *h, const lang *L, const pl_server *srv, const char *path,
                        const char *label)
{
    char web[512], https[512];

    webcal_url(web, sizeof(web), srv->base_url, path);
    snprintf(https, sizeof(https), "%s%s", srv->base_url, path);
    srv_html_emit(h,
                  "<p class=\"links\"><a href=\"%U\">%t</a> <a href=\"%U\">%t</a> "
                  "<a href=\"https://calendar.google.com/calendar/render?cid=%u\">%t</a></p>\n",
                  web, label, https, L->subscribe_https, web, L->google_subscribe);
}

/* "20261210T093000" from "2026-12-10T09:30" */
static void compact_time(char out[20], const char *when)
{
    pl_datetime dt;

    if (pl_datetime_parse(&dt, when) < 0) {
        out[0] = '\0';
        return;
    }
    snprintf(out, 20, "%04d%02d%02dT%02d%02d00", dt.year, dt.month, dt.day, dt.hour, dt.minute);
}

static void google_add_link(srv_html *h, const lang *L, const pl_server *srv, const pl_event *ev)
{
    char start[20], end[20], dates[48], page[512];
    const char *where = ev->venue_address ? ev->venue_address : ev->online_url;

    compact_time(start, ev->start);
    compact_time(end, ev->end);
    snprintf(dates, sizeof(dates), "%s/%s", start, end);
    snprintf(page, sizeof(page), "%s/e/%s", srv->base_url, ev->slug);
    srv_html_emit(h,
                  "<a href=\"https://calendar.google.com/calendar/render?action=TEMPLATE"
                  "&amp;text=%u&amp;dates=%u&amp;ctz=%u&amp;details=%u&amp;location=%u\">%t</a>",
                  ev->title, dates, ev->timezone, page, where ? where : "", L->google_add);
}

void pg_when_where(srv_html *h, const lang *L, const pl_event *ev)
{
    char day[80], endday[80];

    format_day(day, sizeof(day), L, ev->start);
    format_day(endday, sizeof(endday), L, ev->end);
    if (strncmp(ev->start, ev->end, 10) == 0)
        srv_html_emit(h, "<p><strong>%t</strong>, %t – %t</p>\n", day, pg_hhmm(ev->start),
                      pg_hhmm(ev->end));
    else
        srv_html_emit(h, "<p><strong>%t %t</strong> – <strong>%t %t</strong></p>\n", day,
                      pg_hhmm(ev->start), endday, pg_hhmm(ev->end));
}

/* ---- / ------------------------------------------------------------------ */

/* Is ev over at now (UTC)? By day, in ev's own zone: an event stays listed,
 * and open to registration, until its last day ends where it happens. */
static int event_is_over(const pl_event *ev, const char *now)
{
    char today[32];

    if (pl_calendar_local_from_utc(today, sizeof(today), ev->timezone, now, NULL) < 0)
        snprintf(today, sizeof(today), "%s", now); /* no zone rules: UTC's day */
    return strncmp(ev->end, today, 10) < 0;
}

int srv_page_index(srv_reply *out, srv_req *req)
{
    pl_event **events = NULL;
    size_t n = 0, shown = 0, french = 0;
    char now[32];
    srv_html h = {PL_BUF_INIT, 0};
    const lang *L;
    pl_error err;
    int rc;

    if ((rc = pl_event_list(&events, &n, req->store, &err)) < 0)
        return srv_page_error(out, srv_status_for(rc), NULL, NULL); /* not the store's words */
    pl_now_utc(now);
    /* Upcoming: published, and not over. */
    for (size_t i = 0; i < n; i++) {
        pl_event *ev = events[i];
        if (strcmp(ev->status, "published") != 0 || event_is_over(ev, now))
            continue;
        shown++;
        french += (size_t)srv_event_is_french(ev);
        srv_latest(out->modified, ev->modified);
        for (size_t s = 0; s < ev->nsessions; s++)
            srv_latest(out->modified, ev->sessions[s].modified);
    }
    L = french * 2 >= shown ? &fr : &en;
    pg_page_start(&h, L, L->upcoming);
    srv_html_emit(&h, "<h1>%t</h1>\n", L->upcoming);
    pg_subscribe_links(&h, L, req->srv, "/events.ics", L->subscribe_all);
    for (size_t i = 0; i < n; i++) {
        pl_event *ev = events[i];
        const lang *EL = pg_lang_of(ev);
        char path[200];
        if (strcmp(ev->status, "published") != 0 || event_is_over(ev, now))
            continue;
        snprintf(path, sizeof(path), "/e/%s.ics", ev->slug);
        srv_html_emit(&h,
                      "<section class=\"event\" lang=\"%s\"><h2><a href=\"/e/%u\">%t</a></h2>\n",
                      EL->code, ev->slug, ev->title);
        pg_when_where(&h, EL, ev);
        if (ev->venue_name)
            srv_html_emit(&h, "<p>%t%s%t</p>\n", ev->venue_name, ev->venue_address ? ", " : "",
                          ev->venue_address);
        else if (ev->online_url)
            srv_html_emit(&h, "<p>%t</p>\n", EL->online);
        if (ev->summary)
            srv_html_emit(&h, "<p class=\"muted\">%t</p>\n", ev->summary);
        pg_subscribe_links(&h, EL, req->srv, path, EL->subscribe);
        srv_html_emit(&h, "<p class=\"links\">");
        google_add_link(&h, EL, req->srv, ev);
        srv_html_emit(&h, "</p></section>\n");
    }
    if (shown == 0)
        srv_html_emit(&h, "<p>%t</p>\n", L->no_events);
    pg_page_end(&h);
    pl_event_list_free(events, n);
    out->conditional = 1;
    out->cache_control = "no-cache";
    return srv_reply_html(out, 200, &h);
}

/* ---- /e/SLUG ------------------------------------------------------------ */

typedef struct seats {
    const pl_event *ev;
    int *per_session;
} seats;

static void session_seats(const char *id, int confirmed, void *payload)
{
    seats *c = payload;

    for (size_t s = 0; s < c->ev->nsessions; s++)
        if (strcmp(c->ev->sessions[s].id, id) == 0)
            c->per_session[s] = confirmed;
}

/* Confirmed registrations per session (index into ev->sessions) and the
 * event's counts, in time independent of its size (pl_registration_count):
 * the page is built again after every sign-up. Also moves modified (UTC,
 * size 32) to the latest registration change: the page shows places left
 * and the public list, so a registration elsewhere must not leave an
 * If-Modified-Since answered 304. */
static int count_seats(pl_store *store, const pl_event *ev, int *per_session,
                       pl_registration_counts *counts, char *modified)
{
    seats c = {ev, per_session};
    int rc = pl_registration_count(counts, store, ev->slug, session_seats, &c, NULL);

    if (rc == 0)
        srv_latest(modified, counts->updated);
    return rc;
}

int pg_choosable(const pl_session *s)
{
    return !s->cancelled && s->kind && strcmp(s->kind, "workshop") == 0;
}

/* Places are shown on the sessions people choose (breakouts) only: everyone
 * attends the others. A breakout never has more places left than the event. */
static void session_card(srv_html *h, const lang *L, const pl_event *ev, const pl_session *s,
                         int taken, int event_left)
{
    srv_html_emit(h,
                  "<article class=\"card\" id=\"s-%a\"><div class=\"kind\">%t · %t–%t</div>"
                  "<h3>%t</h3>",
                  s->id, kind_label(L, s->kind), pg_hhmm(s->start), pg_hhmm(s->end), s->title);
    if (s->room)
        srv_html_emit(h, "<div class=\"muted\">%t : %t</div>", L->room, s->room);
    for (size_t k = 0; k < s->speakers.count; k++) {
        const pl_speaker *sp = pl_event_speaker(ev, s->speakers.items[k]);
        if (!sp)
            continue;
        srv_html_emit(h, "<div>%t%s%t%s</div>", sp->name,
                      sp->organization ? " <span class=\"muted\">(" : "", sp->organization,
                      sp->organization ? ")</span>" : "");
    }
    if (s->description)
        srv_html_emit(h, "<p>%t</p>", s->description);
    if (s->capacity > 0 && pg_choosable(s)) {
        int left = s->capacity - taken;
        if (left > event_left)
            left = event_left;
        if (left > 0)
            srv_html_emit(h, "<div class=\"muted\">%d %t</div>", left, L->places_left);
        else
            srv_html_emit(h, "<div class=\"warn\">%t</div>", L->full);
    }
    srv_html_emit(h, "</article>\n");
}

static void agenda(srv_html *h, const lang *L, const pl_event *ev, const int *taken, int confirmed)
{
    int event_left = ev->capacity > 0 ? ev->capacity - confirmed : INT_MAX;

    pl_slot *slots = NULL;
    size_t nslots = 0, *order = NULL;

    if (pl_agenda_slots(&slots, &nslots, &order, ev) < 0) {
        h->failed = 1;
        return;
    }
    srv_html_emit(h, "<h2>%t</h2>\n", L->agenda);
    for (size_t i = 0; i < nslots; i++) {
        srv_html_emit(h, "<div class=\"slot\"><div class=\"time\">%t – %t</div>\n",
                      pg_hhmm(slots[i].start), pg_hhmm(slots[i].end));
        for (size_t k = 0; k < slots[i].count; k++) {
            size_t idx = order[slots[i].first + k];
            session_card(h, L, ev, &ev->sessions[idx], taken[idx], event_left);
        }
        srv_html_emit(h, "</div>\n");
    }
    free(slots);
    free(order);
}

/* The registration form shown again after an error (POST /e/SLUG/register
 * without JavaScript): what was typed, and the message beside its field. */
const char *pg_typed(const form_again *ag, const char *name)
{
    return ag ? srv_field_get(ag->req, name) : NULL;
}

/* Was name=value posted (a field that may come several times)? */
int pg_typed_has(const form_again *ag, const char *name, const char *value)
{
    for (size_t i = 0; ag && i < ag->req->nfields; i++)
        if (strcmp(ag->req->fields[i].key, name) == 0 &&
            strcmp(ag->req->fields[i].value.data ? ag->req->fields[i].value.data : "", value) == 0)
            return 1;
    return 0;
}

const char *pg_checked(const form_again *ag, const char *name)
{
    const char *v = pg_typed(ag, name);
    return v && *v && strcmp(v, "0") != 0 ? " checked" : "";
}

int pg_at_fault(const form_again *ag, const char *name)
{
    return ag && strcmp(ag->field, name) == 0;
}

/* The attributes that tie a field to its error, then (after the field) the
 * error itself. */
void pg_invalid_attrs(srv_html *h, const form_again *ag, const char *name)
{
    if (pg_at_fault(ag, name))
        srv_html_emit(h, " aria-invalid=\"true\" aria-describedby=\"%a-error\"", name);
}

void pg_field_error(srv_html *h, const form_again *ag, const char *name)
{
    if (pg_at_fault(ag, name))
        srv_html_emit(h, "<p class=\"warn\" id=\"%a-error\">%t</p>", name, ag->msg);
}

/* <div><label><input ...></div> with what was typed, or fallback. attrs is
 * written as it is. */
static void input_field(srv_html *h, const form_again *ag, const char *type, const char *name,
                        const char *label, const char *attrs, const char *fallback)
{
    const char *v = pg_typed(ag, name);

    srv_html_emit(h, "<div><label for=\"%a\">%t</label><input type=\"%s\" id=\"%a\" name=\"%a\" %s",
                  name, label, type, name, name, attrs);
    if (v || fallback)
        srv_html_emit(h, " value=\"%a\"", v ? v : fallback);
    pg_invalid_attrs(h, ag, name);
    srv_html_emit(h, ">");
    pg_field_error(h, ag, name);
    srv_html_emit(h, "</div>\n");
}

/* Above the form: nothing was saved (the text not_saved), and why (a link
 * to the field). */
void pg_form_error_summary(srv_html *h, const pl_event *ev, const form_again *ag,
                           pl_text_id not_saved)
{
    static const char *const fields[] = {"name",  "email", "organization", "origin", "travel",
                                         "seats", "phone", "diet",         NULL};
    const char *anchor = NULL;

    if (!ag)
        return;
    for (const char *const *f = fields; *f; f++)
        if (strcmp(ag->field, *f) == 0)
            anchor = *f;
    if (!anchor && (strcmp(ag->field, "sessions") == 0 || strcmp(ag->field, "ranks") == 0))
        anchor = "breakouts";
    srv_html_emit(h,
                  "<div class=\"warn\" role=\"alert\" id=\"form-error\"><p><strong>%t</strong></p>"
                  "<p>",
                  pl_lang_text(pl_event_lang(ev), not_saved));
    if (anchor)
        srv_html_emit(h, "<a href=\"#%a\">%t</a>", anchor, ag->msg);
    else
        srv_html_emit(h, "%t", ag->msg);
    srv_html_emit(h, "</p></div>\n");
}

static void registration_form(srv_html *h, const lang *L, const pl_server *srv, const pl_event *ev,
                              const int *taken, int confirmed, const form_again *ag)
{
    pl_slot *slots = NULL;
    size_t nslots = 0, *order = NULL;
    char purpose[160], token[64];
    const char *travel = pg_typed(ag, "travel");

    snprintf(purpose, sizeof(purpose), "register:%s", ev->slug);
    srv_form_token(srv, purpose, token);
    srv_html_emit(h, "<h2 id=\"register\">%t</h2>\n", L->register_title);
    if (ev->capacity > 0 && confirmed >= ev->capacity)
        srv_html_emit(h, "<p class=\"warn\">%t</p>\n", L->event_full);
    else if (ev->capacity > 0)
        srv_html_emit(h, "<p class=\"muted\">%d %t</p>\n", ev->capacity - confirmed,
                      L->capacity_left);
    pg_form_error_summary(h, ev, ag, PL_T_FORM_NOT_SAVED);
    srv_html_emit(h,
                  "<form method=\"post\" action=\"/e/%u/register\">\n"
                  "<input type=\"hidden\" name=\"csrf\" value=\"%a\">\n",
                  ev->slug, token);
    input_field(h, ag, "text", "name", L->name, "required maxlength=\"200\" autocomplete=\"name\"",
                NULL);
    input_field(h, ag, "email", "email", L->email,
                "required maxlength=\"254\" autocomplete=\"email\"", NULL);
    input_field(h, ag, "text", "organization", L->organization,
                "maxlength=\"200\" autocomplete=\"organization\"", NULL);
    if (strcmp(ev->format, "online") != 0) {
        static const char *const modes[] = {"none", "drive", "ride", "flexible"};
        const char *mode_labels[] = {L->travel_none, L->travel_drive, L->travel_ride,
                                     L->travel_flexible};
        srv_html_emit(h,
                      "<div><label for=\"origin\">%t</label><input type=\"text\" id=\"origin\" "
                      "name=\"origin\" maxlength=\"200\" placeholder=\"%a\"",
                      L->origin, L->origin_hint);
        if (pg_typed(ag, "origin"))
            srv_html_emit(h, " value=\"%a\"", pg_typed(ag, "origin"));
        pg_invalid_attrs(h, ag, "origin");
        srv_html_emit(h, ">");
        pg_field_error(h, ag, "origin");
        srv_html_emit(h,
                      "</div>\n<div><label for=\"travel\">%t</label><select id=\"travel\" "
                      "name=\"travel\"",
                      L->travel);
        pg_invalid_attrs(h, ag, "travel");
        srv_html_emit(h, ">");
        for (size_t i = 0; i < 4; i++)
            srv_html_emit(h, "<option value=\"%s\"%s>%t</option>", modes[i],
                          travel && strcmp(travel, modes[i]) == 0 ? " selected" : "",
                          mode_labels[i]);
        srv_html_emit(h, "</select>");
        pg_field_error(h, ag, "travel");
        srv_html_emit(h, "</div>\n");
        input_field(h, ag, "number", "seats", L->seats,
                    "min=\"1\" max=\"" PL_REG_SEATS_MAX_STR "\"", "3");
        srv_html_emit(h,
                      "<div><label class=\"check\"><input type=\"checkbox\" name=\"meal\" "
                      "value=\"1\"%s> %t</label></div>\n",
                      pg_checked(ag, "meal"), L->meal);
        input_field(h, ag, "text", "diet", L->diet, "maxlength=\"200\"", NULL);
        /* the phone, and a consent of its own to share it with the group */
        input_field(h, ag, "tel", "phone", pl_lang_text(pl_event_lang(ev), PL_T_PAGES_PHONE),
                    "maxlength=\"40\" autocomplete=\"tel\"", NULL);
        srv_html_emit(h,
                      "<div><label class=\"check\"><input type=\"checkbox\" name=\"share_phone\" "
                      "value=\"1\"%s> %t</label></div>\n",
                      pg_checked(ag, "share_phone"),
                      pl_lang_text(pl_event_lang(ev), PL_T_PAGES_SHARE_PHONE));
    }
    /* Breakouts: one choice per time slot that offers workshops. */
    if (pl_agenda_slots(&slots, &nslots, &order, ev) == 0) {
        int any = 0;
        for (size_t i = 0; i < nslots; i++) {
            size_t nw = 0;
            for (size_t k = 0; k < slots[i].count; k++)
                nw += (size_t)pg_choosable(&ev->sessions[order[slots[i].first + k]]);
            if (nw == 0)
                continue;
            if (!any++) {
                srv_html_emit(h, "<fieldset id=\"breakouts\"><legend>%t</legend>\n", L->breakouts);
                if (pg_at_fault(ag, "sessions") || pg_at_fault(ag, "ranks"))
                    srv_html_emit(h, "<p class=\"warn\">%t</p>\n", ag->msg);
            }
            srv_html_emit(h, "<div><strong>%t – %t</strong>\n", pg_hhmm(slots[i].start),
                          pg_hhmm(slots[i].end));
            char slot_name[32];
            const char *chosen;
            snprintf(slot_name, sizeof(slot_name), "slot-%zu", i);
            chosen = pg_typed(ag, slot_name);
            if (nw > 1)
                srv_html_emit(h,
                              "<label class=\"check\"><input type=\"radio\" name=\"slot-%z\" "
                              "value=\"\"%s> %t</label>\n",
                              i, !chosen || !*chosen ? " checked" : "", L->none_of_these);
            for (size_t k = 0; k < slots[i].count; k++) {
                size_t idx = order[slots[i].first + k];
                const pl_session *s = &ev->sessions[idx];
                int full = s->capacity > 0 && taken[idx] >= s->capacity;
                if (!pg_choosable(s))
                    continue;
                if (nw > 1)
                    srv_html_emit(h,
                                  "<label class=\"check\"><input type=\"radio\" "
                                  "name=\"slot-%z\" value=\"%a\"%s%s> %t%s%t%s</label>\n",
                                  i, s->id, full ? " disabled" : "",
                                  !full && chosen && strcmp(chosen, s->id) == 0 ? " checked" : "",
                                  s->title, full ? " (" : "", full ? L->full : NULL,
                                  full ? ")" : "");
                else
                    srv_html_emit(h,
                                  "<label class=\"check\"><input type=\"checkbox\" "
                                  "name=\"session\" value=\"%a\"%s%s> %t%s%t%s</label>\n",
                                  s->id, full ? " disabled" : "",
                                  !full && pg_typed_has(ag, "session", s->id) ? " checked" : "",
                                  s->title, full ? " (" : "", full ? L->full : NULL,
                                  full ? ")" : "");
            }
            if (nw > 1)
                srv_rank_selects(h, ev, &slots[i], order, ag ? ag->req : NULL);
            srv_html_emit(h, "</div>\n");
        }
        if (any)
            srv_html_emit(h, "</fieldset>\n");
    } else {
        h->failed = 1;
    }
    free(slots);
    free(order);
    srv_html_emit(h,
                  "<div><label class=\"check\"><input type=\"checkbox\" name=\"public\" "
                  "value=\"1\"%s> %t</label></div>\n"
                  "<div><button type=\"submit\">%t</button></div>\n</form>\n",
                  pg_checked(ag, "public"), L->public_consent, L->submit);
}

/* The event's page; with err, the registration form comes back with what
 * was posted and err beside its field, answered with status. */
static int event_page(srv_reply *out, srv_req *req, unsigned status, const pl_error *form_err)
{
    const char *slug = req->arg[0];
    form_again again, *ag = NULL;
    char msg[700];
    pl_event *ev = NULL;
    srv_html h = {PL_BUF_INIT, 0};
    const lang *L;
    int *taken = NULL, confirmed = 0, rc;
    pl_registration_counts counts;
    char path[200];
    pl_error err;

    if ((rc = pl_event_load(&ev, req->store, slug, &err)) < 0 || strcmp(ev->status, "draft") == 0) {
        pl_event_free(ev);
        return srv_page_error(out, rc < 0 ? srv_status_for(rc) : 404, NULL, NULL);
    }
    L = pg_lang_of(ev);
    if (form_err) {
        again.req = req;
        again.field = form_err->path;
        again.msg = pl_error_text(form_err, pl_event_lang(ev), msg, sizeof(msg));
        ag = &again;
    }
    if (!(taken = calloc(ev->nsessions + 1, sizeof(int))) ||
        count_seats(req->store, ev, taken, &counts, out->modified) < 0) {
        free(taken);
        pl_event_free(ev);
        return srv_page_error(out, 503, L->code, NULL);
    }
    confirmed = counts.confirmed;
    srv_latest(out->modified, ev->modified);
    for (size_t s = 0; s < ev->nsessions; s++)
        srv_latest(out->modified, ev->sessions[s].modified);
    pg_page_start(&h, L, ev->title);
    srv_html_emit(&h, "<p><a href=\"/\">←</a></p><h1>%t</h1>\n", ev->title);
    if (strcmp(ev->status, "cancelled") == 0)
        srv_html_emit(&h, "<p class=\"status warn\">%t</p>\n", L->cancelled_event);
    pg_when_where(&h, L, ev);
    if (ev->venue_name || ev->venue_address) {
        srv_html_emit(&h, "<p><strong>%t :</strong> %t%s%t", L->venue, ev->venue_name,
                      ev->venue_name && ev->venue_address ? ", " : "", ev->venue_address);
        if (ev->has_geo) {
            char osm[160];
            snprintf(osm, sizeof(osm),
                     "https://www.openstreetmap.org/?mlat=%.5f&mlon=%.5f#map=16/%.5f/%.5f",
                     ev->venue_lat, ev->venue_lon, ev->venue_lat, ev->venue_lon);
            srv_html_emit(&h, " (<a href=\"%U\">OpenStreetMap</a>)", osm);
        }
        srv_html_emit(&h, "</p>\n");
    }
    if (ev->online_url)
        srv_html_emit(&h, "<p><strong>%t :</strong> <a href=\"%U\">%t</a></p>\n", L->online,
                      ev->online_url, ev->online_url);
    if (ev->summary)
        srv_html_emit(&h, "<p>%t</p>\n", ev->summary);
    if (ev->description)
        srv_html_emit(&h, "<p class=\"muted\">%t</p>\n", ev->description);
    snprintf(path, sizeof(path), "/e/%s.ics", ev->slug);
    pg_subscribe_links(&h, L, req->srv, path, L->subscribe);
    srv_html_emit(&h, "<p class=\"links\">");
    google_add_link(&h, L, req->srv, ev);
    srv_html_emit(&h, "</p>\n");
    agenda(&h, L, ev, taken, confirmed);
    srv_public_list_html(&h, req, ev, counts.public_list, L->participants, L->participants_csv);
    if (strcmp(ev->status, "published") == 0) {
        char now[32];
        pl_now_utc(now);
        if (!event_is_over(ev, now))
            registration_form(&h, L, req->srv, ev, taken, confirmed, ag);
        else {
            pg_form_error_summary(&h, ev, ag, PL_T_FORM_NOT_SAVED);
            srv_html_emit(&h, "<p>%t</p>\n", L->closed);
        }
    } else {
        pg_form_error_summary(&h, ev, ag, PL_T_FORM_NOT_SAVED);
    }
    pg_page_end(&h);
    free(taken);
    pl_event_free(ev);
    if (ag) {
        out->conditional = 0;
        out->cache_control = "no-store";
        return srv_reply_html(out, status, &h);
    }
    out->conditional = 1;
    out->cache_control = "no-cache";
    return srv_reply_html(out, 200, &h);
}

int srv_page_event(srv_reply *out, srv_req *req)
{
    return event_page(out, req, 200, NULL);
}

int srv_page_event_again(srv_reply *out, srv_req *req, unsigned status, const pl_error *err)
{
    return event_page(out, req, status, err);
}

int srv_page_error(srv_reply *out, unsigned status, const char *code, const char *message)
{
    const lang *L = code && strcmp(code, "en") == 0 ? &en : &fr;
    srv_html h = {PL_BUF_INIT, 0};

    out->conditional = 0;
    pg_page_start(&h, L, L->error_title);
    srv_html_emit(&h, "<h1>%d</h1><p>%t</p><p><a href=\"/\">←</a></p>\n", (int)status,
                  message         ? message
                  : status == 404 ? L->not_found
                                  : L->error_title);
    pg_page_end(&h);
    return srv_reply_html(out, status, &h);
}

/* GET /me/{token}/erase: the confirmation step of "Erase my data", a form
 * (CSRF token "erase:TOKEN") that posts to the same path. */
void srv_page_frame_start(srv_html *h, int french, const char *title)
{
    pg_page_start(h, french ? &fr : &en, title);
}

void srv_page_frame_end(srv_html *h)
{
    pg_page_end(h);
}
