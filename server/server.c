/*
 * server.c - the daemon: options, worker threads and their database
 * connections, routing, the reply cache, conditional GET, the access log and
 * graceful shutdown.
 */
#define _XOPEN_SOURCE 700 /* strptime */
#include "internal.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---- small helpers ---------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *srv_header(srv_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *srv_field_get(const srv_req *req, const char *key)
{
    for (size_t i = 0; i < req->nfields; i++)
        if (strcmp(req->fields[i].key, key) == 0)
            return req->fields[i].value.data ? req->fields[i].value.data : "";
    return NULL;
}

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

/* ---- the database: one connection per worker thread ------------------ */

static void free_thread_store(void *p)
{
    pl_store_free(p);
}

static pl_store *thread_store(pl_server *srv, pl_error *err)
{
    pl_store *store = pthread_getspecific(srv->tls);

    if (store)
        return store;
    if (pl_store_open(&store, srv->db_path, 0, err) < 0)
        return NULL;
    pthread_setspecific(srv->tls, store);
    return store;
}

/*
 * The reply cache is valid for one generation. pl_store_data_version on a
 * dedicated connection moves whenever any other connection (a worker, or the
 * command line in another process) commits, so the cache never serves bytes
 * older than the database.
 */
long long srv_generation(pl_server *srv)
{
    long long v;

    pthread_mutex_lock(&srv->watch_lock);
    if (pl_store_data_version(&v, srv->watch, NULL) == 0) {
        if (v != srv->watch_version) {
            srv->watch_version = v;
            atomic_fetch_add(&srv->generation, 1);
        }
    } else {
        atomic_fetch_add(&srv->generation, 1); /* cannot tell: assume a change */
    }
    pthread_mutex_unlock(&srv->watch_lock);
    return atomic_load(&srv->generation);
}

void srv_changed(pl_server *srv)
{
    atomic_fetch_add(&srv->generation, 1);
}

/* ---- the reply cache (public GETs only) ------------------------------- */

#define CACHE_SLOTS 64

typedef struct cache_entry {
    char key[200];
    long long generation;
    unsigned long long used;
    char *body;
    size_t len;
    const char *type;
    const char *cache_control;
    char etag[48];
    char modified[32];
} cache_entry;

struct srv_cache {
    pthread_rwlock_t lock;
    unsigned long long clock;
    cache_entry slots[CACHE_SLOTS];
};

static void make_etag(char out[48], const char *body, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char h[SRV_SHA256_SIZE];
    size_t n = 0;

    srv_sha256(h, body, len);
    out[n++] = '"';
    for (int i = 0; i < 20; i++) {
        out[n++] = hex[h[i] >> 4];
        out[n++] = hex[h[i] & 15];
    }
    out[n++] = '"';
    out[n] = '\0';
}

/* Copy a fresh entry for key into *out (body malloc'ed). 1 on a hit. */
static int cache_get(pl_server *srv, const char *key, long long gen, srv_reply *out, char etag[48])
{
    struct srv_cache *c = srv->cache;
    int hit = 0;

    pthread_rwlock_rdlock(&c->lock);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        cache_entry *e = &c->slots[i];
        if (e->body && e->generation == gen && strcmp(e->key, key) == 0) {
            out->body = malloc(e->len ? e->len : 1);
            if (out->body) {
                memcpy(out->body, e->body, e->len);
                out->len = e->len;
                out->status = 200;
                out->type = e->type;
                out->cache_control = e->cache_control;
                out->conditional = 1;
                memcpy(out->modified, e->modified, sizeof(out->modified));
                memcpy(etag, e->etag, 48);
                e->used = ++c->clock; /* a benign race under the read lock */
                hit = 1;
            }
            break;
        }
    }
    pthread_rwlock_unlock(&c->lock);
    return hit;
}

static void cache_put(pl_server *srv, const char *key, long long gen, const srv_reply *r,
                      const char etag[48])
{
    struct srv_cache *c = srv->cache;
    cache_entry *victim = NULL;
    char *copy = malloc(r->len ? r->len : 1);

    if (!copy || strlen(key) >= sizeof(victim->key)) {
        free(copy);
        return;
    }
    memcpy(copy, r->body, r->len);
    pthread_rwlock_wrlock(&c->lock);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        cache_entry *e = &c->slots[i];
        if (e->body && strcmp(e->key, key) == 0) {
            victim = e;
            break;
        }
        if (!victim || !e->body || (victim->body && e->used < victim->used))
            victim = e;
    }
    free(victim->body);
    snprintf(victim->key, sizeof(victim->key), "%s", key);
    victim->generation = gen;
    victim->used = ++c->clock;
    victim->body = copy;
    victim->len = r->len;
    victim->type = r->type;
    victim->cache_control = r->cache_control;
    memcpy(victim->etag, etag, 48);
    memcpy(victim->modified, r->modified, sizeof(victim->modified));
    pthread_rwlock_unlock(&c->lock);
}

/* ---- conditional GET --------------------------------------------------- */

static time_t parse_stamp(const char *s) /* "YYYY-MM-DDTHH:MM:SSZ" */
{
    struct tm tm = {0};

    if (!s || !*s || !strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return (time_t)-1;
    return timegm(&tm);
}

static time_t parse_http_date(const char *s)
{
    struct tm tm = {0};
    const char *end;

    if (!s)
        return (time_t)-1;
    end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end)
        return (time_t)-1;
    return timegm(&tm);
}

/* Does an If-None-Match list name etag (weak comparison, RFC 9110 13.1.2)? */
static int etag_matches(const char *list, const char *etag)
{
    size_t n = strlen(etag);

    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (*p == '*')
            return 1;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return 1;
        while (*p && *p != ',')
            p++;
    }
    return 0;
}

static int not_modified(srv_req *req, const char *etag, time_t modified)
{
    const char *inm = srv_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
    const char *ims;
    time_t since;

    if (inm) /* If-None-Match wins; If-Modified-Since is then ignored */
        return etag_matches(inm, etag);
    ims = srv_header(req, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
    if (!ims || modified == (time_t)-1 || (since = parse_http_date(ims)) == (time_t)-1)
        return 0;
    return modified <= since;
}

/* ---- routing ----------------------------------------------------------- */

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

/* ---- turning a reply into an HTTP response ---------------------------- */

static void format_http_date(char out[40], time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static enum MHD_Result send_reply(srv_req *req, srv_reply *r, const char *etag_in)
{
    struct MHD_Response *resp;
    char etag[48] = "", lm[40] = "";
    time_t modified = parse_stamp(r->modified);
    unsigned status = r->status;
    enum MHD_Result ok;

    if (r->conditional && status == 200) {
        if (etag_in)
            memcpy(etag, etag_in, sizeof(etag));
        else
            make_etag(etag, r->body ? r->body : "", r->len);
        if (modified != (time_t)-1)
            format_http_date(lm, modified);
        if (not_modified(req, etag, modified))
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
    if (r->disposition && status == 200)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, r->disposition);
    if (status == 401)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Bearer realm=\"planner admin\"");
    if (status == 503)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
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

static void reply_free(srv_reply *r)
{
    free(r->body);
    free(r->location);
    free(r->disposition);
    if (r->has_fd)
        close(r->fd);
}

static enum MHD_Result answer(srv_req *req)
{
    srv_reply r = {0};
    char key[200], etag[48];
    long long gen = 0;
    int cached = 0;
    pl_error err;
    enum MHD_Result ok;

    if (!(req->store = thread_store(req->srv, &err))) {
        char buf[700];
        fprintf(stderr, "planner: %s\n", pl_error_format(&err, buf, sizeof(buf)));
        srv_reply_error(&r, 503, "the database is not available");
    } else if (cache_key(req, key, sizeof(key))) {
        gen = srv_generation(req->srv);
        cached = cache_get(req->srv, key, gen, &r, etag);
        if (!cached) {
            route(&r, req);
            if (r.status == 200 && r.conditional) {
                make_etag(etag, r.body ? r.body : "", r.len);
                cache_put(req->srv, key, gen, &r, etag);
                cached = 1;
            }
        }
    } else {
        route(&r, req);
    }
    if (!r.status)
        srv_reply_error(&r, 500, "internal error");
    ok = send_reply(req, &r, cached ? etag : NULL);
    reply_free(&r);
    return ok;
}

/* ---- request bodies ----------------------------------------------------- */

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *filename, const char *content_type,
                                const char *transfer_encoding, const char *data, uint64_t off,
                                size_t size)
{
    srv_req *req = cls;
    srv_field *f = NULL;

    (void)kind, (void)filename, (void)content_type, (void)transfer_encoding;
    /* A value arrives in pieces; a new piece at offset 0 starts a new field. */
    if (off == 0 || req->nfields == 0 || strcmp(req->fields[req->nfields - 1].key, key) != 0) {
        if (req->nfields >= sizeof(req->fields) / sizeof(req->fields[0])) {
            req->body_error = MHD_HTTP_CONTENT_TOO_LARGE;
            return MHD_NO;
        }
        f = &req->fields[req->nfields];
        if (!(f->key = strdup(key)))
            return MHD_NO;
        f->value = (pl_buf)PL_BUF_INIT;
        req->nfields++;
    } else {
        f = &req->fields[req->nfields - 1];
    }
    if (pl_buf_append(&f->value, data, size) < 0)
        return MHD_NO;
    return MHD_YES;
}

static int content_type_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* First sight of a POST: decide how to read its body, or refuse it. */
static unsigned body_start(srv_req *req)
{
    const char *ct = srv_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    const char *cl = srv_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);

    /* A known length lets a too large body be refused before it is sent;
     * browsers and HTTP clients always send one for a form or JSON. */
    if (!cl)
        return MHD_HTTP_LENGTH_REQUIRED;
    if (strtoull(cl, NULL, 10) > req->srv->opts.max_body)
        return MHD_HTTP_CONTENT_TOO_LARGE;
    if (content_type_is(ct, "application/json")) {
        req->body_kind = BODY_JSON;
        return 0;
    }
    if (content_type_is(ct, "application/x-www-form-urlencoded") ||
        content_type_is(ct, "multipart/form-data")) {
        req->pp = MHD_create_post_processor(req->conn, 4096, on_field, req);
        if (!req->pp)
            return MHD_HTTP_BAD_REQUEST;
        req->body_kind = BODY_FORM;
        return 0;
    }
    return MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
}

static unsigned body_feed(srv_req *req, const char *data, size_t size)
{
    req->body_size += size;
    if (req->body_size > req->srv->opts.max_body)
        return MHD_HTTP_CONTENT_TOO_LARGE;
    if (req->body_kind == BODY_JSON && pl_buf_append(&req->body, data, size) < 0)
        return MHD_HTTP_INTERNAL_SERVER_ERROR;
    if (req->body_kind == BODY_FORM && MHD_post_process(req->pp, data, size) != MHD_YES)
        return req->body_error ? (unsigned)req->body_error : MHD_HTTP_BAD_REQUEST;
    return 0;
}

static enum MHD_Result refuse(srv_req *req, unsigned status)
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
    default:
        srv_reply_error(&r, status, "malformed request body");
    }
    ok = send_reply(req, &r, NULL);
    reply_free(&r);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    pl_server *srv = cls;
    srv_req *req = *con_cls;
    unsigned refused;

    (void)version;
    if (!req) {
        if (!(req = calloc(1, sizeof(*req))))
            return MHD_NO;
        req->srv = srv;
        req->conn = conn;
        req->method = method;
        req->is_head = strcmp(method, "HEAD") == 0;
        req->started = now_s();
        /* Before anything can answer: a request refused early (wrong body
         * type, no length, database down) is logged too. */
        req->secret_path = strncmp(url, "/me/", 4) == 0;
        if (!(req->path = strdup(url))) {
            free(req);
            return MHD_NO;
        }
        atomic_fetch_add(&srv->inflight, 1);
        *con_cls = req;
        /* Answer on the next call, once the whole request is in: a reply
         * queued earlier makes MHD close the connection. */
        if (strcmp(method, "POST") == 0 && (refused = body_start(req)) != 0)
            return refuse(req, refused);
        return MHD_YES;
    }
    if (req->answered) { /* refused early: drop the rest of the body */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        refused = body_feed(req, upload_data, *upload_size);
        *upload_size = 0;
        return refused ? refuse(req, refused) : MHD_YES;
    }
    return answer(req);
}

/* The path as one log line: MHD hands it percent-decoded, so a "%0a" in the
 * URL would otherwise start a forged line of its own. */
static void log_path(char *out, size_t size, const char *p)
{
    size_t n = 0;

    for (; *p && n + 5 < size; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f || c == '\\')
            n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
        else
            out[n++] = (char)c;
    }
    out[n] = '\0';
}

static void log_request(const srv_req *req)
{
    const char *p = req->path, *rest;
    char shown[200];

    if (req->secret_path) { /* /me/TOKEN...: never write the token */
        rest = strpbrk(p + 4, "/.");
        memcpy(shown, "/me/<token>", 12);
        log_path(shown + 11, sizeof(shown) - 11, rest ? rest : "");
    } else {
        log_path(shown, sizeof(shown), p);
    }
    fprintf(stderr, "planner: %s %s %u %.1fms\n", req->method, shown, req->status,
            (now_s() - req->started) * 1000.0);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    pl_server *srv = cls;
    srv_req *req = *con_cls;

    (void)conn, (void)toe;
    if (!req)
        return;
    if (srv->opts.access_log)
        log_request(req);
    if (req->pp)
        MHD_destroy_post_processor(req->pp);
    for (size_t i = 0; i < req->nfields; i++) {
        free(req->fields[i].key);
        pl_buf_free(&req->fields[i].value);
    }
    pl_buf_free(&req->body);
    free(req->path);
    free(req);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("planner: http: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* ---- start and stop ----------------------------------------------------- */

static int set_base_url(pl_server *srv, pl_error *err)
{
    const char *b = srv->opts.base_url;
    char buf[300];
    const char *host;
    size_t n;

    if (!b || !*b) {
        host = srv->opts.bind;
        if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0)
            host = "localhost";
        if (strchr(host, ':'))
            snprintf(buf, sizeof(buf), "http://[%s]:%u", host, srv->port);
        else
            snprintf(buf, sizeof(buf), "http://%s:%u", host, srv->port);
        b = buf;
    }
    if (strncmp(b, "http://", 7) != 0 && strncmp(b, "https://", 8) != 0)
        return pl_error_set(err, PL_EINVALID, "--base-url '%s' must start with http:// or https://",
                            b);
    if (!(srv->base_url = strdup(b)))
        return pl_error_oom(err);
    n = strlen(srv->base_url);
    while (n > 0 && srv->base_url[n - 1] == '/')
        srv->base_url[--n] = '\0';
    {
        const char *host_start = strstr(srv->base_url, "://") + 3;
        const char *slash = strchr(host_start, '/');
        size_t len = slash ? (size_t)(slash - srv->base_url) : strlen(srv->base_url);
        if (!(srv->base_origin = strndup(srv->base_url, len)))
            return pl_error_oom(err);
    }
    return 0;
}

const pl_server_feeds *pl_server_default_feeds(void);

int pl_server_start(pl_server **out, const pl_server_options *opts, pl_error *err)
{
    pl_server *srv = NULL;
    pl_store *store = NULL;
    struct sockaddr_storage addr = {0};
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    int rc = 0;

    *out = NULL;
    if (!opts->db_path || !opts->bind)
        return pl_error_set(err, PL_EINVALID, "the server needs a database path and an address");
    if (!(srv = calloc(1, sizeof(*srv))))
        return pl_error_oom(err);
    srv->opts = *opts;
    srv->feeds = opts->feeds ? opts->feeds : pl_server_default_feeds();
    if (srv->opts.threads == 0)
        srv->opts.threads = 1;
    pthread_mutex_init(&srv->watch_lock, NULL);
    if (pthread_key_create(&srv->tls, free_thread_store) != 0) {
        free(srv);
        return pl_error_set(err, PL_ERROR, "cannot create thread-local storage");
    }
    if (!(srv->db_path = strdup(opts->db_path)) || !(srv->cache = calloc(1, sizeof(*srv->cache)))) {
        rc = pl_error_oom(err);
        goto done;
    }
    pthread_rwlock_init(&srv->cache->lock, NULL);
    if (opts->port > 65535) {
        rc = pl_error_set(err, PL_EINVALID, "--port %u is not a TCP port", opts->port);
        goto done;
    }
    if (strchr(opts->bind, ':')) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)opts->port);
        if (inet_pton(AF_INET6, opts->bind, &a6->sin6_addr) != 1)
            rc = -1;
        flags |= MHD_USE_IPv6;
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)opts->port);
        if (inet_pton(AF_INET, opts->bind, &a4->sin_addr) != 1)
            rc = -1;
    }
    if (rc < 0) {
        rc = pl_error_set(err, PL_EINVALID, "--bind '%s' is not an IPv4 or IPv6 address",
                          opts->bind);
        goto done;
    }
    /* The main thread creates and migrates the file, sets up the secrets, and
     * keeps one connection to watch for changes. */
    if ((rc = pl_store_open(&store, srv->db_path, PL_STORE_CREATE, err)) < 0)
        goto done;
    if ((rc = srv_admin_setup(srv, store, err)) < 0)
        goto done;
    srv->watch = store;
    store = NULL;
    srv_generation(srv);

    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)opts->port, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
        mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        srv->opts.threads, MHD_OPTION_CONNECTION_LIMIT, srv->opts.max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv->opts.max_per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
        srv->opts.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, srv->opts.connection_memory,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_END);
    if (!srv->daemon) {
        rc = pl_error_set(err, PL_EIO, "cannot listen on %s port %u (in use, or not allowed?)",
                          opts->bind, opts->port);
        goto done;
    }
    {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
        srv->port = info && info->port ? info->port : opts->port;
    }
    if ((rc = set_base_url(srv, err)) < 0)
        goto done;
    *out = srv;
    srv = NULL;
done:
    pl_store_free(store);
    if (srv)
        pl_server_stop(srv, 0);
    return rc;
}

unsigned pl_server_port(const pl_server *server)
{
    return server->port;
}

const char *pl_server_base_url(const pl_server *server)
{
    return server->base_url;
}

const char *pl_server_new_admin_token(const pl_server *server)
{
    return server->new_admin_token;
}

void pl_server_stop(pl_server *srv, unsigned grace_ms)
{
    if (!srv)
        return;
    if (srv->daemon) {
        MHD_socket listener = MHD_quiesce_daemon(srv->daemon);
        double deadline = now_s() + grace_ms / 1000.0;

        if (listener != MHD_INVALID_SOCKET)
            close(listener);
        /* Requests whose headers have arrived finish; idle keep-alive
         * connections are simply closed by MHD_stop_daemon. */
        while (atomic_load(&srv->inflight) > 0 && now_s() < deadline)
            usleep(5000);
        MHD_stop_daemon(srv->daemon);
    }
    if (srv->cache) {
        for (int i = 0; i < CACHE_SLOTS; i++)
            free(srv->cache->slots[i].body);
        pthread_rwlock_destroy(&srv->cache->lock);
        free(srv->cache);
    }
    pl_store_free(srv->watch);
    pthread_key_delete(srv->tls);
    pthread_mutex_destroy(&srv->watch_lock);
    free(srv->db_path);
    free(srv->base_url);
    free(srv->base_origin);
    if (srv->new_admin_token)
        memset(srv->new_admin_token, 0, strlen(srv->new_admin_token));
    free(srv->new_admin_token);
    free(srv);
}
