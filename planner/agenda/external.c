#include "external.h"
#include "text.h"
#include "feed_rows.h"
#include "store_private.h"

#include <stdlib.h>
#include <string.h>

void pl_external_event_clear(pl_external_event *ev)
{
    if (!ev)
        return;
    free(ev->uid);
    free(ev->summary);
    free(ev->description);
    free(ev->location);
    free(ev->url);
    free(ev->start);
    free(ev->end);
    free(ev->tzid);
    free(ev->rrule);
    free(ev->created);
    free(ev->modified);
    free(ev->source_url);
    memset(ev, 0, sizeof(*ev));
}

void pl_external_source_free(pl_external_source *src)
{
    if (!src)
        return;
    free(src->url);
    free(src->name);
    free(src->etag);
    free(src->last_modified);
    free(src->fetched);
    free(src);
}

int pl_external_source_find(pl_external_source **out, pl_store *store, const char *url,
                            pl_error *err)
{
    sqlite3_stmt *st = NULL;
    pl_external_source *src = NULL;
    int rc, oom = 0;

    *out = NULL;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT id, url, name, etag, last_modified, fetched "
                               "FROM external_sources WHERE url = ?",
                               err)) < 0)
        return rc;
    pl_store_bind_text(st, 1, url);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        rc = pl_error_set(err, PL_ENOTFOUND, "%s: not subscribed", url);
        goto done;
    }
    if (rc != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read subscriptions");
        goto done;
    }
    if (!(src = calloc(1, sizeof(*src)))) {
        rc = pl_error_oom(err);
        goto done;
    }
    src->rowid = sqlite3_column_int64(st, 0);
    src->url = pl_store_column_dup(st, 1, &oom);
    src->name = pl_store_column_dup(st, 2, &oom);
    src->etag = pl_store_column_dup(st, 3, &oom);
    src->last_modified = pl_store_column_dup(st, 4, &oom);
    src->fetched = pl_store_column_dup(st, 5, &oom);
    if (oom) {
        pl_external_source_free(src);
        rc = pl_error_oom(err);
        goto done;
    }
    *out = src;
    rc = 0;
done:
    sqlite3_finalize(st);
    return rc;
}

/* What a subscriber of our feeds would see change. */
static char *fingerprint(const pl_external_event *ev)
{
    const char *fields[] = {ev->summary, ev->description, ev->location, ev->url,
                            ev->start,   ev->end,         ev->tzid,     ev->rrule};
    pl_buf b = PL_BUF_INIT;

    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        pl_fp_field(&b, fields[i]);
    if (ev->has_geo)
        pl_buf_printf(&b, "%.6f,%.6f", ev->lat, ev->lon);
    pl_buf_printf(&b, "\x1f%d", ev->cancelled);
    return pl_buf_detach(&b);
}

static int save_source(pl_store *store, const pl_external_source *src, const char *now,
                       long long *out_id, int *created, pl_error *err)
{
    sqlite3_stmt *sel = NULL, *st = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &sel, "SELECT id FROM external_sources WHERE url = ?", err)) <
        0)
        goto done;
    pl_store_bind_text(sel, 1, src->url);
    rc = sqlite3_step(sel);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read subscriptions");
        goto done;
    }
    *created = rc == SQLITE_DONE;
    if ((rc = pl_store_prepare(store, &st,
                               *created ? "INSERT INTO external_sources (url, name, etag, "
                                          "last_modified, fetched) VALUES (?1, ?2, ?3, ?4, ?5)"
                                        : "UPDATE external_sources SET name = ?2, etag = ?3, "
                                          "last_modified = ?4, fetched = ?5 WHERE url = ?1",
                               err)) < 0)
        goto done;
    pl_store_bind_text(st, 1, src->url);
    pl_store_bind_text(st, 2, src->name);
    pl_store_bind_text(st, 3, src->etag);
    pl_store_bind_text(st, 4, src->last_modified);
    pl_store_bind_text(st, 5, now);
    if ((rc = pl_store_step(store, st, "cannot write", err)) < 0)
        goto done;
    *out_id =
        *created ? sqlite3_last_insert_rowid(pl_store_db(store)) : sqlite3_column_int64(sel, 0);
done:
    sqlite3_finalize(sel);
    sqlite3_finalize(st);
    return rc;
}

static void bind_event(sqlite3_stmt *st, long long source_id, const pl_external_event *ev,
                       const char *fp, const char *now)
{
    sqlite3_bind_int64(st, 1, source_id);
    pl_store_bind_text(st, 2, ev->uid);
    pl_store_bind_text(st, 3, ev->summary);
    pl_store_bind_text(st, 4, ev->description);
    pl_store_bind_text(st, 5, ev->location);
    pl_store_bind_text(st, 6, ev->url);
    pl_store_bind_text(st, 7, ev->start);
    pl_store_bind_text(st, 8, ev->end);
    pl_store_bind_text(st, 9, ev->tzid);
    pl_store_bind_text(st, 10, ev->rrule);
    if (ev->has_geo) {
        sqlite3_bind_double(st, 11, ev->lat);
        sqlite3_bind_double(st, 12, ev->lon);
    } else {
        sqlite3_bind_null(st, 11);
        sqlite3_bind_null(st, 12);
    }
    sqlite3_bind_text(st, 13, ev->cancelled ? "cancelled" : "confirmed", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 14, ev->remote_sequence);
    pl_store_bind_text(st, 15, fp);
    pl_store_bind_text(st, 16, now);
}

static int save_event(pl_store *store, long long source_id, const pl_external_event *ev,
                      const char *now, pl_external_sync_stats *stats, pl_error *err)
{
    sqlite3_stmt *sel = NULL, *st = NULL;
    char *fp = fingerprint(ev);
    int rc;

    if (!fp)
        return pl_error_oom(err);
    if ((rc = pl_store_prepare(store, &sel,
                               "SELECT fingerprint FROM external_events "
                               "WHERE source_id = ? AND uid = ?",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(sel, 1, source_id);
    pl_store_bind_text(sel, 2, ev->uid);
    rc = sqlite3_step(sel);
    if (rc == SQLITE_ROW) {
        const char *old = (const char *)sqlite3_column_text(sel, 0);
        if (old && strcmp(old, fp) == 0) {
            stats->unchanged++;
            rc = 0;
            goto done;
        }
        stats->changed++;
        rc = pl_store_prepare(store, &st,
                              "UPDATE external_events SET summary=?3, description=?4, "
                              "location=?5, url=?6, start=?7, end=?8, tzid=?9, rrule=?10, "
                              "lat=?11, lon=?12, status=?13, sequence=max(sequence + 1, ?14), "
                              "fingerprint=?15, modified=?16 WHERE source_id=?1 AND uid=?2",
                              err);
    } else if (rc == SQLITE_DONE) {
        stats->added++;
        rc = pl_store_prepare(store, &st,
                              "INSERT INTO external_events (source_id, uid, summary, "
                              "description, location, url, start, end, tzid, rrule, lat, lon, "
                              "status, sequence, fingerprint, created, modified) VALUES (?1, ?2, "
                              "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)",
                              err);
    } else {
        rc = pl_store_fail(store, err, "cannot read external events");
    }
    if (rc < 0)
        goto done;
    bind_event(st, source_id, ev, fp, now);
    rc = pl_store_step(store, st, "cannot write", err);
done:
    sqlite3_finalize(sel);
    sqlite3_finalize(st);
    free(fp);
    return rc;
}

typedef struct feed {
    const pl_external_event *events;
    size_t count;
} feed;

static int in_feed(const char *uid, void *payload)
{
    const feed *f = payload;

    for (size_t i = 0; i < f->count; i++)
        if (strcmp(f->events[i].uid, uid) == 0)
            return 1;
    return 0;
}

/* Events gone from the remote feed stay, cancelled, so our feeds say so. */
static int cancel_missing(pl_store *store, long long source_id, const pl_external_event *events,
                          size_t count, const char *now, pl_external_sync_stats *stats,
                          pl_error *err)
{
    feed f = {events, count};

    return pl_feed_cancel_missing(store,
                                  "SELECT id, uid FROM external_events WHERE source_id = ?1 "
                                  "AND status = 'confirmed'",
                                  "UPDATE external_events SET status = 'cancelled', "
                                  "sequence = sequence + 1, modified = ?1, "
                                  "fingerprint = fingerprint || '\x1fgone' WHERE id = ?2",
                                  source_id, now, in_feed, &f, &stats->cancelled,
                                  "cannot read external events", err);
}

static int check_uids(const pl_external_event *events, size_t count, pl_error *err)
{
    for (size_t i = 0; i < count; i++) {
        if (!events[i].uid || !*events[i].uid || !events[i].start)
            return pl_error_set(err, PL_EINVALID, "event %zu has no UID or no start", i + 1);
        for (size_t j = 0; j < i; j++)
            if (strcmp(events[i].uid, events[j].uid) == 0)
                return pl_error_set(err, PL_EINVALID, "UID '%s' appears twice", events[i].uid);
    }
    return 0;
}

int pl_external_sync(pl_store *store, const pl_external_source *src,
                     const pl_external_event *events, size_t count, pl_external_sync_stats *out,
                     pl_error *err)
{
    pl_external_sync_stats stats = {0};
    long long source_id = 0;
    char now[32];
    int rc;

    if ((rc = check_uids(events, count, err)) < 0)
        return rc;
    pl_now_utc(now);
    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    if ((rc = save_source(store, src, now, &source_id, &stats.created, err)) < 0)
        goto fail;
    for (size_t i = 0; i < count; i++)
        if ((rc = save_event(store, source_id, &events[i], now, &stats, err)) < 0)
            goto fail;
    if ((rc = cancel_missing(store, source_id, events, count, now, &stats, err)) < 0)
        goto fail;
    if ((rc = pl_store_commit(store, err)) < 0)
        return rc;
    if (out)
        *out = stats;
    return 0;
fail:
    pl_store_rollback(store);
    return rc;
}

int pl_external_list(pl_external_event **out, size_t *count, pl_store *store, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    pl_external_event *list = NULL;
    size_t n = 0;
    int rc, oom = 0;

    *out = NULL;
    *count = 0;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT e.uid, e.summary, e.description, e.location, e.url, "
                               "e.start, e.end, e.tzid, e.rrule, e.lat, e.lon, e.status, "
                               "e.sequence, e.created, e.modified, s.url FROM external_events e "
                               "JOIN external_sources s ON s.id = e.source_id "
                               "ORDER BY e.start, e.uid, s.url",
                               err)) < 0)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        pl_external_event *grown = realloc(list, (n + 1) * sizeof(*grown));
        if (!grown) {
            rc = pl_error_oom(err);
            goto fail;
        }
        list = grown;
        pl_external_event *ev = &list[n++];
        memset(ev, 0, sizeof(*ev));
        ev->uid = pl_store_column_dup(st, 0, &oom);
        ev->summary = pl_store_column_dup(st, 1, &oom);
        ev->description = pl_store_column_dup(st, 2, &oom);
        ev->location = pl_store_column_dup(st, 3, &oom);
        ev->url = pl_store_column_dup(st, 4, &oom);
        ev->start = pl_store_column_dup(st, 5, &oom);
        ev->end = pl_store_column_dup(st, 6, &oom);
        ev->tzid = pl_store_column_dup(st, 7, &oom);
        ev->rrule = pl_store_column_dup(st, 8, &oom);
        ev->has_geo = sqlite3_column_type(st, 9) != SQLITE_NULL;
        ev->lat = sqlite3_column_double(st, 9);
        ev->lon = sqlite3_column_double(st, 10);
        ev->cancelled = strcmp((const char *)sqlite3_column_text(st, 11), "cancelled") == 0;
        ev->sequence = sqlite3_column_int(st, 12);
        ev->created = pl_store_column_dup(st, 13, &oom);
        ev->modified = pl_store_column_dup(st, 14, &oom);
        ev->source_url = pl_store_column_dup(st, 15, &oom);
        if (oom) {
            rc = pl_error_oom(err);
            goto fail;
        }
    }
    if (rc != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read external events");
        goto fail;
    }
    sqlite3_finalize(st);
    *out = list;
    *count = n;
    return 0;
fail:
    sqlite3_finalize(st);
    pl_external_list_free(list, n);
    return rc;
}

void pl_external_list_free(pl_external_event *events, size_t count)
{
    for (size_t i = 0; i < count; i++)
        pl_external_event_clear(&events[i]);
    free(events);
}
