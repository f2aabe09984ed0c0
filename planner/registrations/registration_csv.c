#include "registration_csv.h"
#include "csv.h"
#include "csv_map.h"
#include "ranks.h"
#include "text.h"
#include "store_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns, by the name used in messages. */
typedef enum col {
    COL_NAME,
    COL_FIRST_NAME,
    COL_EMAIL,
    COL_ORGANIZATION,
    COL_ORIGIN,
    COL_PHONE,
    COL_TRAVEL,
    COL_SEATS,
    COL_MEAL,
    COL_DIET,
    COL_PUBLIC,
    COL_SESSIONS,
    COL_RANKS,
    COL_SHARE_PHONE,
    NCOLS,
    COL_NONE = NCOLS, /* a column with an empty header */
    COL_SKIP          /* written by `registrations list --format csv`; ignored */
} col;

static const char *const col_names[NCOLS] = {
    "name",  "first name", "email", "organization", "origin",   "phone", "travel",
    "seats", "meal",       "diet",  "public",       "sessions", "ranks", "share phone",
};

/* Header names, folded (pl_csv_fold): English, French, and what form tools
 * commonly write. */
static const struct {
    const char *key;
    col column;
} headers[] = {
    {"name", COL_NAME},
    {"nom", COL_NAME},
    {"fullname", COL_NAME},
    {"nomcomplet", COL_NAME},
    {"prenomnom", COL_NAME},
    {"nomprenom", COL_NAME},
    {"firstname", COL_FIRST_NAME},
    {"givenname", COL_FIRST_NAME},
    {"prenom", COL_FIRST_NAME},
    {"email", COL_EMAIL},
    {"courriel", COL_EMAIL},
    {"mail", COL_EMAIL},
    {"emailaddress", COL_EMAIL},
    {"adresseemail", COL_EMAIL},
    {"adressemail", COL_EMAIL},
    {"adressecourriel", COL_EMAIL},
    {"organization", COL_ORGANIZATION},
    {"organisation", COL_ORGANIZATION},
    {"structure", COL_ORGANIZATION},
    {"organisme", COL_ORGANIZATION},
    {"origin", COL_ORIGIN},
    {"origine", COL_ORIGIN},
    {"commune", COL_ORIGIN},
    {"codepostal", COL_ORIGIN},
    {"postcode", COL_ORIGIN},
    {"postalcode", COL_ORIGIN},
    {"ville", COL_ORIGIN},
    {"city", COL_ORIGIN},
    {"phone", COL_PHONE},
    {"telephone", COL_PHONE},
    {"tel", COL_PHONE},
    {"mobile", COL_PHONE},
    {"travel", COL_TRAVEL},
    {"mode", COL_TRAVEL},
    {"covoiturage", COL_TRAVEL},
    {"carpool", COL_TRAVEL},
    {"seats", COL_SEATS},
    {"places", COL_SEATS},
    {"placeslibres", COL_SEATS},
    {"meal", COL_MEAL},
    {"lunch", COL_MEAL},
    {"repas", COL_MEAL},
    {"dejeuner", COL_MEAL},
    {"diet", COL_DIET},
    {"regime", COL_DIET},
    {"regimealimentaire", COL_DIET},
    {"public", COL_PUBLIC},
    {"publiclist", COL_PUBLIC},
    {"listepublique", COL_PUBLIC},
    {"sessions", COL_SESSIONS},
    {"sharephone", COL_SHARE_PHONE},
    {"partagetelephone", COL_SHARE_PHONE},
    {"partagedutelephone", COL_SHARE_PHONE},
    {"ateliers", COL_SESSIONS},
    {"workshops", COL_SESSIONS},
    {"ranks", COL_RANKS},
    {"preferences", COL_RANKS},
    {"workshoppreferences", COL_RANKS},
    {"ordredepreference", COL_RANKS},
    {"ordredepreferences", COL_RANKS},
    {"ateliersordredepreference", COL_RANKS},
    {"ateliersordredepreferences", COL_RANKS},
    {"classement", COL_RANKS},
    {"uid", COL_SKIP},
    {"status", COL_SKIP},
    {"statut", COL_SKIP},
    {"waitlistposition", COL_SKIP},
    {"waitlistreason", COL_SKIP},
    {"sessionwaitlist", COL_SKIP},
    {"created", COL_SKIP},
    {"updated", COL_SKIP},
};

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

/* An answer of a mapped column, with the lines that gave it. */
#define ANSWER_LINES 8
typedef struct answer {
    col column;
    char *raw;
    const char *value; /* what it means, NULL when the mapping does not say */
    size_t count;
    int lines[ANSWER_LINES];
} answer;

typedef struct importer {
    pl_csv *csv;
    pl_store *store;
    pl_registration_batch *batch;
    const pl_registration_import_opts *opts;
    pl_registration_import_stats *st;
    pl_error first; /* the first problem */
    col *map;       /* column index -> kind */
    size_t ncols;
    int line;
    unsigned reported; /* columns with a problem in this row, 1 << col */
    int row_bad;
    pl_buf value[NCOLS]; /* this row's trimmed values */
    pl_buf name;
    char **sessions;
    size_t sessions_cap;
    unsigned keep; /* this row's fields left as stored (empty cells) */
    int fatal;     /* a database failure while writing queued rows */
    pl_error fatal_err;
    answer *answers; /* distinct answers of the columns a mapping translates */
    size_t nanswers;
    pl_buf mapped; /* scratch for a translated sessions cell */
    const char *slug;
    pl_workshop_slots *slots; /* read with the first ranks cell */
    pl_strlist *row_ranks;    /* this row's rankings, one per slot */
    size_t nrow_ranks;
    struct pending_ranks {
        int line;
        char *email;
        pl_strlist ranked;
    } * pending; /* the rankings of rows queued, saved after the rows */
    size_t npending;
} importer;

static void report(importer *im, int warning, int line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void report(importer *im, int warning, int line, const char *column, const char *fmt, ...)
{
    pl_error e;
    char msg[sizeof(e.msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* Rows queued before this one are saved first, so that problems are
     * reported in the file's order (a queued row may turn out to be an
     * update that does not fit). */
    if (!warning && im->batch && !im->fatal &&
        (im->fatal = pl_registration_batch_flush(im->batch, &im->fatal_err)) < 0)
        return;
    pl_error_set_at(&e, warning ? PL_OK : PL_EINVALID, pl_csv_name(im->csv), line, 0, column, "%s",
                    msg);
    if (warning) {
        if (im->opts && im->opts->on_warning)
            im->opts->on_warning(&e, im->opts->payload);
        return;
    }
    if (im->st->problems++ == 0)
        im->first = e;
    if (!im->row_bad) {
        im->row_bad = 1;
        im->st->bad_rows++;
    }
    if (im->opts && im->opts->on_problem)
        im->opts->on_problem(&e, im->opts->payload);
}

static void row_problem(importer *im, col c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void row_problem(importer *im, col c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    im->reported |= 1u << c;
    report(im, 0, im->line, col_names[c], "%s", msg);
}

static int read_header(importer *im)
{
    size_t n = pl_csv_count(im->csv);
    int seen[NCOLS] = {0};
    int line = pl_csv_line(im->csv);

    if (!(im->map = calloc(n, sizeof(*im->map))))
        return PL_ERROR;
    im->ncols = n;
    for (size_t i = 0; i < n; i++) {
        const char *h = pl_csv_field(im->csv, i);
        char key[64];
        size_t k;
        pl_csv_fold(key, sizeof(key), h);
        im->map[i] = COL_NONE;
        if (im->opts && im->opts->map) {
            const char *target = pl_csv_map_column(im->opts->map, h);
            if (target) {
                int c = 0;
                while (c < NCOLS && strcmp(col_names[c], target) != 0)
                    c++;
                im->map[i] = c < NCOLS ? (col)c : COL_SKIP; /* "ignore" */
                if (c < NCOLS && seen[c]++ && c != COL_ORIGIN)
                    report(im, 0, line, "header", "column %s given twice (\"%.60s\")", col_names[c],
                           h);
                continue;
            }
        }
        if (!key[0]) {
            if (strspn(h, " \t") != strlen(h))
                report(im, 0, line, "header", "unknown column \"%.60s\"", h);
            continue;
        }
        for (k = 0; k < sizeof(headers) / sizeof(headers[0]); k++)
            if (strcmp(key, headers[k].key) == 0)
                break;
        if (k == sizeof(headers) / sizeof(headers[0])) {
            report(im, 0, line, "header",
                   "unknown column \"%.60s\" (known: name/nom, email/courriel, "
                   "organization/structure, origin/commune/code postal, phone/téléphone, "
                   "travel/mode, seats/places, meal/repas, diet/régime, public/liste publique, "
                   "sessions, workshop preferences/ordre de préférence; delete other columns, or "
                   "name them in a mapping: --map)",
                   h);
            continue;
        }
        im->map[i] = headers[k].column;
        if (im->map[i] == COL_SKIP)
            continue;
        /* Several origin columns (code postal, commune) are joined. */
        if (seen[headers[k].column]++ && headers[k].column != COL_ORIGIN)
            report(im, 0, line, "header", "column %s given twice (\"%.60s\")",
                   col_names[headers[k].column], h);
    }
    if (!seen[COL_NAME])
        report(im, 0, line, "header", "no name column (name or nom)");
    if (!seen[COL_EMAIL])
        report(im, 0, line, "header", "no email column (email, courriel or e-mail)");
    return 0;
}

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

static const char *val(importer *im, col c)
{
    return im->value[c].data ? im->value[c].data : "";
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
        if (strcmp(col_names[c], column) == 0) {
            /* A kept field is checked as stored, by the save. */
            if (im->keep & col_field((col)c))
                return;
            if (!(im->reported & (1u << c)))
                row_problem(im, (col)c, "%s", msg);
            return;
        }
    row_problem(im, COL_NAME, "%s", msg);
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
            row_problem(im, COL_SESSIONS, "unknown session \"%.80s\" (the event has: %s)",
                        chosen->items[i], known.data ? known.data : "no sessions");
            pl_buf_free(&known);
        }
    }
}

/* Count answer raw of column c at the current line; what it means is
 * value (NULL: the mapping does not say). */
static int note_answer(importer *im, col c, const char *raw, const char *value)
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

static void trim_span(const char **s, const char **end)
{
    while (*s < *end && (**s == ' ' || **s == '\t' || **s == '\n'))
        (*s)++;
    while (*end > *s && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\n'))
        (*end)--;
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
                    if (note_answer(im, COL_SESSIONS, text, best_value) < 0)
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
static int map_row(importer *im)
{
    for (int c = 0; c < NCOLS; c++) {
        const char *raw = val(im, (col)c), *value;
        if (!*raw || c == COL_RANKS || !pl_csv_map_has_values(im->opts->map, col_names[c]))
            continue;
        if (c == COL_SESSIONS) {
            if (map_sessions(im, raw) < 0)
                return PL_ERROR;
            value = im->mapped.data;
        } else {
            value = pl_csv_map_value(im->opts->map, col_names[c], raw);
            if (!value && native_value((col)c, raw))
                value = raw;
            if (note_answer(im, (col)c, raw, value) < 0)
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

static void clear_row_ranks(importer *im)
{
    for (size_t i = 0; i < im->nrow_ranks; i++)
        pl_strlist_clear(&im->row_ranks[i]);
    free(im->row_ranks);
    im->row_ranks = NULL;
    im->nrow_ranks = 0;
}

/* The workshop one piece of a ranks cell names: the mapping's word (under
 * "ranks", else "sessions"), else a workshop id or title. */
static const char *rank_value(importer *im, const char *text)
{
    const pl_csv_map *map = im->opts ? im->opts->map : NULL;
    const char *v = pl_csv_map_value(map, "ranks", text);

    if (!v)
        v = pl_csv_map_value(map, "sessions", text);
    if (v) {
        const char *id = pl_workshop_slots_find(im->slots, v, NULL);
        return id ? id : v;
    }
    return pl_workshop_slots_find(im->slots, text, NULL);
}

/* Add one piece of a ranks cell (text, what it names: id) to the row's
 * rankings, in the ranking of id's slot. */
static int add_rank(importer *im, const char *text, const char *id)
{
    const char *slot = NULL;
    size_t k;

    if (im->opts && im->opts->map) {
        /* With a mapping, an unknown answer is reported once, at the end. */
        if (note_answer(im, COL_RANKS, text, id) < 0)
            return PL_ERROR;
        if (!id)
            return 0;
    } else if (!id) {
        pl_buf known = PL_BUF_INIT;
        for (size_t j = 0; j < pl_workshop_slots_count(im->slots) && known.len < 200; j++)
            pl_buf_printf(&known, "%s%s", j ? ", " : "",
                          pl_workshop_slots_get(im->slots, j, NULL, NULL));
        row_problem(im, COL_RANKS, "\"%.80s\" is not a workshop of the event (it has: %s)", text,
                    known.data ? known.data : "no workshops");
        pl_buf_free(&known);
        return 0;
    }
    pl_workshop_slots_find(im->slots, id, &slot);
    for (k = 0; k < im->nrow_ranks; k++) {
        const char *first_slot = NULL;
        pl_workshop_slots_find(im->slots, im->row_ranks[k].items[0], &first_slot);
        if (strcmp(first_slot, slot) == 0)
            break;
    }
    if (k == im->nrow_ranks) {
        pl_strlist *grown = realloc(im->row_ranks, (k + 1) * sizeof(*grown));
        if (!grown)
            return PL_ERROR;
        im->row_ranks = grown;
        memset(&grown[k], 0, sizeof(grown[k]));
        im->nrow_ranks++;
    }
    for (size_t j = 0; j < im->row_ranks[k].count; j++)
        if (strcmp(im->row_ranks[k].items[j], id) == 0) {
            row_problem(im, COL_RANKS, "\"%.80s\" is ranked twice", text);
            return 0;
        }
    return pl_strlist_push(&im->row_ranks[k], id) < 0 ? PL_ERROR : 0;
}

/* Read the ranks cell into im->row_ranks: workshops (ids or titles)
 * separated by '>' or ',' (or '|', ';'), first choice first; a title may
 * hold commas (the longest run of ", "-separated parts that names a
 * workshop is taken). A cell may rank several slots: it is split here by
 * the workshops' start. */
static int parse_ranks(importer *im)
{
    const char *p = val(im, COL_RANKS);
    int rc;

    clear_row_ranks(im);
    if (!*p)
        return 0;
    if (!im->slots) {
        pl_error e;
        if ((rc = pl_workshop_slots_load(&im->slots, im->store, im->slug, &e)) < 0) {
            if (rc == PL_ENOMEM)
                return PL_ERROR;
            row_problem(im, COL_RANKS, "%s", e.msg);
            return 0;
        }
    }
    while (*p) {
        const char *piece_end = p + strcspn(p, ">|;"), *q = p;
        while (q < piece_end) {
            const char *cuts[33], *id = NULL, *s, *e;
            size_t ncuts = 0, best = 0;
            char text[512];
            for (const char *c = q; c < piece_end && ncuts < 32; c++)
                if (*c == ',')
                    cuts[ncuts++] = c;
            cuts[ncuts] = piece_end;
            for (size_t k = ncuts + 1; k-- > 0 && !id;) {
                s = q;
                e = cuts[k];
                trim_span(&s, &e);
                if (e <= s || (size_t)(e - s) >= sizeof(text))
                    continue;
                snprintf(text, sizeof(text), "%.*s", (int)(e - s), s);
                if ((id = rank_value(im, text)))
                    best = k;
            }
            s = q;
            e = cuts[best];
            trim_span(&s, &e);
            if (e > s) {
                snprintf(text, sizeof(text), "%.*s", (int)(e - s), s);
                if (id && !pl_workshop_slots_find(im->slots, id, NULL))
                    id = NULL; /* the mapping names no workshop */
                if (add_rank(im, text, id) < 0)
                    return PL_ERROR;
            }
            q = cuts[best] + 1;
        }
        p = *piece_end ? piece_end + 1 : piece_end;
    }
    return 0;
}

/* Keep the rankings of the row just queued, to save after the rows. */
static int keep_row_ranks(importer *im, const char *email)
{
    struct pending_ranks *grown;

    if (!im->nrow_ranks)
        return 0;
    grown = realloc(im->pending, (im->npending + im->nrow_ranks) * sizeof(*grown));
    if (!grown)
        return PL_ERROR;
    im->pending = grown;
    for (size_t i = 0; i < im->nrow_ranks; i++) {
        struct pending_ranks *pr = &im->pending[im->npending];
        pr->line = im->line;
        pr->ranked = im->row_ranks[i];
        memset(&im->row_ranks[i], 0, sizeof(im->row_ranks[i]));
        if (!(pr->email = strdup(email))) {
            pl_strlist_clear(&pr->ranked);
            return PL_ERROR;
        }
        im->npending++;
    }
    clear_row_ranks(im);
    return 0;
}

/* Save the rankings kept, in the import's transaction, once every row is
 * saved (a new person's registration exists then). A ranking that does
 * not fit is the problem of its line. */
static int save_ranks(importer *im, const char *slug, pl_error *err)
{
    for (size_t i = 0; i < im->npending; i++) {
        pl_error e;
        int rc = pl_ranks_set(im->store, slug, im->pending[i].email, &im->pending[i].ranked, &e);
        if (rc == PL_EIO || rc == PL_ENOMEM) {
            if (err)
                *err = e;
            return rc;
        }
        if (rc < 0) {
            im->row_bad = 0;
            report(im, 0, im->pending[i].line, "ranks", "%s", e.msg);
        }
    }
    return 0;
}

static void free_pending(importer *im)
{
    for (size_t i = 0; i < im->npending; i++) {
        free(im->pending[i].email);
        pl_strlist_clear(&im->pending[i].ranked);
    }
    free(im->pending);
    clear_row_ranks(im);
    pl_workshop_slots_free(im->slots);
}

/* Answers in column order, then in the order of their first line. */
static int answer_order(const void *a, const void *b)
{
    const answer *x = a, *y = b;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return (x->lines[0] > y->lines[0]) - (x->lines[0] < y->lines[0]);
}

/* Each answer the mapping does not know: one problem, with its lines. */
static void report_unmapped(importer *im)
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
        report(im, 0, a->lines[0], col_names[a->column],
               "answer \"%.120s\" is not in the mapping (line%s %s): add it under "
               "\"values\" > \"%s\"",
               a->raw, a->count == 1 ? "" : "s", lines, col_names[a->column]);
    }
}

/* Read one data row into r (pointing into im's buffers). Problems are
 * reported; returns 0, or PL_ERROR when out of memory. */
static int parse_row(importer *im, pl_registration *r)
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
                report(im, 0, im->line, NULL,
                       i >= im->ncols ? "column %zu: a value beyond the header's %zu columns (a "
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
    if (im->opts && im->opts->map && map_row(im) < 0)
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
        row_problem(im, COL_TRAVEL,
                    "unknown value \"%.40s\" (drive/conducteur, ride/passager, flexible, "
                    "none/aucun)",
                    val(im, COL_TRAVEL));
    if (r->travel == PL_TRAVEL_DRIVE || r->travel == PL_TRAVEL_FLEXIBLE) {
        const char *s = val(im, COL_SEATS),
                   *how = *val(im, COL_TRAVEL) ? val(im, COL_TRAVEL) : "drive";
        char *end;
        long seats = strtol(s, &end, 10);
        if (!*s)
            row_problem(im, COL_SEATS, "empty (a number of free seats is required for %.40s)", how);
        else if (*end || seats < 1 || s[0] == '+' || s[0] == ' ')
            row_problem(im, COL_SEATS, "\"%.40s\" is not a positive number (required for %.40s)", s,
                        how);
        else if (seats > PL_REG_SEATS_MAX)
            row_problem(im, COL_SEATS, "%ld is more than %d free seats", seats, PL_REG_SEATS_MAX);
        else
            r->seats = (int)seats;
        if (im->reported & (1u << COL_SEATS))
            r->seats = 1; /* reported once, not again by the model check */
    }
    if ((v = pl_yes_no_parse(val(im, COL_MEAL))) < 0)
        row_problem(im, COL_MEAL, "\"%.40s\" is not yes/no (oui/non)", val(im, COL_MEAL));
    r->meal = v > 0;
    r->diet = (char *)val(im, COL_DIET);
    if ((v = pl_yes_no_parse(val(im, COL_PUBLIC))) < 0)
        row_problem(im, COL_PUBLIC, "\"%.40s\" is not yes/no (oui/non)", val(im, COL_PUBLIC));
    r->public_list = v > 0;
    if ((v = pl_yes_no_parse(val(im, COL_SHARE_PHONE))) < 0)
        row_problem(im, COL_SHARE_PHONE, "\"%.40s\" is not yes/no (oui/non)",
                    val(im, COL_SHARE_PHONE));
    r->share_phone = v > 0;
    if (split_sessions(im, &r->sessions) < 0)
        return PL_ERROR;
    check_sessions(im, &r->sessions);
    if (parse_ranks(im) < 0)
        return PL_ERROR;
    pl_registration_check(r, model_problem, im);
    return 0;
}

static void progress(importer *im)
{
    if (im->opts && im->opts->on_progress)
        im->opts->on_progress(pl_csv_offset(im->csv), pl_csv_size(im->csv), im->opts->payload);
}

/* The result of one saved row (pl_registration_saved_fn). */
static void on_saved(const pl_registration_saved *s, void *payload)
{
    importer *im = payload;
    int row_bad = im->row_bad; /* the row being read, if any, is another */

    im->row_bad = 0;
    if (s->rc < 0) {
        report(im, 0, (int)s->tag, s->err->path[0] ? s->err->path : NULL, "%s", s->err->msg);
    } else {
        if (s->change.created)
            im->st->created++;
        else if (s->change.changed)
            im->st->updated++;
        else
            im->st->unchanged++;
        if (!s->change.created && pl_registration_batch_created(im->batch, s->rowid)) {
            im->st->duplicates++;
            report(im, 1, (int)s->tag, "email",
                   "%s is also on an earlier line; this row replaces that one", s->in->email);
        }
        im->st->promoted += s->change.promoted;
        if (s->status == PL_REG_WAITLISTED)
            im->st->waitlisted_rows++;
    }
    im->row_bad = row_bad;
}

static int count_status(pl_store *store, const char *slug, const char *status, long long *out,
                        pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = pl_store_prepare(store, &st,
                              "SELECT count(*) FROM registrations r JOIN events e ON "
                              "e.id = r.event_id WHERE e.slug = ? AND r.status = ?",
                              err);

    if (rc < 0)
        return rc;
    pl_store_bind_text(st, 1, slug);
    pl_store_bind_text(st, 2, status);
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        rc = pl_store_fail(store, err, "cannot count registrations");
    sqlite3_finalize(st);
    return rc;
}

static int query_int_pragma(pl_store *store, const char *sql, int *out, pl_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = pl_store_prepare(store, &st, sql, err);

    if (rc < 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    else
        rc = pl_store_fail(store, err, "cannot read the database settings");
    sqlite3_finalize(st);
    return rc;
}

static int set_temp_store(pl_store *store, int value, pl_error *err)
{
    char sql[40];

    snprintf(sql, sizeof(sql), "PRAGMA temp_store = %d", value);
    if (sqlite3_exec(pl_store_db(store), sql, NULL, NULL, NULL) != SQLITE_OK)
        return pl_store_fail(store, err, "cannot set temporary storage");
    return 0;
}

int pl_registration_import_csv(pl_store *store, const char *slug, const char *path,
                               const pl_registration_import_opts *opts,
                               pl_registration_import_stats *out, pl_error *err)
{
    pl_registration_import_stats local;
    importer im;
    int rc, in_tx = 0, header_ok, temp_store = -1;

    memset(&im, 0, sizeof(im));
    im.store = store;
    im.slug = slug;
    im.opts = opts;
    im.st = out ? out : &local;
    memset(im.st, 0, sizeof(*im.st));
    pl_error_clear(&im.first);

    if ((rc = pl_csv_open(&im.csv, path, 0, err)) < 0)
        return rc;
    /* A group of new people is one multi-row INSERT, which SQLite undoes
     * alone if one of them is known: it copies each page the statement
     * changes first (one e-mail index page a row, the index being in
     * e-mail order) to a statement journal, a temporary file unless temp
     * storage is in memory. In memory it is one group's pages, freed at
     * the end of each statement. Set before BEGIN: SQLite reads it then. */
    if ((rc = query_int_pragma(store, "PRAGMA temp_store", &temp_store, err)) < 0 ||
        (temp_store != 2 && (rc = set_temp_store(store, 2, err)) < 0))
        goto done;
    if ((rc = pl_store_begin(store, err)) < 0)
        goto done;
    in_tx = 1;
    if ((rc = pl_registration_batch_open(&im.batch, store, slug, err)) < 0)
        goto done;
    pl_registration_batch_on_saved(im.batch, on_saved, &im);
    pl_registration_batch_set_mail(im.batch, !(opts && opts->no_mail));
    rc = pl_csv_next(im.csv, err);
    if (rc == 0) {
        im.line = 1;
        report(&im, 0, 1, NULL, "empty file: no header line");
    } else if (rc > 0) {
        if ((rc = read_header(&im)) < 0) {
            rc = pl_error_oom(err);
            goto done;
        }
    } else if (rc == PL_EINVALID) {
        report(&im, 0, err->line, NULL, "%s", err->msg);
    } else {
        goto done;
    }
    /* With a bad header the rows cannot be read: the header's problems are
     * the report. */
    header_ok = im.st->problems == 0;
    while (header_ok) {
        pl_registration r;
        pl_error e;

        rc = pl_csv_next(im.csv, &e);
        if (rc == 0)
            break;
        if (rc == PL_EINVALID) {
            im.row_bad = 0;
            report(&im, 0, e.line, NULL, "%s", e.msg);
            break;
        }
        if (rc < 0) {
            *err = e;
            goto done;
        }
        im.line = pl_csv_line(im.csv);
        im.reported = 0;
        im.row_bad = 0;
        if ((rc = parse_row(&im, &r)) < 0) {
            rc = pl_error_oom(err);
            goto done;
        }
        if (im.fatal)
            break;
        if (rc == 1)
            continue;
        im.st->rows++;
        if ((im.st->rows & 1023) == 0)
            progress(&im);
        if (im.row_bad)
            continue;
        if (opts && opts->on_row)
            opts->on_row(im.line, &r, opts->payload);
        if ((rc = pl_registration_batch_queue(im.batch, &r, im.line, &e)) < 0) {
            if (err)
                *err = e;
            goto done;
        }
        if (keep_row_ranks(&im, r.email) < 0) {
            rc = pl_error_oom(err);
            goto done;
        }
        if (im.fatal)
            break;
    }
    if (!im.fatal && (rc = pl_registration_batch_flush(im.batch, err)) < 0)
        goto done;
    if (im.fatal) {
        rc = im.fatal;
        if (err)
            *err = im.fatal_err;
        goto done;
    }
    progress(&im);
    if (im.st->problems == 0 && (rc = save_ranks(&im, slug, err)) < 0)
        goto done;
    if (im.nanswers)
        qsort(im.answers, im.nanswers, sizeof(*im.answers), answer_order);
    report_unmapped(&im);
    if (opts && opts->on_answer)
        for (size_t i = 0; i < im.nanswers; i++)
            opts->on_answer(col_names[im.answers[i].column], im.answers[i].raw, im.answers[i].value,
                            im.answers[i].count, opts->payload);
    if (im.st->problems) {
        if (err) {
            *err = im.first;
            snprintf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg),
                     " (%zu bad row%s, %zu problem%s in all; nothing was imported)",
                     im.st->bad_rows, im.st->bad_rows == 1 ? "" : "s", im.st->problems,
                     im.st->problems == 1 ? "" : "s");
            err->text = 0; /* msg has more than its catalogue text says */
        }
        rc = PL_EINVALID;
        goto done;
    }
    pl_registration_batch_free(im.batch);
    im.batch = NULL;
    if ((rc = count_status(store, slug, "confirmed", &im.st->event_confirmed, err)) < 0 ||
        (rc = count_status(store, slug, "waitlisted", &im.st->event_waitlisted, err)) < 0)
        goto done;
    if (opts && opts->dry_run) {
        rc = 0;
        goto done; /* rolled back below */
    }
    if (opts && opts->map && opts->save_map &&
        (rc = pl_csv_map_save(store, slug, opts->map, err)) < 0)
        goto done;
    rc = pl_store_commit(store, err);
    in_tx = 0;
done:
    pl_registration_batch_free(im.batch);
    if (in_tx)
        pl_store_rollback(store);
    if (temp_store >= 0 && temp_store != 2)
        set_temp_store(store, temp_store, NULL);
    pl_csv_free(im.csv);
    for (int c = 0; c < NCOLS; c++)
        pl_buf_free(&im.value[c]);
    pl_buf_free(&im.name);
    free(im.sessions);
    free(im.map);
    for (size_t i = 0; i < im.nanswers; i++)
        free(im.answers[i].raw);
    free(im.answers);
    pl_buf_free(&im.mapped);
    free_pending(&im);
    return rc;
}
