#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"
#include "test_helpers.h"

#include <dirent.h>

typedef struct fixture {
    char dir[64];
    pl_store *store;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    char path[512];
    pl_error err;

    th_tempdir(f->dir, sizeof(f->dir));
    snprintf(path, sizeof(path), "%s/p.db", f->dir);
    assert_int_equal(pl_store_open(&f->store, path, PL_STORE_CREATE, &err), 0);
    snprintf(path, sizeof(path), "%s/atelier-cem-2.json", SAMPLES_DIR);
    assert_int_equal(pl_event_import_file(f->store, path, NULL, &err), 0);
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
    assert_int_equal(r->meal, 0);
    assert_null(r->diet);
    assert_null(r->phone);
    assert_int_equal(r->sessions.count, 0);
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

    /* atelier-pdie holds 20: the 21st and 22nd wait, in file order. */
    pl_buf_puts(&text, "Nom;Courriel;Sessions\n");
    for (int i = 0; i < 22; i++)
        pl_buf_printf(&text, "Personne %02d;p%02d@example.org;atelier-pdie\n", i, i);
    th_write(path, sizeof(path), f->dir, "pdie.csv", text.data);
    assert_int_equal(import(f, "atelier-cem-2", path, 0, &rep, &st, &err), 0);
    assert_int_equal(st.waitlisted_rows, 2);
    assert_int_equal(st.event_confirmed, 20);
    assert_int_equal(st.event_waitlisted, 2);
    assert_int_equal(pl_registration_list(&all, &n, f->store, "atelier-cem-2", &err), 0);
    assert_int_equal(n, 22);
    assert_string_equal(all[20]->email, "p20@example.org");
    assert_int_equal(all[20]->waitlist_position, 1);
    assert_int_equal(all[21]->waitlist_position, 2);
    assert_string_equal(all[21]->waitlist_reason, "session 'atelier-pdie' is full (20 places)");
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sample_file_imports_and_reimports_unchanged, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(english_file_updates_and_dry_run_writes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(capacity_applies_to_imported_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_files_report_every_bad_row, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
