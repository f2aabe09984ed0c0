/*
 * carpool_west.h - the fixture of the carpool change tests
 * (test_carpool_changes.c, test_carpool_refusals.c): one workshop in Paris
 * and two cars from the west. Include after cmocka, planner.h and
 * test_helpers.h.
 */
#ifndef PL_TEST_CARPOOL_WEST_H
#define PL_TEST_CARPOOL_WEST_H

/* A workshop in Paris, 09:30 to 17:00; one session ending at 10:30. */
static const char event_json[] =
    "{\"slug\": \"atelier\", \"title\": \"Atelier\", \"format\": \"in_person\",\n"
    " \"venue\": {\"name\": \"Hôtel de Ville\", \"lat\": 48.8566, \"lon\": 2.3522},\n"
    " \"start\": \"2026-12-10T09:30\", \"end\": \"2026-12-10T17:00\",\n"
    " \"sessions\": [{\"id\": \"a\", \"title\": \"A\", \"kind\": \"talk\", \"start\": \"09:30\",\n"
    "    \"end\": \"10:30\", \"room\": \"A\"}]}\n";

typedef th_db fixture;

static inline void reg(fixture *f, const char *name, const char *email, const char *origin,
                       const char *travel, int seats)
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
    if (pl_registration_save(f->store, "atelier", &in, NULL, &err) != 0)
        fail_msg("%s: %s", email, pl_error_format(&err, msg, sizeof(msg)));
}

/* Two cars from the west: Ana (Versailles, 3 seats) and Hal (Rambouillet,
 * 2 seats), riders along their way, and Zoe in Lille (far from both). */
static inline int setup(void **state)
{
    fixture *f;

    setenv("PLANNER_NOW", "2026-11-26T10:00:00Z", 1);
    th_db_setup(state);
    f = *state;
    pl_registration_set_left_hook(pl_carpool_registration_left);
    th_put_event(f->store, event_json);
    reg(f, "Ana Driver", "ana@example.org", "Versailles", "drive", 3);
    reg(f, "Bob Rider", "bob@example.org", "Sèvres", "ride", 0);
    reg(f, "Cleo Rider", "cleo@example.org", "Chaville", "ride", 0);
    reg(f, "Hal Driver", "hal@example.org", "Rambouillet", "drive", 2);
    reg(f, "Ivy Rider", "ivy@example.org", "Trappes", "ride", 0);
    reg(f, "Zoe Far", "zoe@example.org", "Lille", "ride", 0);
    return 0;
}

static inline int teardown(void **state)
{
    pl_registration_set_left_hook(NULL);
    return th_db_teardown(state);
}

#endif
