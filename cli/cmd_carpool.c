/*
 * cmd_carpool.c - `planner carpool plan|show|confirm|exclude|lock|together|move|changes`: plan an
 * event's carpools and store them, tell one attendee their assignment, confirm groups.
 */
#include "cli.h"
#include "calendar.h"
#include "carpool_json.h"
#include "carpool_plan.h"
#include "carpool_summary.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: planner [--db PATH] carpool plan SLUG [--max-detour PCT]\n"
    "               [--max-detour-minutes M|none] [--road-factor F] [--co2-factor KG]\n"
    "               [--keep-confirmed | --force] [--fresh] [--trip outbound|return|both]\n"
    "               [--format text|json] [--geocoder URL|none] [--geocoder-rate N]\n"
    "       planner [--db PATH] carpool show SLUG --email E [--format text|json]\n"
    "       planner [--db PATH] carpool confirm SLUG (--email E | --all)\n"
    "               [--trip outbound|return|both]\n"
    "       planner [--db PATH] carpool exclude SLUG --email E [--off]\n"
    "       planner [--db PATH] carpool lock SLUG --email DRIVER [--off]\n"
    "       planner [--db PATH] carpool together SLUG --email A --email B [--off]\n"
    "       planner [--db PATH] carpool together SLUG --email A --off\n"
    "       planner [--db PATH] carpool move SLUG --email E --to DRIVER\n"
    "               [--trip outbound|return] [--force]\n"
    "       planner [--db PATH] carpool changes SLUG [--format text|json]\n"
    "\n"
    "plan     group the event's confirmed registrations that travel (drive, ride,\n"
    "         flexible) into cars, store the plan (it replaces the previous one)\n"
    "         and print it: each car's driver, passengers in pickup order with\n"
    "         pickup times, km and detour; who has no seat and why; the totals.\n"
    "show     one attendee's assignment in plain words: who drives, who else\n"
    "         rides, where and when they are picked up - or why they have none;\n"
    "         and the way home, once it is planned.\n"
    "confirm  mark a group as confirmed: the driver's e-mail (--email), or every\n"
    "         group with passengers (--all, for the organiser); its members are\n"
    "         told by mail. --trip return confirms cars of the way home (the mail\n"
    "         says so), --trip both the two [outbound]. A later 'plan\n"
    "         --keep-confirmed' (of the same trip) keeps confirmed groups exactly\n"
    "         as they are, and every later change to them is mailed.\n"
    "exclude  never put this person in a group from the next plan on: a driver\n"
    "         goes alone, a passenger comes otherwise (reason 'excluded');\n"
    "         --off undoes it.\n"
    "lock     keep this driver's car (driver, passengers, order) in every\n"
    "         later plan, with or without --keep-confirmed; --off undoes it.\n"
    "together keep A and B in one car from the next plan on (the planner puts\n"
    "         one in the other's car within the seats and detour limits, never\n"
    "         changing a confirmed or locked car; the plan says how many pairs it\n"
    "         could not join); --off with both e-mails undoes that pair, with one\n"
    "         e-mail every pair of that person.\n"
    "move     put a passenger (or someone without a seat, or a driver going\n"
    "         alone) in the car of DRIVER in the stored plan: checks the seats\n"
    "         and the plan's detour limits, refuses a longer detour unless\n"
    "         --force and says by how much it grows; the pickup order and times\n"
    "         of both cars are computed again. A confirmed car that changes is\n"
    "         recorded and its people told by mail. It lasts until the next plan\n"
    "         unless the car is confirmed (--keep-confirmed) or locked.\n"
    "changes  the record of changes to confirmed cars (who joined, left, lost\n"
    "         their seat, was moved; a driver who cancelled or declined), oldest\n"
    "         first; each one's people were told by mail.\n"
    "\n"
    "Options of plan (defaults in brackets):\n"
    "  --max-detour PCT            a driver's route is at most PCT % longer than\n"
    "                              their direct trip [25]\n"
    "  --max-detour-minutes M|none and at most M minutes longer, stops included;\n"
    "                              'none' removes this cap [30]\n"
    "  --road-factor F             road km = great-circle km x F [1.3]\n"
    "  --co2-factor KG             kg CO2e per vehicle-km for the CO2 avoided\n"
    "                              [0.218, ADEME Base Carbone, average car]\n"
    "  --keep-confirmed            keep the confirmed groups of the stored plan\n"
    "                              and plan only the others\n"
    "  --force                     plan again without keeping the confirmed groups\n"
    "                              (refused without it, or --keep-confirmed, when\n"
    "                              the trip has confirmed groups): everyone in a\n"
    "                              confirmed car that changes or goes is recorded\n"
    "                              and told by mail; a car whose driver still\n"
    "                              drives passengers stays confirmed\n"
    "  --fresh                     plan the way there afresh; by default a re-plan\n"
    "                              keeps the previous cars where they still fit\n"
    "                              and newcomers take their spare seats, when that\n"
    "                              seats as many riders, so few people move\n"
    "  --trip outbound|return|both the way there, the way home, or both; on the\n"
    "                              way home cars leave the venue at the event's\n"
    "                              end (or the end of the last session each one\n"
    "                              attends), drop passengers in order, and the\n"
    "                              outbound groups go home together where they\n"
    "                              still fit [outbound]\n"
    "  --format text|json          output [text]\n"
    "  --geocoder URL|none         also ask this search service (BAN or Nominatim\n"
    "                              compatible) about the origins the built-in\n"
    "                              gazetteer cannot place; remembered in the\n"
    "                              database for later plans ('none' forgets it)\n"
    "  --geocoder-rate N           at most N requests per second [10; 1 for\n"
    "                              nominatim.openstreetmap.org]\n"
    "\n"
    "Origins are read as typed at registration (commune, postal code, 'lat,lon');\n"
    "an unknown or ambiguous origin leaves that person unassigned with the reason.\n"
    "Answers of the geocoder are cached in the database: an origin is asked once.\n"
    "See docs/origins.md.\n"
    "Times are the event's local times. Once planned, each attendee sees their\n"
    "group on their page (/me/TOKEN) and their pickup in their calendar feed\n"
    "(planner calendar SLUG --attendee E); 'planner export carpool' writes the\n"
    "plan as a spreadsheet or a map. See docs/carpool.md.\n"
    "\n"
    "Example:\n"
    "  planner carpool plan atelier-cem-2\n"
    "  planner carpool show atelier-cem-2 --email celine.vasseur@example.org\n"
    "  planner carpool confirm atelier-cem-2 --email celine.vasseur@example.org\n"
    "  planner carpool plan atelier-cem-2 --keep-confirmed --max-detour 40 --format json\n"
    "  planner carpool plan atelier-cem-2 --trip both\n"
    "  planner carpool exclude atelier-cem-2 --email lucas.fontaine@example.org\n"
    "  planner carpool lock atelier-cem-2 --email celine.vasseur@example.org\n"
    "  planner carpool together atelier-cem-2 --email lucas.fontaine@example.org \\\n"
    "                           --email aicha.diallo@example.org\n"
    "  planner carpool move atelier-cem-2 --email lucas.fontaine@example.org \\\n"
    "                       --to celine.vasseur@example.org\n"
    "  planner carpool changes atelier-cem-2 --format json\n"
    "  planner carpool plan atelier-cem-2 --geocoder https://api-adresse.data.gouv.fr/search/\n";

/* ---- progress on stderr, for large plans on a terminal ---- */

typedef struct progress {
    int enabled;
    int shown; /* last percent drawn */
    size_t participants;
} progress;

static void progress_fn(const char *stage, size_t done, size_t total, void *payload)
{
    progress *p = payload;

    if (strcmp(stage, "origins") == 0) {
        int pct = total ? (int)(100 * done / total) : 100;
        p->participants = total;
        if (p->enabled && pct != p->shown) {
            fprintf(stderr, "\rplanner: resolving origins %3d%%", pct);
            p->shown = pct;
        }
    } else if (strcmp(stage, "matching") == 0 && done == 0 && p->enabled) {
        fprintf(stderr, "\r\033[Kplanner: matching %zu participants...", p->participants);
    } else if (strcmp(stage, "saving") == 0 && p->enabled) {
        fprintf(stderr, done ? "\r\033[K" : "\r\033[Kplanner: saving the plan...");
    }
    fflush(stderr);
}

/* A bar only on a terminal and for plans that take a while; $PLANNER_PROGRESS
 * "always" or "never" overrides. The size is known once registrations are
 * read, so the first call decides. */
static void progress_init(progress *p, size_t expected)
{
    const char *env = getenv("PLANNER_PROGRESS");

    p->shown = -1;
    p->participants = 0;
    if (env && strcmp(env, "always") == 0)
        p->enabled = 1;
    else if (env && strcmp(env, "never") == 0)
        p->enabled = 0;
    else
        p->enabled = isatty(STDERR_FILENO) && expected >= 2000;
}

/* ---- options ---- */

static int parse_number(double *out, const char *s, double min, double max)
{
    char *end;
    double v;

    if (!s || !*s)
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (end != s && *end == '%' && end[1] == '\0')
        end++;
    if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* The value of option argv[*i] ("--opt V" or "--opt=V"), or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);

    if (strcmp(argv[*i], name) == 0)
        return *i + 1 < argc ? argv[++*i] : "";
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    return NULL;
}

/* ---- text output ---- */

/* "07:35", or the full local time when not on the event's day. */
static const char *clock(const char *t, const char *day)
{
    return strlen(t) == 16 && strncmp(t, day, 10) == 0 ? t + 11 : t;
}

static void print_place(const pl_carpool_member *m)
{
    char where[512];

    pl_carpool_member_where(where, sizeof(where), m);
    fputs(where, stdout);
    if (m->precision && strcmp(m->precision, "geocoder") == 0)
        fputs(" [geocoder]", stdout);
}

/* ---- geocoder ---- */

#define GEOCODER_SETTING "geocoder_url"

/*
 * The geocoder of this plan: --geocoder URL (then remembered), 'none'
 * (forgotten), else the remembered one. *url is "" for none; malloc'ed.
 */
static int geocoder_url(char **url, pl_store *store, const char *given, pl_error *err)
{
    int rc;

    *url = NULL;
    if (given) {
        if (strcmp(given, "none") == 0)
            given = "";
        if ((rc = pl_setting_set(store, GEOCODER_SETTING, given, err)) < 0)
            return rc;
        *url = pl_strdup(given);
    } else if ((rc = pl_setting_get(url, store, GEOCODER_SETTING, err)) == PL_ENOTFOUND) {
        *url = pl_strdup("");
    } else if (rc < 0) {
        return rc;
    }
    return *url ? 0 : pl_error_oom(err);
}

static void report_geocoder(const char *url, const pl_geocoder_stats *s)
{
    if (s->asked == 0)
        return;
    fprintf(stderr,
            "planner: geocoder %s: %zu origin%s the gazetteer could not place, %zu answered from "
            "the cache, %zu request%s (%zu failed%s), %zu placed\n",
            url, s->asked, s->asked == 1 ? "" : "s", s->cached, s->requests,
            s->requests == 1 ? "" : "s", s->failed, s->skipped ? ", more not asked" : "", s->found);
}

static void print_group(const pl_carpool_saved_group *g, const char *day, pl_carpool_trip trip)
{
    int home = trip == PL_CARPOOL_RETURN;
    printf("Car %d  %s, %s ", g->number, g->driver.name, home ? "home to" : "from");
    print_place(&g->driver);
    printf("\n       %zu of %d seat%s taken · %.1f km (+%.1f km)%s\n", g->npassengers, g->seats,
           g->seats == 1 ? "" : "s", g->distance_km, g->detour_km,
           g->confirmed ? " · confirmed" : "");
    printf("  %s  leaves%s\n", clock(g->departure, day), home ? " the venue" : "");
    for (size_t k = 0; k < g->npassengers; k++) {
        printf("  %s  %s %s at ", clock(g->passengers[k].time, day),
               home ? "drops off" : "picks up", g->passengers[k].name);
        print_place(&g->passengers[k]);
        printf("\n");
    }
    printf("  %s  arrives %s\n\n", clock(g->arrival, day), home ? "home" : "at the venue");
}

/* The people in no car: those who asked for a seat (riders 1), or the
 * others (drivers and flexible people, riders 0), each with the reason. */
static void print_unassigned(const pl_carpool_saved_plan *plan, int riders, const char *title,
                             size_t count)
{
    if (!count)
        return;
    printf("%s (%zu):\n", title, count);
    for (size_t u = 0; u < plan->nunassigned; u++) {
        const pl_carpool_saved_unassigned *un = &plan->unassigned[u];
        if ((un->travel && strcmp(un->travel, "ride") == 0) == riders)
            printf("  %s <%s>: %s\n", un->name, un->email, un->reason);
    }
    printf("\n");
}

static void print_plan(const pl_carpool_saved_plan *plan)
{
    const pl_carpool_options *o = &plan->options;
    const pl_carpool_totals *t = &plan->totals;
    const char *day = plan->event_start;
    size_t alone = 0, shown = 0;
    pl_carpool_summary sum;
    char words[2048];

    if (plan->trip == PL_CARPOOL_RETURN)
        printf("Carpools home from %s (event starts %s, %s)\n", plan->event_slug, plan->event_start,
               plan->timezone);
    else
        printf("Carpools for %s (event starts %s, %s)\n", plan->event_slug, plan->event_start,
               plan->timezone);
    printf("Detour at most %g %%", o->max_detour_pct);
    if (o->max_detour_minutes >= 0)
        printf(" and %g min", o->max_detour_minutes);
    printf("; road km = great circle x %g at %g km/h; planned %s\n\n", o->road_factor, o->speed_kmh,
           plan->planned);
    for (size_t g = 0; g < plan->ngroups; g++)
        if (plan->groups[g].npassengers > 0)
            print_group(&plan->groups[g], day, plan->trip);
        else
            alone++;
    if (alone) {
        printf("Driving alone (%zu): ", alone);
        for (size_t g = 0; g < plan->ngroups; g++)
            if (plan->groups[g].npassengers == 0)
                printf("%s%s", shown++ ? ", " : "", plan->groups[g].driver.name);
        printf("\n\n");
    }
    pl_carpool_summary_count(&sum, plan);
    print_unassigned(plan, 1, "Asked for a seat, without one", sum.unseated);
    print_unassigned(plan, 0, "Would drive, in no car", sum.not_in_car);
    fputs(pl_carpool_summary_text(words, sizeof(words), PL_LANG_EN, plan), stdout);
    printf("Totals: %.1f vehicle-km instead of %.1f if everyone drove alone: %.1f avoided\n",
           t->vehicle_km, t->vehicle_km_alone, t->vehicle_km_avoided);
    printf("        %.1f kg CO2e avoided (%g kg per vehicle-km)\n", t->co2_avoided_kg,
           o->co2_kg_per_km);
}

static void print_contact(const pl_carpool_member *m)
{
    printf("%s <%s>", m->name, m->email);
    if (m->phone)
        printf(", phone %s", m->phone);
}

/* One person's way home (a plan of the return trip). */
static void print_way_home(const pl_carpool_assignment *a)
{
    const pl_carpool_saved_group *g = a->group;
    const char *day = a->plan->event_start;

    printf("\nThe way home:\n");
    switch (a->role) {
    case PL_CARPOOL_AS_DRIVER:
        if (g->npassengers == 0) {
            printf("You drive home alone, leaving the venue at %s.\n", clock(g->departure, day));
            break;
        }
        printf("You drive car %d home. Leave the venue at %s and drop off, in this order:\n",
               g->number, clock(g->departure, day));
        for (size_t k = 0; k < g->npassengers; k++) {
            printf("  %s  ", clock(g->passengers[k].time, day));
            print_contact(&g->passengers[k]);
            printf(", at ");
            print_place(&g->passengers[k]);
            printf("\n");
        }
        printf("You are home at %s: %.1f km.\n", clock(g->arrival, day), g->distance_km);
        break;
    case PL_CARPOOL_AS_PASSENGER:
        printf("You ride home in car %d, driven by ", g->number);
        print_contact(&g->driver);
        printf(", leaving the venue at %s.\n", clock(g->departure, day));
        printf("Drop-off: %s at ", clock(a->self->time, day));
        print_place(a->self);
        printf(".\n");
        break;
    case PL_CARPOOL_AS_UNASSIGNED:
        printf("No carpool home: %s.\n", a->unassigned->reason);
        break;
    default:
        printf("No carpool home: %s.\n", a->reason);
        break;
    }
    if (g && g->npassengers)
        printf(g->confirmed ? "The car home is confirmed.\n"
                            : "The car home is not confirmed yet: it may change if the way "
                              "home is planned again.\n");
}

static void print_assignment(const pl_carpool_assignment *a)
{
    const pl_carpool_saved_plan *plan = a->plan;
    const pl_carpool_saved_group *g = a->group;
    const char *day = plan->event_start;

    printf("%s <%s>, carpool for %s (starts %s)\n", a->name, a->email, plan->event_slug,
           plan->event_start);
    switch (a->role) {
    case PL_CARPOOL_AS_DRIVER:
        if (g->npassengers == 0) {
            printf("You drive alone: nobody to pick up within the detour limit.\n");
            printf("Leave at %s to reach the venue at %s (%.1f km).\n", clock(g->departure, day),
                   clock(g->arrival, day), g->distance_km);
            break;
        }
        printf("You drive car %d. Leave at %s from ", g->number, clock(g->departure, day));
        print_place(&g->driver);
        printf(" and pick up, in this order:\n");
        for (size_t k = 0; k < g->npassengers; k++) {
            printf("  %s  ", clock(g->passengers[k].time, day));
            print_contact(&g->passengers[k]);
            printf(", at ");
            print_place(&g->passengers[k]);
            printf("\n");
        }
        printf("You reach the venue at %s: %.1f km, %.1f km more than your direct trip.\n",
               clock(g->arrival, day), g->distance_km, g->detour_km);
        break;
    case PL_CARPOOL_AS_PASSENGER:
        printf("You ride in car %d, driven by ", g->number);
        print_contact(&g->driver);
        printf(".\n");
        printf("Pickup: %s at your origin, ", clock(a->self->time, day));
        print_place(a->self);
        printf(" (%.5f, %.5f).\n", a->self->lat, a->self->lon);
        if (g->npassengers > 1) {
            printf("Also in the car:\n");
            for (size_t k = 0; k < g->npassengers; k++) {
                if (&g->passengers[k] == a->self)
                    continue;
                printf("  ");
                print_contact(&g->passengers[k]);
                printf(", picked up at %s\n", clock(g->passengers[k].time, day));
            }
        }
        printf("Arrival at the venue: %s.\n", clock(g->arrival, day));
        break;
    case PL_CARPOOL_AS_UNASSIGNED:
        printf("No carpool group: %s.\n", a->unassigned->reason);
        break;
    default:
        printf("No carpool group: %s.\n", a->reason);
        break;
    }
    if (g)
        printf(g->confirmed ? "The group is confirmed.\n"
                            : "The group is not confirmed yet: it may change if the plan is "
                              "made again.\n");
}

static void print_json(json_t *j)
{
    if (!j) {
        cli_warn("out of memory");
        return;
    }
    json_dumpf(j, stdout, PL_CARPOOL_JSON_FLAGS);
    putchar('\n');
    json_decref(j);
}

/* ---- subcommands ---- */

static int carpool_plan(int argc, char **argv)
{
    pl_carpool_plan_options opts = PL_CARPOOL_PLAN_OPTIONS_INIT;
    pl_carpool_saved_plan *plan = NULL;
    const char *slug = NULL, *format = "text", *v, *geocoder = NULL;
    pl_http_fetcher fetcher = PL_HTTP_FETCHER_INIT;
    pl_geocoder g = {NULL, pl_http_fetch, &fetcher};
    pl_geocoder_stats gstats;
    pl_store *store = NULL;
    char *url = NULL;
    size_t expected = 0;
    progress prog;
    pl_error err;
    int rc, ntrips = 1;
    pl_carpool_trip trips[2] = {PL_CARPOOL_OUTBOUND, PL_CARPOOL_RETURN};
    json_t *both = NULL;

    for (int i = 1; i < argc; i++) {
        if ((v = option_value(argc, argv, &i, "--max-detour"))) {
            if (parse_number(&opts.engine.max_detour_pct, v, 0, 1000) < 0)
                return cli_usage("carpool",
                                 "--max-detour takes a percentage from 0 to 1000, "
                                 "not '%s'",
                                 v);
        } else if ((v = option_value(argc, argv, &i, "--max-detour-minutes"))) {
            if (strcmp(v, "none") == 0)
                opts.engine.max_detour_minutes = PL_CARPOOL_UNLIMITED;
            else if (parse_number(&opts.engine.max_detour_minutes, v, 0, 24 * 60) < 0)
                return cli_usage("carpool",
                                 "--max-detour-minutes takes minutes (0 to 1440) "
                                 "or 'none', not '%s'",
                                 v);
        } else if ((v = option_value(argc, argv, &i, "--road-factor"))) {
            if (parse_number(&opts.engine.road_factor, v, 1, 3) < 0)
                return cli_usage("carpool", "--road-factor takes a number from 1 to 3, not '%s'",
                                 v);
        } else if ((v = option_value(argc, argv, &i, "--co2-factor"))) {
            if (parse_number(&opts.engine.co2_kg_per_km, v, 0, 10) < 0)
                return cli_usage("carpool", "--co2-factor takes kg per km from 0 to 10, not '%s'",
                                 v);
        } else if ((v = option_value(argc, argv, &i, "--format"))) {
            format = v;
        } else if ((v = option_value(argc, argv, &i, "--geocoder-rate"))) {
            if (parse_number(&fetcher.max_rate, v, 0.01, 50) < 0)
                return cli_usage("carpool",
                                 "--geocoder-rate takes requests per second from 0.01 to 50, "
                                 "not '%s'",
                                 v);
        } else if ((v = option_value(argc, argv, &i, "--geocoder"))) {
            if (strcmp(v, "none") != 0 && pl_geocoder_check_url(v, &err) < 0)
                return cli_usage("carpool", "%s", err.msg);
            geocoder = v;
        } else if ((v = option_value(argc, argv, &i, "--trip"))) {
            if (strcmp(v, "both") == 0) {
                ntrips = 2;
            } else if (pl_carpool_trip_parse(&trips[0], v) == 0) {
                ntrips = 1;
            } else {
                return cli_usage("carpool", "--trip is outbound, return or both, not '%s'", v);
            }
        } else if (strcmp(argv[i], "--keep-confirmed") == 0) {
            opts.keep_confirmed = 1;
        } else if (strcmp(argv[i], "--fresh") == 0) {
            opts.fresh = 1;
        } else if (strcmp(argv[i], "--force") == 0) {
            opts.force = 1;
        } else if (argv[i][0] == '-') {
            return cli_usage("carpool", "unknown option '%s'", argv[i]);
        } else if (!slug) {
            slug = argv[i];
        } else {
            return cli_usage("carpool", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!slug)
        return cli_usage("carpool", "plan needs an event SLUG");
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
        return cli_usage("carpool", "--format is text or json, not '%s'", format);
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (geocoder_url(&url, store, geocoder, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    if (*url) {
        g.url = url;
        /* The public Nominatim asks for at most one request per second. */
        if (fetcher.max_rate == 0 && strstr(url, "nominatim.openstreetmap.org"))
            fetcher.max_rate = 1;
        opts.geocoder = &g;
        opts.geocoder_stats = &gstats;
    }
    if (pl_carpool_travellers_count(&expected, store, slug, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    progress_init(&prog, expected);
    opts.progress = progress_fn;
    opts.payload = &prog;
    if (ntrips == 2 && strcmp(format, "json") == 0 && !(both = json_array())) {
        pl_error_oom(&err);
        rc = cli_fail(&err);
        goto done;
    }
    for (int k = 0; k < ntrips; k++) {
        opts.trip = trips[k];
        pl_carpool_saved_plan_free(plan);
        plan = NULL;
        if (pl_carpool_plan_event(&plan, store, slug, &opts, &err) < 0) {
            if (prog.enabled)
                fputs("\r\033[K", stderr);
            rc = cli_fail(&err);
            goto done;
        }
        if (opts.geocoder && k == 0)
            report_geocoder(url, &gstats);
        opts.geocoder = NULL; /* asked once */
        if (both)
            json_array_append_new(both, pl_carpool_plan_to_json(plan));
        else if (strcmp(format, "json") == 0)
            print_json(pl_carpool_plan_to_json(plan));
        else
            print_plan(plan);
        {
            char words[2048];
            /* the text output ends with the same summary */
            fprintf(stderr, "planner: carpool plan of '%s' (%s) stored\n%s", slug,
                    plan->trip == PL_CARPOOL_RETURN ? "the way home" : "the way there",
                    strcmp(format, "json") == 0
                        ? pl_carpool_summary_text(words, sizeof(words), PL_LANG_EN, plan)
                        : "");
        }
        if (plan->replaced) /* a first plan has nothing to compare with */
            fprintf(stderr, "planner: %zu %s changed car since the previous plan%s\n", plan->moved,
                    plan->moved == 1 ? "person" : "people",
                    plan->kept_previous ? " (its cars kept where they still fit)" : "");
        if (plan->together_unmet)
            fprintf(stderr,
                    "planner: %zu pair%s to keep together could not share a car (seats, detour "
                    "limits, or a confirmed or locked car)\n",
                    plan->together_unmet, plan->together_unmet == 1 ? "" : "s");
    }
    if (both)
        print_json(both);
    both = NULL;
    fprintf(stderr,
            "Next: planner carpool show %s --email E, planner carpool confirm %s "
            "--all, or planner export carpool %s -o carpools.xlsx\n",
            slug, slug, slug);
done:
    json_decref(both);
    free(url);
    pl_carpool_saved_plan_free(plan);
    pl_store_free(store);
    return rc;
}

static int carpool_show(int argc, char **argv)
{
    const char *slug = NULL, *email = NULL, *format = "text", *v;
    pl_carpool_assignment *a = NULL, *home = NULL;
    pl_store *store = NULL;
    pl_error err;
    int rc;

    for (int i = 1; i < argc; i++) {
        if ((v = option_value(argc, argv, &i, "--email")))
            email = v;
        else if ((v = option_value(argc, argv, &i, "--format")))
            format = v;
        else if (argv[i][0] == '-')
            return cli_usage("carpool", "unknown option '%s'", argv[i]);
        else if (!slug)
            slug = argv[i];
        else
            return cli_usage("carpool", "unexpected argument '%s'", argv[i]);
    }
    if (!slug)
        return cli_usage("carpool", "show needs an event SLUG");
    if (!email || !*email)
        return cli_usage("carpool", "show needs --email E");
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
        return cli_usage("carpool", "--format is text or json, not '%s'", format);
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (pl_carpool_assignment_find_email(&a, store, slug, email, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    /* the way home, when it is planned */
    rc = pl_carpool_assignment_find_email_trip(&home, store, slug, email, PL_CARPOOL_RETURN, &err);
    if (rc < 0 && rc != PL_ENOTFOUND) {
        rc = cli_fail(&err);
        goto done;
    }
    rc = 0;
    if (strcmp(format, "json") == 0) {
        json_t *j = pl_carpool_assignment_to_json(a);
        if (j && home)
            json_object_set_new(j, "return", pl_carpool_assignment_to_json(home));
        print_json(j);
    } else {
        print_assignment(a);
        if (home)
            print_way_home(home);
    }
done:
    pl_carpool_assignment_free(a);
    pl_carpool_assignment_free(home);
    pl_store_free(store);
    return rc;
}

/* carpool exclude | lock SLUG --email E [--off] */
static int carpool_choice(int argc, char **argv, pl_carpool_choice choice)
{
    const char *slug = NULL, *email = NULL, *v, *what = argv[0];
    pl_store *store = NULL;
    int off = 0, rc;
    pl_error err;

    for (int i = 1; i < argc; i++) {
        if ((v = option_value(argc, argv, &i, "--email")))
            email = v;
        else if (strcmp(argv[i], "--off") == 0)
            off = 1;
        else if (argv[i][0] == '-')
            return cli_usage("carpool", "unknown option '%s'", argv[i]);
        else if (!slug)
            slug = argv[i];
        else
            return cli_usage("carpool", "unexpected argument '%s'", argv[i]);
    }
    if (!slug)
        return cli_usage("carpool", "%s needs an event SLUG", what);
    if (!email || !*email)
        return cli_usage("carpool", "%s needs --email E", what);
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (pl_carpool_choice_set(store, slug, email, choice, !off, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    if (choice == PL_CARPOOL_EXCLUDE)
        fprintf(stderr, "planner: %s is %s the carpools from the next plan on\n", email,
                off ? "back in" : "left out of");
    else
        fprintf(stderr, "planner: the car driven by %s is %s\n", email,
                off ? "no longer locked" : "locked: every re-plan keeps it");
    fprintf(stderr, "Next: planner carpool plan %s\n", slug);
done:
    pl_store_free(store);
    return rc;
}

/* carpool changes SLUG [--format text|json] */
static int carpool_changes(int argc, char **argv)
{
    const char *slug = NULL, *format = "text", *v;
    pl_carpool_change *list = NULL;
    pl_store *store = NULL;
    size_t n = 0;
    int rc;
    pl_error err;

    for (int i = 1; i < argc; i++) {
        if ((v = option_value(argc, argv, &i, "--format")))
            format = v;
        else if (argv[i][0] == '-')
            return cli_usage("carpool", "unknown option '%s'", argv[i]);
        else if (!slug)
            slug = argv[i];
        else
            return cli_usage("carpool", "unexpected argument '%s'", argv[i]);
    }
    if (!slug)
        return cli_usage("carpool", "changes needs an event SLUG");
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
        return cli_usage("carpool", "--format is text or json, not '%s'", format);
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (pl_carpool_changes_list(&list, &n, store, slug, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    if (strcmp(format, "json") == 0) {
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < n; i++) {
            const pl_carpool_change *c = &list[i];
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "at",
                                                 c->at, "trip", c->trip, "what", c->what, "name",
                                                 c->name ? c->name : "", "email",
                                                 c->email ? c->email : "", "driver",
                                                 c->driver_email, "from_driver", c->from_email));
        }
        print_json(arr ? json_pack("{s:s, s:o}", "event", slug, "changes", arr) : NULL);
    } else {
        if (n == 0)
            printf("No change to a confirmed car of '%s' yet.\n", slug);
        for (size_t i = 0; i < n; i++) {
            const pl_carpool_change *c = &list[i];
            printf("%s  %-8s  %-16s  %s", c->at, c->trip, c->what, c->email ? c->email : "");
            if (c->driver_email && (!c->email || strcmp(c->driver_email, c->email) != 0))
                printf("  car of %s", c->driver_email);
            if (c->from_email)
                printf(" (from the car of %s)", c->from_email);
            putchar('\n');
        }
    }
done:
    pl_carpool_changes_free(list, n);
    pl_store_free(store);
    return rc;
}

/* carpool together SLUG --email A --email B [--off] | --email A --off */
static int carpool_together(int argc, char **argv)
{
    const char *slug = NULL, *a = NULL, *b = NULL, *v;
    pl_store *store = NULL;
    int off = 0, rc;
    pl_error err;

    for (int i = 1; i < argc; i++) {
        if ((v = option_value(argc, argv, &i, "--email"))) {
            if (!a)
                a = v;
            else if (!b)
                b = v;
            else
                return cli_usage("carpool", "together takes two --email, not more");
        } else if (strcmp(argv[i], "--off") == 0) {
            off = 1;
        } else if (argv[i][0] == '-') {
            return cli_usage("carpool", "unknown option '%s'", argv[i]);
        } else if (!slug) {
            slug = argv[i];
        } else {
            return cli_usage("carpool", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!slug)
        return cli_usage("carpool", "together needs an event SLUG");
    if (!a || !*a || (b && !*b))
        return cli_usage("carpool", "together needs --email A --email B");
    if (!b && !off)
        return cli_usage("carpool", "together needs a second --email B (or --off to undo "
                                    "every pair of A)");
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (pl_carpool_together_set(store, slug, a, b, !off, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    if (!b)
        fprintf(stderr, "planner: %s is no longer kept with anyone\n", a);
    else
        fprintf(stderr, "planner: %s and %s are %s from the next plan on\n", a, b,
                off ? "no longer kept together" : "kept in one car");
    fprintf(stderr, "Next: planner carpool plan %s\n", slug);
done:
    pl_store_free(store);
    return rc;
}

/* carpool move SLUG --email E --to DRIVER [--trip outbound|return] [--force] */
static int carpool_move(int argc, char **argv)
{
    const char *slug = NULL, *email = NULL, *to = NULL, *trip_name = "outbound", *v;
    pl_carpool_trip trip;
    pl_carpool_move_result res;
    pl_store *store = NULL;
    int force = 0, rc;
    pl_error err;

    for (int i = 1; i < argc; i++) {
        if ((v = option_value(argc, argv, &i, "--email")))
            email = v;
        else if ((v = option_value(argc, argv, &i, "--to")))
            to = v;
        else if ((v = option_value(argc, argv, &i, "--trip")))
            trip_name = v;
        else if (strcmp(argv[i], "--force") == 0)
            force = 1;
        else if (argv[i][0] == '-')
            return cli_usage("carpool", "unknown option '%s'", argv[i]);
        else if (!slug)
            slug = argv[i];
        else
            return cli_usage("carpool", "unexpected argument '%s'", argv[i]);
    }
    if (!slug)
        return cli_usage("carpool", "move needs an event SLUG");
    if (!email || !*email)
        return cli_usage("carpool", "move needs --email E (the person to move)");
    if (!to || !*to)
        return cli_usage("carpool", "move needs --to DRIVER (the driver's e-mail)");
    if (pl_carpool_trip_parse(&trip, trip_name) < 0)
        return cli_usage("carpool", "--trip is outbound or return, not '%s'", trip_name);
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (pl_carpool_move(&res, store, slug, email, to, trip, force, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    printf("%s now rides with %s (%s).\n", email, to,
           trip == PL_CARPOOL_RETURN ? "the way home" : "the way there");
    printf("Detour of that car: %.1f km (%.0f %%, %.0f min) -> %.1f km (%.0f %%, %.0f min): "
           "%+.1f km, %+.0f min%s.\n",
           res.detour_km_before, res.detour_pct_before, res.detour_min_before, res.detour_km_after,
           res.detour_pct_after, res.detour_min_after, res.detour_km_after - res.detour_km_before,
           res.detour_min_after - res.detour_min_before,
           res.over_limit ? ", beyond the plan's limits (accepted with --force)" : "");
    if (res.recorded)
        printf("A confirmed car changed: recorded, %d message%s queued.\n", res.told,
               res.told == 1 ? "" : "s");
    fprintf(stderr, "Next: planner carpool show %s --email %s\n", slug, email);
done:
    pl_store_free(store);
    return rc;
}

static int carpool_confirm(int argc, char **argv)
{
    const char *slug = NULL, *email = NULL, *v;
    pl_carpool_trip trips[2] = {PL_CARPOOL_OUTBOUND, PL_CARPOOL_RETURN};
    pl_store *store = NULL;
    size_t n = 0;
    int all = 0, rc = 0, ntrips = 1, done_any = 0;
    pl_error err, first;

    for (int i = 1; i < argc; i++) {
        if ((v = option_value(argc, argv, &i, "--email"))) {
            email = v;
        } else if ((v = option_value(argc, argv, &i, "--trip"))) {
            if (strcmp(v, "both") == 0)
                ntrips = 2;
            else if (pl_carpool_trip_parse(&trips[0], v) == 0)
                ntrips = 1;
            else
                return cli_usage("carpool", "--trip is outbound, return or both, not '%s'", v);
        } else if (strcmp(argv[i], "--all") == 0) {
            all = 1;
        } else if (argv[i][0] == '-') {
            return cli_usage("carpool", "unknown option '%s'", argv[i]);
        } else if (!slug) {
            slug = argv[i];
        } else {
            return cli_usage("carpool", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!slug)
        return cli_usage("carpool", "confirm needs an event SLUG");
    if (!!all == !!email)
        return cli_usage("carpool", "confirm needs either --email E (the driver) or --all");
    if (email && !*email)
        return cli_usage("carpool", "--email needs an address");
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    memset(&first, 0, sizeof(first));
    for (int k = 0; k < ntrips; k++) {
        const char *way = trips[k] == PL_CARPOOL_RETURN ? "the way home: "
                          : ntrips == 2                 ? "the way there: "
                                                        : "";
        if (pl_carpool_confirm_trip(&n, store, slug, email, trips[k], &err) < 0) {
            /* --trip both: a trip without a plan or without this car is
             * said, the other is still confirmed */
            if (ntrips == 1 || err.code == PL_EIO || err.code == PL_ERROR) {
                rc = cli_fail(&err);
                goto done;
            }
            if (!first.code)
                first = err;
            fprintf(stderr, "planner: %s%s\n", way, err.msg);
            continue;
        }
        done_any = 1;
        if (email)
            fprintf(stderr, "planner: %sthe group driven by %s is %s\n", way, email,
                    n ? "confirmed" : "already confirmed");
        else
            fprintf(stderr, "planner: %s%zu group%s confirmed\n", way, n, n == 1 ? "" : "s");
    }
    if (!done_any) {
        rc = cli_fail(&first);
        goto done;
    }
    fprintf(stderr, "Next: planner carpool plan %s --keep-confirmed%s (re-plans the others only)\n",
            slug,
            ntrips == 2                     ? " --trip both"
            : trips[0] == PL_CARPOOL_RETURN ? " --trip return"
                                            : "");
done:
    pl_store_free(store);
    return rc;
}

int cmd_carpool(int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    if (argc < 2)
        return cli_usage(
            "carpool",
            "which subcommand: plan, show, confirm, exclude, lock, together, move or changes?");
    if (strcmp(argv[1], "plan") == 0)
        return carpool_plan(argc - 1, argv + 1);
    if (strcmp(argv[1], "show") == 0)
        return carpool_show(argc - 1, argv + 1);
    if (strcmp(argv[1], "confirm") == 0)
        return carpool_confirm(argc - 1, argv + 1);
    if (strcmp(argv[1], "exclude") == 0)
        return carpool_choice(argc - 1, argv + 1, PL_CARPOOL_EXCLUDE);
    if (strcmp(argv[1], "lock") == 0)
        return carpool_choice(argc - 1, argv + 1, PL_CARPOOL_LOCK);
    if (strcmp(argv[1], "changes") == 0)
        return carpool_changes(argc - 1, argv + 1);
    if (strcmp(argv[1], "together") == 0)
        return carpool_together(argc - 1, argv + 1);
    if (strcmp(argv[1], "move") == 0)
        return carpool_move(argc - 1, argv + 1);
    return cli_usage("carpool", "unknown subcommand '%s'", argv[1]);
}
