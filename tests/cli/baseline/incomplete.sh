# Only a complete run can be a baseline: a run stopped by SIGINT
# (interrupted) or a stream cut off before its summary (incomplete) is
# recorded -- nothing measured is lost -- but refused as the baseline with
# exit 2 and a message that says why, and no baseline is stored.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/s.json" <<JSON
{"id": "cut", "name": "cut",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health?delay_ms=5"}],
  "users": {"concurrent": 2}, "duration": {"total": 30}}}
JSON

# Interrupted: SIGINT after the first samples.
background lt-run -q "$T/s.json" >"$T/int.ndjson" 2>"$T/int.err"
i=0
while [ "$(grep -c '"type":"sample"' "$T/int.ndjson")" -lt 2 ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -INT "$bg"
wait "$bg"
lrc=$?
[ "$lrc" = 130 ] || fail "lt-run after SIGINT: exit $lrc, expected 130: $(cat "$T/int.err")"
grep -q '"interrupted":true' "$T/int.ndjson" || fail "the summary does not say interrupted"
int_id=$(jget run_start run_id "$T/int.ndjson")

run lt-baseline set --version 1.0 <"$T/int.ndjson"
expect_rc 2
expect_no_out
expect_err "^lt-baseline: run $int_id is interrupted: only a complete run can be a baseline$"
run lt-baseline set --run "$int_id"
expect_rc 2
expect_err "is interrupted: only a complete run can be a baseline"

# Incomplete: the stream ends before the summary (the generator was
# killed), through a pipe as in a live pipeline.
background lt-run -q --duration 2 "$T/s.json" >"$T/full.ndjson" 2>"$T/full.err"
wait "$bg" || fail "lt-run: $(cat "$T/full.err")"
cut_id=$(jget run_start run_id "$T/full.ndjson")
grep -v '"type":"summary"' "$T/full.ndjson" | lt-baseline set >"$T/out" 2>"$T/err"
rc=$?
expect_rc 2
expect_err "^lt-baseline: run $cut_id is incomplete: only a complete run can be a baseline$"

# Both runs are kept for what they are; neither is a baseline.
run lt-store list --json
expect_out "\"run_id\":\"$int_id\".*\"status\":\"interrupted\""
expect_out "\"run_id\":\"$cut_id\".*\"status\":\"incomplete\""
run lt-baseline list --json
expect_rc 0
expect_no_out

# Checked against a good baseline, an interrupted run is inconclusive,
# never a verdict.
run lt-baseline set <"$T/full.ndjson"
expect_rc 0
expect_out "is run $cut_id$"
run lt-regress check --run "$int_id"
expect_rc 0
[ "$(jget verdict status "$T/out")" = inconclusive ] || fail "status: $(jget verdict status "$T/out")"
expect_out '"reason":"the run is not complete \(interrupted or cut off\)"'
