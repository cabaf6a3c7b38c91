#!/usr/bin/env bats
# fifo.bats - a FIFO (or any file that is not a regular file) where the
# store keeps a file: every program refuses it by name at once, never
# waits on it. Each run is under timeout(1), so a hang fails the test.

load helpers

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ws-test.XXXXXX")
	S="$T/store"
	{ point 1 10 1; point 2 10 2; } | ws-ingest "$S"
}

# refused WANT CMD... : CMD exits 2 within 10 s, its message holding WANT.
refused() {
	local want=$1
	shift
	run timeout 10 "$@"
	[ "$status" -eq 2 ] || { echo "$*: exit $status: $output"; return 1; }
	[[ "$output" == *"$want"* ]] || { echo "$*: $output"; return 1; }
}

# fifo REL : replaces STORE/REL by a FIFO.
fifo() {
	rm -f "$S/$1"
	mkfifo "$S/$1"
}

every_program_refuses() {
	local want="$S/$1: "
	refused "$want" ws-get "$S" -e 1 -t 10
	refused "$want" ws-range "$S" -e 1
	refused "$want" ws-range --all "$S"
	refused "$want" ws-ingest "$S" < <(point 3 10 3)
	[[ "$output" == *"not a regular file"* ]]
	# ws-reindex names it as a problem found, at once.
	run timeout 10 ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$S/$1: "*"not a regular file"* ]]
}

@test "a FIFO for the MANIFEST is refused by every program" {
	fifo MANIFEST
	every_program_refuses MANIFEST
	refused "$S/MANIFEST: " ws-zones "$S"
	# The MANIFEST is derived: a rebuild replaces it.
	run timeout 10 ws-reindex "$S"
	[ "$status" -eq 0 ]
	[ "$(ws-range --all "$S" | wc -l)" -eq 2 ]
}

@test "a FIFO for a data file is refused by every program that reads it" {
	fifo data/00000001.wsd
	every_program_refuses data/00000001.wsd
}

@test "a FIFO for an index segment is refused by every program" {
	seg=$(cd "$S" && ls index/*.wsi)
	fifo "$seg"
	refused "$S/$seg: " ws-get "$S" -e 1 -t 10
	refused "$S/$seg: " ws-range "$S" -e 1
	refused "$S/$seg: " ws-zones "$S"
	refused "$S/$seg: " ws-ingest "$S" < <(point 3 10 3)
	[[ "$output" == *"not a regular file"* ]]
	# Segments are derived: a check reports it, a rebuild replaces it.
	run timeout 10 ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$seg"* ]]
	run timeout 10 ws-reindex "$S"
	[ "$status" -eq 0 ]
	[ "$(ws-range "$S" -e 2)" = '{"entity_id":2,"space_id":0,"timestamp":10,"vector":[2]}' ]
}

@test "a FIFO at MANIFEST.tmp or at the next segment's name stops a writer with its name" {
	fifo MANIFEST.tmp
	refused "$S/MANIFEST.tmp: " ws-ingest "$S" < <(point 3 10 3)
	[[ "$output" == *"not a regular file"* ]]
	rm "$S/MANIFEST.tmp"
	id=$(sed -n 's/.*"next_segment":\([0-9]*\).*/\1/p' "$S/MANIFEST")
	next=$(printf 'index/%016d.wsi' "$id")
	fifo "$next"
	refused "$S/$next: " ws-ingest "$S" < <(point 3 10 3)
	[[ "$output" == *"not a regular file"* ]]
	# Nothing of the failed commits is visible.
	[ "$(ws-range --all "$S" | wc -l)" -eq 2 ]
}
