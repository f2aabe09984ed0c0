/*
 * ranks.h - ranked workshop choices, stored, and their allocation.
 *
 * A *slot* is a time at which parallel workshops start (sessions of kind
 * "workshop", not cancelled, with the same start). It is named by that start's
 * time, "HH:MM" (or "YYYY-MM-DDTHH:MM" when the event spans several days).
 * A person may rank the workshops of a slot; `planner sessions allocate`
 * places every ranked person in one workshop per slot (allocate.h says how:
 * the most people placed, then the fewest below their first choice, then the
 * least total rank) and writes the result as the person's chosen session of
 * that slot, so that it shows wherever chosen sessions do (feeds, exports,
 * /me).
 */
#ifndef PL_RANKS_H
#define PL_RANKS_H

#include <stddef.h>

#include "error.h"
#include "store.h"
#include "event.h"

/*
 * Check a ranking against the event slug: session ids, in order of
 * preference, all workshops of one slot, none twice. The slot's name is
 * written into slot (>= 20 bytes). Returns 0, PL_ENOTFOUND (no such event),
 * PL_EINVALID (what is wrong in err), PL_EIO.
 */
int pl_ranks_check(pl_store *store, const char *slug, const pl_strlist *ranked, char *slot,
                   pl_error *err);

/*
 * Store the ranking of the registration with e-mail email for the slot of
 * its sessions, replacing that slot's previous ranking (an empty list
 * changes nothing: pl_ranks_clear). A ranking that changes moves the
 * registration's last change (updated). Checked as pl_ranks_check. Runs in the caller's transaction
 * when one is open (pl_store_begin), else in its own. Returns 0, PL_ENOTFOUND (no such event or
 * registration), PL_EINVALID, PL_EIO.
 */
int pl_ranks_set(pl_store *store, const char *slug, const char *email, const pl_strlist *ranked,
                 pl_error *err);

/*
 * The event's workshops (not cancelled) with their slots, read once, for
 * whoever turns a person's answer into rankings (the CSV import, the form).
 * Workshops come in time order, then in programme order.
 */
typedef struct pl_workshop_slots pl_workshop_slots;
int pl_workshop_slots_load(pl_workshop_slots **out, pl_store *store, const char *slug,
                           pl_error *err);
void pl_workshop_slots_free(pl_workshop_slots *s);
size_t pl_workshop_slots_count(const pl_workshop_slots *s);
/* Workshop i: its id; its title and slot name in *title, *slot (may be NULL). */
const char *pl_workshop_slots_get(const pl_workshop_slots *s, size_t i, const char **title,
                                  const char **slot);
/* The id of the workshop named text, by id or by title (case, accents and
 * punctuation ignored), its slot in *slot; NULL when none. */
const char *pl_workshop_slots_find(const pl_workshop_slots *s, const char *text, const char **slot);

/* Remove the ranking of the registration with e-mail email for the slot
 * named slot. In the caller's transaction when one is open. Returns 0,
 * PL_ENOTFOUND, PL_EINVALID (no workshops start then), PL_EIO. */
int pl_ranks_clear(pl_store *store, const char *slug, const char *email, const char *slot,
                   pl_error *err);

/* One person's ranking of one slot, as stored. */
typedef struct pl_ranking {
    char slot[20];
    pl_strlist sessions; /* session ids, first choice first */
    int allocated;       /* `sessions allocate` has dealt with this slot: */
    char *allocation;    /* the workshop given (owned), NULL when not placed */
    int allocation_rank; /* its rank on the list (0: kept off the list) */
} pl_ranking;

/* The rankings of one registration (by e-mail), slot by slot in time
 * order. *out (owned; pl_rankings_free) may be empty. */
int pl_ranks_get(pl_ranking **out, size_t *count, pl_store *store, const char *slug,
                 const char *email, pl_error *err);
void pl_rankings_free(pl_ranking *rankings, size_t count);

typedef struct pl_allocation_item {
    char *email;
    char slot[20];
    char *session;      /* the session id placed in; NULL for an unplaced person */
    int rank;           /* 1 = first choice; 0 when unplaced or kept off their list */
    const char *reason; /* unplaced: "every workshop ranked is full" ... */
    long long registration_id;
} pl_allocation_item;

typedef struct pl_allocation {
    char *event;
    pl_allocation_item *assignments; /* people placed, by slot then arrival */
    size_t nassignments;
    pl_allocation_item *unplaced;
    size_t nunplaced;
    size_t placed;
    size_t kept; /* placed where they already were (--keep-assigned) */
    size_t max_rank;
    size_t *by_rank; /* by_rank[r], r = 1..max_rank */
    size_t nslots;
    size_t told; /* change messages queued (people told of a new outcome) */
} pl_allocation;

/* flags of pl_sessions_allocate */
#define PL_ALLOC_KEEP_ASSIGNED 1 /* someone already allocated stays there */
#define PL_ALLOC_NO_MAIL 2       /* queue no message */

/*
 * Allocate the ranked people of event slug (confirmed registrations only, in
 * arrival order for ties), slot by slot, in one transaction. The capacity of
 * a workshop is its own less the confirmed people who chose it without
 * ranking that slot. With PL_ALLOC_KEEP_ASSIGNED in flags, someone already
 * allocated to a workshop of the slot (by an earlier run) stays there. Each
 * placed person's chosen session of the slot becomes the one allocated
 * (their other sessions of that slot are removed); the result is stored and
 * returned in *out (owned; pl_allocation_free).
 * Unless PL_ALLOC_NO_MAIL, everyone allocated is told, in the same
 * transaction: one outbox message of kind change per person (detail: a JSON
 * array of {"slot", "allocated": session id or null, "rank" | "why"}),
 * deduplicated by that outcome, so the same allocation run again tells no
 * one twice (outbox.h). Returns 0, PL_ENOTFOUND, PL_EIO, PL_ENOMEM.
 */
int pl_sessions_allocate(pl_allocation **out, pl_store *store, const char *slug, int flags,
                         pl_error *err);
void pl_allocation_free(pl_allocation *a);

#endif
