/*
 * lang.c - the catalogue of words and the date formatter (see lang.h).
 */
#include "lang.h"

#include "event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/udatpg.h>
#include <unicode/ustring.h>

static const char *const texts[PL_T_COUNT][PL_LANG_COUNT] = {
#define PL_TEXT(id, fr, en) [PL_T_##id] = {fr, en},
#include "lang/common.def"
#include "lang/pages.def"
#include "lang/exports.def"
#include "lang/mail.def"
#include "lang/feeds.def"
#include "lang/admin.def"
#include "lang/errors.def"
#undef PL_TEXT
};

const char *pl_lang_text(pl_lang lang, pl_text_id id)
{
    if ((unsigned)id >= PL_T_COUNT || (unsigned)lang >= PL_LANG_COUNT)
        return "";
    return texts[id][lang];
}

char *pl_lang_label(char *buf, size_t size, pl_lang lang, pl_text_id label, const char *value)
{
    snprintf(buf, size, "%s%s %s", pl_lang_text(lang, label), lang == PL_LANG_FR ? " :" : ":",
             value ? value : "");
    return buf;
}

char *pl_lang_fill(char *buf, size_t size, const char *tmpl, const char *const *args, size_t nargs)
{
    size_t o = 0, next = 0;

    if (size == 0)
        return buf;
    for (const char *p = tmpl ? tmpl : ""; *p && o + 1 < size; p++) {
        size_t k = (size_t)-1;
        if (p[0] == '%' && p[1] >= '1' && p[1] <= '9')
            k = (size_t)(p[1] - '1');
        else if (p[0] == '%' && (p[1] == 's' || p[1] == 'd'))
            k = next++;
        if (k == (size_t)-1) {
            buf[o++] = *p;
            continue;
        }
        const char *v = k < nargs && args[k] ? args[k] : "";
        size_t n = strlen(v);
        if (n > size - 1 - o)
            n = size - 1 - o;
        memcpy(buf + o, v, n);
        o += n;
        p++;
    }
    buf[o] = '\0';
    return buf;
}

int pl_error_say_at(pl_error *err, int code, const char *file, int line, int column,
                    const char *path, pl_text_id id, const char *const *args, size_t nargs)
{
    const char *a[4];
    size_t n = nargs < 4 ? nargs : 4;

    if (!err)
        return code;
    for (size_t i = 0; i < n; i++)
        a[i] = args[i];
    /* args may point into err itself (an earlier message's arguments) */
    char copies[4][128];
    for (size_t i = 0; i < n; i++) {
        size_t len = a[i] ? strlen(a[i]) : 0;
        if (len >= sizeof(copies[i])) { /* cut whole characters only */
            len = sizeof(copies[i]) - 1;
            while (len > 0 && ((unsigned char)a[i][len] & 0xC0) == 0x80)
                len--;
        }
        if (len)
            memcpy(copies[i], a[i], len);
        copies[i][len] = '\0';
        a[i] = copies[i];
    }
    pl_error_set_at(err, code, file, line, column, path, "%s", "");
    pl_lang_fill(err->msg, sizeof(err->msg), pl_lang_text(PL_LANG_EN, id), a, n);
    if ((unsigned)id < PL_T_COUNT)
        err->text = (int)id + 1;
    for (size_t i = 0; i < n; i++)
        memcpy(err->args[i], copies[i], sizeof(err->args[i]));
    return code;
}

const char *pl_error_text(const pl_error *err, pl_lang lang, char *buf, size_t size)
{
    const char *a[4];

    if (size == 0)
        return buf;
    if (!err) {
        buf[0] = '\0';
        return buf;
    }
    if (err->text <= 0 || err->text > PL_T_COUNT) {
        snprintf(buf, size, "%s", err->msg);
        return buf;
    }
    for (size_t i = 0; i < 4; i++)
        a[i] = err->args[i];
    return pl_lang_fill(buf, size, pl_lang_text(lang, (pl_text_id)(err->text - 1)), a, 4);
}

const char *pl_lang_code(pl_lang lang)
{
    return lang == PL_LANG_EN ? "en" : "fr";
}

int pl_lang_parse(pl_lang *out, const char *code)
{
    if (code && strcasecmp(code, "fr") == 0)
        *out = PL_LANG_FR;
    else if (code && strcasecmp(code, "en") == 0)
        *out = PL_LANG_EN;
    else
        return PL_EINVALID;
    return 0;
}

pl_lang pl_lang_for_zone(const char *tz)
{
    static const char *const zones[] = {
        "Europe/Paris",          "America/Cayenne", "America/Guadeloupe", "America/Martinique",
        "America/Miquelon",      "Indian/Reunion",  "Indian/Mayotte",     "Pacific/Noumea",
        "Pacific/Tahiti",        "Pacific/Wallis",  "Pacific/Marquesas",  "Pacific/Gambier",
        "America/St_Barthelemy", "America/Marigot", "Indian/Kerguelen",
    };
    for (size_t i = 0; tz && i < sizeof(zones) / sizeof(zones[0]); i++)
        if (strcmp(tz, zones[i]) == 0)
            return PL_LANG_FR;
    return PL_LANG_EN;
}

pl_lang pl_event_lang(const struct pl_event *ev)
{
    pl_lang l;

    if (ev && ev->language && pl_lang_parse(&l, ev->language) == 0)
        return l;
    return pl_lang_for_zone(ev ? ev->timezone : NULL);
}

/* ---- dates ---- */

/* Skeletons (ICU picks the order and punctuation of each language); the long
 * date-time joins the long date and the time with the language's word. */
static const char *const skeletons[PL_DATE_STYLE_COUNT] = {
    [PL_DATE_LONG] = "yMMMMEEEEd",
    [PL_DATE_SHORT] = "yMMdd",
    [PL_TIME_SHORT] = "HHmm",
    [PL_DATETIME_SHORT] = "yMMddHHmm",
    [PL_DATETIME_LONG] = "yMMMMEEEEdHHmm",
};

struct pl_datefmt {
    pl_lang lang;
    UCalendar *cal;                        /* the zone's rules, for UTC instants */
    UDateFormat *fmt[PL_DATE_STYLE_COUNT]; /* wall times, written in UTC: no zone applied */
};

static const char *locale_of(pl_lang lang)
{
    return lang == PL_LANG_EN ? "en_GB" : "fr_FR";
}

void pl_datefmt_free(pl_datefmt *f)
{
    if (!f)
        return;
    for (int i = 0; i < PL_DATE_STYLE_COUNT; i++)
        if (f->fmt[i])
            udat_close(f->fmt[i]);
    if (f->cal)
        ucal_close(f->cal);
    free(f);
}

int pl_datefmt_open(pl_datefmt **out, pl_lang lang, const char *tz, pl_error *err)
{
    pl_datefmt *f = calloc(1, sizeof(*f));
    UErrorCode st = U_ZERO_ERROR;
    UChar zone[128], utc[8], skel[32], pat[128];
    UDateTimePatternGenerator *gen = NULL;
    int rc = 0;

    *out = NULL;
    if (!f)
        return pl_error_oom(err);
    f->lang = lang;
    u_uastrncpy(zone, tz ? tz : "UTC", 127);
    zone[127] = 0;
    u_uastrcpy(utc, "UTC");
    f->cal = ucal_open(zone, -1, locale_of(lang), UCAL_GREGORIAN, &st);
    if (U_SUCCESS(st)) {
        /* ICU answers an unknown zone with "Etc/Unknown" (GMT), not an error */
        UChar got[128], unknown[16];
        int32_t n = ucal_getTimeZoneID(f->cal, got, 127, &st);
        u_uastrcpy(unknown, "Etc/Unknown");
        if (U_SUCCESS(st) && n == 11 && u_strncmp(got, unknown, 11) == 0) {
            rc = pl_error_set(err, PL_EINVALID, "unknown time zone \"%s\"", tz);
            goto done;
        }
    }
    gen = U_SUCCESS(st) ? udatpg_open(locale_of(lang), &st) : NULL;
    for (int i = 0; i < PL_DATE_STYLE_COUNT && U_SUCCESS(st); i++) {
        int32_t n;
        u_uastrcpy(skel, skeletons[i]);
        n = udatpg_getBestPattern(gen, skel, -1, pat, 127, &st);
        if (U_FAILURE(st))
            break;
        pat[n] = 0;
        f->fmt[i] = udat_open(UDAT_PATTERN, UDAT_PATTERN, locale_of(lang), utc, -1, pat, n, &st);
    }
    if (U_FAILURE(st))
        rc = pl_error_set(err, PL_ERROR, "cannot format dates for %s in %s: %s", pl_lang_code(lang),
                          tz ? tz : "UTC", u_errorName(st));
done:
    if (gen)
        udatpg_close(gen);
    if (rc != 0) {
        pl_datefmt_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD[THH:MM[:SS][Z]]": the fields, and whether it is UTC. */
static int parse_when(pl_datetime *dt, int *sec, int *is_utc, const char *s)
{
    char buf[20];
    size_t n = s ? strlen(s) : 0;

    *sec = 0;
    *is_utc = n > 0 && s[n - 1] == 'Z';
    if (n == 10) {
        snprintf(buf, sizeof(buf), "%sT00:00", s);
        return pl_datetime_parse(dt, buf);
    }
    if (n < 16 || n > 20)
        return PL_EINVALID;
    snprintf(buf, sizeof(buf), "%.16s", s);
    if (pl_datetime_parse(dt, buf) != 0)
        return PL_EINVALID;
    if (n == 16)
        return 0;
    if (n == 17)
        return *is_utc ? 0 : PL_EINVALID;
    if (s[16] != ':' || s[17] < '0' || s[17] > '5' || s[18] < '0' || s[18] > '9' ||
        n != 19 + (size_t)*is_utc)
        return PL_EINVALID;
    *sec = (s[17] - '0') * 10 + (s[18] - '0');
    return 0;
}

static double wall_millis(const pl_datetime *dt, int sec)
{
    long long days = days_from_civil(dt->year, dt->month, dt->day);
    return ((double)days * 86400.0 + dt->hour * 3600.0 + dt->minute * 60.0 + sec) * 1000.0;
}

int pl_datefmt_local(pl_datefmt *f, pl_datetime *out, int *out_sec, const char *when)
{
    UErrorCode st = U_ZERO_ERROR;
    pl_datetime dt;
    int sec, is_utc;

    if (parse_when(&dt, &sec, &is_utc, when) != 0)
        return PL_EINVALID;
    if (is_utc) {
        ucal_setMillis(f->cal, wall_millis(&dt, sec), &st);
        dt.year = ucal_get(f->cal, UCAL_YEAR, &st);
        dt.month = ucal_get(f->cal, UCAL_MONTH, &st) + 1;
        dt.day = ucal_get(f->cal, UCAL_DATE, &st);
        dt.hour = ucal_get(f->cal, UCAL_HOUR_OF_DAY, &st);
        dt.minute = ucal_get(f->cal, UCAL_MINUTE, &st);
        sec = ucal_get(f->cal, UCAL_SECOND, &st);
        if (U_FAILURE(st))
            return PL_EINVALID;
    }
    *out = dt;
    if (out_sec)
        *out_sec = sec;
    return 0;
}

int pl_datefmt_format(pl_datefmt *f, char *buf, size_t size, pl_date_style style, const char *when)
{
    UErrorCode st = U_ZERO_ERROR;
    UChar u[160];
    pl_datetime dt;
    int sec, n;
    int32_t len = 0;

    if ((unsigned)style >= PL_DATE_STYLE_COUNT || pl_datefmt_local(f, &dt, &sec, when) != 0) {
        snprintf(buf, size, "%s", when ? when : "");
        return PL_EINVALID;
    }
    n = udat_format(f->fmt[style], wall_millis(&dt, sec), u, 159, NULL, &st);
    if (U_FAILURE(st) || n >= 160) {
        snprintf(buf, size, "%s", when);
        return PL_EINVALID;
    }
    u[n] = 0;
    st = U_ZERO_ERROR;
    u_strToUTF8(buf, (int32_t)size - 1, &len, u, n, &st);
    if (U_FAILURE(st) || len >= (int32_t)size) {
        snprintf(buf, size, "%s", when);
        return PL_EINVALID;
    }
    buf[len] = '\0';
    return 0;
}

int pl_date_format(char *buf, size_t size, pl_lang lang, const char *tz, pl_date_style style,
                   const char *when)
{
    pl_datefmt *f;
    int rc;

    if (pl_datefmt_open(&f, lang, tz, NULL) != 0) {
        snprintf(buf, size, "%s", when ? when : "");
        return PL_EINVALID;
    }
    rc = pl_datefmt_format(f, buf, size, style, when);
    pl_datefmt_free(f);
    return rc;
}
