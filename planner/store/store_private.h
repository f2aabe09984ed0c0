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

/* Prepare sql; on failure sets err (PL_EIO) and returns it. */
int pl_store_prepare(pl_store *store, sqlite3_stmt **out, const char *sql, pl_error *err);
/* Set err to PL_EIO with SQLite's last message, prefixed by what. */
int pl_store_fail(pl_store *store, pl_error *err, const char *what);

/* Step stmt once; a row or the end is success. Otherwise set err to PL_EIO
 * with SQLite's message prefixed by what, and return it. */
int pl_store_step(pl_store *store, sqlite3_stmt *stmt, const char *what, pl_error *err);

/* Bind a possibly-NULL string (SQLITE_TRANSIENT). */
int pl_store_bind_text(sqlite3_stmt *stmt, int index, const char *s);
/* A column as a newly allocated string, or NULL for SQL NULL. */
char *pl_store_column_text(sqlite3_stmt *stmt, int col);

#endif
