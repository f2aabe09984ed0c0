/*
 * cmd_register.c - `planner register`: one person signs up for an event.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: planner [--db PATH] register SLUG --email EMAIL [--name NAME] [--org ORG]\n"
    "           [--origin TEXT] [--phone PHONE] [--share-phone | --no-share-phone]\n"
    "           [--drive SEATS | --ride | --flexible SEATS | --no-carpool]\n"
    "           [--meal [DIET] | --no-meal] [--public | --no-public]\n"
    "           [--session ID]... [--clear-sessions] [--rank ID,ID,...]...\n"
    "\n"
    "Register someone for the event SLUG, or update their registration (the\n"
    "e-mail, compared case-insensitively, identifies it).\n"
    "\n"
    "An update changes only what is given: an option left out keeps the stored\n"
    "value. To clear a field, say so: --org \"\", --origin \"\", --phone \"\",\n"
    "--meal \"\" (meal, no diet), --no-meal, --no-public, --no-carpool,\n"
    "--clear-sessions. --session replaces the chosen sessions with those given.\n"
    "\n"
    "  --name NAME        full name (required for a new registration)\n"
    "  --email EMAIL      e-mail address (required; never on public lists)\n"
    "  --org ORG          organization\n"
    "  --origin TEXT      where they leave from, as typed: \"75011 Paris\", \"Lyon\"\n"
    "                     (needed to carpool)\n"
    "  --phone PHONE      phone number\n"
    "  --share-phone      agrees to share it with their carpool group (only them)\n"
    "  --no-share-phone   withdraws that consent\n"
    "  --drive SEATS      comes by car and offers SEATS free seats (1-" PL_REG_SEATS_MAX_STR ")\n"
    "  --ride             looks for a seat in someone's car\n"
    "  --flexible SEATS   can drive (SEATS free seats) or ride; the planner decides\n"
    "  --no-carpool       does not carpool (travel none)\n"
    "  --meal [DIET]      takes the shared meal, with an optional diet (\"végétarien\")\n"
    "  --no-meal          does not take the meal\n"
    "  --public           agrees to appear on the public list of registrants\n"
    "  --no-public        withdraws that consent\n"
    "  --session ID       a breakout session chosen (repeat for several)\n"
    "  --clear-sessions   no breakout session\n"
    "  --rank ID,ID,...   the parallel workshops of one time slot in order of\n"
    "                     preference (repeat for another slot); 'planner sessions\n"
    "                     allocate' then places everyone who ranked\n"
    "\n"
    "When the event is full, the registration is put on its waiting list; when a\n"
    "chosen session is full, the person (confirmed for the event if it has room)\n"
    "is put on that session's waiting list only. Positions are printed; a freed\n"
    "seat goes to the first person waiting for it. The printed link /me/TOKEN is the\n"
    "person's secret (their page and calendar feed): it is shown only when the\n"
    "registration is created.\n"
    "\n"
    "Prints status, position (when waiting), uid and link on stdout.\n"
    "\n"
    "Examples:\n"
    "  planner register atelier-cem-2 --name \"Ana Silva\" --email ana@example.org \\\n"
    "      --origin \"44000 Nantes\" --drive 3 --meal végétarien --public \\\n"
    "      --session atelier-pdie\n"
    "  planner register atelier-cem-2 --email ana@example.org --origin \"26240 Saint-Vallier\"\n"
    "  planner register atelier-cem-2 --email ana@example.org \\\n"
    "      --rank atelier-flottes,atelier-pdie,atelier-covoiturage\n";

/* "--opt VALUE" or "--opt=VALUE" at argv[*i]: 1 and *out set, 0 when argv[*i]
 * is another option, -1 when the value is missing. */
static int opt_value(int argc, char **argv, int *i, const char *name, const char **out)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0)
        return 0;
    if (argv[*i][n] == '=') {
        *out = argv[*i] + n + 1;
        return 1;
    }
    if (argv[*i][n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *out = argv[++*i];
    return 1;
}

/* A number of free seats, by the core's one rule. */
static int parse_seats(const char *s, int *out)
{
    int v;

    if (pl_reg_seats_parse(&v, s) < 0 || !pl_reg_seats_ok(PL_TRAVEL_DRIVE, v))
        return -1;
    *out = v;
    return 0;
}

int cmd_register(int argc, char **argv)
{
    static const char *const valued[] = {"--name",     "--email",   "--org",
                                         "--origin",   "--phone",   "--drive",
                                         "--flexible", "--session", "--rank"};
    pl_registration in, *out = NULL;
    pl_registration_change change;
    const char *slug = NULL, *travel_opt = NULL;
    pl_store *store = NULL;
    char **sessions = NULL;
    pl_strlist *ranks = NULL; /* one list per --rank */
    size_t nranks = 0;
    pl_error err;
    int rc = CLI_OK, clear_sessions = 0;

    if (cli_wants_help(argc, argv))
        return cli_help(help);
    memset(&in, 0, sizeof(in));
    in.keep = PL_REG_FIELD_ALL; /* each option given clears its bit */
    if (!(sessions = calloc((size_t)argc, sizeof(*sessions))) ||
        !(ranks = calloc((size_t)argc, sizeof(*ranks)))) {
        free(sessions);
        return CLI_EIO;
    }
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int got = 0;
        for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]) && !got; k++) {
            got = opt_value(argc, argv, &i, valued[k], &v);
            if (got < 0) {
                rc = cli_usage("register", "%s needs a value", valued[k]);
                goto done;
            }
            if (!got)
                continue;
            switch (k) {
            case 0:
                in.name = (char *)v;
                in.keep &= ~(unsigned)PL_REG_FIELD_NAME;
                break;
            case 1:
                in.email = (char *)v;
                break;
            case 2:
                in.organization = (char *)v;
                in.keep &= ~(unsigned)PL_REG_FIELD_ORGANIZATION;
                break;
            case 3:
                in.origin = (char *)v;
                in.keep &= ~(unsigned)PL_REG_FIELD_ORIGIN;
                break;
            case 4:
                in.phone = (char *)v;
                in.keep &= ~(unsigned)PL_REG_FIELD_PHONE;
                break;
            case 5:
            case 6:
                if (travel_opt) {
                    rc = cli_usage("register", "%s and %s: choose one way to travel", travel_opt,
                                   valued[k]);
                    goto done;
                }
                travel_opt = valued[k];
                in.travel = k == 5 ? PL_TRAVEL_DRIVE : PL_TRAVEL_FLEXIBLE;
                in.keep &= ~(unsigned)PL_REG_FIELD_TRAVEL;
                if (parse_seats(v, &in.seats) < 0) {
                    rc = cli_usage("register",
                                   "%s needs a number of free seats from 1 to %d, "
                                   "not '%s'",
                                   valued[k], PL_REG_SEATS_MAX, v);
                    goto done;
                }
                break;
            case 7:
                sessions[in.sessions.count++] = (char *)v;
                in.keep &= ~(unsigned)PL_REG_FIELD_SESSIONS;
                break;
            default: /* --rank A,B,C */
                for (const char *p = v; *p;) {
                    size_t len = strcspn(p, ",");
                    char id[128];
                    snprintf(id, sizeof(id), "%.*s", (int)(len < sizeof(id) ? len : sizeof(id) - 1),
                             p);
                    if (id[0] && pl_strlist_push(&ranks[nranks], id) < 0) {
                        rc = CLI_EIO;
                        goto done;
                    }
                    p += len + (p[len] == ',');
                }
                nranks++;
                break;
            }
        }
        if (got)
            continue;
        if (strcmp(argv[i], "--ride") == 0 || strcmp(argv[i], "--no-carpool") == 0) {
            if (travel_opt) {
                rc = cli_usage("register", "%s and %s: choose one way to travel", travel_opt,
                               argv[i]);
                goto done;
            }
            travel_opt = argv[i];
            in.travel = argv[i][2] == 'r' ? PL_TRAVEL_RIDE : PL_TRAVEL_NONE;
            in.keep &= ~(unsigned)PL_REG_FIELD_TRAVEL;
        } else if (strcmp(argv[i], "--share-phone") == 0 ||
                   strcmp(argv[i], "--no-share-phone") == 0) {
            in.share_phone = argv[i][2] == 's';
            in.keep &= ~(unsigned)PL_REG_FIELD_SHARE_PHONE;
        } else if (strcmp(argv[i], "--public") == 0 || strcmp(argv[i], "--no-public") == 0) {
            in.public_list = argv[i][2] == 'p';
            in.keep &= ~(unsigned)PL_REG_FIELD_PUBLIC;
        } else if (strcmp(argv[i], "--no-meal") == 0) {
            in.meal = 0;
            in.diet = NULL;
            in.keep &= ~(unsigned)(PL_REG_FIELD_MEAL | PL_REG_FIELD_DIET);
        } else if (strcmp(argv[i], "--meal") == 0) {
            in.meal = 1;
            in.keep &= ~(unsigned)PL_REG_FIELD_MEAL;
            /* An optional DIET: the next word, once the slug is known. */
            if (slug && i + 1 < argc && argv[i + 1][0] != '-') {
                in.diet = argv[++i];
                in.keep &= ~(unsigned)PL_REG_FIELD_DIET;
            }
        } else if (strncmp(argv[i], "--meal=", 7) == 0) {
            in.meal = 1;
            in.diet = argv[i] + 7;
            in.keep &= ~(unsigned)(PL_REG_FIELD_MEAL | PL_REG_FIELD_DIET);
        } else if (strcmp(argv[i], "--clear-sessions") == 0) {
            clear_sessions = 1;
            in.keep &= ~(unsigned)PL_REG_FIELD_SESSIONS;
        } else if (argv[i][0] == '-') {
            rc = cli_usage("register", "unknown option '%s'", argv[i]);
            goto done;
        } else if (!slug) {
            slug = argv[i];
        } else {
            rc = cli_usage("register", "unexpected argument '%s' (a DIET goes right after --meal)",
                           argv[i]);
            goto done;
        }
    }
    in.sessions.items = sessions;
    if (!slug) {
        rc = cli_usage("register", "register needs an event SLUG");
        goto done;
    }
    if (!in.email) {
        rc = cli_usage("register", "register needs --email (and --name for someone new)");
        goto done;
    }
    if (clear_sessions && in.sessions.count) {
        rc = cli_usage("register", "--session and --clear-sessions: choose one");
        goto done;
    }
    if ((rc = cli_open_store(&store, 0)) != 0)
        goto done;
    /* Rankings are checked before anything is saved. */
    for (size_t k = 0; k < nranks; k++) {
        char slot[20];
        if (pl_ranks_check(store, slug, &ranks[k], slot, &err) < 0) {
            rc = cli_fail(&err);
            goto done;
        }
    }
    if (pl_registration_save_ext(store, slug, &in, &out, &change, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    for (size_t k = 0; k < nranks; k++)
        if (pl_ranks_set(store, slug, out->email, &ranks[k], &err) < 0) {
            rc = cli_fail(&err);
            goto done;
        }

    printf("status: %s\n", pl_reg_status_name(out->status));
    if (out->status == PL_REG_WAITLISTED)
        printf("position: %d\nreason: %s\n", out->waitlist_position,
               out->waitlist_reason ? out->waitlist_reason : "");
    for (size_t i = 0; out->session_waiting && i < out->sessions.count; i++)
        if (out->session_waiting[i])
            printf("session_waitlist: %s %d\n", out->sessions.items[i], out->session_waiting[i]);
    printf("uid: %s\n", out->uid);
    if (change.created)
        printf("link: /me/%s\n", out->token);
    fflush(stdout);
    fprintf(stderr, "planner: %s <%s> %s for %s: %s", out->name, out->email,
            change.created   ? "registered"
            : change.changed ? "updated"
                             : "already registered, unchanged",
            slug, pl_reg_status_name(out->status));
    if (out->status == PL_REG_WAITLISTED)
        fprintf(stderr, ", position %d on the waiting list: %s", out->waitlist_position,
                out->waitlist_reason ? out->waitlist_reason : "");
    for (size_t i = 0; out->session_waiting && i < out->sessions.count; i++)
        if (out->session_waiting[i])
            fprintf(stderr, "; session '%s' is full: position %d on its waiting list",
                    out->sessions.items[i], out->session_waiting[i]);
    fputc('\n', stderr);
    if (change.promoted)
        fprintf(stderr, "planner: %zu %s promoted from the waiting list\n", change.promoted,
                change.promoted == 1 ? "person" : "people");
    if (change.created)
        fprintf(stderr,
                "planner: the link /me/TOKEN above is %s's secret and is shown only "
                "now: give it to them alone\n",
                out->name);
    if (nranks)
        fprintf(stderr,
                "planner: %zu workshop ranking%s saved; 'planner sessions allocate %s' "
                "places everyone who ranked\n",
                nranks, nranks == 1 ? "" : "s", slug);
    fprintf(stderr, "Next: planner registrations list %s\n", slug);
done:
    pl_registration_free(out);
    pl_store_free(store);
    free(sessions);
    for (size_t k = 0; ranks && k < nranks; k++)
        pl_strlist_clear(&ranks[k]);
    free(ranks);
    return rc;
}
