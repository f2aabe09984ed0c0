#!/usr/bin/env bash
# bench_import.sh - time `planner registrations import` against the floor,
# sqlite3's own `.import` of the same file into a table of the same shape
# (ten text columns, no index, no checks), at 10,000 and 100,000 rows.
# Prints a Markdown table: median of 3 runs, wall time and peak memory.
#
#   bench/bench_import.sh [BUILD_DIR] [SIZES...]     (default: build 10000 100000)
#
# Needs sqlite3 and GNU time (/usr/bin/time; Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
shift || true
SIZES=${*:-10000 100000}
PLANNER=$BUILD/cli/planner
GEN=$BUILD/bench/gen_registrations
RUNS=3
for tool in sqlite3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench_import: needs $tool" >&2; exit 3; }
done
[ -x "$PLANNER" ] && [ -x "$GEN" ] || { echo "bench_import: build first: cmake --build $BUILD" >&2; exit 3; }
WORK=$(mktemp -d /tmp/planner-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# "seconds kilobytes" of one command: wall time to the millisecond (GNU
# time's %e has centiseconds only), peak resident memory from GNU time.
measure() {
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || {
    cat "$WORK/stderr" >&2; exit 3; }
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 )) $(cat "$WORK/time")" | awk '{ printf "%.3f %s\n", $1 / 1000, $2 }'
}

median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }

echo "| rows | planner import (s) | peak RSS (MB) | sqlite3 .import (s) | peak RSS (MB) | ratio |"
echo "|-----:|-------------------:|--------------:|--------------------:|--------------:|------:|"
for n in $SIZES; do
  csv=$WORK/regs-$n.csv
  "$GEN" "$n" > "$csv"
  # Half the event's places and a tenth per workshop: both the confirmed and
  # the waiting-list paths are taken.
  "$GEN" --event bench $((n / 2)) $((n / 10)) > "$WORK/event.json"
  : > "$WORK/p.s"; : > "$WORK/p.m"; : > "$WORK/f.s"; : > "$WORK/f.m"
  for _ in $(seq $RUNS); do
    rm -f "$WORK"/p.db*
    PLANNER_PROGRESS=never "$PLANNER" --db "$WORK/p.db" event import "$WORK/event.json" 2>/dev/null
    read -r s m < <(measure env PLANNER_PROGRESS=never "$PLANNER" --db "$WORK/p.db" \
                    registrations import bench "$csv")
    echo "$s" >> "$WORK/p.s"; echo "$m" >> "$WORK/p.m"
    rm -f "$WORK/f.db"
    sqlite3 "$WORK/f.db" "CREATE TABLE registrations (nom TEXT, courriel TEXT, structure TEXT,
      commune TEXT, mode TEXT, places TEXT, repas TEXT, regime TEXT, liste_publique TEXT,
      sessions TEXT);"
    read -r s m < <(measure sqlite3 "$WORK/f.db" -cmd ".mode csv" -cmd ".separator ;" \
                    ".import --skip 1 $csv registrations")
    echo "$s" >> "$WORK/f.s"; echo "$m" >> "$WORK/f.m"
  done
  rows=$(sqlite3 "$WORK/f.db" "SELECT count(*) FROM registrations")
  got=$(sqlite3 "$WORK/p.db" "SELECT count(*) FROM registrations")
  [ "$rows" = "$n" ] && [ "$got" = "$n" ] || { echo "bench_import: $n rows, floor $rows, planner $got" >&2; exit 3; }
  ps=$(median < "$WORK/p.s"); pm=$(median < "$WORK/p.m")
  fs=$(median < "$WORK/f.s"); fm=$(median < "$WORK/f.m")
  awk -v n="$n" -v ps="$ps" -v pm="$pm" -v fs="$fs" -v fm="$fm" 'BEGIN {
    printf "| %d | %.3f | %.1f | %.3f | %.1f | %.1f× |\n", n, ps, pm / 1024, fs, fm / 1024,
           (fs > 0 ? ps / fs : 0) }'
done
