#!/usr/bin/env bats
# Output format (warmstore(5), "The point") and
# store-to-store round trips.

load helpers

# through LINE... : ingest the lines into a fresh store, then run
# `ws-range --all` on it (stdout only in $output).
through() {
	printf '%s\n' "$@" | ingest
	run sep ws-range "$S" --all </dev/null
	[ "$status" -eq 0 ]
}

# f32 IN OUT : a one-value vector IN comes back as OUT, and OUT read into
# a second store comes back unchanged.
f32() {
	point 1 1 "$1" | ingest
	run sep ws-range "$S" --all </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 1 1 "$2")" ]
	printf '%s\n' "$output" | ws-ingest "$T/b"
	run sep ws-range "$T/b" --all </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 1 1 "$2")" ]
}

@test "roundtrip: keys come out in canonical order whatever the input order" {
	through \
		'{"metadata":{"unit":"C"},"vector":[0.5],"timestamp":-7,"space_id":3,"entity_id":12}' \
		'{"timestamp":8,"entity_id":12,"vector":[1.5,2.5]}' \
		'{"vector":[4.5],"entity_id":12,"metadata":{"k":"v"},"timestamp":9,"space_id":3}'
	[ "$output" = "$(printf '%s\n' \
		'{"entity_id":12,"space_id":0,"timestamp":8,"vector":[1.5,2.5]}' \
		'{"entity_id":12,"space_id":3,"timestamp":-7,"vector":[0.5],"metadata":{"unit":"C"}}' \
		'{"entity_id":12,"space_id":3,"timestamp":9,"vector":[4.5],"metadata":{"k":"v"}}')" ]
}

@test "roundtrip: white space in the input is not kept" {
	through ' { "entity_id" : 3 , "timestamp" : 4 , "vector" : [ 1.5 , -2 ] , "metadata" : { "a" : "b c" } } '
	[ "$output" = '{"entity_id":3,"space_id":0,"timestamp":4,"vector":[1.5,-2],"metadata":{"a":"b c"}}' ]
}

@test "roundtrip: space_id is printed even when the input left it out" {
	printf '%s\n' '{"entity_id":3,"timestamp":4,"vector":[1]}' | ingest -s 6
	run sep ws-range "$S" --all </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":3,"space_id":6,"timestamp":4,"vector":[1]}' ]
}

@test "roundtrip: empty or absent metadata is omitted on output" {
	through \
		'{"entity_id":1,"space_id":0,"timestamp":1,"vector":[1],"metadata":{}}' \
		'{"entity_id":1,"space_id":0,"timestamp":2,"vector":[2]}' \
		'{"entity_id":1,"space_id":0,"timestamp":3,"vector":[3],"metadata":{ }}'
	[ "$output" = "$(point 1 1 1; point 1 2 2; point 1 3 3)" ]
	[[ "$output" != *metadata* ]]
}

@test "roundtrip: metadata pairs keep their input order, empty values kept" {
	through \
		'{"entity_id":1,"timestamp":1,"vector":[1],"metadata":{"z":"1","a":"2","m":"","b":"4"}}' \
		'{"entity_id":1,"timestamp":2,"vector":[1],"metadata":{"a":"x","z":"y"}}'
	[ "$output" = "$(printf '%s\n' \
		'{"entity_id":1,"space_id":0,"timestamp":1,"vector":[1],"metadata":{"z":"1","a":"2","m":"","b":"4"}}' \
		'{"entity_id":1,"space_id":0,"timestamp":2,"vector":[1],"metadata":{"a":"x","z":"y"}}')" ]
}

@test "roundtrip: escaped strings in metadata values and keys" {
	through '{"entity_id":1,"timestamp":1,"vector":[1],"metadata":{"q":"say \"hi\"","b":"a\\b","n":"x\ny","t":"x\ty","c":"\u0001","deg":"20 °C","e":"caf\u00e9","k\"\\ey":"v"}}'
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":1,"vector":[1],"metadata":{"q":"say \"hi\"","b":"a\\b","n":"x\ny","t":"x\ty","c":"\u0001","deg":"20 °C","e":"café","k\"\\ey":"v"}}' ]
	# é comes back as the two UTF-8 bytes c3 a9
	grep -q "$(printf 'caf\303\251')" <<<"$output"
}

@test "roundtrip: CR, BS and FF escapes, an escaped slash and other control characters" {
	through '{"entity_id":1,"timestamp":1,"vector":[1],"metadata":{"r":"\r\b\f","s":"a\/b","c":"\u0002\u0010\u0019"}}'
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":1,"vector":[1],"metadata":{"r":"\r\b\f","s":"a/b","c":"\u0002\u0010\u0019"}}' ]
}

@test "roundtrip: non-ASCII UTF-8 comes back as is, escaped surrogate pairs decoded" {
	through '{"entity_id":1,"timestamp":1,"vector":[1],"metadata":{"°":"µ€😀","p":"\ud83d\ude00","E":"\u20ac"}}'
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":1,"vector":[1],"metadata":{"°":"µ€😀","p":"😀","E":"€"}}' ]
}

@test "roundtrip: escaped metadata survives a store-to-store copy byte for byte" {
	through '{"entity_id":1,"timestamp":1,"vector":[1],"metadata":{"q":"\"\\\/\b\f\n\r\t\u0001\u007f","u":"\u00e9°"}}'
	printf '%s\n' "$output" >"$T/a"
	ws-ingest "$T/b" <"$T/a"
	ws-range "$T/b" --all </dev/null | cmp - "$T/a"
}

@test "roundtrip: f32 0.1 prints 0.1" {
	f32 0.1 0.1
}

@test "roundtrip: f32 0.25 and -3.5 print as given" {
	f32 0.25 0.25
	rm -rf "$S" "$T/b"
	f32 -3.5 -3.5
}

@test "roundtrip: f32 whole numbers print without a fraction" {
	f32 1.0 1
	rm -rf "$S" "$T/b"
	f32 -2.000 -2
	rm -rf "$S" "$T/b"
	f32 0 0
}

@test "roundtrip: f32 1e10 prints 10000000000, 1e20 prints 1e+20" {
	f32 1e10 10000000000
	rm -rf "$S" "$T/b"
	f32 1e20 1e+20
}

@test "roundtrip: f32 FLT_MAX 3.4028235e38 round trips" {
	f32 3.4028235e38 3.4028235e+38
	rm -rf "$S" "$T/b"
	f32 -3.4028235e+38 -3.4028235e+38
}

@test "roundtrip: f32 FLT_MIN 1.17549435e-38 prints 1.1754944e-38" {
	f32 1.17549435e-38 1.1754944e-38
}

@test "roundtrip: f32 smallest subnormal 1e-45 prints 1e-45" {
	f32 1e-45 1e-45
	rm -rf "$S" "$T/b"
	f32 1.401298464324817e-45 1e-45
}

@test "roundtrip: f32 -0.0 prints -0" {
	f32 -0.0 -0
}

@test "roundtrip: f32 0.3333333333 prints 0.33333334" {
	f32 0.3333333333 0.33333334
}

@test "roundtrip: f32 16777217 prints 16777216" {
	f32 16777217 16777216
}

@test "roundtrip: f32 layout: positional for exponents -5..16, else 1.5e-07 style" {
	f32 0.0001 0.0001
	rm -rf "$S" "$T/b"
	f32 1.5e-5 0.000015
	rm -rf "$S" "$T/b"
	f32 123456789 123456790
	rm -rf "$S" "$T/b"
	f32 20 20
	rm -rf "$S" "$T/b"
	f32 -2.5e-7 -2.5e-07
}

@test "roundtrip: a vector of many values keeps every value and its order" {
	through '{"entity_id":1,"timestamp":1,"vector":[0.1,0.25,-3.5,1e10,3.4028235e38,1.17549435e-38,1e-45,-0.0,0.3333333333,16777217,123456]}'
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":1,"vector":[0.1,0.25,-3.5,10000000000,3.4028235e+38,1.1754944e-38,1e-45,-0,0.33333334,16777216,123456]}' ]
}

@test "roundtrip: extreme ids and timestamps come back exact" {
	through \
		'{"entity_id":18446744073709551615,"space_id":4294967295,"timestamp":-9223372036854775808,"vector":[1]}' \
		'{"entity_id":18446744073709551615,"space_id":4294967295,"timestamp":9223372036854775807,"vector":[2]}' \
		'{"entity_id":9007199254740993,"space_id":0,"timestamp":9007199254740993,"vector":[3]}'
	[ "$output" = "$(printf '%s\n' \
		'{"entity_id":9007199254740993,"space_id":0,"timestamp":9007199254740993,"vector":[3]}' \
		'{"entity_id":18446744073709551615,"space_id":4294967295,"timestamp":-9223372036854775808,"vector":[1]}' \
		'{"entity_id":18446744073709551615,"space_id":4294967295,"timestamp":9223372036854775807,"vector":[2]}')" ]
	run sep ws-get "$S" -e 18446744073709551615 -s 4294967295 -t 9223372036854775807 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":18446744073709551615,"space_id":4294967295,"timestamp":9223372036854775807,"vector":[2]}' ]
}

# gen N SEED : N varied point lines: 6 entities (u64 extremes among them),
# 3 spaces of dimensions 3, 2 and 1, a small time pool so that keys repeat,
# times out of order, metadata absent/empty/escaped, key order sometimes
# shuffled, space_id sometimes left out.
gen() {
	printf '%s\n' \
		'' \
		'{}' \
		'{"unit":"°C"}' \
		'{"tag":"a\"b","note":"line\nbreak","ctl":"\u0001\t"}' \
		'{"x":"caf\u00e9","z":"","a":"back\\slash"}' >"$T/md"
	awk -v n="$1" -v seed="$2" -v mdfile="$T/md" '
	function num(r) {
		r = rand()
		if (r < 0.1) return int(rand() * 200) - 100
		if (r < 0.15) return "-0.0"
		if (r < 0.2) return sprintf("%.3g", rand())
		return sprintf("%.9g", (rand() - 0.5) * 10 ^ (int(rand() * 24) - 12))
	}
	BEGIN {
		srand(seed)
		nmd = 0
		while ((getline line < mdfile) > 0) md[nmd++] = line
		split("0 1 2 42 9007199254740993 18446744073709551615", ents, " ")
		split("0 1 4294967295", spaces, " ")
		dims[1] = 3; dims[2] = 2; dims[3] = 1
		for (i = 0; i < n; i++) {
			e = ents[int(rand() * 6) + 1]
			si = int(rand() * 3) + 1
			r = rand()
			if (r < 0.8) t = int(rand() * 300) - 100
			else if (r < 0.9) t = "1700000000000" sprintf("%03d", int(rand() * 50))
			else t = "-90000000000000000" sprintf("%02d", int(rand() * 20))
			v = num()
			for (d = 2; d <= dims[si]; d++) v = v "," num()
			m = md[int(rand() * nmd)]
			sp = spaces[si]
			r = rand()
			if (r < 0.1)
				printf "{\"vector\":[%s],\"timestamp\":%s,\"entity_id\":%s,\"space_id\":%s%s}\n", v, t, e, sp, (m == "" ? "" : ",\"metadata\":" m)
			else if (r < 0.2 && sp == 0)
				printf "{\"entity_id\":%s,\"timestamp\":%s,\"vector\":[%s]%s}\n", e, t, v, (m == "" ? "" : ",\"metadata\":" m)
			else
				printf "{\"entity_id\":%s,\"space_id\":%s,\"timestamp\":%s,\"vector\":[%s]%s}\n", e, sp, t, v, (m == "" ? "" : ",\"metadata\":" m)
			print e, sp, t > "/dev/stderr"
		}
	}'
}

@test "roundtrip: store to store through ws-range --all, and re-ingest changes nothing" {
	gen 3000 42 >"$T/in" 2>"$T/keys"
	[ "$(wc -l <"$T/in")" -eq 3000 ]
	nkeys=$(sort -u "$T/keys" | wc -l)
	# the generator does repeat keys
	[ "$nkeys" -lt 2900 ]
	[ "$nkeys" -gt 1000 ]

	A="$T/A" B="$T/B" C="$T/C"
	# store A in two runs, committed in several batches
	head -n 1800 "$T/in" | ws-ingest -b 16k "$A"
	tail -n +1801 "$T/in" | ws-ingest -b 16k "$A"
	ws-range --all "$A" </dev/null >"$T/a1"
	[ "$(wc -l <"$T/a1")" -eq "$nkeys" ]

	# every line canonical, keys strictly increasing
	[ "$(grep -Evc '^\{"entity_id":[0-9]+,"space_id":[0-9]+,"timestamp":-?[0-9]+,"vector":\[[^]]+\](,"metadata":\{"[^}]+\})?\}$' "$T/a1")" -eq 0 ]
	[ "$(grep -c '"metadata":{}' "$T/a1")" -eq 0 ]
	[ "$(grep -Ec '[0-9]\.[0-9]*0[],e]' "$T/a1")" -eq 0 ]
	sed -E 's/^\{"entity_id":([0-9]+),"space_id":([0-9]+),"timestamp":(-?[0-9]+),.*$/\1 \2 \3/' "$T/a1" >"$T/a1keys"
	sort -C -u -k1,1n -k2,2n -k3,3n "$T/a1keys"
	sort -u "$T/keys" | cmp - <(sort -u "$T/a1keys")

	# the latest write wins: same content as the deduplicated input
	awk '{ last[$1 " " $2 " " $3] = NR } END { for (k in last) print last[k] }' "$T/keys" >"$T/lastnr"
	[ "$(wc -l <"$T/lastnr")" -eq "$nkeys" ]
	awk 'NR == FNR { keep[$1] = 1; next } FNR in keep' "$T/lastnr" "$T/in" | ws-ingest "$C"
	ws-range --all "$C" </dev/null | cmp - "$T/a1"

	# A -> B gives the same content
	ws-ingest "$B" <"$T/a1"
	ws-range --all "$B" </dev/null | cmp - "$T/a1"

	# ws-get answers the printed lines, used as keys, with themselves
	ws-get "$A" <"$T/a1" | cmp - "$T/a1"

	# re-ingesting the output into A changes nothing
	ws-ingest "$A" <"$T/a1"
	ws-range --all "$A" </dev/null | cmp - "$T/a1"
	ws-range --all --reverse "$A" </dev/null | tac | cmp - "$T/a1"
}

@test "fixture good-mixed.ndjson reads back as good-mixed.expected" {
	ingest <"$WS_FIXTURES/good-mixed.ndjson"
	run ws-range --all "$S"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$WS_FIXTURES/good-mixed.expected")" ]
}
