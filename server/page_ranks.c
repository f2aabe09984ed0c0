/*
 * page_ranks.c - ranked workshop choices on the form and on /me/TOKEN
 * (page_ranks.h). Words come from the catalogue (planner/lang/pages.def).
 */
#include "page_ranks.h"
#include "lang.h"
#include "ranks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SELECTS 3

static int rankable(const pl_session *s)
{
    return !s->cancelled && s->kind && strcmp(s->kind, "workshop") == 0;
}

/* The ranking of reg (list[0..n)) whose workshops start at start. */
static const pl_ranking *ranking_at(const pl_event *ev, const pl_ranking *list, size_t n,
                                    const char *start)
{
    for (size_t i = 0; i < n; i++) {
        const pl_session *s =
            list[i].sessions.count ? pl_event_session(ev, list[i].sessions.items[0]) : NULL;
        if (s && s->start && strcmp(s->start, start) == 0)
            return &list[i];
    }
    return NULL;
}

/* The selects of slot; with edit, each preselects the stored ranking
 * (current, may be NULL) and carries what it showed, hidden
 * (orig_rank-I-N), with the slot's name (rank_slot-I): the server changes
 * only the groups whose selects were changed. */
static void selects(srv_html *h, const pl_event *ev, const pl_slot *slot, const size_t *order,
                    int edit, const pl_ranking *list, size_t nlist, const pl_workshop_slots *ws,
                    const srv_req *posted)
{
    static const pl_text_id label[SELECTS] = {PL_T_PAGES_RANK_1, PL_T_PAGES_RANK_2,
                                              PL_T_PAGES_RANK_3};
    pl_lang L = pl_event_lang(ev);

    for (size_t k = 0; k < slot->count; k++) {
        size_t first = order[slot->first + k], n = 0;
        const pl_session *s = &ev->sessions[first];
        int seen = 0;
        if (!rankable(s))
            continue;
        /* the first workshop of its start in this slot leads the group */
        for (size_t j = 0; j < k && !seen; j++) {
            const pl_session *o = &ev->sessions[order[slot->first + j]];
            seen = rankable(o) && strcmp(o->start, s->start) == 0;
        }
        if (seen)
            continue;
        for (size_t j = k; j < slot->count; j++) {
            const pl_session *o = &ev->sessions[order[slot->first + j]];
            n += (size_t)(rankable(o) && strcmp(o->start, s->start) == 0);
        }
        if (n < 2)
            continue;
        const pl_ranking *cur = edit ? ranking_at(ev, list, nlist, s->start) : NULL;
        srv_html_emit(h, "<fieldset class=\"ranks\"><legend>%t</legend>\n",
                      pl_lang_text(L, PL_T_PAGES_RANK_LEGEND));
        if (edit) {
            const char *name = NULL;
            pl_workshop_slots_find(ws, s->id, &name);
            srv_html_emit(h, "<input type=\"hidden\" name=\"rank_slot-%z\" value=\"%a\">\n", first,
                          cur    ? cur->slot
                          : name ? name
                                 : "");
            if (cur && cur->allocated)
                srv_html_emit(h, "<p class=\"muted\">%t</p>\n",
                              pl_lang_text(L, PL_T_PAGES_RANK_KEEPS));
        }
        for (size_t r = 0; r < SELECTS && r < n; r++) {
            const char *was = cur && r < cur->sessions.count ? cur->sessions.items[r] : "";
            char field[48];
            const char *chosen;
            snprintf(field, sizeof(field), "rank-%zu-%zu", first, r + 1);
            /* a form shown again after an error keeps what was chosen */
            chosen = posted ? srv_field_get(posted, field) : NULL;
            if (!chosen)
                chosen = was;
            srv_html_emit(h,
                          "<div><label for=\"rank-%z-%z\">%t</label>"
                          "<select id=\"rank-%z-%z\" name=\"rank-%z-%z\">"
                          "<option value=\"\">%t</option>",
                          first, r + 1, pl_lang_text(L, label[r]), first, r + 1, first, r + 1,
                          pl_lang_text(L, PL_T_PAGES_RANK_NONE));
            for (size_t j = k; j < slot->count; j++) {
                const pl_session *o = &ev->sessions[order[slot->first + j]];
                if (rankable(o) && strcmp(o->start, s->start) == 0)
                    srv_html_emit(h, "<option value=\"%a\"%s>%t</option>", o->id,
                                  strcmp(chosen, o->id) == 0 ? " selected" : "", o->title);
            }
            srv_html_emit(h, "</select>");
            if (edit)
                srv_html_emit(h, "<input type=\"hidden\" name=\"orig_rank-%z-%z\" value=\"%a\">",
                              first, r + 1, was);
            srv_html_emit(h, "</div>\n");
        }
        srv_html_emit(h, "</fieldset>\n");
    }
}

void srv_rank_selects(srv_html *h, const pl_event *ev, const pl_slot *slot, const size_t *order,
                      const srv_req *posted)
{
    selects(h, ev, slot, order, 0, NULL, 0, NULL, posted);
}

void srv_rank_edit(srv_html *h, pl_store *store, const pl_event *ev, const pl_registration *reg,
                   const srv_req *posted)
{
    pl_slot *slots = NULL;
    size_t nslots = 0, *order = NULL, n = 0;
    pl_ranking *list = NULL;
    pl_workshop_slots *ws = NULL;
    pl_error err;

    if (pl_agenda_slots(&slots, &nslots, &order, ev) < 0 ||
        pl_ranks_get(&list, &n, store, ev->slug, reg->email, &err) < 0 ||
        pl_workshop_slots_load(&ws, store, ev->slug, &err) < 0) {
        h->failed = 1;
    } else {
        for (size_t i = 0; i < nslots; i++)
            selects(h, ev, &slots[i], order, 1, list, n, ws, posted);
    }
    pl_workshop_slots_free(ws);
    pl_rankings_free(list, n);
    free(slots);
    free(order);
}

static const char *title_of(const pl_event *ev, const char *id)
{
    const pl_session *s = pl_event_session(ev, id);
    return s && s->title ? s->title : id;
}

void srv_ranks_section(srv_html *h, pl_store *store, const pl_event *ev, const pl_registration *reg)
{
    pl_lang L = pl_event_lang(ev);
    pl_ranking *list = NULL;
    size_t n = 0;
    pl_error err;

    if (pl_ranks_get(&list, &n, store, ev->slug, reg->email, &err) < 0 || n == 0) {
        pl_rankings_free(list, n);
        return;
    }
    srv_html_emit(h, "<h2>%t</h2>\n<div id=\"ranks\">\n", pl_lang_text(L, PL_T_PAGES_YOUR_RANKS));
    for (size_t i = 0; i < n; i++) {
        srv_html_emit(h, "<div class=\"ranking\"><strong>%t</strong><ol>", list[i].slot);
        for (size_t k = 0; k < list[i].sessions.count; k++)
            srv_html_emit(h, "<li>%t</li>", title_of(ev, list[i].sessions.items[k]));
        srv_html_emit(h, "</ol>");
        if (!list[i].allocated)
            srv_html_emit(h, "<p class=\"muted\">%t</p>", pl_lang_text(L, PL_T_PAGES_RANK_PENDING));
        else if (list[i].allocation)
            srv_html_emit(h, "<p class=\"allocation\">%t <strong>%t</strong></p>",
                          pl_lang_text(L, PL_T_PAGES_RANK_GIVEN), title_of(ev, list[i].allocation));
        else
            srv_html_emit(h, "<p class=\"allocation warn\">%t</p>",
                          pl_lang_text(L, PL_T_PAGES_RANK_NOT_PLACED));
        srv_html_emit(h, "</div>\n");
    }
    srv_html_emit(h, "</div>\n");
    pl_rankings_free(list, n);
}
