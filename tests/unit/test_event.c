#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"
#include "test_helpers.h"

typedef th_db fixture;

#define EVENT_HEAD                                                                                 \
    "{\"slug\": \"w\", \"title\": \"Atelier\", \"format\": \"in_person\", \"status\": "            \
    "\"published\", \"start\": \"2026-12-10T09:00\", \"end\": \"2026-12-10T17:00\", "              \
    "\"venue\": {\"name\": \"%s\", \"lat\": 48.8, \"lon\": 2.3}, "                                 \
    "\"speakers\": [{\"id\": \"a\", \"name\": \"%s\"}], \"sessions\": ["
#define SESSION(id, title, start, end)                                                             \
    "{\"id\": \"" id "\", \"title\": \"" title "\", \"kind\": \"talk\", \"start\": \"" start       \
    "\", \"end\": \"" end "\", \"speakers\": [\"a\"]}"

static void save_text(fixture *f, const char *now, const char *venue, const char *speaker,
                      const char *sessions, pl_event_save_stats *stats)
{
    char text[4096];
    pl_event *ev = NULL;
    pl_error err;

    setenv("PLANNER_NOW", now, 1);
    snprintf(text, sizeof(text), EVENT_HEAD "%s]}", venue, speaker, sessions);
    assert_int_equal(pl_event_parse_json_text(&ev, text, strlen(text), "t.json", &err), 0);
    if (pl_event_save(f->store, ev, stats, &err) != 0)
        fail_msg("%s", err.msg);
    pl_event_free(ev);
}

static pl_event *load(fixture *f)
{
    pl_event *ev = NULL;
    assert_int_equal(pl_event_load(&ev, f->store, "w", NULL), 0);
    return ev;
}

static const char two[] =
    SESSION("s1", "Un", "09:00", "10:00") "," SESSION("s2", "Deux", "10:00", "11:00");

static void create_then_unchanged(void **state)
{
    fixture *f = *state;
    pl_event_save_stats st;
    pl_event *ev, *again;

    save_text(f, "2026-11-01T10:00:00Z", "Salle", "Ana", two, &st);
    assert_true(st.created);
    assert_int_equal(st.sessions_added, 2);
    ev = load(f);
    assert_int_equal(ev->nsessions, 2);
    assert_int_equal(ev->sessions[0].sequence, 0);
    assert_non_null(ev->sessions[0].uid);
    assert_string_not_equal(ev->sessions[0].uid, ev->sessions[1].uid);
    assert_string_equal(ev->sessions[0].modified, "2026-11-01T10:00:00Z");

    save_text(f, "2026-11-02T10:00:00Z", "Salle", "Ana", two, &st);
    assert_false(st.created);
    assert_false(st.event_changed);
    assert_int_equal(st.sessions_unchanged, 2);
    again = load(f);
    assert_string_equal(again->uid, ev->uid);
    assert_int_equal(again->sequence, ev->sequence);
    assert_string_equal(again->modified, ev->modified);
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(again->sessions[i].uid, ev->sessions[i].uid);
        assert_int_equal(again->sessions[i].sequence, 0);
        assert_string_equal(again->sessions[i].modified, "2026-11-01T10:00:00Z");
    }
    pl_event_free(ev);
    pl_event_free(again);
}

static void a_changed_session_moves_alone(void **state)
{
    fixture *f = *state;
    pl_event_save_stats st;
    pl_event *ev;

    save_text(f, "2026-11-01T10:00:00Z", "Salle", "Ana", two, &st);
    save_text(
        f, "2026-11-03T10:00:00Z", "Salle", "Ana",
        SESSION("s1", "Un", "09:00", "10:00") "," SESSION("s2", "Deux (salle B)", "10:00", "11:00"),
        &st);
    assert_int_equal(st.sessions_changed, 1);
    assert_int_equal(st.sessions_unchanged, 1);
    ev = load(f);
    assert_int_equal(pl_event_session(ev, "s1")->sequence, 0);
    assert_int_equal(pl_event_session(ev, "s2")->sequence, 1);
    assert_string_equal(pl_event_session(ev, "s2")->modified, "2026-11-03T10:00:00Z");
    assert_string_equal(pl_event_session(ev, "s2")->title, "Deux (salle B)");
    /* The event's revision follows its sessions. */
    assert_int_equal(ev->sequence, 1);
    assert_string_equal(ev->modified, "2026-11-03T10:00:00Z");
    pl_event_free(ev);
}

static void a_removed_session_is_kept_cancelled_then_reinstated(void **state)
{
    fixture *f = *state;
    pl_event_save_stats st;
    pl_event *ev;

    save_text(f, "2026-11-01T10:00:00Z", "Salle", "Ana", two, &st);
    save_text(f, "2026-11-04T10:00:00Z", "Salle", "Ana", SESSION("s1", "Un", "09:00", "10:00"),
              &st);
    assert_int_equal(st.sessions_cancelled, 1);
    ev = load(f);
    assert_int_equal(ev->nsessions, 2);
    assert_true(pl_event_session(ev, "s2")->cancelled);
    assert_int_equal(pl_event_session(ev, "s2")->sequence, 1);
    assert_false(pl_event_session(ev, "s1")->cancelled);
    pl_event_free(ev);

    /* Importing the same file again cancels nothing more. */
    save_text(f, "2026-11-05T10:00:00Z", "Salle", "Ana", SESSION("s1", "Un", "09:00", "10:00"),
              &st);
    assert_int_equal(st.sessions_cancelled, 0);
    save_text(f, "2026-11-06T10:00:00Z", "Salle", "Ana", two, &st);
    assert_int_equal(st.sessions_changed, 1);
    ev = load(f);
    assert_false(pl_event_session(ev, "s2")->cancelled);
    assert_int_equal(pl_event_session(ev, "s2")->sequence, 2);
    pl_event_free(ev);
}

static void venue_and_speaker_changes_reach_every_session(void **state)
{
    fixture *f = *state;
    pl_event_save_stats st;
    pl_event *ev;

    save_text(f, "2026-11-01T10:00:00Z", "Salle", "Ana", two, &st);
    save_text(f, "2026-11-02T10:00:00Z", "Autre salle", "Ana", two, &st);
    assert_true(st.event_changed);
    assert_int_equal(st.sessions_changed, 2);
    save_text(f, "2026-11-03T10:00:00Z", "Autre salle", "Ana Martin", two, &st);
    assert_false(st.event_changed);
    assert_int_equal(st.sessions_changed, 2);
    ev = load(f);
    assert_int_equal(ev->sessions[0].sequence, 2);
    assert_string_equal(ev->speakers[0].name, "Ana Martin");
    assert_string_equal(ev->venue_name, "Autre salle");
    pl_event_free(ev);
}

static void list_and_not_found(void **state)
{
    fixture *f = *state;
    pl_event **list = NULL;
    pl_event *ev = NULL;
    size_t n = 0;
    pl_error err;

    assert_int_equal(pl_event_load(&ev, f->store, "w", &err), PL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no event 'w'"));
    save_text(f, "2026-11-01T10:00:00Z", "Salle", "Ana", two, NULL);
    assert_int_equal(pl_event_list(&list, &n, f->store, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0]->slug, "w");
    assert_int_equal(list[0]->nsessions, 2);
    pl_event_list_free(list, n);
}

/* The file's "language" is stored as given (NULL when absent: by the
 * zone); setting or removing it is a change of the event, and an event
 * without it keeps the fingerprint it had before the key existed. */
static void language_is_stored_as_given(void **state)
{
    fixture *f = *state;
    pl_event_save_stats st;
    pl_event *ev = NULL;
    char text[4096];
    const char *with = "{\"slug\": \"w\", \"title\": \"Atelier\", \"format\": \"in_person\", "
                       "\"language\": \"en\", \"start\": \"2026-12-10T09:00\", "
                       "\"end\": \"2026-12-10T17:00\", \"venue\": {\"name\": \"Salle\", \"lat\": "
                       "48.8, \"lon\": 2.3}}";

    save_text(f, "2026-11-01T10:00:00Z", "Salle", "Ana", two, &st);
    ev = load(f);
    assert_null(ev->language);
    assert_int_equal(pl_event_lang(ev), PL_LANG_FR);
    pl_event_free(ev);

    snprintf(text, sizeof(text), "%s", with);
    assert_int_equal(pl_event_parse_json_text(&ev, text, strlen(text), "t.json", NULL), 0);
    assert_string_equal(ev->language, "en");
    assert_int_equal(pl_event_save(f->store, ev, &st, NULL), 0);
    assert_true(st.event_changed);
    pl_event_free(ev);
    ev = load(f);
    assert_string_equal(ev->language, "en");
    assert_int_equal(pl_event_lang(ev), PL_LANG_EN);
    pl_event_free(ev);

    save_text(f, "2026-11-02T10:00:00Z", "Salle", "Ana", two, &st);
    assert_true(st.event_changed);
    ev = load(f);
    assert_null(ev->language);
    pl_event_free(ev);
    save_text(f, "2026-11-03T10:00:00Z", "Salle", "Ana", two, &st);
    assert_false(st.event_changed);

    /* spelling out the zone's default is no change */
    text[0] = '{';
    snprintf(text + 1, sizeof(text) - 1, "\"language\": \"fr\", " EVENT_HEAD "%s]}", "Salle", "Ana",
             two);
    memmove(text + 1 + strlen("\"language\": \"fr\", "),
            text + 2 + strlen("\"language\": \"fr\", "), strlen(text) + 1);
    assert_int_equal(pl_event_parse_json_text(&ev, text, strlen(text), "t.json", NULL), 0);
    assert_string_equal(ev->language, "fr");
    assert_int_equal(pl_event_save(f->store, ev, &st, NULL), 0);
    assert_false(st.event_changed);
    assert_int_equal(st.sessions_unchanged, 2);
    pl_event_free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_then_unchanged, th_db_setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(a_changed_session_moves_alone, th_db_setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(a_removed_session_is_kept_cancelled_then_reinstated,
                                        th_db_setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(venue_and_speaker_changes_reach_every_session, th_db_setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(list_and_not_found, th_db_setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(language_is_stored_as_given, th_db_setup, th_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
