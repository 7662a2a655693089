#!/bin/bash
# test-libvirt-magic-safety.sh: the patched libvirtd reads nothing but a
# regular file of root's at the magic file's path, at most 32 bytes, and no
# magic file can stall it: for a symlink to a secret, a FIFO with and
# without a writer, a device node, a directory, a file of another user, a
# huge file and a FUSE file whose read never answers, a read-only client
# gets the expected error and other clients still get answers within a
# second; so does a domain start, which checks the same file.

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

# What the daemon reads and names: RUNSTATEDIR/libvirt/magic_file.
MAGIC=/run/libvirt/magic_file
GUEST=magic-safety-guest
READERS=30   # concurrent read-only calls against the hung file

# errno values as Linux numbers them
ELOOP=40
EINVAL=22
EISDIR=21
EPERM=1

can_run_here() {
    magic_libvirt_can_run && hang_can_run
}

if ! can_run_here; then
    echo "SKIP: needs Debian with apt, qemu-system-x86_64, libfuse3-dev and /dev/fuse" >&2
    exit 77
fi

libvirtd_enter_namespace "$@"

cleanup() {
    hang_stop
    libvirtd_cleanup
}
trap cleanup EXIT

# ---- helpers ---------------------------------------------------------------

# A read-only client's view: "error code=38 int1=ERRNO" or "content=HEX".
probe() {
    LD_LIBRARY_PATH=$prefix/lib timeout 20 "$LIBVIRTD_DIR/probe" qemu:///system
}

ro_get_magic() {
    LD_LIBRARY_PATH=$prefix/lib timeout 20 "$prefix/bin/virsh" -q -r \
        -c qemu:///system get-magic
}

rw_virsh() { libvirtd_virsh -c qemu:///system "$@"; }

ms_now() { echo $(($(date +%s%N) / 1000000)); }

# Root's read-write list and a read-only nodeinfo, each answered within a
# second: the daemon's workers are not tied up.
others_answer_within_a_second() {
    local args start ms
    for args in "-c qemu:///system list --all" "-r -c qemu:///system nodeinfo"; do
        start=$(ms_now)
        # shellcheck disable=SC2086 # the words are virsh's arguments
        LD_LIBRARY_PATH=$prefix/lib timeout 10 "$prefix/bin/virsh" $args \
            >/dev/null 2>&1 || { echo "virsh $args failed"; return 1; }
        ms=$(($(ms_now) - start))
        [ "$ms" -lt 1000 ] || { echo "virsh $args took $ms ms"; return 1; }
    done
}

# expect_refused ERRNO TEXT: the read fails with that errno in int1 and
# virsh names the file with TEXT, and other clients are not held up.
expect_refused() {
    local errno=$1 text=$2 out
    out=$(probe)
    [ "$out" = "error code=38 int1=$errno" ] ||
        { echo "probe: got '$out', want int1=$errno"; return 1; }
    out=$(ro_get_magic 2>&1) && { echo "get-magic read: $out"; return 1; }
    [[ $out == *"magic file '$MAGIC' $text"* ]] ||
        { echo "unexpected error: $out"; return 1; }
    others_answer_within_a_second
}

magic_clear() { rm -rf "$MAGIC"; }

# ---- the tests -------------------------------------------------------------

test_symlink_to_a_secret_is_not_followed() {
    local out rc=0
    magic_clear
    printf 'TOPSECRET root only\n' >"$LIBVIRTD_DIR/secret"
    chmod 0600 "$LIBVIRTD_DIR/secret"
    ln -s "$LIBVIRTD_DIR/secret" "$MAGIC"
    expect_refused $ELOOP "is not a regular file: Too many levels of symbolic links" ||
        rc=1
    out=$(ro_get_magic 2>&1)
    [[ $out != *TOPSECRET* ]] || { echo "the secret leaked: $out"; rc=1; }
    return $rc
}

test_fifo_without_writer_is_refused() {
    magic_clear
    mkfifo "$MAGIC"
    expect_refused $EINVAL "is not a regular file: Invalid argument"
}

# The FIFO is never opened, so what a writer put in it stays for its reader.
test_fifo_with_writer_keeps_its_bytes() {
    local fd line rc=0
    magic_clear
    mkfifo "$MAGIC"
    exec {fd}<>"$MAGIC"
    printf '0xabadcafe\n' >&"$fd"
    expect_refused $EINVAL "is not a regular file: Invalid argument" || rc=1
    if ! read -r -t 2 -u "$fd" line || [ "$line" != 0xabadcafe ]; then
        echo "the writer's bytes are gone: '${line:-}'"
        rc=1
    fi
    exec {fd}>&-
    return $rc
}

test_device_node_is_not_opened() {
    magic_clear
    mknod "$MAGIC" c 1 3 # /dev/null's numbers
    expect_refused $EINVAL "is not a regular file: Invalid argument"
}

test_directory_is_refused() {
    magic_clear
    mkdir "$MAGIC"
    expect_refused $EISDIR "is not a regular file: Is a directory"
}

test_file_of_another_user_is_refused() {
    magic_clear
    printf 'planted\n' >"$MAGIC"
    chown 65534:65534 "$MAGIC"
    expect_refused $EPERM "is owned by neither root nor the daemon's user: Operation not permitted"
}

# 8 GiB, sparse: only its first 32 bytes are read, at once.
test_huge_file_gives_its_first_32_bytes() {
    local out start ms
    magic_clear
    printf '0123456789abcdefghijklmnopqrstuvwxyz' >"$MAGIC"
    truncate -s 8G "$MAGIC"
    start=$(ms_now)
    out=$(ro_get_magic) || { echo "get-magic failed"; return 1; }
    ms=$(($(ms_now) - start))
    [ "$out" = 0123456789abcdefghijklmnopqrstuv ] || { echo "got '$out'"; return 1; }
    [ "$ms" -lt 1000 ] || { echo "took $ms ms"; return 1; }
    others_answer_within_a_second
}

# READERS read-only clients at once: each fails within a few seconds (the
# first reads time out after a second, the rest find them pending), and
# meanwhile root and another read-only client get answers within a second.
test_hung_read_ties_up_no_worker() {
    local i pids=() rc=0 start ms out
    hang_start "$MAGIC" || return 1
    start=$(ms_now)
    for ((i = 0; i < READERS; i++)); do
        ro_get_magic >"$LIBVIRTD_DIR/reader.$i" 2>&1 &
        pids+=($!)
    done
    others_answer_within_a_second || rc=1
    for i in "${!pids[@]}"; do
        if wait "${pids[i]}"; then
            echo "reader $i read the hung file: $(cat "$LIBVIRTD_DIR/reader.$i")"
            rc=1
        fi
        out=$(cat "$LIBVIRTD_DIR/reader.$i")
        [[ $out == *"cannot read magic file '$MAGIC'"*@(Connection timed out|earlier reads have not returned)* ]] ||
            { echo "reader $i: unexpected error: $out"; rc=1; }
    done
    ms=$(($(ms_now) - start))
    [ "$ms" -lt 10000 ] || { echo "$READERS readers took $ms ms"; rc=1; }
    others_answer_within_a_second || rc=1
    return $rc
}

# The start check reads by the same rules: a hung file refuses the start
# within seconds instead of holding the domain's job.
test_hung_read_refuses_start_quickly() {
    local out start ms
    # a fresh hang, so that the check's own read is the one that hangs
    hang_stop
    hang_start "$MAGIC" || return 1
    start=$(ms_now)
    out=$(timeout 30 "$prefix/bin/virsh" -c qemu:///system start "$GUEST" 2>&1) &&
        { echo "start succeeded: $out"; return 1; }
    ms=$(($(ms_now) - start))
    [[ $out == *"cannot read magic file '$MAGIC'"* ]] ||
        { echo "unexpected error: $out"; return 1; }
    [ "$ms" -lt 5000 ] || { echo "the refusal took $ms ms"; return 1; }
    [ "$(rw_virsh domstate "$GUEST" 2>&1 | head -n 1)" = "shut off" ] ||
        { echo "guest is not shut off"; return 1; }
    others_answer_within_a_second
}

# Once the hung reads return (the FUSE server dies), reads work again.
test_reads_recover_after_the_hang() {
    local out i
    hang_stop
    printf 'after the hang\n' >"$MAGIC.new" && mv -f "$MAGIC.new" "$MAGIC"
    for ((i = 0; i < 50; i++)); do
        out=$(ro_get_magic 2>&1) && break
        sleep 0.1
    done
    [ "$out" = "after the hang" ] || { echo "got '$out'"; return 1; }
}

# ---- main ------------------------------------------------------------------

hang_build || { echo "FAIL: cannot compile hang-fs.c" >&2; exit 1; }
magic_libvirt_start "$top_srcdir"
magic_guest_define "$GUEST" || { echo "FAIL: cannot define $GUEST" >&2; exit 1; }

check_run test_symlink_to_a_secret_is_not_followed
check_run test_fifo_without_writer_is_refused
check_run test_fifo_with_writer_keeps_its_bytes
check_run test_device_node_is_not_opened
check_run test_directory_is_refused
check_run test_file_of_another_user_is_refused
check_run test_huge_file_gives_its_first_32_bytes
check_run test_hung_read_ties_up_no_worker
check_run test_hung_read_refuses_start_quickly
check_run test_reads_recover_after_the_hang

[ "$check_failed" -eq 0 ] || libvirtd_dump_logs
check_summary
