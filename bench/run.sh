#!/bin/bash
# run.sh: virtmon's cost against the number of guests, side by side with the
# floor, collectd's virt plugin and prometheus-libvirt-exporter; see README.md.
#
# Usage: bench/run.sh [--max N] [--sizes "1 10 50 100"] [--rounds R]
#                     [--allrun "10 50 100"] [--out DIR] [--agent-minutes M]
#                     [--no-agent] [--ceiling-minutes M]
# --allrun: sizes also measured with every guest running ("" for none).
# --ceiling-minutes: afterwards, add paused guests in steps of 250 for up to
# M minutes, timing virtmon and the floor only, to find where N stops.
# Needs root (a private libvirtd in its own mount and network namespace),
# the project built at the top (./configure && make) and the packages listed
# in README.md. Everything it starts is killed by pid when it ends.
set -u

BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$BENCH_SRC")
SIZES="1 10 50 100 200 300 400"
MAX=500
ROUNDS=7
OUT="$BENCH_SRC/results"
ALLRUN_SIZES="10 50 100"
GROUP_COST_SIZES=${BENCH_GROUP_COST_SIZES:-100}
CEILING_MINUTES=8
CEILING_STEP=${BENCH_CEILING_STEP:-250}
# guests stop being added when the host has less memory available than this
MIN_AVAILABLE_MIB=6144
AGENT_MINUTES=3
USE_AGENT=1
INSIDE=

usage() {
    sed -n '4,13s/^# \{0,1\}//p' "$0"
    exit "${1:-0}"
}

while [ $# -gt 0 ]; do
    case $1 in
    --max) MAX=$2; shift ;;
    --sizes) SIZES=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --allrun) ALLRUN_SIZES=$2; shift ;;
    --ceiling-minutes) CEILING_MINUTES=$2; shift ;;
    --out) OUT=$2; shift ;;
    --agent-minutes) AGENT_MINUTES=$2; shift ;;
    --no-agent) USE_AGENT= ;;
    --inside) INSIDE=$2; shift ;;
    -h|--help) usage 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage 2 >&2 ;;
    esac
    shift
done

for v in "$MAX" "$ROUNDS" "$AGENT_MINUTES" "$CEILING_MINUTES" $ALLRUN_SIZES; do
    case $v in
    ''|*[!0-9]*) echo "run.sh: '$v' is not a number" >&2; exit 2 ;;
    esac
done
[ "$ROUNDS" -ge 5 ] || { echo "run.sh: at least 5 rounds" >&2; exit 2; }

# The sizes to run: those of --sizes up to --max, then --max itself.
bench_sizes() {
    local n
    for n in $SIZES; do
        [ "$n" -lt "$MAX" ] && echo "$n"
    done
    echo "$MAX"
}

. "$BENCH_SRC/private-libvirtd.sh"
. "$BENCH_SRC/guests.sh"
. "$BENCH_SRC/measure.sh"
. "$BENCH_SRC/snmp.sh"

GROUPS_ALL=state,cpu,balloon,vcpu,interface,block
# what the exporter reads: domain info (state, CPU time, memory, vCPU
# count), block and interface counters
GROUPS_EXPORTER=state,cpu,balloon,block,interface
# the same without the balloon group, whose QEMU balloon statistics the
# exporter does not ask for (it reads memory from virDomainGetInfo): the
# exporter's data lies between the two
GROUPS_EXPORTER_MIN=state,cpu,block,interface
TIERED_EVERY=block=4,balloon=4
POLLERS="floor-all virtmon-all floor-exp virtmon-exp virtmon-expmin virtmon-tiered"
TOOLS="$POLLERS exporter collectd"

bench_log() {
    echo "[$(date +%H:%M:%S)] $*" >&2
}

bench_load1() {
    cut -d' ' -f1 /proc/loadavg
}

bench_start_pollers() {
    local uri=qemu:///system
    bench_poller_start floor-all "$BENCH_SRC/bench-floor" $uri $GROUPS_ALL
    bench_poller_start virtmon-all "$BENCH_SRC/bench-poll" $uri $GROUPS_ALL
    bench_poller_start floor-exp "$BENCH_SRC/bench-floor" $uri $GROUPS_EXPORTER
    bench_poller_start virtmon-exp "$BENCH_SRC/bench-poll" $uri $GROUPS_EXPORTER
    bench_poller_start virtmon-expmin "$BENCH_SRC/bench-poll" $uri $GROUPS_EXPORTER_MIN
    bench_poller_start virtmon-tiered "$BENCH_SRC/bench-poll" $uri $GROUPS_ALL $TIERED_EVERY
}

bench_stop_pollers() {
    local name
    for name in $POLLERS; do
        bench_poller_stop "$name"
    done
}

# bench_measure TOOL: one measurement into M_*.
bench_measure() {
    M_FIRST_MS=
    case $1 in
    exporter) bench_measure_exporter ;;
    collectd) bench_measure_collectd ;;
    virtmon-tiered) bench_measure_poller "$1" 4 ;;
    *) bench_measure_poller "$1" 1 ;;
    esac
}

# Alternating order: forward in odd rounds, backward in even ones.
bench_round_order() {
    local r=$1
    if [ $((r % 2)) -eq 1 ]; then
        echo $TOOLS
    else
        echo $TOOLS | tr ' ' '\n' | tac | tr '\n' ' '
    fi
}

bench_timing_rounds() {
    local n=$1 scen=$2 r tool
    for r in $(seq "$ROUNDS"); do
        for tool in $(bench_round_order "$r"); do
            bench_measure "$tool" || return 1
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$scen" "$tool" "$r" \
                "$M_WALL_MS" "$M_CPU_MS" "${M_COUNT:-}" "${M_FIRST_MS:-}" >> "$OUT/raw.tsv"
        done
        bench_log "N=$n $scen: round $r of $ROUNDS done (load $(bench_load1))"
    done
}

# bench_rpc_record N SCEN TOOL FROM TO DIVISOR
bench_rpc_record() {
    local n=$1 scen=$2 tool=$3
    bench_rpc_histogram "$4" "$5" "$6" | while read -r proc count; do
        printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$scen" "$tool" "$proc" "$count"
    done >> "$OUT/rpc.tsv"
}

# One poll, scrape or read window of every tool with the RPC log on.
bench_rpc_pass() {
    local n=$1 scen=$2 tool o0 o1 k i
    RPC_LOG="$BENCH_DIR/rpc-$n-$scen.log"
    : > "$RPC_LOG"
    bench_rpc_log "$RPC_LOG"
    for tool in $POLLERS exporter; do
        k=1
        [ "$tool" = virtmon-tiered ] && k=4
        o0=$(bench_log_size)
        if [ "$tool" = exporter ]; then
            bench_measure_exporter || return 1
        else
            bench_poller_cmd "$tool" $k || return 1
        fi
        o1=$(bench_log_size)
        bench_rpc_record "$n" "$scen" "$tool" "$o0" "$o1" $k
    done
    bench_collectd_start
    bench_collectd_next_read || return 1
    o0=$(bench_log_size)
    for i in $(seq "$COLLECTD_RPC_READS"); do
        bench_collectd_next_read || return 1
    done
    o1=$(bench_log_size)
    bench_collectd_stop
    bench_rpc_record "$n" "$scen" collectd "$o0" "$o1" "$COLLECTD_RPC_READS"
    bench_rpc_log ""
    rm -f "$RPC_LOG"
}

# Everything measured at one size.
bench_size() {
    local n=$1 scen=$2 tool
    bench_log "N=$n $scen: $BENCH_RUNNING running; load $(bench_load1)"
    printf '%s\t%s\tload_before\t%s\n' "$n" "$scen" "$(bench_load1)" >> "$OUT/env.tsv"
    printf '%s\t%s\trunning\t%s\n' "$n" "$scen" "$BENCH_RUNNING" >> "$OUT/env.tsv"
    bench_start_pollers
    bench_exporter_start || return 1
    for tool in $POLLERS; do # connect and warm up
        bench_poller_cmd "$tool" 1 || return 1
    done
    bench_measure_exporter || return 1
    bench_timing_rounds "$n" "$scen" || return 1
    bench_rpc_pass "$n" "$scen" || return 1
    bench_stop_pollers
    if echo " $GROUP_COST_SIZES " | grep -q " $n "; then
        bench_group_costs "$n" "$scen" || return 1
    fi
    bench_exporter_stop
    if [ -n "$USE_AGENT" ]; then
        bench_snmp_size "$n" "$scen" || return 1
    fi
    printf '%s\t%s\tload_after\t%s\n' "$n" "$scen" "$(bench_load1)" >> "$OUT/env.tsv"
}

# The floor for one stats group at a time: what each group costs libvirtd.
bench_group_costs() {
    local n=$1 scen=$2 g r
    for g in ${GROUPS_ALL//,/ }; do
        bench_poller_start "floor-$g" "$BENCH_SRC/bench-floor" qemu:///system "$g"
        bench_poller_cmd "floor-$g" 1 || return 1
    done
    for r in $(seq "$ROUNDS"); do
        for g in ${GROUPS_ALL//,/ }; do
            bench_measure_poller "floor-$g" 1 || return 1
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n' "$n" "$scen" "group-$g" "$r" \
                "$M_WALL_MS" "$M_CPU_MS" "$M_COUNT" >> "$OUT/raw.tsv"
        done
    done
    for g in ${GROUPS_ALL//,/ }; do
        bench_poller_stop "floor-$g"
    done
}

# Past the measured sizes: add paused guests in steps, timing only virtmon's
# poll and the floor's, until a guest fails to start, memory runs short or
# CEILING_MINUTES are spent; records where and why it stopped.
bench_ceiling() {
    local n=$1 deadline r
    deadline=$(($(date +%s) + CEILING_MINUTES * 60))
    BENCH_MAX_RUNNING=$BENCH_RUNNING # the new guests stay paused
    while :; do
        n=$((n + CEILING_STEP))
        if [ "$(date +%s)" -ge "$deadline" ]; then
            BENCH_GROW_ERROR="the ceiling phase's $CEILING_MINUTES minutes were spent"
            break
        fi
        bench_guests_grow "$BENCH_DIR" "$n" "$MIN_AVAILABLE_MIB" || break
        bench_guest_memory "$n"
        bench_log "ceiling: N=$n (load $(bench_load1))"
        bench_poller_start floor-all "$BENCH_SRC/bench-floor" qemu:///system $GROUPS_ALL
        bench_poller_start virtmon-all "$BENCH_SRC/bench-poll" qemu:///system $GROUPS_ALL
        bench_poller_cmd floor-all 1 && bench_poller_cmd virtmon-all 1 || return 1
        for r in 1 2 3; do
            for tool in floor-all virtmon-all; do
                bench_measure_poller "$tool" 1 || return 1
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n' "$n" ceiling "$tool" "$r" \
                    "$M_WALL_MS" "$M_CPU_MS" "$M_COUNT" >> "$OUT/raw.tsv"
            done
        done
        bench_poller_stop floor-all
        bench_poller_stop virtmon-all
    done
    bench_log "ceiling: stopped at $BENCH_GUESTS guests: $BENCH_GROW_ERROR"
    printf '%s\tceiling\tstopped\t%s\n' "$BENCH_GUESTS" "$BENCH_GROW_ERROR" >> "$OUT/env.tsv"
}

# Resume every paused guest (SCEN allrun) or pause them again.
bench_set_all_running() {
    local want=$1 name state
    bench_virsh list --name --all | while read -r name; do
        [ -n "$name" ] || continue
        state=$(bench_virsh domstate "$name")
        if [ "$want" = yes ] && [ "$state" = paused ]; then
            bench_virsh resume "$name" >/dev/null && echo "$name" >> "$BENCH_DIR/resumed"
        fi
    done
    if [ "$want" = no ] && [ -f "$BENCH_DIR/resumed" ]; then
        while read -r name; do
            bench_virsh suspend "$name" >/dev/null
        done < "$BENCH_DIR/resumed"
        rm -f "$BENCH_DIR/resumed"
    fi
}

bench_guest_memory() {
    local n=$1 pids
    pids=$(bench_qemu_pids | tr '\n' ' ')
    printf '%s\tall\tqemu_rss_mib\t%s\n' "$n" \
        "$(for p in $pids; do awk '/^VmRSS/ { print $2 }' /proc/$p/status; done |
            awk '{ s += $1 } END { printf "%.0f", s / 1024 }')" >> "$OUT/env.tsv"
    printf '%s\tall\tlibvirtd_rss_mib\t%s\n' "$n" \
        "$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' /proc/$LIBVIRTD_PID/status)" >> "$OUT/env.tsv"
    printf '%s\tall\tmem_available_mib\t%s\n' "$n" \
        "$(awk '/^MemAvailable/ { printf "%.0f", $2 / 1024 }' /proc/meminfo)" >> "$OUT/env.tsv"
}

bench_cleanup() {
    bench_snmp_stop
    bench_collectd_stop
    bench_exporter_stop
    bench_pollers_stop_all
    bench_libvirtd_stop
}

bench_inside() {
    local n t0 largest
    BENCH_DIR=$INSIDE
    trap bench_cleanup EXIT
    trap 'exit 1' INT TERM
    bench_libvirtd_start "$BENCH_DIR" || exit 1
    bench_snmp_prepare || USE_AGENT=
    for n in $(bench_sizes); do
        t0=$(date +%s)
        bench_guests_grow "$BENCH_DIR" "$n" "$MIN_AVAILABLE_MIB" || {
            bench_log "stopped growing at $BENCH_GUESTS guests: $BENCH_GROW_ERROR"
            printf '%s\tall\tstopped\t%s\n' "$BENCH_GUESTS" "$BENCH_GROW_ERROR" >> "$OUT/env.tsv"
            break
        }
        printf '%s\tall\tsetup_s\t%s\n' "$n" $(($(date +%s) - t0)) >> "$OUT/env.tsv"
        bench_guests_wait_idle || exit 1
        bench_guest_memory "$n"
        bench_size "$n" mixed || exit 1
        largest=$n
        if echo " $ALLRUN_SIZES " | grep -q " $n "; then
            bench_set_all_running yes
            BENCH_RUNNING_SAVED=$BENCH_RUNNING
            BENCH_RUNNING=$n
            bench_guests_wait_idle || exit 1
            bench_size "$n" allrun || exit 1
            bench_set_all_running no
            BENCH_RUNNING=$BENCH_RUNNING_SAVED
        fi
    done
    if [ -n "$USE_AGENT" ] && [ -n "${largest:-}" ]; then
        bench_agent_footprint "$largest" "$AGENT_MINUTES" || exit 1
    fi
    if [ "$CEILING_MINUTES" -gt 0 ] && [ -n "${largest:-}" ]; then
        bench_ceiling "$largest" || exit 1
    fi
}

bench_versions() {
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "host: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
    echo "cpu: $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "libvirt: $(libvirtd --version | awk '{ print $NF }')"
    echo "qemu: $(qemu-system-x86_64 --version | head -1 | awk '{ print $4 }')"
    echo "collectd: $(collectd -h | awk '/^collectd / { sub(",", "", $2); print $2; exit }')"
    echo "prometheus-libvirt-exporter: $(dpkg-query -W -f '${Version}' prometheus-libvirt-exporter)"
    echo "net-snmp: $(net-snmp-config --version)"
    echo "uptime at start: $(uptime)"
}

bench_check_tools() {
    local missing= cmd
    for cmd in libvirtd virtlogd virsh virt-admin qemu-system-x86_64 qemu-img \
        collectd prometheus-libvirt-exporter curl snmpd snmpbulkwalk snmpget \
        net-snmp-config unshare; do
        command -v "$cmd" >/dev/null || missing="$missing $cmd"
    done
    /usr/bin/python3 -c 'import matplotlib' 2>/dev/null ||
        missing="$missing python3-matplotlib"
    if [ -n "$missing" ]; then
        echo "run.sh: missing:$missing (see bench/README.md for the packages)" >&2
        exit 1
    fi
    [ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root" >&2; exit 1; }
    [ -f "$TOP/lib/.libs/libvmon.a" ] || {
        echo "run.sh: build the project first (./configure && make)" >&2
        exit 1
    }
}

bench_outside() {
    local work status
    bench_check_tools
    make -s -C "$BENCH_SRC" >&2 || exit 1
    mkdir -p "$OUT"
    rm -f "$OUT"/raw.tsv "$OUT"/rpc.tsv "$OUT"/env.tsv "$OUT"/snmp.tsv "$OUT"/agent.tsv
    bench_versions > "$OUT/env.txt"
    if awk -v l="$(bench_load1)" 'BEGIN { exit !(l > 1.0) }'; then
        bench_log "warning: load average $(bench_load1) is above 1.0; the figures will be noisy"
    fi
    work=$(mktemp -d /tmp/virtmon-bench.XXXXXX)
    local args=(--inside "$work" --max "$MAX" --sizes "$SIZES" --rounds "$ROUNDS"
        --allrun "$ALLRUN_SIZES" --ceiling-minutes "$CEILING_MINUTES"
        --out "$OUT" --agent-minutes "$AGENT_MINUTES")
    [ -n "$USE_AGENT" ] || args+=(--no-agent)
    unshare -m -n --propagation private "$0" "${args[@]}"
    status=$?
    echo "uptime at end: $(uptime)" >> "$OUT/env.txt"
    if [ $status -ne 0 ]; then
        echo "run.sh: failed; logs kept in $work" >&2
        exit $status
    fi
    [ -n "${BENCH_KEEP:-}" ] && echo "run.sh: logs kept in $work" >&2 || rm -rf "$work"
    /usr/bin/python3 "$BENCH_SRC/report.py" "$OUT"
}

if [ -n "$INSIDE" ]; then
    bench_inside
else
    bench_outside
fi
