/* mib-agent.c: getters of the vmonAgent scalars: the agent's version and
 * settings. */
#include <config.h>

#include "mib.h"

bool vmon_mib_get_agent_version(const vmon_mib_object *obj,
                                const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return vmon_mib_set_string(val, row->agent->version);
}

bool vmon_mib_get_agent_interval(const vmon_mib_object *obj,
                                 const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return vmon_mib_set_number(val, row->agent->interval_s);
}

bool vmon_mib_get_agent_conn_count(const vmon_mib_object *obj,
                                   const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return vmon_mib_set_number(val, row->snap->n_conns);
}
