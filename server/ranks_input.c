/*
 * ranks_input.c - workshop rankings from the JSON API and the form
 * (ranks_input.h).
 */
#include "ranks_input.h"
#include "lang.h"
#include "ranks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RANKS_MAX 16 /* slots in one request */
#define RANKED_MAX 32

void srv_ranks_clear(srv_ranks *r)
{
    for (size_t i = 0; i < r->count; i++)
        pl_strlist_clear(&r->lists[i]);
    free(r->lists);
    free(r->slot);
    memset(r, 0, sizeof(*r));
}

/* The ranking of slot (NULL: form slot index key), added if new. */
static pl_strlist *entry(srv_ranks *r, const char *slot)
{
    char(*slots)[20];
    pl_strlist *lists;

    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->slot[i], slot) == 0)
            return &r->lists[i];
    if (!(slots = realloc(r->slot, (r->count + 1) * sizeof(*slots))))
        return NULL;
    r->slot = slots;
    if (!(lists = realloc(r->lists, (r->count + 1) * sizeof(*lists))))
        return NULL;
    r->lists = lists;
    snprintf(r->slot[r->count], sizeof(r->slot[0]), "%s", slot);
    memset(&r->lists[r->count], 0, sizeof(r->lists[0]));
    return &r->lists[r->count++];
}

/* A slot as the client sent it, cut to 20 bytes (whole characters) for a
 * message. */
static const char *short_slot(char cut[24], const char *slot)
{
    size_t len = strlen(slot);

    if (len > 20) {
        len = 20;
        while (len > 0 && ((unsigned char)slot[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(cut, slot, len);
    cut[len] = '\0';
    return cut;
}

int srv_ranks_from_json(srv_ranks *out, json_t *v, pl_error *err)
{
    char cut[24];

    const char *slot;
    json_t *list;

    memset(out, 0, sizeof(*out));
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_object(v) || json_object_size(v) > RANKS_MAX)
        return PL_SAY(err, PL_EINVALID, "ranks", RANK_ERR_OBJECT, NULL);
    json_object_foreach(v, slot, list)
    {
        size_t i;
        json_t *s;
        pl_strlist *l;
        if (strlen(slot) >= sizeof(out->slot[0]) || !json_is_array(list) ||
            json_array_size(list) > RANKED_MAX)
            return PL_SAY(err, PL_EINVALID, "ranks", RANK_ERR_LIST_FIRST, short_slot(cut, slot));
        if (!(l = entry(out, slot)))
            return pl_error_oom(err);
        json_array_foreach(list, i, s)
        {
            if (!json_is_string(s))
                return PL_SAY(err, PL_EINVALID, "ranks", RANK_ERR_LIST, short_slot(cut, slot));
            if (pl_strlist_push(l, json_string_value(s)) < 0)
                return pl_error_oom(err);
        }
    }
    return 0;
}

typedef struct pick {
    unsigned slot, rank;
    const char *id;
} pick;

static int pick_order(const void *a, const void *b)
{
    const pick *x = a, *y = b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

int srv_ranks_from_form(srv_ranks *out, const srv_req *req, pl_error *err)
{
    pick picks[48];
    size_t n = 0;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < req->nfields && n < sizeof(picks) / sizeof(picks[0]); i++) {
        const char *k = req->fields[i].key, *v = req->fields[i].value.data;
        unsigned slot, rank;
        int used = 0;
        if (strncmp(k, "rank-", 5) != 0)
            continue;
        if (sscanf(k + 5, "%u-%u%n", &slot, &rank, &used) != 2 || k[5 + used] != '\0' ||
            slot > 1000 || rank < 1 || rank > RANKED_MAX)
            return PL_SAY(err, PL_EINVALID, "ranks", RANK_ERR_FIELD, k);
        if (!v || !*v)
            continue; /* "no choice" */
        picks[n].slot = slot;
        picks[n].rank = rank;
        picks[n++].id = v;
    }
    qsort(picks, n, sizeof(*picks), pick_order);
    for (size_t i = 0; i < n; i++) {
        char key[20];
        pl_strlist *l;
        snprintf(key, sizeof(key), "#%u", picks[i].slot);
        if (!(l = entry(out, key)) || pl_strlist_push(l, picks[i].id) < 0)
            return pl_error_oom(err);
    }
    return 0;
}

/* The value of field key, "" when absent. */
static const char *field_or_empty(const srv_req *req, const char *key)
{
    for (size_t i = 0; i < req->nfields; i++)
        if (strcmp(req->fields[i].key, key) == 0)
            return req->fields[i].value.data ? req->fields[i].value.data : "";
    return "";
}

int srv_ranks_from_edit_form(srv_ranks *out, const srv_req *req, pl_error *err)
{
    srv_ranks all;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = srv_ranks_from_form(&all, req, err)) < 0) {
        srv_ranks_clear(&all);
        return rc;
    }
    /* each group of the form: rank_slot-I names its slot */
    for (size_t i = 0; i < req->nfields; i++) {
        const char *k = req->fields[i].key, *slot = req->fields[i].value.data;
        char key[40], group[20];
        unsigned g;
        int used = 0, edited = 0;
        pl_strlist *l;
        if (strncmp(k, "rank_slot-", 10) != 0)
            continue;
        if (sscanf(k + 10, "%u%n", &g, &used) != 1 || k[10 + used] != '\0' || !slot ||
            strlen(slot) >= sizeof(out->slot[0])) {
            srv_ranks_clear(&all);
            return pl_error_set_at(err, PL_EINVALID, NULL, 0, 0, "ranks", "unknown field %.40s", k);
        }
        for (unsigned r = 1; r <= RANKED_MAX && !edited; r++) {
            char now[40];
            snprintf(key, sizeof(key), "orig_rank-%u-%u", g, r);
            snprintf(now, sizeof(now), "rank-%u-%u", g, r);
            edited = strcmp(field_or_empty(req, key), field_or_empty(req, now)) != 0;
        }
        if (!edited)
            continue;
        /* as shown on the form: an empty list clears the slot */
        snprintf(group, sizeof(group), "#%u", g);
        if (!*slot || !(l = entry(out, slot))) {
            srv_ranks_clear(&all);
            return *slot ? pl_error_oom(err)
                         : pl_error_set_at(err, PL_EINVALID, NULL, 0, 0, "ranks",
                                           "these workshops no longer start together; reload "
                                           "the page");
        }
        for (size_t j = 0; j < all.count; j++)
            if (strcmp(all.slot[j], group) == 0)
                for (size_t m = 0; m < all.lists[j].count; m++)
                    if (pl_strlist_push(l, all.lists[j].items[m]) < 0) {
                        srv_ranks_clear(&all);
                        return pl_error_oom(err);
                    }
    }
    srv_ranks_clear(&all);
    return 0;
}

int srv_ranks_save(pl_store *store, const char *slug, const char *email, const srv_ranks *r,
                   pl_error *err)
{
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < r->count; i++) {
        const char *given = r->slot[i][0] == '#' ? NULL : r->slot[i];
        char slot[20];
        if (!r->lists[i].count) {
            rc = given ? pl_ranks_clear(store, slug, email, given, err) : 0;
            continue;
        }
        if ((rc = pl_ranks_check(store, slug, &r->lists[i], slot, err)) < 0)
            break;
        if (given && strcmp(given, slot) != 0) {
            rc = PL_SAY(err, PL_EINVALID, "ranks", RANK_ERR_SLOT_TIME, given, slot);
            break;
        }
        rc = pl_ranks_set(store, slug, email, &r->lists[i], err);
    }
    return rc;
}

json_t *srv_ranks_json(pl_store *store, const char *slug, const char *email)
{
    pl_ranking *list = NULL;
    size_t n = 0;
    json_t *o = json_object();
    pl_error err;

    if (pl_ranks_get(&list, &n, store, slug, email, &err) < 0)
        return o;
    for (size_t i = 0; i < n; i++) {
        json_t *a = json_array();
        for (size_t k = 0; k < list[i].sessions.count; k++)
            json_array_append_new(a, json_string(list[i].sessions.items[k]));
        json_object_set_new(o, list[i].slot, a);
    }
    pl_rankings_free(list, n);
    return o;
}
