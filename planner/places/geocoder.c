/*
 * The HTTP geocoder's pure parts: request URLs, reading answers, the cache.
 * The request itself is the caller's fetch callback (see geocoder.h).
 */
#include "geocoder.h"
#include "lang.h"
#include "text.h"
#include "store_private.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_QUERY 256 /* as origin.c: longer text is not an origin */

/* ---- URLs ---------------------------------------------------------------- */

int pl_geocoder_check_url(const char *url, pl_error *err)
{
    size_t scheme;

    if (!url || !*url)
        return pl_error_set(err, PL_EINVALID, "the geocoder URL is empty");
    if (strncasecmp(url, "http://", 7) == 0)
        scheme = 7;
    else if (strncasecmp(url, "https://", 8) == 0)
        scheme = 8;
    else
        return pl_error_set(err, PL_EINVALID,
                            "geocoder URL '%.200s': only http:// and https:// URLs are accepted",
                            url);
    if (!url[scheme] || url[scheme] == '/' || url[scheme] == '?')
        return pl_error_set(err, PL_EINVALID, "geocoder URL '%.200s' has no host", url);
    for (const unsigned char *c = (const unsigned char *)url; *c; c++)
        if (*c <= 0x20 || *c == 0x7F || *c == '#')
            return pl_error_set(err, PL_EINVALID,
                                "geocoder URL '%.200s': spaces, control characters and '#' are "
                                "not allowed (percent-encode them)",
                                url);
    return PL_OK;
}

static int encode(pl_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        int rc;
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
            *c == '-' || *c == '.' || *c == '_' || *c == '~')
            rc = pl_buf_append(b, (const char *)c, 1);
        else
            rc = pl_buf_printf(b, "%%%c%c", hex[*c >> 4], hex[*c & 15]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int pl_geocoder_request_url(char **out, const char *url, const char *query, pl_error *err)
{
    pl_buf b = PL_BUF_INIT;
    const char *slot;
    int rc;

    *out = NULL;
    if ((rc = pl_geocoder_check_url(url, err)) < 0)
        goto done;
    if ((slot = strstr(url, "{q}")) != NULL) {
        rc = pl_buf_append(&b, url, (size_t)(slot - url));
        if (rc == 0)
            rc = encode(&b, query);
        if (rc == 0)
            rc = pl_buf_puts(&b, slot + 3);
    } else {
        size_t n = strlen(url);
        const char *sep = !strchr(url, '?')                          ? "?"
                          : (url[n - 1] == '?' || url[n - 1] == '&') ? ""
                                                                     : "&";
        rc = pl_buf_printf(&b, "%s%sq=", url, sep);
        if (rc == 0)
            rc = encode(&b, query);
        if (rc == 0)
            rc = pl_buf_puts(&b, "&limit=1");
    }
    if (rc < 0 || !(*out = pl_buf_detach(&b)))
        rc = pl_error_oom(err);
done:
    pl_buf_free(&b);
    return rc;
}

/* ---- answers ------------------------------------------------------------- */

/* Copies at most size - 1 bytes of s, not cutting a UTF-8 sequence. */
static void copy_text(char *dst, size_t size, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, s, n);
    dst[n] = '\0';
}

/* A coordinate given as a JSON number or a numeric string (Nominatim). */
static int coordinate(double *out, const json_t *v)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        *out = strtod(s, &end);
        if (end == s || *end)
            return -1;
    } else {
        return -1;
    }
    return isfinite(*out) ? 0 : -1;
}

static int valid_point(double lat, double lon)
{
    return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
}

static int parse_features(pl_geocoder_hit *out, const json_t *features, pl_error *err)
{
    size_t i;
    json_t *f;

    if (!json_is_array(features))
        return pl_error_set(err, PL_EINVALID, "the answer's \"features\" is not an array");
    json_array_foreach(features, i, f)
    {
        const json_t *geom = json_object_get(f, "geometry");
        const json_t *coords = json_object_get(geom, "coordinates");
        const json_t *props = json_object_get(f, "properties");
        const json_t *score = json_object_get(props, "score");
        const char *label = json_string_value(json_object_get(props, "label"));
        double lat, lon;

        if (!label)
            label = json_string_value(json_object_get(props, "display_name"));
        if (!label)
            label = json_string_value(json_object_get(props, "name"));
        if (!json_is_string(json_object_get(geom, "type")) ||
            strcmp(json_string_value(json_object_get(geom, "type")), "Point") != 0)
            continue;
        if (json_array_size(coords) < 2 || coordinate(&lon, json_array_get(coords, 0)) < 0 ||
            coordinate(&lat, json_array_get(coords, 1)) < 0 || !valid_point(lat, lon))
            return pl_error_set(err, PL_EINVALID,
                                "feature %zu of the answer has no valid [lon, lat] coordinates", i);
        if (json_is_number(score) && json_number_value(score) < PL_GEOCODER_MIN_SCORE) {
            char got[32], least[32];
            snprintf(got, sizeof(got), "%.2f", json_number_value(score));
            snprintf(least, sizeof(least), "%.2f", PL_GEOCODER_MIN_SCORE);
            return PL_SAY(err, PL_ENOTFOUND, NULL, GEO_ERR_LOW_SCORE, label ? label : "?", got,
                          least);
        }
        memset(out, 0, sizeof(*out));
        out->lat = lat;
        out->lon = lon;
        copy_text(out->label, sizeof(out->label), label);
        copy_text(out->postcode, sizeof(out->postcode),
                  json_string_value(json_object_get(props, "postcode")));
        copy_text(out->citycode, sizeof(out->citycode),
                  json_string_value(json_object_get(props, "citycode")));
        return PL_OK;
    }
    return PL_SAY(err, PL_ENOTFOUND, NULL, GEO_ERR_NO_PLACE, NULL);
}

static int parse_nominatim(pl_geocoder_hit *out, const json_t *list, pl_error *err)
{
    const json_t *first = json_array_get(list, 0);
    double lat, lon;

    if (!first)
        return PL_SAY(err, PL_ENOTFOUND, NULL, GEO_ERR_NO_PLACE, NULL);
    if (!json_is_object(first) || coordinate(&lat, json_object_get(first, "lat")) < 0 ||
        coordinate(&lon, json_object_get(first, "lon")) < 0 || !valid_point(lat, lon))
        return pl_error_set(err, PL_EINVALID,
                            "the answer's first result has no valid \"lat\" and \"lon\"");
    memset(out, 0, sizeof(*out));
    out->lat = lat;
    out->lon = lon;
    copy_text(out->label, sizeof(out->label),
              json_string_value(json_object_get(first, "display_name")));
    return PL_OK;
}

int pl_geocoder_parse(pl_geocoder_hit *out, const char *body, size_t len, pl_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(body ? body : "", body ? len : 0, JSON_REJECT_DUPLICATES, &jerr);
    int rc;

    if (!root) {
        rc = pl_error_set(err, PL_EINVALID, "the answer is not JSON (line %d: %s)", jerr.line,
                          jerr.text);
        goto done;
    }
    if (json_is_array(root))
        rc = parse_nominatim(out, root, err);
    else if (json_is_object(root) && json_object_get(root, "features"))
        rc = parse_features(out, json_object_get(root, "features"), err);
    else
        rc = pl_error_set(err, PL_EINVALID,
                          "the answer is neither a GeoJSON FeatureCollection (BAN) nor a "
                          "Nominatim result list");
done:
    json_decref(root);
    return rc;
}

/* ---- cache --------------------------------------------------------------- */

/* The cache key of an origin: trimmed, inner white space runs as one space. */
static void query_key(char *out, size_t size, const char *text)
{
    size_t n = 0;
    int space = 0;

    for (const char *c = text ? text : ""; *c && n + 1 < size; c++) {
        if (*c == ' ' || (*c >= '\t' && *c <= '\r')) {
            space = n > 0;
            continue;
        }
        if (space && n + 2 < size)
            out[n++] = ' ';
        space = 0;
        out[n++] = *c;
    }
    out[n] = '\0';
}

static void insee_departement(char out[4], const char *insee)
{
    size_t n = (insee[0] == '9' && (insee[1] == '7' || insee[1] == '8')) ? 3 : 2;

    out[0] = '\0';
    if (strlen(insee) == 5) {
        memcpy(out, insee, n);
        out[n] = '\0';
    }
}

/* Appends to the origin's one-line reason (as origin.c does). */
static void reason_add(pl_origin *o, const char *what)
{
    size_t len = strlen(o->reason);

    snprintf(o->reason + len, sizeof(o->reason) - len, "%s%s", len ? "; " : "", what);
}

int pl_geocoder_lookup(pl_origin *origin, pl_store *store, const char *url, const char *text,
                       pl_error *err)
{
    sqlite3_stmt *st = NULL;
    char key[MAX_QUERY + 1], line[320];
    int rc = PL_ENOTFOUND, s;

    query_key(key, sizeof(key), text);
    if (!*key)
        goto done;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT status, lat, lon, label, postcode, citycode, detail "
                               "FROM geocode_cache WHERE service = ?1 AND query = ?2",
                               err)) < 0)
        goto done;
    pl_store_bind_text(st, 1, url);
    pl_store_bind_text(st, 2, key);
    s = sqlite3_step(st);
    if (s == SQLITE_DONE) {
        reason_add(origin, "not looked up with the geocoder yet");
        rc = PL_ENOTFOUND;
    } else if (s != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read the geocoder cache");
    } else if (strcmp((const char *)sqlite3_column_text(st, 0), "found") == 0) {
        const char *label = (const char *)sqlite3_column_text(st, 3);
        const char *citycode = (const char *)sqlite3_column_text(st, 5);
        origin->guessed = origin->status == PL_ORIGIN_AMBIGUOUS;
        origin->status = PL_ORIGIN_OK;
        origin->precision = PL_ORIGIN_PRECISION_GEOCODER;
        origin->lat = sqlite3_column_double(st, 1);
        origin->lon = sqlite3_column_double(st, 2);
        copy_text(origin->name, sizeof(origin->name), label && *label ? label : key);
        copy_text(origin->postal_code, sizeof(origin->postal_code),
                  (const char *)sqlite3_column_text(st, 4));
        copy_text(origin->insee, sizeof(origin->insee), citycode);
        insee_departement(origin->departement, origin->insee);
        snprintf(line, sizeof(line), "placed by the geocoder: « %.200s »", origin->name);
        reason_add(origin, line);
        rc = PL_OK;
    } else {
        const char *detail = (const char *)sqlite3_column_text(st, 6);
        int none = strcmp((const char *)sqlite3_column_text(st, 0), "none") == 0;
        snprintf(line, sizeof(line), "%s%.200s",
                 none ? "the geocoder found no place: " : "the geocoder could not be asked: ",
                 detail ? detail : "");
        reason_add(origin, line);
        rc = PL_ENOTFOUND;
    }
done:
    sqlite3_finalize(st);
    return rc;
}

/* Stores one answer: status "found" (hit), "none" or "failed" (detail). */
static int cache_put(pl_store *store, const char *url, const char *key, const char *status,
                     const pl_geocoder_hit *hit, const char *detail, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc;

    pl_now_utc(now);
    if ((rc = pl_store_prepare(store, &st,
                               "INSERT OR REPLACE INTO geocode_cache (service, query, status, lat, "
                               "lon, label, postcode, citycode, detail, fetched) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                               err)) < 0)
        goto done;
    pl_store_bind_text(st, 1, url);
    pl_store_bind_text(st, 2, key);
    pl_store_bind_text(st, 3, status);
    if (hit) {
        sqlite3_bind_double(st, 4, hit->lat);
        sqlite3_bind_double(st, 5, hit->lon);
        pl_store_bind_text(st, 6, hit->label);
        pl_store_bind_text(st, 7, hit->postcode[0] ? hit->postcode : NULL);
        pl_store_bind_text(st, 8, hit->citycode[0] ? hit->citycode : NULL);
    }
    pl_store_bind_text(st, 9, detail);
    pl_store_bind_text(st, 10, now);
    rc = pl_store_step(store, st, "cannot write the geocoder cache", err);
done:
    sqlite3_finalize(st);
    return rc < 0 ? rc : PL_OK;
}

/* out: "found", "none" or "failed" as cached for key, "" when not cached. */
static int cache_status(char out[8], pl_store *store, const char *url, const char *key,
                        pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc, s;

    out[0] = '\0';
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT status FROM geocode_cache WHERE service = ?1 AND query = ?2",
                               err)) < 0)
        return rc;
    pl_store_bind_text(st, 1, url);
    pl_store_bind_text(st, 2, key);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        copy_text(out, 8, (const char *)sqlite3_column_text(st, 0));
    else if (s != SQLITE_DONE)
        rc = pl_store_fail(store, err, "cannot read the geocoder cache");
    sqlite3_finalize(st);
    return rc;
}

/* The distinct origins of the event's travellers, sorted. */
static int event_origins(char ***out, size_t *count, pl_store *store, const char *slug,
                         pl_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc, s;

    *out = NULL;
    *count = 0;
    if ((rc = pl_store_prepare(store, &st, "SELECT 1 FROM events WHERE slug = ?1", err)) < 0)
        goto done;
    pl_store_bind_text(st, 1, slug);
    if ((s = sqlite3_step(st)) == SQLITE_DONE) {
        rc = pl_error_set(err, PL_ENOTFOUND, "no event '%s'", slug);
        goto done;
    } else if (s != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read the event");
        goto done;
    }
    sqlite3_finalize(st);
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT DISTINCT r.origin FROM registrations r JOIN events e ON "
                               "e.id = r.event_id WHERE e.slug = ?1 AND r.status = 'confirmed' "
                               "AND r.travel <> 'none' AND r.origin IS NOT NULL ORDER BY 1",
                               err)) < 0)
        goto done;
    pl_store_bind_text(st, 1, slug);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (*count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **n = realloc(*out, ncap * sizeof(*n));
            if (!n) {
                rc = pl_error_oom(err);
                goto done;
            }
            *out = n;
            cap = ncap;
        }
        if (!((*out)[*count] = pl_store_column_text(st, 0))) {
            rc = pl_error_oom(err);
            goto done;
        }
        (*count)++;
    }
    if (s != SQLITE_DONE)
        rc = pl_store_fail(store, err, "cannot read the registrations");
done:
    sqlite3_finalize(st);
    return rc;
}

/* Asks g about one origin and caches the answer. 1: the request failed. */
static int ask(pl_geocoder_stats *stats, pl_store *store, const pl_geocoder *g, const char *key,
               pl_error *err)
{
    pl_error why;
    pl_geocoder_hit hit;
    char *url = NULL, *body = NULL;
    size_t len = 0;
    int rc, failed = 0;

    pl_error_clear(&why);
    if ((rc = pl_geocoder_request_url(&url, g->url, key, err)) < 0)
        goto done;
    stats->requests++;
    rc = g->fetch(&body, &len, url, g->payload, &why);
    if (rc == 0)
        rc = pl_geocoder_parse(&hit, body, len, &why);
    if (rc == PL_OK) {
        stats->found++;
        rc = cache_put(store, g->url, key, "found", &hit, NULL, err);
    } else if (rc == PL_ENOTFOUND) {
        rc = cache_put(store, g->url, key, "none", NULL, why.msg, err);
    } else {
        stats->failed++;
        failed = 1;
        rc = cache_put(store, g->url, key, "failed", NULL, why.msg, err);
    }
done:
    free(url);
    free(body);
    return rc < 0 ? rc : failed;
}

int pl_geocoder_resolve_event(pl_geocoder_stats *stats, pl_store *store, const char *slug,
                              const pl_geocoder *g, pl_error *err)
{
    pl_geocoder_stats local;
    char **origins = NULL;
    size_t n = 0;
    int rc, in_a_row = 0;

    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof(*stats));
    if ((rc = pl_geocoder_check_url(g->url, err)) < 0 ||
        (rc = event_origins(&origins, &n, store, slug, err)) < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        char key[MAX_QUERY + 1], status[8], line[128];
        pl_origin o;

        query_key(key, sizeof(key), origins[i]);
        if (!*key || strlen(origins[i]) > MAX_QUERY || pl_origin_resolve(&o, key) == PL_OK)
            continue;
        stats->asked++;
        if ((rc = cache_status(status, store, g->url, key, err)) < 0)
            goto done;
        if (!strcmp(status, "found") || !strcmp(status, "none")) {
            stats->cached++;
            stats->found += !strcmp(status, "found");
            continue;
        }
        if (!g->fetch)
            continue;
        if (in_a_row >= PL_GEOCODER_MAX_FAILURES) {
            stats->skipped++;
            snprintf(line, sizeof(line), "not asked after %d failed requests in a row",
                     PL_GEOCODER_MAX_FAILURES);
            if ((rc = cache_put(store, g->url, key, "failed", NULL, line, err)) < 0)
                goto done;
            continue;
        }
        if ((rc = ask(stats, store, g, key, err)) < 0)
            goto done;
        in_a_row = rc ? in_a_row + 1 : 0;
    }
    rc = PL_OK;
done:
    for (size_t i = 0; i < n; i++)
        free(origins[i]);
    free(origins);
    return rc;
}
