#!/bin/bash
# test-collectd-config.sh: collectd refuses a <Plugin virtmon> block with an
# unknown option or a bad value, saying which option; a good block runs.
#
# collectd 5.12 stops start-up when a plugin's configuration callback fails
# ("Parsing the config file failed!", exit status 1), as it does for its own
# plugins: nothing is half-configured.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/collectd.sh"

collectd_require
FAILURES=0

failure() {
    printf 'FAILED CASE: %s\n' "$*" >&2
    FAILURES=$((FAILURES + 1))
}

# write_config LINES...: a configuration whose virtmon block holds LINES.
write_config() {
    local line
    {
        collectd_globals csv
        collectd_csv_block
        for line in "$@"; do
            printf '  %s\n' "$line"
        done | collectd_virtmon_block
    } >"$TEST_TMPDIR/collectd.conf"
}

# expect_rejected WHAT MESSAGE LINES...: collectd exits at start-up with an
# error, and its log has MESSAGE (a fixed string) from the virtmon plugin.
expect_rejected() {
    local what=$1 message=$2
    shift 2
    : >"$COLLECTD_LOG"
    : >"$COLLECTD_OUT"
    write_config "$@"
    collectd_run_once "$TEST_TMPDIR/collectd.conf" 15
    if [ "$COLLECTD_STATUS" -eq 0 ] || [ "$COLLECTD_STATUS" -ge 124 ]; then
        failure "$what: collectd ran on (status $COLLECTD_STATUS)"
    elif ! grep -qF "virtmon plugin: $message" "$COLLECTD_LOG"; then
        failure "$what: no 'virtmon plugin: $message' in the log:" \
            "$(cat "$COLLECTD_LOG")"
    elif ! grep -q 'Parsing the config file failed' "$COLLECTD_OUT"; then
        failure "$what: collectd did not say the configuration failed"
    else
        test_note "rejected: $what"
    fi
}

expect_rejected "an unknown option" \
    "unknown option 'Bogus'" \
    'Connection "test:///default"' 'Bogus 1'
expect_rejected "a bad boolean" \
    "bad value for option 'ReportMagicFile'" \
    'Connection "test:///default"' 'ReportMagicFile maybe'
expect_rejected "a number for a boolean" \
    "bad value for option 'Notifications'" \
    'Connection "test:///default"' 'Notifications 3'
expect_rejected "a bad regular expression" \
    "Domain: invalid regular expression '[unclosed'" \
    'Connection "test:///default"' 'Domain "/[unclosed/"'
expect_rejected "a bad device regular expression" \
    "bad value for option 'BlockDevice'" \
    'BlockDevice "/*:vda/"'
expect_rejected "RefreshInterval 0" \
    "RefreshInterval '0' is not in 1..86400" \
    'Connection "test:///default"' 'RefreshInterval 0'
expect_rejected "PollTimeout 0" \
    "PollTimeout '0' is not in 1..3600" \
    'Connection "test:///default"' 'PollTimeout 0'
expect_rejected "RefreshInterval not a number" \
    "bad value for option 'RefreshInterval'" \
    'RefreshInterval "soon"'
expect_rejected "an unknown HostnameFormat field" \
    "HostnameFormat: unknown field 'address'" \
    'HostnameFormat name address'
expect_rejected "a number for a URI" \
    "Connection: value 1 is not a URI or name" \
    'Connection 42'
expect_rejected "two connections of the same name" \
    "Connection: 'test:///default' and 'test:/default' share the name 'test_default'" \
    'Connection "test:///default"' 'Connection "test:/default"'
expect_rejected "an unknown stats group" \
    "StatsGroups: 'disks' is not one of state, cpu, balloon, vcpu, interface, block" \
    'Connection "test:///default"' 'StatsGroups "cpu" "disks"'
expect_rejected "StatsEvery 0 polls" \
    "StatsEvery: '0' polls is not in 1..1000" \
    'Connection "test:///default"' 'StatsEvery "block" 0'

# The control: the same daemon with a good block runs, and a URI that cannot
# connect is no configuration error: collectd runs on and says connected 0.
: >"$COLLECTD_LOG"
write_config 'Connection "test:///default" "good"' \
    "Connection \"test://$TEST_TMPDIR/no-such-host.xml\" \"missing\"" \
    'RefreshInterval 1' 'Domain "/^te/"' 'IgnoreSelected false' \
    'HostnameFormat uuid name' 'PluginInstanceFormat connection' \
    'ReportBlockDevices false' 'ReportNetworkInterfaces true' \
    'ReportMagicFile true' 'Notifications false' \
    'StatsGroups state cpu balloon vcpu interface' 'StatsEvery "balloon" 4'
collectd_start "$TEST_TMPDIR/collectd.conf"
connected_is() {
    local got
    got=$(collectd_csv_values "$COLLECTD_HOSTNAME" "virtmon-$1" \
        bool-connected) && [ "$(collectd_integer "$got")" = "$2" ]
}
test_wait_until 20 "connected 1 for the good URI" connected_is good 1
test_wait_until 20 "connected 0 for the missing URI" connected_is missing 0
test_is_running "$COLLECTD_PID" || failure "a good configuration: collectd exited"
grep -q 'virtmon plugin: poll of .*no-such-host.xml.* failed' "$COLLECTD_LOG" ||
    failure "the failing URI's error is not in the log"

[ "$FAILURES" -eq 0 ] || test_fail "$FAILURES configuration case(s) failed"
test_note "bad options are rejected by name; a good block runs"
