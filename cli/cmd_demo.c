/*
 * cmd_demo.c - `planner demo`: the sample workshop end to end, by running the
 * real commands one after the other on a database in the output folder.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char help[] =
    "usage: planner demo [--out DIR]\n"
    "\n"
    "Run the sample events end to end into DIR (default: ./planner-demo):\n"
    "import every event of sample-events/ and the registrations of the next\n"
    "workshop (atelier-cem-2), check the agendas, show that workshop's agenda,\n"
    "plan and print its carpool groups, and write what it produces into DIR:\n"
    "its event file, its calendar feed (atelier-cem-2.ics), the all-events\n"
    "feed (events.ics), one attendee's feed with their carpool pickup\n"
    "(atelier-cem-2.attendee.ics: a driver), its workshop pack with the\n"
    "Carpools sheet (atelier-cem-2.pack.xlsx) and the map of the carpools\n"
    "(atelier-cem-2.carpool.geojson, for uMap, QGIS or geojson.io).\n"
    "The database is DIR/planner.db unless --db is given.\n"
    "Running it again updates the same database in place.\n"
    "\n"
    "Example:\n"
    "  planner demo --out /tmp/demo && ls /tmp/demo\n";

#define DEMO_EVENT "atelier-cem-2"
/* A sample attendee who chose a breakout and drives a car of the carpool
 * plan: their feed shows the pickup. */
#define DEMO_ATTENDEE "celine.vasseur@example.org"

static int run(int (*fn)(int, char **), int argc, char **argv)
{
    int rc;

    fflush(stdout);
    rc = fn(argc, argv);
    fflush(stdout);
    return rc;
}

static int mkdir_p(const char *dir)
{
    char tmp[4096];

    snprintf(tmp, sizeof(tmp), "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Import every sample event file (sorted by name). */
static int import_samples(const char *samples)
{
    char *argv[64] = {"event", "import"};
    int argc = 2, rc;
    struct dirent *de;
    DIR *d = opendir(samples);

    if (!d) {
        cli_warn("%s: cannot read the sample events: %s", samples, strerror(errno));
        return CLI_EIO;
    }
    while ((de = readdir(d)) && argc < 63) {
        size_t n = strlen(de->d_name);
        /* events only: not the form mappings saved beside them (*.form-map.json) */
        if (n > 5 && strcmp(de->d_name + n - 5, ".json") == 0 &&
            !(n > 14 && strcmp(de->d_name + n - 14, ".form-map.json") == 0)) {
            size_t len = strlen(samples) + n + 2;
            argv[argc] = malloc(len);
            if (!argv[argc])
                break;
            snprintf(argv[argc++], len, "%s/%s", samples, de->d_name);
        }
    }
    closedir(d);
    qsort(argv + 2, (size_t)argc - 2, sizeof(char *), by_name);
    rc = argc > 2 ? run(cmd_event, argc, argv) : CLI_EIO;
    if (argc == 2)
        cli_warn("%s: no sample events (*.json) found", samples);
    for (int i = 2; i < argc; i++)
        free(argv[i]);
    return rc;
}

/* Import the sample registrations of the demo event. */
static int import_registrations(const char *samples)
{
    char path[4096];
    char *argv[] = {"registrations", "import", DEMO_EVENT, path, NULL};

    snprintf(path, sizeof(path), "%s/%s.registrations.csv", samples, DEMO_EVENT);
    return run(cmd_registrations, 4, argv);
}

static int write_agenda_json(const char *out_dir)
{
    pl_store *store = NULL;
    pl_event *ev = NULL;
    char path[4096];
    pl_error err;
    int rc;

    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (pl_event_load(&ev, store, DEMO_EVENT, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    snprintf(path, sizeof(path), "%s/%s.event.json", out_dir, DEMO_EVENT);
    json_t *j = pl_event_to_json(ev);
    if (!j || json_dump_file(j, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
        cli_warn("%s: cannot write", path);
        rc = CLI_EIO;
    } else {
        fprintf(stderr, "planner: wrote %s\n", path);
    }
    json_decref(j);
done:
    pl_event_free(ev);
    pl_store_free(store);
    return rc;
}

/* The sample event's feed and the all-events feed, as subscribers get them. */
static int write_feeds(const char *out_dir)
{
    char event_ics[4096], all_ics[4096], attendee_ics[4096];
    char *event_args[] = {"calendar", DEMO_EVENT, "-o", event_ics, NULL};
    char *all_args[] = {"calendar", "-o", all_ics, NULL};
    char *attendee_args[] = {"calendar", DEMO_EVENT,   "--attendee", DEMO_ATTENDEE,
                             "-o",       attendee_ics, NULL};
    int rc;

    snprintf(event_ics, sizeof(event_ics), "%s/%s.ics", out_dir, DEMO_EVENT);
    snprintf(all_ics, sizeof(all_ics), "%s/events.ics", out_dir);
    snprintf(attendee_ics, sizeof(attendee_ics), "%s/%s.attendee.ics", out_dir, DEMO_EVENT);
    if ((rc = run(cmd_calendar, 4, event_args)) != 0)
        return rc;
    if ((rc = run(cmd_calendar, 3, all_args)) != 0)
        return rc;
    return run(cmd_calendar, 6, attendee_args);
}

int cmd_demo(int argc, char **argv)
{
    const char *out = "planner-demo", *samples;
    char db[4096];
    int rc;

    if (cli_wants_help(argc, argv))
        return cli_help(help);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strncmp(argv[i], "--out=", 6) == 0)
            out = argv[i] + 6;
        else
            return cli_usage("demo", "unexpected argument '%s'", argv[i]);
    }
    if (!(samples = cli_samples_dir())) {
        cli_warn("cannot find the sample events; set PLANNER_SAMPLES to the sample-events "
                 "folder");
        return CLI_EIO;
    }
    if (mkdir_p(out) != 0) {
        cli_warn("%s: cannot create the folder: %s", out, strerror(errno));
        return CLI_EIO;
    }
    if (!cli_opts.db_explicit) {
        snprintf(db, sizeof(db), "%s/planner.db", out);
        cli_opts.db_path = db;
    }
    fprintf(stderr, "planner: demo into %s (database %s)\n", out, cli_opts.db_path);

    if ((rc = import_samples(samples)) != 0)
        return rc;
    if ((rc = import_registrations(samples)) != 0)
        return rc;
    {
        char *check[] = {"agenda", "check", NULL};
        if ((rc = run(cmd_agenda, 2, check)) != 0)
            return rc;
    }
    {
        char *show[] = {"agenda", "show", DEMO_EVENT, NULL};
        if ((rc = run(cmd_agenda, 3, show)) != 0)
            return rc;
    }
    {
        /* Carpools of the sample registrations: stored, and the groups printed. */
        char *plan[] = {"carpool", "plan", DEMO_EVENT, NULL};
        if ((rc = run(cmd_carpool, 3, plan)) != 0)
            return rc;
    }
    if ((rc = write_agenda_json(out)) != 0)
        return rc;
    if ((rc = write_feeds(out)) != 0)
        return rc;
    {
        /* the workshop pack: registrants, agenda, catering, sign-in, carpools */
        char pack[4096];
        char *export[] = {"export", "pack", DEMO_EVENT, "-o", pack, NULL};
        snprintf(pack, sizeof(pack), "%s/%s.pack.xlsx", out, DEMO_EVENT);
        if ((rc = run(cmd_export, 5, export)) != 0)
            return rc;
    }
    {
        /* the carpools on a map */
        char map[4096];
        char *export[] = {"export", "carpool", DEMO_EVENT, "-o", map, NULL};
        snprintf(map, sizeof(map), "%s/%s.carpool.geojson", out, DEMO_EVENT);
        if ((rc = run(cmd_export, 5, export)) != 0)
            return rc;
    }
    fprintf(stderr, "planner: demo done. Try: planner --db %s agenda show %s\n", cli_opts.db_path,
            DEMO_EVENT);
    return CLI_OK;
}
