/*
 * reply.c - replies: what handlers build (a status, a body, a few headers)
 * and how one becomes an HTTP response with the headers every response
 * carries (Cache-Control, nosniff, the page's Content-Security-Policy).
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

unsigned srv_status_for(int code)
{
    switch (code) {
    case PL_EINVALID:
        return MHD_HTTP_BAD_REQUEST;
    case PL_ENOTFOUND:
        return MHD_HTTP_NOT_FOUND;
    case PL_EEXISTS:
        return MHD_HTTP_CONFLICT;
    case PL_EFULL:
        return MHD_HTTP_CONFLICT;
    case PL_EIO:
    case PL_EBUSY:
        return MHD_HTTP_SERVICE_UNAVAILABLE;
    default:
        return MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
}

void srv_latest(char *dst, const char *stamp)
{
    if (stamp && *stamp && strcmp(stamp, dst) > 0)
        snprintf(dst, 32, "%s", stamp);
}

int srv_reply_bytes(srv_reply *out, unsigned status, const char *type, char *body, size_t len)
{
    out->status = status;
    out->type = type;
    free(out->body);
    out->body = body;
    out->len = len;
    return 0;
}

int srv_reply_file(srv_reply *out, unsigned status, const char *type, int fd, size_t len,
                   const char *filename)
{
    char buf[200];

    snprintf(buf, sizeof(buf), "attachment; filename=\"%s\"", filename);
    free(out->body);
    out->body = NULL;
    free(out->disposition);
    if (!(out->disposition = strdup(buf))) {
        close(fd);
        return srv_reply_error(out, 500, "out of memory");
    }
    out->status = status;
    out->type = type;
    out->fd = fd;
    out->has_fd = 1;
    out->len = len;
    return 0;
}

int srv_reply_html(srv_reply *out, unsigned status, srv_html *page)
{
    size_t len = page->buf.len;

    if (page->failed) {
        pl_buf_free(&page->buf);
        return srv_reply_error(out, 500, "out of memory");
    }
    return srv_reply_bytes(out, status, "text/html; charset=utf-8", pl_buf_detach(&page->buf), len);
}

int srv_reply_json(srv_reply *out, unsigned status, json_t *value)
{
    char *text = value ? json_dumps(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

    json_decref(value);
    if (!text) {
        static const char oom[] = "{\"error\": \"out of memory\"}";
        return srv_reply_bytes(out, 500, "application/json", strdup(oom), sizeof(oom) - 1);
    }
    return srv_reply_bytes(out, status, "application/json", text, strlen(text));
}

int srv_reply_error(srv_reply *out, unsigned status, const char *fmt, ...)
{
    char msg[600];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    out->conditional = 0;
    return srv_reply_json(out, status, json_pack("{s:s}", "error", msg));
}

static void format_http_date(char out[40], time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

enum MHD_Result srv_reply_send(srv_req *req, srv_reply *r, const char *etag_in)
{
    struct MHD_Response *resp;
    char etag[48] = "", lm[40] = "";
    time_t modified = srv_stamp_time(r->modified);
    unsigned status = r->status;
    enum MHD_Result ok;

    if (r->conditional && status == 200) {
        if (etag_in)
            memcpy(etag, etag_in, sizeof(etag));
        else
            srv_etag(etag, r->body ? r->body : "", r->len);
        if (modified != (time_t)-1)
            format_http_date(lm, modified);
        if (srv_not_modified(req, etag, modified))
            status = MHD_HTTP_NOT_MODIFIED;
    }
    if (status == MHD_HTTP_NOT_MODIFIED) {
        resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    } else if (r->has_fd) {
        resp = MHD_create_response_from_fd((uint64_t)r->len, r->fd);
        if (resp) /* MHD closes it now */
            r->has_fd = 0;
    } else
        resp =
            MHD_create_response_from_buffer(r->len, r->body ? r->body : "", MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    if (status != MHD_HTTP_NOT_MODIFIED && r->type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->type);
    if (*etag)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    if (*lm)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, lm);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            r->cache_control ? r->cache_control : "no-store");
    if (r->location)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
    if (r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->set_cookie)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
    if (r->disposition && status == 200)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, r->disposition);
    if (status == 401)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Bearer realm=\"planner admin\"");
    if (status == 503)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    if (status == 429 && r->retry_after) {
        char secs[16];
        snprintf(secs, sizeof(secs), "%u", r->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, secs);
    }
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (r->type && strncmp(r->type, "text/html", 9) == 0) {
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' "
                                "data:; form-action 'self'; frame-ancestors 'none'; "
                                "base-uri 'none'");
        MHD_add_response_header(resp, "Referrer-Policy",
                                r->referrer_same_origin ? "same-origin"
                                                        : "strict-origin-when-cross-origin");
    }
    req->status = status;
    req->answered = 1;
    ok = MHD_queue_response(req->conn, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

void srv_reply_free(srv_reply *r)
{
    free(r->body);
    free(r->location);
    free(r->disposition);
    free(r->set_cookie);
    if (r->has_fd)
        close(r->fd);
}
