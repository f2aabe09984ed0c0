/*
 * router.c - from a whole request to a queued reply: the route of
 * routes.c that answers the path and method (or 401, 404, 405), and the
 * reply cache in front of the routes marked SRV_CACHED.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum arg_kind { ARG_SLUG, ARG_TOKEN, ARG_NAME } arg_kind;

static arg_kind kind_of(const char *name, size_t len)
{
    if (len == 4 && strncmp(name, "slug", 4) == 0)
        return ARG_SLUG;
    if (len == 5 && strncmp(name, "token", 5) == 0)
        return ARG_TOKEN;
    return ARG_NAME;
}

static int in_class(arg_kind kind, char c)
{
    int lower = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';

    switch (kind) {
    case ARG_SLUG:
        return lower || digit || c == '-' || c == '_';
    case ARG_TOKEN:
        return digit || (c >= 'a' && c <= 'f');
    default:
        return lower || digit || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.';
    }
}

static int valid_arg(arg_kind kind, const char *s)
{
    switch (kind) {
    case ARG_SLUG:
        return srv_valid_slug(s);
    case ARG_TOKEN:
        return srv_valid_token(s);
    default:
        return s[0] != '.' && strlen(s) <= 100;
    }
}

/* Does path match pattern? The {arguments} go into arg, in order. An
 * argument takes the longest run of the characters its kind allows (never
 * '/'), so a literal after it must start with another character. */
static int match(const char *pattern, const char *path, char arg[SRV_ROUTE_ARGS][SRV_ARG_SIZE])
{
    size_t n = 0;

    while (*pattern) {
        if (*pattern == '{') {
            const char *close = strchr(pattern, '}');
            arg_kind kind = kind_of(pattern + 1, (size_t)(close - pattern - 1));
            size_t len = 0;
            while (path[len] && in_class(kind, path[len]))
                len++;
            if (len == 0 || len >= SRV_ARG_SIZE || n >= SRV_ROUTE_ARGS)
                return 0;
            memcpy(arg[n], path, len);
            arg[n][len] = '\0';
            if (!valid_arg(kind, arg[n++]))
                return 0;
            path += len;
            pattern = close + 1;
        } else if (*pattern++ != *path++) {
            return 0;
        }
    }
    return *path == '\0';
}

static unsigned method_bit(const srv_req *req)
{
    if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
        return SRV_GET;
    if (strcmp(req->method, "POST") == 0)
        return SRV_POST;
    return 0;
}

/* The route answering req, with req->arg filled in; or NULL and the reply
 * (401, 404 or 405) in out. */
static const srv_route *find_route(srv_reply *out, srv_req *req)
{
    unsigned want = method_bit(req), allowed = 0, admin = 0;
    const srv_route *hit = NULL;

    for (size_t i = 0; i < srv_nroutes && !hit; i++) {
        const srv_route *r = &srv_routes[i];
        if (!match(r->pattern, req->path, req->arg))
            continue;
        allowed |= r->methods;
        admin |= r->flags & SRV_ADMIN;
        if (r->methods & want)
            hit = r;
    }
    if (hit)
        admin = hit->flags & SRV_ADMIN;
    else if (!allowed && strncmp(req->path, "/admin/", 7) == 0)
        admin = SRV_ADMIN; /* say nothing of what exists before the token */
    if (admin && !srv_admin_authorise(out, req))
        return NULL;
    if (!hit && allowed) {
        out->allow = allowed == SRV_GET    ? "GET, HEAD"
                     : allowed == SRV_POST ? "POST"
                                           : "GET, HEAD, POST";
        srv_reply_error(out, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed; use %s", out->allow);
    } else if (!hit && admin) {
        srv_reply_error(out, 404, "no such admin page");
    } else if (!hit) {
        srv_page_error(out, 404, NULL, NULL);
    }
    return hit;
}

/* The cache key of a GET of route r: the path, and for pages that change
 * with the time of day (an event leaves "upcoming" and closes its form when
 * its last day ends, which is on a quarter hour UTC in every zone; the form
 * token changes every hour) the current quarter hour. */
static int cache_key(const srv_req *req, const srv_route *r, char *key, size_t size)
{
    int n;

    if (!(r->flags & SRV_CACHED) || method_bit(req) != SRV_GET)
        return 0;
    if (r->flags & SRV_CACHED_BY_CLOCK)
        n = snprintf(key, size, "%s|%ld", req->path, (long)(time(NULL) / 900));
    else
        n = snprintf(key, size, "%s", req->path);
    return n > 0 && (size_t)n < size;
}

/* The reply to req in *r; 1 when it comes from (or went into) the cache,
 * with its ETag in etag. */
static int build(srv_req *req, srv_reply *r, char etag[48])
{
    const srv_route *route = find_route(r, req);
    char key[200];
    long long gen = 0;
    int cached = 0;

    req->route = route;
    if (route && cache_key(req, route, key, sizeof(key))) {
        gen = srv_generation(req->srv);
        cached = srv_cache_get(req->srv, key, gen, r, etag);
        if (!cached) {
            route->handler(r, req);
            if (r->status == 200 && r->conditional) {
                srv_etag(etag, r->body ? r->body : "", r->len);
                srv_cache_put(req->srv, key, gen, r, etag);
                cached = 1;
            }
        }
    } else if (route) {
        route->handler(r, req);
    }
    if (!r->status)
        srv_reply_error(r, 500, "internal error");
    return cached;
}

void srv_answer_build(srv_req *req, srv_reply *out)
{
    char etag[48];

    build(req, out, etag);
}

enum MHD_Result srv_answer(srv_req *req)
{
    srv_reply r = {0};
    char etag[48];
    int cached = build(req, &r, etag);
    enum MHD_Result ok;

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
