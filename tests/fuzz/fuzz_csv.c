/*
 * fuzz_csv.c - libFuzzer target for the CSV reader (planner/csv.c).
 *
 * Any input must be read without a crash, a leak or undefined behaviour, and
 * every record read must survive a round trip: written back with
 * pl_csv_write_field and read again (same separator), it gives the same
 * fields. Header folding runs on every field too.
 *
 * Built with clang and -fsanitize=fuzzer when PLANNER_FUZZ=ON; otherwise
 * linked with replay.c, which runs the files of tests/fuzz/corpus/csv/
 * through it as a normal test.
 */
#include "csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(pl_csv *csv)
{
    char sep = pl_csv_separator(csv);
    size_t n = pl_csv_count(csv);
    pl_buf b = PL_BUF_INIT;
    pl_csv *again = NULL;

    /* A record of one empty field is a blank line: nothing to write back. A
     * leading byte-order mark would be taken for the file's. */
    if (n == 1 && pl_csv_field_len(csv, 0) == 0)
        return;
    if (strncmp(pl_csv_field(csv, 0), "\xEF\xBB\xBF", 3) == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        if (i && pl_buf_append(&b, &sep, 1) < 0)
            abort();
        if (pl_csv_write_field(&b, pl_csv_field(csv, i), sep, 0) < 0)
            abort();
    }
    if (pl_buf_append(&b, "\n", 1) < 0)
        abort();
    if (pl_csv_open_mem(&again, b.data, b.len, "again", sep, NULL) < 0)
        abort();
    if (pl_csv_next(again, NULL) != 1 || pl_csv_count(again) != n)
        abort();
    for (size_t i = 0; i < n; i++) {
        const char *x = pl_csv_field(csv, i), *y = pl_csv_field(again, i);
        /* Spaces around a bare field are kept; spaces around a quoted one are
         * dropped: the writer quotes padded fields, so both agree. */
        if (strcmp(x, y) != 0)
            abort();
    }
    if (pl_csv_next(again, NULL) != 0)
        abort();
    pl_csv_free(again);
    pl_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pl_csv *csv = NULL;
    int rc, last_line = 0;
    pl_error err;

    if (pl_csv_open_mem(&csv, (const char *)data, size, "fuzz.csv", 0, &err) < 0)
        return 0;
    while ((rc = pl_csv_next(csv, &err)) == 1) {
        char key[64];
        if (pl_csv_line(csv) <= last_line || pl_csv_count(csv) == 0)
            abort();
        last_line = pl_csv_line(csv);
        for (size_t i = 0; i < pl_csv_count(csv); i++) {
            if (strlen(pl_csv_field(csv, i)) != pl_csv_field_len(csv, i))
                abort();
            pl_csv_fold(key, sizeof(key), pl_csv_field(csv, i));
        }
        round_trip(csv);
    }
    if (rc < 0 && (err.line < 0 || !err.msg[0]))
        abort();
    if (pl_csv_offset(csv) > (long long)size)
        abort();
    pl_csv_free(csv);
    return 0;
}
