#include "outbox.h"
#include "setting.h"
#include "store_private.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[PL_MAIL_KIND_COUNT] = {
    "confirmation", "waitlisted", "promotion", "cancellation",
    "change",       "carpool",    "reminder",  "announcement",
};
static const char *const status_names[] = {"queued", "sent", "failed"};

/* A new Message-ID local part: 128 bits from SQLite's generator, which the
 * OS seeds; not a secret, only unique. */
#define NEW_MESSAGE_ID "lower(hex(randomblob(16)))"

/* Run one statement of the outbox with ?1 an id and ?2.. ?4 texts (NULL
 * binds NULL; unused ones are ignored). Returns the rows it changed. */
static int run(pl_store *store, const char *sql, long long id, const char *t2, const char *t3,
               const char *t4, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &st, sql, err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    const char *t[3] = {t2, t3, t4};
    for (int i = 0; i < 3 && i + 2 <= sqlite3_bind_parameter_count(st); i++)
        pl_store_bind_text(st, i + 2, t[i]);
    if ((rc = pl_store_step(store, st, "cannot write the outbox", err)) == 0)
        rc = sqlite3_changes(pl_store_db(store));
    sqlite3_finalize(st);
    return rc;
}

const char *pl_mail_kind_name(pl_mail_kind kind)
{
    return kind >= 0 && kind < PL_MAIL_KIND_COUNT ? kind_names[kind] : "?";
}

int pl_mail_kind_parse(pl_mail_kind *out, const char *s)
{
    for (int i = 0; s && i < PL_MAIL_KIND_COUNT; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (pl_mail_kind)i;
            return 0;
        }
    return PL_EINVALID;
}

const char *pl_mail_status_name(pl_mail_status status)
{
    return status >= PL_MAIL_QUEUED && status <= PL_MAIL_FAILED ? status_names[status] : "?";
}

int pl_mail_status_parse(pl_mail_status *out, const char *s)
{
    for (int i = 0; s && i < 3; i++)
        if (strcmp(s, status_names[i]) == 0) {
            *out = (pl_mail_status)i;
            return 0;
        }
    return PL_EINVALID;
}

/* ---- enqueueing ---- */

static int registration_exists(pl_store *store, long long id, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &st, "SELECT 1 FROM registrations WHERE id = ?1", err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_ROW    ? 0
         : rc == SQLITE_DONE ? pl_error_set(err, PL_ENOTFOUND, "no registration %lld", id)
                             : pl_store_fail(store, err, "cannot read registrations");
    sqlite3_finalize(st);
    return rc;
}

int pl_outbox_enqueue(pl_store *store, long long registration_id, pl_mail_kind kind,
                      const char *version, const char *detail, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc;

    if (kind < 0 || kind >= PL_MAIL_KIND_COUNT)
        return pl_error_set(err, PL_EINVALID, "unknown message kind %d", (int)kind);
    pl_now_utc(now);
    if ((rc = pl_store_prepare(
             store, &st,
             "INSERT INTO outbox (event_id, registration_id, kind, version, detail, message_id, "
             "not_before, created) SELECT event_id, id, ?2, coalesce(?3, CAST(arrival AS TEXT)), "
             "?4, " NEW_MESSAGE_ID ", ?5, ?5 FROM registrations WHERE id = ?1 "
             "ON CONFLICT DO NOTHING",
             err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, registration_id);
    sqlite3_bind_text(st, 2, kind_names[kind], -1, SQLITE_STATIC);
    pl_store_bind_text(st, 3, version);
    pl_store_bind_text(st, 4, detail);
    pl_store_bind_text(st, 5, now);
    if ((rc = pl_store_step(store, st, "cannot write the outbox", err)) < 0)
        goto done;
    if (sqlite3_changes(pl_store_db(store)) == 1)
        rc = 1;
    else
        rc = registration_exists(store, registration_id, err);
done:
    sqlite3_finalize(st);
    return rc;
}

#define ALLOC_OUTCOME "substr(version, 12, instr(version, '|') - 12)"

int pl_outbox_allocation(pl_store *store, long long registration_id, const char *outcome,
                         const char *detail, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    long long last = 0;
    char version[1024];
    int rc, same = 0;

    /* messages not tried yet that say something else: superseded */
    if ((rc = pl_store_prepare(
             store, &st,
             "DELETE FROM outbox WHERE registration_id = ?1 AND kind = 'change' AND "
             "status = 'queued' AND attempts = 0 AND version GLOB 'allocation:*' AND " ALLOC_OUTCOME
             " != ?2 AND NOT EXISTS (SELECT 1 FROM json_each(outbox.detail) "
             "WHERE json_extract(value, '$.session') IS NOT NULL)",
             err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, registration_id);
    pl_store_bind_text(st, 2, outcome);
    rc = pl_store_step(store, st, "cannot write the outbox", err);
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT id, " ALLOC_OUTCOME " = ?2 FROM outbox WHERE "
                               "registration_id = ?1 AND kind = 'change' AND "
                               "version GLOB 'allocation:*' ORDER BY id DESC LIMIT 1",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, registration_id);
    pl_store_bind_text(st, 2, outcome);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        last = sqlite3_column_int64(st, 0);
        same = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return pl_store_fail(store, err, "cannot read the outbox");
    if (same)
        return 0;
    if ((size_t)snprintf(version, sizeof(version), "allocation:%s|after=%lld", outcome, last) >=
        sizeof(version))
        return pl_error_set(err, PL_EINVALID, "too many slots to tell in one message");
    return pl_outbox_enqueue(store, registration_id, PL_MAIL_CHANGE, version, detail, err);
}

/* Who a change concerns: registered (not cancelled) people of the event;
 * for a workshop, those who chose it. ?1 event, ?2 session (0: the event). */
#define AFFECTED                                                                                   \
    "r.event_id = ?1 AND r.status != 'cancelled' AND (?2 = 0 OR "                                  \
    "(SELECT kind FROM sessions WHERE id = ?2) != 'workshop' OR EXISTS (SELECT 1 FROM "            \
    "registration_sessions rs WHERE rs.registration_id = r.id AND rs.session_id = ?2))"

/* The item a change adds to a message's detail (a JSON array). */
#define CHANGE_ITEM                                                                                \
    "json_object('session', (SELECT uid FROM sessions WHERE id = ?2), 'what', ?3, "                \
    "'before', ?4)"

static int change_delay(pl_store *store, int *out, pl_error *err)
{
    return pl_setting_get_int(out, store, "mail.change_delay", PL_OUTBOX_CHANGE_DELAY, err);
}

int pl_outbox_change(pl_store *store, long long event_id, long long session_id, const char *what,
                     const char *before, pl_error *err)
{
    sqlite3_stmt *merge = NULL, *add = NULL;
    char now[32], delay_arg[32];
    int rc, delay, told;

    pl_now_utc(now);
    if ((rc = change_delay(store, &delay, err)) < 0)
        return rc;
    snprintf(delay_arg, sizeof(delay_arg), "%+d seconds", delay);
    /* A change message not tried yet takes the new item; the others get a
     * new message, due after the delay. */
    if ((rc = pl_store_prepare(
             store, &merge,
             "UPDATE outbox SET detail = json_insert(coalesce(detail, '[]'), '$[#]', "
             "json(" CHANGE_ITEM ")) WHERE kind = 'change' AND status = 'queued' AND "
             "attempts = 0 AND registration_id IN (SELECT r.id FROM registrations r WHERE " AFFECTED
             ")",
             err)) < 0)
        goto done;
    if ((rc = pl_store_prepare(
             store, &add,
             "INSERT INTO outbox (event_id, registration_id, kind, version, detail, message_id, "
             "not_before, created) SELECT r.event_id, r.id, 'change', (SELECT count(*) + 1 FROM "
             "outbox o WHERE o.registration_id = r.id AND o.kind = 'change'), "
             "json_array(json(" CHANGE_ITEM ")), " NEW_MESSAGE_ID
             ", strftime('%Y-%m-%dT%H:%M:%SZ', ?5, ?6), ?5 FROM "
             "registrations r WHERE " AFFECTED " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE "
             "o.registration_id = r.id AND o.kind = 'change' AND o.status = 'queued' AND "
             "o.attempts = 0) ON CONFLICT DO NOTHING",
             err)) < 0)
        goto done;
    sqlite3_stmt *st[2] = {merge, add};
    told = 0;
    for (int i = 0; i < 2; i++) {
        sqlite3_bind_int64(st[i], 1, event_id);
        sqlite3_bind_int64(st[i], 2, session_id);
        pl_store_bind_text(st[i], 3, what);
        pl_store_bind_text(st[i], 4, before);
        if (i == 1) {
            pl_store_bind_text(st[i], 5, now);
            pl_store_bind_text(st[i], 6, delay_arg);
        }
        if ((rc = pl_store_step(store, st[i], "cannot write the outbox", err)) < 0)
            goto done;
        told += sqlite3_changes(pl_store_db(store));
    }
    rc = told;
done:
    sqlite3_finalize(merge);
    sqlite3_finalize(add);
    return rc;
}

static int same(const unsigned char *a, const char *b)
{
    return strcmp(a ? (const char *)a : "", b ? b : "") == 0;
}

static void add_word(char *buf, size_t size, const char *word)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s%s", n ? "," : "", word);
}

int pl_outbox_session_edit(pl_store *store, long long session_id, const char *title,
                           const char *start, const char *end, const char *room, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    char what[64] = "", before[600];
    long long ev = 0;
    int rc;

    if ((rc = pl_store_prepare(store, &st,
                               "SELECT event_id, title, start, end, room, status FROM sessions "
                               "WHERE id = ?1",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, session_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        ev = sqlite3_column_int64(st, 0);
        if (same(sqlite3_column_text(st, 5), "cancelled"))
            add_word(what, sizeof(what), "reinstated");
        if (!same(sqlite3_column_text(st, 2), start) || !same(sqlite3_column_text(st, 3), end) ||
            !same(sqlite3_column_text(st, 4), room))
            add_word(what, sizeof(what), "moved");
        if (!same(sqlite3_column_text(st, 1), title))
            add_word(what, sizeof(what), "renamed");
        snprintf(before, sizeof(before), "%s|%s|%s|%s", sqlite3_column_text(st, 1),
                 sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
                 sqlite3_column_text(st, 4) ? (const char *)sqlite3_column_text(st, 4) : "");
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? pl_error_set(err, PL_ENOTFOUND, "no session %lld", session_id)
                               : pl_store_fail(store, err, "cannot read sessions");
    }
    sqlite3_finalize(st);
    if (rc < 0 || !*what)
        return rc;
    return pl_outbox_change(store, ev, session_id, what, before, err);
}

int pl_outbox_sessions_dropped(pl_store *store, long long event_id,
                               int (*keep)(const char *key, void *payload), void *payload,
                               pl_error *err)
{
    sqlite3_stmt *sel = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &sel,
                               "SELECT id, key FROM sessions WHERE event_id = ?1 "
                               "AND status = 'confirmed'",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(sel, 1, event_id);
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW)
        if (!keep((const char *)sqlite3_column_text(sel, 1), payload) &&
            (rc = pl_outbox_change(store, event_id, sqlite3_column_int64(sel, 0), "cancelled", NULL,
                                   err)) < 0)
            goto done;
    rc = rc == SQLITE_DONE ? 0 : pl_store_fail(store, err, "cannot read sessions");
done:
    sqlite3_finalize(sel);
    return rc;
}

int pl_outbox_event_edit(pl_store *store, long long event_id, const char *start, const char *end,
                         const char *venue_name, const char *venue_address, const char *status,
                         pl_error *err)
{
    sqlite3_stmt *st = NULL;
    char what[64] = "", before[600];
    int rc;

    if ((rc = pl_store_prepare(store, &st,
                               "SELECT start, end, venue_name, venue_address, status FROM events "
                               "WHERE id = ?1",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, event_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int was_cancelled = same(sqlite3_column_text(st, 4), "cancelled");
        int cancelled = status && strcmp(status, "cancelled") == 0;
        if (cancelled && !was_cancelled)
            add_word(what, sizeof(what), "cancelled");
        else if (was_cancelled && !cancelled)
            add_word(what, sizeof(what), "reinstated");
        if (!cancelled &&
            (!same(sqlite3_column_text(st, 0), start) || !same(sqlite3_column_text(st, 1), end) ||
             !same(sqlite3_column_text(st, 2), venue_name) ||
             !same(sqlite3_column_text(st, 3), venue_address)))
            add_word(what, sizeof(what), "moved");
        snprintf(before, sizeof(before), "|%s|%s|%s", sqlite3_column_text(st, 0),
                 sqlite3_column_text(st, 1),
                 sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "");
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? pl_error_set(err, PL_ENOTFOUND, "no event %lld", event_id)
                               : pl_store_fail(store, err, "cannot read events");
    }
    sqlite3_finalize(st);
    if (rc < 0 || !*what)
        return rc;
    return pl_outbox_change(store, event_id, 0, what, before, err);
}

struct pl_outbox_writer {
    pl_store *store;
    char now[32];
    sqlite3_stmt *registered, *note;
};

int pl_outbox_writer_open(pl_outbox_writer **out, pl_store *store, pl_error *err)
{
    pl_outbox_writer *w = calloc(1, sizeof(*w));
    int rc;

    *out = NULL;
    if (!w)
        return pl_error_oom(err);
    w->store = store;
    pl_now_utc(w->now);
    if ((rc = pl_store_prepare(
             store, &w->registered,
             "INSERT INTO outbox (event_id, registration_id, kind, version, message_id, "
             "not_before, created) SELECT event_id, id, CASE status WHEN 'confirmed' THEN "
             "'confirmation' ELSE 'waitlisted' END, CAST(arrival AS TEXT), " NEW_MESSAGE_ID
             ", ?3, ?3 FROM registrations WHERE id BETWEEN ?1 AND ?2 AND status != 'cancelled' "
             "ON CONFLICT DO NOTHING",
             err)) < 0 ||
        (rc = pl_store_prepare(
             store, &w->note,
             "INSERT INTO outbox (event_id, registration_id, kind, version, message_id, "
             "not_before, created) SELECT event_id, id, ?2, CAST(arrival AS TEXT), " NEW_MESSAGE_ID
             ", ?3, ?3 FROM registrations WHERE id = ?1 ON CONFLICT DO NOTHING",
             err)) < 0) {
        pl_outbox_writer_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

void pl_outbox_writer_free(pl_outbox_writer *w)
{
    if (!w)
        return;
    sqlite3_finalize(w->registered);
    sqlite3_finalize(w->note);
    free(w);
}

int pl_outbox_writer_registered(pl_outbox_writer *w, long long first, long long last, pl_error *err)
{
    int rc;

    if (!w)
        return 0;
    sqlite3_reset(w->registered);
    sqlite3_bind_int64(w->registered, 1, first);
    sqlite3_bind_int64(w->registered, 2, last);
    sqlite3_bind_text(w->registered, 3, w->now, -1, SQLITE_STATIC);
    rc = pl_store_step(w->store, w->registered, "cannot write the outbox", err);
    sqlite3_reset(w->registered);
    return rc;
}

int pl_outbox_writer_note(pl_outbox_writer *w, long long registration_id, pl_mail_kind kind,
                          pl_error *err)
{
    int rc;

    if (!w)
        return 0;
    if (kind < 0 || kind >= PL_MAIL_KIND_COUNT)
        return pl_error_set(err, PL_EINVALID, "unknown message kind %d", (int)kind);
    sqlite3_reset(w->note);
    sqlite3_bind_int64(w->note, 1, registration_id);
    sqlite3_bind_text(w->note, 2, kind_names[kind], -1, SQLITE_STATIC);
    sqlite3_bind_text(w->note, 3, w->now, -1, SQLITE_STATIC);
    rc = pl_store_step(w->store, w->note, "cannot write the outbox", err);
    sqlite3_reset(w->note);
    /* someone who leaves is not told the workshop they got, if not yet */
    if (rc >= 0 && kind == PL_MAIL_CANCELLATION) {
        sqlite3_stmt *st = NULL;
        if ((rc = pl_store_prepare(
                 w->store, &st,
                 "DELETE FROM outbox WHERE registration_id = ?1 AND kind = 'change' AND "
                 "status = 'queued' AND attempts = 0 AND version GLOB 'allocation:*' AND "
                 "NOT EXISTS (SELECT 1 FROM json_each(outbox.detail) WHERE "
                 "json_extract(value, '$.session') IS NOT NULL)",
                 err)) < 0)
            return rc;
        sqlite3_bind_int64(st, 1, registration_id);
        rc = pl_store_step(w->store, st, "cannot write the outbox", err);
        sqlite3_finalize(st);
    }
    return rc;
}

static int event_id(pl_store *store, const char *slug, long long *out, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &st, "SELECT id FROM events WHERE slug = ?1", err)) < 0)
        return rc;
    pl_store_bind_text(st, 1, slug);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = pl_error_set(err, PL_ENOTFOUND, "no event '%s'", slug);
    } else {
        rc = pl_store_fail(store, err, "cannot read events");
    }
    sqlite3_finalize(st);
    return rc;
}

int pl_outbox_remind(pl_store *store, const char *slug, const char *version, const char *detail,
                     pl_error *err)
{
    long long ev = 0;
    char now[32];
    int rc;

    if ((rc = event_id(store, slug, &ev, err)) < 0)
        return rc;
    pl_now_utc(now);
    return run(store,
               "INSERT INTO outbox (event_id, registration_id, kind, version, detail, message_id, "
               "not_before, created) SELECT event_id, id, 'reminder', ?2, ?3, " NEW_MESSAGE_ID
               ", ?4, ?4 FROM registrations WHERE event_id = ?1 AND status = 'confirmed' "
               "ON CONFLICT DO NOTHING",
               ev, version, detail, now, err);
}

int pl_outbox_carpool_confirmed(pl_store *store, long long plan_id, const char *confirmed_at,
                                pl_error *err)
{
    char now[32];

    pl_now_utc(now);
    /* the way home: versioned by the drop-off's sequence, detail "return" */
    return run(store,
               "INSERT INTO outbox (event_id, registration_id, kind, version, detail, message_id, "
               "not_before, created) SELECT r.event_id, r.id, 'carpool', CASE WHEN pl.trip = "
               "'return' THEN 'home:' || coalesce((SELECT d.sequence FROM carpool_dropoffs d "
               "WHERE d.registration_id = r.id), 0) ELSE 'pickup:' || coalesce((SELECT p.sequence "
               "FROM carpool_pickups p WHERE p.registration_id = r.id), 0) END, CASE WHEN "
               "pl.trip = 'return' THEN 'return' END, " NEW_MESSAGE_ID
               ", ?3, ?3 FROM carpool_plans pl JOIN carpool_groups g ON g.plan_id = pl.id JOIN "
               "carpool_members m ON m.group_id = g.id JOIN registrations r ON r.id = "
               "m.registration_id WHERE g.plan_id = ?1 AND g.confirmed = 1 AND g.confirmed_at = "
               "?2 ORDER BY g.id, m.position ON CONFLICT DO NOTHING",
               plan_id, confirmed_at, now, NULL, err);
}

/* The messages of the changes after `after` to the confirmed cars of one
 * trip: the way there versioned by the pickup's sequence ("pickup:N",
 * "lost:N"), the way home by the drop-off's ("home:N", "homelost:N", detail
 * "return" or "lost_seat_return"). */
static int carpool_changed_trip(pl_store *store, long long event_id, long long after, int home,
                                pl_error *err)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc;

    pl_now_utc(now);
    rc = pl_store_prepare(
        store, &st,
        "WITH c AS (SELECT * FROM carpool_changes WHERE event_id = ?1 AND id > ?2 AND "
        "trip = ?4), "
        /* who acted: told nothing about their own act */
        "self AS (SELECT registration_id AS reg FROM c WHERE what = 'left' OR "
        "what = 'driver_cancelled' OR what = 'driver_declined'), "
        "cars AS (SELECT driver_id AS d FROM c WHERE driver_id IS NOT NULL UNION "
        "SELECT from_driver_id FROM c WHERE from_driver_id IS NOT NULL), "
        "w AS (SELECT registration_id AS reg, max(what = 'lost_seat') AS lost FROM c "
        "GROUP BY registration_id UNION ALL "
        /* the members of the confirmed cars concerned, as they now are */
        "SELECT m.registration_id, 0 FROM carpool_plans p JOIN carpool_groups g ON "
        "g.plan_id = p.id JOIN carpool_members m ON m.group_id = g.id WHERE "
        "p.event_id = ?1 AND p.trip = ?4 AND g.confirmed = 1 AND "
        "g.driver_id IN (SELECT d FROM cars)), "
        "who AS (SELECT reg, max(lost) AS lost FROM w WHERE reg NOT IN (SELECT reg FROM self) "
        "GROUP BY reg) "
        "INSERT INTO outbox (event_id, registration_id, kind, version, detail, message_id, "
        "not_before, created) SELECT r.event_id, r.id, 'carpool', (CASE WHEN ?5 THEN "
        "(CASE WHEN who.lost THEN 'homelost:' ELSE 'home:' END) || coalesce((SELECT d.sequence "
        "FROM carpool_dropoffs d WHERE d.registration_id = r.id), 0) ELSE (CASE WHEN who.lost "
        "THEN 'lost:' ELSE 'pickup:' END) || coalesce((SELECT p.sequence FROM carpool_pickups p "
        "WHERE p.registration_id = r.id), 0) END), CASE WHEN who.lost THEN (CASE WHEN ?5 THEN "
        "'lost_seat_return' ELSE 'lost_seat' END) WHEN ?5 THEN 'return' END, " NEW_MESSAGE_ID
        ", ?3, ?3 FROM who JOIN registrations r ON r.id = who.reg WHERE r.status = 'confirmed' "
        "ORDER BY r.id ON CONFLICT DO NOTHING",
        err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, after);
    pl_store_bind_text(st, 3, now);
    pl_store_bind_text(st, 4, home ? "return" : "outbound");
    sqlite3_bind_int(st, 5, home);
    if ((rc = pl_store_step(store, st, "cannot write the outbox", err)) == 0)
        rc = sqlite3_changes(pl_store_db(store));
    sqlite3_finalize(st);
    return rc;
}

int pl_outbox_carpool_changed(pl_store *store, long long event_id, long long after, pl_error *err)
{
    int there = carpool_changed_trip(store, event_id, after, 0, err), home;

    if (there < 0)
        return there;
    if ((home = carpool_changed_trip(store, event_id, after, 1, err)) < 0)
        return home;
    return there + home;
}

int pl_outbox_announce(pl_store *store, const char *slug, const char *subject, const char *body,
                       pl_mail_audience to, pl_error *err)
{
    static const char *const audience[] = {
        "status = 'confirmed'",
        "status = 'waitlisted'",
        "status != 'cancelled'",
    };
    sqlite3_stmt *ins = NULL, *st = NULL;
    long long ev, ann;
    char now[32], sql[512];
    int rc;

    if (!subject || !*subject)
        return pl_error_set(err, PL_EINVALID, "an announcement needs a subject");
    if (!body || !*body)
        return pl_error_set(err, PL_EINVALID, "an announcement needs a body");
    if (to < PL_AUDIENCE_CONFIRMED || to > PL_AUDIENCE_ALL)
        return pl_error_set(err, PL_EINVALID, "unknown audience %d", (int)to);
    pl_now_utc(now);
    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    if ((rc = event_id(store, slug, &ev, err)) < 0)
        goto done;
    if ((rc = pl_store_prepare(store, &ins,
                               "INSERT INTO announcements (event_id, subject, body, created) "
                               "VALUES (?1, ?2, ?3, ?4)",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(ins, 1, ev);
    pl_store_bind_text(ins, 2, subject);
    pl_store_bind_text(ins, 3, body);
    pl_store_bind_text(ins, 4, now);
    if ((rc = pl_store_step(store, ins, "cannot write announcements", err)) < 0)
        goto done;
    ann = sqlite3_last_insert_rowid(pl_store_db(store));
    snprintf(sql, sizeof(sql),
             "INSERT INTO outbox (event_id, registration_id, kind, version, announcement_id, "
             "message_id, not_before, created) SELECT event_id, id, 'announcement', ?2, "
             "?2, " NEW_MESSAGE_ID ", ?3, ?3 FROM registrations WHERE event_id = ?1 AND %s "
             "ORDER BY arrival ON CONFLICT DO NOTHING",
             audience[to]);
    if ((rc = pl_store_prepare(store, &st, sql, err)) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, ev);
    sqlite3_bind_int64(st, 2, ann);
    pl_store_bind_text(st, 3, now);
    if ((rc = pl_store_step(store, st, "cannot write the outbox", err)) < 0)
        goto done;
    rc = sqlite3_changes(pl_store_db(store));
    {
        int c = pl_store_commit(store, err);
        if (c < 0)
            rc = c;
    }
done:
    sqlite3_finalize(ins);
    sqlite3_finalize(st);
    if (rc < 0)
        pl_store_rollback(store);
    return rc;
}

/* ---- reading ---- */

#define MSG_SELECT                                                                                 \
    "SELECT o.id, o.registration_id, e.slug, r.email, o.kind, o.version, o.detail, "               \
    "o.message_id, o.status, o.attempts, o.error, o.created, o.sent, o.not_before, a.subject, "    \
    "a.body FROM outbox o JOIN registrations r ON r.id = o.registration_id JOIN events e ON "      \
    "e.id = o.event_id LEFT JOIN announcements a ON a.id = o.announcement_id "

void pl_outbox_message_free(pl_outbox_message *m)
{
    if (!m)
        return;
    free(m->event_slug);
    free(m->to);
    free(m->version);
    free(m->detail);
    free(m->message_id);
    free(m->error);
    free(m->created);
    free(m->sent);
    free(m->not_before);
    free(m->subject);
    free(m->body);
    free(m);
}

void pl_outbox_list_free(pl_outbox_message **list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        pl_outbox_message_free(list[i]);
    free(list);
}

static pl_outbox_message *read_message(sqlite3_stmt *st)
{
    pl_outbox_message *m = calloc(1, sizeof(*m));

    if (!m)
        return NULL;
    m->id = sqlite3_column_int64(st, 0);
    m->registration_id = sqlite3_column_int64(st, 1);
    m->event_slug = pl_store_column_text(st, 2);
    m->to = pl_store_column_text(st, 3);
    pl_mail_kind_parse(&m->kind, (const char *)sqlite3_column_text(st, 4));
    m->version = pl_store_column_text(st, 5);
    m->detail = pl_store_column_text(st, 6);
    m->message_id = pl_store_column_text(st, 7);
    pl_mail_status_parse(&m->status, (const char *)sqlite3_column_text(st, 8));
    m->attempts = sqlite3_column_int(st, 9);
    m->error = pl_store_column_text(st, 10);
    m->created = pl_store_column_text(st, 11);
    m->sent = pl_store_column_text(st, 12);
    m->not_before = pl_store_column_text(st, 13);
    m->subject = pl_store_column_text(st, 14);
    m->body = pl_store_column_text(st, 15);
    if (!m->event_slug || !m->to || !m->version || !m->message_id || !m->created ||
        !m->not_before) {
        pl_outbox_message_free(m);
        return NULL;
    }
    return m;
}

/* Run st and collect its messages. */
static int collect(pl_outbox_message ***out, size_t *count, pl_store *store, sqlite3_stmt *st,
                   pl_error *err)
{
    pl_outbox_message **list = NULL;
    size_t n = 0, cap = 0;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            pl_outbox_message **p = realloc(list, (cap = cap ? cap * 2 : 16) * sizeof(*p));
            if (!p) {
                pl_outbox_list_free(list, n);
                return pl_error_oom(err);
            }
            list = p;
        }
        if (!(list[n] = read_message(st))) {
            pl_outbox_list_free(list, n);
            return pl_error_oom(err);
        }
        n++;
    }
    if (rc != SQLITE_DONE) {
        pl_outbox_list_free(list, n);
        return pl_store_fail(store, err, "cannot read the outbox");
    }
    *out = list;
    *count = n;
    return 0;
}

int pl_outbox_get(pl_outbox_message **out, pl_store *store, long long id, pl_error *err)
{
    pl_outbox_message **list = NULL;
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    int rc;

    *out = NULL;
    if ((rc = pl_store_prepare(store, &st, MSG_SELECT "WHERE o.id = ?1", err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    rc = collect(&list, &n, store, st, err);
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    if (n == 0) {
        free(list);
        return pl_error_set(err, PL_ENOTFOUND, "no message %lld in the outbox", id);
    }
    *out = list[0];
    free(list);
    return 0;
}

int pl_outbox_list(pl_outbox_message ***out, size_t *count, pl_store *store, const char *slug,
                   const pl_mail_status *status, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    long long ev = 0;
    int rc;

    *out = NULL;
    *count = 0;
    if (slug && (rc = event_id(store, slug, &ev, err)) < 0)
        return rc;
    if ((rc = pl_store_prepare(store, &st,
                               MSG_SELECT "WHERE (?1 = 0 OR o.event_id = ?1) AND "
                                          "(?2 IS NULL OR o.status = ?2) ORDER BY o.id",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, ev);
    if (status)
        sqlite3_bind_text(st, 2, pl_mail_status_name(*status), -1, SQLITE_STATIC);
    rc = collect(out, count, store, st, err);
    sqlite3_finalize(st);
    return rc;
}

int pl_outbox_due(pl_outbox_message ***out, size_t *count, pl_store *store, const char *now,
                  int ignore_schedule, size_t limit, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = pl_store_prepare(store, &st,
                               MSG_SELECT "WHERE o.status = 'queued' AND (?2 OR o.not_before <= "
                                          "?1) ORDER BY o.not_before, o.id LIMIT ?3",
                               err)) < 0)
        return rc;
    pl_store_bind_text(st, 1, now);
    sqlite3_bind_int(st, 2, ignore_schedule != 0);
    sqlite3_bind_int64(st, 3, limit ? (long long)limit : -1);
    rc = collect(out, count, store, st, err);
    sqlite3_finalize(st);
    return rc;
}

int pl_outbox_mark_sent(pl_store *store, long long id, const char *now, pl_error *err)
{
    int rc = run(store,
                 "UPDATE outbox SET status = 'sent', attempts = attempts + 1, error = NULL, "
                 "sent = ?2 WHERE id = ?1",
                 id, now, NULL, NULL, err);
    return rc < 0 ? rc : 0;
}

int pl_outbox_mark_retry(pl_store *store, long long id, const char *error, const char *not_before,
                         pl_error *err)
{
    int rc = run(store,
                 "UPDATE outbox SET attempts = attempts + 1, error = ?2, not_before = ?3 "
                 "WHERE id = ?1 AND status = 'queued'",
                 id, error, not_before, NULL, err);
    return rc < 0 ? rc : 0;
}

int pl_outbox_mark_failed(pl_store *store, long long id, const char *error, pl_error *err)
{
    int rc = run(store,
                 "UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ?2 "
                 "WHERE id = ?1",
                 id, error, NULL, NULL, err);
    return rc < 0 ? rc : 0;
}

int pl_outbox_requeue(pl_store *store, long long id, pl_error *err)
{
    pl_outbox_message *m = NULL;
    char now[32];
    int rc;

    if ((rc = pl_outbox_get(&m, store, id, err)) < 0)
        return rc;
    if (m->status == PL_MAIL_SENT)
        rc = pl_error_set(err, PL_EINVALID, "message %lld was sent already (%s)", id, m->sent);
    pl_outbox_message_free(m);
    if (rc < 0)
        return rc;
    pl_now_utc(now);
    rc = run(store, "UPDATE outbox SET status = 'queued', not_before = ?2 WHERE id = ?1", id, now,
             NULL, NULL, err);
    return rc < 0 ? rc : 0;
}

int pl_outbox_requeue_failed(pl_store *store, pl_error *err)
{
    char now[32];

    pl_now_utc(now);
    return run(store,
               "UPDATE outbox SET status = 'queued', not_before = ?2 WHERE status = 'failed' "
               "AND ?1 = ?1",
               0, now, NULL, NULL, err);
}

/* ---- settings ---- */

int pl_outbox_reminder_days(pl_store *store, const char *slug, int *out, pl_error *err)
{
    char key[300];

    snprintf(key, sizeof(key), "mail.reminder_days:%s", slug);
    return pl_setting_get_int(out, store, key, 2, err);
}

int pl_outbox_set_reminder_days(pl_store *store, const char *slug, int days, pl_error *err)
{
    char key[300], v[16];
    long long ev = 0;
    int rc;

    if (days < 0 || days > 365)
        return pl_error_set(err, PL_EINVALID, "reminder days must be from 0 to 365, not %d", days);
    if ((rc = event_id(store, slug, &ev, err)) < 0)
        return rc;
    snprintf(key, sizeof(key), "mail.reminder_days:%s", slug);
    snprintf(v, sizeof(v), "%d", days);
    return pl_setting_set(store, key, v, err);
}

int pl_outbox_resend_link(pl_store *store, const char *slug, long long registration_id,
                          pl_error *err)
{
    sqlite3_stmt *st = NULL;
    char version[48], now[32];
    pl_mail_kind kind;
    int rc;

    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    if ((rc = pl_store_prepare(store, &st,
                               "SELECT r.status FROM registrations r JOIN events e ON "
                               "e.id = r.event_id WHERE r.id = ?1 AND e.slug = ?2",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, registration_id);
    pl_store_bind_text(st, 2, slug);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        rc = pl_error_set(err, PL_ENOTFOUND, "no such registration in event '%s'", slug);
        goto done;
    }
    if (rc != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read the registration");
        goto done;
    }
    if (strcmp((const char *)sqlite3_column_text(st, 0), "cancelled") == 0) {
        rc = pl_error_set(err, PL_EINVALID, "the registration is cancelled: it has no link");
        goto done;
    }
    kind = strcmp((const char *)sqlite3_column_text(st, 0), "waitlisted") == 0
               ? PL_MAIL_WAITLISTED
               : PL_MAIL_CONFIRMATION;
    sqlite3_finalize(st);
    st = NULL;
    pl_now_utc(now);
    snprintf(version, sizeof(version), "resend-%s", now);
    if ((rc = pl_outbox_enqueue(store, registration_id, kind, version, NULL, err)) < 0)
        goto done;
    rc = pl_store_commit(store, err);
done:
    sqlite3_finalize(st);
    if (rc < 0)
        pl_store_rollback(store);
    return rc < 0 ? rc : 0;
}
