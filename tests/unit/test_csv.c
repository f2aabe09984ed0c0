#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"
#include "test_helpers.h"

/* Read all of text; the records joined as "a|b|c" lines with their line
 * numbers ("2:a|b"), into out. Returns what pl_csv_next finally returned. */
static int read_all(const char *text, size_t len, char sep, char *out, size_t size, pl_error *err)
{
    pl_csv *csv = NULL;
    size_t used = 0;
    int rc;

    out[0] = '\0';
    assert_int_equal(pl_csv_open_mem(&csv, text, len, "t.csv", sep, err), 0);
    while ((rc = pl_csv_next(csv, err)) == 1) {
        used += (size_t)snprintf(out + used, size - used, "%d:", pl_csv_line(csv));
        for (size_t i = 0; i < pl_csv_count(csv); i++)
            used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "|" : "",
                                     pl_csv_field(csv, i));
        used += (size_t)snprintf(out + used, size - used, "\n");
    }
    /* After the end or an error, the reader stays at the end. */
    assert_int_equal(pl_csv_next(csv, NULL), 0);
    pl_csv_free(csv);
    return rc;
}

/* A string literal and its length (NULs included). */
#define T(text) text, sizeof(text) - 1

#define READS(text, expect)                                                                        \
    do {                                                                                           \
        char got[2048];                                                                            \
        pl_error e;                                                                                \
        assert_int_equal(read_all(text, sizeof(text) - 1, 0, got, sizeof(got), &e), 0);            \
        assert_string_equal(got, expect);                                                          \
    } while (0)

static void separators_are_detected(void **state)
{
    (void)state;
    READS("a;b;c\n1;2;3\n", "1:a|b|c\n2:1|2|3\n");
    READS("a,b,c\n1,2,3\n", "1:a|b|c\n2:1|2|3\n");
    /* The one more frequent outside quotes wins. */
    READS("\"x;y;z\",b,c\n1,2,3\n", "1:x;y;z|b|c\n2:1|2|3\n");
    READS("a;b,c;d\n", "1:a|b,c|d\n");
    /* No separator at all: one column. */
    READS("name\nAna\n", "1:name\n2:Ana\n");
}

static void bom_and_line_ends(void **state)
{
    (void)state;
    READS("\xEF\xBB\xBFnom;courriel\r\nAna;a@x.fr\r\n", "1:nom|courriel\n2:Ana|a@x.fr\n");
    READS("a;b\rc;d\r", "1:a|b\n2:c|d\n");
    READS("a;b\nc;d", "1:a|b\n2:c|d\n");
    /* Blank lines are skipped, but still counted. */
    READS("a;b\n\n\r\nc;d\n\n", "1:a|b\n4:c|d\n");
    /* Empty fields. */
    READS("a;;\n;;\n", "1:a||\n2:||\n");
}

static void quotes(void **state)
{
    (void)state;
    READS("\"Association \"\"Vélo\"\" ; Rennes\";x\n", "1:Association \"Vélo\" ; Rennes|x\n");
    /* A quoted field across lines: the next record's line counts them. */
    READS("a;\"one\r\ntwo\nthree\"\nb;c\n", "1:a|one\ntwo\nthree\n4:b|c\n");
    READS("\"\";\"\"\"\"\n", "1:|\"\n");
    /* Spaces before an opening quote, after a closing one. */
    READS("a;  \"b;c\"  ;d\n", "1:a|b;c|d\n");
    /* Text after a closing quote, and quotes inside a bare field, are kept. */
    READS("\"ab\"cd;e\"f\n", "1:abcd|e\"f\n");
}

static void errors_name_the_line(void **state)
{
    char got[512];
    pl_error e;
    (void)state;

    assert_int_equal(read_all(T("a;b\nc;\"d\ne;f\n"), 0, got, sizeof(got), &e), PL_EINVALID);
    assert_string_equal(e.file, "t.csv");
    assert_int_equal(e.line, 2);
    assert_non_null(strstr(e.msg, "quote opened on line 2 is never closed"));

    assert_int_equal(read_all(T("a;b\nc;d\0x\n"), 0, got, sizeof(got), &e), PL_EINVALID);
    assert_int_equal(e.line, 2);
    assert_non_null(strstr(e.msg, "NUL byte"));
    assert_string_equal(got, "1:a|b\n");

    /* Latin-1 "é" on the third line of a record that starts on line 2. */
    assert_int_equal(read_all(T("a;b\n\"x\ny\nH\xe9\";z\n"), 0, got, sizeof(got), &e), PL_EINVALID);
    assert_int_equal(e.line, 4);
    assert_non_null(strstr(e.msg, "not UTF-8"));
    /* Overlong and surrogate encodings are not UTF-8 either. */
    assert_int_equal(read_all(T("\xC0\xAF\n"), 0, got, sizeof(got), &e), PL_EINVALID);
    assert_int_equal(read_all(T("\xED\xA0\x80\n"), 0, got, sizeof(got), &e), PL_EINVALID);
}

static void given_separator_is_used(void **state)
{
    char got[256];
    pl_error e;
    (void)state;

    assert_int_equal(read_all(T("a;b,c\n"), ',', got, sizeof(got), &e), 0);
    assert_string_equal(got, "1:a;b|c\n");
}

/* A file read in blocks gives the same records as memory, with fields that
 * straddle block boundaries, and its offset reaches its size. */
static void file_reading_in_blocks(void **state)
{
    char dir[64], path[256];
    pl_buf text = PL_BUF_INIT;
    pl_csv *csv = NULL;
    pl_error e;
    int n = 0;
    (void)state;

    th_tempdir(dir, sizeof(dir));
    pl_buf_puts(&text, "\xEF\xBB\xBFnom;courriel;note\r\n");
    for (int i = 0; i < 5000; i++)
        pl_buf_printf(&text, "Personne %d;p%d@example.org;\"ligne 1\r\nligne \"\"2\"\"\"\r\n", i,
                      i);
    snprintf(path, sizeof(path), "%s/big.csv", dir);
    FILE *f = fopen(path, "wb");
    fwrite(text.data, 1, text.len, f);
    fclose(f);

    assert_int_equal(pl_csv_open(&csv, path, 0, &e), 0);
    assert_int_equal(pl_csv_size(csv), (long long)text.len);
    assert_int_equal(pl_csv_next(csv, &e), 1);
    assert_string_equal(pl_csv_field(csv, 0), "nom");
    while (pl_csv_next(csv, &e) == 1) {
        char name[32];
        snprintf(name, sizeof(name), "Personne %d", n);
        assert_int_equal(pl_csv_count(csv), 3);
        assert_string_equal(pl_csv_field(csv, 0), name);
        assert_string_equal(pl_csv_field(csv, 2), "ligne 1\nligne \"2\"");
        assert_int_equal(pl_csv_field_len(csv, 2), strlen("ligne 1\nligne \"2\""));
        assert_int_equal(pl_csv_line(csv), 2 + 2 * n);
        n++;
    }
    assert_int_equal(n, 5000);
    assert_int_equal(pl_csv_offset(csv), (long long)text.len);
    assert_int_equal(pl_csv_separator(csv), ';');
    pl_csv_free(csv);

    assert_int_equal(pl_csv_open(&csv, "/nonexistent/x.csv", 0, &e), PL_EIO);
    assert_null(csv);
    assert_int_equal(pl_csv_open(&csv, dir, 0, &e), PL_EIO);
    pl_buf_free(&text);
    th_rmtree(dir);
}

static void assert_field(const char *in, char sep, unsigned flags, const char *expect)
{
    pl_buf b = PL_BUF_INIT;

    assert_int_equal(pl_csv_write_field(&b, in, sep, flags), 0);
    assert_string_equal(b.data ? b.data : "", expect);
    pl_buf_free(&b);
}

static void writer_neutralises_formulas_on_request(void **state)
{
    (void)state;
    /* without the flag, only RFC 4180 quoting */
    assert_field("=1+1", ',', 0, "=1+1");
    assert_field("-3", ';', 0, "-3");
    /* with it, formulas become text; the rest is unchanged */
    assert_field("=1+1", ',', PL_CSV_NEUTRALISE, "\"'=1+1\"");
    assert_field("+33 6 12", ',', PL_CSV_NEUTRALISE, "\"'+33 6 12\"");
    assert_field("-3", ';', PL_CSV_NEUTRALISE, "\"'-3\"");
    assert_field("@SUM(A1)", ',', PL_CSV_NEUTRALISE, "\"'@SUM(A1)\"");
    assert_field("\tx", ',', PL_CSV_NEUTRALISE, "\"'\tx\"");
    assert_field("\rx", ',', PL_CSV_NEUTRALISE, "\"'\rx\"");
    assert_field("=\"a\",b", ',', PL_CSV_NEUTRALISE, "\"'=\"\"a\"\",b\"");
    assert_field("a=b", ',', PL_CSV_NEUTRALISE, "a=b");
    assert_field("'=x", ',', PL_CSV_NEUTRALISE, "'=x");
    assert_field("", ',', PL_CSV_NEUTRALISE, "");
    assert_field(NULL, ',', PL_CSV_NEUTRALISE, "");
    assert_field("a;b", ';', PL_CSV_NEUTRALISE, "\"a;b\"");
    assert_field("a;b", ',', PL_CSV_NEUTRALISE, "a;b");
    assert_field("a,b", ';', PL_CSV_NEUTRALISE, "a,b");
    assert_field("cr\r\nlf", ',', PL_CSV_NEUTRALISE, "\"cr\r\nlf\"");
    assert_field(" padded ", ',', PL_CSV_NEUTRALISE, "\" padded \"");
    assert_field("Élodie Ödön", ',', PL_CSV_NEUTRALISE, "Élodie Ödön");
    assert_true(pl_csv_is_formula("@x"));
    assert_false(pl_csv_is_formula("x@"));
    assert_false(pl_csv_is_formula(NULL));
}

static void writer_round_trips(void **state)
{
    static const char *const values[] = {"plain",    "a,b", "say \"hi\"", "two\nlines",
                                         " padded ", "",    "é;è"};
    pl_buf b = PL_BUF_INIT;
    pl_csv *csv = NULL;
    pl_error e;
    (void)state;

    for (size_t i = 0; i < 7; i++) {
        if (i)
            pl_buf_append(&b, ",", 1);
        assert_int_equal(pl_csv_write_field(&b, values[i], ',', 0), 0);
    }
    pl_buf_puts(&b, "\r\n");
    assert_non_null(strstr(b.data, "\"say \"\"hi\"\"\""));
    assert_int_equal(pl_csv_open_mem(&csv, b.data, b.len, "w", ',', &e), 0);
    assert_int_equal(pl_csv_next(csv, &e), 1);
    assert_int_equal(pl_csv_count(csv), 7);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(pl_csv_field(csv, i), values[i]);
    assert_int_equal(pl_csv_next(csv, &e), 0);
    pl_csv_free(csv);
    pl_buf_free(&b);
}

static void fold_ignores_case_accents_and_punctuation(void **state)
{
    char out[64];
    (void)state;

    assert_string_equal(pl_csv_fold(out, sizeof(out), " Régime "), "regime");
    assert_string_equal(pl_csv_fold(out, sizeof(out), "RÉGIME"), "regime");
    assert_string_equal(pl_csv_fold(out, sizeof(out), "Liste publique"), "listepublique");
    assert_string_equal(pl_csv_fold(out, sizeof(out), "E-mail"), "email");
    assert_string_equal(pl_csv_fold(out, sizeof(out), "Passagère"), "passagere");
    assert_string_equal(pl_csv_fold(out, sizeof(out), "Œuvre — ça"), "oeuvreca");
    assert_string_equal(pl_csv_fold(out, 4, "abcdef"), "abc");
    /* ICU's folding: any accent, not only Latin-1's */
    assert_string_equal(pl_csv_fold(out, sizeof(out), "Čapek Łódź"), "capeklodz");
    assert_string_equal(pl_csv_fold(out, sizeof(out), "Straße Søren Æsir"), "strassesorenaesir");
    assert_string_equal(pl_csv_fold(out, sizeof(out), "« Végétarien » 2"), "vegetarien2");
    assert_string_equal(pl_csv_fold(out, sizeof(out), "ΣΟΦΊΑ"), "σοφια");
    assert_string_equal(pl_csv_fold(out, 5, "ab\xce\xb1\xce\xb2"), "ab\xce\xb1");
    assert_string_equal(pl_csv_fold(out, sizeof(out), NULL), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(separators_are_detected),
        cmocka_unit_test(bom_and_line_ends),
        cmocka_unit_test(quotes),
        cmocka_unit_test(errors_name_the_line),
        cmocka_unit_test(given_separator_is_used),
        cmocka_unit_test(file_reading_in_blocks),
        cmocka_unit_test(writer_neutralises_formulas_on_request),
        cmocka_unit_test(writer_round_trips),
        cmocka_unit_test(fold_ignores_case_accents_and_punctuation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
