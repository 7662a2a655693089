#!/bin/bash
# Builds Debian 12's libvirt packages with the magic file patch series, the
# way Debian builds them (every driver, documentation included), as binary
# .debs versioned <debian version>+magic1.
#
# Usage: build-deb.sh [OUTDIR]   (as root on Debian 12; needs only the apt
#                                archive; OUTDIR defaults to ./libvirt-magic-deb)
# Environment:
#   DEB_BUILD_OPTIONS   passed to dpkg-buildpackage  [nocheck parallel=<cpus>]
# The .debs land in OUTDIR, the build log in OUTDIR/build.log.
set -euo pipefail

readonly SRC_PACKAGE=libvirt
readonly SRC_VERSION=9.0.0-4+deb12u2
readonly LOCAL_SUFFIX=+magic1
readonly PATCH_DIR_NAME=magic-file

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
shopt -s nullglob
patches=("$here"/patches/[0-9]*.patch)
shopt -u nullglob

log() { printf 'build-deb.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Debian 12 keeps its archive in deb822 form; source entries are derived
# from it into a file of their own, as build.sh does.
ensure_sources() {
    if ! apt-cache showsrc "$SRC_PACKAGE" 2>/dev/null | grep '^Package:' >/dev/null; then
        log "adding deb-src entries"
        sed -e 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
            >/etc/apt/sources.list.d/libvirt-magic-deb-src.sources
        apt-get update -q >&2
    fi
}

# The series goes in as Debian patches (quilt applies them during the
# build), the new version node into the symbols file, and a changelog
# entry raises the version so the packages replace the stock ones.
add_series() {
    local srcdir=$1 version=$2 p
    mkdir -p "$srcdir/debian/patches/$PATCH_DIR_NAME"
    for p in "${patches[@]}"; do
        cp "$p" "$srcdir/debian/patches/$PATCH_DIR_NAME/"
        printf '%s/%s\n' "$PATCH_DIR_NAME" "$(basename "$p")" \
            >>"$srcdir/debian/patches/series"
    done
    sed -i -e "/^ \*@LIBVIRT_9\.0\.0 /a\\ *@LIBVIRT_9.1.0 $version$LOCAL_SUFFIX" \
        "$srcdir/debian/libvirt0.symbols"
    grep -q "LIBVIRT_9.1.0" "$srcdir/debian/libvirt0.symbols" ||
        die "cannot add the version node to debian/libvirt0.symbols"
    {
        printf '%s (%s%s) bookworm; urgency=medium\n\n' "$SRC_PACKAGE" \
            "$version" "$LOCAL_SUFFIX"
        printf '  * Add virConnectGetMagicFileContent (magic file patch series).\n\n'
        printf ' -- virtmon <root@localhost>  %s\n\n' "$(date -R)"
        cat "$srcdir/debian/changelog"
    } >"$srcdir/debian/changelog.new"
    mv "$srcdir/debian/changelog.new" "$srcdir/debian/changelog"
}

main() {
    local out=${1:-$PWD/libvirt-magic-deb} work srcdir version start
    [ ${#patches[@]} -gt 0 ] || die "no patches in '$here/patches'"
    [ "$(id -u)" -eq 0 ] || die "must run as root (apt-get build-dep, apt-get source)"

    start=$(date +%s)
    ensure_sources
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
    log "installing the build dependencies (apt-get build-dep)"
    DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q \
        "$SRC_PACKAGE=$SRC_VERSION" >>"$out/build.log" 2>&1 ||
        die "apt-get build-dep failed, see '$out/build.log'"
    work=$(mktemp -d "$out/src.XXXXXX")
    (cd "$work" && apt-get -q -o APT::Sandbox::User=root source \
        "$SRC_PACKAGE=$SRC_VERSION") >>"$out/build.log" 2>&1 ||
        die "apt-get source failed, see '$out/build.log'"
    set -- "$work"/"$SRC_PACKAGE"-*/
    srcdir=${1%/}
    version=$(dpkg-parsechangelog -l "$srcdir/debian/changelog" -S Version)
    add_series "$srcdir" "$version"
    log "building $SRC_PACKAGE $version$LOCAL_SUFFIX (log: $out/build.log)"
    (cd "$srcdir" &&
        DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-"nocheck parallel=$(nproc)"} \
            dpkg-buildpackage -b -uc -us) >>"$out/build.log" 2>&1 ||
        die "dpkg-buildpackage failed, see '$out/build.log'"
    mv "$work"/*.deb "$out/"
    rm -rf "$work"
    log "built in $(($(date +%s) - start)) s"
    ls "$out"/*.deb
}

main "$@"
