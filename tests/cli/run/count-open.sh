# Open model: the requests lt-run reports are exactly those the server
# counted (plus any aborted at the end).  (The number of arrivals itself:
# arrivals.sh.)
. "$SRC/tests/cli/run/helpers.sh"
start_target
# Room for every arrival even at valgrind's pace (LT_TEST_SLOWDOWN), where
# a request takes ten times as long and so ten times as many are in flight.
users=$(slow 50)
cat >"$T/s.json" <<JSON
{"id": "count-open", "name": "count open",
 "config": {"baseUrl": "$base",
  "endpoints": [{"path": "/health"}, {"path": "/api/x?delay_ms=30"}],
  "arrival": {"rate": 150, "maxUsers": $users},
  "duration": {"total": 2}}}
JSON
run lt-run -q "$T/s.json"
expect_rc 0
served=$(target_requests)
sent=$(jsum sample requests "$T/out")
aborted=$(jget summary aborted "$T/out")
dropped=$(jget summary dropped "$T/out")
[ -n "$aborted" ] && [ -n "$dropped" ] || fail "the summary lacks \"aborted\" or \"dropped\""
holds "$served >= $sent && $served <= $sent + $aborted" ||
	fail "the server counted $served requests, lt-run reported $sent (+ $aborted aborted)"
[ "$dropped" = 0 ] || fail "$dropped arrivals dropped at 150/s with $users users"
[ "$(jget summary requests "$T/out")" = "$sent" ] || fail "summary requests differ from the samples"
