/* mib-vcpu.c: getters of vmonVcpuTable, one row per virtual CPU of each
 * domain (vcpu.<N>.* statistics). */
#include <config.h>

#include "mib.h"

bool vmon_mib_get_vcpu_number(const vmon_mib_object *obj,
                              const vmon_mib_row *row, vmon_mib_value *val)
{
    const vmon_vcpu *vcpu = row->item;

    (void)obj;
    return vmon_mib_set_number(val, vcpu->number);
}

bool vmon_mib_get_vcpu_state(const vmon_mib_object *obj,
                             const vmon_mib_row *row, vmon_mib_value *val)
{
    const vmon_vcpu *vcpu = row->item;

    (void)obj;
    return (vcpu->has & VMON_VCPU_HAS_STATE) &&
           vmon_mib_set_integer(val, vmon_mib_vcpu_state(vcpu->state));
}

bool vmon_mib_get_vcpu_field(const vmon_mib_object *obj,
                             const vmon_mib_row *row, vmon_mib_value *val)
{
    const vmon_vcpu *vcpu = row->item;

    return vmon_mib_set_field(obj, vcpu, vcpu->has, val);
}
