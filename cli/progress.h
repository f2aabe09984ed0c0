/*
 * progress.h - a one-line progress bar on stderr, for long operations.
 *
 * It is drawn only when stderr is a terminal and the work is large (or when
 * $PLANNER_PROGRESS is "always"; "never" turns it off), and redrawn at most
 * once per percent, so it costs nothing in scripts and pipes.
 */
#ifndef PL_CLI_PROGRESS_H
#define PL_CLI_PROGRESS_H

typedef struct cli_progress {
    int enabled;
    const char *label;
    long long total;
    int shown; /* last percent drawn, -1 before the first */
} cli_progress;

/* Work of total units (bytes) at least `large` units gets a bar. */
void cli_progress_start(cli_progress *p, const char *label, long long total, long long large);
/* done units of total are finished. */
void cli_progress_update(cli_progress *p, long long done);
/* Erase the bar (the line is left empty for the messages that follow). */
void cli_progress_end(cli_progress *p);

#endif
