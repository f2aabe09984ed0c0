/*
 * admin_session.c - who may use the back office: admin sessions, their form
 * tokens (CSRF) and the rate limit on wrong admin tokens.
 *
 * A session is opened by posting the admin token to /admin/login. Its id
 * (32 random bytes from the OS, as hex) goes to the browser in a cookie
 * (HttpOnly, SameSite=Strict, Path=/admin, Secure when the base URL is
 * https, Max-Age of ADM_SESSION_SECONDS); the server keeps only its SHA-256
 * in memory, with an expiry and a random form token. Several sessions live
 * at once (ADM_SESSIONS; the oldest goes when full). A restart ends them.
 *
 * Every form post of a session must carry its form token in the field
 * `csrf` and, when the browser says where it comes from (Origin, else
 * Referer), come from our own origin; otherwise 403.
 *
 * Wrong tokens: past ADM_LOGIN_FAILURES wrong attempts from one address
 * within ADM_LOGIN_WINDOW seconds, that address must wait for the window
 * to end (429), right token or not.
 */
#include "admin.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ADM_SESSIONS 128
#define ADM_SESSION_SECONDS (12 * 3600)
#define ADM_LOGIN_FAILURES 10
#define ADM_LOGIN_WINDOW 600
#define ADM_ADDRESSES 256

typedef struct adm_session {
    unsigned char hash[SRV_SHA256_SIZE];
    time_t expires; /* 0: free slot */
    char csrf[65];
} adm_session;

typedef struct adm_attempts {
    char addr[64];
    unsigned failures;
    time_t first; /* first failure of the window */
} adm_attempts;

struct srv_admin_state {
    pthread_mutex_t lock;
    adm_session sessions[ADM_SESSIONS];
    adm_attempts attempts[ADM_ADDRESSES];
};

int srv_admin_state_new(pl_server *srv, pl_error *err)
{
    if (!(srv->admin = calloc(1, sizeof(*srv->admin))))
        return pl_error_oom(err);
    pthread_mutex_init(&srv->admin->lock, NULL);
    return 0;
}

void srv_admin_state_free(pl_server *srv)
{
    if (!srv->admin)
        return;
    pthread_mutex_destroy(&srv->admin->lock);
    memset(srv->admin, 0, sizeof(*srv->admin));
    free(srv->admin);
    srv->admin = NULL;
}

int adm_session_create(pl_server *srv, char id_out[ADM_ID_HEX + 1], char csrf_out[65])
{
    struct srv_admin_state *st = srv->admin;
    adm_session *slot = NULL;
    time_t now = time(NULL);

    if (pl_random_hex(id_out, ADM_ID_HEX / 2) < 0 || pl_random_hex(csrf_out, 32) < 0)
        return PL_ERROR;
    pthread_mutex_lock(&st->lock);
    for (int i = 0; i < ADM_SESSIONS; i++) {
        adm_session *s = &st->sessions[i];
        if (s->expires <= now) { /* free or expired */
            slot = s;
            break;
        }
        if (!slot || s->expires < slot->expires)
            slot = s;
    }
    srv_sha256(slot->hash, id_out, strlen(id_out));
    slot->expires = now + ADM_SESSION_SECONDS;
    memcpy(slot->csrf, csrf_out, 65);
    pthread_mutex_unlock(&st->lock);
    return 0;
}

static adm_session *find(struct srv_admin_state *st, const char *id)
{
    unsigned char hash[SRV_SHA256_SIZE];
    time_t now = time(NULL);
    adm_session *found = NULL;

    if (!id || strlen(id) != ADM_ID_HEX)
        return NULL;
    srv_sha256(hash, id, strlen(id));
    for (int i = 0; i < ADM_SESSIONS; i++) {
        adm_session *s = &st->sessions[i];
        /* every slot is compared, so the time says nothing of the match */
        if (srv_equal_ct(hash, s->hash, sizeof(hash)) && s->expires > now)
            found = s;
    }
    return found;
}

int adm_session_find(pl_server *srv, const char *id, char csrf_out[65])
{
    adm_session *s;

    pthread_mutex_lock(&srv->admin->lock);
    if ((s = find(srv->admin, id)))
        memcpy(csrf_out, s->csrf, 65);
    pthread_mutex_unlock(&srv->admin->lock);
    return s != NULL;
}

void adm_session_drop(pl_server *srv, const char *id)
{
    adm_session *s;

    pthread_mutex_lock(&srv->admin->lock);
    if ((s = find(srv->admin, id)))
        memset(s, 0, sizeof(*s));
    pthread_mutex_unlock(&srv->admin->lock);
}

static adm_attempts *attempts_of(struct srv_admin_state *st, const char *addr, int create)
{
    adm_attempts *oldest = NULL;
    time_t now = time(NULL);

    for (int i = 0; i < ADM_ADDRESSES; i++) {
        adm_attempts *a = &st->attempts[i];
        if (a->failures && now - a->first >= ADM_LOGIN_WINDOW)
            memset(a, 0, sizeof(*a)); /* the window is over */
        if (a->failures && strcmp(a->addr, addr) == 0)
            return a;
        if (!oldest || !a->failures || (oldest->failures && a->first < oldest->first))
            oldest = a;
    }
    if (!create)
        return NULL;
    memset(oldest, 0, sizeof(*oldest));
    snprintf(oldest->addr, sizeof(oldest->addr), "%s", addr);
    oldest->first = now;
    return oldest;
}

int adm_login_allowed(pl_server *srv, const char *addr, unsigned *retry_s)
{
    adm_attempts *a;
    int ok = 1;

    pthread_mutex_lock(&srv->admin->lock);
    if ((a = attempts_of(srv->admin, addr, 0)) && a->failures >= ADM_LOGIN_FAILURES) {
        ok = 0;
        *retry_s = (unsigned)(a->first + ADM_LOGIN_WINDOW - time(NULL));
    }
    pthread_mutex_unlock(&srv->admin->lock);
    return ok;
}

void adm_login_failed(pl_server *srv, const char *addr)
{
    adm_attempts *a;

    pthread_mutex_lock(&srv->admin->lock);
    if ((a = attempts_of(srv->admin, addr, 1)))
        a->failures++;
    pthread_mutex_unlock(&srv->admin->lock);
}

void adm_login_succeeded(pl_server *srv, const char *addr)
{
    adm_attempts *a;

    pthread_mutex_lock(&srv->admin->lock);
    if ((a = attempts_of(srv->admin, addr, 0)))
        memset(a, 0, sizeof(*a));
    pthread_mutex_unlock(&srv->admin->lock);
}

void adm_client_address(srv_req *req, char out[64])
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;

    snprintf(out, 64, "?");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, 64);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, 64);
}

int adm_token_ok(pl_server *srv, const char *token)
{
    unsigned char hash[SRV_SHA256_SIZE];

    if (!token)
        return 0;
    srv_sha256(hash, token, strlen(token));
    return srv_equal_ct(hash, srv->admin_hash, sizeof(hash));
}

char *adm_cookie(const pl_server *srv, const char *id)
{
    char buf[300];
    int secure = strncmp(srv->base_url, "https://", 8) == 0;

    snprintf(buf, sizeof(buf), "%s=%s; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=%d%s",
             ADM_COOKIE, id ? id : "", id ? ADM_SESSION_SECONDS : 0, secure ? "; Secure" : "");
    return strdup(buf);
}

int adm_csrf_ok(adm *a)
{
    const char *sent = srv_field_get(a->req, "csrf");

    if (a->bearer) /* a header a page of another site cannot send */
        return 1;
    if (!sent || strlen(sent) != 64 || !*a->csrf || !srv_same_origin(a->req))
        return 0;
    return srv_equal_ct((const unsigned char *)sent, (const unsigned char *)a->csrf, 64);
}
