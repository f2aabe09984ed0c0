#!/usr/bin/python3
"""Ranked workshop choices and `planner sessions allocate` (issue 14), through
the real binary: rankings saved by `register --rank`, placed within the
places left, shown as chosen sessions, --keep-assigned, bad rankings."""
import json
import unittest

from planner_test import PlannerTestCase

SLUG = "atelier-cem-2"
WORKSHOPS = ("atelier-pdie", "atelier-covoiturage", "atelier-flottes")  # 20 places each


class Allocate(PlannerTestCase):
    def setUp(self):
        super().setUp()
        self.ok("event", "import", self.sample(f"{SLUG}.json"))

    def register(self, n, ranks, **extra):
        args = ["register", SLUG, "--name", f"P{n}", "--email", f"p{n}@example.org"]
        if ranks:
            args += ["--rank", ",".join(ranks)]
        for k, v in extra.items():
            args += [f"--{k}", v]
        return self.ok(*args)

    def allocate(self, *opts):
        r = self.ok("sessions", "allocate", SLUG, "--format", "json", *opts)
        return json.loads(r.stdout)

    def chosen(self):
        r = self.ok("registrations", "list", SLUG, "--format", "json")
        return {p["email"]: p["sessions"] for p in json.loads(r.stdout)}

    def test_everyone_placed_within_places_most_first_choices(self):
        # 50 people; 30 want the fleets workshop first (20 places).
        for n in range(50):
            first = "atelier-flottes" if n < 30 else WORKSHOPS[n % 2]
            rest = [w for w in WORKSHOPS if w != first]
            self.register(n, [first] + rest)
        a = self.allocate()
        self.assertEqual(a["event"], SLUG)
        self.assertEqual(a["totals"]["placed"], 50)
        self.assertEqual(a["unplaced"], [])
        # Every place of the fleets workshop goes to a first choice, and the
        # ten left over get their second: 40 first, 10 second.
        self.assertEqual(a["totals"]["by_rank"], {"1": 40, "2": 10})
        load = {}
        for x in a["assignments"]:
            self.assertEqual(set(x), {"email", "slot", "session", "rank"})
            self.assertEqual(x["slot"], "12:00")
            load[x["session"]] = load.get(x["session"], 0) + 1
        self.assertTrue(all(v <= 20 for v in load.values()), load)
        # Arrival order among identical rankings: the first 20 of the 30
        # fleets fans (p0..p19 ranked alike two by two) include p0.
        chosen = self.chosen()
        self.assertEqual(chosen["p0@example.org"], ["atelier-flottes"])
        # The allocation is the chosen session, everywhere.
        for x in a["assignments"]:
            self.assertIn(x["session"], chosen[x["email"]])
        export = self.ok("export", "registrants", SLUG, "-o", "r.json")
        with open(f"{self.dir}/r.json") as f:
            data = json.load(f)
        self.assertTrue(data)

    def test_direct_choices_take_places_first(self):
        # 15 people chose the fleets workshop directly (no ranking).
        for n in range(15):
            self.register(n, None, session="atelier-flottes")
        for n in range(15, 25):
            self.register(n, ["atelier-flottes", "atelier-pdie"])
        a = self.allocate()
        got = {x["email"]: x["session"] for x in a["assignments"]}
        self.assertEqual(sum(1 for s in got.values() if s == "atelier-flottes"), 5)
        self.assertEqual(sum(1 for s in got.values() if s == "atelier-pdie"), 5)
        # Those with a direct choice keep it.
        self.assertEqual(self.chosen()["p0@example.org"], ["atelier-flottes"])

    def test_keep_assigned_moves_nobody(self):
        self.register(0, ["atelier-pdie", "atelier-flottes"])
        for n in range(1, 22):  # 21 for 20 places
            self.register(n, ["atelier-flottes"])
        a = self.allocate()
        before = {x["email"]: x["session"] for x in a["assignments"]}
        self.assertEqual(before["p0@example.org"], "atelier-pdie")
        self.assertEqual(a["unplaced"], [{"email": "p21@example.org", "slot": "12:00",
                                          "reason": "every workshop ranked is full"}])
        # p5 gives up the fleets, for pdie then fleets; a late sign-up ranks
        # fleets only. Run afresh, the optimum would give p5's fleets place to
        # p21 or the newcomer; --keep-assigned keeps p5 where they were told.
        self.register(5, ["atelier-pdie", "atelier-flottes"])
        self.register(99, ["atelier-flottes"])
        a = self.allocate("--keep-assigned")
        after = {x["email"]: x["session"] for x in a["assignments"]}
        for email, s in before.items():
            self.assertEqual(after[email], s)
        self.assertEqual(a["totals"]["kept"], len(before))
        self.assertNotIn("p99@example.org", after)
        self.assertNotIn("p21@example.org", after)
        # Without it, p5 moves to their first choice and a fleets place frees up.
        a = self.allocate()
        fresh = {x["email"]: x["session"] for x in a["assignments"]}
        self.assertEqual(fresh["p5@example.org"], "atelier-pdie")
        self.assertEqual(fresh["p21@example.org"], "atelier-flottes")

    def test_bad_ranking_saves_nothing(self):
        before = self.digest(self.db)
        r = self.run_planner("register", SLUG, "--name", "X", "--email", "x@example.org",
                             "--rank", "atelier-pdie,forum-ouvert")
        self.assertEqual(r.returncode, 1)
        self.assertIn('"forum-ouvert" is not a workshop of the event', r.stderr)
        r = self.run_planner("register", SLUG, "--name", "X", "--email", "x@example.org",
                             "--rank", "atelier-pdie,atelier-pdie")
        self.assertEqual(r.returncode, 1)
        self.assertIn("ranked twice", r.stderr)
        self.assertEqual(self.digest(self.db), before)

    def test_nobody_ranked_and_help(self):
        r = self.ok("sessions", "allocate", SLUG)
        self.assertIn("nobody ranked workshops yet", r.stderr)
        r = self.ok("sessions", "--help")
        self.assertIn("Example", r.stdout)
        self.assertEqual(self.run_planner("sessions", "allocate").returncode, 2)
        self.assertEqual(self.run_planner("sessions", "allocate", "nope").returncode, 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
