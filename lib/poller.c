/* poller.c: a connection's supervisor thread. It starts each poll in a
 * worker thread and watches the deadline of every libvirt call, so that a
 * call that never returns costs its data's freshness, not the next polls. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmon-conn.h"
#include "vmon-util.h"
#include "vmon-watch.h"

#define NS_PER_S 1000000000ull
/* How long vmon_conn_stop waits for workers stuck in libvirt. */
#define VMON_STOP_GRACE_S 2

/* The poll that the calling thread runs, for vmon_watch_step. */
static __thread vmon_call *watched_call;

void vmon_watch_step(const char *what)
{
    vmon_call *call = watched_call;

    if (!call)
        return;
    pthread_mutex_lock(&call->vc->lock);
    call->what = what;
    call->step_ns = vmon_monotonic_ns();
    pthread_mutex_unlock(&call->vc->lock);
}

static void *worker_main(void *opaque)
{
    vmon_call *call = opaque;
    vmon_conn *vc = call->vc;

    watched_call = call;
    vmon_call_run(call);
    watched_call = NULL;
    pthread_mutex_lock(&vc->lock);
    call->is_done = true;
    vc->n_workers--;
    pthread_cond_broadcast(&vc->cond);
    pthread_mutex_unlock(&vc->lock);
    return NULL;
}

static int start_worker(vmon_conn *vc, vmon_call *call)
{
    pthread_attr_t attr;
    pthread_t thread;
    int rc;

    call->step_ns = call->started_ns;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_mutex_lock(&vc->lock);
    vc->calls[vc->n_calls++] = call;
    vc->n_workers++;
    rc = pthread_create(&thread, &attr, worker_main, call);
    if (rc != 0) {
        vc->n_workers--;
        call->is_done = true;
        call->rc = -1;
        snprintf(call->error, sizeof(call->error),
                 "cannot start a poll thread: %s", strerror(rc));
    }
    pthread_mutex_unlock(&vc->lock);
    pthread_attr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}

/* Under vc->lock: a poll may start unless one is running within its
 * deadline, or as many as allowed are stuck. */
static bool may_start(const vmon_conn *vc)
{
    size_t i;

    if (vc->n_calls >= VMON_MAX_CALLS)
        return false;
    for (i = 0; i < vc->n_calls; i++)
        if (!vc->calls[i]->is_done && !vc->calls[i]->is_overdue)
            return false;
    return true;
}

static vmon_call *take_done(const vmon_conn *vc)
{
    size_t i;

    for (i = 0; i < vc->n_calls; i++)
        if (vc->calls[i]->is_done)
            return vc->calls[i];
    return NULL;
}

/* Under vc->lock: the first running call past its deadline not yet
 * reported, marked; else the earliest deadline to come, in `*wake`. */
static vmon_call *find_overdue(vmon_conn *vc, uint64_t now, uint64_t *wake)
{
    uint64_t timeout = vc->poll_timeout_s * NS_PER_S;
    size_t i;

    for (i = 0; i < vc->n_calls; i++) {
        vmon_call *call = vc->calls[i];

        if (call->is_done || call->is_overdue)
            continue;
        if (now - call->step_ns >= timeout) {
            call->is_overdue = true;
            return call;
        }
        if (call->step_ns + timeout < *wake)
            *wake = call->step_ns + timeout;
    }
    return NULL;
}

static void wait_until(vmon_conn *vc, uint64_t wake_ns)
{
    struct timespec deadline = {(time_t)(wake_ns / NS_PER_S),
                                (long)(wake_ns % NS_PER_S)};

    pthread_cond_timedwait(&vc->cond, &vc->lock, &deadline);
}

/* One pass of the supervisor, under vc->lock (released around the work).
 * Returns the time of the next poll. */
static uint64_t supervise_once(vmon_conn *vc, uint64_t next_poll)
{
    uint64_t now = vmon_monotonic_ns(), wake = next_poll;
    vmon_call *call;

    if ((call = take_done(vc))) {
        bool has_failed = call->rc < 0 && call->seq > vc->done_seq;

        pthread_mutex_unlock(&vc->lock);
        vmon_conn_call_done(vc, call);
        pthread_mutex_lock(&vc->lock);
        /* after a failure, retry on the capped backoff, not the interval */
        return has_failed ? now + vmon_conn_next_delay(vc) * NS_PER_S
                          : next_poll;
    }
    if ((call = find_overdue(vc, now, &wake))) {
        const char *what = call->what;
        uint64_t step_ns = call->step_ns;

        pthread_mutex_unlock(&vc->lock);
        vmon_conn_call_overdue(vc, what, step_ns);
        pthread_mutex_lock(&vc->lock);
        return next_poll;
    }
    if (vmon_live_take_dirty(&vc->live)) {
        bool needs_poll;

        pthread_mutex_unlock(&vc->lock);
        needs_poll = vmon_conn_publish_live(vc);
        pthread_mutex_lock(&vc->lock);
        return needs_poll ? now : next_poll;
    }
    /* libvirt closed the connection: reconnect now, unless backing off */
    if (vmon_conn_is_closed(vc) && vc->backoff_s == 0 && may_start(vc))
        next_poll = now;
    if (now >= next_poll) {
        if (may_start(vc)) {
            pthread_mutex_unlock(&vc->lock);
            vmon_conn_retire(vc);
            call = vmon_conn_call_new(vc);
            if (call)
                start_worker(vc, call);
            pthread_mutex_lock(&vc->lock);
        }
        return now + vc->interval_s * NS_PER_S;
    }
    wait_until(vc, wake);
    return next_poll;
}

static void *supervise(void *opaque)
{
    vmon_conn *vc = opaque;
    uint64_t next_poll = vmon_monotonic_ns();

    pthread_mutex_lock(&vc->lock);
    while (!vc->is_stopping)
        next_poll = supervise_once(vc, next_poll);
    pthread_mutex_unlock(&vc->lock);
    return NULL;
}

int vmon_conn_start(vmon_conn *vc)
{
    pthread_condattr_t attr;

    /* the deadlines are monotonic: a clock step must not stall polling */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_destroy(&vc->cond);
    pthread_cond_init(&vc->cond, &attr);
    pthread_condattr_destroy(&attr);
    vc->is_stopping = false;
    vc->use_keepalive = true;
    if (pthread_create(&vc->thread, NULL, supervise, vc) != 0)
        return -1;
    vc->has_thread = true;
    return 0;
}

void vmon_conn_stop(vmon_conn *vc)
{
    uint64_t give_up = vmon_monotonic_ns() + VMON_STOP_GRACE_S * NS_PER_S;
    vmon_call *call;

    if (!vc->has_thread)
        return;
    pthread_mutex_lock(&vc->lock);
    vc->is_stopping = true;
    pthread_cond_broadcast(&vc->cond);
    pthread_mutex_unlock(&vc->lock);
    pthread_join(vc->thread, NULL);
    vc->has_thread = false;
    pthread_mutex_lock(&vc->lock);
    while (vc->n_workers > 0 && vmon_monotonic_ns() < give_up)
        wait_until(vc, give_up);
    while ((call = take_done(vc))) {
        pthread_mutex_unlock(&vc->lock);
        vmon_conn_call_done(vc, call);
        pthread_mutex_lock(&vc->lock);
    }
    pthread_mutex_unlock(&vc->lock);
    /* a libvirtd that never answered would not answer the close either */
    if (vc->n_workers == 0)
        vmon_conn_disconnect(vc);
}

int vmon_conn_poll(vmon_conn *vc)
{
    vmon_call *call = vmon_conn_call_new(vc);
    bool has_failed;

    if (!call)
        return -1;
    vmon_call_run(call);
    call->is_done = true;
    has_failed = call->rc < 0;
    vmon_conn_call_done(vc, call);
    return has_failed ? -1 : 0;
}

unsigned int vmon_conn_next_delay(const vmon_conn *vc)
{
    return vc->backoff_s ? vc->backoff_s : vc->interval_s;
}
