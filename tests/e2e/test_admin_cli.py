#!/usr/bin/python3
"""The command-line side of the back office (issue 13): `event import`
reports agenda conflicts and refuses to publish with them unless
--accept-conflicts; `event show --format json` imports back unchanged;
`event new` prints a template that imports as it is."""
import json
import os
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from planner_test import PlannerTestCase  # noqa: E402


def conflicting(status="draft"):
    return {"slug": "conflit", "title": "Conflit", "format": "in_person",
            "start": "2027-03-11T09:00", "end": "2027-03-11T17:00", "status": status,
            "venue": {"name": "Salle", "lat": 48.85, "lon": 2.35},
            "speakers": [{"id": "amorvan", "name": "Anne Morvan"}],
            "sessions": [
                {"id": "a", "title": "A", "kind": "workshop", "start": "10:00", "end": "11:00",
                 "room": "A", "speakers": ["amorvan"]},
                {"id": "b", "title": "B", "kind": "workshop", "start": "10:30", "end": "11:30",
                 "room": "B", "speakers": ["amorvan"]}]}


class EventImportConflicts(PlannerTestCase):
    def write_event(self, ev, name="ev.json"):
        return self.write(name, json.dumps(ev, ensure_ascii=False))

    def test_conflicts_are_warnings_for_a_draft(self):
        r = self.ok("event", "import", self.write_event(conflicting()))
        self.assertIn("warning:", r.stderr)
        self.assertIn("speaker-overlap", r.stderr)
        self.assertIn("Anne Morvan", r.stderr)
        self.assertIn("created", r.stderr)

    def test_publishing_with_conflicts_needs_accept(self):
        path = self.write_event(conflicting("published"))
        r = self.run_planner("event", "import", path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("--accept-conflicts", r.stderr)
        self.assertFalse(os.path.exists(self.db))  # nothing created
        # a draft first, then publishing it: still refused, the draft stays
        self.ok("event", "import", self.write_event(conflicting(), "draft.json"))
        r = self.run_planner("event", "import", path)
        self.assertEqual(r.returncode, 1)
        status = sqlite3.connect(self.db).execute(
            "SELECT status FROM events WHERE slug = 'conflit'").fetchone()[0]
        self.assertEqual(status, "draft")
        r = self.ok("event", "import", "--accept-conflicts", path)
        self.assertIn("speaker-overlap", r.stderr)
        show = json.loads(self.ok("event", "show", "conflit", "--format", "json").stdout)
        self.assertEqual(show["status"], "published")
        # already published: a later import warns and goes through
        again = conflicting("published")
        again["title"] = "Conflit (titre changé)"
        r = self.ok("event", "import", self.write_event(again, "again.json"))
        self.assertIn("warning:", r.stderr)

    def test_publishing_without_conflicts(self):
        ev = conflicting("published")
        ev["sessions"][1]["speakers"] = []
        r = self.ok("event", "import", self.write_event(ev))
        self.assertNotIn("warning", r.stderr)

    def test_unknown_option(self):
        r = self.run_planner("event", "import", "--accept", self.write_event(conflicting()))
        self.assertEqual(r.returncode, 2)


class EventShowRoundTrip(PlannerTestCase):
    def test_show_json_imports_back_unchanged(self):
        self.ok("event", "import", self.sample("atelier-cem-2.json"))
        # cancel one session by leaving it out of the file
        ev = self.load_sample("atelier-cem-2.json")
        gone = ev["sessions"].pop()["id"]
        self.ok("event", "import", self.write("less.json", json.dumps(ev, ensure_ascii=False)))
        before = self.ok("event", "show", "atelier-cem-2", "--format", "json").stdout
        self.assertIn('"uid"', before)
        path = self.write("show.json", before)
        r = self.ok("event", "import", path)
        self.assertIn("event 'atelier-cem-2' unchanged", r.stderr)
        self.assertIn("0 added, 0 changed, 0 cancelled", r.stderr)
        after = self.ok("event", "show", "atelier-cem-2", "--format", "json").stdout
        self.assertEqual(before, after)
        cancelled = [s for s in json.loads(after)["sessions"] if s["status"] == "cancelled"]
        self.assertEqual([s["id"] for s in cancelled], [gone])

    def test_stored_fields_are_type_checked(self):
        self.ok("event", "import", self.sample("atelier-cem-2.json"))
        ev = json.loads(self.ok("event", "show", "atelier-cem-2", "--format", "json").stdout)
        ev["sessions"][0]["status"] = "maybe"
        r = self.run_planner("event", "import", self.write("bad.json", json.dumps(ev)))
        self.assertEqual(r.returncode, 1)
        self.assertIn("sessions[0].status", r.stderr)
        ev["sessions"][0]["status"] = "confirmed"
        ev["sequence"] = "one"
        r = self.run_planner("event", "import", self.write("bad.json", json.dumps(ev)))
        self.assertEqual(r.returncode, 1)
        self.assertIn("sequence", r.stderr)


class EventNew(PlannerTestCase):
    def test_template_imports_as_it_is(self):
        for extra, fmt in (((), "in_person"), (("--online",), "online")):
            r = self.ok("event", "new", "atelier-cem-3" + "".join(extra).replace("--", "-"),
                        *extra, db=False)
            ev = json.loads(r.stdout)
            self.assertEqual(ev["format"], fmt)
            self.assertEqual(ev["status"], "draft")
            path = self.write("new.json", r.stdout)
            r = self.ok("event", "import", path)
            self.assertIn("created (sessions: 3 added", r.stderr)
            self.assertNotIn("warning", r.stderr)
            self.ok("agenda", "check", ev["slug"])

    def test_bad_slug_and_help(self):
        self.assertEqual(self.run_planner("event", "new", "Pas Un Slug", db=False).returncode, 2)
        self.assertEqual(self.run_planner("event", "new", db=False).returncode, 2)
        r = self.ok("event", "--help", db=False)
        self.assertIn("event new SLUG [--online]", r.stdout)
        self.assertIn("--accept-conflicts", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
