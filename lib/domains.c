/* domains.c: every domain and its statistics from one
 * virConnectGetAllDomainStats call, plus one list call for persistence. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>

#include "vmon-internal.h"

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

static bool param_u64(const virTypedParameter *p, uint64_t *out)
{
    switch (p->type) {
    case VIR_TYPED_PARAM_INT:
        *out = p->value.i < 0 ? 0 : (uint64_t)p->value.i;
        return p->value.i >= 0;
    case VIR_TYPED_PARAM_UINT:
        *out = p->value.ui;
        return true;
    case VIR_TYPED_PARAM_LLONG:
        *out = p->value.l < 0 ? 0 : (uint64_t)p->value.l;
        return p->value.l >= 0;
    case VIR_TYPED_PARAM_ULLONG:
        *out = p->value.ul;
        return true;
    default:
        return false;
    }
}

typedef struct {
    const char *key;
    size_t offset;
    uint32_t bit;
} field_map;

#define DOM_FIELD(key, member, bit)                                            \
    {                                                                          \
        key, offsetof(vmon_domain, member), bit                                \
    }
static const field_map domain_fields[] = {
    DOM_FIELD("cpu.time", cpu_time_ns, VMON_DOM_HAS_CPU_TIME),
    DOM_FIELD("cpu.user", cpu_user_ns, VMON_DOM_HAS_CPU_USER),
    DOM_FIELD("cpu.system", cpu_system_ns, VMON_DOM_HAS_CPU_SYSTEM),
    DOM_FIELD("balloon.current", mem_current_kib, VMON_DOM_HAS_MEM_CURRENT),
    DOM_FIELD("balloon.maximum", mem_max_kib, VMON_DOM_HAS_MEM_MAX),
    DOM_FIELD("balloon.rss", balloon_rss_kib, VMON_DOM_HAS_BALLOON_RSS),
    DOM_FIELD("balloon.available", balloon_available_kib,
              VMON_DOM_HAS_BALLOON_AVAILABLE),
    DOM_FIELD("balloon.usable", balloon_usable_kib,
              VMON_DOM_HAS_BALLOON_USABLE),
    DOM_FIELD("balloon.unused", balloon_unused_kib,
              VMON_DOM_HAS_BALLOON_UNUSED),
    DOM_FIELD("balloon.swap_in", balloon_swap_in_kib,
              VMON_DOM_HAS_BALLOON_SWAP_IN),
    DOM_FIELD("balloon.swap_out", balloon_swap_out_kib,
              VMON_DOM_HAS_BALLOON_SWAP_OUT),
    DOM_FIELD("balloon.major_fault", balloon_major_fault,
              VMON_DOM_HAS_BALLOON_MAJOR_FAULT),
    DOM_FIELD("balloon.minor_fault", balloon_minor_fault,
              VMON_DOM_HAS_BALLOON_MINOR_FAULT),
    DOM_FIELD("balloon.disk_caches", balloon_disk_caches_kib,
              VMON_DOM_HAS_BALLOON_DISK_CACHES),
};

#define DISK_FIELD(key, member, bit)                                           \
    {                                                                          \
        key, offsetof(vmon_disk, member), bit                                  \
    }
static const field_map disk_fields[] = {
    DISK_FIELD("rd.reqs", rd_reqs, VMON_DISK_HAS_RD_REQS),
    DISK_FIELD("rd.bytes", rd_bytes, VMON_DISK_HAS_RD_BYTES),
    DISK_FIELD("rd.times", rd_times_ns, VMON_DISK_HAS_RD_TIMES),
    DISK_FIELD("wr.reqs", wr_reqs, VMON_DISK_HAS_WR_REQS),
    DISK_FIELD("wr.bytes", wr_bytes, VMON_DISK_HAS_WR_BYTES),
    DISK_FIELD("wr.times", wr_times_ns, VMON_DISK_HAS_WR_TIMES),
    DISK_FIELD("fl.reqs", fl_reqs, VMON_DISK_HAS_FL_REQS),
    DISK_FIELD("fl.times", fl_times_ns, VMON_DISK_HAS_FL_TIMES),
    DISK_FIELD("capacity", capacity, VMON_DISK_HAS_CAPACITY),
    DISK_FIELD("allocation", allocation, VMON_DISK_HAS_ALLOCATION),
    DISK_FIELD("physical", physical, VMON_DISK_HAS_PHYSICAL),
};

#define IF_FIELD(key, member, bit)                                             \
    {                                                                          \
        key, offsetof(vmon_iface, member), bit                                 \
    }
static const field_map iface_fields[] = {
    IF_FIELD("rx.bytes", rx_bytes, VMON_IF_HAS_RX_BYTES),
    IF_FIELD("rx.pkts", rx_pkts, VMON_IF_HAS_RX_PKTS),
    IF_FIELD("rx.errs", rx_errs, VMON_IF_HAS_RX_ERRS),
    IF_FIELD("rx.drop", rx_drop, VMON_IF_HAS_RX_DROP),
    IF_FIELD("tx.bytes", tx_bytes, VMON_IF_HAS_TX_BYTES),
    IF_FIELD("tx.pkts", tx_pkts, VMON_IF_HAS_TX_PKTS),
    IF_FIELD("tx.errs", tx_errs, VMON_IF_HAS_TX_ERRS),
    IF_FIELD("tx.drop", tx_drop, VMON_IF_HAS_TX_DROP),
};

#define VCPU_FIELD(key, member, bit)                                           \
    {                                                                          \
        key, offsetof(vmon_vcpu, member), bit                                  \
    }
static const field_map vcpu_fields[] = {
    VCPU_FIELD("time", time_ns, VMON_VCPU_HAS_TIME),
    VCPU_FIELD("wait", wait_ns, VMON_VCPU_HAS_WAIT),
    VCPU_FIELD("delay", delay_ns, VMON_VCPU_HAS_DELAY),
};

/* Store `p` into the struct at `base` if its key is one of `map`. */
static bool apply_field(const field_map *map, size_t n, const char *key,
                        const virTypedParameter *p, void *base, uint32_t *has)
{
    size_t i;
    uint64_t v;

    for (i = 0; i < n; i++) {
        if (strcmp(key, map[i].key) != 0)
            continue;
        if (!param_u64(p, &v))
            return false;
        memcpy((char *)base + map[i].offset, &v, sizeof(v));
        *has |= map[i].bit;
        return true;
    }
    return false;
}

/* "block.3.rd.reqs" with prefix "block." -> index 3, rest "rd.reqs". */
static bool split_indexed(const char *field, const char *prefix,
                          unsigned int *index, const char **rest)
{
    size_t plen = strlen(prefix);
    char *end;
    unsigned long n;

    if (strncmp(field, prefix, plen) != 0)
        return false;
    if (field[plen] < '0' || field[plen] > '9')
        return false;
    n = strtoul(field + plen, &end, 10);
    if (*end != '.' || n >= VMON_MAX_ITEMS)
        return false;
    *index = (unsigned int)n;
    *rest = end + 1;
    return true;
}

/* Grow `*items` (each `size` bytes, numbered by their first member) so that
 * index `idx` exists; returns the slot or NULL on allocation failure. */
static void *slot(void **items, size_t *n, size_t size, unsigned int idx)
{
    if (idx >= *n) {
        char *grown = realloc(*items, (idx + 1) * size);
        size_t i;

        if (!grown)
            return NULL;
        memset(grown + *n * size, 0, (idx + 1 - *n) * size);
        for (i = *n; i <= idx; i++)
            memcpy(grown + i * size, &(unsigned int){(unsigned int)i},
                   sizeof(unsigned int));
        *items = grown;
        *n = idx + 1;
    }
    return (char *)*items + idx * size;
}

static int set_string(char **dst, const virTypedParameter *p)
{
    if (p->type != VIR_TYPED_PARAM_STRING)
        return 0;
    free(*dst);
    return (*dst = strdup(p->value.s)) ? 0 : -1;
}

static int parse_disk(vmon_domain *dom, unsigned int idx, const char *rest,
                      const virTypedParameter *p)
{
    vmon_disk *disk =
        slot((void **)&dom->disks, &dom->n_disks, sizeof(*disk), idx);

    if (!disk)
        return -1;
    if (strcmp(rest, "name") == 0)
        return set_string(&disk->name, p);
    if (strcmp(rest, "path") == 0)
        return set_string(&disk->path, p);
    apply_field(disk_fields, sizeof(disk_fields) / sizeof(disk_fields[0]), rest,
                p, disk, &disk->has);
    return 0;
}

static int parse_iface(vmon_domain *dom, unsigned int idx, const char *rest,
                       const virTypedParameter *p)
{
    vmon_iface *iface =
        slot((void **)&dom->ifaces, &dom->n_ifaces, sizeof(*iface), idx);

    if (!iface)
        return -1;
    if (strcmp(rest, "name") == 0)
        return set_string(&iface->name, p);
    apply_field(iface_fields, sizeof(iface_fields) / sizeof(iface_fields[0]),
                rest, p, iface, &iface->has);
    return 0;
}

static int parse_vcpu(vmon_domain *dom, unsigned int idx, const char *rest,
                      const virTypedParameter *p)
{
    vmon_vcpu *vcpu =
        slot((void **)&dom->vcpus, &dom->n_vcpus, sizeof(*vcpu), idx);
    uint64_t v;

    if (!vcpu)
        return -1;
    if (strcmp(rest, "state") == 0 && param_u64(p, &v)) {
        vcpu->state = (int)v;
        vcpu->has |= VMON_VCPU_HAS_STATE;
        return 0;
    }
    apply_field(vcpu_fields, sizeof(vcpu_fields) / sizeof(vcpu_fields[0]), rest,
                p, vcpu, &vcpu->has);
    return 0;
}

static void parse_scalar(vmon_domain *dom, const virTypedParameter *p)
{
    uint64_t v;

    if (apply_field(domain_fields,
                    sizeof(domain_fields) / sizeof(domain_fields[0]), p->field,
                    p, dom, &dom->has) ||
        !param_u64(p, &v))
        return;
    if (strcmp(p->field, "state.state") == 0) {
        dom->state = (int)v;
        dom->has |= VMON_DOM_HAS_STATE;
    } else if (strcmp(p->field, "state.reason") == 0) {
        dom->reason = (int)v;
    } else if (strcmp(p->field, "vcpu.current") == 0) {
        dom->vcpu_current = (unsigned int)v;
        dom->has |= VMON_DOM_HAS_VCPU_CURRENT;
    } else if (strcmp(p->field, "vcpu.maximum") == 0) {
        dom->vcpu_max = (unsigned int)v;
        dom->has |= VMON_DOM_HAS_VCPU_MAX;
    }
}

static int parse_param(vmon_domain *dom, const virTypedParameter *p)
{
    unsigned int idx;
    const char *rest;

    if (split_indexed(p->field, "block.", &idx, &rest))
        return parse_disk(dom, idx, rest, p);
    if (split_indexed(p->field, "net.", &idx, &rest))
        return parse_iface(dom, idx, rest, p);
    if (split_indexed(p->field, "vcpu.", &idx, &rest))
        return parse_vcpu(dom, idx, rest, p);
    parse_scalar(dom, p);
    return 0;
}

/* Every disk and interface row carries a name, even if libvirt sent none. */
static int fill_missing_names(vmon_domain *dom)
{
    size_t i;

    for (i = 0; i < dom->n_disks; i++)
        if (!dom->disks[i].name && !(dom->disks[i].name = strdup("")))
            return -1;
    for (i = 0; i < dom->n_ifaces; i++)
        if (!dom->ifaces[i].name && !(dom->ifaces[i].name = strdup("")))
            return -1;
    return 0;
}

int vmon_domain_from_record(virDomainStatsRecordPtr rec, vmon_domain *dom)
{
    const char *name = virDomainGetName(rec->dom);
    unsigned int id = virDomainGetID(rec->dom);
    int i;

    memset(dom, 0, sizeof(*dom));
    if (!name || virDomainGetUUID(rec->dom, dom->uuid) < 0 ||
        virDomainGetUUIDString(rec->dom, dom->uuid_str) < 0)
        return -1;
    if (!(dom->name = strdup(name)))
        return -1;
    dom->id = id == (unsigned int)-1 ? -1 : (int)id;
    for (i = 0; i < rec->nparams; i++)
        if (parse_param(dom, &rec->params[i]) < 0)
            return -1;
    return fill_missing_names(dom);
}

/* Drivers whose bulk stats lack the balloon/vcpu/cpu groups (the test driver
 * in libvirt 9.0) still answer virDomainGetInfo; fill what it knows. Costs
 * one call per domain, so it only runs when the bulk call left gaps. */
static void fill_from_info(virDomainPtr dom, vmon_domain *out,
                           unsigned int groups)
{
    virDomainInfo info;

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
static int get_all_stats(vmon_conn *vc, unsigned int groups,
                         virDomainStatsRecordPtr **records)
{
    unsigned int stats = libvirt_groups(groups);
    int n;

    if (vc->has_nowait) {
        n = virConnectGetAllDomainStats(
            vc->conn, stats, records, VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);
        if (n >= 0)
            return n;
        if (virConnectIsAlive(vc->conn) == 0)
            return -1;
        vmon_log(VMON_LOG_INFO, "'%s' rejects NOWAIT domain stats: %s", vc->uri,
                 vmon_virt_error());
        virResetLastError();
        vc->has_nowait = false;
    }
    return virConnectGetAllDomainStats(vc->conn, stats, records, 0);
}

static void mark_persistent(virConnectPtr conn, vmon_host_data *data)
{
    virDomainPtr *doms = NULL;
    unsigned char uuid[VMON_UUID_LEN];
    int n, i;

    n = virConnectListAllDomains(conn, &doms,
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

/* Groups due this round. After a gap in the data (first poll, outage)
 * every group is due, so nothing is carried over from before it. */
static unsigned int due_groups(vmon_conn *vc, const vmon_conn_snap *prev)
{
    unsigned int due = 0, i;

    if (!prev->data || prev->is_stale) {
        vc->domain_polls = 0;
        return vc->stats_groups;
    }
    for (i = 0; i < VMON_GROUP_COUNT; i++) {
        unsigned int every = vc->group_every[i] ? vc->group_every[i] : 1;

        if (vc->domain_polls % every == 0)
            due |= 1u << i;
    }
    return due & vc->stats_groups;
}

static void *dup_array(const void *items, size_t n, size_t size)
{
    void *copy;

    if (n == 0 || !(copy = malloc(n * size)))
        return NULL;
    return memcpy(copy, items, n * size);
}

#define BALLOON_BITS                                                           \
    (VMON_DOM_HAS_MEM_CURRENT | VMON_DOM_HAS_MEM_MAX |                         \
     VMON_DOM_HAS_BALLOON_RSS | VMON_DOM_HAS_BALLOON_AVAILABLE |               \
     VMON_DOM_HAS_BALLOON_USABLE | VMON_DOM_HAS_BALLOON_UNUSED |               \
     VMON_DOM_HAS_BALLOON_SWAP_IN | VMON_DOM_HAS_BALLOON_SWAP_OUT |            \
     VMON_DOM_HAS_BALLOON_MAJOR_FAULT | VMON_DOM_HAS_BALLOON_MINOR_FAULT |     \
     VMON_DOM_HAS_BALLOON_DISK_CACHES)
#define CPU_BITS                                                               \
    (VMON_DOM_HAS_CPU_TIME | VMON_DOM_HAS_CPU_USER | VMON_DOM_HAS_CPU_SYSTEM)
#define VCPU_BITS (VMON_DOM_HAS_VCPU_CURRENT | VMON_DOM_HAS_VCPU_MAX)

static void carry_scalars(vmon_domain *dom, const vmon_domain *old,
                          unsigned int groups)
{
    if (groups & VMON_GROUP_CPU) {
        dom->cpu_time_ns = old->cpu_time_ns;
        dom->cpu_user_ns = old->cpu_user_ns;
        dom->cpu_system_ns = old->cpu_system_ns;
        dom->has |= old->has & CPU_BITS;
    }
    if (groups & VMON_GROUP_BALLOON) {
        dom->mem_current_kib = old->mem_current_kib;
        dom->mem_max_kib = old->mem_max_kib;
        dom->balloon_rss_kib = old->balloon_rss_kib;
        dom->balloon_available_kib = old->balloon_available_kib;
        dom->balloon_usable_kib = old->balloon_usable_kib;
        dom->balloon_unused_kib = old->balloon_unused_kib;
        dom->balloon_swap_in_kib = old->balloon_swap_in_kib;
        dom->balloon_swap_out_kib = old->balloon_swap_out_kib;
        dom->balloon_major_fault = old->balloon_major_fault;
        dom->balloon_minor_fault = old->balloon_minor_fault;
        dom->balloon_disk_caches_kib = old->balloon_disk_caches_kib;
        dom->has |= old->has & BALLOON_BITS;
    }
}

/* Copy the values of `groups` (not polled this round) from `old`. */
static int carry_over(vmon_domain *dom, const vmon_domain *old,
                      unsigned int groups)
{
    size_t i;

    carry_scalars(dom, old, groups);
    if ((groups & VMON_GROUP_VCPU) && old->n_vcpus) {
        dom->vcpu_current = old->vcpu_current;
        dom->vcpu_max = old->vcpu_max;
        dom->has |= old->has & VCPU_BITS;
        if (!(dom->vcpus =
                  dup_array(old->vcpus, old->n_vcpus, sizeof(*old->vcpus))))
            return -1;
        dom->n_vcpus = old->n_vcpus;
    }
    if ((groups & VMON_GROUP_INTERFACE) && old->n_ifaces) {
        if (!(dom->ifaces =
                  dup_array(old->ifaces, old->n_ifaces, sizeof(*old->ifaces))))
            return -1;
        dom->n_ifaces = old->n_ifaces;
        for (i = 0; i < dom->n_ifaces; i++)
            dom->ifaces[i].name = strdup(old->ifaces[i].name);
    }
    if ((groups & VMON_GROUP_BLOCK) && old->n_disks) {
        if (!(dom->disks =
                  dup_array(old->disks, old->n_disks, sizeof(*old->disks))))
            return -1;
        dom->n_disks = old->n_disks;
        for (i = 0; i < dom->n_disks; i++) {
            dom->disks[i].name = strdup(old->disks[i].name);
            dom->disks[i].path =
                old->disks[i].path ? strdup(old->disks[i].path) : NULL;
        }
    }
    return fill_missing_names(dom);
}

int vmon_collect_domains(vmon_conn *vc, vmon_host_data *data)
{
    virDomainStatsRecordPtr *records = NULL;
    const vmon_conn_snap *prev = vc->current; /* only this thread swaps it */
    unsigned int groups = due_groups(vc, prev);
    unsigned int skipped = vc->stats_groups & ~groups;
    int n, i, ret = -1;

    n = get_all_stats(vc, groups | VMON_GROUP_STATE, &records);
    if (n < 0) {
        vmon_error_capture();
        return -1;
    }
    vc->domain_polls++;
    data->fresh_groups = groups | VMON_GROUP_STATE;
    if (n > 0 && !(data->domains = calloc(n, sizeof(*data->domains))))
        goto cleanup;
    for (i = 0; i < n; i++) {
        vmon_domain *dom = &data->domains[data->n_domains];
        const vmon_domain *old;

        if (vmon_domain_from_record(records[i], dom) < 0) {
            /* a domain that vanished mid-poll costs its row, not the poll */
            vmon_domain_clear(dom);
            virResetLastError();
            continue;
        }
        if (needs_info(dom, groups))
            fill_from_info(records[i]->dom, dom, groups);
        old =
            skipped ? vmon_host_data_find_domain(prev->data, dom->uuid) : NULL;
        if (old && carry_over(dom, old, skipped) < 0) {
            vmon_domain_clear(dom);
            goto cleanup;
        }
        data->n_domains++;
    }
    qsort(data->domains, data->n_domains, sizeof(*data->domains), compare_uuid);
    mark_persistent(vc->conn, data);
    ret = 0;
cleanup:
    virDomainStatsRecordListFree(records);
    return ret;
}
