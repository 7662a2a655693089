/* vmon-snapshot.h: the immutable picture of one libvirt connection that the
 * poller publishes and every front end (agent, collectd plugin) reads. */
#ifndef VMON_SNAPSHOT_H
#define VMON_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define VMON_UUID_LEN 16
#define VMON_UUID_STRLEN 36
#define VMON_MAGIC_MAX 32
#define VMON_MAGIC_MARKER "0xabadcafe"

/* A connection's state; connection.c holds the transitions. */
typedef enum {
    VMON_CONN_DISCONNECTED = 1, /* no connection: waiting to (re)connect */
    VMON_CONN_CONNECTING = 2,   /* an open is under way */
    VMON_CONN_CONNECTED = 3,    /* the last poll answered */
    VMON_CONN_OVERDUE = 4, /* a call of the latest poll passed its deadline */
} vmon_conn_state;

/* Stats groups, matching the virDomainStatsTypes that virtmon uses; the bit
 * number is the index of per-group arrays. */
enum {
    VMON_GROUP_STATE = 1u << 0,
    VMON_GROUP_CPU = 1u << 1,
    VMON_GROUP_BALLOON = 1u << 2,
    VMON_GROUP_VCPU = 1u << 3,
    VMON_GROUP_INTERFACE = 1u << 4,
    VMON_GROUP_BLOCK = 1u << 5,
    VMON_GROUP_ALL = (1u << 6) - 1,
};
#define VMON_GROUP_COUNT 6

/* Tri-state for libvirt calls that answer 1/0/-1. */
typedef enum {
    VMON_FLAG_UNKNOWN = -1,
    VMON_FLAG_FALSE = 0,
    VMON_FLAG_TRUE = 1,
} vmon_flag;

typedef enum {
    VMON_MAGIC_NOT_POLLED = 0, /* no successful poll yet */
    VMON_MAGIC_OK = 1,         /* content holds what libvirt returned */
    VMON_MAGIC_UNSUPPORTED =
        2,                  /* this libvirt lacks the API, or the driver does */
    VMON_MAGIC_ERROR = 3,   /* the call failed; message says why */
    VMON_MAGIC_MISSING = 4, /* the API answered: the file does not exist */
} vmon_magic_status;

/* Where the magic file's status came from. */
typedef enum {
    VMON_MAGIC_SOURCE_NONE = 0,  /* not read: not polled or unsupported */
    VMON_MAGIC_SOURCE_API = 1,   /* virConnectGetMagicFileContent */
    VMON_MAGIC_SOURCE_LOCAL = 2, /* read directly (magic_local_read opt-in) */
} vmon_magic_source;

/* Optional values: a bit set in `has` means the field was reported. */
enum {
    VMON_DOM_HAS_STATE = 1u << 0,
    VMON_DOM_HAS_VCPU_CURRENT = 1u << 1,
    VMON_DOM_HAS_VCPU_MAX = 1u << 2,
    VMON_DOM_HAS_MEM_CURRENT = 1u << 3,
    VMON_DOM_HAS_MEM_MAX = 1u << 4,
    VMON_DOM_HAS_CPU_TIME = 1u << 5,
    VMON_DOM_HAS_CPU_USER = 1u << 6,
    VMON_DOM_HAS_CPU_SYSTEM = 1u << 7,
    VMON_DOM_HAS_BALLOON_RSS = 1u << 8,
    VMON_DOM_HAS_BALLOON_AVAILABLE = 1u << 9,
    VMON_DOM_HAS_BALLOON_USABLE = 1u << 10,
    VMON_DOM_HAS_BALLOON_UNUSED = 1u << 11,
    VMON_DOM_HAS_BALLOON_SWAP_IN = 1u << 12,
    VMON_DOM_HAS_BALLOON_SWAP_OUT = 1u << 13,
    VMON_DOM_HAS_BALLOON_MAJOR_FAULT = 1u << 14,
    VMON_DOM_HAS_BALLOON_MINOR_FAULT = 1u << 15,
    VMON_DOM_HAS_BALLOON_DISK_CACHES = 1u << 16,
    VMON_DOM_HAS_DISK_COUNT = 1u << 17,  /* block.count */
    VMON_DOM_HAS_IFACE_COUNT = 1u << 18, /* net.count */
};

typedef struct {
    unsigned int number; /* vcpu.<N> */
    uint32_t has;        /* VMON_VCPU_HAS_* */
    int state;           /* virVcpuState */
    uint64_t time_ns;
    uint64_t wait_ns;
    uint64_t delay_ns;
} vmon_vcpu;

enum {
    VMON_VCPU_HAS_STATE = 1u << 0,
    VMON_VCPU_HAS_TIME = 1u << 1,
    VMON_VCPU_HAS_WAIT = 1u << 2,
    VMON_VCPU_HAS_DELAY = 1u << 3,
};

typedef struct {
    unsigned int
        number;   /* block.<N>, stable while the domain's disks do not change */
    char *name;   /* target, e.g. "vda"; never NULL */
    char *path;   /* source path, NULL when not reported */
    uint32_t has; /* VMON_DISK_HAS_* */
    uint64_t rd_reqs, rd_bytes, rd_times_ns;
    uint64_t wr_reqs, wr_bytes, wr_times_ns;
    uint64_t fl_reqs, fl_times_ns;
    uint64_t capacity, allocation, physical; /* bytes */
} vmon_disk;

enum {
    VMON_DISK_HAS_RD_REQS = 1u << 0,
    VMON_DISK_HAS_RD_BYTES = 1u << 1,
    VMON_DISK_HAS_RD_TIMES = 1u << 2,
    VMON_DISK_HAS_WR_REQS = 1u << 3,
    VMON_DISK_HAS_WR_BYTES = 1u << 4,
    VMON_DISK_HAS_WR_TIMES = 1u << 5,
    VMON_DISK_HAS_FL_REQS = 1u << 6,
    VMON_DISK_HAS_FL_TIMES = 1u << 7,
    VMON_DISK_HAS_CAPACITY = 1u << 8,
    VMON_DISK_HAS_ALLOCATION = 1u << 9,
    VMON_DISK_HAS_PHYSICAL = 1u << 10,
};

typedef struct {
    unsigned int number; /* net.<N> */
    char *name;          /* e.g. "vnet0"; never NULL */
    uint32_t has;        /* VMON_IF_HAS_* */
    uint64_t rx_bytes, rx_pkts, rx_errs, rx_drop;
    uint64_t tx_bytes, tx_pkts, tx_errs, tx_drop;
} vmon_iface;

enum {
    VMON_IF_HAS_RX_BYTES = 1u << 0,
    VMON_IF_HAS_RX_PKTS = 1u << 1,
    VMON_IF_HAS_RX_ERRS = 1u << 2,
    VMON_IF_HAS_RX_DROP = 1u << 3,
    VMON_IF_HAS_TX_BYTES = 1u << 4,
    VMON_IF_HAS_TX_PKTS = 1u << 5,
    VMON_IF_HAS_TX_ERRS = 1u << 6,
    VMON_IF_HAS_TX_DROP = 1u << 7,
};

/* A domain's statistics come from virConnectGetAllDomainStats. Device and
 * vCPU arrays hold only what libvirt reported, sorted by libvirt's number
 * (vcpu.<N>, block.<N>, net.<N>), which may have holes. A value that the
 * last poll did not fetch (a group not due, a domain whose job was busy, a
 * stuck guest) is carried over from the poll that did: group_time says
 * when each group was fetched. */
typedef struct {
    char *name;
    unsigned char uuid[VMON_UUID_LEN];
    char uuid_str[VMON_UUID_STRLEN + 1];
    int id; /* -1 when inactive */
    bool is_persistent;
    uint32_t has; /* VMON_DOM_HAS_* */
    int state;    /* virDomainState */
    int reason;   /* per-state reason enum */
    unsigned int vcpu_current, vcpu_max;
    uint64_t mem_current_kib,
        mem_max_kib; /* balloon.current / balloon.maximum */
    uint64_t cpu_time_ns, cpu_user_ns, cpu_system_ns;
    uint64_t balloon_rss_kib, balloon_available_kib, balloon_usable_kib;
    uint64_t balloon_unused_kib, balloon_swap_in_kib, balloon_swap_out_kib;
    uint64_t balloon_major_fault, balloon_minor_fault, balloon_disk_caches_kib;
    uint64_t disk_count, iface_count; /* block.count, net.count */
    /* per VMON_GROUP_* bit number: Unix time of the poll that fetched the
     * group (of the lifecycle event, for the state); 0: never fetched */
    time_t group_time[VMON_GROUP_COUNT];
    /* per group: polls in a row that were due to fetch it and did not */
    unsigned char group_misses[VMON_GROUP_COUNT];
    bool is_stale; /* a group is missing, see vmon-stats.h */
    size_t n_vcpus;
    vmon_vcpu *vcpus;
    size_t n_disks;
    vmon_disk *disks;
    size_t n_ifaces;
    vmon_iface *ifaces;
} vmon_domain;

typedef struct {
    unsigned int cell; /* NUMA cell number */
    uint64_t free_bytes;
} vmon_cell;

/* Everything one successful poll learnt about a host. Refcounted so that a
 * stale snapshot can keep serving the last data without copying it. */
typedef struct {
    int refs;
    /* connection / host (fetched once per connect) */
    char *uri; /* canonical, from virConnectGetURI */
    char *hostname;
    char *hv_type;            /* virConnectGetType */
    unsigned long hv_version; /* major*1000000 + minor*1000 + release */
    unsigned long lib_version;
    int max_vcpus; /* -1 when unknown */
    vmon_flag is_encrypted;
    vmon_flag is_secure;
    /* node */
    bool has_node_info;
    char cpu_model[32];
    uint64_t memory_kib;
    unsigned int cpus, mhz, nodes, sockets, cores, threads;
    bool has_free_memory;
    uint64_t free_memory_bytes;
    bool has_cells; /* false when the driver could not list NUMA cells */
    size_t n_cells;
    vmon_cell *cells;
    /* VMON_GROUP_* requested by this poll; the other configured groups
     * carry the values of an earlier poll (statsEvery) */
    unsigned int fresh_groups;
    time_t polled;        /* Unix time at which the poll started */
    uint64_t polled_ns;   /* the same, CLOCK_REALTIME in nanoseconds */
    uint64_t poll_number; /* of the connection's polls, from 1; copies of
                             the data for lifecycle events keep it */
    /* domains, sorted by UUID: front ends walk them in index order */
    size_t n_domains;
    vmon_domain *domains;
    /* magic file */
    vmon_magic_status magic_status;
    char *magic_error; /* set when magic_status == VMON_MAGIC_ERROR */
    size_t magic_len;
    unsigned char magic[VMON_MAGIC_MAX];
    bool is_boot_blocked; /* content equals VMON_MAGIC_MARKER */
    vmon_magic_source magic_source;
} vmon_host_data;

/* One watched URI as seen by the last poll round. */
typedef struct {
    int refs;
    unsigned int index;   /* 1-based position in the configured URI list */
    char *configured_uri; /* as the user wrote it */
    vmon_conn_state state;
    bool is_stale;      /* data is from an earlier poll than the last attempt */
    char *stale_reason; /* why, when is_stale */
    uint64_t generation;         /* increments on every publish */
    unsigned int poll_timeout_s; /* deadline of each libvirt call */
    uint32_t overdue_calls;      /* calls past the deadline, not returned */
    uint32_t overdues;           /* calls that passed it, since start */
    uint32_t stale_domains;      /* domains of data with is_stale set */
    time_t last_attempt;         /* 0 when never */
    time_t last_success;         /* 0 when never */
    uint32_t last_duration_ms;   /* wall time of the last successful poll */
    uint32_t poll_errors;        /* failed polls since start */
    uint32_t connects;           /* successful connects since start */
    char *last_error;            /* NULL when the last poll succeeded */
    vmon_host_data *data;        /* NULL until the first successful poll */
} vmon_conn_snap;

/* What a reader takes: every watched connection, in index order. */
typedef struct {
    int refs;
    size_t n_conns;
    vmon_conn_snap **conns;
} vmon_snapshot;

vmon_host_data *vmon_host_data_new(void);
vmon_host_data *vmon_host_data_ref(vmon_host_data *data);
void vmon_host_data_unref(vmon_host_data *data);

vmon_conn_snap *vmon_conn_snap_new(void);
vmon_conn_snap *vmon_conn_snap_ref(vmon_conn_snap *snap);
void vmon_conn_snap_unref(vmon_conn_snap *snap);

vmon_snapshot *vmon_snapshot_ref(vmon_snapshot *snap);
void vmon_snapshot_unref(vmon_snapshot *snap);

/* Lookups for front ends; NULL when absent. */
const vmon_domain *vmon_host_data_find_domain(const vmon_host_data *data,
                                              const unsigned char *uuid);

void vmon_domain_clear(vmon_domain *dom);
/* Deep copies; -1 / NULL when out of memory. */
int vmon_domain_copy(vmon_domain *dst, const vmon_domain *src);
vmon_host_data *vmon_host_data_copy(const vmon_host_data *src);

#endif
