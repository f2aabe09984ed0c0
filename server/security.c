/*
 * security.c - hashes, the admin token, form tokens and the same-origin
 * check, and the shape of slugs and tokens accepted in URLs.
 *
 * Admin token: PLANNER_ADMIN_TOKEN when given, else generated once (32
 * random bytes, hex) and printed once; the database keeps only its SHA-256,
 * and a presented token is hashed and compared in constant time.
 *
 * Cross-site form posts: a form POST must carry a form token (an HMAC of the
 * form's purpose and the hour, under a secret kept in the database, valid
 * 24 hours) and, when the browser sends Origin (or else Referer), that
 * origin must be ours. JSON POSTs need Content-Type: application/json, which
 * a cross-site page cannot send without a CORS preflight we never grant.
 */
#include "internal.h"

#include <nettle/hmac.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ADMIN_HASH_KEY "server.admin_token_sha256"
#define FORM_SECRET_KEY "server.form_secret"
#define FORM_TOKEN_HOURS 24

static const char hexdigits[] = "0123456789abcdef";

static int from_hex(unsigned char *out, const char *hex, size_t n)
{
    if (strlen(hex) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *hi = strchr(hexdigits, hex[2 * i]), *lo = strchr(hexdigits, hex[2 * i + 1]);
        if (!hi || !lo || !*hi || !*lo)
            return -1;
        out[i] = (unsigned char)(((hi - hexdigits) << 4) | (lo - hexdigits));
    }
    return 0;
}

void srv_sha256(unsigned char out[SRV_SHA256_SIZE], const void *data, size_t len)
{
    struct sha256_ctx ctx;

    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, SRV_SHA256_SIZE, out);
}

int srv_equal_ct(const unsigned char *a, const unsigned char *b, size_t n)
{
    unsigned char diff = 0;

    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

int srv_admin_setup(pl_server *srv, pl_store *store, pl_error *err)
{
    char token[65], hex[2 * SRV_SHA256_SIZE + 1], *stored = NULL;
    unsigned char hash[SRV_SHA256_SIZE];
    int rc;

    /* The form secret: random once, then kept, so forms survive restarts. */
    if ((rc = pl_random_hex(token, 32)) < 0)
        return pl_error_set(err, rc, "cannot read the system's random source");
    if ((rc = pl_setting_init(&stored, store, FORM_SECRET_KEY, token, err)) < 0)
        return rc;
    rc = from_hex(srv->form_secret, stored, sizeof(srv->form_secret));
    free(stored);
    stored = NULL;
    if (rc < 0)
        return pl_error_set(err, PL_EINVALID, "the stored form secret is damaged");

    if (srv->opts.admin_token && *srv->opts.admin_token) {
        if (strlen(srv->opts.admin_token) < 16)
            return pl_error_set(err, PL_EINVALID,
                                "PLANNER_ADMIN_TOKEN is too short (at least 16 characters)");
        srv_sha256(srv->admin_hash, srv->opts.admin_token, strlen(srv->opts.admin_token));
        return 0;
    }
    if ((rc = pl_random_hex(token, 32)) < 0)
        return pl_error_set(err, rc, "cannot read the system's random source");
    srv_sha256(hash, token, strlen(token));
    pl_hex_encode(hex, hash, sizeof(hash));
    if ((rc = pl_setting_init(&stored, store, ADMIN_HASH_KEY, hex, err)) < 0)
        goto done;
    if (from_hex(srv->admin_hash, stored, sizeof(srv->admin_hash)) < 0) {
        rc = pl_error_set(err, PL_EINVALID, "the stored admin token hash is damaged");
        goto done;
    }
    if (strcmp(stored, hex) == 0 && !(srv->new_admin_token = strdup(token)))
        rc = pl_error_oom(err);
done:
    memset(token, 0, sizeof(token));
    free(stored);
    return rc;
}

int srv_admin_ok(srv_req *req)
{
    const char *auth = srv_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    unsigned char hash[SRV_SHA256_SIZE];

    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
        return 0;
    auth += 7;
    while (*auth == ' ')
        auth++;
    /* Hashing first makes the comparison's time independent of the token. */
    srv_sha256(hash, auth, strlen(auth));
    return srv_equal_ct(hash, req->srv->admin_hash, sizeof(hash));
}

static void form_mac(const pl_server *srv, const char *purpose, long hour, char out[33])
{
    struct hmac_sha256_ctx ctx;
    unsigned char mac[SHA256_DIGEST_SIZE];
    char msg[256];

    snprintf(msg, sizeof(msg), "%s|%ld", purpose, hour);
    hmac_sha256_set_key(&ctx, sizeof(srv->form_secret), srv->form_secret);
    hmac_sha256_update(&ctx, strlen(msg), (const uint8_t *)msg);
    hmac_sha256_digest(&ctx, sizeof(mac), mac);
    pl_hex_encode(out, mac, 16);
}

void srv_form_token(const pl_server *srv, const char *purpose, char out[64])
{
    long hour = (long)(time(NULL) / 3600);
    char mac[33];

    form_mac(srv, purpose, hour, mac);
    snprintf(out, 64, "%ld.%s", hour, mac);
}

int srv_form_token_ok(const pl_server *srv, const char *purpose, const char *token)
{
    long now = (long)(time(NULL) / 3600), hour;
    char *dot, mac[33];

    if (!token)
        return 0;
    hour = strtol(token, &dot, 10);
    if (*dot != '.' || hour > now || hour < now - FORM_TOKEN_HOURS || strlen(dot + 1) != 32)
        return 0;
    form_mac(srv, purpose, hour, mac);
    return srv_equal_ct((const unsigned char *)mac, (const unsigned char *)dot + 1, 32);
}

static int origin_is_ours(srv_req *req, const char *url, size_t len)
{
    const char *host = srv_header(req, MHD_HTTP_HEADER_HOST);
    const char *base = req->srv->base_origin;
    char mine[300];

    if (strlen(base) == len && strncasecmp(url, base, len) == 0)
        return 1;
    /* With --base-url, that is our only origin: the Host header is the
     * client's to choose (and a proxy's to forward). Without it, the
     * address the server was reached at. */
    if (!host || (req->srv->opts.base_url && *req->srv->opts.base_url))
        return 0;
    for (int tls = 0; tls < 2; tls++) {
        snprintf(mine, sizeof(mine), "%s://%s", tls ? "https" : "http", host);
        if (strlen(mine) == len && strncasecmp(url, mine, len) == 0)
            return 1;
    }
    return 0;
}

int srv_same_origin(srv_req *req)
{
    const char *origin = srv_header(req, "Origin");
    const char *referer = srv_header(req, MHD_HTTP_HEADER_REFERER);

    if (origin)
        return origin_is_ours(req, origin, strlen(origin));
    if (referer) {
        const char *p = strstr(referer, "://");
        const char *end = p ? strchr(p + 3, '/') : NULL;
        return origin_is_ours(req, referer, end ? (size_t)(end - referer) : strlen(referer));
    }
    return 1; /* neither sent (privacy settings): the form token decides */
}

int srv_valid_slug(const char *s)
{
    size_t n = 0;

    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '-' ||
              s[n] == '_'))
            return 0;
    return n > 0 && n <= 100;
}

int srv_valid_token(const char *s)
{
    size_t n = 0;

    for (; s[n]; n++)
        if (!strchr(hexdigits, s[n]) || !s[n])
            return 0;
    return n >= 32 && n <= 128;
}
