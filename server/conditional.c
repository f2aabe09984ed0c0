/*
 * conditional.c - ETags and conditional GET (RFC 9110 section 13): a
 * client that already holds the current bytes gets 304 and no body.
 */
#define _XOPEN_SOURCE 700 /* strptime */
#include "internal.h"

#include <string.h>
#include <time.h>

void srv_etag(char out[48], const char *body, size_t len)
{
    unsigned char h[SRV_SHA256_SIZE];

    srv_sha256(h, body, len);
    out[0] = '"';
    pl_hex_encode(out + 1, h, 20);
    out[41] = '"';
    out[42] = '\0';
}

time_t srv_stamp_time(const char *s) /* "YYYY-MM-DDTHH:MM:SSZ" */
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

int srv_not_modified(srv_req *req, const char *etag, time_t modified)
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
