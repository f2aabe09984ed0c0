/* What the carpool changes refuse, and say why: a move, a pair kept
 * together, leaving or declining a car, the record of changes; the data
 * stays as it was after every refusal. And the summary of a stored plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner.h"
#include "carpool_summary.h"
#include "store_test.h"
#include "test_helpers.h"

#include "carpool_west.h"

static void plan_trip(fixture *f, pl_carpool_trip trip)
{
    pl_carpool_plan_options opts;
    pl_error err;
    char msg[1024];

    pl_carpool_plan_options_init(&opts);
    opts.trip = trip;
    if (pl_carpool_plan_event(NULL, f->store, "atelier", &opts, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
}

static char *q(fixture *f, const char *sql)
{
    char *out = NULL;
    assert_int_equal(pl_store_test_query(&out, f->store, sql, NULL), 0);
    return out;
}

static void expect(fixture *f, const char *sql, const char *want)
{
    char *got = q(f, sql);
    if (strcmp(got, want) != 0)
        fail_msg("%s\n--- got:\n%s--- want:\n%s", sql, got, want);
    free(got);
}

/* The message of err contains want. */
static void says(pl_error *err, const char *want)
{
    char msg[1024];
    pl_error_format(err, msg, sizeof(msg));
    if (!strstr(msg, want))
        fail_msg("message \"%s\" lacks \"%s\"", msg, want);
}

#define CARS                                                                                       \
    "SELECT p.trip, d.email, m.position, r.email FROM carpool_plans p JOIN carpool_groups g ON "   \
    "g.plan_id = p.id JOIN carpool_members m ON m.group_id = g.id JOIN registrations r ON r.id = " \
    "m.registration_id JOIN registrations d ON d.id = g.driver_id ORDER BY p.trip, d.email, "      \
    "m.position"
#define STATE                                                                                      \
    CARS "; SELECT plan_id, registration_id, code FROM carpool_unassigned ORDER BY 1, 2; SELECT "  \
         "* FROM carpool_together; SELECT * FROM carpool_changes; SELECT count(*) FROM outbox"

static const char cars_there[] = "outbound|ana@example.org|0|ana@example.org\n"
                                 "outbound|ana@example.org|1|bob@example.org\n"
                                 "outbound|hal@example.org|0|hal@example.org\n"
                                 "outbound|hal@example.org|1|ivy@example.org\n"
                                 "outbound|hal@example.org|2|cleo@example.org\n";

static void move_fails(fixture *f, const char *email, const char *to, pl_carpool_trip trip,
                       int force, int code, const char *why)
{
    pl_carpool_move_result res;
    pl_error err;
    char *before = q(f, STATE), *after;

    res.recorded = 7;
    assert_int_equal(pl_carpool_move(&res, f->store, "atelier", email, to, trip, force, &err),
                     code);
    says(&err, why);
    assert_int_equal(res.recorded, 0); /* the result is cleared */
    after = q(f, STATE);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void a_move_without_a_plan_is_refused(void **state)
{
    fixture *f = *state;
    pl_carpool_move_result res;
    pl_error err;

    assert_true(pl_carpool_move(&res, f->store, "atelier", "bob@example.org", "hal@example.org",
                                PL_CARPOOL_OUTBOUND, 0, &err) < 0);
    assert_true(pl_carpool_move(NULL, f->store, "nowhere", "bob@example.org", "hal@example.org",
                                PL_CARPOOL_OUTBOUND, 0, &err) < 0);
    expect(f, "SELECT count(*) FROM carpool_groups", "0\n");
}

static void moves_that_cannot_be_are_refused_with_the_reason(void **state)
{
    fixture *f = *state;

    plan_trip(f, PL_CARPOOL_OUTBOUND);
    expect(f, CARS, cars_there);
    /* somebody who is not in the plan, in any case of e-mail */
    move_fails(f, "nobody@example.org", "ana@example.org", PL_CARPOOL_OUTBOUND, 1, PL_ENOTFOUND,
               "nobody@example.org is not in the carpool plan of 'atelier'");
    /* into the car of a rider, or of no one */
    move_fails(f, "bob@example.org", "ivy@example.org", PL_CARPOOL_OUTBOUND, 1, PL_EINVALID,
               "ivy@example.org drives no car in the outbound plan");
    move_fails(f, "bob@example.org", "nobody@example.org", PL_CARPOOL_OUTBOUND, 1, PL_EINVALID,
               "drives no car");
    /* a driver whose car has passengers */
    move_fails(f, "ana@example.org", "hal@example.org", PL_CARPOOL_OUTBOUND, 1, PL_EINVALID,
               "ana@example.org drives a car with 1 passenger(s): move them first");
    /* where they already are, as passenger or as driver */
    move_fails(f, "BOB@example.org", "ana@example.org", PL_CARPOOL_OUTBOUND, 1, PL_EINVALID,
               "is already in the car of ana@example.org");
    /* a full car: Hal has two seats, both taken */
    move_fails(f, "bob@example.org", "hal@example.org", PL_CARPOOL_OUTBOUND, 1, PL_EINVALID,
               "the car of hal@example.org is full (2 of 2 seats taken)");
    move_fails(f, "zoe@example.org", "hal@example.org", PL_CARPOOL_OUTBOUND, 1, PL_EINVALID,
               "is full");
    /* the way home has no plan yet */
    move_fails(f, "bob@example.org", "hal@example.org", PL_CARPOOL_RETURN, 1, PL_ENOTFOUND, "");
    expect(f, CARS, cars_there);
}

static void a_driver_alone_moves_into_another_car_and_theirs_goes(void **state)
{
    fixture *f = *state;
    pl_carpool_move_result res;
    pl_error err;
    char msg[1024];
    int told = -1;

    plan_trip(f, PL_CARPOOL_OUTBOUND);
    /* Bob leaves Ana's car: Ana drives alone; Cleo leaves Hal's: a seat */
    assert_int_equal(
        pl_carpool_leave(f->store, "atelier", "bob@example.org", PL_CARPOOL_OUTBOUND, &told, &err),
        0);
    assert_int_equal(told, 0); /* no confirmed car: nobody told */
    assert_int_equal(
        pl_carpool_leave(f->store, "atelier", "cleo@example.org", PL_CARPOOL_OUTBOUND, NULL, &err),
        0);
    expect(f,
           "SELECT r.email, u.code FROM carpool_unassigned u JOIN registrations r ON r.id = "
           "u.registration_id WHERE u.code = 'left' ORDER BY 1",
           "bob@example.org|left\ncleo@example.org|left\n");
    /* a driver who drives alone has no car to decline */
    assert_int_equal(pl_carpool_driver_decline(f->store, "atelier", "ana@example.org",
                                               PL_CARPOOL_OUTBOUND, &told, &err),
                     PL_EINVALID);
    says(&err, "ana@example.org drives alone: there is no car to decline");
    /* Ana into Hal's car: her own car goes */
    if (pl_carpool_move(&res, f->store, "atelier", "ana@example.org", "hal@example.org",
                        PL_CARPOOL_OUTBOUND, 1, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
    assert_int_equal(res.recorded, 0);
    expect(f,
           "SELECT d.email, count(*) FROM carpool_groups g JOIN registrations d ON d.id = "
           "g.driver_id JOIN carpool_members m ON m.group_id = g.id GROUP BY g.id",
           "hal@example.org|3\n");
    expect(f,
           "SELECT r.email FROM carpool_members m JOIN registrations r ON r.id = "
           "m.registration_id WHERE m.position > 0 ORDER BY 1",
           "ana@example.org\nivy@example.org\n");
}

static void leaving_or_declining_a_car_one_is_not_in_is_refused(void **state)
{
    fixture *f = *state;
    pl_error err;
    int told = -1;
    char *before, *after;

    /* no plan at all */
    assert_true(pl_carpool_leave(f->store, "atelier", "bob@example.org", PL_CARPOOL_OUTBOUND, &told,
                                 &err) < 0);
    assert_int_equal(told, 0);
    plan_trip(f, PL_CARPOOL_OUTBOUND);
    before = q(f, STATE);
    /* a driver does not leave, a rider does not decline, Zoe has no car */
    assert_int_equal(
        pl_carpool_leave(f->store, "atelier", "ana@example.org", PL_CARPOOL_OUTBOUND, &told, &err),
        PL_EINVALID);
    says(&err, "ana@example.org rides in no car of the outbound plan: nothing to leave");
    assert_int_equal(
        pl_carpool_leave(f->store, "atelier", "zoe@example.org", PL_CARPOOL_OUTBOUND, &told, &err),
        PL_EINVALID);
    assert_int_equal(pl_carpool_driver_decline(f->store, "atelier", "bob@example.org",
                                               PL_CARPOOL_OUTBOUND, &told, &err),
                     PL_EINVALID);
    says(&err, "bob@example.org drives no car of the outbound plan: nothing to decline");
    assert_int_equal(pl_carpool_driver_decline(f->store, "atelier", "nobody@example.org",
                                               PL_CARPOOL_OUTBOUND, &told, &err),
                     PL_EINVALID);
    /* the way home is not planned */
    assert_true(pl_carpool_driver_decline(f->store, "atelier", "ana@example.org", PL_CARPOOL_RETURN,
                                          &told, &err) < 0);
    after = q(f, STATE);
    assert_string_equal(before, after);
    free(after);
    free(before);
}

static void together_refuses_unknown_people_and_one_person_twice(void **state)
{
    fixture *f = *state;
    pl_error err;

    assert_int_equal(pl_carpool_together_set(f->store, "atelier", "nobody@example.org",
                                             "bob@example.org", 1, &err),
                     PL_ENOTFOUND);
    says(&err, "nobody@example.org is not registered for 'atelier'");
    assert_int_equal(pl_carpool_together_set(f->store, "atelier", "bob@example.org",
                                             "nobody@example.org", 1, &err),
                     PL_ENOTFOUND);
    assert_int_equal(pl_carpool_together_set(f->store, "elsewhere", "bob@example.org",
                                             "cleo@example.org", 1, &err),
                     PL_ENOTFOUND);
    assert_int_equal(
        pl_carpool_together_set(f->store, "atelier", "bob@example.org", "BOB@example.org", 1, &err),
        PL_EINVALID);
    says(&err, "are the same registration");
    assert_int_equal(pl_carpool_together_set(f->store, "atelier", "bob@example.org", NULL, 1, &err),
                     PL_EINVALID);
    says(&err, "together needs two people");
    expect(f, "SELECT count(*) FROM carpool_together", "0\n");

    /* pairs are stored once, in order, whichever way they are given */
    assert_int_equal(pl_carpool_together_set(f->store, "atelier", "cleo@example.org",
                                             "bob@example.org", 1, &err),
                     0);
    assert_int_equal(pl_carpool_together_set(f->store, "atelier", "bob@example.org",
                                             "cleo@example.org", 1, &err),
                     0);
    assert_int_equal(
        pl_carpool_together_set(f->store, "atelier", "bob@example.org", "zoe@example.org", 1, &err),
        0);
    assert_int_equal(
        pl_carpool_together_set(f->store, "atelier", "ivy@example.org", "hal@example.org", 1, &err),
        0);
    expect(f,
           "SELECT a.email, b.email FROM carpool_together t JOIN registrations a ON a.id = t.a_id "
           "JOIN registrations b ON b.id = t.b_id ORDER BY 1, 2",
           "bob@example.org|cleo@example.org\nbob@example.org|zoe@example.org\n"
           "hal@example.org|ivy@example.org\n");
    /* one pair off, then every pair of Bob */
    assert_int_equal(
        pl_carpool_together_set(f->store, "atelier", "zoe@example.org", "bob@example.org", 0, &err),
        0);
    expect(f, "SELECT count(*) FROM carpool_together", "2\n");
    assert_int_equal(pl_carpool_together_set(f->store, "atelier", "bob@example.org", NULL, 0, &err),
                     0);
    expect(f,
           "SELECT a.email, b.email FROM carpool_together t JOIN registrations a ON a.id = t.a_id "
           "JOIN registrations b ON b.id = t.b_id",
           "hal@example.org|ivy@example.org\n");
}

static void the_changes_of_an_unknown_event_are_not_found(void **state)
{
    fixture *f = *state;
    pl_carpool_change *list = (pl_carpool_change *)1;
    size_t n = 9;
    pl_error err;

    assert_int_equal(pl_carpool_changes_list(&list, &n, f->store, "nowhere", &err), PL_ENOTFOUND);
    says(&err, "no event 'nowhere'");
    assert_null(list);
    assert_int_equal(n, 0);
    /* a known event without changes: an empty list */
    assert_int_equal(pl_carpool_changes_list(&list, &n, f->store, "atelier", &err), 0);
    assert_int_equal(n, 0);
    pl_carpool_changes_free(list, n);
}

static void the_summary_counts_riders_drivers_and_reasons(void **state)
{
    fixture *f = *state;
    pl_carpool_saved_plan *p = NULL;
    pl_carpool_summary s;
    pl_error err;
    char buf[2048], tiny[8];
    int told;

    plan_trip(f, PL_CARPOOL_OUTBOUND);
    /* Bob leaves his car; Zoe is too far from anyone */
    assert_int_equal(
        pl_carpool_leave(f->store, "atelier", "bob@example.org", PL_CARPOOL_OUTBOUND, &told, &err),
        0);
    assert_int_equal(pl_carpool_plan_load(&p, f->store, "atelier", &err), 0);
    pl_carpool_summary_count(&s, p);
    assert_int_equal(s.cars, 2);
    assert_int_equal(s.with_passengers, 1);
    assert_int_equal(s.alone, 1);
    assert_int_equal(s.passengers, 2);
    assert_int_equal(s.unseated, 2);
    assert_int_equal(s.want_seat, s.seated + 2);
    pl_carpool_summary_text(buf, sizeof(buf), PL_LANG_EN, p);
    assert_non_null(strstr(buf, "Asked for a seat: 4 — 2 seated, 2 without a seat ("));
    assert_non_null(strstr(buf, "1 left their car"));
    assert_non_null(strstr(buf, "Cars: 2 — 1 with passengers, 1 driving alone; 2 passengers"));
    assert_null(strstr(buf, "Not in a car"));
    pl_carpool_summary_text(buf, sizeof(buf), PL_LANG_FR, p);
    assert_non_null(strstr(buf, "1 voiture quittée"));
    /* a buffer too short is cut, still a string; none is left alone */
    memset(tiny, 'x', sizeof(tiny));
    pl_carpool_summary_text(tiny, sizeof(tiny), PL_LANG_EN, p);
    assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
    tiny[0] = 'x';
    assert_ptr_equal(pl_carpool_summary_text(tiny, 0, PL_LANG_EN, p), tiny);
    assert_int_equal(tiny[0], 'x');
    pl_carpool_saved_plan_free(p);

    /* reasons: the codes round trip, an unknown one reads "other reason" */
    for (size_t k = 0; k < PL_CARPOOL_NWHY; k++) {
        assert_non_null(pl_carpool_why_code(k));
        assert_string_not_equal(pl_carpool_why_short(PL_LANG_EN, pl_carpool_why_code(k)),
                                "other reason");
    }
    assert_null(pl_carpool_why_code(PL_CARPOOL_NWHY));
    assert_string_equal(pl_carpool_why_short(PL_LANG_EN, "no-such-code"), "other reason");
    assert_string_equal(pl_carpool_why_short(PL_LANG_FR, NULL), "autre raison");
}

/* Someone whose origin cannot be placed is not put in a car by hand. */
static void an_origin_that_cannot_be_placed_is_not_moved_into_a_car(void **state)
{
    fixture *f = *state;

    reg(f, "Una Known", "una@example.org", "Zzyzx-sur-Nulle-Part", "ride", 0);
    plan_trip(f, PL_CARPOOL_OUTBOUND);
    expect(f,
           "SELECT u.code FROM carpool_unassigned u JOIN registrations r ON r.id = "
           "u.registration_id WHERE r.email = 'una@example.org'",
           "origin_unknown\n");
    move_fails(f, "una@example.org", "ana@example.org", PL_CARPOOL_OUTBOUND, 1, PL_EINVALID,
               "the origin of una@example.org (\"Zzyzx-sur-Nulle-Part\") cannot be placed: "
               "correct it first");
}

/* The way home: the talk ends at 10:30, the workshop at 17:00. Ana and Cleo
 * leave after the talk, Hal and Bob after the workshop (Hal takes both). */
static const char evening_json[] =
    "{\"slug\": \"atelier\", \"title\": \"Atelier\", \"format\": \"in_person\",\n"
    " \"venue\": {\"name\": \"Hôtel de Ville\", \"lat\": 48.8566, \"lon\": 2.3522},\n"
    " \"start\": \"2026-12-10T09:30\", \"end\": \"2026-12-10T17:00\",\n"
    " \"sessions\": [{\"id\": \"a\", \"title\": \"A\", \"kind\": \"talk\", \"start\": \"09:30\",\n"
    "    \"end\": \"10:30\", \"room\": \"A\"},\n"
    "   {\"id\": \"w\", \"title\": \"W\", \"kind\": \"workshop\", \"start\": \"15:00\",\n"
    "    \"end\": \"17:00\", \"room\": \"B\"}]}\n";

static void reg_w(fixture *f, const char *name, const char *email, const char *origin,
                  const char *travel, int seats, int workshop)
{
    pl_registration in;
    pl_error err;
    char msg[1024];

    memset(&in, 0, sizeof(in));
    in.name = (char *)name;
    in.email = (char *)email;
    in.origin = (char *)origin;
    assert_int_equal(pl_travel_parse(&in.travel, travel), 0);
    in.seats = seats;
    if (workshop)
        assert_int_equal(pl_strlist_push(&in.sessions, "w"), 0);
    if (pl_registration_save(f->store, "atelier", &in, NULL, &err) != 0)
        fail_msg("%s: %s", email, pl_error_format(&err, msg, sizeof(msg)));
    pl_strlist_clear(&in.sessions);
}

static int setup_evening(void **state)
{
    fixture *f;

    setenv("PLANNER_NOW", "2026-11-26T10:00:00Z", 1);
    th_db_setup(state);
    f = *state;
    pl_registration_set_left_hook(pl_carpool_registration_left);
    th_put_event(f->store, evening_json);
    reg_w(f, "Ana Driver", "ana@example.org", "Versailles", "drive", 3, 0);
    reg_w(f, "Bob Rider", "bob@example.org", "Sèvres", "ride", 0, 1);
    reg_w(f, "Cleo Rider", "cleo@example.org", "Chaville", "ride", 0, 0);
    reg_w(f, "Hal Driver", "hal@example.org", "Viroflay", "drive", 3, 1);
    return 0;
}

static void on_the_way_home_nobody_is_moved_into_a_car_that_leaves_before_them(void **state)
{
    fixture *f = *state;
    pl_carpool_move_result res;
    pl_error err;
    char msg[1024];

    plan_trip(f, PL_CARPOOL_RETURN);
    expect(f,
           "SELECT d.email, r.email FROM carpool_groups g JOIN carpool_members m ON m.group_id "
           "= g.id JOIN registrations r ON r.id = m.registration_id JOIN registrations d ON d.id "
           "= g.driver_id WHERE m.position > 0 ORDER BY 2",
           "hal@example.org|bob@example.org\nhal@example.org|cleo@example.org\n");
    /* Bob is at the workshop when Ana leaves */
    move_fails(f, "bob@example.org", "ana@example.org", PL_CARPOOL_RETURN, 0, PL_EINVALID,
               "bob@example.org is still at the venue when the car of ana@example.org leaves");
    move_fails(f, "bob@example.org", "ana@example.org", PL_CARPOOL_RETURN, 0, PL_EINVALID,
               "add --force to move them anyway");
    /* forced, he is; Cleo, who leaves after the talk, goes with Ana unforced */
    if (pl_carpool_move(&res, f->store, "atelier", "bob@example.org", "ana@example.org",
                        PL_CARPOOL_RETURN, 1, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
    if (pl_carpool_move(&res, f->store, "atelier", "cleo@example.org", "ana@example.org",
                        PL_CARPOOL_RETURN, 0, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
    expect(f,
           "SELECT d.email, r.email FROM carpool_groups g JOIN carpool_members m ON m.group_id "
           "= g.id JOIN registrations r ON r.id = m.registration_id JOIN registrations d ON d.id "
           "= g.driver_id WHERE m.position > 0 ORDER BY 2",
           "ana@example.org|bob@example.org\nana@example.org|cleo@example.org\n");
    /* the way there was never planned */
    move_fails(f, "bob@example.org", "hal@example.org", PL_CARPOOL_OUTBOUND, 1, PL_ENOTFOUND, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_move_without_a_plan_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(moves_that_cannot_be_are_refused_with_the_reason, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_driver_alone_moves_into_another_car_and_theirs_goes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(leaving_or_declining_a_car_one_is_not_in_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(together_refuses_unknown_people_and_one_person_twice, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_changes_of_an_unknown_event_are_not_found, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_summary_counts_riders_drivers_and_reasons, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_origin_that_cannot_be_placed_is_not_moved_into_a_car,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            on_the_way_home_nobody_is_moved_into_a_car_that_leaves_before_them, setup_evening,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
