#!/usr/bin/python3
"""End-to-end tests of what the server refuses and the request shapes it
accepts at the edges (issue 11: the error paths no other test ran): method
and path shapes, bodies and their types, conditional GET variants, form
tokens, origins, admin tokens, and the JSON and form inputs of the public
registration routes, each wrong in one way. One server for the whole file.

Run with Debian's /usr/bin/python3; PLANNER_BIN and PLANNER_SOURCE_DIR come
from the environment (tests/CMakeLists.txt sets them).
"""
import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from test_server import (ADMIN, BIN, TOKEN_RE, Server, free_port, make_events,  # noqa: E402
                         person, run_cli)

SLUG = "atelier-cem-2"


class EdgesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="planner-edges-")
        cls.db = os.path.join(cls.tmp, "planner.db")
        r = run_cli(cls.db, "event", "import", *make_events(cls.tmp))
        assert r.returncode == 0, r.stderr
        cls.srv = Server(cls.tmp)
        cls.origin = "http://127.0.0.1:%d" % cls.srv.port

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- helpers ----------------------------------------------------------
    def register(self, data, slug=SLUG, **headers):
        return self.srv.request("POST", "/e/%s/register" % slug, data, headers=headers)

    def raw(self, data, ctype, path="/e/%s/register" % SLUG, **headers):
        return self.srv.request("POST", path, data, {"Content-Type": ctype, **headers})

    def error_of(self, reply):
        status, h, body = reply
        self.assertEqual(h["content-type"], "application/json", body)
        return status, json.loads(body)

    def form_token(self, path):
        page = self.srv.get(path)[2].decode()
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def post_form(self, path, fields, **headers):
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        return self.srv.request("POST", path, body, {
            "Content-Type": "application/x-www-form-urlencoded", **headers})

    def new_person(self, i, **over):
        s, _, body = self.register(person(i, **over))
        self.assertEqual(s, 201, body)
        reg = json.loads(body)
        return TOKEN_RE.search(reg["page"]).group(1)

    def admin(self, path, **headers):
        return self.srv.get(path, Authorization="Bearer " + ADMIN, **headers)

    # ---- routes: paths and methods --------------------------------------------
    def test_path_arguments_out_of_shape_are_not_found(self):
        for path in ("/e/" + "a" * 101, "/e/" + "a" * 300, "/e/Atelier", "/e/a.b",
                     "/me/" + "0" * 31, "/me/" + "0" * 129, "/me/" + "A" * 48,
                     "/me/" + "g" * 48, "/e/%s/" % SLUG, "/e/%s/registrants" % SLUG):
            self.assertEqual(self.srv.get(path)[0], 404, path)
        # an export name may not start with a dot, nor be longer than 100
        for name in (".hidden", "x" * 101, "Registrations.JSON"):
            s, _, body = self.admin("/admin/e/%s/%s" % (SLUG, name))
            self.assertEqual(s, 404, (name, body))
        self.assertEqual(self.admin("/admin/e/%s/registrations.json" % SLUG)[0], 200)

    def test_methods_and_allow(self):
        cases = [("POST", "/", "GET, HEAD"), ("DELETE", "/e/%s.json" % SLUG, "GET, HEAD"),
                 ("PUT", "/e/%s/register" % SLUG, "POST"),
                 ("PATCH", "/me/%s/erase" % ("0" * 48), "GET, HEAD, POST"),
                 ("GET", "/me/%s/cancel" % ("0" * 48), "POST")]
        for method, path, allow in cases:
            s, h, body = self.srv.request(method, path, {})
            self.assertEqual((s, h.get("allow")), (405, allow), (method, path))
            self.assertIn(allow, json.loads(body)["error"])
        s, h, body = self.srv.request("HEAD", "/e/%s.json" % SLUG)
        self.assertEqual((s, body), (200, b""))
        self.assertEqual(h["content-type"], "application/json")
        self.assertTrue(h["etag"].startswith('"'))

    def test_admin_paths_say_nothing_before_the_token(self):
        s, h, _ = self.srv.get("/admin/no-such-page")
        self.assertEqual(s, 401)
        self.assertIn("Bearer", h["www-authenticate"])
        s, _, body = self.admin("/admin/no-such-page")
        self.assertEqual(s, 404)
        self.assertEqual(json.loads(body)["error"], "no such admin page")
        # the scheme is case-insensitive and spaces before the token are skipped
        for auth in ("bearer " + ADMIN, "Bearer    " + ADMIN):
            self.assertEqual(self.srv.get("/admin/e/" + SLUG, Authorization=auth)[0], 200, auth)
        for auth in ("Bearer", "Bearer ", "Token " + ADMIN, ADMIN):
            self.assertEqual(self.srv.get("/admin/e/" + SLUG, Authorization=auth)[0], 401, auth)

    # ---- bodies ----------------------------------------------------------------
    def test_content_types(self):
        body = json.dumps(person(1, email="ct1@example.org")).encode()
        s, _, out = self.raw(body, "application/json; charset=utf-8")
        self.assertEqual(s, 201, out)
        body = json.dumps(person(2, email="ct2@example.org")).encode()
        s, _, out = self.raw(body, "Application/JSON")
        self.assertEqual(s, 201, out)
        for ctype in ("application/jsonx", "application/json5", "text/json", "",
                      "multipart/mixed", "application/x-www-form-urlencodedx"):
            s, err = self.error_of(self.raw(body, ctype))
            self.assertEqual(s, 415, ctype)
            self.assertIn("application/json", err["error"])
        s, err = self.error_of(self.raw(b"", "application/json"))
        self.assertEqual(s, 400)
        self.assertIn("malformed JSON", err["error"])

    def test_multipart_form(self):
        token = self.form_token("/e/" + SLUG)
        fields = {"name": "Multi Part", "email": "multipart@example.org", "origin": "Lyon",
                  "travel": "none", "csrf": token}
        boundary = "----planner-edge"
        parts = "".join('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                        % (boundary, k, v) for k, v in fields.items())
        body = (parts + "--%s--\r\n" % boundary).encode()
        s, h, out = self.raw(body, "multipart/form-data; boundary=" + boundary, Origin=self.origin)
        self.assertEqual(s, 303, out)
        self.assertTrue(TOKEN_RE.match(h["location"]))
        # a part without a name: a malformed form, nothing saved
        bad = ('--%s\r\nContent-Disposition: form-data\r\n\r\nx\r\n--%s--\r\n'
               % (boundary, boundary)).encode()
        s, err = self.error_of(self.raw(bad, "multipart/form-data; boundary=" + boundary,
                                        Origin=self.origin))
        self.assertEqual(s, 400)
        self.assertEqual(err["error"], "malformed request body")

    def test_too_many_form_fields(self):
        fields = [("f%d" % i, "x") for i in range(60)]
        s, err = self.error_of(self.post_form("/e/%s/register" % SLUG, fields))
        self.assertEqual(s, 413)
        self.assertIn("larger than", err["error"])

    def test_a_long_form_value_arrives_whole(self):
        """A value longer than the post processor's buffer comes in pieces:
        joined, it is one value (too long here: refused at its field)."""
        token = self.form_token("/e/" + SLUG)
        fields = {"name": "Long Value", "email": "longvalue@example.org", "origin": "Lyon",
                  "travel": "none", "organization": "o" * 5000, "csrf": token}
        s, _, page = self.post_form("/e/%s/register" % SLUG, fields, Origin=self.origin)
        self.assertEqual(s, 400, page[:300])
        self.assertIn("organization", page.decode())
        self.assertNotIn("longvalue@example.org", self.admin(
            "/admin/e/%s/registrations.json" % SLUG)[2].decode())

    # ---- conditional GET -------------------------------------------------------
    def test_if_none_match_forms(self):
        path = "/e/%s.json" % SLUG
        s, h, _ = self.srv.get(path)
        etag, lm = h["etag"], h["last-modified"]
        for inm in ("W/" + etag, '"other", ' + etag, '"other",\t' + etag, "*",
                    etag + ' , "other"'):
            self.assertEqual(self.srv.get(path, **{"If-None-Match": inm})[0], 304, inm)
        for inm in ('"other"', etag[:-2] + '"', etag + "x", "", ","):
            self.assertEqual(self.srv.get(path, **{"If-None-Match": inm})[0], 200, inm)
        # If-None-Match wins over a matching If-Modified-Since
        s, _, _ = self.srv.get(path, **{"If-None-Match": '"other"', "If-Modified-Since": lm})
        self.assertEqual(s, 200)

    def test_if_modified_since_forms(self):
        path = "/e/%s.json" % SLUG
        s, h, _ = self.srv.get(path)
        lm = h["last-modified"]
        self.assertEqual(self.srv.get(path, **{"If-Modified-Since": lm})[0], 304)
        later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 86400))
        self.assertEqual(self.srv.get(path, **{"If-Modified-Since": later})[0], 304)
        for ims in ("Thu, 01 Jan 1970 00:00:00 GMT", "yesterday", lm + " extra", "",
                    lm.replace(" GMT", "")):
            self.assertEqual(self.srv.get(path, **{"If-Modified-Since": ims})[0], 200, ims)

    # ---- form tokens and origins ----------------------------------------------
    def test_form_tokens_out_of_shape(self):
        fields = {"name": "Token Shape", "email": "tokenshape@example.org", "origin": "Lyon",
                  "travel": "none"}
        hour = int(time.time() // 3600)
        good = self.form_token("/e/" + SLUG)
        mac = good.split(".")[1]
        for bad in ("", "nodot", "%d" % hour, "%d.%s" % (hour + 2, mac),
                    "%d.%s" % (hour - 25, mac), "%d.%s" % (hour, mac[:-1]),
                    "%d.%sff" % (hour, mac), "x.%s" % mac):
            s, _, _ = self.post_form("/e/%s/register" % SLUG, dict(fields, csrf=bad),
                                     Origin=self.origin)
            self.assertEqual(s, 403, bad)
        self.assertNotIn("tokenshape@", self.admin(
            "/admin/e/%s/registrations.json" % SLUG)[2].decode())

    def test_origins_accepted_and_refused(self):
        port = self.srv.port
        accepted = [{"Origin": "https://127.0.0.1:%d" % port},
                    {"Origin": "HTTP://127.0.0.1:%d" % port},
                    {"Referer": "http://127.0.0.1:%d" % port},
                    {"Referer": "http://127.0.0.1:%d/e/%s?x=1" % (port, SLUG)},
                    {"Origin": "http://localhost:%d" % port, "Host": "localhost:%d" % port}]
        refused = [{"Origin": "http://127.0.0.1:%d0" % port},
                   {"Origin": "http://127.0.0.1"},
                   {"Origin": "null"},
                   {"Referer": "127.0.0.1:%d/e/x" % port},
                   {"Referer": "https://127.0.0.1.evil.example/"},
                   {"Origin": "http://localhost:%d" % port}]
        for i, headers in enumerate(accepted + refused):
            fields = {"name": "Origin Case", "email": "origin%d@example.org" % i,
                      "origin": "Lyon", "travel": "none",
                      "csrf": self.form_token("/e/" + SLUG)}
            s, _, body = self.post_form("/e/%s/register" % SLUG, fields, **headers)
            self.assertEqual(s, 303 if i < len(accepted) else 403, (headers, body[:200]))

    # ---- the JSON of a registration, wrong in one way each ---------------------
    def test_register_json_types(self):
        cases = [
            ([person(10)], "the body must be a JSON object", None),
            (b'"just a string"', "malformed JSON", None),
            (person(11, name=5), "name must be a string", "name"),
            (person(12, origin=["Lyon"]), "origin must be a string", "origin"),
            (person(13, travel=True), "travel must be a string", "travel"),
            (person(14, travel="drive", seats="3"), "whole number", "seats"),
            (person(15, travel="drive", seats=2.5), "whole number", "seats"),
            (person(16, travel="drive", seats=5000), "whole number", "seats"),
            (person(17, travel="drive", seats=-5000), "whole number", "seats"),
            ({k: v for k, v in person(18, seats=2).items() if k != "travel"},
             "seats goes with travel", "seats"),
            (person(19, meal="yes"), "meal must be true or false", "meal"),
            (person(20, meal=1), "meal must be true or false", "meal"),
            (person(21, public="no"), "public must be true or false", "public"),
            (person(22, share_phone="true"), "share_phone must be true or false",
             "share_phone"),
            (person(23, share_phone=0), "share_phone must be true or false", "share_phone"),
            (person(24, sessions="atelier-pdie"), "array of session ids", "sessions"),
            (person(25, sessions=[3]), "array of session ids", "sessions"),
            (person(26, sessions=["s%d" % i for i in range(40)]), "too many sessions",
             "sessions"),
            (person(27, ranks=["x"]), None, "ranks"),
        ]
        for data, msg, field in cases:
            if isinstance(data, bytes):
                s, err = self.error_of(self.raw(data, "application/json"))
            else:
                s, err = self.error_of(self.register(data))
            self.assertEqual(s, 400, (data, err))
            if msg:
                self.assertIn(msg, err["error"], data)
            if field:
                self.assertEqual(err.get("field"), field, err)
        rows = self.admin("/admin/e/%s/registrations.json" % SLUG)[2].decode()
        for i in range(10, 28):
            self.assertNotIn("p%03d@" % i, rows)

    def test_register_json_nulls_and_repeats_are_fine(self):
        data = person(30, meal=None, public=None, share_phone=None, sessions=None,
                      travel="drive", seats=None, phone=None)
        s, err = self.error_of(self.register(data))
        self.assertEqual(s, 400)  # a driver needs seats: null is no seats
        self.assertEqual(err["field"], "seats")
        data = person(31, meal=None, public=True, share_phone=True, phone="06 00 00 00 31",
                      sessions=["atelier-pdie", "atelier-pdie", ""], travel="flexible", seats=2)
        s, _, body = self.register(data)
        self.assertEqual(s, 201, body)
        me = json.loads(body)
        self.assertEqual((me["sessions"], me["meal"], me["public"], me["share_phone"],
                          me["travel"], me["seats"]),
                         (["atelier-pdie"], False, True, True, "flexible", 2))

    def test_register_form_values(self):
        """Checkboxes: 1, on, yes and true are ticked, anything else is not;
        a bad travel or seats is refused at its field."""
        got = []
        for i, tick in enumerate(("1", "on", "yes", "true", "no", "0", "")):
            fields = {"name": "Tick %d" % i, "email": "tick%d@example.org" % i,
                      "origin": "Lyon", "travel": "none", "meal": tick, "public": tick,
                      "share_phone": tick, "phone": "06 00 00 00 0%d" % i,
                      "csrf": self.form_token("/e/" + SLUG)}
            s, h, body = self.post_form("/e/%s/register" % SLUG, fields, Origin=self.origin)
            self.assertEqual(s, 303, body[:300])
            token = TOKEN_RE.match(h["location"]).group(1)
            me = json.loads(self.srv.get("/me/%s.json" % token)[2])
            got.append((me["meal"], me["public"], me["share_phone"]))
        self.assertEqual(got, [(True,) * 3] * 4 + [(False,) * 3] * 3)
        base = {"name": "Bad Form", "email": "badform@example.org", "origin": "Lyon"}
        # the event is French: the form comes back in French
        for extra, word in (({"travel": "teleport"}, "choisissez un mode de trajet"),
                            ({"travel": "drive"}, "places offertes"),
                            ({"travel": "flexible", "seats": "12"}, "places offertes"),
                            ({"travel": "none", "session": ["s%d" % i for i in range(40)]},
                             "trop d&#39;ateliers choisis")):
            fields = dict(base, csrf=self.form_token("/e/" + SLUG), **extra)
            s, _, page = self.post_form("/e/%s/register" % SLUG, fields, Origin=self.origin)
            self.assertEqual(s, 400, (extra, page[:300]))
            self.assertIn(word, page.decode())
        self.assertNotIn("badform@", self.admin(
            "/admin/e/%s/registrations.json" % SLUG)[2].decode())

    # ---- a person's own routes -------------------------------------------------
    def test_update_json_refusals(self):
        token = self.new_person(40)
        path = "/me/%s/update" % token
        before = self.srv.get("/me/%s.json" % token)[2]
        for data, status, word in (({"email": "other@example.org"}, 400, "cannot be changed"),
                                   ({"meal": "yes"}, 400, "meal"),
                                   ({"nope": 1}, 400, "unknown key"),
                                   ([1], 400, "JSON object")):
            s, err = self.error_of(self.srv.request("POST", path, data))
            self.assertEqual(s, status, data)
            self.assertIn(word, err["error"])
        s, err = self.error_of(self.raw(b'{"meal": true, "meal": false}', "application/json",
                                        path=path))
        self.assertEqual(s, 400)
        self.assertIn("malformed JSON", err["error"])
        self.assertEqual(self.srv.get("/me/%s.json" % token)[2], before)
        # the same e-mail in other letter case is no change of e-mail
        s, _, body = self.srv.request("POST", path, {"email": "P040@EXAMPLE.ORG", "meal": True})
        self.assertEqual(s, 200, body)
        self.assertTrue(json.loads(body)["meal"])

    def test_update_form_fields_edited(self):
        token = self.new_person(41, travel="ride", phone="06 00 00 00 41",
                                sessions=["atelier-pdie"])
        path = "/me/%s/update" % token
        page = self.srv.get("/me/" + token)[2].decode()
        form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                               page.split('action="%s"' % path)[1].split("</form>")[0]))
        fields = dict(form, origin="Lyon", phone="", diet="", travel="drive", seats="4",
                      share_phone="on", session=["atelier-pdie", "atelier-covoiturage"])
        s, h, body = self.post_form(path, fields, Origin=self.origin)
        self.assertEqual(s, 303, body[:300])
        me = json.loads(self.srv.get("/me/%s.json" % token)[2])
        self.assertEqual((me["phone"], me["travel"], me["seats"], me["share_phone"]),
                         (None, "drive", 4, True))
        self.assertEqual(sorted(me["sessions"]), ["atelier-covoiturage", "atelier-pdie"])
        # a bad travel or seats is refused, nothing changes
        for bad in ({"travel": "teleport"}, {"travel": "drive", "seats": "0"}):
            page = self.srv.get("/me/" + token)[2].decode()
            form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                                   page.split('action="%s"' % path)[1].split("</form>")[0]))
            s, _, body = self.post_form(path, dict(form, **bad), Origin=self.origin)
            self.assertEqual(s, 400, (bad, body[:300]))
        self.assertEqual(json.loads(self.srv.get("/me/%s.json" % token)[2])["seats"], 4)

    def test_cancel_twice_and_erase_by_json(self):
        token = self.new_person(42)
        for _ in range(2):  # cancelling a cancelled registration is no error
            s, _, body = self.srv.request("POST", "/me/%s/cancel" % token, {})
            self.assertEqual(s, 200, body)
            self.assertEqual(json.loads(body)["status"], "cancelled")
        s, err = self.error_of(self.srv.request("POST", "/me/%s/erase" % token, {}))
        self.assertEqual((s, err["field"]), (400, "confirm"))
        s, err = self.error_of(self.srv.request("POST", "/me/%s/erase" % token,
                                                {"confirm": "yes"}))
        self.assertEqual(s, 400)
        self.assertEqual(self.srv.get("/me/%s.json" % token)[0], 200)
        s, _, body = self.srv.request("POST", "/me/%s/erase" % token, {"confirm": True})
        self.assertEqual((s, json.loads(body)), (200, {"erased": True}))
        self.assertEqual(self.srv.get("/me/%s.json" % token)[0], 404)
        for what in ("cancel", "erase", "update"):
            s, err = self.error_of(self.srv.request("POST", "/me/%s/%s" % (token, what),
                                                    {"confirm": True}))
            self.assertEqual((s, err["error"]), (404, "no such registration"), what)

    def test_me_forms_from_another_site_refused(self):
        """A good form token is not enough: the /me forms posted from another
        origin change nothing."""
        token = self.new_person(44, travel="ride", diet="halal", meal=True)
        before = self.srv.get("/me/%s.json" % token)[2]
        page = self.srv.get("/me/" + token)[2].decode()
        for action in ("update", "cancel", "erase"):
            path = "/me/%s/%s" % (token, action)
            source = page if action != "erase" else self.srv.get(path)[2].decode()
            form = source.split('action="%s"' % path)[1].split("</form>")[0]
            fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                                     form))
            fields.update(diet="", meal="0", confirm="yes")
            s, _, _ = self.post_form(path, fields, Origin="https://evil.example")
            self.assertEqual(s, 403, action)
            s, _, _ = self.post_form(path, fields, Referer="https://evil.example/me")
            self.assertEqual(s, 403, action)
        self.assertEqual(self.srv.get("/me/%s.json" % token)[2], before)
        # from our own page: the diet changes; then the meal unticked, which
        # drops the diet with it (a diet goes with a meal)
        form = page.split('action="/me/%s/update"' % token)[1].split("</form>")[0]
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
        fields.update(origin="Lyon", travel="ride", diet="végétarien")
        s, _, _ = self.post_form("/me/%s/update" % token, dict(fields, meal="1"),
                                 Origin=self.origin)
        self.assertEqual(s, 303)
        me = json.loads(self.srv.get("/me/%s.json" % token)[2])
        self.assertEqual((me["diet"], me["meal"]), ("végétarien", True))
        fields["orig_diet"] = "végétarien"
        s, _, _ = self.post_form("/me/%s/update" % token, fields, Origin=self.origin)
        self.assertEqual(s, 303)
        me = json.loads(self.srv.get("/me/%s.json" % token)[2])
        self.assertEqual((me["diet"], me["meal"]), (None, False))

    def test_slugs_with_underscores_and_dashes(self):
        for path in ("/e/a_b", "/e/a-b_c.json", "/e/_.ics", "/e/-"):
            s, _, body = self.srv.get(path)
            self.assertEqual(s, 404, path)
            self.assertIn(b"<html" if not path.endswith((".json", ".ics")) else b"error", body)

    def test_access_log_escapes_and_hides(self):
        token = self.new_person(43)
        self.srv.get("/e/a%0aforged%20line")
        self.srv.get("/me/%s.json" % token)
        self.srv.get("/me/%s" % token)
        # a request is logged once its reply has gone, by whichever thread
        # served it: wait for both lines, in any order
        deadline = time.time() + 10
        log = self.srv.read_log()
        while not ("GET /me/<token> " in log and "/me/<token>.json" in log) \
                and time.time() < deadline:
            time.sleep(0.05)
            log = self.srv.read_log()
        self.assertNotIn(token, log)
        self.assertIn("/me/<token>.json", log)
        self.assertIn("GET /e/a\\x0aforged\\x20line 404", log)
        self.assertNotIn("\nforged", log)


class ShapesTest(unittest.TestCase):
    """Events of other shapes than the sample workshop: online, cancelled,
    draft, full; and the rankings of workshops sent in every wrong way."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="planner-shapes-")
        cls.db = os.path.join(cls.tmp, "planner.db")
        src = os.path.join(os.path.dirname(__file__), "..", "..", "sample-events")
        with open(os.path.join(src, "atelier-cem-2.json"), encoding="utf-8") as f:
            base = json.load(f)
        shapes = {"annule": {"status": "cancelled"}, "brouillon": {"status": "draft"},
                  "complet": {"capacity": 1}}
        one = [dict(s, capacity=1, speakers=[]) for s in base["sessions"]
               if s["id"] == "atelier-pdie"]
        shapes["un-atelier"] = {"sessions": one, "speakers": []}
        paths = [os.path.join(src, "webinaire-covoiturage-2027.json")]
        for slug, over in shapes.items():
            ev = dict(base, slug=slug, **over)
            ev = {k: v for k, v in ev.items() if v is not None}
            paths.append(os.path.join(cls.tmp, slug + ".json"))
            with open(paths[-1], "w", encoding="utf-8") as f:
                json.dump(ev, f, ensure_ascii=False)
        r = run_cli(cls.db, "event", "import", "--accept-conflicts", *paths)
        assert r.returncode == 0, r.stderr
        cls.srv = Server(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def register(self, slug, data):
        s, _, body = self.srv.request("POST", "/e/%s/register" % slug, data)
        return s, json.loads(body)

    def test_online_event_pages(self):
        slug = "webinaire-covoiturage-2027"
        s, _, page = self.srv.get("/e/" + slug)
        page = page.decode()
        self.assertEqual(s, 200)
        self.assertIn("En ligne", page)
        self.assertNotIn('name="travel"', page)  # nobody travels to an online event
        self.assertNotIn("openstreetmap", page)
        s, body = self.register(slug, person(1))
        self.assertEqual(s, 201, body)
        token = TOKEN_RE.search(body["page"]).group(1)
        s, _, me = self.srv.get("/me/" + token)
        self.assertEqual(s, 200)
        self.assertNotIn("covoiturage</h2>", me.decode().lower())
        index = self.srv.get("/")[2].decode()
        self.assertIn('href="/e/%s"' % slug, index)
        self.assertIn("visio.example.org", index)  # the Google link's location

    def test_cancelled_draft_and_full_events(self):
        s, _, page = self.srv.get("/e/annule")
        self.assertEqual(s, 200)
        self.assertIn("annulé", page.decode().lower())
        self.assertNotIn('action="/e/annule/register"', page.decode())
        s, body = self.register("annule", person(2))
        self.assertEqual(s, 409, body)
        self.assertIn("cancelled", body["error"])
        index = self.srv.get("/")[2].decode()
        self.assertNotIn('href="/e/annule"', index)
        self.assertNotIn('href="/e/brouillon"', index)
        for path in ("/e/brouillon", "/e/brouillon.json", "/e/brouillon.ics"):
            self.assertEqual(self.srv.get(path)[0], 404, path)
        self.assertEqual(self.register("brouillon", person(3))[0], 404)
        # one place: the second person waits, and the page says it is full
        self.assertEqual(self.register("complet", person(4))[1]["status"], "confirmed")
        self.assertEqual(self.register("complet", person(5))[1]["status"], "waitlisted")
        page = self.srv.get("/e/complet")[2].decode()
        self.assertIn("liste d&#39;attente", page)

    def test_a_lone_workshop_is_a_checkbox_then_full(self):
        page = self.srv.get("/e/un-atelier")[2].decode()
        self.assertIn('<input type="checkbox" name="session" value="atelier-pdie">', page)
        self.assertNotIn('type="radio" name="slot-', page)
        s, body = self.register("un-atelier", person(40, sessions=["atelier-pdie"]))
        self.assertEqual((s, body["sessions"]), (201, ["atelier-pdie"]))
        page = self.srv.get("/e/un-atelier")[2].decode()
        self.assertIn('<input type="checkbox" name="session" value="atelier-pdie" disabled>',
                      page)
        self.assertIn("(complet)", page)

    def test_ranks_in_every_wrong_shape(self):
        cases = [({"12:00": ["atelier-pdie"], **{"%02d:00" % h: [] for h in range(40)}},
                  "must be an object"),
                 ({"x" * 40: ["atelier-pdie"]}, "must be an array"),
                 ({"12:00": ["atelier-pdie"] * 40}, "must be an array"),
                 ({"12:00": [1]}, "must be an array of workshop ids"),
                 ({"12:00": None}, "must be an array"),
                 (5, "must be an object")]
        for i, (ranks, word) in enumerate(cases):
            s, body = self.register("complet", person(20 + i, ranks=ranks))
            self.assertEqual(s, 400, (ranks, body))
            self.assertEqual(body.get("field"), "ranks")
            self.assertIn(word, body["error"])
        s, body = self.register("complet", person(30, ranks=None))
        self.assertEqual(s, 201, body)
        self.assertEqual(body["ranks"], {})

    def test_ranks_form_fields(self):
        token = None
        page = self.srv.get("/e/complet")[2].decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        origin = "http://127.0.0.1:%d" % self.srv.port
        base = {"name": "Rang Form", "origin": "Lyon", "travel": "none", "csrf": csrf}
        for i, key in enumerate(("rank-x-1", "rank-1-0", "rank-1-99", "rank-1-1x",
                                 "rank-5000-1")):
            fields = dict(base, email="rank%d@example.org" % i, **{key: "atelier-pdie"})
            body = urllib.parse.urlencode(fields).encode()
            s, _, out = self.srv.request("POST", "/e/complet/register", body, {
                "Content-Type": "application/x-www-form-urlencoded", "Origin": origin})
            self.assertEqual(s, 400, (key, out[:200]))
            self.assertIn("champ de classement inconnu", out.decode())
        fields = dict(base, email="rank-ok@example.org", **{"rank-7-2": "", "rank-7-1": ""})
        body = urllib.parse.urlencode(fields).encode()
        s, h, out = self.srv.request("POST", "/e/complet/register", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Origin": origin})
        self.assertEqual(s, 303, out[:300])
        token = TOKEN_RE.match(h["location"]).group(1)
        self.assertEqual(json.loads(self.srv.get("/me/%s.json" % token)[2])["ranks"], {})

    def test_excel_csv_switch(self):
        path = "/admin/e/complet/registrants.csv"
        plain = self.srv.get(path, Authorization="Bearer " + ADMIN)
        self.assertEqual(plain[0], 200)
        for v in ("1", "yes", "true"):
            s, h, body = self.srv.get(path + "?excel=" + v, Authorization="Bearer " + ADMIN)
            self.assertEqual(s, 200, v)
            self.assertNotEqual(body, plain[2], v)  # BOM and ; for French Excel
        s, _, body = self.srv.get(path + "?excel=no", Authorization="Bearer " + ADMIN)
        self.assertEqual(body, plain[2])


class StartTest(unittest.TestCase):
    """How the server starts: refused with a damaged secret or a short admin
    token, on IPv6, behind a --base-url."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="planner-start-")
        self.db = os.path.join(self.tmp, "planner.db")
        r = run_cli(self.db, "event", "import", *make_events(self.tmp)[:1])
        self.assertEqual(r.returncode, 0, r.stderr)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def serve(self, *args, token=ADMIN):
        env = dict(os.environ)
        env.pop("PLANNER_ADMIN_TOKEN", None)
        if token:
            env["PLANNER_ADMIN_TOKEN"] = token
        return subprocess.run([BIN, "--db", self.db, "serve", "--port", "0", *args],
                              capture_output=True, text=True, env=env, timeout=20)

    def set_setting(self, key, value):
        with sqlite3.connect(self.db) as c:
            c.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))

    def test_short_admin_token_refused(self):
        r = self.serve(token="too-short")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("PLANNER_ADMIN_TOKEN is too short (at least 16 characters)", r.stderr)
        self.assertNotIn("serving", r.stderr)

    def test_damaged_secrets_refused(self):
        for key, value, token, word in (
                ("server.form_secret", "zz" * 32, ADMIN, "the stored form secret is damaged"),
                ("server.form_secret", "ab", ADMIN, "the stored form secret is damaged"),
                ("server.admin_token_sha256", "0g" * 32, None,
                 "the stored admin token hash is damaged")):
            srv = Server(self.tmp)  # creates the settings, then stops
            srv.stop()
            self.set_setting(key, value)
            r = self.serve(token=token)
            self.assertNotEqual(r.returncode, 0, (key, r.stderr))
            self.assertIn(word, r.stderr)
            with sqlite3.connect(self.db) as c:
                c.execute("DELETE FROM settings WHERE key = ?", (key,))

    def test_ipv6(self):
        port = free_port()
        env = dict(os.environ, PLANNER_ADMIN_TOKEN=ADMIN)
        log = open(os.path.join(self.tmp, "v6.log"), "wb")
        proc = subprocess.Popen([BIN, "--db", self.db, "serve", "--bind", "::1", "--port",
                                 str(port)], stdout=subprocess.DEVNULL, stderr=log, env=env)
        try:
            deadline = time.time() + 10
            while True:
                try:
                    socket.create_connection(("::1", port), timeout=0.2).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        self.skipTest("no IPv6 loopback here")
                    time.sleep(0.02)
            conn = http.client.HTTPConnection("::1", port, timeout=10)
            conn.request("GET", "/")
            r = conn.getresponse()
            page = r.read().decode()
            self.assertEqual(r.status, 200)
            self.assertIn("webcal://[::1]:%d/e/atelier-cem-2.ics" % port, page)
            conn.close()
            # the back office's login counts failures per address, IPv6 too
            conn = http.client.HTTPConnection("::1", port, timeout=10)
            conn.request("POST", "/admin/login", body=b"token=wrong&csrf=x",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 403)
            conn.close()
        finally:
            proc.terminate()
            proc.wait(timeout=15)
            log.close()

    def test_behind_a_base_url(self):
        srv = Server(self.tmp, extra=("--base-url", "https://agenda.example.org/planner//"))
        try:
            page = srv.get("/")[2].decode()
            self.assertIn('href="webcal://agenda.example.org/planner/e/atelier-cem-2.ics"', page)
            self.assertIn('href="https://agenda.example.org/planner/e/atelier-cem-2.ics"', page)
            form = srv.get("/e/atelier-cem-2")[2].decode()
            csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
            fields = {"name": "Base Url", "origin": "Lyon", "travel": "none", "csrf": csrf}
            for i, (origin, want) in enumerate((
                    ("http://127.0.0.1:%d" % srv.port, 403),  # the Host is not ours then
                    ("https://agenda.example.org", 303))):
                body = urllib.parse.urlencode(dict(fields, email="base%d@example.org" % i))
                s, _, _ = srv.request("POST", "/e/atelier-cem-2/register", body.encode(), {
                    "Content-Type": "application/x-www-form-urlencoded", "Origin": origin})
                self.assertEqual(s, want, origin)
        finally:
            srv.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
