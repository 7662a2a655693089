# guests.sh: sourced by run.sh. Small QEMU/TCG guests for the private
# libvirtd: 64 MiB, one vCPU, a 16 MiB qcow2 disk, one NIC.
#
# The disk is blank but for a boot sector that disables interrupts and halts
# (cli; hlt), so a running guest costs the host next to nothing once booted,
# instead of looping in the BIOS looking for a bootable disk.
# The NIC is type='ethernet': libvirt makes a tap device with no bridge, so
# interface statistics are real, and the tap lives in the benchmark's own
# network namespace. Most guests start paused so that two cores stay
# responsive; a tenth of them (at most 20) run.

BENCH_GUESTS=0
BENCH_RUNNING=0
BENCH_GROW_ERROR=
BENCH_MAX_RUNNING=${BENCH_MAX_RUNNING:-20}

bench_virsh() {
    virsh -q -c qemu:///system "$@"
}

# How many of N guests run.
bench_running_for() {
    local n=$1 r
    r=$(((n + 9) / 10))
    [ "$r" -gt "$BENCH_MAX_RUNNING" ] && r=$BENCH_MAX_RUNNING
    echo "$r"
}

# A qcow2 image that every guest's disk is a copy of.
bench_guest_base_disk() {
    local dir=$1
    mkdir -p "$dir/disks"
    [ -f "$dir/disks/base.qcow2" ] && return 0
    # cli; hlt; jmp back to hlt; then the boot signature at offset 510
    {
        printf '\xfa\xf4\xeb\xfd'
        head -c 506 /dev/zero
        printf '\x55\xaa'
    } > "$dir/disks/base.raw"
    truncate -s 16M "$dir/disks/base.raw"
    qemu-img convert -q -f raw -O qcow2 "$dir/disks/base.raw" "$dir/disks/base.qcow2"
    rm -f "$dir/disks/base.raw"
}

bench_guest_xml() {
    local name=$1 disk=$2
    cat <<XML
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$disk'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='ethernet'><model type='virtio'/></interface>
  </devices>
</domain>
XML
}

# bench_guest_add DIR INDEX STARTMODE(--paused or empty)
bench_guest_add() {
    local dir=$1 i=$2 mode=$3 name disk
    name=$(printf 'bench%03d' "$i")
    disk="$dir/disks/$name.qcow2"
    bench_guest_base_disk "$dir" || return 1
    cp "$dir/disks/base.qcow2" "$disk" || return 1
    bench_guest_xml "$name" "$disk" > "$dir/disks/$name.xml"
    bench_virsh define "$dir/disks/$name.xml" >/dev/null || return 1
    bench_virsh start "$name" $mode >/dev/null || return 1
}

bench_mem_available_mib() {
    awk '/^MemAvailable/ { printf "%d\n", $2 / 1024 }' /proc/meminfo
}

# bench_guests_grow DIR N MIN_MIB: add guests until there are N, keeping the share
# of running ones: new guests start running until the running share is met.
# Guests are only ever added, so one run walks up the sizes.
# Stops (BENCH_GROW_ERROR says why) when a guest fails to start or when the
# host would keep less than MIN_MIB of memory available to others.
bench_guests_grow() {
    local dir=$1 n=$2 min_mib=$3 want_running mode
    want_running=$(bench_running_for "$n")
    while [ "$BENCH_GUESTS" -lt "$n" ]; do
        if [ "$(bench_mem_available_mib)" -lt "$min_mib" ]; then
            BENCH_GROW_ERROR="less than $min_mib MiB of memory left available"
            return 1
        fi
        mode=--paused
        if [ "$BENCH_RUNNING" -lt "$want_running" ]; then
            mode=
        fi
        bench_guest_add "$dir" $((BENCH_GUESTS + 1)) "$mode" || {
            BENCH_GROW_ERROR="guest $((BENCH_GUESTS + 1)) did not start"
            return 1
        }
        BENCH_GUESTS=$((BENCH_GUESTS + 1))
        if [ -z "$mode" ]; then
            BENCH_RUNNING=$((BENCH_RUNNING + 1))
        fi
    done
}

# CPU time all guests have used, in ns.
bench_guests_cpu_ns() {
    local pid
    for pid in $(bench_qemu_pids); do
        cat /proc/"$pid"/task/*/schedstat 2>/dev/null
    done | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# Guests just started or resumed boot through the BIOS before they halt:
# wait (up to 5 minutes) until they are down to their halted rate. A halted
# guest's QEMU still runs its timers (about 2 ms of CPU a second), a booting
# one uses a whole core: allow 5% of a core plus 1% per running guest.
bench_guests_wait_idle() {
    local i c0 c1 limit
    limit=$((50 + 10 * BENCH_RUNNING))
    for i in $(seq 150); do
        c0=$(bench_guests_cpu_ns)
        sleep 2
        c1=$(bench_guests_cpu_ns)
        [ $(((c1 - c0) / 2000000)) -lt "$limit" ] && return 0
    done
    echo "guests still busy after 5 minutes" >&2
    return 1
}
