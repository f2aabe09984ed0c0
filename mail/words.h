/*
 * words.h - the words of the mail in French and English (words.def), and
 * an event's language, until the shared catalogue (planner/lang.h) takes
 * them over: the ids and the .def format are already its own.
 */
#ifndef PL_MAIL_WORDS_H
#define PL_MAIL_WORDS_H

#include "planner.h"

typedef enum mail_lang { MAIL_FR = 0, MAIL_EN = 1 } mail_lang;

typedef enum mail_text_id {
#define PL_TEXT(id, fr, en) PL_T_##id,
#include "words.def"
#undef PL_TEXT
    MAIL_T_COUNT
} mail_text_id;

/* The text of id in lang: static, never NULL. */
const char *mail_text(mail_lang lang, mail_text_id id);

/* French for the zones of metropolitan France and the French overseas
 * territories, English elsewhere. */
mail_lang mail_event_lang(const pl_event *ev);

/* A local wall time "YYYY-MM-DDTHH:MM" as "mardi 8 décembre 2026 à 09:30"
 * | "Tuesday 8 December 2026 at 09:30" (with_time 0: the date alone);
 * the text as it is when it does not parse. */
void mail_format_datetime(char *buf, size_t size, mail_lang lang, const char *local, int with_time);

#endif
