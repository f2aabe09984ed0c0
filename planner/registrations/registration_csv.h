/*
 * registration_csv.h - import the registrations CSV file (see
 * docs/registrations-format.md): English or French headers, every bad row
 * reported as FILE:LINE: column: what is wrong, all rows or none.
 */
#ifndef PL_REGISTRATION_CSV_H
#define PL_REGISTRATION_CSV_H

#include "csv.h" /* pl_yes_no_parse */
#include "registration.h"

typedef struct pl_registration_import_stats {
    size_t rows; /* data rows read (blank lines not counted) */
    size_t created, updated, unchanged;
    size_t waitlisted_rows;                      /* rows left waiting after their save */
    size_t promoted;                             /* others promoted from the waiting list */
    size_t duplicates;                           /* rows whose e-mail was on an earlier line */
    size_t bad_rows;                             /* rows with at least one problem */
    size_t problems;                             /* problems reported (a row may have several) */
    long long event_confirmed, event_waitlisted; /* the event's totals afterwards */
} pl_registration_import_stats;

/* Gets each problem or warning: file, line, path (the column) and msg set. */
typedef void (*pl_import_report_fn)(const pl_error *problem, void *payload);
/* Gets the bytes read so far and the file's size (0 when unknown). */
typedef void (*pl_import_progress_fn)(long long done, long long total, void *payload);

/* Gets each distinct answer of a column the mapping translates: what it
 * means (NULL when the mapping does not say) and how many rows gave it. */
typedef void (*pl_import_answer_fn)(const char *column, const char *answer, const char *value,
                                    size_t rows, void *payload);
/* Gets each good row as it will be saved (after the mapping). */
typedef void (*pl_import_row_fn)(int line, const pl_registration *r, void *payload);

struct pl_csv_map;

typedef struct pl_registration_import_opts {
    int dry_run;                       /* check and count, then roll everything back */
    int replace;                       /* an empty cell clears the stored value (else it
                                          keeps it: an update changes what the file gives) */
    pl_import_report_fn on_problem;    /* every problem of every bad row; may be NULL */
    pl_import_report_fn on_warning;    /* accepted rows worth a remark; may be NULL */
    pl_import_progress_fn on_progress; /* every 1024 rows and at the end; may be NULL */
    void *payload;
    /* A form export's mapping (csv_map.h), or NULL: its columns and answers
     * are read as ours. Saved as the event's mapping when save_map is set
     * and the import is written. */
    const struct pl_csv_map *map;
    int save_map;
    pl_import_answer_fn on_answer; /* at the end, before the outcome; may be NULL */
    pl_import_row_fn on_row;       /* may be NULL */
    int no_mail;                   /* queue no confirmation (back-filling an old event) */
} pl_registration_import_opts;
#define PL_REGISTRATION_IMPORT_OPTS_INIT                                                           \
    {                                                                                              \
        0, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0                                       \
    }

/*
 * Import the CSV file at path into the event slug, in one transaction
 * (BEGIN IMMEDIATE): every row is checked and saved as with
 * pl_registration_batch_save (capacity and waiting list included, a known
 * e-mail updates its registration with the row's non-empty cells, or with
 * every cell when opts->replace is set; new people are written in groups, see
 * pl_registration_batch_queue), and the transaction is committed only
 * when every row is good and opts->dry_run is not set. Reading is streamed:
 * memory does not grow with the file.
 *
 * Returns 0; PL_EINVALID when the file or any row is bad (each problem went
 * to opts->on_problem; err holds the first one, its message ending with how
 * many rows were bad); PL_ENOTFOUND for an unknown event; PL_EIO for a file
 * or database failure. opts and out may be NULL.
 */
int pl_registration_import_csv(pl_store *store, const char *slug, const char *path,
                               const pl_registration_import_opts *opts,
                               pl_registration_import_stats *out, pl_error *err);

#endif
