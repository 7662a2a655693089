#!/bin/bash
# event-to-table.sh: how long after a lifecycle event vmonDomainState shows
# the domain's new state. Another client (virsh) suspends and resumes a
# domain of libvirt's test driver at 1 event/s; after each command a GET
# loop asks virtmon-agent, through snmpd, for vmonDomainState until it
# shows the new state. Prints median and p99 from the virsh command's
# return and from the vmonDomainLifecycle notification's arrival at
# snmptrapd. The agent polls every 600 s: only the events move the table.
#
# Usage: bench/event-to-table.sh [--events N] [--build DIR]
# --events N: events at 1/s (default 120); --build DIR: where virtmon was
# built (default: the source tree). Needs root: a private libvirtd (test
# driver) in a mount namespace of its own, and snmpd/snmptrapd on
# 127.0.0.1; everything is killed on exit. Run it on a quiet machine: the
# load average is printed before and after.
set -u

BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$BENCH_SRC")
BUILD=$TOP
EVENTS=120

while [ $# -gt 0 ]; do
    case $1 in
    --events) EVENTS=$2; shift ;;
    --build) BUILD=$(cd "$2" && pwd); shift ;;
    -h | --help) sed -n '10,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "event-to-table.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done

# shellcheck source-path=SCRIPTDIR
. "$TOP/tests/integration/libvirtd.sh"
libvirtd_enter_namespace --events "$EVENTS" --build "$BUILD"

. "$BENCH_SRC/latency.sh"

URI=test+unix:///default
DOMAIN=test
SNMP_AGENT_INTERVAL=600

snmp_init
test_at_exit libvirtd_cleanup
libvirtd_start || test_fail "libvirtd did not start"
bench_start_trapd
snmp_start_snmpd
snmp_start_agent -u "$URI"
uuid=$(libvirtd_virsh -r -c "$URI" domuuid "$DOMAIN") || test_fail "no domain '$DOMAIN'"
state_oid="$(snmp_oid vmonDomainState).1.$(snmp_uuid_index "$uuid")"
polled_at=$(snmp_cmd snmpget -On -Oqv -- "$(snmp_oid vmonConnLastSuccessTime).1")
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
PATH=$(dirname "$LIBVIRTD_VIRSH_BIN"):$PATH \
    python3 "$BENCH_SRC/event-to-table.py" "$SNMP_PORT" "$state_oid" "$URI" \
    "$DOMAIN" "$EVENTS" "$SNMP_TRAP_LOG" "$(snmp_oid vmonDomainLifecycle)" ||
    test_fail "the measurement failed"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$(snmp_cmd snmpget -On -Oqv -- "$(snmp_oid vmonConnLastSuccessTime).1")" = "$polled_at" ] ||
    echo "note: the agent polled during the run"
