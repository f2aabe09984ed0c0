#!/usr/bin/python3
"""End-to-end: `planner register` and `planner registrations` on a real
database, including several processes registering at once."""
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ.get("PLANNER_BIN", "planner")
SRC = os.environ.get("PLANNER_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLES = os.path.join(SRC, "sample-events")
SAMPLE_CSV = os.path.join(SAMPLES, "atelier-cem-2.registrations.csv")
BAD = os.path.join(SRC, "tests", "data", "bad-registrations")

SMALL_EVENT = {
    "slug": "petit", "title": "Petit atelier", "format": "online",
    "online_url": "https://visio.example.org/petit", "capacity": 10,
    "start": "2026-12-10T09:30", "end": "2026-12-10T12:00",
    "sessions": [
        {"id": "a", "title": "A", "kind": "workshop", "start": "10:00", "end": "11:00",
         "room": "A", "capacity": 2},
        {"id": "b", "title": "B", "kind": "workshop", "start": "10:00", "end": "11:00",
         "room": "B"},
    ],
    "status": "published",
}


class Registrations(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="planner-e2e-")
        self.db = os.path.join(self.dir, "planner.db")
        self.ok("init")
        self.ok("event", "import", os.path.join(SAMPLES, "atelier-cem-2.json"))
        path = os.path.join(self.dir, "petit.json")
        with open(path, "w") as f:
            json.dump(SMALL_EVENT, f)
        self.ok("event", "import", path)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_planner(self, *args):
        env = dict(os.environ, PLANNER_PROGRESS="never")
        return subprocess.run([BIN, "--db", self.db, *args], capture_output=True, text=True,
                              env=env, timeout=60)

    def ok(self, *args):
        p = self.run_planner(*args)
        self.assertEqual(p.returncode, 0, f"{args}: {p.stderr}")
        return p

    def listing(self, slug):
        return json.loads(self.ok("registrations", "list", slug, "--format", "json").stdout)

    def db_bytes(self):
        h = hashlib.sha256()
        for suffix in ("", "-wal"):
            if os.path.exists(self.db + suffix):
                with open(self.db + suffix, "rb") as f:
                    h.update(f.read())
        return h.hexdigest()

    def test_import_sample_and_list_formats(self):
        p = self.ok("registrations", "import", "atelier-cem-2", SAMPLE_CSV)
        self.assertIn("58 rows: 58 new", p.stderr)
        tokens = set()
        regs = self.listing("atelier-cem-2")
        self.assertEqual(len(regs), 58)
        self.assertTrue(all(r["status"] == "confirmed" for r in regs))
        self.assertNotIn("token", regs[0])
        celine = regs[0]
        self.assertEqual(celine["name"], "Céline Vasseur")
        self.assertEqual(celine["travel"], "drive")
        self.assertEqual(celine["seats"], 3)
        self.assertEqual(celine["sessions"], ["atelier-covoiturage"])
        self.assertEqual(len({r["email"].lower() for r in regs}), 58)
        self.assertEqual(len({r["uid"] for r in regs}), 58)

        text = self.ok("registrations", "list", "atelier-cem-2").stdout
        self.assertEqual(len(text.splitlines()), 59)
        self.assertIn("Céline Vasseur", text)

        out = self.ok("registrations", "list", "atelier-cem-2", "--format", "csv").stdout
        rows = list(csv.DictReader(io.StringIO(out, newline="")))
        self.assertEqual(len(rows), 58)
        self.assertEqual(rows[0]["email"], "celine.vasseur@example.org")
        caron = [r for r in rows if r["email"] == "isabelle.caron@example.net"][0]
        self.assertEqual(caron["organization"], "Mobilité & Territoires; bureau d'études")
        self.assertEqual(caron["public"], "no")
        self.assertNotIn("token", rows[0])

        # The organiser's view never holds a secret link: compare with the
        # tokens the database holds.
        import sqlite3
        con = sqlite3.connect(self.db)
        tokens = {t for (t,) in con.execute("SELECT token FROM registrations")}
        con.close()
        self.assertEqual(len(tokens), 58)
        for t in tokens:
            self.assertEqual(len(t), 64)
            self.assertNotIn(t, text + out)

        # Re-importing the file, or the list's own CSV, duplicates no one.
        p = self.ok("registrations", "import", "atelier-cem-2", SAMPLE_CSV)
        self.assertIn("0 new, 0 updated, 58 unchanged", p.stderr)
        path = os.path.join(self.dir, "list.csv")
        with open(path, "w") as f:
            f.write(out)
        p = self.ok("registrations", "import", "atelier-cem-2", path)
        self.assertIn("0 new, 0 updated, 58 unchanged", p.stderr)
        self.assertEqual(len(self.listing("atelier-cem-2")), 58)

    def test_list_csv_neutralises_formulas_and_imports_back(self):
        hostile = {"name": "=HYPERLINK(\"http://x\",\"y\")", "email": "f@example.org",
                   "org": "@home", "phone": "+33 6 12 34 56 78", "meal": "+sans porc"}
        self.ok("register", "petit", "--name", hostile["name"], "--email", hostile["email"],
                "--org", hostile["org"], "--phone", hostile["phone"], "--meal", hostile["meal"])
        self.ok("register", "petit", "--name", "Ana Plain", "--email", "ana@example.org",
                "--org", "a=b", "--phone", "01 23 45 67 89")
        out = self.ok("registrations", "list", "petit", "--format", "csv").stdout
        rows = {r["email"]: r for r in csv.DictReader(io.StringIO(out, newline=""))}
        f = rows["f@example.org"]
        # every cell that a spreadsheet would run as a formula starts with '
        self.assertEqual(f["name"], "'" + hostile["name"])
        self.assertEqual(f["organization"], "'@home")
        self.assertEqual(f["phone"], "'+33 6 12 34 56 78")
        self.assertEqual(f["diet"], "'+sans porc")
        self.assertIn('"\'=HYPERLINK(', out)
        # nothing else changes
        a = rows["ana@example.org"]
        self.assertEqual((a["name"], a["organization"], a["phone"]),
                         ("Ana Plain", "a=b", "01 23 45 67 89"))
        for row in rows.values():
            for k, v in row.items():
                self.assertFalse(v[:1] in ("=", "+", "-", "@", "\t", "\r"), (k, v))
        # the list's own CSV imports back as it was: the apostrophe is taken off
        before = self.listing("petit")
        path = os.path.join(self.dir, "list.csv")
        with open(path, "w", newline="") as fh:
            fh.write(out)
        p = self.ok("registrations", "import", "petit", path)
        self.assertIn("0 new, 0 updated, 2 unchanged", p.stderr)
        self.assertEqual(self.listing("petit"), before)
        self.assertEqual(before[0]["phone"], hostile["phone"])

    def test_dry_run_writes_nothing(self):
        before = self.db_bytes()
        p = self.ok("registrations", "import", "atelier-cem-2", SAMPLE_CSV, "--dry-run")
        self.assertIn("dry run, nothing written", p.stderr)
        self.assertIn("58 new", p.stderr)
        self.assertEqual(self.db_bytes(), before)
        self.assertEqual(self.listing("atelier-cem-2"), [])
        # A bad file in a dry run: the same report, exit 1, nothing written.
        before = self.db_bytes()
        p = self.run_planner("registrations", "import", "atelier-cem-2",
                             os.path.join(BAD, "many-bad-rows.csv"), "--dry-run")
        self.assertEqual(p.returncode, 1)
        self.assertIn("3 bad rows (6 problems)", p.stderr)
        self.assertEqual(self.db_bytes(), before)

    def test_bad_file_lists_all_bad_rows_and_imports_nothing(self):
        path = os.path.join(BAD, "many-bad-rows.csv")
        p = self.run_planner("registrations", "import", "atelier-cem-2", path)
        self.assertEqual(p.returncode, 1, p.stderr)
        lines = p.stderr.splitlines()
        problems = [l for l in lines if re.match(re.escape(f"planner: {path}:") + r"\d+: ", l)]
        with open(os.path.join(BAD, "many-bad-rows.expect")) as f:
            expected = [l for l in f.read().splitlines() if l]
        self.assertEqual(len(problems), len(expected), p.stderr)
        for e in expected:
            self.assertTrue(any(l.startswith(f"planner: {path}{e}") for l in problems),
                            f"{e} not in {p.stderr}")
        self.assertIn("nothing was imported", lines[-1])
        self.assertEqual(self.listing("atelier-cem-2"), [])
        # Not a text file at all.
        p = self.run_planner("registrations", "import", "atelier-cem-2", BIN)
        self.assertEqual(p.returncode, 1)
        self.assertIn(":1: ", p.stderr)

    def test_register_waitlist_cancel_promotes(self):
        statuses = []
        for i in range(12):
            args = ["register", "petit", "--name", f"Personne {i}", "--email",
                    f"p{i}@example.org"]
            if i < 3:
                args += ["--session", "a"]
            p = self.ok(*args)
            fields = dict(l.split(": ", 1) for l in p.stdout.splitlines())
            fields["stderr"] = p.stderr
            statuses.append(fields)
        self.assertEqual(statuses[0]["status"], "confirmed")
        self.assertTrue(statuses[0]["link"].startswith("/me/"))
        self.assertEqual(len(statuses[0]["link"]), 4 + 64)
        # Session a holds 2: the third chooser is in the event (it has room)
        # and first on the waiting list of a, only.
        self.assertEqual(statuses[2]["status"], "confirmed")
        self.assertNotIn("position", statuses[2])
        self.assertEqual(statuses[2]["session_waitlist"], "a 1")
        self.assertIn("session 'a' is full: position 1 on its waiting list",
                      statuses[2]["stderr"])
        # Event of 10: p10 and p11 wait for the event.
        self.assertEqual(statuses[9]["status"], "confirmed")
        self.assertEqual(statuses[11]["status"], "waitlisted")
        self.assertEqual(statuses[11]["position"], "2")
        self.assertIn("the event is full (10 places)", statuses[11]["reason"])

        # An update (e-mail in capitals) does not show the link again.
        p = self.ok("register", "petit", "--name", "Personne Zéro", "--email", "P0@EXAMPLE.ORG",
                    "--session", "a", "--origin", "Lyon", "--ride", "--meal", "halal")
        self.assertNotIn("link:", p.stdout)
        self.assertIn("updated", p.stderr)

        # The list shows the place in the workshop's line.
        self.assertIn("a (waiting 1)", self.ok("registrations", "list", "petit").stdout)
        self.assertIn("a:1", self.ok("registrations", "list", "petit", "--format", "csv").stdout)

        # p0 cancels: p10 gets the event's seat, p2 (first waiting for a)
        # gets the seat in a, in the same step.
        p = self.ok("registrations", "cancel", "petit", "--email", "p0@example.org")
        self.assertIn("Personne 2 <p2@example.org> promoted", p.stderr)
        self.assertIn("Personne 10 <p10@example.org> promoted", p.stderr)
        regs = {r["email"].lower(): r for r in self.listing("petit")}
        self.assertEqual(regs["p0@example.org"]["status"], "cancelled")
        self.assertEqual(regs["p2@example.org"]["status"], "confirmed")
        self.assertEqual(regs["p2@example.org"]["session_waitlist"], {})
        self.assertEqual(regs["p10@example.org"]["status"], "confirmed")
        self.assertEqual(regs["p11@example.org"]["waitlist_position"], 1)
        self.assertEqual(sum(r["status"] == "confirmed" for r in regs.values()), 10)

        p = self.run_planner("registrations", "cancel", "petit", "--email", "nobody@example.org")
        self.assertEqual(p.returncode, 1)

    def test_exit_codes(self):
        self.assertEqual(self.run_planner("register", "petit", "--name", "A").returncode, 2)
        self.assertEqual(self.run_planner("register", "petit", "--name", "A", "--email", "a@b.fr",
                                          "--drive", "2", "--ride").returncode, 2)
        self.assertEqual(self.run_planner("registrations", "frobnicate").returncode, 2)
        self.assertEqual(self.run_planner("registrations", "list", "petit", "--format",
                                          "xml").returncode, 2)
        p = self.run_planner("register", "petit", "--name", "A", "--email", "not-an-email")
        self.assertEqual(p.returncode, 1)
        self.assertIn("email", p.stderr)
        self.assertEqual(self.run_planner("register", "nope", "--name", "A", "--email",
                                          "a@b.fr").returncode, 1)
        p = subprocess.run([BIN, "--db", os.path.join(self.dir, "none.db"), "registrations",
                            "list", "petit"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 3)
        self.assertEqual(self.ok("registrations", "--help").stdout.count("usage:"), 1)
        self.assertIn("--drive SEATS", self.ok("register", "--help").stdout)

    def test_update_changes_only_what_is_given(self):
        """issue 10 item 2: the carpool docs' advice (register again with a new
        origin) must not wipe organization, meal, diet, consent or sessions."""
        self.ok("register", "petit", "--name", "Ana Silva", "--email", "ana@example.org",
                "--org", "Mairie", "--origin", "44000 Nantes", "--ride", "--meal", "végétarien",
                "--public", "--phone", "06 12 34 56 78", "--session", "b")
        before = self.listing("petit")[0]
        self.ok("register", "petit", "--name", "Ana Silva", "--email", "ANA@example.org",
                "--origin", "26240 Saint-Vallier")
        after = self.listing("petit")[0]
        self.assertEqual(after["origin"], "26240 Saint-Vallier")
        for key in ("name", "organization", "travel", "seats", "meal", "diet", "public",
                    "sessions", "uid", "status"):
            self.assertEqual(after[key], before[key], key)
        # without --name: an update still
        self.ok("register", "petit", "--email", "ana@example.org", "--session", "a")
        self.assertEqual(self.listing("petit")[0]["sessions"], ["a"])
        self.assertEqual(self.listing("petit")[0]["name"], "Ana Silva")
        # clearing is explicit
        self.ok("register", "petit", "--email", "ana@example.org", "--org", "", "--no-meal",
                "--no-public", "--clear-sessions")
        r = self.listing("petit")[0]
        self.assertEqual((r["organization"], r["meal"], r["diet"], r["public"], r["sessions"]),
                         (None, False, None, False, []))
        self.assertEqual((r["origin"], r["travel"]), ("26240 Saint-Vallier", "ride"))
        # a kept field is checked as stored: no origin while riding
        p = self.run_planner("register", "petit", "--email", "ana@example.org", "--origin", "")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("origin", p.stderr)
        self.assertEqual(self.listing("petit")[0]["origin"], "26240 Saint-Vallier")
        self.ok("register", "petit", "--email", "ana@example.org", "--no-carpool", "--origin", "")
        self.assertEqual(self.listing("petit")[0]["travel"], "none")
        # someone new needs a name
        p = self.run_planner("register", "petit", "--email", "new@example.org")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("name", p.stderr)
        self.assertEqual(self.run_planner("register", "petit", "--email", "x@example.org",
                                          "--session", "a", "--clear-sessions").returncode, 2)

    def test_csv_reimport_keeps_what_empty_cells_leave_out(self):
        """An empty cell keeps the stored value; --replace makes the row the
        whole registration."""
        self.ok("register", "petit", "--name", "Ana Silva", "--email", "ana@example.org",
                "--org", "Mairie", "--origin", "44000 Nantes", "--drive", "3", "--meal",
                "végétarien", "--public", "--session", "b")
        before = self.listing("petit")[0]
        path = os.path.join(self.dir, "update.csv")
        with open(path, "w") as f:
            f.write("nom;courriel;commune;repas;ateliers\n"
                    "Ana Silva;ana@example.org;26240 Saint-Vallier;;\n")
        p = self.ok("registrations", "import", "petit", path)
        self.assertIn("1 updated", p.stderr)
        after = self.listing("petit")[0]
        self.assertEqual(after["origin"], "26240 Saint-Vallier")
        for key in ("organization", "travel", "seats", "meal", "diet", "public", "sessions"):
            self.assertEqual(after[key], before[key], key)
        p = self.ok("registrations", "import", "petit", path, "--replace")
        r = self.listing("petit")[0]
        self.assertEqual((r["organization"], r["travel"], r["meal"], r["public"], r["sessions"]),
                         (None, "none", False, False, []))
        self.assertEqual(r["origin"], "26240 Saint-Vallier")

    def test_purge_removes_personal_fields_of_a_past_event(self):
        self.ok("register", "petit", "--name", "Ana Silva", "--email", "ana@example.org",
                "--origin", "Lyon", "--ride", "--phone", "06 12 34 56 78", "--session", "a")
        p = self.run_planner("registrations", "purge", "petit")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("not over for 90 days", p.stderr)
        past = dict(SMALL_EVENT, start="2020-12-10T09:30", end="2020-12-10T12:00")
        path = os.path.join(self.dir, "past.json")
        with open(path, "w") as f:
            json.dump(past, f)
        self.ok("event", "import", path)
        p = self.ok("registrations", "purge", "petit", "--after-days", "30")
        self.assertEqual(p.stdout, "purged: 1\n")
        r = self.listing("petit")[0]
        self.assertEqual((r["status"], r["name"], r["origin"], r["phone"], r["travel"],
                          r["sessions"]), ("confirmed", "", None, None, "ride", ["a"]))
        self.assertNotIn("ana", r["email"])
        self.assertEqual(self.ok("registrations", "purge", "petit").stdout, "purged: 0\n")
        self.assertEqual(self.run_planner("registrations", "purge", "petit", "--after-days",
                                          "x").returncode, 2)

    def put_petit(self, **over):
        ev = dict(SMALL_EVENT, **over)
        path = os.path.join(self.dir, "petit-over.json")
        with open(path, "w") as f:
            json.dump(ev, f)
        return self.run_planner("event", "import", path)

    def test_purge_days_per_event(self):
        """issue 14: the purge delay is a per-event setting ("purge_after_days")
        that purge and serve's daily purge use; --after-days still wins."""
        import datetime
        end = datetime.date.today() - datetime.timedelta(days=40)
        dates = dict(start=end.isoformat() + "T09:30", end=end.isoformat() + "T12:00")
        self.assertEqual(self.put_petit(**dates, purge_after_days=60).returncode, 0)
        show = self.ok("event", "show", "petit").stdout
        self.assertRegex(show, r"purge +60 days after the end")
        ev = json.loads(self.ok("event", "show", "petit", "--format", "json").stdout)
        self.assertEqual(ev["purge_after_days"], 60)
        self.ok("register", "petit", "--name", "Ana Silva", "--email", "ana@example.org")
        # over for 40 days: not for the event's 60
        p = self.run_planner("registrations", "purge", "petit")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("not over for 60 days", p.stderr)
        self.assertEqual(self.listing("petit")[0]["name"], "Ana Silva")
        # the organiser shortens it: the default purge now applies it
        self.assertEqual(self.put_petit(**dates, purge_after_days=30).returncode, 0)
        self.assertEqual(self.ok("registrations", "purge", "petit").stdout, "purged: 1\n")
        self.assertEqual(self.listing("petit")[0]["name"], "")
        # bad values: the key, the file, nothing changed
        for bad, what in ((0, "between 1 and 36500"), ("30", "whole number")):
            p = self.put_petit(**dates, purge_after_days=bad)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("purge_after_days", p.stderr)
            self.assertIn("petit-over.json", p.stderr)
            self.assertIn(what, p.stderr)
        ev = json.loads(self.ok("event", "show", "petit", "--format", "json").stdout)
        self.assertEqual(ev["purge_after_days"], 30)
        # left out: back to the default, 90 days
        self.assertEqual(self.put_petit(**dates).returncode, 0)
        self.assertRegex(self.ok("event", "show", "petit").stdout,
                         r"purge +90 days after the end \(the default")

    def test_phone_and_its_separate_consent(self):
        self.ok("register", "petit", "--name", "Ana", "--email", "ana@example.org",
                "--phone", "06 12 34 56 78", "--share-phone")
        r = self.listing("petit")[0]
        self.assertEqual((r["phone"], r["share_phone"]), ("06 12 34 56 78", True))
        self.ok("register", "petit", "--email", "ana@example.org", "--origin", "Lyon")
        self.assertTrue(self.listing("petit")[0]["share_phone"])  # kept
        self.ok("register", "petit", "--email", "ana@example.org", "--no-share-phone")
        r = self.listing("petit")[0]
        self.assertEqual((r["phone"], r["share_phone"]), ("06 12 34 56 78", False))
        path = os.path.join(self.dir, "phones.csv")
        with open(path, "w") as f:
            f.write("nom;courriel;téléphone;partage du téléphone\n"
                    "Bea;bea@example.org;07 00 00 00 01;oui\n"
                    "Ana;ana@example.org;;oui\n")
        self.ok("registrations", "import", "petit", path)
        regs = {r["email"]: r for r in self.listing("petit")}
        self.assertEqual((regs["bea@example.org"]["phone"], regs["bea@example.org"]["share_phone"]),
                         ("07 00 00 00 01", True))
        self.assertEqual((regs["ana@example.org"]["phone"], regs["ana@example.org"]["share_phone"]),
                         ("06 12 34 56 78", True))
        csv_out = self.ok("registrations", "list", "petit", "--format", "csv").stdout
        self.assertIn("share_phone", csv_out.splitlines()[0])

    def test_concurrent_registrations_never_overbook(self):
        """8 processes register 5 people each, at once, on one database file,
        for an event of 10 places: exactly 10 confirmed, the others waiting
        with positions 1..30, no one twice; workshop a (2 places), chosen by
        half of them: exactly 2 seated, the other confirmed choosers in its
        line with places 1..k; then 4 concurrent cancellations promote
        exactly 4 and the workshop stays at exactly 2."""
        workers = []
        for w in range(8):
            script = " ; ".join(
                f'"{BIN}" --db "{self.db}" register petit --name "W{w} P{i}" '
                f'--email "w{w}p{i}@example.org"' + (" --session a" if i % 2 else " --session b")
                for i in range(5))
            workers.append(subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, text=True))
        outputs = [w.communicate(timeout=120) for w in workers]
        for w, (out, err) in zip(workers, outputs):
            self.assertEqual(w.returncode, 0, err)
        links = [l for out, _ in outputs for l in out.splitlines() if l.startswith("link: ")]
        self.assertEqual(len(links), 40)
        self.assertEqual(len(set(links)), 40)

        regs = self.listing("petit")
        self.assertEqual(len(regs), 40)
        self.assertEqual(len({r["email"] for r in regs}), 40)
        confirmed = [r for r in regs if r["status"] == "confirmed"]
        waiting = [r for r in regs if r["status"] == "waitlisted"]
        self.assertEqual(len(confirmed), 10)
        self.assertEqual(sorted(r["waitlist_position"] for r in waiting), list(range(1, 31)))
        # Arrival order: the confirmed are the first ten to arrive.
        self.assertEqual([r["status"] for r in regs[:10]], ["confirmed"] * 10)
        self.check_workshop_a(regs)

        cancellers = [subprocess.Popen([BIN, "--db", self.db, "registrations", "cancel", "petit",
                                        "--email", r["email"]], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
                      for r in confirmed[:4]]
        for c in cancellers:
            c.communicate(timeout=60)
            self.assertEqual(c.returncode, 0)
        regs = self.listing("petit")
        self.assertEqual(sum(r["status"] == "confirmed" for r in regs), 10)
        self.assertEqual(sum(r["status"] == "cancelled" for r in regs), 4)
        promoted = [r["email"] for r in regs[10:14]]
        self.assertTrue(all(r["status"] == "confirmed" for r in regs[10:14]), promoted)
        waiting = [r for r in regs if r["status"] == "waitlisted"]
        self.assertEqual([r["waitlist_position"] for r in waiting], list(range(1, 27)))
        self.check_workshop_a(regs)

    def check_workshop_a(self, regs):
        """Workshop a holds 2: exactly 2 confirmed people seated in it (all of
        them when fewer chose it), the other confirmed choosers in its line,
        places 1..k in arrival order of their wait; no one waiting for the
        event holds or waits for it."""
        chose_a = [r for r in regs if "a" in r["sessions"]]
        confirmed = [r for r in chose_a if r["status"] == "confirmed"]
        seated = [r for r in confirmed if "a" not in r["session_waitlist"]]
        line = [r["session_waitlist"]["a"] for r in confirmed if "a" in r["session_waitlist"]]
        # Arrival order decides how many confirmed people chose a: usually more
        # than its 2 places, but a skewed start can leave only one among the
        # first ten (seen on a fresh 2-core machine).
        self.assertEqual(len(seated), min(2, len(confirmed)), seated)
        self.assertEqual(sorted(line), list(range(1, len(confirmed) - len(seated) + 1)))
        self.assertTrue(all(r["session_waitlist"] == {} for r in chose_a
                            if r["status"] != "confirmed"))


if __name__ == "__main__":
    unittest.main()
