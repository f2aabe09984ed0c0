/*
 * mail.h - the mail library's umbrella header: messages to attendees from
 * the outbox (planner/registrations/outbox.h), built as MIME with GMime
 * (compose.h), sent over SMTP with libcurl (smtp.h), the sending run, the
 * reminders and the background sender (sender.h), configured from the
 * environment (config.h). See docs/mail.md.
 */
#ifndef PL_MAIL_H
#define PL_MAIL_H

#include "config.h"
#include "compose.h"
#include "smtp.h"
#include "sender.h"

#endif
