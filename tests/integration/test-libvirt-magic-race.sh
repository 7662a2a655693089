#!/bin/bash
# test-libvirt-magic-race.sh: a writer that keeps setting the marker the
# documented way (a temporary file renamed over the magic file, as
# virtmon-magic set does) never lets a guest start on the patched libvirtd,
# and read-only readers never see the file empty or without the marker
# meanwhile. The writer is a tight loop, so that a writer that truncates
# and writes in place (echo 0xabadcafe > magic_file) would be caught.

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

MAGIC=/run/libvirt/magic_file
HELPER=${abs_top_builddir:-$top_srcdir}/contrib/qemu-hook/virtmon-magic
GUEST=magic-race-guest
STARTS=40     # virsh start attempts while the writer runs
READS=200     # read-only reads while the writer runs
WRITES_MAX=3000000 # the writer's bound; it is stopped long before
WRITER_PID=

if ! magic_libvirt_can_run; then
    echo "SKIP: needs Debian with apt and qemu-system-x86_64" >&2
    exit 77
fi
[ -x "$HELPER" ] || { echo "FAIL: no $HELPER: build virtmon first" >&2; exit 1; }

libvirtd_enter_namespace "$@"

writer_stop() {
    [ -n "$WRITER_PID" ] || return 0
    kill "$WRITER_PID" 2>/dev/null
    wait "$WRITER_PID" 2>/dev/null
    WRITER_PID=
}

cleanup() {
    writer_stop
    libvirtd_cleanup
}
trap cleanup EXIT

rw_virsh() { libvirtd_virsh -c qemu:///system "$@"; }

# Sets the marker again and again, as fast as it can, bounded in count;
# stopped by pid. A process per write would leave a race too little time.
writer_start() {
    local i
    python3 - "$MAGIC" "$WRITES_MAX" <<'EOF' &
import os
import sys

path, count = sys.argv[1], int(sys.argv[2])
tmp = path + ".race-writer"
for _ in range(count):
    with open(tmp, "w") as f:
        f.write("0xabadcafe\n")
    os.rename(tmp, path)
EOF
    WRITER_PID=$!
    for ((i = 0; i < 100; i++)); do
        [ -f "$MAGIC" ] && return 0
        sleep 0.1
    done
    echo "FAIL: the writer wrote nothing in 10 s" >&2
    exit 1
}

test_writer_lets_no_start_through() {
    local i started=0 out
    for ((i = 0; i < STARTS; i++)); do
        if out=$(rw_virsh start "$GUEST" 2>&1); then
            started=$((started + 1))
            rw_virsh destroy "$GUEST" >/dev/null 2>&1
        elif [[ $out != *"domain start refused: magic file '$MAGIC' holds '0xabadcafe'"* ]]; then
            echo "start $i: unexpected error: $out"
            return 1
        fi
    done
    [ "$started" -eq 0 ] || { echo "$started of $STARTS starts succeeded"; return 1; }
}

test_readers_always_see_the_marker() {
    local i other=0 out
    for ((i = 0; i < READS; i++)); do
        out=$(LD_LIBRARY_PATH=$prefix/lib "$LIBVIRTD_DIR/probe" qemu:///system)
        [ "$out" = "content=$MARKER_HEX" ] || other=$((other + 1))
    done
    [ "$other" -eq 0 ] || { echo "$other of $READS reads saw no marker (last: $out)"; return 1; }
}

test_writer_was_running() {
    kill -0 "$WRITER_PID" 2>/dev/null || { echo "the writer stopped early"; return 1; }
}

# virtmon-magic set writes the marker by the same rename, leaving nothing
# behind; clear removes it and starts work again.
test_helper_sets_and_clears() {
    writer_stop
    rm -f "$MAGIC" "$MAGIC.race-writer"
    "$HELPER" set "$MAGIC" || return 1
    [ "$(od -An -v -tx1 "$MAGIC" | tr -d ' \n')" = "$MARKER_HEX" ] ||
        { echo "virtmon-magic set wrote '$(cat "$MAGIC")'"; return 1; }
    [ "$(find "$(dirname "$MAGIC")" -maxdepth 1 -name 'magic_file?*' | wc -l)" -eq 0 ] ||
        { echo "temporary files left behind"; return 1; }
    "$HELPER" clear "$MAGIC" || return 1
    [ ! -e "$MAGIC" ] || { echo "virtmon-magic clear left the file"; return 1; }
    rw_virsh start "$GUEST" >/dev/null || { echo "start refused after clear"; return 1; }
    rw_virsh destroy "$GUEST" >/dev/null
}

MARKER_HEX=$(printf '0xabadcafe\n' | od -An -v -tx1 | tr -d ' \n')
magic_libvirt_start "$top_srcdir"
magic_guest_define "$GUEST" || { echo "FAIL: cannot define $GUEST" >&2; exit 1; }
writer_start

check_run test_writer_lets_no_start_through
check_run test_readers_always_see_the_marker
check_run test_writer_was_running
check_run test_helper_sets_and_clears

[ "$check_failed" -eq 0 ] || libvirtd_dump_logs
check_summary
