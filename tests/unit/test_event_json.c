#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"
#include "test_helpers.h"

#include <dirent.h>

static void sample_events_parse(void **state)
{
    static const char *const files[] = {"atelier-cem-1.json", "atelier-cem-2.json",
                                        "webinaire-covoiturage-2027.json"};
    (void)state;

    for (size_t i = 0; i < 3; i++) {
        char path[512];
        pl_event *ev = NULL;
        pl_error err;
        snprintf(path, sizeof(path), "%s/%s", SAMPLES_DIR, files[i]);
        if (pl_event_parse_json(&ev, path, &err) != 0) {
            char buf[1024];
            fail_msg("%s", pl_error_format(&err, buf, sizeof(buf)));
        }
        assert_true(ev->nsessions > 0);
        assert_non_null(ev->title);
        pl_event_free(ev);
    }
}

static const char good[] =
    "{\"slug\": \"s\", \"title\": \"Café\", \"format\": \"online\",\n"
    " \"online_url\": \"https://visio.example.org/x\",\n"
    " \"start\": \"2026-12-10T09:30\", \"end\": \"2026-12-11T12:00\",\n"
    " \"speakers\": [{\"id\": \"a\", \"name\": \"Ana\"}],\n"
    " \"sessions\": [\n"
    "   {\"id\": \"j1\", \"title\": \"Jour 1\", \"kind\": \"talk\", \"start\": \"09:30\",\n"
    "    \"end\": \"10:00\", \"speakers\": [\"a\"]},\n"
    "   {\"id\": \"j2\", \"title\": \"Jour 2\", \"kind\": \"forum\",\n"
    "    \"start\": \"2026-12-11T09:00\", \"end\": \"2026-12-11T12:00\"}]}\n";

static void defaults_and_session_times(void **state)
{
    pl_event *ev = NULL;
    pl_error err;
    (void)state;

    assert_int_equal(pl_event_parse_json_text(&ev, good, strlen(good), "good.json", &err), 0);
    assert_string_equal(ev->timezone, "Europe/Paris");
    assert_string_equal(ev->status, "draft");
    assert_string_equal(ev->title, "Café");
    assert_int_equal(ev->capacity, 0);
    assert_int_equal(ev->nsessions, 2);
    /* "HH:MM" is taken on the event's first day; full forms are kept. */
    assert_string_equal(ev->sessions[0].start, "2026-12-10T09:30");
    assert_string_equal(ev->sessions[0].end, "2026-12-10T10:00");
    assert_string_equal(ev->sessions[1].start, "2026-12-11T09:00");
    assert_int_equal(ev->sessions[0].speakers.count, 1);
    assert_string_equal(ev->sessions[0].speakers.items[0], "a");
    pl_event_free(ev);
}

static void round_trip_through_json(void **state)
{
    pl_event *ev = NULL, *again = NULL;
    json_t *j;
    char *text;
    (void)state;

    assert_int_equal(pl_event_parse_json_text(&ev, good, strlen(good), "good.json", NULL), 0);
    j = pl_event_to_json(ev);
    /* Stored-only fields are not part of the file format. */
    json_object_del(j, "sequence");
    json_object_del(j, "uid");
    json_object_del(j, "modified");
    for (size_t i = 0; i < json_array_size(json_object_get(j, "sessions")); i++) {
        json_t *s = json_array_get(json_object_get(j, "sessions"), i);
        json_object_del(s, "status");
        json_object_del(s, "sequence");
        json_object_del(s, "uid");
        json_object_del(s, "modified");
    }
    text = json_dumps(j, 0);
    assert_int_equal(pl_event_parse_json_text(&again, text, strlen(text), "again.json", NULL), 0);
    assert_string_equal(again->sessions[1].start, ev->sessions[1].start);
    assert_string_equal(again->online_url, ev->online_url);
    free(text);
    json_decref(j);
    pl_event_free(ev);
    pl_event_free(again);
}

/* good with its title replaced by n copies of piece. */
static char *with_title(const char *piece, size_t n)
{
    size_t plen = strlen(piece), len = strlen(good) + n * plen + 1;
    char *text = malloc(len), *p;
    const char *at = strstr(good, "Café");

    assert_non_null(text);
    p = text;
    memcpy(p, good, (size_t)(at - good));
    p += at - good;
    for (size_t i = 0; i < n; i++, p += plen)
        memcpy(p, piece, plen);
    strcpy(p, at + strlen("Café"));
    return text;
}

/* Limits count characters, not bytes: 200 two-byte letters fit a title; a
 * 20 MB title (which once made a 131 MB feed) is refused with its path. */
static void title_limit_counts_characters(void **state)
{
    pl_event *ev = NULL;
    pl_error err;
    char *text;
    (void)state;

    text = with_title("é", PL_EVENT_NAME_MAX);
    assert_int_equal(pl_event_parse_json_text(&ev, text, strlen(text), "fit.json", &err), 0);
    assert_int_equal(strlen(ev->title), 2 * PL_EVENT_NAME_MAX);
    pl_event_free(ev);
    free(text);

    text = with_title("x", 20u << 20);
    assert_int_equal(pl_event_parse_json_text(&ev, text, strlen(text), "big.json", &err),
                     PL_EINVALID);
    assert_null(ev);
    assert_string_equal(err.file, "big.json");
    assert_string_equal(err.path, "title");
    assert_non_null(strstr(err.msg, "20971520 characters, at most 200"));
    free(text);
}

static void missing_file_is_an_io_error(void **state)
{
    pl_event *ev = NULL;
    pl_error err;
    (void)state;

    assert_int_equal(pl_event_parse_json(&ev, "/nonexistent/event.json", &err), PL_EIO);
    assert_null(ev);
    assert_string_equal(err.file, "/nonexistent/event.json");
}

/* Every tests/data/bad-events/CASE.json fails with a message that names the
 * file and contains CASE.expect. */
static void bad_events_are_refused_with_their_message(void **state)
{
    char dir[512];
    struct dirent *de;
    DIR *d;
    int cases = 0;
    (void)state;

    snprintf(dir, sizeof(dir), "%s/bad-events", TEST_DATA_DIR);
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        char path[1024], expect_path[1024], buf[1024], *expect;
        pl_event *ev = NULL;
        pl_error err;
        if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        snprintf(expect_path, sizeof(expect_path), "%s/%.*s.expect", dir, (int)(n - 5), de->d_name);
        expect = th_read(expect_path, NULL);
        assert_non_null(expect);
        expect[strcspn(expect, "\n")] = '\0';
        if (pl_event_parse_json(&ev, path, &err) != PL_EINVALID)
            fail_msg("%s: accepted, or not as bad input", de->d_name);
        pl_error_format(&err, buf, sizeof(buf));
        if (strncmp(buf, path, strlen(path)) != 0 || !strstr(buf, expect))
            fail_msg("%s: message\n  %s\ndoes not name the file and contain\n  %s", de->d_name, buf,
                     expect);
        free(expect);
        cases++;
    }
    closedir(d);
    assert_true(cases >= 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sample_events_parse),
        cmocka_unit_test(defaults_and_session_times),
        cmocka_unit_test(round_trip_through_json),
        cmocka_unit_test(title_limit_counts_characters),
        cmocka_unit_test(missing_file_is_an_io_error),
        cmocka_unit_test(bad_events_are_refused_with_their_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
