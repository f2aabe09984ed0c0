/*
 * registration_move.c - the organiser confirms someone from the waiting
 * list by hand. Automatic promotion (registration.c) only ever fills free
 * places; this is the deliberate exception, so it lives on its own.
 */
#include "registration_move.h"
#include "lang.h"
#include "store_private.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

int pl_registration_confirm_waiting(pl_store *store, const char *slug, long long rowid,
                                    pl_error *err)
{
    sqlite3_stmt *st = NULL;
    char now[32], status[16] = "";
    int rc;

    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT r.status FROM registrations r JOIN events e ON "
                               "e.id = r.event_id WHERE r.id = ?1 AND e.slug = ?2",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, rowid);
    pl_store_bind_text(st, 2, slug);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *s = sqlite3_column_text(st, 0);
        snprintf(status, sizeof(status), "%s", s ? (const char *)s : "");
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = pl_error_set(err, PL_ENOTFOUND, "no registration %lld for event '%s'", rowid, slug);
    } else {
        rc = pl_store_fail(store, err, "cannot read registrations");
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if (strcmp(status, "waitlisted") != 0) {
        char id[24];
        snprintf(id, sizeof(id), "%lld", rowid);
        rc = PL_SAY(err, PL_EINVALID, "", REG_ERR_NOT_WAITING, id, status);
        goto done;
    }
    pl_now_utc(now);
    if ((rc = pl_store_prepare(store, &st,
                               "UPDATE registrations SET status = 'confirmed', updated = ?2 "
                               "WHERE id = ?1",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, rowid);
    pl_store_bind_text(st, 2, now);
    rc = pl_store_step(store, st, "cannot write registrations", err);
done:
    sqlite3_finalize(st);
    if (rc < 0) {
        pl_store_rollback(store);
        return rc;
    }
    return pl_store_commit(store, err);
}
