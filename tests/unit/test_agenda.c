#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"

#include <stdlib.h>
#include <string.h>

/* An event with sessions given as JSON, parsed by the real parser. */
static pl_event *event(const char *sessions)
{
    char text[4096];
    pl_event *ev = NULL;
    pl_error err;

    snprintf(text, sizeof(text),
             "{\"slug\": \"w\", \"title\": \"W\", \"format\": \"in_person\", \"capacity\": 50, "
             "\"start\": \"2026-12-10T09:00\", \"end\": \"2026-12-10T17:00\", "
             "\"venue\": {\"name\": \"V\", \"lat\": 48.8, \"lon\": 2.3}, "
             "\"speakers\": [{\"id\": \"a\", \"name\": \"Ana\"}, {\"id\": \"b\", \"name\": "
             "\"Bo\"}], \"sessions\": [%s]}",
             sessions);
    if (pl_event_parse_json_text(&ev, text, strlen(text), "t.json", &err) != 0)
        fail_msg("%s at %s", err.msg, err.path);
    return ev;
}

static size_t check(const pl_event *ev, pl_conflict **out)
{
    size_t n = 0;
    assert_int_equal(pl_agenda_check(out, &n, ev), 0);
    return n;
}

static void clean_agenda_with_parallel_rooms(void **state)
{
    pl_conflict *c = NULL;
    pl_event *ev = event(
        "{\"id\": \"t\", \"title\": \"T\", \"kind\": \"talk\", \"start\": \"09:00\", \"end\": "
        "\"10:00\", \"room\": \"P\", \"speakers\": [\"a\"]},"
        "{\"id\": \"w1\", \"title\": \"W1\", \"kind\": \"workshop\", \"start\": \"10:00\", "
        "\"end\": \"11:00\", \"room\": \"A\", \"speakers\": [\"a\"], \"capacity\": 20},"
        "{\"id\": \"w2\", \"title\": \"W2\", \"kind\": \"workshop\", \"start\": \"10:00\", "
        "\"end\": \"11:00\", \"room\": \"B\", \"speakers\": [\"b\"], \"capacity\": 20}");
    (void)state;

    /* Back to back (10:00) in different rooms, parallel with other speakers. */
    assert_int_equal(check(ev, &c), 0);
    assert_null(c);
    pl_event_free(ev);
}

static void speaker_in_two_places(void **state)
{
    pl_conflict *c = NULL;
    pl_event *ev =
        event("{\"id\": \"w1\", \"title\": \"W1\", \"kind\": \"workshop\", \"start\": \"10:00\", "
              "\"end\": \"11:00\", \"room\": \"A\", \"speakers\": [\"a\"]},"
              "{\"id\": \"w2\", \"title\": \"W2\", \"kind\": \"workshop\", \"start\": \"10:30\", "
              "\"end\": \"11:30\", \"room\": \"B\", \"speakers\": [\"b\", \"a\"]}");
    (void)state;

    assert_int_equal(check(ev, &c), 1);
    assert_int_equal(c[0].kind, PL_CONFLICT_SPEAKER_OVERLAP);
    assert_string_equal(c[0].session, "w1");
    assert_string_equal(c[0].other, "w2");
    assert_non_null(strstr(c[0].message, "Ana"));
    free(c);
    pl_event_free(ev);
}

static void two_sessions_in_one_room(void **state)
{
    pl_conflict *c = NULL;
    pl_event *ev =
        event("{\"id\": \"w1\", \"title\": \"W1\", \"kind\": \"workshop\", \"start\": \"10:00\", "
              "\"end\": \"11:00\", \"room\": \"A\"},"
              "{\"id\": \"w2\", \"title\": \"W2\", \"kind\": \"workshop\", \"start\": \"10:59\", "
              "\"end\": \"11:30\", \"room\": \"A\"}");
    (void)state;

    assert_int_equal(check(ev, &c), 1);
    assert_int_equal(c[0].kind, PL_CONFLICT_ROOM_OVERLAP);
    assert_non_null(strstr(c[0].message, "room 'A'"));
    free(c);
    pl_event_free(ev);
}

static void outside_hours_bad_times_and_capacity(void **state)
{
    pl_conflict *c = NULL;
    pl_event *ev =
        event("{\"id\": \"early\", \"title\": \"E\", \"kind\": \"break\", \"start\": \"08:30\", "
              "\"end\": \"09:15\"},"
              "{\"id\": \"late\", \"title\": \"L\", \"kind\": \"forum\", \"start\": \"16:30\", "
              "\"end\": \"2026-12-10T17:30\"},"
              "{\"id\": \"backwards\", \"title\": \"B\", \"kind\": \"talk\", \"start\": \"12:00\", "
              "\"end\": \"11:00\"},"
              "{\"id\": \"huge\", \"title\": \"H\", \"kind\": \"plenary\", \"start\": \"13:00\", "
              "\"end\": \"14:00\", \"capacity\": 80}");
    (void)state;

    assert_int_equal(check(ev, &c), 4);
    assert_int_equal(c[0].kind, PL_CONFLICT_OUTSIDE_HOURS);
    assert_string_equal(c[0].session, "early");
    assert_int_equal(c[1].kind, PL_CONFLICT_OUTSIDE_HOURS);
    assert_string_equal(c[1].session, "late");
    assert_int_equal(c[2].kind, PL_CONFLICT_BAD_TIMES);
    assert_string_equal(c[2].session, "backwards");
    assert_int_equal(c[3].kind, PL_CONFLICT_CAPACITY);
    assert_non_null(strstr(c[3].message, "80"));
    free(c);
    pl_event_free(ev);
}

static void unknown_speaker_and_cancelled_sessions(void **state)
{
    pl_conflict *c = NULL;
    pl_event *ev =
        event("{\"id\": \"w1\", \"title\": \"W1\", \"kind\": \"workshop\", \"start\": \"10:00\", "
              "\"end\": \"11:00\", \"room\": \"A\", \"speakers\": [\"a\"]},"
              "{\"id\": \"w2\", \"title\": \"W2\", \"kind\": \"workshop\", \"start\": \"10:00\", "
              "\"end\": \"11:00\", \"room\": \"A\", \"speakers\": [\"a\"]}");
    (void)state;

    /* A cancelled session conflicts with nothing. */
    ev->sessions[1].cancelled = 1;
    assert_int_equal(check(ev, &c), 0);
    /* The parser refuses unknown speakers; events built otherwise are checked. */
    free(ev->sessions[0].speakers.items[0]);
    ev->sessions[0].speakers.items[0] = strdup("ghost");
    assert_int_equal(check(ev, &c), 1);
    assert_int_equal(c[0].kind, PL_CONFLICT_UNKNOWN_SPEAKER);
    assert_non_null(strstr(c[0].message, "ghost"));
    free(c);
    pl_event_free(ev);
}

static void slots_group_parallel_sessions(void **state)
{
    pl_slot *slots = NULL;
    size_t n = 0, *order = NULL;
    pl_event *ev = event(
        "{\"id\": \"t\", \"title\": \"T\", \"kind\": \"talk\", \"start\": \"09:00\", \"end\": "
        "\"10:00\"},"
        "{\"id\": \"w2\", \"title\": \"W2\", \"kind\": \"workshop\", \"start\": \"10:00\", "
        "\"end\": \"11:30\", \"room\": \"B\"},"
        "{\"id\": \"w1\", \"title\": \"W1\", \"kind\": \"workshop\", \"start\": \"10:00\", "
        "\"end\": \"11:00\", \"room\": \"A\"},"
        "{\"id\": \"w3\", \"title\": \"W3\", \"kind\": \"workshop\", \"start\": \"11:00\", "
        "\"end\": \"12:00\", \"room\": \"A\"},"
        "{\"id\": \"lunch\", \"title\": \"L\", \"kind\": \"meal\", \"start\": \"12:00\", "
        "\"end\": \"13:00\"}");
    (void)state;

    assert_int_equal(pl_agenda_slots(&slots, &n, &order, ev), 0);
    assert_int_equal(n, 3);
    assert_int_equal(slots[0].count, 1);
    /* w1, w2 overlap; w3 overlaps w2: one slot of three, rooms in order. */
    assert_int_equal(slots[1].count, 3);
    assert_string_equal(ev->sessions[order[slots[1].first]].id, "w1");
    assert_string_equal(ev->sessions[order[slots[1].first + 1]].id, "w2");
    assert_string_equal(slots[1].end, "2026-12-10T12:00");
    assert_string_equal(ev->sessions[order[slots[2].first]].id, "lunch");
    free(slots);
    free(order);
    pl_event_free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_agenda_with_parallel_rooms),
        cmocka_unit_test(speaker_in_two_places),
        cmocka_unit_test(two_sessions_in_one_room),
        cmocka_unit_test(outside_hours_bad_times_and_capacity),
        cmocka_unit_test(unknown_speaker_and_cancelled_sessions),
        cmocka_unit_test(slots_group_parallel_sessions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
