/*
 * modified.c - what moves the Last-Modified of a page or feed: the event and
 * its sessions, and for a waiting person everyone ahead in the queue.
 */
#include "internal.h"
#include "registration.h"

void srv_event_modified(char out[32], const pl_event *ev)
{
    srv_latest(out, ev->modified);
    for (size_t s = 0; s < ev->nsessions; s++)
        srv_latest(out, ev->sessions[s].modified);
}

static int latest_change(const pl_registration *r, void *payload)
{
    srv_latest(payload, r->updated);
    return 0;
}

void srv_waitlist_modified(pl_store *store, const pl_registration *reg, char modified[32])
{
    if (reg->status == PL_REG_WAITLISTED)
        pl_registration_each(store, reg->event_slug, latest_change, modified, NULL);
}
