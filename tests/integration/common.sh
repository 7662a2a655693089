# common.sh: what every integration test shares (sourced, never run): a
# private temporary directory, fail/skip, bounded waits, and daemons that are
# stopped by pid when the test exits, with their logs shown if it failed.

# Automake's test protocol.
TEST_EXIT_SKIP=77

TEST_TMPDIR=
TEST_PIDS=()       # started processes, stopped in reverse order on exit
TEST_PID_NAMES=()
TEST_LOGS=()       # log files printed when the test fails
TEST_EXIT_HOOKS=() # commands run on exit after the processes are stopped

test_fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

test_skip() {
    printf 'SKIP: %s\n' "$*"
    exit "$TEST_EXIT_SKIP"
}

test_note() {
    printf '%s\n' "$*"
}

# Creates TEST_TMPDIR and installs the exit handler. Call once, first.
test_init() {
    [ -n "$TEST_TMPDIR" ] && return 0
    TEST_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/virtmon-test.XXXXXX") ||
        test_fail "cannot create a temporary directory"
    trap test_on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM HUP
}

test_at_exit() {
    TEST_EXIT_HOOKS+=("$*")
}

test_add_log() {
    TEST_LOGS+=("$1")
}

# test_spawn NAME LOGFILE COMMAND [ARGS...]: starts COMMAND in the background
# with stdout and stderr appended to LOGFILE; its pid is left in TEST_LAST_PID.
test_spawn() {
    local name=$1 log=$2
    shift 2
    "$@" >>"$log" 2>&1 </dev/null &
    TEST_LAST_PID=$!
    TEST_PIDS+=("$TEST_LAST_PID")
    TEST_PID_NAMES+=("$name")
    test_add_log "$log"
}

test_is_running() {
    kill -0 "$1" 2>/dev/null
}

# Stops one process: SIGTERM, up to 5 s of grace, then SIGKILL.
test_stop_pid() {
    local pid=$1 i
    test_is_running "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 50); do
        test_is_running "$pid" || break
        sleep 0.1
    done
    test_is_running "$pid" && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# test_stop NAME: stops the most recent process started under NAME.
test_stop() {
    local i
    for ((i = ${#TEST_PIDS[@]} - 1; i >= 0; i--)); do
        if [ "${TEST_PID_NAMES[i]}" = "$1" ]; then
            test_stop_pid "${TEST_PIDS[i]}"
            return 0
        fi
    done
}

test_print_logs() {
    local log
    for log in "${TEST_LOGS[@]}"; do
        [ -f "$log" ] || continue
        printf '\n---- last lines of %s ----\n' "$log" >&2
        tail -n 40 "$log" >&2
    done
}

test_on_exit() {
    local rc=$? i
    trap - EXIT INT TERM HUP
    # our processes first: they may be clients of what the hooks stop
    for ((i = ${#TEST_PIDS[@]} - 1; i >= 0; i--)); do
        test_stop_pid "${TEST_PIDS[i]}"
    done
    for ((i = ${#TEST_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
        eval "${TEST_EXIT_HOOKS[i]}"
    done
    if [ "$rc" -ne 0 ] && [ "$rc" -ne "$TEST_EXIT_SKIP" ]; then
        test_print_logs
        printf '\nlogs kept in %s\n' "$TEST_TMPDIR" >&2
    elif [ -n "$TEST_TMPDIR" ]; then
        rm -rf "$TEST_TMPDIR"
    fi
    exit "$rc"
}

# test_wait_until SECONDS WHAT COMMAND [ARGS...]: polls COMMAND every 0.2 s
# until it succeeds; fails the test naming WHAT after SECONDS.
test_wait_until() {
    local seconds=$1 what=$2 i deadline=$((SECONDS + $1))
    shift 2
    for i in $(seq $((seconds * 5))); do
        "$@" && return 0
        [ "$SECONDS" -ge "$deadline" ] && break
        sleep 0.2
    done
    test_fail "timed out after ${seconds}s waiting for $what"
}

# test_enter_network_namespace "$@": re-runs the test once (as root) in a
# network namespace of its own, where the tap devices of its guests stay out
# of the host's sight; skips where none can be made.
test_enter_network_namespace() {
    [ "${TEST_IN_NETNS:-}" = 1 ] && return 0
    unshare -n true 2>/dev/null || test_skip "cannot create a network namespace"
    export TEST_IN_NETNS=1
    exec unshare -n -- bash "$0" "$@"
}

# A port in 10000-31999, clear of Linux's ephemeral range, different for
# every run; callers try the following ones when bind fails.
test_random_port() {
    echo $((10000 + (RANDOM * 32768 + RANDOM) % 22000))
}
