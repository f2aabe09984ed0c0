/*
 * bench_feed.c - the all-events feed for N events x M sessions (default
 * 1,000 x 20): time and peak memory, against the floor of writing the same
 * bytes from memory.
 *
 *   bench_feed [EVENTS [SESSIONS [RUNS]]]
 *
 * Each phase runs in its own child process, so that its peak resident size
 * (ru_maxrss from wait4) is its own:
 *   store  pl_calendar_feed_all: load every event from SQLite, then write
 *   write  pl_calendar_write_events on events already in memory
 *   floor  copy the finished feed's bytes into a buffer and write them
 *          to /dev/null: what any feed writer must at least do
 * The database is built once in a temp folder before the phases.
 */
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const pl_error *err)
{
    fprintf(stderr, "bench_feed: %s: %s\n", what, err ? err->msg : "failed");
    exit(1);
}

static const char *const kinds[] = {"plenary", "talk", "workshop", "break", "meal", "forum"};

/* One event as JSON, with French text so that folding meets accents. */
static char *event_json(int e, int nsessions)
{
    pl_buf b = PL_BUF_INIT;
    int day = 1 + e % 28, month = 1 + (e / 28) % 12, year = 2027 + e / 336;

    pl_buf_printf(&b,
                  "{\"slug\": \"evenement-%04d\", \"title\": \"Rencontre n°%d — mobilités "
                  "durables, covoiturage et vélo\", \"summary\": \"Une journée d'échanges "
                  "entre conseillers en mobilité, élus et entreprises.\", \"description\": "
                  "\"Témoignages, ateliers en parallèle, déjeuner en commun puis forum "
                  "ouvert ; venez en covoiturage.\", \"format\": \"%s\", \"timezone\": "
                  "\"Europe/Paris\", \"start\": \"%04d-%02d-%02dT08:00\", \"end\": "
                  "\"%04d-%02d-%02dT18:30\", \"venue\": {\"name\": \"Maison des "
                  "Canaux\", \"address\": \"6 quai de la Seine, 75019 Paris\", \"lat\": "
                  "48.8849, \"lon\": 2.3706}, %s\"capacity\": 60, \"organizations\": "
                  "[\"ADEME\"], \"speakers\": [",
                  e, e, e % 4 == 3 ? "hybrid" : "in_person", year, month, day, year, month, day,
                  e % 4 == 3 ? "\"online_url\": \"https://visio.example.org/cem/r\", " : "");
    for (int s = 0; s < 3; s++)
        pl_buf_printf(&b,
                      "%s{\"id\": \"sp%d\", \"name\": \"Élodie Massart %d\", "
                      "\"organization\": \"Communauté d'agglomération — pôle mobilités\"}",
                      s ? ", " : "", s, s);
    pl_buf_puts(&b, "], \"sessions\": [");
    for (int s = 0; s < nsessions; s++) {
        int start = 8 * 60 + s * 30, end = start + 30;
        pl_buf_printf(&b,
                      "%s{\"id\": \"s%02d\", \"title\": \"Séance %d : retours "
                      "d'expérience sur les plans de mobilité employeur\", \"kind\": \"%s\", "
                      "\"start\": \"%02d:%02d\", \"end\": \"%02d:%02d\", \"room\": \"Salle "
                      "%d\", \"speakers\": [\"sp%d\"], \"description\": \"Comment regrouper "
                      "entreprises et administrations, les animer selon leur secteur "
                      "d'activité, la stratégie d'approche et la labellisation.\"}",
                      s ? ", " : "", s, s, kinds[s % 6], start / 60, start % 60, end / 60, end % 60,
                      s % 3, s % 3);
    }
    pl_buf_puts(&b, "], \"status\": \"published\"}");
    return pl_buf_detach(&b);
}

static void build_db(const char *db, int nevents, int nsessions)
{
    pl_store *store = NULL;
    pl_error err;

    if (pl_store_open(&store, db, PL_STORE_CREATE, &err) < 0)
        die(db, &err);
    for (int e = 0; e < nevents; e++) {
        char *json = event_json(e, nsessions);
        pl_event *ev = NULL;
        if (pl_event_parse_json_text(&ev, json, strlen(json), "bench", &err) < 0 ||
            pl_event_save(store, ev, NULL, &err) < 0)
            die("event", &err);
        pl_event_free(ev);
        free(json);
    }
    pl_store_free(store);
}

/* Run one phase; prints "seconds bytes" on stdout for the parent. */
static int phase(const char *which, const char *db, int runs)
{
    pl_store *store = NULL;
    pl_event **events = NULL;
    size_t nevents = 0, len = 0;
    char *feed = NULL;
    double best = 1e9;
    pl_error err;

    if (strcmp(which, "floor") == 0) {
        /* The floor holds nothing but the bytes, read back from the file
         * the write phase left. */
        char path[96];
        FILE *f;
        snprintf(path, sizeof(path), "%s.ics", db);
        if (!(f = fopen(path, "rb")) || fseek(f, 0, SEEK_END) != 0)
            die(path, NULL);
        len = (size_t)ftell(f);
        rewind(f);
        if (!(feed = malloc(len)) || fread(feed, 1, len, f) != len)
            die(path, NULL);
        fclose(f);
    } else {
        if (pl_store_open(&store, db, 0, &err) < 0)
            die(db, &err);
        if (strcmp(which, "write") == 0 && pl_event_list(&events, &nevents, store, &err) < 0)
            die("list", &err);
    }
    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        if (strcmp(which, "store") == 0) {
            free(feed);
            if (pl_calendar_feed_all(&feed, &len, store, NULL, &err) < 0)
                die("feed", &err);
        } else if (strcmp(which, "write") == 0) {
            free(feed);
            if (pl_calendar_write_events(&feed, &len, events, nevents, NULL, 0, NULL, &err) < 0)
                die("write", &err);
        } else {
            char *copy = malloc(len);
            FILE *f = fopen("/dev/null", "wb");
            if (!copy || !f)
                die("floor", NULL);
            memcpy(copy, feed, len);
            if (fwrite(copy, 1, len, f) != len)
                die("floor", NULL);
            fclose(f);
            free(copy);
        }
        double t = now_s() - t0;
        if (t < best)
            best = t;
    }
    if (strcmp(which, "write") == 0) {
        char path[96];
        FILE *f;
        snprintf(path, sizeof(path), "%s.ics", db);
        if (!(f = fopen(path, "wb")) || fwrite(feed, 1, len, f) != len || fclose(f) != 0)
            die(path, NULL);
    }
    printf("%.6f %zu\n", best, len);
    free(feed);
    pl_event_list_free(events, nevents);
    pl_store_free(store);
    return 0;
}

static void run_child(const char *self, const char *which, const char *db, int runs, double *secs,
                      size_t *bytes, long *maxrss_kb)
{
    int fds[2];
    char runs_s[16], buf[128] = "";
    struct rusage ru;
    int status;
    pid_t pid;

    snprintf(runs_s, sizeof(runs_s), "%d", runs);
    if (pipe(fds) != 0 || (pid = fork()) < 0)
        die("fork", NULL);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execl(self, self, "--phase", which, db, runs_s, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
    close(fds[0]);
    if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || n <= 0)
        die(which, NULL);
    buf[n] = '\0';
    if (sscanf(buf, "%lf %zu", secs, bytes) != 2)
        die(which, NULL);
    *maxrss_kb = ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    int nevents = 1000, nsessions = 20, runs = 5;
    char dir[] = "/tmp/planner-bench-XXXXXX", db[64];
    double t_store, t_write, t_floor, t0;
    size_t b_store, b_write, b_floor;
    long m_store, m_write, m_floor;

    if (argc == 5 && strcmp(argv[1], "--phase") == 0)
        return phase(argv[2], argv[3], atoi(argv[4]));
    if (argc > 1)
        nevents = atoi(argv[1]);
    if (argc > 2)
        nsessions = atoi(argv[2]);
    if (argc > 3)
        runs = atoi(argv[3]);
    if (nevents <= 0 || nsessions <= 0 || nsessions > 20 || runs <= 0) {
        fprintf(stderr, "usage: bench_feed [EVENTS [SESSIONS (1-20) [RUNS]]]\n");
        return 2;
    }
    if (!mkdtemp(dir))
        die("mkdtemp", NULL);
    snprintf(db, sizeof(db), "%s/bench.db", dir);
    setenv("PLANNER_NOW", "2026-10-01T08:00:00Z", 1);
    t0 = now_s();
    build_db(db, nevents, nsessions);
    fprintf(stderr, "bench_feed: %d events x %d sessions stored in %.1f s\n", nevents, nsessions,
            now_s() - t0);
    run_child("/proc/self/exe", "store", db, runs, &t_store, &b_store, &m_store);
    run_child("/proc/self/exe", "write", db, runs, &t_write, &b_write, &m_write);
    run_child("/proc/self/exe", "floor", db, runs, &t_floor, &b_floor, &m_floor);
    if (b_store != b_write || b_write != b_floor)
        die("the phases wrote different feeds", NULL);
    printf("feed: %d events x %d sessions = %d VEVENTs, %zu bytes (%.1f MiB); best of %d runs\n",
           nevents, nsessions, nevents * (nsessions + 1), b_store, (double)b_store / 1048576.0,
           runs);
    printf("%-34s %10s %12s %8s\n", "phase", "time (ms)", "peak RSS MiB", "x floor");
    printf("%-34s %10.1f %12.1f %8.1f\n", "store: load from SQLite + write", t_store * 1e3,
           (double)m_store / 1024.0, t_store / t_floor);
    printf("%-34s %10.1f %12.1f %8.1f\n", "write: events in memory -> feed", t_write * 1e3,
           (double)m_write / 1024.0, t_write / t_floor);
    printf("%-34s %10.1f %12.1f %8.1f\n", "floor: copy + write the bytes", t_floor * 1e3,
           (double)m_floor / 1024.0, 1.0);
    unlink(db);
    {
        char ics[96];
        snprintf(ics, sizeof(ics), "%s.ics", db);
        unlink(ics);
    }
    {
        char side[96];
        snprintf(side, sizeof(side), "%s-wal", db);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", db);
        unlink(side);
    }
    rmdir(dir);
    return 0;
}
