#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: planner [--db PATH] event import FILE.json...\n"
    "       planner [--db PATH] event list\n"
    "       planner [--db PATH] event show SLUG [--format text|json]\n"
    "\n"
    "import  create the events of the files, or update in place the events with\n"
    "        the same slug: sessions are added, changed, or (when gone from the\n"
    "        file) kept as cancelled so that calendar subscribers see it.\n"
    "        Each file is checked whole first; a bad file changes nothing.\n"
    "list    one line per event: slug, start, status, title.\n"
    "show    the event's details (JSON with --format json).\n"
    "\n"
    "The file format is described in docs/event-format.md.\n"
    "\n"
    "Example:\n"
    "  planner event import sample-events/atelier-cem-2.json\n"
    "  planner event show atelier-cem-2\n";

static int event_import(int argc, char **argv)
{
    pl_event **events = NULL;
    pl_store *store = NULL;
    int n = argc - 1, rc = CLI_OK;
    pl_error err;

    if (n < 1)
        return cli_usage("event", "import needs at least one FILE.json");
    for (int i = 1; i < argc; i++)
        if (argv[i][0] == '-')
            return cli_usage("event", "unknown option '%s'", argv[i]);
    if (!(events = calloc((size_t)n, sizeof(*events))))
        return CLI_EIO;
    /* Every file is parsed and checked before the database is opened, so a
     * bad file never creates or touches it. */
    for (int i = 0; i < n; i++)
        if (pl_event_parse_json(&events[i], argv[i + 1], &err) < 0) {
            rc = cli_fail(&err);
            goto done;
        }
    if ((rc = cli_open_store(&store, 1)) != 0)
        goto done;
    for (int i = 0; i < n; i++) {
        pl_event_save_stats st;
        if (pl_event_save(store, events[i], &st, &err) < 0) {
            rc = cli_fail(&err);
            goto done;
        }
        fprintf(stderr,
                "planner: %s: event '%s' %s (sessions: %d added, %d changed, %d cancelled, "
                "%d unchanged)\n",
                argv[i + 1], events[i]->slug,
                st.created         ? "created"
                : st.event_changed ? "updated"
                                   : "unchanged",
                st.sessions_added, st.sessions_changed, st.sessions_cancelled,
                st.sessions_unchanged);
    }
    fprintf(stderr, "Next: planner agenda show %s\n", events[n - 1]->slug);
done:
    for (int i = 0; i < n; i++)
        pl_event_free(events[i]);
    free(events);
    pl_store_free(store);
    return rc;
}

static int event_list(int argc, char **argv)
{
    pl_event **events = NULL;
    pl_store *store = NULL;
    size_t n = 0;
    pl_error err;
    int rc;

    if (argc > 1)
        return cli_usage("event", "unexpected argument '%s'", argv[1]);
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (pl_event_list(&events, &n, store, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        printf("%-28s %s  %-9s %-9s %s\n", events[i]->slug, events[i]->start, events[i]->status,
               events[i]->format, events[i]->title);
    if (n == 0)
        fprintf(stderr, "planner: no events yet; add one with 'planner event import FILE.json'\n");
done:
    pl_event_list_free(events, n);
    pl_store_free(store);
    return rc;
}

static void print_tags(const char *label, const pl_strlist *l)
{
    if (l->count == 0)
        return;
    printf("%-14s", label);
    for (size_t i = 0; i < l->count; i++)
        printf("%s%s", i ? "; " : "", l->items[i]);
    printf("\n");
}

static int event_show(int argc, char **argv)
{
    static const char *const formats[] = {"text", "json", NULL};
    const char *slug, *format;
    pl_store *store = NULL;
    pl_event *ev = NULL;
    pl_error err;
    int rc;

    if ((rc = cli_parse_slug_format(argc, argv, "event", formats, &slug, &format)) != 0)
        return rc;
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (pl_event_load(&ev, store, slug, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    if (strcmp(format, "json") == 0) {
        json_t *j = pl_event_to_json(ev);
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
        json_decref(j);
        goto done;
    }
    printf("%s\n", ev->title);
    if (ev->summary)
        printf("%s\n", ev->summary);
    printf("\n%-14s%s\n", "slug", ev->slug);
    printf("%-14s%s (%s)\n", "status", ev->status, ev->format);
    printf("%-14s%s – %s (%s)\n", "when", ev->start, ev->end, ev->timezone);
    printf("%-14s%s%s\n", "language", pl_lang_code(pl_event_lang(ev)),
           ev->language ? "" : " (by the time zone; set \"language\" to choose)");
    if (ev->venue_name || ev->venue_address)
        printf("%-14s%s%s%s\n", "venue", ev->venue_name ? ev->venue_name : "",
               ev->venue_name && ev->venue_address ? ", " : "",
               ev->venue_address ? ev->venue_address : "");
    if (ev->online_url)
        printf("%-14s%s\n", "online", ev->online_url);
    if (ev->capacity)
        printf("%-14s%d\n", "capacity", ev->capacity);
    print_tags("organizations", &ev->organizations);
    if (ev->theme)
        printf("%-14s%s\n", "theme", ev->theme);
    print_tags("challenges", &ev->challenges);
    print_tags("communities", &ev->communities);
    print_tags("commons", &ev->commons);
    printf("%-14s%zu, %zu speakers\n", "sessions", ev->nsessions, ev->nspeakers);
    if (ev->description)
        printf("\n%s\n", ev->description);
    fprintf(stderr, "Next: planner agenda show %s\n", ev->slug);
done:
    pl_event_free(ev);
    pl_store_free(store);
    return rc;
}

int cmd_event(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        if (argc < 2) {
            fputs(help, stderr);
            return CLI_EUSAGE;
        }
        return cli_help(help);
    }
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    if (strcmp(argv[1], "import") == 0)
        return event_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return event_list(argc - 1, argv + 1);
    if (strcmp(argv[1], "show") == 0)
        return event_show(argc - 1, argv + 1);
    return cli_usage("event", "unknown subcommand '%s' (import, list or show)", argv[1]);
}
