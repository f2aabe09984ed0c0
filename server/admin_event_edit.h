/*
 * admin_event_edit.h - what admin_events.c (an event and its page) lends to
 * admin_sessions.c (its sessions and speakers): private to those two.
 */
#ifndef PL_SERVER_ADMIN_EVENT_EDIT_H
#define PL_SERVER_ADMIN_EVENT_EDIT_H

#include "admin.h"
#include "agenda.h"

#include <jansson.h>

/* The agenda's conflicts, the core's rules then the zone's (calendar/). */
typedef struct conflicts {
    pl_conflict *items;
    size_t count;
    size_t blocking;
    const pl_event *ev; /* the event checked, for the sessions' titles */
} conflicts;

void adm_ev_check_agenda(conflicts *out, const pl_event *ev);

/* The conflicts concerning session (all when NULL), as a list. */
void adm_ev_conflict_list(srv_html *h, const adm *a, const conflicts *c, const char *session);

/* Read root back as an event file and save it; the error, if any, is kept
 * in a for the form shown again. With check_conflicts, an agenda with
 * conflicts is refused. */
int adm_ev_save_json(adm *a, json_t *root, int check_conflicts);

/* Set obj[key] from a posted value: NULL leaves it, "" removes it; with
 * number, a value that reads as a whole number is stored as one (else as
 * text, for the event file's own check to refuse). */
int adm_ev_set_field(json_t *obj, const char *key, const char *value, int number);

/* Show the event page again after a failed post of form (status from rc). */
int adm_ev_again(adm *a, int form, int rc);

/* 303 to the event page (at anchor when not NULL), saying it is saved. */
int adm_ev_saved(adm *a, const char *anchor);

/* Load the event and its file; 0, or the error page was answered. */
int adm_ev_begin(adm *a, pl_event **ev, json_t **root);

/* The fields of a session's and of a speaker's form. */
void adm_ev_session_fields(srv_html *h, adm *a, const pl_event *ev, const pl_session *s);
void adm_ev_speaker_fields(srv_html *h, adm *a, const pl_speaker *sp);

#endif
