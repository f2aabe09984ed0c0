/*
 * admin_sessions.c - an event's sessions and speakers in the back office:
 * add, edit, cancel a session; add, edit, remove a speaker. Each change is
 * made on the event file and saved as `planner event import` does, through
 * admin_events.c (admin_event_edit.h).
 */
#include "admin.h"
#include "admin_event_edit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- sessions and speakers ---------------------------------------------- */

/* An id from a title: lowercase ASCII letters and digits, '-' between. */
static void make_id(char *out, size_t size, const char *title)
{
    size_t n = 0;

    for (const char *p = title ? title : ""; *p && n + 1 < size && n < 40; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c) && c < 128)
            out[n++] = (char)tolower(c);
        else if (n && out[n - 1] != '-')
            out[n++] = '-';
    }
    while (n && out[n - 1] == '-')
        n--;
    out[n] = '\0';
}

/* The array element of arr whose "id" is id, or NULL; its index in *at. */
static json_t *find_id(json_t *arr, const char *id, size_t *at)
{
    size_t i;
    json_t *item;

    json_array_foreach(arr, i, item)
    {
        const char *v = json_string_value(json_object_get(item, "id"));
        if (v && strcmp(v, id) == 0) {
            if (at)
                *at = i;
            return item;
        }
    }
    return NULL;
}

static void apply_session_fields(adm *a, json_t *s)
{
    static const char *const keys[] = {"title", "kind",        "start", "end",
                                       "room",  "description", NULL};

    for (size_t i = 0; keys[i]; i++)
        adm_ev_set_field(s, keys[i], adm_changed(a, keys[i]), 0);
    adm_ev_set_field(s, "capacity", adm_changed(a, "capacity"), 1);
    if (srv_field_get(a->req, "speakers") || srv_field_get(a->req, "speakers_field")) {
        const char *was = srv_field_get(a->req, "was-speakers");
        char now[1024] = "";
        json_t *list;
        for (size_t f = 0; f < a->req->nfields; f++)
            if (strcmp(a->req->fields[f].key, "speakers") == 0 && a->req->fields[f].value.data &&
                *a->req->fields[f].value.data)
                snprintf(now + strlen(now), sizeof(now) - strlen(now), "%s%s", *now ? "," : "",
                         a->req->fields[f].value.data);
        if (was && strcmp(was, now) == 0)
            return; /* the speakers ticked are those shown */
        list = json_array();
        for (size_t f = 0; f < a->req->nfields; f++)
            if (strcmp(a->req->fields[f].key, "speakers") == 0 && a->req->fields[f].value.data &&
                *a->req->fields[f].value.data)
                json_array_append_new(list, json_string(a->req->fields[f].value.data));
        json_object_set_new(s, "speakers", list);
    }
}

int adm_session_add(adm *a)
{
    const char *id = srv_field_get(a->req, "id");
    pl_event *ev = NULL;
    json_t *root = NULL, *sessions, *old, *s;
    char made[64];
    size_t at;
    int rc = 0;

    if (adm_ev_begin(a, &ev, &root) < 0)
        return 0;
    if (!id || !*id) {
        make_id(made, sizeof(made), srv_field_get(a->req, "title"));
        id = made;
    }
    sessions = json_object_get(root, "sessions");
    s = json_object();
    json_object_set_new(s, "id", json_string(id));
    apply_session_fields(a, s);
    if ((old = find_id(sessions, id, &at))) {
        const char *st = json_string_value(json_object_get(old, "status"));
        if (st && strcmp(st, "cancelled") == 0) { /* reinstated under the same id */
            json_array_set(sessions, at, s);
        } else {
            pl_error err;
            rc = pl_error_set_at(&err, PL_EEXISTS, NULL, 0, 0, "id", "%s « %s »",
                                 TX(a, ADMIN_A_SESSION_ALREADY_HAS_THE), id);
            adm_set_error(a, &err);
        }
    } else {
        json_array_append(sessions, s);
    }
    json_decref(s);
    if (rc == 0)
        rc = adm_ev_save_json(a, root, 0);
    json_decref(root);
    pl_event_free(ev);
    if (rc < 0)
        return adm_ev_again(a, ADM_FORM_SESSION, rc);
    return adm_ev_saved(a, "agenda");
}

static int session_page(adm *a, const pl_event *ev, const pl_session *s, unsigned status)
{
    srv_html h = {PL_BUF_INIT, 0};
    conflicts c;

    adm_ev_check_agenda(&c, ev);
    adm_page_start(&h, a, s->title, ev->slug);
    adm_error_summary(&h, a);
    adm_ev_conflict_list(&h, a, &c, s->id);
    free(c.items);
    srv_html_emit(&h, "<form method=\"post\" action=\"/admin/e/%u/sessions/%u\" class=\"stack\">\n",
                  ev->slug, s->id);
    adm_csrf_field(&h, a);
    a->track = 1;
    adm_ev_session_fields(&h, a, ev, s);
    a->track = 0;
    srv_html_emit(&h,
                  "<div><button type=\"submit\">%s</button></div></form>\n"
                  "<p><a href=\"/admin/e/%u#agenda\">%s</a></p>\n",
                  TX(a, ADMIN_SAVE), ev->slug, TX(a, ADMIN_BACK_TO_THE_AGENDA));
    return adm_page_reply(a, status, &h);
}

static const pl_session *active_session(const pl_event *ev, const char *id)
{
    const pl_session *s = pl_event_session(ev, id);
    return s && !s->cancelled ? s : NULL;
}

int adm_session_form(adm *a)
{
    pl_event *ev = NULL;
    const pl_session *s;
    int r;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    s = active_session(ev, a->args[1]);
    r = s ? session_page(a, ev, s, 200) : adm_error(a, 404, NULL);
    pl_event_free(ev);
    return r;
}

int adm_session_update(adm *a)
{
    pl_event *ev = NULL;
    json_t *root = NULL, *s;
    int rc, r;

    if (adm_ev_begin(a, &ev, &root) < 0)
        return 0;
    if (!active_session(ev, a->args[1]) ||
        !(s = find_id(json_object_get(root, "sessions"), a->args[1], NULL))) {
        json_decref(root);
        pl_event_free(ev);
        return adm_error(a, 404, NULL);
    }
    apply_session_fields(a, s);
    rc = adm_ev_save_json(a, root, 0);
    json_decref(root);
    if (rc == 0) {
        pl_event_free(ev);
        return adm_ev_saved(a, "agenda");
    }
    r = session_page(a, ev, active_session(ev, a->args[1]), srv_status_for(rc));
    pl_event_free(ev);
    return r;
}

int adm_session_cancel(adm *a)
{
    pl_event *ev = NULL;
    json_t *root = NULL, *s;
    int rc;

    if (adm_ev_begin(a, &ev, &root) < 0)
        return 0;
    if (!active_session(ev, a->args[1]) ||
        !(s = find_id(json_object_get(root, "sessions"), a->args[1], NULL))) {
        json_decref(root);
        pl_event_free(ev);
        return adm_error(a, 404, NULL);
    }
    json_object_set_new(s, "status", json_string("cancelled"));
    rc = adm_ev_save_json(a, root, 0);
    json_decref(root);
    pl_event_free(ev);
    return rc < 0 ? adm_ev_again(a, ADM_FORM_NONE, rc) : adm_ev_saved(a, "agenda");
}

static void apply_speaker_fields(adm *a, json_t *sp)
{
    adm_ev_set_field(sp, "name", adm_changed(a, "name"), 0);
    adm_ev_set_field(sp, "organization", adm_changed(a, "organization"), 0);
    adm_ev_set_field(sp, "bio", adm_changed(a, "bio"), 0);
}

int adm_speaker_add(adm *a)
{
    const char *id = srv_field_get(a->req, "id");
    pl_event *ev = NULL;
    json_t *root = NULL, *speakers, *sp;
    char made[64];
    int rc = 0;

    if (adm_ev_begin(a, &ev, &root) < 0)
        return 0;
    if (!id || !*id) {
        make_id(made, sizeof(made), srv_field_get(a->req, "name"));
        id = made;
    }
    speakers = json_object_get(root, "speakers");
    if (find_id(speakers, id, NULL)) {
        pl_error err;
        rc = pl_error_set_at(&err, PL_EEXISTS, NULL, 0, 0, "id", "%s « %s »",
                             TX(a, ADMIN_A_SPEAKER_ALREADY_HAS_THE), id);
        adm_set_error(a, &err);
    } else {
        sp = json_object();
        json_object_set_new(sp, "id", json_string(id));
        apply_speaker_fields(a, sp);
        json_array_append_new(speakers, sp);
        rc = adm_ev_save_json(a, root, 0);
    }
    json_decref(root);
    pl_event_free(ev);
    return rc < 0 ? adm_ev_again(a, ADM_FORM_SPEAKER, rc) : adm_ev_saved(a, "speakers");
}

static int speaker_page(adm *a, const pl_event *ev, const pl_speaker *sp, unsigned status)
{
    srv_html h = {PL_BUF_INIT, 0};

    adm_page_start(&h, a, sp->name, ev->slug);
    adm_error_summary(&h, a);
    srv_html_emit(&h, "<form method=\"post\" action=\"/admin/e/%u/speakers/%u\" class=\"stack\">\n",
                  ev->slug, sp->id);
    adm_csrf_field(&h, a);
    a->track = 1;
    adm_ev_speaker_fields(&h, a, sp);
    a->track = 0;
    srv_html_emit(&h, "<div><button type=\"submit\">%s</button></div></form>\n", TX(a, ADMIN_SAVE));
    srv_html_emit(&h,
                  "<h2>%s</h2><form method=\"post\" action=\"/admin/e/%u/speakers/%u/remove\">"
                  "<p>%s</p>",
                  TX(a, ADMIN_SPEAKER_REMOVE), ev->slug, sp->id, TX(a, ADMIN_SPEAKER_REMOVE_HINT));
    adm_csrf_field(&h, a);
    srv_html_emit(&h,
                  "<div><button type=\"submit\" class=\"danger\">%s</button></div></form>\n"
                  "<p><a href=\"/admin/e/%u#speakers\">%s</a></p>\n",
                  TX(a, ADMIN_SPEAKER_REMOVE), ev->slug, TX(a, ADMIN_BACK_TO_THE_EVENT));
    return adm_page_reply(a, status, &h);
}

/* Remove a speaker: from the event and from every session naming them. */
int adm_speaker_remove(adm *a)
{
    pl_event *ev = NULL;
    json_t *root = NULL, *speakers, *sessions, *s;
    size_t at, i;
    int rc;

    if (adm_ev_begin(a, &ev, &root) < 0)
        return 0;
    speakers = json_object_get(root, "speakers");
    if (!find_id(speakers, a->args[1], &at)) {
        json_decref(root);
        pl_event_free(ev);
        return adm_error(a, 404, NULL);
    }
    json_array_remove(speakers, at);
    sessions = json_object_get(root, "sessions");
    json_array_foreach(sessions, i, s)
    {
        json_t *list = json_object_get(s, "speakers"), *v;
        size_t k;
        json_array_foreach(list, k, v)
        {
            if (json_string_value(v) && strcmp(json_string_value(v), a->args[1]) == 0) {
                json_array_remove(list, k);
                break;
            }
        }
    }
    rc = adm_ev_save_json(a, root, 0);
    json_decref(root);
    pl_event_free(ev);
    return rc < 0 ? adm_ev_again(a, ADM_FORM_NONE, rc) : adm_ev_saved(a, "speakers");
}

int adm_speaker_form(adm *a)
{
    pl_event *ev = NULL;
    const pl_speaker *sp;
    int r;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    sp = pl_event_speaker(ev, a->args[1]);
    r = sp ? speaker_page(a, ev, sp, 200) : adm_error(a, 404, NULL);
    pl_event_free(ev);
    return r;
}

int adm_speaker_update(adm *a)
{
    pl_event *ev = NULL;
    json_t *root = NULL, *sp;
    int rc, r;

    if (adm_ev_begin(a, &ev, &root) < 0)
        return 0;
    if (!(sp = find_id(json_object_get(root, "speakers"), a->args[1], NULL))) {
        json_decref(root);
        pl_event_free(ev);
        return adm_error(a, 404, NULL);
    }
    apply_speaker_fields(a, sp);
    rc = adm_ev_save_json(a, root, 0);
    json_decref(root);
    if (rc == 0) {
        pl_event_free(ev);
        return adm_ev_saved(a, "speakers");
    }
    r = speaker_page(a, ev, pl_event_speaker(ev, a->args[1]), srv_status_for(rc));
    pl_event_free(ev);
    return r;
}
