#!/usr/bin/env bats
# compact.bats - ws-reindex --compact merges the small blocks of many
# small commits, drops overwritten points, keeps every answer the same,
# frees the old files, and never disturbs a reader or loses data when
# killed.

load helpers

# 60 one-line runs over 3 entities, then an overwrite of one key, each
# in blocks of its own (no automatic compaction).
small_commits() {
	for i in $(seq 1 60); do
		point $((i % 3)) "$i" "$i" | ingest -M
	done
	point 1 4 99 | ingest -M
}

blocks() { ws-zones "$S" | wc -l; }

@test "--compact merges small blocks, drops overwritten points, answers the same" {
	small_commits
	ws-range --all "$S" >"$T/before"
	[ "$(blocks)" -eq 61 ]
	old=$(ls "$S/data")
	bytes_before=$(cat "$S"/data/* | wc -c)
	run ws-reindex -v --compact "$S"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} == "ws-reindex: $S: compacted 60 points: 61 blocks into 3, $bytes_before bytes into "* ]]
	ws-range --all "$S" | cmp - "$T/before"
	[ "$(blocks)" -eq 3 ]
	[ "$(ws-zones --summary "$S" | sed 's/.*"points":\([0-9]*\).*/\1/')" -eq 60 ]
	[ ! -e "$S/data/$old" ]
	[ "$(cat "$S"/data/* | wc -c)" -lt $((bytes_before / 4)) ]
	[ "$(ls "$S/index" | wc -l)" -eq 1 ]
	ws-reindex --check "$S"
	run ws-get -e 1 -t 4 "$S"
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":4,"vector":[99]}' ]
}

@test "writes after a compaction win over compacted points" {
	small_commits
	ws-reindex --compact "$S"
	point 1 4 7 | ingest
	run ws-get -e 1 -t 4 "$S"
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":4,"vector":[7]}' ]
	[ "$(ws-range -e 1 "$S" | wc -l)" -eq 20 ]
	ws-reindex --check "$S"
	# And a rebuild from the data files alone agrees.
	ws-range --all "$S" >"$T/a"
	rm -f "$S/MANIFEST" "$S"/index/*
	ws-reindex "$S"
	ws-range --all "$S" | cmp - "$T/a"
}

@test "a second --compact changes no answer and keeps one block per series" {
	small_commits
	ws-reindex --compact "$S"
	ws-range --all "$S" >"$T/once"
	ws-zones "$S" | sed 's/"file":"[^"]*","offset":[0-9]*,//' >"$T/zones-once"
	ws-reindex --compact "$S"
	ws-range --all "$S" | cmp - "$T/once"
	ws-zones "$S" | sed 's/"file":"[^"]*","offset":[0-9]*,//' | cmp - "$T/zones-once"
}

@test "--compact on an empty store changes nothing" {
	: | ingest
	cp "$S/MANIFEST" "$T/m"
	ws-reindex --compact "$S"
	cmp "$S/MANIFEST" "$T/m"
}

@test "--check takes no --compact" {
	small_commits
	run ws-reindex --check --compact "$S"
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "ws-reindex: --check changes nothing: it takes no --compact" ]]
}

@test "readers never fail or see a partial state while compactions and commits run" {
	small_commits
	want=$(ws-range -e 2 "$S" | wc -l)
	(
		for i in $(seq 1 15); do
			ws-reindex --compact "$S" || exit 1
			point 5 "$i" "$i" | ingest || exit 1
		done
	) &
	writer=$!
	reads=0
	while :; do
		run ws-range -e 2 "$S"
		[ "$status" -eq 0 ] || { echo "reader failed: $output"; false; }
		[ "${#lines[@]}" -eq "$want" ]
		run ws-get -e 1 -t 4 "$S"
		[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":4,"vector":[99]}' ]
		reads=$((reads + 1))
		kill -0 "$writer" 2>/dev/null || break
	done
	wait "$writer"
	echo "$reads reads" >&3
	[ "$reads" -gt 0 ]
	[ "$(ws-range -e 5 "$S" | wc -l)" -eq 15 ]
}

@test "a compaction killed at any moment loses nothing" {
	for i in $(seq 1 300); do
		point $((i % 7)) "$i" "$i" "$((i * 2))"
	done | ingest -b 1k
	ws-range --all "$S" >"$T/before"
	for trial in 1 2 3 4 5 6; do
		ws-reindex --compact "$S" &
		pid=$!
		sleep "0.0$((RANDOM % 10))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		ws-range --all "$S" | cmp - "$T/before"
		ws-reindex "$S" >/dev/null 2>&1 || true
		ws-reindex --check "$S"
		ws-range --all "$S" | cmp - "$T/before"
	done
}
