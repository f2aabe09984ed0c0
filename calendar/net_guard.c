#include "net_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

static int v4_is_private(uint32_t a)
{
    return (a >> 24) == 0                    /* 0.0.0.0/8: "this network" */
           || (a >> 24) == 10                /* 10/8 */
           || (a >> 22) == (100u << 2 | 1)   /* 100.64/10: shared, carrier NAT */
           || (a >> 24) == 127               /* loopback */
           || (a >> 16) == (169u << 8 | 254) /* link-local, cloud metadata */
           || (a >> 20) == (172u << 4 | 1)   /* 172.16/12 */
           || (a >> 8) == (192u << 16)       /* 192.0.0/24: protocol assignments */
           || (a >> 16) == (192u << 8 | 168) /* 192.168/16 */
           || (a >> 17) == (198u << 7 | 9)   /* 198.18/15: benchmarking */
           || a >= 0xE0000000u;              /* multicast, reserved, broadcast */
}

int pl_net_address_is_private(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return v4_is_private(ntohl(in->sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6) {
        const uint8_t *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        static const uint8_t zero[12] = {0};
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
        static const uint8_t nat64[12] = {0, 0x64, 0xFF, 0x9B};
        uint32_t v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];

        /* ::, ::1 (as 0.0.0.0/8) and the IPv4-compatible, -mapped and
         * NAT64 forms of an IPv4 address */
        if (memcmp(b, zero, 12) == 0 || memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
            return v4_is_private(v4);
        return (b[0] & 0xFE) == 0xFC                      /* fc00::/7: unique local */
               || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) /* fe80::/10: link-local */
               || (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) /* fec0::/10: old site-local */
               || b[0] == 0xFF;                           /* multicast */
    }
    return 1; /* anything else (a Unix socket) is local by nature */
}

static curl_socket_t open_socket(void *payload, curlsocktype purpose, struct curl_sockaddr *a)
{
    pl_net_guard *g = payload;

    if (!g->allow_private && purpose == CURLSOCKTYPE_IPCXN && pl_net_address_is_private(&a->addr)) {
        if (!g->refused) {
            const void *raw = a->family == AF_INET6
                                  ? (const void *)&((struct sockaddr_in6 *)&a->addr)->sin6_addr
                                  : (const void *)&((struct sockaddr_in *)&a->addr)->sin_addr;
            if (!inet_ntop(a->family, raw, g->address, sizeof(g->address)))
                strcpy(g->address, "?");
        }
        g->refused = 1;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

void pl_net_guard_install(CURL *curl, pl_net_guard *g)
{
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, g);
}
