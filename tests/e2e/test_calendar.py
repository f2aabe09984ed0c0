#!/usr/bin/python3
"""End-to-end tests of `planner calendar` and `planner subscribe`.

The feeds are read back with python3-icalendar (an independent reader) and
checked line by line; subscriptions run against a real HTTP server on
127.0.0.1 started here.
"""
import http.server
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import threading
import time
import unittest

from icalendar import Calendar

PLANNER = os.environ.get("PLANNER_BIN", "planner")
SOURCE = os.environ.get("PLANNER_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLES = os.path.join(SOURCE, "sample-events")


def check_lines(test, data):
    """CRLF everywhere, 75 octets at most, no line cut inside a character."""
    test.assertTrue(data.endswith(b"\r\n"))
    test.assertNotIn(b"\r\n\r\n", data)
    lines = data.split(b"\r\n")[:-1]
    for n, line in enumerate(lines, 1):
        test.assertNotIn(b"\n", line, "bare LF in line %d" % n)
        test.assertNotIn(b"\r", line, "bare CR in line %d" % n)
        test.assertLessEqual(len(line), 75, "line %d has %d octets" % (n, len(line)))
        line.decode("utf-8")  # raises when a fold split a character
    return lines


def unfold(data):
    return data.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").decode("utf-8").split("\r\n")


def events_of(cal):
    return [c for c in cal.walk() if c.name == "VEVENT"]


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="planner-e2e-cal-")
        self.db = os.path.join(self.dir, "planner.db")
        self.env = dict(os.environ, PLANNER_NOW="2026-10-01T08:00:00Z")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def planner(self, *args, ok=True, now=None, timeout=30):
        env = dict(self.env)
        if now:
            env["PLANNER_NOW"] = now
        p = subprocess.run([PLANNER, "--db", self.db] + list(args), capture_output=True,
                           env=env, timeout=timeout)
        if ok:
            self.assertEqual(p.returncode, 0, p.stderr.decode())
        return p

    def feed(self, *args):
        return self.planner("calendar", *args).stdout

    def import_samples(self):
        files = sorted(os.path.join(SAMPLES, f) for f in os.listdir(SAMPLES)
                       if f.endswith(".json"))
        self.planner("event", "import", *files)


class FeedTest(Base):
    def test_all_events_feed_follows_the_rules(self):
        self.import_samples()
        data = self.feed()
        check_lines(self, data)
        logical = unfold(data)
        cal = Calendar.from_ical(data)
        for prop in ("VERSION", "PRODID", "NAME", "X-WR-CALNAME", "DESCRIPTION",
                     "X-WR-CALDESC", "X-WR-TIMEZONE", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
            self.assertIn(prop, cal, prop)
        self.assertEqual(str(cal["VERSION"]), "2.0")
        self.assertIn("REFRESH-INTERVAL;VALUE=DURATION:PT1H", logical)
        self.assertNotIn("ATTENDEE", data.decode())
        self.assertNotRegex(data.decode(), r"[\w.+-]+@[\w-]+\.(org|fr|com)\b")

        tzids = {str(c["TZID"]) for c in cal.walk() if c.name == "VTIMEZONE"}
        self.assertEqual(tzids, {"Europe/Paris"})
        in_event = False
        for line in logical:
            in_event = (in_event or line == "BEGIN:VEVENT") and line != "END:VEVENT"
            if in_event and line.startswith(("DTSTART", "DTEND")):
                m = re.match(r"^DT(START|END)(;[^:]*)?:(.*)$", line)
                params, value = m.group(2) or "", m.group(3)
                if "TZID=" in params:
                    self.assertIn(params.split("TZID=")[1].split(";")[0], tzids)
                else:  # never floating: UTC or a date
                    self.assertTrue(value.endswith("Z") or "VALUE=DATE" in params, line)

        events = events_of(cal)
        uids = [str(e["UID"]) for e in events]
        self.assertEqual(len(uids), len(set(uids)))
        with open(os.path.join(SAMPLES, "atelier-cem-2.json"), encoding="utf-8") as f:
            sample = json.load(f)
        n_sessions = 0
        for name in os.listdir(SAMPLES):
            if name.endswith(".json"):
                with open(os.path.join(SAMPLES, name), encoding="utf-8") as f:
                    ev = json.load(f)
                if ev.get("status", "published") != "draft":
                    n_sessions += len(ev.get("sessions", [])) + 1
        self.assertEqual(len(events), n_sessions)
        by_summary = {str(e["SUMMARY"]): e for e in events}
        # French accents intact, through folding and escaping
        self.assertIn(sample["title"], by_summary)
        for s in sample["sessions"]:
            same = [e for e in events if str(e["SUMMARY"]) == s["title"]
                    and e.decoded("DTSTART").strftime("%H:%M") == s["start"]]
            self.assertEqual(len(same), 1, s["title"])
            self.assertEqual(same[0]["DTSTART"].params["TZID"], "Europe/Paris")
            self.assertEqual(same[0].decoded("DTEND").strftime("%H:%M"), s["end"])
        banner = by_summary[sample["title"]]
        self.assertEqual(str(banner["TRANSP"]), "TRANSPARENT")
        self.assertIn("Maison des Canaux", str(banner["LOCATION"]))
        self.assertIn("GEO", banner)
        ouverture = by_summary["Ouverture : un an de travail en réseau"]
        self.assertIn("Anne Morvan (ADEME — direction régionale Île-de-France)",
                      str(ouverture["DESCRIPTION"]))

    def test_calendar_texts_are_escaped_including_x_wr(self):
        self.import_samples()
        data = self.feed("atelier-cem-2")
        logical = unfold(data)
        desc = [l for l in logical if l.startswith("X-WR-CALDESC:")][0]
        self.assertIn("concrets\\, d'ateliers", desc)
        cal = Calendar.from_ical(data)
        with open(os.path.join(SAMPLES, "atelier-cem-2.json"), encoding="utf-8") as f:
            sample = json.load(f)
        self.assertEqual(str(cal["NAME"]), sample["title"])
        self.assertEqual(str(cal["X-WR-CALNAME"]), sample["title"])
        self.assertEqual(str(cal["DESCRIPTION"]), sample["summary"])

    def test_online_event_has_conference_url_and_location(self):
        self.import_samples()
        data = self.feed("webinaire-covoiturage-2027")
        check_lines(self, data)
        link = "https://visio.example.org/cem/webinaire-covoiturage-2027"
        cal = Calendar.from_ical(data)
        sessions = [e for e in events_of(cal) if "TRANSP" not in e]
        self.assertTrue(sessions)
        for e in sessions:
            self.assertEqual(str(e["URL"]), link)
            self.assertIn(link, str(e["LOCATION"]))
            self.assertIn(link, str(e["DESCRIPTION"]))
            self.assertNotIn("GEO", e)
        conf = [l for l in unfold(data) if l.startswith("CONFERENCE")]
        self.assertEqual(len(conf), len(sessions) + 1)
        self.assertTrue(conf[0].startswith("CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL="))
        self.assertTrue(conf[0].endswith(":" + link))

    def test_same_data_gives_the_same_bytes(self):
        self.import_samples()
        first = self.feed()
        out = os.path.join(self.dir, "all.ics")
        self.planner("calendar", "-o", out, now="2031-01-01T00:00:00Z")
        with open(out, "rb") as f:
            self.assertEqual(f.read(), first)
        # Re-importing unchanged files changes nothing either.
        self.import_samples()
        self.assertEqual(self.feed(), first)

    def test_update_bumps_sequence_and_keeps_removed_session_cancelled(self):
        src = os.path.join(SAMPLES, "atelier-cem-2.json")
        with open(src, encoding="utf-8") as f:
            ev = json.load(f)
        self.planner("event", "import", src)
        before = {str(e["UID"]): e for e in events_of(Calendar.from_ical(
            self.feed("atelier-cem-2")))}
        changed, removed = ev["sessions"][1], ev["sessions"][2]
        changed["title"] += " (nouvel horaire)"
        ev["sessions"].remove(removed)
        path = os.path.join(self.dir, "atelier-cem-2.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(ev, f, ensure_ascii=False)
        self.planner("event", "import", path, now="2026-11-02T09:30:00Z")
        data = self.feed("atelier-cem-2")
        check_lines(self, data)
        after_events = events_of(Calendar.from_ical(data))
        after = {str(e["SUMMARY"]): e for e in after_events}
        ch = after[changed["title"]]
        old = before[str(ch["UID"])]
        self.assertGreater(int(ch["SEQUENCE"]), int(old["SEQUENCE"]))
        self.assertEqual(ch.decoded("LAST-MODIFIED").strftime("%Y%m%dT%H%M%S"),
                         "20261102T093000")
        self.assertEqual(ch.decoded("DTSTAMP"), ch.decoded("LAST-MODIFIED"))
        gone = after["Annulé : " + removed["title"]]
        self.assertEqual(str(gone["STATUS"]), "CANCELLED")
        self.assertGreater(int(gone["SEQUENCE"]), int(before[str(gone["UID"])]["SEQUENCE"]))
        same = after[ev["sessions"][0]["title"]]
        self.assertEqual(int(same["SEQUENCE"]), int(before[str(same["UID"])]["SEQUENCE"]))
        self.assertEqual(set(before), {str(e["UID"]) for e in after_events})

    def test_utc_and_etc_zones_serialise_in_every_feed(self):
        """Issue 10, item 5: zones import accepts (UTC, GMT, Etc/*) are written
        in UTC or with their VTIMEZONE, and never break the other events."""
        import datetime
        with open(os.path.join(SAMPLES, "atelier-cem-1.json"), encoding="utf-8") as f:
            sample = json.load(f)
        # the sample's first session starts 09:30 local on 2018-05-24
        offsets = {"UTC": 0, "GMT": 0, "Etc/UTC": 0, "Etc/GMT+5": 5, "Etc/GMT-14": -14,
                   "Europe/Paris": -2}
        slugs = {}
        for zone in offsets:
            ev = dict(sample, timezone=zone, status="published",
                      slug="z-" + re.sub(r"[^a-z0-9]+", "-", zone.lower().replace("+", "p")))
            path = os.path.join(self.dir, ev["slug"] + ".json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(ev, f)
            self.planner("event", "import", path)
            slugs[zone] = ev["slug"]
        first = sample["sessions"][0]
        for zone, hours in offsets.items():
            local = datetime.datetime(2018, 5, 24, *map(int, first["start"].split(":")))
            want = (local + datetime.timedelta(hours=hours)).replace(tzinfo=datetime.timezone.utc)
            for data in (self.feed(slugs[zone]), self.feed()):
                check_lines(self, data)
                cal = Calendar.from_ical(data)
                same = [e for e in events_of(cal) if str(e["SUMMARY"]) == first["title"]
                        and e.decoded("DTSTART") == want]
                self.assertTrue(same, "%s: no session at %s" % (zone, want))
            if offsets[zone] == 0 and zone != "Etc/UTC":
                self.assertIn(b"\r\nDTSTART:20180524T%s00Z\r\n" % first["start"].replace(":", "").encode(),
                              self.feed(slugs[zone]))
        self.assertEqual(self.planner("calendar").returncode, 0)

    def test_session_with_times_the_wrong_way_round_has_no_dtend(self):
        """A session ending before it starts is an agenda conflict, not
        refused; its feed entry must still follow RFC 5545 (DTEND after
        DTSTART): it has no DTEND."""
        with open(os.path.join(SAMPLES, "atelier-cem-1.json"), encoding="utf-8") as f:
            ev = json.load(f)
        ev = dict(ev, slug="envers", status="draft")
        s = dict(ev["sessions"][0], id="envers", title="Dans le mauvais sens",
                 start="11:00", end="10:30")
        ev["sessions"] = [s] + ev["sessions"][1:]
        path = os.path.join(self.dir, "envers.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(ev, f)
        self.planner("event", "import", path)
        cal = Calendar.from_ical(self.feed("envers"))  # a draft: the CLI writes it
        entry = [e for e in events_of(cal) if str(e["SUMMARY"]) == "Dans le mauvais sens"]
        self.assertEqual(len(entry), 1)
        self.assertNotIn("DTEND", entry[0])
        for e in events_of(cal):
            if "DTEND" in e:
                self.assertGreater(e.decoded("DTEND"), e.decoded("DTSTART"))

    def test_output_is_all_or_nothing(self):
        """Issue 10, item 7: -o writes a temporary file and renames it; a
        write error keeps the old file, exits 3, and frees nothing twice."""
        import resource
        import signal
        # a feed small enough for stdio's buffer fails only at fclose: once
        self.planner("init")
        p = self.planner("calendar", "-o", "/dev/full", ok=False)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(b"/dev/full: write failed: No space left on device", p.stderr)
        self.assertNotIn(b"AddressSanitizer", p.stderr)
        self.import_samples()
        # copies of the samples under other slugs: a feed well over 64 KiB
        for name in sorted(os.listdir(SAMPLES)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(SAMPLES, name), encoding="utf-8") as f:
                ev = json.load(f)
            for k in range(3):
                path = os.path.join(self.dir, "copy-%d-%s" % (k, name))
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(dict(ev, slug="%s-copy%d" % (ev["slug"], k)), f)
                self.planner("event", "import", path)
        full = self.feed()
        self.assertGreater(len(full), 96 * 1024)
        target = os.path.join(self.dir, "events.ics")
        with open(target, "wb") as f:
            f.write(b"the old feed\n")

        def small_disk():  # 48 KiB per file: SQLite's 32 KiB shared memory fits
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (48 * 1024, 48 * 1024))
        p = subprocess.run([PLANNER, "--db", self.db, "calendar", "-o", target],
                           capture_output=True, env=self.env, timeout=30, preexec_fn=small_disk)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(b"File too large", p.stderr)
        self.assertIn(b"the file was left as it was", p.stderr)
        with open(target, "rb") as f:
            self.assertEqual(f.read(), b"the old feed\n")
        self.assertEqual([n for n in os.listdir(self.dir) if ".tmp-" in n], [])
        # a full device: exit 3 with a message, not an abort
        p = self.planner("calendar", "-o", "/dev/full", ok=False)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(b"/dev/full: cannot write: No space left on device", p.stderr)
        # a device is written in place, never replaced by a rename
        self.planner("calendar", "-o", "/dev/null")
        self.assertTrue(stat.S_ISCHR(os.stat("/dev/null").st_mode))
        # and on success the file is the feed, byte for byte
        self.planner("calendar", "-o", target)
        with open(target, "rb") as f:
            self.assertEqual(f.read(), full)
        # a link to a file stays a link; the file it points to is replaced
        link = os.path.join(self.dir, "link.ics")
        os.symlink(target, link)
        with open(target, "wb") as f:
            f.write(b"old")
        self.planner("calendar", "-o", link)
        self.assertTrue(os.path.islink(link))
        with open(target, "rb") as f:
            self.assertEqual(f.read(), full)

    def test_errors(self):
        self.import_samples()
        p = self.planner("calendar", "no-such-event", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"planner: no event 'no-such-event'", p.stderr)
        p = self.planner("calendar", "--bogus", ok=False)
        self.assertEqual(p.returncode, 2)
        p = self.planner("calendar", "--help")
        self.assertIn(b"--attendee", p.stdout)


# ---- subscribe, against a real HTTP server ----

FEED_V1 = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//remote//FR\r
X-WR-CALNAME:Réseau vélo\\, Île-de-France\r
BEGIN:VEVENT\r
UID:velo-1@remote.example\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID=Europe/Paris:20270115T180000\r
DTEND;TZID=Europe/Paris:20270115T200000\r
SUMMARY:Atelier réparation vélo\r
LOCATION:Maison du vélo\\, Paris\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:velo-2@remote.example\r
DTSTAMP:20260101T000000Z\r
DTSTART:20270120T170000Z\r
DTEND:20270120T180000Z\r
SUMMARY:Balade découverte\r
END:VEVENT\r
END:VCALENDAR\r
"""
FEED_V2 = FEED_V1.replace("Atelier réparation vélo", "Atelier réparation vélo — complet") \
    .replace(FEED_V1[FEED_V1.index("BEGIN:VEVENT\r\nUID:velo-2"):FEED_V1.index("END:VCALENDAR")],
             "")


class PersonalFeedTest(Base):
    """The feed of one attendee: common sessions and their own breakouts."""

    def setUp(self):
        super().setUp()
        self.import_samples()
        self.planner("registrations", "import", "atelier-cem-2",
                     os.path.join(SAMPLES, "atelier-cem-2.registrations.csv"))
        with open(os.path.join(SAMPLES, "atelier-cem-2.json"), encoding="utf-8") as f:
            self.sample = json.load(f)

    def test_attendee_feed_has_common_sessions_and_chosen_workshop_only(self):
        data = self.feed("atelier-cem-2", "--attendee", "Celine.Vasseur@example.org")
        check_lines(self, data)
        text = data.decode()
        self.assertNotIn("ATTENDEE", text)
        self.assertNotIn("@example", text)
        cal = Calendar.from_ical(data)
        events = events_of(cal)
        uids = [str(e["UID"]) for e in events]
        self.assertEqual(len(uids), len(set(uids)))
        titles = {str(e["SUMMARY"]) for e in events}
        by_id = {s["id"]: s for s in self.sample["sessions"]}
        self.assertIn(by_id["atelier-covoiturage"]["title"], titles)
        self.assertNotIn(by_id["atelier-pdie"]["title"], titles)
        self.assertNotIn(by_id["atelier-flottes"]["title"], titles)
        for s in self.sample["sessions"]:
            if s["kind"] != "workshop":
                self.assertIn(s["title"], titles, s["id"])
        # Its UIDs are its own: never the public feed's, so that a person
        # subscribed to both sees no duplicates merged or lost.
        public = {str(e["UID"]) for e in events_of(Calendar.from_ical(self.feed("atelier-cem-2")))}
        self.assertFalse(public & set(uids))

    def test_cancelled_registration_feed_says_cancelled(self):
        self.planner("registrations", "cancel", "atelier-cem-2", "--email",
                     "celine.vasseur@example.org")
        data = self.feed("atelier-cem-2", "--attendee", "celine.vasseur@example.org")
        events = events_of(Calendar.from_ical(data))
        self.assertTrue(events)
        self.assertTrue(all(str(e["STATUS"]) == "CANCELLED" for e in events))

    def test_unknown_attendee_is_exit_1(self):
        p = self.planner("calendar", "atelier-cem-2", "--attendee", "nobody@example.org",
                         ok=False)
        self.assertEqual(p.returncode, 1, p.stderr.decode())
        self.assertIn(b"nobody@example.org", p.stderr)


class Remote:
    def __init__(self):
        self.version = 1
        self.requests = []


def make_handler(state):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_body(self, body, ctype="text/calendar; charset=utf-8", headers=()):
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:  # the client gave up (size cap, timeout)
                pass

        def do_GET(self):
            state.requests.append((self.path, dict(self.headers)))
            etag = '"v%d"' % state.version
            if self.path == "/feed.ics":
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                body = (FEED_V1 if state.version == 1 else FEED_V2).encode()
                self.send_body(body, headers=[("ETag", etag),
                                              ("Last-Modified", "Thu, 01 Oct 2026 08:00:00 GMT")])
            elif self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", "/feed.ics")
                self.end_headers()
            elif self.path.startswith("/loop"):
                self.send_response(302)
                self.send_header("Location", "/loop%d" % (len(state.requests)))
                self.end_headers()
            elif self.path == "/page":
                self.send_body(b"<!DOCTYPE html><html><body>Agenda</body></html>",
                               "text/html; charset=utf-8")
            elif self.path == "/big.ics":
                body = FEED_V1.encode() + b"X-PAD:" + b"x" * (6 << 20) + b"\r\n"
                self.send_body(body)
            elif self.path == "/slow.ics":
                time.sleep(4)
                self.send_body(FEED_V1.encode())
            elif self.path == "/missing.ics":
                self.send_response(404)
                self.end_headers()
            else:
                self.send_response(500)
                self.end_headers()
    return Handler


class SubscribeTest(Base):
    @classmethod
    def setUpClass(cls):
        cls.state = Remote()
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(cls.state))
        cls.server.daemon_threads = True
        cls.base = "http://127.0.0.1:%d" % cls.server.server_address[1]
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def setUp(self):
        super().setUp()
        self.state.version = 1
        self.state.requests.clear()

    def externals(self):
        cal = Calendar.from_ical(self.feed())
        return {str(e["UID"]): e for e in events_of(cal) if "remote.example" in str(e["UID"])}

    def test_subscribe_then_conditional_then_update_in_place(self):
        self.import_samples()
        p = self.planner("subscribe", "--allow-private", self.base + "/moved")  # one redirect
        self.assertIn("Réseau vélo, Île-de-France".encode(), p.stderr)
        ext = self.externals()
        self.assertEqual(set(ext), {"velo-1@remote.example", "velo-2@remote.example"})
        self.assertEqual(str(ext["velo-1@remote.example"]["SUMMARY"]), "Atelier réparation vélo")
        self.assertEqual(ext["velo-1@remote.example"]["DTSTART"].params["TZID"], "Europe/Paris")
        self.assertEqual(str(ext["velo-1@remote.example"]["LOCATION"]), "Maison du vélo, Paris")
        data = self.feed()
        check_lines(self, data)

        # Same feed again: a conditional request, answered 304, nothing changes.
        self.planner("subscribe", "--allow-private", self.base + "/feed.ics")
        self.planner("subscribe", "--allow-private", self.base + "/feed.ics")
        path, headers = self.state.requests[-1]
        self.assertEqual(headers.get("If-None-Match"), '"v1"')
        self.assertEqual(headers.get("If-Modified-Since"), "Thu, 01 Oct 2026 08:00:00 GMT")
        self.assertEqual(self.feed(), self.feed())

        # The remote feed changes: updated in place, the vanished event cancelled.
        self.state.version = 2
        p = self.planner("subscribe", "--allow-private", self.base + "/feed.ics", now="2026-10-05T10:00:00Z")
        self.assertIn(b"1 changed, 1 cancelled", p.stderr)
        after = self.externals()
        self.assertEqual(set(after), set(ext))
        one = after["velo-1@remote.example"]
        self.assertEqual(str(one["SUMMARY"]), "Atelier réparation vélo — complet")
        self.assertGreater(int(one["SEQUENCE"]), int(ext["velo-1@remote.example"]["SEQUENCE"]))
        two = after["velo-2@remote.example"]
        self.assertEqual(str(two["STATUS"]), "CANCELLED")

    def assert_refused(self, path, code, message, *extra):
        self.planner("subscribe", "--allow-private", self.base + "/feed.ics")
        before = self.feed()
        p = self.planner("subscribe", "--allow-private", self.base + path, *extra, ok=False)
        self.assertEqual(p.returncode, code, p.stderr)
        self.assertIn(message, p.stderr.decode())
        self.assertTrue(p.stderr.startswith(b"planner: "))
        self.assertEqual(self.feed(), before)

    def test_html_is_refused(self):
        self.assert_refused("/page", 1, "not an iCalendar feed")

    def test_oversized_body_is_refused(self):
        self.assert_refused("/big.ics", 1, "larger than")

    def test_slow_server_times_out(self):
        t0 = time.monotonic()
        self.assert_refused("/slow.ics", 3, "no complete answer within 1 s", "--timeout", "1")
        self.assertLess(time.monotonic() - t0, 4)

    def test_redirect_loop_is_bounded(self):
        self.assert_refused("/loop", 3, "redirects")

    def test_http_error(self):
        self.assert_refused("/missing.ics", 3, "HTTP 404")

    def test_other_schemes_refused(self):
        p = self.planner("subscribe", "ftp://127.0.0.1/x.ics", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"only http and https", p.stderr)

    def test_file_url_is_refused_without_reading_the_file(self):
        """Issue 10, item 13: file:// used to be read, and its first bytes
        echoed in the error."""
        path = os.path.join(self.dir, "secret.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("SECRET-CONTENT line one\n")
        for url in ("file://" + path, "FILE://" + path):
            p = self.planner("subscribe", "--allow-private", url, ok=False)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn(b"only http and https", p.stderr)
            self.assertNotIn(b"SECRET", p.stderr)
        self.assertEqual(self.externals(), {})

    def test_this_machine_is_refused_without_allow_private(self):
        for host in ("127.0.0.1", "localhost"):
            url = self.base.replace("127.0.0.1", host) + "/feed.ics"
            p = self.planner("subscribe", url, ok=False)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn(b"refused", p.stderr)
            self.assertIn(b"--allow-private", p.stderr)
        self.assertEqual(self.state.requests, [])  # not even connected
        self.assertEqual(self.externals(), {})
        self.planner("subscribe", "--allow-private", self.base + "/feed.ics")
        self.assertEqual(len(self.externals()), 2)

    def test_password_in_url_is_used_never_shown_nor_stored(self):
        import base64
        import sqlite3
        secret_url = self.base.replace("://", "://reader:s3cr%40t@") + "/feed.ics"
        p = self.planner("subscribe", "--allow-private", secret_url)
        self.assertNotIn(b"s3cr", p.stderr)
        self.assertNotIn(b"reader", p.stderr)
        self.assertIn((self.base + "/feed.ics").encode(), p.stderr)
        _, headers = self.state.requests[-1]
        self.assertEqual(headers.get("Authorization"),
                         "Basic " + base64.b64encode(b"reader:s3cr@t").decode())
        with sqlite3.connect(self.db) as db:
            urls = [r[0] for r in db.execute("SELECT url FROM external_sources")]
        self.assertEqual(urls, [self.base + "/feed.ics"])
        with open(self.db, "rb") as f:
            self.assertNotIn(b"s3cr", f.read())
        # the second run finds the source again: a conditional request
        self.planner("subscribe", "--allow-private", secret_url)
        self.assertEqual(self.state.requests[-1][1].get("If-None-Match"), '"v1"')
        # and an error names the URL without the password either
        p = self.planner("subscribe", "--allow-private",
                         secret_url.replace("/feed.ics", "/missing.ics"), ok=False)
        self.assertEqual(p.returncode, 3)
        self.assertNotIn(b"s3cr", p.stderr)
        self.assertIn(b"HTTP 404", p.stderr)


if __name__ == "__main__":
    unittest.main()
