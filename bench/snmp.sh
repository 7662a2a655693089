# snmp.sh: sourced by run.sh. virtmon-agent under a real snmpd (AgentX
# master on 127.0.0.1 of the benchmark's own network namespace): time of a
# full walk of VIRTMON-MIB, GET latency on a domain row with libvirtd
# running and with it stopped (SIGSTOP), and the agent's footprint.
#
# GET latency comes two ways: net-snmp's snmpget in a loop (each call pays
# process start-up, measured apart on sysUpTime.0, which snmpd answers
# itself) and bench-snmp-latency, one session and no start-up.

VMON_ROOT=.1.3.6.1.4.1.36957.3
DOMAIN_NAME_COL=$VMON_ROOT.1.5.1.2
DOMAIN_STATE_COL=$VMON_ROOT.1.5.1.5
SYS_UPTIME=.1.3.6.1.2.1.1.3.0
AGENT_INTERVAL=15
SNMPGET_CLI_COUNT=${SNMPGET_CLI_COUNT:-100}
SNMPGET_LIB_COUNT=${SNMPGET_LIB_COUNT:-1000}
LIBVIRTD_STOP_MAX_S=60
SNMPD_PID=
AGENT_PID=
SNMP_PORT=
AGENT_BIN=

# Finds the agent; returns 1 (and the run goes on without SNMP) without it.
bench_snmp_prepare() {
    AGENT_BIN="$TOP/agent/virtmon-agent"
    if [ ! -x "$AGENT_BIN" ]; then
        bench_log "no $AGENT_BIN: SNMP figures skipped"
        return 1
    fi
    export SNMPCONFPATH="$BENCH_DIR/snmp" SNMP_PERSISTENT_DIR="$BENCH_DIR/snmp/persist" MIBS=
    mkdir -p "$SNMP_PERSISTENT_DIR"
    cat > "$BENCH_DIR/snmp/snmpd.conf" <<CONF
master agentx
agentXSocket unix:$BENCH_DIR/snmp/agentx.sock
rocommunity public 127.0.0.1
CONF
}

# bench_snmp_cmd COMMAND OUTPUT-OPTIONS OID
bench_snmp_cmd() {
    "$1" -v2c -c public -r 1 -t 2 $2 "127.0.0.1:$SNMP_PORT" "$3"
}

bench_snmp_start() {
    local i
    SNMP_PORT=$(bench_free_port) || return 1
    snmpd -f -Lf "$BENCH_DIR/snmp/snmpd.log" -C -c "$BENCH_DIR/snmp/snmpd.conf" \
        -p "$BENCH_DIR/snmp/snmpd.pid" "udp:127.0.0.1:$SNMP_PORT" &
    SNMPD_PID=$!
    "$AGENT_BIN" -f -Lf "$BENCH_DIR/snmp/agent.log" -x "unix:$BENCH_DIR/snmp/agentx.sock" \
        -c /dev/null -u qemu:///system -i "$AGENT_INTERVAL" &
    AGENT_PID=$!
    # up when the domain table has its first row
    for i in $(seq 300); do
        bench_snmp_cmd snmpgetnext -On "$DOMAIN_NAME_COL" 2>/dev/null |
            grep -q "^$DOMAIN_NAME_COL\." && return 0
        sleep 0.2
    done
    echo "virtmon-agent did not publish domains within 60 s" >&2
    return 1
}

bench_snmp_stop() {
    [ -n "$LIBVIRTD_PID" ] && kill -CONT "$LIBVIRTD_PID" 2>/dev/null
    [ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
    [ -n "$SNMPD_PID" ] && kill "$SNMPD_PID" 2>/dev/null && wait "$SNMPD_PID" 2>/dev/null
    AGENT_PID=
    SNMPD_PID=
}

# bench_snmp_record N SCEN METRIC VALUE
bench_snmp_record() {
    printf '%s\t%s\t%s\t%s\n' "$@" >> "$OUT/snmp.tsv"
}

# The state column of the middle domain row.
bench_snmp_domain_oid() {
    local n=$1 row
    row=$(bench_snmp_cmd snmpbulkwalk "-On -Oq" "$DOMAIN_NAME_COL" 2>/dev/null |
        awk -v k=$(((n + 1) / 2)) 'NR == k { print $1 }')
    [ -n "$row" ] || return 1
    echo "$DOMAIN_STATE_COL${row#"$DOMAIN_NAME_COL"}"
}

# Full walk of VIRTMON-MIB: wall time and number of objects.
bench_snmp_walk() {
    local n=$1 scen=$2 t0 t1 lines
    t0=$(bench_now_ns)
    lines=$(bench_snmp_cmd snmpbulkwalk "-On -Oq" "$VMON_ROOT" 2>/dev/null | wc -l)
    t1=$(bench_now_ns)
    bench_snmp_record "$n" "$scen" walk_ms "$(((t1 - t0) / 1000000))"
    bench_snmp_record "$n" "$scen" walk_objects "$lines"
}

# snmpget per call in a loop: "p50 p99" in ms over SNMPGET_CLI_COUNT calls.
bench_snmpget_cli() {
    local oid=$1 i t0 t1
    for i in $(seq "$SNMPGET_CLI_COUNT"); do
        t0=$(bench_now_ns)
        bench_snmp_cmd snmpget -Oqv "$oid" > /dev/null 2>&1
        t1=$(bench_now_ns)
        echo $((t1 - t0))
    done | sort -n | awk '{ v[NR] = $1 }
        END { printf "%.2f %.2f\n", v[int(NR / 2) + 1] / 1e6, v[int(NR * 0.99)] / 1e6 }'
}

# One session, no start-up: "p50 p99 failures" in ms.
bench_snmpget_lib() {
    "$BENCH_SRC/bench-snmp-latency" "127.0.0.1:$SNMP_PORT" public \
        "$SNMPGET_LIB_COUNT" "$1" |
        sed -n 's/.*failures=\([0-9]*\) p50_us=\([0-9]*\) p99_us=\([0-9]*\).*/\2 \3 \1/p' |
        awk '{ printf "%.3f %.3f %d\n", $1 / 1000, $2 / 1000, $3 }'
}

# bench_snmp_latency N SCEN SUFFIX OID
bench_snmp_latency() {
    local n=$1 scen=$2 sfx=$3 oid=$4 cli base lib
    cli=$(bench_snmpget_cli "$oid")
    base=$(bench_snmpget_cli "$SYS_UPTIME")
    lib=$(bench_snmpget_lib "$oid")
    bench_snmp_record "$n" "$scen" "cli_p50_ms$sfx" "${cli% *}"
    bench_snmp_record "$n" "$scen" "cli_p99_ms$sfx" "${cli#* }"
    bench_snmp_record "$n" "$scen" "cli_sysuptime_p50_ms$sfx" "${base% *}"
    bench_snmp_record "$n" "$scen" "cli_sysuptime_p99_ms$sfx" "${base#* }"
    set -- $lib
    bench_snmp_record "$n" "$scen" "lib_p50_ms$sfx" "$1"
    bench_snmp_record "$n" "$scen" "lib_p99_ms$sfx" "$2"
    bench_snmp_record "$n" "$scen" "lib_failures$sfx" "$3"
}

# The same GETs with libvirtd stopped: answers come from the snapshot, and
# must be the same values.
bench_snmp_libvirtd_stopped() {
    local n=$1 scen=$2 oid=$3 before after
    before=$(bench_snmp_cmd snmpget -Oqv "$oid" 2>&1)
    kill -STOP "$LIBVIRTD_PID"
    ( sleep "$LIBVIRTD_STOP_MAX_S"; kill -CONT "$LIBVIRTD_PID" 2>/dev/null ) &
    local guard=$!
    bench_snmp_latency "$n" "$scen" _stopped "$oid"
    after=$(bench_snmp_cmd snmpget -Oqv "$oid" 2>&1)
    kill -CONT "$LIBVIRTD_PID"
    kill "$guard" 2>/dev/null
    wait "$guard" 2>/dev/null
    bench_snmp_record "$n" "$scen" same_value_stopped "$([ "$before" = "$after" ] && echo yes || echo "no:$before:$after")"
}

bench_snmp_size() {
    local n=$1 scen=$2 oid
    bench_snmp_start || return 1
    oid=$(bench_snmp_domain_oid "$n") || { echo "no domain row to GET" >&2; return 1; }
    bench_snmp_walk "$n" "$scen"
    bench_snmp_latency "$n" "$scen" "" "$oid"
    bench_snmp_libvirtd_stopped "$n" "$scen" "$oid"
    bench_snmp_stop
}

# CPU time of a process in ns, summed over its threads.
bench_proc_cpu_ns() {
    cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

bench_cpu_pct() {
    awk -v d="$1" -v t="$2" 'BEGIN { printf "%.3f", d / t * 100 }'
}

# The agent alone at interval 15 s for MINUTES: RSS samples and CPU share.
bench_agent_footprint() {
    local n=$1 minutes=$2 t0 t1 a0 a1 l0 l1 end rss
    bench_snmp_start || return 1
    sleep "$AGENT_INTERVAL" # past the start-up polls
    t0=$(bench_now_ns)
    a0=$(bench_proc_cpu_ns "$AGENT_PID")
    l0=$(bench_proc_cpu_ns "$LIBVIRTD_PID")
    end=$(($(date +%s) + minutes * 60))
    while [ "$(date +%s)" -lt "$end" ]; do
        rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$AGENT_PID/status")
        printf '%s\trss_kib\t%s\t%s\n' "$n" "$(date +%s)" "$rss" >> "$OUT/agent.tsv"
        sleep 5
    done
    t1=$(bench_now_ns)
    a1=$(bench_proc_cpu_ns "$AGENT_PID")
    l1=$(bench_proc_cpu_ns "$LIBVIRTD_PID")
    printf '%s\tagent_cpu_pct\t-\t%s\n' "$n" "$(bench_cpu_pct $((a1 - a0)) $((t1 - t0)))" >> "$OUT/agent.tsv"
    printf '%s\tlibvirtd_cpu_pct\t-\t%s\n' "$n" "$(bench_cpu_pct $((l1 - l0)) $((t1 - t0)))" >> "$OUT/agent.tsv"
    printf '%s\tseconds\t-\t%s\n' "$n" $(((t1 - t0) / 1000000000)) >> "$OUT/agent.tsv"
    printf '%s\tpoll_duration_ms\t-\t%s\n' "$n" \
        "$(bench_snmp_cmd snmpget -Oqv "$VMON_ROOT.1.2.1.10.1" 2>/dev/null)" >> "$OUT/agent.tsv"
    bench_snmp_stop
}
