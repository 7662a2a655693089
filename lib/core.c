/* core.c: the set of watched URIs, each with its own supervisor thread (so
 * one hung libvirtd stalls only its own data), and the wake-up pipe for
 * readers. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "vmon-conn.h"
#include "vmon-core-internal.h"
#include "vmon-eventloop.h"
#include "vmon-magic-local.h"
#include "vmon-queue.h"
#include "vmon-util.h"

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
    if (config->poll_timeout_s > VMON_POLL_TIMEOUT_MAX) {
        vmon_log(VMON_LOG_ERR, "poll timeout '%u' out of range 1..%u",
                 config->poll_timeout_s, VMON_POLL_TIMEOUT_MAX);
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

static void notify(void *opaque);

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
        vmon_conn_config cc = {
            .index = i + 1,
            .uri = config->uris[i],
            .interval_s = config->interval_s,
            .poll_timeout_s = config->poll_timeout_s,
            .stats_groups = config->stats_groups,
            .limits = {config->cell_low_bytes, config->host_low_bytes,
                       config->hysteresis_bytes},
            .events = core->events,
            .notify = notify,
            .notify_opaque = core,
        };

        memcpy(cc.group_every, config->group_every, sizeof(cc.group_every));
        if (!(core->conns[i] = vmon_conn_new(&cc)))
            goto error;
        core->n_conns++;
    }
    return core;
error:
    vmon_log(VMON_LOG_ERR, "cannot set up the core: %s", strerror(errno));
    vmon_core_free(core);
    return NULL;
}

static void notify(void *opaque)
{
    vmon_core *core = opaque;
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

int vmon_core_start(vmon_core *core)
{
    size_t i;

    if (core->is_started)
        return 0;
    if (vmon_eventloop_start() < 0)
        return -1;
    core->is_started = true;
    for (i = 0; i < core->n_conns; i++) {
        if (vmon_conn_start(core->conns[i]) < 0) {
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
    for (i = 0; i < core->n_conns; i++)
        vmon_conn_stop(core->conns[i]);
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
