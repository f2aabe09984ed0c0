/*
 * table.h - one way to write a table to xlsx, CSV or JSON.
 *
 * Every export describes its columns once (header, JSON key, type) and
 * sends its rows to a sink, which writes them in the chosen format:
 *
 *   xlsx  one sheet per table (libxlsxwriter, constant-memory mode): bold
 *         frozen header row, autofilter, column widths that fit the content,
 *         dates and times as real date/time values, numbers as numbers, and
 *         every text as a string (never a formula); optionally a heading
 *         above the table and print settings (pl_sheet, PL_TABLE_PRINT_*).
 *   CSV   one table only (RFC 4180, see csv.h), dates "YYYY-MM-DD", times
 *         "HH:MM", text neutralised against formula injection.
 *   JSON  one object: the document's fields, then one array of objects per
 *         table under the table's key; dates and times as ISO 8601 text,
 *         numbers as numbers, booleans as true/false, empty cells as null.
 *         Written as it goes, so memory does not grow with the rows.
 *
 * Headers, sheet names and yes/no come from the language catalogue
 * (lang.h) in the sink's language; JSON keys and JSON values given as
 * pl_cell.json are stable English identifiers. UTC instants (PL_COL_INSTANT)
 * are shown in the sink's time zone, and stay UTC in JSON.
 *
 * The file is written next to the target and renamed on pl_sink_close
 * (outfile.h): a failed export leaves the previous file as it was.
 */
#ifndef PL_TABLE_H
#define PL_TABLE_H

#include "exporters.h"

#include <jansson.h>

typedef enum pl_col_type {
    PL_COL_TEXT,
    PL_COL_INT,
    PL_COL_BOOL,     /* num 0/1; yes/no (oui/non) in xlsx and CSV */
    PL_COL_DATE,     /* text "YYYY-MM-DD..." */
    PL_COL_TIME,     /* text "HH:MM", or a "YYYY-MM-DDTHH:MM" whose time is taken */
    PL_COL_DATETIME, /* text "YYYY-MM-DDTHH:MM[:SS[Z]]" */
    PL_COL_LIST,     /* list: "a, b" in xlsx and CSV, an array in JSON */
    PL_COL_REAL,     /* real: a number with decimals (3 in CSV; a decimal comma with --excel) */
    PL_COL_INSTANT,  /* text "YYYY-MM-DDTHH:MM:SSZ" (UTC): in the sink's zone in xlsx and
                        CSV ("YYYY-MM-DD HH:MM"), as it is in JSON */
} pl_col_type;

/* Where a column appears (pl_column.only); 0: everywhere. */
enum {
    PL_COL_SHEET_ONLY = 1, /* xlsx and CSV: for people */
    PL_COL_JSON_ONLY = 2,  /* JSON: for programs */
};

typedef struct pl_column {
    pl_text_id header; /* xlsx and CSV, in the sink's language */
    const char *key;   /* JSON */
    pl_col_type type;
    double min_width; /* xlsx: at least this many characters wide (0: fit) */
    unsigned only;    /* PL_COL_SHEET_ONLY, PL_COL_JSON_ONLY or 0 */
    double wrap;      /* xlsx: at most this many characters wide, longer text and header
                         wrapped on more lines (0: up to 60, unwrapped) */
    int not_printed;  /* xlsx: on screen, but outside the print area (columns for
                         programs or records: ids, timestamps); such columns come
                         after every printed one */
} pl_column;

typedef struct pl_cell {
    const char *text;       /* TEXT, DATE, TIME, DATETIME, INSTANT; NULL or "": empty */
    long long num;          /* INT, BOOL */
    int null;               /* INT, BOOL, REAL: empty */
    const pl_strlist *list; /* LIST; NULL: empty */
    double real;            /* REAL (null: empty) */
    const char *json;       /* TEXT: written to JSON instead of text (an identifier) */
} pl_cell;

enum {
    PL_TABLE_PRINT_LANDSCAPE = 1 << 0,     /* landscape, A4, fit to page width */
    PL_TABLE_PRINT_REPEAT_HEADER = 1 << 1, /* heading and header row on each printed page */
    PL_TABLE_GRID = 1 << 2,                /* borders round every cell, tall rows */
    PL_TABLE_PRINT_PORTRAIT = 1 << 3,      /* portrait, A4, fit to page width */
};

typedef struct pl_table {
    pl_text_id name; /* sheet name (see pl_sheet_name) */
    const char *key; /* JSON key of the rows' array */
    const pl_column *columns;
    size_t ncolumns;
    unsigned flags;
} pl_table;

/* What one sheet adds to its table (xlsx only; ignored in CSV and JSON). */
typedef struct pl_sheet {
    const char *name;           /* sheet name instead of the table's; NULL: the table's. Made
                                   unique in the workbook (" (2)" ...) */
    const char *const *heading; /* lines above the header row, the first in large bold */
    size_t nheading;
    int rows_per_page; /* printing: a page break after every this many rows (0: none) */
} pl_sheet;

typedef struct pl_sink_options {
    pl_export_format format;
    int excel;         /* CSV: the BOM + ';' variant */
    const char *title; /* xlsx document title */
    const char *subject;
    json_t *meta;         /* JSON: the document's first fields (an object; stolen, may be NULL) */
    pl_lang lang;         /* headers, sheet names, yes/no */
    const char *timezone; /* PL_COL_INSTANT cells are shown in this zone (NULL: UTC); borrowed */
} pl_sink_options;

typedef struct pl_sink pl_sink;

/* Open a sink writing path. Returns 0, or PL_EIO (cannot write there),
 * PL_EINVALID (a zone ICU does not know), PL_ERROR. Free with pl_sink_free.
 * opts->meta is stolen, even on failure. */
int pl_sink_open(pl_sink **out, const char *path, const pl_sink_options *opts, pl_error *err);

/* Start a table; CSV takes one table only. t must outlive the table. */
int pl_sink_begin(pl_sink *s, const pl_table *t, pl_error *err);
/* The same with a sheet's name, heading and page breaks (sheet may be NULL;
 * borrowed for the call only). */
int pl_sink_begin_sheet(pl_sink *s, const pl_table *t, const pl_sheet *sheet, pl_error *err);
/* One row: t->ncolumns cells. */
int pl_sink_row(pl_sink *s, const pl_cell *cells, pl_error *err);
/* A closing row (a total): bold in xlsx and left out of the autofilter;
 * an ordinary row in CSV and JSON. Only total rows may follow it. */
int pl_sink_total_row(pl_sink *s, const pl_cell *cells, pl_error *err);
int pl_sink_end(pl_sink *s, pl_error *err);

/* Finish the document and move it into place. Returns 0 or PL_EIO; on
 * failure the target is left as it was. */
int pl_sink_close(pl_sink *s, pl_error *err);

/* Release s; an unclosed document is abandoned (the target untouched). */
void pl_sink_free(pl_sink *s);

/* Make name a valid Excel sheet name into out (>= 32*4 bytes): the
 * characters []:*?/\ become '-', leading and trailing apostrophes go, it
 * is cut to 31 characters (UTF-8 aware), and an empty name becomes
 * "Sheet". Returns out. */
char *pl_sheet_name(char *out, size_t size, const char *name);

/* Display width of UTF-8 text in characters (its longest line). */
size_t pl_text_width(const char *s);

#endif
