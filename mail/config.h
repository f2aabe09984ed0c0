/*
 * config.h - where and how mail is sent, from the environment:
 *
 *   PLANNER_SMTP_URL            smtp://relay.example.org:587 (STARTTLS when
 *                               offered; required with a password, except
 *                               on loopback), smtps://host:465; unset: mail
 *                               waits in the outbox
 *   PLANNER_SMTP_USER           login, when the relay wants AUTH
 *   PLANNER_SMTP_PASSWORD       its password, or
 *   PLANNER_SMTP_PASSWORD_FILE  a file holding it (first line)
 *   PLANNER_MAIL_FROM           "Atelier CEM <atelier@example.org>"
 *   PLANNER_MAIL_RATE           messages per minute at most (default 60;
 *                               0: no limit)
 *   PLANNER_BASE_URL            public address of the pages, for /me/TOKEN
 *
 * The password is read from the environment or a file, never from argv,
 * and is never written to a log, an error message or the database.
 */
#ifndef PL_MAIL_CONFIG_H
#define PL_MAIL_CONFIG_H

#include "planner.h"

typedef struct pl_mail_config {
    char *smtp_url;  /* NULL: no sending */
    char *user;      /* may be NULL */
    char *password;  /* may be NULL; wiped when freed */
    char *from;      /* the From header as given */
    char *from_addr; /* its address alone, for MAIL FROM */
    char *domain;    /* its domain, for Message-IDs */
    char *base_url;  /* no trailing slash */
    int rate_per_minute;
} pl_mail_config;

/*
 * Read the configuration from the environment; base_url (may be NULL)
 * replaces PLANNER_BASE_URL, and without either the pages' default
 * http://127.0.0.1:8080 is used. Returns 0, or PL_EINVALID (a bad From
 * address, an unreadable password file, a bad rate) with the reason in err.
 * Free with pl_mail_config_free.
 */
int pl_mail_config_from_env(pl_mail_config **out, const char *base_url, pl_error *err);
void pl_mail_config_free(pl_mail_config *cfg);

#endif
