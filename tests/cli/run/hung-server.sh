# A server that never answers must not pass the thresholds.  With the
# scenario's timeout longer than the run and its drain, no request ends
# within the run: they are all aborted, and a run with nothing answered may
# not pass 'errorRate<1' -- a CI job guarding a release with it would wave a
# dead service through.  (Found: lt-run exited 0 with "passed": true,
# requests 0, errors 0, aborted 3.)
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/s.json" <<JSON
{"id": "hung", "name": "hung",
 "config": {"baseUrl": "$base", "timeout": 1, "endpoints": [{"path": "/health?stall=1", "timeout": 10}],
  "users": {"concurrent": 3}, "duration": {"total": 1}}}
JSON
run lt-run -q --threshold 'errorRate<1' "$T/s.json"
[ "$(jget summary aborted "$T/out")" = 3 ] || fail "expected the 3 requests in flight to be aborted"
expect_rc 1
expect_out '"type":"summary".*"passed":false'
