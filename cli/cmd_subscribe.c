/*
 * cmd_subscribe.c - `planner subscribe URL`: import a remote iCalendar feed.
 */
#include "cli.h"
#include "calendar.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: planner [--db PATH] subscribe URL [--timeout SECONDS] [--max-size BYTES]\n"
    "                                         [--allow-private]\n"
    "\n"
    "Import the events of a remote iCalendar feed (an http or https URL) into\n"
    "the events calendar: they appear in the all-events feed (planner calendar).\n"
    "Running it again updates them in place, matched by their UID; events gone\n"
    "from the remote feed stay as cancelled. The stored ETag and Last-Modified\n"
    "make the next run a conditional request: an unchanged feed is not\n"
    "downloaded again. An answer that is not a calendar, too large or too slow\n"
    "changes nothing.\n"
    "\n"
    "A feed on this machine or on a private network (127.0.0.1, 10.x, 192.168.x,\n"
    "...) is refused, also when a redirect or a host name leads there, unless\n"
    "--allow-private is given. A user name and password in the URL\n"
    "(https://user:password@host/...) are used to download, but never shown nor\n"
    "stored: give the same URL again to update.\n"
    "\n"
    "Options:\n"
    "  --timeout SECONDS   the whole download (default 30; connecting: 10)\n"
    "  --max-size BYTES    largest feed accepted (default 5242880, 5 MiB)\n"
    "  --allow-private     allow addresses of this machine and private networks\n"
    "\n"
    "Example:\n"
    "  planner subscribe https://agenda.example.org/events.ics\n"
    "  planner calendar -o all.ics\n";

static int parse_positive(const char *s, long long *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v <= 0)
        return -1;
    *out = v;
    return 0;
}

int cmd_subscribe(int argc, char **argv)
{
    pl_subscribe_options opts = PL_SUBSCRIBE_OPTIONS_INIT;
    pl_subscribe_result res;
    const char *url = NULL;
    char *shown = NULL;
    pl_store *store = NULL;
    long long v;
    pl_error err;
    int rc;

    if (cli_wants_help(argc, argv))
        return cli_help(help);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            if (parse_positive(argv[++i], &v) < 0 || v > 3600)
                return cli_usage("subscribe", "--timeout takes 1 to 3600 seconds, not '%s'",
                                 argv[i]);
            opts.timeout_ms = (long)v * 1000;
            if (opts.timeout_ms < 10000)
                opts.connect_timeout_ms = opts.timeout_ms;
        } else if (strcmp(argv[i], "--max-size") == 0 && i + 1 < argc) {
            if (parse_positive(argv[++i], &v) < 0)
                return cli_usage("subscribe", "--max-size takes a number of bytes, not '%s'",
                                 argv[i]);
            opts.max_bytes = (size_t)v;
        } else if (strcmp(argv[i], "--allow-private") == 0) {
            opts.allow_private = 1;
        } else if (argv[i][0] == '-') {
            return cli_usage("subscribe", "unknown option or missing value '%s'", argv[i]);
        } else if (!url) {
            url = argv[i];
        } else {
            return cli_usage("subscribe", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!url)
        return cli_usage("subscribe", "give the URL of an iCalendar feed");
    if (!(shown = pl_subscribe_shown_url(url))) {
        cli_warn("out of memory");
        return CLI_EIO;
    }
    if ((rc = cli_open_store(&store, 1)) != 0)
        goto done;
    if (pl_calendar_subscribe(&res, store, url, &opts, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    if (res.not_modified)
        fprintf(stderr, "planner: %s: not modified since the last run; nothing to do\n", shown);
    else
        fprintf(stderr,
                "planner: %s: %s%s%s%s (events: %d added, %d changed, %d cancelled, "
                "%d unchanged%s)\n",
                shown, res.stats.created ? "subscribed" : "updated", res.name[0] ? " to '" : "",
                res.name, res.name[0] ? "'" : "", res.stats.added, res.stats.changed,
                res.stats.cancelled, res.stats.unchanged,
                res.skipped ? ", some left out: no UID or start, or repeated" : "");
    fprintf(stderr, "Next: planner calendar -o events.ics\n");
done:
    pl_store_free(store);
    free(shown);
    return rc;
}
