/*
 * test_helpers.h - shared by the unit tests: temp folders and files.
 */
#ifndef TEST_HELPERS_H
#define TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Make a fresh temp folder; the name is written into out (>= 64 bytes). */
static inline void th_tempdir(char *out, size_t size)
{
    snprintf(out, size, "/tmp/planner-test-XXXXXX");
    if (!mkdtemp(out))
        abort();
}

/* Remove a temp folder made by th_tempdir and everything in it. */
static inline void th_rmtree(const char *dir)
{
    char cmd[512];
    if (strncmp(dir, "/tmp/planner-test-", 18) != 0)
        return;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

/* Write text to dir/name; the full path goes into out. */
static inline void th_write(char *out, size_t size, const char *dir, const char *name,
                            const char *text)
{
    FILE *f;
    snprintf(out, size, "%s/%s", dir, name);
    f = fopen(out, "wb");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

/* Read a whole file (malloc'ed, NUL-terminated), its size into *len. */
static inline char *th_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

#endif
