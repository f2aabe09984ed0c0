/*
 * export_agenda.c - `planner export agenda`: one row per session.
 */
#include "export_internal.h"

#include <stdlib.h>
#include <string.h>

/* Printed: the programme as read on paper, narrow enough to be read when
 * fitted to one landscape page wide (titles, speakers and rooms wrap). The
 * session's id, for programs, stays on screen only. */
static const pl_column columns[] = {
    {PL_T_EXPORT_DATE, "date", PL_COL_DATE, 0, 0, 0, 0},
    {PL_T_EXPORT_START, "start", PL_COL_TIME, 0, 0, 0, 0},
    {PL_T_EXPORT_END, "end", PL_COL_TIME, 0, 0, 0, 0},
    {PL_T_EXPORT_DURATION, "duration_minutes", PL_COL_INT, 0, 0, 8, 0},
    {PL_T_EXPORT_ROOM, "room", PL_COL_TEXT, 0, 0, 14, 0},
    {PL_T_EXPORT_KIND, "kind", PL_COL_TEXT, 0, 0, 12, 0},
    {PL_T_EXPORT_TITLE, "title", PL_COL_TEXT, 0, 0, 34, 0},
    {PL_T_EXPORT_SPEAKERS, "speakers", PL_COL_TEXT, 0, 0, 30, 0},
    {PL_T_EXPORT_CAPACITY, "capacity", PL_COL_INT, 0, 0, 9, 0},
    {PL_T_EXPORT_REGISTERED_COUNT, "registered", PL_COL_INT, 0, 0, 9, 0},
    {PL_T_EXPORT_STATUS, "status", PL_COL_TEXT, 0, 0, 10, 0},
    {PL_T_EXPORT_SESSION_ID, "id", PL_COL_TEXT, 0, 0, 0, 1},
};

const pl_table pl_agenda_table = {PL_T_EXPORT_SHEET_AGENDA, "sessions", columns,
                                  sizeof(columns) / sizeof(columns[0]),
                                  PL_TABLE_PRINT_LANDSCAPE | PL_TABLE_PRINT_REPEAT_HEADER};

/* "Name (Organization), Name" for the session's speakers. */
static char *speakers_text(const pl_event *ev, const pl_session *s)
{
    pl_buf b = PL_BUF_INIT;

    for (size_t i = 0; i < s->speakers.count; i++) {
        const pl_speaker *sp = pl_event_speaker(ev, s->speakers.items[i]);
        pl_buf_printf(&b, "%s%s", i ? ", " : "", sp ? sp->name : s->speakers.items[i]);
        if (sp && sp->organization)
            pl_buf_printf(&b, " (%s)", sp->organization);
    }
    return pl_buf_detach(&b);
}

static long long minutes(const char *start, const char *end)
{
    pl_datetime a, b;

    if (pl_datetime_parse(&a, start) != 0 || pl_datetime_parse(&b, end) != 0)
        return 0;
    return pl_datetime_minutes(&b) - pl_datetime_minutes(&a);
}

const char *pl_export_kind_text(pl_lang lang, const char *kind)
{
    static const struct {
        const char *kind;
        pl_text_id text;
    } kinds[] = {
        {"talk", PL_T_EXPORT_KIND_TALK},   {"workshop", PL_T_EXPORT_KIND_WORKSHOP},
        {"meal", PL_T_EXPORT_KIND_MEAL},   {"break", PL_T_EXPORT_KIND_BREAK},
        {"forum", PL_T_EXPORT_KIND_FORUM}, {"plenary", PL_T_EXPORT_KIND_PLENARY},
    };
    for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kind, kinds[i].kind) == 0)
            return pl_lang_text(lang, kinds[i].text);
    return kind;
}

int pl_agenda_rows(pl_sink *sink, const pl_event *ev, const int *registered, pl_error *err)
{
    pl_lang L = pl_event_lang(ev);
    int rc = 0;

    for (size_t i = 0; i < ev->nsessions && rc == 0; i++) {
        const pl_session *s = &ev->sessions[i];
        char *speakers = speakers_text(ev, s);
        pl_cell row[sizeof(columns) / sizeof(columns[0])] = {
            {.text = s->start},
            {.text = s->start},
            {.text = s->end},
            {.num = minutes(s->start, s->end)},
            {.text = s->room},
            {.text = pl_export_kind_text(L, s->kind), .json = s->kind},
            {.text = s->title},
            {.text = speakers},
            {.num = s->capacity, .null = s->capacity == 0},
            {.num = registered ? registered[i] : 0},
            {.text = pl_lang_text(L, s->cancelled ? PL_T_EXPORT_SESSION_CANCELLED
                                                  : PL_T_EXPORT_SESSION_SCHEDULED),
             .json = s->cancelled ? "cancelled" : "scheduled"},
            {.text = s->id},
        };
        if (!speakers)
            rc = pl_error_oom(err);
        else
            rc = pl_sink_row(sink, row, err);
        free(speakers);
    }
    return rc;
}

int pl_export_agenda(pl_store *store, const char *slug, const char *path,
                     const pl_export_options *opts, pl_error *err)
{
    pl_roster roster;
    pl_sink *sink = NULL;
    const pl_event *ev;
    char title[512];
    int rc;

    if ((rc = pl_roster_load(&roster, store, slug, PL_ROSTER_COUNTS, err)) != 0)
        return rc;
    ev = roster.event;
    {
        pl_sink_options so = pl_export_sink_options(ev, opts, PL_T_EXPORT_DOC_AGENDA, "agenda",
                                                    title, sizeof(title));
        if ((rc = pl_sink_open(&sink, path, &so, err)) != 0)
            goto done;
    }
    if ((rc = pl_sink_begin(sink, &pl_agenda_table, err)) != 0 ||
        (rc = pl_agenda_rows(sink, ev, roster.registered, err)) != 0)
        goto done;
    rc = pl_sink_close(sink, err);
done:
    pl_sink_free(sink);
    pl_roster_free(&roster);
    return rc;
}
