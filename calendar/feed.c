#include "feed.h"
#include "feed_items.h"
#include "ical_lock.h"
#include "ics_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_ZONE "Europe/Paris"

static int is_online(const pl_event *ev)
{
    return ev->online_url && strcmp(ev->format, "in_person") != 0;
}

static int event_cancelled(const pl_event *ev)
{
    return strcmp(ev->status, "cancelled") == 0;
}

/* "Salle, Maison des Canaux, 6 quai ..." and, online, the link. */
static void add_place(pl_buf *b, const pl_event *ev, const char *room)
{
    const char *parts[] = {room, ev->venue_name, ev->venue_address};
    int any = 0;

    if (strcmp(ev->format, "online") != 0)
        for (size_t i = 0; i < 3; i++)
            if (parts[i] && *parts[i]) {
                pl_buf_printf(b, "%s%s", any ? ", " : "", parts[i]);
                any = 1;
            }
    if (is_online(ev))
        pl_buf_printf(b, "%s%s", any ? " — " : "", ev->online_url);
}

static void add_page_link(pl_buf *b, const pl_calendar_options *opts, const pl_event *ev)
{
    if (opts && opts->base_url)
        pl_buf_printf(b, "\n%s/e/%s", opts->base_url, ev->slug);
}

/* LOCATION, GEO, URL and CONFERENCE, shared by events and sessions. */
static void add_where(icalcomponent *c, const pl_event *ev, const char *room,
                      const pl_calendar_options *opts)
{
    pl_buf b = PL_BUF_INIT;

    add_place(&b, ev, room);
    if (b.len)
        icalcomponent_add_property(c, icalproperty_new_location(b.data));
    pl_buf_free(&b);
    if (ev->has_geo && strcmp(ev->format, "online") != 0) {
        struct icalgeotype geo = {ev->venue_lat, ev->venue_lon};
        icalcomponent_add_property(c, icalproperty_new_geo(geo));
    }
    if (is_online(ev)) {
        icalproperty *conf = icalproperty_new_conference(ev->online_url);
        icalproperty_add_parameter(conf, icalparameter_new_feature(ICAL_FEATURE_VIDEO));
        icalproperty_add_parameter(
            conf, icalparameter_new_label(pl_lang_text(pl_event_lang(ev), PL_T_FEEDS_JOIN_VIDEO)));
        icalcomponent_add_property(c, conf);
        icalcomponent_add_property(c, icalproperty_new_url(ev->online_url));
    } else if (opts && opts->base_url) {
        pl_buf u = PL_BUF_INIT;
        pl_buf_printf(&u, "%s/e/%s", opts->base_url, ev->slug);
        if (u.data)
            icalcomponent_add_property(c, icalproperty_new_url(u.data));
        pl_buf_free(&u);
    }
}

static void add_description(icalcomponent *c, pl_buf *b)
{
    while (b->len && b->data[b->len - 1] == '\n')
        b->data[--b->len] = '\0';
    if (b->len)
        icalcomponent_add_property(c, icalproperty_new_description(b->data));
    pl_buf_free(b);
}

/* "YYYY-MM-DD" of a local time, plus days. */
static struct icaltimetype date_of(const char *local, int plus_days)
{
    struct icaltimetype t = ics_local(local);

    t.is_date = 1;
    t.hour = t.minute = t.second = 0;
    icaltime_adjust(&t, plus_days, 0, 0, 0);
    return t;
}

static int has_live_sessions(const pl_event *ev)
{
    return ev->nsessions > 0;
}

icalcomponent *pl_feed_event_item(const pl_event *ev, const pl_calendar_options *opts)
{
    icalcomponent *c = icalcomponent_new_vevent();
    int cancelled = event_cancelled(ev);
    pl_lang L = pl_event_lang(ev);
    pl_buf d = PL_BUF_INIT;

    ics_add_revision(c, ev->uid, ev->created, ev->modified, ev->sequence, cancelled);
    if (has_live_sessions(ev)) {
        /* A banner over the event's days; the sessions carry the schedule. */
        icalcomponent_add_property(c, icalproperty_new_dtstart(date_of(ev->start, 0)));
        icalcomponent_add_property(c, icalproperty_new_dtend(date_of(ev->end, 1)));
        icalcomponent_add_property(c, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
    } else {
        icalcomponent_add_property(c,
                                   ics_local_prop(ICAL_DTSTART_PROPERTY, ev->start, ev->timezone));
        icalcomponent_add_property(c, ics_local_prop(ICAL_DTEND_PROPERTY, ev->end, ev->timezone));
    }
    ics_add_summary(c, ev->title, cancelled, L);
    if (ev->summary)
        pl_buf_printf(&d, "%s\n\n", ev->summary);
    if (ev->description)
        pl_buf_printf(&d, "%s\n\n", ev->description);
    if (ev->organizations.count) {
        pl_buf_puts(&d, pl_lang_text(L, PL_T_FEEDS_ORGANISED_BY));
        for (size_t i = 0; i < ev->organizations.count; i++)
            pl_buf_printf(&d, "%s%s", i ? ", " : "", ev->organizations.items[i]);
        pl_buf_puts(&d, "\n");
    }
    if (is_online(ev)) {
        ics_textf(&d, pl_lang_text(L, PL_T_FEEDS_ONLINE_LINK), ev->online_url);
        pl_buf_puts(&d, "\n");
    } else if (ev->venue_name || ev->venue_address) {
        pl_buf_puts(&d, pl_lang_text(L, PL_T_FEEDS_PLACE));
        add_place(&d, ev, NULL);
        pl_buf_puts(&d, "\n");
    }
    add_page_link(&d, opts, ev);
    add_description(c, &d);
    add_where(c, ev, NULL, opts);
    return c;
}

icalcomponent *pl_feed_session_item(const pl_event *ev, const pl_session *s,
                                    const pl_calendar_options *opts, const char *note,
                                    int tentative)
{
    icalcomponent *c = icalcomponent_new_vevent();
    int cancelled = s->cancelled || event_cancelled(ev);
    pl_lang L = pl_event_lang(ev);
    pl_buf d = PL_BUF_INIT;

    ics_add_revision(c, s->uid, s->created, s->modified, s->sequence, cancelled);
    if (tentative && !cancelled) {
        icalproperty *st = icalcomponent_get_first_property(c, ICAL_STATUS_PROPERTY);
        icalproperty_set_status(st, ICAL_STATUS_TENTATIVE);
    }
    icalcomponent_add_property(c, ics_local_prop(ICAL_DTSTART_PROPERTY, s->start, ev->timezone));
    /* RFC 5545: DTEND after DTSTART. A session saved with its times the
     * wrong way round (an agenda conflict, not refused) gets no DTEND. */
    if (strcmp(s->end, s->start) > 0)
        icalcomponent_add_property(c, ics_local_prop(ICAL_DTEND_PROPERTY, s->end, ev->timezone));
    ics_add_summary(c, s->title, cancelled, L);
    if (note)
        pl_buf_printf(&d, "%s\n\n", note);
    if (s->description)
        pl_buf_printf(&d, "%s\n\n", s->description);
    if (s->speakers.count) {
        pl_buf_puts(
            &d, pl_lang_text(L, s->speakers.count > 1 ? PL_T_FEEDS_SPEAKERS : PL_T_FEEDS_SPEAKER));
        for (size_t i = 0; i < s->speakers.count; i++) {
            const pl_speaker *sp = pl_event_speaker(ev, s->speakers.items[i]);
            if (!sp)
                continue;
            pl_buf_printf(&d, "%s%s", i ? ", " : "", sp->name);
            if (sp->organization)
                pl_buf_printf(&d, " (%s)", sp->organization);
        }
        pl_buf_puts(&d, "\n");
    }
    if (s->room && strcmp(ev->format, "online") != 0) {
        ics_textf(&d, pl_lang_text(L, PL_T_FEEDS_ROOM), s->room);
        pl_buf_puts(&d, "\n");
    }
    if (is_online(ev)) {
        ics_textf(&d, pl_lang_text(L, PL_T_FEEDS_ONLINE_LINK), ev->online_url);
        pl_buf_puts(&d, "\n");
    }
    ics_textf(&d, pl_lang_text(L, PL_T_FEEDS_EVENT), ev->title);
    pl_buf_puts(&d, "\n");
    add_page_link(&d, opts, ev);
    add_description(c, &d);
    add_where(c, ev, s->room, opts);
    return c;
}

/* External times: local in tzid, UTC ("...Z"), or a date ("YYYY-MM-DD"). */
static icalproperty *external_time(icalproperty_kind kind, const char *s, const char *tzid)
{
    struct icaltimetype t;

    if (strlen(s) == 10) {
        t = date_of(s, 0);
        return kind == ICAL_DTSTART_PROPERTY ? icalproperty_new_dtstart(t)
                                             : icalproperty_new_dtend(t);
    }
    if (tzid)
        return ics_local_prop(kind, s, tzid);
    t = ics_utc(s);
    return kind == ICAL_DTSTART_PROPERTY ? icalproperty_new_dtstart(t) : icalproperty_new_dtend(t);
}

static icalcomponent *external_item(const pl_external_event *x, pl_lang L)
{
    icalcomponent *c = icalcomponent_new_vevent();

    ics_add_revision(c, x->uid, x->created, x->modified, x->sequence, x->cancelled);
    icalcomponent_add_property(c, external_time(ICAL_DTSTART_PROPERTY, x->start, x->tzid));
    if (x->end)
        icalcomponent_add_property(c, external_time(ICAL_DTEND_PROPERTY, x->end, x->tzid));
    if (x->rrule) {
        struct icalrecurrencetype r = icalrecurrencetype_from_string(x->rrule);
        if (r.freq != ICAL_NO_RECURRENCE)
            icalcomponent_add_property(c, icalproperty_new_rrule(r));
    }
    ics_add_summary(c, x->summary ? x->summary : pl_lang_text(L, PL_T_FEEDS_UNTITLED), x->cancelled,
                    L);
    if (x->description)
        icalcomponent_add_property(c, icalproperty_new_description(x->description));
    if (x->location)
        icalcomponent_add_property(c, icalproperty_new_location(x->location));
    if (x->has_geo) {
        struct icalgeotype geo = {x->lat, x->lon};
        icalcomponent_add_property(c, icalproperty_new_geo(geo));
    }
    if (x->url)
        icalcomponent_add_property(c, icalproperty_new_url(x->url));
    return c;
}

/* Whether the event can be written: its zone's rules are known. In the
 * all-events feed an event that cannot is left out and reported; a feed of
 * that one event fails. */
static int writable(ics_writer *w, const char *zone, const char *what, const char *id, int all,
                    int *skip)
{
    const pl_calendar_options *o = w->opts;
    char msg[320];

    *skip = 0;
    if (ics_zone_writable(zone))
        return 0;
    snprintf(msg, sizeof(msg), "%s '%s': time zone '%s' has no rules libical knows", what, id,
             zone);
    if (!all)
        return pl_error_set(w->err, PL_EINVALID, "%s", msg);
    if (o && o->warn) {
        char line[400];
        snprintf(line, sizeof(line), "%s; left out of the feed", msg);
        o->warn(o->warn_payload, line);
    }
    *skip = 1;
    return 0;
}

/* The feed of events and externals. name and description NULL: the
 * all-events feed's, in the language of its first event (French when it
 * has none), like its X-WR-TIMEZONE. */
static int write_all(ics_writer *w, const pl_event *const *events, size_t nevents,
                     const pl_external_event *externals, size_t nexternals, const char *name,
                     const char *description, int all)
{
    const char *tz_default = NULL;
    pl_lang L = PL_LANG_FR;
    unsigned char *skip_ev = nevents ? calloc(nevents, 1) : NULL;
    unsigned char *skip_x = nexternals ? calloc(nexternals, 1) : NULL;
    int rc = 0, skip;

    if ((nevents && !skip_ev) || (nexternals && !skip_x)) {
        rc = pl_error_oom(w->err);
        goto done;
    }
    for (size_t i = 0; i < nevents && rc == 0; i++) {
        const pl_event *ev = events[i];
        if (all && strcmp(ev->status, "draft") == 0) {
            skip_ev[i] = 1;
            continue;
        }
        if ((rc = writable(w, ev->timezone, "event", ev->slug, all, &skip)) < 0 || skip) {
            skip_ev[i] = 1;
            continue;
        }
        if (!tz_default) {
            tz_default = ev->timezone;
            L = pl_event_lang(ev);
        }
        rc = ics_use_zone(w, ev->timezone, ev->start);
        for (size_t k = 0; k < ev->nsessions && rc == 0; k++)
            rc = ics_use_zone(w, ev->timezone, ev->sessions[k].start);
    }
    for (size_t i = 0; i < nexternals && rc == 0; i++) {
        if (!externals[i].tzid)
            continue;
        if ((rc = writable(w, externals[i].tzid, "subscribed event", externals[i].uid, all,
                           &skip)) < 0 ||
            skip) {
            skip_x[i] = 1;
            continue;
        }
        rc = ics_use_zone(w, externals[i].tzid, externals[i].start);
    }
    if (rc < 0)
        goto done;
    if ((rc = ics_begin(w, name ? name : pl_lang_text(L, PL_T_FEEDS_ALL_NAME),
                        description ? description : pl_lang_text(L, PL_T_FEEDS_ALL_DESCRIPTION),
                        tz_default ? tz_default : DEFAULT_ZONE)) < 0)
        goto done;
    for (size_t i = 0; i < nevents && rc == 0; i++) {
        const pl_event *ev = events[i];
        if (skip_ev[i])
            continue;
        rc = ics_add(w, pl_feed_event_item(ev, w->opts));
        for (size_t k = 0; k < ev->nsessions && rc == 0; k++)
            rc = ics_add(w, pl_feed_session_item(ev, &ev->sessions[k], w->opts, NULL, 0));
    }
    for (size_t i = 0; i < nexternals && rc == 0; i++)
        if (!skip_x[i])
            rc = ics_add(w, external_item(&externals[i], L));
done:
    free(skip_ev);
    free(skip_x);
    return rc;
}

int pl_calendar_write_events(char **out, size_t *len, pl_event *const *events, size_t nevents,
                             const pl_external_event *externals, size_t nexternals,
                             const pl_calendar_options *opts, pl_error *err)
{
    ics_writer w = {.opts = opts, .err = err};
    int rc;

    *out = NULL;
    *len = 0;
    pl_ical_lock();
    rc = write_all(&w, (const pl_event *const *)events, nevents, externals, nexternals,
                   opts ? opts->name : NULL, opts ? opts->description : NULL, 1);
    if (rc == 0)
        rc = ics_finish(&w, out, len);
    ics_writer_clear(&w);
    pl_ical_unlock();
    return rc;
}

int pl_calendar_feed_all(char **out, size_t *len, pl_store *store, const pl_calendar_options *opts,
                         pl_error *err)
{
    pl_event **events = NULL;
    pl_external_event *externals = NULL;
    size_t nevents = 0, nexternals = 0;
    int rc;

    *out = NULL;
    *len = 0;
    if ((rc = pl_event_list(&events, &nevents, store, err)) < 0)
        goto done;
    if ((rc = pl_external_list(&externals, &nexternals, store, err)) < 0)
        goto done;
    rc = pl_calendar_write_events(out, len, events, nevents, externals, nexternals, opts, err);
done:
    pl_event_list_free(events, nevents);
    pl_external_list_free(externals, nexternals);
    return rc;
}

int pl_calendar_write_event(char **out, size_t *len, const pl_event *ev,
                            const pl_calendar_options *opts, pl_error *err)
{
    ics_writer w = {.opts = opts, .err = err};
    pl_buf desc = PL_BUF_INIT;
    int rc;

    *out = NULL;
    *len = 0;
    if (!(opts && opts->description) &&
        pl_buf_puts(&desc, ev->summary ? ev->summary : ev->title) < 0)
        return pl_error_oom(err);
    pl_ical_lock();
    rc = write_all(&w, &ev, 1, NULL, 0, opts && opts->name ? opts->name : ev->title,
                   opts && opts->description ? opts->description : desc.data, 0);
    if (rc == 0)
        rc = ics_finish(&w, out, len);
    ics_writer_clear(&w);
    pl_ical_unlock();
    pl_buf_free(&desc);
    return rc;
}

int pl_calendar_feed_event(char **out, size_t *len, pl_store *store, const char *slug,
                           const pl_calendar_options *opts, pl_error *err)
{
    pl_event *ev = NULL;
    int rc;

    *out = NULL;
    *len = 0;
    if ((rc = pl_event_load(&ev, store, slug, err)) < 0)
        return rc;
    if (strcmp(ev->status, "draft") == 0 && !(opts && opts->include_drafts))
        rc = pl_error_set(err, PL_ENOTFOUND, "event '%s' is a draft: it has no public feed yet",
                          slug);
    else
        rc = pl_calendar_write_event(out, len, ev, opts, err);
    pl_event_free(ev);
    return rc;
}
