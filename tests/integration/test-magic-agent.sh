#!/bin/bash
# test-magic-agent.sh: with the patched libvirt, virtmon-agent reports the
# magic file byte for byte and sends its notifications when the file changes.
#
# The patched libvirtd runs privately, listening on TCP on 127.0.0.1; the
# agent, linked against the patched libvirt.so.0, watches one host three
# ways: qemu:///system and qemu+unix:///system over the unix socket,
# qemu+tcp://127.0.0.1:PORT/system through the remote driver. All three
# read the same file (the test driver serves a file of its own, see
# test-libvirt-magic.sh). For each file
# the test writes (text, long, non-ASCII, NUL, empty, marker, missing,
# directory) every row of vmonMagicTable must say what the file says, read
# with od; each change must bring exactly the notifications VIRTMON-MIB
# describes, once per connection; and the patched QEMU driver's refusal to
# start a guest must agree with vmonMagicIsBootBlocked.

# Automake may run .sh tests with /bin/sh; this one needs bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"
. "$here/magic.sh"

QEMU=/usr/bin/qemu-system-x86_64
GUEST=magic-guest
ROW_WAIT=20 # seconds for every row to show a new file
MAGIC_TRAPS=(vmonMagicChanged vmonBootMarkerSet vmonBootMarkerCleared)

declare -A TRAP_OF_CHANGE=([changed]=vmonMagicChanged
    [set]=vmonBootMarkerSet [cleared]=vmonBootMarkerCleared)
WANT_TRAPS=()         # notifications each connection sends for the last change
declare -A WANT_ERROR # connection index -> virsh's message for a failed read
MISMATCH=

# ---- vmonMagicTable against the file ------------------------------------------

mismatch() {
    MISMATCH="connection $1 (${URIS[$1 - 1]}): $2"
    return 1
}

# row_matches I: connection I's row shows MAGIC_WANT_*.
row_matches() {
    local i=$1 status content length blocked error
    snmp_load_get "$(snmp_oid vmonMagicStatus).$i" \
        "$(snmp_oid vmonMagicContent).$i" "$(snmp_oid vmonMagicLength).$i" \
        "$(snmp_oid vmonMagicIsBootBlocked).$i" "$(snmp_oid vmonMagicError).$i"
    status=$(snmp_value "$(snmp_oid vmonMagicStatus).$i")
    content=$(snmp_value "$(snmp_oid vmonMagicContent).$i") && content=$(magic_hex "$content")
    length=$(snmp_value "$(snmp_oid vmonMagicLength).$i")
    blocked=$(snmp_value "$(snmp_oid vmonMagicIsBootBlocked).$i")
    error=$(snmp_value "$(snmp_oid vmonMagicError).$i") && error=$(snmp_hex_text "$error")
    [ "$status" = "$MAGIC_WANT_STATUS" ] ||
        mismatch "$i" "status '$status', want '$MAGIC_WANT_STATUS'" || return 1
    [ "$blocked" = "$MAGIC_WANT_BLOCKED" ] ||
        mismatch "$i" "isBootBlocked '$blocked', want '$MAGIC_WANT_BLOCKED'" || return 1
    case $MAGIC_WANT_STATUS in
        ok)
            [ "$content" = "$MAGIC_WANT_HEX" ] ||
                mismatch "$i" "content $content, want $MAGIC_WANT_HEX" || return 1
            [ "$length" = $((${#MAGIC_WANT_HEX} / 2)) ] ||
                mismatch "$i" "length '$length', want $((${#MAGIC_WANT_HEX} / 2))" ||
                return 1
            ;;
        *)
            [ -z "$content$length" ] ||
                mismatch "$i" "content '$content' length '$length', want none" ||
                return 1
            ;;
    esac
    [ "$error" = "${WANT_ERROR[$i]:-}" ] ||
        mismatch "$i" "error '$error', want '${WANT_ERROR[$i]:-}'"
}

rows_match() {
    local i
    for i in "${!URIS[@]}"; do
        row_matches $((i + 1)) || return 1
    done
}

wait_rows() {
    local deadline=$((SECONDS + ROW_WAIT))
    until rows_match; do
        [ "$SECONDS" -lt "$deadline" ] ||
            test_fail "after ${ROW_WAIT}s, $MISMATCH"
        sleep 0.5
    done
}

# virsh's message for a failed get-magic is the agent's vmonMagicError.
expect_errors() {
    local i out
    WANT_ERROR=()
    [ "$MAGIC_WANT_STATUS" = error ] || return 0
    for i in "${!URIS[@]}"; do
        out=$(libvirtd_virsh -r -c "${URIS[i]}" get-magic 2>&1) &&
            test_fail "virsh get-magic on ${URIS[i]} read a directory: $out"
        out=$(grep -m 1 "^error: .*magic file '" <<<"$out") ||
            test_fail "virsh get-magic on ${URIS[i]}: no error message"
        WANT_ERROR[$((i + 1))]=${out#error: }
    done
}

# ---- notifications ------------------------------------------------------------

# The notifications of the last change, by their VIRTMON-MIB names.
expect_traps() {
    local change
    magic_expect_changes
    WANT_TRAPS=()
    for change in "${MAGIC_WANT_CHANGES[@]}"; do
        WANT_TRAPS+=("${TRAP_OF_CHANGE[$change]}")
    done
}

# The notification taken last: its name, and its connection from the
# index of vmonConnConfiguredUri, its first varbind.
trap_name() {
    local name
    for name in "${MAGIC_TRAPS[@]}"; do
        [ "$TRAP_OID" = "$(snmp_oid "$name")" ] && { echo "$name"; return; }
    done
}

trap_conn() {
    local oid=${TRAP_VBS[0]%%=*} prefix
    prefix=$(snmp_oid vmonConnConfiguredUri).
    [[ $oid == "$prefix"* ]] && echo "${oid#"$prefix"}"
}

# check_trap NAME CONN: the notification taken last is NAME for CONN, with
# the varbinds of VIRTMON-MIB and the content of the file.
check_trap() {
    local name=$1 i=$2 blocked=2 hex
    [ "$MAGIC_WANT_BLOCKED" = true ] && blocked=1
    if [ "$name" = vmonMagicChanged ]; then
        trap_expect "$name" "vmonConnConfiguredUri.$i=${URIS[i - 1]}" \
            "vmonMagicContent.$i=~^" "vmonMagicIsBootBlocked.$i=$blocked"
    else
        trap_expect "$name" "vmonConnConfiguredUri.$i=${URIS[i - 1]}" \
            "vmonMagicContent.$i=~^"
    fi
    hex=$(trap_hex "vmonMagicContent.$i") || exit 1
    [ "$hex" = "$MAGIC_WANT_HEX" ] ||
        test_fail "$name of connection $i carries $hex, the file has $MAGIC_WANT_HEX"
}

# Takes the notifications of the last change: WANT_TRAPS from every
# connection, in that order per connection, in any order between them.
take_traps() {
    local n name i
    local -A next=()
    for ((n = 0; n < ${#WANT_TRAPS[@]} * ${#URIS[@]}; n++)); do
        trap_next
        name=$(trap_name)
        i=$(trap_conn)
        [ -n "$name" ] && [ -n "$i" ] && [ "$i" -le ${#URIS[@]} ] ||
            test_fail "unexpected notification: $TRAP_LINE"
        [ "$name" = "${WANT_TRAPS[${next[$i]:-0}]:-}" ] ||
            test_fail "connection $i sent $name, want ${WANT_TRAPS[*]} (${next[$i]:-0} taken)"
        next[$i]=$((${next[$i]:-0} + 1))
        check_trap "$name" "$i"
    done
}

# ---- the QEMU driver's refusal: the independent truth of the marker ----------

define_guest() {
    cat >"$TEST_TMPDIR/guest.xml" <<EOF
<domain type='qemu'>
  <name>$GUEST</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><emulator>$QEMU</emulator></devices>
</domain>
EOF
    libvirtd_virsh -c qemu:///system define "$TEST_TMPDIR/guest.xml" >/dev/null ||
        test_fail "cannot define $GUEST"
}

# The guest starts exactly when the agent says the host is not blocked.
check_start_agrees() {
    local out
    if out=$(libvirtd_virsh -c qemu:///system start "$GUEST" 2>&1); then
        libvirtd_virsh -c qemu:///system destroy "$GUEST" >/dev/null ||
            test_fail "cannot destroy $GUEST"
        [ "$MAGIC_WANT_BLOCKED" = false ] ||
            test_fail "QEMU driver started $GUEST, the agent says blocked"
    else
        [[ $out == *"domain start refused"* ]] ||
            test_fail "$GUEST did not start: $out"
        [ "$MAGIC_WANT_BLOCKED" = true ] ||
            test_fail "QEMU driver refused $GUEST, the agent says not blocked"
    fi
    test_note "   QEMU driver agrees: blocked=$MAGIC_WANT_BLOCKED"
}

# ---- the cases -----------------------------------------------------------------

# check_file WHAT [start]: every row and the notifications match the file
# as it is now; with "start", so does the QEMU driver.
check_file() {
    magic_expect
    expect_errors
    expect_traps
    wait_rows
    take_traps
    test_note "ok: $1: $MAGIC_WANT_STATUS '$MAGIC_WANT_HEX'" \
        "blocked=${MAGIC_WANT_BLOCKED:-unknown}${WANT_ERROR[1]:+ error \"${WANT_ERROR[1]}\"}," \
        "${#WANT_TRAPS[@]} notification(s) per connection"
    [ "${2:-}" = start ] && check_start_agrees
    return 0
}

check_no_more_traps() {
    sleep $((2 * SNMP_AGENT_INTERVAL + 1))
    [ "$(traps_count)" -eq "$TRAPS_SEEN" ] ||
        test_fail "$(($(traps_count) - TRAPS_SEEN)) unexpected notification(s): $(traps_lines | tail -n 1)"
}

check_daemons_alive() {
    test_is_running "$SNMP_AGENT_PID" || test_fail "virtmon-agent died"
    test_is_running "$LIBVIRTD_PID" || test_fail "libvirtd died"
}

magic_can_build || test_skip "needs Debian with apt to build the patched libvirt"
[ -x "$QEMU" ] || test_skip "$QEMU is not installed"
magic_build
libvirtd_use_prefix "$MAGIC_PREFIX"
TCP_PORT=$(libvirtd_pick_port) || test_fail "no free TCP port on 127.0.0.1"
libvirtd_listen_tcp "$TCP_PORT"
URIS=(qemu:///system qemu+unix:///system
    "qemu+tcp://127.0.0.1:$TCP_PORT/system")

magic_write "$MAGIC_FIRST"
traps_init
TRAPS_TAKE=("${MAGIC_TRAPS[@]}")
define_guest
args=()
for uri in "${URIS[@]}"; do
    args+=(-u "$uri")
done
LD_LIBRARY_PATH=$MAGIC_PREFIX/lib traps_start_agent -- "${args[@]}"

magic_run_cases check_file
check_no_more_traps
check_daemons_alive
test_note "all rows and $TRAPS_SEEN notifications as the file says"
