#include "cli.h"
#include "calendar.h"
#include "exporters.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: planner [--db PATH] agenda show SLUG [--format text|json]\n"
    "       planner [--db PATH] agenda check [SLUG]\n"
    "\n"
    "show   the day as a timeline: sessions in time order, parallel sessions\n"
    "       grouped under their time slot, with rooms, speakers and capacity.\n"
    "       --format json prints the event, its slots and its conflicts.\n"
    "check  one line per conflict: a speaker in two places, two sessions in one\n"
    "       room, a session outside the event's hours, a session that ends before\n"
    "       it starts, a session larger than the event, an unknown speaker, a\n"
    "       start or end that does not exist in the event's time zone (skipped\n"
    "       when the clocks go forward). Exit 1 when there is any. A time that\n"
    "       happens twice (the clocks go back) is a warning on stderr and does\n"
    "       not change the exit code. Without SLUG, every event is checked.\n"
    "\n"
    "Example:\n"
    "  planner agenda show atelier-cem-2\n"
    "  planner agenda check atelier-cem-2 && echo 'no conflicts'\n";

/* The agenda in ev's language; dates and times through one formatter in
 * its zone and language (lang.h). */
typedef struct agenda_out {
    const pl_event *ev;
    pl_lang L;
    pl_datefmt *dates;
} agenda_out;

static const char *fmt(agenda_out *o, char *buf, size_t size, pl_date_style style, const char *when)
{
    pl_datefmt_format(o->dates, buf, size, style, when);
    return buf;
}

static void print_speakers(const pl_event *ev, const pl_session *s, int indent)
{
    if (s->speakers.count == 0)
        return;
    printf("%*s", indent, "");
    for (size_t i = 0; i < s->speakers.count; i++) {
        const pl_speaker *sp = pl_event_speaker(ev, s->speakers.items[i]);
        printf("%s%s", i ? ", " : "", sp ? sp->name : s->speakers.items[i]);
        if (sp && sp->organization)
            printf(" (%s)", sp->organization);
    }
    printf("\n");
}

static void print_details(agenda_out *o, const pl_session *s)
{
    printf("  [%s", pl_export_kind_text(o->L, s->kind));
    if (s->room)
        printf(" · %s", s->room);
    if (s->capacity)
        printf(" · %d %s", s->capacity, pl_lang_text(o->L, PL_T_EXPORT_AGENDA_PLACES));
    printf("]\n");
}

/* "09:30–10:00" */
static void print_times(agenda_out *o, const char *start, const char *end)
{
    char a[32], b[32];

    printf("%s–%s", fmt(o, a, sizeof(a), PL_TIME_SHORT, start),
           fmt(o, b, sizeof(b), PL_TIME_SHORT, end));
}

static int agenda_text(const pl_event *ev)
{
    pl_slot *slots = NULL;
    size_t nslots = 0, *order = NULL, ncancelled = 0;
    agenda_out o = {ev, pl_event_lang(ev), NULL};
    char day[11] = "", buf[128], line[512];
    int one_day = strncmp(ev->start, ev->end, 10) == 0;
    pl_error err;

    if (pl_datefmt_open(&o.dates, o.L, ev->timezone, &err) < 0)
        return cli_fail(&err);
    if (pl_agenda_slots(&slots, &nslots, &order, ev) < 0) {
        pl_datefmt_free(o.dates);
        return CLI_EIO;
    }
    printf("%s\n", ev->title);
    if (one_day) {
        printf("%s · ", fmt(&o, buf, sizeof(buf), PL_DATE_LONG, ev->start));
        print_times(&o, ev->start, ev->end);
    } else {
        printf("%s – ", fmt(&o, buf, sizeof(buf), PL_DATETIME_LONG, ev->start));
        printf("%s", fmt(&o, buf, sizeof(buf), PL_DATETIME_LONG, ev->end));
    }
    printf(" · %s\n", ev->timezone);
    if (ev->venue_name || ev->venue_address)
        printf("%s%s%s\n", ev->venue_name ? ev->venue_name : "",
               ev->venue_name && ev->venue_address ? ", " : "",
               ev->venue_address ? ev->venue_address : "");
    if (ev->online_url)
        printf("%s\n",
               pl_lang_label(line, sizeof(line), o.L, PL_T_EXPORT_AGENDA_ONLINE, ev->online_url));
    if (ev->capacity) {
        snprintf(buf, sizeof(buf), "%d", ev->capacity);
        printf("%s\n", pl_lang_label(line, sizeof(line), o.L, PL_T_EXPORT_CAPACITY, buf));
    }
    for (size_t k = 0; k < nslots; k++) {
        const pl_slot *sl = &slots[k];
        if (strncmp(day, sl->start, 10) != 0) {
            memcpy(day, sl->start, 10);
            printf("\n");
            if (!one_day)
                printf("%s\n", fmt(&o, buf, sizeof(buf), PL_DATE_LONG, sl->start));
        }
        if (sl->count == 1) {
            const pl_session *s = &ev->sessions[order[sl->first]];
            print_times(&o, s->start, s->end);
            printf("  %s", s->title);
            print_details(&o, s);
            print_speakers(ev, s, 13);
            continue;
        }
        print_times(&o, sl->start, sl->end);
        printf("  %zu %s\n", sl->count, pl_lang_text(o.L, PL_T_EXPORT_AGENDA_IN_PARALLEL));
        for (size_t i = 0; i < sl->count; i++) {
            const pl_session *s = &ev->sessions[order[sl->first + i]];
            printf("  %s ", i + 1 == sl->count ? "└" : "├");
            print_times(&o, s->start, s->end);
            printf("  %s", s->title);
            print_details(&o, s);
            print_speakers(ev, s, 19);
        }
    }
    for (size_t i = 0; i < ev->nsessions; i++)
        if (ev->sessions[i].cancelled) {
            if (ncancelled++ == 0)
                printf("\n%s\n", pl_lang_text(o.L, PL_T_EXPORT_AGENDA_CANCELLED));
            printf("  ");
            print_times(&o, ev->sessions[i].start, ev->sessions[i].end);
            printf("  %s (%s)\n", ev->sessions[i].title, ev->sessions[i].id);
        }
    if (nslots == 0)
        printf("\n%s\n", pl_lang_text(o.L, PL_T_EXPORT_AGENDA_NO_SESSIONS));
    free(slots);
    free(order);
    pl_datefmt_free(o.dates);
    return CLI_OK;
}

/* The conflicts and the warnings of --format json. */
typedef struct json_lists {
    json_t *conflicts;
    json_t *warnings;
} json_lists;

static void add_json_conflict(const pl_conflict *c, void *payload)
{
    json_lists *lists = payload;
    json_t *o = json_object();

    json_object_set_new(o, "kind", json_string(pl_conflict_kind_name(c->kind)));
    json_object_set_new(o, "session", c->session ? json_string(c->session) : json_null());
    if (c->other)
        json_object_set_new(o, "other", json_string(c->other));
    json_object_set_new(o, "message", json_string(c->message));
    json_array_append_new(pl_conflict_is_warning(c->kind) ? lists->warnings : lists->conflicts, o);
}

static int agenda_json(const pl_event *ev)
{
    pl_slot *slots = NULL;
    pl_conflict *conflicts = NULL;
    size_t nslots = 0, *order = NULL, nconflicts = 0;
    json_lists lists = {json_array(), json_array()};
    json_t *root = json_object(), *arr;
    pl_error err;
    int rc = CLI_OK;

    if (pl_agenda_slots(&slots, &nslots, &order, ev) < 0 ||
        pl_agenda_check(&conflicts, &nconflicts, ev) < 0) {
        rc = CLI_EIO;
        goto done;
    }
    for (size_t i = 0; i < nconflicts; i++)
        add_json_conflict(&conflicts[i], &lists);
    if (pl_calendar_check_local_times(ev, add_json_conflict, &lists, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    json_object_set_new(root, "event", pl_event_to_json(ev));
    arr = json_array();
    for (size_t k = 0; k < nslots; k++) {
        json_t *slot = json_object(), *ids = json_array();
        json_object_set_new(slot, "start", json_string(slots[k].start));
        json_object_set_new(slot, "end", json_string(slots[k].end));
        for (size_t i = 0; i < slots[k].count; i++)
            json_array_append_new(ids, json_string(ev->sessions[order[slots[k].first + i]].id));
        json_object_set_new(slot, "sessions", ids);
        json_array_append_new(arr, slot);
    }
    json_object_set_new(root, "slots", arr);
    json_object_set(root, "conflicts", lists.conflicts);
    json_object_set(root, "warnings", lists.warnings);
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
done:
    json_decref(lists.conflicts);
    json_decref(lists.warnings);
    json_decref(root);
    free(slots);
    free(order);
    free(conflicts);
    return rc;
}

static int agenda_show(int argc, char **argv)
{
    static const char *const formats[] = {"text", "json", NULL};
    const char *slug, *format;
    pl_store *store = NULL;
    pl_event *ev = NULL;
    pl_error err;
    int rc;

    if ((rc = cli_parse_slug_format(argc, argv, "agenda", formats, &slug, &format)) != 0)
        return rc;
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (pl_event_load(&ev, store, slug, &err) < 0)
        rc = cli_fail(&err);
    else
        rc = strcmp(format, "json") == 0 ? agenda_json(ev) : agenda_text(ev);
    pl_event_free(ev);
    pl_store_free(store);
    return rc;
}

/* What check_one printed for one event. */
typedef struct tally {
    const char *slug;
    long conflicts;
} tally;

/* A conflict on stdout, a warning on stderr. */
static void print_conflict(const pl_conflict *c, void *payload)
{
    tally *t = payload;

    if (pl_conflict_is_warning(c->kind)) {
        cli_warn("warning: %s: %s: %s", t->slug, pl_conflict_kind_name(c->kind), c->message);
        return;
    }
    printf("%s: %s: %s\n", t->slug, pl_conflict_kind_name(c->kind), c->message);
    t->conflicts++;
}

/* Print ev's conflicts and warnings; returns how many conflicts, or -1 when
 * out of memory. A zone libical does not know is one conflict: the feeds
 * could not be written either. */
static long check_one(const pl_event *ev)
{
    pl_conflict *conflicts = NULL;
    tally t = {ev->slug, 0};
    size_t n = 0;
    pl_error err;

    if (pl_agenda_check(&conflicts, &n, ev) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        print_conflict(&conflicts[i], &t);
    free(conflicts);
    if (pl_calendar_check_local_times(ev, print_conflict, &t, &err) < 0) {
        cli_warn("%s: %s", ev->slug, err.msg);
        t.conflicts++;
    }
    return t.conflicts;
}

static int agenda_check(int argc, char **argv)
{
    const char *slug = NULL;
    pl_event **events = NULL;
    pl_store *store = NULL;
    size_t nevents = 0;
    long total = 0;
    pl_error err;
    int rc;

    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-')
            return cli_usage("agenda", "unknown option '%s'", argv[i]);
        if (slug)
            return cli_usage("agenda", "unexpected argument '%s'", argv[i]);
        slug = argv[i];
    }
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (slug) {
        pl_event *ev = NULL;
        if (pl_event_load(&ev, store, slug, &err) < 0) {
            rc = cli_fail(&err);
            goto done;
        }
        events = malloc(sizeof(*events));
        if (!events) {
            pl_event_free(ev);
            rc = CLI_EIO;
            goto done;
        }
        events[0] = ev;
        nevents = 1;
    } else if (pl_event_list(&events, &nevents, store, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    for (size_t i = 0; i < nevents; i++) {
        long n = check_one(events[i]);
        if (n < 0) {
            rc = CLI_EIO;
            goto done;
        }
        total += n;
        if (n == 0)
            fprintf(stderr, "planner: %s: no conflicts\n", events[i]->slug);
    }
    if (total > 0) {
        fprintf(stderr, "planner: %ld conflict%s; fix the event file and import it again\n", total,
                total == 1 ? "" : "s");
        rc = CLI_EINPUT;
    }
done:
    pl_event_list_free(events, nevents);
    pl_store_free(store);
    return rc;
}

int cmd_agenda(int argc, char **argv)
{
    if (argc < 2) {
        fputs(help, stderr);
        return CLI_EUSAGE;
    }
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    if (strcmp(argv[1], "show") == 0)
        return agenda_show(argc - 1, argv + 1);
    if (strcmp(argv[1], "check") == 0)
        return agenda_check(argc - 1, argv + 1);
    return cli_usage("agenda", "unknown subcommand '%s' (show or check)", argv[1]);
}
