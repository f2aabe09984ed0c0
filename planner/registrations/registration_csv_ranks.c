/*
 * registration_csv_ranks.c - the workshop preferences cell of a row: read
 * into one ranking per slot, kept while the rows are queued, saved after
 * them.
 */
#include "registration_csv_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void clear_row_ranks(importer *im)
{
    for (size_t i = 0; i < im->nrow_ranks; i++)
        pl_strlist_clear(&im->row_ranks[i]);
    free(im->row_ranks);
    im->row_ranks = NULL;
    im->nrow_ranks = 0;
}

/* The workshop one piece of a ranks cell names: the mapping's word (under
 * "ranks", else "sessions"), else a workshop id or title. */
static const char *rank_value(importer *im, const char *text)
{
    const pl_csv_map *map = im->opts ? im->opts->map : NULL;
    const char *v = pl_csv_map_value(map, "ranks", text);

    if (!v)
        v = pl_csv_map_value(map, "sessions", text);
    if (v) {
        const char *id = pl_workshop_slots_find(im->slots, v, NULL);
        return id ? id : v;
    }
    return pl_workshop_slots_find(im->slots, text, NULL);
}

/* Add one piece of a ranks cell (text, what it names: id) to the row's
 * rankings, in the ranking of id's slot. */
static int add_rank(importer *im, const char *text, const char *id)
{
    const char *slot = NULL;
    size_t k;

    if (im->opts && im->opts->map) {
        /* With a mapping, an unknown answer is reported once, at the end. */
        if (reg_csv_note_answer(im, COL_RANKS, text, id) < 0)
            return PL_ERROR;
        if (!id)
            return 0;
    } else if (!id) {
        pl_buf known = PL_BUF_INIT;
        for (size_t j = 0; j < pl_workshop_slots_count(im->slots) && known.len < 200; j++)
            pl_buf_printf(&known, "%s%s", j ? ", " : "",
                          pl_workshop_slots_get(im->slots, j, NULL, NULL));
        reg_csv_row_problem(im, COL_RANKS, "\"%.80s\" is not a workshop of the event (it has: %s)",
                            text, known.data ? known.data : "no workshops");
        pl_buf_free(&known);
        return 0;
    }
    pl_workshop_slots_find(im->slots, id, &slot);
    for (k = 0; k < im->nrow_ranks; k++) {
        const char *first_slot = NULL;
        pl_workshop_slots_find(im->slots, im->row_ranks[k].items[0], &first_slot);
        if (strcmp(first_slot, slot) == 0)
            break;
    }
    if (k == im->nrow_ranks) {
        pl_strlist *grown = realloc(im->row_ranks, (k + 1) * sizeof(*grown));
        if (!grown)
            return PL_ERROR;
        im->row_ranks = grown;
        memset(&grown[k], 0, sizeof(grown[k]));
        im->nrow_ranks++;
    }
    for (size_t j = 0; j < im->row_ranks[k].count; j++)
        if (strcmp(im->row_ranks[k].items[j], id) == 0) {
            reg_csv_row_problem(im, COL_RANKS, "\"%.80s\" is ranked twice", text);
            return 0;
        }
    return pl_strlist_push(&im->row_ranks[k], id) < 0 ? PL_ERROR : 0;
}

/* Read the ranks cell into im->row_ranks: workshops (ids or titles)
 * separated by '>' or ',' (or '|', ';'), first choice first; a title may
 * hold commas (the longest run of ", "-separated parts that names a
 * workshop is taken). A cell may rank several slots: it is split here by
 * the workshops' start. */
int reg_csv_parse_ranks(importer *im)
{
    const char *p = val(im, COL_RANKS);
    int rc;

    clear_row_ranks(im);
    if (!*p)
        return 0;
    if (!im->slots) {
        pl_error e;
        if ((rc = pl_workshop_slots_load(&im->slots, im->store, im->slug, &e)) < 0) {
            if (rc == PL_ENOMEM)
                return PL_ERROR;
            reg_csv_row_problem(im, COL_RANKS, "%s", e.msg);
            return 0;
        }
    }
    while (*p) {
        const char *piece_end = p + strcspn(p, ">|;"), *q = p;
        while (q < piece_end) {
            const char *cuts[33], *id = NULL, *s, *e;
            size_t ncuts = 0, best = 0;
            char text[512];
            for (const char *c = q; c < piece_end && ncuts < 32; c++)
                if (*c == ',')
                    cuts[ncuts++] = c;
            cuts[ncuts] = piece_end;
            for (size_t k = ncuts + 1; k-- > 0 && !id;) {
                s = q;
                e = cuts[k];
                trim_span(&s, &e);
                if (e <= s || (size_t)(e - s) >= sizeof(text))
                    continue;
                snprintf(text, sizeof(text), "%.*s", (int)(e - s), s);
                if ((id = rank_value(im, text)))
                    best = k;
            }
            s = q;
            e = cuts[best];
            trim_span(&s, &e);
            if (e > s) {
                snprintf(text, sizeof(text), "%.*s", (int)(e - s), s);
                if (id && !pl_workshop_slots_find(im->slots, id, NULL))
                    id = NULL; /* the mapping names no workshop */
                if (add_rank(im, text, id) < 0)
                    return PL_ERROR;
            }
            q = cuts[best] + 1;
        }
        p = *piece_end ? piece_end + 1 : piece_end;
    }
    return 0;
}

/* Keep the rankings of the row just queued, to save after the rows. */
int reg_csv_keep_row_ranks(importer *im, const char *email)
{
    struct pending_ranks *grown;

    if (!im->nrow_ranks)
        return 0;
    grown = realloc(im->pending, (im->npending + im->nrow_ranks) * sizeof(*grown));
    if (!grown)
        return PL_ERROR;
    im->pending = grown;
    for (size_t i = 0; i < im->nrow_ranks; i++) {
        struct pending_ranks *pr = &im->pending[im->npending];
        pr->line = im->line;
        pr->ranked = im->row_ranks[i];
        memset(&im->row_ranks[i], 0, sizeof(im->row_ranks[i]));
        if (!(pr->email = strdup(email))) {
            pl_strlist_clear(&pr->ranked);
            return PL_ERROR;
        }
        im->npending++;
    }
    clear_row_ranks(im);
    return 0;
}

/* Save the rankings kept, in the import's transaction, once every row is
 * saved (a new person's registration exists then). A ranking that does
 * not fit is the problem of its line. */
int reg_csv_save_ranks(importer *im, const char *slug, pl_error *err)
{
    for (size_t i = 0; i < im->npending; i++) {
        pl_error e;
        int rc = pl_ranks_set(im->store, slug, im->pending[i].email, &im->pending[i].ranked, &e);
        if (rc == PL_EIO || rc == PL_ENOMEM) {
            if (err)
                *err = e;
            return rc;
        }
        if (rc < 0) {
            im->row_bad = 0;
            reg_csv_report(im, 0, im->pending[i].line, "ranks", "%s", e.msg);
        }
    }
    return 0;
}

void reg_csv_free_pending(importer *im)
{
    for (size_t i = 0; i < im->npending; i++) {
        free(im->pending[i].email);
        pl_strlist_clear(&im->pending[i].ranked);
    }
    free(im->pending);
    clear_row_ranks(im);
    pl_workshop_slots_free(im->slots);
}
