/*
 * registration_ids.c - minting uids (version 7 UUIDs) and secret tokens, both
 * time-ordered, from the batch's pool of OS random bytes.
 */
#include "registration_internal.h"
#include "random.h"
#include "text.h"

#include <string.h>

_Static_assert(PL_REG_TOKEN_BYTES == 8 + PL_REG_TOKEN_RANDOM_BYTES &&
                   PL_REG_TOKEN_RANDOM_BYTES >= 16,
               "a token is a position and at least 128 random bits");

/* Random bytes from the OS, drawn a block at a time: one getrandom(2) for
 * many registrations. */
static int take_random(pl_registration_batch *b, unsigned char *out, size_t n)
{
    if (b->pool_left < n) {
        if (pl_random_bytes(b->pool, sizeof(b->pool)) < 0)
            return PL_EIO;
        b->pool_left = sizeof(b->pool);
    }
    memcpy(out, b->pool + sizeof(b->pool) - b->pool_left, n);
    /* A secret is never handed out twice, nor left in the pool. */
    memset(b->pool + sizeof(b->pool) - b->pool_left, 0, n);
    b->pool_left -= n;
    return 0;
}

/*
 * The next position in time order: 48 bits of Unix milliseconds, then a
 * 12-bit counter (the batch's clock moves on one millisecond every 4,096
 * registrations, so one batch's positions stay in order).
 */
static unsigned long long next_order(pl_registration_batch *b)
{
    unsigned seq = b->order_seq++;
    unsigned long long ms = (unsigned long long)b->clock_ms + (seq >> 12);

    return (ms & 0xffffffffffffULL) << 16 | (seq & 0xfff);
}

/*
 * A new uid and token. Both begin with the same time-ordered position, so
 * that a registration's entries land at the end of the uid and token
 * indexes instead of anywhere in them: 100,000 random tokens spread their
 * inserts over the whole token index, which then no longer fits SQLite's
 * page cache and is read and written back page by page (a quarter of an
 * import's time). The uid is a version 7 UUID (RFC 9562: the position,
 * then random bits). The token's secret part is the 24 random bytes after
 * the position, as before; the position says when the registration was
 * made, which its public uid says too.
 */
int reg_new_ids(pl_registration_batch *b, char uid[PL_UUID_SIZE],
                char token[2 * PL_REG_TOKEN_BYTES + 1])
{
    unsigned long long pos = next_order(b);
    unsigned char u[16], t[PL_REG_TOKEN_BYTES];

    if (take_random(b, u + 8, 8) < 0 || take_random(b, t + 8, PL_REG_TOKEN_RANDOM_BYTES) < 0)
        return PL_EIO;
    for (int i = 0; i < 8; i++)
        u[i] = t[i] = (unsigned char)(pos >> (56 - 8 * i));
    pl_uuid_format(uid, u, 7);
    pl_hex_encode(token, t, sizeof(t));
    memset(t, 0, sizeof(t));
    return 0;
}
