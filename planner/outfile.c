#include "outfile.h"

#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void release(pl_outfile *out)
{
    if (out->fp)
        fclose(out->fp);
    free(out->target);
    free(out->tmp);
    memset(out, 0, sizeof(*out));
}

/* A device or a pipe: written as it is, nothing to rename. */
static int open_in_place(pl_outfile *out, const char *target, int open_stream, pl_error *err)
{
    out->in_place = 1;
    out->target = pl_strdup(target);
    out->tmp = pl_strdup(target);
    if (!out->target || !out->tmp) {
        release(out);
        return pl_error_oom(err);
    }
    if (open_stream && !(out->fp = fopen(target, "wb"))) {
        int rc = pl_error_set(err, PL_EIO, "%s: cannot write: %s", target, strerror(errno));
        release(out);
        return rc;
    }
    return 0;
}

/* A regular file (new or not): the temporary file beside it. */
static int open_beside(pl_outfile *out, const char *target, int open_stream, pl_error *err)
{
    const char *slash = strrchr(target, '/');
    size_t dirlen = slash ? (size_t)(slash - target) + 1 : 0;
    mode_t mask;
    int fd = -1, rc = PL_EIO;

    out->target = pl_strdup(target);
    /* "DIR/.NAME.tmp-XXXXXX": hidden, in the target's folder */
    out->tmp = malloc(strlen(target) + 16);
    if (!out->target || !out->tmp) {
        rc = pl_error_oom(err);
        goto done;
    }
    memcpy(out->tmp, target, dirlen);
    sprintf(out->tmp + dirlen, ".%s.tmp-XXXXXX", target + dirlen);
    fd = mkstemp(out->tmp);
    if (fd < 0) {
        free(out->tmp);
        out->tmp = NULL;
        rc = pl_error_set(err, PL_EIO, "%s: cannot write here: %s", target, strerror(errno));
        goto done;
    }
    /* mkstemp makes 0600; give the file the mode any new file would get */
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        rc = pl_error_set(err, PL_EIO, "%s: %s", out->tmp, strerror(errno));
        goto done;
    }
    if (open_stream) {
        if (!(out->fp = fdopen(fd, "wb"))) {
            rc = pl_error_set(err, PL_EIO, "%s: %s", out->tmp, strerror(errno));
            goto done;
        }
        fd = -1;
    }
    rc = 0;
done:
    if (fd >= 0)
        close(fd);
    if (rc != 0)
        pl_outfile_abort(out);
    return rc;
}

int pl_outfile_open(pl_outfile *out, const char *target, int open_stream, pl_error *err)
{
    struct stat st, link;
    char *real = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!*target || target[strlen(target) - 1] == '/')
        return pl_error_set(err, PL_EINVALID, "%s: not a file name", target);
    if (stat(target, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return pl_error_set(err, PL_EINVALID, "%s: is a folder, not a file name", target);
        if (!S_ISREG(st.st_mode))
            return open_in_place(out, target, open_stream, err);
        /* a link to a file: replace the file, keep the link */
        if (lstat(target, &link) == 0 && S_ISLNK(link.st_mode) && (real = realpath(target, NULL)))
            target = real;
    }
    rc = open_beside(out, target, open_stream, err);
    free(real);
    return rc;
}

/* fsync the file at path (for writers that closed it themselves). */
static int sync_path(const char *path, int directory)
{
    int fd = open(path, directory ? O_RDONLY | O_DIRECTORY : O_RDONLY), rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

int pl_outfile_commit(pl_outfile *out, pl_error *err)
{
    char dir[4096];
    const char *slash;
    int rc = PL_EIO;

    if (out->in_place) {
        int bad = out->fp && (ferror(out->fp) || fflush(out->fp) != 0);
        int saved = errno;
        bad |= out->fp && fclose(out->fp) != 0;
        out->fp = NULL;
        rc = bad ? pl_error_set(err, PL_EIO, "%s: write failed: %s", out->target,
                                strerror(saved ? saved : errno))
                 : 0;
        release(out);
        return rc;
    }
    if (out->fp) {
        int bad = ferror(out->fp) || fflush(out->fp) != 0 || fsync(fileno(out->fp)) != 0;
        int saved = errno;
        bad |= fclose(out->fp) != 0;
        out->fp = NULL;
        if (bad) {
            rc = pl_error_set(err, PL_EIO, "%s: write failed: %s", out->target,
                              strerror(saved ? saved : errno));
            goto done;
        }
    } else if (sync_path(out->tmp, 0) != 0) {
        rc = pl_error_set(err, PL_EIO, "%s: write failed: %s", out->target, strerror(errno));
        goto done;
    }
    if (rename(out->tmp, out->target) != 0) {
        rc = pl_error_set(err, PL_EIO, "%s: cannot replace: %s", out->target, strerror(errno));
        goto done;
    }
    free(out->tmp);
    out->tmp = NULL;
    /* make the rename itself durable; a failure here loses nothing */
    slash = strrchr(out->target, '/');
    if (slash && (size_t)(slash - out->target) < sizeof(dir)) {
        memcpy(dir, out->target, (size_t)(slash - out->target));
        dir[slash - out->target] = '\0';
        sync_path(*dir ? dir : "/", 1);
    } else if (!slash) {
        sync_path(".", 1);
    }
    rc = 0;
done:
    pl_outfile_abort(out);
    return rc;
}

void pl_outfile_abort(pl_outfile *out)
{
    if (out->fp) {
        fclose(out->fp);
        out->fp = NULL;
    }
    if (out->tmp && !out->in_place)
        unlink(out->tmp);
    release(out);
}
