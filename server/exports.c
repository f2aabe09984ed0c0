/*
 * exports.c - the exporters' files served over HTTP: the admin exports
 * under /admin/e/SLUG/NAME (registrants, public list, agenda, workshop
 * pack) and the public list of participants, which needs no token.
 *
 * Each file is written whole by the exporters into a private temporary
 * folder, then opened, unlinked and sent from the open file: a failed
 * export answers an error and never a partial body, and nothing is left
 * behind on disk.
 */
#include "exporters.h"
#include "internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define CSV_TYPE "text/csv; charset=utf-8"
#define JSON_TYPE "application/json; charset=utf-8"
#define GEOJSON_TYPE "application/geo+json" /* RFC 7946 */

typedef enum { KIND_REGISTRANTS, KIND_PUBLIC, KIND_AGENDA, KIND_PACK, KIND_CARPOOL } export_kind;

static const struct {
    const char *name;
    export_kind kind;
    pl_export_format format;
} files[] = {
    {"registrants.xlsx", KIND_REGISTRANTS, PL_EXPORT_XLSX},
    {"registrants.csv", KIND_REGISTRANTS, PL_EXPORT_CSV},
    {"registrants.json", KIND_REGISTRANTS, PL_EXPORT_JSON},
    {"public.xlsx", KIND_PUBLIC, PL_EXPORT_XLSX},
    {"public.csv", KIND_PUBLIC, PL_EXPORT_CSV},
    {"public.json", KIND_PUBLIC, PL_EXPORT_JSON},
    {"agenda.xlsx", KIND_AGENDA, PL_EXPORT_XLSX},
    {"agenda.csv", KIND_AGENDA, PL_EXPORT_CSV},
    {"agenda.json", KIND_AGENDA, PL_EXPORT_JSON},
    {"pack.xlsx", KIND_PACK, PL_EXPORT_XLSX},
    {"carpool.xlsx", KIND_CARPOOL, PL_EXPORT_XLSX},
    {"carpool.csv", KIND_CARPOOL, PL_EXPORT_CSV},
    {"carpool.json", KIND_CARPOOL, PL_EXPORT_JSON},
    {"carpool.geojson", KIND_CARPOOL, PL_EXPORT_GEOJSON},
};
#define NFILES (sizeof(files) / sizeof(files[0]))

const char *srv_export_name(size_t i)
{
    return i < NFILES ? files[i].name : NULL;
}

static const char *const kind_names[] = {"registrants", "participants", "agenda", "pack",
                                         "carpool"};

static const char *content_type(pl_export_format format)
{
    return format == PL_EXPORT_XLSX      ? XLSX_TYPE
           : format == PL_EXPORT_CSV     ? CSV_TYPE
           : format == PL_EXPORT_GEOJSON ? GEOJSON_TYPE
                                         : JSON_TYPE;
}

/* ?excel=1 asks for the CSV variant French Excel opens on a double-click. */
static int wants_excel(srv_req *req)
{
    const char *v = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "excel");
    return v && (strcmp(v, "1") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0);
}

/* Write the export into a private folder and answer it as a download. */
static int send_export(srv_reply *out, srv_req *req, const char *slug, export_kind kind,
                       pl_export_format format)
{
    const char *tmp = getenv("TMPDIR");
    char dir[4096], path[4096 + 160], filename[160];
    pl_export_options opts = PL_EXPORT_OPTIONS_INIT;
    struct stat st;
    pl_error err;
    int fd = -1, rc;

    pl_error_clear(&err);
    snprintf(dir, sizeof(dir), "%s/planner-export-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return srv_reply_error(out, 500, "cannot create a temporary folder for the export");
    snprintf(filename, sizeof(filename), "%s-%s.%s", slug, kind_names[kind],
             pl_export_format_name(format));
    snprintf(path, sizeof(path), "%s/%s", dir, filename);
    opts.format = format;
    opts.excel = format == PL_EXPORT_CSV && wants_excel(req);
    opts.public_list = kind == KIND_PUBLIC;
    switch (kind) {
    case KIND_AGENDA:
        rc = pl_export_agenda(req->store, slug, path, &opts, &err);
        break;
    case KIND_PACK:
        rc = pl_export_pack(req->store, slug, path, &err);
        break;
    case KIND_CARPOOL:
        rc = pl_export_carpool(req->store, slug, path, &opts, &err);
        break;
    default:
        rc = pl_export_registrants(req->store, slug, path, &opts, &err);
    }
    if (rc == 0 && ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0))
        rc = pl_error_set(&err, PL_EIO, "cannot read the export back");
    unlink(path);
    rmdir(dir);
    if (rc < 0) {
        if (fd >= 0)
            close(fd);
        /* the message may name the temporary path: say what failed instead */
        return srv_reply_error(out, srv_status_for(rc), "%s",
                               rc == PL_ENOTFOUND ? err.msg : "the export failed");
    }
    return srv_reply_file(out, 200, content_type(format), fd, (size_t)st.st_size, filename);
}

int srv_export(srv_reply *out, srv_req *req, const char *slug, const char *name)
{
    for (size_t i = 0; i < NFILES; i++)
        if (strcmp(files[i].name, name) == 0)
            return send_export(out, req, slug, files[i].kind, files[i].format);
    return srv_reply_error(out, 404, "no export '%s'", name);
}

/* A published or cancelled event; drafts are not public. */
static int public_event(srv_req *req, const char *slug)
{
    pl_event *ev = NULL;
    int rc = pl_event_load(&ev, req->store, slug, NULL);

    if (rc == 0 && strcmp(ev->status, "draft") == 0)
        rc = PL_ENOTFOUND;
    pl_event_free(ev);
    return rc;
}

int srv_public_list_csv(srv_reply *out, srv_req *req)
{
    const char *slug = req->arg[0];
    int rc = public_event(req, slug);

    out->cache_control = "no-cache";
    if (rc < 0)
        return srv_reply_error(out, srv_status_for(rc),
                               rc == PL_ENOTFOUND ? "no event '%s'" : "cannot read '%s'", slug);
    return send_export(out, req, slug, KIND_PUBLIC, PL_EXPORT_CSV);
}

/* ---- the section of the event page ------------------------------------- */

/* Names on the page up to this many people on the list; past it, the page
 * says how many and links to the CSV, which has them all: a big event's page
 * then costs no more than a small one's to build after each sign-up. */
#define PAGE_NAMES 500

static int add_person(const char *name, const char *organization, void *payload)
{
    srv_html *h = payload;

    srv_html_emit(h, "<li><bdi>%t</bdi>%s%t%s</li>\n", name,
                  organization ? " <span class=\"muted\">(<bdi>" : "", organization,
                  organization ? "</bdi>)</span>" : "");
    return 0;
}

void srv_public_list_html(srv_html *h, srv_req *req, const pl_event *ev, int count,
                          const char *title, const char *csv_label)
{
    srv_html section = {PL_BUF_INIT, 0};

    if (count <= 0)
        return;
    srv_html_emit(h, "<h2 id=\"participants\">%t (%d)</h2>\n", title, count);
    /* the names written aside, so that a failure leaves them out */
    if (count <= PAGE_NAMES &&
        pl_public_list_each(req->store, ev->slug, add_person, &section, NULL) == 0 &&
        !section.failed && section.buf.len > 0) {
        srv_html_emit(h, "<ul class=\"people\">\n");
        if (pl_buf_append(&h->buf, section.buf.data, section.buf.len) < 0)
            h->failed = 1;
        srv_html_emit(h, "</ul>\n");
    }
    srv_html_emit(h, "<p><a href=\"/e/%u/registrants.csv\">%t</a></p>\n", ev->slug, csv_label);
    pl_buf_free(&section.buf);
}
