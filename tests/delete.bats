#!/usr/bin/env bats
# delete.bats - ws-delete: keys, ranges, key lines and retention; the
# order rule across runs; every reader honours deletes; deletes survive a
# rebuild from the data, a repair and a compaction.

load helpers

# Entity 1 at times 1..10 (vector [t]) and entity 2 at 1..3, space 0.
ten() {
	for t in $(seq 1 10); do point 1 "$t" "$t"; done | ingest
	for t in 1 2 3; do point 2 "$t" "$((t * 10))"; done | ingest
}

times() { ws-range "$S" -e "${1:-1}" | sed 's/.*"timestamp":\([-0-9]*\).*/\1/' | paste -sd, -; }

@test "--entity --timestamp deletes one key: ws-get exits 1, ws-range skips it" {
	ten
	run ws-delete -v -e 1 -t 4 "$S"
	[ "$status" -eq 0 ]
	[ "$output" = "ws-delete: entity 1 space 0 timestamp 4: committed (1 tombstone block)" ]
	run ws-get -e 1 -t 4 "$S"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(times)" = "1,2,3,5,6,7,8,9,10" ]
	[ "$(times 2)" = "1,2,3" ]
}

@test "the order rule across runs: write, delete, write again" {
	ten
	ws-delete -e 1 -t 4 "$S"
	point 1 4 44 | ingest
	run ws-get -e 1 -t 4 "$S"
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":4,"vector":[44]}' ]
	ws-delete -e 1 -t 4 "$S"
	run ws-get -e 1 -t 4 "$S"
	[ "$status" -eq 1 ]
	point 1 4 444 | ingest
	run ws-get -e 1 -t 4 "$S"
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":4,"vector":[444]}' ]
}

@test "--from/--to delete an inclusive range; one bound or none is open" {
	ten
	ws-delete -e 1 -f 3 -T 5 "$S"
	[ "$(times)" = "1,2,6,7,8,9,10" ]
	ws-delete -e 1 -T 1 "$S"
	[ "$(times)" = "2,6,7,8,9,10" ]
	ws-delete -e 1 -f 9 "$S"
	[ "$(times)" = "2,6,7,8" ]
	ws-delete -e 2 "$S"
	[ -z "$(times 2)" ]
	[ "$(times)" = "2,6,7,8" ]
}

@test "ws-range --limit, --reverse, --all, --count, --latest honour deletes" {
	ten
	ws-delete -e 1 -f 8 "$S"
	ws-delete -e 1 -t 2 "$S"
	run ws-range "$S" -e 1 --reverse --limit 2
	[ "${lines[0]}" = '{"entity_id":1,"space_id":0,"timestamp":7,"vector":[7]}' ]
	[ "${lines[1]}" = '{"entity_id":1,"space_id":0,"timestamp":6,"vector":[6]}' ]
	[ "${#lines[@]}" -eq 2 ]
	run ws-range "$S" -e 1 --limit 2
	[ "${lines[1]}" = '{"entity_id":1,"space_id":0,"timestamp":3,"vector":[3]}' ]
	run ws-range "$S" --all
	[ "${#lines[@]}" -eq 9 ]
	run ws-range "$S" --all --reverse
	[ "${lines[0]}" = '{"entity_id":2,"space_id":0,"timestamp":3,"vector":[30]}' ]
	[ "${lines[3]}" = '{"entity_id":1,"space_id":0,"timestamp":7,"vector":[7]}' ]
	run ws-range "$S" --all --count
	[ "${lines[0]}" = '{"entity_id":1,"space_id":0,"count":6}' ]
	run ws-range "$S" -e 1 --latest
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":7,"vector":[7]}' ]
}

@test "key lines on stdin, whole points too: ws-range | ws-delete" {
	ten
	printf '%s\n' '{"entity_id":1,"timestamp":1}' '' '{"entity_id":1,"space_id":0,"timestamp":"1970-01-01T00:00:00.000002Z"}' |
		ws-delete "$S"
	[ "$(times)" = "3,4,5,6,7,8,9,10" ]
	ws-range "$S" -e 1 -f 9 | ws-delete "$S"
	[ "$(times)" = "3,4,5,6,7,8" ]
	run ws-delete -v "$S" < <(ws-range "$S" -e 2)
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ws-delete: committed through line 3" ]
	[ "${lines[1]}" = "ws-delete: 3 keys accepted, 1 ranges deleted, 0 rejected, 1 tombstone blocks written" ]
	[ -z "$(times 2)" ]
}

@test "key lines take --space as the default space" {
	point 1 5 1 | ingest
	printf '{"entity_id":1,"space_id":3,"timestamp":5,"vector":[7]}\n' | ingest
	echo '{"entity_id":1,"timestamp":5}' | ws-delete -s 3 "$S"
	run ws-get -e 1 -t 5 "$S"
	[ "$status" -eq 0 ]
	run ws-get -s 3 -e 1 -t 5 "$S"
	[ "$status" -eq 1 ]
}

@test "a bad key line: message with its line, keys before it committed, exit 1" {
	ten
	run ws-delete "$S" < <(printf '%s\n' '{"entity_id":1,"timestamp":1}' '{"entity_id":1}' '{"entity_id":1,"timestamp":3}')
	[ "$status" -eq 1 ]
	[ "$output" = 'ws-delete: stdin:2: missing field "timestamp"' ]
	[ "$(times)" = "2,3,4,5,6,7,8,9,10" ]
}

@test "-k goes on after a bad line, -r keeps it verbatim, exit 1 all the same" {
	ten
	run ws-delete -k -r "$T/rej" "$S" < <(printf '%s\n' '{"entity_id":1,"timestamp":1}' 'nonsense' '{"entity_id":1,"timestamp":3}')
	[ "$status" -eq 1 ]
	[ "$output" = 'ws-delete: stdin:2: invalid JSON: unexpected character at column 1' ] ||
		[[ $output == "ws-delete: stdin:2: invalid JSON"* ]]
	[ "$(cat "$T/rej")" = "nonsense" ]
	[ "$(times)" = "2,4,5,6,7,8,9,10" ]
}

@test "-r into a file that cannot be created is exit 2" {
	ten
	run ws-delete -r "$T/no/such/rej" "$S" </dev/null
	[ "$status" -eq 2 ]
	[[ $output == "ws-delete: $T/no/such/rej: No such file or directory" ]]
}

@test "deleting what is absent is no error and writes nothing" {
	ten
	before=$(ws-zones "$S" | wc -l)
	gen=$(grep -o '"generation":[0-9]*' "$S/MANIFEST")
	run ws-delete -v -e 1 -f 100 -T 200 "$S"
	[ "$status" -eq 0 ]
	[ "$output" = "ws-delete: entity 1 space 0 [100, 200]: no stored block there, nothing to commit" ]
	ws-delete -e 77 -t 1 "$S"
	echo '{"entity_id":78,"timestamp":1}' | ws-delete "$S"
	[ "$(ws-zones "$S" | wc -l)" -eq "$before" ]
	[ "$(grep -o '"generation":[0-9]*' "$S/MANIFEST")" = "$gen" ]
}

@test "--before: retention over every series, or of one space" {
	ten
	printf '{"entity_id":5,"space_id":1,"timestamp":2,"vector":[1,2]}\n' | ingest
	run ws-delete -v --before 3 -s 1 "$S"
	[ "$status" -eq 0 ]
	[[ $output == "ws-delete: before 3: committed; blocks "* ]]
	run sep ws-range "$S" -s 1 -e 5
	[ -z "$output" ]
	[ "$(times)" = "1,2,3,4,5,6,7,8,9,10" ]
	ws-delete --before 5 "$S"
	[ "$(times)" = "5,6,7,8,9,10" ]
	[ -z "$(times 2)" ]
	grep -q '"retention":' "$S/MANIFEST"
	point 1 2 22 | ingest
	[ "$(times)" = "2,5,6,7,8,9,10" ]
}

@test "--before drops whole blocks and files without reading them" {
	for t in $(seq 1 5); do point 1 "$t" "$t" | ingest -M; done
	[ "$(ls "$S/data" | wc -l)" -eq 1 ]
	bytes=$(cat "$S"/data/* | wc -c)
	run ws-delete -v --before 4 "$S"
	[ "$output" = "ws-delete: before 4: committed; blocks 5 -> 2, data files 1 -> 1, bytes $bytes -> $(cat "$S"/data/* | wc -c)" ]
	[ "$(ws-zones "$S" | wc -l)" -eq 2 ]
	ws-reindex --check "$S"
	run ws-delete -v --before 3 "$S"
	[ "$status" -eq 0 ]
}

@test "--before a cutoff already covered commits nothing" {
	ten
	ws-delete --before 5 "$S"
	run ws-delete -v --before 5 "$S"
	[ "$output" = "ws-delete: before 5: an earlier retention hides as much, nothing to commit" ]
}

@test "deletes survive a rebuild from the data alone" {
	ten
	ws-delete -e 1 -f 3 -T 4 "$S"
	echo '{"entity_id":1,"timestamp":7}' | ws-delete "$S"
	point 1 3 33 | ingest
	ws-delete --before 2 "$S"
	ws-range --all "$S" >"$T/before"
	rm -r "$S/MANIFEST" "$S/index"
	run ws-reindex "$S"
	[ "$status" -eq 0 ]
	ws-range --all "$S" | diff - "$T/before"
	ws-reindex --check "$S"
	[ "$(times)" = "2,3,5,6,8,9,10" ]
}

@test "deletes survive a repair of a damaged index" {
	ten
	ws-delete -e 1 -t 5 "$S"
	ws-range --all "$S" >"$T/before"
	seg=$(ls "$S/index" | head -1)
	printf 'XXXX' | dd of="$S/index/$seg" bs=1 seek=70 conv=notrunc 2>/dev/null
	run ws-reindex "$S"
	ws-range --all "$S" | diff - "$T/before"
	ws-reindex --check "$S"
}

@test "compaction drops deleted points, keeps what hides them, answers the same" {
	ten
	ws-delete -e 1 -f 2 -T 9 "$S"
	ws-delete --before 2 "$S"
	ws-range --all "$S" >"$T/before"
	ws-reindex --compact "$S"
	ws-range --all "$S" | diff - "$T/before"
	run ws-zones "$S" --summary
	[[ $output == '{"points":3,'* ]]
	# The tombstone and the retention record stay: the dropped blocks are
	# on disk until their file is rewritten, and a rebuild from the data
	# alone must not show their points again.
	[ "$(ws-zones "$S" -e 1 | grep -c '"tombstone":true')" -eq 1 ]
	grep -q '"retention":' "$S/MANIFEST"
	rm -r "$S/MANIFEST" "$S/index"
	ws-reindex "$S"
	ws-range --all "$S" | diff - "$T/before"
	# A second compaction finds nothing to gain and writes no file.
	ws-reindex --compact "$S"
	find "$S" -type f ! -name lock | sort | xargs md5sum >"$T/sums"
	ws-reindex --compact "$S"
	find "$S" -type f ! -name lock | sort | xargs md5sum | cmp - "$T/sums"
}

@test "ws-zones marks tombstones and counts no points for them" {
	ten
	ws-delete -e 1 -f 3 -T 4 "$S"
	run ws-zones "$S" -e 1
	[[ ${lines[1]} == *'"min_timestamp":3,"max_timestamp":4,"point_count":0,'*'"tombstone":true,"ranges":1}' ]]
	run ws-zones "$S" --summary
	[[ $output == '{"points":13,'*'"tombstones":1}' ]]
}

@test "usage errors are exit 2 with the reason" {
	ten
	run ws-delete -t 5 "$S"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "ws-delete: --timestamp, --from and --to need --entity" ]
	run ws-delete -e 1 -t 5 -f 1 "$S"
	[ "${lines[0]}" = "ws-delete: --timestamp deletes one key: it takes no --from or --to" ]
	run ws-delete -e 1 -f 5 -T 1 "$S"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "ws-delete: --from is after --to" ]
	run ws-delete --before 5 -e 1 "$S"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "ws-delete: --before deletes from every series: it takes no --entity, --timestamp, --from or --to" ]
	run ws-delete --before 99999999999999999 "$S"
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "ws-delete: --before: a cutoff is at most 2^53 microseconds"* ]]
	run ws-delete --before yesterday "$S"
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "ws-delete: --before: invalid time 'yesterday'"* ]]
	run ws-delete --bogus "$S"
	[ "$status" -eq 2 ]
	run ws-delete
	[ "$status" -eq 2 ]
}

@test "a missing store is exit 2 and is not created" {
	run ws-delete -e 1 -t 1 "$T/nowhere"
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "ws-delete: $T/nowhere"* ]]
	[ ! -e "$T/nowhere" ]
}

@test "WS_STORE names the store; times take RFC 3339 and now forms" {
	printf '%s\n' '{"entity_id":1,"timestamp":"2020-01-01T00:00:00Z","vector":[1]}' \
		'{"entity_id":1,"timestamp":"2020-01-02T00:00:00Z","vector":[2]}' | ingest
	WS_STORE="$S" ws-delete -e 1 -t 2020-01-01T00:00:00Z
	[ "$(ws-range "$S" -e 1 | wc -l)" -eq 1 ]
	ws-delete --before now-1d "$S"
	[ -z "$(ws-range "$S" --all)" ]
}

@test "--progress shows a line on stderr for a key list" {
	ten
	run ws-delete --progress "$S" < <(ws-range "$S" --all)
	[ "$status" -eq 0 ]
	[[ $output == "ws-delete: "*lines* ]]
	[ -z "$(ws-range "$S" --all)" ]
}

@test "--progress with --before shows the index rewrite, never when piped unless asked" {
	for t in $(seq 1 5); do point 1 "$t" "$t" | ingest -M; point 2 "$t" "$t" | ingest -M; done
	run sep ws-delete --before 3 "$S"
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
	run sep ws-delete --progress --before 4 "$S"
	[ "$status" -eq 0 ]
	# Every index record of the store before the commit is read once.
	grep -q '^ws-delete: dropping what retention hides: 100% ([0-9]* of [0-9]* index records)$' <(tr '\r' '\n' <"$T/err")
	[ "$(ws-range "$S" --all | wc -l)" -eq 4 ]
}

@test "--help lists every option, --version prints one line" {
	run ws-delete --help
	[ "$status" -eq 0 ]
	for o in entity space timestamp from to before skip-bad rejects verbose progress; do
		[[ $output == *"--$o"* ]]
	done
	run ws-delete --version
	[ "$status" -eq 0 ]
	[[ $output == "ws-delete "* ]]
}

@test "ws-delete killed with SIGKILL: all of its deletes or none, nothing else lost, none undone by a rebuild" {
	for t in $(seq 1 3000); do point 1 "$t" "$t"; done | ingest
	for t in $(seq 2 2 3000); do printf '{"entity_id":1,"timestamp":%s}\n' "$t"; done >"$T/keys"
	for delay in 0 0.002 0.005 0.01 0.02 0.04 0.08; do
		rm -rf "$T/s" && cp -r "$S" "$T/s"
		ws-delete "$T/s" <"$T/keys" &
		pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" || true
		ws-reindex "$T/s" >/dev/null || true
		ws-reindex --check "$T/s"
		n=$(ws-range "$T/s" -e 1 | wc -l)
		odd=$(ws-range "$T/s" -e 1 | grep -c '"timestamp":[0-9]*[13579],' || true)
		[ "$odd" -eq 1500 ]
		[ "$n" -eq 3000 ] || [ "$n" -eq 1500 ]
		# A committed delete holds in a rebuild from the data alone; one
		# killed after its commit record but before its MANIFEST is
		# finished there (warmstore(5), Commit records), never half.
		rm -r "$T/s/MANIFEST" "$T/s/index"
		ws-reindex "$T/s" >/dev/null
		rebuilt=$(ws-range "$T/s" -e 1 | wc -l)
		[ "$rebuilt" -eq 1500 ] || { [ "$n" -eq 3000 ] && [ "$rebuilt" -eq 3000 ]; }
	done
}
