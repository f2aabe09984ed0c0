#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"
#include "store_test.h"
#include "test_helpers.h"

#include <sys/wait.h>

/* An event of 3 places; session "a" holds 1, "b" has no limit of its own. */
static const char event_json[] =
    "{\"slug\": \"petit\", \"title\": \"Petit\", \"format\": \"online\",\n"
    " \"online_url\": \"https://visio.example.org/x\", \"capacity\": 3,\n"
    " \"start\": \"2026-12-10T09:30\", \"end\": \"2026-12-10T17:00\",\n"
    " \"sessions\": [\n"
    "   {\"id\": \"a\", \"title\": \"A\", \"kind\": \"workshop\", \"start\": \"10:00\",\n"
    "    \"end\": \"11:00\", \"room\": \"A\", \"capacity\": 1},\n"
    "   {\"id\": \"b\", \"title\": \"B\", \"kind\": \"workshop\", \"start\": \"10:00\",\n"
    "    \"end\": \"11:00\", \"room\": \"B\"}]}\n";

typedef th_db fixture;

static int setup(void **state)
{
    int rc = th_db_setup(state);
    fixture *f = *state;

    th_put_event(f->store, event_json);
    return rc;
}

/* Register name <email> for "petit" with sessions (a "|"-list or NULL). */
static pl_registration *reg(fixture *f, const char *name, const char *email, const char *sessions,
                            int expect_rc)
{
    char buf[128], *items[8];
    pl_registration in, *out = NULL;
    pl_error err;
    int rc;

    memset(&in, 0, sizeof(in));
    in.name = (char *)name;
    in.email = (char *)email;
    if (sessions) {
        snprintf(buf, sizeof(buf), "%s", sessions);
        for (char *tok = strtok(buf, "|"); tok; tok = strtok(NULL, "|"))
            items[in.sessions.count++] = tok;
        in.sessions.items = items;
    }
    rc = pl_registration_save(f->store, "petit", &in, &out, &err);
    if (rc != expect_rc) {
        char msg[1024];
        fail_msg("%s: got %d (%s), expected %d", email, rc, pl_error_format(&err, msg, 1024),
                 expect_rc);
    }
    return out;
}

static void expect_status(fixture *f, const char *email, pl_reg_status status, int position)
{
    pl_registration *r = NULL;
    pl_error err;

    assert_int_equal(pl_registration_find_email(&r, f->store, "petit", email, &err), 0);
    if (r->status != status || r->waitlist_position != position)
        fail_msg("%s: %s %d, expected %s %d", email, pl_reg_status_name(r->status),
                 r->waitlist_position, pl_reg_status_name(status), position);
    pl_registration_free(r);
}

static void capacity_then_waitlist_in_arrival_order(void **state)
{
    fixture *f = *state;
    pl_registration *r;
    (void)state;

    for (int i = 0; i < 3; i++) {
        char email[32];
        snprintf(email, sizeof(email), "p%d@example.org", i);
        r = reg(f, "Someone", email, NULL, 0);
        assert_int_equal(r->status, PL_REG_CONFIRMED);
        assert_int_equal(r->waitlist_position, 0);
        assert_null(r->waitlist_reason);
        pl_registration_free(r);
    }
    r = reg(f, "Fourth", "p3@example.org", NULL, 0);
    assert_int_equal(r->status, PL_REG_WAITLISTED);
    assert_int_equal(r->waitlist_position, 1);
    assert_string_equal(r->waitlist_reason, "the event is full (3 places)");
    pl_registration_free(r);
    r = reg(f, "Fifth", "p4@example.org", NULL, 0);
    assert_int_equal(r->waitlist_position, 2);
    pl_registration_free(r);

    /* Cancelling a confirmed person promotes the first waiting one. */
    pl_registration **promoted = NULL;
    size_t n = 0;
    pl_error err;
    assert_int_equal(
        pl_registration_cancel_ext(f->store, "petit", "P1@EXAMPLE.ORG", &r, &promoted, &n, &err),
        0);
    assert_int_equal(r->status, PL_REG_CANCELLED);
    assert_int_equal(n, 1);
    assert_string_equal(promoted[0]->email, "p3@example.org");
    assert_int_equal(promoted[0]->status, PL_REG_CONFIRMED);
    pl_registration_free(r);
    pl_registration_list_free(promoted, n);
    expect_status(f, "p3@example.org", PL_REG_CONFIRMED, 0);
    expect_status(f, "p4@example.org", PL_REG_WAITLISTED, 1);

    /* Cancelling a waiting person promotes no one; twice is no error. */
    assert_int_equal(pl_registration_cancel(f->store, "petit", "p4@example.org", NULL, &err), 0);
    assert_int_equal(pl_registration_cancel(f->store, "petit", "p4@example.org", NULL, &err), 0);
    expect_status(f, "p4@example.org", PL_REG_CANCELLED, 0);
    assert_int_equal(pl_registration_cancel(f->store, "petit", "nobody@example.org", NULL, &err),
                     PL_ENOTFOUND);

    /* Registering again after cancelling: a new arrival, same uid, a new
     * token: the old link must not show whoever registered again. */
    pl_registration *before = NULL;
    assert_int_equal(pl_registration_find_email(&before, f->store, "petit", "p1@example.org", &err),
                     0);
    r = reg(f, "Back", "p1@example.org", NULL, 0);
    assert_int_equal(r->status, PL_REG_WAITLISTED);
    assert_int_equal(r->waitlist_position, 1);
    assert_string_equal(r->uid, before->uid);
    assert_string_not_equal(r->token, before->token);
    assert_int_equal(strlen(r->token), strlen(before->token));
    pl_registration_free(r);
    r = NULL;
    assert_int_equal(pl_registration_find_token(&r, f->store, before->token, &err), PL_ENOTFOUND);
    pl_registration_free(r);
    pl_registration_free(before);
}

/* The places of email in the lines of its sessions, as "0,1" (0: seated). */
static void expect_lines(fixture *f, const char *email, const char *want)
{
    pl_registration *r = NULL;
    char got[64] = "";
    pl_error err;

    assert_int_equal(pl_registration_find_email(&r, f->store, "petit", email, &err), 0);
    for (size_t i = 0; i < r->sessions.count; i++)
        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%d", i ? "," : "",
                 r->session_waiting[i]);
    if (strcmp(got, want) != 0)
        fail_msg("%s: session lines %s, expected %s", email, got, want);
    pl_registration_free(r);
}

static void full_session_puts_only_that_session_on_a_waiting_list(void **state)
{
    fixture *f = *state;
    pl_registration *r;
    pl_error err;

    r = reg(f, "Ana", "ana@example.org", "a", 0);
    assert_int_equal(r->status, PL_REG_CONFIRMED);
    assert_int_equal(r->sessions.count, 1);
    assert_string_equal(r->sessions.items[0], "a");
    assert_int_equal(r->session_waiting[0], 0);
    pl_registration_free(r);
    /* "a" is full: Bruno is confirmed for the event (it has room), seated
     * in "b" and first in the line of "a". */
    r = reg(f, "Bruno", "bruno@example.org", "b|a", 0);
    assert_int_equal(r->status, PL_REG_CONFIRMED);
    assert_int_equal(r->waitlist_position, 0);
    assert_null(r->waitlist_reason);
    assert_int_equal(r->session_waiting[0], 0);
    assert_int_equal(r->session_waiting[1], 1);
    pl_registration_free(r);
    r = reg(f, "Chloé", "chloe@example.org", "a", 0);
    assert_int_equal(r->status, PL_REG_CONFIRMED);
    assert_int_equal(r->session_waiting[0], 2);
    pl_registration_free(r);
    /* Adding a session keeps her place in the other's line. */
    pl_registration_free(reg(f, "Chloé", "chloe@example.org", "a|b", 0));
    expect_lines(f, "chloe@example.org", "2,0");
    /* The event is full now (3): Dan waits for it, and for nothing else yet. */
    r = reg(f, "Dan", "dan@example.org", "a", 0);
    assert_int_equal(r->status, PL_REG_WAITLISTED);
    assert_int_equal(r->waitlist_position, 1);
    assert_string_equal(r->waitlist_reason, "the event is full (3 places)");
    assert_int_equal(r->session_waiting[0], 0);
    pl_registration_free(r);
    /* Ana cancels: Dan gets her seat in the event and joins the end of the
     * line of "a"; her seat in "a" goes to the first in that line. */
    assert_int_equal(pl_registration_cancel(f->store, "petit", "ana@example.org", NULL, &err), 0);
    expect_status(f, "dan@example.org", PL_REG_CONFIRMED, 0);
    expect_lines(f, "bruno@example.org", "0,0");
    expect_lines(f, "chloe@example.org", "1,0");
    expect_lines(f, "dan@example.org", "2");
    /* Leaving a line moves those behind up; nobody is seated by it. */
    pl_registration_free(reg(f, "Chloé", "chloe@example.org", "b", 0));
    expect_lines(f, "dan@example.org", "1");
}

static void dropping_a_full_session_promotes_who_waits_for_it(void **state)
{
    fixture *f = *state;
    pl_registration_change change;
    pl_registration in, *r;
    pl_error err;

    pl_registration_free(reg(f, "Ana", "ana@example.org", "a", 0));
    pl_registration_free(reg(f, "Bruno", "bruno@example.org", "a", 0));
    expect_status(f, "bruno@example.org", PL_REG_CONFIRMED, 0);
    expect_lines(f, "bruno@example.org", "1");
    memset(&in, 0, sizeof(in));
    in.name = "Ana";
    in.email = "ana@example.org";
    assert_int_equal(pl_registration_save_ext(f->store, "petit", &in, &r, &change, &err), 0);
    assert_int_equal(change.changed, 1);
    assert_int_equal(change.promoted, 1);
    assert_int_equal(r->status, PL_REG_CONFIRMED);
    assert_int_equal(r->sessions.count, 0);
    pl_registration_free(r);
    expect_lines(f, "bruno@example.org", "0");
}

static void email_is_case_insensitive_and_updates(void **state)
{
    fixture *f = *state;
    pl_registration_change change;
    pl_registration in, *r, *first, **all = NULL;
    size_t n = 0;
    pl_error err;

    first = reg(f, "Ana Silva", "Ana.Silva@Example.org", NULL, 0);
    memset(&in, 0, sizeof(in));
    in.name = "Ana Silva-Costa";
    in.email = "ana.silva@example.ORG";
    in.origin = "44000 Nantes";
    in.travel = PL_TRAVEL_DRIVE;
    in.seats = 3;
    in.meal = 1;
    in.diet = "végétarien";
    in.public_list = 1;
    assert_int_equal(pl_registration_save_ext(f->store, "petit", &in, &r, &change, &err), 0);
    assert_int_equal(change.created, 0);
    assert_int_equal(change.changed, 1);
    assert_int_equal(r->rowid, first->rowid);
    assert_string_equal(r->uid, first->uid);
    assert_string_equal(r->token, first->token);
    assert_string_equal(r->name, "Ana Silva-Costa");
    assert_string_equal(r->email, "ana.silva@example.ORG");
    assert_int_equal(r->travel, PL_TRAVEL_DRIVE);
    assert_int_equal(r->seats, 3);
    assert_string_equal(r->diet, "végétarien");
    assert_int_equal(r->public_list, 1);
    assert_string_equal(r->created, first->created);
    pl_registration_free(r);
    /* The same again changes nothing. */
    assert_int_equal(pl_registration_save_ext(f->store, "petit", &in, NULL, &change, &err), 0);
    assert_int_equal(change.created + change.changed, 0);
    /* A diet without the meal is not kept; seats only for drivers. */
    in.meal = 0;
    in.travel = PL_TRAVEL_RIDE;
    assert_int_equal(pl_registration_save(f->store, "petit", &in, &r, &err), 0);
    assert_null(r->diet);
    assert_int_equal(r->seats, 0);
    pl_registration_free(r);

    assert_int_equal(pl_registration_list(&all, &n, f->store, "petit", &err), 0);
    assert_int_equal(n, 1);
    pl_registration_list_free(all, n);
    pl_registration_free(first);
}

static void tokens_are_long_unique_and_find_their_owner(void **state)
{
    fixture *f = *state;
    pl_registration *r[3], *found = NULL;
    pl_error err;

    r[0] = reg(f, "A", "a@example.org", NULL, 0);
    r[1] = reg(f, "B", "b@example.org", NULL, 0);
    r[2] = reg(f, "C", "c@example.org", NULL, 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(strlen(r[i]->token), 2 * PL_REG_TOKEN_BYTES);
        assert_true(2 * PL_REG_TOKEN_BYTES * 4 >= 128);
        assert_int_equal(strspn(r[i]->token, "0123456789abcdef"), 2 * PL_REG_TOKEN_BYTES);
        assert_int_equal(strlen(r[i]->uid), 36);
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(r[i]->token, r[j]->token);
            assert_string_not_equal(r[i]->uid, r[j]->uid);
        }
    }
    assert_int_equal(pl_registration_find_token(&found, f->store, r[1]->token, &err), 0);
    assert_string_equal(found->email, "b@example.org");
    assert_string_equal(found->event_slug, "petit");
    pl_registration_free(found);
    /* A wrong token finds nothing and is not echoed. */
    char wrong[2 * PL_REG_TOKEN_BYTES + 1];
    memset(wrong, '0', sizeof(wrong) - 1);
    wrong[sizeof(wrong) - 1] = '\0';
    assert_int_equal(pl_registration_find_token(&found, f->store, wrong, &err), PL_ENOTFOUND);
    assert_null(strstr(err.msg, wrong));
    assert_int_equal(pl_registration_find_token(&found, f->store, "short", &err), PL_ENOTFOUND);
    /* A token made before schema 7 (24 random bytes, no position) still
     * opens its page. */
    assert_int_equal(pl_store_test_exec(f->store,
                                        "UPDATE registrations SET token = "
                                        "'00112233445566778899aabbccddeeff0011223344556677' "
                                        "WHERE email = 'c@example.org'",
                                        NULL),
                     0);
    assert_int_equal(pl_registration_find_token(&found, f->store,
                                                "00112233445566778899aabbccddeeff0011223344556677",
                                                &err),
                     0);
    assert_string_equal(found->email, "c@example.org");
    pl_registration_free(found);
    for (int i = 0; i < 3; i++)
        pl_registration_free(r[i]);
}

static void list_is_in_arrival_order_with_positions(void **state)
{
    fixture *f = *state;
    pl_registration **all = NULL;
    size_t n = 0;
    pl_error err;

    pl_registration_free(reg(f, "A", "a@example.org", "a", 0));
    pl_registration_free(reg(f, "B", "b@example.org", "a", 0));
    pl_registration_free(reg(f, "C", "c@example.org", "b", 0));
    pl_registration_free(reg(f, "D", "d@example.org", NULL, 0));
    pl_registration_free(reg(f, "E", "e@example.org", NULL, 0));
    assert_int_equal(pl_registration_list(&all, &n, f->store, "petit", &err), 0);
    assert_int_equal(n, 5);
    const char *order = "ABCDE";
    for (size_t i = 0; i < n; i++)
        assert_int_equal(all[i]->name[0], order[i]);
    /* B is in the event, first in the line of "a"; D and E wait for it */
    assert_int_equal(all[1]->status, PL_REG_CONFIRMED);
    assert_int_equal(all[1]->session_waiting[0], 1);
    assert_int_equal(all[3]->status, PL_REG_WAITLISTED);
    assert_int_equal(all[3]->waitlist_position, 1);
    assert_string_equal(all[3]->waitlist_reason, "the event is full (3 places)");
    assert_int_equal(all[4]->waitlist_position, 2);
    assert_string_equal(all[0]->sessions.items[0], "a");
    assert_int_equal(all[0]->session_waiting[0], 0);
    pl_registration_list_free(all, n);

    assert_int_equal(pl_registration_list(&all, &n, f->store, "nope", &err), PL_ENOTFOUND);
}

/* pl_registration_each hands over what pl_registration_list returns, in the
 * same order, one at a time; a non-zero return stops it. */
typedef struct seen {
    pl_registration **want;
    size_t n, calls, stop_after;
} seen;

static int check_one(const pl_registration *r, void *payload)
{
    seen *s = payload;
    const pl_registration *w;

    assert_true(s->calls < s->n);
    w = s->want[s->calls++];
    assert_int_equal(r->rowid, w->rowid);
    assert_string_equal(r->uid, w->uid);
    assert_string_equal(r->token, w->token);
    assert_string_equal(r->name, w->name);
    assert_int_equal(r->status, w->status);
    assert_int_equal(r->waitlist_position, w->waitlist_position);
    if (w->waitlist_reason)
        assert_string_equal(r->waitlist_reason, w->waitlist_reason);
    else
        assert_null(r->waitlist_reason);
    assert_int_equal(r->sessions.count, w->sessions.count);
    for (size_t k = 0; k < r->sessions.count; k++) {
        assert_string_equal(r->sessions.items[k], w->sessions.items[k]);
        assert_int_equal(r->session_waiting[k], w->session_waiting[k]);
    }
    return s->stop_after && s->calls == s->stop_after ? 7 : 0;
}

static void each_visits_in_list_order(void **state)
{
    fixture *f = *state;
    pl_registration **all = NULL;
    seen s = {0};
    pl_error err;

    pl_registration_free(reg(f, "A", "a@example.org", "b|a", 0));
    pl_registration_free(reg(f, "B", "b@example.org", "a", 0)); /* in the line of a */
    pl_registration_free(reg(f, "C", "c@example.org", "b", 0));
    pl_registration_free(reg(f, "D", "d@example.org", NULL, 0)); /* the event is full */
    pl_registration_free(reg(f, "E", "e@example.org", "b", 0));
    /* D, then E, are promoted; F waits for the event */
    assert_int_equal(pl_registration_cancel(f->store, "petit", "c@example.org", NULL, &err), 0);
    assert_int_equal(pl_registration_cancel(f->store, "petit", "d@example.org", NULL, &err), 0);
    pl_registration_free(reg(f, "F", "f@example.org", "a|b", 0));
    assert_int_equal(pl_registration_list(&all, &s.n, f->store, "petit", &err), 0);
    assert_int_equal(s.n, 6);
    s.want = all;
    assert_int_equal(pl_registration_each(f->store, "petit", check_one, &s, &err), 0);
    assert_int_equal(s.calls, 6);
    assert_string_equal(all[0]->sessions.items[0], "b");
    assert_string_equal(all[0]->sessions.items[1], "a");
    assert_int_equal(all[1]->status, PL_REG_CONFIRMED);
    assert_int_equal(all[1]->session_waiting[0], 1);
    assert_int_equal(all[2]->status, PL_REG_CANCELLED);
    assert_int_equal(all[4]->status, PL_REG_CONFIRMED);
    assert_int_equal(all[5]->waitlist_position, 1);
    assert_string_equal(all[5]->waitlist_reason, "the event is full (3 places)");

    /* stopped by fn: its value comes back */
    s.calls = 0;
    s.stop_after = 2;
    assert_int_equal(pl_registration_each(f->store, "petit", check_one, &s, &err), 7);
    assert_int_equal(s.calls, 2);

    /* inside a transaction the caller holds, which stays usable */
    s.calls = 0;
    s.stop_after = 0;
    assert_int_equal(pl_store_begin(f->store, &err), 0);
    assert_int_equal(pl_registration_each(f->store, "petit", check_one, &s, &err), 0);
    assert_int_equal(pl_store_commit(f->store, &err), 0);
    assert_int_equal(s.calls, 6);
    pl_registration_list_free(all, s.n);

    assert_int_equal(pl_registration_each(f->store, "nope", check_one, &s, &err), PL_ENOTFOUND);
}

static void bad_input_is_refused(void **state)
{
    fixture *f = *state;
    pl_registration in;
    pl_error err;
    char *bad_session[] = {"zz"};

    memset(&in, 0, sizeof(in));
    in.name = "Ana";
    in.email = "not-an-email";
    assert_int_equal(pl_registration_save(f->store, "petit", &in, NULL, &err), PL_EINVALID);
    assert_string_equal(err.path, "email");
    in.email = "ana@example.org";
    in.travel = PL_TRAVEL_DRIVE;
    in.origin = "Lyon";
    in.seats = 0;
    assert_int_equal(pl_registration_save(f->store, "petit", &in, NULL, &err), PL_EINVALID);
    assert_string_equal(err.path, "seats");
    in.seats = 2;
    in.origin = NULL;
    assert_int_equal(pl_registration_save(f->store, "petit", &in, NULL, &err), PL_EINVALID);
    assert_string_equal(err.path, "origin");
    in.travel = PL_TRAVEL_NONE;
    in.sessions.items = bad_session;
    in.sessions.count = 1;
    assert_int_equal(pl_registration_save(f->store, "petit", &in, NULL, &err), PL_EINVALID);
    assert_string_equal(err.path, "sessions");
    assert_non_null(strstr(err.msg, "unknown session \"zz\" (the event has: a, b)"));
    in.sessions.count = 0;
    assert_int_equal(pl_registration_save(f->store, "nope", &in, NULL, &err), PL_ENOTFOUND);
    in.phone = "call me";
    assert_int_equal(pl_registration_save(f->store, "petit", &in, NULL, &err), PL_EINVALID);
    assert_string_equal(err.path, "phone");
    in.phone = NULL;
    in.name = "Ana\xFF"; /* not UTF-8: would break the xlsx and JSON exports */
    assert_int_equal(pl_registration_save(f->store, "petit", &in, NULL, &err), PL_EINVALID);
    assert_string_equal(err.path, "name");
    in.name = "Ana";
    in.diet = "v\x1B[31mgan";
    assert_int_equal(pl_registration_save(f->store, "petit", &in, NULL, &err), PL_EINVALID);
    assert_string_equal(err.path, "diet");
    assert_string_equal(err.msg, "contains a control character");
    in.diet = NULL;
    /* Nothing was stored. */
    pl_registration **all = NULL;
    size_t n = 9;
    assert_int_equal(pl_registration_list(&all, &n, f->store, "petit", &err), 0);
    assert_int_equal(n, 0);
    pl_registration_list_free(all, n);
}

static void checks_and_names(void **state)
{
    pl_travel t;
    (void)state;

    assert_true(pl_email_valid("a@b.fr"));
    assert_true(pl_email_valid("jean-baptiste.le.goff@example.fr"));
    assert_false(pl_email_valid("a@b"));
    assert_false(pl_email_valid("@b.fr"));
    assert_false(pl_email_valid("a@@b.fr"));
    assert_false(pl_email_valid("a@b..fr"));
    assert_false(pl_email_valid("a b@c.fr"));
    assert_false(pl_email_valid("a@.fr"));
    assert_false(pl_email_valid(""));
    assert_false(pl_email_valid("\xE9t\xE9@b.fr")); /* Latin-1, not UTF-8 */
    assert_true(pl_email_valid("\xC3\xA9t\xC3\xA9@b.fr"));
    assert_int_equal(pl_travel_parse(&t, "Conductrice"), 0);
    assert_int_equal(t, PL_TRAVEL_DRIVE);
    assert_int_equal(pl_travel_parse(&t, "PASSAGÈRE"), 0);
    assert_int_equal(t, PL_TRAVEL_RIDE);
    assert_int_equal(pl_travel_parse(&t, ""), 0);
    assert_int_equal(t, PL_TRAVEL_NONE);
    assert_int_equal(pl_travel_parse(&t, "voiture"), PL_EINVALID);
    assert_string_equal(pl_travel_name(PL_TRAVEL_FLEXIBLE), "flexible");
    assert_string_equal(pl_reg_status_name(PL_REG_WAITLISTED), "waitlisted");
    assert_int_equal(pl_yes_no_parse("Oui"), 1);
    assert_int_equal(pl_yes_no_parse("NO"), 0);
    assert_int_equal(pl_yes_no_parse(""), 0);
    assert_int_equal(pl_yes_no_parse("-"), PL_EINVALID);
    assert_int_equal(pl_yes_no_parse("peut-être"), PL_EINVALID);
}

/* Capacity raised by an event re-import: the next change fills the seats. */
static void raised_capacity_is_filled_on_the_next_change(void **state)
{
    fixture *f = *state;
    char json[sizeof(event_json) + 8];
    pl_registration *r;

    for (int i = 0; i < 5; i++) {
        char email[32];
        snprintf(email, sizeof(email), "p%d@example.org", i);
        pl_registration_free(reg(f, "P", email, NULL, 0));
    }
    expect_status(f, "p3@example.org", PL_REG_WAITLISTED, 1);
    snprintf(json, sizeof(json), "%s", event_json);
    memcpy(strstr(json, "\"capacity\": 3"), "\"capacity\": 4", 13);
    th_put_event(f->store, json);
    r = reg(f, "New", "new@example.org", NULL, 0);
    assert_int_equal(r->status, PL_REG_WAITLISTED);
    assert_int_equal(r->waitlist_position, 2);
    pl_registration_free(r);
    expect_status(f, "p3@example.org", PL_REG_CONFIRMED, 0);
}

/* Ana, with every field set, for "petit". */
static void full_input(pl_registration *in, char **sessions)
{
    memset(in, 0, sizeof(*in));
    in->name = "Ana Silva";
    in->email = "ana@example.org";
    in->organization = "Mairie";
    in->origin = "44000 Nantes";
    in->phone = "06 12 34 56 78";
    in->travel = PL_TRAVEL_DRIVE;
    in->seats = 3;
    in->meal = 1;
    in->diet = "végétarien";
    in->public_list = 1;
    sessions[0] = "b";
    in->sessions.items = sessions;
    in->sessions.count = 1;
}

static void same_registration(const pl_registration *a, const pl_registration *b)
{
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->organization, b->organization);
    assert_string_equal(a->origin, b->origin);
    assert_string_equal(a->phone, b->phone);
    assert_int_equal(a->travel, b->travel);
    assert_int_equal(a->seats, b->seats);
    assert_int_equal(a->meal, b->meal);
    assert_string_equal(a->diet, b->diet);
    assert_int_equal(a->public_list, b->public_list);
    assert_int_equal(a->sessions.count, b->sessions.count);
    for (size_t i = 0; i < a->sessions.count; i++)
        assert_string_equal(a->sessions.items[i], b->sessions.items[i]);
    assert_string_equal(a->uid, b->uid);
    assert_int_equal(a->status, b->status);
}

static void update_changes_only_what_is_given(void **state)
{
    fixture *f = *state;
    pl_registration in, *before = NULL, *after = NULL;
    pl_registration_change change;
    char *sessions[1];
    pl_error err;

    full_input(&in, sessions);
    assert_int_equal(pl_registration_save(f->store, "petit", &in, &before, &err), 0);
    memset(&in, 0, sizeof(in));
    in.email = "ANA@example.org";
    in.origin = "26240 Saint-Vallier";
    in.keep = PL_REG_FIELD_ALL & ~(unsigned)PL_REG_FIELD_ORIGIN;
    assert_int_equal(pl_registration_save_ext(f->store, "petit", &in, &after, &change, &err), 0);
    assert_true(change.changed);
    assert_string_equal(after->origin, "26240 Saint-Vallier");
    free(after->origin);
    after->origin = strdup(before->origin);
    same_registration(before, after);
    pl_registration_free(after);
    after = NULL;

    /* A kept field is checked as stored: a driver needs an origin. */
    in.origin = NULL;
    assert_int_equal(pl_registration_save(f->store, "petit", &in, &after, &err), PL_EINVALID);
    assert_string_equal(err.path, "origin");
    /* Given fields that are cleared, cleared; sessions given empty. */
    in.keep = PL_REG_FIELD_ALL &
              ~(unsigned)(PL_REG_FIELD_MEAL | PL_REG_FIELD_SESSIONS | PL_REG_FIELD_ORGANIZATION);
    assert_int_equal(pl_registration_save(f->store, "petit", &in, &after, &err), 0);
    assert_null(after->organization);
    assert_false(after->meal);
    assert_null(after->diet);
    assert_int_equal(after->sessions.count, 0);
    assert_string_equal(after->name, "Ana Silva");
    assert_int_equal(after->seats, 3);
    pl_registration_free(after);
    after = NULL;
    /* An update with nothing given changes nothing; someone new needs a name. */
    in.keep = PL_REG_FIELD_ALL;
    assert_int_equal(pl_registration_save_ext(f->store, "petit", &in, NULL, &change, &err), 0);
    assert_false(change.changed);
    in.email = "new@example.org";
    assert_int_equal(pl_registration_save(f->store, "petit", &in, NULL, &err), PL_EINVALID);
    assert_string_equal(err.path, "name");
    pl_registration_free(before);
}

static void queued_update_keeps_what_is_not_given(void **state)
{
    fixture *f = *state;
    pl_registration in, *r = NULL;
    pl_registration_batch *b = NULL;
    char *sessions[1];
    pl_error err;

    full_input(&in, sessions);
    assert_int_equal(pl_registration_save(f->store, "petit", &in, NULL, &err), 0);
    /* A new person first, so that the next row is queued as new and only
     * the group's INSERT finds the e-mail known (the replay path). */
    assert_int_equal(pl_store_begin(f->store, &err), 0);
    assert_int_equal(pl_registration_batch_open(&b, f->store, "petit", &err), 0);
    memset(&in, 0, sizeof(in));
    in.name = "Bea";
    in.email = "bea@example.org";
    assert_int_equal(pl_registration_batch_queue(b, &in, 1, &err), 0);
    in.name = "Ana Silva";
    in.email = "ana@example.org";
    in.origin = "Lyon";
    in.keep = PL_REG_FIELD_ALL & ~(unsigned)PL_REG_FIELD_ORIGIN;
    assert_int_equal(pl_registration_batch_queue(b, &in, 2, &err), 0);
    assert_int_equal(pl_registration_batch_flush(b, &err), 0);
    pl_registration_batch_free(b);
    assert_int_equal(pl_store_commit(f->store, &err), 0);
    assert_int_equal(pl_registration_find_email(&r, f->store, "petit", "ana@example.org", &err), 0);
    assert_string_equal(r->origin, "Lyon");
    assert_string_equal(r->organization, "Mairie");
    assert_string_equal(r->diet, "végétarien");
    assert_int_equal(r->sessions.count, 1);
    pl_registration_free(r);
}

/* Every stored field of two loads of one registration, the secret and the
 * times included: what a refused request must leave as it was. */
static void identical(const pl_registration *a, const pl_registration *b)
{
    same_registration(a, b);
    assert_int_equal(a->rowid, b->rowid);
    assert_string_equal(a->token, b->token);
    assert_string_equal(a->email, b->email);
    assert_string_equal(a->created, b->created);
    assert_string_equal(a->updated, b->updated);
    assert_int_equal(a->waitlist_position, b->waitlist_position);
}

static void create_refuses_a_registered_email_and_changes_nothing(void **state)
{
    fixture *f = *state;
    pl_registration in, *first = NULL, *again = NULL, *stored = NULL;
    pl_registration_change change;
    char *sessions[1];
    pl_error err;

    full_input(&in, sessions);
    assert_int_equal(pl_registration_create(f->store, "petit", &in, &first, &change, &err), 0);
    assert_true(change.created);
    /* someone else, with the same address in other case, other fields */
    in.name = "Mallory";
    in.email = "Ana@Example.org";
    in.organization = NULL;
    in.sessions.count = 0;
    in.travel = PL_TRAVEL_NONE;
    assert_int_equal(pl_registration_create(f->store, "petit", &in, &again, &change, &err),
                     PL_EEXISTS);
    assert_null(again);
    assert_string_equal(err.path, "email");
    assert_null(strstr(err.msg, first->token));
    assert_int_equal(
        pl_registration_find_email(&stored, f->store, "petit", "ana@example.org", &err), 0);
    identical(first, stored);
    pl_registration_free(stored);
    stored = NULL;
    /* once cancelled, the address registers again */
    assert_int_equal(pl_registration_cancel(f->store, "petit", "ana@example.org", NULL, &err), 0);
    assert_int_equal(pl_registration_create(f->store, "petit", &in, &again, &change, &err), 0);
    assert_true(change.created);
    assert_string_equal(again->name, "Mallory");
    assert_string_not_equal(again->token, first->token);
    /* update-only: an unknown e-mail or a cancelled registration is refused */
    in.email = "nobody@example.org";
    assert_int_equal(pl_registration_update(f->store, "petit", &in, NULL, NULL, &err),
                     PL_ENOTFOUND);
    assert_int_equal(
        pl_registration_find_email(&stored, f->store, "petit", "nobody@example.org", &err),
        PL_ENOTFOUND);
    pl_registration_free(first);
    pl_registration_free(again);
}

/* Many processes create the same e-mail at once, each on its own
 * connection: exactly one creates, every other gets PL_EEXISTS, and the
 * stored registration is the winner's, as it answered. */
static void concurrent_creates_for_one_email_make_one_registration(void **state)
{
    fixture *f = *state;
    enum { N = 12 };
    char path[128];
    pid_t pids[N];
    int created = 0, exists = 0;
    pl_registration *stored = NULL;
    pl_error err;

    snprintf(path, sizeof(path), "%s", f->path);
    for (int i = 0; i < N; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            pl_store *store = NULL;
            pl_registration in, *out = NULL;
            char name[32], file[160];
            int rc;
            memset(&in, 0, sizeof(in));
            snprintf(name, sizeof(name), "Racer %02d", i);
            in.name = name;
            in.email = "same@example.org";
            if (pl_store_open(&store, path, 0, &err) < 0)
                _exit(3);
            rc = pl_registration_create(store, "petit", &in, &out, NULL, &err);
            if (rc == 0) { /* the winner says what it was told */
                FILE *w;
                snprintf(file, sizeof(file), "%s/winner", f->dir);
                if (!(w = fopen(file, "w")))
                    _exit(3);
                fprintf(w, "%s\n%s\n%s\n", out->name, out->token, out->updated);
                fclose(w);
            }
            pl_registration_free(out);
            pl_store_free(store);
            _exit(rc == 0 ? 0 : rc == PL_EEXISTS ? 1 : 2);
        }
    }
    for (int i = 0; i < N; i++) {
        int st = 0;
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st));
        created += WEXITSTATUS(st) == 0;
        exists += WEXITSTATUS(st) == 1;
    }
    assert_int_equal(created, 1);
    assert_int_equal(exists, N - 1);
    assert_int_equal(
        pl_registration_find_email(&stored, f->store, "petit", "same@example.org", &err), 0);
    {
        char file[160], line[3][200];
        FILE *r;
        snprintf(file, sizeof(file), "%s/winner", f->dir);
        assert_non_null(r = fopen(file, "r"));
        for (int k = 0; k < 3; k++) {
            assert_non_null(fgets(line[k], sizeof(line[k]), r));
            line[k][strcspn(line[k], "\n")] = '\0';
        }
        fclose(r);
        assert_string_equal(stored->name, line[0]);
        assert_string_equal(stored->token, line[1]);
        assert_string_equal(stored->updated, line[2]);
    }
    pl_registration_free(stored);
}

static void erase_cancels_removes_personal_fields_and_keeps_counts(void **state)
{
    fixture *f = *state;
    pl_registration *ana = NULL, **all = NULL;
    pl_registration in;
    char *sessions[1], token[200];
    size_t n = 0;
    pl_error err;

    full_input(&in, sessions);
    assert_int_equal(pl_registration_save(f->store, "petit", &in, &ana, &err), 0);
    pl_registration_free(reg(f, "B", "b@example.org", NULL, 0));
    pl_registration_free(reg(f, "C", "c@example.org", NULL, 0));
    pl_registration_free(reg(f, "D", "d@example.org", NULL, 0)); /* waits: 3 places */
    snprintf(token, sizeof(token), "%s", ana->token);
    assert_int_equal(pl_registration_erase(f->store, token, &err), 0);
    /* the link no longer finds anything; D got Ana's seat */
    assert_int_equal(pl_registration_erase(f->store, token, &err), PL_ENOTFOUND);
    expect_status(f, "d@example.org", PL_REG_CONFIRMED, 0);
    assert_int_equal(pl_registration_list(&all, &n, f->store, "petit", &err), 0);
    assert_int_equal(n, 4);
    assert_string_equal(all[0]->uid, ana->uid);
    assert_int_equal(all[0]->status, PL_REG_CANCELLED);
    assert_string_equal(all[0]->name, "");
    assert_null(strstr(all[0]->email, "ana"));
    assert_null(all[0]->organization);
    assert_null(all[0]->origin);
    assert_null(all[0]->phone);
    assert_null(all[0]->diet);
    assert_false(all[0]->public_list);
    assert_string_not_equal(all[0]->token, token);
    /* what counts keep: travel, seats, meal, sessions */
    assert_int_equal(all[0]->travel, PL_TRAVEL_DRIVE);
    assert_int_equal(all[0]->meal, 1);
    assert_int_equal(all[0]->sessions.count, 1);
    pl_registration_list_free(all, n);
    pl_registration_free(ana);
}

static void purge_waits_for_the_event_to_be_over_and_keeps_statuses(void **state)
{
    fixture *f = *state;
    pl_registration **all = NULL;
    size_t n = 0, count = 9;
    pl_error err;

    pl_registration_free(reg(f, "A", "a@example.org", "a", 0));
    /* "petit" is on 2026-12-10: not over for 0 days unless today is later */
    if (pl_registration_purge(f->store, "petit", 100000, &count, &err) != PL_EINVALID)
        fail_msg("purged an event 100,000 days before it was over: %s", err.msg);
    assert_int_equal(count, 0);
    assert_non_null(strstr(err.msg, "not over for 100000 days"));
    assert_int_equal(pl_registration_purge(f->store, "nope", 0, &count, &err), PL_ENOTFOUND);
    /* the same event, long past */
    {
        char json[2048];
        snprintf(json, sizeof(json), "%s", event_json);
        memcpy(strstr(json, "2026-12-10T09:30"), "2020-12-10T09:30", 16);
        memcpy(strstr(json, "2026-12-10T17:00"), "2020-12-10T17:00", 16);
        th_put_event(f->store, json);
    }
    assert_int_equal(pl_registration_purge(f->store, "petit", 90, &count, &err), 0);
    assert_int_equal(count, 1);
    assert_int_equal(pl_registration_purge(f->store, "petit", 90, &count, &err), 0);
    assert_int_equal(count, 0); /* once */
    assert_int_equal(pl_registration_list(&all, &n, f->store, "petit", &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(all[0]->status, PL_REG_CONFIRMED);
    assert_string_equal(all[0]->name, "");
    assert_int_equal(all[0]->sessions.count, 1);
    pl_registration_list_free(all, n);
    assert_int_equal(pl_registration_purge_due(f->store, &count, &err), 0);
    assert_int_equal(count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(capacity_then_waitlist_in_arrival_order, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(full_session_puts_only_that_session_on_a_waiting_list,
                                        setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(dropping_a_full_session_promotes_who_waits_for_it, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(email_is_case_insensitive_and_updates, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(tokens_are_long_unique_and_find_their_owner, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(list_is_in_arrival_order_with_positions, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(each_visits_in_list_order, setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(bad_input_is_refused, setup, th_db_teardown),
        cmocka_unit_test(checks_and_names),
        cmocka_unit_test_setup_teardown(raised_capacity_is_filled_on_the_next_change, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(update_changes_only_what_is_given, setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(queued_update_keeps_what_is_not_given, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(create_refuses_a_registered_email_and_changes_nothing,
                                        setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(concurrent_creates_for_one_email_make_one_registration,
                                        setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(erase_cancels_removes_personal_fields_and_keeps_counts,
                                        setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(purge_waits_for_the_event_to_be_over_and_keeps_statuses,
                                        setup, th_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
