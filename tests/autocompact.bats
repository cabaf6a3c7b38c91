#!/usr/bin/env bats
# autocompact.bats - automatic compaction and reclaiming (warmstore(5)):
# small commits merge into their series' small last block, drop records
# hide the old block, a wasteful data file is rewritten and removed, and
# no answer changes: not after deletes, retention, a rebuild or a crash.

load helpers

# runs N E [ARGS]: N one-line ws-ingest runs into entity E, times 1..N.
runs() {
	local n=$1 e=$2 i
	shift 2
	for i in $(seq 1 "$n"); do point "$e" "$i" "$i" 0.5 | ingest "$@" || return 1; done
}

blocks() { ws-zones "$S" "$@" | wc -l; }

@test "one-line runs into one entity keep a few blocks, and answer as one run" {
	runs 40 1
	# A binary counter: each block at least twice the next newer one.
	[ "$(blocks)" -le 6 ]
	ws-zones "$S" | sed 's/.*"point_count":\([0-9]*\).*/\1/' >"$T/counts"
	[ "$(paste -sd+ "$T/counts" | sed 's/+/ + /g' | xargs expr)" -eq 40 ]
	sort -nr "$T/counts" | cmp - "$T/counts"
	for i in $(seq 1 40); do point 1 "$i" "$i" 0.5; done >"$T/in"
	ws-ingest "$T/one" <"$T/in"
	[ "$(ws-zones "$T/one" | wc -l)" -eq 1 ]
	ws-range "$S" -e 1 | cmp - <(ws-range "$T/one" -e 1)
	ws-reindex --check "$S"
}

@test "--no-merge (-M) writes every commit in blocks of its own" {
	runs 5 1 --no-merge
	[ "$(blocks)" -eq 5 ]
	point 1 6 6 0.5 | ingest -M
	[ "$(blocks)" -eq 6 ]
	# Without it, the next small commit merges the newest blocks that
	# are no larger than twice what it merges so far: all six here.
	point 1 7 7 0.5 | ingest
	[ "$(blocks)" -eq 1 ]
	[ "$(ws-range "$S" -e 1 | wc -l)" -eq 7 ]
}

@test "the commit's own points win where keys meet; replaced counts its own repeats" {
	runs 3 1
	{ point 1 2 20 0.5; point 1 4 4 0.5; point 1 4 40 0.5; } >"$T/in"
	run sep ingest -v <"$T/in"
	[ "$status" -eq 0 ]
	grep -qx 'ws-ingest: 3 accepted, 1 replaced, 0 rejected, 1 blocks written' "$T/err"
	[ "$(ws-range "$S" -e 1 | cut -d, -f3,4 | paste -sd' ')" = \
		'"timestamp":1,"vector":[1 "timestamp":2,"vector":[20 "timestamp":3,"vector":[3 "timestamp":4,"vector":[40' ]
	[ "$(blocks)" -eq 1 ]
}

@test "other series are left alone; a full block is not merged into" {
	runs 3 1
	runs 2 2
	[ "$(blocks -e 1)" -eq 1 ]
	[ "$(blocks -e 2)" -eq 1 ]
	# A block holds at most 32 KiB of raw points: 4000 points of dim 2
	# make more than one, the last one not full. From a file, as below:
	# a pipe slowed by a loaded machine is cut by idle commits.
	for i in $(seq 1 4000); do point 3 "$i" "$i" 1; done >"$T/first"
	ingest <"$T/first"
	n=$(blocks -e 3)
	[ "$n" -ge 2 ]
	# The last block is far larger than one point: it is left alone.
	point 3 4001 1 1 | ingest
	[ "$(blocks -e 3)" -eq $((n + 1)) ]
	point 3 4002 1 1 | ingest
	[ "$(blocks -e 3)" -eq $((n + 1)) ]
	# A commit that fills blocks of its own is written as it comes.
	# From a file: a slow pipe (a sanitizer build) could be cut by idle
	# commits into small ones, which merge.
	for i in $(seq 5000 9000); do point 3 "$i" "$i" 1; done >"$T/in"
	ingest <"$T/in"
	[ "$(blocks -e 3)" -gt "$n" ]
	[ "$(ws-range "$S" -e 3 | wc -l)" -eq 8003 ]
}

@test "a delete stays: its tombstone is the newest block, nothing is merged over it" {
	runs 3 1
	ws-delete "$S" -e 1 -t 2
	point 1 4 4 0.5 | ingest
	[ "$(ws-range "$S" -e 1 | sed 's/.*"timestamp":\([0-9]*\).*/\1/' | paste -sd,)" = 1,3,4 ]
	point 1 5 5 0.5 | ingest
	[ "$(ws-range "$S" -e 1 | sed 's/.*"timestamp":\([0-9]*\).*/\1/' | paste -sd,)" = 1,3,4,5 ]
	ws-reindex --check "$S"
}

@test "points that retention hides do not come back through a merge" {
	runs 4 1
	ws-delete "$S" --before 3
	[ "$(ws-range "$S" -e 1 | wc -l)" -eq 2 ]
	point 1 5 5 0.5 | ingest
	[ "$(ws-range "$S" -e 1 | sed 's/.*"timestamp":\([0-9]*\).*/\1/' | paste -sd,)" = 3,4,5 ]
	[ "$(ws-zones --summary "$S" | sed 's/.*"points":\([0-9]*\),.*/\1/')" -eq 3 ]
}

@test "a wasteful data file is rewritten and removed; the store stays small" {
	runs 300 1
	# The one-line runs dropped hundreds of blocks: the files holding them
	# were rewritten, so one small file is left, holding a few blocks.
	[ "$(ls "$S/data" | wc -l)" -eq 1 ]
	[ "$(ls "$S/data")" != 00000001.wsd ]
	[ "$(blocks)" -le 9 ]
	for i in $(seq 1 300); do point 1 "$i" "$i" 0.5; done | ws-ingest "$T/one"
	have=$(du -sb "$S/data" | cut -f1)
	one=$(du -sb "$T/one/data" | cut -f1)
	# The rule: a file is rewritten once it wastes 16 KiB and a quarter.
	[ "$have" -le $((one + one / 4 + 16384 + 4096)) ]
	ws-range "$S" -e 1 | cmp - <(ws-range "$T/one" -e 1)
	[ ! -d "$S/lost+found" ] || [ -z "$(ls "$S/lost+found")" ]
	run sep ws-reindex --check -v "$S"
	[ "$status" -eq 0 ]
	# A full compaction still does what it did.
	ws-reindex --compact "$S"
	ws-range "$S" -e 1 | cmp - <(ws-range "$T/one" -e 1)
}

@test "the MANIFEST counts each file's waste; a bad waste is damage" {
	runs 3 1
	w=$(sed -n 's/.*"waste":\([0-9]*\).*/\1/p' "$S/MANIFEST")
	# Two dropped blocks and two commit records that are not the last.
	[ "$w" -gt 64 ]
	len=$(sed -n 's/.*"length":\([0-9]*\),"waste".*/\1/p' "$S/MANIFEST")
	sed -i "s/\"waste\":$w/\"waste\":$((len + 1))/" "$S/MANIFEST"
	reseal
	run sep ws-range "$S" -e 1
	[ "$status" -eq 2 ]
	grep -q 'MANIFEST: field "waste" out of range' "$T/err"
}

@test "a rebuild from the data alone answers the same and lists dropped blocks again" {
	runs 5 1
	ws-range "$S" -e 1 >"$T/before"
	rm -f "$S/MANIFEST" "$S"/index/*
	run sep ws-reindex "$S"
	[ "$status" -eq 0 ]
	ws-range "$S" -e 1 | cmp - "$T/before"
	# The drop records lived in the index alone (warmstore(5), CAVEATS).
	[ "$(blocks)" -eq 5 ]
	ws-reindex --check "$S"
	ws-reindex --compact "$S"
	[ "$(blocks)" -eq 1 ]
	ws-range "$S" -e 1 | cmp - "$T/before"
}

@test "a repaired index keeps the answers; drop records of removed files are spent" {
	runs 200 1
	ws-range "$S" -e 1 >"$T/before"
	# Every segment's records name live files only, or drop what is there.
	ws-reindex --check -v "$S"
	printf 'garbage' >"$(ls -d "$S"/index/*.wsi | head -n 1)"
	run sep ws-reindex --check "$S"
	[ "$status" -ne 0 ]
	ws-reindex "$S"
	ws-range "$S" -e 1 | cmp - "$T/before"
	ws-reindex --check "$S"
}

@test "retention that hides a merged block hides its drop records too" {
	point 1 16 16 0.5 | ingest
	point 1 20 20 0.5 | ingest
	ws-delete "$S" --before 28
	[ -z "$(ws-range "$S" -e 1)" ]
	run sep ws-reindex --check "$S"
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
}

# ops SEED STEPS: random commits, deletes, retention, compactions and
# rebuilds applied alike to $S (automatic compaction) and $T/m (ws-ingest
# -M, no compaction): the two must answer alike after every step.
ops() {
	local step op n e t f c i
	RANDOM=$1
	point 9 1 1 1 | ingest
	point 9 1 1 1 | ws-ingest -M "$T/m"
	for step in $(seq 1 "$2"); do
		op=$((RANDOM % 20))
		if [ $op -lt 13 ]; then
			n=$((RANDOM % 30 + 1))
			for i in $(seq $n); do
				point $((RANDOM % 4)) $((RANDOM % 400)) "$step" "$i.5"
			done >"$T/in"
			ingest <"$T/in"
			ws-ingest -M "$T/m" <"$T/in"
		elif [ $op -lt 15 ]; then
			e=$((RANDOM % 4)) f=$((RANDOM % 400))
			t=$((f + RANDOM % 50))
			ws-delete "$S" -e $e -f $f -T $t
			ws-delete "$T/m" -e $e -f $f -T $t
		elif [ $op -lt 16 ]; then
			c=$((RANDOM % 100))
			ws-delete "$S" --before $c
			ws-delete "$T/m" --before $c
		elif [ $op -lt 17 ]; then
			ws-reindex -C "$S" >/dev/null
		elif [ $op -lt 18 ]; then
			rm -rf "$S/MANIFEST" "$S/index"
			ws-reindex "$S" >/dev/null 2>&1
		else
			ws-reindex --check "$S" >/dev/null ||
				{ echo "step $step: --check"; return 1; }
		fi
		cmp -s <(ws-range --all "$S") <(ws-range --all "$T/m") ||
			{ echo "step $step (op $op): answers differ"; return 1; }
	done
	ws-reindex --check "$S"
}

@test "differential: merged, reclaimed, compacted and rebuilt, a store answers as one never merged" {
	ops 3 80
	ops 11 80
}


@test "ws-delete -v --before counts blocks of the zone map, not drop records" {
	runs 6 1
	point 2 50 1 0.5 | ingest
	before=$(ws-zones "$S" | wc -l)
	run sep ws-delete -v --before 40 "$S"
	[ "$status" -eq 0 ]
	after=$(ws-zones "$S" | wc -l)
	grep -q "^ws-delete: before 40: committed; blocks $before -> $after, " "$T/err"
}
