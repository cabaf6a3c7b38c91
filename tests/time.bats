#!/usr/bin/env bats
# time.bats - the time forms of warmstore(5): every time option takes
# integer microseconds, RFC 3339, a date, now and now-DURATION; a bad time
# is a usage error naming the option and the value; NDJSON "timestamp"
# may be an RFC 3339 string.

load helpers

# 2026-11-25T10:00:00Z in microseconds, and its midnight.
T10=1795600800000000
MIDNIGHT=1795564800000000

# Entity 1 at midnight, 10:00:00, 10:00:00.000001 and 11:30 of 2026-11-25.
seed() {
	{
		point 1 $MIDNIGHT 0
		point 1 $T10 1
		point 1 $((T10 + 1)) 2
		point 1 $((T10 + 5400000000)) 3
	} | ingest
}

# times PROG ARGS... : the timestamps PROG prints, one per line.
times() {
	"$@" </dev/null | sed -E 's/.*"timestamp":(-?[0-9]+).*/\1/'
}

@test "time: --from and --to take RFC 3339 in UTC" {
	seed
	run sep times ws-range "$S" -e 1 --from 2026-11-25T10:00:00Z --to 2026-11-25T10:00:00.000001Z
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
	[ "$output" = "$(printf '%s\n' $T10 $((T10 + 1)))" ]
}

@test "time: RFC 3339 is exact to the microsecond, 1 to 6 fraction digits" {
	seed
	run times ws-range "$S" -e 1 --from 2026-11-25T10:00:00.000001Z --to 2026-11-25T10:00:00.9Z
	[ "$output" = $((T10 + 1)) ]
	run times ws-range "$S" -e 1 --from 2026-11-25T09:59:59.999999Z --to 2026-11-25T10:00:00.0Z
	[ "$output" = $T10 ]
	run times ws-range "$S" -e 1 --from 2026-11-25T10:00:00.1Z --to 2026-11-25T11:29:59.999999Z
	[ -z "$output" ]
}

@test "time: offsets +HH:MM and -HH:MM, lower-case t and z" {
	seed
	run times ws-range "$S" -e 1 --from 2026-11-25T11:00:00+01:00 --to 2026-11-25t04:30:00-05:30
	[ "$output" = $T10 ]
	run times ws-range "$S" -e 1 --from 2026-11-25t10:00:00z --to 2026-11-25T10:00:00+00:00
	[ "$output" = $T10 ]
	run times ws-range "$S" -e 1 --from 2026-11-25T10:00:00-00:00 --to 2026-11-25T10:00:00z
	[ "$output" = $T10 ]
}

@test "time: a date is midnight UTC" {
	seed
	run times ws-range "$S" -e 1 --from 2026-11-24 --to 2026-11-25
	[ "$output" = $MIDNIGHT ]
	run times ws-range "$S" -e 1 --from 2026-11-25
	[ "${#lines[@]}" -eq 4 ]
	run times ws-range "$S" -e 1 --to 2026-11-24
	[ -z "$output" ]
}

@test "time: integer microseconds still work, and mix with other forms" {
	seed
	run times ws-range "$S" -e 1 --from $T10 --to 2026-11-25T10:00:00Z
	[ "$output" = $T10 ]
	run times ws-range "$S" -e 1 -f -9223372036854775808 -t 9223372036854775807
	[ "${#lines[@]}" -eq 4 ]
}

@test "time: ws-get --timestamp takes every form" {
	seed
	run sep ws-get "$S" -e 1 --timestamp 2026-11-25T10:00:00Z </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(point 1 $T10 1)" ]
	run ws-get "$S" -e 1 -t 2026-11-25T10:00:00.000001Z </dev/null
	[ "$output" = "$(point 1 $((T10 + 1)) 2)" ]
	run ws-get "$S" -e 1 -t 2026-11-25T12:30:00+01:00 </dev/null
	[ "$output" = "$(point 1 $((T10 + 5400000000)) 3)" ]
	run ws-get "$S" -e 1 -t 2026-11-25 </dev/null
	[ "$output" = "$(point 1 $MIDNIGHT 0)" ]
	run sep ws-get "$S" -e 1 -t 2026-11-25T10:00:00.5Z </dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "time: ws-zones --from and --to take every form" {
	seed
	point 2 0 1 | ingest
	run ws-zones "$S" --from 2026-11-25 --to now
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == '{"entity_id":1,'* ]]
	run ws-zones "$S" --to 1970-01-01T00:00:00Z
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == '{"entity_id":2,'* ]]
}

# Entity 5 at 10 seconds, 2 hours and 3 days before now, and 1 day after.
seed_now() {
	local now=$(($(date +%s) * 1000000))
	{
		point 5 $((now - 10000000)) 1
		point 5 $((now - 7200000000)) 2
		point 5 $((now - 3 * 86400000000)) 3
		point 5 $((now + 86400000000)) 4
	} | ingest
}

# values ARGS... : the first vector value of each point ws-range prints.
values() {
	ws-range "$S" -e 5 "$@" </dev/null | sed -E 's/.*"vector":\[([0-9]+)\].*/\1/' | tr '\n' ' '
}

@test "time: now and now-DURATION count back from the clock" {
	seed_now
	run values --from now-1h --to now
	[ "$output" = "1 " ]
	run values --from now-1h30m
	[ "$output" = "1 4 " ]
	run values --from now-2h1m --to now-1s
	[ "$output" = "2 1 " ]
	run values --to now-1d
	[ "$output" = "3 " ]
	run values --from now-1w --to now+2d
	[ "$output" = "3 2 1 4 " ]
	run values --from now+1s
	[ "$output" = "4 " ]
	run values --from now-4d --to now-71h
	[ "$output" = "3 " ]
	run values --from now-30000000us --to now-9000ms
	[ "$output" = "1 " ]
	run values --from now-10800s --to now-90m
	[ "$output" = "2 " ]
}

# bad_time PROG OPTION VALUE REASON [ARGS...] : a usage error whose first
# line names the option, the value and the reason; nothing on stdout.
bad_time() {
	local prog=$1 opt=$2 v=$3 why=$4
	shift 4
	run sep "$prog" "$S" "$@" "$opt" "$v" </dev/null
	if [ "$status" -ne 2 ] || [ -n "$output" ]; then
		echo "$prog $opt '$v': status $status, output '$output'" >&2
		return 1
	fi
	local want="$prog: $opt: invalid time '$v': $why"
	if [ "$(head -n 1 "$T/err")" != "$want" ]; then
		echo "got:      $(head -n 1 "$T/err")" >&2
		echo "expected: $want" >&2
		return 1
	fi
	grep -Fqx "Try '$prog --help' for more information." "$T/err"
}

@test "time: impossible dates and clock times are usage errors" {
	seed
	bad_time ws-range --from 2026-13-01 'month 13 out of range 01..12' -e 1
	bad_time ws-range --from 2026-00-01 'month 00 out of range 01..12' -e 1
	bad_time ws-range --to 2026-02-30 'day 30 out of range 01..28 for 2026-02' -e 1
	bad_time ws-range --to 2100-02-29T00:00:00Z 'day 29 out of range 01..28 for 2100-02' -e 1
	bad_time ws-range --to 2026-04-31 'day 31 out of range 01..30 for 2026-04' -e 1
	bad_time ws-range --from 2026-12-00 'day 00 out of range 01..31 for 2026-12' -e 1
	bad_time ws-range --from 2026-11-25T24:00:00Z 'hour 24 out of range 00..23' -e 1
	bad_time ws-range --from 2026-11-25T10:60:00Z 'minute 60 out of range 00..59' -e 1
	bad_time ws-range --from 2016-12-31T23:59:60Z 'second 60 out of range 00..59 (leap seconds cannot be stored)' -e 1
	bad_time ws-range --from 2026-11-25T10:00:61Z 'second 61 out of range 00..59' -e 1
}

@test "time: bad offsets, fractions and shapes are usage errors" {
	seed
	local shape='expected integer microseconds, RFC 3339 such as 2026-11-25T10:00:00Z or a date such as 2026-11-25, now, or now-DURATION such as now-1h30m'
	bad_time ws-range --from 2026-11-25T10:00:00+24:00 'offset hour 24 out of range 00..23' -e 1
	bad_time ws-range --from 2026-11-25T10:00:00-01:60 'offset minute 60 out of range 00..59' -e 1
	bad_time ws-range --from 2026-11-25T10:00:00.1234567Z 'more than 6 fraction digits (times are exact to the microsecond)' -e 1
	for v in 2026-11-25T10:00:00+0100 2026-11-25T10:00:00 2026-11-25T10:00Z \
		'2026-11-25 10:00:00Z' 2026/11/25 26-11-25 2026-11-25T10:00:00.Z \
		yesterday 1.5 1e6 0x10 +5 ''; do
		bad_time ws-range --from "$v" "$shape" -e 1 || return 1
	done
}

@test "time: integers out of the i64 range are usage errors" {
	seed
	bad_time ws-range --to 9223372036854775808 'integer microseconds out of range -9223372036854775808..9223372036854775807' -e 1
	bad_time ws-get --timestamp -9223372036854775809 'integer microseconds out of range -9223372036854775808..9223372036854775807' -e 1
}

@test "time: bad durations after now are usage errors" {
	seed
	bad_time ws-range --from now- 'empty duration (expected a number and a unit among us, ms, s, m, h, d or w, such as 15m or 1h30m)' -e 1
	bad_time ws-range --from now-15 'missing unit after a number (expected us, ms, s, m, h, d or w)' -e 1
	bad_time ws-range --from now-1y "unknown duration unit 'y' (expected us, ms, s, m, h, d or w)" -e 1
	bad_time ws-range --from now-1.5h 'a duration takes whole numbers (90m, not 1.5h)' -e 1
	bad_time ws-range --from now-30m1h 'duration units must go from larger to smaller, each at most once (1h30m)' -e 1
	bad_time ws-range --from now-0s 'a duration must be positive' -e 1
	bad_time ws-range --from now-1H 'a duration is numbers each followed by a unit among us, ms, s, m, h, d or w (such as 15m or 1h30m)' -e 1
	bad_time ws-range --from now-99999999999w 'duration too large (at most 9223372036854775807 microseconds, about 292000 years)' -e 1
	bad_time ws-range --from now+9223372036854775807us 'out of the range of i64 microseconds' -e 1
	bad_time ws-range --from 'now 1h' 'expected now, now-DURATION or now+DURATION' -e 1
	bad_time ws-zones --to now-1x "unknown duration unit 'x' (expected us, ms, s, m, h, d or w)"
	bad_time ws-get --timestamp now-1d1d 'duration units must go from larger to smaller, each at most once (1h30m)' -e 1
}

@test "time: a bad time is reported before a missing store" {
	bad_time ws-range --from 2026-02-30 'day 30 out of range 01..28 for 2026-02' -e 1
}

@test "time: --help of each time-taking program explains the forms" {
	for prog in ws-range ws-get ws-zones; do
		run "$prog" --help
		[ "$status" -eq 0 ] || return 1
		[[ $output == *'A time T is integer microseconds since the epoch, RFC 3339'* ]] || return 1
		[[ $output == *'now-DURATION'* ]] || return 1
	done
	run ws-ingest --help
	[[ $output != *'A time T is'* ]]
}

# --- "timestamp" in NDJSON ---------------------------------------------------

@test "time: ws-ingest takes RFC 3339 and date strings as timestamps" {
	{
		echo '{"entity_id":1,"timestamp":"2026-11-25T10:00:00Z","vector":[1]}'
		echo '{"entity_id":1,"timestamp":"2026-11-25T10:00:00.000001Z","vector":[2]}'
		echo '{"entity_id":1,"timestamp":"2026-11-25t12:30:00+01:00","vector":[3]}'
		echo '{"entity_id":1,"timestamp":"2026-11-25","vector":[0]}'
		echo '{"entity_id":1,"timestamp":"1969-12-31T23:59:59.999999z","vector":[9]}'
	} >"$T/in"
	run sep ingest <"$T/in"
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
	run ws-range "$S" -e 1
	[ "$output" = "$(point 1 -1 9; point 1 $MIDNIGHT 0; point 1 $T10 1;
		point 1 $((T10 + 1)) 2; point 1 $((T10 + 5400000000)) 3)" ]
}

@test "time: a string timestamp names the same key as its integer" {
	point 1 $T10 1 | ingest
	echo '{"entity_id":1,"timestamp":"2026-11-25T11:00:00+01:00","vector":[2]}' | ingest
	run ws-range "$S" --all
	[ "$output" = "$(point 1 $T10 2)" ]
}

@test "time: ws-get key lines take RFC 3339 strings" {
	seed
	{
		echo '{"entity_id":1,"timestamp":"2026-11-25T10:00:00.000001Z"}'
		echo '{"entity_id":1,"timestamp":"2026-11-25"}'
		echo '{"entity_id":1,"timestamp":"2026-11-25T10:00:00.5Z"}'
	} >"$T/keys"
	run sep ws-get "$S" <"$T/keys"
	[ "$status" -eq 1 ]
	[ "$output" = "$(point 1 $((T10 + 1)) 2; point 1 $MIDNIGHT 0)" ]
}

@test "time: a bad timestamp string is a bad line with the reason" {
	seed
	{
		echo '{"entity_id":1,"timestamp":"2026-11-25"}'
		echo '{"entity_id":1,"timestamp":"2026-13-25"}'
	} >"$T/keys"
	run sep ws-get "$S" <"$T/keys"
	[ "$status" -eq 1 ]
	[ "$output" = "$(point 1 $MIDNIGHT 0)" ]
	[ "$(cat "$T/err")" = 'ws-get: stdin:2: field "timestamp": month 13 out of range 01..12' ]
	{
		point 2 5 1
		echo '{"entity_id":2,"timestamp":"2026-11-25T10:00:00.Z","vector":[1]}'
		point 2 6 1
	} >"$T/in"
	run sep ingest --skip-bad <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = 'ws-ingest: stdin:2: field "timestamp": expected RFC 3339 such as 2026-11-25T10:00:00Z or a date such as 2026-11-25' ]
	run ws-range "$S" -e 2
	[ "$output" = "$(point 2 5 1; point 2 6 1)" ]
}

# --- --time rfc3339 ------------------------------------------------------------

@test "time: ws-range --time rfc3339 prints UTC with six fraction digits" {
	seed
	run sep ws-range "$S" -e 1 --time rfc3339 --from 2026-11-25T10:00:00Z
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
	[ "${lines[0]}" = '{"entity_id":1,"space_id":0,"timestamp":"2026-11-25T10:00:00.000000Z","vector":[1]}' ]
	[ "${lines[1]}" = '{"entity_id":1,"space_id":0,"timestamp":"2026-11-25T10:00:00.000001Z","vector":[2]}' ]
	[ "${lines[2]}" = '{"entity_id":1,"space_id":0,"timestamp":"2026-11-25T11:30:00.000000Z","vector":[3]}' ]
	[ "${#lines[@]}" -eq 3 ]
	run ws-range "$S" -e 1 -T us -n 1
	[ "$output" = "$(point 1 $MIDNIGHT 0)" ]
	run ws-range "$S" --all -T rfc3339 -r -n 1
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":"2026-11-25T11:30:00.000000Z","vector":[3]}' ]
}

@test "time: times RFC 3339 cannot write stay integers" {
	{
		point 1 -9223372036854775808 1
		point 1 -62167219200000001 2
		point 1 -62167219200000000 3
		point 1 253402300799999999 4
		point 1 253402300800000000 5
		point 1 9223372036854775807 6
	} | ingest
	run ws-range "$S" -e 1 --time rfc3339
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":-9223372036854775808,"vector":[1]}
{"entity_id":1,"space_id":0,"timestamp":-62167219200000001,"vector":[2]}
{"entity_id":1,"space_id":0,"timestamp":"0000-01-01T00:00:00.000000Z","vector":[3]}
{"entity_id":1,"space_id":0,"timestamp":"9999-12-31T23:59:59.999999Z","vector":[4]}
{"entity_id":1,"space_id":0,"timestamp":253402300800000000,"vector":[5]}
{"entity_id":1,"space_id":0,"timestamp":9223372036854775807,"vector":[6]}' ]
}

@test "time: --time rfc3339 output re-ingests to the same store content" {
	seed_now
	{
		point 2 -9223372036854775808 1
		point 2 -1 2
		point 2 0 3
		point 2 1 4
		point 2 951782400123456 5
		point 2 9223372036854775807 6
		printf '{"entity_id":3,"space_id":7,"timestamp":%s,"vector":[0.1,2.5],"metadata":{"k":"v"}}\n' \
			-2203891200000001 $T10
	} | ingest
	ws-range "$S" --all --time rfc3339 >"$T/rfc"
	grep -q '"timestamp":"2000-02-29T00:00:00.123456Z"' "$T/rfc"
	ws-ingest "$T/copy" <"$T/rfc"
	ws-range "$S" --all >"$T/want"
	run ws-range "$T/copy" --all
	[ "$output" = "$(cat "$T/want")" ]
	[ "$(wc -l <"$T/want")" -eq 12 ]
}

@test "time: ws-get --time rfc3339, for options and key lines" {
	seed
	run sep ws-get "$S" -e 1 -t $T10 --time rfc3339
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":"2026-11-25T10:00:00.000000Z","vector":[1]}' ]
	echo '{"entity_id":1,"timestamp":"2026-11-25"}' >"$T/keys"
	run ws-get "$S" -T rfc3339 <"$T/keys"
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":"2026-11-25T00:00:00.000000Z","vector":[0]}' ]
}

@test "time: ws-zones --time rfc3339 prints min and max as RFC 3339" {
	seed
	run sep ws-zones "$S" --time rfc3339
	[ "$status" -eq 0 ]
	[[ $output == '{"entity_id":1,"space_id":0,"file":"data/'*'"min_timestamp":"2026-11-25T00:00:00.000000Z","max_timestamp":"2026-11-25T11:30:00.000000Z","point_count":4,'* ]]
	run ws-zones "$S" --time us
	[[ $output == *'"min_timestamp":1795564800000000,"max_timestamp":1795606200000000,'* ]]
	run ws-zones "$S" --summary --time rfc3339
	[[ $output == '{"points":4,'* ]]
}

@test "time: a bad --time value is a usage error" {
	seed
	for prog in ws-range ws-get ws-zones; do
		for v in RFC3339 s ms '' iso; do
			run sep "$prog" "$S" -e 1 --time "$v" </dev/null
			[ "$status" -eq 2 ] || return 1
			[ -z "$output" ] || return 1
			[ "$(head -n 1 "$T/err")" = "$prog: --time: invalid value '$v' (expected us or rfc3339)" ] || return 1
		done
	done
}

# --- ws-ingest --time-unit -------------------------------------------------------

MISSCALED='ws-ingest: every timestamp is before 1971-01-01T00:00:00Z: if they are seconds or milliseconds, give --time-unit s or ms'

@test "time: --time-unit scales integer timestamps exactly" {
	point 1 1795600800 1 | ingest --time-unit s
	point 2 1795600800123 2 | ingest --time-unit ms
	point 3 1795600800123456 3 | ingest --time-unit us
	point 4 1795600800123456000 4 | ingest -u ns
	point 5 -1 5 | ingest -u s
	run ws-range "$S" --all
	[ "$output" = "$(point 1 $T10 1; point 2 $((T10 + 123000)) 2;
		point 3 $((T10 + 123456)) 3; point 4 $((T10 + 123456)) 4;
		point 5 -1000000 5)" ]
}

@test "time: --time-unit leaves RFC 3339 strings alone" {
	{
		echo '{"entity_id":1,"timestamp":"2026-11-25T10:00:00Z","vector":[1]}'
		point 1 1795600801 2
	} | ingest --time-unit s
	run ws-range "$S" -e 1
	[ "$output" = "$(point 1 $T10 1; point 1 $((T10 + 1000000)) 2)" ]
}

@test "time: a timestamp that does not scale is a bad line" {
	point 1 1 1 >"$T/in"
	point 1 1500 1 >>"$T/in"
	point 1 9223372036855 1 >>"$T/in"
	point 1 -9223372036855 1 >>"$T/in"
	point 1 9223372036854 1 >>"$T/in"
	run sep ingest --time-unit s --skip-bad <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(sed -n 1p "$T/err")" = 'ws-ingest: stdin:3: field "timestamp": 9223372036855 s is out of the range of i64 microseconds' ]
	[ "$(sed -n 2p "$T/err")" = 'ws-ingest: stdin:4: field "timestamp": -9223372036855 s is out of the range of i64 microseconds' ]
	[ "$(wc -l <"$T/err")" -eq 2 ]
	run ws-range "$S" -e 1
	[ "$output" = "$(point 1 1000000 1; point 1 1500000000 1; point 1 9223372036854000000 1)" ]
	point 1 9223372036854776 1 >"$T/in"
	run sep ingest -u ms <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(cat "$T/err")" = 'ws-ingest: stdin:1: field "timestamp": 9223372036854776 ms is out of the range of i64 microseconds' ]
	rm -rf "$S"
	printf '%s\n' "$(point 1 1000 1)" "$(point 1 1500 1)" "$(point 1 -2000 1)" "$(point 1 -999 1)" >"$T/in"
	run sep ingest -u ns --skip-bad <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(sed -n 1p "$T/err")" = 'ws-ingest: stdin:2: field "timestamp": 1500 ns is not a whole number of microseconds' ]
	[ "$(sed -n 2p "$T/err")" = 'ws-ingest: stdin:4: field "timestamp": -999 ns is not a whole number of microseconds' ]
	run ws-range "$S" -e 1
	[ "$output" = "$(point 1 -2 1; point 1 1 1)" ]
}

@test "time: a bad --time-unit value is a usage error" {
	for v in sec US '' m h; do
		run sep ws-ingest "$S" --time-unit "$v" </dev/null
		[ "$status" -eq 2 ] || return 1
		[ "$(head -n 1 "$T/err")" = "ws-ingest: --time-unit: invalid value '$v' (expected s, ms, us or ns)" ] || return 1
		[ ! -e "$S" ] || return 1
	done
}

@test "time: seconds or milliseconds taken for microseconds get one warning" {
	{
		point 1 1795600800 1
		point 1 1795600860 2
	} >"$T/secs"
	run sep ingest <"$T/secs"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(cat "$T/err")" = "$MISSCALED" ]
	# Milliseconds, with bad lines: the exit status stays what it was.
	{
		point 2 1795600800000 1
		echo '{"entity_id":2}'
	} >"$T/ms"
	run sep ingest --skip-bad <"$T/ms"
	[ "$status" -eq 1 ]
	[ "$(sed -n 1p "$T/err")" = 'ws-ingest: stdin:2: missing field "timestamp"' ]
	[ "$(sed -n 2p "$T/err")" = "$MISSCALED" ]
	[ "$(wc -l <"$T/err")" -eq 2 ]
	# With -v it comes after the summary.
	run sep ingest -v <"$T/secs"
	[ "$(tail -n 1 "$T/err")" = "$MISSCALED" ]
	[ "$(grep -c 'before 1971' "$T/err")" -eq 1 ]
}

@test "time: no warning with a unit, with a later time, or within the first second" {
	{
		point 1 1795600800 1
		point 1 1795600860 2
	} >"$T/secs"
	for unit in s us; do
		run sep ingest --time-unit $unit <"$T/secs"
		[ "$status" -eq 0 ] || return 1
		[ ! -s "$T/err" ] || return 1
	done
	{
		point 2 1795600800 1
		point 2 $T10 1
	} >"$T/mixed"
	run sep ingest <"$T/mixed"
	[ ! -s "$T/err" ]
	echo '{"entity_id":3,"timestamp":"1970-06-01T00:00:00Z","vector":[1]}' >"$T/rfc"
	run sep ingest --time-unit us <"$T/rfc"
	[ ! -s "$T/err" ]
	point 4 999999 1 | ingest 2>"$T/err"
	[ ! -s "$T/err" ]
	point 4 31536000000000 1 | ingest 2>"$T/err"
	[ ! -s "$T/err" ]
	point 4 31535999999999 1 | ingest 2>"$T/err"
	[ "$(cat "$T/err")" = "$MISSCALED" ]
}
