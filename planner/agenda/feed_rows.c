#include "feed_rows.h"

void pl_fp_field(pl_buf *b, const char *s)
{
    pl_buf_puts(b, s ? s : "\x02");
    pl_buf_append(b, "\x1f", 1);
}

int pl_feed_cancel_missing(pl_store *store, const char *select_sql, const char *update_sql,
                           long long parent, const char *now, pl_feed_keep_fn keep, void *payload,
                           int *cancelled, const char *what, pl_error *err)
{
    sqlite3_stmt *sel = NULL, *up = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &sel, select_sql, err)) < 0 ||
        (rc = pl_store_prepare(store, &up, update_sql, err)) < 0)
        goto done;
    sqlite3_bind_int64(sel, 1, parent);
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
        if (keep((const char *)sqlite3_column_text(sel, 1), payload))
            continue;
        sqlite3_reset(up);
        pl_store_bind_text(up, 1, now);
        sqlite3_bind_int64(up, 2, sqlite3_column_int64(sel, 0));
        if ((rc = pl_store_step(store, up, "cannot write", err)) < 0)
            goto done;
        (*cancelled)++;
    }
    rc = rc == SQLITE_DONE ? 0 : pl_store_fail(store, err, what);
done:
    sqlite3_finalize(sel);
    sqlite3_finalize(up);
    return rc;
}
