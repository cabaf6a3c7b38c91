#!/usr/bin/env bats
# badinput.bats - every class of bad input line of ws-ingest(1) and
# spec/CLI.md: the exact message with its line number, exit 1, and the good
# lines before the bad one committed.

load helpers

# The good lines around every bad one: two before it, one after it.
good_before() {
	point 1 10 0.5 0.25 1
	point 1 20 1 2 3
}
good_after() {
	point 1 30 4 5 6
}
G1='{"entity_id":1,"space_id":0,"timestamp":10,"vector":[0.5,0.25,1]}'
G2='{"entity_id":1,"space_id":0,"timestamp":20,"vector":[1,2,3]}'

N=0

# check_bad REASON [OPTIONS...] : ws-ingest OPTIONS on a fresh store, fed
# the two good lines, the bad line in $T/bad (its own newline included) and
# one more good line, exits 1 with exactly "ws-ingest: stdin:3: REASON" on
# stderr (REASON ending in '*': a message that starts with the rest), prints
# nothing on stdout, and leaves the two good lines readable, not the third.
check_bad() {
	local reason=$1 err
	shift
	N=$((N + 1))
	local store="$T/s.$N"
	{
		good_before
		cat "$T/bad"
		good_after
	} >"$T/in"
	run sep ws-ingest "$store" "$@" <"$T/in"
	err=$(cat "$T/err")
	if [ "$status" -ne 1 ]; then
		echo "case $N: exit $status, stderr: $err" >&2
		return 1
	fi
	if [ -n "$output" ]; then
		echo "case $N: stdout: $output" >&2
		return 1
	fi
	if [[ $reason == *'*' ]]; then
		if [[ $err != "ws-ingest: stdin:3: ${reason%'*'}"?* ]] || [ "$(wc -l <"$T/err")" -ne 1 ]; then
			echo "case $N: stderr: $err" >&2
			echo "case $N: wanted: ws-ingest: stdin:3: $reason" >&2
			return 1
		fi
	elif [ "$err" != "ws-ingest: stdin:3: $reason" ]; then
		echo "case $N: stderr: $err" >&2
		echo "case $N: wanted: ws-ingest: stdin:3: $reason" >&2
		return 1
	fi
	run ws-range "$store" --all
	if [ "$status" -ne 0 ] || [ "$output" != "$G1"$'\n'"$G2" ]; then
		echo "case $N: store holds: $output" >&2
		return 1
	fi
}

# bad_line TEXT REASON [OPTIONS...] : check_bad with the bad line TEXT.
bad_line() {
	printf '%s\n' "$1" >"$T/bad"
	shift
	check_bad "$@"
}

# bad_bytes FORMAT REASON [OPTIONS...] : check_bad with the bad line that
# printf FORMAT writes (for NUL and other raw bytes).
bad_bytes() {
	# shellcheck disable=SC2059
	printf "$1\n" >"$T/bad"
	shift
	check_bad "$@"
}

# --- JSON ----------------------------------------------------------------

@test "invalid JSON" {
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6]' 'invalid JSON: *'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],}' 'invalid JSON: *'
	bad_line "{'entity_id':1,'timestamp':30,'vector':[4,5,6]}" 'invalid JSON: *'
	bad_line 'hello' 'invalid JSON: *'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6]} x' 'invalid JSON: *'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6]}{"entity_id":2,"timestamp":30,"vector":[4,5,6]}' 'invalid JSON: *'
	bad_line '{"entity_id":01,"timestamp":30,"vector":[4,5,6]}' 'invalid JSON: *'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,.6]}' 'invalid JSON: *'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"a":"b\q"}}' 'invalid JSON: *'
}

@test "NaN and Infinity literals are invalid JSON" {
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,NaN,6]}' 'invalid JSON: *'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,Infinity]}' 'invalid JSON: *'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[-Infinity,5,6]}' 'invalid JSON: *'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,nan]}' 'invalid JSON: *'
}

@test "an array line is not a JSON object" {
	bad_line '[1,30,[4,5,6]]' 'not a JSON object'
	bad_line '[{"entity_id":1,"timestamp":30,"vector":[4,5,6]}]' 'not a JSON object'
}

@test "a byte order mark is named as such" {
	bad_bytes '\xef\xbb\xbf{"entity_id":1,"timestamp":30,"vector":[4,5,6]}' 'invalid JSON: byte order mark (save as UTF-8 without BOM) at column 1'
}

@test "a number line is not a JSON object" {
	bad_line '42' 'not a JSON object'
	bad_line '-1.5e3' 'not a JSON object'
}

@test "a string line is not a JSON object" {
	bad_line '"{\"entity_id\":1,\"timestamp\":30,\"vector\":[4,5,6]}"' 'not a JSON object'
}

@test "null, true and false lines are not JSON objects" {
	bad_line 'null' 'not a JSON object'
	bad_line 'true' 'not a JSON object'
	bad_line 'false' 'not a JSON object'
}

# --- fields --------------------------------------------------------------

@test "missing entity_id" {
	bad_line '{"timestamp":30,"vector":[4,5,6]}' 'missing field "entity_id"'
	bad_line '{}' 'missing field "entity_id"'
}

@test "missing timestamp" {
	bad_line '{"entity_id":1,"vector":[4,5,6]}' 'missing field "timestamp"'
}

@test "missing vector" {
	bad_line '{"entity_id":1,"timestamp":30}' 'missing field "vector"'
	bad_line '{"entity_id":1,"timestamp":30,"metadata":{"a":"b"}}' 'missing field "vector"'
}

@test "mistyped entity_id" {
	bad_line '{"entity_id":"1","timestamp":30,"vector":[4,5,6]}' 'field "entity_id" must be an integer'
	bad_line '{"entity_id":null,"timestamp":30,"vector":[4,5,6]}' 'field "entity_id" must be an integer'
	bad_line '{"entity_id":true,"timestamp":30,"vector":[4,5,6]}' 'field "entity_id" must be an integer'
	bad_line '{"entity_id":[1],"timestamp":30,"vector":[4,5,6]}' 'field "entity_id" must be an integer'
}

@test "mistyped timestamp and space_id" {
	bad_line '{"entity_id":1,"timestamp":{},"vector":[4,5,6]}' 'field "timestamp" must be an integer or an RFC 3339 string'
	bad_line '{"entity_id":1,"timestamp":[30],"vector":[4,5,6]}' 'field "timestamp" must be an integer or an RFC 3339 string'
	bad_line '{"entity_id":1,"timestamp":null,"vector":[4,5,6]}' 'field "timestamp" must be an integer or an RFC 3339 string'
	bad_line '{"entity_id":1,"timestamp":false,"vector":[4,5,6]}' 'field "timestamp" must be an integer or an RFC 3339 string'
	bad_line '{"entity_id":1,"space_id":"0","timestamp":30,"vector":[4,5,6]}' 'field "space_id" must be an integer'
	bad_line '{"entity_id":1,"space_id":false,"timestamp":30,"vector":[4,5,6]}' 'field "space_id" must be an integer'
}

@test "mistyped vector" {
	bad_line '{"entity_id":1,"timestamp":30,"vector":"4,5,6"}' 'field "vector" must be an array of numbers'
	bad_line '{"entity_id":1,"timestamp":30,"vector":4}' 'field "vector" must be an array of numbers'
	bad_line '{"entity_id":1,"timestamp":30,"vector":{"0":4}}' 'field "vector" must be an array of numbers'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,"5",6]}' 'field "vector" must be an array of numbers'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,null,6]}' 'field "vector" must be an array of numbers'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,[5],6]}' 'field "vector" must be an array of numbers'
	bad_line '{"entity_id":1,"timestamp":30,"vector":null}' 'field "vector" must be an array of numbers'
}

# --- integers ------------------------------------------------------------

@test "entity_id out of range" {
	bad_line '{"entity_id":18446744073709551616,"timestamp":30,"vector":[4,5,6]}' 'field "entity_id" out of range (0..18446744073709551615)'
	bad_line '{"entity_id":-1,"timestamp":30,"vector":[4,5,6]}' 'field "entity_id" out of range (0..18446744073709551615)'
	bad_line '{"entity_id":99999999999999999999999,"timestamp":30,"vector":[4,5,6]}' 'field "entity_id" out of range (0..18446744073709551615)'
}

@test "integers with a fraction or an exponent" {
	bad_line '{"entity_id":1.5,"timestamp":30,"vector":[4,5,6]}' 'field "entity_id" must be an integer'
	bad_line '{"entity_id":1e3,"timestamp":30,"vector":[4,5,6]}' 'field "entity_id" must be an integer'
	bad_line '{"entity_id":1E3,"timestamp":30,"vector":[4,5,6]}' 'field "entity_id" must be an integer'
	bad_line '{"entity_id":1,"timestamp":30.5,"vector":[4,5,6]}' 'field "timestamp" must be an integer'
	bad_line '{"entity_id":1,"timestamp":1e19,"vector":[4,5,6]}' 'field "timestamp" must be an integer'
	bad_line '{"entity_id":1,"space_id":0.5,"timestamp":30,"vector":[4,5,6]}' 'field "space_id" must be an integer'
}

@test "space_id out of range" {
	bad_line '{"entity_id":1,"space_id":4294967296,"timestamp":30,"vector":[4,5,6]}' 'field "space_id" out of range (0..4294967295)'
	bad_line '{"entity_id":1,"space_id":-1,"timestamp":30,"vector":[4,5,6]}' 'field "space_id" out of range (0..4294967295)'
}

@test "timestamp out of range" {
	bad_line '{"entity_id":1,"timestamp":9223372036854775808,"vector":[4,5,6]}' 'field "timestamp" out of range (-9223372036854775808..9223372036854775807)'
	bad_line '{"entity_id":1,"timestamp":-9223372036854775809,"vector":[4,5,6]}' 'field "timestamp" out of range (-9223372036854775808..9223372036854775807)'
	bad_line '{"entity_id":1,"timestamp":18446744073709551615,"vector":[4,5,6]}' 'field "timestamp" out of range (-9223372036854775808..9223372036854775807)'
}

@test "timestamp strings that are not RFC 3339" {
	local shape='field "timestamp": expected RFC 3339 such as 2026-11-25T10:00:00Z or a date such as 2026-11-25'
	bad_line '{"entity_id":1,"timestamp":"30","vector":[4,5,6]}' "$shape"
	bad_line '{"entity_id":1,"timestamp":"now","vector":[4,5,6]}' "$shape"
	bad_line '{"entity_id":1,"timestamp":"","vector":[4,5,6]}' "$shape"
	bad_line '{"entity_id":1,"timestamp":"2026-11-25T10:00:00","vector":[4,5,6]}' "$shape"
	bad_line '{"entity_id":1,"timestamp":"2026-11-25 10:00:00Z","vector":[4,5,6]}' "$shape"
	bad_line '{"entity_id":1,"timestamp":"2026-11-25T10:00:00Z\u0000","vector":[4,5,6]}' "$shape"
	bad_line '{"entity_id":1,"timestamp":"2026-02-30","vector":[4,5,6]}' 'field "timestamp": day 30 out of range 01..28 for 2026-02'
	bad_line '{"entity_id":1,"timestamp":"2026-11-25T24:00:00Z","vector":[4,5,6]}' 'field "timestamp": hour 24 out of range 00..23'
	bad_line '{"entity_id":1,"timestamp":"2016-12-31T23:59:60Z","vector":[4,5,6]}' 'field "timestamp": second 60 out of range 00..59 (leap seconds cannot be stored)'
	bad_line '{"entity_id":1,"timestamp":"2026-11-25T10:00:00.1234567Z","vector":[4,5,6]}' 'field "timestamp": more than 6 fraction digits (times are exact to the microsecond)'
	bad_line '{"entity_id":1,"timestamp":"2026-11-25T10:00:00+24:00","vector":[4,5,6]}' 'field "timestamp": offset hour 24 out of range 00..23'
	bad_line '{"entity_id":1,"timestamp":"2026-11-25T10:00:00Z' 'invalid JSON: unexpected end of line at column 49'
}

# --- vectors -------------------------------------------------------------

@test "values out of the f32 range" {
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,1e39]}' 'vector[2] is out of f32 range'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[-1e39,5,6]}' 'vector[0] is out of f32 range'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,1e400,6]}' 'vector[1] is out of f32 range'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,3.5e38]}' 'vector[2] is out of f32 range'
}

@test "the f32 extremes are accepted" {
	{
		good_before
		point 1 30 3.4028235e38 -3.4028235e38 1e-45
	} | ingest
	run ws-get "$S" -e 1 -t 30
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":30,"vector":[3.4028235e+38,-3.4028235e+38,1e-45]}' ]
}

@test "empty vector" {
	bad_line '{"entity_id":1,"timestamp":30,"vector":[]}' 'vector is empty'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[ ]}' 'vector is empty'
}

@test "a vector of more than 65535 values; 65535 is accepted" {
	big=$(printf '1,%.0s' $(seq 65535))
	bad_line "{\"entity_id\":1,\"space_id\":9,\"timestamp\":30,\"vector\":[${big}1]}" 'vector has more than 65535 values'
	printf '{"entity_id":1,"space_id":8,"timestamp":30,"vector":[%s]}\n' "${big%,}" | ingest
	run ws-range "$S" -e 1 -s 8
	[ "$status" -eq 0 ]
	[ "$output" = "{\"entity_id\":1,\"space_id\":8,\"timestamp\":30,\"vector\":[${big%,}]}" ]
}

@test "a dimension that differs from the space's" {
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6,7]}' 'vector has 4 values but space 0 holds 3'
	bad_line '{"entity_id":2,"timestamp":30,"vector":[4]}' 'vector has 1 values but space 0 holds 3'
	# The space's dimension from an earlier run.
	point 5 1 1 2 | ws-ingest "$T/s.dim"
	run sep ws-ingest "$T/s.dim" < <(point 5 2 3 4; echo '{"entity_id":5,"timestamp":3,"vector":[1,2,3]}')
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = 'ws-ingest: stdin:2: vector has 3 values but space 0 holds 2' ]
	run ws-range "$T/s.dim" -e 5
	[ "${#lines[@]}" -eq 2 ]
}

# --- metadata ------------------------------------------------------------

@test "a metadata value that is not a string" {
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"unit":5}}' 'metadata "unit" must be a string'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"a":"x","unit":null}}' 'metadata "unit" must be a string'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"unit":["C"]}}' 'metadata "unit" must be a string'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"unit":{"a":"b"}}}' 'metadata "unit" must be a string'
}

@test "metadata that is not an object" {
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":"C"}' 'field "metadata" must be an object of strings'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":["unit","C"]}' 'field "metadata" must be an object of strings'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":5}' 'field "metadata" must be an object of strings'
}

# --- keys ----------------------------------------------------------------

@test "an unknown top-level key" {
	bad_line '{"entity_id":1,"timestamp":30,"timestmap":31,"vector":[4,5,6]}' 'unknown field "timestmap"'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"Metadata":{"a":"b"}}' 'unknown field "Metadata"'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"tags":null}' 'unknown field "tags"'
}

@test "a misspelt timestamp alone is rejected, never dropped" {
	printf '%s\n' '{"entity_id":1,"timestmap":30,"vector":[4,5,6]}' >"$T/bad"
	for r in 'unknown field "timestmap"' 'missing field "timestamp"'; do
		if check_bad "$r" 2>/dev/null; then
			return 0
		fi
	done
	check_bad 'unknown field "timestmap"'
}

@test "a duplicate key" {
	bad_line '{"entity_id":1,"timestamp":30,"timestamp":31,"vector":[4,5,6]}' 'duplicate field "timestamp"'
	bad_line '{"entity_id":1,"entity_id":1,"timestamp":30,"vector":[4,5,6]}' 'duplicate field "entity_id"'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"vector":[4,5,6]}' 'duplicate field "vector"'
	bad_line '{"entity_id":1,"space_id":0,"space_id":1,"timestamp":30,"vector":[4,5,6]}' 'duplicate field "space_id"'
}

@test "a duplicate metadata key is named alone, not run into its value" {
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"unit":"C","unit":"F"}}' 'duplicate metadata key "unit"'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"a":"x","b":"y","a":"z"}}' 'duplicate metadata key "a"'
}

@test "keys in messages are escaped: one line, no control characters" {
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"x\ny\u001b[31m":1}' 'unknown field "x\u000ay\u001b[31m"'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"k\tx":1}}' 'metadata "k\u0009x" must be a string'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"a\"b\\c":1}' 'unknown field "a\"b\\c"'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"\u0000":"x","\u0000":"y"}}' 'duplicate metadata key "\u0000"'
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"a\u009bb":1}' 'unknown field "a\u009bb"'
	# A cut never splits a character: 2-byte characters, cut after ~100 bytes.
	wide=$(printf '\xc3\xa9%.0s' $(seq 200))
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"'"$wide"'":1}' 'unknown field "*'
	iconv -f UTF-8 -t UTF-8 "$T/err" >/dev/null
	grep -q '\.\.\."$' "$T/err"
	long=$(printf 'k%.0s' $(seq 300))
	bad_line '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"'"$long"'":1}' 'unknown field "kkkkk*'
	grep -q '\.\.\."$' "$T/err"
	[ "$(wc -c <"$T/err")" -lt 200 ]
}

# --- bytes ---------------------------------------------------------------

@test "a line longer than --max-line" {
	long=$(head -c 1500 /dev/zero | tr '\0' x)
	bad_line "{\"entity_id\":1,\"timestamp\":30,\"vector\":[4,5,6],\"metadata\":{\"p\":\"$long\"}}" 'line longer than 1024 bytes' --max-line 1k
	# The length is checked before the JSON: a long line of garbage.
	bad_line "$long" 'line longer than 1024 bytes' -l 1k
	# 1500 bytes pass a 2k limit; the line is then judged as JSON.
	bad_line "$long" 'invalid JSON: *' -l 2k
}

@test "a NUL byte" {
	p='{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"k":"a'
	bad_bytes "$p"'\0b"}}' "NUL byte at column $((${#p} + 1))"
	bad_bytes '\0{"entity_id":1,"timestamp":30,"vector":[4,5,6]}' 'NUL byte at column 1'
	bad_bytes '{"entity_id":1,"timestamp":30,"vector":[4,5,6]}\0' 'NUL byte at column 48'
}

@test "an escaped NUL (\\u0000) is no NUL byte and round-trips" {
	{
		good_before
		printf '%s\n' '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"k":"a\u0000b"}}'
	} | ingest
	run ws-get "$S" -e 1 -t 30
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":30,"vector":[4,5,6],"metadata":{"k":"a\u0000b"}}' ]
}

@test "invalid UTF-8" {
	p='{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"k":"a'
	c=$((${#p} + 1))
	bad_bytes "$p"'\xffb"}}' "invalid UTF-8 at column $c"
	bad_bytes "$p"'\xc0\xafb"}}' "invalid UTF-8 at column $c"
	bad_bytes "$p"'\x80"}}' "invalid UTF-8 at column $c"
	bad_bytes '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"\xfe":"b"}}' 'invalid UTF-8 at column 61'
	# A surrogate and a cut sequence: the column is where the bad sequence starts.
	bad_bytes "$p"'\xed\xa0\x80b"}}' "invalid UTF-8 at column $c"
	bad_bytes "$p"'\xe2\x82"}}' "invalid UTF-8 at column $c"
}

@test "valid UTF-8 goes through byte for byte" {
	{
		good_before
		printf '%s\n' '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"ünit":"°C € 😀"}}'
	} | ingest
	run ws-get "$S" -e 1 -t 30
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":30,"vector":[4,5,6],"metadata":{"ünit":"°C € 😀"}}' ]
}

# --- hostile lines -------------------------------------------------------

@test "a 10000-deep nested array is rejected cleanly" {
	deep=$(printf '[%.0s' $(seq 10000))$(printf ']%.0s' $(seq 10000))
	printf '%s\n' "$deep" >"$T/bad"
	check_bad 'not a JSON object' 2>/dev/null || check_bad 'invalid JSON: *'
	printf '{"entity_id":1,"timestamp":30,"vector":%s}\n' "$deep" >"$T/bad"
	check_bad 'field "vector" must be an array of numbers' 2>/dev/null || check_bad 'invalid JSON: *'
	obj=$(printf '{"a":%.0s' $(seq 10000))'"x"'$(printf '}%.0s' $(seq 10000))
	printf '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":%s}\n' "$obj" >"$T/bad"
	check_bad 'metadata "a" must be a string' 2>/dev/null || check_bad 'invalid JSON: *'
}

@test "a 2 MB line with --max-line 1M is rejected, and the lines after it are numbered right" {
	{
		good_before
		printf '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"p":"'
		head -c 2097152 /dev/zero | tr '\0' x
		printf '"}}\n'
		point 1 40 7 8 9
		echo '{"entity_id":1}'
	} >"$T/in"
	run sep ws-ingest "$S" -k --max-line 1M -r "$T/rej" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(sed -n 1p "$T/err")" = 'ws-ingest: stdin:3: line longer than 1048576 bytes' ]
	[ "$(sed -n 2p "$T/err")" = 'ws-ingest: stdin:5: missing field "timestamp"' ]
	[ "$(wc -l <"$T/err")" -eq 2 ]
	sed -n '3p;5p' "$T/in" | cmp - "$T/rej"
	run ws-range "$S" -e 1
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[2]}" = '{"entity_id":1,"space_id":0,"timestamp":40,"vector":[7,8,9]}' ]
}

@test "an over-long line does not make ws-ingest use much memory" {
	# AddressSanitizer's shadow memory makes RSS meaningless.
	[ "${WS_SANITIZERS:-no}" != yes ] || skip "RSS is not comparable under sanitizers"
	# Baseline: a small run.
	good_before | /usr/bin/time -f %M -o "$T/rss0" ws-ingest "$T/s0"
	# 2 MB line under a 1M limit, then a 64 MB line: memory stays near
	# the limit, not near the line.
	{
		good_before
		printf '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"p":"'
		head -c 2097152 /dev/zero | tr '\0' x
		printf '"}}\n'
	} | /usr/bin/time -f %M -o "$T/rss1" ws-ingest "$T/s1" --max-line 1M 2>"$T/err1" || true
	{
		good_before
		printf '{"entity_id":1,"timestamp":30,"vector":[4,5,6],"metadata":{"p":"'
		head -c 67108864 /dev/zero | tr '\0' x
		printf '"}}\n'
		good_after
	} | /usr/bin/time -f %M -o "$T/rss2" ws-ingest "$S" -k --max-line 1M 2>"$T/err2" || true
	base=$(tail -n 1 "$T/rss0")
	r1=$(tail -n 1 "$T/rss1")
	r2=$(tail -n 1 "$T/rss2")
	echo "max RSS in KiB: baseline $base, 2 MB line $r1, 64 MB line $r2" >&2
	grep -qxF 'ws-ingest: stdin:3: line longer than 1048576 bytes' "$T/err1"
	grep -qxF 'ws-ingest: stdin:3: line longer than 1048576 bytes' "$T/err2"
	# The 2 MB line: no more than the 1 MiB buffer plus 1.5 MiB slack.
	[ "$r1" -lt $((base + 2560)) ]
	# The 64 MB line: far less than the line.
	[ "$r2" -lt $((base + 8192)) ]
	run ws-range "$S" -e 1
	[ "${#lines[@]}" -eq 3 ]
}

@test "fixture bad-lines.ndjson: one message per class, good lines kept" {
	run sep ingest --skip-bad <"$WS_FIXTURES/bad-lines.ndjson"
	[ "$status" -eq 1 ]
	diff "$T/err" "$WS_FIXTURES/bad-lines.expected"
	run ws-range "$S" -e 1
	[ "${#lines[@]}" -eq 2 ]
}
