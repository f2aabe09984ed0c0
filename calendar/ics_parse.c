/*
 * ics_parse.c - remote iCalendar text to plain pl_external_event records.
 * This is the code the fuzz target (tests/fuzz/fuzz_ics.c) drives.
 */
#include "ical_lock.h"
#include "subscribe.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_EVENTS 50000
#define MAX_TEXT 20000 /* bytes kept of one text field */
#define DEFAULT_ZONE "Europe/Paris"
#define ZONE_MAX 64 /* the longest IANA name is 32 bytes */

/* A copy of s as valid UTF-8 (bad bytes become U+FFFD), without control
 * characters other than newline and tab, at most MAX_TEXT bytes. */
static char *clean_text(const char *s)
{
    pl_buf b = PL_BUF_INIT;
    const unsigned char *p = (const unsigned char *)s;

    if (!s)
        return NULL;
    while (*p && b.len < MAX_TEXT) {
        size_t n = *p < 0x80             ? 1
                   : (*p & 0xE0) == 0xC0 ? 2
                   : (*p & 0xF0) == 0xE0 ? 3
                   : (*p & 0xF8) == 0xF0 ? 4
                                         : 0;
        size_t i = 1;
        while (i < n && (p[i] & 0xC0) == 0x80)
            i++;
        /* overlong 2-byte forms and surrogates are refused as well */
        if (n == 0 || i < n || (n == 2 && *p < 0xC2) || (n == 3 && *p == 0xED && p[1] >= 0xA0) ||
            (n == 4 && (*p > 0xF4 || (*p == 0xF0 && p[1] < 0x90))) ||
            (n == 3 && *p == 0xE0 && p[1] < 0xA0)) {
            pl_buf_puts(&b, "\xEF\xBF\xBD");
            p += i > 1 ? i : 1;
            continue;
        }
        if (n == 1 && *p < 0x20 && *p != '\n' && *p != '\t') {
            p++;
            continue;
        }
        pl_buf_append(&b, (const char *)p, n);
        p += n;
    }
    return pl_buf_detach(&b);
}

static char *fmt_time(struct icaltimetype t, int utc)
{
    char buf[32];

    if (t.is_date)
        snprintf(buf, sizeof(buf), "%04d-%02d-%02d", t.year, t.month, t.day);
    else
        snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d%s", t.year, t.month, t.day,
                 t.hour, t.minute, t.second, utc ? "Z" : "");
    return strdup(buf);
}

/*
 * The IANA name libical knows for a TZID ("/mozilla.org/.../Europe/Paris",
 * "/freeassociation.sourceforge.net/Europe/Paris"), copied into out (at
 * least ZONE_MAX bytes). Returns out, or NULL when there is none.
 *
 * A copy, never libical's own string: the location of a built-in zone is
 * freed and replaced when libical first loads the zone's rules (on the
 * first conversion into or out of it), so a pointer kept from here would
 * dangle as soon as a later time of the same feed is converted.
 */
static const char *iana_zone(const char *tzid, char *out)
{
    if (!tzid || !*tzid)
        return NULL;
    for (const char *p = tzid; p; p = strchr(p, '/')) {
        if (*p == '/')
            p++;
        icaltimezone *z = icaltimezone_get_builtin_timezone(p);
        const char *name = z ? icaltimezone_get_location(z) : NULL;
        if (name && strlen(name) < ZONE_MAX) {
            memcpy(out, name, strlen(name) + 1);
            return out;
        }
    }
    return NULL;
}

/*
 * A VTIMEZONE's observances recur yearly (RFC 5545 3.6.5 and every real
 * feed); libical expands a rule from its DTSTART up to the year converted,
 * so an HOURLY rule from 1996 costs seconds per conversion (found by
 * fuzz_ics: 8 s for a 12 KB feed). Rules of any other frequency are
 * dropped: that observance then starts once, at its DTSTART.
 */
static void tame_rules(icalcomponent *observance)
{
    icalproperty *p = icalcomponent_get_first_property(observance, ICAL_RRULE_PROPERTY);

    while (p) {
        icalproperty *next = icalcomponent_get_next_property(observance, ICAL_RRULE_PROPERTY);
        if (icalproperty_get_rrule(p).freq != ICAL_YEARLY_RECURRENCE) {
            icalcomponent_remove_property(observance, p);
            icalproperty_free(p);
        }
        p = next;
    }
}

/* Every VTIMEZONE of the tree, wherever a broken feed nests it (inside a
 * VEVENT, a second VCALENDAR: libical still finds it). Deeper than 32
 * levels nothing is read of a feed anyway (events are VCALENDAR's
 * children), so the walk stops there and never exhausts the stack. */
static void tame_vtimezones(icalcomponent *c, int in_zone, int depth)
{
    if (depth > 32)
        return;
    for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); k;
         k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
        if (in_zone)
            tame_rules(k);
        tame_vtimezones(k, icalcomponent_isa(k) == ICAL_VTIMEZONE_COMPONENT, depth + 1);
    }
}

typedef struct when {
    char *text;
    char zone[ZONE_MAX]; /* IANA, for local times; "" for UTC and dates */
} when;

static int valid(struct icaltimetype t)
{
    return !icaltime_is_null_time(t) && icaltime_is_valid_time(t) && t.year >= 1 &&
           t.year <= 9999 && t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31;
}

static const char *tzid_of(icalproperty *prop)
{
    icalparameter *param = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
    return param ? icalparameter_get_tzid(param) : NULL;
}

/* The start, as libical resolved it: a date, UTC, local in a known IANA
 * zone (kept as is: recurrences then follow the zone's DST), or, in a zone
 * libical only knows from the feed's own VTIMEZONE, converted to UTC.
 * Floating times are taken in the feed's default zone. */
static int convert_start(when *out, icalproperty *prop, struct icaltimetype t,
                         const char *default_zone)
{
    char known[ZONE_MAX];
    const char *tzid = tzid_of(prop), *zone = iana_zone(tzid, known);

    out->zone[0] = '\0';
    if (!valid(t))
        return PL_EINVALID;
    if (t.is_date || icaltime_is_utc(t)) {
        out->text = fmt_time(t, !t.is_date);
    } else if (zone || !tzid) {
        snprintf(out->zone, sizeof(out->zone), "%s", zone ? zone : default_zone);
        out->text = fmt_time(t, 0);
    } else {
        if (!t.zone) /* an unknown TZID without its VTIMEZONE */
            t.zone = icaltimezone_get_builtin_timezone(default_zone);
        out->text = fmt_time(icaltime_convert_to_zone(t, icaltimezone_get_utc_timezone()), 1);
    }
    return out->text ? 0 : PL_ERROR;
}

/* The end, in the same form as the start. */
static int convert_end(when *out, icalproperty *prop, struct icaltimetype t, const when *start,
                       const char *default_zone)
{
    int start_is_date = strlen(start->text) == 10;
    const char *tzid = prop ? tzid_of(prop) : NULL;
    char known[ZONE_MAX];
    const char *zone = iana_zone(tzid, known);

    memcpy(out->zone, start->zone, sizeof(out->zone));
    if (!valid(t) || t.is_date != start_is_date)
        return PL_EINVALID;
    if (!start_is_date && !icaltime_is_utc(t)) {
        if (!t.zone) /* floating, or a TZID libical could not resolve */
            t.zone = icaltimezone_get_builtin_timezone(zone           ? zone
                                                       : *start->zone ? start->zone
                                                                      : default_zone);
    }
    if (!start_is_date) {
        icaltimezone *target = *start->zone ? icaltimezone_get_builtin_timezone(start->zone)
                                            : icaltimezone_get_utc_timezone();
        if (t.zone && t.zone != target)
            t = icaltime_convert_to_zone(t, target);
    }
    out->text = fmt_time(t, !start_is_date && !*start->zone);
    return out->text ? 0 : PL_ERROR;
}

static char *x_value(icalcomponent *cal, const char *name)
{
    for (icalproperty *p = icalcomponent_get_first_property(cal, ICAL_X_PROPERTY); p;
         p = icalcomponent_get_next_property(cal, ICAL_X_PROPERTY)) {
        const char *n = icalproperty_get_x_name(p);
        const char *v = icalproperty_get_x(p);
        if (n && v && strcasecmp(n, name) == 0) {
            /* libical keeps X- values escaped */
            pl_buf b = PL_BUF_INIT;
            for (; *v; v++) {
                char c = *v;
                if (c == '\\' && v[1]) {
                    c = *++v;
                    if (c == 'n' || c == 'N')
                        c = '\n';
                }
                pl_buf_append(&b, &c, 1);
            }
            char *raw = pl_buf_detach(&b), *clean = clean_text(raw);
            free(raw);
            return clean;
        }
    }
    return NULL;
}

static int seen_uid(const pl_external_event *list, size_t n, const char *uid)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].uid, uid) == 0)
            return 1;
    return 0;
}

static int convert_event(pl_external_event *x, icalcomponent *c, const char *default_zone)
{
    icalproperty *ps = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    icalproperty *pe = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
    icalproperty *p;
    when start = {0}, end = {0};

    if (!ps || convert_start(&start, ps, icalcomponent_get_dtstart(c), default_zone) < 0) {
        free(start.text);
        return PL_EINVALID;
    }
    x->start = start.text;
    if (*start.zone && !(x->tzid = strdup(start.zone)))
        return PL_ERROR;
    if (pe || icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY)) {
        if (convert_end(&end, pe, icalcomponent_get_dtend(c), &start, default_zone) == 0)
            x->end = end.text;
        else
            free(end.text);
    }
    x->summary = clean_text(icalcomponent_get_summary(c));
    x->description = clean_text(icalcomponent_get_description(c));
    x->location = clean_text(icalcomponent_get_location(c));
    if ((p = icalcomponent_get_first_property(c, ICAL_URL_PROPERTY)))
        x->url = clean_text(icalproperty_get_url(p));
    if ((p = icalcomponent_get_first_property(c, ICAL_GEO_PROPERTY))) {
        struct icalgeotype g = icalproperty_get_geo(p);
        double lat = g.lat, lon = g.lon;
        if (lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
            x->has_geo = 1;
            x->lat = lat;
            x->lon = lon;
        }
    }
    if ((p = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY))) {
        struct icalrecurrencetype r = icalproperty_get_rrule(p);
        if (r.freq != ICAL_NO_RECURRENCE)
            x->rrule = icalrecurrencetype_as_string_r(&r);
    }
    x->cancelled = icalcomponent_get_status(c) == ICAL_STATUS_CANCELLED;
    x->remote_sequence = icalcomponent_get_sequence(c);
    if (x->remote_sequence < 0)
        x->remote_sequence = 0;
    return 0;
}

/* The text must open with BEGIN:VCALENDAR (after a BOM and blank space). */
static int looks_like_calendar(const char *text, size_t len, const char *origin, pl_error *err)
{
    size_t i = 0, n;
    char shown[48];

    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (len - i >= 15 && strncasecmp(text + i, "BEGIN:VCALENDAR", 15) == 0)
        return 0;
    for (n = 0; n < sizeof(shown) - 1 && i + n < len && text[i + n] != '\n' && text[i + n] != '\r';
         n++)
        shown[n] = (unsigned char)text[i + n] < 0x20 || (unsigned char)text[i + n] >= 0x7F
                       ? '?'
                       : text[i + n];
    shown[n] = '\0';
    if (i >= len)
        return pl_error_set(err, PL_EINVALID, "%s: empty answer, not an iCalendar feed", origin);
    return pl_error_set(err, PL_EINVALID,
                        "%s: not an iCalendar feed (it starts with \"%s\", not "
                        "BEGIN:VCALENDAR); nothing was changed",
                        origin, shown);
}

int pl_calendar_parse_external(pl_external_event **out, size_t *count, char **out_name,
                               size_t *skipped, const char *text, size_t len, const char *origin,
                               pl_error *err)
{
    icalcomponent *root = NULL, *cal = NULL;
    pl_external_event *list = NULL;
    size_t n = 0, cap = 0, skip = 0;
    char *copy = NULL, *tz = NULL, default_zone[ZONE_MAX] = DEFAULT_ZONE;
    int rc;

    *out = NULL;
    *count = 0;
    if (out_name)
        *out_name = NULL;
    if ((rc = looks_like_calendar(text, len, origin, err)) < 0)
        return rc;
    if (!(copy = malloc(len + 1)))
        return pl_error_oom(err);
    memcpy(copy, text, len);
    copy[len] = '\0';
    pl_ical_lock(); /* up to icalcomponent_free below */
    icalerror_set_errors_are_fatal(0);
    root = icalparser_parse_string(copy);
    cal = root;
    if (root && icalcomponent_isa(root) == ICAL_XROOT_COMPONENT)
        cal = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
    if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
        rc = pl_error_set(err, PL_EINVALID,
                          "%s: not a readable iCalendar feed; nothing was changed", origin);
        goto done;
    }
    tame_vtimezones(root, 0, 0);
    if ((tz = x_value(cal, "X-WR-TIMEZONE")))
        iana_zone(tz, default_zone); /* left as it was when unknown */
    for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        const char *uid = icalcomponent_get_uid(c);
        /* Overrides of one occurrence share their series' UID: left out. */
        if (!uid || !*uid || icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY) ||
            seen_uid(list, n, uid)) {
            skip++;
            continue;
        }
        if (n == MAX_EVENTS) {
            rc = pl_error_set(err, PL_EINVALID, "%s: more than %d events", origin, MAX_EVENTS);
            goto done;
        }
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            pl_external_event *grown = realloc(list, ncap * sizeof(*grown));
            if (!grown) {
                rc = pl_error_oom(err);
                goto done;
            }
            list = grown;
            cap = ncap;
        }
        pl_external_event *x = &list[n];
        memset(x, 0, sizeof(*x));
        if (!(x->uid = clean_text(uid)) || !*x->uid || convert_event(x, c, default_zone) < 0) {
            pl_external_event_clear(x);
            skip++;
            continue;
        }
        n++;
    }
    if (out_name) {
        char *name = x_value(cal, "X-WR-CALNAME");
        icalproperty *p = icalcomponent_get_first_property(cal, ICAL_NAME_PROPERTY);
        if (!name && p)
            name = clean_text(icalproperty_get_name(p));
        *out_name = name;
    }
    *out = list;
    *count = n;
    list = NULL;
    n = 0;
    rc = 0;
done:
    if (skipped)
        *skipped = skip;
    pl_external_list_free(list, n);
    icalcomponent_free(root);
    pl_ical_unlock();
    free(copy);
    free(tz);
    return rc;
}
