"""End to end: changes to confirmed carpools with the real binary. A member
who cancels, and `planner carpool move`, change a confirmed car; every member
of that car then has a carpool message in the outbox (`planner mail list
--format json`), the person who lost their seat too, and nobody twice."""
import collections
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from planner_test import PlannerTestCase  # noqa: E402

SLUG = "atelier-cem-2"


class CarpoolChanges(PlannerTestCase):
    def setUp(self):
        super().setUp()
        self.ok("event", "import", self.sample(f"{SLUG}.json"))
        self.ok("registrations", "import", SLUG, self.sample(f"{SLUG}.registrations.csv"))

    def plan(self, *args):
        return json.loads(self.ok("carpool", "plan", SLUG, "--format", "json", *args).stdout)

    def carpool_mail(self):
        """How many carpool messages each address has in the outbox."""
        r = self.ok("mail", "list", SLUG, "--format", "json")
        msgs = json.loads(r.stdout)["messages"]
        return collections.Counter(m["to"].lower() for m in msgs if m["kind"] == "carpool")

    def kinds_of(self, email):
        r = self.ok("mail", "list", SLUG, "--format", "json")
        return sorted(m["kind"] for m in json.loads(r.stdout)["messages"]
                      if m["to"].lower() == email)

    @staticmethod
    def members(g):
        return [g["driver"]["email"].lower()] + [p["email"].lower() for p in g["passengers"]]

    def test_a_cancelled_passenger_and_a_move_tell_the_car_once(self):
        plan = self.plan()
        self.ok("carpool", "confirm", SLUG, "--all")
        before = self.carpool_mail()
        cars = [g for g in plan["groups"] if g["passengers"]]
        for g in cars:
            for e in self.members(g):
                self.assertEqual(before[e], 1, e)
        big = next(g for g in cars if len(g["passengers"]) >= 2)
        gone = big["passengers"][-1]["email"].lower()
        stay = [e for e in self.members(big) if e != gone]

        # A passenger cancels: the others of the car are told, once.
        self.ok("registrations", "cancel", SLUG, "--email", gone)
        after = self.carpool_mail()
        for e in stay:
            self.assertEqual(after[e], 2, e)
        self.assertEqual(after[gone], 1)  # their own act: the cancellation only
        self.assertIn("cancellation", self.kinds_of(gone))
        others = [e for g in cars if g is not big for e in self.members(g)]
        for e in others:
            self.assertEqual(after[e], 1, e)
        shown = self.ok("carpool", "show", SLUG, "--email", big["driver"]["email"],
                        "--format", "json")
        self.assertNotIn(gone, shown.stdout.lower())
        # Again, and a re-plan keeping the confirmed cars: nothing new.
        self.ok("registrations", "cancel", SLUG, "--email", gone)
        self.plan("--keep-confirmed")
        self.assertEqual(self.carpool_mail(), after)

        # A move from a confirmed car into another one with a free seat.
        plan = self.plan("--keep-confirmed")
        cars = [g for g in plan["groups"] if g["passengers"] and g["confirmed"]]
        target = next((g for g in plan["groups"]
                       if g["confirmed"] and len(g["passengers"]) < g["seats"]), None)
        if target is None:
            self.skipTest("no confirmed car with a free seat in the sample")
        source = next(g for g in cars if g is not target
                      and g["driver"]["email"] != target["driver"]["email"])
        mover = source["passengers"][0]["email"].lower()
        r = self.run_planner("carpool", "move", SLUG, "--email", mover,
                             "--to", target["driver"]["email"])
        if r.returncode == 1:
            # beyond the detour limit: refused, says by how much, nothing changed
            self.assertIn("would grow by", r.stderr)
            self.assertIn("--force", r.stderr)
            self.assertEqual(self.carpool_mail(), after)
            r = self.ok("carpool", "move", SLUG, "--email", mover,
                        "--to", target["driver"]["email"], "--force")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Detour of that car", r.stdout)
        self.assertIn("recorded", r.stdout)
        moved = self.carpool_mail()
        told = set(self.members(source)) | set(self.members(target))
        for e in told:
            self.assertEqual(moved[e], after[e] + 1, e)
        for e, n in moved.items():
            if e not in told:
                self.assertEqual(n, after[e], e)
        shown = json.loads(self.ok("carpool", "show", SLUG, "--email", mover,
                                   "--format", "json").stdout)
        self.assertEqual(shown["role"], "passenger")
        self.assertIn(target["driver"]["email"].lower(), json.dumps(shown).lower())
        # The same move again: refused, nobody told twice.
        r = self.run_planner("carpool", "move", SLUG, "--email", mover,
                             "--to", target["driver"]["email"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("already", r.stderr)
        self.assertEqual(self.carpool_mail(), moved)
        # The record, oldest first: the cancellation, then the move.
        rec = json.loads(self.ok("carpool", "changes", SLUG, "--format", "json").stdout)
        self.assertEqual([(c["what"], c["email"].lower()) for c in rec["changes"]],
                         [("left", gone), ("moved", mover)])
        self.assertEqual(rec["changes"][0]["driver"].lower(), big["driver"]["email"].lower())
        self.assertEqual(rec["changes"][1]["from_driver"].lower(),
                         source["driver"]["email"].lower())
        r = self.ok("carpool", "changes", SLUG)
        self.assertIn("moved", r.stdout)
        self.assertIn("from the car of", r.stdout)

    def test_the_way_home_is_confirmed_and_its_mail_says_so(self):
        plans = self.plan("--trip", "both")
        home = next(p for p in plans if p["trip"] == "return")
        car = next(g for g in home["groups"] if g["passengers"])
        driver = car["driver"]["email"].lower()
        r = self.ok("carpool", "confirm", SLUG, "--email", driver, "--trip", "return")
        self.assertIn("the way home: the group driven by", r.stderr)
        self.assertIn("--keep-confirmed --trip return", r.stderr)
        self.assertEqual(sum(self.carpool_mail().values()), len(self.members(car)))
        msgs = json.loads(self.ok("mail", "list", SLUG, "--format", "json").stdout)["messages"]
        mine = next(m for m in msgs if m["to"].lower() == driver and m["kind"] == "carpool")
        preview = self.ok("mail", "preview", mine["id"]).stdout
        # a French event: the way home, said in the subject and the body
        self.assertIn("Subject: Votre covoiturage retour", preview)
        self.assertIn("Vous conduisez au retour. D=C3=A9part du lieu", preview)
        shown = self.ok("carpool", "show", SLUG, "--email", driver).stdout
        self.assertIn("The car home is confirmed.", shown)
        # the way there is not confirmed by it
        there = json.loads(self.ok("carpool", "show", SLUG, "--email", driver,
                                   "--format", "json").stdout)
        self.assertFalse(there["group"] and there["group"].get("confirmed"))
        # --trip both: a driver who has no car on one trip is said, the
        # other trip is still confirmed
        r = self.ok("carpool", "confirm", SLUG, "--all", "--trip", "both")
        self.assertIn("the way there:", r.stderr)
        self.assertIn("the way home:", r.stderr)
        r = self.run_planner("carpool", "confirm", SLUG, "--all", "--trip", "sideways")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--trip is outbound, return or both", r.stderr)

    def test_a_driver_who_cancels_frees_seats_with_a_lost_seat_message(self):
        plan = self.plan()
        self.ok("carpool", "confirm", SLUG, "--all")
        g = next(g for g in plan["groups"] if g["passengers"])
        driver = g["driver"]["email"].lower()
        passengers = [p["email"].lower() for p in g["passengers"]]
        self.ok("registrations", "cancel", SLUG, "--email", driver)
        counts = self.carpool_mail()
        for e in passengers:
            self.assertEqual(counts[e], 2, e)
            shown = json.loads(self.ok("carpool", "show", SLUG, "--email", e,
                                       "--format", "json").stdout)
            self.assertEqual(shown["role"], "unassigned")
            self.assertEqual(shown["reason"], "seat_lost")
        msgs = json.loads(self.ok("mail", "list", SLUG, "--format", "json").stdout)["messages"]
        last = [m for m in msgs if m["to"].lower() == passengers[0] and m["kind"] == "carpool"]
        preview = self.ok("mail", "preview", last[-1]["id"])
        self.assertNotIn(driver, preview.stdout.lower())

    def test_a_cancellation_on_the_personal_page_changes_the_confirmed_car(self):
        """The server runs the same hook: cancelling on /me/TOKEN takes the
        passenger out of their confirmed car and tells the others."""
        import sqlite3
        from test_server import Server
        plan = self.plan()
        self.ok("carpool", "confirm", SLUG, "--all")
        big = next(g for g in plan["groups"] if len(g["passengers"]) >= 2)
        gone = big["passengers"][0]["email"].lower()
        before = self.carpool_mail()
        with sqlite3.connect(self.db) as db:
            token = db.execute("SELECT token FROM registrations WHERE lower(email) = ?",
                               (gone,)).fetchone()[0]
        srv = Server(self.dir)
        self.assertEqual(srv.db, self.db)
        try:
            s, _, body = srv.request("POST", "/me/%s/cancel" % token, {})
            self.assertEqual(s, 200, body)
        finally:
            srv.stop()
        after = self.carpool_mail()
        for e in self.members(big):
            self.assertEqual(after[e], before[e] + (0 if e == gone else 1), e)
        rec = json.loads(self.ok("carpool", "changes", SLUG, "--format", "json").stdout)
        self.assertEqual([(c["what"], c["email"].lower()) for c in rec["changes"]],
                         [("left", gone)])

    def check(self, plan):
        """Seats, km recomputed from the coordinates, detour limits, times in
        order, nobody twice: what the engine guarantees, kept by moves."""
        import math

        def gc(a, b):
            (la1, lo1), (la2, lo2) = [(math.radians(x), math.radians(y)) for x, y in (a, b)]
            h = (math.sin((la2 - la1) / 2) ** 2
                 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
            return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))

        event = self.load_sample(f"{SLUG}.json")
        venue = (event["venue"]["lat"], event["venue"]["lon"])
        o = plan["options"]
        seen = []
        for g in plan["groups"]:
            d = g["driver"]
            seen += self.members(g)
            self.assertLessEqual(len(g["passengers"]), g["seats"], d["email"])
            stops = [(d["lat"], d["lon"])] + [(p["lat"], p["lon"]) for p in g["passengers"]]
            route = sum(gc(a, b) for a, b in zip(stops, stops[1:] + [venue])) * o["road_factor"]
            direct = gc(stops[0], venue) * o["road_factor"]
            self.assertAlmostEqual(g["distance_km"], route, delta=0.01)
            self.assertAlmostEqual(g["detour_km"], route - direct, delta=0.01)
            if g["passengers"]:
                self.assertLessEqual(route - direct, direct * o["max_detour_pct"] / 100 + 1e-6)
                extra = ((route - direct) / o["speed_kmh"] * 60
                         + len(g["passengers"]) * o["stop_minutes"])
                self.assertLessEqual(extra, o["max_detour_minutes"] + 1e-6, d["email"])
            times = ([g["departure_time"]] + [p["pickup_time"] for p in g["passengers"]]
                     + [g["arrival_time"]])
            self.assertEqual(times, sorted(times), d["email"])
        seen += [u["email"].lower() for u in plan["unassigned"]]
        self.assertEqual(len(seen), len(set(seen)))
        t = plan["totals"]
        self.assertAlmostEqual(t["vehicle_km"], sum(g["distance_km"] for g in plan["groups"]),
                               delta=0.01)
        self.assertEqual(t["passengers"], sum(len(g["passengers"]) for g in plan["groups"]))

    def test_moves_keep_seats_detours_and_nobody_twice(self):
        import random
        rnd = random.Random(15)
        plan = self.plan()
        self.check(plan)
        everyone = sorted({e for g in plan["groups"] for e in self.members(g)}
                          | {u["email"].lower() for u in plan["unassigned"]})
        done = refused = 0
        drivers = sorted(g["driver"]["email"].lower() for g in plan["groups"])
        for _ in range(40):
            who = rnd.choice(everyone)
            to = rnd.choice([d for d in drivers if d != who])
            before = self.plan_stored()
            r = self.run_planner("carpool", "move", SLUG, "--email", who, "--to", to)
            self.assertIn(r.returncode, (0, 1), r.stderr)
            if r.returncode == 0:
                done += 1
                self.check(self.plan_stored())
            else:
                refused += 1
                self.assertTrue(r.stderr.strip(), "a refusal says why")
                self.assertEqual(self.plan_stored(), before, "a refusal changes nothing")
        self.assertGreater(done, 0)
        self.assertGreater(refused, 0)

    def plan_stored(self):
        path = os.path.join(self.dir, "plan.json")
        self.ok("export", "carpool", SLUG, "-o", path)
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def test_move_usage_and_errors(self):
        self.plan()
        for args in (["carpool", "move", SLUG],
                     ["carpool", "move", SLUG, "--email", "a@b.org"],
                     ["carpool", "move", SLUG, "--email", "a@b.org", "--to", "c@d.org",
                      "--trip", "sideways"]):
            r = self.run_planner(*args)
            self.assertEqual(r.returncode, 2, args)
        r = self.run_planner("carpool", "move", SLUG, "--email", "nobody@example.org",
                             "--to", "celine.vasseur@example.org")
        self.assertEqual(r.returncode, 1)
        self.assertIn("not in the carpool plan", r.stderr)
        r = self.ok("carpool", "--help")
        self.assertIn("carpool move atelier-cem-2", r.stdout)

    def test_together_joins_two_people_at_the_next_plan(self):
        def car_of(plan, email):
            for g in plan["groups"]:
                if email in self.members(g):
                    return g["driver"]["email"].lower()
            return None

        a, b = "lucas.fontaine@example.org", "camille.texier@example.com"
        plan = self.plan()
        self.assertNotEqual(car_of(plan, a), car_of(plan, b))
        r = self.ok("carpool", "together", SLUG, "--email", a, "--email", b)
        self.assertIn("kept in one car", r.stderr)
        plan = self.plan()
        self.assertIsNotNone(car_of(plan, a))
        self.assertEqual(car_of(plan, a), car_of(plan, b))
        # the car still holds its seats and the detour limits
        g = next(g for g in plan["groups"] if g["driver"]["email"].lower() == car_of(plan, a))
        self.assertLessEqual(len(g["passengers"]), g["seats"])
        # a pair that cannot be joined is said on stderr
        self.ok("carpool", "together", SLUG, "--email", "aicha.diallo@example.org",
                "--email", "maelle.quere@example.net")
        r = self.ok("carpool", "plan", SLUG)
        self.assertIn("1 pair to keep together could not share a car", r.stderr)
        # --off with one e-mail clears that person's pairs
        self.ok("carpool", "together", SLUG, "--email", a, "--off")
        self.ok("carpool", "together", SLUG, "--email", "aicha.diallo@example.org", "--off")
        r = self.ok("carpool", "plan", SLUG)
        self.assertNotIn("keep together", r.stderr)
        for args in (["carpool", "together", SLUG, "--email", a],
                     ["carpool", "together", SLUG]):
            self.assertEqual(self.run_planner(*args).returncode, 2, args)
        r = self.run_planner("carpool", "together", SLUG, "--email", a, "--email", "x@y.org")
        self.assertEqual(r.returncode, 1)
        self.assertIn("not registered", r.stderr)

    def test_a_late_sign_up_moves_nobody_else(self):
        before = self.plan()
        for name, origin in (("late1", "Fleury-les-Aubrais"), ("late2", "Chartres"),
                             ("late3", "45100")):
            self.ok("register", SLUG, "--email", f"{name}@example.org", "--name", f"{name} X",
                    "--origin", origin, "--ride")
        r = self.ok("carpool", "plan", SLUG, "--format", "json")
        self.assertIn("0 people changed car since the previous plan", r.stderr)
        after = json.loads(r.stdout)
        self.assertGreaterEqual(after["totals"]["riders_seated"],
                                before["totals"]["riders_seated"] + 2)
        was = {e: g["driver"]["email"] for g in before["groups"] for e in self.members(g)}
        now = {e: g["driver"]["email"] for g in after["groups"] for e in self.members(g)}
        for e, d in was.items():
            self.assertEqual(now.get(e), d, e)
        # cars that took nobody new are stored as they were
        for g in before["groups"]:
            h = next(h for h in after["groups"] if h["driver"]["email"] == g["driver"]["email"])
            if len(h["passengers"]) == len(g["passengers"]):
                self.assertEqual(h, g)
        # --fresh plans afresh; never fewer riders seated than that
        r = self.ok("carpool", "plan", SLUG, "--fresh", "--format", "json")
        fresh = json.loads(r.stdout)
        self.assertLessEqual(fresh["totals"]["riders_seated"], after["totals"]["riders_seated"])
        self.assertNotIn("cars kept", r.stderr)


if __name__ == "__main__":
    unittest.main()
