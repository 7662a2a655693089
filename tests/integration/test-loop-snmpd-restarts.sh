#!/bin/bash
# test-loop-snmpd-restarts.sh: snmpd stopped and started again 20 times.
# Each time the subagent connects to the new master, answers through it,
# and the lifecycle notifications of a guest arrive again; its fds stay the
# same and its RSS within LOOP_RSS_GROWTH_MAX_KIB.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"
. "$here/loops.sh"

agent_connects() {
    grep -c "AgentX subagent connected" "$TEST_TMPDIR/virtmon-agent.log"
}

agent_connected_times() {
    [ "$(agent_connects)" -ge "$1" ]
}

agent_lost_master_times() {
    [ "$(grep -c "master disconnected" "$TEST_TMPDIR/virtmon-agent.log")" -ge "$1" ]
}

restart_cycle() {
    local cycle=$1
    test_stop snmpd
    test_wait_until 30 "the agent to notice snmpd is gone ($cycle)" \
        agent_lost_master_times "$cycle"
    snmp_start_snmpd >/dev/null
    test_wait_until 30 "the agent to connect to snmpd again ($cycle)" \
        agent_connected_times $((cycle + 1))
    test_wait_until 30 "the agent to answer through the new snmpd" \
        snmp_agent_connected 1
    loop_check_lifecycle_flows
    loop_record
}

test_restarts_reconnect_and_notifications_resume() {
    local cycle
    for cycle in $(seq "$LOOP_CYCLES"); do
        restart_cycle "$cycle"
    done
    [ "$(agent_connects)" -eq $((LOOP_CYCLES + 1)) ] ||
        test_fail "the agent connected $(agent_connects) times for $LOOP_CYCLES restarts"
    loop_check_flat
}

traps_init
traps_start_agent "pingInterval 1" -- -u "$LOOP_URI"
test_restarts_reconnect_and_notifications_resume
test_note "ok: $LOOP_CYCLES snmpd restarts in $SECONDS s"
