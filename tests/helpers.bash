# helpers.bash - shared set-up for the warmstore bats suites.
#
# WS_BINDIR names the folder holding the built ws-* programs and
# WS_FIXTURES the fixture folder; `make check` exports both, so the suites
# also run from a separate build directory. Each test gets a private
# temporary directory in $T and a store path in $S.

: "${WS_BINDIR:?WS_BINDIR must name the folder with the ws-* programs}"
: "${WS_FIXTURES:=$BATS_TEST_DIRNAME/fixtures}"
export LC_ALL=C
export PATH="$WS_BINDIR:$PATH"
unset WS_STORE

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ws-test.XXXXXX")
	S="$T/store"
}

teardown() {
	# Keep the directory of a failed test for a post-mortem.
	if [ -n "${BATS_TEST_COMPLETED:-}" ]; then
		rm -rf "$T"
	else
		echo "# kept $T" >&3
	fi
}

# point E T V... : one NDJSON point of entity E at time T with vector V...
point() {
	local e=$1 t=$2
	shift 2
	local IFS=,
	printf '{"entity_id":%s,"space_id":0,"timestamp":%s,"vector":[%s]}\n' "$e" "$t" "$*"
}

# sep CMD... : runs CMD with its stderr in $T/err, so that `run sep CMD`
# leaves stdout alone in $output and stderr to be checked apart.
sep() {
	"$@" 2>"$T/err"
}

# ingest ARGS... : run ws-ingest on the test store with stdin as input.
ingest() {
	ws-ingest "$S" "$@"
}

# reseal [FILE] : after a test edited a MANIFEST (default: the test
# store's) by hand, gives it back the closing checksum a writer writes,
# so that the checks behind the checksum can be reached.
reseal() {
	local f=${1:-$S/MANIFEST} at n crc
	at=$(grep -bo '"crc":' "$f" | tail -n 1 | cut -d: -f1)
	n=$((at - 2)) # the member starts with ",\n"
	crc=$(head -c "$n" "$f" | gzip -c | tail -c 8 | head -c 4 | od -An -tu4 | tr -d ' ')
	{ head -c "$n" "$f"; printf ',\n"crc":%s}\n' "$crc"; } >"$f.sealed"
	mv "$f.sealed" "$f"
}
