/* Changes to stored cars between two plans: a member cancels, the organiser
 * moves someone; what is recorded (carpool_changes) and who is told (outbox). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner.h"
#include "store_test.h"
#include "test_helpers.h"

#include "carpool_west.h"

static void plan(fixture *f, int keep_confirmed)
{
    pl_carpool_plan_options opts;
    pl_error err;
    char msg[1024];

    pl_carpool_plan_options_init(&opts);
    opts.keep_confirmed = keep_confirmed == 1;
    opts.fresh = keep_confirmed == 2; /* 2: afresh, previous cars not kept */
    if (pl_carpool_plan_event(NULL, f->store, "atelier", &opts, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
}

static char *q(fixture *f, const char *sql)
{
    char *out = NULL;
    assert_int_equal(pl_store_test_query(&out, f->store, sql, NULL), 0);
    return out;
}

static long long qi(fixture *f, const char *sql)
{
    long long v = 0;
    assert_int_equal(pl_store_test_query_int(&v, f->store, sql, NULL), 0);
    return v;
}

static void expect(fixture *f, const char *sql, const char *want)
{
    char *got = q(f, sql);
    if (strcmp(got, want) != 0)
        fail_msg("%s\n--- got:\n%s--- want:\n%s", sql, got, want);
    free(got);
}

#define MEMBERS                                                                                    \
    "SELECT d.email, m.position, r.email FROM carpool_groups g JOIN carpool_members m ON "         \
    "m.group_id = g.id JOIN registrations r ON r.id = m.registration_id JOIN registrations d ON "  \
    "d.id = g.driver_id ORDER BY d.email, m.position"
#define CHANGES                                                                                    \
    "SELECT c.trip, d.email, f.email, r.email, c.what FROM carpool_changes c JOIN registrations "  \
    "r ON r.id = c.registration_id LEFT JOIN registrations d ON d.id = c.driver_id LEFT JOIN "     \
    "registrations f ON f.id = c.from_driver_id ORDER BY c.id"
#define MAILS                                                                                      \
    "SELECT r.email, o.version, coalesce(o.detail, '') FROM outbox o JOIN registrations r ON "     \
    "r.id = o.registration_id WHERE o.kind = 'carpool' ORDER BY o.id"

static void confirm_all(fixture *f)
{
    pl_error err;
    char msg[512];
    if (pl_carpool_confirm(NULL, f->store, "atelier", NULL, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
}

static void cancel(fixture *f, const char *email)
{
    pl_error err;
    char msg[512];
    if (pl_registration_cancel(f->store, "atelier", email, NULL, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
}

static void the_plan_is_as_expected(void **state)
{
    fixture *f = *state;
    plan(f, 0);
    /* the cars the other tests start from */
    expect(f, MEMBERS,
           "ana@example.org|0|ana@example.org\n"
           "ana@example.org|1|bob@example.org\n"
           "hal@example.org|0|hal@example.org\n"
           "hal@example.org|1|ivy@example.org\n"
           "hal@example.org|2|cleo@example.org\n");
}

static void a_passenger_who_cancels_leaves_the_confirmed_car_and_the_others_are_told(void **state)
{
    fixture *f = *state;
    plan(f, 0);
    confirm_all(f);
    expect(f, MAILS,
           "ana@example.org|pickup:0|\nbob@example.org|pickup:0|\nhal@example.org|pickup:0|\n"
           "ivy@example.org|pickup:0|\ncleo@example.org|pickup:0|\n");
    cancel(f, "cleo@example.org");
    expect(f, MEMBERS,
           "ana@example.org|0|ana@example.org\n"
           "ana@example.org|1|bob@example.org\n"
           "hal@example.org|0|hal@example.org\n"
           "hal@example.org|1|ivy@example.org\n");
    expect(f, CHANGES, "outbound|hal@example.org|NULL|cleo@example.org|left\n");
    /* Hal and Ivy get their car as it now is (their pickups moved on);
     * Cleo gets her cancellation only; Ana's car did not change */
    expect(f, MAILS " LIMIT -1 OFFSET 5", "hal@example.org|pickup:1|\nivy@example.org|pickup:1|\n");
    assert_int_equal(qi(f, "SELECT count(*) FROM outbox o JOIN registrations r ON r.id = "
                           "o.registration_id WHERE r.email = 'cleo@example.org' AND "
                           "o.kind = 'cancellation'"),
                     1);
    /* cancelling again, re-planning with the confirmed cars kept: no new
     * change, nobody told twice */
    cancel(f, "cleo@example.org");
    plan(f, 1);
    expect(f, CHANGES, "outbound|hal@example.org|NULL|cleo@example.org|left\n");
    assert_int_equal(qi(f, "SELECT count(*) FROM outbox WHERE kind = 'carpool'"), 7);
}

static void
a_driver_who_cancels_frees_the_passengers_who_are_told_they_lost_their_seat(void **state)
{
    fixture *f = *state;
    pl_carpool_assignment *a = NULL;
    pl_error err;

    plan(f, 0);
    confirm_all(f);
    cancel(f, "hal@example.org");
    expect(f, MEMBERS, "ana@example.org|0|ana@example.org\nana@example.org|1|bob@example.org\n");
    expect(f, CHANGES,
           "outbound|hal@example.org|NULL|ivy@example.org|lost_seat\n"
           "outbound|hal@example.org|NULL|cleo@example.org|lost_seat\n"
           "outbound|hal@example.org|NULL|hal@example.org|driver_cancelled\n");
    expect(f, MAILS " LIMIT -1 OFFSET 5",
           "cleo@example.org|lost:1|lost_seat\nivy@example.org|lost:1|lost_seat\n");
    assert_int_equal(
        pl_carpool_assignment_find_email(&a, f->store, "atelier", "ivy@example.org", &err), 0);
    assert_int_equal(a->role, PL_CARPOOL_AS_UNASSIGNED);
    assert_string_equal(a->unassigned->code, PL_CARPOOL_WHY_SEAT_LOST);
    pl_carpool_assignment_free(a);
    /* the next plan with the confirmed cars kept seats them again */
    plan(f, 1);
    expect(f, CHANGES " LIMIT -1 OFFSET 3", "");
}

static void a_car_not_confirmed_is_left_to_the_next_plan(void **state)
{
    fixture *f = *state;
    plan(f, 0);
    cancel(f, "bob@example.org");
    expect(f, CHANGES, "");
    assert_int_equal(qi(f, "SELECT count(*) FROM outbox WHERE kind = 'carpool'"), 0);
    assert_int_equal(qi(f, "SELECT count(*) FROM carpool_members m JOIN registrations r ON "
                           "r.id = m.registration_id WHERE r.email = 'bob@example.org'"),
                     1);
}

static void keep_confirmed_records_a_member_who_no_longer_travels(void **state)
{
    fixture *f = *state;
    pl_registration *r = NULL;
    pl_error err;

    plan(f, 0);
    confirm_all(f);
    /* not a cancellation: Cleo no longer needs a seat */
    assert_int_equal(pl_registration_find_email(&r, f->store, "atelier", "cleo@example.org", &err),
                     0);
    r->travel = PL_TRAVEL_NONE;
    assert_int_equal(pl_registration_save(f->store, "atelier", r, NULL, &err), 0);
    pl_registration_free(r);
    plan(f, 1);
    expect(f, CHANGES, "outbound|hal@example.org|NULL|cleo@example.org|left\n");
    expect(f, MAILS " LIMIT -1 OFFSET 5", "hal@example.org|pickup:1|\nivy@example.org|pickup:1|\n");
}

static void move_into_a_confirmed_car_recomputes_it_records_and_tells(void **state)
{
    fixture *f = *state;
    pl_carpool_move_result res;
    pl_error err;
    char msg[512];

    plan(f, 0);
    confirm_all(f);
    /* Cleo (Chaville) from Hal's car into Ana's (Versailles, via Sèvres) */
    if (pl_carpool_move(&res, f->store, "atelier", "cleo@example.org", "ana@example.org",
                        PL_CARPOOL_OUTBOUND, 0, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
    assert_false(res.over_limit);
    assert_true(res.detour_km_after >= res.detour_km_before);
    assert_int_equal(res.recorded, 1);
    /* Chaville lies between Versailles and Sèvres: picked up first */
    expect(f, MEMBERS,
           "ana@example.org|0|ana@example.org\n"
           "ana@example.org|1|cleo@example.org\n"
           "ana@example.org|2|bob@example.org\n"
           "hal@example.org|0|hal@example.org\n"
           "hal@example.org|1|ivy@example.org\n");
    expect(f, CHANGES, "outbound|ana@example.org|hal@example.org|cleo@example.org|moved\n");
    /* both cars' members, Cleo with her new car */
    expect(f, MAILS " LIMIT -1 OFFSET 5",
           "ana@example.org|pickup:1|\nbob@example.org|pickup:1|\ncleo@example.org|pickup:1|\n"
           "hal@example.org|pickup:1|\nivy@example.org|pickup:1|\n");
    /* times computed again: Cleo before Bob, Ana leaves earlier than
     * before, and the car still arrives at 09:15 */
    expect(f,
           "SELECT m.time < (SELECT m2.time FROM carpool_members m2 WHERE m2.group_id = "
           "m.group_id AND m2.position = 2), g.arrival FROM carpool_members m JOIN carpool_groups "
           "g ON g.id = m.group_id JOIN registrations r ON r.id = m.registration_id WHERE "
           "r.email = 'cleo@example.org'",
           "1|2026-12-10T09:15\n");
    /* Ana's car (3 seats) takes Zoe only by force; then it is full */
    assert_int_equal(pl_carpool_move(&res, f->store, "atelier", "zoe@example.org",
                                     "ana@example.org", PL_CARPOOL_OUTBOUND, 1, &err),
                     0);
    assert_int_equal(pl_carpool_move(&res, f->store, "atelier", "ivy@example.org",
                                     "ana@example.org", PL_CARPOOL_OUTBOUND, 1, &err),
                     PL_EINVALID);
    assert_non_null(strstr(pl_error_format(&err, msg, sizeof(msg)), "full (3 of 3 seats"));
    assert_int_equal(pl_carpool_move(&res, f->store, "atelier", "cleo@example.org",
                                     "ana@example.org", PL_CARPOOL_OUTBOUND, 0, &err),
                     PL_EINVALID);
    assert_non_null(strstr(pl_error_format(&err, msg, sizeof(msg)), "already"));
    /* Zoe's move told Ana's car once more (their pickups changed), never
     * twice the same */
    assert_int_equal(qi(f, "SELECT count(*) FROM outbox WHERE kind = 'carpool'"), 14);
    assert_int_equal(qi(f, "SELECT count(*) FROM (SELECT registration_id, version FROM outbox "
                           "WHERE kind = 'carpool' GROUP BY 1, 2 HAVING count(*) > 1)"),
                     0);
}

static void a_move_out_of_a_confirmed_car_tells_that_car_and_the_person_moved(void **state)
{
    fixture *f = *state;
    pl_carpool_move_result res;
    pl_error err;
    char msg[512];

    plan(f, 0);
    /* only Hal's car is confirmed; Ana's is a proposal nobody was told of */
    if (pl_carpool_confirm(NULL, f->store, "atelier", "hal@example.org", &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
    expect(f, MAILS,
           "hal@example.org|pickup:0|\nivy@example.org|pickup:0|\ncleo@example.org|pickup:0|\n");
    if (pl_carpool_move(&res, f->store, "atelier", "cleo@example.org", "ana@example.org",
                        PL_CARPOOL_OUTBOUND, 0, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
    assert_int_equal(res.recorded, 1);
    assert_int_equal(res.told, 3);
    /* Hal and Ivy (their car changed), Cleo (her new car); not Ana and Bob */
    expect(f, MAILS " LIMIT -1 OFFSET 3",
           "cleo@example.org|pickup:1|\nhal@example.org|pickup:1|\nivy@example.org|pickup:1|\n");
}

static void move_beyond_the_detour_limit_needs_force_and_says_by_how_much(void **state)
{
    fixture *f = *state;
    pl_carpool_move_result res;
    pl_error err;
    char msg[1024];
    char *before, *after;

    plan(f, 0);
    before = q(f, MEMBERS);
    /* Zoe (Lille) into Ana's car: far beyond 25 % */
    assert_int_equal(pl_carpool_move(&res, f->store, "atelier", "zoe@example.org",
                                     "ana@example.org", PL_CARPOOL_OUTBOUND, 0, &err),
                     PL_EINVALID);
    pl_error_format(&err, msg, sizeof(msg));
    assert_non_null(strstr(msg, "would grow by"));
    assert_non_null(strstr(msg, "--force"));
    after = q(f, MEMBERS);
    assert_string_equal(before, after); /* data unchanged */
    free(after);
    assert_int_equal(pl_carpool_move(&res, f->store, "atelier", "zoe@example.org",
                                     "ana@example.org", PL_CARPOOL_OUTBOUND, 1, &err),
                     0);
    assert_true(res.over_limit);
    assert_true(res.detour_km_after > 100.0);
    assert_true(res.detour_pct_after > 25.0);
    /* no confirmed car: nothing recorded, nobody told, Zoe no longer
     * unassigned, and the plan's totals follow */
    assert_int_equal(res.recorded, 0);
    expect(f, CHANGES, "");
    assert_int_equal(qi(f, "SELECT count(*) FROM carpool_unassigned u JOIN registrations r ON "
                           "r.id = u.registration_id WHERE r.email = 'zoe@example.org'"),
                     0);
    assert_int_equal(qi(f, "SELECT passengers FROM carpool_plans"), 4);
    free(before);
}

static pl_carpool_saved_plan *plan_out(fixture *f, int keep_confirmed)
{
    pl_carpool_plan_options opts;
    pl_carpool_saved_plan *p = NULL;
    pl_error err;
    char msg[1024];

    pl_carpool_plan_options_init(&opts);
    opts.keep_confirmed = keep_confirmed;
    if (pl_carpool_plan_event(&p, f->store, "atelier", &opts, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
    return p;
}

static void together_puts_two_people_in_one_car_where_it_fits(void **state)
{
    fixture *f = *state;
    pl_carpool_saved_plan *p;
    pl_error err;

    /* without it, Bob rides with Ana and Cleo with Hal */
    plan(f, 0);
    assert_int_equal(pl_carpool_together_set(f->store, "atelier", "Cleo@example.org",
                                             "bob@example.org", 1, &err),
                     0);
    /* twice is not an error, and one pair is stored */
    assert_int_equal(pl_carpool_together_set(f->store, "atelier", "bob@example.org",
                                             "cleo@example.org", 1, &err),
                     0);
    assert_int_equal(qi(f, "SELECT count(*) FROM carpool_together"), 1);
    p = plan_out(f, 0);
    assert_int_equal(p->together_unmet, 0);
    pl_carpool_saved_plan_free(p);
    expect(f, MEMBERS,
           "ana@example.org|0|ana@example.org\n"
           "ana@example.org|1|cleo@example.org\n"
           "ana@example.org|2|bob@example.org\n"
           "hal@example.org|0|hal@example.org\n"
           "hal@example.org|1|ivy@example.org\n");
    /* Zoe in Lille fits no car with Ivy: counted, nobody moved */
    assert_int_equal(
        pl_carpool_together_set(f->store, "atelier", "ivy@example.org", "zoe@example.org", 1, &err),
        0);
    p = plan_out(f, 0);
    assert_int_equal(p->together_unmet, 1);
    pl_carpool_saved_plan_free(p);
    expect(f, MEMBERS " LIMIT 3 OFFSET 3",
           "hal@example.org|0|hal@example.org\nhal@example.org|1|ivy@example.org\n");
    /* --off for one person clears their pairs; the plan goes back */
    assert_int_equal(
        pl_carpool_together_set(f->store, "atelier", "cleo@example.org", NULL, 0, &err), 0);
    assert_int_equal(
        pl_carpool_together_set(f->store, "atelier", "zoe@example.org", "ivy@example.org", 0, &err),
        0);
    assert_int_equal(qi(f, "SELECT count(*) FROM carpool_together"), 0);
    /* a re-plan keeps the cars as they are (nobody needs to move)... */
    p = plan_out(f, 0);
    assert_int_equal(p->moved, 0);
    pl_carpool_saved_plan_free(p);
    expect(f, MEMBERS " LIMIT 2",
           "ana@example.org|0|ana@example.org\nana@example.org|1|cleo@example.org\n");
    /* ... and a plan made afresh goes back to the engine's cars */
    plan(f, 2);
    expect(f, MEMBERS " LIMIT 2",
           "ana@example.org|0|ana@example.org\nana@example.org|1|bob@example.org\n");
    /* errors: unknown, the same person twice */
    assert_int_equal(pl_carpool_together_set(f->store, "atelier", "bob@example.org",
                                             "nobody@example.org", 1, &err),
                     PL_ENOTFOUND);
    assert_int_equal(
        pl_carpool_together_set(f->store, "atelier", "bob@example.org", "BOB@example.org", 1, &err),
        PL_EINVALID);
}

static void together_never_breaks_a_confirmed_car(void **state)
{
    fixture *f = *state;
    pl_carpool_saved_plan *p;
    pl_error err;
    char *before, *after;

    plan(f, 0);
    confirm_all(f);
    before = q(f, MEMBERS);
    assert_int_equal(pl_carpool_together_set(f->store, "atelier", "bob@example.org",
                                             "cleo@example.org", 1, &err),
                     0);
    p = plan_out(f, 1);
    assert_int_equal(p->together_unmet, 1);
    pl_carpool_saved_plan_free(p);
    after = q(f, MEMBERS);
    assert_string_equal(before, after);
    free(before);
    free(after);
    expect(f, CHANGES, "");
}

static void a_passenger_leaves_a_confirmed_car_and_a_driver_declines_one(void **state)
{
    fixture *f = *state;
    pl_carpool_assignment *a = NULL;
    pl_error err;
    int told = -1;

    plan(f, 0);
    confirm_all(f);
    /* Cleo leaves Hal's car: Hal and Ivy are told, not Cleo */
    assert_int_equal(
        pl_carpool_leave(f->store, "atelier", "cleo@example.org", PL_CARPOOL_OUTBOUND, &told, &err),
        0);
    assert_int_equal(told, 2);
    expect(f, CHANGES, "outbound|hal@example.org|NULL|cleo@example.org|left\n");
    expect(f, MAILS " LIMIT -1 OFFSET 5", "hal@example.org|pickup:1|\nivy@example.org|pickup:1|\n");
    assert_int_equal(
        pl_carpool_assignment_find_email(&a, f->store, "atelier", "cleo@example.org", &err), 0);
    assert_int_equal(a->role, PL_CARPOOL_AS_UNASSIGNED);
    assert_string_equal(a->unassigned->code, PL_CARPOOL_WHY_LEFT);
    pl_carpool_assignment_free(a);
    /* again: she is in no car, nothing changes */
    assert_int_equal(
        pl_carpool_leave(f->store, "atelier", "cleo@example.org", PL_CARPOOL_OUTBOUND, &told, &err),
        PL_EINVALID);
    /* a driver cannot leave, a passenger cannot decline */
    assert_int_equal(
        pl_carpool_leave(f->store, "atelier", "ana@example.org", PL_CARPOOL_OUTBOUND, NULL, &err),
        PL_EINVALID);
    assert_int_equal(pl_carpool_driver_decline(f->store, "atelier", "bob@example.org",
                                               PL_CARPOOL_OUTBOUND, NULL, &err),
                     PL_EINVALID);
    /* Ana declines: Bob lost his seat and is told so; Ana drives alone,
     * now and at the next plan */
    assert_int_equal(pl_carpool_driver_decline(f->store, "atelier", "ana@example.org",
                                               PL_CARPOOL_OUTBOUND, &told, &err),
                     0);
    assert_int_equal(told, 1);
    expect(f, CHANGES " LIMIT -1 OFFSET 1",
           "outbound|ana@example.org|NULL|bob@example.org|lost_seat\n"
           "outbound|ana@example.org|NULL|ana@example.org|driver_declined\n");
    expect(f, MAILS " LIMIT -1 OFFSET 7", "bob@example.org|lost:1|lost_seat\n");
    /* Bob is told the true reason: his driver declined (not that he left,
     * nor that she cancelled) */
    {
        pl_carpool_assignment *bob = NULL;
        assert_int_equal(
            pl_carpool_assignment_find_email(&bob, f->store, "atelier", "bob@example.org", &err),
            0);
        assert_int_equal(bob->role, PL_CARPOOL_AS_UNASSIGNED);
        assert_string_equal(bob->unassigned->code, PL_CARPOOL_WHY_DRIVER_DECLINED);
        assert_non_null(strstr(bob->unassigned->reason, "declined"));
        pl_carpool_assignment_free(bob);
    }
    expect(f,
           "SELECT count(*), min(g.confirmed) FROM carpool_members m JOIN carpool_groups g ON "
           "g.id = m.group_id JOIN registrations r ON r.id = g.driver_id WHERE r.email = "
           "'ana@example.org'",
           "1|0\n");
    plan(f, 1);
    expect(f,
           "SELECT count(*) FROM carpool_members m JOIN carpool_groups g ON g.id = m.group_id "
           "JOIN registrations r ON r.id = g.driver_id WHERE r.email = 'ana@example.org'",
           "1\n");
    /* accepting is confirming the car; the way home has no plan here */
    assert_int_equal(
        pl_carpool_driver_accept(f->store, "atelier", "hal@example.org", PL_CARPOOL_RETURN, &err),
        PL_ENOTFOUND);
    assert_int_equal(
        pl_carpool_driver_accept(f->store, "atelier", "hal@example.org", PL_CARPOOL_OUTBOUND, &err),
        0);
}

static void totals_follow_a_change_and_the_way_home_counts_forward(void **state)
{
    fixture *f = *state;
    pl_carpool_plan_options opts;
    pl_carpool_move_result res;
    pl_error err;
    char msg[512];
    double alone, km;

    plan(f, 0);
    confirm_all(f);
    alone = (double)qi(f, "SELECT CAST(vehicle_km_alone * 1000 AS INTEGER) FROM carpool_plans");
    km = (double)qi(f, "SELECT CAST(vehicle_km * 1000 AS INTEGER) FROM carpool_plans");
    /* Cleo cancels: the cars drive the same km, one person fewer would
     * have driven alone */
    cancel(f, "cleo@example.org");
    assert_true(qi(f, "SELECT CAST(vehicle_km_alone * 1000 AS INTEGER) FROM carpool_plans") <
                alone - 1000);
    assert_int_equal(qi(f, "SELECT CAST(vehicle_km * 1000 AS INTEGER) FROM carpool_plans"), km);
    assert_int_equal(qi(f, "SELECT abs(vehicle_km_avoided - (vehicle_km_alone - vehicle_km)) < "
                           "1e-9 FROM carpool_plans"),
                     1);

    /* the way home: Ivy into Ana's car; drop-offs counted forward from the
     * car's departure from the venue, the nearest to the venue first */
    pl_carpool_plan_options_init(&opts);
    opts.trip = PL_CARPOOL_RETURN;
    if (pl_carpool_plan_event(NULL, f->store, "atelier", &opts, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
    if (pl_carpool_move(&res, f->store, "atelier", "ivy@example.org", "ana@example.org",
                        PL_CARPOOL_RETURN, 1, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
    expect(f,
           "SELECT r.email, m.time, g.departure, g.arrival FROM carpool_plans p JOIN "
           "carpool_groups g ON g.plan_id = p.id JOIN carpool_members m ON m.group_id = g.id "
           "JOIN registrations r ON r.id = m.registration_id JOIN registrations d ON d.id = "
           "g.driver_id WHERE p.trip = 'return' AND d.email = 'ana@example.org' ORDER BY "
           "m.position",
           "ana@example.org|2026-12-10T10:30|2026-12-10T10:30|2026-12-10T11:20\n"
           "bob@example.org|2026-12-10T10:44|2026-12-10T10:30|2026-12-10T11:20\n"
           "ivy@example.org|2026-12-10T11:06|2026-12-10T10:30|2026-12-10T11:20\n");
    /* the way there is untouched, and nothing of the way home is mailed */
    expect(f, CHANGES, "outbound|hal@example.org|NULL|cleo@example.org|left\n");
}

static void plan_home(fixture *f, int keep_confirmed)
{
    pl_carpool_plan_options opts;
    pl_error err;
    char msg[1024];

    pl_carpool_plan_options_init(&opts);
    opts.trip = PL_CARPOOL_RETURN;
    opts.keep_confirmed = keep_confirmed;
    if (pl_carpool_plan_event(NULL, f->store, "atelier", &opts, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
}

#define HOME_CARS                                                                                  \
    "SELECT d.email, m.position, r.email, g.confirmed, m.time FROM carpool_plans p JOIN "          \
    "carpool_groups g ON g.plan_id = p.id JOIN carpool_members m ON m.group_id = g.id JOIN "       \
    "registrations r ON r.id = m.registration_id JOIN registrations d ON d.id = g.driver_id "      \
    "WHERE p.trip = 'return' ORDER BY d.email, m.position"

/* The way home is confirmed on its own: its members are told (detail
 * "return", versioned by the drop-off), the way there stays unconfirmed, a
 * re-plan of the way home with keep_confirmed keeps the cars, and a change
 * to one is recorded and mailed as the way home's. */
static void the_way_home_is_confirmed_kept_and_told(void **state)
{
    fixture *f = *state;
    pl_error err;
    size_t n = 0;
    char *before, *after;

    plan(f, 0);
    /* no plan of the way home yet */
    assert_int_equal(
        pl_carpool_confirm_trip(&n, f->store, "atelier", NULL, PL_CARPOOL_RETURN, &err),
        PL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "--trip return"));
    plan_home(f, 0);
    assert_int_equal(
        pl_carpool_confirm_trip(&n, f->store, "atelier", NULL, PL_CARPOOL_RETURN, &err), 0);
    assert_int_equal(n, 2);
    expect(f,
           "SELECT count(*) FROM carpool_groups g JOIN carpool_plans p ON p.id = g.plan_id "
           "WHERE p.trip = 'outbound' AND g.confirmed = 1",
           "0\n");
    /* everyone in a car home is told, as the way home's */
    expect(f,
           "SELECT count(*), min(o.detail), min(o.version GLOB 'home:*') FROM outbox o "
           "WHERE o.kind = 'carpool'",
           "5|return|1\n");
    /* confirming again tells no one twice */
    assert_int_equal(
        pl_carpool_confirm_trip(&n, f->store, "atelier", NULL, PL_CARPOOL_RETURN, &err), 0);
    assert_int_equal(n, 0);
    expect(f, "SELECT count(*) FROM outbox WHERE kind = 'carpool'", "5\n");

    /* a newcomer near Ana, a re-plan of the way home keeping the confirmed
     * cars: they stay as they are */
    before = q(f, HOME_CARS);
    reg(f, "Max Late", "max@example.org", "Versailles", "ride", 0);
    plan_home(f, 1);
    after = q(f, HOME_CARS);
    assert_string_equal(after, before);
    free(before);
    free(after);

    /* Ivy cancels: she leaves Hal's confirmed car home (and the way there,
     * not confirmed, is left to the next plan); Hal is told, as the way
     * home's */
    expect(f, HOME_CARS,
           "ana@example.org|0|ana@example.org|1|2026-12-10T10:30\n"
           "ana@example.org|1|bob@example.org|1|2026-12-10T10:44\n"
           "hal@example.org|0|hal@example.org|1|2026-12-10T10:30\n"
           "hal@example.org|1|cleo@example.org|1|2026-12-10T10:48\n"
           "hal@example.org|2|ivy@example.org|1|2026-12-10T11:07\n");
    cancel(f, "ivy@example.org");
    expect(f, CHANGES, "return|hal@example.org|NULL|ivy@example.org|left\n");
    expect(f, MAILS " LIMIT -1 OFFSET 5",
           "cleo@example.org|home:1|return\nhal@example.org|home:1|return\n");
}

/* A plain re-plan over confirmed cars is refused; forced, a confirmed car
 * that goes (its driver now left out) tells each of its members where they
 * are now, and the car they join, confirmed, is told as it now is. */
static void a_forced_re_plan_tells_every_member_of_a_confirmed_car_that_changes(void **state)
{
    fixture *f = *state;
    pl_carpool_plan_options opts;
    pl_error err;
    char msg[512];
    long long mails;

    plan(f, 0);
    confirm_all(f);
    mails = qi(f, "SELECT count(*) FROM outbox WHERE kind = 'carpool'");
    assert_int_equal(
        pl_carpool_choice_set(f->store, "atelier", "hal@example.org", PL_CARPOOL_EXCLUDE, 1, &err),
        0);
    pl_carpool_plan_options_init(&opts);
    assert_int_equal(pl_carpool_plan_event(NULL, f->store, "atelier", &opts, &err), PL_EINVALID);
    expect(f, "SELECT count(*) FROM carpool_changes", "0\n");
    opts.force = 1;
    if (pl_carpool_plan_event(NULL, f->store, "atelier", &opts, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
    expect(f, MEMBERS,
           "ana@example.org|0|ana@example.org\nana@example.org|1|cleo@example.org\n"
           "ana@example.org|2|bob@example.org\nhal@example.org|0|hal@example.org\n");
    /* Cleo went into Ana's car, Ivy (Trappes) is too far for it */
    expect(f, CHANGES,
           "outbound|hal@example.org|NULL|ivy@example.org|lost_seat\n"
           "outbound|ana@example.org|hal@example.org|cleo@example.org|moved\n"
           "outbound|hal@example.org|NULL|hal@example.org|lost_seat\n");
    /* Ana's car stays confirmed; everyone in it, Hal and Ivy are told */
    expect(f,
           "SELECT g.confirmed FROM carpool_groups g JOIN registrations r ON r.id = "
           "g.driver_id WHERE r.email = 'ana@example.org'",
           "1\n");
    {
        char sql[512];
        snprintf(sql, sizeof(sql), MAILS " LIMIT -1 OFFSET %lld", mails);
        expect(f, sql,
               "ana@example.org|pickup:1|\nbob@example.org|pickup:1|\ncleo@example.org|pickup:1|\n"
               "hal@example.org|lost:1|lost_seat\nivy@example.org|lost:1|lost_seat\n");
    }
}

static void a_late_sign_up_moves_only_the_car_it_must(void **state)
{
    fixture *f = *state;
    pl_carpool_saved_plan *p;
    char *hal_before, *hal_after;

    plan(f, 0);
    hal_before = q(f, "SELECT g.*, m.* FROM carpool_groups g JOIN carpool_members m ON "
                      "m.group_id = g.id JOIN registrations r ON r.id = g.driver_id WHERE "
                      "r.email = 'hal@example.org' ORDER BY m.position");
    /* Kim, in Viroflay, on Ana's way; Ana has a seat left */
    reg(f, "Kim Late", "kim@example.org", "Viroflay", "ride", 0);
    p = plan_out(f, 0);
    assert_true(p->kept_previous);
    assert_int_equal(p->moved, 0); /* nobody of the previous plan changed car */
    pl_carpool_saved_plan_free(p);
    expect(f, MEMBERS,
           "ana@example.org|0|ana@example.org\n"
           "ana@example.org|1|kim@example.org\n"
           "ana@example.org|2|bob@example.org\n"
           "hal@example.org|0|hal@example.org\n"
           "hal@example.org|1|ivy@example.org\n"
           "hal@example.org|2|cleo@example.org\n");
    /* Hal's car is stored exactly as it was: ids, times, km */
    hal_after = q(f, "SELECT g.*, m.* FROM carpool_groups g JOIN carpool_members m ON "
                     "m.group_id = g.id JOIN registrations r ON r.id = g.driver_id WHERE "
                     "r.email = 'hal@example.org' ORDER BY m.position");
    /* (the first column, the group's row id, may differ: the plan's
     * rows are written again) */
    assert_string_equal(strchr(hal_before, '|'), strchr(hal_after, '|'));
    free(hal_before);
    free(hal_after);
    /* the plan's totals count Kim */
    assert_int_equal(qi(f, "SELECT riders_seated FROM carpool_plans"), 4);
}

/* The engine-level step alone: a kept car takes a newcomer on its way. */
static void fill_seats_puts_a_newcomer_in_a_kept_car_on_their_way(void **state)
{
    /* the venue in Lyon; Dan 30 km north (3 seats) took Rita (20 km north)
     * in the previous plan; Nina (10 km north) signs up late; Far is 100 km
     * east */
    const double km = 6371.0088 * 3.14159265358979323846 / 180.0;
    pl_carpool_participant p[4];
    size_t rita = 1;
    pl_carpool_confirmed prev = {0, &rita, 1};
    pl_carpool_problem pb;
    pl_carpool_options o = PL_CARPOOL_OPTIONS_INIT;
    pl_carpool_result *r = NULL;
    pl_error err;
    size_t seated = 0;

    (void)state;
    memset(p, 0, sizeof(p));
    memset(&pb, 0, sizeof(pb));
    for (int i = 0; i < 4; i++) {
        p[i].id = i;
        p[i].role = i == 0 ? PL_CARPOOL_ROLE_DRIVE : PL_CARPOOL_ROLE_RIDE;
        p[i].origin.lat = 45.764;
        p[i].origin.lon = 4.8357;
    }
    p[0].seats = 3;
    p[0].origin.lat += 30 / km;
    p[1].origin.lat += 20 / km;
    p[2].origin.lat += 10 / km;
    p[3].origin.lon += 100 / (km * cos(45.764 * 3.14159265358979323846 / 180.0));
    pb.participants = p;
    pb.nparticipants = 4;
    pb.venue.lat = 45.764;
    pb.venue.lon = 4.8357;
    pb.event_start = 9 * 60 + 30;
    pb.prefer = &prev;
    pb.nprefer = 1;
    assert_int_equal(pl_carpool_plan(&r, &pb, &o, &err), 0);
    /* kept as it was: Nina has no seat yet */
    assert_int_equal(r->ngroups, 1);
    assert_int_equal(r->groups[0].npassengers, 1);
    assert_int_equal(r->nunassigned, 2);
    assert_int_equal(pl_carpool_fill_seats(r, &pb, &o, &seated, &err), 0);
    assert_int_equal(seated, 1);
    /* Nina after Rita, on the way; Far still without a seat */
    assert_int_equal(r->groups[0].npassengers, 2);
    assert_int_equal(r->groups[0].passengers[0], 1);
    assert_int_equal(r->groups[0].passengers[1], 2);
    assert_int_equal(r->nunassigned, 1);
    assert_int_equal(r->unassigned[0].participant, 3);
    assert_true(r->groups[0].detour_km < 0.01);
    assert_int_equal(r->groups[0].arrival_time, 9 * 60 + 15);
    assert_true(r->groups[0].departure_time < r->groups[0].pickup_times[0]);
    assert_true(r->groups[0].pickup_times[0] < r->groups[0].pickup_times[1]);
    assert_true(r->groups[0].pickup_times[1] < r->groups[0].arrival_time);
    assert_int_equal(r->totals.riders_seated, 2);
    pl_carpool_result_free(r);

    /* a car with one seat takes no one more */
    p[0].seats = 1;
    r = NULL;
    assert_int_equal(pl_carpool_plan(&r, &pb, &o, &err), 0);
    assert_int_equal(pl_carpool_fill_seats(r, &pb, &o, &seated, &err), 0);
    assert_int_equal(seated, 0);
    assert_int_equal(r->groups[0].npassengers, 1);
    pl_carpool_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fill_seats_puts_a_newcomer_in_a_kept_car_on_their_way),
        cmocka_unit_test_setup_teardown(the_plan_is_as_expected, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_passenger_who_cancels_leaves_the_confirmed_car_and_the_others_are_told, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            a_driver_who_cancels_frees_the_passengers_who_are_told_they_lost_their_seat, setup,
            teardown),
        cmocka_unit_test_setup_teardown(a_car_not_confirmed_is_left_to_the_next_plan, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(keep_confirmed_records_a_member_who_no_longer_travels,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(move_into_a_confirmed_car_recomputes_it_records_and_tells,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            move_beyond_the_detour_limit_needs_force_and_says_by_how_much, setup, teardown),
        cmocka_unit_test_setup_teardown(together_puts_two_people_in_one_car_where_it_fits, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(together_never_breaks_a_confirmed_car, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_move_out_of_a_confirmed_car_tells_that_car_and_the_person_moved, setup, teardown),
        cmocka_unit_test_setup_teardown(a_late_sign_up_moves_only_the_car_it_must, setup, teardown),
        cmocka_unit_test_setup_teardown(totals_follow_a_change_and_the_way_home_counts_forward,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_passenger_leaves_a_confirmed_car_and_a_driver_declines_one, setup, teardown),
        cmocka_unit_test_setup_teardown(the_way_home_is_confirmed_kept_and_told, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_forced_re_plan_tells_every_member_of_a_confirmed_car_that_changes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
