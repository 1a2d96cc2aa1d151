# Every endpoint of lt-serve(1) once, with its status code and the JSON
# fields a script reads: health, metrics, scenarios, dry runs, results
# and their pages, baselines, thresholds, regression monitoring, alerts,
# the regression report, benchmarks, neural training, schedules, the page.
. "$SRC/tests/cli/serve/helpers.sh"
start_target
start_serve
A=/api/load-testing

http GET /health
expect_code 200
[ "$(field status)" = ok ] || fail "health.status"
[ "$(field version)" = "$(lt-serve --version | cut -d' ' -f2)" ] || fail "health.version: $(field version)"
[ "$(field database.state)" = ok ] || fail "health.database.state"
[ "$(field running.runs)" = 0 ] || fail "health.running.runs"
holds "$(field uptime_s) >= 0" || fail "health.uptime_s"

http GET $A/scenarios
expect_code 200
[ "$(field count)" = 0 ] || fail "scenarios on an empty database"
http POST $A/scenarios "$(quickstart_scenario 6)"
expect_code 201
http GET $A/scenarios
[ "$(field count)" = 1 ] || fail "scenarios.count"
[ "$(items scenarios | jfield name)" = "API Health Check" ] || fail "scenarios[0].name"
http GET $A/scenarios/api-health-check
expect_code 200
[ "$(field scenario.config.users.concurrent)" = 10 ] || fail "scenario.config"

# A dry run plans and sends nothing.
http POST $A/run '{"scenarioId": "api-health-check", "options": {"dryRun": true}}'
expect_code 200
[ "$(field plan.type)" = plan ] || fail "dryRun plan"
[ "$(field plan.duration_s)" = 6 ] || fail "plan.duration_s"
[ "$(target_requests)" = 0 ] || fail "a dry run sent requests"

# Two runs, the first made the baseline.
http POST $A/run '{"scenarioId": "api-health-check", "options": {"saveBaseline": true, "version": "1.0"}}'
expect_code 202
run1=$(field runId)
sleep 2
http GET /metrics
expect_code 200
grep -q '^Content-Type: text/plain; version=0.0.4' "$T/headers" || fail "metrics content type"
grep -q '^lt_runs_active 1$' "$T/body" || fail "lt_runs_active during a run"
grep -q "^lt_run_users{run_id=\"$run1\",scenario_id=\"api-health-check\"} [0-9]" "$T/body" ||
	fail "lt_run_users of the running test"
grep -q "^lt_run_latency_seconds{run_id=\"$run1\",scenario_id=\"api-health-check\",quantile=\"0.95\"} [0-9]" "$T/body" ||
	fail "lt_run_latency_seconds of the running test"
grep -q '^lt_requests_total [1-9]' "$T/body" || fail "lt_requests_total"
http GET /health
[ "$(field running.runs)" = 1 ] && [ "$(field running.runIds)" = "[\"$run1\"]" ] || fail "health.running during a run"
wait_idle 20
http POST $A/regression-thresholds \
	'{"scenarioId": "api-health-check", "thresholds": {"responseTime.p95": {"warning": 10, "critical": 50}}}'
expect_code 200
[ "$(key thresholds responseTime.p95 | jfield critical)" = 50 ] || fail "thresholds posted"
http GET "$A/regression-thresholds?scenarioId=api-health-check"
expect_code 200
[ "$(key thresholds responseTime.p95 | jfield warning)" = 10 ] || fail "thresholds read back"
# The second run without a comparison: regression monitoring (the watch
# loop, in-process) judges it.
http POST $A/run '{"scenarioId": "api-health-check"}'
expect_code 202
run2=$(field runId)
wait_idle 20
http GET $A/regression-monitoring
expect_code 200
[ "$(field active)" = false ] || fail "monitoring active before its start"
http POST $A/regression-monitoring/start '{"interval": 1}'
expect_code 202
[ "$(field active)" = true ] && [ "$(field interval_s)" = 1 ] || fail "monitoring start: $(cat "$T/body")"
http POST $A/regression-monitoring/start '{}'
expect_code 409
i=0
until http GET $A/regression-monitoring && [ "$(field checked)" = 1 ]; do
	i=$((i + 1))
	[ "$i" -lt 50 ] || fail "monitoring checked nothing: $(cat "$T/body")"
	sleep 0.2
done
[ "$(items recent | jfield run_id)" = "$run2" ] || fail "monitoring checked another run"
items recent | jfield status | grep -Eqx 'pass|warning|critical|inconclusive' ||
	fail "monitoring verdict: $(cat "$T/body")"
http GET /metrics
grep -q '^lt_monitoring_active 1$' "$T/body" || fail "lt_monitoring_active"
http POST $A/regression-monitoring/stop '{}'
expect_code 200
[ "$(field active)" = false ] || fail "monitoring stop"
http POST $A/regression-monitoring/stop '{}'
expect_code 409

# Results, newest first, a page at a time.
http GET "$A/results/api-health-check?limit=1"
expect_code 200
[ "$(items results | jfield run_id)" = "$run2" ] || fail "results page 1"
[ "$(field hasMore)" = true ] || fail "results page 1 hasMore"
http GET "$A/results/api-health-check?limit=1&offset=1"
[ "$(items results | jfield run_id)" = "$run1" ] || fail "results page 2"
[ "$(field hasMore)" = false ] || fail "results page 2 hasMore"
http GET "$A/results"
[ "$(field count)" = 2 ] || fail "results of every scenario"

# Baselines: the saved one, and one made from run2 under another version.
http GET "$A/baselines?scenarioId=api-health-check"
expect_code 200
[ "$(items baselines | jfield run_id)" = "$run1" ] || fail "the saved baseline"
[ "$(items baselines | jfield version)" = "1.0" ] || fail "the saved baseline's version"
http POST $A/baselines "{\"scenarioId\": \"api-health-check\", \"version\": \"2.0\", \"environment\": \"staging\", \"runId\": \"$run2\"}"
expect_code 201
[ "$(field baseline.run_id)" = "$run2" ] && [ "$(field baseline.environment)" = staging ] ||
	fail "baseline made: $(head -c 300 "$T/body")"
holds "$(key baseline.metrics responseTime.p95) > 0" || fail "baseline metrics"
http GET "$A/baselines?environment=staging"
[ "$(field count)" = 1 ] || fail "baselines of staging"
# A run stored under an id of its own (lt-run --run-id) makes one too.
lt-store export "$run2" | sed "s/$run2/nightly-42/g" | lt-store -q || fail "storing run nightly-42"
http POST $A/baselines '{"scenarioId": "api-health-check", "version": "2.1", "environment": "nightly", "runId": "nightly-42"}'
expect_code 201
[ "$(field baseline.run_id)" = nightly-42 ] || fail "baseline of nightly-42: $(head -c 300 "$T/body")"

http GET "$A/regression-alerts?scenarioId=api-health-check&limit=10"
expect_code 200
holds "$(field count) >= 0" || fail "alerts count"
http GET "$A/regression-report/api-health-check"
expect_code 200
[ "$(field type)" = report ] && [ "$(field scenario_id)" = api-health-check ] || fail "report (json)"
http GET "$A/regression-report/api-health-check?format=html"
expect_code 200
grep -qi '^Content-Type: text/html' "$T/headers" || fail "report (html) content type"
grep -q '<svg' "$T/body" || fail "report (html) has no chart"
http GET "$A/regression-report/api-health-check?format=junit"
expect_code 200
grep -q '<testsuite' "$T/body" || fail "report (junit)"

# Benchmarks: the catalogue, a quick session of one benchmark, its status.
http GET $A/benchmarks
expect_code 200
items suites | jfield name | grep -qx reports || fail "no reports suite in the catalogue"
http POST $A/benchmarks/run '{"suites": "reports", "filter": "reports/alert_render", "quick": true}'
expect_code 202
[ "$(field total)" = 1 ] || fail "benchmarks/run total"
i=0
while :; do
	http GET $A/benchmarks/status
	[ "$(field active)" = false ] && break
	i=$((i + 1))
	[ "$i" -lt 150 ] || fail "the benchmark session did not end"
	sleep 0.2
done
[ "$(field state)" = finished ] || fail "benchmark state: $(head -c 300 "$T/body")"
[ "$(items results | jfield name)" = alert_render ] || fail "benchmark result"
http GET $A/benchmarks
[ "$(items recent | jfield name)" = alert_render ] || fail "the benchmark was not recorded"
http POST $A/benchmarks/stop '{}'
expect_code 409

# Neural training: accepted at once, then its status says how it went.
http POST $A/neural-training '{"scenarioId": "api-health-check", "perSecond": true, "epochs": 20}'
expect_code 202
i=0
while :; do
	http GET $A/neural-training/status
	[ "$(field active)" = false ] && break
	i=$((i + 1))
	[ "$i" -lt 150 ] || fail "the training did not end"
	sleep 0.2
done
case $(field state) in
finished) [ "$(field result.type)" = train ] || fail "training result: $(head -c 300 "$T/body")" ;;
failed) field error | grep -q 'vectors\|runs' || fail "training failed: $(field error)" ;;
*) fail "training state: $(field state)" ;;
esac

# Schedules: the admin interface of lt-sched's schedules.
http POST $A/schedules '{"name": "nightly", "scenarioId": "api-health-check", "schedule": "0 2 * * *", "timezone": "UTC", "options": {"compareBaseline": true}}'
expect_code 201
[ "$(items schedules | jfield name)" = nightly ] || fail "schedule created"
http GET $A/schedules
expect_code 200
[ "$(field count)" = 1 ] || fail "schedules.count"
items schedules | jfield nextFireAt | grep -q 'T02:00:00' || fail "nextFireAt: $(items schedules | jfield nextFireAt)"
run lt-sched list --db "$LT_DB"
expect_rc 0
expect_out nightly
http GET $A/schedules/nightly
expect_code 200
http DELETE $A/schedules/nightly
expect_code 200
[ "$(field deleted)" = nightly ] || fail "schedule deleted"
http GET $A/schedules
[ "$(field count)" = 0 ] || fail "schedules after delete"

# The dashboard page.
http GET /
expect_code 200
grep -qi '^Content-Type: text/html' "$T/headers" || fail "dashboard content type"
grep -q '<canvas id="c-rps"' "$T/body" || fail "dashboard charts"
http GET $A/ws
expect_code 426
