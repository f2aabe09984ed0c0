/*
 * event_edit.c - changes to an event go through its file format, so that
 * the back office and `planner event import` share one validation.
 */
#include "event_edit.h"
#include "lang.h"
#include "event_json.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pl_event_from_json(pl_event **out, const json_t *root, const char *name, pl_error *err)
{
    char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int rc;

    *out = NULL;
    if (!text)
        return pl_error_oom(err);
    rc = pl_event_parse_json_text(out, text, strlen(text), name, err);
    free(text);
    return rc;
}

/* Inverse of days_from_civil (H. Hinnant's algorithm), for whole days. */
static void civil_from_days(long long z, int *y, int *m, int *d)
{
    long long era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int pl_datetime_add_minutes(char *out, size_t size, const char *when, long long minutes)
{
    pl_datetime dt;
    long long t, days;

    if (pl_datetime_parse(&dt, when) < 0)
        return PL_EINVALID;
    t = pl_datetime_minutes(&dt) + minutes;
    days = t >= 0 ? t / 1440 : -((-t + 1439) / 1440);
    t -= days * 1440;
    civil_from_days(days, &dt.year, &dt.month, &dt.day);
    dt.hour = (int)(t / 60);
    dt.minute = (int)(t % 60);
    pl_datetime_format(&dt, out, size);
    return 0;
}

static int shift(json_t *obj, const char *key, long long minutes)
{
    const char *v = json_string_value(json_object_get(obj, key));
    char buf[32];

    if (!v || pl_datetime_add_minutes(buf, sizeof(buf), v, minutes) < 0)
        return 0; /* left as it is: the parser will say what is wrong */
    return json_object_set_new(obj, key, json_string(buf));
}

int pl_event_duplicate_json(json_t **out, const pl_event *ev, const char *slug, const char *start,
                            pl_error *err)
{
    pl_datetime from, to;
    json_t *root, *sessions, *kept = NULL, *s;
    long long delta;
    size_t i;
    int rc;

    *out = NULL;
    if (!start || pl_datetime_parse(&to, start) < 0)
        return PL_SAY(err, PL_EINVALID, "start", ERR_NOT_DATETIME, start ? start : "");
    if (pl_datetime_parse(&from, ev->start) < 0)
        return pl_error_set(err, PL_EINVALID, "event '%s' has a malformed start", ev->slug);
    delta = pl_datetime_minutes(&to) - pl_datetime_minutes(&from);
    if (!(root = pl_event_to_json(ev)) || !(kept = json_array()))
        goto oom;
    json_object_del(root, "uid");
    json_object_del(root, "sequence");
    json_object_del(root, "modified");
    if (json_object_set_new(root, "slug", json_string(slug ? slug : "")) < 0 ||
        json_object_set_new(root, "status", json_string("draft")) < 0 ||
        shift(root, "start", delta) < 0 || shift(root, "end", delta) < 0)
        goto oom;
    sessions = json_object_get(root, "sessions");
    json_array_foreach(sessions, i, s)
    {
        const char *st = json_string_value(json_object_get(s, "status"));
        if (st && strcmp(st, "cancelled") == 0)
            continue;
        json_object_del(s, "uid");
        json_object_del(s, "status");
        json_object_del(s, "sequence");
        json_object_del(s, "modified");
        if (shift(s, "start", delta) < 0 || shift(s, "end", delta) < 0 ||
            json_array_append(kept, s) < 0)
            goto oom;
    }
    rc = json_object_set_new(root, "sessions", kept);
    kept = NULL; /* stolen, even on failure */
    if (rc < 0)
        goto oom;
    *out = root;
    return 0;
oom:
    json_decref(kept);
    json_decref(root);
    return pl_error_oom(err);
}

size_t pl_conflicts_blocking(const pl_conflict *conflicts, size_t n)
{
    size_t count = 0;

    for (size_t i = 0; i < n; i++)
        count += !pl_conflict_is_warning(conflicts[i].kind);
    return count;
}
