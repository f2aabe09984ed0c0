"""End to end: `planner carpool plan --geocoder URL` against a local HTTP
server on 127.0.0.1 speaking BAN (GeoJSON FeatureCollection) and Nominatim
(JSON array): origins the gazetteer cannot place are looked up once, cached,
and a geocoder that is down, too verbose or talking nonsense never stops
the plan."""
import http.server
import json
import os
import socket
import sys
import threading
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from planner_test import PlannerTestCase  # noqa: E402

SLUG = "geo"
EVENT = {"slug": SLUG, "title": "Geo", "format": "in_person",
         "venue": {"name": "Mairie", "lat": 48.8566, "lon": 2.3522},
         "start": "2026-12-10T09:30", "end": "2026-12-10T17:00", "sessions": []}
FARM = "Ferme de la Tuilerie"  # not a commune: the gazetteer cannot place it
PLACES = {FARM: (48.80512, 2.13501, "Ferme de la Tuilerie 78000 Versailles")}


class Geocoder(http.server.BaseHTTPRequestHandler):
    requests = []

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        Geocoder.requests.append({"path": url.path, "q": q.get("q", [""])[0],
                                  "limit": q.get("limit", [""])[0],
                                  "agent": self.headers.get("User-Agent", "")})
        hit = PLACES.get(q.get("q", [""])[0])
        if url.path == "/ban/search/":
            feats = [] if not hit else [{
                "type": "Feature", "geometry": {"type": "Point", "coordinates": [hit[1], hit[0]]},
                "properties": {"label": hit[2], "score": 0.87, "postcode": "78000",
                               "citycode": "78646"}}]
            self.answer(json.dumps({"type": "FeatureCollection", "features": feats}))
        elif url.path == "/nominatim/search":
            self.answer(json.dumps([] if not hit else [
                {"lat": str(hit[0]), "lon": str(hit[1]), "display_name": "Tuilerie, France"}]))
        elif url.path == "/big/search":
            self.answer("[" + " " * (400 << 10) + "]")
        elif url.path == "/html/search":
            self.answer("<html><body>Too many requests</body></html>")
        else:
            self.send_error(404)

    def answer(self, text):
        data = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class GeocoderTest(PlannerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Geocoder)
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def setUp(self):
        super().setUp()
        Geocoder.requests.clear()
        self.ok("event", "import", self.write("geo.json", json.dumps(EVENT)))
        self.ok("register", SLUG, "--name", "Ana", "--email", "ana@example.org",
                "--origin", "Versailles", "--drive", "3")
        self.ok("register", SLUG, "--name", "Bob", "--email", "bob@example.org",
                "--origin", FARM, "--ride")

    def plan(self, *args):
        r = self.ok("carpool", "plan", SLUG, "--format", "json", *args)
        return json.loads(r.stdout), r.stderr

    def bob(self, plan):
        for g in plan["groups"]:
            for p in g["passengers"]:
                if p["email"] == "bob@example.org":
                    return p
        return None

    def test_ban_answer_is_used_cached_and_remembered(self):
        plan, err = self.plan("--geocoder", f"{self.base}/ban/search/")
        bob = self.bob(plan)
        self.assertIsNotNone(bob, plan)
        self.assertEqual(bob["precision"], "geocoder")
        self.assertEqual((bob["lat"], bob["lon"]), PLACES[FARM][:2])
        self.assertEqual(bob["place"], PLACES[FARM][2])
        self.assertEqual(plan["groups"][0]["driver"]["precision"], "commune")
        self.assertEqual(len(Geocoder.requests), 1)  # Versailles is in the gazetteer
        req = Geocoder.requests[0]
        self.assertEqual((req["path"], req["q"], req["limit"]), ("/ban/search/", FARM, "1"))
        self.assertTrue(req["agent"].startswith("planner/"), req["agent"])
        self.assertIn("1 placed", err)

        # The URL is remembered and the answer cached: no request at all.
        plan, err = self.plan()
        self.assertEqual(self.bob(plan)["precision"], "geocoder")
        self.assertEqual(len(Geocoder.requests), 1)
        self.assertIn("1 answered from the cache, 0 requests", err)
        text = self.ok("carpool", "plan", SLUG).stdout
        self.assertIn("[geocoder]", text)

        # 'none' forgets it: the gazetteer alone cannot place Bob.
        plan, _ = self.plan("--geocoder", "none")
        self.assertIsNone(self.bob(plan))
        self.assertEqual(plan["unassigned"][0]["reason"], "origin_unknown")
        self.assertEqual(len(Geocoder.requests), 1)

    def test_nominatim_answer(self):
        plan, _ = self.plan("--geocoder", f"{self.base}/nominatim/search?format=json")
        bob = self.bob(plan)
        self.assertEqual(bob["precision"], "geocoder")
        self.assertEqual(bob["place"], "Tuilerie, France")
        self.assertEqual(Geocoder.requests[0]["q"], FARM)

    def test_no_place_found_is_said(self):
        self.ok("register", SLUG, "--name", "Cy", "--email", "cy@example.org",
                "--origin", "Nulle Part Ailleurs", "--ride")
        plan, _ = self.plan("--geocoder", f"{self.base}/ban/search/")
        [cy] = [u for u in plan["unassigned"] if u["email"] == "cy@example.org"]
        self.assertIn("the geocoder found no place", cy["detail"])
        self.plan()
        self.assertEqual(len(Geocoder.requests), 2)  # both answers cached

    def unplaced_detail(self, url):
        r = self.ok("carpool", "plan", SLUG, "--format", "json", "--geocoder", url)
        plan = json.loads(r.stdout)
        self.assertIsNone(self.bob(plan))
        self.assertEqual(len(plan["groups"]), 1)  # Ana still drives
        [u] = plan["unassigned"]
        self.assertEqual(u["reason"], "origin_unknown")
        self.assertIn("the geocoder could not be asked", u["detail"])
        return u["detail"]

    def test_server_down(self):
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        detail = self.unplaced_detail(f"http://127.0.0.1:{port}/search/")
        self.assertIn(f"127.0.0.1:{port}", detail)
        self.assertNotIn("Tuilerie", detail.split("could not be asked")[1])  # no query in it

    def test_oversized_answer(self):
        detail = self.unplaced_detail(f"{self.base}/big/search")
        self.assertIn("larger than 262144 bytes", detail)

    def test_invalid_answer(self):
        detail = self.unplaced_detail(f"{self.base}/html/search")
        self.assertIn("not JSON", detail)
        self.unplaced_detail(f"{self.base}/missing")  # HTTP 404
        # Failures are not cached: asked again.
        self.unplaced_detail(f"{self.base}/missing")
        self.assertEqual(len(Geocoder.requests), 3)

    def test_bad_url_is_a_usage_error(self):
        r = self.run_planner("carpool", "plan", SLUG, "--geocoder", "ftp://example.org/")
        self.assertEqual(r.returncode, 2)
        self.assertIn("http", r.stderr)
        r = self.run_planner("carpool", "plan", SLUG, "--geocoder-rate", "0")
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    unittest.main()
