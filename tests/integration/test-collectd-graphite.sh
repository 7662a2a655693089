#!/bin/bash
# test-collectd-graphite.sh: virtmon's values travel from collectd through
# write_graphite into a real carbon-cache and land in whisper files under the
# metric paths graphite users expect, with virsh's values.
#
# carbon-cache runs privately: its own carbon.conf, storage and ports on
# 127.0.0.1, a 1 s retention so that every value of the run is kept.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/collectd.sh"
. "$here/virsh.sh"

collectd_require
command -v virsh >/dev/null || test_skip "virsh is not installed"
command -v carbon-cache >/dev/null || test_skip "graphite-carbon is not installed"
command -v whisper-fetch >/dev/null || test_skip "python3-whisper is not installed"
[ -f "$COLLECTD_SYSTEM_PLUGINDIR/write_graphite.so" ] ||
    test_skip "collectd has no write_graphite plugin"

CARBON_DIR=$TEST_TMPDIR/carbon
CARBON_LOG=$TEST_TMPDIR/carbon.log
CARBON_PORT=
WHISPER_DIR=$CARBON_DIR/storage/whisper
PREFIX=virtmontest
URI_DEFAULT="test:///default"
URI_FIXTURE="test://$VIRTMON_FIXTURES/node.xml"
MISMATCHES=0

mismatch() {
    printf 'MISMATCH: %s\n' "$*" >&2
    MISMATCHES=$((MISMATCHES + 1))
}

# ---- a private carbon-cache ---------------------------------------------------

write_carbon_conf() {
    local line=$1 pickle=$2 query=$3
    cat >"$CARBON_DIR/carbon.conf" <<EOF
[cache]
STORAGE_DIR = $CARBON_DIR/storage
LOCAL_DATA_DIR = $WHISPER_DIR
WHITELISTS_DIR = $CARBON_DIR/storage/lists
CONF_DIR = $CARBON_DIR
LOG_DIR = $CARBON_DIR/log
PID_DIR = $CARBON_DIR
USER =
DATABASE = whisper
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = inf
MAX_CREATES_PER_MINUTE = inf
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = $line
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = $pickle
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = $query
CACHE_WRITE_STRATEGY = naive
WHISPER_AUTOFLUSH = True
LOG_UPDATES = False
EOF
    cat >"$CARBON_DIR/storage-schemas.conf" <<EOF
[everything]
pattern = .*
retentions = 1s:1h
EOF
}

carbon_listens() {
    test_is_running "$CARBON_PID" || return 2
    grep -q "CarbonReceiverFactory starting on $CARBON_PORT" "$CARBON_LOG"
}

# Three ports from a random base; another base when carbon cannot bind.
start_carbon() {
    local try base i
    mkdir -p "$CARBON_DIR"
    for try in 1 2 3 4 5; do
        base=$(test_random_port)
        CARBON_PORT=$base
        write_carbon_conf "$base" $((base + 1)) $((base + 2))
        : >"$CARBON_LOG"
        test_spawn carbon "$CARBON_LOG" carbon-cache \
            --config="$CARBON_DIR/carbon.conf" \
            --pidfile="$CARBON_DIR/carbon.pid" --nodaemon start
        CARBON_PID=$TEST_LAST_PID
        for i in $(seq 100); do
            carbon_listens && return 0
            [ $? -eq 2 ] && break
            sleep 0.2
        done
        test_stop carbon
        test_note "carbon-cache did not start on ports $base.. (try $try)"
    done
    test_fail "cannot start carbon-cache"
}

# ---- reading whisper files ----------------------------------------------------

# write_graphite's metric name part: EscapeCharacter "_" replaces dots and
# white space (collectd.conf(5), write_graphite).
graphite_part() {
    local s=$1
    s=${s//./_}
    printf '%s\n' "${s//[[:space:]]/_}"
}

# whisper_file HOST PLUGIN TYPE [DS]: the file of one metric.
whisper_file() {
    local path
    path="$WHISPER_DIR/$PREFIX/$(graphite_part "$1")/$2/$3"
    [ -n "$4" ] && path=$path/$4
    printf '%s.wsp\n' "$path"
}

# whisper_last FILE: the newest value stored in the last minute.
whisper_last() {
    [ -f "$1" ] || return 1
    whisper-fetch --from=$(($(date +%s) - 60)) "$1" |
        awk '$2 != "None" { v = $2 } END { if (v == "") exit 1; print v }'
}

# whisper_wait FILE: whisper_last, once carbon has written the metric (it
# keeps datapoints in its cache a while before they reach the file).
whisper_wait() {
    local i
    for i in $(seq 75); do
        whisper_last "$1" && return 0
        sleep 0.2
    done
    return 1
}

# expect_metric WHAT WANT HOST PLUGIN TYPE [DS]
expect_metric() {
    local what=$1 want=$2 file got
    shift 2
    file=$(whisper_file "$@")
    if ! got=$(whisper_wait "$file"); then
        mismatch "$what: no data in ${file#"$WHISPER_DIR"/}, virsh says '$want'"
    elif [ "$(collectd_integer "$got")" != "$want" ]; then
        mismatch "$what: graphite '$got' (${file#"$WHISPER_DIR"/}), virsh '$want'"
    fi
}

# ---- run ------------------------------------------------------------------------

start_carbon
CONF=$TEST_TMPDIR/collectd.conf
{
    collectd_globals write_graphite
    cat <<EOF
<Plugin write_graphite>
  <Node "carbon">
    Host "127.0.0.1"
    Port "$CARBON_PORT"
    Protocol "tcp"
    Prefix "$PREFIX."
    EscapeCharacter "_"
    StoreRates false
  </Node>
</Plugin>
EOF
    collectd_virtmon_block <<EOF
  Connection "$URI_DEFAULT" "default"
  Connection "$URI_FIXTURE" "fixture"
EOF
} >"$CONF"
collectd_start "$CONF"

has_data() {
    whisper_last "$(whisper_file "$@")" >/dev/null
}
test_wait_until 30 "carbon to store virtmon's node values" \
    has_data "$COLLECTD_HOSTNAME" virtmon-default memory-total
test_wait_until 30 "carbon to store virtmon's domain values" \
    has_data "crashed-guest" virtmon domain_state reason

host=$COLLECTD_HOSTNAME
info=$(virsh_ro "$URI_DEFAULT" nodeinfo)
mem=$(virsh_field 'Memory size' <<<"$info")
expect_metric "node memory" $((${mem% KiB} * 1024)) \
    "$host" virtmon-default memory-total
expect_metric "node CPUs" "$(virsh_field 'CPU(s)' <<<"$info")" \
    "$host" virtmon-default count-cpus
virsh_freecells "$URI_DEFAULT"
for cell in "${!VIRSH_CELL_KIB[@]}"; do
    expect_metric "free memory of cell $cell" \
        $((VIRSH_CELL_KIB[$cell] * 1024)) \
        "$host" virtmon-default "memory-free-cell$cell"
done
# bool-connected goes out on every read, the first ones while the fixture
# connects: whisper keeps one value per step, the oldest of a batch, so
# wait for the step that holds only connected reads
fixture_connected() {
    local got
    got=$(whisper_last "$(whisper_file "$host" virtmon-fixture bool-connected)") &&
        [ "$(collectd_integer "$got")" = 1 ]
}
test_wait_until 30 "graphite to show the fixture connection connected" \
    fixture_connected
expect_metric "connected" 1 "$host" virtmon-fixture bool-connected

# domains: the default host name format is the domain's name; domain_state
# has two data sources, which write_graphite appends
for spec in "$URI_DEFAULT|test" "$URI_FIXTURE|db server 1" \
    "$URI_FIXTURE|Ünïcødé-домен-测试" "$URI_FIXTURE|crashed-guest"; do
    uri=${spec%%|*}
    name=${spec#*|}
    info=$(virsh_ro "$uri" dominfo -- "$name") ||
        test_fail "virsh dominfo '$name' failed"
    mem=$(virsh_field 'Used memory' <<<"$info")
    expect_metric "'$name' memory" $((${mem% KiB} * 1024)) \
        "$name" virtmon memory-total
    state=$(virsh_domstats_state "$uri" "$name")
    expect_metric "'$name' state" "${state% *}" \
        "$name" virtmon domain_state state
    expect_metric "'$name' state reason" "${state#* }" \
        "$name" virtmon domain_state reason
done

[ "$MISMATCHES" -eq 0 ] || test_fail "$MISMATCHES metric(s) differ from virsh"
test_note "virtmon's values reached carbon's whisper files as virsh says"
