/*
 * export.c - export formats and the JSON documents' common fields.
 */
#include "export_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const format_names[] = {"xlsx", "csv", "json", "geojson", "pdf"};
#define NFORMATS (int)(sizeof(format_names) / sizeof(format_names[0]))

const char *pl_export_format_name(pl_export_format format)
{
    return (int)format >= 0 && (int)format < NFORMATS ? format_names[format] : "?";
}

int pl_export_format_parse(pl_export_format *out, const char *name)
{
    for (int i = 0; i < NFORMATS; i++)
        if (strcasecmp(name, format_names[i]) == 0) {
            *out = (pl_export_format)i;
            return 0;
        }
    return PL_EINVALID;
}

int pl_export_format_from_path(pl_export_format *out, const char *path)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

    if (!dot || (slash && dot < slash))
        return PL_EINVALID;
    return pl_export_format_parse(out, dot + 1);
}

pl_sink_options pl_export_sink_options(const pl_event *ev, const pl_export_options *opts,
                                       pl_text_id doc, const char *kind, char *title, size_t size)
{
    pl_lang L = pl_event_lang(ev);
    pl_sink_options so = {opts ? opts->format : PL_EXPORT_XLSX,
                          opts ? opts->excel : 0,
                          title,
                          ev->title,
                          kind ? pl_export_meta(ev, kind) : NULL,
                          L,
                          ev->timezone};

    snprintf(title, size, "%s — %s", pl_lang_text(L, doc), ev->title);
    return so;
}

json_t *pl_export_meta(const pl_event *ev, const char *kind)
{
    char now[32];

    pl_now_utc(now);
    return json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:s}", "kind", kind, "event", "slug",
                     ev->slug, "title", ev->title, "timezone", ev->timezone, "start", ev->start,
                     "end", ev->end, "generated", now);
}
