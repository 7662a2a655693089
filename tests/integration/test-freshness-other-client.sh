#!/bin/bash
# test-freshness-other-client.sh: another client querying a guest does not
# make its values vanish. A second process hammers the guest with
# read-only `virsh domblkstat` and `virsh dommemstat` calls (each holds the
# guest's job for a moment, which makes NOWAIT bulk stats skip the guest)
# while virtmon-agent (-i 1) and collectd's virtmon plugin (RefreshInterval
# 1) watch it.
#
# For POLLS polls of the agent, a GET of the guest's disk and balloon cells
# after each poll never answers noSuchInstance, the disk counters equal
# virsh's (the guest's only I/O is its BIOS reading the boot sector, so they
# hold still), and their age is visible (vmonDomainBlockStatsTime,
# vmonDomainBalloonStatsTime, vmonDomainStatsAge present). collectd writes a
# disk value in all but at most MISSED_SLACK of its rounds in that window.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/snmp.sh"
. "$here/virsh.sh"
. "$here/collectd.sh"
. "$here/freshness.sh"

GUEST=queried-guest
POLLS=20
MISSED_SLACK=2      # collectd rounds of the window that may lack a disk value
HAMMER_SECONDS=120  # the hammer stops by itself after this at the latest
HAMMER_ROUNDS=20000
SNMP_AGENT_INTERVAL=1

[ -x "$QEMU" ] || test_skip "$QEMU is not installed"
collectd_require
snmp_init
test_at_exit libvirtd_cleanup
libvirtd_start || test_fail "the private libvirtd did not start"
fresh_start_guest "$GUEST"
ROW=$(fresh_row "$GUEST")

booted() {
    [ "$(virsh_stat "$GUEST" block.0.rd.reqs --block)" -gt 0 ] 2>/dev/null
}
test_wait_until 30 "the guest's BIOS to read its disk" booted

snmp_start_snmpd
snmp_start_agent -u "$FRESH_URI"
CONF=$TEST_TMPDIR/collectd.conf
{
    collectd_globals csv
    collectd_csv_block
    collectd_virtmon_block <<EOF
  Connection "$FRESH_URI" "qemu"
  RefreshInterval 1
EOF
} >"$CONF"
collectd_start "$CONF"
test_wait_until 30 "collectd's first disk value of the guest" \
    eval '[ "$(csv_lines "$GUEST" disk_octets-vda)" -ge 1 ]'
test_wait_until 10 "the agent's disk counters of the guest" \
    agent_has vmonDiskRdReqs "$ROW.1"

# The other client, as an operator's script or another monitor would be: a
# loop of virsh processes, each asking for the disk and memory statistics
# (each call holds the guest's job for a moment). A denser client, one
# connection chaining calls so that the job is busy nearly all the time,
# still makes no cell vanish, but then collectd misses more points: virtmon
# asks again only with NOWAIT, since waiting for a job would stall the
# whole poll behind a migration or a stuck guest.
chain="domblkstat $GUEST vda; dommemstat $GUEST"
cat >"$TEST_TMPDIR/hammer.sh" <<EOF
for round in \$(seq $HAMMER_ROUNDS); do
    LC_ALL=C virsh -r -c $FRESH_URI "$chain" >/dev/null 2>&1 || exit 1
    echo "\$round" >"$TEST_TMPDIR/hammer.rounds"
done
EOF
test_spawn hammer "$TEST_TMPDIR/hammer.log" \
    timeout "$HAMMER_SECONDS" bash "$TEST_TMPDIR/hammer.sh"
HAMMER_PID=$TEST_LAST_PID
test_wait_until 20 "the other client's first round" \
    test -s "$TEST_TMPDIR/hammer.rounds"

# the window starts: the truth of the disk, then the counts of collectd
rd_reqs=$(virsh_stat "$GUEST" block.0.rd.reqs --block)
disk_lines=$(csv_lines "$GUEST" disk_octets-vda)
state_lines=$(csv_lines "$GUEST" domain_state)

polled_after() {
    local now
    now=$(agent_get vmonConnLastSuccessTime 1) && [ "$now" -gt "$1" ]
}

flaps=0
ageless=()
last=$(agent_get vmonConnLastSuccessTime 1) || test_fail "no vmonConnLastSuccessTime"
for poll in $(seq "$POLLS"); do
    test_wait_until 10 "poll $poll" polled_after "$last"
    last=$(agent_get vmonConnLastSuccessTime 1)
    for cell in "vmonDiskRdReqs $ROW.1" "vmonDiskWrReqs $ROW.1" \
        "vmonDomainBalloonRss $ROW"; do
        set -- $cell
        if ! agent_has "$1" "$2"; then
            printf 'poll %s: %s answers noSuchInstance\n' "$poll" "$1" >&2
            flaps=$((flaps + 1))
        fi
    done
    got=$(agent_get vmonDiskRdReqs "$ROW.1") && [ "$got" != "$rd_reqs" ] &&
        test_fail "poll $poll: disk read requests: agent $got, virsh $rd_reqs"
    for col in vmonDomainBlockStatsTime vmonDomainBalloonStatsTime vmonDomainStatsAge; do
        agent_has "$col" "$ROW" 2>/dev/null || ageless+=("poll $poll: $col")
    done
done
test_is_running "$HAMMER_PID" ||
    test_fail "the other client stopped before the $POLLS polls were over"
test_note "the other client ran $(cat "$TEST_TMPDIR/hammer.rounds") rounds of 2 calls"

rounds=$(($(csv_lines "$GUEST" domain_state) - state_lines))
disks=$(($(csv_lines "$GUEST" disk_octets-vda) - disk_lines))
test_note "collectd: $disks disk values in $rounds rounds"
[ "$flaps" -eq 0 ] ||
    test_fail "$flaps GETs of the guest's disk and balloon cells answered noSuchInstance in $POLLS polls"
[ "$rounds" -ge $((POLLS / 2)) ] || test_fail "collectd made only $rounds rounds"
[ "$disks" -ge $((rounds - MISSED_SLACK)) ] ||
    test_fail "collectd wrote $disks disk values in $rounds rounds (at most $MISSED_SLACK may lack one)"
[ "${#ageless[@]}" -eq 0 ] ||
    test_fail "the age of the guest's values is not visible: ${ageless[*]:0:3} ..."
test_stop hammer
test_note "no value of the guest vanished while another client queried it"
