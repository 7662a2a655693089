#!/bin/bash
# test-magic-hook-stock.sh: on Debian's stock libvirtd, which knows nothing
# of the magic file, virtmon's QEMU hook refuses to start a guest while the
# file holds the marker (or cannot be read) and lets it start once the
# marker is cleared, next to a qemu hook the host already has; and
# virtmon-agent with magicLocalRead reads the same file itself, saying so in
# vmonMagicSource, while without it the file stays unsupported. A FUSE file
# whose read never answers makes the hook refuse and the agent report an
# error, neither of them hanging.
#
# A private stock libvirtd with the hooks in its private /etc/libvirt, a
# 64 MiB QEMU TCG guest, the marker set and cleared with virtmon-magic.

# Automake may run .sh tests with /bin/sh; this one needs bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"
. "$here/vs-virsh.sh"
. "$here/magic.sh"
. "$here/magic-libvirt.sh"

QEMU=/usr/bin/qemu-system-x86_64
GUEST=hook-guest
HOOK_IN=$MAGIC_TOP_SRCDIR/contrib/qemu-hook/virtmon-magic-file.in
HELPER=${abs_top_builddir:-$MAGIC_TOP_SRCDIR}/contrib/qemu-hook/virtmon-magic
# What the hook and the agent read: the system daemon's file.
LOCAL_FILE=/run/libvirt/magic_file
REFUSAL="domain start refused: magic file '$LOCAL_FILE' holds '0xabadcafe'"
MISMATCHES=0

mismatch() {
    printf 'MISMATCH: %s\n' "$*" >&2
    MISMATCHES=$((MISMATCHES + 1))
}

# The hooks go into the private /etc/libvirt before libvirtd starts, which
# is when it looks for them: virtmon's in qemu.d, and a host's own qemu
# hook that logs its calls.
install_hooks() {
    mkdir -p /etc/libvirt/hooks/qemu.d
    sed -e "s|@sbindir[@]|$(dirname "$HELPER")|g" "$HOOK_IN" \
        >/etc/libvirt/hooks/qemu.d/virtmon-magic-file
    printf '#!/bin/sh\necho "$1 $2" >>%s\n' "$LIBVIRTD_DIR/host-hook.log" \
        >/etc/libvirt/hooks/qemu
    chmod 0755 /etc/libvirt/hooks/qemu.d/virtmon-magic-file /etc/libvirt/hooks/qemu
}

guest_state() {
    virsh -c qemu:///system domstate "$GUEST" 2>&1 | head -n 1
}

# expect_start_refused WHAT TEXT: virsh start fails naming TEXT and the
# guest stays shut off.
expect_start_refused() {
    local out
    if out=$(timeout 60 virsh -c qemu:///system start "$GUEST" 2>&1); then
        mismatch "$1: the guest started"
        virsh -c qemu:///system destroy "$GUEST" >/dev/null 2>&1
        return
    fi
    [[ $out == *"$2"* ]] || mismatch "$1: unexpected error: $out"
    [ "$(guest_state)" = "shut off" ] || mismatch "$1: guest is '$(guest_state)'"
}

check_hook_refuses_while_marker_set() {
    "$HELPER" set || test_fail "virtmon-magic set failed"
    expect_start_refused "marker set" "$REFUSAL"
    grep -qx "$GUEST prepare" "$LIBVIRTD_DIR/host-hook.log" ||
        mismatch "the host's own qemu hook did not run"
}

# Whatever cannot be read may hold the marker: a symlink refuses too.
check_hook_refuses_unreadable_file() {
    "$HELPER" clear
    printf 'elsewhere\n' >"$TEST_TMPDIR/target"
    ln -s "$TEST_TMPDIR/target" "$LOCAL_FILE"
    expect_start_refused "symlink" "magic file '$LOCAL_FILE' is not a regular file"
    rm -f "$LOCAL_FILE"
}

check_hook_allows_after_clear() {
    local out
    "$HELPER" set && "$HELPER" clear || test_fail "virtmon-magic clear failed"
    out=$(virsh -c qemu:///system start "$GUEST" 2>&1) ||
        { mismatch "cleared marker: start refused: $out"; return; }
    [ "$(guest_state)" = running ] || mismatch "cleared marker: guest is '$(guest_state)'"
    virsh -c qemu:///system destroy "$GUEST" >/dev/null 2>&1
}

# expect_magic_row I STATUS SOURCE [BLOCKED HEX]
expect_magic_row() {
    local i=$1 status=$2 source=$3 blocked=${4:-} hex=${5:-} got
    snmp_load_get "$(snmp_oid vmonMagicStatus).$i" "$(snmp_oid vmonMagicSource).$i" \
        "$(snmp_oid vmonMagicContent).$i" "$(snmp_oid vmonMagicIsBootBlocked).$i"
    expect_value "row $i vmonMagicStatus" "$(snmp_oid vmonMagicStatus).$i" "$status"
    expect_value "row $i vmonMagicSource" "$(snmp_oid vmonMagicSource).$i" "$source"
    [ -n "$blocked" ] || return 0
    expect_value "row $i vmonMagicIsBootBlocked" \
        "$(snmp_oid vmonMagicIsBootBlocked).$i" "$blocked"
    got=$(snmp_value "$(snmp_oid vmonMagicContent).$i") || got=absent
    [ "$(magic_hex "$got")" = "$hex" ] || mismatch "row $i vmonMagicContent: '$got', want $hex"
}

# With magicLocalRead the local system daemon's row reads the file itself;
# test:///default is no local system daemon and stays unsupported.
check_agent_local_read() {
    local marker
    "$HELPER" set || test_fail "virtmon-magic set failed"
    marker=$(printf '0xabadcafe\n' | od -An -v -tx1 | tr -d ' \n')
    traps_start_agent 'magicLocalRead yes' -- -u qemu:///system -u test:///default
    expect_magic_row 1 ok localFile true "$marker"
    expect_magic_row 2 unsupported none
    "$HELPER" clear
    test_wait_until 20 "the agent to see the file gone" magic_row_is 1 missing
    test_stop virtmon-agent
}

magic_row_is() {
    snmp_load_get "$(snmp_oid vmonMagicStatus).$1"
    [ "$(snmp_value "$(snmp_oid vmonMagicStatus).$1")" = "$2" ]
}

check_agent_without_opt_in() {
    "$HELPER" set || test_fail "virtmon-magic set failed"
    traps_start_agent -- -u qemu:///system
    expect_magic_row 1 unsupported none
    test_stop virtmon-agent
    "$HELPER" clear
}

# A hung file system behind the path: the hook refuses the start within
# seconds, and the agent's local read gives up after a second, the agent
# answering SNMP meanwhile.
check_hung_file() {
    local start ms error
    if ! hang_can_run; then
        test_note "no FUSE here: the hung file is left out"
        return 0
    fi
    hang_build || test_fail "cannot compile hang-fs.c"
    test_at_exit hang_stop
    hang_start "$LOCAL_FILE" || test_fail "cannot mount hang-fs"
    start=$SECONDS
    expect_start_refused "hung file" "cannot read magic file '$LOCAL_FILE'"
    [ $((SECONDS - start)) -lt 10 ] ||
        mismatch "hung file: the refusal took $((SECONDS - start)) s"
    traps_start_agent 'magicLocalRead yes' -- -u qemu:///system
    test_wait_until 20 "the agent to report the hung read" magic_row_is 1 error
    start=$(date +%s%N)
    snmp_load_get "$(snmp_oid vmonMagicError).1" "$(snmp_oid vmonMagicSource).1"
    ms=$((($(date +%s%N) - start) / 1000000))
    [ "$ms" -lt 1000 ] || mismatch "hung file: the agent took $ms ms to answer"
    error=$(snmp_value "$(snmp_oid vmonMagicError).1")
    # net-snmp prints a string with a byte it does not like in hex
    [[ $error =~ ^[0-9A-F]{2}( [0-9A-F]{2})*$ ]] && error=$(snmp_hex_text "$error")
    [[ $error == *"magic file '$LOCAL_FILE'"*@(Connection timed out|earlier reads have not returned)* ]] ||
        mismatch "hung file: vmonMagicError '$error'"
    expect_value "hung file vmonMagicSource" "$(snmp_oid vmonMagicSource).1" localFile
    # the agent's stuck read ends with the FUSE server; then it can exit
    hang_stop
    test_stop virtmon-agent
}

[ -x "$QEMU" ] || test_skip "$QEMU is not installed"
[ -x "$HELPER" ] || test_fail "no $HELPER: build virtmon first"
if out=$(LC_ALL=C virsh help get-magic 2>&1); then
    test_skip "the installed libvirt has the magic file extension"
fi
install_hooks
traps_init
magic_guest_define "$GUEST" || test_fail "cannot define $GUEST"
check_hook_refuses_while_marker_set
check_hook_refuses_unreadable_file
check_hook_allows_after_clear
check_agent_local_read
check_agent_without_opt_in
check_hung_file
test_is_running "$LIBVIRTD_PID" || test_fail "libvirtd died"
[ "$MISMATCHES" -eq 0 ] || test_fail "$MISMATCHES mismatches"
test_note "stock libvirt: the hook refuses starts while the marker is set, the agent reads the file locally when told to"
