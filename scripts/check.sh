#!/bin/sh
# check.sh - the whole test suite from a fresh clone: installs what is
# missing, builds with warnings as errors, and runs `make check`.
# This is the README's test command; .ci/run calls it.
set -eu

cd "$(dirname "$0")/.."
scripts/setup.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
make check 2>&1 | tee "$log" || status=1
grep -q '^# FAIL: *0$' "$log" && grep -q '^# ERROR: *0$' "$log" || status=1
if [ "$status" -ne 0 ]; then
	cat tests/*.log tests/unit/*.log 2>/dev/null |
		grep -a -E '^(not ok|#)' | head -100 >&2
fi
count() { sed -n "s/^# $1: *//p" "$log" | tail -n 1; }
echo "$(count PASS) passed, $(($(count FAIL) + $(count ERROR))) failed, $(count SKIP) skipped"
exit "$status"
