#!/bin/bash
# test-traps-lifecycle.sh: each lifecycle event that virsh makes libvirtd's
# test driver produce arrives at snmptrapd as one vmonDomainLifecycle whose
# varbinds say what virsh says: name, UUID, row index, resulting state.
#
# The event and detail expected for each virsh command are libvirt's
# documented ones; numbers come from the MIB file, states from virsh.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"

URI=test+unix:///default
GUEST=trap-guest
GUEST_UUID=3b1c38e2-5a43-4f6e-9d4e-2f4c1a7b8c01

vsh() {
    LC_ALL=C libvirtd_virsh -c "$URI" "$@" >/dev/null ||
        test_fail "virsh $* failed"
}

write_guest_xml() {
    cat >"$TEST_TMPDIR/$1.xml" <<EOF
<domain type='test'>
  <name>$1</name>
  <uuid>$2</uuid>
  <memory unit='KiB'>65536</memory>
  <os><type>hvm</type></os>
</domain>
EOF
}

# expect_lifecycle NAME UUID EVENT DETAIL [STATE REASON]: the next
# notification reports EVENT (a VmonDomainEvent label) with DETAIL (a
# VmonDomainEventDetail label) of NAME; without STATE, the state is what
# virsh says now.
expect_lifecycle() {
    local name=$1 uuid=$2 event=$3 detail=$4 state=${5:-} reason=${6:-}
    local row detail_num
    if [ -z "$state" ]; then
        read -r state reason < <(virsh_state_labels "$URI" "$name")
    fi
    row=1.$(snmp_uuid_index "$uuid")
    detail_num=$(mib_enum vmonEventDomainDetail "$detail")
    trap_next
    trap_expect vmonDomainLifecycle \
        "vmonConnConfiguredUri.1=$URI" \
        "vmonDomainName.$row=$name" \
        "vmonDomainUUIDString.$row=$uuid" \
        "vmonEventDomainEvent.0=$(mib_enum vmonEventDomainEvent "$event")" \
        "vmonEventDomainDetail.0=$detail_num" \
        "vmonDomainState.$row=$(mib_enum vmonDomainState "$state")" \
        "vmonDomainStateReason.$row=$(mib_enum vmonDomainStateReason "$reason")" \
        "vmonEventIsReconciled.0=$(mib_enum vmonEventIsReconciled false)" \
        "vmonEventDomainEventCode.0=$(mib_enum vmonEventDomainEvent "$event")" \
        "vmonEventDomainDetailCode.0=$((detail_num % 100))"
}

# The agent's own view of a domain's state, so that a "defined" event,
# whose state comes from the agent's last poll, is not racing that poll.
agent_state_is() {
    snmp_cmd snmpget -On -Oqv -Oe -- \
        "$(snmp_oid vmonDomainStateReason).1.$(snmp_uuid_index "$1")" \
        2>/dev/null | grep -qx "$(mib_enum vmonDomainStateReason "$2")"
}

test_lifecycle_of_a_guest() {
    local img="$TEST_TMPDIR/guest.save"
    write_guest_xml "$GUEST" "$GUEST_UUID"
    vsh define "$TEST_TMPDIR/$GUEST.xml"
    expect_lifecycle "$GUEST" "$GUEST_UUID" defined definedAdded
    vsh start "$GUEST"
    expect_lifecycle "$GUEST" "$GUEST_UUID" started startedBooted
    vsh suspend "$GUEST"
    expect_lifecycle "$GUEST" "$GUEST_UUID" suspended suspendedPaused
    vsh resume "$GUEST"
    expect_lifecycle "$GUEST" "$GUEST_UUID" resumed resumedUnpaused
    vsh save "$GUEST" "$img"
    expect_lifecycle "$GUEST" "$GUEST_UUID" stopped stoppedSaved
    vsh restore "$img"
    expect_lifecycle "$GUEST" "$GUEST_UUID" started startedRestored
    vsh shutdown "$GUEST"
    expect_lifecycle "$GUEST" "$GUEST_UUID" stopped stoppedShutdown
    vsh start "$GUEST"
    expect_lifecycle "$GUEST" "$GUEST_UUID" started startedBooted
    vsh destroy "$GUEST"
    expect_lifecycle "$GUEST" "$GUEST_UUID" stopped stoppedDestroyed
}

test_snapshot_revert_rename_and_undefine() {
    vsh snapshot-create-as "$GUEST" before-start
    vsh start "$GUEST"
    expect_lifecycle "$GUEST" "$GUEST_UUID" started startedBooted
    vsh snapshot-revert "$GUEST" before-start
    expect_lifecycle "$GUEST" "$GUEST_UUID" stopped stoppedFromSnapshot
    vsh snapshot-delete "$GUEST" before-start
    test_wait_until 10 "the agent to poll the reverted state" \
        agent_state_is "$GUEST_UUID" shutoffFromSnapshot
    vsh domrename "$GUEST" "$GUEST-renamed"
    expect_lifecycle "$GUEST" "$GUEST_UUID" undefined undefinedRenamed \
        nostate nostateUnknown
    expect_lifecycle "$GUEST-renamed" "$GUEST_UUID" defined definedRenamed
    vsh undefine "$GUEST-renamed"
    # the domain is gone: the notification still names it in full
    expect_lifecycle "$GUEST-renamed" "$GUEST_UUID" undefined \
        undefinedRemoved nostate nostateUnknown
}

# Defined and undefined in one go: both events concern a domain that no
# longer exists when the agent handles them.
test_domain_gone_before_its_events_are_handled() {
    local uuid=3b1c38e2-5a43-4f6e-9d4e-2f4c1a7b8c02
    write_guest_xml fleeting "$uuid"
    vsh "define $TEST_TMPDIR/fleeting.xml; undefine fleeting"
    expect_lifecycle fleeting "$uuid" defined definedAdded \
        shutoff shutoffUnknown
    expect_lifecycle fleeting "$uuid" undefined undefinedRemoved \
        nostate nostateUnknown
}

test_nothing_else_was_sent() {
    sleep 2
    [ "$(traps_count)" -eq "$TRAPS_SEEN" ] ||
        test_fail "$(($(traps_count) - TRAPS_SEEN)) notifications more than expected"
}

traps_init
traps_start_agent -- -u "$URI"
test_lifecycle_of_a_guest
test_snapshot_revert_rename_and_undefine
test_domain_gone_before_its_events_are_handled
test_nothing_else_was_sent
test_note "all $TRAPS_SEEN notifications as expected"
