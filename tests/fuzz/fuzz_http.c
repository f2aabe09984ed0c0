/*
 * libFuzzer target for the HTTP server (PLANNER_FUZZ=ON with clang, see
 * tests/CMakeLists.txt); its corpus is replayed by ctest with any compiler:
 *   build-fuzz/tests/fuzz_http tests/fuzz/corpus/http -max_total_time=600
 *
 * The real server (pl_server_start, libmicrohttpd, the route table, the
 * handlers, the writer threads) runs in this process on 127.0.0.1 over a
 * temporary database holding the sample workshop; each input is written
 * as raw bytes on a new connection (request line, headers, form or JSON
 * body), then the reply is read to the end. The sanitizers watch the
 * server's threads; the target checks that whatever comes back is an HTTP
 * response and that the server still answers a plain GET afterwards.
 */
#define _GNU_SOURCE /* memmem */
#include "server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ADMIN_TOKEN "fuzz-admin-token-0123456789abcdef"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pl_server *server;
static char dir[64];

static void stop(void)
{
    char path[128];

    pl_server_stop(server, 1000);
    server = NULL;
    for (const char *const *s = (const char *const[]){"", "-wal", "-shm", NULL}; *s; s++) {
        snprintf(path, sizeof(path), "%s/fuzz.db%s", dir, *s);
        unlink(path);
    }
    rmdir(dir);
}

static void start(void)
{
    pl_server_options opts = PL_SERVER_OPTIONS_INIT;
    pl_store *store = NULL;
    char db[128];
    pl_error err;

    snprintf(dir, sizeof(dir), "/tmp/planner-fuzz-http-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(db, sizeof(db), "%s/fuzz.db", dir);
    if (pl_store_open(&store, db, PL_STORE_CREATE, &err) < 0 ||
        pl_event_import_file(store, PL_FUZZ_EVENT, NULL, &err) < 0) {
        fprintf(stderr, "fuzz_http: %s\n", err.msg);
        abort();
    }
    pl_store_free(store);
    opts.db_path = db;
    opts.port = 0;
    opts.threads = 2;
    opts.access_log = 0;
    opts.admin_token = ADMIN_TOKEN;
    opts.request_timeout_s = 2;
    if (pl_server_start(&server, &opts, &err) < 0) {
        fprintf(stderr, "fuzz_http: %s\n", err.msg);
        abort();
    }
    atexit(stop);
}

/* The server did not answer: say what it was doing before aborting, so that
 * a hang found after hours of fuzzing can be understood (open descriptors,
 * and every thread's stack when gdb is installed). */
static void hang(void)
{
    char cmd[160];
    int fds = 0;
    DIR *d = opendir("/proc/self/fd");

    for (struct dirent *e; d && (e = readdir(d));)
        fds += e->d_name[0] != '.';
    if (d)
        closedir(d);
    fprintf(stderr, "fuzz_http: no answer within 30 s; %d open descriptors\n", fds);
    snprintf(cmd, sizeof(cmd),
             "command -v gdb >/dev/null && gdb -batch -nx -p %d -ex 'thread apply all bt' >&2",
             (int)getpid());
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_http: no stacks (gdb missing or failed)\n");
    abort();
}

/* Has a whole response come, headers (in buf[0..kept)) and Content-Length
 * bytes (total bytes received in all)? */
static int whole(const char *buf, size_t kept, size_t total)
{
    const char *end = memmem(buf, kept, "\r\n\r\n", 4), *cl;

    if (!end)
        return 0;
    cl = memmem(buf, (size_t)(end - buf), "Content-Length: ", 16);
    return cl && (size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10) <= total;
}

/* Send data on a new connection, close our side, read the reply into buf
 * (NUL-terminated, at most size - 1 bytes kept). MHD answers a request
 * whose client closed its side, but may keep the connection until a
 * timeout: the reading stops at the end of a whole response, or after a
 * short silence once something came (pipelined requests, HEAD). Returns the
 * bytes read. */
static size_t exchange(const uint8_t *data, size_t len, char *buf, size_t size)
{
    struct sockaddr_in a = {0};
    size_t got = 0, total = 0;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        abort();
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)pl_server_port(server));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
        abort(); /* the server stopped accepting */
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* the server may close early (a refused request) */
        data += n;
        len -= (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        char tmp[65536];
        ssize_t n;
        int r = poll(&p, 1, total == 0 ? 30000 : whole(buf, got, total) ? 1 : 50);
        /* libFuzzer's own timer (SIGALRM every -timeout/2 + 1 s, 601 s by
         * default) interrupts the wait: that is no finding. Aborting here
         * once stopped every 10-minute run at about 10 minutes. */
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            abort();
        if (r == 0) {
            if (total == 0)
                hang(); /* no reply and no close within 30 s, three times the request
                         * deadline: the server hangs (10 s fired once on a
                         * loaded machine for a request closed at once) */
            break;
        }
        if ((n = recv(fd, tmp, sizeof(tmp), 0)) < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        total += (size_t)n;
        if (got < size - 1) {
            size_t keep = (size_t)n < size - 1 - got ? (size_t)n : size - 1 - got;
            memcpy(buf + got, tmp, keep);
            got += keep;
        }
    }
    buf[got] = '\0';
    close(fd);
    return got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char probe[] = "GET /events.ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    static unsigned runs;
    char reply[4096];

    if (!server)
        start();
    if (size > 64 * 1024)
        return 0;
    if (exchange(data, size, reply, sizeof(reply)) > 0 && strncmp(reply, "HTTP/1.", 7) != 0)
        abort(); /* something else than an HTTP response came back */
    /* Still serving, and correctly (every 8th input: it halves the speed). */
    if (runs++ % 8 == 0 &&
        (exchange((const uint8_t *)probe, sizeof(probe) - 1, reply, sizeof(reply)) == 0 ||
         strncmp(reply, "HTTP/1.1 200", 12) != 0))
        abort();
    return 0;
}
