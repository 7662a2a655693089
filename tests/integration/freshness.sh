# freshness.sh: what the freshness tests share (sourced, after libvirtd.sh
# has entered its namespace and snmp.sh is loaded): busy QEMU guests on the
# private libvirtd, single-value GETs, and a notification finder for the
# collectd plugin's.

QEMU=/usr/bin/qemu-system-x86_64
FRESH_URI=qemu:///system

fresh_virsh_rw() {
    LC_ALL=C libvirtd_virsh -q -c "$FRESH_URI" "$@" >/dev/null ||
        test_fail "virsh $* failed"
}

# A disk whose boot sector the BIOS reads once and runs: after each timer
# tick (18.2 a second) it spins through 4 Mi loop iterations, then halts
# until the next one, so that its vCPU time advances every second at a few
# percent of a core:
#   sti; again: mov dx,64; outer: mov cx,0; inner: loop inner;
#   dec dx; jnz outer; hlt; jmp again
FRESH_BOOT_CODE='\xfb\xba\x40\x00\xb9\x00\x00\xe2\xfe\x4a\x75\xf8\xf4\xeb\xf2'
fresh_boot_disk() {
    local img=$1
    truncate -s 1M "$img"
    printf "$FRESH_BOOT_CODE" | dd of="$img" conv=notrunc status=none
    printf '\x55\xaa' | dd of="$img" bs=1 seek=510 conv=notrunc status=none
}

# fresh_start_guest NAME: a transient 64 MiB TCG guest with one vCPU, the
# spinning boot disk (vda) and a virtio balloon.
fresh_start_guest() {
    local name=$1 img="$TEST_TMPDIR/$1.img"
    fresh_boot_disk "$img"
    cat >"$TEST_TMPDIR/$name.xml" <<EOF
<domain type='qemu'><name>$name</name>
<memory unit='MiB'>64</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
<devices><emulator>$QEMU</emulator>
<disk type='file' device='disk'><driver name='qemu' type='raw'/>
  <source file='$img'/><target dev='vda' bus='virtio'/></disk>
<memballoon model='virtio'/></devices></domain>
EOF
    fresh_virsh_rw create "$TEST_TMPDIR/$name.xml"
}

# fresh_qemu_pid NAME: the pid of the guest's QEMU, from libvirtd's pid file.
fresh_qemu_pid() {
    local pid
    pid=$(cat "/run/libvirt/qemu/$1.pid" 2>/dev/null) && [ -n "$pid" ] ||
        test_fail "no pid file for '$1'"
    printf '%s\n' "$pid"
}

# fresh_row NAME: "1.<uuid>" of the guest on connection 1.
fresh_row() {
    printf '1.%s\n' "$(snmp_uuid_index "$(virsh_ro "$FRESH_URI" domuuid -- "$1")")"
}

# agent_get OBJECT INSTANCE: one value, enums and TruthValues as numbers;
# fails when the instance (or the object, in this MIB) does not exist.
agent_get() {
    local oid out
    oid=$(snmp_oid "$1") || return 1
    out=$(snmp_cmd snmpget -On -Oqv -Oe -Ot -OU -- "$oid.$2" 2>&1) || return 1
    case $out in
        'No Such'* | *'No more variables'* | '') return 1 ;;
    esac
    printf '%s\n' "${out%\"}" | sed 's/^"//'
}

agent_has() {
    agent_get "$@" >/dev/null
}

# agent_is OBJECT INSTANCE VALUE
agent_is() {
    [ "$(agent_get "$1" "$2")" = "$3" ]
}

# TruthValue numbers
SNMP_TRUE=1
SNMP_FALSE=2

# virsh_stat NAME KEY [GROUP OPTIONS...]: one raw `virsh domstats` value.
virsh_stat() {
    local name=$1 key=$2
    shift 2
    virsh_ro "$FRESH_URI" domstats --raw "$@" -- "$name" |
        sed -n "s/^ *$(printf '%s' "$key" | sed 's/\./\\./g')=//p"
}

# collectd_find_text_notification SEVERITY TEXT...: a stored collectd
# notification of SEVERITY that contains every TEXT (case-insensitive).
collectd_find_text_notification() {
    local severity=$1 f text
    shift
    for f in "$COLLECTD_SINK_DIR"/.n.*.txt; do
        [ -f "$f" ] || continue
        grep -qxF "Severity: $severity" "$f" || continue
        for text in "$@"; do
            grep -qiF -- "$text" "$f" || continue 2
        done
        return 0
    done
    return 1
}

# csv_lines HOST TYPE_FILE: the number of values written to the plugin's
# csv file (0 when there is none yet).
csv_lines() {
    local file
    file=$(collectd_csv_file "$(collectd_host_name "$1")" virtmon "$2") || {
        echo 0
        return
    }
    grep -vc '^epoch' "$file"
}
