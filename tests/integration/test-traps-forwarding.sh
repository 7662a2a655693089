#!/bin/bash
# test-traps-forwarding.sh: the example configuration in conf/ works as
# written: the agent's notification lines, snmpd-traps.conf (SNMPv2c trap,
# SNMPv2c inform, SNMPv3 authPriv inform) and snmptrapd.conf. Every
# notification reaches snmptrapd once by each of the three ways.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/traps.sh"

CONF=$abs_top_srcdir/conf
URI=test:///default

# snmpd.conf as snmp.sh writes it, but sending where snmpd-traps.conf says,
# every line of it enabled and pointed at our snmptrapd.
eval "$(declare -f snmp_write_snmpd_conf | sed '1s/snmp_write_snmpd_conf/snmp_write_base_conf/')"
snmp_write_snmpd_conf() {
    snmp_write_base_conf "$1"
    sed -i '/^trap2sink/d' "$1"
    sed -e '/^#[a-z]/s/^#//' -e '/^#/d' -e '/^$/d' \
        -e "s/nms\.example\.org:162/127.0.0.1:$SNMP_TRAP_PORT/" \
        -e "s/nms\.example\.org/127.0.0.1:$SNMP_TRAP_PORT/" \
        "$CONF/snmpd-traps.conf" >>"$1"
}

# The agent's example notification lines, enabled.
agent_notification_lines() {
    sed -n '/^# ---- Notifications/,$p' "$CONF/virtmon-agent.conf" |
        sed -n 's/^#\([a-z][A-Za-z]* \)/\1/p'
}

# received NOTIFICATION HOW: lines of snmptrapd's log for NOTIFICATION
# received as HOW (snmptrapd's %P: PDU type, version, security name).
received() {
    grep -a "^$2[ ,]" "$SNMP_TRAP_LOG" |
        grep -a -c -F "OID: $(snmp_oid "$1")"$'\t'
}

# all_received NOTIFICATION COUNT: COUNT times each way.
all_received() {
    [ "$(received "$1" "TRAP2, SNMP v2c, community public")" -eq "$2" ] &&
        [ "$(received "$1" "INFORM, SNMP v2c, community public")" -eq "$2" ] &&
        [ "$(received "$1" "INFORM, SNMP v3, user virtmon")" -eq "$2" ]
}

test_each_notification_arrives_three_ways() {
    local cells
    cells=$(virsh_ro "$URI" nodeinfo | virsh_field 'NUMA cell(s)')
    # thresholds of 2G (host) and 1G (cells) are far above test:///default
    test_wait_until 20 "vmonHostMemoryLow by v2c trap, v2c and v3 inform" \
        all_received vmonHostMemoryLow 1
    test_wait_until 20 "vmonCellMemoryLow by v2c trap, v2c and v3 inform" \
        all_received vmonCellMemoryLow "$cells"
    test_note "ok: every notification by SNMPv2c trap, SNMPv2c inform, SNMPv3 inform"
}

snmp_init
mapfile -t LINES < <(agent_notification_lines)
[ "${#LINES[@]}" -ge 6 ] || test_fail "conf/virtmon-agent.conf lacks its notification lines"
# snmptrapd as conf/snmptrapd.conf has it, logging how each one came
snmp_start_trapd -m '' -c "$CONF/snmptrapd.conf" -F '%P TRAP\t%v\n'
snmp_start_snmpd
traps_start_agent "${LINES[@]}" -- -u "$URI"
test_each_notification_arrives_three_ways
