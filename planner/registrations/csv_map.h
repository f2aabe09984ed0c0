/*
 * csv_map.h - reading a form tool's export as it is: which of its columns are
 * ours, and what its answers mean (docs/registrations-format.md, "A form
 * export: the mapping file").
 *
 * A form tool writes its own headers ("Horodateur", "Comment venez-vous à
 * l'atelier ?") and answers ("Je conduis et je propose des places"). A
 * mapping, a small JSON file, says what they are:
 *
 *   {"columns": {"Horodateur": "ignore",
 *                "Comment venez-vous à l'atelier ?": "travel", ...},
 *    "values":  {"travel": {"Je conduis et je propose des places": "drive",
 *                           "Je cherche une place": "ride"},
 *                "sessions": {"Vélo et mobilités actives": "atelier-velo"}}}
 *
 * Headers and answers are matched as the importer matches headers: case,
 * accents, spaces and punctuation ignored. A mapping is saved with the event
 * when an import that used it succeeds, so the next import of the same form
 * needs nothing.
 */
#ifndef PL_CSV_MAP_H
#define PL_CSV_MAP_H

#include "error.h"
#include "store.h"

typedef struct pl_csv_map pl_csv_map;

/* The column names a mapping may target (and "ignore"), for messages. */
#define PL_CSV_MAP_COLUMNS                                                                         \
    "name, first name, email, organization, origin, phone, travel, seats, meal, diet, public, "    \
    "sessions, ranks, ignore"

/*
 * Read a mapping from the JSON file at path, or from text (name is used in
 * messages). Every problem names the file and the JSON path ("columns.Nom",
 * "values.travel.Je cherche une place"): an unknown target column, an answer
 * mapped to a value that column does not take. On success *out is owned by
 * the caller (pl_csv_map_free). Returns 0, PL_EINVALID, PL_EIO or PL_ENOMEM.
 */
int pl_csv_map_load(pl_csv_map **out, const char *path, pl_error *err);
int pl_csv_map_parse(pl_csv_map **out, const char *text, const char *name, pl_error *err);
void pl_csv_map_free(pl_csv_map *map);

/* The column (one of PL_CSV_MAP_COLUMNS) that header maps to, or NULL when
 * the mapping does not name it. Borrowed from map. */
const char *pl_csv_map_column(const pl_csv_map *map, const char *header);

/* Whether the mapping translates the answers of column. */
int pl_csv_map_has_values(const pl_csv_map *map, const char *column);

/* What answer means in column, or NULL when the mapping does not say.
 * Borrowed from map. */
const char *pl_csv_map_value(const pl_csv_map *map, const char *column, const char *answer);

/* Save map as the event's mapping (its JSON, normalised), or load the saved
 * one: PL_ENOTFOUND when the event has none. */
int pl_csv_map_save(pl_store *store, const char *slug, const pl_csv_map *map, pl_error *err);
int pl_csv_map_saved(pl_csv_map **out, pl_store *store, const char *slug, pl_error *err);

#endif
