/*
 * registration_standin.c - TEMPORARY: compiled only while planner/registration.c
 * (registrations branch) is not in planner_core, so that the server builds.
 * Every call answers "not built". Delete when registrations land on main.
 */
#include "registration.h"

#include <stdlib.h>

#define NOT_BUILT(err) pl_error_set(err, PL_ERROR, "registrations are not built into this program")

const char *pl_travel_name(pl_travel travel)
{
    static const char *const names[] = {"none", "drive", "ride", "flexible"};
    return names[travel];
}
int pl_travel_parse(pl_travel *out, const char *s)
{
    (void)s;
    *out = PL_TRAVEL_NONE;
    return 0;
}
const char *pl_reg_status_name(pl_reg_status status)
{
    static const char *const names[] = {"confirmed", "waitlisted", "cancelled"};
    return names[status];
}
void pl_registration_free(pl_registration *r)
{
    free(r);
}
int pl_registration_validate(const pl_registration *r, pl_error *err)
{
    (void)r;
    return NOT_BUILT(err);
}
int pl_registration_save_ext(pl_store *store, const char *slug, const pl_registration *in,
                             pl_registration **out, pl_registration_change *change, pl_error *err)
{
    (void)store, (void)slug, (void)in, (void)out, (void)change;
    return NOT_BUILT(err);
}
int pl_registration_cancel(pl_store *store, const char *slug, const char *email,
                           pl_registration **out, pl_error *err)
{
    (void)store, (void)slug, (void)email, (void)out;
    return NOT_BUILT(err);
}
int pl_registration_list(pl_registration ***out, size_t *count, pl_store *store, const char *slug,
                         pl_error *err)
{
    (void)store, (void)slug, (void)err;
    *out = NULL;
    *count = 0;
    return 0;
}
void pl_registration_list_free(pl_registration **regs, size_t count)
{
    (void)count;
    free(regs);
}
int pl_registration_find_email(pl_registration **out, pl_store *store, const char *slug,
                               const char *email, pl_error *err)
{
    (void)store, (void)slug, (void)email;
    *out = NULL;
    return pl_error_set(err, PL_ENOTFOUND, "no such registration");
}
int pl_registration_find_token(pl_registration **out, pl_store *store, const char *token,
                               pl_error *err)
{
    (void)store, (void)token;
    *out = NULL;
    return pl_error_set(err, PL_ENOTFOUND, "no such registration");
}
