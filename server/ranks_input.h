/*
 * ranks_input.h - the workshop rankings a person sends with a sign-up or a
 * change: the JSON API's "ranks" object ({"12:00": ["atelier-flottes",
 * "atelier-pdie"]}) and the form's "1st / 2nd / 3rd choice" selects
 * (fields rank-SLOT-N). Checked against the event's slots and saved with
 * planner/registrations/ranks.h, in the caller's transaction.
 */
#ifndef SRV_RANKS_INPUT_H
#define SRV_RANKS_INPUT_H

#include <jansson.h>
#include <stddef.h>

#include "event.h"
#include "internal.h"

typedef struct srv_ranks {
    size_t count;
    char (*slot)[20];  /* as sent ("" from the form: the workshops' own slot) */
    pl_strlist *lists; /* first choice first; empty (JSON []) clears the slot */
} srv_ranks;

/* "ranks" of a JSON body (v may be NULL: nothing given). Shape only;
 * srv_ranks_save checks the rest. 0 or PL_EINVALID (field "ranks"). */
int srv_ranks_from_json(srv_ranks *out, json_t *v, pl_error *err);

/* The form's fields rank-I-N (slot I of the form, N = 1 for the first
 * choice), empty selects left out. 0, PL_EINVALID or PL_ENOMEM. */
int srv_ranks_from_form(srv_ranks *out, const srv_req *req, pl_error *err);

/* The selects of the form on /me/TOKEN (page_ranks.h, srv_rank_edit):
 * only the slots whose selects differ from what the page showed
 * (orig_rank-I-N), each under its slot's name (rank_slot-I); a slot whose
 * selects were all emptied is cleared. 0, PL_EINVALID or PL_ENOMEM. */
int srv_ranks_from_edit_form(srv_ranks *out, const srv_req *req, pl_error *err);

/* Save each ranking for the registration of email: a slot named in JSON
 * must be the one its workshops start at. Run it in the transaction of
 * the registration's save. 0, PL_EINVALID (field "ranks"), PL_ENOTFOUND,
 * PL_EIO. */
int srv_ranks_save(pl_store *store, const char *slug, const char *email, const srv_ranks *r,
                   pl_error *err);

void srv_ranks_clear(srv_ranks *r);

/* The person's rankings as JSON, {"12:00": ["atelier-flottes", ...]};
 * an empty object when none (or they cannot be read). */
json_t *srv_ranks_json(pl_store *store, const char *slug, const char *email);

#endif
