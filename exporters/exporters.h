/*
 * exporters.h - the registrant list, the agenda and the workshop pack as
 * spreadsheets (xlsx), CSV and JSON. See docs/exports.md for the columns
 * and JSON field names.
 *
 * Every export writes a temporary file next to the target and renames it
 * over the target on success: a failed export never leaves a half-written
 * file and never destroys the previous one. An unwritable target gives
 * PL_EIO with a message naming it.
 */
#ifndef PL_EXPORTERS_H
#define PL_EXPORTERS_H

#include "planner.h"

typedef enum pl_export_format {
    PL_EXPORT_XLSX,
    PL_EXPORT_CSV,
    PL_EXPORT_JSON,
    PL_EXPORT_GEOJSON, /* maps: the carpool export only */
    PL_EXPORT_PDF      /* print: the sign-in sheets only */
} pl_export_format;

/* "xlsx", "csv", "json", "geojson" or "pdf". */
const char *pl_export_format_name(pl_export_format format);
/* Parse a format name (case-insensitive). Returns 0 or PL_EINVALID. */
int pl_export_format_parse(pl_export_format *out, const char *name);
/* The format named by path's extension (.xlsx, .csv, .json, .geojson, .pdf, any case).
 * Returns 0 or PL_EINVALID (no or unknown extension). */
int pl_export_format_from_path(pl_export_format *out, const char *path);

/* A session kind ("workshop" ...) in lang, a static string; unknown kinds
 * as they are (borrowed from kind). */
const char *pl_export_kind_text(pl_lang lang, const char *kind);

typedef struct pl_export_options {
    pl_export_format format;
    int excel;       /* CSV: UTF-8 BOM and ';', what French Excel opens */
    int public_list; /* registrants: the public list (see pl_export_registrants) */
} pl_export_options;
#define PL_EXPORT_OPTIONS_INIT                                                                     \
    {                                                                                              \
        PL_EXPORT_XLSX, 0, 0                                                                       \
    }

/*
 * The agenda of the event slug into path: one row per session (cancelled
 * ones included and marked) with date, start, end, duration, room, kind,
 * title, speakers with their organizations, capacity and how many
 * confirmed registrants chose it. PL_ENOTFOUND for an unknown event.
 */
int pl_export_agenda(pl_store *store, const char *slug, const char *path,
                     const pl_export_options *opts, pl_error *err);

/*
 * The registrants of the event slug into path.
 * Organiser list: every field, one row per person: confirmed people first,
 * then the waiting list in its order, then cancellations, each group sorted
 * by name; status and waiting-list position in their own columns.
 * Public list (opts->public_list): only confirmed people who consented, only
 * their name and organization, sorted by name in French collation order;
 * never an e-mail address, token or uid.
 */
int pl_export_registrants(pl_store *store, const char *slug, const char *path,
                          const pl_export_options *opts, pl_error *err);

/*
 * The workshop pack of the event slug: one xlsx workbook with the sheets
 * Registrants (the organiser list), Agenda, Catering (meals per diet and the
 * total), Sign-in (name, organization and a blank signature column,
 * printable: landscape, header row repeated on each page, fit to the page
 * width) and, once a carpool plan is stored, Carpools (the rows of
 * pl_export_carpool).
 */
int pl_export_pack(pl_store *store, const char *slug, const char *path, pl_error *err);

/*
 * The sign-in sheets of the event slug (the pack's, see docs/exports.md) as
 * a PDF into path: A4 portrait, one sheet per day and per workshop, 20
 * people a page, fonts embedded. PL_ENOTFOUND for an unknown event.
 */
int pl_export_signin_pdf(pl_store *store, const char *slug, const char *path, pl_error *err);

/* One person of the public list: name, and organization (NULL when none).
 * Return 0 to go on; anything else stops the visit and is returned. */
typedef int (*pl_public_list_fn)(const char *name, const char *organization, void *payload);

/*
 * Visit the public list of the event slug in its order (the rows of
 * `export registrants --public`: confirmed people who consented, by name in
 * French order). Nothing else about a person is ever handed out: the page
 * or file built from it cannot carry an e-mail, token or uid. Returns 0,
 * PL_ENOTFOUND for an unknown event, another PL_E... code, or what fn
 * returned to stop.
 */
int pl_public_list_each(pl_store *store, const char *slug, pl_public_list_fn fn, void *payload,
                        pl_error *err);

/*
 * The stored carpool plan of the event slug (planner carpool plan) into
 * path, for the organiser:
 *   xlsx, CSV  one row per person: each car's driver then its passengers in
 *              pickup order (group, role, name, e-mail, phone, organization,
 *              origin as typed, resolved commune, pickup order, pickup date
 *              and time, km and detour on the driver's row, confirmed), then
 *              the people without a seat and why;
 *   JSON       the plan as `planner carpool plan --format json` prints it;
 *   GeoJSON    (RFC 7946) each car's route as a LineString from the
 *              driver's origin through the pickups to the venue, a Point
 *              per stop and one for the venue; names and times, no e-mail
 *              or phone (map files travel further than spreadsheets).
 * PL_ENOTFOUND for an unknown event or one without a plan yet.
 */
int pl_export_carpool(pl_store *store, const char *slug, const char *path,
                      const pl_export_options *opts, pl_error *err);

#endif
