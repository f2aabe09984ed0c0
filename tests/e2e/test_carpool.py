"""End to end: `planner carpool plan|show|confirm` on the sample event and its
sample registrations. Every plan is re-checked here independently: distances
recomputed from the coordinates (great circle x road factor), detour limits,
seats, nobody twice, everyone who travels accounted for."""
import csv
import json
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from planner_test import PlannerTestCase  # noqa: E402

SLUG = "atelier-cem-2"
EARTH_KM = 6371.0088
TRAVEL = {"conducteur": "drive", "drive": "drive", "passager": "ride", "ride": "ride",
          "flexible": "flexible", "aucun": "none", "none": "none", "": "none"}


def great_circle_km(a, b):
    (lat1, lon1), (lat2, lon2) = [(math.radians(p[0]), math.radians(p[1])) for p in (a, b)]
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def minutes(t):
    """Minutes of a local "YYYY-MM-DDTHH:MM" (same day or the day before)."""
    day = int(t[8:10])
    return day * 1440 + int(t[11:13]) * 60 + int(t[14:16])


class Carpool(PlannerTestCase):
    def setUp(self):
        super().setUp()
        self.ok("event", "import", self.sample(f"{SLUG}.json"))
        self.ok("registrations", "import", SLUG, self.sample(f"{SLUG}.registrations.csv"))
        self.event = self.load_sample(f"{SLUG}.json")
        with open(self.sample(f"{SLUG}.registrations.csv"), encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f, delimiter=";"))
        self.people = {r["Courriel"].lower(): {"travel": TRAVEL[r["Mode"].strip().lower()],
                                               "seats": int(r["Places"] or 0),
                                               "name": r["Nom"]}
                       for r in rows}

    def plan(self, *args):
        r = self.ok("carpool", "plan", SLUG, "--format", "json", *args)
        return json.loads(r.stdout)

    def check_plan(self, plan, max_pct, max_minutes, road_factor):
        """The plan is feasible and complete, recomputed from its coordinates."""
        venue = (self.event["venue"]["lat"], self.event["venue"]["lon"])
        o = plan["options"]
        self.assertEqual(o["max_detour_pct"], max_pct)
        self.assertEqual(o["max_detour_minutes"], max_minutes)
        self.assertEqual(o["road_factor"], road_factor)
        start = self.event["start"]
        seen = []
        for g in plan["groups"]:
            d = g["driver"]
            person = self.people[d["email"].lower()]
            self.assertIn(person["travel"], ("drive", "flexible"), d["email"])
            seen.append(d["email"].lower())
            stops = [(d["lat"], d["lon"])] + [(p["lat"], p["lon"]) for p in g["passengers"]]
            route = sum(great_circle_km(a, b) for a, b in zip(stops, stops[1:] + [venue]))
            route *= road_factor
            direct = great_circle_km(stops[0], venue) * road_factor
            self.assertAlmostEqual(g["distance_km"], route, delta=0.01)
            self.assertAlmostEqual(g["detour_km"], route - direct, delta=0.01)
            # Seats: never more passengers than the driver offered.
            self.assertLessEqual(len(g["passengers"]), person["seats"], d["email"])
            self.assertEqual(g["seats"], person["seats"])
            # Detour: the percentage, and the minutes (driving + stops).
            if g["passengers"]:
                self.assertLessEqual(route - direct, direct * max_pct / 100 + 1e-6, d["email"])
                if max_minutes is not None:
                    extra = ((route - direct) / o["speed_kmh"] * 60
                             + len(g["passengers"]) * o["stop_minutes"])
                    self.assertLessEqual(extra, max_minutes + 1e-6, d["email"])
            # Times: leave, pick up in order, arrive before the start.
            times = ([g["departure_time"]] + [p["pickup_time"] for p in g["passengers"]]
                     + [g["arrival_time"]])
            self.assertEqual(times, sorted(times))
            self.assertEqual(minutes(start) - minutes(g["arrival_time"]), o["margin_minutes"])
            for p in g["passengers"]:
                self.assertIn(p["email"].lower(), self.people)
                self.assertNotEqual(self.people[p["email"].lower()]["travel"], "none")
                seen.append(p["email"].lower())
                self.assertTrue(p["name"])
        for u in plan["unassigned"]:
            self.assertIn(u["reason"], ("origin_unknown", "origin_ambiguous", "no_driver",
                                        "no_seat", "no_room"))
            self.assertTrue(u["detail"])
            seen.append(u["email"].lower())
        # Nobody twice, and everyone who travels is somewhere.
        self.assertEqual(len(seen), len(set(seen)), "someone appears twice")
        travellers = {e for e, p in self.people.items() if p["travel"] != "none"}
        self.assertEqual(set(seen), travellers)
        t = plan["totals"]
        self.assertEqual(t["cars"], len(plan["groups"]))
        self.assertEqual(t["passengers"], sum(len(g["passengers"]) for g in plan["groups"]))
        self.assertAlmostEqual(t["vehicle_km"], sum(g["distance_km"] for g in plan["groups"]),
                               delta=0.05)
        self.assertAlmostEqual(t["co2_avoided_kg"],
                               t["vehicle_km_avoided"] * o["co2_kg_per_km"], delta=0.01)

    def test_plan_json_shape_and_feasibility(self):
        plan = self.plan()
        self.assertEqual(plan["event"], SLUG)
        for key in ("groups", "unassigned", "totals"):
            self.assertIn(key, plan)
        g = next(g for g in plan["groups"] if g["passengers"])
        for key in ("name", "email"):
            self.assertIn(key, g["driver"])
        for key in ("name", "email", "pickup_time"):
            self.assertIn(key, g["passengers"][0])
        for key in ("distance_km", "detour_km"):
            self.assertIn(key, g)
        for key in ("email", "reason"):
            self.assertIn(key, plan["unassigned"][0])
        for key in ("cars", "passengers", "vehicle_km", "vehicle_km_avoided", "co2_avoided_kg"):
            self.assertIn(key, plan["totals"])
        self.assertGreater(plan["totals"]["riders_seated"], 0)
        self.check_plan(plan, 25, 30, 1.3)
        # The sample's misspelt and ambiguous origins are reported, not fatal.
        reasons = {u["reason"] for u in plan["unassigned"]}
        self.assertIn("origin_unknown", reasons)
        self.assertIn("origin_ambiguous", reasons)

    def test_options_change_the_limits(self):
        plan = self.plan("--max-detour", "50", "--max-detour-minutes", "none",
                         "--road-factor", "1.2", "--co2-factor", "0.1")
        self.check_plan(plan, 50, None, 1.2)
        self.assertEqual(plan["options"]["co2_kg_per_km"], 0.1)
        tight = self.plan("--max-detour", "5", "--max-detour-minutes", "10")
        self.check_plan(tight, 5, 10, 1.3)
        self.assertLessEqual(tight["totals"]["riders_seated"], plan["totals"]["riders_seated"])

    def test_same_input_same_plan(self):
        env = {"PLANNER_NOW": "2026-11-26T10:00:00Z"}
        a = self.ok("carpool", "plan", SLUG, "--format", "json", env=env).stdout
        b = self.ok("carpool", "plan", SLUG, "--format", "json", env=env).stdout
        self.assertEqual(a, b)
        text = self.ok("carpool", "plan", SLUG, env=env).stdout
        self.assertIn("Car 1", text)
        self.assertIn("Totals", text)

    def test_show_in_plain_words(self):
        plan = self.plan()
        g = next(g for g in plan["groups"] if g["passengers"])
        p = g["passengers"][0]
        r = self.ok("carpool", "show", SLUG, "--email", p["email"].upper())
        self.assertIn(f"driven by {g['driver']['name']}", r.stdout)
        self.assertIn(p["pickup_time"][11:], r.stdout)
        self.assertIn(p["origin"], r.stdout)
        r = self.ok("carpool", "show", SLUG, "--email", g["driver"]["email"])
        self.assertIn("You drive", r.stdout)
        self.assertIn(p["name"], r.stdout)
        u = plan["unassigned"][0]
        r = self.ok("carpool", "show", SLUG, "--email", u["email"])
        self.assertIn("No carpool group", r.stdout)
        self.assertIn(u["detail"], r.stdout)
        j = json.loads(self.ok("carpool", "show", SLUG, "--email", p["email"],
                               "--format", "json").stdout)
        self.assertEqual(j["role"], "passenger")
        self.assertEqual(j["pickup"]["time"], p["pickup_time"])
        self.assertEqual(j["group"]["driver"]["email"], g["driver"]["email"])
        r = self.run_planner("carpool", "show", SLUG, "--email", "nobody@example.org")
        self.assertEqual(r.returncode, 1)
        self.assertIn("not registered", r.stderr)

    def test_confirm_then_keep_confirmed(self):
        plan = self.plan()
        g = next(g for g in plan["groups"] if g["passengers"])
        # A passenger cannot confirm; the driver can.
        r = self.run_planner("carpool", "confirm", SLUG, "--email", g["passengers"][0]["email"])
        self.assertEqual(r.returncode, 1)
        self.assertIn(g["driver"]["email"], r.stderr)
        self.ok("carpool", "confirm", SLUG, "--email", g["driver"]["email"])
        kept = self.plan("--keep-confirmed", "--max-detour", "60", "--road-factor", "1.5")
        same = [h for h in kept["groups"] if h["driver"]["email"] == g["driver"]["email"]]
        self.assertEqual(len(same), 1)
        same = same[0]
        self.assertTrue(same["confirmed"])
        for key in ("passengers", "departure_time", "arrival_time", "distance_km", "detour_km"):
            self.assertEqual(same[key], g[key], key)
        # Nobody of the kept group is planned a second time.
        emails = [x["email"] for h in kept["groups"] for x in [h["driver"]] + h["passengers"]]
        emails += [u["email"] for u in kept["unassigned"]]
        self.assertEqual(len(emails), len(set(emails)))
        r = self.ok("carpool", "show", SLUG, "--email", g["driver"]["email"])
        self.assertIn("The group is confirmed", r.stdout)
        # Without --keep-confirmed a plan over confirmed cars is refused
        # (exit 1: bad input) and says what to do; --force plans them again
        # (a car whose driver still drives passengers stays confirmed), and
        # --fresh --force starts afresh.
        r = self.run_planner("carpool", "plan", SLUG)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("--keep-confirmed", r.stderr)
        self.assertIn("--force", r.stderr)
        fresh = self.plan("--force", "--fresh")
        self.ok("carpool", "changes", SLUG)
        # --all confirms every group with passengers.
        r = self.ok("carpool", "confirm", SLUG, "--all")
        n = sum(1 for h in fresh["groups"] if h["passengers"] and not h["confirmed"])
        self.assertIn(f"{n} groups confirmed", r.stderr)

    def test_the_way_home(self):
        # Only the way there: the default, and "trip" says so.
        out = self.plan()
        self.assertEqual(out["trip"], "outbound")
        r = self.ok("carpool", "plan", SLUG, "--trip", "both", "--format", "json")
        there, home = json.loads(r.stdout)
        self.assertEqual((there["trip"], home["trip"]), ("outbound", "return"))
        self.assertIn("the way home", r.stderr)
        end = minutes(self.event["end"])
        # Everyone who travels is in the return plan exactly once.
        emails = [x["email"] for h in home["groups"] for x in [h["driver"]] + h["passengers"]]
        emails += [u["email"] for u in home["unassigned"]]
        self.assertEqual(len(emails), len(set(emails)))
        self.assertEqual(sorted(emails), sorted(
            [x["email"] for h in there["groups"] for x in [h["driver"]] + h["passengers"]]
            + [u["email"] for u in there["unassigned"]]))
        # Cars leave the venue at the end (or after the driver's last session),
        # drop off in order, in time order, and are home last.
        # Everyone attends the closing plenary (16:30-17:00), whatever their
        # workshop: no car leaves before the end (it once left at 13:00, the
        # end of the late-morning workshops, before lunch and the closing).
        for g in home["groups"]:
            self.assertEqual(minutes(g["departure_time"]), end, g["driver"]["email"])
            t = minutes(g["departure_time"])
            for p in g["passengers"]:
                self.assertNotIn("pickup_time", p)
                self.assertGreaterEqual(minutes(p["dropoff_time"]), t)
                t = minutes(p["dropoff_time"])
            self.assertGreaterEqual(minutes(g["arrival_time"]), t)
        # The outbound cars go home together where they fit: the same people,
        # dropped in the reverse order of their pickups.
        out_groups = {g["driver"]["email"]: [p["email"] for p in g["passengers"]]
                      for g in there["groups"] if g["passengers"]}
        home_groups = {g["driver"]["email"]: [p["email"] for p in g["passengers"]]
                       for g in home["groups"] if g["passengers"]}
        same = [d for d in out_groups if home_groups.get(d) == out_groups[d][::-1]]
        self.assertGreater(len(same), 0)
        # carpool show tells both ways.
        g = next(g for g in home["groups"] if g["passengers"])
        p = g["passengers"][0]
        r = self.ok("carpool", "show", SLUG, "--email", p["email"])
        self.assertIn("The way home:", r.stdout)
        self.assertIn(f"Drop-off: {p['dropoff_time'][11:]}", r.stdout)
        j = json.loads(self.ok("carpool", "show", SLUG, "--email", p["email"],
                               "--format", "json").stdout)
        self.assertEqual(j["return"]["pickup"]["time"], p["dropoff_time"])
        self.assertEqual(j["return"]["group"]["driver"]["email"], g["driver"]["email"])
        # Only the way home again: the way there is unchanged.
        again = self.plan("--trip", "return")
        self.assertEqual(again["trip"], "return")
        self.assertEqual(self.plan()["groups"], there["groups"])
        r = self.run_planner("carpool", "plan", SLUG, "--trip", "sideways")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--trip", r.stderr)

    def test_exclude_and_lock(self):
        plan = self.plan()
        g = next(g for g in plan["groups"] if len(g["passengers"]) >= 1)
        rider = g["passengers"][0]["email"]
        self.ok("carpool", "exclude", SLUG, "--email", rider)
        after = self.plan()
        u = [x for x in after["unassigned"] if x["email"] == rider]
        self.assertEqual(len(u), 1)
        self.assertEqual(u[0]["reason"], "excluded")
        # an excluded driver goes alone
        driver = g["driver"]["email"]
        self.ok("carpool", "exclude", SLUG, "--email", driver)
        after = self.plan()
        mine = next(h for h in after["groups"] if h["driver"]["email"] == driver)
        self.assertEqual(mine["passengers"], [])
        # back in
        self.ok("carpool", "exclude", SLUG, "--email", rider, "--off")
        self.ok("carpool", "exclude", SLUG, "--email", driver, "--off")
        plan = self.plan()
        self.assertFalse(any(x["email"] == rider and x["reason"] == "excluded"
                             for x in plan["unassigned"]))
        # a locked car is kept without --keep-confirmed, even with other limits
        g = next(g for g in plan["groups"] if g["passengers"])
        r = self.run_planner("carpool", "lock", SLUG, "--email", g["passengers"][0]["email"])
        self.assertEqual(r.returncode, 1)
        self.assertIn(g["driver"]["email"], r.stderr)
        self.ok("carpool", "lock", SLUG, "--email", g["driver"]["email"])
        kept = self.plan("--max-detour", "60", "--road-factor", "1.5")
        same = next(h for h in kept["groups"] if h["driver"]["email"] == g["driver"]["email"])
        for key in ("passengers", "departure_time", "arrival_time", "distance_km"):
            self.assertEqual(same[key], g[key], key)
        self.ok("carpool", "lock", SLUG, "--email", g["driver"]["email"], "--off")
        r = self.run_planner("carpool", "exclude", SLUG, "--email", "nobody@example.org")
        self.assertEqual(r.returncode, 1)
        self.assertIn("not registered", r.stderr)
        self.assertEqual(self.run_planner("carpool", "lock", SLUG).returncode, 2)

    def test_replan_reports_who_changed_car(self):
        r = self.ok("carpool", "plan", SLUG)
        self.assertNotIn("changed car", r.stderr)  # a first plan: nothing to compare with
        r = self.ok("carpool", "plan", SLUG, "--format", "json")
        self.assertIn("0 people changed car", r.stderr)  # same input, same plan
        plan = json.loads(r.stdout)
        g = next(g for g in plan["groups"] if g["passengers"])
        self.ok("carpool", "exclude", SLUG, "--email", g["passengers"][0]["email"])
        r = self.ok("carpool", "plan", SLUG)
        moved = int(r.stderr.split(" changed car")[0].split("planner: ")[-1].split()[0])
        self.assertGreaterEqual(moved, 1)  # at least the one left out

    def test_errors_and_exit_codes(self):
        r = self.run_planner("carpool", "show", SLUG, "--email", "celine.vasseur@example.org")
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"planner carpool plan {SLUG}", r.stderr)
        r = self.run_planner("carpool", "plan", "no-such-event")
        self.assertEqual(r.returncode, 1)
        self.ok("event", "import", self.sample("webinaire-covoiturage-2027.json"))
        r = self.run_planner("carpool", "plan", "webinaire-covoiturage-2027")
        self.assertEqual(r.returncode, 1)
        self.assertIn("online", r.stderr)
        for args in (["carpool"], ["carpool", "fly"], ["carpool", "plan"],
                     ["carpool", "plan", SLUG, "--max-detour", "lots"],
                     ["carpool", "plan", SLUG, "--max-detour-minutes", "-4"],
                     ["carpool", "plan", SLUG, "--road-factor", "0.5"],
                     ["carpool", "plan", SLUG, "--format", "xml"],
                     ["carpool", "show", SLUG],
                     ["carpool", "confirm", SLUG],
                     ["carpool", "confirm", SLUG, "--all", "--email", "a@b.org"]):
            r = self.run_planner(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("planner", r.stderr, args)
        r = self.ok("carpool", "--help")
        self.assertIn("Example", r.stdout)
        self.assertIn("--keep-confirmed", r.stdout)


class Demo(PlannerTestCase):
    def test_demo_prints_the_groups(self):
        out = os.path.join(self.dir, "demo")
        r = self.ok("demo", "--out", out, db=False)
        self.assertIn("Car 1", r.stdout)
        self.assertIn("Totals", r.stdout)


if __name__ == "__main__":
    unittest.main()
