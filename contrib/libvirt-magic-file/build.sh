#!/bin/bash
# Builds Debian bookworm's libvirt with the magic file patch series into a
# private prefix, cached by the hash of the series and this script.
#
# Usage: build.sh        (as root on Debian 12; needs only the apt archive)
# Prints the prefix as the last line of stdout; progress goes to stderr.
# Environment:
#   LIBVIRT_MAGIC_CACHE   cache directory       [/var/cache/virtmon]
#   LIBVIRT_MAGIC_PREFIX  install prefix        [$LIBVIRT_MAGIC_CACHE/libvirt-magic-<hash>]
#   LIBVIRT_MAGIC_JOBS    parallel build jobs   [number of CPUs]
set -euo pipefail

readonly SRC_PACKAGE=libvirt
readonly SRC_VERSION=9.0.0-4+deb12u2
readonly BUILD_DEPS=(
    dpkg-dev patch xz-utils gcc libc6-dev pkg-config meson ninja-build
    perl python3 libxml2-utils xsltproc rpcsvc-proto
    libglib2.0-dev libgnutls28-dev libxml2-dev libtirpc-dev libyajl-dev
)
# System paths for configuration and state, so the patched daemon shares
# sockets, qemu.conf and /run/libvirt with the stock one; only programs and
# libraries go into the prefix.  Everything not needed to run QEMU and test
# domains behind libvirtd is switched off to keep the build short.
readonly MESON_OPTIONS=(
    -Dlibdir=lib -Dsysconfdir=/etc -Dlocalstatedir=/var -Drunstatedir=/run
    -Drpath=enabled -Ddocs=disabled -Dtests=disabled -Dnls=disabled
    -Ddriver_qemu=enabled -Ddriver_test=enabled -Ddriver_remote=enabled
    -Ddriver_libvirtd=enabled -Dyajl=enabled
    -Ddriver_bhyve=disabled -Ddriver_ch=disabled -Ddriver_esx=disabled
    -Ddriver_hyperv=disabled -Ddriver_interface=disabled
    -Ddriver_libxl=disabled -Ddriver_lxc=disabled -Ddriver_network=disabled
    -Ddriver_openvz=disabled -Ddriver_secrets=disabled -Ddriver_vbox=disabled
    -Ddriver_vmware=disabled -Ddriver_vz=disabled
    -Dapparmor=disabled -Dapparmor_profiles=disabled -Dsecdriver_apparmor=disabled
    -Dselinux=disabled -Dsecdriver_selinux=disabled
    -Dattr=disabled -Daudit=disabled -Dbash_completion=disabled -Dblkid=disabled
    -Dcapng=disabled -Dcurl=disabled -Dfuse=disabled -Dglusterfs=disabled
    -Dlibiscsi=disabled -Dlibnl=disabled -Dlibpcap=disabled -Dlibssh=disabled
    -Dlibssh2=disabled -Dnetcf=disabled -Dnumactl=disabled -Dnumad=disabled
    -Dopenwsman=disabled -Dpciaccess=disabled -Dpolkit=disabled
    -Dreadline=disabled -Dsanlock=disabled -Dsasl=disabled -Dudev=disabled
    -Dwireshark_dissector=disabled
    -Dstorage_dir=disabled -Dstorage_disk=disabled -Dstorage_fs=disabled
    -Dstorage_gluster=disabled -Dstorage_iscsi=disabled
    -Dstorage_iscsi_direct=disabled -Dstorage_lvm=disabled
    -Dstorage_mpath=disabled -Dstorage_rbd=disabled -Dstorage_scsi=disabled
    -Dstorage_vstorage=disabled -Dstorage_zfs=disabled
    -Ddtrace=disabled -Dfirewalld=disabled -Dfirewalld_zone=disabled
    -Dhost_validate=disabled -Dinit_script=none -Dlogin_shell=disabled
    -Dnss=disabled -Dpm_utils=disabled -Dsysctl_config=disabled
)
readonly DEB_SRC_FILE=/etc/apt/sources.list.d/libvirt-magic-deb-src.sources

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
shopt -s nullglob
patches=("$here"/patches/[0-9]*.patch)
shopt -u nullglob

log() { printf 'build.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

series_hash() {
    cat "$here/build.sh" "${patches[@]}" | sha256sum | cut -c1-16
}

ensure_build_deps() {
    local missing=() pkg
    for pkg in "${BUILD_DEPS[@]}"; do
        [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = \
            "install ok installed" ] || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing build dependencies: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends "${missing[@]}" >&2 ||
        { apt-get update -q >&2 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
              --no-install-recommends "${missing[@]}" >&2; }
}

# Debian 12 keeps its archive in deb822 form (debian.sources); older
# installations use sources.list.  Derive source entries from whichever
# is there, without touching the original files.
write_deb_src_entries() {
    local deb822=/etc/apt/sources.list.d/debian.sources
    if [ -f "$deb822" ]; then
        sed -e 's/^Types:.*/Types: deb-src/' "$deb822" >"$DEB_SRC_FILE"
    elif [ -f /etc/apt/sources.list ]; then
        sed -n -e 's/^deb \(.*debian.*\)/deb-src \1/p' /etc/apt/sources.list \
            >"${DEB_SRC_FILE%.sources}.list"
    else
        die "no Debian apt sources found to derive deb-src entries from"
    fi
}

# grep reads all of apt-cache's output: with -q it could quit early and
# the SIGPIPE would fail the pipeline under pipefail.
has_source_package() {
    apt-cache showsrc "$SRC_PACKAGE" 2>/dev/null | grep '^Package:' >/dev/null
}

ensure_deb_src() {
    has_source_package && return 0
    log "adding deb-src entries and updating the package lists"
    write_deb_src_entries
    apt-get update -q >&2
    has_source_package || die "apt still has no source package '$SRC_PACKAGE'"
}

# The series is made against $SRC_VERSION; a later bookworm update is
# taken when that one has left the archive, and patch says if it fails.
fetch_source() {
    local dir=$1
    cd "$dir"
    apt-get -q -o APT::Sandbox::User=root source "$SRC_PACKAGE=$SRC_VERSION" >&2 ||
        { log "source $SRC_VERSION not in the archive, taking the current one"
          apt-get -q -o APT::Sandbox::User=root source "$SRC_PACKAGE" >&2; }
    set -- "$dir"/"$SRC_PACKAGE"-*/
    [ -d "$1" ] || die "no unpacked source in '$dir'"
    srcdir=${1%/}
    srcversion=$(dpkg-parsechangelog -l "$srcdir/debian/changelog" -S Version)
}

apply_patches() {
    local p
    for p in "${patches[@]}"; do
        log "applying $(basename "$p")"
        patch -d "$srcdir" -p1 --batch --forward --quiet <"$p" >&2 ||
            die "patch '$(basename "$p")' does not apply"
    done
}

# Installs into a staging directory first: with system sysconfdir and
# localstatedir, a direct install would write /etc/libvirt and /var.
build_and_install() {
    local work=$1 prefix=$2 jobs=$3
    meson setup "$work/build" "$srcdir" --prefix="$prefix" \
        "${MESON_OPTIONS[@]}" >&2
    ninja -C "$work/build" -j "$jobs" >&2
    DESTDIR="$work/stage" meson install -C "$work/build" --no-rebuild --quiet >&2
    rm -rf "$prefix"
    mkdir -p "$(dirname "$prefix")"
    cp -a "$work/stage$prefix" "$prefix"
    # The default configuration files, for reference and private copies.
    mkdir -p "$prefix/etc"
    cp -a "$work/stage/etc/libvirt" "$prefix/etc/"
}

main() {
    [ ${#patches[@]} -gt 0 ] || die "no patches in '$here/patches'"
    [ "$(id -u)" -eq 0 ] || die "must run as root (apt-get install, apt-get source)"

    local hash cache prefix stamp jobs work start
    hash=$(series_hash)
    cache=${LIBVIRT_MAGIC_CACHE:-/var/cache/virtmon}
    prefix=${LIBVIRT_MAGIC_PREFIX:-$cache/libvirt-magic-$hash}
    stamp=$prefix/.libvirt-magic-build
    jobs=${LIBVIRT_MAGIC_JOBS:-$(nproc)}

    mkdir -p "$cache"
    # Concurrent test runs wait for one build instead of racing.
    exec 9>"$cache/.libvirt-magic.lock"
    flock -w 3600 9 || die "timed out waiting for '$cache/.libvirt-magic.lock'"

    if [ -f "$stamp" ] && grep -qx "hash=$hash" "$stamp"; then
        log "cached build of series $hash"
        printf '%s\n' "$prefix"
        return 0
    fi

    start=$(date +%s)
    ensure_build_deps
    ensure_deb_src
    # Under the lock no other build runs, so any build tree is a failed
    # run's leftover.  Builds of other series stay: a test run from another
    # checkout may be using one right now.
    rm -rf "$cache"/build-*
    work=$cache/build-$hash
    mkdir -p "$work"
    fetch_source "$work"
    apply_patches
    log "building $SRC_PACKAGE $srcversion with $jobs jobs into '$prefix'"
    build_and_install "$work" "$prefix" "$jobs"
    rm -rf "$work"

    printf 'hash=%s\nsource=%s %s\nbuild_seconds=%s\n' "$hash" "$SRC_PACKAGE" \
        "$srcversion" "$(($(date +%s) - start))" >"$stamp"
    log "built in $(($(date +%s) - start)) s"
    printf '%s\n' "$prefix"
}

main "$@"
