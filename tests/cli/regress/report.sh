# lt-regress report: after real runs (lt-target, lt-run, lt-baseline,
# lt-regress check), the report of the scenario in each format -- the
# verdict's rows, the history, the alerts; HTML that fetches nothing and
# escapes the scenario's name; JUnit XML whose failures are the
# regressions -- and exit 0 whatever the verdict.  Two runs of 5 s.
. "$SRC/tests/cli/run/helpers.sh"

# Before anything is recorded: usage, and a database that does not exist
# is reported, not created (report opens it read-only).
run lt-regress report
expect_rc 2
expect_err "^lt-regress report: expected one scenario id$"
run lt-regress report --format pdf report-case
expect_rc 2
expect_err "^lt-regress: --format: unknown report format 'pdf' \(expected text, markdown, json, html or junit\)$"
run lt-regress report --db "$T/none.db" report-case
expect_rc 2
[ ! -e "$T/none.db" ] || fail "report created $T/none.db"

start_target
scenario() { # FILE DELAY_MS
	cat >"$T/$1" <<JSON
{"id": "report-case", "name": "Report <b>case</b> & \"quotes\" 'too'",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health?delay_ms=$2"}],
  "users": {"concurrent": 10}, "duration": {"total": 5, "warmup": 0}}}
JSON
}
scenario fast.json 5
scenario slow.json 12

lt-run -q "$T/fast.json" >"$T/fast.ndjson" || fail "lt-run fast.json failed"
run lt-baseline set --version 1.0 --env ci <"$T/fast.ndjson"
expect_rc 0

run lt-regress report report-case
expect_rc 2
expect_no_out
expect_err "^lt-regress: no regression check recorded for scenario report-case: run lt-regress check first$"

# The service got twice as slow: a critical regression.
lt-run -q "$T/slow.json" >"$T/slow.ndjson" || fail "lt-run slow.json failed"
run lt-regress check --env ci <"$T/slow.ndjson"
expect_rc 1
slow_run=$(jget run_start run_id "$T/slow.ndjson")
base_run=$(jget run_start run_id "$T/fast.ndjson")

run lt-regress report report-case
expect_rc 0
expect_out "^lt-regress report: report-case \(Report <b>case</b> & \"quotes\" 'too'\), environment ci$"
expect_out '^verdict +critical, [1-9][0-9]* alerts?$'
expect_out "^run +$slow_run, started "
expect_out "^baseline +1\.0, run $base_run$"
expect_out '^METRIC +BASELINE +CURRENT +CHANGE +Q-VALUE +TEST +VERDICT$'
for m in responseTime.mean responseTime.p50 responseTime.p90 responseTime.p95 responseTime.p99 \
	throughput.avg errorRate; do
	expect_out "^$m +[0-9.]+ +[0-9.]+ +[-+][0-9.]+% "
done
expect_out '^responseTime\.p50 .* CRITICAL$'
expect_out '^HISTORY: 2 runs'
expect_out ' baseline$'
expect_out '\* .* latest$'
# Two runs: too few for a trend, change points or a forecast -- said, not failed.
expect_out '^TRENDS: over the history above '
expect_out '^METRIC +TREND +CHANGE POINTS +FORECAST$'
expect_out '^responseTime\.p95 +- +- +-$'
expect_out '^OPEN ALERTS: [1-9]'
cp "$T/out" "$T/report.txt"

# --env names the environment; one without checks is not found.
run lt-regress report --env ci report-case
expect_rc 0
cmp -s "$T/out" "$T/report.txt" || fail "--env ci differs from the latest check's environment"
run lt-regress report --env prod report-case
expect_rc 2
expect_err "no regression check recorded for scenario report-case in environment prod"

run lt-regress report --format markdown report-case
expect_rc 0
expect_out '^## lt-regress: report-case is \*\*critical\*\*$'
expect_out '^\| Metric \| Baseline \| Current \| Change \| q-value \| Test \| Verdict \|$'
expect_out '^\| responseTime\.p50 \(ms\) \| .* \| \*\*critical\*\* \|$'
expect_out '^\| Metric \| Trend \| Change points \| Forecast \|$'
expect_out 'Report &lt;b&gt;case&lt;/b&gt; &amp; "quotes" '"'"'too'"'"
grep -q '<b>' "$T/out" && fail "markdown holds raw HTML from the scenario name"

run lt-regress report --format json report-case
expect_rc 0
expect_out_lines 1
[ "$(jfield scenario_id <"$T/out")" = report-case ] || fail "json scenario_id"
[ "$(jfield environment <"$T/out")" = ci ] || fail "json environment"
[ "$(jfield verdict.status <"$T/out")" = critical ] || fail "json verdict.status"
[ "$(jfield verdict.run_id <"$T/out")" = "$slow_run" ] || fail "json verdict.run_id"
[ "$(jfield run.run_id <"$T/out")" = "$slow_run" ] || fail "json run.run_id"
expect_out "\"history\":\{\"responseTime\.mean\":\[\{\"run_id\":\"$base_run\",\"at\":\"[^\"]+\",\"value\":[0-9.]+,"
expect_out '"timeline":\[\{"t":'
expect_out '"analytics":\{"responseTime\.mean":\{"runs":2,"trend":null,"changepoints":\[\],"forecast":null,"note":"too few runs for a trend or a forecast \(3 needed\)"\}'
expect_out '"alerts":\[\{"alert_id":'

run lt-regress report --format html report-case
expect_rc 0
head -n 1 "$T/out" | grep -qx '<!DOCTYPE html>' || fail "html does not start with a doctype"
tail -n 1 "$T/out" | grep -qx '</html>' || fail "html does not end with </html>"
svgs=$(grep -o '<svg' "$T/out" | wc -l)
[ "$svgs" -eq 9 ] || fail "expected 9 charts (2 timeline, 7 history), got $svgs"
grep -Eqi 'https?://|<script|<link| src=| href=|url\(|@import' "$T/out" &&
	fail "html refers to something outside itself"
expect_out 'Report &lt;b&gt;case&lt;/b&gt; &amp; &quot;quotes&quot; &#39;too&#39;'

run lt-regress report --format junit report-case
expect_rc 0
head -n 1 "$T/out" | grep -qx '<?xml version="1.0" encoding="UTF-8"?>' || fail "no XML declaration"
expect_out '^  <testsuite name="lt-regress: report-case" tests="7" failures="[1-9]'
expect_out '^    <testcase classname="report-case" name="responseTime\.p50" time="0">$'
expect_out '^      <failure message="responseTime\.p50 critical: '
failures=$(sed -n 's/^  <testsuite .* failures="\([0-9]*\)".*/\1/p' "$T/out")
[ "$(grep -c '<failure ' "$T/out")" = "$failures" ] || fail "failures=\"$failures\" but not as many <failure>s"
[ "$(grep -c '<testcase ' "$T/out")" = 7 ] || fail "expected 7 test cases"
expect_out 'value="Report &lt;b&gt;case&lt;/b&gt; &amp; &quot;quotes&quot; &#39;too&#39;"'
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$T/out" 2>"$T/xmllint.err" || fail "xmllint: $(cat "$T/xmllint.err")"
fi
