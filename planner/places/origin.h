/*
 * Origins: where an attendee travels from, as people type it, resolved to a
 * point with the embedded gazetteer of French communes (data/, built from
 * INSEE/La Poste/GeoNames open data; see docs/origins.md).
 *
 * Accepted text (case, accents, hyphens, apostrophes and Saint/St/Ste are
 * forgiven; words may come in any order):
 *   "48.8566, 2.3522"  "48.8566 2.3522"  "48,8566; 2,3522"   coordinates
 *   "35000"  "1400" (a dropped leading zero, = 01400)         postal code
 *   "Rennes"  "St-Étienne"  "L'Haÿ-les-Roses"                 commune name
 *   "Lyon 69"  "Rennes (35)"  "75011 Paris"  "Saint-Denis 93"  name + postal
 *   "Saint-Denis Réunion"                                     code or département
 *   "Paris 11e"  "Paris 11"  "Lyon 1er"  "Marseille 13e arrondissement"
 *   "35"  "Ille-et-Vilaine"                                   a département
 *   Former communes ("Cherbourg-Octeville", "Annecy-le-Vieux") resolve to
 *   their own point when GeoNames has one, and to their current commune.
 *
 * Decisions:
 *   - A bare number after Paris/Lyon/Marseille is an arrondissement, unless it
 *     is the city's département ("Marseille 13" is Marseille, département 13;
 *     write "Marseille 13e" for the arrondissement).
 *   - A name matching several communes is resolved only if the most populous
 *     one holds at least 85 % of their combined population ("Valence" ->
 *     Valence, Drôme); the result is then flagged `guessed` and the reason
 *     says so. Otherwise the status is PL_ORIGIN_AMBIGUOUS, with no point.
 *   - A postal code shared by several communes resolves to the commune whose
 *     main code it is (the most populous if several), with precision
 *     PL_ORIGIN_PRECISION_POSTAL_CODE.
 *   - An unknown postal code (a CEDEX code, say) falls back to its
 *     département, flagged `guessed`.
 *   - A name and a postal code that contradict each other are ambiguous.
 * Nothing here ever blocks a registration: callers keep the typed text and
 * show `reason` when the status is not PL_ORIGIN_OK or `guessed` is set.
 */
#ifndef PL_ORIGIN_H
#define PL_ORIGIN_H

typedef enum pl_origin_status {
    PL_ORIGIN_UNKNOWN = 0, /* nothing usable in the text; no point */
    PL_ORIGIN_OK,          /* a point was found (check `guessed`) */
    PL_ORIGIN_AMBIGUOUS    /* several places fit equally well; no point */
} pl_origin_status;

/* How far the point may be from where the person actually is. */
typedef enum pl_origin_precision {
    PL_ORIGIN_PRECISION_NONE = 0,    /* no point */
    PL_ORIGIN_PRECISION_COORDINATES, /* typed coordinates, taken as they are */
    PL_ORIGIN_PRECISION_COMMUNE,     /* the commune's (or arrondissement's) own point,
                                        its centre; for a former commune without
                                        its own point, its current commune's */
    PL_ORIGIN_PRECISION_POSTAL_CODE, /* a commune sharing the postal code */
    PL_ORIGIN_PRECISION_NEARBY,      /* a commune of the same intercommunality */
    PL_ORIGIN_PRECISION_DEPARTEMENT, /* the département's chef-lieu */
    PL_ORIGIN_PRECISION_GEOCODER     /* found by the HTTP geocoder the user set
                                        (planner/geocoder.h), not the gazetteer */
} pl_origin_precision;

typedef struct pl_origin {
    pl_origin_status status;
    pl_origin_precision precision;
    int guessed;         /* 1: OK, but a choice was made for the user (see reason) */
    int candidates;      /* places that matched the name (0 when no name was given) */
    double lat, lon;     /* WGS 84 degrees; 0 when there is no point */
    char name[96];       /* resolved commune or département name, UTF-8 */
    char postal_code[6]; /* "01400"; empty if unknown */
    char insee[6];       /* INSEE code of the current commune; empty if none */
    char departement[4]; /* "35", "2A", "974"; empty if unknown */
    char reason[320];    /* one line for humans: why there is no point, what was
                            chosen, or how approximate the point is; empty when
                            the text named one place with its own point */
} pl_origin;

/*
 * Resolves `text` (UTF-8, as typed; NULL is taken as empty) into `out`,
 * which is always filled. Pure: reads only the embedded gazetteer, allocates
 * nothing, safe from any thread.
 *
 * Returns PL_OK (0) when out->status is PL_ORIGIN_OK, PL_ENOTFOUND when it
 * is PL_ORIGIN_AMBIGUOUS or PL_ORIGIN_UNKNOWN.
 */
int pl_origin_resolve(pl_origin *out, const char *text);

/* "ok", "ambiguous", "unknown": stable names for files and JSON. */
const char *pl_origin_status_name(pl_origin_status status);

/* "none", "coordinates", "commune", "postal-code", "nearby", "departement",
 * "geocoder". */
const char *pl_origin_precision_name(pl_origin_precision precision);

#endif
