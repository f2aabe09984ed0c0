/*
 * carpool_changes_list.c - the record of changes to confirmed cars read
 * back (planner carpool changes), oldest first.
 */
#include "carpool_plan.h"
#include "carpool_changes_internal.h"
#include "store_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- reading the record ---- */

void pl_carpool_changes_free(pl_carpool_change *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++) {
        free(list[i].trip);
        free(list[i].what);
        free(list[i].at);
        free(list[i].name);
        free(list[i].email);
        free(list[i].driver_email);
        free(list[i].from_email);
    }
    free(list);
}

int pl_carpool_changes_list(pl_carpool_change **out, size_t *count, pl_store *store,
                            const char *slug, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    pl_carpool_change *list = NULL;
    size_t n = 0, cap = 0;
    long long ev = 0;
    int rc, s, failed = 0;

    *out = NULL;
    *count = 0;
    if ((rc = pl_store_prepare(store, &st, "SELECT id FROM events WHERE slug = ?1", err)) < 0)
        return rc;
    pl_store_bind_text(st, 1, slug);
    if (sqlite3_step(st) == SQLITE_ROW)
        ev = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (!ev)
        return pl_error_set(err, PL_ENOTFOUND, "no event '%s'", slug);
    rc = pl_store_prepare(store, &st,
                          "SELECT c.id, c.trip, c.what, c.at, r.name, r.email, d.email, f.email "
                          "FROM carpool_changes c JOIN registrations r ON r.id = "
                          "c.registration_id LEFT JOIN registrations d ON d.id = c.driver_id "
                          "LEFT JOIN registrations f ON f.id = c.from_driver_id WHERE "
                          "c.event_id = ?1 ORDER BY c.id",
                          err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, ev);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        pl_carpool_change *c;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            pl_carpool_change *nl = realloc(list, ncap * sizeof(*nl));
            if (!nl) {
                rc = pl_error_oom(err);
                goto done;
            }
            list = nl;
            cap = ncap;
        }
        c = &list[n++];
        memset(c, 0, sizeof(*c));
        c->id = sqlite3_column_int64(st, 0);
        c->trip = pl_store_column_dup(st, 1, &failed);
        c->what = pl_store_column_dup(st, 2, &failed);
        c->at = pl_store_column_dup(st, 3, &failed);
        c->name = pl_store_column_dup(st, 4, &failed);
        c->email = pl_store_column_dup(st, 5, &failed);
        c->driver_email = pl_store_column_dup(st, 6, &failed);
        c->from_email = pl_store_column_dup(st, 7, &failed);
        if (failed) {
            rc = pl_error_oom(err);
            goto done;
        }
    }
    if (s != SQLITE_DONE)
        rc = pl_store_fail(store, err, "cannot read the carpool changes");
done:
    sqlite3_finalize(st);
    if (rc < 0) {
        pl_carpool_changes_free(list, n);
        return rc;
    }
    *out = list;
    *count = n;
    return 0;
}
