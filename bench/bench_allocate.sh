#!/usr/bin/env bash
# bench_allocate.sh - the workshop allocation: time on 10,000 people (3 slots
# of 8 workshops), then optimality against glpsol (GLPK's LP solver, Debian
# glpk-utils) on 200-person instances, scarce and ample capacities.
#
#   bench/bench_allocate.sh [BUILD_DIR]       (default: build)
# Results go to docs/BENCHMARKS.md, "Workshop allocation".
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build}/bench/bench_allocate
command -v glpsol >/dev/null || { echo "bench_allocate: needs glpsol (apt-get install glpk-utils)" >&2; exit 3; }
echo "== time, 10,000 people, 3 slots x 8 workshops, 3 runs"
for seed in 1 2 3; do "$BIN" 10000 "$seed" | tail -1; done
echo "== optimality against glpsol, 200 people"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
same=0; total=0
for pct in 60 80 105; do
  for seed in $(seq 1 10); do
    ours=$("$BIN" --lp "$tmp/a.lp" 200 "$seed" "$pct" | awk '{print $2}')
    glpsol --lp "$tmp/a.lp" -o "$tmp/a.out" >/dev/null
    theirs=$(awk '/^Objective:/ {print $4}' "$tmp/a.out")
    total=$((total + 1))
    if [ "$ours" = "$theirs" ]; then same=$((same + 1)); else echo "capacity $pct% seed $seed: ours $ours, glpsol $theirs"; fi
  done
done
echo "$same of $total instances: the same optimum as glpsol"
[ "$same" = "$total" ]
