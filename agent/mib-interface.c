/* mib-interface.c: getters of vmonInterfaceTable, one row per network
 * interface of each domain (net.<N>.* statistics). */
#include <config.h>

#include "mib.h"

bool vmon_mib_get_iface_name(const vmon_mib_object *obj,
                             const vmon_mib_row *row, vmon_mib_value *val)
{
    const vmon_iface *iface = row->item;

    (void)obj;
    return vmon_mib_set_string(val, iface->name);
}

bool vmon_mib_get_iface_field(const vmon_mib_object *obj,
                              const vmon_mib_row *row, vmon_mib_value *val)
{
    const vmon_iface *iface = row->item;

    return vmon_mib_set_field(obj, iface, iface->has, val);
}
