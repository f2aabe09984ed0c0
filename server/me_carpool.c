/*
 * me_carpool.c - an attendee's own carpool actions on /me/TOKEN (issue 14):
 *
 *   POST /me/TOKEN/carpool/accept    a driver confirms their car
 *   GET  /me/TOKEN/carpool/decline   what declining does, and its form
 *   POST /me/TOKEN/carpool/decline   a driver can no longer drive the car
 *   GET  /me/TOKEN/carpool/leave     what leaving does, and its form
 *   POST /me/TOKEN/carpool/leave     a passenger leaves their car
 *
 * Field trip: "outbound" (default) or "return" (accept: outbound only).
 * A form carries the CSRF token "carpool:TOKEN" and comes from our origin;
 * decline and leave also need confirm=yes (the confirmation step's answer).
 * A JSON body ({"trip": ..., "confirm": true}) needs neither token (no
 * browser sends one cross-site without CORS) and gets JSON back.
 *
 * The core does the work (pl_carpool_driver_accept, pl_carpool_driver_decline,
 * pl_carpool_leave): it records a change to a confirmed car and queues the
 * mail of the people concerned. A form is answered 303 to /me/TOKEN with
 * ?carpool=ACTION, which the carpool section shows as a notice.
 */
#include "internal.h"

#include "carpool_plan.h"
#include "lang.h"

#include <stdio.h>
#include <string.h>

enum { ACCEPT, DECLINE, LEAVE };

static int action_of(const char *name)
{
    if (strcmp(name, "accept") == 0)
        return ACCEPT;
    if (strcmp(name, "decline") == 0)
        return DECLINE;
    if (strcmp(name, "leave") == 0)
        return LEAVE;
    return -1;
}

static const char *action_name(int action)
{
    return action == ACCEPT ? "accept" : action == DECLINE ? "decline" : "leave";
}

/* The registration of token and its event's language; 404 answered. */
static int find(srv_reply *out, srv_req *req, pl_registration **reg, pl_lang *pl)
{
    pl_event *ev = NULL;
    pl_error err;
    int rc;

    *pl = PL_LANG_FR;
    if ((rc = pl_registration_find_token(reg, req->store, req->arg[0], &err)) < 0) {
        srv_page_error(out, srv_status_for(rc), NULL, NULL);
        return -1;
    }
    if (pl_event_load(&ev, req->store, (*reg)->event_slug, &err) == 0)
        *pl = srv_event_is_french(ev) ? PL_LANG_FR : PL_LANG_EN;
    pl_event_free(ev);
    return 0;
}

/* GET /me/{token}/carpool/{decline|leave}?trip=...: the confirmation step. */
int srv_me_carpool_form(srv_reply *out, srv_req *req)
{
    const char *token = req->arg[0];
    const char *trip_name = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "trip");
    int action = action_of(req->arg[1]);
    pl_registration *reg = NULL;
    pl_carpool_trip trip = PL_CARPOOL_OUTBOUND;
    srv_html h = {PL_BUF_INIT, 0};
    char purpose[200], form[64];
    pl_lang pl;

    out->cache_control = "private, no-store";
    out->referrer_same_origin = 1;
    if (action != DECLINE && action != LEAVE)
        return srv_page_error(out, 404, NULL, NULL);
    if (find(out, req, &reg, &pl) < 0)
        return 0;
    if (trip_name && pl_carpool_trip_parse(&trip, trip_name) < 0) {
        pl_registration_free(reg);
        return srv_page_error(out, 400, pl_lang_code(pl), "trip: outbound | return");
    }
    snprintf(purpose, sizeof(purpose), "carpool:%s", token);
    srv_form_token(req->srv, purpose, form);
    {
        const char *title = pl_lang_text(pl, action == DECLINE ? PL_T_PAGES_CARPOOL_DECLINE
                                                               : PL_T_PAGES_CARPOOL_LEAVE);
        srv_page_frame_start(&h, pl == PL_LANG_FR, title);
        srv_html_emit(&h,
                      "<h1>%t</h1>\n<p id=\"explain\">%t</p>\n"
                      "<form method=\"post\" action=\"/me/%u/carpool/%s\">"
                      "<input type=\"hidden\" name=\"csrf\" value=\"%a\">"
                      "<input type=\"hidden\" name=\"trip\" value=\"%s\">"
                      "<input type=\"hidden\" name=\"confirm\" value=\"yes\">"
                      "<div><button type=\"submit\">%t</button></div></form>\n"
                      "<p><a href=\"/me/%u#carpool\">← %t</a></p>\n",
                      title,
                      pl_lang_text(pl, action == DECLINE ? PL_T_PAGES_CARPOOL_DECLINE_EXPLAIN
                                                         : PL_T_PAGES_CARPOOL_LEAVE_EXPLAIN),
                      token, action_name(action), form, pl_carpool_trip_name(trip),
                      pl_lang_text(pl, action == DECLINE ? PL_T_PAGES_CARPOOL_DECLINE_CONFIRM
                                                         : PL_T_PAGES_CARPOOL_LEAVE_CONFIRM),
                      token, pl_lang_text(pl, PL_T_PAGES_CARPOOL_BACK));
        srv_page_frame_end(&h);
    }
    pl_registration_free(reg);
    return srv_reply_html(out, 200, &h);
}

/* POST /me/{token}/carpool/{accept|decline|leave} */
int srv_me_carpool(srv_reply *out, srv_req *req)
{
    const char *token = req->arg[0], *trip_name = NULL;
    int action = action_of(req->arg[1]), is_json = req->body_kind == BODY_JSON, confirmed = 0;
    int rc, told = 0;
    pl_registration *reg = NULL;
    pl_carpool_trip trip = PL_CARPOOL_OUTBOUND;
    json_t *root = NULL;
    char purpose[200], buf[700];
    pl_error err;
    pl_lang pl;

    out->cache_control = "no-store";
    if (action < 0)
        return srv_page_error(out, 404, NULL, NULL);
    if (find(out, req, &reg, &pl) < 0)
        return 0;
    if (is_json) {
        root = json_loadb(req->body.data ? req->body.data : "", req->body.len, 0, NULL);
        trip_name = json_string_value(json_object_get(root, "trip"));
        confirmed = json_is_true(json_object_get(root, "confirm"));
    } else {
        snprintf(purpose, sizeof(purpose), "carpool:%s", token);
        if (!srv_same_origin(req) ||
            !srv_form_token_ok(req->srv, purpose, srv_field_get(req, "csrf"))) {
            srv_page_error(out, 403, pl_lang_code(pl),
                           "this form is stale or comes from another site; reload the page");
            goto done;
        }
        trip_name = srv_field_get(req, "trip");
        confirmed =
            srv_field_get(req, "confirm") && strcmp(srv_field_get(req, "confirm"), "yes") == 0;
    }
    if (trip_name && *trip_name && pl_carpool_trip_parse(&trip, trip_name) < 0) {
        if (is_json)
            srv_reply_json(
                out, 400,
                json_pack("{s:s, s:s}", "error", "trip is outbound or return", "field", "trip"));
        else
            srv_page_error(out, 400, pl_lang_code(pl), "trip: outbound | return");
        goto done;
    }
    /* Nothing is declined or left without the confirmation step's answer. */
    if (action != ACCEPT && !confirmed) {
        if (is_json)
            srv_reply_json(
                out, 400,
                json_pack("{s:s, s:s}", "error", "send \"confirm\": true", "field", "confirm"));
        else
            srv_page_error(out, 400, pl_lang_code(pl), "confirm=yes is missing");
        goto done;
    }
    if (reg->status != PL_REG_CONFIRMED)
        rc = pl_error_set(&err, PL_EINVALID, "this registration is not confirmed");
    else if (action == ACCEPT)
        rc = pl_carpool_driver_accept(req->store, reg->event_slug, reg->email, trip, &err);
    else if (action == DECLINE)
        rc = pl_carpool_driver_decline(req->store, reg->event_slug, reg->email, trip, &told, &err);
    else
        rc = pl_carpool_leave(req->store, reg->event_slug, reg->email, trip, &told, &err);
    if (rc == 0)
        srv_changed(req->srv);
    if (rc < 0 && is_json) {
        json_t *o = json_pack("{s:s}", "error", err.msg);
        srv_reply_json(out, srv_status_for(rc), o);
    } else if (rc < 0 && rc == PL_EINVALID) {
        /* not (or no longer) a driver or passenger of that car: a page
         * reloaded after the action, or a plan made meanwhile */
        srv_page_error(out, 409, pl_lang_code(pl), pl_lang_text(pl, PL_T_PAGES_CARPOOL_NOT_NOW));
    } else if (rc < 0) {
        srv_page_error(out, srv_status_for(rc), pl_lang_code(pl),
                       pl_error_text(&err, pl, buf, sizeof(buf)));
    } else if (is_json) {
        srv_reply_json(out, 200,
                       json_pack("{s:s, s:s, s:i}", "done", action_name(action), "trip",
                                 pl_carpool_trip_name(trip), "told", told));
    } else {
        char loc[300];
        snprintf(loc, sizeof(loc), "/me/%s?carpool=%s#carpool", token, action_name(action));
        out->location = strdup(loc);
        srv_reply_bytes(out, 303, "text/plain; charset=utf-8", strdup("See Other\n"), 10);
    }
done:
    json_decref(root);
    pl_registration_free(reg);
    return 0;
}
