#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "carpool_summary.h"
#include "planner.h"
#include "store_test.h"
#include "test_helpers.h"

/* A workshop in Paris at 09:30. */
static const char event_json[] =
    "{\"slug\": \"atelier\", \"title\": \"Atelier\", \"format\": \"in_person\",\n"
    " \"venue\": {\"name\": \"Hôtel de Ville\", \"lat\": 48.8566, \"lon\": 2.3522},\n"
    " \"start\": \"2026-12-10T09:30\", \"end\": \"2026-12-10T17:00\",\n"
    " \"sessions\": [{\"id\": \"a\", \"title\": \"A\", \"kind\": \"talk\", \"start\": \"09:30\",\n"
    "    \"end\": \"10:30\", \"room\": \"A\"}]}\n";

/* An online event: nowhere to drive to. */
static const char online_json[] =
    "{\"slug\": \"online\", \"title\": \"Online\", \"format\": \"online\",\n"
    " \"online_url\": \"https://visio.example.org/x\",\n"
    " \"start\": \"2026-12-10T09:30\", \"end\": \"2026-12-10T17:00\", \"sessions\": []}\n";

typedef th_db fixture;

/* Register someone for "atelier"; travel is drive|ride|flexible|none. */
static void reg(fixture *f, const char *name, const char *email, const char *origin,
                const char *travel, int seats, const char *phone)
{
    pl_registration in;
    pl_error err;
    char msg[1024];

    memset(&in, 0, sizeof(in));
    in.name = (char *)name;
    in.email = (char *)email;
    in.origin = (char *)origin;
    in.phone = (char *)phone;
    assert_int_equal(pl_travel_parse(&in.travel, travel), 0);
    in.seats = seats;
    if (pl_registration_save(f->store, "atelier", &in, NULL, &err) != 0)
        fail_msg("%s: %s", email, pl_error_format(&err, msg, sizeof(msg)));
}

static int setup(void **state)
{
    fixture *f;

    setenv("PLANNER_NOW", "2026-11-26T10:00:00Z", 1);
    th_db_setup(state);
    f = *state;
    th_put_event(f->store, event_json);
    reg(f, "Ana Driver", "ana@example.org", "Versailles", "drive", 3, "06 12 34 56 78");
    reg(f, "Bob Rider", "bob@example.org", "92100", "ride", 0, NULL);
    reg(f, "Cleo Rider", "cleo@example.org", "Trifouilly-les-Oies", "ride", 0, NULL);
    reg(f, "Dan Rider", "dan@example.org", "Saint-Denis", "ride", 0, NULL);
    reg(f, "Eve Walker", "eve@example.org", "Paris", "none", 0, NULL);
    reg(f, "Fay Far", "fay@example.org", "Marseille", "ride", 0, NULL);
    reg(f, "Gus Lille", "gus@example.org", "Lille", "drive", 2, NULL);
    return 0;
}

/* keep_confirmed 2: keep_confirmed off and plan afresh (opts.fresh), not
 * keeping the previous cars where they fit; 3: forced over confirmed cars
 * (opts.force); 4: forced and afresh */
static pl_carpool_saved_plan *plan(fixture *f, int keep_confirmed, double road_factor)
{
    pl_carpool_plan_options opts;
    pl_carpool_saved_plan *p = NULL;
    pl_error err;
    char msg[1024];

    pl_carpool_plan_options_init(&opts);
    opts.keep_confirmed = keep_confirmed == 1;
    opts.fresh = keep_confirmed == 2 || keep_confirmed == 4;
    opts.force = keep_confirmed >= 3; /* 3: forced, 4: forced and afresh */
    opts.engine.road_factor = road_factor;
    if (pl_carpool_plan_event(&p, f->store, "atelier", &opts, &err) != 0)
        fail_msg("%s", pl_error_format(&err, msg, sizeof(msg)));
    return p;
}

static const pl_carpool_saved_group *group_of(const pl_carpool_saved_plan *p, const char *driver)
{
    for (size_t g = 0; g < p->ngroups; g++)
        if (strcmp(p->groups[g].driver.email, driver) == 0)
            return &p->groups[g];
    fail_msg("no group driven by %s", driver);
    return NULL;
}

static const pl_carpool_saved_unassigned *unassigned(const pl_carpool_saved_plan *p,
                                                     const char *email)
{
    for (size_t u = 0; u < p->nunassigned; u++)
        if (strcmp(p->unassigned[u].email, email) == 0)
            return &p->unassigned[u];
    return NULL;
}

/* Rows of an SQL query, one line each, columns separated by '|'. */
static char *dump(fixture *f, const char *sql)
{
    char *out = NULL;

    assert_int_equal(pl_store_test_query(&out, f->store, sql, NULL), 0);
    return out;
}

/* Everything stored about Ana's group, ids included. */
static char *dump_ana_group(fixture *f)
{
    return dump(f, "SELECT g.*, m.* FROM carpool_groups g JOIN carpool_members m "
                   "ON m.group_id = g.id JOIN registrations r ON r.id = g.driver_id "
                   "WHERE r.email = 'ana@example.org' ORDER BY m.position");
}

/* The whole stored plan without row ids (which SQLite may reuse or not). */
static char *dump_plan(fixture *f)
{
    pl_buf b = PL_BUF_INIT;
    char *parts[] = {
        dump(f, "SELECT * FROM carpool_plans"),
        dump(f, "SELECT g.driver_id, g.seats, g.departure, g.arrival, g.distance_km, "
                "g.detour_km, g.confirmed, g.confirmed_at, m.position, m.registration_id, "
                "m.origin, m.place, m.lat, m.lon, m.time FROM carpool_groups g JOIN "
                "carpool_members m ON m.group_id = g.id ORDER BY g.driver_id, m.position"),
        dump(f, "SELECT * FROM carpool_unassigned ORDER BY registration_id"),
    };
    for (size_t i = 0; i < 3; i++) {
        pl_buf_puts(&b, parts[i]);
        free(parts[i]);
    }
    return pl_buf_detach(&b);
}

static void plan_is_stored_and_read_back(void **state)
{
    fixture *f = *state;
    pl_carpool_saved_plan *p = plan(f, 0, 1.3), *again = NULL;
    const pl_carpool_saved_group *ana;
    pl_error err;
    char *rows;

    assert_string_equal(p->event_slug, "atelier");
    assert_string_equal(p->planned, "2026-11-26T10:00:00Z");
    assert_string_equal(p->timezone, "Europe/Paris");
    /* Ana and Gus drive; Bob rides with Ana, picked up on her way. */
    assert_int_equal(p->ngroups, 2);
    ana = group_of(p, "ana@example.org");
    assert_int_equal(ana->number, 1);
    assert_int_equal(ana->seats, 3);
    assert_int_equal(ana->npassengers, 1);
    assert_string_equal(ana->passengers[0].email, "bob@example.org");
    assert_string_equal(ana->passengers[0].origin, "92100");
    assert_string_equal(ana->passengers[0].place, "Boulogne-Billancourt");
    assert_true(fabs(ana->passengers[0].lat - 48.83) < 0.05);
    assert_string_equal(ana->arrival, "2026-12-10T09:15");
    assert_true(strcmp(ana->departure, ana->passengers[0].time) < 0);
    assert_true(strcmp(ana->passengers[0].time, ana->arrival) < 0);
    assert_string_equal(ana->driver.phone, "06 12 34 56 78");
    assert_null(ana->passengers[0].phone);
    assert_false(ana->confirmed);
    assert_int_equal(group_of(p, "gus@example.org")->npassengers, 0);
    assert_int_equal(group_of(p, "gus@example.org")->number, 2);
    /* Eve does not travel: not in the plan at all. */
    assert_null(unassigned(p, "eve@example.org"));
    assert_int_equal(p->nunassigned, 3);
    assert_int_equal(p->totals.cars, 2);
    assert_int_equal(p->totals.riders_seated, 1);
    assert_true(p->totals.vehicle_km_avoided > 0);
    assert_true(fabs(p->totals.co2_avoided_kg - 0.218 * p->totals.vehicle_km_avoided) < 1e-6);
    assert_true(fabs(p->options.road_factor - 1.3) < 1e-12);
    assert_true(fabs(p->options.max_detour_minutes - 30) < 1e-12);

    /* What was returned is what is stored. */
    assert_int_equal(pl_carpool_plan_load(&again, f->store, "atelier", &err), 0);
    {
        json_t *a = pl_carpool_plan_to_json(p), *b = pl_carpool_plan_to_json(again);
        assert_true(json_equal(a, b));
        json_decref(a);
        json_decref(b);
    }
    rows = dump(f, "SELECT count(*) FROM carpool_members");
    assert_string_equal(rows, "3\n");
    free(rows);
    pl_carpool_saved_plan_free(again);
    pl_carpool_saved_plan_free(p);
}

static void unknown_and_ambiguous_origins_are_unassigned_with_reason(void **state)
{
    fixture *f = *state;
    pl_carpool_saved_plan *p = plan(f, 0, 1.3);
    const pl_carpool_saved_unassigned *cleo = unassigned(p, "cleo@example.org");
    const pl_carpool_saved_unassigned *dan = unassigned(p, "dan@example.org");
    const pl_carpool_saved_unassigned *fay = unassigned(p, "fay@example.org");

    assert_non_null(cleo);
    assert_string_equal(cleo->code, PL_CARPOOL_WHY_ORIGIN_UNKNOWN);
    assert_non_null(strstr(cleo->reason, "Trifouilly-les-Oies"));
    assert_string_equal(cleo->origin, "Trifouilly-les-Oies");
    assert_string_equal(cleo->travel, "ride");
    assert_non_null(dan);
    assert_string_equal(dan->code, PL_CARPOOL_WHY_ORIGIN_AMBIGUOUS);
    assert_non_null(strstr(dan->reason, "ambiguous"));
    assert_non_null(fay);
    assert_string_equal(fay->code, PL_CARPOOL_WHY_NO_DRIVER);
    pl_carpool_saved_plan_free(p);
}

/* Each reason says what happened: nobody drives (both drivers left out by
 * the organiser, who also left Bob out), and the English line that goes
 * with it. */
static void reasons_say_what_happened(void **state)
{
    fixture *f = *state;
    pl_carpool_saved_plan *p;
    const pl_carpool_saved_unassigned *u;
    pl_error err;

    assert_int_equal(
        pl_carpool_choice_set(f->store, "atelier", "ana@example.org", PL_CARPOOL_EXCLUDE, 1, &err),
        0);
    assert_int_equal(
        pl_carpool_choice_set(f->store, "atelier", "gus@example.org", PL_CARPOOL_EXCLUDE, 1, &err),
        0);
    assert_int_equal(
        pl_carpool_choice_set(f->store, "atelier", "bob@example.org", PL_CARPOOL_EXCLUDE, 1, &err),
        0);
    p = plan(f, 0, 1.3);
    assert_non_null(u = unassigned(p, "fay@example.org"));
    assert_string_equal(u->code, PL_CARPOOL_WHY_NOBODY_DRIVES);
    assert_string_equal(u->reason, "nobody drives with a seat to offer on this trip");
    assert_non_null(u = unassigned(p, "bob@example.org"));
    assert_string_equal(u->code, PL_CARPOOL_WHY_EXCLUDED);
    assert_non_null(u = unassigned(p, "cleo@example.org"));
    assert_string_equal(u->code, PL_CARPOOL_WHY_ORIGIN_UNKNOWN);
    assert_non_null(u = unassigned(p, "dan@example.org"));
    assert_string_equal(u->code, PL_CARPOOL_WHY_ORIGIN_AMBIGUOUS);
    /* the drivers go alone: not without a seat */
    assert_null(unassigned(p, "ana@example.org"));
    assert_null(unassigned(p, "gus@example.org"));
    pl_carpool_saved_plan_free(p);

    /* Ana drives again: Fay in Marseille is out of her reach */
    assert_int_equal(
        pl_carpool_choice_set(f->store, "atelier", "ana@example.org", PL_CARPOOL_EXCLUDE, 0, &err),
        0);
    p = plan(f, 0, 1.3);
    assert_non_null(u = unassigned(p, "fay@example.org"));
    assert_string_equal(u->code, PL_CARPOOL_WHY_NO_DRIVER);
    pl_carpool_saved_plan_free(p);
}

/* The summary's counts add up and say who they are about: riders (Bob
 * seated; Cleo, Dan, Fay not, each reason counted), cars (Ana with Bob, Gus
 * alone), and Hal, a driver whose origin is unknown, apart. */
static void summary_counts_add_up(void **state)
{
    fixture *f = *state;
    pl_carpool_saved_plan *p;
    pl_carpool_summary s;
    char text[2048];

    reg(f, "Hal Nowhere", "hal@example.org", "Trifouilly-les-Oies", "drive", 3, NULL);
    reg(f, "Ivy Flex", "ivy@example.org", "Versailles", "flexible", 2, NULL);
    p = plan(f, 0, 1.3);
    pl_carpool_summary_count(&s, p);
    assert_int_equal(s.want_seat, 4);
    assert_int_equal(s.seated, 1);
    assert_int_equal(s.unseated, 3);
    assert_int_equal(s.cars, s.with_passengers + s.alone);
    assert_int_equal(s.passengers, s.seated + s.flexible_riding);
    assert_int_equal(s.not_in_car, 1);
    assert_int_equal(s.unseated + s.not_in_car, p->nunassigned);
    pl_carpool_summary_text(text, sizeof(text), PL_LANG_EN, p);
    assert_non_null(strstr(text, "Asked for a seat: 4 — 1 seated, 3 without a seat (1 no driver "
                                 "within the detour limit, 1 origin not found, 1 origin "
                                 "ambiguous)\n"));
    assert_non_null(strstr(text, "Not in a car: 1 who would drive (1 origin not found)\n"));
    pl_carpool_summary_text(text, sizeof(text), PL_LANG_FR, p);
    assert_non_null(strstr(text,
                           "Demandent une place : 4 — placés : 1, sans place : 3 (1 aucun "
                           "conducteur ne passe assez près, 1 commune de départ non reconnue, "
                           "1 commune de départ ambiguë)\n"));
    assert_non_null(
        strstr(text, "Sans voiture, prêts à conduire : 1 (1 commune de départ non reconnue)\n"));
    assert_string_equal(pl_carpool_why_short(PL_LANG_EN, "no_such_code"), "other reason");
    pl_carpool_saved_plan_free(p);
}

static void same_input_gives_the_same_stored_plan(void **state)
{
    fixture *f = *state;
    char *first, *second;

    pl_carpool_saved_plan_free(plan(f, 0, 1.3));
    first = dump_plan(f);
    pl_carpool_saved_plan_free(plan(f, 2, 1.3)); /* afresh: the engine alone */
    second = dump_plan(f);
    assert_string_equal(first, second);
    assert_non_null(strstr(first, "Boulogne-Billancourt"));
    free(first);
    free(second);
}

static void keep_confirmed_keeps_the_group_byte_for_byte(void **state)
{
    fixture *f = *state;
    pl_carpool_saved_plan *p;
    char *before, *after;
    size_t n = 0;
    pl_error err;

    pl_carpool_saved_plan_free(plan(f, 0, 1.3));
    assert_int_equal(pl_carpool_confirm(&n, f->store, "atelier", "ANA@example.org", &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(pl_carpool_confirm(&n, f->store, "atelier", "ana@example.org", &err), 0);
    assert_int_equal(n, 0); /* already confirmed */
    before = dump_ana_group(f);
    assert_non_null(strstr(before, "2026-11-26T10:00:00Z"));

    /* Hal, in Sèvres, would fit in Ana's car; a different road factor
     * would move every time. Kept: nothing of Ana's group changes, and Hal
     * goes with Gus. */
    reg(f, "Hal Rider", "hal@example.org", "Sèvres", "ride", 0, NULL);
    setenv("PLANNER_NOW", "2026-11-27T10:00:00Z", 1);
    p = plan(f, 1, 1.5);
    after = dump_ana_group(f);
    assert_string_equal(before, after);
    assert_true(group_of(p, "ana@example.org")->confirmed);
    assert_int_equal(group_of(p, "ana@example.org")->npassengers, 1);
    assert_int_equal(group_of(p, "gus@example.org")->npassengers, 1); /* Hal, on his way */
    assert_string_equal(p->planned, "2026-11-27T10:00:00Z");
    pl_carpool_saved_plan_free(p);
    free(after);

    /* Without keep_confirmed, a plan over a confirmed car is refused, with
     * what to do; nothing changes */
    {
        pl_carpool_plan_options opts;
        char *rows = dump_plan(f), *again;
        pl_carpool_plan_options_init(&opts);
        opts.engine.road_factor = 1.5;
        assert_int_equal(pl_carpool_plan_event(NULL, f->store, "atelier", &opts, &err),
                         PL_EINVALID);
        assert_non_null(strstr(err.msg, "confirmed cars of the way there: 1"));
        assert_non_null(strstr(err.msg, "--keep-confirmed"));
        assert_non_null(strstr(err.msg, "--force"));
        again = dump_plan(f);
        assert_string_equal(again, rows);
        free(rows);
        free(again);
    }
    /* Forced: the cars are kept where they fit, so Hal stays with Gus, and
     * Ana's car, the same, stays confirmed as it was; nobody is told... */
    p = plan(f, 3, 1.5);
    assert_true(group_of(p, "ana@example.org")->confirmed);
    assert_string_equal(group_of(p, "ana@example.org")->confirmed_at, "2026-11-26T10:00:00Z");
    assert_int_equal(group_of(p, "gus@example.org")->npassengers, 1);
    assert_int_equal(p->moved, 0);
    assert_true(p->kept_previous);
    pl_carpool_saved_plan_free(p);
    {
        char *rows = dump(f, "SELECT count(*) FROM carpool_changes");
        assert_string_equal(rows, "0\n");
        free(rows);
    }
    /* ... forced and afresh, Hal joins Ana: recorded, and Ana's car (still
     * hers, still confirmed) is told as it now is */
    p = plan(f, 4, 1.5);
    assert_true(group_of(p, "ana@example.org")->confirmed);
    assert_int_equal(group_of(p, "ana@example.org")->npassengers, 2);
    assert_null(unassigned(p, "hal@example.org"));
    pl_carpool_saved_plan_free(p);
    {
        char *rows = dump(f, "SELECT c.trip, d.email, r.email, c.what FROM carpool_changes c "
                             "JOIN registrations r ON r.id = c.registration_id JOIN "
                             "registrations d ON d.id = c.driver_id ORDER BY c.id");
        assert_string_equal(rows, "outbound|ana@example.org|hal@example.org|joined\n");
        free(rows);
        rows = dump(f, "SELECT r.email FROM outbox o JOIN registrations r ON r.id = "
                       "o.registration_id WHERE o.kind = 'carpool' AND o.created >= "
                       "'2026-11-27' ORDER BY r.email");
        assert_string_equal(rows, "ana@example.org\nbob@example.org\nhal@example.org\n");
        free(rows);
    }
    free(before);
}

static void kept_group_loses_a_cancelled_passenger(void **state)
{
    fixture *f = *state;
    pl_carpool_saved_plan *p;
    const pl_carpool_saved_group *ana;
    char hal_time[32];
    pl_error err;

    reg(f, "Hal Rider", "hal@example.org", "Sèvres", "ride", 0, NULL);
    p = plan(f, 0, 1.3);
    ana = group_of(p, "ana@example.org");
    assert_int_equal(ana->npassengers, 2);
    for (size_t k = 0; k < 2; k++)
        if (strcmp(ana->passengers[k].email, "hal@example.org") == 0)
            snprintf(hal_time, sizeof(hal_time), "%s", ana->passengers[k].time);
    pl_carpool_saved_plan_free(p);
    assert_int_equal(pl_carpool_confirm(NULL, f->store, "atelier", NULL, &err), 0);
    assert_int_equal(pl_registration_cancel(f->store, "atelier", "bob@example.org", NULL, &err), 0);

    p = plan(f, 1, 1.3);
    ana = group_of(p, "ana@example.org");
    assert_true(ana->confirmed);
    assert_int_equal(ana->npassengers, 1);
    assert_string_equal(ana->passengers[0].email, "hal@example.org");
    assert_string_equal(ana->passengers[0].time, hal_time);
    assert_null(unassigned(p, "bob@example.org"));
    pl_carpool_saved_plan_free(p);
}

static void assignment_by_email_token_and_id(void **state)
{
    fixture *f = *state;
    pl_carpool_assignment *a = NULL, *b = NULL;
    pl_registration *bob = NULL;
    pl_error err;

    assert_int_equal(
        pl_carpool_assignment_find_email(&a, f->store, "atelier", "bob@example.org", &err),
        PL_ENOTFOUND);                               /* no plan yet */
    assert_null(strstr(err.msg, "planner carpool")); /* the CLI's advice, not the core's */
    pl_carpool_saved_plan_free(plan(f, 0, 1.3));

    assert_int_equal(
        pl_carpool_assignment_find_email(&a, f->store, "atelier", "BOB@example.org", &err), 0);
    assert_int_equal(a->role, PL_CARPOOL_AS_PASSENGER);
    assert_string_equal(a->group->driver.name, "Ana Driver");
    assert_string_equal(a->group->driver.phone, "06 12 34 56 78");
    assert_string_equal(a->self->place, "Boulogne-Billancourt");
    assert_string_equal(a->self->origin, "92100");
    assert_non_null(a->self->time);
    pl_carpool_assignment_free(a);

    assert_int_equal(pl_registration_find_email(&bob, f->store, "atelier", "bob@example.org", &err),
                     0);
    assert_int_equal(pl_carpool_assignment_find_token(&a, f->store, bob->token, &err), 0);
    assert_int_equal(pl_carpool_assignment_find(&b, f->store, bob->rowid, &err), 0);
    assert_int_equal(a->role, PL_CARPOOL_AS_PASSENGER);
    assert_int_equal(b->role, PL_CARPOOL_AS_PASSENGER);
    assert_string_equal(a->self->time, b->self->time);
    pl_carpool_assignment_free(a);
    pl_carpool_assignment_free(b);
    pl_registration_free(bob);

    assert_int_equal(
        pl_carpool_assignment_find_email(&a, f->store, "atelier", "ana@example.org", &err), 0);
    assert_int_equal(a->role, PL_CARPOOL_AS_DRIVER);
    assert_ptr_equal(a->self, &a->group->driver);
    pl_carpool_assignment_free(a);

    assert_int_equal(
        pl_carpool_assignment_find_email(&a, f->store, "atelier", "cleo@example.org", &err), 0);
    assert_int_equal(a->role, PL_CARPOOL_AS_UNASSIGNED);
    assert_string_equal(a->unassigned->code, PL_CARPOOL_WHY_ORIGIN_UNKNOWN);
    assert_null(a->group);
    pl_carpool_assignment_free(a);

    assert_int_equal(
        pl_carpool_assignment_find_email(&a, f->store, "atelier", "eve@example.org", &err), 0);
    assert_int_equal(a->role, PL_CARPOOL_AS_OUTSIDE);
    assert_non_null(strstr(a->reason, "travel: none"));
    pl_carpool_assignment_free(a);

    /* Registered after the plan. */
    reg(f, "Ivy Late", "ivy@example.org", "Sèvres", "ride", 0, NULL);
    assert_int_equal(
        pl_carpool_assignment_find_email(&a, f->store, "atelier", "ivy@example.org", &err), 0);
    assert_int_equal(a->role, PL_CARPOOL_AS_OUTSIDE);
    assert_non_null(strstr(a->reason, "after the carpool plan"));
    pl_carpool_assignment_free(a);

    assert_int_equal(
        pl_carpool_assignment_find_email(&a, f->store, "atelier", "nobody@example.org", &err),
        PL_ENOTFOUND);
    assert_null(a);
}

static void confirm_names_the_driver_or_refuses(void **state)
{
    fixture *f = *state;
    size_t n = 99;
    pl_error err;

    assert_int_equal(pl_carpool_confirm(&n, f->store, "atelier", NULL, &err), PL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no carpool plan yet"));
    assert_int_equal(pl_carpool_confirm(&n, f->store, "nope", NULL, &err), PL_ENOTFOUND);
    pl_carpool_saved_plan_free(plan(f, 0, 1.3));
    /* A passenger cannot confirm; the message names the driver. */
    assert_int_equal(pl_carpool_confirm(&n, f->store, "atelier", "bob@example.org", &err),
                     PL_EINVALID);
    assert_non_null(strstr(err.msg, "ana@example.org"));
    /* Gus drives alone: nothing to confirm. */
    assert_int_equal(pl_carpool_confirm(&n, f->store, "atelier", "gus@example.org", &err),
                     PL_EINVALID);
    assert_int_equal(pl_carpool_confirm(&n, f->store, "atelier", "cleo@example.org", &err),
                     PL_ENOTFOUND);
    /* --all confirms the groups with passengers only. */
    assert_int_equal(pl_carpool_confirm(&n, f->store, "atelier", NULL, &err), 0);
    assert_int_equal(n, 1);
}

static void event_without_venue_coordinates_is_refused(void **state)
{
    fixture *f = *state;
    pl_carpool_saved_plan *p = NULL;
    pl_error err;

    th_put_event(f->store, online_json);
    assert_int_equal(pl_carpool_plan_event(&p, f->store, "online", NULL, &err), PL_EINVALID);
    assert_null(p);
    assert_non_null(strstr(err.msg, "online"));
    assert_int_equal(pl_carpool_plan_load(&p, f->store, "online", &err), PL_ENOTFOUND);
    assert_int_equal(pl_carpool_plan_event(&p, f->store, "absent", NULL, &err), PL_ENOTFOUND);
    /* An event stored without coordinates (a subscribed feed, say). */
    assert_int_equal(pl_store_test_exec(f->store,
                                        "UPDATE events SET venue_lat = NULL, venue_lon = NULL "
                                        "WHERE slug = 'atelier'",
                                        NULL),
                     0);
    assert_int_equal(pl_carpool_plan_event(&p, f->store, "atelier", NULL, &err), PL_EINVALID);
    assert_non_null(strstr(err.msg, "venue coordinates"));
    assert_null(p);
}

static void times_format_back_from_minutes(void **state)
{
    static const char *const cases[] = {"2026-12-10T09:30", "2026-12-10T00:00", "2024-02-29T23:59",
                                        "2000-01-01T00:01", "1969-12-31T23:00", "2027-03-01T05:07"};
    char buf[32];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pl_datetime dt;
        assert_int_equal(pl_datetime_parse(&dt, cases[i]), 0);
        pl_carpool_time_format((long)pl_datetime_minutes(&dt), buf, sizeof(buf));
        assert_string_equal(buf, cases[i]);
    }
    /* Leaving the evening before an early start. */
    {
        pl_datetime dt;
        assert_int_equal(pl_datetime_parse(&dt, "2026-01-01T01:00"), 0);
        pl_carpool_time_format((long)pl_datetime_minutes(&dt) - 125, buf, sizeof(buf));
        assert_string_equal(buf, "2025-12-31T22:55");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(plan_is_stored_and_read_back, setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(unknown_and_ambiguous_origins_are_unassigned_with_reason,
                                        setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(reasons_say_what_happened, setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(summary_counts_add_up, setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(same_input_gives_the_same_stored_plan, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(keep_confirmed_keeps_the_group_byte_for_byte, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(kept_group_loses_a_cancelled_passenger, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(assignment_by_email_token_and_id, setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(confirm_names_the_driver_or_refuses, setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(event_without_venue_coordinates_is_refused, setup,
                                        th_db_teardown),
        cmocka_unit_test(times_format_back_from_minutes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
