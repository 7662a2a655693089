/* fuzz-mib-lookup.c: libFuzzer target for the SNMP instance lookup: Get and
 * GetNext (exclusive and inclusive) of arbitrary OIDs against a rendered
 * view, each answer checked against the view's sorted list of instances. */
#include "../../agent/mib-view.c"

#include <stdio.h>

#include <libvirt/libvirt.h>

#include "fuzz-input.h"
#include "vmon-core.h"
#include "vmon-oids.h"

#define N_DOMAINS 3
#define MAX_REQUESTS 32

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The views requests go to, and every instance's full OID in order. */
typedef struct {
    vmon_mib_view *view;
    size_t n;
    oid (*names)[MAX_OID_LEN];
    size_t *lens;
} reference;

static reference refs[2]; /* [0]: a busy host; [1]: one never reached */

static const vmon_mib_agent_info agent = {
    .version = "0.0.0", .interval_s = 15, .stats_groups = VMON_GROUP_ALL};

static void fill_domain(vmon_domain *dom, unsigned int n)
{
    size_t i;

    memset(dom->uuid, 0x10 * (n + 1), VMON_UUID_LEN);
    snprintf(dom->uuid_str, sizeof(dom->uuid_str), "uuid-%u", n);
    dom->name = strdup(n == 1 ? "a name with \xc3\xa9 and more" : "guest");
    dom->id = n == 2 ? -1 : (int)n + 1;
    dom->has = ~0u;
    dom->state = (int)n + 1;
    dom->reason = (int)n;
    dom->vcpu_current = dom->vcpu_max = 2;
    dom->cpu_time_ns = 1ULL << 40;
    dom->n_vcpus = 2;
    dom->vcpus = calloc(2, sizeof(*dom->vcpus));
    dom->n_disks = n + 1;
    dom->disks = calloc(n + 1, sizeof(*dom->disks));
    for (i = 0; i < dom->n_disks; i++) {
        dom->disks[i].number = (unsigned int)i;
        dom->disks[i].name = strdup("vda");
        dom->disks[i].path = i ? strdup("/img/disk") : NULL;
    }
    dom->n_ifaces = n;
    dom->ifaces = n ? calloc(n, sizeof(*dom->ifaces)) : NULL;
    for (i = 0; i < dom->n_ifaces; i++) {
        dom->ifaces[i].number = (unsigned int)i;
        dom->ifaces[i].name = strdup("vnet0");
    }
    for (i = 0; i < dom->n_vcpus; i++)
        dom->vcpus[i].number = (unsigned int)i;
}

static vmon_host_data *busy_host(void)
{
    vmon_host_data *host = vmon_host_data_new();
    unsigned int i;

    host->uri = strdup("test:///default");
    host->hostname = strdup("host");
    host->hv_type = strdup("TEST");
    host->has_node_info = true;
    strcpy(host->cpu_model, "x86_64");
    host->cpus = 4;
    host->has_free_memory = true;
    host->has_cells = true;
    host->n_cells = 2;
    host->cells = calloc(2, sizeof(*host->cells));
    host->cells[1].cell = 1;
    host->fresh_groups = VMON_GROUP_ALL;
    host->n_domains = N_DOMAINS;
    host->domains = calloc(N_DOMAINS, sizeof(*host->domains));
    for (i = 0; i < N_DOMAINS; i++)
        fill_domain(&host->domains[i], i);
    host->magic_status = VMON_MAGIC_OK;
    host->magic_len = 4;
    memcpy(host->magic, "\x00\xff\x01\x02", 4);
    return host;
}

static vmon_snapshot *make_snapshot(bool is_busy)
{
    vmon_snapshot *snap = calloc(1, sizeof(*snap));

    snap->refs = 1;
    snap->n_conns = is_busy ? 2 : 1;
    snap->conns = calloc(snap->n_conns, sizeof(*snap->conns));
    snap->conns[0] = vmon_conn_snap_new();
    snap->conns[0]->index = 1;
    snap->conns[0]->configured_uri = strdup("test:///default");
    if (is_busy) {
        snap->conns[0]->state = VMON_CONN_CONNECTED;
        snap->conns[0]->data = busy_host();
        snap->conns[1] = vmon_conn_snap_new();
        snap->conns[1]->index = 2;
        snap->conns[1]->configured_uri = strdup("test+unix:///gone");
        snap->conns[1]->is_stale = true;
        snap->conns[1]->data = busy_host();
    }
    snap->conns[0]->last_error = is_busy ? NULL : strdup("cannot connect");
    return snap;
}

static void make_reference(reference *ref, bool is_busy)
{
    vmon_snapshot *snap = make_snapshot(is_busy);
    size_t i;

    ref->view = vmon_mib_view_new(snap, &agent);
    vmon_snapshot_unref(snap);
    if (!ref->view)
        abort();
    ref->n = ref->view->n_cells;
    ref->names = calloc(ref->n, sizeof(*ref->names));
    ref->lens = calloc(ref->n, sizeof(*ref->lens));
    for (i = 0; i < ref->n; i++) {
        ref->lens[i] = vmon_mib_view_cell_oid(ref->view, &ref->view->cells[i],
                                              ref->names[i]);
        /* the lookup relies on a strictly increasing list */
        if (i > 0 && snmp_oid_compare(ref->names[i - 1], ref->lens[i - 1],
                                      ref->names[i], ref->lens[i]) >= 0)
            __builtin_trap();
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    make_reference(&refs[0], true);
    make_reference(&refs[1], false);
    return 0;
}

/* Sub-identifiers as requests carry them: small, at type limits, or any. */
static oid random_subid(fuzz_input *in)
{
    static const oid edges[] = {
        0, 1, 2, 3, 255, 256, 4095, 4096, 0x7fffffff, 0xffffffff, 0x100000000};

    switch (fuzz_pick(in, 4)) {
    case 0:
        return fuzz_byte(in) % 16;
    case 1:
        return edges[fuzz_pick(in, sizeof(edges) / sizeof(edges[0]))];
    case 2:
        return (oid)fuzz_bytes_le(in, 8);
    default:
        return fuzz_byte(in);
    }
}

/* An OID: a prefix of an existing instance (or of nothing), then random. */
static size_t random_oid(fuzz_input *in, const reference *ref, oid *name)
{
    size_t len = 0, keep, extra, i;

    if (ref->n > 0 && fuzz_pick(in, 4) != 0) {
        i = fuzz_pick(in, ref->n);
        keep = fuzz_pick(in, ref->lens[i] + 1);
        memcpy(name, ref->names[i], keep * sizeof(oid));
        len = keep;
    }
    extra = fuzz_pick(in, 8) == 0 ? fuzz_pick(in, MAX_OID_LEN - len + 1)
                                  : fuzz_pick(in, 4);
    if (len + extra > MAX_OID_LEN)
        extra = MAX_OID_LEN - len;
    for (i = 0; i < extra; i++)
        name[len++] = random_subid(in);
    return len;
}

/* The first instance after `name` (or at it), by a scan of the reference. */
static const oid *expected_next(const reference *ref, const oid *name,
                                size_t len, bool is_inclusive, size_t *out_len)
{
    size_t i;
    int cmp;

    for (i = 0; i < ref->n; i++) {
        cmp = snmp_oid_compare(ref->names[i], ref->lens[i], name, len);
        if (cmp > 0 || (cmp == 0 && is_inclusive)) {
            *out_len = ref->lens[i];
            return ref->names[i];
        }
    }
    return NULL;
}

static void check_request(const reference *ref, const oid *name, size_t len,
                          int op)
{
    const vmon_mib_cell *cell;
    const oid *want;
    oid got[MAX_OID_LEN];
    size_t got_len, want_len = 0;

    if (op == 0) {
        cell = vmon_mib_view_get(ref->view, name, len);
        want = expected_next(ref, name, len, true, &want_len);
        if (want && snmp_oid_compare(want, want_len, name, len) != 0)
            want = NULL;
    } else {
        cell = vmon_mib_view_next(ref->view, name, len, op == 2);
        want = expected_next(ref, name, len, op == 2, &want_len);
    }
    if (!cell != !want)
        __builtin_trap();
    if (!cell)
        return;
    got_len = vmon_mib_view_cell_oid(ref->view, cell, got);
    if (snmp_oid_compare(got, got_len, want, want_len) != 0)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size, 0};
    const reference *ref = &refs[fuzz_byte(&in) % 2];
    oid name[MAX_OID_LEN];
    size_t len, n;

    for (n = 0; n < MAX_REQUESTS && !fuzz_is_done(&in); n++) {
        int op = (int)fuzz_pick(&in, 3);

        len = random_oid(&in, ref, name);
        check_request(ref, name, len, op);
    }
    return 0;
}
