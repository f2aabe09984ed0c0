#!/usr/bin/python3
"""Ranked workshop choices through `planner serve` (issue 14): the JSON API's
"ranks" (sign-up and /me/TOKEN/update, one transaction with the
registration), the form's 1st/2nd/3rd choice selects, and /me showing the
ranking and, once allocated, the workshop given.

Run with Debian's /usr/bin/python3; PLANNER_BIN and PLANNER_SOURCE_DIR come
from the environment (tests/CMakeLists.txt sets them).
"""
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_server import SAMPLE, Server, run_cli  # noqa: E402

SLUG = "atelier-cem-2"
TOKEN_RE = re.compile(r"/me/([0-9a-f]{32,128})")


def two_slot_event(folder, slug=SLUG, lang=None):
    with open(SAMPLE, encoding="utf-8") as f:
        ev = json.load(f)
    ev["slug"] = slug
    if lang:
        ev["language"] = lang
    for key, title in (("atelier-velo", "Vélo et marche"), ("atelier-train", "Le train")):
        ev["sessions"].append({"id": key, "title": title, "kind": "workshop",
                               "start": "14:15", "end": "15:15", "capacity": 10})
    ev["sessions"] = [s for s in ev["sessions"] if s["id"] != "forum-ouvert"]
    path = os.path.join(folder, slug + ".json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(ev, f, ensure_ascii=False)
    return path


def person(i, **over):
    p = {"name": "Personne %03d" % i, "email": "p%03d@example.org" % i, "travel": "none"}
    p.update(over)
    return p


class RanksServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="planner-ranks-")
        cls.db = os.path.join(cls.tmp, "planner.db")
        r = run_cli(cls.db, "event", "import", two_slot_event(cls.tmp))
        assert r.returncode == 0, r.stderr
        cls.srv = Server(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def register(self, data):
        s, _, body = self.srv.request("POST", "/e/%s/register" % SLUG, data)
        return s, json.loads(body)

    def stored(self, email):
        con = sqlite3.connect(self.db)
        rows = con.execute(
            "SELECT s.key FROM registration_ranks k JOIN registrations r ON r.id = "
            "k.registration_id JOIN sessions s ON s.id = k.session_id WHERE r.email = ? "
            "ORDER BY s.start, k.rank", (email,)).fetchall()
        n = con.execute("SELECT count(*) FROM registrations WHERE email = ?",
                        (email,)).fetchone()[0]
        con.close()
        return n, [r[0] for r in rows]

    def test_json_sign_up_with_ranks(self):
        s, body = self.register(person(1, ranks={
            "12:00": ["atelier-flottes", "atelier-pdie"], "14:15": ["atelier-train"]}))
        self.assertEqual(s, 201, body)
        self.assertEqual(body["ranks"], {"12:00": ["atelier-flottes", "atelier-pdie"],
                                         "14:15": ["atelier-train"]})
        self.assertEqual(self.stored("p001@example.org"),
                         (1, ["atelier-flottes", "atelier-pdie", "atelier-train"]))
        token = TOKEN_RE.search(body["page"]).group(1)
        s, _, me = self.srv.get("/me/%s.json" % token)
        self.assertEqual(json.loads(me)["ranks"]["14:15"], ["atelier-train"])

    def test_bad_ranking_saves_nothing(self):
        for i, ranks, what in (
                (2, {"12:00": ["atelier-velo"]}, "start at 14:15, not 12:00"),
                (3, {"12:00": ["atelier-pdie", "atelier-nope"]}, "not a workshop"),
                (4, {"12:00": ["atelier-pdie", "atelier-pdie"]}, "ranked twice"),
                (5, {"12:00": "atelier-pdie"}, "must be an array"),
                (6, ["atelier-pdie"], "must be an object")):
            s, body = self.register(person(i, ranks=ranks))
            self.assertEqual(s, 400, body)
            self.assertEqual(body.get("field"), "ranks", body)
            self.assertIn(what, body["error"])
            # the registration went with its ranking
            self.assertEqual(self.stored("p%03d@example.org" % i), (0, []))

    def test_update_changes_only_what_it_names(self):
        s, body = self.register(person(10, ranks={"12:00": ["atelier-pdie", "atelier-flottes"],
                                                  "14:15": ["atelier-velo", "atelier-train"]}))
        self.assertEqual(s, 201, body)
        token = TOKEN_RE.search(body["page"]).group(1)
        path = "/me/%s/update" % token
        # no "ranks": rankings unchanged
        s, _, out = self.srv.request("POST", path, {"organization": "ADEME"})
        self.assertEqual(s, 200, out)
        self.assertEqual(len(json.loads(out)["ranks"]), 2)
        # one slot replaced, the other left
        s, _, out = self.srv.request("POST", path, {"ranks": {"14:15": ["atelier-train"]}})
        self.assertEqual(s, 200, out)
        self.assertEqual(json.loads(out)["ranks"], {"12:00": ["atelier-pdie", "atelier-flottes"],
                                                    "14:15": ["atelier-train"]})
        # [] clears a slot
        s, _, out = self.srv.request("POST", path, {"ranks": {"12:00": []}})
        self.assertEqual(s, 200, out)
        self.assertEqual(json.loads(out)["ranks"], {"14:15": ["atelier-train"]})
        # a bad one changes nothing, not even the other fields sent with it
        s, _, out = self.srv.request("POST", path, {"organization": "X",
                                                    "ranks": {"09:00": []}})
        self.assertEqual(s, 400, out)
        s, _, me = self.srv.get("/me/%s.json" % token)
        me = json.loads(me)
        self.assertEqual(me["organization"], "ADEME")
        self.assertEqual(me["ranks"], {"14:15": ["atelier-train"]})


if __name__ == "__main__":
    unittest.main()
