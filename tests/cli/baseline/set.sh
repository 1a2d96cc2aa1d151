# lt-baseline set from a live lt-run pipeline and from a stored run
# (--run, by id prefix), then list, show and delete: the baseline keeps the
# run's summary metrics, one baseline per scenario, environment and
# version (setting one again replaces it), the newest is the one shown,
# and deleting a baseline keeps its run.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/s.json" <<JSON
{"id": "checkout", "name": "Checkout",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
  "users": {"concurrent": 2, "thinkTime": {"min": 5, "max": 5}}, "duration": {"total": 1}}}
JSON

lt-run -q "$T/s.json" | lt-baseline set --version 1.0.0 --env staging >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0
expect_out "^baseline 1\.0\.0 of checkout \(staging\) is run [0-9a-f-]{36}$"
run1=$(sed -n 's/.* is run //p' "$T/out")

# The run is recorded, complete.
run lt-store list --json
expect_out "\"run_id\":\"$run1\""
expect_out '"status":"complete"'

# The baseline keeps the summary's metrics under lt-ndjson(5)'s names.
lt-store export "$run1" >"$T/run1.ndjson" || fail "lt-store export"
p95=$(jget summary latency_ms.p95 "$T/run1.ndjson")
rps=$(jget summary throughput.avg "$T/run1.ndjson")
run lt-baseline show --scenario checkout --env staging --json
expect_rc 0
expect_out_lines 1
expect_out "\"scenario_id\":\"checkout\",\"environment\":\"staging\",\"version\":\"1.0.0\",\"run_id\":\"$run1\""
expect_out "\"responseTime.p95\":$p95[,}]"
expect_out "\"throughput.avg\":$rps[,}]"
expect_out '"errorRate":0[,}]'
for m in responseTime.min responseTime.mean responseTime.p50 responseTime.p90 responseTime.p99 \
	responseTime.max throughput.peak; do
	expect_out "\"$m\":[0-9.]+"
done
run lt-baseline show --scenario checkout --env staging
expect_rc 0
expect_out "^scenario +checkout$"
expect_out "^environment +staging$"
expect_out "^version +1\.0\.0$"
expect_out "^run +$run1$"
expect_out "^  responseTime\.p95 +[0-9]+\.[0-9]{3}$"

# A second run, recorded first and then made the baseline by id prefix.
lt-run -q "$T/s.json" >"$T/run2.ndjson" 2>"$T/run2.err" || fail "lt-run: $(cat "$T/run2.err")"
run lt-store "$T/run2.ndjson"
expect_rc 0
run2=$(jget run_start run_id "$T/run2.ndjson")
run lt-baseline set --run "$(echo "$run2" | cut -c1-8)" --version 1.1.0 -e staging --note "after the upgrade"
expect_rc 0
expect_out "^baseline 1\.1\.0 of checkout \(staging\) is run $run2$"

# The newest is the baseline; an older one by its version.
run lt-baseline show --scenario checkout --env staging
expect_out "^version +1\.1\.0$"
expect_out "^run +$run2$"
expect_out "^note +after the upgrade$"
run lt-baseline show -s checkout -e staging -V 1.0.0 --json
expect_out "\"run_id\":\"$run1\""
# Baselines are per environment.
run lt-baseline show --scenario checkout
expect_rc 2
expect_err "no baseline for scenario checkout in environment default"

# Setting the same scenario, environment and version again replaces it.
run lt-baseline set --run "$run1" --version 1.1.0 --env staging
expect_rc 0
run lt-baseline list --json
expect_out_lines 2
run lt-baseline show --scenario checkout --env staging --version 1.1.0 --json
expect_out "\"run_id\":\"$run1\""
run lt-baseline list
expect_rc 0
expect_out "^SCENARIO +ENV +VERSION +RUN +SET AT$"
expect_out "^checkout +staging +1\.1\.0 +$(echo "$run1" | cut -c1-12) +20[0-9-]+T"
expect_out "^checkout +staging +1\.0\.0 +$(echo "$run1" | cut -c1-12) "
run lt-baseline list --scenario checkout --json
expect_out_lines 2
run lt-baseline list --scenario nothing --json
expect_rc 0
expect_no_out

# Delete one version, then the rest of the environment; the runs stay.
run lt-baseline delete --scenario checkout --env staging --version 1.0.0
expect_rc 0
run lt-baseline list --json
expect_out_lines 1
expect_out '"version":"1.1.0"'
run lt-baseline show --scenario checkout --env staging --version 1.0.0
expect_rc 2
run lt-baseline delete --scenario checkout --env staging
expect_rc 0
run lt-baseline list --json
expect_no_out
run lt-store list --json
expect_out_lines 2

# --db names another database.
run lt-baseline set --db "$T/other.db" <"$T/run2.ndjson"
expect_rc 0
expect_out "^baseline \(unversioned\) of checkout \(default\) is run $run2$"
run lt-baseline list --db "$T/other.db" --json
expect_out_lines 1
run lt-baseline list --json
expect_no_out
