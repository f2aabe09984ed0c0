#include "csv_writer.h"

#include "error.h"

#include <string.h>

int pl_csv_writer_is_formula(const char *s)
{
    return s && (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r');
}

static int needs_quotes(const char *s, char sep)
{
    size_t n = strlen(s);

    return strpbrk(s, sep == ';' ? ";\"\r\n" : ",\"\r\n") != NULL || pl_csv_writer_is_formula(s) ||
           (n > 0 && (s[0] == ' ' || s[n - 1] == ' '));
}

int pl_csv_writer_quote(pl_buf *b, const char *s, char sep)
{
    if (!s)
        return 0;
    if (!needs_quotes(s, sep))
        return pl_buf_puts(b, s);
    if (pl_buf_append(b, "\"", 1) != 0)
        return PL_ERROR;
    if (pl_csv_writer_is_formula(s) && pl_buf_append(b, "'", 1) != 0)
        return PL_ERROR;
    for (const char *p = s; *p; p++) {
        const char *q = strchr(p, '"');
        size_t n = q ? (size_t)(q - p) + 1 : strlen(p);
        if (pl_buf_append(b, p, n) != 0 || (q && pl_buf_append(b, "\"", 1) != 0))
            return PL_ERROR;
        p += n - 1;
    }
    return pl_buf_append(b, "\"", 1);
}

int pl_csv_writer_begin(pl_csv_writer *out, FILE *fp, int excel)
{
    memset(out, 0, sizeof(*out));
    out->fp = fp;
    out->sep = excel ? ';' : ',';
    if (excel && fputs("\xEF\xBB\xBF", fp) == EOF)
        return PL_EIO;
    return 0;
}

void pl_csv_writer_end(pl_csv_writer *w)
{
    pl_buf_free(&w->scratch);
}

static int separate(pl_csv_writer *w)
{
    if (w->fields++ > 0 && fputc(w->sep, w->fp) == EOF)
        return PL_EIO;
    return 0;
}

int pl_csv_writer_field(pl_csv_writer *w, const char *s)
{
    if (separate(w) != 0)
        return PL_EIO;
    if (!s || !*s)
        return 0;
    if (!needs_quotes(s, w->sep))
        return fputs(s, w->fp) == EOF ? PL_EIO : 0;
    w->scratch.len = 0;
    if (pl_csv_writer_quote(&w->scratch, s, w->sep) != 0)
        return PL_ERROR;
    return fwrite(w->scratch.data, 1, w->scratch.len, w->fp) == w->scratch.len ? 0 : PL_EIO;
}

int pl_csv_writer_number(pl_csv_writer *w, long long n)
{
    if (separate(w) != 0 || fprintf(w->fp, "%lld", n) < 0)
        return PL_EIO;
    return 0;
}

int pl_csv_writer_end_row(pl_csv_writer *w)
{
    w->fields = 0;
    return fputs("\r\n", w->fp) == EOF ? PL_EIO : 0;
}
