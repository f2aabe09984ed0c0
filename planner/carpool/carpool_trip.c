/*
 * carpool_trip.c - the small words every carpool file shares: a trip's name
 * ("outbound", "return") and back, the plan options' defaults, and a time
 * of the plan ("YYYY-MM-DDTHH:MM" from minutes). A leaf: it calls no other
 * file of planner/carpool.
 */
#include "carpool_plan.h"
#include "text.h"

#include <string.h>

const char *pl_carpool_trip_name(pl_carpool_trip trip)
{
    return trip == PL_CARPOOL_RETURN ? "return" : "outbound";
}

int pl_carpool_trip_parse(pl_carpool_trip *out, const char *name)
{
    if (name && strcmp(name, "outbound") == 0)
        *out = PL_CARPOOL_OUTBOUND;
    else if (name && strcmp(name, "return") == 0)
        *out = PL_CARPOOL_RETURN;
    else
        return PL_EINVALID;
    return PL_OK;
}

void pl_carpool_plan_options_init(pl_carpool_plan_options *opts)
{
    pl_carpool_plan_options init = PL_CARPOOL_PLAN_OPTIONS_INIT;
    *opts = init;
}

void pl_carpool_time_format(long minutes, char *buf, size_t size)
{
    /* civil_from_days (H. Hinnant), the inverse of pl_datetime_minutes. */
    long long days = minutes >= 0 ? minutes / 1440 : -((-(long long)minutes + 1439) / 1440);
    long long mod = (long long)minutes - days * 1440;
    long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    long long m = mp < 10 ? mp + 3 : mp - 9;
    pl_datetime dt;

    dt.year = (int)(y + (m <= 2));
    dt.month = (int)m;
    dt.day = (int)d;
    dt.hour = (int)(mod / 60);
    dt.minute = (int)(mod % 60);
    pl_datetime_format(&dt, buf, size);
}
