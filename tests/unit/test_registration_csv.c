#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"
#include "test_helpers.h"

#include <dirent.h>

typedef th_db fixture;

static int setup(void **state)
{
    int rc = th_db_setup(state);
    fixture *f = *state;
    char path[512];

    snprintf(path, sizeof(path), "%s/atelier-cem-2.json", SAMPLES_DIR);
    assert_int_equal(pl_event_import_file(f->store, path, NULL, NULL), 0);
    return rc;
}

/* Problems and warnings, collected as formatted lines. */
typedef struct reports {
    pl_buf problems, warnings;
    int nproblems, nwarnings;
} reports;

static void on_problem(const pl_error *e, void *payload)
{
    reports *r = payload;
    char buf[1024];
    pl_buf_printf(&r->problems, "%s\n", pl_error_format(e, buf, sizeof(buf)));
    r->nproblems++;
}

static void on_warning(const pl_error *e, void *payload)
{
    reports *r = payload;
    char buf[1024];
    pl_buf_printf(&r->warnings, "%s\n", pl_error_format(e, buf, sizeof(buf)));
    r->nwarnings++;
}

static int import(fixture *f, const char *slug, const char *path, int dry_run, reports *rep,
                  pl_registration_import_stats *st, pl_error *err)
{
    pl_registration_import_opts opts = PL_REGISTRATION_IMPORT_OPTS_INIT;

    opts.dry_run = dry_run;
    opts.on_problem = on_problem;
    opts.on_warning = on_warning;
    opts.payload = rep;
    memset(rep, 0, sizeof(*rep));
    return pl_registration_import_csv(f->store, slug, path, &opts, st, err);
}

static size_t count(fixture *f, const char *slug)
{
    pl_registration **all = NULL;
    size_t n = 0;
    pl_error err;

    assert_int_equal(pl_registration_list(&all, &n, f->store, slug, &err), 0);
    pl_registration_list_free(all, n);
    return n;
}

static void sample_file_imports_and_reimports_unchanged(void **state)
{
    fixture *f = *state;
    pl_registration_import_stats st;
    pl_registration *r = NULL;
    char path[512];
    reports rep;
    pl_error err;

    snprintf(path, sizeof(path), "%s/atelier-cem-2.registrations.csv", SAMPLES_DIR);
    if (import(f, "atelier-cem-2", path, 0, &rep, &st, &err) != 0)
        fail_msg("%s", rep.problems.data ? rep.problems.data : err.msg);
    assert_int_equal(st.rows, 58);
    assert_int_equal(st.created, 58);
    assert_int_equal(st.event_confirmed, 58);
    assert_int_equal(count(f, "atelier-cem-2"), 58);
    /* A French row, quoted fields and all. */
    assert_int_equal(pl_registration_find_email(&r, f->store, "atelier-cem-2",
                                                "CELINE.VASSEUR@example.org", &err),
                     0);
    assert_string_equal(r->name, "Céline Vasseur");
    assert_string_equal(r->organization, "Métropole — direction des mobilités");
    assert_string_equal(r->origin, "45000 Orléans");
    assert_int_equal(r->travel, PL_TRAVEL_DRIVE);
    assert_int_equal(r->seats, 3);
    assert_int_equal(r->meal, 1);
    assert_string_equal(r->diet, "végétarien");
    assert_int_equal(r->public_list, 1);
    assert_int_equal(r->sessions.count, 1);
    assert_string_equal(r->sessions.items[0], "atelier-covoiturage");
    pl_registration_free(r);
    assert_int_equal(pl_registration_find_email(&r, f->store, "atelier-cem-2",
                                                "isabelle.caron@example.net", &err),
                     0);
    assert_string_equal(r->organization, "Mobilité & Territoires; bureau d'études");
    assert_int_equal(r->public_list, 0);
    pl_registration_free(r);

    assert_int_equal(import(f, "atelier-cem-2", path, 0, &rep, &st, &err), 0);
    assert_int_equal(st.rows, 58);
    assert_int_equal(st.created, 0);
    assert_int_equal(st.updated, 0);
    assert_int_equal(st.unchanged, 58);
    assert_int_equal(count(f, "atelier-cem-2"), 58);
    pl_buf_free(&rep.problems);
}

static void english_file_updates_and_dry_run_writes_nothing(void **state)
{
    fixture *f = *state;
    pl_registration_import_stats st;
    pl_registration *r = NULL;
    char path[512];
    reports rep;
    pl_error err;

    th_write(path, sizeof(path), f->dir, "en.csv",
             "email,First name,Name,travel,seats,origin,Public,Meal,Diet,sessions,phone\n"
             "ana.silva@example.org,Ana,Silva,Driver,2,\"Nantes, 44000\",yes,Y,vegan,"
             " atelier-pdie | forum-ouvert ,+33 6 12 34 56 78\n"
             "b.ferreira@example.org,Bruno,Ferreira,ride,,44300 Nantes,no,no,halal,,\n"
             ",,,,,,,,,,\n"
             "ANA.SILVA@example.org,Ana,Silva,flexible,3,Nantes,yes,,,,\n");
    assert_int_equal(import(f, "atelier-cem-2", path, 1, &rep, &st, &err), 0);
    assert_int_equal(st.rows, 3);
    assert_int_equal(st.created, 2);
    assert_int_equal(st.updated, 1);
    assert_int_equal(st.duplicates, 1);
    assert_int_equal(rep.nwarnings, 1);
    assert_non_null(strstr(rep.warnings.data, "en.csv:5: email: ANA.SILVA@example.org is also "
                                              "on an earlier line"));
    assert_int_equal(count(f, "atelier-cem-2"), 0);
    pl_buf_free(&rep.warnings);

    assert_int_equal(import(f, "atelier-cem-2", path, 0, &rep, &st, &err), 0);
    assert_int_equal(count(f, "atelier-cem-2"), 2);
    assert_int_equal(
        pl_registration_find_email(&r, f->store, "atelier-cem-2", "ana.silva@example.org", &err),
        0);
    assert_string_equal(r->name, "Ana Silva");
    assert_string_equal(r->email, "ANA.SILVA@example.org");
    assert_int_equal(r->travel, PL_TRAVEL_FLEXIBLE);
    assert_int_equal(r->seats, 3);
    /* the later row's empty cells left the earlier row's values */
    assert_int_equal(r->meal, 1);
    assert_string_equal(r->diet, "vegan");
    assert_string_equal(r->phone, "+33 6 12 34 56 78");
    assert_int_equal(r->sessions.count, 2);
    pl_registration_free(r);
    assert_int_equal(
        pl_registration_find_email(&r, f->store, "atelier-cem-2", "b.ferreira@example.org", &err),
        0);
    assert_int_equal(r->public_list, 0);
    assert_null(r->diet); /* no meal, no diet */
    pl_registration_free(r);
    pl_buf_free(&rep.warnings);

    assert_int_equal(import(f, "nope", path, 0, &rep, &st, &err), PL_ENOTFOUND);
    assert_int_equal(import(f, "atelier-cem-2", "/nonexistent.csv", 0, &rep, &st, &err), PL_EIO);
}

/* The list's CSV output imports back as the same registrations. */
static void capacity_applies_to_imported_rows(void **state)
{
    fixture *f = *state;
    pl_registration_import_stats st;
    pl_buf text = PL_BUF_INIT;
    pl_registration **all = NULL;
    size_t n = 0;
    char path[512];
    reports rep;
    pl_error err;

    /* atelier-pdie holds 20: the 21st and 22nd are in the event (60
     * places) and wait for that workshop only, in file order. */
    pl_buf_puts(&text, "Nom;Courriel;Sessions\n");
    for (int i = 0; i < 22; i++)
        pl_buf_printf(&text, "Personne %02d;p%02d@example.org;atelier-pdie\n", i, i);
    th_write(path, sizeof(path), f->dir, "pdie.csv", text.data);
    assert_int_equal(import(f, "atelier-cem-2", path, 0, &rep, &st, &err), 0);
    assert_int_equal(st.waitlisted_rows, 0);
    assert_int_equal(st.event_confirmed, 22);
    assert_int_equal(st.event_waitlisted, 0);
    assert_int_equal(pl_registration_list(&all, &n, f->store, "atelier-cem-2", &err), 0);
    assert_int_equal(n, 22);
    assert_string_equal(all[20]->email, "p20@example.org");
    assert_int_equal(all[19]->session_waiting[0], 0);
    assert_int_equal(all[20]->status, PL_REG_CONFIRMED);
    assert_int_equal(all[20]->session_waiting[0], 1);
    assert_int_equal(all[21]->session_waiting[0], 2);
    assert_null(all[21]->waitlist_reason);
    pl_registration_list_free(all, n);
    pl_buf_free(&text);
}

/* Every tests/data/bad-registrations/CASE.csv is refused: exactly the
 * problems of CASE.expect are reported (FILE:LINE: column: ...), and nothing
 * is imported. */
static void bad_files_report_every_bad_row(void **state)
{
    fixture *f = *state;
    char dir[512];
    struct dirent *de;
    int cases = 0;
    DIR *d;

    snprintf(dir, sizeof(dir), "%s/bad-registrations", TEST_DATA_DIR);
    assert_non_null(d = opendir(dir));
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        char path[1024], expect_path[1024], want[1200];
        pl_registration_import_stats st;
        char *expect, *line, *save = NULL;
        int expected = 0;
        reports rep;
        pl_error err;

        if (n < 5 || strcmp(de->d_name + n - 4, ".csv") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        snprintf(expect_path, sizeof(expect_path), "%s/%.*s.expect", dir, (int)(n - 4), de->d_name);
        assert_non_null(expect = th_read(expect_path, NULL));
        for (int dry = 0; dry < 2; dry++) {
            int rc = import(f, "atelier-cem-2", path, dry, &rep, &st, &err);
            if (rc != PL_EINVALID)
                fail_msg("%s: returned %d, not PL_EINVALID", de->d_name, rc);
            assert_int_equal(count(f, "atelier-cem-2"), 0);
            assert_int_equal(st.problems, (size_t)rep.nproblems);
            /* err holds the first problem and the total. */
            assert_string_equal(err.file, path);
            assert_non_null(strstr(err.msg, "nothing was imported"));
            if (dry)
                break;
            expected = 0;
            char *copy = strdup(expect);
            for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                snprintf(want, sizeof(want), "%s%s", path, line);
                if (!strstr(rep.problems.data ? rep.problems.data : "", want))
                    fail_msg("%s: no problem\n  %s\nin\n%s", de->d_name, want,
                             rep.problems.data ? rep.problems.data : "(none)");
                expected++;
            }
            free(copy);
            if (rep.nproblems != expected)
                fail_msg("%s: %d problems reported, %d expected:\n%s", de->d_name, rep.nproblems,
                         expected, rep.problems.data);
            pl_buf_free(&rep.problems);
        }
        pl_buf_free(&rep.problems);
        pl_buf_free(&rep.warnings);
        free(expect);
        cases++;
    }
    closedir(d);
    assert_true(cases >= 25);
}

/* ---- the grouped writes (pl_registration_batch_queue) ---- */

/* An event whose capacities are reached in the middle of a group of 64:
 * 150 places, session a 30, b no limit of its own, c 5. */
static const char grp_event[] =
    "{\"slug\": \"grp\", \"title\": \"Groups\", \"format\": \"in_person\", "
    "\"timezone\": \"Europe/Paris\", \"start\": \"2026-12-10T09:30\", "
    "\"end\": \"2026-12-10T17:00\", \"venue\": {\"name\": \"Salle\", \"lat\": 48.85, "
    "\"lon\": 2.35}, \"capacity\": 150, \"status\": \"published\", \"sessions\": ["
    "{\"id\": \"a\", \"title\": \"A\", \"kind\": \"workshop\", \"start\": \"11:00\", "
    "\"end\": \"12:30\", \"room\": \"1\", \"capacity\": 30},"
    "{\"id\": \"b\", \"title\": \"B\", \"kind\": \"workshop\", \"start\": \"14:00\", "
    "\"end\": \"15:00\", \"room\": \"2\"},"
    "{\"id\": \"c\", \"title\": \"C\", \"kind\": \"workshop\", \"start\": \"15:00\", "
    "\"end\": \"16:00\", \"room\": \"3\", \"capacity\": 5}]}";

static pl_store *grp_store(fixture *f, const char *name)
{
    pl_store *store = NULL;
    char path[512];
    pl_error err;

    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    assert_int_equal(pl_store_open(&store, path, PL_STORE_CREATE, &err), 0);
    th_write(path, sizeof(path), f->dir, "grp.json", grp_event);
    if (pl_event_import_file(store, path, NULL, &err) != 0)
        fail_msg("%s", err.msg);
    return store;
}

static void grp_register(pl_store *store, const char *name, const char *email, const char *session)
{
    pl_registration r;
    char *items[1] = {(char *)session};
    pl_error err;

    memset(&r, 0, sizeof(r));
    r.name = (char *)name;
    r.email = (char *)email;
    r.sessions.items = items;
    r.sessions.count = session ? 1 : 0;
    if (pl_registration_save(store, "grp", &r, NULL, &err) != 0)
        fail_msg("%s: %s", email, err.msg);
}

/* People registered before the file: two confirmed (one in c), one who
 * cancelled. */
static void grp_before(pl_store *store)
{
    pl_error err;

    grp_register(store, "Ancienne Une", "old1@example.org", NULL);
    grp_register(store, "Ancien Deux", "old2@example.org", "c");
    grp_register(store, "Ancien Trois", "old3@example.org", NULL);
    assert_int_equal(pl_registration_cancel(store, "grp", "old3@example.org", NULL, &err), 0);
}

/* Row i of the mixed file: its e-mail and sessions. Most are new; some
 * name people registered before (other case), some repeat an e-mail a few
 * rows up (same group: the later row wins) or far up (an earlier group).
 * Those updates leave their sessions, which promotes people waiting. */
static void grp_row(int i, char *email, size_t size, const char **sessions)
{
    *sessions = "";
    if (i % 37 == 5)
        snprintf(email, size, "OLD%d@Example.org", 1 + (i / 37) % 3);
    else if (i % 23 == 7)
        snprintf(email, size, "P%03d@EXAMPLE.ORG", i - 3);
    else if (i % 61 == 0 && i > 70)
        snprintf(email, size, "p%03d@example.org", i - 70);
    else {
        snprintf(email, size, "p%03d@example.org", i);
        *sessions = i % 7 == 0 ? "a|b" : i % 5 == 0 ? "c" : i % 3 == 0 ? "a" : "";
    }
}

/* The same rows saved one by one with pl_registration_save. */
static void grp_save_one_by_one(pl_store *store, int nrows)
{
    for (int i = 0; i < nrows; i++) {
        char email[64], name[64], *items[2], buf[8];
        const char *sessions;
        pl_registration r;
        pl_error err;

        grp_row(i, email, sizeof(email), &sessions);
        snprintf(name, sizeof(name), "Personne %03d", i);
        memset(&r, 0, sizeof(r));
        r.name = name;
        r.email = email;
        snprintf(buf, sizeof(buf), "%s", sessions);
        if (buf[0]) {
            char *bar = strchr(buf, '|');
            items[r.sessions.count++] = buf;
            if (bar) {
                *bar = '\0';
                items[r.sessions.count++] = bar + 1;
            }
        }
        r.sessions.items = items;
        /* as the import reads the file: the columns it lacks, and an empty
         * sessions cell, leave what is stored */
        r.keep = PL_REG_FIELD_ALL & ~(unsigned)PL_REG_FIELD_NAME;
        if (buf[0])
            r.keep &= ~(unsigned)PL_REG_FIELD_SESSIONS;
        if (pl_registration_save(store, "grp", &r, NULL, &err) != 0)
            fail_msg("row %d: %s", i, err.msg);
    }
}

static void assert_same_registrations(pl_store *a, pl_store *b)
{
    pl_registration **ra = NULL, **rb = NULL;
    size_t na = 0, nb = 0;
    pl_error err;

    assert_int_equal(pl_registration_list(&ra, &na, a, "grp", &err), 0);
    assert_int_equal(pl_registration_list(&rb, &nb, b, "grp", &err), 0);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_string_equal(ra[i]->email, rb[i]->email);
        assert_string_equal(ra[i]->name, rb[i]->name);
        assert_int_equal(ra[i]->status, rb[i]->status);
        assert_int_equal(ra[i]->waitlist_position, rb[i]->waitlist_position);
        if (ra[i]->waitlist_reason || rb[i]->waitlist_reason)
            assert_string_equal(ra[i]->waitlist_reason, rb[i]->waitlist_reason);
        assert_int_equal(ra[i]->sessions.count, rb[i]->sessions.count);
        for (size_t k = 0; k < ra[i]->sessions.count; k++) {
            assert_string_equal(ra[i]->sessions.items[k], rb[i]->sessions.items[k]);
            assert_int_equal(ra[i]->session_waiting[k], rb[i]->session_waiting[k]);
        }
        assert_int_equal(strlen(ra[i]->token), 2 * PL_REG_TOKEN_BYTES);
    }
    pl_registration_list_free(ra, na);
    pl_registration_list_free(rb, nb);
}

static void grouped_import_matches_saving_row_by_row(void **state)
{
    fixture *f = *state;
    pl_store *a = grp_store(f, "a.db"), *b = grp_store(f, "b.db");
    pl_registration_import_stats st;
    pl_buf text = PL_BUF_INIT;
    pl_registration *r = NULL;
    char path[512];
    reports rep;
    pl_error err;
    size_t expect_dups = 0, old_rows = 0;
    const int nrows = 300; /* four groups and a partial one */

    grp_before(a);
    grp_before(b);
    pl_buf_puts(&text, "Nom;Courriel;Sessions\n");
    for (int i = 0; i < nrows; i++) {
        char email[64];
        const char *sessions;
        grp_row(i, email, sizeof(email), &sessions);
        pl_buf_printf(&text, "Personne %03d;%s;%s\n", i, email, sessions);
        if (i % 37 == 5)
            old_rows++;
        else if (i % 23 == 7 || (i % 61 == 0 && i > 70))
            expect_dups++;
    }
    th_write(path, sizeof(path), f->dir, "mixed.csv", text.data);
    memset(&rep, 0, sizeof(rep));
    {
        pl_registration_import_opts opts = PL_REGISTRATION_IMPORT_OPTS_INIT;
        opts.on_problem = on_problem;
        opts.on_warning = on_warning;
        opts.payload = &rep;
        if (pl_registration_import_csv(a, "grp", path, &opts, &st, &err) != 0)
            fail_msg("%s", rep.problems.data ? rep.problems.data : err.msg);
    }
    grp_save_one_by_one(b, nrows);

    assert_int_equal(st.rows, nrows);
    assert_int_equal(st.duplicates, expect_dups);
    assert_int_equal(rep.nwarnings, (int)expect_dups);
    assert_non_null(strstr(rep.warnings.data, "mixed.csv:9: email: P004@EXAMPLE.ORG is also on "
                                              "an earlier line; this row replaces that one"));
    assert_int_equal(st.created + st.updated + st.unchanged, nrows);
    assert_int_equal(st.event_confirmed, 150);
    assert_int_equal(st.event_confirmed + st.event_waitlisted, nrows - expect_dups - old_rows + 3);
    assert_same_registrations(a, b);

    /* The later row won; people registered before were updated in place,
     * the one who had cancelled came back at the end of the line. */
    assert_int_equal(pl_registration_find_email(&r, a, "grp", "p004@example.org", &err), 0);
    assert_string_equal(r->name, "Personne 007");
    assert_string_equal(r->email, "P004@EXAMPLE.ORG");
    pl_registration_free(r);
    assert_int_equal(pl_registration_find_email(&r, a, "grp", "old3@example.org", &err), 0);
    assert_int_not_equal(r->status, PL_REG_CANCELLED);
    pl_registration_free(r);

    pl_buf_free(&rep.problems);
    pl_buf_free(&rep.warnings);
    pl_buf_free(&text);
    pl_store_free(a);
    pl_store_free(b);
}

static void grouped_rows_fill_capacities_in_file_order(void **state)
{
    fixture *f = *state;
    pl_store *a = grp_store(f, "a.db");
    pl_registration_import_stats st;
    pl_buf text = PL_BUF_INIT;
    pl_registration **all = NULL;
    size_t n = 0;
    char path[512];
    reports rep;
    pl_error err;

    /* 200 new people: the 150th place goes in the third group of 64; c
     * (5 places) fills within the first group, a (30) in the second. */
    pl_buf_puts(&text, "Nom;Courriel;Sessions\n");
    for (int i = 0; i < 200; i++)
        pl_buf_printf(&text, "Personne %03d;q%03d@example.org;%s\n", i, i,
                      i % 10 == 1 ? "c"
                      : i % 2     ? "a"
                                  : "b");
    th_write(path, sizeof(path), f->dir, "cap.csv", text.data);
    memset(&rep, 0, sizeof(rep));
    {
        pl_registration_import_opts opts = PL_REGISTRATION_IMPORT_OPTS_INIT;
        opts.on_problem = on_problem;
        opts.payload = &rep;
        if (pl_registration_import_csv(a, "grp", path, &opts, &st, &err) != 0)
            fail_msg("%s", rep.problems.data ? rep.problems.data : err.msg);
    }
    assert_int_equal(st.created, 200);
    assert_int_equal(pl_registration_list(&all, &n, a, "grp", &err), 0);
    assert_int_equal(n, 200);
    {
        int confirmed = 0, in_a = 0, in_c = 0, line_a = 0, line_c = 0, waiting = 0;
        for (size_t i = 0; i < n; i++) {
            char email[64];
            const char *s = all[i]->sessions.items[0];
            int is_a = strcmp(s, "a") == 0, is_c = strcmp(s, "c") == 0;
            snprintf(email, sizeof(email), "q%03zu@example.org", i);
            assert_string_equal(all[i]->email, email); /* arrival order is file order */
            if (confirmed < 150) { /* in the event; seated or in line, in file order */
                assert_int_equal(all[i]->status, PL_REG_CONFIRMED);
                confirmed++;
                if (is_a && in_a < 30)
                    in_a++, assert_int_equal(all[i]->session_waiting[0], 0);
                else if (is_a)
                    assert_int_equal(all[i]->session_waiting[0], ++line_a);
                else if (is_c && in_c < 5)
                    in_c++, assert_int_equal(all[i]->session_waiting[0], 0);
                else if (is_c)
                    assert_int_equal(all[i]->session_waiting[0], ++line_c);
                else
                    assert_int_equal(all[i]->session_waiting[0], 0);
            } else {
                assert_int_equal(all[i]->status, PL_REG_WAITLISTED);
                assert_int_equal(all[i]->waitlist_position, ++waiting);
                assert_int_equal(all[i]->session_waiting[0], 0);
            }
        }
        assert_true(line_a > 0 && line_c > 0);
        assert_int_equal(in_c, 5);
        assert_int_equal(in_a, 30);
        assert_int_equal(st.event_confirmed, confirmed);
    }
    pl_registration_list_free(all, n);

    /* Imported again: all of them known, nothing changes, no one added. */
    {
        pl_registration_import_opts opts = PL_REGISTRATION_IMPORT_OPTS_INIT;
        opts.on_problem = on_problem;
        opts.payload = &rep;
        if (pl_registration_import_csv(a, "grp", path, &opts, &st, &err) != 0)
            fail_msg("%s", rep.problems.data ? rep.problems.data : err.msg);
    }
    assert_int_equal(st.created, 0);
    assert_int_equal(st.unchanged, 200);
    {
        pl_registration **again = NULL;
        size_t m = 0;
        assert_int_equal(pl_registration_list(&again, &m, a, "grp", &err), 0);
        assert_int_equal(m, 200);
        pl_registration_list_free(again, m);
    }
    pl_buf_free(&rep.problems);
    pl_buf_free(&text);
    pl_store_free(a);
}

static void grouped_row_that_updates_into_a_full_session_joins_its_line(void **state)
{
    fixture *f = *state;
    pl_store *a = grp_store(f, "a.db");
    pl_registration_import_stats st;
    pl_buf text = PL_BUF_INIT;
    char path[512], expect[2048];
    reports rep;
    pl_error err;

    /* old1 is confirmed without sessions. The file fills c, then old1 asks
     * for c among new people (a group that cannot be written whole: old1
     * joins the line of c), then a bad row: reported, nothing imported. */
    grp_register(a, "Ancienne Une", "old1@example.org", NULL);
    pl_buf_puts(&text, "Nom;Courriel;Sessions\n");
    for (int i = 0; i < 5; i++)
        pl_buf_printf(&text, "Personne %d;c%d@example.org;c\n", i, i);
    pl_buf_puts(&text, "Personne 5;c5@example.org;\n"
                       "Ancienne Une;Old1@example.org;c\n"
                       "Personne 7;c7@example.org;b\n"
                       "Personne 8;pas-une-adresse;b\n");
    th_write(path, sizeof(path), f->dir, "full.csv", text.data);
    memset(&rep, 0, sizeof(rep));
    {
        pl_registration_import_opts opts = PL_REGISTRATION_IMPORT_OPTS_INIT;
        opts.on_problem = on_problem;
        opts.payload = &rep;
        assert_int_equal(pl_registration_import_csv(a, "grp", path, &opts, &st, &err), PL_EINVALID);
    }
    snprintf(expect, sizeof(expect), "%s:10: email: \"pas-une-adresse\" is not an e-mail address\n",
             path);
    assert_string_equal(rep.problems.data, expect);
    assert_int_equal(st.bad_rows, 1);
    {
        pl_registration **all = NULL;
        size_t n = 0;
        assert_int_equal(pl_registration_list(&all, &n, a, "grp", &err), 0);
        assert_int_equal(n, 1);
        pl_registration_list_free(all, n);
    }
    pl_buf_free(&rep.problems);
    pl_buf_free(&text);
    pl_store_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sample_file_imports_and_reimports_unchanged, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(english_file_updates_and_dry_run_writes_nothing, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(capacity_applies_to_imported_rows, setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(bad_files_report_every_bad_row, setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(grouped_import_matches_saving_row_by_row, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(grouped_rows_fill_capacities_in_file_order, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(grouped_row_that_updates_into_a_full_session_joins_its_line,
                                        setup, th_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
