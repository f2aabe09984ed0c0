#!/usr/bin/python3
"""End to end: the stored carpool plan in everything that shows it.

`export carpool` (xlsx read back with openpyxl, CSV with the csv module,
JSON, GeoJSON checked against RFC 7946 in Python), the pack's Carpools
sheet, the pickup in the personal feed (python3-icalendar), the attendee's
page and JSON on a real server, and the demo's files.
"""
import csv
import datetime
import json
import os
import re
import sqlite3
import sys
import unittest

import openpyxl
from icalendar import Calendar

sys.path.insert(0, os.path.dirname(__file__))
from planner_test import PlannerTestCase  # noqa: E402
from test_server import ADMIN, Server  # noqa: E402

SLUG = "atelier-cem-2"
DRIVER = "celine.vasseur@example.org"  # drives car 1 of the sample plan
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
NOW = {"PLANNER_NOW": "2026-11-20T08:00:00Z"}


def vevents(data):
    return [c for c in Calendar.from_ical(data).walk() if c.name == "VEVENT"]


def pickup_of(data):
    found = [e for e in vevents(data) if str(e["UID"]).startswith("pickup-")]
    return found[0] if found else None


class Outputs(PlannerTestCase):
    def setUp(self):
        super().setUp()
        self.ok("event", "import", self.sample(f"{SLUG}.json"))
        self.ok("registrations", "import", SLUG, self.sample(f"{SLUG}.registrations.csv"))
        self.event = self.load_sample(f"{SLUG}.json")

    def plan(self, now=NOW):
        r = self.ok("carpool", "plan", SLUG, "--format", "json", env=now)
        return json.loads(r.stdout)

    def export(self, name, *extra):
        path = os.path.join(self.dir, name)
        self.ok("export", "carpool", SLUG, "-o", path, *extra)
        return path

    def feed(self, email, now=NOW):
        r = self.run_planner("calendar", SLUG, "--attendee", email, env=now)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = os.path.join(self.dir, "feed.ics")
        self.ok("calendar", SLUG, "--attendee", email, "-o", out, env=now)
        with open(out, "rb") as f:
            return f.read()

    def group_of(self, plan, email):
        for g in plan["groups"]:
            if g["driver"]["email"] == email or any(p["email"] == email
                                                    for p in g["passengers"]):
                return g
        return None

    # ---- export carpool ------------------------------------------------

    def test_export_before_a_plan_is_exit_1(self):
        r = self.run_planner("export", "carpool", SLUG, "-o", os.path.join(self.dir, "c.xlsx"))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("carpool plan", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "c.xlsx")))

    def test_no_public_carpool_list_and_geojson_only_for_carpools(self):
        self.plan()
        r = self.run_planner("export", "carpool", SLUG, "--public", "-o", "x.csv")
        self.assertEqual(r.returncode, 2)
        self.assertIn("no public carpool list", r.stderr)
        r = self.run_planner("export", "registrants", SLUG, "-o", "x.geojson")
        self.assertEqual(r.returncode, 2)
        self.assertIn("GeoJSON", r.stderr)

    def test_xlsx_one_row_per_person_with_real_times_and_numbers(self):
        # the sample is in Europe/Paris: French headers and values (docs/exports.md)
        plan = self.plan()
        wb = openpyxl.load_workbook(self.export("carpool.xlsx"))
        self.assertEqual(wb.sheetnames, ["Covoiturage"])
        ws = wb["Covoiturage"]
        self.assertEqual(ws.freeze_panes, "A2")
        rows = list(ws.iter_rows(values_only=True))
        header = rows[0]
        self.assertEqual(header[:4], ("Voiture", "Rôle", "Nom et prénom", "Courriel"))
        col = {h: i for i, h in enumerate(header)}
        for h in ("Structure", "Commune de départ", "Commune reconnue", "Ordre de passage", "Heure de passage", "Km",
                  "Détour (km)", "Sans place car"):
            self.assertIn(h, col)
        members = sum(1 + len(g["passengers"]) for g in plan["groups"])
        self.assertEqual(len(rows) - 1, members + len(plan["unassigned"]))
        # the first car, row by row, in pickup order
        g = plan["groups"][0]
        people = [g["driver"]] + g["passengers"]
        for k, (row, p) in enumerate(zip(rows[1:], people)):
            self.assertEqual(row[col["Voiture"]], g["number"])
            self.assertEqual(row[col["Rôle"]], "conducteur" if k == 0 else "passager")
            self.assertEqual(row[col["Nom et prénom"]], p["name"])
            self.assertEqual(row[col["Courriel"]], p["email"])
            self.assertEqual(row[col["Commune de départ"]], p["origin"])
            self.assertEqual(row[col["Commune reconnue"]], p["place"])
            self.assertEqual(row[col["Ordre de passage"]], k)
            t = p["departure_time" if k == 0 else "pickup_time"]
            self.assertIsInstance(row[col["Heure de passage"]], datetime.time)
            self.assertEqual(row[col["Heure de passage"]].strftime("%H:%M"), t[11:16])
            self.assertTrue(row[col["Structure"]])
        self.assertIsInstance(rows[1][col["Km"]], float)
        self.assertAlmostEqual(rows[1][col["Km"]], g["distance_km"], places=3)
        self.assertIsNone(rows[2][col["Km"]])  # once per car, on its driver's row
        km = sum(r[col["Km"]] or 0 for r in rows[1:])
        self.assertAlmostEqual(km, plan["totals"]["vehicle_km"], delta=0.05)
        unassigned = [r for r in rows[1:] if r[col["Rôle"]] == "sans place"]
        self.assertEqual(len(unassigned), len(plan["unassigned"]))
        self.assertTrue(all(r[col["Sans place car"]] for r in unassigned))
        # the reasons in the event's words, one per code (the plan's JSON keeps its line)
        by_email = {u["email"]: u["reason"] for u in plan["unassigned"]}
        french = {"origin_unknown": "commune de départ non reconnue",
                  "origin_ambiguous": "commune de départ ambiguë",
                  "no_driver": "aucun conducteur ne passe assez près"}
        for r in unassigned:
            code = by_email[r[col["Courriel"]]]
            if code in french:
                self.assertEqual(r[col["Sans place car"]], french[code])
        self.assertTrue(any(by_email[r[col["Courriel"]]] in french for r in unassigned))

    def test_csv_and_excel_csv(self):
        plan = self.plan()
        with open(self.export("carpool.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(rows[0]["Rôle"], "conducteur")
        self.assertEqual(rows[0]["Heure de passage"], plan["groups"][0]["departure_time"][11:16])
        self.assertEqual(float(rows[0]["Km"]), plan["groups"][0]["distance_km"])
        with open(self.export("carpool-fr.csv", "--excel"), encoding="utf-8-sig",
                  newline="") as f:
            fr = list(csv.DictReader(f, delimiter=";"))
        # French Excel reads a decimal comma
        self.assertEqual(fr[0]["Km"], rows[0]["Km"].replace(".", ","))

    def test_exports_carry_the_way_home(self):
        there = self.plan()
        r = self.ok("carpool", "plan", SLUG, "--trip", "return", "--format", "json", env=NOW)
        home = json.loads(r.stdout)
        with open(self.export("carpool.json"), encoding="utf-8") as f:
            exported = json.load(f)
        self.assertEqual(exported.pop("return"), home)
        self.assertEqual(exported, there)
        with open(self.export("carpool.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        back = [r for r in rows if r["Trajet"] == "Retour"]
        self.assertEqual(len(back), sum(1 + len(g["passengers"]) for g in home["groups"])
                         + len(home["unassigned"]))
        self.assertEqual(len(rows) - len(back),
                         sum(1 + len(g["passengers"]) for g in there["groups"])
                         + len(there["unassigned"]))
        g = next(g for g in home["groups"] if g["passengers"])
        self.assertEqual({r["Trajet"] for r in rows} - {"Retour"}, {"Aller"})
        mine = next(r for r in back if r["Courriel"] == g["passengers"][0]["email"])
        self.assertEqual(mine["Heure de passage"], g["passengers"][0]["dropoff_time"][11:16])
        with open(self.export("carpool.geojson"), encoding="utf-8") as f:
            geo = json.load(f)
        routes = [x for x in geo["features"]
                  if x["properties"].get("trip") == "return" and x["properties"]["kind"] == "route"]
        self.assertEqual(len(routes), len(home["groups"]))
        route = next(x for x in routes if x["properties"]["group"] == g["number"])
        line = route["geometry"]["coordinates"]
        venue = self.event["venue"]
        self.assertAlmostEqual(line[0][0], venue["lon"], places=5)
        self.assertAlmostEqual(line[-1][1], g["driver"]["lat"], places=5)
        self.assertEqual(len(line), 2 + len(g["passengers"]))

    def test_json_is_the_plan(self):
        plan = self.plan()
        with open(self.export("carpool.json"), encoding="utf-8") as f:
            exported = json.load(f)
        self.assertEqual(exported, plan)

    def test_geojson_routes_stops_and_venue_in_lon_lat_order(self):
        plan = self.plan()
        with open(self.export("carpool.geojson"), encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual(doc["type"], "FeatureCollection")
        self.assertNotIn("crs", doc)  # RFC 7946: WGS 84 only, no crs member
        venue = self.event["venue"]
        features = doc["features"]
        for feat in features:
            self.assertEqual(feat["type"], "Feature")
            self.assertIn(feat["geometry"]["type"], ("Point", "LineString"))
            self.assertIsInstance(feat["properties"], dict)
        venues = [f for f in features if f["properties"]["kind"] == "venue"]
        self.assertEqual(len(venues), 1)
        self.assertEqual(venues[0]["geometry"]["coordinates"],
                         [round(venue["lon"], 6), round(venue["lat"], 6)])
        routes = {f["properties"]["group"]: f for f in features
                  if f["properties"]["kind"] == "route"}
        self.assertEqual(len(routes), len(plan["groups"]))
        for g in plan["groups"]:
            line = routes[g["number"]]["geometry"]
            self.assertEqual(line["type"], "LineString")
            stops = [g["driver"]] + g["passengers"]
            want = [[s["lon"], s["lat"]] for s in stops] + [[venue["lon"], venue["lat"]]]
            self.assertEqual(len(line["coordinates"]), len(want))
            for got, exp in zip(line["coordinates"], want):
                self.assertEqual(len(got), 2)
                self.assertAlmostEqual(got[0], exp[0], places=5)
                self.assertAlmostEqual(got[1], exp[1], places=5)
                # [lon, lat]: metropolitan France is lon -5..10, lat 41..52
                self.assertTrue(-5.5 < got[0] < 10 and 41 < got[1] < 51.5, got)
            props = routes[g["number"]]["properties"]
            self.assertEqual(props["driver"], g["driver"]["name"])
            self.assertEqual(props["passengers"], [p["name"] for p in g["passengers"]])
            self.assertEqual(props["distance_km"], g["distance_km"])
        points = [f for f in features if f["properties"]["kind"] in ("departure", "pickup")]
        self.assertEqual(len(points), sum(1 + len(g["passengers"]) for g in plan["groups"]))
        self.assertTrue(all(f["geometry"]["type"] == "Point" for f in points))
        # a map file travels: no e-mail address, no phone
        with open(os.path.join(self.dir, "carpool.geojson"), encoding="utf-8") as f:
            text = f.read()
        self.assertIsNone(EMAIL_RE.search(text))
        self.assertNotIn("phone", text)

    def test_pack_gets_a_carpools_sheet_once_planned(self):
        pack = os.path.join(self.dir, "pack.xlsx")
        self.ok("export", "pack", SLUG, "-o", pack)
        self.assertNotIn("Covoiturage", openpyxl.load_workbook(pack).sheetnames)
        plan = self.plan()
        self.ok("export", "pack", SLUG, "-o", pack)
        wb = openpyxl.load_workbook(pack)
        # French sheets; the sign-in sheets (one per day, one per workshop) before the carpools
        self.assertEqual(wb.sheetnames[:4], ["Inscrits", "Programme", "Restauration",
                                             "Émargement"])
        self.assertEqual(wb.sheetnames[-1], "Covoiturage")
        rows = list(wb["Covoiturage"].iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "Voiture")
        self.assertEqual(len(rows) - 1, sum(1 + len(g["passengers"]) for g in plan["groups"])
                         + len(plan["unassigned"]))

    # ---- the pickup in the personal feed -------------------------------

    def test_feed_has_the_pickup_and_only_first_names(self):
        plan = self.plan()
        g = self.group_of(plan, DRIVER)
        self.assertTrue(g["passengers"])
        passenger = g["passengers"][0]
        # the passenger's feed
        data = self.feed(passenger["email"])
        text = data.decode()
        ev = pickup_of(data)
        self.assertIsNotNone(ev)
        self.assertEqual(ev["DTSTART"].params["TZID"], "Europe/Paris")
        self.assertEqual(ev["DTSTART"].dt.strftime("%Y-%m-%dT%H:%M"), passenger["pickup_time"])
        self.assertEqual(ev["DTEND"].dt.strftime("%Y-%m-%dT%H:%M"), g["arrival_time"])
        self.assertIn(passenger["place"], str(ev["LOCATION"]))
        lat, lon = ev["GEO"].latitude, ev["GEO"].longitude
        self.assertAlmostEqual(lat, passenger["lat"], places=5)
        self.assertAlmostEqual(lon, passenger["lon"], places=5)
        self.assertEqual(str(ev["STATUS"]), "CONFIRMED")
        first, last = g["driver"]["name"].split(" ", 1)
        self.assertIn(first, str(ev["SUMMARY"]))
        self.assertIn(first, str(ev["DESCRIPTION"]))
        for p in [g["driver"]] + g["passengers"][1:]:
            self.assertIn(p["name"].split(" ")[0], str(ev["DESCRIPTION"]))
            self.assertNotIn(p["name"].split(" ", 1)[1], text)  # no surnames
        self.assertNotIn("ATTENDEE", text)
        self.assertIsNone(EMAIL_RE.search(text))
        # the driver's feed: their departure
        ev = pickup_of(self.feed(DRIVER))
        self.assertEqual(ev["DTSTART"].dt.strftime("%Y-%m-%dT%H:%M"), g["departure_time"])
        self.assertIn("vous conduisez", str(ev["SUMMARY"]))
        for p in g["passengers"]:
            self.assertIn(p["name"].split(" ")[0], str(ev["DESCRIPTION"]))

    def test_feed_has_the_ride_home_once_planned(self):
        self.plan()
        r = self.ok("carpool", "plan", SLUG, "--trip", "return", "--format", "json", env=NOW)
        home = json.loads(r.stdout)
        g = next(g for g in home["groups"] if g["passengers"])
        p = g["passengers"][-1]
        rides = [e for e in vevents(self.feed(p["email"]))
                 if str(e["UID"]).startswith("ride-home-")]
        self.assertEqual(len(rides), 1)
        ev = rides[0]
        self.assertEqual(ev["DTSTART"].dt.strftime("%Y-%m-%dT%H:%M"), g["departure_time"])
        self.assertEqual(ev["DTEND"].dt.strftime("%Y-%m-%dT%H:%M"), p["dropoff_time"])
        self.assertIn("Retour en covoiturage avec " + g["driver"]["name"].split(" ")[0],
                      str(ev["SUMMARY"]))
        self.assertIn("Dépose : " + p["place"], str(ev["DESCRIPTION"]))
        uid, seq = str(ev["UID"]), int(ev.get("SEQUENCE", 0))
        # planned again, same result: same UID, same SEQUENCE
        self.ok("carpool", "plan", SLUG, "--trip", "return", env=NOW)
        again = [e for e in vevents(self.feed(p["email"]))
                 if str(e["UID"]).startswith("ride-home-")][0]
        self.assertEqual((str(again["UID"]), int(again.get("SEQUENCE", 0))), (uid, seq))
        # the driver's entry ends when they are home
        ev = [e for e in vevents(self.feed(g["driver"]["email"]))
              if str(e["UID"]).startswith("ride-home-")][0]
        self.assertEqual(ev["DTEND"].dt.strftime("%Y-%m-%dT%H:%M"), g["arrival_time"])
        self.assertIn("vous conduisez", str(ev["SUMMARY"]))

    def test_driver_phone_only_when_shared(self):
        plan = self.plan()
        g = self.group_of(plan, DRIVER)
        passenger = g["passengers"][0]["email"]
        self.assertNotIn("Téléphone", str(pickup_of(self.feed(passenger))["DESCRIPTION"]))
        # a phone given without the consent to share it stays with the organiser
        # (the plan's JSON, carpool show, the exports)
        self.sql("UPDATE registrations SET phone = '06 11 22 33 44' WHERE email = ?", DRIVER)
        plan = self.plan(now={"PLANNER_NOW": "2026-11-21T08:00:00Z"})
        ev = pickup_of(self.feed(passenger))
        self.assertNotIn("06 11 22 33 44", str(ev["DESCRIPTION"]))
        self.assertEqual(int(ev.get("SEQUENCE", 0)), 0)
        self.assertEqual(self.group_of(plan, DRIVER)["driver"]["phone"], "06 11 22 33 44")
        # with it, the group sees it
        self.sql("UPDATE registrations SET share_phone = 1 WHERE email = ?", DRIVER)
        self.plan(now={"PLANNER_NOW": "2026-11-22T08:00:00Z"})
        ev = pickup_of(self.feed(passenger))
        self.assertIn("06 11 22 33 44", str(ev["DESCRIPTION"]))
        self.assertEqual(int(ev["SEQUENCE"]), 1)  # a real change
        # consent withdrawn after the plan: gone at once, before any new plan
        self.sql("UPDATE registrations SET share_phone = 0 WHERE email = ?", DRIVER)
        self.assertNotIn("06 11 22 33 44", str(pickup_of(self.feed(passenger))["DESCRIPTION"]))

    def sql(self, statement, *args):
        con = sqlite3.connect(self.db)
        con.execute(statement, args)
        con.commit()
        con.close()

    def test_same_plan_same_bytes_and_a_change_moves_sequence(self):
        plan = self.plan()
        g = self.group_of(plan, DRIVER)
        gone = g["passengers"][-1]["email"]
        before = {e: self.feed(e) for e in (DRIVER, gone)}
        seq = int(pickup_of(before[DRIVER])["SEQUENCE"])
        uid = str(pickup_of(before[DRIVER])["UID"])
        # the same registrations planned again, later: byte-identical feeds
        self.plan(now={"PLANNER_NOW": "2026-11-22T08:00:00Z"})
        for e, data in before.items():
            self.assertEqual(self.feed(e), data, e)
        # a passenger cancels: the driver's pickup really changes
        self.ok("registrations", "cancel", SLUG, "--email", gone)
        later = {"PLANNER_NOW": "2026-11-23T08:00:00Z"}
        self.plan(now=later)
        ev = pickup_of(self.feed(DRIVER, now=later))
        self.assertEqual(str(ev["UID"]), uid)  # generated once
        self.assertGreater(int(ev["SEQUENCE"]), seq)
        self.assertEqual(ev["LAST-MODIFIED"].dt.strftime("%Y-%m-%d"), "2026-11-23")
        # and the one who left keeps it, cancelled
        ev = pickup_of(self.feed(gone, now=later))
        self.assertEqual(str(ev["STATUS"]), "CANCELLED")
        self.assertGreater(int(ev["SEQUENCE"]), 0)

    def test_removed_from_the_plan_stays_cancelled(self):
        plan = self.plan()
        g = self.group_of(plan, DRIVER)
        passenger = g["passengers"][0]["email"]
        uid = str(pickup_of(self.feed(passenger))["UID"])
        # the passenger now drives alone: no pickup any more
        con = sqlite3.connect(self.db)
        con.execute("UPDATE registrations SET travel = 'none' WHERE email = ?", (passenger,))
        con.commit()
        con.close()
        self.plan(now={"PLANNER_NOW": "2026-11-24T08:00:00Z"})
        ev = pickup_of(self.feed(passenger))
        self.assertEqual(str(ev["UID"]), uid)
        self.assertEqual(str(ev["STATUS"]), "CANCELLED")
        self.assertEqual(int(ev["SEQUENCE"]), 1)
        self.assertTrue(str(ev["SUMMARY"]).startswith("Annulé"))


class Page(PlannerTestCase):
    """The attendee's own page and JSON on a real server."""

    def setUp(self):
        super().setUp()
        self.ok("event", "import", self.sample(f"{SLUG}.json"))
        self.ok("registrations", "import", SLUG, self.sample(f"{SLUG}.registrations.csv"))
        self.plan = json.loads(self.ok("carpool", "plan", SLUG, "--format", "json").stdout)
        self.srv = Server(self.dir)

    def tearDown(self):
        self.srv.stop()
        super().tearDown()

    def token(self, email):
        con = sqlite3.connect(self.db)
        try:
            return con.execute("SELECT token FROM registrations WHERE email = ?",
                               (email,)).fetchone()[0]
        finally:
            con.close()

    def page(self, email):
        status, headers, body = self.srv.get("/me/" + self.token(email))
        self.assertEqual(status, 200)
        return body.decode()

    def test_passenger_page_shows_the_group_and_a_map(self):
        g = next(g for g in self.plan["groups"] if g["driver"]["email"] == DRIVER)
        me = g["passengers"][0]
        html = self.page(me["email"])
        section = html[html.index('id="carpool"'):]
        section = section[:section.index("</div>")]
        first = g["driver"]["name"].split(" ")[0]
        self.assertIn('<strong id="driver">%s</strong>' % first, section)
        self.assertIn(me["pickup_time"][11:16], section)
        self.assertIn(me["place"], section)
        for p in g["passengers"][1:]:
            self.assertIn(p["name"].split(" ")[0], section)
        self.assertEqual(section.count("<svg"), 1)
        self.assertEqual(section.count('class="stop"'), 1 + len(g["passengers"]))
        self.assertEqual(section.count('class="venue"'), 1)
        self.assertNotIn("http", section.replace('xmlns="http://www.w3.org/2000/svg"', ""))
        # their own address only: no other person's e-mail on the page
        self.assertEqual(set(EMAIL_RE.findall(html)), {me["email"]})

    def test_shared_phone_is_a_dialable_link(self):
        con = sqlite3.connect(self.db)
        con.execute("UPDATE registrations SET phone = '+33 6 11-22.33 44', share_phone = 1 "
                    "WHERE email = ?", (DRIVER,))
        con.commit()
        con.close()
        self.ok("carpool", "plan", SLUG)
        g = next(g for g in self.plan["groups"] if g["driver"]["email"] == DRIVER)
        html = self.page(g["passengers"][0]["email"])
        self.assertIn('<a href="tel:+33611223344">+33 6 11-22.33 44</a>', html)
        # consent withdrawn: the page stops showing it at once
        con = sqlite3.connect(self.db)
        con.execute("UPDATE registrations SET share_phone = 0 WHERE email = ?", (DRIVER,))
        con.commit()
        con.close()
        self.assertNotIn("33 44", self.page(g["passengers"][0]["email"]))

    def test_driver_page_lists_the_pickups(self):
        g = next(g for g in self.plan["groups"] if g["driver"]["email"] == DRIVER)
        html = self.page(DRIVER)
        section = html[html.index('id="carpool"'):]
        self.assertEqual(section.count('class="member"'), len(g["passengers"]))
        for p in g["passengers"]:
            self.assertIn(p["pickup_time"][11:16], section)
        self.assertEqual(set(EMAIL_RE.findall(html)), {DRIVER})

    def test_page_shows_the_way_home_once_planned(self):
        self.assertNotIn('id="carpool-return"', self.page(DRIVER))
        home = json.loads(self.ok("carpool", "plan", SLUG, "--trip", "return",
                                  "--format", "json").stdout)
        h = next(h for h in home["groups"] if h["passengers"])
        mine = h["passengers"][0]
        me = mine
        html = self.page(me["email"])
        section = html[html.index('id="carpool-return"'):]
        section = section[:section.index("</div>")]
        self.assertIn("Retour en covoiturage", html)
        self.assertIn(h["departure_time"][11:16], section)
        self.assertIn('<p id="dropoff"><strong>Dépose : %s</strong>' % mine["dropoff_time"][11:16],
                      section)
        self.assertIn(h["driver"]["name"].split(" ")[0], section)
        html = self.page(h["driver"]["email"])
        section = html[html.index('id="carpool-return"'):]
        section = section[:section.index("</div>")]
        self.assertEqual(section.count('class="member"'), len(h["passengers"]))
        for p in h["passengers"]:
            self.assertIn(p["dropoff_time"][11:16], section)
        self.assertEqual(set(EMAIL_RE.findall(html)), {h["driver"]["email"]})

    def test_json_has_the_assignment_without_others_emails(self):
        g = next(g for g in self.plan["groups"] if g["driver"]["email"] == DRIVER)
        me = g["passengers"][0]
        status, _, body = self.srv.get("/me/%s.json" % self.token(me["email"]))
        self.assertEqual(status, 200)
        doc = json.loads(body)
        c = doc["carpool"]
        self.assertEqual(c["role"], "passenger")
        self.assertEqual(c["group"], g["number"])
        self.assertEqual(c["pickup"]["time"], me["pickup_time"])
        self.assertEqual([s["name"].split(" ")[0] for s in c["stops"]],
                         [p["name"].split(" ")[0] for p in [g["driver"]] + g["passengers"]])
        self.assertEqual([s["self"] for s in c["stops"]].count(True), 1)
        self.assertEqual(set(EMAIL_RE.findall(body.decode())), {me["email"]})

    def test_admin_carpool_exports(self):
        auth = {"Authorization": "Bearer " + ADMIN}
        path = "/admin/e/%s/carpool.geojson" % SLUG
        self.assertEqual(self.srv.get(path)[0], 401)
        status, headers, body = self.srv.request("GET", path, headers=auth)
        self.assertEqual(status, 200, body[:200])
        self.assertEqual(headers["content-type"], "application/geo+json")
        self.assertIn("%s-carpool.geojson" % SLUG, headers["content-disposition"])
        doc = json.loads(body)
        self.assertEqual(doc["type"], "FeatureCollection")
        status, headers, body = self.srv.request("GET", "/admin/e/%s/carpool.xlsx" % SLUG,
                                                 headers=auth)
        self.assertEqual(status, 200)
        self.assertTrue(body.startswith(b"PK"))
        names = json.loads(self.srv.request("GET", "/admin/e/" + SLUG, headers=auth)[2])
        for ext in ("xlsx", "csv", "json", "geojson"):
            self.assertIn("carpool." + ext, names["exports"])

    def test_feed_served_with_the_pickup(self):
        status, headers, body = self.srv.get("/me/%s.ics" % self.token(DRIVER))
        self.assertEqual(status, 200)
        self.assertIsNotNone(pickup_of(body))


class Demo(PlannerTestCase):
    def test_demo_writes_the_carpools_everywhere(self):
        out = os.path.join(self.dir, "demo")
        self.ok("demo", "--out", out, db=False)
        wb = openpyxl.load_workbook(os.path.join(out, f"{SLUG}.pack.xlsx"))
        self.assertIn("Covoiturage", wb.sheetnames)
        with open(os.path.join(out, f"{SLUG}.attendee.ics"), "rb") as f:
            ev = pickup_of(f.read())
        self.assertIsNotNone(ev)
        self.assertIn("vous conduisez", str(ev["SUMMARY"]))
        with open(os.path.join(out, f"{SLUG}.carpool.geojson"), encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual(doc["type"], "FeatureCollection")
        self.assertTrue(any(f["geometry"]["type"] == "LineString" for f in doc["features"]))


if __name__ == "__main__":
    unittest.main()
