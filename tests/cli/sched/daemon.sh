# lt-sched daemon: fires when the time comes, and on SIGTERM lets a running
# execution finish within --grace (exit 0); with --grace 0 it stops the
# execution (lt-run records the run as interrupted), hands the fire time
# back, and the next pass (here run-due) catches it up.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/three.json" <<JSON
{"id": "three", "name": "three", "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
 "users": {"concurrent": 1, "thinkTime": {"min": 5, "max": 5}}, "duration": {"total": 3}}}
JSON
lt-sched add --now 2030-01-01T00:00:00Z --name three --scenario "$T/three.json" \
	--schedule '*/10 * * * *' >/dev/null || fail "add"

# The clock reads 00:09:59: the fire time comes a second later.
lt-sched daemon --now 2030-01-01T00:09:59Z >"$T/d1.out" 2>"$T/d1.err" &
d1=$!
cleanup_pids="$cleanup_pids $d1"
wait_until 5 grep -q 'execution .* started' "$T/d1.err" || fail "nothing started: $(cat "$T/d1.err")"
kill -TERM "$d1"
wait "$d1"
rc=$?
[ "$rc" -eq 0 ] || fail "daemon exited $rc: $(cat "$T/d1.err")"
grep -q 'stopping: 1 execution running, 30 s to finish' "$T/d1.err" || fail "no stopping note: $(cat "$T/d1.err")"
grep -q 'daemon stopped' "$T/d1.err" || fail "no stopped note"
[ "$(jget execution status "$T/d1.out")" = success ] || fail "status: $(cat "$T/d1.out")"
[ "$(jget execution fire_time "$T/d1.out")" = 2030-01-01T00:10:00.000Z ] || fail "fire time"
holds "$(jget execution duration_s "$T/d1.out") >= 2.9" || fail "the run did not run its 3 s"

# --grace 0: stopped, handed back, caught up.
target_reset
lt-sched daemon --grace 0 --now 2030-01-01T00:19:59Z >"$T/d2.out" 2>"$T/d2.err" &
d2=$!
cleanup_pids="$cleanup_pids $d2"
# Once its lt-run sends (and so has recorded its run).
sent() { [ "$(target_requests)" -gt 0 ]; }
wait_until 5 sent || fail "no request sent: $(cat "$T/d2.err")"
kill -TERM "$d2"
wait "$d2"
rc=$?
[ "$rc" -eq 0 ] || fail "daemon exited $rc: $(cat "$T/d2.err")"
[ "$(jget execution status "$T/d2.out")" = retrying ] || fail "status: $(cat "$T/d2.out")"
[ "$(jget execution end "$T/d2.out")" = stopped ] || fail "end: $(cat "$T/d2.out")"
run_id=$(jget execution run_id "$T/d2.out")
[ -n "$run_id" ] || fail "the interrupted run was not recorded"
lt-store list --json >"$T/runs"
grep -q "\"run_id\":\"$run_id\".*\"status\":\"interrupted\"" "$T/runs" || fail "run $run_id not interrupted: $(cat "$T/runs")"
grep -q 'fire time 2030-01-01T00:20:00.000Z handed back' "$T/d2.err" || fail "not handed back: $(cat "$T/d2.err")"
run lt-sched run-due --now 2030-01-01T00:21:00Z
expect_rc 0
[ "$(jget execution status "$T/out")" = success ] || fail "catch-up status: $(cat "$T/out")"
[ "$(jget execution fire_time "$T/out")" = 2030-01-01T00:20:00.000Z ] || fail "catch-up fire time"
