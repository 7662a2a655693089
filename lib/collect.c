/* collect.c: the libvirt calls of one poll round, turned into vmon_host_data.
 * A constant number of calls whatever the number of domains. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>

#include "vmon-internal.h"

#define VMON_MAX_CELLS 1024 /* REMOTE_NODE_MAX_CELLS: the RPC's limit */

const char *vmon_virt_error(void)
{
    virErrorPtr err = virGetLastError();

    return err && err->message ? err->message : "unknown libvirt error";
}

bool vmon_virt_error_is_unsupported(void)
{
    virErrorPtr err = virGetLastError();

    if (!err)
        return false;
    if (err->code == VIR_ERR_NO_SUPPORT ||
        err->code == VIR_ERR_ARGUMENT_UNSUPPORTED)
        return true;
    /* an older daemon answers an unknown RPC procedure this way */
    return err->code == VIR_ERR_RPC && err->message &&
           strstr(err->message, "unknown procedure");
}

/* A failed call costs the value, unless the connection itself is gone. */
static int call_failed(virConnectPtr conn, const char *what)
{
    if (virConnectIsAlive(conn) == 0)
        return -1;
    if (!vmon_virt_error_is_unsupported())
        vmon_log(VMON_LOG_WARNING, "cannot get %s: %s", what,
                 vmon_virt_error());
    virResetLastError();
    return 0;
}

int vmon_collect_statics(virConnectPtr conn, vmon_host_data *data)
{
    int n;

    if (!(data->uri = virConnectGetURI(conn)) && call_failed(conn, "URI") < 0)
        return -1;
    if (!(data->hostname = virConnectGetHostname(conn)) &&
        call_failed(conn, "hostname") < 0)
        return -1;
    if (virConnectGetVersion(conn, &data->hv_version) < 0 &&
        call_failed(conn, "hypervisor version") < 0)
        return -1;
    if (virConnectGetLibVersion(conn, &data->lib_version) < 0 &&
        call_failed(conn, "libvirt version") < 0)
        return -1;
    const char *type = virConnectGetType(conn);
    if (type)
        data->hv_type = strdup(type);
    else if (call_failed(conn, "hypervisor type") < 0)
        return -1;
    if ((data->max_vcpus = virConnectGetMaxVcpus(conn, NULL)) < 0 &&
        call_failed(conn, "maximum vCPUs") < 0)
        return -1;
    n = virConnectIsEncrypted(conn);
    data->is_encrypted = n < 0 ? VMON_FLAG_UNKNOWN
                         : n   ? VMON_FLAG_TRUE
                               : VMON_FLAG_FALSE;
    n = virConnectIsSecure(conn);
    data->is_secure = n < 0 ? VMON_FLAG_UNKNOWN
                      : n   ? VMON_FLAG_TRUE
                            : VMON_FLAG_FALSE;
    virResetLastError();
    return 0;
}

static int collect_cells(virConnectPtr conn, vmon_host_data *data)
{
    unsigned long long *free_mem = calloc(VMON_MAX_CELLS, sizeof(*free_mem));
    int n, i, ret = -1;

    if (!free_mem)
        return -1;
    n = virNodeGetCellsFreeMemory(conn, free_mem, 0, VMON_MAX_CELLS);
    if (n < 0) {
        ret = call_failed(conn, "free memory of NUMA cells");
        goto cleanup;
    }
    if (n > 0 && !(data->cells = calloc(n, sizeof(*data->cells))))
        goto cleanup;
    for (i = 0; i < n; i++) {
        data->cells[i].cell = i;
        data->cells[i].free_bytes = free_mem[i];
    }
    data->n_cells = n;
    ret = 0;
cleanup:
    free(free_mem);
    return ret;
}

int vmon_collect_node(virConnectPtr conn, vmon_host_data *data)
{
    virNodeInfo info;
    unsigned long long free_bytes;

    if (virNodeGetInfo(conn, &info) == 0) {
        data->has_node_info = true;
        memcpy(data->cpu_model, info.model, sizeof(data->cpu_model));
        data->cpu_model[sizeof(data->cpu_model) - 1] = '\0';
        data->memory_kib = info.memory;
        data->cpus = info.cpus;
        data->mhz = info.mhz;
        data->nodes = info.nodes;
        data->sockets = info.sockets;
        data->cores = info.cores;
        data->threads = info.threads;
    } else if (call_failed(conn, "node info") < 0) {
        return -1;
    }
    free_bytes = virNodeGetFreeMemory(conn);
    if (free_bytes > 0) {
        data->has_free_memory = true;
        data->free_memory_bytes = free_bytes;
    } else if (virGetLastError() && call_failed(conn, "free memory") < 0) {
        return -1;
    }
    return collect_cells(conn, data);
}
