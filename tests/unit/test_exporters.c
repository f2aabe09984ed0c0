/*
 * test_exporters.c - the exporters' building blocks: the CSV stream writer
 * (its quoting and neutralising are the core's, tested in test_csv.c),
 * French collation keys, sheet names, the atomic file writer and format
 * detection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "collate.h"
#include "names.h"
#include "csv_writer.h"
#include "exporters.h"
#include "outfile.h"
#include "table.h"
#include "test_helpers.h"

#include <sys/stat.h>

static void test_csv_writer(void **state)
{
    char dir[64], path[128];
    pl_csv_writer w;
    FILE *f;
    char *text;

    (void)state;
    th_tempdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/x.csv", dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(pl_csv_writer_begin(&w, f, 1), 0);
    pl_csv_writer_field(&w, "a;b");
    pl_csv_writer_number(&w, -3);
    pl_csv_writer_field(&w, NULL);
    pl_csv_writer_field(&w, "-3");
    pl_csv_writer_end_row(&w);
    pl_csv_writer_end(&w);
    fclose(f);
    text = th_read(path, NULL);
    /* BOM, ';', numbers untouched, text starting with '-' neutralised, CRLF */
    assert_string_equal(text, "\xEF\xBB\xBF\"a;b\";-3;;\"'-3\"\r\n");
    free(text);
    th_rmtree(dir);
}

static int by_key(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    return pl_collate_compare(*x, *y);
}

static void test_collation_order(void **state)
{
    const char *names[] = {"Zoé Martin", "Ödön Horváth", "eric",      "Éric",   "Eric", "Olivier",
                           "de la Tour", "Dupont",       "Delacroix", "Élodie", "Emma", "Œdipe",
                           "Oeuf",       "Çava",         "Caen",      "Cote",   "Côte"};
    const char *expect[] = {"Caen",         "Çava",   "Cote", "Côte",    "Delacroix", "de la Tour",
                            "Dupont",       "Élodie", "Emma", "eric",    "Eric",      "Éric",
                            "Ödön Horváth", "Œdipe",  "Oeuf", "Olivier", "Zoé Martin"};
    size_t n = sizeof(names) / sizeof(names[0]);

    (void)state;
    qsort(names, n, sizeof(names[0]), by_key);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(names[i], expect[i]);
}

static void test_collation_keys(void **state)
{
    char *a, *b;

    (void)state;
    /* accents and case fold at the first level: Élodie files with E, before Emma */
    assert_true(pl_collate_compare("Élodie", "Emma") < 0);
    assert_true(pl_collate_compare("Élodie", "Dupont") > 0);
    /* spaces, hyphens and apostrophes are ignored at the first level */
    assert_true(pl_collate_compare("de la Tour", "Delaporte") > 0);
    assert_true(pl_collate_compare("Jean-Marc", "Jeanne") < 0);
    assert_true(pl_collate_compare("d'Arc", "Dupont") < 0);
    /* equal letters: unaccented, then é è ê ë */
    assert_true(pl_collate_compare("e", "é") < 0);
    assert_true(pl_collate_compare("é", "è") < 0);
    assert_true(pl_collate_compare("è", "ê") < 0);
    assert_true(pl_collate_compare("ê", "ë") < 0);
    /* a total order: different strings never compare equal */
    assert_true(pl_collate_compare("de la Tour", "Delatour") != 0);
    assert_int_equal(pl_collate_compare("Ödön", "Ödön"), 0);
    /* keys compare as the strings do */
    a = pl_collate_key("Ødegaard");
    b = pl_collate_key("Olsen");
    assert_true(strcmp(a, b) < 0);
    free(a);
    free(b);
    /* malformed UTF-8 and NULL still get keys */
    a = pl_collate_key("\xC3(bad\xFF");
    assert_non_null(a);
    free(a);
    a = pl_collate_key(NULL);
    assert_non_null(a);
    free(a);
}

static void test_sheet_names(void **state)
{
    char out[128];

    (void)state;
    assert_string_equal(pl_sheet_name(out, sizeof(out), "Sign-in"), "Sign-in");
    assert_string_equal(pl_sheet_name(out, sizeof(out), "a[b]:c*d?e/f\\g"), "a-b--c-d-e-f-g");
    assert_string_equal(pl_sheet_name(out, sizeof(out), "'quoted'"), "quoted");
    assert_string_equal(pl_sheet_name(out, sizeof(out), ""), "Sheet");
    /* cut at 31 characters, not bytes */
    assert_string_equal(pl_sheet_name(out, sizeof(out), "ééééééééééééééééééééééééééééééééééé"),
                        "ééééééééééééééééééééééééééééééé");
    assert_int_equal(pl_text_width("Élodie"), 6);
    assert_int_equal(pl_text_width("ab\nabcd\nc"), 4);
}

static void test_formats(void **state)
{
    pl_export_format f;

    (void)state;
    assert_int_equal(pl_export_format_from_path(&f, "a/b.XLSX"), 0);
    assert_int_equal(f, PL_EXPORT_XLSX);
    assert_int_equal(pl_export_format_from_path(&f, "b.csv"), 0);
    assert_int_equal(f, PL_EXPORT_CSV);
    assert_int_equal(pl_export_format_from_path(&f, "b.json"), 0);
    assert_int_equal(f, PL_EXPORT_JSON);
    assert_int_equal(pl_export_format_from_path(&f, "dir.d/noext"), PL_EINVALID);
    assert_int_equal(pl_export_format_from_path(&f, "b.txt"), PL_EINVALID);
    assert_int_equal(pl_export_format_parse(&f, "Json"), 0);
    assert_string_equal(pl_export_format_name(PL_EXPORT_CSV), "csv");
}

static void test_outfile(void **state)
{
    char dir[64], path[128], bad[160];
    pl_outfile of;
    pl_error err;
    char *text;

    (void)state;
    th_tempdir(dir, sizeof(dir));
    th_write(path, sizeof(path), dir, "out.txt", "previous");
    /* abandoned: the previous file stays, no temporary file is left */
    assert_int_equal(pl_outfile_open(&of, path, 1, &err), 0);
    fputs("half", of.fp);
    pl_outfile_abort(&of);
    text = th_read(path, NULL);
    assert_string_equal(text, "previous");
    free(text);
    /* committed: replaced whole */
    assert_int_equal(pl_outfile_open(&of, path, 1, &err), 0);
    fputs("new", of.fp);
    assert_int_equal(pl_outfile_commit(&of, &err), 0);
    text = th_read(path, NULL);
    assert_string_equal(text, "new");
    free(text);
    {
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 1", dir);
        assert_int_equal(system(cmd), 0);
    }
    /* a folder that does not exist: PL_EIO naming the target */
    snprintf(bad, sizeof(bad), "%s/missing/out.txt", dir);
    assert_int_equal(pl_outfile_open(&of, bad, 1, &err), PL_EIO);
    assert_non_null(strstr(err.msg, bad));
    th_rmtree(dir);
}

/* Issue 10 item 1: a list cell is that row's own, even when it is empty
 * (it used to show the previous row's list). */
static void test_list_cells_own_row(void **state)
{
    static const pl_column cols[] = {
        {PL_T_EXPORT_LAST_NAME, "name", PL_COL_TEXT, 0, 0, 0, 0},
        {PL_T_EXPORT_SESSIONS, "sessions", PL_COL_LIST, 0, 0, 0, 0},
    };
    static const pl_table t = {PL_T_EXPORT_SHEET_REGISTRANTS, "people", cols, 2, 0};
    const char *two[] = {"Atelier A", "Atelier B"};
    pl_strlist full = {(char **)two, 2}, empty = {NULL, 0};
    pl_sink_options o = {.format = PL_EXPORT_CSV};
    char dir[64], path[128];
    pl_sink *s;
    pl_error err;
    char *text;

    (void)state;
    th_tempdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/t.csv", dir);
    assert_int_equal(pl_sink_open(&s, path, &o, &err), 0);
    assert_int_equal(pl_sink_begin(s, &t, &err), 0);
    assert_int_equal(pl_sink_row(s, (pl_cell[]){{.text = "Ada"}, {.list = &full}}, &err), 0);
    assert_int_equal(pl_sink_row(s, (pl_cell[]){{.text = "Bob"}, {.list = &empty}}, &err), 0);
    assert_int_equal(pl_sink_row(s, (pl_cell[]){{.text = "Cy"}, {.list = NULL}}, &err), 0);
    assert_int_equal(pl_sink_row(s, (pl_cell[]){{.text = "Di"}, {.list = &full}}, &err), 0);
    assert_int_equal(pl_sink_row(s, (pl_cell[]){{.text = "Ed"}, {.list = &empty}}, &err), 0);
    assert_int_equal(pl_sink_close(s, &err), 0);
    pl_sink_free(s);
    text = th_read(path, NULL);
    assert_string_equal(text, "Nom,Ateliers\r\n"
                              "Ada,\"Atelier A, Atelier B\"\r\n"
                              "Bob,\r\n"
                              "Cy,\r\n"
                              "Di,\"Atelier A, Atelier B\"\r\n"
                              "Ed,\r\n");
    free(text);
    th_rmtree(dir);
}

/* Nom / Prénom from a name as typed, and where a last name files. */
static void test_name_split(void **state)
{
    static const char *const cases[][3] = {
        {"Yann Le Goff", "Le Goff", "Yann"},
        {"Inès D'Almeida", "D'Almeida", "Inès"},
        {"Anne de La Tour", "de La Tour", "Anne"},
        {"Jean-Marc  Dupont", "Dupont", "Jean-Marc"},
        {"Marie Claire Dupont", "Dupont", "Marie Claire"},
        {"DUPONT Marie", "DUPONT", "Marie"},
        {"Marie DE LA TOUR", "DE LA TOUR", "Marie"},
        {"Jan van der Berg", "van der Berg", "Jan"},
        {"Cher", "Cher", ""},
        {"de la Tour Jean", "de la Tour", "Jean"},
        {"", "", ""},
    };
    char last[64], first[64];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pl_name_split(cases[i][0], last, sizeof(last), first, sizeof(first));
        assert_string_equal(last, cases[i][1]);
        assert_string_equal(first, cases[i][2]);
    }
    assert_string_equal(pl_name_filing("de La Tour"), "La Tour");
    assert_string_equal(pl_name_filing("de la Tour"), "la Tour");
    assert_string_equal(pl_name_filing("du Bellay"), "du Bellay");
    assert_string_equal(pl_name_filing("d'Almeida"), "Almeida");
    assert_string_equal(pl_name_filing("D'Almeida"), "D'Almeida");
    assert_string_equal(pl_name_filing("Le Goff"), "Le Goff");
    assert_string_equal(pl_name_filing("de"), "de");
    /* small buffers cut, never overflow */
    pl_name_split("Anne de La Tour", last, 5, first, 3);
    assert_string_equal(last, "de L");
    assert_string_equal(first, "An");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_writer),
        cmocka_unit_test(test_collation_order),
        cmocka_unit_test(test_collation_keys),
        cmocka_unit_test(test_sheet_names),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_outfile),
        cmocka_unit_test(test_list_cells_own_row),
        cmocka_unit_test(test_name_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
