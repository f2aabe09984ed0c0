#!/usr/bin/python3
"""Ranked workshop choices through every way in (issue 14): the CSV column
'Ateliers (ordre de préférence)' (ids or titles, '>' or ',', several slots in
one cell, a mapping), and what a bad ranking does to an import."""
import json
import os
import sqlite3
import unittest

from planner_test import PlannerTestCase

SLUG = "atelier-cem-2"
HEADER = "nom,courriel,Ateliers (ordre de préférence)\n"


class RanksCsv(PlannerTestCase):
    def setUp(self):
        super().setUp()
        ev = self.load_sample(f"{SLUG}.json")
        # A second slot of parallel workshops, at 14:15.
        for key, title in (("atelier-velo", "Vélo, trottinette et marche"),
                           ("atelier-train", "Le train du quotidien")):
            ev["sessions"].append({"id": key, "title": title, "kind": "workshop",
                                   "start": "14:15", "end": "15:15", "capacity": 10})
        ev["sessions"] = [s for s in ev["sessions"] if s["id"] != "forum-ouvert"]
        path = self.write("event.json", json.dumps(ev))
        self.ok("event", "import", path)

    def ranks(self):
        """email -> {start: [session ids, first choice first]} as stored."""
        con = sqlite3.connect(self.db)
        out = {}
        for email, key, start in con.execute(
                "SELECT r.email, s.key, s.start FROM registration_ranks k "
                "JOIN registrations r ON r.id = k.registration_id "
                "JOIN sessions s ON s.id = k.session_id ORDER BY r.email, s.start, k.rank"):
            out.setdefault(email, {}).setdefault(start[11:16], []).append(key)
        con.close()
        return out

    def imp(self, text, *opts):
        path = self.write("in.csv", text)
        return self.run_planner("registrations", "import", SLUG, path, *opts)

    def test_ids_titles_and_two_slots_in_one_cell(self):
        r = self.imp(HEADER +
                     "Ana,ana@example.org,atelier-flottes > atelier-pdie\n"
                     # titles (one holds a comma), two slots mixed in one cell
                     "Bo,bo@example.org,\"atelier-covoiturage, Le train du quotidien, "
                     "Atelier : carburants alternatifs, flottes et autopartage, "
                     "vélo, trottinette et marche\"\n"
                     "Cy,cy@example.org,\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.ranks(), {
            "ana@example.org": {"12:00": ["atelier-flottes", "atelier-pdie"]},
            "bo@example.org": {"12:00": ["atelier-covoiturage", "atelier-flottes"],
                               "14:15": ["atelier-train", "atelier-velo"]},
        })
        # The ranking is what the allocation uses.
        a = json.loads(self.ok("sessions", "allocate", SLUG, "--format", "json").stdout)
        got = {(x["email"], x["slot"]): (x["session"], x["rank"]) for x in a["assignments"]}
        self.assertEqual(got[("ana@example.org", "12:00")], ("atelier-flottes", 1))
        self.assertEqual(got[("bo@example.org", "14:15")], ("atelier-train", 1))

    def test_english_header_and_reimport_replaces_only_that_slot(self):
        self.ok("register", SLUG, "--name", "Ana", "--email", "ana@example.org",
                "--rank", "atelier-velo,atelier-train")
        r = self.imp("name,email,Workshop preferences\n"
                     "Ana,ana@example.org,atelier-pdie>atelier-covoiturage>atelier-flottes\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.ranks()["ana@example.org"], {
            "12:00": ["atelier-pdie", "atelier-covoiturage", "atelier-flottes"],
            "14:15": ["atelier-velo", "atelier-train"]})
        # An empty cell leaves the rankings as they are.
        r = self.imp("name,email,preferences\nAna,ana@example.org,\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.ranks()["ana@example.org"]), 2)

    def test_bad_ranking_is_the_rows_problem_and_nothing_is_imported(self):
        r = self.imp(HEADER +
                     "Ana,ana@example.org,atelier-flottes > atelier-pdie\n"
                     "Bo,bo@example.org,atelier-pdie > atelier-nope\n"
                     "Cy,cy@example.org,atelier-pdie > atelier-pdie\n"
                     "Di,di@example.org,accueil\n")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("in.csv:3: ranks: \"atelier-nope\" is not a workshop of the event", r.stderr)
        self.assertIn("in.csv:4: ranks: \"atelier-pdie\" is ranked twice", r.stderr)
        self.assertIn("in.csv:5: ranks: \"accueil\" is not a workshop", r.stderr)
        self.assertIn("nothing was imported", r.stderr)
        self.assertEqual(self.ranks(), {})
        listed = json.loads(self.ok("registrations", "list", SLUG, "--format", "json").stdout)
        self.assertEqual(listed, [])

    def test_mapping_targets_ranks_and_translates_answers(self):
        m = self.write("map.json", json.dumps({
            "columns": {"Horodateur": "ignore", "Vos ateliers, par ordre de préférence": "ranks"},
            "values": {"ranks": {"Flottes": "atelier-flottes", "PDIE": "atelier-pdie"}}}))
        text = ("Horodateur,nom,courriel,\"Vos ateliers, par ordre de préférence\"\n"
                "2026/11/02 10:00,Ana,ana@example.org,\"Flottes, PDIE\"\n"
                "2026/11/02 10:05,Bo,bo@example.org,Flottes > Inconnu\n"
                "2026/11/02 10:06,Cy,cy@example.org,Inconnu\n")
        r = self.imp(text, "--map", m)
        self.assertEqual(r.returncode, 1, r.stderr)
        # An unknown answer: reported once, with its lines.
        self.assertEqual(r.stderr.count("\"Inconnu\" is not in the mapping"), 1, r.stderr)
        self.assertIn("in.csv:3: ranks: answer \"Inconnu\" is not in the mapping (lines 3, 4)",
                      r.stderr)
        self.assertEqual(self.ranks(), {})
        text = text.replace("Inconnu", "atelier-covoiturage")
        r = self.imp(text, "--map", m)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.ranks()["ana@example.org"],
                         {"12:00": ["atelier-flottes", "atelier-pdie"]})
        self.assertEqual(self.ranks()["bo@example.org"],
                         {"12:00": ["atelier-flottes", "atelier-covoiturage"]})

    def test_mapping_rejects_unknown_target(self):
        m = self.write("map.json", json.dumps({"columns": {"X": "rank"}}))
        r = self.imp(HEADER + "Ana,ana@example.org,\n", "--map", m)
        self.assertEqual(r.returncode, 1)
        self.assertIn("sessions, ranks, ignore", r.stderr)


if __name__ == "__main__":
    unittest.main()
