# magic-libvirt.sh: what the tests of the patched libvirt daemon share
# (sourced after libvirtd.sh, inside its namespace): the patched libvirt,
# the probe client, and a guest for the start checks.
# shellcheck shell=bash
#
#   magic_libvirt_can_run || exit 77
#   magic_libvirt_start "$top_srcdir"   # sets prefix; probe in $LIBVIRTD_DIR
#   magic_guest_define NAME             # $LIBVIRTD_DIR/NAME.xml, defined

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
