#!/usr/bin/python3
"""End-to-end tests of the back office (/admin, docs/admin.md): the real
`planner serve` on 127.0.0.1 and a free port, driven over HTTP like a
browser without JavaScript: log in, forms with their csrf field, 303s.

The headless Chromium journey and axe-core live in test_admin_browser.py.
"""
import html
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from test_server import ADMIN, BIN, Server, run_cli  # noqa: E402


def csrf_of(page):
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    return html.unescape(m.group(1)) if m else None


class Browser:
    """A cookie jar and form posts, as a browser sends them."""

    def __init__(self, srv):
        self.srv = srv
        self.cookies = {}
        self.last_set_cookie = None

    def request(self, method, path, fields=None, headers=None):
        h = {"Accept": "text/html"}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
            h["Origin"] = "http://127.0.0.1:%d" % self.srv.port
        h.update(headers or {})
        status, headers_out, data = self.srv.request(method, path, body=body, headers=h)
        sc = headers_out.get("set-cookie")
        if sc:
            self.last_set_cookie = sc
            name, _, rest = sc.partition("=")
            value = rest.split(";")[0]
            if "Max-Age=0" in sc:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return status, headers_out, data.decode("utf-8", "replace")

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields, csrf_from=None):
        """Post fields with the csrf token of the page csrf_from (default: /admin)."""
        page = self.get(csrf_from or "/admin")[2]
        fields = dict(fields)
        fields.setdefault("csrf", csrf_of(page))
        return self.request("POST", path, fields)

    def login(self, token=ADMIN):
        page = self.get("/admin/login")[2]
        return self.request("POST", "/admin/login", {"csrf": csrf_of(page), "token": token})


def workshop_event(slug="atelier-test", start="2027-03-11T09:00", end="2027-03-11T17:00"):
    return {"slug": slug, "title": "Atelier test", "format": "in_person",
            "timezone": "Europe/Paris", "start": start, "end": end, "capacity": "30",
            "venue_name": "Maison des Canaux", "venue_address": "6 quai de la Seine, 75019 Paris"}


class AdminTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="planner-admin-")
        self.srv = Server(self.dir)
        self.b = Browser(self.srv)

    def tearDown(self):
        self.srv.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- access ----

    def test_login_cookie_flags_and_logout(self):
        s, h, _ = self.b.get("/admin")
        self.assertEqual((s, h["location"]), (303, "/admin/login"))
        s, h, _ = self.b.login()
        self.assertEqual((s, h["location"]), (303, "/admin"))
        cookie = h["set-cookie"]
        for flag in ("HttpOnly", "SameSite=Strict", "Path=/admin", "Max-Age="):
            self.assertIn(flag, cookie)
        self.assertNotIn("Secure", cookie)  # plain http base URL
        self.assertRegex(cookie, r"planner_admin=[0-9a-f]{64};")
        s, _, page = self.b.get("/admin")
        self.assertEqual(s, 200)
        self.assertIn("<h1>Événements</h1>", page)
        # a second organiser at the same time
        other = Browser(self.srv)
        self.assertEqual(other.login()[0], 303)
        self.assertEqual(other.get("/admin")[0], 200)
        s, h, _ = self.b.post("/admin/logout", {})
        self.assertEqual((s, h["location"]), (303, "/admin/login"))
        self.assertIn("Max-Age=0", h["set-cookie"])
        self.assertEqual(self.b.get("/admin")[0], 303)
        self.assertEqual(other.get("/admin")[0], 200)

    def test_wrong_token_rate_limited(self):
        s, _, page = self.b.login("wrong-token-wrong-token")
        self.assertEqual(s, 401)
        self.assertIn("Ce jeton n&#39;est pas le bon", page)
        self.assertNotIn("planner_admin=", self.b.last_set_cookie or "")
        for _ in range(9):
            self.b.login("wrong-token-wrong-token")
        s, h, _ = self.b.login()  # even the right one must wait now
        self.assertEqual(s, 429)
        self.assertGreater(int(h["retry-after"]), 0)
        self.assertNotIn("planner_admin", self.b.cookies)

    def test_login_form_needs_its_token(self):
        s, _, _ = self.b.request("POST", "/admin/login", {"token": ADMIN})
        self.assertEqual(s, 403)

    def test_bearer_still_works_for_scripts(self):
        run_cli(self.srv.db, "event", "import", os.path.join(
            os.path.dirname(__file__), "..", "..", "sample-events", "atelier-cem-2.json"))
        s, _, body = self.srv.get("/admin/e/atelier-cem-2", Authorization="Bearer " + ADMIN)
        self.assertEqual(s, 200)
        self.assertEqual(json.loads(body)["slug"], "atelier-cem-2")
        self.assertEqual(self.srv.get("/admin/e/atelier-cem-2")[0], 401)

    # ---- events ----

    def create(self, **over):
        fields = workshop_event()
        fields.update(over)
        return self.b.post("/admin/events", fields, csrf_from="/admin/events/new")

    def test_create_edit_draft_and_venue_point(self):
        self.b.login()
        s, h, _ = self.create()
        self.assertEqual(s, 303, h)
        self.assertTrue(h["location"].startswith("/admin/e/atelier-test"))
        # a draft: not public
        self.assertEqual(self.srv.get("/e/atelier-test")[0], 404)
        ev = json.loads(run_cli(self.srv.db, "event", "show", "atelier-test",
                                "--format", "json").stdout)
        self.assertEqual(ev["status"], "draft")
        self.assertAlmostEqual(ev["venue"]["lat"], 48.88, delta=0.05)
        self.assertAlmostEqual(ev["venue"]["lon"], 2.38, delta=0.05)
        self.assertEqual(ev["capacity"], 30)
        # an edit changes what was given
        s, _, _ = self.b.post("/admin/e/atelier-test", {"title": "Atelier renommé"},
                              csrf_from="/admin/e/atelier-test")
        self.assertEqual(s, 303)
        ev2 = json.loads(run_cli(self.srv.db, "event", "show", "atelier-test",
                                 "--format", "json").stdout)
        self.assertEqual(ev2["title"], "Atelier renommé")
        self.assertEqual(ev2["capacity"], 30)
        self.assertEqual(ev2["sequence"], ev["sequence"] + 1)
        # the organiser corrects the point found
        s, _, _ = self.b.post("/admin/e/atelier-test", {"venue_lat": "48.8851", "venue_lon": "2.3712"},
                              csrf_from="/admin/e/atelier-test")
        ev3 = json.loads(run_cli(self.srv.db, "event", "show", "atelier-test",
                                 "--format", "json").stdout)
        self.assertAlmostEqual(ev3["venue"]["lat"], 48.8851, places=6)
        # an edit form applies only what the organiser changed: a change made
        # meanwhile (here the capacity, by another organiser) is kept
        page = self.b.get("/admin/e/atelier-test")[2]
        form = re.search(r'<form method="post" action="/admin/e/atelier-test" class="stack">'
                         r'(.*?)</form>', page, re.S).group(1)
        fields = {k: html.unescape(v) for k, v in
                  re.findall(r'<input type="[a-z-]+" (?:id="[^"]*" )?name="([^"]+)" '
                             r'value="([^"]*)"', form)}
        self.assertEqual(fields["was-capacity"], "30")
        self.assertEqual(self.b.post("/admin/e/atelier-test", {"capacity": "45"},
                                     csrf_from="/admin/e/atelier-test")[0], 303)
        fields["summary"] = "Une journée d'ateliers"
        self.assertEqual(self.b.request("POST", "/admin/e/atelier-test", fields)[0], 303)
        ev4 = json.loads(run_cli(self.srv.db, "event", "show", "atelier-test",
                                 "--format", "json").stdout)
        self.assertEqual((ev4["capacity"], ev4["summary"]), (45, "Une journée d'ateliers"))
        self.assertEqual(ev4["title"], "Atelier renommé")
        # the purge delay (issue 14): a number of days, empty for the default
        self.assertIn('name="purge_after_days"', page)
        self.assertEqual(self.b.post("/admin/e/atelier-test", {"purge_after_days": "120"},
                                     csrf_from="/admin/e/atelier-test")[0], 303)
        ev5 = json.loads(run_cli(self.srv.db, "event", "show", "atelier-test",
                                 "--format", "json").stdout)
        self.assertEqual((ev5["purge_after_days"], ev5["sequence"]), (120, ev4["sequence"]))
        s, _, out = self.b.post("/admin/e/atelier-test", {"purge_after_days": "-3"},
                                csrf_from="/admin/e/atelier-test")
        self.assertEqual(s, 400, out)
        self.assertIn("purge_after_days", out)
        self.assertIn('value="120"', self.b.get("/admin/e/atelier-test")[2])
        self.assertEqual(self.b.post("/admin/e/atelier-test", {"purge_after_days": ""},
                                     csrf_from="/admin/e/atelier-test")[0], 303)
        self.assertNotIn("purge_after_days", run_cli(self.srv.db, "event", "show", "atelier-test",
                                                     "--format", "json").stdout)
        # the event's language is the pages' language
        self.assertIn('<html lang="fr"', self.b.get("/admin/e/atelier-test")[2])
        self.assertEqual(self.b.post("/admin/e/atelier-test", {"language": "en"},
                                     csrf_from="/admin/e/atelier-test")[0], 303)
        page = self.b.get("/admin/e/atelier-test")[2]
        self.assertIn('<html lang="en"', page)
        self.assertIn("Edit the event", page)
        self.b.post("/admin/e/atelier-test", {"language": ""}, csrf_from="/admin/e/atelier-test")
        self.assertIn('<html lang="fr"', self.b.get("/admin/e/atelier-test")[2])
        # the dashboard lists the draft
        page = self.b.get("/admin")[2]
        self.assertIn("Atelier renommé", page)
        self.assertIn("brouillon", page)

    def test_dates_written_out_in_the_event_language(self):
        """Pages show dates as people write them; form fields keep ISO values."""
        self.b.login()
        self.assertEqual(self.create()[0], 303)

        def outside_inputs(page):
            return re.sub(r"<input[^>]*>", "", page)

        page = self.b.get("/admin/e/atelier-test")[2]
        self.assertIn("jeudi 11 mars 2027, 09:00 – 17:00 (Europe/Paris)", page)
        self.assertNotIn("2027-03-11T09:00", outside_inputs(page))
        self.assertRegex(page, r'<input type="datetime-local" id="ev-start" name="start" '
                               r'value="2027-03-11T09:00"')
        dash = self.b.get("/admin")[2]
        self.assertIn("<td>jeudi 11 mars 2027, 09:00</td>", dash)
        self.assertNotIn("2027-03-11T09:00", outside_inputs(dash))
        # an English event: English words, the same zone
        self.b.post("/admin/e/atelier-test", {"language": "en"}, csrf_from="/admin/e/atelier-test")
        page = self.b.get("/admin/e/atelier-test")[2]
        self.assertIn("Thursday, 11 March 2027, 09:00 – 17:00 (Europe/Paris)", page)
        self.assertIn("<td>Thursday, 11 March 2027, 09:00</td>", self.b.get("/admin")[2])
        # over two days, both days
        self.b.post("/admin/e/atelier-test", {"end": "2027-03-12T12:30"},
                    csrf_from="/admin/e/atelier-test")
        page = self.b.get("/admin/e/atelier-test")[2]
        self.assertIn("Thursday, 11 March 2027, 09:00 – Friday, 12 March 2027, 12:30", page)

    def test_form_error_shown_again_with_what_was_typed(self):
        self.b.login()
        s, _, page = self.create(end="2027-03-11T08:00", title="Mon <atelier>")
        self.assertEqual(s, 400)
        self.assertIn('role="alert"', page)
        # the core's message, in the French page's language
        self.assertIn("l&#39;événement doit finir après son début", page)
        self.assertIn('value="Mon &lt;atelier&gt;"', page)
        self.assertRegex(page, r'id="f-end"[^>]*aria-invalid="true"')
        self.assertIn('href="#f-end"', page)
        self.assertEqual(self.srv.get("/admin/e/atelier-test", Authorization="Bearer " + ADMIN)[0], 404)
        s, _, page = self.create(venue_address="nulle part du tout")
        self.assertEqual(s, 400)
        self.assertIn("adresse introuvable", page)
        self.create()
        s, _, page = self.create(title="Encore")
        self.assertEqual(s, 409)
        self.assertIn("déjà", page)

    def add_session(self, slug, sid, start, end, room, speakers=(), kind="workshop"):
        return self.b.post("/admin/e/%s/sessions" % slug,
                           {"id": sid, "title": "Atelier " + sid, "kind": kind, "start": start,
                            "end": end, "room": room, "speakers": list(speakers)},
                           csrf_from="/admin/e/" + slug)

    def test_sessions_conflicts_publish(self):
        self.b.login()
        self.create()
        for sid, name in (("amorvan", "Anne Morvan"), ("jkerbrat", "Julien Kerbrat")):
            s, _, _ = self.b.post("/admin/e/atelier-test/speakers", {"id": sid, "name": name},
                                  csrf_from="/admin/e/atelier-test")
            self.assertEqual(s, 303)
        for sid, room, sp in (("a", "Salle A", ["amorvan"]), ("b", "Salle B", ["amorvan"]),
                              ("c", "Salle C", ["jkerbrat"])):
            s, _, page = self.add_session("atelier-test", sid, "10:00", "11:30", room, sp)
            self.assertEqual(s, 303, page)
        s, _, page = self.b.get("/admin/e/atelier-test")
        # three parallel cards in one slot, the conflict beside a and b
        slot = re.search(r'<section class="slot".*?</section>', page, re.S).group(0)
        self.assertEqual(slot.count('<article class="card'), 3)
        self.assertEqual(slot.count('class="card conflict"'), 2)
        self.assertIn("Anne Morvan", slot)
        self.assertIn("Conflit", slot)
        # publishing refuses, unless the organiser accepts
        s, _, page = self.b.post("/admin/e/atelier-test/publish", {},
                                 csrf_from="/admin/e/atelier-test")
        self.assertEqual(s, 400)
        self.assertIn("conflits", page)
        self.assertEqual(self.srv.get("/e/atelier-test")[0], 404)
        # fix it: b gets the other speaker
        s, _, _ = self.b.post("/admin/e/atelier-test/sessions/b",
                              {"speakers": ["jkerbrat"], "speakers_field": "1", "room": "Salle B2"},
                              csrf_from="/admin/e/atelier-test/sessions/b")
        self.assertEqual(s, 303)
        page = self.b.get("/admin/e/atelier-test")[2]
        self.assertNotIn('id="s-a"', re.findall(r'<article class="card conflict"[^>]*>', page))
        self.assertIn("Salle B2", page)
        # ... which gives jkerbrat two places at once (b and c): cancel c
        s, _, _ = self.b.post("/admin/e/atelier-test/sessions/c/cancel", {},
                              csrf_from="/admin/e/atelier-test")
        self.assertEqual(s, 303)
        s, _, _ = self.b.post("/admin/e/atelier-test/publish", {},
                              csrf_from="/admin/e/atelier-test")
        self.assertEqual(s, 303)
        s, _, public = self.srv.get("/e/atelier-test")
        self.assertEqual(s, 200)
        self.assertIn("Atelier b", public.decode())
        self.assertNotIn("Atelier c", public.decode())
        ev = json.loads(run_cli(self.srv.db, "event", "show", "atelier-test",
                                "--format", "json").stdout)
        self.assertEqual(ev["status"], "published")
        by_id = {s["id"]: s for s in ev["sessions"]}
        self.assertEqual(by_id["c"]["status"], "cancelled")
        # b had one real change more than a
        self.assertEqual(by_id["b"]["sequence"], by_id["a"]["sequence"] + 1)

    def test_remove_speaker(self):
        self.b.login()
        self.create()
        self.b.post("/admin/e/atelier-test/speakers", {"name": "Anne Morvan"},
                    csrf_from="/admin/e/atelier-test")
        self.add_session("atelier-test", "a", "10:00", "11:00", "Salle A", ["anne-morvan"])
        s, _, page = self.b.get("/admin/e/atelier-test/speakers/anne-morvan")
        self.assertEqual(s, 200)
        s, _, _ = self.b.post("/admin/e/atelier-test/speakers/anne-morvan/remove", {},
                              csrf_from="/admin/e/atelier-test")
        self.assertEqual(s, 303)
        ev = json.loads(run_cli(self.srv.db, "event", "show", "atelier-test",
                                "--format", "json").stdout)
        self.assertEqual(ev["speakers"], [])
        self.assertEqual(ev["sessions"][0]["speakers"], [])

    def test_publish_accepting_conflicts(self):
        self.b.login()
        self.create()
        self.add_session("atelier-test", "a", "10:00", "11:00", "Salle A")
        self.add_session("atelier-test", "b", "10:30", "11:30", "Salle A")
        s, _, _ = self.b.post("/admin/e/atelier-test/publish", {"accept_conflicts": "1"},
                              csrf_from="/admin/e/atelier-test")
        self.assertEqual(s, 303)
        self.assertEqual(self.srv.get("/e/atelier-test")[0], 200)

    def test_session_errors_and_duplicate(self):
        self.b.login()
        self.create()
        s, _, page = self.add_session("atelier-test", "a", "10:00", "9h30", "Salle A")
        self.assertEqual(s, 400)
        self.assertIn("« 9h30 » n&#39;est pas une heure", page)
        self.assertIn('value="9h30"', page)
        self.add_session("atelier-test", "a", "10:00", "11:00", "Salle A")
        s, _, _ = self.add_session("atelier-test", "a", "10:00", "11:00", "Salle A")
        self.assertEqual(s, 409)
        s, h, _ = self.b.post("/admin/e/atelier-test/duplicate",
                              {"slug": "atelier-test-2028", "start": "2028-03-09T09:00"},
                              csrf_from="/admin/e/atelier-test")
        self.assertEqual(s, 303)
        ev = json.loads(run_cli(self.srv.db, "event", "show", "atelier-test-2028",
                                "--format", "json").stdout)
        self.assertEqual((ev["start"], ev["end"], ev["status"]),
                         ("2028-03-09T09:00", "2028-03-09T17:00", "draft"))
        self.assertEqual((ev["sessions"][0]["start"], ev["sessions"][0]["end"]),
                         ("2028-03-09T10:00", "2028-03-09T11:00"))


    # ---- registrations, exports, carpool ----

    def sample_with_people(self, capacity=None):
        src = os.path.join(os.path.dirname(__file__), "..", "..", "sample-events")
        with open(os.path.join(src, "atelier-cem-2.json"), encoding="utf-8") as f:
            ev = json.load(f)
        if capacity:
            ev["capacity"] = capacity
            for sess in ev["sessions"]:
                sess.pop("capacity", None)
        path = os.path.join(self.dir, "ev.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(ev, f, ensure_ascii=False)
        r = run_cli(self.srv.db, "event", "import", "--accept-conflicts", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run_cli(self.srv.db, "registrations", "import", "atelier-cem-2",
                    os.path.join(src, "atelier-cem-2.registrations.csv"))
        self.assertEqual(r.returncode, 0, r.stderr)
        regs = json.loads(run_cli(self.srv.db, "registrations", "list", "atelier-cem-2",
                                  "--format", "json").stdout)
        return regs

    def rows(self, page):
        return re.findall(r'<tr><th scope="row"><a href="/admin/e/atelier-cem-2/registrations/(\d+)">'
                          r'([^<]*)</a>', page)

    def test_registrations_table_search_filter_sort(self):
        regs = self.sample_with_people()
        self.b.login()
        s, _, page = self.b.get("/admin/e/atelier-cem-2/registrations")
        self.assertEqual(s, 200)
        self.assertEqual(len(self.rows(page)), len(regs))
        self.assertIn("Céline Vasseur", page)
        # search by name, e-mail, commune
        page = self.b.get("/admin/e/atelier-cem-2/registrations?q=vasseur")[2]
        self.assertEqual([n for _, n in self.rows(page)], ["Céline Vasseur"])
        page = self.b.get("/admin/e/atelier-cem-2/registrations?q=le.goff%40example")[2]
        self.assertEqual([n for _, n in self.rows(page)], ["Jean-Baptiste Le Goff"])
        page = self.b.get("/admin/e/atelier-cem-2/registrations?q=Chartres")[2]
        self.assertIn("Jean-Baptiste Le Goff", [n for _, n in self.rows(page)])
        # filter by workshop and status
        page = self.b.get("/admin/e/atelier-cem-2/registrations?session=atelier-pdie")[2]
        want = sorted(r["name"] for r in regs if "atelier-pdie" in r["sessions"])
        self.assertEqual(sorted(n for _, n in self.rows(page)), want)
        page = self.b.get("/admin/e/atelier-cem-2/registrations?status=cancelled")[2]
        self.assertEqual(self.rows(page), [])
        # sort by name
        page = self.b.get("/admin/e/atelier-cem-2/registrations?sort=name")[2]
        names = [html.unescape(n) for _, n in self.rows(page)]
        self.assertEqual(names, sorted(names, key=str.lower))
        # every export is a plain link the session opens
        self.assertIn('href="/admin/e/atelier-cem-2/registrants.xlsx"', page)
        s, h, body = self.b.get("/admin/e/atelier-cem-2/registrants.csv")
        self.assertEqual(s, 200)
        self.assertIn("attachment", h["content-disposition"])
        self.assertIn("celine.vasseur@example.org", body)
        self.assertEqual(self.b.get("/admin/e/atelier-cem-2/registrations.json")[0], 200)

    def test_edit_changes_only_what_was_changed(self):
        self.sample_with_people()
        self.b.login()
        page = self.b.get("/admin/e/atelier-cem-2/registrations?q=vasseur")[2]
        rid = self.rows(page)[0][0]
        path = "/admin/e/atelier-cem-2/registrations/" + rid
        s, _, form = self.b.get(path)
        self.assertEqual(s, 200)
        fields = dict(re.findall(r'<input type="(?:hidden|text|tel|number)"[^>]*name="([^"]+)" '
                                 r'value="([^"]*)"', form))
        fields = {k: html.unescape(v) for k, v in fields.items()}
        fields["meal"] = "1"
        fields["public"] = "1"
        fields["sessions"] = ["atelier-covoiturage"]
        fields["travel"] = "drive"
        # meanwhile the person changes their diet themselves
        r = run_cli(self.srv.db, "register", "atelier-cem-2", "--name", "Céline Vasseur",
                    "--email", "celine.vasseur@example.org", "--org",
                    "Métropole — direction des mobilités", "--origin", "45000 Orléans",
                    "--drive", "3", "--meal", "sans gluten", "--public",
                    "--session", "atelier-covoiturage")
        self.assertEqual(r.returncode, 0, r.stderr)
        fields["organization"] = "Orléans Métropole"
        s, h, page = self.b.request("POST", path, fields)
        self.assertEqual(s, 303, page)
        r = [x for x in json.loads(run_cli(self.srv.db, "registrations", "list", "atelier-cem-2",
                                           "--format", "json").stdout)
             if x["email"] == "celine.vasseur@example.org"][0]
        self.assertEqual(r["organization"], "Orléans Métropole")
        self.assertEqual(r["diet"], "sans gluten")  # their own change kept
        # a bad value: the form again, with what was typed
        fields2 = dict(fields, name="", organization="Tapé à la main")
        s, _, page = self.b.request("POST", path, fields2)
        self.assertEqual(s, 400)
        self.assertIn('value="Tapé à la main"', page)
        self.assertIn('role="alert"', page)

    def test_cancel_and_move_from_waiting_list(self):
        self.sample_with_people(capacity=5)
        self.b.login()
        page = self.b.get("/admin/e/atelier-cem-2/registrations?status=waitlisted")[2]
        waiting = self.rows(page)
        self.assertTrue(waiting)
        first_id, first_name = waiting[0]
        last_id, last_name = waiting[-1]
        # cancelling a confirmed person promotes the first in line
        page = self.b.get("/admin/e/atelier-cem-2/registrations?status=confirmed")[2]
        cid, _ = self.rows(page)[0]
        s, _, _ = self.b.post("/admin/e/atelier-cem-2/registrations/%s/cancel" % cid, {},
                              csrf_from="/admin/e/atelier-cem-2/registrations")
        self.assertEqual(s, 303)
        page = self.b.get("/admin/e/atelier-cem-2/registrations?status=cancelled")[2]
        self.assertEqual([i for i, _ in self.rows(page)], [cid])
        page = self.b.get("/admin/e/atelier-cem-2/registrations?status=confirmed")[2]
        self.assertIn(first_id, [i for i, _ in self.rows(page)])
        # the organiser moves the last in line by hand
        s, _, _ = self.b.post("/admin/e/atelier-cem-2/registrations/%s/promote" % last_id, {},
                              csrf_from="/admin/e/atelier-cem-2/registrations")
        self.assertEqual(s, 303)
        page = self.b.get("/admin/e/atelier-cem-2/registrations?status=confirmed")[2]
        self.assertIn(last_id, [i for i, _ in self.rows(page)])
        # not waiting any more: refused
        s, _, _ = self.b.post("/admin/e/atelier-cem-2/registrations/%s/promote" % last_id, {},
                              csrf_from="/admin/e/atelier-cem-2/registrations")
        self.assertEqual(s, 400)

    def test_resend_the_link_queues_one_more_message(self):
        regs = self.sample_with_people()
        email = regs[0]["email"]

        def queued():
            out = json.loads(run_cli(self.srv.db, "mail", "list", "atelier-cem-2", "--format",
                                     "json").stdout)["messages"]
            return [m["kind"] for m in out if m["to"] == email]

        self.assertEqual(queued(), ["confirmation"])
        self.b.login()
        page = self.b.get("/admin/e/atelier-cem-2/registrations")[2]
        rid = next(i for i, n in self.rows(page) if n == regs[0]["name"])
        self.assertIn("/registrations/%s/resend" % rid, page)
        s, _, _ = self.b.post("/admin/e/atelier-cem-2/registrations/%s/resend" % rid, {},
                              csrf_from="/admin/e/atelier-cem-2/registrations")
        self.assertEqual(s, 303)
        self.assertEqual(queued(), ["confirmation", "confirmation"])
        # without the form's csrf: refused, nothing queued
        s, _, _ = self.b.request("POST", "/admin/e/atelier-cem-2/registrations/%s/resend" % rid,
                                 {})
        self.assertEqual(s, 403)
        self.assertEqual(len(queued()), 2)

    def test_carpool_plan_confirm_replan(self):
        self.sample_with_people()
        self.b.login()
        s, _, page = self.b.get("/admin/e/atelier-cem-2/carpool")
        self.assertEqual(s, 200)
        self.assertIn("Pas encore de plan", page)
        s, _, page = self.b.post("/admin/e/atelier-cem-2/carpool/plan", {"max_detour": "abc"},
                                 csrf_from="/admin/e/atelier-cem-2/carpool")
        self.assertEqual(s, 400)
        self.assertIn('value="abc"', page)
        s, _, _ = self.b.post("/admin/e/atelier-cem-2/carpool/plan",
                              {"max_detour": "40", "max_detour_minutes": "none"},
                              csrf_from="/admin/e/atelier-cem-2/carpool")
        self.assertEqual(s, 303)
        page = self.b.get("/admin/e/atelier-cem-2/carpool")[2]
        self.assertIn("<svg", page)
        self.assertIn('value="40"', page)  # the options used, shown again
        # the summary, in the event's language, adds up
        m = re.search(r"Demandent une place : (\d+) — placés : (\d+), sans place : (\d+)", page)
        self.assertTrue(m, "no carpool summary")
        self.assertEqual(int(m.group(1)), int(m.group(2)) + int(m.group(3)))
        cars = re.findall(r'name="driver_email" value="([^"]+)"', page)
        self.assertTrue(cars)
        s, _, _ = self.b.post("/admin/e/atelier-cem-2/carpool/confirm",
                              {"driver_email": html.unescape(cars[0])},
                              csrf_from="/admin/e/atelier-cem-2/carpool")
        self.assertEqual(s, 303)
        plan = json.loads(self.b.get("/admin/e/atelier-cem-2/carpool.json")[2])
        confirmed = [g for g in plan["groups"] if g["confirmed"]]
        self.assertEqual(len(confirmed), 1)
        # without keeping them, a plan over confirmed cars is refused, in
        # the page's language
        s, _, page = self.b.post("/admin/e/atelier-cem-2/carpool/plan", {"max_detour": "10"},
                                 csrf_from="/admin/e/atelier-cem-2/carpool")
        self.assertEqual(s, 400)
        self.assertIn("voitures de l&#39;aller confirmées : 1", page.replace("&#x27;", "&#39;"))
        s, _, _ = self.b.post("/admin/e/atelier-cem-2/carpool/plan",
                              {"keep_confirmed": "1", "max_detour": "10"},
                              csrf_from="/admin/e/atelier-cem-2/carpool")
        self.assertEqual(s, 303)
        plan2 = json.loads(self.b.get("/admin/e/atelier-cem-2/carpool.json")[2])
        kept = [g for g in plan2["groups"] if g["confirmed"]]
        self.assertEqual(kept, confirmed)
        # who has no seat, and why, in French (the origin's detail marked English)
        page = self.b.get("/admin/e/atelier-cem-2/carpool")[2]
        self.assertIn("Aïcha Diallo (Chartes) : commune de départ non reconnue — "
                      '<span lang="en">origin', page)
        self.assertRegex(page, r"\(Auxerre\) : aucun conducteur ne passe assez près</li>")
        self.assertNotIn("no driver can reach them", page)
        # the groups' table scrolls on its own on a phone, named by its heading
        self.assertIn('<div class="table-wrap" role="region" aria-labelledby="groups" '
                      'tabindex="0"><table>', page)

    # ---- security ----

    ROUTES = [("GET", "/admin"), ("GET", "/admin/events/new"), ("POST", "/admin/events"),
              ("GET", "/admin/e/atelier-test"), ("POST", "/admin/e/atelier-test"),
              ("POST", "/admin/e/atelier-test/duplicate"), ("POST", "/admin/e/atelier-test/publish"),
              ("POST", "/admin/e/atelier-test/sessions"), ("GET", "/admin/e/atelier-test/sessions/a"),
              ("POST", "/admin/e/atelier-test/sessions/a"),
              ("POST", "/admin/e/atelier-test/sessions/a/cancel"),
              ("POST", "/admin/e/atelier-test/speakers"), ("GET", "/admin/e/atelier-test/speakers/x"),
              ("POST", "/admin/e/atelier-test/speakers/x"),
              ("POST", "/admin/e/atelier-test/speakers/x/remove"),
              ("GET", "/admin/e/atelier-test/registrations"),
              ("GET", "/admin/e/atelier-test/registrations/1"),
              ("POST", "/admin/e/atelier-test/registrations/1"),
              ("POST", "/admin/e/atelier-test/registrations/1/cancel"),
              ("POST", "/admin/e/atelier-test/registrations/1/promote"),
              ("POST", "/admin/e/atelier-test/registrations/1/resend"),
              ("GET", "/admin/e/atelier-test/carpool"), ("POST", "/admin/e/atelier-test/carpool/plan"),
              ("POST", "/admin/e/atelier-test/carpool/confirm"),
              ("POST", "/admin/e/atelier-test/carpool/move"),
              ("POST", "/admin/e/atelier-test/carpool/together"),
              ("POST", "/admin/e/atelier-test/carpool/choice"),
              ("GET", "/admin/e/atelier-test/registrants.csv"), ("POST", "/admin/logout")]

    def test_every_route_needs_a_session_and_csrf(self):
        self.b.login()
        self.create()
        self.add_session("atelier-test", "a", "10:00", "11:00", "Salle A")
        anonymous = Browser(self.srv)
        for method, path in self.ROUTES:
            s, h, _ = anonymous.request(method, path, {} if method == "POST" else None)
            if s == 303:
                self.assertEqual(h["location"], "/admin/login", path)
            else:
                self.assertEqual(s, 401, (method, path))
            # a script without Accept: text/html gets 401
            s, _, _ = self.srv.request(method, path, body=b"" if method == "POST" else None,
                                       headers={"Content-Type": "application/x-www-form-urlencoded"}
                                       if method == "POST" else {})
            self.assertEqual(s, 401, (method, path))
        # with a session but no csrf, a wrong one, or from another site: 403
        good = csrf_of(self.b.get("/admin")[2])
        for method, path in self.ROUTES:
            if method != "POST":
                continue
            self.assertEqual(self.b.request("POST", path, {"title": "x"})[0], 403, path)
            self.assertEqual(self.b.request("POST", path, {"csrf": "0" * 64})[0], 403, path)
            self.assertEqual(self.b.request("POST", path, {"csrf": good},
                                            headers={"Origin": "https://evil.example"})[0],
                             403, path)
        self.assertEqual(self.b.get("/admin")[0], 200)  # still logged in


class AdminHttpsTest(unittest.TestCase):
    """Behind a TLS proxy (--base-url https://...) the cookie is Secure."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="planner-admin-https-")
        self.srv = Server(self.dir, extra=("--base-url", "https://agenda.example.org"))

    def tearDown(self):
        self.srv.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_secure_cookie_behind_https(self):
        b = Browser(self.srv)
        page = b.get("/admin/login")[2]
        s, h, _ = b.request("POST", "/admin/login", {"csrf": csrf_of(page), "token": ADMIN},
                            headers={"Origin": "https://agenda.example.org"})
        self.assertEqual(s, 303)
        self.assertIn("; Secure", h["set-cookie"])
        self.assertIn("HttpOnly", h["set-cookie"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
