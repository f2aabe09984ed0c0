/*
 * registration_ops.c - the public operations, one transaction each: save,
 * create, update, cancel.
 */
#include "registration_internal.h"

#include <stdlib.h>
#include <string.h>

/* One save in its own transaction, or in the caller's when one is open (a
 * sign-up and its workshop rankings are saved together: ranks.h). */
static int save_tx(pl_store *store, const char *slug, const pl_registration *in, reg_save_mode mode,
                   pl_registration **out, pl_registration_change *change, pl_error *err)
{
    pl_registration_batch *b = NULL;
    long long rowid = 0;
    size_t promoted_at_open = 0;
    int rc, own = sqlite3_get_autocommit(pl_store_db(store));

    if (out)
        *out = NULL;
    if (change)
        memset(change, 0, sizeof(*change));
    if (!in->keep && (rc = pl_registration_validate(in, err)) < 0)
        return rc;
    if (own && (rc = pl_store_begin(store, err)) < 0)
        return rc;
    if ((rc = pl_registration_batch_open(&b, store, slug, err)) < 0)
        goto done;
    promoted_at_open = b->npromoted;
    if ((rc = reg_save_row(b, in, mode, &rowid, NULL, change, err)) < 0)
        goto done;
    if (change)
        change->promoted += promoted_at_open;
    pl_registration_batch_free(b);
    b = NULL;
    if (out && (rc = pl_registration_load(out, store, rowid, err)) < 0)
        goto done;
    if (own)
        rc = pl_store_commit(store, err);
done:
    pl_registration_batch_free(b);
    if (rc < 0) {
        if (own)
            pl_store_rollback(store);
        if (out) {
            pl_registration_free(*out);
            *out = NULL;
        }
    }
    return rc;
}

int pl_registration_save_ext(pl_store *store, const char *slug, const pl_registration *in,
                             pl_registration **out, pl_registration_change *change, pl_error *err)
{
    return save_tx(store, slug, in, REG_SAVE_ANY, out, change, err);
}

int pl_registration_create(pl_store *store, const char *slug, const pl_registration *in,
                           pl_registration **out, pl_registration_change *change, pl_error *err)
{
    return save_tx(store, slug, in, REG_SAVE_CREATE, out, change, err);
}

int pl_registration_update(pl_store *store, const char *slug, const pl_registration *in,
                           pl_registration **out, pl_registration_change *change, pl_error *err)
{
    return save_tx(store, slug, in, REG_SAVE_UPDATE, out, change, err);
}

int pl_registration_save(pl_store *store, const char *slug, const pl_registration *in,
                         pl_registration **out, pl_error *err)
{
    return pl_registration_save_ext(store, slug, in, out, NULL, err);
}

int pl_registration_cancel_ext(pl_store *store, const char *slug, const char *email,
                               pl_registration **out, pl_registration ***promoted,
                               size_t *npromoted, pl_error *err)
{
    pl_registration_batch *b = NULL;
    pl_registration **list = NULL;
    size_t nlist = 0;
    long long rowid = 0;
    int rc;

    if (out)
        *out = NULL;
    if (promoted)
        *promoted = NULL;
    if (npromoted)
        *npromoted = 0;
    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    if ((rc = pl_registration_batch_open(&b, store, slug, err)) < 0)
        goto done;
    if ((rc = reg_batch_cancel(b, email, &rowid, err)) < 0)
        goto done;
    if (promoted && b->npromoted) {
        if (!(list = calloc(b->npromoted, sizeof(*list)))) {
            rc = pl_error_oom(err);
            goto done;
        }
        for (; nlist < b->npromoted; nlist++)
            if ((rc = pl_registration_load(&list[nlist], store, b->promoted[nlist], err)) < 0)
                goto done;
    }
    pl_registration_batch_free(b);
    b = NULL;
    if (out && (rc = pl_registration_load(out, store, rowid, err)) < 0)
        goto done;
    if ((rc = pl_store_commit(store, err)) < 0)
        goto done;
    if (promoted) {
        *promoted = list;
        *npromoted = nlist;
        list = NULL;
    }
done:
    pl_registration_batch_free(b);
    pl_registration_list_free(list, nlist);
    if (rc < 0) {
        pl_store_rollback(store);
        if (out) {
            pl_registration_free(*out);
            *out = NULL;
        }
    }
    return rc;
}

int pl_registration_cancel(pl_store *store, const char *slug, const char *email,
                           pl_registration **out, pl_error *err)
{
    return pl_registration_cancel_ext(store, slug, email, out, NULL, NULL, err);
}
