/*
 * geocoder.h - an optional HTTP geocoder for the origins the gazetteer
 * cannot place (unknown or ambiguous), with its answers cached in SQLite.
 *
 * The user gives a search URL of a BAN-compatible service (GeoJSON
 * FeatureCollection: api-adresse / Géoplateforme, Photon, Nominatim with
 * format=geojson) or a Nominatim-compatible one (a JSON array of
 * {"lat", "lon", "display_name"}). The origin is sent as `q`, with
 * `limit=1`, appended to the URL's own parameters; a URL holding `{q}` gets
 * the query there instead.
 *
 * The core makes no network I/O: requests go through a caller-supplied
 * pl_geocoder_fetch_fn (the CLI wires calendar/http_fetch.h, a libcurl one
 * with timeouts, a size cap, a rate limit and a User-Agent). What the core
 * does: build the request URL, read the answer, cache it (table
 * geocode_cache, keyed by the search URL and the origin as typed) and turn
 * it into a pl_origin of precision PL_ORIGIN_PRECISION_GEOCODER.
 *
 * Cached: a place found, and "no place" (a valid empty answer). A failed
 * request (network, HTTP status, bad body) is remembered with its reason, to
 * explain the unresolved origin, and asked again next time.
 */
#ifndef PL_GEOCODER_H
#define PL_GEOCODER_H

#include "error.h"
#include "origin.h"
#include "store.h"

#include <stddef.h>

/*
 * Fetch url (GET) into *out (malloc'ed, NUL-terminated, owned by the
 * caller) and *out_len. Returns 0; PL_EIO for a network failure, a timeout
 * or an HTTP status other than 200; PL_EINVALID for a body over the size
 * cap. The message goes into err.
 */
typedef int (*pl_geocoder_fetch_fn)(char **out, size_t *out_len, const char *url, void *payload,
                                    pl_error *err);

typedef struct pl_geocoder {
    const char *url;            /* the user's search URL (borrowed) */
    pl_geocoder_fetch_fn fetch; /* NULL: answer from the cache only */
    void *payload;              /* passed to fetch */
} pl_geocoder;

/* What a run of pl_geocoder_resolve_event did. */
typedef struct pl_geocoder_stats {
    size_t asked;    /* distinct origins the gazetteer could not place */
    size_t cached;   /* of which answered from the cache, with no request */
    size_t requests; /* HTTP requests made */
    size_t found;    /* of asked, now placed by the geocoder */
    size_t failed;   /* requests that failed (network, HTTP, body) */
    size_t skipped;  /* not asked: the geocoder had failed too often in a row */
} pl_geocoder_stats;

/* A place read from a geocoder's answer. */
typedef struct pl_geocoder_hit {
    double lat, lon;
    char label[96];   /* "8 Boulevard du Port 80000 Amiens", UTF-8, cut */
    char postcode[6]; /* BAN only; "" otherwise */
    char citycode[6]; /* BAN's INSEE code; "" otherwise */
} pl_geocoder_hit;

/* Answers below this BAN `score` (0..1) are taken as no place. */
#define PL_GEOCODER_MIN_SCORE 0.4
/* Consecutive failed requests after which a run stops asking. */
#define PL_GEOCODER_MAX_FAILURES 3

/* PL_EINVALID unless url is an http:// or https:// URL without a fragment,
 * spaces or control characters. */
int pl_geocoder_check_url(const char *url, pl_error *err);

/*
 * The request URL for the origin `query`: url with q=<query, percent-
 * encoded>&limit=1 appended (after '?' or '&'), or with `{q}` replaced.
 * *out is malloc'ed (free()). PL_EINVALID for a bad url.
 */
int pl_geocoder_request_url(char **out, const char *url, const char *query, pl_error *err);

/*
 * Read a geocoder's answer: a GeoJSON FeatureCollection (first Point
 * feature; properties label/display_name/name, postcode, citycode, score)
 * or a Nominatim JSON array (first element's lat, lon, display_name).
 * Returns PL_OK with *out filled, PL_ENOTFOUND when the answer holds no
 * place (or only one whose score is below PL_GEOCODER_MIN_SCORE; err says
 * so), PL_EINVALID when the body is neither (err says what is wrong).
 */
int pl_geocoder_parse(pl_geocoder_hit *out, const char *body, size_t len, pl_error *err);

/*
 * Complete `origin`, the gazetteer's answer for `text` (status UNKNOWN or
 * AMBIGUOUS), from the cache of url: a cached place makes it PL_ORIGIN_OK
 * with precision GEOCODER and the service's label as name; a cached "no
 * place" or failure adds why to its reason. Never makes a request.
 * Returns PL_OK when origin now has a point, PL_ENOTFOUND when not (also
 * when nothing is cached), PL_EIO.
 */
int pl_geocoder_lookup(pl_origin *origin, pl_store *store, const char *url, const char *text,
                       pl_error *err);

/*
 * Ask g about every origin of event `slug`'s confirmed registrations that
 * travel which the gazetteer cannot place and the cache cannot answer, and
 * cache the answers, one request at a time (g->fetch paces them). After
 * PL_GEOCODER_MAX_FAILURES failed requests in a row the rest are not asked
 * (remembered as such). Run it outside any transaction: each answer is
 * stored as it comes. stats may be NULL.
 * Returns PL_OK (failed requests are not an error: they are counted and
 * remembered), PL_ENOTFOUND (no such event), PL_EINVALID (bad g->url),
 * PL_EIO (database).
 */
int pl_geocoder_resolve_event(pl_geocoder_stats *stats, pl_store *store, const char *slug,
                              const pl_geocoder *g, pl_error *err);

#endif
