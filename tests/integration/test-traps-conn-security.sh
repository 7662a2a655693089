#!/bin/bash
# test-traps-conn-security.sh: one agent watches the same libvirtd over a
# unix socket, plain TCP and TLS (a CA and certificates made here with
# certtool). VIRTMON-MIB shows each connection's security as libvirt itself
# reports it to an independent probe, and lifecycle events arrive over all
# three, each notification naming its own connection.

here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR
. "$here/libvirtd.sh"
libvirtd_enter_namespace "$@"
. "$here/traps.sh"

PROBE=${CONN_FLAGS_PROBE:-$abs_top_builddir/tests/integration/conn-flags-probe}
DOMAIN=test
declare -a URIS

# What virConnectIsSecure/IsEncrypted answer for the three transports.
declare -A EXPECTED_FLAGS=([unix]='secure=1 encrypted=0'
    [tcp]='secure=0 encrypted=0' [tls]='secure=1 encrypted=1')

# make_cert NAME TEMPLATE_LINES...: a key and a certificate signed by the
# CA, in $PKI/NAME{key,cert}.pem.
make_cert() {
    local name=$1
    shift
    printf '%s\n' "$@" >"$PKI/$name.info"
    certtool --generate-privkey --outfile "$PKI/${name}key.pem" 2>/dev/null &&
        certtool --generate-certificate --load-privkey "$PKI/${name}key.pem" \
            --load-ca-certificate "$PKI/cacert.pem" \
            --load-ca-privkey "$PKI/cakey.pem" --template "$PKI/$name.info" \
            --outfile "$PKI/${name}cert.pem" 2>/dev/null ||
        test_fail "certtool cannot make the $name certificate"
}

# A throwaway CA, a server certificate for localhost and a client one, laid
# out as libvirt's pkipath= wants them for the client.
make_pki() {
    PKI=$LIBVIRTD_DIR/pki
    mkdir -p "$PKI/client"
    printf '%s\n' 'cn = virtmon test CA' ca cert_signing_key \
        'expiration_days = 2' >"$PKI/ca.info"
    certtool --generate-privkey --outfile "$PKI/cakey.pem" 2>/dev/null &&
        certtool --generate-self-signed --load-privkey "$PKI/cakey.pem" \
            --template "$PKI/ca.info" --outfile "$PKI/cacert.pem" 2>/dev/null ||
        test_fail "certtool cannot make the CA"
    make_cert server 'cn = localhost' 'dns_name = localhost' \
        'ip_address = 127.0.0.1' tls_www_server encryption_key signing_key \
        'expiration_days = 2'
    make_cert client 'cn = virtmon-agent' tls_www_client encryption_key \
        signing_key 'expiration_days = 2'
    cp "$PKI/cacert.pem" "$PKI/client/cacert.pem"
    cp "$PKI/clientcert.pem" "$PKI/client/clientcert.pem"
    cp "$PKI/clientkey.pem" "$PKI/client/clientkey.pem"
}

setup_libvirtd_listening() {
    local tcp tls
    command -v certtool >/dev/null || test_skip "certtool is not installed"
    [ -x "$PROBE" ] || test_fail "no probe at '$PROBE'"
    make_pki
    tcp=$(libvirtd_pick_port) || test_fail "no free port"
    tls=$tcp
    while [ "$tls" = "$tcp" ]; do
        tls=$(libvirtd_pick_port) || test_fail "no free port"
    done
    libvirtd_listen_tcp "$tcp"
    libvirtd_listen_tls "$tls" "$PKI/cacert.pem" "$PKI/servercert.pem" \
        "$PKI/serverkey.pem"
    URIS=(test+unix:///default "test+tcp://127.0.0.1:$tcp/default"
        "test+tls://localhost:$tls/default?pkipath=$PKI/client")
}

truth_value() {
    [ "$1" = 1 ] && mib_enum vmonConnIsSecure true || mib_enum vmonConnIsSecure false
}

test_mib_shows_security_as_libvirt_reports_it() {
    local i kind truth secure encrypted got
    for i in 0 1 2; do
        kind=$(sed 's/^test+\([a-z]*\):.*/\1/' <<<"${URIS[i]}")
        truth=$("$PROBE" "${URIS[i]}") || test_fail "probe of ${URIS[i]} failed"
        [ "$truth" = "${EXPECTED_FLAGS[$kind]}" ] ||
            test_fail "libvirt says '$truth' of $kind, expected '${EXPECTED_FLAGS[$kind]}'"
        read -r secure encrypted <<<"$truth"
        got=$(snmp_cmd snmpget -On -Oqv -Oe -- \
            "$(snmp_oid vmonConnIsSecure).$((i + 1))" \
            "$(snmp_oid vmonConnIsEncrypted).$((i + 1))" | tr '\n' ' ')
        [ "$got" = "$(truth_value "${secure#*=}") $(truth_value "${encrypted#*=}") " ] ||
            test_fail "connection $((i + 1)) ($kind): MIB says '$got', libvirt '$truth'"
        test_note "ok: $kind: $truth"
    done
}

# One suspend, three connections: three notifications, one per connection,
# in whatever order the three event streams deliver them.
test_events_arrive_over_every_transport() {
    local n seen=() index
    LC_ALL=C libvirtd_virsh -c "${URIS[0]}" suspend "$DOMAIN" >/dev/null ||
        test_fail "virsh suspend failed"
    for n in 1 2 3; do
        trap_next
        [ "$TRAP_OID" = "$(snmp_oid vmonDomainLifecycle)" ] ||
            test_fail "notification $n is '$TRAP_OID', not a lifecycle"
        index=${TRAP_VBS[0]%%=*}
        index=${index##*.}
        [ "${TRAP_VBS[0]#*=}" = "${URIS[index - 1]}" ] ||
            test_fail "notification of connection $index names '${TRAP_VBS[0]#*=}'"
        [ "$(trap_value vmonEventDomainDetail.0)" = \
            "$(mib_enum vmonEventDomainDetail suspendedPaused)" ] ||
            test_fail "connection $index: not suspendedPaused"
        seen+=("$index")
    done
    [ "$(printf '%s\n' "${seen[@]}" | sort | tr '\n' ' ')" = "1 2 3 " ] ||
        test_fail "notifications came from connections ${seen[*]}"
    test_note "ok: the suspend arrived over unix, tcp and tls"
}

setup_libvirtd_listening
traps_init
traps_start_agent -- -u "${URIS[0]}" -u "${URIS[1]}" -u "${URIS[2]}"
test_mib_shows_security_as_libvirt_reports_it
test_events_arrive_over_every_transport
