/*
 * store_private.h - the SQLite side of the store, for the core's own modules
 * only (planner/). Nothing outside planner/ includes this header or
 * <sqlite3.h>: the lint.sealed_store test fails if one does.
 */
#ifndef PL_STORE_PRIVATE_H
#define PL_STORE_PRIVATE_H

#include "store.h"

#include <sqlite3.h>

/* The connection, borrowed. */
sqlite3 *pl_store_db(pl_store *store);

/* Prepare sql; on failure sets err as pl_store_fail does. */
int pl_store_prepare(pl_store *store, sqlite3_stmt **out, const char *sql, pl_error *err);
/* Set err to SQLite's last message, prefixed by what, and return its code:
 * PL_EBUSY (another writer holds the lock past the busy timeout), PL_ENOMEM,
 * or PL_EIO. */
int pl_store_fail(pl_store *store, pl_error *err, const char *what);

/* Step stmt once; a row or the end is success. Otherwise set err as
 * pl_store_fail does and return its code. */
int pl_store_step(pl_store *store, sqlite3_stmt *stmt, const char *what, pl_error *err);

/* Bind a possibly-NULL string (SQLITE_TRANSIENT). */
int pl_store_bind_text(sqlite3_stmt *stmt, int index, const char *s);
/* A column as a newly allocated string, or NULL for SQL NULL. */
char *pl_store_column_text(sqlite3_stmt *stmt, int col);
/* The same, for reading many columns with one check at the end: a copy
 * that cannot be allocated returns NULL and sets *failed to 1 (an SQL NULL
 * leaves it as it is). */
char *pl_store_column_dup(sqlite3_stmt *stmt, int col, int *failed);

#endif
