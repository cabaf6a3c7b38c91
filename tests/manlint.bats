#!/usr/bin/env bats
# manlint.bats - every man page is lint-clean for mandoc and groff, both
# installed by scripts/setup.sh: without them these tests fail.

load helpers

: "${WS_MANDIR:=$BATS_TEST_DIRNAME/../man}"
: "${WS_SCRIPTS:=$BATS_TEST_DIRNAME/../scripts}"

lint() {
	# mandoc's note about the system's own outdated mandoc.db is not
	# about our pages.
	mandoc -Tlint -Wwarning "$1" 2>&1 | grep -v 'outdated mandoc.db' || true
}

@test "man pages exist for every program and the store format" {
	for p in ws-ingest.1 ws-get.1 ws-range.1 ws-zones.1 ws-reindex.1 ws-plot.1 warmstore.5; do
		[ -s "$WS_MANDIR/$p" ]
	done
}

@test "mandoc -Tlint finds nothing in any man page" {
	command -v mandoc >/dev/null || { echo "mandoc is not installed (scripts/setup.sh installs it)"; false; }
	for f in "$WS_MANDIR"/*.[15]; do
		out=$(lint "$f")
		[ -z "$out" ] || { echo "$out"; false; }
	done
}

@test "groff -ww finds nothing in any man page" {
	command -v groff >/dev/null || { echo "groff is not installed (scripts/setup.sh installs groff-base)"; false; }
	for f in "$WS_MANDIR"/*.[15]; do
		out=$(groff -ww -z -mdoc "$f" 2>&1)
		[ -z "$out" ] || { echo "$f: $out"; false; }
	done
}

@test "every long option in --help is documented in the man page" {
	for p in ws-ingest ws-get ws-range ws-zones ws-reindex ws-plot; do
		for opt in $(PATH="$WS_SCRIPTS:$PATH" "$p" --help | grep -o -- '--[a-z-]*' | sort -u); do
			grep -qF -- "Fl \\-${opt#--}" "$WS_MANDIR/$p.1" ||
				{ echo "$p: $opt missing from $p.1"; false; }
		done
	done
}

@test "no text line of a man page starts with the word No" {
	# Style: a sentence starting "No" would be misread if it ever became
	# part of a macro line.
	run grep -n '^No\b' "$WS_MANDIR"/*.[15]
	[ "$status" -eq 1 ] || { echo "$output"; false; }
}

@test "no macro line loses a word No to the No macro" {
	# On a macro line, "No such file" renders as "such file": the word
	# must be written \&No there.
	run grep -nE '^\..* No [a-z]' "$WS_MANDIR"/*.[15]
	[ "$status" -eq 1 ] || { echo "$output"; false; }
	for f in "$WS_MANDIR"/*.[15]; do
		run sh -c 'mandoc -Tascii "$1" | col -b | grep -E "(^|[^o] )such file"' sh "$f"
		[ "$status" -eq 1 ] || { echo "$f: $output"; false; }
	done
}

@test "--help gives the exit statuses the page gives" {
	for p in ws-ingest ws-get ws-range ws-zones ws-reindex; do
		help=$("$p" --help | grep '^Exit status:')
		# The page's text for status 1 starts on the line after ".It 1".
		one=$(sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /{/^\.It 1$/{n;p;}}' "$WS_MANDIR/$p.1")
		case $one in
		"Not used"*)
			[[ $help == *"(1 is not used)"* ]] || { echo "$p: $help"; false; } ;;
		*)
			[[ $help == *", 1 data problem, "* ]] || { echo "$p: $help"; false; } ;;
		esac
	done
}
