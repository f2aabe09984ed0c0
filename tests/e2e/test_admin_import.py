#!/usr/bin/python3
"""`registrations import` and `registrations purge` in the back office
(issue 13: whatever the CLI can do, the back office can do in a browser;
issue 14: imports with a mapping, purge). Through the real server, as a
browser posts: a pasted CSV (urlencoded) and an uploaded file (multipart),
a check first, then the import; purge behind a confirmation step.

Run with Debian's /usr/bin/python3; PLANNER_BIN and PLANNER_SOURCE_DIR come
from the environment (tests/CMakeLists.txt sets them).
"""
import html
import json
import os
import re
import shutil
import sys
import tempfile
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from test_admin import Browser, csrf_of  # noqa: E402
from test_server import Server, run_cli  # noqa: E402

SRC = os.environ.get("PLANNER_SOURCE_DIR",
                     os.path.join(os.path.dirname(__file__), "..", ".."))
SLUG = "atelier-cem-2"
GOOD = ("nom;courriel;commune;mode;places;sessions\n"
        "Ana Silva;ana@example.org;Lyon;conducteur;3;atelier-pdie\n"
        "Bruno Roy;bruno@example.org;Dijon;passager;;\n")
BAD = ("nom;courriel;commune;mode\n"
       "Ana Silva;ana@example.org;Lyon;conducteur\n"
       "Bruno Roy;pas-une-adresse;Dijon;passager\n")


def multipart(fields, files):
    boundary = "----planner" + uuid.uuid4().hex
    out = []
    for k, v in fields.items():
        out.append("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                   % (boundary, k, v))
    for k, (name, data) in files.items():
        out.append("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                   "Content-Type: text/csv\r\n\r\n%s\r\n" % (boundary, k, name, data))
    out.append("--%s--\r\n" % boundary)
    return "".join(out).encode(), "multipart/form-data; boundary=" + boundary


class AdminImportTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="planner-admin-import-")
        self.srv = Server(self.dir)
        r = run_cli(self.srv.db, "event", "import",
                    os.path.join(SRC, "sample-events", SLUG + ".json"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.b = Browser(self.srv)
        self.assertEqual(self.b.login()[0], 303)

    def tearDown(self):
        self.srv.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def people(self, slug=SLUG):
        r = run_cli(self.srv.db, "registrations", "list", slug, "--format", "json")
        return {p["email"]: p for p in json.loads(r.stdout)}

    def outbox(self):
        r = run_cli(self.srv.db, "mail", "list", "--format", "json")
        return json.loads(r.stdout)["messages"]

    def test_check_then_import_a_pasted_csv(self):
        s, _, page = self.b.get("/admin/e/%s/registrations" % SLUG)
        self.assertIn('href="/admin/e/%s/import"' % SLUG, page)
        s, _, form = self.b.get("/admin/e/%s/import" % SLUG)
        self.assertEqual(s, 200)
        self.assertIn('enctype="multipart/form-data"', form)
        self.assertIn('<label for="f-file">Fichier CSV</label><input type="file"', form)
        self.assertIn('<label for="f-csv">', form)
        path = "/admin/e/%s/import" % SLUG
        # without the form's token: refused, nothing imported
        s, _, _ = self.b.request("POST", path, {"csv": GOOD, "action": "import"})
        self.assertEqual(s, 403)
        # a bad row: every problem with its line, nothing imported
        s, _, out = self.b.post(path, {"csv": BAD, "action": "import"}, csrf_from=path)
        self.assertEqual(s, 400, out)
        problems = re.search(r'<ul id="problems">(.*?)</ul>', out, re.S).group(1)
        self.assertIn("ligne 3", problems)
        self.assertIn("pas-une-adresse", html.unescape(problems))
        self.assertNotIn("/tmp", out)  # the temporary file's name is no one's business
        self.assertEqual(self.people(), {})
        # a check: the first rows as they will be saved, nothing written
        s, _, out = self.b.post(path, {"csv": GOOD, "action": "check"}, csrf_from=path)
        self.assertEqual(s, 200, out)
        self.assertIn("Rien n'est encore enregistré", out)
        preview = re.search(r'<table id="preview">.*?</table>', out, re.S).group(0)
        self.assertIn("ana@example.org", preview)
        self.assertIn("<td>conduit</td>", preview)
        self.assertEqual(self.people(), {})
        # the confirmation form carries the same CSV: posting it imports
        confirm = re.search(r'<form [^>]*id="confirm">(.*?)</form>', out, re.S).group(1)
        fields = {k: html.unescape(v) for k, v in
                  re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', confirm)}
        self.assertEqual(fields["csv"], GOOD)
        fields["action"] = "import"
        s, _, out = self.b.request("POST", path, fields)
        self.assertEqual(s, 200, out)
        self.assertIn("Import terminé", out)
        people = self.people()
        self.assertEqual(sorted(people), ["ana@example.org", "bruno@example.org"])
        self.assertEqual((people["ana@example.org"]["travel"], people["ana@example.org"]["seats"],
                          people["ana@example.org"]["sessions"]), ("drive", 3, ["atelier-pdie"]))
        self.assertEqual(len([m for m in self.outbox() if m["kind"] == "confirmation"]), 2)
        # the same file again: updates no one twice
        s, _, out = self.b.post(path, {"csv": GOOD, "action": "import"}, csrf_from=path)
        self.assertEqual(s, 200, out)
        self.assertRegex(out, r"Inchangées</th><td>2</td>")

    def test_upload_with_the_form_tools_mapping_and_no_mail(self):
        with open(os.path.join(SRC, "sample-events", "forms", SLUG + ".form-export.csv"),
                  encoding="utf-8-sig") as f:
            export = f.read()
        with open(os.path.join(SRC, "sample-events", "forms", SLUG + ".form-map.json"),
                  encoding="utf-8") as f:
            mapping = f.read()
        path = "/admin/e/%s/import" % SLUG
        csrf = csrf_of(self.b.get(path)[2])
        body, ctype = multipart({"csrf": csrf, "map": mapping, "no_mail": "1",
                                 "action": "check"},
                                {"file": ("export.csv", export)})
        h = {"Content-Type": ctype, "Origin": "http://127.0.0.1:%d" % self.srv.port,
             "Accept": "text/html",
             "Cookie": "; ".join("%s=%s" % kv for kv in self.b.cookies.items())}
        s, _, out = self.srv.request("POST", path, body, h)
        out = out.decode()
        self.assertEqual(s, 200, out)
        self.assertIn('<table id="answers">', out)
        self.assertEqual(self.people(), {})
        body, ctype = multipart({"csrf": csrf, "map": mapping, "no_mail": "1",
                                 "action": "import"},
                                {"file": ("export.csv", export)})
        h["Content-Type"] = ctype
        s, _, out = self.srv.request("POST", path, body, h)
        self.assertEqual(s, 200, out)
        self.assertIn("Import terminé", out.decode())
        n = len(self.people())
        self.assertGreater(n, 10)
        self.assertEqual(self.outbox(), [])  # --no-mail
        # the mapping is now the event's: the next upload needs none
        body, ctype = multipart({"csrf": csrf, "action": "check"},
                                {"file": ("export.csv", export)})
        s, _, out = self.srv.request("POST", path, body, dict(h, **{"Content-Type": ctype}))
        self.assertEqual(s, 200, out)
        self.assertIn("correspondance des colonnes enregistrée", out.decode())
        self.assertRegex(out.decode(), r"Inchangées</th><td>%d</td>" % n)

    def test_purge_with_a_confirmation_step(self):
        past = os.path.join(self.dir, "ancien.json")
        with open(os.path.join(SRC, "sample-events", "atelier-cem-1.json")) as f:
            ev = json.load(f)
        ev["purge_after_days"] = 30
        with open(past, "w") as f:
            json.dump(ev, f)
        self.assertEqual(run_cli(self.srv.db, "event", "import", past).returncode, 0)
        slug = ev["slug"]
        for s in (slug, SLUG):
            r = run_cli(self.srv.db, "register", s, "--name", "Ana Silva", "--email",
                        "ana@example.org", "--origin", "Lyon")
            self.assertEqual(r.returncode, 0, r.stderr)
        s, _, page = self.b.get("/admin/e/%s/registrations" % slug)
        self.assertIn('href="/admin/e/%s/purge"' % slug, page)
        s, _, page = self.b.get("/admin/e/%s/purge" % slug)
        self.assertEqual(s, 200)
        self.assertRegex(page, r"<strong>30</strong> jours après la fin")
        self.assertIn('name="confirm" value="1" required', page)
        path = "/admin/e/%s/purge" % slug
        # not confirmed: nothing erased
        s, _, out = self.b.post(path, {}, csrf_from=path)
        self.assertEqual(s, 400, out)
        self.assertEqual(self.people(slug)["ana@example.org"]["name"], "Ana Silva")
        # without the form's token: refused
        self.assertEqual(self.b.request("POST", path, {"confirm": "1"})[0], 403)
        # an upcoming event is not over: refused, nothing erased
        up = "/admin/e/%s/purge" % SLUG
        s, _, out = self.b.post(up, {"confirm": "1"}, csrf_from=up)
        self.assertEqual(s, 409, out)
        self.assertIn("not over", out)
        self.assertIn("ana@example.org", self.people(SLUG))
        # confirmed: erased, counts kept
        s, _, out = self.b.post(path, {"confirm": "1"}, csrf_from=path)
        self.assertEqual(s, 200, out)
        self.assertIn('<strong>1</strong> inscription(s)', out)
        (gone,) = self.people(slug).values()
        self.assertEqual((gone["name"], gone["status"]), ("", "confirmed"))


if __name__ == "__main__":
    unittest.main()
