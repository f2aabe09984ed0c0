/*
 * setting.h - small named values kept in the database (the server's admin
 * token hash, its form secret). Keys are short ASCII names.
 */
#ifndef PL_SETTING_H
#define PL_SETTING_H

#include "error.h"
#include "store.h"

/* The value of key. *out is malloc'ed (free() it). PL_ENOTFOUND when the key
 * is not set, PL_EIO on a database error. */
int pl_setting_get(char **out, pl_store *store, const char *key, pl_error *err);

/* The value of key read as a whole number into *out; fallback when the key
 * is not set. Returns 0 or PL_EIO. */
int pl_setting_get_int(int *out, pl_store *store, const char *key, int fallback, pl_error *err);

/* Set key to value, replacing any previous value. Returns 0 or PL_EIO. */
int pl_setting_set(pl_store *store, const char *key, const char *value, pl_error *err);

/* Set key to value only when it is not set yet (atomic: two processes racing
 * keep the first value). *out (may be NULL) gets the value now stored,
 * malloc'ed. Returns 0 or PL_EIO. */
int pl_setting_init(char **out, pl_store *store, const char *key, const char *value, pl_error *err);

#endif
