#!/usr/bin/python3
"""The back office in a real browser: headless Chromium (Debian's
/usr/bin/chromium, driven over its DevTools protocol by playwright-core)
logs in, creates an event, adds three parallel workshops with a speaker
conflict, sees the conflict, fixes it, publishes, registers someone through
the public page, finds them in the table and downloads the registrant list;
axe-core checks every admin page met on the way against WCAG 2.1 A and AA.
Then every page again 390 px wide, as on a phone: none may scroll sideways
(a wide table scrolls in its own region, reached with the keyboard), and
axe-core stays clean there too.

The npm packages live in tests/e2e/browser (`npm ci` there; `scripts/setup.sh
test` does it). Without them, or without Chromium, the test is skipped
(exit 77, which ctest reports as skipped, not passed).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from test_server import ADMIN, Server, run_cli  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser")
CHROMIUM = "/usr/bin/chromium"
SKIP = 77


def missing():
    if not os.path.exists(CHROMIUM):
        return CHROMIUM + " is not installed"
    if not shutil.which("node"):
        return "node is not installed"
    for pkg in ("playwright-core", "axe-core"):
        if not os.path.isdir(os.path.join(HERE, "node_modules", pkg)):
            return "run 'npm ci' in tests/e2e/browser (scripts/setup.sh test does)"
    return None


class AdminBrowserTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="planner-admin-browser-")
        self.srv = Server(self.dir)

    def tearDown(self):
        self.srv.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def planned_carpool(self):
        """The sample event with its carpools planned (the carpool page's
        change forms), and the token of a passenger (their /me actions)."""
        import sqlite3
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                           "sample-events")
        for args in (("event", "import", "--accept-conflicts",
                      os.path.join(src, "atelier-cem-2.json")),
                     ("registrations", "import", "atelier-cem-2",
                      os.path.join(src, "atelier-cem-2.registrations.csv")),
                     ("carpool", "plan", "atelier-cem-2")):
            r = run_cli(self.srv.db, *args)
            self.assertEqual(r.returncode, 0, r.stderr)
        plan = json.loads(run_cli(self.srv.db, "carpool", "plan", "atelier-cem-2", "--format",
                                  "json").stdout)
        rider = next(g for g in plan["groups"] if g["passengers"])["passengers"][0]["email"]
        with sqlite3.connect(self.srv.db) as db:
            return db.execute("SELECT token FROM registrations WHERE email = ?",
                              (rider,)).fetchone()[0]

    def test_organiser_journey_and_accessibility(self):
        base = "http://127.0.0.1:%d" % self.srv.port
        rider = self.planned_carpool()
        r = subprocess.run(["node", os.path.join(HERE, "journey.js"), base, ADMIN, self.dir,
                            rider],
                           capture_output=True, text=True, timeout=240, cwd=HERE)
        out = json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else {}
        self.assertEqual(r.returncode, 0, "%s\nsteps: %s" % (r.stderr, out.get("steps")))
        self.assertEqual(out["steps"], ["login", "create", "conflict seen", "conflict fixed",
                                        "published", "registered", "downloaded", "done"])
        # axe-core: no WCAG 2.1 A/AA violation on any admin page
        self.assertGreaterEqual(len(out["axe"]), 12)
        for name in ("carpool-planned", "carpool-move-result", "me-carpool-leave"):
            self.assertIn(name, out["axe"])
        for page, violations in out["axe"].items():
            self.assertEqual(violations, [], "%s: %s" % (page, json.dumps(violations, indent=1)))
        # on a phone (390 px) no page scrolls sideways: only a wide table, in
        # its own scroll region
        self.assertEqual(sorted(out["narrow"]), sorted([
            "login", "dashboard", "new-event", "event", "session-edit", "speaker-edit",
            "registrations", "registration-edit", "carpool", "not-found", "public-event", "me",
            "public-form-error", "me-error", "allocate"]))
        for page, m in out["narrow"].items():
            self.assertEqual(m["width"], 390, page)
            self.assertLessEqual(m["scrollWidth"], m["width"],
                                 "%s scrolls sideways at 390 px: %s" % (page, m["over"]))
        with open(out["download"], encoding="utf-8-sig") as f:
            self.assertIn("camille.navigateur@example.org", f.read())
        ev = json.loads(run_cli(self.srv.db, "event", "show", "atelier-navigateur",
                                "--format", "json").stdout)
        self.assertEqual(ev["status"], "published")
        self.assertEqual(sorted(s["id"] for s in ev["sessions"]),
                         ["atelier-a", "atelier-b", "atelier-c"])
        check = run_cli(self.srv.db, "agenda", "check", "atelier-navigateur")
        self.assertEqual(check.returncode, 0, check.stdout)


if __name__ == "__main__":
    why = missing()
    if why:
        print("skipped: " + why, file=sys.stderr)
        sys.exit(SKIP)
    unittest.main(verbosity=2)
