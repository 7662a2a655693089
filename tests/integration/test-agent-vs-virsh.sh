#!/bin/bash
# test-agent-vs-virsh.sh: what virtmon-agent publishes about libvirt's test
# driver (the fixtures and test:///default) equals what virsh says.
#
# One agent watches three URIs: connection 1 is the node.xml fixture (odd
# names, every state), 2 is test:///default (NUMA cells), 3 is a host
# without domains.
# Every value is read four ways (see vs-virsh.sh); any mismatch fails.

# Automake may run .sh tests with /bin/sh; this one needs bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/vs-virsh.sh"

URIS=("test://$VIRTMON_FIXTURES/node.xml" "test:///default"
    "test://$VIRTMON_FIXTURES/node-empty.xml")

snmp_init
snmp_start_snmpd
snmp_start_agent -u "${URIS[0]}" -u "${URIS[1]}" -u "${URIS[2]}"
vs_virsh_check_all "${URIS[@]}"
[ "$MISMATCHES" -eq 0 ] || test_fail "$MISMATCHES values differ from virsh"
test_note "agent and virsh agree on ${URIS[*]}"
