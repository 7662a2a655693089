/* collect.c: the libvirt calls of one poll round, turned into vmon_host_data.
 * A constant number of calls whatever the number of domains. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>

#include "vmon-collect.h"
#include "vmon-watch.h"

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

static __thread char error_text[512];

/* libvirt's next public call resets its error: keep the text for reports. */
void vmon_error_capture(void)
{
    snprintf(error_text, sizeof(error_text), "%s", vmon_virt_error());
}

void vmon_error_clear(void)
{
    error_text[0] = '\0';
}

const char *vmon_error_text(void)
{
    return error_text[0] ? error_text : "unknown libvirt error";
}

/* A failed call costs the value, unless the connection itself is gone.
 * A driver that fails the same way every poll is worth one warning, not
 * one every interval: repeats go to debug. */
static int call_failed(const vmon_collect_ctx *ctx, const char *what)
{
    static __thread char seen[8][1200];
    static __thread unsigned int next_seen;
    bool is_unsupported = vmon_virt_error_is_unsupported();
    char warning[1200];
    size_t i;

    vmon_error_capture();
    if (virConnectIsAlive(ctx->conn) == 0)
        return -1;
    virResetLastError();
    if (is_unsupported)
        return 0;
    snprintf(warning, sizeof(warning), "cannot get %s of '%s': %s", what,
             ctx->uri, vmon_error_text());
    for (i = 0; i < 8; i++) {
        if (strcmp(warning, seen[i]) == 0) {
            vmon_log(VMON_LOG_DEBUG, "%s", warning);
            return 0;
        }
    }
    vmon_log(VMON_LOG_WARNING, "%s", warning);
    memcpy(seen[next_seen++ % 8], warning, sizeof(warning));
    return 0;
}

/* The node's hardware does not change under a running libvirtd, so it is
 * read with the other per-connect facts; a reconnect reads it again. */
static int collect_node_info(const vmon_collect_ctx *ctx, vmon_host_data *data)
{
    virNodeInfo info;

    vmon_watch_step("virNodeGetInfo");
    if (virNodeGetInfo(ctx->conn, &info) < 0)
        return call_failed(ctx, "node info");
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
    return 0;
}

int vmon_collect_statics(const vmon_collect_ctx *ctx, vmon_host_data *data)
{
    virConnectPtr conn = ctx->conn;
    int n;

    /* each is a quick RPC, or answered locally: one step for them all */
    vmon_watch_step("virConnectGetURI");

    if (!(data->uri = virConnectGetURI(conn)) && call_failed(ctx, "URI") < 0)
        return -1;
    if (!(data->hostname = virConnectGetHostname(conn)) &&
        call_failed(ctx, "hostname") < 0)
        return -1;
    if (virConnectGetVersion(conn, &data->hv_version) < 0 &&
        call_failed(ctx, "hypervisor version") < 0)
        return -1;
    if (virConnectGetLibVersion(conn, &data->lib_version) < 0 &&
        call_failed(ctx, "libvirt version") < 0)
        return -1;
    const char *type = virConnectGetType(conn);
    if (type)
        data->hv_type = strdup(type);
    else if (call_failed(ctx, "hypervisor type") < 0)
        return -1;
    if ((data->max_vcpus = virConnectGetMaxVcpus(conn, NULL)) < 0 &&
        call_failed(ctx, "maximum vCPUs") < 0)
        return -1;
    if (collect_node_info(ctx, data) < 0)
        return -1;
    vmon_watch_step("virConnectIsEncrypted");
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

static int collect_cells(const vmon_collect_ctx *ctx, vmon_host_data *data)
{
    unsigned long long *free_mem = calloc(VMON_MAX_CELLS, sizeof(*free_mem));
    int n, i, ret = -1;

    if (!free_mem)
        return -1;
    vmon_watch_step("virNodeGetCellsFreeMemory");
    n = virNodeGetCellsFreeMemory(ctx->conn, free_mem, 0, VMON_MAX_CELLS);
    if (n < 0) {
        ret = call_failed(ctx, "free memory of NUMA cells");
        goto cleanup;
    }
    if (n > 0 && !(data->cells = calloc(n, sizeof(*data->cells))))
        goto cleanup;
    for (i = 0; i < n; i++) {
        data->cells[i].cell = i;
        data->cells[i].free_bytes = free_mem[i];
    }
    data->n_cells = n;
    data->has_cells = true;
    ret = 0;
cleanup:
    free(free_mem);
    return ret;
}

int vmon_collect_node(const vmon_collect_ctx *ctx, vmon_host_data *data)
{
    unsigned long long free_bytes;

    /* 0 is both a value and the error return: the error tells them apart */
    vmon_watch_step("virNodeGetFreeMemory");
    free_bytes = virNodeGetFreeMemory(ctx->conn);
    if (free_bytes > 0 || !virGetLastError()) {
        data->has_free_memory = true;
        data->free_memory_bytes = free_bytes;
    } else if (call_failed(ctx, "free memory") < 0) {
        return -1;
    }
    return collect_cells(ctx, data);
}
