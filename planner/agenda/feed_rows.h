/*
 * feed_rows.h - what the agenda's two kinds of feed rows share, private to
 * planner/agenda/: events and sessions (event.c) and subscribed calendars'
 * events (external.c) are kept up to date the same way: a fingerprint of
 * what a subscriber sees decides whether a row really changed, and rows
 * gone from the new version stay, cancelled, so that feeds can say so.
 */
#ifndef PL_FEED_ROWS_H
#define PL_FEED_ROWS_H

#include "store_private.h"
#include "text.h"

/* Append one field of a fingerprint: s, or a mark for NULL, then a field
 * separator. Out of memory is sticky in b (pl_buf_detach gives NULL). */
void pl_fp_field(pl_buf *b, const char *s);

/* Does the new version still have the row of this key? */
typedef int (*pl_feed_keep_fn)(const char *key, void *payload);

/*
 * Cancel the rows that select_sql lists (columns: id, key; ?1 the parent)
 * and keep() does not keep, with update_sql (?1 now, ?2 the row's id, which
 * marks it cancelled and moves its sequence). *cancelled counts them; what
 * names the rows in messages. Returns 0 or the store's error.
 */
int pl_feed_cancel_missing(pl_store *store, const char *select_sql, const char *update_sql,
                           long long parent, const char *now, pl_feed_keep_fn keep, void *payload,
                           int *cancelled, const char *what, pl_error *err);

#endif
