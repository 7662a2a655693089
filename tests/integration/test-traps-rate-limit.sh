#!/bin/bash
# test-traps-rate-limit.sh: a storm of lifecycle events under a rate limit
# of 5 notifications a second: what is held back is counted in the MIB and
# reported by vmonNotificationsSuppressed, so that every event is accounted
# for, sent or counted, and none is lost without a trace.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"

URI=test+unix:///default
DOMAIN=test
RATE=5
STORM=40 # events, each a suspend or a resume

vsh() {
    LC_ALL=C libvirtd_virsh -c "$URI" "$@" >/dev/null ||
        test_fail "virsh $* failed"
}

mib_scalar() {
    snmp_cmd snmpget -On -Oqv -- "$(snmp_oid "$1").0" 2>/dev/null
}

# True once no notification arrived for 3 s.
traps_settled() {
    local before
    before=$(traps_count)
    sleep 3
    [ "$(traps_count)" -eq "$before" ]
}

test_storm_is_limited_and_accounted_for() {
    local i commands= lifecycles=0 summaries=0 held=0 count started=$SECONDS
    for ((i = 0; i < STORM / 2; i++)); do
        commands+="suspend $DOMAIN; resume $DOMAIN; "
    done
    vsh "$commands"
    test_wait_until 30 "the notifications to settle" traps_settled
    while [ "$TRAPS_SEEN" -lt "$(traps_count)" ]; do
        trap_next
        if [ "$TRAP_OID" = "$(snmp_oid vmonDomainLifecycle)" ]; then
            lifecycles=$((lifecycles + 1))
            continue
        fi
        trap_expect vmonNotificationsSuppressed \
            "vmonEventSuppressedCount.0=~^[1-9][0-9]*$"
        count=$(trap_value vmonEventSuppressedCount.0)
        summaries=$((summaries + 1))
        held=$((held + count))
    done
    test_note "$lifecycles sent, $held held back, told by $summaries summaries"
    [ $((lifecycles + held)) -eq "$STORM" ] ||
        test_fail "$lifecycles sent + $held held back != $STORM events"
    [ "$lifecycles" -ge "$RATE" ] ||
        test_fail "only $lifecycles sent, the burst allows $RATE"
    [ "$lifecycles" -le $((RATE + RATE * (SECONDS - started))) ] ||
        test_fail "$lifecycles sent in $((SECONDS - started)) s at $RATE/s"
    [ "$(mib_scalar vmonNotificationsLimited)" = "$held" ] ||
        test_fail "vmonNotificationsLimited is $(mib_scalar vmonNotificationsLimited), $held were held back"
    [ "$(mib_scalar vmonNotificationsSent)" = $((lifecycles + summaries)) ] ||
        test_fail "vmonNotificationsSent is $(mib_scalar vmonNotificationsSent), $((lifecycles + summaries)) arrived"
    [ "$(mib_scalar vmonEventsDropped)" = 0 ] ||
        test_fail "vmonEventsDropped is $(mib_scalar vmonEventsDropped)"
}

traps_init
traps_start_agent "notificationRate $RATE" "notificationBurst $RATE" \
    -- -u "$URI"
test_storm_is_limited_and_accounted_for
