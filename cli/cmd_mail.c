/*
 * cmd_mail.c - `planner mail send|list|preview|retry|announce|remind|
 * reminders`: the outbox and its delivery (docs/mail.md).
 */
#include "cli.h"
#include "mail.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: planner [--db PATH] mail send [--limit N] [--now] [--base-url URL] [--quiet]\n"
    "       planner [--db PATH] mail list [SLUG] [--status queued|sent|failed]\n"
    "                                     [--format text|json]\n"
    "       planner [--db PATH] mail preview ID [--base-url URL]\n"
    "       planner [--db PATH] mail retry ID|--failed\n"
    "       planner [--db PATH] mail announce SLUG --subject S --body-file F\n"
    "                                     [--to confirmed|waitlisted|all]\n"
    "       planner [--db PATH] mail remind\n"
    "       planner [--db PATH] mail reminders SLUG [--days N]\n"
    "\n"
    "Every attendee is told what concerns them: confirmation, waiting list,\n"
    "promotion, cancellation, programme changes, carpool, reminders. Messages\n"
    "are queued in the database with the change that causes them and wait\n"
    "there until sent.\n"
    "\n"
    "send       queue the reminders now due, then deliver every due message over\n"
    "           SMTP ($PLANNER_SMTP_URL; docs/mail.md). --limit N at most N\n"
    "           messages; --now ignores the retry backoff and the few minutes a\n"
    "           change waits for others (for an organiser who just fixed the\n"
    "           relay). Exit 3 when the relay cannot be reached.\n"
    "list       the outbox, oldest first (--format json: {\"messages\": [...]}).\n"
    "preview    the whole message ID as it will be sent (MIME).\n"
    "retry      queue again a failed message, or every failed one.\n"
    "announce   the organiser's own message to the confirmed (default), the\n"
    "           waiting list, or all; the body is UTF-8 text from a file.\n"
    "remind     only queue the reminders now due (send does it too).\n"
    "reminders  how many days before the event its reminder leaves (default 2;\n"
    "           0: none); --days N sets it.\n"
    "\n"
    "Configuration (environment): PLANNER_SMTP_URL, PLANNER_SMTP_USER,\n"
    "PLANNER_SMTP_PASSWORD or PLANNER_SMTP_PASSWORD_FILE, PLANNER_MAIL_FROM,\n"
    "PLANNER_MAIL_RATE (per minute, default 60), PLANNER_BASE_URL (links).\n"
    "\n"
    "Example:\n"
    "  export PLANNER_SMTP_URL=smtp://relay.example.org:587\n"
    "  export PLANNER_MAIL_FROM='Atelier CEM <atelier@example.org>'\n"
    "  planner mail send --limit 100\n"
    "  planner mail list atelier-cem-2 --status failed\n"
    "  planner mail announce atelier-cem-2 --subject 'Salle changée' --body-file salle.txt\n";

static int config(pl_mail_config **out, const char *base_url)
{
    pl_error err;

    if (pl_mail_config_from_env(out, base_url, &err) < 0)
        return cli_fail(&err);
    return 0;
}

static int parse_count(const char *opt, const char *s, long max, long *out)
{
    char *end;
    long v = s ? strtol(s, &end, 10) : -1;

    if (!s || !*s || *end || v < 0 || v > max)
        return cli_usage("mail", "%s needs a number from 0 to %ld", opt, max);
    *out = v;
    return 0;
}

/* ---- send ---- */

static void print_result(const pl_outbox_message *m, const char *outcome, const char *reply,
                         void *payload)
{
    int quiet = *(int *)payload;

    if (strcmp(outcome, "sent") == 0 && quiet)
        return;
    if (strcmp(outcome, "sent") == 0)
        printf("%lld %s %s: sent\n", m->id, pl_mail_kind_name(m->kind), m->to);
    else
        fprintf(stderr, "planner: message %lld (%s, %s): %s: %s\n", m->id,
                pl_mail_kind_name(m->kind), m->to, outcome == NULL ? "" : outcome, reply);
}

static int mail_send(int argc, char **argv)
{
    pl_mail_send_options o = PL_MAIL_SEND_OPTIONS_INIT;
    pl_mail_send_stats st;
    pl_mail_config *cfg = NULL;
    pl_store *store = NULL;
    const char *base_url = NULL;
    int quiet = 0, rc;
    long v = 0;
    pl_error err;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--now") == 0)
            o.now = 1;
        else if (strcmp(argv[i], "--quiet") == 0)
            quiet = 1;
        else if (strcmp(argv[i], "--limit") == 0) {
            if ((rc = parse_count("--limit", i + 1 < argc ? argv[++i] : NULL, 100000000, &v)) != 0)
                return rc;
            o.limit = (size_t)v;
        } else if (strcmp(argv[i], "--base-url") == 0 && i + 1 < argc)
            base_url = argv[++i];
        else
            return cli_usage("mail", "unknown option '%s'", argv[i]);
    }
    if ((rc = config(&cfg, base_url)) != 0)
        return rc;
    if (!cfg->smtp_url) {
        pl_mail_config_free(cfg);
        fprintf(stderr, "planner: PLANNER_SMTP_URL is not set: messages wait in the outbox "
                        "(planner mail list); see docs/mail.md\n");
        return CLI_EINPUT;
    }
    if ((rc = cli_open_store(&store, 0)) != 0) {
        pl_mail_config_free(cfg);
        return rc;
    }
    o.on_result = print_result;
    o.payload = &quiet;
    rc = pl_mail_send(store, cfg, &o, &st, &err);
    if (rc < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    fprintf(stderr, "planner: %zu sent, %zu to retry, %zu failed", st.sent, st.retry, st.failed);
    if (st.reminders)
        fprintf(stderr, " (%zu reminder%s queued)", st.reminders, st.reminders == 1 ? "" : "s");
    fprintf(stderr, "\n");
    rc = CLI_OK;
    if (st.stopped) {
        fprintf(stderr,
                "planner: %s: the relay did not answer (%s); the rest waits in the "
                "outbox\n",
                cfg->smtp_url, st.down_reason);
        rc = CLI_EIO;
    }
done:
    pl_store_free(store);
    pl_mail_config_free(cfg);
    return rc;
}

/* ---- list ---- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int mail_list(int argc, char **argv)
{
    const char *slug = NULL, *format = "text";
    pl_mail_status status;
    int has_status = 0, rc;
    pl_outbox_message **list = NULL;
    pl_mail_composer *comp = NULL;
    pl_mail_config *cfg = NULL;
    pl_store *store = NULL;
    json_t *arr = NULL;
    size_t n = 0;
    pl_error err;

    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--status") == 0) {
            if (!v || pl_mail_status_parse(&status, v) < 0)
                return cli_usage("mail", "--status needs queued, sent or failed");
            has_status = 1;
            i++;
        } else if (strcmp(argv[i], "--format") == 0) {
            if (!v || (strcmp(v, "text") != 0 && strcmp(v, "json") != 0))
                return cli_usage("mail", "--format needs text or json");
            format = v;
            i++;
        } else if (argv[i][0] == '-') {
            return cli_usage("mail", "unknown option '%s'", argv[i]);
        } else if (!slug) {
            slug = argv[i];
        } else {
            return cli_usage("mail", "unexpected argument '%s'", argv[i]);
        }
    }
    if ((rc = config(&cfg, NULL)) != 0)
        return rc;
    if ((rc = cli_open_store(&store, 0)) != 0)
        goto done;
    if (pl_outbox_list(&list, &n, store, slug, has_status ? &status : NULL, &err) < 0 ||
        pl_mail_composer_new(&comp, store, cfg, NULL, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    if (strcmp(format, "json") == 0 && !(arr = json_array())) {
        rc = CLI_EIO;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const pl_outbox_message *m = list[i];
        char *subject = NULL;
        if (pl_mail_subject(&subject, comp, m, &err) < 0) {
            rc = cli_fail(&err);
            goto done;
        }
        if (arr) {
            json_t *o = json_pack("{sI ss ss ss ss si so ss so}", "id", (json_int_t)m->id, "to",
                                  m->to, "kind", pl_mail_kind_name(m->kind), "subject", subject,
                                  "status", pl_mail_status_name(m->status), "attempts", m->attempts,
                                  "error", str_or_null(m->error), "created", m->created, "sent",
                                  str_or_null(m->sent));
            if (!o || json_array_append_new(arr, o) < 0) {
                free(subject);
                rc = CLI_EIO;
                goto done;
            }
        } else {
            printf("%lld\t%s\t%s\t%s\t%s", m->id, pl_mail_status_name(m->status),
                   pl_mail_kind_name(m->kind), m->to, subject);
            if (m->attempts && m->status != PL_MAIL_SENT)
                printf("\t(%d attempt%s%s%s)", m->attempts, m->attempts == 1 ? "" : "s",
                       m->error ? ": " : "", m->error ? m->error : "");
            printf("\n");
        }
        free(subject);
    }
    if (arr) {
        json_t *root = json_pack("{so}", "messages", arr);
        arr = NULL;
        if (!root || json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
            json_decref(root);
            rc = CLI_EIO;
            goto done;
        }
        printf("\n");
        json_decref(root);
    }
    rc = CLI_OK;
done:
    json_decref(arr);
    pl_mail_composer_free(comp);
    pl_outbox_list_free(list, n);
    pl_store_free(store);
    pl_mail_config_free(cfg);
    return rc;
}

/* ---- preview, retry ---- */

static int parse_id(const char *s, long long *out)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;

    if (!s || !*s || *end || v <= 0)
        return cli_usage("mail", "a message ID is a number (see 'planner mail list'), not '%s'",
                         s ? s : "");
    *out = v;
    return 0;
}

static int mail_preview(int argc, char **argv)
{
    const char *id_arg = NULL, *base_url = NULL;
    pl_outbox_message *m = NULL;
    pl_mail_composer *comp = NULL;
    pl_mail_config *cfg = NULL;
    pl_store *store = NULL;
    char *bytes = NULL;
    size_t len = 0;
    long long id = 0;
    pl_error err;
    int rc;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--base-url") == 0 && i + 1 < argc)
            base_url = argv[++i];
        else if (argv[i][0] == '-')
            return cli_usage("mail", "unknown option '%s'", argv[i]);
        else if (!id_arg)
            id_arg = argv[i];
        else
            return cli_usage("mail", "unexpected argument '%s'", argv[i]);
    }
    if ((rc = parse_id(id_arg, &id)) != 0)
        return rc;
    if ((rc = config(&cfg, base_url)) != 0)
        return rc;
    if ((rc = cli_open_store(&store, 0)) != 0)
        goto done;
    if (pl_outbox_get(&m, store, id, &err) < 0 ||
        pl_mail_composer_new(&comp, store, cfg, NULL, &err) < 0 ||
        pl_mail_compose(&bytes, &len, comp, m, &err) < 0) {
        rc = cli_fail(&err);
        goto done;
    }
    rc = fwrite(bytes, 1, len, stdout) == len ? CLI_OK : CLI_EIO;
done:
    free(bytes);
    pl_mail_composer_free(comp);
    pl_outbox_message_free(m);
    pl_store_free(store);
    pl_mail_config_free(cfg);
    return rc;
}

static int mail_retry(int argc, char **argv)
{
    pl_store *store = NULL;
    long long id = 0;
    pl_error err;
    int rc, all = 0;

    if (argc != 2)
        return cli_usage("mail", "retry needs one message ID or --failed");
    if (strcmp(argv[1], "--failed") == 0)
        all = 1;
    else if ((rc = parse_id(argv[1], &id)) != 0)
        return rc;
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    rc = all ? pl_outbox_requeue_failed(store, &err) : pl_outbox_requeue(store, id, &err);
    if (rc < 0)
        rc = cli_fail(&err);
    else {
        if (all)
            fprintf(stderr, "planner: %d failed message%s queued again\n", rc, rc == 1 ? "" : "s");
        else
            fprintf(stderr, "planner: message %lld queued again\n", id);
        rc = CLI_OK;
    }
    pl_store_free(store);
    return rc;
}

/* ---- announce ---- */

static char *read_file(const char *path, pl_error *err)
{
    FILE *f = fopen(path, "rb");
    pl_buf b = PL_BUF_INIT;
    char buf[8192];
    size_t n;

    if (!f) {
        pl_error_set(err, PL_EINVALID, "%s: cannot read the file", path);
        return NULL;
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        if (pl_buf_append(&b, buf, n) < 0) {
            fclose(f);
            pl_buf_free(&b);
            pl_error_oom(err);
            return NULL;
        }
    fclose(f);
    return pl_buf_detach(&b);
}

static int mail_announce(int argc, char **argv)
{
    const char *slug = NULL, *subject = NULL, *body_file = NULL;
    pl_mail_audience to = PL_AUDIENCE_CONFIRMED;
    pl_store *store = NULL;
    char *body = NULL;
    const char *problem;
    pl_error err;
    int rc;

    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--subject") == 0 && v) {
            subject = v;
            i++;
        } else if (strcmp(argv[i], "--body-file") == 0 && v) {
            body_file = v;
            i++;
        } else if (strcmp(argv[i], "--to") == 0 && v) {
            if (strcmp(v, "confirmed") == 0)
                to = PL_AUDIENCE_CONFIRMED;
            else if (strcmp(v, "waitlisted") == 0)
                to = PL_AUDIENCE_WAITLISTED;
            else if (strcmp(v, "all") == 0)
                to = PL_AUDIENCE_ALL;
            else
                return cli_usage("mail", "--to needs confirmed, waitlisted or all, not '%s'", v);
            i++;
        } else if (argv[i][0] == '-') {
            return cli_usage("mail", "unknown option '%s' (or it needs a value)", argv[i]);
        } else if (!slug) {
            slug = argv[i];
        } else {
            return cli_usage("mail", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!slug || !subject || !body_file)
        return cli_usage("mail", "announce needs SLUG, --subject and --body-file");
    if (!(body = read_file(body_file, &err)))
        return cli_fail(&err);
    if ((problem = pl_text_problem(body)) || (problem = pl_text_problem(subject))) {
        free(body);
        fprintf(stderr, "planner: %s: %s\n", body_file, problem);
        return CLI_EINPUT;
    }
    if ((rc = cli_open_store(&store, 0)) != 0) {
        free(body);
        return rc;
    }
    rc = pl_outbox_announce(store, slug, subject, body, to, &err);
    if (rc < 0)
        rc = cli_fail(&err);
    else {
        fprintf(stderr, "planner: %d message%s queued; 'planner mail send' delivers them\n", rc,
                rc == 1 ? "" : "s");
        rc = CLI_OK;
    }
    free(body);
    pl_store_free(store);
    return rc;
}

/* ---- reminders ---- */

static int mail_remind(int argc, char **argv)
{
    pl_store *store = NULL;
    char now[32];
    size_t added = 0;
    pl_error err;
    int rc;

    (void)argv;
    if (argc != 1)
        return cli_usage("mail", "remind takes no argument");
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    pl_now_utc(now);
    if (pl_mail_remind(store, now, &added, &err) < 0)
        rc = cli_fail(&err);
    else
        fprintf(stderr, "planner: %zu reminder%s queued\n", added, added == 1 ? "" : "s");
    pl_store_free(store);
    return rc;
}

static int mail_reminders(int argc, char **argv)
{
    const char *slug = NULL;
    pl_store *store = NULL;
    long days = -1;
    int rc, d;
    pl_error err;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--days") == 0) {
            if ((rc = parse_count("--days", i + 1 < argc ? argv[++i] : NULL, 365, &days)) != 0)
                return rc;
        } else if (argv[i][0] == '-') {
            return cli_usage("mail", "unknown option '%s'", argv[i]);
        } else if (!slug) {
            slug = argv[i];
        } else {
            return cli_usage("mail", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!slug)
        return cli_usage("mail", "reminders needs an event SLUG");
    if ((rc = cli_open_store(&store, 0)) != 0)
        return rc;
    if ((days >= 0 && pl_outbox_set_reminder_days(store, slug, (int)days, &err) < 0) ||
        pl_outbox_reminder_days(store, slug, &d, &err) < 0)
        rc = cli_fail(&err);
    else
        printf("%d\n", d);
    pl_store_free(store);
    return rc;
}

int cmd_mail(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } subs[] = {
        {"send", mail_send},           {"list", mail_list},         {"preview", mail_preview},
        {"retry", mail_retry},         {"announce", mail_announce}, {"remind", mail_remind},
        {"reminders", mail_reminders},
    };

    if (argc < 2 || cli_wants_help(argc, argv))
        return argc < 2 ? cli_usage("mail", "which one: send, list, preview, retry, announce, "
                                            "remind, reminders?")
                        : cli_help(help);
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].fn(argc - 1, argv + 1);
    return cli_usage("mail", "unknown subcommand '%s'", argv[1]);
}
