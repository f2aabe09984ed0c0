/*
 * carpool_plan.h - an event's carpools: plan them from its registrations with
 * the matching engine (carpool.h), store the plan, read it back, find one
 * attendee's assignment, and confirm groups.
 *
 * Who takes part: the event's confirmed registrations whose travel is not
 * "none" (waitlisted and cancelled people are left out). Each origin is
 * resolved with pl_origin_resolve, then (when a geocoder is given) with the
 * geocoder's cache; an unknown or ambiguous origin never blocks the plan:
 * that person is listed as unassigned with the reason.
 *
 * Storage: one plan per event (carpool_plans), its groups (carpool_groups:
 * driver, km, detour, departure and arrival, confirmed flag), their members
 * (carpool_members: driver at position 0, passengers in pickup order, each
 * with the origin as typed and as resolved, and the time they leave), and
 * the unassigned with their reason. Times are local wall times of the event
 * "YYYY-MM-DDTHH:MM". A new plan replaces the previous one in a single
 * transaction; with keep_confirmed its confirmed groups are kept untouched
 * (their rows are not rewritten) and only the others are planned again;
 * without it, confirmed groups are planned again only when forced (their
 * members then told of every change). Each trip is confirmed on its own.
 *
 * Phone numbers: the organiser's outputs (plan JSON, exports) carry every
 * phone given; what members see of each other (pl_carpool_member_seen, the
 * pickups behind /me, the personal feed and the mail) carries a phone only
 * when its owner agreed to share it with their group (share_phone).
 */
#ifndef PL_CARPOOL_PLAN_H
#define PL_CARPOOL_PLAN_H

#include "carpool.h"
#include "error.h"
#include "geocoder.h"
#include "store.h"

#include <stddef.h>

/* Called while planning (for a progress bar): stage is "origins" (done of
 * total origins resolved), "matching" (0 of 1, then 1 of 1) or "saving". */
typedef void (*pl_carpool_progress_fn)(const char *stage, size_t done, size_t total, void *payload);

typedef struct pl_carpool_plan_options {
    pl_carpool_options engine;       /* detour limits, road factor, CO2 factor, ... */
    int keep_confirmed;              /* keep the stored plan's confirmed groups */
    pl_carpool_progress_fn progress; /* may be NULL */
    void *payload;                   /* passed to progress */
    /* Optional HTTP geocoder for the origins the gazetteer cannot place: they
     * are looked up (pl_geocoder_resolve_event) before the plan's
     * transaction, then read from its cache. NULL: gazetteer only. */
    const pl_geocoder *geocoder;
    pl_geocoder_stats *geocoder_stats; /* filled when geocoder is set; may be NULL */
    /* Which way: to the venue (default), or home. The way home is planned
     * from the venue when each person leaves it (the end of the last
     * session they attend, else the event's end); the stored outbound
     * groups go home together where they still fit, the others are planned
     * again. Each trip has its own stored plan. */
    pl_carpool_trip trip;
    /* A re-plan of the way there keeps the previous cars where they still
     * fit (seats, detour, everyone still travelling), and newcomers take
     * their spare seats, when that seats as many riders as planning afresh;
     * fresh = 1 always plans afresh. */
    int fresh;
    /* Without keep_confirmed, a stored plan of this trip with confirmed cars
     * (not locked) is not planned again (PL_EINVALID, the message says how
     * many and what to do) unless force = 1: then every member of a
     * confirmed car that changes or goes is recorded and told
     * (pl_carpool_old_cars_record); a car whose driver still drives
     * passengers stays confirmed. */
    int force;
} pl_carpool_plan_options;

#define PL_CARPOOL_PLAN_OPTIONS_INIT                                                               \
    {                                                                                              \
        PL_CARPOOL_OPTIONS_INIT, 0, NULL, NULL, NULL, NULL, PL_CARPOOL_OUTBOUND, 0, 0              \
    }

/* "outbound" or "return" (static storage). */
const char *pl_carpool_trip_name(pl_carpool_trip trip);

/* PL_OK and *out for "outbound" or "return", else PL_EINVALID. */
int pl_carpool_trip_parse(pl_carpool_trip *out, const char *name);

void pl_carpool_plan_options_init(pl_carpool_plan_options *opts);

/* One person of a stored group: the driver, or a passenger at a pickup. */
typedef struct pl_carpool_member {
    long long registration; /* registrations rowid */
    char *name;
    char *email;
    char *phone;     /* for the organiser; NULL when not given */
    int share_phone; /* they agreed to show it to their carpool group */
    char *origin;    /* as typed */
    char *place;     /* resolved commune (or département) name; NULL if none */
    char *precision; /* pl_origin_precision_name of the point ("commune",
                        "geocoder", ...); NULL in plans made before it was kept */
    double lat, lon;
    char *time; /* passenger: pickup time; driver: departure; "YYYY-MM-DDTHH:MM" */
} pl_carpool_member;

typedef struct pl_carpool_saved_group {
    int number; /* 1-based: cars with passengers first, by driver registration */
    pl_carpool_member driver;
    pl_carpool_member *passengers; /* in pickup order */
    size_t npassengers;
    int seats;          /* seats the driver offered when planned */
    char *departure;    /* driver leaves home */
    char *arrival;      /* at the venue (event start - margin) */
    double distance_km; /* origin -> pickups -> venue */
    double detour_km;   /* distance_km - the driver's direct trip */
    int confirmed;      /* kept by a re-plan with keep_confirmed */
    char *confirmed_at; /* UTC "YYYY-MM-DDTHH:MM:SSZ"; NULL if not confirmed */
} pl_carpool_saved_group;

/* Stable names of the reasons someone has no group. */
#define PL_CARPOOL_WHY_ORIGIN_UNKNOWN "origin_unknown"
#define PL_CARPOOL_WHY_ORIGIN_AMBIGUOUS "origin_ambiguous"
#define PL_CARPOOL_WHY_NO_DRIVER "no_driver"
#define PL_CARPOOL_WHY_NO_SEAT "no_seat"
#define PL_CARPOOL_WHY_NO_ROOM "no_room"
#define PL_CARPOOL_WHY_LEAVE_TIME "leave_time"
#define PL_CARPOOL_WHY_EXCLUDED "excluded"   /* planner carpool exclude */
#define PL_CARPOOL_WHY_SEAT_LOST "seat_lost" /* their confirmed car went: its driver cancelled */
#define PL_CARPOOL_WHY_DRIVER_DECLINED "driver_declined" /* their driver declined the car */
#define PL_CARPOOL_WHY_LEFT "left"                       /* left their car (pl_carpool_leave) */
#define PL_CARPOOL_WHY_NOBODY_DRIVES "nobody_drives"     /* no car with a seat on this trip */
#define PL_CARPOOL_WHY_CAR_KEPT "car_kept" /* the car in reach with a seat is kept as it is */

typedef struct pl_carpool_saved_unassigned {
    long long registration;
    char *name;
    char *email;
    char *travel; /* "drive", "ride", "flexible" */
    char *origin; /* as typed; may be NULL */
    char *code;   /* one of PL_CARPOOL_WHY_* */
    char *reason; /* one line for humans */
} pl_carpool_saved_unassigned;

/* An event's stored plan. */
typedef struct pl_carpool_saved_plan {
    pl_carpool_trip trip; /* RETURN: passengers in drop-off order, their times
                             drop-offs; a group's departure is from the
                             venue, its arrival at the driver's home */
    char *event_slug;
    char *event_start;          /* "YYYY-MM-DDTHH:MM" local */
    char *timezone;             /* the event's IANA zone */
    char *planned;              /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
    pl_carpool_options options; /* used (distance_km, payload are NULL) */
    pl_carpool_totals totals;
    pl_carpool_saved_group *groups;
    size_t ngroups;
    pl_carpool_saved_unassigned *unassigned; /* by registration arrival */
    size_t nunassigned;
    /* Set by pl_carpool_plan_event only (0 when loaded): how many people in
     * both this plan and the one it replaced changed car (another driver,
     * or a car instead of none, or none instead of a car). */
    size_t moved;
    int replaced; /* set by pl_carpool_plan_event: it replaced an earlier plan */
    /* Set by pl_carpool_plan_event: pairs of people kept together (carpool
     * together) who could not share a car (seats, detour limits, a confirmed
     * or locked car in the way, nobody of them with a car). */
    size_t together_unmet;
    /* Set by pl_carpool_plan_event: 1 when the previous cars were kept where
     * they fit (see pl_carpool_plan_options.fresh), 0 when planned afresh. */
    int kept_previous;
} pl_carpool_saved_plan;

void pl_carpool_saved_plan_free(pl_carpool_saved_plan *plan);

/*
 * Plan the carpools of event `slug` and store the plan (one transaction),
 * replacing the previous one; with opts->keep_confirmed its confirmed groups
 * stay exactly as they were (a passenger who has cancelled since is taken
 * out of their group; a group whose driver has cancelled is planned again).
 * Without keep_confirmed, a stored plan of that trip with confirmed cars
 * (locked ones aside) is left as it is (PL_EINVALID, a catalogue message
 * naming --keep-confirmed and --force) unless opts->force.
 *
 * out:  receives the stored plan as pl_carpool_plan_load would read it (may
 *       be NULL); free with pl_carpool_saved_plan_free.
 * opts: NULL for the defaults.
 *
 * Returns PL_OK, PL_ENOTFOUND (no such event), PL_EINVALID (the event has no
 * venue coordinates, bad options, or confirmed cars not kept nor forced),
 * PL_EIO (database) or PL_ERROR.
 */
int pl_carpool_plan_event(pl_carpool_saved_plan **out, pl_store *store, const char *slug,
                          const pl_carpool_plan_options *opts, pl_error *err);

/* How many registrations of event `slug` travel (travel is not "none"),
 * whatever their status: the size of a plan's work, for a progress bar. 0
 * when there is no such event. Returns PL_OK or PL_EIO. */
int pl_carpool_travellers_count(size_t *out, pl_store *store, const char *slug, pl_error *err);

/* Load the stored plan of event `slug`. PL_ENOTFOUND when the event does not
 * exist or has no plan yet (the message says which). Free with
 * pl_carpool_saved_plan_free. */
int pl_carpool_plan_load(pl_carpool_saved_plan **out, pl_store *store, const char *slug,
                         pl_error *err);

/* The same for one trip (pl_carpool_plan_load reads the outbound one). */
int pl_carpool_plan_load_trip(pl_carpool_saved_plan **out, pl_store *store, const char *slug,
                              pl_carpool_trip trip, pl_error *err);

/*
 * Confirm groups of the stored plan of `slug`: the group driven by
 * driver_email (case-insensitive), or every group with passengers when
 * driver_email is NULL. Confirming twice is not an error. *out_count (may be
 * NULL) gets the number of groups newly confirmed.
 *
 * Returns PL_OK, PL_ENOTFOUND (no event, no plan, or that e-mail is not in
 * the plan), PL_EINVALID (that person rides, or drives alone: the message
 * names their driver), PL_EIO.
 */
int pl_carpool_confirm(size_t *out_count, pl_store *store, const char *slug,
                       const char *driver_email, pl_error *err);

/* The same in the stored plan of one trip (pl_carpool_confirm: the way
 * there). Confirming the way home tells its members by mail (the message
 * says it is the way home) and a re-plan of the way home with
 * keep_confirmed keeps those cars. */
int pl_carpool_confirm_trip(size_t *out_count, pl_store *store, const char *slug,
                            const char *driver_email, pl_carpool_trip trip, pl_error *err);

/* What the organiser decides for one person, kept across plans. */
typedef enum pl_carpool_choice {
    PL_CARPOOL_EXCLUDE = 1, /* never grouped: a driver goes alone, a rider
                               comes otherwise (reason "excluded") */
    PL_CARPOOL_LOCK         /* a driver's car: every re-plan keeps it as
                               stored, with or without keep_confirmed */
} pl_carpool_choice;

/*
 * Set (on = 1) or clear (on = 0) a choice for the registration of email in
 * event slug; it applies from the next plan. Locking needs a stored plan in
 * which that person drives a car with passengers (else PL_EINVALID, naming
 * their driver when they ride).
 *
 * Returns PL_OK, PL_ENOTFOUND (no event, or not registered), PL_EINVALID,
 * PL_EIO.
 */
int pl_carpool_choice_set(pl_store *store, const char *slug, const char *email,
                          pl_carpool_choice choice, int on, pl_error *err);

typedef enum pl_carpool_role_in_plan {
    PL_CARPOOL_AS_DRIVER = 1,
    PL_CARPOOL_AS_PASSENGER,
    PL_CARPOOL_AS_UNASSIGNED, /* in the plan without a group (see reason) */
    PL_CARPOOL_AS_OUTSIDE     /* not in the plan: no carpool, waitlisted,
                                 cancelled, or registered since (see reason) */
} pl_carpool_role_in_plan;

/* One registration's place in the stored plan of its event. */
typedef struct pl_carpool_assignment {
    pl_carpool_saved_plan *plan; /* owned: the whole plan */
    long long registration;
    char *name;
    char *email;
    pl_carpool_role_in_plan role;
    /* DRIVER, PASSENGER: the group and the person's own entry in it (the
     * pickup place and time), borrowed from plan. NULL otherwise. */
    const pl_carpool_saved_group *group;
    const pl_carpool_member *self;
    /* UNASSIGNED: the entry with code and reason (borrowed); NULL otherwise. */
    const pl_carpool_saved_unassigned *unassigned;
    char *reason; /* OUTSIDE: one line for humans; NULL otherwise */
} pl_carpool_assignment;

void pl_carpool_assignment_free(pl_carpool_assignment *a);

/*
 * A registration's assignment, by database id, by e-mail within event slug,
 * or by its secret token. PL_ENOTFOUND when there is no such registration or
 * its event has no plan yet. Free with pl_carpool_assignment_free.
 */
int pl_carpool_assignment_find(pl_carpool_assignment **out, pl_store *store, long long registration,
                               pl_error *err);
int pl_carpool_assignment_find_email(pl_carpool_assignment **out, pl_store *store, const char *slug,
                                     const char *email, pl_error *err);
int pl_carpool_assignment_find_token(pl_carpool_assignment **out, pl_store *store,
                                     const char *token, pl_error *err);
/* The same in the plan of one trip (the three above read the outbound one).
 * PL_ENOTFOUND when that trip has no plan. */
int pl_carpool_assignment_find_trip(pl_carpool_assignment **out, pl_store *store,
                                    long long registration, pl_carpool_trip trip, pl_error *err);
int pl_carpool_assignment_find_email_trip(pl_carpool_assignment **out, pl_store *store,
                                          const char *slug, const char *email, pl_carpool_trip trip,
                                          pl_error *err);

/* ---- what one member sees of their group ---- */

/* The first name of a full name: its first word ("Jean-Pierre Dupont" ->
 * "Jean-Pierre"), cut to fit out (>= 1 byte, UTF-8 aware). What the other
 * members of a group are shown of a person, with no e-mail. */
void pl_carpool_first_name(char *out, size_t size, const char *name);

/* Where a member is picked up (or leaves from), in words: "Commune (origin
 * as typed)" when they differ, else the one that is set, else "lat, lon". */
void pl_carpool_member_where(char *out, size_t size, const pl_carpool_member *m);

/*
 * What the person of assignment a (a driver or passenger) sees of m, a member
 * of their own group, on their page and in their JSON:
 *   first_name  their own full name; others by first name only;
 *   place       their own pickup, and (for the driver) every pickup:
 *               pl_carpool_member_where; others see the commune only;
 *   phone       the driver's, when given and shared (share_phone), for
 *               everyone; the driver also sees the passengers' that are
 *               shared; never an e-mail address.
 * phone is borrowed from a.
 */
typedef struct pl_carpool_seen {
    char name[128];
    char place[512];
    const char *phone;
    int is_self;
} pl_carpool_seen;

void pl_carpool_member_seen(pl_carpool_seen *out, const pl_carpool_assignment *a,
                            const pl_carpool_member *m);

/*
 * A registration's carpool pickup, as their personal calendar feed shows it
 * (table carpool_pickups). Every member of a car with passengers has one:
 * a passenger's pickup, or the driver's departure. It is kept up to date by
 * pl_carpool_plan_event, in the plan's transaction: its uid is generated
 * once; sequence and modified move only when what it shows changes (time,
 * arrival, place, role, the driver's first name and phone, the fellow
 * passengers); a pickup that is gone from a new plan stays, cancelled, with
 * its sequence bumped.
 */
typedef struct pl_carpool_pickup {
    long long registration;
    char *uid;
    int sequence;
    char *created; /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
    char *modified;
    int cancelled;
    int is_driver;
    char *time;    /* pickup (passenger) or departure (driver), local "YYYY-MM-DDTHH:MM" */
    char *arrival; /* at the venue, same form */
    char *place;   /* pl_carpool_member_where of the person; may be NULL */
    int has_geo;
    double lat, lon;
    char *driver_first_name; /* NULL for the driver's own pickup */
    char *driver_phone;      /* only when the driver gave one, else NULL */
    char **passengers;       /* fellow passengers' first names, in pickup order */
    size_t npassengers;
} pl_carpool_pickup;

/* The stored pickup of a registration (cancelled ones too). PL_ENOTFOUND
 * when it never had one; PL_EIO. Free with pl_carpool_pickup_free. */
int pl_carpool_pickup_load(pl_carpool_pickup **out, pl_store *store, long long registration,
                           pl_error *err);

/* The same for one trip. The ride home (table carpool_dropoffs): time is
 * when the car leaves the venue, arrival the person's drop-off (the
 * driver's: home), place where they get out. */
int pl_carpool_pickup_load_trip(pl_carpool_pickup **out, pl_store *store, long long registration,
                                pl_carpool_trip trip, pl_error *err);
void pl_carpool_pickup_free(pl_carpool_pickup *p);

/* Bring the carpool_pickups (the way home: carpool_dropoffs) of plan's
 * event in line with plan (as just stored): called by pl_carpool_plan_event
 * inside its transaction. */
int pl_carpool_pickups_sync(pl_store *store, const pl_carpool_saved_plan *plan, pl_error *err);

/* ---- changes to the stored cars between two plans ----
 *
 * Every change to a confirmed car is recorded (table carpool_changes: the
 * event, the trip, the car's driver, for a move the car left, the person,
 * what: joined, left, lost_seat, driver_cancelled, driver_declined, moved,
 * and when), in the transaction of the change, and the people concerned are
 * told (pl_outbox_carpool_changed: each member of a confirmed car as it now is, a
 * person moved, a "lost seat" message to a person whose car went; never the
 * person who acted). Messages are versioned by the pickup's sequence (the
 * way home: the drop-off's), so a repeated command tells no one twice. Both
 * trips are told; a message of the way home says so.
 */

/*
 * The hook for pl_registration_set_left_hook: registration_id, which was
 * confirmed, is cancelled (inside that transaction). A confirmed car loses
 * them: a passenger is taken out (the others keep their pickups and times);
 * a driver's car goes and its passengers are listed without a seat (reason
 * seat_lost) until the next plan. Cars not confirmed are left to the next
 * plan, as before. Returns PL_OK or PL_EIO.
 */
int pl_carpool_registration_left(pl_store *store, long long registration_id, pl_error *err);

/* What pl_carpool_move did. Detours of the car moved to, before and after:
 * km beyond the driver's direct trip, the same as a percentage of it, and
 * minutes (driving and stops). */
typedef struct pl_carpool_move_result {
    double detour_km_before, detour_km_after;
    double detour_pct_before, detour_pct_after;
    double detour_min_before, detour_min_after;
    int over_limit; /* beyond the plan's detour limits (accepted with force) */
    int recorded;   /* a confirmed car was concerned: recorded */
    int told;       /* messages queued */
} pl_carpool_move_result;

/*
 * Move the person of email (a passenger, someone without a seat, or a driver
 * going alone) into the car of to_email in the stored plan of trip. Checks
 * the seats the driver offered, then the detour limits of the plan: a route
 * beyond them is refused (PL_EINVALID, the message says by how much the
 * detour grows) unless force. The pickup order of each car concerned is
 * the shortest (every order for up to 7 passengers, else the best insertion),
 * its times computed again from its arrival (the way home: its departure).
 * A car moved from keeps its other members in order, its times computed
 * again. Recorded and told when either car is confirmed. A move lasts until
 * the next plan unless the car is confirmed (with --keep-confirmed) or
 * locked. out may be NULL.
 * Returns PL_OK, PL_ENOTFOUND (no event, plan or registration), PL_EINVALID
 * (not in the plan, a driver with passengers, full, too long, same car),
 * PL_EIO.
 */
int pl_carpool_move(pl_carpool_move_result *out, pl_store *store, const char *slug,
                    const char *email, const char *to_email, pl_carpool_trip trip, int force,
                    pl_error *err);

/*
 * Keep the people of email_a and email_b in one car from the next plan on
 * (on = 1), or no longer (on = 0; email_b NULL: every pair of email_a). Kept
 * in the table carpool_together, one row per pair. The planner honours it
 * after matching: the one without a car (or whose car is not theirs) is
 * moved into the other's car as pl_carpool_move would, within the seats and
 * the detour limits, never into or out of a confirmed or locked car; a pair
 * it cannot join is counted in the plan's together_unmet.
 * Returns PL_OK, PL_ENOTFOUND (not registered), PL_EINVALID (the same
 * person twice), PL_EIO.
 */
int pl_carpool_together_set(pl_store *store, const char *slug, const char *email_a,
                            const char *email_b, int on, pl_error *err);

/* For pl_carpool_plan_event, in its transaction: join the pairs of event
 * slug in the stored plan plan_id of trip. */
int pl_carpool_honour_together(size_t *unmet, pl_store *store, const char *slug, long long plan_id,
                               pl_carpool_trip trip, pl_error *err);

/*
 * The attendee's own actions (/me/TOKEN), on the stored plan of trip:
 *   leave:   a passenger leaves their car (listed without a seat, reason
 *            "left"; the car's other members keep their order, times computed
 *            again); the next plan may seat them again;
 *   decline: a driver declines their car: its passengers are listed without
 *            a seat (reason driver_declined) and the driver goes alone, in this
 *            plan and the next ones (their carpool_choices row is set to
 *            excluded, which the organiser undoes with carpool exclude
 *            --off); the next plan seats the passengers elsewhere;
 *   accept:  a driver confirms their car (pl_carpool_confirm).
 * Each is recorded and told as above when the car was confirmed; *told (may
 * be NULL) gets the number of messages queued. Returns PL_OK, PL_ENOTFOUND,
 * PL_EINVALID (a passenger declining, a driver leaving, ...), PL_EIO.
 */
int pl_carpool_leave(pl_store *store, const char *slug, const char *email, pl_carpool_trip trip,
                     int *told, pl_error *err);
int pl_carpool_driver_decline(pl_store *store, const char *slug, const char *email,
                              pl_carpool_trip trip, int *told, pl_error *err);
int pl_carpool_driver_accept(pl_store *store, const char *slug, const char *email,
                             pl_carpool_trip trip, pl_error *err);

/* One row of the record of changes to confirmed cars (carpool_changes). */
typedef struct pl_carpool_change {
    long long id;
    char *trip;         /* "outbound", "return" */
    char *what;         /* joined, left, lost_seat, driver_cancelled, driver_declined, moved */
    char *at;           /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
    char *name, *email; /* the person */
    char *driver_email; /* the car (its driver); NULL once that registration is gone */
    char *from_email;   /* a move: the car left; NULL otherwise */
} pl_carpool_change;

/* The changes recorded for event slug, oldest first. PL_ENOTFOUND for no
 * such event. Free with pl_carpool_changes_free. */
int pl_carpool_changes_list(pl_carpool_change **out, size_t *count, pl_store *store,
                            const char *slug, pl_error *err);
void pl_carpool_changes_free(pl_carpool_change *list, size_t count);

/* For pl_carpool_plan_event: the last change id (0: none), a change, and the
 * messages of the changes after mark (in the caller's transaction). */
long long pl_carpool_changes_mark(pl_store *store, pl_error *err);
int pl_carpool_change_record(pl_store *store, long long event_id, pl_carpool_trip trip,
                             long long driver, long long from, long long registration,
                             const char *what, pl_error *err);
int pl_carpool_changes_notify(pl_store *store, long long event_id, long long mark, pl_error *err);

/* ---- a forced re-plan over confirmed cars (carpool_replan.c) ---- */

/* How many confirmed cars (locked ones aside) the stored plan plan_id has. */
int pl_carpool_confirmed_count(size_t *out, pl_store *store, long long plan_id, pl_error *err);

/* A confirmed car of the plan replaced: its driver and passengers
 * (registration ids), and when it was confirmed (may be NULL). */
typedef struct pl_carpool_old_car {
    long long driver;
    long long *passengers;
    size_t npassengers;
    char *confirmed_at;
} pl_carpool_old_car;

/* The confirmed cars (not locked) of plan plan_id, before it is replaced. */
int pl_carpool_old_cars_load(pl_carpool_old_car **out, size_t *n, pl_store *store,
                             long long plan_id, pl_error *err);
void pl_carpool_old_cars_free(pl_carpool_old_car *cars, size_t n);

/* After the new plan plan_id is stored (same transaction): record what
 * happened to each member of the old confirmed cars (moved, lost_seat,
 * joined; see carpool_replan.c) and keep confirmed the cars whose driver
 * still drives passengers. The messages follow from
 * pl_carpool_changes_notify. */
int pl_carpool_old_cars_record(pl_store *store, long long event_id, pl_carpool_trip trip,
                               long long plan_id, const pl_carpool_old_car *old, size_t nold,
                               pl_error *err);

/* Minutes on the engine's clock (minutes since 1970-01-01T00:00, local wall
 * time, no zone) as "YYYY-MM-DDTHH:MM" into buf (>= 17 bytes). */
void pl_carpool_time_format(long minutes, char *buf, size_t size);

#endif
