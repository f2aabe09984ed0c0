/*
 * export_registrants.c - `planner export registrants`: the organiser list
 * and the public list.
 */
#include "export_internal.h"

#include "collate.h"
#include "names.h"
#include "origin.h"

#include <stdlib.h>
#include <string.h>

/* Printed: what an organiser reads on paper, narrow enough to be read when
 * fitted to one landscape page wide (long text wraps). After them, on
 * screen only: the matched commune, the consent, the timestamps and the id. */
static const pl_column organiser_columns[] = {
    {PL_T_EXPORT_LAST_NAME, "last_name", PL_COL_TEXT, 0, 0, 18, 0},
    {PL_T_EXPORT_FIRST_NAME, "first_name", PL_COL_TEXT, 0, 0, 16, 0},
    {PL_T_EXPORT_FULL_NAME, "name", PL_COL_TEXT, 0, PL_COL_JSON_ONLY, 0, 0},
    {PL_T_EXPORT_EMAIL, "email", PL_COL_TEXT, 0, 0, 30, 0},
    {PL_T_EXPORT_ORGANIZATION, "organization", PL_COL_TEXT, 0, 0, 20, 0},
    {PL_T_EXPORT_ORIGIN, "origin", PL_COL_TEXT, 0, 0, 16, 0},
    {PL_T_EXPORT_PHONE, "phone", PL_COL_TEXT, 0, 0, 0, 0},
    {PL_T_EXPORT_TRAVEL, "travel", PL_COL_TEXT, 0, 0, 12, 0},
    {PL_T_EXPORT_SEATS, "seats", PL_COL_INT, 0, 0, 9, 0},
    {PL_T_EXPORT_MEAL, "meal", PL_COL_BOOL, 0, 0, 0, 0},
    {PL_T_EXPORT_DIET, "diet", PL_COL_TEXT, 0, 0, 14, 0},
    {PL_T_EXPORT_SESSIONS, "sessions", PL_COL_LIST, 0, PL_COL_JSON_ONLY, 0, 0}, /* ids */
    {PL_T_EXPORT_SESSIONS, "session_titles", PL_COL_LIST, 0, PL_COL_SHEET_ONLY, 22, 0},
    {PL_T_EXPORT_STATUS, "status", PL_COL_TEXT, 0, 0, 12, 0},
    {PL_T_EXPORT_WAITLIST, "waitlist_position", PL_COL_INT, 0, 0, 9, 0},
    {PL_T_EXPORT_COMMUNE, "commune", PL_COL_TEXT, 0, 0, 0, 1},
    {PL_T_EXPORT_PUBLIC_LIST, "public_list", PL_COL_BOOL, 0, 0, 0, 1},
    {PL_T_EXPORT_REGISTERED_AT, "registered", PL_COL_INSTANT, 0, 0, 0, 1},
    {PL_T_EXPORT_UPDATED_AT, "updated", PL_COL_INSTANT, 0, 0, 0, 1},
    {PL_T_EXPORT_UID, "uid", PL_COL_TEXT, 0, 0, 0, 1},
};
#define NORGANISER (sizeof(organiser_columns) / sizeof(organiser_columns[0]))

/* printed landscape, one page wide, the header on every page */
const pl_table pl_registrants_table = {PL_T_EXPORT_SHEET_REGISTRANTS, "registrants",
                                       organiser_columns, NORGANISER,
                                       PL_TABLE_PRINT_LANDSCAPE | PL_TABLE_PRINT_REPEAT_HEADER};

/* The public list: what a registrant agreed to show, and nothing else. */
static const pl_column public_columns[] = {
    {PL_T_EXPORT_LAST_NAME, "last_name", PL_COL_TEXT, 0, 0, 0, 0},
    {PL_T_EXPORT_FIRST_NAME, "first_name", PL_COL_TEXT, 0, 0, 0, 0},
    {PL_T_EXPORT_FULL_NAME, "name", PL_COL_TEXT, 0, PL_COL_JSON_ONLY, 0, 0},
    {PL_T_EXPORT_ORGANIZATION, "organization", PL_COL_TEXT, 0, 0, 0, 0},
};
#define NPUBLIC (sizeof(public_columns) / sizeof(public_columns[0]))

static const pl_table public_table = {PL_T_EXPORT_SHEET_REGISTRANTS, "registrants", public_columns,
                                      NPUBLIC, 0};

/* ---- the roster: registrations streamed into compact rows ---- */

/* The arena: blocks of text that live as long as the roster. */
struct pl_roster_block {
    pl_roster_block *next;
    size_t used, size;
    char data[];
};

#define BLOCK_SIZE (64 * 1024 - 64)

static void *arena_alloc(pl_roster *r, size_t n)
{
    pl_roster_block *b = r->arena;
    size_t at;

    n = (n + 7) & ~(size_t)7; /* keeps pointers aligned */
    if (!b || b->size - b->used < n) {
        size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE;
        if (!(b = malloc(sizeof(*b) + size)))
            return NULL;
        b->next = r->arena;
        b->used = 0;
        b->size = size;
        r->arena = b;
    }
    at = b->used;
    b->used += n;
    return b->data + at;
}

/* s copied into the arena; NULL and "" give NULL. Sets *oom on failure. */
static const char *keep_text(pl_roster *r, const char *s, int *oom)
{
    size_t n;
    char *copy;

    if (!s || !*s)
        return NULL;
    n = strlen(s) + 1;
    if (!(copy = arena_alloc(r, n))) {
        *oom = 1;
        return NULL;
    }
    return memcpy(copy, s, n);
}

typedef struct load_ctx {
    pl_roster *roster;
    pl_roster_keep keep;
    size_t cap;
    int oom;
} load_ctx;

static int keep_row(const pl_registration *reg, void *payload)
{
    load_ctx *ctx = payload;
    pl_roster *r = ctx->roster;
    const pl_event *ev = r->event;
    pl_roster_row *row;
    int oom = 0;

    if (reg->status == PL_REG_CONFIRMED)
        for (size_t k = 0; k < reg->sessions.count; k++)
            for (size_t s = 0; s < ev->nsessions; s++)
                if (strcmp(ev->sessions[s].id, reg->sessions.items[k]) == 0)
                    r->registered[s]++;
    if (ctx->keep == PL_ROSTER_COUNTS ||
        (ctx->keep == PL_ROSTER_PUBLIC && (reg->status != PL_REG_CONFIRMED || !reg->public_list)))
        return 0;
    if (r->nrows == ctx->cap) {
        size_t cap = ctx->cap ? ctx->cap * 2 : 256;
        pl_roster_row *rows = realloc(r->rows, cap * sizeof(*rows));
        if (!rows)
            return ctx->oom = PL_ERROR;
        r->rows = rows;
        ctx->cap = cap;
    }
    row = &r->rows[r->nrows];
    memset(row, 0, sizeof(*row));
    row->rowid = reg->rowid;
    row->status = (unsigned char)reg->status;
    row->public_list = reg->public_list != 0;
    row->name = keep_text(r, reg->name, &oom);
    row->organization = keep_text(r, reg->organization, &oom);
    {
        char last[512], first[512];
        pl_name_split(reg->name, last, sizeof(last), first, sizeof(first));
        row->last = keep_text(r, last, &oom);
        row->first = keep_text(r, first, &oom);
    }
    if (ctx->keep == PL_ROSTER_ALL) {
        row->email = keep_text(r, reg->email, &oom);
        row->origin = keep_text(r, reg->origin, &oom);
        row->phone = keep_text(r, reg->phone, &oom);
        row->diet = keep_text(r, reg->diet, &oom);
        row->uid = keep_text(r, reg->uid, &oom);
        row->created = keep_text(r, reg->created, &oom);
        row->updated = keep_text(r, reg->updated, &oom);
        row->travel = (unsigned char)reg->travel;
        row->seats = reg->seats;
        row->meal = reg->meal != 0;
        row->waitlist_position = reg->waitlist_position;
        if (reg->sessions.count > 0) {
            row->sessions.items = arena_alloc(r, reg->sessions.count * sizeof(char *));
            oom |= !row->sessions.items;
            for (size_t k = 0; !oom && k < reg->sessions.count; k++)
                row->sessions.items[k] = (char *)keep_text(r, reg->sessions.items[k], &oom);
            row->sessions.count = oom ? 0 : reg->sessions.count;
        }
    }
    if (oom)
        return ctx->oom = PL_ERROR;
    r->nrows++;
    return 0;
}

/* For sorting: a row and the first-level collation keys of its last name
 * (as it files) and first name. */
typedef struct keyed {
    const pl_roster_row *r;
    char *last, *first;
} keyed;

static int group(const pl_roster_row *r)
{
    return r->status == PL_REG_CONFIRMED ? 0 : r->status == PL_REG_WAITLISTED ? 1 : 2;
}

/* Confirmed by name, then the waiting list in its order, then cancelled by
 * name; arrival order breaks the last ties. */
static int organiser_order(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = group(x->r) - group(y->r);

    if (c == 0 && x->r->status == PL_REG_WAITLISTED)
        c = x->r->waitlist_position - y->r->waitlist_position;
    if (c == 0)
        c = strcmp(x->last, y->last);
    if (c == 0)
        c = strcmp(x->first, y->first);
    /* the whole name's full key only for the rare names equal so far */
    if (c == 0)
        c = pl_collate_compare(x->r->name, y->r->name);
    if (c == 0)
        c = x->r->rowid < y->r->rowid ? -1 : x->r->rowid > y->r->rowid;
    return c;
}

int pl_roster_load(pl_roster *out, pl_store *store, const char *slug, pl_roster_keep keep,
                   pl_error *err)
{
    load_ctx ctx = {out, keep, 0, 0};
    keyed *ks = NULL;
    size_t n = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = pl_event_load(&out->event, store, slug, err)) != 0)
        goto done;
    if (!(out->registered = calloc(out->event->nsessions + 1, sizeof(int))))
        goto oom;
    rc = pl_registration_each(store, slug, keep_row, &ctx, err);
    if (ctx.oom)
        goto oom;
    if (rc != 0)
        goto done;
    n = out->nrows;
    ks = calloc(n ? n : 1, sizeof(*ks));
    out->sorted = calloc(n ? n : 1, sizeof(*out->sorted));
    out->by_name = calloc(n ? n : 1, sizeof(*out->by_name));
    if (!ks || !out->sorted || !out->by_name)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        ks[i].r = &out->rows[i];
        if (!(ks[i].last = pl_collate_primary_key(pl_name_filing(out->rows[i].last))) ||
            !(ks[i].first = pl_collate_primary_key(out->rows[i].first)))
            goto oom;
    }
    qsort(ks, n, sizeof(*ks), organiser_order);
    for (size_t i = 0; i < n; i++) {
        out->sorted[i] = ks[i].r;
        if (ks[i].r->status == PL_REG_CONFIRMED)
            out->by_name[out->nconfirmed++] = ks[i].r;
    }
    rc = 0;
    goto done;
oom:
    rc = pl_error_oom(err);
done:
    for (size_t i = 0; ks && i < n; i++) {
        free(ks[i].last);
        free(ks[i].first);
    }
    free(ks);
    if (rc != 0)
        pl_roster_free(out);
    return rc;
}

void pl_roster_free(pl_roster *r)
{
    while (r->arena) {
        pl_roster_block *next = r->arena->next;
        free(r->arena);
        r->arena = next;
    }
    pl_event_free(r->event);
    free(r->rows);
    free(r->sorted);
    free(r->by_name);
    free(r->registered);
    memset(r, 0, sizeof(*r));
}

/* Resolved communes, by origin text: people come from a few places, and a
 * large list would otherwise resolve the same text thousands of times. */
#define NCOMMUNES 256

typedef struct commune_cache {
    char *origin[NCOMMUNES]; /* owned */
    char name[NCOMMUNES][96];
} commune_cache;

static const char *commune(commune_cache *cache, const char *origin)
{
    unsigned h = 2166136261u;
    pl_origin where;
    size_t slot;

    if (!origin || !*origin)
        return NULL;
    for (const char *p = origin; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    slot = h % NCOMMUNES;
    if (cache->origin[slot] && strcmp(cache->origin[slot], origin) == 0)
        return cache->name[slot];
    /* the commune the gazetteer resolves the origin to; empty when the text
     * names no single place */
    if (pl_origin_resolve(&where, origin) != 0 || where.status != PL_ORIGIN_OK)
        where.name[0] = '\0';
    free(cache->origin[slot]);
    cache->origin[slot] = pl_strdup(origin);
    memcpy(cache->name[slot], where.name, sizeof(where.name));
    return cache->name[slot];
}

const char *pl_export_status_text(pl_lang lang, int status)
{
    switch (status) {
    case PL_REG_WAITLISTED:
        return pl_lang_text(lang, PL_T_COMMON_STATUS_WAITLISTED);
    case PL_REG_CANCELLED:
        return pl_lang_text(lang, PL_T_COMMON_STATUS_CANCELLED);
    default:
        return pl_lang_text(lang, PL_T_COMMON_STATUS_CONFIRMED);
    }
}

const char *pl_export_travel_text(pl_lang lang, int travel)
{
    switch (travel) {
    case PL_TRAVEL_DRIVE:
        return pl_lang_text(lang, PL_T_COMMON_TRAVEL_DRIVER);
    case PL_TRAVEL_RIDE:
        return pl_lang_text(lang, PL_T_COMMON_TRAVEL_PASSENGER);
    case PL_TRAVEL_FLEXIBLE:
        return pl_lang_text(lang, PL_T_COMMON_TRAVEL_EITHER);
    default:
        return pl_lang_text(lang, PL_T_COMMON_TRAVEL_NONE);
    }
}

/* The titles of the sessions whose ids are in ids, into titles (items
 * borrowed from ev; unknown ids as they are). */
static int session_titles(pl_strlist *titles, size_t *cap, const pl_event *ev,
                          const pl_strlist *ids)
{
    titles->count = 0;
    if (ids->count > *cap) {
        char **grown = realloc(titles->items, ids->count * sizeof(char *));
        if (!grown)
            return PL_ENOMEM;
        titles->items = grown;
        *cap = ids->count;
    }
    for (size_t k = 0; k < ids->count; k++) {
        const pl_session *s = pl_event_session(ev, ids->items[k]);
        titles->items[titles->count++] = s ? s->title : ids->items[k];
    }
    return 0;
}

int pl_registrants_rows(pl_sink *sink, const pl_roster *roster, pl_error *err)
{
    commune_cache *cache = calloc(1, sizeof(*cache));
    pl_lang L = pl_event_lang(roster->event);
    pl_strlist titles = {NULL, 0};
    size_t cap = 0;
    int rc = 0;

    if (!cache)
        return pl_error_oom(err);

    for (size_t i = 0; i < roster->nrows && rc == 0; i++) {
        const pl_roster_row *r = roster->sorted[i];
        int has_seats = r->travel == PL_TRAVEL_DRIVE || r->travel == PL_TRAVEL_FLEXIBLE;
        if (session_titles(&titles, &cap, roster->event, &r->sessions) != 0) {
            rc = pl_error_oom(err);
            break;
        }
        pl_cell row[NORGANISER] = {
            {.text = r->last},
            {.text = r->first},
            {.text = r->name},
            {.text = r->email},
            {.text = r->organization},
            {.text = r->origin},
            {.text = r->phone},
            {.text = pl_export_travel_text(L, r->travel),
             .json = pl_travel_name((pl_travel)r->travel)},
            {.num = r->seats, .null = !has_seats},
            {.num = r->meal},
            {.text = r->diet},
            {.list = &r->sessions},
            {.list = &titles},
            {.text = pl_export_status_text(L, r->status),
             .json = pl_reg_status_name((pl_reg_status)r->status)},
            {.num = r->waitlist_position, .null = r->status != PL_REG_WAITLISTED},
            {.text = commune(cache, r->origin)},
            {.num = r->public_list},
            {.text = r->created},
            {.text = r->updated},
            {.text = r->uid},
        };
        rc = pl_sink_row(sink, row, err);
    }
    for (size_t i = 0; i < NCOMMUNES; i++)
        free(cache->origin[i]);
    free(cache);
    free(titles.items);
    return rc;
}

/* Only confirmed people who consented; only the public columns. */
static int public_rows(pl_sink *sink, const pl_roster *roster, pl_error *err)
{
    int rc = 0;

    for (size_t i = 0; i < roster->nconfirmed && rc == 0; i++) {
        const pl_roster_row *r = roster->by_name[i];
        pl_cell row[NPUBLIC] = {
            {.text = r->last}, {.text = r->first}, {.text = r->name}, {.text = r->organization}};
        if (r->public_list)
            rc = pl_sink_row(sink, row, err);
    }
    return rc;
}

int pl_public_list_each(pl_store *store, const char *slug, pl_public_list_fn fn, void *payload,
                        pl_error *err)
{
    pl_roster roster;
    int rc;

    if ((rc = pl_roster_load(&roster, store, slug, PL_ROSTER_PUBLIC, err)) != 0)
        return rc;
    for (size_t i = 0; i < roster.nconfirmed && rc == 0; i++) {
        const pl_roster_row *r = roster.by_name[i];
        if (r->public_list)
            rc = fn(r->name, r->organization, payload);
    }
    pl_roster_free(&roster);
    return rc;
}

int pl_export_registrants(pl_store *store, const char *slug, const char *path,
                          const pl_export_options *opts, pl_error *err)
{
    pl_roster roster;
    pl_sink *sink = NULL;
    char title[512];
    int rc;

    if ((rc = pl_roster_load(&roster, store, slug,
                             opts->public_list ? PL_ROSTER_PUBLIC : PL_ROSTER_ALL, err)) != 0)
        return rc;
    {
        pl_sink_options so = pl_export_sink_options(
            roster.event, opts,
            opts->public_list ? PL_T_EXPORT_DOC_PUBLIC : PL_T_EXPORT_DOC_REGISTRANTS,
            opts->public_list ? "public-list" : "registrants", title, sizeof(title));
        if ((rc = pl_sink_open(&sink, path, &so, err)) != 0)
            goto done;
    }
    if (opts->public_list)
        rc = pl_sink_begin(sink, &public_table, err);
    else
        rc = pl_sink_begin(sink, &pl_registrants_table, err);
    if (rc == 0)
        rc = opts->public_list ? public_rows(sink, &roster, err)
                               : pl_registrants_rows(sink, &roster, err);
    if (rc == 0)
        rc = pl_sink_close(sink, err);
done:
    pl_sink_free(sink);
    pl_roster_free(&roster);
    return rc;
}
