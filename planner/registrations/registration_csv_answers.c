/*
 * registration_csv_answers.c - a mapping's answers (a form export's words)
 * put in place of the values they mean; each answer it does not know is
 * reported once, with its lines.
 */
#include "registration_csv_internal.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>

/* Count answer raw of column c at the current line; what it means is
 * value (NULL: the mapping does not say). */
int reg_csv_note_answer(importer *im, col c, const char *raw, const char *value)
{
    answer *a = NULL;

    for (size_t i = 0; i < im->nanswers && !a; i++)
        if (im->answers[i].column == c && strcmp(im->answers[i].raw, raw) == 0)
            a = &im->answers[i];
    if (!a) {
        answer *grown = realloc(im->answers, (im->nanswers + 1) * sizeof(*grown));
        if (!grown)
            return PL_ERROR;
        im->answers = grown;
        a = &im->answers[im->nanswers];
        memset(a, 0, sizeof(*a));
        if (!(a->raw = strdup(raw)))
            return PL_ERROR;
        a->column = c;
        a->value = value;
        im->nanswers++;
    }
    if (a->count < ANSWER_LINES)
        a->lines[a->count] = im->line;
    a->count++;
    if (!value && !im->row_bad) { /* reported once per answer, at the end */
        im->row_bad = 1;
        im->st->bad_rows++;
    }
    return 0;
}

/* The event's session id equal to s (borrowed from the batch, which
 * outlives the row), or NULL. */
static const char *session_id(importer *im, const char *s)
{
    const char *const *ids;
    size_t n = pl_registration_batch_sessions(im->batch, &ids);
    for (size_t k = 0; k < n; k++)
        if (strcmp(ids[k], s) == 0)
            return ids[k];
    return NULL;
}

/* What one workshop answer means: the mapping's word, or the session id
 * it already is. Never text itself: the caller's buffer does not last. */
static const char *session_value(importer *im, const char *text)
{
    const char *v = pl_csv_map_value(im->opts->map, "sessions", text);
    return v ? v : session_id(im, text);
}

/* Translate a sessions cell: pieces between '|' or ';', and inside a piece
 * the longest runs of ", "-separated parts that the mapping knows (form
 * tools join ticked answers with ", ", and answers may hold commas). The
 * ids, joined with '|', go to im->mapped. */
static int map_sessions(importer *im, const char *cell)
{
    const char *p = cell;

    im->mapped.len = 0;
    if (pl_buf_append(&im->mapped, "", 0) < 0)
        return PL_ERROR;
    while (*p) {
        const char *piece_end = p + strcspn(p, "|;"), *q = p;
        while (q < piece_end) {
            /* commas of this piece, up to 32 */
            const char *cuts[33];
            size_t ncuts = 0, best = 0;
            const char *best_value = NULL;
            for (const char *c = q; c < piece_end && ncuts < 32; c++)
                if (*c == ',')
                    cuts[ncuts++] = c;
            cuts[ncuts] = piece_end;
            for (size_t k = ncuts + 1; k-- > 0 && !best_value;) {
                const char *s = q, *e = cuts[k];
                char text[512];
                trim_span(&s, &e);
                if (e <= s || (size_t)(e - s) >= sizeof(text))
                    continue;
                memcpy(text, s, (size_t)(e - s));
                text[e - s] = '\0';
                if ((best_value = session_value(im, text)))
                    best = k;
            }
            {
                const char *s = q, *e = best_value ? cuts[best] : cuts[0];
                char text[512];
                trim_span(&s, &e);
                if (e > s) {
                    size_t len =
                        (size_t)(e - s) < sizeof(text) ? (size_t)(e - s) : sizeof(text) - 1;
                    memcpy(text, s, len);
                    text[len] = '\0';
                    if (reg_csv_note_answer(im, COL_SESSIONS, text, best_value) < 0)
                        return PL_ERROR;
                    if (best_value && pl_buf_printf(&im->mapped, "%s%s", im->mapped.len ? "|" : "",
                                                    best_value) < 0)
                        return PL_ERROR;
                }
                q = (best_value ? cuts[best] : cuts[0]) + 1;
            }
        }
        p = *piece_end ? piece_end + 1 : piece_end;
    }
    return 0;
}

/* Whether raw is already a value of column c (then a mapping need not list it). */
static int native_value(col c, const char *raw)
{
    pl_travel travel;
    switch (c) {
    case COL_TRAVEL:
        return pl_travel_parse(&travel, raw) == 0;
    case COL_MEAL:
    case COL_PUBLIC:
        return pl_yes_no_parse(raw) >= 0;
    default:
        return 0;
    }
}

/* Put the mapping's meaning in place of the answers of the columns it
 * translates; an answer it does not know is counted, reported once at the
 * end, and leaves the row bad. */
int reg_csv_map_row(importer *im)
{
    for (int c = 0; c < NCOLS; c++) {
        const char *raw = val(im, (col)c), *value;
        if (!*raw || c == COL_RANKS || !pl_csv_map_has_values(im->opts->map, reg_csv_col_names[c]))
            continue;
        if (c == COL_SESSIONS) {
            if (map_sessions(im, raw) < 0)
                return PL_ERROR;
            value = im->mapped.data;
        } else {
            value = pl_csv_map_value(im->opts->map, reg_csv_col_names[c], raw);
            if (!value && native_value((col)c, raw))
                value = raw;
            if (reg_csv_note_answer(im, (col)c, raw, value) < 0)
                return PL_ERROR;
            if (!value) {
                im->reported |= 1u << c;
                value = "";
            }
        }
        if (value != raw) { /* value is the mapping's or im->mapped: never this buffer */
            im->value[c].len = 0;
            if (pl_buf_puts(&im->value[c], value) < 0)
                return PL_ERROR;
        }
    }
    return 0;
}

/* Answers in column order, then in the order of their first line. */
int reg_csv_answer_order(const void *a, const void *b)
{
    const answer *x = a, *y = b;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return (x->lines[0] > y->lines[0]) - (x->lines[0] < y->lines[0]);
}

/* Each answer the mapping does not know: one problem, with its lines. */
void reg_csv_report_unmapped(importer *im)
{
    for (size_t i = 0; i < im->nanswers; i++) {
        const answer *a = &im->answers[i];
        char lines[120] = "";
        size_t len = 0;
        if (a->value)
            continue;
        for (size_t k = 0; k < a->count && k < ANSWER_LINES; k++)
            len += (size_t)snprintf(lines + len, sizeof(lines) - len, "%s%d", k ? ", " : "",
                                    a->lines[k]);
        if (a->count > ANSWER_LINES)
            snprintf(lines + len, sizeof(lines) - len, " and %zu more", a->count - ANSWER_LINES);
        im->row_bad = 1; /* the rows were counted bad already */
        reg_csv_report(im, 0, a->lines[0], reg_csv_col_names[a->column],
                       "answer \"%.120s\" is not in the mapping (line%s %s): add it under "
                       "\"values\" > \"%s\"",
                       a->raw, a->count == 1 ? "" : "s", lines, reg_csv_col_names[a->column]);
    }
}
