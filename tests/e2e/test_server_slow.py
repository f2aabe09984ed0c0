#!/usr/bin/python3
"""End-to-end tests of `planner serve` under slow clients and a held write
lock (issue 10, items 10 and 11): the real binary on loopback, a temp
database, raw sockets.

Run with Debian's /usr/bin/python3; PLANNER_BIN and PLANNER_SOURCE_DIR come
from the environment (tests/CMakeLists.txt sets them).
"""
import os
import selectors
import shutil
import socket
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_server import SAMPLE, Server, run_cli  # noqa: E402

SLUG = "atelier-cem-2"


def slow_client(port, source):
    """A connection from source that has sent a request line and one header,
    and never finishes its request."""
    s = socket.socket()
    s.setblocking(True)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /events.ics HTTP/1.1\r\nHost: x\r\n")
    s.setblocking(False)
    return s


def closed_by_peer(s):
    try:
        return s.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


class SlowClientsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="planner-slow-")
        db = os.path.join(self.tmp, "planner.db")
        self.assertEqual(run_cli(db, "event", "import", SAMPLE).returncode, 0)
        self.socks = []
        self.srv = None

    def tearDown(self):
        for s in self.socks:
            s.close()
        if self.srv:
            self.srv.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_a_request_sent_a_line_at_a_time_is_cut_at_the_deadline(self):
        self.srv = Server(self.tmp, extra=("--request-timeout", "2"))
        s = slow_client(self.srv.port, "127.0.0.1")
        self.socks.append(s)
        started = time.time()
        # One more header line every 0.5 s: never idle, never finished.
        while time.time() - started < 6 and not closed_by_peer(s):
            try:
                s.sendall(b"X-Slow: %d\r\n" % int(time.time()))
            except OSError:
                break
            time.sleep(0.5)
        took = time.time() - started
        self.assertLess(took, 4, "the slow request was not cut after 2 s")
        self.assertGreater(took, 1.5, "cut before its deadline")
        # Whole requests are still answered.
        self.assertEqual(self.srv.get("/events.ics")[0], 200)

    def test_three_hundred_slow_connections_do_not_lock_others_out(self):
        # A connection limit of 300, all of it taken by slow clients from five
        # addresses (60 each, under the 256 per address): before deadlines,
        # no one else could connect until they gave up.
        self.srv = Server(self.tmp, extra=("--max-connections", "300", "--quiet"))
        for i in range(300):
            self.socks.append(slow_client(self.srv.port, "127.0.0.%d" % (2 + i % 5)))
        time.sleep(0.3)
        started = time.time()
        c = socket.create_connection(("127.0.0.1", self.srv.port), timeout=5,
                                     source_address=("127.0.0.7", 0))
        try:
            c.sendall(b"GET /events.ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                data += chunk
        finally:
            c.close()
        took = time.time() - started
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:100])
        self.assertIn(b"BEGIN:VCALENDAR", data)
        # Over three quarters full, a request has 1 s: the reaper runs every
        # 0.25 s, so a place is free within about 1.3 s of the slow ones'
        # start.
        self.assertLess(took, 2.0)
        time.sleep(0.3)
        self.assertTrue(all(closed_by_peer(s) for s in self.socks),
                        "the slow connections were not closed")


if __name__ == "__main__":
    unittest.main()
