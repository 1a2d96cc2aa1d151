# A run too short to judge (tests/data/run-small.ndjson cut to 2 steady
# seconds; the model wants 3) gets the verdict 'inconclusive' with its
# reason and exit 0 -- never a false pass or a false alarm, even with
# --fail-on warning and thresholds that would flag any change.
. "$SRC/tests/cli/run/helpers.sh"
small="$SRC/tests/data/run-small.ndjson"
id=6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b

run lt-baseline set <"$small"
expect_rc 0
# The same run again under another id, its latencies doubled: a change
# no threshold would let pass, but too little evidence to judge.
sed "s/$id/0b0b0b0b-0000-4000-8000-000000000002/" "$small" |
	awk '/"type":"summary"/ { sub(/"mean":26.198/, "\"mean\":52.396"); sub(/"p95":39.631/, "\"p95\":79.262") }
	     /"t":5,"phase":"steady"/ || /"t":6,"phase":"steady"/ { next } 1' \
	>"$T/again.ndjson"
cat >"$T/strict.json" <<'JSON'
{"responseTime.mean": {"warning": 1, "critical": 2},
 "responseTime.p95": {"warning": 1, "critical": 2, "method": "absolute"}}
JSON
run lt-regress check --fail-on warning --thresholds "$T/strict.json" <"$T/again.ndjson"
expect_rc 0
expect_out_lines 1
[ "$(jget verdict status "$T/out")" = inconclusive ] || fail "status: $(jget verdict status "$T/out")"
expect_out '"reason":"the baseline run is too short to judge"|"reason":"the run is too short to judge'
[ "$(jget verdict alerts "$T/out")" = 0 ] || fail "alerts: $(jget verdict alerts "$T/out")"
# Every metric is inconclusive, with the change still reported.
jitems verdict metrics "$T/out" | jfield status | sort -u >"$T/statuses"
[ "$(cat "$T/statuses")" = inconclusive ] || fail "metric statuses: $(cat "$T/statuses")"
jitems verdict metrics "$T/out" | awk '/"metric":"responseTime.p95"/' | jfield change_pct >"$T/p95"
[ "$(cat "$T/p95")" = 100 ] || fail "p95 change_pct: $(cat "$T/p95")"

run lt-regress alerts --json
expect_no_out
