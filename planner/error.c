#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void pl_error_clear(pl_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

static void copy(char *dst, size_t size, const char *src)
{
    if (!src)
        src = "";
    snprintf(dst, size, "%s", src);
}

int pl_error_set(pl_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    pl_error_clear(err);
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

int pl_error_oom(pl_error *err)
{
    return pl_error_set(err, PL_ENOMEM, "out of memory");
}

int pl_error_set_at(pl_error *err, int code, const char *file, int line, int column,
                    const char *path, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    pl_error_clear(err);
    err->code = code;
    copy(err->file, sizeof(err->file), file);
    copy(err->path, sizeof(err->path), path);
    err->line = line;
    err->column = column;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

const char *pl_error_format(const pl_error *err, char *buf, size_t size)
{
    size_t n = 0;

    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (!err)
        return buf;
#define APPEND(...)                                                                                \
    do {                                                                                           \
        int w_ = snprintf(buf + n, size - n, __VA_ARGS__);                                         \
        if (w_ > 0)                                                                                \
            n += (size_t)w_ < size - n ? (size_t)w_ : size - n - 1;                                \
    } while (0)
    if (err->file[0]) {
        APPEND("%s", err->file);
        if (err->line > 0)
            APPEND(":%d", err->line);
        if (err->line > 0 && err->column > 0)
            APPEND(":%d", err->column);
        APPEND(": ");
    }
    if (err->path[0])
        APPEND("%s: ", err->path);
    APPEND("%s", err->msg[0] ? err->msg : "unknown error");
#undef APPEND
    return buf;
}
