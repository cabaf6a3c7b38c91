#!/usr/bin/env bats
# examples.bats - runs every EXAMPLES block of the man pages. Lines of a
# block that start with "# {" are the output the block must print.

load helpers

: "${WS_MANDIR:=$BATS_TEST_DIRNAME/../man}"

# Writes each literal block of the EXAMPLES section of $1 to $T/ex.N.
split_examples() {
	awk -v out="$T/ex." '
		/^\.Sh / { inex = ($2 == "EXAMPLES") }
		inex && /^\.Bd -literal/ { n++; inblock = 1; next }
		inex && /^\.Ed/ { inblock = 0; next }
		inblock { print > (out n) }
	' "$1"
}

run_examples() {
	split_examples "$WS_MANDIR/$1"
	local n=0
	for ex in "$T"/ex.*; do
		[ -f "$ex" ] || continue
		n=$((n + 1))
		# Private paths instead of /tmp, so runs never meet.
		sed -e "s|/tmp/|$T/|g" -e 's/\\e/\\/g' -e 's/\\(dq/"/g' "$ex" >"$ex.sh"
		grep '^# {' "$ex" | sed 's/^# //' >"$ex.want" || true
		(cd "$T" && sh -e "$ex.sh") >"$ex.got" 2>"$ex.err" ||
			{ echo "$1 example $n failed:"; cat "$ex.sh" "$ex.err"; false; }
		if [ -s "$ex.want" ]; then
			grep '^{' "$ex.got" >"$ex.gotjson" || true
			diff -u "$ex.want" "$ex.gotjson" ||
				{ echo "$1 example $n printed something else"; false; }
		fi
		rm -f "$ex"
	done
	[ "$n" -gt 0 ]
}

@test "ws-ingest(1) examples run and print what they say" {
	run_examples ws-ingest.1
}

@test "ws-get(1) examples run and print what they say" {
	run_examples ws-get.1
}

@test "ws-range(1) examples run and print what they say" {
	run_examples ws-range.1
}

@test "ws-delete(1) examples run and print what they say" {
	run_examples ws-delete.1
}

@test "ws-zones(1) examples run and print what they say" {
	run_examples ws-zones.1
}

@test "ws-reindex(1) examples run and print what they say" {
	run_examples ws-reindex.1
}

@test "ws-plot(1) examples run and print what they say" {
	PATH="${WS_SCRIPTS:-$BATS_TEST_DIRNAME/../scripts}:$PATH" run_examples ws-plot.1
}
