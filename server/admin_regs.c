/*
 * admin_regs.c - an event's registrations for its organisers: the table
 * (search by name, e-mail or commune; filter by status and workshop; sort),
 * one person's edit, cancelling, and confirming someone from the waiting
 * list by hand; the exports as plain links.
 *
 * An edit changes only the fields the organiser changed: the form carries
 * each field's value as it was shown (was-FIELD), and a field is applied
 * only when what is posted differs from it, so that a change the person
 * made meanwhile on their own page is kept. Saving goes through
 * pl_registration_save_ext, with its validation and capacity rules.
 */
#define _GNU_SOURCE /* strcasestr */
#include "admin.h"
#include "registration.h"
#include "outbox.h"
#include "registration_move.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *status_label(const adm *a, pl_reg_status s)
{
    switch (s) {
    case PL_REG_CONFIRMED:
        return TX(a, ADMIN_CONFIRMED_3);
    case PL_REG_WAITLISTED:
        return TX(a, ADMIN_WAITING_2);
    default:
        return TX(a, ADMIN_CANCELLED_2);
    }
}

static const char *travel_label(const adm *a, pl_travel t)
{
    switch (t) {
    case PL_TRAVEL_DRIVE:
        return TX(a, ADMIN_DRIVES);
    case PL_TRAVEL_RIDE:
        return TX(a, ADMIN_RIDES);
    case PL_TRAVEL_FLEXIBLE:
        return TX(a, ADMIN_DRIVES_OR_RIDES);
    default:
        return TX(a, ADMIN_SYMBOL_2);
    }
}

static const char *query(adm *a, const char *key)
{
    const char *v = MHD_lookup_connection_value(a->req->conn, MHD_GET_ARGUMENT_KIND, key);
    return v ? v : "";
}

static int has_session(const pl_registration *r, const char *id)
{
    for (size_t i = 0; i < r->sessions.count; i++)
        if (strcmp(r->sessions.items[i], id) == 0)
            return 1;
    return 0;
}

static int matches(const pl_registration *r, const char *q)
{
    return !*q || (r->name && strcasestr(r->name, q)) || (r->email && strcasestr(r->email, q)) ||
           (r->origin && strcasestr(r->origin, q)) ||
           (r->organization && strcasestr(r->organization, q));
}

static const char *sort_key; /* qsort has no payload: set just before the call */

static int cmp_text(const char *x, const char *y)
{
    return strcasecmp(x ? x : "", y ? y : "");
}

static int compare(const void *pa, const void *pb)
{
    const pl_registration *a = *(pl_registration *const *)pa, *b = *(pl_registration *const *)pb;
    int c = 0;

    if (strcmp(sort_key, "name") == 0)
        c = cmp_text(a->name, b->name);
    else if (strcmp(sort_key, "origin") == 0)
        c = cmp_text(a->origin, b->origin);
    else if (strcmp(sort_key, "status") == 0)
        c = (int)a->status - (int)b->status ? (int)a->status - (int)b->status
                                            : a->waitlist_position - b->waitlist_position;
    else if (strcmp(sort_key, "organization") == 0)
        c = cmp_text(a->organization, b->organization);
    return c ? c : (a->rowid < b->rowid ? -1 : a->rowid > b->rowid);
}

static void option(srv_html *h, const char *value, const char *label, const char *current)
{
    srv_html_emit(h, "<option value=\"%a\"%s>%t</option>", value,
                  strcmp(value, current) == 0 ? " selected" : "", label);
}

static void exports_list(srv_html *h, const adm *a, const char *slug)
{
    srv_html_emit(h, "<h2 id=\"exports\">%s</h2>\n<ul class=\"links\">\n", TX(a, ADMIN_EXPORTS));
    srv_html_emit(h, "<li><a href=\"/admin/e/%u/registrations.json\">registrations.json</a></li>",
                  slug);
    for (size_t i = 0; srv_export_name(i); i++)
        srv_html_emit(h, "<li><a href=\"/admin/e/%u/%u\">%t</a></li>\n", slug, srv_export_name(i),
                      srv_export_name(i));
    srv_html_emit(h, "</ul>\n");
}

static void row_actions(srv_html *h, const adm *a, const pl_event *ev, const pl_registration *r)
{
    if (r->status == PL_REG_WAITLISTED) {
        srv_html_emit(h,
                      "<form method=\"post\" action=\"/admin/e/%u/registrations/%d/promote\" "
                      "class=\"inline\">",
                      ev->slug, (int)r->rowid);
        adm_csrf_field(h, a);
        srv_html_emit(h,
                      "<button type=\"submit\" class=\"secondary\" aria-label=\"%s %a\">%s"
                      "</button></form> ",
                      TX(a, ADMIN_CONFIRM_FROM_THE_WAITING_LIST), r->name, TX(a, ADMIN_CONFIRM));
    }
    if (r->status != PL_REG_CANCELLED) {
        srv_html_emit(h,
                      "<form method=\"post\" action=\"/admin/e/%u/registrations/%d/resend\" "
                      "class=\"inline\">",
                      ev->slug, (int)r->rowid);
        adm_csrf_field(h, a);
        srv_html_emit(h,
                      "<button type=\"submit\" class=\"secondary\" aria-label=\"%s %a\">%s"
                      "</button></form> ",
                      TX(a, ADMIN_RESEND_THE_LINK_OF), r->name, TX(a, ADMIN_RESEND));
        srv_html_emit(h,
                      "<form method=\"post\" action=\"/admin/e/%u/registrations/%d/cancel\" "
                      "class=\"inline\">",
                      ev->slug, (int)r->rowid);
        adm_csrf_field(h, a);
        srv_html_emit(h,
                      "<button type=\"submit\" class=\"danger\" aria-label=\"%s %a\">%s"
                      "</button></form>",
                      TX(a, ADMIN_CANCEL_THE_REGISTRATION_OF), r->name, TX(a, ADMIN_CANCEL));
    }
}

int adm_regs_table(adm *a)
{
    const char *q = query(a, "q"), *status = query(a, "status"), *session = query(a, "session"),
               *sort = query(a, "sort");
    pl_registration **regs = NULL, **shown = NULL;
    size_t n = 0, nshown = 0;
    int counts[3] = {0, 0, 0};
    srv_html h = {PL_BUF_INIT, 0};
    pl_event *ev = NULL;
    pl_error err;
    int r;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    if (pl_registration_list(&regs, &n, a->req->store, ev->slug, &err) < 0 ||
        !(shown = calloc(n + 1, sizeof(*shown)))) {
        pl_registration_list_free(regs, n);
        pl_event_free(ev);
        return adm_error(a, 503, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        pl_registration *x = regs[i];
        counts[x->status]++;
        if (!matches(x, q) || (*status && strcmp(status, pl_reg_status_name(x->status)) != 0) ||
            (*session && !has_session(x, session)))
            continue;
        shown[nshown++] = x;
    }
    sort_key = *sort ? sort : "arrival";
    qsort(shown, nshown, sizeof(*shown), compare);

    adm_page_start(&h, a, TX(a, ADMIN_REGISTRATIONS_2), ev->slug);
    if (*query(a, "done"))
        srv_html_emit(&h, "<p class=\"notice\" role=\"status\">%s</p>\n", TX(a, ADMIN_SAVED));
    srv_html_emit(&h, "<p>%t · %d %s · %d %s · %d %s</p>\n", ev->title, counts[PL_REG_CONFIRMED],
                  TX(a, ADMIN_CONFIRMED_4), counts[PL_REG_WAITLISTED], TX(a, ADMIN_WAITING_2),
                  counts[PL_REG_CANCELLED], TX(a, ADMIN_CANCELLED_3));
    srv_html_emit(&h,
                  "<p><a href=\"/admin/e/%u/import\">%s</a> · <a href=\"/admin/e/%u/purge\">%s</a>"
                  "</p>\n",
                  ev->slug, TX(a, ADMIN_IMPORT_TITLE), ev->slug, TX(a, ADMIN_PURGE_TITLE));
    /* search: a GET form, nothing to protect */
    srv_html_emit(&h,
                  "<form method=\"get\" action=\"/admin/e/%u/registrations\" role=\"search\" "
                  "class=\"stack\"><div><label for=\"q\">%s</label><input type=\"search\" "
                  "id=\"q\" name=\"q\" value=\"%a\"></div>\n"
                  "<div><label for=\"status\">%s</label><select id=\"status\" name=\"status\">",
                  ev->slug, TX(a, ADMIN_SEARCH_NAME_E_MAIL_TOWN), q, TX(a, ADMIN_STATUS));
    option(&h, "", TX(a, ADMIN_ALL), status);
    option(&h, "confirmed", TX(a, ADMIN_CONFIRMED_4), status);
    option(&h, "waitlisted", TX(a, ADMIN_WAITING_2), status);
    option(&h, "cancelled", TX(a, ADMIN_CANCELLED_3), status);
    srv_html_emit(&h,
                  "</select></div>\n<div><label for=\"session\">%s</label>"
                  "<select id=\"session\" name=\"session\">",
                  TX(a, ADMIN_WORKSHOP));
    option(&h, "", TX(a, ADMIN_ALL), session);
    for (size_t i = 0; i < ev->nsessions; i++)
        if (!ev->sessions[i].cancelled && strcmp(ev->sessions[i].kind, "workshop") == 0)
            option(&h, ev->sessions[i].id, ev->sessions[i].title, session);
    srv_html_emit(&h,
                  "</select></div>\n<div><label for=\"sort\">%s</label>"
                  "<select id=\"sort\" name=\"sort\">",
                  TX(a, ADMIN_SORT_BY));
    option(&h, "arrival", TX(a, ADMIN_ARRIVAL), sort_key);
    option(&h, "name", TX(a, ADMIN_NAME_2), sort_key);
    option(&h, "organization", TX(a, ADMIN_ORGANIZATION_2), sort_key);
    option(&h, "origin", TX(a, ADMIN_TOWN), sort_key);
    option(&h, "status", TX(a, ADMIN_STATUS_2), sort_key);
    srv_html_emit(&h, "</select></div>\n<div><button type=\"submit\">%s</button></div></form>\n",
                  TX(a, ADMIN_SHOW));

    adm_table_wrap(&h, "regs-caption");
    srv_html_emit(&h,
                  "<table><caption id=\"regs-caption\">%z %s</caption><thead><tr>"
                  "<th scope=\"col\">%s</th>"
                  "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                  "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                  "<th scope=\"col\">%s</th></tr></thead><tbody>\n",
                  nshown, TX(a, ADMIN_REGISTRATION_S_SHOWN), TX(a, ADMIN_NAME), TX(a, ADMIN_E_MAIL),
                  TX(a, ADMIN_ORGANIZATION), TX(a, ADMIN_TOWN_2), TX(a, ADMIN_STATUS),
                  TX(a, ADMIN_WORKSHOPS), TX(a, ADMIN_TRAVEL), TX(a, ADMIN_ACTIONS));
    for (size_t i = 0; i < nshown; i++) {
        const pl_registration *x = shown[i];
        srv_html_emit(&h,
                      "<tr><th scope=\"row\"><a href=\"/admin/e/%u/registrations/%d\">%t</a></th>"
                      "<td>%t</td><td>%t</td><td>%t</td><td>%t",
                      ev->slug, (int)x->rowid, x->name, x->email, x->organization, x->origin,
                      status_label(a, x->status));
        if (x->status == PL_REG_WAITLISTED)
            srv_html_emit(&h, " (%d)", x->waitlist_position);
        srv_html_emit(&h, "</td><td>");
        for (size_t k = 0; k < x->sessions.count; k++) {
            const pl_session *s = pl_event_session(ev, x->sessions.items[k]);
            srv_html_emit(&h, "%s%t", k ? ", " : "", s ? s->title : x->sessions.items[k]);
        }
        srv_html_emit(&h, "</td><td>%t</td><td>", travel_label(a, x->travel));
        row_actions(&h, a, ev, x);
        srv_html_emit(&h, "</td></tr>\n");
    }
    srv_html_emit(&h, "</tbody></table></div>\n");
    exports_list(&h, a, ev->slug);
    r = adm_page_reply(a, 200, &h);
    free(shown);
    pl_registration_list_free(regs, n);
    pl_event_free(ev);
    return r;
}

/* ---- one person ---------------------------------------------------------- */

/* The registration args[1] of the event, or an error page (then -1). */
static int load_reg(adm *a, const pl_event *ev, pl_registration **out)
{
    char *end;
    long long id = strtoll(a->args[1], &end, 10);
    pl_error err;

    *out = NULL;
    if (*end || id <= 0 || pl_registration_load(out, a->req->store, id, &err) < 0 ||
        strcmp((*out)->event_slug, ev->slug) != 0) {
        pl_registration_free(*out);
        *out = NULL;
        adm_error(a, 404, NULL);
        return -1;
    }
    return 0;
}

static const char *const travel_values[] = {"none", "drive", "ride", "flexible", NULL};

/* A checkbox group's value as shown, kept aside to apply only what changed
 * (adm_input and adm_select keep theirs when a->track is set). */
static void kept(const adm *a, srv_html *h, const char *name, const char *value)
{
    char key[64];

    snprintf(key, sizeof(key), "was-%s", name);
    srv_html_emit(h, "<input type=\"hidden\" name=\"%a\" value=\"%a\">\n", key,
                  adm_value(a, key, value ? value : ""));
}

static int reg_page(adm *a, const pl_event *ev, const pl_registration *r, unsigned status)
{
    static const char *travel_fr[] = {"pas de covoiturage", "conduit et propose des places",
                                      "cherche une place", "conducteur ou passager", NULL};
    static const char *travel_en[] = {"no carpool", "drives and offers seats", "needs a seat",
                                      "drives or rides", NULL};
    srv_html h = {PL_BUF_INIT, 0};
    char seats[16], sessions[1024] = "";
    int meal, pub;

    snprintf(seats, sizeof(seats), "%d", r->seats);
    for (size_t k = 0; k < r->sessions.count; k++)
        snprintf(sessions + strlen(sessions), sizeof(sessions) - strlen(sessions), "%s%s",
                 k ? "," : "", r->sessions.items[k]);
    adm_page_start(&h, a, r->name, ev->slug);
    adm_error_summary(&h, a);
    srv_html_emit(&h, "<p>%t · %t", r->email, status_label(a, r->status));
    if (r->status == PL_REG_WAITLISTED)
        srv_html_emit(&h, " (%d) — %t", r->waitlist_position, r->waitlist_reason);
    srv_html_emit(&h,
                  "</p>\n<form method=\"post\" action=\"/admin/e/%u/registrations/%d\" "
                  "class=\"stack\">\n",
                  ev->slug, (int)r->rowid);
    adm_csrf_field(&h, a);
    kept(a, &h, "meal", r->meal ? "1" : "0");
    kept(a, &h, "public", r->public_list ? "1" : "0");
    kept(a, &h, "sessions", sessions);
    a->track = 1;
    adm_input(&h, a, "text", "name", TX(a, ADMIN_FULL_NAME), r->name, NULL, 1);
    adm_input(&h, a, "text", "organization", TX(a, ADMIN_ORGANIZATION), r->organization, NULL, 0);
    adm_input(&h, a, "text", "origin", TX(a, ADMIN_TRAVELLING_FROM), r->origin, NULL, 0);
    adm_input(&h, a, "tel", "phone", TX(a, ADMIN_PHONE), r->phone, NULL, 0);
    adm_select(&h, a, "travel", TX(a, ADMIN_TRAVEL), pl_travel_name(r->travel), travel_values,
               a->french ? travel_fr : travel_en);
    adm_input(&h, a, "number", "seats", TX(a, ADMIN_SEATS_OFFERED), seats, NULL, 0);
    meal = a->repost ? srv_field_get(a->req, "meal") != NULL : r->meal;
    pub = a->repost ? srv_field_get(a->req, "public") != NULL : r->public_list;
    srv_html_emit(
        &h,
        "<div><label class=\"check\"><input type=\"checkbox\" name=\"meal\" value=\"1\"%s>"
        " %s</label></div>\n",
        meal ? " checked" : "", TX(a, ADMIN_JOINS_THE_MEAL));
    adm_input(&h, a, "text", "diet", TX(a, ADMIN_DIET), r->diet, NULL, 0);
    srv_html_emit(&h,
                  "<div><label class=\"check\"><input type=\"checkbox\" name=\"public\" "
                  "value=\"1\"%s> %s</label></div>\n",
                  pub ? " checked" : "", TX(a, ADMIN_ON_THE_PUBLIC_LIST));
    a->track = 0;
    srv_html_emit(&h, "<fieldset><legend>%s</legend>\n", TX(a, ADMIN_WORKSHOPS));
    for (size_t i = 0; i < ev->nsessions; i++) {
        const pl_session *s = &ev->sessions[i];
        int on = 0;
        if (s->cancelled || (strcmp(s->kind, "workshop") != 0 && !has_session(r, s->id)))
            continue;
        if (a->repost) {
            for (size_t f = 0; f < a->req->nfields; f++)
                on |= strcmp(a->req->fields[f].key, "sessions") == 0 &&
                      a->req->fields[f].value.data &&
                      strcmp(a->req->fields[f].value.data, s->id) == 0;
        } else {
            on = has_session(r, s->id);
        }
        srv_html_emit(&h,
                      "<div><label class=\"check\"><input type=\"checkbox\" name=\"sessions\" "
                      "value=\"%a\"%s> %t (%t–%t)</label></div>\n",
                      s->id, on ? " checked" : "", s->title, adm_hhmm(s->start), adm_hhmm(s->end));
    }
    srv_html_emit(&h, "</fieldset>\n<div><button type=\"submit\">%s</button></div></form>\n",
                  TX(a, ADMIN_SAVE));
    srv_html_emit(&h, "<h2>%s</h2><div class=\"actions\">", TX(a, ADMIN_ACTIONS));
    row_actions(&h, a, ev, r);
    srv_html_emit(&h, "</div>\n<p><a href=\"/admin/e/%u/registrations\">%s</a></p>\n", ev->slug,
                  TX(a, ADMIN_BACK_TO_THE_REGISTRATIONS));
    return adm_page_reply(a, status, &h);
}

int adm_reg_form(adm *a)
{
    pl_event *ev = NULL;
    pl_registration *r = NULL;
    int rc;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    rc = load_reg(a, ev, &r) < 0 ? 0 : reg_page(a, ev, r, 200);
    pl_registration_free(r);
    pl_event_free(ev);
    return rc;
}

static int replace(char **field, const char *value)
{
    char *copy = *value ? strdup(value) : NULL;

    if (*value && !copy)
        return PL_ENOMEM;
    free(*field);
    *field = copy;
    return 0;
}

/* The posted changes applied to r. */
static void apply(adm *a, pl_registration *r)
{
    const char *v;

    if ((v = adm_changed(a, "name")))
        replace(&r->name, v);
    if ((v = adm_changed(a, "organization")))
        replace(&r->organization, v);
    if ((v = adm_changed(a, "origin")))
        replace(&r->origin, v);
    if ((v = adm_changed(a, "phone")))
        replace(&r->phone, v);
    if ((v = adm_changed(a, "diet")))
        replace(&r->diet, v);
    if ((v = adm_changed(a, "travel")))
        pl_travel_parse(&r->travel, v);
    if ((v = adm_changed(a, "seats")))
        r->seats = atoi(v);
    /* checkboxes: absent when unticked, so a form always says */
    if (srv_field_get(a->req, "was-meal")) {
        int now = srv_field_get(a->req, "meal") != NULL;
        if (now != (strcmp(srv_field_get(a->req, "was-meal"), "1") == 0))
            r->meal = now;
    }
    if (srv_field_get(a->req, "was-public")) {
        int now = srv_field_get(a->req, "public") != NULL;
        if (now != (strcmp(srv_field_get(a->req, "was-public"), "1") == 0))
            r->public_list = now;
    }
    if (r->travel == PL_TRAVEL_NONE || r->travel == PL_TRAVEL_RIDE)
        r->seats = 0;
    {
        char now[1024] = "";
        const char *was = srv_field_get(a->req, "was-sessions");
        for (size_t f = 0; f < a->req->nfields; f++)
            if (strcmp(a->req->fields[f].key, "sessions") == 0 && a->req->fields[f].value.data)
                snprintf(now + strlen(now), sizeof(now) - strlen(now), "%s%s", *now ? "," : "",
                         a->req->fields[f].value.data);
        if (was && strcmp(was, now) != 0) {
            pl_strlist_clear(&r->sessions);
            for (size_t f = 0; f < a->req->nfields; f++)
                if (strcmp(a->req->fields[f].key, "sessions") == 0 &&
                    a->req->fields[f].value.data && *a->req->fields[f].value.data)
                    pl_strlist_push(&r->sessions, a->req->fields[f].value.data);
        }
    }
}

static int back_to_table(adm *a)
{
    char where[300];

    snprintf(where, sizeof(where), "/admin/e/%s/registrations?done=1", a->args[0]);
    return adm_redirect(a, where);
}

int adm_reg_update(adm *a)
{
    pl_event *ev = NULL;
    pl_registration *r = NULL, *fresh = NULL;
    pl_error err;
    int rc, out;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    if (load_reg(a, ev, &r) < 0) {
        pl_event_free(ev);
        return 0;
    }
    if (r->status == PL_REG_CANCELLED) {
        pl_error_set(&err, PL_EINVALID, "%s", TX(a, ADMIN_A_CANCELLED_REGISTRATION_CANNOT_BE));
        adm_set_error(a, &err);
        out = reg_page(a, ev, r, 400);
        goto done;
    }
    apply(a, r);
    pl_error_clear(&err);
    rc = pl_registration_save_ext(a->req->store, ev->slug, r, NULL, NULL, &err);
    if (rc < 0) {
        adm_set_error(a, &err);
        /* shown again with what was typed over what is stored */
        pl_registration_load(&fresh, a->req->store, r->rowid, NULL);
        out = reg_page(a, ev, fresh ? fresh : r, rc == PL_EFULL ? 409 : srv_status_for(rc));
        goto done;
    }
    srv_changed(a->req->srv);
    out = back_to_table(a);
done:
    pl_registration_free(fresh);
    pl_registration_free(r);
    pl_event_free(ev);
    return out;
}

/* An action on one registration, then back to the table; changed: it
 * alters what public pages show. */
typedef int (*reg_action)(pl_store *store, const char *slug, const pl_registration *r,
                          pl_error *err);

static int on_registration(adm *a, reg_action action, int changed)
{
    pl_event *ev = NULL;
    pl_registration *r = NULL;
    pl_error err;
    int rc, out;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    if (load_reg(a, ev, &r) < 0) {
        pl_event_free(ev);
        return 0;
    }
    rc = action(a->req->store, ev->slug, r, &err);
    if (rc == 0 && changed)
        srv_changed(a->req->srv);
    out = rc < 0 ? adm_fail(a, srv_status_for(rc), &err) : back_to_table(a);
    pl_registration_free(r);
    pl_event_free(ev);
    return out;
}

static int cancel(pl_store *store, const char *slug, const pl_registration *r, pl_error *err)
{
    return pl_registration_cancel(store, slug, r->email, NULL, err);
}

/* Queue the person's confirmation (or waiting-list) message again: their
 * link, by mail (planner mail send, or the server's sender). */
static int resend(pl_store *store, const char *slug, const pl_registration *r, pl_error *err)
{
    return pl_outbox_resend_link(store, slug, r->rowid, err);
}

static int promote(pl_store *store, const char *slug, const pl_registration *r, pl_error *err)
{
    return pl_registration_confirm_waiting(store, slug, r->rowid, err);
}

int adm_reg_cancel(adm *a)
{
    return on_registration(a, cancel, 1);
}

int adm_reg_resend(adm *a)
{
    return on_registration(a, resend, 0);
}

int adm_reg_promote(adm *a)
{
    return on_registration(a, promote, 1);
}
