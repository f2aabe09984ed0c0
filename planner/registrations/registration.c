/*
 * registration.c - the registration model: travel and status names, their
 * parsing, freeing, and the checks of one registration's own fields.
 */
#include "registration_internal.h"
#include "csv.h"
#include "lang.h"
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

/* Where pl_registration_check's problems go: fn, or the first one into
 * first (pl_registration_validate, with its catalogue text). */
typedef struct checker {
    pl_registration_problem_fn fn;
    void *payload;
    pl_error *first;
} checker;

static int problem(checker *k, const char *column, pl_text_id id, const char *a1, const char *a2)
{
    const char *args[2] = {a1, a2};
    pl_error e;

    if (k->first) {
        if (k->first->code == PL_OK)
            pl_error_say_at(k->first, PL_EINVALID, NULL, 0, 0, column, id, args, 2);
    } else if (k->fn) {
        pl_error_say_at(&e, PL_EINVALID, NULL, 0, 0, column, id, args, 2);
        k->fn(column, e.msg, k->payload);
    }
    return 1;
}

static int too_long(checker *k, const char *column, const char *s, size_t max)
{
    const char *bad;
    char a[24], b[24];

    if (s && strlen(s) > max) {
        snprintf(a, sizeof(a), "%zu", strlen(s));
        snprintf(b, sizeof(b), "%zu", max);
        return problem(k, column, PL_T_REG_ERR_TOO_LONG, a, b);
    }
    if ((bad = pl_text_problem(s)))
        return problem(k, column, strstr(bad, "UTF-8") ? PL_T_ERR_NOT_UTF8 : PL_T_ERR_CONTROL_CHAR,
                       NULL, NULL);
    return 0;
}

static int check(const pl_registration *r, checker *k)
{
    int n = 0;
    char a[100], b[24];

    if (reg_blank(r->name))
        n += problem(k, "name", PL_T_REG_ERR_EMPTY, NULL, NULL);
    else
        n += too_long(k, "name", r->name, PL_REG_NAME_MAX);
    if (reg_blank(r->email))
        n += problem(k, "email", PL_T_REG_ERR_EMPTY, NULL, NULL);
    else if (!pl_email_valid(r->email)) {
        snprintf(a, sizeof(a), "%.80s", r->email);
        n += problem(k, "email", PL_T_REG_ERR_EMAIL, a, NULL);
    }
    if (!pl_reg_seats_ok(r->travel, r->seats)) {
        snprintf(a, sizeof(a), "%d", r->seats);
        snprintf(b, sizeof(b), "%d", PL_REG_SEATS_MAX);
        n += problem(k, "seats", PL_T_REG_ERR_SEATS, a, b);
    }
    if (r->travel != PL_TRAVEL_NONE && reg_blank(r->origin))
        n += problem(k, "origin", PL_T_REG_ERR_ORIGIN, pl_travel_name(r->travel), NULL);
    if (r->phone && !reg_blank(r->phone)) {
        int digits = 0, bad = 0;
        for (const char *p = r->phone; *p; p++) {
            if (*p >= '0' && *p <= '9')
                digits++;
            else if (!strchr(" +.-()/", *p))
                bad = 1;
        }
        if (bad || digits < 4 || digits > 20) {
            snprintf(a, sizeof(a), "%.40s", r->phone);
            n += problem(k, "phone", PL_T_REG_ERR_PHONE, a, NULL);
        }
    }
    n += too_long(k, "organization", r->organization, PL_REG_TEXT_MAX);
    n += too_long(k, "origin", r->origin, PL_REG_TEXT_MAX);
    n += too_long(k, "phone", r->phone, 40);
    n += too_long(k, "diet", r->diet, PL_REG_TEXT_MAX);
    return n;
}

int pl_registration_check(const pl_registration *r, pl_registration_problem_fn fn, void *payload)
{
    checker k = {fn, payload, NULL};

    return check(r, &k);
}

int pl_registration_validate(const pl_registration *r, pl_error *err)
{
    pl_error local;
    pl_error *e = err ? err : &local;

    /* Only the code marks "no problem yet": clearing the whole record on
     * every row of an import shows in its profile. */
    e->code = PL_OK;
    checker k = {NULL, NULL, e};
    if (check(r, &k) == 0)
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
