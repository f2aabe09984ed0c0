/* What the outbox refuses: kinds and statuses that are none, messages and
 * registrations that do not exist, a sent message queued again, reminder
 * delays out of range, a link resent to a cancelled registration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner.h"
#include "store_test.h"
#include "test_helpers.h"

static const char event_json[] =
    "{\"slug\": \"atelier\", \"title\": \"Atelier\", \"format\": \"in_person\",\n"
    " \"venue\": {\"name\": \"Hôtel de Ville\", \"lat\": 48.8566, \"lon\": 2.3522},\n"
    " \"start\": \"2026-12-10T09:30\", \"end\": \"2026-12-10T17:00\", \"sessions\": []}\n";

typedef th_db fixture;

static long long reg(fixture *f, const char *name, const char *email)
{
    pl_registration in;
    pl_error err;
    char msg[1024], sql[200];
    long long id = 0;

    memset(&in, 0, sizeof(in));
    in.name = (char *)name;
    in.email = (char *)email;
    in.origin = "Paris";
    if (pl_registration_save(f->store, "atelier", &in, NULL, &err) != 0)
        fail_msg("%s: %s", email, pl_error_format(&err, msg, sizeof(msg)));
    snprintf(sql, sizeof(sql), "SELECT id FROM registrations WHERE email = '%s'", email);
    assert_int_equal(pl_store_test_query_int(&id, f->store, sql, NULL), 0);
    return id;
}

static long long count(fixture *f, const char *sql)
{
    long long v = -1;
    assert_int_equal(pl_store_test_query_int(&v, f->store, sql, NULL), 0);
    return v;
}

static int setup(void **state)
{
    setenv("PLANNER_NOW", "2026-11-26T10:00:00Z", 1);
    th_db_setup(state);
    th_put_event(((fixture *)*state)->store, event_json);
    return 0;
}

static void kinds_and_statuses_by_name(void **state)
{
    pl_mail_kind k = PL_MAIL_KIND_COUNT;
    pl_mail_status s = PL_MAIL_FAILED;
    (void)state;

    for (int i = 0; i < PL_MAIL_KIND_COUNT; i++) {
        assert_int_equal(pl_mail_kind_parse(&k, pl_mail_kind_name((pl_mail_kind)i)), 0);
        assert_int_equal(k, i);
    }
    assert_string_equal(pl_mail_kind_name(PL_MAIL_KIND_COUNT), "?");
    assert_string_equal(pl_mail_kind_name((pl_mail_kind)-1), "?");
    assert_int_equal(pl_mail_kind_parse(&k, "postcard"), PL_EINVALID);
    assert_int_equal(pl_mail_kind_parse(&k, NULL), PL_EINVALID);
    for (int i = PL_MAIL_QUEUED; i <= PL_MAIL_FAILED; i++) {
        assert_int_equal(pl_mail_status_parse(&s, pl_mail_status_name((pl_mail_status)i)), 0);
        assert_int_equal(s, i);
    }
    assert_string_equal(pl_mail_status_name((pl_mail_status)3), "?");
    assert_int_equal(pl_mail_status_parse(&s, "lost"), PL_EINVALID);
    assert_int_equal(pl_mail_status_parse(&s, NULL), PL_EINVALID);
}

static void messages_for_nobody_or_of_no_kind_are_refused(void **state)
{
    fixture *f = *state;
    long long ana = reg(f, "Ana", "ana@example.org");
    long long before = count(f, "SELECT count(*) FROM outbox");
    pl_outbox_message *m = (pl_outbox_message *)1;
    pl_error err;

    assert_int_equal(pl_outbox_enqueue(f->store, ana, PL_MAIL_KIND_COUNT, "v", NULL, &err),
                     PL_EINVALID);
    assert_non_null(strstr(err.msg, "unknown message kind"));
    assert_int_equal(pl_outbox_enqueue(f->store, ana + 100, PL_MAIL_REMINDER, "v", NULL, &err),
                     PL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no registration"));
    assert_int_equal(count(f, "SELECT count(*) FROM outbox"), before);
    /* once per version: the second is no new message */
    assert_int_equal(pl_outbox_enqueue(f->store, ana, PL_MAIL_REMINDER, "v1", NULL, &err), 1);
    assert_int_equal(pl_outbox_enqueue(f->store, ana, PL_MAIL_REMINDER, "v1", NULL, &err), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox"), before + 1);
    assert_int_equal(pl_outbox_get(&m, f->store, 999999, &err), PL_ENOTFOUND);
    assert_null(m);
    assert_int_equal(pl_outbox_requeue(f->store, 999999, &err), PL_ENOTFOUND);
}

static void a_sent_message_is_not_queued_again_a_failed_one_is(void **state)
{
    fixture *f = *state;
    long long ana = reg(f, "Ana", "ana@example.org"), id;
    pl_outbox_message *m = NULL;
    pl_error err;

    assert_int_equal(pl_outbox_enqueue(f->store, ana, PL_MAIL_REMINDER, "v1", NULL, &err), 1);
    id = count(f, "SELECT max(id) FROM outbox");
    assert_int_equal(pl_outbox_mark_sent(f->store, id, "2026-11-26T10:01:00Z", &err), 0);
    assert_int_equal(pl_outbox_requeue(f->store, id, &err), PL_EINVALID);
    assert_non_null(strstr(err.msg, "was sent already (2026-11-26T10:01:00Z)"));
    assert_int_equal(pl_outbox_get(&m, f->store, id, &err), 0);
    assert_int_equal(m->status, PL_MAIL_SENT);
    pl_outbox_message_free(m);
    /* retried, then failed, then queued again with the others that failed */
    assert_int_equal(pl_outbox_enqueue(f->store, ana, PL_MAIL_REMINDER, "v2", NULL, &err), 1);
    id = count(f, "SELECT max(id) FROM outbox");
    assert_int_equal(pl_outbox_mark_retry(f->store, id, "421 busy", "2026-11-26T10:05:00Z", &err),
                     0);
    assert_int_equal(pl_outbox_mark_failed(f->store, id, "550 no such user", &err), 0);
    assert_int_equal(pl_outbox_get(&m, f->store, id, &err), 0);
    assert_int_equal(m->status, PL_MAIL_FAILED);
    assert_int_equal(m->attempts, 2);
    pl_outbox_message_free(m);
    assert_int_equal(pl_outbox_requeue_failed(f->store, &err), 1); /* how many */
    assert_int_equal(pl_outbox_requeue_failed(f->store, &err), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE status = 'queued' AND kind = "
                              "'reminder'"),
                     1);
    assert_int_equal(pl_outbox_mark_failed(f->store, id, "550 again", &err), 0);
    assert_int_equal(pl_outbox_requeue(f->store, id, &err), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE status = 'queued' AND kind = "
                              "'reminder'"),
                     1);
}

static void reminder_delays_out_of_range_or_for_no_event_are_refused(void **state)
{
    fixture *f = *state;
    pl_error err;
    int days = -1;

    assert_int_equal(pl_outbox_reminder_days(f->store, "atelier", &days, &err), 0);
    assert_int_equal(days, 2); /* the default */
    assert_int_equal(pl_outbox_set_reminder_days(f->store, "atelier", -1, &err), PL_EINVALID);
    assert_string_equal(err.msg, "reminder days must be from 0 to 365, not -1");
    assert_int_equal(pl_outbox_set_reminder_days(f->store, "atelier", 366, &err), PL_EINVALID);
    assert_int_equal(pl_outbox_set_reminder_days(f->store, "nowhere", 3, &err), PL_ENOTFOUND);
    assert_int_equal(pl_outbox_reminder_days(f->store, "atelier", &days, &err), 0);
    assert_int_equal(days, 2);
    assert_int_equal(pl_outbox_set_reminder_days(f->store, "atelier", 0, &err), 0);
    assert_int_equal(pl_outbox_reminder_days(f->store, "atelier", &days, &err), 0);
    assert_int_equal(days, 0);
}

static void a_link_is_resent_to_registrations_that_have_one(void **state)
{
    fixture *f = *state;
    long long ana = reg(f, "Ana", "ana@example.org"), bob = reg(f, "Bob", "bob@example.org");
    long long before;
    pl_error err;

    assert_int_equal(pl_registration_cancel(f->store, "atelier", "bob@example.org", NULL, &err), 0);
    before = count(f, "SELECT count(*) FROM outbox");
    assert_int_equal(pl_outbox_resend_link(f->store, "atelier", bob, &err), PL_EINVALID);
    assert_string_equal(err.msg, "the registration is cancelled: it has no link");
    assert_int_equal(pl_outbox_resend_link(f->store, "elsewhere", ana, &err), PL_ENOTFOUND);
    assert_int_equal(pl_outbox_resend_link(f->store, "atelier", ana + bob + 100, &err),
                     PL_ENOTFOUND);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox"), before);
    assert_int_equal(pl_outbox_resend_link(f->store, "atelier", ana, &err), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'confirmation' AND "
                              "version LIKE 'resend-%'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kinds_and_statuses_by_name),
        cmocka_unit_test_setup_teardown(messages_for_nobody_or_of_no_kind_are_refused, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(a_sent_message_is_not_queued_again_a_failed_one_is, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(reminder_delays_out_of_range_or_for_no_event_are_refused,
                                        setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(a_link_is_resent_to_registrations_that_have_one, setup,
                                        th_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
