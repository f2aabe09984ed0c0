#include "setting.h"
#include "text.h"
#include "store_private.h"

#include <stdlib.h>

int pl_setting_get(char **out, pl_store *store, const char *key, pl_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    *out = NULL;
    if ((rc = pl_store_prepare(store, &stmt, "SELECT value FROM settings WHERE key = ?1", err)) < 0)
        return rc;
    pl_store_bind_text(stmt, 1, key);
    switch (sqlite3_step(stmt)) {
    case SQLITE_ROW:
        if (!(*out = pl_store_column_text(stmt, 0)))
            rc = pl_error_oom(err);
        break;
    case SQLITE_DONE:
        rc = pl_error_set(err, PL_ENOTFOUND, "setting '%s' is not set", key);
        break;
    default:
        rc = pl_store_fail(store, err, "cannot read a setting");
    }
    sqlite3_finalize(stmt);
    return rc;
}

static int write_setting(pl_store *store, const char *sql, const char *key, const char *value,
                         pl_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &stmt, sql, err)) < 0)
        return rc;
    pl_store_bind_text(stmt, 1, key);
    pl_store_bind_text(stmt, 2, value);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = pl_store_fail(store, err, "cannot write a setting");
    sqlite3_finalize(stmt);
    return rc;
}

int pl_setting_get_int(int *out, pl_store *store, const char *key, int fallback, pl_error *err)
{
    char *v = NULL;
    int rc = pl_setting_get(&v, store, key, err);

    *out = fallback;
    if (rc == PL_ENOTFOUND) {
        pl_error_clear(err);
        return 0;
    }
    if (rc < 0)
        return rc;
    *out = atoi(v);
    free(v);
    return 0;
}

int pl_setting_set(pl_store *store, const char *key, const char *value, pl_error *err)
{
    return write_setting(store,
                         "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                         key, value, err);
}

int pl_setting_init(char **out, pl_store *store, const char *key, const char *value, pl_error *err)
{
    int rc = write_setting(store,
                           "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                           "ON CONFLICT (key) DO NOTHING",
                           key, value, err);
    if (rc == 0 && out)
        rc = pl_setting_get(out, store, key, err);
    return rc;
}
