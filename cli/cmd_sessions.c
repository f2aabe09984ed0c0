/*
 * cmd_sessions.c - `planner sessions allocate`: place ranked people in the
 * parallel workshops of each time slot (planner/registrations/ranks.h).
 */
#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: planner [--db PATH] sessions allocate SLUG [--keep-assigned] [--no-mail]\n"
    "                                     [--format text|json]\n"
    "\n"
    "Place every confirmed person who ranked the workshops of a time slot in one\n"
    "workshop of that slot, within the places left: first the most people placed,\n"
    "then the fewest below their first choice, then the least total rank; people\n"
    "who ranked the same workshops in the same order are served in arrival order.\n"
    "Each placed person's chosen workshop of the slot becomes the one allocated,\n"
    "so feeds, exports and /me show it. Run it again after late sign-ups:\n"
    "  --keep-assigned  nobody already allocated (and so told) moves; the others\n"
    "                   share the places left.\n"
    "Everyone allocated is told by mail (queued in the same transaction; sent by\n"
    "'planner mail send' or serve): the workshop given per slot, or that none\n"
    "could be and why. The same allocation run again tells no one twice.\n"
    "  --no-mail        queue no message.\n"
    "People rank with 'planner register ... --rank A,B,C', the form, the JSON API\n"
    "(\"ranks\") or the CSV column 'Ateliers (ordre de préférence)'.\n"
    "\n"
    "Example:\n"
    "  planner register atelier-cem-2 --name 'Ana Lima' --email ana@example.org \\\n"
    "      --rank atelier-flottes,atelier-pdie,atelier-covoiturage\n"
    "  planner sessions allocate atelier-cem-2\n"
    "  planner sessions allocate atelier-cem-2 --keep-assigned --format json\n";

static void print_json(const pl_allocation *a)
{
    json_t *root = json_object(), *as = json_array(), *un = json_array(), *by = json_object();

    for (size_t i = 0; i < a->nassignments; i++) {
        const pl_allocation_item *it = &a->assignments[i];
        json_array_append_new(as, json_pack("{s:s, s:s, s:s, s:i}", "email", it->email, "slot",
                                            it->slot, "session", it->session, "rank", it->rank));
    }
    for (size_t i = 0; i < a->nunplaced; i++) {
        const pl_allocation_item *it = &a->unplaced[i];
        json_array_append_new(un, json_pack("{s:s, s:s, s:s}", "email", it->email, "slot", it->slot,
                                            "reason", it->reason));
    }
    for (size_t r = 1; r <= a->max_rank; r++) {
        char key[16];
        if (!a->by_rank[r])
            continue;
        snprintf(key, sizeof(key), "%zu", r);
        json_object_set_new(by, key, json_integer((json_int_t)a->by_rank[r]));
    }
    json_object_set_new(root, "event", json_string(a->event));
    json_object_set_new(root, "assignments", as);
    json_object_set_new(root, "unplaced", un);
    json_object_set_new(root, "totals",
                        json_pack("{s:I, s:I, s:o, s:I}", "placed", (json_int_t)a->placed, "kept",
                                  (json_int_t)a->kept, "by_rank", by, "told", (json_int_t)a->told));
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(root);
}

static void print_text(const pl_allocation *a)
{
    const char *slot = "";

    for (size_t i = 0; i < a->nassignments; i++) {
        const pl_allocation_item *it = &a->assignments[i];
        if (strcmp(slot, it->slot) != 0)
            printf("%s%s\n", i ? "\n" : "", it->slot);
        slot = it->slot;
        if (it->rank > 0)
            printf("  %-40s %-28s choice %d\n", it->email, it->session, it->rank);
        else
            printf("  %-40s %-28s kept (not ranked)\n", it->email, it->session);
    }
    if (a->nunplaced)
        printf("\nNot placed:\n");
    for (size_t i = 0; i < a->nunplaced; i++)
        printf("  %s  %-40s %s\n", a->unplaced[i].slot, a->unplaced[i].email,
               a->unplaced[i].reason);
}

static int allocate(int argc, char **argv)
{
    static const char *const formats[] = {"text", "json", NULL};
    const char *slug = NULL, *format = "text";
    int keep = 0, rc;
    char **rest = calloc((size_t)argc + 1, sizeof(*rest));
    int nrest = 0;
    pl_store *store = NULL;
    pl_allocation *a = NULL;
    pl_error err;

    if (!rest)
        return CLI_EIO;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--keep-assigned") == 0)
            keep |= PL_ALLOC_KEEP_ASSIGNED;
        else if (strcmp(argv[i], "--no-mail") == 0)
            keep |= PL_ALLOC_NO_MAIL;
        else
            rest[nrest++] = argv[i];
    }
    rc = cli_parse_slug_format(nrest, rest, "sessions", formats, &slug, &format);
    free(rest);
    if (rc != CLI_OK)
        return rc;
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if ((rc = pl_sessions_allocate(&a, store, slug, keep, &err)) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    if (strcmp(format, "json") == 0)
        print_json(a);
    else
        print_text(a);
    fprintf(stderr, "planner: %s: %zu slot%s, %zu placed", slug, a->nslots,
            a->nslots == 1 ? "" : "s", a->placed);
    for (size_t r = 1; r <= a->max_rank; r++)
        if (a->by_rank[r])
            fprintf(stderr, ", %zu at choice %zu", a->by_rank[r], r);
    if (keep & PL_ALLOC_KEEP_ASSIGNED)
        fprintf(stderr, " (%zu kept where they were)", a->kept);
    fprintf(stderr, ", %zu not placed", a->nunplaced);
    if (!(keep & PL_ALLOC_NO_MAIL))
        fprintf(stderr, "; %zu %s told by mail ('planner mail send')", a->told,
                a->told == 1 ? "person" : "people");
    fprintf(stderr, "\n");
    if (!a->nslots)
        fprintf(stderr,
                "planner: nobody ranked workshops yet: 'planner register %s ... --rank "
                "A,B,C', or the CSV column 'Ateliers (ordre de préférence)'\n",
                slug);
    else
        fprintf(stderr, "Next: planner export pack %s -o atelier.xlsx\n", slug);
    rc = CLI_OK;
done:
    pl_allocation_free(a);
    pl_store_free(store);
    return rc;
}

int cmd_sessions(int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    if (argc < 2)
        return cli_usage("sessions", "which subcommand: allocate?");
    if (strcmp(argv[1], "allocate") == 0)
        return allocate(argc - 1, argv + 1);
    return cli_usage("sessions", "unknown subcommand '%s' (allocate)", argv[1]);
}
