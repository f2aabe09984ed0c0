#include "ical_lock.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t lock;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_lock(void)
{
    pthread_mutexattr_t attr;

    if (pthread_mutexattr_init(&attr) != 0 ||
        pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE) != 0 ||
        pthread_mutex_init(&lock, &attr) != 0)
        abort(); /* only on a broken pthreads: nothing could be kept safe */
    pthread_mutexattr_destroy(&attr);
}

void pl_ical_lock(void)
{
    pthread_once(&once, init_lock);
    pthread_mutex_lock(&lock);
}

void pl_ical_unlock(void)
{
    pthread_mutex_unlock(&lock);
}
