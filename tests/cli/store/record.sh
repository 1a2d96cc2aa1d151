# Recording a run prints one line, is idempotent, and the run can be listed,
# shown by prefix and exported back to the same records.
run lt-store "$SRC/tests/data/run-small.ndjson"
expect_rc 0
expect_out '^recorded run 6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b \(api-health-check, complete, 8 samples\)$'
expect_out_lines 1

run lt-store < "$SRC/tests/data/run-small.ndjson"
expect_rc 0
expect_out '^already recorded run 6b1f7a52'

run lt-store list
expect_rc 0
expect_out '^RUN +SCENARIO'
expect_out '^6b1f7a52-3c4 +api-health-check .* complete +130 +0\.77% +39\.63 +32\.5 pass$'

run lt-store list --json --scenario api-health-check
expect_rc 0
expect_out '"run_id":"6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b"'
run lt-store list --json --scenario no-such-scenario
expect_rc 0
expect_no_out

run lt-store show 6b1f7a
expect_rc 0
expect_out '^status +complete$'
expect_out 'requests 130, errors 1 \(0\.77 %\)'
expect_out '^  responseTime\.p95 +< +500 +value +39\.631 +ok$'

run lt-store show --json 6b1f7a
expect_rc 0
expect_out '^\{"type":"summary","v":1,'

# The export is a stream lt-store reads back as the same run.
run lt-store export 6b1f7a52
expect_rc 0
expect_out_lines 10
cp "$T/out" "$T/exported.ndjson"
run lt-store "$T/exported.ndjson"
expect_rc 0
expect_out '^already recorded run 6b1f7a52'
# Records survive the trip: same samples, same summary.
grep '"type":"summary"' "$SRC/tests/data/run-small.ndjson" > "$T/a"
grep '"type":"summary"' "$T/exported.ndjson" > "$T/b"
cmp -s "$T/a" "$T/b" || fail "the exported summary differs from the recorded one"

run lt-store export --format csv 6b1f7a52
expect_rc 0
expect_out '^t,phase,users,requests,errors,rps,dropped,min_ms,'
expect_out '^1,warmup,5,19,0,19,0,9\.41,'
expect_out_lines 9
