/*
 * admin_html.c - the frame of every back office page and its form fields:
 * server-rendered, no script, nothing fetched from elsewhere, usable with a
 * keyboard and a screen reader (a skip link, one h1, labels tied to their
 * fields, errors announced and linked to the field at fault, visible focus).
 * Words come in the page's language (French for a French event).
 */
#include "admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char style[] =
    "<style>"
    "*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',"
    "Roboto,sans-serif;color:#1b1f24;background:#fff}"
    ".skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;"
    "padding:.4rem;z-index:2}"
    "header{background:#0b3d6e;color:#fff;padding:.5rem 1rem}header a,header button{color:#fff}"
    "header nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;margin:0;"
    "padding:0;align-items:center}header form{display:inline;margin:0}"
    "header button{background:none;border:1px solid #fff;padding:.2rem .6rem}"
    "main{max-width:72rem;margin:0 auto;padding:1rem}a{color:#0b5cad}"
    /* a long address or link breaks rather than widen the page */
    "main p,main dd,main li,main h1,main h2,main label{overflow-wrap:anywhere}"
    "h1{font-size:1.6rem;line-height:1.2}h2{font-size:1.25rem;margin-top:2rem}"
    ".muted{color:#4f5964}.warn{color:#a1160a}"
    "table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #c9d1d9;"
    "padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#f1f4f7}"
    "form.stack{display:grid;gap:.7rem;max-width:40rem}"
    "label{display:block;font-weight:600}.hint{display:block;font-size:.9rem;color:#4f5964}"
    "input,select,textarea{font:inherit;padding:.4rem;border:1px solid #6b7580;"
    "border-radius:.25rem;max-width:100%}input[type=text],input[type=email],input[type=url],"
    "input[type=search],textarea,select{width:100%}textarea{min-height:5rem}"
    "input[type=checkbox],input[type=radio]{width:auto}"
    "button{font:inherit;padding:.45rem .9rem;border:0;border-radius:.25rem;"
    "background:#0b5cad;color:#fff;cursor:pointer}button.secondary{background:#4f5964}"
    "button.danger{background:#a1160a}"
    ":focus-visible{outline:3px solid #e8a100;outline-offset:2px}"
    ".error{border:2px solid #a1160a;border-radius:.3rem;padding:.5rem 1rem;background:#fff4f2}"
    ".field-error{color:#a1160a;margin:.2rem 0 0;font-weight:600}"
    ".notice{border:2px solid #17663a;border-radius:.3rem;padding:.5rem 1rem;background:#eefaf2}"
    ".slot{display:flex;gap:.6rem;margin:.6rem 0;flex-wrap:wrap}"
    ".slot>.time{flex:0 0 100%;font-weight:600}"
    ".card{flex:1 1 14rem;background:#f5f7f9;border:1px solid #c9d1d9;border-radius:.5rem;"
    "padding:.6rem .8rem}.card h4{margin:.1rem 0;font-size:1.05rem}"
    ".card.conflict{border:2px solid #a1160a}"
    ".kind{font-size:.8rem;text-transform:uppercase;letter-spacing:.03em;color:#4f5964}"
    ".inline{display:inline}.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}"
    "fieldset{border:1px solid #c9d1d9;border-radius:.4rem}"
    /* on a phone only a wide table scrolls sideways, in its own region */
    ".table-wrap{overflow-x:auto;margin:.5rem 0}"
    "</style>";

void adm_table_wrap(srv_html *h, const char *label_id)
{
    srv_html_emit(h,
                  "<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"%a\" "
                  "tabindex=\"0\">",
                  label_id);
}

void adm_page_start(srv_html *h, adm *a, const char *title, const char *slug)
{
    srv_html_emit(h,
                  "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<title>%t – %s</title>%s</head><body>\n"
                  "<a class=\"skip\" href=\"#main\">%s</a>\n<header>",
                  a->french ? "fr" : "en", title, TX(a, ADMIN_ADMIN), style,
                  TX(a, ADMIN_SKIP_TO_CONTENT));
    if (*a->csrf || a->bearer) {
        srv_html_emit(h, "<nav aria-label=\"%s\"><ul><li><a href=\"/admin\">%s</a></li>",
                      TX(a, ADMIN_ADMIN_2), TX(a, ADMIN_EVENTS));
        if (slug)
            srv_html_emit(h,
                          "<li><a href=\"/admin/e/%u\">%s</a></li>"
                          "<li><a href=\"/admin/e/%u/registrations\">%s</a></li>"
                          "<li><a href=\"/admin/e/%u/carpool\">%s</a></li>"
                          "<li><a href=\"/e/%u\">%s</a></li>",
                          slug, TX(a, ADMIN_EVENT_AND_AGENDA), slug, TX(a, ADMIN_REGISTRATIONS_2),
                          slug, TX(a, ADMIN_CARPOOL), slug, TX(a, ADMIN_PUBLIC_PAGE_2));
        if (*a->csrf)
            srv_html_emit(h,
                          "<li><form method=\"post\" action=\"/admin/logout\">"
                          "<input type=\"hidden\" name=\"csrf\" value=\"%a\">"
                          "<button type=\"submit\">%s</button></form></li>",
                          a->csrf, TX(a, ADMIN_LOG_OUT));
        srv_html_emit(h, "</ul></nav>");
    } else {
        srv_html_emit(h, "<p>planner</p>");
    }
    srv_html_emit(h, "</header>\n<main id=\"main\">\n<h1>%t</h1>\n", title);
}

int adm_page_reply(adm *a, unsigned status, srv_html *h)
{
    srv_html_emit(h, "</main></body></html>\n");
    return srv_reply_html(a->out, status, h);
}

int adm_error(adm *a, unsigned status, const char *message)
{
    srv_html h = {PL_BUF_INIT, 0};
    const char *title = status == 404   ? TX(a, ADMIN_PAGE_NOT_FOUND)
                        : status == 403 ? TX(a, ADMIN_FORBIDDEN)
                                        : TX(a, ADMIN_ERROR);

    a->out->conditional = 0;
    adm_page_start(&h, a, title, NULL);
    srv_html_emit(&h, "<p>%d – %t</p><p><a href=\"/admin\">%s</a></p>\n", (int)status,
                  message ? message : title, TX(a, ADMIN_BACK_TO_THE_EVENTS));
    return adm_page_reply(a, status, &h);
}

const char *adm_error_text(const adm *a, const pl_error *err, char *buf, size_t size)
{
    return pl_error_text(err, a->french ? PL_LANG_FR : PL_LANG_EN, buf, size);
}

int adm_fail(adm *a, unsigned status, const pl_error *err)
{
    char msg[700];

    return adm_error(a, status, adm_error_text(a, err, msg, sizeof(msg)));
}

int adm_redirect(adm *a, const char *location)
{
    free(a->out->location);
    a->out->location = strdup(location);
    return srv_reply_bytes(a->out, 303, "text/plain; charset=utf-8", strdup(""), 0);
}

void adm_csrf_field(srv_html *h, const adm *a)
{
    srv_html_emit(h, "<input type=\"hidden\" name=\"csrf\" value=\"%a\">\n", a->csrf);
}

const char *adm_value(const adm *a, const char *name, const char *model)
{
    if (a->repost) {
        const char *v = srv_field_get(a->req, name);
        return v ? v : "";
    }
    return model;
}

const char *adm_changed(const adm *a, const char *name)
{
    char was_key[160];
    const char *now = srv_field_get(a->req, name), *was;

    snprintf(was_key, sizeof(was_key), "was-%s", name);
    was = srv_field_get(a->req, was_key);
    if (!now || (was && strcmp(now, was) == 0))
        return NULL;
    return now;
}

/* The value an edit form showed, kept to see later what was changed. */
static void was_field(srv_html *h, const adm *a, const char *name, const char *model)
{
    char was_key[160];

    if (!a->track)
        return;
    snprintf(was_key, sizeof(was_key), "was-%s", name);
    srv_html_emit(h, "<input type=\"hidden\" name=\"%a\" value=\"%a\">", was_key,
                  adm_value(a, was_key, model));
}

static const char *idp(const adm *a)
{
    return a->idp ? a->idp : "f-";
}

static int at_fault(const adm *a, const char *name)
{
    return a->err_field[0] && strcmp(a->err_field, name) == 0;
}

/* aria-describedby and aria-invalid of a field, and its inline error */
static void field_attrs(srv_html *h, const adm *a, const char *name, const char *hint)
{
    if (hint || at_fault(a, name)) {
        srv_html_emit(h, " aria-describedby=\"");
        if (hint)
            srv_html_emit(h, "%ah-%a", idp(a), name);
        if (at_fault(a, name))
            srv_html_emit(h, "%s%ae-%a", hint ? " " : "", idp(a), name);
        srv_html_emit(h, "\"");
    }
    if (at_fault(a, name))
        srv_html_emit(h, " aria-invalid=\"true\"");
}

static void field_error(srv_html *h, const adm *a, const char *name)
{
    if (at_fault(a, name))
        srv_html_emit(h, "<p class=\"field-error\" id=\"%ae-%a\">%t</p>", idp(a), name, a->err_msg);
}

void adm_input(srv_html *h, const adm *a, const char *type, const char *name, const char *label,
               const char *model, const char *hint, int required)
{
    srv_html_emit(h, "<div><label for=\"%a%a\">%t%s</label>", idp(a), name, label,
                  required ? " <span aria-hidden=\"true\">*</span>" : "");
    if (hint)
        srv_html_emit(h, "<span class=\"hint\" id=\"%ah-%a\">%t</span>", idp(a), name, hint);
    srv_html_emit(h, "<input type=\"%s\" id=\"%a%a\" name=\"%a\" value=\"%a\"%s", type, idp(a),
                  name, name, adm_value(a, name, model), required ? " required" : "");
    field_attrs(h, a, name, hint);
    srv_html_emit(h, ">");
    field_error(h, a, name);
    was_field(h, a, name, model);
    srv_html_emit(h, "</div>\n");
}

void adm_textarea(srv_html *h, const adm *a, const char *name, const char *label, const char *model)
{
    srv_html_emit(h, "<div><label for=\"%a%a\">%t</label><textarea id=\"%a%a\" name=\"%a\"", idp(a),
                  name, label, idp(a), name, name);
    field_attrs(h, a, name, NULL);
    srv_html_emit(h, ">%t</textarea>", adm_value(a, name, model));
    field_error(h, a, name);
    was_field(h, a, name, model);
    srv_html_emit(h, "</div>\n");
}

void adm_select(srv_html *h, const adm *a, const char *name, const char *label, const char *model,
                const char *const *values, const char *const *labels)
{
    const char *cur = adm_value(a, name, model);

    srv_html_emit(h, "<div><label for=\"%a%a\">%t</label><select id=\"%a%a\" name=\"%a\"", idp(a),
                  name, label, idp(a), name, name);
    field_attrs(h, a, name, NULL);
    srv_html_emit(h, ">");
    for (size_t i = 0; values[i]; i++)
        srv_html_emit(h, "<option value=\"%a\"%s>%t</option>", values[i],
                      cur && strcmp(cur, values[i]) == 0 ? " selected" : "", labels[i]);
    srv_html_emit(h, "</select>");
    field_error(h, a, name);
    was_field(h, a, name, model);
    srv_html_emit(h, "</div>\n");
}

void adm_error_summary(srv_html *h, const adm *a)
{
    if (!*a->err_msg)
        return;
    srv_html_emit(h,
                  "<div class=\"error\" role=\"alert\" id=\"form-error\" tabindex=\"-1\" "
                  "autofocus><h2>%s</h2><p>",
                  TX(a, ADMIN_NOTHING_WAS_SAVED));
    if (a->err_field[0])
        srv_html_emit(h, "<a href=\"#%a%a\">%t</a>", a->idp_error ? a->idp_error : "f-",
                      a->err_field, a->err_msg);
    else
        srv_html_emit(h, "%t", a->err_msg);
    srv_html_emit(h, "</p></div>\n");
}

void adm_set_error(adm *a, const pl_error *err)
{
    const char *p = err->path, *dot = strrchr(p, '.');

    a->repost = 1;
    if (strncmp(p, "venue.", 6) == 0)
        snprintf(a->err_field, sizeof(a->err_field), "venue_%s", p + 6);
    else if (*p && !strchr(p, '['))
        snprintf(a->err_field, sizeof(a->err_field), "%s", p);
    else if (dot && !strchr(dot, '['))
        snprintf(a->err_field, sizeof(a->err_field), "%s", dot + 1);
    else
        a->err_field[0] = '\0';
    adm_error_text(a, err, a->err_msg, sizeof(a->err_msg));
}

const char *adm_hhmm(const char *when)
{
    return when && strlen(when) >= 16 ? when + 11 : "";
}

/* when in ev's zone and the page's language, with one formatter for both
 * parts: "jeudi 12 mars 2026, 09:00"; a date alone without its time. */
static const char *when_text(char *buf, size_t size, pl_datefmt *f, const char *when)
{
    char time[32];
    size_t n;

    if (pl_datefmt_format(f, buf, size, PL_DATE_LONG, when) < 0 || strlen(when) < 16)
        return buf;
    pl_datefmt_format(f, time, sizeof(time), PL_TIME_SHORT, when);
    n = strlen(buf);
    snprintf(buf + n, size - n, ", %s", time);
    return buf;
}

const char *adm_when(char *buf, size_t size, const adm *a, const pl_event *ev, const char *when)
{
    pl_datefmt *f = NULL;

    snprintf(buf, size, "%s", when ? when : "");
    if (!when || pl_datefmt_open(&f, a->french ? PL_LANG_FR : PL_LANG_EN, ev->timezone, NULL) < 0)
        return buf;
    when_text(buf, size, f, when);
    pl_datefmt_free(f);
    return buf;
}

const char *adm_event_when(char *buf, size_t size, const adm *a, const pl_event *ev)
{
    char end[128];
    pl_datefmt *f = NULL;
    size_t n;

    snprintf(buf, size, "%s – %s", ev->start, ev->end);
    if (pl_datefmt_open(&f, a->french ? PL_LANG_FR : PL_LANG_EN, ev->timezone, NULL) < 0)
        return buf;
    when_text(buf, size, f, ev->start);
    n = strlen(buf);
    if (strncmp(ev->start, ev->end, 10) == 0)
        pl_datefmt_format(f, end, sizeof(end), PL_TIME_SHORT, ev->end);
    else
        when_text(end, sizeof(end), f, ev->end);
    snprintf(buf + n, size - n, " – %s", end);
    pl_datefmt_free(f);
    return buf;
}

/* The event args[0], whose language the page takes; or its error page. */
int adm_load_event(adm *a, pl_event **out)
{
    pl_error err;
    int rc = pl_event_load(out, a->req->store, a->args[0], &err);

    if (rc == 0) {
        a->french = pl_event_lang(*out) == PL_LANG_FR;
        return 0;
    }
    if (rc == PL_ENOTFOUND)
        adm_error(a, 404, NULL);
    else
        adm_fail(a, srv_status_for(rc), &err);
    return rc;
}
