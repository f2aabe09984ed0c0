#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"

#include <string.h>

/* Every part of the location is written only when it is there. */
static void format_says_what_it_knows(void **state)
{
    pl_error err;
    char buf[600];
    (void)state;

    pl_error_set_at(&err, PL_EINVALID, "event.json", 3, 21, "sessions[1].end", "not a time");
    assert_string_equal(pl_error_format(&err, buf, sizeof(buf)),
                        "event.json:3:21: sessions[1].end: not a time");
    pl_error_set_at(&err, PL_EINVALID, "regs.csv", 7, 0, NULL, "bad row");
    assert_string_equal(pl_error_format(&err, buf, sizeof(buf)), "regs.csv:7: bad row");
    pl_error_set_at(&err, PL_EINVALID, NULL, 0, 0, "email", "missing");
    assert_string_equal(pl_error_format(&err, buf, sizeof(buf)), "email: missing");
    pl_error_set(&err, PL_EIO, "disk %s", "full");
    assert_int_equal(err.code, PL_EIO);
    assert_string_equal(pl_error_format(&err, buf, sizeof(buf)), "disk full");
    pl_error_clear(&err);
    assert_string_equal(pl_error_format(&err, buf, sizeof(buf)), "unknown error");
    assert_string_equal(pl_error_format(NULL, buf, sizeof(buf)), "");
}

/* The buffer is never overrun and always terminated. */
static void format_truncates_safely(void **state)
{
    pl_error err;
    char small[12];
    (void)state;

    pl_error_set_at(&err, PL_EINVALID, "a-rather-long-file-name.json", 120, 7, "x", "message");
    pl_error_format(&err, small, sizeof(small));
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_memory_equal(small, "a-rather-lo", 11);
    assert_ptr_equal(pl_error_format(&err, small, 0), small);
}

/* A NULL pl_error is accepted and the code still comes back. */
static void null_error_drops_the_message(void **state)
{
    pl_error err;
    (void)state;

    assert_int_equal(pl_error_set(NULL, PL_ENOTFOUND, "x"), PL_ENOTFOUND);
    assert_int_equal(pl_error_set_at(NULL, PL_EIO, "f", 1, 1, "p", "x"), PL_EIO);
    assert_int_equal(pl_error_oom(NULL), PL_ENOMEM);
    pl_error_clear(NULL);
    assert_int_equal(pl_error_oom(&err), PL_ENOMEM);
    assert_string_equal(err.msg, "out of memory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_says_what_it_knows),
        cmocka_unit_test(format_truncates_safely),
        cmocka_unit_test(null_error_drops_the_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
