/* test-mib-view.c: renders hand-built snapshots into MIB views and checks
 * what Get and GetNext find: order, absent values, enum mapping, long names. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "check.h"
#include "mib-view.h"
#include "vmon-core.h"
#include "vmon-oids.h"

#define UUID_A 0x11
#define UUID_B 0x22
#define LONG_NAME_CHARS 600 /* of two bytes each: past the 1024-byte limit */

static vmon_snapshot *snap;
static vmon_mib_view *view; /* of snap, with every stats group */

static const vmon_mib_agent_info all_groups = {
    .version = "9.9.9", .interval_s = 7, .stats_groups = VMON_GROUP_ALL};

/* An OID of `prefix` followed by `index`. */
typedef struct {
    oid name[MAX_OID_LEN];
    size_t len;
} test_oid;

static test_oid make_oid(const oid *prefix, size_t prefix_len, const oid *index,
                         size_t index_len)
{
    test_oid o;

    memcpy(o.name, prefix, prefix_len * sizeof(oid));
    /* memcpy's source must not be NULL, even for no bytes (UBSan) */
    if (index_len > 0)
        memcpy(o.name + prefix_len, index, index_len * sizeof(oid));
    o.len = prefix_len + index_len;
    return o;
}

#define COLUMN(...)                                                            \
    (const oid[]){__VA_ARGS__}, OID_LENGTH(((oid[]){__VA_ARGS__}))

/* Index conn.uuid(16 bytes) for a test UUID whose bytes are all `byte`. */
static size_t domain_index(oid *index, unsigned int conn, unsigned char byte)
{
    size_t i;

    index[0] = conn;
    for (i = 0; i < VMON_UUID_LEN; i++)
        index[1 + i] = byte;
    return 1 + VMON_UUID_LEN;
}

static const vmon_mib_cell *get_domain(const vmon_mib_view *v,
                                       const oid *column, size_t column_len,
                                       unsigned char uuid_byte)
{
    oid index[MAX_OID_LEN];
    size_t n = domain_index(index, 1, uuid_byte);
    test_oid o = make_oid(column, column_len, index, n);

    return vmon_mib_view_get(v, o.name, o.len);
}

static const vmon_mib_cell *get_conn(const vmon_mib_view *v, const oid *column,
                                     size_t column_len, unsigned int conn)
{
    oid index[1] = {conn};
    test_oid o = make_oid(column, column_len, index, 1);

    return vmon_mib_view_get(v, o.name, o.len);
}

/* "x" and then two-byte characters, so that byte 1024 falls in the middle
 * of one of them. */
static char *long_utf8_name(void)
{
    char *name = malloc(1 + LONG_NAME_CHARS * 2 + 1);
    size_t i;

    name[0] = 'x';
    for (i = 0; i < LONG_NAME_CHARS; i++)
        memcpy(name + 1 + 2 * i, "\xc3\xa9", 2); /* U+00E9 */
    name[1 + LONG_NAME_CHARS * 2] = '\0';
    return name;
}

static void fill_domain_a(vmon_domain *dom)
{
    memset(dom->uuid, UUID_A, VMON_UUID_LEN);
    dom->name = long_utf8_name();
    dom->id = 3;
    dom->has = VMON_DOM_HAS_STATE | VMON_DOM_HAS_CPU_TIME;
    dom->state = VIR_DOMAIN_PAUSED;
    dom->reason = VIR_DOMAIN_PAUSED_IOERROR;
    dom->cpu_time_ns = 5000000000ULL; /* past 2^32 */
    /* disks reported out of order, as nothing promises otherwise */
    dom->n_disks = 2;
    dom->disks = calloc(2, sizeof(*dom->disks));
    dom->disks[0].number = 1;
    dom->disks[0].name = strdup("vdb");
    dom->disks[1].number = 0;
    dom->disks[1].name = strdup("vda");
    /* libvirt counts a third disk it has no statistics for */
    dom->has |= VMON_DOM_HAS_DISK_COUNT;
    dom->disk_count = 3;
    /* the block group is 100 s older than the poll: a stuck guest */
    dom->group_time[0] = 1700000100;
    dom->group_time[5] = 1700000000;
    dom->group_misses[5] = 4;
    dom->is_stale = true;
}

static void fill_domain_b(vmon_domain *dom)
{
    memset(dom->uuid, UUID_B, VMON_UUID_LEN);
    dom->name = strdup("db server 1");
    dom->id = -1;
    dom->has = VMON_DOM_HAS_STATE;
    dom->state = 9;   /* a state libvirt 9.0 does not have */
    dom->reason = 42; /* nor this reason */
}

static vmon_host_data *make_host(void)
{
    vmon_host_data *host = vmon_host_data_new();

    host->uri = strdup("test:///default");
    host->hv_version = 8002001;
    host->polled = 1700000100;
    host->has_node_info = true;
    strcpy(host->cpu_model, "x86_64");
    host->cpus = 16;
    host->n_cells = 1;
    host->has_cells = true;
    host->cells = calloc(1, sizeof(*host->cells));
    host->cells[0].cell = 0;
    host->cells[0].free_bytes = 1ULL << 33;
    host->n_domains = 2;
    host->domains = calloc(2, sizeof(*host->domains));
    fill_domain_a(&host->domains[0]);
    fill_domain_b(&host->domains[1]);
    host->magic_status = VMON_MAGIC_MISSING;
    return host;
}

/* conn 1 polled with data, conn 2 never reached */
static vmon_snapshot *make_snapshot(void)
{
    vmon_snapshot *s = calloc(1, sizeof(*s));
    size_t i;

    s->refs = 1;
    s->n_conns = 2;
    s->conns = calloc(2, sizeof(*s->conns));
    for (i = 0; i < 2; i++) {
        s->conns[i] = vmon_conn_snap_new();
        s->conns[i]->index = (unsigned int)i + 1;
    }
    s->conns[0]->configured_uri = strdup("test:///default");
    s->conns[0]->state = VMON_CONN_CONNECTED;
    s->conns[0]->data = make_host();
    s->conns[1]->configured_uri = strdup("test+unix:///nowhere");
    s->conns[1]->last_error = strdup("cannot connect");
    return s;
}

static void test_walk_visits_every_instance_in_increasing_order(void)
{
    const oid root[] = {VMON_OID_ROOT};
    test_oid cur = make_oid(root, OID_LENGTH(root), NULL, 0);
    test_oid prev = cur;
    const vmon_mib_cell *cell;
    size_t n = 0;

    while ((cell = vmon_mib_view_next(view, cur.name, cur.len, false))) {
        cur.len = vmon_mib_view_cell_oid(view, cell, cur.name);
        CHECK(snmp_oid_compare(prev.name, prev.len, cur.name, cur.len) < 0);
        prev = cur;
        if (++n > vmon_mib_view_size(view))
            break;
    }
    CHECK(n == vmon_mib_view_size(view));
}

static void test_requests_outside_the_mib(void)
{
    const oid before[] = {1, 3, 6, 1, 4, 1, 36957, 2, 99};
    const oid after[] = {1, 3, 6, 1, 4, 1, 36957, 4};
    const oid scalar[] = {VMON_OID_AGENT_VERSION, 0};
    const vmon_mib_cell *first;
    test_oid o;

    first = vmon_mib_view_next(view, before, OID_LENGTH(before), false);
    CHECK(first != NULL);
    if (first) {
        o.len = vmon_mib_view_cell_oid(view, first, o.name);
        CHECK(snmp_oid_compare(o.name, o.len, scalar, OID_LENGTH(scalar)) == 0);
    }
    CHECK(vmon_mib_view_next(view, after, OID_LENGTH(after), false) == NULL);
    CHECK(vmon_mib_view_get(view, before, OID_LENGTH(before)) == NULL);
}

static void test_scalars(void)
{
    const oid version[] = {VMON_OID_AGENT_VERSION, 0};
    const oid count[] = {VMON_OID_AGENT_CONN_COUNT, 0};
    const vmon_mib_cell *c;

    c = vmon_mib_view_get(view, version, OID_LENGTH(version));
    CHECK(c && c->type == ASN_OCTET_STR && c->v.str.len == 5 &&
          memcmp(c->v.str.bytes, "9.9.9", 5) == 0);
    c = vmon_mib_view_get(view, count, OID_LENGTH(count));
    CHECK(c && c->v.number == 2);
}

static void test_absent_values_are_not_instances(void)
{
    /* no CPU time reported for B, and B is inactive: no ID */
    CHECK(get_domain(view, COLUMN(VMON_OID_DOMAIN_CPU_TIME), UUID_B) == NULL);
    CHECK(get_domain(view, COLUMN(VMON_OID_DOMAIN_ID), UUID_B) == NULL);
    CHECK(get_domain(view, COLUMN(VMON_OID_DOMAIN_MEM_MAX), UUID_A) == NULL);
    /* unknown encryption (never reported) */
    CHECK(get_conn(view, COLUMN(VMON_OID_CONN_IS_ENCRYPTED), 1) == NULL);
}

static void test_counter64_keeps_high_bits(void)
{
    const vmon_mib_cell *c =
        get_domain(view, COLUMN(VMON_OID_DOMAIN_CPU_TIME), UUID_A);

    CHECK(c && c->type == ASN_COUNTER64 && c->v.number == 5000000000ULL);
}

static void test_state_and_reason_mapping(void)
{
    const vmon_mib_cell *c;

    c = get_domain(view, COLUMN(VMON_OID_DOMAIN_STATE), UUID_A);
    CHECK(c && c->v.integer == 3); /* paused */
    c = get_domain(view, COLUMN(VMON_OID_DOMAIN_STATE_REASON), UUID_A);
    CHECK(c && c->v.integer == 305); /* pausedIoerror */
    c = get_domain(view, COLUMN(VMON_OID_DOMAIN_STATE), UUID_B);
    CHECK(c && c->v.integer == 99); /* unknown */
    c = get_domain(view, COLUMN(VMON_OID_DOMAIN_STATE_REASON), UUID_B);
    CHECK(c && c->v.integer == 9999); /* unknown */
    c = get_domain(view, COLUMN(VMON_OID_DOMAIN_REASON_CODE), UUID_B);
    CHECK(c && c->v.integer == 42); /* the raw number still there */
}

static void test_long_utf8_name_is_cut_between_characters(void)
{
    const vmon_mib_cell *c =
        get_domain(view, COLUMN(VMON_OID_DOMAIN_NAME), UUID_A);
    const unsigned char *s;

    CHECK(c != NULL);
    if (!c)
        return;
    s = c->v.str.bytes;
    CHECK(c->v.str.len == 1023);
    CHECK(s[c->v.str.len - 2] == 0xc3 && s[c->v.str.len - 1] == 0xa9);
}

static void test_disks_come_out_in_index_order(void)
{
    const oid column[] = {VMON_OID_DISK_NAME};
    oid index[MAX_OID_LEN];
    size_t n = domain_index(index, 1, UUID_A);
    test_oid start = make_oid(column, OID_LENGTH(column), index, n);
    const vmon_mib_cell *first, *second;
    test_oid o;

    first = vmon_mib_view_next(view, start.name, start.len, false);
    CHECK(first && first->v.str.len == 3 &&
          memcmp(first->v.str.bytes, "vda", 3) == 0);
    if (!first)
        return;
    o.len = vmon_mib_view_cell_oid(view, first, o.name);
    CHECK(o.name[o.len - 1] == 1); /* block.0 + 1 */
    second = vmon_mib_view_next(view, o.name, o.len, false);
    CHECK(second && second->v.str.len == 3 &&
          memcmp(second->v.str.bytes, "vdb", 3) == 0);
}

static void test_unreached_connection(void)
{
    const vmon_mib_cell *c;

    c = get_conn(view, COLUMN(VMON_OID_CONN_STATE), 2);
    CHECK(c && c->v.integer == 1); /* disconnected */
    CHECK(get_conn(view, COLUMN(VMON_OID_CONN_URI), 2) == NULL);
    CHECK(get_conn(view, COLUMN(VMON_OID_NODE_CPUS), 2) == NULL);
    c = get_conn(view, COLUMN(VMON_OID_MAGIC_STATUS), 2);
    CHECK(c && c->v.integer == 4); /* notPolled */
    CHECK(get_conn(view, COLUMN(VMON_OID_MAGIC_IS_BOOT_BLOCKED), 2) == NULL);
}

static void test_connected_host(void)
{
    const vmon_mib_cell *c;

    c = get_conn(view, COLUMN(VMON_OID_CONN_HV_VERSION), 1);
    CHECK(c && c->v.str.len == 5 && memcmp(c->v.str.bytes, "8.2.1", 5) == 0);
    c = get_conn(view, COLUMN(VMON_OID_NODE_CPUS), 1);
    CHECK(c && c->v.number == 16);
    c = get_conn(view, COLUMN(VMON_OID_MAGIC_STATUS), 1);
    CHECK(c && c->v.integer == 5); /* missing */
    c = get_conn(view, COLUMN(VMON_OID_MAGIC_IS_BOOT_BLOCKED), 1);
    CHECK(c && c->v.integer == 2); /* false */
    CHECK(get_conn(view, COLUMN(VMON_OID_MAGIC_CONTENT), 1) == NULL);
}

/* Counts are libvirt's (block.count), not the number of rows; a domain
 * whose driver reported no count has none. */
static void test_device_counts_are_libvirts(void)
{
    const vmon_mib_cell *c;

    c = get_domain(view, COLUMN(VMON_OID_DOMAIN_DISK_COUNT), UUID_A);
    CHECK(c && c->v.number == 3);
    CHECK(get_domain(view, COLUMN(VMON_OID_DOMAIN_DISK_COUNT), UUID_B) == NULL);
    CHECK(get_domain(view, COLUMN(VMON_OID_DOMAIN_VCPU_COUNT), UUID_A) ==
          NULL); /* the vcpu group was never fetched */
}

/* Each group says when it was fetched; the domain says it is stale. */
static void test_freshness_columns(void)
{
    const vmon_mib_cell *c;

    c = get_domain(view, COLUMN(VMON_OID_DOMAIN_IS_STALE), UUID_A);
    CHECK(c && c->v.integer == 1);
    c = get_domain(view, COLUMN(VMON_OID_DOMAIN_IS_STALE), UUID_B);
    CHECK(c && c->v.integer == 2);
    c = get_domain(view, COLUMN(VMON_OID_DOMAIN_BLOCK_STATS_TIME), UUID_A);
    CHECK(c && c->v.number == 1700000000);
    c = get_domain(view, COLUMN(VMON_OID_DOMAIN_STATE_TIME), UUID_A);
    CHECK(c && c->v.number == 1700000100);
    CHECK(get_domain(view, COLUMN(VMON_OID_DOMAIN_CPU_STATS_TIME), UUID_A) ==
          NULL);
    c = get_domain(view, COLUMN(VMON_OID_DOMAIN_STATS_AGE), UUID_A);
    CHECK(c && c->v.number == 100);
    CHECK(get_domain(view, COLUMN(VMON_OID_DOMAIN_STATS_AGE), UUID_B) == NULL);
}

/* The view holds its own reference: it must outlive the caller's. */
static void test_view_outlives_the_snapshot_reference(void)
{
    vmon_snapshot_unref(snap);
    snap = NULL;
    test_scalars();
}

int main(void)
{
    snap = make_snapshot();
    view = vmon_mib_view_new(snap, &all_groups);
    if (!view) {
        fprintf(stderr, "cannot render the view\n");
        return 1;
    }
    RUN(test_walk_visits_every_instance_in_increasing_order);
    RUN(test_requests_outside_the_mib);
    RUN(test_scalars);
    RUN(test_absent_values_are_not_instances);
    RUN(test_counter64_keeps_high_bits);
    RUN(test_state_and_reason_mapping);
    RUN(test_long_utf8_name_is_cut_between_characters);
    RUN(test_disks_come_out_in_index_order);
    RUN(test_unreached_connection);
    RUN(test_connected_host);
    RUN(test_device_counts_are_libvirts);
    RUN(test_freshness_columns);
    RUN(test_view_outlives_the_snapshot_reference);
    vmon_mib_view_free(view);
    return check_failures ? 1 : 0;
}
