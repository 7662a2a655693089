#!/bin/sh
# test-mib-lint.sh: VIRTMON-MIB must pass smilint -l 6 without a single
# error or warning, and net-snmp must parse it and place it where the C code does.
set -u

srcdir=${srcdir:-$(dirname "$0")}
top_srcdir=$srcdir/..
mib=$top_srcdir/mibs/VIRTMON-MIB.txt
oids_h=$top_srcdir/agent/vmon-oids.h
ietf=${IETF_MIB_DIR:-$PWD/ietf-mibs}

for tool in smilint snmptranslate; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "SKIP: $tool not installed"
        exit 77
    fi
done
if ! "$srcdir/fetch-ietf-mibs.sh" "$ietf"; then
    echo "SKIP: IETF base MIBs not available"
    exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# net-snmp announces creating this under its persistent directory.
mkdir "$tmp/cert_indexes"
failed=0

fail() {
    echo "FAIL: $*"
    failed=1
}

test_smilint_reports_nothing() {
    SMIPATH=$ietf smilint -l 6 "$mib" >"$tmp/smilint.out" 2>&1
    if [ -s "$tmp/smilint.out" ]; then
        cat "$tmp/smilint.out"
        fail "smilint -l 6 reported problems"
    fi
}

# smilint says nothing about a module it could not read at all, so also ask
# it to dump the module and check that the root is where it should be.
test_smilint_sees_the_module() {
    SMIPATH=$ietf smidump -f identifiers "$mib" 2>/dev/null >"$tmp/ids"
    grep -q 'virtmonMIB.*1\.3\.6\.1\.4\.1\.36957\.3$' "$tmp/ids" ||
        fail "smidump does not show virtmonMIB at 1.3.6.1.4.1.36957.3"
}

snmptranslate_mib() {
    SNMPCONFPATH=$tmp SNMP_PERSISTENT_DIR=$tmp \
        snmptranslate -M "$ietf:$top_srcdir/mibs" -m VIRTMON-MIB "$@"
}

test_netsnmp_parses_without_complaint() {
    snmptranslate_mib -Tp >"$tmp/tree" 2>"$tmp/err"
    if [ -s "$tmp/err" ]; then
        cat "$tmp/err"
        fail "net-snmp complained while parsing VIRTMON-MIB"
    fi
    grep -q 'vmonMagicIsBootBlocked' "$tmp/tree" ||
        fail "net-snmp tree lacks vmonMagicIsBootBlocked"
}

# The root is written twice, once in the MIB and once in the C header; they
# must agree.
test_c_header_root_matches_mib() {
    mib_root=$(snmptranslate_mib -On VIRTMON-MIB::virtmonMIB 2>/dev/null)
    c_root=$(sed -n 's/^#define VMON_OID_ROOT[ \t]*//p' "$oids_h" |
        tr -d ' \t' | tr ',' '.')
    [ -n "$mib_root" ] || fail "snmptranslate cannot resolve virtmonMIB"
    [ ".$c_root" = "$mib_root" ] ||
        fail "agent/vmon-oids.h root '.$c_root' differs from MIB '$mib_root'"
}

test_smilint_reports_nothing
test_smilint_sees_the_module
test_netsnmp_parses_without_complaint
if [ -f "$oids_h" ]; then
    test_c_header_root_matches_mib
fi
exit $failed
