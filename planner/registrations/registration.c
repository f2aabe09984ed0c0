/*
 * registration.c - the registration model: travel and status names, their
 * parsing, freeing, and the checks of one registration's own fields.
 */
#include "registration_internal.h"
#include "csv.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const reg_travel_names[] = {"none", "drive", "ride", "flexible"};
const char *const reg_status_names[] = {"confirmed", "waitlisted", "cancelled"};

#include "registration.h"
#include "csv.h"
#include "random.h"
#include "text.h"
#include "store_private.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *pl_travel_name(pl_travel travel)
{
    return (unsigned)travel < 4 ? reg_travel_names[travel] : "none";
}

const char *pl_reg_status_name(pl_reg_status status)
{
    return (unsigned)status < 3 ? reg_status_names[status] : "confirmed";
}

int pl_travel_parse(pl_travel *out, const char *s)
{
    static const struct {
        const char *key;
        pl_travel travel;
    } words[] = {
        {"", PL_TRAVEL_NONE},
        {"none", PL_TRAVEL_NONE},
        {"aucun", PL_TRAVEL_NONE},
        {"aucune", PL_TRAVEL_NONE},
        {"drive", PL_TRAVEL_DRIVE},
        {"driver", PL_TRAVEL_DRIVE},
        {"conducteur", PL_TRAVEL_DRIVE},
        {"conductrice", PL_TRAVEL_DRIVE},
        {"ride", PL_TRAVEL_RIDE},
        {"rider", PL_TRAVEL_RIDE},
        {"passenger", PL_TRAVEL_RIDE},
        {"passager", PL_TRAVEL_RIDE},
        {"passagere", PL_TRAVEL_RIDE},
        {"flexible", PL_TRAVEL_FLEXIBLE},
    };
    char key[32];

    pl_csv_fold(key, sizeof(key), s ? s : "");
    if (s && strlen(s) >= sizeof(key))
        return PL_EINVALID;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(key, words[i].key) == 0) {
            *out = words[i].travel;
            return 0;
        }
    return PL_EINVALID;
}

int pl_reg_seats_parse(int *out, const char *s)
{
    char *end;
    long v;

    if (!s || !*s || *s == ' ' || *s == '+')
        return PL_EINVALID;
    v = strtol(s, &end, 10);
    if (*end || v < -1000 || v > 1000)
        return PL_EINVALID;
    *out = (int)v;
    return 0;
}

int pl_reg_seats_ok(pl_travel travel, int seats)
{
    if (travel != PL_TRAVEL_DRIVE && travel != PL_TRAVEL_FLEXIBLE)
        return 1;
    return seats >= 1 && seats <= PL_REG_SEATS_MAX;
}

void pl_registration_free(pl_registration *r)
{
    if (!r)
        return;
    free(r->uid);
    free(r->token);
    free(r->event_slug);
    free(r->name);
    free(r->email);
    free(r->organization);
    free(r->origin);
    free(r->phone);
    free(r->diet);
    pl_strlist_clear(&r->sessions);
    free(r->session_waiting);
    free(r->created);
    free(r->updated);
    free(r->waitlist_reason);
    free(r);
}

void pl_registration_list_free(pl_registration **regs, size_t count)
{
    if (!regs)
        return;
    for (size_t i = 0; i < count; i++)
        pl_registration_free(regs[i]);
    free(regs);
}

int pl_email_valid(const char *s)
{
    const char *at, *dot;
    size_t n;

    if (!s || (n = strlen(s)) == 0 || n > PL_REG_EMAIL_MAX || pl_text_problem(s))
        return 0;
    at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@'))
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == ',' || *p == ';' || *p == '<' || *p == '>' ||
            *p == '"' || *p == '(' || *p == ')' || *p == '[' || *p == ']' || *p == '\\')
            return 0;
    dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0' || strstr(at + 1, "..") || s[n - 1] == '.')
        return 0;
    if (s[0] == '.' || at[-1] == '.')
        return 0;
    return 1;
}

int reg_blank(const char *s)
{
    if (!s)
        return 1;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

static int problem(pl_registration_problem_fn fn, void *payload, const char *column,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int problem(pl_registration_problem_fn fn, void *payload, const char *column,
                   const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    if (fn) {
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        fn(column, msg, payload);
    }
    return 1;
}

static int too_long(pl_registration_problem_fn fn, void *payload, const char *column, const char *s,
                    size_t max)
{
    const char *bad;

    if (s && strlen(s) > max)
        return problem(fn, payload, column, "too long (%zu bytes, at most %zu)", strlen(s), max);
    if ((bad = pl_text_problem(s)))
        return problem(fn, payload, column, "%s", bad);
    return 0;
}

int pl_registration_check(const pl_registration *r, pl_registration_problem_fn fn, void *payload)
{
    int n = 0;

    if (reg_blank(r->name))
        n += problem(fn, payload, "name", "empty");
    else
        n += too_long(fn, payload, "name", r->name, PL_REG_NAME_MAX);
    if (reg_blank(r->email))
        n += problem(fn, payload, "email", "empty");
    else if (!pl_email_valid(r->email))
        n += problem(fn, payload, "email", "\"%.80s\" is not an e-mail address", r->email);
    if (!pl_reg_seats_ok(r->travel, r->seats))
        n += problem(fn, payload, "seats", "%d is not a number of free seats from 1 to %d",
                     r->seats, PL_REG_SEATS_MAX);
    if (r->travel != PL_TRAVEL_NONE && reg_blank(r->origin))
        n += problem(fn, payload, "origin", "empty (needed to carpool as %s)",
                     pl_travel_name(r->travel));
    if (r->phone && !reg_blank(r->phone)) {
        int digits = 0, bad = 0;
        for (const char *p = r->phone; *p; p++) {
            if (*p >= '0' && *p <= '9')
                digits++;
            else if (!strchr(" +.-()/", *p))
                bad = 1;
        }
        if (bad || digits < 4 || digits > 20)
            n += problem(fn, payload, "phone", "\"%.40s\" is not a phone number", r->phone);
    }
    n += too_long(fn, payload, "organization", r->organization, PL_REG_TEXT_MAX);
    n += too_long(fn, payload, "origin", r->origin, PL_REG_TEXT_MAX);
    n += too_long(fn, payload, "phone", r->phone, 40);
    n += too_long(fn, payload, "diet", r->diet, PL_REG_TEXT_MAX);
    return n;
}

static void first_problem(const char *column, const char *msg, void *payload)
{
    pl_error *err = payload;

    if (err && err->code == PL_OK)
        pl_error_set_at(err, PL_EINVALID, NULL, 0, 0, column, "%s", msg);
}

int pl_registration_validate(const pl_registration *r, pl_error *err)
{
    pl_error local;
    pl_error *e = err ? err : &local;

    /* Only the code marks "no problem yet": clearing the whole record on
     * every row of an import shows in its profile. */
    e->code = PL_OK;
    if (pl_registration_check(r, first_problem, e) == 0)
        return 0;
    return PL_EINVALID;
}

pl_reg_status reg_status_from(const unsigned char *s)
{
    for (int i = 0; i < 3; i++)
        if (s && strcmp((const char *)s, reg_status_names[i]) == 0)
            return (pl_reg_status)i;
    return PL_REG_CANCELLED;
}
