#!/usr/bin/python3
"""bench_slow_clients.py - slowloris against `planner serve` (issue 10, item
10): N slow connections from five loopback addresses (127.0.0.2-6), each
sending one header line every 5 s and never finishing its request, and
reopened whenever the server closes it; meanwhile a normal client from
127.0.0.7 asks for /events.ics twice a second. Prints how long the normal
client waited (and whether it was refused). A benchmark, not a test; the
regression test is tests/e2e/test_server_slow.py.

    bench/bench_slow_clients.py [PLANNER_BIN] [SLOW=1500] [SECONDS=30]

Uses the server's defaults (no option given), so the figures are those of a
plain `planner serve`.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/cli/planner"
SLOW = int(sys.argv[2]) if len(sys.argv) > 2 else 1500
SECS = float(sys.argv[3]) if len(sys.argv) > 3 else 30
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_slow(port, source):
    s = socket.socket()
    s.bind((source, 0))
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /events.ics HTTP/1.1\r\nHost: x\r\n")
    except OSError:
        s.close()
        return None
    s.setblocking(False)
    return s


def alive(s):
    try:
        return s.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def normal_get(port):
    started = time.time()
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=10,
                                     source_address=("127.0.0.7", 0))
        c.sendall(b"GET /events.ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
        c.close()
        ok = data.startswith(b"HTTP/1.1 200")
    except OSError:
        ok = False
    return time.time() - started, ok


def main():
    tmp = tempfile.mkdtemp(prefix="planner-bench-slow-")
    db = os.path.join(tmp, "planner.db")
    subprocess.run([BIN, "--db", db, "event", "import",
                    os.path.join(ROOT, "sample-events", "atelier-cem-2.json")],
                   check=True, capture_output=True)
    port = free_port()
    env = dict(os.environ, PLANNER_ADMIN_TOKEN="bench-admin-token-0123456789")
    proc = subprocess.Popen([BIN, "--db", db, "serve", "--port", str(port), "--quiet"],
                            stderr=subprocess.DEVNULL, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        slow = [None] * SLOW
        opened = reopened = 0
        times, failures = [], 0
        last_line = 0.0
        end = time.time() + SECS
        next_get = time.time() + 2
        while time.time() < end:
            now = time.time()
            for i in range(SLOW):  # keep SLOW of them open, as an attacker would
                if slow[i] is not None and not alive(slow[i]):
                    slow[i].close()
                    slow[i] = None
                    reopened += 1
                if slow[i] is None:
                    slow[i] = open_slow(port, "127.0.0.%d" % (2 + i % 5))
                    opened += slow[i] is not None
            if now - last_line >= 5:  # one header line every 5 s
                for s in slow:
                    if s is not None:
                        try:
                            s.send(b"X-Slow: 1\r\n")
                        except OSError:
                            pass
                last_line = now
            if now >= next_get:
                took, ok = normal_get(port)
                times.append(took)
                failures += not ok
                next_get = time.time() + 0.5
            time.sleep(0.05)
        held = sum(1 for s in slow if s is not None and alive(s))
        times.sort()
        print("| slow connections wanted | opened (with reopenings) | open at the end "
              "| normal GETs | failed | median | p99 | max |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        print("| %d | %d | %d | %d | %d | %.1f ms | %.1f ms | %.1f ms |" % (
            SLOW, opened, held, len(times), failures,
            1000 * times[len(times) // 2], 1000 * times[int(len(times) * 0.99)],
            1000 * times[-1]))
        print("slow connections closed by the server and reopened: %d; %s; %s" % (
            reopened, BIN, time.strftime("%Y-%m-%d", time.gmtime())))
        for s in slow:
            if s is not None:
                s.close()
    finally:
        proc.terminate()
        proc.wait()
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
