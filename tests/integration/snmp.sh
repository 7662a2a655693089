# snmp.sh: a private net-snmp world on 127.0.0.1 for integration tests
# (sourced): snmpd as AgentX master, virtmon-agent under it, and snmptrapd.
#
#   . "$abs_top_srcdir/tests/integration/snmp.sh"
#   snmp_init                      # temp dir, exit trap, client environment
#   snmp_start_trapd               # optional; before snmpd, which sends to it
#   snmp_start_snmpd
#   snmp_start_agent URI...        # waits until every URI's row is connected
#   snmp_cmd snmpwalk -On VIRTMON-MIB::vmonObjects
#
# Every process is stopped by pid when the test exits; on failure the tails
# of their logs are printed and the temporary directory is kept.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SNMP_COMMUNITY=public
SNMP_RW_COMMUNITY=private
SNMP_PORT=
SNMP_TRAP_PORT=
SNMP_AGENTX_SOCKET=
SNMP_TRAP_LOG=
SNMP_AGENT_INTERVAL=1
SNMP_START_TIMEOUT=20   # seconds for any daemon to come up
SNMP_PORT_TRIES=20      # ports tried before giving up
declare -gA SNMP_VALUES=()
declare -gA SNMP_OID_CACHE=()

# The system's snmpd is never touched: its config, persistent state and MIB
# search path are all replaced by private ones.
snmp_init() {
    test_init
    : "${VIRTMON_AGENT:?VIRTMON_AGENT is not set (run through make check)}"
    : "${VIRTMON_IETF_MIBDIR:?VIRTMON_IETF_MIBDIR is not set}"
    : "${VIRTMON_MIBDIR:?VIRTMON_MIBDIR is not set}"
    local tool
    for tool in snmpd snmptrapd snmpget snmpwalk snmpbulkwalk snmptable snmptrap; do
        command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
            test_skip "$tool is not installed"
    done
    ls "$VIRTMON_IETF_MIBDIR"/SNMPv2-SMI* >/dev/null 2>&1 ||
        test_fail "IETF base MIBs missing in '$VIRTMON_IETF_MIBDIR'"
    PATH=$PATH:/usr/sbin
    mkdir -p "$TEST_TMPDIR/snmpconf" "$TEST_TMPDIR/persist"
    # like Debian's /etc/snmp/snmp.conf: no default MIB list (its modules
    # are not installed); MIBS below names exactly what to load
    echo "mibs :" >"$TEST_TMPDIR/snmpconf/snmp.conf"
    export SNMPCONFPATH="$TEST_TMPDIR/snmpconf"
    export SNMP_PERSISTENT_DIR="$TEST_TMPDIR/persist"
    export MIBDIRS="$VIRTMON_IETF_MIBDIR:$VIRTMON_MIBDIR"
    export MIBS="VIRTMON-MIB"
    SNMP_AGENTX_SOCKET="$TEST_TMPDIR/agentx.sock"
    snmp_load_oids
}

# snmp_cmd TOOL [OPTIONS... --] OPERANDS...: runs a net-snmp client against
# the private snmpd. OPTIONS go before the agent address (snmpset needs
# that); without "--" every argument goes after it. Long strings stay on one
# line (--hexOutputLength=0).
snmp_cmd() {
    local tool=$1 options=() arg
    shift
    if [[ " $* " == *" -- "* ]]; then
        while [ $# -gt 0 ]; do
            arg=$1
            shift
            [ "$arg" = -- ] && break
            options+=("$arg")
        done
    fi
    "$tool" -v2c -c "$SNMP_COMMUNITY" -r 1 -t 5 --hexOutputLength=0 \
        "${options[@]}" "udp:127.0.0.1:$SNMP_PORT" "$@"
}

snmp_answers() {
    snmp_cmd snmpget -r 0 -t 1 -On -Oqv -- .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1
}

# Waits until PID either answers (via COMMAND) or dies. Returns 0 when it
# answers, 1 when it died (so that the caller can try another port).
snmp_wait_alive_and() {
    local pid=$1 what=$2 deadline=$((SECONDS + SNMP_START_TIMEOUT)) i
    shift 2
    for i in $(seq $((SNMP_START_TIMEOUT * 5))); do
        test_is_running "$pid" || return 1
        "$@" && return 0
        [ "$SECONDS" -ge "$deadline" ] && break
        sleep 0.2
    done
    test_fail "timed out after ${SNMP_START_TIMEOUT}s waiting for $what"
}

snmp_write_snmpd_conf() {
    local conf=$1
    {
        echo "master agentx"
        echo "agentXSocket $SNMP_AGENTX_SOCKET"
        echo "agentXPerms 0600 0700"
        echo "dontLogTCPWrappersConnects yes"
        echo "rocommunity $SNMP_COMMUNITY 127.0.0.1"
        echo "rwcommunity $SNMP_RW_COMMUNITY 127.0.0.1"
        if [ -n "$SNMP_TRAP_PORT" ]; then
            echo "trap2sink udp:127.0.0.1:$SNMP_TRAP_PORT $SNMP_COMMUNITY"
        fi
    } >"$conf"
}

# Starts snmpd on 127.0.0.1, on the first free port from a random base, and
# waits until it answers. Sets SNMP_PORT and SNMP_SNMPD_PID.
snmp_start_snmpd() {
    local conf="$TEST_TMPDIR/snmpd.conf" base port try log
    snmp_write_snmpd_conf "$conf"
    base=$(test_random_port)
    for try in $(seq 0 $((SNMP_PORT_TRIES - 1))); do
        port=$((base + try))
        log="$TEST_TMPDIR/snmpd-$port.log"
        test_spawn snmpd "$TEST_TMPDIR/snmpd-$port.out" \
            snmpd -f -C -c "$conf" -I -smux -Lf "$log" "udp:127.0.0.1:$port"
        test_add_log "$log"
        SNMP_SNMPD_PID=$TEST_LAST_PID
        SNMP_PORT=$port
        if snmp_wait_alive_and "$SNMP_SNMPD_PID" "snmpd on port $port" \
            snmp_answers; then
            test_note "snmpd (pid $SNMP_SNMPD_PID) on udp:127.0.0.1:$port"
            return 0
        fi
        grep -q 'Error opening specified endpoint' "$log" ||
            test_fail "snmpd exited on start (see $log)"
    done
    test_fail "snmpd found no free port in $base-$port"
}

# snmp_start_trapd: snmptrapd on a free port, logging every trap to
# SNMP_TRAP_LOG (numeric OIDs, strings in hex); extra snmptrapd options may
# be given. Waits until a trap sent to it shows up in its log.
snmp_start_trapd() {
    local conf="$TEST_TMPDIR/snmptrapd.conf" base port try
    echo "disableAuthorization yes" >"$conf"
    SNMP_TRAP_LOG="$TEST_TMPDIR/snmptrapd.log"
    base=$(test_random_port)
    for try in $(seq 0 $((SNMP_PORT_TRIES - 1))); do
        port=$((base + try))
        test_spawn snmptrapd "$TEST_TMPDIR/snmptrapd.out" \
            snmptrapd -f -C -c "$conf" -X -n -On -Ox --hexOutputLength=0 \
            -Lf "$SNMP_TRAP_LOG" "$@" "udp:127.0.0.1:$port"
        SNMP_TRAPD_PID=$TEST_LAST_PID
        SNMP_TRAP_PORT=$port
        if snmp_wait_alive_and "$SNMP_TRAPD_PID" "snmptrapd on port $port" \
            snmp_trapd_hears_probe; then
            test_add_log "$SNMP_TRAP_LOG"
            test_note "snmptrapd (pid $SNMP_TRAPD_PID) on udp:127.0.0.1:$port"
            return 0
        fi
        grep -q 'Error opening\|cannot bind\|Address already in use' \
            "$SNMP_TRAP_LOG" "$TEST_TMPDIR/snmptrapd.out" ||
            test_fail "snmptrapd exited on start (see $SNMP_TRAP_LOG)"
    done
    test_fail "snmptrapd found no free port in $base-$port"
}

# The probe is netSnmpExampleHeartbeatNotification, an OID virtmon never uses.
SNMP_PROBE_TRAP=.1.3.6.1.4.1.8072.2.3.0.1
snmp_trapd_hears_probe() {
    snmptrap -v2c -c "$SNMP_COMMUNITY" "udp:127.0.0.1:$SNMP_TRAP_PORT" '' \
        "$SNMP_PROBE_TRAP" >/dev/null 2>&1
    grep -q "$SNMP_PROBE_TRAP" "$SNMP_TRAP_LOG"
}

# snmp_start_agent [AGENT OPTIONS...] [-u URI...]: starts virtmon-agent
# against the private snmpd and waits until SNMP_AGENT_CONNECTED rows of
# vmonConnTable (default: one per -u) are connected and have been polled.
# A test watching an unreachable URI sets SNMP_AGENT_CONNECTED lower.
snmp_start_agent() {
    local log="$TEST_TMPDIR/virtmon-agent.log" nuris=0 arg want
    for arg in "$@"; do
        [ "$arg" = "-u" ] && nuris=$((nuris + 1))
    done
    want=${SNMP_AGENT_CONNECTED:-$nuris}
    [ -n "$SNMP_PORT" ] || test_fail "snmp_start_agent needs snmpd first"
    [ -x "$VIRTMON_AGENT" ] || test_fail "no agent at '$VIRTMON_AGENT'"
    # an empty configuration, so that nothing of an installed one leaks in;
    # a -c of the caller's comes later and wins
    : >"$TEST_TMPDIR/virtmon-agent.conf"
    test_spawn virtmon-agent "$TEST_TMPDIR/virtmon-agent.out" \
        "$VIRTMON_AGENT" -f -c "$TEST_TMPDIR/virtmon-agent.conf" \
        -x "unix:$SNMP_AGENTX_SOCKET" -i "$SNMP_AGENT_INTERVAL" -Lf "$log" "$@"
    test_add_log "$log"
    SNMP_AGENT_PID=$TEST_LAST_PID
    snmp_wait_alive_and "$SNMP_AGENT_PID" "virtmon-agent to connect" \
        snmp_agent_connected "$want" ||
        test_fail "virtmon-agent exited on start (see $log)"
    test_note "virtmon-agent (pid $SNMP_AGENT_PID) up, $want connection(s) polled"
}

# True when the agent answers and at least N connection rows are
# connected(3) with a successful poll behind them.
snmp_agent_connected() {
    local want=$1 connected polled
    snmp_cmd snmpget -r 0 -t 1 -On -Oq -- "$(snmp_oid vmonAgentConnCount).0" 2>/dev/null |
        grep -q "$(snmp_oid vmonAgentConnCount).0 [0-9]" || return 1
    connected=$(snmp_cmd snmpwalk -On -Oqv -Oe -- "$(snmp_oid vmonConnState)" \
        2>/dev/null | grep -c '^3$')
    polled=$(snmp_cmd snmpwalk -On -Oqv -- "$(snmp_oid vmonConnLastSuccessTime)" \
        2>/dev/null | grep -c '^[0-9]')
    [ "$connected" -ge "$want" ] && [ "$polled" -ge "$want" ]
}

# ---- reading values -------------------------------------------------------
# Values are loaded into SNMP_VALUES[numeric OID]: numbers as digits, enum
# and TruthValue as their labels, every OCTET STRING as bare hex ("61 62").


# Reads every object name of VIRTMON-MIB with its numeric OID, from the MIB
# file (not from the agent), once: snmp_oid is then a lookup.
snmp_load_oids() {
    local name oid
    while read -r name oid; do
        name=${name//\"/}
        oid=${oid//\"/}
        [[ $name == vmon* ]] && SNMP_OID_CACHE[$name]=.$oid
    done < <(snmptranslate -Tz -On 2>/dev/null)
    [ -n "${SNMP_OID_CACHE[vmonObjects]:-}" ] ||
        test_fail "net-snmp cannot read VIRTMON-MIB from '$MIBDIRS'"
}

# snmp_oid NAME: the numeric OID of a VIRTMON-MIB object.
snmp_oid() {
    if [ -z "${SNMP_OID_CACHE[$1]:-}" ]; then
        printf 'FAIL: VIRTMON-MIB has no object %s\n' "$1" >&2
        return 1
    fi
    printf '%s\n' "${SNMP_OID_CACHE[$1]}"
}

# Numeric OIDs, no units, and every string in hex: display hints (such as
# UTF-8 text) would otherwise print some strings as text.
SNMP_READ_OPTIONS=(-On -Oq -Ox -Ot -OU --noDisplayHint=1)

# Parses "OID VALUE" lines of -On -Oq output into SNMP_VALUES.
snmp_parse_into_values() {
    local oid value
    while read -r oid value; do
        case $value in
            'No Such Instance'* | 'No Such Object'* | 'No more variables'*)
                continue ;;
            \"*\") value=${value#\"}; value=${value%\"} ;;
        esac
        value=${value% }
        SNMP_VALUES[$oid]=$value
    done
}

# snmp_load_walk TOOL OBJECT: replaces SNMP_VALUES with a walk of OBJECT
# (a VIRTMON-MIB name) done with TOOL (snmpwalk or snmpbulkwalk).
snmp_load_walk() {
    local tool=$1 out
    out=$(snmp_cmd "$tool" "${SNMP_READ_OPTIONS[@]}" -- "$(snmp_oid "$2")") ||
        test_fail "$tool of $2 failed"
    SNMP_VALUES=()
    snmp_parse_into_values <<<"$out"
}

# snmp_load_get OID...: replaces SNMP_VALUES with snmpget answers, a few
# OIDs per request; absent instances are left out.
snmp_load_get() {
    local out
    SNMP_VALUES=()
    while [ $# -gt 0 ]; do
        out=$(snmp_cmd snmpget "${SNMP_READ_OPTIONS[@]}" -- "${@:1:16}") ||
            test_fail "snmpget of ${*:1:16} failed"
        snmp_parse_into_values <<<"$out"
        shift $(($# < 16 ? $# : 16))
    done
}

# snmp_value OID: prints the loaded value; fails when the OID is absent.
snmp_value() {
    [ -n "${SNMP_VALUES[$1]+set}" ] || return 1
    printf '%s\n' "${SNMP_VALUES[$1]}"
}

# snmp_hex_text HEX: the bytes of "61 62 ..." as they are, UTF-8 or not.
snmp_hex_text() {
    local hex byte escaped=
    read -ra hex <<<"$1"
    for byte in "${hex[@]}"; do
        escaped+="\\x$byte"
    done
    printf '%b' "$escaped"
}

# snmp_uuid_index UUID: "6695eb01-f6a4-..." as the 16 sub-identifiers of a
# fixed-length OCTET STRING index.
snmp_uuid_index() {
    local digits=${1//-/} i out=
    [ ${#digits} -eq 32 ] || test_fail "not a UUID: '$1'"
    for ((i = 0; i < 32; i += 2)); do
        out+="${out:+.}$((16#${digits:i:2}))"
    done
    printf '%s\n' "$out"
}

# snmp_count_rows COLUMN_OID PREFIX: how many loaded OIDs start with
# COLUMN_OID.PREFIX. (one per row of that column).
snmp_count_rows() {
    local oid n=0
    for oid in "${!SNMP_VALUES[@]}"; do
        [[ $oid == "$1.$2".* ]] && n=$((n + 1))
    done
    echo "$n"
}
