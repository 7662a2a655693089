/* fuzz-stats-records.c: libFuzzer target for the translation of libvirt's
 * bulk stats records into snapshot rows: two records of one domain (two
 * polls) as random typed-parameter lists of every type, with known and
 * unknown keys, groups that were not asked for and malformed indexes; the
 * second poll carries over from the first what it did not fetch. */
/* the translation itself, compiled here so that the fuzzer sees it */
#include "../../lib/stats.c"

#include <stdio.h>
#include <libvirt/virterror.h>

#include "fuzz-input.h"

#define MAX_PARAMS 48
#define MAX_ITEMS VMON_MAX_ITEMS

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static virConnectPtr conn;
static virDomainPtr domain;

static void ignore_error(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    virSetErrorFunc(NULL, ignore_error);
    conn = virConnectOpenReadOnly("test:///default");
    domain = conn ? virDomainLookupByName(conn, "test") : NULL;
    if (!domain) {
        fprintf(stderr, "fuzz-stats-records: no test:///default domain\n");
        return -1;
    }
    return 0;
}

/* ---- the one place that names the core's translation ---------------- */

/* One running domain's row from a record, as lib/domains.c makes it. */
static int row_from_record(virDomainStatsRecordPtr rec, vmon_domain *dom)
{
    memset(dom, 0, sizeof(*dom));
    dom->id = 7;
    if (!(dom->name = strdup("fuzzed")))
        return -1;
    return vmon_stats_parse(dom, rec->params, rec->nparams);
}

/* Two polls of one domain: `first` is translated, then `second`, which did
 * not ask for the groups in `skipped` and takes over from the first what it
 * lacks (with `is_stuck`: as if one of virtmon's calls were overdue).
 * Returns the second poll's row in `dom` (to be cleared by the caller) or
 * -1. When the translation moves, only this function changes. */
static int translate_polls(virDomainStatsRecordPtr first,
                           virDomainStatsRecordPtr second, unsigned int skipped,
                           bool is_stuck, vmon_domain *dom)
{
    vmon_stats_poll poll1 = {VMON_GROUP_ALL, VMON_GROUP_ALL, 100, false};
    vmon_stats_poll poll2 = {VMON_GROUP_ALL, VMON_GROUP_ALL & ~skipped, 115,
                             is_stuck};
    vmon_domain old;
    int ret = -1;

    if (row_from_record(first, &old) < 0 ||
        vmon_stats_carry(&old, NULL, &poll1) < 0) {
        vmon_domain_clear(&old);
        memset(dom, 0, sizeof(*dom));
        return -1;
    }
    if (row_from_record(second, dom) == 0) {
        (void)vmon_stats_lacks(dom, &old, poll2.requested);
        ret = vmon_stats_carry(dom, &old, &poll2);
    }
    vmon_domain_clear(&old);
    return ret;
}

/* ---- building random records ------------------------------------------ */

static const char *const scalar_keys[] = {
    "state.state",
    "state.reason",
    "cpu.time",
    "cpu.user",
    "cpu.system",
    "cpu.cache.monitor.count",
    "balloon.current",
    "balloon.maximum",
    "balloon.rss",
    "balloon.available",
    "balloon.usable",
    "balloon.unused",
    "balloon.swap_in",
    "balloon.swap_out",
    "balloon.major_fault",
    "balloon.minor_fault",
    "balloon.disk_caches",
    "balloon.last-update",
    "vcpu.current",
    "vcpu.maximum",
    "net.count",
    "block.count",
    "perf.cmt",
    "dirtyrate.calc_status",
};

static const char *const indexed_groups[] = {"block.", "net.", "vcpu."};

static const char *const leaf_keys[] = {
    "name",     "path",    "backingIndex", "rd.reqs",  "rd.bytes",
    "rd.times", "wr.reqs", "wr.bytes",     "wr.times", "fl.reqs",
    "fl.times", "errors",  "allocation",   "capacity", "physical",
    "rx.bytes", "rx.pkts", "rx.errs",      "rx.drop",  "tx.bytes",
    "tx.pkts",  "tx.errs", "tx.drop",      "state",    "time",
    "wait",     "delay",   "halted",       "",         "name.x",
};

/* Indexes as a driver might get them wrong. */
static const char *const odd_indexes[] = {
    "0",  "1", "2", "4095", "4096", "99999999", "18446744073709551616",
    "-1", "x", "",  "007",  "1e3",  " 1",       "0x10",
};

static void random_key(fuzz_input *in, char *key, size_t size)
{
    char raw[VIR_TYPED_PARAM_FIELD_LENGTH];

    switch (fuzz_pick(in, 4)) {
    case 0:
        snprintf(key, size, "%s",
                 scalar_keys[fuzz_pick(in, sizeof(scalar_keys) /
                                               sizeof(scalar_keys[0]))]);
        break;
    case 1:
        snprintf(
            key, size, "%s%u.%s", indexed_groups[fuzz_pick(in, 3)],
            (unsigned int)fuzz_pick(in, 8),
            leaf_keys[fuzz_pick(in, sizeof(leaf_keys) / sizeof(leaf_keys[0]))]);
        break;
    case 2:
        snprintf(
            key, size, "%s%s.%s", indexed_groups[fuzz_pick(in, 3)],
            odd_indexes[fuzz_pick(in, sizeof(odd_indexes) /
                                          sizeof(odd_indexes[0]))],
            leaf_keys[fuzz_pick(in, sizeof(leaf_keys) / sizeof(leaf_keys[0]))]);
        break;
    default:
        fuzz_string(in, raw, sizeof(raw) - 1);
        snprintf(key, size, "%s", raw);
        break;
    }
}

/* One parameter of any type, including types no driver sends. */
static void random_param(fuzz_input *in, virTypedParameterPtr p)
{
    char text[64];
    uint64_t bits;

    random_key(in, p->field, sizeof(p->field));
    p->type = (int)fuzz_pick(in, VIR_TYPED_PARAM_STRING + 2);
    bits = fuzz_bytes_le(in, (unsigned int)fuzz_pick(in, 9));
    switch (p->type) {
    case VIR_TYPED_PARAM_INT:
        p->value.i = (int)bits;
        break;
    case VIR_TYPED_PARAM_UINT:
        p->value.ui = (unsigned int)bits;
        break;
    case VIR_TYPED_PARAM_LLONG:
        p->value.l = (long long)bits;
        break;
    case VIR_TYPED_PARAM_ULLONG:
        p->value.ul = bits;
        break;
    case VIR_TYPED_PARAM_DOUBLE:
        memcpy(&p->value.d, &bits, sizeof(p->value.d));
        break;
    case VIR_TYPED_PARAM_BOOLEAN:
        p->value.b = (char)bits;
        break;
    case VIR_TYPED_PARAM_STRING:
        fuzz_string(in, text, sizeof(text) - 1);
        p->value.s = strdup(text);
        break;
    default: /* 0 or past the last type: the union is left as bits */
        p->value.ul = bits;
        break;
    }
}

static void random_record(fuzz_input *in, virDomainStatsRecordPtr rec,
                          virTypedParameterPtr params)
{
    int i;

    rec->dom = domain;
    rec->params = params;
    rec->nparams = (int)fuzz_pick(in, MAX_PARAMS + 1);
    for (i = 0; i < rec->nparams; i++)
        random_param(in, &params[i]);
}

static void free_strings(virDomainStatsRecordPtr rec)
{
    int i;

    for (i = 0; i < rec->nparams; i++)
        if (rec->params[i].type == VIR_TYPED_PARAM_STRING)
            free(rec->params[i].value.s);
}

/* Rows are libvirt's numbers, strictly increasing and bounded. */
static bool numbers_are_sorted(const void *items, size_t n, size_t size)
{
    unsigned int number, last = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        memcpy(&number, (const char *)items + i * size, sizeof(number));
        if (number >= MAX_ITEMS || (i > 0 && number <= last))
            return false;
        last = number;
    }
    return true;
}

/* What every translated row must hold, whatever the driver sent. */
static void check_row(const vmon_domain *dom)
{
    size_t i;

    if (!dom->name ||
        !numbers_are_sorted(dom->disks, dom->n_disks, sizeof(*dom->disks)) ||
        !numbers_are_sorted(dom->ifaces, dom->n_ifaces, sizeof(*dom->ifaces)) ||
        !numbers_are_sorted(dom->vcpus, dom->n_vcpus, sizeof(*dom->vcpus)))
        __builtin_trap();
    for (i = 0; i < dom->n_disks; i++)
        if (!dom->disks[i].name)
            __builtin_trap();
    for (i = 0; i < dom->n_ifaces; i++)
        if (!dom->ifaces[i].name)
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size, 0};
    virTypedParameter first_params[MAX_PARAMS], second_params[MAX_PARAMS];
    struct _virDomainStatsRecord first, second;
    unsigned int flags = fuzz_byte(&in);
    unsigned int skipped = flags & VMON_GROUP_ALL;
    vmon_domain dom;

    memset(first_params, 0, sizeof(first_params));
    memset(second_params, 0, sizeof(second_params));
    random_record(&in, &first, first_params);
    random_record(&in, &second, second_params);
    if (translate_polls(&first, &second, skipped, flags & 0x80, &dom) == 0)
        check_row(&dom);
    vmon_domain_clear(&dom);
    free_strings(&first);
    free_strings(&second);
    return 0;
}
