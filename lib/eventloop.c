/* eventloop.c: libvirt's default event loop on a thread of its own, needed
 * for keepalive, close callbacks and domain events. Process-wide. */
#include <config.h>

#include <pthread.h>
#include <libvirt/virterror.h>

#include "vmon-collect.h"
#include "vmon-eventloop.h"

static pthread_mutex_t loop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t loop_thread;
static int loop_users;
static int is_quitting;
static bool is_registered;

static void *loop_main(void *opaque)
{
    (void)opaque;
    while (!__atomic_load_n(&is_quitting, __ATOMIC_SEQ_CST)) {
        if (virEventRunDefaultImpl() < 0) {
            vmon_log(VMON_LOG_ERR, "libvirt event loop failed: %s",
                     vmon_virt_error());
            virResetLastError();
        }
    }
    return NULL;
}

/* A one-shot timer whose only job is to make the loop return. */
static void wake_timer(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

int vmon_eventloop_start(void)
{
    int ret = 0;

    pthread_mutex_lock(&loop_lock);
    if (loop_users++ > 0)
        goto cleanup;
    if (!is_registered) {
        if (virEventRegisterDefaultImpl() < 0) {
            vmon_log(VMON_LOG_ERR, "cannot start libvirt event loop: %s",
                     vmon_virt_error());
            loop_users--;
            ret = -1;
            goto cleanup;
        }
        is_registered = true;
    }
    __atomic_store_n(&is_quitting, 0, __ATOMIC_SEQ_CST);
    if (pthread_create(&loop_thread, NULL, loop_main, NULL) != 0) {
        loop_users--;
        ret = -1;
    }
cleanup:
    pthread_mutex_unlock(&loop_lock);
    return ret;
}

void vmon_eventloop_stop(void)
{
    pthread_mutex_lock(&loop_lock);
    if (loop_users == 0 || --loop_users > 0) {
        pthread_mutex_unlock(&loop_lock);
        return;
    }
    __atomic_store_n(&is_quitting, 1, __ATOMIC_SEQ_CST);
    virEventAddTimeout(0, wake_timer, NULL, NULL);
    pthread_join(loop_thread, NULL);
    pthread_mutex_unlock(&loop_lock);
}

bool vmon_eventloop_is_running(void)
{
    bool running;

    pthread_mutex_lock(&loop_lock);
    running = loop_users > 0;
    pthread_mutex_unlock(&loop_lock);
    return running;
}
