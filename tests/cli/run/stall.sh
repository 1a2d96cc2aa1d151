# Coordinated omission: a 1 s stall of the server in the middle of an
# open-model run shows in the percentiles.  The requests due during the stall
# are sent on time and wait for its end, and their latency counts from their
# intended start: a third of the run's requests wait 0 to 1000 ms, so p99
# is well above 500 ms (a generator that waited for answers before sending
# would report a few slow requests and a fast p99).
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/s.json" <<JSON
{"id": "stall", "name": "stall",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
  "arrival": {"rate": 100, "maxUsers": 500}, "duration": {"total": 3}}}
JSON
background lt-run -q "$T/s.json" >"$T/out" 2>"$T/err"
pid=$bg
sleep 1.5
stall=$(curl -sS --max-time 5 -X POST "$base/_control/stall?ms=1000")
[ "$stall" = '{"status":"ok","stall_ms":1000}' ] || fail "lt-target did not stall: $stall"
wait "$pid"
rc=$?
expect_rc 0
p99=$(jget summary latency_ms.p99 "$T/out")
p90=$(jget summary latency_ms.p90 "$T/out")
max=$(jget summary latency_ms.max "$T/out")
p50=$(jget summary latency_ms.p50 "$T/out")
holds "$p99 >= 500" || fail "p99 $p99 ms after a 1 s stall"
holds "$max >= 800 && $max < 1500" || fail "max $max ms after a 1 s stall"
# A third of the requests stalled: p90 is in the stall too, p50 is not.
holds "$p90 >= 100" || fail "p90 $p90 ms after a 1 s stall"
holds "$p50 < 100" || fail "p50 $p50 ms: more than the stalled third was slow"
[ "$(jget summary dropped "$T/out")" = 0 ] || fail "arrivals dropped with 500 users for 100 stalled requests"
requests=$(jget summary requests "$T/out")
holds "$requests >= 297 && $requests <= 303" || fail "$requests requests at 100/s for 3 s"
