#!/bin/bash
# test-traps-reconnect.sh: libvirtd killed and started again, several
# times: each time vmonConnLost, vmonConnRestored with the outage, one
# reconciled vmonDomainLifecycle for the domain whose state changed while
# events could not arrive, and events flowing again; the agent keeps its
# file descriptors and memory. Then libvirtd frozen: keepalive notices.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"

URI=test+unix:///default
CYCLES=5
RSS_GROWTH_MAX_KIB=2048
DOMAIN=test # the test driver's own domain, running in a fresh libvirtd

vsh() {
    LC_ALL=C libvirtd_virsh -c "$URI" "$@" >/dev/null ||
        test_fail "virsh $* failed"
}

domain_row() {
    printf '1.%s\n' "$(snmp_uuid_index "$(virsh_ro "$URI" domuuid "$DOMAIN" |
        sed '/^$/d')")"
}

# expect_lifecycle EVENT DETAIL IS_RECONCILED: the next notification is
# about $DOMAIN, in the state virsh reports now.
expect_lifecycle() {
    local event=$1 detail=$2 reconciled=$3 row state reason detail_num
    row=$(domain_row)
    read -r state reason < <(virsh_state_labels "$URI" "$DOMAIN")
    detail_num=$(mib_enum vmonEventDomainDetail "$detail")
    trap_next
    trap_expect vmonDomainLifecycle \
        "vmonConnConfiguredUri.1=$URI" \
        "vmonDomainName.$row=$DOMAIN" \
        "vmonDomainUUIDString.$row=~^[0-9a-f-]{36}$" \
        "vmonEventDomainEvent.0=$(mib_enum vmonEventDomainEvent "$event")" \
        "vmonEventDomainDetail.0=$detail_num" \
        "vmonDomainState.$row=$(mib_enum vmonDomainState "$state")" \
        "vmonDomainStateReason.$row=$(mib_enum vmonDomainStateReason "$reason")" \
        "vmonEventIsReconciled.0=$(mib_enum vmonEventIsReconciled "$reconciled")" \
        "vmonEventDomainEventCode.0=$(mib_enum vmonEventDomainEvent "$event")" \
        "vmonEventDomainDetailCode.0=$((detail_num % 100))"
}

expect_conn_lost() {
    trap_next
    trap_expect vmonConnLost "vmonConnConfiguredUri.1=$URI" \
        "vmonEventReason.0=$1"
    test_note "   reason: $(trap_value vmonEventReason.0)"
}

# expect_restored DOWN_AT UP_AT: the outage reported lies between the time
# libvirtd was down (UP_AT - DOWN_AT) and the time until the notification
# arrived (seconds, as $SECONDS counts them).
expect_restored() {
    local outage min=$(($2 - $1 - 1)) max
    trap_next
    max=$((SECONDS - $1 + 1))
    trap_expect vmonConnRestored "vmonConnConfiguredUri.1=$URI" \
        "vmonEventOutage.0=~^[0-9]+$"
    outage=$(trap_value vmonEventOutage.0)
    [ "$outage" -ge "$min" ] && [ "$outage" -le "$max" ] ||
        test_fail "outage of $outage s reported, it lasted $min..$max s"
}

# One outage: the domain is paused before libvirtd dies; the new libvirtd
# has it running, which only reconciliation can tell.
kill_and_restart_libvirtd() {
    local killed_at restarted_at
    vsh suspend "$DOMAIN"
    expect_lifecycle suspended suspendedPaused false
    killed_at=$SECONDS
    libvirtd_kill
    expect_conn_lost '~.'
    sleep 1
    libvirtd_start || test_fail "libvirtd did not start again"
    restarted_at=$SECONDS
    expect_restored "$killed_at" "$restarted_at"
    expect_lifecycle resumed resumedUnpaused true
    vsh destroy "$DOMAIN"
    expect_lifecycle stopped stoppedDestroyed false
    vsh start "$DOMAIN"
    expect_lifecycle started startedBooted false
}

test_outages_are_reported_and_reconciled() {
    local cycle fds rss base_fds= base_rss=
    for cycle in $(seq "$CYCLES"); do
        kill_and_restart_libvirtd
        fds=$(agent_fds)
        rss=$(agent_rss_kib)
        test_note "cycle $cycle: agent has $fds fds, VmRSS $rss kB"
        if [ -z "$base_fds" ]; then
            base_fds=$fds
            base_rss=$rss
        fi
    done
    [ "$fds" -eq "$base_fds" ] ||
        test_fail "agent fds grew from $base_fds to $fds over $CYCLES outages"
    [ $((rss - base_rss)) -le "$RSS_GROWTH_MAX_KIB" ] ||
        test_fail "agent VmRSS grew from $base_rss to $rss kB"
}

# A libvirtd that stops answering keeps its socket open: only keepalive
# (5 s interval, 3 probes) can tell the connection is dead.
test_frozen_libvirtd_is_noticed_by_keepalive() {
    local pid frozen_at before
    pid=$(cat "$LIBVIRTD_DIR/libvirtd.pid")
    before=$(virsh_state_labels "$URI" "$DOMAIN")
    frozen_at=$SECONDS
    kill -STOP "$pid"
    TRAP_WAIT=60 expect_conn_lost '~keepalive'
    kill -CONT "$pid"
    expect_restored "$frozen_at" "$frozen_at"
    # libvirtd drops test:///default's state with its last client, the
    # agent: the domain it serves then is a fresh one, running again
    if [ "$(virsh_state_labels "$URI" "$DOMAIN")" != "$before" ]; then
        expect_lifecycle started startedBooted true
    fi
    vsh suspend "$DOMAIN"
    expect_lifecycle suspended suspendedPaused false
}

traps_init
traps_start_agent -- -u "$URI"
test_outages_are_reported_and_reconciled
test_frozen_libvirtd_is_noticed_by_keepalive
test_note "all $TRAPS_SEEN notifications as expected"
