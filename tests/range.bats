#!/usr/bin/env bats
# ws-range: time ranges of one series, and --all over the whole store.

load helpers

# pts E T... : the canonical lines of entity E, space 0, at times T...,
# each with the one-value vector [T.5].
pts() {
	local e=$1 t
	shift
	for t; do
		point "$e" "$t" "$t.5"
	done
}

# keysort: sort canonical point lines by (entity, space, timestamp).
keysort() {
	sed -E 's/^\{"entity_id":([0-9]+),"space_id":([0-9]+),"timestamp":(-?[0-9]+),.*$/\1 \2 \3 &/' |
		sort -s -k1,1n -k2,2n -k3,3n | cut -d' ' -f4-
}

# seed: entity 7 at 10..50 written out of order, neighbours around it.
seed() {
	{
		pts 7 30 10 50 40 20
		pts 8 25
		pts 6 25
	} | ingest
	printf '{"entity_id":7,"space_id":1,"timestamp":%s,"vector":[1,2]}\n' 35 15 | ingest
}

@test "range: --from and --to are inclusive bounds" {
	seed
	run sep ws-range "$S" -e 7 -f 20 -t 40 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 20 30 40)" ]
	[ ! -s "$T/err" ]
	run sep ws-range "$S" --entity 7 --from 10 --to 50 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 10 20 30 40 50)" ]
	run sep ws-range "$S" -e 7 -f 30 -t 30 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 30)" ]
}

@test "range: points just outside the bounds are excluded" {
	seed
	run sep ws-range "$S" -e 7 -f 21 -t 39 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 30)" ]
	run sep ws-range "$S" -e 7 -f 11 -t 49 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 20 30 40)" ]
	run sep ws-range "$S" -e 7 -f 51 -t 1000 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run sep ws-range "$S" -e 7 -f -1000 -t 9 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run sep ws-range "$S" -e 7 -f 21 -t 29 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "range: without --from/--to the range is all time" {
	seed
	run sep ws-range "$S" -e 7 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 10 20 30 40 50)" ]
	run sep ws-range "$S" -e 7 -f 30 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 30 40 50)" ]
	run sep ws-range "$S" -e 7 -t 20 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 10 20)" ]
}

@test "range: all time includes the extreme timestamps" {
	pts 7 0 -1 | ingest
	{
		point 7 -9223372036854775808 1.5
		point 7 9223372036854775807 2.5
	} | ingest
	run sep ws-range "$S" -e 7 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 7 -9223372036854775808 1.5; pts 7 -1 0; point 7 9223372036854775807 2.5)" ]
	run sep ws-range "$S" -e 7 -f -9223372036854775808 -t -1 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 7 -9223372036854775808 1.5; pts 7 -1)" ]
	run sep ws-range "$S" -e 7 --from=0 --to=9223372036854775807 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 0; point 7 9223372036854775807 2.5)" ]
}

@test "range: -s selects the space" {
	seed
	run sep ws-range "$S" -e 7 -s 1 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '{"entity_id":7,"space_id":1,"timestamp":%s,"vector":[1,2]}\n' 15 35)" ]
	run sep ws-range "$S" -e 7 --space 1 -f 20 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":7,"space_id":1,"timestamp":35,"vector":[1,2]}' ]
}

@test "range: output is sorted by time whatever the input order and run" {
	pts 7 30 10 | ingest
	pts 7 50 -20 20 | ingest
	pts 7 40 0 -10 | ingest
	run sep ws-range "$S" -e 7 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 -20 -10 0 10 20 30 40 50)" ]
	run sep ws-range "$S" -e 7 -f -10 -t 30 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 -10 0 10 20 30)" ]
}

@test "range: --limit 0, 1, and more than available" {
	seed
	run sep ws-range "$S" -e 7 -n 0 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run sep ws-range "$S" -e 7 -n 1 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 10)" ]
	run sep ws-range "$S" -e 7 --limit 3 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 10 20 30)" ]
	run sep ws-range "$S" -e 7 -n 99 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 10 20 30 40 50)" ]
	run sep ws-range "$S" -e 7 -n 18446744073709551615 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 10 20 30 40 50)" ]
	# the limit counts from the start of the range
	run sep ws-range "$S" -e 7 -f 20 -n 2 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 20 30)" ]
}

@test "range: --reverse prints newest first" {
	seed
	run sep ws-range "$S" -e 7 -r </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 50 40 30 20 10)" ]
	run sep ws-range "$S" -e 7 --reverse -f 20 -t 40 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 40 30 20)" ]
}

@test "range: --reverse with --limit gives the newest N" {
	seed
	run sep ws-range "$S" -e 7 -r -n 2 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 50 40)" ]
	run sep ws-range "$S" -e 7 -r -n 1 -t 35 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 30)" ]
	run sep ws-range "$S" -e 7 -r -n 10 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 7 50 40 30 20 10)" ]
	run sep ws-range "$S" -e 7 -r -n 0 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

# multi: several entities and spaces over three runs, with overwrites;
# leaves the expected --all output in $T/expected.
multi() {
	local sp3='{"entity_id":%s,"space_id":3,"timestamp":%s,"vector":[%s,-1]}\n'
	{
		pts 10 5 -3
		pts 2 7 1
		printf "$sp3" 2 4 0.5 2 9 1.5
		pts 18446744073709551615 1 0
		pts 9007199254740993 2
	} >"$T/run1"
	{
		pts 0 100 50
		pts 10 2
		printf "$sp3" 2 -4 2.5 2 0 3.5
		pts 9007199254740992 2
		pts 2 3
	} >"$T/run2"
	{
		# overwrites of keys from run 1 and 2 with new vectors
		point 10 5 99
		point 2 7 -99
		printf "$sp3" 2 4 77
		pts 18446744073709551615 -5
	} >"$T/run3"
	ingest <"$T/run1"
	ingest <"$T/run2"
	ingest <"$T/run3"
	{
		pts 10 -3 2
		point 10 5 99
		pts 2 1 3
		point 2 7 -99
		printf "$sp3" 2 4 77 2 9 1.5 2 -4 2.5 2 0 3.5
		pts 18446744073709551615 1 0 -5
		pts 9007199254740993 2
		pts 0 100 50
		pts 9007199254740992 2
	} | keysort >"$T/expected"
}

@test "range: --all prints the whole store in (entity, space, timestamp) order" {
	multi
	# the expected order, spelled out for the first lines
	[ "$(head -n 3 "$T/expected")" = "$(pts 0 50 100; pts 2 1)" ]
	[ "$(wc -l <"$T/expected")" -eq 17 ]
	run sep ws-range "$S" --all </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/expected")" ]
	[ ! -s "$T/err" ]
	run sep ws-range -a "$S" </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/expected")" ]
}

@test "range: --all with --from/--to filters every series by time" {
	multi
	run sep ws-range "$S" --all -f 0 -t 9 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(sed -E '/"timestamp":(-|[1-9][0-9])/d' "$T/expected")" ]
	[ "$output" = "$(
		pts 2 1 3
		point 2 7 -99
		printf '{"entity_id":2,"space_id":3,"timestamp":%s,"vector":[%s,-1]}\n' 0 3.5 4 77 9 1.5
		pts 10 2
		point 10 5 99
		pts 9007199254740992 2
		pts 9007199254740993 2
		pts 18446744073709551615 0 1
	)" ]
	run sep ws-range "$S" --all --from 50 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 0 50 100)" ]
	run sep ws-range "$S" --all --to -4 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '{"entity_id":2,"space_id":3,"timestamp":-4,"vector":[2.5,-1]}\n'; pts 18446744073709551615 -5)" ]
}

@test "range: --all with --limit stops after N points of the key order" {
	multi
	run sep ws-range "$S" --all -n 5 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(head -n 5 "$T/expected")" ]
	run sep ws-range "$S" --all --limit 0 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run sep ws-range "$S" --all --limit 1000 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/expected")" ]
}

@test "range: --all --reverse is the exact reverse of --all" {
	multi
	run sep ws-range "$S" --all --reverse </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(tac "$T/expected")" ]
	ws-range "$S" --all </dev/null >"$T/fwd"
	ws-range "$S" -a -r </dev/null >"$T/rev"
	[ -s "$T/fwd" ]
	tac "$T/rev" | cmp - "$T/fwd"
	# with --limit: the last N points of the key order, newest first
	run sep ws-range "$S" --all -r -n 4 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(tac "$T/expected" | head -n 4)" ]
	# with --from/--to
	run sep ws-range "$S" --all -r -f 0 -t 9 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(sed -E '/"timestamp":(-|[1-9][0-9])/d' "$T/expected" | tac)" ]
}

@test "range: --all with --entity or --space is a usage error" {
	seed
	run sep ws-range "$S" --all --entity 7 </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	grep -Fqx 'ws-range: --all takes no --entity or --space' "$T/err"
	grep -Fqx "Try 'ws-range --help' for more information." "$T/err"
	run sep ws-range "$S" -a -s 1 </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	grep -Fqx 'ws-range: --all takes no --entity or --space' "$T/err"
}

@test "range: neither --entity nor --all is a usage error" {
	seed
	run sep ws-range "$S" </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	grep -Fqx 'ws-range: --entity is required (or --all)' "$T/err"
	grep -Fqx "Try 'ws-range --help' for more information." "$T/err"
	run sep ws-range "$S" -f 0 -t 100 </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
}

@test "range: --from after --to prints nothing, exit 0" {
	seed
	run sep ws-range "$S" -e 7 -f 40 -t 20 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run sep ws-range "$S" -e 7 -f 31 -t 30 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run sep ws-range "$S" --all -f 40 -t 20 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "range: a series that is not in the store is exit 1, naming the entity's spaces" {
	seed
	run sep ws-range "$S" -e 99 </dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(cat "$T/err")" = "ws-range: $S: entity 99: not in the store" ]
	run sep ws-range "$S" -e 7 -s 9 </dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(cat "$T/err")" = "ws-range: $S: entity 7, space 9: no such series (the entity is in spaces 0, 1)" ]
	run sep ws-range "$S" -e 8 -s 1 </dev/null
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = "ws-range: $S: entity 8, space 1: no such series (the entity is in space 0)" ]
	run sep ws-range "$S" -e 18446744073709551615 -r -n 5 </dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	# an empty store holds no series either
	ws-ingest "$T/empty" </dev/null
	run sep ws-range "$T/empty" -e 0 </dev/null
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = "ws-range: $T/empty: entity 0: not in the store" ]
}

@test "range: an existing series with nothing in the window prints nothing, exit 0" {
	seed
	run sep ws-range "$S" -e 7 -f 1000 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -s "$T/err" ]
	run sep ws-range "$S" -e 7 -s 1 -t 0 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -s "$T/err" ]
}

@test "range: an entity with more spaces than a message names" {
	for s in 0 1 2 3 4 5 6 7 8 9; do
		printf '{"entity_id":3,"space_id":%s,"timestamp":1,"vector":[1]}\n' "$s"
	done | ingest
	run sep ws-range "$S" -e 3 -s 10 </dev/null
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = "ws-range: $S: entity 3, space 10: no such series (the entity is in spaces 0, 1, 2, 3, 4, 5, 6, 7, ...)" ]
}

@test "range: invalid option values are usage errors" {
	seed
	run sep ws-range "$S" -e 7 -f abc </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	grep -Fqx "ws-range: --from: invalid time 'abc': expected integer microseconds, RFC 3339 such as 2026-11-25T10:00:00Z or a date such as 2026-11-25, now, or now-DURATION such as now-1h30m" "$T/err"
	run sep ws-range "$S" -e 7 -n -1 </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	run sep ws-range "$S" -e 7 -s 4294967296 </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
}

@test "range: overwrites across runs never print a key twice" {
	pts 7 10 20 30 40 50 | ingest
	{
		point 7 20 200.5
		point 7 40 400.5
		pts 7 60
	} | ingest
	{
		point 7 20 2000.5
		point 7 10 100.5
	} | ingest
	exp="$(
		point 7 10 100.5
		point 7 20 2000.5
		pts 7 30
		point 7 40 400.5
		pts 7 50 60
	)"
	run sep ws-range "$S" -e 7 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$exp" ]
	run sep ws-range "$S" -e 7 -r </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(tac <<<"$exp")" ]
	run sep ws-range "$S" --all </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$exp" ]
	run sep ws-range "$S" -e 7 -f 20 -t 40 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 7 20 2000.5; pts 7 30; point 7 40 400.5)" ]
	# the limit counts distinct keys
	run sep ws-range "$S" -e 7 -n 3 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(head -n 3 <<<"$exp")" ]
}

@test "range: a range spanning many blocks and commits" {
	# entity 5: times 0..2999 in a scrambled order, entities 4 and 6
	# interleaved, committed every 1k of input; then a second run
	# overwrites times 1000..1099.
	awk 'BEGIN {
		for (i = 0; i < 3000; i++) {
			t = (i * 1237) % 3000
			printf "{\"entity_id\":5,\"space_id\":0,\"timestamp\":%d,\"vector\":[%d.5]}\n", t, t
			if (i % 10 == 0)
				printf "{\"entity_id\":%d,\"space_id\":0,\"timestamp\":%d,\"vector\":[%d.5]}\n", 4 + (i % 20 == 0) * 2, t, t
		}
	}' >"$T/in1"
	ingest -v -b 1k <"$T/in1" 2>"$T/err1"
	# many commits really happened
	[ "$(grep -c '^ws-ingest: committed through line ' "$T/err1")" -ge 20 ]
	awk 'BEGIN {
		for (t = 1099; t >= 1000; t--)
			printf "{\"entity_id\":5,\"space_id\":0,\"timestamp\":%d,\"vector\":[-%d.25]}\n", t, t
	}' | ingest -b 1k
	awk 'BEGIN {
		for (t = 0; t < 3000; t++)
			if (t >= 1000 && t < 1100)
				printf "{\"entity_id\":5,\"space_id\":0,\"timestamp\":%d,\"vector\":[-%d.25]}\n", t, t
			else
				printf "{\"entity_id\":5,\"space_id\":0,\"timestamp\":%d,\"vector\":[%d.5]}\n", t, t
	}' >"$T/expected"

	ws-range "$S" -e 5 </dev/null >"$T/out"
	[ "$(wc -l <"$T/out")" -eq 3000 ]
	diff -u "$T/expected" "$T/out"

	ws-range "$S" -e 5 -f 950 -t 2049 </dev/null >"$T/out"
	[ "$(wc -l <"$T/out")" -eq 1100 ]
	sed -n '951,2050p' "$T/expected" | diff -u - "$T/out"

	run sep ws-range "$S" -e 5 -r -n 3 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(pts 5 2999 2998 2997)" ]

	run sep ws-range "$S" -e 5 -f 1098 -n 4 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 5 1098 -1098.25; point 5 1099 -1099.25; pts 5 1100 1101)" ]

	ws-range "$S" -e 5 -r </dev/null | tac | diff -u "$T/expected" -

	# entities 4 and 6 each got 150 points
	[ "$(ws-range "$S" -e 4 </dev/null | wc -l)" -eq 150 ]
	[ "$(ws-range "$S" -e 6 </dev/null | wc -l)" -eq 150 ]

	ws-range "$S" --all </dev/null >"$T/all"
	[ "$(wc -l <"$T/all")" -eq 3300 ]
	keysort <"$T/all" | uniq | cmp - "$T/all"
	grep -F '"entity_id":5,' "$T/all" | cmp - "$T/expected"
}

# many N : N canonical lines over 7 entities, metadata on entity 3, two
# values each, written shuffled into the store; $T/expected holds them
# in key order.
many() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			e = i % 7; t = int(i / 7)
			m = e == 3 ? ",\"metadata\":{\"k\":\"v" t "\"}" : ""
			printf "{\"entity_id\":%d,\"space_id\":0,\"timestamp\":%d,\"vector\":[%d.25,-%d]%s}\n", e, t, t, e, m
		}
	}' >"$T/lines"
	shuf --random-source=<(yes) "$T/lines" | ingest
	keysort <"$T/lines" >"$T/expected"
}

@test "range: a long --all, printed on a helper thread, comes out whole and in key order" {
	many 30000
	run ws-range --all "$S"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 30000 ]
	ws-range --all "$S" | cmp - "$T/expected"
	# -n past the points printed before the helper starts, and into a batch
	ws-range --all -n 12345 "$S" | cmp - <(head -n 12345 "$T/expected")
	# CSV: one header, then every point
	run ws-range --all --format csv "$S"
	[ "${#lines[@]}" -eq 30001 ]
	[ "$(grep -c '^entity_id,' <<<"$output")" -eq 1 ]
}

@test "range: a long --all into a full device exits 2 naming stdout" {
	many 30000
	ws-range --all "$S" >/dev/full 2>"$T/err" && status=0 || status=$?
	[ "$status" -eq 2 ]
	grep -q '^ws-range: stdout: .*No space left on device' "$T/err"
}
