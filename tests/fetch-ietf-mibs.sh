#!/bin/sh
# fetch-ietf-mibs.sh: puts the IETF base MIBs (SNMPv2-SMI, SNMPv2-TC, ...) that
# Debian's main archive lacks into DIR, taken from the erlang-snmp package.
#
# Usage: fetch-ietf-mibs.sh DIR
# The .deb is downloaded with apt-get (or taken from $ERLANG_SNMP_DEB) and
# unpacked in a temporary directory; Erlang is not installed. Running it
# again when DIR is complete does nothing. Exit status 0 on success, 1 when
# the MIBs could not be obtained.
set -eu

MODULES="SNMPv2-SMI SNMPv2-TC SNMPv2-CONF SNMPv2-MIB SNMP-FRAMEWORK-MIB
INET-ADDRESS-MIB TRANSPORT-ADDRESS-MIB"

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 1
fi
dir=$1

is_complete() {
    for m in $MODULES; do
        [ -s "$dir/$m.txt" ] || return 1
    done
    return 0
}

if is_complete; then
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "${ERLANG_SNMP_DEB:-}" ]; then
    deb=$ERLANG_SNMP_DEB
else
    if ! (cd "$tmp" && apt-get download erlang-snmp >"$tmp/apt.log" 2>&1); then
        echo "$0: cannot download erlang-snmp:" >&2
        cat "$tmp/apt.log" >&2
        exit 1
    fi
    deb=$(ls "$tmp"/erlang-snmp_*.deb)
fi

dpkg-deb -x "$deb" "$tmp/root"
mkdir -p "$dir"
for m in $MODULES; do
    src=$(find "$tmp/root" -path '*/snmp-*/mibs/*' -name "$m.mib" | head -n 1)
    if [ -z "$src" ]; then
        echo "$0: '$m' not found in '$deb'" >&2
        exit 1
    fi
    # Copy under a temporary name first so that an interrupted run never
    # leaves a truncated MIB that is_complete would accept.
    cp "$src" "$dir/.$m.$$"
    mv "$dir/.$m.$$" "$dir/$m.txt"
done
