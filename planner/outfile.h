/*
 * outfile.h - write a file all at once or not at all.
 *
 * The data goes to a temporary file next to the target (same folder, so
 * that rename(2) is atomic), which is flushed to disk and renamed over the
 * target on success. A failed export therefore never leaves a half-written
 * file, and never destroys the file that was there before.
 *
 * A target that exists and is not a regular file (a device such as
 * /dev/stdout or /dev/null, a pipe) is written in place: there is no file
 * to keep, and renaming over a device would replace it. A symbolic link to
 * a file stays a link: the file it points to is the one replaced.
 */
#ifndef PL_OUTFILE_H
#define PL_OUTFILE_H

#include "error.h"

#include <stdio.h>

typedef struct pl_outfile {
    char *target; /* owned */
    char *tmp;    /* owned: the temporary file's path */
    FILE *fp;     /* open on tmp; NULL for writers that open tmp themselves */
    int in_place; /* target is a device or a pipe: tmp is target itself */
} pl_outfile;

/*
 * Create a temporary file next to target and open it for writing in out->fp.
 * With `open_stream` 0 the file is created but not kept open: the caller's
 * library writes out->tmp by name (libxlsxwriter does). Returns 0, or PL_EIO
 * with a message naming target (folder missing, not writable ...).
 */
int pl_outfile_open(pl_outfile *out, const char *target, int open_stream, pl_error *err);

/* Flush and sync the temporary file and rename it over the target.
 * On failure the temporary file is removed and the target left as it was.
 * Either way out is released. Returns 0 or PL_EIO. */
int pl_outfile_commit(pl_outfile *out, pl_error *err);

/* Give up: remove the temporary file, leave the target as it was, release
 * out. Safe on a zeroed or already released pl_outfile. */
void pl_outfile_abort(pl_outfile *out);

#endif
