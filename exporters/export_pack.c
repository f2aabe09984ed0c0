/*
 * export_pack.c - `planner export pack`: the workshop pack, one workbook
 * with a sheet for each job on the day.
 */
#include "export_internal.h"

#include "collate.h"
#include "signin.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int agenda_sheet(pl_sink *sink, const pl_roster *r, pl_error *err)
{
    int rc = pl_sink_begin(sink, &pl_agenda_table, err);
    return rc ? rc : pl_agenda_rows(sink, r->event, r->registered, err);
}

static int registrants_sheet(pl_sink *sink, const pl_roster *r, pl_error *err)
{
    int rc = pl_sink_begin(sink, &pl_registrants_table, err);
    return rc ? rc : pl_registrants_rows(sink, r, err);
}

/* Catering: for each meal of the event (its sessions of kind "meal"; one
 * "Meal" when it has none), the confirmed people who take the meal,
 * counted per diet. Diets are grouped by a folded form (case, accents,
 * gender and plural: "Végétarienne" and "vegetariens" are one diet) and
 * listed with the wordings people used; a diet that names an allergy is
 * never grouped: it is kept as written. */
static const pl_column catering_columns[] = {
    {PL_T_EXPORT_MEAL, "meal", PL_COL_TEXT, 0, 0, 0, 0},
    {PL_T_EXPORT_DIET, "diet", PL_COL_TEXT, 0, 0, 0, 0},
    {PL_T_EXPORT_MEALS, "meals", PL_COL_INT, 0, 0, 0, 0},
    {PL_T_EXPORT_WORDINGS, "wordings", PL_COL_LIST, 0, 0, 0, 0},
};
static const pl_table catering_table = {PL_T_EXPORT_SHEET_CATERING, "catering", catering_columns, 4,
                                        PL_TABLE_PRINT_PORTRAIT | PL_TABLE_PRINT_REPEAT_HEADER};

typedef struct diet_count {
    const char *label; /* the first wording met; NULL: no special diet */
    char *key;         /* the folded form: what groups diets */
    char *sort;        /* collation key of the label: the order of the rows */
    long long meals;
    pl_strlist wordings; /* distinct wordings, items borrowed from the roster */
    size_t cap;
} diet_count;

static int by_diet(const void *a, const void *b)
{
    const diet_count *x = a, *y = b;
    /* the people without a special diet first */
    if (!x->label != !y->label)
        return x->label ? 1 : -1;
    return strcmp(x->sort, y->sort);
}

static int ends_with(const char *w, size_t n, const char *end)
{
    size_t k = strlen(end);
    return n > k + 1 && memcmp(w + n - k, end, k) == 0;
}

/* One folded word: plural and feminine endings taken off, so that
 * "vegetariennes", "vegetarienne", "vegetariens" are "vegetarien". */
static void fold_word(pl_buf *out, char *w)
{
    size_t n = strlen(w);
    static const char *const endings[][2] = {
        {"iennes", "ien"}, {"ienne", "ien"}, {"ennes", "en"}, {"enne", "en"},   {"eres", "er"},
        {"ere", "er"},     {"ives", "if"},   {"ive", "if"},   {"euses", "eur"}, {"euse", "eur"},
    };
    for (size_t i = 0; i < sizeof(endings) / sizeof(endings[0]); i++)
        if (ends_with(w, n, endings[i][0])) {
            n -= strlen(endings[i][0]);
            pl_buf_append(out, w, n);
            pl_buf_puts(out, endings[i][1]);
            return;
        }
    if (n > 3 && (w[n - 1] == 's' || w[n - 1] == 'x'))
        n--;
    if (n > 3 && w[n - 1] == 'e')
        n--;
    pl_buf_append(out, w, n);
}

/* The folded form of a diet: words folded (pl_text_fold, then fold_word),
 * joined by one space; an allergy as written, marked so that it groups
 * with nothing else. malloc'ed; NULL when out of memory. */
static char *diet_key(const char *diet)
{
    pl_buf key = PL_BUF_INIT;
    char folded[1024], word[256];
    const char *p = diet ? diet : "";

    pl_text_fold(folded, sizeof(folded), p);
    if (strstr(folded, "allerg")) {
        pl_buf_puts(&key, "\x01");
        pl_buf_puts(&key, p);
        return pl_buf_detach(&key);
    }
    while (*p) {
        size_t n = 0;
        /* a word: up to a space or punctuation (UTF-8 letters kept) */
        while (*p && (unsigned char)*p < 0x80 && !isalnum((unsigned char)*p))
            p++;
        while (*p && ((unsigned char)*p >= 0x80 || isalnum((unsigned char)*p)) &&
               n + 1 < sizeof(word))
            word[n++] = *p++;
        word[n] = '\0';
        pl_text_fold(folded, sizeof(folded), word);
        if (!*folded)
            continue;
        if (key.len)
            pl_buf_puts(&key, " ");
        fold_word(&key, folded);
    }
    return pl_buf_detach(&key);
}

static int add_wording(diet_count *d, const char *w)
{
    for (size_t k = 0; k < d->wordings.count; k++)
        if (strcmp(d->wordings.items[k], w) == 0)
            return 0;
    if (d->wordings.count == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 4;
        char **grown = realloc(d->wordings.items, cap * sizeof(char *));
        if (!grown)
            return PL_ENOMEM;
        d->wordings.items = grown;
        d->cap = cap;
    }
    d->wordings.items[d->wordings.count++] = (char *)w;
    return 0;
}

static int catering_sheet(pl_sink *sink, const pl_roster *roster, pl_error *err)
{
    const pl_event *ev = roster->event;
    pl_lang L = pl_event_lang(ev);
    diet_count *diets = NULL;
    size_t ndiets = 0, cap = 0, nmeals = 0;
    long long total = 0;
    char *key = NULL, meal[512], when[64];
    pl_datefmt *dates = NULL;
    int rc;

    if ((rc = pl_sink_begin(sink, &catering_table, err)) != 0 ||
        (rc = pl_datefmt_open(&dates, L, ev->timezone, err)) != 0)
        return rc;
    for (size_t i = 0; i < roster->nconfirmed; i++) {
        const pl_roster_row *r = roster->by_name[i];
        const char *label = r->diet;
        size_t d;

        if (!r->meal)
            continue;
        total++;
        if (!(key = diet_key(label)))
            goto oom;
        for (d = 0; d < ndiets; d++)
            if (!diets[d].label == !label && strcmp(diets[d].key, key) == 0)
                break;
        if (d == ndiets) {
            if (ndiets == cap) {
                diet_count *grown = realloc(diets, (cap = cap ? 2 * cap : 8) * sizeof(*diets));
                if (!grown)
                    goto oom;
                diets = grown;
            }
            diets[d] = (diet_count){label, key, pl_collate_key(label), 0, {NULL, 0}, 0};
            key = NULL;
            ndiets++;
            if (!diets[d].sort)
                goto oom;
        }
        diets[d].meals++;
        if (label && add_wording(&diets[d], label) != 0)
            goto oom;
        free(key);
        key = NULL;
    }
    if (ndiets > 1)
        qsort(diets, ndiets, sizeof(*diets), by_diet);
    /* the same counts for every meal of the event */
    for (size_t m = 0; m <= ev->nsessions && rc == 0; m++) {
        const pl_session *s = m < ev->nsessions ? &ev->sessions[m] : NULL;
        if (s && (s->cancelled || strcmp(s->kind, "meal") != 0))
            continue;
        if (!s && nmeals > 0)
            break;
        if (s) {
            pl_datefmt_format(dates, when, sizeof(when), PL_DATETIME_SHORT, s->start);
            snprintf(meal, sizeof(meal), "%s (%s)", s->title, when);
        } else {
            snprintf(meal, sizeof(meal), "%s", pl_lang_text(L, PL_T_EXPORT_ALL_MEALS));
        }
        nmeals++;
        for (size_t d = 0; d < ndiets && rc == 0; d++) {
            pl_cell row[4] = {
                {.text = meal},
                {.text = diets[d].label ? diets[d].label : pl_lang_text(L, PL_T_EXPORT_NO_DIET)},
                {.num = diets[d].meals},
                {.list = &diets[d].wordings}};
            rc = pl_sink_row(sink, row, err);
        }
    }
    if (rc == 0) {
        pl_cell row[4] = {{.text = pl_lang_text(L, PL_T_EXPORT_TOTAL)},
                          {.text = NULL},
                          {.num = total * (long long)nmeals},
                          {.list = NULL}};
        rc = pl_sink_total_row(sink, row, err);
    }
    goto done;
oom:
    rc = pl_error_oom(err);
done:
    free(key);
    for (size_t d = 0; d < ndiets; d++) {
        free(diets[d].key);
        free(diets[d].sort);
        free(diets[d].wordings.items);
    }
    free(diets);
    pl_datefmt_free(dates);
    return rc;
}

/* Sign-in: one sheet per day and per workshop (signin.h), printable: A4
 * portrait, one page wide, heading and header on every page, 20 people a
 * page. */
static int signin_sheets(pl_sink *sink, const pl_roster *roster, pl_error *err)
{
    pl_signin model;
    int rc;

    if ((rc = pl_signin_build(&model, roster, err)) != 0)
        return rc;
    for (size_t i = 0; i < model.nsheets && rc == 0; i++) {
        const pl_signin_sheet *sh = &model.sheets[i];
        const char *heading[PL_SIGNIN_HEADING_MAX];
        const pl_table *t = sh->half_days == 2 ? &pl_signin_table_full : &pl_signin_table_one;
        pl_sheet opts = {sh->name, heading, sh->nheading, PL_SIGNIN_ROWS_PER_PAGE};

        for (size_t k = 0; k < sh->nheading; k++)
            heading[k] = sh->heading[k];
        rc = pl_sink_begin_sheet(sink, t, &opts, err);
        for (size_t k = 0; k < sh->npeople && rc == 0; k++) {
            const pl_roster_row *r = sh->people[k];
            pl_cell row[5] = {{.text = r->last}, {.text = r->first}, {.text = r->organization}};
            rc = pl_sink_row(sink, row, err);
        }
        if (rc == 0)
            rc = pl_sink_end(sink, err);
    }
    pl_signin_free(&model);
    return rc;
}

/* Carpools: the stored plan's rows (export carpool), once there is one. */
static int carpool_sheet(pl_sink *sink, const pl_roster *roster, const pl_carpool_saved_plan *plan,
                         pl_error *err)
{
    int rc = pl_sink_begin(sink, &pl_carpool_table, err);
    return rc ? rc : pl_carpool_rows(sink, roster, plan, err);
}

/* The pack's sheets, in order: one line each. */
static const struct pack_sheet {
    int (*write)(pl_sink *sink, const pl_roster *roster, pl_error *err);
    int (*write_carpool)(pl_sink *sink, const pl_roster *roster, const pl_carpool_saved_plan *plan,
                         pl_error *err);
} sheets[] = {
    {registrants_sheet, NULL}, {agenda_sheet, NULL},  {catering_sheet, NULL},
    {signin_sheets, NULL},     {NULL, carpool_sheet}, /* only when a carpool plan is stored */
};

int pl_export_pack(pl_store *store, const char *slug, const char *path, pl_error *err)
{
    pl_carpool_saved_plan *plan = NULL;
    pl_roster roster;
    pl_sink *sink = NULL;
    char title[512];
    int rc;

    if ((rc = pl_roster_load(&roster, store, slug, PL_ROSTER_ALL, err)) != 0)
        return rc;
    /* no plan yet (PL_ENOTFOUND) is not an error: the sheet is left out */
    if ((rc = pl_carpool_plan_load(&plan, store, slug, err)) == PL_ENOTFOUND)
        rc = 0;
    else if (rc != 0)
        goto done;
    {
        pl_sink_options so = pl_export_sink_options(roster.event, NULL, PL_T_EXPORT_DOC_PACK, NULL,
                                                    title, sizeof(title));
        if ((rc = pl_sink_open(&sink, path, &so, err)) != 0)
            goto done;
    }
    for (size_t i = 0; i < sizeof(sheets) / sizeof(sheets[0]) && rc == 0; i++) {
        if (sheets[i].write)
            rc = sheets[i].write(sink, &roster, err);
        else if (plan)
            rc = sheets[i].write_carpool(sink, &roster, plan, err);
        else
            continue;
        if (rc == 0)
            rc = pl_sink_end(sink, err);
    }
    if (rc == 0)
        rc = pl_sink_close(sink, err);
done:
    pl_sink_free(sink);
    pl_carpool_saved_plan_free(plan);
    pl_roster_free(&roster);
    return rc;
}
