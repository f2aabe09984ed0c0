#include "http_fetch.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_CONNECT_MS 5000L
#define DEFAULT_TIMEOUT_MS 10000L
#define DEFAULT_MAX_BYTES ((size_t)256 << 10)
#define DEFAULT_RATE 10.0
#define MAX_REDIRECTS 3L

typedef struct body {
    pl_buf buf;
    size_t max;
    int too_big;
} body;

static size_t on_data(char *data, size_t size, size_t n, void *payload)
{
    body *b = payload;

    (void)size; /* always 1 */
    if (b->buf.len + n > b->max) {
        b->too_big = 1;
        return 0; /* aborts the transfer */
    }
    return pl_buf_append(&b->buf, data, n) < 0 ? 0 : n;
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits until 1 / max_rate seconds have passed since the last request. */
static void pace(pl_http_fetcher *f)
{
    double rate = f->max_rate > 0 ? f->max_rate : DEFAULT_RATE;
    double wait = f->last > 0 ? f->last + 1.0 / rate - now_seconds() : 0;

    if (wait > 0) {
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        while (nanosleep(&ts, &ts) != 0)
            ;
    }
    f->last = now_seconds();
}

/* "http://host:port" of url, for messages (the query may be personal). */
static void url_host(char *out, size_t size, const char *url)
{
    const char *s = strstr(url, "://");
    size_t n = s ? strcspn(s + 3, "/?#") + (size_t)(s + 3 - url) : strlen(url);

    snprintf(out, size, "%.*s", (int)(n < 200 ? n : 200), url);
}

int pl_http_fetch(char **out, size_t *out_len, const char *url, void *payload, pl_error *err)
{
    pl_http_fetcher *f = payload;
    body b = {PL_BUF_INIT, f->max_bytes ? f->max_bytes : DEFAULT_MAX_BYTES, 0};
    char errbuf[CURL_ERROR_SIZE] = "", host[256];
    struct curl_slist *headers = NULL;
    CURL *curl = curl_easy_init();
    long status = 0, timeout = f->timeout_ms ? f->timeout_ms : DEFAULT_TIMEOUT_MS;
    CURLcode code;
    int rc = 0;

    *out = NULL;
    *out_len = 0;
    url_host(host, sizeof(host), url);
    if (!curl) {
        rc = pl_error_set(err, PL_ERROR, "cannot start libcurl");
        goto done;
    }
    headers =
        curl_slist_append(headers, "Accept: application/json, application/geo+json, */*;q=0.5");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, MAX_REDIRECTS);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     f->connect_timeout_ms ? f->connect_timeout_ms : DEFAULT_CONNECT_MS);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)b.max);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_USERAGENT,
                     "planner/" PL_CALENDAR_VERSION " (carpool planning; origins geocoding)");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    pace(f);
    code = curl_easy_perform(curl);
    if (b.too_big || code == CURLE_FILESIZE_EXCEEDED) {
        rc = pl_error_set(err, PL_EINVALID, "%s: the answer is larger than %zu bytes", host, b.max);
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
        rc = pl_error_set(err, PL_EIO, "%s: no answer within %ld s", host, (timeout + 999) / 1000);
    } else if (code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT) {
        rc = pl_error_set(err, PL_EINVALID, "%s: not an http or https URL", host);
    } else if (code != CURLE_OK) {
        rc = pl_error_set(err, PL_EIO, "%s: %s", host, *errbuf ? errbuf : curl_easy_strerror(code));
    } else if (curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status), status != 200) {
        rc = pl_error_set(err, PL_EIO, "%s: the server answered HTTP %ld", host, status);
    } else {
        *out_len = b.buf.len;
        if (!(*out = pl_buf_detach(&b.buf))) {
            *out_len = 0;
            rc = pl_error_oom(err);
        }
    }
done:
    pl_buf_free(&b.buf);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return rc;
}
