# Bad input is an answer, never a crash: malformed JSON, a body over the
# limit, unknown routes and methods, unknown scenarios, a run while one
# runs, a stop with nothing running, a form post.  The server still
# answers /health after all of it.
. "$SRC/tests/cli/serve/helpers.sh"
start_target
start_serve --max-body 4096
A=/api/load-testing

check() { # NAME EXPECTED-CODE EXPECTED-ERROR
	if [ "$code" = "$2" ] && [ "$(field error)" = "$3" ] && [ -n "$(field detail)" ]; then
		check_ok "$1"
	else
		check_fail "$1" "got $code $(head -c 200 "$T/body")"
	fi
}

http POST $A/scenarios '{"id": "x", "config": '
check "truncated JSON" 400 invalid_json
field detail | grep -q '^body:1:' || check_fail "JSON error position" "$(field detail)"
http POST $A/run '{"scenarioId": "a"} trailing'
check "text after JSON" 400 invalid_json
http POST $A/run '[{"scenarioId": "a"}]'
check "array for an object" 400 invalid_request
http POST $A/run '{"scenarioId": "a/../b"}'
check "bad scenario id" 400 invalid_request
http POST $A/run '{"scenarioId": "nosuch"}'
check "unknown scenario (run)" 404 not_found
http GET $A/results/nosuch
check "unknown scenario (results)" 404 not_found
long=$(awk 'BEGIN { while (length(s) < 129) s = s "r"; print s }')
http POST $A/baselines "{\"scenarioId\": \"a\", \"runId\": \"$long\"}"
check "a run id over 128 bytes" 400 invalid_request
http POST $A/baselines '{"scenarioId": "a", "runId": "tab\there"}'
check "a run id with a control character" 400 invalid_request
http GET $A/scenarios/nosuch
check "unknown scenario (get)" 404 not_found
http GET $A/regression-report/nosuch
check "unknown scenario (report)" 404 not_found
http POST $A/scenarios '{"id": "s", "name": "s", "config": {"baseUrl": "ftp://x", "endpoints": [], "duration": {"total": 1}}}'
check "invalid scenario" 400 invalid_request
http GET /nope
check "unknown route" 404 not_found
http GET $A/scenarios/a/b
check "unknown nested route" 404 not_found
http PATCH $A/scenarios '{}'
check "unknown method" 405 method_not_allowed
grep -qi '^Allow: GET, HEAD, POST' "$T/headers" || check_fail "Allow header" "$(cat "$T/headers")"
http DELETE $A/run
check "DELETE /run" 405 method_not_allowed
http POST $A/stop '{}'
check "stop with nothing running" 409 conflict
http GET $A/results/api-health-check?limit=100000
check "limit out of range" 400 invalid_request

# Too large: declared, or sent without announcing (chunked).
head -c 10000 /dev/zero | tr '\0' ' ' >"$T/big"
code=$(curl -sS --max-time 20 -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary @"$T/big" "$api$A/scenarios")
check "body over --max-body" 413 payload_too_large
code=$(curl -sS --max-time 20 -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' \
	-H 'Transfer-Encoding: chunked' --data-binary @"$T/big" "$api$A/scenarios")
check "chunked body over --max-body" 413 payload_too_large
head -c 3000000 /dev/zero >"$T/huge"
code=$(curl -sS --max-time 20 -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary @"$T/huge" "$api$A/scenarios")
check "3 MB body" 413 payload_too_large
code=$(curl -sS --max-time 20 -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/x-www-form-urlencoded' \
	--data 'scenarioId=x' "$api$A/run")
check "form post" 415 unsupported_media_type

# A run while one runs; the scenario's seconds bounded by the test.
http POST $A/scenarios "$(quickstart_scenario 30)"
[ "$code" = 201 ] || fail "store: $code"
http POST $A/run '{"scenarioId": "api-health-check"}'
[ "$code" = 202 ] || fail "run: $code"
http POST $A/run '{"scenarioId": "api-health-check"}'
check "a second run" 409 conflict
field detail | grep -q 'is in progress' || check_fail "conflict detail" "$(field detail)"
http POST $A/benchmarks/run '{"suites": "reports"}'
check "benchmarks during a run" 409 conflict
http POST $A/stop '{"runId": "ffffffff"}'
check "stop an unknown run" 404 not_found
http POST $A/stop '{}'
[ "$code" = 200 ] && check_ok "stop" || check_fail "stop" "$code"
wait_idle 15
http GET /health
[ "$code" = 200 ] && [ "$(field status)" = ok ] && check_ok "alive" || check_fail "alive" "$code"
