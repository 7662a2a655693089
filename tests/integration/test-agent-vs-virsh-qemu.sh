#!/bin/bash
# test-agent-vs-virsh-qemu.sh: virtmon-agent watching a private libvirtd with
# real QEMU guests agrees with virsh, down to every vCPU, disk and interface.
#
# The agent watches qemu:///system (three guests: one paused after it ran a
# little, so that its counters hold still; one running; one defined and shut
# off) and test+unix:///default, the test driver through the daemon. Both
# connections get every check of vs-virsh.sh; the guests' vCPU, disk and
# interface rows are compared with `virsh domstats`, `domblklist` and
# `domiflist`. Runs as root, in private mount and network namespaces, so the
# guests' tap devices and the daemon's sockets stay out of the host's sight.

# Automake may run .sh tests with /bin/sh; this one needs bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/vs-virsh.sh"
. "$here/libvirtd.sh"

QEMU=/usr/bin/qemu-system-x86_64
URIS=(qemu:///system test+unix:///default)
PAUSED_GUEST="qemu guest paused"
RUNNING_GUEST="qemu guest running"
OFF_GUEST="qemu guest — off"

[ "$(id -u)" -eq 0 ] || test_skip "a private libvirtd needs root"
[ -x "$QEMU" ] || test_skip "$QEMU is not installed"
command -v qemu-img >/dev/null || test_skip "qemu-img is not installed"
test_enter_network_namespace "$@"
libvirtd_enter_namespace "$@"
ip link set lo up || test_fail "cannot bring up lo in the network namespace"

# ---- guests -------------------------------------------------------------------

# guest_xml NAME VCPUS DISKS NICS: a 64 MiB TCG guest without an OS, whose
# BIOS reads the first disk once; disks alternate virtio and SATA, raw and
# qcow2; NICs are tap devices (in our network namespace) without traffic.
guest_xml() {
    local name=$1 vcpus=$2 disks=$3 nics=$4 i img bus dev fmt letters=(a b c d)
    printf "<domain type='qemu'><name>%s</name>\n" "$name"
    printf "<memory unit='MiB'>64</memory><currentMemory unit='MiB'>48</currentMemory>\n"
    printf "<vcpu current='%s'>%s</vcpu>\n" "$vcpus" $((vcpus + 1))
    printf "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>\n"
    printf "<devices><emulator>%s</emulator>\n" "$QEMU"
    for ((i = 0; i < disks; i++)); do
        img="$TEST_TMPDIR/${name// /-}-$i.img"
        if ((i % 2)); then bus=sata dev=sd fmt=qcow2; else bus=virtio dev=vd fmt=raw; fi
        qemu-img create -q -f "$fmt" "$img" $((8 + i))M ||
            test_fail "qemu-img cannot create '$img'"
        printf "<disk type='file' device='disk'><driver name='qemu' type='%s'/>" "$fmt"
        printf "<source file='%s'/><target dev='%s%s' bus='%s'/></disk>\n" \
            "$img" "$dev" "${letters[i / 2]}" "$bus"
    done
    for ((i = 0; i < nics; i++)); do
        printf "<interface type='ethernet'><model type='%s'/></interface>\n" \
            "$([ $((i % 2)) = 0 ] && echo virtio || echo e1000)"
    done
    printf "<memballoon model='virtio'/></devices></domain>\n"
}

virsh_rw() {
    libvirtd_virsh -q -c qemu:///system "$@"
}

start_guests() {
    guest_xml "$PAUSED_GUEST" 2 3 2 >"$TEST_TMPDIR/paused.xml"
    guest_xml "$RUNNING_GUEST" 1 1 1 >"$TEST_TMPDIR/running.xml"
    guest_xml "$OFF_GUEST" 1 1 0 >"$TEST_TMPDIR/off.xml"
    virsh_rw create "$TEST_TMPDIR/paused.xml" >/dev/null &&
        virsh_rw create "$TEST_TMPDIR/running.xml" >/dev/null &&
        virsh_rw define "$TEST_TMPDIR/off.xml" >/dev/null ||
        test_fail "cannot create the guests"
    # let the BIOS touch the first disk, then freeze the counters
    test_wait_until 20 "the BIOS to read the first disk" first_disk_was_read
    virsh_rw suspend "$PAUSED_GUEST" >/dev/null || test_fail "cannot pause a guest"
}

first_disk_was_read() {
    virsh_ro qemu:///system domstats --block -- "$PAUSED_GUEST" |
        grep -q '^ *block\.0\.rd\.reqs=[1-9]'
}

# ---- device rows against `virsh domstats` --------------------------------------

# domstats key -> VIRTMON-MIB column, per row kind.
declare -A DOMAIN_COLUMN=(
    [state.state]=vmonDomainStateCode [state.reason]=vmonDomainReasonCode
    [balloon.current]=vmonDomainMemCurrent [balloon.maximum]=vmonDomainMemMax
    [vcpu.current]=vmonDomainVcpuCurrent [vcpu.maximum]=vmonDomainVcpuMax
    [block.count]=vmonDomainDiskCount [net.count]=vmonDomainInterfaceCount
    [cpu.time]=vmonDomainCpuTime [cpu.user]=vmonDomainCpuUserTime
    [cpu.system]=vmonDomainCpuSystemTime
)
declare -A VCPU_COLUMN=(
    [time]=vmonVcpuTime [wait]=vmonVcpuWait [delay]=vmonVcpuDelay
)
declare -A BLOCK_COLUMN=(
    [name]=vmonDiskName [path]=vmonDiskPath
    [rd.reqs]=vmonDiskRdReqs [rd.bytes]=vmonDiskRdBytes [rd.times]=vmonDiskRdTime
    [wr.reqs]=vmonDiskWrReqs [wr.bytes]=vmonDiskWrBytes [wr.times]=vmonDiskWrTime
    [fl.reqs]=vmonDiskFlReqs [fl.times]=vmonDiskFlTime
    [capacity]=vmonDiskCapacity [allocation]=vmonDiskAllocation
    [physical]=vmonDiskPhysical
)
declare -A NET_COLUMN=(
    [name]=vmonInterfaceName
    [rx.bytes]=vmonInterfaceRxBytes [rx.pkts]=vmonInterfaceRxPackets
    [rx.errs]=vmonInterfaceRxErrors [rx.drop]=vmonInterfaceRxDrops
    [tx.bytes]=vmonInterfaceTxBytes [tx.pkts]=vmonInterfaceTxPackets
    [tx.errs]=vmonInterfaceTxErrors [tx.drop]=vmonInterfaceTxDrops
)
# libvirt's virVcpuState numbers for vmonVcpuState's labels.
declare -A VCPU_STATE_CODE=([offline]=0 [running]=1 [blocked]=2)
# Values that move even while a guest is paused (QEMU's own threads).
declare -A MOVING=([cpu.time]=1 [cpu.user]=1 [cpu.system]=1)

declare -A STATS

load_domstats() {
    local line
    STATS=()
    while IFS= read -r line; do
        [[ $line =~ ^\ *([^=]+)=(.*)$ ]] || continue
        STATS[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
    done < <(virsh_ro qemu:///system domstats --raw -- "$1")
}

# expect_stat WHAT OID KEY IS_FROZEN: a counter of a paused guest must equal
# virsh's; one of a running guest (read by virsh after the agent's poll)
# may not exceed it; times that move anyway may not exceed it either, and
# may lag it by at most what the host's CPUs run in the time since the walk
# began plus two poll intervals and 10 s for a loaded machine.
expect_stat() {
    local what=$1 oid=$2 key=$3 is_frozen=$4 want=${STATS[$3]} got slack
    if ! got=$(snmp_value "$oid"); then
        mismatch "$what: absent ($oid), virsh domstats $key=$want"
    elif [ -n "${MOVING[$key]:-}" ]; then
        slack=$(((SECONDS - WALKED_AT + 2 * SNMP_AGENT_INTERVAL + 10) *
            $(nproc) * 1000000000))
        if [ "$got" -gt "$want" ]; then
            mismatch "$what: agent $got is past virsh domstats $key=$want read after it"
        elif [ $((want - got)) -gt "$slack" ]; then
            mismatch "$what: agent $got, virsh domstats $key=$want (more than $slack behind)"
        fi
    elif [ "$is_frozen" = 1 ] && [ "$got" != "$want" ]; then
        mismatch "$what: agent '$got', virsh domstats $key=$want"
    elif [ "$is_frozen" != 1 ] && ! [ "$got" -le "$want" ] 2>/dev/null; then
        mismatch "$what: agent '$got' is past virsh domstats $key=$want"
    fi
}

# check_stat_key NAME UUID-INDEX KEY IS_FROZEN: one domstats key.
check_stat_key() {
    local name=$1 idx=$2 key=$3 is_frozen=$4 kind n field col row
    local what="domain '$name' $key"
    if [[ $key =~ ^(vcpu|block|net)\.([0-9]+)\.(.+)$ ]]; then
        kind=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]} field=${BASH_REMATCH[3]}
        row="1.$idx.$((n + 1))"
        case $kind in
            vcpu) col=${VCPU_COLUMN[$field]:-} ;;
            block) col=${BLOCK_COLUMN[$field]:-} ;;
            net) col=${NET_COLUMN[$field]:-} ;;
        esac
        if [ "$kind.$field" = vcpu.state ]; then
            check_vcpu_state "$what" "$(snmp_oid vmonVcpuState).$row" "${STATS[$key]}"
            return
        fi
    else
        col=${DOMAIN_COLUMN[$key]:-} row="1.$idx"
    fi
    [ -n "$col" ] || return 0
    case $field in
        name | path) expect_text "$what" "$(snmp_oid "$col").$row" "${STATS[$key]}" ;;
        *) expect_stat "$what" "$(snmp_oid "$col").$row" "$key" "$is_frozen" ;;
    esac
}

check_vcpu_state() {
    local what=$1 oid=$2 want=$3 got
    if ! got=$(snmp_value "$oid"); then
        mismatch "$what: absent ($oid), virsh domstats says $want"
    elif [ "${VCPU_STATE_CODE[$got]:-?}" != "$want" ]; then
        mismatch "$what: agent '$got', virsh domstats $want"
    fi
}

# The agent has as many vCPU, disk and interface rows as domstats entries.
check_row_counts() {
    local name=$1 idx=$2 kind col want key
    for kind in vcpu block net; do
        case $kind in
            vcpu) col=vmonVcpuNumber ;;
            block) col=vmonDiskName ;;
            net) col=vmonInterfaceName ;;
        esac
        want=0
        for key in "${!STATS[@]}"; do
            [[ $key =~ ^$kind\.[0-9]+\.(state|name)$ ]] && want=$((want + 1))
        done
        [ "$(snmp_count_rows "$(snmp_oid "$col")" "1.$idx")" = "$want" ] ||
            mismatch "domain '$name': $(snmp_count_rows "$(snmp_oid "$col")" "1.$idx") $kind rows, virsh domstats has $want"
    done
}

# domblklist and domiflist: the same disks and interfaces, another view.
check_device_lists() {
    local name=$1 idx=$2 n=1 target source iface
    while read -r target source; do
        expect_text "domain '$name' disk $n (domblklist)" \
            "$(snmp_oid vmonDiskName).1.$idx.$n" "$target"
        expect_text "domain '$name' disk $n path (domblklist)" \
            "$(snmp_oid vmonDiskPath).1.$idx.$n" "$source"
        n=$((n + 1))
    done < <(virsh_ro qemu:///system domblklist -- "$name" | tail -n +3 | sed '/^$/d')
    n=1
    while read -r iface _; do
        expect_text "domain '$name' interface $n (domiflist)" \
            "$(snmp_oid vmonInterfaceName).1.$idx.$n" "$iface"
        n=$((n + 1))
    done < <(virsh_ro qemu:///system domiflist -- "$name" | tail -n +3 | sed '/^$/d')
}

check_guest_devices() {
    local name=$1 is_frozen=$2 idx key
    idx=$(snmp_uuid_index "$(virsh_ro qemu:///system domuuid -- "$name")")
    # the agent first, virsh after it: a counter may only have grown since
    WALKED_AT=$SECONDS
    snmp_load_walk snmpbulkwalk vmonObjects
    load_domstats "$name"
    test_note "checking the devices of '$name' against virsh domstats"
    for key in "${!STATS[@]}"; do
        check_stat_key "$name" "$idx" "$key" "$is_frozen"
    done
    check_row_counts "$name" "$idx"
    check_device_lists "$name" "$idx"
}

# ---- the test -------------------------------------------------------------------

snmp_init
test_at_exit libvirtd_cleanup
libvirtd_start || test_fail "the private libvirtd did not start"
start_guests
snmp_start_snmpd
snmp_start_agent -u "${URIS[0]}" -u "${URIS[1]}"

# Free memory of a real host moves between the agent's poll and virsh.
VS_FREE_SLACK_KIB=$(($(virsh_ro qemu:///system nodeinfo |
    virsh_field 'Memory size' | tr -dc 0-9) / 20))
vs_virsh_check_all "${URIS[@]}"
check_guest_devices "$PAUSED_GUEST" 1
check_guest_devices "$RUNNING_GUEST" 0
[ "$MISMATCHES" -eq 0 ] || test_fail "$MISMATCHES values differ from virsh"
test_note "agent and virsh agree on ${URIS[*]}"
