# Checking a run with nothing to compare it with is bad input (exit 2)
# with a message that names the scenario and environment and says how to
# set a baseline -- never a pass.  The run itself is recorded all the same,
# so nothing measured is lost.
small="$SRC/tests/data/run-small.ndjson"
id=6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b

run lt-regress check <"$small"
expect_rc 2
expect_no_out
expect_err "^lt-regress: no baseline for scenario api-health-check in environment default: set one with lt-baseline set$"
run lt-store list --json
expect_out "\"run_id\":\"$id\""

# A run of another scenario: the baseline of api-health-check is no
# baseline for it.
run lt-baseline set --run 6b1f
expect_rc 0
sed "s/$id/0a0a0a0a-0000-4000-8000-000000000001/; s/api-health-check/checkout-flow/g" \
	"$small" >"$T/other.ndjson"
run lt-regress check <"$T/other.ndjson"
expect_rc 2
expect_no_out
expect_err "no baseline for scenario checkout-flow in environment default"
run lt-regress check --run 0a0a0a0a
expect_rc 2
expect_err "no baseline for scenario checkout-flow"

# The right scenario in another environment.
run lt-regress check --run 6b1f --env staging
expect_rc 2
expect_err "no baseline for scenario api-health-check in environment staging"

# No run at all.
run lt-regress check </dev/null
expect_rc 2
expect_err "no run to check"
run lt-regress check --run ffffffff
expect_rc 2
expect_err "no run 'ffffffff'"

# None of these stored a verdict or an alert.
run lt-regress alerts --json
expect_rc 0
expect_no_out
