# traps.sh: what the notification tests share (sourced, after libvirtd.sh
# has entered its namespace): a private libvirtd, snmptrapd logging one line
# per notification, snmpd, virtmon-agent, and checks of each notification
# against values that the test gets from virsh and from the MIB file.
#
#   . "$here/libvirtd.sh"; libvirtd_enter_namespace "$@"
#   . "$here/traps.sh"
#   traps_init                     # libvirtd, snmptrapd, snmpd
#   traps_start_agent CONF_LINES... -- -u URI...
#   ...; trap_next; trap_expect vmonConnLost "OID=VALUE" ...

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/snmp.sh"
. "$(dirname "${BASH_SOURCE[0]}")/virsh.sh"

TRAPS_SEEN=0         # notifications of ours taken by trap_next so far
TRAP_WAIT=30         # seconds a notification may take to arrive
TRAP_OID=            # snmpTrapOID.0 of the notification taken last
TRAP_VBS=()          # its varbinds after snmpTrapOID.0, "OID=VALUE"
TRAP_LINE=           # its line in snmptrapd's log, values as printed
TRAPS_TAKE=()        # notification names trap_next takes; empty: all ours
declare -gA MIB_ENUMS=()
SNMP_TRAP_OID=.1.3.6.1.6.3.1.1.4.1.0
SYS_UPTIME=.1.3.6.1.2.1.1.3.0

# Starts the private libvirtd (stopped on exit before the other daemons),
# snmptrapd and snmpd. Call once, inside libvirtd's namespace.
traps_init() {
    snmp_init
    test_at_exit libvirtd_cleanup
    libvirtd_start || test_fail "libvirtd did not start"
    # one line per notification: "TRAP<tab>OID = TYPE: VALUE<tab>...";
    # without MIBs, strings stay in hex and enums and units stay numbers; a
    # receive buffer that holds a storm (UDP drops what does not fit)
    snmp_start_trapd -m '' -F 'TRAP\t%v\n' --serverRecvBuf=4194304
    snmp_start_snmpd
}

# traps_start_agent [CONFIG LINE...] -- AGENT OPTIONS...: the agent with a
# configuration file of the given lines.
traps_start_agent() {
    local conf="$TEST_TMPDIR/traps-agent.conf"
    : >"$conf"
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        printf '%s\n' "$1" >>"$conf"
        shift
    done
    shift
    snmp_start_agent -c "$conf" "$@"
}

# Our notifications in snmptrapd's log, oldest first: those named in
# TRAPS_TAKE, or all of VIRTMON-MIB's.
traps_lines() {
    local patterns=() name
    for name in "${TRAPS_TAKE[@]}"; do
        patterns+=(-e "$SNMP_TRAP_OID = OID: $(snmp_oid "$name")$(printf '\t')")
    done
    [ ${#patterns[@]} -gt 0 ] ||
        patterns=(-e "$SNMP_TRAP_OID = OID: $(snmp_oid vmonNotifications).")
    grep -a -F "${patterns[@]}" "$SNMP_TRAP_LOG" 2>/dev/null | grep -a '^TRAP'
}

traps_count() {
    traps_lines | wc -l
}

traps_arrived() {
    [ "$(traps_count)" -ge "$1" ]
}

# trap_next: takes the next notification (waiting up to TRAP_WAIT s) into
# TRAP_OID and TRAP_VBS, values decoded: strings as text, numbers as digits.
trap_next() {
    local line vb oid value
    local -a vbs
    test_wait_until "$TRAP_WAIT" "notification $((TRAPS_SEEN + 1))" \
        traps_arrived $((TRAPS_SEEN + 1))
    TRAPS_SEEN=$((TRAPS_SEEN + 1))
    line=$(traps_lines | sed -n "${TRAPS_SEEN}p")
    TRAP_LINE=$line
    TRAP_OID=
    TRAP_VBS=()
    IFS=$'\t' read -ra vbs <<<"${line#TRAP$'\t'}"
    for vb in "${vbs[@]}"; do
        oid=${vb%% = *}
        value=$(trap_decode "${vb#* = }")
        case $oid in
            "$SYS_UPTIME") ;;
            "$SNMP_TRAP_OID") TRAP_OID=$value ;;
            *) TRAP_VBS+=("$oid=$value") ;;
        esac
    done
}

# "TYPE: VALUE" as net-snmp prints it -> the bare value.
trap_decode() {
    local v=$1
    case $v in
        Hex-STRING:*) snmp_hex_text "${v#Hex-STRING: }" ;;
        'STRING: "'*) v=${v#STRING: \"}; printf '%s' "${v%\"}" ;;
        '""') ;;
        *:\ *) printf '%s' "${v#*: }" ;;
        *) printf '%s' "$v" ;;
    esac
}

# trap_expect NAME OID=VALUE...: the notification taken last is NAME and
# carries exactly these varbinds, in this order (OID numeric, or
# "vmonObject.INDEX" to be resolved from the MIB). A VALUE of "~REGEX"
# matches the regular expression instead.
trap_expect() {
    local name=$1 want got i
    shift
    [ "$TRAP_OID" = "$(snmp_oid "$name")" ] ||
        test_fail "notification $TRAPS_SEEN is '$TRAP_OID', expected $name"
    [ ${#TRAP_VBS[@]} -eq $# ] ||
        test_fail "$name carries ${#TRAP_VBS[@]} varbinds, expected $#: ${TRAP_VBS[*]}"
    for ((i = 0; i < $#; i++)); do
        want=$(trap_resolve "${@:i+1:1}")
        got=${TRAP_VBS[i]}
        trap_matches "$got" "$want" ||
            test_fail "$name varbind $((i + 1)): got '$got', expected '$want'"
    done
    test_note "ok: $name (${#TRAP_VBS[@]} varbinds)"
}

trap_matches() {
    local got=$1 want=$2
    if [[ ${want#*=} == '~'* ]]; then
        [ "${got%%=*}" = "${want%%=*}" ] && [[ ${got#*=} =~ ${want#*=~} ]]
    else
        [ "$got" = "$want" ]
    fi
}

# trap_value OBJECT.INDEX: the value of that varbind in the notification
# taken last.
trap_value() {
    local oid vb
    oid=$(trap_resolve "$1=")
    oid=${oid%=}
    for vb in "${TRAP_VBS[@]}"; do
        [ "${vb%%=*}" = "$oid" ] && { printf '%s\n' "${vb#*=}"; return 0; }
    done
    test_fail "the notification has no varbind $1"
}

# trap_hex OBJECT.INDEX: an OCTET STRING varbind of the notification taken
# last, as lower-case hex without blanks, from snmptrapd's line: decoded
# text would lose trailing newlines.
trap_hex() {
    local oid vb value
    local -a vbs
    oid=$(trap_resolve "$1=")
    oid=${oid%=}
    IFS=$'\t' read -ra vbs <<<"${TRAP_LINE#TRAP$'\t'}"
    for vb in "${vbs[@]}"; do
        [ "${vb%% = *}" = "$oid" ] || continue
        value=${vb#* = }
        case $value in
            '""') value= ;;
            Hex-STRING:*) value=${value#Hex-STRING: } ;;
            *) test_fail "$1 is not printed in hex: '$value'" ;;
        esac
        value=${value// /}
        printf '%s\n' "${value,,}"
        return 0
    done
    test_fail "the notification has no varbind $1"
}

# "vmonDomainName.1.2.3=x" -> ".1.3.6...2.1.2.3=x"
trap_resolve() {
    local name=${1%%=*} value=${1#*=} object index=
    if [[ $name == vmon* ]]; then
        object=${name%%.*}
        [ "$object" != "$name" ] && index=.${name#*.}
        name=$(snmp_oid "$object")$index
    fi
    printf '%s=%s\n' "$name" "$value"
}

# mib_enum OBJECT LABEL: the number of LABEL in OBJECT's SYNTAX, read from
# the MIB file with snmptranslate.
mib_enum() {
    local key=$1/$2 syntax
    if [ -z "${MIB_ENUMS[$key]:-}" ]; then
        syntax=$(snmptranslate -Td "VIRTMON-MIB::$1" 2>/dev/null | tr -d '\n ')
        [[ $syntax =~ [{,]$2\(([0-9]+)\) ]] ||
            test_fail "VIRTMON-MIB: $1 has no value '$2'"
        MIB_ENUMS[$key]=${BASH_REMATCH[1]}
    fi
    printf '%s\n' "${MIB_ENUMS[$key]}"
}

# virsh_state_labels URI NAME: "STATE REASON" MIB labels of what
# `virsh domstate --reason` says about NAME now.
virsh_state_labels() {
    local words label
    words=$(virsh_ro "$1" domstate --reason -- "$2") ||
        test_fail "virsh domstate '$2' failed"
    words=$(sed '/^$/d' <<<"$words")
    for label in "${!VIRSH_REASON_OF_LABEL[@]}"; do
        if [ "${VIRSH_REASON_OF_LABEL[$label]}" = "$words" ]; then
            printf '%s %s\n' "$(trap_state_of_reason "$label")" "$label"
            return 0
        fi
    done
    test_fail "no VmonLibvirtStateReason label for virsh's '$words'"
}

# "shutoffDestroyed" -> "shutoff": the state label a reason label starts with.
trap_state_of_reason() {
    local state
    for state in "${!VIRSH_STATE_OF_LABEL[@]}"; do
        [[ $1 == "$state"[A-Z]* ]] && { printf '%s\n' "$state"; return; }
    done
    test_fail "reason label '$1' starts with no state label"
}

# agent_pid_fds, agent_rss_kib: resources of the running agent.
agent_fds() {
    ls "/proc/$SNMP_AGENT_PID/fd" | wc -l
}

agent_rss_kib() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$SNMP_AGENT_PID/status"
}
