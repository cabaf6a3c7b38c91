#!/usr/bin/env bats
# cli.bats - the command-line contract common to ws-ingest, ws-get and
# ws-range (spec/CLI.md "Common to every program"): --help, --version,
# usage errors, the store operand and WS_STORE, option value checks, and
# readers facing a store that does not exist.

load helpers

PROGS="ws-ingest ws-get ws-range ws-zones ws-reindex"

# A store with two points of entity 1 and one of entity 2.
make_store() {
	{
		point 1 10 0.5 1
		point 1 20 1.5 2
		point 2 10 3 4
	} | ws-ingest "$1"
}

# usage_error PROG MESSAGE : $status, $output and $T/err show a usage error
# of PROG whose first line is MESSAGE (the whole line when MESSAGE does not
# end in '*'), followed by the "Try" line.
usage_error() {
	local prog=$1 msg=$2 first
	if [ "$status" -ne 2 ]; then
		echo "$prog: expected exit 2, got $status" >&2
		return 1
	fi
	if [ -n "$output" ]; then
		echo "$prog: stdout not empty: $output" >&2
		return 1
	fi
	first=$(head -n 1 "$T/err")
	# shellcheck disable=SC2053
	if [[ $first != $msg ]]; then
		echo "$prog: first stderr line is: $first" >&2
		echo "$prog: expected:              $msg" >&2
		return 1
	fi
	if ! grep -qxF "Try '$prog --help' for more information." "$T/err"; then
		echo "$prog: no Try line in stderr:" >&2
		cat "$T/err" >&2
		return 1
	fi
}

# --- help and version ----------------------------------------------------

# check_help PROG OPTION LONGOPTS... : PROG OPTION prints a usage text that
# names every long option, on stdout, exit 0, nothing on stderr.
check_help() {
	local prog=$1 opt=$2 o
	shift 2
	run sep "$prog" "$opt" </dev/null
	[ "$status" -eq 0 ]
	[ ! -s "$T/err" ]
	[[ ${output,,} == *usage* ]]
	[[ $output == *"$prog"* ]]
	for o in "$@" --help --version; do
		if [[ $output != *"$o"* ]]; then
			echo "$prog $opt does not mention $o" >&2
			return 1
		fi
	done
}

INGEST_OPTS="--space --skip-bad --rejects --verbose --batch-bytes --max-line --max-wait --progress"
GET_OPTS="--entity --space --timestamp"
RANGE_OPTS="--entity --space --from --to --limit --reverse --all"

@test "ws-ingest --help lists usage and every long option" {
	# shellcheck disable=SC2086
	check_help ws-ingest --help $INGEST_OPTS
}

@test "ws-ingest -h is --help" {
	# shellcheck disable=SC2086
	check_help ws-ingest -h $INGEST_OPTS
	[ "$output" = "$(ws-ingest --help)" ]
}

@test "ws-get --help lists usage and every long option" {
	# shellcheck disable=SC2086
	check_help ws-get --help $GET_OPTS
}

@test "ws-get -h is --help" {
	# shellcheck disable=SC2086
	check_help ws-get -h $GET_OPTS
	[ "$output" = "$(ws-get --help)" ]
}

@test "ws-range --help lists usage and every long option" {
	# shellcheck disable=SC2086
	check_help ws-range --help $RANGE_OPTS
}

@test "ws-range -h is --help" {
	# shellcheck disable=SC2086
	check_help ws-range -h $RANGE_OPTS
	[ "$output" = "$(ws-range --help)" ]
}

@test "--help needs no store and creates nothing" {
	cd "$T"
	for p in $PROGS; do
		WS_STORE="$S" run "$p" --help </dev/null
		[ "$status" -eq 0 ]
	done
	[ ! -e "$S" ]
	[ -z "$(ls -A "$T")" ]
}

@test "--version and -V print 'ws-PROG (warmstore) 0.1.0'" {
	for p in $PROGS; do
		for o in --version -V; do
			run sep "$p" "$o" </dev/null
			[ "$status" -eq 0 ]
			[ ! -s "$T/err" ]
			[ "${lines[0]}" = "$p (warmstore) 0.1.0" ]
		done
	done
}

# --- usage errors --------------------------------------------------------

@test "ws-ingest: unknown option is a usage error" {
	run sep ws-ingest --bogus "$S" </dev/null
	usage_error ws-ingest 'ws-ingest:*'
	grep -q -- --bogus "$T/err"
	[ ! -e "$S" ]
	run sep ws-ingest -Z "$S" </dev/null
	usage_error ws-ingest 'ws-ingest:*'
	[ ! -e "$S" ]
}

@test "ws-get: unknown option is a usage error" {
	make_store "$S"
	run sep ws-get --bogus -e 1 -t 10 "$S" </dev/null
	usage_error ws-get 'ws-get:*'
	grep -q -- --bogus "$T/err"
	run sep ws-get -Z -e 1 -t 10 "$S" </dev/null
	usage_error ws-get 'ws-get:*'
}

@test "ws-range: unknown option is a usage error" {
	make_store "$S"
	run sep ws-range --bogus -e 1 "$S" </dev/null
	usage_error ws-range 'ws-range:*'
	grep -q -- --bogus "$T/err"
	run sep ws-range -Z -e 1 "$S" </dev/null
	usage_error ws-range 'ws-range:*'
}

@test "an option missing its value is a usage error" {
	make_store "$S"
	run sep ws-get "$S" -t 10 -e </dev/null
	usage_error ws-get 'ws-get:*'
	run sep ws-range "$S" --entity </dev/null
	usage_error ws-range 'ws-range:*'
	run sep ws-ingest "$T/new" --batch-bytes </dev/null
	usage_error ws-ingest 'ws-ingest:*'
	[ ! -e "$T/new" ]
}

@test "no store operand and no WS_STORE is a usage error" {
	cd "$T"
	run sep ws-ingest </dev/null
	usage_error ws-ingest 'ws-ingest: missing store directory (give STORE or set WS_STORE)'
	run sep ws-get -e 1 -t 10 </dev/null
	usage_error ws-get 'ws-get: missing store directory (give STORE or set WS_STORE)'
	run sep ws-range -e 1 </dev/null
	usage_error ws-range 'ws-range: missing store directory (give STORE or set WS_STORE)'
	[ "$(ls -A "$T")" = err ]
}

@test "an empty WS_STORE is no store" {
	cd "$T"
	for p in $PROGS; do
		WS_STORE='' run sep "$p" </dev/null
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		grep -q "^$p: " "$T/err"
	done
	[ "$(ls -A "$T")" = err ]
}

@test "two store operands are a usage error" {
	make_store "$S"
	run sep ws-ingest "$T/a" "$T/b" </dev/null
	usage_error ws-ingest 'ws-ingest: too many arguments'
	[ ! -e "$T/a" ] && [ ! -e "$T/b" ]
	run sep ws-get -e 1 -t 10 "$S" "$S" </dev/null
	usage_error ws-get 'ws-get: too many arguments'
	run sep ws-range -e 1 "$S" "$S" </dev/null
	usage_error ws-range 'ws-range: too many arguments'
}

@test "options may follow the store operand" {
	make_store "$S"
	run ws-get "$S" -e 1 -t 20 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":20,"vector":[1.5,2]}' ]
	run ws-range "$S" --entity 2 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":2,"space_id":0,"timestamp":10,"vector":[3,4]}' ]
	point 3 5 7 8 | ws-ingest "$S" --space 0
	run ws-range "$S" -e 3
	[ "$output" = '{"entity_id":3,"space_id":0,"timestamp":5,"vector":[7,8]}' ]
}

@test "ws-get: --entity without --timestamp and the reverse are usage errors" {
	make_store "$S"
	run sep ws-get -e 1 "$S" </dev/null
	usage_error ws-get 'ws-get: --entity and --timestamp go together'
	run sep ws-get -t 10 "$S" </dev/null
	usage_error ws-get 'ws-get: --entity and --timestamp go together'
}

@test "ws-range: --entity or --all is required, not both" {
	make_store "$S"
	run sep ws-range "$S" </dev/null
	usage_error ws-range 'ws-range: --entity is required (or --all)'
	run sep ws-range -s 0 "$S" </dev/null
	usage_error ws-range 'ws-range: --entity is required (or --all)'
	run sep ws-range --all -e 1 "$S" </dev/null
	usage_error ws-range 'ws-range: --all takes no --entity or --space'
	run sep ws-range -a -s 0 "$S" </dev/null
	usage_error ws-range 'ws-range: --all takes no --entity or --space'
}

# --- the store operand and WS_STORE --------------------------------------

@test "ws-ingest uses WS_STORE when no operand is given" {
	cd "$T"
	point 1 10 1 2 | WS_STORE="$S" ws-ingest
	[ -f "$S/MANIFEST" ]
	run ws-range -e 1 "$S"
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":10,"vector":[1,2]}' ]
}

@test "ws-get uses WS_STORE when no operand is given" {
	make_store "$S"
	cd "$T"
	WS_STORE="$S" run ws-get -e 1 -t 10 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":10,"vector":[0.5,1]}' ]
	# Key lines on stdin, too.
	WS_STORE="$S" run ws-get <<<'{"entity_id":2,"timestamp":10}'
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":2,"space_id":0,"timestamp":10,"vector":[3,4]}' ]
}

@test "ws-range uses WS_STORE when no operand is given" {
	make_store "$S"
	cd "$T"
	WS_STORE="$S" run ws-range -e 1 </dev/null
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[1]}" = '{"entity_id":1,"space_id":0,"timestamp":20,"vector":[1.5,2]}' ]
	WS_STORE="$S" run ws-range --all </dev/null
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "ws-ingest: the operand wins over WS_STORE" {
	point 1 10 1 2 | WS_STORE="$T/other" ws-ingest "$S"
	[ ! -e "$T/other" ]
	run ws-range -e 1 "$S"
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":10,"vector":[1,2]}' ]
}

@test "ws-get: the operand wins over WS_STORE" {
	make_store "$S"
	point 1 10 9 9 | ws-ingest "$T/other"
	WS_STORE="$T/other" run ws-get -e 1 -t 10 "$S" </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":10,"vector":[0.5,1]}' ]
	# Also when WS_STORE names nothing at all.
	WS_STORE="$T/none" run ws-get -e 1 -t 10 "$S" </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":10,"vector":[0.5,1]}' ]
	[ ! -e "$T/none" ]
}

@test "ws-range: the operand wins over WS_STORE" {
	make_store "$S"
	point 1 10 9 9 | ws-ingest "$T/other"
	WS_STORE="$T/other" run ws-range -e 1 "$S" </dev/null
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"entity_id":1,"space_id":0,"timestamp":10,"vector":[0.5,1]}' ]
	[ "${#lines[@]}" -eq 2 ]
	WS_STORE="$T/none" run ws-range --all "$S" </dev/null
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ ! -e "$T/none" ]
}

# --- option values -------------------------------------------------------

# bad_values PROG OPTION EXPECTED VALUE... [-- ARGS...] : each VALUE given
# to OPTION is a usage error with the message
# "PROG: OPTION: invalid value 'VALUE' (expected EXPECTED)".
bad_values() {
	local prog=$1 opt=$2 expected=$3 v
	shift 3
	local values=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		values+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	for v in "${values[@]}"; do
		run sep "$prog" "$S" "$@" "$opt" "$v" </dev/null
		usage_error "$prog" "$prog: $opt: invalid value '$v' (expected $expected)" ||
			{ echo "(value '$v')" >&2; return 1; }
	done
}

# bad_times PROG OPTION VALUE... [-- ARGS...] : each VALUE given to OPTION
# is a usage error "PROG: OPTION: invalid time 'VALUE': REASON" (the
# reasons are tested one by one in time.bats).
bad_times() {
	local prog=$1 opt=$2 v
	shift 2
	local values=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		values+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	for v in "${values[@]}"; do
		run sep "$prog" "$S" "$@" "$opt" "$v" </dev/null
		usage_error "$prog" "$prog: $opt: invalid time '$v': ?*" ||
			{ echo "(value '$v')" >&2; return 1; }
	done
}

U64='an integer 0..18446744073709551615'
U32='an integer 0..4294967295'
BAD_U64="abc 18446744073709551616 99999999999999999999999 -1 1.5 1e3 0x10 12abc +5"
BAD_U32="abc 4294967296 -1 1.5 0x10 7x"
BAD_TIME="abc 9223372036854775808 -9223372036854775809 1.5 1e3 0x10 12abc"

@test "ws-ingest: invalid --space values" {
	# shellcheck disable=SC2086
	bad_values ws-ingest --space "$U32" $BAD_U32 ''
	[ ! -e "$S" ]
	run sep ws-ingest "$S" -s x </dev/null
	[ "$status" -eq 2 ]
	[ ! -e "$S" ]
}

# bad_size PROG OPTION VALUE... : each VALUE is refused with a message that
# starts "PROG: OPTION: invalid value 'VALUE'"; the store is not created.
bad_size() {
	local prog=$1 opt=$2 v
	shift 2
	for v in "$@"; do
		run sep "$prog" "$S" "$opt" "$v" </dev/null
		usage_error "$prog" "$prog: $opt: invalid value '$v'*" ||
			{ echo "(value '$v')" >&2; return 1; }
		[ ! -e "$S" ]
	done
}

@test "ws-ingest: invalid --batch-bytes values" {
	bad_size ws-ingest --batch-bytes abc 1x 12kk k -1 1.5 0 1023 512 '' 99999999999999999999G
}

@test "ws-ingest: invalid --max-line values" {
	bad_size ws-ingest --max-line abc 1x 12kk k -1 1.5 0 1023 100 '' 99999999999999999999G
}

@test "ws-ingest: size options take k, M and G suffixes and plain numbers" {
	for v in 1k 1024 4k 1M 1G 64M; do
		point 1 10 1 | ws-ingest "$S" -b "$v" -l "$v" || { echo "(size $v)" >&2; false; }
	done
	run ws-range -e 1 "$S"
	[ "$output" = '{"entity_id":1,"space_id":0,"timestamp":10,"vector":[1]}' ]
}

@test "ws-get: invalid --entity values" {
	make_store "$S"
	# shellcheck disable=SC2086
	bad_values ws-get --entity "$U64" $BAD_U64 '' -- --timestamp 10
}

@test "ws-get: invalid --space values" {
	make_store "$S"
	# shellcheck disable=SC2086
	bad_values ws-get --space "$U32" $BAD_U32 '' -- -e 1 -t 10
}

@test "ws-get: invalid --timestamp values" {
	make_store "$S"
	# shellcheck disable=SC2086
	bad_times ws-get --timestamp $BAD_TIME '' -- --entity 1
}

@test "ws-range: invalid --entity values" {
	make_store "$S"
	# shellcheck disable=SC2086
	bad_values ws-range --entity "$U64" $BAD_U64 ''
}

@test "ws-range: invalid --space values" {
	make_store "$S"
	# shellcheck disable=SC2086
	bad_values ws-range --space "$U32" $BAD_U32 '' -- -e 1
}

@test "ws-range: invalid --from values" {
	make_store "$S"
	# shellcheck disable=SC2086
	bad_times ws-range --from $BAD_TIME '' -- -e 1
}

@test "ws-range: invalid --to values" {
	make_store "$S"
	# shellcheck disable=SC2086
	bad_times ws-range --to $BAD_TIME '' -- -e 1
}

@test "ws-range: invalid --limit values" {
	make_store "$S"
	# shellcheck disable=SC2086
	bad_values ws-range --limit "$U64" $BAD_U64 '' -- -e 1
}

@test "short options report an invalid value too" {
	make_store "$S"
	run sep ws-get "$S" -e abc -t 10 </dev/null
	usage_error ws-get "ws-get: -*: invalid value 'abc' (expected $U64)"
	run sep ws-range "$S" -e 1 -n x </dev/null
	usage_error ws-range "ws-range: -*: invalid value 'x' (expected $U64)"
	run sep ws-range "$S" -e 1 -f 9223372036854775808 </dev/null
	usage_error ws-range "ws-range: -*: invalid time '9223372036854775808': integer microseconds out of range -9223372036854775808..9223372036854775807"
}

@test "the extreme values of numeric options are accepted" {
	{
		point 18446744073709551615 -9223372036854775808 1
		point 18446744073709551615 9223372036854775807 2
		printf '{"entity_id":0,"space_id":4294967295,"timestamp":0,"vector":[3]}\n'
	} | ws-ingest "$S"
	run ws-get "$S" -e 18446744073709551615 -t -9223372036854775808 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":18446744073709551615,"space_id":0,"timestamp":-9223372036854775808,"vector":[1]}' ]
	run ws-get "$S" -e 0 -s 4294967295 -t 0 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '{"entity_id":0,"space_id":4294967295,"timestamp":0,"vector":[3]}' ]
	run ws-range "$S" -e 18446744073709551615 -f -9223372036854775808 -t 9223372036854775807 -n 18446744073709551615 </dev/null
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	run ws-range "$S" -e 18446744073709551615 -n 0 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

# --- readers and a missing store -----------------------------------------

# missing_store PROG ARGS... : PROG on the store path $T/nostore exits 2,
# names the path on stderr, prints nothing and creates nothing.
missing_store() {
	local prog=$1
	shift
	run sep "$prog" "$T/nostore" "$@"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	grep -q "^$prog: .*$T/nostore" "$T/err"
	[ ! -e "$T/nostore" ]
}

@test "ws-get on a store that does not exist: exit 2, path named, nothing created" {
	missing_store ws-get -e 1 -t 10 </dev/null
	missing_store ws-get <<<'{"entity_id":1,"timestamp":10}'
	WS_STORE="$T/nostore" run sep ws-get -e 1 -t 10 </dev/null
	[ "$status" -eq 2 ]
	grep -q "$T/nostore" "$T/err"
	[ ! -e "$T/nostore" ]
}

@test "ws-range on a store that does not exist: exit 2, path named, nothing created" {
	missing_store ws-range -e 1 </dev/null
	missing_store ws-range --all </dev/null
	WS_STORE="$T/nostore" run sep ws-range -e 1 </dev/null
	[ "$status" -eq 2 ]
	grep -q "$T/nostore" "$T/err"
	[ ! -e "$T/nostore" ]
}

@test "readers on a store whose parent does not exist create nothing" {
	run sep ws-range "$T/no/such/store" -e 1 </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	grep -q "$T/no/such/store" "$T/err"
	run sep ws-get "$T/no/such/store" -e 1 -t 1 </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ ! -e "$T/no" ]
}

@test "ws-ingest: a store whose parent does not exist is an environment error" {
	run sep ws-ingest "$T/no/such/store" < <(point 1 10 1)
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	grep -q "^ws-ingest: .*$T/no/such" "$T/err"
	[ ! -e "$T/no" ]
}

# --- the same contract for ws-zones and ws-reindex ------------------------

@test "ws-zones and ws-reindex: unknown option, no store, two stores are usage errors" {
	make_store "$S"
	for p in ws-zones ws-reindex; do
		run sep "$p" --bogus "$S" </dev/null
		usage_error "$p" "$p: unknown option '--bogus'"
		(cd "$T" && run sep "$p" </dev/null
			usage_error "$p" "$p: missing store directory (give STORE or set WS_STORE)")
		run sep "$p" "$S" "$S" </dev/null
		usage_error "$p" "$p: too many arguments"
	done
}

@test "ws-zones and ws-reindex on a store that does not exist: exit 2, nothing created" {
	for p in ws-zones ws-reindex; do
		run sep "$p" "$T/nowhere" </dev/null
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		grep -q "^$p: $T/nowhere" "$T/err"
		[ ! -e "$T/nowhere" ]
	done
}

@test "ws-zones and ws-reindex use WS_STORE when no operand is given" {
	make_store "$S"
	WS_STORE="$S" run ws-zones --summary
	[ "$status" -eq 0 ]
	[[ $output == '{"points":'* ]]
	WS_STORE="$S" run ws-reindex --check
	[ "$status" -eq 0 ]
}

@test "closed standard descriptors: the store never takes their place" {
	point 1 1 1 | ws-ingest "$S" >&-
	ws-get "$S" <&- >"$T/out" 2>"$T/err"
	[ ! -s "$T/out" ]
	[ ! -s "$T/err" ]
	ws-reindex -v "$S" >&- 2>"$T/err"
	grep -q 'consistent' "$T/err"
	ws-ingest "$S" <&- 2>"$T/err"
	[ ! -s "$T/err" ]
	[ "$(ws-range --all "$S" | wc -l)" -eq 1 ]
}

@test "ws-ingest: size suffixes take either case and mean powers of 1024" {
	for v in 1k 1K; do
		run sep ws-ingest "$T/s-$v" -l "$v" < <(printf '{"entity_id":1,"timestamp":1,"vector":[1],"metadata":{"p":"%01000d"}}\n' 0)
		[ "$status" -eq 1 ]
		grep -qxF 'ws-ingest: stdin:1: line longer than 1024 bytes' "$T/err"
	done
	for v in 1m 1M; do
		run sep ws-ingest "$T/s-$v" -l "$v" < <(head -c 1048577 /dev/zero | tr '\0' x; echo)
		[ "$status" -eq 1 ]
		grep -qxF 'ws-ingest: stdin:1: line longer than 1048576 bytes' "$T/err"
	done
	for v in 1g 1G; do
		point 1 10 1 | ws-ingest "$S" -b "$v" -l "$v"
	done
}
