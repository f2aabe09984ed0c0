/*
 * admin_allocate.c - "Répartir les ateliers" on the event's page of the back
 * office: runs the allocation of ranked workshops (ranks.h, as `planner
 * sessions allocate`) and shows what it did.
 */
#include "admin.h"
#include "ranks.h"

#include <stdio.h>
#include <string.h>

/* Whether two or more workshops of ev start together (a slot to rank). */
static int has_parallel_workshops(const pl_event *ev)
{
    for (size_t i = 0; i < ev->nsessions; i++) {
        const pl_session *s = &ev->sessions[i];
        if (s->cancelled || !s->kind || strcmp(s->kind, "workshop") != 0)
            continue;
        for (size_t j = i + 1; j < ev->nsessions; j++) {
            const pl_session *o = &ev->sessions[j];
            if (!o->cancelled && o->kind && strcmp(o->kind, "workshop") == 0 &&
                strcmp(o->start, s->start) == 0)
                return 1;
        }
    }
    return 0;
}

void adm_allocate_form(srv_html *h, adm *a, const pl_event *ev)
{
    if (!has_parallel_workshops(ev))
        return;
    srv_html_emit(h,
                  "<h2 id=\"allocate\">%s</h2>\n<p>%s</p>\n<form method=\"post\" "
                  "action=\"/admin/e/%u/allocate\" class=\"stack\">\n",
                  TX(a, ADMIN_ALLOCATE_TITLE), TX(a, ADMIN_ALLOCATE_HINT), ev->slug);
    adm_csrf_field(h, a);
    srv_html_emit(h,
                  "<div><label class=\"check\" for=\"f-keep_assigned\"><input type=\"checkbox\" "
                  "id=\"f-keep_assigned\" name=\"keep_assigned\" value=\"1\" checked> %s</label>"
                  "</div>\n<div><button type=\"submit\">%s</button></div></form>\n",
                  TX(a, ADMIN_ALLOCATE_KEEP), TX(a, ADMIN_ALLOCATE_BUTTON));
}

static const char *title_of(const pl_event *ev, const char *id)
{
    const pl_session *s = id ? pl_event_session(ev, id) : NULL;
    return s && s->title ? s->title : id;
}

/* The core's reason (ranks.c: one of two fixed English lines) in the
 * page's language; another one as it is. */
static const char *unplaced_reason(const adm *a, const char *reason)
{
    if (reason && strcmp(reason, "ranked no workshop of this slot") == 0)
        return TX(a, ADMIN_ALLOCATE_NO_CHOICE);
    if (reason && strcmp(reason, "every workshop ranked is full") == 0)
        return TX(a, ADMIN_ALLOCATE_ALL_FULL);
    return reason;
}

int adm_allocate(adm *a)
{
    const char *keep = srv_field_get(a->req, "keep_assigned");
    srv_html h = {PL_BUF_INIT, 0};
    pl_allocation *res = NULL;
    pl_event *ev = NULL;
    pl_error err;
    int rc, r;

    if (adm_load_event(a, &ev) < 0)
        return 0;
    rc = pl_sessions_allocate(&res, a->req->store, ev->slug,
                              keep && strcmp(keep, "1") == 0 ? PL_ALLOC_KEEP_ASSIGNED : 0, &err);
    srv_changed(a->req->srv);
    if (rc < 0) {
        pl_event_free(ev);
        return adm_fail(a, srv_status_for(rc), &err);
    }
    adm_page_start(&h, a, TX(a, ADMIN_ALLOCATE_TITLE), ev->slug);
    srv_html_emit(&h, "<p class=\"notice\" role=\"status\">%s</p>\n<p>%t</p>\n",
                  TX(a, ADMIN_ALLOCATE_DONE), ev->title);
    if (!res->nassignments && !res->nunplaced) {
        srv_html_emit(&h, "<p>%s</p>\n", TX(a, ADMIN_ALLOCATE_NOBODY));
    } else {
        srv_html_emit(&h, "<p id=\"placed\"><strong>%z</strong> %s", res->placed,
                      TX(a, ADMIN_ALLOCATE_PLACED));
        if (res->kept)
            srv_html_emit(&h, " (%z %s)", res->kept, TX(a, ADMIN_ALLOCATE_KEPT));
        srv_html_emit(&h, "</p>\n<p id=\"told\"><strong>%z</strong> %s</p>\n", res->told,
                      TX(a, ADMIN_ALLOCATE_TOLD));
        adm_table_wrap(&h, "by-rank-caption");
        srv_html_emit(
            &h,
            "<table id=\"by-rank\"><caption id=\"by-rank-caption\">%s</caption><thead><tr>"
            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>\n",
            TX(a, ADMIN_ALLOCATE_BY_RANK), TX(a, ADMIN_ALLOCATE_RANK),
            TX(a, ADMIN_ALLOCATE_PEOPLE));
        for (size_t k = 1; k <= res->max_rank; k++)
            if (res->by_rank[k])
                srv_html_emit(&h, "<tr><th scope=\"row\">%z</th><td>%z</td></tr>\n", k,
                              res->by_rank[k]);
        srv_html_emit(&h, "</tbody></table></div>\n");
    }
    if (res->nunplaced) {
        adm_table_wrap(&h, "unplaced-caption");
        srv_html_emit(
            &h,
            "<table id=\"unplaced\"><caption id=\"unplaced-caption\">%s</caption><thead><tr>"
            "<th scope=\"col\">e-mail</th><th scope=\"col\">%s</th>"
            "<th scope=\"col\">%s</th></tr></thead><tbody>\n",
            TX(a, ADMIN_ALLOCATE_UNPLACED), TX(a, ADMIN_ALLOCATE_SLOT), TX(a, ADMIN_ALLOCATE_WHY));
        for (size_t i = 0; i < res->nunplaced; i++)
            srv_html_emit(&h, "<tr><td>%t</td><td>%t</td><td>%t</td></tr>\n",
                          res->unplaced[i].email, res->unplaced[i].slot,
                          unplaced_reason(a, res->unplaced[i].reason));
        srv_html_emit(&h, "</tbody></table></div>\n");
    }
    if (res->nassignments) {
        adm_table_wrap(&h, "assignments-caption");
        srv_html_emit(
            &h,
            "<table id=\"assignments\"><caption id=\"assignments-caption\">%s</caption><thead><tr>"
            "<th scope=\"col\">e-mail</th><th scope=\"col\">%s</th>"
            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>\n",
            TX(a, ADMIN_ALLOCATE_TITLE), TX(a, ADMIN_ALLOCATE_SLOT), TX(a, ADMIN_ALLOCATE_WORKSHOP),
            TX(a, ADMIN_ALLOCATE_RANK));
        for (size_t i = 0; i < res->nassignments; i++)
            srv_html_emit(&h, "<tr><td>%t</td><td>%t</td><td>%t</td><td>%d</td></tr>\n",
                          res->assignments[i].email, res->assignments[i].slot,
                          title_of(ev, res->assignments[i].session), res->assignments[i].rank);
        srv_html_emit(&h, "</tbody></table></div>\n");
    }
    srv_html_emit(&h, "<p><a href=\"/admin/e/%u\">←</a></p>\n", ev->slug);
    r = adm_page_reply(a, 200, &h);
    pl_allocation_free(res);
    pl_event_free(ev);
    return r;
}
