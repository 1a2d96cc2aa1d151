# A port with nothing listening: every request is a connect error, reported
# as such (errors_by_kind.connect), the run goes on to its end, and the exit
# status is the thresholds' verdict -- 0 without thresholds, 1 with
# errorRate<1 -- never a crash.
. "$SRC/tests/cli/run/helpers.sh"
# A port that was free a moment ago and is closed now.
start_target
kill "$target_pid"
wait "$target_pid"
cat >"$T/s.json" <<JSON
{"id": "refused", "name": "refused",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
  "users": {"concurrent": 2, "thinkTime": {"min": 10, "max": 10}},
  "duration": {"total": 1}}}
JSON
background lt-run -q "$T/s.json" >"$T/out" 2>"$T/err"; pid_plain=$bg
background lt-run -q --threshold 'errorRate<1' "$T/s.json" >"$T/th.out" 2>"$T/th.err"; pid_th=$bg
wait "$pid_plain"
rc=$?
expect_rc 0
requests=$(jget summary requests "$T/out")
[ "${requests:-0}" -ge 10 ] || fail "only ${requests:-no} requests in 1 s"
[ "$(jget summary errors "$T/out")" = "$requests" ] || fail "not every request is an error"
[ "$(jget summary errors_by_kind.connect "$T/out")" = "$requests" ] ||
	fail "errors_by_kind: $(jget summary errors_by_kind "$T/out"), expected connect: $requests"
[ "$(jget summary error_rate "$T/out")" = 100 ] || fail "error_rate $(jget summary error_rate "$T/out")"
wait "$pid_th"
rc=$?
[ "$rc" = 1 ] || fail "with errorRate<1: exit status $rc, expected 1: $(cat "$T/th.err")"
[ "$(jget summary passed "$T/th.out")" = false ] || fail "with errorRate<1: passed"
