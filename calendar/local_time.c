#include "local_time.h"
#include "ical_lock.h"

#include <libical/ical.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define DAY 86400LL

static icaltimezone *find_zone(const char *zone, pl_error *err)
{
    icaltimezone *tz = zone ? icaltimezone_get_builtin_timezone(zone) : NULL;

    if (!tz)
        pl_error_set(err, PL_EINVALID, "time zone '%s' is unknown to libical",
                     zone ? zone : "(none)");
    return tz;
}

/* UTC offset in seconds of tz at the UTC instant u (seconds since 1970). */
static int offset_at(icaltimezone *tz, long long u)
{
    struct icaltimetype t =
        icaltime_from_timet_with_zone((time_t)u, 0, icaltimezone_get_utc_timezone());
    int is_daylight = 0;

    return icaltimezone_get_utc_offset_of_utc_time(tz, &t, &is_daylight);
}

/* "HH:MM" of the wall time w (seconds since 1970, no zone). */
static void format_clock(char out[6], long long w)
{
    long long s = ((w % DAY) + DAY) % DAY;

    snprintf(out, 6, "%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60));
}

static int classify(pl_local_time *out, icaltimezone *tz, const pl_datetime *dt)
{
    long long w = pl_datetime_minutes(dt) * 60;
    /* Zones change offset at most once in two days: the offsets a day
     * either side are the only candidates, and each that maps back onto
     * itself is one instant showing this wall time. */
    int before = offset_at(tz, w - DAY), after = offset_at(tz, w + DAY);
    int instants = offset_at(tz, w - before) == before;
    long long lo = w - DAY, hi = w + DAY;

    memset(out, 0, sizeof(*out));
    if (before == after)
        return 0;
    instants += offset_at(tz, w - after) == after;
    if (instants == 1)
        return 0;
    out->kind = instants == 0 ? PL_LOCAL_TIME_NONEXISTENT : PL_LOCAL_TIME_AMBIGUOUS;
    while (hi - lo > 1) { /* hi: the first second of the new offset */
        long long mid = lo + (hi - lo) / 2;
        if (offset_at(tz, mid) == before)
            lo = mid;
        else
            hi = mid;
    }
    format_clock(out->clock_from, hi + before);
    format_clock(out->clock_to, hi + after);
    return 0;
}

static int local_time(pl_local_time *out, const char *zone, const char *local, pl_error *err)
{
    icaltimezone *tz = find_zone(zone, err);
    pl_datetime dt;

    if (!tz)
        return PL_EINVALID;
    if (!local || pl_datetime_parse(&dt, local) != 0)
        return pl_error_set(err, PL_EINVALID, "'%s' is not a local time YYYY-MM-DDTHH:MM",
                            local ? local : "(none)");
    return classify(out, tz, &dt);
}

/* Report the time `when` (an event's or a session's start or end). */
static void check_time(icaltimezone *tz, const pl_event *ev, const pl_session *s, const char *verb,
                       const char *when, pl_conflict_fn fn, void *payload)
{
    pl_conflict c;
    pl_local_time lt;
    pl_datetime dt;
    char who[160];

    if (!when || pl_datetime_parse(&dt, when) != 0)
        return; /* the core reports malformed times as bad-times */
    classify(&lt, tz, &dt);
    if (lt.kind == PL_LOCAL_TIME_NORMAL)
        return;
    memset(&c, 0, sizeof(c));
    c.session = s ? s->id : NULL;
    c.detail = when; /* borrowed from ev, like the session's id */
    if (s)
        snprintf(who, sizeof(who), "session '%s'", s->id);
    else
        snprintf(who, sizeof(who), "the event");
    if (lt.kind == PL_LOCAL_TIME_NONEXISTENT) {
        c.kind = PL_CONFLICT_NONEXISTENT_TIME;
        snprintf(c.message, sizeof(c.message),
                 "%s %s at %s, a time that does not exist in %s (the clocks jump from %s to %s)",
                 who, verb, when, ev->timezone, lt.clock_from, lt.clock_to);
    } else {
        c.kind = PL_CONFLICT_AMBIGUOUS_TIME;
        snprintf(c.message, sizeof(c.message),
                 "%s %s at %s, a time that happens twice in %s (the clocks go back from %s to "
                 "%s); calendars take the first",
                 who, verb, when, ev->timezone, lt.clock_from, lt.clock_to);
    }
    fn(&c, payload);
}

static int check_local_times(const pl_event *ev, pl_conflict_fn fn, void *payload, pl_error *err)
{
    icaltimezone *tz = find_zone(ev->timezone, err);

    if (!tz)
        return PL_EINVALID;
    check_time(tz, ev, NULL, "starts", ev->start, fn, payload);
    check_time(tz, ev, NULL, "ends", ev->end, fn, payload);
    for (size_t i = 0; i < ev->nsessions; i++) {
        const pl_session *s = &ev->sessions[i];
        if (s->cancelled)
            continue;
        check_time(tz, ev, s, "starts", s->start, fn, payload);
        check_time(tz, ev, s, "ends", s->end, fn, payload);
    }
    return 0;
}

static int local_from_utc(char *out, size_t size, const char *zone, const char *utc, pl_error *err)
{
    icaltimezone *tz = find_zone(zone, err);
    char minute[17];
    pl_datetime dt;
    long long u, w;
    time_t t;
    struct tm tm;

    if (!tz)
        return PL_EINVALID;
    if (!utc || strlen(utc) != 20 || utc[16] != ':' || utc[19] != 'Z')
        return pl_error_set(err, PL_EINVALID, "'%s' is not a UTC time YYYY-MM-DDTHH:MM:SSZ",
                            utc ? utc : "(none)");
    memcpy(minute, utc, 16);
    minute[16] = '\0';
    if (pl_datetime_parse(&dt, minute) != 0 || utc[17] < '0' || utc[17] > '5' || utc[18] < '0' ||
        utc[18] > '9')
        return pl_error_set(err, PL_EINVALID, "'%s' is not a UTC time YYYY-MM-DDTHH:MM:SSZ", utc);
    u = pl_datetime_minutes(&dt) * 60 + (utc[17] - '0') * 10 + (utc[18] - '0');
    w = u + offset_at(tz, u);
    t = (time_t)w;
    if (!gmtime_r(&t, &tm))
        return pl_error_set(err, PL_EINVALID, "'%s' is out of range", utc);
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min);
    return 0;
}

/* ---- the public functions: each under the libical lock ---- */

int pl_calendar_local_time(pl_local_time *out, const char *zone, const char *local, pl_error *err)
{
    int rc;

    pl_ical_lock();
    rc = local_time(out, zone, local, err);
    pl_ical_unlock();
    return rc;
}

int pl_calendar_check_local_times(const pl_event *ev, pl_conflict_fn fn, void *payload,
                                  pl_error *err)
{
    int rc;

    pl_ical_lock();
    rc = check_local_times(ev, fn, payload, err);
    pl_ical_unlock();
    return rc;
}

int pl_calendar_local_from_utc(char *out, size_t size, const char *zone, const char *utc,
                               pl_error *err)
{
    int rc;

    pl_ical_lock();
    rc = local_from_utc(out, size, zone, utc, err);
    pl_ical_unlock();
    return rc;
}
