# Notifications never change a verdict: an unreachable webhook (a closed
# port of 127.0.0.1) leaves the output and the exit status as they are and
# says so on stderr, within the notify module's bounded retries; a
# reachable one gets one JSON POST per check, whether named by --notify
# or by the thresholds document; a malformed target is bad usage.
. "$SRC/tests/cli/run/helpers.sh"
start_target
# A port that was just free: start a second target and stop it.
rm -f "$T/port2"
background lt-target --port-file "$T/port2" --max-seconds 30 >/dev/null 2>&1
i=0
while [ ! -s "$T/port2" ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
closed=$(cat "$T/port2")
kill "$bg"
wait "$bg"
[ -n "$closed" ] || fail "no port to close"

scenario() { # FILE DELAY_MS
	cat >"$T/$1" <<JSON
{"id": "hooked", "name": "hooked",
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
slow=$(jget run_start run_id "$T/slow.ndjson")
run lt-baseline set <"$T/fast.ndjson"
expect_rc 0

# Without notifications: the reference verdict.
run lt-regress check <"$T/slow.ndjson"
expect_rc 1
[ "$(jget verdict status "$T/out")" = critical ] || fail "status: $(jget verdict status "$T/out")"
[ ! -s "$T/err" ] || fail "stderr without notifications: $(cat "$T/err")"
alerts=$(jget verdict alerts "$T/out")

# Unreachable: same verdict, same exit status, a warning naming the target.
started=$(date +%s)
run lt-regress check --run "$slow" --notify "webhook:http://127.0.0.1:$closed/x"
took=$(( $(date +%s) - started ))
expect_rc 1
[ "$(jget verdict status "$T/out")" = critical ] || fail "status with a dead webhook: $(jget verdict status "$T/out")"
[ "$(jget verdict alerts "$T/out")" = "$alerts" ] || fail "alerts with a dead webhook"
expect_err "^lt-regress: notify: webhook:http://127\.0\.0\.1:$closed/x: .*\(the verdict stands\)$"
[ "$took" -le 20 ] || fail "a dead webhook held the check for $took s"
# ... also when the verdict passes with --fail-on critical for a warning.
cat >"$T/lenient.json" <<JSON
{"responseTime.mean": {"warning": 10, "critical": 100000},
 "responseTime.p50": {"warning": 10, "critical": 100000},
 "responseTime.p90": {"warning": 10, "critical": 100000},
 "responseTime.p95": {"warning": 10, "critical": 100000},
 "responseTime.p99": {"warning": 10, "critical": 100000},
 "throughput.avg": {"warning": 10, "critical": 100000},
 "notify": ["webhook:http://127.0.0.1:$closed/from-thresholds"]}
JSON
run lt-regress check --run "$slow" --thresholds "$T/lenient.json"
expect_rc 0
[ "$(jget verdict status "$T/out")" = warning ] || fail "status: $(jget verdict status "$T/out")"
expect_err "notify: webhook:http://127\.0\.0\.1:$closed/from-thresholds: .*\(the verdict stands\)"

# Reachable: lt-target counts the POST.
target_reset
run lt-regress check --run "$slow" --notify "webhook:$base/api/hook" --notify console
expect_rc 1
[ "$(jget verdict status "$T/out")" = critical ] || fail "status with a live webhook"
expect_err "hooked"
curl -sS --max-time 10 "$base/_control/stats" >"$T/stats"
grep -q '"/api/hook":1[,}]' "$T/stats" || fail "the webhook was not posted once: $(cat "$T/stats")"
sed "s|$closed/from-thresholds|${base#http://127.0.0.1:}/api/from-thresholds|" "$T/lenient.json" >"$T/live.json"
run lt-regress check --run "$slow" --thresholds "$T/live.json"
expect_rc 0
curl -sS --max-time 10 "$base/_control/stats" >"$T/stats"
grep -q '"/api/from-thresholds":1[,}]' "$T/stats" || fail "the thresholds' webhook was not posted: $(cat "$T/stats")"

# Malformed targets are refused before anything is read or written.
run lt-regress check --run "$slow" --notify pager:123
expect_rc 2
expect_no_out
expect_err "unknown kind \"pager\""
run lt-regress check --run "$slow" --notify webhook:ftp://127.0.0.1/x
expect_rc 2
expect_err "http:// or https://"
