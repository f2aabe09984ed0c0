#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"

#include <stdlib.h>
#include <string.h>

static void datetime_parses_real_dates_only(void **state)
{
    pl_datetime dt;
    (void)state;

    assert_int_equal(pl_datetime_parse(&dt, "2026-12-10T09:30"), 0);
    assert_int_equal(dt.year, 2026);
    assert_int_equal(dt.month, 12);
    assert_int_equal(dt.day, 10);
    assert_int_equal(dt.hour, 9);
    assert_int_equal(dt.minute, 30);
    assert_int_equal(pl_datetime_parse(&dt, "2024-02-29T00:00"), 0);
    assert_int_equal(pl_datetime_parse(&dt, "2026-02-29T00:00"), PL_EINVALID);
    assert_int_equal(pl_datetime_parse(&dt, "2026-13-01T10:00"), PL_EINVALID);
    assert_int_equal(pl_datetime_parse(&dt, "2026-12-10T24:00"), PL_EINVALID);
    assert_int_equal(pl_datetime_parse(&dt, "2026-12-10 09:30"), PL_EINVALID);
    assert_int_equal(pl_datetime_parse(&dt, "2026-12-10T09:30:00"), PL_EINVALID);
    assert_int_equal(pl_datetime_parse(&dt, "2026-12-10T09:30Z"), PL_EINVALID);
    assert_int_equal(pl_datetime_parse(&dt, ""), PL_EINVALID);
    assert_int_equal(pl_datetime_parse(&dt, NULL), PL_EINVALID);
}

static void time_parses_hh_mm(void **state)
{
    int h, m;
    (void)state;

    assert_int_equal(pl_time_parse(&h, &m, "17:05"), 0);
    assert_int_equal(h, 17);
    assert_int_equal(m, 5);
    assert_int_equal(pl_time_parse(&h, &m, "9:30"), PL_EINVALID);
    assert_int_equal(pl_time_parse(&h, &m, "09:60"), PL_EINVALID);
    assert_int_equal(pl_time_parse(&h, &m, "9h30"), PL_EINVALID);
}

static void minutes_and_weekday(void **state)
{
    pl_datetime a, b;
    (void)state;

    assert_int_equal(pl_datetime_parse(&a, "2026-12-31T23:30"), 0);
    assert_int_equal(pl_datetime_parse(&b, "2027-01-01T00:15"), 0);
    assert_int_equal(pl_datetime_minutes(&b) - pl_datetime_minutes(&a), 45);
    assert_int_equal(pl_datetime_weekday(&a), 3); /* a Thursday */
    assert_int_equal(pl_datetime_parse(&a, "1970-01-01T00:00"), 0);
    assert_int_equal(pl_datetime_minutes(&a), 0);
}

static void buffer_grows(void **state)
{
    pl_buf b = PL_BUF_INIT;
    char *s;
    (void)state;

    for (int i = 0; i < 1000; i++)
        assert_int_equal(pl_buf_printf(&b, "%d,", i % 10), 0);
    assert_int_equal(b.len, 2000);
    s = pl_buf_detach(&b);
    assert_non_null(s);
    assert_int_equal(strlen(s), 2000);
    assert_null(b.data);
    free(s);
}

static void error_format_names_the_place(void **state)
{
    pl_error err;
    char buf[256];
    (void)state;

    assert_int_equal(
        pl_error_set_at(&err, PL_EINVALID, "e.json", 3, 7, "sessions[2].start", "bad %s", "time"),
        PL_EINVALID);
    assert_string_equal(pl_error_format(&err, buf, sizeof(buf)),
                        "e.json:3:7: sessions[2].start: bad time");
    pl_error_set(&err, PL_EIO, "disk full");
    assert_string_equal(pl_error_format(&err, buf, sizeof(buf)), "disk full");
    assert_int_equal(err.code, PL_EIO);
}

static void random_uuid_is_v4_and_differs(void **state)
{
    char a[PL_UUID_SIZE], b[PL_UUID_SIZE], hex[33];
    (void)state;

    assert_int_equal(pl_random_uuid(a), 0);
    assert_int_equal(pl_random_uuid(b), 0);
    assert_int_equal(strlen(a), 36);
    assert_int_equal(a[14], '4');
    assert_true(strchr("89ab", a[19]) != NULL);
    assert_string_not_equal(a, b);
    assert_int_equal(pl_random_hex(hex, 16), 0);
    assert_int_equal(strlen(hex), 32);
    assert_int_equal(strspn(hex, "0123456789abcdef"), 32);
}

static void now_honours_planner_now(void **state)
{
    char now[32];
    (void)state;

    setenv("PLANNER_NOW", "2026-11-26T08:00:00Z", 1);
    pl_now_utc(now);
    assert_string_equal(now, "2026-11-26T08:00:00Z");
    unsetenv("PLANNER_NOW");
    pl_now_utc(now);
    assert_int_equal(strlen(now), 20);
    assert_int_equal(now[19], 'Z');
}

static void text_problem_finds_bytes_that_are_not_text(void **state)
{
    (void)state;

    assert_null(pl_text_problem(NULL));
    assert_null(pl_text_problem(""));
    assert_null(pl_text_problem("Zoé Ŝ 中 😀 \xE2\x80\xAE rtl\tx\r\ny"));
    assert_string_equal(pl_text_problem("a\xFF"), "is not valid UTF-8");
    assert_string_equal(pl_text_problem("a\xC3"), "is not valid UTF-8");        /* cut */
    assert_string_equal(pl_text_problem("\xC0\xAF"), "is not valid UTF-8");     /* overlong */
    assert_string_equal(pl_text_problem("\xED\xA0\x80"), "is not valid UTF-8"); /* surrogate */
    assert_string_equal(pl_text_problem("a\x01"), "contains a control character");
    assert_string_equal(pl_text_problem("\x1B[2J"), "contains a control character");
    assert_string_equal(pl_text_problem("a\x7F"), "contains a control character");
}

static void fold_drops_accents_and_case(void **state)
{
    char out[64];
    (void)state;

    assert_string_equal(pl_text_fold(out, sizeof(out), "Végétarienne"), "vegetarienne");
    assert_string_equal(pl_text_fold(out, sizeof(out), "VÉGÉTARIENS"), "vegetariens");
    assert_string_equal(pl_text_fold(out, sizeof(out), "Straße Œuvre"), "strasse œuvre");
    assert_string_equal(pl_text_fold(out, sizeof(out), NULL), "");
    /* cut on a character boundary */
    assert_string_equal(pl_text_fold(out, 3, "aéé"), "ae");
    assert_string_equal(pl_text_fold(out, 3, "œœ"), "œ");
    /* ASCII (not through ICU): the same answer */
    assert_string_equal(pl_text_fold(out, sizeof(out), "VEGETARIEN Sans-Gluten, 2!"),
                        "vegetarien sans-gluten, 2!");
    assert_string_equal(pl_text_fold(out, 4, "ABCDEF"), "abc");
    assert_string_equal(pl_text_fold(out, 1, "ABC"), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fold_drops_accents_and_case),
        cmocka_unit_test(datetime_parses_real_dates_only),
        cmocka_unit_test(time_parses_hh_mm),
        cmocka_unit_test(minutes_and_weekday),
        cmocka_unit_test(buffer_grows),
        cmocka_unit_test(error_format_names_the_place),
        cmocka_unit_test(random_uuid_is_v4_and_differs),
        cmocka_unit_test(now_honours_planner_now),
        cmocka_unit_test(text_problem_finds_bytes_that_are_not_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
