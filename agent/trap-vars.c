/* trap-vars.c: builds the varbinds of each VIRTMON-MIB notification from a
 * core event: table columns with the row's index, then the event's own. */
#include <config.h>

#include <string.h>
#include <libvirt/libvirt.h>

#include "mib.h"
#include "trap-vars.h"
#include "vmon-oids.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))
#define MIB_EVENT_UNKNOWN 99
#define MIB_DETAIL_UNKNOWN 9999
#define MIB_UTF8_MAX 1024 /* VmonUtf8String */
#define INDEX_MAX (1 + VMON_UUID_LEN)

/* A column or scalar of the MIB, and the notification OIDs. */
#define OBJECT(name, ...) static const oid name[] = {__VA_ARGS__}
OBJECT(snmp_trap_oid, 1, 3, 6, 1, 6, 3, 1, 1, 4, 1); /* snmpTrapOID */
OBJECT(conn_uri, VMON_OID_CONN_CONFIGURED_URI);
OBJECT(domain_name, VMON_OID_DOMAIN_NAME);
OBJECT(domain_uuid, VMON_OID_DOMAIN_UUID_STRING);
OBJECT(domain_state, VMON_OID_DOMAIN_STATE);
OBJECT(domain_reason, VMON_OID_DOMAIN_STATE_REASON);
OBJECT(node_free, VMON_OID_NODE_FREE_MEMORY);
OBJECT(cell_free, VMON_OID_CELL_FREE_MEMORY);
OBJECT(magic_content, VMON_OID_MAGIC_CONTENT);
OBJECT(magic_blocked, VMON_OID_MAGIC_IS_BOOT_BLOCKED);
OBJECT(ev_event, VMON_OID_EVENT_DOMAIN_EVENT);
OBJECT(ev_detail, VMON_OID_EVENT_DOMAIN_DETAIL);
OBJECT(ev_event_code, VMON_OID_EVENT_DOMAIN_EVENT_CODE);
OBJECT(ev_detail_code, VMON_OID_EVENT_DOMAIN_DETAIL_CODE);
OBJECT(ev_reconciled, VMON_OID_EVENT_IS_RECONCILED);
OBJECT(ev_reason, VMON_OID_EVENT_REASON);
OBJECT(ev_outage, VMON_OID_EVENT_OUTAGE);
OBJECT(ev_threshold, VMON_OID_EVENT_THRESHOLD);
OBJECT(ev_suppressed, VMON_OID_EVENT_SUPPRESSED_COUNT);
OBJECT(trap_lifecycle, VMON_OID_TRAP_DOMAIN_LIFECYCLE);
OBJECT(trap_conn_lost, VMON_OID_TRAP_CONN_LOST);
OBJECT(trap_conn_restored, VMON_OID_TRAP_CONN_RESTORED);
OBJECT(trap_magic_changed, VMON_OID_TRAP_MAGIC_CHANGED);
OBJECT(trap_marker_set, VMON_OID_TRAP_BOOT_MARKER_SET);
OBJECT(trap_marker_cleared, VMON_OID_TRAP_BOOT_MARKER_CLEARED);
OBJECT(trap_cell_low, VMON_OID_TRAP_CELL_MEMORY_LOW);
OBJECT(trap_cell_recovered, VMON_OID_TRAP_CELL_MEMORY_RECOVERED);
OBJECT(trap_host_low, VMON_OID_TRAP_HOST_MEMORY_LOW);
OBJECT(trap_host_recovered, VMON_OID_TRAP_HOST_MEMORY_RECOVERED);
OBJECT(trap_suppressed, VMON_OID_TRAP_SUPPRESSED);
OBJECT(trap_conn_overdue, VMON_OID_TRAP_CONN_OVERDUE);
OBJECT(trap_conn_overdue_ended, VMON_OID_TRAP_CONN_OVERDUE_ENDED);
OBJECT(trap_domain_stale, VMON_OID_TRAP_DOMAIN_STATS_STALE);
OBJECT(trap_domain_current, VMON_OID_TRAP_DOMAIN_STATS_CURRENT);

/* A varbind list being built: the first failure sticks. */
typedef struct {
    netsnmp_variable_list *vars;
    bool is_failed;
    oid index[INDEX_MAX]; /* of the row the notification is about */
    size_t index_len;
} builder;

static const oid scalar_index[] = {0};

static void add_var(builder *b, const oid *object, size_t object_len,
                    bool is_scalar, u_char type, const void *value, size_t len)
{
    const oid *index = is_scalar ? scalar_index : b->index;
    size_t index_len = is_scalar ? 1 : b->index_len;
    oid name[MAX_OID_LEN];

    if (b->is_failed)
        return;
    memcpy(name, object, object_len * sizeof(oid));
    memcpy(name + object_len, index, index_len * sizeof(oid));
    if (!snmp_varlist_add_variable(&b->vars, name, object_len + index_len, type,
                                   value, len))
        b->is_failed = true;
}

#define ADD(b, object, is_scalar, type, value, len)                            \
    add_var(b, object, OID_LENGTH(object), is_scalar, type, value, len)

static void add_integer(builder *b, const oid *object, size_t object_len,
                        bool is_scalar, long value)
{
    add_var(b, object, object_len, is_scalar, ASN_INTEGER, &value,
            sizeof(value));
}

#define ADD_INTEGER(b, object, is_scalar, value)                               \
    add_integer(b, object, OID_LENGTH(object), is_scalar, value)

static void add_text(builder *b, const oid *object, size_t object_len,
                     bool is_scalar, const char *text)
{
    size_t len = vmon_mib_utf8_cut(text, strlen(text), MIB_UTF8_MAX);

    add_var(b, object, object_len, is_scalar, ASN_OCTET_STR, text, len);
}

#define ADD_TEXT(b, object, is_scalar, text)                                   \
    add_text(b, object, OID_LENGTH(object), is_scalar, text)

static void add_bytes64(builder *b, const oid *object, size_t object_len,
                        bool is_scalar, uint64_t value)
{
    struct counter64 c = {.high = (u_long)(value >> 32),
                          .low = (u_long)(value & 0xffffffff)};

    add_var(b, object, object_len, is_scalar, ASN_COUNTER64, &c, sizeof(c));
}

#define ADD_BYTES64(b, object, is_scalar, value)                               \
    add_bytes64(b, object, OID_LENGTH(object), is_scalar, value)

static void add_unsigned(builder *b, const oid *object, size_t object_len,
                         u_long value)
{
    add_var(b, object, object_len, true, ASN_UNSIGNED, &value, sizeof(value));
}

#define ADD_UNSIGNED(b, object, value)                                         \
    add_unsigned(b, object, OID_LENGTH(object), value)

/* Details per libvirt 9.0 event: the VmonDomainEventDetail list. */
static const int n_details[] = {
    [VIR_DOMAIN_EVENT_DEFINED] = VIR_DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT + 1,
    [VIR_DOMAIN_EVENT_UNDEFINED] = VIR_DOMAIN_EVENT_UNDEFINED_RENAMED + 1,
    [VIR_DOMAIN_EVENT_STARTED] = VIR_DOMAIN_EVENT_STARTED_WAKEUP + 1,
    [VIR_DOMAIN_EVENT_SUSPENDED] =
        VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED + 1,
    [VIR_DOMAIN_EVENT_RESUMED] = VIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED + 1,
    [VIR_DOMAIN_EVENT_STOPPED] = VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT + 1,
    [VIR_DOMAIN_EVENT_SHUTDOWN] = VIR_DOMAIN_EVENT_SHUTDOWN_HOST + 1,
    [VIR_DOMAIN_EVENT_PMSUSPENDED] = VIR_DOMAIN_EVENT_PMSUSPENDED_DISK + 1,
    [VIR_DOMAIN_EVENT_CRASHED] = VIR_DOMAIN_EVENT_CRASHED_CRASHLOADED + 1,
};

long vmon_trap_domain_event(int event)
{
    return event >= 0 && (size_t)event < N_ELEMENTS(n_details)
               ? event
               : MIB_EVENT_UNKNOWN;
}

long vmon_trap_domain_detail(int event, int detail)
{
    if (vmon_trap_domain_event(event) == MIB_EVENT_UNKNOWN || detail < 0 ||
        detail >= n_details[event])
        return MIB_DETAIL_UNKNOWN;
    return event * 100L + detail;
}

static void set_conn_index(builder *b, const vmon_event *ev)
{
    b->index[0] = ev->conn_index;
    b->index_len = 1;
}

/* The domain's name and UUID, with the instance of its row. */
static void add_domain(builder *b, const vmon_event *ev)
{
    size_t i;

    for (i = 0; i < VMON_UUID_LEN; i++)
        b->index[1 + i] = ev->uuid[i];
    b->index_len = 1 + VMON_UUID_LEN;
    ADD_TEXT(b, domain_name, false, ev->dom_name);
    ADD_TEXT(b, domain_uuid, false, ev->uuid_str);
}

static void add_lifecycle(builder *b, const vmon_event *ev)
{
    add_domain(b, ev);
    ADD_INTEGER(b, ev_event, true, vmon_trap_domain_event(ev->event));
    ADD_INTEGER(b, ev_detail, true,
                vmon_trap_domain_detail(ev->event, ev->detail));
    /* a domain that is gone has no state: nostate(0), nostateUnknown(0) */
    ADD_INTEGER(b, domain_state, false,
                ev->has_state ? vmon_mib_domain_state(ev->state) : 0);
    ADD_INTEGER(b, domain_reason, false,
                ev->has_state ? vmon_mib_domain_reason(ev->state, ev->reason)
                              : 0);
    ADD_INTEGER(b, ev_reconciled, true, ev->is_reconciled ? 1 : 2);
    ADD_INTEGER(b, ev_event_code, true, ev->event);
    ADD_INTEGER(b, ev_detail_code, true, ev->detail);
}

static void add_conn_lost(builder *b, const vmon_event *ev)
{
    ADD_TEXT(b, ev_reason, true, ev->reason_text ? ev->reason_text : "");
}

static void add_conn_restored(builder *b, const vmon_event *ev)
{
    ADD_UNSIGNED(b, ev_outage, ev->outage_s);
}

static void add_domain_stale(builder *b, const vmon_event *ev)
{
    add_domain(b, ev);
    add_conn_lost(b, ev);
}

static void add_magic(builder *b, const vmon_event *ev)
{
    ADD(b, magic_content, false, ASN_OCTET_STR, ev->magic, ev->magic_len);
}

static void add_magic_changed(builder *b, const vmon_event *ev)
{
    add_magic(b, ev);
    ADD_INTEGER(b, magic_blocked, false, ev->is_boot_blocked ? 1 : 2);
}

static void add_cell(builder *b, const vmon_event *ev)
{
    b->index[1] = (oid)ev->cell + 1;
    b->index_len = 2;
    ADD_BYTES64(b, cell_free, false, ev->free_bytes);
    ADD_BYTES64(b, ev_threshold, true, ev->threshold_bytes);
}

static void add_host(builder *b, const vmon_event *ev)
{
    ADD_BYTES64(b, node_free, false, ev->free_bytes);
    ADD_BYTES64(b, ev_threshold, true, ev->threshold_bytes);
}

static const struct {
    vmon_event_kind kind;
    const oid *trap;
    size_t trap_len;
    void (*add)(builder *b, const vmon_event *ev);
} notifications[] = {
#define NOTIFICATION(kind, trap, add)                                          \
    {                                                                          \
        kind, trap, OID_LENGTH(trap), add                                      \
    }
    NOTIFICATION(VMON_EVENT_LIFECYCLE, trap_lifecycle, add_lifecycle),
    NOTIFICATION(VMON_EVENT_CONN_LOST, trap_conn_lost, add_conn_lost),
    NOTIFICATION(VMON_EVENT_CONN_RESTORED, trap_conn_restored,
                 add_conn_restored),
    NOTIFICATION(VMON_EVENT_MAGIC_CHANGED, trap_magic_changed,
                 add_magic_changed),
    NOTIFICATION(VMON_EVENT_MARKER_SET, trap_marker_set, add_magic),
    NOTIFICATION(VMON_EVENT_MARKER_CLEARED, trap_marker_cleared, add_magic),
    NOTIFICATION(VMON_EVENT_CELL_LOW, trap_cell_low, add_cell),
    NOTIFICATION(VMON_EVENT_CELL_RECOVERED, trap_cell_recovered, add_cell),
    NOTIFICATION(VMON_EVENT_HOST_LOW, trap_host_low, add_host),
    NOTIFICATION(VMON_EVENT_HOST_RECOVERED, trap_host_recovered, add_host),
    NOTIFICATION(VMON_EVENT_CONN_OVERDUE, trap_conn_overdue, add_conn_lost),
    NOTIFICATION(VMON_EVENT_CONN_OVERDUE_ENDED, trap_conn_overdue_ended,
                 add_conn_restored),
    NOTIFICATION(VMON_EVENT_DOMAIN_STALE, trap_domain_stale, add_domain_stale),
    NOTIFICATION(VMON_EVENT_DOMAIN_CURRENT, trap_domain_current,
                 add_domain_stale),
};

static netsnmp_variable_list *finish(builder *b)
{
    if (!b->is_failed)
        return b->vars;
    snmp_free_varbind(b->vars);
    return NULL;
}

netsnmp_variable_list *vmon_trap_vars_new(const vmon_event *ev)
{
    builder b = {0};
    size_t i;

    for (i = 0; i < N_ELEMENTS(notifications); i++) {
        if (notifications[i].kind != ev->kind)
            continue;
        ADD(&b, snmp_trap_oid, true, ASN_OBJECT_ID, notifications[i].trap,
            notifications[i].trap_len * sizeof(oid));
        set_conn_index(&b, ev);
        ADD_TEXT(&b, conn_uri, false, ev->uri);
        if (!b.is_failed)
            notifications[i].add(&b, ev);
        return finish(&b);
    }
    return NULL;
}

netsnmp_variable_list *vmon_trap_vars_suppressed(uint32_t count)
{
    builder b = {0};

    ADD(&b, snmp_trap_oid, true, ASN_OBJECT_ID, trap_suppressed,
        sizeof(trap_suppressed));
    ADD_UNSIGNED(&b, ev_suppressed, count);
    return finish(&b);
}
