#!/bin/sh
# check.sh - the whole test suite from a fresh clone: installs what is
# missing, builds with warnings as errors, and runs `make check`.
# This is the README's test command; .ci/run calls it.
set -eu

cd "$(dirname "$0")/.."
scripts/setup.sh
if ! make check; then
	cat tests/*.log tests/unit/*.log 2>/dev/null | grep -a -E '^(not ok|#)' | head -100 >&2
	exit 1
fi
