#!/bin/sh
# check.sh - the whole test suite from a fresh clone: installs what is
# missing, builds with warnings as errors, and runs `make check`; then
# builds the distribution tarball again with AddressSanitizer and
# UndefinedBehaviorSanitizer and runs the whole suite once more under them.
# This is the README's test command; .ci/run calls it.
#
# Usage: scripts/check.sh [--no-sanitizers]
set -eu

cd "$(dirname "$0")/.."
sanitizers=yes
[ "${1:-}" = --no-sanitizers ] && sanitizers=no

log=$(mktemp)
sanbuild=
trap 'rm -f "$log"; [ -z "$sanbuild" ] || rm -rf "$sanbuild"' EXIT

# Runs `make check` in the current directory, appending to $log.
run_check() {
	make check >"$log.part" 2>&1 && rc=0 || rc=1
	cat "$log.part"
	cat "$log.part" >>"$log"
	rm -f "$log.part"
	if [ "$rc" -ne 0 ]; then
		cat tests/*.log tests/unit/*.log 2>/dev/null |
			grep -a -E '^(not ok|#)' | head -100 >&2
	fi
	return "$rc"
}

status=0
scripts/setup.sh
run_check || status=1

if [ "$sanitizers" = yes ]; then
	echo "check.sh: the same suite under AddressSanitizer and UBSan" >&2
	make dist >/dev/null
	sanbuild=$(mktemp -d)
	tar -xzf warmstore-*.tar.gz -C "$sanbuild"
	rm -f warmstore-*.tar.gz
	(
		cd "$sanbuild"/warmstore-*
		./configure -q --enable-werror --enable-sanitizers
		make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
		run_check
	) || status=1
fi

total() { sed -n "s/^# $1: *//p" "$log" | awk '{ s += $1 } END { print s + 0 }'; }
echo "$(total PASS) passed, $(($(total FAIL) + $(total ERROR))) failed, $(total SKIP) skipped"
exit "$status"
