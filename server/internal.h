/*
 * internal.h - what the server's source files share: the server state, one
 * request, one reply, the route table and the helpers that build replies.
 *
 * Layers (a file uses only files of its own layer's helpers or below; no
 * file reaches up, so there is no circle inside server/):
 *
 *   server.c          the daemon's life: start, stop, MHD's callbacks
 *   router.c          a request to a reply: route lookup, 401/404/405,
 *                     the reply cache in front of SRV_CACHED routes
 *   routes.c          the table: method + path pattern -> handler
 *   handlers          pages.c, page_me.c, page_carpool.c, api.c, exports.c,
 *                     admin_*.c (the feeds are calendar/'s, called
 *                     from api.c)
 *   helpers           reply.c (build and send replies), cache.c
 *                     (srv_changed, srv_generation), modified.c
 *                     (Last-Modified), conditional.c (ETag, 304),
 *                     security.c (admin credentials, form tokens, origin
 *                     check), html.c (escaping templates), access_log.c
 *   request.c         headers, form fields and bodies (uses nothing here)
 *
 * Adding a route: write the handler (srv_handler: fill *out with a
 * srv_reply_* helper, return 0) in the file of its job, declare it below,
 * and add one row to srv_routes in routes.c; see "Routes" below for the
 * pattern syntax and the flags. Forms check srv_form_token_ok and
 * srv_same_origin (security.c); a handler that writes calls srv_changed.
 */
#ifndef PL_SERVER_INTERNAL_H
#define PL_SERVER_INTERNAL_H

#include "html.h"
#include "server.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define SRV_SHA256_SIZE 32

struct pl_server {
    pl_server_options opts;
    char *db_path;
    char *base_url;    /* without a trailing slash */
    char *base_origin; /* scheme://host[:port] of base_url */
    char *new_admin_token;
    unsigned char admin_hash[SRV_SHA256_SIZE];
    unsigned char form_secret[32];
    struct MHD_Daemon *daemon;
    unsigned port;
    pthread_key_t tls;       /* per worker thread: its pl_store */
    atomic_int inflight;     /* requests being answered */
    atomic_llong generation; /* moves whenever the database may have changed */
    pthread_mutex_t watch_lock;
    pl_store *watch; /* a connection used only for pl_store_data_version */
    long long watch_version;
    struct srv_cache *cache;
    struct srv_admin_state *admin;         /* back office sessions (admin_session.c) */
    struct srv_deadlines *deadlines;       /* connections waiting for a request (deadline.c) */
    struct srv_writers *writers;           /* the threads that answer POSTs (writer.c) */
    struct srv_housekeeping *housekeeping; /* the daily purge (housekeeping.c) */
};

/* One form field (urlencoded or multipart) or JSON-free text value. */
typedef struct srv_field {
    char *key;
    pl_buf value;
} srv_field;

typedef enum srv_body_kind { BODY_NONE, BODY_FORM, BODY_JSON } srv_body_kind;

/* The largest body of POST /admin/e/SLUG/import (a CSV file): 4 MiB. */
#define SRV_IMPORT_MAX_BODY ((size_t)4 << 20)

typedef struct srv_reply {
    unsigned status;
    const char *type; /* Content-Type */
    char *body;       /* owned, may be NULL */
    size_t len;
    int fd; /* with has_fd: an owned open file of len bytes, sent instead of body */
    int has_fd;
    char *disposition; /* owned Content-Disposition, may be NULL */
    char modified[32]; /* UTC "YYYY-MM-DDTHH:MM:SSZ", or "" */
    const char *cache_control;
    char *location; /* owned, may be NULL */
    const char *allow;
    int conditional;          /* send ETag and Last-Modified, answer 304 when fresh */
    int referrer_same_origin; /* pages carrying secrets in their URL */
    char *set_cookie;         /* owned Set-Cookie value, may be NULL */
    unsigned retry_after;     /* seconds, sent with a 429 */
} srv_reply;

#define SRV_ROUTE_ARGS 3 /* {arguments} in one path pattern, at most */
#define SRV_ARG_SIZE 160 /* bytes of one argument, with its NUL */

typedef struct srv_req {
    pl_server *srv;
    struct MHD_Connection *conn;
    const char *method;
    char *path; /* owned copy of the URL path */
    int is_head;
    pl_store *store;                        /* the worker thread's, borrowed */
    const struct srv_route *route;          /* the route answering it */
    char arg[SRV_ROUTE_ARGS][SRV_ARG_SIZE]; /* the route's {arguments}, in order */
    /* body */
    srv_body_kind body_kind;
    struct MHD_PostProcessor *pp;
    pl_buf body; /* JSON bodies */
    size_t body_size;
    srv_field fields[48];
    size_t nfields;
    int body_error;   /* 413 or 400 once known */
    int answered;     /* a reply was queued */
    unsigned refused; /* a body found bad while read: its status, sent once it is all in */
    /* answered on a writer thread (writer.c) */
    enum { SRV_LATER_NO, SRV_LATER_QUEUED, SRV_LATER_READY, SRV_LATER_SENT } later_state;
    srv_reply later;
    struct srv_req *next_job;
    /* for the access log */
    unsigned status;
    int secret_path; /* hide the path's token in the log */
    double started;
} srv_req;

/*
 * Routes (routes.c): a request goes to the first row of srv_routes whose
 * path pattern and method match. A pattern is literal text with
 * {arguments}: {slug} (an event slug), {token} (a registration token, hex)
 * or any other name such as {name} or {id} (letters, digits, '-', '_', '.',
 * not starting with '.'). An argument takes the longest run of its
 * characters, never a '/'; the handler reads it as req->arg[0], [1]...
 * already checked. SRV_GET also answers HEAD. A path that matches with
 * another method answers 405 with Allow; no match answers 404.
 */
enum { SRV_GET = 1, SRV_POST = 2 };
enum {
    SRV_CACHED = 1,          /* public GET kept in the reply cache until the database changes */
    SRV_CACHED_BY_CLOCK = 2, /* ... and at most a quarter of an hour (pages showing the date) */
    SRV_ADMIN = 4,           /* needs the organiser's credentials (srv_admin_ok), else 401 */
};

/* A handler fills *out (see reply.c) and returns 0. */
typedef int srv_handler(srv_reply *out, srv_req *req);

typedef struct srv_route {
    unsigned methods;    /* SRV_GET, SRV_POST, or both */
    const char *pattern; /* "/e/{slug}/register" */
    srv_handler *handler;
    unsigned flags; /* SRV_CACHED... */
} srv_route;

extern const srv_route srv_routes[];
extern const size_t srv_nroutes;

/* request.c: what a request carries (bottom layer: uses nothing else here) */
const char *srv_header(srv_req *req, const char *name);
const char *srv_field_get(const srv_req *req, const char *key);
/* First sight of a POST: decide how to read its body. 0, or the status that
 * refuses it (411, 413, 415, 400). */
unsigned srv_body_start(srv_req *req);
/* A piece of the body: 0, or the status that refuses it. */
unsigned srv_body_feed(srv_req *req, const char *data, size_t size);
/* Free req and all it owns. */
void srv_req_free(srv_req *req);

static inline double srv_now_s(void) /* monotonic seconds */
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* conditional.c: ETags and conditional GET (RFC 9110 13) */
/* The strong ETag of body: '"' + 40 hex digits + '"'. */
void srv_etag(char out[48], const char *body, size_t len);
/* A UTC stamp "YYYY-MM-DDTHH:MM:SSZ" as a time, (time_t)-1 when not one. */
time_t srv_stamp_time(const char *s);
/* Does the request's If-None-Match (else If-Modified-Since) say the client's
 * copy is fresh? */
int srv_not_modified(srv_req *req, const char *etag, time_t modified);

/* reply.c: building replies and sending them */
/* Replies: they return 0; *out takes ownership of body. */
int srv_reply_bytes(srv_reply *out, unsigned status, const char *type, char *body, size_t len);
int srv_reply_html(srv_reply *out, unsigned status, srv_html *page);
int srv_reply_json(srv_reply *out, unsigned status, json_t *value); /* steals value */
/* Send len bytes of the open file fd (steals fd) as a download named
 * filename (letters, digits, '.', '-', '_' only). */
int srv_reply_file(srv_reply *out, unsigned status, const char *type, int fd, size_t len,
                   const char *filename);
int srv_reply_error(srv_reply *out, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The HTTP status for a PL_E... code. */
unsigned srv_status_for(int code);
/* Later of two UTC stamps into dst (size 32); either may be NULL or "". */
void srv_latest(char *dst, const char *stamp);
/* Queue r as the response to req (304 when conditional and fresh). etag:
 * the body's ETag when already known, else NULL. */
enum MHD_Result srv_reply_send(srv_req *req, srv_reply *r, const char *etag);
/* Free what r owns (not r). */
void srv_reply_free(srv_reply *r);

/* cache.c: the reply cache, valid for one database generation */
int srv_cache_open(pl_server *srv, pl_store *watch, pl_error *err); /* takes watch */
void srv_cache_close(pl_server *srv);
long long srv_generation(pl_server *srv);
void srv_changed(pl_server *srv); /* the server itself wrote to the database */
/* Copy a fresh entry for key into *out (body malloc'ed) and its ETag. 1 on a hit. */
int srv_cache_get(pl_server *srv, const char *key, long long gen, srv_reply *out, char etag[48]);
void srv_cache_put(pl_server *srv, const char *key, long long gen, const srv_reply *r,
                   const char etag[48]);

/* housekeeping.c: the daily purge of personal data, in a thread of its own. */
int srv_housekeeping_start(pl_server *srv, pl_error *err);
void srv_housekeeping_stop(pl_server *srv); /* NULL state allowed */

/* deadline.c: a whole request within request_timeout_s, or the connection
 * is closed (slow clients). */
int srv_deadline_start(pl_server *srv, pl_error *err);
void srv_deadline_stop(pl_server *srv); /* after MHD_stop_daemon */
/* MHD_OPTION_NOTIFY_CONNECTION: watch a connection from open to close. */
void srv_deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                         enum MHD_ConnectionNotificationCode code);
/* The request of conn is whole and being answered; its reply went out (the
 * next request's time starts). */
void srv_deadline_answering(struct MHD_Connection *conn);
void srv_deadline_next(struct MHD_Connection *conn);
/* How many connections were closed for being too slow. */
unsigned long long srv_deadline_closed(const pl_server *srv);

/* writer.c: every POST is answered on a writer thread (a write may wait
 * for the database's lock; the worker threads never do) */
#define SRV_WRITE_WAIT_MS 2000 /* a write's time to get the lock, then 503 */
#define SRV_WRITE_RETRY_MS 100 /* ... while the previous write did not get it */
int srv_writers_start(pl_server *srv, pl_error *err);
void srv_writers_stop(pl_server *srv); /* answers what is queued first */
/* Suspend req's connection and queue it; req->later holds the reply once
 * req->later_state is SRV_LATER_READY and the connection is resumed. */
enum MHD_Result srv_writers_submit(srv_req *req);

/* access_log.c */
void srv_log_request(const srv_req *req);

/* router.c: from a whole request to a queued reply */
enum MHD_Result srv_answer(srv_req *req);
/* The reply to req in *out, not sent (for a writer thread). */
void srv_answer_build(srv_req *req, srv_reply *out);
/* Answer req with status (a refused body: 400, 411, 413, 415). */
enum MHD_Result srv_refuse(srv_req *req, unsigned status);

/* security.c */
void srv_sha256(unsigned char out[SRV_SHA256_SIZE], const void *data, size_t len);
int srv_equal_ct(const unsigned char *a, const unsigned char *b, size_t n);
int srv_admin_setup(pl_server *srv, pl_store *store, pl_error *err);
int srv_admin_ok(srv_req *req);
/* A form token for purpose ("register:SLUG", "cancel:TOKEN"), valid 24 h. */
void srv_form_token(const pl_server *srv, const char *purpose, char out[64]);
int srv_form_token_ok(const pl_server *srv, const char *purpose, const char *token);
/* Does the request come from one of our own pages (Origin, else Referer)? */
int srv_same_origin(srv_req *req);
int srv_valid_slug(const char *s);
int srv_valid_token(const char *s);

/* modified.c: what moves a reply's Last-Modified */
/* Move out (UTC, size 32) to the latest change of ev or its sessions. */
void srv_event_modified(char out[32], const pl_event *ev);
/* A waiting person's position moves when anyone ahead changes: for a
 * waitlisted reg, move modified (UTC, size 32) to the event's latest
 * registration change. */
void srv_waitlist_modified(pl_store *store, const pl_registration *reg, char modified[32]);

/* pages.c: GET /, /e/{slug}; page_me.c: /me/{token} */
srv_handler srv_page_index, srv_page_event, srv_page_me;
int srv_page_error(srv_reply *out, unsigned status, const char *lang, const char *message);
/* POST /e/SLUG/register (a form) refused: the event's page with the form
 * again, what was typed kept and err (in the event's language) beside its
 * field, answered with status. */
int srv_page_event_again(srv_reply *out, srv_req *req, unsigned status, const pl_error *err);
/* POST /me/TOKEN/update (a form) refused: the attendee's page again, the
 * same way. */
int srv_page_me_again(srv_reply *out, srv_req *req, unsigned status, const pl_error *err);
/* GET /me/{token}/erase: the confirmation step; after it, the page that
 * says it is done (lang "fr" or "en"). */
srv_handler srv_page_erase;
int srv_page_erased(srv_reply *out, const char *lang);
int srv_event_is_french(const pl_event *ev);

/* page_carpool.c: the carpool group of reg on its page (nothing for an
 * online event or someone who does not travel), with the actions of its
 * member (token: the page's; NULL for none) and the notice of the last one
 * (?carpool=WHAT); moves modified (UTC, size 32) to the plan's time and the
 * last change of reg's pickups. */
void srv_carpool_section(srv_html *h, int french, srv_req *req, const pl_event *ev,
                         const pl_registration *reg, const char *token, char modified[32]);
/* A public page's frame (pages.c), in French or English. */
void srv_page_frame_start(srv_html *h, int french, const char *title);
void srv_page_frame_end(srv_html *h);
/* me_carpool.c: GET /me/{token}/carpool/{action} (the confirmation step of
 * decline and leave) and POST /me/{token}/carpool/{action} (accept, decline,
 * leave; form with its CSRF token "carpool:TOKEN", or JSON). */
srv_handler srv_me_carpool_form, srv_me_carpool;

/* api.c */
/* The handlers of /e/{slug}.json, POST /e/{slug}/register, /me/{token}.json,
 * /me/{token}.ics, POST /me/{token}/cancel, /events.ics, /e/{slug}.ics,
 * /admin/e/{slug} and /admin/e/{slug}/{name} (registrations.json, else an
 * export of exports.c). */
srv_handler srv_event_json, srv_register, srv_me_json, srv_me_feed, srv_cancel, srv_feed_all,
    srv_feed_event, srv_admin_event, srv_admin_export;
/* POST /me/{token}/update: change what the JSON object gives (a key left
 * out stays as stored, null clears). */
srv_handler srv_update;
/* POST /me/{token}/erase: "Erase my data" (form with its CSRF token and
 * confirm=yes, or JSON {"confirm": true}). */
srv_handler srv_erase;

/* admin_*.c: the back office under /admin (docs/admin.md): its sessions,
 * and the router's check of SRV_ADMIN routes (the bearer header or a
 * session; else 303 to the login page or 401 in out, and 0). */
int srv_admin_state_new(pl_server *srv, pl_error *err);
void srv_admin_state_free(pl_server *srv);
int srv_admin_authorise(srv_reply *out, srv_req *req);
srv_handler srv_adm_login_form, srv_adm_login, srv_adm_logout, srv_adm_dashboard,
    srv_adm_event_new_form, srv_adm_event_create, srv_adm_event, srv_adm_event_update,
    srv_adm_event_duplicate, srv_adm_event_publish, srv_adm_session_add, srv_adm_session_form,
    srv_adm_session_update, srv_adm_session_cancel, srv_adm_speaker_add, srv_adm_speaker_form,
    srv_adm_speaker_update, srv_adm_speaker_remove, srv_adm_regs, srv_adm_reg_form,
    srv_adm_reg_update, srv_adm_reg_cancel, srv_adm_reg_promote, srv_adm_reg_resend,
    srv_adm_carpool, srv_adm_carpool_plan, srv_adm_carpool_confirm, srv_adm_allocate,
    srv_adm_carpool_move, srv_adm_carpool_together, srv_adm_carpool_choice;
/* admin_import.c: registrations import and purge in the back office */
srv_handler srv_adm_import_form, srv_adm_import, srv_adm_purge_form, srv_adm_purge;

/* exports.c: the exporters' files (exporters/) */
/* The i-th admin export's file name ("registrants.xlsx"...), NULL past the last. */
const char *srv_export_name(size_t i);
/* GET /admin/e/SLUG/NAME for one of those names (else 404). */
int srv_export(srv_reply *out, srv_req *req, const char *slug, const char *name);
/* GET /e/{slug}/registrants.csv: the public list, no admin token needed. */
srv_handler srv_public_list_csv;
/* The public list as a section of the event page: title (count people on
 * it), their names and organizations when there are at most 500, and a
 * link to the CSV. Nothing when count is 0. */
void srv_public_list_html(srv_html *h, srv_req *req, const pl_event *ev, int count,
                          const char *title, const char *csv_label);

#endif
