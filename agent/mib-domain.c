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

static unsigned int group_index(uint32_t group)
{
    unsigned int i = 0;

    while (group > 1) {
        group >>= 1;
        i++;
    }
    return i;
}

/* The number of vCPU rows, as libvirt reported them (vcpu.<N>); absent when
 * the vCPU group was never fetched: no rows is then not zero vCPUs. */
bool vmon_mib_get_domain_vcpu_count(const vmon_mib_object *obj,
                                    const vmon_mib_row *row,
                                    vmon_mib_value *val)
{
    (void)obj;
    if (!row->dom->group_time[group_index(VMON_GROUP_VCPU)])
        return false;
    return vmon_mib_set_number(val, row->dom->n_vcpus);
}

bool vmon_mib_get_domain_is_stale(const vmon_mib_object *obj,
                                  const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return vmon_mib_set_truth(val, row->dom->is_stale);
}

bool vmon_mib_get_domain_group_time(const vmon_mib_object *obj,
                                    const vmon_mib_row *row,
                                    vmon_mib_value *val)
{
    time_t when = row->dom->group_time[group_index(obj->has)];

    return when > 0 && vmon_mib_set_number(val, (uint64_t)when & UINT32_MAX);
}

/* How much older than the connection's last poll the oldest group is. */
bool vmon_mib_get_domain_stats_age(const vmon_mib_object *obj,
                                   const vmon_mib_row *row, vmon_mib_value *val)
{
    time_t oldest = 0, polled = row->host ? row->host->polled : 0;
    unsigned int g;

    (void)obj;
    for (g = 0; g < VMON_GROUP_COUNT; g++) {
        time_t when = row->dom->group_time[g];

        if (when > 0 && (oldest == 0 || when < oldest))
            oldest = when;
    }
    if (oldest == 0 || polled == 0)
        return false;
    return vmon_mib_set_number(val, polled > oldest ? polled - oldest : 0);
}
