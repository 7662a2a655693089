# magic.sh: what the magic file tests share (sourced, inside libvirtd.sh's
# namespace): the patched libvirt, atomic writes of the magic file, and what
# a reader of virConnectGetMagicFileContent must see, worked out from the
# file itself by the rules of contrib/libvirt-magic-file/README.md.
# shellcheck shell=bash disable=SC2034 # the MAGIC_WANT_* are for the tests
#
#   magic_can_build || test_skip ...
#   magic_build                    # sets MAGIC_PREFIX
#   magic_write 'abc\n'            # printf format: NUL and other bytes spelt out
#   magic_remove; magic_make_dir
#   magic_expect                   # sets MAGIC_WANT_STATUS, _HEX, _BLOCKED

# The documented path; on Debian /var/run is /run, whose libvirt directory
# is a private tmpfs in the test's namespace.
MAGIC_FILE=/var/run/libvirt/magic_file
MAGIC_TOP_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MAGIC_PREFIX=
MAGIC_WANT_STATUS= # ok, missing or error (vmonMagicStatus labels)
MAGIC_WANT_HEX=    # content as lower-case hex without blanks
MAGIC_WANT_BLOCKED= # true, false, or empty when the content is not known

magic_can_build() {
    [ -r /etc/debian_version ] && command -v apt-get >/dev/null
}

# Builds the patched libvirt, or finds it in build.sh's cache.
magic_build() {
    local build=$MAGIC_TOP_SRCDIR/contrib/libvirt-magic-file/build.sh
    MAGIC_PREFIX=$(bash "$build" | tail -n 1)
    [ -x "$MAGIC_PREFIX/sbin/libvirtd" ] ||
        test_fail "contrib/libvirt-magic-file/build.sh did not build libvirt"
    test_note "patched libvirt in $MAGIC_PREFIX"
}

# magic_write FORMAT: the bytes printf makes of FORMAT replace the file in
# one rename, so that no reader ever sees it empty or half written.
magic_write() {
    local tmp
    tmp=$(dirname "$MAGIC_FILE")/.magic_file.new
    [ -d "$MAGIC_FILE" ] && magic_remove
    # shellcheck disable=SC2059
    printf "$1" >"$tmp" && mv -f -T "$tmp" "$MAGIC_FILE" ||
        test_fail "cannot write '$MAGIC_FILE'"
}

magic_remove() {
    if [ -d "$MAGIC_FILE" ]; then
        rmdir "$MAGIC_FILE"
    else
        rm -f "$MAGIC_FILE"
    fi || test_fail "cannot remove '$MAGIC_FILE'"
}

# A directory at the path: open() works, read() fails with EISDIR.
magic_make_dir() {
    magic_remove
    mkdir "$MAGIC_FILE" || test_fail "cannot create the directory '$MAGIC_FILE'"
}

# magic_is_marker HEX: the content, without trailing ASCII whitespace as
# GLib's g_ascii_isspace has it (space, \t, \n, \f, \r; not \v), is
# 0xabadcafe.
magic_is_marker() {
    local hex=$1
    while [ ${#hex} -ge 2 ]; do
        case ${hex: -2} in
            20 | 09 | 0a | 0c | 0d) hex=${hex:0:${#hex}-2} ;;
            *) break ;;
        esac
    done
    [ "$hex" = "$(printf 0xabadcafe | od -An -v -tx1 | tr -d ' \n')" ]
}

# magic_expect: what the API answers for the file as it is now: missing,
# error (a directory), or ok with the first 32 bytes up to the first NUL.
magic_expect() {
    local hex i
    MAGIC_WANT_HEX=
    MAGIC_WANT_BLOCKED=
    if [ ! -e "$MAGIC_FILE" ]; then
        MAGIC_WANT_STATUS=missing
        MAGIC_WANT_BLOCKED=false
        return 0
    fi
    if [ -d "$MAGIC_FILE" ]; then
        MAGIC_WANT_STATUS=error
        return 0
    fi
    MAGIC_WANT_STATUS=ok
    hex=$(head -c 32 "$MAGIC_FILE" | od -An -v -tx1 | tr -d ' \n')
    for ((i = 0; i < ${#hex}; i += 2)); do
        [ "${hex:i:2}" = 00 ] && break
    done
    MAGIC_WANT_HEX=${hex:0:i}
    if magic_is_marker "$MAGIC_WANT_HEX"; then
        MAGIC_WANT_BLOCKED=true
    else
        MAGIC_WANT_BLOCKED=false
    fi
}

# magic_hex VALUE: "68 65 6C" or "68656c" as "68656c".
magic_hex() {
    local hex=${1// /}
    printf '%s\n' "${hex,,}"
}
