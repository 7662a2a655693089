# loops.sh: what the restart and load loops share (sourced after traps.sh):
# counting notifications since a point, the agent's resources per cycle
# and the check that they stayed flat.

LOOP_URI=test+unix:///default
LOOP_DOMAIN=test # the test driver's own domain, running in every fresh libvirtd
LOOP_CYCLES=${VMON_LOOP_CYCLES:-20}
LOOP_FDS=()  # the agent's open fds after each cycle
LOOP_RSS=()  # and its VmRSS in kB
# RSS may grow this much from the end of the second cycle to the last (heap
# fragmentation, libvirt's caches); fds may not grow at all. A sanitizer
# build sets more: its allocator holds freed memory in quarantine.
LOOP_RSS_GROWTH_MAX_KIB=${VMON_RSS_GROWTH_MAX_KIB:-2048}

# loop_traps_since N NAME: how many NAME notifications arrived after the
# first N of ours.
loop_traps_since() {
    traps_lines | tail -n +"$(($1 + 1))" |
        grep -c -F "$SNMP_TRAP_OID = OID: $(snmp_oid "$2")$(printf '\t')"
}

loop_has_trap_since() {
    [ "$(loop_traps_since "$1" "$2")" -ge "${3:-1}" ]
}

loop_wait_trap_since() {
    test_wait_until "${4:-30}" "$2 after notification $1" \
        loop_has_trap_since "$1" "$2" "${3:-1}"
}

# The agent's fds below VMON_FDS_BELOW (all when unset). The sanitizer
# build sets it: there, and only there, the agent gains a write-only pipe
# at fd 251 after some restarts, without any sanitizer report; where it
# comes from is not known yet (see doc/hardening.md).
loop_fds() {
    ls "/proc/$SNMP_AGENT_PID/fd" |
        awk -v below="${VMON_FDS_BELOW:-0}" 'below == 0 || $1 < below' | wc -l
}

loop_record() {
    local fds rss
    fds=$(loop_fds)
    rss=$(agent_rss_kib)
    LOOP_FDS+=("$fds")
    LOOP_RSS+=("$rss")
    test_note "cycle ${#LOOP_FDS[@]}: agent has $fds fds, VmRSS $rss kB"
    # what an extra fd is, for the failure message
    [ ${#LOOP_FDS[@]} -lt 3 ] || [ "$fds" -eq "${LOOP_FDS[1]}" ] ||
        ls -l "/proc/$SNMP_AGENT_PID/fd" | sed 's/^/  /'
    return 0
}

# After the cycles: fds the same as after the second, RSS within bounds of
# it. The first restart is the warm-up: libvirt opens some of its event fds
# only on a reconnect, and slow builds (sanitizers) get there later.
loop_check_flat() {
    local first_fds=${LOOP_FDS[1]} first_rss=${LOOP_RSS[1]} i max_fds=0 max_rss=0
    for i in "${!LOOP_FDS[@]}"; do
        [ "$i" -ge 1 ] || continue
        [ "${LOOP_FDS[i]}" -gt "$max_fds" ] && max_fds=${LOOP_FDS[i]}
        [ "${LOOP_RSS[i]}" -gt "$max_rss" ] && max_rss=${LOOP_RSS[i]}
    done
    test_note "fds: $first_fds after cycle 2, at most $max_fds; VmRSS: $first_rss kB after cycle 2, at most $max_rss kB, ${LOOP_RSS[-1]} kB at the end"
    [ "$max_fds" -eq "$first_fds" ] ||
        test_fail "agent fds grew from $first_fds to $max_fds over ${#LOOP_FDS[@]} cycles"
    [ $((max_rss - first_rss)) -le "$LOOP_RSS_GROWTH_MAX_KIB" ] ||
        test_fail "agent VmRSS grew from $first_rss to $max_rss kB (more than $LOOP_RSS_GROWTH_MAX_KIB kB)"
}

mib_scalar() {
    snmp_cmd snmpget -On -Oqv -- "$(snmp_oid "$1").0" 2>/dev/null
}

# mib_conn_column NAME: the column's value for connection 1.
mib_conn_column() {
    snmp_cmd snmpget -On -Oqv -- "$(snmp_oid "$1").1" 2>/dev/null
}

loop_virsh() {
    LC_ALL=C libvirtd_virsh -c "$LOOP_URI" "$@" >/dev/null ||
        test_fail "virsh $* failed"
}

# A suspend and a resume of the guest, whose two notifications must arrive:
# events flow over the current connections.
loop_check_lifecycle_flows() {
    local seen
    seen=$(traps_count)
    loop_virsh suspend "$LOOP_DOMAIN"
    loop_virsh resume "$LOOP_DOMAIN"
    loop_wait_trap_since "$seen" vmonDomainLifecycle 2
}
