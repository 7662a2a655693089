# private-libvirtd.sh: sourced by run.sh. A libvirtd with the QEMU driver that
# leaves the host's alone; the caller must already be inside
# `unshare -m -n --propagation private` (own mounts, own network namespace).
#
# Inside the namespace: tmpfs over libvirt's state directories, a private copy
# of /etc/libvirt with a qemu.conf that runs QEMU as root without a security
# driver, cgroups or per-domain namespaces (containers may lack all three),
# and private passwd/group files carrying the libvirt-qemu
# user that the QEMU driver resolves at start-up (a host without
# libvirt-daemon-system lacks it). Nothing of this outlives the namespace.

LIBVIRT_STATE_DIRS="/run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt"
LIBVIRTD_PID=
VIRTLOGD_PID=

# Read a pid file written by a daemon that forks; waits up to 10 s.
bench_wait_pidfile() {
    local file=$1 i
    for i in $(seq 100); do
        [ -s "$file" ] && { cat "$file"; return 0; }
        sleep 0.1
    done
    return 1
}

bench_private_etc() {
    local dir=$1
    mkdir -p "$dir/etc-libvirt"
    cp -a /etc/libvirt/. "$dir/etc-libvirt/"
    cat > "$dir/etc-libvirt/qemu.conf" <<'CONF'
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
CONF
    mount --bind "$dir/etc-libvirt" /etc/libvirt
    cp /etc/passwd "$dir/passwd"
    cp /etc/group "$dir/group"
    local id=64055
    while getent passwd "$id" >/dev/null || getent group "$id" >/dev/null; do
        id=$((id + 1))
    done
    getent passwd libvirt-qemu >/dev/null ||
        echo "libvirt-qemu:x:$id:$id::/var/lib/libvirt:/usr/sbin/nologin" >> "$dir/passwd"
    getent group libvirt-qemu >/dev/null || echo "libvirt-qemu:x:$id:" >> "$dir/group"
    mount --bind "$dir/passwd" /etc/passwd
    mount --bind "$dir/group" /etc/group
}

# bench_libvirtd_start DIR: state and logs go to DIR.
bench_libvirtd_start() {
    local dir=$1 d i
    ip link set lo up
    for d in $LIBVIRT_STATE_DIRS; do
        mkdir -p "$d"
        mount -t tmpfs -o mode=0755 tmpfs "$d"
    done
    bench_private_etc "$dir"
    # no keepalive pings: a poller between rounds is idle, not dead
    cat > "$dir/libvirtd.conf" <<CONF
keepalive_interval = -1
log_outputs = "3:file:$dir/libvirtd.log"
max_clients = 100
CONF
    virtlogd -d -p "$dir/virtlogd.pid" || return 1
    VIRTLOGD_PID=$(bench_wait_pidfile "$dir/virtlogd.pid") || return 1
    libvirtd -d -f "$dir/libvirtd.conf" -p "$dir/libvirtd.pid" || return 1
    LIBVIRTD_PID=$(bench_wait_pidfile "$dir/libvirtd.pid") || return 1
    for i in $(seq 300); do
        virsh -q -c qemu:///system uri >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "libvirtd did not answer within 30 s; see $dir/libvirtd.log" >&2
    return 1
}

# QEMU processes of the private libvirtd, from its per-domain pid files
# (driver.pid in the same directory is libvirtd itself).
bench_qemu_pids() {
    local f pid
    for f in /run/libvirt/qemu/*.pid; do
        [ -f "$f" ] && [ "${f##*/}" != driver.pid ] || continue
        pid=$(cat "$f")
        case $(cat "/proc/$pid/comm" 2>/dev/null) in
        qemu-system-*) echo "$pid" ;;
        esac
    done
}

bench_libvirtd_stop() {
    local pids pid i
    pids=$(bench_qemu_pids)
    [ -n "$pids" ] && kill $pids 2>/dev/null
    for i in $(seq 50); do
        for pid in $pids; do
            [ -d "/proc/$pid" ] && break
            pid=
        done
        [ -z "$pid" ] && break
        sleep 0.1
    done
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    [ -n "$LIBVIRTD_PID" ] && kill "$LIBVIRTD_PID" 2>/dev/null
    [ -n "$VIRTLOGD_PID" ] && kill "$VIRTLOGD_PID" 2>/dev/null
    LIBVIRTD_PID=
    VIRTLOGD_PID=
}

# CPU time libvirtd has used, in ns, summed over its threads (schedstat is
# exact where /proc/PID/stat counts 10 ms ticks).
bench_libvirtd_cpu_ns() {
    cat /proc/"$LIBVIRTD_PID"/task/*/schedstat 2>/dev/null |
        awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# Server-side RPC log on or off, at run time, through the admin socket:
# libvirt logs every received call (RPC_SERVER_CLIENT_MSG_RX) at level info.
bench_rpc_log() {
    local file=$1
    if [ -n "$file" ]; then
        virt-admin -q -c libvirtd:///system daemon-log-outputs "2:file:$file"
        virt-admin -q -c libvirtd:///system daemon-log-filters "2:rpc.netserverclient"
    else
        virt-admin -q -c libvirtd:///system daemon-log-filters ""
        virt-admin -q -c libvirtd:///system daemon-log-outputs "3:file:$BENCH_DIR/libvirtd.log"
    fi
}
