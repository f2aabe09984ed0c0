#include "words.h"

#include <stdio.h>
#include <string.h>

static const char *const texts[MAIL_T_COUNT][2] = {
#define PL_TEXT(id, fr, en) {fr, en},
#include "words.def"
#undef PL_TEXT
};

const char *mail_text(mail_lang lang, mail_text_id id)
{
    return (unsigned)id < MAIL_T_COUNT ? texts[id][lang == MAIL_EN] : "";
}

mail_lang mail_event_lang(const pl_event *ev)
{
    static const char *const zones[] = {
        "Europe/Paris",     "America/Cayenne",       "America/Guadeloupe", "America/Martinique",
        "America/Miquelon", "America/St_Barthelemy", "America/Marigot",    "Indian/Reunion",
        "Indian/Mayotte",   "Pacific/Noumea",        "Pacific/Tahiti",     "Pacific/Marquesas",
        "Pacific/Gambier",  "Pacific/Wallis",        "Indian/Kerguelen",
    };
    for (size_t i = 0; ev && ev->timezone && i < sizeof(zones) / sizeof(zones[0]); i++)
        if (strcmp(ev->timezone, zones[i]) == 0)
            return MAIL_FR;
    return MAIL_EN;
}

void mail_format_datetime(char *buf, size_t size, mail_lang lang, const char *local, int with_time)
{
    pl_datetime dt;

    if (!local || pl_datetime_parse(&dt, local) < 0) {
        snprintf(buf, size, "%s", local ? local : "");
        return;
    }
    const char *day = mail_text(lang, (mail_text_id)(PL_T_MAIL_DAY_0 + pl_datetime_weekday(&dt)));
    const char *month = mail_text(lang, (mail_text_id)(PL_T_MAIL_MONTH_1 + dt.month - 1));
    if (with_time)
        snprintf(buf, size, "%s %d %s %d %s %02d:%02d", day, dt.day, month, dt.year,
                 mail_text(lang, PL_T_MAIL_DATE_AT), dt.hour, dt.minute);
    else
        snprintf(buf, size, "%s %d %s %d", day, dt.day, month, dt.year);
}
