/*
 * internal.h - what the server's source files share: the server state, one
 * request, one reply, and the helpers that build replies.
 */
#ifndef PL_SERVER_INTERNAL_H
#define PL_SERVER_INTERNAL_H

#include "html.h"
#include "server.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#define SRV_SHA256_SIZE 32

struct pl_server {
    pl_server_options opts;
    char *db_path;
    char *base_url;    /* without a trailing slash */
    char *base_origin; /* scheme://host[:port] of base_url */
    char *new_admin_token;
    unsigned char admin_hash[SRV_SHA256_SIZE];
    unsigned char form_secret[32];
    const pl_server_feeds *feeds;
    struct MHD_Daemon *daemon;
    unsigned port;
    pthread_key_t tls;       /* per worker thread: its pl_store */
    atomic_int inflight;     /* requests being answered */
    atomic_llong generation; /* moves whenever the database may have changed */
    pthread_mutex_t watch_lock;
    pl_store *watch; /* a connection used only for pl_store_data_version */
    long long watch_version;
    struct srv_cache *cache;
};

/* One form field (urlencoded or multipart) or JSON-free text value. */
typedef struct srv_field {
    char *key;
    pl_buf value;
} srv_field;

typedef enum srv_body_kind { BODY_NONE, BODY_FORM, BODY_JSON } srv_body_kind;

typedef struct srv_req {
    pl_server *srv;
    struct MHD_Connection *conn;
    const char *method;
    char *path; /* owned copy of the URL path */
    int is_head;
    pl_store *store; /* the worker thread's, borrowed */
    /* body */
    srv_body_kind body_kind;
    struct MHD_PostProcessor *pp;
    pl_buf body; /* JSON bodies */
    size_t body_size;
    srv_field fields[48];
    size_t nfields;
    int body_error; /* 413 or 400 once known */
    int answered;   /* a reply was queued */
    /* for the access log */
    unsigned status;
    int secret_path; /* hide the path's token in the log */
    double started;
} srv_req;

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
} srv_reply;

/* server.c */
long long srv_generation(pl_server *srv);
void srv_changed(pl_server *srv); /* the server itself wrote to the database */
const char *srv_header(srv_req *req, const char *name);
const char *srv_field_get(const srv_req *req, const char *key);
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

/* pages.c */
int srv_page_index(srv_reply *out, srv_req *req);
int srv_page_event(srv_reply *out, srv_req *req, const char *slug);
int srv_page_me(srv_reply *out, srv_req *req, const char *token);
int srv_page_error(srv_reply *out, unsigned status, const char *lang, const char *message);
int srv_event_is_french(const pl_event *ev);

/* page_carpool.c: the carpool group of reg on its page (nothing for an
 * online event or someone who does not travel); moves modified (UTC, size
 * 32) to the plan's time. */
void srv_carpool_section(srv_html *h, int french, pl_store *store, const pl_event *ev,
                         const pl_registration *reg, char modified[32]);

/* api.c */
int srv_event_json(srv_reply *out, srv_req *req, const char *slug);
int srv_register(srv_reply *out, srv_req *req, const char *slug);
int srv_me_json(srv_reply *out, srv_req *req, const char *token);
int srv_me_feed(srv_reply *out, srv_req *req, const char *token);
int srv_cancel(srv_reply *out, srv_req *req, const char *token);
/* A waiting person's position moves when anyone ahead changes: for a
 * waitlisted reg, move modified (UTC, size 32) to the event's latest
 * registration change. */
void srv_waitlist_modified(pl_store *store, const pl_registration *reg, char modified[32]);
int srv_feed_all(srv_reply *out, srv_req *req);
int srv_feed_event(srv_reply *out, srv_req *req, const char *slug);
int srv_admin(srv_reply *out, srv_req *req, const char *slug, const char *what);

/* feeds_calendar.c: the server's one way into libical, serialised by its
 * lock. The wall time in zone, "YYYY-MM-DDTHH:MM" into out (size >= 17),
 * of the UTC instant utc ("YYYY-MM-DDTHH:MM:SSZ"). Returns 0 or
 * PL_EINVALID (a zone libical does not know). */
int srv_local_from_utc(char *out, size_t size, const char *zone, const char *utc);

/* exports.c: the exporters' files (exporters/) */
/* The i-th admin export's file name ("registrants.xlsx"...), NULL past the last. */
const char *srv_export_name(size_t i);
/* GET /admin/e/SLUG/NAME for one of those names (else 404). */
int srv_export(srv_reply *out, srv_req *req, const char *slug, const char *name);
/* GET /e/SLUG/registrants.csv: the public list, no admin token needed. */
int srv_public_list_csv(srv_reply *out, srv_req *req, const char *slug);
/* The public list as a section of the event page: title (count), the names
 * and organizations (the first 500, then "+ N more_label"), a link to the
 * CSV. Nothing when no one is on the list or it cannot be read. */
void srv_public_list_html(srv_html *h, srv_req *req, const pl_event *ev, const char *title,
                          const char *csv_label, const char *more_label);

#endif
