#!/bin/sh
# test-agent-basics.sh: virtmon-agent under a real snmpd (AgentX master on
# 127.0.0.1): Sets refused, bad configuration rejected, unreachable hosts shown.
#
# Environment: top_srcdir, top_builddir (defaults suit running from tests/),
# IETF_MIB_DIR (default ./ietf-mibs, filled by tests/fetch-ietf-mibs.sh).
set -u

srcdir=${srcdir:-$(dirname "$0")/..}
top_srcdir=${top_srcdir:-$srcdir/..}
top_builddir=${top_builddir:-..}
agent_bin=${VIRTMON_AGENT:-$top_builddir/agent/virtmon-agent}
ietf=${IETF_MIB_DIR:-$PWD/ietf-mibs}

skip() {
    echo "SKIP: $*"
    exit 77
}

for tool in snmpd snmpget snmpset snmpbulkwalk virsh; do
    command -v $tool >/dev/null 2>&1 || skip "$tool not installed"
done
[ -x "$agent_bin" ] || skip "'$agent_bin' not built"
"$top_srcdir/tests/fetch-ietf-mibs.sh" "$ietf" ||
    skip "IETF base MIBs not available"

tmp=$(mktemp -d)
snmpd_pid=
agent_pid=
cleanup() {
    for pid in $agent_pid $snmpd_pid; do
        kill "$pid" 2>/dev/null
    done
    for pid in $agent_pid $snmpd_pid; do
        wait "$pid" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

failed=0
fail() {
    echo "FAIL: $*"
    failed=1
}

# net-snmp clients and snmpd read and write nothing outside $tmp.
SNMPCONFPATH=$tmp
SNMP_PERSISTENT_DIR=$tmp/persist
MIBS=
export SNMPCONFPATH SNMP_PERSISTENT_DIR MIBS
mkdir -p "$tmp/persist/cert_indexes"

socket=$tmp/agentx.sock
cat >"$tmp/snmpd.conf" <<EOF
master agentx
agentXSocket unix:$socket
rocommunity public 127.0.0.1
rwcommunity private 127.0.0.1
EOF

# snmp CMD ARGS...: a net-snmp client against our snmpd, MIB loaded.
snmp() {
    cmd=$1
    shift
    "$cmd" -v2c -r 1 -t 1 -M "$ietf:$top_srcdir/mibs" -m VIRTMON-MIB \
        "$@"
}

# value OBJECT: the value alone, e.g. "disconnected" or "No Such Instance..."
value() {
    snmp snmpget -c public -Oqv "127.0.0.1:$port" "$1" 2>&1
}

# wait_for DESCRIPTION COMMAND...: retry COMMAND for up to 10 s.
wait_for() {
    what=$1
    shift
    i=0
    while [ $i -lt 50 ]; do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.2
        i=$((i + 1))
    done
    fail "timed out waiting for $what"
    return 1
}

snmpd_answers() {
    snmpget -v2c -r 0 -t 1 -c public "127.0.0.1:$port" .1.3.6.1.2.1.1.3.0 \
        2>/dev/null | grep -q Timeticks
}

is_running() {
    kill -0 "$1" 2>/dev/null
}

# Try ports from a random base until snmpd manages to bind one.
start_snmpd() {
    base=$(($(od -An -N2 -tu2 /dev/urandom) % 20000 + 20000))
    for offset in 0 1 2 3 4 5 6 7 8 9; do
        port=$((base + offset * 7))
        snmpd -f -Lf "$tmp/snmpd.log" -C -c "$tmp/snmpd.conf" \
            -p "$tmp/snmpd.pid" "udp:127.0.0.1:$port" &
        snmpd_pid=$!
        i=0
        while [ $i -lt 50 ] && is_running $snmpd_pid; do
            if snmpd_answers; then
                return 0
            fi
            sleep 0.1
            i=$((i + 1))
        done
        kill $snmpd_pid 2>/dev/null
        wait $snmpd_pid 2>/dev/null
        snmpd_pid=
    done
    skip "cannot start snmpd on a free port"
}

agent_answers() {
    value VIRTMON-MIB::vmonAgentVersion.0 | grep -q '^[0-9]'
}

# start_agent ARGS...: the agent in the foreground, logging to $tmp/agent.log
start_agent() {
    "$agent_bin" -f -Lf "$tmp/agent.log" -x "unix:$socket" \
        -p "$tmp/agent.pid" "$@" &
    agent_pid=$!
    wait_for "the agent to register with snmpd" agent_answers
}

stop_agent() {
    kill -TERM "$agent_pid"
    wait "$agent_pid"
    status=$?
    agent_pid=
    return $status
}

# --- bad configuration: every case must fail fast, naming file and line ---

# expect_config_error NAME CONTENT DIRECTIVE LINE
expect_config_error() {
    conf=$tmp/$1.conf
    printf "%b" "$2" >"$conf"
    "$agent_bin" -f -Le -x "unix:$socket" -c "$conf" >"$tmp/$1.out" 2>&1 &
    pid=$!
    i=0
    while [ $i -lt 50 ] && is_running $pid; do
        sleep 0.1
        i=$((i + 1))
    done
    if is_running $pid; then
        kill $pid
        wait $pid
        fail "$1: agent still running with a bad configuration"
        return
    fi
    wait $pid && fail "$1: agent exited with status 0"
    grep -q "$conf:$4: .*$3" "$tmp/$1.out" ||
        fail "$1: no '$conf:$4: ... $3' in: $(cat "$tmp/$1.out")"
    if grep -q "subagent connected" "$tmp/$1.out"; then
        fail "$1: agent connected to snmpd before rejecting its configuration"
    fi
}

test_unknown_directive_is_rejected() {
    expect_config_error unknown "uri test:///default\nfrobnicate 1\n" \
        "frobnicate" 2
}

test_interval_zero_is_rejected() {
    expect_config_error zero "# poll often\n\ninterval 0\n" "interval" 3
}

test_interval_not_a_number_is_rejected() {
    expect_config_error letters "interval abc\n" "interval" 1
}

test_missing_config_file_is_an_error() {
    if "$agent_bin" -f -Le -c "$tmp/absent.conf" >"$tmp/absent.out" 2>&1; then
        fail "a missing -c file was accepted"
    fi
    grep -q "absent.conf" "$tmp/absent.out" ||
        fail "missing -c file not named: $(cat "$tmp/absent.out")"
}

# --- a running agent ---

test_set_is_refused_as_not_writable() {
    before=$(value VIRTMON-MIB::vmonAgentPollInterval.0)
    out=$(snmp snmpset -c private "127.0.0.1:$port" \
        VIRTMON-MIB::vmonAgentPollInterval.0 u 7 2>&1) &&
        fail "snmpset succeeded: $out"
    echo "$out" | grep -q notWritable ||
        fail "snmpset not refused with notWritable: $out"
    after=$(value VIRTMON-MIB::vmonAgentPollInterval.0)
    [ "$before" = "$after" ] ||
        fail "poll interval changed from '$before' to '$after'"
}

test_scalars_match_command_line() {
    [ "$(value VIRTMON-MIB::vmonAgentPollInterval.0)" = "2 seconds" ] ||
        fail "vmonAgentPollInterval is not the -i 2 given"
    [ "$(value VIRTMON-MIB::vmonAgentConnCount.0)" = "2" ] ||
        fail "vmonAgentConnCount is not the 2 -u given"
    version=$("$agent_bin" -V | cut -d' ' -f2)
    [ "$(value VIRTMON-MIB::vmonAgentVersion.0)" = "$version" ] ||
        fail "vmonAgentVersion differs from virtmon-agent -V ($version)"
}

unreachable_was_polled() {
    value VIRTMON-MIB::vmonConnLastError.1 | grep -q socket
}

reachable_was_polled() {
    [ "$(value VIRTMON-MIB::vmonConnState.2)" = "connected" ]
}

test_unreachable_host_is_disconnected_and_agent_answers() {
    wait_for "a failed poll of the unreachable URI" unreachable_was_polled ||
        return
    [ "$(value VIRTMON-MIB::vmonConnState.1)" = "disconnected" ] ||
        fail "unreachable connection is not disconnected"
    value VIRTMON-MIB::vmonNodeCpus.1 | grep -q "No Such Instance" ||
        fail "unreachable connection has node data"
    value VIRTMON-MIB::vmonMagicStatus.1 | grep -q "notPolled" ||
        fail "unreachable connection's magic file is not notPolled"
    agent_answers || fail "agent scalars do not answer"
}

test_reachable_host_matches_virsh() {
    wait_for "test:///default to be connected" reachable_was_polled || return
    cpus=$(virsh -c test:///default nodeinfo | sed -n 's/^CPU(s): *//p')
    [ "$(value VIRTMON-MIB::vmonNodeCpus.2)" = "$cpus" ] ||
        fail "vmonNodeCpus.2 differs from virsh nodeinfo ($cpus)"
    names=$(virsh -c test:///default list --all --name | sed '/^$/d')
    walked=$(snmp snmpbulkwalk -c public -Oqv "127.0.0.1:$port" \
        VIRTMON-MIB::vmonDomainName | sed 's/^"//; s/"$//')
    [ "$walked" = "$names" ] ||
        fail "vmonDomainName ($walked) differs from virsh list ($names)"
}

test_agent_reconnects_after_snmpd_restart() {
    kill "$snmpd_pid"
    wait "$snmpd_pid"
    snmpd -f -Lf "$tmp/snmpd2.log" -C -c "$tmp/snmpd.conf" \
        -p "$tmp/snmpd.pid" "udp:127.0.0.1:$port" &
    snmpd_pid=$!
    wait_for "snmpd to come back" snmpd_answers || return
    wait_for "the agent to re-register" agent_answers
}

# The shipped example must be accepted as it is; its interval is the truth.
test_example_config_is_accepted() {
    example=$top_srcdir/conf/virtmon-agent.conf
    want=$(sed -n 's/^interval *//p' "$example")
    start_agent -c "$example" -u test:///default || return
    [ "$(value VIRTMON-MIB::vmonAgentPollInterval.0)" = "$want seconds" ] ||
        fail "poll interval is not the example's $want"
    stop_agent || fail "agent with the example configuration failed"
}

test_sigterm_stops_cleanly() {
    pid=$agent_pid
    stop_agent || fail "agent exited with a failure status on SIGTERM"
    [ ! -e "$tmp/agent.pid" ] || fail "pid file left behind"
    is_running "$pid" && fail "agent still running after SIGTERM"
}

test_bad_poll_timeout_is_rejected() {
    expect_config_error timeoutzero "uri test:///default\npollTimeout 0\n" \
        "pollTimeout: '0' is not a number of seconds in 1..3600" 2
    expect_config_error timeoutbig "pollTimeout 3601\n" "pollTimeout" 1
}

test_bad_stats_group_interval_is_rejected() {
    expect_config_error statsevery "statsEvery block 0\n" "statsEvery" 1
    expect_config_error statsgroup "uri test:///default\nstatsEvery disks 4\n" \
        "statsEvery: unknown group 'disks'" 2
}

# snmpd first, so that a bad configuration would have a master to reach
start_snmpd
test_unknown_directive_is_rejected
test_interval_zero_is_rejected
test_interval_not_a_number_is_rejected
test_bad_stats_group_interval_is_rejected
test_bad_poll_timeout_is_rejected
test_missing_config_file_is_an_error

start_agent -i 2 -u "test+unix:///default?socket=$tmp/nonexistent.sock" \
    -u test:///default || exit 1
[ "$(cat "$tmp/agent.pid")" = "$agent_pid" ] || fail "pid file is wrong"

test_set_is_refused_as_not_writable
test_scalars_match_command_line
test_unreachable_host_is_disconnected_and_agent_answers
test_reachable_host_matches_virsh
test_agent_reconnects_after_snmpd_restart
test_sigterm_stops_cleanly
test_example_config_is_accepted

if [ $failed -ne 0 ]; then
    echo "--- agent log"
    cat "$tmp/agent.log"
fi
exit $failed
