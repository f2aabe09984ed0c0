"""End-to-end tests of the mail: the real `planner` binary sending to a real
SMTP server (aiosmtpd, tests/e2e/smtp_sink.py) on 127.0.0.1 and a free
port. Every received message is parsed with Python's `email` package and
its calendar attachment with `icalendar`."""
import copy
import email
import email.policy
import glob
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import unittest

import icalendar

sys.path.insert(0, os.path.dirname(__file__))
from planner_test import BIN, PlannerTestCase  # noqa: E402

SINK = os.path.join(os.path.dirname(__file__), "smtp_sink.py")
BASE = "https://agenda.example.org"
FROM = "Journée écomobilité <ecomobilite@example.org>"

EVENT = {
    "slug": "ecomobilite",
    "title": "Journée écomobilité",
    "format": "hybrid",
    "online_url": "https://visio.example.org/ecomobilite",
    "timezone": "Europe/Paris",
    "start": "2027-03-18T09:30",
    "end": "2027-03-18T17:00",
    "venue": {"name": "Halle Pajol", "address": "20 esplanade Nathalie Sarraute, 75018 Paris",
              "lat": 48.8893, "lon": 2.3621},
    "capacity": 2,
    "status": "published",
    "sessions": [
        {"id": "ouverture", "title": "Ouverture", "kind": "plenary", "start": "09:30",
         "end": "10:00"},
        {"id": "velo", "title": "Atelier : vélo-école", "kind": "workshop", "start": "10:00",
         "end": "11:00", "room": "Salle B"},
    ],
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """The SMTP server, in its own process."""

    def __init__(self, folder, *extra):
        self.dir = os.path.join(folder, "sink-%d" % time.time_ns())
        os.makedirs(self.dir)
        self.port = free_port()
        self.proc = subprocess.Popen(["/usr/bin/python3", SINK, self.dir, str(self.port), *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("ready"):
            raise RuntimeError("SMTP sink did not start: " + line + self.proc.stdout.read())

    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def files(self):
        return sorted(glob.glob(os.path.join(self.dir, "*.eml")))

    def messages(self):
        out = []
        for path in self.files():
            with open(path, "rb") as f:
                raw = f.read()
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            with open(path[:-4] + ".rcpt") as f:
                env = f.read().split("\n")
            out.append((raw, msg, env[0], [a for a in env[1:] if a]))
        return out

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


class MailTestCase(PlannerTestCase):
    def setUp(self):
        super().setUp()
        self.sinks = []

    def tearDown(self):
        for s in self.sinks:
            s.stop()
        super().tearDown()

    def sink(self, *extra):
        s = Sink(self.dir, *extra)
        self.sinks.append(s)
        return s

    def env(self, sink, **more):
        e = {"PLANNER_SMTP_URL": sink.url(), "PLANNER_MAIL_FROM": FROM, "PLANNER_MAIL_RATE": "0",
             "PLANNER_BASE_URL": BASE}
        e.update(more)
        return e

    def put_event(self, event):
        path = self.write("event.json", json.dumps(event, ensure_ascii=False))
        self.ok("event", "import", path)

    def outbox(self, *args):
        r = self.ok("mail", "list", *args, "--format", "json")
        return json.loads(r.stdout)["messages"]


class FlowTest(MailTestCase):
    """Register, import, promote, change, send: who gets what."""

    def test_each_person_gets_exactly_their_messages(self):
        self.put_event(EVENT)
        self.ok("register", "ecomobilite", "--name", "Éloïse Dupré", "--email", "eloise@example.org")
        csv = self.write("inscrits.csv",
                         "Nom;Courriel;Sessions\n"
                         "Bruno Lefèvre;bruno@example.org;velo\n"
                         "Chloé Martin;chloe@example.org;\n")
        self.ok("registrations", "import", "ecomobilite", csv)
        # Importing the same file again queues nothing new.
        self.ok("registrations", "import", "ecomobilite", csv)
        self.assertEqual([(m["to"], m["kind"]) for m in self.outbox()],
                         [("eloise@example.org", "confirmation"),
                          ("bruno@example.org", "confirmation"),
                          ("chloe@example.org", "waitlisted")])
        # Without a relay, nothing is lost: everything waits.
        r = self.run_planner("mail", "send")
        self.assertEqual(r.returncode, 1)
        self.assertIn("PLANNER_SMTP_URL is not set", r.stderr)
        sink = self.sink()
        self.ok("mail", "send", env=self.env(sink))
        self.assertEqual(len(sink.messages()), 3)
        # Éloïse cancels: Chloé is promoted.
        self.ok("registrations", "cancel", "ecomobilite", "--email", "eloise@example.org")
        # The workshop moves and the plenary is renamed; merged per person.
        ev = copy.deepcopy(EVENT)
        ev["sessions"][1]["start"], ev["sessions"][1]["end"] = "14:00", "15:00"
        self.put_event(ev)
        ev["sessions"][0]["title"] = "Ouverture de la journée"
        self.put_event(ev)
        queued = [(m["to"], m["kind"]) for m in self.outbox()]
        self.assertEqual(queued[3:], [("eloise@example.org", "cancellation"),
                                      ("chloe@example.org", "promotion"),
                                      ("bruno@example.org", "change"),
                                      ("chloe@example.org", "change")])
        # Change messages wait a few minutes for more changes: --now skips that.
        r = self.ok("mail", "send", env=self.env(sink))
        self.assertEqual(len(sink.messages()), 5)
        r = self.ok("mail", "send", "--now", env=self.env(sink))
        self.assertIn("2 sent", r.stderr)
        msgs = sink.messages()
        self.assertEqual(len(msgs), 7)
        # Nothing twice.
        self.ok("mail", "send", "--now", env=self.env(sink))
        self.assertEqual(len(sink.messages()), 7)

        regs = {r["email"]: r for r in json.loads(
            self.ok("registrations", "list", "ecomobilite", "--format", "json").stdout)}
        got = {}
        ids = set()
        for raw, m, mail_from, rcpt in msgs:
            to = m["To"].addresses[0].addr_spec
            self.assertEqual(rcpt, [to])
            self.assertEqual(mail_from, "ecomobilite@example.org")
            self.assertEqual(m["From"].addresses[0].display_name, "Journée écomobilité")
            self.assertEqual(m["From"].addresses[0].addr_spec, "ecomobilite@example.org")
            self.assertIsNotNone(m["Date"].datetime)
            self.assertRegex(m["Message-ID"], r"^<[0-9a-f]{32}@example\.org>$")
            ids.add(m["Message-ID"])
            # RFC 2047 on the wire, accents once decoded.
            wire_subject = re.search(rb"^Subject:(.*?)\r\n(?! )", raw, re.M | re.S).group(1)
            self.assertIn(b"=?", wire_subject)
            self.assertNotIn("é".encode(), wire_subject)
            self.assertIn("Journée écomobilité", m["Subject"])
            self.assertTrue(raw.count(b"\r\n") > 10 and b"\n" not in raw.replace(b"\r\n", b""))
            text = m.get_body(("plain",)).get_content()
            html = m.get_body(("html",)).get_content()
            self.assertNotIn("<img", html)
            links = re.findall(r"https://agenda\.example\.org/me/([0-9a-f]{64})", text)
            self.assertEqual(len(links), 1, text)
            self.assertIn(BASE + "/me/" + links[0], html)
            self.assertEqual(m["Content-Language"], "fr")
            atts = list(m.iter_attachments())
            self.assertEqual(len(atts), 1)
            self.assertEqual(atts[0].get_content_type(), "text/calendar")
            self.assertEqual(atts[0].get_param("method"), "PUBLISH")
            cal = icalendar.Calendar.from_ical(atts[0].get_payload(decode=True))
            uids = sorted(str(e["UID"]) for e in cal.walk("VEVENT"))
            feed = icalendar.Calendar.from_ical(self.ok(
                "calendar", "ecomobilite", "--attendee", to).stdout)
            self.assertEqual(uids, sorted(str(e["UID"]) for e in feed.walk("VEVENT")))
            self.assertTrue(all(u.startswith("p-" + regs[to]["uid"]) for u in uids))
            got.setdefault(to, []).append((m["Subject"], text))
        self.assertEqual(len(ids), 7)

        subjects = {to: [s.split(" : ")[0] for s, _ in v] for to, v in got.items()}
        self.assertEqual(subjects, {
            "eloise@example.org": ["Inscription confirmée", "Désinscription enregistrée"],
            "bruno@example.org": ["Inscription confirmée", "Modification du programme"],
            "chloe@example.org": ["Liste d'attente", "Une place s'est libérée",
                                  "Modification du programme"],
        })
        bruno = dict(got["bruno@example.org"])
        change = bruno["Modification du programme : Journée écomobilité"]
        self.assertIn("Atelier : vélo-école", change)
        self.assertIn("déplacé", change)
        self.assertIn("14:00", change)
        self.assertIn("10:00", change)  # as it was
        self.assertIn("Ouverture de la journée", change)
        self.assertIn("renommé", change)
        chloe = dict(got["chloe@example.org"])
        self.assertIn("en position 1", chloe["Liste d'attente : Journée écomobilité"])
        self.assertNotIn("Atelier : vélo-école",
                         chloe["Modification du programme : Journée écomobilité"])
        self.assertIn("Ouverture de la journée",
                      chloe["Modification du programme : Journée écomobilité"])
        self.assertIn("Bruno", dict(got["bruno@example.org"])[
            "Inscription confirmée : Journée écomobilité"])

        listed = self.outbox()
        self.assertEqual(set(listed[0]), {"id", "to", "kind", "subject", "status", "attempts",
                                          "error", "created", "sent"})
        self.assertTrue(all(m["status"] == "sent" and m["attempts"] == 1 and m["error"] is None
                            and m["sent"] for m in listed))
        self.assertEqual(listed[0]["subject"], "Inscription confirmée : Journée écomobilité")
        # preview: the whole message
        r = self.ok("mail", "preview", str(listed[0]["id"]), env={"PLANNER_MAIL_FROM": FROM})
        pm = email.message_from_string(r.stdout, policy=email.policy.default)
        self.assertEqual(pm["Message-ID"], [m for _, m, _, _ in msgs][0]["Message-ID"])

    def test_no_mail_import_and_announcement_and_reminders(self):
        self.put_event(EVENT)
        csv = self.write("inscrits.csv", "Nom;Courriel\nAnaïs Roy;anais@example.org\n"
                         "Basile Roy;basile@example.org\nCamille Roy;camille@example.org\n")
        self.ok("registrations", "import", "ecomobilite", csv, "--no-mail")
        self.assertEqual(self.outbox(), [])
        body = self.write("annonce.txt", "La salle change : rendez-vous à la Halle Pajol.\n\nÀ bientôt.")
        r = self.ok("mail", "announce", "ecomobilite", "--subject", "Salle changée ✓",
                    "--body-file", body, "--to", "waitlisted")
        self.assertIn("1 message queued", r.stderr)
        self.ok("mail", "announce", "ecomobilite", "--subject", "Bienvenue", "--body-file", body)
        r = self.run_planner("mail", "announce", "ecomobilite", "--subject", "x", "--body-file",
                             body, "--to", "everyone")
        self.assertEqual(r.returncode, 2)
        sink = self.sink()
        # Two days before: the reminder; the day before: the link (hybrid).
        self.ok("mail", "send", env=self.env(sink, PLANNER_NOW="2027-03-16T07:00:00Z"))
        self.ok("mail", "send", env=self.env(sink, PLANNER_NOW="2027-03-17T09:00:00Z"))
        self.ok("mail", "send", env=self.env(sink, PLANNER_NOW="2027-03-17T10:00:00Z"))
        got = {}
        for raw, m, _, _ in sink.messages():
            got.setdefault(m["To"].addresses[0].addr_spec, []).append(m)
        # Camille waits (two places): the announcement to the waiting list,
        # no reminder.
        self.assertEqual([m["Subject"] for m in got["camille@example.org"]],
                         ["[Journée écomobilité] Salle changée ✓"])
        self.assertEqual([m["Subject"] for m in got["anais@example.org"]],
                         ["[Journée écomobilité] Bienvenue", "Rappel : Journée écomobilité",
                          "Lien de connexion : Journée écomobilité"])
        ann = got["camille@example.org"][0]
        self.assertIn("À bientôt.", ann.get_body(("plain",)).get_content())
        self.assertEqual(list(ann.iter_attachments()), [])
        link = got["anais@example.org"][2].get_body(("plain",)).get_content()
        self.assertIn("https://visio.example.org/ecomobilite", link)
        reminder = got["anais@example.org"][1].get_body(("plain",)).get_content()
        self.assertIn("jeudi 18 mars 2027", reminder)
        self.assertNotIn("https://visio.example.org", reminder)
        # Per-event lead: 0 turns reminders off.
        self.assertEqual(self.ok("mail", "reminders", "ecomobilite", "--days", "0").stdout, "0\n")

    def test_a_workshop_waited_for_is_not_called_theirs(self):
        # One seat in the workshop: the second person is confirmed for the
        # day but waits for the workshop; their mail must say so, as /me does.
        ev = copy.deepcopy(EVENT)
        ev["sessions"][1]["capacity"] = 1
        self.put_event(ev)
        for n, who in enumerate(("ana", "bob")):
            self.ok("register", "ecomobilite", "--name", who.title(), "--email",
                    f"{who}@example.org", "--session", "velo")
        sink = self.sink()
        self.ok("mail", "send", env=self.env(sink))
        text = {m["To"].addresses[0].addr_spec: m.get_body(("plain",)).get_content()
                for _, m, _, _ in sink.messages()}
        # The title's own colon is followed by a dash, not by a second colon;
        # a room named "Salle B" is not called "salle Salle B".
        line = next(l for l in text["ana@example.org"].splitlines() if "vélo-école" in l)
        self.assertRegex(line, r"^- Atelier : vélo-école — jeudi 18 mars 2027.* \(Salle B\)$")
        self.assertNotIn("salle Salle", text["ana@example.org"])
        self.assertIn("Atelier : vélo-école", text["bob@example.org"])
        self.assertIn("complet : vous êtes sur sa liste d'attente, position 1",
                      text["bob@example.org"])
        self.assertNotIn("liste d'attente", text["ana@example.org"])
        # Ana cancels: Bob gets the workshop's seat, and is told so, once.
        self.ok("registrations", "cancel", "ecomobilite", "--email", "ana@example.org")
        sink2 = self.sink()
        self.ok("mail", "send", env=self.env(sink2))
        got = {}
        for _, m, _, _ in sink2.messages():
            got.setdefault(m["To"].addresses[0].addr_spec, []).append(m)
        (seat,) = got["bob@example.org"]
        self.assertEqual(seat["Subject"], "Une place en atelier : Journée écomobilité")
        body = seat.get_body(("plain",)).get_content()
        self.assertIn("une place s'est libérée dans l'atelier « Atelier : vélo-école »", body)
        self.assertNotIn("liste d'attente", body)
        self.assertEqual(len(got["ana@example.org"]), 1)  # her cancellation
        self.ok("mail", "send", env=self.env(sink2))  # nothing twice
        self.assertEqual(len(sink2.messages()), 2)

    def test_english_event_in_english(self):
        ev = copy.deepcopy(EVENT)
        ev.update(slug="mobility-day", title="Mobility day", timezone="Europe/London")
        self.put_event(ev)
        self.ok("register", "mobility-day", "--name", "Ann Lee", "--email", "ann@example.org")
        sink = self.sink()
        self.ok("mail", "send", env=self.env(sink))
        (raw, m, _, _), = sink.messages()
        self.assertEqual(m["Subject"], "Registration confirmed: Mobility day")
        self.assertEqual(m["Content-Language"], "en")
        self.assertIn("Hello Ann,", m.get_body(("plain",)).get_content())


class AllocationMailTest(MailTestCase):
    """`planner sessions allocate` tells each person allocated the workshop
    given per slot, or that none could be, once per outcome (issue 14)."""

    def test_allocation_tells_each_person_once_per_outcome(self):
        ev = copy.deepcopy({k: v for k, v in EVENT.items() if k != "capacity"})
        ev["sessions"][1]["capacity"] = 1
        ev["sessions"].append({"id": "marche", "title": "Atelier marche", "kind": "workshop",
                               "start": "10:00", "end": "11:00", "room": "Salle C",
                               "capacity": 1})
        self.put_event(ev)
        for who, ranks in (("ana", "velo"), ("bob", "velo"), ("chloe", "marche,velo")):
            self.ok("register", "ecomobilite", "--name", who.title() + " Martin", "--email",
                    f"{who}@example.org", "--rank", ranks)
        self.ok("mail", "send", env=self.env(self.sink()))  # the confirmations
        r = self.ok("sessions", "allocate", "ecomobilite", "--format", "json")
        self.assertEqual(json.loads(r.stdout)["totals"]["told"], 3)
        self.assertIn("3 people told by mail", r.stderr)
        queued = [m for m in self.outbox() if m["status"] == "queued"]
        self.assertEqual(sorted((m["to"], m["kind"]) for m in queued),
                         [("ana@example.org", "change"), ("bob@example.org", "change"),
                          ("chloe@example.org", "change")])
        # the same allocation again: nothing new
        r = self.ok("sessions", "allocate", "ecomobilite", "--format", "json")
        self.assertEqual(json.loads(r.stdout)["totals"]["told"], 0)
        self.assertEqual(len([m for m in self.outbox() if m["status"] == "queued"]), 3)
        sink = self.sink()
        self.ok("mail", "send", env=self.env(sink))
        got = {m["To"].addresses[0].addr_spec: m for _, m, _, _ in sink.messages()}
        self.assertEqual(sorted(got), ["ana@example.org", "bob@example.org", "chloe@example.org"])
        ana = got["ana@example.org"]
        self.assertEqual(ana["Subject"], "Votre atelier : Journée écomobilité")
        body = ana.get_body(("plain",)).get_content()
        self.assertIn("ont été attribuées selon les choix de chacun", body)
        self.assertRegex(body, r"- Créneau de 10:00 : Atelier : vélo-école — .*10:00 – 11:00 "
                               r"\(Salle B\) — votre choix n° 1")
        self.assertNotIn("Le programme", body)
        self.assertIn("Atelier marche", got["chloe@example.org"].get_body(("plain",)).get_content())
        bob = got["bob@example.org"].get_body(("plain",)).get_content()
        self.assertIn("- Créneau de 10:00 : pas de place : tous les ateliers que vous avez "
                      "classés sont complets", bob)
        self.assertIn("<li><b>Créneau de 10:00</b> : pas de place",
                      got["bob@example.org"].get_body(("html",)).get_content())
        # Ana leaves; the next allocation places Bob: he alone is told
        self.ok("registrations", "cancel", "ecomobilite", "--email", "ana@example.org")
        r = self.ok("sessions", "allocate", "ecomobilite", "--format", "json")
        self.assertEqual(json.loads(r.stdout)["totals"]["told"], 1)
        sink2 = self.sink()
        self.ok("mail", "send", env=self.env(sink2))
        got = {}
        for _, m, _, _ in sink2.messages():
            got.setdefault(m["To"].addresses[0].addr_spec, []).append(m["Subject"])
        self.assertEqual(got, {"ana@example.org": ["Désinscription enregistrée : Journée "
                                                   "écomobilité"],
                               "bob@example.org": ["Votre atelier : Journée écomobilité"]})
        # --no-mail queues nothing, whatever changed
        self.ok("registrations", "cancel", "ecomobilite", "--email", "bob@example.org")
        self.ok("register", "ecomobilite", "--name", "Dan", "--email", "dan@example.org",
                "--rank", "velo")
        before = len(self.outbox())
        r = self.ok("sessions", "allocate", "ecomobilite", "--no-mail", "--format", "json")
        self.assertEqual(json.loads(r.stdout)["totals"]["told"], 0)
        self.assertEqual(len(self.outbox()), before)

    def test_a_new_outcome_replaces_the_message_not_sent_yet(self):
        ev = copy.deepcopy({k: v for k, v in EVENT.items() if k != "capacity"})
        ev["sessions"][1]["capacity"] = 1
        ev["sessions"].append({"id": "marche", "title": "Atelier marche", "kind": "workshop",
                               "start": "10:00", "end": "11:00", "capacity": 1})
        self.put_event(ev)
        self.ok("register", "ecomobilite", "--name", "Bob", "--email", "bob@example.org",
                "--rank", "velo")
        self.ok("register", "ecomobilite", "--name", "Ana", "--email", "ana@example.org",
                "--rank", "velo,marche")
        self.ok("mail", "send", env=self.env(self.sink()))  # the confirmations
        self.ok("sessions", "allocate", "ecomobilite")  # Bob velo, Ana marche: not sent yet
        self.ok("registrations", "cancel", "ecomobilite", "--email", "bob@example.org")
        r = self.ok("sessions", "allocate", "ecomobilite", "--format", "json")
        self.assertEqual(json.loads(r.stdout)["assignments"][0]["session"], "velo")
        ana = [m for m in self.outbox() if m["to"] == "ana@example.org" and m["kind"] == "change"]
        self.assertEqual(len(ana), 1, ana)  # the older outcome, never sent, is gone
        sink = self.sink()
        self.ok("mail", "send", env=self.env(sink))
        (body,) = [m.get_body(("plain",)).get_content() for _, m, _, _ in sink.messages()
                   if m["To"].addresses[0].addr_spec == "ana@example.org"]
        self.assertIn("Atelier : vélo-école", body)
        self.assertNotIn("Atelier marche", body)
        # Bob left before his was sent: he gets his cancellation, not a workshop
        bob = [m["Subject"] for _, m, _, _ in sink.messages()
               if m["To"].addresses[0].addr_spec == "bob@example.org"]
        self.assertEqual(bob, ["Désinscription enregistrée : Journée écomobilité"])
        # back to the outcome she was told: nothing new
        self.assertEqual(json.loads(self.ok("sessions", "allocate", "ecomobilite", "--format",
                                            "json").stdout)["totals"]["told"], 0)


class FailureTest(MailTestCase):
    def register(self, n):
        self.put_event({k: v for k, v in EVENT.items() if k != "capacity"})
        rows = "".join("Personne %d;p%d@example.org\n" % (i, i) for i in range(n))
        self.ok("registrations", "import", "ecomobilite",
                self.write("p.csv", "Nom;Courriel\n" + rows))

    def test_temporary_failures_are_retried(self):
        self.register(3)
        sink = self.sink("--data-replies", "451")
        r = self.ok("mail", "send", env=self.env(sink))
        self.assertIn("2 sent, 1 to retry", r.stderr)
        first = self.outbox()[0]
        self.assertEqual((first["status"], first["attempts"]), ("queued", 1))
        self.assertIn("451", first["error"])
        # Backoff: not due yet; --now ignores it.
        self.ok("mail", "send", env=self.env(sink))
        self.assertEqual(len(sink.messages()), 2)
        self.ok("mail", "send", "--now", env=self.env(sink))
        self.assertEqual(sorted(m["To"].addresses[0].addr_spec for _, m, _, _ in sink.messages()),
                         ["p0@example.org", "p1@example.org", "p2@example.org"])
        self.assertEqual([(m["status"], m["attempts"]) for m in self.outbox()],
                         [("sent", 2), ("sent", 1), ("sent", 1)])

    def test_421_stops_the_run_then_delivers(self):
        self.register(3)
        sink = self.sink("--data-replies", "421")
        r = self.run_planner("mail", "send", env=self.env(sink))
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("421", r.stderr)
        self.assertEqual(len(sink.messages()), 0)
        self.ok("mail", "send", "--now", env=self.env(sink))
        self.assertEqual(len(sink.messages()), 3)
        self.assertTrue(all(m["status"] == "sent" for m in self.outbox()))

    def test_relay_down_keeps_everything(self):
        self.register(2)
        r = self.run_planner("mail", "send", env={"PLANNER_SMTP_URL": "smtp://127.0.0.1:%d"
                                                  % free_port(), "PLANNER_MAIL_FROM": FROM})
        self.assertEqual(r.returncode, 3)
        self.assertEqual([m["status"] for m in self.outbox()], ["queued", "queued"])

    def test_permanent_failure_is_reported_not_retried(self):
        self.register(3)
        sink = self.sink("--reject", "p1@example.org")
        r = self.ok("mail", "send", env=self.env(sink))
        self.assertIn("1 failed", r.stderr)
        self.assertIn("550", r.stderr)
        failed = self.outbox("--status", "failed")
        self.assertEqual([m["to"] for m in failed], ["p1@example.org"])
        self.assertIn("550", failed[0]["error"])
        self.assertIn("no such user", failed[0]["error"])
        self.ok("mail", "send", "--now", env=self.env(sink))
        self.assertEqual(len(sink.messages()), 2)
        self.assertEqual(self.outbox("--status", "failed")[0]["attempts"], 1)
        r = self.ok("mail", "retry", "--failed")
        self.assertIn("1 failed message queued again", r.stderr)
        self.assertEqual(self.outbox("--status", "queued")[0]["to"], "p1@example.org")
        sent_id = self.outbox("--status", "sent")[0]["id"]
        self.assertEqual(self.run_planner("mail", "retry", str(sent_id)).returncode, 1)

    def test_password_never_in_output(self):
        self.register(1)
        secret = "s3cr3t-Pa55"
        pw = self.write("pw", secret + "\n")
        r = self.run_planner("mail", "send", env={
            "PLANNER_SMTP_URL": "smtp://127.0.0.1:%d" % free_port(), "PLANNER_MAIL_FROM": FROM,
            "PLANNER_SMTP_USER": "u", "PLANNER_SMTP_PASSWORD_FILE": pw})
        self.assertEqual(r.returncode, 3)
        self.assertNotIn(secret, r.stdout + r.stderr)
        self.assertNotIn(secret, json.dumps(self.outbox()))
        with open(self.db, "rb") as f:
            self.assertNotIn(secret.encode(), f.read())


class KillTest(MailTestCase):
    def test_kill_9_in_the_middle_of_1000(self):
        self.put_event({k: v for k, v in EVENT.items() if k != "capacity"})
        n = 1000
        rows = "".join("Personne %d;p%d@example.org\n" % (i, i) for i in range(n))
        self.ok("registrations", "import", "ecomobilite",
                self.write("p.csv", "Nom;Courriel\n" + rows))
        sink = self.sink()
        proc = subprocess.Popen([BIN, "--db", self.db, "mail", "send", "--quiet"],
                                env=dict(os.environ, **self.env(sink)), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while len(sink.files()) < n // 3 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.02)
        self.assertIsNone(proc.poll(), "the sender finished before it could be killed")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        before = len(sink.files())
        self.assertLess(before, n)
        self.ok("mail", "send", "--quiet", env=self.env(sink))
        msgs = sink.messages()
        per = {}
        for _, m, _, _ in msgs:
            per.setdefault(m["To"].addresses[0].addr_spec, []).append(m["Message-ID"])
        self.assertEqual(set(per), {"p%d@example.org" % i for i in range(n)})
        dups = {to: ids for to, ids in per.items() if len(ids) > 1}
        self.assertLessEqual(len(msgs), n + 1)
        for ids in dups.values():
            self.assertEqual(len(set(ids)), 1)
        self.assertTrue(all(m["status"] == "sent" for m in self.outbox()))

    def test_rate_limit_holds_the_rest_in_the_outbox(self):
        # PLANNER_MAIL_RATE=3: three messages leave, then the sender waits for
        # the minute to pass; killed while it waits, it loses nothing.
        self.put_event({k: v for k, v in EVENT.items() if k != "capacity"})
        rows = "".join("Personne %d;r%d@example.org\n" % (i, i) for i in range(5))
        self.ok("registrations", "import", "ecomobilite",
                self.write("r.csv", "Nom;Courriel\n" + rows))
        sink = self.sink()
        proc = subprocess.Popen([BIN, "--db", self.db, "mail", "send", "--quiet"],
                                env=dict(os.environ, **self.env(sink, PLANNER_MAIL_RATE="3")),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 30
            while len(sink.files()) < 3 and time.time() < deadline:
                time.sleep(0.05)
            time.sleep(2)  # time enough for a fourth, were there no limit
            self.assertEqual(len(sink.files()), 3)
            self.assertIsNone(proc.poll(), "the sender should be waiting for the minute")
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        status = sorted(m["status"] for m in self.outbox())
        self.assertEqual(status, ["queued", "queued", "sent", "sent", "sent"])
        self.ok("mail", "send", "--quiet", env=self.env(sink))
        self.assertEqual(sorted(m["To"].addresses[0].addr_spec for _, m, _, _ in sink.messages()),
                         ["r%d@example.org" % i for i in range(5)])


class ServeTest(MailTestCase):
    def test_background_sender_in_serve(self):
        self.put_event(EVENT)
        self.ok("register", "ecomobilite", "--name", "Éloïse Dupré", "--email", "eloise@example.org")
        sink = self.sink()
        port = free_port()
        proc = subprocess.Popen([BIN, "--db", self.db, "serve", "--port", str(port), "--quiet",
                                 "--base-url", "https://serve.example.org"],
                                env=dict(os.environ, **self.env(sink)), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 30
            while not sink.files() and time.time() < deadline:
                time.sleep(0.1)
            (raw, m, _, _), = sink.messages()
            self.assertIn("https://serve.example.org/me/", m.get_body(("plain",)).get_content())
            self.assertEqual(len(list(m.iter_attachments())), 1)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=20)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("stopped", err)


class CarpoolTest(MailTestCase):
    def test_confirmed_groups_tell_each_member_their_car(self):
        self.ok("event", "import", self.sample("atelier-cem-2.json"))
        self.ok("registrations", "import", "atelier-cem-2",
                self.sample("atelier-cem-2.registrations.csv"), "--no-mail")
        plan = json.loads(self.ok("carpool", "plan", "atelier-cem-2", "--format", "json").stdout)
        self.ok("carpool", "confirm", "atelier-cem-2", "--all")
        self.ok("carpool", "confirm", "atelier-cem-2", "--all")  # tells no one twice
        sink = self.sink()
        self.ok("mail", "send", "--quiet", env=self.env(sink))
        got = {}
        for _, m, _, _ in sink.messages():
            got.setdefault(m["To"].addresses[0].addr_spec, []).append(m)
        expected = {}
        for g in plan["groups"]:
            if g["passengers"]:
                expected[g["driver"]["email"]] = ("driver", g)
                for p in g["passengers"]:
                    expected[p["email"]] = ("passenger", g)
        self.assertEqual(set(got), set(expected))
        for to, (role, g) in expected.items():
            (m,) = got[to]
            self.assertEqual(m["Subject"], "Votre covoiturage : Atelier 2 — Conseillers en mobilité")
            text = m.get_body(("plain",)).get_content()
            first = g["driver"]["name"].split()[0]
            if role == "driver":
                self.assertIn("Vous conduisez", text)
                self.assertIn(g["departure_time"][11:], text)
                for p in g["passengers"]:
                    self.assertIn(p["name"].split()[0], text)
            else:
                self.assertIn("Vous êtes passager", text)
                self.assertIn("Conducteur : " + first, text)
                me = next(p for p in g["passengers"] if p["email"] == to)
                self.assertIn(me["pickup_time"][11:], text)
            # no one's e-mail but the recipient's
            others = {e for e in expected if e != to}
            self.assertFalse(any(e in text for e in others))
            cal = icalendar.Calendar.from_ical(list(m.iter_attachments())[0].get_payload(decode=True))
            pickups = [e for e in cal.walk("VEVENT")
                       if str(e.get("SUMMARY")).startswith("Covoiturage")]
            self.assertEqual(len(pickups), 1, [str(e.get("SUMMARY")) for e in cal.walk("VEVENT")])


if __name__ == "__main__":
    unittest.main()
