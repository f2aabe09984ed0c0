#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"
#include "store_test.h"
#include "test_helpers.h"

#include <sys/stat.h>

typedef struct fixture {
    char dir[64];
    char db[128];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    th_tempdir(f->dir, sizeof(f->dir));
    snprintf(f->db, sizeof(f->db), "%s/planner.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    th_rmtree(f->dir);
    free(f);
    return 0;
}

static int pragma_int(pl_store *store, const char *sql)
{
    long long v;
    assert_int_equal(pl_store_test_query_int(&v, store, sql, NULL), 0);
    return (int)v;
}

static void missing_file_is_not_created_without_create(void **state)
{
    fixture *f = *state;
    pl_store *store = NULL;
    pl_error err;
    struct stat st;

    assert_int_equal(pl_store_open(&store, f->db, 0, &err), PL_ENOTFOUND);
    assert_null(store);
    /* the core says what is wrong; the command line says what to do */
    assert_null(strstr(err.msg, "planner init"));
    assert_int_not_equal(stat(f->db, &st), 0);
}

static void create_sets_schema_wal_and_foreign_keys(void **state)
{
    fixture *f = *state;
    pl_store *store = NULL;
    pl_error err;
    char *mode;

    assert_int_equal(pl_store_open(&store, f->db, PL_STORE_CREATE, &err), 0);
    assert_int_equal(pragma_int(store, "PRAGMA user_version"), PL_SCHEMA_VERSION);
    assert_int_equal(pragma_int(store, "PRAGMA application_id"), PL_APPLICATION_ID);
    assert_int_equal(pragma_int(store, "PRAGMA foreign_keys"), 1);
    assert_int_equal(pl_store_test_query(&mode, store, "PRAGMA journal_mode", NULL), 0);
    assert_string_equal(mode, "wal\n");
    free(mode);
    pl_store_free(store);

    /* Opening again is harmless and keeps the version. */
    assert_int_equal(pl_store_open(&store, f->db, 0, &err), 0);
    assert_int_equal(pragma_int(store, "PRAGMA user_version"), PL_SCHEMA_VERSION);
    pl_store_free(store);
}

/* The file holds people's names and e-mails: it and its WAL and shared
 * memory are created 0600 whatever the umask. */
static void created_files_are_private(void **state)
{
    fixture *f = *state;
    pl_store *store = NULL;
    const char *const suffixes[] = {"", "-wal", "-shm"};
    mode_t old = umask(022);

    assert_int_equal(pl_store_open(&store, f->db, PL_STORE_CREATE, NULL), 0);
    umask(old);
    assert_int_equal(pl_store_test_exec(store, "INSERT INTO settings VALUES ('k', 'v')", NULL), 0);
    for (size_t i = 0; i < 3; i++) {
        char path[160];
        struct stat st;
        snprintf(path, sizeof(path), "%s%s", f->db, suffixes[i]);
        assert_int_equal(stat(path, &st), 0);
        if ((st.st_mode & 0777) != 0600)
            fail_msg("%s: mode %o, not 600", path, (unsigned)(st.st_mode & 0777));
    }
    pl_store_free(store);
}

/* Another connection's commit moves the data version; reading does not. */
static void data_version_moves_on_other_commits(void **state)
{
    fixture *f = *state;
    pl_store *store = NULL, *other = NULL;
    long long v1, v2, v3;

    assert_int_equal(pl_store_open(&store, f->db, PL_STORE_CREATE, NULL), 0);
    assert_int_equal(pl_store_open(&other, f->db, 0, NULL), 0);
    assert_int_equal(pl_store_data_version(&v1, store, NULL), 0);
    assert_int_equal(pl_store_data_version(&v2, store, NULL), 0);
    assert_true(v1 == v2);
    assert_int_equal(pl_setting_set(other, "k", "v", NULL), 0);
    assert_int_equal(pl_store_data_version(&v3, store, NULL), 0);
    assert_true(v3 != v2);
    pl_store_free(other);
    pl_store_free(store);
}

/* Settings: get, set, replace, and init that keeps the first value. */
static void settings_round_trip(void **state)
{
    fixture *f = *state;
    pl_store *store = NULL;
    pl_error err;
    char *v = NULL;

    assert_int_equal(pl_store_open(&store, f->db, PL_STORE_CREATE, NULL), 0);
    assert_int_equal(pl_setting_get(&v, store, "colour", &err), PL_ENOTFOUND);
    assert_int_equal(pl_setting_set(store, "colour", "blue", &err), 0);
    assert_int_equal(pl_setting_set(store, "colour", "green", &err), 0);
    assert_int_equal(pl_setting_get(&v, store, "colour", &err), 0);
    assert_string_equal(v, "green");
    free(v);
    assert_int_equal(pl_setting_init(&v, store, "colour", "red", &err), 0);
    assert_string_equal(v, "green");
    free(v);
    assert_int_equal(pl_setting_init(&v, store, "size", "large", &err), 0);
    assert_string_equal(v, "large");
    free(v);
    pl_store_free(store);
}

/* Paths that cannot be a database: a folder, a file in a missing folder. */
static void paths_that_are_not_files(void **state)
{
    fixture *f = *state;
    pl_store *store = NULL;
    pl_error err;
    char path[160];

    assert_int_equal(pl_store_open(&store, f->dir, PL_STORE_CREATE, &err), PL_EIO);
    assert_non_null(strstr(err.msg, "not a regular file"));
    snprintf(path, sizeof(path), "%s/missing/planner.db", f->dir);
    assert_int_equal(pl_store_open(&store, path, PL_STORE_CREATE, &err), PL_EIO);
    assert_non_null(strstr(err.msg, "cannot create"));
    assert_null(store);
}

static void refuse_and_keep(fixture *f, const char *expect)
{
    pl_store *store = NULL;
    pl_error err;
    size_t before_len, after_len;
    char *before = th_read(f->db, &before_len), *after;

    assert_non_null(before);
    assert_int_equal(pl_store_open(&store, f->db, PL_STORE_CREATE, &err), PL_EINVALID);
    assert_null(store);
    assert_non_null(strstr(err.msg, expect));
    after = th_read(f->db, &after_len);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
    free(before);
    free(after);
}

static void foreign_sqlite_file_is_refused_untouched(void **state)
{
    fixture *f = *state;

    assert_int_equal(pl_store_test_exec_file(
                         f->db, "CREATE TABLE notes(x); INSERT INTO notes VALUES (1);", NULL),
                     0);
    refuse_and_keep(f, "not a planner database");
}

static void text_file_is_refused_untouched(void **state)
{
    fixture *f = *state;
    char path[256];

    th_write(path, sizeof(path), f->dir, "planner.db",
             "This is a shopping list, not a database.\nMilk\nBread\n"
             "..............................................................\n");
    refuse_and_keep(f, "not a planner database");
}

static void newer_database_is_refused_untouched(void **state)
{
    fixture *f = *state;
    pl_store *store = NULL;
    char sql[128];

    assert_int_equal(pl_store_open(&store, f->db, PL_STORE_CREATE, NULL), 0);
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", PL_SCHEMA_VERSION + 1);
    assert_int_equal(pl_store_test_exec(store, sql, NULL), 0);
    pl_store_free(store);
    refuse_and_keep(f, "newer planner");
}

static void rollback_leaves_nothing(void **state)
{
    fixture *f = *state;
    pl_store *store = NULL;
    pl_error err;

    assert_int_equal(pl_store_open(&store, f->db, PL_STORE_CREATE, &err), 0);
    assert_int_equal(pl_store_begin(store, &err), 0);
    assert_int_equal(pl_store_test_exec(store,
                                        "INSERT INTO events (slug, uid, title, format, timezone, "
                                        "start, end, status, created, modified) VALUES ('x', 'u', "
                                        "'t', 'online', 'UTC', 's', 'e', 'draft', 'c', 'm')",
                                        NULL),
                     0);
    pl_store_rollback(store);
    assert_int_equal(pragma_int(store, "SELECT count(*) FROM events"), 0);
    pl_store_free(store);
}

static int exec_ok(pl_store *store, const char *sql)
{
    return pl_store_test_exec(store, sql, NULL);
}

/* A real schema 6 database, built by the migrations of the time, upgraded:
 * the registrations rebuild (its CHECKs without IN lists) keeps rows, ids,
 * the sessions that refer to them and every rule; later migrations run too. */
static void upgrade_rebuilds_registrations_keeping_rows(void **state)
{
    fixture *f = *state;
    pl_store *store = NULL;
    pl_error err;
    char sql[128];

    for (int v = 0; v < 6; v++)
        assert_int_equal(pl_store_test_exec_file(f->db, pl_store_migration(v), NULL), 0);
    snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = 6",
             PL_APPLICATION_ID);
    assert_int_equal(pl_store_test_exec_file(f->db, sql, NULL), 0);
    assert_int_equal(
        pl_store_test_exec_file(
            f->db,
            "INSERT INTO events (id, slug, uid, title, format, timezone, start, end, status, "
            "created, modified) VALUES (3, 'x', 'u', 't', 'online', 'UTC', 's', 'e', 'draft', "
            "'c', 'm');"
            "INSERT INTO sessions (id, event_id, key, uid, title, kind, start, end, created, "
            "modified) VALUES (5, 3, 'k', 'su', 't', 'workshop', 's', 'e', 'c', 'm');"
            "INSERT INTO registrations (id, event_id, uid, token, name, email, travel, seats, "
            "status, arrival, created, updated) VALUES "
            "(7, 3, 'u7', 't7', 'Ann', 'ann@x.org', 'drive', 2, 'confirmed', 1, 'c', 'u'),"
            "(9, 3, 'u9', 't9', 'Bob', 'bob@x.org', 'ride', 0, 'waitlisted', 2, 'c', 'u');"
            "INSERT INTO registration_sessions VALUES (7, 5, 0), (9, 5, 0);"
            "INSERT INTO carpool_pickups (registration_id, uid, created, modified, "
            "is_driver, time, arrival) VALUES (9, 'p9', 'c', 'm', 0, 't', 'a');",
            NULL),
        0);

    assert_int_equal(pl_store_open(&store, f->db, 0, &err), 0);
    assert_int_equal(pragma_int(store, "PRAGMA user_version"), PL_SCHEMA_VERSION);
    assert_int_equal(pragma_int(store, "PRAGMA foreign_keys"), 1);
    assert_int_equal(pragma_int(store, "SELECT count(*) FROM sqlite_schema WHERE name = "
                                       "'registrations' AND sql LIKE '% IN (%'"),
                     0);
    assert_int_equal(pragma_int(store, "SELECT count(*) FROM registrations WHERE "
                                       "(id = 7 AND token = 't7' AND travel = 'drive' AND "
                                       "seats = 2) OR (id = 9 AND status = 'waitlisted')"),
                     2);
    assert_int_equal(pragma_int(store, "SELECT count(*) FROM registration_sessions"), 2);
    assert_int_equal(pragma_int(store, "SELECT count(*) FROM carpool_pickups"), 1);
    assert_int_equal(pragma_int(store, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                       "('registrations_line', 'registrations_v7')"),
                     1);
    /* The rules still hold. */
    assert_int_not_equal(exec_ok(store, "UPDATE registrations SET travel = 'boat' WHERE id = 7"),
                         0);
    assert_int_not_equal(exec_ok(store, "UPDATE registrations SET status = 'maybe' WHERE id = 7"),
                         0);
    assert_int_not_equal(
        exec_ok(store, "UPDATE registrations SET email = 'ANN@X.ORG' WHERE id = 9"), 0);
    assert_int_not_equal(exec_ok(store, "UPDATE registrations SET token = 't7' WHERE id = 9"), 0);
    assert_int_not_equal(exec_ok(store, "UPDATE registrations SET event_id = 4 WHERE id = 9"), 0);
    /* Sessions now refer to the new table: deleting a registration cascades. */
    assert_int_equal(exec_ok(store, "DELETE FROM registrations WHERE id = 7"), 0);
    assert_int_equal(pragma_int(store, "SELECT count(*) FROM registration_sessions"), 1);
    assert_int_equal(exec_ok(store, "DELETE FROM registrations WHERE id = 9"), 0);
    assert_int_equal(pragma_int(store, "SELECT count(*) FROM carpool_pickups"), 0);
    pl_store_free(store);
}

/* From every older schema, an upgrade reaches this build's and leaves a
 * consistent database: each migration runs on the schema before it. */
static void every_older_schema_upgrades(void **state)
{
    fixture *f = *state;

    for (int from = 1; from < PL_SCHEMA_VERSION; from++) {
        pl_store *store = NULL;
        pl_error err;
        char sql[128];

        unlink(f->db);
        for (int v = 0; v < from; v++)
            assert_int_equal(pl_store_test_exec_file(f->db, pl_store_migration(v), NULL), 0);
        snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = %d",
                 PL_APPLICATION_ID, from);
        assert_int_equal(pl_store_test_exec_file(f->db, sql, NULL), 0);
        if (pl_store_open(&store, f->db, 0, &err) != 0)
            fail_msg("upgrade from schema %d: %s", from, err.msg);
        assert_int_equal(pragma_int(store, "PRAGMA user_version"), PL_SCHEMA_VERSION);
        assert_int_equal(pragma_int(store, "SELECT count(*) FROM pragma_integrity_check "
                                           "WHERE integrity_check <> 'ok'"),
                         0);
        pl_store_free(store);
    }
    assert_null(pl_store_migration(PL_SCHEMA_VERSION));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(missing_file_is_not_created_without_create, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(create_sets_schema_wal_and_foreign_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(created_files_are_private, setup, teardown),
        cmocka_unit_test_setup_teardown(data_version_moves_on_other_commits, setup, teardown),
        cmocka_unit_test_setup_teardown(settings_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(paths_that_are_not_files, setup, teardown),
        cmocka_unit_test_setup_teardown(foreign_sqlite_file_is_refused_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(text_file_is_refused_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(newer_database_is_refused_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(rollback_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(every_older_schema_upgrades, setup, teardown),
        cmocka_unit_test_setup_teardown(upgrade_rebuilds_registrations_keeping_rows, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
