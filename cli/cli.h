/*
 * cli.h - what the subcommands of the `planner` executable share: the
 * command table entry, global options, and the one place where an error
 * becomes a message on stderr and an exit code.
 */
#ifndef PL_CLI_H
#define PL_CLI_H

#include "planner.h"

#include <stdio.h>

/* Exit codes (ARCHITECTURE.md). */
#define CLI_OK 0
#define CLI_EINPUT 1 /* bad input, or a check that failed */
#define CLI_EUSAGE 2 /* usage error */
#define CLI_EIO 3    /* I/O, database or internal error */

typedef struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} cli_command;

/* Options given before the command, set once by main(). */
typedef struct cli_options {
    const char *db_path; /* --db, $PLANNER_DB, or "planner.db" */
    int db_explicit;     /* --db or $PLANNER_DB was given */
} cli_options;
extern cli_options cli_opts;

/* Print "planner: <error>" on stderr; return the exit code for err. */
int cli_fail(const pl_error *err);
/* Print "planner: <message>" and a pointer to --help; return CLI_EUSAGE. */
int cli_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "planner: <message>" on stderr (no exit code implied). */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Is "-h" or "--help" among argv[1..]? (Only before a "--".) */
int cli_wants_help(int argc, char **argv);
/* Print help text to stdout and return CLI_OK. */
int cli_help(const char *text);

/*
 * Parse "SUBCOMMAND SLUG [--format F]" (argv[0] is the subcommand): the
 * one slug and a format among formats (NULL-terminated, the first is the
 * default). On a usage error prints it for command and returns CLI_EUSAGE.
 */
int cli_parse_slug_format(int argc, char **argv, const char *command, const char *const *formats,
                          const char **slug, const char **format);

/* Open the database of cli_opts; create it when create is set.
 * On failure prints the message and returns the exit code (> 0). */
int cli_open_store(pl_store **out, int create);

/* The folder that holds the sample events, or NULL. */
const char *cli_samples_dir(void);

/* Subcommands. */
int cmd_init(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_event(int argc, char **argv);
int cmd_agenda(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_registrations(int argc, char **argv);
int cmd_sessions(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_subscribe(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_carpool(int argc, char **argv);
int cmd_mail(int argc, char **argv);

#endif
