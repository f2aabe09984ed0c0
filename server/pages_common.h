/*
 * pages_common.h - what pages.c (the public pages and the sign-up form)
 * lends to page_me.c (the attendee's page): the page's words, its frame,
 * and the helpers of a form shown again after an error. Private to them.
 */
#ifndef PL_SERVER_PAGES_COMMON_H
#define PL_SERVER_PAGES_COMMON_H

#include "html.h"
#include "internal.h"

/* The words of the public pages in one language. */
typedef struct lang {
    const char *code;
    const char *upcoming, *no_events, *subscribe, *subscribe_all, *subscribe_https, *google_add,
        *google_subscribe, *agenda, *venue, *online, *speakers, *room, *register_title, *name,
        *email, *organization, *origin, *origin_hint, *travel, *travel_none, *travel_drive,
        *travel_ride, *travel_flexible, *seats, *meal, *diet, *breakouts, *none_of_these, *full,
        *places_left, *public_consent, *submit, *event_full, *closed, *your_registration,
        *status_confirmed, *status_waitlisted, *status_cancelled, *your_sessions, *no_sessions,
        *your_feed, *cancel, *cancel_confirm, *back_to_event, *not_found, *error_title,
        *details_public_yes, *details_public_no, *yes, *no, *kinds[6], *cancelled_event,
        *waitlist_note, *capacity_left, *participants, *participants_csv;
} lang;

/* A form refused and shown again: what was posted, and the error. */
typedef struct form_again {
    const srv_req *req; /* the post: its fields */
    const char *field;  /* the field at fault (pl_error's path), or "" */
    const char *msg;    /* the error in the event's language */
} form_again;

/* The words of ev's language; of "en" (English) or anything else (French). */
const lang *pg_lang_of(const pl_event *ev);
const lang *pg_lang_named(const char *code);

/* The page frame (head, style, <main>) and its end. */
void pg_page_start(srv_html *h, const lang *L, const char *title);
void pg_page_end(srv_html *h);

/* "HH:MM" of a stored "YYYY-MM-DDTHH:MM". */
const char *pg_hhmm(const char *when);

/* The subscribe links (webcal, https, Google) of the feed at path. */
void pg_subscribe_links(srv_html *h, const lang *L, const pl_server *srv, const char *path,
                        const char *label);

/* The event's date, time and place (or "online"). */
void pg_when_where(srv_html *h, const lang *L, const pl_event *ev);

/* Can a person choose session s (a workshop not cancelled)? */
int pg_choosable(const pl_session *s);

/* A form shown again: the value typed in field name (NULL when none or no
 * ag), whether value was among its values, " checked" when it was ticked,
 * whether the error is about name; the aria attributes and the message of
 * the field at fault; the summary at the top, linked to the field. */
const char *pg_typed(const form_again *ag, const char *name);
int pg_typed_has(const form_again *ag, const char *name, const char *value);
const char *pg_checked(const form_again *ag, const char *name);
int pg_at_fault(const form_again *ag, const char *name);
void pg_invalid_attrs(srv_html *h, const form_again *ag, const char *name);
void pg_field_error(srv_html *h, const form_again *ag, const char *name);
void pg_form_error_summary(srv_html *h, const pl_event *ev, const form_again *ag,
                           pl_text_id not_saved);

#endif
