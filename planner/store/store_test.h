/*
 * store_test.h - hooks for the test programs only: raw SQL on a store, so
 * that tests can set up states (an older schema, a row edited by hand, a
 * full disk) and read what was stored, without including <sqlite3.h>
 * outside planner/. They live in their own library, planner::test_hooks,
 * which the planner program does not link.
 */
#ifndef PL_STORE_TEST_H
#define PL_STORE_TEST_H

#include "store.h"

/* Run one or more SQL statements on store. Returns 0 or PL_EIO (SQLite's
 * message in err). */
int pl_store_test_exec(pl_store *store, const char *sql, pl_error *err);

/* Run sql on the file at path through a fresh connection that does none of
 * pl_store_open's checks or migrations (the file is created if needed). */
int pl_store_test_exec_file(const char *path, const char *sql, pl_error *err);

/* The rows of one query as text: columns separated by '|', one line per
 * row, SQL NULL as "NULL". *out is malloc'ed. Returns 0 or PL_EIO. */
int pl_store_test_query(char **out, pl_store *store, const char *sql, pl_error *err);

/* The first column of the first row as an integer (0 when there is none).
 * Returns 0 or PL_EIO. */
int pl_store_test_query_int(long long *out, pl_store *store, const char *sql, pl_error *err);

/* Every row of every table, in a stable order (tables by name, rows by their
 * first column), with the schema: equal dumps, equal databases. *out is
 * malloc'ed. Returns 0 or PL_EIO. */
int pl_store_test_dump(char **out, pl_store *store, pl_error *err);

#endif
