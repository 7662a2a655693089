#!/bin/bash
# test-collectd-values.sh: the values collectd's virtmon plugin dispatches
# about libvirt's test driver, as the csv plugin writes them, equal virsh's.
#
# One collectd watches three URIs: test:///default (NUMA cells), the
# node.xml fixture (odd names, every state) and a host without domains.
# Every mismatch is reported with the value, the domain and both sides.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/collectd.sh"
. "$here/virsh.sh"

collectd_require
command -v virsh >/dev/null || test_skip "virsh is not installed"

CONNS=(default fixture empty)
declare -A URI_OF=(
    [default]="test:///default"
    [fixture]="test://$VIRTMON_FIXTURES/node.xml"
    [empty]="test://$VIRTMON_FIXTURES/node-empty.xml"
)
MISMATCHES=0

mismatch() {
    printf 'MISMATCH: %s\n' "$*" >&2
    MISMATCHES=$((MISMATCHES + 1))
}

# expect_values WHAT HOST PLUGIN_DIR TYPE_FILE WANT: the newest csv line of
# the value, as integers joined by ",", must be WANT.
expect_values() {
    local what=$1 want=$5 got
    if ! got=$(collectd_csv_integers "$2" "$3" "$4"); then
        mismatch "$what: not written ($2/$3/$4), virsh says '$want'"
        return
    fi
    [ "$got" = "$want" ] || mismatch "$what: collectd '$got', virsh '$want'"
}

# expect_absent WHAT HOST PLUGIN_DIR TYPE_FILE
expect_absent() {
    local got
    if got=$(collectd_csv_values "$2" "$3" "$4"); then
        mismatch "$1: collectd wrote '$got' ($2/$3/$4), virsh has no value"
    fi
}

# "33554432 KiB" -> bytes
kib_to_bytes() {
    echo $((${1% KiB} * 1024))
}

# Whether this libvirt has the magic-file extension API at all.
libvirt_has_magic_api() {
    local lib
    lib=$(ldd "$(command -v virsh)" | awk '/libvirt\.so/ { print $3 }')
    [ -n "$lib" ] && nm -D "$lib" | grep -q ' virConnectGetMagicFileContent'
}

# ---- node and connection values ------------------------------------------

check_node() {
    local conn=$1 uri=${URI_OF[$1]} info free cell n
    local host=$COLLECTD_HOSTNAME dir=virtmon-$1
    info=$(virsh_ro "$uri" nodeinfo) || test_fail "virsh nodeinfo '$uri' failed"
    expect_values "$conn memory" "$host" "$dir" memory-total \
        "$(kib_to_bytes "$(virsh_field 'Memory size' <<<"$info")")"
    expect_values "$conn CPUs" "$host" "$dir" count-cpus \
        "$(virsh_field 'CPU(s)' <<<"$info")"
    n=$(virsh_field 'CPU frequency' <<<"$info")
    expect_values "$conn CPU frequency (Hz)" "$host" "$dir" cpufreq \
        "$((${n% MHz} * 1000000))"
    expect_values "$conn sockets" "$host" "$dir" count-sockets_per_node \
        "$(virsh_field 'CPU socket(s)' <<<"$info")"
    expect_values "$conn cores" "$host" "$dir" count-cores_per_socket \
        "$(virsh_field 'Core(s) per socket' <<<"$info")"
    expect_values "$conn threads" "$host" "$dir" count-threads_per_core \
        "$(virsh_field 'Thread(s) per core' <<<"$info")"
    expect_values "$conn NUMA cells" "$host" "$dir" count-numa_nodes \
        "$(virsh_field 'NUMA cell(s)' <<<"$info")"

    if free=$(virsh_free_kib "$uri"); then
        expect_values "$conn free memory" "$host" "$dir" memory-free \
            "$((free * 1024))"
    else
        expect_absent "$conn free memory" "$host" "$dir" memory-free
    fi
    virsh_freecells "$uri"
    for cell in "${!VIRSH_CELL_KIB[@]}"; do
        expect_values "$conn free memory of cell $cell" "$host" "$dir" \
            "memory-free-cell$cell" "$((VIRSH_CELL_KIB[$cell] * 1024))"
    done
    n=$(find "$COLLECTD_CSV_DIR/$host/$dir" -name 'memory-free-cell*' |
        sed 's/-cell\([0-9]*\)-.*/\1/' | sort -u | wc -l)
    [ "$n" -eq "${#VIRSH_CELL_KIB[@]}" ] ||
        mismatch "$conn: $n cells written, virsh has ${#VIRSH_CELL_KIB[@]}"

    # libvirt: a local (in-process) connection is secure and not encrypted
    expect_values "$conn connected" "$host" "$dir" bool-connected 1
    expect_values "$conn encrypted" "$host" "$dir" bool-encrypted 0
    expect_values "$conn secure" "$host" "$dir" bool-secure 1

    if ! libvirt_has_magic_api; then
        # 2: this libvirt lacks the API (virtmon-types.db)
        expect_values "$conn magic file status" "$host" "$dir" \
            virtmon_magic_status 2
        expect_absent "$conn boot blocked" "$host" "$dir" bool-boot_blocked
    fi
}

# ---- domain values --------------------------------------------------------

check_domain() {
    local conn=$1 name=$2 uri=${URI_OF[$1]} info host dir=virtmon-$1 cpu
    host=$(collectd_host_name "$name")
    # collectd's CPU time first, virsh's after it: see check_cpu_time
    cpu=$(collectd_csv_values "$host" "$dir" virt_cpu_total) || cpu=
    info=$(virsh_ro "$uri" dominfo -- "$name") ||
        test_fail "virsh dominfo '$name' failed"
    expect_values "'$name' state,reason" "$host" "$dir" domain_state \
        "$(virsh_domstats_state "$uri" "$name" | tr ' ' ,)"
    expect_values "'$name' maximum memory" "$host" "$dir" memory-max \
        "$(kib_to_bytes "$(virsh_field 'Max memory' <<<"$info")")"
    expect_values "'$name' memory" "$host" "$dir" memory-total \
        "$(kib_to_bytes "$(virsh_field 'Used memory' <<<"$info")")"
    expect_values "'$name' vCPUs" "$host" "$dir" vcpu-current \
        "$(virsh_field 'CPU(s)' <<<"$info")"
    [ "$(virsh_field Id <<<"$info")" = - ] && return
    check_cpu_time "'$name' CPU time" "$cpu" \
        "$(($(virsh_seconds_to_ns "$(virsh_field 'CPU time' <<<"$info")") +
            DOMINFO_ROUNDING_NS))"
}

# The test driver's CPU time is its wall clock. collectd's value was read
# before virsh was asked, so it comes from a poll that ran before virsh's
# call: it may not exceed virsh's, and may lag it by at most
# CPU_TIME_LAG_NS (a 1 s interval, plus whatever a loaded machine delays a
# poll or the csv write).
CPU_TIME_LAG_NS=30000000000
# dominfo prints tenths of a second, rounded to the nearest: adding 0.1 s
# makes virsh's value never less than the true one.
DOMINFO_ROUNDING_NS=100000000

check_cpu_time() {
    local what=$1 raw=$2 want=$3 got
    if [ -z "$raw" ]; then
        mismatch "$what: not written"
    elif ! got=$(collectd_integer "$raw"); then
        mismatch "$what: '$raw' is not a counter"
    elif [ "$got" -gt "$want" ]; then
        mismatch "$what: collectd $got ns, past virsh's $want ns read after it"
    elif [ $((want - got)) -gt "$CPU_TIME_LAG_NS" ]; then
        mismatch "$what: collectd $got ns, virsh $want ns (more than $CPU_TIME_LAG_NS ns behind)"
    fi
}

check_domains() {
    local conn=$1 name want=() got=()
    # `list --name`, not the table: virsh escapes non-ASCII names there
    while IFS= read -r name; do
        check_domain "$conn" "$name"
        want+=("$(collectd_host_name "$name")")
    done < <(virsh_names "${URI_OF[$conn]}")
    # no domain that virsh does not know, none missing
    mapfile -t got < <(cd "$COLLECTD_CSV_DIR" &&
        find . -mindepth 2 -maxdepth 2 -type d -name "virtmon-$conn" |
        sed 's|^\./||; s|/[^/]*$||' | grep -vxF "$COLLECTD_HOSTNAME" | sort)
    [ "$(printf '%s\n' "${got[@]}")" = "$(printf '%s\n' "${want[@]}" | sort)" ] ||
        mismatch "$conn: domains written: ${got[*]:-none}; virsh: ${want[*]:-none}"
}

# ---- run --------------------------------------------------------------------

CONF=$TEST_TMPDIR/collectd.conf
{
    collectd_globals csv
    collectd_csv_block
    collectd_virtmon_block <<EOF
  Connection "${URI_OF[default]}" "default"
  Connection "${URI_OF[fixture]}" "fixture"
  Connection "${URI_OF[empty]}" "empty"
  PluginInstanceFormat connection
EOF
} >"$CONF"
collectd_start "$CONF"

all_polled() {
    local conn
    for conn in "${CONNS[@]}"; do
        collectd_csv_has "$COLLECTD_HOSTNAME" "virtmon-$conn" \
            virtmon_magic_status || return 1
    done
}
test_wait_until 30 "the first values of every connection" all_polled
# a second read round written, so that every write of the first has landed
second_round_written() {
    local conn file
    for conn in "${CONNS[@]}"; do
        file=$(collectd_csv_file "$COLLECTD_HOSTNAME" "virtmon-$conn" \
            virtmon_magic_status) || return 1
        [ "$(grep -vc '^epoch' "$file")" -ge 2 ] || return 1
    done
}
test_wait_until 30 "a second round of values" second_round_written

for conn in "${CONNS[@]}"; do
    check_node "$conn"
    check_domains "$conn"
done

[ "$MISMATCHES" -eq 0 ] || test_fail "$MISMATCHES value(s) differ from virsh"
test_note "collectd's values equal virsh's on ${#CONNS[@]} test-driver hosts"
