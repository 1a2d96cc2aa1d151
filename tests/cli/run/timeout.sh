# A server that never answers (?stall=1): with a 0.5 s endpoint timeout
# every request ends as a timeout error after 0.5 s, and the run ends on
# time; requests still waiting when the run and its drain (config.timeout,
# at most 5 s) are over are counted as "aborted": requests and errors of
# the last second (kind "aborted"), never as latencies.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/timeout.json" <<JSON
{"id": "timeout", "name": "timeout",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health?stall=1", "timeout": "500ms"}],
  "users": {"concurrent": 2}, "duration": {"total": 2}}}
JSON
cat >"$T/aborted.json" <<JSON
{"id": "aborted", "name": "aborted",
 "config": {"baseUrl": "$base", "timeout": 1, "endpoints": [{"path": "/health?stall=1", "timeout": 10}],
  "users": {"concurrent": 3}, "duration": {"total": 1}}}
JSON
start=$(date +%s)
background lt-run -q "$T/timeout.json" >"$T/timeout.out" 2>"$T/timeout.err"; pid_timeout=$bg
background lt-run -q "$T/aborted.json" >"$T/aborted.out" 2>"$T/aborted.err"; pid_aborted=$bg
wait "$pid_timeout" || fail "exit status $?: $(cat "$T/timeout.err")"
wait "$pid_aborted" || fail "exit status $?: $(cat "$T/aborted.err")"
secs=$(($(date +%s) - start))
[ "$secs" -le 5 ] || fail "the runs took $secs s"

out=$T/timeout.out
requests=$(jget summary requests "$out")
# 2 users x 2 s / 0.5 s, the last ones ending in the drain.
holds "$requests >= 6 && $requests <= 10" || fail "$requests requests in 2 s of 0.5 s timeouts"
[ "$(jget summary errors_by_kind.timeout "$out")" = "$requests" ] ||
	fail "errors_by_kind: $(jget summary errors_by_kind "$out"), expected timeout: $requests"
[ "$(jget summary errors "$out")" = "$requests" ] || fail "not every timeout is an error"
p50=$(jget summary latency_ms.p50 "$out")
max=$(jget summary latency_ms.max "$out")
holds "$p50 >= 490 && $max < 800" || fail "timeouts took p50 $p50 ms, max $max ms, for a 500 ms timeout"
[ "$(jget summary aborted "$out")" = 0 ] || fail "timeouts shorter than the drain were aborted"

out=$T/aborted.out
[ "$(jget summary aborted "$out")" = 3 ] || fail "aborted: $(jget summary aborted "$out"), expected the 3 in flight"
[ "$(jsum sample requests "$out")" = 3 ] || fail "the aborted requests are not counted as requests"
[ "$(jsum sample errors "$out")" = 3 ] || fail "the aborted requests are not counted as errors"
[ "$(jget summary errors_by_kind.aborted "$out")" = 3 ] ||
	fail "errors_by_kind: $(jget summary errors_by_kind "$out"), expected aborted: 3"
[ "$(jget summary latency_ms.max "$out")" = 0 ] || fail "aborted requests counted as latencies"
served=$(target_requests)
holds "$served == $(jsum sample requests "$T/timeout.out") + 3" ||
	fail "the server counted $served requests"
