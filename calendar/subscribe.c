#include "subscribe.h"
#include "net_guard.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_CONNECT_MS 10000L
#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_MAX_BYTES ((size_t)5 << 20)
#define DEFAULT_REDIRECTS 5L

typedef struct download {
    pl_buf body;
    size_t max;
    int too_big;
    char etag[256];
    char last_modified[128];
} download;

static size_t on_body(char *data, size_t size, size_t n, void *payload)
{
    download *d = payload;

    if (d->body.len + n > d->max) {
        d->too_big = 1;
        return 0; /* aborts the transfer */
    }
    return pl_buf_append(&d->body, data, n) < 0 ? 0 : n * size;
}

/* Copy a header's value (trimmed) into out when name matches. */
static void header_value(const char *line, size_t len, const char *name, char *out, size_t size)
{
    size_t nlen = strlen(name);

    if (len <= nlen || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
        return;
    line += nlen + 1;
    len -= nlen + 1;
    while (len && (*line == ' ' || *line == '\t'))
        line++, len--;
    while (len && isspace((unsigned char)line[len - 1]))
        len--;
    if (len >= size)
        return; /* an absurd validator is not kept */
    memcpy(out, line, len);
    out[len] = '\0';
}

static size_t on_header(char *line, size_t size, size_t n, void *payload)
{
    download *d = payload;

    (void)size;
    /* Each response of a redirect chain starts afresh. */
    if (n > 5 && strncmp(line, "HTTP/", 5) == 0) {
        d->etag[0] = '\0';
        d->last_modified[0] = '\0';
    }
    header_value(line, n, "ETag", d->etag, sizeof(d->etag));
    header_value(line, n, "Last-Modified", d->last_modified, sizeof(d->last_modified));
    return n;
}

static int fetch_error(CURLcode code, const char *url, const char *detail,
                       const pl_subscribe_options *o, size_t max, pl_error *err)
{
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        return pl_error_set(err, PL_EIO, "%s: no complete answer within %ld s; nothing was changed",
                            url, (o->timeout_ms + 999) / 1000);
    case CURLE_TOO_MANY_REDIRECTS:
        return pl_error_set(err, PL_EIO, "%s: more than %ld redirects; nothing was changed", url,
                            o->max_redirects);
    case CURLE_FILESIZE_EXCEEDED:
        return pl_error_set(err, PL_EINVALID,
                            "%s: the feed is larger than %zu bytes; nothing was changed", url, max);
    case CURLE_UNSUPPORTED_PROTOCOL:
        return pl_error_set(err, PL_EINVALID,
                            "%s: only http and https URLs can be subscribed to, and redirects "
                            "only to http and https; nothing was changed",
                            url);
    case CURLE_URL_MALFORMAT:
        return pl_error_set(err, PL_EINVALID, "%s: not a valid URL", url);
    default:
        return pl_error_set(err, PL_EIO, "%s: %s; nothing was changed", url,
                            *detail ? detail : curl_easy_strerror(code));
    }
}

static int is_http(const char *url)
{
    return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
}

char *pl_subscribe_shown_url(const char *url)
{
    const char *host = strstr(url, "://"), *end, *at = NULL;
    pl_buf b = PL_BUF_INIT;

    if (!host)
        return pl_strdup(url);
    host += 3;
    end = host + strcspn(host, "/?#");
    for (const char *p = host; p < end; p++)
        if (*p == '@')
            at = p; /* the last one: a password may hold '@' unescaped */
    pl_buf_append(&b, url, (size_t)(host - url));
    pl_buf_puts(&b, at ? at + 1 : host);
    return pl_buf_detach(&b);
}

/* Download url into d (shown as `shown` in messages: no password). On a
 * 304 *not_modified is set. */
static int fetch(download *d, int *not_modified, const char *url, const char *shown,
                 const pl_external_source *known, const pl_subscribe_options *o, pl_error *err)
{
    pl_net_guard guard = {.allow_private = o->allow_private};
    char errbuf[CURL_ERROR_SIZE] = "", hdr[512];
    struct curl_slist *headers = NULL;
    CURL *curl = curl_easy_init();
    long status = 0;
    CURLcode code;
    int rc = 0;

    if (!curl)
        return pl_error_set(err, PL_ERROR, "cannot start libcurl");
    headers = curl_slist_append(headers, "Accept: text/calendar, */*;q=0.5");
    if (known) {
        if (known->etag && *known->etag) {
            snprintf(hdr, sizeof(hdr), "If-None-Match: %s", known->etag);
            headers = curl_slist_append(headers, hdr);
        }
        if (known->last_modified && *known->last_modified) {
            snprintf(hdr, sizeof(hdr), "If-Modified-Since: %s", known->last_modified);
            headers = curl_slist_append(headers, hdr);
        }
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, o->max_redirects);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)d->max);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "planner/" PL_CALENDAR_VERSION);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, d);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, d);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    pl_net_guard_install(curl, &guard);
    code = curl_easy_perform(curl);
    if (d->too_big)
        code = CURLE_FILESIZE_EXCEEDED;
    if (code != CURLE_OK && guard.refused) {
        rc = pl_error_set(err, PL_EINVALID,
                          "%s: refused: it leads to %s, an address of this machine or of a "
                          "private network; nothing was changed (give --allow-private to "
                          "subscribe to a feed there)",
                          shown, guard.address);
        goto done;
    }
    if (code != CURLE_OK) {
        rc = fetch_error(code, shown, errbuf, o, d->max, err);
        goto done;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (status == 304 && known) {
        *not_modified = 1;
    } else if (status != 200) {
        rc = pl_error_set(err, PL_EIO, "%s: the server answered HTTP %ld; nothing was changed",
                          shown, status);
    }
done:
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return rc;
}

int pl_calendar_subscribe(pl_subscribe_result *out, pl_store *store, const char *url,
                          const pl_subscribe_options *opts, pl_error *err)
{
    pl_subscribe_options o = opts ? *opts : (pl_subscribe_options)PL_SUBSCRIBE_OPTIONS_INIT;
    pl_subscribe_result res;
    pl_external_source *known = NULL, src = {0};
    pl_external_event *events = NULL;
    size_t nevents = 0;
    char *name = NULL, *shown = NULL;
    download d;
    int rc;

    memset(&res, 0, sizeof(res));
    memset(&d, 0, sizeof(d));
    o.connect_timeout_ms = o.connect_timeout_ms > 0 ? o.connect_timeout_ms : DEFAULT_CONNECT_MS;
    o.timeout_ms = o.timeout_ms > 0 ? o.timeout_ms : DEFAULT_TIMEOUT_MS;
    o.max_redirects = o.max_redirects > 0 ? o.max_redirects : DEFAULT_REDIRECTS;
    d.max = o.max_bytes > 0 ? o.max_bytes : DEFAULT_MAX_BYTES;
    /* the URL as stored and shown: without a user name or password */
    if (!(shown = pl_subscribe_shown_url(url))) {
        rc = pl_error_oom(err);
        goto done;
    }
    if (!is_http(url)) {
        rc = pl_error_set(err, PL_EINVALID,
                          "%s: only http and https URLs can be subscribed to; nothing was changed",
                          shown);
        goto done;
    }
    rc = pl_external_source_find(&known, store, shown, err);
    if (rc < 0 && rc != PL_ENOTFOUND)
        goto done;
    if ((rc = fetch(&d, &res.not_modified, url, shown, known, &o, err)) < 0 || res.not_modified)
        goto done;
    if ((rc = pl_calendar_parse_external(&events, &nevents, &name, &res.skipped,
                                         d.body.data ? d.body.data : "", d.body.len, shown, err)) <
        0)
        goto done;
    src.url = shown;
    src.name = name;
    src.etag = d.etag[0] ? d.etag : NULL;
    src.last_modified = d.last_modified[0] ? d.last_modified : NULL;
    rc = pl_external_sync(store, &src, events, nevents, &res.stats, err);
    if (name)
        snprintf(res.name, sizeof(res.name), "%s", name);
done:
    if (rc == 0 && res.not_modified && known && known->name)
        snprintf(res.name, sizeof(res.name), "%s", known->name);
    if (rc == 0 && out)
        *out = res;
    pl_external_list_free(events, nevents);
    pl_external_source_free(known);
    pl_buf_free(&d.body);
    free(name);
    free(shown);
    return rc;
}
