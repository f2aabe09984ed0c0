/*
 * error.h - error codes and the caller-owned error record.
 *
 * Every fallible function of the planner returns an int: PL_OK (0) on
 * success, one of the negative codes below on failure. The message travels in
 * a pl_error that the caller owns (like jansson's json_error_t): there is no
 * global error state, so threads never mix messages. A NULL pl_error is
 * accepted everywhere and simply drops the message.
 */
#ifndef PL_ERROR_H
#define PL_ERROR_H

#include <stddef.h>

#define PL_OK 0
#define PL_ERROR -1     /* internal error */
#define PL_EINVALID -2  /* bad input: the user must change something */
#define PL_ENOTFOUND -3 /* no such event, session, registration ... */
#define PL_EEXISTS -4   /* already there */
#define PL_EIO -5       /* file system or database failure */
#define PL_EFULL -6     /* capacity reached */
#define PL_ENOMEM -7    /* an allocation failed */
#define PL_EBUSY -8     /* another writer held the database longer than the busy timeout */

typedef struct pl_error {
    int code;       /* the PL_E... code, PL_OK when clear */
    char file[256]; /* input file the error is about, or "" */
    int line;       /* 1-based line in file, 0 when unknown */
    int column;     /* 1-based column, 0 when unknown */
    char path[128]; /* JSON path or CSV column, e.g. "sessions[3].start" */
    char msg[512];  /* one line: what is wrong (English) */
    /* The same message as a catalogue text, for pages in any language
     * (pl_error_text in lang.h): its id + 1 (0: msg only) and the strings
     * its %1..%4 stand for. Set by pl_error_say_at (lang.h). */
    int text;
    char args[4][128];
} pl_error;

/* Clear err (NULL allowed). */
void pl_error_clear(pl_error *err);

/* Set code and message; file, line, column and path are cleared.
 * Returns code so that callers can write `return pl_error_set(...)`. */
int pl_error_set(pl_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set code, location and message. file and path may be NULL. Returns code. */
int pl_error_set_at(pl_error *err, int code, const char *file, int line, int column,
                    const char *path, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Set PL_ENOMEM and the message "out of memory". Returns PL_ENOMEM, so that
 * callers write `return pl_error_oom(err);`. The one place that words it. */
int pl_error_oom(pl_error *err);

/* Format err as "file:line:column: path: msg" (absent parts left out) into
 * buf, which is always NUL-terminated. Returns buf. */
const char *pl_error_format(const pl_error *err, char *buf, size_t size);

#endif
