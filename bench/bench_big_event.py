#!/usr/bin/python3
"""bench_big_event.py - a sign-up and the event page on an event with
100,000 registrations (issue 10, item 12). A benchmark, not a test.

    bench/bench_big_event.py [BUILD_DIR=build] [N=100000] [SIGNUPS=30]

Generates N registrations with bench/gen_registrations (an event with room
for all, workshops of N/5 places), imports them, starts `planner serve`,
then SIGNUPS times: one JSON sign-up, then GET /e/big (the page is rebuilt
after every change). Prints the median and worst of each, and a cold GET.
"""
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
SIGNUPS = int(sys.argv[3]) if len(sys.argv) > 3 else 30
BIN = os.path.join(BUILD, "cli", "planner")
GEN = os.path.join(BUILD, "bench", "gen_registrations")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(port, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"} if body else {}
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    took = time.perf_counter() - started
    conn.close()
    return took, r.status, len(data)


def main():
    tmp = tempfile.mkdtemp(prefix="planner-bench-big-")
    db = os.path.join(tmp, "big.db")
    env = dict(os.environ, PLANNER_PROGRESS="never", PLANNER_ADMIN_TOKEN="bench-admin-0123456789")
    with open(os.path.join(tmp, "regs.csv"), "w") as f:
        subprocess.run([GEN, str(N)], stdout=f, check=True)
    with open(os.path.join(tmp, "event.json"), "w") as f:
        subprocess.run([GEN, "--event", "big", str(2 * N), str(N // 5)], stdout=f, check=True)
    subprocess.run([BIN, "--db", db, "event", "import", os.path.join(tmp, "event.json")],
                   check=True, capture_output=True, env=env)
    subprocess.run([BIN, "--db", db, "registrations", "import", "big",
                    os.path.join(tmp, "regs.csv")], check=True, capture_output=True, env=env)
    port = free_port()
    proc = subprocess.Popen([BIN, "--db", db, "serve", "--port", str(port), "--quiet"],
                            stderr=subprocess.DEVNULL, env=env)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        cold, status, size = timed(port, "GET", "/e/big")
        assert status == 200, status
        signups, pages = [], []
        for i in range(SIGNUPS):
            body = json.dumps({"name": "Bench %d" % i, "email": "bench%d@example.org" % i,
                               "travel": "none", "public": True,
                               "sessions": ["atelier-pdie"]})
            took, status, _ = timed(port, "POST", "/e/big/register", body)
            assert status == 201, status
            signups.append(took)
            took, status, size = timed(port, "GET", "/e/big")
            assert status == 200, status
            pages.append(took)
        hot, _, _ = timed(port, "GET", "/e/big")
        print("| %d registrations | median | worst |" % N)
        print("|---|---:|---:|")
        print("| sign-up (JSON POST, 201) | %.1f ms | %.1f ms |" % (
            1000 * statistics.median(signups), 1000 * max(signups)))
        print("| GET /e/big after a sign-up (page rebuilt) | %.1f ms | %.1f ms |" % (
            1000 * statistics.median(pages), 1000 * max(pages)))
        print("| GET /e/big, first (cold) / unchanged (cached) | %.1f ms | %.1f ms |" % (
            1000 * cold, 1000 * hot))
        print("page size: %d bytes; %d sign-ups; %s; %s" % (
            size, SIGNUPS, BIN, time.strftime("%Y-%m-%d", time.gmtime())))
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
