/*
 * csv_writer.h - an RFC 4180 CSV writer, with the variant French Excel opens
 * correctly on a double-click, and formula-injection neutralisation.
 *
 * Fields are quoted when they contain the separator, a double quote, CR or
 * LF, or begin or end with a space (quotes doubled); records end with CRLF. The Excel variant
 * starts with a UTF-8 byte order mark and separates fields with ';'.
 *
 * Text that a spreadsheet would run as a formula (a cell starting with '=',
 * '+', '-', '@', a tab or a CR) is written with a leading apostrophe, which
 * spreadsheets show as text: "=HYPERLINK(...)" becomes "'=HYPERLINK(...)".
 * Numbers written with pl_csv_writer_number are never altered.
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

/* Does s need neutralising (does it start like a formula)? */
int pl_csv_writer_is_formula(const char *s);

/* Append s to b as one field for separator sep: neutralised, quoted when
 * needed. Returns 0 or PL_ERROR (out of memory). */
int pl_csv_writer_quote(pl_buf *b, const char *s, char sep);

#endif
