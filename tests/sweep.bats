#!/usr/bin/env bats
# sweep.bats - damage each kind of store file in turn (data, MANIFEST,
# index segment, lock) by flipping bytes, truncating and zeroing, then:
#   - readers never crash (exit 0, 1 or 2) and never print a point that
#     was not ingested; when they fail, they name a store file;
#   - ws-reindex --check exits 1 whenever a reader failed;
#   - ws-reindex leaves a store that --check accepts, that readers read
#     cleanly, and that holds every point of every intact block.

load helpers

# Three entities, two runs of 50 points each, in small batches (-b 1k):
# each point is written once, so every point belongs to exactly one block
# (the commits merge small blocks, and one of them may move the blocks to
# a new data file). DATA: the one data file that holds them.
build_pristine() {
	export P="$BATS_FILE_TMPDIR/pristine"
	if [ ! -d "$P" ]; then
		for r in 1 2; do
			for e in 1 2 3; do
				awk -v e=$e -v r=$r 'BEGIN { for (t = 1; t <= 50; t++)
					printf "{\"entity_id\":%d,\"timestamp\":%d,\"vector\":[%d,%d]}\n", e, r * 1000 + t, e, t }'
			done | ws-ingest -b 1k "$P"
		done
		ws-range --all "$P" >"$BATS_FILE_TMPDIR/all"
		ws-zones "$P" >"$BATS_FILE_TMPDIR/zones"
	fi
	DATA=$(cd "$P" && echo data/*.wsd)
	[ -f "$P/$DATA" ] || { echo "not one data file: $DATA"; return 1; }
	export DATA
}

setup_file() {
	export PATH="$WS_BINDIR:$PATH"
	build_pristine
}

flip() { # FILE OFFSET: inverts one byte
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

zero() { # FILE OFFSET LENGTH
	dd if=/dev/zero of="$1" bs=1 seek="$2" count="$3" conv=notrunc 2>/dev/null
}

# Points of the blocks of data file bytes outside [lo, hi).
intact_points() {
	awk -F'[:,]' -v lo="$1" -v hi="$2" '
		NR == FNR {
			off = $8; end = off + $16
			if (end <= lo || off >= hi) { ok[$2 "," $10 "," $12] = 1 }
			next
		}
		{
			e = $2; t = $6
			for (k in ok) { split(k, f, ","); if (f[1] == e && t >= f[2] && t <= f[3]) { print; break } }
		}' "$BATS_FILE_TMPDIR/zones" "$BATS_FILE_TMPDIR/all"
}

# damage FILE ACTION ARGS...: copies the pristine store and damages it.
damage() {
	rm -rf "$S"
	cp -a "$P" "$S"
	local f=$S/$1
	shift
	"$@" "$f"
}

readers_behave() {
	local file=$1 any_failed=0
	for cmd in "ws-range --all" "ws-range -e 2" "ws-get -e 3 -t 2025" "ws-zones"; do
		# shellcheck disable=SC2086
		$cmd "$S" >"$T/out" 2>"$T/err" && st=0 || st=$?
		[ "$st" -le 2 ] || { echo "$cmd: exit $st (crash?)"; cat "$T/err"; return 1; }
		if [ "$cmd" != ws-zones ]; then
			# Every printed point is an ingested one, unchanged.
			if ! grep -vxFf "$BATS_FILE_TMPDIR/all" "$T/out" >/dev/null; then :; else
				echo "$cmd printed a point never ingested:"
				grep -vxFf "$BATS_FILE_TMPDIR/all" "$T/out" | head -3
				return 1
			fi
		fi
		if [ "$st" -eq 2 ]; then
			any_failed=1
			grep -qF "$S/" "$T/err" || { echo "$cmd: error names no store file:"; cat "$T/err"; return 1; }
			case $file in
			data/* | index/*) grep -qF "$file" "$T/err" ||
				{ echo "$cmd: error does not name $file:"; cat "$T/err"; return 1; } ;;
			esac
		fi
	done
	if [ "$any_failed" -eq 1 ]; then
		ws-reindex --check "$S" >"$T/check" 2>&1 && st=0 || st=$?
		[ "$st" -eq 1 ] || { echo "a reader failed but --check exits $st"; cat "$T/check"; return 1; }
	fi
}

repaired() {
	local lo=$1 hi=$2
	ws-reindex "$S" >"$T/rep" 2>&1 && st=0 || st=$?
	[ "$st" -le 1 ] || { echo "ws-reindex exits $st"; cat "$T/rep"; return 1; }
	ws-reindex --check "$S" >"$T/check" 2>&1 || { echo "--check after repair:"; cat "$T/check"; return 1; }
	ws-range --all "$S" >"$T/after" || return 1
	ws-zones "$S" >/dev/null || return 1
	# Nothing foreign, nothing intact lost.
	if grep -vxFf "$BATS_FILE_TMPDIR/all" "$T/after" | grep -q .; then
		echo "repair produced foreign points"
		return 1
	fi
	intact_points "$lo" "$hi" >"$T/intact"
	# Damage outside the data file leaves every block intact.
	if [ "$hi" -eq 0 ]; then
		cmp -s "$T/intact" "$BATS_FILE_TMPDIR/all" || { echo "intact set wrong"; return 1; }
	fi
	missing=$(grep -cvxFf "$T/after" "$T/intact" || true)
	[ "$missing" -eq 0 ] || { echo "$missing intact points lost"; return 1; }
}

sweep() { # FILE ACTION ARGS... ; sets the damaged range of the data file
	local file=$1
	shift
	# Damage to a file the store does not have would test nothing.
	[ -f "$P/$file" ] || { echo "the store has no $file"; return 1; }
	damage "$file" "$@"
	readers_behave "$file"
}

@test "data file: flipped bytes in headers, reserved bytes and payloads" {
	size=$(stat -c %s "$P/$DATA")
	for off in 0 3 20 45 64 70 80 150 200 $((size - 1)); do
		sweep "$DATA" flip_at "$off" || { echo "flip at $off"; false; }
		repaired "$off" $((off + 1)) || { echo "flip at $off"; false; }
	done
}

@test "data file: truncated at block boundaries and inside blocks" {
	size=$(stat -c %s "$P/$DATA")
	for len in 0 10 71 72 100 $((size / 2)) $((size - 1)); do
		sweep "$DATA" truncate_to "$len" || { echo "truncate to $len"; false; }
		repaired "$len" 999999999 || { echo "truncate to $len"; false; }
	done
}

@test "data file: zeroed ranges" {
	for range in "0 72" "90 40" "150 300"; do
		set -- $range
		sweep "$DATA" zero_at "$1" "$2" || { echo "zero $range"; false; }
		repaired "$1" $(($1 + $2)) || { echo "zero $range"; false; }
	done
}

@test "MANIFEST: flipped, truncated and zeroed; rebuilt from the data" {
	size=$(stat -c %s "$P/MANIFEST")
	for how in "flip_at 0" "flip_at 15" "flip_at 60" "flip_at 120" "flip_at $((size - 3))" \
		"truncate_to 0" "truncate_to 40" "truncate_to $((size - 2))" "zero_at 0 $size"; do
		# shellcheck disable=SC2086
		sweep MANIFEST $how || { echo "MANIFEST $how"; false; }
		repaired 0 0 || { echo "MANIFEST $how"; false; }
	done
}

@test "index segment: flipped, truncated and zeroed; rebuilt from the data" {
	seg=$(cd "$P" && ls index/*.wsi | head -n 1)
	size=$(stat -c %s "$P/$seg")
	for how in "flip_at 2" "flip_at 30" "flip_at 70" "flip_at 100" "flip_at $((size - 1))" \
		"truncate_to 0" "truncate_to 64" "truncate_to $((size - 10))" "zero_at 64 64"; do
		# shellcheck disable=SC2086
		sweep "$seg" $how || { echo "$seg $how"; false; }
		repaired 0 0 || { echo "$seg $how"; false; }
	done
}

@test "a lock file (older stores had one): garbage in it or missing changes nothing" {
	damage lock write_garbage
	readers_behave lock
	ws-reindex --check "$S"
	point 9 1 1 2 | ws-ingest "$S"
	[ "$(ws-range --all "$S" | wc -l)" -eq $(($(wc -l <"$BATS_FILE_TMPDIR/all") + 1)) ]
	damage lock rm -f
	ws-range --all "$S" | cmp - "$BATS_FILE_TMPDIR/all"
	point 9 1 1 2 | ws-ingest "$S"
	ws-reindex --check "$S"
}

flip_at() { flip "$2" "$1"; }
truncate_to() { truncate -s "$1" "$2"; }
zero_at() { zero "$3" "$1" "$2"; }
write_garbage() { head -c 100 /dev/urandom >"$1"; }
