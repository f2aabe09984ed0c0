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
/* A random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
 * Returns 0 or PL_EIO. */
int pl_random_uuid(char out[37]);

#endif
