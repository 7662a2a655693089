# measure.sh: sourced by run.sh. Times one poll, read or scrape of each tool
# against the private libvirtd: wall time, libvirtd CPU, libvirt RPCs.
#
# Pollers that stay connected between rounds (the floor, virtmon's core) are
# driven over FIFOs with "poll K" and answer with their own wall time.
# collectd runs for real with its virt plugin's read interval set below the
# read time, so that it reads back to back and logs every read's duration
# ("read-function ... took S seconds"); a window of reads, delimited by
# those log lines, carries libvirtd's CPU per read. The exporter is scraped
# with curl, which reports the transfer time.

declare -A POLLER_IN POLLER_OUT POLLER_PID
REMOTE_PROGRAM=536903814 # libvirt's remote protocol; keepalive/admin excluded
COLLECTD_READS=${COLLECTD_READS:-3}
COLLECTD_RPC_READS=${COLLECTD_RPC_READS:-6} # more reads: less boundary error

bench_now_ns() {
    date +%s%N
}

# bench_poller_start NAME COMMAND...
bench_poller_start() {
    local name=$1 in out fd_in fd_out
    shift
    in="$BENCH_DIR/$name.in"
    out="$BENCH_DIR/$name.out"
    rm -f "$in" "$out"
    mkfifo "$in" "$out"
    "$@" < "$in" > "$out" 2>> "$BENCH_DIR/$name.err" &
    POLLER_PID[$name]=$!
    exec {fd_in}> "$in"
    exec {fd_out}< "$out"
    POLLER_IN[$name]=$fd_in
    POLLER_OUT[$name]=$fd_out
}

bench_poller_stop() {
    local name=$1
    [ -n "${POLLER_PID[$name]:-}" ] || return 0
    echo quit >&"${POLLER_IN[$name]}" 2>/dev/null
    exec {POLLER_IN[$name]}>&- {POLLER_OUT[$name]}<&-
    wait "${POLLER_PID[$name]}" 2>/dev/null
    unset "POLLER_PID[$name]"
}

bench_pollers_stop_all() {
    local name
    for name in "${!POLLER_PID[@]}"; do
        kill "${POLLER_PID[$name]}" 2>/dev/null
    done
}

# bench_poller_cmd NAME K: runs K rounds; sets R_WALL_NS R_COUNT.
bench_poller_cmd() {
    local name=$1 k=$2 status
    echo "poll $k" >&"${POLLER_IN[$name]}"
    if ! read -r -t 900 status R_WALL_NS R_COUNT <&"${POLLER_OUT[$name]}" ||
        [ "$status" != ok ]; then
        echo "$name: poll failed ($status); see $BENCH_DIR/$name.err" >&2
        return 1
    fi
}

# Per-tool measurement: each sets M_WALL_MS, M_CPU_MS (per poll) and M_COUNT
# (domains seen). K polls are averaged for pollers with group intervals.
bench_measure_poller() {
    local name=$1 k=${2:-1} c0 c1
    c0=$(bench_libvirtd_cpu_ns)
    bench_poller_cmd "$name" "$k" || return 1
    c1=$(bench_libvirtd_cpu_ns)
    M_WALL_MS=$(echo "$R_WALL_NS $k" | awk '{ printf "%.3f", $1 / $2 / 1e6 }')
    M_CPU_MS=$(echo "$c0 $c1 $k" | awk '{ printf "%.3f", ($2 - $1) / $3 / 1e6 }')
    M_COUNT=$R_COUNT
}

# --- prometheus-libvirt-exporter -------------------------------------------
EXPORTER_PID=
EXPORTER_PORT=

bench_free_port() {
    local port i
    for i in $(seq 50); do
        port=$((20000 + RANDOM % 20000))
        if ! (exec 3<> "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

bench_exporter_start() {
    local i
    EXPORTER_PORT=$(bench_free_port) || return 1
    prometheus-libvirt-exporter --web.listen-address="127.0.0.1:$EXPORTER_PORT" \
        --libvirt.uri=qemu:///system > "$BENCH_DIR/exporter.log" 2>&1 &
    EXPORTER_PID=$!
    for i in $(seq 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$EXPORTER_PORT/" && return 0
        sleep 0.1
    done
    echo "the exporter did not listen on port $EXPORTER_PORT" >&2
    return 1
}

bench_exporter_stop() {
    [ -n "$EXPORTER_PID" ] && kill "$EXPORTER_PID" 2>/dev/null && wait "$EXPORTER_PID" 2>/dev/null
    EXPORTER_PID=
}

bench_measure_exporter() {
    local c0 c1 t
    c0=$(bench_libvirtd_cpu_ns)
    t=$(curl -sf -o "$BENCH_DIR/scrape.txt" -w '%{time_total}' \
        "http://127.0.0.1:$EXPORTER_PORT/metrics") || {
        echo "exporter scrape failed" >&2
        return 1
    }
    c1=$(bench_libvirtd_cpu_ns)
    if ! grep -q '^libvirt_up 1' "$BENCH_DIR/scrape.txt"; then
        echo "exporter reports libvirt down" >&2
        return 1
    fi
    M_WALL_MS=$(awk -v t="$t" 'BEGIN { printf "%.3f", t * 1000 }')
    M_CPU_MS=$(echo "$c0 $c1" | awk '{ printf "%.3f", ($2 - $1) / 1e6 }')
    M_COUNT=$(awk '/^libvirt_domains_number/ { print $2 }' "$BENCH_DIR/scrape.txt")
}

# --- collectd with its virt plugin -----------------------------------------
# What virtmon reports, as far as collectd's virt plugin has it: domain state
# and reason, per-vCPU times, balloon/memory statistics, extended block
# statistics with capacity, allocation and physical size, interface
# statistics (the last two by default). "pcpu" (user/system CPU time) needs
# the cpuacct cgroup, which this private libvirtd runs without.
COLLECTD_EXTRA_STATS="domain_state vcpu memory disk disk_capacity disk_allocation disk_physical"
COLLECTD_PID=
COLLECTD_FD=

bench_collectd_conf() {
    cat <<CONF
Hostname "bench"
FQDNLookup false
BaseDir "$BENCH_DIR"
PIDFile "$BENCH_DIR/collectd.pid"
Interval 10
ReadThreads 1
# values are dropped before the cache: no writer's cost in the figures
PreCacheChain "PreCache"
<Chain "PreCache">
  Target "stop"
</Chain>
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File STDOUT
  Timestamp false
</Plugin>
# an interval below the read time: reads run back to back, each one logged
<LoadPlugin virt>
  Interval 0.001
</LoadPlugin>
<Plugin virt>
  Connection "qemu:///system"
  ExtraStats "$COLLECTD_EXTRA_STATS"
</Plugin>
CONF
}

bench_collectd_start() {
    local fifo="$BENCH_DIR/collectd.log.fifo"
    bench_collectd_conf > "$BENCH_DIR/collectd.conf"
    rm -f "$fifo"
    mkfifo "$fifo"
    collectd -f -C "$BENCH_DIR/collectd.conf" > "$fifo" 2>> "$BENCH_DIR/collectd.err" &
    COLLECTD_PID=$!
    exec {COLLECTD_FD}< "$fifo"
}

bench_collectd_stop() {
    [ -n "$COLLECTD_PID" ] || return 0
    kill "$COLLECTD_PID" 2>/dev/null
    # drain the log so that collectd is not blocked writing its last lines
    cat <&"$COLLECTD_FD" >> "$BENCH_DIR/collectd.tail" &
    wait "$COLLECTD_PID" 2>/dev/null
    wait $! 2>/dev/null
    exec {COLLECTD_FD}<&-
    COLLECTD_PID=
}

# Wait for the next "took S seconds" line of the virt reader; sets READ_S.
# Errors in between are kept in collectd.errors for the report.
bench_collectd_next_read() {
    local line
    while read -r -t 900 line <&"$COLLECTD_FD"; do
        case $line in
        *"read-function of the \`virt"*took*)
            READ_S=${line#*took }
            READ_S=${READ_S%% *}
            return 0
            ;;
        *rror*|*failed*) echo "$line" >> "$BENCH_DIR/collectd.errors" ;;
        esac
    done
    echo "collectd stopped reading" >&2
    return 1
}

# One collectd round: a fresh daemon; its first read (connect, domain and
# device lists) is reported apart; then COLLECTD_READS reads in a window.
bench_measure_collectd() {
    local c0 c1 i sum=0
    bench_collectd_start
    bench_collectd_next_read || { bench_collectd_stop; return 1; }
    M_FIRST_MS=$(awk -v s="$READ_S" 'BEGIN { printf "%.3f", s * 1000 }')
    c0=$(bench_libvirtd_cpu_ns)
    for i in $(seq "$COLLECTD_READS"); do
        bench_collectd_next_read || { bench_collectd_stop; return 1; }
        sum=$(awk -v a="$sum" -v s="$READ_S" 'BEGIN { print a + s }')
    done
    c1=$(bench_libvirtd_cpu_ns)
    bench_collectd_stop
    M_WALL_MS=$(awk -v a="$sum" -v k="$COLLECTD_READS" 'BEGIN { printf "%.3f", a / k * 1000 }')
    M_CPU_MS=$(echo "$c0 $c1 $COLLECTD_READS" | awk '{ printf "%.3f", ($2 - $1) / $3 / 1e6 }')
    M_COUNT=
}

# --- RPC counting -----------------------------------------------------------
RPC_LOG=

bench_log_size() {
    stat -c %s "$RPC_LOG"
}

# bench_rpc_histogram FROM TO DIVISOR: "proc count" lines, per poll.
bench_rpc_histogram() {
    local from=$1 to=$2 div=$3
    tail -c +$((from + 1)) "$RPC_LOG" | head -c $((to - from)) |
        awk -v prog="prog=$REMOTE_PROGRAM" -v div="$div" '
            /RPC_SERVER_CLIENT_MSG_RX/ && index($0, prog " ") {
                for (i = 1; i <= NF; i++)
                    if ($i ~ /^proc=/) n[substr($i, 6)]++
            }
            END { for (p in n) printf "%s %.2f\n", p, n[p] / div }'
}
