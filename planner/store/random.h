/*
 * random.h - secrets and identifiers from the operating system's random
 * source (getrandom(2)); never from rand().
 */
#ifndef PL_RANDOM_H
#define PL_RANDOM_H

#include <stddef.h>

/* Fill buf with n random bytes. Returns 0 or PL_EIO. */
int pl_random_bytes(void *buf, size_t n);
/* Write 2*nbytes lowercase hex digits and a NUL into out (size >= 2*nbytes+1).
 * Returns 0 or PL_EIO. */
int pl_random_hex(char *out, size_t nbytes);
/* A UUID as text, "xxxxxxxx-xxxx-Vxxx-yxxx-xxxxxxxxxxxx", with its NUL. */
#define PL_UUID_SIZE 37
/* The UUID of the 16 bytes b with the version (4: random, 7: time-ordered,
 * RFC 9562) and the variant set, as text into out. The one UUID maker. */
void pl_uuid_format(char out[PL_UUID_SIZE], const unsigned char b[16], int version);
/* A random (version 4) UUID. Returns 0 or PL_EIO. */
int pl_random_uuid(char out[PL_UUID_SIZE]);

#endif
