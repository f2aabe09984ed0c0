/*
 * access_log.c - one line per request on stderr: method, path, status and
 * time. Tokens in /me/ paths are never written, and every byte that could
 * forge a line of its own is escaped.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* A path or method as one log word: MHD hands the path percent-decoded, so
 * a "%0a" in the URL would otherwise start a forged line of its own. Every
 * byte but printable ASCII (spaces, controls, DEL, bytes over 0x7f, which a
 * terminal may read as escape sequences) and the backslash is written as
 * \xHH. */
static void log_path(char *out, size_t size, const char *p)
{
    size_t n = 0;

    for (; *p && n + 5 < size; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7f || c == '\\')
            n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
        else
            out[n++] = (char)c;
    }
    out[n] = '\0';
}

void srv_log_request(const srv_req *req)
{
    const char *p = req->path, *rest;
    char shown[200], method[48];

    if (req->secret_path) { /* /me/TOKEN...: never write the token */
        rest = strpbrk(p + 4, "/.");
        memcpy(shown, "/me/<token>", 12);
        log_path(shown + 11, sizeof(shown) - 11, rest ? rest : "");
    } else {
        log_path(shown, sizeof(shown), p);
    }
    log_path(method, sizeof(method), req->method);
    fprintf(stderr, "planner: %s %s %u %.1fms\n", method, shown, req->status,
            (srv_now_s() - req->started) * 1000.0);
}
