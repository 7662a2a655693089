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
#   magic_expect_changes           # sets MAGIC_WANT_CHANGES
#   magic_write "$MAGIC_FIRST"; (start the daemons); magic_run_cases CHECK

# The documented path; on Debian /var/run is /run, whose libvirt directory
# is a private tmpfs in the test's namespace.
MAGIC_FILE=/var/run/libvirt/magic_file
MAGIC_TOP_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MAGIC_PREFIX=
MAGIC_WANT_STATUS= # ok, missing or error (vmonMagicStatus labels)
MAGIC_WANT_HEX=    # content as lower-case hex without blanks
MAGIC_WANT_BLOCKED= # true, false, or empty when the content is not known
MAGIC_FIRST='first content\n' # what the file holds when the daemons start
MAGIC_WANT_CHANGES=() # changed, set, cleared: what each connection notifies
# The last answer virtmon was told (a failed read is no answer).
MAGIC_SEEN_STATUS=
MAGIC_SEEN_HEX=
MAGIC_SEEN_BLOCKED=false

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

# A directory at the path: refused as no regular file (EISDIR), never read.
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

# magic_expect_changes: after magic_expect, what every connection must
# notify, by VIRTMON-MIB's descriptions: "changed" when an answer differs
# from the last one (not for the first read), "set" or "cleared" when the
# marker comes or goes (also "set" for the first read); nothing for a
# failed read.
magic_expect_changes() {
    MAGIC_WANT_CHANGES=()
    [ "$MAGIC_WANT_STATUS" = error ] && return 0
    if [ -n "$MAGIC_SEEN_STATUS" ] && { [ "$MAGIC_WANT_STATUS" != "$MAGIC_SEEN_STATUS" ] ||
        [ "$MAGIC_WANT_HEX" != "$MAGIC_SEEN_HEX" ]; }; then
        MAGIC_WANT_CHANGES+=(changed)
    fi
    if [ "$MAGIC_WANT_BLOCKED" != "$MAGIC_SEEN_BLOCKED" ]; then
        if [ "$MAGIC_WANT_BLOCKED" = true ]; then
            MAGIC_WANT_CHANGES+=(set)
        else
            MAGIC_WANT_CHANGES+=(cleared)
        fi
    fi
    MAGIC_SEEN_STATUS=$MAGIC_WANT_STATUS
    MAGIC_SEEN_HEX=$MAGIC_WANT_HEX
    MAGIC_SEEN_BLOCKED=$MAGIC_WANT_BLOCKED
}

# magic_hex VALUE: "68 65 6C" or "68656c" as "68656c".
magic_hex() {
    local hex=${1// /}
    printf '%s\n' "${hex,,}"
}

# magic_run_cases CHECK: from MAGIC_FIRST on, puts each case in turn into
# the file and runs "CHECK WHAT" after it ("CHECK WHAT start" where a
# guest start tells whether the marker is set). Every step changes what
# the API answers, so that each one is one change to be notified.
magic_run_cases() {
    local check=$1
    "$check" "text at start"
    magic_write 'hello magic\n'
    "$check" "new text"
    magic_write '0123456789abcdefghijklmnopqrstu\303\251 and more'
    "$check" "longer than 32 bytes, cut inside a UTF-8 character"
    magic_write '\303\251t\351\377\001\tend\\\n'
    "$check" "non-ASCII and control bytes, a backslash"
    magic_write 'before\000after'
    "$check" "a NUL byte ends the content"
    magic_write ''
    "$check" "empty file"
    magic_write '0xabadcafe\n'
    "$check" "marker with a newline" start
    magic_write '0xabadcafe\v'
    "$check" "marker with a vertical tab, which is no ASCII whitespace to GLib" start
    magic_write '0xabadcafe'
    "$check" "bare marker" start
    magic_remove
    "$check" "missing file" start
    magic_make_dir
    "$check" "directory at the path"
    magic_write '0xabadcafe \r\n'
    "$check" "marker after a failed read"
    magic_write '0xabadcafe-old\n'
    "$check" "marker cleared by another content" start
}
