# The seed's Quick Start, its four fetch calls as curl: store the
# api-health-check scenario, run it, poll the status until it is done,
# read the results -- against lt-target, with the fields a script reads.
. "$SRC/tests/cli/serve/helpers.sh"
start_target
start_serve
scenario=$(quickstart_scenario 5)

# 1. POST /api/load-testing/scenarios
http POST /api/load-testing/scenarios "$scenario"
expect_code 201
[ "$(field created)" = true ] || fail "created: $(field created)"
[ "$(field scenario.id)" = api-health-check ] || fail "scenario.id: $(field scenario.id)"
[ "$(field scenario.config.baseUrl)" = "$base" ] || fail "baseUrl: $(field scenario.config.baseUrl)"

# 2. POST /api/load-testing/run: answered at once with the run's id.
started=$(date +%s)
http POST /api/load-testing/run '{"scenarioId": "api-health-check", "options": {"saveBaseline": true}}'
expect_code 202
run_id=$(field runId)
printf '%s\n' "$run_id" | grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' ||
	fail "runId is not a UUID: $run_id"
[ $(( $(date +%s) - started )) -le 2 ] || fail "POST /run waited for the run"
[ "$(field status)" = running ] || fail "status: $(field status)"

# 3. GET /api/load-testing/status until it is done.
http GET /api/load-testing/status
expect_code 200
[ "$(field status)" = running ] || fail "GET /status while running: $(head -c 300 "$T/body")"
[ "$(items runs | head -n 1 | jfield runId)" = "$run_id" ] || fail "the run is not in runs[]"
wait_idle 30
http GET "/api/load-testing/status?runId=$run_id"
expect_code 200
[ "$(field run.status)" = complete ] || fail "run.status: $(field run.status)"
[ "$(field run.summary.type)" = summary ] || fail "no summary in the status"
[ "$(field run.passed)" = true ] || fail "run.passed: $(field run.passed)"
holds "$(field run.baselineId) >= 1" || fail "saveBaseline: baselineId $(field run.baselineId)"

# 4. GET /api/load-testing/results/:scenarioId
http GET /api/load-testing/results/api-health-check
expect_code 200
[ "$(field count)" = 1 ] || fail "count: $(field count)"
items results | head -n 1 >"$T/result"
[ "$(jfield run_id <"$T/result")" = "$run_id" ] || fail "results[0].run_id"
[ "$(jfield status <"$T/result")" = complete ] || fail "results[0].status"
requests=$(jfield requests <"$T/result")
holds "$requests > 20" || fail "results[0].requests: $requests"
holds "$(jfield latency_ms.p95 <"$T/result") > 0" || fail "results[0].latency_ms.p95"
holds "$(jfield throughput.avg <"$T/result") > 0" || fail "results[0].throughput.avg"
[ "$(jfield errors <"$T/result")" = 0 ] || fail "results[0].errors"
# What the target counted covers the steady seconds the summary counts.
holds "$(target_requests) >= $requests" || fail "lt-target counted fewer requests than recorded"
# Recorded in the database as lt-run --db records: lt-store sees it.
run lt-store --db "$LT_DB" list
expect_rc 0
expect_out "$(printf '%s' "$run_id" | cut -c1-8)"
