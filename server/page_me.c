/*
 * page_me.c - the attendee's page /me/TOKEN: their registration, status,
 * sessions, rankings, carpool, personal feed, and the forms that change,
 * cancel or erase it (with pages.c's frame and form helpers,
 * pages_common.h).
 */
#include "calendar.h"
#include "internal.h"
#include "lang.h"
#include "page_ranks.h"
#include "pages_common.h"
#include "registration.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- /me/TOKEN ---------------------------------------------------------- */

static const char *travel_label(const lang *L, pl_travel t)
{
    switch (t) {
    case PL_TRAVEL_DRIVE:
        return L->travel_drive;
    case PL_TRAVEL_RIDE:
        return L->travel_ride;
    case PL_TRAVEL_FLEXIBLE:
        return L->travel_flexible;
    default:
        return L->travel_none;
    }
}

/* What a /me field shows: what was typed when the form comes back after an
 * error, else what is stored. */
static const char *shown(const form_again *ag, const char *name, const char *stored)
{
    const char *v = pg_typed(ag, name);
    return ag ? (v ? v : "") : stored ? stored : "";
}

/* A /me checkbox: as posted when the form comes back, else as stored. */
static const char *ticked(const form_again *ag, const char *name, int stored)
{
    return ag ? pg_checked(ag, name) : stored ? " checked" : "";
}

/*
 * The form to change one's registration (POST /me/{token}/update, CSRF
 * token "update:TOKEN"). Each field carries, hidden, the value shown
 * ("orig_..."): the server changes only what differs from it, so a field
 * left alone keeps what is stored even if it changed meanwhile. Shown again
 * after an error (ag), it keeps what was typed, the error beside its field,
 * and the posted orig_ values, so that sending it again still changes only
 * what the person changed.
 */
static void edit_form(srv_html *h, const lang *L, srv_req *req, const pl_event *ev,
                      const pl_registration *reg, const char *token, const form_again *ag)
{
    pl_lang pl = pl_event_lang(ev);
    char purpose[200], form[64], nseats[16];
    pl_buf chosen = PL_BUF_INIT;

    snprintf(purpose, sizeof(purpose), "update:%s", token);
    srv_form_token(req->srv, purpose, form);
    snprintf(nseats, sizeof(nseats), "%d", reg->seats > 0 ? reg->seats : 3);
    for (size_t i = 0; i < reg->sessions.count; i++)
        pl_buf_printf(&chosen, "%s%s", i ? "|" : "", reg->sessions.items[i]);
    srv_html_emit(h,
                  "<h2 id=\"edit\">%t</h2><form method=\"post\" action=\"/me/%u/update\">\n"
                  "<input type=\"hidden\" name=\"csrf\" value=\"%a\">\n",
                  pl_lang_text(pl, PL_T_PAGES_EDIT_TITLE), token, form);
    if (strcmp(ev->format, "online") != 0) {
        static const char *const travels[] = {"none", "drive", "ride", "flexible"};
        const char *labels[] = {L->travel_none, L->travel_drive, L->travel_ride,
                                L->travel_flexible};
        const char *travel = ag ? shown(ag, "travel", "") : travels[reg->travel];
        srv_html_emit(h,
                      "<div><label for=\"origin\">%t</label><input type=\"text\" id=\"origin\" "
                      "name=\"origin\" maxlength=\"200\" value=\"%a\"",
                      L->origin, shown(ag, "origin", reg->origin));
        pg_invalid_attrs(h, ag, "origin");
        srv_html_emit(h, "><input type=\"hidden\" name=\"orig_origin\" value=\"%a\">",
                      shown(ag, "orig_origin", reg->origin));
        pg_field_error(h, ag, "origin");
        srv_html_emit(h,
                      "</div>\n<div><label for=\"travel\">%t</label><select id=\"travel\" "
                      "name=\"travel\"",
                      L->travel);
        pg_invalid_attrs(h, ag, "travel");
        srv_html_emit(h, ">");
        for (int t = 0; t < 4; t++)
            srv_html_emit(h, "<option value=\"%s\"%s>%t</option>", travels[t],
                          strcmp(travel, travels[t]) == 0 ? " selected" : "", labels[t]);
        srv_html_emit(h, "</select><input type=\"hidden\" name=\"orig_travel\" value=\"%a\">",
                      shown(ag, "orig_travel", travels[reg->travel]));
        pg_field_error(h, ag, "travel");
        srv_html_emit(h,
                      "</div>\n<div><label for=\"seats\">%t</label><input type=\"number\" "
                      "id=\"seats\" name=\"seats\" min=\"1\" max=\"" PL_REG_SEATS_MAX_STR
                      "\" value=\"%a\"",
                      L->seats, shown(ag, "seats", nseats));
        pg_invalid_attrs(h, ag, "seats");
        srv_html_emit(h, "><input type=\"hidden\" name=\"orig_seats\" value=\"%a\">",
                      shown(ag, "orig_seats", nseats));
        pg_field_error(h, ag, "seats");
        srv_html_emit(h,
                      "</div>\n"
                      "<div><label class=\"check\"><input type=\"checkbox\" name=\"meal\" "
                      "value=\"1\"%s> %t</label><input type=\"hidden\" name=\"orig_meal\" "
                      "value=\"%a\"></div>\n"
                      "<div><label for=\"diet\">%t</label><input type=\"text\" id=\"diet\" "
                      "name=\"diet\" maxlength=\"200\" value=\"%a\"",
                      ticked(ag, "meal", reg->meal), L->meal,
                      shown(ag, "orig_meal", reg->meal ? "1" : "0"), L->diet,
                      shown(ag, "diet", reg->diet));
        pg_invalid_attrs(h, ag, "diet");
        srv_html_emit(h, "><input type=\"hidden\" name=\"orig_diet\" value=\"%a\">",
                      shown(ag, "orig_diet", reg->diet));
        pg_field_error(h, ag, "diet");
        srv_html_emit(h, "</div>\n");
    }
    srv_html_emit(h,
                  "<div><label for=\"phone\">%t</label><input type=\"tel\" id=\"phone\" "
                  "name=\"phone\" maxlength=\"40\" value=\"%a\"",
                  pl_lang_text(pl, PL_T_PAGES_PHONE), shown(ag, "phone", reg->phone));
    pg_invalid_attrs(h, ag, "phone");
    srv_html_emit(h, "><input type=\"hidden\" name=\"orig_phone\" value=\"%a\">",
                  shown(ag, "orig_phone", reg->phone));
    pg_field_error(h, ag, "phone");
    srv_html_emit(h,
                  "</div>\n"
                  "<div><label class=\"check\"><input type=\"checkbox\" name=\"share_phone\" "
                  "value=\"1\"%s> %t</label><input type=\"hidden\" name=\"orig_share_phone\" "
                  "value=\"%a\"></div>\n"
                  "<div><label class=\"check\"><input type=\"checkbox\" name=\"public\" "
                  "value=\"1\"%s> %t</label><input type=\"hidden\" name=\"orig_public\" "
                  "value=\"%a\"></div>\n",
                  ticked(ag, "share_phone", reg->share_phone),
                  pl_lang_text(pl, PL_T_PAGES_SHARE_PHONE),
                  shown(ag, "orig_share_phone", reg->share_phone ? "1" : "0"),
                  ticked(ag, "public", reg->public_list), L->details_public_yes,
                  shown(ag, "orig_public", reg->public_list ? "1" : "0"));
    srv_html_emit(h, "<fieldset id=\"breakouts\"><legend>%t</legend>\n", L->your_sessions);
    if (pg_at_fault(ag, "sessions"))
        srv_html_emit(h, "<p class=\"warn\" id=\"sessions-error\">%t</p>\n", ag->msg);
    for (size_t s = 0; s < ev->nsessions; s++) {
        const pl_session *se = &ev->sessions[s];
        int on = 0;
        if (!pg_choosable(se))
            continue;
        if (ag)
            on = pg_typed_has(ag, "session", se->id);
        else
            for (size_t i = 0; i < reg->sessions.count; i++)
                on |= strcmp(reg->sessions.items[i], se->id) == 0;
        srv_html_emit(h,
                      "<div><label class=\"check\"><input type=\"checkbox\" name=\"session\" "
                      "value=\"%a\"%s> %t–%t %t</label></div>\n",
                      se->id, on ? " checked" : "", pg_hhmm(se->start), pg_hhmm(se->end),
                      se->title);
    }
    srv_html_emit(h, "<input type=\"hidden\" name=\"orig_sessions\" value=\"%a\"></fieldset>\n",
                  shown(ag, "orig_sessions", chosen.data));
    srv_rank_edit(h, req->store, ev, reg, ag ? ag->req : NULL);
    srv_html_emit(h, "<div><button type=\"submit\">%t</button></div></form>\n",
                  pl_lang_text(pl, PL_T_PAGES_EDIT_SUBMIT));
    pl_buf_free(&chosen);
}

/* The attendee's page; with form_err, the edit form comes back with what
 * was posted and form_err beside its field, answered with status. */
static int me_page(srv_reply *out, srv_req *req, unsigned status, const pl_error *form_err)
{
    const char *token = req->arg[0];
    pl_registration *reg = NULL;
    pl_event *ev = NULL;
    srv_html h = {PL_BUF_INIT, 0};
    const lang *L;
    form_again again, *ag = NULL;
    char path[200], purpose[200], form[64], msg[700];
    pl_error err;
    int rc;

    out->cache_control = "private, no-cache";
    out->referrer_same_origin = 1;
    if ((rc = pl_registration_find_token(&reg, req->store, token, &err)) < 0 ||
        (rc = pl_event_load(&ev, req->store, reg->event_slug, &err)) < 0) {
        pl_registration_free(reg);
        return srv_page_error(out, srv_status_for(rc), NULL, NULL);
    }
    L = pg_lang_of(ev);
    if (form_err) {
        again.req = req;
        again.field = form_err->path;
        again.msg = pl_error_text(form_err, pl_event_lang(ev), msg, sizeof(msg));
        ag = &again;
    }
    srv_latest(out->modified, ev->modified);
    srv_latest(out->modified, reg->updated);
    srv_waitlist_modified(req->store, reg, out->modified);
    pg_page_start(&h, L, L->your_registration);
    srv_html_emit(&h, "<p><a href=\"/e/%u\">← %t</a></p><h1>%t</h1>\n<p>%t</p>\n", ev->slug,
                  L->back_to_event, L->your_registration, ev->title);
    pg_when_where(&h, L, ev);
    pg_form_error_summary(&h, ev, ag, PL_T_ME_NOT_SAVED);
    if (reg->status == PL_REG_CONFIRMED)
        srv_html_emit(&h, "<p class=\"status\" id=\"status\">%t</p>\n", L->status_confirmed);
    else if (reg->status == PL_REG_WAITLISTED)
        srv_html_emit(&h, "<p class=\"status warn\" id=\"status\">%t (%t %d)</p>\n",
                      L->status_waitlisted, L->waitlist_note, reg->waitlist_position);
    else
        srv_html_emit(&h, "<p class=\"status warn\" id=\"status\">%t</p>\n", L->status_cancelled);
    srv_html_emit(&h, "<dl><dt>%t</dt><dd id=\"name\">%t</dd><dt>%t</dt><dd>%t</dd>\n", L->name,
                  reg->name, L->email, reg->email);
    if (reg->organization)
        srv_html_emit(&h, "<dt>%t</dt><dd>%t</dd>\n", L->organization, reg->organization);
    if (strcmp(ev->format, "online") != 0) {
        if (reg->origin)
            srv_html_emit(&h, "<dt>%t</dt><dd>%t</dd>\n", L->origin, reg->origin);
        srv_html_emit(&h, "<dt>%t</dt><dd>%t", L->travel, travel_label(L, reg->travel));
        if (reg->seats > 0)
            srv_html_emit(&h, " (%t : %d)", L->seats, reg->seats);
        srv_html_emit(&h, "</dd><dt>%t</dt><dd>%t%s%t</dd>\n", L->meal, reg->meal ? L->yes : L->no,
                      reg->meal && reg->diet ? " — " : "", reg->meal ? reg->diet : NULL);
    }
    srv_html_emit(&h, "<dt>%t</dt><dd>%t</dd></dl>\n", L->public_consent,
                  reg->public_list ? L->details_public_yes : L->details_public_no);
    srv_html_emit(&h, "<h2>%t</h2>\n", L->your_sessions);
    if (reg->sessions.count == 0)
        srv_html_emit(&h, "<p class=\"muted\">%t</p>\n", L->no_sessions);
    else
        srv_html_emit(&h, "<ul id=\"sessions\">\n");
    for (size_t i = 0; i < reg->sessions.count; i++) {
        const pl_session *s = pl_event_session(ev, reg->sessions.items[i]);
        if (s)
            srv_html_emit(&h, "<li>%t–%t <strong>%t</strong>%s%t", pg_hhmm(s->start),
                          pg_hhmm(s->end), s->title, s->room ? " · " : "", s->room);
        if (s && reg->session_waiting && reg->session_waiting[i])
            srv_html_emit(&h, " — <em class=\"waiting\">%t %d</em>",
                          pl_lang_text(pl_event_lang(ev), PL_T_PAGES_SESSION_WAITING),
                          reg->session_waiting[i]);
        if (s)
            srv_html_emit(&h, "</li>\n");
    }
    if (reg->sessions.count)
        srv_html_emit(&h, "</ul>\n");
    srv_ranks_section(&h, req->store, ev, reg);
    srv_carpool_section(&h, strcmp(L->code, "fr") == 0, req, ev, reg, token, out->modified);
    if (reg->status != PL_REG_CANCELLED) {
        snprintf(path, sizeof(path), "/me/%s.ics", token);
        srv_html_emit(&h, "<h2>%t</h2>\n", L->your_feed);
        pg_subscribe_links(&h, L, req->srv, path, L->subscribe);
        snprintf(purpose, sizeof(purpose), "cancel:%s", token);
        srv_form_token(req->srv, purpose, form);
        srv_html_emit(&h,
                      "<h2>%t</h2><form method=\"post\" action=\"/me/%u/cancel\">"
                      "<input type=\"hidden\" name=\"csrf\" value=\"%a\"><p>%t</p>"
                      "<div><button type=\"submit\">%t</button></div></form>\n",
                      L->cancel, token, form, L->cancel_confirm, L->cancel);
    }
    if (reg->status != PL_REG_CANCELLED)
        edit_form(&h, L, req, ev, reg, token, ag);
    {
        pl_lang pl = pl_event_lang(ev);
        srv_html_emit(&h, "<h2>%t</h2><p><a href=\"/me/%u/erase\">%t</a></p>\n",
                      pl_lang_text(pl, PL_T_PAGES_ERASE_TITLE), token,
                      pl_lang_text(pl, PL_T_PAGES_ERASE_TITLE));
    }
    pg_page_end(&h);
    pl_registration_free(reg);
    pl_event_free(ev);
    if (ag) {
        out->cache_control = "no-store";
        return srv_reply_html(out, status, &h);
    }
    out->conditional = 1;
    return srv_reply_html(out, 200, &h);
}

int srv_page_me(srv_reply *out, srv_req *req)
{
    return me_page(out, req, 200, NULL);
}

int srv_page_me_again(srv_reply *out, srv_req *req, unsigned status, const pl_error *err)
{
    return me_page(out, req, status, err);
}

int srv_page_erase(srv_reply *out, srv_req *req)
{
    const char *token = req->arg[0];
    pl_registration *reg = NULL;
    pl_event *ev = NULL;
    srv_html h = {PL_BUF_INIT, 0};
    char purpose[200], form[64];
    const lang *L;
    pl_lang pl;
    pl_error err;

    out->cache_control = "private, no-store";
    out->referrer_same_origin = 1;
    if (pl_registration_find_token(&reg, req->store, token, &err) < 0)
        return srv_page_error(out, 404, NULL, NULL);
    if (pl_event_load(&ev, req->store, reg->event_slug, &err) < 0) {
        pl_registration_free(reg);
        return srv_page_error(out, 404, NULL, NULL);
    }
    L = pg_lang_of(ev);
    pl = pl_event_lang(ev);
    snprintf(purpose, sizeof(purpose), "erase:%s", token);
    srv_form_token(req->srv, purpose, form);
    pg_page_start(&h, L, pl_lang_text(pl, PL_T_PAGES_ERASE_TITLE));
    srv_html_emit(&h,
                  "<h1>%t</h1>\n<p>%t</p>\n<form method=\"post\" action=\"/me/%u/erase\">"
                  "<input type=\"hidden\" name=\"csrf\" value=\"%a\">"
                  "<input type=\"hidden\" name=\"confirm\" value=\"yes\">"
                  "<div><button type=\"submit\">%t</button></div></form>\n"
                  "<p><a href=\"/me/%u\">←</a></p>\n",
                  pl_lang_text(pl, PL_T_PAGES_ERASE_TITLE),
                  pl_lang_text(pl, PL_T_PAGES_ERASE_EXPLAIN), token, form,
                  pl_lang_text(pl, PL_T_PAGES_ERASE_CONFIRM), token);
    pg_page_end(&h);
    pl_registration_free(reg);
    pl_event_free(ev);
    return srv_reply_html(out, 200, &h);
}

/* After "Erase my data": a page in the event's language (code "fr" or
 * "en") that says it is done. */
int srv_page_erased(srv_reply *out, const char *code)
{
    const lang *L = pg_lang_named(code);
    pl_lang pl = strcmp(L->code, "en") == 0 ? PL_LANG_EN : PL_LANG_FR;
    srv_html h = {PL_BUF_INIT, 0};

    pg_page_start(&h, L, pl_lang_text(pl, PL_T_PAGES_ERASE_TITLE));
    srv_html_emit(&h, "<h1>%t</h1><p id=\"erased\">%t</p><p><a href=\"/\">←</a></p>\n",
                  pl_lang_text(pl, PL_T_PAGES_ERASE_TITLE),
                  pl_lang_text(pl, PL_T_PAGES_ERASE_DONE));
    pg_page_end(&h);
    return srv_reply_html(out, 200, &h);
}
