/*
 * smtp.h - delivering built messages over SMTP with libcurl (smtp://,
 * smtps://, STARTTLS, AUTH). One easy handle is kept for a whole run, so
 * libcurl keeps the connection open and every message after the first is
 * MAIL FROM / RCPT TO / DATA on the same session.
 */
#ifndef PL_MAIL_SMTP_H
#define PL_MAIL_SMTP_H

#include "config.h"

#include <stddef.h>

typedef struct pl_smtp pl_smtp;

typedef enum pl_smtp_result {
    PL_SMTP_OK,        /* accepted (250) */
    PL_SMTP_TEMPORARY, /* 4xx, or the connection dropped: try this message again later */
    PL_SMTP_PERMANENT, /* 5xx: this message will never be accepted as it is */
    PL_SMTP_DOWN,      /* cannot connect, TLS or login refused, 421: stop the run */
} pl_smtp_result;

/* cfg is borrowed (its URL must be set) and must outlive the handle.
 * Returns 0 or PL_ENOMEM. Free with pl_smtp_free. */
int pl_smtp_open(pl_smtp **out, const pl_mail_config *cfg, pl_error *err);
void pl_smtp_free(pl_smtp *s);

/*
 * Send data (len bytes, CRLF line ends; dot-stuffing is libcurl's) from
 * the configured sender to the one address to. reply gets the server's
 * last answer ("550 5.1.1 <x@example.org>: no such user") or, when there
 * was none, libcurl's reason ("Couldn't connect to server"): never the
 * password.
 */
pl_smtp_result pl_smtp_send(pl_smtp *s, const char *to, const char *data, size_t len, char *reply,
                            size_t size);

#endif
