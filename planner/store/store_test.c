#include "store_test.h"
#include "store_private.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pl_store_test_exec(pl_store *store, const char *sql, pl_error *err)
{
    if (sqlite3_exec(pl_store_db(store), sql, NULL, NULL, NULL) != SQLITE_OK)
        return pl_store_fail(store, err, sql);
    return 0;
}

int pl_store_test_exec_file(const char *path, const char *sql, pl_error *err)
{
    sqlite3 *db = NULL;
    int rc = 0;

    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        rc = pl_error_set(err, PL_EIO, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_close(db);
    return rc;
}

static int append_rows(pl_buf *b, pl_store *store, const char *sql, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc, step;

    if ((rc = pl_store_prepare(store, &st, sql, err)) < 0)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const unsigned char *v = sqlite3_column_text(st, c);
            pl_buf_printf(b, "%s%s", c ? "|" : "", v ? (const char *)v : "NULL");
        }
        pl_buf_puts(b, "\n");
    }
    if (step != SQLITE_DONE)
        rc = pl_store_fail(store, err, sql);
    sqlite3_finalize(st);
    return rc;
}

int pl_store_test_query(char **out, pl_store *store, const char *sql, pl_error *err)
{
    pl_buf b = PL_BUF_INIT;
    int rc = append_rows(&b, store, sql, err);

    *out = NULL;
    if (rc < 0) {
        pl_buf_free(&b);
        return rc;
    }
    *out = pl_buf_detach(&b);
    return *out ? 0 : pl_error_oom(err);
}

int pl_store_test_query_int(long long *out, pl_store *store, const char *sql, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *out = 0;
    if ((rc = pl_store_prepare(store, &st, sql, err)) < 0)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : pl_store_fail(store, err, sql);
    sqlite3_finalize(st);
    return rc;
}

int pl_store_test_dump(char **out, pl_store *store, pl_error *err)
{
    pl_buf b = PL_BUF_INIT;
    char *tables = NULL, *line, *next;
    int rc;

    *out = NULL;
    if ((rc = append_rows(&b, store, "SELECT type, name, sql FROM sqlite_schema ORDER BY name",
                          err)) < 0)
        goto done;
    if ((rc = pl_store_test_query(&tables, store,
                                  "SELECT name FROM sqlite_schema WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%' ORDER BY name",
                                  err)) < 0)
        goto done;
    for (line = tables; *line; line = next) {
        char sql[256];

        next = strchr(line, '\n');
        *next++ = '\0';
        pl_buf_printf(&b, "-- %s\n", line);
        snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY 1", line);
        if ((rc = append_rows(&b, store, sql, err)) < 0)
            goto done;
    }
    if (!(*out = pl_buf_detach(&b)))
        rc = pl_error_oom(err);
done:
    free(tables);
    pl_buf_free(&b);
    return rc;
}
