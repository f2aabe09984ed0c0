#!/usr/bin/env bash
# bench_export.sh - `export registrants` and `export pack` at N registrations
# (default 100000) against the floor (the same cells written with
# libxlsxwriter alone, no database). Each figure is the best of RUNS runs
# (default 5); peak memory is the process's peak resident set.
#
#   bench/bench_export.sh [BUILD_DIR] [N] [RUNS]
#
# Prints a Markdown table for docs/BENCHMARKS.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
N=${2:-100000}
RUNS=${3:-5}
BENCH=$BUILD/bench/bench_export
EVENT=$ROOT/sample-events/atelier-cem-2.json
WORK=$(mktemp -d /tmp/bench-export-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

[ -x "$BENCH" ] || { echo "bench_export.sh: build first (cmake --build $BUILD)" >&2; exit 2; }
echo "bench_export.sh: generating $N registrations..." >&2
"$BENCH" gen "$WORK/bench.db" "$N" "$EVENT"

for i in $(seq "$RUNS"); do
  "$BENCH" registrants "$WORK/bench.db" "$WORK/r.xlsx"
  "$BENCH" floor-registrants "$N" "$WORK/fr.xlsx"
  "$BENCH" pack "$WORK/bench.db" "$WORK/p.xlsx"
  "$BENCH" floor-pack "$N" "$EVENT" "$WORK/fp.xlsx"
done | awk -v n="$N" '
  { if (!($1 in w) || $2 < w[$1]) w[$1] = $2
    if (!($1 in c) || $3 < c[$1]) c[$1] = $3
    if ($4 > m[$1]) m[$1] = $4 }
  END {
    printf "| export (%d registrations) | wall s | CPU s | peak MiB | floor wall s | floor CPU s | floor MiB | ratio wall | ratio CPU |\n", n
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    split("registrants pack", ks, " ")
    for (i = 1; i <= 2; i++) {
      k = ks[i]; f = "floor-" k
      printf "| %s | %.2f | %.2f | %.1f | %.2f | %.2f | %.1f | %.2fx | %.2fx |\n", k, w[k], c[k],
             m[k] / 1024, w[f], c[f], m[f] / 1024, w[k] / w[f], c[k] / c[f]
    }
  }'
