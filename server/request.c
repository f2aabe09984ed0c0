/*
 * request.c - what a request carries: its headers, and its body read as
 * form fields (urlencoded or multipart, through MHD's post processor) or
 * kept whole (JSON). The bottom of the server's layers: it uses nothing
 * else of server/.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *filename, const char *content_type,
                                const char *transfer_encoding, const char *data, uint64_t off,
                                size_t size)
{
    srv_req *req = cls;
    srv_field *f = NULL;

    (void)kind, (void)filename, (void)content_type, (void)transfer_encoding;
    /* MHD hands a multipart part whose Content-Disposition it could not
     * read (no name) with no key: a malformed form (found by fuzz_http). */
    if (!key) {
        req->body_error = MHD_HTTP_BAD_REQUEST;
        return MHD_NO;
    }
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

/* The back office's CSV import takes a file: a larger body on that path
 * only (the route still needs the organiser's credentials). */
static size_t body_limit(const srv_req *req)
{
    size_t n = strlen(req->path);
    if (strncmp(req->path, "/admin/e/", 9) == 0 && n > 16 &&
        strcmp(req->path + n - 7, "/import") == 0 && req->srv->opts.max_body < SRV_IMPORT_MAX_BODY)
        return SRV_IMPORT_MAX_BODY;
    return req->srv->opts.max_body;
}

unsigned srv_body_start(srv_req *req)
{
    const char *ct = srv_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    const char *cl = srv_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);

    /* A known length lets a too large body be refused before it is sent;
     * browsers and HTTP clients always send one for a form or JSON. */
    if (!cl)
        return MHD_HTTP_LENGTH_REQUIRED;
    if (strtoull(cl, NULL, 10) > body_limit(req))
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

unsigned srv_body_feed(srv_req *req, const char *data, size_t size)
{
    req->body_size += size;
    if (req->body_size > body_limit(req))
        return MHD_HTTP_CONTENT_TOO_LARGE;
    if (req->body_kind == BODY_JSON && pl_buf_append(&req->body, data, size) < 0)
        return MHD_HTTP_INTERNAL_SERVER_ERROR;
    if (req->body_kind == BODY_FORM && MHD_post_process(req->pp, data, size) != MHD_YES)
        return req->body_error ? (unsigned)req->body_error : MHD_HTTP_BAD_REQUEST;
    return 0;
}

void srv_req_free(srv_req *req)
{
    if (!req)
        return;
    if (req->pp)
        MHD_destroy_post_processor(req->pp);
    for (size_t i = 0; i < req->nfields; i++) {
        free(req->fields[i].key);
        pl_buf_free(&req->fields[i].value);
    }
    pl_buf_free(&req->body);
    free(req->path);
    free(req);
}
