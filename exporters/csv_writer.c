#include "csv_writer.h"

#include "csv.h"
#include "error.h"

#include <string.h>

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
    w->scratch.len = 0;
    if (pl_csv_write_field(&w->scratch, s, w->sep, PL_CSV_NEUTRALISE) != 0)
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
