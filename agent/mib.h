/* mib.h: what every VIRTMON-MIB area shares: the registration table's row
 * type, the data row a getter reads and the value it fills in. */
#ifndef VMON_MIB_H
#define VMON_MIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "vmon-snapshot.h"

/* Which table an object is a column of; it decides the rows and the index. */
typedef enum {
    VMON_MIB_SCALARS,
    VMON_MIB_CONN,
    VMON_MIB_NODE,
    VMON_MIB_CELL,
    VMON_MIB_DOMAIN,
    VMON_MIB_VCPU,
    VMON_MIB_DISK,
    VMON_MIB_IFACE,
    VMON_MIB_MAGIC,
} vmon_mib_table;

/* The counters of the event path (vmonEvents), as of the last render. */
typedef struct {
    uint64_t queued, dropped; /* by the core's queue */
    uint64_t sent, limited;   /* by the notification sender */
} vmon_mib_event_counters;

/* The agent's own settings, for vmonAgent and for the columns that depend
 * on what is collected. */
typedef struct {
    const char *version;
    unsigned int interval_s;
    unsigned int stats_groups; /* VMON_GROUP_* */
    vmon_mib_event_counters events;
} vmon_mib_agent_info;

/* Everything a getter may read for one row; fields that do not apply to the
 * row's table are NULL. */
typedef struct {
    const vmon_mib_agent_info *agent;
    const vmon_snapshot *snap;
    const vmon_conn_snap *conn;
    const vmon_host_data *host; /* conn->data; NULL before the first success */
    const vmon_domain *dom;
    const void *item; /* the vmon_cell, vmon_vcpu, vmon_disk or vmon_iface */
} vmon_mib_row;

#define VMON_MIB_TEXT_MAX 64

/* A getter sets the member that matches the object's ASN type. */
typedef struct {
    long integer;      /* ASN_INTEGER, TruthValue */
    uint64_t number;   /* ASN_UNSIGNED, ASN_COUNTER, ASN_COUNTER64 */
    const void *bytes; /* ASN_OCTET_STR: borrowed from the snapshot... */
    size_t len;
    bool is_text;                 /* ...or formatted into text below */
    char text[VMON_MIB_TEXT_MAX]; /* (the view keeps a copy) */
} vmon_mib_value;

typedef struct vmon_mib_object vmon_mib_object;

/* Returns false when the value is absent for this row: the cell is then
 * left out (noSuchInstance on Get, skipped on a walk). */
typedef bool (*vmon_mib_getter)(const vmon_mib_object *obj,
                                const vmon_mib_row *row, vmon_mib_value *val);

/* One scalar or column of VIRTMON-MIB. */
struct vmon_mib_object {
    const char *name; /* as in the MIB */
    const oid *oid;
    size_t oid_len;
    vmon_mib_table table;
    u_char type;
    vmon_mib_getter get;
    size_t offset;  /* for the generic field getters: the field, */
    size_t size;    /* its size (uint64_t or unsigned int) */
    uint32_t has;   /* and its bit in the struct's `has`; 0: always */
    size_t max_len; /* strings: the SIZE limit of the MIB */
};

/* mib-registry.c: every object of the MIB, in OID order. */
extern const vmon_mib_object vmon_mib_objects[];
extern const size_t vmon_mib_n_objects;
extern const oid vmon_mib_root[];
extern const size_t vmon_mib_root_len;
/* The object whose OID `name` lies under (a column, or a scalar), or NULL. */
const vmon_mib_object *vmon_mib_object_containing(const oid *name, size_t len);
/* Start-up check that the table is in strict OID order under the root. */
bool vmon_mib_registry_is_valid(void);

/* mib-value.c: how getters fill in a value. */
/* `len` cut to at most `max` bytes without splitting a UTF-8 character. */
size_t vmon_mib_utf8_cut(const void *bytes, size_t len, size_t max);
bool vmon_mib_set_number(vmon_mib_value *val, uint64_t number);
bool vmon_mib_set_integer(vmon_mib_value *val, long integer);
bool vmon_mib_set_truth(vmon_mib_value *val, bool is_true);
/* A NULL string is absent. */
bool vmon_mib_set_string(vmon_mib_value *val, const char *str);
bool vmon_mib_set_bytes(vmon_mib_value *val, const void *bytes, size_t len);
/* libvirt's major * 1000000 + minor * 1000 + release as "major.minor.rel". */
bool vmon_mib_set_version(vmon_mib_value *val, unsigned long version);
/* The numeric field obj->offset of `base`, present when obj->has is set in
 * `has` (or obj->has is 0). */
bool vmon_mib_set_field(const vmon_mib_object *obj, const void *base,
                        uint32_t has, vmon_mib_value *val);

/* The getters, one file per MIB area. */
bool vmon_mib_get_agent_version(const vmon_mib_object *, const vmon_mib_row *,
                                vmon_mib_value *);
bool vmon_mib_get_agent_interval(const vmon_mib_object *, const vmon_mib_row *,
                                 vmon_mib_value *);
bool vmon_mib_get_agent_conn_count(const vmon_mib_object *,
                                   const vmon_mib_row *, vmon_mib_value *);

bool vmon_mib_get_conn_configured_uri(const vmon_mib_object *,
                                      const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_conn_uri(const vmon_mib_object *, const vmon_mib_row *,
                           vmon_mib_value *);
bool vmon_mib_get_conn_state(const vmon_mib_object *, const vmon_mib_row *,
                             vmon_mib_value *);
bool vmon_mib_get_conn_is_encrypted(const vmon_mib_object *,
                                    const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_conn_is_secure(const vmon_mib_object *, const vmon_mib_row *,
                                 vmon_mib_value *);
bool vmon_mib_get_conn_is_stale(const vmon_mib_object *, const vmon_mib_row *,
                                vmon_mib_value *);
bool vmon_mib_get_conn_last_attempt(const vmon_mib_object *,
                                    const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_conn_last_success(const vmon_mib_object *,
                                    const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_conn_last_duration(const vmon_mib_object *,
                                     const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_conn_poll_errors(const vmon_mib_object *,
                                   const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_conn_connects(const vmon_mib_object *, const vmon_mib_row *,
                                vmon_mib_value *);
bool vmon_mib_get_conn_last_error(const vmon_mib_object *, const vmon_mib_row *,
                                  vmon_mib_value *);
bool vmon_mib_get_conn_hostname(const vmon_mib_object *, const vmon_mib_row *,
                                vmon_mib_value *);
bool vmon_mib_get_conn_hv_type(const vmon_mib_object *, const vmon_mib_row *,
                               vmon_mib_value *);
bool vmon_mib_get_conn_hv_version(const vmon_mib_object *, const vmon_mib_row *,
                                  vmon_mib_value *);
bool vmon_mib_get_conn_hv_version_number(const vmon_mib_object *,
                                         const vmon_mib_row *,
                                         vmon_mib_value *);
bool vmon_mib_get_conn_lib_version(const vmon_mib_object *,
                                   const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_conn_lib_version_number(const vmon_mib_object *,
                                          const vmon_mib_row *,
                                          vmon_mib_value *);
bool vmon_mib_get_conn_max_vcpus(const vmon_mib_object *, const vmon_mib_row *,
                                 vmon_mib_value *);
bool vmon_mib_get_conn_field(const vmon_mib_object *, const vmon_mib_row *,
                             vmon_mib_value *);
bool vmon_mib_get_conn_stale_reason(const vmon_mib_object *,
                                    const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_conn_stale_domains(const vmon_mib_object *,
                                     const vmon_mib_row *, vmon_mib_value *);

bool vmon_mib_get_node_cpu_model(const vmon_mib_object *, const vmon_mib_row *,
                                 vmon_mib_value *);
bool vmon_mib_get_node_field(const vmon_mib_object *, const vmon_mib_row *,
                             vmon_mib_value *);
bool vmon_mib_get_node_free_memory(const vmon_mib_object *,
                                   const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_node_cell_count(const vmon_mib_object *, const vmon_mib_row *,
                                  vmon_mib_value *);
bool vmon_mib_get_cell_number(const vmon_mib_object *, const vmon_mib_row *,
                              vmon_mib_value *);
bool vmon_mib_get_cell_free_memory(const vmon_mib_object *,
                                   const vmon_mib_row *, vmon_mib_value *);

bool vmon_mib_get_domain_name(const vmon_mib_object *, const vmon_mib_row *,
                              vmon_mib_value *);
bool vmon_mib_get_domain_uuid_string(const vmon_mib_object *,
                                     const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_domain_id(const vmon_mib_object *, const vmon_mib_row *,
                            vmon_mib_value *);
bool vmon_mib_get_domain_state(const vmon_mib_object *, const vmon_mib_row *,
                               vmon_mib_value *);
bool vmon_mib_get_domain_state_reason(const vmon_mib_object *,
                                      const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_domain_state_code(const vmon_mib_object *,
                                    const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_domain_reason_code(const vmon_mib_object *,
                                     const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_domain_is_persistent(const vmon_mib_object *,
                                       const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_domain_field(const vmon_mib_object *, const vmon_mib_row *,
                               vmon_mib_value *);
bool vmon_mib_get_domain_vcpu_count(const vmon_mib_object *,
                                    const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_domain_is_stale(const vmon_mib_object *, const vmon_mib_row *,
                                  vmon_mib_value *);
/* obj->has holds the VMON_GROUP_* bit */
bool vmon_mib_get_domain_group_time(const vmon_mib_object *,
                                    const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_domain_stats_age(const vmon_mib_object *,
                                   const vmon_mib_row *, vmon_mib_value *);

/* mib-domain-state.c: libvirt numbers to MIB enum values. */
long vmon_mib_domain_state(int state);
long vmon_mib_domain_reason(int state, int reason);
long vmon_mib_vcpu_state(int state);

bool vmon_mib_get_vcpu_number(const vmon_mib_object *, const vmon_mib_row *,
                              vmon_mib_value *);
bool vmon_mib_get_vcpu_state(const vmon_mib_object *, const vmon_mib_row *,
                             vmon_mib_value *);
bool vmon_mib_get_vcpu_field(const vmon_mib_object *, const vmon_mib_row *,
                             vmon_mib_value *);

bool vmon_mib_get_disk_name(const vmon_mib_object *, const vmon_mib_row *,
                            vmon_mib_value *);
bool vmon_mib_get_disk_path(const vmon_mib_object *, const vmon_mib_row *,
                            vmon_mib_value *);
bool vmon_mib_get_disk_field(const vmon_mib_object *, const vmon_mib_row *,
                             vmon_mib_value *);

bool vmon_mib_get_iface_name(const vmon_mib_object *, const vmon_mib_row *,
                             vmon_mib_value *);
bool vmon_mib_get_iface_field(const vmon_mib_object *, const vmon_mib_row *,
                              vmon_mib_value *);

bool vmon_mib_get_magic_status(const vmon_mib_object *, const vmon_mib_row *,
                               vmon_mib_value *);
bool vmon_mib_get_magic_content(const vmon_mib_object *, const vmon_mib_row *,
                                vmon_mib_value *);
bool vmon_mib_get_magic_length(const vmon_mib_object *, const vmon_mib_row *,
                               vmon_mib_value *);
bool vmon_mib_get_magic_is_boot_blocked(const vmon_mib_object *,
                                        const vmon_mib_row *, vmon_mib_value *);
bool vmon_mib_get_magic_error(const vmon_mib_object *, const vmon_mib_row *,
                              vmon_mib_value *);
bool vmon_mib_get_magic_source(const vmon_mib_object *, const vmon_mib_row *,
                               vmon_mib_value *);

bool vmon_mib_get_event_counter(const vmon_mib_object *, const vmon_mib_row *,
                                vmon_mib_value *);

#endif
