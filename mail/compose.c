#include "compose.h"
#include "calendar.h"

#include <gmime/gmime.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct pl_mail_composer {
    pl_store *store;
    const pl_mail_config *cfg;
    pl_mail_feed_fn feed;
    pl_event *ev;    /* the last event used: messages come in runs of one event */
    pl_datefmt *fmt; /* its zone and language */
};

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
    g_mime_init();
}

int pl_mail_composer_new(pl_mail_composer **out, pl_store *store, const pl_mail_config *cfg,
                         pl_mail_feed_fn feed, pl_error *err)
{
    pl_mail_composer *c = calloc(1, sizeof(*c));

    *out = NULL;
    if (!c)
        return pl_error_oom(err);
    pthread_once(&gmime_once, gmime_start);
    c->store = store;
    c->cfg = cfg;
    c->feed = feed; /* NULL: calendar/ directly, with the event held */
    *out = c;
    return 0;
}

void pl_mail_composer_free(pl_mail_composer *c)
{
    if (!c)
        return;
    pl_event_free(c->ev);
    pl_datefmt_free(c->fmt);
    free(c);
}

void pl_mail_message_id(char *buf, size_t size, const pl_mail_config *cfg,
                        const pl_outbox_message *m)
{
    snprintf(buf, size, "%s@%s", m->message_id, cfg->domain);
}

static int load_event(pl_mail_composer *c, const char *slug, pl_error *err)
{
    pl_event *ev = NULL;
    int rc;

    if (c->ev && strcmp(c->ev->slug, slug) == 0)
        return 0;
    if ((rc = pl_event_load(&ev, c->store, slug, err)) < 0)
        return rc;
    pl_event_free(c->ev);
    pl_datefmt_free(c->fmt);
    c->fmt = NULL;
    c->ev = ev;
    return pl_datefmt_open(&c->fmt, pl_event_lang(ev), ev->timezone, err);
}

/* A catalogue text with its %s (and %d) filled in: the texts are data,
 * never printf formats (pl_lang_fill; %s comes before %d in every text). */
static void fill(char *out, size_t size, const char *tmpl, const char *s, int n)
{
    char num[16];
    const char *args[4];
    size_t k = 0;

    /* pl_lang_fill gives %s and %d the arguments in their order; here %s is
     * always s and %d always n, whichever comes first in the template */
    snprintf(num, sizeof(num), "%d", n);
    for (const char *p = tmpl ? tmpl : ""; *p && k < 4; p++)
        if (p[0] == '%' && (p[1] == 's' || p[1] == 'd')) {
            args[k++] = p[1] == 's' ? s : num;
            p++;
        }
    pl_lang_fill(out, size, tmpl, args, k);
}

/* ---- the subject ---- */

static int event_cancelled(const pl_event *ev)
{
    return ev->status && strcmp(ev->status, "cancelled") == 0;
}

static int is_link_reminder(const pl_outbox_message *m)
{
    return m->kind == PL_MAIL_REMINDER && m->detail && strcmp(m->detail, "link") == 0;
}

/* A promotion into a workshop's seat (detail "seat:SESSION_ID"), not to the
 * event. */
static int is_seat(const pl_outbox_message *m)
{
    return m->kind == PL_MAIL_PROMOTION && m->detail && strncmp(m->detail, "seat:", 5) == 0;
}

/* What a change message's detail holds: items with "slot" tell a
 * workshop allocation (planner/registrations/ranks.h), the others a
 * programme change. Bit 1: allocations, bit 2: changes. */
static int change_parts(const pl_outbox_message *m)
{
    json_t *items = m->kind == PL_MAIL_CHANGE && m->detail ? json_loads(m->detail, 0, NULL) : NULL;
    size_t i;
    json_t *it;
    int parts = 0;

    json_array_foreach(items, i, it) parts |= json_object_get(it, "slot") ? 1 : 2;
    json_decref(items);
    return parts;
}

/* A carpool message of the way home (outbox detail "return",
 * "lost_seat_return"); any other is of the way there. */
static int carpool_home(const char *detail)
{
    return detail && strstr(detail, "return") != NULL;
}

static char *subject_for(const pl_event *ev, const pl_outbox_message *m)
{
    static const pl_text_id ids[PL_MAIL_KIND_COUNT] = {
        PL_T_MAIL_SUBJECT_CONFIRMATION, PL_T_MAIL_SUBJECT_WAITLISTED, PL_T_MAIL_SUBJECT_PROMOTION,
        PL_T_MAIL_SUBJECT_CANCELLATION, PL_T_MAIL_SUBJECT_CHANGE,     PL_T_MAIL_SUBJECT_CARPOOL,
        PL_T_MAIL_SUBJECT_REMINDER,     PL_T_MAIL_SUBJECT_REMINDER,
    };
    pl_lang L = pl_event_lang(ev);
    pl_buf b = PL_BUF_INIT;
    pl_text_id id = ids[m->kind];

    if (m->kind == PL_MAIL_ANNOUNCEMENT) {
        pl_buf_printf(&b, "[%s] %s", ev->title, m->subject ? m->subject : "");
        return pl_buf_detach(&b);
    }
    if (m->kind == PL_MAIL_CHANGE && event_cancelled(ev))
        id = PL_T_MAIL_SUBJECT_EVENT_CANCELLED;
    else if (is_seat(m))
        id = PL_T_MAIL_SUBJECT_WORKSHOP_SEAT;
    else if (change_parts(m) == 1)
        id = PL_T_MAIL_SUBJECT_ALLOCATION;
    else if (is_link_reminder(m))
        id = PL_T_MAIL_SUBJECT_LINK;
    else if (m->kind == PL_MAIL_CARPOOL && carpool_home(m->detail))
        id = PL_T_MAIL_SUBJECT_CARPOOL_HOME;
    {
        char text[1024];
        fill(text, sizeof(text), pl_lang_text(L, id), ev->title, 0);
        pl_buf_puts(&b, text);
    }
    return pl_buf_detach(&b);
}

int pl_mail_subject(char **out, pl_mail_composer *c, const pl_outbox_message *m, pl_error *err)
{
    int rc;

    *out = NULL;
    if ((rc = load_event(c, m->event_slug, err)) < 0)
        return rc;
    return (*out = subject_for(c->ev, m)) ? 0 : pl_error_oom(err);
}

/* ---- the body: the same paragraphs as text and as HTML ---- */

typedef struct doc {
    pl_buf text, html;
    pl_lang L;
    pl_datefmt *fmt; /* the event's zone and language */
    int failed;
} doc;

static void html_escape(pl_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            pl_buf_puts(b, "&lt;");
            break;
        case '>':
            pl_buf_puts(b, "&gt;");
            break;
        case '&':
            pl_buf_puts(b, "&amp;");
            break;
        case '"':
            pl_buf_puts(b, "&quot;");
            break;
        case '\n':
            pl_buf_puts(b, "<br>\n");
            break;
        default:
            pl_buf_append(b, s, 1);
        }
    }
}

static void say(doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One paragraph. */
static void say(doc *d, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    pl_buf_printf(&d->text, "%s\n\n", buf);
    pl_buf_puts(&d->html, "<p>");
    html_escape(&d->html, buf);
    pl_buf_puts(&d->html, "</p>\n");
}

/* One paragraph from a catalogue text with its %s and %d. */
static void say_t(doc *d, pl_text_id id, const char *s, int n)
{
    char buf[2048];

    fill(buf, sizeof(buf), pl_lang_text(d->L, id), s, n);
    say(d, "%s", buf);
}

/* A long text as the organiser wrote it: paragraphs kept. */
static void say_verbatim(doc *d, const char *s)
{
    pl_buf_printf(&d->text, "%s\n\n", s);
    pl_buf_puts(&d->html, "<p>");
    html_escape(&d->html, s);
    pl_buf_puts(&d->html, "</p>\n");
}

/* "label: value" lines, as a list. */
/* ": " in English, " : " in French typography. */
static const char *colon(const doc *d)
{
    return d->L == PL_LANG_FR ? " : " : ": ";
}

/* One list item "label SEP value" (or only the value). */
static void item_sep(doc *d, const char *label, const char *sep, const char *value)
{
    if (label) {
        pl_buf_printf(&d->text, "- %s%s%s\n", label, sep, value);
        pl_buf_puts(&d->html, "<li><b>");
        html_escape(&d->html, label);
        pl_buf_puts(&d->html, "</b>");
        html_escape(&d->html, sep);
    } else {
        pl_buf_printf(&d->text, "- %s\n", value);
        pl_buf_puts(&d->html, "<li>");
    }
    html_escape(&d->html, value);
    pl_buf_puts(&d->html, "</li>\n");
}

/* "When : ..." - a label of ours, followed by the language's colon. */
static void item(doc *d, const char *label, const char *value)
{
    item_sep(d, label, colon(d), value);
}

/* "Title — ..." - a session's title may hold a colon of its own
 * ("Atelier : vélo"), so it is followed by a dash, never by a colon. */
static void item_titled(doc *d, const char *title, const char *value)
{
    item_sep(d, title, " — ", value);
}

static void list_begin(doc *d)
{
    pl_buf_puts(&d->html, "<ul>\n");
}

static void list_end(doc *d)
{
    pl_buf_puts(&d->text, "\n");
    pl_buf_puts(&d->html, "</ul>\n");
}

static void add_link(doc *d, const char *intro, const char *url)
{
    pl_buf_printf(&d->text, "%s\n%s\n\n", intro, url);
    pl_buf_puts(&d->html, "<p>");
    html_escape(&d->html, intro);
    pl_buf_puts(&d->html, "<br>\n<a href=\"");
    html_escape(&d->html, url);
    pl_buf_puts(&d->html, "\">");
    html_escape(&d->html, url);
    pl_buf_puts(&d->html, "</a></p>\n");
}

/* "mardi 8 décembre 2026 à 09:30 – 11:00" (end on the same day: the time). */
/* "mardi 8 décembre 2026 à 09:30" | "Tuesday, 8 December 2026 at 09:30". */
static void fmt_when(doc *d, char *buf, size_t size, const char *local)
{
    pl_datefmt_format(d->fmt, buf, size, PL_DATETIME_LONG, local);
}

static void when_text(char *buf, size_t size, doc *d, const char *start, const char *end)
{
    char a[128], b[128];

    fmt_when(d, a, sizeof(a), start);
    if (end && start && strncmp(start, end, 10) == 0 && strlen(end) == 16)
        snprintf(b, sizeof(b), "%s", end + 11);
    else
        fmt_when(d, b, sizeof(b), end);
    snprintf(buf, size, "%s – %s", a, b);
}

static void first_name(char *out, size_t size, const char *name)
{
    size_t n = strcspn(name, " ");
    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), name);
}

static void event_block(doc *d, const pl_event *ev, int with_online_url)
{
    char when[300], where[600];

    when_text(when, sizeof(when), d, ev->start, ev->end);
    list_begin(d);
    item(d, pl_lang_text(d->L, PL_T_MAIL_WHEN), when);
    if (ev->venue_name || ev->venue_address) {
        snprintf(where, sizeof(where), "%s%s%s", ev->venue_name ? ev->venue_name : "",
                 ev->venue_name && ev->venue_address ? ", " : "",
                 ev->venue_address ? ev->venue_address : "");
        item(d, pl_lang_text(d->L, PL_T_MAIL_WHERE), where);
    }
    if (ev->online_url && strcmp(ev->format, "in_person") != 0)
        item(d, pl_lang_text(d->L, PL_T_MAIL_WHERE),
             with_online_url ? ev->online_url : pl_lang_text(d->L, PL_T_MAIL_ONLINE));
    list_end(d);
}

static void session_line(char *buf, size_t size, doc *d, const pl_session *s)
{
    const char *room = pl_lang_text(d->L, PL_T_MAIL_ROOM);
    char when[300];

    when_text(when, sizeof(when), d, s->start, s->end);
    if (s->room && strncasecmp(s->room, room, strlen(room)) == 0)
        snprintf(buf, size, "%s (%s)", when, s->room); /* "Salle B", not "salle Salle B" */
    else if (s->room)
        snprintf(buf, size, "%s (%s %s)", when, room, s->room);
    else
        snprintf(buf, size, "%s", when);
}

static void workshops_block(doc *d, const pl_event *ev, const pl_registration *r)
{
    char line[600];
    int any = 0;

    for (size_t i = 0; i < r->sessions.count; i++) {
        const pl_session *s = pl_event_session(ev, r->sessions.items[i]);
        if (!s || s->cancelled)
            continue;
        if (!any) {
            pl_buf_printf(&d->text, "%s%s\n", pl_lang_text(d->L, PL_T_MAIL_YOUR_WORKSHOPS),
                          d->L == PL_LANG_FR ? " :" : ":");
            pl_buf_puts(&d->html, "<p>");
            html_escape(&d->html, pl_lang_text(d->L, PL_T_MAIL_YOUR_WORKSHOPS));
            pl_buf_puts(&d->html, d->L == PL_LANG_FR ? " :</p>\n" : ":</p>\n");
            list_begin(d);
            any = 1;
        }
        session_line(line, sizeof(line), d, s);
        /* A workshop they only wait for is not theirs yet: say so, as /me
         * does (their calendar attachment leaves it out). */
        if (r->session_waiting && r->session_waiting[i] > 0) {
            size_t len = strlen(line);
            snprintf(line + len, sizeof(line) - len, " — %s %d",
                     pl_lang_text(d->L, PL_T_MAIL_WORKSHOP_WAITING), r->session_waiting[i]);
        }
        item_titled(d, s->title, line);
    }
    if (any)
        list_end(d);
}

static const pl_session *session_by_uid(const pl_event *ev, const char *uid)
{
    for (size_t i = 0; uid && i < ev->nsessions; i++)
        if (ev->sessions[i].uid && strcmp(ev->sessions[i].uid, uid) == 0)
            return &ev->sessions[i];
    return NULL;
}

/* "moved,renamed" in the event's words. */
static void what_words(char *buf, size_t size, pl_lang L, const char *what)
{
    static const struct {
        const char *key;
        pl_text_id id;
    } words[] = {{"moved", PL_T_MAIL_WHAT_MOVED},
                 {"renamed", PL_T_MAIL_WHAT_RENAMED},
                 {"cancelled", PL_T_MAIL_WHAT_CANCELLED},
                 {"reinstated", PL_T_MAIL_WHAT_REINSTATED}};
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (what && strstr(what, words[i].key)) {
            size_t n = strlen(buf);
            snprintf(buf + n, size - n, "%s%s", n ? ", " : "", pl_lang_text(L, words[i].id));
        }
}

/* The change items of a change message: each session once, with every
 * word that applied to it, the entry as it is now and as it was. */
static void changes_block(doc *d, const pl_event *ev, const char *detail)
{
    json_t *items = detail ? json_loads(detail, 0, NULL) : NULL;
    size_t i, n = json_is_array(items) ? json_array_size(items) : 0;
    int event_moved = 0;

    list_begin(d);
    for (i = 0; i < n; i++) {
        json_t *it = json_array_get(items, i);
        const char *uid = json_string_value(json_object_get(it, "session"));
        char what[256] = "", words[256], line[1200], now[600], label[400];
        const char *before = json_string_value(json_object_get(it, "before"));
        const pl_session *s;
        int seen = 0;

        if (!uid) {
            const char *w = json_string_value(json_object_get(it, "what"));
            event_moved |= w && strstr(w, "moved");
            continue;
        }
        for (size_t j = 0; j < i; j++)
            seen |= json_equal(json_object_get(json_array_get(items, j), "session"),
                               json_object_get(it, "session"));
        if (seen || !(s = session_by_uid(ev, uid)))
            continue;
        /* every word for this session, and its oldest "before" */
        for (size_t j = i; j < n; j++) {
            json_t *o = json_array_get(items, j);
            const char *w = json_string_value(json_object_get(o, "what"));
            if (json_equal(json_object_get(o, "session"), json_object_get(it, "session")) && w) {
                size_t k = strlen(what);
                snprintf(what + k, sizeof(what) - k, "%s%s", k ? "," : "", w);
            }
        }
        /* the last word wins between cancelled and reinstated */
        what_words(words, sizeof(words), d->L, s->cancelled ? "cancelled" : what);
        if (!s->cancelled && strstr(words, pl_lang_text(d->L, PL_T_MAIL_WHAT_CANCELLED)))
            what_words(words, sizeof(words), d->L, "reinstated");
        session_line(now, sizeof(now), d, s);
        snprintf(line, sizeof(line), "%s — %s", words, now);
        if (before && *before) {
            char old_title[300] = "", old_start[32] = "", old_end[32] = "", was[400];
            sscanf(before, "%299[^|]|%31[^|]|%31[^|]", old_title, old_start, old_end);
            when_text(was, sizeof(was), d, old_start, old_end);
            size_t k = strlen(line);
            snprintf(line + k, sizeof(line) - k, " (%s%s%s%s%s)", pl_lang_text(d->L, PL_T_MAIL_WAS),
                     colon(d), strcmp(old_title, s->title) != 0 ? old_title : "",
                     strcmp(old_title, s->title) != 0 ? ", " : "", was);
        }
        snprintf(label, sizeof(label), "%s", s->title);
        item_titled(d, label, line);
    }
    list_end(d);
    if (event_moved && !event_cancelled(ev)) {
        say_t(d, PL_T_MAIL_EVENT_MOVED, ev->title, 0);
        event_block(d, ev, 0);
    }
    json_decref(items);
}

/* The workshops an allocation gave, slot by slot: the workshop with its
 * times and the choice it was, or that none could be given and why. */
static void allocation_block(doc *d, const pl_event *ev, const char *detail)
{
    json_t *items = detail ? json_loads(detail, 0, NULL) : NULL;
    size_t i;
    json_t *it;

    say_t(d, PL_T_MAIL_ALLOCATED, ev->title, 0);
    list_begin(d);
    json_array_foreach(items, i, it)
    {
        const char *slot = json_string_value(json_object_get(it, "slot"));
        const char *id = json_string_value(json_object_get(it, "allocated"));
        const pl_session *s = id ? pl_event_session(ev, id) : NULL;
        char line[1200], when[600], label[300];
        int rank = (int)json_integer_value(json_object_get(it, "rank"));
        if (!slot)
            continue;
        if (s) {
            char choice[200] = "";
            session_line(when, sizeof(when), d, s);
            if (rank > 0)
                fill(choice, sizeof(choice), pl_lang_text(d->L, PL_T_MAIL_ALLOCATED_CHOICE), NULL,
                     rank);
            snprintf(line, sizeof(line), "%s — %s%s%s", s->title, when, *choice ? " — " : "",
                     choice);
        } else {
            snprintf(line, sizeof(line), "%s", pl_lang_text(d->L, PL_T_MAIL_ALLOCATED_NONE));
        }
        fill(label, sizeof(label), pl_lang_text(d->L, PL_T_MAIL_ALLOCATED_SLOT), slot, 0);
        item(d, label, line);
    }
    list_end(d);
    json_decref(items);
}

static void carpool_block(doc *d, pl_mail_composer *c, const pl_registration *r, const char *detail,
                          pl_error *err, int *rc)
{
    pl_carpool_pickup *p = NULL;
    char when[200], line[1200];
    int home = carpool_home(detail);

    *rc = pl_carpool_pickup_load_trip(&p, c->store, r->rowid,
                                      home ? PL_CARPOOL_RETURN : PL_CARPOOL_OUTBOUND, err);
    if (*rc == PL_ENOTFOUND || (p && p->cancelled) || (detail && strstr(detail, "lost"))) {
        pl_error_clear(err);
        *rc = 0;
        say(d, "%s",
            pl_lang_text(d->L, home
                                   ? (p ? PL_T_MAIL_CARPOOL_HOME_LOST : PL_T_MAIL_CARPOOL_HOME_NONE)
                                   : (p ? PL_T_MAIL_CARPOOL_LOST : PL_T_MAIL_CARPOOL_NONE)));
        pl_carpool_pickup_free(p);
        return;
    }
    if (*rc < 0)
        return;
    say_t(d, home ? PL_T_MAIL_CARPOOL_HOME_INTRO : PL_T_MAIL_CARPOOL_INTRO, c->ev->title, 0);
    list_begin(d);
    fmt_when(d, when, sizeof(when), p->time);
    /* the way home: when the car leaves the venue; where one gets out is
     * with the drop-off below */
    if (home)
        snprintf(line, sizeof(line), "%s", when);
    else
        snprintf(line, sizeof(line), "%s%s%s", when, p->place ? " — " : "",
                 p->place ? p->place : "");
    item(d,
         pl_lang_text(
             d->L, home ? (p->is_driver ? PL_T_MAIL_CARPOOL_HOME_DRIVER
                                        : PL_T_MAIL_CARPOOL_HOME_PASSENGER)
                        : (p->is_driver ? PL_T_MAIL_CARPOOL_DRIVER : PL_T_MAIL_CARPOOL_PASSENGER)),
         line);
    if (!p->is_driver && p->driver_first_name) {
        snprintf(line, sizeof(line), "%s%s%s%s", p->driver_first_name, p->driver_phone ? " (" : "",
                 p->driver_phone ? pl_lang_text(d->L, PL_T_MAIL_CARPOOL_PHONE) : "",
                 p->driver_phone ? " " : "");
        if (p->driver_phone) {
            size_t k = strlen(line);
            snprintf(line + k, sizeof(line) - k, "%s)", p->driver_phone);
        }
        item(d, pl_lang_text(d->L, PL_T_MAIL_CARPOOL_DRIVEN_BY), line);
    }
    if (p->npassengers) {
        pl_buf names = PL_BUF_INIT;
        for (size_t i = 0; i < p->npassengers; i++)
            pl_buf_printf(&names, "%s%s", i ? ", " : "", p->passengers[i]);
        item(d, pl_lang_text(d->L, PL_T_MAIL_CARPOOL_TRAVELLERS), names.data ? names.data : "");
        pl_buf_free(&names);
    }
    if (p->arrival && home) {
        fmt_when(d, when, sizeof(when), p->arrival);
        snprintf(line, sizeof(line), "%s%s%s", when, p->place ? " — " : "",
                 p->place ? p->place : "");
        item(d,
             pl_lang_text(d->L, p->is_driver ? PL_T_MAIL_CARPOOL_HOME_ARRIVAL
                                             : PL_T_MAIL_CARPOOL_HOME_DROPOFF),
             line);
    } else if (p->arrival) {
        fmt_when(d, when, sizeof(when), p->arrival);
        item(d, pl_lang_text(d->L, PL_T_MAIL_CARPOOL_ARRIVAL), when);
    }
    list_end(d);
    pl_carpool_pickup_free(p);
}

/* The body's paragraphs for m. */
static int write_body(doc *d, pl_mail_composer *c, const pl_event *ev, const pl_registration *r,
                      const pl_outbox_message *m, pl_error *err)
{
    char hello[300], url[1024];
    int rc = 0;

    first_name(hello, sizeof(hello), r->name);
    say_t(d, PL_T_MAIL_HELLO, hello, 0);
    switch (m->kind) {
    case PL_MAIL_CONFIRMATION:
    case PL_MAIL_PROMOTION:
        if (is_seat(m)) {
            const pl_session *s = pl_event_session(ev, m->detail + 5);
            say_t(d, PL_T_MAIL_WORKSHOP_SEAT, s ? s->title : m->detail + 5, 0);
        } else {
            say_t(d, m->kind == PL_MAIL_PROMOTION ? PL_T_MAIL_PROMOTED : PL_T_MAIL_CONFIRMED,
                  ev->title, 0);
        }
        event_block(d, ev, 0);
        workshops_block(d, ev, r);
        break;
    case PL_MAIL_WAITLISTED:
        if (r->status == PL_REG_WAITLISTED)
            say_t(d, PL_T_MAIL_WAITLISTED, ev->title, r->waitlist_position);
        else /* promoted meanwhile: say what is true now */
            say_t(d, PL_T_MAIL_CONFIRMED, ev->title, 0);
        event_block(d, ev, 0);
        workshops_block(d, ev, r);
        break;
    case PL_MAIL_CANCELLATION:
        say_t(d, PL_T_MAIL_CANCELLED, ev->title, 0);
        break;
    case PL_MAIL_CHANGE:
        if (event_cancelled(ev)) {
            say_t(d, PL_T_MAIL_EVENT_CANCELLED, ev->title, 0);
        } else {
            int parts = change_parts(m);
            if (parts & 1)
                allocation_block(d, ev, m->detail);
            if (parts != 1) {
                say_t(d, PL_T_MAIL_CHANGED, ev->title, 0);
                changes_block(d, ev, m->detail);
            }
        }
        break;
    case PL_MAIL_CARPOOL:
        carpool_block(d, c, r, m->detail, err, &rc);
        break;
    case PL_MAIL_REMINDER:
        if (is_link_reminder(m) && ev->online_url) {
            say_t(d, PL_T_MAIL_LINK_TOMORROW, ev->title, 0);
            add_link(d, ev->title, ev->online_url);
            event_block(d, ev, 1);
        } else {
            say_t(d, PL_T_MAIL_REMINDER, ev->title, 0);
            event_block(d, ev, 0);
            workshops_block(d, ev, r);
        }
        break;
    case PL_MAIL_ANNOUNCEMENT:
        say_verbatim(d, m->body ? m->body : "");
        break;
    default:
        break;
    }
    if (rc < 0)
        return rc;
    snprintf(url, sizeof(url), "%s/me/%s", c->cfg->base_url, r->token);
    add_link(d, pl_lang_text(d->L, PL_T_MAIL_YOUR_PAGE), url);
    if (m->kind != PL_MAIL_ANNOUNCEMENT)
        say(d, "%s", pl_lang_text(d->L, PL_T_MAIL_CALENDAR));
    pl_buf_puts(&d->text, "-- \n");
    {
        char foot[1024];
        fill(foot, sizeof(foot), pl_lang_text(d->L, PL_T_MAIL_FOOTER), ev->title, 0);
        pl_buf_printf(&d->text, "%s\n", foot);
        pl_buf_puts(&d->html, "<hr>\n<p style=\"color:#666;font-size:small\">");
        html_escape(&d->html, foot);
    }
    pl_buf_puts(&d->html, "</p>\n");
    return 0;
}

/* ---- MIME ---- */

/* A text part in UTF-8 as given (g_mime_text_part_set_text would pick
 * ISO-8859-1 for text that fits it). */
static GMimeObject *text_part(const char *subtype, const char *text)
{
    GMimeTextPart *part = g_mime_text_part_new_with_subtype(subtype);
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(text, strlen(text));
    GMimeDataWrapper *data =
        g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);

    g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
    g_mime_part_set_content(GMIME_PART(part), data);
    g_mime_part_set_content_encoding(GMIME_PART(part), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    g_object_unref(data);
    g_object_unref(stream);
    return GMIME_OBJECT(part);
}

static GMimeObject *calendar_part(const char *ics, size_t len)
{
    GMimePart *part = g_mime_part_new_with_type("text", "calendar");
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(ics, len);
    GMimeDataWrapper *data =
        g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);

    g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "method", "PUBLISH");
    g_mime_part_set_content(part, data);
    g_mime_part_set_filename(part, "agenda.ics");
    g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
    g_object_unref(data);
    g_object_unref(stream);
    return GMIME_OBJECT(part);
}

int pl_mail_compose(char **out, size_t *len, pl_mail_composer *c, const pl_outbox_message *m,
                    pl_error *err)
{
    pl_registration *r = NULL;
    doc d = {PL_BUF_INIT, PL_BUF_INIT, PL_LANG_FR, NULL, 0};
    char *subject = NULL, *ics = NULL, *html = NULL, msgid[300];
    size_t ics_len = 0;
    GMimeMessage *msg = NULL;
    GMimeMultipart *alt = NULL, *mixed = NULL;
    GMimeStream *stream = NULL;
    GMimeFormatOptions *fo = NULL;
    InternetAddressList *from = NULL;
    GDateTime *date = NULL;
    int rc;

    *out = NULL;
    *len = 0;
    if ((rc = load_event(c, m->event_slug, err)) < 0)
        goto done;
    if ((rc = pl_registration_load(&r, c->store, m->registration_id, err)) < 0)
        goto done;
    d.L = pl_event_lang(c->ev);
    d.fmt = c->fmt;
    if (!(subject = subject_for(c->ev, m))) {
        rc = pl_error_oom(err);
        goto done;
    }
    if ((rc = write_body(&d, c, c->ev, r, m, err)) < 0)
        goto done;
    if (m->kind != PL_MAIL_ANNOUNCEMENT) {
        if (c->feed) {
            rc = c->feed(&ics, &ics_len, c->store, r->token, c->cfg->base_url, err);
        } else {
            pl_calendar_options opts = PL_CALENDAR_OPTIONS_INIT;
            pl_carpool_pickup *pickup = NULL, *home = NULL;
            opts.base_url = c->cfg->base_url;
            rc = pl_carpool_pickup_load(&pickup, c->store, r->rowid, err);
            if (rc == 0 || rc == PL_ENOTFOUND)
                rc = pl_carpool_pickup_load_trip(&home, c->store, r->rowid, PL_CARPOOL_RETURN, err);
            if (rc == 0 || rc == PL_ENOTFOUND)
                rc = pl_calendar_write_attendee(&ics, &ics_len, c->ev, r, pickup, home, &opts, err);
            pl_carpool_pickup_free(pickup);
            pl_carpool_pickup_free(home);
        }
        if (rc == PL_ENOTFOUND) {
            pl_error_clear(err);
            rc = 0;
        } else if (rc < 0) {
            goto done;
        }
    }
    pl_buf_printf(&d.html, "</body>\n</html>\n");
    {
        pl_buf h = PL_BUF_INIT;
        pl_buf_printf(&h,
                      "<!DOCTYPE html>\n<html lang=\"%s\">\n<head><meta charset=\"utf-8\">"
                      "<title>",
                      pl_lang_code(d.L));
        html_escape(&h, subject);
        pl_buf_printf(&h, "</title></head>\n<body style=\"font-family:sans-serif\">\n%s",
                      d.html.data ? d.html.data : "");
        html = pl_buf_detach(&h);
    }
    if (!html || !d.text.data) {
        rc = pl_error_oom(err);
        goto done;
    }

    msg = g_mime_message_new(TRUE);
    from = internet_address_list_parse(NULL, c->cfg->from);
    if (from)
        internet_address_list_append(g_mime_message_get_from(msg), from);
    else
        g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, NULL, c->cfg->from_addr);
    g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, r->name, r->email);
    g_mime_message_set_subject(msg, subject, "utf-8");
    date = g_date_time_new_now_utc();
    g_mime_message_set_date(msg, date);
    pl_mail_message_id(msgid, sizeof(msgid), c->cfg, m);
    g_mime_message_set_message_id(msg, msgid);
    g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted", "auto-generated", NULL);
    g_mime_object_set_header(GMIME_OBJECT(msg), "Content-Language", pl_lang_code(d.L), NULL);

    alt = g_mime_multipart_new_with_subtype("alternative");
    {
        GMimeObject *plain = text_part("plain", d.text.data), *rich = text_part("html", html);
        g_mime_multipart_add(alt, plain);
        g_mime_multipart_add(alt, rich);
        g_object_unref(plain);
        g_object_unref(rich);
    }
    if (ics) {
        GMimeObject *cal = calendar_part(ics, ics_len);
        mixed = g_mime_multipart_new_with_subtype("mixed");
        g_mime_multipart_add(mixed, GMIME_OBJECT(alt));
        g_mime_multipart_add(mixed, cal);
        g_object_unref(cal);
        g_mime_message_set_mime_part(msg, GMIME_OBJECT(mixed));
    } else {
        g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
    }

    fo = g_mime_format_options_clone(NULL);
    g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
    stream = g_mime_stream_mem_new();
    if (g_mime_object_write_to_stream(GMIME_OBJECT(msg), fo, stream) < 0) {
        rc = pl_error_set(err, PL_ERROR, "message %lld: cannot write the MIME message", m->id);
        goto done;
    }
    {
        GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
        if (!(*out = malloc(bytes->len + 1))) {
            rc = pl_error_oom(err);
            goto done;
        }
        memcpy(*out, bytes->data, bytes->len);
        (*out)[bytes->len] = '\0';
        *len = bytes->len;
    }
    rc = 0;
done:
    if (stream)
        g_object_unref(stream);
    if (fo)
        g_mime_format_options_free(fo);
    if (alt)
        g_object_unref(alt);
    if (mixed)
        g_object_unref(mixed);
    if (from)
        g_object_unref(from);
    if (msg)
        g_object_unref(msg);
    if (date)
        g_date_time_unref(date);
    pl_buf_free(&d.text);
    pl_buf_free(&d.html);
    free(html);
    free(ics);
    free(subject);
    pl_registration_free(r);
    return rc;
}
