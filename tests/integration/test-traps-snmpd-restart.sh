#!/bin/bash
# test-traps-snmpd-restart.sh: while snmpd is away, events wait in the
# agent's bounded queue and what does not fit is counted; when snmpd is back
# the subagent registers again, the waiting notifications arrive, the MIB
# counts the dropped ones, and new events flow as before.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"

URI=test+unix:///default
DOMAIN=test
QUEUE=10
STORM=30 # events while snmpd is away, each a suspend or a resume

vsh() {
    LC_ALL=C libvirtd_virsh -c "$URI" "$@" >/dev/null ||
        test_fail "virsh $* failed"
}

# expect_lifecycle EVENT DETAIL: the next notification is about $DOMAIN.
expect_lifecycle() {
    local detail
    detail=$(mib_enum vmonEventDomainDetail "$2")
    trap_next
    [ "$TRAP_OID" = "$(snmp_oid vmonDomainLifecycle)" ] ||
        test_fail "notification $TRAPS_SEEN is '$TRAP_OID', not a lifecycle"
    [ "$(trap_value vmonEventDomainDetail.0)" = "$detail" ] ||
        test_fail "notification $TRAPS_SEEN has detail $(trap_value vmonEventDomainDetail.0), expected $2 ($detail)"
}

# mib_scalar NAME: the value of a VIRTMON-MIB scalar, read from snmpd.
mib_scalar() {
    snmp_cmd snmpget -On -Oqv -- "$(snmp_oid "$1").0" 2>/dev/null
}

mib_scalar_is() {
    [ "$(mib_scalar "$1")" = "$2" ]
}

agent_logged() {
    grep -q "$1" "$TEST_TMPDIR/virtmon-agent.log"
}

storm() {
    local i commands=
    for ((i = 0; i < STORM / 2; i++)); do
        commands+="suspend $DOMAIN; resume $DOMAIN; "
    done
    vsh "$commands"
}

test_events_wait_for_snmpd_and_overflow_is_counted() {
    local queued
    queued=$(mib_scalar vmonEventsQueued)
    test_stop snmpd
    test_wait_until 10 "the agent to notice snmpd is gone" \
        agent_logged "master disconnected"
    storm
    snmp_start_snmpd
    # the first QUEUE events waited; the newest ones did not fit
    for ((i = 0; i < QUEUE / 2; i++)); do
        expect_lifecycle suspended suspendedPaused
        expect_lifecycle resumed resumedUnpaused
    done
    test_wait_until 10 "vmonEventsDropped to count the overflow" \
        mib_scalar_is vmonEventsDropped $((STORM - QUEUE))
    mib_scalar_is vmonEventsQueued $((queued + QUEUE)) ||
        test_fail "vmonEventsQueued is $(mib_scalar vmonEventsQueued), expected $((queued + QUEUE))"
    test_note "ok: $QUEUE notifications waited, $((STORM - QUEUE)) dropped and counted"
}

test_notifications_flow_after_snmpd_restart() {
    vsh suspend "$DOMAIN"
    expect_lifecycle suspended suspendedPaused
    vsh resume "$DOMAIN"
    expect_lifecycle resumed resumedUnpaused
    sleep 2
    [ "$(traps_count)" -eq "$TRAPS_SEEN" ] ||
        test_fail "$(($(traps_count) - TRAPS_SEEN)) notifications more than expected"
    test_wait_until 10 "vmonNotificationsSent to count them" \
        mib_scalar_is vmonNotificationsSent "$TRAPS_SEEN"
}

traps_init
traps_start_agent "eventQueueLength $QUEUE" "pingInterval 1" -- -u "$URI"
test_wait_until 10 "the MIB to show the event counters" \
    mib_scalar_is vmonEventsDropped 0
test_events_wait_for_snmpd_and_overflow_is_counted
test_notifications_flow_after_snmpd_restart
test_note "all $TRAPS_SEEN notifications as expected"
