/*
 * test_faults.c - the error paths nobody runs: every allocation that can
 * fail, a writer that holds the lock, a full disk. Over the event import,
 * a registration (new, updated, and a cancellation that promotes someone),
 * the CSV import, the carpool plan, a workshop ranking (set and cleared),
 * the allocation of workshops, an announcement and a reminder (these two
 * allocate nothing in the core: SQL alone), each fault must give the right
 * code and leave
 * the database exactly as it was (a dump of every table, compared).
 *
 * Allocations: the program is linked with -Wl,--wrap=malloc,... so that
 * every allocation made by the core's code goes through a counter; a run
 * fails the Nth one, for N = 1, 2, ... until a run needs fewer than N. The
 * libraries' own allocations are not counted: SQLite reports its failures
 * as SQLite errors (tested below through the lock and the page limit), and
 * jansson reports an allocation failure inside its lexer as a syntax error,
 * which no caller can tell apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"
#include "store_test.h"
#include "test_helpers.h"

/* ---- the failing allocator ---- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);

static long alloc_count; /* allocations since the run started */
static long fail_at;     /* fail this one (1-based); 0: never */

static int alloc_fails(void)
{
    if (!fail_at)
        return 0;
    return ++alloc_count == fail_at;
}

void *__wrap_malloc(size_t size)
{
    return alloc_fails() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return alloc_fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return alloc_fails() ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
    return alloc_fails() ? NULL : __real_strdup(s);
}

/* ---- the operations under test, on a prepared database ---- */

static const char event_json[] =
    "{\"slug\": \"atelier\", \"title\": \"Atelier\", \"format\": \"in_person\",\n"
    " \"venue\": {\"name\": \"Hôtel de Ville\", \"lat\": 48.8566, \"lon\": 2.3522},\n"
    " \"start\": \"2026-12-10T09:30\", \"end\": \"2026-12-10T17:00\", \"capacity\": 3,\n"
    " \"speakers\": [{\"id\": \"cb\", \"name\": \"Claire Bernard\", \"bio\": \"Urbaniste.\"}],\n"
    " \"sessions\": [{\"id\": \"a\", \"title\": \"A\", \"kind\": \"talk\", \"start\": \"09:30\",\n"
    "    \"end\": \"10:30\", \"room\": \"A\", \"speakers\": [\"cb\"]},\n"
    "   {\"id\": \"b\", \"title\": \"B\", \"kind\": \"workshop\", \"start\": \"10:30\",\n"
    "    \"end\": \"12:00\", \"room\": \"A\", \"capacity\": 2}]}\n";

/* The same event edited: a session moved, one removed, one added. */
static const char event_update_json[] =
    "{\"slug\": \"atelier\", \"title\": \"Atelier (nouvelle date)\", \"format\": \"in_person\",\n"
    " \"venue\": {\"name\": \"Hôtel de Ville\", \"lat\": 48.8566, \"lon\": 2.3522},\n"
    " \"start\": \"2026-12-10T09:30\", \"end\": \"2026-12-10T17:00\", \"capacity\": 3,\n"
    " \"sessions\": [{\"id\": \"a\", \"title\": \"A\", \"kind\": \"talk\", \"start\": \"09:45\",\n"
    "    \"end\": \"10:30\", \"room\": \"B\"},\n"
    "   {\"id\": \"c\", \"title\": \"C\", \"kind\": \"forum\", \"start\": \"14:00\",\n"
    "    \"end\": \"15:00\"}]}\n";

static const char csv_text[] =
    "Nom;Courriel;Structure;Commune;Mode;Places;Repas;Régime;Liste publique;Sessions\n"
    "Céline Vasseur;celine@example.org;Métropole;45000 Orléans;conducteur;3;oui;végétarien;oui;a\n"
    "Jean Le Goff;jean@example.org;CCI;Chartres;passager;;non;;non;a|b\n"
    "Sandrine Poulain;sandrine@example.org;;Dreux (28);aucun;;oui;;oui;\n"
    "Paul Martin;paul@example.org;;Versailles;passager;;non;;non;b\n";

typedef struct fixture {
    th_db db;
    char event_file[160];
    char update_file[160];
    char csv_file[160];
} fixture;

typedef int (*op_fn)(fixture *f, pl_error *err);

static void reg(fixture *f, const char *name, const char *email, const char *origin,
                pl_travel travel, int seats, const char *session)
{
    pl_registration in;
    pl_error err;

    memset(&in, 0, sizeof(in));
    in.name = (char *)name;
    in.email = (char *)email;
    in.origin = (char *)origin;
    in.travel = travel;
    in.seats = seats;
    if (session) {
        in.sessions.items = (char **)&session;
        in.sessions.count = 1;
    }
    if (pl_registration_save(f->db.store, "atelier", &in, NULL, &err) != 0)
        fail_msg("%s: %s", email, err.msg);
}

/* Databases with pages of 512 bytes (for the full-disk test): almost any
 * write then needs a new page. */
static int small_pages;

static void prepare(fixture *f)
{
    if (small_pages) {
        char sql[96];
        th_tempdir(f->db.dir, sizeof(f->db.dir));
        snprintf(f->db.path, sizeof(f->db.path), "%s/planner.db", f->db.dir);
        snprintf(sql, sizeof(sql), "PRAGMA page_size = 512; PRAGMA application_id = %d",
                 PL_APPLICATION_ID);
        assert_int_equal(pl_store_test_exec_file(f->db.path, sql, NULL), 0);
        assert_int_equal(pl_store_open(&f->db.store, f->db.path, 0, NULL), 0);
    } else {
        th_db_open(&f->db);
    }
    th_write(f->event_file, sizeof(f->event_file), f->db.dir, "event.json", event_json);
    th_write(f->update_file, sizeof(f->update_file), f->db.dir, "update.json", event_update_json);
    th_write(f->csv_file, sizeof(f->csv_file), f->db.dir, "regs.csv", csv_text);
}

/* A database with the event and four people, one of them waiting. */
static void prepare_with_people(fixture *f)
{
    prepare(f);
    th_put_event(f->db.store, event_json);
    reg(f, "Ana Driver", "ana@example.org", "Versailles", PL_TRAVEL_DRIVE, 3, "a");
    reg(f, "Bob Rider", "bob@example.org", "Saint-Denis", PL_TRAVEL_RIDE, 0, "b");
    reg(f, "Cleo Rider", "cleo@example.org", "92100", PL_TRAVEL_RIDE, 0, NULL);
    reg(f, "Dan Waiting", "dan@example.org", "Paris", PL_TRAVEL_RIDE, 0, NULL);
}

static int op_event_import(fixture *f, pl_error *err)
{
    return pl_event_import_file(f->db.store, f->event_file, NULL, err);
}

static int op_event_update(fixture *f, pl_error *err)
{
    return pl_event_import_file(f->db.store, f->update_file, NULL, err);
}

static int op_register(fixture *f, pl_error *err)
{
    pl_registration in, *out = NULL;
    char *sessions[] = {"a", "b"};
    int rc;

    memset(&in, 0, sizeof(in));
    in.name = "Eve Nouvelle";
    in.email = "eve@example.org";
    in.organization = "Mairie";
    in.origin = "Orléans";
    in.travel = PL_TRAVEL_FLEXIBLE;
    in.seats = 2;
    in.meal = 1;
    in.sessions.items = sessions;
    in.sessions.count = 2;
    rc = pl_registration_save(f->db.store, "atelier", &in, &out, err);
    pl_registration_free(out);
    return rc;
}

static int op_cancel(fixture *f, pl_error *err)
{
    return pl_registration_cancel(f->db.store, "atelier", "ana@example.org", NULL, err);
}

static int op_csv_import(fixture *f, pl_error *err)
{
    return pl_registration_import_csv(f->db.store, "atelier", f->csv_file, NULL, NULL, err);
}

static int op_carpool_plan(fixture *f, pl_error *err)
{
    pl_carpool_saved_plan *plan = NULL;
    int rc = pl_carpool_plan_event(&plan, f->db.store, "atelier", NULL, err);

    pl_carpool_saved_plan_free(plan);
    return rc;
}

/* The people above, two of them ranking the workshop "b". */
static void prepare_with_ranks(fixture *f)
{
    char *b[] = {"b"};
    pl_strlist ranked = {b, 1};
    pl_error err;

    prepare_with_people(f);
    if (pl_ranks_set(f->db.store, "atelier", "cleo@example.org", &ranked, &err) != 0 ||
        pl_ranks_set(f->db.store, "atelier", "dan@example.org", &ranked, &err) != 0)
        fail_msg("ranks: %s", err.msg);
}

static int op_ranks_set(fixture *f, pl_error *err)
{
    char *b[] = {"b"};
    pl_strlist ranked = {b, 1};

    return pl_ranks_set(f->db.store, "atelier", "ana@example.org", &ranked, err);
}

static int op_ranks_clear(fixture *f, pl_error *err)
{
    return pl_ranks_clear(f->db.store, "atelier", "cleo@example.org", "10:30", err);
}

static int op_allocate(fixture *f, pl_error *err)
{
    pl_allocation *a = NULL;
    int rc = pl_sessions_allocate(&a, f->db.store, "atelier", 0, err);

    pl_allocation_free(a);
    return rc;
}

static int op_update(fixture *f, pl_error *err)
{
    pl_registration in, *out = NULL;
    pl_registration_change change;
    int rc;

    memset(&in, 0, sizeof(in));
    in.email = "bob@example.org";
    in.keep = PL_REG_FIELD_ALL & ~(unsigned)(PL_REG_FIELD_ORIGIN | PL_REG_FIELD_SESSIONS);
    in.origin = "Lyon";
    rc = pl_registration_update(f->db.store, "atelier", &in, &out, &change, err);
    pl_registration_free(out);
    return rc;
}

static int op_announce(fixture *f, pl_error *err)
{
    int rc = pl_outbox_announce(f->db.store, "atelier", "Salle changée",
                                "L'atelier a lieu salle B.", PL_AUDIENCE_ALL, err);
    return rc < 0 ? rc : 0;
}

static int op_remind(fixture *f, pl_error *err)
{
    int rc = pl_outbox_remind(f->db.store, "atelier", "2d:2026-12-10T09:30", "2d", err);
    return rc < 0 ? rc : 0;
}

typedef struct op_case {
    const char *name;
    void (*prepare)(fixture *f);
    op_fn op;
    int grows;     /* needs new pages (a cancellation rewrites rows in place) */
    int allocates; /* allocates in the core (some write with SQL alone) */
} op_case;

static const op_case cases[] = {
    {"event import", prepare, op_event_import, 1, 1},
    {"event update", prepare_with_people, op_event_update, 1, 1},
    {"registration", prepare_with_people, op_register, 1, 1},
    {"cancellation with promotion", prepare_with_people, op_cancel, 0, 1},
    {"CSV import", prepare_with_people, op_csv_import, 1, 1},
    {"carpool plan", prepare_with_people, op_carpool_plan, 1, 1},
    {"workshop ranking", prepare_with_people, op_ranks_set, 0, 1},
    {"ranking cleared", prepare_with_ranks, op_ranks_clear, 0, 1},
    {"workshop allocation", prepare_with_ranks, op_allocate, 0, 1},
    {"registration update", prepare_with_people, op_update, 0, 1},
    {"announcement", prepare_with_people, op_announce, 1, 0},
    {"reminder", prepare_with_people, op_remind, 1, 0},
};

static char *dump(fixture *f)
{
    char *out = NULL;
    pl_error err;

    if (pl_store_test_dump(&out, f->db.store, &err) != 0)
        fail_msg("dump: %s", err.msg);
    return out;
}

static void expect_unchanged(fixture *f, const char *before, const char *what, long n)
{
    char *after = dump(f);

    if (strcmp(before, after) != 0) {
        /* Show the first line that differs, and the table it is in. */
        size_t i = 0, line = 0, table = 0;
        while (before[i] && before[i] == after[i]) {
            if (before[i] == '\n') {
                line = i + 1;
                if (strncmp(before + line, "-- ", 3) == 0)
                    table = line;
            }
            i++;
        }
        fail_msg("%s, fault %ld: the database changed, in %.40s\n  before: %.200s\n  after:  "
                 "%.200s",
                 what, n, before + table, before + line, after + line);
    }
    free(after);
}

/* ---- allocation failures ---- */

static void every_allocation_failure_leaves_the_database(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        fixture f;
        char *before;
        long n, faults = 0, absorbed = 0;

        memset(&f, 0, sizeof(f));
        cases[c].prepare(&f);
        before = dump(&f);
        for (n = 1;; n++) {
            pl_error err;
            int rc;

            pl_error_clear(&err);
            alloc_count = 0;
            fail_at = n;
            rc = cases[c].op(&f, &err);
            fail_at = 0;
            if (alloc_count < n) {
                if (rc != 0)
                    fail_msg("%s: fails with no fault: %s", cases[c].name, err.msg);
                break; /* ran to the end with no fault: done */
            }
            faults++;
            if (rc == 0) {
                /* The failure was absorbed; the operation went through:
                 * start again from the prepared database. */
                th_db_close(&f.db);
                cases[c].prepare(&f);
                free(before);
                before = dump(&f);
                absorbed++;
                continue;
            }
            if (rc != PL_ENOMEM)
                fail_msg("%s: allocation %ld failed: code %d (%s), not PL_ENOMEM", cases[c].name, n,
                         rc, err.msg);
            expect_unchanged(&f, before, cases[c].name, n);
        }
        print_message("%s: %ld allocations, each failed once (%ld absorbed)\n", cases[c].name,
                      faults, absorbed);
        if (cases[c].allocates)
            assert_true(faults > 0);
        free(before);
        th_db_close(&f.db);
    }
}

/* ---- SQLite: a writer holding the lock ---- */

static void held_write_lock_fails_cleanly(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        fixture f;
        pl_store *other = NULL;
        pl_error err;
        char *before;
        int rc;

        memset(&f, 0, sizeof(f));
        cases[c].prepare(&f);
        before = dump(&f);
        assert_int_equal(pl_store_test_exec(f.db.store, "PRAGMA busy_timeout = 0", NULL), 0);
        assert_int_equal(pl_store_open(&other, f.db.path, 0, NULL), 0);
        assert_int_equal(pl_store_begin(other, NULL), 0);
        rc = cases[c].op(&f, &err);
        if (rc != PL_EBUSY)
            fail_msg("%s: with the write lock held: code %d (%s), not PL_EBUSY", cases[c].name, rc,
                     err.msg);
        expect_unchanged(&f, before, cases[c].name, 0);
        pl_store_rollback(other);
        pl_store_free(other);
        /* Once the lock is free, the same operation goes through. */
        if ((rc = cases[c].op(&f, &err)) != 0)
            fail_msg("%s: after the lock: %s", cases[c].name, err.msg);
        free(before);
        th_db_close(&f.db);
    }
}

/* ---- SQLite: the disk is full (a page limit), at every point ---- */

static void full_database_fails_cleanly(void **state)
{
    (void)state;
    small_pages = 1;
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        fixture f;
        char *before, sql[64];
        long long pages;
        int rc, faults = 0;

        memset(&f, 0, sizeof(f));
        cases[c].prepare(&f);
        /* Fill the free pages, so that the operation must grow the file. */
        assert_int_equal(pl_store_test_exec(f.db.store, "VACUUM", NULL), 0);
        before = dump(&f);
        assert_int_equal(pl_store_test_query_int(&pages, f.db.store, "PRAGMA page_count", NULL), 0);
        for (long long extra = 0;; extra++) {
            pl_error err;

            snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", pages + extra);
            assert_int_equal(pl_store_test_exec(f.db.store, sql, NULL), 0);
            rc = cases[c].op(&f, &err);
            if (rc == 0)
                break;
            faults++;
            if (rc != PL_EIO)
                fail_msg("%s: database full at %lld pages: code %d (%s), not PL_EIO", cases[c].name,
                         pages + extra, rc, err.msg);
            if (!strstr(err.msg, "full"))
                fail_msg("%s: the message does not say the database is full: %s", cases[c].name,
                         err.msg);
            expect_unchanged(&f, before, cases[c].name, (long)extra);
            if (extra > 200)
                fail_msg("%s: still failing at %lld pages", cases[c].name, pages + extra);
        }
        print_message("%s: full at %d page limits\n", cases[c].name, faults);
        if (cases[c].grows)
            assert_true(faults > 0);
        free(before);
        th_db_close(&f.db);
    }
    small_pages = 0;
}

int main(void)
{
    setenv("PLANNER_NOW", "2026-11-26T10:00:00Z", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_allocation_failure_leaves_the_database),
        cmocka_unit_test(held_write_lock_fails_cleanly),
        cmocka_unit_test(full_database_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
