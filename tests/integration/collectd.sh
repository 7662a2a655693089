# collectd.sh: a private collectd daemon for the integration tests (sourced,
# never run): its configuration, start, and reading the values it wrote.
#
# Nothing host-wide is used: the daemon gets its own BaseDir, PID file, log
# and output directories under TEST_TMPDIR. collectd's own plugins come from
# its plugin directory; virtmon.so from the build tree.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

COLLECTD_TYPESDB=/usr/share/collectd/types.db
# The host of the plugin's node and connection values (collectd's Hostname).
COLLECTD_HOSTNAME=collectd-test-host
COLLECTD_SYSTEM_PLUGINDIR=
COLLECTD_VIRTMON_PLUGINDIR=${abs_top_builddir:-.}/collectd-plugin/.libs
COLLECTD_VIRTMON_TYPESDB=${abs_top_srcdir:-.}/collectd-plugin/virtmon-types.db
COLLECTD_PID=
COLLECTD_LOG=      # what collectd's logfile plugin writes
COLLECTD_OUT=      # stdout and stderr of the last collectd started
COLLECTD_CSV_DIR=  # the csv plugin's DataDir
COLLECTD_OUT_LOGGED=

# Skips the test unless collectd, its plugins and virtmon.so are there.
collectd_require() {
    local dir
    command -v collectd >/dev/null || test_skip "collectd is not installed"
    for dir in /usr/lib/collectd /usr/lib64/collectd /usr/local/lib/collectd; do
        if [ -f "$dir/csv.so" ]; then
            COLLECTD_SYSTEM_PLUGINDIR=$dir
            break
        fi
    done
    [ -n "$COLLECTD_SYSTEM_PLUGINDIR" ] ||
        test_skip "collectd's plugin directory was not found"
    [ -f "$COLLECTD_TYPESDB" ] || test_skip "no $COLLECTD_TYPESDB"
    [ -f "$COLLECTD_VIRTMON_PLUGINDIR/virtmon.so" ] ||
        test_skip "virtmon.so is not built (collectd-dev missing?)"
    test_init
    COLLECTD_LOG=$TEST_TMPDIR/collectd.log
    COLLECTD_OUT=$TEST_TMPDIR/collectd.out
    COLLECTD_CSV_DIR=$TEST_TMPDIR/csv
    test_add_log "$COLLECTD_LOG"
}

# collectd_globals [PLUGIN...]: prints the global part of a configuration:
# private paths, a 1 s interval, both types files, a log file, and a
# LoadPlugin line for each of collectd's own PLUGINs.
collectd_globals() {
    local plugin
    cat <<EOF
BaseDir "$TEST_TMPDIR"
PIDFile "$TEST_TMPDIR/collectd.pid"
Hostname "$COLLECTD_HOSTNAME"
FQDNLookup false
Interval 1
TypesDB "$COLLECTD_TYPESDB" "$COLLECTD_VIRTMON_TYPESDB"
PluginDir "$COLLECTD_SYSTEM_PLUGINDIR"
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$COLLECTD_LOG"
  Timestamp true
</Plugin>
EOF
    for plugin in "$@"; do
        printf 'LoadPlugin %s\n' "$plugin"
    done
}

# collectd_csv_block: the csv plugin's block, writing into COLLECTD_CSV_DIR.
collectd_csv_block() {
    printf '<Plugin csv>\n  DataDir "%s"\n  StoreRates false\n</Plugin>\n' \
        "$COLLECTD_CSV_DIR"
}

# collectd_virtmon_block: loads virtmon.so from the build tree, with the
# lines on stdin as its <Plugin virtmon> block. Must come last: PluginDir
# changes where every later LoadPlugin looks.
collectd_virtmon_block() {
    printf 'PluginDir "%s"\nLoadPlugin virtmon\n<Plugin virtmon>\n' \
        "$COLLECTD_VIRTMON_PLUGINDIR"
    cat
    printf '</Plugin>\n'
}

# collectd_start CONF: starts `collectd -f -C CONF` and waits until it has
# initialised its plugins; fails if it exits first.
collectd_start() {
    local conf=$1
    # a file of its own: test_spawn lists it among the logs to show
    COLLECTD_OUT=$TEST_TMPDIR/collectd-daemon.out
    test_spawn collectd "$COLLECTD_OUT" collectd -f -C "$conf"
    COLLECTD_PID=$TEST_LAST_PID
    test_wait_until 20 "collectd to initialise" collectd_is_initialised
}

collectd_is_initialised() {
    test_is_running "$COLLECTD_PID" ||
        test_fail "collectd exited: $(cat "$COLLECTD_OUT" 2>/dev/null)"
    grep -q 'Initialization complete' "$COLLECTD_LOG" 2>/dev/null
}

# collectd_run_once CONF SECONDS: runs collectd on CONF in the foreground
# for at most SECONDS; leaves its exit status in COLLECTD_STATUS (124 when
# it was still running and got stopped).
collectd_run_once() {
    local conf=$1 seconds=$2
    COLLECTD_OUT=$TEST_TMPDIR/collectd.out
    if [ -z "$COLLECTD_OUT_LOGGED" ]; then
        test_add_log "$COLLECTD_OUT"
        COLLECTD_OUT_LOGGED=1
    fi
    timeout --kill-after=5 "$seconds" collectd -f -C "$conf" \
        >>"$COLLECTD_OUT" 2>&1 </dev/null
    COLLECTD_STATUS=$?
}

# collectd_csv_file HOST PLUGIN_DIR TYPE_FILE: the csv file of one value,
# e.g. "vm" "virtmon-default" "memory-free": csv names files
# TYPE[-TYPE_INSTANCE]-YYYY-MM-DD, and the date pattern keeps "memory-free"
# from matching "memory-free-cell0". The newest date wins.
collectd_csv_file() {
    local f found=
    for f in "$COLLECTD_CSV_DIR/$1/$2/$3"-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]; do
        [ -f "$f" ] && found=$f
    done
    [ -n "$found" ] && printf '%s\n' "$found"
}

# collectd_csv_line HOST PLUGIN_DIR TYPE_FILE: the newest line, time stamp
# first, then the data sources, comma-separated.
collectd_csv_line() {
    local file line
    file=$(collectd_csv_file "$@") || return 1
    line=$(tail -n 1 "$file")
    case $line in
    epoch,* | '') return 1 ;;
    esac
    printf '%s\n' "$line"
}

# collectd_csv_values HOST PLUGIN_DIR TYPE_FILE: the newest line's data
# sources, without the time stamp.
collectd_csv_values() {
    local line
    line=$(collectd_csv_line "$@") || return 1
    printf '%s\n' "${line#*,}"
}

# collectd_csv_has HOST PLUGIN_DIR TYPE_FILE: a value has been written.
collectd_csv_has() {
    collectd_csv_values "$@" >/dev/null
}

# "3221225472.000000" -> "3221225472"; fails on a fractional number.
collectd_integer() {
    local v=$1
    [[ $v =~ ^(-?[0-9]+)(\.0*)?$ ]] || return 1
    printf '%s\n' "${BASH_REMATCH[1]}"
}

# collectd_csv_integers HOST PLUGIN_DIR TYPE_FILE: the newest line's data
# sources as integers joined by ","; a fractional one shows as <line>.
# Fails when nothing has been written.
collectd_csv_integers() {
    local raw got= v
    raw=$(collectd_csv_values "$@") || return 1
    IFS=, read -ra fields <<<"$raw"
    for v in "${fields[@]}"; do
        v=$(collectd_integer "$v") || v="<$raw>"
        got=${got:+$got,}$v
    done
    printf '%s\n' "$got"
}

# collectd_host_name NAME: NAME as a collectd host or instance field holds
# it: at most 127 bytes, cut at a UTF-8 character boundary.
collectd_host_name() {
    printf '%s' "$1" | head -c 127 | iconv -c -f UTF-8 -t UTF-8 2>/dev/null
}

# ---- notifications ------------------------------------------------------------

COLLECTD_SINK_DIR=

# collectd_exec_sink_block: sets up a script that stores every notification
# in a file of its own under COLLECTD_SINK_DIR, and prints the exec plugin's
# block that runs it. exec refuses to run programs as root: it runs as
# nobody, who may pass through TEST_TMPDIR but not read it.
collectd_exec_sink_block() {
    id nobody >/dev/null 2>&1 || test_skip "no user 'nobody' for collectd's exec"
    [ -f "$COLLECTD_SYSTEM_PLUGINDIR/exec.so" ] ||
        test_skip "collectd has no exec plugin"
    COLLECTD_SINK_DIR=$TEST_TMPDIR/notifications
    chmod 0711 "$TEST_TMPDIR"
    mkdir -p "$COLLECTD_SINK_DIR"
    chown nobody "$COLLECTD_SINK_DIR"
    cat >"$TEST_TMPDIR/sink.sh" <<EOS
#!/bin/sh
# one file per notification, complete before it gets its name
f=\$(mktemp "$COLLECTD_SINK_DIR/.n.XXXXXX") && cat >"\$f" && mv "\$f" "\$f.txt"
EOS
    chmod 0755 "$TEST_TMPDIR/sink.sh"
    printf '<Plugin exec>\n  NotificationExec "nobody" "%s"\n</Plugin>\n' \
        "$TEST_TMPDIR/sink.sh"
}

# collectd_find_notification LINE...: the first stored notification with
# every LINE as a whole line ("Severity: WARNING", "uuid: ...").
collectd_find_notification() {
    local f line
    for f in "$COLLECTD_SINK_DIR"/.n.*.txt; do
        [ -f "$f" ] || continue
        for line in "$@"; do
            grep -qxF -- "$line" "$f" || continue 2
        done
        printf '%s\n' "$f"
        return 0
    done
    return 1
}

# collectd_expect_notification SECONDS LINE...: waits (bounded) for a
# notification with every LINE and removes it, so that a later expectation
# needs a new one. On time-out shows what arrived and fails.
collectd_expect_notification() {
    local deadline=$((SECONDS + $1)) f
    shift
    while [ "$SECONDS" -lt "$deadline" ]; do
        if f=$(collectd_find_notification "$@"); then
            rm -f "$f"
            return 0
        fi
        sleep 0.2
    done
    printf 'no notification with: %s\n' "$*" >&2
    for f in "$COLLECTD_SINK_DIR"/.n.*.txt; do
        [ -f "$f" ] && printf -- '--- %s\n%s\n' "$f" "$(cat "$f")" >&2
    done
    return 1
}
