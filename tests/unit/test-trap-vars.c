/* test-trap-vars.c: the varbinds of every VIRTMON-MIB notification, built
 * from hand-made core events, including events libvirt's test driver
 * cannot produce (shutdown, pmsuspended, crashed). */
#include <config.h>

#include <stdlib.h>
#include <libvirt/libvirt.h>

#include "check.h"
#include "trap-vars.h"

/* The OIDs spelled out from mibs/VIRTMON-MIB.txt, not from vmon-oids.h. */
#define ROOT 1, 3, 6, 1, 4, 1, 36957, 3
static const oid snmp_trap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

static vmon_event *event_new(vmon_event_kind kind)
{
    vmon_event *ev = calloc(1, sizeof(*ev));

    ev->kind = kind;
    ev->conn_index = 2;
    ev->uri = strdup("test+tcp://127.0.0.1:16509/default");
    return ev;
}

static vmon_event *lifecycle_new(int event, int detail, bool has_state,
                                 int state, int reason)
{
    vmon_event *ev = event_new(VMON_EVENT_LIFECYCLE);
    size_t i;

    ev->dom_name = strdup("guest");
    for (i = 0; i < VMON_UUID_LEN; i++)
        ev->uuid[i] = (unsigned char)(0xa0 + i);
    strcpy(ev->uuid_str, "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf");
    ev->event = event;
    ev->detail = detail;
    ev->has_state = has_state;
    ev->state = state;
    ev->reason = reason;
    return ev;
}

static bool oid_is(const netsnmp_variable_list *var, const oid *want,
                   size_t len)
{
    return var && var->name_length == len &&
           snmp_oid_compare(var->name, var->name_length, want, len) == 0;
}

#define CHECK_OID(var, ...)                                                    \
    do {                                                                       \
        const oid want_[] = {__VA_ARGS__};                                     \
        CHECK(oid_is(var, want_, OID_LENGTH(want_)));                          \
    } while (0)

/* The first two varbinds of every notification: which one, and the URI. */
static const netsnmp_variable_list *check_head(const netsnmp_variable_list *v,
                                               oid notification)
{
    const oid trap[] = {ROOT, 0, notification};

    CHECK(oid_is(v, snmp_trap_oid, OID_LENGTH(snmp_trap_oid)));
    CHECK(v && v->type == ASN_OBJECT_ID && v->val_len == sizeof(trap) &&
          memcmp(v->val.objid, trap, sizeof(trap)) == 0);
    v = v ? v->next_variable : NULL;
    CHECK_OID(v, ROOT, 1, 2, 1, 2, 2); /* vmonConnConfiguredUri.2 */
    CHECK(v && v->val_len == 34 &&
          memcmp(v->val.string, "test+tcp://127.0.0.1:16509/default", 34) == 0);
    return v ? v->next_variable : NULL;
}

static long integer_of(const netsnmp_variable_list *v)
{
    return v && v->type == ASN_INTEGER ? *v->val.integer : -12345;
}

static uint64_t counter64_of(const netsnmp_variable_list *v)
{
    if (!v || v->type != ASN_COUNTER64)
        return 12345;
    return ((uint64_t)v->val.counter64->high << 32) | v->val.counter64->low;
}

/* Lifecycle varbinds 3..10: event, detail, state, reason, reconciled,
 * raw event and detail (name and UUID are checked once, below). */
static void check_lifecycle(int event, int detail, bool has_state, int state,
                            int reason, long mib_event, long mib_detail,
                            long mib_state, long mib_reason)
{
    vmon_event *ev = lifecycle_new(event, detail, has_state, state, reason);
    netsnmp_variable_list *vars = vmon_trap_vars_new(ev);
    const netsnmp_variable_list *v = check_head(vars, 1);

    v = v ? v->next_variable->next_variable : NULL; /* name, UUID string */
    CHECK_OID(v, ROOT, 1, 11, 1, 0);
    CHECK_U64(integer_of(v), mib_event);
    v = v ? v->next_variable : NULL;
    CHECK_OID(v, ROOT, 1, 11, 2, 0);
    CHECK_U64(integer_of(v), mib_detail);
    v = v ? v->next_variable : NULL;
    CHECK_U64(integer_of(v), mib_state);
    v = v ? v->next_variable : NULL;
    CHECK_U64(integer_of(v), mib_reason);
    v = v ? v->next_variable : NULL;
    CHECK_U64(integer_of(v), 2); /* not reconciled: false(2) */
    v = v ? v->next_variable : NULL;
    CHECK_U64(integer_of(v), event);
    v = v ? v->next_variable : NULL;
    CHECK_U64(integer_of(v), detail);
    CHECK(v && !v->next_variable);
    snmp_free_varbind(vars);
    vmon_event_free(ev);
}

static void test_events_the_test_driver_cannot_produce(void)
{
    check_lifecycle(VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_GUEST,
                    true, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_UNKNOWN, 6,
                    601, 4, 400);
    check_lifecycle(VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_HOST,
                    true, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_UNKNOWN, 6,
                    602, 4, 400);
    check_lifecycle(
        VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY, true,
        VIR_DOMAIN_PMSUSPENDED, VIR_DOMAIN_PMSUSPENDED_UNKNOWN, 7, 700, 7, 700);
    check_lifecycle(
        VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_DISK, true,
        VIR_DOMAIN_PMSUSPENDED, VIR_DOMAIN_PMSUSPENDED_UNKNOWN, 7, 701, 7, 700);
    check_lifecycle(VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_CRASHED_PANICKED,
                    true, VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED, 8,
                    800, 6, 601);
    check_lifecycle(
        VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_CRASHED_CRASHLOADED, true,
        VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_CRASHED, 8, 801, 1, 109);
    check_lifecycle(VIR_DOMAIN_EVENT_SUSPENDED,
                    VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED, true,
                    VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY_FAILED, 3,
                    308, 3, 313);
}

static void test_gone_and_unknown_events(void)
{
    /* undefined: no state left, nostate(0) nostateUnknown(0) */
    check_lifecycle(VIR_DOMAIN_EVENT_UNDEFINED,
                    VIR_DOMAIN_EVENT_UNDEFINED_REMOVED, false, 0, 0, 1, 100, 0,
                    0);
    /* a newer libvirt's event and detail: unknown(99), unknown(9999) */
    check_lifecycle(9, 0, false, 0, 0, 99, 9999, 0, 0);
    check_lifecycle(VIR_DOMAIN_EVENT_STOPPED, 7, true, VIR_DOMAIN_SHUTOFF, 0, 5,
                    9999, 5, 500);
}

static void test_lifecycle_names_the_domain_row(void)
{
    vmon_event *ev =
        lifecycle_new(VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED,
                      true, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    netsnmp_variable_list *vars = vmon_trap_vars_new(ev);
    const netsnmp_variable_list *v = check_head(vars, 1);

    CHECK_OID(v, ROOT, 1, 5, 1, 2, 2, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
              0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf);
    CHECK(v && v->val_len == 5 && memcmp(v->val.string, "guest", 5) == 0);
    v = v ? v->next_variable : NULL;
    CHECK(v && v->val_len == 36 &&
          memcmp(v->val.string, ev->uuid_str, 36) == 0);
    snmp_free_varbind(vars);
    vmon_event_free(ev);
}

/* VmonUtf8String is at most 1024 bytes: cut before a character, not in. */
static void test_long_name_is_cut_between_characters(void)
{
    vmon_event *ev =
        lifecycle_new(VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED,
                      true, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN);
    netsnmp_variable_list *vars;
    const netsnmp_variable_list *v;
    size_t i;

    free(ev->dom_name);
    ev->dom_name = malloc(2 * 700 + 1);
    for (i = 0; i < 700; i++)
        memcpy(ev->dom_name + 2 * i, "\xc3\xa9", 2); /* é */
    ev->dom_name[1400] = '\0';
    vars = vmon_trap_vars_new(ev);
    v = check_head(vars, 1);
    CHECK_U64(v ? v->val_len : 0, 1024);
    snmp_free_varbind(vars);
    vmon_event_free(ev);
}

static void test_connection_notifications(void)
{
    vmon_event *lost = event_new(VMON_EVENT_CONN_LOST);
    vmon_event *restored = event_new(VMON_EVENT_CONN_RESTORED);
    netsnmp_variable_list *vars;
    const netsnmp_variable_list *v;

    lost->reason_text = strdup("connection closed by libvirtd");
    vars = vmon_trap_vars_new(lost);
    v = check_head(vars, 2);
    CHECK_OID(v, ROOT, 1, 11, 6, 0);
    CHECK(v && v->val_len == 29 && !v->next_variable);
    snmp_free_varbind(vars);
    restored->outage_s = 42;
    vars = vmon_trap_vars_new(restored);
    v = check_head(vars, 3);
    CHECK_OID(v, ROOT, 1, 11, 7, 0);
    CHECK(v && v->type == ASN_UNSIGNED && *v->val.integer == 42);
    snmp_free_varbind(vars);
    vmon_event_free(lost);
    vmon_event_free(restored);
}

/* An overdue poll names the call; its end says how long it lasted. */
static void test_overdue_notifications(void)
{
    vmon_event *overdue = event_new(VMON_EVENT_CONN_OVERDUE);
    vmon_event *ended = event_new(VMON_EVENT_CONN_OVERDUE_ENDED);
    netsnmp_variable_list *vars;
    const netsnmp_variable_list *v;

    overdue->reason_text =
        strdup("virConnectGetAllDomainStats has not returned for 3 s");
    vars = vmon_trap_vars_new(overdue);
    v = check_head(vars, 12);
    CHECK_OID(v, ROOT, 1, 11, 6, 0);
    CHECK(v && v->val_len == 52 && !v->next_variable);
    snmp_free_varbind(vars);
    ended->outage_s = 17;
    vars = vmon_trap_vars_new(ended);
    v = check_head(vars, 13);
    CHECK_OID(v, ROOT, 1, 11, 7, 0);
    CHECK(v && v->type == ASN_UNSIGNED && *v->val.integer == 17);
    snmp_free_varbind(vars);
    vmon_event_free(overdue);
    vmon_event_free(ended);
}

/* A stale domain is named by its row's name and UUID, and the groups. */
static void test_domain_stale_notifications(void)
{
    static const oid kinds[][2] = {{VMON_EVENT_DOMAIN_STALE, 14},
                                   {VMON_EVENT_DOMAIN_CURRENT, 15}};
    size_t k;

    for (k = 0; k < 2; k++) {
        vmon_event *ev = lifecycle_new(0, 0, false, 0, 0);
        netsnmp_variable_list *vars;
        const netsnmp_variable_list *v;

        ev->kind = (vmon_event_kind)kinds[k][0];
        ev->reason_text = strdup("block missing from 2 polls");
        vars = vmon_trap_vars_new(ev);
        v = check_head(vars, kinds[k][1]);
        CHECK_OID(v, ROOT, 1, 5, 1, 2, 2, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
                  0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf);
        CHECK(v && v->val_len == 5 && memcmp(v->val.string, "guest", 5) == 0);
        v = v ? v->next_variable : NULL;
        CHECK(v && v->val_len == 36);
        v = v ? v->next_variable : NULL;
        CHECK_OID(v, ROOT, 1, 11, 6, 0);
        CHECK(v && v->val_len == 26 && !v->next_variable);
        snmp_free_varbind(vars);
        vmon_event_free(ev);
    }
}

static void test_magic_notifications(void)
{
    vmon_event *ev = event_new(VMON_EVENT_MAGIC_CHANGED);
    netsnmp_variable_list *vars;
    const netsnmp_variable_list *v;

    memcpy(ev->magic, "0xabadcafe", 10);
    ev->magic_len = 10;
    ev->is_boot_blocked = true;
    vars = vmon_trap_vars_new(ev);
    v = check_head(vars, 4);
    CHECK_OID(v, ROOT, 1, 9, 1, 2, 2); /* vmonMagicContent.2 */
    CHECK(v && v->val_len == 10);
    v = v ? v->next_variable : NULL;
    CHECK_OID(v, ROOT, 1, 9, 1, 4, 2); /* vmonMagicIsBootBlocked.2 */
    CHECK_U64(integer_of(v), 1);
    snmp_free_varbind(vars);
    ev->kind = VMON_EVENT_MARKER_CLEARED;
    ev->magic_len = 0;
    vars = vmon_trap_vars_new(ev);
    v = check_head(vars, 6);
    CHECK(v && v->val_len == 0 && !v->next_variable);
    snmp_free_varbind(vars);
    vmon_event_free(ev);
}

static void test_memory_notifications(void)
{
    vmon_event *ev = event_new(VMON_EVENT_CELL_RECOVERED);
    netsnmp_variable_list *vars;
    const netsnmp_variable_list *v;

    ev->cell = 3;
    ev->free_bytes = 5ull << 32;
    ev->threshold_bytes = 1ull << 33;
    vars = vmon_trap_vars_new(ev);
    v = check_head(vars, 8);
    CHECK_OID(v, ROOT, 1, 4, 1, 3, 2, 4); /* vmonCellFreeMemory.2.(3+1) */
    CHECK_U64(counter64_of(v), 5ull << 32);
    v = v ? v->next_variable : NULL;
    CHECK_OID(v, ROOT, 1, 11, 8, 0);
    CHECK_U64(counter64_of(v), 1ull << 33);
    snmp_free_varbind(vars);
    ev->kind = VMON_EVENT_HOST_LOW;
    vars = vmon_trap_vars_new(ev);
    v = check_head(vars, 9);
    CHECK_OID(v, ROOT, 1, 3, 1, 9, 2); /* vmonNodeFreeMemory.2 */
    snmp_free_varbind(vars);
    vmon_event_free(ev);
}

static void test_suppressed_summary(void)
{
    netsnmp_variable_list *vars = vmon_trap_vars_suppressed(35);
    const netsnmp_variable_list *v = vars ? vars->next_variable : NULL;
    const oid trap[] = {ROOT, 0, 11};

    CHECK(vars && memcmp(vars->val.objid, trap, sizeof(trap)) == 0);
    CHECK_OID(v, ROOT, 1, 11, 9, 0);
    CHECK(v && *v->val.integer == 35 && !v->next_variable);
    snmp_free_varbind(vars);
}

int main(void)
{
    RUN(test_events_the_test_driver_cannot_produce);
    RUN(test_gone_and_unknown_events);
    RUN(test_lifecycle_names_the_domain_row);
    RUN(test_long_name_is_cut_between_characters);
    RUN(test_connection_notifications);
    RUN(test_overdue_notifications);
    RUN(test_domain_stale_notifications);
    RUN(test_magic_notifications);
    RUN(test_memory_notifications);
    RUN(test_suppressed_summary);
    return check_failures ? 1 : 0;
}
