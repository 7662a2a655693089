#!/bin/bash
# Checks the private-libvirtd library (libvirtd.sh) with Debian's libvirtd:
# private state, TCP and TLS listening on 127.0.0.1, kill and restart.

# make check runs shell tests with $(SHELL), which may not be bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/libvirtd.sh
. "$here/libvirtd.sh"
# shellcheck source=tests/integration/check.sh
. "$here/check.sh"

for tool in /usr/sbin/libvirtd /usr/sbin/virtlogd /usr/bin/virsh certtool python3; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done

libvirtd_enter_namespace "$@"
trap libvirtd_cleanup EXIT


pki=$LIBVIRTD_DIR/pki

# A CA, a server certificate for 127.0.0.1 and a client certificate, laid
# out as the client's pkipath URI parameter expects.
make_certs() {
    mkdir -p "$pki"
    cd "$pki" || return 1
    certtool --generate-privkey --outfile cakey.pem
    printf 'cn = virtmon test CA\nca\ncert_signing_key\nexpiration_days = 2\n' >ca.info
    certtool --generate-self-signed --load-privkey cakey.pem \
        --template ca.info --outfile cacert.pem
    certtool --generate-privkey --outfile serverkey.pem
    printf 'cn = 127.0.0.1\nip_address = 127.0.0.1\ntls_www_server\nencryption_key\nsigning_key\nexpiration_days = 2\n' >server.info
    certtool --generate-certificate --load-privkey serverkey.pem \
        --load-ca-certificate cacert.pem --load-ca-privkey cakey.pem \
        --template server.info --outfile servercert.pem
    certtool --generate-privkey --outfile clientkey.pem
    printf 'cn = virtmon test client\ntls_www_client\nencryption_key\nsigning_key\nexpiration_days = 2\n' >client.info
    certtool --generate-certificate --load-privkey clientkey.pem \
        --load-ca-certificate cacert.pem --load-ca-privkey cakey.pem \
        --template client.info --outfile clientcert.pem
    cd - >/dev/null || return 1
}

test_daemon_answers_on_unix_socket() {
    libvirtd_virsh -c test+unix:///default list --name | grep -qx test ||
        { echo "the test driver's domain 'test' is not listed"; return 1; }
    libvirtd_virsh -c qemu:///system uri | grep -qx 'qemu:///system'
}

# PID 1's root shows the host's mounts, whatever the namespace we are in.
test_private_run_dir_is_hidden_from_host() {
    touch /run/libvirt/private-probe
    [ -S /run/libvirt/libvirt-sock ] || { echo "no socket in /run/libvirt"; return 1; }
    [ ! -e /proc/1/root/run/libvirt/private-probe ] ||
        { echo "the probe file reached the host's /run/libvirt"; return 1; }
}

test_tcp_listener_answers() {
    libvirtd_virsh -c "test+tcp://127.0.0.1:$tcp_port/default" list --name |
        grep -qx test
}

test_tls_listener_answers_with_client_certificate() {
    libvirtd_virsh -c "test+tls://127.0.0.1:$tls_port/default?pkipath=$pki" \
        list --name | grep -qx test
}

test_killed_daemon_restarts_with_new_pid() {
    local old=$LIBVIRTD_PID
    libvirtd_kill
    kill -0 "$old" 2>/dev/null && { echo "pid $old survived SIGKILL"; return 1; }
    libvirtd_start || return 1
    [ "$LIBVIRTD_PID" != "$old" ] || { echo "same pid after restart"; return 1; }
    test_daemon_answers_on_unix_socket
}

test_restart_keeps_answering() {
    libvirtd_restart && test_daemon_answers_on_unix_socket
}

if ! make_certs >"$LIBVIRTD_DIR/certtool.log" 2>&1; then
    cat "$LIBVIRTD_DIR/certtool.log"
    echo "FAIL: cannot make certificates"
    exit 1
fi
tcp_port=$(libvirtd_pick_port)
tls_port=$(libvirtd_pick_port)
libvirtd_listen_tcp "$tcp_port"
libvirtd_listen_tls "$tls_port" "$pki/cacert.pem" "$pki/servercert.pem" "$pki/serverkey.pem"
libvirtd_start || exit 1

check_run test_daemon_answers_on_unix_socket
check_run test_private_run_dir_is_hidden_from_host
check_run test_tcp_listener_answers
check_run test_tls_listener_answers_with_client_certificate
check_run test_killed_daemon_restarts_with_new_pid
check_run test_restart_keeps_answering

[ "$check_failed" -eq 0 ] || libvirtd_dump_logs
check_summary
