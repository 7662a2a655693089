#!/bin/bash
# Integration test of the libvirt magic file extension: builds (or reuses)
# the patched libvirt, runs its libvirtd privately, checks get-magic and the
# QEMU driver's start refusal against files the test writes itself.

# make check runs shell tests with $(SHELL), which may not be bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/../.." && pwd)
# shellcheck source=tests/integration/libvirtd.sh
. "$here/libvirtd.sh"
# shellcheck source=tests/integration/check.sh
. "$here/check.sh"
# shellcheck source=tests/integration/magic-libvirt.sh
. "$here/magic-libvirt.sh"

# The documented path; on Debian /var/run is /run, which tmpfs hides.
MAGIC=/var/run/libvirt/magic_file
# What the daemon names in its messages: RUNSTATEDIR/libvirt/magic_file.
MAGIC_REAL=/run/libvirt/magic_file
GUEST=magic-guest

if ! magic_libvirt_can_run; then
    echo "SKIP: needs Debian with apt and qemu-system-x86_64" >&2
    exit 77
fi

libvirtd_enter_namespace "$@"
trap libvirtd_cleanup EXIT




# Expected and written bytes are given as printf formats, e.g. 'abc\n',
# so that NUL and non-ASCII bytes can be spelled out.
# shellcheck disable=SC2059
magic_set() { printf "$1" >"$MAGIC"; }

# Compares a command's stdout with the bytes printf "$1" makes.
stdout_is() {
    local want=$1 got
    shift
    got=$("$@" | od -An -tx1 | tr -d ' \n') || return 1
    # shellcheck disable=SC2059
    want=$(printf "$want" | od -An -tx1 | tr -d ' \n')
    [ "$got" = "$want" ] || { echo "got bytes '$got', want '$want'"; return 1; }
}

# -q: virsh otherwise prints an empty line after each command's output.
ro_virsh() { libvirtd_virsh -q -r -c "$1" get-magic; }
rw_virsh() { libvirtd_virsh -c qemu:///system "$@"; }

# ---- the tests -------------------------------------------------------------

test_stock_virsh_has_no_get_magic() {
    local out
    out=$(/usr/bin/virsh help get-magic 2>&1) && { echo "stock virsh knows it: $out"; return 1; }
    [[ $out == *"'get-magic' doesn't exist"* ]] || { echo "unexpected: $out"; return 1; }
}

test_get_magic_readonly_qemu_returns_content() {
    magic_set 'hello magic\n'
    stdout_is 'hello magic\n\n' ro_virsh qemu:///system
}

# The test driver serves the <magicfile> of its XML, never the host's file.
test_get_magic_test_driver_serves_its_own_file() {
    local out
    magic_set 'the host file'
    stdout_is '0xabadcafe\n' ro_virsh "test://$top_srcdir/tests/fixtures/node-magic.xml" ||
        return 1
    out=$(ro_virsh test+unix:///default 2>&1) && { echo "read: $out"; return 1; }
    [[ $out == *"the test driver's XML has no <magicfile>: No such file or directory"* ]] ||
        { echo "unexpected error: $out"; return 1; }
}

# flags are checked with virCheckFlags by the driver, over the remote
# protocol too: an unknown flag is VIR_ERR_INVALID_ARG (8).
test_unknown_flag_is_rejected() {
    local out uri
    magic_set 'content'
    for uri in qemu:///system test+unix:///default; do
        out=$(LD_LIBRARY_PATH=$prefix/lib "$LIBVIRTD_DIR/probe" "$uri" 1)
        [ "$out" = "error code=8 int1=0" ] || { echo "$uri: got '$out'"; return 1; }
    done
}

test_get_magic_missing_file_names_the_file() {
    local out uri
    rm -f "$MAGIC"
    for uri in qemu:///system; do
        out=$(ro_virsh "$uri" 2>&1) && { echo "$uri succeeded: $out"; return 1; }
        [[ $out == *"cannot read magic file '$MAGIC_REAL': No such file or directory"* ]] ||
            { echo "$uri: unexpected error: $out"; return 1; }
    done
}

# int1 is not shown by virsh: a small client prints the libvirt error.
test_missing_file_error_carries_enoent_to_remote_client() {
    local out enoent=2
    rm -f "$MAGIC"
    out=$(LD_LIBRARY_PATH=$prefix/lib "$LIBVIRTD_DIR/probe" qemu:///system)
    [ "$out" = "error code=38 int1=$enoent" ] || { echo "got '$out'"; return 1; }
}

test_unreadable_file_error_carries_errno() {
    local out eisdir=21
    rm -f "$MAGIC"
    mkdir "$MAGIC"
    out=$(LD_LIBRARY_PATH=$prefix/lib "$LIBVIRTD_DIR/probe" qemu:///system)
    rmdir "$MAGIC"
    [ "$out" = "error code=38 int1=$eisdir" ] || { echo "got '$out'"; return 1; }
}

test_get_magic_empty_file_is_empty() {
    : >"$MAGIC"
    stdout_is '\n' ro_virsh qemu:///system
}

test_get_magic_long_file_gives_first_32_bytes() {
    magic_set '0123456789abcdefghijklmnopqrstuvwxyzABCD'
    stdout_is '0123456789abcdefghijklmnopqrstuv\n' ro_virsh qemu:///system
}

test_get_magic_non_ascii_bytes_survive() {
    magic_set '\303\251t\351\377\001\tend'
    stdout_is '\303\251t\351\377\001\tend\n' ro_virsh qemu:///system
}

test_get_magic_stops_at_nul_byte() {
    magic_set 'before\000after'
    stdout_is 'before\n' ro_virsh qemu:///system
}

guest_state_is() {
    local state
    state=$(rw_virsh domstate "$GUEST" 2>&1 | head -n 1)
    [ "$state" = "$1" ] || { echo "guest is '$state', want '$1'"; return 1; }
}

start_is_refused() {
    local out
    out=$(rw_virsh start "$GUEST" 2>&1) && { echo "start succeeded: $out"; return 1; }
    [[ $out == *"domain start refused: magic file '$MAGIC_REAL' holds '0xabadcafe'"* ]] ||
        { echo "unexpected error: $out"; return 1; }
}

test_marker_refuses_start_and_guest_stays_shut_off() {
    echo 0xabadcafe >"$MAGIC"
    start_is_refused && guest_state_is "shut off"
}

test_marker_refuses_create_of_transient_guest() {
    local out
    magic_set '0xabadcafe'
    sed "s/$GUEST/$GUEST-transient/" "$LIBVIRTD_DIR/$GUEST.xml" >"$LIBVIRTD_DIR/t.xml"
    out=$(rw_virsh create "$LIBVIRTD_DIR/t.xml" 2>&1) && { echo "create succeeded"; return 1; }
    [[ $out == *"domain start refused"* ]] || { echo "unexpected error: $out"; return 1; }
    ! rw_virsh domstate "$GUEST-transient" >/dev/null 2>&1 ||
        { echo "transient guest exists"; return 1; }
}

test_cleared_marker_lets_guest_start() {
    magic_set '0xabadcafe-cleared\n'
    rw_virsh start "$GUEST" >/dev/null && guest_state_is running &&
        rw_virsh destroy "$GUEST" >/dev/null && guest_state_is "shut off"
}

test_marker_refuses_managed_save_restore_and_keeps_image() {
    rm -f "$MAGIC"
    if ! rw_virsh start "$GUEST" >/dev/null ||
        ! rw_virsh managedsave "$GUEST" >/dev/null; then
        echo "cannot prepare a managed save"
        return 1
    fi
    echo 0xabadcafe >"$MAGIC"
    start_is_refused || return 1
    rw_virsh dominfo "$GUEST" | grep -Eq '^Managed save: +yes' ||
        { echo "managed save image is gone"; return 1; }
    rm -f "$MAGIC"
    rw_virsh start "$GUEST" >/dev/null && guest_state_is running &&
        rw_virsh destroy "$GUEST" >/dev/null
}

# ---- main ------------------------------------------------------------------

magic_libvirt_start "$top_srcdir"

check_run test_stock_virsh_has_no_get_magic
check_run test_get_magic_readonly_qemu_returns_content
check_run test_get_magic_test_driver_serves_its_own_file
check_run test_unknown_flag_is_rejected
check_run test_get_magic_missing_file_names_the_file
check_run test_missing_file_error_carries_enoent_to_remote_client
check_run test_unreadable_file_error_carries_errno
check_run test_get_magic_empty_file_is_empty
check_run test_get_magic_long_file_gives_first_32_bytes
check_run test_get_magic_non_ascii_bytes_survive
check_run test_get_magic_stops_at_nul_byte
if magic_guest_define "$GUEST"; then
    check_run test_marker_refuses_start_and_guest_stays_shut_off
    check_run test_marker_refuses_create_of_transient_guest
    check_run test_cleared_marker_lets_guest_start
    check_run test_marker_refuses_managed_save_restore_and_keeps_image
else
    check_fail define_guest "cannot define $GUEST"
fi

[ "$check_failed" -eq 0 ] || libvirtd_dump_logs
check_summary
