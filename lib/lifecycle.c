/* lifecycle.c: the state each libvirt lifecycle event leaves a domain in,
 * and the callback that reports events from the event loop thread. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>

#include "vmon-collect.h"
#include "vmon-lifecycle.h"

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
static void defined_state(const vmon_lifecycle_sink *sink, vmon_event *ev)
{
    ev->has_state = true;
    if (!sink->state_of(sink->opaque, ev->uuid, &ev->state, &ev->reason)) {
        ev->state = VIR_DOMAIN_SHUTOFF;
        ev->reason = VIR_DOMAIN_SHUTOFF_UNKNOWN;
    }
}

/* Runs on the event loop thread: everything it reads from `dom` is held
 * locally by the virDomainPtr, so no RPC is made and a domain that is
 * already gone still yields a complete event. */
static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event,
                        int detail, void *opaque)
{
    const vmon_lifecycle_sink *sink = opaque;
    vmon_event *ev;
    const char *name = virDomainGetName(dom);

    if (sink->is_retired(sink->opaque, conn))
        return 0;
    ev = vmon_event_new(VMON_EVENT_LIFECYCLE, sink->emitter);
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
            defined_state(sink, ev);
        else
            ev->has_state =
                vmon_event_state_after(event, detail, &ev->state, &ev->reason);
        vmon_live_note(sink->live, ev);
    }
    vmon_event_emit(sink->emitter, ev);
    if (ev)
        sink->changed(sink->opaque);
    return 0;
}

int vmon_lifecycle_register(virConnectPtr conn, const vmon_lifecycle_sink *sink)
{
    int id = virConnectDomainEventRegisterAny(
        conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), (void *)sink, NULL);

    if (id < 0) {
        vmon_log(VMON_LOG_WARNING,
                 "cannot register lifecycle events of '%s': %s",
                 sink->emitter->uri, vmon_virt_error());
        virResetLastError();
    }
    return id;
}

void vmon_lifecycle_deregister(virConnectPtr conn, int callback_id)
{
    if (callback_id < 0)
        return;
    /* on a dead connection the RPC fails, but the local callback is gone */
    if (virConnectDomainEventDeregisterAny(conn, callback_id) < 0)
        virResetLastError();
}
