#!/usr/bin/python3
"""The core's messages on pages, in the event's language (docs/server.md,
"Messages in the page's language"): a French organiser who types a wrong
date in the back office, and a French attendee who mistypes their e-mail on
the public form (no JavaScript), read French, keep what they typed, and see
an agenda conflict named by the sessions' titles, not their ids. The
command line still prints the English (tests/e2e/test_cli.py)."""
import html
import http.server
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import threading
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from test_admin import Browser, workshop_event  # noqa: E402
from test_server import Server, run_cli  # noqa: E402


class NoPlace(http.server.BaseHTTPRequestHandler):
    """A BAN-like geocoder that finds nothing."""
    asked = []

    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        NoPlace.asked.append(q.get("q", [""])[0])
        data = json.dumps({"type": "FeatureCollection", "features": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class FrenchErrors(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="planner-l10n-")
        self.srv = Server(self.dir)
        self.b = Browser(self.srv)
        self.b.login()

    def tearDown(self):
        self.srv.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def count(self, email):
        con = sqlite3.connect(self.srv.db)
        n = con.execute("SELECT count(*) FROM registrations WHERE email = ?", (email,)).fetchone()[0]
        con.close()
        return n

    def published_event(self):
        """A French (Europe/Paris) event with two speakers and two parallel workshops."""
        s, _, page = self.b.post("/admin/events", workshop_event(), csrf_from="/admin/events/new")
        self.assertEqual(s, 303, page)
        for sid, name in (("cb", "Claire Bernard"), ("jk", "Julien Kerbrat")):
            s, _, page = self.b.post("/admin/e/atelier-test/speakers", {"id": sid, "name": name},
                                     csrf_from="/admin/e/atelier-test")
            self.assertEqual(s, 303, page)
        for sid, title, room, sp in (("velo", "Vélo-école pour adultes", "Salle A", "cb"),
                                     ("autopartage", "Autopartage en zone rurale", "Salle B",
                                      "cb")):
            s, _, page = self.b.post("/admin/e/atelier-test/sessions",
                                     {"id": sid, "title": title, "kind": "workshop",
                                      "start": "10:00", "end": "11:00", "room": room,
                                      "speakers": [sp]},
                                     csrf_from="/admin/e/atelier-test")
            self.assertEqual(s, 303, page)

    def test_admin_form_error_in_french_with_what_was_typed(self):
        s, _, page = self.b.post("/admin/events",
                                 dict(workshop_event(), title="Rencontre régionale",
                                      end="2027-03-11T08:00"),
                                 csrf_from="/admin/events/new")
        self.assertEqual(s, 400, page)
        self.assertIn('<html lang="fr"', page)
        text = html.unescape(page)
        self.assertIn("l'événement doit finir après son début (2027-03-11T09:00)", text)
        self.assertNotIn("the event must end after it starts", text)
        self.assertIn('value="Rencontre régionale"', page)
        self.assertIn('value="2027-03-11T08:00"', page)
        # a session time the organiser wrote the French way
        self.published_event()
        s, _, page = self.b.post("/admin/e/atelier-test/sessions",
                                 {"id": "forum", "title": "Forum ouvert", "kind": "forum",
                                  "start": "14:00", "end": "16h30"},
                                 csrf_from="/admin/e/atelier-test")
        self.assertEqual(s, 400, page)
        text = html.unescape(page)
        self.assertIn("« 16h30 » n'est pas une heure", text)
        self.assertIn('value="Forum ouvert"', page)
        # the command line still says it in English
        bad = os.path.join(self.dir, "bad.json")
        with open(bad, "w") as f:
            f.write('{"slug": "x", "title": "X", "format": "online", "online_url": '
                    '"https://x.fr", "start": "2027-03-11T09:00", "end": "2027-03-11T08:00"}')
        r = run_cli(self.srv.db, "event", "import", bad)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("the event must end after it starts", r.stderr)

    def test_venue_not_found_says_why_in_french(self):
        s, _, page = self.b.post("/admin/events",
                                 dict(workshop_event(), venue_address="nulle part du tout",
                                      venue_name=""),
                                 csrf_from="/admin/events/new")
        self.assertEqual(s, 400, page)
        text = html.unescape(page)
        self.assertIn("adresse introuvable", text)
        self.assertIn("« nulle part du tout » n'est ni une commune, ni un code postal", text)
        self.assertNotIn("is not a French commune", text)
        # with a geocoder set (`carpool plan --geocoder`): its answer, in French
        geo = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NoPlace)
        threading.Thread(target=geo.serve_forever, daemon=True).start()
        try:
            con = sqlite3.connect(self.srv.db)
            con.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('geocoder_url', ?)",
                        ("http://127.0.0.1:%d/search/" % geo.server_address[1],))
            con.commit()
            con.close()
            s, _, page = self.b.post("/admin/events",
                                     dict(workshop_event(), venue_address="nulle part du tout",
                                          venue_name=""),
                                     csrf_from="/admin/events/new")
        finally:
            geo.shutdown()
            geo.server_close()
        self.assertEqual(s, 400, page)
        text = html.unescape(page)
        self.assertIn("adresse introuvable", text)
        self.assertIn("le géocodeur ne trouve aucun lieu", text)
        self.assertNotIn("no place matches", text)
        self.assertEqual(NoPlace.asked, ["nulle part du tout"])

    def test_conflict_named_by_titles(self):
        self.published_event()
        page = html.unescape(self.b.get("/admin/e/atelier-test")[2])
        self.assertIn("Claire Bernard intervient dans « Vélo-école pour adultes » et dans "
                      "« Autopartage en zone rurale » en même temps (10:00–11:00)", page)
        # publishing without accepting says the same
        s, _, page = self.b.post("/admin/e/atelier-test/publish", {},
                                 csrf_from="/admin/e/atelier-test")
        self.assertEqual(s, 400)
        self.assertIn("« Vélo-école pour adultes »", html.unescape(page))
        self.assertNotIn("'velo'", html.unescape(page))
        # the command line keeps the ids
        r = run_cli(self.srv.db, "agenda", "check", "atelier-test")
        self.assertIn("'velo'", r.stdout + r.stderr)

    def post_public(self, fields):
        page = self.srv.get("/e/atelier-test")[2].decode()
        fields = dict(fields, csrf=html.unescape(
            re.search(r'name="csrf" value="([^"]+)"', page).group(1)))
        return self.srv.request("POST", "/e/atelier-test/register",
                                urllib.parse.urlencode(fields, doseq=True).encode(),
                                {"Content-Type": "application/x-www-form-urlencoded",
                                 "Origin": "http://127.0.0.1:%d" % self.srv.port})

    def post_me(self, path, fields):
        return self.srv.request("POST", path, urllib.parse.urlencode(fields, doseq=True).encode(),
                                {"Content-Type": "application/x-www-form-urlencoded",
                                 "Origin": "http://127.0.0.1:%d" % self.srv.port})

    def me_form(self, me, page=None):
        """The fields the /me edit form would send as it is shown."""
        page = page or self.srv.get(me)[2].decode()
        form = re.search(r'action="%s/update".*?</form>' % re.escape(me), page, re.S).group(0)
        fields = {html.unescape(n): html.unescape(v) for n, v in
                  re.findall(r'<input type="(?:hidden|text|tel|number)"[^>]*? name="([^"]+)" '
                             r'(?:maxlength="\d+" |min="\d+" max="\d+" )?value="([^"]*)"',
                             form)}
        fields["travel"] = re.search(r'<option value="(\w+)" selected>', form).group(1)
        for box in ("meal", "public", "share_phone"):
            if re.search(r'name="%s" value="1" checked' % box, form):
                fields[box] = "1"
        fields["session"] = re.findall(r'name="session" value="([^"]+)" checked', form)
        return fields

    def test_public_form_shown_again_in_french(self):
        self.published_event()
        s, _, _ = self.b.post("/admin/e/atelier-test/publish", {"accept_conflicts": "1"},
                              csrf_from="/admin/e/atelier-test")
        self.assertEqual(s, 303)
        typed = {"name": "Élise Martin", "email": "elise.martin-at-exemple.fr",
                 "organization": "Mairie de Saint-Brieuc", "origin": "Saint-Brieuc",
                 "travel": "drive", "seats": "2", "meal": "1", "diet": "végétarien",
                 "public": "1", "slot-0": "velo", "rank-0-1": "velo", "rank-0-2": "autopartage"}
        s, _, body = self.post_public(typed)
        page = body.decode()
        self.assertEqual(s, 400, page)
        self.assertIn('<html lang="fr"', page)
        text = html.unescape(page)
        # the error, in French, beside the field and in the summary
        self.assertRegex(page, r'id="email"[^>]*aria-invalid="true"')
        self.assertIn('<p class="warn" id="email-error">', page)
        self.assertIn("« elise.martin-at-exemple.fr » n'est pas une adresse e-mail", text)
        self.assertIn('href="#email"', page)
        self.assertNotIn("is not an e-mail address", text)
        # what was typed is kept
        for name in ("name", "email", "organization", "origin", "seats", "diet"):
            self.assertRegex(page, r'name="%s"[^>]*value="%s"' % (
                name, re.escape(html.escape(typed[name], quote=True))), name)
        self.assertIn('<option value="drive" selected>', page)
        self.assertRegex(page, r'name="meal" value="1" checked')
        self.assertRegex(page, r'name="public" value="1" checked')
        self.assertRegex(page, r'name="slot-0" value="velo" checked')
        self.assertNotRegex(page, r'name="slot-0" value="" checked')
        self.assertRegex(page, r'name="rank-0-1">.*?<option value="velo" selected>')
        self.assertRegex(page, r'name="rank-0-2">.*?<option value="autopartage" selected>')
        self.assertEqual(self.count("elise.martin-at-exemple.fr"), 0)
        # a driver without a place to start from
        s, _, body = self.post_public(dict(typed, email="elise@exemple.fr", origin=""))
        self.assertEqual(s, 400)
        self.assertIn("à renseigner pour covoiturer", html.unescape(body.decode()))
        self.assertRegex(body.decode(), r'id="origin"[^>]*aria-invalid="true"')
        # fixed, it goes through; the same e-mail again is a conflict, in French
        s, h, _ = self.post_public(dict(typed, email="elise@exemple.fr"))
        self.assertEqual(s, 303)
        # her own page refuses a bad phone number in French too: the page
        # again, the error beside the field, what she typed kept
        me = h["location"]
        fields = self.me_form(me)
        fields.update(phone="appelez-moi", diet="sans gluten", origin="Lannion")
        s, _, body = self.post_me(me + "/update", fields)
        page = body.decode()
        self.assertEqual(s, 400, page)
        self.assertIn('<html lang="fr"', page)
        self.assertIn("Vos modifications ne sont pas enregistrées", html.unescape(page))
        self.assertIn("« appelez-moi » n'est pas un numéro de téléphone", html.unescape(page))
        self.assertRegex(page, r'id="phone"[^>]*value="appelez-moi"[^>]*aria-invalid="true"')
        self.assertIn('<p class="warn" id="phone-error">', page)
        self.assertIn('href="#phone"', page)
        self.assertRegex(page, r'id="diet"[^>]*value="sans gluten"')
        self.assertRegex(page, r'id="origin"[^>]*value="Lannion"')
        # the form shown again still carries what the first one showed
        again = self.me_form(me, page)
        self.assertEqual(again["orig_origin"], "Saint-Brieuc")
        self.assertEqual(again["orig_diet"], "végétarien")
        self.assertEqual(self.srv.get(me + ".json")[2] and
                         json.loads(self.srv.get(me + ".json")[2])["diet"], "végétarien")
        # corrected and sent again: only what she changed is saved
        fields.update(phone="06 12 34 56 78")
        s, _, body = self.post_me(me + "/update", fields)
        self.assertEqual(s, 303, body)
        reg = json.loads(self.srv.get(me + ".json")[2])
        self.assertEqual((reg["diet"], reg["origin"], reg["phone"], reg["seats"],
                          reg["sessions"]),
                         ("sans gluten", "Lannion", "06 12 34 56 78", 2, ["velo"]))
        # seats out of range: French, beside the seats field
        fields = dict(self.me_form(me), seats="99")
        s, _, body = self.post_me(me + "/update", fields)
        page = body.decode()
        self.assertEqual(s, 400, page)
        self.assertIn("le nombre de places offertes doit aller de 1 à", html.unescape(page))
        self.assertRegex(page, r'id="seats"[^>]*value="99"[^>]*aria-invalid="true"')
        # a stale cancel form: a French page, not English
        s, _, body = self.post_me(me + "/cancel", {"csrf": "x"})
        self.assertEqual(s, 403)
        self.assertIn("ce formulaire a expiré", html.unescape(body.decode()))
        self.assertNotIn("stale", body.decode())
        # the JSON API: "error" stays English, "message" is French, "field" the key
        s, _, body = self.srv.request("POST", me + "/update",
                                      json.dumps({"seats": 3}).encode(),
                                      {"Content-Type": "application/json"})
        self.assertEqual(s, 400)
        self.assertEqual(json.loads(body), {
            "error": "seats goes with travel: give both",
            "message": "le nombre de places va avec le mode de trajet : donnez les deux",
            "field": "seats"})
        s, _, body = self.srv.request("POST", "/e/atelier-test/register",
                                      json.dumps({"name": "Jo", "email": "jo-at-example"}).encode(),
                                      {"Content-Type": "application/json"})
        self.assertEqual(s, 400)
        self.assertEqual(json.loads(body), {
            "error": "\"jo-at-example\" is not an e-mail address",
            "message": "« jo-at-example » n'est pas une adresse e-mail (exemple : "
                       "prenom.nom@exemple.fr)",
            "field": "email"})
        s, _, body = self.srv.request("POST", "/e/atelier-test/register",
                                      json.dumps({"name": "Jo", "email": "jo@example.org",
                                                  "ranks": [1]}).encode(),
                                      {"Content-Type": "application/json"})
        self.assertEqual(s, 400)
        self.assertEqual(json.loads(body)["field"], "ranks")
        self.assertIn("un classement par créneau", json.loads(body)["message"])
        s, _, body = self.post_public(dict(typed, email="elise@exemple.fr"))
        self.assertEqual(s, 409)
        self.assertIn("elise@exemple.fr est déjà inscrit à cet événement",
                      html.unescape(body.decode()))
        self.assertEqual(self.count("elise@exemple.fr"), 1)


class EnglishErrors(unittest.TestCase):
    """The same paths for an English event: English everywhere."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="planner-l10n-en-")
        ev = {"slug": "meetup", "title": "Meetup", "format": "in_person",
              "timezone": "Europe/London", "status": "published",
              "venue": {"name": "Hall", "lat": 51.5, "lon": -0.1},
              "start": "2027-03-11T09:00", "end": "2027-03-11T17:00", "sessions": []}
        path = os.path.join(self.dir, "meetup.json")
        with open(path, "w") as f:
            json.dump(ev, f)
        db = os.path.join(self.dir, "planner.db")
        r = run_cli(db, "event", "import", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.srv = Server(self.dir)

    def tearDown(self):
        self.srv.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_json_message_and_me_page_in_english(self):
        s, _, body = self.srv.request("POST", "/e/meetup/register",
                                      json.dumps({"name": "Jo", "email": "jo@example.org",
                                                  "travel": "car"}).encode(),
                                      {"Content-Type": "application/json"})
        self.assertEqual(s, 400, body)
        self.assertEqual(json.loads(body), {
            "error": "travel is none, drive, ride or flexible",
            "message": "travel is none, drive, ride or flexible", "field": "travel"})
        s, _, body = self.srv.request("POST", "/e/meetup/register",
                                      json.dumps({"name": "Jo", "email": "jo@example.org",
                                                  "origin": "London", "travel": "ride"}).encode(),
                                      {"Content-Type": "application/json"})
        self.assertEqual(s, 201, body)
        me = "/me/" + json.loads(body)["page"].rsplit("/me/", 1)[1]
        page = self.srv.get(me)[2].decode()
        fields = FrenchErrors.me_form(self, me, page)
        fields.update(travel="drive", seats="0")
        s, _, body = FrenchErrors.post_me(self, me + "/update", fields)
        page = body.decode()
        self.assertEqual(s, 400, page)
        self.assertIn('<html lang="en"', page)
        self.assertIn("Your changes are not saved yet", page)
        self.assertIn("0 is not a number of free seats from 1 to 8", page)
        self.assertRegex(page, r'id="seats"[^>]*value="0"[^>]*aria-invalid="true"')
        self.assertIn('<option value="drive" selected>', page)
        s, _, body = FrenchErrors.post_me(self, me + "/cancel", {"csrf": "x"})
        self.assertEqual(s, 403)
        self.assertIn("this form is stale or comes from another site", body.decode())
        s, _, body = self.srv.request("POST", "/me/" + "0" * 64 + "/update", b"{}",
                                      {"Content-Type": "application/json"})
        self.assertEqual((s, json.loads(body)), (404, {"error": "no such registration",
                                                       "message": "no such registration"}))
        s, _, body = FrenchErrors.post_me(self, "/me/" + "0" * 64 + "/cancel", {"csrf": "x"})
        self.assertEqual(s, 404)
        self.assertIn("text/html", self.srv.request("POST", "/me/" + "0" * 64 + "/cancel",
                                                    b"csrf=x", {
                                                        "Content-Type":
                                                        "application/x-www-form-urlencoded"})[1]
                      .get("content-type", ""))


if __name__ == "__main__":
    unittest.main()
