#!/usr/bin/python3
"""End-to-end tests of the exports served by `planner serve`: the admin
files under /admin/e/SLUG/NAME (behind the admin token) and the public list
of participants (/e/SLUG/registrants.csv and the event page), read back with
independent readers (openpyxl, csv, json).

Run with Debian's /usr/bin/python3; PLANNER_BIN and PLANNER_SOURCE_DIR come
from the environment (tests/CMakeLists.txt sets them).
"""
import csv
import io
import json
import os
import re
import shutil
import sys
import tempfile
import unittest

import openpyxl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_server as ts  # noqa: E402  (the Server helper; its tests are not collected here)

AUTH = {"Authorization": "Bearer " + ts.ADMIN}
SLUG = "petit"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (name, e-mail, organization, consents to the public list)
PEOPLE = [
    ("Zoé Martin", "zoe@example.org", "Ville de Lyon", True),
    ("Élodie Bernard", "elodie@example.org", "ADEME", True),
    ("Secret Person", "secret@example.org", "Hidden Org", False),
    ("=HYPERLINK(\"http://x\",\"y\")", "formula@example.org", None, True),
    ("Cancelled Consenting", "gone@example.org", "Org C", True),
    # past the capacity of 4: waitlisted, consenting
    ("Waiting Consenting", "wait@example.org", "Org W", True),
]


class ServerExportsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="planner-server-exports-")
        db = os.path.join(cls.tmp, "planner.db")
        with open(ts.SAMPLE, encoding="utf-8") as f:
            base = json.load(f)
        small = dict(base, slug=SLUG, capacity=4)
        draft = dict(base, slug="brouillon", status="draft")
        paths = []
        for ev in (small, draft):
            p = os.path.join(cls.tmp, ev["slug"] + ".json")
            with open(p, "w", encoding="utf-8") as f:
                json.dump(ev, f, ensure_ascii=False)
            paths.append(p)
        r = ts.run_cli(db, "event", "import", "--accept-conflicts", *paths)
        assert r.returncode == 0, r.stderr
        for name, email, org, public in PEOPLE:
            args = ["register", SLUG, "--name", name, "--email", email]
            args += ["--org", org] if org else []
            args += ["--public"] if public else []
            r = ts.run_cli(db, *args)
            assert r.returncode == 0, r.stderr
        r = ts.run_cli(db, "registrations", "cancel", SLUG, "--email", "gone@example.org")
        assert r.returncode == 0, r.stderr
        r = ts.run_cli(db, "registrations", "list", SLUG, "--format", "json")
        cls.regs = json.loads(r.stdout)
        cls.srv = ts.Server(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def expected_public(self):
        return [r["name"] for r in self.regs if r["status"] == "confirmed" and r["public"]]

    def assert_download(self, headers, filename, ctype):
        self.assertEqual(headers["content-type"], ctype)
        self.assertEqual(headers["content-disposition"], 'attachment; filename="%s"' % filename)
        self.assertRegex(filename, r"^[a-z0-9_-]+-[a-z]+\.(xlsx|csv|json)$")

    def assert_no_secrets(self, data):
        text = data.decode("utf-8")
        self.assertNotIn("@", text)
        for r in self.regs:
            self.assertNotIn(r["uid"], text)
        for name in ("Secret Person", "Hidden Org", "Cancelled Consenting", "Waiting Consenting"):
            self.assertNotIn(name, text)

    # ---- admin ---------------------------------------------------------------
    def test_admin_exports_need_the_token(self):
        names = json.loads(self.srv.get("/admin/e/" + SLUG, **AUTH)[2])["exports"]
        for name in ("registrants.xlsx", "registrants.csv", "registrants.json", "public.xlsx",
                     "public.csv", "public.json", "agenda.xlsx", "agenda.csv", "agenda.json",
                     "pack.xlsx"):
            self.assertIn(name, names)
            path = "/admin/e/%s/%s" % (SLUG, name)
            self.assertEqual(self.srv.get(path)[0], 401, name)
            s, h, body = self.srv.get(path, Authorization="Bearer wrong-token-0123456789")
            self.assertEqual(s, 401, name)
            self.assertNotIn(b"example.org", body)
            s, h, body = self.srv.get(path, **AUTH)
            self.assertEqual(s, 200, (name, body[:200]))
            self.assertIn("no-store", h["cache-control"])
            self.assertEqual(int(h["content-length"]), len(body))
            self.assertGreater(len(body), 0)
        self.assertNotIn(ts.ADMIN, self.srv.read_log())

    def test_registrants_xlsx(self):
        s, h, body = self.srv.get("/admin/e/%s/registrants.xlsx" % SLUG, **AUTH)
        self.assertEqual(s, 200)
        self.assert_download(h, "petit-registrants.xlsx", XLSX)
        wb = openpyxl.load_workbook(io.BytesIO(body))
        # the sample is in Europe/Paris: French sheets (docs/exports.md)
        ws = wb["Inscrits"]
        rows = list(ws.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("Nom", "Prénom", "Courriel"))
        self.assertEqual(len(rows), 1 + len(PEOPLE))
        self.assertEqual({r[2] for r in rows[1:]}, {p[1] for p in PEOPLE})
        formula = [c for row in ws.iter_rows(min_row=2) for c in row
                   if c.value == PEOPLE[3][0]]
        self.assertEqual(len(formula), 1)
        self.assertEqual(formula[0].data_type, "s")  # a string, never a formula

    def test_pack_and_agenda(self):
        s, h, body = self.srv.get("/admin/e/%s/pack.xlsx" % SLUG, **AUTH)
        self.assertEqual(s, 200)
        self.assert_download(h, "petit-pack.xlsx", XLSX)
        wb = openpyxl.load_workbook(io.BytesIO(body))
        self.assertEqual(wb.sheetnames[:4], ["Inscrits", "Programme", "Restauration",
                                             "Émargement"])
        # below the sheet's heading (title, date, place, organiser, a gap) and header
        signin = [r[0] for r in wb["Émargement"].iter_rows(min_row=7, values_only=True)]
        self.assertEqual(len(signin), 4)  # the confirmed people, consenting or not
        s, h, body = self.srv.get("/admin/e/%s/agenda.csv" % SLUG, **AUTH)
        self.assertEqual(s, 200)
        self.assert_download(h, "petit-agenda.csv", "text/csv; charset=utf-8")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        self.assertEqual(rows[0][0], "Date")
        with open(ts.SAMPLE, encoding="utf-8") as f:
            self.assertEqual(len(rows) - 1, len(json.load(f)["sessions"]))
        s, h, body = self.srv.get("/admin/e/%s/registrants.json" % SLUG, **AUTH)
        doc = json.loads(body)
        self.assertEqual(doc["kind"], "registrants")
        self.assertEqual(len(doc["registrants"]), len(PEOPLE))

    def test_head_unknown_and_excel(self):
        s, h, body = self.srv.request("HEAD", "/admin/e/%s/pack.xlsx" % SLUG, headers=AUTH)
        self.assertEqual((s, body), (200, b""))
        self.assertEqual(h["content-type"], XLSX)
        self.assertEqual(self.srv.get("/admin/e/nope/pack.xlsx", **AUTH)[0], 404)
        self.assertEqual(self.srv.get("/admin/e/%s/pack.csv" % SLUG, **AUTH)[0], 404)
        self.assertEqual(self.srv.get("/admin/e/%s/../x" % SLUG, **AUTH)[0], 404)
        s, _, body = self.srv.get("/admin/e/%s/registrants.csv?excel=1" % SLUG, **AUTH)
        self.assertEqual(s, 200)
        self.assertTrue(body.startswith("\ufeffNom;Prénom;Courriel;".encode()), body[:40])
        self.assertEqual(self.srv.request("POST", "/admin/e/%s/pack.xlsx" % SLUG, {},
                                          headers=AUTH)[0], 405)
        # nothing is left behind in the temporary folder
        left = [n for n in os.listdir(os.environ.get("TMPDIR", "/tmp"))
                if n.startswith("planner-export-")]
        self.assertEqual(left, [])

    # ---- the public list -------------------------------------------------------
    def test_public_csv_without_token(self):
        for path, auth in (("/e/%s/registrants.csv" % SLUG, {}),
                           ("/admin/e/%s/public.csv" % SLUG, AUTH)):
            s, h, body = self.srv.get(path, **auth)
            self.assertEqual(s, 200, path)
            self.assert_download(h, "petit-participants.csv", "text/csv; charset=utf-8")
            self.assert_no_secrets(body)
            rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
            self.assertEqual(rows[0], ["Nom", "Prénom", "Structure"])
            names = [r[1] + " " + r[0] if r[1] else r[0] for r in rows[1:]]
            # French order (Élodie with E; punctuation ignored, so the formula
            # files as "hyperlink..."), the formula neutralised
            self.assertEqual(names, ["Élodie Bernard", "'" + PEOPLE[3][0], "Zoé Martin"])
            self.assertEqual(sorted(n.lstrip("'") for n in names), sorted(self.expected_public()))

    def test_public_list_formats_admin(self):
        s, _, body = self.srv.get("/admin/e/%s/public.json" % SLUG, **AUTH)
        self.assert_no_secrets(body)
        doc = json.loads(body)
        self.assertEqual(doc["kind"], "public-list")
        self.assertEqual([set(r) for r in doc["registrants"]],
                         [{"last_name", "first_name", "name", "organization"}] * 3)
        s, _, body = self.srv.get("/admin/e/%s/public.xlsx" % SLUG, **AUTH)
        wb = openpyxl.load_workbook(io.BytesIO(body))
        cells = [c for row in wb.active.iter_rows(values_only=True) for c in row if c]
        self.assertFalse(any("@" in str(c) for c in cells))
        # header, 3 last names, 2 first names (the formula is one word), 2 organizations
        self.assertEqual(len(cells), 3 + 3 + 2 + 2)

    def test_event_page_shows_the_public_list(self):
        s, _, body = self.srv.get("/e/" + SLUG)
        self.assertEqual(s, 200)
        page = body.decode("utf-8")
        m = re.search(r'<h2 id="participants">Participants \((\d+)\)</h2>(.*?)</ul>', page, re.S)
        self.assertIsNotNone(m, page[-3000:])
        self.assertEqual(int(m.group(1)), 3)
        section = m.group(2)
        self.assertNotIn("@", section)
        self.assertIn("Élodie Bernard", section)
        self.assertIn("=HYPERLINK(&quot;http://x&quot;", section)  # escaped, as text
        for name in ("Secret Person", "Cancelled Consenting", "Waiting Consenting"):
            self.assertNotIn(name, page)
        self.assertIn('href="/e/petit/registrants.csv"', page)

    def test_public_list_of_a_draft_is_not_public(self):
        self.assertEqual(self.srv.get("/e/brouillon/registrants.csv")[0], 404)
        self.assertEqual(self.srv.get("/e/nope/registrants.csv")[0], 404)
        self.assertEqual(self.srv.request("POST", "/e/%s/registrants.csv" % SLUG, {})[0], 405)


if __name__ == "__main__":
    unittest.main(verbosity=2)
