#!/usr/bin/env bats
# soak.bats - concurrent writers (disjoint and shared keys) and readers
# (ws-range, ws-get, ws-zones) on one store: afterwards every point is
# there, the shared keys hold one writer's last batch whole, and no
# reader ever failed or saw part of a batch. `scripts/soak --seconds 600`
# is the long run.

load helpers

: "${WS_SCRIPTS:=$BATS_TEST_DIRNAME/../scripts}"

@test "3 writers, 2 readers and a compactor for 4 seconds: latest write wins, whole batches only" {
	run "$WS_SCRIPTS/soak" --seconds 4 --writers 3 --bindir "$WS_BINDIR"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} == "soak: 3 writers, "*" reads, "*" compactions in 4s: passed" ]]
}

@test "soak notices a reader that sees part of a batch" {
	mkdir "$T/bin"
	cp "$WS_BINDIR"/ws-ingest "$WS_BINDIR"/ws-get "$T/bin/"
	# A ws-range that loses the first point of what it reads.
	printf '#!/bin/sh\n"%s/ws-range" "$@" | sed 1d\n' "$WS_BINDIR" >"$T/bin/ws-range"
	chmod +x "$T/bin/ws-range"
	run "$WS_SCRIPTS/soak" --seconds 2 --writers 2 --bindir "$T/bin"
	[ "$status" -eq 1 ]
	[[ $output == *"a partial batch"* ]]
}
