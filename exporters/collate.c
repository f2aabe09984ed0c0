/*
 * collate.c - French collation keys (see collate.h), by ICU's collator for
 * the "fr" locale: the Unicode Collation Algorithm with CLDR's French
 * tailoring, instead of hand-written folding tables.
 *
 * Settings: spaces, punctuation and symbols "shifted" (ignored at the
 * first three levels: "de la Tour" files as "delatour"), identical strength (a last
 * level of the code points themselves, so that the order is total). A key
 * is ICU's sort key: bytes without 0x00, levels separated by 0x01, compared
 * with strcmp().
 *
 * A UCollator is not to be shared between threads while it is used: each
 * thread opens its own on first use, closed when the thread ends.
 */
#include "collate.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucol.h>
#include <unicode/ustring.h>

static pthread_key_t collator_key;
static pthread_once_t collator_once = PTHREAD_ONCE_INIT;

static void close_collator(void *c)
{
    ucol_close(c);
}

static void make_key(void)
{
    (void)pthread_key_create(&collator_key, close_collator);
}

/* This thread's French collator; NULL when ICU cannot open one. */
static UCollator *collator(void)
{
    UCollator *c;
    UErrorCode st = U_ZERO_ERROR;

    pthread_once(&collator_once, make_key);
    if ((c = pthread_getspecific(collator_key)) != NULL)
        return c;
    c = ucol_open("fr", &st);
    if (U_FAILURE(st))
        return NULL;
    ucol_setAttribute(c, UCOL_ALTERNATE_HANDLING, UCOL_SHIFTED, &st);
    ucol_setAttribute(c, UCOL_STRENGTH, UCOL_IDENTICAL, &st);
    /* symbols too ("=", "+", "@"): a name files by its letters */
    ucol_setMaxVariable(c, UCOL_REORDER_CODE_SYMBOL, &st);
    if (U_FAILURE(st) || pthread_setspecific(collator_key, c) != 0) {
        ucol_close(c);
        return NULL;
    }
    return c;
}

char *pl_collate_key(const char *s)
{
    UCollator *c = collator();
    UChar small[256], *u = small;
    UErrorCode st = U_ZERO_ERROR;
    int32_t ulen = 0, klen;
    uint8_t *key = NULL;

    if (!s)
        s = "";
    if (!c)
        return NULL;
    /* UTF-8 to UTF-16, bad bytes as U+FFFD */
    u_strFromUTF8WithSub(small, 256, &ulen, s, -1, 0xFFFD, NULL, &st);
    if (st == U_BUFFER_OVERFLOW_ERROR) {
        st = U_ZERO_ERROR;
        if (!(u = malloc(((size_t)ulen + 1) * sizeof(UChar))))
            return NULL;
        u_strFromUTF8WithSub(u, ulen + 1, &ulen, s, -1, 0xFFFD, NULL, &st);
    }
    if (U_FAILURE(st))
        goto done;
    klen = ucol_getSortKey(c, u, ulen, NULL, 0);
    if (klen > 0 && (key = malloc((size_t)klen)) != NULL)
        ucol_getSortKey(c, u, ulen, key, klen);
done:
    if (u != small)
        free(u);
    return (char *)key;
}

int pl_collate_compare(const char *a, const char *b)
{
    char *x = pl_collate_key(a), *y = pl_collate_key(b);
    int c = x && y ? strcmp(x, y) : (x != NULL) - (y != NULL);

    free(x);
    free(y);
    return c;
}
