/* carpool_summary.c - a stored plan's counts in words (carpool_summary.h). */
#include "carpool_summary.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *code;
    pl_text_id text;
} whys[PL_CARPOOL_NWHY] = {
    {PL_CARPOOL_WHY_NOBODY_DRIVES, PL_T_COMMON_CARPOOL_WHY_NOBODY_DRIVES},
    {PL_CARPOOL_WHY_NO_DRIVER, PL_T_COMMON_CARPOOL_WHY_NO_DRIVER},
    {PL_CARPOOL_WHY_NO_SEAT, PL_T_COMMON_CARPOOL_WHY_NO_SEAT},
    {PL_CARPOOL_WHY_NO_ROOM, PL_T_COMMON_CARPOOL_WHY_NO_ROOM},
    {PL_CARPOOL_WHY_CAR_KEPT, PL_T_COMMON_CARPOOL_WHY_CAR_KEPT},
    {PL_CARPOOL_WHY_LEAVE_TIME, PL_T_COMMON_CARPOOL_WHY_LEAVE_TIME},
    {PL_CARPOOL_WHY_ORIGIN_UNKNOWN, PL_T_COMMON_CARPOOL_WHY_ORIGIN_UNKNOWN},
    {PL_CARPOOL_WHY_ORIGIN_AMBIGUOUS, PL_T_COMMON_CARPOOL_WHY_ORIGIN_AMBIGUOUS},
    {PL_CARPOOL_WHY_EXCLUDED, PL_T_COMMON_CARPOOL_WHY_EXCLUDED},
    {PL_CARPOOL_WHY_SEAT_LOST, PL_T_COMMON_CARPOOL_WHY_SEAT_LOST},
    {PL_CARPOOL_WHY_DRIVER_DECLINED, PL_T_COMMON_CARPOOL_WHY_DRIVER_DECLINED},
    {PL_CARPOOL_WHY_LEFT, PL_T_COMMON_CARPOOL_WHY_LEFT},
};

static size_t why_index(const char *code)
{
    for (size_t k = 0; k < PL_CARPOOL_NWHY; k++)
        if (code && strcmp(code, whys[k].code) == 0)
            return k;
    return PL_CARPOOL_NWHY;
}

const char *pl_carpool_why_code(size_t k)
{
    return k < PL_CARPOOL_NWHY ? whys[k].code : NULL;
}

const char *pl_carpool_why_short(pl_lang lang, const char *code)
{
    size_t k = why_index(code);
    return pl_lang_text(lang, k < PL_CARPOOL_NWHY ? whys[k].text : PL_T_COMMON_CARPOOL_WHY_OTHER);
}

void pl_carpool_summary_count(pl_carpool_summary *out, const pl_carpool_saved_plan *plan)
{
    memset(out, 0, sizeof(*out));
    for (size_t g = 0; g < plan->ngroups; g++) {
        out->cars++;
        if (plan->groups[g].npassengers) {
            out->with_passengers++;
            out->passengers += plan->groups[g].npassengers;
        } else {
            out->alone++;
        }
    }
    /* riders in a car: the plan's count, bounded by the seats taken (a
     * rider driving a kept car is counted seated by the engine) */
    out->seated = plan->totals.riders_seated;
    if (out->seated > out->passengers)
        out->seated = out->passengers;
    out->flexible_riding = out->passengers - out->seated;
    for (size_t u = 0; u < plan->nunassigned; u++) {
        const pl_carpool_saved_unassigned *un = &plan->unassigned[u];
        size_t k = why_index(un->code);
        if (un->travel && strcmp(un->travel, "ride") == 0) {
            out->unseated++;
            out->unseated_by[k]++;
        } else {
            out->not_in_car++;
            out->not_in_car_by[k]++;
        }
    }
    out->want_seat = out->seated + out->unseated;
}

/* " (1 why, 2 why)" for the non-zero counts of by; "" when none. */
static void reasons(char *buf, size_t size, pl_lang lang, const size_t *by)
{
    size_t len = 0;

    buf[0] = '\0';
    for (size_t k = 0; k <= PL_CARPOOL_NWHY && len < size; k++) {
        if (!by[k])
            continue;
        int n = snprintf(buf + len, size - len, "%s%zu %s", len ? ", " : " (", by[k],
                         pl_carpool_why_short(lang, k < PL_CARPOOL_NWHY ? whys[k].code : NULL));
        if (n < 0)
            break;
        len += (size_t)n;
    }
    if (len && len < size)
        snprintf(buf + len, size - len, ")");
}

char *pl_carpool_summary_text(char *buf, size_t size, pl_lang lang,
                              const pl_carpool_saved_plan *plan)
{
    pl_carpool_summary s;
    char n[6][32], why[512], line[768];
    const char *args[6];
    size_t len;

    if (!size)
        return buf;
    pl_carpool_summary_count(&s, plan);
    snprintf(n[0], sizeof(n[0]), "%zu", s.want_seat);
    snprintf(n[1], sizeof(n[1]), "%zu", s.seated);
    snprintf(n[2], sizeof(n[2]), "%zu", s.unseated);
    for (int i = 0; i < 3; i++)
        args[i] = n[i];
    pl_lang_fill(line, sizeof(line), pl_lang_text(lang, PL_T_COMMON_CARPOOL_SUM_SEATS), args, 3);
    reasons(why, sizeof(why), lang, s.unseated_by);
    snprintf(buf, size, "%s%s\n", line, why);

    snprintf(n[0], sizeof(n[0]), "%zu", s.cars);
    snprintf(n[1], sizeof(n[1]), "%zu", s.with_passengers);
    snprintf(n[2], sizeof(n[2]), "%zu", s.alone);
    snprintf(n[3], sizeof(n[3]), "%zu", s.passengers);
    snprintf(n[4], sizeof(n[4]), "%zu", s.seated);
    snprintf(n[5], sizeof(n[5]), "%zu", s.flexible_riding);
    for (int i = 0; i < 6; i++)
        args[i] = n[i];
    pl_lang_fill(line, sizeof(line), pl_lang_text(lang, PL_T_COMMON_CARPOOL_SUM_CARS), args, 6);
    len = strlen(buf);
    snprintf(buf + len, size - len, "%s\n", line);

    if (s.not_in_car) {
        snprintf(n[0], sizeof(n[0]), "%zu", s.not_in_car);
        args[0] = n[0];
        pl_lang_fill(line, sizeof(line), pl_lang_text(lang, PL_T_COMMON_CARPOOL_SUM_NOT_IN_CAR),
                     args, 1);
        reasons(why, sizeof(why), lang, s.not_in_car_by);
        len = strlen(buf);
        snprintf(buf + len, size - len, "%s%s\n", line, why);
    }
    return buf;
}
