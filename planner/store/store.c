#include "store_private.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct pl_store {
    sqlite3 *db;
    char *path;
    int in_tx;
    sqlite3_stmt *data_version; /* prepared on first use */
};

/*
 * Forward migrations: migrations[i] takes the schema from version i to i+1.
 * Never edit a migration that has been released; append a new one.
 */
static const char *const migrations[] = {
    /* 0 -> 1: events, speakers, sessions */
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT NOT NULL UNIQUE,"
    "  uid TEXT NOT NULL UNIQUE,"
    "  title TEXT NOT NULL,"
    "  summary TEXT,"
    "  description TEXT,"
    "  format TEXT NOT NULL CHECK (format IN ('in_person','online','hybrid')),"
    "  timezone TEXT NOT NULL,"
    "  start TEXT NOT NULL,"
    "  end TEXT NOT NULL,"
    "  venue_name TEXT,"
    "  venue_address TEXT,"
    "  venue_lat REAL,"
    "  venue_lon REAL,"
    "  online_url TEXT,"
    "  capacity INTEGER NOT NULL DEFAULT 0,"
    "  theme TEXT,"
    "  status TEXT NOT NULL CHECK (status IN ('draft','published','cancelled')),"
    "  sequence INTEGER NOT NULL DEFAULT 0,"
    "  fingerprint TEXT NOT NULL DEFAULT '',"
    "  created TEXT NOT NULL,"
    "  modified TEXT NOT NULL"
    ");"
    "CREATE TABLE event_tags ("
    "  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('organization','challenge','community','common')),"
    "  position INTEGER NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY (event_id, kind, position)"
    ");"
    "CREATE TABLE speakers ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  organization TEXT,"
    "  bio TEXT,"
    "  UNIQUE (event_id, key)"
    ");"
    "CREATE TABLE sessions ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL,"
    "  uid TEXT NOT NULL UNIQUE,"
    "  title TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('talk','workshop','meal','break','forum','plenary')),"
    "  start TEXT NOT NULL,"
    "  end TEXT NOT NULL,"
    "  room TEXT,"
    "  capacity INTEGER NOT NULL DEFAULT 0,"
    "  description TEXT,"
    "  position INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed','cancelled')),"
    "  sequence INTEGER NOT NULL DEFAULT 0,"
    "  fingerprint TEXT NOT NULL DEFAULT '',"
    "  created TEXT NOT NULL,"
    "  modified TEXT NOT NULL,"
    "  UNIQUE (event_id, key)"
    ");"
    "CREATE TABLE session_speakers ("
    "  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    "  speaker_id INTEGER NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  PRIMARY KEY (session_id, speaker_id)"
    ");"
    "CREATE INDEX sessions_event ON sessions(event_id, start);",
    /* 1 -> 2: registrations. The e-mail is unique per event, compared
     * case-insensitively (ASCII, NOCASE); arrival orders the waiting list. */
    "CREATE TABLE registrations ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
    "  uid TEXT NOT NULL UNIQUE,"
    "  token TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  email TEXT NOT NULL COLLATE NOCASE,"
    "  organization TEXT,"
    "  origin TEXT,"
    "  phone TEXT,"
    "  travel TEXT NOT NULL CHECK (travel IN ('none','drive','ride','flexible')),"
    "  seats INTEGER NOT NULL DEFAULT 0,"
    "  meal INTEGER NOT NULL DEFAULT 0,"
    "  diet TEXT,"
    "  public_list INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL CHECK (status IN ('confirmed','waitlisted','cancelled')),"
    "  arrival INTEGER NOT NULL,"
    "  created TEXT NOT NULL,"
    "  updated TEXT NOT NULL,"
    "  UNIQUE (event_id, email)"
    ");"
    "CREATE INDEX registrations_line ON registrations(event_id, status, arrival);"
    "CREATE TABLE registration_sessions ("
    "  registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,"
    "  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  PRIMARY KEY (registration_id, session_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX registration_sessions_session ON registration_sessions(session_id);",
    /* 2 -> 3: subscribed calendars (planner subscribe) and their events */
    "CREATE TABLE external_sources ("
    "  id INTEGER PRIMARY KEY,"
    "  url TEXT NOT NULL UNIQUE,"
    "  name TEXT,"
    "  etag TEXT,"
    "  last_modified TEXT,"
    "  fetched TEXT NOT NULL"
    ");"
    "CREATE TABLE external_events ("
    "  id INTEGER PRIMARY KEY,"
    "  source_id INTEGER NOT NULL REFERENCES external_sources(id) ON DELETE CASCADE,"
    "  uid TEXT NOT NULL,"
    "  summary TEXT,"
    "  description TEXT,"
    "  location TEXT,"
    "  url TEXT,"
    "  start TEXT NOT NULL,"
    "  end TEXT,"
    "  tzid TEXT,"
    "  rrule TEXT,"
    "  lat REAL,"
    "  lon REAL,"
    "  status TEXT NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed','cancelled')),"
    "  sequence INTEGER NOT NULL DEFAULT 0,"
    "  fingerprint TEXT NOT NULL DEFAULT '',"
    "  created TEXT NOT NULL,"
    "  modified TEXT NOT NULL,"
    "  UNIQUE (source_id, uid)"
    ");",
    /* 3 -> 4: settings (the server's admin token hash and form secret) */
    "CREATE TABLE settings ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ");",
    /* 4 -> 5: carpool plans (planner/carpool_plan.c). One plan per event; its
     * groups (driver at member position 0, passengers in pickup order), each
     * member's origin as typed and as resolved when planned, local times
     * "YYYY-MM-DDTHH:MM"; the unassigned with their reason. Needs the
     * registrations table. */
    "CREATE TABLE carpool_plans ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL UNIQUE REFERENCES events(id) ON DELETE CASCADE,"
    "  planned TEXT NOT NULL,"
    "  max_detour_pct REAL NOT NULL,"
    "  max_detour_minutes REAL," /* NULL: no cap in minutes */
    "  road_factor REAL NOT NULL,"
    "  speed_kmh REAL NOT NULL,"
    "  stop_minutes REAL NOT NULL,"
    "  margin_minutes REAL NOT NULL,"
    "  co2_kg_per_km REAL NOT NULL,"
    "  iterations INTEGER NOT NULL,"
    "  candidates INTEGER NOT NULL,"
    "  cars INTEGER NOT NULL,"
    "  passengers INTEGER NOT NULL,"
    "  riders INTEGER NOT NULL,"
    "  riders_seated INTEGER NOT NULL,"
    "  vehicle_km REAL NOT NULL,"
    "  vehicle_km_alone REAL NOT NULL,"
    "  vehicle_km_avoided REAL NOT NULL,"
    "  co2_avoided_kg REAL NOT NULL"
    ");"
    "CREATE TABLE carpool_groups ("
    "  id INTEGER PRIMARY KEY,"
    "  plan_id INTEGER NOT NULL REFERENCES carpool_plans(id) ON DELETE CASCADE,"
    "  driver_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,"
    "  seats INTEGER NOT NULL,"
    "  departure TEXT NOT NULL,"
    "  arrival TEXT NOT NULL,"
    "  distance_km REAL NOT NULL,"
    "  detour_km REAL NOT NULL,"
    "  confirmed INTEGER NOT NULL DEFAULT 0,"
    "  confirmed_at TEXT,"
    "  UNIQUE (plan_id, driver_id)"
    ");"
    "CREATE TABLE carpool_members ("
    "  group_id INTEGER NOT NULL REFERENCES carpool_groups(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,"
    "  origin TEXT,"
    "  place TEXT,"
    "  lat REAL NOT NULL,"
    "  lon REAL NOT NULL,"
    "  time TEXT NOT NULL,"
    "  PRIMARY KEY (group_id, position)"
    ") WITHOUT ROWID;"
    "CREATE INDEX carpool_members_registration ON carpool_members(registration_id);"
    "CREATE TABLE carpool_unassigned ("
    "  plan_id INTEGER NOT NULL REFERENCES carpool_plans(id) ON DELETE CASCADE,"
    "  registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,"
    "  travel TEXT NOT NULL,"
    "  origin TEXT,"
    "  code TEXT NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  PRIMARY KEY (plan_id, registration_id)"
    ") WITHOUT ROWID;",
    /* 5 -> 6: each registration's carpool pickup as its personal feed shows
     * it, with a UID generated once and a SEQUENCE that moves only when the
     * pickup really changes (carpool_plan.c keeps it up to date). */
    "CREATE TABLE carpool_pickups ("
    "  registration_id INTEGER PRIMARY KEY REFERENCES registrations(id) ON DELETE CASCADE,"
    "  uid TEXT NOT NULL UNIQUE,"
    "  sequence INTEGER NOT NULL DEFAULT 0,"
    "  created TEXT NOT NULL,"
    "  modified TEXT NOT NULL,"
    "  cancelled INTEGER NOT NULL DEFAULT 0,"
    "  is_driver INTEGER NOT NULL,"
    "  time TEXT NOT NULL,"    /* pickup, or the driver's departure */
    "  arrival TEXT NOT NULL," /* at the venue */
    "  place TEXT,"
    "  lat REAL,"
    "  lon REAL,"
    "  driver_name TEXT,"                   /* first name; NULL for the driver's own pickup */
    "  driver_phone TEXT,"                  /* only when the driver gave one */
    "  passengers TEXT NOT NULL DEFAULT ''" /* first names in pickup order, one per line */
    ");",
    /* 6 -> 7: registrations rebuilt, same columns, rows, ids and rules, with
     * its CHECKs written as comparisons. SQLite evaluates a CHECK's
     * `x IN ('a','b','c')` by building a temporary B-tree for the list on
     * every row written: half the instructions of a bulk import. Run with
     * foreign keys off (see migrate()), so that dropping the old table
     * cascades to nothing: registration_sessions and the carpool tables,
     * which refer to registrations(id), keep their rows. */
    "CREATE TABLE registrations_v7 ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
    "  uid TEXT NOT NULL UNIQUE,"
    "  token TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  email TEXT NOT NULL COLLATE NOCASE,"
    "  organization TEXT,"
    "  origin TEXT,"
    "  phone TEXT,"
    "  travel TEXT NOT NULL CHECK (travel = 'none' OR travel = 'drive' OR travel = 'ride' OR"
    "                              travel = 'flexible'),"
    "  seats INTEGER NOT NULL DEFAULT 0,"
    "  meal INTEGER NOT NULL DEFAULT 0,"
    "  diet TEXT,"
    "  public_list INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL CHECK (status = 'confirmed' OR status = 'waitlisted' OR"
    "                              status = 'cancelled'),"
    "  arrival INTEGER NOT NULL,"
    "  created TEXT NOT NULL,"
    "  updated TEXT NOT NULL,"
    "  UNIQUE (event_id, email)"
    ");"
    "INSERT INTO registrations_v7 (id, event_id, uid, token, name, email, organization, origin,"
    "  phone, travel, seats, meal, diet, public_list, status, arrival, created, updated)"
    "  SELECT id, event_id, uid, token, name, email, organization, origin, phone, travel, seats,"
    "  meal, diet, public_list, status, arrival, created, updated FROM registrations ORDER BY id;"
    "DROP TABLE registrations;"
    "ALTER TABLE registrations_v7 RENAME TO registrations;"
    "CREATE INDEX registrations_line ON registrations(event_id, status, arrival);",
    /* 7 -> 8: the HTTP geocoder's answers (planner/geocoder.h), by search URL
     * and origin as typed; and how precise each carpool member's point is. */
    "CREATE TABLE geocode_cache ("
    "  service TEXT NOT NULL," /* the search URL as the user gave it */
    "  query TEXT NOT NULL,"   /* the origin, white space collapsed */
    "  status TEXT NOT NULL CHECK (status = 'found' OR status = 'none' OR status = 'failed'),"
    "  lat REAL,"
    "  lon REAL,"
    "  label TEXT,"
    "  postcode TEXT,"
    "  citycode TEXT,"
    "  detail TEXT," /* why none or failed */
    "  fetched TEXT NOT NULL,"
    "  PRIMARY KEY (service, query)"
    ") WITHOUT ROWID;"
    "ALTER TABLE carpool_members ADD COLUMN precision TEXT;",
    /* 8 -> 9: an event's language as its file gives it (planner/lang.h);
     * NULL: by its time zone. */
    "ALTER TABLE events ADD COLUMN language TEXT CHECK (language IN ('fr','en'));",
    /* 9 -> 10: a plan per event and trip (planner/carpool/carpool_plan.c):
     * the way there ('outbound', every plan made before) and the way home
     * ('return'). carpool_plans rebuilt with its rows and ids (foreign keys
     * are off during migrations, so its groups and unassigned stay). */
    "CREATE TABLE carpool_plans_v10 ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
    "  trip TEXT NOT NULL DEFAULT 'outbound' CHECK (trip = 'outbound' OR trip = 'return'),"
    "  planned TEXT NOT NULL,"
    "  max_detour_pct REAL NOT NULL,"
    "  max_detour_minutes REAL,"
    "  road_factor REAL NOT NULL,"
    "  speed_kmh REAL NOT NULL,"
    "  stop_minutes REAL NOT NULL,"
    "  margin_minutes REAL NOT NULL,"
    "  co2_kg_per_km REAL NOT NULL,"
    "  iterations INTEGER NOT NULL,"
    "  candidates INTEGER NOT NULL,"
    "  cars INTEGER NOT NULL,"
    "  passengers INTEGER NOT NULL,"
    "  riders INTEGER NOT NULL,"
    "  riders_seated INTEGER NOT NULL,"
    "  vehicle_km REAL NOT NULL,"
    "  vehicle_km_alone REAL NOT NULL,"
    "  vehicle_km_avoided REAL NOT NULL,"
    "  co2_avoided_kg REAL NOT NULL,"
    "  UNIQUE (event_id, trip)"
    ");"
    "INSERT INTO carpool_plans_v10 (id, event_id, trip, planned, max_detour_pct,"
    "  max_detour_minutes, road_factor, speed_kmh, stop_minutes, margin_minutes, co2_kg_per_km,"
    "  iterations, candidates, cars, passengers, riders, riders_seated, vehicle_km,"
    "  vehicle_km_alone, vehicle_km_avoided, co2_avoided_kg)"
    "  SELECT id, event_id, 'outbound', planned, max_detour_pct, max_detour_minutes, road_factor,"
    "  speed_kmh, stop_minutes, margin_minutes, co2_kg_per_km, iterations, candidates, cars,"
    "  passengers, riders, riders_seated, vehicle_km, vehicle_km_alone, vehicle_km_avoided,"
    "  co2_avoided_kg FROM carpool_plans ORDER BY id;"
    "DROP TABLE carpool_plans;"
    "ALTER TABLE carpool_plans_v10 RENAME TO carpool_plans;",
    /* 10 -> 11: per-workshop waiting lists (planner/registrations). A chosen
     * session is 'confirmed' (a seat in it) or 'waitlisted' (in its line,
     * ordered by wait_order) for a person confirmed for the event; for a
     * person waiting for the event, its status waits too and counts for
     * nothing. Rows made before are seated; the first change re-applies
     * the rules (pl_registration_batch_open fills every line). */
    "ALTER TABLE registration_sessions ADD COLUMN status TEXT NOT NULL DEFAULT 'confirmed'"
    "  CHECK (status IN ('confirmed','waitlisted'));"
    "ALTER TABLE registration_sessions ADD COLUMN wait_order INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX registration_sessions_line ON registration_sessions(session_id, status, "
    "wait_order);",
    /* 11 -> 12: ranked workshop choices and their allocation
     * (planner/registrations/ranks.h). A slot is the start of the parallel
     * workshops it holds; an allocation with no session is someone left
     * unplaced in that slot. */
    "CREATE TABLE registration_ranks ("
    "  registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,"
    "  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    "  rank INTEGER NOT NULL CHECK (rank >= 1),"
    "  PRIMARY KEY (registration_id, session_id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE registration_allocations ("
    "  registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,"
    "  slot TEXT NOT NULL,"
    "  session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,"
    "  rank INTEGER NOT NULL DEFAULT 0,"
    "  allocated TEXT NOT NULL,"
    "  PRIMARY KEY (registration_id, slot)"
    ") WITHOUT ROWID;",
    /* 12 -> 13: the ride home in the personal feed, as carpool_pickups for
     * the way there: time is when the car leaves the venue, arrival the
     * drop-off (the driver: home), place where the person gets out. */
    "CREATE TABLE carpool_dropoffs ("
    "  registration_id INTEGER PRIMARY KEY REFERENCES registrations(id) ON DELETE CASCADE,"
    "  uid TEXT NOT NULL UNIQUE,"
    "  sequence INTEGER NOT NULL DEFAULT 0,"
    "  created TEXT NOT NULL,"
    "  modified TEXT NOT NULL,"
    "  cancelled INTEGER NOT NULL DEFAULT 0,"
    "  is_driver INTEGER NOT NULL,"
    "  time TEXT NOT NULL,"
    "  arrival TEXT NOT NULL,"
    "  place TEXT,"
    "  lat REAL,"
    "  lon REAL,"
    "  driver_name TEXT,"
    "  driver_phone TEXT,"
    "  passengers TEXT NOT NULL DEFAULT ''"
    ");",
    /* 13 -> 14: what the organiser decided for one person's carpool
     * (planner carpool exclude | lock): never grouped; or their car is kept
     * by every re-plan. */
    "CREATE TABLE carpool_choices ("
    "  registration_id INTEGER PRIMARY KEY REFERENCES registrations(id) ON DELETE CASCADE,"
    "  excluded INTEGER NOT NULL DEFAULT 0,"
    "  locked INTEGER NOT NULL DEFAULT 0"
    ");",
    /* 14 -> 15: seats taken, kept by triggers in the same transaction as the
     * change (whoever writes: server, CLI, import), so that the event page
     * reads a few numbers instead of every registration of the event: an
     * event's confirmed people and those of them on the public list; a
     * session's people holding a seat in it (the choice confirmed, of a
     * confirmed registration). An index for the latest change of an event's
     * registrations. A migration that rebuilds these tables must create the
     * triggers again. */
    "ALTER TABLE events ADD COLUMN confirmed_count INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE events ADD COLUMN public_count INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE sessions ADD COLUMN confirmed_count INTEGER NOT NULL DEFAULT 0;"
    "UPDATE events SET"
    "  confirmed_count = (SELECT count(*) FROM registrations r"
    "                     WHERE r.event_id = events.id AND r.status = 'confirmed'),"
    "  public_count = (SELECT count(*) FROM registrations r WHERE r.event_id = events.id"
    "                  AND r.status = 'confirmed' AND r.public_list <> 0);"
    "UPDATE sessions SET confirmed_count = (SELECT count(*) FROM registration_sessions rs"
    "  JOIN registrations r ON r.id = rs.registration_id"
    "  WHERE rs.session_id = sessions.id AND rs.status = 'confirmed'"
    "  AND r.status = 'confirmed');"
    "CREATE TRIGGER registrations_count_insert AFTER INSERT ON registrations"
    "  WHEN NEW.status = 'confirmed' BEGIN"
    "  UPDATE events SET confirmed_count = confirmed_count + 1,"
    "    public_count = public_count + (NEW.public_list <> 0) WHERE id = NEW.event_id;"
    "END;"
    "CREATE TRIGGER registrations_count_update AFTER UPDATE OF status, public_list"
    "  ON registrations WHEN OLD.status <> NEW.status OR OLD.public_list <> NEW.public_list"
    "  BEGIN"
    "  UPDATE events SET"
    "    confirmed_count = confirmed_count - (OLD.status = 'confirmed')"
    "                      + (NEW.status = 'confirmed'),"
    "    public_count = public_count - (OLD.status = 'confirmed' AND OLD.public_list <> 0)"
    "                   + (NEW.status = 'confirmed' AND NEW.public_list <> 0)"
    "    WHERE id = NEW.event_id;"
    "  UPDATE sessions SET confirmed_count = confirmed_count - (OLD.status = 'confirmed')"
    "                      + (NEW.status = 'confirmed')"
    "    WHERE id IN (SELECT session_id FROM registration_sessions"
    "                 WHERE registration_id = NEW.id AND status = 'confirmed');"
    "END;"
    /* before the row goes: its registration_sessions rows are still there,
     * and the cascade that deletes them then finds no registration */
    "CREATE TRIGGER registrations_count_delete BEFORE DELETE ON registrations"
    "  WHEN OLD.status = 'confirmed' BEGIN"
    "  UPDATE events SET confirmed_count = confirmed_count - 1,"
    "    public_count = public_count - (OLD.public_list <> 0) WHERE id = OLD.event_id;"
    "  UPDATE sessions SET confirmed_count = confirmed_count - 1"
    "    WHERE id IN (SELECT session_id FROM registration_sessions"
    "                 WHERE registration_id = OLD.id AND status = 'confirmed');"
    "END;"
    "CREATE TRIGGER registration_sessions_count_insert AFTER INSERT ON registration_sessions"
    "  WHEN NEW.status = 'confirmed' BEGIN"
    "  UPDATE sessions SET confirmed_count = confirmed_count + 1 WHERE id = NEW.session_id"
    "    AND (SELECT status FROM registrations WHERE id = NEW.registration_id) = 'confirmed';"
    "END;"
    "CREATE TRIGGER registration_sessions_count_delete AFTER DELETE ON registration_sessions"
    "  WHEN OLD.status = 'confirmed' BEGIN"
    "  UPDATE sessions SET confirmed_count = confirmed_count - 1 WHERE id = OLD.session_id"
    "    AND (SELECT status FROM registrations WHERE id = OLD.registration_id) = 'confirmed';"
    "END;"
    "CREATE TRIGGER registration_sessions_count_update AFTER UPDATE OF status, session_id"
    "  ON registration_sessions BEGIN"
    "  UPDATE sessions SET confirmed_count = confirmed_count - 1 WHERE id = OLD.session_id"
    "    AND OLD.status = 'confirmed'"
    "    AND (SELECT status FROM registrations WHERE id = OLD.registration_id) = 'confirmed';"
    "  UPDATE sessions SET confirmed_count = confirmed_count + 1 WHERE id = NEW.session_id"
    "    AND NEW.status = 'confirmed'"
    "    AND (SELECT status FROM registrations WHERE id = NEW.registration_id) = 'confirmed';"
    "END;"
    "CREATE INDEX registrations_updated ON registrations(event_id, updated);",
    /* 15 -> 16: the outbox (planner/registrations/outbox.h): one row per
     * message an attendee must receive, written in the transaction of the
     * change that causes it; one per (registration, kind, version). The
     * organiser's announcements are stored once. */
    "CREATE TABLE announcements ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
    "  subject TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  created TEXT NOT NULL"
    ");"
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
    "  registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind = 'confirmation' OR kind = 'waitlisted' OR"
    "    kind = 'promotion' OR kind = 'cancellation' OR kind = 'change' OR kind = 'carpool' OR"
    "    kind = 'reminder' OR kind = 'announcement'),"
    "  version TEXT NOT NULL,"
    "  detail TEXT,"
    "  announcement_id INTEGER REFERENCES announcements(id) ON DELETE CASCADE,"
    "  message_id TEXT NOT NULL UNIQUE,"
    "  status TEXT NOT NULL DEFAULT 'queued' CHECK (status = 'queued' OR status = 'sent' OR"
    "    status = 'failed'),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  error TEXT,"
    "  not_before TEXT NOT NULL,"
    "  created TEXT NOT NULL,"
    "  sent TEXT,"
    "  UNIQUE (registration_id, kind, version)"
    ");"
    "CREATE INDEX outbox_due ON outbox(status, not_before);"
    "CREATE INDEX outbox_event ON outbox(event_id);",
    /* 16 -> 17: when a registration's personal fields were removed (erased
     * by the person, or purged after the event): UTC time, NULL while kept */
    "ALTER TABLE registrations ADD COLUMN erased TEXT;"
    /* ... and the consent to share one's phone with one's carpool group */
    "ALTER TABLE registrations ADD COLUMN share_phone INTEGER NOT NULL DEFAULT 0;",
    /* 17 -> 18: an event's own delay before its personal data is purged
     * (days after its end; NULL: PL_REG_PURGE_DAYS) */
    "ALTER TABLE events ADD COLUMN purge_after_days INTEGER CHECK (purge_after_days > 0);",
    /* 18 -> 19: every change to a confirmed car (carpool_plan.h, "Changes to
     * confirmed cars"), written in the transaction of the change: who, which
     * car (its driver; from_driver_id: the car left, for a move), what. And
     * the pairs the organiser keeps in one car (planner carpool together). */
    "CREATE TABLE carpool_changes ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
    "  trip TEXT NOT NULL CHECK (trip = 'outbound' OR trip = 'return'),"
    "  driver_id INTEGER REFERENCES registrations(id) ON DELETE SET NULL,"
    "  from_driver_id INTEGER REFERENCES registrations(id) ON DELETE SET NULL,"
    "  registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,"
    "  what TEXT NOT NULL CHECK (what = 'joined' OR what = 'left' OR what = 'lost_seat' OR"
    "    what = 'driver_cancelled' OR what = 'driver_declined' OR what = 'moved'),"
    "  at TEXT NOT NULL"
    ");"
    "CREATE INDEX carpool_changes_event ON carpool_changes(event_id, id);"
    "CREATE TABLE carpool_together ("
    "  a_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,"
    "  b_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,"
    "  CHECK (a_id < b_id),"
    "  PRIMARY KEY (a_id, b_id)"
    ") WITHOUT ROWID;",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

_Static_assert(NMIGRATIONS == PL_SCHEMA_VERSION, "one migration per schema version");

const char *pl_store_migration(int from)
{
    return from >= 0 && from < NMIGRATIONS ? migrations[from] : NULL;
}

/* Our code for SQLite's last error: PL_EBUSY for a lock held by another
 * writer, PL_ENOMEM for SQLite's own allocations, PL_EIO for the rest. */
static int code_of_last_error(pl_store *store)
{
    switch (sqlite3_errcode(store->db)) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return PL_EBUSY;
    case SQLITE_NOMEM:
        return PL_ENOMEM;
    default:
        return PL_EIO;
    }
}

int pl_store_fail(pl_store *store, pl_error *err, const char *what)
{
    return pl_error_set(err, code_of_last_error(store), "%s: %s: %s", store->path, what,
                        sqlite3_errmsg(store->db));
}

static int exec(pl_store *store, const char *sql, pl_error *err)
{
    char *msg = NULL;

    if (sqlite3_exec(store->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int code = code_of_last_error(store);

        pl_error_set(err, code, "%s: %s", store->path, msg ? msg : "database error");
        sqlite3_free(msg);
        return code;
    }
    return 0;
}

static int query_int(pl_store *store, const char *sql, int *out, pl_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    rc = sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_NOTADB) {
        sqlite3_finalize(stmt);
        return pl_error_set(err, PL_EINVALID, "%s: not a planner database (not an SQLite file)",
                            store->path);
    }
    if (rc != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read the database");
        sqlite3_finalize(stmt);
        return rc;
    }
    *out = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return 0;
}

/* Refuse, without writing anything, a file that is not ours or is newer. */
static int check_identity(pl_store *store, int *out_version, pl_error *err)
{
    int app_id, version, objects, rc;

    if ((rc = query_int(store, "PRAGMA application_id", &app_id, err)) < 0)
        return rc;
    if ((rc = query_int(store, "PRAGMA user_version", &version, err)) < 0)
        return rc;
    if ((rc = query_int(store, "SELECT count(*) FROM sqlite_schema", &objects, err)) < 0)
        return rc;
    if (app_id != PL_APPLICATION_ID && (objects > 0 || version != 0 || app_id != 0))
        return pl_error_set(err, PL_EINVALID,
                            "%s: not a planner database (it holds other data); it was left "
                            "untouched",
                            store->path);
    if (version > PL_SCHEMA_VERSION)
        return pl_error_set(err, PL_EINVALID,
                            "%s: written by a newer planner (schema %d, this build knows %d); "
                            "upgrade planner — the file was left untouched",
                            store->path, version, PL_SCHEMA_VERSION);
    *out_version = version;
    return 0;
}

/* Does every reference between rows still hold? (PRAGMA foreign_key_check
 * works whether or not foreign keys are enforced.) */
static int check_references(pl_store *store, pl_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &stmt, "PRAGMA foreign_key_check", err)) < 0)
        return rc;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        rc = pl_error_set(err, PL_EIO,
                          "%s: upgrading the schema would break a reference from table %s; the "
                          "file was left untouched",
                          store->path, (const char *)sqlite3_column_text(stmt, 0));
    else if (rc != SQLITE_DONE)
        rc = pl_store_fail(store, err, "cannot check the schema upgrade");
    else
        rc = 0;
    sqlite3_finalize(stmt);
    return rc;
}

/*
 * Run the missing migrations in one transaction. Foreign keys are off
 * meanwhile (the pragma only takes effect outside a transaction), as
 * SQLite's procedure for rebuilding a table requires: dropping the old
 * table must not cascade to the rows that refer to it. Every reference is
 * checked before the commit; the caller turns foreign keys on afterwards.
 */
static int migrate(pl_store *store, int version, pl_error *err)
{
    char sql[128];
    int rc;

    if (version == PL_SCHEMA_VERSION)
        return 0;
    if ((rc = exec(store, "PRAGMA foreign_keys = OFF", err)) < 0)
        return rc;
    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    for (int v = version; v < PL_SCHEMA_VERSION; v++) {
        if ((rc = exec(store, migrations[v], err)) < 0)
            goto fail;
    }
    if ((rc = check_references(store, err)) < 0)
        goto fail;
    snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = %d;",
             PL_APPLICATION_ID, PL_SCHEMA_VERSION);
    if ((rc = exec(store, sql, err)) < 0)
        goto fail;
    return pl_store_commit(store, err);
fail:
    pl_store_rollback(store);
    return rc;
}

int pl_store_open(pl_store **out, const char *path, unsigned flags, pl_error *err)
{
    pl_store *store = NULL;
    struct stat st;
    int version = 0, rc, oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

    *out = NULL;
    if (strcmp(path, ":memory:") == 0) {
        oflags |= SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY; /* tests and fuzzing */
    } else if (stat(path, &st) != 0) {
        if (!(flags & PL_STORE_CREATE))
            return pl_error_set(err, PL_ENOTFOUND, "%s: no database here", path);
        /* Created 0600 here, not by SQLite (0644 less the umask): the file
         * holds people's names, e-mails and tokens. SQLite gives the -wal and
         * -shm files the mode of the database file. */
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            return pl_error_set(err, PL_EIO, "%s: cannot create: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        oflags |= SQLITE_OPEN_CREATE;
    } else if (!S_ISREG(st.st_mode)) {
        return pl_error_set(err, PL_EIO, "%s: not a regular file", path);
    }
    store = calloc(1, sizeof(*store));
    if (!store || !(store->path = strdup(path))) {
        rc = pl_error_oom(err);
        goto fail;
    }
    if (sqlite3_open_v2(path, &store->db, oflags, NULL) != SQLITE_OK) {
        rc = pl_error_set(err, PL_EIO, "%s: cannot open: %s", path,
                          store->db ? sqlite3_errmsg(store->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(store->db, 0);
    sqlite3_busy_timeout(store->db, 10000);
    /* Read-only checks first: a foreign file must not even get a WAL header. */
    if ((rc = check_identity(store, &version, err)) < 0)
        goto fail;
    if ((rc = exec(store, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", err)) < 0)
        goto fail;
    if ((rc = migrate(store, version, err)) < 0)
        goto fail;
    if ((rc = exec(store, "PRAGMA foreign_keys = ON;", err)) < 0)
        goto fail;
    *out = store;
    return 0;
fail:
    pl_store_free(store);
    return rc;
}

int pl_store_configure(pl_store *store, int busy_timeout_ms, int durable, pl_error *err)
{
    sqlite3_busy_timeout(store->db, busy_timeout_ms);
    return exec(store, durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", err);
}

void pl_store_free(pl_store *store)
{
    if (!store)
        return;
    if (store->in_tx)
        pl_store_rollback(store);
    sqlite3_finalize(store->data_version);
    sqlite3_close(store->db);
    free(store->path);
    free(store);
}

sqlite3 *pl_store_db(pl_store *store)
{
    return store->db;
}

const char *pl_store_path(const pl_store *store)
{
    return store->path;
}

int pl_store_begin(pl_store *store, pl_error *err)
{
    int rc = exec(store, "BEGIN IMMEDIATE", err);

    if (rc == 0)
        store->in_tx = 1;
    return rc;
}

int pl_store_commit(pl_store *store, pl_error *err)
{
    int rc = exec(store, "COMMIT", err);

    if (rc == 0)
        store->in_tx = 0;
    else
        pl_store_rollback(store);
    return rc;
}

void pl_store_rollback(pl_store *store)
{
    if (store->in_tx)
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    store->in_tx = 0;
}

int pl_store_data_version(long long *out, pl_store *store, pl_error *err)
{
    int rc;

    *out = 0;
    if (!store->data_version &&
        (rc = pl_store_prepare(store, &store->data_version, "PRAGMA data_version", err)) < 0)
        return rc;
    if (sqlite3_step(store->data_version) == SQLITE_ROW) {
        *out = sqlite3_column_int64(store->data_version, 0);
        rc = 0;
    } else {
        rc = pl_store_fail(store, err, "cannot read the data version");
    }
    sqlite3_reset(store->data_version);
    return rc;
}

int pl_store_prepare(pl_store *store, sqlite3_stmt **out, const char *sql, pl_error *err)
{
    if (sqlite3_prepare_v2(store->db, sql, -1, out, NULL) != SQLITE_OK) {
        *out = NULL;
        return pl_store_fail(store, err, "cannot prepare a query");
    }
    return 0;
}

int pl_store_step(pl_store *store, sqlite3_stmt *stmt, const char *what, pl_error *err)
{
    int rc = sqlite3_step(stmt);

    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return pl_store_fail(store, err, what);
    return 0;
}

int pl_store_bind_text(sqlite3_stmt *stmt, int index, const char *s)
{
    if (!s)
        return sqlite3_bind_null(stmt, index);
    return sqlite3_bind_text(stmt, index, s, -1, SQLITE_TRANSIENT);
}

char *pl_store_column_text(sqlite3_stmt *stmt, int col)
{
    const unsigned char *s = sqlite3_column_text(stmt, col);
    return s ? strdup((const char *)s) : NULL;
}

char *pl_store_column_dup(sqlite3_stmt *stmt, int col, int *failed)
{
    const unsigned char *s = sqlite3_column_text(stmt, col);
    char *copy;

    if (!s) {
        /* SQL NULL, or SQLite could not make the text */
        if (sqlite3_column_type(stmt, col) != SQLITE_NULL)
            *failed = 1;
        return NULL;
    }
    if (!(copy = strdup((const char *)s)))
        *failed = 1;
    return copy;
}
