#!/bin/bash
# test-magic-stock.sh: without the magic file extension virtmon-agent says
# unsupported(2) for the magic file and everything else is as virsh says.
#
# A private stock libvirtd, with a marker in its magic file that stock
# libvirt never reads, is watched by the agent on the stock libvirt.so.0
# (the test driver with a <magicfile> in its XML, qemu:///system,
# test+unix:///default): every magic row
# is unsupported with no content, no magic notification is sent, and the
# rest of the MIB equals virsh. Then, where the patched libvirt can be
# built, the agent runs on the patched library against the same stock
# daemon: the daemon's connections stay unsupported (it does not know the
# procedure) while the in-process test driver serves its XML's marker.

# Automake may run .sh tests with /bin/sh; this one needs bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"
. "$here/vs-virsh.sh"
. "$here/magic.sh"

URIS=("test://$VIRTMON_FIXTURES/node-magic.xml" qemu:///system
    test+unix:///default)
MAGIC_TRAPS=(vmonMagicChanged vmonBootMarkerSet vmonBootMarkerCleared)

start_agent() {
    local args=() uri
    for uri in "${URIS[@]}"; do
        args+=(-u "$uri")
    done
    traps_start_agent -- "${args[@]}"
}

# expect_magic_row I STATUS [BLOCKED HEX]: connection I's magic row; the
# content columns are absent unless BLOCKED and HEX are given.
expect_magic_row() {
    local i=$1 status=$2 blocked=${3:-} hex=${4:-} col oid got
    snmp_load_get "$(snmp_oid vmonMagicStatus).$i" \
        "$(snmp_oid vmonMagicContent).$i" "$(snmp_oid vmonMagicLength).$i" \
        "$(snmp_oid vmonMagicIsBootBlocked).$i" "$(snmp_oid vmonMagicError).$i"
    expect_value "connection $i vmonMagicStatus" \
        "$(snmp_oid vmonMagicStatus).$i" "$status"
    for col in vmonMagicContent vmonMagicLength vmonMagicIsBootBlocked vmonMagicError; do
        oid=$(snmp_oid $col).$i
        if [ -n "$blocked" ] && [ $col != vmonMagicError ]; then
            continue
        fi
        got=$(snmp_value "$oid") && mismatch "connection $i $col: '$got', want none"
    done
    [ -n "$blocked" ] || return 0
    expect_value "connection $i vmonMagicIsBootBlocked" \
        "$(snmp_oid vmonMagicIsBootBlocked).$i" "$blocked"
    got=$(snmp_value "$(snmp_oid vmonMagicContent).$i") || got=absent
    [ "$(magic_hex "$got")" = "$hex" ] ||
        mismatch "connection $i vmonMagicContent: '$got', want $hex"
}

# Stock libvirt: no get-magic in virsh, no API in the library.
check_stock_has_no_extension() {
    local out
    out=$(LC_ALL=C virsh help get-magic 2>&1) &&
        test_skip "the installed libvirt has the magic file extension"
    [[ $out == *"'get-magic' doesn't exist"* ]] ||
        test_fail "virsh help get-magic: $out"
}

# With the stock library every connection is unsupported, whatever the file.
check_stock_agent() {
    local i
    start_agent
    for i in "${!URIS[@]}"; do
        expect_magic_row $((i + 1)) unsupported
    done
    magic_write 'changed while unsupported\n'
    sleep $((2 * SNMP_AGENT_INTERVAL + 1))
    [ "$(traps_lines | wc -l)" -eq 0 ] ||
        mismatch "magic notifications without the extension: $(traps_lines | head -n 1)"
    VS_FREE_SLACK_KIB=$(($(virsh_ro qemu:///system nodeinfo |
        virsh_field 'Memory size' | tr -dc 0-9) / 20))
    vs_virsh_check_all "${URIS[@]}"
    test_stop virtmon-agent
}

# The patched library talking to the stock daemon: only the in-process test
# driver has the extension; it serves node-magic.xml's marker and says so
# once.
check_patched_client_with_stock_daemon() {
    local marker
    magic_build
    magic_write '0xabadcafe\n'
    marker=$(printf '0xabadcafe' | od -An -v -tx1 | tr -d ' \n')
    LD_LIBRARY_PATH=$MAGIC_PREFIX/lib start_agent
    expect_magic_row 1 ok true "$marker"
    expect_magic_row 2 unsupported
    expect_magic_row 3 unsupported
    trap_next
    trap_expect vmonBootMarkerSet "vmonConnConfiguredUri.1=${URIS[0]}" \
        "vmonMagicContent.1=~^"
    [ "$(trap_hex vmonMagicContent.1)" = "$marker" ] ||
        mismatch "vmonBootMarkerSet content: $(trap_hex vmonMagicContent.1)"
    sleep $((2 * SNMP_AGENT_INTERVAL + 1))
    [ "$(traps_lines | wc -l)" -eq 1 ] ||
        mismatch "more magic notifications: $(traps_lines | tail -n 1)"
    test_stop virtmon-agent
}

check_stock_has_no_extension
magic_write '0xabadcafe\n'
traps_init
TRAPS_TAKE=("${MAGIC_TRAPS[@]}")
check_stock_agent
if magic_can_build; then
    check_patched_client_with_stock_daemon
else
    test_note "not Debian: the patched library's part is left out"
fi
test_is_running "$LIBVIRTD_PID" || test_fail "libvirtd died"
[ "$MISMATCHES" -eq 0 ] || test_fail "$MISMATCHES mismatches"
test_note "stock libvirt: magic file unsupported, the rest as virsh says"
