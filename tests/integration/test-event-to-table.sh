#!/bin/bash
# test-event-to-table.sh: the domain table agrees with the lifecycle
# notifications. Another client suspends and resumes a domain of libvirtd's
# test driver; a GET of vmonDomainState sent as soon as each
# vmonDomainLifecycle reaches snmptrapd shows the state virsh shows.
#
# The agent polls every 600 s, so no poll can explain a change: only the
# event can. vmonConnLastSuccessTime is read at the start and at the end to
# prove that no poll ran in between; vmonDomainStateTime must be no earlier
# than the second each virsh command was issued (the clock as the truth).

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"

URI=test+unix:///default
GUEST=test # the test driver's own running domain
ROUNDS=3
SNMP_AGENT_INTERVAL=600

vsh() {
    LC_ALL=C libvirtd_virsh -c "$URI" "$@" >/dev/null ||
        test_fail "virsh $* failed"
}

agent_get() {
    snmp_cmd snmpget -On -Oqv -Oe -OU -- "$1" ||
        test_fail "snmpget of $1 failed"
}

# after_event VIRSH_COMMAND EVENT STATE: VIRSH_COMMAND changes the guest;
# the next notification is EVENT about it, and a GET right after its
# arrival shows STATE, the state virsh shows.
after_event() {
    local command=$1 event=$2 state=$3 got virsh_state issued_at
    issued_at=$(date +%s)
    vsh "$command" "$GUEST"
    trap_next
    [ "$TRAP_OID" = "$(snmp_oid vmonDomainLifecycle)" ] ||
        test_fail "notification $TRAPS_SEEN is '$TRAP_OID', not vmonDomainLifecycle"
    [ "$(trap_value "vmonDomainName.$ROW")" = "$GUEST" ] ||
        test_fail "notification $TRAPS_SEEN is about another domain"
    [ "$(trap_value vmonEventDomainEvent.0)" = "$(mib_enum vmonEventDomainEvent "$event")" ] ||
        test_fail "notification $TRAPS_SEEN is not '$event'"
    got=$(agent_get "$(snmp_oid vmonDomainState).$ROW")
    read -r virsh_state _ < <(virsh_state_labels "$URI" "$GUEST")
    [ "$virsh_state" = "$state" ] ||
        test_fail "virsh shows '$GUEST' $virsh_state after '$command', not $state"
    [ "$got" = "$(mib_enum vmonDomainState "$state")" ] ||
        test_fail "right after the '$event' notification vmonDomainState is $got, virsh says $state ($(mib_enum vmonDomainState "$state"))"
    got=$(agent_get "$(snmp_oid vmonDomainStateReason).$ROW")
    [ "$got" = "$(trap_value "vmonDomainStateReason.$ROW")" ] ||
        test_fail "right after the '$event' notification vmonDomainStateReason is $got, the notification says $(trap_value "vmonDomainStateReason.$ROW")"
    got=$(agent_get "$(snmp_oid vmonDomainStateTime).$ROW")
    [ "$got" -ge "$issued_at" ] 2>/dev/null ||
        test_fail "vmonDomainStateTime is '$got', before the '$command' at $issued_at"
    test_note "round $round: after '$event' the table shows $state"
}

traps_init
TRAPS_TAKE=(vmonDomainLifecycle)
traps_start_agent -- -u "$URI"
ROW=1.$(snmp_uuid_index "$(virsh_ro "$URI" domuuid "$GUEST")")
polled_at=$(agent_get "$(snmp_oid vmonConnLastSuccessTime).1")

for round in $(seq "$ROUNDS"); do
    after_event suspend suspended paused
    after_event resume resumed running
done

[ "$(agent_get "$(snmp_oid vmonConnLastSuccessTime).1")" = "$polled_at" ] ||
    test_fail "the agent polled during the test: a poll, not an event, may have changed the table"
test_note "the table followed $((2 * ROUNDS)) lifecycle events without a poll"
