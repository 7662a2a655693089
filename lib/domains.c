/* domains.c: every domain and its statistics from one
 * virConnectGetAllDomainStats call, plus one list call for persistence. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "vmon-collect.h"
#include "vmon-stats.h"
#include "vmon-watch.h"

#define VMON_MAX_ITEMS 4096 /* bound on vcpu/disk/net indexes we accept */

const char *const vmon_group_names[VMON_GROUP_COUNT] = {
    "state", "cpu", "balloon", "vcpu", "interface", "block",
};

unsigned int vmon_group_from_name(const char *name)
{
    unsigned int i;

    for (i = 0; i < VMON_GROUP_COUNT; i++)
        if (strcmp(name, vmon_group_names[i]) == 0)
            return 1u << i;
    return 0;
}

int vmon_domain_from_record(virDomainStatsRecordPtr rec, vmon_domain *dom)
{
    const char *name = virDomainGetName(rec->dom);
    unsigned int id = virDomainGetID(rec->dom);

    memset(dom, 0, sizeof(*dom));
    if (!name || virDomainGetUUID(rec->dom, dom->uuid) < 0 ||
        virDomainGetUUIDString(rec->dom, dom->uuid_str) < 0)
        return -1;
    if (!(dom->name = strdup(name)))
        return -1;
    dom->id = id == (unsigned int)-1 ? -1 : (int)id;
    return vmon_stats_parse(dom, rec->params, rec->nparams);
}

/* Drivers whose bulk stats lack the balloon/vcpu/cpu groups (the test driver
 * in libvirt 9.0) still answer virDomainGetInfo; fill what it knows. Costs
 * one call per domain, so it only runs when the bulk call left gaps. */
static void fill_from_info(virDomainPtr dom, vmon_domain *out,
                           unsigned int groups)
{
    virDomainInfo info;

    vmon_watch_step("virDomainGetInfo");
    if (virDomainGetInfo(dom, &info) < 0) {
        virResetLastError();
        return;
    }
    if (!(out->has & VMON_DOM_HAS_STATE) && (groups & VMON_GROUP_STATE)) {
        out->state = info.state;
        out->has |= VMON_DOM_HAS_STATE;
    }
    if (groups & VMON_GROUP_BALLOON) {
        out->mem_current_kib = info.memory;
        out->mem_max_kib = info.maxMem;
        out->has |= VMON_DOM_HAS_MEM_CURRENT | VMON_DOM_HAS_MEM_MAX;
    }
    if ((groups & VMON_GROUP_VCPU) && !(out->has & VMON_DOM_HAS_VCPU_CURRENT)) {
        out->vcpu_current = info.nrVirtCpu;
        out->has |= VMON_DOM_HAS_VCPU_CURRENT;
    }
    if ((groups & VMON_GROUP_CPU) && !(out->has & VMON_DOM_HAS_CPU_TIME) &&
        out->id >= 0) {
        out->cpu_time_ns = info.cpuTime;
        out->has |= VMON_DOM_HAS_CPU_TIME;
    }
}

static bool needs_info(const vmon_domain *dom, unsigned int groups)
{
    return ((groups & VMON_GROUP_BALLOON) &&
            !(dom->has & VMON_DOM_HAS_MEM_MAX)) ||
           ((groups & VMON_GROUP_VCPU) &&
            !(dom->has & VMON_DOM_HAS_VCPU_CURRENT));
}

static int compare_uuid(const void *a, const void *b)
{
    return memcmp(((const vmon_domain *)a)->uuid,
                  ((const vmon_domain *)b)->uuid, VMON_UUID_LEN);
}

static unsigned int libvirt_groups(unsigned int groups)
{
    unsigned int stats = 0;

    if (groups & VMON_GROUP_STATE)
        stats |= VIR_DOMAIN_STATS_STATE;
    if (groups & VMON_GROUP_CPU)
        stats |= VIR_DOMAIN_STATS_CPU_TOTAL;
    if (groups & VMON_GROUP_BALLOON)
        stats |= VIR_DOMAIN_STATS_BALLOON;
    if (groups & VMON_GROUP_VCPU)
        stats |= VIR_DOMAIN_STATS_VCPU;
    if (groups & VMON_GROUP_INTERFACE)
        stats |= VIR_DOMAIN_STATS_INTERFACE;
    if (groups & VMON_GROUP_BLOCK)
        stats |= VIR_DOMAIN_STATS_BLOCK;
    return stats;
}

/* NOWAIT keeps one domain stuck in a job from stalling the poll; drivers
 * that reject the flag get the call again without it, once. */
static int get_all_stats(const vmon_collect_ctx *ctx, unsigned int groups,
                         virDomainStatsRecordPtr **records)
{
    unsigned int stats = libvirt_groups(groups);
    int n;

    vmon_watch_step("virConnectGetAllDomainStats");
    if (__atomic_load_n(ctx->has_nowait, __ATOMIC_SEQ_CST)) {
        n = virConnectGetAllDomainStats(
            ctx->conn, stats, records,
            VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);
        if (n >= 0)
            return n;
        /* every public call resets the error: keep it first */
        vmon_error_capture();
        if (virConnectIsAlive(ctx->conn) == 0)
            return -1;
        vmon_log(VMON_LOG_INFO, "'%s' rejects NOWAIT domain stats: %s",
                 ctx->uri, vmon_error_text());
        virResetLastError();
        __atomic_store_n(ctx->has_nowait, 0, __ATOMIC_SEQ_CST);
    }
    n = virConnectGetAllDomainStats(ctx->conn, stats, records, 0);
    if (n < 0)
        vmon_error_capture();
    return n;
}

static void mark_persistent(const vmon_collect_ctx *ctx, vmon_host_data *data)
{
    virDomainPtr *doms = NULL;
    unsigned char uuid[VMON_UUID_LEN];
    int n, i;

    vmon_watch_step("virConnectListAllDomains");
    n = virConnectListAllDomains(ctx->conn, &doms,
                                 VIR_CONNECT_LIST_DOMAINS_PERSISTENT);
    for (i = 0; i < n; i++) {
        if (virDomainGetUUID(doms[i], uuid) == 0) {
            vmon_domain *dom =
                (vmon_domain *)vmon_host_data_find_domain(data, uuid);
            if (dom)
                dom->is_persistent = true;
        }
        virDomainFree(doms[i]);
    }
    free(doms);
    virResetLastError();
}

/* Pauses before each new ask for the domains NOWAIT skipped. */
static const unsigned int retry_pause_ms[] = {20, 100};

/* One ask for the domains of `doms` (NULL-terminated) alone; their rows in
 * `data` are replaced by what libvirt answers. */
static void ask_again(const vmon_collect_ctx *ctx, virDomainPtr *doms,
                      vmon_host_data *data)
{
    virDomainStatsRecordPtr *records = NULL;
    int n, i;

    vmon_watch_step("virDomainListGetStats");
    n = virDomainListGetStats(
        doms, libvirt_groups(ctx->groups) | VIR_DOMAIN_STATS_STATE, &records,
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);
    for (i = 0; i < n; i++) {
        vmon_domain again, *dom;

        if (vmon_domain_from_record(records[i], &again) < 0 ||
            !(dom = (vmon_domain *)vmon_host_data_find_domain(data,
                                                              again.uuid))) {
            vmon_domain_clear(&again);
            continue;
        }
        vmon_domain_clear(dom);
        *dom = again;
    }
    virResetLastError();
    virDomainStatsRecordListFree(records);
}

/* NOWAIT skips the values that need a domain's job while another client
 * holds it: ask again for those domains alone, a little later (clients
 * that poll on the same clock, such as collectd's virt plugin in the same
 * daemon, would collide every time otherwise). A stuck guest, whose job
 * one of our own calls holds, is skipped again, at the cost of these
 * calls. `doms` (borrowed) has room for its NULL end. */
static void retry_skipped(const vmon_collect_ctx *ctx, virDomainPtr *doms,
                          int n_doms, vmon_host_data *data)
{
    virDomainPtr *left = calloc(n_doms + 1, sizeof(*left));
    size_t round;
    int i, n_left = n_doms;

    if (!left)
        return;
    memcpy(left, doms, n_doms * sizeof(*left));
    for (round = 0;
         round < sizeof(retry_pause_ms) / sizeof(retry_pause_ms[0]) &&
         n_left > 0;
         round++) {
        usleep(retry_pause_ms[round] * 1000);
        ask_again(ctx, left, data);
        /* keep those still lacking values */
        for (i = 0, n_left = 0; left[i]; i++) {
            unsigned char uuid[VMON_UUID_LEN];
            vmon_domain *dom;

            if (virDomainGetUUID(left[i], uuid) < 0)
                continue;
            dom = (vmon_domain *)vmon_host_data_find_domain(data, uuid);
            if (dom && vmon_stats_lacks(
                           dom, vmon_host_data_find_domain(ctx->prev, uuid),
                           ctx->groups))
                left[n_left++] = left[i];
        }
        left[n_left] = NULL;
    }
    free(left);
}

int vmon_collect_domains(const vmon_collect_ctx *ctx, vmon_host_data *data)
{
    virDomainStatsRecordPtr *records = NULL;
    virDomainPtr *skipped = NULL;
    int n, i, n_skipped = 0, ret = -1;

    n = get_all_stats(ctx, ctx->groups | VMON_GROUP_STATE, &records);
    if (n < 0)
        return -1;
    data->fresh_groups = ctx->groups | VMON_GROUP_STATE;
    if (n > 0 && (!(data->domains = calloc(n, sizeof(*data->domains))) ||
                  !(skipped = calloc(n + 1, sizeof(*skipped)))))
        goto cleanup;
    for (i = 0; i < n; i++) {
        vmon_domain *dom = &data->domains[data->n_domains];

        if (vmon_domain_from_record(records[i], dom) < 0) {
            /* a domain that vanished mid-poll costs its row, not the poll */
            vmon_domain_clear(dom);
            virResetLastError();
            continue;
        }
        if (needs_info(dom, ctx->groups))
            fill_from_info(records[i]->dom, dom, ctx->groups);
        if (vmon_stats_lacks(dom,
                             vmon_host_data_find_domain(ctx->prev, dom->uuid),
                             ctx->groups))
            skipped[n_skipped++] = records[i]->dom;
        data->n_domains++;
    }
    if (data->n_domains > 1)
        qsort(data->domains, data->n_domains, sizeof(*data->domains),
              compare_uuid);
    if (n_skipped > 0 && __atomic_load_n(ctx->has_nowait, __ATOMIC_SEQ_CST))
        retry_skipped(ctx, skipped, n_skipped, data);
    mark_persistent(ctx, data);
    ret = 0;
cleanup:
    free(skipped);
    virDomainStatsRecordListFree(records);
    return ret;
}
