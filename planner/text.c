#include "text.h"
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <time.h>

static int grow(pl_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    size_t cap = b->cap ? b->cap : 64;
    char *p;

    if (b->failed)
        return PL_ENOMEM;
    if (need <= b->cap)
        return 0;
    while (cap < need)
        cap *= 2;
    p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return PL_ENOMEM;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int pl_buf_append(pl_buf *b, const char *s, size_t n)
{
    if (grow(b, n) < 0)
        return PL_ENOMEM;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int pl_buf_puts(pl_buf *b, const char *s)
{
    return pl_buf_append(b, s, strlen(s));
}

int pl_buf_printf(pl_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        b->failed = 1;
    if (n < 0 || grow(b, (size_t)n) < 0)
        return PL_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *pl_buf_detach(pl_buf *b)
{
    char *s = b->data;

    if (b->failed) {
        pl_buf_free(b);
        return NULL;
    }
    if (!s)
        s = pl_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void pl_buf_free(pl_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void pl_hex_encode(char *out, const void *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = in;

    for (size_t i = 0; i < n; i++) {
        *out++ = digits[p[i] >> 4];
        *out++ = digits[p[i] & 15];
    }
    *out = '\0';
}

char *pl_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int pl_time_parse(int *out_hour, int *out_minute, const char *s)
{
    int h, m;

    if (!s || strlen(s) != 5 || s[2] != ':' || digits(s, 2, &h) || digits(s + 3, 2, &m))
        return PL_EINVALID;
    if (h > 23 || m > 59)
        return PL_EINVALID;
    *out_hour = h;
    *out_minute = m;
    return 0;
}

int pl_datetime_parse(pl_datetime *out, const char *s)
{
    pl_datetime dt;

    if (!s || strlen(s) != 16 || s[4] != '-' || s[7] != '-' || s[10] != 'T')
        return PL_EINVALID;
    if (digits(s, 4, &dt.year) || digits(s + 5, 2, &dt.month) || digits(s + 8, 2, &dt.day))
        return PL_EINVALID;
    if (dt.year < 1900 || dt.month < 1 || dt.month > 12 || dt.day < 1 ||
        dt.day > days_in_month(dt.year, dt.month))
        return PL_EINVALID;
    if (pl_time_parse(&dt.hour, &dt.minute, s + 11))
        return PL_EINVALID;
    *out = dt;
    return 0;
}

void pl_datetime_format(const pl_datetime *dt, char *buf, size_t size)
{
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d", dt->year, dt->month, dt->day, dt->hour,
             dt->minute);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

long long pl_datetime_minutes(const pl_datetime *dt)
{
    return days_from_civil(dt->year, dt->month, dt->day) * 1440 + dt->hour * 60 + dt->minute;
}

int pl_datetime_weekday(const pl_datetime *dt)
{
    long long days = days_from_civil(dt->year, dt->month, dt->day);
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    return (int)(((days % 7) + 7 + 3) % 7);
}

void pl_now_utc(char out[32])
{
    const char *fixed = getenv("PLANNER_NOW");
    time_t t;
    struct tm tm;

    if (fixed && strlen(fixed) == 20 && fixed[19] == 'Z') {
        snprintf(out, 32, "%s", fixed);
        return;
    }
    t = time(NULL);
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
size_t pl_utf8_seq(const unsigned char *s, size_t n)
{
    size_t len;
    unsigned cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2, cp = s[0] & 0x1F;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, cp = s[0] & 0x0F;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

const char *pl_text_problem(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t left = s ? strlen(s) : 0, n;

    while (left > 0) {
        if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
            return "contains a control character";
        if (*p == 0x7f)
            return "contains a control character";
        if ((n = pl_utf8_seq(p, left)) == 0)
            return "is not valid UTF-8";
        p += n;
        left -= n;
    }
    return NULL;
}

/* ---- folding (ICU) ---- */

#define FOLD_MAX 1024 /* UTF-16 units folded; longer text is cut */

char *pl_text_fold(char *out, size_t size, const char *s)
{
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&st), *nfc = unorm2_getNFCInstance(&st);
    UChar in[FOLD_MAX], mid[FOLD_MAX * 3], folded[FOLD_MAX * 3];
    char utf8[FOLD_MAX * 9 + 1];
    int32_t n = 0, m, k = 0, len = 0;

    if (size == 0)
        return NULL;
    out[0] = '\0';
    /* ASCII text: ICU's folding is lowercase A-Z and nothing else; done here
     * it costs 1/100th of the ICU round trip (about 2,000 instructions a
     * call: 8 % of a registrations import, whose yes/no and travel values
     * are folded; docs/BENCHMARKS.md) */
    if (s) {
        size_t i = 0;
        while (s[i] && !((unsigned char)s[i] & 0x80))
            i++;
        if (!s[i]) {
            for (i = 0; s[i] && i + 1 < size; i++)
                out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
            out[i] = '\0';
            return out;
        }
    }
    u_strFromUTF8WithSub(in, FOLD_MAX, &n, s ? s : "", -1, 0xFFFD, NULL, &st);
    if (st == U_BUFFER_OVERFLOW_ERROR || st == U_STRING_NOT_TERMINATED_WARNING) {
        st = U_ZERO_ERROR;
        n = FOLD_MAX;
    }
    m = U_SUCCESS(st) ? unorm2_normalize(nfd, in, n, mid, FOLD_MAX * 3, &st) : 0;
    /* drop the combining marks: the accents */
    for (int32_t i = 0; U_SUCCESS(st) && i < m; i++)
        if (u_charType(mid[i]) != U_NON_SPACING_MARK)
            mid[k++] = mid[i];
    m = U_SUCCESS(st) ? u_strFoldCase(folded, FOLD_MAX * 3, mid, k, U_FOLD_CASE_DEFAULT, &st) : 0;
    k = U_SUCCESS(st) ? unorm2_normalize(nfc, folded, m, mid, FOLD_MAX * 3, &st) : 0;
    if (U_SUCCESS(st))
        u_strToUTF8WithSub(utf8, (int32_t)sizeof(utf8), &len, mid, k, 0xFFFD, NULL, &st);
    if (U_FAILURE(st) || len >= (int32_t)sizeof(utf8))
        return NULL;
    /* what fits, cut on a character boundary */
    if ((size_t)len >= size) {
        len = (int32_t)size - 1;
        while (len > 0 && ((unsigned char)utf8[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out, utf8, (size_t)len);
    out[len] = '\0';
    return out;
}
