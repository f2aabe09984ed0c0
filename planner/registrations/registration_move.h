/*
 * registration_move.h - an organiser's own decisions on the waiting list.
 */
#ifndef PL_REGISTRATION_MOVE_H
#define PL_REGISTRATION_MOVE_H

#include "error.h"
#include "store.h"

/*
 * Confirm the waiting registration `rowid` of event `slug` by hand (the
 * back office's "move from the waiting list"): the organiser decides to
 * give this person a place, even when the event or a chosen session is
 * full, so the count may go past the capacity. The others keep their place
 * in line. One transaction. Returns 0, PL_ENOTFOUND (no such registration
 * for this event), PL_EINVALID (the person is not waiting; err says their
 * status), or another PL_E... code.
 */
int pl_registration_confirm_waiting(pl_store *store, const char *slug, long long rowid,
                                    pl_error *err);

#endif
