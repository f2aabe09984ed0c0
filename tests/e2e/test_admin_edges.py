#!/usr/bin/python3
"""End-to-end tests of the back office's refusals and less travelled forms
(issue 11: the error paths no other test ran): unknown events, sessions,
speakers and registrations on every route; a speaker edited; the
registrations table sorted and searched on every key; a registration
edited field by field; cancelling and moving what cannot be; the carpool
options out of range; session cookies out of shape. One server, one
logged-in organiser, the sample event with its people.
"""
import html
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from test_admin import Browser, csrf_of, workshop_event  # noqa: E402
from test_server import ADMIN, Server, run_cli  # noqa: E402

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "sample-events")
SLUG = "atelier-cem-2"


class AdminEdgesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="planner-admin-edges-")
        cls.srv = Server(cls.dir)
        for args in (("event", "import", os.path.join(SRC, "atelier-cem-2.json")),
                     ("registrations", "import", SLUG,
                      os.path.join(SRC, "atelier-cem-2.registrations.csv"))):
            r = run_cli(cls.srv.db, *args)
            assert r.returncode == 0, r.stderr
        cls.b = Browser(cls.srv)
        s, _, _ = cls.b.login()
        assert s == 303

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def regs(self, slug=SLUG):
        return json.loads(run_cli(self.srv.db, "registrations", "list", slug,
                                  "--format", "json").stdout)

    def rows(self, page, slug=SLUG):
        return re.findall(r'<tr><th scope="row"><a href="/admin/e/%s/registrations/(\d+)">'
                          r'([^<]*)</a>' % slug, page)

    def post(self, path, fields=None):
        return self.b.post(path, fields or {}, csrf_from="/admin")

    def form_of(self, page, action):
        form = page.split('action="%s"' % action)[1].split("</form>")[0]
        fields = {}
        for name, value in re.findall(r'<input type="(?:hidden|text|tel|number|email)"[^>]*'
                                      r'name="([^"]+)" value="([^"]*)"', form):
            fields[name] = html.unescape(value)
        return fields

    # ---- what does not exist ---------------------------------------------------
    def test_unknown_event_on_every_route(self):
        gets = ["", "/sessions/a", "/speakers/x", "/registrations", "/registrations/1",
                "/carpool"]
        posts = ["", "/duplicate", "/publish", "/sessions", "/sessions/a",
                 "/sessions/a/cancel", "/speakers", "/speakers/x", "/speakers/x/remove",
                 "/registrations/1", "/registrations/1/cancel", "/registrations/1/promote",
                 "/registrations/1/resend", "/allocate", "/carpool/plan", "/carpool/confirm"]
        for tail in gets:
            s, _, page = self.b.get("/admin/e/no-such-event" + tail)
            self.assertEqual(s, 404, tail)
            self.assertIn("<html", page)
        for tail in posts:
            s, _, _ = self.post("/admin/e/no-such-event" + tail, {"title": "x", "id": "y"})
            self.assertEqual(s, 404, tail)

    def test_unknown_ids_on_a_known_event(self):
        base = "/admin/e/" + SLUG
        for path in ("/sessions/no-such", "/speakers/no-such", "/registrations/abc",
                     "/registrations/0", "/registrations/999999", "/registrations/12x"):
            self.assertEqual(self.b.get(base + path)[0], 404, path)
        for path in ("/sessions/no-such", "/sessions/no-such/cancel", "/speakers/no-such",
                     "/speakers/no-such/remove", "/registrations/999999",
                     "/registrations/999999/cancel", "/registrations/999999/promote",
                     "/registrations/abc/resend"):
            self.assertEqual(self.post(base + path, {"title": "x", "name": "y"})[0], 404, path)
        # a registration of another event is not found through this one
        other = workshop_event(slug="autre")
        self.assertEqual(self.b.post("/admin/events", other, csrf_from="/admin/events/new")[0],
                         303)
        before = [r["status"] for r in self.regs()]
        rid = self.rows(self.b.get(base + "/registrations")[2])[0][0]
        self.assertEqual(self.b.get("/admin/e/autre/registrations/" + rid)[0], 404)
        self.assertEqual(self.post("/admin/e/autre/registrations/%s/cancel" % rid)[0], 404)
        self.assertEqual([r["status"] for r in self.regs()], before)

    # ---- speakers --------------------------------------------------------------
    def test_every_attendee_page_after_a_plan(self):
        """Once a plan is made, each confirmed attendee's own page says their
        part in it: the driver names the passengers (first names only), a
        passenger the driver, someone left out the reason; someone not
        travelling sees no carpool."""
        # another test of the class may have confirmed cars: keep them
        r = run_cli(self.srv.db, "carpool", "plan", SLUG, "--keep-confirmed", "--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        plan = json.loads(r.stdout)
        with sqlite3.connect(self.srv.db) as c:
            tokens = dict(c.execute("SELECT email, token FROM registrations r JOIN events e "
                                    "ON e.id = r.event_id WHERE e.slug = ? AND "
                                    "r.status = 'confirmed'", (SLUG,)).fetchall())
        pages = {}
        for email, token in tokens.items():
            s, _, page = self.srv.get("/me/" + token)
            self.assertEqual(s, 200, email)
            pages[email] = html.unescape(page.decode())
        seen = 0
        for g in plan["groups"]:
            d = g["driver"]["email"]
            if d not in pages:
                continue
            if g["passengers"]:
                self.assertIn("Vous conduisez la voiture n°", pages[d])
            else:
                self.assertIn("Vous conduisez seul·e", pages[d])
            for p in g["passengers"]:
                self.assertIn("<bdi>%s</bdi>" % p["name"].split()[0], pages[d])
                self.assertNotIn(p["name"], pages[d])  # first names only
                if p["email"] in pages:
                    self.assertIn("Vous voyagez dans la voiture n°", pages[p["email"]])
                    self.assertIn(g["driver"]["name"].split()[0], pages[p["email"]])
                    seen += 1
        for u in plan["unassigned"]:
            if u["email"] in pages:
                self.assertIn("Pas de place de covoiturage pour l'instant :", pages[u["email"]])
                seen += 1
        self.assertGreater(seen, 5)
        for r in self.regs():
            if r["travel"] == "none" and r["email"] in pages:
                self.assertNotIn('<div id="carpool">', pages[r["email"]])

    def test_speaker_added_edited_and_refused(self):
        base = "/admin/e/autre-speakers"
        ev = workshop_event(slug="autre-speakers")
        self.assertEqual(self.b.post("/admin/events", ev, csrf_from="/admin/events/new")[0], 303)
        s, _, _ = self.post(base + "/speakers", {"name": "Anne Morvan",
                                                  "organization": "Cerema"})
        self.assertEqual(s, 303)
        s, _, page = self.post(base + "/speakers", {"name": "Anne Morvan"})
        self.assertEqual(s, 409, page[:300])  # the same id twice
        s, _, page = self.post(base + "/speakers", {"name": ""})
        self.assertEqual(s, 400)
        s, _, page = self.b.get(base + "/speakers/anne-morvan")
        self.assertEqual(s, 200)
        fields = self.form_of(page, base + "/speakers/anne-morvan")
        fields.update(name="Anne Morvan-Le Goff", bio="Urbaniste.")
        s, _, out = self.post(base + "/speakers/anne-morvan", fields)
        self.assertEqual(s, 303, out[:300])
        shown = json.loads(run_cli(self.srv.db, "event", "show", "autre-speakers",
                                   "--format", "json").stdout)
        self.assertEqual([(sp["id"], sp["name"], sp.get("organization"), sp.get("bio"))
                          for sp in shown["speakers"]],
                         [("anne-morvan", "Anne Morvan-Le Goff", "Cerema", "Urbaniste.")])
        # a name emptied: refused, the form again, nothing saved
        s, _, out = self.post(base + "/speakers/anne-morvan", dict(fields, name=""))
        self.assertEqual(s, 400, out[:300])
        shown = json.loads(run_cli(self.srv.db, "event", "show", "autre-speakers",
                                   "--format", "json").stdout)
        self.assertEqual(shown["speakers"][0]["name"], "Anne Morvan-Le Goff")

    # ---- events, sessions and speakers edited ------------------------------------
    def show(self, slug):
        return json.loads(run_cli(self.srv.db, "event", "show", slug, "--format", "json").stdout)

    @staticmethod
    def made_id(title):
        """What the back office makes an id of a title: ASCII letters and
        digits lowercased, one '-' for any run of other bytes, 40 at most."""
        out = ""
        for c in title.encode("utf-8"):
            if len(out) >= 40:
                break
            if c < 128 and chr(c).isalnum():
                out += chr(c).lower()
            elif out and out[-1] != "-":
                out += "-"
        return out.rstrip("-")

    def test_event_edits_sessions_and_speakers(self):
        slug = "edits"
        base = "/admin/e/" + slug
        ev = workshop_event(slug=slug)
        self.assertEqual(self.b.post("/admin/events", ev, csrf_from="/admin/events/new")[0], 303)
        # the same slug again: refused
        s, _, page = self.b.post("/admin/events", ev, csrf_from="/admin/events/new")
        self.assertEqual(s, 409, page[:300])
        # a slug cannot change through the edit form
        page = self.b.get(base)[2]
        form = self.form_of(page, base)
        s, _, _ = self.post(base, dict(form, slug="autre-slug"))
        self.assertEqual(s, 400)
        self.assertEqual(self.show(slug)["slug"], slug)
        # the organiser corrects the venue's point (a decimal comma is fine)
        page = self.b.get(base)[2]
        form = self.form_of(page, base)
        s, _, out = self.post(base, dict(form, venue_lat="48,8851", venue_lon="2,3712"))
        self.assertEqual(s, 303, out[:300])
        venue = self.show(slug)["venue"]
        self.assertEqual((round(venue["lat"], 4), round(venue["lon"], 4)), (48.8851, 2.3712))
        # sessions: an id made from the title, cancelled, then added again
        title = "Café & échanges — 2e partie !"
        s, _, out = self.post(base + "/sessions", {"title": title, "kind": "forum",
                                                   "start": "14:00", "end": "15:00",
                                                   "room": "Salle B"})
        self.assertEqual(s, 303, out[:300])
        sid = self.made_id(title)
        self.assertEqual([x["id"] for x in self.show(slug)["sessions"]], [sid])
        self.assertEqual(self.post("%s/sessions/%s/cancel" % (base, sid))[0], 303)
        self.assertEqual(self.show(slug)["sessions"][0].get("status"), "cancelled")
        s, _, out = self.post(base + "/sessions", {"id": sid, "title": "Échanges",
                                                   "kind": "forum", "start": "14:30",
                                                   "end": "15:30", "room": "Salle C"})
        self.assertEqual(s, 303, out[:300])
        again = self.show(slug)["sessions"]
        self.assertEqual(len(again), 1)
        self.assertEqual((again[0]["title"], again[0]["start"][-5:]), ("Échanges", "14:30"))
        self.assertNotEqual(again[0].get("status"), "cancelled")
        # speakers: an id made from the name; one removed from the sessions too
        s, _, _ = self.post(base + "/speakers", {"name": "Élodie N'Guyen"})
        self.assertEqual(s, 303)
        spk = self.made_id("Élodie N'Guyen")
        self.assertIn(spk, [x["id"] for x in self.show(slug)["speakers"]])
        page = self.b.get("%s/sessions/%s" % (base, sid))[2]
        form = self.form_of(page, "%s/sessions/%s" % (base, sid))
        s, _, out = self.post("%s/sessions/%s" % (base, sid), dict(form, speakers=[spk]))
        self.assertEqual(s, 303, out[:300])
        self.assertEqual(self.show(slug)["sessions"][0]["speakers"], [spk])
        self.assertEqual(self.post("%s/speakers/%s/remove" % (base, spk))[0], 303)
        shown = self.show(slug)
        self.assertEqual((shown["speakers"], shown["sessions"][0]["speakers"]), ([], []))

    # ---- the registrations table -----------------------------------------------
    def test_table_sorted_and_searched_on_every_key(self):
        regs = self.regs()
        base = "/admin/e/%s/registrations" % SLUG
        for key, field in (("origin", "origin"), ("organization", "organization")):
            names = [html.unescape(n) for _, n in self.rows(self.b.get(base + "?sort=" + key)[2])]
            want = [r["name"] for r in sorted(regs, key=lambda r: ((r[field] or "").lower()))]
            self.assertEqual([names.index(n) for n in want], sorted(names.index(n) for n in want),
                             key)
        page = self.b.get(base + "?sort=status")[2]
        self.assertEqual(len(self.rows(page)), len(regs))
        some = regs[0]
        org_word = some["organization"].split()[0]
        page = self.b.get(base + "?q=" + urllib.parse.quote(org_word))[2]
        self.assertIn(some["name"], [html.unescape(n) for _, n in self.rows(page)])
        page = self.b.get(base + "?q=zzzz-nobody")[2]
        self.assertEqual(self.rows(page), [])

    def test_registration_edited_field_by_field(self):
        regs = self.regs()
        r = next(x for x in regs if x["status"] == "confirmed" and x["travel"] == "ride")
        base = "/admin/e/%s/registrations" % SLUG
        rid = next(i for i, n in self.rows(self.b.get(base + "?q=" + r["email"])[2]))
        path = "%s/%s" % (base, rid)
        page = self.b.get(path)[2]
        fields = self.form_of(page, path)
        changed = dict(fields, organization="Nouvelle structure", origin="69001 Lyon",
                       phone="06 99 99 99 99", diet="sans porc", travel="drive", seats="3",
                       meal="1", public="1", sessions=["atelier-pdie"])
        s, _, out = self.b.request("POST", path, dict(changed, csrf=csrf_of(page)))
        self.assertEqual(s, 303, out[:300])
        now = next(x for x in self.regs() if x["email"] == r["email"])
        self.assertEqual((now["organization"], now["origin"], now["phone"], now["travel"],
                          now["seats"], now["meal"], now["diet"], now["public"]),
                         ("Nouvelle structure", "69001 Lyon", "06 99 99 99 99", "drive", 3,
                          True, "sans porc", True))
        self.assertEqual(now["sessions"], ["atelier-pdie"])
        # back: unticked boxes, a passenger again (no seats), no workshop
        page = self.b.get(path)[2]
        fields = self.form_of(page, path)
        fields.pop("meal", None)
        fields.pop("public", None)
        s, _, out = self.b.request("POST", path, dict(fields, travel="ride", seats="",
                                                      csrf=csrf_of(page)))
        self.assertEqual(s, 303, out[:300])
        now = next(x for x in self.regs() if x["email"] == r["email"])
        self.assertEqual((now["travel"], now["meal"], now["public"], now["sessions"]),
                         ("ride", False, False, []))
        self.assertEqual(now["organization"], "Nouvelle structure")

    def test_cancelled_cannot_be_edited_nor_moved(self):
        r = next(x for x in self.regs() if x["status"] == "confirmed")
        base = "/admin/e/%s/registrations" % SLUG
        rid = self.rows(self.b.get(base + "?q=" + r["email"])[2])[0][0]
        self.assertEqual(self.post("%s/%s/cancel" % (base, rid))[0], 303)
        self.assertEqual(self.post("%s/%s/cancel" % (base, rid))[0], 303)  # no error twice
        s, _, page = self.post("%s/%s/promote" % (base, rid))
        self.assertEqual(s, 400)
        page = self.b.get("%s/%s" % (base, rid))[2]
        fields = self.form_of(page, "%s/%s" % (base, rid))
        s, _, _ = self.b.request("POST", "%s/%s" % (base, rid),
                                 dict(fields, organization="Changed", csrf=csrf_of(page)))
        self.assertIn(s, (400, 409))
        now = next(x for x in self.regs() if x["email"] == r["email"])
        self.assertEqual(now["status"], "cancelled")
        self.assertNotEqual(now["organization"], "Changed")

    # ---- carpool options and allocation -----------------------------------------
    def test_carpool_options_out_of_range(self):
        path = "/admin/e/%s/carpool/plan" % SLUG
        for fields in ({"road_factor": "abc"}, {"road_factor": "9"}, {"co2_factor": "-1"},
                       {"max_detour_minutes": "x"}, {"max_detour": "1,5e"},
                       {"max_detour_minutes": "99999"}):
            s, _, page = self.post(path, fields)
            self.assertEqual(s, 400, fields)
            value = list(fields.values())[0]
            self.assertIn('value="%s"' % html.escape(value, quote=True), page)
        self.assertIn("Pas encore de plan", self.b.get("/admin/e/%s/carpool" % SLUG)[2])
        s, _, _ = self.post(path, {"max_detour": "40,5", "road_factor": "1,2",
                                   "co2_factor": "0.2", "max_detour_minutes": "30"})
        self.assertEqual(s, 303)
        page = self.b.get("/admin/e/%s/carpool" % SLUG)[2]
        self.assertIn('value="30"', page)
        s, _, _ = self.post("/admin/e/%s/carpool/confirm" % SLUG, {"driver_email": ""})
        self.assertEqual(s, 303)
        plan = json.loads(self.b.get("/admin/e/%s/carpool.json" % SLUG)[2])
        self.assertTrue(plan["groups"])
        with_riders = [g for g in plan["groups"] if g["passengers"]]
        self.assertTrue(with_riders)
        self.assertTrue(all(g["confirmed"] for g in with_riders))  # every group with riders
        s, _, _ = self.post("/admin/e/%s/carpool/confirm" % SLUG,
                            {"driver_email": "nobody@example.org"})
        self.assertIn(s, (400, 404))

    def test_allocate_with_nothing_ranked(self):
        before = [(r["email"], r["sessions"]) for r in self.regs()]
        s, _, page = self.post("/admin/e/%s/allocate" % SLUG, {"keep": "1"})
        self.assertEqual(s, 200, page[:300])
        self.assertIn("Ateliers répartis", page)
        self.assertIn("<p>Personne n'a classé d'ateliers.</p>", page)
        self.assertNotIn('id="assignments"', page)
        self.assertEqual([(r["email"], r["sessions"]) for r in self.regs()], before)

    # ---- sessions of the back office --------------------------------------------
    def test_cookies_out_of_shape(self):
        anonymous = Browser(self.srv)
        for value in ("", "abc", "0" * 64, "g" * 64, "0" * 65, self.b.cookies["planner_admin"] + "0"):
            anonymous.cookies = {"planner_admin": value}
            s, h, _ = anonymous.get("/admin")
            self.assertEqual((s, h.get("location")), (303, "/admin/login"), value)
        # logged in, a POST with a csrf of the wrong length or none is refused
        for csrf in ("", "0" * 63, "0" * 64, "x"):
            s, _, _ = self.b.request("POST", "/admin/e/%s/publish" % SLUG, {"csrf": csrf})
            self.assertEqual(s, 403, csrf)
        self.assertEqual(self.b.get("/admin")[0], 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
