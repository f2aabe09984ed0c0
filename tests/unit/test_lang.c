/*
 * test_lang.c - the language catalogue, the event's language and the date
 * formatter (planner/lang.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"

#include <stdlib.h>
#include <string.h>

static void catalogue_has_both_languages(void **state)
{
    (void)state;
    assert_string_equal(pl_lang_text(PL_LANG_FR, PL_T_COMMON_STATUS_CONFIRMED), "confirmé");
    assert_string_equal(pl_lang_text(PL_LANG_EN, PL_T_COMMON_STATUS_CONFIRMED), "confirmed");
    assert_string_equal(pl_lang_text(PL_LANG_FR, PL_T_COMMON_TRAVEL_PASSENGER), "passager");
    /* every entry is there in both languages, never empty */
    for (int id = 0; id < PL_T_COUNT; id++)
        for (int l = 0; l < PL_LANG_COUNT; l++)
            assert_true(pl_lang_text((pl_lang)l, (pl_text_id)id)[0] != '\0');
    assert_string_equal(pl_lang_text(PL_LANG_FR, PL_T_COUNT), "");
}

static void language_of_an_event(void **state)
{
    pl_event ev = {0};
    pl_lang l;

    (void)state;
    assert_int_equal(pl_lang_parse(&l, "EN"), 0);
    assert_int_equal(l, PL_LANG_EN);
    assert_int_equal(pl_lang_parse(&l, "de"), PL_EINVALID);
    assert_int_equal(pl_lang_parse(&l, NULL), PL_EINVALID);
    assert_string_equal(pl_lang_code(PL_LANG_FR), "fr");
    ev.timezone = "Europe/Paris";
    assert_int_equal(pl_event_lang(&ev), PL_LANG_FR);
    ev.timezone = "Indian/Reunion";
    assert_int_equal(pl_event_lang(&ev), PL_LANG_FR);
    ev.timezone = "Europe/London";
    assert_int_equal(pl_event_lang(&ev), PL_LANG_EN);
    ev.language = "fr";
    assert_int_equal(pl_event_lang(&ev), PL_LANG_FR);
    ev.timezone = "Europe/Paris";
    ev.language = "en";
    assert_int_equal(pl_event_lang(&ev), PL_LANG_EN);
    assert_int_equal(pl_event_lang(NULL), PL_LANG_EN);
}

static void dates_in_the_events_zone_and_language(void **state)
{
    pl_datefmt *fr, *en;
    pl_datetime dt;
    char buf[128];
    int sec;

    (void)state;
    assert_int_equal(pl_datefmt_open(&fr, PL_LANG_FR, "Europe/Paris", NULL), 0);
    assert_int_equal(pl_datefmt_open(&en, PL_LANG_EN, "America/New_York", NULL), 0);
    /* wall times are written as they are */
    assert_int_equal(pl_datefmt_format(fr, buf, sizeof(buf), PL_DATE_LONG, "2026-12-08T09:30"), 0);
    assert_string_equal(buf, "mardi 8 décembre 2026");
    assert_int_equal(pl_datefmt_format(fr, buf, sizeof(buf), PL_DATE_SHORT, "2026-12-08"), 0);
    assert_string_equal(buf, "08/12/2026");
    assert_int_equal(pl_datefmt_format(fr, buf, sizeof(buf), PL_DATETIME_SHORT, "2026-12-08T09:30"),
                     0);
    assert_string_equal(buf, "08/12/2026 09:30");
    assert_int_equal(pl_datefmt_format(fr, buf, sizeof(buf), PL_TIME_SHORT, "2026-12-08T09:05"), 0);
    assert_string_equal(buf, "09:05");
    assert_int_equal(pl_datefmt_format(en, buf, sizeof(buf), PL_DATE_LONG, "2026-12-08T09:30"), 0);
    assert_string_equal(buf, "Tuesday, 8 December 2026");
    /* UTC instants move to the zone, with its summer time */
    assert_int_equal(
        pl_datefmt_format(fr, buf, sizeof(buf), PL_DATETIME_SHORT, "2026-12-08T08:30:00Z"), 0);
    assert_string_equal(buf, "08/12/2026 09:30");
    assert_int_equal(pl_datefmt_local(fr, &dt, &sec, "2026-07-01T22:15:07Z"), 0);
    assert_int_equal(dt.day, 2);
    assert_int_equal(dt.hour, 0);
    assert_int_equal(dt.minute, 15);
    assert_int_equal(sec, 7);
    assert_int_equal(pl_datefmt_local(en, &dt, NULL, "2026-01-01T03:00:00Z"), 0);
    assert_int_equal(dt.year, 2025);
    assert_int_equal(dt.hour, 22);
    /* neither: the text as it is */
    assert_int_equal(pl_datefmt_format(fr, buf, sizeof(buf), PL_DATE_LONG, "soon"), PL_EINVALID);
    assert_string_equal(buf, "soon");
    assert_int_equal(pl_datefmt_format(fr, buf, 4, PL_DATE_LONG, "2026-12-08"), PL_EINVALID);
    assert_int_equal(pl_datefmt_local(fr, &dt, NULL, "2026-12-08T09:30:00"), 0);
    assert_int_equal(pl_datefmt_local(fr, &dt, NULL, "2026-12-08T09:30:61Z"), PL_EINVALID);
    pl_datefmt_free(fr);
    pl_datefmt_free(en);
    assert_int_equal(pl_datefmt_open(&fr, PL_LANG_FR, "Nowhere/Land", NULL), PL_EINVALID);
    assert_int_equal(pl_date_format(buf, sizeof(buf), PL_LANG_FR, "Pacific/Tahiti", PL_DATE_LONG,
                                    "2026-12-10T00:00:00Z"),
                     0);
    assert_string_equal(buf, "mercredi 9 décembre 2026");
}

/* Placeholders: %1..%9 by position, %s/%d in order, a lone % as it is. */
static void fill_places_the_arguments(void **state)
{
    const char *args[] = {"Salle A", "Atelier", NULL};
    char buf[64], small[8];
    (void)state;

    assert_string_equal(pl_lang_fill(buf, sizeof(buf), "%2 en %1 (%3) 100 %", args, 3),
                        "Atelier en Salle A () 100 %");
    assert_string_equal(pl_lang_fill(buf, sizeof(buf), "%s puis %d, %s", args, 2),
                        "Salle A puis Atelier, ");
    assert_string_equal(pl_lang_fill(small, sizeof(small), "%1%1", args, 1), "Salle A");
    assert_string_equal(pl_lang_fill(small, sizeof(small), "abcdefghij", NULL, 0), "abcdefg");
}

/* A core message keeps its English in msg and its location, and comes out
 * in French from its catalogue text; a printf message stays as it is. */
static void error_text_in_either_language(void **state)
{
    pl_error err;
    char buf[300];
    (void)state;

    assert_int_equal(
        PL_SAY_AT(&err, PL_EINVALID, "ev.json", 4, 2, "end", ERR_NOT_DATETIME, "demain"),
        PL_EINVALID);
    assert_string_equal(err.msg, "\"demain\" is not a date and time: write \"YYYY-MM-DDTHH:MM\"");
    assert_string_equal(err.file, "ev.json");
    assert_int_equal(err.line, 4);
    assert_string_equal(err.path, "end");
    assert_string_equal(pl_error_format(&err, buf, sizeof(buf)),
                        "ev.json:4:2: end: \"demain\" is not a date and time: write "
                        "\"YYYY-MM-DDTHH:MM\"");
    assert_non_null(strstr(pl_error_text(&err, PL_LANG_FR, buf, sizeof(buf)),
                           "« demain » n'est pas une date et une heure"));
    assert_string_equal(pl_error_text(&err, PL_LANG_EN, buf, sizeof(buf)), err.msg);
    /* the next message forgets the text */
    pl_error_set(&err, PL_EIO, "disk %s", "full");
    assert_string_equal(pl_error_text(&err, PL_LANG_FR, buf, sizeof(buf)), "disk full");
    assert_string_equal(pl_error_text(NULL, PL_LANG_FR, buf, sizeof(buf)), "");
    assert_int_equal(PL_SAY(NULL, PL_ENOTFOUND, "x", REG_ERR_EMPTY, NULL), PL_ENOTFOUND);
    /* a long argument is cut between characters, never inside one */
    {
        char longer[300] = "";
        for (int i = 0; i < 100; i++)
            strcat(longer, "é");
        PL_SAY(&err, PL_EINVALID, "id", ERR_IDENT_LENGTH, NULL);
        PL_SAY(&err, PL_EINVALID, "x", ERR_UNKNOWN_KEY, longer);
        assert_int_equal(strlen(err.args[0]), 126);
        assert_null(pl_text_problem(err.msg));
        assert_null(pl_text_problem(pl_error_text(&err, PL_LANG_FR, buf, sizeof(buf))));
        /* an argument taken from the error itself survives its clearing */
        PL_SAY(&err, PL_EINVALID, "x", REG_ERR_PHONE, err.args[0]);
        assert_int_equal(strlen(err.args[0]), 126);
    }
}

/* What the forms meet: the event's and the registration's checks, and a
 * conflict named by the sessions' titles. */
static void core_checks_speak_french(void **state)
{
    static const char bad_end[] =
        "{\"slug\":\"a\",\"title\":\"A\",\"format\":\"online\",\"online_url\":\"https://x.fr\","
        "\"start\":\"2026-12-10T09:00\",\"end\":\"2026-12-10T08:00\",\"sessions\":[]}";
    static const char clash[] =
        "{\"slug\":\"a\",\"title\":\"A\",\"format\":\"online\",\"online_url\":\"https://x.fr\","
        "\"start\":\"2026-12-10T09:00\",\"end\":\"2026-12-10T17:00\","
        "\"speakers\":[{\"id\":\"cb\",\"name\":\"Claire Bernard\"}],"
        "\"sessions\":[{\"id\":\"w1\",\"title\":\"Vélo-école\",\"kind\":\"workshop\","
        "\"start\":\"10:00\",\"end\":\"11:00\",\"speakers\":[\"cb\"]},"
        "{\"id\":\"w2\",\"title\":\"Autopartage\",\"kind\":\"workshop\",\"start\":\"10:30\","
        "\"end\":\"11:30\",\"speakers\":[\"cb\"]}]}";
    pl_event *ev = NULL;
    pl_registration r = {0};
    pl_conflict *c = NULL;
    size_t n = 0;
    pl_error err;
    char buf[400];
    (void)state;

    assert_int_equal(pl_event_parse_json_text(&ev, bad_end, sizeof(bad_end) - 1, "form", &err),
                     PL_EINVALID);
    assert_string_equal(err.path, "end");
    assert_string_equal(err.msg, "the event must end after it starts (2026-12-10T09:00)");
    assert_string_equal(pl_error_text(&err, PL_LANG_FR, buf, sizeof(buf)),
                        "l'événement doit finir après son début (2026-12-10T09:00)");

    r.name = "Ana";
    r.email = "ana-at-example.fr";
    assert_int_equal(pl_registration_validate(&r, &err), PL_EINVALID);
    assert_string_equal(err.path, "email");
    assert_string_equal(err.msg, "\"ana-at-example.fr\" is not an e-mail address");
    assert_non_null(strstr(pl_error_text(&err, PL_LANG_FR, buf, sizeof(buf)),
                           "« ana-at-example.fr » n'est pas une adresse e-mail"));

    assert_int_equal(pl_event_parse_json_text(&ev, clash, sizeof(clash) - 1, "form", &err), 0);
    assert_int_equal(pl_agenda_check(&c, &n, ev), 0);
    assert_int_equal(n, 1);
    assert_non_null(strstr(c[0].message, "'w1'")); /* the command line: ids */
    assert_string_equal(pl_conflict_text(&c[0], ev, PL_LANG_FR, buf, sizeof(buf)),
                        "Claire Bernard intervient dans « Vélo-école » et dans « Autopartage » en "
                        "même temps (10:30–11:00)");
    assert_string_equal(pl_conflict_text(&c[0], ev, PL_LANG_EN, buf, sizeof(buf)),
                        "Claire Bernard is in \"Vélo-école\" and \"Autopartage\" at the same time "
                        "(10:30–11:00)");
    free(c);
    pl_event_free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue_has_both_languages),
        cmocka_unit_test(language_of_an_event),
        cmocka_unit_test(dates_in_the_events_zone_and_language),
        cmocka_unit_test(fill_places_the_arguments),
        cmocka_unit_test(error_text_in_either_language),
        cmocka_unit_test(core_checks_speak_french),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
