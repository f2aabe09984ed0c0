/*
 * bench_export.c - `export registrants` and `export pack` at scale, against
 * the floor: the same cells written with libxlsxwriter alone, no database.
 *
 *   bench_export gen DB N EVENT.json   a database with N registrations
 *   bench_export registrants DB OUT    pl_export_registrants (organiser list)
 *   bench_export pack DB OUT           pl_export_pack
 *   bench_export floor-registrants N OUT
 *   bench_export floor-pack N EVENT.json OUT
 *
 * Each run prints "MODE WALL_S CPU_S PEAK_KIB": wall and CPU (user +
 * system) seconds of the work, and the process's peak resident memory.
 * bench/bench_export.sh runs them all.
 */
#include "exporters.h"
#include "registration.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <xlsxwriter.h>

#define SLUG "bench-export"

static const char *const firsts[] = {"Élodie", "Jean", "Ödön", "Marie",  "Chloé", "Théo",
                                     "Anne",   "Luc",  "Inès", "Hugo",   "Zoé",   "Noël",
                                     "Aïcha",  "Yann", "Léa",  "Benoît", "Rose",  "Gaël"};
static const char *const lasts[] = {"Martin",  "de la Tour", "Lefèvre", "Dupont", "Roux",
                                    "Bernard", "Le Goff",    "Müller",  "Faure",  "Giraud",
                                    "Dubois",  "Perret",     "Çelik",   "Nguyen", "Blanc"};
static const char *const orgs[] = {"Métropole — direction des mobilités",
                                   "CCI",
                                   "ADEME",
                                   "Communauté de communes",
                                   "Association de covoiturage",
                                   "Conseil départemental",
                                   "Entreprise de logistique"};
static const char *const origins[] = {"45000 Orléans", "Chartres", "Dreux (28)", "76000 Rouen",
                                      "Paris 20e",     "Nemours",  "Tours",      "Blois",
                                      "Évreux",        "Le Mans"};
static const char *const diets[] = {NULL,         NULL,    NULL,    NULL,
                                    "végétarien", "vegan", "halal", "sans gluten"};
static const char *const sessions[] = {"atelier-covoiturage", "atelier-flottes", "atelier-pdie"};

/* One synthetic registrant, the same for the database and the floor. */
typedef struct synth {
    char name[96], email[96];
    const char *org, *origin, *diet, *session;
    pl_travel travel;
    int seats, meal, public_list;
} synth;

static void make(synth *s, unsigned i)
{
    unsigned h = i * 2654435761u;

    snprintf(s->name, sizeof(s->name), "%s %s %u", firsts[h % 18], lasts[(h >> 8) % 15], i);
    snprintf(s->email, sizeof(s->email), "person%u@example.org", i);
    s->org = orgs[(h >> 4) % 7];
    s->origin = origins[(h >> 12) % 10];
    s->travel = (pl_travel)((h >> 16) % 4);
    s->seats =
        s->travel == PL_TRAVEL_DRIVE || s->travel == PL_TRAVEL_FLEXIBLE ? 1 + (h >> 20) % 4 : 0;
    s->meal = (h >> 22) % 5 != 0;
    s->diet = diets[(h >> 24) % 8];
    s->public_list = (h >> 27) % 5 < 3;
    s->session = sessions[(h >> 29) % 3];
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) of this process so far: steadier than the
 * wall clock on a busy machine. */
static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static long peak_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int fail(const pl_error *err)
{
    char buf[1024];
    fprintf(stderr, "bench_export: %s\n", pl_error_format(err, buf, sizeof(buf)));
    return 1;
}

static int load_event(pl_event **out, const char *path, pl_error *err)
{
    if (pl_event_parse_json(out, path, err) != 0)
        return -1;
    free((*out)->slug);
    (*out)->slug = pl_strdup(SLUG);
    (*out)->capacity = 0; /* everyone confirmed: the largest lists */
    for (size_t i = 0; i < (*out)->nsessions; i++)
        (*out)->sessions[i].capacity = 0;
    return 0;
}

static int gen(const char *db, unsigned n, const char *event_path)
{
    pl_store *store = NULL;
    pl_event *ev = NULL;
    pl_registration_batch *b = NULL;
    pl_error err;

    remove(db);
    if (pl_store_open(&store, db, PL_STORE_CREATE, &err) != 0 ||
        load_event(&ev, event_path, &err) != 0 || pl_event_save(store, ev, NULL, &err) != 0 ||
        pl_store_begin(store, &err) != 0 || pl_registration_batch_open(&b, store, SLUG, &err) != 0)
        return fail(&err);
    for (unsigned i = 0; i < n; i++) {
        synth s;
        char *ids[1];
        pl_registration r = {0};
        make(&s, i);
        ids[0] = (char *)s.session;
        r.name = s.name;
        r.email = s.email;
        r.organization = (char *)s.org;
        r.origin = (char *)s.origin;
        r.travel = s.travel;
        r.seats = s.seats;
        r.meal = s.meal;
        r.diet = (char *)s.diet;
        r.public_list = s.public_list;
        r.sessions.items = ids;
        r.sessions.count = 1;
        if (pl_registration_batch_save(b, &r, NULL, NULL, NULL, &err) != 0)
            return fail(&err);
    }
    pl_registration_batch_free(b);
    if (pl_store_commit(store, &err) != 0)
        return fail(&err);
    pl_event_free(ev);
    pl_store_free(store);
    return 0;
}

static int run_export(const char *mode, const char *db, const char *out)
{
    pl_export_options opts = PL_EXPORT_OPTIONS_INIT;
    pl_store *store = NULL;
    pl_error err;
    double t0 = now(), c0 = cpu();
    int rc;

    if (pl_store_open(&store, db, 0, &err) != 0)
        return fail(&err);
    rc = strcmp(mode, "pack") == 0 ? pl_export_pack(store, SLUG, out, &err)
                                   : pl_export_registrants(store, SLUG, out, &opts, &err);
    pl_store_free(store);
    if (rc != 0)
        return fail(&err);
    printf("%s %.3f %.3f %ld\n", mode, now() - t0, cpu() - c0, peak_kib());
    return 0;
}

/* ---- the floor: libxlsxwriter alone, the same cells, no database ---- */

typedef struct floor_book {
    lxw_workbook *wb;
    lxw_format *bold, *datetime, *date, *time, *grid, *grid_bold;
} floor_book;

static void floor_open(floor_book *f, const char *out)
{
    lxw_workbook_options o = {.constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
    f->wb = workbook_new_opt(out, &o);
    f->bold = workbook_add_format(f->wb);
    format_set_bold(f->bold);
    f->datetime = workbook_add_format(f->wb);
    format_set_num_format(f->datetime, "dd/mm/yyyy hh:mm");
    f->date = workbook_add_format(f->wb);
    format_set_num_format(f->date, "dd/mm/yyyy");
    f->time = workbook_add_format(f->wb);
    format_set_num_format(f->time, "hh:mm");
    f->grid = workbook_add_format(f->wb);
    format_set_border(f->grid, LXW_BORDER_THIN);
    f->grid_bold = workbook_add_format(f->wb);
    format_set_border(f->grid_bold, LXW_BORDER_THIN);
    format_set_bold(f->grid_bold);
}

static lxw_worksheet *floor_sheet(floor_book *f, const char *name, const char *const *heads,
                                  int ncols, lxw_format *head)
{
    lxw_worksheet *ws = workbook_add_worksheet(f->wb, name);
    for (int c = 0; c < ncols; c++) {
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, 20, NULL);
        worksheet_write_string(ws, 0, (lxw_col_t)c, heads[c], head);
    }
    worksheet_freeze_panes(ws, 1, 0);
    return ws;
}

/* The name split as the exports split it (names.h): the first name, and
 * the rest. */
static const char *split_name(const synth *s, char *first, size_t size)
{
    const char *sp = strchr(s->name, ' ');
    snprintf(first, size, "%.*s", (int)(sp - s->name), s->name);
    return sp + 1;
}

/* Printed as the exports print: A4, fit to width, header repeated, footer. */
static void floor_print(lxw_worksheet *ws, int landscape, lxw_row_t header)
{
    if (landscape)
        worksheet_set_landscape(ws);
    else
        worksheet_set_portrait(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_margins(ws, 0.5, 0.5, 0.6, 0.7);
    worksheet_set_footer(ws, "&CPage &P / &N");
    worksheet_repeat_rows(ws, 0, header);
}

/* A wrapped column's lines for text, roughly as the exports count them
 * (table.c): what the floor needs to set the same row heights. */
static int floor_lines(const char *text, double wrap)
{
    size_t room = (size_t)(wrap / 0.9) - 1, n = 0;

    for (const char *p = text; *p; p++)
        n += ((unsigned char)*p & 0xC0) != 0x80;
    return n <= room ? 1 : (int)((n + room - 1) / room);
}

static void floor_registrants(floor_book *f, unsigned n)
{
    /* printed first, then on screen only (the print area ends at column M) */
    static const char *const heads[] = {"Nom",
                                        "Prénom",
                                        "Courriel",
                                        "Structure",
                                        "Commune de départ",
                                        "Téléphone",
                                        "Trajet",
                                        "Places offertes",
                                        "Repas",
                                        "Régime alimentaire",
                                        "Ateliers",
                                        "Statut",
                                        "Liste d'attente",
                                        "Commune reconnue",
                                        "Liste publique",
                                        "Inscrit le",
                                        "Modifié le",
                                        "Identifiant"};
    /* the exports' wrap widths (export_registrants.c), 0: not wrapped */
    static const double wrap[] = {18, 16, 30, 20, 16, 0, 12, 9, 0, 14, 22, 12, 9, 0, 0, 0, 0, 0};
    lxw_worksheet *ws = floor_sheet(f, "Inscrits", heads, 18, f->bold);
    lxw_datetime when = {2026, 11, 26, 8, 0, 0};
    const char *travel[] = {"sans covoiturage", "conducteur", "passager", "conducteur ou passager"};
    lxw_format *wrapped = workbook_add_format(f->wb), *head_wrapped = workbook_add_format(f->wb),
               *top = workbook_add_format(f->wb);

    format_set_text_wrap(wrapped);
    format_set_align(wrapped, LXW_ALIGN_VERTICAL_TOP);
    format_set_text_wrap(head_wrapped);
    format_set_bold(head_wrapped);
    format_set_align(top, LXW_ALIGN_VERTICAL_TOP);
    worksheet_set_row(ws, 0, 30, NULL);
    for (int c = 0; c < 18; c++)
        if (wrap[c] > 0 && strlen(heads[c]) + 4 > wrap[c])
            worksheet_write_string(ws, 0, (lxw_col_t)c, heads[c], head_wrapped);
    for (unsigned i = 0; i < n; i++) {
        synth s;
        lxw_row_t r = i + 1;
        char uid[40];
        make(&s, i);
        /* as random as the store's UUIDs, so that they compress as badly */
        snprintf(uid, sizeof(uid), "%08x-%04x-4%03x-a%03x-%08x%04x", i * 2654435761u,
                 (i * 40503u) & 0xFFFF, (i * 2246822519u) >> 20, (i * 3266489917u) >> 20,
                 i * 668265263u, (i * 374761393u) >> 16);
        char first[96];
        const char *last = split_name(&s, first, sizeof(first));
        const char *text[18] = {last,
                                first,
                                s.email,
                                s.org,
                                s.origin,
                                NULL,
                                travel[s.travel],
                                NULL,
                                s.meal ? "oui" : "non",
                                s.diet,
                                s.session,
                                "confirmé",
                                NULL,
                                s.origin,
                                s.public_list ? "oui" : "non",
                                NULL,
                                NULL,
                                uid};
        int lines = 1;
        for (int c = 0; c < 18; c++)
            if (wrap[c] > 0 && text[c] && floor_lines(text[c], wrap[c]) > lines)
                lines = floor_lines(text[c], wrap[c]);
        if (lines > 1)
            worksheet_set_row(ws, r, 15.0 * lines, top);
        for (int c = 0; c < 18; c++)
            if (text[c])
                worksheet_write_string(ws, r, (lxw_col_t)c, text[c],
                                       wrap[c] > 0 && strlen(text[c]) + 2 > wrap[c] ? wrapped
                                                                                    : NULL);
        if (s.seats)
            worksheet_write_number(ws, r, 7, s.seats, NULL);
        worksheet_write_datetime(ws, r, 15, &when, f->datetime);
        worksheet_write_datetime(ws, r, 16, &when, f->datetime);
    }
    worksheet_autofilter(ws, 0, 0, n, 17);
    floor_print(ws, 1, 0);
    worksheet_print_area(ws, 0, 0, LXW_ROW_MAX - 1, 12);
}

static int run_floor(const char *mode, unsigned n, const char *event_path, const char *out)
{
    floor_book f;
    double t0 = now(), c0 = cpu();
    pl_event *ev = NULL;
    pl_error err;

    floor_open(&f, out);
    floor_registrants(&f, n);
    if (strcmp(mode, "floor-pack") == 0) {
        static const char *const ah[] = {"Date",     "Start",      "End",    "Duration (min)",
                                         "Room",     "Kind",       "Title",  "Speakers",
                                         "Capacity", "Registered", "Status", "Session"};
        static const char *const ch[] = {"Repas", "Régime alimentaire", "Repas servis",
                                         "Libellés saisis"};
        static const char *const sh[] = {"Nom", "Prénom", "Structure", "Signature matin",
                                         "Signature après-midi"};
        lxw_worksheet *ws;
        if (load_event(&ev, event_path, &err) != 0)
            return fail(&err);
        ws = floor_sheet(&f, "Agenda", ah, 12, f.bold);
        for (size_t i = 0; i < ev->nsessions; i++) {
            const pl_session *s = &ev->sessions[i];
            lxw_datetime d = {2026, 12, 10, 0, 0, 0};
            lxw_row_t r = (lxw_row_t)i + 1;
            worksheet_write_datetime(ws, r, 0, &d, f.date);
            worksheet_write_number(ws, r, 1, 0.4, f.time);
            worksheet_write_number(ws, r, 2, 0.5, f.time);
            worksheet_write_number(ws, r, 3, 30, NULL);
            if (s->room)
                worksheet_write_string(ws, r, 4, s->room, NULL);
            worksheet_write_string(ws, r, 5, s->kind, NULL);
            worksheet_write_string(ws, r, 6, s->title, NULL);
            worksheet_write_number(ws, r, 9, n / 3.0, NULL);
            worksheet_write_string(ws, r, 10, "scheduled", NULL);
            worksheet_write_string(ws, r, 11, s->id, NULL);
        }
        worksheet_autofilter(ws, 0, 0, (lxw_row_t)ev->nsessions, 11);
        floor_print(ws, 1, 0);
        ws = floor_sheet(&f, "Restauration", ch, 4, f.bold);
        for (lxw_row_t r = 1; r <= 5; r++) {
            worksheet_write_string(ws, r, 0, "Déjeuner en commun (10/12/2026 13:00)", NULL);
            worksheet_write_string(ws, r, 1, r == 1 ? "Sans régime particulier" : diets[r + 2],
                                   NULL);
            worksheet_write_number(ws, r, 2, n / 6.0, NULL);
            if (r > 1)
                worksheet_write_string(ws, r, 3, diets[r + 2], NULL);
        }
        worksheet_autofilter(ws, 0, 0, 5, 3);
        worksheet_write_string(ws, 6, 0, "Total", f.bold);
        worksheet_write_number(ws, 6, 2, n, f.bold);
        floor_print(ws, 0, 0);
        /* the sign-in sheets: the day (everyone), then one per workshop */
        for (int sheet = -1; sheet < 3; sheet++) {
            static const char *const names[] = {"Atelier covoiturage", "Atelier flottes",
                                                "Atelier pdie"};
            int cols = sheet < 0 ? 5 : 4;
            lxw_row_t row = 0, breaks[1024];
            size_t nbreaks = 0;
            ws = workbook_add_worksheet(f.wb, sheet < 0 ? "Émargement" : names[sheet]);
            worksheet_set_default_row(ws, 30, LXW_FALSE);
            for (int k = 0; k < 4; k++) {
                worksheet_set_row(ws, row, 18, NULL);
                worksheet_write_string(ws, row++, 0,
                                       "Feuille d'émargement — Atelier 2 — Conseillers", NULL);
            }
            worksheet_set_row(ws, row++, 12, NULL);
            for (int c = 0; c < cols; c++) {
                worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, 20, NULL);
                worksheet_write_string(ws, row, (lxw_col_t)c, c < 4 || sheet < 0 ? sh[c] : "",
                                       f.grid_bold);
            }
            worksheet_freeze_panes(ws, row + 1, 0);
            for (unsigned i = 0; i < n; i++) {
                synth s;
                char first[96];
                const char *last;
                make(&s, i);
                if (sheet >= 0 && strcmp(s.session, sessions[sheet]) != 0)
                    continue;
                last = split_name(&s, first, sizeof(first));
                row++;
                worksheet_write_string(ws, row, 0, last, f.grid);
                worksheet_write_string(ws, row, 1, first, f.grid);
                worksheet_write_string(ws, row, 2, s.org, f.grid);
                for (int c = 3; c < cols; c++)
                    worksheet_write_blank(ws, row, (lxw_col_t)c, f.grid);
            }
            worksheet_autofilter(ws, 5, 0, row, (lxw_col_t)(cols - 1));
            floor_print(ws, 0, 5);
            for (lxw_row_t r = 5 + 1 + 20; r <= row && nbreaks < 1023; r += 20)
                breaks[nbreaks++] = r;
            breaks[nbreaks] = 0;
            if (nbreaks)
                worksheet_set_h_pagebreaks(ws, breaks);
        }
        pl_event_free(ev);
    }
    if (workbook_close(f.wb) != LXW_NO_ERROR) {
        fprintf(stderr, "bench_export: %s: cannot write\n", out);
        return 1;
    }
    printf("%s %.3f %.3f %ld\n", mode, now() - t0, cpu() - c0, peak_kib());
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2], (unsigned)strtoul(argv[3], NULL, 10), argv[4]);
    if (argc == 4 && (strcmp(argv[1], "registrants") == 0 || strcmp(argv[1], "pack") == 0))
        return run_export(argv[1], argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "floor-registrants") == 0)
        return run_floor(argv[1], (unsigned)strtoul(argv[2], NULL, 10), NULL, argv[3]);
    if (argc == 5 && strcmp(argv[1], "floor-pack") == 0)
        return run_floor(argv[1], (unsigned)strtoul(argv[2], NULL, 10), argv[3], argv[4]);
    fprintf(stderr, "usage: bench_export gen DB N EVENT.json | registrants|pack DB OUT |\n"
                    "       floor-registrants N OUT | floor-pack N EVENT.json OUT\n");
    return 2;
}
