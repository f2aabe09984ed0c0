/*
 * api.c - the JSON API, feeds, registration and cancellation (form or
 * JSON), and the admin routes.
 */
#include "calendar.h"
#include "internal.h"
#include "lang.h"
#include "ranks_input.h"
#include "registration.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CALENDAR_TYPE "text/calendar; charset=utf-8"

/* A published or cancelled event (drafts are not public). */
static int load_public_event(pl_event **out, srv_req *req, const char *slug, pl_error *err)
{
    int rc = pl_event_load(out, req->store, slug, err);

    if (rc == 0 && strcmp((*out)->status, "draft") == 0) {
        pl_event_free(*out);
        *out = NULL;
        return pl_error_set(err, PL_ENOTFOUND, "no event '%s'", slug);
    }
    return rc;
}

int srv_event_json(srv_reply *out, srv_req *req)
{
    const char *slug = req->arg[0];
    pl_event *ev = NULL;
    pl_error err;
    int rc;

    if ((rc = load_public_event(&ev, req, slug, &err)) < 0)
        return srv_reply_error(out, srv_status_for(rc), "%s", err.msg);
    srv_event_modified(out->modified, ev);
    srv_reply_json(out, 200, pl_event_to_json(ev));
    pl_event_free(ev);
    out->conditional = 1;
    out->cache_control = "public, max-age=60";
    return 0;
}

/* ---- feeds -------------------------------------------------------------- */
/* Each feed is built by calendar/ from the data loaded here once, the same
 * bytes as `planner calendar`, so that the ETag is a hash of them.
 * calendar/ serialises its own libical work (docs/threading.md). */

static void log_left_out(void *payload, const char *message)
{
    (void)payload;
    fprintf(stderr, "planner: warning: %s\n", message);
}

static void feed_options(pl_calendar_options *opts, const srv_req *req)
{
    *opts = (pl_calendar_options)PL_CALENDAR_OPTIONS_INIT;
    opts->base_url = req->srv->base_url;
    opts->warn = log_left_out;
}

static int feed_bytes(srv_reply *out, int rc, char *bytes, size_t len, const pl_error *err)
{
    if (rc < 0)
        return srv_reply_error(out, srv_status_for(rc), "%s", err->msg);
    out->conditional = 1;
    return srv_reply_bytes(out, 200, CALENDAR_TYPE, bytes, len);
}

int srv_feed_all(srv_reply *out, srv_req *req)
{
    pl_event **events = NULL;
    pl_external_event *externals = NULL;
    size_t n = 0, nx = 0, len = 0;
    pl_calendar_options opts;
    char *bytes = NULL;
    pl_error err;
    int rc;

    out->cache_control = "public, max-age=300";
    if ((rc = pl_event_list(&events, &n, req->store, &err)) == 0 &&
        (rc = pl_external_list(&externals, &nx, req->store, &err)) == 0) {
        for (size_t i = 0; i < n; i++)
            if (strcmp(events[i]->status, "draft") != 0)
                srv_event_modified(out->modified, events[i]);
        for (size_t i = 0; i < nx; i++)
            srv_latest(out->modified, externals[i].modified);
        feed_options(&opts, req);
        rc = pl_calendar_write_events(&bytes, &len, events, n, externals, nx, &opts, &err);
    }
    pl_event_list_free(events, n);
    pl_external_list_free(externals, nx);
    return feed_bytes(out, rc, bytes, len, &err);
}

int srv_feed_event(srv_reply *out, srv_req *req)
{
    const char *slug = req->arg[0];
    pl_calendar_options opts;
    pl_event *ev = NULL;
    char *bytes = NULL;
    size_t len = 0;
    pl_error err;
    int rc;

    out->cache_control = "public, max-age=300";
    if ((rc = load_public_event(&ev, req, slug, &err)) == 0) {
        srv_event_modified(out->modified, ev);
        feed_options(&opts, req);
        rc = pl_calendar_write_event(&bytes, &len, ev, &opts, &err);
    }
    pl_event_free(ev);
    return feed_bytes(out, rc, bytes, len, &err);
}

/* The registration of token, with its event; 404 is answered. A cancelled
 * registration is loaded like any other: its page says so, and its feed
 * lists every entry as cancelled (docs/calendar.md) rather than answering
 * 410, after which calendar applications keep the last entries forever. */
static int load_attendee(srv_reply *out, srv_req *req, const char *token, pl_registration **reg,
                         pl_event **ev)
{
    pl_error err;
    int rc;

    out->cache_control = "private, no-cache";
    if ((rc = pl_registration_find_token(reg, req->store, token, &err)) < 0) {
        srv_reply_error(out, srv_status_for(rc), rc == PL_ENOTFOUND ? "no such registration" : "%s",
                        err.msg);
        return rc;
    }
    if ((rc = pl_event_load(ev, req->store, (*reg)->event_slug, &err)) < 0) {
        srv_reply_error(out, srv_status_for(rc), "%s", err.msg);
        return rc;
    }
    srv_event_modified(out->modified, *ev);
    srv_latest(out->modified, (*reg)->updated);
    srv_waitlist_modified(req->store, *reg, out->modified);
    return 0;
}

int srv_me_feed(srv_reply *out, srv_req *req)
{
    const char *token = req->arg[0];
    pl_registration *reg = NULL;
    pl_carpool_pickup *pickup = NULL, *home = NULL;
    pl_calendar_options opts;
    pl_event *ev = NULL;
    char *bytes = NULL;
    size_t len = 0;
    pl_error err;
    int rc;

    if (load_attendee(out, req, token, &reg, &ev) == 0) {
        /* the pickup's own revision moves Last-Modified too */
        rc = pl_carpool_pickup_load(&pickup, req->store, reg->rowid, &err);
        if (rc == 0)
            srv_latest(out->modified, pickup->modified);
        if (rc == 0 || rc == PL_ENOTFOUND)
            rc =
                pl_carpool_pickup_load_trip(&home, req->store, reg->rowid, PL_CARPOOL_RETURN, &err);
        if (rc == 0)
            srv_latest(out->modified, home->modified);
        if (rc == 0 || rc == PL_ENOTFOUND) {
            feed_options(&opts, req);
            rc = pl_calendar_write_attendee(&bytes, &len, ev, reg, pickup, home, &opts, &err);
        }
        feed_bytes(out, rc, bytes, len, &err);
    }
    out->cache_control = "private, no-cache";
    pl_carpool_pickup_free(pickup);
    pl_carpool_pickup_free(home);
    pl_registration_free(reg);
    pl_event_free(ev);
    return 0;
}

/* ---- registrations as JSON ---------------------------------------------- */

static json_t *registration_json(const pl_registration *r, const pl_server *srv, int with_links)
{
    json_t *o = json_object(), *sessions = json_array(), *waits = json_object();

    for (size_t i = 0; i < r->sessions.count; i++) {
        json_array_append_new(sessions, json_string(r->sessions.items[i]));
        if (r->session_waiting && r->session_waiting[i])
            json_object_set_new(waits, r->sessions.items[i], json_integer(r->session_waiting[i]));
    }
    json_object_set_new(o, "uid", json_string(r->uid));
    json_object_set_new(o, "event", json_string(r->event_slug));
    json_object_set_new(o, "name", json_string(r->name));
    json_object_set_new(o, "email", json_string(r->email));
    json_object_set_new(o, "organization",
                        r->organization ? json_string(r->organization) : json_null());
    json_object_set_new(o, "origin", r->origin ? json_string(r->origin) : json_null());
    json_object_set_new(o, "travel", json_string(pl_travel_name(r->travel)));
    json_object_set_new(o, "seats", json_integer(r->seats));
    json_object_set_new(o, "meal", json_boolean(r->meal));
    json_object_set_new(o, "diet", r->diet ? json_string(r->diet) : json_null());
    json_object_set_new(o, "public", json_boolean(r->public_list));
    json_object_set_new(o, "phone", r->phone ? json_string(r->phone) : json_null());
    json_object_set_new(o, "share_phone", json_boolean(r->share_phone));
    json_object_set_new(o, "sessions", sessions);
    json_object_set_new(o, "session_waitlist", waits);
    json_object_set_new(o, "status", json_string(pl_reg_status_name(r->status)));
    json_object_set_new(o, "waitlist_position", json_integer(r->waitlist_position));
    json_object_set_new(o, "created", json_string(r->created));
    json_object_set_new(o, "updated", json_string(r->updated));
    if (with_links) {
        char buf[512];
        snprintf(buf, sizeof(buf), "%s/me/%s", srv->base_url, r->token);
        json_object_set_new(o, "page", json_string(buf));
        snprintf(buf, sizeof(buf), "%s/me/%s.ics", srv->base_url, r->token);
        json_object_set_new(o, "feed", json_string(buf));
    }
    return o;
}

int srv_me_json(srv_reply *out, srv_req *req)
{
    const char *token = req->arg[0];
    pl_registration *reg = NULL;
    pl_event *ev = NULL;

    if (load_attendee(out, req, token, &reg, &ev) == 0) {
        json_t *o = registration_json(reg, req->srv, 1);
        pl_carpool_assignment *a = NULL;

        json_object_set_new(o, "ranks", srv_ranks_json(req->store, reg->event_slug, reg->email));

        /* the carpool group as the person may see it (no one else's e-mail);
         * null without a plan */
        if (strcmp(ev->format, "online") != 0 &&
            pl_carpool_assignment_find(&a, req->store, reg->rowid, NULL) == 0) {
            srv_latest(out->modified, a->plan->planned);
            json_object_set_new(o, "carpool", pl_carpool_assignment_to_member_json(a));
        } else {
            json_object_set_new(o, "carpool", json_null());
        }
        pl_carpool_assignment_free(a);
        srv_reply_json(out, 200, o);
        out->conditional = 1;
    }
    out->cache_control = "private, no-cache";
    pl_registration_free(reg);
    pl_event_free(ev);
    return 0;
}

/* ---- POST /e/SLUG/register ------------------------------------------------ */

static void clear_input(pl_registration *in)
{
    pl_strlist_clear(&in->sessions);
    memset(in, 0, sizeof(*in));
}

static int add_session(pl_registration *in, const char *id)
{
    if (!id || !*id)
        return 0;
    for (size_t i = 0; i < in->sessions.count; i++)
        if (strcmp(in->sessions.items[i], id) == 0)
            return 0;
    if (in->sessions.count >= 32)
        return PL_EINVALID;
    return pl_strlist_push(&in->sessions, id);
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

static int is_true(const char *s)
{
    return s && (strcmp(s, "1") == 0 || strcmp(s, "on") == 0 || strcmp(s, "yes") == 0 ||
                 strcmp(s, "true") == 0);
}

/* Fill in from the form fields. Strings are borrowed from req. */
static int input_from_form(pl_registration *in, srv_req *req, pl_error *err)
{
    const char *travel = srv_field_get(req, "travel"), *seats = srv_field_get(req, "seats");
    int rc;

    in->name = (char *)nonempty(srv_field_get(req, "name"));
    in->email = (char *)nonempty(srv_field_get(req, "email"));
    in->organization = (char *)nonempty(srv_field_get(req, "organization"));
    in->origin = (char *)nonempty(srv_field_get(req, "origin"));
    in->phone = (char *)nonempty(srv_field_get(req, "phone"));
    in->diet = (char *)nonempty(srv_field_get(req, "diet"));
    in->meal = is_true(srv_field_get(req, "meal"));
    in->public_list = is_true(srv_field_get(req, "public"));
    in->share_phone = is_true(srv_field_get(req, "share_phone"));
    if (pl_travel_parse(&in->travel, travel ? travel : "") < 0)
        return PL_SAY(err, PL_EINVALID, "travel", REG_ERR_TRAVEL, NULL);
    /* the range is the model's one rule (pl_registration_check) */
    if ((in->travel == PL_TRAVEL_DRIVE || in->travel == PL_TRAVEL_FLEXIBLE) &&
        pl_reg_seats_parse(&in->seats, seats) < 0)
        return PL_SAY(err, PL_EINVALID, "seats", REG_ERR_SEATS_FORM, PL_REG_SEATS_MAX_STR);
    for (size_t i = 0; i < req->nfields; i++) {
        const char *k = req->fields[i].key, *v = req->fields[i].value.data;
        if ((strcmp(k, "session") == 0 || strncmp(k, "slot-", 5) == 0) &&
            (rc = add_session(in, v)) < 0)
            return PL_SAY(err, rc, "sessions", REG_ERR_TOO_MANY_SESSIONS, NULL);
    }
    return 0;
}

/* Fill in from a JSON object. A key left out is a field not given
 * (in->keep: an update leaves it as stored, a new registration gets it
 * empty); null clears it. Strings are borrowed from root. */
static int input_from_json(pl_registration *in, json_t *root, pl_error *err)
{
    static const struct {
        const char *key;
        unsigned field;
        int string;
    } keys[] = {
        {"name", PL_REG_FIELD_NAME, 1},
        {"email", 0, 1},
        {"organization", PL_REG_FIELD_ORGANIZATION, 1},
        {"origin", PL_REG_FIELD_ORIGIN, 1},
        {"phone", PL_REG_FIELD_PHONE, 1},
        {"travel", PL_REG_FIELD_TRAVEL, 1},
        {"seats", PL_REG_FIELD_TRAVEL, 0},
        {"meal", PL_REG_FIELD_MEAL, 0},
        {"diet", PL_REG_FIELD_DIET, 1},
        {"public", PL_REG_FIELD_PUBLIC, 0},
        {"sessions", PL_REG_FIELD_SESSIONS, 0},
        {"ranks", 0, 0}, /* ranks_input.c */
        {"share_phone", PL_REG_FIELD_SHARE_PHONE, 0},
    };
    const char *key;
    json_t *v;
    int rc;

    if (!json_is_object(root))
        return PL_SAY(err, PL_EINVALID, "", REG_ERR_BODY_OBJECT, NULL);
    in->keep = PL_REG_FIELD_ALL;
    json_object_foreach(root, key, v)
    {
        size_t i = 0;
        while (i < sizeof(keys) / sizeof(keys[0]) && strcmp(keys[i].key, key) != 0)
            i++;
        if (i == sizeof(keys) / sizeof(keys[0]))
            return PL_SAY(err, PL_EINVALID, key, REG_ERR_KEY_UNKNOWN, key);
        if (keys[i].string && !json_is_string(v) && !json_is_null(v))
            return PL_SAY(err, PL_EINVALID, key, REG_ERR_KEY_STRING, key);
        in->keep &= ~keys[i].field;
    }
    if (json_object_get(root, "seats") && !json_object_get(root, "travel"))
        return PL_SAY(err, PL_EINVALID, "seats", REG_ERR_SEATS_WITH_TRAVEL, NULL);
#define STR(k) ((char *)nonempty(json_string_value(json_object_get(root, k))))
    in->name = STR("name");
    in->email = STR("email");
    in->organization = STR("organization");
    in->origin = STR("origin");
    in->phone = STR("phone");
    in->diet = STR("diet");
#undef STR
    if (pl_travel_parse(&in->travel, json_string_value(json_object_get(root, "travel"))
                                         ? json_string_value(json_object_get(root, "travel"))
                                         : "") < 0)
        return PL_SAY(err, PL_EINVALID, "travel", REG_ERR_TRAVEL, NULL);
    /* the range is the model's one rule (pl_registration_check) */
    if ((v = json_object_get(root, "seats")) && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < -1000 || json_integer_value(v) > 1000)
            return PL_SAY(err, PL_EINVALID, "seats", REG_ERR_SEATS_JSON, PL_REG_SEATS_MAX_STR);
        in->seats = (int)json_integer_value(v);
    }
    if ((v = json_object_get(root, "meal")) && !json_is_boolean(v) && !json_is_null(v))
        return PL_SAY(err, PL_EINVALID, "meal", REG_ERR_KEY_BOOLEAN, "meal");
    in->meal = json_is_true(v);
    if ((v = json_object_get(root, "public")) && !json_is_boolean(v) && !json_is_null(v))
        return PL_SAY(err, PL_EINVALID, "public", REG_ERR_KEY_BOOLEAN, "public");
    in->public_list = json_is_true(v);
    if ((v = json_object_get(root, "share_phone")) && !json_is_boolean(v) && !json_is_null(v))
        return PL_SAY(err, PL_EINVALID, "share_phone", REG_ERR_KEY_BOOLEAN, "share_phone");
    in->share_phone = json_is_true(v);
    if ((v = json_object_get(root, "sessions")) && !json_is_null(v)) {
        size_t i;
        json_t *s;
        if (!json_is_array(v))
            return PL_SAY(err, PL_EINVALID, "sessions", REG_ERR_SESSIONS_ARRAY, NULL);
        json_array_foreach(v, i, s)
        {
            if (!json_is_string(s))
                return PL_SAY(err, PL_EINVALID, "sessions", REG_ERR_SESSIONS_ARRAY, NULL);
            if ((rc = add_session(in, json_string_value(s))) < 0)
                return PL_SAY(err, rc, "sessions", REG_ERR_TOO_MANY_SESSIONS, NULL);
        }
    }
    return 0;
}

static pl_lang lang_of_code(const char *lang_code)
{
    return lang_code && strcmp(lang_code, "en") == 0 ? PL_LANG_EN : PL_LANG_FR;
}

/* A write that could not get the database in time (PL_EBUSY, 503 with
 * Retry-After) says to come back, never the store's message (it names the
 * database file). */
static const char *failure_text(const pl_error *err, const char *lang_code)
{
    if (err->code != PL_EBUSY)
        return err->msg;
    return pl_lang_text(lang_of_code(lang_code), PL_T_PAGES_BUSY);
}

/* A refused JSON request: "error" in English, as it always was (scripts
 * match it), "message" the same in the event's language (lang_code; NULL
 * when there is no event: English), "field" the path at fault when known. */
static int json_failure(srv_reply *out, unsigned status, const pl_error *err, const char *lang_code)
{
    char msg[700];
    json_t *o = json_pack("{s:s}", "error", failure_text(err, "en"));

    if (err->code == PL_EBUSY)
        snprintf(msg, sizeof(msg), "%s", failure_text(err, lang_code ? lang_code : "en"));
    else
        pl_error_text(err, lang_code ? lang_of_code(lang_code) : PL_LANG_EN, msg, sizeof(msg));
    if (o)
        json_object_set_new(o, "message", json_string(msg));
    if (o && err->path[0])
        json_object_set_new(o, "field", json_string(err->path));
    return srv_reply_json(out, status, o);
}

/* "malformed JSON at line L, column C: what" */
static int malformed_json(pl_error *err, const json_error_t *jerr)
{
    char line[16], column[16];

    snprintf(line, sizeof(line), "%d", jerr->line);
    snprintf(column, sizeof(column), "%d", jerr->column);
    return PL_SAY(err, PL_EINVALID, "", REG_ERR_MALFORMED_JSON, line, column, jerr->text);
}

/* An error page with a catalogue text in lang_code. */
static int page_say(srv_reply *out, unsigned status, const char *lang_code, pl_text_id id)
{
    return srv_page_error(out, status, lang_code, pl_lang_text(lang_of_code(lang_code), id));
}

/* The registration of a /me/TOKEN/... post and its event's language ("fr"
 * or "en"; "fr" when the event cannot be loaded). Unknown: a 404 is
 * answered, a page for a form, JSON else. */
static int find_attendee(srv_reply *out, srv_req *req, pl_registration **reg,
                         const char **lang_code)
{
    pl_event *ev = NULL;
    pl_error err;
    int rc;

    *lang_code = "fr";
    if ((rc = pl_registration_find_token(reg, req->store, req->arg[0], &err)) < 0) {
        /* no event, no language: the JSON message is English, the page French */
        if (rc == PL_ENOTFOUND)
            PL_SAY(&err, PL_ENOTFOUND, "", REG_ERR_NO_REGISTRATION, NULL);
        if (req->body_kind == BODY_JSON)
            json_failure(out, srv_status_for(rc), &err, NULL);
        else if (rc == PL_ENOTFOUND)
            page_say(out, 404, NULL, PL_T_REG_ERR_NO_REGISTRATION);
        else
            srv_page_error(out, srv_status_for(rc), NULL, failure_text(&err, "fr"));
        return rc;
    }
    if (pl_event_load(&ev, req->store, (*reg)->event_slug, &err) == 0)
        *lang_code = srv_event_is_french(ev) ? "fr" : "en";
    pl_event_free(ev);
    return 0;
}

/* A refused form: an error page in the event's language. With again (the
 * page the form was on, shown again: srv_page_event_again for the sign-up
 * form, srv_page_me_again for /me), bad input (400) or a conflict (409)
 * answers that page instead, the form keeping what was typed and the error
 * beside its field. */
typedef int (*form_page)(srv_reply *out, srv_req *req, unsigned status, const pl_error *err);

static int form_failure(srv_reply *out, srv_req *req, unsigned status, const pl_error *err,
                        const char *lang_code, form_page again)
{
    char msg[700];

    if (err->code == PL_EBUSY)
        return srv_page_error(out, status, lang_code, failure_text(err, lang_code));
    if (again && lang_code && (status == 400 || status == 409))
        return again(out, req, status, err);
    pl_error_text(err, lang_of_code(lang_code), msg, sizeof(msg));
    return srv_page_error(out, status, lang_code, msg);
}

/* A save and the rankings sent with it, in one transaction: a ranking
 * that does not fit leaves the registration as it was. */
static int save_ranked(pl_store *store, const char *slug, const pl_registration *in, int create,
                       const srv_ranks *ranks, pl_registration **out,
                       pl_registration_change *change, pl_error *err)
{
    int rc;

    if (!ranks->count)
        return create ? pl_registration_create(store, slug, in, out, change, err)
                      : pl_registration_update(store, slug, in, out, change, err);
    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    rc = create ? pl_registration_create(store, slug, in, out, change, err)
                : pl_registration_update(store, slug, in, out, change, err);
    if (rc == 0)
        rc = srv_ranks_save(store, slug, (*out)->email, ranks, err);
    if (rc == 0)
        rc = pl_store_commit(store, err);
    else
        pl_store_rollback(store);
    if (rc < 0) {
        pl_registration_free(*out);
        *out = NULL;
    }
    return rc;
}

static json_t *with_ranks(json_t *o, srv_req *req, const pl_registration *reg)
{
    json_object_set_new(o, "ranks", srv_ranks_json(req->store, reg->event_slug, reg->email));
    return o;
}

static int redirect(srv_reply *out, const char *path)
{
    static const char body[] = "See Other\n";

    out->location = strdup(path);
    return srv_reply_bytes(out, 303, "text/plain; charset=utf-8", strdup(body), sizeof(body) - 1);
}

int srv_register(srv_reply *out, srv_req *req)
{
    const char *slug = req->arg[0];
    pl_registration in = {0}, *reg = NULL;
    pl_registration_change change = {0};
    pl_event *ev = NULL;
    json_t *root = NULL;
    srv_ranks ranks = {0};
    char purpose[200];
    const char *lang_code = NULL;
    int is_json = req->body_kind == BODY_JSON, rc;
    unsigned status = 0;
    pl_error err;

    pl_error_clear(&err);
    if ((rc = load_public_event(&ev, req, slug, &err)) < 0) {
        status = srv_status_for(rc);
        goto fail;
    }
    lang_code = srv_event_is_french(ev) ? "fr" : "en";
    if (strcmp(ev->status, "published") != 0) {
        rc = PL_SAY(&err, PL_EINVALID, "", REG_ERR_CLOSED, ev->status);
        status = 409;
        goto fail;
    }
    if (is_json) {
        json_error_t jerr;
        if (!(root = json_loadb(req->body.data ? req->body.data : "", req->body.len,
                                JSON_REJECT_DUPLICATES, &jerr))) {
            rc = malformed_json(&err, &jerr);
            status = 400;
            goto fail;
        }
        rc = input_from_json(&in, root, &err);
        if (rc == 0)
            rc = srv_ranks_from_json(&ranks, json_object_get(root, "ranks"), &err);
        /* A sign-up is a whole registration: nothing is taken from a
         * cancelled one with the same e-mail (someone else, maybe). */
        in.keep = 0;
    } else {
        snprintf(purpose, sizeof(purpose), "register:%s", slug);
        if (!srv_same_origin(req) ||
            !srv_form_token_ok(req->srv, purpose, srv_field_get(req, "csrf"))) {
            rc = PL_SAY(&err, PL_EINVALID, "", REG_ERR_STALE, NULL);
            status = 403;
            goto fail;
        }
        rc = input_from_form(&in, req, &err);
        if (rc == 0)
            rc = srv_ranks_from_form(&ranks, req, &err);
    }
    if (rc < 0) {
        status = srv_status_for(rc);
        goto fail;
    }
    if ((rc = pl_registration_validate(&in, &err)) < 0) {
        status = srv_status_for(rc);
        goto fail;
    }
    /* An e-mail that is already registered is a conflict: answering with the
     * stored registration would hand its secret token to whoever knows the
     * address. The core decides it inside the save's transaction, so two
     * requests for one e-mail cannot both create, nor one update the other. */
    rc = save_ranked(req->store, slug, &in, 1, &ranks, &reg, &change, &err);
    srv_changed(req->srv);
    if (rc == PL_EEXISTS) {
        PL_SAY(&err, PL_EEXISTS, "email", REG_ERR_ALREADY, in.email);
        status = 409;
        goto fail;
    }
    if (rc < 0) {
        status = srv_status_for(rc);
        goto fail;
    }
    if (is_json) {
        srv_reply_json(out, 201, with_ranks(registration_json(reg, req->srv, 1), req, reg));
        {
            char loc[300];
            snprintf(loc, sizeof(loc), "/me/%s", reg->token);
            out->location = strdup(loc);
        }
    } else {
        char loc[300];
        snprintf(loc, sizeof(loc), "/me/%s", reg->token);
        redirect(out, loc);
    }
    out->cache_control = "no-store";
    goto done;
fail:
    if (is_json)
        json_failure(out, status, &err, lang_code);
    else
        form_failure(out, req, status, &err, lang_code, srv_page_event_again);
done:
    clear_input(&in);
    srv_ranks_clear(&ranks);
    json_decref(root);
    pl_registration_free(reg);
    pl_event_free(ev);
    return 0;
}

/* ---- POST /me/TOKEN/cancel ---------------------------------------------- */

int srv_cancel(srv_reply *out, srv_req *req)
{
    const char *token = req->arg[0], *lang_code;
    pl_registration *reg = NULL, *done_reg = NULL;
    char purpose[200];
    pl_error err;
    int is_json = req->body_kind == BODY_JSON, rc;

    if (find_attendee(out, req, &reg, &lang_code) < 0)
        goto done;
    if (!is_json) {
        snprintf(purpose, sizeof(purpose), "cancel:%s", token);
        if (!srv_same_origin(req) ||
            !srv_form_token_ok(req->srv, purpose, srv_field_get(req, "csrf"))) {
            page_say(out, 403, lang_code, PL_T_REG_ERR_STALE_PAGE);
            goto done;
        }
    }
    rc = reg->status == PL_REG_CANCELLED
             ? 0
             : pl_registration_cancel(req->store, reg->event_slug, reg->email, &done_reg, &err);
    srv_changed(req->srv);
    if (rc < 0 && is_json) {
        json_failure(out, srv_status_for(rc), &err, lang_code);
    } else if (rc < 0) {
        form_failure(out, req, srv_status_for(rc), &err, lang_code, NULL);
    } else if (is_json) {
        srv_reply_json(out, 200, registration_json(done_reg ? done_reg : reg, req->srv, 0));
    } else {
        char loc[300];
        snprintf(loc, sizeof(loc), "/me/%s", token);
        redirect(out, loc);
    }
done:
    out->cache_control = "no-store";
    pl_registration_free(reg);
    pl_registration_free(done_reg);
    return 0;
}

/* ---- POST /me/TOKEN/erase ----------------------------------------------- */

int srv_erase(srv_reply *out, srv_req *req)
{
    const char *token = req->arg[0], *lang_code;
    pl_registration *reg = NULL;
    json_t *root = NULL;
    char purpose[200];
    pl_error err;
    int is_json = req->body_kind == BODY_JSON, rc, confirmed;

    out->cache_control = "no-store";
    if (find_attendee(out, req, &reg, &lang_code) < 0)
        goto done;
    if (is_json) {
        root = json_loadb(req->body.data ? req->body.data : "", req->body.len, 0, NULL);
        confirmed = json_is_true(json_object_get(root, "confirm"));
    } else {
        snprintf(purpose, sizeof(purpose), "erase:%s", token);
        if (!srv_same_origin(req) ||
            !srv_form_token_ok(req->srv, purpose, srv_field_get(req, "csrf"))) {
            page_say(out, 403, lang_code, PL_T_REG_ERR_STALE_PAGE);
            goto done;
        }
        confirmed =
            srv_field_get(req, "confirm") && strcmp(srv_field_get(req, "confirm"), "yes") == 0;
    }
    /* Nothing is erased without the confirmation step's answer. */
    if (!confirmed) {
        if (is_json)
            srv_reply_json(
                out, 400,
                json_pack("{s:s, s:s, s:s}", "error", "send {\"confirm\": true} to erase",
                          "message",
                          pl_lang_text(lang_of_code(lang_code), PL_T_REG_ERR_CONFIRM_JSON), "field",
                          "confirm"));
        else
            page_say(out, 400, lang_code, PL_T_REG_ERR_CONFIRM_MISSING);
        goto done;
    }
    rc = pl_registration_erase(req->store, token, &err);
    srv_changed(req->srv);
    if (rc < 0 && is_json)
        json_failure(out, srv_status_for(rc), &err, lang_code);
    else if (rc < 0)
        form_failure(out, req, srv_status_for(rc), &err, lang_code, NULL);
    else if (is_json)
        srv_reply_json(out, 200, json_pack("{s:b}", "erased", 1));
    else
        srv_page_erased(out, lang_code);
done:
    json_decref(root);
    pl_registration_free(reg);
    return 0;
}

/* ---- POST /me/TOKEN/update ---------------------------------------------- */

/* Was the form field key edited: present with its "orig_" twin, and
 * different from it? (A checkbox is absent when unchecked: "0".) */
static int edited(srv_req *req, const char *key, int checkbox, const char **value)
{
    char orig[64];
    const char *v = srv_field_get(req, key), *o;

    snprintf(orig, sizeof(orig), "orig_%s", key);
    if (!(o = srv_field_get(req, orig)))
        return 0;
    if (checkbox)
        v = is_true(v) ? "1" : "0";
    else if (!v)
        v = "";
    *value = v;
    return strcmp(v, o) != 0;
}

/* Is the "|"-list a the same set of ids as the form's "session" fields? */
static int same_session_set(srv_req *req, const char *a)
{
    size_t n = 0, in_a = 0;

    for (size_t i = 0; i < req->nfields; i++) {
        const char *v = req->fields[i].value.data ? req->fields[i].value.data : "";
        size_t len = strlen(v);
        if (strcmp(req->fields[i].key, "session") != 0)
            continue;
        n++;
        for (const char *p = a; p && *p;) {
            const char *bar = strchr(p, '|');
            size_t l = bar ? (size_t)(bar - p) : strlen(p);
            if (l == len && strncmp(p, v, len) == 0) {
                in_a++;
                break;
            }
            p = bar ? bar + 1 : NULL;
        }
    }
    {
        size_t na = *a ? 1 : 0;
        for (const char *p = a; *p; p++)
            na += *p == '|';
        return n == na && in_a == n;
    }
}

/* The changes a /me form makes: only the fields edited (see edited()). */
static int input_from_edit_form(pl_registration *in, srv_req *req, pl_error *err)
{
    const char *v, *seats;
    int rc;

    in->keep = PL_REG_FIELD_ALL;
    if (edited(req, "origin", 0, &v)) {
        in->origin = (char *)nonempty(v);
        in->keep &= ~(unsigned)PL_REG_FIELD_ORIGIN;
    }
    if (edited(req, "phone", 0, &v)) {
        in->phone = (char *)nonempty(v);
        in->keep &= ~(unsigned)PL_REG_FIELD_PHONE;
    }
    if (edited(req, "diet", 0, &v)) {
        in->diet = (char *)nonempty(v);
        in->keep &= ~(unsigned)PL_REG_FIELD_DIET;
    }
    if (edited(req, "meal", 1, &v)) {
        in->meal = *v == '1';
        in->keep &= ~(unsigned)PL_REG_FIELD_MEAL;
    }
    if (edited(req, "public", 1, &v)) {
        in->public_list = *v == '1';
        in->keep &= ~(unsigned)PL_REG_FIELD_PUBLIC;
    }
    if (edited(req, "share_phone", 1, &v)) {
        in->share_phone = *v == '1';
        in->keep &= ~(unsigned)PL_REG_FIELD_SHARE_PHONE;
    }
    if (edited(req, "travel", 0, &v) | edited(req, "seats", 0, &seats)) {
        const char *travel = srv_field_get(req, "travel");
        if (pl_travel_parse(&in->travel, travel ? travel : "") < 0)
            return PL_SAY(err, PL_EINVALID, "travel", REG_ERR_TRAVEL, NULL);
        if ((in->travel == PL_TRAVEL_DRIVE || in->travel == PL_TRAVEL_FLEXIBLE) &&
            pl_reg_seats_parse(&in->seats, srv_field_get(req, "seats")) < 0)
            return PL_SAY(err, PL_EINVALID, "seats", REG_ERR_SEATS_FORM, PL_REG_SEATS_MAX_STR);
        in->keep &= ~(unsigned)PL_REG_FIELD_TRAVEL;
    }
    if ((v = srv_field_get(req, "orig_sessions")) && !same_session_set(req, v)) {
        for (size_t i = 0; i < req->nfields; i++)
            if (strcmp(req->fields[i].key, "session") == 0 &&
                (rc = add_session(in, req->fields[i].value.data)) < 0)
                return PL_SAY(err, rc, "sessions", REG_ERR_TOO_MANY_SESSIONS, NULL);
        in->keep &= ~(unsigned)PL_REG_FIELD_SESSIONS;
    }
    return 0;
}

int srv_update(srv_reply *out, srv_req *req)
{
    const char *token = req->arg[0], *lang_code;
    pl_registration in = {0}, *reg = NULL, *updated = NULL;
    pl_registration_change change;
    srv_ranks ranks = {0};
    json_t *root = NULL;
    json_error_t jerr;
    unsigned status = 0;
    pl_error err;
    int rc;

    out->cache_control = "no-store";
    pl_error_clear(&err);
    if (find_attendee(out, req, &reg, &lang_code) < 0)
        goto done;
    if (req->body_kind == BODY_FORM) {
        char purpose[200];
        snprintf(purpose, sizeof(purpose), "update:%s", token);
        if (!srv_same_origin(req) ||
            !srv_form_token_ok(req->srv, purpose, srv_field_get(req, "csrf"))) {
            page_say(out, 403, lang_code, PL_T_REG_ERR_STALE_PAGE);
            goto done;
        }
        if ((rc = input_from_edit_form(&in, req, &err)) == 0 &&
            (rc = srv_ranks_from_edit_form(&ranks, req, &err)) == 0) {
            in.email = reg->email;
            rc = save_ranked(req->store, reg->event_slug, &in, 0, &ranks, &updated, &change, &err);
            srv_changed(req->srv);
        }
        if (rc < 0) {
            /* bad input: the /me page again, with what was typed */
            form_failure(out, req, rc == PL_ENOTFOUND ? 409 : srv_status_for(rc), &err, lang_code,
                         srv_page_me_again);
        } else {
            char loc[300];
            snprintf(loc, sizeof(loc), "/me/%s", token);
            redirect(out, loc);
        }
        goto done;
    }
    if (req->body_kind != BODY_JSON) {
        rc = PL_SAY(&err, PL_EINVALID, "", REG_ERR_BODY_KIND, NULL);
        status = 415;
        goto fail;
    }
    if (!(root = json_loadb(req->body.data ? req->body.data : "", req->body.len,
                            JSON_REJECT_DUPLICATES, &jerr))) {
        rc = malformed_json(&err, &jerr);
        status = 400;
        goto fail;
    }
    if ((rc = input_from_json(&in, root, &err)) < 0 ||
        (rc = srv_ranks_from_json(&ranks, json_object_get(root, "ranks"), &err)) < 0) {
        status = srv_status_for(rc);
        goto fail;
    }
    /* The e-mail names the registration: it is not one of the changes. */
    if (in.email && strcasecmp(in.email, reg->email) != 0) {
        rc = PL_SAY(&err, PL_EINVALID, "email", REG_ERR_EMAIL_FIXED, NULL);
        status = 400;
        goto fail;
    }
    in.email = reg->email;
    rc = save_ranked(req->store, reg->event_slug, &in, 0, &ranks, &updated, &change, &err);
    srv_changed(req->srv);
    if (rc < 0) {
        status = rc == PL_ENOTFOUND ? 409 : srv_status_for(rc);
        goto fail;
    }
    srv_reply_json(out, 200, with_ranks(registration_json(updated, req->srv, 1), req, updated));
    goto done;
fail:
    json_failure(out, status, &err, lang_code);
done:
    clear_input(&in);
    srv_ranks_clear(&ranks);
    json_decref(root);
    pl_registration_free(reg);
    pl_registration_free(updated);
    return 0;
}

/* ---- /admin/e/{slug}[/{name}] --------------------------------------------- */

/* Every registration as the API shows it; the exporters' files are in
 * exports.c (srv_export). */
static int export_registrations_json(srv_reply *out, srv_req *req, const char *slug)
{
    pl_registration **regs = NULL;
    size_t n = 0;
    pl_error err;
    json_t *arr;
    int rc;

    if ((rc = pl_registration_list(&regs, &n, req->store, slug, &err)) < 0)
        return srv_reply_error(out, srv_status_for(rc), "%s", err.msg);
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, registration_json(regs[i], req->srv, 0));
    pl_registration_list_free(regs, n);
    return srv_reply_json(out, 200, arr);
}

static int count_status(const pl_registration *r, void *payload)
{
    ((int *)payload)[r->status]++;
    return 0;
}

int srv_admin_export(srv_reply *out, srv_req *req)
{
    const char *slug = req->arg[0], *what = req->arg[1];
    pl_event *ev = NULL;
    pl_error err;
    int rc;

    out->cache_control = "private, no-store";
    if ((rc = pl_event_load(&ev, req->store, slug, &err)) < 0)
        return srv_reply_error(out, srv_status_for(rc), "%s", err.msg);
    pl_event_free(ev);
    if (strcmp(what, "registrations.json") == 0)
        return export_registrations_json(out, req, slug);
    return srv_export(out, req, slug, what);
}

int srv_admin_event(srv_reply *out, srv_req *req)
{
    const char *slug = req->arg[0];
    pl_event *ev = NULL;
    int counts[3] = {0, 0, 0}, rc;
    pl_error err;
    json_t *o, *names;

    out->cache_control = "private, no-store";
    if ((rc = pl_event_load(&ev, req->store, slug, &err)) < 0)
        return srv_reply_error(out, srv_status_for(rc), "%s", err.msg);
    if ((rc = pl_registration_each(req->store, slug, count_status, counts, &err)) < 0) {
        pl_event_free(ev);
        return srv_reply_error(out, srv_status_for(rc), "%s", err.msg);
    }
    names = json_array();
    json_array_append_new(names, json_string("registrations.json"));
    for (size_t i = 0; srv_export_name(i); i++)
        json_array_append_new(names, json_string(srv_export_name(i)));
    o = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:o}", "slug", ev->slug, "status", ev->status,
                  "capacity", ev->capacity, "confirmed", counts[PL_REG_CONFIRMED], "waitlisted",
                  counts[PL_REG_WAITLISTED], "cancelled", counts[PL_REG_CANCELLED], "exports",
                  names);
    pl_event_free(ev);
    return srv_reply_json(out, 200, o);
}
