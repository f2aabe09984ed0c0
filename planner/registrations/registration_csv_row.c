/*
 * registration_csv_row.c - one data row of a registrations file read into a
 * registration: values trimmed, parsed and checked, each problem reported
 * at its column.
 */
#include "registration_csv_internal.h"

#include <stdlib.h>
#include <string.h>

/* Append s without the spaces (and no-break spaces) around it. */
static int put_trimmed(pl_buf *b, const char *s)
{
    const char *end = s + strlen(s);

    for (;;) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        else if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
            s += 2;
        else
            break;
    }
    while (end > s) {
        if (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r')
            end--;
        else if (end - s >= 2 && (unsigned char)end[-2] == 0xC2 && (unsigned char)end[-1] == 0xA0)
            end -= 2;
        else
            break;
    }
    return pl_buf_append(b, s, (size_t)(end - s));
}

/* The field a column sets, for pl_registration.keep (0: always given). */
static unsigned col_field(col c)
{
    switch (c) {
    case COL_ORGANIZATION:
        return PL_REG_FIELD_ORGANIZATION;
    case COL_ORIGIN:
        return PL_REG_FIELD_ORIGIN;
    case COL_PHONE:
        return PL_REG_FIELD_PHONE;
    case COL_TRAVEL:
    case COL_SEATS:
        return PL_REG_FIELD_TRAVEL;
    case COL_MEAL:
        return PL_REG_FIELD_MEAL;
    case COL_DIET:
        return PL_REG_FIELD_DIET;
    case COL_PUBLIC:
        return PL_REG_FIELD_PUBLIC;
    case COL_SESSIONS:
        return PL_REG_FIELD_SESSIONS;
    case COL_SHARE_PHONE:
        return PL_REG_FIELD_SHARE_PHONE;
    default:
        return 0;
    }
}

static void model_problem(const char *column, const char *msg, void *payload)
{
    importer *im = payload;

    for (int c = 0; c < NCOLS; c++)
        if (strcmp(reg_csv_col_names[c], column) == 0) {
            /* A kept field is checked as stored, by the save. */
            if (im->keep & col_field((col)c))
                return;
            if (!(im->reported & (1u << c)))
                reg_csv_row_problem(im, (col)c, "%s", msg);
            return;
        }
    reg_csv_row_problem(im, COL_NAME, "%s", msg);
}

/* Split the sessions value on '|' into im->sessions (pointers into the
 * value's buffer, which is modified). */
static int split_sessions(importer *im, pl_strlist *out)
{
    char *s = im->value[COL_SESSIONS].data;
    size_t n = 0;

    out->items = NULL;
    out->count = 0;
    if (!s || !*s)
        return 0;
    for (;;) {
        char *bar = strchr(s, '|'), *end;
        if (bar)
            *bar = '\0';
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        end = s + strlen(s);
        while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'))
            *--end = '\0';
        if (*s) {
            if (n == im->sessions_cap) {
                size_t cap = im->sessions_cap ? im->sessions_cap * 2 : 8;
                char **p = realloc(im->sessions, cap * sizeof(*p));
                if (!p)
                    return PL_ERROR;
                im->sessions = p;
                im->sessions_cap = cap;
            }
            im->sessions[n++] = s;
        }
        if (!bar)
            break;
        s = bar + 1;
    }
    out->items = im->sessions;
    out->count = n;
    return 0;
}

static void check_sessions(importer *im, const pl_strlist *chosen)
{
    const char *const *ids;
    size_t n = pl_registration_batch_sessions(im->batch, &ids);

    for (size_t i = 0; i < chosen->count; i++) {
        size_t k = 0;
        while (k < n && strcmp(ids[k], chosen->items[i]) != 0)
            k++;
        if (k == n) {
            pl_buf known = PL_BUF_INIT;
            for (size_t j = 0; j < n; j++) {
                if (known.len > 300) { /* the message has room for about that much */
                    pl_buf_puts(&known, ", …");
                    break;
                }
                pl_buf_printf(&known, "%s%s", j ? ", " : "", ids[j]);
            }
            reg_csv_row_problem(im, COL_SESSIONS, "unknown session \"%.80s\" (the event has: %s)",
                                chosen->items[i], known.data ? known.data : "no sessions");
            pl_buf_free(&known);
        }
    }
}

/* Read one data row into r (pointing into im's buffers). Problems are
 * reported; returns 0, or PL_ERROR when out of memory. */
int reg_csv_parse_row(importer *im, pl_registration *r)
{
    size_t n = pl_csv_count(im->csv);
    int any = 0, v;

    memset(r, 0, sizeof(*r));
    for (int c = 0; c < NCOLS; c++)
        im->value[c].len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *f = pl_csv_field(im->csv, i);
        int empty = strspn(f, " \t\r\n") == strlen(f);
        if (i < im->ncols && im->map[i] == COL_SKIP)
            continue;
        if (!empty)
            any = 1;
        if (i >= im->ncols || im->map[i] == COL_NONE) {
            if (!empty)
                reg_csv_report(im, 0, im->line, NULL,
                               i >= im->ncols
                                   ? "column %zu: a value beyond the header's %zu columns (a "
                                     "separator inside a value? put that value in quotes)"
                                   : "column %zu: a value in a column without a header",
                               i + 1, im->ncols);
            continue;
        }
        pl_buf *b = &im->value[im->map[i]];
        if (b->len && !empty && pl_buf_append(b, " ", 1) < 0)
            return PL_ERROR;
        /* "'=x", "'+33 ...": a cell neutralised against formula injection
         * (PL_CSV_NEUTRALISE, as `registrations list --format csv` and the
         * exports write it) reads as what it was */
        if (f[0] == '\'' && pl_csv_is_formula(f + 1))
            f++;
        if (put_trimmed(b, f) < 0)
            return PL_ERROR;
    }
    if (!any)
        return 1; /* a row of empty cells: skipped like a blank line */
    for (int c = 0; c < NCOLS; c++)
        if (!im->value[c].data && pl_buf_append(&im->value[c], "", 0) < 0)
            return PL_ERROR;
    if (im->opts && im->opts->map && reg_csv_map_row(im) < 0)
        return PL_ERROR;
    /* An empty cell (or a column the file does not have) leaves the stored
     * value of a known e-mail as it is, unless the organiser replaces. */
    im->keep = 0;
    if (!(im->opts && im->opts->replace))
        for (int c = 0; c < NCOLS; c++)
            if (c != COL_SEATS && !*val(im, (col)c))
                im->keep |= col_field((col)c);
    r->keep = im->keep;

    im->name.len = 0;
    if (*val(im, COL_FIRST_NAME) &&
        pl_buf_printf(&im->name, "%s%s%s", val(im, COL_FIRST_NAME), *val(im, COL_NAME) ? " " : "",
                      val(im, COL_NAME)) < 0)
        return PL_ERROR;
    r->name = (char *)(im->name.len ? im->name.data : val(im, COL_NAME));
    r->email = (char *)val(im, COL_EMAIL);
    r->organization = (char *)val(im, COL_ORGANIZATION);
    r->origin = (char *)val(im, COL_ORIGIN);
    r->phone = (char *)val(im, COL_PHONE);

    if (pl_travel_parse(&r->travel, val(im, COL_TRAVEL)) < 0)
        reg_csv_row_problem(im, COL_TRAVEL,
                            "unknown value \"%.40s\" (drive/conducteur, ride/passager, flexible, "
                            "none/aucun)",
                            val(im, COL_TRAVEL));
    if (r->travel == PL_TRAVEL_DRIVE || r->travel == PL_TRAVEL_FLEXIBLE) {
        const char *s = val(im, COL_SEATS),
                   *how = *val(im, COL_TRAVEL) ? val(im, COL_TRAVEL) : "drive";
        char *end;
        long seats = strtol(s, &end, 10);
        if (!*s)
            reg_csv_row_problem(im, COL_SEATS,
                                "empty (a number of free seats is required for %.40s)", how);
        else if (*end || seats < 1 || s[0] == '+' || s[0] == ' ')
            reg_csv_row_problem(im, COL_SEATS,
                                "\"%.40s\" is not a positive number (required for %.40s)", s, how);
        else if (seats > PL_REG_SEATS_MAX)
            reg_csv_row_problem(im, COL_SEATS, "%ld is more than %d free seats", seats,
                                PL_REG_SEATS_MAX);
        else
            r->seats = (int)seats;
        if (im->reported & (1u << COL_SEATS))
            r->seats = 1; /* reported once, not again by the model check */
    }
    if ((v = pl_yes_no_parse(val(im, COL_MEAL))) < 0)
        reg_csv_row_problem(im, COL_MEAL, "\"%.40s\" is not yes/no (oui/non)", val(im, COL_MEAL));
    r->meal = v > 0;
    r->diet = (char *)val(im, COL_DIET);
    if ((v = pl_yes_no_parse(val(im, COL_PUBLIC))) < 0)
        reg_csv_row_problem(im, COL_PUBLIC, "\"%.40s\" is not yes/no (oui/non)",
                            val(im, COL_PUBLIC));
    r->public_list = v > 0;
    if ((v = pl_yes_no_parse(val(im, COL_SHARE_PHONE))) < 0)
        reg_csv_row_problem(im, COL_SHARE_PHONE, "\"%.40s\" is not yes/no (oui/non)",
                            val(im, COL_SHARE_PHONE));
    r->share_phone = v > 0;
    if (split_sessions(im, &r->sessions) < 0)
        return PL_ERROR;
    check_sessions(im, &r->sessions);
    if (reg_csv_parse_ranks(im) < 0)
        return PL_ERROR;
    pl_registration_check(r, model_problem, im);
    return 0;
}
