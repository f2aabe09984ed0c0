/*
 * csv.h - a streaming CSV reader (RFC 4180, as spreadsheets and form tools
 * write it) and a field writer.
 *
 * The reader accepts UTF-8 with or without a byte-order mark, `,` or `;` as
 * the separator (detected from the first record unless given), fields in
 * double quotes holding separators, line breaks and doubled quotes, and CRLF,
 * LF or CR line ends. Blank lines are skipped. It is lenient where spreadsheets
 * are sloppy (spaces before an opening quote, text after a closing quote are
 * kept as text) and strict where the data would be wrong: an unterminated
 * quote, a NUL byte or invalid UTF-8 stop the reading with the line named.
 *
 * Memory stays flat: the file is read in blocks and only the current record
 * is held (a record is at most PL_CSV_MAX_RECORD bytes).
 */
#ifndef PL_CSV_H
#define PL_CSV_H

#include "error.h"
#include "text.h"

#include <stddef.h>

typedef struct pl_csv pl_csv;

/* Largest record accepted, in bytes. */
#define PL_CSV_MAX_RECORD (1024 * 1024)

/*
 * Open the file at path for reading. separator is ',' or ';', or 0 to detect
 * it from the first record (the one of the two that occurs more often outside
 * quotes; ',' when neither does). Returns 0 or PL_EIO. Release *out with
 * pl_csv_free.
 */
int pl_csv_open(pl_csv **out, const char *path, char separator, pl_error *err);

/* The same over len bytes of memory, which must outlive the reader; name is
 * used in messages. Returns 0 or PL_ERROR (out of memory). */
int pl_csv_open_mem(pl_csv **out, const char *data, size_t len, const char *name, char separator,
                    pl_error *err);

void pl_csv_free(pl_csv *csv);

/*
 * Read the next record. Returns 1 when a record was read, 0 at the end of the
 * input, PL_EINVALID for input that is not CSV text (message with file and
 * line), PL_EIO for a read error. After an error, further calls return 0.
 */
int pl_csv_next(pl_csv *csv, pl_error *err);

/* The current record's fields: count, and each NUL-terminated value (borrowed;
 * valid until the next pl_csv_next). A field may contain NUL-free UTF-8 with
 * line breaks (CRLF inside quotes reads as LF). */
size_t pl_csv_count(const pl_csv *csv);
const char *pl_csv_field(const pl_csv *csv, size_t i);
size_t pl_csv_field_len(const pl_csv *csv, size_t i);

/* The line where the current record starts (1-based). */
int pl_csv_line(const pl_csv *csv);
/* The separator in use (after detection). */
char pl_csv_separator(const pl_csv *csv);
/* The name given at open (the path), borrowed. */
const char *pl_csv_name(const pl_csv *csv);
/* Bytes consumed so far, and the input's size (0 when unknown): for progress. */
long long pl_csv_offset(const pl_csv *csv);
long long pl_csv_size(const pl_csv *csv);

/*
 * Fold s into a matching key in out (always NUL-terminated): accents and
 * case folded by pl_text_fold (ICU: é -> e, ß -> ss, Č -> c), the Latin
 * letters that are not accented ones spelt out (œ -> oe, æ -> ae, ø -> o),
 * every character that is not a letter or digit dropped (letters of other
 * scripts are kept). "Régime", "REGIME" and " régime " give "regime";
 * "Liste publique" gives "listepublique". A key cut by size is cut on a
 * character boundary. Returns out.
 */
char *pl_csv_fold(char *out, size_t size, const char *s);

/* Parse a yes/no value: oui, non, yes, no, o, n, y, true, false, vrai,
 * faux, 1, 0, x (case and accents ignored; empty is no). Returns 0 or 1, or
 * PL_EINVALID. */
int pl_yes_no_parse(const char *s);

/* pl_csv_write_field flags. */
enum {
    /* Neutralise formulas: a field that a spreadsheet would run as a formula
     * (it begins with '=', '+', '-', '@', a tab or a CR) is written quoted
     * with a leading apostrophe, which spreadsheets show as text:
     * "=HYPERLINK(...)" becomes "'=HYPERLINK(...)". The registrations
     * importer takes such an apostrophe off again. */
    PL_CSV_NEUTRALISE = 1 << 0,
};

/*
 * Append s to out as one CSV field for separator: quoted (quotes doubled)
 * when it holds the separator, a quote, a line break, or leading or
 * trailing spaces, and neutralised when flags has PL_CSV_NEUTRALISE; NULL
 * is an empty field. Returns 0 or PL_ERROR.
 */
int pl_csv_write_field(pl_buf *out, const char *s, char separator, unsigned flags);

/* Does s begin like a formula ('=', '+', '-', '@', tab, CR)? NULL: no. */
int pl_csv_is_formula(const char *s);

#endif
