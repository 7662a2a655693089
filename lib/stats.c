/* stats.c: one table of libvirt's bulk stats fields (key, group, where the
 * value goes) that drives parsing a record and carrying values over. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "vmon-stats.h"

#define VMON_MAX_ITEMS 4096 /* bound on vcpu/disk/net numbers we accept */

typedef enum { ITEM_DOMAIN, ITEM_VCPU, ITEM_DISK, ITEM_IFACE } item_kind;
typedef enum { VAL_U64, VAL_UINT, VAL_INT, VAL_STRING } val_kind;

typedef struct {
    const char *key; /* for vCPUs and devices: what follows "vcpu.<N>." */
    item_kind item;
    unsigned int group;
    val_kind kind;
    size_t offset;
    uint32_t bit; /* in the row's `has`; 0: strings (set when non-NULL) */
} stats_field;

#define F(key, item, group, kind, type, member, bit)                           \
    {                                                                          \
        key, item, VMON_GROUP_##group, kind, offsetof(type, member), bit       \
    }
#define D(key, group, kind, member, bit)                                       \
    F(key, ITEM_DOMAIN, group, kind, vmon_domain, member, VMON_DOM_HAS_##bit)
#define V(key, member, bit)                                                    \
    F(key, ITEM_VCPU, VCPU, VAL_U64, vmon_vcpu, member, VMON_VCPU_HAS_##bit)
#define K(key, member, bit)                                                    \
    F(key, ITEM_DISK, BLOCK, VAL_U64, vmon_disk, member, VMON_DISK_HAS_##bit)
#define I(key, member, bit)                                                    \
    F(key, ITEM_IFACE, INTERFACE, VAL_U64, vmon_iface, member,                 \
      VMON_IF_HAS_##bit)

static const stats_field fields[] = {
    D("state.state", STATE, VAL_INT, state, STATE),
    F("state.reason", ITEM_DOMAIN, STATE, VAL_INT, vmon_domain, reason, 0),
    D("cpu.time", CPU, VAL_U64, cpu_time_ns, CPU_TIME),
    D("cpu.user", CPU, VAL_U64, cpu_user_ns, CPU_USER),
    D("cpu.system", CPU, VAL_U64, cpu_system_ns, CPU_SYSTEM),
    D("balloon.current", BALLOON, VAL_U64, mem_current_kib, MEM_CURRENT),
    D("balloon.maximum", BALLOON, VAL_U64, mem_max_kib, MEM_MAX),
    D("balloon.rss", BALLOON, VAL_U64, balloon_rss_kib, BALLOON_RSS),
    D("balloon.available", BALLOON, VAL_U64, balloon_available_kib,
      BALLOON_AVAILABLE),
    D("balloon.usable", BALLOON, VAL_U64, balloon_usable_kib, BALLOON_USABLE),
    D("balloon.unused", BALLOON, VAL_U64, balloon_unused_kib, BALLOON_UNUSED),
    D("balloon.swap_in", BALLOON, VAL_U64, balloon_swap_in_kib,
      BALLOON_SWAP_IN),
    D("balloon.swap_out", BALLOON, VAL_U64, balloon_swap_out_kib,
      BALLOON_SWAP_OUT),
    D("balloon.major_fault", BALLOON, VAL_U64, balloon_major_fault,
      BALLOON_MAJOR_FAULT),
    D("balloon.minor_fault", BALLOON, VAL_U64, balloon_minor_fault,
      BALLOON_MINOR_FAULT),
    D("balloon.disk_caches", BALLOON, VAL_U64, balloon_disk_caches_kib,
      BALLOON_DISK_CACHES),
    D("vcpu.current", VCPU, VAL_UINT, vcpu_current, VCPU_CURRENT),
    D("vcpu.maximum", VCPU, VAL_UINT, vcpu_max, VCPU_MAX),
    D("block.count", BLOCK, VAL_U64, disk_count, DISK_COUNT),
    D("net.count", INTERFACE, VAL_U64, iface_count, IFACE_COUNT),
    F("state", ITEM_VCPU, VCPU, VAL_INT, vmon_vcpu, state, VMON_VCPU_HAS_STATE),
    V("time", time_ns, TIME),
    V("wait", wait_ns, WAIT),
    V("delay", delay_ns, DELAY),
    F("name", ITEM_DISK, BLOCK, VAL_STRING, vmon_disk, name, 0),
    F("path", ITEM_DISK, BLOCK, VAL_STRING, vmon_disk, path, 0),
    K("rd.reqs", rd_reqs, RD_REQS),
    K("rd.bytes", rd_bytes, RD_BYTES),
    K("rd.times", rd_times_ns, RD_TIMES),
    K("wr.reqs", wr_reqs, WR_REQS),
    K("wr.bytes", wr_bytes, WR_BYTES),
    K("wr.times", wr_times_ns, WR_TIMES),
    K("fl.reqs", fl_reqs, FL_REQS),
    K("fl.times", fl_times_ns, FL_TIMES),
    K("capacity", capacity, CAPACITY),
    K("allocation", allocation, ALLOCATION),
    K("physical", physical, PHYSICAL),
    F("name", ITEM_IFACE, INTERFACE, VAL_STRING, vmon_iface, name, 0),
    I("rx.bytes", rx_bytes, RX_BYTES),
    I("rx.pkts", rx_pkts, RX_PKTS),
    I("rx.errs", rx_errs, RX_ERRS),
    I("rx.drop", rx_drop, RX_DROP),
    I("tx.bytes", tx_bytes, TX_BYTES),
    I("tx.pkts", tx_pkts, TX_PKTS),
    I("tx.errs", tx_errs, TX_ERRS),
    I("tx.drop", tx_drop, TX_DROP),
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* The arrays of rows a domain holds, one per item kind but ITEM_DOMAIN. */
typedef struct {
    void **items;
    size_t *n;
    size_t size;
    uint32_t *(*has)(void *item);
} item_array;

static uint32_t *vcpu_has(void *item)
{
    return &((vmon_vcpu *)item)->has;
}

static uint32_t *disk_has(void *item)
{
    return &((vmon_disk *)item)->has;
}

static uint32_t *iface_has(void *item)
{
    return &((vmon_iface *)item)->has;
}

static item_array array_of(vmon_domain *dom, item_kind item)
{
    switch (item) {
    case ITEM_VCPU:
        return (item_array){(void **)&dom->vcpus, &dom->n_vcpus,
                            sizeof(vmon_vcpu), vcpu_has};
    case ITEM_DISK:
        return (item_array){(void **)&dom->disks, &dom->n_disks,
                            sizeof(vmon_disk), disk_has};
    case ITEM_IFACE:
        return (item_array){(void **)&dom->ifaces, &dom->n_ifaces,
                            sizeof(vmon_iface), iface_has};
    default:
        return (item_array){NULL, NULL, 0, NULL};
    }
}

/* Every row type starts with its libvirt number. */
static unsigned int item_number(const item_array *a, size_t i)
{
    unsigned int number;

    memcpy(&number, (char *)*a->items + i * a->size, sizeof(number));
    return number;
}

static void *item_at(const item_array *a, size_t i)
{
    return (char *)*a->items + i * a->size;
}

/* The row numbered `number`, inserted in order when new; NULL when out of
 * memory. Records list rows in order, so the search starts at the end. */
static void *item_slot(item_array *a, unsigned int number)
{
    size_t pos = *a->n;
    char *grown;

    while (pos > 0 && item_number(a, pos - 1) >= number) {
        if (item_number(a, pos - 1) == number)
            return item_at(a, pos - 1);
        pos--;
    }
    if (!(grown = realloc(*a->items, (*a->n + 1) * a->size)))
        return NULL;
    *a->items = grown;
    memmove(grown + (pos + 1) * a->size, grown + pos * a->size,
            (*a->n - pos) * a->size);
    memset(grown + pos * a->size, 0, a->size);
    memcpy(grown + pos * a->size, &number, sizeof(number));
    (*a->n)++;
    return grown + pos * a->size;
}

static bool param_u64(const virTypedParameter *p, uint64_t *out)
{
    switch (p->type) {
    case VIR_TYPED_PARAM_INT:
        *out = (uint64_t)p->value.i;
        return p->value.i >= 0;
    case VIR_TYPED_PARAM_UINT:
        *out = p->value.ui;
        return true;
    case VIR_TYPED_PARAM_LLONG:
        *out = (uint64_t)p->value.l;
        return p->value.l >= 0;
    case VIR_TYPED_PARAM_ULLONG:
        *out = p->value.ul;
        return true;
    default:
        return false;
    }
}

/* Store `p` as field `f` of the row at `base`: 1 stored, 0 ignored (wrong
 * type or out of range), -1 out of memory. */
static int store(const stats_field *f, void *base, uint32_t *has,
                 const virTypedParameter *p)
{
    char *at = (char *)base + f->offset;
    uint64_t v;

    if (f->kind == VAL_STRING) {
        char *copy;

        if (p->type != VIR_TYPED_PARAM_STRING || !p->value.s)
            return 0;
        if (!(copy = strdup(p->value.s)))
            return -1;
        free(*(char **)at);
        *(char **)at = copy;
        return 1;
    }
    if (!param_u64(p, &v))
        return 0;
    if (f->kind == VAL_U64) {
        memcpy(at, &v, sizeof(v));
    } else {
        unsigned int u = (unsigned int)v;

        if (v > (f->kind == VAL_INT ? (uint64_t)INT32_MAX : UINT32_MAX))
            return 0;
        memcpy(at, &u, sizeof(u)); /* int and unsigned int share a size */
    }
    *has |= f->bit;
    return 1;
}

/* "block.3.rd.reqs" -> ITEM_DISK, 3, "rd.reqs"; anything else: ITEM_DOMAIN
 * and the whole key. A prefix without a valid number is not a row. */
static bool split_key(const char *key, item_kind *item, unsigned int *number,
                      const char **rest)
{
    static const struct {
        const char *prefix;
        item_kind item;
    } prefixes[] = {
        {"vcpu.", ITEM_VCPU}, {"block.", ITEM_DISK}, {"net.", ITEM_IFACE}};
    size_t i, len;
    unsigned long n;
    char *end;

    for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        len = strlen(prefixes[i].prefix);
        if (strncmp(key, prefixes[i].prefix, len) != 0 || key[len] < '0' ||
            key[len] > '9')
            continue;
        n = strtoul(key + len, &end, 10);
        if (*end != '.' || n >= VMON_MAX_ITEMS)
            return false;
        *item = prefixes[i].item;
        *number = (unsigned int)n;
        *rest = end + 1;
        return true;
    }
    *item = ITEM_DOMAIN;
    *rest = key;
    return true;
}

static const stats_field *find_field(item_kind item, const char *key)
{
    size_t i;

    for (i = 0; i < N_FIELDS; i++)
        if (fields[i].item == item && strcmp(fields[i].key, key) == 0)
            return &fields[i];
    return NULL;
}

static int parse_param(vmon_domain *dom, const virTypedParameter *p)
{
    const stats_field *f;
    const char *rest;
    unsigned int number = 0;
    item_kind item;
    item_array a;
    void *row;

    if (!split_key(p->field, &item, &number, &rest) ||
        !(f = find_field(item, rest)))
        return 0;
    if (item == ITEM_DOMAIN)
        return store(f, dom, &dom->has, p) < 0 ? -1 : 0;
    a = array_of(dom, item);
    if (!(row = item_slot(&a, number)))
        return -1;
    return store(f, row, a.has(row), p) < 0 ? -1 : 0;
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

int vmon_stats_parse(vmon_domain *dom, const virTypedParameter *params,
                     int nparams)
{
    int i;

    for (i = 0; i < nparams; i++)
        if (params[i].field[0] && parse_param(dom, &params[i]) < 0)
            return -1;
    return fill_missing_names(dom);
}

static unsigned int group_bit_index(unsigned int group)
{
    unsigned int i = 0;

    while (group > 1) {
        group >>= 1;
        i++;
    }
    return i;
}

static item_kind item_of_group(unsigned int group)
{
    switch (group) {
    case VMON_GROUP_VCPU:
        return ITEM_VCPU;
    case VMON_GROUP_BLOCK:
        return ITEM_DISK;
    case VMON_GROUP_INTERFACE:
        return ITEM_IFACE;
    default:
        return ITEM_DOMAIN;
    }
}

/* Copy the numeric fields of `group` and `item` that `dst` lacks and `src`
 * has (only count them when `is_dry`); returns how many. Strings are never
 * carried: they name the row. */
static unsigned int fill_fields(unsigned int group, item_kind item, void *dst,
                                uint32_t *dst_has, const void *src,
                                uint32_t src_has, bool is_dry)
{
    unsigned int carried = 0;
    size_t i;

    for (i = 0; i < N_FIELDS; i++) {
        const stats_field *f = &fields[i];
        size_t size = f->kind == VAL_U64 ? sizeof(uint64_t) : sizeof(int);

        if (f->group != group || f->item != item || !f->bit ||
            !(src_has & f->bit) || (*dst_has & f->bit))
            continue;
        carried++;
        if (is_dry)
            continue;
        memcpy((char *)dst + f->offset, (const char *)src + f->offset, size);
        *dst_has |= f->bit;
    }
    return carried;
}

/* Does row `a` name the same device as row `b`? Disks and interfaces keep
 * their numbers while the devices do not change; the name checks it. */
static bool same_device(item_kind item, const void *a, const void *b)
{
    const char *na = NULL, *nb = NULL;

    if (item == ITEM_DISK) {
        na = ((const vmon_disk *)a)->name;
        nb = ((const vmon_disk *)b)->name;
    } else if (item == ITEM_IFACE) {
        na = ((const vmon_iface *)a)->name;
        nb = ((const vmon_iface *)b)->name;
    }
    return !na || !nb || strcmp(na, nb) == 0;
}

/* Fill the rows `dom` has from the rows of `old` with the same number. */
static unsigned int fill_items(vmon_domain *dom, const vmon_domain *old,
                               unsigned int group, bool is_dry)
{
    item_kind item = item_of_group(group);
    item_array a = array_of(dom, item);
    item_array b = array_of((vmon_domain *)old, item);
    unsigned int carried = 0;
    size_t i, j = 0;

    for (i = 0; a.items && i < *a.n; i++) {
        unsigned int number = item_number(&a, i);

        while (j < *b.n && item_number(&b, j) < number)
            j++;
        if (j == *b.n || item_number(&b, j) != number ||
            !same_device(item, item_at(&a, i), item_at(&b, j)))
            continue;
        carried +=
            fill_fields(group, item, item_at(&a, i), a.has(item_at(&a, i)),
                        item_at(&b, j), *b.has(item_at(&b, j)), is_dry);
    }
    return carried;
}

/* A group not due this poll: its rows and values as the last fetch had
 * them (the record should hold none; any it holds are replaced). */
static int take_over(vmon_domain *dom, const vmon_domain *old,
                     unsigned int group)
{
    item_kind item = item_of_group(group);
    vmon_domain copy;

    fill_fields(group, ITEM_DOMAIN, dom, &dom->has, old, old->has, false);
    if (item == ITEM_DOMAIN)
        return 0;
    /* the copy's arrays move into `dom`; the rest of it is dropped */
    if (vmon_domain_copy(&copy, old) < 0)
        return -1;
    if (item == ITEM_VCPU) {
        free(dom->vcpus);
        dom->vcpus = copy.vcpus, dom->n_vcpus = copy.n_vcpus;
        copy.vcpus = NULL, copy.n_vcpus = 0;
    } else if (item == ITEM_DISK) {
        vmon_domain gone = {.disks = dom->disks, .n_disks = dom->n_disks};

        vmon_domain_clear(&gone);
        dom->disks = copy.disks, dom->n_disks = copy.n_disks;
        copy.disks = NULL, copy.n_disks = 0;
    } else {
        vmon_domain gone = {.ifaces = dom->ifaces, .n_ifaces = dom->n_ifaces};

        vmon_domain_clear(&gone);
        dom->ifaces = copy.ifaces, dom->n_ifaces = copy.n_ifaces;
        copy.ifaces = NULL, copy.n_ifaces = 0;
    }
    vmon_domain_clear(&copy);
    return 0;
}

/* Values of one requested group that this record lacks and the last one
 * had, while the domain runs on: another client's job or a stuck guest. */
static void fill_missing(vmon_domain *dom, const vmon_domain *old,
                         unsigned int group, const vmon_stats_poll *poll)
{
    unsigned int g = group_bit_index(group);
    unsigned int carried;
    bool may_carry =
        old->group_misses[g] < VMON_CARRY_MAX_MISSES || poll->has_overdue;

    carried = may_carry ? fill_fields(group, ITEM_DOMAIN, dom, &dom->has, old,
                                      old->has, false) +
                              fill_items(dom, old, group, false)
                        : 0;
    if (carried) {
        dom->group_time[g] = old->group_time[g];
        dom->group_misses[g] =
            old->group_misses[g] + (old->group_misses[g] < UINT8_MAX);
    } else {
        dom->group_time[g] = poll->polled;
        dom->group_misses[g] = 0;
    }
}

bool vmon_stats_lacks(vmon_domain *dom, const vmon_domain *old,
                      unsigned int requested)
{
    unsigned int g;

    if (!old || old->id != dom->id || dom->id < 0)
        return false;
    for (g = 1; g < VMON_GROUP_COUNT; g++) {
        unsigned int group = 1u << g;

        if ((requested & group) && fill_fields(group, ITEM_DOMAIN, dom,
                                               &dom->has, old, old->has, true) +
                                           fill_items(dom, old, group, true) >
                                       0)
            return true;
    }
    return false;
}

int vmon_stats_carry(vmon_domain *dom, const vmon_domain *old,
                     const vmon_stats_poll *poll)
{
    unsigned int g;
    bool is_same_run = old && old->id == dom->id;

    dom->is_stale = false;
    for (g = 0; g < VMON_GROUP_COUNT; g++) {
        unsigned int group = 1u << g;

        dom->group_time[g] = 0;
        dom->group_misses[g] = 0;
        if (!(poll->configured & group))
            continue;
        if (group == VMON_GROUP_STATE) {
            dom->group_time[g] = poll->polled;
        } else if (!(poll->requested & group)) {
            /* a new run of the domain starts without the old run's values */
            if (!is_same_run)
                continue;
            if (take_over(dom, old, group) < 0)
                return -1;
            dom->group_time[g] = old->group_time[g];
            dom->group_misses[g] = old->group_misses[g];
        } else if (is_same_run && dom->id >= 0) {
            fill_missing(dom, old, group, poll);
        } else {
            dom->group_time[g] = poll->polled;
        }
        if (dom->group_misses[g] >= 2 ||
            (dom->group_misses[g] >= 1 && poll->has_overdue))
            dom->is_stale = true;
    }
    return fill_missing_names(dom);
}

int vmon_stats_merge(vmon_host_data *data, const vmon_host_data *prev,
                     const vmon_stats_poll *poll)
{
    size_t i;

    for (i = 0; i < data->n_domains; i++) {
        vmon_domain *dom = &data->domains[i];

        if (vmon_stats_carry(dom, vmon_host_data_find_domain(prev, dom->uuid),
                             poll) < 0)
            return -1;
    }
    return 0;
}
