#!/bin/bash
# test-loop-libvirtd-restarts.sh: libvirtd killed and started again 20
# times. Each time the agent reports the loss and the reconnect, counts the
# connect, and the lifecycle notifications of a guest flow again; its fds
# stay the same and its RSS within LOOP_RSS_GROWTH_MAX_KIB.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"
. "$here/loops.sh"

connects_are() {
    [ "$(mib_conn_column vmonConnConnects)" = "$1" ]
}

# One cycle: kill, restart, and a suspend/resume whose notifications show
# that events flow over the new connection.
restart_cycle() {
    local cycle=$1 seen
    seen=$(traps_count)
    libvirtd_kill
    loop_wait_trap_since "$seen" vmonConnLost
    libvirtd_start || test_fail "cycle $cycle: libvirtd did not start again"
    loop_wait_trap_since "$seen" vmonConnRestored
    test_wait_until 30 "vmonConnConnects to count connect $((cycle + 1))" \
        connects_are $((cycle + 1))
    loop_check_lifecycle_flows
    loop_record
}

test_restarts_reconnect_and_notifications_resume() {
    local cycle
    test_wait_until 30 "the first connect to be counted" connects_are 1
    for cycle in $(seq "$LOOP_CYCLES"); do
        restart_cycle "$cycle"
    done
    [ "$(loop_traps_since 0 vmonConnLost)" -eq "$LOOP_CYCLES" ] ||
        test_fail "$(loop_traps_since 0 vmonConnLost) vmonConnLost for $LOOP_CYCLES outages"
    [ "$(loop_traps_since 0 vmonConnRestored)" -eq "$LOOP_CYCLES" ] ||
        test_fail "$(loop_traps_since 0 vmonConnRestored) vmonConnRestored for $LOOP_CYCLES outages"
    loop_check_flat
}

traps_init
traps_start_agent -- -u "$LOOP_URI"
test_restarts_reconnect_and_notifications_resume
test_note "ok: $LOOP_CYCLES libvirtd restarts in $SECONDS s"
