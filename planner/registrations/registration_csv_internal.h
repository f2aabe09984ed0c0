/*
 * registration_csv_internal.h - what the files of the registrations CSV
 * import share, private to them: the columns, the importer's state, and
 * the helpers each step needs. Dependencies point one way, down this list:
 *
 *   registration_csv.c          the import: transaction, rows, outcome
 *   registration_csv_row.c      one data row read into a registration
 *   registration_csv_ranks.c    the workshop preferences cell
 *   registration_csv_answers.c  a mapping's answers translated, unknown ones reported
 *   registration_csv_header.c   the header line, yes/no values
 *   registration_csv_report.c   problems and warnings, by line and column
 */
#ifndef PL_REGISTRATION_CSV_INTERNAL_H
#define PL_REGISTRATION_CSV_INTERNAL_H

#include "csv.h"
#include "csv_map.h"
#include "ranks.h"
#include "registration_csv.h"
#include "text.h"

/* The columns, by the name used in messages. */
typedef enum col {
    COL_NAME,
    COL_FIRST_NAME,
    COL_EMAIL,
    COL_ORGANIZATION,
    COL_ORIGIN,
    COL_PHONE,
    COL_TRAVEL,
    COL_SEATS,
    COL_MEAL,
    COL_DIET,
    COL_PUBLIC,
    COL_SESSIONS,
    COL_RANKS,
    COL_SHARE_PHONE,
    NCOLS,
    COL_NONE = NCOLS, /* a column with an empty header */
    COL_SKIP          /* written by `registrations list --format csv`; ignored */
} col;

extern const char *const reg_csv_col_names[NCOLS];

/* An answer of a mapped column, with the lines that gave it. */
#define ANSWER_LINES 8
typedef struct answer {
    col column;
    char *raw;
    const char *value; /* what it means, NULL when the mapping does not say */
    size_t count;
    int lines[ANSWER_LINES];
} answer;

typedef struct importer {
    pl_csv *csv;
    pl_store *store;
    pl_registration_batch *batch;
    const pl_registration_import_opts *opts;
    pl_registration_import_stats *st;
    pl_error first; /* the first problem */
    col *map;       /* column index -> kind */
    size_t ncols;
    int line;
    unsigned reported; /* columns with a problem in this row, 1 << col */
    int row_bad;
    pl_buf value[NCOLS]; /* this row's trimmed values */
    pl_buf name;
    char **sessions;
    size_t sessions_cap;
    unsigned keep; /* this row's fields left as stored (empty cells) */
    int fatal;     /* a database failure while writing queued rows */
    pl_error fatal_err;
    answer *answers; /* distinct answers of the columns a mapping translates */
    size_t nanswers;
    pl_buf mapped; /* scratch for a translated sessions cell */
    const char *slug;
    pl_workshop_slots *slots; /* read with the first ranks cell */
    pl_strlist *row_ranks;    /* this row's rankings, one per slot */
    size_t nrow_ranks;
    struct pending_ranks {
        int line;
        char *email;
        pl_strlist ranked;
    } * pending; /* the rankings of rows queued, saved after the rows */
    size_t npending;
} importer;

/* registration_csv_report.c */
/* A problem (warning 0: the row is bad, the import fails) or a warning of
 * line, column (NULL: the whole line), to opts' callbacks. */
void reg_csv_report(importer *im, int warning, int line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A problem of column c in the current row. */
void reg_csv_row_problem(importer *im, col c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* registration_csv_header.c: read the header line into im->map. */
int reg_csv_read_header(importer *im);

/* registration_csv_answers.c */
int reg_csv_note_answer(importer *im, col c, const char *raw, const char *value);
int reg_csv_map_row(importer *im);
int reg_csv_answer_order(const void *a, const void *b);
void reg_csv_report_unmapped(importer *im);

/* registration_csv_ranks.c */
int reg_csv_parse_ranks(importer *im);
int reg_csv_keep_row_ranks(importer *im, const char *email);
int reg_csv_save_ranks(importer *im, const char *slug, pl_error *err);
void reg_csv_free_pending(importer *im);

/* registration_csv_row.c */
int reg_csv_parse_row(importer *im, pl_registration *r);

static inline const char *val(importer *im, col c)
{
    return im->value[c].data ? im->value[c].data : "";
}

static inline void trim_span(const char **s, const char **end)
{
    while (*s < *end && (**s == ' ' || **s == '\t' || **s == '\n'))
        (*s)++;
    while (*end > *s && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\n'))
        (*end)--;
}

#endif
