/* core.c: the set of watched URIs, one poll thread for each (so one hung
 * libvirtd stalls only its own data), and the wake-up pipe for readers. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "vmon-internal.h"
#include "vmon-magic-local.h"

struct vmon_core {
    size_t n_conns;
    vmon_conn **conns;
    int wake[2];
    vmon_event_queue *events;
    bool is_started;
};

/* libvirt prints every error on stderr by default; the core reports the
 * ones that matter through vmon_log instead. */
static void silent_error(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

int vmon_pipe_new(int fds[2])
{
    int i;

    if (pipe(fds) < 0)
        return -1;
    for (i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    return 0;
}

static bool config_is_valid(const vmon_core_config *config)
{
    size_t i;

    if (config->n_uris == 0) {
        vmon_log(VMON_LOG_ERR, "no libvirt URI to watch");
        return false;
    }
    if (config->interval_s < 1 || config->interval_s > 86400) {
        vmon_log(VMON_LOG_ERR, "poll interval '%u' out of range 1..86400",
                 config->interval_s);
        return false;
    }
    if (config->stats_groups & ~(unsigned int)VMON_GROUP_ALL) {
        vmon_log(VMON_LOG_ERR, "unknown stats groups '0x%x'",
                 config->stats_groups);
        return false;
    }
    if (config->event_queue_len > VMON_EVENT_QUEUE_MAX) {
        vmon_log(VMON_LOG_ERR, "event queue length '%u' out of range 1..%u",
                 config->event_queue_len, VMON_EVENT_QUEUE_MAX);
        return false;
    }
    for (i = 0; i < config->n_uris; i++) {
        if (!config->uris[i] || !*config->uris[i]) {
            vmon_log(VMON_LOG_ERR, "empty libvirt URI (number %zu)", i + 1);
            return false;
        }
    }
    return true;
}

vmon_core *vmon_core_new(const vmon_core_config *config)
{
    vmon_core *core;
    size_t i;

    if (!config_is_valid(config))
        return NULL;
    vmon_magic_set_local_read(config->magic_local_read);
    if (!(core = calloc(1, sizeof(*core))))
        return NULL;
    core->wake[0] = core->wake[1] = -1;
    virSetErrorFunc(NULL, silent_error);
    if (vmon_pipe_new(core->wake) < 0 ||
        !(core->events = vmon_event_queue_new(config->event_queue_len)) ||
        !(core->conns = calloc(config->n_uris, sizeof(*core->conns))))
        goto error;
    for (i = 0; i < config->n_uris; i++) {
        core->conns[i] = vmon_conn_new(
            i + 1, config->uris[i], config->interval_s, config->stats_groups);
        if (!core->conns[i])
            goto error;
        core->conns[i]->core = core;
        core->conns[i]->events = core->events;
        core->conns[i]->limits =
            (vmon_limits){config->cell_low_bytes, config->host_low_bytes,
                          config->hysteresis_bytes};
        memcpy(core->conns[i]->group_every, config->group_every,
               sizeof(config->group_every));
        core->n_conns++;
    }
    return core;
error:
    vmon_log(VMON_LOG_ERR, "cannot set up the core: %s", strerror(errno));
    vmon_core_free(core);
    return NULL;
}

void vmon_core_notify(vmon_core *core)
{
    char c = 1;

    /* a full pipe already says "new data": losing this byte is fine */
    if (write(core->wake[1], &c, 1) < 0 && errno != EAGAIN)
        vmon_log(VMON_LOG_WARNING, "cannot wake reader: %s", strerror(errno));
}

int vmon_core_wake_fd(const vmon_core *core)
{
    return core->wake[0];
}

void vmon_core_drain_wake(vmon_core *core)
{
    char buf[64];

    while (read(core->wake[0], buf, sizeof(buf)) > 0)
        ;
}

/* Wait until `deadline_ms` (monotonic) unless stopped or the connection
 * closed; returns false when the thread should end. */
static bool wait_until(vmon_conn *vc, const struct timespec *deadline)
{
    bool keep_going;

    pthread_mutex_lock(&vc->lock);
    while (!vc->is_stopping &&
           !__atomic_load_n(&vc->is_closed, __ATOMIC_SEQ_CST)) {
        if (pthread_cond_timedwait(&vc->cond, &vc->lock, deadline) == ETIMEDOUT)
            break;
    }
    keep_going = !vc->is_stopping;
    pthread_mutex_unlock(&vc->lock);
    return keep_going;
}

static void *poll_main(void *opaque)
{
    vmon_conn *vc = opaque;
    struct timespec deadline;

    do {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        vmon_conn_poll(vc);
        deadline.tv_sec += vmon_conn_next_delay(vc);
    } while (wait_until(vc, &deadline));
    return NULL;
}

static int start_thread(vmon_conn *vc)
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
    if (pthread_create(&vc->thread, NULL, poll_main, vc) != 0)
        return -1;
    vc->has_thread = true;
    return 0;
}

int vmon_core_start(vmon_core *core)
{
    size_t i;

    if (core->is_started)
        return 0;
    if (vmon_eventloop_start() < 0)
        return -1;
    core->is_started = true;
    for (i = 0; i < core->n_conns; i++) {
        if (start_thread(core->conns[i]) < 0) {
            vmon_log(VMON_LOG_ERR, "cannot start poll thread for '%s'",
                     core->conns[i]->uri);
            vmon_core_stop(core);
            return -1;
        }
    }
    return 0;
}

void vmon_core_stop(vmon_core *core)
{
    size_t i;

    if (!core || !core->is_started)
        return;
    for (i = 0; i < core->n_conns; i++) {
        vmon_conn *vc = core->conns[i];

        pthread_mutex_lock(&vc->lock);
        vc->is_stopping = true;
        pthread_cond_signal(&vc->cond);
        pthread_mutex_unlock(&vc->lock);
    }
    for (i = 0; i < core->n_conns; i++) {
        vmon_conn *vc = core->conns[i];

        if (vc->has_thread)
            pthread_join(vc->thread, NULL);
        vc->has_thread = false;
        vmon_conn_disconnect(vc);
    }
    vmon_eventloop_stop();
    core->is_started = false;
}

void vmon_core_free(vmon_core *core)
{
    size_t i;

    if (!core)
        return;
    vmon_core_stop(core);
    for (i = 0; i < core->n_conns; i++)
        vmon_conn_free(core->conns[i]);
    free(core->conns);
    vmon_event_queue_free(core->events);
    if (core->wake[0] >= 0)
        close(core->wake[0]);
    if (core->wake[1] >= 0)
        close(core->wake[1]);
    free(core);
}

vmon_snapshot *vmon_core_snapshot(vmon_core *core)
{
    vmon_snapshot *snap = calloc(1, sizeof(*snap));
    size_t i;

    if (!snap || !(snap->conns = calloc(core->n_conns, sizeof(*snap->conns)))) {
        free(snap);
        return NULL;
    }
    snap->refs = 1;
    for (i = 0; i < core->n_conns; i++)
        snap->conns[i] = vmon_conn_current(core->conns[i]);
    snap->n_conns = core->n_conns;
    return snap;
}

int vmon_core_poll_once(vmon_core *core)
{
    int failed = 0;
    size_t i;

    for (i = 0; i < core->n_conns; i++)
        if (vmon_conn_poll(core->conns[i]) < 0)
            failed++;
    return failed;
}

int vmon_core_event_fd(const vmon_core *core)
{
    return vmon_event_queue_fd(core->events);
}

vmon_event *vmon_core_next_event(vmon_core *core)
{
    return vmon_event_queue_pop(core->events);
}

uint64_t vmon_core_events_dropped(const vmon_core *core)
{
    return vmon_event_queue_dropped(core->events);
}

uint64_t vmon_core_events_queued(const vmon_core *core)
{
    return vmon_event_queue_total(core->events);
}

vmon_conn *vmon_core_conn(vmon_core *core, size_t i)
{
    return i < core->n_conns ? core->conns[i] : NULL;
}
