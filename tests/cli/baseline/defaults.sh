# A baseline's environment and version default to the scenario's
# options.environment and options.version (the seed's run options), else
# "default" and none; --env and --version override them.  lt-regress
# check looks for the baseline in the same default environment.
. "$SRC/tests/cli/run/helpers.sh"
start_target
scenario() { # ID OPTIONS
	cat >"$T/$1.json" <<JSON
{"id": "$1", "name": "$1",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
  "users": {"concurrent": 2, "thinkTime": {"min": 5, "max": 5}}, "duration": {"total": 1}}
 $2}
JSON
}
scenario shop ', "options": {"environment": "staging", "version": "2.4.0"}'
scenario plain ''
cp "$T/shop.json" "$T/shop2.json"
for s in shop plain shop2; do
	background lt-run -q "$T/$s.json" >"$T/$s.ndjson" 2>"$T/$s.err"
	eval "pid_$s=\$bg"
done
for s in shop plain shop2; do
	eval "pid=\$pid_$s"
	wait "$pid" || fail "lt-run $s failed: $(cat "$T/$s.err")"
done

run lt-baseline set <"$T/shop.ndjson"
expect_rc 0
expect_out "^baseline 2\.4\.0 of shop \(staging\) is run [0-9a-f-]{36}$"
run lt-baseline show --scenario shop --env staging --json
expect_out '"environment":"staging","version":"2.4.0"'

run lt-baseline set <"$T/plain.ndjson"
expect_rc 0
expect_out "^baseline \(unversioned\) of plain \(default\) is run "
run lt-baseline list
expect_out "^plain +default +- +"

# Overrides.
shop2=$(jget run_start run_id "$T/shop2.ndjson")
run lt-store "$T/shop2.ndjson"
run lt-baseline set --run "$shop2" --env prod --version 2.4.1
expect_rc 0
expect_out "^baseline 2\.4\.1 of shop \(prod\) is run $shop2$"
run lt-baseline show --scenario shop --env staging --json
expect_out '"version":"2.4.0"'

# lt-regress check finds the staging baseline by the same default (the
# one-second run is too short to judge: the verdict is inconclusive, but
# its environment and baseline are the ones the options name).
run lt-regress check --run "$shop2"
expect_rc 0
[ "$(jget verdict environment "$T/out")" = staging ] || fail "environment: $(jget verdict environment "$T/out")"
[ "$(jget verdict baseline_version "$T/out")" = 2.4.0 ] || fail "baseline_version: $(jget verdict baseline_version "$T/out")"
run lt-regress check --run "$shop2" --env prod
expect_rc 0
[ "$(jget verdict baseline_version "$T/out")" = 2.4.1 ] || fail "--env prod: baseline_version $(jget verdict baseline_version "$T/out")"
