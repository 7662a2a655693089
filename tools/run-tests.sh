#!/bin/bash
# run-tests.sh: installs dependencies, builds virtmon and runs `make check`,
# the sanitizer build's tests (tools/sanitize-check.sh; SKIP_SANITIZE=1
# leaves it out) and `make distcheck` (SKIP_DISTCHECK=1 leaves it out); ends
# with a summary.
#
# The last line is "N passed, M failed[, K skipped]": one count per Automake
# test (PASS and XFAIL pass; FAIL, ERROR and XPASS fail, as `make check`
# judges them), the sanitizer build's tests counted like the others and one
# failure for any sanitizer report, plus one for the build and one for
# distcheck when they fail or, for distcheck, when it passes. The exit status
# is non-zero on any failure.
set -u

cd "$(dirname "$0")/.." || exit 1
jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0
skipped=0

summary() {
    local line="$passed passed, $failed failed"
    [ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
    echo "$line"
    [ "$failed" -eq 0 ] && exit 0
    exit 1
}

# The test-suite.log of every directory with TESTS (not the distcheck copy).
suite_logs() {
    find . -path './virtmon-*' -prune -o -name test-suite.log -print
}

# Adds up the "# PASS: N" lines Automake writes at the top of a suite log.
count_results() {
    local log key n
    for log in "$@"; do
        while read -r key n; do
            case $key in
                PASS | XFAIL) passed=$((passed + n)) ;;
                SKIP) skipped=$((skipped + n)) ;;
                FAIL | XPASS | ERROR) failed=$((failed + n)) ;;
            esac
        done < <(sed -n 's/^# \([A-Z]*\): *\([0-9]*\)$/\1 \2/p' "$log")
    done
}

print_failure_logs() {
    local log
    for log in "$@"; do
        [ -f "$log" ] || continue
        grep -q '^# FAIL: *0$' "$log" && grep -q '^# ERROR: *0$' "$log" &&
            grep -q '^# XPASS: *0$' "$log" && continue
        echo "==== $log ===="
        cat "$log"
    done
}

build() {
    tools/install-deps.sh &&
        autoreconf -fi &&
        ./configure &&
        make -j"$jobs"
}

if ! build; then
    echo "run-tests: build failed" >&2
    failed=1
    summary
fi

suite_logs | xargs -r rm -f
make -j"$jobs" check
check_status=$?
mapfile -t logs < <(suite_logs)
count_results "${logs[@]}"
print_failure_logs "${logs[@]}"
if [ "$check_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "run-tests: make check failed before running the tests" >&2
    failed=$((failed + 1))
fi

if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
    tools/sanitize-check.sh
    sanitize_status=$?
    mapfile -t sanitize_logs < <(find _sanitize -name '*.log' \
        \( -name test-suite.log -o -name sanitizer-reports.log \) 2>/dev/null)
    before=$failed
    count_results "${sanitize_logs[@]}"
    print_failure_logs "${sanitize_logs[@]}"
    if [ "$sanitize_status" -ne 0 ] && [ "$failed" -eq "$before" ]; then
        echo "run-tests: the sanitizer build failed before its tests" >&2
        failed=$((failed + 1))
    fi
fi

if [ "${SKIP_DISTCHECK:-0}" != 1 ]; then
    if make -j"$jobs" distcheck; then
        passed=$((passed + 1))
    else
        echo "run-tests: make distcheck failed" >&2
        print_failure_logs virtmon-*/_build/sub/tests/test-suite.log
        failed=$((failed + 1))
    fi
fi

summary
