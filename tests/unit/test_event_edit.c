/*
 * test_event_edit.c - changing an event through its file (event_edit.h):
 * moving wall times, duplicating an event, reading a changed file back, and
 * which conflicts forbid publishing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"

#include <stdlib.h>
#include <string.h>

static pl_event *parse(const char *text)
{
    pl_event *ev = NULL;
    pl_error err;

    if (pl_event_parse_json_text(&ev, text, strlen(text), "t.json", &err) != 0)
        fail_msg("%s at %s", err.msg, err.path);
    return ev;
}

static const char base[] =
    "{\"slug\": \"atelier-2026\", \"title\": \"Atelier\", \"format\": \"in_person\", "
    "\"start\": \"2026-12-10T09:30\", \"end\": \"2026-12-10T17:00\", "
    "\"venue\": {\"name\": \"V\", \"lat\": 48.8, \"lon\": 2.3}, \"status\": \"published\", "
    "\"uid\": \"u-1\", \"sequence\": 4, \"modified\": \"2026-11-01T10:00:00Z\", "
    "\"speakers\": [{\"id\": \"a\", \"name\": \"Ana\"}], \"sessions\": ["
    "{\"id\": \"s1\", \"title\": \"S1\", \"kind\": \"talk\", \"start\": \"09:30\", "
    "\"end\": \"10:00\", \"speakers\": [\"a\"], \"status\": \"confirmed\", \"sequence\": 2},"
    "{\"id\": \"gone\", \"title\": \"Gone\", \"kind\": \"talk\", \"start\": \"11:00\", "
    "\"end\": \"12:00\", \"speakers\": [\"nobody\"], \"status\": \"cancelled\"}]}";

static void add_minutes_crosses_days_months_years(void **state)
{
    char out[32];

    (void)state;
    assert_int_equal(pl_datetime_add_minutes(out, sizeof(out), "2026-12-31T23:30", 45), 0);
    assert_string_equal(out, "2027-01-01T00:15");
    assert_int_equal(pl_datetime_add_minutes(out, sizeof(out), "2028-02-28T12:00", 1440), 0);
    assert_string_equal(out, "2028-02-29T12:00"); /* a leap year */
    assert_int_equal(pl_datetime_add_minutes(out, sizeof(out), "2027-03-01T00:10", -20), 0);
    assert_string_equal(out, "2027-02-28T23:50");
    assert_int_equal(pl_datetime_add_minutes(out, sizeof(out), "2026-12-10T09:30", 364 * 1440), 0);
    assert_string_equal(out, "2027-12-09T09:30");
    assert_int_equal(pl_datetime_add_minutes(out, sizeof(out), "9h30", 10), PL_EINVALID);
}

static void stored_fields_read_back_and_cancelled_sessions_dropped(void **state)
{
    pl_event *ev = parse(base);

    (void)state;
    /* uid, sequence, modified and a session's status are accepted; the
     * cancelled session (even with a speaker no longer there) is left out */
    assert_int_equal(ev->nsessions, 1);
    assert_string_equal(ev->sessions[0].id, "s1");
    pl_event_free(ev);
}

static void duplicate_moves_everything_and_makes_a_draft(void **state)
{
    pl_event *ev = parse(base), *copy = NULL;
    json_t *root = NULL;
    pl_error err;

    (void)state;
    assert_int_equal(pl_event_duplicate_json(&root, ev, "atelier-2027", "2027-12-09T09:00", &err),
                     0);
    assert_null(json_object_get(root, "uid"));
    assert_null(json_object_get(root, "sequence"));
    assert_int_equal(pl_event_from_json(&copy, root, "copy", &err), 0);
    assert_string_equal(copy->slug, "atelier-2027");
    assert_string_equal(copy->status, "draft");
    assert_string_equal(copy->start, "2027-12-09T09:00");
    assert_string_equal(copy->end, "2027-12-09T16:30");
    assert_int_equal(copy->nsessions, 1);
    assert_string_equal(copy->sessions[0].start, "2027-12-09T09:00");
    assert_string_equal(copy->sessions[0].end, "2027-12-09T09:30");
    json_decref(root);
    pl_event_free(copy);
    assert_int_equal(pl_event_duplicate_json(&root, ev, "x", "demain", &err), PL_EINVALID);
    assert_string_equal(err.path, "start");
    assert_null(root);
    pl_event_free(ev);
}

static void from_json_validates_like_an_import(void **state)
{
    pl_event *ev = parse(base), *bad = NULL;
    json_t *root = pl_event_to_json(ev);
    pl_error err;

    (void)state;
    json_object_set_new(json_array_get(json_object_get(root, "sessions"), 0), "end",
                        json_string("9h"));
    assert_int_equal(pl_event_from_json(&bad, root, "form", &err), PL_EINVALID);
    assert_null(bad);
    assert_string_equal(err.path, "sessions[0].end");
    assert_non_null(strstr(err.msg, "is not a time"));
    json_decref(root);
    pl_event_free(ev);
}

static void only_warnings_do_not_block(void **state)
{
    pl_conflict c[3] = {{.kind = PL_CONFLICT_AMBIGUOUS_TIME},
                        {.kind = PL_CONFLICT_SPEAKER_OVERLAP},
                        {.kind = PL_CONFLICT_ROOM_OVERLAP}};

    (void)state;
    assert_int_equal(pl_conflicts_blocking(c, 1), 0);
    assert_int_equal(pl_conflicts_blocking(c, 3), 2);
    assert_int_equal(pl_conflicts_blocking(NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_minutes_crosses_days_months_years),
        cmocka_unit_test(stored_fields_read_back_and_cancelled_sessions_dropped),
        cmocka_unit_test(duplicate_moves_everything_and_makes_a_draft),
        cmocka_unit_test(from_json_validates_like_an_import),
        cmocka_unit_test(only_warnings_do_not_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
