#!/bin/sh
# test-mib-registry.sh: the agent's registration table and VIRTMON-MIB must
# list the same objects, under the same names, OIDs and base types.
set -u

srcdir=${srcdir:-$(dirname "$0")}
top_srcdir=${top_srcdir:-$srcdir/..}
dump=${DUMP_MIB_REGISTRY:-./unit/dump-mib-registry}
ietf=${IETF_MIB_DIR:-$PWD/ietf-mibs}

command -v snmptranslate >/dev/null 2>&1 || {
    echo "SKIP: snmptranslate not installed"
    exit 77
}
"$srcdir/fetch-ietf-mibs.sh" "$ietf" || {
    echo "SKIP: IETF base MIBs not available"
    exit 77
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/cert_indexes"

mib() {
    SNMPCONFPATH=$tmp SNMP_PERSISTENT_DIR=$tmp MIBS= \
        snmptranslate -M "$ietf:$top_srcdir/mibs" -m VIRTMON-MIB "$@"
}

# Every readable object of the MIB as "NAME OID TYPE", types named as the
# dump names them (Gauge32 and Unsigned32 share one ASN.1 type).
mib -Tp VIRTMON-MIB::virtmonMIB 2>/dev/null |
    sed -n 's/.*-R-- *\([A-Za-z0-9]*\) *\([A-Za-z0-9]*\)(.*/\2 \1/p' |
    while read -r name type; do
        case $type in
        EnumVal | Integer32 | INTEGER) type=Integer ;;
        Gauge) type=Unsigned ;;
        esac
        echo "$name $(mib -On "VIRTMON-MIB::$name") $type"
    done | sort >"$tmp/mib"

if ! "$dump" >"$tmp/registry.unsorted"; then
    echo "FAIL: the registration table is not in OID order under the root"
    exit 1
fi
sort "$tmp/registry.unsorted" >"$tmp/registry"

if [ "$(wc -l <"$tmp/mib")" -lt 90 ]; then
    echo "FAIL: only $(wc -l <"$tmp/mib") objects read from the MIB"
    exit 1
fi
if ! diff -u "$tmp/mib" "$tmp/registry"; then
    echo "FAIL: registration table (+) and VIRTMON-MIB (-) differ"
    exit 1
fi
echo "$(wc -l <"$tmp/registry") objects agree"
