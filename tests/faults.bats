#!/usr/bin/env bats
# faults.bats - I/O errors at every step of a commit: ENOSPC, EIO, short
# writes, a failed fsync, fdatasync, rename, ftruncate or open, injected by
# the LD_PRELOAD library tests/faults/faultshim.so (see its header).
#
# What is expected when the Nth call of a kind fails:
#   - ws-ingest exits 2 and its message names the file and the failed
#     operation ("write", "fsync", "rename", ...) with the errno text;
#   - the store holds exactly what was committed before: the first batch,
#     never a part of the second (readers see a commit whole or not at all);
#   - one exception, by design: when the fsync of the store directory
#     after the MANIFEST rename fails, the new MANIFEST is already in
#     place (a rename cannot be undone), so readers see the second batch;
#     ws-ingest still exits 2, and says the file "may not survive a crash".
#     Likewise when reloading the store after a complete commit fails:
#     the message ends "(after the batch was committed)".
#     Either state is safe, since ingesting the same input again gives the
#     same store (the latest write of a key wins);
#   - a following ws-ingest of the second input without faults succeeds
#     and gives first + second, and ws-reindex --check finds the store
#     sound (the torn tail and the stray segment of the failed commit were
#     cut and overwritten);
#   - short writes are no error at all: the code loops.
# For each kind, N runs from 1 to one past the number of such calls a
# commit makes (learned from a counting run), so every step is hit.

load helpers

: "${WS_FAULTSHIM:=$BATS_TEST_DIRNAME/faults/faultshim.so}"
# The programs linked against shared libraries (make check builds them):
# the ones in WS_BINDIR may be static, and a static program takes no
# LD_PRELOAD.
if [ -n "${WS_FAULT_BINDIR:-}" ]; then
	export PATH="$WS_FAULT_BINDIR:$PATH"
fi
# A sanitizer build wants its runtime first; the shim comes before it.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ws-test.XXXXXX")
	S="$T/store"
	[ -f "$WS_FAULTSHIM" ] || skip "faultshim.so not built (make check builds it)"
	# The first batch, the second (a new entity, an overwrite of a key of
	# the first, a new space), and the reference stores of both states.
	{
		point 1 10 1 2
		point 1 20 3 4
		point 2 10 5 6
	} >"$T/first"
	{
		point 3 10 7 8
		point 1 10 9 9
		printf '{"entity_id":4,"space_id":5,"timestamp":1,"vector":[1,2,3],"metadata":{"k":"v"}}\n'
	} >"$T/second"
	ws-ingest "$T/ref" <"$T/first"
	ws-range --all "$T/ref" >"$T/want-first"
	ws-ingest "$T/ref" <"$T/second"
	ws-range --all "$T/ref" >"$T/want-both"
	if cmp -s "$T/want-first" "$T/want-both"; then false; fi
}

# faulty CMD... : run CMD under the shim with the FAULT_* variables set.
faulty() {
	env LD_PRELOAD="$WS_FAULTSHIM" FAULT_LOG="$T/log" "$@"
}

# count_calls NAME CMD... : how many NAME calls CMD makes (run on a copy
# of the store, so that the real run starts from the same state).
count_calls() {
	local name=$1
	shift
	rm -f "$T/log"
	faulty "$@" >/dev/null 2>&1
	grep -c "^$name " "$T/log" || true
}

# same_as FILE : the store's content is exactly FILE.
same_as() {
	ws-range --all "$S" >"$T/got" || return 1
	cmp "$T/got" "$1" || { diff "$T/got" "$1" | head -n 5; return 1; }
}

# waste_template : $T/wtpl, the first batch and then one-line runs into
# entity 9, as many as make the data file waste so much that the second
# batch's commit rewrites it (warmstore(5), Reclaiming); the answers
# before and after that commit in want-first-waste and want-both-waste.
waste_template() {
	[ -d "$T/wtpl" ] && return 0
	ws-ingest "$T/wtpl" <"$T/first"
	local i last
	for i in $(seq 1 400); do
		point 9 "$i" "$i" 1 | ws-ingest "$T/wtpl"
		last=$(ls "$T/wtpl/data" | tail -n 1)
		rm -rf "$T/try"
		cp -a "$T/wtpl" "$T/try"
		ws-ingest "$T/try" <"$T/second"
		[ -e "$T/try/data/$last" ] && continue
		ws-range --all "$T/wtpl" >"$T/want-first-waste"
		ws-range --all "$T/try" >"$T/want-both-waste"
		return 0
	done
	echo "no commit rewrote a data file"
	return 1
}

# fresh_store [tail|waste] : the store with the first batch committed;
# with "tail", garbage past the committed end of the data file, as a
# crashed writer leaves it (the next commit must cut it off: ftruncate);
# with "waste", the store of waste_template.
fresh_store() {
	rm -rf "$S"
	if [ "${1:-}" = waste ]; then
		cp -a "$T/wtpl" "$S"
		return 0
	fi
	ws-ingest "$S" <"$T/first"
	if [ "${1:-}" = tail ]; then
		printf 'torn tail of a crashed writer' >>"$S/data/00000001.wsd"
	fi
}

# word_of NAME : the word the message uses for a failed call NAME.
word_of() {
	case $1 in
	pwrite) echo write ;;
	ftruncate) echo truncate ;;
	openat) echo open ;;
	*) echo "$1" ;;
	esac
}

# check_ingest_faults NAME ERRNO [tail|waste] : for N = 1 .. calls+1, fail the
# Nth NAME call of the second ingest and check what warmstore(5) promises.
check_ingest_faults() {
	local name=$1 errno=$2 mode=${3:-} n calls errtext
	local first=$T/want-first both=$T/want-both
	case $errno in
	ENOSPC) errtext='No space left on device' ;;
	EIO) errtext='Input/output error' ;;
	esac
	if [ "$mode" = waste ]; then
		waste_template || return 1
		first=$T/want-first-waste both=$T/want-both-waste
	fi
	fresh_store $mode
	cp -a "$S" "$T/copy"
	calls=$(count_calls "$name" ws-ingest "$T/copy" <"$T/second")
	rm -rf "$T/copy"
	[ "$calls" -ge 1 ] || { echo "no $name call in a commit"; return 1; }
	for n in $(seq 1 $((calls + 1))); do
		fresh_store $mode
		rm -f "$T/log"
		faulty FAULT_CALL="$name" FAULT_NTH="$n" FAULT_ERRNO="$errno" \
			ws-ingest "$S" <"$T/second" >"$T/out" 2>"$T/err" &&
			status=0 || status=$?
		[ ! -s "$T/out" ]
		if ! grep -q "^$name $n failed$" "$T/log"; then
			# Past the last call: nothing failed.
			[ "$n" -eq $((calls + 1)) ] || { echo "$name $n: not reached"; return 1; }
			[ "$status" -eq 0 ] || { echo "$name $n: exit $status"; cat "$T/err"; return 1; }
			same_as "$both"
			continue
		fi
		if [ "$status" -ne 2 ] ||
			! grep -q "^ws-ingest: $S.*: $(word_of "$name").*: $errtext" "$T/err"; then
			echo "$name $n ($errno): exit $status, stderr:"
			cat "$T/err"
			return 1
		fi
		if grep -q 'after the rename\|after the batch was committed' "$T/err"; then
			same_as "$both" || { echo "$name $n: after the rename"; return 1; }
		else
			same_as "$first" || { echo "$name $n: not the first batch"; return 1; }
		fi
		ws-ingest "$S" <"$T/second" || { echo "$name $n: no recovery"; return 1; }
		same_as "$both" || { echo "$name $n: recovery differs"; return 1; }
		if grep -q 'after the rename' "$T/err"; then
			# The segments the new MANIFEST merged away stay: the old
			# MANIFEST, which names them, may be what a crash brings
			# back. ws-reindex removes them.
			ws-reindex "$S" >/dev/null 2>&1 || true
		fi
		ws-reindex --check "$S" >"$T/check" 2>&1 ||
			{ echo "$name $n: reindex --check:"; cat "$T/check"; return 1; }
	done
}

# --- the shim itself ---------------------------------------------------

@test "the shim counts calls and fails only the chosen one" {
	fresh_store
	faulty FAULT_CALL=fdatasync FAULT_NTH=1 ws-ingest "$S" <"$T/second" 2>"$T/err" || true
	grep -q '^fdatasync 1 failed$' "$T/log"
	grep -q '^openat 1$' "$T/log"
	grep -q '^rename 1$' "$T/log" && false
	grep -q 'fdatasync: Input/output error' "$T/err"
}

# --- ws-ingest: every step of a commit -----------------------------------

@test "ws-ingest: a failed data write (pwrite) at each step, ENOSPC" {
	check_ingest_faults pwrite ENOSPC
}

@test "ws-ingest: a failed fdatasync of the data file, EIO" {
	check_ingest_faults fdatasync EIO
}

@test "ws-ingest: a failed segment or MANIFEST.tmp write, ENOSPC and EIO" {
	check_ingest_faults write ENOSPC
	check_ingest_faults write EIO
}

@test "ws-ingest: a failed fsync (segment, index/, MANIFEST.tmp, store dir), EIO" {
	check_ingest_faults fsync EIO
}

@test "ws-ingest: a commit that rewrites a wasteful data file fails at each step" {
	check_ingest_faults pwrite ENOSPC waste
	check_ingest_faults fdatasync EIO waste
	check_ingest_faults fsync EIO waste
	check_ingest_faults write ENOSPC waste
	check_ingest_faults openat ENOSPC waste
	check_ingest_faults rename ENOSPC waste
}

@test "ws-ingest: creating a store fsyncs the directory that holds it" {
	calls=$(count_calls fsync ws-ingest "$T/copy" <"$T/first")
	for n in $(seq 1 "$calls"); do
		rm -rf "$S"
		faulty FAULT_CALL=fsync FAULT_NTH="$n" ws-ingest "$S" <"$T/first" \
			2>"$T/err.$n" && status=0 || status=$?
		if grep -qx "ws-ingest: $S/..: fsync: Input/output error" "$T/err.$n"; then
			[ "$status" -eq 2 ]
			[ ! -e "$S/MANIFEST" ]
			ws-ingest "$S" <"$T/first"
			same_as "$T/want-first"
			return 0
		fi
	done
	echo "no fsync of $T"
	false
}

@test "ws-ingest: a failed fsync of the new data directory and file" {
	# The first commit of a store creates data/00000001.wsd: its
	# directory is fsynced too. Fail each fsync of that commit.
	local n calls
	calls=$(count_calls fsync ws-ingest "$T/copy" <"$T/first")
	[ "$calls" -ge 4 ]
	for n in $(seq 1 "$calls"); do
		rm -rf "$S"
		run faulty FAULT_CALL=fsync FAULT_NTH="$n" ws-ingest "$S" <"$T/first"
		[ "$status" -eq 2 ]
		[[ "$output" == *": fsync"*"Input/output error"* ]]
		if [[ "$output" == *"after the rename"* ]]; then
			# Of the store's empty MANIFEST, or of the first commit's.
			ws-range --all "$S" >"$T/got"
			[ ! -s "$T/got" ] || cmp "$T/got" "$T/want-first"
		else
			# No store was made: the directory holds no MANIFEST
			# (readers say so), or an empty one.
			ws-range --all "$S" >"$T/got" 2>"$T/rerr" ||
				grep -q 'not a warmstore store (no MANIFEST)' "$T/rerr"
			[ ! -s "$T/got" ]
		fi
		ws-ingest "$S" <"$T/first"
		same_as "$T/want-first"
	done
}

@test "ws-ingest: a failed rename of MANIFEST.tmp, ENOSPC" {
	check_ingest_faults rename ENOSPC
	# No temporary is left behind.
	fresh_store
	faulty FAULT_CALL=rename FAULT_NTH=1 ws-ingest "$S" <"$T/second" 2>/dev/null || true
	[ ! -e "$S/MANIFEST.tmp" ]
}

@test "ws-ingest: a failed ftruncate of a torn tail, EIO" {
	check_ingest_faults ftruncate EIO tail
}

@test "ws-ingest: a failed open at each step, ENOSPC" {
	check_ingest_faults openat ENOSPC
}

@test "ws-ingest: short writes everywhere are no error" {
	local call
	for call in write pwrite; do
		fresh_store tail
		run faulty FAULT_CALL=$call FAULT_NTH=1 FAULT_REPEAT=1 FAULT_SHORT=1 \
			ws-ingest "$S" <"$T/second"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		grep -q "^$call [0-9]* short$" "$T/log"
		same_as "$T/want-both"
		ws-reindex --check "$S"
	done
}

@test "ws-ingest: EINTR from write, pwrite, fsync and fdatasync is retried" {
	local call
	for call in write pwrite fsync fdatasync; do
		fresh_store
		run faulty FAULT_CALL=$call FAULT_NTH=1 FAULT_ERRNO=EINTR \
			ws-ingest "$S" <"$T/second"
		[ "$status" -eq 0 ]
		grep -q "^$call 1 failed$" "$T/log"
		same_as "$T/want-both"
	done
}

@test "ws-ingest: a disk that stays full fails the commit cleanly" {
	fresh_store
	run faulty FAULT_CALL=pwrite FAULT_NTH=1 FAULT_REPEAT=1 FAULT_ERRNO=ENOSPC \
		ws-ingest "$S" <"$T/second"
	[ "$status" -eq 2 ]
	[[ "$output" == "ws-ingest: $S/data/00000001.wsd: write: No space left on device" ]]
	same_as "$T/want-first"
}

@test "ws-ingest -v: a fault in a later commit keeps the earlier ones" {
	# Three commits of 40 lines each (--batch-bytes 1k); the third fails.
	local i n
	for i in $(seq 1 120); do point 10 "$i" "$i" 0; done >"$T/many"
	fresh_store
	run faulty FAULT_CALL=rename FAULT_NTH=3 ws-ingest -v -b 1k "$S" <"$T/many"
	[ "$status" -eq 2 ]
	[[ "$output" == *"MANIFEST: rename: Input/output error"* ]]
	n=$(sed -n 's/^ws-ingest: committed through line \([0-9]*\)$/\1/p' <<<"$output" | tail -n 1)
	[ -n "$n" ]
	[ "$n" -lt 120 ]
	# Exactly lines 1..n are there, and resuming after n completes it.
	[ "$(ws-range "$S" -e 10 | wc -l)" -eq "$n" ]
	tail -n +$((n + 1)) "$T/many" | ws-ingest "$S"
	[ "$(ws-range "$S" -e 10 | wc -l)" -eq 120 ]
}

# --- ws-reindex ----------------------------------------------------------

# check_reindex_faults NAME : a store whose index was lost is rebuilt by a
# ws-reindex that fails at the Nth NAME call; it exits 2 naming the
# operation (or 0 with a sound store, when it could do without that call),
# and a clean ws-reindex afterwards restores the first batch.
check_reindex_faults() {
	local name=$1 n calls
	fresh_store
	rm -f "$S"/index/*
	cp -a "$S" "$T/copy"
	calls=$(count_calls "$name" ws-reindex "$T/copy")
	rm -rf "$T/copy"
	[ "$calls" -ge 1 ] || { echo "no $name call in ws-reindex"; return 1; }
	for n in $(seq 1 $((calls + 1))); do
		fresh_store
		rm -f "$S"/index/*
		rm -f "$T/log"
		faulty FAULT_CALL="$name" FAULT_NTH="$n" FAULT_ERRNO=EIO \
			ws-reindex "$S" >/dev/null 2>"$T/err" && status=0 || status=$?
		if grep -q "^$name $n failed$" "$T/log" && [ "$status" -ne 0 ]; then
			if [ "$status" -ne 2 ] ||
				! grep -q "^ws-reindex: .*$(word_of "$name").*Input/output error" "$T/err"; then
				echo "$name $n: exit $status, stderr:"
				cat "$T/err"
				return 1
			fi
		elif [ "$status" -ne 0 ]; then
			echo "$name $n: exit $status"
			return 1
		fi
		if [ "$status" -eq 0 ]; then
			# Not reached, or a failure it could do without (an
			# unreadable index segment is rebuilt anyway): then the
			# store must be sound right away.
			same_as "$T/want-first" || { echo "$name $n: exit 0, content differs"; return 1; }
			ws-reindex --check "$S" >/dev/null 2>&1 || { echo "$name $n: exit 0, --check"; return 1; }
		fi
		ws-reindex "$S" >/dev/null 2>&1 || { echo "$name $n: no recovery"; return 1; }
		same_as "$T/want-first" || { echo "$name $n: content differs"; return 1; }
		ws-reindex --check "$S" >/dev/null 2>&1 || { echo "$name $n: --check"; return 1; }
	done
}

@test "ws-reindex: failed writes, fsyncs, renames and opens" {
	[ -x "$WS_BINDIR/ws-reindex" ] || skip "no ws-reindex"
	check_reindex_faults write
	check_reindex_faults fsync
	check_reindex_faults rename
	check_reindex_faults openat
}

@test "ws-ingest: a read error on stdin still commits the lines accepted before it" {
	# 3000 lines: several reads of standard input; the second one fails.
	awk 'BEGIN { for (t = 1; t <= 3000; t++)
		printf "{\"entity_id\":4,\"timestamp\":%d,\"vector\":[%d]}\n", t, t }' >"$T/many"
	rm -rf "$S"
	faulty FAULT_CALL=read FAULT_NTH=2 FAULT_ERRNO=EIO \
		ws-ingest -v "$S" <"$T/many" >"$T/out" 2>"$T/err" && status=0 || status=$?
	[ "$status" -eq 2 ]
	grep -q '^read 2 failed$' "$T/log"
	grep -qx 'ws-ingest: stdin: read: Input/output error' "$T/err"
	n=$(sed -n 's/^ws-ingest: committed through line //p' "$T/err" | tail -n 1)
	[ "$n" -gt 0 ]
	# Every line of the first read is committed, whole and in order.
	[ "$(ws-range "$S" -e 4 | wc -l)" -eq "$n" ]
	[ "$(ws-range "$S" -e 4 -r -n 1)" = "{\"entity_id\":4,\"space_id\":0,\"timestamp\":$n,\"vector\":[$n]}" ]
	# Resuming after line N completes the input.
	tail -n +$((n + 1)) "$T/many" | ws-ingest "$S"
	[ "$(ws-range "$S" -e 4 | wc -l)" -eq 3000 ]
}

@test "ws-ingest: a read error while reading ahead comes after the lines read before it" {
	# 1,000 lines, all in the pipe before ws-ingest reads: the first read
	# takes them all, the second (reading ahead for more) fails.
	awk 'BEGIN { for (t = 1; t <= 1000; t++)
		printf "{\"entity_id\":4,\"timestamp\":%d,\"vector\":[%d]}\n", t, t }' >"$T/few"
	[ "$(wc -c <"$T/few")" -lt 65536 ]
	rm -rf "$S"
	cat "$T/few" | {
		sleep 0.5
		faulty FAULT_CALL=read FAULT_NTH=2 FAULT_ERRNO=EIO \
			ws-ingest -v "$S" >"$T/out" 2>"$T/err"
	} && status=0 || status=$?
	[ "$status" -eq 2 ]
	grep -q '^read 2 failed$' "$T/log"
	grep -qx 'ws-ingest: stdin: read: Input/output error' "$T/err"
	grep -qx 'ws-ingest: committed through line 1000' "$T/err"
	[ "$(ws-range "$S" -e 4 | wc -l)" -eq 1000 ]
}

# check_compact_faults NAME ERRNO : a ws-reindex --compact that fails at
# the Nth NAME call exits 2 naming the call, leaves the answers as they
# were and no file that its MANIFEST does not name (the commits before the
# failed one stay: a compaction is one commit per batch of series), and
# --check is clean afterwards.
check_compact_faults() {
	local name=$1 errno=$2 n calls
	fresh_store
	ws-ingest -M "$S" <"$T/second"
	cp -a "$S" "$T/copy"
	calls=$(count_calls "$name" ws-reindex --compact "$T/copy")
	rm -rf "$T/copy"
	[ "$calls" -ge 1 ] || { echo "no $name call in a compaction"; return 1; }
	for n in $(seq 1 "$calls"); do
		rm -rf "$S"
		fresh_store
		ws-ingest -M "$S" <"$T/second"
		rm -f "$T/log"
		faulty FAULT_CALL="$name" FAULT_NTH="$n" FAULT_ERRNO="$errno" \
			ws-reindex --compact "$S" >/dev/null 2>"$T/err" && status=0 || status=$?
		same_as "$T/want-both" || { echo "$name $n: answers differ"; return 1; }
		if [ "$status" -ne 0 ] && ! grep -q 'after the rename' "$T/err"; then
			[ "$status" -eq 2 ] || { echo "$name $n: exit $status"; cat "$T/err"; return 1; }
			# Commits before the failed one stay; no file is left
			# that the MANIFEST does not name.
			for f in $(cd "$S" && ls data/* index/*); do
				grep -q "\"$f\"" "$S/MANIFEST" ||
					{ echo "$name $n: $f left"; return 1; }
			done
		fi
		ws-reindex --check "$S" >"$T/check" 2>&1 ||
			{ echo "$name $n: --check:"; cat "$T/check"; return 1; }
	done
}

@test "ws-reindex --compact: a failed write, fsync or open leaves no file of its own" {
	check_compact_faults pwrite ENOSPC
	check_compact_faults write ENOSPC
	check_compact_faults fdatasync EIO
	check_compact_faults openat ENOSPC
	check_compact_faults rename EIO
	check_compact_faults fsync EIO
}

# rebuilt_from_data : the store rebuilt by ws-reindex from its data files
# alone, MANIFEST and index removed (a manifest lost with its disk).
rebuilt_from_data() {
	rm -rf "$S/MANIFEST" "$S/index"
	ws-reindex "$S" >/dev/null 2>"$T/rx" || [ $? -eq 1 ] ||
		{ cat "$T/rx"; return 1; }
}

@test "ws-ingest killed at each write, sync or rename of a commit: a rebuild from the data alone holds whole batches only" {
	# A run of several commits (-b 1k) of five series each, so that each
	# batch takes several blocks and writes, and a kill can fall between
	# the blocks of one batch and between batches.
	for t in $(seq 1 40); do
		for e in 5 6 7 8 9; do point "$e" "$t" "$t" 1; done
	done >"$T/big"
	# The store after each commit boundary M of that run: first + lines 1..M.
	fresh_store
	ws-ingest -v -b 1k "$S" <"$T/big" 2>&1 |
		sed -n 's/^ws-ingest: committed through line //p' >"$T/bounds"
	[ "$(wc -l <"$T/bounds")" -ge 3 ]
	for m in 0 $(cat "$T/bounds"); do
		rm -rf "$T/r"
		ws-ingest "$T/r" <"$T/first"
		head -n "$m" "$T/big" | ws-ingest "$T/r"
		ws-range --all "$T/r" >"$T/want.$m"
	done
	for name in pwrite write fdatasync fsync rename; do
		fresh_store
		cp -a "$S" "$T/copy"
		calls=$(count_calls "$name" ws-ingest -b 1k "$T/copy" <"$T/big")
		rm -rf "$T/copy"
		[ "$calls" -ge 1 ]
		for n in $(seq 1 "$calls"); do
			fresh_store
			faulty FAULT_CALL="$name" FAULT_NTH="$n" FAULT_KILL=1 \
				ws-ingest -b 1k "$S" <"$T/big" >/dev/null 2>&1 &&
				{ echo "$name $n: not killed"; return 1; }
			rebuilt_from_data || { echo "$name $n: rebuild failed"; return 1; }
			ws-range --all "$S" >"$T/got"
			whole=no
			for m in 0 $(cat "$T/bounds"); do
				cmp -s "$T/got" "$T/want.$m" && { whole=yes; break; }
			done
			[ "$whole" = yes ] || { echo "$name $n: not whole batches"; head -3 "$T/got"; return 1; }
		done
	done
}

@test "a disk that fills during the first commit of a new store (a real tmpfs): the failed commit leaves nothing, the next run works" {
	mkdir "$T/small"
	mount -t tmpfs -o size=1m tmpfs "$T/small" 2>/dev/null ||
		skip "mounting a tmpfs needs root"
	# Random values of 7 digits (about 3 MB however they are coded): more
	# than the file system holds.
	awk 'BEGIN { srand(7); for (e = 1; e <= 100; e++) for (t = 1; t <= 600; t++) {
		printf "{\"entity_id\":%d,\"timestamp\":%d,\"vector\":[", e, t
		for (i = 0; i < 16; i++) printf "%s%.7f", i ? "," : "", rand()
		print "]}" } }' >"$T/big"
	run sep ws-ingest "$T/small/st" <"$T/big"
	status_big=$status
	used=$(du -sk "$T/small" | cut -f1)
	ls -la "$T/small/st/data" >"$T/ls" 2>&1 || true
	umount_small() { umount "$T/small"; }
	[ "$status_big" -eq 2 ] || { umount_small; false; }
	grep -q 'No space left on device' "$T/err" || { umount_small; false; }
	# What the failed commit wrote is gone: the disk is free again.
	[ "$used" -lt 100 ] || { cat "$T/ls"; umount_small; false; }
	point 1 1 1 | ws-ingest "$T/small/st" || { umount_small; false; }
	[ "$(ws-range --all "$T/small/st")" = "$(point 1 1 1)" ] || { umount_small; false; }
	ws-reindex --check "$T/small/st" || { umount_small; false; }
	umount_small
}

@test "ws-reindex on a full disk: what it reports as done is done, the rest says it was not" {
	fresh_store
	# A damaged block to move aside, and a stray segment to remove.
	printf 'ju' | dd of="$S/data/00000001.wsd" bs=1 seek=76 conv=notrunc 2>/dev/null
	cp "$(ls "$S"/index/*.wsi | head -n 1)" "$S/index/0000000000000099.wsi"
	faulty FAULT_CALL=write FAULT_NTH=1 FAULT_REPEAT=1 FAULT_ERRNO=ENOSPC \
		ws-reindex -v "$S" 2>"$T/err" && status=0 || status=$?
	[ "$status" -eq 2 ]
	grep -q 'No space left on device' "$T/err"
	grep -q "block CRC mismatch.*moved aside to .* (not done: the repair stopped)" "$T/err"
	# The stray segment went first, before anything was written.
	[ ! -e "$S/index/0000000000000099.wsi" ]
	grep -q "0000000000000099.wsi: segment the MANIFEST does not name; removed" "$T/err"
	# With room again, the repair completes and says so without the note.
	ws-reindex "$S" 2>"$T/err2" || [ $? -eq 1 ]
	grep -q "moved aside to" "$T/err2"
	run grep -c "not done" "$T/err2"
	[ "$output" = 0 ]
	ws-reindex --check "$S"
}

@test "ws-delete: a failed write, sync or rename of the delete commit leaves the key, a retry deletes it" {
	for name in pwrite write fdatasync fsync rename; do
		fresh_store
		cp -a "$S" "$T/copy"
		calls=$(count_calls "$name" ws-delete -e 1 -t 10 "$T/copy")
		rm -rf "$T/copy"
		[ "$calls" -ge 1 ] || { echo "no $name call in a delete"; return 1; }
		for n in $(seq 1 "$calls"); do
			fresh_store
			faulty FAULT_CALL="$name" FAULT_NTH="$n" FAULT_ERRNO=EIO \
				ws-delete -e 1 -t 10 "$S" 2>"$T/err" && status=0 || status=$?
			[ "$status" -eq 2 ] || { echo "$name $n: exit $status"; cat "$T/err"; return 1; }
			grep -q "^ws-delete: $S.*: $(word_of "$name").*: Input/output error" "$T/err" ||
				{ echo "$name $n:"; cat "$T/err"; return 1; }
			if grep -q 'after the rename\|after the batch was committed' "$T/err"; then
				run ws-get -e 1 -t 10 "$S"
				[ "$status" -eq 1 ] || { echo "$name $n: committed, but the key is there"; return 1; }
			else
				same_as "$T/want-first" || { echo "$name $n: not the state before"; return 1; }
			fi
			ws-delete -e 1 -t 10 "$S" || { echo "$name $n: no recovery"; return 1; }
			run ws-get -e 1 -t 10 "$S"
			[ "$status" -eq 1 ]
			ws-reindex --check "$S" || { echo "$name $n: not sound"; return 1; }
		done
	done
}
