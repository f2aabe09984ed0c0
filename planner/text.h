/*
 * text.h - small string helpers shared by the core: a growable buffer,
 * duplication, and local date/time parsing.
 */
#ifndef PL_TEXT_H
#define PL_TEXT_H

#include <stddef.h>

/* A growable NUL-terminated byte buffer. Zero-initialise, or PL_BUF_INIT.
 * A failed append (out of memory) is sticky: every later append fails too
 * and pl_buf_detach returns NULL, so that a caller may append without
 * checking each step and check once, at the end. */
typedef struct pl_buf {
    char *data; /* owned; NULL until something is appended */
    size_t len;
    size_t cap;
    int failed; /* an append failed: the contents are incomplete */
} pl_buf;
#define PL_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0, 0                                                                              \
    }

/* Append; 0, or PL_ENOMEM (then and after: see above). */
int pl_buf_append(pl_buf *b, const char *s, size_t n);
int pl_buf_puts(pl_buf *b, const char *s);
int pl_buf_printf(pl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Give the contents to the caller (free() it); the buffer is left empty.
 * Returns "" (allocated) for an empty buffer, NULL on out-of-memory, now or
 * in any append since the buffer was last emptied. */
char *pl_buf_detach(pl_buf *b);
void pl_buf_free(pl_buf *b);

/* Fold s for matching, into out (always NUL-terminated; NULL is ""):
 * Unicode canonical decomposition, combining marks dropped, full case
 * folding (ICU: unorm2 NFD, u_strFoldCase), recomposed. "Végétarienne" and
 * "VEGETARIENNE" give "vegetarienne", "Straße" "strasse"; spaces and
 * punctuation are kept. Returns out, or NULL when ICU fails (out then "").
 * A text cut by size is cut on a character boundary. */
char *pl_text_fold(char *out, size_t size, const char *s);

/* strdup that accepts NULL (returns NULL). */
char *pl_strdup(const char *s);
/* Write the n bytes of in as 2*n lowercase hex digits and a NUL into out
 * (size >= 2*n+1). The one hex encoder. */
void pl_hex_encode(char *out, const void *in, size_t n);

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left), or 0 when it
 * is not one (overlong forms and surrogates included). */
size_t pl_utf8_seq(const unsigned char *s, size_t n);
/* What makes s unfit as a line of user text (invalid UTF-8, or a control
 * character other than tab, CR and LF), as a short phrase, or NULL when it
 * is fine. NULL is fine. Such bytes would break the XML of an xlsx export,
 * jansson's strings and the feeds. */
const char *pl_text_problem(const char *s);

/* A local wall time, no zone: what events and sessions store. */
typedef struct pl_datetime {
    int year, month, day, hour, minute;
} pl_datetime;

/* Parse "YYYY-MM-DDTHH:MM" strictly (a real calendar date, 00:00-23:59).
 * Returns 0 or PL_EINVALID. */
int pl_datetime_parse(pl_datetime *out, const char *s);
/* Parse "HH:MM". Returns 0 or PL_EINVALID. */
int pl_time_parse(int *out_hour, int *out_minute, const char *s);
/* Format as "YYYY-MM-DDTHH:MM" into buf (at least 17 bytes). */
void pl_datetime_format(const pl_datetime *dt, char *buf, size_t size);
/* Minutes since 1970-01-01T00:00 of this wall time (a monotonic key for
 * comparing local times; no time zone is applied). */
long long pl_datetime_minutes(const pl_datetime *dt);
/* Day of week, 0 = Monday. */
int pl_datetime_weekday(const pl_datetime *dt);

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with NUL).
 * $PLANNER_NOW, when set to such a string, replaces the clock, so that
 * tests and demos can be reproduced. */
void pl_now_utc(char out[32]);

#endif
