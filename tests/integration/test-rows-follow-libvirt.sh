#!/bin/bash
# test-rows-follow-libvirt.sh: virtmon's vCPU, disk and interface rows and
# counts are exactly the ones libvirt reports, holes in libvirt's numbering
# included, in virtmon-agent and in the collectd plugin.
#
# Two QEMU TCG guests on a private libvirtd: one with a user-mode NIC (no
# host-side device, so no net.0.* statistics) before a tap NIC, an empty
# CD-ROM drive before a disk, and four hot-pluggable vCPUs of which 1 and 3
# are offline (libvirt reports vcpu.0 and vcpu.2); one with three NICs: tap,
# user, tap. The truth is `virsh domstats` (net.count, block.count and the
# N of net.N.name, block.N.name, vcpu.N.state), `vcpuinfo`, `domiflist` and
# `domblklist`. Runs as root in private mount and network namespaces.

# Automake may run .sh tests with /bin/sh; this one needs bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/snmp.sh"
. "$here/collectd.sh"
. "$here/virsh.sh"
. "$here/libvirtd.sh"

QEMU=/usr/bin/qemu-system-x86_64
URI=qemu:///system
HOLES_GUEST="rows user nic first"
MIXED_GUEST="rows three nics"
GUESTS=("$HOLES_GUEST" "$MIXED_GUEST")
MISMATCHES=0

[ "$(id -u)" -eq 0 ] || test_skip "a private libvirtd needs root"
[ -x "$QEMU" ] || test_skip "$QEMU is not installed"
test_enter_network_namespace "$@"
libvirtd_enter_namespace "$@"
ip link set lo up || test_fail "cannot bring up lo in the network namespace"

mismatch() {
    printf 'MISMATCH: %s\n' "$*" >&2
    MISMATCHES=$((MISMATCHES + 1))
}

# ---- guests -------------------------------------------------------------------

# nic_xml KIND MODEL: a user-mode NIC or a tap device (type ethernet).
nic_xml() {
    printf "<interface type='%s'><model type='%s'/></interface>\n" "$1" "$2"
}

holes_guest_xml() {
    truncate -s 8M "$TEST_TMPDIR/holes.img"
    cat <<EOF
<domain type='qemu'><name>$HOLES_GUEST</name>
<memory unit='MiB'>64</memory>
<vcpu current='2'>4</vcpu>
<vcpus>
  <vcpu id='0' enabled='yes' hotpluggable='no' order='1'/>
  <vcpu id='1' enabled='no' hotpluggable='yes'/>
  <vcpu id='2' enabled='yes' hotpluggable='yes' order='2'/>
  <vcpu id='3' enabled='no' hotpluggable='yes'/>
</vcpus>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
<devices><emulator>$QEMU</emulator>
<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>
  <target dev='hdc' bus='ide'/><readonly/></disk>
<disk type='file' device='disk'><driver name='qemu' type='raw'/>
  <source file='$TEST_TMPDIR/holes.img'/><target dev='vda' bus='virtio'/></disk>
$(nic_xml user virtio)
$(nic_xml ethernet e1000)
<memballoon model='virtio'/></devices></domain>
EOF
}

mixed_guest_xml() {
    truncate -s 8M "$TEST_TMPDIR/mixed.img"
    cat <<EOF
<domain type='qemu'><name>$MIXED_GUEST</name>
<memory unit='MiB'>64</memory>
<vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
<devices><emulator>$QEMU</emulator>
<disk type='file' device='disk'><driver name='qemu' type='raw'/>
  <source file='$TEST_TMPDIR/mixed.img'/><target dev='vda' bus='virtio'/></disk>
$(nic_xml ethernet virtio)
$(nic_xml user e1000)
$(nic_xml ethernet e1000)
<memballoon model='virtio'/></devices></domain>
EOF
}

start_guests() {
    holes_guest_xml >"$TEST_TMPDIR/holes.xml"
    mixed_guest_xml >"$TEST_TMPDIR/mixed.xml"
    libvirtd_virsh -q -c "$URI" create "$TEST_TMPDIR/holes.xml" >/dev/null &&
        libvirtd_virsh -q -c "$URI" create "$TEST_TMPDIR/mixed.xml" >/dev/null ||
        test_fail "cannot create the guests"
}

# ---- what libvirt reports -------------------------------------------------------

# load_truth NAME: STATS[key] from `virsh domstats --raw`, and the sorted
# N of each kind's entries in WANT_N[vcpu|block|net] ("0 2").
declare -A STATS WANT_N
load_truth() {
    local line kind
    STATS=()
    while IFS= read -r line; do
        [[ $line =~ ^\ *([^=]+)=(.*)$ ]] || continue
        STATS[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
    done < <(virsh_ro "$URI" domstats --raw --vcpu --block --interface -- "$1")
    for kind in vcpu block net; do
        WANT_N[$kind]=$(entries_of "$kind")
    done
}

# entries_of KIND: the N of every vcpu.N.state, block.N.name or net.N.name.
entries_of() {
    local key field=name
    [ "$1" = vcpu ] && field=state
    for key in "${!STATS[@]}"; do
        [[ $key =~ ^$1\.([0-9]+)\.$field$ ]] && echo "${BASH_REMATCH[1]}"
    done | sort -n | xargs
}

# What the other views say: `vcpuinfo` ids, named `domiflist` interfaces,
# `domblklist` targets; each list sorted, blank-separated.
vcpuinfo_ids() {
    virsh_ro "$URI" vcpuinfo -- "$1" | sed -n 's/^VCPU: *//p' | sort -n | xargs
}

domiflist_names() {
    virsh_ro "$URI" domiflist -- "$1" | tail -n +3 | awk 'NF && $1 != "-" { print $1 }' |
        sort | xargs
}

domiflist_count() {
    virsh_ro "$URI" domiflist -- "$1" | tail -n +3 | awk 'NF' | wc -l
}

domblklist_targets() {
    virsh_ro "$URI" domblklist -- "$1" | tail -n +3 | awk 'NF { print $1 }' | sort | xargs
}

# names_of KIND: the sorted names libvirt gives the entries of KIND.
names_of() {
    local n
    for n in ${WANT_N[$1]}; do
        printf '%s\n' "${STATS[$1.$n.name]}"
    done | sort | xargs
}

expect_same() {
    [ "$2" = "$3" ] || mismatch "$1: virtmon '$2', virsh '$3'"
}

# ---- the agent ----------------------------------------------------------------------

# column_cells COLUMN PREFIX: "X VALUE" for every loaded OID
# COLUMN.PREFIX.X, one a line.
column_cells() {
    local oid
    for oid in "${!SNMP_VALUES[@]}"; do
        [[ $oid == "$1.$2".* ]] && printf '%s %s\n' "${oid##*.}" "${SNMP_VALUES[$oid]}"
    done
}

# row_suffixes COLUMN PREFIX: the row indexes X, sorted.
row_suffixes() {
    column_cells "$@" | cut -d' ' -f1 | sort -n | xargs
}

# agent_values COLUMN PREFIX: the numbers of a column, sorted.
agent_values() {
    column_cells "$@" | cut -d' ' -f2 | sort -n | xargs
}

# The MIB's row index of libvirt's entry N is N + 1.
plus_one() {
    local n out=()
    for n in $1; do out+=($((n + 1))); done
    echo "${out[*]}"
}

# agent_names COLUMN PREFIX: the decoded strings of a column, sorted.
agent_names() {
    local row hex
    column_cells "$@" | while read -r row hex; do
        printf '%s\n' "$(snmp_hex_text "$hex")"
    done | sort | xargs
}

expect_count() {
    local what=$1 oid=$2 want=$3 got
    if [ -z "$want" ]; then
        got=$(snmp_value "$oid") && mismatch "$what: agent $got, virsh reports none"
    elif ! got=$(snmp_value "$oid"); then
        mismatch "$what: absent, virsh says $want"
    else
        expect_same "$what" "$got" "$want"
    fi
}

check_agent_rows() {
    local name=$1 row kind col n
    local -a count_of
    row=1.$(snmp_uuid_index "$(virsh_ro "$URI" domuuid -- "$name")")
    load_truth "$name"
    test_note "'$name': libvirt reports vcpu ${WANT_N[vcpu]}, block ${WANT_N[block]} of ${STATS[block.count]}, net ${WANT_N[net]} of ${STATS[net.count]}"
    # rows: exactly libvirt's entries, in libvirt's numbering
    expect_same "'$name' vCPU rows" "$(row_suffixes "$(snmp_oid vmonVcpuNumber)" "$row")" \
        "$(plus_one "${WANT_N[vcpu]}")"
    expect_same "'$name' disk rows" "$(row_suffixes "$(snmp_oid vmonDiskName)" "$row")" \
        "$(plus_one "${WANT_N[block]}")"
    expect_same "'$name' interface rows" \
        "$(row_suffixes "$(snmp_oid vmonInterfaceName)" "$row")" \
        "$(plus_one "${WANT_N[net]}")"
    for n in ${WANT_N[vcpu]}; do
        expect_count "'$name' vCPU $n number" "$(snmp_oid vmonVcpuNumber).$row.$((n + 1))" "$n"
    done
    for n in ${WANT_N[block]}; do
        col="$(snmp_oid vmonDiskName).$row.$((n + 1))"
        snmp_value "$col" >/dev/null &&
            expect_same "'$name' disk $n name" "$(snmp_hex_text "$(snmp_value "$col")")" \
                "${STATS[block.$n.name]}"
        col="$(snmp_oid vmonDiskPath).$row.$((n + 1))"
        if [ -n "${STATS[block.$n.path]:-}" ]; then
            snmp_value "$col" >/dev/null &&
                expect_same "'$name' disk $n path" "$(snmp_hex_text "$(snmp_value "$col")")" \
                    "${STATS[block.$n.path]}"
        elif snmp_value "$col" >/dev/null; then
            mismatch "'$name' disk $n path: agent '$(snmp_hex_text "$(snmp_value "$col")")', virsh reports none"
        fi
    done
    for n in ${WANT_N[net]}; do
        col="$(snmp_oid vmonInterfaceName).$row.$((n + 1))"
        snmp_value "$col" >/dev/null &&
            expect_same "'$name' interface $n name" \
                "$(snmp_hex_text "$(snmp_value "$col")")" "${STATS[net.$n.name]}"
    done
    # counts: libvirt's
    expect_count "'$name' vmonDomainInterfaceCount" \
        "$(snmp_oid vmonDomainInterfaceCount).$row" "${STATS[net.count]:-}"
    expect_count "'$name' vmonDomainDiskCount" \
        "$(snmp_oid vmonDomainDiskCount).$row" "${STATS[block.count]:-}"
    read -ra count_of <<<"${WANT_N[vcpu]}"
    expect_count "'$name' vmonDomainVcpuCount" \
        "$(snmp_oid vmonDomainVcpuCount).$row" "${#count_of[@]}"
    # the other views of the same devices
    expect_same "'$name' vCPU numbers (vcpuinfo)" \
        "$(agent_values "$(snmp_oid vmonVcpuNumber)" "$row")" "$(vcpuinfo_ids "$name")"
    expect_same "'$name' interface names (domiflist)" \
        "$(agent_names "$(snmp_oid vmonInterfaceName)" "$row")" "$(domiflist_names "$name")"
    expect_same "'$name' vmonDomainInterfaceCount (domiflist lines)" \
        "$(snmp_value "$(snmp_oid vmonDomainInterfaceCount).$row")" "$(domiflist_count "$name")"
    expect_same "'$name' disk names (domblklist)" \
        "$(agent_names "$(snmp_oid vmonDiskName)" "$row")" "$(domblklist_targets "$name")"
    check_snmptable "$name" "$row"
}

# snmptable renders each device table with default options; its rows for
# the guest are the walk's.
check_snmptable() {
    local name=$1 row=$2 table kind rows
    for table in vmonVcpuTable:vcpu vmonDiskTable:block vmonInterfaceTable:net; do
        kind=${table#*:}
        table=${table%:*}
        rows=$(snmp_cmd snmptable -Ob -Ci -Cf '|' -OU -- "$(snmp_oid "$table")" |
            awk -F'|' -v p="$row." 'index($1, p) == 1 { n = split($1, a, "."); print a[n] }' |
            sort -n | xargs)
        expect_same "'$name' $table rows (snmptable)" "$rows" "$(plus_one "${WANT_N[$kind]}")"
    done
}

# ---- the collectd plugin ----------------------------------------------------------

# csv_instances NAME TYPE: the type instances of the guest's csv files of
# TYPE, sorted; an empty instance shows as "<none>".
csv_instances() {
    local f base
    for f in "$COLLECTD_CSV_DIR/$(collectd_host_name "$1")/virtmon/$2"*; do
        [ -f "$f" ] || continue
        base=$(basename "$f")
        base=${base%-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]}
        case $base in
            "$2") echo "<none>" ;;
            "$2"-*) echo "${base#"$2"-}" ;;
        esac
    done | sort | xargs
}

collectd_has_all_guests() {
    local name
    for name in "${GUESTS[@]}"; do
        collectd_csv_file "$(collectd_host_name "$name")" virtmon virt_vcpu-0 >/dev/null ||
            return 1
        collectd_csv_file "$(collectd_host_name "$name")" virtmon disk_octets-vda >/dev/null ||
            return 1
    done
}

# Two rounds written after the first: every series has had its chance.
collectd_rounds_written() {
    local name file
    for name in "${GUESTS[@]}"; do
        file=$(collectd_csv_file "$(collectd_host_name "$name")" virtmon virt_vcpu-0) ||
            return 1
        [ "$(grep -vc '^epoch' "$file")" -ge 3 ] || return 1
    done
}

check_collectd_series() {
    local name=$1
    load_truth "$name"
    expect_same "'$name' collectd vCPU series" "$(csv_instances "$name" virt_vcpu)" \
        "$(echo "${WANT_N[vcpu]}" | tr ' ' '\n' | sort | xargs)"
    expect_same "'$name' collectd disk series" "$(csv_instances "$name" disk_octets)" \
        "$(names_of block)"
    expect_same "'$name' collectd interface series" "$(csv_instances "$name" if_octets)" \
        "$(names_of net)"
}

# ---- the test -------------------------------------------------------------------

collectd_require
snmp_init
test_at_exit libvirtd_cleanup
libvirtd_start || test_fail "the private libvirtd did not start"
start_guests

snmp_start_snmpd
snmp_start_agent -u "$URI"
snmp_load_walk snmpbulkwalk vmonObjects
for guest in "${GUESTS[@]}"; do
    check_agent_rows "$guest"
done
test_stop virtmon-agent

CONF=$TEST_TMPDIR/collectd.conf
{
    collectd_globals csv
    collectd_csv_block
    collectd_virtmon_block <<EOF
  Connection "$URI" "qemu"
  RefreshInterval 1
EOF
} >"$CONF"
collectd_start "$CONF"
test_wait_until 60 "collectd's first values of both guests" collectd_has_all_guests
test_wait_until 60 "two more rounds of collectd's values" collectd_rounds_written
for guest in "${GUESTS[@]}"; do
    check_collectd_series "$guest"
done

[ "$MISMATCHES" -eq 0 ] || test_fail "$MISMATCHES rows or counts differ from libvirt's"
test_note "every row and count follows libvirt's numbering, in the agent and in collectd"
