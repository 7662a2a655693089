# Sourceable library for integration tests: runs a private libvirtd (and the
# virtlogd QEMU needs) in a private mount namespace, leaving the host's alone.
# shellcheck shell=bash
#
# For bash scripts.  Usage (as root):
#   . "$srcdir/integration/libvirtd.sh"
#   libvirtd_enter_namespace "$@"       # re-runs the test under unshare once
#   libvirtd_use_prefix "$prefix"       # optional: a libvirt built elsewhere
#   libvirtd_listen_tcp "$(libvirtd_pick_port)"   # optional, 127.0.0.1 only
#   libvirtd_conf_add 'max_clients = 50'          # optional extra settings
#   trap libvirtd_cleanup EXIT
#   libvirtd_start || exit 1
#   libvirtd_virsh -c test+unix:///default list
#
# Inside the namespace tmpfs hides /run/libvirt, /var/lib/libvirt,
# /var/log/libvirt and /var/cache/libvirt, and an almost empty private
# directory hides /etc/libvirt (only qemu.conf, running QEMU as root without
# cgroups or security drivers), so neither the host's domains, hooks nor
# sockets are seen or touched.  Where the libvirt-qemu user is missing,
# private copies of /etc/passwd and /etc/group add it.

LIBVIRTD_BIN=${LIBVIRTD_BIN:-/usr/sbin/libvirtd}
LIBVIRTD_VIRTLOGD_BIN=${LIBVIRTD_VIRTLOGD_BIN:-/usr/sbin/virtlogd}
LIBVIRTD_VIRSH_BIN=${LIBVIRTD_VIRSH_BIN:-/usr/bin/virsh}
LIBVIRTD_LIBDIR=${LIBVIRTD_LIBDIR:-}
# Upper bounds, in tenths of a second, for start-up and shutdown.
LIBVIRTD_START_TIMEOUT=${LIBVIRTD_START_TIMEOUT:-300}
LIBVIRTD_STOP_TIMEOUT=${LIBVIRTD_STOP_TIMEOUT:-100}

LIBVIRTD_DIR=          # private temp dir: configuration, pid files, logs
LIBVIRTD_PID=
LIBVIRTD_VIRTLOGD_PID=
_libvirtd_spawned=
_libvirtd_conf_lines=()
_libvirtd_listen=0
_libvirtd_tls=0

_libvirtd_log() { printf 'libvirtd.sh: %s\n' "$*" >&2; }

# Re-executes the calling script inside a private mount namespace (once:
# LIBVIRTD_IN_NAMESPACE marks the second run), then sets up the private
# mounts.  Exits 77 (skip) where namespaces cannot be had.
libvirtd_enter_namespace() {
    if [ "$(id -u)" -ne 0 ]; then
        _libvirtd_log "skip: a private libvirtd needs root"
        exit 77
    fi
    if [ "${LIBVIRTD_IN_NAMESPACE:-}" != 1 ]; then
        if ! unshare -m --propagation private true 2>/dev/null; then
            _libvirtd_log "skip: cannot create a mount namespace here"
            exit 77
        fi
        export LIBVIRTD_IN_NAMESPACE=1
        exec unshare -m --propagation private -- "$BASH" "$0" "$@"
    fi
    _libvirtd_private_mounts
}

_libvirtd_private_mounts() {
    local d
    LIBVIRTD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/libvirtd-test.XXXXXX")
    for d in /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt; do
        mkdir -p "$d"
        mount -t tmpfs -o mode=0755 tmpfs "$d"
    done
    mkdir -p "$LIBVIRTD_DIR/etc/libvirt" /etc/libvirt
    _libvirtd_write_qemu_conf "$LIBVIRTD_DIR/etc/libvirt/qemu.conf"
    mount --bind "$LIBVIRTD_DIR/etc/libvirt" /etc/libvirt
    _libvirtd_ensure_qemu_user
}

# The QEMU driver resolves its built-in default user, Debian's
# libvirt-qemu, before it reads qemu.conf, and fails where only
# libvirt-daemon (not libvirt-daemon-system, which creates the user) is
# installed.  Private copies of passwd and group carry the user then.
_libvirtd_ensure_qemu_user() {
    local id=64055
    getent passwd libvirt-qemu >/dev/null && return 0
    while getent passwd "$id" >/dev/null || getent group "$id" >/dev/null; do
        id=$((id + 1))
    done
    cp /etc/passwd "$LIBVIRTD_DIR/passwd"
    cp /etc/group "$LIBVIRTD_DIR/group"
    printf 'libvirt-qemu:x:%s:%s::/var/lib/libvirt:/usr/sbin/nologin\n' \
        "$id" "$id" >>"$LIBVIRTD_DIR/passwd"
    getent group libvirt-qemu >/dev/null ||
        printf 'libvirt-qemu:x:%s:\n' "$id" >>"$LIBVIRTD_DIR/group"
    mount --bind "$LIBVIRTD_DIR/passwd" /etc/passwd
    mount --bind "$LIBVIRTD_DIR/group" /etc/group
}

# QEMU runs as root with no security driver, cgroups or per-domain mount
# namespace: tests run in containers that may lack all three.
_libvirtd_write_qemu_conf() {
    cat >"$1" <<'EOF'
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
EOF
}

# Uses the daemons, virsh and libraries installed under a prefix, such as
# the one contrib/libvirt-magic-file/build.sh prints.
libvirtd_use_prefix() {
    LIBVIRTD_BIN=$1/sbin/libvirtd
    LIBVIRTD_VIRTLOGD_BIN=$1/sbin/virtlogd
    LIBVIRTD_VIRSH_BIN=$1/bin/virsh
    LIBVIRTD_LIBDIR=$1/lib
}

# Runs a program with the selected libraries.
_libvirtd_run() {
    if [ -n "$LIBVIRTD_LIBDIR" ]; then
        LD_LIBRARY_PATH=$LIBVIRTD_LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$@"
    else
        "$@"
    fi
}

libvirtd_virsh() {
    _libvirtd_run "$LIBVIRTD_VIRSH_BIN" "$@"
}

# Starts a daemon in the background, output appended to LOG, and sets
# _libvirtd_spawned to its pid.  The subshell execs the daemon so that the
# pid is the daemon's own, not that of a shell that would survive a kill.
_libvirtd_spawn() {
    local log=$1
    shift
    (
        if [ -n "$LIBVIRTD_LIBDIR" ]; then
            export LD_LIBRARY_PATH=$LIBVIRTD_LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
        fi
        exec "$@"
    ) >>"$log" 2>&1 &
    _libvirtd_spawned=$!
}

# Adds lines to libvirtd.conf; they take effect at the next start.
libvirtd_conf_add() {
    _libvirtd_conf_lines+=("$@")
}

# Plain TCP without authentication, on 127.0.0.1 only.
libvirtd_listen_tcp() {
    _libvirtd_listen=1
    libvirtd_conf_add 'listen_tcp = 1' "tcp_port = \"$1\"" \
        'listen_addr = "127.0.0.1"' 'auth_tcp = "none"'
}

# TLS on 127.0.0.1: libvirtd_listen_tls PORT CA_CERT SERVER_CERT SERVER_KEY.
# Client certificates are checked against the CA; no SASL.
libvirtd_listen_tls() {
    _libvirtd_listen=1
    _libvirtd_tls=1
    libvirtd_conf_add "tls_port = \"$1\"" 'listen_addr = "127.0.0.1"' \
        "ca_file = \"$2\"" "cert_file = \"$3\"" "key_file = \"$4\"" \
        'auth_tls = "none"'
}

# Prints a TCP port on 127.0.0.1 that nothing listens on, trying from a
# random base so that parallel runs do not collide.
libvirtd_pick_port() {
    python3 - <<'EOF'
import random, socket, sys
base = random.randrange(20000, 60000)
for port in range(base, base + 200):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    sys.exit(0)
sys.exit(1)
EOF
}

_libvirtd_write_conf() {
    local conf=$LIBVIRTD_DIR/libvirtd.conf
    {
        printf 'log_outputs = "3:file:%s/libvirtd.log"\n' "$LIBVIRTD_DIR"
        if [ "$_libvirtd_listen" = 1 ] && [ "$_libvirtd_tls" = 0 ]; then
            printf 'listen_tls = 0\n'
        fi
        printf '%s\n' "${_libvirtd_conf_lines[@]}"
    } >"$conf"
    printf '%s\n' "$conf"
}

# True while the process lives; bash reaps its background children, so a
# dead child does not linger as a zombie that kill -0 would still find.
_libvirtd_alive() {
    [ -n "$1" ] && kill -0 "$1" 2>/dev/null
}

# Sends SIGNAL, waits (bounded) for the process to go, then SIGKILLs it.
_libvirtd_terminate() {
    local pid=$1 sig=$2 i
    _libvirtd_alive "$pid" || return 0
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < LIBVIRTD_STOP_TIMEOUT; i++)); do
        _libvirtd_alive "$pid" || break
        sleep 0.1
    done
    if _libvirtd_alive "$pid"; then
        _libvirtd_log "pid $pid ignored SIG$sig, killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

_libvirtd_start_virtlogd() {
    _libvirtd_alive "$LIBVIRTD_VIRTLOGD_PID" && return 0
    printf 'log_outputs = "3:file:%s/virtlogd.log"\n' "$LIBVIRTD_DIR" \
        >"$LIBVIRTD_DIR/virtlogd.conf"
    _libvirtd_spawn "$LIBVIRTD_DIR/virtlogd.out" "$LIBVIRTD_VIRTLOGD_BIN" \
        -f "$LIBVIRTD_DIR/virtlogd.conf" -p "$LIBVIRTD_DIR/virtlogd.pid"
    LIBVIRTD_VIRTLOGD_PID=$_libvirtd_spawned
}

# Waits until the daemon answers a client, or dies, or the time is up.
_libvirtd_wait_ready() {
    local i
    for ((i = 0; i < LIBVIRTD_START_TIMEOUT; i++)); do
        if ! _libvirtd_alive "$LIBVIRTD_PID"; then
            _libvirtd_log "libvirtd exited during start-up"
            return 1
        fi
        libvirtd_virsh -c test+unix:///default list >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    _libvirtd_log "libvirtd did not answer within $((LIBVIRTD_START_TIMEOUT / 10)) s"
    return 1
}

# Starts virtlogd (if not running) and libvirtd; returns once libvirtd
# answers.  On failure prints the daemon's log and returns 1.
libvirtd_start() {
    local conf args=()
    [ -n "$LIBVIRTD_DIR" ] ||
        { _libvirtd_log "call libvirtd_enter_namespace first"; return 1; }
    _libvirtd_alive "$LIBVIRTD_PID" &&
        { _libvirtd_log "libvirtd already runs as pid $LIBVIRTD_PID"; return 1; }
    _libvirtd_start_virtlogd
    conf=$(_libvirtd_write_conf)
    [ "$_libvirtd_listen" = 1 ] && args+=(--listen)
    _libvirtd_spawn "$LIBVIRTD_DIR/libvirtd.out" "$LIBVIRTD_BIN" -f "$conf" \
        -p "$LIBVIRTD_DIR/libvirtd.pid" "${args[@]}"
    LIBVIRTD_PID=$_libvirtd_spawned
    if ! _libvirtd_wait_ready; then
        libvirtd_dump_logs
        libvirtd_stop
        return 1
    fi
}

# Graceful stop: SIGTERM, bounded wait, SIGKILL as a last resort.
libvirtd_stop() {
    _libvirtd_terminate "$LIBVIRTD_PID" TERM
    LIBVIRTD_PID=
}

# Simulates a crash: SIGKILL, no chance to clean up.  Domains keep running.
libvirtd_kill() {
    _libvirtd_terminate "$LIBVIRTD_PID" KILL
    LIBVIRTD_PID=
}

libvirtd_restart() {
    libvirtd_stop
    libvirtd_start
}

libvirtd_dump_logs() {
    local f
    for f in libvirtd.out libvirtd.log virtlogd.out virtlogd.log; do
        [ -s "$LIBVIRTD_DIR/$f" ] || continue
        printf -- '--- %s (last 40 lines)\n' "$f" >&2
        tail -n 40 "$LIBVIRTD_DIR/$f" >&2
    done
}

# Kills the QEMU processes this daemon started: their pid files live in
# the private /run/libvirt, so only ours are found.  The directory also
# holds the driver's own pid file (libvirtd's pid), hence the check that
# the pid runs QEMU.
_libvirtd_kill_guests() {
    local f pid
    for f in /run/libvirt/qemu/*.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null) || continue
        [[ $pid =~ ^[0-9]+$ ]] || continue
        [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */qemu-system-* ]] || continue
        kill -KILL "$pid" 2>/dev/null || true
    done
}

# For the EXIT trap: stops guests, libvirtd and virtlogd, removes the
# private directory.  Safe to call more than once.
libvirtd_cleanup() {
    [ -n "$LIBVIRTD_DIR" ] || return 0
    _libvirtd_kill_guests
    libvirtd_stop
    _libvirtd_terminate "$LIBVIRTD_VIRTLOGD_PID" TERM
    LIBVIRTD_VIRTLOGD_PID=
    rm -rf "$LIBVIRTD_DIR"
    LIBVIRTD_DIR=
}
