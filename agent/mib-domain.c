/* mib-domain.c: getters of vmonDomainTable, one row per domain of each
 * connection, indexed by UUID. */
#include <config.h>

#include "mib.h"
#include "vmon-core.h"

bool vmon_mib_get_domain_name(const vmon_mib_object *obj,
                              const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return vmon_mib_set_string(val, row->dom->name);
}

bool vmon_mib_get_domain_uuid_string(const vmon_mib_object *obj,
                                     const vmon_mib_row *row,
                                     vmon_mib_value *val)
{
    (void)obj;
    return vmon_mib_set_string(val, row->dom->uuid_str);
}

bool vmon_mib_get_domain_id(const vmon_mib_object *obj, const vmon_mib_row *row,
                            vmon_mib_value *val)
{
    (void)obj;
    /* libvirt's -1 means "not running": absent rather than a fake ID */
    return row->dom->id >= 0 && vmon_mib_set_integer(val, row->dom->id);
}

bool vmon_mib_get_domain_state(const vmon_mib_object *obj,
                               const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return (row->dom->has & VMON_DOM_HAS_STATE) &&
           vmon_mib_set_integer(val, vmon_mib_domain_state(row->dom->state));
}

bool vmon_mib_get_domain_state_reason(const vmon_mib_object *obj,
                                      const vmon_mib_row *row,
                                      vmon_mib_value *val)
{
    const vmon_domain *dom = row->dom;

    (void)obj;
    return (dom->has & VMON_DOM_HAS_STATE) &&
           vmon_mib_set_integer(
               val, vmon_mib_domain_reason(dom->state, dom->reason));
}

bool vmon_mib_get_domain_state_code(const vmon_mib_object *obj,
                                    const vmon_mib_row *row,
                                    vmon_mib_value *val)
{
    (void)obj;
    return (row->dom->has & VMON_DOM_HAS_STATE) &&
           vmon_mib_set_integer(val, row->dom->state);
}

bool vmon_mib_get_domain_reason_code(const vmon_mib_object *obj,
                                     const vmon_mib_row *row,
                                     vmon_mib_value *val)
{
    (void)obj;
    return (row->dom->has & VMON_DOM_HAS_STATE) &&
           vmon_mib_set_integer(val, row->dom->reason);
}

bool vmon_mib_get_domain_is_persistent(const vmon_mib_object *obj,
                                       const vmon_mib_row *row,
                                       vmon_mib_value *val)
{
    (void)obj;
    return vmon_mib_set_truth(val, row->dom->is_persistent);
}

bool vmon_mib_get_domain_field(const vmon_mib_object *obj,
                               const vmon_mib_row *row, vmon_mib_value *val)
{
    return vmon_mib_set_field(obj, row->dom, row->dom->has, val);
}

/* The device counts are only true when the group is collected; without it
 * the core reports no devices, which is not the same as zero. */
static bool set_count(const vmon_mib_row *row, unsigned int group, size_t count,
                      vmon_mib_value *val)
{
    if (!(row->agent->stats_groups & group))
        return false;
    return vmon_mib_set_number(val, count);
}

bool vmon_mib_get_domain_vcpu_count(const vmon_mib_object *obj,
                                    const vmon_mib_row *row,
                                    vmon_mib_value *val)
{
    (void)obj;
    return set_count(row, VMON_GROUP_VCPU, row->dom->n_vcpus, val);
}

bool vmon_mib_get_domain_disk_count(const vmon_mib_object *obj,
                                    const vmon_mib_row *row,
                                    vmon_mib_value *val)
{
    (void)obj;
    return set_count(row, VMON_GROUP_BLOCK, row->dom->n_disks, val);
}

bool vmon_mib_get_domain_iface_count(const vmon_mib_object *obj,
                                     const vmon_mib_row *row,
                                     vmon_mib_value *val)
{
    (void)obj;
    return set_count(row, VMON_GROUP_INTERFACE, row->dom->n_ifaces, val);
}
