#include "html.h"
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int srv_escape_html(pl_buf *b, const char *s)
{
    const char *run = s;
    int rc = 0;

    if (!s)
        return 0;
    for (; *s && rc == 0; s++) {
        const char *rep;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        rc = pl_buf_append(b, run, (size_t)(s - run));
        if (rc == 0)
            rc = pl_buf_puts(b, rep);
        run = s + 1;
    }
    if (rc == 0)
        rc = pl_buf_append(b, run, (size_t)(s - run));
    return rc;
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int srv_escape_url_component(pl_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;

    if (!s)
        return 0;
    for (; *s && rc == 0; s++) {
        unsigned char c = (unsigned char)*s;
        if (unreserved(c)) {
            rc = pl_buf_append(b, s, 1);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = pl_buf_append(b, esc, 3);
        }
    }
    return rc;
}

int srv_url_is_safe(const char *url)
{
    static const char *const schemes[] = {"http://", "https://", "webcal://", "mailto:"};

    if (!url)
        return 0;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return 0;
    if (url[0] == '/')
        return url[1] != '/' && url[1] != '\\'; /* not protocol-relative */
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
        if (strncasecmp(url, schemes[i], strlen(schemes[i])) == 0)
            return 1;
    return 0;
}

void srv_html_emit(srv_html *out, const char *fmt, ...)
{
    va_list ap;
    const char *run = fmt;
    int rc = 0;

    va_start(ap, fmt);
    for (const char *p = fmt; *p && rc == 0; p++) {
        if (*p != '%')
            continue;
        rc = pl_buf_append(&out->buf, run, (size_t)(p - run));
        if (rc < 0 || !*++p)
            break;
        switch (*p) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s)
                rc = pl_buf_puts(&out->buf, s);
            break;
        }
        case 't':
        case 'a':
            rc = srv_escape_html(&out->buf, va_arg(ap, const char *));
            break;
        case 'u':
            rc = srv_escape_url_component(&out->buf, va_arg(ap, const char *));
            break;
        case 'U': {
            const char *u = va_arg(ap, const char *);
            rc = srv_escape_html(&out->buf, srv_url_is_safe(u) ? u : "#");
            break;
        }
        case 'd':
            rc = pl_buf_printf(&out->buf, "%d", va_arg(ap, int));
            break;
        case 'z':
            rc = pl_buf_printf(&out->buf, "%zu", va_arg(ap, size_t));
            break;
        default: /* "%%" and anything unknown: the character itself */
            rc = pl_buf_append(&out->buf, p, 1);
        }
        run = p + 1;
    }
    if (rc == 0 && *run && run >= fmt)
        rc = pl_buf_puts(&out->buf, run);
    va_end(ap);
    if (rc < 0)
        out->failed = 1;
}
