#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "calendar.h"
#include "ics_writer.h"
#include "net_guard.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <netinet/in.h>
#include "test_helpers.h"

typedef th_db fixture;

static int setup(void **state)
{
    setenv("PLANNER_NOW", "2026-10-01T08:00:00Z", 1);
    return th_db_setup(state);
}

static void import_sample(fixture *f, const char *name)
{
    char path[512];
    pl_error err;

    snprintf(path, sizeof(path), "%s/%s", SAMPLES_DIR, name);
    if (pl_event_import_file(f->store, path, NULL, &err) != 0)
        fail_msg("%s", err.msg);
}

/* Every physical line <= 75 octets, CRLF, valid UTF-8 on its own. */
static void assert_well_folded(const char *s, size_t len)
{
    size_t start = 0;

    assert_true(len >= 2 && s[len - 2] == '\r' && s[len - 1] == '\n');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n') {
            assert_true(i > 0 && s[i - 1] == '\r');
            assert_true(i - 1 - start <= 75);
            /* a line never starts with a UTF-8 continuation byte */
            size_t first = start < len && s[start] == ' ' ? start + 1 : start;
            assert_false(first < i && ((unsigned char)s[first] & 0xC0) == 0x80);
            start = i + 1;
        } else {
            assert_false(s[i] == '\r' && (i + 1 >= len || s[i + 1] != '\n'));
        }
    }
}

static char *unfold(const char *s)
{
    pl_buf b = PL_BUF_INIT;

    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\r' && s[i + 1] == '\n' && s[i + 2] == ' ') {
            i += 2;
            continue;
        }
        pl_buf_append(&b, s + i, 1);
    }
    return pl_buf_detach(&b);
}

static void test_refold_keeps_characters_and_escapes_whole(void **state)
{
    pl_buf out = PL_BUF_INIT, in = PL_BUF_INIT;
    char *flat;

    (void)state;
    pl_buf_puts(&in, "SUMMARY:");
    for (int i = 0; i < 40; i++)
        pl_buf_puts(&in, i % 3 == 0 ? "é" : i % 3 == 1 ? "€\\," : "𝄞a");
    pl_buf_puts(&in, "\r\n");
    assert_int_equal(pl_ics_refold(&out, in.data, in.len), 0);
    assert_well_folded(out.data, out.len);
    /* no fold between a backslash and what it escapes */
    assert_null(strstr(out.data, "\\\r\n"));
    flat = unfold(out.data);
    assert_string_equal(flat, in.data);
    free(flat);
    pl_buf_free(&out);
    pl_buf_free(&in);
}

static void test_refold_unfolds_libical_folds_first(void **state)
{
    const char *in = "DESCRIPTION:abc\r\n def\nX-A:1\r\n";
    pl_buf out = PL_BUF_INIT;

    (void)state;
    assert_int_equal(pl_ics_refold(&out, in, strlen(in)), 0);
    assert_string_equal(out.data, "DESCRIPTION:abcdef\r\nX-A:1\r\n");
    pl_buf_free(&out);
}

/* Input as other writers fold it: tabs, bare CR, stray bytes. */
static void test_refold_other_writers_input(void **state)
{
    /* a tab continuation, bare CR line ends, a lead byte without its
     * continuation, a character cut by the end of the text */
    const char *in = "SUMMARY:ab\r\tcd\rLOCATION:x\xC3y\nX-Z:\xE2\x82";
    pl_buf out = PL_BUF_INIT;
    pl_buf big = PL_BUF_INIT, folded = PL_BUF_INIT;

    (void)state;
    assert_int_equal(pl_ics_refold(&out, in, strlen(in)), 0);
    assert_string_equal(out.data, "SUMMARY:abcd\r\nLOCATION:x\xC3y\r\nX-Z:\xE2\x82\r\n");
    pl_buf_free(&out);

    /* 80 stray bytes fold like 80 characters of one byte */
    pl_buf_puts(&big, "X:");
    for (int i = 0; i < 80; i++)
        pl_buf_puts(&big, "\x80");
    assert_int_equal(pl_ics_refold(&folded, big.data, big.len), 0);
    assert_int_equal(folded.len, 2 + 73 + 2 + 1 + 7 + 2); /* folded once, at 75 octets */
    assert_memory_equal(folded.data + 75, "\r\n \x80", 4);
    pl_buf_free(&big);
    pl_buf_free(&folded);
}

static void test_x_wr_values_are_escaped_as_text(void **state)
{
    /* what libical 3.0 writes for "a, b; c\ d<newline>e" */
    const char *in = "X-WR-CALNAME:a, b; c\\\\ d\\ne\r\n";
    pl_buf out = PL_BUF_INIT;

    (void)state;
    assert_int_equal(pl_ics_refold(&out, in, strlen(in)), 0);
    assert_string_equal(out.data, "X-WR-CALNAME:a\\, b\\; c\\\\ d\\ne\r\n");
    pl_buf_free(&out);
}

static void test_event_feed_is_deterministic_and_complete(void **state)
{
    fixture *f = *state;
    char *a = NULL, *b = NULL;
    size_t la, lb;

    import_sample(f, "atelier-cem-2.json");
    assert_int_equal(pl_calendar_feed_event(&a, &la, f->store, "atelier-cem-2", NULL, NULL), 0);
    setenv("PLANNER_NOW", "2030-01-01T00:00:00Z", 1);
    assert_int_equal(pl_calendar_feed_event(&b, &lb, f->store, "atelier-cem-2", NULL, NULL), 0);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    assert_int_equal(strlen(a), la);
    assert_well_folded(a, la);
    assert_non_null(strstr(a, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
    assert_non_null(strstr(a, "\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"));
    assert_null(strstr(a, "freeassociation"));
    assert_null(strstr(a, "DTSTART:18")); /* no 19th-century history */
    assert_non_null(strstr(a, "DTSTART;TZID=Europe/Paris:20261210T093000\r\n"));
    assert_non_null(strstr(a, "DTSTAMP:20261001T080000Z\r\n"));
    assert_non_null(strstr(a, "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"));
    assert_non_null(strstr(a, "X-PUBLISHED-TTL:PT1H\r\n"));
    assert_null(strstr(a, "ATTENDEE"));
    assert_true(strcmp(a + la - 15, "END:VCALENDAR\r\n") == 0);
    free(a);
    free(b);
}

static void test_all_feed_skips_drafts_and_links_pages(void **state)
{
    fixture *f = *state;
    pl_calendar_options opts = PL_CALENDAR_OPTIONS_INIT;
    pl_event **events = NULL;
    size_t n = 0, len;
    char *feed = NULL;

    import_sample(f, "atelier-cem-2.json");
    assert_int_equal(pl_event_list(&events, &n, f->store, NULL), 0);
    free(events[0]->status);
    events[0]->status = strdup("draft");
    assert_int_equal(pl_calendar_write_events(&feed, &len, events, n, NULL, 0, NULL, NULL), 0);
    assert_null(strstr(feed, "BEGIN:VEVENT"));
    free(feed);
    free(events[0]->status);
    events[0]->status = strdup("cancelled");
    opts.base_url = "https://agenda.example.org";
    opts.refresh_minutes = 360;
    assert_int_equal(pl_calendar_write_events(&feed, &len, events, n, NULL, 0, &opts, NULL), 0);
    assert_non_null(strstr(feed, "URL:https://agenda.example.org/e/atelier-cem-2\r\n"));
    assert_non_null(strstr(feed, "REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n"));
    assert_null(strstr(feed, "STATUS:CONFIRMED"));
    assert_non_null(strstr(feed, "SUMMARY:Annulé : "));
    free(feed);
    pl_event_list_free(events, n);
}

/* Issue 16: the feeds' words follow the event's language, French for a
 * French event (its zone) unless its file says otherwise. */
static void test_feed_words_follow_the_event_language(void **state)
{
    fixture *f = *state;
    const char *passengers[] = {"Anne"};
    pl_calendar_pickup pickup = {.uid = "pickup-1@planner",
                                 .time = "2026-12-10T08:10",
                                 .place = "Gare de Meaux",
                                 .driver_first_name = "Julien",
                                 .driver_phone = "06 12 34 56 78",
                                 .passengers = passengers,
                                 .npassengers = 1,
                                 .created = "2026-11-01T10:00:00Z",
                                 .modified = "2026-11-03T10:00:00Z"};
    pl_calendar_pickup home = {.uid = "home-1@planner",
                               .time = "2026-12-10T17:30",
                               .arrival = "2026-12-10T18:15",
                               .place = "Meaux",
                               .driver_first_name = "Julien",
                               .created = "2026-11-01T10:00:00Z",
                               .modified = "2026-11-03T10:00:00Z"};
    pl_registration reg = {.uid = "r-1",
                           .name = "Claire Martin",
                           .status = PL_REG_WAITLISTED,
                           .waitlist_position = 3,
                           .updated = "2026-10-15T12:00:00Z"};
    pl_event *ev = NULL;
    char *feed = NULL, *flat;
    size_t len;

    import_sample(f, "atelier-cem-2.json");
    assert_int_equal(pl_event_load(&ev, f->store, "atelier-cem-2", NULL), 0);
    ev->sessions[0].cancelled = 1;

    assert_null(ev->language); /* Europe/Paris: French */
    assert_int_equal(pl_calendar_write_event(&feed, &len, ev, NULL, NULL), 0);
    flat = unfold(feed);
    assert_non_null(strstr(flat, "SUMMARY:Annulé : "));
    assert_non_null(strstr(flat, "\\nSalle : "));
    assert_null(strstr(flat, "Room: "));
    free(flat);
    free(feed);

    ev->language = strdup("en");
    pickup.home = &home;
    assert_int_equal(pl_calendar_write_event(&feed, &len, ev, NULL, NULL), 0);
    flat = unfold(feed);
    assert_non_null(strstr(flat, "SUMMARY:Cancelled: "));
    assert_non_null(strstr(flat, "\\nRoom: "));
    assert_non_null(strstr(flat, "\\nEvent: "));
    assert_null(strstr(flat, "Annulé"));
    assert_null(strstr(flat, "Salle : "));
    free(flat);
    free(feed);
    assert_int_equal(pl_calendar_write_personal(&feed, &len, ev, &reg, &pickup, NULL, NULL), 0);
    flat = unfold(feed);
    assert_non_null(strstr(flat, "X-WR-CALNAME:"));
    assert_non_null(strstr(flat, " — my programme\r\n"));
    assert_non_null(strstr(flat, "You are on the waiting list (position 3)."));
    assert_non_null(strstr(flat, "SUMMARY:Cancelled: Carpool with Julien: pickup\r\n"));
    assert_non_null(strstr(flat, "Pickup: Gare de Meaux\\nDriver: Julien\\nDriver's phone: "));
    assert_non_null(strstr(flat, "SUMMARY:Cancelled: Ride home with Julien\r\n"));
    assert_non_null(strstr(flat, "DESCRIPTION:Drop-off: Meaux\\nDriver: Julien\r\n"));
    assert_null(strstr(flat, "Covoiturage"));
    free(flat);
    free(feed);

    /* the all-events feed's own name: its first event's language */
    free(ev->language);
    ev->language = NULL;
    free(ev->timezone);
    ev->timezone = strdup("America/New_York"); /* English by its zone */
    assert_int_equal(pl_calendar_write_events(&feed, &len, &ev, 1, NULL, 0, NULL, NULL), 0);
    assert_non_null(strstr(feed, "X-WR-CALNAME:All events\r\n"));
    free(feed);
    pl_event_free(ev);
}

/* The VEVENT of uid in an unfolded feed (malloc'ed), or NULL. */
static char *vevent_of(const char *flat, const char *uid)
{
    char key[128];
    const char *at, *begin, *end;

    snprintf(key, sizeof(key), "\r\nUID:%s\r\n", uid);
    if (!(at = strstr(flat, key)))
        return NULL;
    for (begin = at; begin > flat && strncmp(begin, "BEGIN:VEVENT", 12) != 0; begin--)
        ;
    if (!(end = strstr(at, "END:VEVENT\r\n")))
        return NULL;
    return strndup(begin, (size_t)(end + 12 - begin));
}

/* The ride there and the ride home: their whole entries, the same shape
 * (revision, times, summary, location, description) with each trip's own
 * words, for a driver and for a passenger, confirmed or not. */
static void test_pickup_and_ride_home_entries(void **state)
{
    fixture *f = *state;
    const char *passengers[] = {"Anne", "Luc"};
    pl_calendar_pickup home = {.uid = "home-1@planner",
                               .time = "2026-12-10T17:15",
                               .arrival = "2026-12-10T18:20",
                               .place = "Meaux",
                               .is_driver = 1,
                               .passengers = passengers,
                               .npassengers = 2,
                               .sequence = 1,
                               .created = "2026-11-01T10:00:00Z",
                               .modified = "2026-11-04T10:00:00Z"};
    pl_calendar_pickup pickup = {.uid = "pickup-1@planner",
                                 .time = "2026-12-10T08:10",
                                 .arrival = "2026-12-10T09:20",
                                 .place = "Gare de Meaux",
                                 .has_geo = 1,
                                 .lat = 48.95,
                                 .lon = 2.87,
                                 .is_driver = 1,
                                 .passengers = passengers,
                                 .npassengers = 2,
                                 .sequence = 2,
                                 .created = "2026-11-01T10:00:00Z",
                                 .modified = "2026-11-03T10:00:00Z",
                                 .home = &home};
    pl_registration reg = {.uid = "r-1",
                           .name = "Claire Martin",
                           .status = PL_REG_CONFIRMED,
                           .updated = "2026-10-15T12:00:00Z"};
    static const char *const want[][2] = {
        /* French, the driver, confirmed */
        {"BEGIN:VEVENT\r\n"
         "UID:pickup-1@planner\r\n"
         "DTSTAMP:20261103T100000Z\r\n"
         "CREATED:20261101T100000Z\r\n"
         "LAST-MODIFIED:20261103T100000Z\r\n"
         "SEQUENCE:2\r\n"
         "STATUS:CONFIRMED\r\n"
         "DTSTART;TZID=Europe/Paris:20261210T081000\r\n"
         "DTEND;TZID=Europe/Paris:20261210T092000\r\n"
         "SUMMARY:Covoiturage : vous conduisez (2 passagers)\r\n"
         "LOCATION:Gare de Meaux\r\n"
         "GEO:48.950000;2.870000\r\n"
         "DESCRIPTION:Départ : Gare de Meaux\\nPassagers\\, dans l'ordre : Anne\\, Luc\\nArrivée : "
         "Maison des Canaux\r\n"
         "END:VEVENT\r\n",
         "BEGIN:VEVENT\r\n"
         "UID:home-1@planner\r\n"
         "DTSTAMP:20261104T100000Z\r\n"
         "CREATED:20261101T100000Z\r\n"
         "LAST-MODIFIED:20261104T100000Z\r\n"
         "SEQUENCE:1\r\n"
         "STATUS:CONFIRMED\r\n"
         "DTSTART;TZID=Europe/Paris:20261210T171500\r\n"
         "DTEND;TZID=Europe/Paris:20261210T182000\r\n"
         "SUMMARY:Retour en covoiturage : vous conduisez (2 passagers)\r\n"
         "LOCATION:Maison des Canaux\r\n"
         "DESCRIPTION:Arrivée : Meaux\\nDéposes\\, dans l'ordre : Anne\\, Luc\r\n"
         "END:VEVENT\r\n"},
        /* English, a passenger, cancelled */
        {"BEGIN:VEVENT\r\n"
         "UID:pickup-1@planner\r\n"
         "DTSTAMP:20261105T090000Z\r\n"
         "CREATED:20261101T100000Z\r\n"
         "LAST-MODIFIED:20261105T090000Z\r\n"
         "SEQUENCE:3\r\n"
         "STATUS:CANCELLED\r\n"
         "DTSTART;TZID=Europe/Paris:20261210T081000\r\n"
         "DTEND;TZID=Europe/Paris:20261210T093000\r\n"
         "SUMMARY:Cancelled: Carpool with Julien: pickup\r\n"
         "LOCATION:Gare de Meaux\r\n"
         "GEO:48.950000;2.870000\r\n"
         "DESCRIPTION:Pickup: Gare de Meaux\\nDriver: Julien\\nDriver's phone: 06 12 34 56 "
         "78\\nOther passengers: Luc\\nArrival: Maison des Canaux\r\n"
         "END:VEVENT\r\n",
         "BEGIN:VEVENT\r\n"
         "UID:home-1@planner\r\n"
         "DTSTAMP:20261105T090000Z\r\n"
         "CREATED:20261101T100000Z\r\n"
         "LAST-MODIFIED:20261105T090000Z\r\n"
         "SEQUENCE:2\r\n"
         "STATUS:CANCELLED\r\n"
         "DTSTART;TZID=Europe/Paris:20261210T171500\r\n"
         "DTEND;TZID=Europe/Paris:20261210T182000\r\n"
         "SUMMARY:Cancelled: Ride home with Julien\r\n"
         "LOCATION:Maison des Canaux\r\n"
         "DESCRIPTION:Drop-off: Meaux\\nDriver: Julien\\nDriver's phone: 06 12 34 56 78\\nOther "
         "passengers: Luc\r\n"
         "END:VEVENT\r\n"},
        /* nothing but the times */
        {"BEGIN:VEVENT\r\n"
         "UID:pickup-1@planner\r\n"
         "DTSTAMP:20261103T100000Z\r\n"
         "CREATED:20261101T100000Z\r\n"
         "LAST-MODIFIED:20261103T100000Z\r\n"
         "SEQUENCE:2\r\n"
         "STATUS:CONFIRMED\r\n"
         "DTSTART;TZID=Europe/Paris:20261210T081000\r\n"
         "DTEND;TZID=Europe/Paris:20261210T093000\r\n"
         "SUMMARY:Carpool with your driver: pickup\r\n"
         "DESCRIPTION:Arrival: Atelier 2 — Conseillers en mobilité\r\n"
         "END:VEVENT\r\n",
         "BEGIN:VEVENT\r\n"
         "UID:home-1@planner\r\n"
         "DTSTAMP:20261104T100000Z\r\n"
         "CREATED:20261101T100000Z\r\n"
         "LAST-MODIFIED:20261104T100000Z\r\n"
         "SEQUENCE:1\r\n"
         "STATUS:CONFIRMED\r\n"
         "DTSTART;TZID=Europe/Paris:20261210T171500\r\n"
         "DTEND;TZID=Europe/Paris:20261210T182000\r\n"
         "SUMMARY:Ride home with your driver\r\n"
         "END:VEVENT\r\n"},
    };
    pl_event *ev = NULL;

    import_sample(f, "atelier-cem-2.json");
    assert_int_equal(pl_event_load(&ev, f->store, "atelier-cem-2", NULL), 0);
    for (int k = 0; k < 3; k++) {
        char *feed = NULL, *flat, *there, *back;
        size_t len;

        if (k == 1) {
            ev->language = strdup("en");
            reg.status = PL_REG_CANCELLED;
            reg.updated = "2026-11-05T09:00:00Z";
            pickup.is_driver = home.is_driver = 0;
            pickup.driver_first_name = home.driver_first_name = "Julien";
            pickup.driver_phone = home.driver_phone = "06 12 34 56 78";
            pickup.passengers = home.passengers = passengers + 1;
            pickup.npassengers = home.npassengers = 1;
            pickup.arrival = NULL; /* the event's start */
        } else if (k == 2) {
            reg.status = PL_REG_CONFIRMED;
            pickup.driver_first_name = home.driver_first_name = NULL;
            pickup.driver_phone = home.driver_phone = NULL;
            pickup.npassengers = home.npassengers = 0;
            pickup.place = home.place = NULL;
            pickup.has_geo = 0;
            free(ev->venue_name);
            ev->venue_name = NULL;
        }
        assert_int_equal(pl_calendar_write_personal(&feed, &len, ev, &reg, &pickup, NULL, NULL), 0);
        flat = unfold(feed);
        there = vevent_of(flat, "pickup-1@planner");
        back = vevent_of(flat, "home-1@planner");
        assert_non_null(there);
        assert_non_null(back);
        assert_string_equal(there, want[k][0]);
        assert_string_equal(back, want[k][1]);
        free(there);
        free(back);
        free(flat);
        free(feed);
    }
    pl_event_free(ev);
}

/* The personal feed's notes and the driver's entry, from the store. */
static void test_personal_feed_notes_driver_and_lookups(void **state)
{
    fixture *f = *state;
    const char *one[] = {"Anne"}, *two[] = {"Anne", "Marc"};
    pl_calendar_pickup pickup = {.uid = "pickup-2@planner",
                                 .time = "2026-12-10T08:10",
                                 .arrival = "2026-12-10T09:00",
                                 .place = "Meaux",
                                 .is_driver = 1,
                                 .passengers = two,
                                 .npassengers = 2,
                                 .sequence = 1,
                                 .created = "2026-11-01T10:00:00Z",
                                 .modified = "2026-11-03T10:00:00Z"};
    pl_registration reg = {.uid = "r-7",
                           .name = "Paul",
                           .status = PL_REG_CONFIRMED,
                           .updated = "2026-10-15T12:00:00Z"};
    pl_event *ev = NULL;
    char *feed = NULL, *flat;
    size_t len;
    pl_error err;

    import_sample(f, "atelier-cem-2.json");
    assert_int_equal(pl_event_load(&ev, f->store, "atelier-cem-2", NULL), 0);
    assert_int_equal(pl_calendar_write_personal(&feed, &len, ev, &reg, &pickup, NULL, NULL), 0);
    flat = unfold(feed);
    assert_non_null(strstr(flat, "SUMMARY:Covoiturage : vous conduisez (2 passagers)\r\n"));
    assert_non_null(strstr(flat, "DESCRIPTION:Départ : Meaux\\nPassagers\\, dans l'ordre : "
                                 "Anne\\, Marc\\nArrivée : "));
    assert_non_null(strstr(flat, "DTEND;TZID=Europe/Paris:20261210T090000\r\n"));
    assert_non_null(strstr(flat, "SEQUENCE:1\r\n"));
    assert_non_null(strstr(flat, "Repas non réservé à votre inscription."));
    free(flat);
    free(feed);

    pickup.passengers = one;
    pickup.npassengers = 1;
    reg.status = PL_REG_CANCELLED;
    assert_int_equal(pl_calendar_write_personal(&feed, &len, ev, &reg, &pickup, NULL, NULL), 0);
    flat = unfold(feed);
    assert_non_null(strstr(flat, "SUMMARY:Annulé : Covoiturage : vous conduisez (1 passager)\r\n"));
    assert_non_null(strstr(flat, "SEQUENCE:2\r\n")); /* the pickup, one step up */
    assert_non_null(strstr(flat, "Votre inscription est annulée."));
    assert_null(strstr(flat, "STATUS:CONFIRMED"));
    assert_null(strstr(flat, "STATUS:TENTATIVE"));
    free(flat);
    free(feed);

    /* no such person: not found, nothing written */
    assert_int_equal(pl_calendar_feed_personal(&feed, &len, f->store, "no-such-token", NULL, &err),
                     PL_ENOTFOUND);
    assert_null(feed);
    assert_int_equal(pl_calendar_feed_attendee(&feed, &len, f->store, "atelier-cem-2",
                                               "nobody@example.org", NULL, &err),
                     PL_ENOTFOUND);
    assert_null(feed);
    pl_event_free(ev);
}

/* Hundreds of subscribed events in several zones: the UID set grows, the
 * zones come out sorted, a repeated UID is written once. */
static void test_many_externals_in_several_zones(void **state)
{
    static const char *const zones[] = {"Europe/Paris", "America/New_York", "Asia/Tokyo", NULL};
    pl_external_event x[601];
    char uid[601][32], start[601][32];
    char *feed = NULL;
    size_t len, count = 0;
    const char *p;

    (void)state;
    memset(x, 0, sizeof(x));
    for (int i = 0; i < 601; i++) {
        snprintf(uid[i], sizeof(uid[i]), "x-%d@r", i == 600 ? 0 : i); /* the last repeats */
        snprintf(start[i], sizeof(start[i]), "20%02d-06-01T10:00:00", 27 + i % 3);
        x[i].uid = uid[i];
        x[i].start = start[i];
        x[i].tzid = (char *)zones[i % 4];
        if (!x[i].tzid)
            strcat(start[i], "Z");
        x[i].summary = "s";
        x[i].modified = "2026-01-01T00:00:00Z";
    }
    assert_int_equal(pl_calendar_write_events(&feed, &len, NULL, 0, x, 601, NULL, NULL), 0);
    for (p = feed; (p = strstr(p, "BEGIN:VEVENT")); p++)
        count++;
    assert_int_equal(count, 600);
    p = strstr(feed, "TZID:America/New_York");
    assert_non_null(p);
    assert_non_null(strstr(p, "TZID:Asia/Tokyo"));
    assert_non_null(strstr(strstr(p, "TZID:Asia/Tokyo"), "TZID:Europe/Paris"));
    assert_non_null(strstr(feed, "DTSTART:20280601T100000Z\r\n"));
    free(feed);
}

static void count_warning(void *payload, const char *message)
{
    int *n = payload;

    assert_non_null(strstr(message, "Nowhere/Land"));
    (*n)++;
}

/* Issue 10, item 5: a zone libical maps to UTC has no VTIMEZONE; its times
 * are written in UTC. A zone that cannot be written leaves out its event
 * only, with a warning, from the all-events feed. */
static void test_all_feed_writes_utc_and_survives_an_unwritable_zone(void **state)
{
    fixture *f = *state;
    pl_calendar_options opts = PL_CALENDAR_OPTIONS_INIT;
    pl_event **events = NULL;
    size_t n = 0, len;
    char *feed = NULL;
    int warnings = 0;
    pl_error err;

    import_sample(f, "atelier-cem-1.json");
    import_sample(f, "atelier-cem-2.json");
    assert_int_equal(pl_event_list(&events, &n, f->store, NULL), 0);
    assert_int_equal(n, 2);
    free(events[0]->timezone);
    events[0]->timezone = strdup("GMT");
    assert_int_equal(pl_calendar_write_events(&feed, &len, events, n, NULL, 0, NULL, &err), 0);
    assert_non_null(strstr(feed, "\r\nDTSTART:20180524T093000Z\r\n"));
    assert_null(strstr(feed, "TZID=GMT"));
    assert_well_folded(feed, len);
    free(feed);

    free(events[0]->timezone);
    events[0]->timezone = strdup("Nowhere/Land");
    opts.warn = count_warning;
    opts.warn_payload = &warnings;
    assert_int_equal(pl_calendar_write_events(&feed, &len, events, n, NULL, 0, &opts, &err), 0);
    assert_int_equal(warnings, 1);
    assert_null(strstr(feed, events[0]->uid));
    assert_non_null(strstr(feed, events[1]->uid));
    assert_non_null(strstr(feed, "TZID:Europe/Paris"));
    free(feed);
    pl_event_list_free(events, n);
}

static void test_personal_feed_has_chosen_workshops_and_pickup(void **state)
{
    fixture *f = *state;
    const char *passengers[] = {"Anne", "Marc"};
    pl_calendar_pickup pickup = {.uid = "pickup-1@planner",
                                 .time = "2026-12-10T08:10",
                                 .place = "Gare de Meaux",
                                 .has_geo = 1,
                                 .lat = 48.95,
                                 .lon = 2.87,
                                 .driver_first_name = "Julien",
                                 .driver_phone = "06 12 34 56 78",
                                 .passengers = passengers,
                                 .npassengers = 2,
                                 .sequence = 2,
                                 .created = "2026-11-01T10:00:00Z",
                                 .modified = "2026-11-03T10:00:00Z"};
    pl_registration reg = {0};
    pl_event *ev = NULL;
    char *feed = NULL, *chosen = NULL, *other = NULL;
    size_t len, nworkshops = 0;

    import_sample(f, "atelier-cem-2.json");
    assert_int_equal(pl_event_load(&ev, f->store, "atelier-cem-2", NULL), 0);
    for (size_t i = 0; i < ev->nsessions; i++)
        if (strcmp(ev->sessions[i].kind, "workshop") == 0) {
            if (!chosen)
                chosen = ev->sessions[i].uid;
            else
                other = ev->sessions[i].uid;
            nworkshops++;
        }
    assert_true(nworkshops >= 2);
    for (size_t i = 0; i < ev->nsessions; i++)
        if (strcmp(ev->sessions[i].uid, chosen) == 0) {
            reg.sessions.items = &ev->sessions[i].id;
            reg.sessions.count = 1;
        }
    reg.uid = "r-42";
    reg.name = "Claire Martin";
    reg.email = "claire.martin@example.org";
    reg.token = "secret-token";
    reg.status = PL_REG_CONFIRMED;
    reg.updated = "2026-10-15T12:00:00Z";
    assert_int_equal(pl_calendar_write_personal(&feed, &len, ev, &reg, &pickup, NULL, NULL), 0);
    assert_well_folded(feed, len);
    char *flat = unfold(feed);
    /* items are the person's: their UIDs embed the session's, never equal it */
    char want[160];
    snprintf(want, sizeof(want), "UID:p-r-42-%s\r\n", chosen);
    assert_non_null(strstr(flat, want));
    snprintf(want, sizeof(want), "UID:%s\r\n", chosen);
    assert_null(strstr(flat, want));
    assert_null(strstr(flat, strchr(other, '@') ? other : "-"));
    *strchr(other, '@') = '\0';
    assert_null(strstr(flat, other));
    assert_non_null(strstr(flat, "UID:p-r-42-"));
    assert_non_null(strstr(flat, "UID:pickup-1@planner\r\n"));
    assert_non_null(strstr(flat, "DTSTART;TZID=Europe/Paris:20261210T081000\r\n"));
    assert_non_null(strstr(flat, "Conducteur : Julien"));
    assert_non_null(strstr(flat, "Autres passagers : Anne\\, Marc"));
    assert_non_null(strstr(flat, "06 12 34 56 78"));
    assert_non_null(strstr(flat, "GEO:48.950000;2.870000"));
    assert_null(strstr(flat, "example.org"));
    assert_null(strstr(flat, "secret-token"));
    assert_null(strstr(flat, "ATTENDEE"));
    free(flat);
    free(feed);

    /* Cancelling the registration cancels every item and bumps SEQUENCE. */
    reg.status = PL_REG_CANCELLED;
    assert_int_equal(pl_calendar_write_personal(&feed, &len, ev, &reg, NULL, NULL, NULL), 0);
    assert_null(strstr(feed, "STATUS:CONFIRMED"));
    assert_non_null(strstr(feed, "SEQUENCE:2\r\n"));
    assert_null(strstr(feed, "pickup"));
    free(feed);

    /* ... and the pickup with them, one SEQUENCE higher. */
    assert_int_equal(pl_calendar_write_personal(&feed, &len, ev, &reg, &pickup, NULL, NULL), 0);
    flat = unfold(feed);
    {
        const char *item = strstr(flat, "UID:pickup-1@planner\r\n");
        const char *end = item ? strstr(item, "END:VEVENT") : NULL;
        assert_non_null(end);
        const char *cancelled = strstr(item, "STATUS:CANCELLED\r\n");
        const char *seq = strstr(item, "SEQUENCE:3\r\n");
        assert_true(cancelled && cancelled < end);
        assert_true(seq && seq < end);
    }
    free(flat);
    free(feed);
    pl_event_free(ev);
}

static const char remote[] =
    "\xEF\xBB\xBF"
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:R\\, x\r\nX-WR-TIMEZONE:Europe/Paris\r\n"
    "BEGIN:VEVENT\r\nUID:a@r\r\nDTSTART:20270601T100000\r\nDTEND:20270601T110000Z\r\n"
    "SUMMARY:caf\xE9 \xC3\xA9t\xC3\xA9\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:a@r\r\nRECURRENCE-ID:20270608T100000\r\nDTSTART:20270608T120000\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:b@r\r\nDTSTART;VALUE=DATE:20270701\r\nSTATUS:CANCELLED\r\n"
    "SEQUENCE:4\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nSUMMARY:no uid\r\nDTSTART:20270701T100000Z\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n";

static void test_parse_external(void **state)
{
    pl_external_event *ev = NULL;
    size_t n = 0, skipped = 0;
    char *name = NULL;
    pl_error err;

    (void)state;
    assert_int_equal(pl_calendar_parse_external(&ev, &n, &name, &skipped, remote,
                                                sizeof(remote) - 1, "r.ics", &err),
                     0);
    assert_int_equal(n, 2);
    assert_int_equal(skipped, 2);
    assert_string_equal(name, "R, x");
    assert_string_equal(ev[0].uid, "a@r");
    assert_string_equal(ev[0].start, "2027-06-01T10:00:00"); /* floating: X-WR-TIMEZONE */
    assert_string_equal(ev[0].tzid, "Europe/Paris");
    assert_string_equal(ev[0].end, "2027-06-01T13:00:00"); /* UTC end, same zone as start */
    assert_string_equal(ev[0].summary, "caf\xEF\xBF\xBD \xC3\xA9t\xC3\xA9");
    assert_string_equal(ev[1].start, "2027-07-01");
    assert_null(ev[1].tzid);
    assert_true(ev[1].cancelled);
    assert_int_equal(ev[1].remote_sequence, 4);
    pl_external_list_free(ev, n);
    free(name);
}

/* Floating times take X-WR-TIMEZONE; converting the UTC end of the first
 * event loads that zone's rules in libical, which used to free the zone
 * name the parser still pointed at (issue 10, item 6). */
static const char floating[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nX-WR-TIMEZONE:America/New_York\r\n"
    "BEGIN:VEVENT\r\nUID:f-1@r\r\nDTSTART:20270310T140000\r\nDTEND:20270310T200000Z\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:f-2@r\r\nDTSTART:20270311T090000\r\nDTEND:20270311T100000\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n";

static void test_parse_floating_times_keep_their_zone(void **state)
{
    pl_external_event *ev = NULL;
    size_t n = 0;
    pl_error err;

    (void)state;
    assert_int_equal(pl_calendar_parse_external(&ev, &n, NULL, NULL, floating, sizeof(floating) - 1,
                                                "f.ics", &err),
                     0);
    assert_int_equal(n, 2);
    assert_string_equal(ev[0].tzid, "America/New_York");
    assert_string_equal(ev[0].end, "2027-03-10T15:00:00"); /* 20:00Z is 15:00 EST */
    assert_string_equal(ev[1].tzid, "America/New_York");
    assert_string_equal(ev[1].start, "2027-03-11T09:00:00");
    pl_external_list_free(ev, n);
}

/* The shapes real feeds take, each through the path meant for it. */
static const char shapes[] =
    "\xEF\xBB\xBF \r\nBEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
    "NAME:Agenda\\, partenaires\r\n"
    /* a Mozilla-style TZID prefix */
    "BEGIN:VEVENT\r\nUID:moz@r\r\n"
    "DTSTART;TZID=/mozilla.org/20070129_1/Europe/Berlin:20270601T100000\r\n"
    "DURATION:PT90M\r\nGEO:91.5;10.0\r\nURL:https://r.example/moz\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:a\x01"
    "b\xC0\xAF"
    "c\xED\xA0\x80"
    "d\r\nEND:VEVENT\r\n"
    /* a TZID nobody defines: read in the default zone, kept as UTC */
    "BEGIN:VEVENT\r\nUID:unknown-zone@r\r\nDTSTART;TZID=Nowhere:20270105T100000\r\n"
    "DTEND;TZID=Nowhere:20270105T110000\r\nGEO:45.5;4.8\r\nEND:VEVENT\r\n"
    /* an all-day start with a timed end: the end is dropped, not the event */
    "BEGIN:VEVENT\r\nUID:mixed@r\r\nDTSTART;VALUE=DATE:20270701\r\n"
    "DTEND:20270702T100000Z\r\nEND:VEVENT\r\n"
    /* no start, a repeated UID, an empty UID: left out */
    "BEGIN:VEVENT\r\nUID:nostart@r\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:moz@r\r\nDTSTART:20270601T100000Z\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:\r\nDTSTART:20270601T100000Z\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n";

static void test_parse_real_feed_shapes(void **state)
{
    pl_external_event *ev = NULL;
    size_t n = 0, skipped = 0;
    char *name = NULL, *feed = NULL;
    size_t len;
    pl_error err;

    (void)state;
    assert_int_equal(pl_calendar_parse_external(&ev, &n, &name, &skipped, shapes,
                                                sizeof(shapes) - 1, "s.ics", &err),
                     0);
    assert_int_equal(n, 3);
    assert_int_equal(skipped, 3);
    assert_string_equal(name, "Agenda, partenaires"); /* NAME when no X-WR-CALNAME */
    assert_string_equal(ev[0].uid, "moz@r");
    assert_string_equal(ev[0].tzid, "Europe/Berlin");
    assert_string_equal(ev[0].start, "2027-06-01T10:00:00");
    assert_string_equal(ev[0].end, "2027-06-01T11:30:00"); /* DURATION */
    assert_false(ev[0].has_geo);                           /* latitude 91.5 */
    assert_string_equal(ev[0].url, "https://r.example/moz");
    assert_non_null(strstr(ev[0].rrule, "FREQ=WEEKLY"));
    /* control byte gone; overlong form and surrogate: one U+FFFD each */
    assert_string_equal(ev[0].summary, "ab\xEF\xBF\xBD"
                                       "c\xEF\xBF\xBD"
                                       "d");
    assert_string_equal(ev[1].uid, "unknown-zone@r");
    assert_null(ev[1].tzid);
    assert_string_equal(ev[1].start, "2027-01-05T09:00:00Z"); /* 10:00 in Paris, winter */
    assert_string_equal(ev[1].end, "2027-01-05T10:00:00Z");
    assert_true(ev[1].has_geo);
    assert_string_equal(ev[2].start, "2027-07-01");
    assert_null(ev[2].end);
    /* and all of it serialises */
    assert_int_equal(pl_calendar_write_events(&feed, &len, NULL, 0, ev, n, NULL, &err), 0);
    assert_well_folded(feed, len);
    assert_non_null(strstr(feed, "RRULE:FREQ=WEEKLY;COUNT=3\r\n"));
    assert_non_null(strstr(feed, "DTSTART;TZID=Europe/Berlin:20270601T100000\r\n"));
    assert_non_null(strstr(feed, "DTSTART:20270105T090000Z\r\n"));
    assert_non_null(strstr(feed, "DTSTART;VALUE=DATE:20270701\r\n"));
    assert_non_null(strstr(feed, "SUMMARY:(sans titre)\r\n"));
    free(feed);
    pl_external_list_free(ev, n);
    free(name);
}

static void test_parse_refuses_non_calendars(void **state)
{
    const char *html = "<!DOCTYPE html><p>hello</p>";
    pl_external_event *ev = NULL;
    size_t n = 0;
    pl_error err;

    (void)state;
    assert_int_equal(pl_calendar_parse_external(&ev, &n, NULL, NULL, html, strlen(html), "x", &err),
                     PL_EINVALID);
    assert_non_null(strstr(err.msg, "not an iCalendar feed"));
    assert_int_equal(pl_calendar_parse_external(&ev, &n, NULL, NULL, "", 0, "x", &err),
                     PL_EINVALID);
    assert_null(ev);
}

static void test_external_sync_updates_in_place(void **state)
{
    fixture *f = *state;
    pl_external_source src = {.url = "file:///r.ics", .name = "R"};
    pl_external_event in[2] = {{.uid = "a", .summary = "A", .start = "2027-01-01T10:00:00Z"},
                               {.uid = "b", .summary = "B", .start = "2027-01-02"}};
    pl_external_sync_stats st;
    pl_external_event *out = NULL;
    size_t n = 0;
    char *feed = NULL;
    size_t len;

    assert_int_equal(pl_external_sync(f->store, &src, in, 2, &st, NULL), 0);
    assert_int_equal(st.added, 2);
    in[0].summary = "A2";
    in[0].remote_sequence = 7;
    setenv("PLANNER_NOW", "2026-10-02T08:00:00Z", 1);
    assert_int_equal(pl_external_sync(f->store, &src, in, 1, &st, NULL), 0);
    assert_int_equal(st.changed, 1);
    assert_int_equal(st.cancelled, 1);
    assert_int_equal(pl_external_list(&out, &n, f->store, NULL), 0);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].summary, "A2");
    assert_int_equal(out[0].sequence, 7);
    assert_string_equal(out[0].modified, "2026-10-02T08:00:00Z");
    assert_true(out[1].cancelled);
    assert_int_equal(out[1].sequence, 1);
    pl_external_list_free(out, n);
    /* duplicates are refused whole */
    in[1].uid = "a";
    assert_int_equal(pl_external_sync(f->store, &src, in, 2, NULL, NULL), PL_EINVALID);
    assert_int_equal(pl_calendar_feed_all(&feed, &len, f->store, NULL, NULL), 0);
    assert_non_null(strstr(feed, "UID:a\r\n"));
    assert_non_null(strstr(feed, "DTSTART:20270101T100000Z\r\n"));
    assert_non_null(strstr(feed, "DTSTART;VALUE=DATE:20270102\r\n"));
    free(feed);
}

/* ---- local times against the zone's rules ---- */

static void assert_local(const char *zone, const char *local, pl_local_time_kind kind,
                         const char *from, const char *to)
{
    pl_local_time lt;
    pl_error err;

    if (pl_calendar_local_time(&lt, zone, local, &err) != 0)
        fail_msg("%s %s: %s", zone, local, err.msg);
    if (lt.kind != kind)
        fail_msg("%s %s: kind %d, expected %d", zone, local, (int)lt.kind, (int)kind);
    assert_string_equal(lt.clock_from, from);
    assert_string_equal(lt.clock_to, to);
}

/* Zones no other test loads first: each thread's first use of one makes
 * libical load it, the moment its shared state changes. */
static const char *const thread_zones[] = {
    "America/New_York",  "Asia/Tokyo",       "Australia/Sydney", "Africa/Abidjan",
    "America/Santiago",  "Pacific/Auckland", "Asia/Kolkata",     "Europe/Lisbon",
    "America/Sao_Paulo", "Asia/Tehran",      "Europe/Helsinki",  "America/Anchorage",
};
#define NZONES (sizeof(thread_zones) / sizeof(*thread_zones))

typedef struct thread_work {
    int id;
    char local[NZONES][20];
    char *feed;
    size_t len;
    int rc;
} thread_work;

static void *feed_thread(void *payload)
{
    thread_work *t = payload;
    pl_external_event *ev = NULL;
    size_t n = 0;

    for (size_t k = 0; k < NZONES && t->rc == 0; k++) {
        size_t z = (k + (size_t)t->id * 5) % NZONES; /* each thread its own order */
        t->rc = pl_calendar_local_from_utc(t->local[z], sizeof(t->local[z]), thread_zones[z],
                                           "2027-03-28T01:30:00Z", NULL);
    }
    if (t->rc == 0)
        t->rc = pl_calendar_parse_external(&ev, &n, NULL, NULL, floating, sizeof(floating) - 1,
                                           "f.ics", NULL);
    if (t->rc == 0)
        t->rc = pl_calendar_write_events(&t->feed, &t->len, NULL, 0, ev, n, NULL, NULL);
    pl_external_list_free(ev, n);
    return NULL;
}

/* docs/threading.md: calendar/ serialises its own libical use, so threads
 * call it freely and get what one thread alone gets. */
static void test_calendar_functions_from_many_threads(void **state)
{
    thread_work work[6];
    pthread_t threads[6];

    (void)state;
    memset(work, 0, sizeof(work));
    for (int i = 0; i < 6; i++) {
        work[i].id = i;
        assert_int_equal(pthread_create(&threads[i], NULL, feed_thread, &work[i]), 0);
    }
    for (int i = 0; i < 6; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(work[i].rc, 0);
        assert_non_null(strstr(work[i].feed, "DTSTART;TZID=America/New_York:20270311T090000"));
        assert_int_equal(work[i].len, work[0].len);
        assert_memory_equal(work[i].feed, work[0].feed, work[0].len);
        assert_memory_equal(work[i].local, work[0].local, sizeof(work[0].local));
    }
    for (int i = 0; i < 6; i++)
        free(work[i].feed);
    assert_string_equal(work[0].local[1], "2027-03-28T10:30"); /* Tokyo, UTC+9 */
    assert_string_equal(work[0].local[7], "2027-03-28T02:30"); /* Lisbon, summer time */
}

static int private_address(const char *text)
{
    struct sockaddr_in in = {.sin_family = AF_INET};
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};

    if (inet_pton(AF_INET, text, &in.sin_addr) == 1)
        return pl_net_address_is_private((struct sockaddr *)&in);
    if (inet_pton(AF_INET6, text, &in6.sin6_addr) == 1)
        return pl_net_address_is_private((struct sockaddr *)&in6);
    fail_msg("not an address: %s", text);
    return -1;
}

/* Issue 10, item 13: what subscribe refuses without --allow-private, on
 * the first connection and on every redirect alike. */
static void test_net_guard_addresses(void **state)
{
    const char *local[] = {"127.0.0.1",
                           "127.255.0.9",
                           "0.0.0.0",
                           "10.1.2.3",
                           "172.16.0.1",
                           "172.31.9.9",
                           "192.168.1.1",
                           "169.254.169.254",
                           "100.64.0.1",
                           "224.0.0.1",
                           "255.255.255.255",
                           "::1",
                           "::",
                           "fe80::1",
                           "fd00::5",
                           "ff02::1",
                           "::ffff:127.0.0.1",
                           "::ffff:10.0.0.1",
                           "64:ff9b::a00:1"};
    const char *public[] = {"93.184.216.34", "8.8.8.8",     "172.32.0.1",   "192.169.0.1",
                            "100.128.0.1",   "2001:db8::1", "2a00:1450::1", "::ffff:93.184.216.34"};

    (void)state;
    for (size_t i = 0; i < sizeof(local) / sizeof(*local); i++)
        if (!private_address(local[i]))
            fail_msg("%s should be refused", local[i]);
    for (size_t i = 0; i < sizeof(public) / sizeof(*public); i++)
        if (private_address(public[i]))
            fail_msg("%s should pass", public[i]);
}

static void test_shown_url_has_no_password(void **state)
{
    const char *cases[][2] = {
        {"https://u:p@h.example/a.ics", "https://h.example/a.ics"},
        {"https://u:p@ss@h.example:8443/x?y=1", "https://h.example:8443/x?y=1"},
        {"http://h.example/a@b.ics", "http://h.example/a@b.ics"},
        {"http://h.example", "http://h.example"},
        {"not a url", "not a url"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char *shown = pl_subscribe_shown_url(cases[i][0]);
        assert_string_equal(shown, cases[i][1]);
        free(shown);
    }
}

static void test_local_time_in_the_spring_gap(void **state)
{
    (void)state;
    assert_local("Europe/Paris", "2027-03-28T02:30", PL_LOCAL_TIME_NONEXISTENT, "02:00", "03:00");
    assert_local("Europe/Paris", "2027-03-28T02:00", PL_LOCAL_TIME_NONEXISTENT, "02:00", "03:00");
    assert_local("Europe/Paris", "2027-03-28T02:59", PL_LOCAL_TIME_NONEXISTENT, "02:00", "03:00");
    assert_local("Europe/Paris", "2027-03-28T01:59", PL_LOCAL_TIME_NORMAL, "", "");
    assert_local("Europe/Paris", "2027-03-28T03:00", PL_LOCAL_TIME_NORMAL, "", "");
    /* 2026's last Sunday of March is the 29th, not the 28th */
    assert_local("Europe/Paris", "2026-03-29T02:15", PL_LOCAL_TIME_NONEXISTENT, "02:00", "03:00");
    assert_local("Europe/Paris", "2026-03-28T02:15", PL_LOCAL_TIME_NORMAL, "", "");
}

static void test_local_time_in_the_autumn_overlap(void **state)
{
    (void)state;
    assert_local("Europe/Paris", "2027-10-31T02:30", PL_LOCAL_TIME_AMBIGUOUS, "03:00", "02:00");
    assert_local("Europe/Paris", "2027-10-31T02:00", PL_LOCAL_TIME_AMBIGUOUS, "03:00", "02:00");
    assert_local("Europe/Paris", "2027-10-31T01:59", PL_LOCAL_TIME_NORMAL, "", "");
    assert_local("Europe/Paris", "2027-10-31T03:00", PL_LOCAL_TIME_NORMAL, "", "");
}

static void test_local_time_normal_and_utc(void **state)
{
    (void)state;
    assert_local("Europe/Paris", "2027-06-15T02:30", PL_LOCAL_TIME_NORMAL, "", "");
    assert_local("Europe/Paris", "2026-12-10T09:30", PL_LOCAL_TIME_NORMAL, "", "");
    assert_local("UTC", "2027-03-28T02:30", PL_LOCAL_TIME_NORMAL, "", "");
    assert_local("UTC", "2027-10-31T02:30", PL_LOCAL_TIME_NORMAL, "", "");
}

static void test_local_time_new_york_dates(void **state)
{
    (void)state;
    /* second Sunday of March, first Sunday of November; clocks change at 02:00 */
    assert_local("America/New_York", "2027-03-14T02:30", PL_LOCAL_TIME_NONEXISTENT, "02:00",
                 "03:00");
    assert_local("America/New_York", "2027-11-07T01:30", PL_LOCAL_TIME_AMBIGUOUS, "02:00", "01:00");
    assert_local("America/New_York", "2027-11-07T02:30", PL_LOCAL_TIME_NORMAL, "", "");
    /* Paris's change days are ordinary days in New York */
    assert_local("America/New_York", "2027-03-28T02:30", PL_LOCAL_TIME_NORMAL, "", "");
    assert_local("America/New_York", "2027-10-31T02:30", PL_LOCAL_TIME_NORMAL, "", "");
}

static void test_local_time_refuses_bad_input(void **state)
{
    pl_local_time lt;
    pl_error err;
    char out[32];

    (void)state;
    assert_int_equal(pl_calendar_local_time(&lt, "Mars/Olympus", "2027-03-28T02:30", &err),
                     PL_EINVALID);
    assert_non_null(strstr(err.msg, "Mars/Olympus"));
    assert_int_equal(pl_calendar_local_time(&lt, "Europe/Paris", "2027-02-30T02:30", &err),
                     PL_EINVALID);
    assert_int_equal(
        pl_calendar_local_from_utc(out, sizeof(out), "Europe/Paris", "2027-03-28T01:00:00", &err),
        PL_EINVALID);
}

static void test_local_from_utc(void **state)
{
    static const char *const cases[][3] = {
        {"Europe/Paris", "2026-12-10T22:45:00Z", "2026-12-10T23:45"},
        {"Europe/Paris", "2026-12-10T23:45:00Z", "2026-12-11T00:45"},
        {"Europe/Paris", "2027-07-01T22:30:00Z", "2027-07-02T00:30"},
        {"Europe/Paris", "2027-03-28T00:59:59Z", "2027-03-28T01:59"},
        {"Europe/Paris", "2027-03-28T01:00:00Z", "2027-03-28T03:00"},
        {"America/New_York", "2026-12-11T03:00:00Z", "2026-12-10T22:00"},
        {"America/New_York", "2027-01-01T04:59:00Z", "2026-12-31T23:59"},
        {"UTC", "2026-12-31T23:59:59Z", "2026-12-31T23:59"},
    };
    char out[32];
    pl_error err;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (pl_calendar_local_from_utc(out, sizeof(out), cases[i][0], cases[i][1], &err) != 0)
            fail_msg("%s %s: %s", cases[i][0], cases[i][1], err.msg);
        assert_string_equal(out, cases[i][2]);
    }
}

typedef struct collected {
    pl_conflict items[8];
    size_t count;
} collected;

static void collect(const pl_conflict *c, void *payload)
{
    collected *all = payload;

    assert_true(all->count < 8);
    all->items[all->count] = *c;
    all->count++;
}

static void test_check_local_times_reports_gap_and_overlap(void **state)
{
    static const char text[] = "{\"slug\": \"nuit\", \"title\": \"N\", \"format\": \"online\", "
                               "\"online_url\": \"https://example.org/live\", "
                               "\"start\": \"2027-03-27T20:00\", \"end\": \"2027-03-28T02:15\", "
                               "\"sessions\": ["
                               "{\"id\": \"early\", \"title\": \"E\", \"kind\": \"talk\", "
                               "\"start\": \"2027-03-27T22:00\", \"end\": \"2027-03-28T01:30\"},"
                               "{\"id\": \"gap\", \"title\": \"G\", \"kind\": \"talk\", "
                               "\"start\": \"2027-03-28T02:30\", \"end\": \"2027-03-28T04:00\"},"
                               "{\"id\": \"gone\", \"title\": \"X\", \"kind\": \"talk\", "
                               "\"start\": \"2027-03-28T02:10\", \"end\": \"2027-03-28T02:20\"}]}";
    collected all = {0};
    pl_event *ev = NULL;
    pl_session *gap = NULL;
    pl_error err;

    (void)state;
    if (pl_event_parse_json_text(&ev, text, strlen(text), "nuit.json", &err) != 0)
        fail_msg("%s", err.msg);
    for (size_t i = 0; i < ev->nsessions; i++) {
        ev->sessions[i].cancelled = strcmp(ev->sessions[i].id, "gone") == 0;
        if (strcmp(ev->sessions[i].id, "gap") == 0)
            gap = &ev->sessions[i];
    }
    assert_non_null(gap);
    assert_int_equal(pl_calendar_check_local_times(ev, collect, &all, &err), 0);
    assert_int_equal(all.count, 2);
    assert_int_equal(all.items[0].kind, PL_CONFLICT_NONEXISTENT_TIME);
    assert_null(all.items[0].session);
    assert_string_equal(all.items[0].message,
                        "the event ends at 2027-03-28T02:15, a time that does not exist in "
                        "Europe/Paris (the clocks jump from 02:00 to 03:00)");
    assert_int_equal(all.items[1].kind, PL_CONFLICT_NONEXISTENT_TIME);
    assert_string_equal(all.items[1].session, "gap");
    assert_non_null(strstr(all.items[1].message, "session 'gap' starts at 2027-03-28T02:30"));
    assert_false(pl_conflict_is_warning(all.items[1].kind));
    { /* on a French page: the session's title, the event's for the event */
        char buf[320];
        assert_string_equal(pl_conflict_text(&all.items[1], ev, PL_LANG_FR, buf, sizeof(buf)),
                            "« G » : 2027-03-28 02:30 n'existe pas ce jour-là (passage à "
                            "l'heure d'été)");
        assert_string_equal(pl_conflict_text(&all.items[0], ev, PL_LANG_EN, buf, sizeof(buf)),
                            "\"N\": 2027-03-28 02:15 does not exist that day (the clocks go "
                            "forward)");
    }

    /* the same night in October: times that happen twice, as warnings */
    all.count = 0;
    free(gap->start);
    gap->start = strdup("2027-10-31T01:00");
    free(gap->end);
    gap->end = strdup("2027-10-31T02:45");
    assert_int_equal(pl_calendar_check_local_times(ev, collect, &all, &err), 0);
    assert_int_equal(all.count, 2);
    assert_int_equal(all.items[1].kind, PL_CONFLICT_AMBIGUOUS_TIME);
    assert_true(pl_conflict_is_warning(all.items[1].kind));
    assert_string_equal(pl_conflict_kind_name(all.items[1].kind), "ambiguous-time");
    assert_string_equal(all.items[1].message,
                        "session 'gap' ends at 2027-10-31T02:45, a time that happens twice in "
                        "Europe/Paris (the clocks go back from 03:00 to 02:00); calendars take "
                        "the first");

    /* no rules for the zone: an error, nothing reported */
    all.count = 0;
    free(ev->timezone);
    ev->timezone = strdup("Nowhere/Land");
    assert_int_equal(pl_calendar_check_local_times(ev, collect, &all, &err), PL_EINVALID);
    assert_int_equal(all.count, 0);
    pl_event_free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refold_keeps_characters_and_escapes_whole),
        cmocka_unit_test(test_refold_unfolds_libical_folds_first),
        cmocka_unit_test(test_refold_other_writers_input),
        cmocka_unit_test(test_x_wr_values_are_escaped_as_text),
        cmocka_unit_test_setup_teardown(test_event_feed_is_deterministic_and_complete, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(test_all_feed_skips_drafts_and_links_pages, setup,
                                        th_db_teardown),
        cmocka_unit_test(test_many_externals_in_several_zones),
        cmocka_unit_test_setup_teardown(test_personal_feed_notes_driver_and_lookups, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(test_feed_words_follow_the_event_language, setup,
                                        th_db_teardown),
        cmocka_unit_test_setup_teardown(test_all_feed_writes_utc_and_survives_an_unwritable_zone,
                                        setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(test_pickup_and_ride_home_entries, setup, th_db_teardown),
        cmocka_unit_test_setup_teardown(test_personal_feed_has_chosen_workshops_and_pickup, setup,
                                        th_db_teardown),
        cmocka_unit_test(test_parse_external),
        cmocka_unit_test(test_parse_floating_times_keep_their_zone),
        cmocka_unit_test(test_parse_real_feed_shapes),
        cmocka_unit_test(test_parse_refuses_non_calendars),
        cmocka_unit_test_setup_teardown(test_external_sync_updates_in_place, setup, th_db_teardown),
        cmocka_unit_test(test_calendar_functions_from_many_threads),
        cmocka_unit_test(test_net_guard_addresses),
        cmocka_unit_test(test_shown_url_has_no_password),
        cmocka_unit_test(test_local_time_in_the_spring_gap),
        cmocka_unit_test(test_local_time_in_the_autumn_overlap),
        cmocka_unit_test(test_local_time_normal_and_utc),
        cmocka_unit_test(test_local_time_new_york_dates),
        cmocka_unit_test(test_local_time_refuses_bad_input),
        cmocka_unit_test(test_local_from_utc),
        cmocka_unit_test(test_check_local_times_reports_gap_and_overlap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
