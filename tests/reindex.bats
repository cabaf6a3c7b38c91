#!/usr/bin/env bats
# reindex.bats - ws-reindex: rebuilding the derived files gives the same
# answers, latest-write-wins survives, a second run is a no-op, --check
# exit codes, progress, and the command-line contract.

load helpers

# Many entities and spaces, several commits, overwritten keys (each
# later run rewrites some keys of the earlier ones with other values).
make_store() {
	for run in 1 2 3 4; do
		for e in $(seq $run 2 25); do
			for t in 1 2 3 4 5; do
				printf '{"entity_id":%s,"space_id":%s,"timestamp":%s,"vector":[%s.5,%s]}\n' \
					"$e" $((e % 3)) $((t * 1000)) "$run" "$e"
			done
		done | ingest -M
	done
	printf '{"entity_id":18446744073709551615,"space_id":4294967295,"timestamp":-5,"vector":[1],"metadata":{"k":"v"}}\n' | ingest
}

# answers DIR : everything the readers can say about the store.
answers() {
	ws-range --all "$S" >"$1.range"
	ws-zones "$S" >"$1.zones"
	# What lost+found holds is no answer about the data.
	ws-zones --summary "$S" | sed 's/,"lost_found_bytes":[0-9]*//' >"$1.summary"
	printf '{"entity_id":%s,"space_id":%s,"timestamp":3000}\n' 1 1 2 2 7 1 24 0 25 1 |
		ws-get "$S" >"$1.get" || true
}

same_answers() {
	for k in range zones summary get; do
		cmp "$1.$k" "$2.$k" || { diff "$1.$k" "$2.$k" | head; return 1; }
	done
}

# fingerprint : checksums of every file of the store.
fingerprint() {
	(cd "$S" && find . -type f ! -name lock | sort | xargs md5sum)
}

@test "a rebuild from the data files alone answers exactly as before" {
	make_store
	[ "$(ls "$S/index" | wc -l)" -ge 1 ]
	answers "$T/before"
	rm -f "$S/MANIFEST" "$S"/index/*
	run sep ws-reindex "$S"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	answers "$T/after"
	same_answers "$T/before" "$T/after"
	# Latest write wins exactly as before: entity 7 was last written by run 3.
	run ws-get -e 7 -s 1 -t 3000 "$S"
	[ "$output" = '{"entity_id":7,"space_id":1,"timestamp":3000,"vector":[3.5,7]}' ]
	ws-reindex --check "$S"
}

@test "a rebuild without the index folder or with a garbage MANIFEST works too" {
	make_store
	answers "$T/before"
	rm -rf "$S/index"
	echo 'garbage {' >"$S/MANIFEST"
	run sep ws-reindex "$S"
	[ "$status" -eq 0 ]
	answers "$T/after"
	same_answers "$T/before" "$T/after"
}

@test "new commits after a rebuild win over older points" {
	make_store
	rm -f "$S/MANIFEST" "$S"/index/*
	ws-reindex "$S"
	printf '{"entity_id":7,"space_id":1,"timestamp":3000,"vector":[9,9]}\n' | ingest
	run ws-get -e 7 -s 1 -t 3000 "$S"
	[ "$output" = '{"entity_id":7,"space_id":1,"timestamp":3000,"vector":[9,9]}' ]
	ws-reindex --check "$S"
}

@test "ws-reindex on a consistent store changes nothing, and a second run is a no-op" {
	make_store
	fingerprint >"$T/fp0"
	ws-reindex "$S"
	fingerprint >"$T/fp1"
	diff "$T/fp0" "$T/fp1"
	rm -f "$S/MANIFEST" "$S"/index/*
	ws-reindex "$S"
	fingerprint >"$T/fp2"
	run sep ws-reindex -v "$S"
	[ "$status" -eq 0 ]
	grep -q 'nothing changed' "$T/err"
	fingerprint >"$T/fp3"
	diff "$T/fp2" "$T/fp3"
}

@test "ws-reindex removes segment files no MANIFEST names" {
	make_store
	cp "$(ls "$S"/index/*.wsi | head -n 1)" "$S/index/0000000000000099.wsi"
	# What a commit cut short leaves: no problem for --check, but told
	# with -v, and removed by a repair.
	run sep ws-reindex --check "$S"
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
	run sep ws-reindex --check --verbose "$S"
	[ "$status" -eq 0 ]
	grep -q '0000000000000099.wsi: segment the MANIFEST does not name$' "$T/err"
	run sep ws-reindex --verbose "$S"
	[ "$status" -eq 0 ]
	grep -q '0000000000000099.wsi: segment the MANIFEST does not name; removed' "$T/err"
	[ ! -e "$S/index/0000000000000099.wsi" ]
	ws-reindex --check "$S"
	# The next segment id stays above every file ever seen.
	point 1 1 1 | ws-ingest -s 0 "$S" || true
	ws-reindex --check "$S"
}

@test "--check exits 0 on a consistent store and 1 with one line per problem" {
	make_store
	run sep ws-reindex --check "$S"
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
	[ -z "$output" ]
	rm "$S/MANIFEST"
	run sep ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	[ "$(wc -l <"$T/err")" -eq 1 ]
	grep -q "^ws-reindex: $S/MANIFEST: No such file or directory$" "$T/err"
	# --check wrote nothing.
	[ ! -e "$S/MANIFEST" ]
}

@test "--check finds an index record that does not match its block" {
	make_store
	ws-reindex "$S"
	seg=$(ls "$S"/index/*.wsi | head -n 1)
	# Drop the last record: a block of the data is no longer indexed.
	n=$(( ($(stat -c %s "$seg") - 64) / 64 ))
	truncate -s $((64 + (n - 1) * 64)) "$seg"
	sed -i "s/\"records\":$n}/\"records\":$((n - 1))}/" "$S/MANIFEST"
	reseal
	run sep ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	grep -q 'block not in the index' "$T/err"
	ws-reindex "$S"
	ws-reindex --check "$S"
}

@test "--check finds a wrong dimension and a stale next_seq in the MANIFEST" {
	make_store
	sed -i 's/"dim":2/"dim":3/; s/"next_seq":[0-9]*/"next_seq":2/' "$S/MANIFEST"
	reseal
	run sep ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	grep -q 'has dimension 3 but its blocks have 2' "$T/err"
	grep -q 'next_seq 2 is not above' "$T/err"
	ws-reindex "$S"
	ws-reindex --check "$S"
	grep -q '"next_seq":6' "$S/MANIFEST"
}

@test "ws-reindex waits for the writer lock" {
	point 1 1 1 | ingest
	rm "$S/MANIFEST"
	exec 9<"$S"
	flock -x 9
	# The child must not inherit fd 9, or it would hold the lock itself.
	ws-reindex "$S" 9>&- &
	pid=$!
	sleep 1
	[ ! -e "$S/MANIFEST" ]
	exec 9>&-
	wait "$pid"
	[ -e "$S/MANIFEST" ]
}

@test "ws-reindex runs safely while ws-ingest commits" {
	point 0 0 1 | ingest
	for i in $(seq 1 300); do point "$i" "$i" "$i"; done |
		ws-ingest -b 1k "$S" &
	pid=$!
	for _ in 1 2 3 4 5; do
		ws-reindex "$S"
		ws-reindex --check "$S"
	done
	wait "$pid"
	ws-reindex --check "$S"
	[ "$(ws-range --all "$S" | wc -l)" -eq 301 ]
}

@test "progress shows on stderr with --progress, never when piped unless asked" {
	make_store
	run sep ws-reindex "$S"
	[ ! -s "$T/err" ]
	run sep ws-reindex --progress "$S"
	[ "$status" -eq 0 ]
	grep -q 'verifying: 100%' "$T/err"
	run sep ws-reindex --check --progress "$S"
	[ "$status" -eq 0 ]
	grep -q 'verifying: 100%' "$T/err"
	# A compaction reports the points it rewrote, of all it stores
	# (overwritten ones too: make_store writes some keys twice).
	n=$(ws-range --all "$S" | wc -l)
	stored=$(ws-zones --summary "$S" | sed 's/.*"points":\([0-9]*\),.*/\1/')
	[ "$stored" -gt "$n" ]
	run sep ws-reindex --compact --progress "$S"
	[ "$status" -eq 0 ]
	grep -q "compacting: *[0-9]*% ($n of $stored points)" "$T/err"
	run sep ws-reindex --compact "$S"
	run grep -c compacting "$T/err"
	[ "$output" = 0 ]
}

@test "ws-reindex --help, --version and usage errors" {
	run sep ws-reindex --help
	[ "$status" -eq 0 ]
	for o in --check --progress --verbose --help --version; do
		[[ $output == *"$o"* ]]
	done
	run ws-reindex --version
	[ "$output" = "ws-reindex (warmstore) 0.1.0" ]
	run sep ws-reindex --bogus "$S"
	[ "$status" -eq 2 ]
	grep -q "Try 'ws-reindex --help'" "$T/err"
	run sep ws-reindex
	[ "$status" -eq 2 ]
	run sep ws-reindex "$S" extra
	[ "$status" -eq 2 ]
	run sep ws-reindex "$T/nowhere"
	[ "$status" -eq 2 ]
	grep -q "$T/nowhere" "$T/err"
	mkdir "$T/plain"
	run sep ws-reindex "$T/plain"
	[ "$status" -eq 2 ]
	grep -q "not a warmstore store" "$T/err"
	WS_STORE="$S" run ws-reindex --check
	[ "$status" -eq 2 ]
}

@test "a data file the MANIFEST does not name is moved to lost+found, unread" {
	{ point 1 10 1; point 2 10 2; } | ingest
	{ point 3 10 3; point 4 10 4; } | ingest
	# Another store's data file under the next number: to this store, a
	# file that a writer which died before its MANIFEST left.
	mkdir "$T/other"
	S="$T/other" ingest < <(point 5 10 5; point 6 10 6)
	cp "$T/other/data/00000001.wsd" "$S/data/00000002.wsd"
	run sep ws-reindex --check "$S"
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
	run sep ws-reindex --check --verbose "$S"
	[ "$status" -eq 0 ]
	grep -q "data/00000002.wsd: a data file the MANIFEST does not name, left by a commit or compaction cut short$" "$T/err"
	run sep ws-reindex "$S"
	[ "$status" -eq 0 ]
	grep -q "data/00000002.wsd: a data file the MANIFEST does not name, left by a commit or compaction cut short; moved to $S/lost+found" "$T/err"
	[ ! -e "$S/data/00000002.wsd" ]
	cmp "$S/lost+found/00000002.wsd" "$T/other/data/00000001.wsd"
	run ws-range --all "$S"
	[ "${#lines[@]}" -eq 4 ]
	run sep ws-reindex --check --verbose "$S"
	[ "$status" -eq 0 ]
	run grep -c "does not name" "$T/err"
	[ "$output" = 0 ]
}

@test "what a compaction killed before its MANIFEST wrote never comes back" {
	for v in 1 2 3; do point 1 10 "$v" | ingest -M; point 2 10 "$v" | ingest -M; done
	# Its output, as a killed compaction leaves it: the whole store again,
	# in the next data file, with the seq the next commit will use.
	cp -a "$S" "$T/twin"
	ws-reindex --compact "$T/twin"
	cp "$T/twin/data/00000002.wsd" "$S/data/00000002.wsd"
	# The next commit overwrites a key; the stale file must not tie with it.
	point 1 10 9 | ingest
	[ ! -e "$S/data/00000002.wsd" ]
	# Removed, not kept: a dead writer's output is not data, and kept it
	# would fill lost+found with a copy of the store per killed compaction.
	[ ! -e "$S/lost+found" ]
	run ws-get -e 1 -t 10 "$S"
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":10,"vector":[9]}' ]
	ws-reindex "$S"
	ws-reindex --compact "$S"
	run ws-get -e 1 -t 10 "$S"
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":10,"vector":[9]}' ]
	ws-reindex --check "$S"
}

@test "the writer lock is on the store directory: a lock file counts for nothing" {
	point 1 1 1 | ingest
	[ ! -e "$S/lock" ]
	exec 9<"$S"
	flock -x 9
	# A lock file, as older stores had, held and then removed: irrelevant.
	touch "$S/lock"
	ws-ingest "$S" < <(point 2 1 1) 9>&- &
	pid=$!
	# Wait until the writer is queued for the lock (a blocked flock shows
	# in /proc/locks as "->"), then check that it has not written.
	for _ in $(seq 100); do
		grep -q -- "-> FLOCK  ADVISORY  WRITE $pid " /proc/locks && break
		sleep 0.05
	done
	grep -q -- "-> FLOCK  ADVISORY  WRITE $pid " /proc/locks
	rm "$S/lock"
	[ "$(ws-range --all "$S" | wc -l)" -eq 1 ]
	exec 9>&-
	wait "$pid"
	[ "$(ws-range --all "$S" | wc -l)" -eq 2 ]
}

@test "ws-reindex --check works on a store its user may only read" {
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null || skip "needs root and setpriv"
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	as_nobody ws-reindex --version >/dev/null 2>&1 || skip "nobody cannot run the programs here"
	point 1 1 1 | ingest
	chmod a+rx "$T"
	chmod -R a+rX "$S"
	run sep as_nobody ws-reindex --check "$S"
	[ "$status" -eq 0 ]
	run sep as_nobody ws-range --all "$S"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	# Writing is refused, naming the file.
	run sep as_nobody ws-ingest "$S" < <(point 2 1 1)
	[ "$status" -eq 2 ]
	grep -q "$S/.*Permission denied" "$T/err"
}

@test "a data file a compaction replaced but did not remove goes to lost+found" {
	make_store
	cp "$S/data/00000001.wsd" "$T/old.wsd"
	ws-reindex --compact "$S"
	[ ! -e "$S/data/00000001.wsd" ]
	answers "$T/before"
	# As if the compaction had died between its commit and the removal.
	cp "$T/old.wsd" "$S/data/00000001.wsd"
	run sep ws-reindex --check "$S"
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
	answers "$T/during"
	same_answers "$T/before" "$T/during"
	run sep ws-reindex "$S"
	[ "$status" -eq 0 ]
	grep -q 'data/00000001.wsd: a data file the MANIFEST does not name, .*; moved to' "$T/err"
	[ ! -e "$S/data/00000001.wsd" ]
	cmp "$S/lost+found/00000001.wsd" "$T/old.wsd"
	answers "$T/after"
	same_answers "$T/before" "$T/after"
	ws-reindex --check "$S"
}
