/*
 * registration_queue.c - queued saves: new people written a group at a time
 * with multi-row INSERTs, replayed row by row when the group meets a known
 * e-mail (see pl_registration_batch_queue).
 */
#include "registration_internal.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

void pl_registration_batch_on_saved(pl_registration_batch *b, pl_registration_saved_fn fn,
                                    void *payload)
{
    b->on_saved = fn;
    b->saved_payload = payload;
}

/* Save in now, row by row, and hand over the result. */
static int save_one(pl_registration_batch *b, const pl_registration *in, long tag, pl_error *err)
{
    pl_registration_saved s;
    pl_error e;
    int rc;

    memset(&s, 0, sizeof(s));
    s.in = in;
    s.tag = tag;
    s.err = &e;
    rc = pl_registration_batch_save(b, in, &s.rowid, &s.status, &s.change, &e);
    if (rc < 0 && rc != PL_EINVALID && rc != PL_EFULL) {
        if (err)
            *err = e;
        return rc;
    }
    s.rc = rc;
    if (b->on_saved)
        b->on_saved(&s, b->saved_payload);
    return 0;
}

/* FNV-1a of the e-mail, ASCII case folded, as SQLite's NOCASE compares. */
static unsigned email_hash(const char *s)
{
    unsigned h = 2166136261u;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32u : c)) * 16777619u;
    }
    return h;
}

static int same_email(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if ((x >= 'A' && x <= 'Z' ? x + 32 : x) != (y >= 'A' && y <= 'Z' ? y + 32 : y))
            return 0;
    }
    return *a == *b;
}

/* Copy s (may be NULL) into the pending row's text at *used. */
static char *keep_text(pending *p, size_t *used, const char *s)
{
    size_t n;
    char *out;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    if (*used + n > sizeof(p->text))
        return NULL;
    out = memcpy(p->text + *used, s, n);
    *used += n;
    return out;
}

/* Add in (valid, new as far as the group knows) to the group, deciding its
 * id, place in line, status and secrets now, in arrival order. Returns 1
 * when it does not fit in a pending row (then nothing changed), 0, or a
 * failure. */
static int add_pending(pl_registration_batch *b, const pl_registration *in, long tag, unsigned hash,
                       const size_t *idx, size_t n, pl_error *err)
{
    pending *p = &b->group[b->ngroup];
    size_t used = 0;

    memset(&p->in, 0, sizeof(p->in));
    if ((in->name && !(p->in.name = keep_text(p, &used, in->name))) ||
        (in->email && !(p->in.email = keep_text(p, &used, in->email))) ||
        (in->organization && !(p->in.organization = keep_text(p, &used, in->organization))) ||
        (in->origin && !(p->in.origin = keep_text(p, &used, in->origin))) ||
        (in->phone && !(p->in.phone = keep_text(p, &used, in->phone))) ||
        (in->diet && !(p->in.diet = keep_text(p, &used, in->diet))))
        return 1;
    if (b->ngroup_choices + n > b->group_choices_cap) {
        size_t cap = b->group_choices_cap ? b->group_choices_cap * 2 : 256;
        while (cap < b->ngroup_choices + n)
            cap *= 2;
        choice *q = realloc(b->group_choices, cap * sizeof(*q));
        if (!q)
            return pl_error_oom(err);
        b->group_choices = q;
        b->group_choices_cap = cap;
    }
    if (reg_new_ids(b, p->uid, p->token) < 0)
        return pl_error_set(err, PL_EIO, "cannot read the OS random source");
    p->in.keep = in->keep; /* a replay may find the e-mail registered */
    p->in.travel = in->travel;
    p->in.seats = in->seats;
    p->in.meal = in->meal;
    p->in.public_list = in->public_list;
    p->in.share_phone = in->share_phone;
    p->tag = tag;
    p->hash = hash;
    p->first_idx = b->ngroup_choices;
    p->nidx = n;
    p->status = reg_fits(b, NULL, 0) ? PL_REG_CONFIRMED : PL_REG_WAITLISTED;
    if (p->status == PL_REG_CONFIRMED)
        b->confirmed++;
    for (size_t i = 0; i < n; i++)
        b->group_choices[b->ngroup_choices++] =
            reg_choose(b, idx[i], p->status == PL_REG_CONFIRMED);
    p->arrival = ++b->arrival;
    p->rowid = b->next_id++;
    b->ngroup++;
    return 0;
}

int pl_registration_batch_queue(pl_registration_batch *b, const pl_registration *in, long tag,
                                pl_error *err)
{
    size_t *idx = NULL, n = 0;
    int rc;

    /* After a new person, the next is likely new too: group them. A row
     * with a problem, or for an e-mail the group has, goes row by row
     * after the group (the later row updates the earlier one). */
    if (b->expect_new && !b->cancelled_event && pl_registration_validate(in, NULL) == 0) {
        unsigned hash = email_hash(in->email);
        int dup = 0;
        for (size_t i = 0; i < b->ngroup && !dup; i++)
            dup = b->group[i].hash == hash && same_email(b->group[i].in.email, in->email);
        if (!b->group && !(b->group = malloc(PL_REGISTRATION_GROUP * sizeof(*b->group))))
            return pl_error_oom(err);
        if (!dup && reg_resolve_sessions(b, &in->sessions, &idx, &n, NULL) == 0) {
            rc = add_pending(b, in, tag, hash, idx, n, err);
            free(idx);
            if (rc < 0)
                return rc;
            if (rc == 0)
                return b->ngroup == PL_REGISTRATION_GROUP ? pl_registration_batch_flush(b, err) : 0;
        }
    }
    if ((rc = pl_registration_batch_flush(b, err)) < 0)
        return rc;
    return save_one(b, in, tag, err);
}

static int prepare_group_sql(pl_registration_batch *b, sqlite3_stmt **out, int rows_stmt, size_t k,
                             pl_error *err)
{
    pl_buf sql = PL_BUF_INIT;
    int rc = 0;

    if (*out)
        return 0;
    if (rows_stmt) {
        /* ?1 event, ?2 now; then 16 values a row. */
        pl_buf_printf(&sql, "INSERT INTO registrations (id, event_id, uid, token, name, email, "
                            "organization, origin, phone, travel, seats, meal, diet, "
                            "public_list, status, arrival, share_phone, created, updated) "
                            "VALUES ");
        for (size_t r = 0; r < k; r++) {
            size_t v = 3 + r * 16;
            pl_buf_printf(&sql, "%s(?%zu, ?1", r ? ", " : "", v);
            for (size_t j = 1; j < 16; j++)
                pl_buf_printf(&sql, ", ?%zu", v + j);
            pl_buf_printf(&sql, ", ?2, ?2)");
        }
    } else {
        pl_buf_printf(&sql, "INSERT INTO registration_sessions (registration_id, session_id, "
                            "position, status, wait_order) VALUES ");
        for (size_t r = 0; r < k; r++)
            pl_buf_printf(&sql, "%s(?, ?, ?, ?, ?)", r ? ", " : "");
    }
    if (!sql.data || sql.failed)
        rc = pl_error_oom(err);
    else
        rc = pl_store_prepare(b->store, out, sql.data, err);
    pl_buf_free(&sql);
    return rc;
}

/* log2 of the largest power of two <= n (n >= 1, <= PL_REGISTRATION_GROUP). */
static int chunk_bits(size_t n)
{
    int k = GROUP_SIZES - 1;

    while (((size_t)1 << k) > n)
        k--;
    return k;
}

/* Insert group rows [from, from + 2^bits) with one statement. Returns 0, 1
 * when one of their e-mails is registered already (SQLite undid the
 * statement: nothing written), or a failure. */
static int insert_rows(pl_registration_batch *b, size_t from, int bits, pl_error *err)
{
    size_t k = (size_t)1 << bits;
    sqlite3_stmt *st;
    int rc;

    if ((rc = prepare_group_sql(b, &b->insert_rows[bits], 1, k, err)) < 0)
        return rc;
    st = b->insert_rows[bits];
    sqlite3_bind_int64(st, 1, b->event_id);
    sqlite3_bind_text(st, 2, b->now, -1, SQLITE_STATIC);
    for (size_t r = 0; r < k; r++) {
        const pending *p = &b->group[from + r];
        int v = (int)(3 + r * 16);
        sqlite3_bind_int64(st, v, p->rowid);
        sqlite3_bind_text(st, v + 1, p->uid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, v + 2, p->token, -1, SQLITE_STATIC);
        reg_bind_person(st, v + 3, &p->in);
        sqlite3_bind_text(st, v + 13, reg_status_names[p->status], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, v + 14, p->arrival);
        sqlite3_bind_int(st, v + 15, p->in.share_phone ? 1 : 0);
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc == SQLITE_CONSTRAINT)
        rc = 1; /* most likely a known e-mail; the row-by-row path tells */
    else
        rc = pl_store_fail(b->store, err, "cannot write registrations");
    sqlite3_reset(st);
    return rc;
}

/* One row of registration_sessions. */
typedef struct session_row {
    long long registration, session, position, order;
    int waiting;
} session_row;

/* Insert n rows of registration_sessions. */
static int insert_session_rows(pl_registration_batch *b, const session_row *t, size_t n,
                               pl_error *err)
{
    int rc = 0;

    while (n > 0 && rc == 0) {
        int bits = chunk_bits(n);
        size_t k = (size_t)1 << bits;
        sqlite3_stmt *st;
        if ((rc = prepare_group_sql(b, &b->insert_sessions[bits], 0, k, err)) < 0)
            return rc;
        st = b->insert_sessions[bits];
        for (size_t i = 0; i < k; i++) {
            int v = (int)(5 * i + 1);
            sqlite3_bind_int64(st, v, t[i].registration);
            sqlite3_bind_int64(st, v + 1, t[i].session);
            sqlite3_bind_int64(st, v + 2, t[i].position);
            sqlite3_bind_text(st, v + 3, t[i].waiting ? "waitlisted" : "confirmed", -1,
                              SQLITE_STATIC);
            sqlite3_bind_int64(st, v + 4, t[i].order);
        }
        rc = pl_store_step(b->store, st, "cannot write registrations", err);
        sqlite3_reset(st);
        t += k;
        n -= k;
    }
    return rc;
}

/* The sessions of group rows [from, to). */
static int insert_group_sessions(pl_registration_batch *b, size_t from, size_t to, pl_error *err)
{
    session_row t[PL_REGISTRATION_GROUP];
    size_t n = 0;
    int rc;

    for (size_t r = from; r < to; r++) {
        const pending *p = &b->group[r];
        for (size_t i = 0; i < p->nidx; i++) {
            const choice *c = &b->group_choices[p->first_idx + i];
            if (n == PL_REGISTRATION_GROUP) {
                if ((rc = insert_session_rows(b, t, n, err)) < 0)
                    return rc;
                n = 0;
            }
            t[n].registration = p->rowid;
            t[n].session = b->sessions[c->idx].rowid;
            t[n].position = (long long)i;
            t[n].waiting = c->waiting;
            t[n].order = c->order;
            n++;
        }
    }
    return insert_session_rows(b, t, n, err);
}

/* Give back what group rows [from, ngroup) took (seats, places in line,
 * ids) and save them row by row instead. */
static int replay(pl_registration_batch *b, size_t from, pl_error *err)
{
    const char **ids = NULL;
    int rc = 0;

    for (size_t r = b->ngroup; r-- > from;) {
        const pending *p = &b->group[r];
        if (p->status != PL_REG_CONFIRMED)
            continue;
        b->confirmed--;
        for (size_t i = 0; i < p->nidx; i++) /* no seat is freed: nothing to fill */
            reg_unchoose(b, &b->group_choices[p->first_idx + i]);
    }
    b->arrival = b->group[from].arrival - 1;
    b->next_id = b->group[from].rowid;
    if (b->nsessions && !(ids = calloc(b->nsessions, sizeof(*ids))))
        return pl_error_oom(err);
    for (size_t r = from; r < b->ngroup && rc == 0; r++) {
        pending *p = &b->group[r];
        for (size_t i = 0; i < p->nidx; i++)
            ids[i] = b->sessions[b->group_choices[p->first_idx + i].idx].key;
        p->in.sessions.items = (char **)ids;
        p->in.sessions.count = p->nidx;
        rc = save_one(b, &p->in, p->tag, err);
        p->in.sessions.items = NULL;
        p->in.sessions.count = 0;
    }
    free(ids);
    return rc;
}

int pl_registration_batch_flush(pl_registration_batch *b, pl_error *err)
{
    size_t done = 0;
    int rc = 0;

    /* A result handler may end up here again (an import reporting a
     * problem flushes first): the group is being written already. */
    if (b->flushing || b->ngroup == 0)
        return 0;
    b->flushing = 1;
    while (done < b->ngroup) {
        int bits = chunk_bits(b->ngroup - done);
        size_t k = (size_t)1 << bits;
        if ((rc = insert_rows(b, done, bits, err)) < 0)
            goto done;
        if (rc == 1) {
            b->expect_new = 0;
            rc = replay(b, done, err);
            goto done;
        }
        if ((rc = insert_group_sessions(b, done, done + k, err)) < 0)
            goto done;
        if ((rc = pl_outbox_writer_registered(b->outbox, b->group[done].rowid,
                                              b->group[done + k - 1].rowid, err)) < 0)
            goto done;
        for (size_t r = done; r < done + k && b->on_saved; r++) {
            pl_registration_saved s;
            memset(&s, 0, sizeof(s));
            s.in = &b->group[r].in;
            s.tag = b->group[r].tag;
            s.rowid = b->group[r].rowid;
            s.status = b->group[r].status;
            s.change.created = 1;
            b->on_saved(&s, b->saved_payload);
        }
        done += k;
    }
done:
    for (size_t r = 0; r < b->ngroup; r++) /* secrets are not left behind */
        memset(b->group[r].token, 0, sizeof(b->group[r].token));
    b->ngroup = 0;
    b->ngroup_choices = 0;
    b->flushing = 0;
    return rc;
}
