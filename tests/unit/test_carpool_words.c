/* What carpool members see of each other (carpool_pickup.c): first names
 * cut on a whole character, places as resolved and as typed, full details
 * for oneself and for a driver, phones only when shared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"

#include <stdio.h>
#include <string.h>

static void first_names_stop_at_a_space_and_never_split_a_character(void **state)
{
    char out[16];
    (void)state;

    pl_carpool_first_name(out, sizeof(out), "  \tAna Maria Silva");
    assert_string_equal(out, "Ana");
    pl_carpool_first_name(out, sizeof(out), "Zoé\tRoy");
    assert_string_equal(out, "Zoé");
    pl_carpool_first_name(out, sizeof(out), "Cher\nnext line");
    assert_string_equal(out, "Cher");
    pl_carpool_first_name(out, sizeof(out), "Solo");
    assert_string_equal(out, "Solo");
    pl_carpool_first_name(out, sizeof(out), NULL);
    assert_string_equal(out, "");
    pl_carpool_first_name(out, sizeof(out), "   ");
    assert_string_equal(out, "");
    /* too long: cut to the buffer, before a character of two bytes */
    pl_carpool_first_name(out, 6, "Anaëlle Roy"); /* "Ana" + 'ë' (2 bytes) fits in 5 */
    assert_string_equal(out, "Anaë");
    pl_carpool_first_name(out, 5, "Anaëlle Roy"); /* 4 bytes: 'ë' would be cut */
    assert_string_equal(out, "Ana");
    pl_carpool_first_name(out, 4, "Bartholomew");
    assert_string_equal(out, "Bar");
    pl_carpool_first_name(out, 1, "Ana");
    assert_string_equal(out, "");
    out[0] = 'x';
    pl_carpool_first_name(out, 0, "Ana");
    assert_int_equal(out[0], 'x');
}

static void a_place_reads_as_resolved_then_as_typed_then_as_a_point(void **state)
{
    pl_carpool_member m;
    char out[64];
    (void)state;

    memset(&m, 0, sizeof(m));
    m.lat = 48.85661;
    m.lon = 2.35222;
    m.origin = "75004 paris";
    m.place = "Paris";
    pl_carpool_member_where(out, sizeof(out), &m);
    assert_string_equal(out, "Paris (75004 paris)");
    m.origin = "Paris";
    pl_carpool_member_where(out, sizeof(out), &m);
    assert_string_equal(out, "Paris");
    m.origin = NULL;
    pl_carpool_member_where(out, sizeof(out), &m);
    assert_string_equal(out, "Paris");
    m.origin = "somewhere";
    m.place = NULL;
    pl_carpool_member_where(out, sizeof(out), &m);
    assert_string_equal(out, "somewhere");
    m.origin = NULL;
    pl_carpool_member_where(out, sizeof(out), &m);
    assert_string_equal(out, "48.85661, 2.35222");
}

static void members_see_first_names_drivers_see_more_phones_when_shared(void **state)
{
    pl_carpool_member pass[2];
    pl_carpool_saved_group g;
    pl_carpool_assignment a;
    pl_carpool_seen seen;
    (void)state;

    memset(&g, 0, sizeof(g));
    memset(pass, 0, sizeof(pass));
    g.driver.name = "Ana Silva";
    g.driver.origin = "78000 versailles";
    g.driver.place = "Versailles";
    g.driver.phone = "0600000001";
    g.driver.share_phone = 1;
    pass[0].name = "Bob Roy";
    pass[0].origin = "92310 sevres";
    pass[0].place = "Sèvres";
    pass[0].phone = "0600000002";
    pass[0].share_phone = 1;
    pass[1].name = "Cleo Durand";
    pass[1].origin = "Chaville";
    pass[1].phone = "0600000003";
    pass[1].share_phone = 0;
    g.passengers = pass;
    g.npassengers = 2;
    memset(&a, 0, sizeof(a));
    a.group = &g;

    /* Bob, a passenger: the driver's first name, town and shared phone */
    a.role = PL_CARPOOL_AS_PASSENGER;
    a.self = &pass[0];
    pl_carpool_member_seen(&seen, &a, &g.driver);
    assert_string_equal(seen.name, "Ana");
    assert_string_equal(seen.place, "Versailles");
    assert_string_equal(seen.phone, "0600000001");
    assert_false(seen.is_self);
    /* another passenger: first name and resolved town only, no phone */
    pl_carpool_member_seen(&seen, &a, &pass[1]);
    assert_string_equal(seen.name, "Cleo");
    assert_string_equal(seen.place, "");
    assert_null(seen.phone);
    /* himself: his whole name and where, as typed too; his own phone is
     * not his to see from a shared car */
    pl_carpool_member_seen(&seen, &a, &pass[0]);
    assert_true(seen.is_self);
    assert_string_equal(seen.name, "Bob Roy");
    assert_string_equal(seen.place, "Sèvres (92310 sevres)");
    assert_null(seen.phone);

    /* Ana, the driver: where each passenger is; phones only when shared */
    a.role = PL_CARPOOL_AS_DRIVER;
    a.self = &g.driver;
    pl_carpool_member_seen(&seen, &a, &pass[0]);
    assert_string_equal(seen.name, "Bob");
    assert_string_equal(seen.place, "Sèvres (92310 sevres)");
    assert_string_equal(seen.phone, "0600000002");
    pl_carpool_member_seen(&seen, &a, &pass[1]);
    assert_string_equal(seen.place, "Chaville");
    assert_null(seen.phone);
    pl_carpool_member_seen(&seen, &a, &g.driver);
    assert_true(seen.is_self);
    assert_string_equal(seen.name, "Ana Silva");
    assert_string_equal(seen.phone, "0600000001");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_names_stop_at_a_space_and_never_split_a_character),
        cmocka_unit_test(a_place_reads_as_resolved_then_as_typed_then_as_a_point),
        cmocka_unit_test(members_see_first_names_drivers_see_more_phones_when_shared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
