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

/* Two collators per thread: the full order, and the first level alone. */
enum { FULL, PRIMARY };

static pthread_key_t collator_key[2];
static pthread_once_t collator_once = PTHREAD_ONCE_INIT;

static void close_collator(void *c)
{
    ucol_close(c);
}

static void make_keys(void)
{
    (void)pthread_key_create(&collator_key[FULL], close_collator);
    (void)pthread_key_create(&collator_key[PRIMARY], close_collator);
}

/* This thread's French collator of that kind; NULL when ICU cannot open
 * one. */
static UCollator *collator(int kind)
{
    UCollator *c;
    UErrorCode st = U_ZERO_ERROR;

    pthread_once(&collator_once, make_keys);
    if ((c = pthread_getspecific(collator_key[kind])) != NULL)
        return c;
    c = ucol_open("fr", &st);
    if (U_FAILURE(st))
        return NULL;
    ucol_setAttribute(c, UCOL_ALTERNATE_HANDLING, UCOL_SHIFTED, &st);
    /* quaternary: punctuation breaks the last ties (the callers' sorts then
     * use their own order, e.g. arrival); identical would cost a third
     * more for names that are never equal but for it */
    ucol_setAttribute(c, UCOL_STRENGTH, kind == FULL ? UCOL_QUATERNARY : UCOL_PRIMARY, &st);
    /* symbols too ("=", "+", "@"): a name files by its letters */
    ucol_setMaxVariable(c, UCOL_REORDER_CODE_SYMBOL, &st);
    if (U_FAILURE(st) || pthread_setspecific(collator_key[kind], c) != 0) {
        ucol_close(c);
        return NULL;
    }
    return c;
}

static char *key_of(int kind, const char *s)
{
    UCollator *c = collator(kind);
    UChar small[256], *u = small;
    uint8_t stack[512], *key = NULL;
    UErrorCode st = U_ZERO_ERROR;
    int32_t ulen = 0, klen;

    if (!c)
        return NULL;
    /* UTF-8 to UTF-16, bad bytes as U+FFFD */
    u_strFromUTF8WithSub(small, 256, &ulen, s ? s : "", -1, 0xFFFD, NULL, &st);
    if (st == U_BUFFER_OVERFLOW_ERROR) {
        st = U_ZERO_ERROR;
        if (!(u = malloc(((size_t)ulen + 1) * sizeof(UChar))))
            return NULL;
        u_strFromUTF8WithSub(u, ulen + 1, &ulen, s, -1, 0xFFFD, NULL, &st);
    }
    if (U_FAILURE(st))
        goto done;
    /* one pass for the names of everyday lists, two for long text */
    klen = ucol_getSortKey(c, u, ulen, stack, (int32_t)sizeof(stack));
    if (klen > 0 && (key = malloc((size_t)klen)) != NULL) {
        if (klen <= (int32_t)sizeof(stack))
            memcpy(key, stack, (size_t)klen);
        else
            ucol_getSortKey(c, u, ulen, key, klen);
    }
done:
    if (u != small)
        free(u);
    return (char *)key;
}

char *pl_collate_key(const char *s)
{
    return key_of(FULL, s);
}

char *pl_collate_primary_key(const char *s)
{
    return key_of(PRIMARY, s);
}

int pl_collate_compare(const char *a, const char *b)
{
    char *x = pl_collate_key(a), *y = pl_collate_key(b);
    int c = x && y ? strcmp(x, y) : (x != NULL) - (y != NULL);

    free(x);
    free(y);
    return c;
}
