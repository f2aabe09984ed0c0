/*
 * registration_csv.c - import a registrations file: one transaction, each
 * row read and queued, then the outcome (all rows or none). The steps are
 * in the registration_csv_*.c files (registration_csv_internal.h).
 */
#include "registration_csv_internal.h"
#include "store_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void progress(importer *im)
{
    if (im->opts && im->opts->on_progress)
        im->opts->on_progress(pl_csv_offset(im->csv), pl_csv_size(im->csv), im->opts->payload);
}

/* The result of one saved row (pl_registration_saved_fn). */
static void on_saved(const pl_registration_saved *s, void *payload)
{
    importer *im = payload;
    int row_bad = im->row_bad; /* the row being read, if any, is another */

    im->row_bad = 0;
    if (s->rc < 0) {
        reg_csv_report(im, 0, (int)s->tag, s->err->path[0] ? s->err->path : NULL, "%s",
                       s->err->msg);
    } else {
        if (s->change.created)
            im->st->created++;
        else if (s->change.changed)
            im->st->updated++;
        else
            im->st->unchanged++;
        if (!s->change.created && pl_registration_batch_created(im->batch, s->rowid)) {
            im->st->duplicates++;
            reg_csv_report(im, 1, (int)s->tag, "email",
                           "%s is also on an earlier line; this row replaces that one",
                           s->in->email);
        }
        im->st->promoted += s->change.promoted;
        if (s->status == PL_REG_WAITLISTED)
            im->st->waitlisted_rows++;
    }
    im->row_bad = row_bad;
}

static int count_status(pl_store *store, const char *slug, const char *status, long long *out,
                        pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = pl_store_prepare(store, &st,
                              "SELECT count(*) FROM registrations r JOIN events e ON "
                              "e.id = r.event_id WHERE e.slug = ? AND r.status = ?",
                              err);

    if (rc < 0)
        return rc;
    pl_store_bind_text(st, 1, slug);
    pl_store_bind_text(st, 2, status);
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        rc = pl_store_fail(store, err, "cannot count registrations");
    sqlite3_finalize(st);
    return rc;
}

static int query_int_pragma(pl_store *store, const char *sql, int *out, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = pl_store_prepare(store, &st, sql, err);

    if (rc < 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    else
        rc = pl_store_fail(store, err, "cannot read the database settings");
    sqlite3_finalize(st);
    return rc;
}

static int set_temp_store(pl_store *store, int value, pl_error *err)
{
    char sql[40];

    snprintf(sql, sizeof(sql), "PRAGMA temp_store = %d", value);
    if (sqlite3_exec(pl_store_db(store), sql, NULL, NULL, NULL) != SQLITE_OK)
        return pl_store_fail(store, err, "cannot set temporary storage");
    return 0;
}

int pl_registration_import_csv(pl_store *store, const char *slug, const char *path,
                               const pl_registration_import_opts *opts,
                               pl_registration_import_stats *out, pl_error *err)
{
    pl_registration_import_stats local;
    importer im;
    int rc, in_tx = 0, header_ok, temp_store = -1;

    memset(&im, 0, sizeof(im));
    im.store = store;
    im.slug = slug;
    im.opts = opts;
    im.st = out ? out : &local;
    memset(im.st, 0, sizeof(*im.st));
    pl_error_clear(&im.first);

    if ((rc = pl_csv_open(&im.csv, path, 0, err)) < 0)
        return rc;
    /* A group of new people is one multi-row INSERT, which SQLite undoes
     * alone if one of them is known: it copies each page the statement
     * changes first (one e-mail index page a row, the index being in
     * e-mail order) to a statement journal, a temporary file unless temp
     * storage is in memory. In memory it is one group's pages, freed at
     * the end of each statement. Set before BEGIN: SQLite reads it then. */
    if ((rc = query_int_pragma(store, "PRAGMA temp_store", &temp_store, err)) < 0 ||
        (temp_store != 2 && (rc = set_temp_store(store, 2, err)) < 0))
        goto done;
    if ((rc = pl_store_begin(store, err)) < 0)
        goto done;
    in_tx = 1;
    if ((rc = pl_registration_batch_open(&im.batch, store, slug, err)) < 0)
        goto done;
    pl_registration_batch_on_saved(im.batch, on_saved, &im);
    pl_registration_batch_set_mail(im.batch, !(opts && opts->no_mail));
    rc = pl_csv_next(im.csv, err);
    if (rc == 0) {
        im.line = 1;
        reg_csv_report(&im, 0, 1, NULL, "empty file: no header line");
    } else if (rc > 0) {
        if ((rc = reg_csv_read_header(&im)) < 0) {
            rc = pl_error_oom(err);
            goto done;
        }
    } else if (rc == PL_EINVALID) {
        reg_csv_report(&im, 0, err->line, NULL, "%s", err->msg);
    } else {
        goto done;
    }
    /* With a bad header the rows cannot be read: the header's problems are
     * the report. */
    header_ok = im.st->problems == 0;
    while (header_ok) {
        pl_registration r;
        pl_error e;

        rc = pl_csv_next(im.csv, &e);
        if (rc == 0)
            break;
        if (rc == PL_EINVALID) {
            im.row_bad = 0;
            reg_csv_report(&im, 0, e.line, NULL, "%s", e.msg);
            break;
        }
        if (rc < 0) {
            *err = e;
            goto done;
        }
        im.line = pl_csv_line(im.csv);
        im.reported = 0;
        im.row_bad = 0;
        if ((rc = reg_csv_parse_row(&im, &r)) < 0) {
            rc = pl_error_oom(err);
            goto done;
        }
        if (im.fatal)
            break;
        if (rc == 1)
            continue;
        im.st->rows++;
        if ((im.st->rows & 1023) == 0)
            progress(&im);
        if (im.row_bad)
            continue;
        if (opts && opts->on_row)
            opts->on_row(im.line, &r, opts->payload);
        if ((rc = pl_registration_batch_queue(im.batch, &r, im.line, &e)) < 0) {
            if (err)
                *err = e;
            goto done;
        }
        if (reg_csv_keep_row_ranks(&im, r.email) < 0) {
            rc = pl_error_oom(err);
            goto done;
        }
        if (im.fatal)
            break;
    }
    if (!im.fatal && (rc = pl_registration_batch_flush(im.batch, err)) < 0)
        goto done;
    if (im.fatal) {
        rc = im.fatal;
        if (err)
            *err = im.fatal_err;
        goto done;
    }
    progress(&im);
    if (im.st->problems == 0 && (rc = reg_csv_save_ranks(&im, slug, err)) < 0)
        goto done;
    if (im.nanswers)
        qsort(im.answers, im.nanswers, sizeof(*im.answers), reg_csv_answer_order);
    reg_csv_report_unmapped(&im);
    if (opts && opts->on_answer)
        for (size_t i = 0; i < im.nanswers; i++)
            opts->on_answer(reg_csv_col_names[im.answers[i].column], im.answers[i].raw,
                            im.answers[i].value, im.answers[i].count, opts->payload);
    if (im.st->problems) {
        if (err) {
            *err = im.first;
            snprintf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg),
                     " (%zu bad row%s, %zu problem%s in all; nothing was imported)",
                     im.st->bad_rows, im.st->bad_rows == 1 ? "" : "s", im.st->problems,
                     im.st->problems == 1 ? "" : "s");
            err->text = 0; /* msg has more than its catalogue text says */
        }
        rc = PL_EINVALID;
        goto done;
    }
    pl_registration_batch_free(im.batch);
    im.batch = NULL;
    if ((rc = count_status(store, slug, "confirmed", &im.st->event_confirmed, err)) < 0 ||
        (rc = count_status(store, slug, "waitlisted", &im.st->event_waitlisted, err)) < 0)
        goto done;
    if (opts && opts->dry_run) {
        rc = 0;
        goto done; /* rolled back below */
    }
    if (opts && opts->map && opts->save_map &&
        (rc = pl_csv_map_save(store, slug, opts->map, err)) < 0)
        goto done;
    rc = pl_store_commit(store, err);
    in_tx = 0;
done:
    pl_registration_batch_free(im.batch);
    if (in_tx)
        pl_store_rollback(store);
    if (temp_store >= 0 && temp_store != 2)
        set_temp_store(store, temp_store, NULL);
    pl_csv_free(im.csv);
    for (int c = 0; c < NCOLS; c++)
        pl_buf_free(&im.value[c]);
    pl_buf_free(&im.name);
    free(im.sessions);
    free(im.map);
    for (size_t i = 0; i < im.nanswers; i++)
        free(im.answers[i].raw);
    free(im.answers);
    pl_buf_free(&im.mapped);
    reg_csv_free_pending(&im);
    return rc;
}