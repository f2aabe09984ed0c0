"""End to end: the planner binary, its commands, exit codes and messages."""
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from planner_test import PlannerTestCase  # noqa: E402

SAMPLE_FILES = ["atelier-cem-1.json", "atelier-cem-2.json", "webinaire-covoiturage-2027.json"]
COMMANDS = ["init", "demo", "event", "agenda", "register", "registrations", "calendar",
            "subscribe", "export", "serve", "carpool"]


class HelpAndUsage(PlannerTestCase):
    def test_every_command_has_help_with_an_example(self):
        for cmd in COMMANDS:
            r = self.ok(cmd, "--help")
            self.assertIn("usage: planner", r.stdout, cmd)
            self.assertIn("Example", r.stdout, cmd)
        r = self.ok("--help")
        for cmd in COMMANDS:
            self.assertIn(cmd, r.stdout)

    def test_usage_errors_exit_2(self):
        for args in (["frobnicate"], ["event"], ["event", "import"], ["agenda", "show"],
                     ["agenda", "show", "x", "--format", "xml"], ["--bogus"], []):
            r = self.run_planner(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("planner", r.stderr, args)

    def test_missing_database_is_exit_3_with_advice(self):
        r = self.run_planner("event", "list")
        self.assertEqual(r.returncode, 3)
        self.assertIn("planner init", r.stderr)
        self.assertFalse(os.path.exists(self.db))


class Agenda(PlannerTestCase):
    def test_samples_import_and_check_clean(self):
        self.ok("init")
        self.ok("event", "import", *[self.sample(f) for f in SAMPLE_FILES])
        listing = self.ok("event", "list").stdout
        for slug in ("atelier-cem-1", "atelier-cem-2", "webinaire-covoiturage-2027"):
            self.assertIn(slug, listing)
            r = self.ok("agenda", "check", slug)
            self.assertEqual(r.stdout, "")
        self.ok("agenda", "check")

    def test_show_groups_parallel_sessions(self):
        self.ok("event", "import", self.sample("atelier-cem-2.json"))
        out = self.ok("agenda", "show", "atelier-cem-2").stdout
        self.assertIn("Atelier 2", out)
        # a French event: French words, its day written out in French
        self.assertRegex(out, r"\d{2}:\d{2}–\d{2}:\d{2}  3 sessions en parallèle :")
        self.assertIn("jeudi 10 décembre 2026 · 09:30–17:00 · Europe/Paris", out)
        self.assertIn("Capacité : 60", out)
        self.assertIn("[atelier · Salle Ourcq · 20 places]", out)
        for english in ("in parallel", "Capacity", "Thursday", "[workshop", "[talk"):
            self.assertNotIn(english, out)
        data = json.loads(self.ok("agenda", "show", "atelier-cem-2", "--format", "json").stdout)
        self.assertEqual(data["event"]["slug"], "atelier-cem-2")
        self.assertEqual(data["conflicts"], [])
        widest = max(len(s["sessions"]) for s in data["slots"])
        self.assertEqual(widest, 3)
        ids = [sid for s in data["slots"] for sid in s["sessions"]]
        self.assertEqual(len(ids), len(set(ids)))

    def test_check_reports_each_conflict_and_exits_1(self):
        ev = self.load_sample("atelier-cem-2.json")
        sessions = ev["sessions"]
        talks = [s for s in sessions if s.get("speakers")]
        # Same room and same speaker as the first talk, at the same time.
        clash = dict(talks[0], id="clash", title="Doublon")
        sessions.append(clash)
        late = dict(sessions[-2], id="late", start="18:00", end="19:00", room="Annexe",
                    speakers=[])
        sessions.append(late)
        path = self.write("conflicts.json", json.dumps(ev, ensure_ascii=False))
        self.ok("event", "import", "--accept-conflicts", path)  # published
        r = self.run_planner("agenda", "check", "atelier-cem-2")
        self.assertEqual(r.returncode, 1, r.stderr)
        lines = r.stdout.strip().split("\n")
        kinds = sorted(line.split(": ")[1] for line in lines)
        self.assertEqual(kinds, ["outside-hours", "room-overlap", "speaker-overlap"])
        self.assertIn("3 conflicts", r.stderr)

    def night_event(self, slug, day, session_start):
        """An online night event on day with one session starting at session_start."""
        ev = {"slug": slug, "title": "Nuit des communs", "format": "online",
              "online_url": "https://example.org/live", "timezone": "Europe/Paris",
              "start": "%sT00:30" % day, "end": "%sT06:00" % day,
              "sessions": [{"id": "veille", "title": "Veille", "kind": "talk",
                            "start": session_start, "end": "04:00"}]}
        return self.write(slug + ".json", json.dumps(ev))

    def test_check_reports_a_time_the_clocks_skip(self):
        self.ok("event", "import", self.night_event("printemps", "2027-03-28", "02:30"))
        r = self.run_planner("agenda", "check", "printemps")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout,
                         "printemps: nonexistent-time: session 'veille' starts at "
                         "2027-03-28T02:30, a time that does not exist in Europe/Paris "
                         "(the clocks jump from 02:00 to 03:00)\n")
        self.assertIn("1 conflict;", r.stderr)
        data = json.loads(self.ok("agenda", "show", "printemps", "--format", "json").stdout)
        self.assertEqual([(c["kind"], c["session"]) for c in data["conflicts"]],
                         [("nonexistent-time", "veille")])
        self.assertEqual(data["warnings"], [])

    def test_a_time_that_happens_twice_is_a_warning(self):
        self.ok("event", "import", self.night_event("automne", "2027-10-31", "02:30"))
        r = self.ok("agenda", "check", "automne")
        self.assertEqual(r.stdout, "")
        self.assertIn("planner: warning: automne: ambiguous-time: session 'veille' starts at "
                      "2027-10-31T02:30, a time that happens twice in Europe/Paris", r.stderr)
        self.assertIn("automne: no conflicts", r.stderr)
        data = json.loads(self.ok("agenda", "show", "automne", "--format", "json").stdout)
        self.assertEqual(data["conflicts"], [])
        self.assertEqual([w["kind"] for w in data["warnings"]], ["ambiguous-time"])
        # An ordinary night at 02:30 is neither.
        self.ok("event", "import", self.night_event("hiver", "2027-12-12", "02:30"))
        r = self.ok("agenda", "check", "hiver")
        self.assertEqual((r.stdout, "warning" in r.stderr), ("", False))

    def test_update_in_place_cancels_removed_sessions(self):
        self.ok("event", "import", self.sample("atelier-cem-2.json"))
        ev = self.load_sample("atelier-cem-2.json")
        removed = ev["sessions"].pop()["id"]
        ev["sessions"][0]["title"] = "Accueil (nouvel horaire)"
        path = self.write("v2.json", json.dumps(ev, ensure_ascii=False))
        r = self.ok("event", "import", path)
        self.assertIn("1 changed, 1 cancelled", r.stderr)
        data = json.loads(self.ok("event", "show", "atelier-cem-2", "--format", "json").stdout)
        by_id = {s["id"]: s for s in data["sessions"]}
        self.assertEqual(by_id[removed]["status"], "cancelled")
        self.assertEqual(by_id[removed]["sequence"], 1)
        self.assertEqual(by_id[ev["sessions"][0]["id"]]["sequence"], 1)
        self.assertEqual(by_id[ev["sessions"][1]["id"]]["sequence"], 0)
        self.assertIn("Annulées :", self.ok("agenda", "show", "atelier-cem-2").stdout)

    def test_show_follows_the_event_language(self):
        ev = self.load_sample("atelier-cem-2.json")
        ev.update(slug="english-day", language="en", start="2026-12-10T09:30",
                  end="2026-12-11T12:00")
        ev["sessions"][-1]["start"] = "2026-12-11T10:00"
        ev["sessions"][-1]["end"] = "2026-12-11T11:00"
        self.ok("event", "import", "--accept-conflicts",
                self.write("en.json", json.dumps(ev, ensure_ascii=False)))
        out = self.ok("agenda", "show", "english-day").stdout
        self.assertIn("Thursday, 10 December 2026 at 09:30 – Friday, 11 December 2026 at 12:00"
                      " · Europe/Paris", out)
        # two days: each day's heading, in English
        self.assertIn("\nFriday, 11 December 2026\n10:00–11:00  ", out)
        self.assertRegex(out, r"\d{2}:\d{2}–\d{2}:\d{2}  3 sessions in parallel:")
        self.assertIn("Capacity: 60", out)
        self.assertIn("[workshop · Salle Ourcq · 20 places]", out)
        for french in ("parallèle", "Capacité", "jeudi", "atelier ·", "intervention"):
            self.assertNotIn(french, out)
        # the machine format stays the same whatever the language
        data = json.loads(self.ok("agenda", "show", "english-day", "--format", "json").stdout)
        self.assertEqual(sorted(data), ["conflicts", "event", "slots", "warnings"])
        self.assertEqual(data["slots"][0]["start"], "2026-12-10T09:30")


class BadInput(PlannerTestCase):
    def test_every_bad_event_file_exits_1_and_leaves_the_database_unchanged(self):
        bad_dir = os.path.join(os.environ.get("PLANNER_SOURCE_DIR", "."), "tests", "data",
                               "bad-events")
        self.ok("event", "import", self.sample("atelier-cem-2.json"))
        before = self.digest(self.db)
        cases = sorted(f for f in os.listdir(bad_dir) if f.endswith(".json"))
        self.assertGreaterEqual(len(cases), 30)
        for name in cases:
            path = os.path.join(bad_dir, name)
            with open(path[:-5] + ".expect") as f:
                expect = f.read().strip()
            r = self.run_planner("event", "import", path)
            self.assertEqual(r.returncode, 1, name)
            self.assertTrue(r.stderr.startswith("planner: " + path), name + ": " + r.stderr)
            self.assertIn(expect, r.stderr, name)
            self.assertEqual(len(r.stderr.strip().split("\n")), 1, name)
            self.assertEqual(self.digest(self.db), before, name)
        self.assertFalse(os.path.exists(self.db + "-wal") and os.path.getsize(self.db + "-wal"))

    def test_a_bad_file_creates_no_database(self):
        bad = self.write("bad.json", '{"slug": "x"')
        r = self.run_planner("event", "import", bad)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, re.escape(bad) + r":\d+:\d+: malformed JSON")
        self.assertFalse(os.path.exists(self.db))

    def test_foreign_and_newer_databases_are_refused_untouched(self):
        import sqlite3
        con = sqlite3.connect(self.db)
        con.execute("CREATE TABLE notes (x)")
        con.commit()
        con.close()
        before = self.digest(self.db)
        r = self.run_planner("event", "import", self.sample("atelier-cem-2.json"))
        self.assertEqual(r.returncode, 3)
        self.assertIn("not a planner database", r.stderr)
        self.assertEqual(self.digest(self.db), before)

        os.remove(self.db)
        self.ok("init")
        con = sqlite3.connect(self.db)
        con.execute("PRAGMA user_version = 999")
        con.commit()
        con.close()
        before = self.digest(self.db)
        r = self.run_planner("init")
        self.assertEqual(r.returncode, 3)
        self.assertIn("newer planner", r.stderr)
        self.assertEqual(self.digest(self.db), before)

    def test_unknown_event_is_exit_1(self):
        self.ok("init")
        r = self.run_planner("agenda", "show", "nope")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no event 'nope'", r.stderr)


class Demo(PlannerTestCase):
    def test_demo_runs_end_to_end_twice(self):
        out = os.path.join(self.dir, "demo")
        for _ in range(2):
            r = self.ok("demo", "--out", out, db=False)
            self.assertIn("Atelier 2", r.stdout)
        self.assertTrue(os.path.exists(os.path.join(out, "planner.db")))
        with open(os.path.join(out, "atelier-cem-2.event.json")) as f:
            data = json.load(f)
        self.assertEqual(data["slug"], "atelier-cem-2")
        for name in ("atelier-cem-2.ics", "events.ics", "atelier-cem-2.attendee.ics",
                     "atelier-cem-2.pack.xlsx"):
            self.assertGreater(os.path.getsize(os.path.join(out, name)), 1000, name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
