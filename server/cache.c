/*
 * cache.c - the reply cache of public GETs (the feeds and the pages built
 * once per database change), and the database generation it is valid for.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 64

typedef struct cache_entry {
    char key[200];
    long long generation;
    unsigned long long used;
    char *body;
    size_t len;
    const char *type;
    const char *cache_control;
    char etag[48];
    char modified[32];
} cache_entry;

struct srv_cache {
    pthread_rwlock_t lock;
    unsigned long long clock;
    cache_entry slots[CACHE_SLOTS];
};

int srv_cache_get(pl_server *srv, const char *key, long long gen, srv_reply *out, char etag[48])
{
    struct srv_cache *c = srv->cache;
    int hit = 0;

    pthread_rwlock_rdlock(&c->lock);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        cache_entry *e = &c->slots[i];
        if (e->body && e->generation == gen && strcmp(e->key, key) == 0) {
            out->body = malloc(e->len ? e->len : 1);
            if (out->body) {
                memcpy(out->body, e->body, e->len);
                out->len = e->len;
                out->status = 200;
                out->type = e->type;
                out->cache_control = e->cache_control;
                out->conditional = 1;
                memcpy(out->modified, e->modified, sizeof(out->modified));
                memcpy(etag, e->etag, 48);
                e->used = ++c->clock; /* a benign race under the read lock */
                hit = 1;
            }
            break;
        }
    }
    pthread_rwlock_unlock(&c->lock);
    return hit;
}

void srv_cache_put(pl_server *srv, const char *key, long long gen, const srv_reply *r,
                   const char etag[48])
{
    struct srv_cache *c = srv->cache;
    cache_entry *victim = NULL;
    char *copy = malloc(r->len ? r->len : 1);

    if (!copy || strlen(key) >= sizeof(victim->key)) {
        free(copy);
        return;
    }
    memcpy(copy, r->body, r->len);
    pthread_rwlock_wrlock(&c->lock);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        cache_entry *e = &c->slots[i];
        if (e->body && strcmp(e->key, key) == 0) {
            victim = e;
            break;
        }
        if (!victim || !e->body || (victim->body && e->used < victim->used))
            victim = e;
    }
    free(victim->body);
    snprintf(victim->key, sizeof(victim->key), "%s", key);
    victim->generation = gen;
    victim->used = ++c->clock;
    victim->body = copy;
    victim->len = r->len;
    victim->type = r->type;
    victim->cache_control = r->cache_control;
    memcpy(victim->etag, etag, 48);
    memcpy(victim->modified, r->modified, sizeof(victim->modified));
    pthread_rwlock_unlock(&c->lock);
}

/*
 * The reply cache is valid for one generation. pl_store_data_version on a
 * dedicated connection moves whenever any other connection (a worker, or the
 * command line in another process) commits, so the cache never serves bytes
 * older than the database.
 */
long long srv_generation(pl_server *srv)
{
    long long v;

    pthread_mutex_lock(&srv->watch_lock);
    if (pl_store_data_version(&v, srv->watch, NULL) == 0) {
        if (v != srv->watch_version) {
            srv->watch_version = v;
            atomic_fetch_add(&srv->generation, 1);
        }
    } else {
        atomic_fetch_add(&srv->generation, 1); /* cannot tell: assume a change */
    }
    pthread_mutex_unlock(&srv->watch_lock);
    return atomic_load(&srv->generation);
}

void srv_changed(pl_server *srv)
{
    atomic_fetch_add(&srv->generation, 1);
}

int srv_cache_open(pl_server *srv, pl_store *watch, pl_error *err)
{
    srv->watch = watch;
    if (!(srv->cache = calloc(1, sizeof(*srv->cache))))
        return pl_error_oom(err);
    pthread_rwlock_init(&srv->cache->lock, NULL);
    srv_generation(srv);
    return 0;
}

void srv_cache_close(pl_server *srv)
{
    if (srv->cache) {
        for (int i = 0; i < CACHE_SLOTS; i++)
            free(srv->cache->slots[i].body);
        pthread_rwlock_destroy(&srv->cache->lock);
        free(srv->cache);
        srv->cache = NULL;
    }
    pl_store_free(srv->watch);
    srv->watch = NULL;
}
