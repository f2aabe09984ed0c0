#include "personal.h"
#include "feed_items.h"
#include "ical_lock.h"
#include "ics_writer.h"
#include "lang.h"

#include <stdlib.h>
#include <string.h>

/* Sessions everyone attends; workshops only when chosen, and not while
 * the person is on that workshop's waiting list. */
static int attends(const pl_registration *reg, const pl_session *s)
{
    if (strcmp(s->kind, "workshop") != 0)
        return 1;
    for (size_t i = 0; i < reg->sessions.count; i++)
        if (strcmp(reg->sessions.items[i], s->id) == 0)
            return !(reg->session_waiting && reg->session_waiting[i]);
    return 0;
}

static int status_bump(pl_reg_status status)
{
    return status == PL_REG_WAITLISTED ? 0 : status == PL_REG_CONFIRMED ? 1 : 2;
}

static const char *later(const char *a, const char *b)
{
    return !a ? b : !b ? a : strcmp(a, b) >= 0 ? a : b;
}

/* The session item, turned into the person's attendance of it. */
static icalcomponent *attendance(const pl_event *ev, const pl_session *s,
                                 const pl_registration *reg, const pl_calendar_options *opts)
{
    pl_session mine = *s;
    pl_buf uid = PL_BUF_INIT, note = PL_BUF_INIT;
    const char *at = strchr(s->uid, '@');
    pl_lang L = pl_event_lang(ev);
    icalcomponent *c;

    pl_buf_printf(&uid, "p-%s-%.*s%s", reg->uid, at ? (int)(at - s->uid) : (int)strlen(s->uid),
                  s->uid, at ? at : "@planner");
    mine.sequence = s->sequence + status_bump(reg->status);
    mine.modified = (char *)later(s->modified, reg->updated);
    mine.cancelled = s->cancelled || reg->status == PL_REG_CANCELLED;
    if (reg->status == PL_REG_WAITLISTED)
        ics_textf(&note, pl_lang_text(L, PL_T_FEEDS_WAITLISTED), reg->waitlist_position);
    else if (reg->status == PL_REG_CANCELLED)
        pl_buf_puts(&note, pl_lang_text(L, PL_T_FEEDS_REGISTRATION_CANCELLED));
    else if (strcmp(s->kind, "meal") == 0 && !reg->meal)
        pl_buf_puts(&note, pl_lang_text(L, PL_T_FEEDS_NO_MEAL));
    c = pl_feed_session_item(ev, &mine, opts, note.len ? note.data : NULL,
                             reg->status == PL_REG_WAITLISTED);
    if (uid.data)
        icalproperty_set_uid(icalcomponent_get_first_property(c, ICAL_UID_PROPERTY), uid.data);
    pl_buf_free(&uid);
    pl_buf_free(&note);
    return c;
}

/* Each trip's words: the way there picks people up and arrives at the
 * venue; the way home leaves the venue and drops them off. */
static const struct trip_words {
    pl_text_id drive_many, drive_one, with, summary; /* summary: when the others fail */
    pl_text_id place_driver, place_passenger, passengers_driver;
} trip_words[] = {
    [PL_CARPOOL_OUTBOUND] = {PL_T_FEEDS_YOU_DRIVE_MANY, PL_T_FEEDS_YOU_DRIVE_ONE,
                             PL_T_FEEDS_PICKUP_WITH, PL_T_FEEDS_CARPOOL, PL_T_FEEDS_DEPARTURE,
                             PL_T_FEEDS_PICKUP_PLACE, PL_T_FEEDS_PASSENGERS_IN_ORDER},
    [PL_CARPOOL_RETURN] = {PL_T_FEEDS_HOME_YOU_DRIVE_MANY, PL_T_FEEDS_HOME_YOU_DRIVE_ONE,
                           PL_T_FEEDS_HOME_WITH, PL_T_FEEDS_RIDE_HOME, PL_T_FEEDS_HOME_ARRIVAL,
                           PL_T_FEEDS_HOME_DROP_OFF, PL_T_FEEDS_HOME_DROP_OFFS},
};

/* The person's ride of one trip. The way there: from the pickup (its
 * LOCATION and GEO) to the venue, by the event's start unless the plan says
 * when; the way home: from the venue (its LOCATION) to the drop-off. The
 * ride follows the registration: once it is no longer confirmed, the ride
 * shows as cancelled (one SEQUENCE higher), like the sessions. */
static icalcomponent *ride_item(const pl_event *ev, const pl_registration *reg,
                                const pl_calendar_pickup *ride, pl_carpool_trip trip)
{
    const struct trip_words *w = &trip_words[trip];
    int there = trip == PL_CARPOOL_OUTBOUND;
    icalcomponent *c = icalcomponent_new_vevent();
    pl_buf d = PL_BUF_INIT, summary = PL_BUF_INIT;
    pl_calendar_pickup mine = *ride;
    const pl_calendar_pickup *p = &mine;
    const char *location = there ? p->place : ev->venue_name;
    pl_lang L = pl_event_lang(ev);

    if (reg->status != PL_REG_CONFIRMED && !mine.cancelled) {
        mine.cancelled = 1;
        mine.sequence++;
        mine.modified = later(mine.modified, reg->updated);
    }
    ics_add_revision(c, p->uid, p->created, p->modified, p->sequence, p->cancelled);
    icalcomponent_add_property(c, ics_local_prop(ICAL_DTSTART_PROPERTY, p->time, ev->timezone));
    icalcomponent_add_property(c, ics_local_prop(ICAL_DTEND_PROPERTY,
                                                 there && !p->arrival ? ev->start : p->arrival,
                                                 ev->timezone));
    if (p->is_driver)
        ics_textf(&summary, pl_lang_text(L, p->npassengers > 1 ? w->drive_many : w->drive_one),
                  p->npassengers);
    else
        ics_textf(&summary, pl_lang_text(L, w->with),
                  p->driver_first_name ? p->driver_first_name
                                       : pl_lang_text(L, PL_T_FEEDS_YOUR_DRIVER));
    ics_add_summary(c, summary.data ? summary.data : pl_lang_text(L, w->summary), p->cancelled, L);
    if (location)
        icalcomponent_add_property(c, icalproperty_new_location(location));
    if (p->place) {
        ics_textf(&d, pl_lang_text(L, p->is_driver ? w->place_driver : w->place_passenger),
                  p->place);
        pl_buf_puts(&d, "\n");
    }
    if (there && p->has_geo) {
        struct icalgeotype geo = {p->lat, p->lon};
        icalcomponent_add_property(c, icalproperty_new_geo(geo));
    }
    if (!p->is_driver && p->driver_first_name) {
        ics_textf(&d, pl_lang_text(L, PL_T_FEEDS_DRIVER), p->driver_first_name);
        pl_buf_puts(&d, "\n");
    }
    if (p->driver_phone) {
        ics_textf(&d, pl_lang_text(L, PL_T_FEEDS_DRIVER_PHONE), p->driver_phone);
        pl_buf_puts(&d, "\n");
    }
    if (p->npassengers) {
        pl_buf_puts(
            &d, pl_lang_text(L, p->is_driver ? w->passengers_driver : PL_T_FEEDS_OTHER_PASSENGERS));
        for (size_t i = 0; i < p->npassengers; i++)
            pl_buf_printf(&d, "%s%s", i ? ", " : "", p->passengers[i]);
        pl_buf_puts(&d, "\n");
    }
    if (there) /* the last line: where the ride ends */
        ics_textf(&d, pl_lang_text(L, PL_T_FEEDS_ARRIVAL),
                  ev->venue_name ? ev->venue_name : ev->title);
    else
        while (d.len && d.data[d.len - 1] == '\n') /* no empty last line */
            d.data[--d.len] = '\0';
    if (d.len)
        icalcomponent_add_property(c, icalproperty_new_description(d.data));
    pl_buf_free(&d);
    pl_buf_free(&summary);
    return c;
}

int pl_calendar_write_personal(char **out, size_t *len, const pl_event *ev,
                               const pl_registration *reg, const pl_calendar_pickup *pickup,
                               const pl_calendar_options *opts, pl_error *err)
{
    ics_writer w = {.opts = opts, .err = err};
    pl_buf name = PL_BUF_INIT, desc = PL_BUF_INIT;
    int rc;

    *out = NULL;
    *len = 0;
    pl_ical_lock();
    if ((rc = ics_use_zone(&w, ev->timezone, ev->start)) < 0)
        goto done;
    for (size_t i = 0; i < ev->nsessions && rc == 0; i++)
        rc = ics_use_zone(&w, ev->timezone, ev->sessions[i].start);
    if (pickup && pickup->time && rc == 0)
        rc = ics_use_zone(&w, ev->timezone, pickup->time);
    if (pickup && pickup->home && pickup->home->time && rc == 0)
        rc = ics_use_zone(&w, ev->timezone, pickup->home->time);
    if (rc < 0)
        goto done;
    ics_textf(&name, pl_lang_text(pl_event_lang(ev), PL_T_FEEDS_MY_NAME), ev->title);
    ics_textf(&desc, pl_lang_text(pl_event_lang(ev), PL_T_FEEDS_MY_DESCRIPTION), reg->name);
    if (!name.data || !desc.data) {
        rc = pl_error_oom(err);
        goto done;
    }
    if ((rc = ics_begin(&w, opts && opts->name ? opts->name : name.data,
                        opts && opts->description ? opts->description : desc.data, ev->timezone)) <
        0)
        goto done;
    for (size_t i = 0; i < ev->nsessions && rc == 0; i++)
        if (attends(reg, &ev->sessions[i]))
            rc = ics_add(&w, attendance(ev, &ev->sessions[i], reg, opts));
    if (rc == 0 && pickup && pickup->uid && pickup->time)
        rc = ics_add(&w, ride_item(ev, reg, pickup, PL_CARPOOL_OUTBOUND));
    if (rc == 0 && pickup && pickup->home && pickup->home->uid && pickup->home->time)
        rc = ics_add(&w, ride_item(ev, reg, pickup->home, PL_CARPOOL_RETURN));
    if (rc == 0)
        rc = ics_finish(&w, out, len);
done:
    ics_writer_clear(&w);
    pl_ical_unlock();
    pl_buf_free(&name);
    pl_buf_free(&desc);
    return rc;
}
