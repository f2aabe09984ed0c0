/*
 * csv_map.c - a form export's mapping: loaded from JSON (jansson), matched
 * with folded keys, saved per event as a setting.
 */
#include "csv_map.h"
#include "csv.h"
#include "registration.h"
#include "registration_csv.h"
#include "setting.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 1024 /* folded keys: long question texts stay distinct */

typedef struct entry {
    char *key;         /* folded */
    const char *value; /* borrowed from root */
} entry;

typedef struct table {
    entry *items;
    size_t count;
} table;

static const char *const targets[] = {"name",   "first name", "email", "organization", "origin",
                                      "phone",  "travel",     "seats", "meal",         "diet",
                                      "public", "sessions",   "ranks", "ignore"};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

struct pl_csv_map {
    json_t *root;
    table columns;
    table values[NTARGETS]; /* answers, per target column */
};

static int target_index(const char *name)
{
    for (size_t i = 0; i < NTARGETS; i++)
        if (strcmp(targets[i], name) == 0)
            return (int)i;
    return -1;
}

void pl_csv_map_free(pl_csv_map *map)
{
    if (!map)
        return;
    for (size_t i = 0; i < map->columns.count; i++)
        free(map->columns.items[i].key);
    free(map->columns.items);
    for (size_t t = 0; t < NTARGETS; t++) {
        for (size_t i = 0; i < map->values[t].count; i++)
            free(map->values[t].items[i].key);
        free(map->values[t].items);
    }
    json_decref(map->root);
    free(map);
}

static int add(table *t, const char *key, const char *value)
{
    char folded[KEY_MAX];
    entry *items = realloc(t->items, (t->count + 1) * sizeof(*items));

    if (!items)
        return -1;
    t->items = items;
    pl_csv_fold(folded, sizeof(folded), key);
    if (!(items[t->count].key = strdup(folded)))
        return -1;
    items[t->count++].value = value;
    return 0;
}

static const char *find(const table *t, const char *key)
{
    char folded[KEY_MAX];

    pl_csv_fold(folded, sizeof(folded), key ? key : "");
    if (!folded[0])
        return NULL;
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->items[i].key, folded) == 0)
            return t->items[i].value;
    return NULL;
}

/* Whether value is one that column takes (sessions are checked at import,
 * against the event). */
static int value_ok(const char *column, const char *value)
{
    pl_travel travel;
    if (strcmp(column, "travel") == 0)
        return pl_travel_parse(&travel, value) == 0;
    if (strcmp(column, "meal") == 0 || strcmp(column, "public") == 0)
        return pl_yes_no_parse(value) >= 0;
    if (strcmp(column, "seats") == 0) {
        char *end;
        long n = strtol(value, &end, 10);
        return *value && !*end && n >= 0 && n <= PL_REG_SEATS_MAX;
    }
    return 1;
}

static int build(pl_csv_map *m, const char *name, pl_error *err)
{
    json_t *columns, *values, *v;
    const char *key;

    if (!json_is_object(m->root))
        return pl_error_set_at(err, PL_EINVALID, name, 0, 0, "", "a mapping is a JSON object");
    json_object_foreach(m->root, key, v)
    {
        if (strcmp(key, "columns") != 0 && strcmp(key, "values") != 0)
            return pl_error_set_at(err, PL_EINVALID, name, 0, 0, key,
                                   "unknown key (a mapping has \"columns\" and \"values\")");
    }
    columns = json_object_get(m->root, "columns");
    values = json_object_get(m->root, "values");
    if (columns && !json_is_object(columns))
        return pl_error_set_at(err, PL_EINVALID, name, 0, 0, "columns",
                               "must be an object: {\"header in the file\": \"our column\"}");
    if (values && !json_is_object(values))
        return pl_error_set_at(err, PL_EINVALID, name, 0, 0, "values",
                               "must be an object: {\"our column\": {\"answer\": \"value\"}}");
    json_object_foreach(columns, key, v)
    {
        char path[128];
        snprintf(path, sizeof(path), "columns.%.100s", key);
        if (!json_is_string(v) || target_index(json_string_value(v)) < 0)
            return pl_error_set_at(err, PL_EINVALID, name, 0, 0, path,
                                   "must name one of our columns: " PL_CSV_MAP_COLUMNS);
        if (add(&m->columns, key, json_string_value(v)) < 0)
            return pl_error_oom(err);
    }
    json_object_foreach(values, key, v)
    {
        int t = target_index(key);
        const char *answer;
        json_t *mapped;
        if (t < 0 || strcmp(key, "ignore") == 0)
            return pl_error_set_at(err, PL_EINVALID, name, 0, 0, "values",
                                   "\"%.60s\" is not one of our columns (" PL_CSV_MAP_COLUMNS ")",
                                   key);
        if (!json_is_object(v))
            return pl_error_set_at(err, PL_EINVALID, name, 0, 0, key,
                                   "must be an object: {\"answer in the file\": \"value\"}");
        json_object_foreach(v, answer, mapped)
        {
            char path[128];
            snprintf(path, sizeof(path), "values.%s.%.80s", key, answer);
            if (!json_is_string(mapped))
                return pl_error_set_at(err, PL_EINVALID, name, 0, 0, path, "must be a string");
            if (!value_ok(key, json_string_value(mapped)))
                return pl_error_set_at(err, PL_EINVALID, name, 0, 0, path,
                                       "\"%.60s\" is not a value of column %s",
                                       json_string_value(mapped), key);
            if (add(&m->values[t], answer, json_string_value(mapped)) < 0)
                return pl_error_oom(err);
        }
    }
    return 0;
}

static int finish(pl_csv_map **out, json_t *root, const json_error_t *jerr, const char *name,
                  pl_error *err)
{
    pl_csv_map *m;
    int rc;

    *out = NULL;
    if (!root)
        return pl_error_set_at(err, PL_EINVALID, name, jerr->line, jerr->column, NULL, "%s",
                               jerr->text);
    if (!(m = calloc(1, sizeof(*m)))) {
        json_decref(root);
        return pl_error_oom(err);
    }
    m->root = root;
    if ((rc = build(m, name, err)) < 0) {
        pl_csv_map_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int pl_csv_map_parse(pl_csv_map **out, const char *text, const char *name, pl_error *err)
{
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    return finish(out, root, &jerr, name, err);
}

int pl_csv_map_load(pl_csv_map **out, const char *path, pl_error *err)
{
    json_error_t jerr;
    json_t *root;
    FILE *f = fopen(path, "rb");

    *out = NULL;
    if (!f)
        return pl_error_set_at(err, PL_EIO, path, 0, 0, NULL, "cannot open the mapping file");
    root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    fclose(f);
    return finish(out, root, &jerr, path, err);
}

const char *pl_csv_map_column(const pl_csv_map *map, const char *header)
{
    return map ? find(&map->columns, header) : NULL;
}

int pl_csv_map_has_values(const pl_csv_map *map, const char *column)
{
    int t = target_index(column);
    return map && t >= 0 && map->values[t].count > 0;
}

const char *pl_csv_map_value(const pl_csv_map *map, const char *column, const char *answer)
{
    int t = target_index(column);
    return map && t >= 0 ? find(&map->values[t], answer) : NULL;
}

static void setting_key(char *out, size_t size, const char *slug)
{
    snprintf(out, size, "import_map:%s", slug);
}

int pl_csv_map_save(pl_store *store, const char *slug, const pl_csv_map *map, pl_error *err)
{
    char key[160];
    char *text = json_dumps(map->root, JSON_SORT_KEYS | JSON_COMPACT);
    int rc;

    if (!text)
        return pl_error_oom(err);
    setting_key(key, sizeof(key), slug);
    rc = pl_setting_set(store, key, text, err);
    free(text);
    return rc;
}

int pl_csv_map_saved(pl_csv_map **out, pl_store *store, const char *slug, pl_error *err)
{
    char key[160], name[200];
    char *text = NULL;
    int rc;

    *out = NULL;
    setting_key(key, sizeof(key), slug);
    if ((rc = pl_setting_get(&text, store, key, err)) < 0)
        return rc;
    snprintf(name, sizeof(name), "the mapping saved for %.100s", slug);
    rc = pl_csv_map_parse(out, text, name, err);
    free(text);
    return rc;
}
