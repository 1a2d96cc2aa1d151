# Open model: the achieved rate is the target rate, within 2 % over the run
# and 5 % in each second, and the server saw it too.  (Exact arrival counts:
# arrivals.sh.)
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/s.json" <<JSON
{"id": "open-rate", "name": "open rate",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
  "users": {"concurrent": 1}, "duration": {"total": 60}}}
JSON
run lt-run -q --rate 200 --duration 3 "$T/s.json"
expect_rc 0
expect_out '"type":"run_start".*"arrival":\{"rate":200,'
requests=$(jget summary requests "$T/out")
duration=$(jget summary duration_s "$T/out")
avg=$(jget summary throughput.avg "$T/out")
holds "$requests / $duration >= 196 && $requests / $duration <= 204" ||
	fail "$requests requests in $duration s at --rate 200"
holds "$avg >= 196 && $avg <= 204" || fail "throughput.avg $avg at --rate 200"
bad=$(awk "$JSON_AWK"'record("sample") { r = jpath($0, "rps") + 0; if (r < 190 || r > 210) printf " t=%s: %s/s", jpath($0, "t"), r }' "$T/out")
[ -z "$bad" ] || fail "seconds off the rate:$bad"
served=$(target_requests)
holds "$served >= 588 && $served <= 612" || fail "the server counted $served requests in 3 s at 200/s"
[ "$(jget summary dropped "$T/out")" = 0 ] || fail "arrivals dropped at 200/s"
