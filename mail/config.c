#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pl_mail_config_free(pl_mail_config *cfg)
{
    if (!cfg)
        return;
    if (cfg->password) {
        memset(cfg->password, 0, strlen(cfg->password));
        free(cfg->password);
    }
    free(cfg->smtp_url);
    free(cfg->user);
    free(cfg->from);
    free(cfg->from_addr);
    free(cfg->domain);
    free(cfg->base_url);
    free(cfg);
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static int read_password(char **out, const char *path, pl_error *err)
{
    char line[1024];
    FILE *f = fopen(path, "r");

    if (!f)
        return pl_error_set(err, PL_EINVALID, "PLANNER_SMTP_PASSWORD_FILE: cannot read %s", path);
    if (!fgets(line, sizeof(line), f))
        line[0] = '\0';
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    *out = strdup(line);
    memset(line, 0, sizeof(line));
    return *out ? 0 : pl_error_oom(err);
}

/* The address of a From header: inside <...>, else the whole of it. */
static int split_from(pl_mail_config *cfg, pl_error *err)
{
    const char *lt = strrchr(cfg->from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    const char *at;

    if (lt && gt)
        cfg->from_addr = strndup(lt + 1, (size_t)(gt - lt - 1));
    else
        cfg->from_addr = strdup(cfg->from);
    if (!cfg->from_addr)
        return pl_error_oom(err);
    if (!pl_email_valid(cfg->from_addr))
        return pl_error_set(err, PL_EINVALID,
                            "PLANNER_MAIL_FROM: '%s' is not an e-mail address "
                            "(e.g. \"Atelier <atelier@example.org>\")",
                            cfg->from);
    at = strchr(cfg->from_addr, '@');
    return (cfg->domain = strdup(at + 1)) ? 0 : pl_error_oom(err);
}

int pl_mail_config_from_env(pl_mail_config **out, const char *base_url, pl_error *err)
{
    pl_mail_config *cfg = calloc(1, sizeof(*cfg));
    const char *v;
    int rc = 0;

    *out = NULL;
    if (!cfg)
        return pl_error_oom(err);
    cfg->rate_per_minute = 60;
    if ((v = env("PLANNER_MAIL_RATE"))) {
        char *end;
        long r = strtol(v, &end, 10);
        if (*end || r < 0 || r > 1000000) {
            rc = pl_error_set(err, PL_EINVALID,
                              "PLANNER_MAIL_RATE: '%s' is not a number of messages per minute", v);
            goto done;
        }
        cfg->rate_per_minute = (int)r;
    }
    if ((v = env("PLANNER_SMTP_URL")) && !(cfg->smtp_url = strdup(v)))
        goto oom;
    if (cfg->smtp_url && strncmp(cfg->smtp_url, "smtp://", 7) != 0 &&
        strncmp(cfg->smtp_url, "smtps://", 8) != 0) {
        rc = pl_error_set(err, PL_EINVALID,
                          "PLANNER_SMTP_URL: '%s' must start with smtp:// or smtps://",
                          cfg->smtp_url);
        goto done;
    }
    if ((v = env("PLANNER_SMTP_USER")) && !(cfg->user = strdup(v)))
        goto oom;
    if ((v = env("PLANNER_SMTP_PASSWORD"))) {
        if (!(cfg->password = strdup(v)))
            goto oom;
    } else if ((v = env("PLANNER_SMTP_PASSWORD_FILE"))) {
        if ((rc = read_password(&cfg->password, v, err)) < 0)
            goto done;
    }
    if (!(cfg->from = strdup((v = env("PLANNER_MAIL_FROM")) ? v : "planner@localhost.localdomain")))
        goto oom;
    if ((rc = split_from(cfg, err)) < 0)
        goto done;
    v = base_url ? base_url : env("PLANNER_BASE_URL");
    if (!(cfg->base_url = strdup(v ? v : "http://127.0.0.1:8080")))
        goto oom;
    for (size_t n = strlen(cfg->base_url); n > 0 && cfg->base_url[n - 1] == '/'; n--)
        cfg->base_url[n - 1] = '\0';
    goto done;
oom:
    rc = pl_error_oom(err);
done:
    if (rc < 0) {
        pl_mail_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}
