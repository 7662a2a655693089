#!/bin/bash
# demo.sh: builds virtmon and shows it at work: a private snmpd on 127.0.0.1
# with virtmon-agent watching libvirt's test driver, walked by object name.
set -eu
cd "$(dirname "$0")/.."
top=$PWD

tools/install-deps.sh
autoreconf -fi
./configure
make -j"$(nproc 2>/dev/null || echo 2)"
make -C tests ietf-mibs.stamp
set +e

export VIRTMON_AGENT="$top/agent/virtmon-agent"
export VIRTMON_IETF_MIBDIR="$top/tests/ietf-mibs"
export VIRTMON_MIBDIR="$top/mibs"
. tests/integration/snmp.sh

snmp_init
snmp_start_snmpd
snmp_start_agent -u test:///default

# -m VIRTMON-MIB, not -m +VIRTMON-MIB: the default MIB list it would add to
# names modules that Debian does not ship, and net-snmp complains of each.
walk=(snmpwalk -v2c -c "$SNMP_COMMUNITY" -m VIRTMON-MIB
    "udp:127.0.0.1:$SNMP_PORT" VIRTMON-MIB::vmonObjects)
echo
echo "MIBDIRS=$MIBDIRS ${walk[*]}"
"${walk[@]}" || test_fail "snmpwalk failed"
