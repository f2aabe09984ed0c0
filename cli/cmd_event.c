#include "calendar.h"
#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "usage: planner [--db PATH] event import [--accept-conflicts] FILE.json...\n"
    "       planner [--db PATH] event list\n"
    "       planner [--db PATH] event show SLUG [--format text|json]\n"
    "       planner event new SLUG [--online] > FILE.json\n"
    "\n"
    "import  create the events of the files, or update in place the events with\n"
    "        the same slug: sessions are added, changed, or (when gone from the\n"
    "        file) kept as cancelled so that calendar subscribers see it.\n"
    "        Each file is checked whole first; a bad file changes nothing.\n"
    "        The agenda's conflicts (the rules of 'agenda check') are printed as\n"
    "        warnings on stderr. A file that publishes its event (status\n"
    "        \"published\" while it is new, a draft or cancelled) is refused when\n"
    "        its agenda has conflicts, unless --accept-conflicts is given.\n"
    "list    one line per event: slug, start, status, title.\n"
    "show    the event's details; --format json writes the event file (with\n"
    "        its stored fields), which imports back unchanged.\n"
    "new     print a template event file (a draft) that imports as it is:\n"
    "        a venue with its coordinates, or with --online a link; two speakers\n"
    "        and three sessions as examples to change or remove.\n"
    "\n"
    "The file format is described in docs/event-format.md.\n"
    "\n"
    "Example:\n"
    "  planner event new atelier-cem-3 > atelier-cem-3.json\n"
    "  planner event import sample-events/atelier-cem-2.json\n"
    "  planner event show atelier-cem-2 --format json > copy.json\n";

/* Conflicts of one file's agenda: printed as warnings, counted. */
typedef struct file_conflicts {
    const char *file;
    const char *slug;
    size_t blocking;
} file_conflicts;

static void warn_conflict(const pl_conflict *c, void *payload)
{
    file_conflicts *f = payload;

    cli_warn("warning: %s: %s: %s: %s", f->file, f->slug, pl_conflict_kind_name(c->kind),
             c->message);
    f->blocking += !pl_conflict_is_warning(c->kind);
}

/* Print ev's conflicts (agenda check's rules); returns how many forbid
 * publishing. */
static size_t report_conflicts(const char *file, const pl_event *ev)
{
    file_conflicts f = {file, ev->slug, 0};
    pl_conflict *list = NULL;
    size_t n = 0;
    pl_error err;

    if (pl_agenda_check(&list, &n, ev) == 0)
        for (size_t i = 0; i < n; i++)
            warn_conflict(&list[i], &f);
    free(list);
    if (pl_calendar_check_local_times(ev, warn_conflict, &f, &err) < 0) {
        cli_warn("warning: %s: %s: %s", file, ev->slug, err.msg);
        f.blocking++;
    }
    return f.blocking;
}

/* Does importing ev publish it (published in the file, not yet stored as
 * published)? store may be NULL (no database yet: every event is new). */
static int publishes(pl_store *store, const pl_event *ev)
{
    pl_event *stored = NULL;
    int already;

    if (strcmp(ev->status, "published") != 0)
        return 0;
    if (!store || pl_event_load(&stored, store, ev->slug, NULL) < 0)
        return 1;
    already = strcmp(stored->status, "published") == 0;
    pl_event_free(stored);
    return !already;
}

static int event_import(int argc, char **argv)
{
    pl_event **events = NULL;
    const char **files = NULL;
    size_t *blocking = NULL;
    pl_store *store = NULL;
    int n = 0, accept = 0, rc = CLI_OK;
    pl_error err;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--accept-conflicts") == 0)
            accept = 1;
        else if (argv[i][0] == '-')
            return cli_usage("event", "unknown option '%s'", argv[i]);
        else
            n++;
    }
    if (n < 1)
        return cli_usage("event", "import needs at least one FILE.json");
    if (!(events = calloc((size_t)n, sizeof(*events))) ||
        !(files = calloc((size_t)n, sizeof(*files))) ||
        !(blocking = calloc((size_t)n, sizeof(*blocking)))) {
        rc = CLI_EIO;
        goto done;
    }
    for (int i = 1, k = 0; i < argc; i++)
        if (strcmp(argv[i], "--accept-conflicts") != 0)
            files[k++] = argv[i];
    /* Every file is parsed and checked before the database is opened, so a
     * bad file never creates or touches it. */
    for (int i = 0; i < n; i++) {
        if (pl_event_parse_json(&events[i], files[i], &err) < 0) {
            rc = cli_fail(&err);
            goto done;
        }
        blocking[i] = report_conflicts(files[i], events[i]);
    }
    if (!accept) {
        pl_store *existing = NULL;
        if (access(cli_opts.db_path, F_OK) == 0 && (rc = cli_open_store(&existing, 0)) != 0)
            goto done;
        for (int i = 0; i < n && rc == CLI_OK; i++)
            if (blocking[i] && publishes(existing, events[i])) {
                cli_warn("%s: event '%s' is not published: its agenda has %zu conflict%s (above); "
                         "fix them, or give --accept-conflicts to publish it anyway",
                         files[i], events[i]->slug, blocking[i], blocking[i] == 1 ? "" : "s");
                rc = CLI_EINPUT;
            }
        pl_store_free(existing);
        if (rc != CLI_OK)
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
                files[i], events[i]->slug,
                st.created         ? "created"
                : st.event_changed ? "updated"
                                   : "unchanged",
                st.sessions_added, st.sessions_changed, st.sessions_cancelled,
                st.sessions_unchanged);
    }
    fprintf(stderr, "Next: planner agenda show %s\n", events[n - 1]->slug);
done:
    for (int i = 0; events && i < n; i++)
        pl_event_free(events[i]);
    free(events);
    free(files);
    free(blocking);
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
    if (ev->purge_after_days > 0)
        printf("%-14s%d days after the end\n", "purge", ev->purge_after_days);
    else
        printf("%-14s%d days after the end (the default; set \"purge_after_days\" to choose)\n",
               "purge", PL_REG_PURGE_DAYS);
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

/* ---- event new ---- */

static int valid_slug(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

static json_t *example_session(const char *id, const char *title, const char *kind,
                               const char *start, const char *end, const char *room,
                               const char *speaker)
{
    json_t *s = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "title", title, "kind", kind,
                          "start", start, "end", end);

    if (s && room)
        json_object_set_new(s, "room", json_string(room));
    if (s && speaker)
        json_object_set_new(s, "speakers", json_pack("[s]", speaker));
    return s;
}

/* A template event file that imports as it is: a draft, eight weeks from
 * today, every kind of key shown once by example. */
static int event_new(int argc, char **argv)
{
    const char *slug = NULL;
    int online = 0;
    char now[32], day[32], start[32], end[32];
    json_t *root, *speakers, *sessions;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--online") == 0)
            online = 1;
        else if (argv[i][0] == '-')
            return cli_usage("event", "unknown option '%s'", argv[i]);
        else if (slug)
            return cli_usage("event", "unexpected argument '%s'", argv[i]);
        else
            slug = argv[i];
    }
    if (!slug)
        return cli_usage("event", "new needs a SLUG (e.g. atelier-cem-3)");
    if (!valid_slug(slug))
        return cli_usage("event",
                         "'%s' is not a slug: lowercase letters, digits and '-', at most 64", slug);
    pl_now_utc(now);
    snprintf(day, sizeof(day), "%.10sT00:00", now);
    pl_datetime_add_minutes(day, sizeof(day), day, 56LL * 24 * 60);
    snprintf(start, sizeof(start), "%.10sT09:30", day);
    snprintf(end, sizeof(end), "%.10sT17:00", day);
    root = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "slug", slug, "title",
                     online ? "Webinaire — titre de l'événement" : "Atelier — titre de l'événement",
                     "summary", "Une ligne qui dit de quoi il s'agit.", "description",
                     "Un texte plus long : le public, le déroulé, ce qu'il faut apporter.",
                     "format", online ? "online" : "in_person", "timezone", "Europe/Paris", "start",
                     start, "end", end);
    if (!root)
        return CLI_EIO;
    if (online)
        json_object_set_new(root, "online_url", json_sprintf("https://visio.example.org/%s", slug));
    else
        json_object_set_new(root, "venue",
                            json_pack("{s:s, s:s, s:f, s:f}", "name", "Maison des Canaux",
                                      "address", "6 quai de la Seine, 75019 Paris", "lat", 48.8849,
                                      "lon", 2.3706));
    json_object_set_new(root, "capacity", json_integer(60));
    json_object_set_new(root, "organizations", json_pack("[s]", "ADEME"));
    json_object_set_new(root, "theme", json_string("Conseillers en mobilité"));
    speakers = json_pack("[{s:s, s:s, s:s, s:s}, {s:s, s:s, s:s}]", "id", "amorvan", "name",
                         "Anne Morvan", "organization", "ADEME", "bio",
                         "Une phrase ou deux sur l'intervenante.", "id", "jkerbrat", "name",
                         "Julien Kerbrat", "organization", "Communauté d'agglomération");
    sessions = json_array();
    json_array_append_new(sessions, example_session("accueil", "Accueil et introduction", "plenary",
                                                    "09:30", "10:00", "Grande salle", "amorvan"));
    json_array_append_new(sessions,
                          example_session("atelier-a", "Atelier A (en parallèle du B)", "workshop",
                                          "10:00", "11:30", "Salle A", "amorvan"));
    json_array_append_new(sessions,
                          example_session("atelier-b", "Atelier B (en parallèle du A)", "workshop",
                                          "10:00", "11:30", "Salle B", "jkerbrat"));
    json_object_set_new(root, "speakers", speakers);
    json_object_set_new(root, "sessions", sessions);
    json_object_set_new(root, "status", json_string("draft"));
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    putchar('\n');
    json_decref(root);
    fprintf(stderr, "Next: edit it, then planner event import FILE.json\n");
    return CLI_OK;
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
    if (strcmp(argv[1], "new") == 0)
        return event_new(argc - 1, argv + 1);
    return cli_usage("event", "unknown subcommand '%s' (import, list, show or new)", argv[1]);
}
