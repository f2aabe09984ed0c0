/*
 * cmd_export.c - `planner export KIND SLUG -o FILE`: the registrant list, the
 * agenda, the workshop pack and the carpool plan as xlsx, CSV, JSON or (the
 * carpools) GeoJSON (exporters/).
 */
#include "cli.h"
#include "exporters.h"

#include <string.h>

static const char help[] =
    "usage: planner [--db PATH] export registrants SLUG -o FILE [--public] [--format F] [--excel]\n"
    "       planner [--db PATH] export agenda SLUG -o FILE [--format F] [--excel]\n"
    "       planner [--db PATH] export pack SLUG -o FILE.xlsx\n"
    "       planner [--db PATH] export carpool SLUG -o FILE [--format F] [--excel]\n"
    "       planner [--db PATH] export signin SLUG -o FILE.pdf\n"
    "\n"
    "registrants  one row per person: name, e-mail, organization, origin, travel\n"
    "             role and seats, meal and diet, sessions, status (waiting list\n"
    "             and cancellations marked), registration time. Printed (xlsx):\n"
    "             landscape, one page wide, only the columns read on paper\n"
    "             (commune, consent, times and id stay on screen).\n"
    "             --public: the list to publish: only people who agreed to it,\n"
    "             only name and organization, sorted by name; never an e-mail.\n"
    "agenda       one row per session: date, start, end, duration, room, kind,\n"
    "             title, speakers, capacity, registered count; cancelled marked.\n"
    "pack         the workshop pack: one workbook with the sheets Registrants,\n"
    "             Agenda, Catering (meals and diets), the sign-in sheets (one per\n"
    "             day and per workshop, printable) and, once 'planner carpool\n"
    "             plan' has run, Carpools. In the event's language.\n"
    "carpool      the stored carpool plan, one row per person: group, driver or\n"
    "             passenger, name, e-mail, phone, organization, origin and its\n"
    "             commune, pickup order and time, km and detour, and who has no\n"
    "             seat and why. .json: the plan as 'carpool plan --format json';\n"
    "             .geojson: a map (uMap, QGIS, geojson.io) of each car's route\n"
    "             and stops, with names and times but no e-mail or phone.\n"
    "             For organisers only: there is no --public carpool list.\n"
    "signin       the sign-in sheets (feuilles d'émargement) as a PDF, for\n"
    "             people without a spreadsheet application: the pack's sheets,\n"
    "             A4 portrait, 20 people a page, fonts embedded.\n"
    "\n"
    "  -o, --output FILE  where to write; the format follows the extension\n"
    "                     (.xlsx, .csv, .json, .geojson) unless --format is given\n"
    "  --format F         xlsx, csv, json (or geojson for carpool)\n"
    "  --excel            CSV for French Excel: UTF-8 BOM and ';' separators\n"
    "  --public           registrants: the public list\n"
    "\n"
    "The file is written whole or not at all: a failed export leaves any\n"
    "previous FILE untouched. Columns and JSON fields: docs/exports.md.\n"
    "\n"
    "Example:\n"
    "  planner export registrants atelier-cem-2 -o inscrits.xlsx\n"
    "  planner export registrants atelier-cem-2 --public -o liste.csv --excel\n"
    "  planner export pack atelier-cem-2 -o atelier-cem-2.xlsx\n"
    "  planner export carpool atelier-cem-2 -o covoiturage.geojson\n"
    "  planner export signin atelier-cem-2 -o emargement.pdf\n";

enum { ALLOWS_PUBLIC = 1, XLSX_ONLY = 2, ALLOWS_GEOJSON = 4, PDF_ONLY = 8 };

static int export_pack(pl_store *store, const char *slug, const char *path,
                       const pl_export_options *opts, pl_error *err)
{
    (void)opts;
    return pl_export_pack(store, slug, path, err);
}

static int export_signin(pl_store *store, const char *slug, const char *path,
                         const pl_export_options *opts, pl_error *err)
{
    (void)opts;
    return pl_export_signin_pdf(store, slug, path, err);
}

/* The kinds of export; one line each. */
static const struct kind {
    const char *name;
    int (*fn)(pl_store *, const char *, const char *, const pl_export_options *, pl_error *);
    unsigned flags;
} kinds[] = {
    {"registrants", pl_export_registrants, ALLOWS_PUBLIC},
    {"agenda", pl_export_agenda, 0},
    {"pack", export_pack, XLSX_ONLY},
    {"carpool", pl_export_carpool, ALLOWS_GEOJSON},
    {"signin", export_signin, PDF_ONLY},
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

int cmd_export(int argc, char **argv)
{
    const char *slug = NULL, *path = NULL, *format = NULL;
    pl_export_options opts = PL_EXPORT_OPTIONS_INIT;
    const struct kind *k = NULL;
    pl_store *store = NULL;
    pl_error err;
    int rc;

    if (cli_wants_help(argc, argv))
        return cli_help(help);
    if (argc < 2) {
        fputs(help, stderr);
        return CLI_EUSAGE;
    }
    for (size_t i = 0; i < NKINDS; i++)
        if (strcmp(argv[1], kinds[i].name) == 0)
            k = &kinds[i];
    if (!k)
        return cli_usage("export",
                         "unknown export '%s' (registrants, agenda, pack, carpool or signin)",
                         argv[1]);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && i + 1 < argc)
            path = argv[++i];
        else if (strncmp(a, "--output=", 9) == 0)
            path = a + 9;
        else if (strcmp(a, "--format") == 0 && i + 1 < argc)
            format = argv[++i];
        else if (strncmp(a, "--format=", 9) == 0)
            format = a + 9;
        else if (strcmp(a, "--excel") == 0)
            opts.excel = 1;
        else if (strcmp(a, "--public") == 0 && (k->flags & ALLOWS_PUBLIC))
            opts.public_list = 1;
        else if (strcmp(a, "--public") == 0 && (k->flags & ALLOWS_GEOJSON))
            return cli_usage("export", "there is no public carpool list: it says who travels "
                                       "from where and with whom, and people consented only "
                                       "to the public list of registrants");
        else if (a[0] == '-' && a[1])
            return cli_usage("export", "unknown option '%s' for export %s", a, k->name);
        else if (!slug)
            slug = a;
        else
            return cli_usage("export", "unexpected argument '%s'", a);
    }
    if (!slug)
        return cli_usage(
            "export", "export %s needs an event SLUG ('planner event list' shows them)", k->name);
    if (!path)
        return cli_usage("export", "export %s needs -o FILE", k->name);
    if (format ? pl_export_format_parse(&opts.format, format) != 0
               : pl_export_format_from_path(&opts.format, path) != 0)
        return cli_usage("export",
                         format ? "--format is xlsx, csv, json, geojson or pdf, not '%s'"
                                : "cannot tell the format of '%s': name it .xlsx, .csv, "
                                  ".json, .geojson or .pdf, or give --format",
                         format ? format : path);
    if (opts.format == PL_EXPORT_GEOJSON && !(k->flags & ALLOWS_GEOJSON))
        return cli_usage("export", "GeoJSON is a map: for export carpool only");
    if ((opts.format == PL_EXPORT_PDF) != ((k->flags & PDF_ONLY) != 0))
        return cli_usage("export", (k->flags & PDF_ONLY)
                                       ? "the sign-in sheets are a PDF: name the file .pdf"
                                       : "a PDF is for the sign-in sheets: export signin");
    if ((k->flags & XLSX_ONLY) && opts.format != PL_EXPORT_XLSX)
        return cli_usage("export", "the %s is a workbook: name it .xlsx", k->name);
    if (opts.excel && opts.format != PL_EXPORT_CSV)
        return cli_usage("export", "--excel is for CSV files");
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (k->fn(store, slug, path, &opts, &err) != 0) {
        rc = cli_fail(&err);
    } else {
        fprintf(stderr, "planner: wrote %s\n", path);
        rc = CLI_OK;
    }
    pl_store_free(store);
    return rc;
}
