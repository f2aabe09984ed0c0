#!/usr/bin/python3
"""Adversarial end-to-end tests of `planner serve`: what a hostile or merely
unlucky client sends (refused bodies on secret URLs, control characters in
URLs, bytes that are not UTF-8, conditional requests after a change), each
against the real binary on 127.0.0.1 with a temp database.

Run with Debian's /usr/bin/python3; PLANNER_BIN and PLANNER_SOURCE_DIR come
from the environment (tests/CMakeLists.txt sets them).
"""
import email.utils
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_server import ADMIN, BIN, Server, free_port, make_events, run_cli  # noqa: E402

SLUG = "atelier-cem-2"
SRC_EVENTS = os.path.join(os.environ.get("PLANNER_SOURCE_DIR",
                                         os.path.join(os.path.dirname(__file__), "..", "..")),
                          "sample-events")


class ServerReviewTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="planner-review-")
        cls.db = os.path.join(cls.tmp, "planner.db")
        files = make_events(cls.tmp)
        with open(files[0], encoding="utf-8") as f:
            small = json.load(f)
        small.update(slug="petit", capacity=1)
        for session in small["sessions"]:
            session.pop("capacity", None)
        files.append(os.path.join(cls.tmp, "petit.json"))
        with open(files[-1], "w", encoding="utf-8") as f:
            json.dump(small, f, ensure_ascii=False)
        r = run_cli(cls.db, "event", "import", *files)
        assert r.returncode == 0, r.stderr
        cls.srv = Server(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def form_token(self, path):
        page = self.srv.get(path)[2].decode()
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def post_form(self, path, body):
        return self.srv.request("POST", path, body, {
            "Content-Type": "application/x-www-form-urlencoded"})

    def register_json(self, data, slug=SLUG):
        s, h, body = self.srv.request("POST", "/e/%s/register" % slug, data)
        self.assertEqual(s, 201, body)
        return json.loads(body)

    # ---- the access log -------------------------------------------------------
    def test_refused_requests_do_not_log_the_token(self):
        reg = self.register_json({"name": "Log Person", "email": "log@example.org"})
        token = reg["page"].rsplit("/", 1)[1]
        path = "/me/%s/cancel" % token
        # refused before routing: wrong body type, then no Content-Length
        s, _, _ = self.srv.request("POST", path, b"x", {"Content-Type": "text/plain"})
        self.assertEqual(s, 415)
        s, _, _ = self.srv.request("POST", path, b"{}", {
            "Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        self.assertIn(s, (400, 411))
        log = self.srv.read_log()
        self.assertIn("POST /me/<token>/cancel 415", log)
        self.assertNotIn(token, log)

    def test_log_lines_cannot_be_forged_through_the_url(self):
        s, _, _ = self.srv.get("/nothing%0aplanner:%20GET%20/forged%20200%200.1ms")
        self.assertEqual(s, 404)
        # The access line is written after the reply is sent: wait for it.
        deadline = time.time() + 5
        while "/nothing" not in self.srv.read_log() and time.time() < deadline:
            time.sleep(0.02)
        lines = self.srv.read_log().splitlines()
        self.assertFalse([line for line in lines if line.startswith("planner: GET /forged")],
                         lines[-3:])
        self.assertTrue([line for line in lines if "/nothing\\x0aplanner:" in line], lines[-3:])

    # ---- input that is not text -----------------------------------------------
    def test_form_bytes_that_are_not_utf8_are_refused(self):
        csrf = self.form_token("/e/" + SLUG)
        base = "csrf=%s&email=%s&travel=none&public=1&name=" % (urllib.parse.quote(csrf), "%s")
        for i, bad in enumerate(("Bad%FF%FEname", "Ctl%01%1B[31mname", "Half%C3")):
            body = (base % ("notutf8-%d%%40example.org" % i) + bad).encode()
            s, _, page = self.post_form("/e/%s/register" % SLUG, body)
            self.assertEqual(s, 400, (bad, page[:300]))
            self.assertIn(b"name", page)
        # nothing was stored: every export of the list still reads back
        s, _, data = self.srv.get("/admin/e/%s/registrants.json" % SLUG,
                                  Authorization="Bearer " + ADMIN)
        self.assertEqual(s, 200)
        self.assertNotIn(b"notutf8", data)
        json.loads(data.decode("utf-8"))

    def test_control_characters_in_json_are_refused(self):
        s, _, body = self.srv.request("POST", "/e/%s/register" % SLUG, {
            "name": "Esc\u001b[2Jape", "email": "esc@example.org"})
        self.assertEqual(s, 400, body)
        self.assertEqual(json.loads(body)["field"], "name")
        # tabs and line breaks are ordinary text
        reg = self.register_json({"name": "Two\tWords", "email": "tab@example.org",
                                  "diet": "sans gluten\nsans lactose"})
        self.assertEqual(reg["status"], "confirmed")

    def test_right_to_left_overrides_stay_inside_the_name(self):
        # U+202E would otherwise turn the rest of the line (the organization,
        # a pickup place, a phone number) around on the screen.
        name = "\u202eJean \u05d3\u05d5\u05d3"
        self.register_json({"name": name, "email": "rlo@example.org", "organization": "Org \u202e",
                            "public": True})
        page = self.srv.get("/e/" + SLUG)[2].decode()
        self.assertIn('<li><bdi>%s</bdi> <span class="muted">(<bdi>Org \u202e</bdi>)</span></li>'
                      % name, page)

    # ---- conditional GET ------------------------------------------------------
    def test_event_page_is_not_304_after_a_registration(self):
        path = "/e/" + SLUG
        s, h, _ = self.srv.get(path)
        self.assertEqual(s, 200)
        since = h["last-modified"]
        # Last-Modified has a resolution of one second
        time.sleep(1.1)
        self.register_json({"name": "Zoé Publique", "email": "zoe@example.org", "public": True})
        s, h, page = self.srv.get(path, **{"If-Modified-Since": since})
        self.assertEqual(s, 200, "a page listing a new participant answered 304")
        self.assertIn("Zoé Publique", page.decode())
        self.assertGreater(email.utils.parsedate_to_datetime(h["last-modified"]),
                           email.utils.parsedate_to_datetime(since))
        # and with nothing new since, 304 still
        s, _, _ = self.srv.get(path, **{"If-Modified-Since": h["last-modified"]})
        self.assertEqual(s, 304)

    def test_waiting_position_is_not_304_after_someone_ahead_leaves(self):
        regs = [self.register_json({"name": "Attente %d" % i, "email": "wait%d@example.org" % i},
                                   slug="petit") for i in range(3)]
        self.assertEqual([r["status"] for r in regs], ["confirmed", "waitlisted", "waitlisted"])
        last = "/me/" + regs[2]["page"].rsplit("/", 1)[1]
        s, h, _ = self.srv.get(last + ".json")
        self.assertEqual((s, json.loads(_)["waitlist_position"]), (200, 2))
        since = {"If-Modified-Since": h["last-modified"]}
        time.sleep(1.1)
        ahead = "/me/" + regs[1]["page"].rsplit("/", 1)[1]
        self.assertEqual(self.srv.request("POST", ahead + "/cancel", {})[0], 200)
        s, _, body = self.srv.get(last + ".json", **since)
        self.assertEqual(s, 200, "a waiting position that moved answered 304")
        self.assertEqual(json.loads(body)["waitlist_position"], 1)
        s, _, page = self.srv.get(last, **since)
        self.assertEqual(s, 200)
        self.assertIn("position 1", page.decode())


class SeatCountersTest(unittest.TestCase):
    """Issue 10, item 12: the seats the sign-ups and the page read are
    counters the store's triggers keep; after every kind of change they must
    equal a count of the registrations themselves."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="planner-counts-")
        self.srv = Server(self.tmp)
        with open(os.path.join(SRC_EVENTS, SLUG + ".json"), encoding="utf-8") as f:
            ev = json.load(f)
        for session in ev["sessions"]:  # two full workshops: waiting lists form
            if session["id"] in ("atelier-pdie", "atelier-flottes"):
                session["capacity"] = 3
        path = os.path.join(self.tmp, "ev.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(ev, f, ensure_ascii=False)
        self.assertEqual(run_cli(self.srv.db, "event", "import", path).returncode, 0)

    def tearDown(self):
        self.srv.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def check_counters(self):
        db = sqlite3.connect(self.srv.db, timeout=10)
        try:
            for eid, kept, public in db.execute(
                    "SELECT id, confirmed_count, public_count FROM events"):
                real = db.execute("SELECT count(*), coalesce(sum(public_list <> 0), 0) "
                                  "FROM registrations WHERE event_id = ? AND "
                                  "status = 'confirmed'", (eid,)).fetchone()
                self.assertEqual((kept, public), real)
            for sid, key, kept in db.execute("SELECT id, key, confirmed_count FROM sessions"):
                real = db.execute(
                    "SELECT count(*) FROM registration_sessions rs JOIN registrations r ON "
                    "r.id = rs.registration_id WHERE rs.session_id = ? AND "
                    "rs.status = 'confirmed' AND r.status = 'confirmed'", (sid,)).fetchone()[0]
                self.assertEqual(kept, real, key)
        finally:
            db.close()

    def test_counters_follow_sign_ups_changes_cancellations_and_promotions(self):
        tokens = []
        for i in range(12):
            s, _, body = self.srv.request("POST", "/e/%s/register" % SLUG, {
                "name": "P%d" % i, "email": "p%d@example.org" % i, "travel": "none",
                "public": i % 2 == 0,
                "sessions": [["atelier-pdie", "atelier-flottes"][i % 2]]})
            self.assertEqual(s, 201, body)
            tokens.append(json.loads(body)["page"].rsplit("/", 1)[1])
        self.check_counters()
        # a confirmed person cancels: the first waiting one is promoted
        self.assertEqual(self.srv.request("POST", "/me/%s/cancel" % tokens[0], {})[0], 200)
        self.check_counters()
        # a change of sessions and of consent through the command line
        r = run_cli(self.srv.db, "register", SLUG, "--name", "P1", "--email", "p1@example.org",
                    "--session", "atelier-covoiturage", "--public")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_counters()
        # the page shows the counted places
        page = self.srv.get("/e/%s" % SLUG)[2].decode()
        self.assertIn("Participants (", page)
        self.check_counters()


class HardeningTest(unittest.TestCase):
    """Issue 10, item 13: the server's smaller defects, each on its own
    server."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="planner-harden-")
        self.db = os.path.join(self.tmp, "planner.db")
        self.assertEqual(run_cli(self.db, "event", "import", *make_events(self.tmp)).returncode, 0)
        self.srv = None

    def tearDown(self):
        if self.srv:
            self.srv.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def post_form(self, fields, **headers):
        csrf = re.search(r'name="csrf" value="([^"]+)"',
                         self.srv.get("/e/%s" % SLUG)[2].decode()).group(1)
        body = urllib.parse.urlencode(dict(csrf=csrf, travel="none", **fields)).encode()
        return self.srv.request("POST", "/e/%s/register" % SLUG, body, {
            "Content-Type": "application/x-www-form-urlencoded", **headers})

    def test_base_url_is_the_only_origin_a_form_may_come_from(self):
        self.srv = Server(self.tmp, extra=("--base-url", "https://agenda.example.org/"))
        # Host is the client's to choose: matching Origin to it proves nothing.
        s, _, _ = self.post_form({"name": "Eve", "email": "eve@example.org"},
                                 Host="evil.example", Origin="http://evil.example")
        self.assertEqual(s, 403)
        s, _, _ = self.post_form({"name": "Eve", "email": "eve@example.org"},
                                 Origin="http://127.0.0.1:%d" % self.srv.port)
        self.assertEqual(s, 403)
        s, h, _ = self.post_form({"name": "Ana", "email": "ana@example.org"},
                                 Host="evil.example", Origin="https://agenda.example.org")
        self.assertEqual(s, 303)
        self.assertTrue(h["location"].startswith("/me/"))

    def test_without_base_url_the_host_reached_is_our_origin(self):
        self.srv = Server(self.tmp)
        s, _, _ = self.post_form({"name": "Ana", "email": "ana@example.org"},
                                 Origin="http://127.0.0.1:%d" % self.srv.port)
        self.assertEqual(s, 303)

    def test_access_log_escapes_every_byte_of_path_and_method(self):
        self.srv = Server(self.tmp)
        s, _, _ = self.srv.get("/x%1b[31m%c3%a9%20y%7f")
        self.assertEqual(s, 404)
        with socket.create_connection(("127.0.0.1", self.srv.port), timeout=5) as c:
            c.sendall(b"G\xc3\x89T\x1b / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            reply = c.recv(65536)
        self.assertTrue(reply.startswith(b"HTTP/1.1 "), reply[:40])
        deadline = time.time() + 5
        while "\\x7f" not in self.srv.read_log() and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        log = self.srv.read_log()
        self.assertIn("GET /x\\x1b[31m\\xc3\\xa9\\x20y\\x7f 404", log)
        for line in log.splitlines():
            self.assertTrue(all(0x20 <= ord(ch) < 0x7f for ch in line), repr(line))
        if b" 405" in reply[:20] or b" 501" in reply[:20] or b" 400" in reply[:20]:
            self.assertNotIn("\x1b", log)

    def test_a_first_start_that_fails_still_prints_the_admin_token(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            env = dict(os.environ)
            env.pop("PLANNER_ADMIN_TOKEN", None)
            r = subprocess.run([BIN, "--db", self.db, "serve", "--port", str(port)],
                               capture_output=True, text=True, timeout=30, env=env)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("cannot listen", r.stderr)
        token = re.search(r"admin token \(shown only this once; keep it\): ([0-9a-f]{64})",
                          r.stderr).group(1)
        # The hash was stored: the next start prints nothing new, and the
        # token printed by the failed start is the one that works.
        self.srv = Server(self.tmp, env_token=None)
        self.assertNotIn("admin token", self.srv.read_log())
        self.assertEqual(self.srv.get("/admin/e/%s" % SLUG,
                                      Authorization="Bearer " + token)[0], 200)
        self.assertEqual(self.srv.get("/admin/e/%s" % SLUG,
                                      Authorization="Bearer " + "0" * 64)[0], 401)

    @unittest.skipUnless(shutil.which("strace"), "strace is not installed")
    def test_an_acknowledged_registration_is_synced_to_disk(self):
        # synchronous = FULL: the commit of a sign-up syncs the WAL before
        # the server answers (NORMAL would sync only at checkpoints).
        trace = os.path.join(self.tmp, "trace")
        port = free_port()
        env = dict(os.environ, PLANNER_ADMIN_TOKEN=ADMIN)
        proc = subprocess.Popen(
            ["strace", "-f", "-y", "-qq", "-e", "trace=fsync,fdatasync", "-o", trace,
             BIN, "--db", self.db, "serve", "--port", str(port), "--quiet"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        try:
            deadline = time.time() + 20
            while time.time() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if proc.poll() is not None:
                        self.skipTest("cannot trace: %s" % proc.stderr.read().decode()[:200])
                    time.sleep(0.05)

            def wal_syncs():
                with open(trace, encoding="utf-8", errors="replace") as f:
                    return sum(1 for line in f if "-wal>" in line and "= 0" in line)

            before = wal_syncs()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            conn.request("POST", "/e/%s/register" % SLUG,
                         json.dumps({"name": "Durable", "email": "durable@example.org",
                                     "travel": "none"}),
                         {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            conn.close()
            self.assertEqual(r.status, 201)
            self.assertGreater(wal_syncs(), before, "the sign-up's commit was not synced")
        finally:
            # Stop the traced server itself; strace then exits with it.
            with open("/proc/%d/task/%d/children" % (proc.pid, proc.pid)) as f:
                for child in f.read().split():
                    os.kill(int(child), signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stderr.close()


if __name__ == "__main__":
    unittest.main()
