/* Unit tests for planner/geocoder.[ch]: URLs, answers, the cache and the
 * plan's use of it, with a fake transport (the libcurl one is tested end to
 * end in tests/e2e/test_geocoder.py against a local server). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"
#include "test_helpers.h"

static const char event_json[] =
    "{\"slug\": \"atelier\", \"title\": \"Atelier\", \"format\": \"in_person\",\n"
    " \"venue\": {\"name\": \"Mairie\", \"lat\": 48.8566, \"lon\": 2.3522},\n"
    " \"start\": \"2026-12-10T09:30\", \"end\": \"2026-12-10T17:00\", \"sessions\": []}\n";

#define SERVICE "http://geo.test/search/"

static const char ban_hit[] =
    "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\",\n"
    " \"geometry\": {\"type\": \"Point\", \"coordinates\": [2.3601, 48.8702]},\n"
    " \"properties\": {\"label\": \"Lieu-dit des Tests 75010 Paris\", \"score\": 0.91,\n"
    "  \"postcode\": \"75010\", \"citycode\": \"75110\"}}]}";

/* The fake transport: answers from a script, counts requests. */
typedef struct fake {
    const char *answer; /* NULL: the network is down */
    int requests;
    char last_url[512];
} fake;

static int fake_fetch(char **out, size_t *out_len, const char *url, void *payload, pl_error *err)
{
    fake *f = payload;

    f->requests++;
    snprintf(f->last_url, sizeof(f->last_url), "%s", url);
    if (!f->answer)
        return pl_error_set(err, PL_EIO, "http://geo.test: Connection refused");
    *out = pl_strdup(f->answer);
    *out_len = strlen(f->answer);
    return 0;
}

typedef struct fixture {
    char dir[64];
    pl_store *store;
    fake net;
    pl_geocoder g;
} fixture;

static void reg(fixture *f, const char *email, const char *origin, const char *travel, int seats)
{
    pl_registration in;
    pl_error err;

    memset(&in, 0, sizeof(in));
    in.name = (char *)email;
    in.email = (char *)email;
    in.origin = (char *)origin;
    assert_int_equal(pl_travel_parse(&in.travel, travel), 0);
    in.seats = seats;
    assert_int_equal(pl_registration_save(f->store, "atelier", &in, NULL, &err), 0);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    pl_event *ev = NULL;
    char path[128];
    pl_error err;

    setenv("PLANNER_NOW", "2026-11-26T10:00:00Z", 1);
    th_tempdir(f->dir, sizeof(f->dir));
    snprintf(path, sizeof(path), "%s/p.db", f->dir);
    assert_int_equal(pl_store_open(&f->store, path, PL_STORE_CREATE, &err), 0);
    assert_int_equal(pl_event_parse_json_text(&ev, event_json, strlen(event_json), "e", &err), 0);
    assert_int_equal(pl_event_save(f->store, ev, NULL, &err), 0);
    pl_event_free(ev);
    reg(f, "ana@example.org", "Versailles", "drive", 3);
    reg(f, "bob@example.org", "Lieu-dit des Tests", "ride", 0);
    f->g.url = SERVICE;
    f->g.fetch = fake_fetch;
    f->g.payload = &f->net;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    pl_store_free(f->store);
    th_rmtree(f->dir);
    free(f);
    unsetenv("PLANNER_NOW");
    return 0;
}

static void test_request_url(void **state)
{
    char *url = NULL;
    pl_error err;

    (void)state;
    assert_int_equal(pl_geocoder_request_url(&url, SERVICE, "Saint-Denis 93", &err), 0);
    assert_string_equal(url, SERVICE "?q=Saint-Denis%2093&limit=1");
    free(url);
    assert_int_equal(
        pl_geocoder_request_url(&url, "https://n.test/search?format=jsonv2", "Évry & co", &err), 0);
    assert_string_equal(url, "https://n.test/search?format=jsonv2&q=%C3%89vry%20%26%20co&limit=1");
    free(url);
    assert_int_equal(pl_geocoder_request_url(&url, "http://x.test/q/{q}.json?k=1", "a/b", &err), 0);
    assert_string_equal(url, "http://x.test/q/a%2Fb.json?k=1");
    free(url);
    assert_int_equal(pl_geocoder_request_url(&url, "ftp://x.test/", "a", &err), PL_EINVALID);
    assert_null(url);
    assert_non_null(strstr(err.msg, "http"));
    assert_int_equal(pl_geocoder_check_url("https://", &err), PL_EINVALID);
    assert_int_equal(pl_geocoder_check_url("http://x.test/a b", &err), PL_EINVALID);
    assert_int_equal(pl_geocoder_check_url("http://127.0.0.1:8080/search", &err), 0);
}

static void test_parse(void **state)
{
    static const char nominatim[] = "[{\"place_id\": 1, \"lat\": \"45.1885\", \"lon\": \"5.7245\", "
                                    "\"display_name\": \"Grenoble, Isère, France\"}]";
    static const char photon[] =
        "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", "
        "\"geometry\": {\"type\": \"Point\", \"coordinates\": [-1.68, 48.11]}, "
        "\"properties\": {\"name\": \"Rennes\"}}]}";
    pl_geocoder_hit hit;
    pl_error err;

    (void)state;
    assert_int_equal(pl_geocoder_parse(&hit, ban_hit, strlen(ban_hit), &err), PL_OK);
    assert_true(hit.lat == 48.8702 && hit.lon == 2.3601);
    assert_string_equal(hit.label, "Lieu-dit des Tests 75010 Paris");
    assert_string_equal(hit.postcode, "75010");
    assert_string_equal(hit.citycode, "75110");
    assert_int_equal(pl_geocoder_parse(&hit, nominatim, strlen(nominatim), &err), PL_OK);
    assert_true(hit.lat == 45.1885 && hit.lon == 5.7245);
    assert_string_equal(hit.label, "Grenoble, Isère, France");
    assert_int_equal(pl_geocoder_parse(&hit, photon, strlen(photon), &err), PL_OK);
    assert_string_equal(hit.label, "Rennes");

    /* No place: an empty answer, or a poor match. */
    assert_int_equal(pl_geocoder_parse(&hit, "[]", 2, &err), PL_ENOTFOUND);
    const char *empty = "{\"type\": \"FeatureCollection\", \"features\": []}";
    assert_int_equal(pl_geocoder_parse(&hit, empty, strlen(empty), &err), PL_ENOTFOUND);
    const char *poor = "{\"features\": [{\"geometry\": {\"type\": \"Point\", \"coordinates\": "
                       "[2, 48]}, \"properties\": {\"label\": \"Rue X\", \"score\": 0.21}}]}";
    assert_int_equal(pl_geocoder_parse(&hit, poor, strlen(poor), &err), PL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "0.21"));

    /* Not an answer at all. */
    assert_int_equal(pl_geocoder_parse(&hit, "<html>busy</html>", 17, &err), PL_EINVALID);
    assert_non_null(strstr(err.msg, "not JSON"));
    assert_int_equal(pl_geocoder_parse(&hit, "{\"error\": 1}", 12, &err), PL_EINVALID);
    assert_non_null(strstr(err.msg, "neither"));
    const char *far = "[{\"lat\": \"95\", \"lon\": \"2\"}]";
    assert_int_equal(pl_geocoder_parse(&hit, far, strlen(far), &err), PL_EINVALID);
    const char *text = "[{\"lat\": \"north\", \"lon\": \"2\"}]";
    assert_int_equal(pl_geocoder_parse(&hit, text, strlen(text), &err), PL_EINVALID);
    assert_int_equal(pl_geocoder_parse(&hit, NULL, 0, &err), PL_EINVALID);
}

static void test_cache_hit_makes_no_request(void **state)
{
    fixture *f = *state;
    pl_geocoder_stats s;
    pl_origin o;
    pl_error err;

    f->net.answer = ban_hit;
    assert_int_equal(pl_geocoder_resolve_event(&s, f->store, "atelier", &f->g, &err), 0);
    /* Versailles is in the gazetteer: only Bob's origin is asked. */
    assert_int_equal(f->net.requests, 1);
    assert_string_equal(f->net.last_url, SERVICE "?q=Lieu-dit%20des%20Tests&limit=1");
    assert_int_equal(s.asked, 1);
    assert_int_equal(s.requests, 1);
    assert_int_equal(s.found, 1);

    f->net.answer = NULL; /* would fail if asked */
    assert_int_equal(pl_geocoder_resolve_event(&s, f->store, "atelier", &f->g, &err), 0);
    assert_int_equal(f->net.requests, 1);
    assert_int_equal(s.cached, 1);
    assert_int_equal(s.found, 1);
    assert_int_equal(s.requests, 0);

    /* The lookup reads the cache; white space does not matter. */
    assert_int_equal(pl_origin_resolve(&o, "  Lieu-dit   des Tests "), PL_ENOTFOUND);
    assert_int_equal(pl_geocoder_lookup(&o, f->store, SERVICE, "  Lieu-dit   des Tests ", &err),
                     PL_OK);
    assert_int_equal(o.status, PL_ORIGIN_OK);
    assert_int_equal(o.precision, PL_ORIGIN_PRECISION_GEOCODER);
    assert_string_equal(pl_origin_precision_name(o.precision), "geocoder");
    assert_true(o.lat == 48.8702 && o.lon == 2.3601);
    assert_string_equal(o.postal_code, "75010");
    assert_string_equal(o.departement, "75");
    assert_non_null(strstr(o.reason, "placed by the geocoder"));
    /* Another service has its own cache. */
    assert_int_equal(pl_origin_resolve(&o, "Lieu-dit des Tests"), PL_ENOTFOUND);
    assert_int_equal(
        pl_geocoder_lookup(&o, f->store, "http://other.test/", "Lieu-dit des Tests", &err),
        PL_ENOTFOUND);
    assert_non_null(strstr(o.reason, "not looked up"));
}

static void test_plan_uses_the_geocoder(void **state)
{
    fixture *f = *state;
    pl_carpool_plan_options opts = PL_CARPOOL_PLAN_OPTIONS_INIT;
    pl_carpool_saved_plan *p = NULL;
    pl_geocoder_stats s;
    pl_error err;

    f->net.answer = ban_hit;
    opts.geocoder = &f->g;
    opts.geocoder_stats = &s;
    assert_int_equal(pl_carpool_plan_event(&p, f->store, "atelier", &opts, &err), 0);
    assert_int_equal(s.found, 1);
    assert_int_equal(p->nunassigned, 0);
    assert_int_equal(p->ngroups, 1);
    assert_int_equal(p->groups[0].npassengers, 1);
    assert_string_equal(p->groups[0].passengers[0].precision, "geocoder");
    assert_string_equal(p->groups[0].passengers[0].place, "Lieu-dit des Tests 75010 Paris");
    assert_string_equal(p->groups[0].driver.precision, "commune");
    pl_carpool_saved_plan_free(p);

    /* Without a geocoder, the same origin is unknown again. */
    assert_int_equal(pl_carpool_plan_event(&p, f->store, "atelier", NULL, &err), 0);
    assert_int_equal(p->nunassigned, 1);
    assert_string_equal(p->unassigned[0].code, PL_CARPOOL_WHY_ORIGIN_UNKNOWN);
    pl_carpool_saved_plan_free(p);
}

/* Whether some unassigned person's reason holds `what`. */
static int some_reason(const pl_carpool_saved_plan *p, const char *what)
{
    for (size_t i = 0; i < p->nunassigned; i++)
        if (strstr(p->unassigned[i].reason, what))
            return 1;
    return 0;
}

static void test_down_or_broken_service(void **state)
{
    fixture *f = *state;
    pl_carpool_plan_options opts = PL_CARPOOL_PLAN_OPTIONS_INIT;
    pl_carpool_saved_plan *p = NULL;
    pl_geocoder_stats s;
    pl_error err;

    reg(f, "cy@example.org", "Hameau Un", "ride", 0);
    reg(f, "di@example.org", "Hameau Deux", "ride", 0);
    reg(f, "ed@example.org", "Hameau Trois", "ride", 0);
    reg(f, "fa@example.org", "Hameau Quatre", "ride", 0);
    f->net.answer = NULL; /* down */
    opts.geocoder = &f->g;
    opts.geocoder_stats = &s;
    /* The plan is made; the origins stay unplaced, with the reason. */
    assert_int_equal(pl_carpool_plan_event(&p, f->store, "atelier", &opts, &err), 0);
    assert_int_equal(s.asked, 5);
    assert_int_equal(s.requests, PL_GEOCODER_MAX_FAILURES);
    assert_int_equal(s.failed, PL_GEOCODER_MAX_FAILURES);
    assert_int_equal(s.skipped, 5 - PL_GEOCODER_MAX_FAILURES);
    assert_int_equal(p->nunassigned, 5);
    for (size_t i = 0; i < p->nunassigned; i++) {
        assert_string_equal(p->unassigned[i].code, PL_CARPOOL_WHY_ORIGIN_UNKNOWN);
        assert_non_null(strstr(p->unassigned[i].reason, "the geocoder could not be asked"));
    }
    assert_true(some_reason(p, "Connection refused"));
    assert_true(some_reason(p, "not asked after 3 failed requests in a row"));
    pl_carpool_saved_plan_free(p);

    /* Failures are not cached: back up, every origin is asked again. */
    f->net.requests = 0;
    f->net.answer = "<html>Service Unavailable</html>";
    assert_int_equal(pl_geocoder_resolve_event(&s, f->store, "atelier", &f->g, &err), 0);
    assert_int_equal(f->net.requests, PL_GEOCODER_MAX_FAILURES);
    assert_int_equal(pl_carpool_plan_event(&p, f->store, "atelier", &opts, &err), 0);
    assert_true(some_reason(p, "the answer is not JSON"));
    pl_carpool_saved_plan_free(p);

    /* "No place" is an answer: cached, and said. */
    f->net.requests = 0;
    f->net.answer = "[]";
    assert_int_equal(pl_carpool_plan_event(&p, f->store, "atelier", &opts, &err), 0);
    assert_int_equal(f->net.requests, 5);
    for (size_t i = 0; i < p->nunassigned; i++)
        assert_non_null(strstr(p->unassigned[i].reason, "the geocoder found no place"));
    pl_carpool_saved_plan_free(p);
    assert_int_equal(pl_geocoder_resolve_event(&s, f->store, "atelier", &f->g, &err), 0);
    assert_int_equal(f->net.requests, 5);
    assert_int_equal(s.cached, 5);

    assert_int_equal(pl_geocoder_resolve_event(&s, f->store, "nope", &f->g, &err), PL_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_url),
        cmocka_unit_test(test_parse),
        cmocka_unit_test_setup_teardown(test_cache_hit_makes_no_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_uses_the_geocoder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_down_or_broken_service, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
