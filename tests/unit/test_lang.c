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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue_has_both_languages),
        cmocka_unit_test(language_of_an_event),
        cmocka_unit_test(dates_in_the_events_zone_and_language),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
