/*
 * page_ranks.h - ranked workshop choices on the pages: the form's "1st /
 * 2nd / 3rd choice" selects for a time slot of parallel workshops, and the
 * person's rankings with what the allocation gave them on /me/TOKEN.
 * The answers come back through ranks_input.h.
 */
#ifndef SRV_PAGE_RANKS_H
#define SRV_PAGE_RANKS_H

#include "agenda.h"
#include "html.h"
#include "internal.h"

/* In the form, for each group of 2+ workshops of slot starting together:
 * up to three selects, rank-I-1..3 (I: the first workshop's index in ev),
 * each with its label, working without JavaScript. posted (may be NULL):
 * a form shown again after an error, whose choices stay selected. */
void srv_rank_selects(srv_html *h, const pl_event *ev, const pl_slot *slot, const size_t *order,
                      const srv_req *posted);

/* On /me/TOKEN, inside the form that changes the registration: the same
 * selects for every slot, showing reg's stored ranking, with hidden
 * fields (orig_rank-I-N, rank_slot-I) that srv_ranks_from_edit_form reads
 * to change only the slots whose selects were changed. A slot already
 * allocated says that the workshop given stays until the next allocation.
 * posted (may be NULL): the form refused and shown again, whose choices
 * stay selected (the hidden fields keep what the first form showed). */
void srv_rank_edit(srv_html *h, pl_store *store, const pl_event *ev, const pl_registration *reg,
                   const srv_req *posted);

/* On /me/TOKEN: the rankings of reg, slot by slot, and for each the
 * workshop given, or "not placed", or that places are not given yet.
 * Nothing when reg ranked nothing. */
void srv_ranks_section(srv_html *h, pl_store *store, const pl_event *ev,
                       const pl_registration *reg);

#endif
