# lt-bench's records judged by lt-regress check against a baseline set by
# lt-baseline set: the same command passes, a slower one under the same
# name (-n job) is a critical regression, and a benchmark with no baseline
# says how to set one.  Thresholds wider than the defaults (20 / 40 %)
# keep a loaded CI machine from failing the unchanged case; sleeping twice
# as long is +100 %, far past them.
cat >"$T/th.json" <<'JSON'
{"bench": {"warning": 20, "critical": 40}}
JSON

run sh -c 'lt-bench run --runs 8 -n job -c "sleep 0.05" 2>/dev/null | lt-baseline set --env ci'
expect_rc 0
expect_out '^baseline \(unversioned\) of bench:command/job \(ci\) is benchmark result '

run lt-baseline show --scenario bench:command/job --env ci
expect_rc 0
expect_out '^run +\(benchmark\)$'
expect_out '^  mean +[0-9.]+$'

# Unchanged: pass, exit 0, the verdict on stdout (not a terminal).
run sh -c 'lt-bench run --runs 8 -n job -c "sleep 0.05" 2>/dev/null |
	lt-regress check --env ci --thresholds "$0"' "$T/th.json"
expect_rc 0
expect_out '"type":"verdict".*"scenario_id":"bench:command".*"status":"pass"'
expect_out '"metric":"bench:command/job".*"test":"welch"'

# Twice as slow: critical, exit 1, an alert record first.
run sh -c 'lt-bench run --runs 8 -n job -c "sleep 0.1" 2>/dev/null |
	lt-regress check --env ci --thresholds "$0"' "$T/th.json"
expect_rc 1
expect_out '^\{"type":"alert".*"metric":"bench:command/job".*"method":"welch","severity":"critical"'
expect_out '"type":"verdict".*"status":"critical"'
# What check prints is valid NDJSON for the next sink.
lt-store <"$T/out" >/dev/null 2>"$T/err" || fail "lt-store rejected the check's output"
run lt-regress alerts --scenario bench:command
expect_rc 0
expect_out 'bench:command/job'

# Another environment has no baseline: exit 2, and the message says how.
run sh -c 'lt-bench run --runs 3 -n job -c "sleep 0.01" 2>/dev/null | lt-regress check --env prod'
expect_rc 2
expect_err '^lt-regress: no baseline for bench:command/job in environment prod: set one with lt-bench run \.\.\. \| lt-baseline set$'

# A bad bench rule is bad input, named.
echo '{"bench": {"warning": 30, "critical": 10}}' >"$T/bad.json"
run sh -c 'lt-bench run --runs 3 -n job -c "sleep 0.01" 2>/dev/null |
	lt-regress check --env ci --thresholds "$0"' "$T/bad.json"
expect_rc 2
expect_err 'bad\.json: bench: warning \(30\) must not be above critical \(10\)'
