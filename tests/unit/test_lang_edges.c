/* The catalogue's and the date formatter's edges: ids and languages out of
 * range, templates cut to the buffer, arguments cut on whole characters,
 * times written every way the stores and the forms write them, and the
 * ones refused (shown as given). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"

#include <stdio.h>
#include <string.h>

static void texts_out_of_range_are_empty(void **state)
{
    char buf[64];
    (void)state;

    assert_string_equal(pl_lang_text(PL_LANG_FR, PL_T_COUNT), "");
    assert_string_equal(pl_lang_text((pl_lang)PL_LANG_COUNT, 0), "");
    assert_string_equal(pl_lang_code(PL_LANG_EN), "en");
    assert_string_equal(pl_lang_code(PL_LANG_FR), "fr");
    /* a label: French puts a space before its colon */
    assert_string_equal(pl_lang_label(buf, sizeof(buf), PL_LANG_FR, PL_T_COUNT, "x"), " : x");
    assert_string_equal(pl_lang_label(buf, sizeof(buf), PL_LANG_EN, PL_T_COUNT, NULL), ": ");
}

static void fill_cuts_to_the_buffer_and_numbers_plain_placeholders(void **state)
{
    const char *args[] = {"un", "deux", NULL};
    char buf[32];
    (void)state;

    assert_string_equal(pl_lang_fill(buf, sizeof(buf), "%2-%1-%3-%9", args, 3), "deux-un--");
    assert_string_equal(pl_lang_fill(buf, sizeof(buf), "%s and %d, %%x", args, 2),
                        "un and deux, %%x");
    assert_string_equal(pl_lang_fill(buf, sizeof(buf), NULL, args, 2), "");
    /* cut: an argument, then the template */
    assert_string_equal(pl_lang_fill(buf, 6, "<%1>", (const char *[]){"abcdefgh"}, 1), "<abcd");
    assert_string_equal(pl_lang_fill(buf, 4, "abcdefgh", NULL, 0), "abc");
    buf[0] = 'x';
    assert_ptr_equal(pl_lang_fill(buf, 0, "abc", NULL, 0), buf);
    assert_int_equal(buf[0], 'x');
}

static void an_error_said_keeps_whole_characters_and_reads_back(void **state)
{
    char arg[300], buf[600];
    pl_error err;
    (void)state;

    /* no error to fill: the code only */
    assert_int_equal(pl_error_say_at(NULL, PL_EINVALID, "f", 1, 2, "p", 0, NULL, 0), PL_EINVALID);
    /* 'é' (2 bytes) across the 127-byte cut is dropped whole */
    memset(arg, 'a', sizeof(arg));
    memcpy(arg + 126, "é", 2);
    arg[200] = '\0';
    {
        const char *args[] = {arg, NULL};
        assert_int_equal(pl_error_say_at(&err, PL_EINVALID, "f.csv", 3, 0, "name", 0, args, 2),
                         PL_EINVALID);
    }
    assert_int_equal(strlen(err.args[0]), 126);
    assert_string_equal(err.args[1], "");
    assert_string_equal(err.file, "f.csv");
    assert_int_equal(err.line, 3);
    assert_int_equal(err.text, 1);
    /* read back: out of the catalogue, the English message as it is */
    err.text = PL_T_COUNT + 1;
    snprintf(err.msg, sizeof(err.msg), "as it is");
    assert_string_equal(pl_error_text(&err, PL_LANG_FR, buf, sizeof(buf)), "as it is");
    err.text = 0;
    assert_string_equal(pl_error_text(&err, PL_LANG_FR, buf, sizeof(buf)), "as it is");
    assert_string_equal(pl_error_text(NULL, PL_LANG_FR, buf, sizeof(buf)), "");
    buf[0] = 'x';
    assert_ptr_equal(pl_error_text(&err, PL_LANG_FR, buf, 0), buf);
    assert_int_equal(buf[0], 'x');
}

static void dates_every_way_they_are_written(void **state)
{
    pl_datefmt *f = NULL;
    pl_datetime dt;
    char buf[128];
    int sec = -1;
    (void)state;

    assert_int_equal(pl_datefmt_open(&f, PL_LANG_FR, "Europe/Paris", NULL), 0);
    /* a day; minutes; seconds; UTC with and without seconds */
    assert_int_equal(pl_datefmt_format(f, buf, sizeof(buf), PL_DATETIME_SHORT, "2026-12-08"), 0);
    assert_string_equal(buf, "08/12/2026 00:00");
    assert_int_equal(pl_datefmt_local(f, &dt, &sec, "2026-12-08T09:30:45"), 0);
    assert_int_equal(sec, 45);
    assert_int_equal(dt.minute, 30);
    assert_int_equal(pl_datefmt_local(f, &dt, NULL, "2026-12-08T08:30Z"), 0);
    assert_int_equal(dt.hour, 9);
    assert_int_equal(pl_datefmt_local(f, &dt, &sec, "2026-12-08T08:30:59Z"), 0);
    assert_int_equal(dt.hour, 9);
    assert_int_equal(sec, 59);
    /* refused, and shown as given */
    static const char *const bad[] = {
        "2026-12-8",
        "2026-12-08T9:30",
        "2026-12-08T09:30X",
        "2026-12-08T09:30:61",
        "2026-12-08T09:30:5a",
        "2026-12-08T09:30-45",
        "2026-12-08T09:30:45Zx",
        "2026-13-08T09:30",
        "2026-12-08T09:30:45+01:00",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(pl_datefmt_local(f, &dt, &sec, bad[i]), PL_EINVALID);
        assert_int_equal(pl_datefmt_format(f, buf, sizeof(buf), PL_DATE_LONG, bad[i]), PL_EINVALID);
        assert_string_equal(buf, bad[i]);
    }
    assert_int_equal(pl_datefmt_format(f, buf, sizeof(buf), PL_DATE_LONG, NULL), PL_EINVALID);
    assert_string_equal(buf, "");
    /* a style that is none; a buffer too short for the date */
    assert_int_equal(
        pl_datefmt_format(f, buf, sizeof(buf), (pl_date_style)PL_DATE_STYLE_COUNT, "2026-12-08"),
        PL_EINVALID);
    assert_string_equal(buf, "2026-12-08");
    assert_int_equal(pl_datefmt_format(f, buf, 12, PL_DATE_LONG, "2026-12-08"), PL_EINVALID);
    assert_string_equal(buf, "2026-12-08");
    pl_datefmt_free(f);
    /* in one call; a zone that does not exist */
    assert_int_equal(pl_date_format(buf, sizeof(buf), PL_LANG_EN, "Europe/Paris", PL_DATE_LONG,
                                    "2026-12-08T09:30"),
                     0);
    assert_string_equal(buf, "Tuesday, 8 December 2026");
    assert_int_equal(pl_date_format(buf, sizeof(buf), PL_LANG_EN, "Mars/Olympus_Mons", PL_DATE_LONG,
                                    "2026-12-08T09:30"),
                     PL_EINVALID);
    assert_string_equal(buf, "2026-12-08T09:30");
    assert_int_equal(
        pl_date_format(buf, sizeof(buf), PL_LANG_EN, "Mars/Olympus_Mons", PL_DATE_LONG, NULL),
        PL_EINVALID);
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(texts_out_of_range_are_empty),
        cmocka_unit_test(fill_cuts_to_the_buffer_and_numbers_plain_placeholders),
        cmocka_unit_test(an_error_said_keeps_whole_characters_and_reads_back),
        cmocka_unit_test(dates_every_way_they_are_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
