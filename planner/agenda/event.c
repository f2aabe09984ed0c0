#include "event.h"
#include "lang.h"
#include "outbox.h"
#include "random.h"
#include "text.h"
#include "feed_rows.h"
#include "store_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pl_strlist_push(pl_strlist *l, const char *s)
{
    char **items = realloc(l->items, (l->count + 1) * sizeof(*items));

    if (!items)
        return PL_ERROR;
    l->items = items;
    if (!(items[l->count] = pl_strdup(s)))
        return PL_ERROR;
    l->count++;
    return 0;
}

void pl_strlist_clear(pl_strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

void pl_session_clear(pl_session *s)
{
    free(s->id);
    free(s->uid);
    free(s->title);
    free(s->kind);
    free(s->start);
    free(s->end);
    free(s->room);
    free(s->description);
    pl_strlist_clear(&s->speakers);
    free(s->created);
    free(s->modified);
}

void pl_event_free(pl_event *ev)
{
    if (!ev)
        return;
    free(ev->slug);
    free(ev->uid);
    free(ev->title);
    free(ev->summary);
    free(ev->description);
    free(ev->format);
    free(ev->timezone);
    free(ev->language);
    free(ev->start);
    free(ev->end);
    free(ev->venue_name);
    free(ev->venue_address);
    free(ev->online_url);
    pl_strlist_clear(&ev->organizations);
    free(ev->theme);
    pl_strlist_clear(&ev->challenges);
    pl_strlist_clear(&ev->communities);
    pl_strlist_clear(&ev->commons);
    free(ev->status);
    free(ev->created);
    free(ev->modified);
    for (size_t i = 0; i < ev->nspeakers; i++) {
        free(ev->speakers[i].id);
        free(ev->speakers[i].name);
        free(ev->speakers[i].organization);
        free(ev->speakers[i].bio);
    }
    free(ev->speakers);
    for (size_t i = 0; i < ev->nsessions; i++)
        pl_session_clear(&ev->sessions[i]);
    free(ev->sessions);
    free(ev);
}

const pl_speaker *pl_event_speaker(const pl_event *ev, const char *id)
{
    for (size_t i = 0; i < ev->nspeakers; i++)
        if (strcmp(ev->speakers[i].id, id) == 0)
            return &ev->speakers[i];
    return NULL;
}

const pl_session *pl_event_session(const pl_event *ev, const char *id)
{
    for (size_t i = 0; i < ev->nsessions; i++)
        if (strcmp(ev->sessions[i].id, id) == 0)
            return &ev->sessions[i];
    return NULL;
}

/* ---- fingerprints: what a feed subscriber would see change ---- */

static void fp_list(pl_buf *b, const pl_strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        pl_fp_field(b, l->items[i]);
    pl_buf_append(b, "\x1e", 1);
}

static void fp_location(pl_buf *b, const pl_event *ev)
{
    pl_fp_field(b, ev->timezone);
    /* only when it is not the zone's default, so that events stored before
     * the key keep their fingerprint (and their sequence), and an event shown
     * as JSON (which names its language) imports back unchanged */
    pl_lang lang;
    if (ev->language && pl_lang_parse(&lang, ev->language) == 0 &&
        lang != pl_lang_for_zone(ev->timezone ? ev->timezone : "Europe/Paris")) {
        pl_buf_puts(b, "lang=");
        pl_fp_field(b, ev->language);
    }
    pl_fp_field(b, ev->format);
    pl_fp_field(b, ev->venue_name);
    pl_fp_field(b, ev->venue_address);
    if (ev->has_geo)
        pl_buf_printf(b, "%.6f,%.6f\x1f", ev->venue_lat, ev->venue_lon);
    pl_fp_field(b, ev->online_url);
    pl_fp_field(b, ev->status);
}

static char *event_fingerprint(const pl_event *ev)
{
    pl_buf b = PL_BUF_INIT;

    pl_fp_field(&b, ev->title);
    pl_fp_field(&b, ev->summary);
    pl_fp_field(&b, ev->description);
    pl_fp_field(&b, ev->start);
    pl_fp_field(&b, ev->end);
    pl_buf_printf(&b, "%d\x1f", ev->capacity);
    pl_fp_field(&b, ev->theme);
    fp_location(&b, ev);
    fp_list(&b, &ev->organizations);
    fp_list(&b, &ev->challenges);
    fp_list(&b, &ev->communities);
    fp_list(&b, &ev->commons);
    return pl_buf_detach(&b);
}

/* A session's fingerprint includes what its feed entry shows of the event
 * (place, zone, status) and of its speakers, so that moving the venue or
 * renaming a speaker reaches subscribers too. */
static char *session_fingerprint(const pl_event *ev, const pl_session *s)
{
    pl_buf b = PL_BUF_INIT;

    pl_fp_field(&b, s->title);
    pl_fp_field(&b, s->kind);
    pl_fp_field(&b, s->start);
    pl_fp_field(&b, s->end);
    pl_fp_field(&b, s->room);
    pl_buf_printf(&b, "%d\x1f", s->capacity);
    pl_fp_field(&b, s->description);
    for (size_t i = 0; i < s->speakers.count; i++) {
        const pl_speaker *sp = pl_event_speaker(ev, s->speakers.items[i]);
        pl_fp_field(&b, s->speakers.items[i]);
        pl_fp_field(&b, sp ? sp->name : NULL);
        pl_fp_field(&b, sp ? sp->organization : NULL);
    }
    pl_buf_append(&b, "\x1e", 1);
    fp_location(&b, ev);
    return pl_buf_detach(&b);
}

/* ---- save ---- */

static int save_tags(pl_store *store, long long event_id, const pl_event *ev, pl_error *err)
{
    static const char *const kinds[] = {"organization", "challenge", "community", "common"};
    const pl_strlist *lists[] = {&ev->organizations, &ev->challenges, &ev->communities,
                                 &ev->commons};
    sqlite3_stmt *del = NULL, *ins = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &del, "DELETE FROM event_tags WHERE event_id = ?", err)) < 0)
        goto done;
    sqlite3_bind_int64(del, 1, event_id);
    if ((rc = pl_store_step(store, del, "cannot write", err)) < 0)
        goto done;
    if ((rc = pl_store_prepare(store, &ins,
                               "INSERT INTO event_tags (event_id, kind, position, value) "
                               "VALUES (?, ?, ?, ?)",
                               err)) < 0)
        goto done;
    for (size_t k = 0; k < 4; k++) {
        for (size_t i = 0; i < lists[k]->count; i++) {
            sqlite3_reset(ins);
            sqlite3_bind_int64(ins, 1, event_id);
            sqlite3_bind_text(ins, 2, kinds[k], -1, SQLITE_STATIC);
            sqlite3_bind_int(ins, 3, (int)i);
            pl_store_bind_text(ins, 4, lists[k]->items[i]);
            if ((rc = pl_store_step(store, ins, "cannot write", err)) < 0)
                goto done;
        }
    }
done:
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    return rc;
}

/* Bind the event's own columns as ?1..?18 and ?20 (see the statements below). */
static void bind_event(sqlite3_stmt *st, const pl_event *ev, const char *fp, const char *now)
{
    pl_store_bind_text(st, 1, ev->slug);
    pl_store_bind_text(st, 2, ev->title);
    pl_store_bind_text(st, 3, ev->summary);
    pl_store_bind_text(st, 4, ev->description);
    pl_store_bind_text(st, 5, ev->format);
    pl_store_bind_text(st, 6, ev->timezone);
    pl_store_bind_text(st, 7, ev->start);
    pl_store_bind_text(st, 8, ev->end);
    pl_store_bind_text(st, 9, ev->venue_name);
    pl_store_bind_text(st, 10, ev->venue_address);
    if (ev->has_geo) {
        sqlite3_bind_double(st, 11, ev->venue_lat);
        sqlite3_bind_double(st, 12, ev->venue_lon);
    } else {
        sqlite3_bind_null(st, 11);
        sqlite3_bind_null(st, 12);
    }
    pl_store_bind_text(st, 13, ev->online_url);
    sqlite3_bind_int(st, 14, ev->capacity);
    pl_store_bind_text(st, 15, ev->theme);
    pl_store_bind_text(st, 16, ev->status);
    pl_store_bind_text(st, 17, fp);
    pl_store_bind_text(st, 18, now);
    pl_store_bind_text(st, 20, ev->language);
}

/* The purge delay is no part of the fingerprint: subscribers do not see
 * it, so changing it alone moves no SEQUENCE. Written on every save. */
static int save_purge_days(pl_store *store, long long event_id, const pl_event *ev, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &st, "UPDATE events SET purge_after_days = ?2 WHERE id = ?1",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, event_id);
    if (ev->purge_after_days > 0)
        sqlite3_bind_int(st, 2, ev->purge_after_days);
    rc = pl_store_step(store, st, "cannot write", err);
    sqlite3_finalize(st);
    return rc;
}

static int save_event_row(pl_store *store, const pl_event *ev, const char *now, long long *out_id,
                          pl_event_save_stats *stats, pl_error *err)
{
    sqlite3_stmt *sel = NULL, *st = NULL;
    char *fp = event_fingerprint(ev);
    char uid[64];
    int rc;

    if (!fp)
        return pl_error_oom(err);
    if ((rc = pl_store_prepare(store, &sel, "SELECT id, fingerprint FROM events WHERE slug = ?",
                               err)) < 0)
        goto done;
    pl_store_bind_text(sel, 1, ev->slug);
    rc = sqlite3_step(sel);
    if (rc == SQLITE_ROW) {
        *out_id = sqlite3_column_int64(sel, 0);
        const char *old = (const char *)sqlite3_column_text(sel, 1);
        rc = 0;
        if (old && strcmp(old, fp) == 0)
            goto done;
        stats->event_changed = 1;
        if ((rc = pl_outbox_event_edit(store, *out_id, ev->start, ev->end, ev->venue_name,
                                       ev->venue_address, ev->status, err)) < 0)
            goto done;
        if ((rc = pl_store_prepare(
                 store, &st,
                 "UPDATE events SET title=?2, summary=?3, description=?4, format=?5, "
                 "timezone=?6, start=?7, end=?8, venue_name=?9, venue_address=?10, "
                 "venue_lat=?11, venue_lon=?12, online_url=?13, capacity=?14, theme=?15, "
                 "status=?16, fingerprint=?17, modified=?18, language=?20, sequence=sequence+1 "
                 "WHERE slug=?1",
                 err)) < 0)
            goto done;
        bind_event(st, ev, fp, now);
        rc = pl_store_step(store, st, "cannot write", err);
        goto done;
    }
    if (rc != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read events");
        goto done;
    }
    stats->created = 1;
    if (pl_random_uuid(uid) < 0) {
        rc = pl_error_set(err, PL_EIO, "cannot read the OS random source");
        goto done;
    }
    strcat(uid, "@planner");
    if ((rc = pl_store_prepare(
             store, &st,
             "INSERT INTO events (slug, title, summary, description, format, timezone, start, "
             "end, venue_name, venue_address, venue_lat, venue_lon, online_url, capacity, theme, "
             "status, fingerprint, created, modified, uid, language, sequence) VALUES (?1, ?2, ?3, "
             "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18, ?19, ?20, "
             "0)",
             err)) < 0)
        goto done;
    bind_event(st, ev, fp, now);
    pl_store_bind_text(st, 19, uid);
    if ((rc = pl_store_step(store, st, "cannot write", err)) < 0)
        goto done;
    *out_id = sqlite3_last_insert_rowid(pl_store_db(store));
done:
    sqlite3_finalize(sel);
    sqlite3_finalize(st);
    free(fp);
    return rc;
}

static int save_speakers(pl_store *store, long long event_id, const pl_event *ev, pl_error *err)
{
    sqlite3_stmt *up = NULL, *del = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &up,
                               "INSERT INTO speakers (event_id, key, name, organization, bio) "
                               "VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id, key) DO UPDATE SET "
                               "name = excluded.name, organization = excluded.organization, "
                               "bio = excluded.bio",
                               err)) < 0)
        goto done;
    for (size_t i = 0; i < ev->nspeakers; i++) {
        const pl_speaker *sp = &ev->speakers[i];
        sqlite3_reset(up);
        sqlite3_bind_int64(up, 1, event_id);
        pl_store_bind_text(up, 2, sp->id);
        pl_store_bind_text(up, 3, sp->name);
        pl_store_bind_text(up, 4, sp->organization);
        pl_store_bind_text(up, 5, sp->bio);
        if ((rc = pl_store_step(store, up, "cannot write", err)) < 0)
            goto done;
    }
    /* Speakers gone from the file go; their session links follow (cascade). */
    if ((rc = pl_store_prepare(store, &del, "SELECT id, key FROM speakers WHERE event_id = ?",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(del, 1, event_id);
    {
        sqlite3_stmt *rm = NULL;
        if ((rc = pl_store_prepare(store, &rm, "DELETE FROM speakers WHERE id = ?", err)) < 0)
            goto done;
        while ((rc = sqlite3_step(del)) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(del, 1);
            if (pl_event_speaker(ev, key))
                continue;
            sqlite3_reset(rm);
            sqlite3_bind_int64(rm, 1, sqlite3_column_int64(del, 0));
            if ((rc = pl_store_step(store, rm, "cannot write", err)) < 0) {
                sqlite3_finalize(rm);
                goto done;
            }
        }
        sqlite3_finalize(rm);
        rc = rc == SQLITE_DONE ? 0 : pl_store_fail(store, err, "cannot read speakers");
    }
done:
    sqlite3_finalize(up);
    sqlite3_finalize(del);
    return rc;
}

static int link_speakers(pl_store *store, long long event_id, long long session_id,
                         const pl_session *s, pl_error *err)
{
    sqlite3_stmt *del = NULL, *ins = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &del, "DELETE FROM session_speakers WHERE session_id = ?",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(del, 1, session_id);
    if ((rc = pl_store_step(store, del, "cannot write", err)) < 0)
        goto done;
    if ((rc = pl_store_prepare(store, &ins,
                               "INSERT INTO session_speakers (session_id, speaker_id, position) "
                               "SELECT ?, id, ? FROM speakers WHERE event_id = ? AND key = ?",
                               err)) < 0)
        goto done;
    for (size_t i = 0; i < s->speakers.count; i++) {
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, session_id);
        sqlite3_bind_int(ins, 2, (int)i);
        sqlite3_bind_int64(ins, 3, event_id);
        pl_store_bind_text(ins, 4, s->speakers.items[i]);
        if ((rc = pl_store_step(store, ins, "cannot write", err)) < 0)
            goto done;
    }
done:
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    return rc;
}

static void bind_session(sqlite3_stmt *st, long long event_id, const pl_session *s, int position,
                         const char *fp, const char *now)
{
    sqlite3_bind_int64(st, 1, event_id);
    pl_store_bind_text(st, 2, s->id);
    pl_store_bind_text(st, 3, s->title);
    pl_store_bind_text(st, 4, s->kind);
    pl_store_bind_text(st, 5, s->start);
    pl_store_bind_text(st, 6, s->end);
    pl_store_bind_text(st, 7, s->room);
    sqlite3_bind_int(st, 8, s->capacity);
    pl_store_bind_text(st, 9, s->description);
    sqlite3_bind_int(st, 10, position);
    pl_store_bind_text(st, 11, fp);
    pl_store_bind_text(st, 12, now);
}

static int save_session(pl_store *store, long long event_id, const pl_event *ev, size_t index,
                        const char *now, pl_event_save_stats *stats, pl_error *err)
{
    const pl_session *s = &ev->sessions[index];
    sqlite3_stmt *sel = NULL, *st = NULL;
    char *fp = session_fingerprint(ev, s);
    long long session_id = 0;
    char uid[64];
    int rc;

    if (!fp)
        return pl_error_oom(err);
    if ((rc = pl_store_prepare(store, &sel,
                               "SELECT id, fingerprint, status FROM sessions "
                               "WHERE event_id = ? AND key = ?",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(sel, 1, event_id);
    pl_store_bind_text(sel, 2, s->id);
    rc = sqlite3_step(sel);
    if (rc == SQLITE_ROW) {
        const char *old = (const char *)sqlite3_column_text(sel, 1);
        const char *status = (const char *)sqlite3_column_text(sel, 2);
        int same = old && strcmp(old, fp) == 0 && strcmp(status, "confirmed") == 0;
        session_id = sqlite3_column_int64(sel, 0);
        if (!same && (rc = pl_outbox_session_edit(store, session_id, s->title, s->start, s->end,
                                                  s->room, err)) < 0)
            goto done;
        if ((rc = pl_store_prepare(
                 store, &st,
                 same ? "UPDATE sessions SET position = ?10 WHERE event_id = ?1 AND key = ?2"
                      : "UPDATE sessions SET title=?3, kind=?4, start=?5, end=?6, room=?7, "
                        "capacity=?8, description=?9, position=?10, fingerprint=?11, "
                        "modified=?12, status='confirmed', sequence=sequence+1 "
                        "WHERE event_id=?1 AND key=?2",
                 err)) < 0)
            goto done;
        bind_session(st, event_id, s, (int)index, fp, now);
        if ((rc = pl_store_step(store, st, "cannot write", err)) < 0)
            goto done;
        if (same)
            stats->sessions_unchanged++;
        else
            stats->sessions_changed++;
    } else if (rc == SQLITE_DONE) {
        if (pl_random_uuid(uid) < 0) {
            rc = pl_error_set(err, PL_EIO, "cannot read the OS random source");
            goto done;
        }
        strcat(uid, "@planner");
        if ((rc = pl_store_prepare(
                 store, &st,
                 "INSERT INTO sessions (event_id, key, title, kind, start, end, room, capacity, "
                 "description, position, fingerprint, created, modified, uid) VALUES (?1, ?2, "
                 "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)",
                 err)) < 0)
            goto done;
        bind_session(st, event_id, s, (int)index, fp, now);
        pl_store_bind_text(st, 13, uid);
        if ((rc = pl_store_step(store, st, "cannot write", err)) < 0)
            goto done;
        session_id = sqlite3_last_insert_rowid(pl_store_db(store));
        stats->sessions_added++;
    } else {
        rc = pl_store_fail(store, err, "cannot read sessions");
        goto done;
    }
    rc = link_speakers(store, event_id, session_id, s, err);
done:
    sqlite3_finalize(sel);
    sqlite3_finalize(st);
    free(fp);
    return rc;
}

/* Sessions no longer in the file stay, cancelled, so feeds can say so. */
static int in_file(const char *key, void *payload)
{
    return pl_event_session(payload, key) != NULL;
}

static int cancel_missing(pl_store *store, long long event_id, const pl_event *ev, const char *now,
                          pl_event_save_stats *stats, pl_error *err)
{
    int rc = pl_outbox_sessions_dropped(store, event_id, in_file, (void *)ev, err);

    if (rc < 0)
        return rc;
    return pl_feed_cancel_missing(store,
                                  "SELECT id, key FROM sessions WHERE event_id = ?1 "
                                  "AND status = 'confirmed'",
                                  "UPDATE sessions SET status = 'cancelled', "
                                  "sequence = sequence + 1, modified = ?1 WHERE id = ?2",
                                  event_id, now, in_file, (void *)ev, &stats->sessions_cancelled,
                                  "cannot read sessions", err);
}

static int bump_event(pl_store *store, long long event_id, const char *now, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = pl_store_prepare(
        store, &st, "UPDATE events SET sequence = sequence + 1, modified = ? WHERE id = ?", err);

    if (rc < 0)
        return rc;
    pl_store_bind_text(st, 1, now);
    sqlite3_bind_int64(st, 2, event_id);
    rc = pl_store_step(store, st, "cannot write", err);
    sqlite3_finalize(st);
    return rc;
}

int pl_event_save(pl_store *store, const pl_event *ev, pl_event_save_stats *out, pl_error *err)
{
    pl_event_save_stats stats = {0};
    long long event_id = 0;
    char now[32];
    int rc;

    pl_now_utc(now);
    if ((rc = pl_store_begin(store, err)) < 0)
        return rc;
    if ((rc = save_event_row(store, ev, now, &event_id, &stats, err)) < 0)
        goto fail;
    if ((rc = save_purge_days(store, event_id, ev, err)) < 0)
        goto fail;
    if ((rc = save_tags(store, event_id, ev, err)) < 0)
        goto fail;
    if ((rc = save_speakers(store, event_id, ev, err)) < 0)
        goto fail;
    for (size_t i = 0; i < ev->nsessions; i++)
        if ((rc = save_session(store, event_id, ev, i, now, &stats, err)) < 0)
            goto fail;
    if ((rc = cancel_missing(store, event_id, ev, now, &stats, err)) < 0)
        goto fail;
    /* The event's revision follows its sessions' too. */
    if (!stats.created && !stats.event_changed &&
        (stats.sessions_added || stats.sessions_changed || stats.sessions_cancelled) &&
        (rc = bump_event(store, event_id, now, err)) < 0)
        goto fail;
    if ((rc = pl_store_commit(store, err)) < 0)
        return rc;
    if (out)
        *out = stats;
    return 0;
fail:
    pl_store_rollback(store);
    return rc;
}

/* ---- load ---- */

static int load_tags(pl_store *store, pl_event *ev, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = pl_store_prepare(store, &st,
                               "SELECT kind, value FROM event_tags WHERE event_id = ? "
                               "ORDER BY kind, position",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, ev->rowid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(st, 0);
        const char *value = (const char *)sqlite3_column_text(st, 1);
        pl_strlist *l = strcmp(kind, "organization") == 0 ? &ev->organizations
                        : strcmp(kind, "challenge") == 0  ? &ev->challenges
                        : strcmp(kind, "community") == 0  ? &ev->communities
                                                          : &ev->commons;
        if (pl_strlist_push(l, value) < 0) {
            sqlite3_finalize(st);
            return pl_error_oom(err);
        }
    }
    rc = rc == SQLITE_DONE ? 0 : pl_store_fail(store, err, "cannot read event tags");
    sqlite3_finalize(st);
    return rc;
}

static int load_speakers(pl_store *store, pl_event *ev, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc, oom = 0;

    if ((rc = pl_store_prepare(store, &st,
                               "SELECT key, name, organization, bio FROM speakers "
                               "WHERE event_id = ? ORDER BY id",
                               err)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, ev->rowid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        pl_speaker *grown = realloc(ev->speakers, (ev->nspeakers + 1) * sizeof(*grown));
        if (!grown) {
            sqlite3_finalize(st);
            return pl_error_oom(err);
        }
        ev->speakers = grown;
        pl_speaker *sp = &ev->speakers[ev->nspeakers++];
        sp->id = pl_store_column_dup(st, 0, &oom);
        sp->name = pl_store_column_dup(st, 1, &oom);
        sp->organization = pl_store_column_dup(st, 2, &oom);
        sp->bio = pl_store_column_dup(st, 3, &oom);
        if (oom) {
            sqlite3_finalize(st);
            return pl_error_oom(err);
        }
    }
    rc = rc == SQLITE_DONE ? 0 : pl_store_fail(store, err, "cannot read speakers");
    sqlite3_finalize(st);
    return rc;
}

static int load_sessions(pl_store *store, pl_event *ev, pl_error *err)
{
    sqlite3_stmt *st = NULL, *sp = NULL;
    int rc, oom = 0;

    if ((rc = pl_store_prepare(store, &st,
                               "SELECT id, key, uid, title, kind, start, end, room, capacity, "
                               "description, status, sequence, created, modified FROM sessions "
                               "WHERE event_id = ? ORDER BY start, coalesce(room, ''), position, "
                               "key",
                               err)) < 0)
        goto done;
    if ((rc = pl_store_prepare(store, &sp,
                               "SELECT s.key FROM session_speakers ss JOIN speakers s "
                               "ON s.id = ss.speaker_id WHERE ss.session_id = ? "
                               "ORDER BY ss.position",
                               err)) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, ev->rowid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        pl_session *grown = realloc(ev->sessions, (ev->nsessions + 1) * sizeof(*grown));
        if (!grown) {
            rc = pl_error_oom(err);
            goto done;
        }
        ev->sessions = grown;
        pl_session *s = &ev->sessions[ev->nsessions++];
        memset(s, 0, sizeof(*s));
        s->rowid = sqlite3_column_int64(st, 0);
        s->id = pl_store_column_dup(st, 1, &oom);
        s->uid = pl_store_column_dup(st, 2, &oom);
        s->title = pl_store_column_dup(st, 3, &oom);
        s->kind = pl_store_column_dup(st, 4, &oom);
        s->start = pl_store_column_dup(st, 5, &oom);
        s->end = pl_store_column_dup(st, 6, &oom);
        s->room = pl_store_column_dup(st, 7, &oom);
        s->capacity = sqlite3_column_int(st, 8);
        s->description = pl_store_column_dup(st, 9, &oom);
        s->cancelled = strcmp((const char *)sqlite3_column_text(st, 10), "cancelled") == 0;
        s->sequence = sqlite3_column_int(st, 11);
        s->created = pl_store_column_dup(st, 12, &oom);
        s->modified = pl_store_column_dup(st, 13, &oom);
        if (oom) {
            rc = pl_error_oom(err);
            goto done;
        }
        sqlite3_reset(sp);
        sqlite3_bind_int64(sp, 1, s->rowid);
        while ((rc = sqlite3_step(sp)) == SQLITE_ROW)
            if (pl_strlist_push(&s->speakers, (const char *)sqlite3_column_text(sp, 0)) < 0) {
                rc = pl_error_oom(err);
                goto done;
            }
        if (rc != SQLITE_DONE) {
            rc = pl_store_fail(store, err, "cannot read session speakers");
            goto done;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : pl_store_fail(store, err, "cannot read sessions");
done:
    sqlite3_finalize(st);
    sqlite3_finalize(sp);
    return rc;
}

#define EVENT_COLUMNS                                                                              \
    "id, slug, uid, title, summary, description, format, timezone, start, end, venue_name, "       \
    "venue_address, venue_lat, venue_lon, online_url, capacity, theme, status, sequence, "         \
    "created, modified, language, purge_after_days"

static int event_from_row(pl_event **out, pl_store *store, sqlite3_stmt *st, pl_error *err)
{
    pl_event *ev = calloc(1, sizeof(*ev));
    int rc, oom = 0;

    if (!ev)
        return pl_error_oom(err);
    ev->rowid = sqlite3_column_int64(st, 0);
    ev->slug = pl_store_column_dup(st, 1, &oom);
    ev->uid = pl_store_column_dup(st, 2, &oom);
    ev->title = pl_store_column_dup(st, 3, &oom);
    ev->summary = pl_store_column_dup(st, 4, &oom);
    ev->description = pl_store_column_dup(st, 5, &oom);
    ev->format = pl_store_column_dup(st, 6, &oom);
    ev->timezone = pl_store_column_dup(st, 7, &oom);
    ev->start = pl_store_column_dup(st, 8, &oom);
    ev->end = pl_store_column_dup(st, 9, &oom);
    ev->venue_name = pl_store_column_dup(st, 10, &oom);
    ev->venue_address = pl_store_column_dup(st, 11, &oom);
    ev->has_geo = sqlite3_column_type(st, 12) != SQLITE_NULL;
    ev->venue_lat = sqlite3_column_double(st, 12);
    ev->venue_lon = sqlite3_column_double(st, 13);
    ev->online_url = pl_store_column_dup(st, 14, &oom);
    ev->capacity = sqlite3_column_int(st, 15);
    ev->theme = pl_store_column_dup(st, 16, &oom);
    ev->status = pl_store_column_dup(st, 17, &oom);
    ev->sequence = sqlite3_column_int(st, 18);
    ev->created = pl_store_column_dup(st, 19, &oom);
    ev->modified = pl_store_column_dup(st, 20, &oom);
    ev->language = pl_store_column_dup(st, 21, &oom);
    ev->purge_after_days = sqlite3_column_int(st, 22);
    rc = oom ? pl_error_oom(err) : 0;
    if (rc < 0 || (rc = load_tags(store, ev, err)) < 0 ||
        (rc = load_speakers(store, ev, err)) < 0 || (rc = load_sessions(store, ev, err)) < 0) {
        pl_event_free(ev);
        return rc;
    }
    *out = ev;
    return 0;
}

int pl_event_load(pl_event **out, pl_store *store, const char *slug, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *out = NULL;
    if ((rc = pl_store_prepare(store, &st, "SELECT " EVENT_COLUMNS " FROM events WHERE slug = ?",
                               err)) < 0)
        return rc;
    pl_store_bind_text(st, 1, slug);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = event_from_row(out, store, st, err);
    else if (rc == SQLITE_DONE)
        rc = pl_error_set(err, PL_ENOTFOUND, "no event '%s'", slug);
    else
        rc = pl_store_fail(store, err, "cannot read events");
    sqlite3_finalize(st);
    return rc;
}

int pl_event_list(pl_event ***out, size_t *count, pl_store *store, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    pl_event **list = NULL;
    size_t n = 0;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = pl_store_prepare(
             store, &st, "SELECT " EVENT_COLUMNS " FROM events ORDER BY start, slug", err)) < 0)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        pl_event **grown = realloc(list, (n + 1) * sizeof(*grown));
        if (!grown) {
            rc = pl_error_oom(err);
            goto fail;
        }
        list = grown;
        if ((rc = event_from_row(&list[n], store, st, err)) < 0)
            goto fail;
        n++;
    }
    if (rc != SQLITE_DONE) {
        rc = pl_store_fail(store, err, "cannot read events");
        goto fail;
    }
    sqlite3_finalize(st);
    *out = list;
    *count = n;
    return 0;
fail:
    sqlite3_finalize(st);
    pl_event_list_free(list, n);
    return rc;
}

void pl_event_list_free(pl_event **events, size_t count)
{
    for (size_t i = 0; i < count; i++)
        pl_event_free(events[i]);
    free(events);
}
