#!/bin/bash
# test-collectd-qemu.sh: for a real QEMU guest (TCG) on a private libvirtd,
# the CPU, vCPU, memory, disk and interface values collectd's virtmon plugin
# writes equal what `virsh domstats` says, in collectd's units; a guest
# panic is a failure notification.
#
# The guest has no OS: SeaBIOS reads its disk, iPXE asks for DHCP on its
# network card, which is I/O enough. It is paused before the comparison, so
# that no counter moves between the plugin's poll and virsh's call. The test
# runs in a network namespace of its own, where the guest's tap device lives.

if [ "${VIRTMON_TEST_NETNS:-}" != 1 ]; then
    if [ "$(id -u)" -ne 0 ] || ! unshare -n true 2>/dev/null; then
        echo "SKIP: needs root and a network namespace"
        exit 77
    fi
    export VIRTMON_TEST_NETNS=1
    exec unshare -n -- "$BASH" "$0" "$@"
fi
# only the guest talks on the tap: no IPv6 chatter from this side
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1 2>/dev/null

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
# re-runs this script in a private mount namespace (as root), or skips
libvirtd_enter_namespace "$@"
. "$here/collectd.sh"
. "$here/virsh.sh"

QEMU=/usr/bin/qemu-system-x86_64
collectd_require
[ -x "$QEMU" ] || test_skip "no $QEMU"

URI=qemu:///system
GUEST=virtmon-guest
DISK=vda
SKIPPED_DISK=vdb # named by BlockDevice with IgnoreSelected true
TAP=vmtap0
MISMATCHES=0

mismatch() {
    printf 'MISMATCH: %s\n' "$*" >&2
    MISMATCHES=$((MISMATCHES + 1))
}

rw_virsh() {
    LC_ALL=C libvirtd_virsh -c "$URI" "$@" >/dev/null ||
        test_fail "virsh $* failed"
}

# A transient 64 MiB guest with two raw disks, a network card on a tap
# device and a pvpanic device.
start_guest() {
    truncate -s 16M "$TEST_TMPDIR/disk.img"
    truncate -s 1M "$TEST_TMPDIR/skipped.img"
    cat >"$TEST_TMPDIR/guest.xml" <<EOF
<domain type='qemu'>
  <name>$GUEST</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='hd'/>
    <boot dev='network'/>
  </os>
  <on_crash>preserve</on_crash>
  <devices>
    <emulator>$QEMU</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$TEST_TMPDIR/disk.img'/>
      <target dev='$DISK' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$TEST_TMPDIR/skipped.img'/>
      <target dev='$SKIPPED_DISK' bus='virtio'/>
    </disk>
    <interface type='ethernet'>
      <target dev='$TAP'/>
      <model type='virtio'/>
    </interface>
    <panic model='isa'><address type='isa' iobase='0x505'/></panic>
  </devices>
</domain>
EOF
    rw_virsh create "$TEST_TMPDIR/guest.xml"
}

# DOMSTATS[field]: `virsh domstats` of the guest, every group.
read_domstats() {
    local line
    declare -gA DOMSTATS=()
    while IFS= read -r line; do
        line=${line#"${line%%[! ]*}"}
        [[ $line == *=* ]] && DOMSTATS[${line%%=*}]=${line#*=}
    done < <(virsh_ro "$URI" domstats -- "$GUEST")
}

# expect_values WHAT TYPE_FILE WANT: the guest's newest csv line, as
# integers joined by ",", must be WANT.
expect_values() {
    local what=$1 file=$2 want=$3 got
    if ! got=$(collectd_csv_integers "$GUEST" virtmon "$file"); then
        mismatch "$what: not written ($file), virsh says '$want'"
        return
    fi
    [ "$got" = "$want" ] || mismatch "$what: collectd '$got', virsh '$want'"
}

# expect_recent WHAT TYPE_FILE SLACK WANT_COMMAND...: counters that QEMU's
# own threads advance a little even while the guest is paused (the
# process's CPU time). The csv value is read first, then WANT_COMMAND asks
# virsh: each written value is at most virsh's, and at most SLACK below.
expect_recent() {
    local what=$1 file=$2 slack=$3 raw want_raw i
    local -a got want
    shift 3
    raw=$(collectd_csv_values "$GUEST" virtmon "$file") || raw=
    read_domstats
    want_raw=$("$@")
    if [ -z "$raw" ]; then
        mismatch "$what: not written ($file), virsh says '$want_raw'"
        return
    fi
    IFS=, read -ra got <<<"$raw"
    IFS=, read -ra want <<<"$want_raw"
    for i in "${!want[@]}"; do
        got[i]=$(collectd_integer "${got[i]}") || got[i]=-1
        if [ "${got[i]}" -gt "${want[i]}" ] ||
            [ "${got[i]}" -lt $((want[i] - slack)) ]; then
            mismatch "$what: collectd '$raw', virsh '$want_raw' read after it (slack $slack)"
            return
        fi
    done
}

cpu_time_ns() {
    domstat cpu.time
}

cpu_user_system_us() {
    printf '%s,%s\n' "$(($(domstat cpu.user) / 1000))" \
        "$(($(domstat cpu.system) / 1000))"
}

domstat() {
    [ -n "${DOMSTATS[$1]}" ] || test_fail "virsh domstats lacks '$1'"
    printf '%s\n' "${DOMSTATS[$1]}"
}

# ---- run ----------------------------------------------------------------------

test_at_exit libvirtd_cleanup
libvirtd_start || test_fail "cannot start a private libvirtd"
start_guest

CONF=$TEST_TMPDIR/collectd.conf
{
    collectd_globals csv exec
    collectd_csv_block
    collectd_exec_sink_block
    collectd_virtmon_block <<EOF
  Connection "$URI" "qemu"
  RefreshInterval 1
  BlockDevice "$GUEST:$SKIPPED_DISK"
  IgnoreSelected true
EOF
} >"$CONF"
collectd_start "$CONF"
test_wait_until 30 "the guest's disk values" \
    collectd_csv_has "$GUEST" virtmon "disk_octets-$DISK"
# until iPXE has sent something
has_sent() {
    read_domstats
    [ "${DOMSTATS[net.0.tx.pkts]:-0}" -gt 0 ]
}
test_wait_until 30 "the guest's first packets" has_sent

rw_virsh suspend "$GUEST"
is_paused_in_csv() {
    [ "$(collectd_csv_values "$GUEST" virtmon domain_state)" = \
        "3.000000,1.000000" ]
}
# a poll after the pause has the final counters; let its writes land
test_wait_until 20 "the paused state in collectd" is_paused_in_csv
sleep 2
read_domstats

expect_values "state,reason" domain_state \
    "$(domstat state.state),$(domstat state.reason)"
expect_recent "CPU time (ns)" virt_cpu_total 500000000 cpu_time_ns
expect_recent "user,system CPU time (us)" ps_cputime 500000 cpu_user_system_us
expect_values "vCPU 0 time (ns)" virt_vcpu-0 "$(domstat vcpu.0.time)"
expect_values "vCPUs" vcpu-current "$(domstat vcpu.current)"
expect_values "maximum vCPUs" vcpu-maximum "$(domstat vcpu.maximum)"
expect_values "memory (bytes)" memory-total \
    "$(($(domstat balloon.current) * 1024))"
expect_values "maximum memory (bytes)" memory-max \
    "$(($(domstat balloon.maximum) * 1024))"
expect_values "disk bytes read,written" "disk_octets-$DISK" \
    "$(domstat block.0.rd.bytes),$(domstat block.0.wr.bytes)"
expect_values "disk requests read,written" "disk_ops-$DISK" \
    "$(domstat block.0.rd.reqs),$(domstat block.0.wr.reqs)"
expect_values "disk time read,written (ms)" "disk_time-$DISK" \
    "$(($(domstat block.0.rd.times) / 1000000)),$(($(domstat block.0.wr.times) / 1000000))"
expect_values "disk flushes" "total_requests-flush-$DISK" \
    "$(domstat block.0.fl.reqs)"
expect_values "disk flush time (ms)" "total_time_in_ms-flush-$DISK" \
    "$(($(domstat block.0.fl.times) / 1000000))"
expect_values "disk capacity (bytes)" "disk_capacity-$DISK" \
    "$(domstat block.0.capacity)"
expect_values "disk allocation (bytes)" "disk_allocation-$DISK" \
    "$(domstat block.0.allocation)"
expect_values "disk physical size (bytes)" "disk_physical-$DISK" \
    "$(domstat block.0.physical)"
for pair in "if_octets bytes" "if_packets pkts" "if_errors errs" \
    "if_dropped drop"; do
    set -- $pair
    expect_values "interface $2 received,sent" "$1-$TAP" \
        "$(domstat "net.0.rx.$2"),$(domstat "net.0.tx.$2")"
done
[ "$(domstat net.0.name)" = "$TAP" ] ||
    mismatch "virsh names the interface '$(domstat net.0.name)', not '$TAP'"
[ "$(domstat block.0.name)" = "$DISK" ] ||
    mismatch "virsh's first disk is '$(domstat block.0.name)'"
[ "$(domstat block.1.name)" = "$SKIPPED_DISK" ] ||
    mismatch "virsh's second disk is '$(domstat block.1.name)'"
collectd_csv_has "$GUEST" virtmon "disk_octets-$SKIPPED_DISK" &&
    mismatch "values of $SKIPPED_DISK written despite BlockDevice"
[ "$(domstat block.0.rd.reqs)" -gt 0 ] ||
    mismatch "the guest read nothing: the disk comparison proves little"
[ "$(domstat net.0.tx.pkts)" -gt 0 ] ||
    mismatch "the guest sent nothing: the interface comparison proves little"

# the guest panics: QEMU's pvpanic device, written from its monitor
uuid=$(virsh_ro "$URI" domuuid "$GUEST")
rw_virsh resume "$GUEST"
rw_virsh qemu-monitor-command "$GUEST" --hmp 'o /b 0x505 1'
collectd_expect_notification 15 "Severity: FAILURE" "Host: $GUEST" \
    "Type: domain_state" "uuid: $uuid" "event: crashed (panicked)" ||
    mismatch "no failure notification of the guest's panic"

[ "$MISMATCHES" -eq 0 ] || test_fail "$MISMATCHES value(s) differ from virsh"
test_note "a QEMU guest's values in collectd equal virsh domstats; its panic is a failure"
