/*
 * signin_pdf.c - `planner export signin`: the sign-in sheets (signin.h) as
 * a PDF, for organisers without a spreadsheet application. Drawn with
 * cairo's PDF surface and pango (fonts embedded as subsets, accents and
 * every script pango can shape): A4 portrait, the heading and the header
 * row on every page, 20 people a page, "Page N / M" at the foot of each
 * sheet's pages.
 */
#include "signin.h"

#include "outfile.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <string.h>

#define PAGE_W 595.28 /* A4 in points */
#define PAGE_H 841.89
#define MARGIN 36.0
#define ROW_H 30.0
#define HEAD_ROW_H 26.0
#define FONT "DejaVu Sans"

/* Text at (x, y) in a box w wide, on at most `lines` lines, cut with an
 * ellipsis; returns its height. */
static double text_lines(cairo_t *cr, const char *s, double x, double y, double w, double size,
                         int bold, int lines)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *font = pango_font_description_new();
    int pw, ph;

    pango_font_description_set_family(font, FONT);
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(layout, font);
    pango_layout_set_width(layout, (int)(w * PANGO_SCALE));
    pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
    pango_layout_set_height(layout, -lines);
    pango_layout_set_text(layout, s ? s : "", -1);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, layout);
    pango_layout_get_size(layout, &pw, &ph);
    pango_font_description_free(font);
    g_object_unref(layout);
    return (double)ph / PANGO_SCALE;
}

static double text(cairo_t *cr, const char *s, double x, double y, double w, double size, int bold)
{
    return text_lines(cr, s, x, y, w, size, bold, 1);
}

/* The columns across the page: Nom, Prénom, Structure, then the
 * signatures sharing what is left. */
static void column_widths(size_t ncolumns, double *x, double *w)
{
    static const double names[3] = {16, 13, 31};
    double total = 100, at = MARGIN;

    for (size_t i = 0; i < ncolumns; i++) {
        x[i] = at;
        w[i] = (PAGE_W - 2 * MARGIN) * (i < 3 ? names[i] : (total - 60) / (double)(ncolumns - 3)) /
               total;
        at += w[i];
    }
}

static void row_box(cairo_t *cr, const double *x, const double *w, size_t n, double y, double h)
{
    for (size_t i = 0; i < n; i++)
        cairo_rectangle(cr, x[i], y, w[i], h);
    cairo_set_line_width(cr, 0.6);
    cairo_stroke(cr);
}

static void sheet_pages(cairo_t *cr, pl_lang L, const pl_signin_sheet *sh)
{
    const pl_table *t = sh->half_days == 2 ? &pl_signin_table_full : &pl_signin_table_one;
    size_t per = PL_SIGNIN_ROWS_PER_PAGE;
    size_t pages = sh->npeople ? (sh->npeople + per - 1) / per : 1;
    double x[8], w[8];
    char footer[64];

    column_widths(t->ncolumns, x, w);
    for (size_t page = 0; page < pages; page++) {
        double y = MARGIN;
        for (size_t k = 0; k < sh->nheading; k++)
            y +=
                text(cr, sh->heading[k], MARGIN, y, PAGE_W - 2 * MARGIN, k == 0 ? 14 : 10, k == 0) +
                (k == 0 ? 6 : 3);
        y += 8;
        row_box(cr, x, w, t->ncolumns, y, HEAD_ROW_H);
        for (size_t i = 0; i < t->ncolumns; i++)
            text_lines(cr, pl_lang_text(L, t->columns[i].header), x[i] + 4, y + 3, w[i] - 8, 8.5, 1,
                       2);
        y += HEAD_ROW_H;
        for (size_t r = page * per; r < (page + 1) * per && r < sh->npeople; r++) {
            const pl_roster_row *p = sh->people[r];
            const char *cells[3] = {p->last, p->first, p->organization};
            row_box(cr, x, w, t->ncolumns, y, ROW_H);
            for (size_t i = 0; i < 3; i++)
                text_lines(cr, cells[i], x[i] + 4, y + 4, w[i] - 8, 9, 0, 2);
            y += ROW_H;
        }
        snprintf(footer, sizeof(footer), "%s %zu%s%zu", pl_lang_text(L, PL_T_EXPORT_PAGE), page + 1,
                 pl_lang_text(L, PL_T_EXPORT_PAGE_OF), pages);
        {
            PangoLayout *layout = pango_cairo_create_layout(cr);
            PangoFontDescription *font = pango_font_description_from_string(FONT " 8");
            int pw, ph;
            pango_layout_set_font_description(layout, font);
            pango_layout_set_text(layout, footer, -1);
            pango_layout_get_size(layout, &pw, &ph);
            cairo_move_to(cr, (PAGE_W - (double)pw / PANGO_SCALE) / 2, PAGE_H - MARGIN + 8);
            pango_cairo_show_layout(cr, layout);
            pango_font_description_free(font);
            g_object_unref(layout);
        }
        cairo_show_page(cr);
    }
}

int pl_export_signin_pdf(pl_store *store, const char *slug, const char *path, pl_error *err)
{
    pl_roster roster;
    pl_signin model = {0};
    pl_outfile file = {0};
    cairo_surface_t *surface = NULL;
    cairo_t *cr = NULL;
    char title[512];
    int rc;

    if ((rc = pl_roster_load(&roster, store, slug, PL_ROSTER_ALL, err)) != 0)
        return rc;
    if ((rc = pl_signin_build(&model, &roster, err)) != 0 ||
        (rc = pl_outfile_open(&file, path, 0, err)) != 0)
        goto done;
    surface = cairo_pdf_surface_create(file.tmp, PAGE_W, PAGE_H);
    snprintf(title, sizeof(title), "%s — %s", pl_lang_text(model.lang, PL_T_EXPORT_SIGNIN_TITLE),
             roster.event->title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "planner");
    cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (size_t i = 0; i < model.nsheets; i++)
        sheet_pages(cr, model.lang, &model.sheets[i]);
    cairo_destroy(cr);
    cr = NULL;
    cairo_surface_finish(surface);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        rc = pl_error_set(err, PL_EIO, "%s: %s", path,
                          cairo_status_to_string(cairo_surface_status(surface)));
        goto done;
    }
    rc = pl_outfile_commit(&file, err);
done:
    if (cr)
        cairo_destroy(cr);
    if (surface)
        cairo_surface_destroy(surface);
    pl_outfile_abort(&file);
    pl_signin_free(&model);
    pl_roster_free(&roster);
    return rc;
}
