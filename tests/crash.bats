#!/usr/bin/env bats
# crash.bats - SIGKILL at random moments never loses a reported commit,
# never shows half a batch or a foreign point, and leaves a store that
# ws-reindex --check accepts (after ws-reindex, for a torn tail).
# scripts/crash-test does the work; `scripts/crash-test --trials 500` is
# the long run.

load helpers

: "${WS_SCRIPTS:=$BATS_TEST_DIRNAME/../scripts}"

@test "25 ws-ingest runs killed with SIGKILL keep every committed batch whole" {
	run "$WS_SCRIPTS/crash-test" --trials 25 --bindir "$WS_BINDIR"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "crash-test: 25 trials passed" ]
}

@test "crash-test notices a store that lost committed points" {
	# The checker must be able to fail: a ws-range that drops the last
	# point stands in for a store that lost data.
	mkdir "$T/bin"
	cp "$WS_BINDIR/ws-ingest" "$WS_BINDIR/ws-reindex" "$T/bin/"
	printf '#!/bin/sh\n"%s/ws-range" "$@" | sed "$ d"\n' "$WS_BINDIR" >"$T/bin/ws-range"
	chmod +x "$T/bin/ws-range"
	run "$WS_SCRIPTS/crash-test" --trials 3 --lines 3000 --bindir "$T/bin"
	[ "$status" -eq 1 ]
	[[ $output == *"crash-test: trial "* ]]
}
