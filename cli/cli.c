#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

cli_options cli_opts = {"planner.db", 0};

/* What to do about a failure the core reports: the core says what is wrong,
 * the command line says which command helps. Matched on the code and the
 * start of the core's message. */
static const struct {
    int code;
    const char *starts;
    const char *advice;
    const char *after_name; /* when set: advice, the message's 'name', this */
} advice[] = {
    {PL_ENOTFOUND, "no event '",
     "'planner event list' shows the events there are; 'planner event import FILE.json' "
     "adds one",
     NULL},
    {PL_ENOTFOUND, "no carpool plan yet for event '", "make one with 'planner carpool plan ", "'"},
};

/* The first 'quoted' name of msg into out (an event's slug), or "SLUG". */
static void quoted_name(char *out, size_t size, const char *msg)
{
    const char *a = strchr(msg, '\''), *b = a ? strchr(a + 1, '\'') : NULL;

    if (a && b && (size_t)(b - a - 1) < size)
        snprintf(out, size, "%.*s", (int)(b - a - 1), a + 1);
    else
        snprintf(out, size, "SLUG");
}

int cli_fail(const pl_error *err)
{
    char buf[1024];

    fprintf(stderr, "planner: %s\n", pl_error_format(err, buf, sizeof(buf)));
    for (size_t i = 0; i < sizeof(advice) / sizeof(advice[0]); i++)
        if (err->code == advice[i].code &&
            strncmp(err->msg, advice[i].starts, strlen(advice[i].starts)) == 0) {
            char name[128] = "";
            if (advice[i].after_name)
                quoted_name(name, sizeof(name), err->msg);
            fprintf(stderr, "planner: %s%s%s\n", advice[i].advice, name,
                    advice[i].after_name ? advice[i].after_name : "");
        }
    switch (err->code) {
    case PL_EINVALID:
    case PL_ENOTFOUND:
    case PL_EEXISTS:
    case PL_EFULL:
        return CLI_EINPUT;
    default:
        return CLI_EIO;
    }
}

int cli_usage(const char *command, const char *fmt, ...)
{
    va_list ap;

    fputs("planner: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'planner %s%s--help'.\n", command ? command : "", command ? " " : "");
    return CLI_EUSAGE;
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;

    fputs("planner: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}

int cli_help(const char *text)
{
    fputs(text, stdout);
    return CLI_OK;
}

int cli_parse_slug_format(int argc, char **argv, const char *command, const char *const *formats,
                          const char **slug, const char **format)
{
    char list[128] = "";
    int known = 0;

    *slug = NULL;
    *format = formats[0];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
            *format = argv[++i];
        else if (strncmp(argv[i], "--format=", 9) == 0)
            *format = argv[i] + 9;
        else if (argv[i][0] == '-')
            return cli_usage(command, "unknown option '%s'", argv[i]);
        else if (!*slug)
            *slug = argv[i];
        else
            return cli_usage(command, "unexpected argument '%s'", argv[i]);
    }
    if (!*slug)
        return cli_usage(command, "%s needs an event SLUG ('planner event list' shows them)",
                         argv[0]);
    for (const char *const *f = formats; *f; f++) {
        known |= strcmp(*f, *format) == 0;
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                 f == formats ? ""
                 : f[1]       ? ", "
                              : " or ",
                 *f);
    }
    if (!known)
        return cli_usage(command, "--format is %s, not '%s'", list, *format);
    return 0;
}

int cli_open_store(pl_store **out, int create)
{
    pl_error err;
    int rc = pl_store_open(out, cli_opts.db_path, create ? PL_STORE_CREATE : 0, &err);

    if (rc == 0)
        return 0;
    /* A missing or foreign database is a database problem: exit 3. */
    cli_fail(&err);
    if (rc == PL_ENOTFOUND)
        fputs("planner: run 'planner init' first, or give another path with --db\n", stderr);
    else if (rc == PL_EINVALID)
        fputs("planner: give another path with --db\n", stderr);
    return CLI_EIO;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *cli_samples_dir(void)
{
    const char *env = getenv("PLANNER_SAMPLES");

    if (env && is_dir(env))
        return env;
    if (is_dir(PLANNER_SAMPLES_DIR))
        return PLANNER_SAMPLES_DIR;
    if (is_dir(PLANNER_INSTALLED_SAMPLES_DIR))
        return PLANNER_INSTALLED_SAMPLES_DIR;
    return NULL;
}
