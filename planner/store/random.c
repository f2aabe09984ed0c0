#include "random.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
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
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[64];

    while (nbytes > 0) {
        size_t chunk = nbytes < sizeof(raw) ? nbytes : sizeof(raw);
        if (pl_random_bytes(raw, chunk) < 0)
            return PL_EIO;
        for (size_t i = 0; i < chunk; i++) {
            *out++ = hex[raw[i] >> 4];
            *out++ = hex[raw[i] & 15];
        }
        nbytes -= chunk;
    }
    *out = '\0';
    return 0;
}

int pl_random_uuid(char out[37])
{
    unsigned char b[16];

    if (pl_random_bytes(b, sizeof(b)) < 0)
        return PL_EIO;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
    return 0;
}
