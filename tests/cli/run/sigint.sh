# SIGINT stops a run cleanly: no new requests, a short wait for those in
# flight, the summary with "interrupted": true, exit 130, and the run kept in
# the database with --db.  SIGTERM does the same.  A second SIGINT exits at
# once, even while requests hang.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/s.json" <<JSON
{"id": "sigint", "name": "sigint",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
  "users": {"concurrent": 2, "thinkTime": {"min": 10, "max": 10}},
  "duration": {"total": 60}}}
JSON
cat >"$T/hang.json" <<JSON
{"id": "hang", "name": "hang",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health?stall=1"}],
  "users": {"concurrent": 2}, "duration": {"total": 60}}}
JSON
now() { date +%s.%N; }
# Until the server has seen a request (so lt-run is running, its signal
# handlers set), 10 s at most.  Not the first sample on stdout: lt-run's
# stdout into a file is block-buffered.
wait_for_load() {
	i=0
	while [ "$(target_requests)" = 0 ] && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(target_requests)" != 0 ] || fail "no request reached the server in 10 s"
}

# --- SIGINT, SIGTERM: the summary, exit 130 ------------------------------------
for sig in INT TERM; do
	background lt-run -q --db "$T/runs.db" --run-id "run-$sig" "$T/s.json" >"$T/$sig.out" 2>"$T/$sig.err"
	pid=$bg
	wait_for_load
	sleep 0.5
	t0=$(now)
	kill -$sig "$pid"
	wait "$pid"
	rc=$?
	secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	[ "$rc" = 130 ] || fail "SIG$sig: exit status $rc, expected 130: $(cat "$T/$sig.err")"
	holds "$secs < 3" || fail "SIG$sig: took $secs s to stop"
	[ "$(jget summary interrupted "$T/$sig.out")" = true ] || fail "SIG$sig: no \"interrupted\": true summary"
	[ "$(jget summary passed "$T/$sig.out")" = true ] || fail "SIG$sig: the thresholds (none) did not pass"
	# Every request it sent is reported, and nothing after the signal.
	sent=$(jsum sample requests "$T/$sig.out")
	aborted=$(jget summary aborted "$T/$sig.out")
	served=$(target_requests)
	holds "$served >= $sent && $served <= $sent + $aborted" ||
		fail "SIG$sig: the server counted $served requests, lt-run reported $sent (+ $aborted aborted)"
	sleep 0.2
	[ "$(target_requests)" = "$served" ] || fail "SIG$sig: requests sent after the run stopped"
	target_reset
	run lt-store list --db "$T/runs.db" --json
	grep -q "\"run_id\":\"run-$sig\".*\"status\":\"interrupted\"" "$T/out" ||
		fail "SIG$sig: the run is not in the database as interrupted: $(cat "$T/out")"
done

# --- a second SIGINT: at once ------------------------------------------------
background lt-run -q "$T/hang.json" >"$T/hang.out" 2>"$T/hang.err"
pid=$bg
wait_for_load
t0=$(now)
kill -INT "$pid"
sleep 0.3
kill -INT "$pid"
wait "$pid"
rc=$?
secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
[ "$rc" = 130 ] || fail "second SIGINT: exit status $rc, expected 130"
# The first one alone waits LT_ENGINE_DRAIN_INTERRUPT_S (2 s) for the hung
# requests.
holds "$secs < 1.5" || fail "second SIGINT: took $secs s to exit"
