# virsh.sh: the independent truth of the comparison tests (sourced): what
# virsh says about a libvirt URI, and virsh's words for VIRTMON-MIB's labels.
#
# Only virsh output and libvirt's documented enums are used here, never
# anything of virtmon's, so that a comparison can catch virtmon's mistakes.

# virsh in English, read-only, on one URI. C.UTF-8, not C: in the C locale
# virsh prints non-ASCII names in its tables as escapes.
virsh_ro() {
    local uri=$1
    shift
    LC_ALL=C.UTF-8 virsh -r -c "$uri" "$@"
}

# virsh_field LABEL: the value after "LABEL:" in "Label:   value" output on
# stdin (nodeinfo, dominfo, version), with surrounding blanks removed.
virsh_field() {
    local label=$1 line
    while IFS= read -r line; do
        if [ "${line%%:*}" = "$label" ]; then
            line=${line#*:}
            line=${line#"${line%%[! ]*}"}
            printf '%s\n' "${line%"${line##*[! ]}"}"
            return 0
        fi
    done
    return 1
}

# virsh_names URI: every domain's name, one per line, as `list --all --name`.
virsh_names() {
    virsh_ro "$1" list --all --name | sed '/^$/d'
}

# What `virsh list` prints in its State column.
VIRSH_STATE_WORDS='no state|running|idle|paused|in shutdown|shut off|crashed|pmsuspended'

# virsh_list URI: fills VIRSH_LIST_ID[name] and VIRSH_LIST_STATE[name] from
# the table of `virsh list --all`, names with blanks included.
virsh_list() {
    local line re="^ *([0-9]+|-) +(.*[^ ]) +($VIRSH_STATE_WORDS) *$"
    declare -gA VIRSH_LIST_ID=() VIRSH_LIST_STATE=()
    while IFS= read -r line; do
        [[ $line =~ $re ]] || continue
        VIRSH_LIST_ID[${BASH_REMATCH[2]}]=${BASH_REMATCH[1]}
        VIRSH_LIST_STATE[${BASH_REMATCH[2]}]=${BASH_REMATCH[3]}
    done < <(virsh_ro "$1" list --all)
}

# virsh_freecells URI: fills VIRSH_CELL_KIB[cell] from `freecell --all` and
# sets VIRSH_CELLS_TOTAL_KIB to its Total line.
virsh_freecells() {
    local line re_cell='^ *([0-9]+): *([0-9]+) KiB$'
    local re_total='^Total: *([0-9]+) KiB$'
    declare -gA VIRSH_CELL_KIB=()
    VIRSH_CELLS_TOTAL_KIB=
    while IFS= read -r line; do
        if [[ $line =~ $re_cell ]]; then
            VIRSH_CELL_KIB[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
        elif [[ $line =~ $re_total ]]; then
            VIRSH_CELLS_TOTAL_KIB=${BASH_REMATCH[1]}
        fi
    done < <(virsh_ro "$1" freecell --all)
}

# virsh_free_kib URI: the host's free memory (`virsh freecell`, which is
# virNodeGetFreeMemory) in KiB; fails when virsh cannot tell.
virsh_free_kib() {
    local out
    out=$(virsh_ro "$1" freecell 2>/dev/null) || return 1
    out=$(virsh_field Total <<<"$out") || return 1
    printf '%s\n' "${out% KiB}"
}

# virsh_domstats_state URI NAME: "STATE REASON", libvirt's raw numbers.
virsh_domstats_state() {
    local out
    out=$(virsh_ro "$1" domstats --state -- "$2") || return 1
    printf '%s %s\n' \
        "$(sed -n 's/^ *state\.state=//p' <<<"$out")" \
        "$(sed -n 's/^ *state\.reason=//p' <<<"$out")"
}

# "1795275737.2s" (dominfo's CPU time) -> whole nanoseconds.
virsh_seconds_to_ns() {
    local s=${1%s} int frac
    int=${s%.*}
    frac=${s#*.}
    [ "$frac" = "$s" ] && frac=0
    frac=$(printf '%-9s' "$frac" | tr ' ' 0)
    echo $((int * 1000000000 + 10#$frac))
}

# virsh's words (State column, dominfo) for VmonLibvirtDomainState labels.
declare -A VIRSH_STATE_OF_LABEL=(
    [nostate]='no state' [running]='running' [blocked]='idle'
    [paused]='paused' [shutdown]='in shutdown' [shutoff]='shut off'
    [crashed]='crashed' [pmsuspended]='pmsuspended'
)

# `virsh domstate --reason` for VmonLibvirtStateReason labels.
declare -A VIRSH_REASON_OF_LABEL=(
    [nostateUnknown]='no state (unknown)'
    [runningUnknown]='running (unknown)'
    [runningBooted]='running (booted)'
    [runningMigrated]='running (migrated)'
    [runningRestored]='running (restored)'
    [runningFromSnapshot]='running (from snapshot)'
    [runningUnpaused]='running (unpaused)'
    [runningMigrationCanceled]='running (migration canceled)'
    [runningSaveCanceled]='running (save canceled)'
    [runningWakeup]='running (event wakeup)'
    [runningCrashed]='running (crashed)'
    [runningPostcopy]='running (post-copy)'
    [runningPostcopyFailed]='running (post-copy failed)'
    [blockedUnknown]='idle (unknown)'
    [pausedUnknown]='paused (unknown)'
    [pausedUser]='paused (user)'
    [pausedMigration]='paused (migrating)'
    [pausedSave]='paused (saving)'
    [pausedDump]='paused (dumping)'
    [pausedIoerror]='paused (I/O error)'
    [pausedWatchdog]='paused (watchdog)'
    [pausedFromSnapshot]='paused (from snapshot)'
    [pausedShuttingDown]='paused (shutting down)'
    [pausedSnapshot]='paused (creating snapshot)'
    [pausedCrashed]='paused (crashed)'
    [pausedStartingUp]='paused (starting up)'
    [pausedPostcopy]='paused (post-copy)'
    [pausedPostcopyFailed]='paused (post-copy failed)'
    [shutdownUnknown]='in shutdown (unknown)'
    [shutdownUser]='in shutdown (user)'
    [shutoffUnknown]='shut off (unknown)'
    [shutoffShutdown]='shut off (shutdown)'
    [shutoffDestroyed]='shut off (destroyed)'
    [shutoffCrashed]='shut off (crashed)'
    [shutoffMigrated]='shut off (migrated)'
    [shutoffSaved]='shut off (saved)'
    [shutoffFailed]='shut off (failed)'
    [shutoffFromSnapshot]='shut off (from snapshot)'
    [shutoffDaemon]='shut off (daemon)'
    [crashedUnknown]='crashed (unknown)'
    [crashedPanicked]='crashed (panicked)'
    [pmsuspendedUnknown]='pmsuspended (unknown)'
)

# TruthValue labels as dominfo's "Persistent:" words.
declare -A VIRSH_YESNO_OF_LABEL=([true]=yes [false]=no)
