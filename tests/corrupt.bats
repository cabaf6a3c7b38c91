#!/usr/bin/env bats
# corrupt.bats - damaged stores: a data file cut in the middle of its last
# block, a flipped byte in a block payload or header, and derived files
# that point outside the store, lie about lengths or are not JSON.
# Readers stop with exit 2 naming the file; ws-reindex --check reports;
# ws-reindex keeps every block that verifies and moves the rest aside.

load helpers

DATA=data/00000001.wsd

# Five entities, one commit each, ten points each: one block per entity.
make_store() {
	for e in 1 2 3 4 5; do
		for t in $(seq 1 10); do point "$e" "$t" "$e.25" "$t"; done | ingest
	done
	ws-range --all "$S" >"$T/all"
}

# offset_of E : offset of the block of entity E.
offset_of() {
	ws-zones -e "$1" "$S" | sed 's/.*"offset":\([0-9]*\),.*/\1/'
}

# flip FILE OFFSET : inverts the low bit of one byte.
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# fingerprint : checksums of every file of the store.
fingerprint() {
	(cd "$S" && find . -type f ! -name lock | sort | xargs md5sum)
}

@test "a data file cut in the middle of its last block: check reports, reindex cuts the torn tail" {
	make_store
	# The last 32 bytes are the commit record closing the last block.
	size=$(($(stat -c %s "$S/$DATA") - 32))
	last=$(offset_of 5)
	truncate -s $((size - 20)) "$S/$DATA"
	run sep ws-range -e 5 "$S"
	[ "$status" -eq 2 ]
	grep -q "$S/$DATA" "$T/err"
	run sep ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	grep -q "^ws-reindex: $S/$DATA: offset $last: torn block" "$T/err"
	run sep ws-reindex "$S"
	[ "$status" -eq 1 ]
	grep -q "offset $last: torn block.*saved as $S/lost+found/00000001.wsd.$last" "$T/err"
	[ "$(stat -c %s "$S/$DATA")" -eq "$last" ]
	# The cut bytes are kept, byte for byte.
	[ "$(stat -c %s "$S/lost+found/00000001.wsd.$last")" -eq $((size - 20 - last)) ]
	grep -v '"entity_id":5,' "$T/all" >"$T/want"
	ws-range --all "$S" | cmp - "$T/want"
	ws-reindex --check "$S"
	fingerprint >"$T/fp1"
	ws-reindex "$S"
	fingerprint | cmp - "$T/fp1"
	# Writers go on appending after the cut.
	point 5 1 7 7 | ingest
	ws-reindex --check "$S"
}

@test "a data file cut inside a block header is a torn tail too" {
	make_store
	last=$(offset_of 5)
	truncate -s $((last + 30)) "$S/$DATA"
	run sep ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	grep -q "offset $last: torn block" "$T/err"
	ws-reindex "$S" 2>/dev/null || true
	ws-reindex --check "$S"
}

@test "one flipped payload byte: check finds it, reindex moves it aside, every other point answers" {
	make_store
	off=$(offset_of 3)
	bytes=$(ws-zones -e 3 "$S" | sed 's/.*"bytes":\([0-9]*\),.*/\1/')
	cp "$S/$DATA" "$T/orig.wsd"
	flip "$S/$DATA" $((off + 72 + 5))
	run sep ws-range -e 3 "$S"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	grep -q "$S/$DATA: offset $off: block CRC mismatch" "$T/err"
	run sep ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	# What was lost is named from the block's header, which verifies.
	[ "$(cat "$T/err")" = "ws-reindex: $S/$DATA: offset $off: block CRC mismatch (entity 3, space 0, 10 points from 1 to 10)" ]
	run sep ws-reindex "$S"
	[ "$status" -eq 1 ]
	grep -q "offset $off: block CRC mismatch (entity 3, space 0, 10 points from 1 to 10); $bytes bytes moved aside to $S/lost+found/00000001.wsd.$off" "$T/err"
	# Moved aside, not deleted: lost+found holds the damaged bytes.
	dd if="$S/$DATA" bs=1 skip="$off" count="$bytes" 2>/dev/null |
		cmp - "$S/lost+found/00000001.wsd.$off"
	grep -v '"entity_id":3,' "$T/all" >"$T/want"
	ws-range --all "$S" | cmp - "$T/want"
	for e in 1 2 4 5; do
		[ "$(ws-range -e "$e" "$S" | wc -l)" -eq 10 ]
		ws-get -e "$e" -t 7 "$S" >/dev/null
	done
	run ws-get -e 3 -t 7 "$S"
	[ "$status" -eq 1 ]
	# Repaired: check is clean and reports the moved block no more.
	run sep ws-reindex --check "$S"
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
	fingerprint >"$T/fp1"
	run ws-reindex "$S"
	[ "$status" -eq 0 ]
	fingerprint | cmp - "$T/fp1"
	# A later commit keeps the quarantine record.
	point 6 1 1 2 | ingest
	ws-reindex --check "$S"
	grep -q '"quarantine"' "$S/MANIFEST"
}

@test "a flipped header byte: reindex finds the next block and keeps it" {
	make_store
	off=$(offset_of 2)
	next=$(offset_of 3)
	flip "$S/$DATA" $((off + 10))
	run sep ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	grep -q "offset $off: block header CRC mismatch (what it held is unknown)" "$T/err"
	run sep ws-reindex "$S"
	[ "$status" -eq 1 ]
	[ "$(stat -c %s "$S/lost+found/00000001.wsd.$off")" -eq $((next - off)) ]
	grep -v '"entity_id":2,' "$T/all" >"$T/want"
	ws-range --all "$S" | cmp - "$T/want"
	ws-reindex --check "$S"
}

@test "a rebuild without MANIFEST still moves a damaged block aside" {
	make_store
	off=$(offset_of 4)
	flip "$S/$DATA" $((off + 80))
	rm -f "$S/MANIFEST" "$S"/index/*
	run sep ws-reindex "$S"
	[ "$status" -eq 1 ]
	grep -q "offset $off: block CRC mismatch" "$T/err"
	grep -v '"entity_id":4,' "$T/all" >"$T/want"
	ws-range --all "$S" | cmp - "$T/want"
	ws-reindex --check "$S"
}

# manifest_edit SED-SCRIPT : rewrites the MANIFEST, checksum included.
manifest_edit() {
	sed -i "$1" "$S/MANIFEST"
	reseal
}

# reader_refuses : every reader exits 2 naming the file, printing nothing.
reader_refuses() {
	local what=$1
	for cmd in "ws-range --all" "ws-zones" "ws-get -e 1 -t 1" "ws-range -e 1"; do
		run sep $cmd "$S"
		[ "$status" -eq 2 ] || { echo "$cmd: exit $status"; return 1; }
		[ -z "$output" ] || { echo "$cmd printed: $output"; return 1; }
		grep -q "$what" "$T/err" || { echo "$cmd:"; cat "$T/err"; return 1; }
	done
}

@test "a MANIFEST naming a path outside the store: readers refuse, reindex rebuilds" {
	make_store
	cp "$S/MANIFEST" "$T/good"
	for bad in '../../etc/passwd' '/etc/passwd' 'data/../../x.wsd'; do
		cp "$T/good" "$S/MANIFEST"
		manifest_edit "s|\"file\":\"$DATA\"|\"file\":\"$bad\"|"
		reader_refuses "$S/MANIFEST: file \"$bad\" is not a store file name"
		run sep ws-reindex --check "$S"
		[ "$status" -eq 1 ]
		grep -q "$S/MANIFEST" "$T/err"
		ws-reindex "$S"
		ws-range --all "$S" | cmp - "$T/all"
	done
}

@test "a hostile file name in the MANIFEST is shown escaped, never raw" {
	make_store
	# An escape sequence, a C1 CSI, a quote and a backslash, as JSON writes them.
	manifest_edit 's|"file":"'"$DATA"'"|"file":"\\u001b]0;x\\u0007\\u009bq\\"\\\\x"|'
	want="$S/MANIFEST: file \"\\\\u001b]0;x\\\\u0007\\\\u009bq\\\\\"\\\\\\\\x\" is not a store file name"
	reader_refuses "$want"
	for cmd in "ws-reindex --check" "ws-ingest"; do
		run sep $cmd "$S" </dev/null
		[ "$status" -ne 0 ]
		grep -q "$want" "$T/err" || { echo "$cmd:"; cat -v "$T/err"; return 1; }
	done
	run grep -c $'\x1b\|\xc2\x9b' "$T/err"
	[ "$output" = 0 ]
	# So is the name of a stray file where a store would be made.
	rm -rf "$S"
	mkdir "$S"
	touch "$S/"$'x\x1b]0;y\x07'
	run sep ws-ingest "$S" </dev/null
	[ "$status" -eq 2 ]
	[ "$(cat "$T/err")" = "ws-ingest: $S: directory exists and is not a warmstore store (found 'x\\u001b]0;y\\u0007')" ]
}

@test "a data file or segment that is a symlink leaving the store is refused" {
	make_store
	mv "$S/$DATA" "$T/outside.wsd"
	ln -s "$T/outside.wsd" "$S/$DATA"
	run sep ws-range -e 1 "$S"
	[ "$status" -eq 2 ]
	grep -q "$S/$DATA" "$T/err"
	run sep ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	grep -q "$S/$DATA: not a regular file" "$T/err"
	rm "$S/$DATA"
	mv "$T/outside.wsd" "$S/$DATA"
	seg=$(ls "$S"/index/*.wsi | head -n 1)
	mv "$seg" "$T/outside.wsi"
	ln -s "$T/outside.wsi" "$seg"
	reader_refuses "$seg"
	ws-reindex "$S"
	ws-range --all "$S" | cmp - "$T/all"
}

@test "a length past the end of a file: readers refuse, reindex trusts the data" {
	make_store
	size=$(stat -c %s "$S/$DATA")
	manifest_edit "s|\"length\":$size|\"length\":$((size + 5000))|"
	# Readers meet it only where a block reaches into the missing part.
	ws-range -e 1 "$S" >/dev/null
	seg=$(ls "$S"/index/*.wsi | head -n 1)
	n=$(( ($(stat -c %s "$seg") - 64) / 64 ))
	manifest_edit "s|\"records\":$n}|\"records\":$((n + 10))}|"
	reader_refuses "size does not match"
	run sep ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	grep -q "shorter than its committed length $((size + 5000))" "$T/err"
	run sep ws-reindex "$S"
	[ "$status" -eq 1 ]
	ws-range --all "$S" | cmp - "$T/all"
	ws-reindex --check "$S"
}

@test "garbage in the MANIFEST or a segment: readers exit 2 naming the file" {
	make_store
	cp "$S/MANIFEST" "$T/good"
	printf '{"format":"warmstore",' >"$S/MANIFEST"
	reader_refuses "$S/MANIFEST: no checksum"
	printf '{"format":"warmstore",],\n"crc":1}\n' >"$S/MANIFEST"
	reader_refuses "$S/MANIFEST: checksum mismatch"
	reseal
	reader_refuses "$S/MANIFEST: not valid JSON"
	head -c 300 /dev/urandom >"$S/MANIFEST"
	reader_refuses "$S/MANIFEST"
	ws-reindex "$S"
	ws-range --all "$S" | cmp - "$T/all"
	# A segment overwritten with noise of the same size.
	seg=$(ls "$S"/index/*.wsi | head -n 1)
	head -c "$(stat -c %s "$seg")" /dev/urandom >"$seg"
	reader_refuses "$seg"
	run sep ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	grep -q "$seg" "$T/err"
	ws-reindex "$S"
	ws-range --all "$S" | cmp - "$T/all"
}

@test "a quarantine entry outside the data makes the MANIFEST damaged" {
	make_store
	manifest_edit 's|^"spaces":\(.*\)\],$|"spaces":\1],"quarantine":[{"id":1,"offset":0,"length":999999999}],|'
	grep -q '"quarantine"' "$S/MANIFEST"
	reader_refuses "quarantined range outside the data"
	ws-reindex "$S"
	ws-range --all "$S" | cmp - "$T/all"
}

@test "a data file cut to nothing: check and repair report the loss and exit 1" {
	{ point 1 10 1; point 2 10 2; } | ingest
	truncate -s 0 "$S/data/00000001.wsd"
	run sep ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	grep -q "data/00000001.wsd: 0 bytes, shorter than its committed length" "$T/err"
	run sep ws-reindex --verbose "$S"
	[ "$status" -eq 1 ]
	grep -q "shorter than its committed length" "$T/err"
	grep -q "1 data files, 0 blocks" "$T/err"
	run ws-reindex --check "$S"
	[ "$status" -eq 0 ]
}

@test "a missing index segment: readers and ws-ingest exit 2 naming it" {
	point 1 10 1 | ingest
	seg=$(cd "$S" && ls index/*.wsi)
	rm "$S/$seg"
	for cmd in "ws-range -e 1" "ws-get -e 1 -t 10" "ws-zones --summary"; do
		run sep $cmd "$S"
		[ "$status" -eq 2 ]
		grep -q "$S/$seg: No such file or directory" "$T/err"
	done
	run sep ingest < <(point 2 10 1)
	[ "$status" -eq 2 ]
	grep -q "$S/$seg" "$T/err"
}

@test "data/ or index/ as a symbolic link is refused, and named as one" {
	point 1 10 1 | ingest
	mv "$S/data" "$T/elsewhere"
	ln -s "$T/elsewhere" "$S/data"
	for cmd in "ws-range -e 1" "ws-get -e 1 -t 10" "ws-zones" "ws-reindex --check" "ws-reindex"; do
		run sep $cmd "$S"
		[ "$status" -eq 2 ]
		grep -q "$S/data: a symbolic link; data/ must be a directory inside the store" "$T/err"
	done
	run sep ingest < <(point 2 10 1)
	[ "$status" -eq 2 ]
	grep -q "$S/data: a symbolic link" "$T/err"
}

# every_reader_says STATUS LINE... : each reader exits STATUS and its
# stderr is exactly the LINEs, "PROG: " in front of each.
every_reader_says() {
	local want_status=$1 cmd prog
	shift
	for cmd in "ws-range --all" "ws-zones" "ws-get -e 1 -t 1" "ws-range -e 1"; do
		prog=${cmd%% *}
		run sep $cmd "$S"
		[ "$status" -eq "$want_status" ] || { echo "$cmd: exit $status"; return 1; }
		printf "$prog: %s\n" "$@" >"$T/want"
		diff "$T/want" "$T/err" || { echo "$cmd"; return 1; }
	done
}

@test "a store that lost its MANIFEST or index/: readers name the problem and ws-reindex" {
	make_store
	mv "$S/MANIFEST" "$T/MANIFEST"
	every_reader_says 2 "$S: no MANIFEST, but data/ holds '00000001.wsd': run 'ws-reindex $S' to rebuild the manifest from the data files"
	ws-reindex "$S"
	ws-range --all "$S" | cmp - "$T/all"
	rm -r "$S/index"
	every_reader_says 2 "$S/index: No such directory" "run 'ws-reindex $S' to repair the store (see ws-reindex(1))"
	run sep ws-ingest "$S" </dev/null
	[ "$status" -eq 2 ]
	grep -qx "ws-ingest: run 'ws-reindex $S' to repair the store (see ws-reindex(1))" "$T/err"
	ws-reindex "$S"
	ws-range --all "$S" | cmp - "$T/all"
}

@test "a damaged block: readers name it and the command that repairs it" {
	make_store
	off=$(offset_of 1)
	flip "$S/$DATA" $((off + 80))
	run sep ws-get -e 1 -t 1 "$S"
	[ "$status" -eq 2 ]
	[ "$(sed -n 2p "$T/err")" = "ws-get: run 'ws-reindex $S' to repair the store (see ws-reindex(1))" ]
	# ws-reindex itself gives no such hint: repairing is its job.
	run sep ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	run grep -c "to repair the store" "$T/err"
	[ "$output" = 0 ]
}

@test "a directory that is no store is named as such, with no repair hint" {
	mkdir "$T/plain"
	S="$T/plain"
	every_reader_says 2 "$S/data: No such directory (not a warmstore store?)"
	mkdir "$S/data" "$S/index"
	every_reader_says 2 "$S: not a warmstore store (no MANIFEST)"
}

# data_size : bytes of the store's first data file.
data_size() {
	stat -c %s "$S/$DATA"
}

@test "a MANIFEST edited by hand fails its checksum: writers refuse it and point to ws-reindex" {
	make_store
	len=$(data_size)
	sed -i "s/\"length\":$len/\"length\":$((len - 20))/" "$S/MANIFEST"
	run sep ws-ingest "$S" < <(point 9 1 1 1)
	[ "$status" -eq 2 ]
	grep -q "$S/MANIFEST: checksum mismatch" "$T/err"
	grep -q "run 'ws-reindex $S'" "$T/err"
	# Nothing was cut: the committed block at the end is still there.
	[ "$(data_size)" -eq "$len" ]
	run sep ws-reindex -v "$S"
	grep -q "$S/MANIFEST: checksum mismatch.*rebuilt from the data files" "$T/err"
	ws-range --all "$S" | cmp - "$T/all"
}

@test "a lowered committed length, even resealed, is refused by a writer: it does not end at a commit record" {
	make_store
	len=$(data_size)
	manifest_edit "s/\"length\":$len/\"length\":$((len - 20))/"
	run sep ws-ingest "$S" < <(point 9 1 1 1)
	[ "$status" -eq 2 ]
	grep -q "$S/MANIFEST does not match the data (run 'ws-reindex $S'): $S/$DATA: offset $((len - 52)): bad commit record" "$T/err"
	[ "$(data_size)" -eq "$len" ]
}

@test "a lowered next_seq, even resealed, is refused by a writer" {
	make_store
	manifest_edit 's/"next_seq":[0-9]*/"next_seq":1/'
	run sep ws-ingest "$S" < <(point 1 1 7 7)
	[ "$status" -eq 2 ]
	grep -q "$S/MANIFEST does not match the data (run 'ws-reindex $S'): .*: commit 5 is not below next_seq 1" "$T/err"
	# ws-reindex takes next_seq from the data again.
	run sep ws-reindex -v "$S"
	grep -q "next_seq 1 is not above the highest block seq 5" "$T/err"
	point 1 1 7 7 | ingest
	[ "$(ws-get -e 1 -t 1 "$S")" = "$(point 1 1 7 7)" ]
}

@test "a quarantine range written into the MANIFEST by hand drops nothing: the checksum fails and the data win" {
	make_store
	first=$(offset_of 1)
	sed -i 's|^"spaces":\(.*\)\],$|"spaces":\1],"quarantine":[{"id":1,"offset":0,"length":100}],|' "$S/MANIFEST"
	run sep ws-reindex -v "$S"
	grep -q "checksum mismatch" "$T/err"
	[ ! -e "$S/lost+found" ] || [ -z "$(ls "$S/lost+found")" ]
	ws-range --all "$S" | cmp - "$T/all"
	[ "$first" -eq 0 ]
}

@test "two index records swapped: readers refuse the segment instead of missing a key, ws-reindex rebuilds it" {
	make_store
	seg=$(ls "$S"/index/*.wsi | head -n 1)
	# Records 0 and 1 (64 bytes each, after the 64-byte header) change places.
	dd if="$seg" of="$T/r0" bs=64 skip=1 count=1 2>/dev/null
	dd if="$seg" of="$T/r1" bs=64 skip=2 count=1 2>/dev/null
	dd if="$T/r1" of="$seg" bs=64 seek=1 conv=notrunc 2>/dev/null
	dd if="$T/r0" of="$seg" bs=64 seek=2 conv=notrunc 2>/dev/null
	run sep ws-range --all "$S"
	[ "$status" -eq 2 ]
	grep -q "$seg: record [01]: CRC mismatch" "$T/err"
	run sep ws-reindex --check "$S"
	[ "$status" -eq 1 ]
	ws-reindex "$S" 2>/dev/null
	ws-range --all "$S" | cmp - "$T/all"
}

@test "the bytes a repair keeps in lost+found are reported by ws-zones --summary and ws-reindex -v" {
	make_store
	off=$(offset_of 3)
	flip "$S/$DATA" $((off + 80))
	ws-reindex "$S" 2>/dev/null || true
	kept=$(cat "$S"/lost+found/* | wc -c)
	[ "$kept" -gt 0 ]
	run ws-zones --summary "$S"
	[[ $output == *"\"lost_found_bytes\":$kept}" ]]
	run sep ws-reindex --check -v "$S"
	[ "$status" -eq 0 ]
	grep -qx "ws-reindex: $S/lost+found holds $kept bytes kept aside by repairs: remove what is not wanted" "$T/err"
}
