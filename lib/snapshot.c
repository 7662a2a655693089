/* snapshot.c: construction and reference counting of the immutable
 * snapshots that the poller publishes and front ends read. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "vmon-collect.h"

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

static char *dup_or_null(const char *s, bool *is_ok)
{
    char *copy;

    if (!s)
        return NULL;
    if (!(copy = strdup(s)))
        *is_ok = false;
    return copy;
}

static void *dup_array(const void *items, size_t n, size_t size, bool *is_ok)
{
    void *copy;

    if (n == 0)
        return NULL;
    if (!(copy = malloc(n * size))) {
        *is_ok = false;
        return NULL;
    }
    return memcpy(copy, items, n * size);
}

int vmon_domain_copy(vmon_domain *dst, const vmon_domain *src)
{
    bool is_ok = true;
    size_t i;

    *dst = *src;
    dst->name = dup_or_null(src->name, &is_ok);
    dst->vcpus =
        dup_array(src->vcpus, src->n_vcpus, sizeof(*src->vcpus), &is_ok);
    dst->disks =
        dup_array(src->disks, src->n_disks, sizeof(*src->disks), &is_ok);
    dst->ifaces =
        dup_array(src->ifaces, src->n_ifaces, sizeof(*src->ifaces), &is_ok);
    if (!dst->disks)
        dst->n_disks = 0;
    if (!dst->ifaces)
        dst->n_ifaces = 0;
    if (!dst->vcpus)
        dst->n_vcpus = 0;
    for (i = 0; i < dst->n_disks; i++) {
        dst->disks[i].name = dup_or_null(src->disks[i].name, &is_ok);
        dst->disks[i].path = dup_or_null(src->disks[i].path, &is_ok);
    }
    for (i = 0; i < dst->n_ifaces; i++)
        dst->ifaces[i].name = dup_or_null(src->ifaces[i].name, &is_ok);
    if (is_ok)
        return 0;
    vmon_domain_clear(dst);
    return -1;
}

vmon_host_data *vmon_host_data_copy(const vmon_host_data *src)
{
    vmon_host_data *dst = malloc(sizeof(*dst));
    bool is_ok = true;
    size_t i;

    if (!dst)
        return NULL;
    *dst = *src;
    dst->refs = 1;
    dst->uri = dup_or_null(src->uri, &is_ok);
    dst->hostname = dup_or_null(src->hostname, &is_ok);
    dst->hv_type = dup_or_null(src->hv_type, &is_ok);
    dst->magic_error = dup_or_null(src->magic_error, &is_ok);
    dst->cells =
        dup_array(src->cells, src->n_cells, sizeof(*src->cells), &is_ok);
    dst->n_domains = 0;
    dst->domains =
        src->n_domains ? calloc(src->n_domains, sizeof(*src->domains)) : NULL;
    if (src->n_domains && !dst->domains)
        is_ok = false;
    for (i = 0; is_ok && i < src->n_domains; i++) {
        if (vmon_domain_copy(&dst->domains[i], &src->domains[i]) < 0)
            is_ok = false;
        else
            dst->n_domains++;
    }
    if (is_ok)
        return dst;
    if (!dst->cells)
        dst->n_cells = 0;
    vmon_host_data_unref(dst);
    return NULL;
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
    free(snap->stale_reason);
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
