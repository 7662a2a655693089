#!/bin/bash
# test-traps-storm.sh: a storm of 1000 lifecycle events with no rate limit:
# every one arrives, in order, and snmpd keeps answering requests. (A
# subagent that writes notifications faster than it reads the master's
# answers can deadlock with snmpd on the AgentX socket.)

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"

URI=test+unix:///default
DOMAIN=test
STORM=1000 # events, each a suspend or a resume

mib_scalar() {
    snmp_cmd snmpget -On -Oqv -- "$(snmp_oid "$1").0" 2>/dev/null
}

mib_scalar_is() {
    [ "$(mib_scalar "$1")" = "$2" ]
}

test_every_event_of_a_storm_arrives_in_order() {
    local i commands= want got re
    local -a details lines
    for ((i = 0; i < STORM / 2; i++)); do
        commands+="suspend $DOMAIN; resume $DOMAIN; "
    done
    LC_ALL=C libvirtd_virsh -c "$URI" "$commands" >/dev/null ||
        test_fail "virsh storm failed"
    test_wait_until 60 "$STORM notifications" traps_arrived "$STORM"
    details=("$(mib_enum vmonEventDomainDetail suspendedPaused)"
        "$(mib_enum vmonEventDomainDetail resumedUnpaused)")
    re="$(snmp_oid vmonEventDomainDetail)\.0 = INTEGER: ([0-9]+)"
    mapfile -t lines < <(traps_lines)
    for ((i = 0; i < STORM; i++)); do
        [[ ${lines[i]} =~ $re ]] || test_fail "notification $((i + 1)) has no detail"
        want=${details[i % 2]}
        got=${BASH_REMATCH[1]}
        [ "$got" = "$want" ] ||
            test_fail "notification $((i + 1)) has detail $got, expected $want"
    done
    test_wait_until 10 "snmpd to answer and count $STORM notifications" \
        mib_scalar_is vmonNotificationsSent "$STORM"
    mib_scalar_is vmonEventsDropped 0 ||
        test_fail "vmonEventsDropped is $(mib_scalar vmonEventsDropped)"
    test_note "ok: $STORM notifications, in order; snmpd answers"
}

traps_init
traps_start_agent -- -u "$URI"
test_every_event_of_a_storm_arrives_in_order
