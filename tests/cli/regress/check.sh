# lt-regress check against a baseline run: a server three times slower is
# a critical regression (exit 1, alerts first, then the verdict, as NDJSON
# that lt-store takes back); a faster one passes with improvements (exit
# 0); --thresholds can make the same change a warning, which exits 0
# unless --fail-on warning.
. "$SRC/tests/cli/run/helpers.sh"
start_target
scenario() { # FILE DELAY_MS: the same scenario, a slower or faster server
	cat >"$T/$1" <<JSON
{"id": "svc", "name": "svc",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health?delay_ms=$2"}],
  "users": {"concurrent": 4}, "duration": {"total": 5}}}
JSON
}
scenario fast.json 10
scenario slow.json 30
# Five steady seconds each (the model's minimum), side by side: the
# difference is far larger than sharing the machine can make it.
background lt-run -q "$T/fast.json" >"$T/fast.ndjson" 2>"$T/fast.err"; pid_fast=$bg
background lt-run -q "$T/slow.json" >"$T/slow.ndjson" 2>"$T/slow.err"; pid_slow=$bg
wait "$pid_fast" || fail "lt-run fast: $(cat "$T/fast.err")"
wait "$pid_slow" || fail "lt-run slow: $(cat "$T/slow.err")"
fast=$(jget run_start run_id "$T/fast.ndjson")
slow=$(jget run_start run_id "$T/slow.ndjson")

run lt-baseline set --version 1.0 <"$T/fast.ndjson"
expect_rc 0

# --- critical: exit 1; the alerts, then the verdict (stdout is no
# terminal, so NDJSON without --json).
run lt-regress check <"$T/slow.ndjson"
expect_rc 1
cp "$T/out" "$T/critical.ndjson"
nlines=$(wc -l <"$T/out")
[ "$nlines" -ge 2 ] || fail "expected alerts and a verdict, got $nlines lines"
if head -n $((nlines - 1)) "$T/out" | grep -qv '^{"type":"alert","v":1,'; then
	fail "a line before the verdict is not an alert"
fi
tail -n 1 "$T/out" | grep -q '^{"type":"verdict","v":1,' || fail "the last line is not the verdict"
[ "$(jget verdict status "$T/out")" = critical ] || fail "status: $(jget verdict status "$T/out")"
[ "$(jget verdict model "$T/out")" = baseline-run ] || fail "model: $(jget verdict model "$T/out")"
[ "$(jget verdict scenario_id "$T/out")" = svc ] || fail "scenario_id"
[ "$(jget verdict run_id "$T/out")" = "$slow" ] || fail "run_id"
[ "$(jget verdict baseline_run_id "$T/out")" = "$fast" ] || fail "baseline_run_id"
[ "$(jget verdict baseline_version "$T/out")" = 1.0 ] || fail "baseline_version"
[ "$(jget verdict alerts "$T/out")" = $((nlines - 1)) ] || fail "alerts: $(jget verdict alerts "$T/out"), lines $((nlines - 1))"
# The mean latency roughly tripled: a significant, critical change by Welch's test.
jitems verdict metrics "$T/out" | awk '/"metric":"responseTime.mean"/' >"$T/mean"
[ "$(jfield severity <"$T/mean")" = critical ] || fail "mean: $(cat "$T/mean")"
[ "$(jfield status <"$T/mean")" = regression ] || fail "mean: $(cat "$T/mean")"
[ "$(jfield test <"$T/mean")" = welch ] || fail "mean: $(cat "$T/mean")"
holds "$(jfield change_pct <"$T/mean") > 100 && $(jfield q_value <"$T/mean") < 0.05" || fail "mean: $(cat "$T/mean")"
# ... and its alert carries the lt-ndjson(5) fields.
grep '"metric":"responseTime.mean"' "$T/out" | grep '"type":"alert"' >"$T/alert" || fail "no alert on responseTime.mean"
for f in alert_id scenario_id run_id metric baseline current change_pct p_value method severity message; do
	grep -q "\"$f\":" "$T/alert" || fail "the alert has no $f: $(cat "$T/alert")"
done
grep -q '"severity":"critical"' "$T/alert" || fail "alert severity: $(cat "$T/alert")"
grep -q '"message":"responseTime.mean rose ' "$T/alert" || fail "alert message: $(cat "$T/alert")"
# Throughput fell with it (closed model: 4 users wait three times longer).
jitems verdict metrics "$T/out" | awk '/"metric":"throughput.avg"/' >"$T/tput"
[ "$(jfield status <"$T/tput")" = regression ] || fail "throughput.avg: $(cat "$T/tput")"
holds "$(jfield worse_pct <"$T/tput") > 25" || fail "throughput.avg: $(cat "$T/tput")"

# lt-store takes the output back (alerts and the verdict are records of
# lt-ndjson(5)), into another database and into this one (a no-op).
run lt-store --db "$T/copy.db" "$T/critical.ndjson"
expect_rc 0
expect_out "^recorded verdict "
expect_out "^recorded alert "
run lt-store "$T/critical.ndjson"
expect_rc 0
run lt-regress alerts --json
expect_out_lines $((nlines - 1))

# --json is the same output.
run lt-regress check --json --run "$slow"
expect_rc 1
[ "$(jget verdict status "$T/out")" = critical ] || fail "--json status"

# --- pass: the fast run against the slow one as baseline (in an
# environment of its own) passes, exit 0, no alert, even with --fail-on
# warning: a change for the better is no regression.
run lt-baseline set --run "$slow" --env reverse
expect_rc 0
run lt-regress check --run "$fast" --env reverse --fail-on warning
expect_rc 0
expect_out_lines 1
[ "$(jget verdict status "$T/out")" = pass ] || fail "status: $(jget verdict status "$T/out")"
[ "$(jget verdict alerts "$T/out")" = 0 ] || fail "alerts"
jitems verdict metrics "$T/out" | awk '/"metric":"responseTime.mean"/' >"$T/mean"
[ "$(jfield severity <"$T/mean")" = none ] || fail "mean: $(cat "$T/mean")"
holds "$(jfield worse_pct <"$T/mean") < -50" || fail "mean: $(cat "$T/mean")"
jitems verdict metrics "$T/out" | jfield status | grep -q regression && fail "a regression in: $(cat "$T/out")"

# --- warning: thresholds that make no latency change critical.
cat >"$T/lenient.json" <<'JSON'
{"responseTime.mean": {"warning": 10, "critical": 100000},
 "responseTime.p50": {"warning": 10, "critical": 100000},
 "responseTime.p90": {"warning": 10, "critical": 100000},
 "responseTime.p95": {"warning": 10, "critical": 100000},
 "responseTime.p99": {"warning": 10, "critical": 100000},
 "throughput.avg": {"warning": 10, "critical": 100}}
JSON
run lt-regress check --run "$slow" --thresholds "$T/lenient.json"
expect_rc 0
[ "$(jget verdict status "$T/out")" = warning ] || fail "status: $(jget verdict status "$T/out")"
run lt-regress check --run "$slow" --thresholds "$T/lenient.json" --fail-on warning
expect_rc 1
[ "$(jget verdict status "$T/out")" = warning ] || fail "--fail-on warning status"
run lt-regress check --run "$slow" --thresholds "$T/lenient.json" --fail-on critical
expect_rc 0

# Every check was stored: its alerts are listed by scenario.
run lt-regress alerts --scenario svc --limit 0 --json
holds "$(wc -l <"$T/out") > $((nlines - 1))" || fail "alerts of later checks not stored"
grep -q '"severity":"warning"' "$T/out" || fail "no warning alert stored"
