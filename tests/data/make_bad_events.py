#!/usr/bin/python3
"""Regenerate tests/data/bad-events/: one bad event file per case, and beside
it CASE.expect, the text the error message must contain (after FILE: )."""
import copy, json, os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bad-events")

BASE = {
    "slug": "atelier-test",
    "title": "Atelier de test",
    "format": "in_person",
    "timezone": "Europe/Paris",
    "start": "2026-12-10T09:30",
    "end": "2026-12-10T17:00",
    "venue": {"name": "Salle des fêtes", "lat": 48.85, "lon": 2.35},
    "capacity": 60,
    "speakers": [{"id": "cb", "name": "Claire Bernard", "organization": "ADEME"}],
    "sessions": [
        {"id": "intro", "title": "Introduction", "kind": "talk",
         "start": "09:30", "end": "10:00", "room": "A", "speakers": ["cb"]},
        {"id": "atelier", "title": "Atelier", "kind": "workshop",
         "start": "10:00", "end": "11:00", "room": "A"},
    ],
    "status": "published",
}

def case(name, mutate, expect):
    ev = copy.deepcopy(BASE)
    text = mutate(ev)
    if text is None:
        text = json.dumps(ev, ensure_ascii=False, indent=2)
    mode = "wb" if isinstance(text, bytes) else "w"
    with open(os.path.join(OUT, name + ".json"), mode) as f:
        f.write(text)
    with open(os.path.join(OUT, name + ".expect"), "w") as f:
        f.write(expect + "\n")

def setk(path, value):
    def m(ev):
        obj = ev
        for k in path[:-1]:
            obj = obj[k]
        obj[path[-1]] = value
    return m

def delk(path):
    def m(ev):
        obj = ev
        for k in path[:-1]:
            obj = obj[k]
        del obj[path[-1]]
    return m

os.makedirs(OUT, exist_ok=True)
for f in os.listdir(OUT):
    os.remove(os.path.join(OUT, f))

case("malformed-json", lambda ev: '{\n  "slug": "x",\n  "title": \n}\n', ":4:1: malformed JSON")
case("not-utf8", lambda ev: b'{"slug": "x", "title": "Caf\xe9"}', "malformed JSON")
case("top-level-array", lambda ev: "[]", "the top level must be an object")
case("duplicate-key", lambda ev: '{"slug": "a", "slug": "b"}', "malformed JSON: duplicate object key")
case("wrong-type-title", setk(["title"], 42), "title: expected a string, got an integer")
case("wrong-type-capacity", setk(["capacity"], "60"), "capacity: expected a whole number, got a string")
case("wrong-type-sessions", setk(["sessions"], {"id": "x"}), "sessions: expected an array, got an object")
case("null-value", setk(["summary"], None), "summary: expected a string, got null")
case("missing-slug", delk(["slug"]), "slug: required key is missing")
case("missing-start", delk(["start"]), "start: required key is missing")
case("missing-session-title", delk(["sessions", 1, "title"]), "sessions[1].title: required key is missing")
case("missing-venue", delk(["venue"]), "venue: an in_person event needs a \"venue\"")
case("online-without-url", setk(["format"], "online"), "online_url: an online event needs an \"online_url\"")
case("unknown-key", setk(["colour"], "blue"), "colour: unknown key \"colour\"")
case("unknown-session-key", setk(["sessions", 0, "speaker"], "cb"), "sessions[0].speaker: unknown key \"speaker\"")
case("bad-date", setk(["start"], "2026-02-30T09:30"), "start: \"2026-02-30T09:30\" is not a date and time")
case("bad-session-time", setk(["sessions", 1, "end"], "25:00"), "sessions[1].end: \"25:00\" is not a time")
case("time-with-seconds", setk(["sessions", 0, "start"], "09:30:00"), "sessions[0].start: \"09:30:00\" is not a time")
case("event-ends-before-start", setk(["end"], "2026-12-10T08:00"), "end: the event must end after it starts")
case("duplicate-session-id", setk(["sessions", 1, "id"], "intro"), "sessions[1].id: duplicate session id \"intro\"")
case("duplicate-speaker-id", lambda ev: ev["speakers"].append({"id": "cb", "name": "Autre"}), "speakers[1].id: duplicate speaker id \"cb\"")
case("unknown-speaker", setk(["sessions", 1, "speakers"], ["cb", "zz"]), "sessions[1].speakers[1]: unknown speaker id \"zz\"")
case("unknown-timezone", setk(["timezone"], "Europe/Atlantis"), "timezone: unknown time zone \"Europe/Atlantis\"")
case("bad-timezone-name", setk(["timezone"], "../../etc/passwd"), "timezone: \"../../etc/passwd\" is not an IANA time zone name")
case("bad-format", setk(["format"], "remote"), "format: \"remote\" is not one of: in_person, online, hybrid")
case("bad-language", setk(["language"], "de"), "language: \"de\" is not one of: fr, en")
case("bad-kind", setk(["sessions", 0, "kind"], "keynote"), "sessions[0].kind: \"keynote\" is not one of")
case("bad-status", setk(["status"], "live"), "status: \"live\" is not one of")
case("bad-slug", setk(["slug"], "Atelier 2"), "slug: \"Atelier 2\" may only contain lowercase letters")
case("negative-capacity", setk(["capacity"], -5), "capacity: must be between 1 and 1000000")
case("bad-latitude", setk(["venue", "lat"], 123.0), "venue.lat: must be between -90 and 90")
case("bad-online-url", setk(["online_url"], "javascript:alert(1)"), "online_url: \"javascript:alert(1)\" must be an http:// or https:// address")
case("control-character", setk(["sessions", 0, "title"], "Intro\u001b[31m"), "sessions[0].title: contains a control character")
case("control-character-in-list", setk(["organizations"], ["ADEME", "A\u0001B"]), "organizations[1]: contains a control character")
# Size limits (docs/event-format.md), counted in characters, not bytes.
case("long-title", setk(["title"], "é" * 201), "title: too long: 201 characters, at most 200")
case("long-summary", setk(["summary"], "x" * 501), "summary: too long: 501 characters, at most 500")
case("long-description", setk(["description"], "Texte. " * 2858), "description: too long: 20006 characters, at most 20000")
case("long-theme", setk(["theme"], "t" * 201), "theme: too long: 201 characters, at most 200")
case("long-venue-name", setk(["venue", "name"], "v" * 201), "venue.name: too long: 201 characters")
case("long-venue-address", setk(["venue", "address"], "a" * 501), "venue.address: too long: 501 characters")
case("long-online-url", setk(["online_url"], "https://example.org/" + "u" * 1981), "online_url: too long: 2001 characters, at most 2000")
case("long-speaker-name", setk(["speakers", 0, "name"], "n" * 201), "speakers[0].name: too long: 201 characters")
case("long-speaker-bio", setk(["speakers", 0, "bio"], "b" * 5001), "speakers[0].bio: too long: 5001 characters, at most 5000")
case("long-session-title", setk(["sessions", 1, "title"], "s" * 201), "sessions[1].title: too long: 201 characters")
case("long-session-room", setk(["sessions", 0, "room"], "r" * 101), "sessions[0].room: too long: 101 characters, at most 100")
case("long-session-description", setk(["sessions", 1, "description"], "d" * 5001), "sessions[1].description: too long: 5001 characters")
case("long-list-item", setk(["communities"], ["ok", "c" * 201]), "communities[1]: too long: 201 characters")
case("too-many-list-items", setk(["organizations"], ["org %d" % i for i in range(51)]), "organizations: too many items: 51, at most 50")
case("too-many-sessions", setk(["sessions"], [{"id": "s%d" % i, "title": "S", "kind": "talk", "start": "10:00", "end": "10:30"} for i in range(1001)]), "sessions: too many items: 1001, at most 1000")
# The shape of every part, and every check, once.
case("venue-not-object", setk(["venue"], "Paris"), "venue: expected an object, got a string")
case("venue-missing-lat", delk(["venue", "lat"]), "venue.lat: required key is missing")
case("venue-lon-string", setk(["venue", "lon"], "2.35"), "venue.lon: expected a number, got a string")
case("venue-lat-string", setk(["venue", "lat"], "48"), "venue.lat: expected a number, got a string")
case("bad-longitude", setk(["venue", "lon"], 200), "venue.lon: must be between -180 and 180")
case("unknown-venue-key", setk(["venue", "floor"], 2), "venue.floor: unknown key \"floor\"")
case("speakers-not-array", setk(["speakers"], {"cb": "Claire"}), "speakers: expected an array, got an object")
case("speaker-not-object", setk(["speakers"], ["cb"]), "speakers[0]: expected an object, got a string")
case("bad-speaker-id", setk(["speakers", 0, "id"], "c b"), "speakers[0].id: \"c b\" may only contain letters, digits, '-' and '_'")
case("session-not-object", setk(["sessions"], ["intro"]), "sessions[0]: expected an object, got a string")
case("session-speakers-not-array", setk(["sessions", 0, "speakers"], "cb"), "sessions[0].speakers: expected an array of speaker ids, got a string")
case("session-speaker-not-string", setk(["sessions", 0, "speakers"], [7]), "sessions[0].speakers[0]: expected a speaker id (a string), got an integer")
case("speaker-listed-twice", setk(["sessions", 0, "speakers"], ["cb", "cb"]), "sessions[0].speakers[1]: speaker \"cb\" is listed twice")
case("list-not-array", setk(["organizations"], "ADEME"), "organizations: expected an array of strings, got a string")
case("list-item-not-string", setk(["challenges"], [1]), "challenges[0]: expected a string, got an integer")
case("empty-title", setk(["title"], ""), "title: must not be empty")
case("nul-in-title", setk(["title"], "A\u0000B"), ":3:21: malformed JSON: \\u0000 is not allowed")
case("capacity-too-big", setk(["capacity"], 2000000), "capacity: must be between 1 and 1000000")
case("capacity-not-whole", setk(["capacity"], 1.5), "capacity: expected a whole number, got a number")
case("capacity-boolean", setk(["capacity"], True), "capacity: expected a whole number, got a boolean")
case("long-slug", setk(["slug"], "a" * 65), "slug: must be 1 to 64 characters long")
case("hybrid-without-url", setk(["format"], "hybrid"), "online_url: an hybrid event needs an \"online_url\"")
case("bad-end", setk(["end"], "soon"), "end: \"soon\" is not a date and time")
case("url-with-space", setk(["online_url"], "https://visio.example.org/a b"), "online_url: must not contain spaces or control characters")
case("unknown-speaker-key", setk(["speakers", 0, "email"], "c@x.org"), "speakers[0].email: unknown key \"email\"")
case("too-many-speakers", setk(["speakers"], [{"id": "s%d" % i, "name": "S"} for i in range(501)]), "speakers: too many items: 501, at most 500")
print("wrote", len(os.listdir(OUT)) // 2, "cases into", OUT)
