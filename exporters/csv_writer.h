/*
 * csv_writer.h - an RFC 4180 CSV stream writer, with the variant French
 * Excel opens correctly on a double-click, and formula-injection
 * neutralisation.
 *
 * Each field is written by the core's pl_csv_write_field (planner/csv.h)
 * with PL_CSV_NEUTRALISE: quoted when it contains the separator, a double
 * quote, CR or LF, or begins or ends with a space (quotes doubled); text
 * that a spreadsheet would run as a formula (starting with '=', '+', '-',
 * '@', a tab or a CR) gets a leading apostrophe, which spreadsheets show as
 * text: "=HYPERLINK(...)" becomes "'=HYPERLINK(...)". Numbers written with
 * pl_csv_writer_number are never altered. Records end with CRLF. The Excel
 * variant starts with a UTF-8 byte order mark and separates fields with ';'.
 */
#ifndef PL_CSV_WRITER_H
#define PL_CSV_WRITER_H

#include "text.h"

#include <stdio.h>

typedef struct pl_csv_writer {
    FILE *fp; /* borrowed */
    char sep;
    int fields; /* fields written in the current record */
    pl_buf scratch;
} pl_csv_writer;

/* Start writing CSV to fp; excel selects the BOM + ';' variant (the BOM is
 * written now). Returns 0 or PL_EIO. */
int pl_csv_writer_begin(pl_csv_writer *out, FILE *fp, int excel);

/* One text field (NULL is an empty field), neutralised and quoted. */
int pl_csv_writer_field(pl_csv_writer *w, const char *s);
/* One number field, written as is. */
int pl_csv_writer_number(pl_csv_writer *w, long long n);
/* End the record. */
int pl_csv_writer_end_row(pl_csv_writer *w);

/* Release the writer's memory (the stream stays open). */
void pl_csv_writer_end(pl_csv_writer *w);

#endif
