#!/usr/bin/python3
"""What the server refuses, and how it says so (issue 11: the error paths
of the attendee's carpool actions, of the organiser's carpool forms, of
the back office's import and purge). Through the real server; after every
refusal the data is checked unchanged.

Run with Debian's /usr/bin/python3; PLANNER_BIN and PLANNER_SOURCE_DIR come
from the environment (tests/CMakeLists.txt sets them).
"""
import json
import os
import re
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from planner_test import PlannerTestCase  # noqa: E402
from test_admin import Browser, csrf_of  # noqa: E402
from test_server import Server  # noqa: E402

SLUG = "atelier-cem-2"


class Refusals(PlannerTestCase):
    maxDiff = 2000

    def setUp(self):
        super().setUp()
        self.ok("event", "import", self.sample(f"{SLUG}.json"))
        self.ok("registrations", "import", SLUG, self.sample(f"{SLUG}.registrations.csv"))
        self.plan = json.loads(self.ok("carpool", "plan", SLUG, "--format", "json").stdout)
        self.srv = Server(self.dir)
        self.b = Browser(self.srv)

    def tearDown(self):
        self.srv.stop()
        super().tearDown()

    def token(self, email):
        with sqlite3.connect(self.db) as db:
            return db.execute("SELECT token FROM registrations WHERE lower(email) = ?",
                              (email.lower(),)).fetchone()[0]

    def cars(self):
        """Every car and the unseated, as stored: what no refusal may change."""
        with sqlite3.connect(self.db) as db:
            return (db.execute("SELECT g.driver_id, m.registration_id, m.position FROM "
                               "carpool_groups g JOIN carpool_members m ON m.group_id = g.id "
                               "ORDER BY 1, 3").fetchall(),
                    db.execute("SELECT registration_id, code FROM carpool_unassigned "
                               "ORDER BY 1").fetchall(),
                    db.execute("SELECT * FROM carpool_together").fetchall(),
                    db.execute("SELECT registration_id, excluded, locked FROM carpool_choices "
                               "ORDER BY 1").fetchall(),
                    db.execute("SELECT count(*) FROM carpool_changes").fetchone())

    def passenger(self):
        g = next(g for g in self.plan["groups"] if g["passengers"])
        return g["passengers"][0]["email"], g["driver"]["email"]

    def full_car(self):
        return next((g for g in self.plan["groups"]
                     if g["passengers"] and len(g["passengers"]) >= g["seats"]), None)

    # ---- /me/TOKEN/carpool ----

    def test_the_attendees_carpool_actions_refused(self):
        rider, driver = self.passenger()
        rt, dt = self.token(rider), self.token(driver)
        before = self.cars()
        # the confirmation step: unknown action, unknown token, bad trip
        self.assertEqual(self.b.get("/me/%s/carpool/accept" % dt)[0], 404)
        self.assertEqual(self.b.get("/me/%s/carpool/leave" % ("0" * 32))[0], 404)
        s, _, page = self.b.get("/me/%s/carpool/leave?trip=sideways" % rt)
        self.assertEqual(s, 400)
        self.assertIn("outbound | return", page)
        s, _, step = self.b.get("/me/%s/carpool/decline?trip=return" % dt)
        self.assertEqual(s, 200)
        self.assertIn('name="trip" value="return"', step)
        self.assertIn('action="/me/%s/carpool/decline"' % dt, step)
        # the post: unknown action or token
        s, _, _ = self.b.request("POST", "/me/%s/carpool/fly" % rt,
                                 {"trip": "outbound", "confirm": "yes"})
        self.assertEqual(s, 404)
        s, _, _ = self.b.request("POST", "/me/%s/carpool/leave" % ("0" * 32),
                                 {"trip": "outbound", "confirm": "yes"})
        self.assertEqual(s, 404)
        # the form of someone else's page: refused
        foreign = csrf_of(self.b.get("/me/%s/carpool/decline" % dt)[2])
        s, _, page = self.b.request("POST", "/me/%s/carpool/leave" % rt,
                                    {"csrf": foreign, "trip": "outbound", "confirm": "yes"})
        self.assertEqual(s, 403)
        self.assertIn("reload", page)
        csrf = csrf_of(self.b.get("/me/%s/carpool/leave" % rt)[2])
        # the right form from another site: refused
        s, _, _ = self.b.request("POST", "/me/%s/carpool/leave" % rt,
                                 {"csrf": csrf, "trip": "outbound", "confirm": "yes"},
                                 headers={"Origin": "http://evil.example"})
        self.assertEqual(s, 403)
        # a trip that is none
        s, _, page = self.b.request("POST", "/me/%s/carpool/leave" % rt,
                                    {"csrf": csrf, "trip": "sideways", "confirm": "yes"})
        self.assertEqual(s, 400)
        self.assertIn("outbound | return", page)
        # a rider has no car to decline: the page says it is no longer possible
        dcsrf = csrf_of(self.b.get("/me/%s/carpool/decline" % rt)[2])
        s, _, page = self.b.request("POST", "/me/%s/carpool/decline" % rt,
                                    {"csrf": dcsrf, "trip": "outbound", "confirm": "yes"})
        self.assertEqual(s, 409)
        self.assertIn("plus possible", page)
        # the way home was never planned
        s, _, page = self.b.request("POST", "/me/%s/carpool/leave" % rt,
                                    {"csrf": csrf, "trip": "return", "confirm": "yes"})
        self.assertEqual(s, 404, page)
        self.assertEqual(self.cars(), before)

    def test_the_attendees_carpool_actions_in_json(self):
        rider, driver = self.passenger()
        rt, dt = self.token(rider), self.token(driver)
        before = self.cars()
        s, _, out = self.srv.request("POST", "/me/%s/carpool/leave" % rt,
                                     {"trip": "sideways", "confirm": True})
        self.assertEqual((s, json.loads(out)["field"]), (400, "trip"))
        s, _, out = self.srv.request("POST", "/me/%s/carpool/decline" % dt, {"trip": "outbound"})
        self.assertEqual((s, json.loads(out)["field"]), (400, "confirm"))
        s, _, out = self.srv.request("POST", "/me/%s/carpool/leave" % dt, {"confirm": True})
        self.assertEqual(s // 100, 4)
        self.assertIn("nothing to leave", json.loads(out)["error"])
        self.assertEqual(self.cars(), before)
        s, _, out = self.srv.request("POST", "/me/%s/carpool/leave" % rt,
                                     {"trip": "outbound", "confirm": True})
        self.assertEqual(s, 200, out)
        self.assertEqual(json.loads(out), {"done": "leave", "trip": "outbound", "told": 0})
        with sqlite3.connect(self.db) as db:
            self.assertEqual(db.execute(
                "SELECT u.code FROM carpool_unassigned u JOIN registrations r ON r.id = "
                "u.registration_id WHERE lower(r.email) = ?", (rider.lower(),)).fetchone(),
                ("left",))
        # a cancelled registration acts on no car
        self.ok("registrations", "cancel", SLUG, "--email", driver)
        s, _, out = self.srv.request("POST", "/me/%s/carpool/accept" % dt, {"trip": "outbound"})
        self.assertEqual(s // 100, 4)
        self.assertIn("not confirmed", json.loads(out)["error"])

    # ---- /admin/e/SLUG/carpool: move, together, choice ----

    def admin_post(self, what, fields, slug=SLUG):
        page = self.b.get("/admin/e/%s/carpool" % SLUG)[2]
        fields = dict(fields)
        fields.setdefault("csrf", csrf_of(page))
        return self.b.request("POST", "/admin/e/%s/carpool/%s" % (slug, what), fields)

    def refused(self, what, fields, status, words):
        s, _, page = self.admin_post(what, fields)
        self.assertEqual(s, status, page)
        self.assertIn('class="error"', page)
        for w in words:
            self.assertIn(w, page)
        return page

    def test_the_organisers_carpool_forms_refused(self):
        self.b.login()
        rider, driver = self.passenger()
        other = next(g["driver"]["email"] for g in self.plan["groups"]
                     if g["driver"]["email"] != driver)
        before = self.cars()
        self.assertEqual(self.b.get("/admin/e/nowhere/carpool")[0], 404)
        s, _, _ = self.admin_post("move", {"email": rider, "to": other}, slug="nowhere")
        self.assertEqual(s, 404)
        # move: nothing picked, a bad trip, nobody, not a driver, a full car
        self.refused("move", {"email": rider, "to": ""}, 400, ["Choisissez"])
        self.refused("move", {"email": rider, "to": other, "trip": "sideways"}, 400,
                     ["trip: outbound | return, not &#39;sideways&#39;"])
        self.refused("move", {"email": "nobody@example.org", "to": other}, 404,
                     ["nobody@example.org is not in the carpool plan"])
        self.refused("move", {"email": driver, "to": rider, "force": "1"}, 400,
                     ["drives no car in the outbound plan"])
        full = self.full_car()
        if full:
            mover = next(p["email"] for g in self.plan["groups"] if g is not full
                         for p in g["passengers"])
            self.refused("move", {"email": mover, "to": full["driver"]["email"], "force": "1"},
                         400, ["is full"])
        self.refused("move", {"email": rider, "to": other, "trip": "return", "force": "1"},
                     404, [])
        # together: nothing picked, one person twice, somebody unknown
        self.refused("together", {"email_a": "", "email_b": rider}, 400, ["Choisissez"])
        self.refused("together", {"email_a": rider, "email_b": rider.upper()}, 400,
                     ["are the same registration"])
        self.refused("together", {"email_a": rider, "email_b": "nobody@example.org"}, 404,
                     ["nobody@example.org is not registered for"])
        # choice: nothing picked, an unknown choice, somebody unknown
        self.refused("choice", {"email": "", "choice": "lock"}, 400, ["Choisissez"])
        self.refused("choice", {"email": rider, "choice": "banish"}, 400,
                     ["choice: exclude | include | lock | unlock"])
        self.refused("choice", {"email": rider}, 400, ["choice: exclude"])
        self.assertEqual(self.cars(), before)
        # every pair of one person undone at once
        s, _, _ = self.admin_post("together", {"email_a": rider, "email_b": other})
        self.assertEqual(s, 303)
        s, _, _ = self.admin_post("together", {"email_a": driver, "email_b": other})
        self.assertEqual(s, 303)
        s, h, _ = self.admin_post("together", {"email_a": other, "off": "1"})
        self.assertEqual(s, 303)
        self.assertIn("done=next", h["location"])
        self.assertEqual(self.cars(), before)
        # a driver's car locked, then unlocked
        s, _, _ = self.admin_post("choice", {"email": driver, "choice": "lock"})
        self.assertEqual(s, 303)
        with sqlite3.connect(self.db) as db:
            q = ("SELECT c.locked FROM carpool_choices c JOIN registrations r ON r.id = "
                 "c.registration_id WHERE lower(r.email) = ?")
            self.assertEqual(db.execute(q, (driver.lower(),)).fetchone(), (1,))
        s, _, _ = self.admin_post("choice", {"email": driver, "choice": "unlock"})
        self.assertEqual(s, 303)
        with sqlite3.connect(self.db) as db:
            self.assertEqual(db.execute(q, (driver.lower(),)).fetchone(), (0,))

    def test_a_forced_move_beyond_the_limits_says_so(self):
        self.b.login()
        far = max(self.plan["groups"], key=lambda g: g["driver"]["lat"])
        mover = next(p["email"] for g in self.plan["groups"] if g is not far
                     for p in g["passengers"])
        near = min((g for g in self.plan["groups"] if g is not far and
                    len(g["passengers"]) < g["seats"]), key=lambda g: -g["driver"]["lat"],
                   default=None)
        if len(far["passengers"]) >= far["seats"]:
            self.skipTest("the northernmost car is full")
        s, h, _ = self.admin_post("move", {"email": mover, "to": far["driver"]["email"],
                                           "force": "1"})
        self.assertEqual(s, 303)
        self.assertIn("&over=1", h["location"])
        s, _, page = self.b.get(h["location"])
        self.assertEqual(s, 200)
        self.assertIn('id="moved"', page)
        self.assertRegex(page, r"avant \d+\.\d, après \d+\.\d \(\+\d+\.\d\) — au-delà des "
                               r"limites du plan, accepté")
        del near


    def test_every_change_of_a_confirmed_car_on_the_organisers_page(self):
        self.ok("carpool", "confirm", SLUG, "--all")
        cars = [g for g in self.plan["groups"] if g["passengers"]]
        self.assertGreaterEqual(len(cars), 3)
        left = cars[0]["passengers"][0]["email"]
        decliner, canceller = cars[1]["driver"]["email"], cars[2]["driver"]["email"]
        s, _, out = self.srv.request("POST", "/me/%s/carpool/leave" % self.token(left),
                                     {"confirm": True})
        self.assertEqual(s, 200, out)
        s, _, out = self.srv.request("POST", "/me/%s/carpool/decline" % self.token(decliner),
                                     {"trip": "outbound", "confirm": True})
        self.assertEqual(s, 200, out)
        self.ok("registrations", "cancel", SLUG, "--email", canceller)
        self.b.login()
        s, h, _ = self.admin_post("move", {"email": left, "to": cars[0]["driver"]["email"],
                                           "force": "1"})
        self.assertEqual(s, 303, h)
        s, _, page = self.b.get("/admin/e/%s/carpool" % SLUG)
        self.assertEqual(s, 200)
        table = page[page.index('id="changes-table"'):]
        for what in ("left", "driver_declined", "lost_seat", "driver_cancelled", "moved"):
            self.assertIn('data-what="%s"' % what, table)
        self.assertNotIn(">left<", table)  # each in words, not its code
        with sqlite3.connect(self.db) as db:
            n = db.execute("SELECT count(*) FROM carpool_changes").fetchone()[0]
        self.assertEqual(table.count("<tr><td>"), n)
        # the notices of a change done, whatever the query says
        s, _, page = self.b.get("/admin/e/%s/carpool?done=move" % SLUG)
        self.assertIn('id="moved"', page)
        self.assertIn("avant 0.0, après 0.0 (+0.0).", page)
        self.assertNotIn("au-delà des limites du plan, accepté", page)
        s, _, page = self.b.get("/admin/e/%s/carpool?done=next" % SLUG)
        self.assertRegex(page, r'<p class="notice" role="status">[^<]*prochain')
        s, _, page = self.b.get("/admin/e/%s/carpool?done=1" % SLUG)
        self.assertIn('<p class="notice" role="status">', page)


# ---- /admin/e/SLUG/import and /purge ----

GOOD = ("nom;courriel;commune;mode;places\n"
        "Ana Silva;ana@example.org;Lyon;flexible;2\n"
        "Bruno Roy;bruno@example.org;Dijon;;\n")
BAD = ("nom;courriel;commune;mode\n"
       "Ana Silva;ana@example.org;Lyon;conducteur\n"
       "Bruno Roy;pas-une-adresse;Dijon;passager\n"
       "Chloé Roy;chloe@example.org;Dijon;en fusée\n")


class BackOfficeRefusals(PlannerTestCase):
    def setUp(self):
        super().setUp()
        self.ok("event", "import", self.sample(f"{SLUG}.json"))
        self.srv = Server(self.dir)
        self.b = Browser(self.srv)
        self.assertEqual(self.b.login()[0], 303)

    def tearDown(self):
        self.srv.stop()
        super().tearDown()

    def people(self):
        r = self.ok("registrations", "list", SLUG, "--format", "json")
        return {p["email"]: p for p in json.loads(r.stdout)}

    def test_import_refusals(self):
        path = "/admin/e/%s/import" % SLUG
        self.assertEqual(self.b.get("/admin/e/nowhere/import")[0], 404)
        # nothing sent
        s, _, out = self.b.post(path, {"action": "check"}, csrf_from=path)
        self.assertEqual(s, 400)
        self.assertIn("Aucun CSV reçu", out)
        # a mapping that is no JSON
        s, _, out = self.b.post(path, {"csv": GOOD, "map": "{not json", "action": "check"},
                                csrf_from=path)
        self.assertEqual(s, 400)
        # which field, line and column (it said only "string or '}' expected")
        self.assertIn("map:1:4: string or &#39;}&#39; expected near &#39;not&#39;", out)
        # bad rows: each named by its line, nothing imported, the form again
        s, _, out = self.b.post(path, {"csv": BAD, "action": "import"}, csrf_from=path)
        self.assertEqual(s, 400, out)
        self.assertIn("<strong>3</strong> ligne(s) incorrecte(s)", out)
        self.assertIn("<li>ligne 2, seats : empty (a number of free seats is required", out)
        self.assertIn("<li>ligne 3, email : &quot;pas-une-adresse&quot; is not an e-mail", out)
        self.assertIn("<li>ligne 4, travel : unknown value &quot;en fusée&quot;", out)
        self.assertIn("Corriger et recommencer", out)
        self.assertEqual(self.people(), {})
        # a good check keeps its options for the import: replace, no mail
        s, _, out = self.b.post(path, {"csv": GOOD, "action": "check", "replace": "1",
                                       "no_mail": "1"}, csrf_from=path)
        self.assertEqual(s, 200, out)
        self.assertIn('<table id="preview">', out)
        self.assertIn("conduit ou passager", out)
        self.assertRegex(out, r"bruno@example.org</td><td>Dijon</td><td>—</td>")
        self.assertIn('<input type="hidden" name="replace" value="1">', out)
        self.assertIn('<input type="hidden" name="no_mail" value="1">', out)
        self.assertEqual(self.people(), {})
        s, _, out = self.b.post(path, {"csv": GOOD, "action": "import", "no_mail": "1"},
                                csrf_from=path)
        self.assertEqual(s, 200, out)
        self.assertEqual(sorted(self.people()), ["ana@example.org", "bruno@example.org"])

    def test_purge_refusals(self):
        self.ok("register", SLUG, "--name", "Ana Silva", "--email", "ana@example.org",
                "--origin", "Lyon")
        path = "/admin/e/%s/purge" % SLUG
        self.assertEqual(self.b.get("/admin/e/nowhere/purge")[0], 404)
        for days in ("abc", "-1", "36501", "3x"):
            s, _, out = self.b.post(path, {"confirm": "1", "after_days": days},
                                    csrf_from=path)
            self.assertEqual(s, 400, days)
            self.assertIn("de 0 à 36500", out)
        s, _, out = self.b.post(path, {"confirm": "yes"}, csrf_from=path)
        self.assertEqual(s, 400)
        # an event not over is not purged, whatever the delay
        s, _, out = self.b.post(path, {"confirm": "1", "after_days": "0"}, csrf_from=path)
        self.assertEqual(s, 409, out)
        self.assertEqual(self.people()["ana@example.org"]["name"], "Ana Silva")


if __name__ == "__main__":
    unittest.main()
