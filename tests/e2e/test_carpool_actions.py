#!/usr/bin/python3
"""End to end, with the real server: the carpool actions of issues 14 and 15.
On /me/TOKEN a passenger leaves their car and a driver declines or confirms
theirs (forms with their csrf field and a confirmation step); in the back
office the organiser moves someone, keeps two people together, leaves one
out, and sees the record of changes. Checked with `planner carpool show`,
`planner carpool changes` and the outbox (`planner mail list`)."""
import collections
import html
import json
import os
import re
import sqlite3
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from planner_test import PlannerTestCase  # noqa: E402
from test_admin import Browser, csrf_of  # noqa: E402
from test_server import Server  # noqa: E402

SLUG = "atelier-cem-2"


class CarpoolActions(PlannerTestCase):
    maxDiff = 2000

    def setUp(self):
        super().setUp()
        self.ok("event", "import", self.sample(f"{SLUG}.json"))
        self.ok("registrations", "import", SLUG, self.sample(f"{SLUG}.registrations.csv"))
        self.plan = json.loads(self.ok("carpool", "plan", SLUG, "--format", "json").stdout)
        self.srv = Server(self.dir)
        self.assertEqual(self.srv.db, self.db)
        self.b = Browser(self.srv)

    def tearDown(self):
        self.srv.stop()
        super().tearDown()

    def token(self, email):
        with sqlite3.connect(self.db) as db:
            return db.execute("SELECT token FROM registrations WHERE lower(email) = ?",
                              (email.lower(),)).fetchone()[0]

    def show(self, email):
        return json.loads(self.ok("carpool", "show", SLUG, "--email", email,
                                  "--format", "json").stdout)

    def carpool_mail(self):
        r = self.ok("mail", "list", SLUG, "--format", "json")
        return collections.Counter(m["to"].lower() for m in json.loads(r.stdout)["messages"]
                                   if m["kind"] == "carpool")

    def changes(self):
        r = self.ok("carpool", "changes", SLUG, "--format", "json")
        return [(c["what"], c["email"].lower()) for c in json.loads(r.stdout)["changes"]]

    def car(self, npassengers=1):
        return next(g for g in self.plan["groups"] if len(g["passengers"]) >= npassengers)

    @staticmethod
    def members(g):
        return [g["driver"]["email"].lower()] + [p["email"].lower() for p in g["passengers"]]

    # ---- /me/TOKEN ----

    def test_a_passenger_leaves_a_confirmed_car(self):
        self.ok("carpool", "confirm", SLUG, "--all")
        g = self.car(2)
        gone = g["passengers"][0]["email"].lower()
        stay = [e for e in self.members(g) if e != gone]
        before = self.carpool_mail()
        token = self.token(gone)
        # the driver's page, its date before the change
        driver_page = "/me/" + self.token(g["driver"]["email"])
        s, h, _ = self.b.get(driver_page)
        self.assertEqual(s, 200)
        stamp = h["last-modified"]
        time.sleep(1.1)  # the page's date has a one-second grain
        s, _, page = self.b.get("/me/" + token)
        self.assertEqual(s, 200)
        self.assertIn('href="/me/%s/carpool/leave?trip=outbound"' % token, page)
        self.assertIn("Quitter cette voiture", page)
        self.assertNotIn("Je ne peux plus conduire", page)  # a passenger
        # the confirmation step: what happens, then a form with its csrf
        s, _, step = self.b.get("/me/%s/carpool/leave?trip=outbound" % token)
        self.assertEqual(s, 200)
        self.assertIn("seront prévenus", step)
        csrf = csrf_of(step)
        # without the csrf field: refused, nothing changed
        s, _, _ = self.b.request("POST", "/me/%s/carpool/leave" % token,
                                 {"trip": "outbound", "confirm": "yes"})
        self.assertEqual(s, 403)
        self.assertEqual(self.show(gone)["role"], "passenger")
        # without the confirmation's answer: refused too
        s, _, _ = self.b.request("POST", "/me/%s/carpool/leave" % token,
                                 {"csrf": csrf, "trip": "outbound"})
        self.assertEqual(s, 400)
        self.assertEqual(self.show(gone)["role"], "passenger")
        s, h, _ = self.b.request("POST", "/me/%s/carpool/leave" % token,
                                 {"csrf": csrf, "trip": "outbound", "confirm": "yes"})
        self.assertEqual(s, 303)
        self.assertEqual(h["location"], "/me/%s?carpool=leave#carpool" % token)
        shown = self.show(gone)
        self.assertEqual((shown["role"], shown["reason"]), ("unassigned", "left"))
        after = self.carpool_mail()
        for e in stay:
            self.assertEqual(after[e], before[e] + 1, e)
        self.assertEqual(after[gone], before[gone])  # their own act
        self.assertEqual(self.changes(), [("left", gone)])
        # no new plan, yet the driver's page changed: not 304
        s, _, page = self.b.request("GET", driver_page, headers={"If-Modified-Since": stamp})
        self.assertEqual(s, 200)
        s, _, page = self.b.get("/me/%s?carpool=leave" % token)
        self.assertIn('id="carpool-notice"', page)
        self.assertIn("vous avez quitté votre voiture", page)
        self.assertNotIn("/carpool/leave", page)
        # the same form again (a reload): nothing more, a clear page
        s, _, page = self.b.request("POST", "/me/%s/carpool/leave" % token,
                                    {"csrf": csrf, "trip": "outbound", "confirm": "yes"})
        self.assertEqual(s, 409)
        self.assertIn("plus possible", page)
        self.assertEqual(self.carpool_mail(), after)

    def test_a_driver_declines_and_confirms(self):
        cars = [g for g in self.plan["groups"] if g["passengers"]]
        self.assertGreaterEqual(len(cars), 2)
        first, second = cars[0], cars[1]
        # confirm: a form on /me, no confirmation step
        token = self.token(first["driver"]["email"])
        page = self.b.get("/me/" + token)[2]
        self.assertIn('action="/me/%s/carpool/accept"' % token, page)
        self.assertIn("Je ne peux plus conduire", page)
        s, h, _ = self.b.request("POST", "/me/%s/carpool/accept" % token,
                                 {"csrf": csrf_of(page), "trip": "outbound"})
        self.assertEqual(s, 303, h)
        self.assertTrue(self.show(first["driver"]["email"])["group"]["confirmed"])
        self.assertIn("Votre voiture est confirmée", self.b.get("/me/%s?carpool=accept" % token)[2])
        # decline the confirmed car: its passengers without a seat, told
        before = self.carpool_mail()
        step = self.b.get("/me/%s/carpool/decline?trip=outbound" % token)[2]
        self.assertIn("prochain calcul", step)
        s, _, _ = self.b.request("POST", "/me/%s/carpool/decline" % token,
                                 {"csrf": csrf_of(step), "trip": "outbound", "confirm": "yes"})
        self.assertEqual(s, 303)
        for p in first["passengers"]:
            shown = self.show(p["email"])
            self.assertEqual((shown["role"], shown["reason"]), ("unassigned", "driver_declined"))
        self.assertEqual(self.show(first["driver"]["email"])["role"], "driver")
        after = self.carpool_mail()
        for p in first["passengers"]:
            self.assertEqual(after[p["email"].lower()], before[p["email"].lower()] + 1)
        self.assertIn(("driver_declined", first["driver"]["email"].lower()), self.changes())
        # an unconfirmed car declined: passengers listed without a seat too
        token2 = self.token(second["driver"]["email"])
        step = self.b.get("/me/%s/carpool/decline" % token2)[2]
        s, _, _ = self.b.request("POST", "/me/%s/carpool/decline" % token2,
                                 {"csrf": csrf_of(step), "confirm": "yes"})
        self.assertEqual(s, 303)
        for p in second["passengers"]:
            self.assertEqual(self.show(p["email"])["reason"], "driver_declined")
        # another registration's form token does not fit
        s, _, _ = self.b.request("POST", "/me/%s/carpool/decline" % token,
                                 {"csrf": csrf_of(step), "confirm": "yes"})
        self.assertEqual(s, 403)

    def test_leave_the_car_home(self):
        self.ok("carpool", "plan", SLUG, "--trip", "both")
        shown = None
        for g in self.plan["groups"]:
            for p in g["passengers"]:
                x = self.show(p["email"])
                if x.get("return", {}).get("role") == "passenger":
                    shown, email = x, p["email"]
                    break
            if shown:
                break
        self.assertIsNotNone(shown, "nobody rides home in the sample")
        token = self.token(email)
        page = self.b.get("/me/" + token)[2]
        self.assertIn('id="carpool-return"', page)
        self.assertIn("/me/%s/carpool/leave?trip=return" % token, page)
        step = self.b.get("/me/%s/carpool/leave?trip=return" % token)[2]
        self.assertIn('name="trip" value="return"', step)
        s, _, _ = self.b.request("POST", "/me/%s/carpool/leave" % token,
                                 {"csrf": csrf_of(step), "trip": "return", "confirm": "yes"})
        self.assertEqual(s, 303)
        after = self.show(email)
        self.assertEqual(after["role"], "passenger")  # the way there is untouched
        self.assertNotEqual(after["return"]["role"], "passenger")
        self.assertNotIn('id="carpool-return"', self.b.get("/me/" + token)[2])
        # a bad trip is refused
        s, _, _ = self.b.request("POST", "/me/%s/carpool/leave" % token,
                                 {"csrf": csrf_of(step), "trip": "sideways", "confirm": "yes"})
        self.assertEqual(s, 400)

    # ---- the back office ----

    def admin_post(self, path, fields):
        page = self.b.get("/admin/e/%s/carpool" % SLUG)[2]
        fields = dict(fields)
        fields.setdefault("csrf", csrf_of(page))
        return self.b.request("POST", path, fields)

    def test_organiser_moves_keeps_together_excludes(self):
        self.b.login()
        s, _, page = self.b.get("/admin/e/%s/carpool" % SLUG)
        self.assertEqual(s, 200)
        for form in ('id="move"', 'id="together"', 'id="choice"', "<legend>", "<fieldset>"):
            self.assertIn(form, page)
        self.assertIn('<label for="mv-email">', page)
        self.assertIn('for="mv-force"', page)
        # a passenger of one car into another car with a free seat
        target = next((g for g in self.plan["groups"]
                       if len(g["passengers"]) < g["seats"]), None)
        self.assertIsNotNone(target)
        mover = next(p["email"] for g in self.plan["groups"] if g is not target
                     for p in g["passengers"])
        to = target["driver"]["email"]
        # without the csrf field: refused, nothing moved
        s, _, _ = self.b.request("POST", "/admin/e/%s/carpool/move" % SLUG,
                                 {"email": mover, "to": to, "force": "1"})
        self.assertEqual(s, 403)
        self.assertNotIn(to.lower(), json.dumps(self.show(mover)).lower())
        # the selects list people by name
        self.assertRegex(page, r'<option value="%s">[^<(]+ \(' % re.escape(html.escape(mover)))
        # a car far away: refused for its detour, the page says by how much
        def where(email):
            for g in self.plan["groups"]:
                for m in [g["driver"]] + g["passengers"]:
                    if m["email"] == email:
                        return m["lat"], m["lon"]
        me = where(mover)
        far = max((g for g in self.plan["groups"] if len(g["passengers"]) < g["seats"]
                   and mover not in [p["email"] for p in g["passengers"]]),
                  key=lambda g: (g["driver"]["lat"] - me[0]) ** 2
                  + (g["driver"]["lon"] - me[1]) ** 2)
        s, _, page = self.admin_post("/admin/e/%s/carpool/move" % SLUG,
                                     {"email": mover, "to": far["driver"]["email"]})
        self.assertEqual(s // 100, 4)
        self.assertIn('class="error"', page)
        self.assertIn('id="f-max_detour" name="max_detour" value="25"', page)  # plan form intact
        self.assertRegex(page, r'<option value="%s" selected>' % re.escape(html.escape(mover)))
        self.assertRegex(page, r"(grow|grandi)\w* (by|de) \d+\.\d km")
        self.assertNotIn(far["driver"]["email"].lower(), json.dumps(self.show(mover)).lower())
        s, h, _ = self.admin_post("/admin/e/%s/carpool/move" % SLUG,
                                  {"email": mover, "to": to, "force": "1"})
        self.assertEqual(s, 303, h)
        self.assertIn("done=move", h["location"])
        shown = self.show(mover)
        self.assertEqual(shown["role"], "passenger")
        self.assertIn(to.lower(), json.dumps(shown).lower())
        page = self.b.get(h["location"])[2]
        self.assertIn('id="moved"', page)
        # the same move again: refused with the core's message, page shown
        s, _, page = self.admin_post("/admin/e/%s/carpool/move" % SLUG,
                                     {"email": mover, "to": to})
        self.assertEqual(s // 100, 4)
        self.assertIn('class="error"', page)
        self.assertIn("already", page)
        # together and its undo; nothing picked is refused
        a, b = self.members(self.plan["groups"][0])[0], self.members(self.plan["groups"][-1])[0]
        s, _, page = self.admin_post("/admin/e/%s/carpool/together" % SLUG, {"email_a": a})
        self.assertEqual(s, 400)
        self.assertIn("Choisissez", page)
        s, h, _ = self.admin_post("/admin/e/%s/carpool/together" % SLUG,
                                  {"email_a": a, "email_b": b})
        self.assertEqual(s, 303)
        with sqlite3.connect(self.db) as db:
            self.assertEqual(db.execute("SELECT count(*) FROM carpool_together").fetchone()[0], 1)
        s, h, _ = self.admin_post("/admin/e/%s/carpool/together" % SLUG,
                                  {"email_a": a, "email_b": b, "off": "1"})
        self.assertEqual(s, 303)
        with sqlite3.connect(self.db) as db:
            self.assertEqual(db.execute("SELECT count(*) FROM carpool_together").fetchone()[0], 0)
        # exclude, then plan: left out; undo
        rider = self.plan["groups"][0]["passengers"][0]["email"] \
            if self.plan["groups"][0]["passengers"] else mover
        s, _, _ = self.admin_post("/admin/e/%s/carpool/choice" % SLUG,
                                  {"email": rider, "choice": "exclude"})
        self.assertEqual(s, 303)
        self.ok("carpool", "plan", SLUG)
        self.assertEqual(self.show(rider)["reason"], "excluded")
        s, _, _ = self.admin_post("/admin/e/%s/carpool/choice" % SLUG,
                                  {"email": rider, "choice": "include"})
        self.assertEqual(s, 303)
        self.ok("carpool", "plan", SLUG)
        self.assertNotEqual(self.show(rider).get("reason"), "excluded")
        # lock a passenger: the core's message names their driver
        s, _, page = self.admin_post("/admin/e/%s/carpool/choice" % SLUG,
                                     {"email": rider, "choice": "lock"})
        if self.show(rider)["role"] == "passenger":
            self.assertEqual(s // 100, 4)
            self.assertIn('class="error"', page)

    def test_the_record_of_changes_on_the_page(self):
        self.ok("carpool", "confirm", SLUG, "--all")
        g = self.car(2)
        gone = g["passengers"][0]["email"]
        self.ok("carpool", "move", SLUG, "--email", gone, "--to",
                next(x for x in self.plan["groups"]
                     if x is not g and len(x["passengers"]) < x["seats"])["driver"]["email"],
                "--force")
        self.b.login()
        page = self.b.get("/admin/e/%s/carpool" % SLUG)[2]
        self.assertIn('id="changes-table"', page)
        self.assertIn('data-what="moved"', page)
        self.assertIn(html.escape(gone), page)


if __name__ == "__main__":
    unittest.main()
