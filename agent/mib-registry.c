/* mib-registry.c: the registration table, one line per scalar and column of
 * VIRTMON-MIB (OID, ASN type, getter), in OID order. */
#include <config.h>

#include "mib.h"
#include "vmon-oids.h"

#define OID(...)                                                               \
    .oid = (const oid[]){__VA_ARGS__},                                         \
    .oid_len = OID_LENGTH(((const oid[]){__VA_ARGS__}))
#define OF(table_, type_, get_)                                                \
    .table = (table_), .type = (type_), .get = (get_)
#define FIELD(type, member, bit)                                               \
    .offset = offsetof(type, member), .size = sizeof(((type *)0)->member),     \
    .has = (bit)
#define NODE(member) FIELD(vmon_host_data, member, 0)
#define CONN(member) FIELD(vmon_conn_snap, member, 0)
#define GROUP(bit) .has = (bit)
#define DOM(member, bit) FIELD(vmon_domain, member, bit)
#define VCPU(member, bit) FIELD(vmon_vcpu, member, bit)
#define DISK(member, bit) FIELD(vmon_disk, member, bit)
#define IFACE(member, bit) FIELD(vmon_iface, member, bit)
#define EVENTS(member) FIELD(vmon_mib_event_counters, member, 0)
#define SIZE(max) .max_len = (max)

/* String limits from the MIB's SYNTAX clauses. */
#define UTF8 SIZE(1024) /* VmonUtf8String */

/* clang-format off */
const vmon_mib_object vmon_mib_objects[] = {
    {.name = "vmonAgentVersion", OID(VMON_OID_AGENT_VERSION),
     OF(VMON_MIB_SCALARS, ASN_OCTET_STR, vmon_mib_get_agent_version),
     SIZE(64)},
    {.name = "vmonAgentPollInterval", OID(VMON_OID_AGENT_POLL_INTERVAL),
     OF(VMON_MIB_SCALARS, ASN_UNSIGNED, vmon_mib_get_agent_interval)},
    {.name = "vmonAgentConnCount", OID(VMON_OID_AGENT_CONN_COUNT),
     OF(VMON_MIB_SCALARS, ASN_UNSIGNED, vmon_mib_get_agent_conn_count)},

    {.name = "vmonConnConfiguredUri", OID(VMON_OID_CONN_CONFIGURED_URI),
     OF(VMON_MIB_CONN, ASN_OCTET_STR, vmon_mib_get_conn_configured_uri),
     UTF8},
    {.name = "vmonConnUri", OID(VMON_OID_CONN_URI),
     OF(VMON_MIB_CONN, ASN_OCTET_STR, vmon_mib_get_conn_uri),
     UTF8},
    {.name = "vmonConnState", OID(VMON_OID_CONN_STATE),
     OF(VMON_MIB_CONN, ASN_INTEGER, vmon_mib_get_conn_state)},
    {.name = "vmonConnIsEncrypted", OID(VMON_OID_CONN_IS_ENCRYPTED),
     OF(VMON_MIB_CONN, ASN_INTEGER, vmon_mib_get_conn_is_encrypted)},
    {.name = "vmonConnIsSecure", OID(VMON_OID_CONN_IS_SECURE),
     OF(VMON_MIB_CONN, ASN_INTEGER, vmon_mib_get_conn_is_secure)},
    {.name = "vmonConnIsStale", OID(VMON_OID_CONN_IS_STALE),
     OF(VMON_MIB_CONN, ASN_INTEGER, vmon_mib_get_conn_is_stale)},
    {.name = "vmonConnLastAttemptTime", OID(VMON_OID_CONN_LAST_ATTEMPT_TIME),
     OF(VMON_MIB_CONN, ASN_UNSIGNED, vmon_mib_get_conn_last_attempt)},
    {.name = "vmonConnLastSuccessTime", OID(VMON_OID_CONN_LAST_SUCCESS_TIME),
     OF(VMON_MIB_CONN, ASN_UNSIGNED, vmon_mib_get_conn_last_success)},
    {.name = "vmonConnLastPollDuration", OID(VMON_OID_CONN_LAST_POLL_DURATION),
     OF(VMON_MIB_CONN, ASN_GAUGE, vmon_mib_get_conn_last_duration)},
    {.name = "vmonConnPollErrors", OID(VMON_OID_CONN_POLL_ERRORS),
     OF(VMON_MIB_CONN, ASN_COUNTER, vmon_mib_get_conn_poll_errors)},
    {.name = "vmonConnConnects", OID(VMON_OID_CONN_CONNECTS),
     OF(VMON_MIB_CONN, ASN_COUNTER, vmon_mib_get_conn_connects)},
    {.name = "vmonConnLastError", OID(VMON_OID_CONN_LAST_ERROR),
     OF(VMON_MIB_CONN, ASN_OCTET_STR, vmon_mib_get_conn_last_error),
     UTF8},
    {.name = "vmonConnHostname", OID(VMON_OID_CONN_HOSTNAME),
     OF(VMON_MIB_CONN, ASN_OCTET_STR, vmon_mib_get_conn_hostname),
     UTF8},
    {.name = "vmonConnHvType", OID(VMON_OID_CONN_HV_TYPE),
     OF(VMON_MIB_CONN, ASN_OCTET_STR, vmon_mib_get_conn_hv_type),
     SIZE(64)},
    {.name = "vmonConnHvVersion", OID(VMON_OID_CONN_HV_VERSION),
     OF(VMON_MIB_CONN, ASN_OCTET_STR, vmon_mib_get_conn_hv_version),
     SIZE(32)},
    {.name = "vmonConnHvVersionNumber", OID(VMON_OID_CONN_HV_VERSION_NUMBER),
     OF(VMON_MIB_CONN, ASN_UNSIGNED, vmon_mib_get_conn_hv_version_number)},
    {.name = "vmonConnLibVersion", OID(VMON_OID_CONN_LIB_VERSION),
     OF(VMON_MIB_CONN, ASN_OCTET_STR, vmon_mib_get_conn_lib_version),
     SIZE(32)},
    {.name = "vmonConnLibVersionNumber", OID(VMON_OID_CONN_LIB_VERSION_NUMBER),
     OF(VMON_MIB_CONN, ASN_UNSIGNED, vmon_mib_get_conn_lib_version_number)},
    {.name = "vmonConnMaxVcpus", OID(VMON_OID_CONN_MAX_VCPUS),
     OF(VMON_MIB_CONN, ASN_UNSIGNED, vmon_mib_get_conn_max_vcpus)},
    {.name = "vmonConnPollTimeout", OID(VMON_OID_CONN_POLL_TIMEOUT),
     OF(VMON_MIB_CONN, ASN_UNSIGNED, vmon_mib_get_conn_field),
     CONN(poll_timeout_s)},
    {.name = "vmonConnOverdueCalls", OID(VMON_OID_CONN_OVERDUE_CALLS),
     OF(VMON_MIB_CONN, ASN_GAUGE, vmon_mib_get_conn_field),
     CONN(overdue_calls)},
    {.name = "vmonConnOverdues", OID(VMON_OID_CONN_OVERDUES),
     OF(VMON_MIB_CONN, ASN_COUNTER, vmon_mib_get_conn_field),
     CONN(overdues)},
    {.name = "vmonConnStaleReason", OID(VMON_OID_CONN_STALE_REASON),
     OF(VMON_MIB_CONN, ASN_OCTET_STR, vmon_mib_get_conn_stale_reason),
     UTF8},
    {.name = "vmonConnStaleDomains", OID(VMON_OID_CONN_STALE_DOMAINS),
     OF(VMON_MIB_CONN, ASN_GAUGE, vmon_mib_get_conn_stale_domains)},

    {.name = "vmonNodeCpuModel", OID(VMON_OID_NODE_CPU_MODEL),
     OF(VMON_MIB_NODE, ASN_OCTET_STR, vmon_mib_get_node_cpu_model),
     SIZE(31)},
    {.name = "vmonNodeMemory", OID(VMON_OID_NODE_MEMORY),
     OF(VMON_MIB_NODE, ASN_COUNTER64, vmon_mib_get_node_field),
     NODE(memory_kib)},
    {.name = "vmonNodeCpus", OID(VMON_OID_NODE_CPUS),
     OF(VMON_MIB_NODE, ASN_UNSIGNED, vmon_mib_get_node_field),
     NODE(cpus)},
    {.name = "vmonNodeMhz", OID(VMON_OID_NODE_MHZ),
     OF(VMON_MIB_NODE, ASN_UNSIGNED, vmon_mib_get_node_field),
     NODE(mhz)},
    {.name = "vmonNodeNumaNodes", OID(VMON_OID_NODE_NUMA_NODES),
     OF(VMON_MIB_NODE, ASN_UNSIGNED, vmon_mib_get_node_field),
     NODE(nodes)},
    {.name = "vmonNodeSockets", OID(VMON_OID_NODE_SOCKETS),
     OF(VMON_MIB_NODE, ASN_UNSIGNED, vmon_mib_get_node_field),
     NODE(sockets)},
    {.name = "vmonNodeCores", OID(VMON_OID_NODE_CORES),
     OF(VMON_MIB_NODE, ASN_UNSIGNED, vmon_mib_get_node_field),
     NODE(cores)},
    {.name = "vmonNodeThreads", OID(VMON_OID_NODE_THREADS),
     OF(VMON_MIB_NODE, ASN_UNSIGNED, vmon_mib_get_node_field),
     NODE(threads)},
    {.name = "vmonNodeFreeMemory", OID(VMON_OID_NODE_FREE_MEMORY),
     OF(VMON_MIB_NODE, ASN_COUNTER64, vmon_mib_get_node_free_memory)},
    {.name = "vmonNodeCellCount", OID(VMON_OID_NODE_CELL_COUNT),
     OF(VMON_MIB_NODE, ASN_UNSIGNED, vmon_mib_get_node_cell_count)},

    {.name = "vmonCellNumber", OID(VMON_OID_CELL_NUMBER),
     OF(VMON_MIB_CELL, ASN_UNSIGNED, vmon_mib_get_cell_number)},
    {.name = "vmonCellFreeMemory", OID(VMON_OID_CELL_FREE_MEMORY),
     OF(VMON_MIB_CELL, ASN_COUNTER64, vmon_mib_get_cell_free_memory)},

    {.name = "vmonDomainName", OID(VMON_OID_DOMAIN_NAME),
     OF(VMON_MIB_DOMAIN, ASN_OCTET_STR, vmon_mib_get_domain_name),
     UTF8},
    {.name = "vmonDomainUUIDString", OID(VMON_OID_DOMAIN_UUID_STRING),
     OF(VMON_MIB_DOMAIN, ASN_OCTET_STR, vmon_mib_get_domain_uuid_string),
     SIZE(36)},
    {.name = "vmonDomainId", OID(VMON_OID_DOMAIN_ID),
     OF(VMON_MIB_DOMAIN, ASN_INTEGER, vmon_mib_get_domain_id)},
    {.name = "vmonDomainState", OID(VMON_OID_DOMAIN_STATE),
     OF(VMON_MIB_DOMAIN, ASN_INTEGER, vmon_mib_get_domain_state)},
    {.name = "vmonDomainStateReason", OID(VMON_OID_DOMAIN_STATE_REASON),
     OF(VMON_MIB_DOMAIN, ASN_INTEGER, vmon_mib_get_domain_state_reason)},
    {.name = "vmonDomainStateCode", OID(VMON_OID_DOMAIN_STATE_CODE),
     OF(VMON_MIB_DOMAIN, ASN_INTEGER, vmon_mib_get_domain_state_code)},
    {.name = "vmonDomainReasonCode", OID(VMON_OID_DOMAIN_REASON_CODE),
     OF(VMON_MIB_DOMAIN, ASN_INTEGER, vmon_mib_get_domain_reason_code)},
    {.name = "vmonDomainIsPersistent", OID(VMON_OID_DOMAIN_IS_PERSISTENT),
     OF(VMON_MIB_DOMAIN, ASN_INTEGER, vmon_mib_get_domain_is_persistent)},
    {.name = "vmonDomainVcpuCurrent", OID(VMON_OID_DOMAIN_VCPU_CURRENT),
     OF(VMON_MIB_DOMAIN, ASN_UNSIGNED, vmon_mib_get_domain_field),
     DOM(vcpu_current, VMON_DOM_HAS_VCPU_CURRENT)},
    {.name = "vmonDomainVcpuMax", OID(VMON_OID_DOMAIN_VCPU_MAX),
     OF(VMON_MIB_DOMAIN, ASN_UNSIGNED, vmon_mib_get_domain_field),
     DOM(vcpu_max, VMON_DOM_HAS_VCPU_MAX)},
    {.name = "vmonDomainMemCurrent", OID(VMON_OID_DOMAIN_MEM_CURRENT),
     OF(VMON_MIB_DOMAIN, ASN_COUNTER64, vmon_mib_get_domain_field),
     DOM(mem_current_kib, VMON_DOM_HAS_MEM_CURRENT)},
    {.name = "vmonDomainMemMax", OID(VMON_OID_DOMAIN_MEM_MAX),
     OF(VMON_MIB_DOMAIN, ASN_COUNTER64, vmon_mib_get_domain_field),
     DOM(mem_max_kib, VMON_DOM_HAS_MEM_MAX)},
    {.name = "vmonDomainCpuTime", OID(VMON_OID_DOMAIN_CPU_TIME),
     OF(VMON_MIB_DOMAIN, ASN_COUNTER64, vmon_mib_get_domain_field),
     DOM(cpu_time_ns, VMON_DOM_HAS_CPU_TIME)},
    {.name = "vmonDomainCpuUserTime", OID(VMON_OID_DOMAIN_CPU_USER_TIME),
     OF(VMON_MIB_DOMAIN, ASN_COUNTER64, vmon_mib_get_domain_field),
     DOM(cpu_user_ns, VMON_DOM_HAS_CPU_USER)},
    {.name = "vmonDomainCpuSystemTime", OID(VMON_OID_DOMAIN_CPU_SYSTEM_TIME),
     OF(VMON_MIB_DOMAIN, ASN_COUNTER64, vmon_mib_get_domain_field),
     DOM(cpu_system_ns, VMON_DOM_HAS_CPU_SYSTEM)},
    {.name = "vmonDomainBalloonRss", OID(VMON_OID_DOMAIN_BALLOON_RSS),
     OF(VMON_MIB_DOMAIN, ASN_COUNTER64, vmon_mib_get_domain_field),
     DOM(balloon_rss_kib, VMON_DOM_HAS_BALLOON_RSS)},
    {.name = "vmonDomainBalloonAvailable", OID(VMON_OID_DOMAIN_BALLOON_AVAILABLE),
     OF(VMON_MIB_DOMAIN, ASN_COUNTER64, vmon_mib_get_domain_field),
     DOM(balloon_available_kib, VMON_DOM_HAS_BALLOON_AVAILABLE)},
    {.name = "vmonDomainBalloonUsable", OID(VMON_OID_DOMAIN_BALLOON_USABLE),
     OF(VMON_MIB_DOMAIN, ASN_COUNTER64, vmon_mib_get_domain_field),
     DOM(balloon_usable_kib, VMON_DOM_HAS_BALLOON_USABLE)},
    {.name = "vmonDomainBalloonUnused", OID(VMON_OID_DOMAIN_BALLOON_UNUSED),
     OF(VMON_MIB_DOMAIN, ASN_COUNTER64, vmon_mib_get_domain_field),
     DOM(balloon_unused_kib, VMON_DOM_HAS_BALLOON_UNUSED)},
    {.name = "vmonDomainBalloonSwapIn", OID(VMON_OID_DOMAIN_BALLOON_SWAP_IN),
     OF(VMON_MIB_DOMAIN, ASN_COUNTER64, vmon_mib_get_domain_field),
     DOM(balloon_swap_in_kib, VMON_DOM_HAS_BALLOON_SWAP_IN)},
    {.name = "vmonDomainBalloonSwapOut", OID(VMON_OID_DOMAIN_BALLOON_SWAP_OUT),
     OF(VMON_MIB_DOMAIN, ASN_COUNTER64, vmon_mib_get_domain_field),
     DOM(balloon_swap_out_kib, VMON_DOM_HAS_BALLOON_SWAP_OUT)},
    {.name = "vmonDomainBalloonMajorFaults", OID(VMON_OID_DOMAIN_BALLOON_MAJOR_FAULTS),
     OF(VMON_MIB_DOMAIN, ASN_COUNTER64, vmon_mib_get_domain_field),
     DOM(balloon_major_fault, VMON_DOM_HAS_BALLOON_MAJOR_FAULT)},
    {.name = "vmonDomainBalloonMinorFaults", OID(VMON_OID_DOMAIN_BALLOON_MINOR_FAULTS),
     OF(VMON_MIB_DOMAIN, ASN_COUNTER64, vmon_mib_get_domain_field),
     DOM(balloon_minor_fault, VMON_DOM_HAS_BALLOON_MINOR_FAULT)},
    {.name = "vmonDomainBalloonDiskCaches", OID(VMON_OID_DOMAIN_BALLOON_DISK_CACHES),
     OF(VMON_MIB_DOMAIN, ASN_COUNTER64, vmon_mib_get_domain_field),
     DOM(balloon_disk_caches_kib, VMON_DOM_HAS_BALLOON_DISK_CACHES)},
    {.name = "vmonDomainVcpuCount", OID(VMON_OID_DOMAIN_VCPU_COUNT),
     OF(VMON_MIB_DOMAIN, ASN_UNSIGNED, vmon_mib_get_domain_vcpu_count)},
    {.name = "vmonDomainDiskCount", OID(VMON_OID_DOMAIN_DISK_COUNT),
     OF(VMON_MIB_DOMAIN, ASN_UNSIGNED, vmon_mib_get_domain_field),
     DOM(disk_count, VMON_DOM_HAS_DISK_COUNT)},
    {.name = "vmonDomainInterfaceCount", OID(VMON_OID_DOMAIN_INTERFACE_COUNT),
     OF(VMON_MIB_DOMAIN, ASN_UNSIGNED, vmon_mib_get_domain_field),
     DOM(iface_count, VMON_DOM_HAS_IFACE_COUNT)},
    {.name = "vmonDomainIsStale", OID(VMON_OID_DOMAIN_IS_STALE),
     OF(VMON_MIB_DOMAIN, ASN_INTEGER, vmon_mib_get_domain_is_stale)},
    {.name = "vmonDomainStateTime", OID(VMON_OID_DOMAIN_STATE_TIME),
     OF(VMON_MIB_DOMAIN, ASN_UNSIGNED, vmon_mib_get_domain_group_time),
     GROUP(VMON_GROUP_STATE)},
    {.name = "vmonDomainCpuStatsTime", OID(VMON_OID_DOMAIN_CPU_STATS_TIME),
     OF(VMON_MIB_DOMAIN, ASN_UNSIGNED, vmon_mib_get_domain_group_time),
     GROUP(VMON_GROUP_CPU)},
    {.name = "vmonDomainBalloonStatsTime", OID(VMON_OID_DOMAIN_BALLOON_STATS_TIME),
     OF(VMON_MIB_DOMAIN, ASN_UNSIGNED, vmon_mib_get_domain_group_time),
     GROUP(VMON_GROUP_BALLOON)},
    {.name = "vmonDomainVcpuStatsTime", OID(VMON_OID_DOMAIN_VCPU_STATS_TIME),
     OF(VMON_MIB_DOMAIN, ASN_UNSIGNED, vmon_mib_get_domain_group_time),
     GROUP(VMON_GROUP_VCPU)},
    {.name = "vmonDomainInterfaceStatsTime", OID(VMON_OID_DOMAIN_INTERFACE_STATS_TIME),
     OF(VMON_MIB_DOMAIN, ASN_UNSIGNED, vmon_mib_get_domain_group_time),
     GROUP(VMON_GROUP_INTERFACE)},
    {.name = "vmonDomainBlockStatsTime", OID(VMON_OID_DOMAIN_BLOCK_STATS_TIME),
     OF(VMON_MIB_DOMAIN, ASN_UNSIGNED, vmon_mib_get_domain_group_time),
     GROUP(VMON_GROUP_BLOCK)},
    {.name = "vmonDomainStatsAge", OID(VMON_OID_DOMAIN_STATS_AGE),
     OF(VMON_MIB_DOMAIN, ASN_UNSIGNED, vmon_mib_get_domain_stats_age)},

    {.name = "vmonVcpuNumber", OID(VMON_OID_VCPU_NUMBER),
     OF(VMON_MIB_VCPU, ASN_UNSIGNED, vmon_mib_get_vcpu_number)},
    {.name = "vmonVcpuState", OID(VMON_OID_VCPU_STATE),
     OF(VMON_MIB_VCPU, ASN_INTEGER, vmon_mib_get_vcpu_state)},
    {.name = "vmonVcpuTime", OID(VMON_OID_VCPU_TIME),
     OF(VMON_MIB_VCPU, ASN_COUNTER64, vmon_mib_get_vcpu_field),
     VCPU(time_ns, VMON_VCPU_HAS_TIME)},
    {.name = "vmonVcpuWait", OID(VMON_OID_VCPU_WAIT),
     OF(VMON_MIB_VCPU, ASN_COUNTER64, vmon_mib_get_vcpu_field),
     VCPU(wait_ns, VMON_VCPU_HAS_WAIT)},
    {.name = "vmonVcpuDelay", OID(VMON_OID_VCPU_DELAY),
     OF(VMON_MIB_VCPU, ASN_COUNTER64, vmon_mib_get_vcpu_field),
     VCPU(delay_ns, VMON_VCPU_HAS_DELAY)},

    {.name = "vmonDiskName", OID(VMON_OID_DISK_NAME),
     OF(VMON_MIB_DISK, ASN_OCTET_STR, vmon_mib_get_disk_name),
     UTF8},
    {.name = "vmonDiskPath", OID(VMON_OID_DISK_PATH),
     OF(VMON_MIB_DISK, ASN_OCTET_STR, vmon_mib_get_disk_path),
     UTF8},
    {.name = "vmonDiskRdReqs", OID(VMON_OID_DISK_RD_REQS),
     OF(VMON_MIB_DISK, ASN_COUNTER64, vmon_mib_get_disk_field),
     DISK(rd_reqs, VMON_DISK_HAS_RD_REQS)},
    {.name = "vmonDiskRdBytes", OID(VMON_OID_DISK_RD_BYTES),
     OF(VMON_MIB_DISK, ASN_COUNTER64, vmon_mib_get_disk_field),
     DISK(rd_bytes, VMON_DISK_HAS_RD_BYTES)},
    {.name = "vmonDiskRdTime", OID(VMON_OID_DISK_RD_TIME),
     OF(VMON_MIB_DISK, ASN_COUNTER64, vmon_mib_get_disk_field),
     DISK(rd_times_ns, VMON_DISK_HAS_RD_TIMES)},
    {.name = "vmonDiskWrReqs", OID(VMON_OID_DISK_WR_REQS),
     OF(VMON_MIB_DISK, ASN_COUNTER64, vmon_mib_get_disk_field),
     DISK(wr_reqs, VMON_DISK_HAS_WR_REQS)},
    {.name = "vmonDiskWrBytes", OID(VMON_OID_DISK_WR_BYTES),
     OF(VMON_MIB_DISK, ASN_COUNTER64, vmon_mib_get_disk_field),
     DISK(wr_bytes, VMON_DISK_HAS_WR_BYTES)},
    {.name = "vmonDiskWrTime", OID(VMON_OID_DISK_WR_TIME),
     OF(VMON_MIB_DISK, ASN_COUNTER64, vmon_mib_get_disk_field),
     DISK(wr_times_ns, VMON_DISK_HAS_WR_TIMES)},
    {.name = "vmonDiskFlReqs", OID(VMON_OID_DISK_FL_REQS),
     OF(VMON_MIB_DISK, ASN_COUNTER64, vmon_mib_get_disk_field),
     DISK(fl_reqs, VMON_DISK_HAS_FL_REQS)},
    {.name = "vmonDiskFlTime", OID(VMON_OID_DISK_FL_TIME),
     OF(VMON_MIB_DISK, ASN_COUNTER64, vmon_mib_get_disk_field),
     DISK(fl_times_ns, VMON_DISK_HAS_FL_TIMES)},
    {.name = "vmonDiskCapacity", OID(VMON_OID_DISK_CAPACITY),
     OF(VMON_MIB_DISK, ASN_COUNTER64, vmon_mib_get_disk_field),
     DISK(capacity, VMON_DISK_HAS_CAPACITY)},
    {.name = "vmonDiskAllocation", OID(VMON_OID_DISK_ALLOCATION),
     OF(VMON_MIB_DISK, ASN_COUNTER64, vmon_mib_get_disk_field),
     DISK(allocation, VMON_DISK_HAS_ALLOCATION)},
    {.name = "vmonDiskPhysical", OID(VMON_OID_DISK_PHYSICAL),
     OF(VMON_MIB_DISK, ASN_COUNTER64, vmon_mib_get_disk_field),
     DISK(physical, VMON_DISK_HAS_PHYSICAL)},

    {.name = "vmonInterfaceName", OID(VMON_OID_IFACE_NAME),
     OF(VMON_MIB_IFACE, ASN_OCTET_STR, vmon_mib_get_iface_name),
     UTF8},
    {.name = "vmonInterfaceRxBytes", OID(VMON_OID_IFACE_RX_BYTES),
     OF(VMON_MIB_IFACE, ASN_COUNTER64, vmon_mib_get_iface_field),
     IFACE(rx_bytes, VMON_IF_HAS_RX_BYTES)},
    {.name = "vmonInterfaceRxPackets", OID(VMON_OID_IFACE_RX_PACKETS),
     OF(VMON_MIB_IFACE, ASN_COUNTER64, vmon_mib_get_iface_field),
     IFACE(rx_pkts, VMON_IF_HAS_RX_PKTS)},
    {.name = "vmonInterfaceRxErrors", OID(VMON_OID_IFACE_RX_ERRORS),
     OF(VMON_MIB_IFACE, ASN_COUNTER64, vmon_mib_get_iface_field),
     IFACE(rx_errs, VMON_IF_HAS_RX_ERRS)},
    {.name = "vmonInterfaceRxDrops", OID(VMON_OID_IFACE_RX_DROPS),
     OF(VMON_MIB_IFACE, ASN_COUNTER64, vmon_mib_get_iface_field),
     IFACE(rx_drop, VMON_IF_HAS_RX_DROP)},
    {.name = "vmonInterfaceTxBytes", OID(VMON_OID_IFACE_TX_BYTES),
     OF(VMON_MIB_IFACE, ASN_COUNTER64, vmon_mib_get_iface_field),
     IFACE(tx_bytes, VMON_IF_HAS_TX_BYTES)},
    {.name = "vmonInterfaceTxPackets", OID(VMON_OID_IFACE_TX_PACKETS),
     OF(VMON_MIB_IFACE, ASN_COUNTER64, vmon_mib_get_iface_field),
     IFACE(tx_pkts, VMON_IF_HAS_TX_PKTS)},
    {.name = "vmonInterfaceTxErrors", OID(VMON_OID_IFACE_TX_ERRORS),
     OF(VMON_MIB_IFACE, ASN_COUNTER64, vmon_mib_get_iface_field),
     IFACE(tx_errs, VMON_IF_HAS_TX_ERRS)},
    {.name = "vmonInterfaceTxDrops", OID(VMON_OID_IFACE_TX_DROPS),
     OF(VMON_MIB_IFACE, ASN_COUNTER64, vmon_mib_get_iface_field),
     IFACE(tx_drop, VMON_IF_HAS_TX_DROP)},

    {.name = "vmonMagicStatus", OID(VMON_OID_MAGIC_STATUS),
     OF(VMON_MIB_MAGIC, ASN_INTEGER, vmon_mib_get_magic_status)},
    {.name = "vmonMagicContent", OID(VMON_OID_MAGIC_CONTENT),
     OF(VMON_MIB_MAGIC, ASN_OCTET_STR, vmon_mib_get_magic_content),
     SIZE(VMON_MAGIC_MAX)},
    {.name = "vmonMagicLength", OID(VMON_OID_MAGIC_LENGTH),
     OF(VMON_MIB_MAGIC, ASN_UNSIGNED, vmon_mib_get_magic_length)},
    {.name = "vmonMagicIsBootBlocked", OID(VMON_OID_MAGIC_IS_BOOT_BLOCKED),
     OF(VMON_MIB_MAGIC, ASN_INTEGER, vmon_mib_get_magic_is_boot_blocked)},
    {.name = "vmonMagicError", OID(VMON_OID_MAGIC_ERROR),
     OF(VMON_MIB_MAGIC, ASN_OCTET_STR, vmon_mib_get_magic_error),
     UTF8},
    {.name = "vmonMagicSource", OID(VMON_OID_MAGIC_SOURCE),
     OF(VMON_MIB_MAGIC, ASN_INTEGER, vmon_mib_get_magic_source)},

    {.name = "vmonEventsQueued", OID(VMON_OID_EVENTS_QUEUED),
     OF(VMON_MIB_SCALARS, ASN_COUNTER64, vmon_mib_get_event_counter),
     EVENTS(queued)},
    {.name = "vmonEventsDropped", OID(VMON_OID_EVENTS_DROPPED),
     OF(VMON_MIB_SCALARS, ASN_COUNTER64, vmon_mib_get_event_counter),
     EVENTS(dropped)},
    {.name = "vmonNotificationsSent", OID(VMON_OID_NOTIFICATIONS_SENT),
     OF(VMON_MIB_SCALARS, ASN_COUNTER64, vmon_mib_get_event_counter),
     EVENTS(sent)},
    {.name = "vmonNotificationsLimited", OID(VMON_OID_NOTIFICATIONS_LIMITED),
     OF(VMON_MIB_SCALARS, ASN_COUNTER64, vmon_mib_get_event_counter),
     EVENTS(limited)},
};
/* clang-format on */

const size_t vmon_mib_n_objects =
    sizeof(vmon_mib_objects) / sizeof(vmon_mib_objects[0]);

const oid vmon_mib_root[] = {VMON_OID_ROOT};
const size_t vmon_mib_root_len = OID_LENGTH(vmon_mib_root);

static bool oid_has_prefix(const oid *name, size_t len, const oid *prefix,
                           size_t prefix_len)
{
    return len >= prefix_len &&
           snmp_oid_compare(name, prefix_len, prefix, prefix_len) == 0;
}

const vmon_mib_object *vmon_mib_object_containing(const oid *name, size_t len)
{
    size_t i;

    for (i = 0; i < vmon_mib_n_objects; i++) {
        const vmon_mib_object *obj = &vmon_mib_objects[i];

        if (oid_has_prefix(name, len, obj->oid, obj->oid_len))
            return obj;
    }
    return NULL;
}

bool vmon_mib_registry_is_valid(void)
{
    size_t i;

    for (i = 0; i < vmon_mib_n_objects; i++) {
        const vmon_mib_object *obj = &vmon_mib_objects[i];

        if (!oid_has_prefix(obj->oid, obj->oid_len, vmon_mib_root,
                            vmon_mib_root_len)) {
            snmp_log(LOG_ERR, "MIB object '%s' lies outside the root\n",
                     obj->name);
            return false;
        }
        if (i > 0 && snmp_oid_compare(vmon_mib_objects[i - 1].oid,
                                      vmon_mib_objects[i - 1].oid_len, obj->oid,
                                      obj->oid_len) >= 0) {
            snmp_log(LOG_ERR, "MIB object '%s' is out of OID order\n",
                     obj->name);
            return false;
        }
    }
    return true;
}
