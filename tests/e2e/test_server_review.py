#!/usr/bin/python3
"""Adversarial end-to-end tests of `planner serve`: what a hostile or merely
unlucky client sends (refused bodies on secret URLs, control characters in
URLs, bytes that are not UTF-8, conditional requests after a change), each
against the real binary on 127.0.0.1 with a temp database.

Run with Debian's /usr/bin/python3; PLANNER_BIN and PLANNER_SOURCE_DIR come
from the environment (tests/CMakeLists.txt sets them).
"""
import email.utils
import json
import os
import re
import shutil
import sys
import tempfile
import time
import unittest
import urllib.parse
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_server import ADMIN, Server, make_events, run_cli  # noqa: E402

SLUG = "atelier-cem-2"


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


if __name__ == "__main__":
    unittest.main()
