/*
 * lang.h - the languages of the planner's documents: one catalogue of
 * words per language, and dates and times written in an event's zone and
 * language, in one place.
 *
 * An event has a language (its file's optional "language": "fr" or "en";
 * by default French for the zones of metropolitan France and the French
 * overseas territories, English elsewhere). Pages, exports, mail and feeds
 * take every word a person reads from here:
 *
 *   pl_lang L = pl_event_lang(ev);
 *   printf("%s\n", pl_lang_text(L, PL_T_EXPORT_LAST_NAME));   "Nom" / "Last name"
 *
 * The catalogue is a set of files, one per area, under planner/lang/
 * (pages.def, exports.def, mail.def, feeds.def, common.def): each line is
 *
 *   PL_TEXT(AREA_NAME, "French", "English")
 *
 * and becomes the id PL_T_AREA_NAME. Both languages sit on the same line,
 * so an entry cannot exist in one and be missing in the other. Texts are
 * words, not printf formats (the build refuses non-literal formats):
 * compose in code, e.g. with pl_lang_label for "Lieu : X" / "Place: X".
 *
 * Dates: a pl_datefmt formats for one zone and language (ICU, with the
 * zone's rules, so a UTC instant such as a registration time lands on the
 * wall clock of the event's place). Local wall times ("YYYY-MM-DDTHH:MM",
 * what events and sessions store) are written as they are, no zone applied.
 */
#ifndef PL_LANG_H
#define PL_LANG_H

#include "error.h"
#include "text.h"

#include <stddef.h>

typedef enum pl_lang {
    PL_LANG_FR = 0,
    PL_LANG_EN = 1,
} pl_lang;
#define PL_LANG_COUNT 2

typedef enum pl_text_id {
#define PL_TEXT(id, fr, en) PL_T_##id,
#include "lang/common.def"
#include "lang/pages.def"
#include "lang/exports.def"
#include "lang/mail.def"
#include "lang/feeds.def"
#include "lang/admin.def"
#include "lang/errors.def"
#undef PL_TEXT
    PL_T_COUNT
} pl_text_id;

/* The text of id in lang: a static string, never NULL. */
const char *pl_lang_text(pl_lang lang, pl_text_id id);

/* "label : value" in French (a space before the colon), "label: value" in
 * English, into buf (always NUL-terminated). Returns buf. */
char *pl_lang_label(char *buf, size_t size, pl_lang lang, pl_text_id label, const char *value);

/* tmpl with its placeholders filled in, into buf (always NUL-terminated):
 * "%1" to "%9" stand for args[N-1]; "%s" and "%d" take the next argument in
 * order (the mail's texts); an argument past nargs, or NULL, is "". Any other
 * '%' is copied as it is. Texts are data, never printf formats. Returns buf. */
char *pl_lang_fill(char *buf, size_t size, const char *tmpl, const char *const *args, size_t nargs);

/* Messages of the core in the user's language. A function that rejects
 * input a person typed (a form, a file) says why with a catalogue text
 * rather than printf:
 *
 *   return PL_SAY(err, PL_EINVALID, "email", REG_ERR_EMAIL, in->email);
 *
 * err->msg gets the English text (what the command line prints, as
 * before); err->text and err->args keep the id and its arguments, so that
 * a page renders it in its own language with pl_error_text. Location
 * fields as pl_error_set_at. At most 4 arguments (longer ones are cut at
 * 127 bytes); returns code. */
int pl_error_say_at(pl_error *err, int code, const char *file, int line, int column,
                    const char *path, pl_text_id id, const char *const *args, size_t nargs);
#define PL_SAY_AT(err, code, file, line, column, path, id, ...)                                    \
    pl_error_say_at((err), (code), (file), (line), (column), (path), PL_T_##id,                    \
                    (const char *const[]){__VA_ARGS__},                                            \
                    sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
#define PL_SAY(err, code, path, id, ...) PL_SAY_AT(err, code, NULL, 0, 0, path, id, __VA_ARGS__)

/* err's message in lang, into buf (always NUL-terminated): its catalogue
 * text filled in when it has one, else err->msg as it is (messages not yet
 * in the catalogue, and internal errors, stay English). No location: the
 * caller shows err->path its own way. Returns buf. */
const char *pl_error_text(const pl_error *err, pl_lang lang, char *buf, size_t size);

/* "fr" or "en". */
const char *pl_lang_code(pl_lang lang);

/* Parse a language code ("fr", "en"; case ignored). Returns 0 or
 * PL_EINVALID (nothing set). */
int pl_lang_parse(pl_lang *out, const char *code);

/* The default language of an event in zone tz: French for Europe/Paris and
 * the French overseas zones, English for any other zone or NULL. */
pl_lang pl_lang_for_zone(const char *tz);

struct pl_event;
/* The language of ev: its file's "language" when given, else its zone's
 * (pl_lang_for_zone). */
pl_lang pl_event_lang(const struct pl_event *ev);

typedef enum pl_date_style {                /* French (fr_FR) | English (en_GB) */
                             PL_DATE_LONG,  /* "mardi 8 décembre 2026" | "Tuesday, 8 December 2026"
                                             */
                             PL_DATE_SHORT, /* "08/12/2026" in both */
                             PL_TIME_SHORT, /* "09:30" in both (24-hour) */
                             PL_DATETIME_SHORT, /* "08/12/2026 09:30" | "08/12/2026, 09:30" */
                             PL_DATETIME_LONG,  /* "mardi 8 décembre 2026 à 09:30" | "Tuesday, 8
                                                   December 2026 at 09:30" */
} pl_date_style;
#define PL_DATE_STYLE_COUNT 5

/* Formats dates for one zone and one language. Not thread-safe: one per
 * thread (or per export); cheap to use for every row once opened. */
typedef struct pl_datefmt pl_datefmt;

/* Open a formatter for lang in the IANA zone tz (NULL: UTC). Returns 0,
 * PL_EINVALID (a zone ICU does not know), PL_ENOMEM or PL_ERROR. Free with
 * pl_datefmt_free. */
int pl_datefmt_open(pl_datefmt **out, pl_lang lang, const char *tz, pl_error *err);
void pl_datefmt_free(pl_datefmt *f);

/* Write `when` in style into buf (always NUL-terminated). `when` is either
 * a local wall time "YYYY-MM-DD[THH:MM]", written as it is, or a UTC
 * instant "YYYY-MM-DDTHH:MM[:SS]Z", first moved to the formatter's zone.
 * Returns 0, or PL_EINVALID when `when` is neither (buf then holds `when`
 * as it is, or "" for NULL). */
int pl_datefmt_format(pl_datefmt *f, char *buf, size_t size, pl_date_style style, const char *when);

/* The wall time in the formatter's zone of the UTC instant
 * "YYYY-MM-DDTHH:MM[:SS]Z" (a local wall time without Z is taken as it is).
 * Seconds go to *out_sec when not NULL. Returns 0 or PL_EINVALID. */
int pl_datefmt_local(pl_datefmt *f, pl_datetime *out, int *out_sec, const char *when);

/* One-shot pl_datefmt_format: opens and frees a formatter (slow in loops). */
int pl_date_format(char *buf, size_t size, pl_lang lang, const char *tz, pl_date_style style,
                   const char *when);

#endif
