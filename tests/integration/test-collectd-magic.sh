#!/bin/bash
# test-collectd-magic.sh: with libvirt's magic file extension (built by
# contrib/libvirt-magic-file/build.sh), the plugin reports the magic file's
# status and the boot-blocking marker as values, and changes of its content
# and of the marker as notifications, as the patched virsh reads the file.
#
# The private libvirtd serves qemu:///system; its /run/libvirt is a
# private tmpfs, where the test writes the magic file itself.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
# re-runs this script in a private mount namespace (as root), or skips
libvirtd_enter_namespace "$@"
. "$here/collectd.sh"

collectd_require
BUILD=${abs_top_srcdir:-.}/contrib/libvirt-magic-file/build.sh
[ -x "$BUILD" ] || test_skip "no $BUILD"
[ -r /etc/debian_version ] || test_skip "the patched libvirt builds on Debian"

URI=qemu:///system
MAGIC=/run/libvirt/magic_file
MISMATCHES=0

mismatch() {
    printf 'MISMATCH: %s\n' "$*" >&2
    MISMATCHES=$((MISMATCHES + 1))
}

# value_is TYPE_FILE N: the connection's newest value of TYPE_FILE is N,
# written after the file last changed (CHANGED, seconds since the epoch).
value_is() {
    local line
    line=$(collectd_csv_line "$COLLECTD_HOSTNAME" virtmon-private "$1") &&
        [ "${line%%.*}" -gt "$CHANGED" ] &&
        [ "$(collectd_integer "${line#*,}")" = "$2" ]
}

# expect_values WHAT STATUS BLOCKED: the status (virtmon-types.db: 1 read,
# 4 absent) and boot_blocked flag come to be written, with the source 1:
# the libvirt API answered.
expect_values() {
    local what=$1 deadline=$((SECONDS + 15))
    while [ "$SECONDS" -lt "$deadline" ]; do
        value_is virtmon_magic_status "$2" &&
            value_is bool-boot_blocked "$3" &&
            value_is virtmon_magic_source 1 && return 0
        sleep 0.2
    done
    mismatch "$what: status/boot_blocked/source not $2/$3/1"
}

# write_magic [CONTENT]: writes the magic file (removes it without CONTENT)
# and notes when.
write_magic() {
    CHANGED=$(date +%s)
    if [ $# -eq 0 ]; then
        rm -f "$MAGIC"
    else
        printf '%s' "$1" >"$MAGIC"
    fi
}

expect() {
    local what=$1
    shift
    collectd_expect_notification 15 "$@" || mismatch "$what: no notification"
}

get_magic() {
    libvirtd_virsh -q -r -c "$URI" get-magic 2>&1
}

# ---- run ------------------------------------------------------------------------

prefix=$("$BUILD" | tail -n 1) && [ -x "$prefix/sbin/libvirtd" ] ||
    test_fail "$BUILD did not build libvirt"
libvirtd_use_prefix "$prefix"
test_at_exit libvirtd_cleanup
write_magic
libvirtd_start || test_fail "cannot start the patched libvirtd"

CONF=$TEST_TMPDIR/collectd.conf
{
    collectd_globals csv exec
    collectd_csv_block
    collectd_exec_sink_block
    collectd_virtmon_block <<EOF
  Connection "$URI" "private"
  RefreshInterval 1
EOF
} >"$CONF"
# collectd's libvirt is the patched one, which has the extension API
export LD_LIBRARY_PATH=$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
collectd_start "$CONF"

# no file: virsh says so, the plugin says absent and not blocked
get_magic >/dev/null && mismatch "virsh reads a magic file the test never wrote"
expect_values "no magic file" 4 0

write_magic 'hello magic'
[ "$(get_magic)" = "hello magic" ] || mismatch "virsh reads '$(get_magic)'"
expect_values "a harmless magic file" 1 0
expect "content changed" "Severity: OKAY" "Type: virtmon_magic_status" \
    "content: hello magic" "uri: $URI" "source: libvirt-api"

# the marker as `echo` writes it, with a newline
write_magic $'0xabadcafe\n'
expect_values "the marker" 1 1
expect "marker set" "Severity: FAILURE" "Type: bool" \
    "TypeInstance: boot_blocked" 'content: 0xabadcafe\x0a'

write_magic
expect_values "the marker removed" 4 0
expect "marker cleared" "Severity: OKAY" "TypeInstance: boot_blocked"

[ "$MISMATCHES" -eq 0 ] || test_fail "$MISMATCHES magic file check(s) failed"
test_note "the magic file's status, marker and changes reach collectd"
