/*
 * collate.h - sort keys for names in French collation order.
 *
 * Names are compared the way a French reader files them: first by their
 * letters alone, accents and case folded and spaces, hyphens and
 * apostrophes ignored ("Élodie" files with E, "de la Tour" as "delatour",
 * "Œuvre" as "oeuvre"); then, among names equal so far, an unaccented letter
 * before an accented one (e < é < è < ê < ë); then lower case before upper
 * case; and last the bytes themselves, so that the order is total and
 * stable. Latin letters (U+00C0 to U+024F) are folded; any other character
 * is kept as it is and files after the Latin letters.
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

/* Compare a and b in collation order (<0, 0, >0). Allocates; for sorting
 * many strings, compute each key once with pl_collate_key. */
int pl_collate_compare(const char *a, const char *b);

#endif
