#!/usr/bin/python3
"""Ranked workshop choices through `planner serve` (issue 14): the JSON API's
"ranks" (sign-up and /me/TOKEN/update, one transaction with the
registration), the form's 1st/2nd/3rd choice selects, and /me showing the
ranking and, once allocated, the workshop given.

Run with Debian's /usr/bin/python3; PLANNER_BIN and PLANNER_SOURCE_DIR come
from the environment (tests/CMakeLists.txt sets them).
"""
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_server import SAMPLE, Server, run_cli  # noqa: E402

SLUG = "atelier-cem-2"
TOKEN_RE = re.compile(r"/me/([0-9a-f]{32,128})")


def two_slot_event(folder, slug=SLUG, lang=None):
    with open(SAMPLE, encoding="utf-8") as f:
        ev = json.load(f)
    ev["slug"] = slug
    if lang:
        ev["language"] = lang
    for key, title in (("atelier-velo", "Vélo et marche"), ("atelier-train", "Le train")):
        ev["sessions"].append({"id": key, "title": title, "kind": "workshop",
                               "start": "14:15", "end": "15:15", "capacity": 10})
    ev["sessions"] = [s for s in ev["sessions"] if s["id"] != "forum-ouvert"]
    path = os.path.join(folder, slug + ".json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(ev, f, ensure_ascii=False)
    return path


def person(i, **over):
    p = {"name": "Personne %03d" % i, "email": "p%03d@example.org" % i, "travel": "none"}
    p.update(over)
    return p


class RanksServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="planner-ranks-")
        cls.db = os.path.join(cls.tmp, "planner.db")
        r = run_cli(cls.db, "event", "import", two_slot_event(cls.tmp))
        assert r.returncode == 0, r.stderr
        cls.srv = Server(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def register(self, data):
        s, _, body = self.srv.request("POST", "/e/%s/register" % SLUG, data)
        return s, json.loads(body)

    def stored(self, email):
        con = sqlite3.connect(self.db)
        rows = con.execute(
            "SELECT s.key FROM registration_ranks k JOIN registrations r ON r.id = "
            "k.registration_id JOIN sessions s ON s.id = k.session_id WHERE r.email = ? "
            "ORDER BY s.start, k.rank", (email,)).fetchall()
        n = con.execute("SELECT count(*) FROM registrations WHERE email = ?",
                        (email,)).fetchone()[0]
        con.close()
        return n, [r[0] for r in rows]

    def test_json_sign_up_with_ranks(self):
        s, body = self.register(person(1, ranks={
            "12:00": ["atelier-flottes", "atelier-pdie"], "14:15": ["atelier-train"]}))
        self.assertEqual(s, 201, body)
        self.assertEqual(body["ranks"], {"12:00": ["atelier-flottes", "atelier-pdie"],
                                         "14:15": ["atelier-train"]})
        self.assertEqual(self.stored("p001@example.org"),
                         (1, ["atelier-flottes", "atelier-pdie", "atelier-train"]))
        token = TOKEN_RE.search(body["page"]).group(1)
        s, _, me = self.srv.get("/me/%s.json" % token)
        self.assertEqual(json.loads(me)["ranks"]["14:15"], ["atelier-train"])

    def test_bad_ranking_saves_nothing(self):
        for i, ranks, what in (
                (2, {"12:00": ["atelier-velo"]}, "start at 14:15, not 12:00"),
                (3, {"12:00": ["atelier-pdie", "atelier-nope"]}, "not a workshop"),
                (4, {"12:00": ["atelier-pdie", "atelier-pdie"]}, "ranked twice"),
                (5, {"12:00": "atelier-pdie"}, "must be an array"),
                (6, ["atelier-pdie"], "must be an object")):
            s, body = self.register(person(i, ranks=ranks))
            self.assertEqual(s, 400, body)
            self.assertEqual(body.get("field"), "ranks", body)
            self.assertIn(what, body["error"])
            # the registration went with its ranking
            self.assertEqual(self.stored("p%03d@example.org" % i), (0, []))

    def test_update_changes_only_what_it_names(self):
        s, body = self.register(person(10, ranks={"12:00": ["atelier-pdie", "atelier-flottes"],
                                                  "14:15": ["atelier-velo", "atelier-train"]}))
        self.assertEqual(s, 201, body)
        token = TOKEN_RE.search(body["page"]).group(1)
        path = "/me/%s/update" % token
        # no "ranks": rankings unchanged
        s, _, out = self.srv.request("POST", path, {"organization": "ADEME"})
        self.assertEqual(s, 200, out)
        self.assertEqual(len(json.loads(out)["ranks"]), 2)
        # one slot replaced, the other left
        s, _, out = self.srv.request("POST", path, {"ranks": {"14:15": ["atelier-train"]}})
        self.assertEqual(s, 200, out)
        self.assertEqual(json.loads(out)["ranks"], {"12:00": ["atelier-pdie", "atelier-flottes"],
                                                    "14:15": ["atelier-train"]})
        # [] clears a slot
        s, _, out = self.srv.request("POST", path, {"ranks": {"12:00": []}})
        self.assertEqual(s, 200, out)
        self.assertEqual(json.loads(out)["ranks"], {"14:15": ["atelier-train"]})
        # a bad one changes nothing, not even the other fields sent with it
        s, _, out = self.srv.request("POST", path, {"organization": "X",
                                                    "ranks": {"09:00": []}})
        self.assertEqual(s, 400, out)
        s, _, me = self.srv.get("/me/%s.json" % token)
        me = json.loads(me)
        self.assertEqual(me["organization"], "ADEME")
        self.assertEqual(me["ranks"], {"14:15": ["atelier-train"]})

    # ---- the form ---------------------------------------------------------------
    def post_form(self, fields):
        origin = "http://127.0.0.1:%d" % self.srv.port
        page = self.srv.get("/e/%s" % SLUG)[2].decode()
        fields = dict(fields, csrf=re.search(r'name="csrf" value="([^"]+)"', page).group(1))
        body = urllib.parse.urlencode(fields).encode()
        return self.srv.request("POST", "/e/%s/register" % SLUG, body, {
            "Content-Type": "application/x-www-form-urlencoded", "Origin": origin})

    def test_form_has_labelled_choice_selects_per_slot(self):
        page = self.srv.get("/e/%s" % SLUG)[2].decode()
        selects = re.findall(r'<label for="(rank-\d+-\d)">([^<]+)</label><select id="([^"]+)" '
                             r'name="([^"]+)">', page)
        # 12:00 has three workshops, 14:15 two: 3 + 2 selects
        self.assertEqual(len(selects), 5, page)
        for label_for, _, sid, name in selects:
            self.assertEqual(label_for, sid)  # each select has its label
            self.assertEqual(sid, name)
        self.assertEqual([x[1] for x in selects],
                         ["1er choix", "2e choix", "3e choix", "1er choix", "2e choix"])
        self.assertIn("par ordre de préférence", page)
        # the plain choice is still there
        self.assertIn('type="radio"', page)

    def test_form_sign_up_with_ranks_then_me_shows_them_and_the_allocation(self):
        page = self.srv.get("/e/%s" % SLUG)[2].decode()
        names = re.findall(r'name="(rank-\d+-\d)"', page)
        noon, late = names[:3], names[3:]
        s, h, body = self.post_form({
            "name": "Form Ranker", "email": "ranker@example.org", "travel": "none",
            noon[0]: "atelier-covoiturage", noon[1]: "", noon[2]: "atelier-pdie",
            late[0]: "atelier-velo"})
        self.assertEqual(s, 303, body)
        self.assertEqual(self.stored("ranker@example.org"),
                         (1, ["atelier-covoiturage", "atelier-pdie", "atelier-velo"]))
        me = h["location"]
        page = self.srv.get(me)[2].decode()
        section = re.search(r'<div id="ranks">(.*?)</div>\n</div>', page, re.S)
        self.assertIsNotNone(section, page)
        self.assertIn("plateformes de covoiturage", section.group(1))
        self.assertIn("attribution à venir", section.group(1))
        # a duplicate choice is refused, nothing saved
        s, _, body = self.post_form({
            "name": "Twice", "email": "twice@example.org", "travel": "none",
            noon[0]: "atelier-pdie", noon[1]: "atelier-pdie"})
        self.assertEqual(s, 400, body)
        # in the event's language, the form shown again with what was typed
        self.assertIn("« atelier-pdie » est classé deux fois", body.decode())
        self.assertIn('value="twice@example.org"', body.decode())
        self.assertEqual(self.stored("twice@example.org"), (0, []))
        # once allocated, /me says which workshop
        r = run_cli(self.db, "sessions", "allocate", SLUG)
        self.assertEqual(r.returncode, 0, r.stderr)
        page = self.srv.get(me)[2].decode()
        self.assertRegex(page, r"atelier attribué : <strong>Atelier : plateformes de covoiturage")
        self.assertIn("<strong>Vélo et marche</strong>", page)

    # ---- /me/TOKEN: changing one's ranking with the same selects -----------
    def me_form(self, token):
        """The fields the browser would send from /me/TOKEN's change form, as
        shown (selects at their selected option)."""
        page = self.srv.get("/me/%s" % token)[2].decode()
        form = page.split('action="/me/%s/update"' % token)[1].split("</form>")[0]
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
        for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', form):
            chosen = re.search(r'<option value="([^"]*)" selected>', body)
            fields[name] = chosen.group(1) if chosen else ""
        fields["travel"] = fields["orig_travel"]
        fields["seats"] = fields["orig_seats"]
        for key in ("origin", "diet", "phone"):
            fields[key] = fields["orig_" + key]
        for key in ("meal", "public", "share_phone"):
            if fields["orig_" + key] == "1":
                fields[key] = "1"
        fields["session"] = re.findall(r'name="session" value="([^"]+)" checked', form)
        return page, form, fields

    def post_me(self, token, fields):
        origin = "http://127.0.0.1:%d" % self.srv.port
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        return self.srv.request("POST", "/me/%s/update" % token, body, {
            "Content-Type": "application/x-www-form-urlencoded", "Origin": origin})

    def test_me_form_changes_the_ranking_of_the_slots_edited_only(self):
        s, body = self.register(person(20, ranks={"12:00": ["atelier-pdie", "atelier-flottes"],
                                                  "14:15": ["atelier-velo"]}))
        self.assertEqual(s, 201, body)
        token = TOKEN_RE.search(body["page"]).group(1)
        page, form, fields = self.me_form(token)
        # the same labelled selects as the sign-up form, showing the ranking
        groups = sorted({k.split("-")[1] for k in fields if k.startswith("rank-")})
        self.assertEqual(len(groups), 2, form)
        noon, late = groups if fields["rank_slot-" + groups[0]] == "12:00" else groups[::-1]
        self.assertEqual((fields["rank_slot-" + noon], fields["rank_slot-" + late]),
                         ("12:00", "14:15"))
        self.assertEqual([fields["rank-%s-%d" % (noon, r)] for r in (1, 2, 3)],
                         ["atelier-pdie", "atelier-flottes", ""])
        self.assertIn('<label for="rank-%s-1">1er choix</label>' % noon, form)
        # meanwhile the 12:00 ranking changes elsewhere (the JSON API)
        s, _, out = self.srv.request("POST", "/me/%s/update" % token,
                                     {"ranks": {"12:00": ["atelier-covoiturage"]}})
        self.assertEqual(s, 200, out)
        # the form changes 14:15 only: 12:00 keeps what was stored meanwhile
        edit = dict(fields, **{"rank-%s-1" % late: "atelier-train",
                               "rank-%s-2" % late: "atelier-velo"})
        s, h, out = self.post_me(token, edit)
        self.assertEqual((s, h.get("location")), (303, "/me/" + token), out)
        self.assertEqual(self.stored("p020@example.org"),
                         (1, ["atelier-covoiturage", "atelier-train", "atelier-velo"]))
        # a duplicate is refused by the same rule as at sign-up; nothing changes
        page, form, fields = self.me_form(token)
        bad = dict(fields, **{"rank-%s-1" % late: "atelier-velo",
                              "rank-%s-2" % late: "atelier-velo", "organization": "X"})
        s, _, out = self.post_me(token, bad)
        self.assertEqual(s, 400, out)
        self.assertIn("est classé deux fois", out.decode())
        self.assertEqual(self.stored("p020@example.org"),
                         (1, ["atelier-covoiturage", "atelier-train", "atelier-velo"]))
        # emptying a slot's selects clears its ranking
        clear = dict(fields, **{"rank-%s-%d" % (noon, r): "" for r in (1, 2, 3)})
        self.assertEqual(self.post_me(token, clear)[0], 303)
        self.assertEqual(self.stored("p020@example.org"), (1, ["atelier-train", "atelier-velo"]))
        # without the form's token: refused
        self.assertEqual(self.post_me(token, dict(fields, csrf="0." + "0" * 32))[0], 403)

    def test_me_form_after_allocation_keeps_the_workshop_until_the_next(self):
        s, body = self.register(person(30, ranks={"14:15": ["atelier-velo", "atelier-train"]}))
        self.assertEqual(s, 201, body)
        token = TOKEN_RE.search(body["page"]).group(1)
        r = run_cli(self.db, "sessions", "allocate", SLUG)
        self.assertEqual(r.returncode, 0, r.stderr)
        page, form, fields = self.me_form(token)
        self.assertIn("il reste le vôtre jusqu’à la prochaine répartition", form)
        late = [k.split("-")[1] for k in fields
                if k.startswith("rank_slot-") and fields[k] == "14:15"][0]
        edit = dict(fields, **{"rank-%s-1" % late: "atelier-train",
                               "rank-%s-2" % late: "atelier-velo"})
        self.assertEqual(self.post_me(token, edit)[0], 303)
        me = json.loads(self.srv.get("/me/%s.json" % token)[2])
        self.assertEqual(me["ranks"]["14:15"], ["atelier-train", "atelier-velo"])
        self.assertIn("atelier-velo", me["sessions"])  # given, kept
        self.assertNotIn("atelier-train", me["sessions"])
        page = self.srv.get("/me/%s" % token)[2].decode()
        self.assertIn("atelier attribué : <strong>Vélo et marche</strong>", page)
        # the next allocation follows the new ranking
        r = run_cli(self.db, "sessions", "allocate", SLUG)
        self.assertEqual(r.returncode, 0, r.stderr)
        me = json.loads(self.srv.get("/me/%s.json" % token)[2])
        self.assertIn("atelier-train", me["sessions"])


class RanksEnglish(unittest.TestCase):
    """An English event: the words of the catalogue in English, and someone
    left unplaced told so."""

    def test_english_words_and_not_placed(self):
        tmp = tempfile.mkdtemp(prefix="planner-ranks-en-")
        try:
            db = os.path.join(tmp, "planner.db")
            path = two_slot_event(tmp, "meetup", lang="en")
            with open(path, encoding="utf-8") as f:
                ev = json.load(f)
            for ses in ev["sessions"]:
                if ses["id"] == "atelier-velo":
                    ses["capacity"] = 1
            with open(path, "w", encoding="utf-8") as f:
                json.dump(ev, f)
            self.assertEqual(run_cli(db, "event", "import", path).returncode, 0)
            srv = Server(tmp)
            try:
                page = srv.get("/e/meetup")[2].decode()
                self.assertIn(">1st choice</label>", page)
                self.assertIn(">2nd choice</label>", page)
                self.assertIn(">3rd choice</label>", page)
                pages = []
                for i in (1, 2):
                    s, _, body = srv.request("POST", "/e/meetup/register", person(
                        i, ranks={"14:15": ["atelier-velo"]}))
                    self.assertEqual(s, 201, body)
                    pages.append(json.loads(body)["page"].split("127.0.0.1:%d" % srv.port)[1])
                self.assertEqual(run_cli(db, "sessions", "allocate", "meetup").returncode, 0)
                first = srv.get(pages[0])[2].decode()
                second = srv.get(pages[1])[2].decode()
                self.assertIn("workshop given: <strong>Vélo et marche</strong>", first)
                self.assertIn("not placed: every workshop ranked is full", second)
            finally:
                srv.stop()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class RanksAdmin(unittest.TestCase):
    """The back office's "Répartir les ateliers": a form with its csrf field
    and a keep-assigned box on the event page, and the result shown."""

    def test_allocate_button(self):
        from test_admin import Browser, csrf_of  # noqa: E402
        tmp = tempfile.mkdtemp(prefix="planner-ranks-admin-")
        try:
            db = os.path.join(tmp, "planner.db")
            self.assertEqual(run_cli(db, "event", "import", two_slot_event(tmp)).returncode, 0)
            srv = Server(tmp)
            try:
                for i in range(3):
                    s, _, body = srv.request("POST", "/e/%s/register" % SLUG, person(
                        i, ranks={"12:00": ["atelier-flottes", "atelier-pdie"]}))
                    self.assertEqual(s, 201, body)
                b = Browser(srv)
                self.assertEqual(b.login()[0], 303)
                page = b.get("/admin/e/%s" % SLUG)[2]
                self.assertIn("Répartir les ateliers", page)
                form = re.search(r'<form method="post" action="/admin/e/%s/allocate".*?</form>'
                                 % SLUG, page, re.S).group(0)
                self.assertIn('name="csrf"', form)
                self.assertIn('<label class="check" for="f-keep_assigned">', form)
                # without the form token: refused, nothing allocated
                s, _, _ = b.request("POST", "/admin/e/%s/allocate" % SLUG, {"keep_assigned": "1"})
                self.assertEqual(s, 403)
                s, _, out = b.request("POST", "/admin/e/%s/allocate" % SLUG,
                                      {"csrf": csrf_of(page), "keep_assigned": "1"})
                self.assertEqual(s, 200, out)
                self.assertIn("<strong>3</strong> personnes placées", out)
                # the same core: each person is told, in the allocation's transaction
                self.assertIn('<p id="told"><strong>3</strong> personnes prévenues', out)
                r = run_cli(db, "mail", "list", "--format", "json")
                told = sorted(m["to"] for m in json.loads(r.stdout)["messages"]
                              if m["kind"] == "change")
                self.assertEqual(told, ["p00%d@example.org" % i for i in range(3)])
                self.assertRegex(out, r'<th scope="row">1</th><td>3</td>')
                self.assertIn("p000@example.org", out)
                # eleven people want the one workshop of ten places: one is not
                # placed, and the page says why in French
                for i in range(10, 21):
                    s, _, body = srv.request("POST", "/e/%s/register" % SLUG, person(
                        i, ranks={"14:15": ["atelier-velo"]}))
                    self.assertEqual(s, 201, body)
                s, _, out = b.request("POST", "/admin/e/%s/allocate" % SLUG,
                                      {"csrf": csrf_of(page), "keep_assigned": "1"})
                self.assertEqual(s, 200, out)
                self.assertRegex(out, r'(?s)<table id="unplaced">.*<td>tous les ateliers classés '
                                      r'sont complets</td>')
                self.assertNotIn("every workshop ranked is full", out)
                # as the CLI would: the chosen session is the one allocated
                r = run_cli(db, "registrations", "list", SLUG, "--format", "json")
                got = {p["email"]: p["sessions"] for p in json.loads(r.stdout)}
                self.assertEqual(got["p001@example.org"], ["atelier-flottes"])
            finally:
                srv.stop()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
