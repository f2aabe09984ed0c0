/*
 * routes.c - every route of the server: method, path pattern, handler.
 * router.c matches a request against this table, top to bottom; the first
 * route whose pattern and method match answers. See internal.h ("Adding a
 * route") for the pattern syntax.
 */
#include "internal.h"

const srv_route srv_routes[] = {
    /* public pages, feeds and API */
    {SRV_GET, "/", srv_page_index, SRV_CACHED | SRV_CACHED_BY_CLOCK},
    {SRV_GET, "/events.ics", srv_feed_all, SRV_CACHED},
    {SRV_GET, "/e/{slug}", srv_page_event, SRV_CACHED | SRV_CACHED_BY_CLOCK},
    {SRV_GET, "/e/{slug}.ics", srv_feed_event, SRV_CACHED},
    {SRV_GET, "/e/{slug}.json", srv_event_json, SRV_CACHED},
    {SRV_POST, "/e/{slug}/register", srv_register, 0},
    {SRV_GET, "/e/{slug}/registrants.csv", srv_public_list_csv, 0},
    /* an attendee's own pages: the token is the key, never logged */
    {SRV_GET, "/me/{token}", srv_page_me, 0},
    {SRV_GET, "/me/{token}.ics", srv_me_feed, 0},
    {SRV_GET, "/me/{token}.json", srv_me_json, 0},
    {SRV_POST, "/me/{token}/update", srv_update, 0},
    {SRV_POST, "/me/{token}/cancel", srv_cancel, 0},
    {SRV_GET, "/me/{token}/erase", srv_page_erase, 0},
    {SRV_POST, "/me/{token}/erase", srv_erase, 0},
    {SRV_GET, "/me/{token}/carpool/{action}", srv_me_carpool_form, 0},
    {SRV_POST, "/me/{token}/carpool/{action}", srv_me_carpool, 0},
    /* organisers: a session of the back office (admin_*.c, docs/admin.md) or
     * Authorization: Bearer ADMIN_TOKEN; the router checks SRV_ADMIN routes */
    {SRV_GET, "/admin/login", srv_adm_login_form, 0},
    {SRV_POST, "/admin/login", srv_adm_login, 0},
    {SRV_POST, "/admin/logout", srv_adm_logout, SRV_ADMIN},
    {SRV_GET, "/admin", srv_adm_dashboard, SRV_ADMIN},
    {SRV_GET, "/admin/events/new", srv_adm_event_new_form, SRV_ADMIN},
    {SRV_POST, "/admin/events", srv_adm_event_create, SRV_ADMIN},
    {SRV_GET, "/admin/e/{slug}", srv_adm_event, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}", srv_adm_event_update, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/duplicate", srv_adm_event_duplicate, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/publish", srv_adm_event_publish, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/sessions", srv_adm_session_add, SRV_ADMIN},
    {SRV_GET, "/admin/e/{slug}/sessions/{id}", srv_adm_session_form, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/sessions/{id}", srv_adm_session_update, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/sessions/{id}/cancel", srv_adm_session_cancel, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/speakers", srv_adm_speaker_add, SRV_ADMIN},
    {SRV_GET, "/admin/e/{slug}/speakers/{id}", srv_adm_speaker_form, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/speakers/{id}", srv_adm_speaker_update, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/speakers/{id}/remove", srv_adm_speaker_remove, SRV_ADMIN},
    {SRV_GET, "/admin/e/{slug}/registrations", srv_adm_regs, SRV_ADMIN},
    {SRV_GET, "/admin/e/{slug}/registrations/{id}", srv_adm_reg_form, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/registrations/{id}", srv_adm_reg_update, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/registrations/{id}/cancel", srv_adm_reg_cancel, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/registrations/{id}/promote", srv_adm_reg_promote, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/registrations/{id}/resend", srv_adm_reg_resend, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/allocate", srv_adm_allocate, SRV_ADMIN},
    {SRV_GET, "/admin/e/{slug}/carpool", srv_adm_carpool, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/carpool/plan", srv_adm_carpool_plan, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/carpool/confirm", srv_adm_carpool_confirm, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/carpool/move", srv_adm_carpool_move, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/carpool/together", srv_adm_carpool_together, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/carpool/choice", srv_adm_carpool_choice, SRV_ADMIN},
    {SRV_GET, "/admin/e/{slug}/import", srv_adm_import_form, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/import", srv_adm_import, SRV_ADMIN},
    {SRV_GET, "/admin/e/{slug}/purge", srv_adm_purge_form, SRV_ADMIN},
    {SRV_POST, "/admin/e/{slug}/purge", srv_adm_purge, SRV_ADMIN},
    /* the exports: after every /admin/e/{slug}/WORD above */
    {SRV_GET, "/admin/e/{slug}/{name}", srv_admin_export, SRV_ADMIN},
};

const size_t srv_nroutes = sizeof(srv_routes) / sizeof(srv_routes[0]);
