#!/usr/bin/env bash
# bench_mail.sh - `planner mail send` of N confirmations (default 10,000)
# to a local SMTP server (bench/smtp_null.py), against the floor: curl
# sending the same messages, already built, over one connection. Prints a
# Markdown table, median of 3 runs. Run by hand, with nice:
#
#   nice -n 10 bench/bench_mail.sh [BUILD_DIR] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
N=${2:-10000}
PLANNER=$BUILD/cli/planner
GEN=$BUILD/bench/gen_registrations
PY=/usr/bin/python3
RUNS=3
[ -x "$PLANNER" ] && [ -x "$GEN" ] || { echo "bench_mail: build first: cmake --build $BUILD" >&2; exit 3; }
command -v curl >/dev/null || { echo "bench_mail: needs curl" >&2; exit 3; }
WORK=$(mktemp -d /tmp/planner-bench-mail-XXXXXX)
SINK_PID=
trap '[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_sink() {  # PORT [SAVE_DIR]
  $PY bench/smtp_null.py "$@" > "$WORK/sink.out" &
  SINK_PID=$!
  for _ in $(seq 100); do grep -q ready "$WORK/sink.out" 2>/dev/null && return; sleep 0.05; done
  echo "bench_mail: the SMTP sink did not start" >&2; exit 3
}
stop_sink() { kill "$SINK_PID"; wait "$SINK_PID" 2>/dev/null || true; SINK_PID=; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }

# N new people, all confirmed: N confirmations in the outbox.
"$GEN" "$N" > "$WORK/regs.csv"
"$GEN" --event bench $((N * 2)) $((N * 2)) > "$WORK/event.json"
export PLANNER_PROGRESS=never PLANNER_MAIL_RATE=0 PLANNER_MAIL_FROM='Bench <bench@example.org>'
"$PLANNER" --db "$WORK/base.db" event import "$WORK/event.json" 2>/dev/null
"$PLANNER" --db "$WORK/base.db" registrations import bench "$WORK/regs.csv" 2>/dev/null
queued=$("$PLANNER" --db "$WORK/base.db" mail list --status queued | wc -l)
[ "$queued" -eq "$N" ] || { echo "bench_mail: $queued queued, expected $N" >&2; exit 3; }

# The messages as planner sends them, saved once: curl replays these bytes.
mkdir "$WORK/msgs"
port=$(free_port); start_sink "$port" "$WORK/msgs"
cp "$WORK/base.db" "$WORK/run.db"
PLANNER_SMTP_URL=smtp://127.0.0.1:$port "$PLANNER" --db "$WORK/run.db" mail send --quiet 2>/dev/null
stop_sink
bytes=$(cat "$WORK/msgs"/*.eml | wc -c)

: > "$WORK/p"; : > "$WORK/c"; : > "$WORK/pcpu"; : > "$WORK/ccpu"
for _ in $(seq $RUNS); do
  port=$(free_port); start_sink "$port"
  rm -f "$WORK"/run.db*; cp "$WORK/base.db" "$WORK/run.db"; sync
  t0=$(ms)
  PLANNER_SMTP_URL=smtp://127.0.0.1:$port /usr/bin/time -f "%U %S" -o "$WORK/cpu" \
    "$PLANNER" --db "$WORK/run.db" mail send --quiet 2>/dev/null
  t1=$(ms)
  awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$WORK/cpu" >> "$WORK/pcpu"
  stop_sink
  got=$(tail -1 "$WORK/sink.out"); [ "$got" -eq "$N" ] || { echo "bench_mail: sink got $got" >&2; exit 3; }
  echo $((t1 - t0)) >> "$WORK/p"

  port=$(free_port); start_sink "$port"
  { echo 'mail-from = "bench@example.org"'; echo 'mail-rcpt = "someone@example.org"'; echo silent
    for f in "$WORK/msgs"/*.eml; do echo "url = \"smtp://127.0.0.1:$port\""; echo "upload-file = \"$f\""; done
  } > "$WORK/curl.cfg"
  t0=$(ms)
  /usr/bin/time -f "%U %S" -o "$WORK/cpu" curl --config "$WORK/curl.cfg"
  t1=$(ms)
  awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$WORK/cpu" >> "$WORK/ccpu"
  stop_sink
  got=$(tail -1 "$WORK/sink.out"); [ "$got" -eq "$N" ] || { echo "bench_mail: curl sink got $got" >&2; exit 3; }
  echo $((t1 - t0)) >> "$WORK/c"
done
p=$(median < "$WORK/p"); c=$(median < "$WORK/c")
pc=$(median < "$WORK/pcpu"); cc=$(median < "$WORK/ccpu")
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
echo "| messages | MB | planner mail send (s) | msg/s | CPU (s) | curl, pre-built, one connection (s) | msg/s | CPU (s) | planner / floor |"
echo "|---------:|---:|----------------------:|------:|--------:|------------------------------------:|------:|--------:|----------------:|"
awk -v n="$N" -v b="$bytes" -v p="$p" -v c="$c" -v pc="$pc" -v cc="$cc" 'BEGIN {
  printf "| %d | %.1f | %.2f | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f |\n", n, b/1e6, p/1000, n/(p/1000), pc/1000, c/1000, n/(c/1000), cc/1000, c/p }'
