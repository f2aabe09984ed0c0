/*
 * export_pack.c - `planner export pack`: the workshop pack, one workbook
 * with a sheet for each job on the day.
 */
#include "export_internal.h"

#include "collate.h"

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

/* Catering: confirmed people who take the meal, counted per diet. Diets
 * that differ only by case, accents or spacing are counted together, under
 * the spelling met first. */
static const pl_column catering_columns[] = {
    {"Diet", "diet", PL_COL_TEXT, 0},
    {"Meals", "meals", PL_COL_INT, 0},
};
static const pl_table catering_table = {"Catering", "catering", catering_columns, 2, 0};

#define NO_DIET "No special diet"

typedef struct diet_count {
    const char *label; /* borrowed from the roster */
    char *key;         /* primary collation level: what groups diets */
    char *sort;        /* full collation key: the order of the rows */
    long long meals;
} diet_count;

static int by_diet(const void *a, const void *b)
{
    const diet_count *x = a, *y = b;
    /* the people without a special diet first */
    if (!x->label != !y->label)
        return x->label ? 1 : -1;
    return strcmp(x->sort, y->sort);
}

static char *primary_key(const char *s)
{
    char *k = pl_collate_key(s), *cut = k ? strchr(k, '\x01') : NULL;

    if (cut)
        *cut = '\0';
    return k;
}

static int catering_sheet(pl_sink *sink, const pl_roster *roster, pl_error *err)
{
    diet_count *diets = NULL;
    size_t ndiets = 0, cap = 0;
    long long total = 0;
    char *key = NULL;
    int rc;

    if ((rc = pl_sink_begin(sink, &catering_table, err)) != 0)
        return rc;
    for (size_t i = 0; i < roster->nconfirmed; i++) {
        const pl_roster_row *r = roster->by_name[i];
        const char *label = r->diet;
        size_t d;

        if (!r->meal)
            continue;
        total++;
        if (!(key = primary_key(label ? label : "")))
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
            diets[d] = (diet_count){label, key, pl_collate_key(label), 0};
            key = NULL;
            ndiets++;
            if (!diets[d].sort)
                goto oom;
        }
        diets[d].meals++;
        free(key);
        key = NULL;
    }
    if (ndiets > 1)
        qsort(diets, ndiets, sizeof(*diets), by_diet);
    for (size_t d = 0; d < ndiets && rc == 0; d++) {
        pl_cell row[2] = {{.text = diets[d].label ? diets[d].label : NO_DIET},
                          {.num = diets[d].meals}};
        rc = pl_sink_row(sink, row, err);
    }
    if (rc == 0) {
        pl_cell row[2] = {{.text = "Total"}, {.num = total}};
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
    }
    free(diets);
    return rc;
}

/* Sign-in: confirmed people by name, a blank column to sign; printable. */
static const pl_column signin_columns[] = {
    {"Name", "name", PL_COL_TEXT, 0},
    {"Organization", "organization", PL_COL_TEXT, 0},
    {"Signature", "signature", PL_COL_TEXT, 40},
};
static const pl_table signin_table = {"Sign-in", "sign_in", signin_columns, 3,
                                      PL_TABLE_PRINT_LANDSCAPE | PL_TABLE_PRINT_REPEAT_HEADER |
                                          PL_TABLE_GRID};

static int signin_sheet(pl_sink *sink, const pl_roster *roster, pl_error *err)
{
    int rc = pl_sink_begin(sink, &signin_table, err);

    for (size_t i = 0; i < roster->nconfirmed && rc == 0; i++) {
        const pl_roster_row *r = roster->by_name[i];
        pl_cell row[3] = {{.text = r->name}, {.text = r->organization}, {.text = NULL}};
        rc = pl_sink_row(sink, row, err);
    }
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
    {signin_sheet, NULL},      {NULL, carpool_sheet}, /* only when a carpool plan is stored */
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
    snprintf(title, sizeof(title), "Workshop pack — %s", roster.event->title);
    {
        pl_sink_options so = {PL_EXPORT_XLSX, 0, title, roster.event->title, NULL};
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
