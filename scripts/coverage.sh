#!/bin/sh
# Branch coverage of planner/ and server/ (docs/testing.md): a build with
# PLANNER_COVERAGE=ON in build-coverage/, the whole test suite, then gcovr.
#   scripts/coverage.sh            summary per folder and in all
#   scripts/coverage.sh --html     also build-coverage/coverage.html
set -eu
cd "$(dirname "$0")/.."
BUILD=build-coverage
cmake -S . -B "$BUILD" -DPLANNER_COVERAGE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
find "$BUILD" -name '*.gcda' -delete
ctest --test-dir "$BUILD" -j"$(nproc)" --output-on-failure || true
# gcovr 5.2 replaces the file given to -o by renaming over it: given
# /dev/null, run as root, it turned the device into a regular file.
REPORT="$BUILD/summary.txt"
for dir in planner server; do
  printf '%s: ' "$dir"
  gcovr --root . --object-directory "$BUILD" --filter "$dir/" --exclude 'data/' --exclude 'planner/store/store_test.c' \
        --exclude-unreachable-branches --exclude-throw-branches \
        --print-summary -o "$REPORT" | grep -E '^(lines|branches)' | tr '\n' ' '
  echo
done
if [ "${1:-}" = "--html" ]; then
  gcovr --root . --object-directory "$BUILD" --filter 'planner/' --filter 'server/' --exclude 'planner/store/store_test.c' \
        --exclude-unreachable-branches --html-details "$BUILD/coverage.html"
  echo "wrote $BUILD/coverage.html"
fi
