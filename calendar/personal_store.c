#include "personal.h"

#include <stdlib.h>
#include <string.h>

void pl_calendar_pickup_from_carpool(pl_calendar_pickup *out, const char **passengers,
                                     const pl_carpool_pickup *p)
{
    for (size_t i = 0; i < p->npassengers; i++)
        passengers[i] = p->passengers[i];
    *out = (pl_calendar_pickup){
        .uid = p->uid,
        .time = p->time,
        .arrival = p->arrival,
        .place = p->place,
        .has_geo = p->has_geo,
        .lat = p->lat,
        .lon = p->lon,
        .is_driver = p->is_driver,
        .driver_first_name = p->driver_first_name,
        .driver_phone = p->driver_phone,
        .passengers = passengers,
        .npassengers = p->npassengers,
        .sequence = p->sequence,
        .created = p->created,
        .modified = p->modified,
        .cancelled = p->cancelled,
    };
}

int pl_calendar_write_attendee(char **out, size_t *len, const pl_event *ev,
                               const pl_registration *reg, const pl_carpool_pickup *stored,
                               const pl_carpool_pickup *back, const pl_calendar_options *opts,
                               pl_error *err)
{
    const char **names = NULL, **back_names = NULL;
    pl_calendar_pickup pickup = {0}, home;
    int rc;

    *out = NULL;
    *len = 0;
    if (stored) {
        if (!(names = calloc(stored->npassengers + 1, sizeof(*names))))
            return pl_error_oom(err);
        pl_calendar_pickup_from_carpool(&pickup, names, stored);
    }
    if (back) {
        if (!(back_names = calloc(back->npassengers + 1, sizeof(*back_names)))) {
            free(names);
            return pl_error_oom(err);
        }
        pl_calendar_pickup_from_carpool(&home, back_names, back);
        pickup.home = &home;
    }
    rc = pl_calendar_write_personal(out, len, ev, reg, stored || back ? &pickup : NULL, opts, err);
    free(names);
    free(back_names);
    return rc;
}

/* The feed of reg, with its stored pickup when it has one. */
static int write_for(char **out, size_t *len, pl_store *store, const pl_registration *reg,
                     const pl_calendar_options *opts, pl_error *err)
{
    pl_event *ev = NULL;
    pl_carpool_pickup *stored = NULL, *back = NULL;
    int rc;

    if ((rc = pl_event_load(&ev, store, reg->event_slug, err)) < 0)
        goto done;
    rc = pl_carpool_pickup_load(&stored, store, reg->rowid, err);
    if (rc == PL_ENOTFOUND)
        rc = 0;
    else if (rc < 0)
        goto done;
    /* the ride home, once the way home is planned */
    rc = pl_carpool_pickup_load_trip(&back, store, reg->rowid, PL_CARPOOL_RETURN, err);
    if (rc == PL_ENOTFOUND)
        rc = 0;
    else if (rc < 0)
        goto done;
    rc = pl_calendar_write_attendee(out, len, ev, reg, stored, back, opts, err);
done:
    pl_carpool_pickup_free(back);
    pl_carpool_pickup_free(stored);
    pl_event_free(ev);
    return rc;
}

int pl_calendar_feed_personal(char **out, size_t *len, pl_store *store, const char *token,
                              const pl_calendar_options *opts, pl_error *err)
{
    pl_registration *reg = NULL;
    int rc;

    *out = NULL;
    *len = 0;
    if ((rc = pl_registration_find_token(&reg, store, token, err)) == 0)
        rc = write_for(out, len, store, reg, opts, err);
    pl_registration_free(reg);
    return rc;
}

int pl_calendar_feed_attendee(char **out, size_t *len, pl_store *store, const char *slug,
                              const char *email, const pl_calendar_options *opts, pl_error *err)
{
    pl_registration *reg = NULL;
    int rc;

    *out = NULL;
    *len = 0;
    if ((rc = pl_registration_find_email(&reg, store, slug, email, err)) == 0)
        rc = write_for(out, len, store, reg, opts, err);
    pl_registration_free(reg);
    return rc;
}
