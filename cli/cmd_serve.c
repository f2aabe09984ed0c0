/*
 * cmd_serve.c - `planner serve`: run the HTTP server until SIGTERM or SIGINT.
 */
#include "cli.h"
#include "mail.h"
#include "server.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: planner [--db PATH] serve [--bind ADDRESS] [--port PORT] [--base-url URL]\n"
    "                               [--threads N] [--max-connections N]\n"
    "                               [--request-timeout SECONDS] [--quiet]\n"
    "\n"
    "Serve the calendar feeds, the event pages with their registration form,\n"
    "each attendee's page and the JSON API, from the same database as the\n"
    "other commands (created when missing). Routes: docs/server.md.\n"
    "\n"
    "  --bind ADDRESS   IPv4 or IPv6 address to listen on (default 127.0.0.1)\n"
    "  --port PORT      TCP port (default 8080; 0 picks a free one)\n"
    "  --base-url URL   public URL used in links and feeds, e.g.\n"
    "                   https://agenda.example.org (default http://ADDRESS:PORT)\n"
    "  --threads N      worker threads (default 4)\n"
    "  --max-connections N\n"
    "                   open connections in all (default 4096; 256 per address)\n"
    "  --request-timeout SECONDS\n"
    "                   time a client has to send a whole request, from its\n"
    "                   connection or its previous reply (default 10; 0: none)\n"
    "  --quiet          no access log on stderr\n"
    "\n"
    "Admin routes (/admin/...) need 'Authorization: Bearer TOKEN'. The token is\n"
    "$PLANNER_ADMIN_TOKEN when set; otherwise one is generated on the first\n"
    "start, printed once on stderr, and only its hash is kept in the database.\n"
    "With $PLANNER_SMTP_URL set, a background sender delivers the outbox every\n"
    "30 s (docs/mail.md).\n"
    "SIGTERM or Ctrl-C stops accepting connections, lets requests in flight\n"
    "finish (up to 10 s), then exits.\n"
    "\n"
    "Example:\n"
    "  planner serve --port 8080 --base-url https://agenda.example.org\n"
    "  curl http://127.0.0.1:8080/e/atelier-cem-2.ics\n";

static int parse_uint(const char *opt, const char *s, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);

    if (!*s || *end || v > max || s[0] == '-')
        return cli_usage("serve", "%s needs a number from 0 to %u, not '%s'", opt, max, s);
    *out = (unsigned)v;
    return 0;
}

/* The first start prints the token it generated as soon as it exists,
 * even if the start then fails (the database keeps only its hash). */
static void show_admin_token(const char *token, void *payload)
{
    (void)payload;
    fprintf(stderr,
            "planner: admin token (shown only this once; keep it): %s\n"
            "planner: use it as 'Authorization: Bearer TOKEN' on /admin/...\n",
            token);
}

int cmd_serve(int argc, char **argv)
{
    pl_server_options opts = PL_SERVER_OPTIONS_INIT;
    pl_server *server = NULL;
    pl_mail_worker *mailer = NULL;
    sigset_t stop;
    pl_error err;
    int sig = 0, rc;

    if (cli_wants_help(argc, argv))
        return cli_help(help);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quiet") == 0) {
            opts.access_log = 0;
            continue;
        }
        if (strcmp(a, "--bind") != 0 && strcmp(a, "--port") != 0 && strcmp(a, "--base-url") != 0 &&
            strcmp(a, "--threads") != 0 && strcmp(a, "--max-connections") != 0 &&
            strcmp(a, "--request-timeout") != 0)
            return cli_usage("serve", "unknown option '%s'", a);
        if (!v)
            return cli_usage("serve", "%s needs a value", a);
        i++;
        if (strcmp(a, "--bind") == 0)
            opts.bind = v;
        else if (strcmp(a, "--base-url") == 0)
            opts.base_url = v;
        else if (strcmp(a, "--port") == 0 && (rc = parse_uint(a, v, 65535, &opts.port)) != 0)
            return rc;
        else if (strcmp(a, "--threads") == 0 &&
                 ((rc = parse_uint(a, v, 256, &opts.threads)) != 0 || opts.threads == 0))
            return rc ? rc : cli_usage("serve", "--threads needs at least 1");
        else if (strcmp(a, "--max-connections") == 0 &&
                 ((rc = parse_uint(a, v, 1000000, &opts.max_connections)) != 0 ||
                  opts.max_connections < 16))
            return rc ? rc : cli_usage("serve", "--max-connections needs at least 16");
        else if (strcmp(a, "--request-timeout") == 0 &&
                 (rc = parse_uint(a, v, 3600, &opts.request_timeout_s)) != 0)
            return rc;
    }
    opts.db_path = cli_opts.db_path;
    opts.admin_token = getenv("PLANNER_ADMIN_TOKEN");
    opts.new_admin_token = show_admin_token;

    /* Block the stop signals before any thread starts, so that every worker
     * inherits the mask and only sigwait() below receives them. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    if (pl_server_start(&server, &opts, &err) < 0)
        return err.code == PL_EINVALID ? cli_usage("serve", "%s", err.msg) : cli_fail(&err);
    fprintf(stderr, "planner: serving %s/ from %s on port %u; stop with Ctrl-C\n",
            pl_server_base_url(server), cli_opts.db_path, pl_server_port(server));
    if (pl_mail_worker_start(&mailer, cli_opts.db_path, pl_server_base_url(server), NULL, 0, &err) <
        0)
        cli_warn("mail: %s; messages wait in the outbox", err.msg);
    sigwait(&stop, &sig);
    fprintf(stderr, "planner: %s received, finishing requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    pl_mail_worker_stop(mailer);
    pl_server_stop(server, 10000);
    fprintf(stderr, "planner: stopped\n");
    return CLI_OK;
}
