/*
 * registration.h - people registered for an event: the model, capacity and
 * waiting list, and storage.
 *
 * One registration per (event, e-mail), e-mails compared case-insensitively
 * (ASCII). Saving a registration for an e-mail that is already registered
 * updates it in place (uid, token and place in line are kept).
 *
 * Capacity. An event's capacity (0: no limit) is never exceeded: past it,
 * a new registration is waitlisted, in order of arrival. A session's capacity
 * (0: no limit of its own) is never exceeded either: a person who chooses a
 * full session is waitlisted as a whole (status waitlisted), exactly as for a
 * full event, so that no seat is ever promised twice. Cancelling a confirmed
 * registration promotes, in the same transaction, the first waiting people
 * (in arrival order) whose event seat and chosen sessions now fit. All of it
 * runs in one BEGIN IMMEDIATE transaction, so several processes writing the
 * same database file at once can never overbook.
 */
#ifndef PL_REGISTRATION_H
#define PL_REGISTRATION_H

#include "error.h"
#include "event.h"
#include "store.h"

#include <stddef.h>

typedef enum pl_travel {
    PL_TRAVEL_NONE,
    PL_TRAVEL_DRIVE,
    PL_TRAVEL_RIDE,
    PL_TRAVEL_FLEXIBLE
} pl_travel;

typedef enum pl_reg_status { PL_REG_CONFIRMED, PL_REG_WAITLISTED, PL_REG_CANCELLED } pl_reg_status;

typedef struct pl_registration {
    long long rowid;
    char *uid;   /* public, stable */
    char *token; /* secret, >=128 bits from pl_random_hex; never in public output */
    char *event_slug;
    char *name, *email, *organization, *origin /* as typed */, *phone /* may be NULL */;
    pl_travel travel;
    int seats; /* drive / flexible: free seats offered (>= 1); else 0 */
    int meal;  /* takes the shared meal */
    char *diet; /* may be NULL */
    int public_list;     /* consented to the public list */
    pl_strlist sessions; /* chosen session ids */
    pl_reg_status status;
    int waitlist_position;   /* 1-based while waitlisted, else 0 */
    char *created, *updated; /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
} pl_registration;

/* "none", "drive", "ride", "flexible". */
const char *pl_travel_name(pl_travel travel);
/* Parse a travel value, English or French, case and accents ignored:
 * none|aucun|"", drive|conducteur|driver, ride|passager|passenger,
 * flexible. Returns 0 or PL_EINVALID. */
int pl_travel_parse(pl_travel *out, const char *s);
/* "confirmed", "waitlisted", "cancelled". */
const char *pl_reg_status_name(pl_reg_status status);

/* Release r and everything it owns. NULL is accepted. */
void pl_registration_free(pl_registration *r);

/*
 * Check one registration's own fields (name and e-mail present, e-mail
 * well-formed, seats >= 1 for drive/flexible, 0 otherwise). err->path is set
 * to the column at fault ("name", "email", "seats" ...). Returns 0 or
 * PL_EINVALID.
 */
int pl_registration_validate(const pl_registration *r, pl_error *err);

/*
 * Create, or update by (event, lower(email)), the registration `in` for the
 * event `slug`. in->uid, token, status, position and times are ignored: they
 * are the store's. Capacity and waiting list are applied in one BEGIN
 * IMMEDIATE transaction. An update keeps the person's status and place in
 * line unless their new session choice no longer fits (then they are
 * waitlisted); a cancelled registration that registers again is treated as
 * new. PL_ENOTFOUND for an unknown event, PL_EINVALID for bad fields or an
 * unknown session id. *out (may be NULL) gets the stored registration; free
 * with pl_registration_free.
 */
int pl_registration_save(pl_store *store, const char *slug, const pl_registration *in,
                         pl_registration **out, pl_error *err);

/*
 * Cancel the registration of email for the event slug and promote the first
 * waiting people who now fit, in the same transaction. PL_ENOTFOUND when no
 * such registration. Cancelling twice is not an error. *out (may be NULL)
 * gets the cancelled registration; free with pl_registration_free.
 */
int pl_registration_cancel(pl_store *store, const char *slug, const char *email,
                           pl_registration **out, pl_error *err);

/* Every registration of the event (cancelled included), in arrival order.
 * PL_ENOTFOUND for an unknown event. Free with pl_registration_list_free. */
int pl_registration_list(pl_registration ***out, size_t *count, pl_store *store,
                         const char *slug, pl_error *err);
void pl_registration_list_free(pl_registration **regs, size_t count);

/* One registration by e-mail (case-insensitive) or by token. PL_ENOTFOUND
 * when absent. Free with pl_registration_free. */
int pl_registration_find_email(pl_registration **out, pl_store *store, const char *slug,
                               const char *email, pl_error *err);
int pl_registration_find_token(pl_registration **out, pl_store *store, const char *token,
                               pl_error *err);

#endif
