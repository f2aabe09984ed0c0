/*
 * html.h - the server's output templating: one printf-like function whose
 * directives escape each value for the context it lands in.
 *
 *   %s  trusted literal (our own markup), copied as is
 *   %t  HTML text: & < > " ' escaped
 *   %a  attribute value (inside double quotes): the same escaping
 *   %u  URL component: every byte but A-Z a-z 0-9 - . _ ~ percent-encoded
 *   %U  URL in an href/src attribute: only http, https, webcal, mailto or a
 *       path starting with "/" pass (anything else becomes "#"), then it is
 *       attribute-escaped
 *   %d  int, %z size_t, %%  a percent sign
 *
 * A NULL string prints nothing. Errors (out of memory) are sticky: check
 * out->failed once at the end.
 */
#ifndef PL_SERVER_HTML_H
#define PL_SERVER_HTML_H

#include "text.h"

#include <stddef.h>

typedef struct srv_html {
    pl_buf buf;
    int failed;
} srv_html;

void srv_html_emit(srv_html *out, const char *fmt, ...);

/* The escapers on their own, appending to b; they return 0 or PL_ERROR. */
int srv_escape_html(pl_buf *b, const char *s);
int srv_escape_url_component(pl_buf *b, const char *s);
/* Is url safe to put in an href (see %U)? */
int srv_url_is_safe(const char *url);

#endif
