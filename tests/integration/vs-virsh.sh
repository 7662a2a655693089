# vs-virsh.sh: compares what virtmon-agent publishes about a libvirt URI with
# what virsh says about it (sourced by the comparison tests).
#
#   vs_virsh_check_all URI...  # URI i is the agent's connection i
#
# The checks run on data read with snmpbulkwalk, snmpwalk and snmpget, then
# the domain table is read once more with snmptable. Every mismatch is
# reported with the object, the domain and both values and counted in
# MISMATCHES; the caller fails the test when it is not zero.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/snmp.sh"
. "$(dirname "${BASH_SOURCE[0]}")/virsh.sh"

# Host free memory moves on a real host: the slack allowed between the
# agent's poll and virsh's answer. 0 for the test driver.
VS_FREE_SLACK_KIB=${VS_FREE_SLACK_KIB:-0}

MISMATCHES=0

mismatch() {
    printf 'MISMATCH: %s\n' "$*" >&2
    MISMATCHES=$((MISMATCHES + 1))
}

# expect_value WHAT OID WANT: the loaded value of OID must equal WANT.
expect_value() {
    local what=$1 oid=$2 want=$3 got
    if ! got=$(snmp_value "$oid"); then
        mismatch "$what: absent ($oid), virsh says '$want'"
    elif [ "$got" != "$want" ]; then
        mismatch "$what: agent '$got', virsh '$want'"
    fi
}

# expect_text WHAT OID WANT: the loaded string of OID, decoded, must be
# byte for byte WANT.
expect_text() {
    local what=$1 oid=$2 want=$3 hex got
    if ! hex=$(snmp_value "$oid"); then
        mismatch "$what: absent ($oid), virsh says '$want'"
        return
    fi
    got=$(snmp_hex_text "$hex")
    [ "$got" = "$want" ] || mismatch "$what: agent '$got', virsh '$want'"
}

# expect_label WHAT OID TABLE WANT: the enum label of OID, translated by the
# associative array TABLE into virsh's words, must equal WANT.
expect_label() {
    local what=$1 oid=$2 want=$4 got
    local -n words=$3
    if ! got=$(snmp_value "$oid"); then
        mismatch "$what: absent ($oid), virsh says '$want'"
    elif [ "${words[$got]:-?$got}" != "$want" ]; then
        mismatch "$what: agent '$got' ('${words[$got]:-no virsh word}'), virsh '$want'"
    fi
}

# virsh's "-" (an inactive domain) is an absent vmonDomainId.
expect_id() {
    local what=$1 oid=$2 want=$3 got
    if [ "$want" != - ]; then
        expect_value "$what" "$oid" "$want"
    elif got=$(snmp_value "$oid"); then
        mismatch "$what: agent '$got', virsh '-' (inactive)"
    fi
}

# ---- what virsh says, collected once ----------------------------------------

# TRUTH[key] for one URI; domains are keyed by name, in DOMAINS.
declare -A TRUTH
DOMAINS=()
TRUTH_AT=

collect_domain_truth() {
    local uri=$1 name=$2 info key
    info=$(virsh_ro "$uri" dominfo -- "$name") ||
        test_fail "virsh dominfo '$name' failed"
    for key in Id UUID State 'CPU(s)' 'Max memory' 'Used memory' Persistent; do
        TRUTH[$name/$key]=$(virsh_field "$key" <<<"$info") ||
            test_fail "virsh dominfo '$name' has no '$key'"
    done
    # virsh leaves the line out when libvirt reports no CPU time (0)
    TRUTH[$name/CPU time]=$(virsh_field 'CPU time' <<<"$info") ||
        TRUTH[$name/CPU time]=0s
    TRUTH[$name/domstate]=$(virsh_ro "$uri" domstate --reason -- "$name")
    TRUTH[$name/domstats]=$(virsh_domstats_state "$uri" "$name") ||
        test_fail "virsh domstats '$name' failed"
}

collect_truth() {
    local uri=$1 info key name
    TRUTH=()
    info=$(virsh_ro "$uri" nodeinfo) || test_fail "virsh nodeinfo on '$uri' failed"
    for key in 'CPU model' 'CPU(s)' 'CPU frequency' 'CPU socket(s)' \
        'Core(s) per socket' 'Thread(s) per core' 'NUMA cell(s)' 'Memory size'; do
        TRUTH[node/$key]=$(virsh_field "$key" <<<"$info") ||
            test_fail "virsh nodeinfo has no '$key'"
    done
    TRUTH[uri]=$(virsh_ro "$uri" uri)
    TRUTH[hostname]=$(virsh_ro "$uri" hostname)
    TRUTH[free]=$(virsh_free_kib "$uri") || TRUTH[free]=
    virsh_freecells "$uri"
    virsh_list "$uri"
    mapfile -t DOMAINS < <(virsh_names "$uri")
    [ "${#DOMAINS[@]}" -eq "${#VIRSH_LIST_ID[@]}" ] ||
        test_fail "virsh list --all and --name disagree on '$uri'"
    for name in "${DOMAINS[@]}"; do
        collect_domain_truth "$uri" "$name"
    done
    TRUTH_AT=$SECONDS
}

# ---- comparisons --------------------------------------------------------------

check_connection() {
    local c=$1
    expect_label "connection $c state" "$(snmp_oid vmonConnState).$c" \
        CONN_STATE_WORDS connected
    expect_text "connection $c URI" "$(snmp_oid vmonConnUri).$c" "${TRUTH[uri]}"
    expect_text "connection $c hostname" "$(snmp_oid vmonConnHostname).$c" \
        "${TRUTH[hostname]}"
}
declare -A CONN_STATE_WORDS=([disconnected]=disconnected
    [connecting]=connecting [connected]=connected)

check_node() {
    local c=$1 mhz=${TRUTH[node/CPU frequency]} mem=${TRUTH[node/Memory size]}
    expect_text "node $c CPU model" "$(snmp_oid vmonNodeCpuModel).$c" \
        "${TRUTH[node/CPU model]}"
    expect_value "node $c CPUs" "$(snmp_oid vmonNodeCpus).$c" "${TRUTH[node/CPU(s)]}"
    expect_value "node $c MHz" "$(snmp_oid vmonNodeMhz).$c" "${mhz% MHz}"
    expect_value "node $c sockets" "$(snmp_oid vmonNodeSockets).$c" \
        "${TRUTH[node/CPU socket(s)]}"
    expect_value "node $c cores" "$(snmp_oid vmonNodeCores).$c" \
        "${TRUTH[node/Core(s) per socket]}"
    expect_value "node $c threads" "$(snmp_oid vmonNodeThreads).$c" \
        "${TRUTH[node/Thread(s) per core]}"
    expect_value "node $c NUMA nodes" "$(snmp_oid vmonNodeNumaNodes).$c" \
        "${TRUTH[node/NUMA cell(s)]}"
    expect_value "node $c memory" "$(snmp_oid vmonNodeMemory).$c" "${mem% KiB}"
    check_free_memory "$c"
}

# expect_free_kib WHAT OID WANT: virsh prints free memory in KiB (bytes /
# 1024, rounded down), the MIB has bytes; they may differ by
# VS_FREE_SLACK_KIB.
expect_free_kib() {
    local what=$1 oid=$2 want=$3 got diff
    if ! got=$(snmp_value "$oid"); then
        mismatch "$what: absent ($oid), virsh says $want KiB"
        return
    fi
    diff=$((got / 1024 - want))
    [ "${diff#-}" -le "$VS_FREE_SLACK_KIB" ] ||
        mismatch "$what: agent $got bytes ($((got / 1024)) KiB), virsh $want KiB"
}

# `virsh freecell` fails when virNodeGetFreeMemory returns 0 without an
# error (the test driver on a file without cells): 0 or absent both fit.
check_free_memory() {
    local c=$1 oid got
    oid="$(snmp_oid vmonNodeFreeMemory).$c"
    if [ -n "${TRUTH[free]}" ]; then
        expect_free_kib "node $c free memory" "$oid" "${TRUTH[free]}"
    elif got=$(snmp_value "$oid") && [ "$got" != 0 ]; then
        mismatch "node $c free memory: agent '$got', virsh cannot tell"
    fi
}

check_cells() {
    local c=$1 method=$2 cell col_free col_num total=0 got
    col_free=$(snmp_oid vmonCellFreeMemory)
    col_num=$(snmp_oid vmonCellNumber)
    for cell in "${!VIRSH_CELL_KIB[@]}"; do
        expect_value "cell $cell number" "$col_num.$c.$((cell + 1))" "$cell"
        expect_free_kib "cell $cell free memory" "$col_free.$c.$((cell + 1))" \
            "${VIRSH_CELL_KIB[$cell]}"
        got=$(snmp_value "$col_free.$c.$((cell + 1))") && total=$((total + got))
    done
    got=$((total / 1024 - VIRSH_CELLS_TOTAL_KIB))
    [ "${got#-}" -le "$((VS_FREE_SLACK_KIB * ${#VIRSH_CELL_KIB[@]}))" ] ||
        mismatch "connection $c cells total: agent $((total / 1024)) KiB, virsh $VIRSH_CELLS_TOTAL_KIB KiB"
    check_cell_count "$c"
    [ "$method" = snmpget ] && return
    got=$(snmp_count_rows "$col_free" "$c")
    [ "$got" = "${#VIRSH_CELL_KIB[@]}" ] ||
        mismatch "connection $c: $got cell rows, virsh freecell shows ${#VIRSH_CELL_KIB[@]}"
}

# A host without NUMA cells (virsh lists none) fails
# virNodeGetCellsFreeMemory, so there the agent may leave the count out.
check_cell_count() {
    local c=$1 oid
    oid="$(snmp_oid vmonNodeCellCount).$c"
    if [ "${#VIRSH_CELL_KIB[@]}" -gt 0 ] || snmp_value "$oid" >/dev/null; then
        expect_value "connection $c cell count" "$oid" "${#VIRSH_CELL_KIB[@]}"
    fi
}

domain_oid() {
    printf '%s.%s.%s\n' "$(snmp_oid "$1")" "$2" "$3"
}

check_domain() {
    local c=$1 name=$2 idx what mem
    idx=$(snmp_uuid_index "${TRUTH[$name/UUID]}")
    what="connection $c domain '$name'"
    expect_text "$what name" "$(domain_oid vmonDomainName "$c" "$idx")" "$name"
    expect_text "$what UUID" "$(domain_oid vmonDomainUUIDString "$c" "$idx")" \
        "${TRUTH[$name/UUID]}"
    expect_id "$what id" "$(domain_oid vmonDomainId "$c" "$idx")" "${TRUTH[$name/Id]}"
    expect_id "$what id (virsh list)" "$(domain_oid vmonDomainId "$c" "$idx")" \
        "${VIRSH_LIST_ID[$name]}"
    expect_label "$what state" "$(domain_oid vmonDomainState "$c" "$idx")" \
        VIRSH_STATE_OF_LABEL "${TRUTH[$name/State]}"
    expect_label "$what state (virsh list)" "$(domain_oid vmonDomainState "$c" "$idx")" \
        VIRSH_STATE_OF_LABEL "${VIRSH_LIST_STATE[$name]}"
    expect_label "$what state reason" "$(domain_oid vmonDomainStateReason "$c" "$idx")" \
        VIRSH_REASON_OF_LABEL "${TRUTH[$name/domstate]}"
    check_domain_codes "$c" "$name" "$idx"
    expect_label "$what persistent" "$(domain_oid vmonDomainIsPersistent "$c" "$idx")" \
        VIRSH_YESNO_OF_LABEL "${TRUTH[$name/Persistent]}"
    expect_value "$what vCPUs" "$(domain_oid vmonDomainVcpuCurrent "$c" "$idx")" \
        "${TRUTH[$name/CPU(s)]}"
    mem=${TRUTH[$name/Max memory]}
    expect_value "$what max memory" "$(domain_oid vmonDomainMemMax "$c" "$idx")" "${mem% KiB}"
    mem=${TRUTH[$name/Used memory]}
    expect_value "$what used memory" "$(domain_oid vmonDomainMemCurrent "$c" "$idx")" "${mem% KiB}"
    check_cpu_time "$c" "$name" "$idx"
}

# domstats' raw numbers against vmonDomainStateCode / ReasonCode.
check_domain_codes() {
    local c=$1 name=$2 idx=$3 state reason
    read -r state reason <<<"${TRUTH[$name/domstats]}"
    expect_value "connection $c domain '$name' state code" \
        "$(domain_oid vmonDomainStateCode "$c" "$idx")" "$state"
    expect_value "connection $c domain '$name' reason code" \
        "$(domain_oid vmonDomainReasonCode "$c" "$idx")" "$reason"
}

# CPU time moves, so it is not taken from TRUTH (read before the agent's
# values): virsh is asked again after the agent's value was loaded. The
# agent's value comes from a poll before that call, so it may not exceed
# virsh's, and may lag it by at most what the domain can run in the time
# since the load began plus two poll intervals and CPU_TIME_LOAD_SLACK
# seconds for a loaded machine, on each of its vCPUs or of the host's
# CPUs, whichever are more. An inactive domain runs nothing: virsh
# dominfo shows it no CPU time, the agent may leave the value out, and what
# libvirt's bulk stats give it (the test driver: its wall clock; QEMU: a
# small moving number) must stay within the same slack of 0.
CPU_TIME_LOAD_SLACK=${CPU_TIME_LOAD_SLACK:-10}

# virsh_cpu_time_ns URI NAME DOMINFO: the domain's CPU time in ns, exact
# from `domstats --cpu-total` where the driver reports it; else from
# dominfo, which prints tenths of a second rounded to the nearest: plus
# 0.1 s, so that it is never below the true value.
virsh_cpu_time_ns() {
    local ns
    ns=$(virsh_ro "$1" domstats --raw --cpu-total -- "$2" 2>/dev/null |
        sed -n 's/^ *cpu\.time=//p')
    if [ -n "$ns" ]; then
        echo "$ns"
    elif ns=$(virsh_field 'CPU time' <<<"$3"); then
        echo $(($(virsh_seconds_to_ns "$ns") + 100000000))
    else
        echo 0
    fi
}
VS_LOADED_AT=$SECONDS

check_cpu_time() {
    local c=$1 name=$2 idx=$3 want got slack cpus info
    if ! got=$(snmp_value "$(domain_oid vmonDomainCpuTime "$c" "$idx")"); then
        [ "${TRUTH[$name/Id]}" = - ] ||
            mismatch "connection $c domain '$name' CPU time: absent, virsh says ${TRUTH[$name/CPU time]}"
        return
    fi
    info=$(virsh_ro "$VS_URI" dominfo -- "$name") ||
        test_fail "virsh dominfo '$name' failed"
    want=$(virsh_cpu_time_ns "$VS_URI" "$name" "$info")
    cpus=${TRUTH[$name/CPU(s)]}
    [ "$cpus" -ge "$(nproc)" ] || cpus=$(nproc)
    slack=$(((SECONDS - VS_LOADED_AT + 2 * SNMP_AGENT_INTERVAL +
        CPU_TIME_LOAD_SLACK) * cpus * 1000000000))
    if [ "$(virsh_field Id <<<"$info")" = - ]; then
        [ "$got" -le "$slack" ] ||
            mismatch "connection $c domain '$name' CPU time: agent $got ns for an inactive domain (more than $slack ns)"
    elif [ "$got" -gt "$want" ]; then
        mismatch "connection $c domain '$name' CPU time: agent $got ns, past virsh's $want ns read after it"
    elif [ $((want - got)) -gt "$slack" ]; then
        mismatch "connection $c domain '$name' CPU time: agent $got ns, virsh $want ns (more than $slack ns behind)"
    fi
}

check_domain_rows() {
    local c=$1 got
    got=$(snmp_count_rows "$(snmp_oid vmonDomainUUIDString)" "$c")
    [ "$got" = "${#DOMAINS[@]}" ] ||
        mismatch "connection $c: $got domain rows, virsh list --all shows ${#DOMAINS[@]}"
}

# Every OID the checks read, for snmpget.
wanted_oids() {
    local c=$1 name idx col cell
    for col in vmonConnState vmonConnUri vmonConnHostname vmonNodeCpuModel \
        vmonNodeCpus vmonNodeMhz vmonNodeSockets vmonNodeCores vmonNodeThreads \
        vmonNodeNumaNodes vmonNodeMemory vmonNodeFreeMemory vmonNodeCellCount; do
        echo "$(snmp_oid "$col").$c"
    done
    for cell in "${!VIRSH_CELL_KIB[@]}"; do
        echo "$(snmp_oid vmonCellNumber).$c.$((cell + 1))"
        echo "$(snmp_oid vmonCellFreeMemory).$c.$((cell + 1))"
    done
    for name in "${DOMAINS[@]}"; do
        idx=$(snmp_uuid_index "${TRUTH[$name/UUID]}")
        for col in vmonDomainName vmonDomainUUIDString vmonDomainId \
            vmonDomainState vmonDomainStateReason vmonDomainStateCode \
            vmonDomainReasonCode vmonDomainIsPersistent vmonDomainVcpuCurrent \
            vmonDomainMemMax vmonDomainMemCurrent vmonDomainCpuTime; do
            domain_oid "$col" "$c" "$idx"
        done
    done
}

load_with() {
    local method=$1 c=$2
    case $method in
        snmpget)
            local oids
            mapfile -t oids < <(wanted_oids "$c")
            snmp_load_get "${oids[@]}" ;;
        *) snmp_load_walk "$method" vmonObjects ;;
    esac
}

check_everything() {
    local c=$1 method=$2 name
    check_connection "$c"
    check_node "$c"
    check_cells "$c" "$method"
    [ "$method" = snmpget ] || check_domain_rows "$c"
    for name in "${DOMAINS[@]}"; do
        check_domain "$c" "$name"
    done
}

# snmptable prints the domain table as rows of '|'-separated cells under a
# header of column names; -Ob makes the index numeric ("CONN.UUID-BYTES").
# Strings are printed as text there, so names must not contain '|'.
check_snmptable() {
    local c=$1 line cells header=() rows=0 i name idx
    declare -A row_of=() col=()
    while IFS= read -r line; do
        IFS='|' read -ra cells <<<"$line"
        if [ "${cells[0]:-}" = index ]; then
            header=("${cells[@]}")
            for i in "${!header[@]}"; do col[${header[i]}]=$i; done
        elif [ "${#header[@]}" -gt 0 ] && [[ ${cells[0]:-} == "$c".* ]]; then
            row_of[${cells[0]}]=$line
            rows=$((rows + 1))
        fi
    done < <(snmp_cmd snmptable -Ob -Ci -Cf '|' -OU -- "$(snmp_oid vmonDomainTable)")
    [ "${#header[@]}" -gt 0 ] || { mismatch "snmptable: no table header"; return; }
    [ "$rows" = "${#DOMAINS[@]}" ] ||
        mismatch "snmptable: connection $c has $rows domain rows, virsh ${#DOMAINS[@]}"
    for name in "${DOMAINS[@]}"; do
        idx="$c.$(snmp_uuid_index "${TRUTH[$name/UUID]}")"
        if [ -z "${row_of[$idx]:-}" ]; then
            mismatch "snmptable: connection $c has no row for '$name' ($idx)"
            continue
        fi
        IFS='|' read -ra cells <<<"${row_of[$idx]}"
        check_table_cell "$c" "$name" "${cells[${col[vmonDomainName]}]}" "$name" name
        check_table_cell "$c" "$name" "${cells[${col[vmonDomainUUIDString]}]}" \
            "${TRUTH[$name/UUID]}" UUID
        check_table_cell "$c" "$name" "${cells[${col[vmonDomainId]}]/#\?/-}" \
            "${TRUTH[$name/Id]}" id
        check_table_cell "$c" "$name" \
            "${VIRSH_STATE_OF_LABEL[${cells[${col[vmonDomainState]}]}]:-?}" \
            "${TRUTH[$name/State]}" state
    done
}

check_table_cell() {
    [ "$3" = "$4" ] ||
        mismatch "snmptable: connection $1 domain '$2' $5: agent '$3', virsh '$4'"
}

vs_virsh_check_all() {
    local method c uris=("$@")
    for method in snmpbulkwalk snmpwalk snmpget snmptable; do
        for ((c = 1; c <= ${#uris[@]}; c++)); do
            test_note "checking connection $c (${uris[c - 1]}) read with $method"
            collect_truth "${uris[c - 1]}"
            VS_URI=${uris[c - 1]}
            if [ "$method" = snmptable ]; then
                check_snmptable "$c"
            else
                VS_LOADED_AT=$SECONDS
                load_with "$method" "$c"
                check_everything "$c" "$method"
            fi
        done
    done
}

