/*
 * compose.h - an outbox row (planner/registrations/outbox.h) as the MIME
 * message a person receives, built with GMime 3:
 *
 *   multipart/mixed
 *     multipart/alternative
 *       text/plain; charset=utf-8   (quoted-printable)
 *       text/html; charset=utf-8    (quoted-printable; no external image)
 *     text/calendar; method=PUBLISH (base64): the person's own feed, the
 *       same UIDs as GET /me/TOKEN.ics, so importing it and subscribing
 *       never duplicate (not for announcements)
 *
 * Headers: From (PLANNER_MAIL_FROM), To (the person's name and e-mail),
 * Subject (RFC 2047 when not ASCII), Date, Message-ID <LOCAL@DOMAIN> with
 * the row's local part and the From's domain, Auto-Submitted,
 * Content-Language. Lines end in CRLF. French for French events, English
 * otherwise.
 */
#ifndef PL_MAIL_COMPOSE_H
#define PL_MAIL_COMPOSE_H

#include "config.h"
#include "planner.h"

#include <stddef.h>

/* Builds a person's iCalendar feed from the token of their registration,
 * as pl_server_feed_fn: *out malloc'ed. The default calls calendar/
 * directly; the server passes its own, which holds its libical lock. */
typedef int (*pl_mail_feed_fn)(char **out, size_t *len, pl_store *store, const char *token,
                               const char *base_url, pl_error *err);

typedef struct pl_mail_composer pl_mail_composer;

/* cfg and store are borrowed and must outlive the composer. feed may be
 * NULL (the default). Free with pl_mail_composer_free. */
int pl_mail_composer_new(pl_mail_composer **out, pl_store *store, const pl_mail_config *cfg,
                         pl_mail_feed_fn feed, pl_error *err);
void pl_mail_composer_free(pl_mail_composer *c);

/* The Subject of m, UTF-8 (malloc'ed). */
int pl_mail_subject(char **out, pl_mail_composer *c, const pl_outbox_message *m, pl_error *err);

/*
 * The whole message m as it is sent: *out malloc'ed (free() it), *len
 * bytes, CRLF line ends. Returns 0, PL_ENOTFOUND (the registration or the
 * event is gone), PL_EIO, PL_ENOMEM.
 */
int pl_mail_compose(char **out, size_t *len, pl_mail_composer *c, const pl_outbox_message *m,
                    pl_error *err);

/* The Message-ID of m without brackets, "LOCAL@DOMAIN", into buf. */
void pl_mail_message_id(char *buf, size_t size, const pl_mail_config *cfg,
                        const pl_outbox_message *m);

#endif
