/* mib-events.c: getter of the vmonEvents scalars: what happened to events
 * on their way from the core's queue to the master agent. */
#include <config.h>

#include "mib.h"

bool vmon_mib_get_event_counter(const vmon_mib_object *obj,
                                const vmon_mib_row *row, vmon_mib_value *val)
{
    return vmon_mib_set_field(obj, &row->agent->events, 0, val);
}
