#!/bin/bash
# test-loop-random-requests.sh: 10,000 random GET, GETNEXT and GETBULK
# requests through snmpd to the agent (snmp-random-requests): every answer
# arrives, is well formed and names what a walk taken before predicts; the
# walk is the same afterwards and the agent's fds did not grow.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/traps.sh"
. "$here/loops.sh"

REQUESTS=${VMON_RANDOM_REQUESTS:-10000}
CLIENT=${abs_top_builddir:?run through make check}/tests/integration/snmp-random-requests

test_random_requests_are_answered_as_the_walk_says() {
    local seed=$((RANDOM * 32768 + RANDOM)) fds_before fds_after out
    fds_before=$(loop_fds)
    test_note "seed $seed (VMON_RANDOM_SEED repeats a run)"
    out=$("$CLIENT" "udp:127.0.0.1:$SNMP_PORT" "$SNMP_COMMUNITY" "$REQUESTS" \
        "${VMON_RANDOM_SEED:-$seed}" 2>&1)
    status=$?
    test_note "$out"
    [ "$status" -eq 0 ] || test_fail "wrong answers (seed ${VMON_RANDOM_SEED:-$seed})"
    test_is_running "$SNMP_AGENT_PID" || test_fail "the agent died"
    fds_after=$(loop_fds)
    [ "$fds_after" -eq "$fds_before" ] ||
        test_fail "agent fds went from $fds_before to $fds_after"
}

[ -x "$CLIENT" ] || test_fail "no $CLIENT"
snmp_init
snmp_start_snmpd
snmp_start_agent -u test:///default -u "test://$VIRTMON_FIXTURES/node.xml"
test_random_requests_are_answered_as_the_walk_says
