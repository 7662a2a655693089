/* mib-view.h: one snapshot rendered as the sorted list of every VIRTMON-MIB
 * instance (OID, type, value), which Get and GetNext search. */
#ifndef VMON_MIB_VIEW_H
#define VMON_MIB_VIEW_H

#include "mib.h"

/* One instance. Its OID is stored without the MIB root to save memory. */
typedef struct {
    uint32_t oid_off; /* into the view's OID pool */
    uint16_t oid_len;
    u_char type;
    union {
        long integer;
        uint64_t number;
        struct {
            const void *bytes; /* into the snapshot or the view */
            size_t len;
        } str;
    } v;
} vmon_mib_cell;

typedef struct vmon_mib_view vmon_mib_view;

/* Renders `snap` through the registration table. The view holds its own
 * reference to `snap`, whose strings it points into. NULL on failure. */
vmon_mib_view *vmon_mib_view_new(vmon_snapshot *snap,
                                 const vmon_mib_agent_info *agent);
void vmon_mib_view_free(vmon_mib_view *view);

size_t vmon_mib_view_size(const vmon_mib_view *view);
/* The instance named exactly `name`, or NULL. */
const vmon_mib_cell *vmon_mib_view_get(const vmon_mib_view *view,
                                       const oid *name, size_t len);
/* The first instance after `name` (or at it, when is_inclusive), or NULL
 * when none follows within the MIB. */
const vmon_mib_cell *vmon_mib_view_next(const vmon_mib_view *view,
                                        const oid *name, size_t len,
                                        bool is_inclusive);
/* The full OID of `cell` into `buf` (MAX_OID_LEN entries); its length. */
size_t vmon_mib_view_cell_oid(const vmon_mib_view *view,
                              const vmon_mib_cell *cell, oid *buf);

#endif
