#!/usr/bin/env bash
# bench_server.sh - requests per second and latency of `planner serve` on
# loopback, measured with wrk, against nginx serving the same feed bytes as a
# static file (the floor to compare with). A benchmark, not a test.
#
#   bench/bench_server.sh [PLANNER_BIN] [SECONDS]
#
# Needs wrk and nginx (Debian packages wrk, nginx-light or nginx). Prints a
# Markdown table for docs/BENCHMARKS.md. Connections: 64, wrk threads: 2.
set -euo pipefail

BIN=${1:-build/cli/planner}
SECS=${2:-10}
CONNS=${CONNS:-64}
SLUG=atelier-cem-2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
command -v wrk >/dev/null || { echo "bench_server: install wrk" >&2; exit 2; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bench_server: install nginx-light" >&2; exit 2; }

TMP=$(mktemp -d /tmp/planner-bench-server-XXXXXX)
SRV_PID=""
NGX_PID=""
cleanup() {
  [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null || true
  [ -n "$NGX_PID" ] && kill "$NGX_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.05; done; return 1; }

"$BIN" --db "$TMP/planner.db" event import "$ROOT/sample-events/$SLUG.json" 2>/dev/null
P1=$(free_port)
PLANNER_ADMIN_TOKEN=bench-admin-token-0123456789 "$BIN" --db "$TMP/planner.db" serve \
  --port "$P1" --quiet 2>"$TMP/server.log" &
SRV_PID=$!
wait_port "$P1"

# The feed, or (while calendar/ is not built in) the event's JSON, which goes
# through the same cache, ETag and conditional code.
FEED=/e/$SLUG.ics
if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P1$FEED")" != 200 ]; then
  FEED=/e/$SLUG.json
  echo "bench_server: feeds not built in; measuring $FEED instead" >&2
fi
mkdir -p "$TMP/www/e"
curl -s -o "$TMP/www$FEED" "http://127.0.0.1:$P1$FEED"
ETAG=$(curl -sI "http://127.0.0.1:$P1$FEED" | tr -d '\r' | sed -n 's/^ETag: //Ip')

P2=$(free_port)
cat >"$TMP/nginx.conf" <<CONF
worker_processes auto;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_requests 1000000;
  types { text/calendar ics; application/json json; }
  server { listen 127.0.0.1:$P2; root $TMP/www; etag on; gzip off; }
}
CONF
"$NGINX" -c "$TMP/nginx.conf" -p "$TMP" &
NGX_PID=$!
wait_port "$P2" || true
NGX_ETAG=$(curl -sI "http://127.0.0.1:$P2$FEED" | tr -d '\r' | sed -n 's/^ETag: //Ip')

run() { # run KEY NAME URL [HEADER]
  local key=$1; shift
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H "$3" "$2")
  else
    out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$2")
  fi
  local rps avg p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  avg=$(echo "$out" | awk '/^    Latency/ {print $2}')
  p99=$(echo "$out" | awk '/^ +99%/ {print $2}')
  printf '| %s | %s | %s | %s |\n' "$1" "$rps" "$avg" "$p99"
  echo "$rps" >"$TMP/rps.$key"
}

echo "| request ($CONNS connections, ${SECS}s, wrk -t2) | req/s | latency avg | latency p99 |"
echo "|---|---:|---:|---:|"
run p200 "planner GET $FEED (200)" "http://127.0.0.1:$P1$FEED"
run n200 "nginx static GET $FEED (200)" "http://127.0.0.1:$P2$FEED"
run p304 "planner GET $FEED (304)" "http://127.0.0.1:$P1$FEED" "If-None-Match: $ETAG"
run n304 "nginx static GET $FEED (304)" "http://127.0.0.1:$P2$FEED" "If-None-Match: $NGX_ETAG"
run page "planner GET /e/$SLUG (page, 200)" "http://127.0.0.1:$P1/e/$SLUG"
a=$(cat "$TMP/rps.p200"); b=$(cat "$TMP/rps.n200"); c=$(cat "$TMP/rps.p304"); d=$(cat "$TMP/rps.n304")
echo
echo "feed 200: planner/nginx = $(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.0f %%", 100*a/b}')"
echo "feed 304: planner/nginx = $(awk -v a="$c" -v b="$d" 'BEGIN{printf "%.0f %%", 100*a/b}')"
echo "feed size: $(stat -c %s "$TMP/www$FEED") bytes; machine: $(nproc) cores, $(uname -sr); $(date -u +%Y-%m-%d)"
