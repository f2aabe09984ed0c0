/*
 * cmd_calendar.c - `planner calendar`: write an iCalendar feed.
 */
#include "cli.h"
#include "calendar.h"
#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: planner [--db PATH] calendar [SLUG] [--attendee EMAIL] [-o FILE.ics]\n"
    "                                   [--base-url URL]\n"
    "\n"
    "Write an iCalendar feed (RFC 5545) on stdout, or into FILE.ics:\n"
    "  no SLUG            every published event and its sessions, plus the events\n"
    "                     of subscribed calendars (planner subscribe)\n"
    "  SLUG               one event and its sessions (a draft too, as a preview)\n"
    "  SLUG --attendee E  the personal feed of the person registered with e-mail E:\n"
    "                     plenary sessions, meals, breaks, the forum and the\n"
    "                     workshops they chose, and their carpool pickup once\n"
    "                     'planner carpool plan' has formed the groups\n"
    "\n"
    "The same data always gives the same bytes; what changed since the last run\n"
    "carries a higher SEQUENCE, and cancelled or removed sessions stay in the\n"
    "feed as cancelled, so subscribed calendars follow. The server serves the\n"
    "same feeds at /events.ics, /e/SLUG.ics and /me/TOKEN.ics.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE  write into FILE instead of stdout, all at once: on an\n"
    "                     error (a full disk) FILE keeps what it held (exit 3)\n"
    "  --base-url URL     public address of the planner's pages, for the links\n"
    "                     in each entry (e.g. https://agenda.example.org)\n"
    "\n"
    "Example:\n"
    "  planner calendar atelier-cem-2 -o atelier-cem-2.ics\n"
    "  planner calendar atelier-cem-2 --attendee claire.martin@example.org\n";

/* An event left out of the all-events feed (a zone libical cannot write). */
static void warn_left_out(void *payload, const char *message)
{
    (void)payload;
    cli_warn("warning: %s", message);
}

/* Into path all at once or not at all (outfile.h): on a write error the
 * file that was there is kept, and the error says so. */
static int write_output(const char *path, const char *data, size_t len)
{
    pl_outfile f;
    pl_error err;
    const char *kept;

    if (!path) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
            cli_warn("stdout: cannot write: %s", strerror(errno));
            return CLI_EIO;
        }
        return CLI_OK;
    }
    if (pl_outfile_open(&f, path, 1, &err) < 0)
        return cli_fail(&err);
    /* a device or a pipe is written in place: there is no old file */
    kept = f.in_place ? "" : "; the file was left as it was";
    if (fwrite(data, 1, len, f.fp) != len) {
        cli_warn("%s: cannot write: %s%s", path, strerror(errno), kept);
        pl_outfile_abort(&f);
        return CLI_EIO;
    }
    if (pl_outfile_commit(&f, &err) < 0) {
        cli_warn("%s%s", err.msg, kept);
        return CLI_EIO;
    }
    return CLI_OK;
}

int cmd_calendar(int argc, char **argv)
{
    const char *slug = NULL, *attendee = NULL, *output = NULL;
    pl_calendar_options opts = PL_CALENDAR_OPTIONS_INIT;
    pl_store *store = NULL;
    char *feed = NULL;
    size_t len = 0;
    pl_error err;
    int rc;

    if (cli_wants_help(argc, argv))
        return cli_help(help);
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc)
            output = argv[++i];
        else if (strcmp(argv[i], "--attendee") == 0 && i + 1 < argc)
            attendee = argv[++i];
        else if (strcmp(argv[i], "--base-url") == 0 && i + 1 < argc)
            opts.base_url = argv[++i];
        else if (argv[i][0] == '-')
            return cli_usage("calendar", "unknown option or missing value '%s'", argv[i]);
        else if (!slug)
            slug = argv[i];
        else
            return cli_usage("calendar", "unexpected argument '%s'", argv[i]);
    }
    if (attendee && !slug)
        return cli_usage("calendar", "--attendee needs the event SLUG");
    if (opts.base_url && strncmp(opts.base_url, "https://", 8) != 0 &&
        strncmp(opts.base_url, "http://", 7) != 0)
        return cli_usage("calendar", "--base-url must start with http:// or https://");
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    opts.include_drafts = 1;
    opts.warn = warn_left_out;
    if (attendee)
        rc = pl_calendar_feed_attendee(&feed, &len, store, slug, attendee, &opts, &err);
    else if (slug)
        rc = pl_calendar_feed_event(&feed, &len, store, slug, &opts, &err);
    else
        rc = pl_calendar_feed_all(&feed, &len, store, &opts, &err);
    if (rc < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    if ((rc = write_output(output, feed, len)) != 0)
        goto done;
    if (output)
        fprintf(stderr, "planner: wrote %s (%zu bytes)\n", output, len);
    if (!slug)
        fprintf(stderr,
                "Next: planner serve, then subscribe to http://127.0.0.1:8080/events.ics\n");
done:
    free(feed);
    pl_store_free(store);
    return rc;
}
