/*
 * collate.h - sort keys for names in French collation order.
 *
 * Names are compared the way a French reader files them, by ICU's collator
 * for the "fr" locale (exporters/collate.c): first by their letters alone,
 * accents and case folded and spaces, hyphens and apostrophes ignored
 * ("Élodie" files with E, "de la Tour" as "delatour", "Œuvre" as "oeuvre");
 * then, among names equal so far, by their accents (e < é); then lower case
 * before upper case; and last punctuation. Names equal even so (the same
 * name twice) are left to the caller's own order. Every script is handled,
 * by the Unicode Collation Algorithm's default order.
 */
#ifndef PL_COLLATE_H
#define PL_COLLATE_H

#include <stddef.h>

/*
 * A sort key for the UTF-8 string s (NULL is taken as ""): two keys compare
 * with strcmp() in the collation order of their strings. Returns a malloc'ed
 * string (free() it), NULL when out of memory.
 */
char *pl_collate_key(const char *s);

/* The first level alone (letters, accents and case folded): "la Tour" and
 * "La Tour" have the same. Cheaper than pl_collate_key; same ownership. */
char *pl_collate_primary_key(const char *s);

/* Compare a and b in collation order (<0, 0, >0). Allocates; for sorting
 * many strings, compute each key once with pl_collate_key. */
int pl_collate_compare(const char *a, const char *b);

#endif
