#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"
#include "test_helpers.h"

/* Two places; workshop "a" and a plenary "p". */
static const char event_json[] =
    "{\"slug\": \"petit\", \"title\": \"Petit\", \"format\": \"online\",\n"
    " \"online_url\": \"https://visio.example.org/x\", \"capacity\": 2,\n"
    " \"start\": \"2026-12-10T09:30\", \"end\": \"2026-12-10T17:00\",\n"
    " \"sessions\": [\n"
    "   {\"id\": \"p\", \"title\": \"Plénière\", \"kind\": \"plenary\", \"start\": \"09:30\",\n"
    "    \"end\": \"10:00\"},\n"
    "   {\"id\": \"a\", \"title\": \"A\", \"kind\": \"workshop\", \"start\": \"10:00\",\n"
    "    \"end\": \"11:00\", \"room\": \"A\"}%s]}\n";

typedef struct fixture {
    char dir[64];
    pl_store *store;
} fixture;

static void put_event(pl_store *store, const char *extra, const char *a_start)
{
    char json[2048], a[64];
    pl_event *ev = NULL;
    pl_error err;

    snprintf(json, sizeof(json), event_json, extra ? extra : "");
    if (a_start) {
        char *at = strstr(json, "\"start\": \"10:00\"");
        assert_non_null(at);
        snprintf(a, sizeof(a), "\"start\": \"%s\"", a_start);
        memcpy(at, a, strlen(a));
    }
    assert_int_equal(pl_event_parse_json_text(&ev, json, strlen(json), "ev.json", &err), 0);
    assert_int_equal(pl_event_save(store, ev, NULL, &err), 0);
    pl_event_free(ev);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    char path[128];
    pl_error err;

    th_tempdir(f->dir, sizeof(f->dir));
    snprintf(path, sizeof(path), "%s/p.db", f->dir);
    assert_int_equal(pl_store_open(&f->store, path, PL_STORE_CREATE, &err), 0);
    put_event(f->store, NULL, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    pl_store_free(f->store);
    th_rmtree(f->dir);
    free(f);
    return 0;
}

static void reg(fixture *f, const char *email, const char *session, int expect_rc)
{
    char *items[1] = {(char *)session};
    pl_registration in;
    pl_error err;

    memset(&in, 0, sizeof(in));
    in.name = "Someone";
    in.email = (char *)email;
    if (session) {
        in.sessions.items = items;
        in.sessions.count = 1;
    }
    assert_int_equal(pl_registration_save(f->store, "petit", &in, NULL, &err), expect_rc);
}

/* The outbox as "email kind" lines, in order. */
static char *outbox(fixture *f)
{
    pl_outbox_message **list = NULL;
    size_t n = 0;
    pl_error err;
    pl_buf b = PL_BUF_INIT;

    assert_int_equal(pl_outbox_list(&list, &n, f->store, NULL, NULL, &err), 0);
    for (size_t i = 0; i < n; i++)
        pl_buf_printf(&b, "%s %s\n", list[i]->to, pl_mail_kind_name(list[i]->kind));
    pl_outbox_list_free(list, n);
    return pl_buf_detach(&b);
}

static void expect_outbox(fixture *f, const char *want)
{
    char *got = outbox(f);
    assert_string_equal(got, want);
    free(got);
}

static void registrations_queue_their_messages(void **state)
{
    fixture *f = *state;
    pl_error err;

    reg(f, "a@example.org", NULL, 0);
    reg(f, "b@example.org", "a", 0);
    reg(f, "c@example.org", NULL, 0);
    /* The same person again, unchanged: nothing new. */
    reg(f, "a@example.org", NULL, 0);
    expect_outbox(f, "a@example.org confirmation\n"
                     "b@example.org confirmation\n"
                     "c@example.org waitlisted\n");
    /* A cancellation promotes c, both in one transaction. */
    assert_int_equal(pl_registration_cancel(f->store, "petit", "a@example.org", NULL, &err), 0);
    assert_int_equal(pl_registration_cancel(f->store, "petit", "a@example.org", NULL, &err), 0);
    expect_outbox(f, "a@example.org confirmation\n"
                     "b@example.org confirmation\n"
                     "c@example.org waitlisted\n"
                     "a@example.org cancellation\n"
                     "c@example.org promotion\n");
    /* Registering again after cancelling is a new arrival: a new message. */
    reg(f, "a@example.org", NULL, 0);
    expect_outbox(f, "a@example.org confirmation\n"
                     "b@example.org confirmation\n"
                     "c@example.org waitlisted\n"
                     "a@example.org cancellation\n"
                     "c@example.org promotion\n"
                     "a@example.org waitlisted\n");
}

static void a_refused_change_leaves_no_message(void **state)
{
    fixture *f = *state;

    reg(f, "a@example.org", NULL, 0);
    reg(f, "b@example.org", NULL, 0);
    /* Unknown session: refused, the transaction rolled back. */
    reg(f, "c@example.org", "nope", PL_EINVALID);
    expect_outbox(f, "a@example.org confirmation\n"
                     "b@example.org confirmation\n");
}

static void enqueue_dedupes_and_ids_are_unique(void **state)
{
    fixture *f = *state;
    pl_outbox_message **list = NULL;
    size_t n = 0;
    pl_error err;

    reg(f, "a@example.org", NULL, 0);
    pl_registration *r = NULL;
    assert_int_equal(pl_registration_find_email(&r, f->store, "petit", "a@example.org", &err), 0);
    assert_int_equal(pl_outbox_enqueue(f->store, r->rowid, PL_MAIL_CARPOOL, "1", "x", &err), 1);
    assert_int_equal(pl_outbox_enqueue(f->store, r->rowid, PL_MAIL_CARPOOL, "1", "y", &err), 0);
    assert_int_equal(pl_outbox_enqueue(f->store, r->rowid, PL_MAIL_CARPOOL, "2", NULL, &err), 1);
    assert_int_equal(pl_outbox_enqueue(f->store, 999, PL_MAIL_CARPOOL, "1", NULL, &err),
                     PL_ENOTFOUND);
    pl_registration_free(r);
    assert_int_equal(pl_outbox_list(&list, &n, f->store, "petit", NULL, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[1]->detail, "x");
    assert_int_equal(strlen(list[0]->message_id), 32);
    assert_string_not_equal(list[0]->message_id, list[1]->message_id);
    assert_string_not_equal(list[1]->message_id, list[2]->message_id);
    pl_outbox_list_free(list, n);
}

static void session_changes_are_grouped_per_person(void **state)
{
    fixture *f = *state;
    pl_outbox_message **list = NULL;
    size_t n = 0;
    pl_error err;

    reg(f, "a@example.org", "a", 0);
    reg(f, "b@example.org", NULL, 0);
    assert_int_equal(pl_setting_set(f->store, "mail.change_delay", "0", &err), 0);
    /* Workshop a moves: only a@ chose it. */
    put_event(f->store, NULL, "10:30");
    /* The plenary is renamed... by adding a session nothing changes; then
     * the workshop is removed: cancelled. */
    put_event(f->store, NULL, "10:30");
    {
        char json[2048];
        pl_event *ev = NULL;
        snprintf(json, sizeof(json),
                 "{\"slug\": \"petit\", \"title\": \"Petit\", \"format\": \"online\",\n"
                 " \"online_url\": \"https://visio.example.org/x\", \"capacity\": 2,\n"
                 " \"start\": \"2026-12-10T09:30\", \"end\": \"2026-12-10T17:00\",\n"
                 " \"sessions\": [{\"id\": \"p\", \"title\": \"Ouverture\", \"kind\": "
                 "\"plenary\", \"start\": \"09:30\", \"end\": \"10:00\"}]}");
        assert_int_equal(pl_event_parse_json_text(&ev, json, strlen(json), "ev.json", &err), 0);
        assert_int_equal(pl_event_save(f->store, ev, NULL, &err), 0);
        pl_event_free(ev);
    }
    expect_outbox(f, "a@example.org confirmation\n"
                     "b@example.org confirmation\n"
                     "a@example.org change\n"
                     "b@example.org change\n");
    assert_int_equal(pl_outbox_list(&list, &n, f->store, NULL, NULL, &err), 0);
    /* a@: moved, then renamed plenary and cancelled workshop, merged. */
    assert_non_null(strstr(list[2]->detail, "\"moved\""));
    assert_non_null(strstr(list[2]->detail, "\"renamed\""));
    assert_non_null(strstr(list[2]->detail, "\"cancelled\""));
    assert_null(strstr(list[3]->detail, "\"moved\""));
    assert_non_null(strstr(list[3]->detail, "\"renamed\""));
    assert_null(strstr(list[3]->detail, "\"cancelled\""));
    /* Once tried, a message takes no more changes: the next is new. */
    assert_int_equal(pl_outbox_mark_sent(f->store, list[3]->id, "2026-01-01T00:00:00Z", &err), 0);
    pl_outbox_list_free(list, n);
    put_event(f->store, NULL, NULL); /* workshop a back, at 10:00 */
    expect_outbox(f, "a@example.org confirmation\n"
                     "b@example.org confirmation\n"
                     "a@example.org change\n"
                     "b@example.org change\n"
                     "b@example.org change\n");
}

static void sending_bookkeeping(void **state)
{
    fixture *f = *state;
    pl_outbox_message **list = NULL, *m = NULL;
    size_t n = 0;
    pl_mail_status failed = PL_MAIL_FAILED;
    pl_error err;

    reg(f, "a@example.org", NULL, 0);
    reg(f, "b@example.org", NULL, 0);
    assert_int_equal(pl_outbox_due(&list, &n, f->store, "2999-01-01T00:00:00Z", 0, 0, &err), 0);
    assert_int_equal(n, 2);
    long long id1 = list[0]->id, id2 = list[1]->id;
    pl_outbox_list_free(list, n);
    assert_int_equal(pl_outbox_mark_retry(f->store, id1, "451 later", "2999-06-01T00:00:00Z", &err),
                     0);
    assert_int_equal(pl_outbox_mark_failed(f->store, id2, "550 no such user", &err), 0);
    assert_int_equal(pl_outbox_due(&list, &n, f->store, "2999-01-01T00:00:00Z", 0, 0, &err), 0);
    assert_int_equal(n, 0);
    pl_outbox_list_free(list, n);
    /* --now: the backoff is ignored; the failed one stays failed. */
    assert_int_equal(pl_outbox_due(&list, &n, f->store, "2999-01-01T00:00:00Z", 1, 0, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0]->attempts, 1);
    assert_string_equal(list[0]->error, "451 later");
    pl_outbox_list_free(list, n);
    assert_int_equal(pl_outbox_list(&list, &n, f->store, "petit", &failed, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0]->error, "550 no such user");
    pl_outbox_list_free(list, n);
    assert_int_equal(pl_outbox_requeue_failed(f->store, &err), 1);
    assert_int_equal(pl_outbox_mark_sent(f->store, id1, "2026-01-01T00:00:00Z", &err), 0);
    assert_int_equal(pl_outbox_requeue(f->store, id1, &err), PL_EINVALID);
    assert_int_equal(pl_outbox_get(&m, f->store, id1, &err), 0);
    assert_int_equal(m->status, PL_MAIL_SENT);
    assert_string_equal(m->sent, "2026-01-01T00:00:00Z");
    pl_outbox_message_free(m);
    assert_int_equal(pl_outbox_get(&m, f->store, 12345, &err), PL_ENOTFOUND);
}

static void announcements_and_reminders(void **state)
{
    fixture *f = *state;
    pl_outbox_message **list = NULL;
    size_t n = 0;
    int days;
    pl_error err;

    reg(f, "a@example.org", NULL, 0);
    reg(f, "b@example.org", NULL, 0);
    reg(f, "c@example.org", NULL, 0); /* waiting */
    assert_int_equal(
        pl_outbox_announce(f->store, "petit", "Salle", "Changement", PL_AUDIENCE_WAITLISTED, &err),
        1);
    assert_int_equal(
        pl_outbox_announce(f->store, "petit", "Tous", "Bonjour", PL_AUDIENCE_ALL, &err), 3);
    assert_int_equal(pl_outbox_announce(f->store, "petit", "", "x", PL_AUDIENCE_ALL, &err),
                     PL_EINVALID);
    assert_int_equal(pl_outbox_announce(f->store, "nope", "s", "x", PL_AUDIENCE_ALL, &err),
                     PL_ENOTFOUND);
    assert_int_equal(pl_outbox_remind(f->store, "petit", "2d:x", NULL, &err), 2);
    assert_int_equal(pl_outbox_remind(f->store, "petit", "2d:x", NULL, &err), 0);
    assert_int_equal(pl_outbox_list(&list, &n, f->store, NULL, NULL, &err), 0);
    assert_int_equal(n, 3 + 1 + 3 + 2);
    assert_string_equal(list[3]->to, "c@example.org");
    assert_string_equal(list[3]->subject, "Salle");
    assert_string_equal(list[3]->body, "Changement");
    assert_null(list[0]->subject);
    pl_outbox_list_free(list, n);
    assert_int_equal(pl_outbox_reminder_days(f->store, "petit", &days, &err), 0);
    assert_int_equal(days, 2);
    assert_int_equal(pl_outbox_set_reminder_days(f->store, "petit", 5, &err), 0);
    assert_int_equal(pl_outbox_reminder_days(f->store, "petit", &days, &err), 0);
    assert_int_equal(days, 5);
    assert_int_equal(pl_outbox_set_reminder_days(f->store, "petit", -1, &err), PL_EINVALID);
}

static void kinds_have_names(void **state)
{
    pl_mail_kind k;
    (void)state;
    for (int i = 0; i < PL_MAIL_KIND_COUNT; i++) {
        assert_int_equal(pl_mail_kind_parse(&k, pl_mail_kind_name((pl_mail_kind)i)), 0);
        assert_int_equal(k, i);
    }
    assert_int_equal(pl_mail_kind_parse(&k, "spam"), PL_EINVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(registrations_queue_their_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(a_refused_change_leaves_no_message, setup, teardown),
        cmocka_unit_test_setup_teardown(enqueue_dedupes_and_ids_are_unique, setup, teardown),
        cmocka_unit_test_setup_teardown(session_changes_are_grouped_per_person, setup, teardown),
        cmocka_unit_test_setup_teardown(sending_bookkeeping, setup, teardown),
        cmocka_unit_test_setup_teardown(announcements_and_reminders, setup, teardown),
        cmocka_unit_test(kinds_have_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
