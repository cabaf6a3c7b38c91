#!/usr/bin/env bats
# plot.bats - scripts/ws-plot: PNG and SVG pictures, one panel per series,
# the title and the UTC time axis, the exact conversion of --data, and
# every error path. gnuplot is required (scripts/setup.sh installs it):
# without it these tests fail, they are not skipped.

load helpers

: "${WS_SCRIPTS:=$BATS_TEST_DIRNAME/../scripts}"
PATH="$WS_SCRIPTS:$PATH"

# pt E S T V : a point line as ws-range writes it (T raw: a number or a
# quoted string).
pt() {
	printf '{"entity_id":%s,"space_id":%s,"timestamp":%s,"vector":[%s]}\n' "$1" "$2" "$3" "$4"
}

# Three series, the points of two of them interleaved as a live feed is.
three_series() {
	pt 1 0 1000000 1.5,2
	pt 2 0 1000000 3
	pt 1 0 2000000 2.5,3
	pt 2 0 2000000 4
	pt 1 7 5000000 -1
}

# usage_error MESSAGE : exit 2, the message, then the "Try" line.
usage_error() {
	[ "$status" -eq 2 ] || { echo "status $status"; return 1; }
	[ "${lines[0]}" = "ws-plot: $1" ] || { echo "got: ${lines[0]}"; return 1; }
	[ "${lines[1]}" = "Try 'ws-plot --help' for more information." ]
}

# bad_line N REASON INPUT... : INPUT fails at line N with REASON, exit 1,
# and writes no picture.
bad_line() {
	local n=$1 reason=$2
	shift 2
	run sh -c 'printf "%s\n" "$@" | ws-plot -o "$0"' "$T/out.png" "$@"
	[ "$status" -eq 1 ] || { echo "status $status: $output"; return 1; }
	[ "$output" = "ws-plot: stdin:$n: $reason" ] || { echo "got: $output"; return 1; }
	[ ! -e "$T/out.png" ]
}

@test "gnuplot is installed (scripts/setup.sh installs gnuplot-nox)" {
	run command -v gnuplot
	[ "$status" -eq 0 ]
}

@test "a .png file is a PNG picture" {
	three_series | ws-plot -o "$T/p.png"
	run od -An -tx1 -N8 "$T/p.png"
	[ "$(echo $output)" = "89 50 4e 47 0d 0a 1a 0a" ]
}

@test "a .svg file is an SVG picture with one panel per series" {
	run sep ws-plot -o "$T/p.svg" < <(three_series)
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -s "$T/err" ]
	run grep -c '<svg ' "$T/p.svg"
	[ "$output" = 1 ]
	grep -q 'xmlns="http://www.w3.org/2000/svg"' "$T/p.svg"
	run grep -o '>entity [0-9]*, space [0-9]*<' "$T/p.svg"
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = ">entity 1, space 0<" ]
	[ "${lines[1]}" = ">entity 2, space 0<" ]
	[ "${lines[2]}" = ">entity 1, space 7<" ]
}

@test "an upper-case .SVG extension gives SVG too" {
	three_series | ws-plot -o "$T/p.SVG"
	grep -q '<svg ' "$T/p.SVG"
}

@test "one series makes one panel with a legend line per dimension" {
	{ pt 5 0 1000000 1,2,3; pt 5 0 2000000 2,3,4; } | ws-plot -o "$T/p.svg"
	run grep -c '>entity 5, space 0<' "$T/p.svg"
	[ "$output" = 1 ]
	for v in v0 v1 v2; do grep -q ">$v<" "$T/p.svg"; done
	run grep -c '>v3<' "$T/p.svg"
	[ "$output" = 0 ]
}

@test "a series of a single point is drawn as a point, the others as lines" {
	{ pt 1 0 5 1; pt 2 0 5 1; pt 2 0 6 2; } | ws-plot -o "$T/p.svg"
	# One placed point mark in the plot (the other is the legend's sample).
	run grep -c "<use xlink:href='#gpPt0' transform='translate" "$T/p.svg"
	[ "$output" = 2 ]
	{ pt 2 0 5 1; pt 2 0 6 2; } | ws-plot -o "$T/q.svg"
	run grep -c "<use xlink:href='#gpPt0' transform='translate" "$T/q.svg"
	[ "$output" = 0 ]
}

@test "-t puts the title above the panels, literally" {
	three_series | ws-plot -t "it's <a> & 50%_{x}" -o "$T/p.svg"
	grep -qF ">it's &lt;a&gt; &amp; 50%_{x}<" "$T/p.svg" ||
		grep -qF ">it's &lt;a> &amp; 50%_{x}<" "$T/p.svg"
}

@test "--title=, --output= and -oFILE forms work" {
	three_series | ws-plot --title=hello --output="$T/a.svg"
	grep -q '>hello<' "$T/a.svg"
	three_series | ws-plot -t hi -o"$T/b.svg"
	grep -q '>hi<' "$T/b.svg"
}

@test "the time axis is UTC: time of day within one day, the date in the label" {
	# 1 s and 2 s after midnight, 2026-11-25 UTC (09:00 in the TZ given).
	{ pt 1 0 1795564801000000 1; pt 1 0 1795564802000000 2; } |
		TZ=JST-9 ws-plot -o "$T/p.svg"
	grep -q '>00:00:01.400<' "$T/p.svg"
	grep -q '>time (UTC), 2026-11-25<' "$T/p.svg"
}

@test "the time axis shows dates alone over weeks" {
	{ pt 1 0 0 1; pt 1 0 2592000000000 2; } | ws-plot -o "$T/p.svg"
	grep -q '>1970-01-15<' "$T/p.svg"
	grep -q '>time (UTC)<' "$T/p.svg"
}

@test "scripts/gen-points output is drawn directly, one panel per entity" {
	"$WS_SCRIPTS/gen-points" -e 4 -n 20 -d 2 | ws-plot -o "$T/p.svg"
	run grep -c '>entity [1-4], space 0<' "$T/p.svg"
	[ "$output" = 4 ]
}

@test "ws-range output is drawn, metadata and all" {
	{ pt 3 0 1 1; echo '{"entity_id":3,"space_id":0,"timestamp":2,"vector":[2],"metadata":{"unit":"C","a\"b":"x\\y"}}'; } |
		ws-ingest "$S"
	ws-range "$S" -e 3 | ws-plot -o "$T/p.png"
	[ -s "$T/p.png" ]
}

@test "--data: integer microseconds become exact seconds" {
	run ws-plot --data < <(pt 1 0 1700000000123456 1.5; pt 1 0 -1 2; pt 1 0 0 3; pt 1 0 -1000000 4)
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "# entity 1, space 0" ]
	[ "${lines[1]}" = "-1.000000 4" ]
	[ "${lines[2]}" = "-0.000001 2" ]
	[ "${lines[3]}" = "0.000000 3" ]
	[ "${lines[4]}" = "1700000000.123456 1.5" ]
	[ "${#lines[@]}" -eq 5 ]
}

@test "--data: RFC 3339 timestamps become exact seconds" {
	run ws-plot -d < <(
		pt 1 0 '"2026-11-25T10:00:00.000000Z"' 1
		pt 1 0 '"2026-11-25t10:00:00.5z"' 2
		pt 1 0 '"2026-11-25T11:00:00.000001+01:00"' 3
		pt 1 0 '"2026-11-25T04:30:00-05:30"' 4
		pt 1 0 '"2024-02-29T00:00:00Z"' 5
		pt 1 0 '"1969-12-31T23:59:59.25Z"' 6
		pt 1 0 '"0000-01-01T00:00:00Z"' 7
		pt 1 0 '"9999-12-31T23:59:59.999999Z"' 8)
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "-62167219200.000000 7" ]
	[ "${lines[2]}" = "-0.750000 6" ]
	[ "${lines[3]}" = "1709164800.000000 5" ]
	[ "${lines[4]}" = "1795600800.000000 1" ]
	[ "${lines[5]}" = "1795600800.000000 4" ]
	[ "${lines[6]}" = "1795600800.000001 3" ]
	[ "${lines[7]}" = "1795600800.500000 2" ]
	[ "${lines[8]}" = "253402300799.999999 8" ]
}

@test "--data: an offset is subtracted to give UTC" {
	run ws-plot -d < <(pt 1 0 '"1970-01-01T05:30:00+05:30"' 1; pt 2 0 '"1969-12-31T19:00:00-05:00"' 2)
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "0.000000 1" ]
	[ "${lines[3]}" = "0.000000 2" ]
}

@test "--data: series in order of appearance, each sorted by time, two blank lines apart" {
	run ws-plot -d < <(three_series; pt 2 0 1500000 9; pt 18446744073709551615 4294967295 1 0.5)
	[ "$status" -eq 0 ]
	expected=$(printf '%s\n' '# entity 1, space 0' '1.000000 1.5 2' '2.000000 2.5 3' '' '' \
		'# entity 2, space 0' '1.000000 3' '1.500000 9' '2.000000 4' '' '' \
		'# entity 1, space 7' '5.000000 -1' '' '' \
		'# entity 18446744073709551615, space 4294967295' '0.000001 0.5')
	[ "$output" = "$expected" ]
}

@test "--data: blank lines are skipped and still counted" {
	run ws-plot -d < <(echo; pt 1 0 1 1; printf ' \t\n'; echo x)
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "ws-plot: stdin:4: not a point: expected {\"entity_id\":N at the start" ]
}

@test "a line that is not a point is refused with its line number" {
	good=$(pt 1 0 5 1)
	bad_line 2 'not a point: expected {"entity_id":N at the start' "$good" 'hello'
	bad_line 1 'not a point: expected {"entity_id":N at the start' \
		'{"space_id":0,"entity_id":1,"timestamp":1,"vector":[1]}'
	bad_line 1 'not a point: expected "space_id":N after entity_id' \
		'{"entity_id":1, "space_id":0,"timestamp":1,"vector":[1]}'
	bad_line 1 'not a point: expected "space_id":N after entity_id' \
		'{"entity_id":01,"space_id":0,"timestamp":1,"vector":[1]}'
	bad_line 1 'not a point: expected "space_id":N after entity_id' \
		'{"entity_id":1,"timestamp":1,"vector":[1]}'
	bad_line 1 'not a point: expected "timestamp" after space_id' \
		'{"entity_id":1,"space_id":0,"vector":[1]}'
	bad_line 1 'not a point: expected "vector":[...] after timestamp' \
		'{"entity_id":1,"space_id":0,"timestamp":1.5,"vector":[1]}'
	bad_line 1 'not a point: expected "vector":[...] after timestamp' \
		'{"entity_id":1,"space_id":0,"timestamp":1,"vector":[1}'
	bad_line 1 'not a point: expected "metadata":{...} or the end after vector' \
		'{"entity_id":1,"space_id":0,"timestamp":1,"vector":[1]} '
	bad_line 1 'not a point: expected "metadata":{...} or the end after vector' \
		'{"entity_id":1,"space_id":0,"timestamp":1,"vector":[1],"extra":2}'
	bad_line 1 'not a point: expected "metadata":{...} or the end after vector' \
		'{"entity_id":1,"space_id":0,"timestamp":1,"vector":[1],"metadata":{"a":1}}'
}

@test "a bad timestamp is refused" {
	bad_line 1 'timestamp is neither integer microseconds nor an RFC 3339 string' \
		'{"entity_id":1,"space_id":0,"timestamp":true,"vector":[1]}'
	for t in '2026-11-25 10:00:00Z' '2026-11-25T10:00:00' '2026-11-25T10:00:00.Z' \
		'2026-11-25' '26-11-25T10:00:00Z' '2026-11-25T10:00:00+0100'; do
		bad_line 1 "timestamp \"$t\" is not an RFC 3339 time" "$(pt 1 0 "\"$t\"" 1)"
	done
	for t in '2026-02-29T00:00:00Z' '2026-04-31T00:00:00Z' '2026-13-01T00:00:00Z' \
		'2026-00-01T00:00:00Z' '2026-01-00T00:00:00Z' '2026-01-01T24:00:00Z' \
		'2026-01-01T00:60:00Z' '2026-12-31T23:59:60Z' '2026-01-01T00:00:00.1234567Z' \
		'2026-01-01T00:00:00+24:00' '2026-01-01T00:00:00+01:60' '1900-02-29T00:00:00Z'; do
		bad_line 1 "timestamp \"$t\" is out of range" "$(pt 1 0 "\"$t\"" 1)"
	done
}

@test "a bad vector is refused" {
	bad_line 1 'empty vector' "$(pt 1 0 1 '')"
	for v in x NaN 1. .5 +1 01 '1e' '"1"'; do
		bad_line 1 "vector value \"$v\" is not a number" "$(pt 1 0 1 "2,$v")"
	done
}

@test "a vector of another length than its series' earlier points is refused" {
	bad_line 3 'vector has 2 values where earlier points of entity 1 space 0 had 1' \
		"$(pt 1 0 1 1)" "$(pt 2 0 1 1,2)" "$(pt 1 0 2 1,2)"
}

@test "no points: exit 1" {
	run ws-plot -o "$T/p.png" </dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "ws-plot: stdin: no points to plot" ]
	run ws-plot -d < <(printf '\n  \n')
	[ "$status" -eq 1 ]
	[ ! -e "$T/p.png" ]
}

@test "bad input leaves an existing picture alone" {
	echo old >"$T/p.png"
	run ws-plot -o "$T/p.png" < <(echo nonsense)
	[ "$status" -eq 1 ]
	[ "$(cat "$T/p.png")" = old ]
}

@test "usage errors exit 2 with the reason" {
	run ws-plot </dev/null
	usage_error 'no output file: -o FILE is required'
	run ws-plot -o "$T/p.jpg" </dev/null
	usage_error "--output: '$T/p.jpg' does not end in .png or .svg"
	run ws-plot -o
	usage_error "option '-o' requires an argument"
	run ws-plot -o "$T/p.png" -t
	usage_error "option '-t' requires an argument"
	run ws-plot -x
	usage_error "invalid option '-x'"
	run ws-plot --bogus
	usage_error "unknown option '--bogus'"
	run ws-plot -o "$T/p.png" extra
	usage_error "unexpected argument 'extra'"
	run ws-plot -d -o "$T/p.png"
	usage_error "--data writes to stdout: no --output or --title"
	run ws-plot --data=yes
	usage_error "option '--data' takes no argument"
	run ws-plot -o "$T/p.png" -t "$(printf 'a\tb')"
	usage_error "--title: control characters are not allowed"
	[ ! -e "$T/p.png" ]
}

@test "--help prints the usage on stdout and exits 0" {
	run sep ws-plot --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: ws-plot -o FILE [-t TITLE]" ]
	[[ $output == *"-o, --output FILE"* ]]
	[ ! -s "$T/err" ]
	run ws-plot -h
	[ "${lines[0]}" = "Usage: ws-plot -o FILE [-t TITLE]" ]
}

@test "gnuplot missing: exit 2 naming the package" {
	run env GNUPLOT="$T/no-gnuplot" ws-plot -o "$T/p.png" < <(three_series)
	[ "$status" -eq 2 ]
	[ "$output" = "ws-plot: $T/no-gnuplot not found (Debian package gnuplot-nox)" ]
}

@test "gnuplot failing: exit 2 with its messages" {
	printf '#!/bin/sh\necho "bad thing" >&2\nexit 3\n' >"$T/gp"
	chmod +x "$T/gp"
	run env GNUPLOT="$T/gp" ws-plot -o "$T/p.png" < <(three_series)
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "ws-plot: gnuplot: bad thing" ]
	[ "${lines[1]}" = "ws-plot: gnuplot failed (exit status 3)" ]
	[ ! -e "$T/p.png" ]
}

@test "an unwritable output file: exit 2" {
	run ws-plot -o "$T/no/such/dir/p.png" < <(three_series)
	[ "$status" -eq 2 ]
	[ "$output" = "ws-plot: cannot write '$T/no/such/dir/p.png'" ]
}

@test "unreadable stdin: exit 2" {
	run sep ws-plot -o "$T/p.png" <"$T"
	[ "$status" -eq 2 ]
	grep -qx 'ws-plot: cannot read stdin' "$T/err"
}

@test "the temporary directory is removed" {
	mkdir "$T/tmp"
	three_series | TMPDIR="$T/tmp" ws-plot -o "$T/p.png"
	echo x | TMPDIR="$T/tmp" ws-plot -o "$T/p.png" 2>/dev/null || true
	run ls -A "$T/tmp"
	[ -z "$output" ]
}
