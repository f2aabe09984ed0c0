/*
 * server.c - the daemon's life: options, start, the worker threads and
 * their database connections, MHD's callbacks, graceful shutdown. What a
 * request becomes is router.c's job.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <sys/resource.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the database: one connection per worker thread ------------------ */

static void free_thread_store(void *p)
{
    pl_store_free(p);
}

static pl_store *thread_store(pl_server *srv, pl_error *err)
{
    pl_store *store = pthread_getspecific(srv->tls);

    if (store)
        return store;
    if (pl_store_open(&store, srv->db_path, 0, err) < 0)
        return NULL;
    pthread_setspecific(srv->tls, store);
    return store;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    pl_server *srv = cls;
    srv_req *req = *con_cls;
    unsigned refused;
    pl_error err;

    (void)version;
    if (!req) {
        if (!(req = calloc(1, sizeof(*req))))
            return MHD_NO;
        req->srv = srv;
        req->conn = conn;
        req->method = method;
        req->is_head = strcmp(method, "HEAD") == 0;
        req->started = srv_now_s();
        /* Before anything can answer: a request refused early (wrong body
         * type, no length, database down) is logged too. */
        req->secret_path = strncmp(url, "/me/", 4) == 0;
        if (!(req->path = strdup(url))) {
            free(req);
            return MHD_NO;
        }
        atomic_fetch_add(&srv->inflight, 1);
        *con_cls = req;
        /* Answer on the next call, once the whole request is in: a reply
         * queued earlier makes MHD close the connection. */
        if (strcmp(method, "POST") == 0 && (refused = srv_body_start(req)) != 0)
            return srv_refuse(req, refused);
        return MHD_YES;
    }
    if (req->later_state == SRV_LATER_READY) { /* a writer thread's answer */
        enum MHD_Result ok = srv_reply_send(req, &req->later, NULL);
        req->later_state = SRV_LATER_SENT;
        return ok;
    }
    if (req->later_state == SRV_LATER_QUEUED)
        return MHD_YES;
    if (req->answered) { /* refused early: drop the rest of the body */
        *upload_size = 0;
        return MHD_YES;
    }
    /* MHD takes no reply while the body is coming in (it closes the
     * connection instead): a bad body is read to its end, then refused. */
    if (*upload_size) {
        if (!req->refused)
            req->refused = srv_body_feed(req, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (req->refused)
        return srv_refuse(req, req->refused);
    if (!(req->store = thread_store(srv, &err))) {
        char buf[700];
        fprintf(stderr, "planner: %s\n", pl_error_format(&err, buf, sizeof(buf)));
        return srv_refuse(req, MHD_HTTP_SERVICE_UNAVAILABLE);
    }
    srv_deadline_answering(conn);
    if (strcmp(method, "POST") == 0)
        return srv_writers_submit(req);
    return srv_answer(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    pl_server *srv = cls;
    srv_req *req = *con_cls;

    (void)toe;
    srv_deadline_next(conn);
    if (!req)
        return;
    if (srv->opts.access_log)
        srv_log_request(req);
    srv_reply_free(&req->later);
    srv_req_free(req);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("planner: http: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* Each connection is a file descriptor: raise the soft limit of open files
 * to what the connection limit needs (up to the hard limit), else lower the
 * connection limit to fit, so that accept() never fails for want of one. */
static void fit_open_files(pl_server *srv)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)srv->opts.max_connections + 64;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want && rl.rlim_cur > 128) {
        fprintf(stderr, "planner: at most %lu open files: serving %lu connections, not %u\n",
                (unsigned long)rl.rlim_cur, (unsigned long)(rl.rlim_cur - 64),
                srv->opts.max_connections);
        srv->opts.max_connections = (unsigned)(rl.rlim_cur - 64);
    }
}

/* ---- start and stop ----------------------------------------------------- */

static int set_base_url(pl_server *srv, pl_error *err)
{
    const char *b = srv->opts.base_url;
    char buf[300];
    const char *host;
    size_t n;

    if (!b || !*b) {
        host = srv->opts.bind;
        if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0)
            host = "localhost";
        if (strchr(host, ':'))
            snprintf(buf, sizeof(buf), "http://[%s]:%u", host, srv->port);
        else
            snprintf(buf, sizeof(buf), "http://%s:%u", host, srv->port);
        b = buf;
    }
    if (strncmp(b, "http://", 7) != 0 && strncmp(b, "https://", 8) != 0)
        return pl_error_set(err, PL_EINVALID, "--base-url '%s' must start with http:// or https://",
                            b);
    if (!(srv->base_url = strdup(b)))
        return pl_error_oom(err);
    n = strlen(srv->base_url);
    while (n > 0 && srv->base_url[n - 1] == '/')
        srv->base_url[--n] = '\0';
    {
        const char *host_start = strstr(srv->base_url, "://") + 3;
        const char *slash = strchr(host_start, '/');
        size_t len = slash ? (size_t)(slash - srv->base_url) : strlen(srv->base_url);
        if (!(srv->base_origin = strndup(srv->base_url, len)))
            return pl_error_oom(err);
    }
    return 0;
}

int pl_server_start(pl_server **out, const pl_server_options *opts, pl_error *err)
{
    pl_server *srv = NULL;
    pl_store *store = NULL;
    struct sockaddr_storage addr = {0};
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    int rc = 0;

    *out = NULL;
    if (!opts->db_path || !opts->bind)
        return pl_error_set(err, PL_EINVALID, "the server needs a database path and an address");
    if (!(srv = calloc(1, sizeof(*srv))))
        return pl_error_oom(err);
    srv->opts = *opts;
    if (srv->opts.threads == 0)
        srv->opts.threads = 1;
    pthread_mutex_init(&srv->watch_lock, NULL);
    if (pthread_key_create(&srv->tls, free_thread_store) != 0) {
        free(srv);
        return pl_error_set(err, PL_ERROR, "cannot create thread-local storage");
    }
    if (!(srv->db_path = strdup(opts->db_path))) {
        rc = pl_error_oom(err);
        goto done;
    }
    if (opts->port > 65535) {
        rc = pl_error_set(err, PL_EINVALID, "--port %u is not a TCP port", opts->port);
        goto done;
    }
    if (strchr(opts->bind, ':')) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)opts->port);
        if (inet_pton(AF_INET6, opts->bind, &a6->sin6_addr) != 1)
            rc = -1;
        flags |= MHD_USE_IPv6;
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)opts->port);
        if (inet_pton(AF_INET, opts->bind, &a4->sin_addr) != 1)
            rc = -1;
    }
    if (rc < 0) {
        rc = pl_error_set(err, PL_EINVALID, "--bind '%s' is not an IPv4 or IPv6 address",
                          opts->bind);
        goto done;
    }
    /* The main thread creates and migrates the file, sets up the secrets, and
     * keeps one connection to watch for changes. */
    if ((rc = pl_store_open(&store, srv->db_path, PL_STORE_CREATE, err)) < 0)
        goto done;
    if ((rc = srv_admin_setup(srv, store, err)) < 0)
        goto done;
    if (srv->new_admin_token && opts->new_admin_token)
        opts->new_admin_token(srv->new_admin_token, opts->new_admin_token_payload);
    if ((rc = srv_admin_state_new(srv, err)) < 0)
        goto done;
    rc = srv_cache_open(srv, store, err);
    store = NULL;
    if (rc < 0)
        goto done;

    fit_open_files(srv);
    if ((rc = srv_deadline_start(srv, err)) < 0 || (rc = srv_writers_start(srv, err)) < 0 ||
        (rc = srv_housekeeping_start(srv, err)) < 0)
        goto done;
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)opts->port, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
        mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        srv->opts.threads, MHD_OPTION_CONNECTION_LIMIT, srv->opts.max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv->opts.max_per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
        srv->opts.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, srv->opts.connection_memory,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, srv_deadline_notify, srv, MHD_OPTION_END);
    if (!srv->daemon) {
        rc = pl_error_set(err, PL_EIO, "cannot listen on %s port %u (in use, or not allowed?)",
                          opts->bind, opts->port);
        goto done;
    }
    {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
        srv->port = info && info->port ? info->port : opts->port;
    }
    if ((rc = set_base_url(srv, err)) < 0)
        goto done;
    *out = srv;
    srv = NULL;
done:
    pl_store_free(store);
    if (srv)
        pl_server_stop(srv, 0);
    return rc;
}

unsigned pl_server_port(const pl_server *server)
{
    return server->port;
}

const char *pl_server_base_url(const pl_server *server)
{
    return server->base_url;
}

const char *pl_server_new_admin_token(const pl_server *server)
{
    return server->new_admin_token;
}

void pl_server_stop(pl_server *srv, unsigned grace_ms)
{
    if (!srv)
        return;
    if (srv->daemon) {
        MHD_socket listener = MHD_quiesce_daemon(srv->daemon);
        double deadline = srv_now_s() + grace_ms / 1000.0;

        if (listener != MHD_INVALID_SOCKET)
            close(listener);
        /* Requests whose headers have arrived finish; idle keep-alive
         * connections are simply closed by MHD_stop_daemon. */
        while (atomic_load(&srv->inflight) > 0 && srv_now_s() < deadline)
            usleep(5000);
        srv_writers_stop(srv); /* resumes the connections it holds */
        MHD_stop_daemon(srv->daemon);
    }
    srv_writers_stop(srv);
    srv_housekeeping_stop(srv);
    srv_deadline_stop(srv);
    srv_cache_close(srv);
    srv_admin_state_free(srv);
    pthread_key_delete(srv->tls);
    pthread_mutex_destroy(&srv->watch_lock);
    free(srv->db_path);
    free(srv->base_url);
    free(srv->base_origin);
    if (srv->new_admin_token)
        memset(srv->new_admin_token, 0, strlen(srv->new_admin_token));
    free(srv->new_admin_token);
    free(srv);
}
