#include "ics_writer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PRODID "-//planner//planner calendar feed//FR"
#define FOLD_LIMIT 75
#define END_LINE "END:VCALENDAR\r\n"

/* ---- folding and the X-WR-* escaping fix-up ---- */

/* Bytes of the character starting at s (1 for a stray byte). */
static size_t char_len(const unsigned char *s, size_t left)
{
    size_t n = *s < 0x80 ? 1 : *s >= 0xF0 ? 4 : *s >= 0xE0 ? 3 : *s >= 0xC0 ? 2 : 1;

    for (size_t i = 1; i < n; i++)
        if (i >= left || (s[i] & 0xC0) != 0x80)
            return 1;
    return n;
}

static int fold_line(pl_buf *out, const char *line, size_t n)
{
    size_t pos = 0, width = 0;

    while (pos < n) {
        size_t unit = char_len((const unsigned char *)line + pos, n - pos);
        /* An escape ("\," "\n" "\\") stays on one line. */
        if (line[pos] == '\\' && pos + 1 < n)
            unit = 1 + char_len((const unsigned char *)line + pos + 1, n - pos - 1);
        if (width + unit > FOLD_LIMIT) {
            if (pl_buf_append(out, "\r\n ", 3) < 0)
                return PL_ERROR;
            width = 1;
        }
        if (pl_buf_append(out, line + pos, unit) < 0)
            return PL_ERROR;
        width += unit;
        pos += unit;
    }
    return pl_buf_append(out, "\r\n", 2);
}

/*
 * libical 3.0 writes X- property values with only '\\' and newlines
 * escaped; X-WR-CALNAME and X-WR-CALDESC are TEXT, so ',' and ';' must be
 * escaped too (RFC 5545 3.3.11). Undo libical's escapes, then escape.
 */
static int escape_x_text(pl_buf *line)
{
    char *colon = memchr(line->data, ':', line->len);
    pl_buf fixed = PL_BUF_INIT;
    size_t start;
    int rc = 0;

    if (!colon)
        return 0;
    start = (size_t)(colon - line->data) + 1;
    rc |= pl_buf_append(&fixed, line->data, start);
    for (size_t i = start; i < line->len; i++) {
        char c = line->data[i];
        if (c == '\\' && i + 1 < line->len) {
            char next = line->data[++i];
            c = next == 'n' || next == 'N' ? '\n' : next;
        }
        switch (c) {
        case '\\':
            rc |= pl_buf_puts(&fixed, "\\\\");
            break;
        case ';':
            rc |= pl_buf_puts(&fixed, "\\;");
            break;
        case ',':
            rc |= pl_buf_puts(&fixed, "\\,");
            break;
        case '\n':
            rc |= pl_buf_puts(&fixed, "\\n");
            break;
        default:
            rc |= pl_buf_append(&fixed, &c, 1);
        }
    }
    if (rc) {
        pl_buf_free(&fixed);
        return PL_ERROR;
    }
    pl_buf_free(line);
    *line = fixed;
    return 0;
}

static int emit_logical(pl_buf *out, pl_buf *line)
{
    if (line->len == 0)
        return 0;
    if (line->len > 5 && strncasecmp(line->data, "X-WR-", 5) == 0 && escape_x_text(line) < 0)
        return PL_ERROR;
    return fold_line(out, line->data, line->len);
}

int pl_ics_refold(pl_buf *out, const char *in, size_t len)
{
    pl_buf line = PL_BUF_INIT;
    size_t pos = 0;
    int rc = 0;

    while (pos < len && rc == 0) {
        size_t end = pos;
        while (end < len && in[end] != '\n' && in[end] != '\r')
            end++;
        if (pos < len && (in[pos] == ' ' || in[pos] == '\t')) {
            rc = pl_buf_append(&line, in + pos + 1, end - pos - 1); /* continuation */
        } else {
            rc = emit_logical(out, &line);
            line.len = 0;
            if (rc == 0)
                rc = pl_buf_append(&line, in + pos, end - pos);
        }
        if (end < len && in[end] == '\r')
            end++;
        if (end < len && in[end] == '\n')
            end++;
        pos = end;
    }
    if (rc == 0)
        rc = emit_logical(out, &line);
    pl_buf_free(&line);
    return rc;
}

/* ---- times ---- */

struct icaltimetype ics_local(const char *s)
{
    struct icaltimetype t = icaltime_null_time();
    int sec = 0;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &t.year, &t.month, &t.day, &t.hour, &t.minute, &sec) >=
        5)
        t.second = sec;
    return t;
}

struct icaltimetype ics_utc(const char *s)
{
    struct icaltimetype t = ics_local(s ? s : "1970-01-01T00:00:00Z");

    t.zone = icaltimezone_get_utc_timezone();
    return t;
}

icalproperty *ics_local_prop(icalproperty_kind kind, const char *s, const char *zone)
{
    struct icaltimetype t = ics_local(s);
    int utc = ics_zone_is_utc(zone);
    icalproperty *p;

    if (utc) /* the wall time is the UTC time: "...Z", no VTIMEZONE */
        t.zone = icaltimezone_get_utc_timezone();
    p = kind == ICAL_DTSTART_PROPERTY ? icalproperty_new_dtstart(t) : icalproperty_new_dtend(t);
    if (!utc)
        icalproperty_add_parameter(p, icalparameter_new_tzid(zone));
    return p;
}

void ics_add_revision(icalcomponent *ev, const char *uid, const char *created, const char *modified,
                      int sequence, int cancelled)
{
    icalcomponent_add_property(ev, icalproperty_new_uid(uid));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(ics_utc(modified)));
    if (created)
        icalcomponent_add_property(ev, icalproperty_new_created(ics_utc(created)));
    icalcomponent_add_property(ev, icalproperty_new_lastmodified(ics_utc(modified)));
    icalcomponent_add_property(ev, icalproperty_new_sequence(sequence));
    icalcomponent_add_property(
        ev, icalproperty_new_status(cancelled ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
}

int ics_textf(pl_buf *b, const char *fmt, ...)
{
    char small[256], *big = NULL;
    va_list ap;
    int n;

    /* a va_list: the format comes from the catalogue, not a literal */
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return PL_ERROR;
    if ((size_t)n < sizeof(small))
        return pl_buf_append(b, small, (size_t)n) < 0 ? PL_ENOMEM : 0;
    if (!(big = malloc((size_t)n + 1)))
        return PL_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    n = pl_buf_append(b, big, (size_t)n) < 0 ? PL_ENOMEM : 0;
    free(big);
    return n;
}

void ics_add_summary(icalcomponent *ev, const char *summary, int cancelled, pl_lang lang)
{
    pl_buf text = PL_BUF_INIT;

    if (cancelled)
        ics_textf(&text, pl_lang_text(lang, PL_T_FEEDS_CANCELLED), summary);
    icalcomponent_add_property(ev, icalproperty_new_summary(text.data ? text.data : summary));
    pl_buf_free(&text);
}

/* ---- zones ---- */

/* Names of UTC in the tz database (its "backward" file and Etc/). libical
 * itself maps "UTC" and "GMT" to its UTC zone, which has no VTIMEZONE. */
static const char *const utc_names[] = {
    "Etc/UTC",   "Etc/UCT",   "Etc/Universal", "Etc/Zulu",  "Etc/GMT",   "Etc/GMT0",
    "Etc/GMT+0", "Etc/GMT-0", "Etc/Greenwich", "UCT",       "Universal", "Zulu",
    "GMT0",      "GMT+0",     "GMT-0",         "Greenwich",
};

int ics_zone_is_utc(const char *zone)
{
    if (!zone)
        return 0;
    for (size_t i = 0; i < sizeof(utc_names) / sizeof(*utc_names); i++)
        if (strcmp(zone, utc_names[i]) == 0)
            return 1;
    return icaltimezone_get_builtin_timezone(zone) == icaltimezone_get_utc_timezone();
}

int ics_zone_writable(const char *zone)
{
    icaltimezone *tz;

    if (!zone)
        return 0;
    if (ics_zone_is_utc(zone))
        return 1;
    tz = icaltimezone_get_builtin_timezone(zone);
    return tz && icaltimezone_get_component(tz);
}

int ics_use_zone(ics_writer *w, const char *zone, const char *local_time)
{
    int year = atoi(local_time);
    ics_zone *grown;

    if (ics_zone_is_utc(zone))
        return 0; /* written as UTC times */
    for (size_t i = 0; i < w->nzones; i++)
        if (strcmp(w->zones[i].name, zone) == 0) {
            if (year < w->zones[i].year)
                w->zones[i].year = year;
            return 0;
        }
    if (!(grown = realloc(w->zones, (w->nzones + 1) * sizeof(*grown))))
        return pl_error_oom(w->err);
    w->zones = grown;
    if (!(w->zones[w->nzones].name = strdup(zone)))
        return pl_error_oom(w->err);
    w->zones[w->nzones++].year = year;
    return 0;
}

static int by_zone_name(const void *a, const void *b)
{
    return strcmp(((const ics_zone *)a)->name, ((const ics_zone *)b)->name);
}

static int same_rule_but_until(icalproperty *a, icalproperty *b)
{
    struct icalrecurrencetype ra = icalproperty_get_rrule(a), rb = icalproperty_get_rrule(b);
    char *sa, *sb;
    int same;

    ra.until = icaltime_null_time();
    rb.until = icaltime_null_time();
    sa = icalrecurrencetype_as_string_r(&ra);
    sb = icalrecurrencetype_as_string_r(&rb);
    same = sa && sb && strcmp(sa, sb) == 0;
    icalmemory_free_buffer(sa);
    icalmemory_free_buffer(sb);
    return same;
}

/*
 * libical converts the system's tzdata with the 32-bit limit of old TZif
 * files: the current rule ends in 2037 and starts again as a second
 * observance. Join them back into the one open-ended rule that clients
 * (Outlook above all) expect.
 */
static void join_split_rules(icalcomponent *vtz)
{
    icalcomponent *obs[64];
    size_t n = 0;

    for (icalcomponent *c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); c && n < 64;
         c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT))
        obs[n++] = c;
    for (size_t i = 0; i < n; i++) {
        icalproperty *ri =
            obs[i] ? icalcomponent_get_first_property(obs[i], ICAL_RRULE_PROPERTY) : NULL;
        if (!ri || icaltime_is_null_time(icalproperty_get_rrule(ri).until))
            continue;
        for (size_t j = i + 1; j < n; j++) {
            icalproperty *rj =
                obs[j] ? icalcomponent_get_first_property(obs[j], ICAL_RRULE_PROPERTY) : NULL;
            if (!rj || icalcomponent_isa(obs[i]) != icalcomponent_isa(obs[j]) ||
                !icaltime_is_null_time(icalproperty_get_rrule(rj).until) ||
                !same_rule_but_until(ri, rj))
                continue;
            icalproperty *fi = icalcomponent_get_first_property(obs[i], ICAL_TZOFFSETFROM_PROPERTY);
            icalproperty *fj = icalcomponent_get_first_property(obs[j], ICAL_TZOFFSETFROM_PROPERTY);
            icalproperty *ti = icalcomponent_get_first_property(obs[i], ICAL_TZOFFSETTO_PROPERTY);
            icalproperty *tj = icalcomponent_get_first_property(obs[j], ICAL_TZOFFSETTO_PROPERTY);
            if (!fi || !fj || !ti || !tj ||
                icalproperty_get_tzoffsetfrom(fi) != icalproperty_get_tzoffsetfrom(fj) ||
                icalproperty_get_tzoffsetto(ti) != icalproperty_get_tzoffsetto(tj))
                continue;
            struct icalrecurrencetype r = icalproperty_get_rrule(ri);
            r.until = icaltime_null_time();
            icalproperty_set_rrule(ri, r);
            icalcomponent_remove_component(vtz, obs[j]);
            icalcomponent_free(obs[j]);
            obs[j] = NULL;
            break;
        }
    }
}

/* The VTIMEZONE of zone, TZID exactly the zone name, rules from year on. */
static icalcomponent *vtimezone(const char *zone, int year)
{
    icaltimezone *tz = icaltimezone_get_builtin_timezone(zone);
    icalcomponent *vtz;
    struct icaltimetype from = icaltime_null_time();

    if (!tz || !icaltimezone_get_component(tz))
        return NULL;
    if (!(vtz = icalcomponent_new_clone(icaltimezone_get_component(tz))))
        return NULL;
    from.year = year > 1900 ? year : 1970;
    from.month = from.day = 1;
    from.zone = icaltimezone_get_utc_timezone();
    /* ms_compatible: the kept RRULEs keep their original DTSTART. */
    icaltimezone_truncate_vtimezone(vtz, from, icaltime_null_time(), 1);
    join_split_rules(vtz);
    icalproperty *id = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
    if (id)
        icalproperty_set_tzid(id, zone);
    else
        icalcomponent_add_property(vtz, icalproperty_new_tzid(zone));
    return vtz;
}

/* ---- the writer ---- */

static int append_component(ics_writer *w, icalcomponent *c)
{
    char *text = icalcomponent_as_ical_string_r(c);
    int rc;

    if (!text)
        return pl_error_set(w->err, PL_ERROR, "cannot serialise a calendar component");
    rc = pl_ics_refold(&w->out, text, strlen(text));
    icalmemory_free_buffer(text);
    return rc < 0 ? pl_error_oom(w->err) : 0;
}

static void add_x(icalcomponent *cal, const char *name, const char *value)
{
    icalproperty *p = icalproperty_new_x(value);

    icalproperty_set_x_name(p, name);
    icalcomponent_add_property(cal, p);
}

int ics_begin(ics_writer *w, const char *name, const char *description, const char *tz_default)
{
    icalcomponent *cal = icalcomponent_new_vcalendar();
    int minutes = w->opts && w->opts->refresh_minutes > 0 ? w->opts->refresh_minutes : 60;
    struct icaldurationtype refresh = icaldurationtype_from_int(minutes * 60);
    char *ttl = icaldurationtype_as_ical_string_r(refresh);
    int rc = 0;

    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
    icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
    icalcomponent_add_property(cal, icalproperty_new_name(name));
    add_x(cal, "X-WR-CALNAME", name);
    if (description) {
        icalcomponent_add_property(cal, icalproperty_new_description(description));
        add_x(cal, "X-WR-CALDESC", description);
    }
    add_x(cal, "X-WR-TIMEZONE", ics_zone_is_utc(tz_default) ? "UTC" : tz_default);
    icalcomponent_add_property(cal, icalproperty_new_refreshinterval(refresh));
    add_x(cal, "X-PUBLISHED-TTL", ttl ? ttl : "PT1H");
    icalmemory_free_buffer(ttl);
    if (w->opts && w->opts->base_url)
        icalcomponent_add_property(cal, icalproperty_new_url(w->opts->base_url));

    if (w->nzones > 1)
        qsort(w->zones, w->nzones, sizeof(*w->zones), by_zone_name);
    /* libical writes the components last added first: add them in reverse
     * so that the VTIMEZONEs come out sorted by name */
    for (size_t i = w->nzones; i-- > 0;) {
        icalcomponent *vtz = vtimezone(w->zones[i].name, w->zones[i].year);
        if (!vtz) {
            rc = pl_error_set(w->err, PL_EINVALID, "time zone '%s' is unknown to libical",
                              w->zones[i].name);
            goto done;
        }
        icalcomponent_add_component(cal, vtz);
    }
    /* The header is the calendar minus its END line; VEVENTs follow. */
    if ((rc = append_component(w, cal)) < 0)
        goto done;
    if (w->out.len >= sizeof(END_LINE) - 1 &&
        memcmp(w->out.data + w->out.len - (sizeof(END_LINE) - 1), END_LINE, sizeof(END_LINE) - 1) ==
            0)
        w->out.len -= sizeof(END_LINE) - 1;
    w->out.data[w->out.len] = '\0';
done:
    icalcomponent_free(cal);
    return rc;
}

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Add uid to the set. Returns 1 when new, 0 when already there, < 0. */
static int remember_uid(ics_writer *w, const char *uid)
{
    size_t i;

    if (2 * (w->nuids + 1) > w->uid_cap) {
        size_t cap = w->uid_cap ? 2 * w->uid_cap : 256;
        char **grown = calloc(cap, sizeof(*grown));
        if (!grown)
            return PL_ERROR;
        for (size_t k = 0; k < w->uid_cap; k++) {
            if (!w->uids[k])
                continue;
            for (i = hash(w->uids[k]) & (cap - 1); grown[i]; i = (i + 1) & (cap - 1))
                ;
            grown[i] = w->uids[k];
        }
        free(w->uids);
        w->uids = grown;
        w->uid_cap = cap;
    }
    for (i = hash(uid) & (w->uid_cap - 1); w->uids[i]; i = (i + 1) & (w->uid_cap - 1))
        if (strcmp(w->uids[i], uid) == 0)
            return 0;
    if (!(w->uids[i] = strdup(uid)))
        return PL_ERROR;
    w->nuids++;
    return 1;
}

int ics_add(ics_writer *w, icalcomponent *vevent)
{
    const char *uid = icalcomponent_get_uid(vevent);
    int rc = uid ? remember_uid(w, uid) : PL_ERROR;

    if (rc < 0)
        rc = pl_error_oom(w->err);
    else if (rc == 1)
        rc = append_component(w, vevent);
    icalcomponent_free(vevent);
    return rc;
}

void ics_writer_clear(ics_writer *w)
{
    for (size_t i = 0; i < w->nzones; i++)
        free(w->zones[i].name);
    free(w->zones);
    for (size_t i = 0; i < w->uid_cap; i++)
        free(w->uids[i]);
    free(w->uids);
    pl_buf_free(&w->out);
    memset(w, 0, sizeof(*w));
}

int ics_finish(ics_writer *w, char **out, size_t *len)
{
    int rc = 0;

    if (pl_buf_puts(&w->out, END_LINE) < 0) {
        rc = pl_error_oom(w->err);
        goto done;
    }
    *len = w->out.len;
    if (!(*out = pl_buf_detach(&w->out)))
        rc = pl_error_oom(w->err);
done:
    ics_writer_clear(w);
    return rc;
}
