/*
 * net_guard.h - private to calendar/: keep a download off this machine and
 * the local network unless asked.
 *
 * A URL given to `planner subscribe` is fetched by the server's host. Left
 * free, it (or a redirect it answers, or a name that resolves there) could
 * reach services meant only for this machine or its network: a database's
 * HTTP port, a router, a cloud metadata address. The guard checks every
 * address libcurl is about to connect to, after name resolution and on
 * every redirect, so neither a redirect nor a name pointing at 127.0.0.1
 * gets past it.
 */
#ifndef PL_CALENDAR_NET_GUARD_H
#define PL_CALENDAR_NET_GUARD_H

#include <curl/curl.h>
#include <sys/socket.h>

typedef struct pl_net_guard {
    int allow_private; /* set: let every address through */
    int refused;       /* out: a connection was refused */
    char address[64];  /* out: the first address refused, as text */
} pl_net_guard;

/* Whether sa is an address of this machine or of a private network:
 * loopback, unspecified, RFC 1918, shared (100.64/10), link-local,
 * unique-local IPv6, multicast, reserved, and IPv4-mapped forms of them. */
int pl_net_address_is_private(const struct sockaddr *sa);

/* Make curl's connections pass through the guard g (which must outlive
 * the transfer). */
void pl_net_guard_install(CURL *curl, pl_net_guard *g);

#endif
