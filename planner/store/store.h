/*
 * store.h - the SQLite store: one database file per planner.
 *
 * The file is opened in WAL mode with foreign keys on and a busy timeout; its
 * schema version lives in PRAGMA user_version and is migrated forward on
 * open. A file that is not a planner database (another SQLite file, or not a
 * database at all) or that a newer planner wrote is refused and left exactly
 * as it was.
 *
 * This is the store's public face: pl_store is opaque and no SQL crosses it.
 * Only the core talks SQL, through store_private.h, which nothing outside
 * planner/ includes (a CTest, lint.sealed_store, checks it). Every multi-row
 * change is one transaction: pl_store_begin / pl_store_commit /
 * pl_store_rollback.
 */
#ifndef PL_STORE_H
#define PL_STORE_H

#include "error.h"

typedef struct pl_store pl_store;

/* The schema version this build writes. */
#define PL_SCHEMA_VERSION 19
/* PRAGMA application_id of planner databases ("PLNR"). */
#define PL_APPLICATION_ID 0x504C4E52

enum {
    PL_STORE_CREATE = 1 << 0, /* create the file when it does not exist */
};

/*
 * Open (and create or upgrade) the database at path.
 * Returns 0, PL_ENOTFOUND when the file does not exist and PL_STORE_CREATE is
 * not given, PL_EINVALID for a file that is not a planner database or is
 * newer than this build, PL_EIO otherwise. *out must be released with
 * pl_store_free. The path ":memory:" opens a new, private database in
 * memory (for tests and fuzzing; its journal is not a WAL).
 */
int pl_store_open(pl_store **out, const char *path, unsigned flags, pl_error *err);
void pl_store_free(pl_store *store);

/* The SQL that takes the schema from version `from` to `from + 1`, or NULL
 * when there is none: for tests and tools that build an older database. */
const char *pl_store_migration(int from);

const char *pl_store_path(const pl_store *store);

/*
 * Tune a connection for a server: a write waits at most busy_timeout_ms
 * for another writer (10 s by default) before PL_EBUSY; with durable, each
 * commit reaches the disk before it returns (synchronous = FULL: a change
 * acknowledged to someone survives a power loss), else only at checkpoints
 * (NORMAL, the default: the file stays consistent, the last commits may be
 * lost). Returns 0 or PL_EIO.
 */
int pl_store_configure(pl_store *store, int busy_timeout_ms, int durable, pl_error *err);

/* BEGIN IMMEDIATE: takes the write lock now, so that concurrent writers
 * wait (busy timeout) instead of failing half way; PL_EBUSY when the busy
 * timeout ran out. */
int pl_store_begin(pl_store *store, pl_error *err);
int pl_store_commit(pl_store *store, pl_error *err);
/* Roll back the open transaction, if any. */
void pl_store_rollback(pl_store *store);

/*
 * A number that moves whenever another connection (another thread's
 * pl_store, or another process) has committed a change to the file since
 * this connection last looked (SQLite's PRAGMA data_version): a cache keyed
 * on it never serves bytes older than the database. Changes made through
 * this same connection do not move it.
 * Returns 0 or PL_EIO.
 */
int pl_store_data_version(long long *out, pl_store *store, pl_error *err);

#endif
