/*
 * cmd_registrations.c - `planner registrations import|list|cancel`: the
 * organiser's side of registrations.
 */
#include "cli.h"
#include "progress.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: planner [--db PATH] registrations import SLUG FILE.csv [--dry-run] [--replace]\n"
    "                                             [--map MAP.json] [--no-mail]\n"
    "       planner [--db PATH] registrations list SLUG [--format text|csv|json]\n"
    "       planner [--db PATH] registrations cancel SLUG --email EMAIL\n"
    "       planner [--db PATH] registrations purge SLUG [--after-days N]\n"
    "\n"
    "import  load the sign-ups of a CSV file (docs/registrations-format.md): English\n"
    "        or French headers, ';' or ',', UTF-8. A known e-mail updates its\n"
    "        registration, so importing the same file again duplicates no one;\n"
    "        an empty cell keeps what is stored for a known e-mail, unless\n"
    "        --replace (then the file's row is the whole registration).\n"
    "        Every bad row is listed as FILE:LINE: column: what is wrong, and then\n"
    "        nothing is imported (exit 1). Past the event's or a session's capacity,\n"
    "        people are waitlisted in file order.\n"
    "        --dry-run checks and reports the same, and writes nothing.\n"
    "        Each new person gets a confirmation by mail (docs/mail.md);\n"
    "        --no-mail queues none (back-filling an old event).\n"
    "list    every registration in arrival order, with e-mails (the organiser's\n"
    "        view; never the secret links). --format csv can be imported again.\n"
    "cancel  cancel a registration; the first people waiting who then fit are\n"
    "        promoted in the same transaction.\n"
    "purge   remove the personal fields (name, e-mail, organization, origin, phone,\n"
    "        diet, link) of every registration of an event over for N days (default:\n"
    "        the event's \"purge_after_days\", else " PL_REG_STR(
        PL_REG_PURGE_DAYS) "), keeping statuses and counts (docs/privacy.md). Exit 1 when the\n"
                           "        event is not over for that long yet.\n"
                           "\n"
                           "Example:\n"
                           "  planner registrations import atelier-cem-2 \\\n"
                           "      sample-events/atelier-cem-2.registrations.csv --dry-run\n"
                           "  planner registrations import atelier-cem-2 \\\n"
                           "      sample-events/forms/atelier-cem-2.form-export.csv \\\n"
                           "      --map sample-events/forms/atelier-cem-2.form-map.json --dry-run\n"
                           "  planner registrations list atelier-cem-2 --format csv > "
                           "inscrits.csv\n"
                           "  planner registrations cancel atelier-cem-2 --email ana@example.org\n"
                           "  planner registrations purge atelier-cem-2 --after-days 90\n";

/* ---- import ---- */

typedef struct import_ctx {
    cli_progress bar;
    int preview; /* rows still to show (a dry run with a mapping) */
    const char *last_column;
} import_ctx;

/* A dry run with a mapping shows what the first rows become. */
static void on_row(int line, const pl_registration *r, void *payload)
{
    import_ctx *ctx = payload;
    char travel[32];

    if (ctx->preview <= 0)
        return;
    if (ctx->preview-- == 5)
        printf("First rows, as the mapping reads them:\n");
    if (r->travel == PL_TRAVEL_DRIVE || r->travel == PL_TRAVEL_FLEXIBLE)
        snprintf(travel, sizeof(travel), "%s %d", pl_travel_name(r->travel), r->seats);
    else
        snprintf(travel, sizeof(travel), "%s", pl_travel_name(r->travel));
    printf("  line %d: %s <%s>, %s, from %s, %s, meal %s%s%s, public %s, sessions:", line, r->name,
           r->email, *r->organization ? r->organization : "-", *r->origin ? r->origin : "-", travel,
           r->meal ? "yes" : "no", *r->diet ? " " : "", r->diet, r->public_list ? "yes" : "no");
    for (size_t i = 0; i < r->sessions.count; i++)
        printf("%s%s", i ? "|" : " ", r->sessions.items[i]);
    printf("%s\n", r->sessions.count ? "" : " -");
}

static void on_answer(const char *column, const char *answer, const char *value, size_t rows,
                      void *payload)
{
    import_ctx *ctx = payload;

    if (ctx->preview < 0)
        return;
    if (!ctx->last_column || strcmp(ctx->last_column, column) != 0)
        printf("Answers of column %s:\n", column);
    ctx->last_column = column;
    printf("  %4zu x \"%s\" -> %s\n", rows, answer, value ? value : "(not in the mapping)");
}

static void on_problem(const pl_error *e, void *payload)
{
    import_ctx *ctx = payload;
    char buf[1024];

    cli_progress_end(&ctx->bar);
    fprintf(stderr, "planner: %s\n", pl_error_format(e, buf, sizeof(buf)));
}

static void on_warning(const pl_error *e, void *payload)
{
    import_ctx *ctx = payload;
    char buf[1024];

    cli_progress_end(&ctx->bar);
    fprintf(stderr, "planner: note: %s\n", pl_error_format(e, buf, sizeof(buf)));
}

static void on_progress(long long done, long long total, void *payload)
{
    import_ctx *ctx = payload;

    (void)total;
    cli_progress_update(&ctx->bar, done);
}

static long long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    long long n = 0;

    if (f && fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (f)
        fclose(f);
    return n;
}

static int reg_import(int argc, char **argv)
{
    pl_registration_import_opts opts = PL_REGISTRATION_IMPORT_OPTS_INIT;
    pl_registration_import_stats st;
    const char *slug = NULL, *path = NULL, *map_path = NULL;
    pl_store *store = NULL;
    pl_csv_map *map = NULL;
    import_ctx ctx = {0};
    pl_error err;
    int rc;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "-n") == 0)
            opts.dry_run = 1;
        else if (strcmp(argv[i], "--replace") == 0)
            opts.replace = 1;
        else if (strcmp(argv[i], "--map") == 0 && i + 1 < argc)
            map_path = argv[++i];
        else if (strcmp(argv[i], "--map") == 0)
            return cli_usage("registrations", "--map needs a MAP.json file");
        else if (strcmp(argv[i], "--no-mail") == 0)
            opts.no_mail = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage("registrations", "unknown option '%s'", argv[i]);
        else if (!slug)
            slug = argv[i];
        else if (!path)
            path = argv[i];
        else
            return cli_usage("registrations", "unexpected argument '%s'", argv[i]);
    }
    if (!slug || !path)
        return cli_usage("registrations", "import needs an event SLUG and a FILE.csv");
    if (map_path && (rc = pl_csv_map_load(&map, map_path, &err)) < 0)
        return cli_fail(&err);
    if ((rc = cli_open_store(&store, 0)) != 0)
        goto done;
    if (!map) {
        rc = pl_csv_map_saved(&map, store, slug, &err);
        if (rc == 0)
            fprintf(stderr,
                    "planner: reading %s with the mapping saved for %s (by an earlier "
                    "--map)\n",
                    path, slug);
        else if (rc != PL_ENOTFOUND) {
            rc = cli_fail(&err);
            goto done;
        }
    }
    opts.map = map;
    opts.save_map = map_path != NULL;
    ctx.preview = map && opts.dry_run ? 5 : -1;
    opts.on_row = on_row;
    opts.on_answer = on_answer;
    /* A bar for files of 4 MB (about 20,000 rows) and more. */
    cli_progress_start(&ctx.bar, "importing", file_size(path), 4 * 1000 * 1000);
    opts.on_problem = on_problem;
    opts.on_warning = on_warning;
    opts.on_progress = on_progress;
    opts.payload = &ctx;
    rc = pl_registration_import_csv(store, slug, path, &opts, &st, &err);
    cli_progress_end(&ctx.bar);
    if (rc == PL_EINVALID && st.problems > 0) {
        fprintf(stderr, "planner: %s: %zu bad row%s (%zu problem%s); nothing was imported%s\n",
                path, st.bad_rows, st.bad_rows == 1 ? "" : "s", st.problems,
                st.problems == 1 ? "" : "s", opts.dry_run ? " (dry run)" : "");
        rc = CLI_EINPUT;
        goto done;
    }
    if (rc < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    fprintf(stderr, "planner: %s: %s%zu row%s: %zu new, %zu updated, %zu unchanged", path,
            opts.dry_run ? "dry run, nothing written; would import " : "", st.rows,
            st.rows == 1 ? "" : "s", st.created, st.updated, st.unchanged);
    if (st.waitlisted_rows)
        fprintf(stderr, "; %zu of them on the waiting list", st.waitlisted_rows);
    if (st.promoted)
        fprintf(stderr, "; %zu promoted from the waiting list", st.promoted);
    fprintf(stderr, "\nplanner: %s %s %lld confirmed, %lld waiting\n", slug,
            opts.dry_run ? "would have" : "now has", st.event_confirmed, st.event_waitlisted);
    if (!opts.dry_run)
        fprintf(stderr, "Next: planner registrations list %s\n", slug);
    rc = CLI_OK;
done:
    pl_store_free(store);
    pl_csv_map_free(map);
    return rc;
}

/* ---- list ---- */

/* Print s padded (or cut, with "…") to width characters (UTF-8 aware). */
static void cell(const char *s, int width)
{
    int chars = 0;
    const char *p = s ? s : "";
    const char *cut = NULL;

    for (const char *q = p; *q; q++) {
        if (((unsigned char)*q & 0xC0) == 0x80)
            continue;
        if (chars == width - 1)
            cut = q;
        chars++;
    }
    if (chars > width) {
        fwrite(p, 1, (size_t)(cut - p), stdout);
        fputs("…", stdout);
        chars = width;
    } else {
        fputs(p, stdout);
    }
    for (; chars < width; chars++)
        putchar(' ');
}

/* The chosen sessions, "|" between them; with waits, a session whose
 * waiting list the person is on shows their place: "a (waiting 2)". */
static void join_sessions(pl_buf *b, const pl_registration *r, int waits)
{
    for (size_t i = 0; i < r->sessions.count; i++) {
        if (i)
            pl_buf_append(b, "|", 1);
        pl_buf_puts(b, r->sessions.items[i]);
        if (waits && r->session_waiting && r->session_waiting[i])
            pl_buf_printf(b, " (waiting %d)", r->session_waiting[i]);
    }
}

/* The places on sessions' waiting lists: "a:2|c:1" ("" when none). */
static void join_session_waits(pl_buf *b, const pl_registration *r)
{
    for (size_t i = 0; r->session_waiting && i < r->sessions.count; i++)
        if (r->session_waiting[i])
            pl_buf_printf(b, "%s%s:%d", b->len ? "|" : "", r->sessions.items[i],
                          r->session_waiting[i]);
}

static void list_text(pl_registration **regs, size_t n)
{
    char travel[24], state[24];

    printf("%-4s ", "#");
    cell("STATUS", 11);
    cell(" NAME", 26);
    cell(" EMAIL", 34);
    cell(" ORIGIN", 22);
    cell(" TRAVEL", 12);
    cell(" MEAL", 18);
    cell(" PUBLIC", 8);
    printf(" SESSIONS\n");
    for (size_t i = 0; i < n; i++) {
        const pl_registration *r = regs[i];
        pl_buf s = PL_BUF_INIT;
        if (r->status == PL_REG_WAITLISTED)
            snprintf(state, sizeof(state), "waiting %d", r->waitlist_position);
        else
            snprintf(state, sizeof(state), "%s", pl_reg_status_name(r->status));
        if (r->travel == PL_TRAVEL_DRIVE || r->travel == PL_TRAVEL_FLEXIBLE)
            snprintf(travel, sizeof(travel), "%s %d", pl_travel_name(r->travel), r->seats);
        else
            snprintf(travel, sizeof(travel), "%s", pl_travel_name(r->travel));
        printf("%-4zu ", i + 1);
        cell(state, 11);
        putchar(' ');
        cell(r->name, 25);
        putchar(' ');
        cell(r->email, 33);
        putchar(' ');
        cell(r->origin, 21);
        putchar(' ');
        cell(travel, 11);
        putchar(' ');
        cell(r->meal ? (r->diet ? r->diet : "yes") : "no", 17);
        putchar(' ');
        cell(r->public_list ? "yes" : "no", 7);
        join_sessions(&s, r, 1);
        printf("%s%s\n", s.data ? " " : "", s.data ? s.data : "");
        pl_buf_free(&s);
    }
}

static const char *const csv_columns[] = {
    "uid",
    "status",
    "waitlist_position",
    "name",
    "email",
    "organization",
    "origin",
    "phone",
    "share_phone",
    "travel",
    "seats",
    "meal",
    "diet",
    "public",
    "sessions",
    "session_waitlist",
    "created",
    "updated",
};

static int list_csv(pl_registration **regs, size_t n)
{
    pl_buf b = PL_BUF_INIT;
    int rc = 0;

    for (size_t c = 0; c < sizeof(csv_columns) / sizeof(csv_columns[0]); c++)
        pl_buf_printf(&b, "%s%s", c ? "," : "", csv_columns[c]);
    pl_buf_puts(&b, "\r\n");
    for (size_t i = 0; i < n; i++) {
        const pl_registration *r = regs[i];
        pl_buf s = PL_BUF_INIT, w = PL_BUF_INIT;
        char num[16] = "", seats[16] = "";
        if (r->status == PL_REG_WAITLISTED)
            snprintf(num, sizeof(num), "%d", r->waitlist_position);
        if (r->seats)
            snprintf(seats, sizeof(seats), "%d", r->seats);
        join_sessions(&s, r, 0);
        join_session_waits(&w, r);
        const char *fields[] = {r->uid,
                                pl_reg_status_name(r->status),
                                num,
                                r->name,
                                r->email,
                                r->organization,
                                r->origin,
                                r->phone,
                                r->share_phone ? "yes" : "no",
                                pl_travel_name(r->travel),
                                seats,
                                r->meal ? "yes" : "no",
                                r->diet,
                                r->public_list ? "yes" : "no",
                                s.data,
                                w.data,
                                r->created,
                                r->updated};
        for (size_t c = 0; c < sizeof(fields) / sizeof(fields[0]); c++) {
            if (c)
                pl_buf_append(&b, ",", 1);
            pl_csv_write_field(&b, fields[c], ',', PL_CSV_NEUTRALISE);
        }
        pl_buf_puts(&b, "\r\n");
        pl_buf_free(&s);
        pl_buf_free(&w);
        if (b.len > 1 << 16) {
            fwrite(b.data, 1, b.len, stdout);
            b.len = 0;
        }
    }
    if (b.len)
        fwrite(b.data, 1, b.len, stdout);
    pl_buf_free(&b);
    return rc;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int list_json(pl_registration **regs, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++) {
        const pl_registration *r = regs[i];
        json_t *o = json_object(), *sessions = json_array(), *waits = json_object();
        for (size_t k = 0; k < r->sessions.count; k++) {
            json_array_append_new(sessions, json_string(r->sessions.items[k]));
            if (r->session_waiting && r->session_waiting[k])
                json_object_set_new(waits, r->sessions.items[k],
                                    json_integer(r->session_waiting[k]));
        }
        json_object_set_new(o, "uid", json_string(r->uid));
        json_object_set_new(o, "status", json_string(pl_reg_status_name(r->status)));
        if (r->status == PL_REG_WAITLISTED) {
            json_object_set_new(o, "waitlist_position", json_integer(r->waitlist_position));
            json_object_set_new(o, "waitlist_reason", str_or_null(r->waitlist_reason));
        }
        json_object_set_new(o, "name", json_string(r->name));
        json_object_set_new(o, "email", json_string(r->email));
        json_object_set_new(o, "organization", str_or_null(r->organization));
        json_object_set_new(o, "origin", str_or_null(r->origin));
        json_object_set_new(o, "phone", str_or_null(r->phone));
        json_object_set_new(o, "travel", json_string(pl_travel_name(r->travel)));
        json_object_set_new(o, "seats", json_integer(r->seats));
        json_object_set_new(o, "meal", json_boolean(r->meal));
        json_object_set_new(o, "diet", str_or_null(r->diet));
        json_object_set_new(o, "public", json_boolean(r->public_list));
        json_object_set_new(o, "share_phone", json_boolean(r->share_phone));
        json_object_set_new(o, "sessions", sessions);
        json_object_set_new(o, "session_waitlist", waits);
        json_object_set_new(o, "created", json_string(r->created));
        json_object_set_new(o, "updated", json_string(r->updated));
        json_array_append_new(arr, o);
    }
    if (json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
        json_decref(arr);
        return -1;
    }
    putchar('\n');
    json_decref(arr);
    return 0;
}

static int reg_list(int argc, char **argv)
{
    static const char *const formats[] = {"text", "csv", "json", NULL};
    const char *slug, *format;
    pl_registration **regs = NULL;
    pl_store *store = NULL;
    size_t n = 0, confirmed = 0, waiting = 0, cancelled = 0, meals = 0, diets = 0;
    size_t drivers = 0, seats = 0, riders = 0, flexible = 0, public_list = 0;
    pl_error err;
    int rc;

    if ((rc = cli_parse_slug_format(argc, argv, "registrations", formats, &slug, &format)) != 0)
        return rc;
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (pl_registration_list(&regs, &n, store, slug, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    if (strcmp(format, "csv") == 0)
        rc = list_csv(regs, n);
    else if (strcmp(format, "json") == 0)
        rc = list_json(regs, n);
    else
        list_text(regs, n);
    if (fflush(stdout) != 0 || rc < 0) {
        cli_warn("cannot write the list");
        rc = CLI_EIO;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const pl_registration *r = regs[i];
        if (r->status == PL_REG_CANCELLED) {
            cancelled++;
            continue;
        }
        confirmed += r->status == PL_REG_CONFIRMED;
        waiting += r->status == PL_REG_WAITLISTED;
        if (r->status != PL_REG_CONFIRMED)
            continue;
        meals += r->meal != 0;
        diets += r->meal && r->diet;
        public_list += r->public_list != 0;
        drivers += r->travel == PL_TRAVEL_DRIVE;
        seats += r->travel == PL_TRAVEL_DRIVE ? (size_t)r->seats : 0;
        riders += r->travel == PL_TRAVEL_RIDE;
        flexible += r->travel == PL_TRAVEL_FLEXIBLE;
    }
    fprintf(stderr,
            "planner: %s: %zu confirmed, %zu waiting, %zu cancelled. Confirmed: %zu meals "
            "(%zu with a diet), %zu on the public list, %zu drivers offering %zu seats, %zu "
            "passengers, %zu flexible\n",
            slug, confirmed, waiting, cancelled, meals, diets, public_list, drivers, seats, riders,
            flexible);
    rc = CLI_OK;
done:
    pl_registration_list_free(regs, n);
    pl_store_free(store);
    return rc;
}

/* ---- purge ---- */

static int reg_purge(int argc, char **argv)
{
    const char *slug = NULL;
    pl_store *store = NULL;
    int days = PL_REG_PURGE_EVENT_DAYS, rc;
    size_t n = 0;
    pl_error err;

    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--after-days") == 0 && i + 1 < argc)
            v = argv[++i];
        else if (strncmp(argv[i], "--after-days=", 13) == 0)
            v = argv[i] + 13;
        else if (argv[i][0] == '-')
            return cli_usage("registrations", "unknown option '%s'", argv[i]);
        else if (!slug)
            slug = argv[i];
        else
            return cli_usage("registrations", "unexpected argument '%s'", argv[i]);
        if (v) {
            char *end;
            long d = strtol(v, &end, 10);
            if (!*v || *end || d < 0 || d > 36500)
                return cli_usage("registrations", "--after-days needs a number of days, not '%s'",
                                 v);
            days = (int)d;
        }
    }
    if (!slug)
        return cli_usage("registrations", "purge needs an event SLUG");
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (pl_registration_purge(store, slug, days, &n, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    printf("purged: %zu\n", n);
    fprintf(stderr,
            "planner: %s: personal fields removed from %zu registration%s (counts and statuses "
            "kept)\n",
            slug, n, n == 1 ? "" : "s");
    rc = CLI_OK;
done:
    pl_store_free(store);
    return rc;
}

/* ---- cancel ---- */

static int reg_cancel(int argc, char **argv)
{
    const char *slug = NULL, *email = NULL;
    pl_registration *r = NULL, **promoted = NULL;
    pl_store *store = NULL;
    size_t npromoted = 0;
    pl_error err;
    int rc;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--email") == 0 && i + 1 < argc)
            email = argv[++i];
        else if (strncmp(argv[i], "--email=", 8) == 0)
            email = argv[i] + 8;
        else if (argv[i][0] == '-')
            return cli_usage("registrations", "unknown option '%s'", argv[i]);
        else if (!slug)
            slug = argv[i];
        else
            return cli_usage("registrations", "unexpected argument '%s'", argv[i]);
    }
    if (!slug || !email)
        return cli_usage("registrations", "cancel needs an event SLUG and --email EMAIL");
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if (pl_registration_cancel_ext(store, slug, email, &r, &promoted, &npromoted, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    printf("status: %s\nuid: %s\n", pl_reg_status_name(r->status), r->uid);
    fprintf(stderr, "planner: %s <%s>: registration for %s cancelled\n", r->name, r->email, slug);
    for (size_t i = 0; i < npromoted; i++)
        fprintf(stderr, "planner: %s <%s> promoted from a waiting list\n", promoted[i]->name,
                promoted[i]->email);
    rc = CLI_OK;
done:
    pl_registration_free(r);
    pl_registration_list_free(promoted, npromoted);
    pl_store_free(store);
    return rc;
}

int cmd_registrations(int argc, char **argv)
{
    if (argc < 2) {
        fputs(help, stderr);
        return CLI_EUSAGE;
    }
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    if (strcmp(argv[1], "import") == 0)
        return reg_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "purge") == 0)
        return reg_purge(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return reg_list(argc - 1, argv + 1);
    if (strcmp(argv[1], "cancel") == 0)
        return reg_cancel(argc - 1, argv + 1);
    return cli_usage("registrations", "unknown subcommand '%s' (import, list, cancel or purge)",
                     argv[1]);
}
