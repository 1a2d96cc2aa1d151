# --dry-run checks the scenario and prints the plan (lt_engine_plan of
# engine.h) without sending a request: exit 0, the server's count stays 0.
# The plan takes the overrides and the shard a real run would.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/s.json" <<JSON
{"id": "dry-run", "name": "dry run",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
  "users": {"concurrent": 4, "rampUp": {"duration": 1}}, "duration": {"total": 2}}}
JSON
# Closed: users 0, 1, 2, 3 start at 0, .25, .5, .75 s: 3 active mid-second 0.
run lt-run --dry-run "$T/s.json"
expect_rc 0
expect_out_lines 1
[ "$(jget plan scenario_id "$T/out")" = dry-run ] || fail "no plan for scenario dry-run"
[ "$(jget plan model "$T/out")" = closed ] || fail "model $(jget plan model "$T/out")"
[ "$(jitems plan seconds "$T/out" | jfield users | tr '\n' ' ')" = "3 4 " ] ||
	fail "users per second: $(jget plan seconds "$T/out")"
# Open, shard 2 of 4 of 50/s for 2 s: 12.5/s, 25 requests.
run lt-run -n -q --rate 50 --duration 2 --segment 2/4 --threshold 'p95<100' "$T/s.json"
expect_rc 0
[ "$(jget plan model "$T/out")" = open ] || fail "--rate: model $(jget plan model "$T/out")"
[ "$(jget plan segment "$T/out")" = 2/4 ] || fail "segment $(jget plan segment "$T/out")"
[ "$(jget plan expected_requests "$T/out")" = 25 ] || fail "expected_requests $(jget plan expected_requests "$T/out")"
[ "$(jitems plan seconds "$T/out" | jfield rate | tr '\n' ' ')" = "12.5 12.5 " ] ||
	fail "rate per second: $(jget plan seconds "$T/out")"
expect_out '"thresholds":\[\{"metric":"responseTime.p95","op":"<","limit":100\}\]'
# From standard input.
run sh -c 'lt-run --dry-run - <"$1"' sh "$T/s.json"
expect_rc 0
expect_out '^\{"type":"plan","v":1,"scenario_id":"dry-run",'
# A run of 30 days has a plan of 2.6 million seconds, longer than one
# NDJSON line may be: a clear error, not a silent exit.
run lt-run --dry-run --duration 2592000 "$T/s.json"
expect_rc 2
expect_err 'the plan of a 2592000 s run is longer than one NDJSON line may be \(4194304 bytes\); plan a shorter one with --duration'
expect_no_out
sleep 0.2
n=$(target_requests)
[ "$n" = 0 ] || fail "--dry-run sent $n requests"
