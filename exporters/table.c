/*
 * table.c - the xlsx, CSV and JSON writers behind pl_sink (see table.h).
 */
#include "table.h"

#include "csv_writer.h"
#include "outfile.h"
#include "xlsx_check.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define MAX_WIDTH 60.0 /* xlsx: wider text wraps out of sight; keep it readable */

struct pl_sink {
    pl_sink_options opts;
    pl_outfile file;
    const pl_table *table; /* the open table, or NULL */
    size_t ntables;
    lxw_row_t row; /* next row of the open table */
    int filtered;  /* xlsx: the open sheet's autofilter is set */
    /* xlsx */
    lxw_workbook *book;
    lxw_worksheet *sheet;
    lxw_format *f_header, *f_date, *f_time, *f_datetime, *f_total, *f_real, *f_title;
    lxw_format *f_wrap, *f_header_wrap, *f_top;                            /* pl_column.wrap */
    lxw_format *g_header, *g_text, *g_date, *g_time, *g_datetime, *g_real; /* PL_TABLE_GRID */
    double *widths;
    int *xcol;            /* xlsx and CSV: each column's place, -1 when JSON-only */
    lxw_row_t header_row; /* xlsx: the header row (below the heading) */
    int rows_per_page;
    pl_datefmt *dates; /* INSTANT cells into the sink's zone; DATE/TIME parsing */
    pl_cell *flat;     /* the row with its lists joined, for xlsx and CSV */
    pl_buf *joined;    /* one per column */
    size_t ncolumns;
    /* csv */
    pl_csv_writer csv;
    /* json */
    int json_first_row;
    int json_fields; /* fields written in the document object so far */
};

size_t pl_text_width(const char *s)
{
    size_t best = 0, cur = 0;

    for (; s && *s; s++) {
        if (*s == '\n') {
            cur = 0;
            continue;
        }
        if (((unsigned char)*s & 0xC0) != 0x80 && ++cur > best)
            best = cur;
    }
    return best;
}

char *pl_sheet_name(char *out, size_t size, const char *name)
{
    size_t n = 0, chars = 0;
    const char *p = name ? name : "";

    while (*p == '\'')
        p++;
    for (; *p && n + 5 < size; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c & 0xC0) != 0x80 && ++chars > 31)
            break;
        out[n++] = strchr("[]:*?/\\", c) && c ? '-' : (char)c;
    }
    while (n > 0 && out[n - 1] == '\'')
        n--;
    out[n] = '\0';
    if (n == 0)
        snprintf(out, size, "Sheet");
    return out;
}

/* The wall time of a date or time cell: "YYYY-MM-DD", "HH:MM",
 * "YYYY-MM-DDTHH:MM[:SS]", or a UTC instant "...Z" moved to the sink's zone
 * (pl_datefmt_local: one parser for every date the planner reads).
 * 0 or -1. */
static int cell_time(pl_sink *s, pl_col_type type, const char *text, pl_datetime *dt, int *sec)
{
    if (type == PL_COL_TIME && strlen(text) == 5) {
        *dt = (pl_datetime){1900, 1, 1, 0, 0};
        *sec = 0;
        return pl_time_parse(&dt->hour, &dt->minute, text) == 0 ? 0 : -1;
    }
    return pl_datefmt_local(s->dates, dt, sec, text) == 0 ? 0 : -1;
}

/* The text of a date or time cell as written to CSV and JSON: "YYYY-MM-DD"
 * for a date, "HH:MM" for a time, an instant as it is in JSON and as
 * "YYYY-MM-DD HH:MM" in the sink's zone in CSV; other text as it is. */
static const char *plain_text(pl_sink *s, pl_col_type type, const char *text, char buf[32])
{
    pl_datetime dt;
    int sec;
    const char *t;

    if (!text)
        return NULL;
    if (type == PL_COL_DATE && strlen(text) > 10) {
        snprintf(buf, 32, "%.10s", text);
        return buf;
    }
    if (type == PL_COL_TIME && (t = strchr(text, 'T')) != NULL) {
        snprintf(buf, 32, "%.5s", t + 1);
        return buf;
    }
    if (type == PL_COL_INSTANT && s->opts.format == PL_EXPORT_CSV &&
        cell_time(s, type, text, &dt, &sec) == 0) {
        snprintf(buf, 32, "%04d-%02d-%02d %02d:%02d", dt.year % 10000, dt.month % 100, dt.day % 100,
                 dt.hour % 100, dt.minute % 100);
        return buf;
    }
    return text;
}

static int xlsx_fail(pl_sink *s, lxw_error e, pl_error *err)
{
    return pl_error_set(err, PL_EIO, "%s: %s", s->file.target, lxw_strerror(e));
}

static lxw_format *add_format(lxw_workbook *b, int bold, const char *num, int border)
{
    lxw_format *f = workbook_add_format(b);

    if (bold)
        format_set_bold(f);
    if (num)
        format_set_num_format(f, num);
    if (border)
        format_set_border(f, LXW_BORDER_THIN);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    return f;
}

static int xlsx_open(pl_sink *s, pl_error *err)
{
    lxw_workbook_options o = {.constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
    lxw_doc_properties props = {0};

    s->book = workbook_new_opt(s->file.tmp, &o);
    if (!s->book)
        return pl_error_set(err, PL_EIO, "%s: cannot start the workbook", s->file.target);
    /* Dates and times in the order a French reader expects. */
    s->f_header = add_format(s->book, 1, NULL, 0);
    s->f_date = add_format(s->book, 0, "dd/mm/yyyy", 0);
    s->f_time = add_format(s->book, 0, "hh:mm", 0);
    s->f_datetime = add_format(s->book, 0, "dd/mm/yyyy hh:mm", 0);
    s->f_total = add_format(s->book, 1, NULL, 0);
    s->f_real = add_format(s->book, 0, "0.0", 0);
    s->f_title = add_format(s->book, 1, NULL, 0);
    format_set_font_size(s->f_title, 14);
    s->g_real = add_format(s->book, 0, "0.0", 1);
    s->g_header = add_format(s->book, 1, NULL, 1);
    s->g_text = add_format(s->book, 0, NULL, 1);
    s->g_date = add_format(s->book, 0, "dd/mm/yyyy", 1);
    s->g_time = add_format(s->book, 0, "hh:mm", 1);
    s->g_datetime = add_format(s->book, 0, "dd/mm/yyyy hh:mm", 1);
    format_set_text_wrap(s->g_text);
    s->f_wrap = add_format(s->book, 0, NULL, 0);
    format_set_text_wrap(s->f_wrap);
    s->f_header_wrap = add_format(s->book, 1, NULL, 0);
    format_set_text_wrap(s->f_header_wrap);
    s->f_top = add_format(s->book, 0, NULL, 0);
    props.title = (char *)s->opts.title;
    props.subject = (char *)s->opts.subject;
    props.author = "planner";
    props.comments = "Written by planner " PLANNER_VERSION;
    workbook_set_properties(s->book, &props);
    return 0;
}

int pl_sink_open(pl_sink **out, const char *path, const pl_sink_options *opts, pl_error *err)
{
    pl_sink *s = calloc(1, sizeof(*s));
    int rc;

    *out = NULL;
    if (opts->format == PL_EXPORT_GEOJSON || opts->format == PL_EXPORT_PDF) {
        json_decref(opts->meta);
        free(s);
        return pl_error_set(err, PL_EINVALID, "%s: %s; name the file .xlsx, .csv or .json", path,
                            opts->format == PL_EXPORT_PDF
                                ? "a PDF is for the sign-in sheets (export signin)"
                                : "GeoJSON is for maps (export carpool)");
    }
    if (!s) {
        json_decref(opts->meta);
        return pl_error_oom(err);
    }
    s->opts = *opts;
    rc = pl_datefmt_open(&s->dates, opts->lang, opts->timezone, err);
    if (rc == 0)
        rc = pl_outfile_open(&s->file, path, opts->format != PL_EXPORT_XLSX, err);
    if (rc == 0 && opts->format == PL_EXPORT_XLSX)
        rc = xlsx_open(s, err);
    else if (rc == 0 && opts->format == PL_EXPORT_CSV &&
             pl_csv_writer_begin(&s->csv, s->file.fp, opts->excel) != 0)
        rc = pl_error_set(err, PL_EIO, "%s: write failed", path);
    else if (rc == 0 && opts->format == PL_EXPORT_JSON) {
        /* the meta fields, then the tables' arrays appended as they come */
        char *head =
            s->opts.meta ? json_dumps(s->opts.meta, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        size_t n = head ? strlen(head) : 0;
        /* "{...}" minus its closing brace: the tables continue the object */
        while (n > 0 && head[n - 1] != '}')
            n--;
        if (n > 1) {
            n--;
            while (n > 0 && (head[n - 1] == '\n' || head[n - 1] == ' '))
                n--;
        }
        if (n > 1) {
            fwrite(head, 1, n, s->file.fp);
            s->json_fields = 1;
        } else {
            fputs("{", s->file.fp);
        }
        free(head);
    }
    json_decref(s->opts.meta);
    s->opts.meta = NULL;
    if (rc != 0) {
        pl_sink_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static void free_columns(pl_sink *s)
{
    for (size_t i = 0; s->joined && i < s->ncolumns; i++)
        pl_buf_free(&s->joined[i]);
    free(s->joined);
    free(s->flat);
    free(s->widths);
    free(s->xcol);
    s->xcol = NULL;
    s->joined = NULL;
    s->flat = NULL;
    s->widths = NULL;
    s->ncolumns = 0;
}

/* A sheet name not yet in the workbook: name, else "name (2)" ... */
static int unique_sheet_name(pl_sink *s, char *out, size_t size, const char *name)
{
    char base[128];
    size_t cut = 0, chars = 0;

    pl_sheet_name(out, size, name);
    if (workbook_get_worksheet_by_name(s->book, out)) {
        /* room for " (NNN)" within Excel's 31 characters */
        pl_sheet_name(base, sizeof(base), name);
        for (; base[cut]; cut++)
            if (((unsigned char)base[cut] & 0xC0) != 0x80 && ++chars > 25)
                break;
        base[cut] = '\0';
        for (int n = 2; n < 1000; n++) {
            snprintf(out, size, "%.100s (%d)", base, n);
            if (!workbook_get_worksheet_by_name(s->book, out))
                break;
        }
    }
    return workbook_validate_sheet_name(s->book, out) == LXW_NO_ERROR ? 0 : -1;
}

int pl_sink_begin(pl_sink *s, const pl_table *t, pl_error *err)
{
    return pl_sink_begin_sheet(s, t, NULL, err);
}

/* How many lines text takes in a wrapped column `width` characters wide,
 * wrapped at spaces as spreadsheets do (a longer word is broken). An
 * estimate in characters, erring towards one line more: the row is set this
 * tall, since LibreOffice does not always grow it for wrapped text. */
static int wrapped_lines(const char *text, double width)
{
    /* a column's width counts digits; letters are about 0.9 of one */
    size_t room = width > 3 ? (size_t)(width / 0.9) - 1 : 1, line = 0, word = 0;
    int lines = 1;

    for (const char *p = text;; p++) {
        if (*p && ((unsigned char)*p & 0xC0) == 0x80)
            continue;
        if (*p && *p != ' ' && *p != '\n') {
            word++;
            continue;
        }
        /* a word ends: on this line, else on the next ones */
        if (word > 0) {
            if (line > 0 && line + 1 + word > room) {
                lines++;
                line = 0;
            }
            line += (line > 0) + word;
            while (line > room) {
                lines++;
                line -= room;
            }
            word = 0;
        }
        if (!*p)
            return lines;
        if (*p == '\n') {
            lines++;
            line = 0;
        }
    }
}

/* The row as tall as its wrapped cells need (xlsx, before its cells), its
 * cells then at the top (the row's format, for the cells written without
 * one). */
static void row_height(pl_sink *s, const pl_cell *cells, int header)
{
    const pl_table *t = s->table;
    int lines = 1;

    for (size_t i = 0; i < t->ncolumns; i++) {
        const pl_column *c = &t->columns[i];
        const char *text = header ? pl_lang_text(s->opts.lang, c->header) : cells[i].text;
        int n;
        if (s->xcol[i] < 0 || c->wrap <= 0 || !text ||
            (!header && c->type != PL_COL_TEXT && c->type != PL_COL_LIST))
            continue;
        n = wrapped_lines(text, c->wrap);
        if (n > lines)
            lines = n;
    }
    if (lines > 1)
        worksheet_set_row(s->sheet, s->row, 15.0 * lines, s->f_top);
}

int pl_sink_begin_sheet(pl_sink *s, const pl_table *t, const pl_sheet *sheet, pl_error *err)
{
    pl_lang L = s->opts.lang;
    char name[128];
    int grid = (t->flags & PL_TABLE_GRID) != 0, col = 0;

    if (s->opts.format == PL_EXPORT_CSV && s->ntables > 0)
        return pl_error_set(err, PL_EINVALID, "a CSV file holds one table only");
    s->table = t;
    s->row = 0;
    s->filtered = 0;
    s->ntables++;
    free_columns(s);
    s->flat = calloc(t->ncolumns, sizeof(*s->flat));
    s->joined = calloc(t->ncolumns, sizeof(*s->joined));
    s->widths = calloc(t->ncolumns, sizeof(*s->widths));
    s->xcol = calloc(t->ncolumns, sizeof(*s->xcol));
    s->ncolumns = t->ncolumns;
    s->rows_per_page = sheet ? sheet->rows_per_page : 0;
    if (!s->flat || !s->joined || !s->widths || !s->xcol)
        return pl_error_oom(err);
    for (size_t i = 0; i < t->ncolumns; i++)
        s->xcol[i] = t->columns[i].only == PL_COL_JSON_ONLY ? -1 : col++;
    if (s->opts.format == PL_EXPORT_JSON) {
        fprintf(s->file.fp, "%s\n  \"%s\": [", s->json_fields++ ? "," : "", t->key);
        s->json_first_row = 1;
        return 0;
    }
    if (s->opts.format == PL_EXPORT_CSV) {
        for (size_t i = 0; i < t->ncolumns; i++)
            if (s->xcol[i] >= 0)
                pl_csv_writer_field(&s->csv, pl_lang_text(L, t->columns[i].header));
        return pl_csv_writer_end_row(&s->csv);
    }
    if (unique_sheet_name(s, name, sizeof(name),
                          sheet && sheet->name ? sheet->name : pl_lang_text(L, t->name)) != 0 ||
        !(s->sheet = workbook_add_worksheet(s->book, name)))
        return pl_error_set(err, PL_ERROR, "'%s' is not a valid sheet name", name);
    if (grid)
        worksheet_set_default_row(s->sheet, 30, LXW_FALSE);
    /* the heading: the title large, the other lines plain, then a gap */
    for (size_t k = 0; sheet && k < sheet->nheading; k++) {
        worksheet_set_row(s->sheet, s->row, k == 0 ? 22 : 18, NULL);
        worksheet_write_string(s->sheet, s->row++, 0, sheet->heading[k],
                               k == 0 ? s->f_title : NULL);
    }
    if (sheet && sheet->nheading > 0)
        worksheet_set_row(s->sheet, s->row++, 12, NULL);
    s->header_row = s->row;
    if (grid)
        worksheet_set_row(s->sheet, s->row, 20, NULL);
    else
        row_height(s, NULL, 1);
    for (size_t i = 0; i < t->ncolumns; i++) {
        const pl_column *c = &t->columns[i];
        const char *h = pl_lang_text(L, c->header);
        if (s->xcol[i] < 0)
            continue;
        /* room for the autofilter's button beside the header */
        s->widths[i] = (double)pl_text_width(h) + 4;
        if (s->widths[i] < c->min_width)
            s->widths[i] = c->min_width;
        if (c->wrap > 0 && s->widths[i] > c->wrap && !grid) {
            s->widths[i] = c->wrap; /* the header on two lines */
            worksheet_write_string(s->sheet, s->row, (lxw_col_t)s->xcol[i], h, s->f_header_wrap);
            continue;
        }
        worksheet_write_string(s->sheet, s->row, (lxw_col_t)s->xcol[i], h,
                               grid ? s->g_header : s->f_header);
    }
    s->row++;
    worksheet_freeze_panes(s->sheet, s->row, 0);
    return 0;
}

static void json_row(pl_sink *s, const pl_cell *cells)
{
    const pl_table *t = s->table;
    json_t *o = json_object();

    for (size_t i = 0; i < t->ncolumns; i++) {
        const pl_cell *c = &cells[i];
        char buf[32];
        const char *txt = c->json ? c->json : plain_text(s, t->columns[i].type, c->text, buf);
        json_t *v;
        if (t->columns[i].only == PL_COL_SHEET_ONLY)
            continue;
        switch (t->columns[i].type) {
        case PL_COL_INT:
            v = c->null ? json_null() : json_integer(c->num);
            break;
        case PL_COL_BOOL:
            v = c->null ? json_null() : json_boolean(c->num);
            break;
        case PL_COL_REAL:
            v = c->null ? json_null() : json_real(c->real);
            break;
        case PL_COL_LIST:
            v = json_array();
            for (size_t k = 0; c->list && k < c->list->count; k++)
                json_array_append_new(v, json_string(c->list->items[k]));
            break;
        default:
            v = txt && *txt ? json_string(txt) : json_null();
        }
        json_object_set_new(o, t->columns[i].key, v);
    }
    fputs(s->json_first_row ? "\n    " : ",\n    ", s->file.fp);
    s->json_first_row = 0;
    json_dumpf(o, s->file.fp, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
}

/* A real with 3 decimals; with a decimal comma in the variant for French
 * Excel, which would otherwise read "1.5" as text or a date. Written as a
 * field, so REAL columns are for numbers >= 0 (a leading '-' would be
 * neutralised like a formula); -0.000 is written 0.000. */
static int csv_real(pl_sink *s, double x)
{
    char buf[64], *dot;

    snprintf(buf, sizeof(buf), "%.3f", x);
    if (strcmp(buf, "-0.000") == 0)
        snprintf(buf, sizeof(buf), "0.000");
    if (s->opts.excel && (dot = strchr(buf, '.')) != NULL)
        *dot = ',';
    return pl_csv_writer_field(&s->csv, buf);
}

static int csv_row(pl_sink *s, const pl_cell *cells)
{
    const pl_table *t = s->table;
    int rc = 0;

    for (size_t i = 0; i < t->ncolumns && rc == 0; i++) {
        const pl_cell *c = &cells[i];
        char buf[32];
        const char *txt = plain_text(s, t->columns[i].type, c->text, buf);

        if (s->xcol[i] < 0)
            continue;
        switch (t->columns[i].type) {
        case PL_COL_INT:
            rc = c->null ? pl_csv_writer_field(&s->csv, NULL)
                         : pl_csv_writer_number(&s->csv, c->num);
            break;
        case PL_COL_BOOL:
            rc =
                pl_csv_writer_field(&s->csv, c->null  ? NULL
                                             : c->num ? pl_lang_text(s->opts.lang, PL_T_COMMON_YES)
                                                      : pl_lang_text(s->opts.lang, PL_T_COMMON_NO));
            break;
        case PL_COL_REAL:
            rc = c->null ? pl_csv_writer_field(&s->csv, NULL) : csv_real(s, c->real);
            break;
        default:
            rc = pl_csv_writer_field(&s->csv, txt);
        }
    }
    return rc == 0 ? pl_csv_writer_end_row(&s->csv) : rc;
}

static void widen(pl_sink *s, size_t col, double w)
{
    double most = s->table->columns[col].wrap > 0 ? s->table->columns[col].wrap : MAX_WIDTH;

    if (w > s->widths[col])
        s->widths[col] = w > most ? most : w;
}

/* The autofilter over the header row and the rows written so far. */
static void autofilter(pl_sink *s)
{
    int last = 0;

    for (size_t i = 0; i < s->ncolumns; i++)
        if (s->xcol[i] > last)
            last = s->xcol[i];
    worksheet_autofilter(s->sheet, s->header_row, 0, s->row - 1, (lxw_col_t)last);
}

static int xlsx_row(pl_sink *s, const pl_cell *cells, int total, pl_error *err)
{
    const pl_table *t = s->table;
    int grid = (t->flags & PL_TABLE_GRID) != 0;
    lxw_error e = LXW_NO_ERROR;

    /* In constant-memory mode a range must end on the row being written, so
     * the filter is set now, before the first total row. */
    if (total && !s->filtered) {
        autofilter(s);
        s->filtered = 1;
    }
    if (!grid)
        row_height(s, cells, 0);
    for (size_t i = 0; i < t->ncolumns && e == LXW_NO_ERROR; i++) {
        const pl_cell *c = &cells[i];
        lxw_col_t col = (lxw_col_t)s->xcol[i];
        lxw_datetime dt;
        pl_datetime wall;
        int sec;
        lxw_format *f = grid ? s->g_text : NULL;

        if (s->xcol[i] < 0)
            continue;
        switch (t->columns[i].type) {
        case PL_COL_INT:
            if (!c->null) {
                e = worksheet_write_number(s->sheet, s->row, col, (double)c->num,
                                           total && !f ? s->f_total : f);
                widen(s, i, (double)snprintf(NULL, 0, "%lld", c->num) + 2);
                continue;
            }
            break;
        case PL_COL_BOOL:
            if (!c->null) {
                e = worksheet_write_string(
                    s->sheet, s->row, col,
                    pl_lang_text(s->opts.lang, c->num ? PL_T_COMMON_YES : PL_T_COMMON_NO), f);
                continue;
            }
            break;
        case PL_COL_REAL:
            if (!c->null) {
                e = worksheet_write_number(s->sheet, s->row, col, c->real,
                                           grid ? s->g_real : s->f_real);
                widen(s, i, (double)snprintf(NULL, 0, "%.1f", c->real) + 2);
                continue;
            }
            break;
        case PL_COL_DATE:
            if (c->text && cell_time(s, t->columns[i].type, c->text, &wall, &sec) == 0) {
                dt = (lxw_datetime){wall.year, wall.month, wall.day, 0, 0, 0};
                e = worksheet_write_datetime(s->sheet, s->row, col, &dt,
                                             grid ? s->g_date : s->f_date);
                widen(s, i, 12);
                continue;
            }
            break;
        case PL_COL_TIME:
            if (c->text && cell_time(s, t->columns[i].type, c->text, &wall, &sec) == 0) {
                e = worksheet_write_number(s->sheet, s->row, col,
                                           (wall.hour * 60 + wall.minute) / 1440.0,
                                           grid ? s->g_time : s->f_time);
                widen(s, i, 7);
                continue;
            }
            break;
        case PL_COL_DATETIME:
        case PL_COL_INSTANT:
            if (c->text && strlen(c->text) > 10 &&
                cell_time(s, t->columns[i].type, c->text, &wall, &sec) == 0) {
                dt = (lxw_datetime){wall.year, wall.month, wall.day, wall.hour, wall.minute, sec};
                e = worksheet_write_datetime(s->sheet, s->row, col, &dt,
                                             grid ? s->g_datetime : s->f_datetime);
                widen(s, i, 18);
                continue;
            }
            break;
        case PL_COL_TEXT:
        case PL_COL_LIST:
            break;
        }
        /* text, and anything that did not parse, as a string: never a formula */
        if (c->text && *c->text) {
            if (total && !f)
                f = s->f_total;
            else if (!f && t->columns[i].wrap > 0 &&
                     (double)pl_text_width(c->text) + 2 > t->columns[i].wrap)
                f = s->f_wrap;
            e = worksheet_write_string(s->sheet, s->row, col, c->text, f);
            widen(s, i, (double)pl_text_width(c->text) + 2);
        } else if (grid) {
            e = worksheet_write_blank(s->sheet, s->row, col, s->g_text);
        }
    }
    if (e != LXW_NO_ERROR)
        return xlsx_fail(s, e, err);
    s->row++;
    return 0;
}

/* The row with every list joined as "a, b" into s->flat; NULL when out of
 * memory. */
static const pl_cell *flatten(pl_sink *s, const pl_cell *cells)
{
    const pl_table *t = s->table;

    for (size_t i = 0; i < t->ncolumns; i++) {
        s->flat[i] = cells[i];
        if (t->columns[i].type != PL_COL_LIST || !cells[i].list)
            continue;
        s->joined[i].len = 0;
        for (size_t k = 0; k < cells[i].list->count; k++)
            if ((k && pl_buf_append(&s->joined[i], ", ", 2) != 0) ||
                pl_buf_puts(&s->joined[i], cells[i].list->items[k]) != 0)
                return NULL;
        /* the buffer keeps the previous row's bytes: an empty list is "" */
        s->flat[i].text = s->joined[i].len ? s->joined[i].data : "";
    }
    return s->flat;
}

static int row(pl_sink *s, const pl_cell *cells, int total, pl_error *err)
{
    if (s->opts.format != PL_EXPORT_JSON && !(cells = flatten(s, cells)))
        return pl_error_oom(err);
    switch (s->opts.format) {
    case PL_EXPORT_JSON:
        json_row(s, cells);
        return ferror(s->file.fp) ? pl_error_set(err, PL_EIO, "%s: write failed", s->file.target)
                                  : 0;
    case PL_EXPORT_CSV:
        if (csv_row(s, cells) != 0)
            return pl_error_set(err, PL_EIO, "%s: write failed", s->file.target);
        return 0;
    default:
        return xlsx_row(s, cells, total, err);
    }
}

int pl_sink_row(pl_sink *s, const pl_cell *cells, pl_error *err)
{
    return row(s, cells, 0, err);
}

int pl_sink_total_row(pl_sink *s, const pl_cell *cells, pl_error *err)
{
    return row(s, cells, 1, err);
}

/* The print area: every column up to the last printed one, every row. The
 * columns outside it (pl_column.not_printed) stay on screen, with the
 * autofilter and the frozen header. */
static void print_area(pl_sink *s, const pl_table *t)
{
    int last = -1, hidden = 0;

    for (size_t i = 0; i < t->ncolumns; i++) {
        if (s->xcol[i] < 0)
            continue;
        if (t->columns[i].not_printed)
            hidden = 1;
        else {
            assert(!hidden); /* printed columns first */
            last = s->xcol[i];
        }
    }
    if (hidden && last >= 0)
        worksheet_print_area(s->sheet, 0, 0, LXW_ROW_MAX - 1, (lxw_col_t)last);
}

int pl_sink_end(pl_sink *s, pl_error *err)
{
    const pl_table *t = s->table;

    (void)err;
    if (!t)
        return 0;
    s->table = NULL;
    if (s->opts.format == PL_EXPORT_JSON) {
        fputs(s->json_first_row ? "]" : "\n  ]", s->file.fp);
        return 0;
    }
    if (s->opts.format != PL_EXPORT_XLSX)
        return 0;
    for (size_t i = 0; i < t->ncolumns; i++)
        if (s->xcol[i] >= 0)
            worksheet_set_column(s->sheet, (lxw_col_t)s->xcol[i], (lxw_col_t)s->xcol[i],
                                 s->widths[i], NULL);
    if (!s->filtered)
        autofilter(s);
    if (t->flags & (PL_TABLE_PRINT_LANDSCAPE | PL_TABLE_PRINT_PORTRAIT)) {
        char footer[64];
        if (t->flags & PL_TABLE_PRINT_LANDSCAPE)
            worksheet_set_landscape(s->sheet);
        else
            worksheet_set_portrait(s->sheet);
        worksheet_set_paper(s->sheet, 9); /* A4 */
        worksheet_fit_to_pages(s->sheet, 1, 0);
        worksheet_set_margins(s->sheet, 0.5, 0.5, 0.6, 0.7);
        /* "&P" and "&N": the page's number and the count, filled in by the
         * spreadsheet when it prints */
        snprintf(footer, sizeof(footer), "&C%s", pl_lang_text(s->opts.lang, PL_T_EXPORT_FOOTER));
        worksheet_set_footer(s->sheet, footer);
    }
    if (t->flags & PL_TABLE_PRINT_REPEAT_HEADER)
        worksheet_repeat_rows(s->sheet, 0, s->header_row);
    print_area(s, t);
    if (s->rows_per_page > 0) {
        lxw_row_t breaks[1024];
        size_t n = 0;
        for (lxw_row_t r = s->header_row + 1 + (lxw_row_t)s->rows_per_page; r < s->row && n < 1023;
             r += (lxw_row_t)s->rows_per_page)
            breaks[n++] = r;
        breaks[n] = 0;
        if (n > 0)
            worksheet_set_h_pagebreaks(s->sheet, breaks);
    }
    return 0;
}

/* workbook_close writes the document's dates with gmtime(), whose result is
 * one buffer for the whole process: two server threads exporting at once
 * would race on it. The files themselves are independent. */
static pthread_mutex_t close_lock = PTHREAD_MUTEX_INITIALIZER;

static lxw_error close_book(lxw_workbook *book)
{
    lxw_error e;

    pthread_mutex_lock(&close_lock);
    e = workbook_close(book);
    pthread_mutex_unlock(&close_lock);
    return e;
}

int pl_sink_close(pl_sink *s, pl_error *err)
{
    int rc;

    if ((rc = pl_sink_end(s, err)) != 0)
        return rc;
    if (s->opts.format == PL_EXPORT_XLSX) {
        lxw_error e = close_book(s->book);
        s->book = NULL;
        if (e != LXW_NO_ERROR)
            return xlsx_fail(s, e, err);
        if ((rc = pl_xlsx_check(s->file.tmp, s->file.target, err)) != 0)
            return rc;
    } else if (s->opts.format == PL_EXPORT_JSON) {
        fputs("\n}\n", s->file.fp);
    }
    return pl_outfile_commit(&s->file, err);
}

void pl_sink_free(pl_sink *s)
{
    if (!s)
        return;
    if (s->book) {
        /* close writes the file; the temporary one is then thrown away */
        close_book(s->book);
    }
    pl_csv_writer_end(&s->csv);
    pl_outfile_abort(&s->file);
    pl_datefmt_free(s->dates);
    free_columns(s);
    free(s);
}
