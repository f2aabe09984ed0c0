/*
 * admin_import.c - `registrations import` and `registrations purge` in the
 * back office (docs/admin.md), through the same core as the command line
 * (registration_csv.h, csv_map.h, registration.h).
 *
 * Import: GET /admin/e/SLUG/import is the form (a file to upload, or the
 * CSV pasted; optionally a mapping, else the one saved for the event; the
 * CLI's --replace and --no-mail). POST checks first (a dry run: every bad
 * row, the answers the mapping reads, the first rows as they will be
 * saved) and shows a form carrying the same CSV to import it for real;
 * "import" writes, all rows or none.
 *
 * Purge: GET /admin/e/SLUG/purge is the confirmation step (what goes, from
 * when); POST with confirm=1 purges.
 */
#include "admin.h"
#include "csv_map.h"
#include "registration_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PREVIEW_ROWS 5
#define PROBLEMS_SHOWN 200

/* ---- the import form ---- */

static void import_form(srv_html *h, adm *a, const pl_event *ev)
{
    srv_html_emit(h,
                  "<form method=\"post\" action=\"/admin/e/%u/import\" "
                  "enctype=\"multipart/form-data\" class=\"stack\">\n",
                  ev->slug);
    adm_csrf_field(h, a);
    srv_html_emit(h,
                  "<div><label for=\"f-file\">%s</label><input type=\"file\" id=\"f-file\" "
                  "name=\"file\" accept=\".csv,text/csv\"></div>\n"
                  "<div><label for=\"f-csv\">%s</label><textarea id=\"f-csv\" name=\"csv\" "
                  "rows=\"6\"></textarea></div>\n"
                  "<div><label for=\"f-map\">%s</label><textarea id=\"f-map\" name=\"map\" "
                  "rows=\"4\" aria-describedby=\"h-map\"></textarea>"
                  "<span class=\"hint\" id=\"h-map\">%s</span></div>\n"
                  "<div><label class=\"check\" for=\"f-replace\"><input type=\"checkbox\" "
                  "id=\"f-replace\" name=\"replace\" value=\"1\"> %s</label></div>\n"
                  "<div><label class=\"check\" for=\"f-no_mail\"><input type=\"checkbox\" "
                  "id=\"f-no_mail\" name=\"no_mail\" value=\"1\"> %s</label></div>\n"
                  "<div><button type=\"submit\" name=\"action\" value=\"check\">%s</button> "
                  "<button type=\"submit\" name=\"action\" value=\"import\">%s</button></div>\n"
                  "</form>\n",
                  TX(a, ADMIN_IMPORT_FILE), TX(a, ADMIN_IMPORT_PASTE), TX(a, ADMIN_IMPORT_MAP),
                  TX(a, ADMIN_IMPORT_MAP_HINT), TX(a, ADMIN_IMPORT_REPLACE),
                  TX(a, ADMIN_IMPORT_NO_MAIL), TX(a, ADMIN_IMPORT_CHECK),
                  TX(a, ADMIN_IMPORT_SUBMIT));
}

int adm_import_form(adm *a)
{
    srv_html h = {PL_BUF_INIT, 0};
    pl_event *ev = NULL;
    int r;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    adm_page_start(&h, a, TX(a, ADMIN_IMPORT_TITLE), ev->slug);
    srv_html_emit(&h, "<p>%t</p>\n<p>%s</p>\n", ev->title, TX(a, ADMIN_IMPORT_HINT));
    import_form(&h, a, ev);
    r = adm_page_reply(a, 200, &h);
    pl_event_free(ev);
    return r;
}

/* ---- running it ---- */

typedef struct report {
    adm *a;
    srv_html problems, warnings, answers, rows;
    size_t nproblems, nwarnings, nrows;
    const char *last_column;
} report;

static void problem_line(srv_html *h, adm *a, const pl_error *e)
{
    srv_html_emit(h, "<li>");
    if (e->line > 0)
        srv_html_emit(h, "%s %d", TX(a, ADMIN_IMPORT_LINE), e->line);
    if (e->path[0])
        srv_html_emit(h, "%s%t", e->line > 0 ? ", " : "", e->path);
    srv_html_emit(h, "%s%t</li>\n", e->line > 0 || e->path[0] ? " : " : "", e->msg);
}

static void on_problem(const pl_error *e, void *payload)
{
    report *r = payload;
    if (r->nproblems++ < PROBLEMS_SHOWN)
        problem_line(&r->problems, r->a, e);
}

static void on_warning(const pl_error *e, void *payload)
{
    report *r = payload;
    if (r->nwarnings++ < PROBLEMS_SHOWN)
        problem_line(&r->warnings, r->a, e);
}

static void on_answer(const char *column, const char *answer, const char *value, size_t rows,
                      void *payload)
{
    report *r = payload;

    srv_html_emit(&r->answers, "<tr><td>%t</td><td>%t</td><td>%t</td><td>%z</td></tr>\n", column,
                  answer, value ? value : TX(r->a, ADMIN_IMPORT_NOT_IN_MAP), rows);
}

/* As the registrations table says it (admin_regs.c). */
static const char *travel_words(const adm *a, pl_travel t)
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

static void on_row(int line, const pl_registration *reg, void *payload)
{
    report *r = payload;

    if (r->nrows++ >= PREVIEW_ROWS)
        return;
    srv_html_emit(&r->rows, "<tr><td>%d</td><td>%t</td><td>%t</td><td>%t</td><td>%t</td><td>", line,
                  reg->name, reg->email, reg->origin ? reg->origin : "",
                  travel_words(r->a, reg->travel));
    for (size_t i = 0; i < reg->sessions.count; i++)
        srv_html_emit(&r->rows, "%s%t", i ? ", " : "", reg->sessions.items[i]);
    srv_html_emit(&r->rows, "</td></tr>\n");
}

/* The CSV sent: the file uploaded, else the text pasted. */
static const char *csv_text(adm *a)
{
    const char *file = srv_field_get(a->req, "file"), *text = srv_field_get(a->req, "csv");
    return file && *file ? file : text && *text ? text : NULL;
}

/* Write text to a new private temporary file; its path in path. */
static int to_temp_file(const char *text, char path[64])
{
    const char *dir = getenv("TMPDIR");
    size_t n = strlen(text);
    int fd;

    snprintf(path, 64, "%.40s/planner-import-XXXXXX",
             dir && *dir && strlen(dir) < 40 ? dir : "/tmp");
    if ((fd = mkstemp(path)) < 0)
        return -1;
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, text + off, n - off);
        if (w <= 0) {
            close(fd);
            unlink(path);
            return -1;
        }
        off += (size_t)w;
    }
    return close(fd) == 0 ? 0 : (unlink(path), -1);
}

static void append(srv_html *h, srv_html *part)
{
    if (part->buf.data)
        pl_buf_puts(&h->buf, part->buf.data);
    h->failed |= part->failed;
    pl_buf_free(&part->buf);
}

static void stat_row(srv_html *h, const char *label, size_t n)
{
    srv_html_emit(h, "<tr><th scope=\"row\">%s</th><td>%z</td></tr>\n", label, n);
}

int adm_import(adm *a)
{
    const char *csv = csv_text(a), *map_text = srv_field_get(a->req, "map"),
               *action = srv_field_get(a->req, "action");
    const char *replace = srv_field_get(a->req, "replace"),
               *no_mail = srv_field_get(a->req, "no_mail");
    pl_registration_import_opts opts = PL_REGISTRATION_IMPORT_OPTS_INIT;
    pl_registration_import_stats st;
    report rep;
    srv_html h = {PL_BUF_INIT, 0};
    pl_csv_map *map = NULL;
    pl_event *ev = NULL;
    char path[64] = "";
    pl_error err;
    unsigned status = 200;
    int rc, r, saved_map = 0;

    memset(&rep, 0, sizeof(rep));
    memset(&st, 0, sizeof(st));
    rep.a = a;
    pl_error_clear(&err);
    if (adm_load_event(a, &ev) < 0)
        return 0;
    if (!csv) {
        pl_event_free(ev);
        return adm_error(a, 400, TX(a, ADMIN_IMPORT_NOTHING));
    }
    if (map_text && *map_text) {
        if ((rc = pl_csv_map_parse(&map, map_text, "map", &err)) < 0) {
            char msg[800];
            /* which field, line and column too ("map:1:2: ..."), not the bare message */
            pl_error_format(&err, msg, sizeof(msg));
            pl_event_free(ev);
            return adm_error(a, 400, msg);
        }
    } else if ((rc = pl_csv_map_saved(&map, a->req->store, ev->slug, &err)) == 0) {
        saved_map = 1;
    } else if (rc != PL_ENOTFOUND) {
        pl_event_free(ev);
        return adm_error(a, srv_status_for(rc), err.msg);
    }
    pl_error_clear(&err);
    opts.dry_run = !action || strcmp(action, "import") != 0;
    opts.replace = replace && strcmp(replace, "1") == 0;
    opts.no_mail = no_mail && strcmp(no_mail, "1") == 0;
    opts.map = map;
    opts.save_map = map && !saved_map;
    opts.on_problem = on_problem;
    opts.on_warning = on_warning;
    opts.on_answer = on_answer;
    opts.on_row = on_row;
    opts.payload = &rep;
    if (to_temp_file(csv, path) < 0) {
        rc = pl_error_set(&err, PL_EIO, "cannot write a temporary file");
    } else {
        rc = pl_registration_import_csv(a->req->store, ev->slug, path, &opts, &st, &err);
        unlink(path);
    }
    if (!opts.dry_run)
        srv_changed(a->req->srv);
    if (rc < 0 && !(rc == PL_EINVALID && rep.nproblems)) {
        pl_csv_map_free(map);
        pl_event_free(ev);
        pl_buf_free(&rep.problems.buf);
        pl_buf_free(&rep.warnings.buf);
        pl_buf_free(&rep.answers.buf);
        pl_buf_free(&rep.rows.buf);
        return adm_error(a, srv_status_for(rc), err.msg);
    }
    adm_page_start(&h, a, TX(a, ADMIN_IMPORT_TITLE), ev->slug);
    srv_html_emit(&h, "<p>%t</p>\n", ev->title);
    if (saved_map)
        srv_html_emit(&h, "<p class=\"muted\">%s</p>\n", TX(a, ADMIN_IMPORT_SAVED_MAP));
    if (rc < 0) {
        status = 400;
        srv_html_emit(&h,
                      "<div class=\"error\" role=\"alert\" id=\"form-error\" tabindex=\"-1\">"
                      "<p><strong>%z</strong> %s</p>\n<ul id=\"problems\">\n",
                      st.bad_rows, TX(a, ADMIN_IMPORT_BAD_ROWS));
        append(&h, &rep.problems);
        srv_html_emit(&h, "</ul></div>\n");
    } else {
        srv_html_emit(&h, "<p class=\"notice\" role=\"status\" id=\"outcome\">%s</p>\n",
                      opts.dry_run ? TX(a, ADMIN_IMPORT_CHECKED) : TX(a, ADMIN_IMPORT_DONE));
    }
    if (rep.nwarnings) {
        srv_html_emit(&h, "<h2>%s</h2>\n<ul id=\"warnings\">\n", TX(a, ADMIN_IMPORT_NOTES));
        append(&h, &rep.warnings);
        srv_html_emit(&h, "</ul>\n");
    }
    srv_html_emit(&h, "<table id=\"counts\"><caption>%s</caption><tbody>\n",
                  TX(a, ADMIN_IMPORT_COUNTS));
    stat_row(&h, TX(a, ADMIN_IMPORT_ROWS), st.rows);
    stat_row(&h, TX(a, ADMIN_IMPORT_CREATED), st.created);
    stat_row(&h, TX(a, ADMIN_IMPORT_UPDATED), st.updated);
    stat_row(&h, TX(a, ADMIN_IMPORT_UNCHANGED), st.unchanged);
    stat_row(&h, TX(a, ADMIN_IMPORT_WAITLISTED), st.waitlisted_rows);
    stat_row(&h, TX(a, ADMIN_IMPORT_DUPLICATES), st.duplicates);
    srv_html_emit(&h, "</tbody></table>\n");
    if (rep.answers.buf.data) {
        srv_html_emit(&h,
                      "<table id=\"answers\"><caption>%s</caption><thead><tr>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                      "<th scope=\"col\">%s</th></tr></thead><tbody>\n",
                      TX(a, ADMIN_IMPORT_ANSWERS), TX(a, ADMIN_IMPORT_COLUMN),
                      TX(a, ADMIN_IMPORT_ANSWER), TX(a, ADMIN_IMPORT_MEANS),
                      TX(a, ADMIN_IMPORT_ROWS));
        append(&h, &rep.answers);
        srv_html_emit(&h, "</tbody></table>\n");
    } else {
        pl_buf_free(&rep.answers.buf);
    }
    if (opts.dry_run && rep.rows.buf.data) {
        srv_html_emit(&h,
                      "<table id=\"preview\"><caption>%s</caption><thead><tr>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">e-mail"
                      "</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                      "<th scope=\"col\">%s</th></tr></thead><tbody>\n",
                      TX(a, ADMIN_IMPORT_PREVIEW), TX(a, ADMIN_IMPORT_LINE), TX(a, ADMIN_NAME_2),
                      TX(a, ADMIN_TOWN), TX(a, ADMIN_IMPORT_TRAVEL), TX(a, ADMIN_WORKSHOP));
        append(&h, &rep.rows);
        srv_html_emit(&h, "</tbody></table>\n");
    } else {
        pl_buf_free(&rep.rows.buf);
    }
    if (rc == 0 && opts.dry_run) {
        /* the same CSV, mapping and options, to import for real */
        srv_html_emit(&h,
                      "<form method=\"post\" action=\"/admin/e/%u/import\" "
                      "enctype=\"multipart/form-data\" id=\"confirm\">\n",
                      ev->slug);
        adm_csrf_field(&h, a);
        srv_html_emit(&h, "<input type=\"hidden\" name=\"csv\" value=\"%a\">\n", csv);
        if (map_text && *map_text)
            srv_html_emit(&h, "<input type=\"hidden\" name=\"map\" value=\"%a\">\n", map_text);
        if (opts.replace)
            srv_html_emit(&h, "<input type=\"hidden\" name=\"replace\" value=\"1\">\n");
        if (opts.no_mail)
            srv_html_emit(&h, "<input type=\"hidden\" name=\"no_mail\" value=\"1\">\n");
        srv_html_emit(&h,
                      "<div><button type=\"submit\" name=\"action\" value=\"import\">%s</button>"
                      "</div></form>\n",
                      TX(a, ADMIN_IMPORT_SUBMIT));
    } else if (rc < 0) {
        srv_html_emit(&h, "<h2>%s</h2>\n", TX(a, ADMIN_IMPORT_AGAIN));
        import_form(&h, a, ev);
    }
    srv_html_emit(&h, "<p><a href=\"/admin/e/%u/registrations\">%s</a></p>\n", ev->slug,
                  TX(a, ADMIN_REGISTRATIONS_2));
    r = adm_page_reply(a, status, &h);
    pl_csv_map_free(map);
    pl_event_free(ev);
    return r;
}

/* ---- purge ---- */

static int count_all(const pl_registration *reg, void *payload)
{
    (void)reg;
    (*(size_t *)payload)++;
    return 0;
}

static int purge_page(adm *a, pl_event *ev, unsigned status, const char *message)
{
    srv_html h = {PL_BUF_INIT, 0};
    size_t n = 0;
    int days = ev->purge_after_days > 0 ? ev->purge_after_days : PL_REG_PURGE_DAYS;

    pl_registration_each(a->req->store, ev->slug, count_all, &n, NULL);
    adm_page_start(&h, a, TX(a, ADMIN_PURGE_TITLE), ev->slug);
    if (message)
        srv_html_emit(&h,
                      "<div class=\"error\" role=\"alert\" id=\"form-error\" tabindex=\"-1\">"
                      "<p>%t</p></div>\n",
                      message);
    srv_html_emit(&h,
                  "<p>%t</p>\n<p>%s</p>\n<p id=\"purge-when\">%s <strong>%d</strong> %s "
                  "(%t) · <strong>%z</strong> %s</p>\n",
                  ev->title, TX(a, ADMIN_PURGE_EXPLAIN), TX(a, ADMIN_PURGE_DELAY), days,
                  TX(a, ADMIN_PURGE_DAYS_AFTER), ev->end, n, TX(a, ADMIN_REGISTRATIONS_2));
    srv_html_emit(&h, "<form method=\"post\" action=\"/admin/e/%u/purge\" class=\"stack\">\n",
                  ev->slug);
    adm_csrf_field(&h, a);
    srv_html_emit(&h,
                  "<div><label for=\"f-after_days\">%s</label><span class=\"hint\" "
                  "id=\"h-after_days\">%s</span><input type=\"number\" id=\"f-after_days\" "
                  "name=\"after_days\" min=\"0\" max=\"36500\" value=\"\" "
                  "aria-describedby=\"h-after_days\"></div>\n"
                  "<div><label class=\"check\" for=\"f-confirm\"><input type=\"checkbox\" "
                  "id=\"f-confirm\" name=\"confirm\" value=\"1\" required> %s</label></div>\n"
                  "<div><button type=\"submit\">%s</button></div></form>\n",
                  TX(a, ADMIN_PURGE_AFTER), TX(a, ADMIN_PURGE_AFTER_HINT),
                  TX(a, ADMIN_PURGE_CONFIRM), TX(a, ADMIN_PURGE_BUTTON));
    return adm_page_reply(a, status, &h);
}

int adm_purge_form(adm *a)
{
    pl_event *ev = NULL;
    int r;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    r = purge_page(a, ev, 200, NULL);
    pl_event_free(ev);
    return r;
}

int adm_purge(adm *a)
{
    const char *confirm = srv_field_get(a->req, "confirm"),
               *after = srv_field_get(a->req, "after_days");
    int days = PL_REG_PURGE_EVENT_DAYS, rc, r;
    srv_html h = {PL_BUF_INIT, 0};
    pl_event *ev = NULL;
    size_t n = 0;
    pl_error err;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    if (!confirm || strcmp(confirm, "1") != 0) {
        r = purge_page(a, ev, 400, TX(a, ADMIN_PURGE_NOT_CONFIRMED));
        pl_event_free(ev);
        return r;
    }
    if (after && *after) {
        char *end;
        long d = strtol(after, &end, 10);
        if (*end || d < 0 || d > 36500) {
            r = purge_page(a, ev, 400, TX(a, ADMIN_PURGE_BAD_DAYS));
            pl_event_free(ev);
            return r;
        }
        days = (int)d;
    }
    rc = pl_registration_purge(a->req->store, ev->slug, days, &n, &err);
    srv_changed(a->req->srv);
    if (rc < 0) {
        r = rc == PL_EINVALID ? purge_page(a, ev, 409, err.msg)
                              : adm_error(a, srv_status_for(rc), err.msg);
        pl_event_free(ev);
        return r;
    }
    adm_page_start(&h, a, TX(a, ADMIN_PURGE_TITLE), ev->slug);
    srv_html_emit(&h,
                  "<p class=\"notice\" role=\"status\" id=\"outcome\"><strong>%z</strong> %s</p>\n"
                  "<p><a href=\"/admin/e/%u/registrations\">%s</a></p>\n",
                  n, TX(a, ADMIN_PURGE_DONE), ev->slug, TX(a, ADMIN_REGISTRATIONS_2));
    r = adm_page_reply(a, 200, &h);
    pl_event_free(ev);
    return r;
}
