/*
 * admin.h - private to server/admin_*.c, the back office (docs/admin.md).
 *
 *   admin_session.c   sessions, CSRF, login rate limit: the one place that
 *                     decides who may use /admin
 *   admin_routes.c    the route table and the access rules
 *   admin_html.c      page frame, form fields, errors, in the event's language
 *   admin_events.c    dashboard, event create/edit/duplicate/publish,
 *                     the event's page with its conflicts
 *   admin_sessions.c  an event's sessions and speakers
 *   admin_regs.c      the registrations table and one person's edit
 *   admin_carpool.c   plan, groups, confirm, move, together, exclude/lock,
 *                     the record of changes
 *   admin_allocate.c  ranked workshops: allocate, and the result
 */
#ifndef PL_SERVER_ADMIN_H
#define PL_SERVER_ADMIN_H

#include "internal.h"
#include "lang.h"

#define ADM_COOKIE "planner_admin"
#define ADM_ID_HEX 64 /* a session id: 32 random bytes as hex */

/* One admin request. */
typedef struct adm {
    srv_req *req;
    srv_reply *out;
    int french;        /* the page's language */
    int bearer;        /* authorised by "Authorization: Bearer" (a script) */
    char csrf[65];     /* the session's form token; "" for bearer */
    char args[3][160]; /* the '*' segments of the route, in order */
    /* a form shown again after an error */
    int repost;            /* values come from the posted fields */
    int posted_form;       /* which form of the page was posted (ADM_FORM_...) */
    char err_field[136];   /* field at fault (its name), or "" */
    char err_msg[700];     /* "" when no error */
    int track;             /* edit forms: fields carry the value shown (was-NAME) */
    const char *idp;       /* prefix of the ids of the form being written ("f-") */
    const char *idp_error; /* that of the form posted, for the error summary */
} adm;

enum {
    ADM_FORM_NONE,
    ADM_FORM_EVENT,
    ADM_FORM_DUPLICATE,
    ADM_FORM_PUBLISH,
    ADM_FORM_SESSION,
    ADM_FORM_SPEAKER,
    ADM_FORM_REG,
    ADM_FORM_CARPOOL
};

/* A word of the back office (planner/lang/admin.def) in the page's language. */
#define TX(a, id) pl_lang_text((a)->french ? PL_LANG_FR : PL_LANG_EN, PL_T_##id)

/* ---- admin_session.c ---- */

/* Create a session: *id_out gets the cookie value, csrf_out its form token.
 * Returns 0 or PL_ERROR (no randomness). */
int adm_session_create(pl_server *srv, char id_out[ADM_ID_HEX + 1], char csrf_out[65]);
/* The live session of this cookie value: 1 and its form token in csrf_out,
 * else 0. */
int adm_session_find(pl_server *srv, const char *id, char csrf_out[65]);
void adm_session_drop(pl_server *srv, const char *id);
/* Is another login attempt from addr allowed now? 0: wait retry_s seconds. */
int adm_login_allowed(pl_server *srv, const char *addr, unsigned *retry_s);
void adm_login_failed(pl_server *srv, const char *addr);
void adm_login_succeeded(pl_server *srv, const char *addr);
/* The client's address as text. */
void adm_client_address(srv_req *req, char out[64]);
/* Is the presented admin token right (constant time)? */
int adm_token_ok(pl_server *srv, const char *token);
/* The Set-Cookie value starting (id) or ending (NULL) a session. */
char *adm_cookie(const pl_server *srv, const char *id);
/* Does the POST carry the session's form token and come from our origin? */
int adm_csrf_ok(adm *a);

/* ---- admin_html.c ---- */

void adm_page_start(srv_html *h, adm *a, const char *title, const char *slug);
/* Finish h and answer it with status. */
int adm_page_reply(adm *a, unsigned status, srv_html *h);
/* An error page in the page's language. */
int adm_error(adm *a, unsigned status, const char *message);
/* The same for a core error: its message in the page's language
 * (pl_error_text). */
int adm_fail(adm *a, unsigned status, const pl_error *err);
/* A core message in the page's language, into buf. */
const char *adm_error_text(const adm *a, const pl_error *err, char *buf, size_t size);
/* Opens the scroll region of a wide table (close it with "</div>" after
 * the table): on a narrow screen the table scrolls, not the page. Named by
 * the element label_id (the table's caption), and focusable, so that the
 * keyboard scrolls it too. */
void adm_table_wrap(srv_html *h, const char *label_id);
/* 303 to location (a local path). */
int adm_redirect(adm *a, const char *location);
/* The form's hidden csrf field. */
void adm_csrf_field(srv_html *h, const adm *a);
/* The value a field shows: what was typed when the form comes back after an
 * error, else model (may be NULL). */
const char *adm_value(const adm *a, const char *name, const char *model);
/* What an edit form changed: the posted value of name when it differs from
 * the value the form showed (its was-NAME field; without one, any posted
 * value), else NULL. So an edit changes only what the organiser changed,
 * and keeps a change made meanwhile by someone else. */
const char *adm_changed(const adm *a, const char *name);
/* A labelled input (type "text", "email", "number", "datetime-local"...);
 * hint may be NULL. */
void adm_input(srv_html *h, const adm *a, const char *type, const char *name, const char *label,
               const char *model, const char *hint, int required);
void adm_textarea(srv_html *h, const adm *a, const char *name, const char *label,
                  const char *model);
/* A select of values with labels (parallel NULL-terminated arrays). */
void adm_select(srv_html *h, const adm *a, const char *name, const char *label, const char *model,
                const char *const *values, const char *const *labels);
/* The error summary at the top of a form (nothing without an error). */
void adm_error_summary(srv_html *h, const adm *a);
/* Remember err for the form shown again: the field at fault is the one
 * err's JSON path names ("venue.address" -> venue_address,
 * "sessions[2].start" -> start). */
void adm_set_error(adm *a, const pl_error *err);
/* "YYYY-MM-DDTHH:MM" <-> an <input type=datetime-local> value: the same. */
const char *adm_hhmm(const char *when);
/* A date and time for a person, in the page's language and ev's zone,
 * into buf: when ("YYYY-MM-DDTHH:MM" local, or a UTC instant ending in Z)
 * as "jeudi 12 mars 2026, 09:00"; the event's span as "jeudi 12 mars 2026,
 * 09:00 – 17:00" (both days when it spans two). Text that is not a date is
 * written as it is. Returns buf. Form fields keep the ISO values. */
const char *adm_when(char *buf, size_t size, const adm *a, const pl_event *ev, const char *when);
const char *adm_event_when(char *buf, size_t size, const adm *a, const pl_event *ev);

/* ---- admin_events.c ---- */
int adm_dashboard(adm *a);
int adm_event_new_form(adm *a);
int adm_event_create(adm *a);
int adm_event_page(adm *a);
int adm_event_update(adm *a);
int adm_event_duplicate(adm *a);
int adm_event_publish(adm *a);
int adm_session_add(adm *a);
int adm_session_form(adm *a);
int adm_session_update(adm *a);
int adm_session_cancel(adm *a);
int adm_speaker_add(adm *a);
int adm_speaker_form(adm *a);
int adm_speaker_update(adm *a);
int adm_speaker_remove(adm *a);
/* Load the event args[0] or answer 404; 0 on success. */
int adm_load_event(adm *a, pl_event **out);

/* ---- admin_regs.c ---- */
int adm_regs_table(adm *a);
int adm_reg_form(adm *a);
int adm_reg_update(adm *a);
int adm_reg_cancel(adm *a);
int adm_reg_promote(adm *a);
int adm_reg_resend(adm *a);

/* ---- admin_allocate.c ---- */
/* The event page's "allocate the workshops" form (nothing without a slot
 * of parallel workshops), and its POST: runs it and shows the result. */
void adm_allocate_form(srv_html *h, adm *a, const pl_event *ev);
int adm_allocate(adm *a);

/* ---- admin_import.c ---- */
/* `registrations import` (a dry run first, then for real) and `registrations
 * purge` (a confirmation step) in the browser. */
int adm_import_form(adm *a);
int adm_import(adm *a);
int adm_purge_form(adm *a);
int adm_purge(adm *a);

/* ---- admin_carpool.c ---- */
int adm_carpool_page(adm *a);
int adm_carpool_plan(adm *a);
int adm_carpool_confirm(adm *a);
/* The organiser's changes (docs/admin.md): move, together, exclude/lock. */
int adm_carpool_move(adm *a);
int adm_carpool_together(adm *a);
int adm_carpool_choice(adm *a);

#endif
