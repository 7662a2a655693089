#!/bin/bash
# test-collectd-notifications.sh: domain lifecycle changes made with virsh on
# a private libvirtd reach collectd as notifications with the right severity,
# domain and UUID; killing libvirtd is a failure notification and connected
# 0 with no stale domain values, its return an okay and values again.
#
# collectd's exec plugin hands every notification to a script that stores
# it in a file of its own; the test reads those files.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
# re-runs this script in a private mount namespace (as root), or skips
libvirtd_enter_namespace "$@"
. "$here/collectd.sh"
. "$here/virsh.sh"

collectd_require

URI=test+unix:///default
DOMAIN=test
MISMATCHES=0

mismatch() {
    printf 'MISMATCH: %s\n' "$*" >&2
    MISMATCHES=$((MISMATCHES + 1))
}

# expect WHAT LINE...: a notification with every LINE arrives.
expect() {
    local what=$1
    shift
    if collectd_expect_notification 15 "$@"; then
        test_note "notified: $what"
    else
        mismatch "$what: no such notification"
    fi
}

rw_virsh() {
    LC_ALL=C libvirtd_virsh -c "$URI" "$@" >/dev/null ||
        test_fail "virsh $* failed"
}

connected_is() {
    local got
    got=$(collectd_csv_values "$COLLECTD_HOSTNAME" virtmon-private \
        bool-connected) && [ "$(collectd_integer "$got")" = "$1" ]
}

# The time stamp of the domain's newest memory value.
domain_value_time() {
    local file
    file=$(collectd_csv_file "$DOMAIN" virtmon memory-total) || return 1
    tail -n 1 "$file" | cut -d, -f1
}

domain_values_after() {
    local t
    t=$(domain_value_time) && [ "${t%.*}" -gt "${1%.*}" ]
}

# lifecycle WHAT SEVERITY WORDS VIRSH_ARGS...: virsh changes the domain; the
# notification has the severity, virsh's words for the event, the domain's
# name and UUID as meta data and the UUID and name in its message.
lifecycle() {
    local what=$1 severity=$2 words=$3
    shift 3
    rw_virsh "$@"
    expect "$what" "Severity: $severity" "Host: $DOMAIN" "Plugin: virtmon" \
        "Type: domain_state" "domain: $DOMAIN" "uuid: $UUID" \
        "event: $words" "domain $UUID $words: '$DOMAIN'"
}

# ---- run ----------------------------------------------------------------------

test_at_exit libvirtd_cleanup
libvirtd_start || test_fail "cannot start a private libvirtd"
UUID=$(virsh_ro "$URI" domuuid "$DOMAIN") || test_fail "no domain '$DOMAIN'"

CONF=$TEST_TMPDIR/collectd.conf
{
    collectd_globals csv exec
    collectd_csv_block
    collectd_exec_sink_block
    collectd_virtmon_block <<EOF
  Connection "$URI" "private"
  RefreshInterval 1
  Notifications true
EOF
} >"$CONF"
collectd_start "$CONF"
test_wait_until 30 "connected 1" connected_is 1

lifecycle "suspend" WARNING "suspended (paused)" suspend "$DOMAIN"
lifecycle "resume" OKAY "resumed (unpaused)" resume "$DOMAIN"
lifecycle "destroy" OKAY "stopped (destroyed)" destroy "$DOMAIN"
lifecycle "start" OKAY "started (booted)" start "$DOMAIN"
lifecycle "suspend before the outage" WARNING "suspended (paused)" \
    suspend "$DOMAIN"

# libvirtd goes away: a failure, connected 0, and no stale domain values
libvirtd_kill
expect "connection lost" "Severity: FAILURE" "Host: $COLLECTD_HOSTNAME" \
    "PluginInstance: private" "Type: bool" "TypeInstance: connected" \
    "uri: $URI"
test_wait_until 20 "connected 0" connected_is 0
last=$(domain_value_time) || test_fail "no domain values before the outage"
sleep 3
domain_values_after "$last" &&
    mismatch "domain values written while libvirtd was gone"
test_is_running "$COLLECTD_PID" || test_fail "collectd died with libvirtd"

# ... and comes back: okay, connected 1, values again. The new daemon's test
# driver starts afresh, with the domain running: the resume that nobody saw
# arrives marked as reconciled.
libvirtd_start || test_fail "cannot restart libvirtd"
expect "connection restored" "Severity: OKAY" "Host: $COLLECTD_HOSTNAME" \
    "TypeInstance: connected" "uri: $URI"
test_wait_until 20 "connected 1 again" connected_is 1
test_wait_until 20 "domain values again" domain_values_after "$last"
expect "the change missed during the outage" "Severity: OKAY" \
    "domain: $DOMAIN" "uuid: $UUID" "reconciled: true"

[ "$MISMATCHES" -eq 0 ] || test_fail "$MISMATCHES notification check(s) failed"
test_note "lifecycle and connection notifications arrived as expected"
