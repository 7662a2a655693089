/* vmon-reconcile.h: after an outage, the lifecycle events libvirt could not
 * deliver, told from the difference between what was last known and the
 * first poll after it. */
#ifndef VMON_RECONCILE_H
#define VMON_RECONCILE_H

#include "vmon-live.h"
#include "vmon-queue.h"

/* One reconciled lifecycle event per domain whose state differs between
 * `before` (the last poll before the outage, NULL: none) with the states of
 * `live` applied, and `after`, or that appeared or vanished meanwhile. */
void vmon_reconcile(const vmon_emitter *em, vmon_live_store *live,
                    const vmon_host_data *before, const vmon_host_data *after);

#endif
