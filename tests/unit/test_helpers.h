/*
 * test_helpers.h - shared by the unit tests: temp folders and files, and the
 * temporary database fixture (th_db).
 */
#ifndef TEST_HELPERS_H
#define TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "planner.h"

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

/*
 * The usual fixture: a fresh temp folder with a planner database in it.
 * th_db_teardown also unsets PLANNER_NOW, which tests set to fix the clock.
 * Use th_db_setup and
 * th_db_teardown as cmocka setup and teardown (state is a th_db *), or
 * th_db_open / th_db_close inside a test.
 */
typedef struct th_db {
    char dir[64];
    char path[128]; /* dir/planner.db */
    pl_store *store;
} th_db;

static inline void th_db_open(th_db *db)
{
    pl_error err;

    th_tempdir(db->dir, sizeof(db->dir));
    snprintf(db->path, sizeof(db->path), "%s/planner.db", db->dir);
    if (pl_store_open(&db->store, db->path, PL_STORE_CREATE, &err) != 0) {
        fprintf(stderr, "%s: %s\n", db->path, err.msg);
        abort();
    }
}

static inline void th_db_close(th_db *db)
{
    pl_store_free(db->store);
    db->store = NULL;
    th_rmtree(db->dir);
}

static inline int th_db_setup(void **state)
{
    th_db *db = calloc(1, sizeof(*db));
    if (!db)
        return -1;
    th_db_open(db);
    *state = db;
    return 0;
}

static inline int th_db_teardown(void **state)
{
    th_db_close(*state);
    free(*state);
    unsetenv("PLANNER_NOW");
    return 0;
}

/* Parse event JSON text and save it into store; aborts the test on error. */
static inline void th_put_event(pl_store *store, const char *json)
{
    pl_event *ev = NULL;
    pl_error err;

    if (pl_event_parse_json_text(&ev, json, strlen(json), "event.json", &err) != 0 ||
        pl_event_save(store, ev, NULL, &err) != 0) {
        char msg[1024];
        fprintf(stderr, "%s\n", pl_error_format(&err, msg, sizeof(msg)));
        abort();
    }
    pl_event_free(ev);
}

#endif
