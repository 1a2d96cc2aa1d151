# The alerts a check stores: lt-regress alerts lists them (newest first,
# by scenario, --unacked, --limit), ack takes a full id or a unique prefix
# with a note and who acknowledged, and an acknowledged alert leaves the
# --unacked list.
. "$SRC/tests/cli/run/helpers.sh"
start_target
scenario() { # FILE DELAY_MS
	cat >"$T/$1" <<JSON
{"id": "orders", "name": "orders",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health?delay_ms=$2"}],
  "users": {"concurrent": 4}, "duration": {"total": 5}}}
JSON
}
scenario fast.json 5
scenario slow.json 25
background lt-run -q "$T/fast.json" >"$T/fast.ndjson" 2>"$T/fast.err"; pid_fast=$bg
background lt-run -q "$T/slow.json" >"$T/slow.ndjson" 2>"$T/slow.err"; pid_slow=$bg
wait "$pid_fast" || fail "lt-run fast: $(cat "$T/fast.err")"
wait "$pid_slow" || fail "lt-run slow: $(cat "$T/slow.err")"

run lt-regress alerts
expect_rc 2
expect_err "no such database"

run lt-baseline set <"$T/fast.ndjson"
expect_rc 0
run lt-regress alerts
expect_rc 0
expect_out_lines 1
expect_out "^ALERT +SEVERITY +SCENARIO +METRIC +CREATED +MESSAGE$"

run lt-regress check <"$T/slow.ndjson"
expect_rc 1
nal=$(jget verdict alerts "$T/out")
holds "$nal >= 2" || fail "expected several alerts, got $nal"
grep '"type":"alert"' "$T/out" | jfield alert_id >"$T/ids"

run lt-regress alerts --json
expect_rc 0
expect_out_lines "$nal"
for id in $(cat "$T/ids"); do
	grep -q "\"alert_id\":\"$id\"" "$T/out" || fail "alert $id is not listed"
done
expect_out '"acknowledged":0'
run lt-regress alerts
expect_out_lines $((nal + 1))
expect_out "^[0-9a-f]{8} +critical +orders +responseTime\.mean +20[0-9-]+T[0-9:]+ +responseTime\.mean rose "
run lt-regress alerts --scenario orders --json
expect_out_lines "$nal"
run lt-regress alerts --scenario other --json
expect_rc 0
expect_no_out
run lt-regress alerts --limit 1 --json
expect_out_lines 1
run lt-regress alerts -n 0 --json
expect_out_lines "$nal"

# ack by a unique prefix, with a note and a name.
first=$(head -n 1 "$T/ids")
prefix=$(echo "$first" | cut -c1-8)
run lt-regress ack --note "expected: the cache was cold" --by ci "$prefix"
expect_rc 0
expect_out "^acknowledged alert $first$"
run lt-regress alerts --json
grep "\"alert_id\":\"$first\"" "$T/out" >"$T/acked"
grep -q '"acknowledged":1' "$T/acked" || fail "not acknowledged: $(cat "$T/acked")"
grep -q '"acknowledged_by":"ci"' "$T/acked" || fail "acknowledged_by: $(cat "$T/acked")"
grep -q '"comment":"expected: the cache was cold"' "$T/acked" || fail "comment: $(cat "$T/acked")"
grep -q '"acknowledged_at":"20' "$T/acked" || fail "acknowledged_at: $(cat "$T/acked")"
run lt-regress alerts
expect_out "^$prefix .*\(acknowledged\)$"
run lt-regress alerts --unacked --json
expect_out_lines $((nal - 1))
grep -q "\"alert_id\":\"$first\"" "$T/out" && fail "an acknowledged alert is listed by --unacked"

# Acknowledging again is harmless; a full id works; $USER is the default.
run lt-regress ack "$first"
expect_rc 0
second=$(sed -n 2p "$T/ids")
USER=tester lt-regress ack "$second" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0
run lt-regress alerts --json
grep "\"alert_id\":\"$second\"" "$T/out" | grep -q '"acknowledged_by":"tester"' || fail "ack by \$USER"
run lt-regress alerts --unacked --json
expect_out_lines $((nal - 2))

# Unknown and ambiguous ids, bad usage.
run lt-regress ack ffffffffffff
expect_rc 2
expect_err "no alert ffffffffffff"
run lt-regress ack ""
expect_rc 2
run lt-regress ack
expect_rc 2
expect_err "expected one alert id"
run lt-regress ack "$first" "$second"
expect_rc 2
run lt-regress alerts --limit -1
expect_rc 2
expect_err "--limit: expected a whole number >= 0"
run lt-regress alerts extra
expect_rc 2
expect_err "unexpected argument 'extra'"
run lt-regress alerts --unacked --json
expect_out_lines $((nal - 2))
