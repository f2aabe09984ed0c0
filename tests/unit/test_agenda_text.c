/* Agenda conflicts in words (pl_conflict_text): each kind in French and in
 * English, sessions named by their titles, the event's hours as the day's
 * hours or as dates; conflicts that name no known session keep their own
 * message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pl_event *event(const char *start, const char *end, const char *sessions)
{
    char text[4096];
    pl_event *ev = NULL;
    pl_error err;

    snprintf(text, sizeof(text),
             "{\"slug\": \"w\", \"title\": \"Journée\", \"format\": \"in_person\", "
             "\"capacity\": 50, \"start\": \"%s\", \"end\": \"%s\", "
             "\"venue\": {\"name\": \"V\", \"lat\": 48.8, \"lon\": 2.3}, "
             "\"speakers\": [{\"id\": \"a\", \"name\": \"Ana\"}, {\"id\": \"b\", \"name\": "
             "\"Bo\"}], \"sessions\": [%s]}",
             start, end, sessions);
    if (pl_event_parse_json_text(&ev, text, strlen(text), "t.json", &err) != 0)
        fail_msg("%s at %s", err.msg, err.path);
    return ev;
}

static void says(const pl_conflict *c, const pl_event *ev, pl_lang lang, const char *want)
{
    char buf[512];
    const char *got = pl_conflict_text(c, ev, lang, buf, sizeof(buf));
    assert_ptr_equal(got, buf);
    if (strcmp(got, want) != 0)
        fail_msg("got  \"%s\"\nwant \"%s\"", got, want);
}

static void every_kind_has_a_name_and_only_one_is_a_warning(void **state)
{
    static const struct {
        pl_conflict_kind kind;
        const char *name;
    } kinds[] = {{PL_CONFLICT_SPEAKER_OVERLAP, "speaker-overlap"},
                 {PL_CONFLICT_ROOM_OVERLAP, "room-overlap"},
                 {PL_CONFLICT_OUTSIDE_HOURS, "outside-hours"},
                 {PL_CONFLICT_BAD_TIMES, "bad-times"},
                 {PL_CONFLICT_CAPACITY, "capacity"},
                 {PL_CONFLICT_UNKNOWN_SPEAKER, "unknown-speaker"},
                 {PL_CONFLICT_NONEXISTENT_TIME, "nonexistent-time"},
                 {PL_CONFLICT_AMBIGUOUS_TIME, "ambiguous-time"}};
    (void)state;

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        assert_string_equal(pl_conflict_kind_name(kinds[i].kind), kinds[i].name);
        assert_int_equal(pl_conflict_is_warning(kinds[i].kind),
                         kinds[i].kind == PL_CONFLICT_AMBIGUOUS_TIME);
    }
    assert_string_equal(pl_conflict_kind_name((pl_conflict_kind)99), "conflict");
}

static void the_conflicts_found_read_in_both_languages(void **state)
{
    pl_conflict *c = NULL;
    size_t n = 0;
    pl_event *ev = event(
        "2026-12-10T09:00", "2026-12-10T17:00",
        "{\"id\": \"early\", \"title\": \"Accueil\", \"kind\": \"break\", \"start\": \"08:30\", "
        "\"end\": \"09:15\"},"
        "{\"id\": \"backwards\", \"title\": \"Envers\", \"kind\": \"talk\", \"start\": \"12:00\", "
        "\"end\": \"11:00\"},"
        "{\"id\": \"huge\", \"title\": \"Plénière\", \"kind\": \"plenary\", \"start\": \"13:00\", "
        "\"end\": \"14:00\", \"capacity\": 80},"
        "{\"id\": \"w1\", \"title\": \"Atelier 1\", \"kind\": \"workshop\", \"start\": \"15:00\", "
        "\"end\": \"16:00\", \"room\": \"A\", \"speakers\": [\"a\"]},"
        "{\"id\": \"w2\", \"title\": \"Atelier 2\", \"kind\": \"workshop\", \"start\": \"15:30\", "
        "\"end\": \"16:30\", \"room\": \"A\", \"speakers\": [\"b\", \"a\"]}");
    (void)state;

    free(ev->sessions[2].speakers.items);
    ev->sessions[2].speakers.items = calloc(1, sizeof(char *));
    ev->sessions[2].speakers.items[0] = strdup("ghost");
    ev->sessions[2].speakers.count = 1;
    /* the parser wants titles; events built otherwise may lack one */
    free(ev->sessions[4].title);
    ev->sessions[4].title = strdup("");
    assert_int_equal(pl_agenda_check(&c, &n, ev), 0);
    assert_int_equal(n, 6);
    assert_int_equal(c[0].kind, PL_CONFLICT_OUTSIDE_HOURS);
    says(&c[0], ev, PL_LANG_EN,
         "\"Accueil\" (08:30–09:15) is outside the event's hours "
         "(09:00–17:00)");
    says(&c[0], ev, PL_LANG_FR,
         "« Accueil » (08:30–09:15) est en dehors des horaires de "
         "l'événement (09:00–17:00)");
    assert_int_equal(c[1].kind, PL_CONFLICT_BAD_TIMES);
    says(&c[1], ev, PL_LANG_EN, "\"Envers\" ends (11:00) before it starts (12:00)");
    assert_int_equal(c[2].kind, PL_CONFLICT_CAPACITY);
    says(&c[2], ev, PL_LANG_EN, "\"Plénière\" has 80 places, more than the event's 50");
    assert_int_equal(c[3].kind, PL_CONFLICT_UNKNOWN_SPEAKER);
    says(&c[3], ev, PL_LANG_FR,
         "« Plénière » cite l'intervenant « ghost », absent de la liste "
         "des intervenants");
    /* a session without a title is named by its id; the overlap's hours */
    assert_int_equal(c[4].kind, PL_CONFLICT_ROOM_OVERLAP);
    says(&c[4], ev, PL_LANG_EN,
         "the room \"A\" holds \"Atelier 1\" and \"w2\" at the same time (15:30–16:00)");
    assert_int_equal(c[5].kind, PL_CONFLICT_SPEAKER_OVERLAP);
    says(&c[5], ev, PL_LANG_FR,
         "Ana intervient dans « Atelier 1 » et dans « w2 » en même temps (15:30–16:00)");
    free(c);
    pl_event_free(ev);
}

static void an_event_of_two_days_gives_its_dates(void **state)
{
    pl_conflict *c = NULL;
    size_t n = 0;
    pl_event *ev = event("2026-12-10T09:00", "2026-12-11T17:00",
                         "{\"id\": \"late\", \"title\": \"Soirée\", \"kind\": \"forum\", "
                         "\"start\": \"2026-12-11T16:30\", \"end\": \"2026-12-11T18:00\"}");
    (void)state;

    assert_int_equal(pl_agenda_check(&c, &n, ev), 0);
    assert_int_equal(n, 1);
    says(&c[0], ev, PL_LANG_EN,
         "\"Soirée\" (16:30–18:00) is outside the event's hours "
         "(2026-12-10T09:00 – 2026-12-11T17:00)");
    free(c);
    pl_event_free(ev);
}

static void conflicts_about_no_known_session_keep_their_message(void **state)
{
    pl_event *ev = event("2026-12-10T09:00", "2026-12-10T17:00",
                         "{\"id\": \"t\", \"title\": \"Talk\", \"kind\": \"talk\", \"start\": "
                         "\"10:00\", \"end\": \"11:00\", \"room\": \"A\", \"speakers\": [\"a\"]},"
                         "{\"id\": \"u\", \"title\": \"Other\", \"kind\": \"talk\", \"start\": "
                         "\"10:00\", \"end\": \"11:00\", \"room\": \"B\", \"speakers\": [\"b\"]}");
    pl_conflict c;
    (void)state;

    memset(&c, 0, sizeof(c));
    snprintf(c.message, sizeof(c.message), "as the checker said it");
    c.session = "gone";
    for (int k = PL_CONFLICT_SPEAKER_OVERLAP; k <= PL_CONFLICT_UNKNOWN_SPEAKER; k++) {
        c.kind = (pl_conflict_kind)k;
        says(&c, ev, PL_LANG_EN, "as the checker said it");
    }
    /* an overlap without its other session, or with no speaker shared */
    c.session = "t";
    c.kind = PL_CONFLICT_ROOM_OVERLAP;
    says(&c, ev, PL_LANG_FR, "as the checker said it");
    c.other = "u";
    c.kind = PL_CONFLICT_SPEAKER_OVERLAP;
    says(&c, ev, PL_LANG_FR, "as the checker said it");
    /* times the clocks skip or repeat: of a session, of the event itself */
    c.other = NULL;
    c.kind = PL_CONFLICT_NONEXISTENT_TIME;
    c.detail = "2027-03-28T02:30";
    says(&c, ev, PL_LANG_EN,
         "\"Talk\": 2027-03-28 02:30 does not exist that day (the clocks "
         "go forward)");
    c.session = NULL;
    c.kind = PL_CONFLICT_AMBIGUOUS_TIME;
    c.detail = "02:30";
    says(&c, ev, PL_LANG_FR,
         "« Journée » : 02:30 a lieu deux fois ce jour-là (passage à "
         "l'heure d'hiver) ; les agendas prennent la première");
    c.detail = NULL;
    says(&c, ev, PL_LANG_FR, "as the checker said it");
    pl_event_free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind_has_a_name_and_only_one_is_a_warning),
        cmocka_unit_test(the_conflicts_found_read_in_both_languages),
        cmocka_unit_test(an_event_of_two_days_gives_its_dates),
        cmocka_unit_test(conflicts_about_no_known_session_keep_their_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
