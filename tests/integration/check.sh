# Sourceable harness for bash integration tests: runs test functions in the
# calling shell, counts them and prints the "N passed, M failed" summary.
# shellcheck shell=bash
#
# Test functions run in the calling shell, not in a subshell, so that state
# they change (a restarted daemon's pid, say) is seen by the EXIT trap.
# A failing function returns non-zero and says why on stdout or stderr.

check_passed=0
check_failed=0

check_fail() {
    check_failed=$((check_failed + 1))
    echo "FAIL: $1${2:+: $2}"
}

# check_run FUNCTION: runs it, its output kept in a temporary file.
check_run() {
    local out rc
    out=$(mktemp) || { check_fail "$1" "mktemp failed"; return; }
    "$1" >"$out" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ]; then
        check_passed=$((check_passed + 1))
        echo "PASS: $1"
    else
        check_fail "$1" "$(cat "$out")"
    fi
    rm -f "$out"
}

# Prints the summary; returns non-zero if anything failed.
check_summary() {
    echo "$check_passed passed, $check_failed failed"
    [ "$check_failed" -eq 0 ]
}
