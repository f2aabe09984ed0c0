/*
 * signin.c - the sign-in sheets' model (see signin.h).
 */
#include "signin.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const pl_column full_columns[] = {
    {PL_T_EXPORT_LAST_NAME, "last_name", PL_COL_TEXT, 18, 0, 0, 0},
    {PL_T_EXPORT_FIRST_NAME, "first_name", PL_COL_TEXT, 14, 0, 0, 0},
    {PL_T_EXPORT_ORGANIZATION, "organization", PL_COL_TEXT, 20, 0, 0, 0},
    {PL_T_EXPORT_SIGNATURE_MORNING, "signature_morning", PL_COL_TEXT, 22, 0, 0, 0},
    {PL_T_EXPORT_SIGNATURE_AFTERNOON, "signature_afternoon", PL_COL_TEXT, 22, 0, 0, 0},
};
static const pl_column one_columns[] = {
    {PL_T_EXPORT_LAST_NAME, "last_name", PL_COL_TEXT, 18, 0, 0, 0},
    {PL_T_EXPORT_FIRST_NAME, "first_name", PL_COL_TEXT, 14, 0, 0, 0},
    {PL_T_EXPORT_ORGANIZATION, "organization", PL_COL_TEXT, 20, 0, 0, 0},
    {PL_T_EXPORT_SIGNATURE, "signature", PL_COL_TEXT, 40, 0, 0, 0},
};
#define SIGNIN_FLAGS (PL_TABLE_PRINT_PORTRAIT | PL_TABLE_PRINT_REPEAT_HEADER | PL_TABLE_GRID)
const pl_table pl_signin_table_full = {PL_T_EXPORT_SHEET_SIGNIN, "sign_in", full_columns, 5,
                                       SIGNIN_FLAGS};
const pl_table pl_signin_table_one = {PL_T_EXPORT_SHEET_SIGNIN, "sign_in", one_columns, 4,
                                      SIGNIN_FLAGS};

void pl_signin_free(pl_signin *s)
{
    for (size_t i = 0; s && i < s->nsheets; i++)
        free(s->sheets[i].people);
    if (s)
        free(s->sheets);
}

static pl_signin_sheet *add_sheet(pl_signin *s)
{
    pl_signin_sheet *grown = realloc(s->sheets, (s->nsheets + 1) * sizeof(*grown));

    if (!grown)
        return NULL;
    s->sheets = grown;
    memset(&grown[s->nsheets], 0, sizeof(*grown));
    return &grown[s->nsheets++];
}

static void line(pl_signin_sheet *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(pl_signin_sheet *sh, const char *fmt, ...)
{
    va_list ap;

    if (sh->nheading >= PL_SIGNIN_HEADING_MAX)
        return;
    va_start(ap, fmt);
    vsnprintf(sh->heading[sh->nheading++], sizeof(sh->heading[0]), fmt, ap);
    va_end(ap);
}

static void label(pl_signin_sheet *sh, pl_lang L, pl_text_id id, const char *value)
{
    if (sh->nheading < PL_SIGNIN_HEADING_MAX)
        pl_lang_label(sh->heading[sh->nheading++], sizeof(sh->heading[0]), L, id, value);
}

/* The place of the event: "name, address", or its online address. */
static void place_of(char *out, size_t size, const pl_event *ev)
{
    if (ev->venue_name || ev->venue_address)
        snprintf(out, size, "%s%s%s", ev->venue_name ? ev->venue_name : "",
                 ev->venue_name && ev->venue_address ? ", " : "",
                 ev->venue_address ? ev->venue_address : "");
    else
        snprintf(out, size, "%s", ev->online_url ? ev->online_url : "");
}

/* The hours of day (its "YYYY-MM-DD") at the event: from its sessions that
 * day, else from the event's start and end. In minutes since midnight. */
static void hours_of(const pl_event *ev, const char *day, int *from, int *to)
{
    pl_datetime a, b;

    *from = 24 * 60;
    *to = 0;
    for (size_t i = 0; i < ev->nsessions; i++) {
        const pl_session *s = &ev->sessions[i];
        if (s->cancelled || strncmp(s->start, day, 10) != 0 ||
            pl_datetime_parse(&a, s->start) != 0 || pl_datetime_parse(&b, s->end) != 0)
            continue;
        if (a.hour * 60 + a.minute < *from)
            *from = a.hour * 60 + a.minute;
        if (strncmp(s->end, day, 10) != 0)
            *to = 24 * 60;
        else if (b.hour * 60 + b.minute > *to)
            *to = b.hour * 60 + b.minute;
    }
    if (*from < *to)
        return;
    *from = 0;
    *to = 24 * 60;
    if (pl_datetime_parse(&a, ev->start) == 0 && strncmp(ev->start, day, 10) == 0)
        *from = a.hour * 60 + a.minute;
    if (pl_datetime_parse(&b, ev->end) == 0 && strncmp(ev->end, day, 10) == 0)
        *to = b.hour * 60 + b.minute;
}

static int chose(const pl_roster_row *r, const char *session)
{
    for (size_t k = 0; k < r->sessions.count; k++)
        if (strcmp(r->sessions.items[k], session) == 0)
            return 1;
    return 0;
}

/* The sheet's people, in the roster's order: the confirmed ones, those who
 * chose session when it is not NULL. Returns 0, or PL_ENOMEM. */
static int add_people(pl_signin_sheet *sh, const pl_roster *roster, const char *session)
{
    sh->people = calloc(roster->nconfirmed ? roster->nconfirmed : 1, sizeof(*sh->people));
    if (!sh->people)
        return PL_ENOMEM;
    for (size_t i = 0; i < roster->nconfirmed; i++)
        if (!session || chose(roster->by_name[i], session))
            sh->people[sh->npeople++] = roster->by_name[i];
    return 0;
}

int pl_signin_build(pl_signin *out, const pl_roster *roster, pl_error *err)
{
    const pl_event *ev = roster->event;
    pl_lang L = pl_event_lang(ev);
    pl_datefmt *dates = NULL;
    pl_datetime day, last;
    char place[400], when[128], from[16], to[16], stamp[32];
    long long first_day, last_day;
    int rc;

    memset(out, 0, sizeof(*out));
    out->lang = L;
    if ((rc = pl_datefmt_open(&dates, L, ev->timezone, err)) != 0)
        return rc;
    place_of(place, sizeof(place), ev);
    if (pl_datetime_parse(&day, ev->start) != 0 || pl_datetime_parse(&last, ev->end) != 0) {
        rc = pl_error_set(err, PL_EINVALID, "the event's start or end is not a date");
        goto done;
    }
    /* one sheet per day */
    first_day = pl_datetime_minutes(&day) / 1440;
    last_day = pl_datetime_minutes(&last) / 1440;
    for (long long d = first_day; d <= last_day && d < first_day + 366; d++) {
        pl_signin_sheet *sh = add_sheet(out);
        time_t t = (time_t)(d * 86400);
        struct tm tm;
        int a, b;
        if (!sh)
            goto oom;
        gmtime_r(&t, &tm);
        snprintf(stamp, sizeof(stamp), "%04d-%02d-%02d", (tm.tm_year + 1900) % 10000,
                 (tm.tm_mon + 1) % 100, tm.tm_mday % 100);
        pl_datefmt_format(dates, when, sizeof(when), PL_DATE_LONG, stamp);
        hours_of(ev, stamp, &a, &b);
        sh->half_days = a < 12 * 60 && b > 13 * 60 + 30 ? 2 : 1;
        if (first_day == last_day)
            snprintf(sh->name, sizeof(sh->name), "%s", pl_lang_text(L, PL_T_EXPORT_SHEET_SIGNIN));
        else
            snprintf(sh->name, sizeof(sh->name), "%s %02d-%02d",
                     pl_lang_text(L, PL_T_EXPORT_SHEET_SIGNIN), tm.tm_mday % 100,
                     (tm.tm_mon + 1) % 100);
        line(sh, "%s — %s", pl_lang_text(L, PL_T_EXPORT_SIGNIN_TITLE), ev->title);
        label(sh, L, PL_T_EXPORT_SIGNIN_WHEN, when);
        label(sh, L, PL_T_EXPORT_SIGNIN_PLACE, place);
        line(sh, "%s", pl_lang_text(L, PL_T_EXPORT_SIGNIN_ORGANISER));
        if (add_people(sh, roster, NULL) != 0)
            goto oom;
    }
    /* one sheet per workshop */
    for (size_t i = 0; i < ev->nsessions; i++) {
        const pl_session *s = &ev->sessions[i];
        pl_signin_sheet *sh;
        if (s->cancelled || strcmp(s->kind, "workshop") != 0)
            continue;
        if (!(sh = add_sheet(out)))
            goto oom;
        sh->half_days = 1;
        snprintf(sh->name, sizeof(sh->name), "%s", s->title);
        pl_datefmt_format(dates, when, sizeof(when), PL_DATE_LONG, s->start);
        pl_datefmt_format(dates, from, sizeof(from), PL_TIME_SHORT, s->start);
        pl_datefmt_format(dates, to, sizeof(to), PL_TIME_SHORT, s->end);
        line(sh, "%s — %s", pl_lang_text(L, PL_T_EXPORT_SIGNIN_TITLE), ev->title);
        {
            char what[400];
            snprintf(what, sizeof(what), "%s — %s%s%s", s->title, from,
                     pl_lang_text(L, PL_T_EXPORT_TIME_TO), to);
            line(sh, "%s", what);
        }
        label(sh, L, PL_T_EXPORT_SIGNIN_WHEN, when);
        if (s->room)
            label(sh, L, PL_T_EXPORT_SIGNIN_ROOM, s->room);
        else
            label(sh, L, PL_T_EXPORT_SIGNIN_PLACE, place);
        line(sh, "%s", pl_lang_text(L, PL_T_EXPORT_SIGNIN_ORGANISER));
        if (add_people(sh, roster, s->id) != 0)
            goto oom;
    }
    rc = 0;
    goto done;
oom:
    rc = pl_error_oom(err);
done:
    pl_datefmt_free(dates);
    if (rc != 0)
        pl_signin_free(out);
    return rc;
}
