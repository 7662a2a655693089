/* test-stats-parse.c: parsing of virConnectGetAllDomainStats records as the
 * QEMU driver sends them (the test driver sends only the state group). */
#include <config.h>

#include <stdlib.h>
#include <libvirt/libvirt.h>

#include "check.h"
#include "vmon-internal.h"

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
    CHECK_U64(dom.n_ifaces, 3);       /* net.2 implies rows 0 and 1 */
    CHECK_U64(dom.ifaces[2].rx_pkts, 7);
    CHECK_U64(dom.ifaces[2].number, 2);
    CHECK_STR(dom.ifaces[0].name, "");
    vmon_domain_clear(&dom);
    virTypedParamsFree(p, n);
}

int main(void)
{
    if (!(conn = virConnectOpenReadOnly("test:///default")))
        return 99;
    RUN(test_qemu_like_record_fills_every_group);
    RUN(test_unexpected_values_are_skipped);
    virConnectClose(conn);
    return check_failures ? 1 : 0;
}
