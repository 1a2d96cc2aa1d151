# Thresholds drive the exit status: 0 when all hold, 1 when one is crossed,
# each judged in the summary's "thresholds" with its value; a --threshold
# replaces the scenario's threshold on the same metric.  The runs go side by
# side, a second each.
. "$SRC/tests/cli/run/helpers.sh"
start_target
scenario() { # NAME PATH THRESHOLDS
	cat >"$T/$1.json" <<JSON
{"id": "$1", "name": "$1",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "$2"}],
  "users": {"concurrent": 2, "thinkTime": {"min": 5, "max": 5}},
  "duration": {"total": 1}, "thresholds": $3}}
JSON
}
scenario pass /health '["p95<1000", "errorRate<1", "throughput>10"]'
scenario p95 /health '["errorRate<1"]'
scenario errors '/health?fail_pct=50' '[]'
scenario replaced /health '["p95<0.001", "errorRate<1"]'
scenario throughput /health '{"throughput": {"min": 1000000}}'
background lt-run -q "$T/pass.json" >"$T/pass.out" 2>"$T/pass.err"; pid_pass=$bg
background lt-run -q --threshold 'p95<0.001' "$T/p95.json" >"$T/p95.out" 2>"$T/p95.err"; pid_p95=$bg
background lt-run -q --threshold errorRate\<1 "$T/errors.json" >"$T/errors.out" 2>"$T/errors.err"; pid_errors=$bg
background lt-run -q -T 'p95 < 5s' "$T/replaced.json" >"$T/replaced.out" 2>"$T/replaced.err"; pid_replaced=$bg
background lt-run -q "$T/throughput.json" >"$T/throughput.out" 2>"$T/throughput.err"; pid_throughput=$bg

# verdict NAME RC PASSED ERE [NOT-ERE]: the exit status, "passed" and the
# summary's list of thresholds (matching ERE, and not NOT-ERE).
verdict() {
	eval "wait \$pid_$1"
	rc=$?
	passed=$(jget summary passed "$T/$1.out")
	list=$(jget summary thresholds "$T/$1.out")
	if [ "$rc" != "$2" ]; then
		check_fail "$1" "exit status $rc, expected $2: $(cat "$T/$1.err")"
	elif [ "$passed" != "$3" ]; then
		check_fail "$1" "\"passed\": $passed, expected $3"
	elif ! printf '%s\n' "$list" | grep -Eq -- "$4"; then
		check_fail "$1" "thresholds $list do not match $4"
	elif [ -n "$5" ] && printf '%s\n' "$list" | grep -Eq -- "$5"; then
		check_fail "$1" "thresholds $list match $5"
	else
		check_ok "$1: exit $2"
	fi
}
verdict pass 0 true '^\[\{"metric":"responseTime.p95","op":"<","limit":1000,"value":[0-9.]+,"ok":true\},\{"metric":"errorRate",.*"value":0,"ok":true\},\{"metric":"throughput.avg","op":">","limit":10,"value":[0-9.]+,"ok":true\}\]$'
verdict p95 1 false '"metric":"responseTime.p95","op":"<","limit":0.001,"value":[0-9.]+,"ok":false'
verdict errors 1 false '^\[\{"metric":"errorRate","op":"<","limit":1,"value":(49\.[5-9][0-9]*|50|50\.[0-4][0-9]*),"ok":false\}\]$'
verdict replaced 0 true '"metric":"responseTime.p95","op":"<","limit":5000,"value":[0-9.]+,"ok":true' 'limit":0.001|"ok":false'
verdict throughput 1 false '"metric":"throughput.avg","op":">=","limit":1000000,"value":[0-9.]+,"ok":false'
