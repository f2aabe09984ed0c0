/*
 * fuzz_ics.c - fuzz the subscribe parser path: remote iCalendar bytes ->
 * pl_calendar_parse_external -> the all-events feed writer.
 *
 * Built two ways: with clang and -fsanitize=fuzzer (PLANNER_FUZZ=ON) as a
 * libFuzzer target, and always as a plain replay program (PL_FUZZ_REPLAY)
 * that runs every file of the corpus folders given on its command line, so
 * that CI replays the corpus under the sanitizers.
 */
#include "calendar.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pl_external_event *events = NULL;
    size_t n = 0, skipped = 0, len = 0;
    char *name = NULL, *feed = NULL;

    if (pl_calendar_parse_external(&events, &n, &name, &skipped, (const char *)data, size, "fuzz",
                                   NULL) == 0) {
        /* What was accepted must serialise, and within the folding rules. */
        if (pl_calendar_write_events(&feed, &len, NULL, 0, events, n, NULL, NULL) == 0) {
            for (size_t i = 0, start = 0; i < len; i++)
                if (feed[i] == '\n') {
                    if (i - start > 76 || feed[i - 1] != '\r')
                        abort();
                    start = i + 1;
                }
        }
    }
    free(feed);
    free(name);
    pl_external_list_free(events, n);
    return 0;
}

#ifdef PL_FUZZ_REPLAY
#include <dirent.h>
#include <stdio.h>

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f)
        return -1;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
        !(buf = malloc((size_t)n + 1)) || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput((const uint8_t *)buf, (size_t)n);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int count = 0;

    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        struct dirent *de;
        if (!d) {
            if (replay_file(argv[i]) < 0) {
                fprintf(stderr, "fuzz_ics: cannot read %s\n", argv[i]);
                return 1;
            }
            count++;
            continue;
        }
        while ((de = readdir(d))) {
            char path[4096];
            if (de->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
            if (replay_file(path) < 0) {
                fprintf(stderr, "fuzz_ics: cannot read %s\n", path);
                closedir(d);
                return 1;
            }
            count++;
        }
        closedir(d);
    }
    printf("fuzz_ics: replayed %d inputs\n", count);
    return count > 0 ? 0 : 1;
}
#endif
