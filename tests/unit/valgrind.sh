#!/bin/sh
# valgrind.sh: runs a unit test under valgrind; a memory error or a definite
# leak fails it. Without valgrind (VMON_NO_VALGRIND=1 or not installed) it
# runs the test as it is.
if [ -z "$VMON_NO_VALGRIND" ] && command -v valgrind >/dev/null 2>&1; then
    exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
        --error-exitcode=1 "$@"
fi
exec "$@"
