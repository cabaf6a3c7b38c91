#!/usr/bin/env bats
# ws-get: exact lookups, one key from options or key lines on stdin.

load helpers

# seed: a small store. Space 0 holds dimension 3, space 5 dimension 2.
seed() {
	{
		point 1 100 1.5 2.5 3.5
		point 1 200 -1 0.25 8
		point 1 300 0.5 0.5 0.5
		point 2 100 9 9 9
		printf '%s\n' '{"entity_id":1,"space_id":5,"timestamp":100,"vector":[7.5,6.5],"metadata":{"unit":"C"}}'
	} | ingest
}

L1_100='{"entity_id":1,"space_id":0,"timestamp":100,"vector":[1.5,2.5,3.5]}'
L1_200='{"entity_id":1,"space_id":0,"timestamp":200,"vector":[-1,0.25,8]}'
L1_300='{"entity_id":1,"space_id":0,"timestamp":300,"vector":[0.5,0.5,0.5]}'
L2_100='{"entity_id":2,"space_id":0,"timestamp":100,"vector":[9,9,9]}'
L1S5_100='{"entity_id":1,"space_id":5,"timestamp":100,"vector":[7.5,6.5],"metadata":{"unit":"C"}}'

@test "get: -e/-t finds one key and prints its exact canonical line, exit 0" {
	seed
	run sep ws-get "$S" -e 1 -t 200 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$L1_200" ]
	[ ! -s "$T/err" ]
}

@test "get: long options --entity/--space/--timestamp, options after STORE" {
	seed
	run sep ws-get "$S" --entity 1 --space 5 --timestamp 100 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$L1S5_100" ]
	run sep ws-get --entity=2 --timestamp=100 "$S" </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$L2_100" ]
	run sep ws-get -s 0 -e 1 -t 100 "$S" </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$L1_100" ]
}

@test "get: -s selects the space of the key" {
	seed
	run sep ws-get "$S" -e 1 -s 5 -t 100 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$L1S5_100" ]
	run sep ws-get "$S" -e 1 -s 0 -t 100 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$L1_100" ]
	# entity 1 has time 200 in space 0 only
	run sep ws-get "$S" -e 1 -s 5 -t 200 </dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "get: a missing key prints nothing and exits 1" {
	seed
	# a time between two stored ones: no approximate match
	run sep ws-get "$S" -e 1 -t 150 </dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	# before the first and after the last point of the series
	run sep ws-get "$S" -e 1 -t 99 </dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	run sep ws-get "$S" -e 1 -t 301 </dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	# an entity the store does not know
	run sep ws-get "$S" -e 3 -t 100 </dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	# a space the store does not know
	run sep ws-get "$S" -e 1 -s 6 -t 100 </dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "get: key lines on stdin are answered in input order" {
	seed
	printf '%s\n' \
		'{"entity_id":2,"space_id":0,"timestamp":100}' \
		'{"entity_id":1,"space_id":0,"timestamp":300}' \
		'{"entity_id":1,"space_id":0,"timestamp":100}' \
		'{"entity_id":1,"space_id":5,"timestamp":100}' \
		'{"entity_id":1,"space_id":0,"timestamp":200}' >"$T/keys"
	run sep ws-get "$S" <"$T/keys"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' "$L2_100" "$L1_300" "$L1_100" "$L1S5_100" "$L1_200")" ]
	[ ! -s "$T/err" ]
}

@test "get: a key asked twice on stdin is printed twice" {
	seed
	printf '%s\n' \
		'{"entity_id":1,"timestamp":300}' \
		'{"entity_id":2,"timestamp":100}' \
		'{"entity_id":1,"timestamp":300}' >"$T/keys"
	run sep ws-get "$S" <"$T/keys"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' "$L1_300" "$L2_100" "$L1_300")" ]
}

@test "get: space_id is optional in key lines and defaults to --space or 0" {
	seed
	printf '%s\n' '{"entity_id":1,"timestamp":100}' >"$T/keys"
	run sep ws-get "$S" <"$T/keys"
	[ "$status" -eq 0 ]
	[ "$output" = "$L1_100" ]
	run sep ws-get "$S" -s 5 <"$T/keys"
	[ "$status" -eq 0 ]
	[ "$output" = "$L1S5_100" ]
	run sep ws-get "$S" --space 5 <"$T/keys"
	[ "$status" -eq 0 ]
	[ "$output" = "$L1S5_100" ]
	# an explicit space_id wins over --space
	printf '%s\n' \
		'{"entity_id":1,"space_id":0,"timestamp":100}' \
		'{"entity_id":1,"timestamp":100}' >"$T/keys2"
	run sep ws-get "$S" -s 5 <"$T/keys2"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' "$L1_100" "$L1S5_100")" ]
}

@test "get: a full point line is accepted as a key, its vector and metadata ignored" {
	seed
	printf '%s\n' \
		'{"entity_id":1,"space_id":0,"timestamp":100,"vector":[0,0,0],"metadata":{"x":"y"}}' \
		'{"timestamp":100,"vector":[1,2],"entity_id":1,"space_id":5}' >"$T/keys"
	run sep ws-get "$S" <"$T/keys"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' "$L1_100" "$L1S5_100")" ]
	[ ! -s "$T/err" ]
}

@test "get: found and missing keys mixed: found ones printed in order, exit 1" {
	seed
	printf '%s\n' \
		'{"entity_id":1,"timestamp":200}' \
		'{"entity_id":1,"timestamp":201}' \
		'{"entity_id":7,"timestamp":100}' \
		'{"entity_id":2,"timestamp":100}' \
		'{"entity_id":2,"space_id":5,"timestamp":100}' >"$T/keys"
	run sep ws-get "$S" <"$T/keys"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '%s\n' "$L1_200" "$L2_100")" ]
}

@test "get: only missing keys on stdin: no output, exit 1" {
	seed
	printf '%s\n' '{"entity_id":1,"timestamp":1}' '{"entity_id":9,"timestamp":100}' >"$T/keys"
	run sep ws-get "$S" <"$T/keys"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "get: a bad key line is reported as stdin:N, the other keys still answered, exit 1" {
	seed
	printf '%s\n' \
		'{"entity_id":1,"timestamp":100}' \
		'[1,2,3]' \
		'{"entity_id":2,"timestamp":100}' \
		'{"entity_id":1}' \
		'{"entity_id":1,"timestamp":' \
		'{"entity_id":"1","timestamp":100}' \
		'{"entity_id":1,"timestamp":300}' >"$T/keys"
	run sep ws-get "$S" <"$T/keys"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '%s\n' "$L1_100" "$L2_100" "$L1_300")" ]
	grep -Fqx 'ws-get: stdin:2: not a JSON object' "$T/err"
	grep -Fqx 'ws-get: stdin:4: missing field "timestamp"' "$T/err"
	grep -Eqx 'ws-get: stdin:5: invalid JSON: .+' "$T/err"
	grep -Fqx 'ws-get: stdin:6: field "entity_id" must be an integer' "$T/err"
	[ "$(wc -l <"$T/err")" -eq 4 ]
}

@test "get: a key line with an out-of-range field is a bad line" {
	seed
	printf '%s\n' \
		'{"entity_id":-1,"timestamp":100}' \
		'{"entity_id":1,"space_id":4294967296,"timestamp":100}' \
		'{"entity_id":1,"timestamp":9223372036854775808}' \
		'{"entity_id":18446744073709551616,"timestamp":100}' \
		'{"entity_id":2,"timestamp":100}' >"$T/keys"
	run sep ws-get "$S" <"$T/keys"
	[ "$status" -eq 1 ]
	[ "$output" = "$L2_100" ]
	grep -Fqx 'ws-get: stdin:1: field "entity_id" out of range (0..18446744073709551615)' "$T/err"
	grep -Fqx 'ws-get: stdin:2: field "space_id" out of range (0..4294967295)' "$T/err"
	grep -Fqx 'ws-get: stdin:3: field "timestamp" out of range (-9223372036854775808..9223372036854775807)' "$T/err"
	grep -Fqx 'ws-get: stdin:4: field "entity_id" out of range (0..18446744073709551615)' "$T/err"
}

@test "get: --entity without --timestamp is a usage error, exit 2" {
	seed
	run sep ws-get "$S" --entity 1 </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	grep -Fqx 'ws-get: --entity and --timestamp go together' "$T/err"
	grep -Fqx "Try 'ws-get --help' for more information." "$T/err"
}

@test "get: --timestamp without --entity is a usage error, exit 2" {
	seed
	run sep ws-get "$S" -t 100 </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	grep -Fqx 'ws-get: --entity and --timestamp go together' "$T/err"
}

@test "get: an invalid --entity value is a usage error, exit 2" {
	seed
	run sep ws-get "$S" -e abc -t 100 </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	grep -Fqx "ws-get: --entity: invalid value 'abc' (expected an integer 0..18446744073709551615)" "$T/err"
}

@test "get: keys in different spaces of one entity are kept apart" {
	{
		printf '%s\n' '{"entity_id":9,"space_id":0,"timestamp":1,"vector":[1,2,3]}'
		printf '%s\n' '{"entity_id":9,"space_id":5,"timestamp":1,"vector":[4,5]}'
		printf '%s\n' '{"entity_id":9,"space_id":4294967295,"timestamp":1,"vector":[6]}'
		printf '%s\n' '{"entity_id":9,"space_id":5,"timestamp":2,"vector":[7,8]}'
	} | ingest
	printf '%s\n' \
		'{"entity_id":9,"space_id":4294967295,"timestamp":1}' \
		'{"entity_id":9,"space_id":5,"timestamp":1}' \
		'{"entity_id":9,"space_id":0,"timestamp":1}' \
		'{"entity_id":9,"space_id":0,"timestamp":2}' \
		'{"entity_id":9,"space_id":5,"timestamp":2}' >"$T/keys"
	run sep ws-get "$S" <"$T/keys"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '%s\n' \
		'{"entity_id":9,"space_id":4294967295,"timestamp":1,"vector":[6]}' \
		'{"entity_id":9,"space_id":5,"timestamp":1,"vector":[4,5]}' \
		'{"entity_id":9,"space_id":0,"timestamp":1,"vector":[1,2,3]}' \
		'{"entity_id":9,"space_id":5,"timestamp":2,"vector":[7,8]}')" ]
	run sep ws-get "$S" -e 9 -s 4294967295 -t 1 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":9,"space_id":4294967295,"timestamp":1,"vector":[6]}' ]
}

@test "get: entity ids are exact over the whole u64 range" {
	{
		point 18446744073709551615 5 1
		point 18446744073709551614 5 2
		point 9007199254740993 5 3
		point 9007199254740992 5 4
		point 0 5 5
	} | ingest
	run sep ws-get "$S" -e 18446744073709551615 -t 5 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 18446744073709551615 5 1)" ]
	run sep ws-get "$S" -e 18446744073709551614 -t 5 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 18446744073709551614 5 2)" ]
	run sep ws-get "$S" -e 9007199254740993 -t 5 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 9007199254740993 5 3)" ]
	run sep ws-get "$S" -e 0 -t 5 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 0 5 5)" ]
	printf '%s\n' \
		'{"entity_id":9007199254740992,"timestamp":5}' \
		'{"entity_id":18446744073709551615,"timestamp":5}' >"$T/keys"
	run sep ws-get "$S" <"$T/keys"
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 9007199254740992 5 4; point 18446744073709551615 5 1)" ]
	# out of range on the command line
	run sep ws-get "$S" -e 18446744073709551616 -t 5 </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
}

@test "get: negative and extreme timestamps" {
	{
		point 3 -1 1
		point 3 -1000000 2
		point 3 -9223372036854775808 3
		point 3 9223372036854775807 4
		point 3 0 5
	} | ingest
	run sep ws-get "$S" -e 3 -t -1 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 3 -1 1)" ]
	run sep ws-get "$S" -e 3 --timestamp=-1000000 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 3 -1000000 2)" ]
	run sep ws-get "$S" -e 3 -t -9223372036854775808 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 3 -9223372036854775808 3)" ]
	run sep ws-get "$S" -e 3 -t 9223372036854775807 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 3 9223372036854775807 4)" ]
	run sep ws-get "$S" -e 3 -t 0 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 3 0 5)" ]
	run sep ws-get "$S" -e 3 -t -2 </dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	printf '%s\n' '{"entity_id":3,"timestamp":-9223372036854775808}' '{"entity_id":3,"timestamp":-1}' >"$T/keys"
	run sep ws-get "$S" <"$T/keys"
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 3 -9223372036854775808 3; point 3 -1 1)" ]
}

@test "get: the latest write wins across two ingest runs" {
	{
		point 4 10 1 1
		printf '%s\n' '{"entity_id":4,"space_id":0,"timestamp":20,"vector":[2,2],"metadata":{"a":"1"}}'
		point 4 30 3 3
	} | ingest
	{
		point 4 10 10.5 11.5
		point 4 20 20.5 21.5
	} | ingest
	run sep ws-get "$S" -e 4 -t 10 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 4 10 10.5 11.5)" ]
	# the point is replaced, not merged: the old metadata is gone
	run sep ws-get "$S" -e 4 -t 20 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 4 20 20.5 21.5)" ]
	run sep ws-get "$S" -e 4 -t 30 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 4 30 3 3)" ]
	# a third run overwrites again
	point 4 10 -7 -8 | ingest
	run sep ws-get "$S" -e 4 -t 10 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 4 10 -7 -8)" ]
}

@test "get: within one ingest run the last line of a key wins" {
	{
		point 5 10 1
		point 5 10 2
		point 5 20 3
		point 5 10 4
	} | ingest
	run sep ws-get "$S" -e 5 -t 10 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 5 10 4)" ]
}

@test "get: a store that does not exist is an environment error, exit 2" {
	run sep ws-get "$T/nostore" -e 1 -t 1 </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	grep -Fq "$T/nostore" "$T/err"
	[ ! -e "$T/nostore" ]
}

@test "get: thousands of keys in scrambled order come back in input order, across chunks" {
	# 3 entities x 3000 points; vector [e, t] names each point.
	awk 'BEGIN { for (e = 1; e <= 3; e++) for (t = 1; t <= 3000; t++)
		printf "{\"entity_id\":%d,\"timestamp\":%d,\"vector\":[%d,%d]}\n", e, t, e, t }' |
		ws-ingest -b 64k "$S"
	# 70,000 keys (a chunk ends at 65,536) in a scrambled order, every
	# 19th one missing (t > 3000).
	awk 'BEGIN { x = 7; for (i = 1; i <= 70000; i++) {
		x = (x * 1103515245 + 12345) % 2147483648
		e = x % 3 + 1; t = int(x / 3) % 3000 + 1
		if (i % 19 == 0) t += 5000
		printf "{\"entity_id\":%d,\"timestamp\":%d}\n", e, t } }' >"$T/keys"
	awk -F'[:,}]' '$4 <= 3000 { printf "{\"entity_id\":%d,\"space_id\":0,\"timestamp\":%d,\"vector\":[%d,%d]}\n", $2, $4, $2, $4 }' \
		"$T/keys" >"$T/want"
	run ws-get "$S" <"$T/keys"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 66316 ]
	printf '%s\n' "${lines[@]}" | cmp - "$T/want"
}

@test "get: thousands of answers into a full device exit 2 naming stdout" {
	awk 'BEGIN { for (t = 1; t <= 20000; t++)
		printf "{\"entity_id\":1,\"timestamp\":%d,\"vector\":[%d,0.5]}\n", t, t }' | ingest
	awk 'BEGIN { for (t = 20000; t >= 1; t--) printf "{\"entity_id\":1,\"timestamp\":%d}\n", t }' >"$T/keys"
	[ "$(ws-get "$S" <"$T/keys" | wc -l)" -eq 20000 ]
	ws-get "$S" <"$T/keys" >/dev/full 2>"$T/err" && status=0 || status=$?
	[ "$status" -eq 2 ]
	grep -q '^ws-get: stdout: .*No space left on device' "$T/err"
}

@test "get: wide answers end a chunk early and still come back in input order" {
	# Dimension 1000: a chunk holds about 8,250 answers (32 MiB of values).
	awk 'BEGIN { for (t = 1; t <= 3000; t++) {
		printf "{\"entity_id\":1,\"timestamp\":%d,\"vector\":[%d", t, t
		for (i = 1; i < 1000; i++) printf ",%d", i % 7
		print "]}" } }' | ws-ingest "$S"
	awk 'BEGIN { x = 3; for (i = 1; i <= 9000; i++) {
		x = (x * 1103515245 + 12345) % 2147483648
		printf "{\"entity_id\":1,\"timestamp\":%d}\n", int(x / 7) % 3000 + 1 } }' >"$T/keys"
	ws-get "$S" <"$T/keys" | cut -c1-60 >"$T/got"
	awk -F'[:}]' '{ printf "{\"entity_id\":1,\"space_id\":0,\"timestamp\":%d,\"vector\":[%d,1,2,3,4,5,6,0,1,2,3\n", $3, $3 }' \
		"$T/keys" | cut -c1-60 >"$T/want"
	cmp "$T/got" "$T/want"
}

@test "get: a key written to a pipe is answered before the input ends" {
	point 1 10 0.5 | ingest
	mkfifo "$T/in"
	ws-get "$S" <"$T/in" >"$T/out" &
	pid=$!
	exec 7>"$T/in"
	echo '{"entity_id":1,"timestamp":10}' >&7
	for _ in $(seq 50); do
		[ -s "$T/out" ] && break
		sleep 0.1
	done
	early=no
	[ -s "$T/out" ] && early=yes
	exec 7>&-
	wait "$pid"
	[ "$early" = yes ]
	[ "$(cat "$T/out")" = '{"entity_id":1,"space_id":0,"timestamp":10,"vector":[0.5]}' ]
}

@test "get: a running ws-get answers later keys from later commits" {
	point 1 10 0.5 | ingest
	mkfifo "$T/in"
	ws-get "$S" <"$T/in" >"$T/out" &
	pid=$!
	exec 7>"$T/in"
	# answered N : wait until the output has N lines.
	answered() {
		for _ in $(seq 50); do
			[ "$(wc -l <"$T/out")" -ge "$1" ] && return 0
			sleep 0.1
		done
		return 1
	}
	echo '{"entity_id":1,"timestamp":10}' >&7
	answered 1
	point 1 20 0.75 | ingest
	echo '{"entity_id":1,"timestamp":20}' >&7
	answered 2 && late=yes || late=no
	exec 7>&-
	wait "$pid"
	[ "$late" = yes ]
	[ "$(sed -n 2p "$T/out")" = '{"entity_id":1,"space_id":0,"timestamp":20,"vector":[0.75]}' ]
}

@test "get: a running ws-get follows a rebuilt index directory" {
	point 1 10 0.5 | ingest
	mkfifo "$T/in"
	ws-get "$S" <"$T/in" >"$T/out" 2>"$T/err" &
	pid=$!
	exec 7>"$T/in"
	answered() {
		for _ in $(seq 50); do
			[ "$(wc -l <"$T/out")" -ge "$1" ] && return 0
			sleep 0.1
		done
		return 1
	}
	echo '{"entity_id":1,"timestamp":10}' >&7
	answered 1
	# A rebuild makes index/ anew; a commit after it adds a point.
	rm -r "$S/index"
	ws-reindex "$S"
	point 1 20 0.75 | ingest
	echo '{"entity_id":1,"timestamp":20}' >&7
	echo '{"entity_id":1,"timestamp":10}' >&7
	answered 3 && late=yes || late=no
	exec 7>&-
	status=0
	wait "$pid" || status=$?
	[ "$late" = yes ] || { cat "$T/err"; false; }
	[ "$status" -eq 0 ]
	[ "$(sed -n 2p "$T/out")" = '{"entity_id":1,"space_id":0,"timestamp":20,"vector":[0.75]}' ]
	[ "$(sed -n 3p "$T/out")" = '{"entity_id":1,"space_id":0,"timestamp":10,"vector":[0.5]}' ]
}

# many_files N : a store of N data files, one point of entity i in file i
# (each made in a store of its own, then rebuilt from the data alone).
many_files() {
	mkdir -p "$S/data" "$S/index"
	for i in $(seq 1 "$1"); do
		point "$i" "$i" "$i" | ws-ingest "$T/one"
		mv "$T/one/data/00000001.wsd" "$S/data/$(printf %08d "$i").wsd"
		rm -rf "$T/one"
	done
	ws-reindex "$S"
}

@test "a store of more data files than descriptors allow is read within the limit" {
	many_files 40
	[ "$(ls "$S/data" | wc -l)" -eq 40 ]
	(
		ulimit -n 16
		run ws-get "$S" -e 33 -t 33
		[ "$status" -eq 0 ]
		[ "$output" = "$(point 33 33 33)" ]
		# 80 keys, enough for two threads, which need every file open:
		# here the lookups stay on one.
		for i in $(seq 40 -1 1) $(seq 1 40); do printf '{"entity_id":%s,"timestamp":%s}\n' "$i" "$i"; done >"$T/keys"
		run ws-get "$S" <"$T/keys"
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq 80 ]
		[ "${lines[0]}" = "$(point 40 40 40)" ]
		[ "${lines[79]}" = "$(point 40 40 40)" ]
		run ws-range --all "$S"
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq 40 ]
		[ "${lines[39]}" = "$(point 40 40 40)" ]
		point 41 41 41 | ws-ingest "$S"
		run ws-range "$S" -e 41
		[ "$output" = "$(point 41 41 41)" ]
		ws-reindex --check "$S"
	)
}
