/* mib-conn.c: getters of vmonConnTable, one row per watched URI: the
 * connection's health and the host facts its last good poll learnt. */
#include <config.h>

#include "mib.h"

/* vmonConnState: explicit, so that a change of the core's enum cannot
 * silently change what the MIB says. */
static const struct {
    vmon_conn_state state;
    long mib;
} conn_states[] = {
    {VMON_CONN_DISCONNECTED, 1},
    {VMON_CONN_CONNECTING, 2},
    {VMON_CONN_CONNECTED, 3},
    {VMON_CONN_OVERDUE, 4},
};

static bool set_flag(vmon_mib_value *val, vmon_flag flag)
{
    if (flag == VMON_FLAG_UNKNOWN)
        return false;
    return vmon_mib_set_truth(val, flag == VMON_FLAG_TRUE);
}

static bool set_time(vmon_mib_value *val, time_t when)
{
    if (when <= 0)
        return false;
    return vmon_mib_set_number(val, (uint64_t)when & UINT32_MAX);
}

bool vmon_mib_get_conn_configured_uri(const vmon_mib_object *obj,
                                      const vmon_mib_row *row,
                                      vmon_mib_value *val)
{
    (void)obj;
    return vmon_mib_set_string(val, row->conn->configured_uri);
}

bool vmon_mib_get_conn_uri(const vmon_mib_object *obj, const vmon_mib_row *row,
                           vmon_mib_value *val)
{
    (void)obj;
    return row->host && vmon_mib_set_string(val, row->host->uri);
}

bool vmon_mib_get_conn_state(const vmon_mib_object *obj,
                             const vmon_mib_row *row, vmon_mib_value *val)
{
    size_t i;

    (void)obj;
    for (i = 0; i < sizeof(conn_states) / sizeof(conn_states[0]); i++)
        if (conn_states[i].state == row->conn->state)
            return vmon_mib_set_integer(val, conn_states[i].mib);
    return false;
}

bool vmon_mib_get_conn_is_encrypted(const vmon_mib_object *obj,
                                    const vmon_mib_row *row,
                                    vmon_mib_value *val)
{
    (void)obj;
    return row->host && set_flag(val, row->host->is_encrypted);
}

bool vmon_mib_get_conn_is_secure(const vmon_mib_object *obj,
                                 const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return row->host && set_flag(val, row->host->is_secure);
}

bool vmon_mib_get_conn_is_stale(const vmon_mib_object *obj,
                                const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return vmon_mib_set_truth(val, row->conn->is_stale);
}

bool vmon_mib_get_conn_last_attempt(const vmon_mib_object *obj,
                                    const vmon_mib_row *row,
                                    vmon_mib_value *val)
{
    (void)obj;
    return set_time(val, row->conn->last_attempt);
}

bool vmon_mib_get_conn_last_success(const vmon_mib_object *obj,
                                    const vmon_mib_row *row,
                                    vmon_mib_value *val)
{
    (void)obj;
    return set_time(val, row->conn->last_success);
}

bool vmon_mib_get_conn_last_duration(const vmon_mib_object *obj,
                                     const vmon_mib_row *row,
                                     vmon_mib_value *val)
{
    (void)obj;
    if (row->conn->last_success <= 0)
        return false;
    return vmon_mib_set_number(val, row->conn->last_duration_ms);
}

bool vmon_mib_get_conn_poll_errors(const vmon_mib_object *obj,
                                   const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return vmon_mib_set_number(val, row->conn->poll_errors);
}

bool vmon_mib_get_conn_connects(const vmon_mib_object *obj,
                                const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return vmon_mib_set_number(val, row->conn->connects);
}

bool vmon_mib_get_conn_last_error(const vmon_mib_object *obj,
                                  const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return vmon_mib_set_string(val, row->conn->last_error);
}

bool vmon_mib_get_conn_hostname(const vmon_mib_object *obj,
                                const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return row->host && vmon_mib_set_string(val, row->host->hostname);
}

bool vmon_mib_get_conn_hv_type(const vmon_mib_object *obj,
                               const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return row->host && vmon_mib_set_string(val, row->host->hv_type);
}

bool vmon_mib_get_conn_hv_version(const vmon_mib_object *obj,
                                  const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return row->host && vmon_mib_set_version(val, row->host->hv_version);
}

bool vmon_mib_get_conn_hv_version_number(const vmon_mib_object *obj,
                                         const vmon_mib_row *row,
                                         vmon_mib_value *val)
{
    (void)obj;
    return row->host && row->host->hv_version <= UINT32_MAX &&
           vmon_mib_set_number(val, row->host->hv_version);
}

bool vmon_mib_get_conn_lib_version(const vmon_mib_object *obj,
                                   const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return row->host && vmon_mib_set_version(val, row->host->lib_version);
}

bool vmon_mib_get_conn_lib_version_number(const vmon_mib_object *obj,
                                          const vmon_mib_row *row,
                                          vmon_mib_value *val)
{
    (void)obj;
    return row->host && row->host->lib_version <= UINT32_MAX &&
           vmon_mib_set_number(val, row->host->lib_version);
}

bool vmon_mib_get_conn_max_vcpus(const vmon_mib_object *obj,
                                 const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return row->host && row->host->max_vcpus >= 0 &&
           vmon_mib_set_number(val, (uint64_t)row->host->max_vcpus);
}

bool vmon_mib_get_conn_field(const vmon_mib_object *obj,
                             const vmon_mib_row *row, vmon_mib_value *val)
{
    return vmon_mib_set_field(obj, row->conn, 0, val);
}

bool vmon_mib_get_conn_stale_reason(const vmon_mib_object *obj,
                                    const vmon_mib_row *row,
                                    vmon_mib_value *val)
{
    (void)obj;
    return row->conn->is_stale &&
           vmon_mib_set_string(val, row->conn->stale_reason);
}

/* Before the first poll there are no domains to be stale. */
bool vmon_mib_get_conn_stale_domains(const vmon_mib_object *obj,
                                     const vmon_mib_row *row,
                                     vmon_mib_value *val)
{
    (void)obj;
    return row->host && vmon_mib_set_number(val, row->conn->stale_domains);
}
