#!/bin/bash
# trap-latency.sh: how long a libvirt lifecycle event takes to become a line
# in snmptrapd's log, through virtmon-agent, snmpd and UDP: median and p99 at
# a steady 1 event/s, then for a storm of events sent at once.
#
# Usage: bench/trap-latency.sh [--slow N] [--storm N] [--build DIR]
# --slow N: events at 1/s (default 120); --storm N: events at once (default
# 1000); --build DIR: where virtmon was built (default: the source tree).
# Needs root: a private libvirtd (test driver) in a mount namespace of its
# own, and snmpd/snmptrapd on 127.0.0.1; everything is killed on exit.
# Run it on a quiet machine: the load average is printed before and after.
set -u

BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$BENCH_SRC")
BUILD=$TOP
SLOW=120
STORM=1000

while [ $# -gt 0 ]; do
    case $1 in
    --slow) SLOW=$2; shift ;;
    --storm) STORM=$2; shift ;;
    --build) BUILD=$(cd "$2" && pwd); shift ;;
    -h | --help) sed -n '6,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "trap-latency.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done

# shellcheck source-path=SCRIPTDIR
. "$TOP/tests/integration/libvirtd.sh"
libvirtd_enter_namespace --slow "$SLOW" --storm "$STORM" --build "$BUILD"

. "$BENCH_SRC/latency.sh"

URI=test+unix:///default
DOMAIN=test
SNMP_AGENT_INTERVAL=15 # polls stay out of the way of the events

lifecycles() {
    grep -c -F "OID: $(snmp_oid vmonDomainLifecycle)"$'\t' "$SNMP_TRAP_LOG"
}

# UDP datagrams the kernel dropped for want of receive buffer, host-wide.
udp_drops() {
    awk '/^Udp:/ && ++n == 2 { print $6 }' /proc/net/snmp
}

# run_phase NAME COUNT PER_SECOND: drive the events, wait for their
# notifications, and print the latency figures.
run_phase() {
    local name=$1 count=$2 rate=$3 before drops
    before=$(lifecycles)
    drops=$(udp_drops)
    "$TEST_TMPDIR/drive" "$URI" "$DOMAIN" "$count" "$rate" \
        >"$TEST_TMPDIR/$name.events" || test_fail "driving $name events failed"
    test_wait_until $((60 + count / 10)) "$count notifications ($name)" \
        bench_all_arrived $((before + count))
    echo "$name: UDP receive-buffer drops, host-wide: $(($(udp_drops) - drops))"
    python3 "$BENCH_SRC/trap-latency-report.py" "$name" "$rate" \
        "$TEST_TMPDIR/$name.events" "$SNMP_TRAP_LOG" "$before" \
        "$(snmp_oid vmonDomainLifecycle)" "$(snmp_oid vmonEventDomainDetail).0"
}

bench_all_arrived() {
    [ "$(lifecycles)" -ge "$1" ]
}

snmp_init
cc -O2 -o "$TEST_TMPDIR/drive" "$BENCH_SRC/trap-latency-drive.c" \
    $(pkg-config --cflags --libs libvirt) || test_fail "cannot build the driver"
test_at_exit libvirtd_cleanup
libvirtd_start || test_fail "libvirtd did not start"
bench_start_trapd
snmp_start_snmpd
printf 'eventQueueLength %d\n' $((STORM * 2)) >"$TEST_TMPDIR/agent.conf"
snmp_start_agent -c "$TEST_TMPDIR/agent.conf" -u "$URI"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run_phase steady "$SLOW" 1
run_phase storm "$STORM" 0
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
