#!/usr/bin/env bats
# signals.bats - SIGINT, SIGTERM and SIGHUP stop ws-ingest cleanly: the
# lines accepted so far are committed and reported, and the exit status
# is the one of the signal; a second signal ends it at once.

load helpers

# steady FLAG : points of entity 1, one every 0.1 s, so never a 500 ms
# pause that would commit them: as many as it takes for FLAG to appear.
steady() {
	local i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		point 1 "$i" 1
		sleep 0.1
	done
}

# through FILE : the N of the last "committed through line N" of FILE.
through() {
	sed -n 's/^ws-ingest: committed through line \([0-9][0-9]*\)$/\1/p' "$1" | tail -n 1
}

# feed_and_signal SIG : a steady feed into ws-ingest -v, which gets SIG
# while its batch is pending; sets $status to ws-ingest's exit status.
# A background job of a script starts with SIGINT ignored: env resets it.
feed_and_signal() {
	{ steady "$T/stop"; } | env --default-signal=INT,TERM,HUP \
		ws-ingest -v -w 60 "$S" 2>"$T/err" &
	pid=$!
	sleep 1.5
	kill -s "$1" "$pid"
	status=0
	wait "$pid" || status=$?
	touch "$T/stop"
}

check_committed() {
	n=$(through "$T/err")
	[ -n "$n" ] || { cat "$T/err"; false; }
	[ "$n" -ge 2 ]
	run ws-range --all "$S"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq "$n" ]
	[ "${lines[$((n - 1))]}" = "$(point 1 "$n" 1)" ]
	grep -qx "ws-ingest: $n accepted, 0 replaced, 0 rejected, 1 blocks written" "$T/err"
}

@test "SIGINT commits the pending lines, reports them and exits 130" {
	feed_and_signal INT
	[ "$status" -eq 130 ]
	check_committed
}

@test "SIGTERM commits the pending lines and exits 143" {
	feed_and_signal TERM
	[ "$status" -eq 143 ]
	check_committed
}

@test "SIGHUP commits the pending lines and exits 129" {
	feed_and_signal HUP
	[ "$status" -eq 129 ]
	check_committed
}

@test "a signal ignored at the start (nohup) stays ignored" {
	{ steady "$T/stop"; } | (trap '' HUP; exec env --default-signal=TERM \
		ws-ingest -v -w 60 "$S" 2>"$T/err") &
	pid=$!
	sleep 1
	kill -s HUP "$pid"
	sleep 0.5
	kill -s 0 "$pid"
	kill -s TERM "$pid"
	status=0
	wait "$pid" || status=$?
	touch "$T/stop"
	[ "$status" -eq 143 ]
	check_committed
}

@test "a second signal ends ws-ingest at once, its batch not committed" {
	: | ingest
	# The commit the first signal starts waits for the writer lock.
	(exec 9<"$S" && flock 9 && exec sleep 30) &
	holder=$!
	{ steady "$T/stop"; } | env --default-signal=INT ws-ingest -v -w 60 "$S" 2>"$T/err" &
	pid=$!
	sleep 1.5
	kill -s INT "$pid"
	sleep 0.5
	kill -s 0 "$pid"
	kill -s INT "$pid"
	status=0
	wait "$pid" || status=$?
	touch "$T/stop"
	kill "$holder"
	wait "$holder" || true
	[ "$status" -eq 130 ]
	[ ! -s "$T/err" ]
	run ws-range --all "$S"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "ws-delete: SIGTERM deletes the key lines read so far, then exits 143" {
	for t in $(seq 1 100); do point 1 "$t" 1; done | ingest
	# Key lines of entity 1, one every 0.1 s, until told to stop.
	{ steady "$T/stop"; } | env --default-signal=INT,TERM,HUP \
		ws-delete -v "$S" 2>"$T/err" &
	pid=$!
	sleep 1.5
	kill -s TERM "$pid"
	status=0
	wait "$pid" || status=$?
	touch "$T/stop"
	[ "$status" -eq 143 ]
	n=$(sed -n 's/^ws-delete: committed through line \([0-9][0-9]*\)$/\1/p' "$T/err" | tail -n 1)
	[ -n "$n" ] || { cat "$T/err"; false; }
	[ "$n" -ge 2 ]
	# Keys 1..n are gone, the rest stays.
	[ "$(ws-range -e 1 "$S" | head -n 1)" = "$(point 1 $((n + 1)) 1)" ]
	[ "$(ws-range -e 1 "$S" | wc -l)" -eq $((100 - n)) ]
}
