#!/usr/bin/env bats
# zones.bats - ws-zones: one line per block with the documented keys, the
# filters narrow to overlapping blocks, --summary totals agree with the
# ingested data, and the command-line contract.

load helpers

# Entities 1..3 in spaces 0 and 1, times 10..50, two ingest runs for
# entity 1 space 0 (so that series has two blocks).
make_store() {
	for e in 1 2 3; do
		for s in 0 1; do
			for t in 10 20 30 40 50; do
				printf '{"entity_id":%s,"space_id":%s,"timestamp":%s,"vector":[%s,1]}\n' \
					"$e" "$s" "$t" "$t"
			done
		done
	done | ingest
	printf '{"entity_id":1,"timestamp":%s,"vector":[9,9]}\n' 60 70 | ingest -M
}

@test "ws-zones prints one line per block with exactly the documented keys" {
	make_store
	run sep ws-zones "$S"
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
	[ "${#lines[@]}" -eq 7 ]
	for l in "${lines[@]}"; do
		[[ $l =~ ^\{\"entity_id\":[0-9]+,\"space_id\":[0-9]+,\"file\":\"data/[0-9]{8}\.wsd\",\"offset\":[0-9]+,\"min_timestamp\":-?[0-9]+,\"max_timestamp\":-?[0-9]+,\"point_count\":[0-9]+,\"bytes\":[0-9]+,\"raw_bytes\":[0-9]+\}$ ]]
	done
	# Key order: entity, space, then the commit.
	[[ ${lines[0]} == '{"entity_id":1,"space_id":0,'*'"min_timestamp":10,"max_timestamp":50,"point_count":5,'* ]]
	[[ ${lines[1]} == '{"entity_id":1,"space_id":0,'*'"min_timestamp":60,"max_timestamp":70,"point_count":2,'* ]]
	[[ ${lines[2]} == '{"entity_id":1,"space_id":1,'* ]]
	[[ ${lines[6]} == '{"entity_id":3,"space_id":1,'* ]]
}

@test "ws-zones offsets and sizes describe the data file exactly" {
	make_store
	ws-zones "$S" | sed 's/.*"offset":\([0-9]*\),.*"bytes":\([0-9]*\),.*/\1 \2/' |
		sort -n >"$T/spans"
	# Blocks tile the data file: each starts where the one before ends,
	# or after the 32-byte commit record that closes a commit (two here).
	end=0 records=0
	while read -r off bytes; do
		if [ "$off" -ne "$end" ]; then
			[ "$off" -eq $((end + 32)) ]
			[ "$(dd if="$S/data/00000001.wsd" bs=1 skip="$end" count=4 2>/dev/null)" = WSC1 ]
			records=$((records + 1))
		fi
		end=$((off + bytes))
	done <"$T/spans"
	[ "$records" -eq 1 ]
	[ "$(dd if="$S/data/00000001.wsd" bs=1 skip="$end" count=4 2>/dev/null)" = WSC1 ]
	[ $((end + 32)) -eq "$(stat -c %s "$S/data/00000001.wsd")" ]
}

@test "ws-zones --entity, --space, --from and --to narrow to overlapping blocks" {
	make_store
	run ws-zones -e 1 "$S"
	[ "${#lines[@]}" -eq 3 ]
	run ws-zones -e 1 -s 0 "$S"
	[ "${#lines[@]}" -eq 2 ]
	run ws-zones -s 1 "$S"
	[ "${#lines[@]}" -eq 3 ]
	for l in "${lines[@]}"; do [[ $l == *'"space_id":1,'* ]]; done
	# [55, 65] overlaps only the second block of entity 1 space 0.
	run ws-zones -f 55 -t 65 "$S"
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == *'"min_timestamp":60,"max_timestamp":70,'* ]]
	# Bounds are inclusive at both ends.
	run ws-zones -e 1 -s 0 -f 50 -t 50 "$S"
	[ "${#lines[@]}" -eq 1 ]
	run ws-zones -e 1 -s 0 -t 9 "$S"
	[ -z "$output" ]
	run ws-zones -e 99 "$S"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run ws-zones -f 100 -t 1 "$S"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "ws-zones --summary totals match the ingested data" {
	make_store
	run sep ws-zones --summary "$S"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	# The blocks' bytes: the data file less its two commit records.
	size=$(($(stat -c %s "$S/data/00000001.wsd") - 2 * 32))
	raw=$(ws-zones "$S" | sed 's/.*"raw_bytes":\([0-9]*\)}/\1/' |
		awk '{ s += $1 } END { printf "%.0f", s }')
	ratio=$(awk -v raw="$raw" -v size="$size" 'BEGIN { printf "%.3f", raw / size }')
	[ "$output" = "{\"points\":32,\"entities\":3,\"spaces\":2,\"blocks\":7,\"files\":1,\"bytes\":$size,\"raw_bytes\":$raw,\"ratio\":$ratio,\"lost_found_bytes\":0}" ]
}

@test "ws-zones --summary counts every stored version of an overwritten point" {
	point 5 1 1 | ingest
	point 5 1 2 | ingest -M
	run ws-zones -S "$S"
	[[ $output == '{"points":2,"entities":1,"spaces":1,"blocks":2,"files":1,'* ]]
	run ws-range -e 5 "$S"
	[ "${#lines[@]}" -eq 1 ]
}

@test "ws-zones --summary with filters and on an empty store" {
	make_store
	run ws-zones -S -e 2 "$S"
	[[ $output == '{"points":10,"entities":1,"spaces":2,"blocks":2,"files":1,'* ]]
	run ws-zones -S -e 42 "$S"
	[ "$output" = '{"points":0,"entities":0,"spaces":0,"blocks":0,"files":0,"bytes":0,"raw_bytes":0,"ratio":0,"lost_found_bytes":0}' ]
	: | ws-ingest "$T/empty"
	run ws-zones "$T/empty"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run ws-zones --summary "$T/empty"
	[ "$output" = '{"points":0,"entities":0,"spaces":0,"blocks":0,"files":0,"bytes":0,"raw_bytes":0,"ratio":0,"lost_found_bytes":0}' ]
}

@test "ws-zones order does not depend on how the index is split in segments" {
	# Many small commits make several segments.
	for i in 5 3 1 4 2 3 1; do point "$i" "$i" 1 | ingest -M; done
	[ "$(ls "$S/index" | wc -l)" -gt 1 ]
	ws-zones "$S" >"$T/z"
	sort -t: -k2,2n -s "$T/z" | cmp - "$T/z"
	run ws-zones -e 3 "$S"
	[ "${#lines[@]}" -eq 2 ]
}

@test "ws-zones sees only committed data and takes no lock" {
	point 1 1 1 | ingest
	exec 9<"$S"
	flock -x 9
	# An uncommitted tail past the committed length is invisible.
	head -c 100 /dev/urandom >>"$S/data/00000001.wsd"
	run timeout 10 ws-zones -S "$S"
	exec 9>&-
	[ "$status" -eq 0 ]
	[[ $output == '{"points":1,'* ]]
}

@test "ws-zones --help, --version and usage errors" {
	run sep ws-zones --help
	[ "$status" -eq 0 ]
	for o in --entity --space --from --to --summary --help --version; do
		[[ $output == *"$o"* ]]
	done
	run ws-zones --version
	[ "$output" = "ws-zones (warmstore) 0.1.0" ]
	run sep ws-zones --bogus "$S"
	[ "$status" -eq 2 ]
	grep -q "Try 'ws-zones --help'" "$T/err"
	run sep ws-zones -e x "$S"
	[ "$status" -eq 2 ]
	run sep ws-zones
	[ "$status" -eq 2 ]
	run sep ws-zones "$T/nowhere"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	grep -q "$T/nowhere" "$T/err"
}
