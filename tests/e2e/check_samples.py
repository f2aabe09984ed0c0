#!/usr/bin/python3
"""Check the sample event files and registrations independently of planner.

An independent reading of docs/event-format.md and
docs/registrations-format.md, so that the samples stay valid whatever the C
core does: every key known, required keys present, types and enums right,
and the agenda rules of `planner agenda check` hold (no speaker in two
overlapping sessions, no two overlapping sessions in one room, sessions
within the event's hours, end after start, session capacity <= event
capacity, every speaker id known). Registrations CSVs next to an event file
(SLUG.registrations.csv) are checked against it.

Usage: /usr/bin/python3 tests/e2e/check_samples.py [FILE.json ...]
(default: every sample-events/*.json). Exit 0 when all good, 1 otherwise,
with one line per problem as FILE: path: what is wrong.
"""

import csv
import glob
import json
import os
import re
import sys
import tempfile
import unicodedata
from datetime import datetime

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover
    ZoneInfo = None

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

EVENT_KEYS = {
    "slug": (str, True), "title": (str, True), "summary": (str, False),
    "description": (str, False), "format": (str, True), "timezone": (str, False),
    "start": (str, True), "end": (str, True), "venue": (dict, False),
    "online_url": (str, False), "capacity": (int, False),
    "organizations": (list, False), "theme": (str, False),
    "challenges": (list, False), "communities": (list, False),
    "commons": (list, False), "speakers": (list, False),
    "sessions": (list, False), "status": (str, False),
}
VENUE_KEYS = {"name": (str, True), "address": (str, False),
              "lat": ((int, float), True), "lon": ((int, float), True)}
SPEAKER_KEYS = {"id": (str, True), "name": (str, True),
                "organization": (str, False), "bio": (str, False)}
SESSION_KEYS = {"id": (str, True), "title": (str, True), "kind": (str, True),
                "start": (str, True), "end": (str, True), "room": (str, False),
                "speakers": (list, False), "capacity": (int, False),
                "description": (str, False)}
FORMATS = {"in_person", "online", "hybrid"}
KINDS = {"talk", "workshop", "meal", "break", "forum", "plenary"}
STATUSES = {"draft", "published", "cancelled"}
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

problems = []


def bad(path, where, msg):
    problems.append("%s: %s: %s" % (os.path.relpath(path), where, msg))


def check_keys(path, where, obj, spec):
    if not isinstance(obj, dict):
        bad(path, where, "expected an object")
        return False
    for k in obj:
        if k not in spec:
            bad(path, where, "unknown key '%s'" % k)
    for k, (typ, required) in spec.items():
        if k not in obj:
            if required:
                bad(path, where, "missing required key '%s'" % k)
            continue
        v = obj[k]
        if isinstance(v, bool) or not isinstance(v, typ):
            bad(path, "%s.%s" % (where, k) if where != "$" else k, "wrong type")
    return True


def parse_event_time(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M")


def parse_session_time(s, day):
    if re.fullmatch(r"\d\d:\d\d", s):
        t = datetime.strptime(s, "%H:%M")
        return day.replace(hour=t.hour, minute=t.minute)
    return parse_event_time(s)


def check_event(path):
    with open(path, encoding="utf-8") as f:
        ev = json.load(f)
    if not check_keys(path, "$", ev, EVENT_KEYS):
        return None
    if not ID_RE.match(ev.get("slug", "")):
        bad(path, "slug", "not lowercase letters, digits and hyphens")
    if os.path.basename(path) != ev.get("slug", "") + ".json":
        bad(path, "slug", "does not match the file name")
    if ev.get("format") not in FORMATS:
        bad(path, "format", "not one of %s" % sorted(FORMATS))
    if ev.get("status", "draft") not in STATUSES:
        bad(path, "status", "not one of %s" % sorted(STATUSES))
    tz = ev.get("timezone", "Europe/Paris")
    if ZoneInfo is not None:
        try:
            ZoneInfo(tz)
        except Exception:
            bad(path, "timezone", "unknown time zone '%s'" % tz)
    if ev.get("format") in ("in_person", "hybrid"):
        if "venue" not in ev:
            bad(path, "venue", "required for an in-person or hybrid event")
        else:
            check_keys(path, "venue", ev["venue"], VENUE_KEYS)
            v = ev["venue"]
            if not (-90 <= v.get("lat", 0) <= 90 and -180 <= v.get("lon", 0) <= 180):
                bad(path, "venue", "coordinates out of range")
    if ev.get("format") in ("online", "hybrid"):
        if not str(ev.get("online_url", "")).startswith("https://"):
            bad(path, "online_url", "required (https://…) for an online or hybrid event")
    for k in ("organizations", "challenges", "communities", "commons"):
        for i, x in enumerate(ev.get(k, [])):
            if not isinstance(x, str):
                bad(path, "%s[%d]" % (k, i), "expected a string")
    cap = ev.get("capacity")
    if cap is not None and cap < 1:
        bad(path, "capacity", "must be positive")

    start = parse_event_time(ev["start"])
    end = parse_event_time(ev["end"])
    if end <= start:
        bad(path, "end", "not after start")

    speakers = set()
    for i, sp in enumerate(ev.get("speakers", [])):
        w = "speakers[%d]" % i
        if check_keys(path, w, sp, SPEAKER_KEYS):
            if sp.get("id") in speakers:
                bad(path, w + ".id", "duplicate speaker id")
            if not ID_RE.match(sp.get("id", "")):
                bad(path, w + ".id", "not lowercase letters, digits and hyphens")
            speakers.add(sp.get("id"))

    sessions = []
    ids = set()
    for i, s in enumerate(ev.get("sessions", [])):
        w = "sessions[%d]" % i
        if not check_keys(path, w, s, SESSION_KEYS):
            continue
        if s["id"] in ids:
            bad(path, w + ".id", "duplicate session id '%s'" % s["id"])
        if not ID_RE.match(s["id"]):
            bad(path, w + ".id", "not lowercase letters, digits and hyphens")
        ids.add(s["id"])
        if s["kind"] not in KINDS:
            bad(path, w + ".kind", "not one of %s" % sorted(KINDS))
        ss = parse_session_time(s["start"], start)
        se = parse_session_time(s["end"], start)
        if se <= ss:
            bad(path, w + ".end", "not after start")
        if ss < start or se > end:
            bad(path, w, "outside the event's hours")
        if cap is not None and s.get("capacity", 0) > cap:
            bad(path, w + ".capacity", "above the event capacity %d" % cap)
        if s.get("capacity") is not None and s["capacity"] < 1:
            bad(path, w + ".capacity", "must be positive")
        for sp in s.get("speakers", []):
            if sp not in speakers:
                bad(path, w + ".speakers", "unknown speaker '%s'" % sp)
        sessions.append((w, s, ss, se))

    for a in range(len(sessions)):
        wa, sa, sa0, sa1 = sessions[a]
        for b in range(a + 1, len(sessions)):
            wb, sb, sb0, sb1 = sessions[b]
            if not (sa0 < sb1 and sb0 < sa1):
                continue
            if sa.get("room") and sa.get("room") == sb.get("room"):
                bad(path, wb, "room '%s' already used by %s" % (sb["room"], sa["id"]))
            for sp in set(sa.get("speakers", [])) & set(sb.get("speakers", [])):
                bad(path, wb, "speaker '%s' also in %s" % (sp, sa["id"]))
    return ev


def fold(s):
    s = unicodedata.normalize("NFKD", s.strip().lower())
    return "".join(c for c in s if not unicodedata.combining(c))


HEADER_ALIASES = {
    "name": {"name", "nom"}, "email": {"email", "courriel", "e-mail"},
    "organization": {"organization", "organisation", "structure"},
    "origin": {"origin", "origine", "commune", "code postal"},
    "travel": {"travel", "mode"}, "seats": {"seats", "places"},
    "meal": {"meal", "repas"}, "diet": {"diet", "regime"},
    "public": {"public", "liste publique"}, "sessions": {"sessions"},
}
TRAVEL = {"drive": "drive", "conducteur": "drive", "ride": "ride",
          "passager": "ride", "flexible": "flexible", "none": "none",
          "aucun": "none"}
YESNO = {"oui": True, "yes": True, "non": False, "no": False, "": False}


def check_registrations(path, ev):
    raw = open(path, "rb").read()
    text = raw.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    first = text.split("\n", 1)[0]
    delim = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(text.splitlines(keepends=True), delimiter=delim))
    cols = {}
    for i, h in enumerate(rows[0]):
        for canon, names in HEADER_ALIASES.items():
            if fold(h) in names:
                cols[canon] = i
        if not any(fold(h) in n for n in HEADER_ALIASES.values()):
            bad(path, "header", "unknown column '%s'" % h)
    sessions = {s["id"]: s for s in ev.get("sessions", [])}
    taken = {}
    emails = set()
    for line, r in enumerate(rows[1:], start=2):
        where = "line %d" % line
        if len(r) != len(rows[0]):
            bad(path, where, "%d fields, header has %d" % (len(r), len(rows[0])))
            continue
        get = lambda k: r[cols[k]].strip() if k in cols else ""
        if not get("name"):
            bad(path, where, "name: empty")
        email = get("email").lower()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", email):
            bad(path, where, "email: invalid")
        if email in emails:
            bad(path, where, "email: duplicate")
        emails.add(email)
        travel = TRAVEL.get(fold(get("travel")) or "none")
        if travel is None:
            bad(path, where, "travel: unknown value '%s'" % get("travel"))
        if travel in ("drive", "flexible") and not re.fullmatch(r"[1-9]\d*", get("seats")):
            bad(path, where, "seats: not a positive number")
        for k in ("meal", "public"):
            if fold(get(k)) not in YESNO:
                bad(path, where, "%s: not oui/non" % k)
        for sid in filter(None, get("sessions").split("|")):
            if sid not in sessions:
                bad(path, where, "sessions: unknown session '%s'" % sid)
            taken[sid] = taken.get(sid, 0) + 1
    n = len(rows) - 1
    if ev.get("capacity") is not None and n > ev["capacity"]:
        bad(path, "rows", "%d registrations for a capacity of %d" % (n, ev["capacity"]))
    for sid, k in taken.items():
        c = sessions.get(sid, {}).get("capacity")
        if c is not None and k > c:
            bad(path, "sessions", "%s chosen %d times, capacity %d" % (sid, k, c))


def doc_examples(tmp):
    """Write each complete event example of docs/event-format.md into tmp."""
    doc = os.path.join(ROOT, "docs", "event-format.md")
    if not os.path.exists(doc):
        return []
    out = []
    blocks = re.findall(r"```json\n(.*?)```", open(doc, encoding="utf-8").read(), re.S)
    for text in blocks:
        if '"slug"' not in text:
            continue
        slug = json.loads(text)["slug"]
        path = os.path.join(tmp, slug + ".json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        out.append(path)
    return out


def main(argv):
    with tempfile.TemporaryDirectory(prefix="check_samples.") as tmp:
        return run(argv[1:] or (sorted(glob.glob(os.path.join(ROOT, "sample-events", "*.json")))
                                + doc_examples(tmp)))


def run(files):
    for path in files:
        try:
            ev = check_event(path)
        except (ValueError, KeyError) as e:
            bad(path, "$", str(e))
            continue
        reg = path[:-len(".json")] + ".registrations.csv"
        if ev is not None and os.path.exists(reg):
            check_registrations(reg, ev)
    for p in problems:
        print(p)
    print("%d file(s) checked, %d problem(s)" % (len(files), len(problems)),
          file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
