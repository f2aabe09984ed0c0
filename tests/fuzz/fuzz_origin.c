/*
 * libFuzzer target for pl_origin_resolve (PLANNER_FUZZ=ON with clang, see
 * tests/CMakeLists.txt); its corpus is replayed by ctest with any compiler:
 *   build-fuzz/tests/fuzz_origin tests/fuzz/corpus/origin -max_total_time=60
 * Checks that any input yields a consistent, NUL-terminated result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "origin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[512];
    pl_origin o;

    if (size >= sizeof text)
        size = sizeof text - 1;
    memcpy(text, data, size);
    text[size] = '\0';

    int rc = pl_origin_resolve(&o, text);
    if ((rc == PL_OK) != (o.status == PL_ORIGIN_OK))
        abort();
    if (rc != PL_OK && rc != PL_ENOTFOUND)
        abort();
    if (o.status == PL_ORIGIN_OK && (o.precision == PL_ORIGIN_PRECISION_NONE || o.lat < -90 ||
                                     o.lat > 90 || o.lon < -180 || o.lon > 180))
        abort();
    if (o.status != PL_ORIGIN_OK && (o.precision != PL_ORIGIN_PRECISION_NONE || !o.reason[0]))
        abort();
    if (memchr(o.name, 0, sizeof o.name) == NULL || memchr(o.reason, 0, sizeof o.reason) == NULL)
        abort();
    return 0;
}
