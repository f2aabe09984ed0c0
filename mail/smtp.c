#include "smtp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pl_smtp {
    CURL *curl;
    const pl_mail_config *cfg;
    char errbuf[CURL_ERROR_SIZE];
    char last_reply[512]; /* the server's last line */
    char refusal[512];    /* its last 4xx or 5xx line: after a refusal curl says QUIT */
    const char *data;     /* being uploaded */
    size_t len, pos;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t read_cb(char *buf, size_t size, size_t nitems, void *payload)
{
    pl_smtp *s = payload;
    size_t n = size * nitems, left = s->len - s->pos;

    if (n > left)
        n = left;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return n;
}

/* Keep the server's last answer line (what it said, for the organiser).
 * Only what comes in: what goes out may hold the AUTH exchange. */
static int debug_cb(CURL *curl, curl_infotype type, char *data, size_t size, void *payload)
{
    pl_smtp *s = payload;
    (void)curl;

    if (type != CURLINFO_HEADER_IN || size == 0)
        return 0;
    while (size > 0 && (data[size - 1] == '\n' || data[size - 1] == '\r'))
        size--;
    if (size >= sizeof(s->last_reply))
        size = sizeof(s->last_reply) - 1;
    memcpy(s->last_reply, data, size);
    s->last_reply[size] = '\0';
    if (data[0] == '4' || data[0] == '5')
        memcpy(s->refusal, s->last_reply, size + 1);
    return 0;
}

/* Is the URL's host the machine itself? (Credentials may then go in the
 * clear: the test relay, a local MTA.) */
static int loopback(const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    return strncmp(h, "127.", 4) == 0 || strncmp(h, "localhost", 9) == 0 ||
           strncmp(h, "[::1]", 5) == 0;
}

int pl_smtp_open(pl_smtp **out, const pl_mail_config *cfg, pl_error *err)
{
    pl_smtp *s = calloc(1, sizeof(*s));
    char from[600];

    *out = NULL;
    if (!s)
        return pl_error_oom(err);
    pthread_once(&curl_once, curl_start);
    if (!(s->curl = curl_easy_init())) {
        free(s);
        return pl_error_oom(err);
    }
    s->cfg = cfg;
    snprintf(from, sizeof(from), "<%s>", cfg->from_addr);
    curl_easy_setopt(s->curl, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(s->curl, CURLOPT_READDATA, s);
    curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(s->curl, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(s->curl, CURLOPT_DEBUGFUNCTION, debug_cb);
    curl_easy_setopt(s->curl, CURLOPT_DEBUGDATA, s);
    curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(s->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(s->curl, CURLOPT_LOW_SPEED_TIME, 60L);
    if (strncmp(cfg->smtp_url, "smtp://", 7) == 0)
        curl_easy_setopt(s->curl, CURLOPT_USE_SSL,
                         cfg->password && !loopback(cfg->smtp_url) ? (long)CURLUSESSL_ALL
                                                                   : (long)CURLUSESSL_TRY);
    if (cfg->user)
        curl_easy_setopt(s->curl, CURLOPT_USERNAME, cfg->user);
    if (cfg->password)
        curl_easy_setopt(s->curl, CURLOPT_PASSWORD, cfg->password);
    *out = s;
    return 0;
}

void pl_smtp_free(pl_smtp *s)
{
    if (!s)
        return;
    curl_easy_cleanup(s->curl);
    free(s);
}

pl_smtp_result pl_smtp_send(pl_smtp *s, const char *to, const char *data, size_t len, char *reply,
                            size_t size)
{
    struct curl_slist *rcpt = NULL;
    char addr[300];
    long code = 0;
    CURLcode rc;

    snprintf(addr, sizeof(addr), "<%s>", to);
    if (!(rcpt = curl_slist_append(NULL, addr))) {
        snprintf(reply, size, "out of memory");
        return PL_SMTP_TEMPORARY;
    }
    s->data = data;
    s->len = len;
    s->pos = 0;
    s->errbuf[0] = '\0';
    s->last_reply[0] = '\0';
    s->refusal[0] = '\0';
    curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    rc = curl_easy_perform(s->curl);
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
    curl_slist_free_all(rcpt);
    if (rc == CURLE_OK) {
        snprintf(reply, size, "%s", s->last_reply);
        return PL_SMTP_OK;
    }
    if (s->refusal[0])
        snprintf(reply, size, "%s", s->refusal);
    else
        snprintf(reply, size, "%s", s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc));
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_LOGIN_DENIED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return PL_SMTP_DOWN;
    default:
        break;
    }
    if (s->refusal[0])
        code = atol(s->refusal);
    if (code == 421)
        return PL_SMTP_DOWN;
    if (code >= 500 && code < 600)
        return PL_SMTP_PERMANENT;
    return PL_SMTP_TEMPORARY;
}
