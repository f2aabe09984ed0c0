/*
 * router.c - from a whole request to a queued reply: which handler answers
 * a path, and the reply cache in front of the public GETs.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int ends_with(const char *s, const char *suffix, size_t *stem)
{
    size_t n = strlen(s), m = strlen(suffix);

    if (n <= m || strcmp(s + n - m, suffix) != 0)
        return 0;
    *stem = n - m;
    return 1;
}

/* Split "/e/SLUG[.ext|/rest]" style paths. Copies the segment into seg. */
static const char *segment(const char *path, const char *prefix, char *seg, size_t size)
{
    size_t n = strlen(prefix), len;
    const char *end;

    if (strncmp(path, prefix, n) != 0)
        return NULL;
    path += n;
    end = strchr(path, '/');
    len = end ? (size_t)(end - path) : strlen(path);
    if (len == 0 || len >= size)
        return NULL;
    memcpy(seg, path, len);
    seg[len] = '\0';
    return end ? end : path + len;
}

static int method_is(const srv_req *req, const char *m)
{
    return strcmp(req->method, m) == 0;
}

static int is_get(const srv_req *req)
{
    return method_is(req, "GET") || method_is(req, "HEAD");
}

static int wrong_method(srv_reply *out, const char *allow)
{
    out->allow = allow;
    return srv_reply_error(out, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed; use %s", allow);
}

/* Cache key for a public GET, or 0 when the route is not cached. */
static int cache_key(const srv_req *req, char *key, size_t size)
{
    char now[32];
    const char *p = req->path;

    if (!is_get(req))
        return 0;
    /* "Upcoming" and the registration form end with the event's last day in
     * its own zone, and days end on a quarter hour UTC in every zone. */
    if (strcmp(p, "/") == 0) {
        pl_now_utc(now);
        snprintf(key, size, "/|%.14s%02d", now, atoi(now + 14) / 15 * 15);
        return 1;
    }
    if (strncmp(p, "/e/", 3) == 0 && !strchr(p + 3, '/')) {
        /* the event page also embeds a form token that changes every hour */
        snprintf(key, size, "%s|%ld", p, (long)(time(NULL) / 900));
        return strlen(p) < 150;
    }
    if (strcmp(p, "/events.ics") == 0) {
        snprintf(key, size, "%s", p);
        return 1;
    }
    return 0;
}

static int route(srv_reply *out, srv_req *req)
{
    const char *p = req->path, *rest;
    char seg[160];
    size_t stem;

    if (strcmp(p, "/") == 0)
        return is_get(req) ? srv_page_index(out, req) : wrong_method(out, "GET, HEAD");
    if (strcmp(p, "/events.ics") == 0)
        return is_get(req) ? srv_feed_all(out, req) : wrong_method(out, "GET, HEAD");
    if ((rest = segment(p, "/e/", seg, sizeof(seg)))) {
        if (strcmp(rest, "/register") == 0) {
            if (!srv_valid_slug(seg))
                return srv_reply_error(out, 404, "no such event");
            return method_is(req, "POST") ? srv_register(out, req, seg) : wrong_method(out, "POST");
        }
        if (strcmp(rest, "/registrants.csv") == 0) {
            if (!srv_valid_slug(seg))
                return srv_reply_error(out, 404, "no such event");
            return is_get(req) ? srv_public_list_csv(out, req, seg)
                               : wrong_method(out, "GET, HEAD");
        }
        if (*rest)
            return srv_reply_error(out, 404, "no such page");
        if (!is_get(req))
            return wrong_method(out, "GET, HEAD");
        if (ends_with(seg, ".ics", &stem)) {
            seg[stem] = '\0';
            return srv_valid_slug(seg) ? srv_feed_event(out, req, seg)
                                       : srv_reply_error(out, 404, "no such event");
        }
        if (ends_with(seg, ".json", &stem)) {
            seg[stem] = '\0';
            return srv_valid_slug(seg) ? srv_event_json(out, req, seg)
                                       : srv_reply_error(out, 404, "no such event");
        }
        return srv_valid_slug(seg) ? srv_page_event(out, req, seg)
                                   : srv_page_error(out, 404, NULL, NULL);
    }
    if ((rest = segment(p, "/me/", seg, sizeof(seg)))) {
        req->secret_path = 1;
        if (strcmp(rest, "/cancel") == 0) {
            if (!srv_valid_token(seg))
                return srv_reply_error(out, 404, "no such registration");
            return method_is(req, "POST") ? srv_cancel(out, req, seg) : wrong_method(out, "POST");
        }
        if (*rest)
            return srv_reply_error(out, 404, "no such page");
        if (!is_get(req))
            return wrong_method(out, "GET, HEAD");
        if (ends_with(seg, ".ics", &stem)) {
            seg[stem] = '\0';
            return srv_valid_token(seg) ? srv_me_feed(out, req, seg)
                                        : srv_reply_error(out, 404, "no such registration");
        }
        if (ends_with(seg, ".json", &stem)) {
            seg[stem] = '\0';
            return srv_valid_token(seg) ? srv_me_json(out, req, seg)
                                        : srv_reply_error(out, 404, "no such registration");
        }
        return srv_valid_token(seg) ? srv_page_me(out, req, seg)
                                    : srv_page_error(out, 404, NULL, NULL);
    }
    if (strncmp(p, "/admin/", 7) == 0) {
        char what[64] = "";
        if (!srv_admin_ok(req)) {
            out->allow = NULL;
            srv_reply_error(out, 401, "admin routes need 'Authorization: Bearer ADMIN_TOKEN'");
            return 0;
        }
        if (!is_get(req))
            return wrong_method(out, "GET, HEAD");
        if ((rest = segment(p, "/admin/e/", seg, sizeof(seg))) && srv_valid_slug(seg)) {
            if (*rest && (strlen(rest + 1) >= sizeof(what) || strchr(rest + 1, '/')))
                return srv_reply_error(out, 404, "no such export");
            if (*rest)
                snprintf(what, sizeof(what), "%s", rest + 1);
            return srv_admin(out, req, seg, what);
        }
        return srv_reply_error(out, 404, "no such admin page");
    }
    return srv_page_error(out, 404, NULL, NULL);
}

enum MHD_Result srv_answer(srv_req *req)
{
    srv_reply r = {0};
    char key[200], etag[48];
    long long gen = 0;
    int cached = 0;
    enum MHD_Result ok;

    if (cache_key(req, key, sizeof(key))) {
        gen = srv_generation(req->srv);
        cached = srv_cache_get(req->srv, key, gen, &r, etag);
        if (!cached) {
            route(&r, req);
            if (r.status == 200 && r.conditional) {
                srv_etag(etag, r.body ? r.body : "", r.len);
                srv_cache_put(req->srv, key, gen, &r, etag);
                cached = 1;
            }
        }
    } else {
        route(&r, req);
    }
    if (!r.status)
        srv_reply_error(&r, 500, "internal error");
    ok = srv_reply_send(req, &r, cached ? etag : NULL);
    srv_reply_free(&r);
    return ok;
}

enum MHD_Result srv_refuse(srv_req *req, unsigned status)
{
    srv_reply r = {0};
    enum MHD_Result ok;

    switch (status) {
    case MHD_HTTP_CONTENT_TOO_LARGE:
        srv_reply_error(&r, status, "request body larger than %zu bytes", req->srv->opts.max_body);
        break;
    case MHD_HTTP_UNSUPPORTED_MEDIA_TYPE:
        srv_reply_error(&r, status, "send application/json or application/x-www-form-urlencoded");
        break;
    case MHD_HTTP_LENGTH_REQUIRED:
        srv_reply_error(&r, status, "send the body with a Content-Length");
        break;
    case MHD_HTTP_SERVICE_UNAVAILABLE:
        srv_reply_error(&r, status, "the database is not available");
        break;
    default:
        srv_reply_error(&r, status, "malformed request body");
    }
    ok = srv_reply_send(req, &r, NULL);
    srv_reply_free(&r);
    return ok;
}
