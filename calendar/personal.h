/*
 * personal.h - one registered person's own feed (GET /me/TOKEN.ics).
 *
 * It holds the sessions everyone attends (plenary, talk, meal, break, forum)
 * and the workshops the person chose, plus, once carpools are planned, a
 * VEVENT for their pickup. Its items are the person's attendance, not the
 * sessions themselves: each has its own UID ("p-<registration uid>-<session
 * uid>", both stored and immutable) and follows the registration's status:
 * confirmed, TENTATIVE while on the waiting list, CANCELLED once the
 * registration is cancelled, with SEQUENCE moving along
 * (session sequence + 0 waitlisted, 1 confirmed, 2 cancelled). The feed
 * never lists other people, and never an e-mail address.
 */
#ifndef PL_CALENDAR_PERSONAL_H
#define PL_CALENDAR_PERSONAL_H

#include "feed.h"
#include "registration.h"

/*
 * A carpool pickup as the personal feed shows it; filled by the caller from
 * the carpool plan. Strings are borrowed.
 */
typedef struct pl_calendar_pickup {
    const char *uid;     /* stored with the carpool group, generated once */
    const char *time;    /* pickup, "YYYY-MM-DDTHH:MM" local in the event's zone */
    const char *arrival; /* arrival at the venue, same form; NULL: the event's start */
    const char *place;   /* where the car stops */
    int has_geo;
    double lat, lon;
    int is_driver;                 /* the feed's owner drives */
    const char *driver_first_name; /* NULL when is_driver */
    const char *driver_phone;      /* only when the driver shares it, else NULL */
    const char *const *passengers; /* first names, in pickup order */
    size_t npassengers;
    int sequence;        /* bumped by the carpool plan on every real change */
    const char *created; /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
    const char *modified;
    int cancelled; /* the group was dissolved */
    /* The ride home, or NULL: its time is when the car leaves the venue,
     * its arrival the drop-off (the driver's: home), its place where they
     * get out. Shown as a second entry ("Retour en covoiturage", "Ride
     * home" for English events). The outer pickup may have no uid (no car
     * on the way there) and still carry a ride home. */
    const struct pl_calendar_pickup *home;
} pl_calendar_pickup;

/*
 * The personal feed of reg for ev (reg->event_slug must be ev's), with the
 * pickup when not NULL. *out is malloc'ed and NUL-terminated (free() it).
 * Returns 0, PL_EINVALID (unknown zone), PL_ERROR.
 */
int pl_calendar_write_personal(char **out, size_t *len, const pl_event *ev,
                               const pl_registration *reg, const pl_calendar_pickup *pickup,
                               const pl_calendar_options *opts, pl_error *err);

/*
 * The same from the store, finding the registration by its secret token
 * (PL_ENOTFOUND when none) or by event and e-mail, with the pickup the
 * carpool plan stored for it (pl_carpool_pickup_load), if any. The pickup of
 * a registration that is no longer confirmed shows as cancelled (its
 * SEQUENCE one higher), like the person's sessions.
 */
int pl_calendar_feed_personal(char **out, size_t *len, pl_store *store, const char *token,
                              const pl_calendar_options *opts, pl_error *err);
int pl_calendar_feed_attendee(char **out, size_t *len, pl_store *store, const char *slug,
                              const char *email, const pl_calendar_options *opts, pl_error *err);

/*
 * The personal feed from data already loaded: ev, reg (of ev) and the
 * pickup the carpool plan stored for reg (pl_carpool_pickup_load; NULL when
 * none), and the ride home (pl_carpool_pickup_load_trip with
 * PL_CARPOOL_RETURN; NULL when none). The same bytes as pl_calendar_feed_personal: what the server
 * serves, and what a message attaches as the person's calendar.
 */
int pl_calendar_write_attendee(char **out, size_t *len, const pl_event *ev,
                               const pl_registration *reg, const pl_carpool_pickup *pickup,
                               const pl_carpool_pickup *home, const pl_calendar_options *opts,
                               pl_error *err);

/* Point *out at the fields of a stored pickup (borrowed: p must outlive
 * out; passengers must have room for p->npassengers pointers). */
void pl_calendar_pickup_from_carpool(pl_calendar_pickup *out, const char **passengers,
                                     const pl_carpool_pickup *p);

#endif
