/*
 * libFuzzer target for the event file import: pl_event_parse_json_text, then
 * pl_event_save into a database in memory, twice (PLANNER_FUZZ=ON with clang,
 * see tests/CMakeLists.txt); its corpus is replayed by ctest with any
 * compiler:
 *   build-fuzz/tests/fuzz_event tests/fuzz/corpus/event -max_total_time=600
 * Checks that any input is either refused as bad input with a message and a
 * path inside the file, or stored and read back the same; that importing it
 * a second time changes nothing; and that nothing leaks or overflows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "planner.h"
#include "store_test.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pl_store *store;

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pl_event *ev = NULL, *back = NULL;
    pl_event_save_stats first, again;
    pl_error err;
    json_t *j;
    int rc;

    if (!store && pl_store_open(&store, ":memory:", PL_STORE_CREATE, NULL) != 0)
        abort();
    rc = pl_event_parse_json_text(&ev, (const char *)data, size, "fuzz.json", &err);
    if (rc != 0) {
        check(rc == PL_EINVALID && !ev && err.msg[0] && strcmp(err.file, "fuzz.json") == 0);
        return 0;
    }
    check(ev && ev->slug && ev->title && ev->start && ev->end);

    rc = pl_event_save(store, ev, &first, &err);
    if (rc == 0) {
        check(first.created);
        /* The same file again: nothing moves. */
        check(pl_event_save(store, ev, &again, &err) == 0);
        check(!again.created && !again.event_changed && again.sessions_added == 0 &&
              again.sessions_changed == 0 && again.sessions_cancelled == 0 &&
              again.sessions_unchanged == (int)ev->nsessions);
        check(pl_event_load(&back, store, ev->slug, &err) == 0);
        check(strcmp(back->title, ev->title) == 0 && back->nsessions == ev->nsessions &&
              back->nspeakers == ev->nspeakers);
        check((j = pl_event_to_json(back)) != NULL);
        json_decref(j);
        pl_event_free(back);
    } else {
        check(rc == PL_EINVALID);
    }
    pl_event_free(ev);
    /* Every input starts from an empty database. */
    check(pl_store_test_exec(store, "DELETE FROM events", NULL) == 0);
    return 0;
}
