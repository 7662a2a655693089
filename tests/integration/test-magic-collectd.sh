#!/bin/bash
# test-magic-collectd.sh: with the patched libvirt, the collectd plugin
# reports the magic file's status and marker as values and its changes as
# notifications carrying the content.
#
# The patched libvirtd runs privately, listening on TCP on 127.0.0.1; a
# private collectd, on the patched libvirt.so.0, watches one host three
# ways: qemu:///system and qemu+unix:///system over the unix socket,
# qemu+tcp://127.0.0.1:PORT/system through the remote driver. For each file the test writes (the cases of
# magic.sh) the csv values virtmon_magic_status and bool-boot_blocked of
# every connection must say what the file says, read with od, and each
# change must bring exactly the notifications the plugin's README lists,
# once per connection, through the exec plugin, content byte for byte.

# Automake may run .sh tests with /bin/sh; this one needs bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/collectd.sh"
. "$here/magic.sh"

VALUE_WAIT=20 # seconds for every connection's values to show a new file
NOTE_WAIT=15  # seconds a notification may take
# virtmon_magic_status as virtmon-types.db numbers it.
declare -A STATUS_VALUE=([ok]=1 [error]=3 [missing]=4)
MISMATCH=

# value_line I TYPE_FILE: connection I's newest csv line of TYPE_FILE.
value_line() {
    collectd_csv_line "$COLLECTD_HOSTNAME" "virtmon-c$1" "$2"
}

# value_since I TYPE_FILE SINCE: the value of the newest line, if it was
# written after SINCE (seconds since the epoch).
value_since() {
    local line
    line=$(value_line "$1" "$2") && [ "${line%%.*}" -gt "$3" ] &&
        collectd_integer "${line#*,}"
}

values_match() {
    local i status blocked
    for i in "${!URIS[@]}"; do
        i=$((i + 1))
        status=$(value_since "$i" virtmon_magic_status "$CHANGED")
        [ "$status" = "${STATUS_VALUE[$MAGIC_WANT_STATUS]}" ] || {
            MISMATCH="connection $i: virtmon_magic_status '$status', want ${STATUS_VALUE[$MAGIC_WANT_STATUS]}"
            return 1
        }
        [ -z "$MAGIC_WANT_BLOCKED" ] && continue
        blocked=$(value_since "$i" bool-boot_blocked "$CHANGED")
        [ "$blocked" = "$([ "$MAGIC_WANT_BLOCKED" = true ] && echo 1 || echo 0)" ] || {
            MISMATCH="connection $i: bool-boot_blocked '$blocked', want $MAGIC_WANT_BLOCKED"
            return 1
        }
    done
}

wait_values() {
    local deadline=$((SECONDS + VALUE_WAIT))
    until values_match; do
        [ "$SECONDS" -lt "$deadline" ] ||
            test_fail "after ${VALUE_WAIT}s, $MISMATCH"
        sleep 0.5
    done
}

# While the content is unknown (a failed read) boot_blocked is not sent:
# its newest line is older than the first line of the new status, which is
# sent by the same read.
check_no_boot_blocked() {
    local i first last
    [ -z "$MAGIC_WANT_BLOCKED" ] || return 0
    sleep 2
    for i in "${!URIS[@]}"; do
        i=$((i + 1))
        first=$(awk -F, -v since="$CHANGED" -v want="${STATUS_VALUE[error]}" \
            '$1 > since + 1 && $2 + 0 == want { print $1; exit }' \
            "$(collectd_csv_file "$COLLECTD_HOSTNAME" "virtmon-c$i" virtmon_magic_status)")
        last=$(value_line "$i" bool-boot_blocked) || continue
        awk -v last="${last%%,*}" -v first="$first" 'BEGIN { exit !(last < first) }' ||
            test_fail "connection $i: bool-boot_blocked written at ${last%%,*}, status error since $first"
    done
}

# magic_escape HEX: the content as the plugin's README says it is shown:
# printable ASCII as it is, other bytes and the backslash as \xNN.
magic_escape() {
    local hex=$1 i byte char out=
    for ((i = 0; i < ${#hex}; i += 2)); do
        byte=${hex:i:2}
        if ((16#$byte >= 16#20 && 16#$byte < 16#7f && 16#$byte != 16#5c)); then
            printf -v char '%b' "\\x$byte"
            out+=$char
        else
            out+="\\x$byte"
        fi
    done
    printf '%s\n' "$out"
}

# expect_note CHANGE I: connection I's notification of CHANGE arrives.
expect_note() {
    local change=$1 i=$2 lines
    lines=("PluginInstance: c$i" "uri: ${URIS[i - 1]}"
        "content: $(magic_escape "$MAGIC_WANT_HEX")")
    case $change in
        changed) lines+=("Severity: OKAY" "Type: virtmon_magic_status") ;;
        set) lines+=("Severity: FAILURE" "Type: bool" "TypeInstance: boot_blocked") ;;
        cleared) lines+=("Severity: OKAY" "Type: bool" "TypeInstance: boot_blocked") ;;
    esac
    collectd_expect_notification "$NOTE_WAIT" "${lines[@]}" ||
        test_fail "connection $i: no '$change' notification"
}

# Notifications left over once the expected ones are taken.
check_no_more_notes() {
    local f
    for f in "$COLLECTD_SINK_DIR"/.n.*.txt; do
        [ -f "$f" ] && test_fail "unexpected notification: $(cat "$f")"
    done
    return 0
}

check_file() {
    local change i
    CHANGED=$(date +%s)
    magic_expect
    magic_expect_changes
    wait_values
    check_no_boot_blocked
    for change in "${MAGIC_WANT_CHANGES[@]}"; do
        for i in "${!URIS[@]}"; do
            expect_note "$change" $((i + 1))
        done
    done
    check_no_more_notes
    test_note "ok: $1: $MAGIC_WANT_STATUS '$MAGIC_WANT_HEX'" \
        "blocked=${MAGIC_WANT_BLOCKED:-unknown}, notified: ${MAGIC_WANT_CHANGES[*]:-nothing}"
}

collectd_require
magic_can_build || test_skip "needs Debian with apt to build the patched libvirt"
magic_build
libvirtd_use_prefix "$MAGIC_PREFIX"
TCP_PORT=$(libvirtd_pick_port) || test_fail "no free TCP port on 127.0.0.1"
libvirtd_listen_tcp "$TCP_PORT"
URIS=(qemu:///system qemu+unix:///system
    "qemu+tcp://127.0.0.1:$TCP_PORT/system")

magic_write "$MAGIC_FIRST"
test_at_exit libvirtd_cleanup
libvirtd_start || test_fail "the patched libvirtd did not start"
CONF=$TEST_TMPDIR/collectd.conf
{
    collectd_globals csv exec
    collectd_csv_block
    collectd_exec_sink_block
    {
        for i in "${!URIS[@]}"; do
            printf '  Connection "%s" "c%s"\n' "${URIS[i]}" $((i + 1))
        done
        printf '  RefreshInterval 1\n'
    } | collectd_virtmon_block
} >"$CONF"
LD_LIBRARY_PATH=$MAGIC_PREFIX/lib collectd_start "$CONF"

magic_run_cases check_file
sleep 3
check_no_more_notes
test_is_running "$COLLECTD_PID" || test_fail "collectd died"
test_is_running "$LIBVIRTD_PID" || test_fail "libvirtd died"
test_note "every connection's values and notifications as the file says"
