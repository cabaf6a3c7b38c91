#!/usr/bin/env bats
# ingest.bats - ws-ingest: store creation, its options, line handling,
# exact keys, latest-write-wins, ordering, dimensions, concurrent writers
# and readers that never see half a commit.

load helpers

# padded E T LEN : a valid point line of exactly LEN bytes (no newline
# counted), padded through a metadata value.
padded() {
	local head="{\"entity_id\":$1,\"timestamp\":$2,\"vector\":[1],\"metadata\":{\"p\":\""
	local tail='"}}'
	local n=$(($3 - ${#head} - ${#tail}))
	printf '%s%s%s\n' "$head" "$(head -c "$n" /dev/zero | tr '\0' x)" "$tail"
}

# canon E S T VEC : the canonical output line of a point without metadata.
canon() {
	printf '{"entity_id":%s,"space_id":%s,"timestamp":%s,"vector":[%s]}' "$1" "$2" "$3" "$4"
}

# commits FILE : the N of every "committed through line N" line of FILE.
commits() {
	sed -n 's/^ws-ingest: committed through line \([0-9][0-9]*\)$/\1/p' "$1"
}

# --- the store -----------------------------------------------------------

@test "ws-ingest creates the store and the points read back" {
	[ ! -e "$S" ]
	run sep ingest < <(point 1 10 0.5 0.25 -3.5; point 2 20 1 2 3)
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -s "$T/err" ]
	[ -d "$S" ]
	[ -f "$S/MANIFEST" ]
	run ws-range "$S" -e 1
	[ "$status" -eq 0 ]
	[ "$output" = "$(canon 1 0 10 0.5,0.25,-3.5)" ]
	run ws-get "$S" -e 2 -t 20
	[ "$status" -eq 0 ]
	[ "$output" = "$(canon 2 0 20 1,2,3)" ]
}

@test "ws-ingest with empty input creates an empty store" {
	run ingest </dev/null
	[ "$status" -eq 0 ]
	[ -d "$S" ]
	run ws-range --all "$S"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "ws-ingest adopts an existing empty directory" {
	mkdir "$S"
	point 1 10 1 | ingest
	[ -f "$S/MANIFEST" ]
	run ws-range "$S" -e 1
	[ "$output" = "$(canon 1 0 10 1)" ]
}

@test "ws-ingest finishes a half-made store: empty data/ and index/, no MANIFEST" {
	mkdir -p "$S/data" "$S/index"
	point 1 10 1 | ingest
	run ws-range "$S" -e 1
	[ "$output" = "$(canon 1 0 10 1)" ]
}

@test "ws-ingest refuses a store that lost its MANIFEST and keeps its data" {
	{ point 1 10 1; point 1 20 2; } | ingest
	size=$(stat -c %s "$S"/data/00000001.wsd)
	rm "$S/MANIFEST"
	run sep ingest < <(point 2 10 5)
	[ "$status" -eq 2 ]
	grep -q "$S: no MANIFEST, but data/ holds '00000001.wsd': run 'ws-reindex $S'" "$T/err"
	[ ! -e "$S/MANIFEST" ]
	[ "$(stat -c %s "$S"/data/00000001.wsd)" -eq "$size" ]
	# Empty input is refused too: it would write a MANIFEST naming no data.
	run sep ingest </dev/null
	[ "$status" -eq 2 ]
	[ ! -e "$S/MANIFEST" ]
	# The index alone left over is refused as well.
	run ws-reindex "$S"
	[ "$status" -eq 0 ]
	rm -r "$S/MANIFEST" "$S/data"
	run sep ingest < <(point 2 10 5)
	[ "$status" -eq 2 ]
	grep -q "index/ holds" "$T/err"
}

@test "after ws-reindex rebuilds the lost MANIFEST, ws-ingest appends again" {
	{ point 1 10 1; point 1 20 2; } | ingest
	rm "$S/MANIFEST"
	ws-reindex "$S"
	point 2 10 5 | ingest
	run ws-range --all "$S"
	[ "${#lines[@]}" -eq 3 ]
}

@test "a second run appends to the store" {
	point 1 10 1 | ingest
	point 1 20 2 | ingest
	point 2 5 3 | ingest
	run ws-range --all "$S"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "$(canon 1 0 10 1)" ]
	[ "${lines[1]}" = "$(canon 1 0 20 2)" ]
	[ "${lines[2]}" = "$(canon 2 0 5 3)" ]
}

# --- options -------------------------------------------------------------

@test "-s/--space gives lines without space_id their space" {
	printf '{"entity_id":1,"timestamp":10,"vector":[1]}\n' | ingest -s 7
	printf '{"entity_id":1,"timestamp":20,"vector":[2]}\n' | ingest --space 4294967295
	printf '{"entity_id":1,"timestamp":30,"vector":[3]}\n' | ingest
	run ws-range "$S" -e 1 -s 7
	[ "$output" = "$(canon 1 7 10 1)" ]
	run ws-range "$S" -e 1 -s 4294967295
	[ "$output" = "$(canon 1 4294967295 20 2)" ]
	run ws-range "$S" -e 1
	[ "$output" = "$(canon 1 0 30 3)" ]
}

@test "--space does not override an explicit space_id" {
	printf '{"entity_id":1,"space_id":3,"timestamp":10,"vector":[1]}\n' | ingest --space 7
	run ws-range "$S" -e 1 -s 3
	[ "$output" = "$(canon 1 3 10 1)" ]
	run sep ws-range "$S" -e 1 -s 7
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(cat "$T/err")" = "ws-range: $S: entity 1, space 7: no such series (the entity is in space 3)" ]
}

@test "by default ws-ingest commits the good lines before the first bad one, stops, exits 1" {
	{
		point 1 10 1
		point 1 20 2
		printf '{"entity_id":1,"timestamp":30,"vector":[3]\n'
		point 1 40 4
		point 2 50 5
	} >"$T/in"
	run sep ingest <"$T/in"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(wc -l <"$T/err")" -eq 1 ]
	[[ $(cat "$T/err") == 'ws-ingest: stdin:3: invalid JSON: '?* ]]
	run ws-range --all "$S"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "$(canon 1 0 10 1)" ]
	[ "${lines[1]}" = "$(canon 1 0 20 2)" ]
}

# bigfeed N BAD : N lines, ~1.6 MB for 20,000, so that ws-ingest parses them
# ahead in runs of 1 MiB on two threads: line i writes entity 1 at time
# (i - 1) % 10000 + 1 with value i, so the second 10,000 overwrite the
# first; every line number in BAD (a comma list) is a bad line instead.
bigfeed() {
	awk -v n="$1" -v bad="$2" 'BEGIN {
		split(bad, b, ","); for (k in b) isbad[b[k]] = 1
		for (i = 1; i <= n; i++)
			if (i in isbad) printf "{\"entity_id\":1,\"timestamp\":%d,\"vector\":[x]}\n", i
			else printf "{\"entity_id\":1,\"timestamp\":%d,\"vector\":[%d,0.5,0.25,0.125]}\n", (i - 1) % 10000 + 1, i
	}'
}

@test "a large input parsed ahead on two threads keeps input order: the latest line wins, the first bad one stops" {
	bigfeed 20000 15000 >"$T/in"
	[ "$(wc -c <"$T/in")" -gt 1100000 ]
	run sep ingest <"$T/in"
	[ "$status" -eq 1 ]
	[[ $(cat "$T/err") == 'ws-ingest: stdin:15000: invalid JSON: '?* ]]
	[ "$(ws-range "$S" -e 1 | wc -l)" -eq 10000 ]
	# Lines 10,001-14,999 overwrote times 1-4,999; none after 15,000 was taken.
	[ "$(ws-get "$S" -e 1 -t 1)" = "$(canon 1 0 1 10001,0.5,0.25,0.125)" ]
	[ "$(ws-get "$S" -e 1 -t 4999)" = "$(canon 1 0 4999 14999,0.5,0.25,0.125)" ]
	[ "$(ws-get "$S" -e 1 -t 5000)" = "$(canon 1 0 5000 5000,0.5,0.25,0.125)" ]
	[ "$(ws-get "$S" -e 1 -t 10000)" = "$(canon 1 0 10000 10000,0.5,0.25,0.125)" ]
}

@test "a large input with -k and --rejects: every bad line reported and kept in input order" {
	bigfeed 20000 3,7001,9999,10002,16000,19999 >"$T/in"
	run sep ingest -k -r "$T/rej" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(sed -n 's/^ws-ingest: stdin:\([0-9]*\): .*/\1/p' "$T/err" | tr '\n' ,)" = "3,7001,9999,10002,16000,19999," ]
	[ "$(wc -l <"$T/err")" -eq 6 ]
	grep -F '[x]' "$T/in" | cmp - "$T/rej"
	# The rest went in, each time with its last good line; time 9999 had
	# none (lines 9,999 and 19,999).
	[ "$(ws-range "$S" -e 1 | wc -l)" -eq 9999 ]
	[ "$(ws-get "$S" -e 1 -t 2)" = "$(canon 1 0 2 2,0.5,0.25,0.125)" ]
	[ "$(ws-get "$S" -e 1 -t 3)" = "$(canon 1 0 3 10003,0.5,0.25,0.125)" ]
	[ "$(ws-get "$S" -e 1 -t 6000)" = "$(canon 1 0 6000 6000,0.5,0.25,0.125)" ]
	[ "$(ws-get "$S" -e 1 -t 7001)" = "$(canon 1 0 7001 17001,0.5,0.25,0.125)" ]
	run ws-get "$S" -e 1 -t 9999
	[ "$status" -eq 1 ]
	[ "$(ws-get "$S" -e 1 -t 9998)" = "$(canon 1 0 9998 19998,0.5,0.25,0.125)" ]
}

@test "a bad first line leaves a usable store with nothing in it" {
	run sep ingest < <(echo '[]'; point 1 10 1)
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = 'ws-ingest: stdin:1: not a JSON object' ]
	run sep ws-range --all "$S"
	[ -z "$output" ]
	# The store still takes points.
	point 1 10 1 | ingest
	run ws-range --all "$S"
	[ "$output" = "$(canon 1 0 10 1)" ]
}

@test "-k/--skip-bad goes on after bad lines and exits 1" {
	{
		point 1 10 1
		echo '{"entity_id":1}'
		point 1 20 2
		echo 'nonsense'
		point 1 30 3
	} >"$T/in"
	run sep ingest -k <"$T/in"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(sed -n 1p "$T/err")" = 'ws-ingest: stdin:2: missing field "timestamp"' ]
	[[ $(sed -n 2p "$T/err") == 'ws-ingest: stdin:4: invalid JSON: '?* ]]
	[ "$(wc -l <"$T/err")" -eq 2 ]
	run ws-range "$S" -e 1
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[2]}" = "$(canon 1 0 30 3)" ]
	# The long form, on a fresh store.
	run ws-ingest "$T/s2" --skip-bad <"$T/in"
	[ "$status" -eq 1 ]
	run ws-range "$T/s2" -e 1
	[ "${#lines[@]}" -eq 3 ]
}

@test "--skip-bad exits 0 when no line was rejected" {
	run sep ingest --skip-bad < <(point 1 10 1; point 1 20 2)
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
	run ws-range "$S" -e 1
	[ "${#lines[@]}" -eq 2 ]
}

@test "-r/--rejects keeps every rejected line verbatim, long and bad UTF-8 ones too" {
	padded 1 40 1500 >"$T/long"
	{
		point 1 10 1                                          # 1
		printf '{"entity_id":1,"timestamp":x}\n'              # 2 bad
		point 1 20 2                                          # 3
		cat "$T/long"                                         # 4 bad: too long
		point 1 30 3                                          # 5
		printf '{"entity_id":1,"timestamp":60,"vector":[1],"metadata":{"k":"a\xffb"}}\n' # 6 bad
		printf '  {"entity_id":1,  "timestamp":70}\t \n'      # 7 bad
		point 1 80 4                                          # 8
		printf '{"entity_id":1,"timestamp":90,"vector":[]}'   # 9 bad, no newline
	} >"$T/in"
	{
		sed -n '2p;4p;6p;7p' "$T/in"
		sed -n '9p' "$T/in"
		echo
	} >"$T/expected"
	echo 'old content that must go' >"$T/rej"
	run sep ingest -k -l 1k -r "$T/rej" <"$T/in"
	[ "$status" -eq 1 ]
	cmp "$T/expected" "$T/rej"
	[ "$(wc -l <"$T/err")" -eq 5 ]
	grep -qxF 'ws-ingest: stdin:4: line longer than 1024 bytes' "$T/err"
	grep -qxF 'ws-ingest: stdin:6: invalid UTF-8 at column 62' "$T/err"
	grep -qxF 'ws-ingest: stdin:7: missing field "vector"' "$T/err"
	grep -qxF 'ws-ingest: stdin:9: vector is empty' "$T/err"
	run ws-range "$S" -e 1
	[ "${#lines[@]}" -eq 4 ]
	# The rejects file feeds ws-ingest again after a fix (long form here).
	run ws-ingest "$T/s2" --skip-bad --max-line 1k --rejects "$T/rej2" <"$T/rej"
	[ "$status" -eq 1 ]
	cmp "$T/rej" "$T/rej2"
}

@test "--rejects without --skip-bad holds the one bad line; none gives an empty file" {
	run ingest -r "$T/rej" < <(point 1 10 1; echo '"text"'; echo '"more"')
	[ "$status" -eq 1 ]
	[ "$(cat "$T/rej")" = '"text"' ]
	[ "$(wc -l <"$T/rej")" -eq 1 ]
	echo junk >"$T/rej"
	run ingest -r "$T/rej" < <(point 1 20 1)
	[ "$status" -eq 0 ]
	[ -f "$T/rej" ]
	[ ! -s "$T/rej" ]
}

@test "-v/--verbose reports each commit and a summary on stderr" {
	run sep ingest -v < <(point 1 10 1; point 2 10 2; point 1 20 3)
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(commits "$T/err")" = 3 ]
	[ "$(tail -n 1 "$T/err")" = 'ws-ingest: 3 accepted, 0 replaced, 0 rejected, 2 blocks written' ]
	[ "$(wc -l <"$T/err")" -eq 2 ]
	# With a rejected line, on another store (long option).
	run sep ws-ingest "$T/s2" --verbose --skip-bad < <(point 1 10 1; echo '{}'; point 2 10 2)
	[ "$status" -eq 1 ]
	grep -qxF 'ws-ingest: stdin:2: missing field "entity_id"' "$T/err"
	[ "$(commits "$T/err" | tail -n 1)" = 3 ]
	[ "$(tail -n 1 "$T/err")" = 'ws-ingest: 2 accepted, 0 replaced, 1 rejected, 2 blocks written' ]
}

@test "-v: stopping at a bad line still reports the commit and the summary" {
	run sep ingest -v < <(point 1 10 1; point 2 20 2; echo 7; point 1 40 3)
	[ "$status" -eq 1 ]
	grep -qxF 'ws-ingest: stdin:3: not a JSON object' "$T/err"
	n=$(commits "$T/err" | tail -n 1)
	# Lines 1..2 are durable; line 3 is settled too if N says so, line 4 never.
	[ "$n" = 2 ] || [ "$n" = 3 ]
	[ "$(tail -n 1 "$T/err")" = 'ws-ingest: 2 accepted, 0 replaced, 1 rejected, 2 blocks written' ]
}

@test "without -v a good run prints nothing at all" {
	run sep ingest < <(point 1 10 1)
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -s "$T/err" ]
}

@test "-b/--batch-bytes forces several commits, each through a later line" {
	for i in $(seq 1 300); do point 1 "$i" "$i" 0.5 0.25 2; done >"$T/in"
	run sep ingest -v -b 1k <"$T/in"
	[ "$status" -eq 0 ]
	commits "$T/err" >"$T/n"
	[ "$(wc -l <"$T/n")" -ge 3 ]
	# Strictly increasing, ending with the last line.
	sort -n -u "$T/n" | cmp - "$T/n"
	[ "$(tail -n 1 "$T/n")" = 300 ]
	b=$(sed -n 's/^ws-ingest: 300 accepted, 0 replaced, 0 rejected, \([0-9]*\) blocks written$/\1/p' "$T/err")
	[ -n "$b" ]
	[ "$b" -ge "$(wc -l <"$T/n")" ]
	run ws-range "$S" -e 1
	[ "${#lines[@]}" -eq 300 ]
	[ "${lines[0]}" = "$(canon 1 0 1 1,0.5,0.25,2)" ]
	[ "${lines[299]}" = "$(canon 1 0 300 300,0.5,0.25,2)" ]
	# The default batch holds everything: one commit. Long option too.
	run sep ws-ingest "$T/s2" -v <"$T/in"
	[ "$(commits "$T/err")" = 300 ]
	run sep ws-ingest "$T/s3" --verbose --batch-bytes 1k <"$T/in"
	[ "$(commits "$T/err" | wc -l)" -ge 3 ]
}

@test "-l/--max-line: a line of exactly the limit passes, one byte more is rejected" {
	padded 1 10 1024 >"$T/in"
	padded 1 20 1025 >>"$T/in"
	[ "$(head -n 1 "$T/in" | tr -d '\n' | wc -c)" -eq 1024 ]
	run sep ingest -l 1k <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = 'ws-ingest: stdin:2: line longer than 1024 bytes' ]
	run ws-range "$S" -e 1
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == '{"entity_id":1,"space_id":0,"timestamp":10,'* ]]
	# A larger limit takes both.
	run ws-ingest "$T/s2" --max-line 2k <"$T/in"
	[ "$status" -eq 0 ]
	run ws-range "$T/s2" -e 1
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[1]}" = "$(padded 1 20 1025 | sed 's/"timestamp":20,/"space_id":0,&/')" ]
}

# --- lines ---------------------------------------------------------------

@test "blank lines are skipped but counted" {
	{
		echo
		point 1 10 1
		printf '   \t \n'
		echo
		point 1 20 2
		printf '\t\n'
		echo '{"entity_id":1,"timestamp":30}'
		point 1 40 4
	} >"$T/in"
	run sep ingest <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = 'ws-ingest: stdin:7: missing field "vector"' ]
	run ws-range "$S" -e 1
	[ "${#lines[@]}" -eq 2 ]
	# Only blank lines: a good run, nothing stored.
	run sep ws-ingest "$T/s2" -v < <(printf '\n  \n\t\n')
	[ "$status" -eq 0 ]
	grep -qxF 'ws-ingest: 0 accepted, 0 replaced, 0 rejected, 0 blocks written' "$T/err"
	run ws-range --all "$T/s2"
	[ -z "$output" ]
}

@test "CRLF line endings are accepted" {
	{
		point 1 10 1 | sed 's/$/\r/'
		printf '\r\n'
		point 1 20 2 | sed 's/$/\r/'
		printf '{"entity_id":1,"timestamp":30,"vector":[1],"metadata":{"a":"b"}}\r\n'
		printf '{"entity_id":1,"timestamp":}\r\n'
	} >"$T/in"
	run sep ingest <"$T/in"
	[ "$status" -eq 1 ]
	[[ $(cat "$T/err") == 'ws-ingest: stdin:5: invalid JSON: '?* ]]
	run ws-range "$S" -e 1
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "$(canon 1 0 10 1)" ]
	[ "${lines[1]}" = "$(canon 1 0 20 2)" ]
	[ "${lines[2]}" = '{"entity_id":1,"space_id":0,"timestamp":30,"vector":[1],"metadata":{"a":"b"}}' ]
}

@test "the last line needs no newline" {
	printf '%s\n%s' "$(point 1 10 1)" "$(point 1 20 2)" >"$T/in"
	run sep ingest -v <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(commits "$T/err")" = 2 ]
	run ws-range "$S" -e 1
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[1]}" = "$(canon 1 0 20 2)" ]
}

# --- exact keys ----------------------------------------------------------

@test "u64 maximum entity_id comes back byte for byte" {
	{
		point 18446744073709551615 5 1 2
		point 18446744073709551614 5 3 4
		point 9007199254740993 5 5 6
		point 9007199254740992 5 7 8
	} | ingest
	run ws-get "$S" -e 18446744073709551615 -t 5
	[ "$status" -eq 0 ]
	[ "$output" = "$(canon 18446744073709551615 0 5 1,2)" ]
	run ws-get "$S" <<<'{"entity_id":18446744073709551615,"timestamp":5}'
	[ "$status" -eq 0 ]
	[ "$output" = "$(canon 18446744073709551615 0 5 1,2)" ]
	run ws-range "$S" -e 18446744073709551615
	[ "$status" -eq 0 ]
	[ "$output" = "$(canon 18446744073709551615 0 5 1,2)" ]
	# Neighbours are not rounded together.
	run ws-range "$S" -e 18446744073709551614
	[ "$output" = "$(canon 18446744073709551614 0 5 3,4)" ]
	run ws-get "$S" -e 9007199254740993 -t 5
	[ "$output" = "$(canon 9007199254740993 0 5 5,6)" ]
	run ws-range --all "$S"
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[0]}" = "$(canon 9007199254740992 0 5 7,8)" ]
	[ "${lines[1]}" = "$(canon 9007199254740993 0 5 5,6)" ]
	[ "${lines[2]}" = "$(canon 18446744073709551614 0 5 3,4)" ]
	[ "${lines[3]}" = "$(canon 18446744073709551615 0 5 1,2)" ]
}

@test "i64 minimum and maximum timestamps" {
	{
		point 1 9223372036854775807 3
		point 1 0 2
		point 1 -9223372036854775808 1
		point 1 -1 1.5
	} | ingest
	run ws-range "$S" -e 1
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[0]}" = "$(canon 1 0 -9223372036854775808 1)" ]
	[ "${lines[1]}" = "$(canon 1 0 -1 1.5)" ]
	[ "${lines[2]}" = "$(canon 1 0 0 2)" ]
	[ "${lines[3]}" = "$(canon 1 0 9223372036854775807 3)" ]
	run ws-get "$S" -e 1 -t -9223372036854775808
	[ "$output" = "$(canon 1 0 -9223372036854775808 1)" ]
	run ws-get "$S" -e 1 -t 9223372036854775807
	[ "$output" = "$(canon 1 0 9223372036854775807 3)" ]
	run ws-range "$S" -e 1 -f 9223372036854775807
	[ "$output" = "$(canon 1 0 9223372036854775807 3)" ]
	run ws-range "$S" -e 1 -t -9223372036854775808
	[ "$output" = "$(canon 1 0 -9223372036854775808 1)" ]
	run ws-range "$S" -e 1 -r -n 1
	[ "$output" = "$(canon 1 0 9223372036854775807 3)" ]
	# A second run with only the extremes: one block spanning all of i64.
	{
		point 2 -9223372036854775808 1
		point 2 9223372036854775807 2
	} | ingest
	run ws-range "$S" -e 2
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "$(canon 2 0 -9223372036854775808 1)" ]
	[ "${lines[1]}" = "$(canon 2 0 9223372036854775807 2)" ]
}

# --- latest write wins ---------------------------------------------------

@test "latest write wins within one run" {
	{
		point 1 10 1
		point 1 20 2
		point 1 10 3
		point 1 10 4
	} | ingest
	run ws-get "$S" -e 1 -t 10
	[ "$status" -eq 0 ]
	[ "$output" = "$(canon 1 0 10 4)" ]
	run ws-range "$S" -e 1
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "$(canon 1 0 10 4)" ]
	[ "${lines[1]}" = "$(canon 1 0 20 2)" ]
	run ws-range --all "$S"
	[ "${#lines[@]}" -eq 2 ]
}

@test "latest write wins across runs" {
	{ point 1 10 1; point 1 20 2; point 1 30 3; } | ingest
	point 1 20 9 | ingest
	printf '{"entity_id":1,"timestamp":30,"vector":[8],"metadata":{"v":"2"}}\n' | ingest
	run ws-get "$S" -e 1 -t 20
	[ "$output" = "$(canon 1 0 20 9)" ]
	run ws-get "$S" < <(echo '{"entity_id":1,"timestamp":30}'; echo '{"entity_id":1,"timestamp":10}')
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = '{"entity_id":1,"space_id":0,"timestamp":30,"vector":[8],"metadata":{"v":"2"}}' ]
	[ "${lines[1]}" = "$(canon 1 0 10 1)" ]
	for args in "-e 1" "--all" "-e 1 -r"; do
		# shellcheck disable=SC2086
		run ws-range "$S" $args
		[ "${#lines[@]}" -eq 3 ]
		[[ $output == *'"timestamp":20,"vector":[9]}'* ]]
		[[ $output != *'"vector":[2]'* ]]
		[[ $output != *'"vector":[3]'* ]]
	done
	# An older value written again is the newest write.
	point 1 20 2 | ingest
	run ws-get "$S" -e 1 -t 20
	[ "$output" = "$(canon 1 0 20 2)" ]
}

@test "latest write wins across commits of one run" {
	{
		point 1 10 1
		for i in $(seq 1 200); do point 2 "$i" 0.5; done
		point 1 10 7
	} >"$T/in"
	run sep ingest -v -b 1k <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(commits "$T/err" | wc -l)" -ge 2 ]
	run ws-get "$S" -e 1 -t 10
	[ "$output" = "$(canon 1 0 10 7)" ]
	run ws-range "$S" -e 1
	[ "$output" = "$(canon 1 0 10 7)" ]
}

# --- order ---------------------------------------------------------------

@test "out-of-order input comes back sorted" {
	for t in 30 10 -5 20 25 0 15; do point 1 "$t" "$t"; done | ingest
	{ point 1 12 12; point 1 -7 -7; } | ingest
	run ws-range "$S" -e 1
	[ "$status" -eq 0 ]
	[ "$(sed 's/.*"timestamp":\([-0-9]*\),.*/\1/' <<<"$output" | tr '\n' ' ')" = '-7 -5 0 10 12 15 20 25 30 ' ]
	[ "${lines[0]}" = "$(canon 1 0 -7 -7)" ]
	run ws-range "$S" -e 1 -r
	[ "$(sed 's/.*"timestamp":\([-0-9]*\),.*/\1/' <<<"$output" | tr '\n' ' ')" = '30 25 20 15 12 10 0 -5 -7 ' ]
}

@test "--all comes back in (entity, space, timestamp) order" {
	{
		printf '{"entity_id":2,"space_id":0,"timestamp":5,"vector":[1]}\n'
		printf '{"entity_id":1,"space_id":1,"timestamp":1,"vector":[1,2]}\n'
		printf '{"entity_id":1,"space_id":0,"timestamp":9,"vector":[2]}\n'
		printf '{"entity_id":10,"space_id":0,"timestamp":1,"vector":[3]}\n'
		printf '{"entity_id":1,"space_id":0,"timestamp":3,"vector":[4]}\n'
	} | ingest
	run ws-range --all "$S"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	[ "${lines[0]}" = "$(canon 1 0 3 4)" ]
	[ "${lines[1]}" = "$(canon 1 0 9 2)" ]
	[ "${lines[2]}" = "$(canon 1 1 1 1,2)" ]
	[ "${lines[3]}" = "$(canon 2 0 5 1)" ]
	[ "${lines[4]}" = "$(canon 10 0 1 3)" ]
}

@test "output is canonical whatever the input spelling, and round-trips" {
	printf '%s\n' \
		' { "vector" : [ 0.1 , -0.0, 1E-45, 2.50 ], "timestamp" : 5 , "metadata":{"b":"x\"y\\z\n","a":"\u00e9°","c":""}, "space_id":0, "entity_id" : 3 } ' \
		'{"entity_id":3,"timestamp":6,"vector":[1,2,3,4],"metadata":{}}' | ingest
	run ws-range "$S" -e 3
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"entity_id":3,"space_id":0,"timestamp":5,"vector":[0.1,-0,1e-45,2.5],"metadata":{"b":"x\"y\\z\n","a":"é°","c":""}}' ]
	[ "${lines[1]}" = "$(canon 3 0 6 1,2,3,4)" ]
	ws-range --all "$S" | ws-ingest "$T/s2"
	[ "$(ws-range --all "$T/s2")" = "$(ws-range --all "$S")" ]
}

# --- dimensions ----------------------------------------------------------

@test "a space keeps its dimension across runs" {
	point 1 10 1 2 3 | ingest
	run sep ingest < <(point 2 20 1 2)
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = 'ws-ingest: stdin:1: vector has 2 values but space 0 holds 3' ]
	run sep ws-range "$S" -e 2
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(cat "$T/err")" = "ws-range: $S: entity 2: not in the store" ]
	# Another space has its own dimension.
	printf '{"entity_id":2,"space_id":1,"timestamp":20,"vector":[1,2]}\n' | ingest
	run ws-range "$S" -e 2 -s 1
	[ "$output" = "$(canon 2 1 20 1,2)" ]
	# The right dimension still goes in.
	point 2 30 4 5 6 | ingest
	run ws-range "$S" -e 2
	[ "$output" = "$(canon 2 0 30 4,5,6)" ]
}

# --- concurrency ---------------------------------------------------------

@test "two concurrent ws-ingest runs on one store keep every point" {
	awk 'BEGIN { for (i = 0; i < 3000; i++) printf "{\"entity_id\":%d,\"timestamp\":%d,\"vector\":[%d,1]}\n", i % 10, 2 * int(i / 10), i }' >"$T/a"
	awk 'BEGIN { for (i = 0; i < 3000; i++) printf "{\"entity_id\":%d,\"timestamp\":%d,\"vector\":[%d,2]}\n", i % 10, 2 * int(i / 10) + 1, i }' >"$T/b"
	timeout 60 ws-ingest "$S" -b 8k <"$T/a" 2>"$T/err.a" &
	pa=$!
	timeout 60 ws-ingest "$S" -b 8k <"$T/b" 2>"$T/err.b" &
	pb=$!
	sa=0 sb=0
	wait "$pa" || sa=$?
	wait "$pb" || sb=$?
	[ "$sa" -eq 0 ]
	[ "$sb" -eq 0 ]
	[ ! -s "$T/err.a" ] && [ ! -s "$T/err.b" ]
	[ "$(ws-range --all "$S" | wc -l)" -eq 6000 ]
	# Every entity has both runs' points interleaved in time order.
	run ws-range "$S" -e 3
	[ "${#lines[@]}" -eq 600 ]
	[ "${lines[0]}" = "$(canon 3 0 0 3,1)" ]
	[ "${lines[1]}" = "$(canon 3 0 1 3,2)" ]
	[ "${lines[599]}" = "$(canon 3 0 599 2993,2)" ]
}

@test "a reader never sees part of a ws-ingest run" {
	n=64
	for k in $(seq 1 25); do
		awk -v k="$k" -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "{\"entity_id\":7,\"timestamp\":%d,\"vector\":[%d,%d]}\n", k * 1000 + i, k, i }' >"$T/in.$k"
	done
	point 99 1 0 0 | ingest
	(
		for k in $(seq 1 25); do
			ws-ingest "$S" <"$T/in.$k" || exit 1
		done
		touch "$T/done"
	) &
	w=$!
	r=0
	until [ -e "$T/done" ] || [ "$r" -ge 5000 ]; do
		st=0
		timeout 20 ws-range "$S" -e 7 >"$T/out.$r" 2>"$T/err.$r" || st=$?
		# before the first commit the series is not there yet (exit 1)
		[ "$st" != 1 ] || [ "$(cat "$T/err.$r")" != "ws-range: $S: entity 7: not in the store" ] || st=0
		[ "$st" = 0 ] || cat "$T/err.$r" >>"$T/out.$r"
		echo "$st" >"$T/st.$r"
		r=$((r + 1))
	done
	wait "$w"
	ws-range "$S" -e 7 >"$T/out.$r"
	echo $? >"$T/st.$r"
	[ "$r" -ge 2 ]
	for i in $(seq 0 "$r"); do
		[ "$(cat "$T/st.$i")" = 0 ] || { echo "read $i:"; cat "$T/out.$i"; false; }
		# Each run k seen is seen whole, and runs come in order 1..m.
		awk -v n="$n" -F '[][,]' '
			{ seen[$(NF - 2)]++ ; if ($(NF - 2) + 0 > m) m = $(NF - 2) + 0 }
			END {
				for (k = 1; k <= m; k++)
					if (seen[k] != n) { print "run " k ": " seen[k] + 0 " points"; exit 1 }
				if (NR != m * n) { print NR " lines for " m " runs"; exit 1 }
			}' "$T/out.$i" || { echo "read $i"; false; }
	done
	[ "$(wc -l <"$T/out.$r")" -eq $((25 * n)) ]
}

@test "a reader sees exactly the lines of a commit while one run commits many batches" {
	point 99 1 0 | ingest
	seq 1 2000 | awk '{ printf "{\"entity_id\":7,\"timestamp\":%d,\"vector\":[%d]}\n", $1, $1 }' >"$T/in"
	{ ws-ingest "$S" -v -b 4k <"$T/in" 2>"$T/err.w"; touch "$T/done"; } &
	w=$!
	r=0
	until [ -e "$T/done" ] || [ "$r" -ge 5000 ]; do
		st=0
		timeout 20 ws-range "$S" -e 7 >"$T/out.$r" 2>"$T/err.$r" || st=$?
		# before the first commit the series is not there yet (exit 1)
		[ "$st" = 0 ] || { [ "$st" = 1 ] && [ "$(cat "$T/err.$r")" = "ws-range: $S: entity 7: not in the store" ]; } ||
			{ echo "read $r failed"; cat "$T/out.$r" "$T/err.$r"; false; }
		r=$((r + 1))
	done
	wait "$w"
	commits "$T/err.w" >"$T/n"
	[ "$(wc -l <"$T/n")" -ge 3 ]
	[ "$(tail -n 1 "$T/n")" = 2000 ]
	for i in $(seq 0 $((r - 1))); do
		c=$(wc -l <"$T/out.$i")
		# Nothing, or exactly the lines 1..N of some commit, in order.
		[ "$c" -eq 0 ] || grep -qx "$c" "$T/n" || { echo "read $i saw $c points"; false; }
		[ "$c" -eq 0 ] || [ "$(tail -n 1 "$T/out.$i")" = "$(canon 7 0 "$c" "$c")" ]
	done
	[ "$(ws-range "$S" -e 7 | wc -l)" -eq 2000 ]
}

# steady [FLAG] : points of entity 1, one every 0.1 s, so never a 500 ms
# pause: 15 of them, or as many as it takes for the file FLAG to appear.
steady() {
	local i=0
	while i=$((i + 1)); if [ -n "${1:-}" ]; then [ ! -e "$1" ]; else [ "$i" -le 15 ]; fi; do
		point 1 "$i" 1
		sleep 0.1
	done
}

# two_spaces FLAG : a steady feed of two series until FLAG appears: line
# 2i-1 holds entity 1 in space 5, line 2i entity 2 in space 0, both dim 1.
two_spaces() {
	local i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		printf '{"entity_id":1,"space_id":5,"timestamp":%s,"vector":[%s]}\n' "$i" "$i"
		point 2 "$i" "$i"
		sleep 0.1
	done
}

# conflict ARGS... : ws-ingest ARGS -v -r FILE on a two_spaces batch held
# open while another writer fixes space 0 at dimension 2 first; checks
# that only the space 0 lines are rejected, reported and kept in FILE.
conflict() {
	: | ingest
	two_spaces "$T/go" | ingest "$@" -v -r "$T/rej" 2>"$T/err1" &
	pid=$!
	sleep 0.5
	point 3 1 1 2 | ingest
	touch "$T/go"
	status=0
	wait $pid || status=$?
	[ "$status" -eq 1 ]
	n=$(ws-range "$S" -e 1 -s 5 | wc -l)
	[ "$n" -ge 3 ]
	[ "$(ws-range "$S" -e 1 -s 5 | tail -n 1)" = "$(canon 1 5 "$n" "$n")" ]
	[ "$(ws-range "$S" -e 2)" = "" ]
	[ "$(ws-range "$S" -e 3)" = "$(canon 3 0 1 1,2)" ]
	for i in $(seq "$n"); do
		grep -qx "ws-ingest: stdin:$((2 * i)): vector has 1 values but space 0 holds 2 (set by a concurrent writer)" "$T/err1"
		canon 2 0 "$i" "$i"
		echo
	done >"$T/want-rej"
	cmp "$T/want-rej" "$T/rej"
	[ "$(commits "$T/err1")" = "$((2 * n))" ]
	[ "$(tail -n 1 "$T/err1")" = "ws-ingest: $n accepted, 0 replaced, $n rejected, 1 blocks written" ]
}

@test "a concurrent writer's dimension rejects only the lines of its space" {
	conflict
}

@test "with -k a concurrent writer's dimension rejects only the lines of its space" {
	conflict -k
}

@test "without -k ws-ingest stops after a commit that rejected lines" {
	: | ingest
	(sleep 20; touch "$T/go") &
	two_spaces "$T/go" | ingest -v -w 1 2>"$T/err1" &
	pid=$!
	sleep 0.5
	point 3 1 1 2 | ingest
	status=0
	wait $pid || status=$?
	[ ! -e "$T/go" ]
	touch "$T/go"
	[ "$status" -eq 1 ]
	n=$(commits "$T/err1")
	[ "$n" -ge 2 ]
	# Space 5 has the odd lines: a slow feed may be committed between
	# the two lines of a pair, so n may be odd.
	[ "$(ws-range "$S" -e 1 -s 5 | wc -l)" -eq $(((n + 1) / 2)) ]
	grep -q "ws-ingest: stdin:2: vector has 1 values but space 0 holds 2 (set by a concurrent writer)" "$T/err1"
}

@test "-w/--max-wait commits a steady feed that never pauses" {
	steady "$T/stop" | ingest -w 1 &
	pid=$!
	# Without the bound nothing would be visible before the end.
	n=0
	for _ in $(seq 40); do
		sleep 0.1
		n=$(ws-range --all "$S" 2>/dev/null | wc -l)
		[ "$n" -ge 1 ] && break
	done
	# The feed runs until told to stop, so what was seen came before its end.
	touch "$T/stop"
	wait "$pid"
	[ "$n" -ge 1 ]
	[ "$(ws-range --all "$S" | wc -l)" -ge "$n" ]
}

@test "--max-wait 0 leaves only size, pauses and the end to commit" {
	: | ingest
	steady | ingest --max-wait 0 &
	pid=$!
	sleep 1.2
	n=$(ws-range --all "$S" | wc -l)
	wait "$pid"
	[ "$n" -eq 0 ]
	[ "$(ws-range --all "$S" | wc -l)" -eq 15 ]
}

@test "--max-wait takes whole seconds from 0 to 86400" {
	for v in 0 86400; do
		run ingest -w "$v" < <(point 1 1 1)
		[ "$status" -eq 0 ]
	done
	for v in 86401 -1 1.5 x ''; do
		run sep ingest --max-wait "$v" < <(point 1 1 1)
		[ "$status" -eq 2 ]
		grep -q "ws-ingest: --max-wait: invalid value '$v' (expected a number of seconds 0..86400)" "$T/err"
	done
}

# --- the replaced count and --progress ---------------------------------

@test "-v counts the lines that replaced an earlier line of their batch" {
	run sep ingest -v < <(point 1 10 1; point 1 10 2; point 2 10 3; point 1 10 4; point 1 20 5)
	[ "$status" -eq 0 ]
	[ "$(tail -n 1 "$T/err")" = 'ws-ingest: 5 accepted, 2 replaced, 0 rejected, 2 blocks written' ]
	run ws-range --all "$S"
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "$(canon 1 0 10 4)" ]
}

@test "-v: a key repeated after a commit replaces the point but is not counted" {
	# The second line is sent only once the first is committed.
	run sep ingest -v < <(
		point 1 10 1
		for _ in $(seq 100); do
			[ -n "$(ws-range "$S" -e 1 2>/dev/null)" ] && break
			sleep 0.1
		done
		point 1 10 2)
	[ "$status" -eq 0 ]
	[ "$(tail -n 1 "$T/err")" = 'ws-ingest: 2 accepted, 0 replaced, 0 rejected, 2 blocks written' ]
	[ "$(ws-range "$S" -e 1)" = "$(canon 1 0 10 2)" ]
}

# A progress line: N lines, then MB and MB/s with one decimal, then $2
# (", 100%" or nothing).
progress_re() {
	printf '^ws-ingest: %s lines, [0-9]+\\.[0-9] MB, [0-9]+\\.[0-9] MB/s%s$' "$1" "$2"
}

@test "--progress on a regular file: lines, MB, MB/s and the percentage" {
	for i in $(seq 1 300); do point 1 "$i" "$i"; done >"$T/in"
	run sep ingest --progress <"$T/in"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	grep -Eq "$(progress_re 300 ', 100%')" "$T/err"
	# Nothing else: each refresh is a line, the last one not repeated.
	[ "$(grep -Evc "$(progress_re '[0-9]+' ', [0-9]+%')" "$T/err")" = 0 ]
	[ "$(grep -c ' 300 lines' "$T/err")" = 1 ]
	[ "$(tail -n 1 "$T/err" | grep -Ec "$(progress_re 300 ', 100%')")" = 1 ]
}

@test "--progress: the percentage is of the file from where stdin starts, to where ingest stops" {
	{ for i in $(seq 1 100); do point 1 "$i" "$i"; done; echo bad; point 1 200 1; } >"$T/in"
	size=$(wc -c <"$T/in")
	first=$(head -n 1 "$T/in" | wc -c)
	upto=$(head -n 101 "$T/in" | wc -c)
	pct=$(( (upto - first) * 100 / (size - first) ))
	[ "$pct" -lt 100 ]
	run sep sh -c 'read -r skip; exec ws-ingest "$0" -p' "$S" <"$T/in"
	[ "$status" -eq 1 ]
	grep -Eq "$(progress_re 100 ", $pct%")" "$T/err"
	[ "$(ws-range "$S" -e 1 | wc -l)" -eq 99 ]
}

@test "--progress on a large input: the percentage stops at the bad line, not at what was read ahead" {
	bigfeed 20000 12000 >"$T/in"
	size=$(wc -c <"$T/in")
	upto=$(head -n 12000 "$T/in" | wc -c)
	pct=$((upto * 100 / size))
	run sep ingest -p <"$T/in"
	[ "$status" -eq 1 ]
	grep -Eq "$(progress_re 12000 ", $pct%")" "$T/err"
}

@test "--progress on a pipe: no percentage" {
	run sep ingest --progress < <(for i in $(seq 1 300); do point 1 "$i" "$i"; done)
	[ "$status" -eq 0 ]
	[ "$(tail -n 1 "$T/err" | grep -Ec "$(progress_re 300 '')")" = 1 ]
	run grep -c % "$T/err"
	[ "$output" = 0 ]
}

@test "--progress refreshes while a slow feed runs, and with -v apart from its lines" {
	slow_feed() {
		for i in $(seq 1 10); do point 1 "$i" "$i"; done
		sleep 1
		for i in $(seq 11 20); do point 1 "$i" "$i"; done
	}
	run sep ingest -p -v < <(slow_feed)
	[ "$status" -eq 0 ]
	grep -Eq "$(progress_re 10 '')" "$T/err"
	[ "$(tail -n 2 "$T/err" | head -n 1 | grep -Ec "$(progress_re 20 '')")" = 1 ]
	grep -qxF 'ws-ingest: committed through line 10' "$T/err"
	[ "$(tail -n 1 "$T/err")" = 'ws-ingest: 20 accepted, 0 replaced, 0 rejected, 2 blocks written' ]
}

@test "no progress without --progress when stderr is not a terminal" {
	for i in $(seq 1 300); do point 1 "$i" "$i"; done >"$T/in"
	run sep ingest <"$T/in"
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
	run sep ingest < <(head -n 5 "$T/in"; sleep 1; tail -n 5 "$T/in")
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
}

@test "progress is shown on a terminal without --progress, redrawn in place" {
	command -v script >/dev/null || skip "script(1) is not installed"
	script -qec true /dev/null </dev/null >/dev/null 2>&1 || skip "no pseudo-terminal here"
	for i in $(seq 1 300); do point 1 "$i" "$i"; done >"$T/in"
	script -qec "ws-ingest '$S' < '$T/in'" /dev/null </dev/null >"$T/tty"
	grep -q $'\r''ws-ingest: 300 lines, .* MB/s, 100%'$'\e''\[K' "$T/tty"
	[ "$(ws-range "$S" -e 1 | wc -l)" -eq 300 ]
}
