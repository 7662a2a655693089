#!/bin/bash
# sanitize-check.sh: builds virtmon a second time with AddressSanitizer and
# UndefinedBehaviorSanitizer, from `make distdir` into _sanitize/, and runs the unit tests and a representative set of
# integration tests with it (tests/Makefile.am: SANITIZE_TESTS). Any
# sanitizer report, from a test program or from a virtmon-agent a test
# started, fails the run. Call from a configured source tree.
set -u

cd "$(dirname "$0")/.." || exit 1
top=$PWD
build=$top/_sanitize
jobs=$(nproc 2>/dev/null || echo 2)
reports=$build/reports
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined"

rm -rf "$build" && mkdir -p "$reports" || exit 1
make distdir distdir=_sanitize/src top_distdir=_sanitize/src >/dev/null ||
    { echo "sanitize-check: make distdir failed" >&2; exit 1; }
cd "$build/src" || exit 1
./configure -q CFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined" \
    >"$build/configure.out" 2>&1 ||
    { cat "$build/configure.out" >&2; exit 1; }
make -j"$jobs" >"$build/make.out" 2>&1 ||
    { tail -n 40 "$build/make.out" >&2; echo "sanitize-check: build failed" >&2; exit 1; }

# ASan and LSan write each process's reports to a file of its own under
# $reports (they add the pid); UBSan prints to stderr and stops the process
# at its first report, which fails the test;
# valgrind cannot run sanitized programs. Known faults of code being
# reworked elsewhere are suppressed by name in tests/sanitizer/*.supp.
# ASan keeps freed memory in quarantine, so the tests' RSS bounds are
# widened; their fd bounds stay, for the fds below 200 (see
# tests/integration/loops.sh).
supp=$top/tests/sanitizer
export VMON_NO_VALGRIND=1
export VMON_RSS_GROWTH_MAX_KIB=65536
export VMON_FDS_BELOW=200
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:strict_string_checks=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
make -j"$jobs" -C tests check-sanitize
status=$?

found=$(find "$reports" -type f | sort)
if [ -n "$found" ]; then
    for f in $found; do
        printf '==== sanitizer report %s ====\n' "${f#"$build"/}" >&2
        head -n 60 "$f" >&2
    done
    echo "sanitize-check: $(echo "$found" | wc -l) sanitizer report(s)" >&2
    # one failed test more in the summary, whatever the tests said
    printf '# FAIL: 1\n' >"$build/sanitizer-reports.log"
    exit 1
fi
exit "$status"
