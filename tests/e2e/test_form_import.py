#!/usr/bin/python3
"""A form tool's export imported as it is, with a mapping (issue 14): a
timestamp column, long question headers, French answers, ticked workshops
joined by their titles (which hold commas)."""
import csv
import io
import json
import os
import unittest

from planner_test import PlannerTestCase

SLUG = "atelier-cem-2"


class FormImport(PlannerTestCase):
    def setUp(self):
        super().setUp()
        self.ok("event", "import", self.sample(f"{SLUG}.json"))
        self.export = self.sample(f"forms/{SLUG}.form-export.csv")
        self.map = self.sample(f"forms/{SLUG}.form-map.json")

    def people(self, db=None):
        r = self.ok("registrations", "list", SLUG, "--format", "json")
        rows = json.loads(r.stdout)
        keep = ("name", "email", "organization", "origin", "travel", "seats", "meal", "diet",
                "public", "sessions", "status")
        return {p["email"]: {k: p.get(k) for k in keep} for p in rows}

    def test_mapped_export_reads_like_the_plain_file(self):
        self.ok("registrations", "import", SLUG, self.export, "--map", self.map)
        mapped = self.people()
        # The same people from the plain sample file, in another database.
        self.db = os.path.join(self.dir, "plain.db")
        self.ok("event", "import", self.sample(f"{SLUG}.json"))
        self.ok("registrations", "import", SLUG, self.sample(f"{SLUG}.registrations.csv"))
        plain = self.people()
        # The form asks only for the late-morning workshop.
        for p in plain.values():
            p["sessions"] = [s for s in p["sessions"] if s.startswith("atelier-")]
        self.assertEqual(len(mapped), 58)
        self.assertEqual(mapped, plain)

    def test_dry_run_shows_rows_and_every_answer(self):
        before = self.digest(self.db)
        r = self.ok("registrations", "import", SLUG, self.export, "--map", self.map, "--dry-run")
        self.assertIn("First rows, as the mapping reads them:", r.stdout)
        self.assertIn("line 2: Céline Vasseur <celine.vasseur@example.org>", r.stdout)
        self.assertIn('"Je cherche une place dans une voiture" -> ride', r.stdout)
        self.assertIn('"Plateformes de covoiturage, porter ou s\'appuyer sur les opérateurs ?" '
                      '-> atelier-covoiturage', r.stdout)
        # Each column's answers once, under one heading.
        self.assertEqual(r.stdout.count("Answers of column travel:"), 1)
        self.assertIn("dry run, nothing written; would import 58 rows: 58 new", r.stderr)
        self.assertEqual(self.digest(self.db), before)
        self.assertEqual(self.people(), {})

    def test_mapping_is_saved_with_the_event(self):
        self.ok("registrations", "import", SLUG, self.export, "--map", self.map)
        r = self.ok("registrations", "import", SLUG, self.export)
        self.assertIn("with the mapping saved for atelier-cem-2", r.stderr)
        self.assertIn("58 rows: 0 new, 0 updated, 58 unchanged", r.stderr)

    def test_a_dry_run_saves_no_mapping(self):
        self.ok("registrations", "import", SLUG, self.export, "--map", self.map, "--dry-run")
        r = self.run_planner("registrations", "import", SLUG, self.export)
        self.assertEqual(r.returncode, 1)
        self.assertIn('unknown column "Horodateur"', r.stderr)
        self.assertIn("--map", r.stderr)

    def test_unmapped_answer_reported_once_with_its_lines(self):
        with open(self.export, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        travel = rows[0].index("Comment venez-vous à l'atelier ?")
        for line in (3, 7, 12):  # file lines, header is line 1
            rows[line - 1][travel] = "Je viens à pied"
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        path = self.write("export.csv", out.getvalue())
        before = self.digest(self.db)
        r = self.run_planner("registrations", "import", SLUG, path, "--map", self.map)
        self.assertEqual(r.returncode, 1, r.stderr)
        problems = [l for l in r.stderr.splitlines() if "Je viens à pied" in l]
        self.assertEqual(len(problems), 1, r.stderr)
        self.assertIn("export.csv:3: travel: answer \"Je viens à pied\" is not in the mapping "
                      "(lines 3, 7, 12)", problems[0])
        self.assertIn("3 bad rows (1 problem); nothing was imported", r.stderr)
        self.assertEqual(self.digest(self.db), before)

    def test_bad_mapping_names_file_and_path(self):
        m = json.load(open(self.map, encoding="utf-8"))
        m["columns"]["Horodateur"] = "timestamp"
        path = self.write("map.json", json.dumps(m, ensure_ascii=False))
        r = self.run_planner("registrations", "import", SLUG, self.export, "--map", path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("map.json", r.stderr)
        self.assertIn("columns.Horodateur", r.stderr)
        self.assertIn("must name one of our columns", r.stderr)

        m = json.load(open(self.map, encoding="utf-8"))
        m["values"]["travel"]["Je cherche une place dans une voiture"] = "hitchhike"
        path = self.write("map2.json", json.dumps(m, ensure_ascii=False))
        r = self.run_planner("registrations", "import", SLUG, self.export, "--map", path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("values.travel.Je cherche une place dans une voiture", r.stderr)
        self.assertIn('"hitchhike" is not a value of column travel', r.stderr)

        r = self.run_planner("registrations", "import", SLUG, self.export, "--map",
                             os.path.join(self.dir, "missing.json"))
        self.assertEqual(r.returncode, 3)

    def test_mappings_of_every_wrong_shape(self):
        """Each mapping wrong in one way: refused with the file and the path
        at fault, exit 1, the database unchanged."""
        before = self.digest(self.db)
        cases = [([1], "", "a mapping is a JSON object"),
                 ({"columns": {}, "extra": 1}, "extra", "unknown key"),
                 ({"columns": []}, "columns", "must be an object"),
                 ({"values": "x"}, "values", "must be an object"),
                 ({"columns": {"Nom": 5}}, "columns.Nom", "must name one of our columns"),
                 ({"values": {"ignore": {}}}, "values", "is not one of our columns"),
                 ({"values": {"colour": {}}}, "values", '"colour" is not one of our columns'),
                 ({"values": {"meal": ["oui"]}}, "meal", "must be an object"),
                 ({"values": {"meal": {"Oui": True}}}, "values.meal.Oui", "must be a string"),
                 ({"values": {"meal": {"Oui": "peut-être"}}}, "values.meal.Oui",
                  "is not a value of column meal"),
                 ({"values": {"seats": {"Deux": "deux"}}}, "values.seats.Deux",
                  "is not a value of column seats"),
                 ({"values": {"seats": {"Neuf": "9"}}}, "values.seats.Neuf",
                  "is not a value of column seats")]
        for i, (m, path, word) in enumerate(cases):
            f = self.write("bad%d.json" % i, json.dumps(m, ensure_ascii=False))
            r = self.run_planner("registrations", "import", SLUG, self.export, "--map", f)
            self.assertEqual(r.returncode, 1, (m, r.stderr))
            self.assertIn("bad%d.json" % i, r.stderr)
            self.assertIn(path, r.stderr)
            self.assertIn(word, r.stderr, m)
        f = self.write("broken.json", '{"columns": {')
        r = self.run_planner("registrations", "import", SLUG, self.export, "--map", f)
        self.assertEqual(r.returncode, 1)
        self.assertIn("broken.json:1:", r.stderr)
        self.assertEqual(self.digest(self.db), before)
        # seats mapped to numbers in range: a good mapping (the file's other
        # seat answers are then the file's problems, not the mapping's)
        m = json.load(open(self.map, encoding="utf-8"))
        m.setdefault("values", {})["seats"] = {"deux": "2", "aucune": "0"}
        f = self.write("good.json", json.dumps(m, ensure_ascii=False))
        r = self.run_planner("registrations", "import", SLUG, self.export, "--map", f)
        self.assertNotIn("good.json", r.stderr)
        self.assertIn('is not in the mapping (line', r.stderr)
        self.assertEqual(self.digest(self.db), before)

    def test_session_ids_need_no_mapping(self):
        # A workshop answer that is already an id passes; commas inside
        # titles do not split them.
        text = ("Adresse e-mail,Nom et prénom,À quel atelier de fin de matinée souhaitez-vous "
                "participer ?\n"
                "a@example.org,Ana,\"atelier-pdie\"\n"
                "b@example.org,Bo,\"Plateformes de covoiturage, porter ou s'appuyer sur les "
                "opérateurs ?, Carburants alternatifs, flottes et autopartage\"\n")
        path = self.write("mixed.csv", text)
        self.ok("registrations", "import", SLUG, path, "--map", self.map)
        people = self.people()
        self.assertEqual(people["a@example.org"]["sessions"], ["atelier-pdie"])
        self.assertEqual(people["b@example.org"]["sessions"],
                         ["atelier-covoiturage", "atelier-flottes"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
