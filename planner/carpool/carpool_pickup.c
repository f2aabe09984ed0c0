/*
 * carpool_pickup.c - each member's pickup as their calendar feed shows it,
 * and what group members see of each other (first names, places).
 */
#include "carpool_plan.h"
#include "random.h"
#include "text.h"
#include "store_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pl_carpool_first_name(char *out, size_t size, const char *name)
{
    size_t n = 0;

    if (size == 0)
        return;
    while (name && (*name == ' ' || *name == '\t'))
        name++;
    for (; name && name[n] && name[n] != ' ' && name[n] != '\t' && name[n] != '\n'; n++)
        ;
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
            n--; /* never cut a character in two */
    }
    if (n)
        memcpy(out, name, n);
    out[n] = '\0';
}

void pl_carpool_member_where(char *out, size_t size, const pl_carpool_member *m)
{
    if (m->origin && m->place && strcmp(m->origin, m->place) != 0)
        snprintf(out, size, "%s (%s)", m->place, m->origin);
    else if (m->place || m->origin)
        snprintf(out, size, "%s", m->place ? m->place : m->origin);
    else
        snprintf(out, size, "%.5f, %.5f", m->lat, m->lon);
}

void pl_carpool_member_seen(pl_carpool_seen *out, const pl_carpool_assignment *a,
                            const pl_carpool_member *m)
{
    int viewer_drives = a->role == PL_CARPOOL_AS_DRIVER;
    int is_driver = a->group && m == &a->group->driver;

    memset(out, 0, sizeof(*out));
    out->is_self = m == a->self;
    if (out->is_self)
        snprintf(out->name, sizeof(out->name), "%s", m->name);
    else
        pl_carpool_first_name(out->name, sizeof(out->name), m->name);
    if (out->is_self || viewer_drives)
        pl_carpool_member_where(out->place, sizeof(out->place), m);
    else
        snprintf(out->place, sizeof(out->place), "%s", m->place ? m->place : "");
    if ((is_driver || viewer_drives) && m->share_phone)
        out->phone = m->phone;
}

void pl_carpool_pickup_free(pl_carpool_pickup *p)
{
    if (!p)
        return;
    free(p->uid);
    free(p->created);
    free(p->modified);
    free(p->time);
    free(p->arrival);
    free(p->place);
    free(p->driver_first_name);
    free(p->driver_phone);
    for (size_t i = 0; i < p->npassengers; i++)
        free(p->passengers[i]);
    free(p->passengers);
    free(p);
}

/* "a\nb\nc" into p->passengers; 0 or -1 (out of memory). */
static int split_names(pl_carpool_pickup *p, const char *lines)
{
    size_t n = 0;

    if (!lines || !*lines)
        return 0;
    for (const char *s = lines; *s; s++)
        n += *s == '\n';
    if (!(p->passengers = calloc(n + 1, sizeof(*p->passengers))))
        return -1;
    for (const char *s = lines; *s;) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (!(p->passengers[p->npassengers] = malloc(len + 1)))
            return -1;
        memcpy(p->passengers[p->npassengers], s, len);
        p->passengers[p->npassengers++][len] = '\0';
        s += len + (e != NULL);
    }
    return 0;
}

/* The same statements on the table of either trip (table names are
 * constants, never input). */
/* The driver's phone as stored at the plan, shown only while a person of
 * the event with that phone still agrees to share it: a consent withdrawn
 * after the plan is honoured at once. */
#define PICKUP_SELECT(table)                                                                       \
    "SELECT uid, sequence, created, modified, cancelled, is_driver, time, arrival, place, lat, "   \
    "lon, driver_name, CASE WHEN EXISTS (SELECT 1 FROM registrations d, registrations me "         \
    "WHERE me.id = ?1 AND d.event_id = me.event_id AND d.phone = driver_phone "                    \
    "AND d.share_phone) THEN driver_phone END, passengers FROM " table                             \
    " WHERE registration_id = ?1"

int pl_carpool_pickup_load(pl_carpool_pickup **out, pl_store *store, long long registration,
                           pl_error *err)
{
    return pl_carpool_pickup_load_trip(out, store, registration, PL_CARPOOL_OUTBOUND, err);
}

int pl_carpool_pickup_load_trip(pl_carpool_pickup **out, pl_store *store, long long registration,
                                pl_carpool_trip trip, pl_error *err)
{
    pl_carpool_pickup *p = NULL;
    sqlite3_stmt *st = NULL;
    int rc, s;

    *out = NULL;
    rc = pl_store_prepare(store, &st,
                          trip == PL_CARPOOL_RETURN ? PICKUP_SELECT("carpool_dropoffs")
                                                    : PICKUP_SELECT("carpool_pickups"),
                          err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, registration);
    s = sqlite3_step(st);
    if (s == SQLITE_DONE) {
        rc = pl_error_set(err, PL_ENOTFOUND, "no carpool pickup for this registration");
        goto done;
    }
    if (s != SQLITE_ROW) {
        rc = pl_store_fail(store, err, "cannot read the carpool pickup");
        goto done;
    }
    if (!(p = calloc(1, sizeof(*p))))
        goto oom;
    p->registration = registration;
    p->uid = pl_store_column_text(st, 0);
    p->sequence = sqlite3_column_int(st, 1);
    p->created = pl_store_column_text(st, 2);
    p->modified = pl_store_column_text(st, 3);
    p->cancelled = sqlite3_column_int(st, 4);
    p->is_driver = sqlite3_column_int(st, 5);
    p->time = pl_store_column_text(st, 6);
    p->arrival = pl_store_column_text(st, 7);
    p->place = pl_store_column_text(st, 8);
    p->has_geo = sqlite3_column_type(st, 9) != SQLITE_NULL;
    p->lat = sqlite3_column_double(st, 9);
    p->lon = sqlite3_column_double(st, 10);
    p->driver_first_name = pl_store_column_text(st, 11);
    p->driver_phone = pl_store_column_text(st, 12);
    if (!p->uid || !p->created || !p->modified || !p->time || !p->arrival ||
        split_names(p, (const char *)sqlite3_column_text(st, 13)) < 0)
        goto oom;
    *out = p;
    p = NULL;
    goto done;
oom:
    rc = pl_error_oom(err);
done:
    sqlite3_finalize(st);
    pl_carpool_pickup_free(p);
    return rc;
}

/* The first names of g's passengers but self, one per line; for the driver
 * each with when and in which commune to pick them up. */
static int fellow_names(pl_buf *out, const pl_carpool_saved_group *g, const pl_carpool_member *self)
{
    char first[128], entry[512];

    out->len = 0;
    if (pl_buf_puts(out, "") < 0)
        return -1;
    for (size_t k = 0; k < g->npassengers; k++) {
        const pl_carpool_member *m = &g->passengers[k];
        const char *where = m->place ? m->place : m->origin;
        if (m == self)
            continue;
        pl_carpool_first_name(first, sizeof(first), m->name);
        if (self == &g->driver)
            snprintf(entry, sizeof(entry), "%s (%s%s%.200s)", first,
                     strlen(m->time) >= 16 ? m->time + 11 : m->time, where ? ", " : "",
                     where ? where : "");
        else
            snprintf(entry, sizeof(entry), "%s", first);
        for (char *c = entry; *c; c++)
            if (*c == '\n' || *c == '\r')
                *c = ' '; /* one name per line */
        if ((out->len && pl_buf_puts(out, "\n") < 0) || pl_buf_puts(out, entry) < 0)
            return -1;
    }
    return 0;
}

/*
 * One upsert per member: a new row gets a new uid and sequence 0; an
 * existing row is rewritten, with its sequence bumped, only when something
 * it shows differs (or it was cancelled).
 */
#define UPSERT_SQL(table)                                                                          \
    "INSERT INTO " table " (registration_id, uid, sequence, created, modified, cancelled, "        \
    "is_driver, time, arrival, place, lat, lon, driver_name, driver_phone, passengers) "           \
    "VALUES (?1, ?2, 0, ?3, ?3, 0, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "                        \
    "ON CONFLICT (registration_id) DO UPDATE SET sequence = sequence + 1, "                        \
    "modified = excluded.modified, cancelled = 0, is_driver = excluded.is_driver, "                \
    "time = excluded.time, arrival = excluded.arrival, place = excluded.place, "                   \
    "lat = excluded.lat, lon = excluded.lon, driver_name = excluded.driver_name, "                 \
    "driver_phone = excluded.driver_phone, passengers = excluded.passengers "                      \
    "WHERE cancelled <> 0 OR is_driver IS NOT excluded.is_driver OR time IS NOT excluded.time "    \
    "OR arrival IS NOT excluded.arrival OR place IS NOT excluded.place "                           \
    "OR lat IS NOT excluded.lat OR lon IS NOT excluded.lon "                                       \
    "OR driver_name IS NOT excluded.driver_name OR driver_phone IS NOT excluded.driver_phone "     \
    "OR passengers IS NOT excluded.passengers"

#define CANCEL_SQL(table)                                                                          \
    "UPDATE " table " SET cancelled = 1, sequence = sequence + 1, modified = ?3 "                  \
    "WHERE cancelled = 0 AND registration_id IN (SELECT r.id FROM registrations r JOIN events e "  \
    "ON e.id = r.event_id WHERE e.slug = ?1) AND registration_id NOT IN "                          \
    "(SELECT value FROM json_each(?2))"

int pl_carpool_pickups_sync(pl_store *store, const pl_carpool_saved_plan *plan, pl_error *err)
{
    sqlite3_stmt *up = NULL, *cancel = NULL;
    pl_buf ids = PL_BUF_INIT, names = PL_BUF_INIT;
    char now[32], uuid[PL_UUID_SIZE], uid[64], where[512], driver[128];
    int rc;

    int home = plan->trip == PL_CARPOOL_RETURN;

    pl_now_utc(now);
    rc = pl_store_prepare(
        store, &up, home ? UPSERT_SQL("carpool_dropoffs") : UPSERT_SQL("carpool_pickups"), err);
    if (rc < 0)
        goto done;
    if (pl_buf_puts(&ids, "[") < 0)
        goto oom;
    for (size_t g = 0; g < plan->ngroups; g++) {
        const pl_carpool_saved_group *sg = &plan->groups[g];

        if (sg->npassengers == 0)
            continue; /* a driver going alone has no one to meet */
        pl_carpool_first_name(driver, sizeof(driver), sg->driver.name);
        for (size_t k = 0; k <= sg->npassengers; k++) {
            const pl_carpool_member *m = k == 0 ? &sg->driver : &sg->passengers[k - 1];
            int has_geo = isfinite(m->lat) && isfinite(m->lon);

            if (pl_random_uuid(uuid) < 0) {
                rc = pl_error_set(err, PL_ERROR, "no random source for the pickup's UID");
                goto done;
            }
            snprintf(uid, sizeof(uid), "%s-%s@planner", home ? "ride-home" : "pickup", uuid);
            pl_carpool_member_where(where, sizeof(where), m);
            if (fellow_names(&names, sg, m) < 0 ||
                pl_buf_printf(&ids, "%s%lld", ids.len > 1 ? "," : "", m->registration) < 0)
                goto oom;
            sqlite3_reset(up);
            sqlite3_bind_int64(up, 1, m->registration);
            pl_store_bind_text(up, 2, uid);
            pl_store_bind_text(up, 3, now);
            sqlite3_bind_int(up, 4, k == 0);
            /* the way home: from the car's departure to this person's
             * drop-off (the driver: home) */
            pl_store_bind_text(up, 5, home ? sg->departure : m->time);
            pl_store_bind_text(up, 6, home && k > 0 ? m->time : sg->arrival);
            pl_store_bind_text(up, 7, where);
            if (has_geo) {
                sqlite3_bind_double(up, 8, m->lat);
                sqlite3_bind_double(up, 9, m->lon);
            } else {
                sqlite3_bind_null(up, 8);
                sqlite3_bind_null(up, 9);
            }
            pl_store_bind_text(up, 10, k == 0 ? NULL : driver);
            pl_store_bind_text(up, 11, k == 0 || !sg->driver.share_phone ? NULL : sg->driver.phone);
            pl_store_bind_text(up, 12, names.data);
            if (sqlite3_step(up) != SQLITE_DONE) {
                rc = pl_store_fail(store, err, "cannot store a carpool pickup");
                goto done;
            }
        }
    }
    if (pl_buf_puts(&ids, "]") < 0)
        goto oom;
    /* Pickups of this event that the plan no longer has: cancelled, once. */
    rc = pl_store_prepare(
        store, &cancel, home ? CANCEL_SQL("carpool_dropoffs") : CANCEL_SQL("carpool_pickups"), err);
    if (rc < 0)
        goto done;
    pl_store_bind_text(cancel, 1, plan->event_slug);
    pl_store_bind_text(cancel, 2, ids.data);
    pl_store_bind_text(cancel, 3, now);
    if (sqlite3_step(cancel) != SQLITE_DONE)
        rc = pl_store_fail(store, err, "cannot cancel the pickups left out of the plan");
    goto done;
oom:
    rc = pl_error_oom(err);
done:
    sqlite3_finalize(up);
    sqlite3_finalize(cancel);
    pl_buf_free(&ids);
    pl_buf_free(&names);
    return rc;
}
