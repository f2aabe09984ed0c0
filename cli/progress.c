#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WIDTH 30

void cli_progress_start(cli_progress *p, const char *label, long long total, long long large)
{
    const char *env = getenv("PLANNER_PROGRESS");

    p->label = label;
    p->total = total;
    p->shown = -1;
    p->enabled = total > 0 && total >= large && isatty(fileno(stderr));
    if (env && strcmp(env, "always") == 0)
        p->enabled = total > 0;
    else if (env && strcmp(env, "never") == 0)
        p->enabled = 0;
}

void cli_progress_update(cli_progress *p, long long done)
{
    int pct, fill;

    if (!p->enabled)
        return;
    if (done > p->total)
        done = p->total;
    pct = (int)(done * 100 / p->total);
    if (pct == p->shown)
        return;
    p->shown = pct;
    fill = pct * WIDTH / 100;
    fprintf(stderr, "\r%s [%.*s%*s] %3d%%  %.1f/%.1f MB", p->label, fill,
            "##############################", WIDTH - fill, "", pct, (double)done / 1e6,
            (double)p->total / 1e6);
    fflush(stderr);
}

void cli_progress_end(cli_progress *p)
{
    if (!p->enabled || p->shown < 0)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->shown = -1;
}
