/*
 * registration_internal.h - what the files of the registrations module
 * share, private to them: the batch (seat counts, prepared statements, the
 * group of queued new people), the helpers each side needs, and the hot
 * capacity checks as static inline.
 *
 *   registration.c           the model: names, parsing, checks
 *   registration_batch.c     the batch: open, seat counts, sessions resolved
 *   registration_save.c      saving one row: create, update, keep what is not given
 *   registration_waitlist.c  the waiting lists: promote, cancel
 *   registration_queue.c     queued saves: new people a multi-row INSERT at a time
 *   registration_ids.c       uid and token minting
 *   registration_read.c      reading: one, each, list, with positions and reasons
 *   registration_ops.c       the public operations, one transaction each
 */
#ifndef PL_REGISTRATION_INTERNAL_H
#define PL_REGISTRATION_INTERNAL_H

#include "outbox.h"
#include "random.h"
#include "registration.h"
#include "store_private.h"

#include <stdio.h>

typedef struct sess {
    long long rowid;
    char *key;
    int capacity; /* 0: no limit of its own */
    int cancelled;
    int confirmed; /* seated in it: confirmed registrations whose choice is confirmed */
    int waiting;   /* in its line: confirmed registrations whose choice waits */
} sess;

/* One chosen session of a registration: its index in the batch's sessions,
 * and whether it waits in that session's line (for a person confirmed for
 * the event; for someone waiting for the event every choice waits and
 * counts for nothing), with its place in the line (wait_order). */
typedef struct choice {
    size_t idx;
    int waiting;
    long long order;
} choice;

enum {
    ST_FIND,
    ST_INSERT,
    ST_UPDATE,
    ST_STATUS,
    ST_GET_SESSIONS,
    ST_DEL_SESSIONS,
    ST_ADD_SESSION,
    ST_WAITERS,
    ST_RETOKEN,
    ST_SET_CHOICE,
    ST_LINE_FIRST,
    ST_COUNT
};

/* Multi-row statements are prepared for 1, 2, 4, ... PL_REGISTRATION_GROUP
 * rows: a group of any size is written with at most GROUP_SIZES of them. */
#define GROUP_SIZES 7
_Static_assert(PL_REGISTRATION_GROUP == 1 << (GROUP_SIZES - 1), "a group is a power of two");

/* Longest text of a valid registration's own fields, each with its NUL
 * (the phone's limit is below PL_REG_TEXT_MAX). */
#define PENDING_TEXT (PL_REG_NAME_MAX + PL_REG_EMAIL_MAX + 4 * PL_REG_TEXT_MAX + 6)

/* A new person queued in the group, with what was decided for them. */
typedef struct pending {
    pl_registration in; /* its strings point into text; no sessions */
    long tag;
    unsigned hash;          /* of the e-mail, ASCII case folded */
    size_t first_idx, nidx; /* chosen sessions: group_choices[first_idx..+nidx) */
    pl_reg_status status;
    long long rowid, arrival;
    char uid[PL_UUID_SIZE], token[2 * PL_REG_TOKEN_BYTES + 1];
    char text[PENDING_TEXT];
} pending;

struct pl_registration_batch {
    pl_store *store;
    long long event_id;
    int capacity; /* 0: no limit */
    int cancelled_event;
    int confirmed;
    sess *sessions;
    size_t nsessions;
    const char **ids;      /* session keys, for messages */
    long long arrival;     /* last arrival number given */
    long long start_rowid; /* registrations above it were created by this batch */
    long long *promoted;   /* rowids given a seat (event or session) by the last fill */
    size_t npromoted, promoted_cap;
    size_t session_promoted; /* seats given from sessions' lines by the last change */
    long long wait_order;    /* the last place given in a session's line */
    char now[32];
    long long clock_ms; /* for time-ordered uids and tokens */
    unsigned order_seq;
    int expect_new;           /* the last row was new: try inserting first */
    unsigned char pool[1024]; /* random bytes not yet used */
    size_t pool_left;
    sqlite3_stmt *st[ST_COUNT];
    /* queued saves (pl_registration_batch_queue) */
    long long next_id; /* the id the next new registration gets */
    pending *group;
    size_t ngroup;
    choice *group_choices; /* the group's chosen sessions, all rows together */
    size_t ngroup_choices, group_choices_cap;
    sqlite3_stmt *insert_rows[GROUP_SIZES]; /* 1, 2, 4, ... rows at once */
    sqlite3_stmt *insert_sessions[GROUP_SIZES];
    pl_registration_saved_fn on_saved;
    void *saved_payload;
    int flushing;
    pl_outbox_writer *outbox; /* NULL: no messages (--no-mail) */
};

/* registration.c */
extern const char *const reg_travel_names[4];
extern const char *const reg_status_names[3];
int reg_blank(const char *s);
pl_reg_status reg_status_from(const unsigned char *s);

/* registration_batch.c */
int reg_query_ll(pl_store *store, const char *sql, long long arg, long long *out, pl_error *err);
/* The chosen session ids as indexes, each once, in the order given. */
int reg_resolve_sessions(pl_registration_batch *b, const pl_strlist *ids, size_t **out, size_t *n,
                         pl_error *err);

/* registration_save.c */
/* What a save may do with the e-mail's registration. */
typedef enum reg_save_mode {
    REG_SAVE_ANY,    /* create or update */
    REG_SAVE_CREATE, /* only create (or register again after cancelling) */
    REG_SAVE_UPDATE  /* only update an active registration */
} reg_save_mode;

/* Bind the person's own fields as ?first..?first+9 (ST_INSERT, ST_UPDATE). */
void reg_bind_person(sqlite3_stmt *st, int first, const pl_registration *in);
/* Write the choices c[0..n) of the registration rowid (replace: instead
 * of those it has). */
int reg_write_choices(pl_registration_batch *b, long long rowid, const choice *c, size_t n,
                      int replace, pl_error *err);
/* Save one row as pl_registration_batch_save, within what mode allows. */
int reg_save_row(pl_registration_batch *b, const pl_registration *in, reg_save_mode mode,
                 long long *out_rowid, pl_reg_status *out_status, pl_registration_change *change,
                 pl_error *err);

/* registration_waitlist.c */
/* The choices a stored registration made, in its order (*out freed by the
 * caller). */
int reg_stored_choices(pl_registration_batch *b, long long rowid, choice **out, size_t *n,
                       pl_error *err);
/* Give the free seats of session idx to the first people in its line. */
int reg_fill_session(pl_registration_batch *b, size_t idx, pl_error *err);
/* Fill the event, then every session with people in its line. */
int reg_fill_all(pl_registration_batch *b, pl_error *err);
/* Cancel the active registration of email; fill the freed seats. */
int reg_batch_cancel(pl_registration_batch *b, const char *email, long long *out_rowid,
                     pl_error *err);

/* registration_ids.c: a new uid and token (see there). */
int reg_new_ids(pl_registration_batch *b, char uid[PL_UUID_SIZE],
                char token[2 * PL_REG_TOKEN_BYTES + 1]);

/* Bind a string that outlives the statement's next step (no copy). */
static inline void reg_bind_static(sqlite3_stmt *st, int index, const char *s)
{
    if (s)
        sqlite3_bind_text(st, index, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, index);
}

/* Has the event a seat for one more person? Their sessions do not count:
 * a full session puts them in that session's line only. On "no", why (one
 * line) into reason when given. */
static inline int reg_fits(const pl_registration_batch *b, char *reason, size_t size)
{
    if (b->capacity > 0 && b->confirmed >= b->capacity) {
        if (reason)
            snprintf(reason, size, "the event is full (%d place%s)", b->capacity,
                     b->capacity == 1 ? "" : "s");
        return 0;
    }
    return 1;
}

/* A seat in s for one more, with no one ahead in its line? */
static inline int reg_session_free(const sess *s)
{
    return s->waiting == 0 && (s->capacity <= 0 || s->confirmed < s->capacity);
}

/* The choice of session idx for a person confirmed for the event (seated,
 * or last in its line), counted; for a person waiting for the event
 * (confirmed 0), waiting and not counted. */
static inline choice reg_choose(pl_registration_batch *b, size_t idx, int confirmed)
{
    sess *s = &b->sessions[idx];
    choice c = {idx, 1, 0};

    if (!confirmed)
        return c;
    if (reg_session_free(s)) {
        s->confirmed++;
        c.waiting = 0;
    } else {
        s->waiting++;
        c.order = ++b->wait_order;
    }
    return c;
}

/* Give back what a counted choice took. Returns 1 when that freed a seat. */
static inline int reg_unchoose(pl_registration_batch *b, const choice *c)
{
    sess *s = &b->sessions[c->idx];

    if (c->waiting) {
        s->waiting--;
        return 0;
    }
    s->confirmed--;
    return 1;
}

#endif
