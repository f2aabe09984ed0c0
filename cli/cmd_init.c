#include "cli.h"

static const char help[] =
    "usage: planner [--db PATH] init\n"
    "\n"
    "Create the database, or upgrade an older one to this version's schema.\n"
    "Running it again is harmless. A file that is not a planner database is\n"
    "refused and left untouched.\n"
    "\n"
    "Example:\n"
    "  planner --db workshops.db init\n";

int cmd_init(int argc, char **argv)
{
    pl_store *store = NULL;
    int rc;

    if (cli_wants_help(argc, argv))
        return cli_help(help);
    if (argc > 1)
        return cli_usage("init", "unexpected argument '%s'", argv[1]);
    if ((rc = cli_open_store(&store, 1)) != 0)
        return rc;
    fprintf(stderr, "planner: database ready: %s (schema %d)\n", cli_opts.db_path,
            PL_SCHEMA_VERSION);
    fprintf(stderr, "Next: planner event import FILE.json\n");
    pl_store_free(store);
    return CLI_OK;
}
