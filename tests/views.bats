#!/usr/bin/env bats
# Series views: ws-range --count, --latest, --every/--agg and --format csv,
# ws-get --format csv, ws-zones --series.

load helpers

# seed: entity 7 at 10..50 over two runs (30 written twice), entity 8 in
# spaces 0 and 2 (two values), entity 9 with metadata.
seed() {
	{
		point 7 10 1
		point 7 20 2
		point 7 30 3
		point 8 5 50
	} | ingest
	{
		point 7 30 33
		point 7 40 4
		point 7 50 5
		printf '{"entity_id":8,"space_id":2,"timestamp":%s,"vector":[%s,-1]}\n' 1 1 3 3
		echo '{"entity_id":9,"timestamp":-7,"vector":[0.5],"metadata":{"unit":"C"}}'
	} | ingest -M
}

@test "count: one series, exact after overwrites, within --from/--to" {
	seed
	run sep ws-range "$S" -e 7 --count </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":7,"space_id":0,"count":5}' ]
	[ ! -s "$T/err" ]
	run sep ws-range "$S" -e 7 -c -f 20 -t 40 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":7,"space_id":0,"count":3}' ]
	run sep ws-range "$S" -e 8 -s 2 -c </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":8,"space_id":2,"count":2}' ]
	# an existing series with nothing in the window counts 0
	run sep ws-range "$S" -e 7 -c -f 51 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":7,"space_id":0,"count":0}' ]
	run sep ws-range "$S" -e 7 -c -f 40 -t 20 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":7,"space_id":0,"count":0}' ]
}

@test "count: --all prints every series with points in the window, in key order" {
	seed
	run sep ws-range "$S" --all --count </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' \
		'{"entity_id":7,"space_id":0,"count":5}' \
		'{"entity_id":8,"space_id":0,"count":1}' \
		'{"entity_id":8,"space_id":2,"count":2}' \
		'{"entity_id":9,"space_id":0,"count":1}')" ]
	run sep ws-range "$S" -a -c -f 1 -t 10 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' \
		'{"entity_id":7,"space_id":0,"count":1}' \
		'{"entity_id":8,"space_id":0,"count":1}' \
		'{"entity_id":8,"space_id":2,"count":2}')" ]
	run sep ws-range "$S" -a -c -r -n 2 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' \
		'{"entity_id":9,"space_id":0,"count":1}' \
		'{"entity_id":8,"space_id":2,"count":2}')" ]
	run sep ws-range "$S" -a -c -n 0 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# the counts add up to what --all prints
	total=$(ws-range "$S" -a -c | sed 's/.*"count":\([0-9]*\)}/\1/' | awk '{ s += $1 } END { print s }')
	[ "$total" -eq "$(ws-range "$S" -a | wc -l)" ]
}

@test "count: usage errors and a missing series" {
	seed
	run sep ws-range "$S" -c </dev/null
	[ "$status" -eq 2 ]
	grep -Fqx 'ws-range: --entity is required (or --all)' "$T/err"
	run sep ws-range "$S" -e 7 -c --format csv </dev/null
	[ "$status" -eq 2 ]
	grep -Fqx 'ws-range: --count prints NDJSON only (no --format csv)' "$T/err"
	run sep ws-range "$S" -e 7 -c --latest </dev/null
	[ "$status" -eq 2 ]
	grep -Fqx 'ws-range: --count, --latest and --every exclude each other' "$T/err"
	run sep ws-range "$S" -e 70 -c </dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(cat "$T/err")" = "ws-range: $S: entity 70: not in the store" ]
}

@test "latest: the newest point of every series, or of one" {
	seed
	run sep ws-range "$S" --latest </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 7 50 5; point 8 5 50
		echo '{"entity_id":8,"space_id":2,"timestamp":3,"vector":[3,-1]}'
		echo '{"entity_id":9,"space_id":0,"timestamp":-7,"vector":[0.5],"metadata":{"unit":"C"}}')" ]
	[ ! -s "$T/err" ]
	run sep ws-range "$S" --all -l </dev/null
	[ "$status" -eq 0 ]
	[ "$(wc -l <<<"$output")" -eq 4 ]
	run sep ws-range "$S" -e 7 -l </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 7 50 5)" ]
	run sep ws-range "$S" -l -s 2 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":8,"space_id":2,"timestamp":3,"vector":[3,-1]}' ]
	run sep ws-range "$S" -l -n 2 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 7 50 5; point 8 5 50)" ]
}

@test "latest: as of --to, the overwrite winning, series without a point left out" {
	seed
	run sep ws-range "$S" -l -t 35 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 7 30 33; point 8 5 50
		echo '{"entity_id":8,"space_id":2,"timestamp":3,"vector":[3,-1]}'
		echo '{"entity_id":9,"space_id":0,"timestamp":-7,"vector":[0.5],"metadata":{"unit":"C"}}')" ]
	run sep ws-range "$S" -l -t 4 -f 2 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":8,"space_id":2,"timestamp":3,"vector":[3,-1]}' ]
	run sep ws-range "$S" -e 7 -l -t 9 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -s "$T/err" ]
	run sep ws-range "$S" -e 7 -s 2 -l </dev/null
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = "ws-range: $S: entity 7, space 2: no such series (the entity is in space 0)" ]
	run sep ws-range "$S" -l -r </dev/null
	[ "$status" -eq 2 ]
	grep -Fqx 'ws-range: --latest takes no --reverse' "$T/err"
	run sep ws-range "$S" -l -a -s 2 </dev/null
	[ "$status" -eq 2 ]
	grep -Fqx 'ws-range: --all takes no --entity or --space' "$T/err"
}

# damage_block N: flips a payload byte of the N-th block (1-based) of
# the zone map, so that reading that block fails its CRC.
damage_block() {
	local z file off
	z=$(ws-zones "$S" | sed -n "$1p")
	file=$(sed 's/.*"file":"\([^"]*\)".*/\1/' <<<"$z")
	off=$(sed 's/.*"offset":\([0-9]*\).*/\1/' <<<"$z")
	printf '\377' | dd of="$S/$file" bs=1 seek=$((off + 80)) conv=notrunc status=none
}

@test "latest: reads only the last block of a series" {
	for run in 1 2 3; do
		for i in 1 2 3; do point 4 $((run * 10 + i)) "$run.$i"; done | ingest -M
	done
	# the first two blocks are damaged: a full range stops, --latest not
	damage_block 1
	damage_block 2
	run sep ws-range "$S" -e 4 </dev/null
	[ "$status" -eq 2 ]
	run sep ws-range "$S" -e 4 -l </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 4 33 3.3)" ]
	run sep ws-range "$S" -l </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 4 33 3.3)" ]
	# as of a time in the second block, that block is read
	run sep ws-range "$S" -e 4 -l -t 25 </dev/null
	[ "$status" -eq 2 ]
	grep -q 'wsd' "$T/err"
}

# agg_seed: one series of two values, times -25..25 every 5, v = t/5 and 1.
agg_seed() {
	for t in -25 -20 -15 -10 -5 0 5 10 15 20 25; do
		point 1 "$t" "$((t / 5))" 1
	done | ingest
}

@test "agg: each function over epoch-aligned buckets, negative times included" {
	agg_seed
	# buckets of 10us: [-30,-20) holds -25; [-20,-10) holds -20,-15; ...
	run sep ws-range "$S" -e 1 --every 10us --agg mean </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 1 -30 -5 1; point 1 -20 -3.5 1; point 1 -10 -1.5 1
		point 1 0 0.5 1; point 1 10 2.5 1; point 1 20 4.5 1)" ]
	[ ! -s "$T/err" ]
	run sep ws-range "$S" -e 1 -w 10us -g min </dev/null
	[ "$output" = "$(point 1 -30 -5 1; point 1 -20 -4 1; point 1 -10 -2 1
		point 1 0 0 1; point 1 10 2 1; point 1 20 4 1)" ]
	run sep ws-range "$S" -e 1 -w 10us -g max </dev/null
	[ "$output" = "$(point 1 -30 -5 1; point 1 -20 -3 1; point 1 -10 -1 1
		point 1 0 1 1; point 1 10 3 1; point 1 20 5 1)" ]
	run sep ws-range "$S" -e 1 -w 10us -g first </dev/null
	[ "$output" = "$(ws-range "$S" -e 1 -w 10us -g min)" ]
	run sep ws-range "$S" -e 1 -w 10us -g last </dev/null
	[ "$output" = "$(ws-range "$S" -e 1 -w 10us -g max)" ]
	run sep ws-range "$S" -e 1 -w 10us -g sum </dev/null
	[ "$output" = "$(point 1 -30 -5 1; point 1 -20 -7 2; point 1 -10 -3 2
		point 1 0 1 2; point 1 10 5 2; point 1 20 9 2)" ]
	run sep ws-range "$S" -e 1 -w 10us -g count </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 1 -30 1; point 1 -20 2; point 1 -10 2
		point 1 0 2; point 1 10 2; point 1 20 2)" ]
	# week buckets: the negative times fall in the week before the epoch
	run sep ws-range "$S" -e 1 -w 1w -g count </dev/null
	[ "$output" = "$(point 1 -604800000000 5; point 1 0 6)" ]
}

@test "agg: first and last by time also when reversed; --reverse and --limit" {
	agg_seed
	run sep ws-range "$S" -e 1 -w 10us -g first -r </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(ws-range "$S" -e 1 -w 10us -g first | tac)" ]
	run sep ws-range "$S" -e 1 -w 10us -g last -r -n 2 </dev/null
	[ "$output" = "$(point 1 20 5 1; point 1 10 3 1)" ]
	run sep ws-range "$S" -e 1 -w 10us -g mean -n 1 </dev/null
	[ "$output" = "$(point 1 -30 -5 1)" ]
	run sep ws-range "$S" -e 1 -w 10us -g mean -n 0 </dev/null
	[ -z "$output" ]
	# --from/--to cut buckets: only the points inside count
	run sep ws-range "$S" -e 1 -w 10us -g count -f -15 -t 5 </dev/null
	[ "$output" = "$(point 1 -20 1; point 1 -10 2; point 1 0 2)" ]
}

@test "agg: --all keeps series apart; metadata is dropped; output re-ingests" {
	seed
	run sep ws-range "$S" -a -w 1h -g count </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 7 0 5; point 8 0 1
		echo '{"entity_id":8,"space_id":2,"timestamp":0,"vector":[2]}'
		echo '{"entity_id":9,"space_id":0,"timestamp":-3600000000,"vector":[1]}')" ]
	run sep ws-range "$S" -e 9 -w 1s -g last </dev/null
	[ "$output" = '{"entity_id":9,"space_id":0,"timestamp":-1000000,"vector":[0.5]}' ]
	ws-range "$S" -a -w 20us -g mean | ws-ingest "$T/rollup"
	run sep ws-range "$T/rollup" -a </dev/null
	[ "$output" = "$(ws-range "$S" -a -w 20us -g mean)" ]
	[ "$(ws-range "$T/rollup" -e 7)" = "$(point 7 0 1; point 7 20 17.5; point 7 40 4.5)" ]
}

@test "agg: mean and sum in double, shortest f32; a sum past the f32 range is exit 1" {
	{
		point 2 0 0.1
		point 2 1 0.2
		point 2 2 16777216
		point 2 3 1
	} | ingest
	run sep ws-range "$S" -e 2 -w 2us -g sum </dev/null
	[ "$status" -eq 0 ]
	# 16777216 + 1 is no f32: rounded to even
	[ "$output" = "$(point 2 0 0.3; point 2 2 16777216)" ]
	# in f32 the small values would be lost and the mean be 4194304
	run sep ws-range "$S" -e 2 -w 1w -g mean </dev/null
	[ "$output" = "$(point 2 0 4194304.5)" ]
	{
		point 3 1 3e38
		point 3 2 3e38
	} | ingest
	run sep ws-range "$S" -e 3 -w 1s -g mean </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 3 0 3e+38)" ]
	run sep ws-range "$S" -e 3 -w 1s -g sum </dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(cat "$T/err")" = "ws-range: entity 3, space 0, bucket 0: the sum of v0 is beyond the float range" ]
}

@test "agg: buckets at the ends of the time range" {
	{
		point 5 -9223372036854775808 1
		point 5 -9223372036854775807 3
		point 5 9223372036854775807 2
	} | ingest
	# the earliest time is in a bucket of 7us that would start before
	# it; -9223372036854775807 and 9223372036854775807 are multiples of 7
	run sep ws-range "$S" -e 5 -w 7us -g mean </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 5 -9223372036854775808 1; point 5 -9223372036854775807 3; point 5 9223372036854775807 2)" ]
	run sep ws-range "$S" -e 5 -w 1us -g count </dev/null
	[ "$output" = "$(point 5 -9223372036854775808 1; point 5 -9223372036854775807 1; point 5 9223372036854775807 1)" ]
	run sep ws-range "$S" -e 5 -w 1w -g count </dev/null
	[ "$output" = "$(point 5 -9223372036854775808 2; point 5 9223371763200000000 1)" ]
}

@test "agg: usage errors" {
	agg_seed
	run sep ws-range "$S" -e 1 --every 1s </dev/null
	[ "$status" -eq 2 ]
	grep -Fqx 'ws-range: --every needs --agg' "$T/err"
	run sep ws-range "$S" -e 1 --agg mean </dev/null
	[ "$status" -eq 2 ]
	grep -Fqx 'ws-range: --agg needs --every' "$T/err"
	run sep ws-range "$S" -e 1 -w 1s --agg median </dev/null
	[ "$status" -eq 2 ]
	grep -Fqx "ws-range: --agg: invalid value 'median' (expected mean, min, max, first, last, sum or count)" "$T/err"
	for bad in 0s 10 -1s 1x ''; do
		run sep ws-range "$S" -e 1 -w "$bad" -g mean </dev/null
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		grep -Fq "ws-range: --every: invalid value '$bad'" "$T/err"
	done
	run sep ws-range "$S" -w 1s -g mean </dev/null
	[ "$status" -eq 2 ]
	grep -Fqx 'ws-range: --entity is required (or --all)' "$T/err"
	run sep ws-range "$S" -e 1 -w 1s -g mean -l </dev/null
	[ "$status" -eq 2 ]
	grep -Fqx 'ws-range: --count, --latest and --every exclude each other' "$T/err"
	run sep ws-range "$S" -e 2 -w 1s -g mean </dev/null
	[ "$status" -eq 1 ]
}

@test "csv: header, values, and metadata as quoted JSON text" {
	{
		echo '{"entity_id":1,"timestamp":-5,"vector":[0.1,-2]}'
		echo '{"entity_id":1,"timestamp":7,"vector":[3e+38,1],"metadata":{"a":"x,y","q":"say \"hi\"","nl":"l1\nl2"}}'
		echo '{"entity_id":1,"timestamp":8,"vector":[1,2],"metadata":{}}'
	} | ingest
	run sep ws-range "$S" -e 1 --format csv </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' \
		'entity_id,space_id,timestamp,v0,v1,metadata' \
		'1,0,-5,0.1,-2,' \
		'1,0,7,3e+38,1,"{""a"":""x,y"",""q"":""say \""hi\"""",""nl"":""l1\nl2""}"' \
		'1,0,8,1,2,')" ]
	[ ! -s "$T/err" ]
	run sep ws-range "$S" -e 1 -F ndjson </dev/null
	[ "$output" = "$(ws-range "$S" -e 1)" ]
	# LF line ends, one record per line
	[ "$(ws-range "$S" -e 1 -F csv | wc -l)" -eq 4 ]
	! ws-range "$S" -e 1 -F csv | grep -q $'\r'
}

@test "csv: with --latest, --every, --all and ws-get; nothing at all prints no header" {
	seed
	run sep ws-range "$S" -e 7 -l -F csv </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'entity_id,space_id,timestamp,v0,metadata\n7,0,50,5,\n')" ]
	run sep ws-range "$S" -e 7 -w 20us -g sum -F csv </dev/null
	[ "$output" = "$(printf 'entity_id,space_id,timestamp,v0,metadata\n7,0,0,1,\n7,0,20,35,\n7,0,40,9,\n')" ]
	run sep ws-range "$S" -e 7 -f 100 -F csv </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	printf '{"entity_id":9,"timestamp":-7}\n{"entity_id":7,"timestamp":10}\n{"entity_id":7,"timestamp":11}\n' >"$T/keys"
	run sep ws-get "$S" --format csv <"$T/keys"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '%s\n' 'entity_id,space_id,timestamp,v0,metadata' \
		'9,0,-7,0.5,"{""unit"":""C""}"' '7,0,10,1,')" ]
	run sep ws-get "$S" -e 8 -s 2 -t 3 -F csv </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'entity_id,space_id,timestamp,v0,v1,metadata\n8,2,3,3,-1,\n')" ]
}

@test "csv: series of different dimensions are exit 1 naming the series" {
	seed
	run sep ws-range "$S" -a -F csv </dev/null
	[ "$status" -eq 1 ]
	[ "$(head -n 1 <<<"$output")" = 'entity_id,space_id,timestamp,v0,metadata' ]
	[ "$(wc -l <<<"$output")" -eq 7 ]
	[ "$(cat "$T/err")" = 'ws-range: entity 8, space 2: points of 2 values, but the CSV header has 1 (select series of one dimension, or use --format ndjson)' ]
	run sep ws-range "$S" -l -F csv </dev/null
	[ "$status" -eq 1 ]
	grep -Fq 'entity 8, space 2: points of 2 values' "$T/err"
	printf '{"entity_id":7,"timestamp":10}\n{"entity_id":8,"space_id":2,"timestamp":1}\n' |
		{ run sep ws-get "$S" -F csv; [ "$status" -eq 1 ]; }
	grep -Fq 'ws-get: entity 8, space 2: points of 2 values, but the CSV header has 1' "$T/err"
	# one space at a time works
	run sep ws-range "$S" -l -s 2 -F csv </dev/null
	[ "$status" -eq 0 ]
}

@test "csv: a bad --format is a usage error" {
	seed
	run sep ws-range "$S" -e 7 --format json </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	grep -Fqx "ws-range: --format: invalid value 'json' (expected ndjson or csv)" "$T/err"
	run sep ws-get "$S" -e 7 -t 10 --format CSV </dev/null
	[ "$status" -eq 2 ]
	grep -Fqx "ws-get: --format: invalid value 'CSV' (expected ndjson or csv)" "$T/err"
}

@test "zones --series: one line per series from the zone map, overwrites counted" {
	seed
	run sep ws-zones "$S" --series </dev/null
	[ "$status" -eq 0 ]
	b7=$(ws-zones "$S" -e 7 --summary | sed 's/.*"bytes":\([0-9]*\),.*/\1/')
	[ "$(head -n 1 <<<"$output")" = '{"entity_id":7,"space_id":0,"blocks":2,"points":6,"min_timestamp":10,"max_timestamp":50,"bytes":'"$b7"'}' ]
	[ "$(wc -l <<<"$output")" -eq 4 ]
	[ "$(sed -n 3p <<<"$output" | cut -d, -f1-6)" = '{"entity_id":8,"space_id":2,"blocks":1,"points":2,"min_timestamp":1,"max_timestamp":3' ]
	run sep ws-zones "$S" -L -e 8 </dev/null
	[ "$(cut -d, -f1-2 <<<"$output")" = "$(printf '{"entity_id":8,"space_id":0\n{"entity_id":8,"space_id":2')" ]
	run sep ws-zones "$S" --series -s 2 </dev/null
	[ "$(wc -l <<<"$output")" -eq 1 ]
	# --from/--to select blocks, and the totals are of those blocks
	run sep ws-zones "$S" --series -e 7 -f 40 </dev/null
	[ "$(cut -d, -f3-6 <<<"$output")" = '"blocks":1,"points":3,"min_timestamp":30,"max_timestamp":50' ]
	run sep ws-zones "$S" --series -f 1000 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run sep ws-zones "$S" --series --summary </dev/null
	[ "$status" -eq 2 ]
	grep -Fqx 'ws-zones: --summary and --series exclude each other' "$T/err"
}
