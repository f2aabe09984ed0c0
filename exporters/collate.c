/*
 * collate.c - French collation keys (see collate.h).
 *
 * A key is four levels separated by 0x01, so that a shorter level sorts
 * first: primary (folded letters and digits), secondary (one accent weight
 * per primary letter), tertiary (one case weight per primary letter), and
 * the original bytes. Weights start at 0x02 and never contain 0x00 or 0x01.
 */
#include "collate.h"

#include "text.h"

#include <stdlib.h>
#include <string.h>

typedef struct fold {
    unsigned cp;
    const char *base;     /* lower-case ASCII letters */
    unsigned char accent; /* 0 none; 1 acute, 2 grave, 3 breve, 4 circumflex,
                             5 caron, 6 ring, 7 diaeresis, ... */
    unsigned char upper;
} fold;

/* Generated with Python's unicodedata (NFD base letter and first mark). */
static const fold folds[] = {
    {0x00C0, "a", 2, 1},  /* À */
    {0x00C1, "a", 1, 1},  /* Á */
    {0x00C2, "a", 4, 1},  /* Â */
    {0x00C3, "a", 9, 1},  /* Ã */
    {0x00C4, "a", 7, 1},  /* Ä */
    {0x00C5, "a", 6, 1},  /* Å */
    {0x00C6, "ae", 0, 1}, /* Æ */
    {0x00C7, "c", 11, 1}, /* Ç */
    {0x00C8, "e", 2, 1},  /* È */
    {0x00C9, "e", 1, 1},  /* É */
    {0x00CA, "e", 4, 1},  /* Ê */
    {0x00CB, "e", 7, 1},  /* Ë */
    {0x00CC, "i", 2, 1},  /* Ì */
    {0x00CD, "i", 1, 1},  /* Í */
    {0x00CE, "i", 4, 1},  /* Î */
    {0x00CF, "i", 7, 1},  /* Ï */
    {0x00D0, "d", 14, 1}, /* Ð */
    {0x00D1, "n", 9, 1},  /* Ñ */
    {0x00D2, "o", 2, 1},  /* Ò */
    {0x00D3, "o", 1, 1},  /* Ó */
    {0x00D4, "o", 4, 1},  /* Ô */
    {0x00D5, "o", 9, 1},  /* Õ */
    {0x00D6, "o", 7, 1},  /* Ö */
    {0x00D8, "o", 14, 1}, /* Ø */
    {0x00D9, "u", 2, 1},  /* Ù */
    {0x00DA, "u", 1, 1},  /* Ú */
    {0x00DB, "u", 4, 1},  /* Û */
    {0x00DC, "u", 7, 1},  /* Ü */
    {0x00DD, "y", 1, 1},  /* Ý */
    {0x00DE, "th", 0, 1}, /* Þ */
    {0x00DF, "ss", 0, 0}, /* ß */
    {0x00E0, "a", 2, 0},  /* à */
    {0x00E1, "a", 1, 0},  /* á */
    {0x00E2, "a", 4, 0},  /* â */
    {0x00E3, "a", 9, 0},  /* ã */
    {0x00E4, "a", 7, 0},  /* ä */
    {0x00E5, "a", 6, 0},  /* å */
    {0x00E6, "ae", 0, 0}, /* æ */
    {0x00E7, "c", 11, 0}, /* ç */
    {0x00E8, "e", 2, 0},  /* è */
    {0x00E9, "e", 1, 0},  /* é */
    {0x00EA, "e", 4, 0},  /* ê */
    {0x00EB, "e", 7, 0},  /* ë */
    {0x00EC, "i", 2, 0},  /* ì */
    {0x00ED, "i", 1, 0},  /* í */
    {0x00EE, "i", 4, 0},  /* î */
    {0x00EF, "i", 7, 0},  /* ï */
    {0x00F0, "d", 0, 0},  /* ð */
    {0x00F1, "n", 9, 0},  /* ñ */
    {0x00F2, "o", 2, 0},  /* ò */
    {0x00F3, "o", 1, 0},  /* ó */
    {0x00F4, "o", 4, 0},  /* ô */
    {0x00F5, "o", 9, 0},  /* õ */
    {0x00F6, "o", 7, 0},  /* ö */
    {0x00F8, "o", 14, 0}, /* ø */
    {0x00F9, "u", 2, 0},  /* ù */
    {0x00FA, "u", 1, 0},  /* ú */
    {0x00FB, "u", 4, 0},  /* û */
    {0x00FC, "u", 7, 0},  /* ü */
    {0x00FD, "y", 1, 0},  /* ý */
    {0x00FE, "th", 0, 0}, /* þ */
    {0x00FF, "y", 7, 0},  /* ÿ */
    {0x0100, "a", 13, 1}, /* Ā */
    {0x0101, "a", 13, 0}, /* ā */
    {0x0102, "a", 3, 1},  /* Ă */
    {0x0103, "a", 3, 0},  /* ă */
    {0x0104, "a", 12, 1}, /* Ą */
    {0x0105, "a", 12, 0}, /* ą */
    {0x0106, "c", 1, 1},  /* Ć */
    {0x0107, "c", 1, 0},  /* ć */
    {0x0108, "c", 4, 1},  /* Ĉ */
    {0x0109, "c", 4, 0},  /* ĉ */
    {0x010A, "c", 10, 1}, /* Ċ */
    {0x010B, "c", 10, 0}, /* ċ */
    {0x010C, "c", 5, 1},  /* Č */
    {0x010D, "c", 5, 0},  /* č */
    {0x010E, "d", 5, 1},  /* Ď */
    {0x010F, "d", 5, 0},  /* ď */
    {0x0110, "d", 14, 1}, /* Đ */
    {0x0111, "d", 14, 0}, /* đ */
    {0x0112, "e", 13, 1}, /* Ē */
    {0x0113, "e", 13, 0}, /* ē */
    {0x0114, "e", 3, 1},  /* Ĕ */
    {0x0115, "e", 3, 0},  /* ĕ */
    {0x0116, "e", 10, 1}, /* Ė */
    {0x0117, "e", 10, 0}, /* ė */
    {0x0118, "e", 12, 1}, /* Ę */
    {0x0119, "e", 12, 0}, /* ę */
    {0x011A, "e", 5, 1},  /* Ě */
    {0x011B, "e", 5, 0},  /* ě */
    {0x011C, "g", 4, 1},  /* Ĝ */
    {0x011D, "g", 4, 0},  /* ĝ */
    {0x011E, "g", 3, 1},  /* Ğ */
    {0x011F, "g", 3, 0},  /* ğ */
    {0x0120, "g", 10, 1}, /* Ġ */
    {0x0121, "g", 10, 0}, /* ġ */
    {0x0122, "g", 11, 1}, /* Ģ */
    {0x0123, "g", 11, 0}, /* ģ */
    {0x0124, "h", 4, 1},  /* Ĥ */
    {0x0125, "h", 4, 0},  /* ĥ */
    {0x0126, "h", 14, 1}, /* Ħ */
    {0x0127, "h", 14, 0}, /* ħ */
    {0x0128, "i", 9, 1},  /* Ĩ */
    {0x0129, "i", 9, 0},  /* ĩ */
    {0x012A, "i", 13, 1}, /* Ī */
    {0x012B, "i", 13, 0}, /* ī */
    {0x012C, "i", 3, 1},  /* Ĭ */
    {0x012D, "i", 3, 0},  /* ĭ */
    {0x012E, "i", 12, 1}, /* Į */
    {0x012F, "i", 12, 0}, /* į */
    {0x0130, "i", 10, 1}, /* İ */
    {0x0131, "i", 14, 0}, /* ı */
    {0x0134, "j", 4, 1},  /* Ĵ */
    {0x0135, "j", 4, 0},  /* ĵ */
    {0x0136, "k", 11, 1}, /* Ķ */
    {0x0137, "k", 11, 0}, /* ķ */
    {0x0139, "l", 1, 1},  /* Ĺ */
    {0x013A, "l", 1, 0},  /* ĺ */
    {0x013B, "l", 11, 1}, /* Ļ */
    {0x013C, "l", 11, 0}, /* ļ */
    {0x013D, "l", 5, 1},  /* Ľ */
    {0x013E, "l", 5, 0},  /* ľ */
    {0x0141, "l", 14, 1}, /* Ł */
    {0x0142, "l", 14, 0}, /* ł */
    {0x0143, "n", 1, 1},  /* Ń */
    {0x0144, "n", 1, 0},  /* ń */
    {0x0145, "n", 11, 1}, /* Ņ */
    {0x0146, "n", 11, 0}, /* ņ */
    {0x0147, "n", 5, 1},  /* Ň */
    {0x0148, "n", 5, 0},  /* ň */
    {0x014C, "o", 13, 1}, /* Ō */
    {0x014D, "o", 13, 0}, /* ō */
    {0x014E, "o", 3, 1},  /* Ŏ */
    {0x014F, "o", 3, 0},  /* ŏ */
    {0x0150, "o", 8, 1},  /* Ő */
    {0x0151, "o", 8, 0},  /* ő */
    {0x0152, "oe", 0, 1}, /* Œ */
    {0x0153, "oe", 0, 0}, /* œ */
    {0x0154, "r", 1, 1},  /* Ŕ */
    {0x0155, "r", 1, 0},  /* ŕ */
    {0x0156, "r", 11, 1}, /* Ŗ */
    {0x0157, "r", 11, 0}, /* ŗ */
    {0x0158, "r", 5, 1},  /* Ř */
    {0x0159, "r", 5, 0},  /* ř */
    {0x015A, "s", 1, 1},  /* Ś */
    {0x015B, "s", 1, 0},  /* ś */
    {0x015C, "s", 4, 1},  /* Ŝ */
    {0x015D, "s", 4, 0},  /* ŝ */
    {0x015E, "s", 11, 1}, /* Ş */
    {0x015F, "s", 11, 0}, /* ş */
    {0x0160, "s", 5, 1},  /* Š */
    {0x0161, "s", 5, 0},  /* š */
    {0x0162, "t", 11, 1}, /* Ţ */
    {0x0163, "t", 11, 0}, /* ţ */
    {0x0164, "t", 5, 1},  /* Ť */
    {0x0165, "t", 5, 0},  /* ť */
    {0x0166, "t", 14, 1}, /* Ŧ */
    {0x0167, "t", 14, 0}, /* ŧ */
    {0x0168, "u", 9, 1},  /* Ũ */
    {0x0169, "u", 9, 0},  /* ũ */
    {0x016A, "u", 13, 1}, /* Ū */
    {0x016B, "u", 13, 0}, /* ū */
    {0x016C, "u", 3, 1},  /* Ŭ */
    {0x016D, "u", 3, 0},  /* ŭ */
    {0x016E, "u", 6, 1},  /* Ů */
    {0x016F, "u", 6, 0},  /* ů */
    {0x0170, "u", 8, 1},  /* Ű */
    {0x0171, "u", 8, 0},  /* ű */
    {0x0172, "u", 12, 1}, /* Ų */
    {0x0173, "u", 12, 0}, /* ų */
    {0x0174, "w", 4, 1},  /* Ŵ */
    {0x0175, "w", 4, 0},  /* ŵ */
    {0x0176, "y", 4, 1},  /* Ŷ */
    {0x0177, "y", 4, 0},  /* ŷ */
    {0x0178, "y", 7, 1},  /* Ÿ */
    {0x0179, "z", 1, 1},  /* Ź */
    {0x017A, "z", 1, 0},  /* ź */
    {0x017B, "z", 10, 1}, /* Ż */
    {0x017C, "z", 10, 0}, /* ż */
    {0x017D, "z", 5, 1},  /* Ž */
    {0x017E, "z", 5, 0},  /* ž */
    {0x01A0, "o", 15, 1}, /* Ơ */
    {0x01A1, "o", 15, 0}, /* ơ */
    {0x01AF, "u", 15, 1}, /* Ư */
    {0x01B0, "u", 15, 0}, /* ư */
    {0x01CD, "a", 5, 1},  /* Ǎ */
    {0x01CE, "a", 5, 0},  /* ǎ */
    {0x01CF, "i", 5, 1},  /* Ǐ */
    {0x01D0, "i", 5, 0},  /* ǐ */
    {0x01D1, "o", 5, 1},  /* Ǒ */
    {0x01D2, "o", 5, 0},  /* ǒ */
    {0x01D3, "u", 5, 1},  /* Ǔ */
    {0x01D4, "u", 5, 0},  /* ǔ */
    {0x01D5, "u", 7, 1},  /* Ǖ */
    {0x01D6, "u", 7, 0},  /* ǖ */
    {0x01D7, "u", 7, 1},  /* Ǘ */
    {0x01D8, "u", 7, 0},  /* ǘ */
    {0x01D9, "u", 7, 1},  /* Ǚ */
    {0x01DA, "u", 7, 0},  /* ǚ */
    {0x01DB, "u", 7, 1},  /* Ǜ */
    {0x01DC, "u", 7, 0},  /* ǜ */
    {0x01DE, "a", 7, 1},  /* Ǟ */
    {0x01DF, "a", 7, 0},  /* ǟ */
    {0x01E0, "a", 10, 1}, /* Ǡ */
    {0x01E1, "a", 10, 0}, /* ǡ */
    {0x01E6, "g", 5, 1},  /* Ǧ */
    {0x01E7, "g", 5, 0},  /* ǧ */
    {0x01E8, "k", 5, 1},  /* Ǩ */
    {0x01E9, "k", 5, 0},  /* ǩ */
    {0x01EA, "o", 12, 1}, /* Ǫ */
    {0x01EB, "o", 12, 0}, /* ǫ */
    {0x01EC, "o", 12, 1}, /* Ǭ */
    {0x01ED, "o", 12, 0}, /* ǭ */
    {0x01F0, "j", 5, 0},  /* ǰ */
    {0x01F4, "g", 1, 1},  /* Ǵ */
    {0x01F5, "g", 1, 0},  /* ǵ */
    {0x01F8, "n", 2, 1},  /* Ǹ */
    {0x01F9, "n", 2, 0},  /* ǹ */
    {0x01FA, "a", 6, 1},  /* Ǻ */
    {0x01FB, "a", 6, 0},  /* ǻ */
    {0x0200, "a", 16, 1}, /* Ȁ */
    {0x0201, "a", 16, 0}, /* ȁ */
    {0x0202, "a", 17, 1}, /* Ȃ */
    {0x0203, "a", 17, 0}, /* ȃ */
    {0x0204, "e", 16, 1}, /* Ȅ */
    {0x0205, "e", 16, 0}, /* ȅ */
    {0x0206, "e", 17, 1}, /* Ȇ */
    {0x0207, "e", 17, 0}, /* ȇ */
    {0x0208, "i", 16, 1}, /* Ȉ */
    {0x0209, "i", 16, 0}, /* ȉ */
    {0x020A, "i", 17, 1}, /* Ȋ */
    {0x020B, "i", 17, 0}, /* ȋ */
    {0x020C, "o", 16, 1}, /* Ȍ */
    {0x020D, "o", 16, 0}, /* ȍ */
    {0x020E, "o", 17, 1}, /* Ȏ */
    {0x020F, "o", 17, 0}, /* ȏ */
    {0x0210, "r", 16, 1}, /* Ȑ */
    {0x0211, "r", 16, 0}, /* ȑ */
    {0x0212, "r", 17, 1}, /* Ȓ */
    {0x0213, "r", 17, 0}, /* ȓ */
    {0x0214, "u", 16, 1}, /* Ȕ */
    {0x0215, "u", 16, 0}, /* ȕ */
    {0x0216, "u", 17, 1}, /* Ȗ */
    {0x0217, "u", 17, 0}, /* ȗ */
    {0x0218, "s", 18, 1}, /* Ș */
    {0x0219, "s", 18, 0}, /* ș */
    {0x021A, "t", 18, 1}, /* Ț */
    {0x021B, "t", 18, 0}, /* ț */
    {0x021E, "h", 5, 1},  /* Ȟ */
    {0x021F, "h", 5, 0},  /* ȟ */
    {0x0226, "a", 10, 1}, /* Ȧ */
    {0x0227, "a", 10, 0}, /* ȧ */
    {0x0228, "e", 11, 1}, /* Ȩ */
    {0x0229, "e", 11, 0}, /* ȩ */
    {0x022A, "o", 7, 1},  /* Ȫ */
    {0x022B, "o", 7, 0},  /* ȫ */
    {0x022C, "o", 9, 1},  /* Ȭ */
    {0x022D, "o", 9, 0},  /* ȭ */
    {0x022E, "o", 10, 1}, /* Ȯ */
    {0x022F, "o", 10, 0}, /* ȯ */
    {0x0230, "o", 10, 1}, /* Ȱ */
    {0x0231, "o", 10, 0}, /* ȱ */
    {0x0232, "y", 13, 1}, /* Ȳ */
    {0x0233, "y", 13, 0}, /* ȳ */
    {0x1E9E, "ss", 0, 1}, /* ẞ */
};

#define NFOLDS (sizeof(folds) / sizeof(folds[0]))

static const fold *find_fold(unsigned cp)
{
    size_t lo = 0, hi = NFOLDS;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (folds[mid].cp == cp)
            return &folds[mid];
        if (folds[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Decode one UTF-8 sequence at s; *len gets its length (>= 1). A malformed
 * byte decodes as itself, so that every input has a key. */
static unsigned decode(const unsigned char *s, size_t *len)
{
    unsigned c = s[0];
    size_t n = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;

    if (n == 0) {
        *len = 1;
        return c;
    }
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) {
            *len = 1;
            return c;
        }
    *len = n;
    if (n == 1)
        return c;
    c &= 0x7Fu >> n;
    for (size_t i = 1; i < n; i++)
        c = (c << 6) | (s[i] & 0x3Fu);
    return c;
}

/* Append one primary unit and its secondary and tertiary weights. */
static int unit(pl_buf *p, pl_buf *sec, pl_buf *ter, const char *bytes, size_t n, unsigned accent,
                int upper)
{
    char w2 = (char)(0x02 + accent), w3 = (char)(upper ? 0x03 : 0x02);

    if (pl_buf_append(p, bytes, n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (pl_buf_append(sec, &w2, 1) != 0 || pl_buf_append(ter, &w3, 1) != 0)
            return -1;
    return 0;
}

char *pl_collate_key(const char *s)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    pl_buf p = PL_BUF_INIT, sec = PL_BUF_INIT, ter = PL_BUF_INIT;
    char *key = NULL;
    int rc = 0;

    for (size_t i = 0, len; u[i] && rc == 0; i += len) {
        unsigned cp = decode(u + i, &len);
        const fold *f;

        if (cp < 0x80) {
            char c = (char)cp;
            if (c >= 'A' && c <= 'Z') {
                c = (char)(c - 'A' + 'a');
                rc = unit(&p, &sec, &ter, &c, 1, 0, 1);
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                rc = unit(&p, &sec, &ter, &c, 1, 0, 0);
            }
            /* spaces and punctuation: ignored at every level but the last */
        } else if ((f = find_fold(cp)) != NULL) {
            rc = unit(&p, &sec, &ter, f->base, strlen(f->base), f->accent, f->upper);
        } else if (cp == 0x2019 || cp == 0x2010 || cp == 0x2011 || cp == 0x00A0 || cp == 0x202F) {
            /* typographic apostrophe, hyphens, no-break spaces: ignored */
        } else {
            rc = unit(&p, &sec, &ter, (const char *)u + i, len, 0, 0);
        }
    }
    if (rc == 0 && pl_buf_append(&p, "\x01", 1) == 0 &&
        pl_buf_append(&p, sec.data ? sec.data : "", sec.len) == 0 &&
        pl_buf_append(&p, "\x01", 1) == 0 &&
        pl_buf_append(&p, ter.data ? ter.data : "", ter.len) == 0 &&
        pl_buf_append(&p, "\x01", 1) == 0 && pl_buf_puts(&p, (const char *)u) == 0)
        key = pl_buf_detach(&p);
    pl_buf_free(&p);
    pl_buf_free(&sec);
    pl_buf_free(&ter);
    return key;
}

int pl_collate_compare(const char *a, const char *b)
{
    char *ka = pl_collate_key(a), *kb = pl_collate_key(b);
    int c = ka && kb ? strcmp(ka, kb) : strcmp(a ? a : "", b ? b : "");

    free(ka);
    free(kb);
    return c;
}
