#include "csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <sys/stat.h>

#define BLOCK (64 * 1024)

struct pl_csv {
    FILE *f; /* NULL when reading memory */
    char *name;
    unsigned char *buf; /* the file's bytes in [pos, end); or the caller's memory */
    size_t cap, pos, end;
    long long consumed; /* bytes dropped from the front of buf */
    long long size;
    int eof, ioerr, done, started;
    char sep;
    int line; /* line of the byte at pos */
    int rec_line;
    char *rec; /* the current record's fields, each NUL-terminated */
    size_t rec_len, rec_cap;
    size_t *offs, *lens;
    size_t nfields, fields_cap;
    /* Bytes that end a run of plain field bytes: outside quotes (the
     * separator, quote, line ends, NUL) and inside them. */
    unsigned char stop[256], stop_quoted[256];
};

static pl_csv *csv_new(const char *name, char separator)
{
    pl_csv *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->name = pl_strdup(name ? name : "<input>");
    c->sep = separator;
    c->line = 1;
    if (!c->name) {
        free(c);
        return NULL;
    }
    return c;
}

int pl_csv_open(pl_csv **out, const char *path, char separator, pl_error *err)
{
    struct stat st;
    pl_csv *c;

    *out = NULL;
    if (!(c = csv_new(path, separator)))
        return pl_error_oom(err);
    if (!(c->f = fopen(path, "rb"))) {
        int e = errno;
        pl_csv_free(c);
        return pl_error_set_at(err, PL_EIO, path, 0, 0, NULL, "cannot open: %s", strerror(e));
    }
    if (fstat(fileno(c->f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            pl_csv_free(c);
            return pl_error_set_at(err, PL_EIO, path, 0, 0, NULL, "is a folder, not a file");
        }
        c->size = S_ISREG(st.st_mode) ? (long long)st.st_size : 0;
    }
    c->cap = BLOCK;
    if (!(c->buf = malloc(c->cap))) {
        pl_csv_free(c);
        return pl_error_oom(err);
    }
    *out = c;
    return 0;
}

int pl_csv_open_mem(pl_csv **out, const char *data, size_t len, const char *name, char separator,
                    pl_error *err)
{
    pl_csv *c;

    *out = NULL;
    if (!(c = csv_new(name, separator)))
        return pl_error_oom(err);
    c->buf = (unsigned char *)data;
    c->cap = c->end = len;
    c->size = (long long)len;
    c->eof = 1;
    *out = c;
    return 0;
}

void pl_csv_free(pl_csv *c)
{
    if (!c)
        return;
    if (c->f) {
        fclose(c->f);
        free(c->buf);
    }
    free(c->name);
    free(c->rec);
    free(c->offs);
    free(c->lens);
    free(c);
}

/* Read more bytes after end, growing buf when it is full (used only while
 * the first record is looked at). Returns the number of bytes added. */
static size_t more(pl_csv *c)
{
    size_t n;

    if (!c->f || c->eof)
        return 0;
    if (c->end == c->cap) {
        unsigned char *p;
        if (c->cap >= PL_CSV_MAX_RECORD + BLOCK)
            return 0;
        if (!(p = realloc(c->buf, c->cap * 2)))
            return 0;
        c->buf = p;
        c->cap *= 2;
    }
    n = fread(c->buf + c->end, 1, c->cap - c->end, c->f);
    if (n == 0) {
        c->eof = 1;
        c->ioerr = ferror(c->f);
    }
    c->end += n;
    return n;
}

/* Make bytes available at pos, dropping what was consumed. 0 at the end. */
static size_t fill(pl_csv *c)
{
    if (c->pos < c->end)
        return c->end - c->pos;
    if (!c->f || c->eof)
        return 0;
    c->consumed += (long long)c->pos;
    c->pos = c->end = 0;
    return more(c);
}

static inline int getb(pl_csv *c)
{
    if (c->pos == c->end && fill(c) == 0)
        return -1;
    return c->buf[c->pos++];
}

static inline int peekb(pl_csv *c)
{
    if (c->pos == c->end && fill(c) == 0)
        return -1;
    return c->buf[c->pos];
}

/* Skip a byte-order mark and pick the separator from the first record. */
static void start(pl_csv *c)
{
    size_t i, semi = 0, comma = 0;
    int quoted = 0;

    c->started = 1;
    while (c->end - c->pos < 3 && more(c) > 0)
        ;
    if (c->end - c->pos >= 3 && memcmp(c->buf + c->pos, "\xEF\xBB\xBF", 3) == 0)
        c->pos += 3;
    if (c->sep)
        return;
    for (i = c->pos;; i++) {
        if (i == c->end && more(c) == 0)
            break;
        if (i - c->pos > PL_CSV_MAX_RECORD)
            break;
        if (c->buf[i] == '"')
            quoted = !quoted;
        else if (quoted)
            continue;
        else if (c->buf[i] == ';')
            semi++;
        else if (c->buf[i] == ',')
            comma++;
        else if ((c->buf[i] == '\n' || c->buf[i] == '\r') && semi + comma > 0)
            break;
    }
    c->sep = semi > comma ? ';' : ',';
}

static void set_stops(pl_csv *c)
{
    static const unsigned char always[] = {'\0', '\n', '\r', '"'};

    for (size_t i = 0; i < sizeof(always); i++)
        c->stop[always[i]] = c->stop_quoted[always[i]] = 1;
    c->stop[(unsigned char)c->sep] = 1;
}

static int put(pl_csv *c, int ch)
{
    if (c->rec_len + 1 >= c->rec_cap) {
        size_t cap = c->rec_cap ? c->rec_cap * 2 : 256;
        char *p = realloc(c->rec, cap);
        if (!p)
            return PL_ERROR;
        c->rec = p;
        c->rec_cap = cap;
    }
    c->rec[c->rec_len++] = (char)ch;
    return 0;
}

/*
 * Copy the run of plain bytes at pos (up to a byte in stop, or the end of
 * what is read) into the record in one go: most of a file is such runs.
 * Returns the number of bytes copied, or PL_ERROR when out of memory. Sets
 * *blank to 0 when the run holds anything but spaces and tabs.
 */
static long copy_run(pl_csv *c, const unsigned char *stop, int *blank)
{
    const unsigned char *p = c->buf + c->pos, *e = c->buf + c->end, *q = p;
    size_t n;

    while (q < e && !stop[*q])
        q++;
    n = (size_t)(q - p);
    if (n == 0)
        return 0;
    if (c->rec_len + n + 1 >= c->rec_cap) {
        size_t cap = c->rec_cap ? c->rec_cap : 256;
        char *r;
        while (c->rec_len + n + 1 >= cap)
            cap *= 2;
        if (!(r = realloc(c->rec, cap)))
            return PL_ERROR;
        c->rec = r;
        c->rec_cap = cap;
    }
    memcpy(c->rec + c->rec_len, p, n);
    c->rec_len += n;
    c->pos += n;
    for (; *blank && p < q; p++)
        if (*p != ' ' && *p != '\t')
            *blank = 0;
    return (long)n;
}

static int end_field(pl_csv *c, size_t start_at)
{
    if (c->nfields == c->fields_cap) {
        size_t cap = c->fields_cap ? c->fields_cap * 2 : 16;
        size_t *o = realloc(c->offs, cap * sizeof(*o));
        if (!o)
            return PL_ERROR;
        c->offs = o;
        size_t *l = realloc(c->lens, cap * sizeof(*l));
        if (!l)
            return PL_ERROR;
        c->lens = l;
        c->fields_cap = cap;
    }
    c->offs[c->nfields] = start_at;
    c->lens[c->nfields] = c->rec_len - start_at;
    c->nfields++;
    return put(c, '\0');
}

/* The record's line of the first invalid byte, or 0 when all is UTF-8. */
static int check_utf8(const pl_csv *c)
{
    const unsigned char *s = (const unsigned char *)c->rec;
    int line = c->rec_line;

    for (size_t i = 0; i < c->rec_len;) {
        size_t n;
        if (s[i] < 0x80) {
            line += s[i] == '\n';
            i++;
            continue;
        }
        n = pl_utf8_seq(s + i, c->rec_len - i);
        if (n == 0)
            return line;
        if (s[i] == '\n')
            line++;
        i += n;
    }
    return 0;
}

static int fail(pl_csv *c, pl_error *err, int code, int line, const char *msg)
{
    c->done = 1;
    return pl_error_set_at(err, code, c->name, line, 0, NULL, "%s", msg);
}

int pl_csv_next(pl_csv *c, pl_error *err)
{
    enum { UNQUOTED, QUOTED, AFTER_QUOTE } st = UNQUOTED;
    size_t field = 0;
    int blank = 1, quote_line = 0, ch, bad;

    if (c->done)
        return 0;
    if (!c->started) {
        start(c);
        set_stops(c);
    }
    /* Blank lines between records are skipped. */
    for (;;) {
        ch = peekb(c);
        if (ch < 0) {
            c->done = 1;
            if (c->ioerr)
                return fail(c, err, PL_EIO, 0, "read error");
            return 0;
        }
        if (ch != '\n' && ch != '\r')
            break;
        c->pos++;
        if (ch == '\r' && peekb(c) == '\n')
            c->pos++;
        c->line++;
    }
    c->rec_line = c->line;
    c->rec_len = c->nfields = 0;
    for (;;) {
        if (st != AFTER_QUOTE && c->rec_len <= PL_CSV_MAX_RECORD) {
            int ignored = 0;
            long n = copy_run(c, st == QUOTED ? c->stop_quoted : c->stop,
                              st == QUOTED ? &ignored : &blank);
            if (n < 0)
                goto oom;
            if (n > 0)
                continue;
        }
        ch = getb(c);
        if (ch == 0)
            return fail(c, err, PL_EINVALID, c->line, "NUL byte: this is not a text (CSV) file");
        if (c->rec_len > PL_CSV_MAX_RECORD)
            return fail(c, err, PL_EINVALID, c->rec_line,
                        "record longer than 1 MiB (an unterminated quote?)");
        if (st == QUOTED) {
            if (ch < 0) {
                char msg[96];
                snprintf(msg, sizeof(msg), "quote opened on line %d is never closed", quote_line);
                return fail(c, err, c->ioerr ? PL_EIO : PL_EINVALID, c->rec_line, msg);
            }
            if (ch == '"') {
                if (peekb(c) == '"') {
                    c->pos++;
                    if (put(c, '"') < 0)
                        goto oom;
                } else {
                    st = AFTER_QUOTE;
                }
                continue;
            }
            if (ch == '\r') {
                if (peekb(c) == '\n')
                    c->pos++;
                ch = '\n';
            }
            if (ch == '\n')
                c->line++;
            if (put(c, ch) < 0)
                goto oom;
            continue;
        }
        /* UNQUOTED or AFTER_QUOTE */
        if (ch < 0 || ch == '\n' || ch == '\r') {
            if (ch == '\r' && peekb(c) == '\n')
                c->pos++;
            if (ch >= 0)
                c->line++;
            if (end_field(c, field) < 0)
                goto oom;
            break;
        }
        if (ch == c->sep) {
            if (end_field(c, field) < 0)
                goto oom;
            field = c->rec_len;
            st = UNQUOTED;
            blank = 1;
            continue;
        }
        if (st == UNQUOTED && ch == '"' && blank) {
            /* A quote opening the field, perhaps after spaces. */
            c->rec_len = field;
            st = QUOTED;
            quote_line = c->line;
            continue;
        }
        if (st == AFTER_QUOTE && (ch == ' ' || ch == '\t'))
            continue;
        if (ch != ' ' && ch != '\t')
            blank = 0;
        st = UNQUOTED;
        if (put(c, ch) < 0)
            goto oom;
    }
    if (c->ioerr)
        return fail(c, err, PL_EIO, 0, "read error");
    if ((bad = check_utf8(c)) != 0)
        return fail(c, err, PL_EINVALID, bad,
                    "not UTF-8 text (a binary file, or another encoding: save "
                    "a spreadsheet as \"CSV UTF-8\")");
    return 1;
oom:
    c->done = 1;
    return pl_error_oom(err);
}

size_t pl_csv_count(const pl_csv *c)
{
    return c->nfields;
}

const char *pl_csv_field(const pl_csv *c, size_t i)
{
    return i < c->nfields ? c->rec + c->offs[i] : NULL;
}

size_t pl_csv_field_len(const pl_csv *c, size_t i)
{
    return i < c->nfields ? c->lens[i] : 0;
}

int pl_csv_line(const pl_csv *c)
{
    return c->rec_line;
}

char pl_csv_separator(const pl_csv *c)
{
    return c->sep;
}

const char *pl_csv_name(const pl_csv *c)
{
    return c->name;
}

long long pl_csv_offset(const pl_csv *c)
{
    return c->consumed + (long long)c->pos;
}

long long pl_csv_size(const pl_csv *c)
{
    return c->size;
}

int pl_csv_is_formula(const char *s)
{
    return s && (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r');
}

int pl_csv_write_field(pl_buf *out, const char *s, char separator, unsigned flags)
{
    size_t n;
    int neutralise;

    if (!s || !*s)
        return 0;
    n = strlen(s);
    neutralise = (flags & PL_CSV_NEUTRALISE) && pl_csv_is_formula(s);
    if (!neutralise && s[0] != ' ' && s[n - 1] != ' ' && !strchr(s, separator) &&
        !strpbrk(s, "\"\r\n"))
        return pl_buf_append(out, s, n);
    if (pl_buf_append(out, neutralise ? "\"'" : "\"", neutralise ? 2 : 1) < 0)
        return PL_ERROR;
    /* up to and including each quote, then the quote doubled */
    for (const char *p = s, *q; *p; p = q + 1) {
        if (!(q = strchr(p, '"')))
            return pl_buf_append(out, p, strlen(p)) < 0 ? PL_ERROR : pl_buf_append(out, "\"", 1);
        if (pl_buf_append(out, p, (size_t)(q - p) + 1) < 0 || pl_buf_append(out, "\"", 1) < 0)
            return PL_ERROR;
    }
    return pl_buf_append(out, "\"", 1);
}

/* Letters that are letters of their own to Unicode, not accented ones, so
 * that pl_text_fold keeps them: spelt out as French keyboards and forms do
 * ("oe" for œ). Folded (lowercase) code points. */
static const struct {
    UChar32 c;
    const char *ascii;
} spelt[] = {
    {0x00E6, "ae"}, {0x00F0, "d"}, {0x00F8, "o"},  {0x00FE, "th"},
    {0x0111, "d"},  {0x0142, "l"}, {0x0153, "oe"},
};

char *pl_csv_fold(char *out, size_t size, const char *s)
{
    char folded[4096];
    size_t n = 0;
    int32_t i = 0, len;

    if (size == 0)
        return out;
    /* accents and case: ICU (NFD, marks dropped, full case folding), in
     * one place; here only what is not a letter or a digit is dropped */
    if (!pl_text_fold(folded, sizeof(folded), s))
        folded[0] = '\0';
    len = (int32_t)strlen(folded);
    while (i < len && n + 1 < size) {
        int32_t at = i;
        UChar32 c;
        const char *add = NULL;

        U8_NEXT(folded, i, len, c);
        if (c < 0x80) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                out[n++] = (char)c;
            continue;
        }
        for (size_t k = 0; k < sizeof(spelt) / sizeof(spelt[0]); k++)
            if (spelt[k].c == c)
                add = spelt[k].ascii;
        if (add) {
            for (; *add && n + 1 < size; add++)
                out[n++] = *add;
        } else if (c > 0 && u_isalnum(c) && (size_t)(i - at) < size - n) {
            memcpy(out + n, folded + at, (size_t)(i - at)); /* another script's letter */
            n += (size_t)(i - at);
        } else if (c > 0 && u_isalnum(c)) {
            break; /* cut on a character boundary */
        }
    }
    out[n] = '\0';
    return out;
}

int pl_yes_no_parse(const char *s)
{
    static const char *const yes[] = {"oui", "o", "yes", "y", "true", "vrai", "1", "x"};
    static const char *const no[] = {"", "non", "n", "no", "false", "faux", "0"};
    char key[16];

    if (s && strlen(s) >= sizeof(key))
        return PL_EINVALID;
    pl_csv_fold(key, sizeof(key), s ? s : "");
    /* "-" and the like fold to "": only a really empty value means no. */
    if (!key[0] && s) {
        for (const char *p = s; *p; p++)
            if (*p != ' ' && *p != '\t')
                return PL_EINVALID;
    }
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (strcmp(key, yes[i]) == 0)
            return 1;
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (strcmp(key, no[i]) == 0)
            return 0;
    return PL_EINVALID;
}
