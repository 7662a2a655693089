#!/bin/bash
# test-freshness-stuck-guest.sh: one stuck guest costs that guest's
# freshness, not the host's. Two QEMU TCG guests on a private libvirtd whose
# boot sectors keep their vCPUs a little busy (freshness.sh); the stuck guest's
# QEMU gets SIGSTOP, so that libvirt calls that need its monitor never
# return. First virtmon-agent (-i 1, pollTimeout 1), then collectd's virtmon
# plugin (RefreshInterval 1, PollTimeout 1) watch them, each alone.
#
# While it is stopped: within two intervals (plus STALE_SLACK seconds for a
# loaded machine) the stuck guest or the connection is reported stale; the
# bystander's CPU and vCPU times keep advancing and match virsh's (virtmon
# read first, then virsh: virtmon <= virsh, at most CPU_SLACK behind); SNMP
# keeps answering; the stuck guest keeps the values of its last poll
# (block counters equal to virsh's before the stop, stats times that stand
# still while the bystander's advance), flagged stale and named in a
# vmonDomainStatsStale notification and a collectd WARNING, and collectd
# writes none of its disk values. After SIGCONT everything is fresh again
# (vmonDomainStatsCurrent, collectd OKAY), and the agent has as many
# threads and file descriptors as before the stop (at most LEAK_SLACK more).

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"
. "$here/collectd.sh"
. "$here/freshness.sh"

STUCK=stuck-guest
BYSTANDER=bystander-guest
INTERVAL=1
STALE_SLACK=6 # seconds a loaded machine may add to "two intervals"
WAIT=$((2 * INTERVAL + STALE_SLACK))
LEAK_SLACK=2 # threads, and file descriptors, the agent may have more after
SNMP_AGENT_INTERVAL=$INTERVAL

[ -x "$QEMU" ] || test_skip "$QEMU is not installed"
collectd_require

# CPU time virtmon's value may lag virsh's: what the host's CPUs can run
# in two intervals and the slack, in ns.
CPU_SLACK=$(((2 * INTERVAL + STALE_SLACK) * $(nproc) * 1000000000))

# ---- checks ---------------------------------------------------------------------

# expect_behind WHAT GOT WANT: a counter virtmon served before virsh was
# asked is at most virsh's and at most CPU_SLACK behind it.
expect_behind() {
    local what=$1 got=$2 want=$3
    [ -n "$got" ] || test_fail "$what: virtmon has no value, virsh says '$want'"
    [ -n "$want" ] || test_fail "$what: virsh has no value"
    [ "$got" -le "$want" ] ||
        test_fail "$what: virtmon $got is past virsh's $want, read after it"
    [ $((want - got)) -le "$CPU_SLACK" ] ||
        test_fail "$what: virtmon $got is more than $CPU_SLACK behind virsh's $want"
}

# The bystander's CPU and vCPU time in the agent, then in virsh.
bystander_matches_virsh() {
    local cpu vcpu
    cpu=$(agent_get vmonDomainCpuTime "$BYSTANDER_ROW") || cpu=
    vcpu=$(agent_get vmonVcpuTime "$BYSTANDER_ROW.1") || vcpu=
    virsh_ro "$FRESH_URI" domstats --raw --cpu-total --vcpu -- "$BYSTANDER" \
        >"$TEST_TMPDIR/bystander.stats" || test_fail "virsh domstats '$BYSTANDER' failed"
    expect_behind "bystander CPU time" "$cpu" \
        "$(sed -n 's/^ *cpu\.time=//p' "$TEST_TMPDIR/bystander.stats")"
    expect_behind "bystander vCPU 0 time" "$vcpu" \
        "$(sed -n 's/^ *vcpu\.0\.time=//p' "$TEST_TMPDIR/bystander.stats")"
    LAST_VCPU=$vcpu
}

vcpu_time_passed() {
    local now
    now=$(agent_get vmonVcpuTime "$BYSTANDER_ROW.1") && [ "$now" -gt "$1" ]
}

# The bystander keeps advancing: three times a newer vCPU time, each
# within WAIT seconds, each matching virsh. A time-out says what virsh
# shows meanwhile.
bystander_keeps_advancing() {
    local i deadline
    for i in 1 2 3; do
        deadline=$((SECONDS + WAIT))
        until vcpu_time_passed "$LAST_VCPU"; do
            [ "$SECONDS" -lt "$deadline" ] && { sleep 0.2; continue; }
            test_fail "the bystander's vCPU time stood at $LAST_VCPU in the agent for ${WAIT}s ($i), while virsh domstats went on to $(virsh_stat "$BYSTANDER" vcpu.0.time --vcpu); the agent's connection: $(agent_get vmonConnState 1), $(agent_get vmonConnOverdueCalls 1) calls overdue, reason '$(agent_get vmonConnStaleReason 1)'"
        done
        bystander_matches_virsh
    done
}

stale_reported() {
    if agent_is vmonConnIsStale 1 "$SNMP_TRUE" &&
        agent_get vmonConnStaleReason 1 >/dev/null &&
        [ "$(agent_get vmonConnOverdues 1)" -gt 0 ] 2>/dev/null; then
        return 0
    fi
    agent_is vmonDomainIsStale "$STUCK_ROW" "$SNMP_TRUE"
}

stats_time_passed() {
    local now
    now=$(agent_get "$1" "$BYSTANDER_ROW") && [ "$now" -gt "$2" ]
}

# The stuck guest keeps its last values while the bystander's move on.
# Once the stuck guest is named stale, what it shows is carried over: its
# stats times stand still while the bystander's move on.
stuck_keeps_last_values() {
    local col stuck_at bystander_at got
    # (the next poll opens a connection of its own, which a loaded machine
    # may take seconds over)
    test_wait_until "$((2 * WAIT))" "vmonDomainIsStale of the stuck guest" \
        agent_is vmonDomainIsStale "$STUCK_ROW" "$SNMP_TRUE"
    for col in vmonDomainBlockStatsTime vmonDomainBalloonStatsTime; do
        stuck_at=$(agent_get "$col" "$STUCK_ROW") ||
            test_fail "$col of the stuck guest is absent"
        bystander_at=$(agent_get "$col" "$BYSTANDER_ROW") ||
            test_fail "$col of the bystander is absent"
        test_wait_until "$((2 * WAIT))" "the bystander's $col to advance twice" \
            stats_time_passed "$col" $((bystander_at + INTERVAL))
        got=$(agent_get "$col" "$STUCK_ROW")
        [ "$got" = "$stuck_at" ] ||
            test_fail "$col of the stuck guest moved from $stuck_at to $got"
    done
    agent_get vmonDomainStatsAge "$STUCK_ROW" >/dev/null ||
        test_fail "vmonDomainStatsAge of the stuck guest is absent"
    got=$(agent_get vmonDiskRdReqs "$STUCK_ROW.1") ||
        test_fail "the stuck guest's disk counters are gone"
    [ "$got" = "$STUCK_RD_REQS" ] ||
        test_fail "the stuck guest's disk read requests: agent $got, virsh $STUCK_RD_REQS before the stop"
    agent_is vmonDomainIsStale "$STUCK_ROW" "$SNMP_TRUE" ||
        test_fail "vmonDomainIsStale of the stuck guest is not true"
    agent_is vmonDomainIsStale "$BYSTANDER_ROW" "$SNMP_FALSE" ||
        test_fail "vmonDomainIsStale of the bystander is not false"
    agent_is vmonConnStaleDomains 1 1 ||
        test_fail "vmonConnStaleDomains is $(agent_get vmonConnStaleDomains 1), not 1"
}

snmp_keeps_answering() {
    local i start
    for i in 1 2 3; do
        start=$SECONDS
        snmp_cmd snmpget -r 0 -t 3 -On -Oqv -- .1.3.6.1.2.1.1.3.0 >/dev/null ||
            test_fail "snmpd did not answer within 3 s"
        agent_get vmonConnState 1 >/dev/null ||
            test_fail "the agent did not answer a GET"
        [ $((SECONDS - start)) -le 3 ] || test_fail "a GET took $((SECONDS - start)) s"
    done
}

# expect_trap_about_stuck NAME: a NAME notification naming the stuck guest
# reaches snmptrapd; notifications of TRAPS_TAKE about other domains (a
# loaded machine may delay a poll of any of them) are passed over, up to
# 20 of them.
expect_trap_about_stuck() {
    local i
    for i in $(seq 20); do
        trap_next
        if [ "$TRAP_OID" = "$(snmp_oid "$1")" ] &&
            [ "$(trap_value "vmonDomainName.$STUCK_ROW" 2>/dev/null)" = "$STUCK" ]; then
            test_note "ok: $1 names '$STUCK'"
            return 0
        fi
        test_note "passed over: notification $TRAPS_SEEN ($TRAP_OID)"
    done
    test_fail "no $1 naming '$STUCK' among 20 notifications"
}

# ---- the collectd side ------------------------------------------------------------

collectd_bystander_advances() {
    local before=$1
    [ "$(csv_lines "$BYSTANDER" virt_vcpu-0)" -ge $((before + 3)) ]
}

# collectd writes three more vCPU times of the bystander within WAIT s.
collectd_bystander_keeps_coming() {
    local before deadline=$((SECONDS + WAIT))
    before=$(csv_lines "$BYSTANDER" virt_vcpu-0)
    until collectd_bystander_advances "$before"; do
        [ "$SECONDS" -lt "$deadline" ] && { sleep 0.2; continue; }
        test_fail "collectd wrote $(($(csv_lines "$BYSTANDER" virt_vcpu-0) - before)) vCPU times of the bystander in ${WAIT}s, the last '$(collectd_csv_line "$(collectd_host_name "$BYSTANDER")" virtmon virt_vcpu-0)', while virsh domstats went on to $(virsh_stat "$BYSTANDER" vcpu.0.time --vcpu)"
    done
}

collectd_bystander_matches_virsh() {
    local raw got
    raw=$(collectd_csv_values "$(collectd_host_name "$BYSTANDER")" virtmon virt_vcpu-0) ||
        test_fail "collectd wrote no vCPU time of the bystander"
    got=$(collectd_integer "$raw") || test_fail "collectd's vCPU time '$raw'"
    expect_behind "collectd's bystander vCPU 0 time" "$got" \
        "$(virsh_stat "$BYSTANDER" vcpu.0.time --vcpu)"
}

# ---- the test ---------------------------------------------------------------------

count_tasks() { ls "/proc/$SNMP_AGENT_PID/task" | wc -l; }
count_fds() { ls "/proc/$SNMP_AGENT_PID/fd" | wc -l; }

traps_init
fresh_start_guest "$STUCK"
fresh_start_guest "$BYSTANDER"
STUCK_ROW=$(fresh_row "$STUCK")
BYSTANDER_ROW=$(fresh_row "$BYSTANDER")
STUCK_PID=$(fresh_qemu_pid "$STUCK")
# runs before libvirtd's clean-up (hooks run last first)
test_at_exit 'kill -CONT "$STUCK_PID" 2>/dev/null'

# the BIOS reads the boot sector once; then the disk counters hold still
stuck_booted() {
    [ "$(virsh_stat "$STUCK" block.0.rd.reqs --block)" -gt 0 ] 2>/dev/null &&
        [ "$(virsh_stat "$STUCK" vcpu.0.time --vcpu)" -gt 0 ] 2>/dev/null
}
test_wait_until 30 "the stuck guest to run its boot sector" stuck_booted

# ---- the agent -------------------------------------------------------------------
# Alone: of two clients, only the first to call into the stopped QEMU is
# stuck (it holds the domain's job); the other's NOWAIT calls skip it.

stop_stuck() {
    kill -STOP "$STUCK_PID" || test_fail "cannot stop the stuck guest's QEMU"
    test_note "QEMU of '$STUCK' (pid $STUCK_PID) stopped"
    STOPPED_AT=$SECONDS
}

continue_stuck() {
    kill -CONT "$STUCK_PID" || test_fail "cannot continue the stuck guest's QEMU"
    test_note "QEMU of '$STUCK' continued"
}

all_fresh() {
    agent_is vmonDomainIsStale "$STUCK_ROW" "$SNMP_FALSE" &&
        agent_is vmonDomainIsStale "$BYSTANDER_ROW" "$SNMP_FALSE" &&
        agent_is vmonConnIsStale 1 "$SNMP_FALSE" &&
        agent_is vmonConnOverdueCalls 1 0 &&
        agent_is vmonConnStaleDomains 1 0 &&
        ! agent_has vmonConnStaleReason 1
}

# no thread or descriptor left behind by the calls that were stuck
leak_free() {
    [ "$(count_tasks)" -le $((TASKS_BEFORE + LEAK_SLACK)) ] &&
        [ "$(count_fds)" -le $((FDS_BEFORE + LEAK_SLACK)) ]
}

TRAPS_TAKE=(vmonDomainStatsStale vmonDomainStatsCurrent)
traps_start_agent "pollTimeout $INTERVAL" -- -u "$FRESH_URI"

# fresh to begin with
test_wait_until "$WAIT" "the agent's first vCPU time of the bystander" \
    agent_has vmonVcpuTime "$BYSTANDER_ROW.1"
bystander_matches_virsh
STUCK_RD_REQS=$(virsh_stat "$STUCK" block.0.rd.reqs --block)
TASKS_BEFORE=$(count_tasks)
FDS_BEFORE=$(count_fds)
test_note "before the stop: agent has $TASKS_BEFORE threads, $FDS_BEFORE fds"

stop_stuck
test_wait_until "$WAIT" "the stuck guest or the connection to be reported stale" \
    stale_reported
test_note "stale reported within $((SECONDS - STOPPED_AT)) s of the stop"
bystander_keeps_advancing
snmp_keeps_answering
stuck_keeps_last_values
expect_trap_about_stuck vmonDomainStatsStale
bystander_keeps_advancing
continue_stuck

test_wait_until $((2 * WAIT)) "everything to be fresh again" all_fresh
expect_trap_about_stuck vmonDomainStatsCurrent
block_at=$(agent_get vmonDomainBlockStatsTime "$STUCK_ROW")
test_wait_until "$WAIT" "the stuck guest's block stats time to advance" \
    eval '[ "$(agent_get vmonDomainBlockStatsTime "$STUCK_ROW")" -gt "$block_at" ]'
bystander_matches_virsh
test_wait_until "$WAIT" "the agent's threads and fds to return to $TASKS_BEFORE and $FDS_BEFORE" \
    leak_free
test_note "after: agent has $(count_tasks) threads, $(count_fds) fds"
test_stop virtmon-agent

# ---- the collectd plugin, alone too -------------------------------------------------

collectd_expect_text() {
    test_wait_until "$1" "a collectd $2 notification naming '$STUCK'" \
        collectd_find_text_notification "$2" "$STUCK" "$3"
}

CONF=$TEST_TMPDIR/collectd.conf
{
    collectd_globals csv exec
    collectd_csv_block
    collectd_exec_sink_block
    collectd_virtmon_block <<EOF
  Connection "$FRESH_URI" "qemu"
  RefreshInterval $INTERVAL
  PollTimeout $INTERVAL
EOF
} >"$CONF"
collectd_start "$CONF"
test_wait_until 30 "collectd's first values of both guests" eval \
    '[ "$(csv_lines "$STUCK" disk_octets-vda)" -ge 2 ] &&
     [ "$(csv_lines "$BYSTANDER" virt_vcpu-0)" -ge 2 ]'

stop_stuck
collectd_bystander_keeps_coming
collectd_bystander_matches_virsh
collectd_expect_text "$WAIT" WARNING stale
# the stuck guest's disk values, which only its QEMU knows, stop
stuck_disk_lines=$(csv_lines "$STUCK" disk_octets-vda)
collectd_bystander_keeps_coming
collectd_bystander_matches_virsh
[ "$(csv_lines "$STUCK" disk_octets-vda)" = "$stuck_disk_lines" ] ||
    test_fail "collectd wrote disk values of the stopped guest"
continue_stuck
collectd_expect_text $((2 * WAIT)) OKAY ""
test_note "one stopped guest was reported stale; the bystander stayed fresh"
