/*
 * test_html.c - the server's templating: each directive escapes for its
 * context.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "html.h"

#include <stdlib.h>
#include <string.h>

static char *emit(const char *fmt, const char *arg)
{
    srv_html h = {PL_BUF_INIT, 0};
    srv_html_emit(&h, fmt, arg);
    assert_false(h.failed);
    return pl_buf_detach(&h.buf);
}

static void check(const char *fmt, const char *arg, const char *want)
{
    char *got = emit(fmt, arg);
    assert_string_equal(got, want);
    free(got);
}

static void test_text_and_attribute(void **state)
{
    (void)state;
    check("<p>%t</p>", "<script>alert(\"x\")</script> & 'y'",
          "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>");
    check("<a title=\"%a\">", "\" onmouseover=\"x", "<a title=\"&quot; onmouseover=&quot;x\">");
    check("[%t]", NULL, "[]");
    check("%t", "Déjeuner — café", "Déjeuner — café"); /* UTF-8 passes */
    check("%s", "<b>trusted</b>", "<b>trusted</b>");
    check("100%% %t", "sûr", "100% sûr");
}

static void test_url_component(void **state)
{
    (void)state;
    check("?q=%u", "a b&c=d/é", "?q=a%20b%26c%3Dd%2F%C3%A9");
    check("%u", "AZaz09-._~", "AZaz09-._~");
}

static void test_safe_urls(void **state)
{
    (void)state;
    check("<a href=\"%U\">", "https://example.org/?a=1&b=\"2\"",
          "<a href=\"https://example.org/?a=1&amp;b=&quot;2&quot;\">");
    check("%U", "javascript:alert(1)", "#");
    check("%U", "JaVaScRiPt:alert(1)", "#");
    check("%U", "data:text/html,x", "#");
    check("%U", "//evil.example/x", "#");
    check("%U", "/e/atelier", "/e/atelier");
    check("%U", "webcal://h/e.ics", "webcal://h/e.ics");
    check("%U", "https://ok.example/\nx", "#");
    assert_true(srv_url_is_safe("mailto:a@b.c"));
    assert_false(srv_url_is_safe(NULL));
}

static void test_numbers(void **state)
{
    (void)state;
    srv_html h = {PL_BUF_INIT, 0};
    srv_html_emit(&h, "%d places, %z sessions%s", -3, (size_t)14, "!");
    assert_string_equal(h.buf.data, "-3 places, 14 sessions!");
    pl_buf_free(&h.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_and_attribute),
        cmocka_unit_test(test_url_component),
        cmocka_unit_test(test_safe_urls),
        cmocka_unit_test(test_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
