#include "random.h"
#include "error.h"
#include "text.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

int pl_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;

    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return PL_EIO;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

int pl_random_hex(char *out, size_t nbytes)
{
    unsigned char raw[64];

    while (nbytes > 0) {
        size_t chunk = nbytes < sizeof(raw) ? nbytes : sizeof(raw);
        if (pl_random_bytes(raw, chunk) < 0)
            return PL_EIO;
        pl_hex_encode(out, raw, chunk);
        out += 2 * chunk;
        nbytes -= chunk;
    }
    *out = '\0';
    return 0;
}

void pl_uuid_format(char out[PL_UUID_SIZE], const unsigned char b[16], int version)
{
    unsigned char u[16];
    char h[33];

    memcpy(u, b, sizeof(u));
    u[6] = (unsigned char)((u[6] & 0x0f) | (version << 4));
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* variant 10 */
    pl_hex_encode(h, u, sizeof(u));
    /* 8-4-4-4-12 */
    memcpy(out, h, 8);
    out[8] = '-';
    memcpy(out + 9, h + 8, 4);
    out[13] = '-';
    memcpy(out + 14, h + 12, 4);
    out[18] = '-';
    memcpy(out + 19, h + 16, 4);
    out[23] = '-';
    memcpy(out + 24, h + 20, 12);
    out[36] = '\0';
}

int pl_random_uuid(char out[PL_UUID_SIZE])
{
    unsigned char b[16];

    if (pl_random_bytes(b, sizeof(b)) < 0)
        return PL_EIO;
    pl_uuid_format(out, b, 4);
    return 0;
}
