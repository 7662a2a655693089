/* vmon-lifecycle.h: libvirt's domain lifecycle events: the state each one
 * leaves a domain in, and the callback that turns them into vmon events. */
#ifndef VMON_LIFECYCLE_H
#define VMON_LIFECYCLE_H

#include <libvirt/libvirt.h>

#include "vmon-live.h"
#include "vmon-queue.h"

/* The state and reason a domain is in after a lifecycle event; false for
 * events that leave no domain (undefined) or that the table does not know.
 * DEFINED is not answered here: its state comes from the snapshot. */
bool vmon_event_state_after(int event, int detail, int *state, int *reason);
/* The detail of `event` that leads to `state` and `reason`, or -1. */
int vmon_event_detail_for(int event, int state, int reason);

/* Where a connection's lifecycle callback reports; must outlive the
 * registration. */
typedef struct {
    const vmon_emitter *emitter;
    vmon_live_store *live;
    /* the domain's state in the latest snapshot; false when unknown */
    bool (*state_of)(void *opaque, const unsigned char *uuid, int *state,
                     int *reason);
    /* the live store changed: publish it */
    void (*changed)(void *opaque);
    /* events of a connection that a newer one replaced are told twice */
    bool (*is_retired)(void *opaque, virConnectPtr conn);
    void *opaque;
} vmon_lifecycle_sink;

/* Registers the lifecycle callback on `conn` (needs the event loop); the
 * callback id, or -1 (logged, naming the URI). */
int vmon_lifecycle_register(virConnectPtr conn,
                            const vmon_lifecycle_sink *sink);
void vmon_lifecycle_deregister(virConnectPtr conn, int callback_id);

#endif
