#!/bin/bash
# soak.sh: virtmon-agent under churn for a given time: guests defined,
# started, suspended, resumed, destroyed and undefined at random, libvirtd
# and snmpd restarted at random; RSS, fds, threads, poll errors and
# notifications are sampled, and a report is written at the end.
#
#   tools/soak.sh [-m MINUTES] [-o OUTDIR] [-s SEED]
#
# Run as root from a built tree (`make check` once, for the IETF MIBs). It
# runs inside a private mount namespace with its own libvirtd (test driver
# over a unix socket), snmpd, snmptrapd and agent on 127.0.0.1.
# OUTDIR receives samples.tsv, events.tsv and report.md. Exit status 0 when
# the agent lived through it, answered at the end, its view agreed with
# libvirt and its fds and threads stayed within bounds.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
minutes=60
out=$PWD/soak-results
seed=$RANDOM
while getopts m:o:s: opt; do
    case $opt in
        m) minutes=$OPTARG ;;
        o) out=$OPTARG ;;
        s) seed=$OPTARG ;;
        *) echo "usage: $0 [-m MINUTES] [-o OUTDIR] [-s SEED]" >&2; exit 2 ;;
    esac
done
[[ $minutes =~ ^[0-9]+$ ]] && [ "$minutes" -ge 1 ] ||
    { echo "soak: -m takes whole minutes" >&2; exit 2; }
mkdir -p "$out" && out=$(cd "$out" && pwd)

export VIRTMON_AGENT=${VIRTMON_AGENT:-$top/agent/virtmon-agent}
export VIRTMON_MIBDIR=${VIRTMON_MIBDIR:-$top/mibs}
export VIRTMON_IETF_MIBDIR=${VIRTMON_IETF_MIBDIR:-$top/tests/ietf-mibs}
if [ ! -e "$VIRTMON_IETF_MIBDIR/SNMPv2-SMI.txt" ] &&
    [ -z "${LIBVIRTD_IN_NAMESPACE:-}" ]; then
    make -C "$top/tests" ietf-mibs.stamp >/dev/null || exit 1
fi

here=$top/tests/integration
# shellcheck source-path=SCRIPTDIR/../tests/integration
. "$here/libvirtd.sh"
libvirtd_enter_namespace -m "$minutes" -o "$out" -s "$seed"
. "$here/traps.sh"

URI=test+unix:///default
SAMPLE_EVERY=10       # seconds between samples
RESTART_ONE_IN=150    # actions per libvirtd (and per snmpd) restart, about
FDS_SLACK=4           # fds above the first sample still taken as flat
THREADS_SLACK=2
RANDOM=$seed
actions=0
action_errors=0
libvirtd_restarts=0
snmpd_restarts=0
guest_serial=0

vsh() {
    LC_ALL=C libvirtd_virsh -c "$URI" "$@" >/dev/null 2>&1
}

log_event() {
    printf '%s\t%s\n' "$(date +%s)" "$*" >>"$out/events.tsv"
}

guest_xml() {
    printf "<domain type='test'><name>%s</name><memory>65536</memory>" "$1"
    printf "<vcpu>1</vcpu><os><type>hvm</type></os></domain>\n"
}

# One random step of a guest's life, on a random guest of the host.
churn_once() {
    local names=() name xml=$TEST_TMPDIR/guest.xml
    mapfile -t names < <(LC_ALL=C libvirtd_virsh -c "$URI" list --all --name |
        sed '/^$/d')
    actions=$((actions + 1))
    if [ ${#names[@]} -lt 3 ] || [ $((RANDOM % 6)) -eq 0 ]; then
        guest_serial=$((guest_serial + 1))
        guest_xml "soak-$guest_serial" >"$xml"
        vsh define "$xml" || action_errors=$((action_errors + 1))
        return
    fi
    name=${names[RANDOM % ${#names[@]}]}
    case $((RANDOM % 6)) in
        0) vsh start "$name" ;;
        1) vsh suspend "$name" ;;
        2) vsh resume "$name" ;;
        3) vsh destroy "$name" ;;
        4) [ ${#names[@]} -gt 8 ] && vsh undefine "$name" ;;
        5) vsh start "$name" ;;
    esac
    # a refused step (suspend of a stopped guest...) is churn too
    true
}

restart_libvirtd() {
    if [ $((RANDOM % 2)) -eq 0 ]; then libvirtd_kill; else libvirtd_stop; fi
    sleep "0.$((RANDOM % 10))"
    libvirtd_start || { log_event "libvirtd did not start"; return 1; }
    libvirtd_restarts=$((libvirtd_restarts + 1))
    log_event "libvirtd restarted"
}

restart_snmpd() {
    test_stop snmpd
    sleep "0.$((RANDOM % 10))"
    snmp_start_snmpd >/dev/null
    snmpd_restarts=$((snmpd_restarts + 1))
    log_event "snmpd restarted on port $SNMP_PORT"
}

# Sum of a column over every connection row; empty when snmpd did not answer.
mib_column_sum() {
    snmp_cmd snmpwalk -On -Oqv -- "$(snmp_oid "$1")" 2>/dev/null |
        awk '/^[0-9]+$/ { s += $1; n++ } END { if (n) print s }'
}

mib_scalar() {
    snmp_cmd snmpget -On -Oqv -- "$(snmp_oid "$1").0" 2>/dev/null |
        grep -E '^[0-9]+$'
}

sample() {
    local rss fds threads errors sent dropped
    rss=$(agent_rss_kib)
    fds=$(agent_fds)
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$SNMP_AGENT_PID/status")
    errors=$(mib_column_sum vmonConnPollErrors)
    sent=$(mib_scalar vmonNotificationsSent)
    dropped=$(mib_scalar vmonEventsDropped)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date +%s)" \
        "$rss" "$fds" "$threads" "${errors:--}" "${sent:--}" \
        "${dropped:--}" "$(traps_count)" "$libvirtd_restarts" \
        "$snmpd_restarts" >>"$out/samples.tsv"
}

# The domain names the agent publishes and those libvirt lists, sorted.
agent_names() {
    snmp_cmd snmpwalk -On -Oqv -Ox --noDisplayHint=1 -- \
        "$(snmp_oid vmonDomainName)" 2>/dev/null |
        while read -r hex; do
            snmp_hex_text "${hex//\"/}"
            echo
        done | sort
}

libvirt_names() {
    LC_ALL=C libvirtd_virsh -c "$URI" list --all --name | sed '/^$/d' | sort
}

views_agree() {
    [ "$(agent_names)" = "$(libvirt_names)" ]
}

# report STATUS: report.md from samples.tsv, after the first minute (the
# agent's warm-up).
report() {
    local started=$1 status=$2
    awk -F'\t' -v start="$started" -v minutes="$minutes" -v seed="$seed" \
        -v actions="$actions" -v status="$status" '
        NR == 1 { next }
        $1 - start < 60 { first_rss = $2; first_fds = $3; first_thr = $4; next }
        {
            if (!n++) { base_rss = $2; base_fds = $3; base_thr = $4 }
            if ($2 > max_rss) max_rss = $2
            if (min_fds == "" || $3 < min_fds) min_fds = $3
            if ($3 > max_fds) max_fds = $3
            if (min_thr == "" || $4 < min_thr) min_thr = $4
            if ($4 > max_thr) max_thr = $4
            last = $0; last_rss = $2; last_fds = $3; last_thr = $4
            if ($5 != "-") errors = $5
            if ($6 != "-") sent = $6
            if ($7 != "-") dropped = $7
            traps = $8; lv = $9; sn = $10
        }
        END {
            printf "# virtmon-agent soak\n\n"
            printf "- duration: %d min, seed %s, %d samples after warm-up\n", minutes, seed, n
            printf "- churn: %d guest actions, %d libvirtd restarts, %d snmpd restarts\n", actions, lv, sn
            printf "- RSS (kB): %d after warm-up, %d at the end, %d at most\n", base_rss, last_rss, max_rss
            printf "- fds: %d after warm-up, %d..%d, %d at the end\n", base_fds, min_fds, max_fds, last_fds
            printf "- threads: %d after warm-up, %d..%d, %d at the end\n", base_thr, min_thr, max_thr, last_thr
            printf "- poll errors (vmonConnPollErrors, last agent-run count): %s\n", errors
            printf "- notifications: %d received by snmptrapd; vmonNotificationsSent %s, vmonEventsDropped %s\n", traps, sent, dropped
            printf "- result: %s\n", status
        }' "$out/samples.tsv" >"$out/report.md"
    cat "$out/report.md"
}

main() {
    local started deadline next_sample status=ok base_fds base_threads
    printf 'time\trss_kib\tfds\tthreads\tpoll_errors\tnotifications_sent\tevents_dropped\ttraps_received\tlibvirtd_restarts\tsnmpd_restarts\n' \
        >"$out/samples.tsv"
    : >"$out/events.tsv"
    traps_init
    traps_start_agent "statsEvery block 2" -- -u "$URI"
    started=$(date +%s)
    deadline=$((started + minutes * 60))
    next_sample=$started
    log_event "started, seed $seed"
    while [ "$(date +%s)" -lt "$deadline" ]; do
        test_is_running "$SNMP_AGENT_PID" ||
            { status="agent died"; log_event "$status"; break; }
        if [ "$(date +%s)" -ge "$next_sample" ]; then
            sample
            next_sample=$((next_sample + SAMPLE_EVERY))
        fi
        case $((RANDOM % RESTART_ONE_IN)) in
            0) restart_libvirtd || { status="libvirtd would not start"; break; } ;;
            1) restart_snmpd ;;
            *) churn_once ;;
        esac
        sleep "0.$((RANDOM % 5))"
    done
    if [ "$status" = ok ]; then
        test_wait_until 60 "the agent to answer again" snmp_agent_connected 1
        sample
        test_wait_until 30 "the agent's domains to match libvirt's" views_agree
        base_fds=$(awk -F'\t' -v s="$started" 'NR > 1 && $1 - s >= 60 { print $3; exit }' "$out/samples.tsv")
        base_threads=$(awk -F'\t' -v s="$started" 'NR > 1 && $1 - s >= 60 { print $4; exit }' "$out/samples.tsv")
        [ -z "$base_fds" ] || [ "$(agent_fds)" -le $((base_fds + FDS_SLACK)) ] ||
            status="fds grew from $base_fds to $(agent_fds)"
        [ -z "$base_threads" ] ||
            [ "$(awk '/^Threads:/ { print $2 }' "/proc/$SNMP_AGENT_PID/status")" -le $((base_threads + THREADS_SLACK)) ] ||
            status="threads grew"
    fi
    log_event "ended: $status"
    report "$started" "$status"
    [ "$status" = ok ]
}

main
