/*
 * Origins resolved against the embedded gazetteer (data/gazetteer_data.c).
 *
 * Names are compared through a key: Latin letters folded to lower-case
 * ASCII, digits kept, everything else separating words, "saint"/"sainte"
 * shortened to "st"/"ste", words joined without separator. data/generate.js
 * sorts the name index with the same function (nameKey); the two must stay
 * identical, which tests/unit/test_origin.c checks over the whole gazetteer.
 */
#include "origin.h"

#include "error.h"
#include "gazetteer_data.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_TEXT 256 /* longer input is not an origin */
#define MAX_WORDS 16
#define MAX_WORD 64
#define MAX_KEY 256
#define MAX_CANDIDATES 64
#define GUESS_SHARE_PCT 85 /* see "Decisions" in origin.h */
#define NO_PLACE 0xFFFFu

/* Folding of U+00C0..U+017F, generated from FOLD in data/generate.js. */
static const char *const fold_table[0x180 - 0xC0] = {
    "a",  "a", "a",  "a",  "a", "a", "ae", "c",  "e",  "e",  "e",  "e",  "i", "i", "i",  "i",
    NULL, "n", "o",  "o",  "o", "o", "o",  NULL, "o",  "u",  "u",  "u",  "u", "y", "th", "ss",
    "a",  "a", "a",  "a",  "a", "a", "ae", "c",  "e",  "e",  "e",  "e",  "i", "i", "i",  "i",
    "d",  "n", "o",  "o",  "o", "o", "o",  NULL, "o",  "u",  "u",  "u",  "u", "y", "th", "y",
    "a",  "a", "a",  "a",  "a", "a", "c",  "c",  "c",  "c",  "c",  "c",  "c", "c", "d",  "d",
    "d",  "d", "e",  "e",  "e", "e", "e",  "e",  "e",  "e",  "e",  "e",  "g", "g", "g",  "g",
    "g",  "g", "g",  "g",  "h", "h", "h",  "h",  "i",  "i",  "i",  "i",  "i", "i", "i",  "i",
    "i",  "i", NULL, NULL, "j", "j", "k",  "k",  NULL, "l",  "l",  "l",  "l", "l", "l",  "l",
    "l",  "l", "l",  "n",  "n", "n", "n",  "n",  "n",  NULL, NULL, NULL, "o", "o", "o",  "o",
    "o",  "o", "oe", "oe", "r", "r", "r",  "r",  "r",  "r",  "s",  "s",  "s", "s", "s",  "s",
    "s",  "s", "t",  "t",  "t", "t", "t",  "t",  "u",  "u",  "u",  "u",  "u", "u", "u",  "u",
    "u",  "u", "u",  "u",  "w", "w", "y",  "y",  "y",  "z",  "z",  "z",  "z", "z", "z",  NULL,
};

/* ---- words and keys ---------------------------------------------------- */

/*
 * Reads the next word of [*p, end) into `word` (folded, NUL-terminated,
 * truncated to cap - 1 bytes). Returns its length, 0 when there is none.
 */
static size_t next_word(const char **p, const char *end, char *word, size_t cap)
{
    const unsigned char *s = (const unsigned char *)*p;
    const unsigned char *e = (const unsigned char *)end;
    size_t n = 0;
    int in_word = 0;

    while (s < e) {
        char one[2] = {0, 0};
        const char *f = NULL;
        size_t adv = 1;
        unsigned c = s[0];

        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z')
                one[0] = (char)(c - 'A' + 'a');
            else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                one[0] = (char)c;
            if (one[0])
                f = one;
        } else if (c >= 0xC2 && c <= 0xDF && s + 1 < e && (s[1] & 0xC0) == 0x80) {
            unsigned cp = ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu);
            adv = 2;
            if (cp >= 0xC0 && cp < 0x180)
                f = fold_table[cp - 0xC0];
        }
        if (!f) {
            if (in_word)
                break;
            s += adv;
            continue;
        }
        in_word = 1;
        for (; *f; f++)
            if (n + 1 < cap)
                word[n++] = *f;
        s += adv;
    }
    if (cap)
        word[n] = '\0';
    *p = (const char *)s;
    return n;
}

/* Appends a word to a key, shortening saint/sainte. Returns the new length. */
static size_t key_append(char *key, size_t len, size_t cap, const char *word)
{
    if (strcmp(word, "saint") == 0)
        word = "st";
    else if (strcmp(word, "sainte") == 0)
        word = "ste";
    size_t n = strlen(word);
    if (len + n + 1 > cap)
        n = cap - len - 1;
    memcpy(key + len, word, n);
    key[len + n] = '\0';
    return len + n;
}

/* Key of a whole UTF-8 string; with skip_article, a leading la/le/les/l is dropped. */
static void name_key(char *key, size_t cap, const char *s, int skip_article)
{
    const char *p = s, *end = s + strlen(s);
    char word[MAX_WORD];
    size_t len = 0, i = 0;

    key[0] = '\0';
    while (next_word(&p, end, word, sizeof word) > 0) {
        if (i++ == 0 && skip_article &&
            (!strcmp(word, "la") || !strcmp(word, "le") || !strcmp(word, "les") ||
             !strcmp(word, "l")))
            continue;
        len = key_append(key, len, cap, word);
    }
}

static const char *gz_string(uint32_t ref)
{
    return pl_gz_string_chunks[ref >> 12] + (ref & 0xFFFu);
}

/* ---- gazetteer lookups ------------------------------------------------- */

/* Range [*first, *last) of pl_gz_by_name whose key equals `key`. */
static void find_name(const char *key, unsigned *first, unsigned *last)
{
    char k[MAX_KEY];
    unsigned lo = 0, hi = pl_gz_name_count;

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        name_key(k, sizeof k, gz_string(pl_gz_places[pl_gz_by_name[mid]].name), 0);
        if (strcmp(k, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    while (lo < pl_gz_name_count) {
        name_key(k, sizeof k, gz_string(pl_gz_places[pl_gz_by_name[lo]].name), 0);
        if (strcmp(k, key) != 0)
            break;
        lo++;
    }
    *last = lo;
}

/* Range [*first, *last) of pl_gz_postals with this code. */
static void find_postal(uint32_t code, unsigned *first, unsigned *last)
{
    unsigned lo = 0, hi = pl_gz_postal_count;

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (pl_gz_postals[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    while (lo < pl_gz_postal_count && pl_gz_postals[lo].code == code)
        lo++;
    *last = lo;
}

static unsigned find_insee(const char *insee)
{
    unsigned lo = 0, hi = pl_gz_place_count;

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        int c = strcmp(pl_gz_places[mid].insee, insee);
        if (c == 0 && pl_gz_places[mid].kind != PL_GZ_FORMER)
            return mid;
        if (c < 0 || (c == 0 && pl_gz_places[mid].kind == PL_GZ_FORMER))
            lo = mid + 1;
        else
            hi = mid;
    }
    return NO_PLACE;
}

static const pl_gz_departement *find_departement(const char *code)
{
    unsigned lo = 0, hi = pl_gz_departement_count;

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        int c = strcmp(pl_gz_departements[mid].code, code);
        if (c == 0)
            return &pl_gz_departements[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const pl_gz_departement *find_departement_by_name(const char *key)
{
    char k[MAX_KEY];

    for (unsigned i = 0; i < pl_gz_departement_count; i++) {
        const char *name = gz_string(pl_gz_departements[i].name);
        name_key(k, sizeof k, name, 0);
        if (strcmp(k, key) == 0)
            return &pl_gz_departements[i];
        name_key(k, sizeof k, name, 1);
        if (strcmp(k, key) == 0)
            return &pl_gz_departements[i];
    }
    return NULL;
}

/* Département code of an INSEE code: 3 characters overseas (97x, 98x). */
static void insee_departement(char out[4], const char *insee)
{
    size_t n = (insee[0] == '9' && (insee[1] == '7' || insee[1] == '8')) ? 3 : 2;
    memcpy(out, insee, n);
    out[n] = '\0';
}

/* Département of a postal code; Corsica's 20xxx split at 20200. */
static void postal_departement(char out[4], uint32_t code)
{
    unsigned d2 = code / 1000;
    if (d2 == 20)
        snprintf(out, 4, "%s", code < 20200 ? "2A" : "2B");
    else if (d2 == 97 || d2 == 98)
        snprintf(out, 4, "%03u", (code / 100) % 1000);
    else
        snprintf(out, 4, "%02u", d2 % 100);
}

/* A typed 1-3 character département number, "1" -> "01". */
static void departement_code(char out[4], const char *number)
{
    size_t n = strlen(number);

    if (n == 1) {
        out[0] = '0';
        out[1] = number[0];
        out[2] = '\0';
    } else {
        memcpy(out, number, n > 3 ? 3 : n);
        out[n > 3 ? 3 : n] = '\0';
    }
}

static void place_departement(char out[4], unsigned idx)
{
    insee_departement(out, pl_gz_places[idx].insee);
}

/* The current commune a place stands for (a former commune's successor). */
static unsigned current_of(unsigned idx)
{
    return pl_gz_places[idx].kind == PL_GZ_FORMER ? pl_gz_places[idx].parent : idx;
}

/* ---- output ------------------------------------------------------------ */

static void reason_add(pl_origin *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reason_add(pl_origin *out, const char *fmt, ...)
{
    size_t len = strlen(out->reason);
    va_list ap;

    if (len + 3 >= sizeof out->reason)
        return;
    if (len > 0) {
        memcpy(out->reason + len, "; ", 3);
        len += 2;
    }
    va_start(ap, fmt);
    vsnprintf(out->reason + len, sizeof out->reason - len, fmt, ap);
    va_end(ap);
}

/* Copies at most `max` bytes of s into dst without cutting a UTF-8 sequence. */
static void copy_utf8(char *dst, size_t size, const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n > max)
        n = max;
    if (n >= size)
        n = size - 1;
    while (n > 0 && n < strlen(s) && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static pl_origin_precision public_precision(unsigned idx)
{
    switch (pl_gz_places[idx].precision) {
    case PL_GZ_EXACT:
    case PL_GZ_PARENT:
        return PL_ORIGIN_PRECISION_COMMUNE;
    case PL_GZ_POSTAL:
        return PL_ORIGIN_PRECISION_POSTAL_CODE;
    case PL_GZ_EPCI:
        return PL_ORIGIN_PRECISION_NEARBY;
    default:
        return PL_ORIGIN_PRECISION_DEPARTEMENT;
    }
}

/* Fills `out` from place `idx`; `postal` overrides its main postal code. */
static void set_place(pl_origin *out, unsigned idx, uint32_t postal)
{
    const pl_gz_place *pl = &pl_gz_places[idx];
    const char *name = gz_string(pl->name);

    out->status = PL_ORIGIN_OK;
    out->lat = pl->lat / 1e5;
    out->lon = pl->lon / 1e5;
    out->precision = public_precision(idx);
    copy_utf8(out->name, sizeof out->name, name, sizeof out->name - 1);
    snprintf(out->insee, sizeof out->insee, "%s", pl_gz_places[current_of(idx)].insee);
    place_departement(out->departement, idx);
    if (!postal)
        postal = pl->postal;
    if (postal)
        snprintf(out->postal_code, sizeof out->postal_code, "%05u", (unsigned)(postal % 100000));
    switch (pl->precision) {
    case PL_GZ_PARENT:
        reason_add(out, "no point of its own; used the point of %s",
                   gz_string(pl_gz_places[pl->parent].name));
        break;
    case PL_GZ_POSTAL:
        reason_add(out, "no point of its own; used a commune with the same postal code");
        break;
    case PL_GZ_EPCI:
        reason_add(out, "no point of its own; used a commune of the same intercommunality");
        break;
    case PL_GZ_DEPT:
        reason_add(out, "no point of its own; used the chef-lieu of its département");
        break;
    default:
        if (pl->kind == PL_GZ_FORMER)
            reason_add(out, "former commune, now part of %s",
                       gz_string(pl_gz_places[pl->parent].name));
        break;
    }
}

static int set_departement(pl_origin *out, const pl_gz_departement *d)
{
    if (d->seat == NO_PLACE) {
        out->status = PL_ORIGIN_UNKNOWN;
        reason_add(out, "no point known in département %s", d->code);
        return PL_ENOTFOUND;
    }
    out->status = PL_ORIGIN_OK;
    out->precision = PL_ORIGIN_PRECISION_DEPARTEMENT;
    out->lat = pl_gz_places[d->seat].lat / 1e5;
    out->lon = pl_gz_places[d->seat].lon / 1e5;
    copy_utf8(out->name, sizeof out->name, gz_string(d->name), sizeof out->name - 1);
    snprintf(out->departement, sizeof out->departement, "%s", d->code);
    reason_add(out, "only the département is known; used its chef-lieu, %s",
               gz_string(pl_gz_places[d->seat].name));
    return PL_OK;
}

/* ---- coordinates ------------------------------------------------------- */

static const char *skip_spaces(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* [+-]digits[<dec>digits]; at most 3 integer and 12 fraction digits. */
static int parse_number(const char **p, const char *end, char dec, double *out, int *frac)
{
    const char *s = *p;
    double mantissa = 0, scale = 1; /* exact: at most 15 digits */
    int neg = 0, digits = 0;

    if (s < end && (*s == '-' || *s == '+'))
        neg = *s++ == '-';
    while (s < end && *s >= '0' && *s <= '9' && digits < 4) {
        mantissa = mantissa * 10 + (*s++ - '0');
        digits++;
    }
    if (digits == 0 || digits > 3)
        return 0;
    *frac = 0;
    if (s < end && *s == dec) {
        s++;
        while (s < end && *s >= '0' && *s <= '9' && *frac < 13) {
            mantissa = mantissa * 10 + (*s++ - '0');
            scale *= 10;
            (*frac)++;
        }
        if (*frac == 0 || *frac > 12)
            return 0;
    }
    *out = (neg ? -mantissa : mantissa) / scale; /* correctly rounded, as strtod */
    *p = s;
    return 1;
}

/* 1: coordinates (maybe out of range), 0: not coordinates. */
static int parse_coordinates(const char *s, const char *end, double *lat, double *lon)
{
    static const char decimals[] = {'.', ','};

    for (size_t i = 0; i < sizeof decimals; i++) {
        const char *p = s;
        int f1, f2;
        if (!parse_number(&p, end, decimals[i], lat, &f1))
            continue;
        const char *q = skip_spaces(p, end);
        if (q < end && (*q == ';' || (*q == ',' && decimals[i] == '.')))
            q = skip_spaces(q + 1, end);
        else if (q == p)
            continue;
        if (!parse_number(&q, end, decimals[i], lon, &f2))
            continue;
        if (skip_spaces(q, end) != end || (f1 == 0 && f2 == 0))
            continue;
        return 1;
    }
    return 0;
}

/* ---- query ------------------------------------------------------------- */

typedef struct query {
    char names[MAX_WORDS][MAX_WORD];
    size_t nnames;
    uint32_t postal; /* 0: none */
    char number[4];  /* a bare 1-3 digit number: département or arrondissement */
    char departement[4];
    int arrondissement; /* from "11e", "1er"; 0: none */
    int overflow;       /* more words than we keep */
} query;

static unsigned long digits_value(const char *w)
{
    unsigned long v = 0;
    for (; *w; w++)
        v = v * 10 + (unsigned long)(*w - '0');
    return v;
}

static int all_digits(const char *w)
{
    for (; *w; w++)
        if (*w < '0' || *w > '9')
            return 0;
    return 1;
}

/* "11e", "1er", "11eme", "2nd": the number, else 0. */
static int ordinal(const char *w)
{
    static const char *const suffixes[] = {"e", "er", "ere", "eme", "ieme", "em", "me", "nd"};
    int n = 0, digits = 0;

    while (*w >= '0' && *w <= '9' && digits < 3) {
        n = n * 10 + (*w++ - '0');
        digits++;
    }
    if (digits == 0 || digits > 2)
        return 0;
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++)
        if (strcmp(w, suffixes[i]) == 0)
            return n;
    return 0;
}

static int filler(const char *w)
{
    return !strcmp(w, "arrondissement") || !strcmp(w, "arrondissements") || !strcmp(w, "arr") ||
           !strcmp(w, "arrt") || !strcmp(w, "ardt") || !strcmp(w, "cedex");
}

static void parse_query(query *q, const char *s, const char *end)
{
    char w[MAX_WORD];
    int after_cedex = 0, last_was_number = 0;

    memset(q, 0, sizeof *q);
    while (next_word(&s, end, w, sizeof w) > 0) {
        size_t n = strlen(w);
        int ord = ordinal(w);
        int was_cedex = after_cedex;
        int prev_number = last_was_number;

        last_was_number = all_digits(w) && n == 2;

        after_cedex = strcmp(w, "cedex") == 0;
        if (all_digits(w) && n == 3 && strlen(q->number) == 2 && prev_number && !q->postal) {
            q->postal = (uint32_t)(digits_value(q->number) * 1000 + digits_value(w)); /* "35 000" */
            q->number[0] = '\0';
        } else if (all_digits(w) && (n == 5 || n == 4) && !q->postal) {
            q->postal = (uint32_t)digits_value(w);
        } else if (all_digits(w) && n <= 3 && was_cedex) {
            continue; /* "Cedex 9" */
        } else if (all_digits(w) && n <= 3 && !q->number[0]) {
            memcpy(q->number, w, n + 1);
        } else if (ord && !q->arrondissement) {
            q->arrondissement = ord;
        } else if (n == 2 && w[0] == '2' && (w[1] == 'a' || w[1] == 'b') && !q->departement[0]) {
            q->departement[0] = '2';
            q->departement[1] = (char)(w[1] - 'a' + 'A');
        } else if (filler(w)) {
            continue;
        } else if (q->nnames < MAX_WORDS) {
            memcpy(q->names[q->nnames++], w, n + 1);
        } else {
            q->overflow = 1;
        }
    }
}

/* ---- resolution -------------------------------------------------------- */

/* Cities with municipal arrondissements, and the INSEE code before the 1st. */
static const struct {
    const char *insee;
    const char *departement;
    unsigned base;
    int count;
} cities[] = {{"75056", "75", 75100, 20}, {"69123", "69", 69380, 9}, {"13055", "13", 13200, 16}};

static int city_of(unsigned idx)
{
    for (size_t i = 0; i < sizeof cities / sizeof *cities; i++)
        if (pl_gz_places[idx].kind == PL_GZ_COMMUNE &&
            !strcmp(pl_gz_places[idx].insee, cities[i].insee))
            return (int)i;
    return -1;
}

static unsigned find_arrondissement(int city, int n)
{
    char code[8];

    if (n < 1 || n > cities[city].count)
        return NO_PLACE;
    snprintf(code, sizeof code, "%05u", cities[city].base + (unsigned)n);
    return find_insee(code);
}

static void key_of_words(const query *q, size_t from, size_t to, char *key, size_t cap)
{
    size_t len = 0;

    key[0] = '\0';
    for (size_t i = from; i < to; i++)
        len = key_append(key, len, cap, q->names[i]);
}

/* The place to use if `idx` has postal code rows [first, last): itself, or
 * its arrondissement holding the code; NO_PLACE if the code is not its own. */
static unsigned match_postal(unsigned idx, unsigned first, unsigned last)
{
    unsigned cur = current_of(idx);

    for (unsigned i = first; i < last; i++) {
        unsigned r = pl_gz_postals[i].place;
        if (r == cur)
            return idx;
        if (pl_gz_places[r].kind == PL_GZ_ARRONDISSEMENT && pl_gz_places[r].parent == cur)
            return r;
    }
    return NO_PLACE;
}

static int set_unknown(pl_origin *out, pl_origin_status status)
{
    out->status = status;
    out->precision = PL_ORIGIN_PRECISION_NONE;
    out->lat = out->lon = 0;
    out->name[0] = out->insee[0] = out->postal_code[0] = '\0';
    return PL_ENOTFOUND;
}

static int resolve_postal(pl_origin *out, uint32_t code)
{
    unsigned first, last;

    find_postal(code, &first, &last);
    if (first == last) {
        char dep[4];
        const pl_gz_departement *d;
        postal_departement(dep, code);
        d = find_departement(dep);
        if (!d || d->seat == NO_PLACE) {
            reason_add(out, "no commune has postal code %05u", (unsigned)code);
            return set_unknown(out, PL_ORIGIN_UNKNOWN);
        }
        reason_add(out, "no commune has postal code %05u (a CEDEX code?)", (unsigned)code);
        out->guessed = 1;
        return set_departement(out, d);
    }
    unsigned idx = pl_gz_postals[first].place;
    if (last - first > 1)
        reason_add(out, "postal code %05u covers %u communes; used %s", (unsigned)code,
                   last - first, gz_string(pl_gz_places[idx].name));
    set_place(out, idx, code);
    if (last - first > 1 && out->precision < PL_ORIGIN_PRECISION_POSTAL_CODE)
        out->precision = PL_ORIGIN_PRECISION_POSTAL_CODE;
    return PL_OK;
}

/* Lists up to three candidates as "Name (dep), …" into the reason. */
static void list_candidates(char *buf, size_t size, const unsigned *cand, unsigned n)
{
    size_t len = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < n && i < 3 && len < size; i++) {
        char dep[4];
        place_departement(dep, cand[i]);
        len += (size_t)snprintf(buf + len, size - len, "%s%s (%s)", i ? ", " : "",
                                gz_string(pl_gz_places[cand[i]].name), dep);
    }
    if (n > 3 && len < size)
        snprintf(buf + len, size - len, ", …");
}

static int resolve_name(pl_origin *out, query *q, const char *typed)
{
    char key[MAX_KEY], dep[4] = "";
    unsigned first, last, cand[MAX_CANDIDATES] = {0}, n = 0;
    uint32_t postal = 0;

    key_of_words(q, 0, q->nnames, key, sizeof key);
    find_name(key, &first, &last);
    if (first == last && q->nnames > 1 && !strcmp(q->names[q->nnames - 1], "france")) {
        q->nnames--; /* "Rennes, France", yet "Latour-de-France" */
        key_of_words(q, 0, q->nnames, key, sizeof key);
        find_name(key, &first, &last);
    }
    /* "Saint-Denis Réunion": trailing words naming a département. */
    for (size_t k = q->nnames - 1; first == last && k >= 1; k--) {
        char tail[MAX_KEY];
        const pl_gz_departement *d;
        key_of_words(q, k, q->nnames, tail, sizeof tail);
        if (!(d = find_departement_by_name(tail)))
            continue;
        key_of_words(q, 0, k, key, sizeof key);
        find_name(key, &first, &last);
        if (first < last && !q->departement[0])
            snprintf(q->departement, sizeof q->departement, "%s", d->code);
    }
    if (first == last) {
        const pl_gz_departement *d;
        key_of_words(q, 0, q->nnames, key, sizeof key);
        if (q->postal) {
            reason_add(out, "« %s » is not a known commune; used the postal code", typed);
            out->guessed = 1;
            return resolve_postal(out, q->postal);
        }
        if (!q->number[0] && (d = find_departement_by_name(key)))
            return set_departement(out, d);
        reason_add(out, "« %s » is not a French commune, postal code or département", typed);
        return set_unknown(out, PL_ORIGIN_UNKNOWN);
    }
    out->candidates = (int)(last - first);
    for (unsigned i = first; i < last && n < MAX_CANDIDATES; i++)
        cand[n++] = pl_gz_by_name[i];

    /* A bare number: the city's arrondissement, else a département. */
    int city = -1;
    for (unsigned i = 0; i < n && city < 0; i++)
        city = city_of(cand[i]);
    if (q->number[0]) {
        if (city >= 0 && !q->arrondissement && strcmp(q->number, cities[city].departement) != 0)
            q->arrondissement = (int)digits_value(q->number);
        else if (!q->departement[0])
            departement_code(q->departement, q->number);
    }
    if (q->departement[0] && !find_departement(q->departement)) {
        reason_add(out, "« %s »: %s is not a département number", typed, q->departement);
        return set_unknown(out, PL_ORIGIN_UNKNOWN);
    }
    if (q->arrondissement && city >= 0) {
        unsigned a = find_arrondissement(city, q->arrondissement);
        if (a == NO_PLACE) {
            reason_add(out, "« %s »: %s has no arrondissement %d", typed,
                       gz_string(pl_gz_places[cand[0]].name), q->arrondissement);
            return set_unknown(out, PL_ORIGIN_UNKNOWN);
        }
        cand[0] = a;
        n = 1;
    }

    if (q->postal) {
        unsigned pf, pl, kept = 0;
        find_postal(q->postal, &pf, &pl);
        if (pf < pl) {
            for (unsigned i = 0; i < n; i++) {
                unsigned m = match_postal(cand[i], pf, pl);
                if (m != NO_PLACE)
                    cand[kept++] = m;
            }
            if (kept == 0) {
                reason_add(out, "« %s »: no commune of that name has postal code %05u", typed,
                           (unsigned)q->postal);
                return set_unknown(out, PL_ORIGIN_UNKNOWN);
            }
            n = kept;
            postal = q->postal;
        } else if (!q->departement[0]) {
            postal_departement(q->departement, q->postal); /* CEDEX: keep its département */
        }
    }
    if (q->departement[0]) {
        unsigned kept = 0;
        for (unsigned i = 0; i < n; i++) {
            place_departement(dep, cand[i]);
            if (!strcmp(dep, q->departement))
                cand[kept++] = cand[i];
        }
        if (kept == 0) {
            reason_add(out, "« %s »: no commune of that name in département %s", typed,
                       q->departement);
            return set_unknown(out, PL_ORIGIN_UNKNOWN);
        }
        n = kept;
    }

    if (n > 1) {
        unsigned long long sum = 0, top = pl_gz_places[cand[0]].population;
        char list[200];
        for (unsigned i = 0; i < n; i++)
            sum += pl_gz_places[cand[i]].population;
        if (sum > 0 && top * 100 >= GUESS_SHARE_PCT * sum) {
            place_departement(dep, cand[0]);
            reason_add(out,
                       "« %s » matches %u communes; took the most populous, %s (%s); add the "
                       "postal code or département to choose another",
                       typed, n, gz_string(pl_gz_places[cand[0]].name), dep);
            out->guessed = 1;
        } else {
            list_candidates(list, sizeof list, cand, n);
            reason_add(out, "« %s » matches %u communes (%s); add the postal code or département",
                       typed, n, list);
            return set_unknown(out, PL_ORIGIN_AMBIGUOUS);
        }
    }
    set_place(out, cand[0], postal);
    return PL_OK;
}

int pl_origin_resolve(pl_origin *out, const char *text)
{
    char buf[MAX_TEXT + 1], typed[96];
    const char *s = text ? text : "", *e;
    double lat, lon;
    query q;
    int rc = PL_ENOTFOUND;

    memset(out, 0, sizeof *out);
    e = s + strlen(s);
    while (s < e && (*s == ' ' || (*s >= '\t' && *s <= '\r')))
        s++;
    while (e > s && (e[-1] == ' ' || (e[-1] >= '\t' && e[-1] <= '\r')))
        e--;
    if (s == e) {
        reason_add(out, "empty origin");
        rc = set_unknown(out, PL_ORIGIN_UNKNOWN);
        goto done;
    }
    if ((size_t)(e - s) > MAX_TEXT) {
        reason_add(out, "origin longer than %d bytes", MAX_TEXT);
        rc = set_unknown(out, PL_ORIGIN_UNKNOWN);
        goto done;
    }
    memcpy(buf, s, (size_t)(e - s));
    buf[e - s] = '\0';
    copy_utf8(typed, sizeof typed, buf, 80);
    for (char *c = typed; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7F)
            *c = ' ';

    if (parse_coordinates(buf, buf + (e - s), &lat, &lon)) {
        if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
            reason_add(out, "« %s »: latitude must be within ±90 and longitude within ±180", typed);
            rc = set_unknown(out, PL_ORIGIN_UNKNOWN);
            goto done;
        }
        out->status = PL_ORIGIN_OK;
        out->precision = PL_ORIGIN_PRECISION_COORDINATES;
        out->lat = lat;
        out->lon = lon;
        rc = PL_OK;
        goto done;
    }

    parse_query(&q, buf, buf + (e - s));
    if (q.overflow) {
        reason_add(out, "« %s » has too many words for a place", typed);
        rc = set_unknown(out, PL_ORIGIN_UNKNOWN);
    } else if (q.nnames > 0) {
        rc = resolve_name(out, &q, typed);
    } else if (q.postal) {
        rc = resolve_postal(out, q.postal);
    } else if (q.departement[0] || q.number[0]) {
        char code[4];
        const pl_gz_departement *d;
        departement_code(code, q.departement[0] ? q.departement : q.number);
        if ((d = find_departement(code)) != NULL) {
            rc = set_departement(out, d);
        } else {
            reason_add(out, "« %s » is not a postal code or département number", typed);
            rc = set_unknown(out, PL_ORIGIN_UNKNOWN);
        }
    } else {
        reason_add(out, "« %s » is not coordinates, a postal code or a commune name", typed);
        rc = set_unknown(out, PL_ORIGIN_UNKNOWN);
    }

done:
    return rc;
}

const char *pl_origin_status_name(pl_origin_status status)
{
    switch (status) {
    case PL_ORIGIN_OK:
        return "ok";
    case PL_ORIGIN_AMBIGUOUS:
        return "ambiguous";
    default:
        return "unknown";
    }
}

const char *pl_origin_precision_name(pl_origin_precision precision)
{
    switch (precision) {
    case PL_ORIGIN_PRECISION_COORDINATES:
        return "coordinates";
    case PL_ORIGIN_PRECISION_COMMUNE:
        return "commune";
    case PL_ORIGIN_PRECISION_POSTAL_CODE:
        return "postal-code";
    case PL_ORIGIN_PRECISION_NEARBY:
        return "nearby";
    case PL_ORIGIN_PRECISION_DEPARTEMENT:
        return "departement";
    case PL_ORIGIN_PRECISION_GEOCODER:
        return "geocoder";
    default:
        return "none";
    }
}
