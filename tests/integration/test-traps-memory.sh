#!/bin/bash
# test-traps-memory.sh: the host's real free memory (the QEMU driver of a
# private libvirtd reads it from the kernel) is pushed below the configured
# thresholds by a process that fills 3.5 GiB, then given back: one "low" and
# one "recovered" notification each for the host and for NUMA cell 0.
#
# Thresholds lie 2 GiB below the free memory virsh reports at the start,
# with 256 MiB of hysteresis, and the filler takes 3.5 GiB: about 1.5 GiB
# from either edge, for what other processes do meanwhile. A machine whose
# free memory moves by more than 256 MiB in two seconds is too busy for the
# test, and one whose free memory did not cross an edge when it should have
# (virsh tells) makes it skip rather than blame the agent.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"

URI=qemu+unix:///system
GIB=$((1024 * 1024 * 1024))
HYSTERESIS=$((256 * 1024 * 1024))
FILL_KIB=$((7 * 512 * 1024))

# free_bytes [CELL]: what virsh freecell says, in bytes.
free_bytes() {
    local kib
    if [ $# -eq 0 ]; then
        kib=$(virsh_free_kib "$URI") || test_fail "virsh freecell failed"
    else
        virsh_freecells "$URI"
        kib=${VIRSH_CELL_KIB[$1]:-}
        [ -n "$kib" ] || test_fail "virsh freecell shows no cell $1"
    fi
    echo $((kib * 1024))
}

filler_rss_kib() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$FILLER_PID/status" 2>/dev/null
}

filler_is_full() {
    [ "$(filler_rss_kib)" -ge "$FILL_KIB" ]
}

fill_memory() {
    test_spawn filler "$TEST_TMPDIR/filler.out" python3 -c \
        "import time; b = b'x' * ($FILL_KIB * 1024); time.sleep(300)"
    FILLER_PID=$TEST_LAST_PID
    test_wait_until 60 "the filler to hold 3.5 GiB" filler_is_full
}

# expect_memory NAME OBJECT.INDEX THRESHOLD low|recovered: among the next
# notifications taken (they may come from one poll or two), NAME with its
# free memory on the right side of THRESHOLD.
expect_memory() {
    local name=$1 object=$2 threshold=$3 side=$4 free
    trap_expect "$name" "vmonConnConfiguredUri.1=$URI" \
        "$object=~^[0-9]+$" "vmonEventThreshold.0=$threshold"
    free=$(trap_value "$object")
    if [ "$side" = low ]; then
        [ "$free" -lt "$threshold" ] ||
            test_fail "$name with $free bytes free, threshold $threshold"
    else
        [ "$free" -gt $((threshold + HYSTERESIS)) ] ||
            test_fail "$name with $free bytes free, threshold $threshold + $HYSTERESIS"
    fi
}

# True when virsh sees the host's free memory on SIDE of the thresholds.
virsh_sees() {
    local free
    free=$(free_bytes)
    if [ "$1" = low ]; then
        [ "$free" -lt "$HOST_LOW" ]
    else
        [ "$free" -gt $((HOST_LOW + HYSTERESIS)) ]
    fi
}

# wait_for_pair SIDE: two more notifications within 30 s; if they do not
# come, the test fails only if virsh sees free memory where it should be.
wait_for_pair() {
    local i
    for i in $(seq 150); do
        traps_arrived $((TRAPS_SEEN + 2)) && return 0
        sleep 0.2
    done
    virsh_sees "$1" ||
        test_skip "other processes kept free memory from going $1 ($(free_bytes) bytes free, threshold $HOST_LOW)"
    test_fail "free memory went $1 ($(free_bytes) bytes), no notification"
}

# expect_pair low|recovered: a host and a cell notification, either order.
expect_pair() {
    local side=$1 kind n host=HostMemoryLow cell=CellMemoryLow
    [ "$side" = recovered ] && host=HostMemoryRecovered cell=CellMemoryRecovered
    wait_for_pair "$side"
    for n in 1 2; do
        trap_next
        if [ "$TRAP_OID" = "$(snmp_oid "vmon$host")" ]; then
            expect_memory "vmon$host" vmonNodeFreeMemory.1 "$HOST_LOW" "$side"
        else
            expect_memory "vmon$cell" vmonCellFreeMemory.1.1 "$CELL_LOW" "$side"
        fi
    done
}

test_crossings_are_reported_once_each_way() {
    sleep 3 # a few polls above the thresholds: nothing to report
    [ "$(traps_count)" -eq 0 ] || test_fail "notifications before any crossing"
    fill_memory
    expect_pair low
    test_stop filler
    expect_pair recovered
    sleep 3
    [ "$(traps_count)" -eq "$TRAPS_SEEN" ] ||
        test_fail "$(($(traps_count) - TRAPS_SEEN)) notifications more than expected"
}

# Sets HOST_LOW and CELL_LOW, or skips when free memory is short or moving.
pick_thresholds() {
    local first last
    first=$(free_bytes)
    sleep 2
    last=$(free_bytes)
    [ $((last > first ? last - first : first - last)) -le "$HYSTERESIS" ] ||
        test_skip "free memory moved from $first to $last bytes in 2 s"
    [ "$last" -gt $((6 * GIB)) ] || test_skip "only $last bytes free"
    HOST_LOW=$((last - 2 * GIB))
    CELL_LOW=$(($(free_bytes 0) - 2 * GIB))
}

traps_init
pick_thresholds
traps_start_agent "hostFreeMemoryLow $HOST_LOW" "cellFreeMemoryLow $CELL_LOW" \
    "freeMemoryHysteresis $HYSTERESIS" -- -u "$URI"
test_crossings_are_reported_once_each_way
test_note "all $TRAPS_SEEN notifications as expected"
