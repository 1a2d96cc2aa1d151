# Closed model: every request lt-run reports is one the server counted, and
# the other way round (the sum of the samples, all phases, plus the requests
# aborted at the end, against lt-target's exact count); the summary is the
# steady seconds' share of it.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/s.json" <<JSON
{"id": "count-closed", "name": "count closed",
 "config": {"baseUrl": "$base",
  "endpoints": [{"path": "/health", "weight": 3}, {"path": "/json?delay_ms=20", "weight": 1}],
  "users": {"concurrent": 8, "thinkTime": {"min": 0, "max": 10}},
  "duration": {"total": 2, "warmup": 1}}}
JSON
run lt-run -q "$T/s.json"
expect_rc 0
served=$(target_requests)
sent=$(jsum sample requests "$T/out")
aborted=$(jget summary aborted "$T/out")
[ -n "$aborted" ] || fail "the summary has no \"aborted\""
[ "$sent" -gt 100 ] || fail "only $sent requests in 2 s"
# A request aborted at the end may or may not have reached the server.
holds "$served >= $sent && $served <= $sent + $aborted" ||
	fail "the server counted $served requests, lt-run reported $sent (+ $aborted aborted)"
[ "$(jsum sample errors "$T/out")" = 0 ] || fail "errors against a healthy server"
# The summary covers the steady seconds: every sample after the warm-up.
steady=$(awk -v t=1 "$JSON_AWK"'record("sample") && jpath($0, "phase") == "steady" { s += jpath($0, "requests") }
	END { print s + 0 }' "$T/out")
[ "$(jget summary requests "$T/out")" = "$steady" ] ||
	fail "summary requests $(jget summary requests "$T/out"), steady samples $steady"
[ "$(jget sample phase "$T/out" | head -n 1)" = warmup ] || fail "the first second is not warm-up"
