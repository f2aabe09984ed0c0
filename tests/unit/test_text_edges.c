/* The text helpers' edges: dates that do not exist, times and separators
 * out of place, UTF-8 that is overlong, a surrogate or beyond U+10FFFF,
 * a clock fixed badly, folding cut on whole characters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void dates_that_do_not_exist_are_refused(void **state)
{
    static const char *const good[] = {"2024-02-29T00:00", "2000-02-29T23:59", "1900-01-01T00:00",
                                       "2026-04-30T12:00", "2026-12-31T09:30"};
    static const char *const bad[] = {
        "2100-02-29T10:00", "2026-02-29T10:00", "2026-04-31T10:00",  "2026-00-10T10:00",
        "2026-13-10T10:00", "2026-12-00T10:00", "1899-12-31T10:00",  "2026/12/10T10:00",
        "2026-12/10T10:00", "2026-12-10 10:00", "2026-12-10T24:00",  "2026-12-10T10:60",
        "2026-12-10T10-00", "2O26-12-10T10:00", "2026-1a-10T10:00",  "2026-12-1bT10:00",
        "2026-12-10T1a:00", "2026-12-10T10:0b", "2026-12-10T10:00Z", NULL};
    pl_datetime dt;
    (void)state;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (pl_datetime_parse(&dt, good[i]) != 0)
            fail_msg("refused %s", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (pl_datetime_parse(&dt, bad[i]) != PL_EINVALID)
            fail_msg("accepted %s", bad[i] ? bad[i] : "NULL");
    /* minutes and weekdays across a leap day */
    assert_int_equal(pl_datetime_parse(&dt, "2024-02-29T00:00"), 0);
    assert_int_equal(pl_datetime_weekday(&dt), 3); /* a Thursday (0: Monday) */
    {
        pl_datetime next;
        assert_int_equal(pl_datetime_parse(&next, "2024-03-01T00:00"), 0);
        assert_int_equal(pl_datetime_minutes(&next) - pl_datetime_minutes(&dt), 24 * 60);
    }
}

static void utf8_sequences_that_are_not_characters(void **state)
{
    static const struct {
        const char *bytes;
        size_t n, len;
    } seqs[] = {
        {"a", 1, 1},
        {"\xc3\xa9", 2, 2},         /* é */
        {"\xe2\x82\xac", 3, 3},     /* € */
        {"\xf0\x9f\x9a\x97", 4, 4}, /* a car */
        {"\xf4\x8f\xbf\xbf", 4, 4}, /* U+10FFFF, the last */
        {"\xc0\xaf", 2, 0},         /* overlong */
        {"\xc1\xbf", 2, 0},         /* overlong */
        {"\xe0\x80\xaf", 3, 0},     /* overlong */
        {"\xed\xa0\x80", 3, 0},     /* a surrogate */
        {"\xf0\x80\x80\xaf", 4, 0}, /* overlong */
        {"\xf4\x90\x80\x80", 4, 0}, /* beyond U+10FFFF */
        {"\xf5\x80\x80\x80", 4, 0}, /* no such lead byte */
        {"\x80", 1, 0},             /* a continuation alone */
        {"\xc3(", 2, 0},            /* a lead without its continuation */
        {"\xe2\x82", 2, 0},         /* cut short */
        {"\xf0\x9f\x9a", 3, 0},     /* cut short */
    };
    (void)state;

    for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
        if (pl_utf8_seq((const unsigned char *)seqs[i].bytes, seqs[i].n) != seqs[i].len)
            fail_msg("sequence %zu: not %zu", i, seqs[i].len);
    assert_null(pl_text_problem("tab\tnew line\ncarriage\r é € 🚗"));
    assert_string_equal(pl_text_problem("bell\a"), "contains a control character");
    assert_string_equal(pl_text_problem("del\x7f"), "contains a control character");
    assert_string_equal(pl_text_problem("cut \xe2\x82"), "is not valid UTF-8");
    assert_null(pl_text_problem(NULL));
}

static void a_clock_fixed_badly_is_the_real_one(void **state)
{
    char now[32];
    (void)state;

    setenv("PLANNER_NOW", "2026-11-26T10:00:00Z", 1);
    pl_now_utc(now);
    assert_string_equal(now, "2026-11-26T10:00:00Z");
    setenv("PLANNER_NOW", "2026-11-26T10:00:00", 1); /* no zone: not taken */
    pl_now_utc(now);
    assert_int_equal(strlen(now), 20);
    assert_int_equal(now[19], 'Z');
    assert_string_not_equal(now, "2026-11-26T10:00:00Z");
    setenv("PLANNER_NOW", "2026-11-26T10:00:00+", 1); /* 20 long, no Z */
    pl_now_utc(now);
    assert_string_not_equal(now, "2026-11-26T10:00:00+");
    unsetenv("PLANNER_NOW");
}

static void folding_cuts_on_whole_characters(void **state)
{
    char out[8], big[4096];
    static char long_text[3 * 1500 + 1];
    (void)state;

    assert_null(pl_text_fold(out, 0, "x"));
    assert_string_equal(pl_text_fold(out, sizeof(out), NULL), "");
    assert_string_equal(pl_text_fold(out, sizeof(out), "ABCDEFGHIJ"), "abcdefg");
    /* "Œuvre" folds to "œuvre": 'œ' is 2 bytes; a cut never splits it */
    assert_string_equal(pl_text_fold(out, 2, "Œuvre"), "");
    assert_string_equal(pl_text_fold(out, 3, "Œuvre"), "œ");
    assert_string_equal(pl_text_fold(out, sizeof(out), "Élève"), "eleve");
    /* longer than the folding takes: cut, still text */
    for (size_t i = 0; i < 1500; i++)
        memcpy(long_text + 3 * i,
               "\xc3\xa9"
               "a",
               3);
    long_text[sizeof(long_text) - 1] = '\0';
    assert_non_null(pl_text_fold(big, sizeof(big), long_text));
    assert_null(pl_text_problem(big));
    assert_int_equal(strspn(big, "ea"), strlen(big));
    assert_true(strlen(big) >= 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates_that_do_not_exist_are_refused),
        cmocka_unit_test(utf8_sequences_that_are_not_characters),
        cmocka_unit_test(a_clock_fixed_badly_is_the_real_one),
        cmocka_unit_test(folding_cuts_on_whole_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
