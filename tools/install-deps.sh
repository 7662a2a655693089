#!/bin/bash
# install-deps.sh: installs (as root, on Debian 12) every package needed to
# build virtmon and run its tests; does nothing when all are present.
set -eu

PACKAGES=(
    # build
    build-essential autoconf automake libtool pkg-config
    libvirt-dev libsnmp-dev collectd-dev
    # run and test: libvirt, net-snmp, collectd, carbon, QEMU
    libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu
    qemu-system-x86 qemu-utils
    snmp snmpd snmptrapd smitools
    collectd-core graphite-carbon python3-whisper
    gnutls-bin valgrind
    # used by the test scripts
    bash coreutils procps iproute2 util-linux dpkg apt python3
    # a FUSE file whose read never returns (tests of the magic file)
    libfuse3-dev
    # building the patched libvirt (contrib/libvirt-magic-file/build.sh)
    dpkg-dev patch xz-utils gcc libc6-dev meson ninja-build perl
    libxml2-utils xsltproc rpcsvc-proto libglib2.0-dev libgnutls28-dev
    libxml2-dev libtirpc-dev libyajl-dev
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all ${#PACKAGES[@]} packages present"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing ${missing[*]}; run as root to install" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
