/*
 * registration_privacy.c - removing people's personal fields: "erase my
 * data" (the person, by their link) and the purge of an event over for a
 * while (the organiser, or `serve` daily). See docs/privacy.md.
 */
#include "registration_internal.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What stays: see registration.h. The placeholders keep the e-mail and
 * token columns unique and are neither an address nor a 64-digit link. */
#define ANONYMISE                                                                                  \
    "UPDATE registrations SET name = '', email = 'erased-' || uid, "                               \
    "token = 'erased-' || uid, organization = NULL, origin = NULL, phone = NULL, diet = NULL, "    \
    "public_list = 0, share_phone = 0, erased = ?2, updated = ?2 "

static int anonymise_one(pl_store *store, long long rowid, const char *now, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &st, ANONYMISE "WHERE id = ?1", err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, rowid);
    pl_store_bind_text(st, 2, now);
    rc = pl_store_step(store, st, "cannot write registrations", err);
    sqlite3_finalize(st);
    return rc;
}

int pl_registration_erase(pl_store *store, const char *token, pl_error *err)
{
    pl_registration *r = NULL;
    pl_registration_batch *b = NULL;
    long long rowid = 0;
    char now[32];
    int rc;

    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    /* found inside the transaction: a second erase finds nothing */
    if ((rc = pl_registration_find_token(&r, store, token, err)) < 0)
        goto done;
    if ((rc = pl_registration_batch_open(&b, store, r->event_slug, err)) < 0 ||
        (rc = reg_batch_cancel(b, r->email, &rowid, err)) < 0)
        goto done;
    pl_registration_batch_free(b);
    b = NULL;
    pl_now_utc(now);
    if ((rc = anonymise_one(store, rowid, now, err)) < 0)
        goto done;
    rc = pl_store_commit(store, err);
done:
    pl_registration_batch_free(b);
    pl_registration_free(r);
    if (rc < 0)
        pl_store_rollback(store);
    return rc;
}

int pl_registration_purge(pl_store *store, const char *slug, int after_days, size_t *count,
                          pl_error *err)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc;

    if (count)
        *count = 0;
    if (after_days < 0 && after_days != PL_REG_PURGE_EVENT_DAYS)
        return pl_error_set(err, PL_EINVALID, "a number of days cannot be negative (%d)",
                            after_days);
    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    /* ?2 < 0: the event's own setting, else the default */
    if ((rc = pl_store_prepare(
             store, &st,
             "WITH d AS (SELECT end, printf('+%d days', CASE WHEN ?2 >= 0 THEN ?2 ELSE "
             "coalesce(purge_after_days, ?3) END) AS days, CASE WHEN ?2 >= 0 THEN ?2 ELSE "
             "coalesce(purge_after_days, ?3) END AS n FROM events WHERE slug = ?1) "
             "SELECT date(end, days), date(end, days) < date('now'), n FROM d",
             err)) < 0)
        goto done;
    pl_store_bind_text(st, 1, slug);
    sqlite3_bind_int(st, 2, after_days);
    sqlite3_bind_int(st, 3, PL_REG_PURGE_DAYS);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        rc = pl_error_set(err, PL_ENOTFOUND, "no event '%s'", slug);
        goto done;
    }
    if (rc != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read events");
        goto done;
    }
    if (!sqlite3_column_int(st, 1)) {
        rc =
            pl_error_set(err, PL_EINVALID,
                         "the event '%s' is not over for %d days yet: its registrations keep "
                         "their personal fields until %s",
                         slug, sqlite3_column_int(st, 2), (const char *)sqlite3_column_text(st, 0));
        goto done;
    }
    sqlite3_finalize(st);
    st = NULL;
    pl_now_utc(now);
    if ((rc = pl_store_prepare(store, &st,
                               ANONYMISE "WHERE erased IS NULL AND event_id = "
                                         "(SELECT id FROM events WHERE slug = ?1)",
                               err)) < 0)
        goto done;
    pl_store_bind_text(st, 1, slug);
    pl_store_bind_text(st, 2, now);
    if ((rc = pl_store_step(store, st, "cannot write registrations", err)) < 0)
        goto done;
    if (count)
        *count = (size_t)sqlite3_changes(pl_store_db(store));
    rc = pl_store_commit(store, err);
done:
    sqlite3_finalize(st);
    if (rc < 0)
        pl_store_rollback(store);
    return rc;
}

int pl_registration_purge_due(pl_store *store, size_t *count, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    pl_strlist due = {0};
    int rc;

    *count = 0;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT e.slug FROM events e WHERE date(e.end, printf('+%d days', "
                               "coalesce(e.purge_after_days, ?1))) < date('now') "
                               "AND EXISTS (SELECT 1 FROM registrations r WHERE "
                               "r.event_id = e.id AND r.erased IS NULL) ORDER BY e.id",
                               err)) < 0)
        return rc;
    sqlite3_bind_int(st, 1, PL_REG_PURGE_DAYS);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (pl_strlist_push(&due, (const char *)sqlite3_column_text(st, 0)) < 0) {
            rc = pl_error_oom(err);
            goto done;
        }
    if (rc != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read events");
        goto done;
    }
    sqlite3_finalize(st);
    st = NULL;
    rc = 0;
    for (size_t i = 0; i < due.count && rc == 0; i++) {
        size_t n = 0;
        rc = pl_registration_purge(store, due.items[i], PL_REG_PURGE_EVENT_DAYS, &n, err);
        *count += n;
    }
done:
    sqlite3_finalize(st);
    pl_strlist_clear(&due);
    return rc;
}
