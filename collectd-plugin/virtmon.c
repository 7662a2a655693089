/* virtmon.c: collectd read plugin that dispatches virtmon's snapshots of
 * libvirt hosts as collectd values, without a libvirt call per read. */

/* collectd's headers include collectd's own config.h (HAVE_CONFIG_H), which
 * defines the same PACKAGE_* macros as virtmon's: this file includes only
 * collectd's. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include <regex.h>

#include <libvirt/libvirt.h>

#include "vmon-core.h"

#define VM_PLUGIN "virtmon"
#define VM_DEFAULT_URI "qemu:///system"
#define VM_MAX_FORMAT 4
#define VM_MAX_REFRESH_S 86400
#define KIB 1024.0

/* ---- configuration ------------------------------------------------------ */

/* What HostnameFormat and PluginInstanceFormat are made of. */
typedef enum {
    VM_FIELD_NONE,
    VM_FIELD_NAME,       /* the domain's name */
    VM_FIELD_UUID,       /* the domain's UUID */
    VM_FIELD_HOSTNAME,   /* the libvirt host's name (virConnectGetHostname) */
    VM_FIELD_CONNECTION, /* the connection's name */
} vm_field;

typedef struct {
    size_t n_fields;
    vm_field fields[VM_MAX_FORMAT];
} vm_format;

/* One entry of a Domain/BlockDevice/InterfaceDevice list: a plain string,
 * or a regular expression written as "/regex/". */
typedef struct {
    char *text;
    bool is_regex;
    regex_t re;
} vm_pattern;

typedef struct {
    size_t n_patterns;
    vm_pattern *patterns;
} vm_filter;

typedef struct {
    char *uri;
    char *name; /* plugin instance of the connection's own values */
} vm_connection;

typedef struct {
    size_t n_conns;
    vm_connection *conns;
    int refresh_s; /* 0: follow collectd's read interval */
    vm_filter domains;
    vm_filter block_devices; /* "domain:device" */
    vm_filter interfaces;    /* "domain:interface" */
    bool is_ignore_selected; /* the lists name what to skip, not to keep */
    vm_format hostname_format;
    vm_format plugin_instance_format;
    bool report_block_devices;
    bool report_interfaces;
    bool report_magic_file;
    bool magic_local_read; /* MagicLocalRead: stock libvirt, local file */
    bool notifications;
    unsigned int stats_groups; /* StatsGroups; 0: every group */
    unsigned int group_every[VMON_GROUP_COUNT]; /* StatsEvery */
    int poll_timeout_s; /* PollTimeout; 0: the core's default */
} vm_config;

static vm_config config = {
    .hostname_format = {1, {VM_FIELD_NAME}},
    .plugin_instance_format = {0, {VM_FIELD_NONE}},
    .report_block_devices = true,
    .report_interfaces = true,
    .report_magic_file = true,
    .notifications = true,
};

/* A bad option leaves this set: init then refuses to start the plugin. */
static bool has_config_error;

/* ---- running state ------------------------------------------------------ */

static vmon_core *core;
static cdtime_t data_interval;    /* vl.interval of snapshot values */
static uint64_t *dispatched_poll; /* per connection: last poll sent */

/* Where a group of values comes from: collectd's host and plugin instance,
 * and the time of the poll that fetched them. */
typedef struct {
    const char *host; /* NULL: collectd's own host name */
    const char *plugin_instance;
    cdtime_t interval; /* 0: the read interval */
    cdtime_t time;     /* 0: now */
} vm_origin;

/* ---- strings ------------------------------------------------------------ */

/* Appends `src` to `dst`, cut at a character boundary when it does not fit:
 * collectd's names hold DATA_MAX_NAME_LEN - 1 bytes and domain names may be
 * longer, and half a UTF-8 sequence must not reach a writer. */
static void append_utf8(char *dst, size_t size, const char *src)
{
    size_t used = strlen(dst);
    size_t n;

    if (!src || used + 1 >= size)
        return;
    n = strlen(src);
    if (n > size - 1 - used) {
        n = size - 1 - used;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst + used, src, n);
    dst[used + n] = '\0';
}

/* "qemu+tls://host.example/system" -> "qemu_tls_host_example_system": a
 * default connection name without the characters that collectd's
 * identifiers and graphite's paths treat as separators. */
static char *name_from_uri(const char *uri)
{
    char *name = calloc(1, strlen(uri) + 1);
    size_t len = 0;
    const char *p;

    if (!name)
        return NULL;
    for (p = uri; *p; p++) {
        if (isalnum((unsigned char)*p) || *p == '-')
            name[len++] = *p;
        else if (len > 0 && name[len - 1] != '_')
            name[len++] = '_';
    }
    while (len > 0 && name[len - 1] == '_')
        len--;
    name[len] = '\0';
    if (len >= DATA_MAX_NAME_LEN)
        name[DATA_MAX_NAME_LEN - 1] = '\0';
    return name;
}

/* ---- filters (the semantics of collectd's ignorelist) -------------------- */

static void filter_clear(vm_filter *f)
{
    size_t i;

    for (i = 0; i < f->n_patterns; i++) {
        if (f->patterns[i].is_regex)
            regfree(&f->patterns[i].re);
        free(f->patterns[i].text);
    }
    free(f->patterns);
    f->patterns = NULL;
    f->n_patterns = 0;
}

static int filter_add(vm_filter *f, const char *key, const char *text)
{
    size_t len = strlen(text);
    vm_pattern *grown;
    vm_pattern *p;
    int err;

    grown = realloc(f->patterns, (f->n_patterns + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    f->patterns = grown;
    p = &f->patterns[f->n_patterns];
    memset(p, 0, sizeof(*p));
    p->is_regex = len >= 2 && text[0] == '/' && text[len - 1] == '/';
    if (!(p->text = p->is_regex ? strndup(text + 1, len - 2) : strdup(text)))
        return -1;
    if (p->is_regex &&
        (err = regcomp(&p->re, p->text, REG_EXTENDED | REG_NOSUB)) != 0) {
        char msg[256];

        regerror(err, &p->re, msg, sizeof(msg));
        ERROR("virtmon plugin: %s: invalid regular expression '%s': %s", key,
              p->text, msg);
        free(p->text);
        return -1;
    }
    f->n_patterns++;
    return 0;
}

static bool filter_matches(const vm_filter *f, const char *value)
{
    size_t i;

    for (i = 0; i < f->n_patterns; i++) {
        const vm_pattern *p = &f->patterns[i];

        if (p->is_regex ? regexec(&p->re, value, 0, NULL, 0) == 0
                        : strcmp(p->text, value) == 0)
            return true;
    }
    return false;
}

/* An empty list skips nothing; otherwise IgnoreSelected says whether the
 * list names what to skip or what to keep. */
static bool filter_skips(const vm_filter *f, const char *value)
{
    if (f->n_patterns == 0)
        return false;
    return filter_matches(f, value) == config.is_ignore_selected;
}

/* Device lists match "domain:device". */
static bool filter_skips_device(const vm_filter *f, const char *domain,
                                const char *device)
{
    char *key;
    bool skips;

    if (f->n_patterns == 0)
        return false;
    if (!(key = ssnprintf_alloc("%s:%s", domain, device)))
        return true;
    skips = filter_skips(f, key);
    free(key);
    return skips;
}

/* ---- config callbacks --------------------------------------------------- */

/* name NULL: derived from the URI. */
static int add_connection(const char *uri, const char *name)
{
    vm_connection *grown;
    vm_connection *c;

    grown = realloc(config.conns, (config.n_conns + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    config.conns = grown;
    c = &config.conns[config.n_conns++];
    c->uri = strdup(uri);
    c->name = name ? strdup(name) : name_from_uri(uri);
    return c->uri && c->name ? 0 : -1;
}

static int config_connection(oconfig_item_t *ci, void *target)
{
    int i;

    (void)target;
    if (ci->values_num < 1 || ci->values_num > 2) {
        ERROR(
            "virtmon plugin: Connection takes a URI and a name, not %d values",
            ci->values_num);
        return -1;
    }
    for (i = 0; i < ci->values_num; i++) {
        if (ci->values[i].type != OCONFIG_TYPE_STRING ||
            !*ci->values[i].value.string) {
            ERROR("virtmon plugin: Connection: value %d is not a URI or name",
                  i + 1);
            return -1;
        }
    }
    return add_connection(ci->values[0].value.string,
                          ci->values_num == 2 ? ci->values[1].value.string
                                              : NULL);
}

/* A number of seconds in 1..max, for the option whose target it is. */
typedef struct {
    int *seconds;
    int max;
} vm_seconds;

static vm_seconds refresh_interval = {&config.refresh_s, VM_MAX_REFRESH_S};
static vm_seconds poll_timeout = {&config.poll_timeout_s,
                                  VMON_POLL_TIMEOUT_MAX};

static int config_seconds(oconfig_item_t *ci, void *target)
{
    const vm_seconds *limit = target;
    int seconds;

    if (cf_util_get_int(ci, &seconds) != 0)
        return -1;
    if (seconds < 1 || seconds > limit->max) {
        ERROR("virtmon plugin: %s '%d' is not in 1..%d", ci->key, seconds,
              limit->max);
        return -1;
    }
    *limit->seconds = seconds;
    return 0;
}

static int config_filter(oconfig_item_t *ci, void *target)
{
    char *text = NULL;
    int ret;

    if (cf_util_get_string(ci, &text) != 0)
        return -1;
    ret = filter_add(target, ci->key, text);
    free(text);
    return ret;
}

static int config_boolean(oconfig_item_t *ci, void *target)
{
    return cf_util_get_boolean(ci, target) == 0 ? 0 : -1;
}

static const struct {
    const char *word;
    vm_field field;
} field_words[] = {
    {"none", VM_FIELD_NONE},
    {"name", VM_FIELD_NAME},
    {"uuid", VM_FIELD_UUID},
    {"hostname", VM_FIELD_HOSTNAME},
    {"connection", VM_FIELD_CONNECTION},
};

static int parse_field(const char *key, const char *word, vm_field *field)
{
    size_t i;

    for (i = 0; i < STATIC_ARRAY_SIZE(field_words); i++) {
        if (strcasecmp(word, field_words[i].word) == 0) {
            *field = field_words[i].field;
            return 0;
        }
    }
    ERROR("virtmon plugin: %s: unknown field '%s'", key, word);
    return -1;
}

/* HostnameFormat name uuid: fields joined with ':', as in the virt plugin. */
static int config_format(oconfig_item_t *ci, void *target)
{
    vm_format *fmt = target;
    vm_field field;
    int i;

    if (ci->values_num < 1 || ci->values_num > VM_MAX_FORMAT) {
        ERROR("virtmon plugin: %s takes 1 to %d fields, got %d", ci->key,
              VM_MAX_FORMAT, ci->values_num);
        return -1;
    }
    fmt->n_fields = 0;
    for (i = 0; i < ci->values_num; i++) {
        if (ci->values[i].type != OCONFIG_TYPE_STRING) {
            ERROR("virtmon plugin: %s: field %d is not a word", ci->key, i + 1);
            return -1;
        }
        if (parse_field(ci->key, ci->values[i].value.string, &field) != 0)
            return -1;
        if (field != VM_FIELD_NONE)
            fmt->fields[fmt->n_fields++] = field;
    }
    return 0;
}

static unsigned int group_named(const char *key, const oconfig_value_t *v)
{
    unsigned int group = 0;

    if (v->type == OCONFIG_TYPE_STRING)
        group = vmon_group_from_name(v->value.string);
    if (!group)
        ERROR("virtmon plugin: %s: '%s' is not one of state, cpu, balloon, "
              "vcpu, interface, block",
              key, v->type == OCONFIG_TYPE_STRING ? v->value.string : "");
    return group;
}

/* StatsGroups "cpu" "block" ...: the domain statistics to fetch. */
static int config_stats_groups(oconfig_item_t *ci, void *target)
{
    int i;

    (void)target;
    if (ci->values_num < 1) {
        ERROR("virtmon plugin: StatsGroups needs at least one group");
        return -1;
    }
    for (i = 0; i < ci->values_num; i++) {
        unsigned int group = group_named(ci->key, &ci->values[i]);

        if (!group)
            return -1;
        config.stats_groups |= group;
    }
    return 0;
}

/* StatsEvery "block" 4: fetch a costly group only every 4th poll. */
static int config_stats_every(oconfig_item_t *ci, void *target)
{
    unsigned int group, bit = 0;
    double polls;

    (void)target;
    if (ci->values_num != 2 || ci->values[1].type != OCONFIG_TYPE_NUMBER) {
        ERROR("virtmon plugin: StatsEvery takes a group and a number of polls");
        return -1;
    }
    if (!(group = group_named(ci->key, &ci->values[0])))
        return -1;
    polls = ci->values[1].value.number;
    /* NaN fails every comparison: ask for the range, not outside it */
    if (!(polls >= 1 && polls <= 1000) || polls != (unsigned int)polls) {
        ERROR("virtmon plugin: StatsEvery: '%g' polls is not in 1..1000",
              polls);
        return -1;
    }
    while (!(group & (1u << bit)))
        bit++;
    config.group_every[bit] = (unsigned int)polls;
    return 0;
}

typedef int (*vm_option_fn)(oconfig_item_t *ci, void *target);

static const struct {
    const char *key;
    vm_option_fn parse;
    void *target;
} options[] = {
    {"Connection", config_connection, NULL},
    {"RefreshInterval", config_seconds, &refresh_interval},
    {"PollTimeout", config_seconds, &poll_timeout},
    {"Domain", config_filter, &config.domains},
    {"BlockDevice", config_filter, &config.block_devices},
    {"InterfaceDevice", config_filter, &config.interfaces},
    {"IgnoreSelected", config_boolean, &config.is_ignore_selected},
    {"HostnameFormat", config_format, &config.hostname_format},
    {"PluginInstanceFormat", config_format, &config.plugin_instance_format},
    {"ReportBlockDevices", config_boolean, &config.report_block_devices},
    {"ReportNetworkInterfaces", config_boolean, &config.report_interfaces},
    {"ReportMagicFile", config_boolean, &config.report_magic_file},
    {"MagicLocalRead", config_boolean, &config.magic_local_read},
    {"Notifications", config_boolean, &config.notifications},
    {"StatsGroups", config_stats_groups, NULL},
    {"StatsEvery", config_stats_every, NULL},
};

static int config_option(oconfig_item_t *ci)
{
    size_t i;

    for (i = 0; i < STATIC_ARRAY_SIZE(options); i++) {
        if (strcasecmp(ci->key, options[i].key) != 0)
            continue;
        if (options[i].parse(ci, options[i].target) == 0)
            return 0;
        ERROR("virtmon plugin: bad value for option '%s'", ci->key);
        return -1;
    }
    ERROR("virtmon plugin: unknown option '%s'", ci->key);
    return -1;
}

static int connection_names_are_unique(void)
{
    size_t i, j;

    for (i = 0; i < config.n_conns; i++) {
        for (j = 0; j < i; j++) {
            if (strcmp(config.conns[i].name, config.conns[j].name) != 0)
                continue;
            ERROR(
                "virtmon plugin: Connection: '%s' and '%s' share the name '%s'",
                config.conns[j].uri, config.conns[i].uri, config.conns[i].name);
            return 0;
        }
    }
    return 1;
}

static int virtmon_config(oconfig_item_t *ci)
{
    int i;

    for (i = 0; i < ci->children_num; i++) {
        if (config_option(&ci->children[i]) != 0)
            has_config_error = true;
    }
    if (!connection_names_are_unique())
        has_config_error = true;
    return has_config_error ? -1 : 0;
}

static void config_clear(void)
{
    size_t i;

    for (i = 0; i < config.n_conns; i++) {
        free(config.conns[i].uri);
        free(config.conns[i].name);
    }
    free(config.conns);
    config.conns = NULL;
    config.n_conns = 0;
    filter_clear(&config.domains);
    filter_clear(&config.block_devices);
    filter_clear(&config.interfaces);
}

/* ---- dispatching values ------------------------------------------------- */

/* The one place that hands values to collectd. */
static void submit(const vm_origin *origin, const char *type,
                   const char *type_instance, value_t *values, size_t n)
{
    value_list_t vl = VALUE_LIST_INIT;

    vl.values = values;
    vl.values_len = n;
    vl.interval = origin->interval;
    vl.time = origin->time;
    append_utf8(vl.host, sizeof(vl.host), origin->host);
    sstrncpy(vl.plugin, VM_PLUGIN, sizeof(vl.plugin));
    append_utf8(vl.plugin_instance, sizeof(vl.plugin_instance),
                origin->plugin_instance);
    sstrncpy(vl.type, type, sizeof(vl.type));
    append_utf8(vl.type_instance, sizeof(vl.type_instance), type_instance);
    plugin_dispatch_values(&vl);
}

static void submit_gauge(const vm_origin *origin, const char *type,
                         const char *type_instance, gauge_t value)
{
    submit(origin, type, type_instance, &(value_t){.gauge = value}, 1);
}

static void submit_derive(const vm_origin *origin, const char *type,
                          const char *type_instance, uint64_t value)
{
    submit(origin, type, type_instance, &(value_t){.derive = (derive_t)value},
           1);
}

/* Types with two data sources: read/write, rx/tx, user/syst, minflt/majflt.
 */
static void submit_derive2(const vm_origin *origin, const char *type,
                           const char *type_instance, uint64_t a, uint64_t b)
{
    value_t values[2] = {{.derive = (derive_t)a}, {.derive = (derive_t)b}};

    submit(origin, type, type_instance, values, 2);
}

/* A pair of counters of one device, both present or not sent. */
typedef struct {
    const char *type;
    uint32_t has_a, has_b;
    size_t offset_a, offset_b;
    uint64_t divisor; /* unit conversion: ns -> ms is 1000000 */
} vm_pair;

static uint64_t field_u64(const void *base, size_t offset)
{
    uint64_t v;

    memcpy(&v, (const char *)base + offset, sizeof(v));
    return v;
}

static void submit_pairs(const vm_origin *origin, const char *type_instance,
                         const vm_pair *pairs, size_t n, const void *base,
                         uint32_t has)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const vm_pair *p = &pairs[i];

        if ((has & p->has_a) && (has & p->has_b))
            submit_derive2(origin, p->type, type_instance,
                           field_u64(base, p->offset_a) / p->divisor,
                           field_u64(base, p->offset_b) / p->divisor);
    }
}

/* ---- connection and node values ----------------------------------------- */

static void submit_flag(const vm_origin *origin, const char *what,
                        vmon_flag flag)
{
    if (flag != VMON_FLAG_UNKNOWN)
        submit_gauge(origin, "bool", what, flag == VMON_FLAG_TRUE ? 1 : 0);
}

static void submit_node(const vm_origin *origin, const vmon_host_data *data)
{
    char type_instance[DATA_MAX_NAME_LEN];
    size_t i;

    submit_flag(origin, "encrypted", data->is_encrypted);
    submit_flag(origin, "secure", data->is_secure);
    if (data->has_node_info) {
        submit_gauge(origin, "memory", "total", data->memory_kib * KIB);
        submit_gauge(origin, "cpufreq", NULL, data->mhz * 1e6);
        submit_gauge(origin, "count", "cpus", data->cpus);
        submit_gauge(origin, "count", "numa_nodes", data->nodes);
        submit_gauge(origin, "count", "sockets_per_node", data->sockets);
        submit_gauge(origin, "count", "cores_per_socket", data->cores);
        submit_gauge(origin, "count", "threads_per_core", data->threads);
    }
    if (data->has_free_memory)
        submit_gauge(origin, "memory", "free", data->free_memory_bytes);
    for (i = 0; i < data->n_cells; i++) {
        ssnprintf(type_instance, sizeof(type_instance), "free-cell%u",
                  data->cells[i].cell);
        submit_gauge(origin, "memory", type_instance,
                     data->cells[i].free_bytes);
    }
}

/* The magic file's status is always sent (0 not polled .. 4 missing, as
 * vmon_magic_status), and its source (vmon_magic_source); boot_blocked
 * only when the content is known. */
static void submit_magic(const vm_origin *origin, const vmon_host_data *data)
{
    submit_gauge(origin, "virtmon_magic_status", NULL, data->magic_status);
    submit_gauge(origin, "virtmon_magic_source", NULL, data->magic_source);
    if (data->magic_status == VMON_MAGIC_OK ||
        data->magic_status == VMON_MAGIC_MISSING)
        submit_gauge(origin, "bool", "boot_blocked",
                     data->is_boot_blocked ? 1 : 0);
}

/* ---- domain values ------------------------------------------------------ */

/* Balloon statistics libvirt reports in KiB, sent in bytes as the virt
 * plugin's "memory" type_instances. */
static const struct {
    const char *type_instance;
    size_t offset;
    uint32_t has;
} balloon_kib[] = {
    {"total", offsetof(vmon_domain, mem_current_kib), VMON_DOM_HAS_MEM_CURRENT},
    {"max", offsetof(vmon_domain, mem_max_kib), VMON_DOM_HAS_MEM_MAX},
    {"rss", offsetof(vmon_domain, balloon_rss_kib), VMON_DOM_HAS_BALLOON_RSS},
    {"available", offsetof(vmon_domain, balloon_available_kib),
     VMON_DOM_HAS_BALLOON_AVAILABLE},
    {"usable", offsetof(vmon_domain, balloon_usable_kib),
     VMON_DOM_HAS_BALLOON_USABLE},
    {"unused", offsetof(vmon_domain, balloon_unused_kib),
     VMON_DOM_HAS_BALLOON_UNUSED},
    {"swap_in", offsetof(vmon_domain, balloon_swap_in_kib),
     VMON_DOM_HAS_BALLOON_SWAP_IN},
    {"swap_out", offsetof(vmon_domain, balloon_swap_out_kib),
     VMON_DOM_HAS_BALLOON_SWAP_OUT},
    {"disk_caches", offsetof(vmon_domain, balloon_disk_caches_kib),
     VMON_DOM_HAS_BALLOON_DISK_CACHES},
};

static const vm_pair domain_pairs[] = {
    /* ns -> us, the unit of ps_cputime in the processes plugin */
    {"ps_cputime", VMON_DOM_HAS_CPU_USER, VMON_DOM_HAS_CPU_SYSTEM,
     offsetof(vmon_domain, cpu_user_ns), offsetof(vmon_domain, cpu_system_ns),
     1000},
    /* page faults are counts, not KiB */
    {"vmpage_faults", VMON_DOM_HAS_BALLOON_MINOR_FAULT,
     VMON_DOM_HAS_BALLOON_MAJOR_FAULT,
     offsetof(vmon_domain, balloon_minor_fault),
     offsetof(vmon_domain, balloon_major_fault), 1},
};

static const vm_pair disk_pairs[] = {
    {"disk_octets", VMON_DISK_HAS_RD_BYTES, VMON_DISK_HAS_WR_BYTES,
     offsetof(vmon_disk, rd_bytes), offsetof(vmon_disk, wr_bytes), 1},
    {"disk_ops", VMON_DISK_HAS_RD_REQS, VMON_DISK_HAS_WR_REQS,
     offsetof(vmon_disk, rd_reqs), offsetof(vmon_disk, wr_reqs), 1},
    {"disk_time", VMON_DISK_HAS_RD_TIMES, VMON_DISK_HAS_WR_TIMES,
     offsetof(vmon_disk, rd_times_ns), offsetof(vmon_disk, wr_times_ns),
     1000000},
};

static const vm_pair iface_pairs[] = {
    {"if_octets", VMON_IF_HAS_RX_BYTES, VMON_IF_HAS_TX_BYTES,
     offsetof(vmon_iface, rx_bytes), offsetof(vmon_iface, tx_bytes), 1},
    {"if_packets", VMON_IF_HAS_RX_PKTS, VMON_IF_HAS_TX_PKTS,
     offsetof(vmon_iface, rx_pkts), offsetof(vmon_iface, tx_pkts), 1},
    {"if_errors", VMON_IF_HAS_RX_ERRS, VMON_IF_HAS_TX_ERRS,
     offsetof(vmon_iface, rx_errs), offsetof(vmon_iface, tx_errs), 1},
    {"if_dropped", VMON_IF_HAS_RX_DROP, VMON_IF_HAS_TX_DROP,
     offsetof(vmon_iface, rx_drop), offsetof(vmon_iface, tx_drop), 1},
};

static void submit_disk(const vm_origin *origin, const vmon_disk *disk)
{
    char ti[DATA_MAX_NAME_LEN];

    submit_pairs(origin, disk->name, disk_pairs, STATIC_ARRAY_SIZE(disk_pairs),
                 disk, disk->has);
    ssnprintf(ti, sizeof(ti), "flush-%s", disk->name);
    if (disk->has & VMON_DISK_HAS_FL_REQS)
        submit_derive(origin, "total_requests", ti, disk->fl_reqs);
    if (disk->has & VMON_DISK_HAS_FL_TIMES)
        submit_derive(origin, "total_time_in_ms", ti,
                      disk->fl_times_ns / 1000000);
    if (disk->has & VMON_DISK_HAS_CAPACITY)
        submit_gauge(origin, "disk_capacity", disk->name, disk->capacity);
    if (disk->has & VMON_DISK_HAS_ALLOCATION)
        submit_gauge(origin, "disk_allocation", disk->name, disk->allocation);
    if (disk->has & VMON_DISK_HAS_PHYSICAL)
        submit_gauge(origin, "disk_physical", disk->name, disk->physical);
}

static void submit_devices(const vm_origin *origin, const vmon_domain *dom,
                           unsigned int fresh)
{
    size_t i;

    for (i = 0; (fresh & VMON_GROUP_BLOCK) && config.report_block_devices &&
                i < dom->n_disks;
         i++) {
        if (!filter_skips_device(&config.block_devices, dom->name,
                                 dom->disks[i].name))
            submit_disk(origin, &dom->disks[i]);
    }
    for (i = 0; (fresh & VMON_GROUP_INTERFACE) && config.report_interfaces &&
                i < dom->n_ifaces;
         i++) {
        const vmon_iface *iface = &dom->ifaces[i];

        if (!filter_skips_device(&config.interfaces, dom->name, iface->name))
            submit_pairs(origin, iface->name, iface_pairs,
                         STATIC_ARRAY_SIZE(iface_pairs), iface, iface->has);
    }
}

static void submit_vcpus(const vm_origin *origin, const vmon_domain *dom)
{
    char ti[DATA_MAX_NAME_LEN];
    size_t i;

    if (dom->has & VMON_DOM_HAS_VCPU_CURRENT)
        submit_gauge(origin, "vcpu", "current", dom->vcpu_current);
    if (dom->has & VMON_DOM_HAS_VCPU_MAX)
        submit_gauge(origin, "vcpu", "maximum", dom->vcpu_max);
    for (i = 0; i < dom->n_vcpus; i++) {
        if (!(dom->vcpus[i].has & VMON_VCPU_HAS_TIME))
            continue;
        ssnprintf(ti, sizeof(ti), "%u", dom->vcpus[i].number);
        submit_derive(origin, "virt_vcpu", ti, dom->vcpus[i].time_ns);
    }
}

/* The groups of `dom` that this poll fetched. Values carried over from an
 * earlier poll (a group not due, a job held by another client, a stuck
 * guest) are left out: sent again unchanged, collectd would graph a
 * counter's rate as zero. */
static unsigned int fetched_groups(const vmon_domain *dom,
                                   unsigned int requested)
{
    unsigned int fetched = 0, g;

    for (g = 0; g < VMON_GROUP_COUNT; g++)
        if ((requested & (1u << g)) && dom->group_time[g] &&
            !dom->group_misses[g])
            fetched |= 1u << g;
    return fetched;
}

static void submit_domain(const vm_origin *origin, const vmon_domain *dom,
                          unsigned int requested)
{
    unsigned int fresh = fetched_groups(dom, requested);
    size_t i;

    if (dom->has & VMON_DOM_HAS_STATE)
        submit(origin, "domain_state", NULL,
               (value_t[]){{.gauge = dom->state}, {.gauge = dom->reason}}, 2);
    if ((fresh & VMON_GROUP_CPU) && (dom->has & VMON_DOM_HAS_CPU_TIME))
        submit_derive(origin, "virt_cpu_total", NULL, dom->cpu_time_ns);
    if (fresh & VMON_GROUP_CPU)
        submit_pairs(origin, NULL, domain_pairs, 1, dom, dom->has);
    if (fresh & VMON_GROUP_BALLOON) {
        submit_pairs(origin, NULL, domain_pairs + 1, 1, dom, dom->has);
        for (i = 0; i < STATIC_ARRAY_SIZE(balloon_kib); i++) {
            if (dom->has & balloon_kib[i].has)
                submit_gauge(origin, "memory", balloon_kib[i].type_instance,
                             field_u64(dom, balloon_kib[i].offset) * KIB);
        }
    }
    if (fresh & VMON_GROUP_VCPU)
        submit_vcpus(origin, dom);
    submit_devices(origin, dom, fresh);
}

/* Who a domain's values and notifications are about: the identity the
 * fields of HostnameFormat and PluginInstanceFormat are drawn from. */
typedef struct {
    const vm_connection *conn;
    const char *hostname; /* the libvirt host's; NULL: collectd's */
    const char *name;
    const char *uuid_str;
} vm_domain_id;

/* Joins the fields of `fmt` with ':' into `buf`, as the virt plugin does. */
static void format_names(const vm_format *fmt, const vm_domain_id *id,
                         char *buf, size_t size)
{
    size_t i;

    buf[0] = '\0';
    for (i = 0; i < fmt->n_fields; i++) {
        if (i > 0)
            append_utf8(buf, size, ":");
        switch (fmt->fields[i]) {
        case VM_FIELD_NAME:
            append_utf8(buf, size, id->name);
            break;
        case VM_FIELD_UUID:
            append_utf8(buf, size, id->uuid_str);
            break;
        case VM_FIELD_HOSTNAME:
            append_utf8(buf, size, id->hostname ? id->hostname : hostname_g);
            break;
        case VM_FIELD_CONNECTION:
            append_utf8(buf, size, id->conn->name);
            break;
        case VM_FIELD_NONE:
            break;
        }
    }
}

/* The host and plugin instance of one domain. */
typedef struct {
    char host[DATA_MAX_NAME_LEN];
    char plugin_instance[DATA_MAX_NAME_LEN];
} vm_domain_names;

static void name_domain(const vm_domain_id *id, vm_domain_names *names)
{
    format_names(&config.hostname_format, id, names->host, sizeof(names->host));
    format_names(&config.plugin_instance_format, id, names->plugin_instance,
                 sizeof(names->plugin_instance));
}

static void submit_domains(const vm_connection *conn,
                           const vmon_host_data *data)
{
    vm_domain_names names;
    vm_origin origin = {names.host, names.plugin_instance, data_interval,
                        NS_TO_CDTIME_T(data->polled_ns)};
    size_t i;

    for (i = 0; i < data->n_domains; i++) {
        const vmon_domain *dom = &data->domains[i];
        vm_domain_id id = {conn, data->hostname, dom->name, dom->uuid_str};

        if (filter_skips(&config.domains, dom->name))
            continue;
        name_domain(&id, &names);
        submit_domain(&origin, dom, data->fresh_groups);
    }
}

/* ---- notifications ------------------------------------------------------ */

/* A read hands at most this many events to collectd; the rest wait for the
 * next read, so that a burst cannot hold a read thread for long. */
#define VM_MAX_EVENTS_PER_READ 1024

/* The details of libvirt's lifecycle events in words, indexed by their
 * virDomainEvent*DetailType values. */
static const char *const defined_words[] = {"added", "updated", "renamed",
                                            "from snapshot"};
static const char *const undefined_words[] = {"removed", "renamed"};
static const char *const started_words[] = {"booted", "migrated", "restored",
                                            "from snapshot", "wakeup"};
static const char *const suspended_words[] = {
    "paused",        "migrated",  "I/O error", "watchdog",        "restored",
    "from snapshot", "API error", "post-copy", "post-copy failed"};
static const char *const resumed_words[] = {
    "unpaused", "migrated", "from snapshot", "post-copy", "post-copy failed"};
static const char *const stopped_words[] = {
    "shutdown", "destroyed", "crashed",      "migrated",
    "saved",    "failed",    "from snapshot"};
static const char *const shutdown_words[] = {"finished", "guest request",
                                             "host request"};
static const char *const pmsuspended_words[] = {"memory", "disk"};
static const char *const crashed_words[] = {"panicked", "crashloaded"};

#define LIFECYCLE(event, word, words, severity)                                \
    [event] = {word, words, STATIC_ARRAY_SIZE(words), severity}

/* A domain that stops working is a failure, one that waits a warning. */
static const struct {
    const char *word;
    const char *const *details;
    size_t n_details;
    int severity;
} lifecycle_events[] = {
    LIFECYCLE(VIR_DOMAIN_EVENT_DEFINED, "defined", defined_words, NOTIF_OKAY),
    LIFECYCLE(VIR_DOMAIN_EVENT_UNDEFINED, "undefined", undefined_words,
              NOTIF_OKAY),
    LIFECYCLE(VIR_DOMAIN_EVENT_STARTED, "started", started_words, NOTIF_OKAY),
    LIFECYCLE(VIR_DOMAIN_EVENT_SUSPENDED, "suspended", suspended_words,
              NOTIF_WARNING),
    LIFECYCLE(VIR_DOMAIN_EVENT_RESUMED, "resumed", resumed_words, NOTIF_OKAY),
    LIFECYCLE(VIR_DOMAIN_EVENT_STOPPED, "stopped", stopped_words, NOTIF_OKAY),
    LIFECYCLE(VIR_DOMAIN_EVENT_SHUTDOWN, "shutdown", shutdown_words,
              NOTIF_OKAY),
    LIFECYCLE(VIR_DOMAIN_EVENT_PMSUSPENDED, "pmsuspended", pmsuspended_words,
              NOTIF_WARNING),
    LIFECYCLE(VIR_DOMAIN_EVENT_CRASHED, "crashed", crashed_words,
              NOTIF_FAILURE),
};

static bool is_known_event(int event)
{
    return event >= 0 && (size_t)event < STATIC_ARRAY_SIZE(lifecycle_events) &&
           lifecycle_events[event].word;
}

/* A libvirt newer than this table gets its events through, as numbers. */
static void lifecycle_words(int event, int detail, char *buf, size_t size)
{
    if (!is_known_event(event)) {
        ssnprintf(buf, size, "event %d (detail %d)", event, detail);
    } else if (detail < 0 ||
               (size_t)detail >= lifecycle_events[event].n_details) {
        ssnprintf(buf, size, "%s (detail %d)", lifecycle_events[event].word,
                  detail);
    } else {
        ssnprintf(buf, size, "%s (%s)", lifecycle_events[event].word,
                  lifecycle_events[event].details[detail]);
    }
}

static int lifecycle_severity(int event, int detail)
{
    if (event == VIR_DOMAIN_EVENT_STOPPED &&
        (detail == VIR_DOMAIN_EVENT_STOPPED_CRASHED ||
         detail == VIR_DOMAIN_EVENT_STOPPED_FAILED))
        return NOTIF_FAILURE;
    return is_known_event(event) ? lifecycle_events[event].severity
                                 : NOTIF_WARNING;
}

static void notification_start(notification_t *n, const vm_origin *origin,
                               int severity, const struct timespec *when,
                               const char *type, const char *type_instance)
{
    memset(n, 0, sizeof(*n));
    n->severity = severity;
    n->time = TIMESPEC_TO_CDTIME_T(when);
    append_utf8(n->host, sizeof(n->host),
                origin->host ? origin->host : hostname_g);
    sstrncpy(n->plugin, VM_PLUGIN, sizeof(n->plugin));
    append_utf8(n->plugin_instance, sizeof(n->plugin_instance),
                origin->plugin_instance);
    sstrncpy(n->type, type, sizeof(n->type));
    append_utf8(n->type_instance, sizeof(n->type_instance), type_instance);
}

/* The one place that hands notifications to collectd. The message is cut
 * at a character boundary; meta data carries the full names. */
static void notification_send(notification_t *n, const char *message)
{
    append_utf8(n->message, sizeof(n->message), message);
    plugin_dispatch_notification(n);
    plugin_notification_meta_free(n->meta);
    n->meta = NULL;
}

static const vmon_host_data *conn_data(const vmon_snapshot *snap,
                                       unsigned int conn_index)
{
    if (conn_index < 1 || conn_index > snap->n_conns)
        return NULL;
    return snap->conns[conn_index - 1]->data;
}

static void notify_lifecycle(const vmon_event *ev, const vm_connection *conn,
                             const vmon_snapshot *snap)
{
    const vmon_host_data *data = conn_data(snap, ev->conn_index);
    vm_domain_id id = {conn, data ? data->hostname : NULL, ev->dom_name,
                       ev->uuid_str};
    vm_domain_names names;
    vm_origin origin = {names.host, names.plugin_instance, 0, 0};
    notification_t n;
    char words[128];
    char *message;

    if (!ev->dom_name || filter_skips(&config.domains, ev->dom_name))
        return;
    name_domain(&id, &names);
    lifecycle_words(ev->event, ev->detail, words, sizeof(words));
    notification_start(&n, &origin, lifecycle_severity(ev->event, ev->detail),
                       &ev->time, "domain_state", NULL);
    plugin_notification_meta_add_string(&n, "domain", ev->dom_name);
    plugin_notification_meta_add_string(&n, "uuid", ev->uuid_str);
    plugin_notification_meta_add_string(&n, "uri", conn->uri);
    plugin_notification_meta_add_string(&n, "event", words);
    plugin_notification_meta_add_signed_int(&n, "event_id", ev->event);
    plugin_notification_meta_add_signed_int(&n, "detail_id", ev->detail);
    if (ev->has_state) {
        plugin_notification_meta_add_signed_int(&n, "state", ev->state);
        plugin_notification_meta_add_signed_int(&n, "reason", ev->reason);
    }
    plugin_notification_meta_add_boolean(&n, "reconciled", ev->is_reconciled);
    /* the UUID before the name: a long name is what the 255 bytes cut */
    message = ssnprintf_alloc(
        "domain %s %s%s: '%s'", ev->uuid_str, words,
        ev->is_reconciled ? ", seen after reconnecting" : "", ev->dom_name);
    notification_send(&n, message ? message : words);
    free(message);
}

static void notify_connection(const vmon_event *ev, const vm_connection *conn)
{
    vm_origin origin = {NULL, conn->name, 0, 0};
    bool is_lost = ev->kind == VMON_EVENT_CONN_LOST;
    notification_t n;
    char message[NOTIF_MAX_MSG_LEN];

    notification_start(&n, &origin, is_lost ? NOTIF_FAILURE : NOTIF_OKAY,
                       &ev->time, "bool", "connected");
    plugin_notification_meta_add_string(&n, "uri", conn->uri);
    if (is_lost) {
        plugin_notification_meta_add_string(
            &n, "reason", ev->reason_text ? ev->reason_text : "unknown");
        ssnprintf(message, sizeof(message), "connection to '%s' lost: %s",
                  conn->uri, ev->reason_text ? ev->reason_text : "unknown");
    } else {
        plugin_notification_meta_add_unsigned_int(&n, "outage_s", ev->outage_s);
        ssnprintf(message, sizeof(message),
                  "connection to '%s' restored after %" PRIu32 " s", conn->uri,
                  ev->outage_s);
    }
    notification_send(&n, message);
}

/* The magic file holds 32 bytes of anything: printable ASCII as is, the
 * rest as \xNN. */
static void escape_magic(const unsigned char *content, size_t len, char *buf,
                         size_t size)
{
    size_t i, used = 0;

    buf[0] = '\0';
    for (i = 0; i < len && used + 5 <= size; i++) {
        if (content[i] >= 0x20 && content[i] < 0x7f && content[i] != '\\')
            buf[used++] = (char)content[i];
        else
            used += (size_t)snprintf(buf + used, size - used, "\\x%02x",
                                     content[i]);
        buf[used] = '\0';
    }
}

/* A poll call past its deadline, and the poll that completed after it. */
static void notify_overdue(const vmon_event *ev, const vm_connection *conn)
{
    vm_origin origin = {NULL, conn->name, 0, 0};
    bool is_overdue = ev->kind == VMON_EVENT_CONN_OVERDUE;
    const char *reason = ev->reason_text ? ev->reason_text : "unknown";
    char message[NOTIF_MAX_MSG_LEN];
    notification_t n;

    notification_start(&n, &origin, is_overdue ? NOTIF_WARNING : NOTIF_OKAY,
                       &ev->time, "bool", "current");
    plugin_notification_meta_add_string(&n, "uri", conn->uri);
    if (is_overdue) {
        plugin_notification_meta_add_string(&n, "reason", reason);
        ssnprintf(message, sizeof(message),
                  "poll of '%s' overdue, its values are stale: %s", conn->uri,
                  reason);
    } else {
        plugin_notification_meta_add_unsigned_int(&n, "overdue_s",
                                                  ev->outage_s);
        ssnprintf(message, sizeof(message),
                  "poll of '%s' current again after %" PRIu32 " s", conn->uri,
                  ev->outage_s);
    }
    notification_send(&n, message);
}

/* A domain whose stats groups are missing (a stuck guest), and its
 * recovery; reported under the domain's own host and plugin instance. */
static void notify_domain_stale(const vmon_event *ev, const vm_connection *conn,
                                const vmon_snapshot *snap)
{
    const vmon_host_data *data = conn_data(snap, ev->conn_index);
    vm_domain_id id = {conn, data ? data->hostname : NULL, ev->dom_name,
                       ev->uuid_str};
    bool is_stale = ev->kind == VMON_EVENT_DOMAIN_STALE;
    const char *reason = ev->reason_text ? ev->reason_text : "";
    vm_domain_names names;
    vm_origin origin = {names.host, names.plugin_instance, 0, 0};
    notification_t n;
    char *message;

    if (!ev->dom_name || filter_skips(&config.domains, ev->dom_name))
        return;
    name_domain(&id, &names);
    notification_start(&n, &origin, is_stale ? NOTIF_WARNING : NOTIF_OKAY,
                       &ev->time, "bool", "current");
    plugin_notification_meta_add_string(&n, "domain", ev->dom_name);
    plugin_notification_meta_add_string(&n, "uuid", ev->uuid_str);
    plugin_notification_meta_add_string(&n, "uri", conn->uri);
    plugin_notification_meta_add_string(&n, "groups", reason);
    message = ssnprintf_alloc(
        is_stale ? "domain %s stats stale (%s): '%s'"
                 : "domain %s stats current again (had %s): '%s'",
        ev->uuid_str, reason, ev->dom_name);
    notification_send(&n, message ? message : "domain stats stale");
    free(message);
}

/* Where the connection's magic file status came from, for the
 * notification's "source" meta data. */
static const char *magic_source_name(const vmon_host_data *data)
{
    if (data && data->magic_source == VMON_MAGIC_SOURCE_API)
        return "libvirt-api";
    if (data && data->magic_source == VMON_MAGIC_SOURCE_LOCAL)
        return "local-file";
    return "none";
}

static void notify_magic(const vmon_event *ev, const vm_connection *conn,
                         const vmon_host_data *data)
{
    vm_origin origin = {NULL, conn->name, 0, 0};
    char content[VMON_MAGIC_MAX * 4 + 1];
    char message[NOTIF_MAX_MSG_LEN];
    notification_t n;

    escape_magic(ev->magic, ev->magic_len, content, sizeof(content));
    if (ev->kind == VMON_EVENT_MAGIC_CHANGED) {
        notification_start(&n, &origin, NOTIF_OKAY, &ev->time,
                           "virtmon_magic_status", NULL);
        ssnprintf(message, sizeof(message), "magic file of '%s' holds '%s'",
                  conn->uri, content);
    } else if (ev->kind == VMON_EVENT_MARKER_SET) {
        notification_start(&n, &origin, NOTIF_FAILURE, &ev->time, "bool",
                           "boot_blocked");
        ssnprintf(message, sizeof(message),
                  "host of '%s' refuses to start domains: marker '%s'",
                  conn->uri, VMON_MAGIC_MARKER);
    } else {
        notification_start(&n, &origin, NOTIF_OKAY, &ev->time, "bool",
                           "boot_blocked");
        ssnprintf(message, sizeof(message),
                  "host of '%s' starts domains again: the marker is gone",
                  conn->uri);
    }
    plugin_notification_meta_add_string(&n, "uri", conn->uri);
    plugin_notification_meta_add_string(&n, "content", content);
    plugin_notification_meta_add_string(&n, "source", magic_source_name(data));
    notification_send(&n, message);
}

static void notify_event(const vmon_event *ev, const vmon_snapshot *snap)
{
    const vm_connection *conn;

    if (ev->conn_index < 1 || ev->conn_index > config.n_conns)
        return;
    conn = &config.conns[ev->conn_index - 1];
    switch (ev->kind) {
    case VMON_EVENT_LIFECYCLE:
        notify_lifecycle(ev, conn, snap);
        break;
    case VMON_EVENT_CONN_LOST:
    case VMON_EVENT_CONN_RESTORED:
        notify_connection(ev, conn);
        break;
    case VMON_EVENT_CONN_OVERDUE:
    case VMON_EVENT_CONN_OVERDUE_ENDED:
        notify_overdue(ev, conn);
        break;
    case VMON_EVENT_DOMAIN_STALE:
    case VMON_EVENT_DOMAIN_CURRENT:
        notify_domain_stale(ev, conn, snap);
        break;
    case VMON_EVENT_MAGIC_CHANGED:
    case VMON_EVENT_MARKER_SET:
    case VMON_EVENT_MARKER_CLEARED:
        if (config.report_magic_file)
            notify_magic(ev, conn, conn_data(snap, ev->conn_index));
        break;
    default:
        /* memory thresholds: the plugin sets none */
        break;
    }
}

/* Non-blocking: takes what the core has queued. With Notifications false
 * the queue is still emptied, so that it never fills and drops. */
static void drain_events(const vmon_snapshot *snap)
{
    static uint64_t dropped_seen;
    uint64_t dropped;
    vmon_event *ev;
    size_t n = 0;

    while (n++ < VM_MAX_EVENTS_PER_READ && (ev = vmon_core_next_event(core))) {
        if (config.notifications)
            notify_event(ev, snap);
        vmon_event_free(ev);
    }
    dropped = vmon_core_events_dropped(core);
    if (dropped > dropped_seen)
        WARNING("virtmon plugin: %" PRIu64 " event(s) lost to a full queue",
                dropped - dropped_seen);
    dropped_seen = dropped;
}

/* ---- the read callback -------------------------------------------------- */

/* "connected" goes out on every read, so that an outage shows as 0, and
 * "current" (0 while a poll is overdue or failing). The snapshot's values
 * go out once per new successful poll, stamped with that poll's time:
 * stale data (kept from before a failure or an overdue call) is not sent
 * again, and a snapshot read twice, or republished for a lifecycle event,
 * would repeat counters under a newer time. */
static void read_connection(size_t i, const vmon_conn_snap *snap)
{
    const vm_connection *conn = &config.conns[i];
    vm_origin conn_origin = {NULL, conn->name, 0, 0};
    vm_origin data_origin = {NULL, conn->name, data_interval, 0};

    /* overdue: connected, unless the call that is overdue is the first
     * connect */
    submit_gauge(&conn_origin, "bool", "connected",
                 snap->state == VMON_CONN_CONNECTED ||
                         (snap->state == VMON_CONN_OVERDUE && snap->connects)
                     ? 1
                     : 0);
    submit_gauge(&conn_origin, "bool", "current",
                 snap->data && !snap->is_stale ? 1 : 0);
    if (!snap->data || snap->is_stale ||
        snap->data->poll_number == dispatched_poll[i])
        return;
    dispatched_poll[i] = snap->data->poll_number;
    data_origin.time = NS_TO_CDTIME_T(snap->data->polled_ns);
    submit_node(&data_origin, snap->data);
    if (config.report_magic_file)
        submit_magic(&data_origin, snap->data);
    submit_domains(conn, snap->data);
}

static int virtmon_read(user_data_t *ud)
{
    vmon_snapshot *snap;
    size_t i;

    (void)ud;
    if (!(snap = vmon_core_snapshot(core))) {
        ERROR("virtmon plugin: cannot take a snapshot: out of memory");
        return -1;
    }
    drain_events(snap);
    for (i = 0; i < snap->n_conns && i < config.n_conns; i++)
        read_connection(i, snap->conns[i]);
    vmon_snapshot_unref(snap);
    return 0;
}

/* ---- init and shutdown -------------------------------------------------- */

/* The core logs from its own threads; collectd's plugin_log is thread-safe
 * and uses the same syslog priorities. */
static void log_core(vmon_log_level level, const char *msg, void *opaque)
{
    (void)opaque;
    plugin_log((int)level, "virtmon plugin: %s", msg);
}

/* Polls follow RefreshInterval, or collectd's read interval; values carry
 * the longer of the two, so that collectd's cache does not call them
 * missing between polls. */
static unsigned int poll_interval_s(void)
{
    cdtime_t read_interval = plugin_get_interval();
    uint64_t seconds = (CDTIME_T_TO_MS(read_interval) + 999) / 1000;

    if (config.refresh_s > 0)
        seconds = (uint64_t)config.refresh_s;
    if (seconds < 1)
        seconds = 1;
    if (seconds > VM_MAX_REFRESH_S)
        seconds = VM_MAX_REFRESH_S;
    data_interval = TIME_T_TO_CDTIME_T(seconds);
    if (data_interval < read_interval)
        data_interval = read_interval;
    return (unsigned int)seconds;
}

static unsigned int stats_groups(void)
{
    unsigned int groups = config.stats_groups ? config.stats_groups
                                              : (unsigned int)VMON_GROUP_ALL;

    if (!config.report_block_devices)
        groups &= ~(unsigned int)VMON_GROUP_BLOCK;
    if (!config.report_interfaces)
        groups &= ~(unsigned int)VMON_GROUP_INTERFACE;
    return groups;
}

static int start_core(void)
{
    vmon_core_config cc = {0};
    char **uris;
    size_t i;
    int ret = -1;

    if (!(uris = calloc(config.n_conns, sizeof(*uris))))
        return -1;
    for (i = 0; i < config.n_conns; i++)
        uris[i] = config.conns[i].uri;
    cc.uris = uris;
    cc.n_uris = config.n_conns;
    cc.interval_s = poll_interval_s();
    cc.poll_timeout_s = (unsigned int)config.poll_timeout_s;
    cc.stats_groups = stats_groups();
    memcpy(cc.group_every, config.group_every, sizeof(cc.group_every));
    cc.magic_local_read = config.magic_local_read;
    if (!(core = vmon_core_new(&cc)))
        goto cleanup;
    if (vmon_core_start(core) < 0) {
        vmon_core_free(core);
        core = NULL;
        goto cleanup;
    }
    INFO("virtmon plugin: watching %zu libvirt URI(s) every %u s",
         config.n_conns, cc.interval_s);
    ret = 0;
cleanup:
    free(uris);
    return ret;
}

static int virtmon_init(void)
{
    if (has_config_error) {
        ERROR("virtmon plugin: not started: the configuration has errors");
        return -1;
    }
    if (core)
        return 0;
    if (config.n_conns == 0 && add_connection(VM_DEFAULT_URI, NULL) != 0)
        return -1;
    if (!(dispatched_poll = calloc(config.n_conns, sizeof(*dispatched_poll))))
        return -1;
    vmon_log_set(log_core, NULL);
    if (start_core() < 0) {
        ERROR("virtmon plugin: cannot start watching libvirt");
        return -1;
    }
    return 0;
}

static int virtmon_shutdown(void)
{
    vmon_core_free(core);
    core = NULL;
    vmon_log_set(NULL, NULL);
    free(dispatched_poll);
    dispatched_poll = NULL;
    config_clear();
    return 0;
}

void module_register(void)
{
    plugin_register_complex_config(VM_PLUGIN, virtmon_config);
    plugin_register_init(VM_PLUGIN, virtmon_init);
    plugin_register_complex_read(NULL, VM_PLUGIN, virtmon_read, 0, NULL);
    plugin_register_shutdown(VM_PLUGIN, virtmon_shutdown);
}
