/* traps.h: the core's events as VIRTMON-MIB notifications, sent through the
 * master agent from net-snmp's thread, with an optional rate limit. */
#ifndef VMON_TRAPS_H
#define VMON_TRAPS_H

#include "agent-config.h"
#include "mib.h"
#include "vmon-core.h"

typedef struct vmon_traps vmon_traps;

/* Called on net-snmp's thread, at most once a second, after the counters
 * of vmon_traps_counters changed. */
typedef void (*vmon_traps_changed_fn)(void *opaque);

/* Call before init_snmp, which connects to the master agent: notifications
 * are only taken from the core while the master agent is connected, so
 * that they wait in the core's queue while it restarts. The config is
 * copied. NULL (logged) when out of memory. */
vmon_traps *vmon_traps_new(const vmon_notify_config *config,
                           vmon_traps_changed_fn on_changed, void *opaque);
/* Start sending the events of `core`, which must outlive `traps`. */
void vmon_traps_attach(vmon_traps *traps, vmon_core *core);
/* The vmonEvents counters as of now. */
void vmon_traps_counters(const vmon_traps *traps, vmon_mib_event_counters *out);
/* Stops taking events and drops the alarms and callbacks; accepts NULL. */
void vmon_traps_free(vmon_traps *traps);

#endif
