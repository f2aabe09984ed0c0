#include "event_json.h"
#include "lang.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parsing context: where we are, for messages. */
typedef struct ctx {
    const char *file;
    pl_error *err;
} ctx;

/* A message a person may meet on a form: a catalogue text (errors.def),
 * shown in the page's language (its English is err->msg). */
#define SAY(c, path, id, ...)                                                                      \
    PL_SAY_AT((c)->err, PL_EINVALID, (c)->file, 0, 0, (path), id, __VA_ARGS__)

/* pl_text_problem's finding as a catalogue text. */
static int text_problem(ctx *c, const char *path, const char *s)
{
    const char *p = pl_text_problem(s);

    if (p && strstr(p, "UTF-8"))
        return SAY(c, path, ERR_NOT_UTF8, NULL);
    return SAY(c, path, ERR_CONTROL_CHAR, NULL);
}

static const char *zu(char *buf, size_t n)
{
    snprintf(buf, 24, "%zu", n);
    return buf;
}

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/* Every key of obj must be in allowed (NULL-terminated). */
static int check_keys(ctx *c, const json_t *obj, const char *prefix, const char *const *allowed)
{
    const char *key;
    json_t *v;
    char path[160];

    json_object_foreach((json_t *)obj, key, v)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0)
                ok = 1;
        if (!ok) {
            snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
            return SAY(c, path, ERR_UNKNOWN_KEY, key);
        }
    }
    return 0;
}

/* Characters (code points) of valid UTF-8. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* A string value: not too long, no control character. (No NUL either:
 * jansson refuses \u0000 unless asked to with JSON_ALLOW_NUL.) */
static int check_text(ctx *c, const char *path, const json_t *v, size_t max)
{
    const char *s = json_string_value(v);
    size_t n;

    if (pl_text_problem(s)) /* an escaped control character */
        return text_problem(c, path, s);
    if ((n = utf8_chars(s)) > max) {
        char a[24], b[24];
        return SAY(c, path, ERR_TOO_LONG_CHARS, zu(a, n), zu(b, max));
    }
    return 0;
}

/* An array no longer than max items. */
static int check_count(ctx *c, const char *path, const json_t *arr, size_t max)
{
    char a[24], b[24];

    if (json_array_size(arr) > max)
        return SAY(c, path, ERR_TOO_MANY_ITEMS, zu(a, json_array_size(arr)), zu(b, max));
    return 0;
}

/* A string member of at most max characters: *out gets a copy, or NULL when
 * absent (and not required). */
static int get_string(ctx *c, const json_t *obj, const char *prefix, const char *key, int required,
                      size_t max, char **out)
{
    json_t *v = json_object_get(obj, key);
    char path[160];
    int rc;

    snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
    *out = NULL;
    if (!v) {
        if (required)
            return SAY(c, path, ERR_REQUIRED, NULL);
        return 0;
    }
    if (!json_is_string(v))
        return SAY(c, path, ERR_EXPECTED_STRING, json_kind(v));
    if (required && json_string_length(v) == 0)
        return SAY(c, path, ERR_NOT_EMPTY, NULL);
    if ((rc = check_text(c, path, v, max)) < 0)
        return rc;
    if (!(*out = strdup(json_string_value(v))))
        return pl_error_oom(c->err);
    return 0;
}

static int get_int(ctx *c, const json_t *obj, const char *prefix, const char *key, int *out)
{
    json_t *v = json_object_get(obj, key);
    char path[160];

    snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
    *out = 0;
    if (!v)
        return 0;
    if (!json_is_integer(v))
        return SAY(c, path, ERR_EXPECTED_WHOLE, json_kind(v));
    if (json_integer_value(v) < 1 || json_integer_value(v) > 1000000) {
        char got[24];
        snprintf(got, sizeof(got), "%lld", (long long)json_integer_value(v));
        return SAY(c, path, ERR_CAPACITY_RANGE, got);
    }
    *out = (int)json_integer_value(v);
    return 0;
}

/* "purge_after_days": days after the event's end before its personal
 * data is purged (docs/privacy.md); absent: the default. */
static int get_purge_days(ctx *c, const json_t *obj, pl_event *ev)
{
    json_t *v = json_object_get(obj, "purge_after_days");

    ev->purge_after_days = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v))
        return SAY(c, "purge_after_days", ERR_EXPECTED_WHOLE, json_kind(v));
    if (json_integer_value(v) < 1 || json_integer_value(v) > 36500) {
        char got[24];
        snprintf(got, sizeof(got), "%lld", (long long)json_integer_value(v));
        return SAY(c, "purge_after_days", ERR_PURGE_DAYS_RANGE, got);
    }
    ev->purge_after_days = (int)json_integer_value(v);
    return 0;
}

static int get_strlist(ctx *c, const json_t *obj, const char *prefix, const char *key,
                       pl_strlist *out)
{
    json_t *v = json_object_get(obj, key), *item;
    char path[160];
    size_t i;
    int rc;

    snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
    if (!v)
        return 0;
    if (!json_is_array(v))
        return SAY(c, path, ERR_EXPECTED_STRINGS, json_kind(v));
    if ((rc = check_count(c, path, v, PL_EVENT_LIST_MAX)) < 0)
        return rc;
    out->items = calloc(json_array_size(v) + 1, sizeof(char *));
    if (!out->items)
        return pl_error_oom(c->err);
    json_array_foreach(v, i, item)
    {
        snprintf(path, sizeof(path), "%s%s%s[%zu]", prefix, *prefix ? "." : "", key, i);
        if (!json_is_string(item))
            return SAY(c, path, ERR_EXPECTED_STRING, json_kind(item));
        if ((rc = check_text(c, path, item, PL_EVENT_NAME_MAX)) < 0)
            return rc;
        if (!(out->items[i] = strdup(json_string_value(item))))
            return pl_error_oom(c->err);
        out->count = i + 1;
    }
    return 0;
}

static int one_of(const char *s, const char *const *allowed)
{
    for (const char *const *a = allowed; *a; a++)
        if (strcmp(s, *a) == 0)
            return 1;
    return 0;
}

static int check_enum(ctx *c, const char *path, const char *value, const char *const *allowed)
{
    char list[200] = "";

    if (one_of(value, allowed))
        return 0;
    for (const char *const *a = allowed; *a; a++) {
        strncat(list, *a, sizeof(list) - strlen(list) - 1);
        if (a[1])
            strncat(list, ", ", sizeof(list) - strlen(list) - 1);
    }
    return SAY(c, path, ERR_NOT_ONE_OF, value, list);
}

/* Identifiers appear in URLs and feed UIDs: letters, digits, '-', '_'. */
static int check_ident(ctx *c, const char *path, const char *id, int lowercase_only)
{
    size_t n = strlen(id);

    if (n == 0 || n > 64)
        return SAY(c, path, ERR_IDENT_LENGTH, NULL);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)id[i];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                 (!lowercase_only && ((ch >= 'A' && ch <= 'Z') || ch == '_'));
        if (!ok)
            return lowercase_only ? SAY(c, path, ERR_IDENT_LOWER, id)
                                  : SAY(c, path, ERR_IDENT_CHARS, id);
    }
    return 0;
}

/* An IANA zone name that this machine's zoneinfo knows. */
static int check_timezone(ctx *c, const char *tz)
{
    const char *dir = getenv("TZDIR");
    char file[512];

    if (strcmp(tz, "UTC") == 0)
        return 0;
    for (const char *p = tz; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '/' || *p == '_' || *p == '-' || *p == '+'))
            return SAY(c, "timezone", ERR_TZ_NAME, tz);
    if (strstr(tz, "..") || tz[0] == '/')
        return SAY(c, "timezone", ERR_TZ_NAME, tz);
    snprintf(file, sizeof(file), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
    if (access(file, R_OK) != 0)
        return SAY(c, "timezone", ERR_TZ_UNKNOWN, tz);
    return 0;
}

static int check_url(ctx *c, const char *path, const char *url)
{
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        return SAY(c, path, ERR_URL, url);
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ')
            return SAY(c, path, ERR_URL_SPACES, NULL);
    return 0;
}

/* A session time: "HH:MM" on the event's first day, or "YYYY-MM-DDTHH:MM".
 * *inout is replaced by the full local date-time. */
static int normalise_time(ctx *c, const char *path, const pl_datetime *day, char **inout)
{
    pl_datetime dt;
    char buf[32];

    if (pl_datetime_parse(&dt, *inout) == 0)
        return 0;
    dt = *day;
    if (pl_time_parse(&dt.hour, &dt.minute, *inout) != 0)
        return SAY(c, path, ERR_NOT_TIME, *inout);
    pl_datetime_format(&dt, buf, sizeof(buf));
    free(*inout);
    if (!(*inout = strdup(buf)))
        return pl_error_oom(c->err);
    return 0;
}

static const char *const event_keys[] = {"slug",
                                         "title",
                                         "summary",
                                         "description",
                                         "format",
                                         "timezone",
                                         "language",
                                         "start",
                                         "end",
                                         "venue",
                                         "online_url",
                                         "capacity",
                                         "organizations",
                                         "theme",
                                         "challenges",
                                         "communities",
                                         "commons",
                                         "speakers",
                                         "sessions",
                                         "status",
                                         "uid",
                                         "sequence",
                                         "modified",
                                         "purge_after_days",
                                         NULL};
static const char *const venue_keys[] = {"name", "address", "lat", "lon", NULL};
static const char *const speaker_keys[] = {"id", "name", "organization", "bio", NULL};
static const char *const session_keys[] = {"id",     "title",    "kind",     "start",       "end",
                                           "room",   "speakers", "capacity", "description", "uid",
                                           "status", "sequence", "modified", NULL};
static const char *const languages[] = {"fr", "en", NULL};
static const char *const formats[] = {"in_person", "online", "hybrid", NULL};
static const char *const statuses[] = {"draft", "published", "cancelled", NULL};
static const char *const session_statuses[] = {"confirmed", "cancelled", NULL};
static const char *const kinds[] = {"talk", "workshop", "meal", "break", "forum", "plenary", NULL};

/*
 * The stored fields `planner event show --format json` adds (uid, sequence,
 * modified; a session's status) are read back so that its output imports
 * unchanged: they are checked for their type and otherwise ignored, the
 * store keeps its own. A session whose status is "cancelled" is dropped
 * after parsing, as if it were left out: it stays cancelled.
 */
static int check_stored(ctx *c, const json_t *obj, const char *prefix)
{
    static const char *const strings[] = {"uid", "modified", NULL};
    json_t *v;
    char path[160];

    for (const char *const *k = strings; *k; k++)
        if ((v = json_object_get(obj, *k)) && !json_is_string(v)) {
            snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", *k);
            return SAY(c, path, ERR_EXPECTED_STRING, json_kind(v));
        }
    if ((v = json_object_get(obj, "sequence")) && !json_is_integer(v)) {
        snprintf(path, sizeof(path), "%s%ssequence", prefix, *prefix ? "." : "");
        return SAY(c, path, ERR_EXPECTED_WHOLE, json_kind(v));
    }
    return 0;
}

static int parse_venue(ctx *c, const json_t *root, pl_event *ev)
{
    json_t *v = json_object_get(root, "venue"), *lat, *lon;
    int rc;

    if (!v) {
        if (strcmp(ev->format, "online") != 0)
            return SAY(c, "venue", ERR_NEEDS_VENUE, ev->format);
        return 0;
    }
    if (!json_is_object(v))
        return SAY(c, "venue", ERR_EXPECTED_OBJECT, json_kind(v));
    if ((rc = check_keys(c, v, "venue", venue_keys)) < 0 ||
        (rc = get_string(c, v, "venue", "name", 1, PL_EVENT_NAME_MAX, &ev->venue_name)) < 0 ||
        (rc = get_string(c, v, "venue", "address", 0, PL_EVENT_SUMMARY_MAX, &ev->venue_address)) <
            0)
        return rc;
    lat = json_object_get(v, "lat");
    lon = json_object_get(v, "lon");
    if (!lat || !lon)
        return SAY(c, lat ? "venue.lon" : "venue.lat", ERR_REQUIRED, NULL);
    if (!json_is_number(lat))
        return SAY(c, "venue.lat", ERR_EXPECTED_NUMBER, json_kind(lat));
    if (!json_is_number(lon))
        return SAY(c, "venue.lon", ERR_EXPECTED_NUMBER, json_kind(lon));
    ev->venue_lat = json_number_value(lat);
    ev->venue_lon = json_number_value(lon);
    if (ev->venue_lat < -90 || ev->venue_lat > 90)
        return SAY(c, "venue.lat", ERR_LAT_RANGE, NULL);
    if (ev->venue_lon < -180 || ev->venue_lon > 180)
        return SAY(c, "venue.lon", ERR_LON_RANGE, NULL);
    ev->has_geo = 1;
    return 0;
}

static int parse_speakers(ctx *c, const json_t *root, pl_event *ev)
{
    json_t *arr = json_object_get(root, "speakers"), *item;
    char prefix[64];
    size_t i;
    int rc;

    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return SAY(c, "speakers", ERR_EXPECTED_ARRAY, json_kind(arr));
    if ((rc = check_count(c, "speakers", arr, PL_EVENT_SPEAKERS_MAX)) < 0)
        return rc;
    ev->speakers = calloc(json_array_size(arr) + 1, sizeof(*ev->speakers));
    if (!ev->speakers)
        return pl_error_oom(c->err);
    json_array_foreach(arr, i, item)
    {
        pl_speaker *sp = &ev->speakers[i];
        snprintf(prefix, sizeof(prefix), "speakers[%zu]", i);
        if (!json_is_object(item))
            return SAY(c, prefix, ERR_EXPECTED_OBJECT, json_kind(item));
        ev->nspeakers = i + 1;
        if ((rc = check_keys(c, item, prefix, speaker_keys)) < 0 ||
            (rc = get_string(c, item, prefix, "id", 1, PL_EVENT_NAME_MAX, &sp->id)) < 0 ||
            (rc = get_string(c, item, prefix, "name", 1, PL_EVENT_NAME_MAX, &sp->name)) < 0 ||
            (rc = get_string(c, item, prefix, "organization", 0, PL_EVENT_NAME_MAX,
                             &sp->organization)) < 0 ||
            (rc = get_string(c, item, prefix, "bio", 0, PL_EVENT_TEXT_MAX, &sp->bio)) < 0)
            return rc;
        strncat(prefix, ".id", sizeof(prefix) - strlen(prefix) - 1);
        if ((rc = check_ident(c, prefix, sp->id, 0)) < 0)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(ev->speakers[j].id, sp->id) == 0) {
                char a[24];
                return SAY(c, prefix, ERR_DUP_SPEAKER, sp->id, zu(a, j));
            }
    }
    return 0;
}

static int parse_session(ctx *c, const json_t *item, size_t i, const pl_datetime *day, pl_event *ev)
{
    pl_session *s = &ev->sessions[i];
    char prefix[64], path[96];
    json_t *spk, *sv;
    size_t j;
    int rc;

    snprintf(prefix, sizeof(prefix), "sessions[%zu]", i);
    if (!json_is_object(item))
        return SAY(c, prefix, ERR_EXPECTED_OBJECT, json_kind(item));
    if ((rc = check_keys(c, item, prefix, session_keys)) < 0 ||
        (rc = get_string(c, item, prefix, "id", 1, PL_EVENT_NAME_MAX, &s->id)) < 0 ||
        (rc = get_string(c, item, prefix, "title", 1, PL_EVENT_NAME_MAX, &s->title)) < 0 ||
        (rc = get_string(c, item, prefix, "kind", 1, PL_EVENT_NAME_MAX, &s->kind)) < 0 ||
        (rc = get_string(c, item, prefix, "start", 1, PL_EVENT_NAME_MAX, &s->start)) < 0 ||
        (rc = get_string(c, item, prefix, "end", 1, PL_EVENT_NAME_MAX, &s->end)) < 0 ||
        (rc = get_string(c, item, prefix, "room", 0, PL_EVENT_ROOM_MAX, &s->room)) < 0 ||
        (rc = get_int(c, item, prefix, "capacity", &s->capacity)) < 0 ||
        (rc = get_string(c, item, prefix, "description", 0, PL_EVENT_TEXT_MAX, &s->description)) <
            0 ||
        (rc = check_stored(c, item, prefix)) < 0)
        return rc;
    if ((sv = json_object_get(item, "status"))) {
        snprintf(path, sizeof(path), "%s.status", prefix);
        if (!json_is_string(sv))
            return SAY(c, path, ERR_EXPECTED_STRING, json_kind(sv));
        if ((rc = check_enum(c, path, json_string_value(sv), session_statuses)) < 0)
            return rc;
        s->cancelled = strcmp(json_string_value(sv), "cancelled") == 0;
    }
    snprintf(path, sizeof(path), "%s.id", prefix);
    if ((rc = check_ident(c, path, s->id, 0)) < 0)
        return rc;
    for (j = 0; j < i; j++)
        if (strcmp(ev->sessions[j].id, s->id) == 0) {
            char a[24];
            return SAY(c, path, ERR_DUP_SESSION, s->id, zu(a, j));
        }
    snprintf(path, sizeof(path), "%s.kind", prefix);
    if ((rc = check_enum(c, path, s->kind, kinds)) < 0)
        return rc;
    snprintf(path, sizeof(path), "%s.start", prefix);
    if ((rc = normalise_time(c, path, day, &s->start)) < 0)
        return rc;
    snprintf(path, sizeof(path), "%s.end", prefix);
    if ((rc = normalise_time(c, path, day, &s->end)) < 0)
        return rc;
    spk = json_object_get(item, "speakers");
    if (!spk)
        return 0;
    snprintf(path, sizeof(path), "%s.speakers", prefix);
    if (!json_is_array(spk))
        return SAY(c, path, ERR_EXPECTED_SPEAKER_IDS, json_kind(spk));
    s->speakers.items = calloc(json_array_size(spk) + 1, sizeof(char *));
    if (!s->speakers.items)
        return pl_error_oom(c->err);
    json_array_foreach(spk, j, sv)
    {
        snprintf(path, sizeof(path), "%s.speakers[%zu]", prefix, j);
        if (!json_is_string(sv))
            return SAY(c, path, ERR_EXPECTED_SPEAKER_ID, json_kind(sv));
        if (!pl_event_speaker(ev, json_string_value(sv)) && !s->cancelled)
            return SAY(c, path, ERR_UNKNOWN_SPEAKER, json_string_value(sv));
        for (size_t k = 0; k < j; k++)
            if (strcmp(s->speakers.items[k], json_string_value(sv)) == 0)
                return SAY(c, path, ERR_SPEAKER_TWICE, json_string_value(sv));
        if (!(s->speakers.items[j] = strdup(json_string_value(sv))))
            return pl_error_oom(c->err);
        s->speakers.count = j + 1;
    }
    return 0;
}

/* Cancelled sessions of a file stay cancelled: they leave the model. */
static void drop_cancelled(pl_event *ev)
{
    size_t kept = 0;

    for (size_t i = 0; i < ev->nsessions; i++) {
        if (ev->sessions[i].cancelled)
            pl_session_clear(&ev->sessions[i]);
        else
            ev->sessions[kept++] = ev->sessions[i];
    }
    ev->nsessions = kept;
}

static int parse_root(ctx *c, const json_t *root, pl_event *ev)
{
    json_t *arr, *item;
    pl_datetime start, end;
    size_t i;
    int rc;

    if (!json_is_object(root))
        return SAY(c, "", ERR_TOP_LEVEL, json_kind(root));
    if ((rc = check_keys(c, root, "", event_keys)) < 0 ||
        (rc = get_string(c, root, "", "slug", 1, PL_EVENT_NAME_MAX, &ev->slug)) < 0 ||
        (rc = check_ident(c, "slug", ev->slug, 1)) < 0 ||
        (rc = get_string(c, root, "", "title", 1, PL_EVENT_NAME_MAX, &ev->title)) < 0 ||
        (rc = get_string(c, root, "", "summary", 0, PL_EVENT_SUMMARY_MAX, &ev->summary)) < 0 ||
        (rc = get_string(c, root, "", "description", 0, PL_EVENT_DESCRIPTION_MAX,
                         &ev->description)) < 0 ||
        (rc = get_string(c, root, "", "format", 1, PL_EVENT_NAME_MAX, &ev->format)) < 0 ||
        (rc = get_string(c, root, "", "timezone", 0, PL_EVENT_ZONE_MAX, &ev->timezone)) < 0 ||
        (rc = get_string(c, root, "", "language", 0, PL_EVENT_NAME_MAX, &ev->language)) < 0 ||
        (rc = get_string(c, root, "", "start", 1, PL_EVENT_NAME_MAX, &ev->start)) < 0 ||
        (rc = get_string(c, root, "", "end", 1, PL_EVENT_NAME_MAX, &ev->end)) < 0 ||
        (rc = get_string(c, root, "", "online_url", 0, PL_EVENT_URL_MAX, &ev->online_url)) < 0 ||
        (rc = get_int(c, root, "", "capacity", &ev->capacity)) < 0 ||
        (rc = get_strlist(c, root, "", "organizations", &ev->organizations)) < 0 ||
        (rc = get_string(c, root, "", "theme", 0, PL_EVENT_NAME_MAX, &ev->theme)) < 0 ||
        (rc = get_strlist(c, root, "", "challenges", &ev->challenges)) < 0 ||
        (rc = get_strlist(c, root, "", "communities", &ev->communities)) < 0 ||
        (rc = get_strlist(c, root, "", "commons", &ev->commons)) < 0 ||
        (rc = get_string(c, root, "", "status", 0, PL_EVENT_NAME_MAX, &ev->status)) < 0 ||
        (rc = check_stored(c, root, "")) < 0 || (rc = get_purge_days(c, root, ev)) < 0)
        return rc;
    if (!ev->timezone && !(ev->timezone = strdup("Europe/Paris")))
        return pl_error_oom(c->err);
    if (!ev->status && !(ev->status = strdup("draft")))
        return pl_error_oom(c->err);
    if ((rc = check_enum(c, "format", ev->format, formats)) < 0 ||
        (rc = check_enum(c, "status", ev->status, statuses)) < 0 ||
        (rc = check_timezone(c, ev->timezone)) < 0 || (rc = parse_venue(c, root, ev)) < 0)
        return rc;
    if (ev->language && (rc = check_enum(c, "language", ev->language, languages)) < 0)
        return rc;
    if (ev->online_url && (rc = check_url(c, "online_url", ev->online_url)) < 0)
        return rc;
    if (strcmp(ev->format, "in_person") != 0 && !ev->online_url)
        return SAY(c, "online_url", ERR_NEEDS_ONLINE_URL, ev->format);
    if (pl_datetime_parse(&start, ev->start) != 0)
        return SAY(c, "start", ERR_NOT_DATETIME, ev->start);
    if (pl_datetime_parse(&end, ev->end) != 0)
        return SAY(c, "end", ERR_NOT_DATETIME, ev->end);
    if (pl_datetime_minutes(&end) <= pl_datetime_minutes(&start))
        return SAY(c, "end", ERR_END_BEFORE_START, ev->start);
    if ((rc = parse_speakers(c, root, ev)) < 0)
        return rc;
    arr = json_object_get(root, "sessions");
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return SAY(c, "sessions", ERR_EXPECTED_ARRAY, json_kind(arr));
    if ((rc = check_count(c, "sessions", arr, PL_EVENT_SESSIONS_MAX)) < 0)
        return rc;
    ev->sessions = calloc(json_array_size(arr) + 1, sizeof(*ev->sessions));
    if (!ev->sessions)
        return pl_error_oom(c->err);
    json_array_foreach(arr, i, item)
    {
        ev->nsessions = i + 1;
        if ((rc = parse_session(c, item, i, &start, ev)) < 0)
            return rc;
    }
    drop_cancelled(ev);
    return 0;
}

static int parse_loaded(pl_event **out, json_t *root, const json_error_t *jerr, const char *name,
                        pl_error *err)
{
    ctx c = {name, err};
    pl_event *ev;
    int rc;

    /* jansson says nothing at all when it cannot allocate its lexer. */
    if (!root && (json_error_code(jerr) == json_error_out_of_memory || !jerr->text[0]))
        return pl_error_oom(err);
    if (!root)
        return pl_error_set_at(err, PL_EINVALID, name, jerr->line, jerr->column, NULL,
                               "malformed JSON: %s", jerr->text);
    ev = calloc(1, sizeof(*ev));
    if (!ev) {
        json_decref(root);
        return pl_error_oom(err);
    }
    rc = parse_root(&c, root, ev);
    json_decref(root);
    if (rc < 0) {
        pl_event_free(ev);
        return rc;
    }
    *out = ev;
    return 0;
}

int pl_event_parse_json_text(pl_event **out, const char *text, size_t len, const char *name,
                             pl_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

    *out = NULL;
    return parse_loaded(out, root, &jerr, name, err);
}

int pl_event_parse_json(pl_event **out, const char *path, pl_error *err)
{
    json_error_t jerr;
    json_t *root;
    FILE *f;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f)
        return pl_error_set_at(err, PL_EIO, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
    root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    fclose(f);
    return parse_loaded(out, root, &jerr, path, err);
}

int pl_event_import_file(pl_store *store, const char *path, pl_event_save_stats *out, pl_error *err)
{
    pl_event *ev = NULL;
    int rc = pl_event_parse_json(&ev, path, err);

    if (rc == 0)
        rc = pl_event_save(store, ev, out, err);
    pl_event_free(ev);
    return rc;
}

/* ---- writing ---- */

static void set_str(json_t *obj, const char *key, const char *value)
{
    if (value)
        json_object_set_new(obj, key, json_string(value));
}

static json_t *strlist_json(const pl_strlist *l)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < l->count; i++)
        json_array_append_new(arr, json_string(l->items[i]));
    return arr;
}

json_t *pl_event_to_json(const pl_event *ev)
{
    json_t *root = json_object(), *arr;

    if (!root)
        return NULL;
    set_str(root, "slug", ev->slug);
    set_str(root, "uid", ev->uid);
    set_str(root, "title", ev->title);
    set_str(root, "summary", ev->summary);
    set_str(root, "description", ev->description);
    set_str(root, "format", ev->format);
    set_str(root, "timezone", ev->timezone);
    set_str(root, "language", pl_lang_code(pl_event_lang(ev)));
    set_str(root, "start", ev->start);
    set_str(root, "end", ev->end);
    if (ev->venue_name || ev->venue_address || ev->has_geo) {
        json_t *venue = json_object();
        set_str(venue, "name", ev->venue_name);
        set_str(venue, "address", ev->venue_address);
        if (ev->has_geo) {
            json_object_set_new(venue, "lat", json_real(ev->venue_lat));
            json_object_set_new(venue, "lon", json_real(ev->venue_lon));
        }
        json_object_set_new(root, "venue", venue);
    }
    set_str(root, "online_url", ev->online_url);
    if (ev->capacity)
        json_object_set_new(root, "capacity", json_integer(ev->capacity));
    if (ev->purge_after_days > 0)
        json_object_set_new(root, "purge_after_days", json_integer(ev->purge_after_days));
    json_object_set_new(root, "organizations", strlist_json(&ev->organizations));
    set_str(root, "theme", ev->theme);
    json_object_set_new(root, "challenges", strlist_json(&ev->challenges));
    json_object_set_new(root, "communities", strlist_json(&ev->communities));
    json_object_set_new(root, "commons", strlist_json(&ev->commons));
    set_str(root, "status", ev->status);
    json_object_set_new(root, "sequence", json_integer(ev->sequence));
    set_str(root, "modified", ev->modified);
    arr = json_array();
    for (size_t i = 0; i < ev->nspeakers; i++) {
        json_t *sp = json_object();
        set_str(sp, "id", ev->speakers[i].id);
        set_str(sp, "name", ev->speakers[i].name);
        set_str(sp, "organization", ev->speakers[i].organization);
        set_str(sp, "bio", ev->speakers[i].bio);
        json_array_append_new(arr, sp);
    }
    json_object_set_new(root, "speakers", arr);
    arr = json_array();
    for (size_t i = 0; i < ev->nsessions; i++) {
        const pl_session *s = &ev->sessions[i];
        json_t *js = json_object();
        set_str(js, "id", s->id);
        set_str(js, "uid", s->uid);
        set_str(js, "title", s->title);
        set_str(js, "kind", s->kind);
        set_str(js, "start", s->start);
        set_str(js, "end", s->end);
        set_str(js, "room", s->room);
        json_object_set_new(js, "speakers", strlist_json(&s->speakers));
        if (s->capacity)
            json_object_set_new(js, "capacity", json_integer(s->capacity));
        set_str(js, "description", s->description);
        set_str(js, "status", s->cancelled ? "cancelled" : "confirmed");
        json_object_set_new(js, "sequence", json_integer(s->sequence));
        set_str(js, "modified", s->modified);
        json_array_append_new(arr, js);
    }
    json_object_set_new(root, "sessions", arr);
    return root;
}
