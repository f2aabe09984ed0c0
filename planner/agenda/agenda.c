#include "agenda.h"
#include "lang.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pl_conflict_kind_name(pl_conflict_kind kind)
{
    switch (kind) {
    case PL_CONFLICT_SPEAKER_OVERLAP:
        return "speaker-overlap";
    case PL_CONFLICT_ROOM_OVERLAP:
        return "room-overlap";
    case PL_CONFLICT_OUTSIDE_HOURS:
        return "outside-hours";
    case PL_CONFLICT_BAD_TIMES:
        return "bad-times";
    case PL_CONFLICT_CAPACITY:
        return "capacity";
    case PL_CONFLICT_UNKNOWN_SPEAKER:
        return "unknown-speaker";
    case PL_CONFLICT_NONEXISTENT_TIME:
        return "nonexistent-time";
    case PL_CONFLICT_AMBIGUOUS_TIME:
        return "ambiguous-time";
    }
    return "conflict";
}

int pl_conflict_is_warning(pl_conflict_kind kind)
{
    return kind == PL_CONFLICT_AMBIGUOUS_TIME;
}

typedef struct list {
    pl_conflict *items;
    size_t count;
    int oom;
} list;

static pl_conflict *add(list *l, pl_conflict_kind kind, const char *session, const char *other)
{
    pl_conflict *grown;

    if (l->oom)
        return NULL;
    grown = realloc(l->items, (l->count + 1) * sizeof(*grown));
    if (!grown) {
        l->oom = 1;
        return NULL;
    }
    l->items = grown;
    grown = &l->items[l->count++];
    memset(grown, 0, sizeof(*grown));
    grown->kind = kind;
    grown->session = session;
    grown->other = other;
    return grown;
}

/* Minutes of a stored local time; -1 for an unparsable one. */
static long long minutes(const char *s)
{
    pl_datetime dt;
    return s && pl_datetime_parse(&dt, s) == 0 ? pl_datetime_minutes(&dt) : -1;
}

/* "HH:MM" of a stored "YYYY-MM-DDTHH:MM" (the whole string if shorter). */
static const char *hm(const char *s)
{
    return s && strlen(s) == 16 ? s + 11 : s;
}

static int shares_speaker(const pl_session *a, const pl_session *b, const char **out)
{
    for (size_t i = 0; i < a->speakers.count; i++)
        for (size_t j = 0; j < b->speakers.count; j++)
            if (strcmp(a->speakers.items[i], b->speakers.items[j]) == 0) {
                *out = a->speakers.items[i];
                return 1;
            }
    return 0;
}

int pl_agenda_check(pl_conflict **out, size_t *count, const pl_event *ev)
{
    long long ev_start = minutes(ev->start), ev_end = minutes(ev->end);
    list l = {0};
    pl_conflict *c;

    for (size_t i = 0; i < ev->nsessions; i++) {
        const pl_session *s = &ev->sessions[i];
        long long a = minutes(s->start), b = minutes(s->end);
        if (s->cancelled)
            continue;
        if (a < 0 || b < 0 || b <= a) {
            if ((c = add(&l, PL_CONFLICT_BAD_TIMES, s->id, NULL)))
                snprintf(c->message, sizeof(c->message),
                         "session '%s' ends (%s) before it starts (%s)", s->id, hm(s->end),
                         hm(s->start));
        } else if (a < ev_start || b > ev_end) {
            if ((c = add(&l, PL_CONFLICT_OUTSIDE_HOURS, s->id, NULL)))
                snprintf(c->message, sizeof(c->message),
                         "session '%s' (%s–%s) is outside the event's hours (%s – %s)", s->id,
                         s->start, hm(s->end), ev->start, ev->end);
        }
        if (ev->capacity > 0 && s->capacity > ev->capacity) {
            if ((c = add(&l, PL_CONFLICT_CAPACITY, s->id, NULL)))
                snprintf(c->message, sizeof(c->message),
                         "session '%s' has capacity %d, above the event's %d", s->id, s->capacity,
                         ev->capacity);
        }
        for (size_t k = 0; k < s->speakers.count; k++) {
            if (pl_event_speaker(ev, s->speakers.items[k]))
                continue;
            if ((c = add(&l, PL_CONFLICT_UNKNOWN_SPEAKER, s->id, NULL)) &&
                (c->detail = s->speakers.items[k]))
                snprintf(c->message, sizeof(c->message),
                         "session '%s' names speaker '%s', who is not in the speaker list", s->id,
                         s->speakers.items[k]);
        }
        for (size_t j = i + 1; j < ev->nsessions; j++) {
            const pl_session *t = &ev->sessions[j];
            long long ta = minutes(t->start), tb = minutes(t->end);
            const char *who = NULL;
            if (t->cancelled || b <= a || tb <= ta || !(a < tb && ta < b))
                continue;
            if (s->room && t->room && strcmp(s->room, t->room) == 0 &&
                (c = add(&l, PL_CONFLICT_ROOM_OVERLAP, s->id, t->id)))
                snprintf(c->message, sizeof(c->message),
                         "room '%s' holds '%s' (%s–%s) and '%s' (%s–%s) at the same time", s->room,
                         s->id, hm(s->start), hm(s->end), t->id, hm(t->start), hm(t->end));
            if (shares_speaker(s, t, &who)) {
                const pl_speaker *sp = pl_event_speaker(ev, who);
                if ((c = add(&l, PL_CONFLICT_SPEAKER_OVERLAP, s->id, t->id)))
                    snprintf(c->message, sizeof(c->message),
                             "speaker '%s' is in '%s' (%s–%s) and '%s' (%s–%s) at the same time",
                             sp ? sp->name : who, s->id, hm(s->start), hm(s->end), t->id,
                             hm(t->start), hm(t->end));
            }
        }
    }
    if (l.oom) {
        free(l.items);
        *out = NULL;
        *count = 0;
        return PL_ERROR;
    }
    *out = l.items;
    *count = l.count;
    return 0;
}

static const pl_session *session_of(const pl_event *ev, const char *id)
{
    for (size_t i = 0; id && i < ev->nsessions; i++)
        if (strcmp(ev->sessions[i].id, id) == 0)
            return &ev->sessions[i];
    return NULL;
}

static const char *title_of(const pl_session *s, const char *id)
{
    return s && s->title && *s->title ? s->title : id ? id : "";
}

/* "HH:MM–HH:MM" */
static const char *span(char *buf, size_t size, const char *from, const char *to)
{
    snprintf(buf, size, "%s–%s", hm(from) ? hm(from) : "", hm(to) ? hm(to) : "");
    return buf;
}

const char *pl_conflict_text(const pl_conflict *c, const pl_event *ev, pl_lang lang, char *buf,
                             size_t size)
{
    const pl_session *s = session_of(ev, c->session), *t = session_of(ev, c->other);
    const char *args[4] = {title_of(s, c->session), NULL, NULL, NULL};
    char x[64], y[80], num[2][24];
    pl_text_id id = PL_T_COUNT; /* none: c->message as it is */

    switch (c->kind) {
    case PL_CONFLICT_BAD_TIMES:
        id = PL_T_CONFLICT_BAD_TIMES;
        args[1] = s ? hm(s->end) : "";
        args[2] = s ? hm(s->start) : "";
        break;
    case PL_CONFLICT_OUTSIDE_HOURS:
        id = PL_T_CONFLICT_OUTSIDE_HOURS;
        args[1] = s ? span(x, sizeof(x), s->start, s->end) : "";
        snprintf(y, sizeof(y), "%s – %s", ev->start, ev->end);
        if (strncmp(ev->start, ev->end, 10) == 0) /* one day: the hours are enough */
            span(y, sizeof(y), ev->start, ev->end);
        args[2] = y;
        break;
    case PL_CONFLICT_CAPACITY:
        id = PL_T_CONFLICT_CAPACITY;
        snprintf(num[0], sizeof(num[0]), "%d", s ? s->capacity : 0);
        snprintf(num[1], sizeof(num[1]), "%d", ev->capacity);
        args[1] = num[0];
        args[2] = num[1];
        break;
    case PL_CONFLICT_UNKNOWN_SPEAKER:
        id = PL_T_CONFLICT_UNKNOWN_SPEAKER;
        args[1] = c->detail ? c->detail : "";
        break;
    case PL_CONFLICT_ROOM_OVERLAP:
    case PL_CONFLICT_SPEAKER_OVERLAP: {
        const char *who = NULL, *from, *to;
        if (!s || !t)
            break;
        /* when they overlap */
        from = strcmp(s->start, t->start) > 0 ? s->start : t->start;
        to = strcmp(s->end, t->end) < 0 ? s->end : t->end;
        span(x, sizeof(x), from, to);
        if (c->kind == PL_CONFLICT_ROOM_OVERLAP) {
            id = PL_T_CONFLICT_ROOM;
            args[0] = s->room ? s->room : "";
            args[1] = title_of(s, c->session);
            args[2] = title_of(t, c->other);
            args[3] = x;
        } else {
            const pl_speaker *sp;
            if (!shares_speaker(s, t, &who))
                break;
            sp = pl_event_speaker(ev, who);
            id = PL_T_CONFLICT_SPEAKER;
            args[0] = sp && sp->name ? sp->name : who;
            args[1] = title_of(s, c->session);
            args[2] = title_of(t, c->other);
            args[3] = x;
        }
        break;
    }
    case PL_CONFLICT_NONEXISTENT_TIME:
    case PL_CONFLICT_AMBIGUOUS_TIME: {
        if (!c->detail) /* reported without its time: c->message */
            break;
        id = c->kind == PL_CONFLICT_NONEXISTENT_TIME ? PL_T_CONFLICT_NONEXISTENT_TIME
                                                     : PL_T_CONFLICT_AMBIGUOUS_TIME;
        snprintf(x, sizeof(x), "%s", c->detail);
        if (strlen(x) == 16) /* "YYYY-MM-DD HH:MM" */
            x[10] = ' ';
        if (!c->session)
            args[0] = ev->title;
        args[1] = x;
        break;
    }
    }
    if (id == PL_T_COUNT ||
        (!s && c->kind != PL_CONFLICT_NONEXISTENT_TIME && c->kind != PL_CONFLICT_AMBIGUOUS_TIME)) {
        snprintf(buf, size, "%s", c->message);
        return buf;
    }
    return pl_lang_fill(buf, size, pl_lang_text(lang, id), args, 4);
}

static int by_start_room(const pl_event *ev, size_t ia, size_t ib)
{
    const pl_session *a = &ev->sessions[ia];
    const pl_session *b = &ev->sessions[ib];
    int c = strcmp(a->start, b->start);

    if (c == 0)
        c = strcmp(a->room ? a->room : "", b->room ? b->room : "");
    if (c == 0)
        c = strcmp(a->id, b->id);
    return c;
}

int pl_agenda_slots(pl_slot **out_slots, size_t *nslots, size_t **out_order, const pl_event *ev)
{
    size_t *order = malloc((ev->nsessions + 1) * sizeof(*order));
    pl_slot *slots = malloc((ev->nsessions + 1) * sizeof(*slots));
    size_t n = 0, ns = 0;

    if (!order || !slots) {
        free(order);
        free(slots);
        return PL_ERROR;
    }
    for (size_t i = 0; i < ev->nsessions; i++)
        if (!ev->sessions[i].cancelled)
            order[n++] = i;
    /* Insertion sort: qsort has no payload argument, and a global would be
     * shared by the server's threads. Sessions come almost sorted. */
    for (size_t i = 1; i < n; i++) {
        size_t v = order[i], j = i;
        while (j > 0 && by_start_room(ev, order[j - 1], v) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
    for (size_t i = 0; i < n; i++) {
        const pl_session *s = &ev->sessions[order[i]];
        if (ns > 0 && strcmp(s->start, slots[ns - 1].end) < 0) {
            slots[ns - 1].count++;
            if (strcmp(s->end, slots[ns - 1].end) > 0)
                slots[ns - 1].end = s->end;
            continue;
        }
        slots[ns].start = s->start;
        slots[ns].end = s->end;
        slots[ns].first = i;
        slots[ns].count = 1;
        ns++;
    }
    *out_slots = slots;
    *nslots = ns;
    *out_order = order;
    return 0;
}
