/*
 * admin_routes.c - the back office's handlers as rows of the server's route
 * table (routes.c), and the access rules the router applies to every
 * SRV_ADMIN route before its handler runs.
 *
 * Access: "Authorization: Bearer ADMIN_TOKEN" (scripts), or the cookie of
 * a session opened at /admin/login. Without either: 303 to the login page
 * for a browser asking for a page (Accept: text/html), else 401. A form post
 * of a session needs its form token and our origin, else 403.
 */
#include "admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_get(const srv_req *req)
{
    return strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
}

static int wants_html(srv_req *req)
{
    const char *accept = srv_header(req, MHD_HTTP_HEADER_ACCEPT);
    return accept && strstr(accept, "text/html");
}

/* The bearer header or a live session; a's bearer and csrf say which. */
static int authorised(adm *a)
{
    const char *cookie;

    if (srv_admin_ok(a->req)) {
        a->bearer = 1;
        return 1;
    }
    cookie = MHD_lookup_connection_value(a->req->conn, MHD_COOKIE_KIND, ADM_COOKIE);
    return cookie && adm_session_find(a->req->srv, cookie, a->csrf);
}

int srv_admin_authorise(srv_reply *out, srv_req *req)
{
    adm a;

    memset(&a, 0, sizeof(a));
    a.req = req;
    a.out = out;
    a.french = 1;
    if (authorised(&a))
        return 1;
    out->cache_control = "private, no-store";
    if (is_get(req) && wants_html(req))
        adm_redirect(&a, "/admin/login");
    else
        srv_reply_error(out, 401,
                        "admin routes need a session (log in at /admin/login) or "
                        "'Authorization: Bearer ADMIN_TOKEN'");
    return 0;
}

/* Run fn for the route's request: the context, then the form check. */
static int run(srv_reply *out, srv_req *req, int (*fn)(adm *a), int open)
{
    adm a;

    memset(&a, 0, sizeof(a));
    a.req = req;
    a.out = out;
    a.french = 1;
    out->cache_control = "private, no-store";
    for (int i = 0; i < 3; i++)
        snprintf(a.args[i], sizeof(a.args[i]), "%s", req->arg[i]);
    if (!open && !authorised(&a)) /* the router has checked; a session may just have ended */
        return srv_admin_authorise(out, req), 0;
    if (strcmp(req->method, "POST") == 0 && !open && !adm_csrf_ok(&a))
        return adm_error(&a, 403, TX(&a, ADMIN_FORM_REFUSED_ITS_FORM_TOKEN));
    return fn(&a);
}

static int login_form(adm *a);
static int login(adm *a);
static int logout(adm *a);

/* GET /admin/e/SLUG: the JSON summary for scripts, the event's page for a
 * session. */
static int event_or_page(adm *a)
{
    if (a->bearer)
        return srv_admin_event(a->out, a->req);
    return adm_event_page(a);
}

#define ADM_ROUTE(name, fn, open)                                                                  \
    int name(srv_reply *out, srv_req *req)                                                         \
    {                                                                                              \
        return run(out, req, fn, open);                                                            \
    }

ADM_ROUTE(srv_adm_login_form, login_form, 1)
ADM_ROUTE(srv_adm_login, login, 1)
ADM_ROUTE(srv_adm_logout, logout, 0)
ADM_ROUTE(srv_adm_dashboard, adm_dashboard, 0)
ADM_ROUTE(srv_adm_event_new_form, adm_event_new_form, 0)
ADM_ROUTE(srv_adm_event_create, adm_event_create, 0)
ADM_ROUTE(srv_adm_event, event_or_page, 0)
ADM_ROUTE(srv_adm_event_update, adm_event_update, 0)
ADM_ROUTE(srv_adm_event_duplicate, adm_event_duplicate, 0)
ADM_ROUTE(srv_adm_event_publish, adm_event_publish, 0)
ADM_ROUTE(srv_adm_session_add, adm_session_add, 0)
ADM_ROUTE(srv_adm_session_form, adm_session_form, 0)
ADM_ROUTE(srv_adm_session_update, adm_session_update, 0)
ADM_ROUTE(srv_adm_session_cancel, adm_session_cancel, 0)
ADM_ROUTE(srv_adm_speaker_add, adm_speaker_add, 0)
ADM_ROUTE(srv_adm_speaker_form, adm_speaker_form, 0)
ADM_ROUTE(srv_adm_speaker_update, adm_speaker_update, 0)
ADM_ROUTE(srv_adm_speaker_remove, adm_speaker_remove, 0)
ADM_ROUTE(srv_adm_regs, adm_regs_table, 0)
ADM_ROUTE(srv_adm_reg_form, adm_reg_form, 0)
ADM_ROUTE(srv_adm_reg_update, adm_reg_update, 0)
ADM_ROUTE(srv_adm_reg_cancel, adm_reg_cancel, 0)
ADM_ROUTE(srv_adm_reg_promote, adm_reg_promote, 0)
ADM_ROUTE(srv_adm_reg_resend, adm_reg_resend, 0)
ADM_ROUTE(srv_adm_carpool, adm_carpool_page, 0)
ADM_ROUTE(srv_adm_allocate, adm_allocate, 0)
ADM_ROUTE(srv_adm_carpool_plan, adm_carpool_plan, 0)
ADM_ROUTE(srv_adm_carpool_confirm, adm_carpool_confirm, 0)
ADM_ROUTE(srv_adm_carpool_move, adm_carpool_move, 0)
ADM_ROUTE(srv_adm_carpool_together, adm_carpool_together, 0)
ADM_ROUTE(srv_adm_carpool_choice, adm_carpool_choice, 0)
ADM_ROUTE(srv_adm_import_form, adm_import_form, 0)
ADM_ROUTE(srv_adm_import, adm_import, 0)
ADM_ROUTE(srv_adm_purge_form, adm_purge_form, 0)
ADM_ROUTE(srv_adm_purge, adm_purge, 0)

/* ---- login and logout ---- */

static int login_page(adm *a, unsigned status, const char *message)
{
    srv_html h = {PL_BUF_INIT, 0};
    char token[64];

    srv_form_token(a->req->srv, "admin-login", token);
    adm_page_start(&h, a, TX(a, ADMIN_LOGIN_TITLE), NULL);
    if (message)
        srv_html_emit(&h,
                      "<div class=\"error\" role=\"alert\" id=\"form-error\" tabindex=\"-1\">"
                      "<p>%t</p></div>\n",
                      message);
    srv_html_emit(&h,
                  "<form method=\"post\" action=\"/admin/login\">\n"
                  "<input type=\"hidden\" name=\"csrf\" value=\"%a\">\n"
                  "<div><label for=\"token\">%s</label>"
                  "<input type=\"password\" id=\"token\" name=\"token\" required "
                  "autocomplete=\"current-password\" aria-describedby=\"token-hint%s\"%s></div>\n"
                  "<p class=\"muted\" id=\"token-hint\">%s</p>\n"
                  "<div><button type=\"submit\">%s</button></div>\n</form>\n",
                  token, TX(a, ADMIN_LOGIN_TOKEN), message ? " form-error" : "",
                  message ? " aria-invalid=\"true\"" : "", TX(a, ADMIN_LOGIN_HINT),
                  TX(a, ADMIN_LOGIN_SUBMIT));
    return adm_page_reply(a, status, &h);
}

static int login_form(adm *a)
{
    return login_page(a, 200, NULL);
}

static int login(adm *a)
{
    char addr[64], id[ADM_ID_HEX + 1], csrf[65];
    unsigned wait = 0;

    adm_client_address(a->req, addr);
    if (!srv_form_token_ok(a->req->srv, "admin-login", srv_field_get(a->req, "csrf")) ||
        !srv_same_origin(a->req))
        return adm_error(a, 403, TX(a, ADMIN_LOGIN_FORM_REFUSED));
    if (!adm_login_allowed(a->req->srv, addr, &wait)) {
        a->out->retry_after = wait;
        return login_page(a, 429, TX(a, ADMIN_LOGIN_TOO_MANY));
    }
    if (!adm_token_ok(a->req->srv, srv_field_get(a->req, "token"))) {
        adm_login_failed(a->req->srv, addr);
        return login_page(a, 401, TX(a, ADMIN_LOGIN_WRONG));
    }
    adm_login_succeeded(a->req->srv, addr);
    if (adm_session_create(a->req->srv, id, csrf) < 0)
        return adm_error(a, 500, NULL);
    a->out->set_cookie = adm_cookie(a->req->srv, id);
    memset(id, 0, sizeof(id));
    return adm_redirect(a, "/admin");
}

static int logout(adm *a)
{
    const char *cookie = MHD_lookup_connection_value(a->req->conn, MHD_COOKIE_KIND, ADM_COOKIE);

    if (cookie)
        adm_session_drop(a->req->srv, cookie);
    a->out->set_cookie = adm_cookie(a->req->srv, NULL);
    return adm_redirect(a, "/admin/login");
}
