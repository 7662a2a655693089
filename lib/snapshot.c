/* snapshot.c: construction and reference counting of the immutable
 * snapshots that the poller publishes and front ends read. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "vmon-internal.h"

vmon_host_data *vmon_host_data_new(void)
{
    vmon_host_data *data = calloc(1, sizeof(*data));

    if (!data)
        return NULL;
    data->refs = 1;
    data->max_vcpus = -1;
    data->is_encrypted = VMON_FLAG_UNKNOWN;
    data->is_secure = VMON_FLAG_UNKNOWN;
    return data;
}

void vmon_host_data_copy_node_info(vmon_host_data *dst,
                                   const vmon_host_data *src)
{
    dst->has_node_info = src->has_node_info;
    memcpy(dst->cpu_model, src->cpu_model, sizeof(dst->cpu_model));
    dst->memory_kib = src->memory_kib;
    dst->cpus = src->cpus;
    dst->mhz = src->mhz;
    dst->nodes = src->nodes;
    dst->sockets = src->sockets;
    dst->cores = src->cores;
    dst->threads = src->threads;
}

vmon_host_data *vmon_host_data_ref(vmon_host_data *data)
{
    if (data)
        __atomic_add_fetch(&data->refs, 1, __ATOMIC_SEQ_CST);
    return data;
}

void vmon_domain_clear(vmon_domain *dom)
{
    size_t i;

    if (!dom)
        return;
    for (i = 0; i < dom->n_disks; i++) {
        free(dom->disks[i].name);
        free(dom->disks[i].path);
    }
    for (i = 0; i < dom->n_ifaces; i++)
        free(dom->ifaces[i].name);
    free(dom->name);
    free(dom->vcpus);
    free(dom->disks);
    free(dom->ifaces);
    memset(dom, 0, sizeof(*dom));
}

void vmon_host_data_unref(vmon_host_data *data)
{
    size_t i;

    if (!data || __atomic_sub_fetch(&data->refs, 1, __ATOMIC_SEQ_CST) > 0)
        return;
    for (i = 0; i < data->n_domains; i++)
        vmon_domain_clear(&data->domains[i]);
    free(data->domains);
    free(data->cells);
    free(data->uri);
    free(data->hostname);
    free(data->hv_type);
    free(data->magic_error);
    free(data);
}

vmon_conn_snap *vmon_conn_snap_new(void)
{
    vmon_conn_snap *snap = calloc(1, sizeof(*snap));

    if (!snap)
        return NULL;
    snap->refs = 1;
    snap->state = VMON_CONN_DISCONNECTED;
    return snap;
}

vmon_conn_snap *vmon_conn_snap_ref(vmon_conn_snap *snap)
{
    if (snap)
        __atomic_add_fetch(&snap->refs, 1, __ATOMIC_SEQ_CST);
    return snap;
}

void vmon_conn_snap_unref(vmon_conn_snap *snap)
{
    if (!snap || __atomic_sub_fetch(&snap->refs, 1, __ATOMIC_SEQ_CST) > 0)
        return;
    free(snap->configured_uri);
    free(snap->last_error);
    vmon_host_data_unref(snap->data);
    free(snap);
}

vmon_snapshot *vmon_snapshot_ref(vmon_snapshot *snap)
{
    if (snap)
        __atomic_add_fetch(&snap->refs, 1, __ATOMIC_SEQ_CST);
    return snap;
}

void vmon_snapshot_unref(vmon_snapshot *snap)
{
    size_t i;

    if (!snap || __atomic_sub_fetch(&snap->refs, 1, __ATOMIC_SEQ_CST) > 0)
        return;
    for (i = 0; i < snap->n_conns; i++)
        vmon_conn_snap_unref(snap->conns[i]);
    free(snap->conns);
    free(snap);
}

const vmon_domain *vmon_host_data_find_domain(const vmon_host_data *data,
                                              const unsigned char *uuid)
{
    size_t lo = 0, hi;

    if (!data)
        return NULL;
    hi = data->n_domains;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = memcmp(data->domains[mid].uuid, uuid, VMON_UUID_LEN);

        if (cmp == 0)
            return &data->domains[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
