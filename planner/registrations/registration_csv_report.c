/*
 * registration_csv_report.c - problems and warnings of a registrations
 * import, each at its line and column, counted and passed to the caller's
 * callbacks.
 */
#include "registration_csv_internal.h"

#include <stdarg.h>
#include <stdio.h>

const char *const reg_csv_col_names[NCOLS] = {
    "name",  "first name", "email", "organization", "origin",   "phone", "travel",
    "seats", "meal",       "diet",  "public",       "sessions", "ranks", "share phone",
};

void reg_csv_report(importer *im, int warning, int line, const char *column, const char *fmt, ...)
{
    pl_error e;
    char msg[sizeof(e.msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* Rows queued before this one are saved first, so that problems are
     * reported in the file's order (a queued row may turn out to be an
     * update that does not fit). */
    if (!warning && im->batch && !im->fatal &&
        (im->fatal = pl_registration_batch_flush(im->batch, &im->fatal_err)) < 0)
        return;
    pl_error_set_at(&e, warning ? PL_OK : PL_EINVALID, pl_csv_name(im->csv), line, 0, column, "%s",
                    msg);
    if (warning) {
        if (im->opts && im->opts->on_warning)
            im->opts->on_warning(&e, im->opts->payload);
        return;
    }
    if (im->st->problems++ == 0)
        im->first = e;
    if (!im->row_bad) {
        im->row_bad = 1;
        im->st->bad_rows++;
    }
    if (im->opts && im->opts->on_problem)
        im->opts->on_problem(&e, im->opts->payload);
}

void reg_csv_row_problem(importer *im, col c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    im->reported |= 1u << c;
    reg_csv_report(im, 0, im->line, reg_csv_col_names[c], "%s", msg);
}
