/* test-stats-parse.c: parsing of virConnectGetAllDomainStats records as the
 * QEMU driver sends them (the test driver sends only the state group), and
 * the carry-over of what a poll did not fetch, for every group. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <libvirt/libvirt.h>

#include "check.h"
#include "vmon-collect.h"
#include "vmon-stats.h"

static virConnectPtr conn;

/* A record for test:///default's domain "test" with the given params. */
static int parse(virTypedParameterPtr params, int n, vmon_domain *dom)
{
    struct _virDomainStatsRecord rec = {0};
    int ret;

    rec.dom = virDomainLookupByName(conn, "test");
    rec.params = params;
    rec.nparams = n;
    ret = vmon_domain_from_record(&rec, dom);
    virDomainFree(rec.dom);
    return ret;
}

static void test_qemu_like_record_fills_every_group(void)
{
    virTypedParameterPtr p = NULL;
    int n = 0, max = 0;
    vmon_domain dom;

    virTypedParamsAddInt(&p, &n, &max, "state.state", VIR_DOMAIN_PAUSED);
    virTypedParamsAddInt(&p, &n, &max, "state.reason", 2);
    virTypedParamsAddULLong(&p, &n, &max, "cpu.time", 123456789012ULL);
    virTypedParamsAddULLong(&p, &n, &max, "cpu.user", 1000);
    virTypedParamsAddULLong(&p, &n, &max, "cpu.system", 2000);
    virTypedParamsAddULLong(&p, &n, &max, "balloon.current", 65536);
    virTypedParamsAddULLong(&p, &n, &max, "balloon.maximum", 131072);
    virTypedParamsAddULLong(&p, &n, &max, "balloon.rss", 50000);
    virTypedParamsAddUInt(&p, &n, &max, "vcpu.current", 2);
    virTypedParamsAddUInt(&p, &n, &max, "vcpu.maximum", 4);
    virTypedParamsAddInt(&p, &n, &max, "vcpu.0.state", 1);
    virTypedParamsAddULLong(&p, &n, &max, "vcpu.0.time", 777);
    virTypedParamsAddInt(&p, &n, &max, "vcpu.1.state", 1);
    virTypedParamsAddULLong(&p, &n, &max, "vcpu.1.wait", 5);
    virTypedParamsAddUInt(&p, &n, &max, "net.count", 2);
    virTypedParamsAddString(&p, &n, &max, "net.0.name", "vnet0");
    virTypedParamsAddULLong(&p, &n, &max, "net.0.rx.bytes", 5000000000ULL);
    virTypedParamsAddULLong(&p, &n, &max, "net.0.tx.drop", 3);
    virTypedParamsAddString(&p, &n, &max, "net.1.name", "vnet 1");
    virTypedParamsAddUInt(&p, &n, &max, "block.count", 2);
    virTypedParamsAddString(&p, &n, &max, "block.0.name", "vda");
    virTypedParamsAddString(&p, &n, &max, "block.0.path", "/img/a.qcow2");
    virTypedParamsAddULLong(&p, &n, &max, "block.0.rd.bytes", 1ULL << 40);
    virTypedParamsAddULLong(&p, &n, &max, "block.0.capacity", 1ULL << 33);
    virTypedParamsAddString(&p, &n, &max, "block.1.name", "sda");
    virTypedParamsAddULLong(&p, &n, &max, "block.1.fl.reqs", 9);

    CHECK(parse(p, n, &dom) == 0);
    CHECK_STR(dom.name, "test");
    CHECK_U64(dom.id, 1);
    CHECK_U64(dom.state, VIR_DOMAIN_PAUSED);
    CHECK_U64(dom.reason, 2);
    CHECK_U64(dom.cpu_time_ns, 123456789012ULL);
    CHECK_U64(dom.cpu_system_ns, 2000);
    CHECK_U64(dom.mem_current_kib, 65536);
    CHECK_U64(dom.mem_max_kib, 131072);
    CHECK_U64(dom.balloon_rss_kib, 50000);
    CHECK(!(dom.has & VMON_DOM_HAS_BALLOON_USABLE));
    CHECK_U64(dom.vcpu_current, 2);
    CHECK_U64(dom.vcpu_max, 4);
    CHECK_U64(dom.n_vcpus, 2);
    CHECK_U64(dom.vcpus[0].time_ns, 777);
    CHECK(!(dom.vcpus[1].has & VMON_VCPU_HAS_TIME));
    CHECK_U64(dom.vcpus[1].wait_ns, 5);
    CHECK_U64(dom.n_ifaces, 2);
    CHECK_STR(dom.ifaces[1].name, "vnet 1");
    CHECK_U64(dom.ifaces[0].rx_bytes, 5000000000ULL);
    CHECK_U64(dom.ifaces[0].tx_drop, 3);
    CHECK(!(dom.ifaces[1].has & VMON_IF_HAS_RX_BYTES));
    CHECK_U64(dom.n_disks, 2);
    CHECK_STR(dom.disks[0].path, "/img/a.qcow2");
    CHECK_U64(dom.disks[0].rd_bytes, 1ULL << 40);
    CHECK_U64(dom.disks[0].capacity, 1ULL << 33);
    CHECK_STR(dom.disks[1].name, "sda");
    CHECK(dom.disks[1].path == NULL);
    CHECK_U64(dom.disks[1].fl_reqs, 9);
    vmon_domain_clear(&dom);
    virTypedParamsFree(p, n);
}

/* Values a driver should never send cost the value, never the domain. */
static void test_unexpected_values_are_skipped(void)
{
    virTypedParameterPtr p = NULL;
    int n = 0, max = 0;
    vmon_domain dom;

    virTypedParamsAddString(&p, &n, &max, "cpu.time", "lots");
    virTypedParamsAddLLong(&p, &n, &max, "balloon.current", -5);
    virTypedParamsAddULLong(&p, &n, &max, "block.99999999.rd.reqs", 1);
    virTypedParamsAddULLong(&p, &n, &max, "block.x.rd.reqs", 1);
    virTypedParamsAddULLong(&p, &n, &max, "net.2.rx.pkts", 7);
    virTypedParamsAddULLong(&p, &n, &max, "no.such.stat", 7);
    virTypedParamsAddInt(&p, &n, &max, "block.0.name", 5);

    CHECK(parse(p, n, &dom) == 0);
    CHECK(!(dom.has & VMON_DOM_HAS_CPU_TIME));
    CHECK(!(dom.has & VMON_DOM_HAS_MEM_CURRENT));
    CHECK_U64(dom.n_disks, 1);        /* only the well-formed block.0 */
    CHECK_STR(dom.disks[0].name, ""); /* its name was not a string */
    CHECK_U64(dom.n_ifaces, 1);       /* net.2 alone: no rows 0 and 1 */
    CHECK_U64(dom.ifaces[0].rx_pkts, 7);
    CHECK_U64(dom.ifaces[0].number, 2);
    CHECK_STR(dom.ifaces[0].name, "");
    vmon_domain_clear(&dom);
    virTypedParamsFree(p, n);
}

/* A user-mode NIC (no host device) before a tap NIC, and vCPUs 1 and 3 of
 * 4 offline: libvirt reports net.count 2 but only net.1, and vcpu.0 and
 * vcpu.2. Rows are exactly those, numbered as libvirt numbers them. */
static void test_rows_follow_libvirt_numbering(void)
{
    virTypedParameterPtr p = NULL;
    int n = 0, max = 0;
    vmon_domain dom;

    virTypedParamsAddUInt(&p, &n, &max, "vcpu.current", 2);
    virTypedParamsAddUInt(&p, &n, &max, "vcpu.maximum", 4);
    virTypedParamsAddInt(&p, &n, &max, "vcpu.0.state", 1);
    virTypedParamsAddULLong(&p, &n, &max, "vcpu.0.time", 11);
    virTypedParamsAddInt(&p, &n, &max, "vcpu.2.state", 1);
    virTypedParamsAddULLong(&p, &n, &max, "vcpu.2.time", 13);
    virTypedParamsAddUInt(&p, &n, &max, "net.count", 2);
    virTypedParamsAddString(&p, &n, &max, "net.1.name", "tap7");
    virTypedParamsAddULLong(&p, &n, &max, "net.1.rx.bytes", 4242);
    virTypedParamsAddUInt(&p, &n, &max, "block.count", 3);
    virTypedParamsAddString(&p, &n, &max, "block.2.name", "vdc");
    virTypedParamsAddString(&p, &n, &max, "block.0.name", "vda");

    CHECK(parse(p, n, &dom) == 0);
    CHECK_U64(dom.n_vcpus, 2);
    CHECK_U64(dom.vcpus[0].number, 0);
    CHECK_U64(dom.vcpus[1].number, 2);
    CHECK_U64(dom.vcpus[1].time_ns, 13);
    CHECK_U64(dom.n_ifaces, 1);
    CHECK_U64(dom.ifaces[0].number, 1);
    CHECK_STR(dom.ifaces[0].name, "tap7");
    CHECK_U64(dom.ifaces[0].rx_bytes, 4242);
    CHECK(dom.has & VMON_DOM_HAS_IFACE_COUNT);
    CHECK_U64(dom.iface_count, 2);
    /* out of order in the record, in order in the rows */
    CHECK_U64(dom.n_disks, 2);
    CHECK_STR(dom.disks[0].name, "vda");
    CHECK_STR(dom.disks[1].name, "vdc");
    CHECK_U64(dom.disks[1].number, 2);
    CHECK_U64(dom.disk_count, 3);
    vmon_domain_clear(&dom);
    virTypedParamsFree(p, n);
}

/* One domain as a running QEMU domain with id 7 reports it, every value of
 * every group distinct; `bump` is added to each counter. */
static void full_record(virTypedParameterPtr *p, int *n, int *max,
                        uint64_t bump)
{
    virTypedParamsAddInt(p, n, max, "state.state", VIR_DOMAIN_RUNNING);
    virTypedParamsAddInt(p, n, max, "state.reason", 1);
    virTypedParamsAddULLong(p, n, max, "cpu.time", 1001 + bump);
    virTypedParamsAddULLong(p, n, max, "balloon.current", 1002 + bump);
    virTypedParamsAddULLong(p, n, max, "balloon.rss", 1003 + bump);
    virTypedParamsAddUInt(p, n, max, "vcpu.current", 1);
    virTypedParamsAddULLong(p, n, max, "vcpu.0.time", 1004 + bump);
    virTypedParamsAddUInt(p, n, max, "net.count", 1);
    virTypedParamsAddString(p, n, max, "net.0.name", "vnet3");
    virTypedParamsAddULLong(p, n, max, "net.0.rx.bytes", 1005 + bump);
    virTypedParamsAddUInt(p, n, max, "block.count", 1);
    virTypedParamsAddString(p, n, max, "block.0.name", "vda");
    virTypedParamsAddULLong(p, n, max, "block.0.rd.reqs", 1006 + bump);
}

static void parse_hand_made(virTypedParameterPtr p, int n, int id,
                            vmon_domain *dom)
{
    memset(dom, 0, sizeof(*dom));
    dom->id = id;
    dom->name = strdup("hand-made");
    CHECK(vmon_stats_parse(dom, p, n) == 0);
}

/* The value of `group` in `dom`, one field per group. */
static uint64_t group_value(const vmon_domain *dom, unsigned int group)
{
    switch (group) {
    case VMON_GROUP_CPU:
        return dom->cpu_time_ns;
    case VMON_GROUP_BALLOON:
        return dom->balloon_rss_kib;
    case VMON_GROUP_VCPU:
        return dom->n_vcpus ? dom->vcpus[0].time_ns : 0;
    case VMON_GROUP_INTERFACE:
        return dom->n_ifaces ? dom->ifaces[0].rx_bytes : 0;
    default:
        return dom->n_disks ? dom->disks[0].rd_reqs : 0;
    }
}

static unsigned int group_number(unsigned int group)
{
    unsigned int i = 0;

    while (group > 1) {
        group >>= 1;
        i++;
    }
    return i;
}

static bool is_of_group(const char *field, unsigned int group)
{
    static const char *const prefixes[] = {"state.", "cpu.", "balloon.",
                                           "vcpu.",  "net.", "block."};

    return strncmp(field, prefixes[group_number(group)],
                   strlen(prefixes[group_number(group)])) == 0;
}

static void parse_without_group(virTypedParameterPtr p, int n,
                                unsigned int group, vmon_domain *dom)
{
    int k;

    parse_hand_made(NULL, 0, 7, dom);
    for (k = 0; k < n; k++)
        if (!is_of_group(p[k].field, group))
            CHECK(vmon_stats_parse(dom, &p[k], 1) == 0);
}

/* statsEvery: a group not due this poll keeps the values and the time of
 * the poll that fetched it, for each group; the others are this poll's. */
static void test_every_group_not_due_is_carried_with_its_time(void)
{
    static const unsigned int groups[] = {VMON_GROUP_CPU, VMON_GROUP_BALLOON,
                                          VMON_GROUP_VCPU, VMON_GROUP_INTERFACE,
                                          VMON_GROUP_BLOCK};
    size_t i;

    for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        unsigned int g = groups[i], gi = group_number(g);
        virTypedParameterPtr p = NULL, q = NULL;
        int n = 0, max = 0, m = 0, qmax = 0;
        vmon_stats_poll first = {VMON_GROUP_ALL, VMON_GROUP_ALL, 100, false};
        vmon_stats_poll second = {VMON_GROUP_ALL, VMON_GROUP_ALL & ~g, 115,
                                  false};
        vmon_domain old, dom;

        full_record(&p, &n, &max, 0);
        full_record(&q, &m, &qmax, 500);
        parse_hand_made(p, n, 7, &old);
        CHECK(vmon_stats_carry(&old, NULL, &first) == 0);
        /* a record without the group, as libvirt sends it when not asked */
        parse_without_group(q, m, g, &dom);
        CHECK(vmon_stats_carry(&dom, &old, &second) == 0);
        CHECK_U64(group_value(&dom, g), group_value(&old, g));
        CHECK_U64(dom.group_time[gi], 100);
        CHECK_U64(dom.group_time[0], 115);
        CHECK(!dom.is_stale);
        /* the groups that were due are this poll's */
        CHECK_U64(group_value(&dom, g == VMON_GROUP_CPU ? VMON_GROUP_BLOCK
                                                        : VMON_GROUP_CPU),
                  g == VMON_GROUP_CPU ? 1506 : 1501);
        vmon_domain_clear(&old);
        vmon_domain_clear(&dom);
        virTypedParamsFree(p, n);
        virTypedParamsFree(q, m);
    }
}

/* Another client held the job (NOWAIT) or the guest is stuck: the record
 * lacks the job-bound values (balloon.rss, block rd.reqs) of a group that
 * was due. They are carried with their time; two misses in a row, or one
 * while a call is overdue, make the domain stale; a new run carries
 * nothing. */
static void test_missing_values_are_carried_and_flagged(void)
{
    virTypedParameterPtr p = NULL, q = NULL;
    int n = 0, max = 0, m = 0, qmax = 0;
    vmon_stats_poll poll = {VMON_GROUP_ALL, VMON_GROUP_ALL, 100, false};
    vmon_domain old, dom, dom2, restarted;

    full_record(&p, &n, &max, 0);
    parse_hand_made(p, n, 7, &old);
    CHECK(vmon_stats_carry(&old, NULL, &poll) == 0);
    virTypedParamsAddInt(&q, &m, &qmax, "state.state", VIR_DOMAIN_RUNNING);
    virTypedParamsAddULLong(&q, &m, &qmax, "cpu.time", 2001);
    virTypedParamsAddULLong(&q, &m, &qmax, "balloon.current", 2002);
    virTypedParamsAddUInt(&q, &m, &qmax, "vcpu.current", 1);
    virTypedParamsAddULLong(&q, &m, &qmax, "vcpu.0.time", 2004);
    virTypedParamsAddUInt(&q, &m, &qmax, "net.count", 1);
    virTypedParamsAddString(&q, &m, &qmax, "net.0.name", "vnet3");
    virTypedParamsAddULLong(&q, &m, &qmax, "net.0.rx.bytes", 2005);
    virTypedParamsAddUInt(&q, &m, &qmax, "block.count", 1);
    virTypedParamsAddString(&q, &m, &qmax, "block.0.name", "vda");

    poll.polled = 101;
    parse_hand_made(q, m, 7, &dom);
    /* what makes the poll ask libvirt once more for this domain */
    CHECK(vmon_stats_lacks(&dom, &old, VMON_GROUP_ALL));
    CHECK(!vmon_stats_lacks(&dom, &old, VMON_GROUP_CPU | VMON_GROUP_VCPU));
    CHECK(!vmon_stats_lacks(&old, &old, VMON_GROUP_ALL));
    CHECK(vmon_stats_carry(&dom, &old, &poll) == 0);
    CHECK_U64(dom.balloon_rss_kib, 1003);
    CHECK_U64(dom.mem_current_kib, 2002);
    CHECK_U64(dom.disks[0].rd_reqs, 1006);
    CHECK_U64(dom.group_time[group_number(VMON_GROUP_BALLOON)], 100);
    CHECK_U64(dom.group_time[group_number(VMON_GROUP_BLOCK)], 100);
    CHECK_U64(dom.group_time[group_number(VMON_GROUP_CPU)], 101);
    CHECK(!dom.is_stale); /* one miss: another client, most likely */

    poll.polled = 102;
    parse_hand_made(q, m, 7, &dom2);
    CHECK(vmon_stats_carry(&dom2, &dom, &poll) == 0);
    CHECK_U64(dom2.balloon_rss_kib, 1003);
    CHECK_U64(dom2.group_misses[group_number(VMON_GROUP_BALLOON)], 2);
    CHECK(dom2.is_stale);

    /* one miss while one of our calls is overdue: the stuck guest */
    vmon_domain_clear(&dom2);
    poll.has_overdue = true;
    parse_hand_made(q, m, 7, &dom2);
    CHECK(vmon_stats_carry(&dom2, &old, &poll) == 0);
    CHECK(dom2.is_stale);

    /* a restart (new id) starts without the old run's values */
    poll.has_overdue = false;
    parse_hand_made(q, m, 8, &restarted);
    CHECK(vmon_stats_carry(&restarted, &dom, &poll) == 0);
    CHECK(!(restarted.has & VMON_DOM_HAS_BALLOON_RSS));
    CHECK(!(restarted.disks[0].has & VMON_DISK_HAS_RD_REQS));
    CHECK_U64(restarted.group_time[group_number(VMON_GROUP_BALLOON)], 102);
    CHECK(!restarted.is_stale);
    vmon_domain_clear(&old);
    vmon_domain_clear(&dom);
    vmon_domain_clear(&dom2);
    vmon_domain_clear(&restarted);
    virTypedParamsFree(p, n);
    virTypedParamsFree(q, m);
}

/* A driver that sends a group it was not asked for, with a field of the
 * wrong type: the values of the last fetch replace them, nothing leaks
 * (valgrind checks) and nothing is trusted. */
static void test_unrequested_group_in_record_is_replaced(void)
{
    virTypedParameterPtr p = NULL, q = NULL;
    int n = 0, max = 0, m = 0, qmax = 0;
    vmon_stats_poll poll = {VMON_GROUP_ALL, VMON_GROUP_ALL, 100, false};
    vmon_domain old, dom;

    full_record(&p, &n, &max, 0);
    parse_hand_made(p, n, 7, &old);
    CHECK(vmon_stats_carry(&old, NULL, &poll) == 0);
    virTypedParamsAddULLong(&q, &m, &qmax, "block.0.name", 5);
    virTypedParamsAddDouble(&q, &m, &qmax, "block.0.name", 2.5);
    virTypedParamsAddString(&q, &m, &qmax, "block.1.name", "sdz");
    virTypedParamsAddString(&q, &m, &qmax, "net.0.name", "vnet9");
    parse_hand_made(q, m, 7, &dom);
    poll.requested =
        VMON_GROUP_ALL & ~(VMON_GROUP_BLOCK | VMON_GROUP_INTERFACE);
    CHECK(vmon_stats_carry(&dom, &old, &poll) == 0);
    CHECK_U64(dom.n_disks, 1);
    CHECK_STR(dom.disks[0].name, "vda");
    CHECK_U64(dom.disks[0].rd_reqs, 1006);
    CHECK_U64(dom.n_ifaces, 1);
    CHECK_STR(dom.ifaces[0].name, "vnet3");
    vmon_domain_clear(&old);
    vmon_domain_clear(&dom);
    virTypedParamsFree(p, n);
    virTypedParamsFree(q, m);
}

int main(void)
{
    if (!(conn = virConnectOpenReadOnly("test:///default")))
        return 99;
    RUN(test_qemu_like_record_fills_every_group);
    RUN(test_unexpected_values_are_skipped);
    RUN(test_rows_follow_libvirt_numbering);
    RUN(test_every_group_not_due_is_carried_with_its_time);
    RUN(test_missing_values_are_carried_and_flagged);
    RUN(test_unrequested_group_in_record_is_replaced);
    virConnectClose(conn);
    return check_failures ? 1 : 0;
}
