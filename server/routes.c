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
    /* organisers (Authorization: Bearer ADMIN_TOKEN) */
    {SRV_GET, "/admin/e/{slug}", srv_admin_event, SRV_ADMIN},
    {SRV_GET, "/admin/e/{slug}/{name}", srv_admin_export, SRV_ADMIN},
};

const size_t srv_nroutes = sizeof(srv_routes) / sizeof(srv_routes[0]);
