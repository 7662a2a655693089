# latency.sh: what the latency benchmarks share (sourced inside libvirtd's
# namespace, with TOP, BENCH_SRC and BUILD set): the environment of
# tests/integration/snmp.sh for the agent built in BUILD, and snmptrapd
# writing one line per notification to SNMP_TRAP_LOG, each prefixed with
# the time it was read, in ns since the epoch.

export VIRTMON_AGENT=$BUILD/agent/virtmon-agent
export VIRTMON_MIBDIR=$TOP/mibs
export VIRTMON_IETF_MIBDIR=${VIRTMON_IETF_MIBDIR:-$BUILD/tests/ietf-mibs}
"$TOP/tests/fetch-ietf-mibs.sh" "$VIRTMON_IETF_MIBDIR" ||
    { echo "$(basename "$0"): no IETF base MIBs" >&2; exit 1; }
# shellcheck source-path=SCRIPTDIR/../tests/integration
. "$TOP/tests/integration/snmp.sh"

# Every line snmptrapd prints, prefixed with the time it was read (ns).
STAMPER='
import sys, time
with open(sys.argv[1]) as fifo, open(sys.argv[2], "a") as out:
    for line in fifo:
        out.write("%d %s" % (time.time_ns(), line))
        out.flush()
'

# snmptrapd printing to a pipe whose reader stamps each line as it comes,
# with a receive buffer that holds a storm: UDP drops what does not fit
# (the kernel caps it at net.core.rmem_max; see UdpRcvbufErrors in nstat).
bench_start_trapd() {
    local base port fifo="$TEST_TMPDIR/trapd.fifo"
    echo "disableAuthorization yes" >"$TEST_TMPDIR/snmptrapd.conf"
    SNMP_TRAP_LOG="$TEST_TMPDIR/stamped.log"
    : >"$SNMP_TRAP_LOG"
    base=$(test_random_port)
    for port in $(seq "$base" $((base + SNMP_PORT_TRIES - 1))); do
        rm -f "$fifo"
        mkfifo "$fifo"
        test_spawn stamper "$TEST_TMPDIR/stamper.out" \
            python3 -c "$STAMPER" "$fifo" "$SNMP_TRAP_LOG"
        test_spawn snmptrapd "$TEST_TMPDIR/snmptrapd.out" bash -c \
            'exec snmptrapd -f -C -c "$1" -m "" -On -Lo -F "TRAP\t%v\n" \
                --serverRecvBuf=4194304 "udp:127.0.0.1:$2" >"$3"' _ \
            "$TEST_TMPDIR/snmptrapd.conf" "$port" "$fifo"
        SNMP_TRAP_PORT=$port
        if snmp_wait_alive_and "$TEST_LAST_PID" "snmptrapd on $port" \
            snmp_trapd_hears_probe; then
            return 0
        fi
    done
    test_fail "snmptrapd found no free port"
}
