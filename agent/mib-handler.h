/* mib-handler.h: the single read-only net-snmp handler, registered at the
 * VIRTMON-MIB root, that answers every request from the current view. */
#ifndef VMON_MIB_HANDLER_H
#define VMON_MIB_HANDLER_H

#include "mib-view.h"

typedef struct vmon_mib_handler vmon_mib_handler;

/* Registers the MIB root with net-snmp; NULL (logged) on failure. */
vmon_mib_handler *vmon_mib_handler_new(void);
/* Answer from `view` from now on; takes ownership and frees the old view. */
void vmon_mib_handler_set_view(vmon_mib_handler *handler, vmon_mib_view *view);
/* Unregisters and frees the current view. Accepts NULL. */
void vmon_mib_handler_free(vmon_mib_handler *handler);

#endif
