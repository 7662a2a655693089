#!/bin/bash
# test-freshness-hung-connect.sh: a libvirtd that stops answering before the
# agent's first connect (frozen by SIGSTOP: its socket still accepts, the
# open never returns). The attempt shows at once (vmonConnLastAttemptTime,
# no older than the agent), the connection turns overdue(4) within
# pollTimeout, SNMP keeps answering, and nothing claims a success. After
# SIGCONT the connect completes: connected(3) with a last success.

# Automake may run .sh tests with /bin/sh; this one needs bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"
. "$here/freshness.sh"

URI=test+unix:///default
POLL_TIMEOUT=1
SLACK=6 # seconds a loaded machine may add to an interval and the deadline
SNMP_AGENT_INTERVAL=1

traps_init
LIBVIRTD_FROZEN=$(cat "$LIBVIRTD_DIR/libvirtd.pid") ||
    test_fail "no pid file of libvirtd"
kill -STOP "$LIBVIRTD_FROZEN" || test_fail "cannot stop libvirtd"
# a frozen daemon ignores SIGTERM: let the clean-up stop it
test_at_exit kill -CONT "$LIBVIRTD_FROZEN"
started=$(date +%s)
SNMP_AGENT_CONNECTED=0 traps_start_agent "pollTimeout $POLL_TIMEOUT" -- -u "$URI"

attempt_is_shown() {
    local when
    when=$(agent_get vmonConnLastAttemptTime 1) && [ "$when" -ge "$started" ]
}
test_wait_until "$SLACK" "vmonConnLastAttemptTime of the hung first connect" \
    attempt_is_shown
test_wait_until $((SNMP_AGENT_INTERVAL + POLL_TIMEOUT + SLACK)) \
    "vmonConnState overdue(4)" agent_is vmonConnState 1 4
test_note "first connect overdue; attempted at $(agent_get vmonConnLastAttemptTime 1)"
agent_has vmonConnLastSuccessTime 1 &&
    test_fail "a success is reported while libvirtd is frozen"
agent_has vmonAgentConnCount 0 || test_fail "the agent stopped answering"

kill -CONT "$LIBVIRTD_FROZEN"
connected() {
    agent_is vmonConnState 1 3 && agent_has vmonConnLastSuccessTime 1
}
test_wait_until 30 "the connect to complete after SIGCONT" connected
test_note "connected once libvirtd answered again"
