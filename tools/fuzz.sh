#!/bin/bash
# fuzz.sh: long runs of the fuzz targets (`make fuzz`), each for FUZZ_SECONDS
# (default 600), FUZZ_JOBS at a time (default 1), from the committed corpus;
# prints, per target, the inputs executed, the coverage reached and the
# findings, and keeps new inputs and findings in FUZZ_WORK.
#
#   FUZZ_SECONDS=600 FUZZ_WORK=/var/tmp/virtmon-fuzz make fuzz
#   FUZZ_MERGE=1 ...: afterwards, merges the new inputs that add coverage
#                     into the committed corpus (minimised), for a commit
#   tools/fuzz.sh NAME...: only these targets
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/tests/fuzz
bin=${FUZZ_DIR:-$top/tests/fuzz}
seconds=${FUZZ_SECONDS:-600}
jobs=${FUZZ_JOBS:-1}
work=${FUZZ_WORK:-${TMPDIR:-/tmp}/virtmon-fuzz}
known_leaks=${FUZZ_KNOWN_LEAKS-} # as in tests/fuzz/run-fuzz.sh
names=("$@")
[ ${#names[@]} -gt 0 ] ||
    names=(agent-config collectd-config mib-lookup stats-records)

run_one() {
    local name=$1 leaks=1 opts=()
    case " $known_leaks " in *" $name "*) leaks=0; opts+=(-detect_leaks=0) ;; esac
    mkdir -p "$work/$name/new" "$work/$name/findings"
    ASAN_OPTIONS="detect_leaks=$leaks${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
        "$bin/fuzz-$name" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -dict="$src/$name.dict" \
        -artifact_prefix="$work/$name/findings/" "${opts[@]}" \
        "$work/$name/new" "$src/corpus/$name" >"$work/$name/log" 2>&1
    echo $? >"$work/$name/status"
}

summary() {
    local name=$1 log=$work/$name/log execs cov ft corp findings
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    corp=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    findings=$(find "$work/$name/findings" -type f | wc -l)
    printf '%-16s %6s s %12s execs  cov %5s  ft %6s  corpus %5s  findings %s%s\n' \
        "$name" "$seconds" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
        "$findings" "$([ "$leaks_off" = 1 ] && echo ' (leaks not checked)')"
    find "$work/$name/findings" -type f | sed 's/^/  finding: /'
}

for name in "${names[@]}"; do
    [ -x "$bin/fuzz-$name" ] ||
        { echo "fuzz: no $bin/fuzz-$name (configure with clang installed)" >&2; exit 1; }
done
echo "fuzz: ${#names[@]} target(s), $seconds s each, $jobs at a time, work in $work"
running=0
for name in "${names[@]}"; do
    run_one "$name" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

status=0
for name in "${names[@]}"; do
    leaks_off=0
    case " $known_leaks " in *" $name "*) leaks_off=1 ;; esac
    summary "$name"
    [ "$(cat "$work/$name/status")" = 0 ] || status=1
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
        ASAN_OPTIONS=detect_leaks=0 "$bin/fuzz-$name" -merge=1 \
            -detect_leaks=0 "$src/corpus/$name" "$work/$name/new" \
            >"$work/$name/merge.log" 2>&1
        tail -n 1 "$work/$name/merge.log" | sed 's/^/  /'
    fi
done
exit "$status"
