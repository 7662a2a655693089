#!/bin/bash
# test-collectd-filters.sh: the Domain list (names and /regexes/) with
# IgnoreSelected, HostnameFormat, PluginInstanceFormat and ReportMagicFile
# choose which values collectd gets and under which names.
#
# The truth is virsh's domain list filtered by bash's own extended regular
# expressions, the same POSIX ERE dialect the plugin's /regex/ uses.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/collectd.sh"
. "$here/virsh.sh"

collectd_require
command -v virsh >/dev/null || test_skip "virsh is not installed"

URI="test://$VIRTMON_FIXTURES/node.xml"
REGEX='^(alpha|scratch)$'
PLAIN='db server 1'
MISMATCHES=0

mismatch() {
    printf 'MISMATCH: %s\n' "$*" >&2
    MISMATCHES=$((MISMATCHES + 1))
}

is_listed() {
    [[ $1 =~ $REGEX ]] || [ "$1" = "$PLAIN" ]
}

# run_collectd LINES...: a fresh collectd whose virtmon block holds LINES,
# stopped once the fixture's values have been written.
run_collectd() {
    local line
    rm -rf "$COLLECTD_CSV_DIR"
    : >"$COLLECTD_LOG"
    {
        collectd_globals csv
        collectd_csv_block
        for line in "$@"; do
            printf '  %s\n' "$line"
        done | collectd_virtmon_block
    } >"$TEST_TMPDIR/collectd.conf"
    collectd_start "$TEST_TMPDIR/collectd.conf"
    test_wait_until 30 "the first values" collectd_csv_has \
        "$COLLECTD_HOSTNAME" virtmon-fixture bool-connected
    sleep 2
    test_stop collectd
}

# The host directories that hold virtmon values of domains, sorted.
written_hosts() {
    (cd "$COLLECTD_CSV_DIR" && find . -mindepth 2 -maxdepth 2 -type d \
        -name 'virtmon*' | sed 's|^\./||; s|/[^/]*$||' |
        grep -vxF "$COLLECTD_HOSTNAME" | sort)
}

compare_lists() {
    local what=$1 got=$2 want=$3
    [ "$got" = "$want" ] ||
        mismatch "$what: written [${got//$'\n'/; }], expected [${want//$'\n'/; }]"
}

# ---- the list selects; host = UUID, plugin instance = name ---------------------

run_collectd "Connection \"$URI\" \"fixture\"" "Domain \"/$REGEX/\"" \
    "Domain \"$PLAIN\"" 'IgnoreSelected false' 'HostnameFormat uuid' \
    'PluginInstanceFormat name' 'ReportMagicFile false'
want=
while IFS= read -r name; do
    is_listed "$name" || continue
    uuid=$(virsh_ro "$URI" domuuid -- "$name")
    want+=$uuid$'\n'
    dir=virtmon-$(collectd_host_name "$name")
    collectd_csv_has "$uuid" "$dir" domain_state ||
        mismatch "'$name': no domain_state under $uuid/$dir"
done < <(virsh_names "$URI")
compare_lists "selected domains by UUID" "$(written_hosts)" \
    "$(printf '%s' "$want" | sort)"
collectd_csv_has "$COLLECTD_HOSTNAME" virtmon-fixture virtmon_magic_status &&
    mismatch "ReportMagicFile false: the magic file status was written"

# ---- IgnoreSelected true: the same list names what to skip ---------------------

run_collectd "Connection \"$URI\" \"fixture\"" "Domain \"/$REGEX/\"" \
    "Domain \"$PLAIN\"" 'IgnoreSelected true'
want=
while IFS= read -r name; do
    is_listed "$name" || want+=$(collectd_host_name "$name")$'\n'
done < <(virsh_names "$URI")
compare_lists "domains not ignored" "$(written_hosts)" \
    "$(printf '%s' "$want" | sort)"
collectd_csv_has "$COLLECTD_HOSTNAME" virtmon-fixture virtmon_magic_status ||
    mismatch "ReportMagicFile (default true): no magic file status"

[ "$MISMATCHES" -eq 0 ] || test_fail "$MISMATCHES filter mismatch(es)"
test_note "Domain lists, IgnoreSelected and the name formats work as virsh predicts"
