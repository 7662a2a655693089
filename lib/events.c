/* events.c: the bounded event queue with its wake-up pipe, and libvirt's
 * domain lifecycle callback that fills it from the event loop thread. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "vmon-internal.h"

#define VMON_EVENT_QUEUE_DEFAULT 1024

/* A ring of events. The pipe holds one byte exactly while the ring is not
 * empty, so its read end is readable when, and only when, there is work. */
struct vmon_event_queue {
    pthread_mutex_t lock;
    vmon_event **ring;
    size_t size, head, len;
    uint64_t total, dropped;
    int pipe[2];
};

vmon_event_queue *vmon_event_queue_new(unsigned int len)
{
    vmon_event_queue *queue = calloc(1, sizeof(*queue));

    if (!queue)
        return NULL;
    queue->pipe[0] = queue->pipe[1] = -1;
    queue->size = len ? len : VMON_EVENT_QUEUE_DEFAULT;
    pthread_mutex_init(&queue->lock, NULL);
    if (!(queue->ring = calloc(queue->size, sizeof(*queue->ring))) ||
        vmon_pipe_new(queue->pipe) < 0) {
        vmon_event_queue_free(queue);
        return NULL;
    }
    return queue;
}

void vmon_event_queue_free(vmon_event_queue *queue)
{
    vmon_event *ev;

    if (!queue)
        return;
    while (queue->ring && (ev = vmon_event_queue_pop(queue)))
        vmon_event_free(ev);
    if (queue->pipe[0] >= 0)
        close(queue->pipe[0]);
    if (queue->pipe[1] >= 0)
        close(queue->pipe[1]);
    pthread_mutex_destroy(&queue->lock);
    free(queue->ring);
    free(queue);
}

void vmon_event_queue_push(vmon_event_queue *queue, vmon_event *ev)
{
    bool is_dropped = false;
    char c = 1;

    pthread_mutex_lock(&queue->lock);
    if (!ev || queue->len == queue->size) {
        queue->dropped++;
        is_dropped = true;
    } else {
        queue->ring[(queue->head + queue->len) % queue->size] = ev;
        if (queue->len++ == 0 && write(queue->pipe[1], &c, 1) < 0)
            vmon_log(VMON_LOG_WARNING, "cannot signal queued event: %s",
                     strerror(errno));
        queue->total++;
    }
    pthread_mutex_unlock(&queue->lock);
    /* the reader learns of drops from the counter, not from the log */
    if (is_dropped)
        vmon_event_free(ev);
}

vmon_event *vmon_event_queue_pop(vmon_event_queue *queue)
{
    vmon_event *ev = NULL;
    char c;

    pthread_mutex_lock(&queue->lock);
    if (queue->len > 0) {
        ev = queue->ring[queue->head];
        queue->ring[queue->head] = NULL;
        queue->head = (queue->head + 1) % queue->size;
        if (--queue->len == 0 && read(queue->pipe[0], &c, 1) < 0)
            vmon_log(VMON_LOG_WARNING, "cannot clear event signal: %s",
                     strerror(errno));
    }
    pthread_mutex_unlock(&queue->lock);
    return ev;
}

int vmon_event_queue_fd(const vmon_event_queue *queue)
{
    return queue->pipe[0];
}

uint64_t vmon_event_queue_dropped(vmon_event_queue *queue)
{
    uint64_t n;

    pthread_mutex_lock(&queue->lock);
    n = queue->dropped;
    pthread_mutex_unlock(&queue->lock);
    return n;
}

uint64_t vmon_event_queue_total(vmon_event_queue *queue)
{
    uint64_t n;

    pthread_mutex_lock(&queue->lock);
    n = queue->total;
    pthread_mutex_unlock(&queue->lock);
    return n;
}

uint64_t vmon_monotonic_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

vmon_event *vmon_event_new(vmon_event_kind kind, const vmon_conn *vc)
{
    vmon_event *ev = calloc(1, sizeof(*ev));

    if (!ev)
        return NULL;
    if (!(ev->uri = strdup(vc->uri))) {
        free(ev);
        return NULL;
    }
    ev->kind = kind;
    ev->conn_index = vc->index;
    clock_gettime(CLOCK_REALTIME, &ev->time);
    ev->seen_ns = vmon_monotonic_ns();
    return ev;
}

void vmon_event_free(vmon_event *ev)
{
    if (!ev)
        return;
    free(ev->uri);
    free(ev->dom_name);
    free(ev->reason_text);
    free(ev);
}

void vmon_event_emit(vmon_conn *vc, vmon_event *ev)
{
    if (vc->events)
        vmon_event_queue_push(vc->events, ev);
    else
        vmon_event_free(ev);
}

/* The state each lifecycle event leaves a domain in, per detail, as libvirt
 * 9.0's drivers set it. A detail the table lacks (a newer libvirt) gets the
 * type's state with reason 0, which is "unknown" for every state. */
typedef struct {
    int state, reason;
} state_reason;

#define SR(state, reason)                                                      \
    {                                                                          \
        VIR_DOMAIN_##state, VIR_DOMAIN_##state##_##reason                      \
    }

static const state_reason started_states[] = {
    [VIR_DOMAIN_EVENT_STARTED_BOOTED] = SR(RUNNING, BOOTED),
    [VIR_DOMAIN_EVENT_STARTED_MIGRATED] = SR(RUNNING, MIGRATED),
    [VIR_DOMAIN_EVENT_STARTED_RESTORED] = SR(RUNNING, RESTORED),
    [VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT] = SR(RUNNING, FROM_SNAPSHOT),
    [VIR_DOMAIN_EVENT_STARTED_WAKEUP] = SR(RUNNING, WAKEUP),
};

/* the reason of a paused domain restored from a state file depends on the
 * driver's internals: claim none */
static const state_reason suspended_states[] = {
    [VIR_DOMAIN_EVENT_SUSPENDED_PAUSED] = SR(PAUSED, USER),
    [VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED] = SR(PAUSED, MIGRATION),
    [VIR_DOMAIN_EVENT_SUSPENDED_IOERROR] = SR(PAUSED, IOERROR),
    [VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG] = SR(PAUSED, WATCHDOG),
    [VIR_DOMAIN_EVENT_SUSPENDED_RESTORED] = SR(PAUSED, UNKNOWN),
    [VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT] = SR(PAUSED, FROM_SNAPSHOT),
    [VIR_DOMAIN_EVENT_SUSPENDED_API_ERROR] = SR(PAUSED, UNKNOWN),
    [VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY] = SR(PAUSED, POSTCOPY),
    [VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED] = SR(PAUSED, POSTCOPY_FAILED),
};

static const state_reason resumed_states[] = {
    [VIR_DOMAIN_EVENT_RESUMED_UNPAUSED] = SR(RUNNING, UNPAUSED),
    [VIR_DOMAIN_EVENT_RESUMED_MIGRATED] = SR(RUNNING, MIGRATED),
    [VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT] = SR(RUNNING, FROM_SNAPSHOT),
    [VIR_DOMAIN_EVENT_RESUMED_POSTCOPY] = SR(RUNNING, POSTCOPY),
    [VIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED] = SR(RUNNING, POSTCOPY_FAILED),
};

static const state_reason stopped_states[] = {
    [VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN] = SR(SHUTOFF, SHUTDOWN),
    [VIR_DOMAIN_EVENT_STOPPED_DESTROYED] = SR(SHUTOFF, DESTROYED),
    [VIR_DOMAIN_EVENT_STOPPED_CRASHED] = SR(SHUTOFF, CRASHED),
    [VIR_DOMAIN_EVENT_STOPPED_MIGRATED] = SR(SHUTOFF, MIGRATED),
    [VIR_DOMAIN_EVENT_STOPPED_SAVED] = SR(SHUTOFF, SAVED),
    [VIR_DOMAIN_EVENT_STOPPED_FAILED] = SR(SHUTOFF, FAILED),
    [VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT] = SR(SHUTOFF, FROM_SNAPSHOT),
};

/* the guest finished shutting down but its process still exits: QEMU marks
 * it "shutdown, unknown" whoever asked for it */
static const state_reason shutdown_states[] = {
    [VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED] = SR(SHUTDOWN, UNKNOWN),
    [VIR_DOMAIN_EVENT_SHUTDOWN_GUEST] = SR(SHUTDOWN, UNKNOWN),
    [VIR_DOMAIN_EVENT_SHUTDOWN_HOST] = SR(SHUTDOWN, UNKNOWN),
};

static const state_reason pmsuspended_states[] = {
    [VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY] = SR(PMSUSPENDED, UNKNOWN),
    [VIR_DOMAIN_EVENT_PMSUSPENDED_DISK] = {VIR_DOMAIN_PMSUSPENDED,
                                           VIR_DOMAIN_PMSUSPENDED_DISK_UNKNOWN},
};

/* a guest that loaded its crash kernel keeps running */
static const state_reason crashed_states[] = {
    [VIR_DOMAIN_EVENT_CRASHED_PANICKED] = SR(CRASHED, PANICKED),
    [VIR_DOMAIN_EVENT_CRASHED_CRASHLOADED] = SR(RUNNING, CRASHED),
};

#define ROW(type, states, unknown)                                             \
    [VIR_DOMAIN_EVENT_##type] = {states, sizeof(states) / sizeof(states[0]),   \
                                 VIR_DOMAIN_##unknown}

static const struct {
    const state_reason *details;
    size_t n_details;
    int state; /* for details past the end of the table */
} event_states[] = {
    ROW(STARTED, started_states, RUNNING),
    ROW(SUSPENDED, suspended_states, PAUSED),
    ROW(RESUMED, resumed_states, RUNNING),
    ROW(STOPPED, stopped_states, SHUTOFF),
    ROW(SHUTDOWN, shutdown_states, SHUTDOWN),
    ROW(PMSUSPENDED, pmsuspended_states, PMSUSPENDED),
    ROW(CRASHED, crashed_states, CRASHED),
};

static bool event_has_table(int event)
{
    return event >= 0 &&
           (size_t)event < sizeof(event_states) / sizeof(event_states[0]) &&
           event_states[event].details;
}

bool vmon_event_state_after(int event, int detail, int *state, int *reason)
{
    if (!event_has_table(event))
        return false;
    if (detail >= 0 && (size_t)detail < event_states[event].n_details) {
        *state = event_states[event].details[detail].state;
        *reason = event_states[event].details[detail].reason;
    } else {
        *state = event_states[event].state;
        *reason = 0;
    }
    return true;
}

int vmon_event_detail_for(int event, int state, int reason)
{
    size_t i;

    if (!event_has_table(event))
        return -1;
    for (i = 0; i < event_states[event].n_details; i++)
        if (event_states[event].details[i].state == state &&
            event_states[event].details[i].reason == reason)
            return (int)i;
    return -1;
}

/* A definition does not change a domain's state: take it from the latest
 * snapshot; a domain the snapshot does not know yet is new, so shut off. */
static void defined_state(vmon_conn *vc, vmon_event *ev)
{
    vmon_conn_snap *snap = vmon_conn_current(vc);
    const vmon_domain *dom = vmon_host_data_find_domain(snap->data, ev->uuid);

    ev->has_state = true;
    if (dom && (dom->has & VMON_DOM_HAS_STATE)) {
        ev->state = dom->state;
        ev->reason = dom->reason;
    } else {
        ev->state = VIR_DOMAIN_SHUTOFF;
        ev->reason = VIR_DOMAIN_SHUTOFF_UNKNOWN;
    }
    vmon_conn_snap_unref(snap);
}

/* Runs on the event loop thread: everything it reads from `dom` is held
 * locally by the virDomainPtr, so no RPC is made and a domain that is
 * already gone still yields a complete event. */
static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event,
                        int detail, void *opaque)
{
    vmon_conn *vc = opaque;
    vmon_event *ev = vmon_event_new(VMON_EVENT_LIFECYCLE, vc);
    const char *name = virDomainGetName(dom);

    (void)conn;
    if (ev && (!name || !(ev->dom_name = strdup(name)) ||
               virDomainGetUUID(dom, ev->uuid) < 0 ||
               virDomainGetUUIDString(dom, ev->uuid_str) < 0)) {
        virResetLastError();
        vmon_event_free(ev);
        ev = NULL;
    }
    if (ev) {
        ev->event = event;
        ev->detail = detail;
        if (event == VIR_DOMAIN_EVENT_DEFINED)
            defined_state(vc, ev);
        else
            ev->has_state =
                vmon_event_state_after(event, detail, &ev->state, &ev->reason);
        vmon_live_note(vc, ev);
    }
    vmon_event_emit(vc, ev);
    return 0;
}

void vmon_events_register(vmon_conn *vc)
{
    vc->lifecycle_id = virConnectDomainEventRegisterAny(
        vc->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), vc, NULL);
    if (vc->lifecycle_id < 0) {
        vmon_log(VMON_LOG_WARNING,
                 "cannot register lifecycle events of '%s': %s", vc->uri,
                 vmon_virt_error());
        virResetLastError();
    }
}

void vmon_events_deregister(vmon_conn *vc)
{
    if (vc->lifecycle_id < 0)
        return;
    /* on a dead connection the RPC fails, but the local callback is gone */
    if (virConnectDomainEventDeregisterAny(vc->conn, vc->lifecycle_id) < 0)
        virResetLastError();
    vc->lifecycle_id = -1;
}
