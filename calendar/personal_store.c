#include "personal.h"

#include <string.h>

static int write_for(char **out, size_t *len, pl_store *store, const pl_registration *reg,
                     const pl_calendar_pickup *pickup, const pl_calendar_options *opts,
                     pl_error *err)
{
    pl_event *ev = NULL;
    int rc = pl_event_load(&ev, store, reg->event_slug, err);

    if (rc == 0)
        rc = pl_calendar_write_personal(out, len, ev, reg, pickup, opts, err);
    pl_event_free(ev);
    return rc;
}

int pl_calendar_feed_personal(char **out, size_t *len, pl_store *store, const char *token,
                              const pl_calendar_pickup *pickup, const pl_calendar_options *opts,
                              pl_error *err)
{
    pl_registration *reg = NULL;
    int rc;

    *out = NULL;
    *len = 0;
    if ((rc = pl_registration_find_token(&reg, store, token, err)) == 0)
        rc = write_for(out, len, store, reg, pickup, opts, err);
    pl_registration_free(reg);
    return rc;
}

int pl_calendar_feed_attendee(char **out, size_t *len, pl_store *store, const char *slug,
                              const char *email, const pl_calendar_pickup *pickup,
                              const pl_calendar_options *opts, pl_error *err)
{
    pl_registration *reg = NULL;
    int rc;

    *out = NULL;
    *len = 0;
    if ((rc = pl_registration_find_email(&reg, store, slug, email, err)) == 0)
        rc = write_for(out, len, store, reg, pickup, opts, err);
    pl_registration_free(reg);
    return rc;
}
