/*
 * main.c - the `planner` executable: global options, then one subcommand
 * from the table below.
 */
#include "carpool_plan.h"
#include "cli.h"
#include "registration.h"

#include <stdlib.h>
#include <string.h>

static const cli_command commands[] = {
    {"init", cmd_init, "create or upgrade the database"},
    {"demo", cmd_demo, "run the sample event end to end into a folder"},
    {"event", cmd_event, "import, list and show events"},
    {"agenda", cmd_agenda, "show an event's agenda, or check it for conflicts"},
    {"register", cmd_register, "register someone for an event (or update them)"},
    {"registrations", cmd_registrations, "import, list and cancel registrations"},
    {"sessions", cmd_sessions, "allocate ranked people to parallel workshops"},
    {"calendar", cmd_calendar, "write an iCalendar feed: all events, one event, one attendee"},
    {"subscribe", cmd_subscribe, "import a remote iCalendar feed into the events calendar"},
    {"export", cmd_export, "the registrant list, agenda or workshop pack as xlsx, CSV, JSON"},
    {"serve", cmd_serve, "serve feeds, event pages, registration and the JSON API over HTTP"},
    {"carpool", cmd_carpool, "plan carpool groups, show one attendee's, confirm groups"},
    {"mail", cmd_mail, "send attendees their messages; list, preview, retry, announce"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int usage(FILE *out)
{
    fprintf(out, "usage: planner [--db PATH] COMMAND [ARGS]\n"
                 "\n"
                 "Plan workshops: agendas, registrations, carpools, calendar feeds, exports.\n"
                 "\n"
                 "Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n"
                 "Options:\n"
                 "  --db PATH    the database file (default: $PLANNER_DB, else ./planner.db)\n"
                 "  --version    print the version\n"
                 "  -h, --help   this help; 'planner COMMAND --help' for a command's\n"
                 "\n"
                 "Example:\n"
                 "  planner demo --out demo        # the sample workshop, end to end\n"
                 "  planner event import sample-events/atelier-cem-2.json\n"
                 "  planner agenda show atelier-cem-2\n"
                 "\n"
                 "Exit codes: 0 ok, 1 bad input or failed check, 2 usage, 3 I/O or database.\n");
    return out == stdout ? CLI_OK : CLI_EUSAGE;
}

int main(int argc, char **argv)
{
    const char *env = getenv("PLANNER_DB");
    int i = 1;

    /* a confirmed car that loses a member is changed, recorded and its
     * people told, in the cancellation's own transaction */
    pl_registration_set_left_hook(pl_carpool_registration_left);

    if (env && *env) {
        cli_opts.db_path = env;
        cli_opts.db_explicit = 1;
    }
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--db") == 0) {
            if (++i >= argc)
                return cli_usage(NULL, "--db needs a file path");
            cli_opts.db_path = argv[i];
            cli_opts.db_explicit = 1;
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            cli_opts.db_path = argv[i] + 5;
            cli_opts.db_explicit = 1;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            return usage(stdout);
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("planner %s\n", PLANNER_VERSION);
            return CLI_OK;
        } else {
            return cli_usage(NULL, "unknown option '%s'", argv[i]);
        }
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_EUSAGE;
    }
    if (strcmp(argv[i], "help") == 0)
        return usage(stdout);
    for (size_t c = 0; c < NCOMMANDS; c++)
        if (strcmp(argv[i], commands[c].name) == 0)
            return commands[c].fn(argc - i, argv + i);
    return cli_usage(NULL, "unknown command '%s'", argv[i]);
}
