# magic-libvirt.sh: what the magic file tests on a private libvirtd share
# (sourced after libvirtd.sh, inside its namespace): the patched libvirt,
# the probe client, a guest for the start checks, and a magic file whose
# read never answers.
# shellcheck shell=bash
#
#   magic_libvirt_can_run || exit 77
#   magic_libvirt_start "$top_srcdir"   # sets prefix; probe in $LIBVIRTD_DIR
#   magic_guest_define NAME             # $LIBVIRTD_DIR/NAME.xml, defined
#   hang_build; hang_start PATH; hang_stop   # a file whose read hangs

prefix= # the patched libvirt's install prefix

magic_libvirt_can_run() {
    [ -r /etc/debian_version ] && command -v apt-get >/dev/null &&
        [ -x /usr/bin/qemu-system-x86_64 ]
}

# Builds (or finds in build.sh's cache) the patched libvirt, compiles
# magic-file-probe.c against it and starts the private libvirtd on it.
# Exits the test on failure.
magic_libvirt_start() {
    local top=$1
    if ! prefix=$(bash "$top/contrib/libvirt-magic-file/build.sh" | tail -n 1) ||
        [ ! -x "$prefix/sbin/libvirtd" ]; then
        echo "FAIL: contrib/libvirt-magic-file/build.sh did not build libvirt" >&2
        exit 1
    fi
    if ! cc -o "$LIBVIRTD_DIR/probe" "$top/tests/integration/magic-file-probe.c" \
        -I"$prefix/include" -L"$prefix/lib" -lvirt; then
        echo "FAIL: cannot compile magic-file-probe.c" >&2
        exit 1
    fi
    libvirtd_use_prefix "$prefix"
    libvirtd_start || exit 1
}

# magic_guest_define NAME: a 64 MiB QEMU TCG guest with no disk, enough
# for QEMU to start, defined on qemu:///system.
magic_guest_define() {
    cat >"$LIBVIRTD_DIR/$1.xml" <<XML
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
</domain>
XML
    libvirtd_virsh -c qemu:///system define "$LIBVIRTD_DIR/$1.xml" >/dev/null
}

# ---- a magic file whose read never answers ----------------------------------
# hang-fs.c serves one regular file of root's whose read never answers, a
# stand-in for a hung NFS or FUSE mount; it is bind-mounted over the magic
# file's path inside the test's namespace.

HANG_PID=
HANG_DIR=
HANG_TARGET=

hang_can_run() {
    pkg-config --exists fuse3 && [ -c /dev/fuse ]
}

hang_build() {
    # shellcheck disable=SC2046 # pkg-config's words are compiler arguments
    cc -o "$LIBVIRTD_DIR/hang-fs" "$(dirname "${BASH_SOURCE[0]}")/hang-fs.c" \
        $(pkg-config --cflags --libs fuse3)
}

# hang_start PATH: mounts hang-fs and binds its file over PATH.
hang_start() {
    local i
    HANG_DIR=$LIBVIRTD_DIR/hang
    HANG_TARGET=$1
    mkdir -p "$HANG_DIR"
    "$LIBVIRTD_DIR/hang-fs" -f "$HANG_DIR" >"$LIBVIRTD_DIR/hang-fs.log" 2>&1 &
    HANG_PID=$!
    for ((i = 0; i < 100; i++)); do
        [ -f "$HANG_DIR/magic_file" ] && break
        kill -0 "$HANG_PID" 2>/dev/null || break
        sleep 0.1
    done
    [ -f "$HANG_DIR/magic_file" ] ||
        { echo "hang-fs did not mount: $(cat "$LIBVIRTD_DIR/hang-fs.log")"; return 1; }
    rm -rf "$HANG_TARGET"
    touch "$HANG_TARGET"
    mount --bind "$HANG_DIR/magic_file" "$HANG_TARGET" ||
        { echo "cannot bind the FUSE file over $HANG_TARGET"; return 1; }
}

# Ends the FUSE server (its hung requests fail then) and the mounts.
hang_stop() {
    if [ -n "$HANG_PID" ]; then
        kill -KILL "$HANG_PID" 2>/dev/null
        wait "$HANG_PID" 2>/dev/null
        HANG_PID=
    fi
    if [ -n "$HANG_DIR" ]; then
        umount -l "$HANG_TARGET" 2>/dev/null
        umount -l "$HANG_DIR" 2>/dev/null
        rm -f "$HANG_TARGET"
        HANG_DIR=
    fi
    return 0
}
