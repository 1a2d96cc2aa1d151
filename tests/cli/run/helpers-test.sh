# The helpers of helpers.sh the other cases rely on: the awk JSON reader
# against the known figures of tests/data/run-small.ndjson, and lt-target's
# start, count and reset.
. "$SRC/tests/cli/run/helpers.sh"
small="$SRC/tests/data/run-small.ndjson"
[ "$(jsum sample requests "$small")" = 226 ] || fail "jsum sample requests: $(jsum sample requests "$small")"
[ "$(jget summary requests "$small")" = 130 ] || fail "jget summary requests"
[ "$(jget summary latency_ms.p99 "$small")" = 149.823 ] || fail "jget summary latency_ms.p99"
[ "$(jget summary users.peak "$small")" = 10 ] || fail "jget summary users.peak"
[ "$(jget summary passed "$small")" = true ] || fail "jget summary passed: $(jget summary passed "$small")"
[ "$(jget run_start scenario_name "$small")" = "API Health Check" ] || fail "jget run_start scenario_name"
[ "$(jget run_start config.config.duration.total "$small")" = 8 ] || fail "jget nested"
[ "$(jget sample phase "$small" | tr '\n' ' ')" = "warmup warmup steady steady steady steady cooldown cooldown " ] ||
	fail "jget sample phase: $(jget sample phase "$small")"
[ -z "$(jget summary nothing "$small")" ] || fail "jget of a missing member"
[ "$(jitems summary endpoints "$small" | jfield name | tr '\n' ,)" = "GET /health,GET /api/status," ] ||
	fail "jitems summary endpoints: $(jitems summary endpoints "$small")"
[ "$(jitems summary endpoints "$small" | jfield requests | tr '\n' ,)" = "94,36," ] ||
	fail "jitems | jfield requests"
[ "$(echo '{"a":[1,[2,3],{"b":"x,]"}]}' | jfield a | sed 's/^/{"type":"t","a":/; s/$/}/' >"$T/a.json"; jitems t a "$T/a.json" | tr '\n' ' ')" = '1 [2,3] {"b":"x,]"} ' ] ||
	fail "jitems of a mixed array: $(jitems t a "$T/a.json")"
[ -z "$(echo '{"type":"t","a":[]}' >"$T/b.json"; jitems t a "$T/b.json")" ] || fail "jitems of []"
holds "1.5 >= 1.25" && ! holds "1 > 2" || fail "holds"
start_target
[ "$(target_requests)" = 0 ] || fail "a new target counted requests"
curl -sS --max-time 10 -o /dev/null "$base/health"
[ "$(target_requests)" = 1 ] || fail "target_requests after one request: $(target_requests)"
target_reset
[ "$(target_requests)" = 0 ] || fail "target_requests after a reset: $(target_requests)"
