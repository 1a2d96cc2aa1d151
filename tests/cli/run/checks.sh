# Validation: a response that fails a check counts as an error, under the
# check's name in the summary's "checks" ({endpoint, check, failed}) and as
# errors_by_kind.check; a response that passes every check is no error.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/s.json" <<JSON
{"id": "checks", "name": "checks",
 "config": {"baseUrl": "$base",
  "endpoints": [
   {"name": "status", "path": "/health", "validation": {"statusCode": [201, 204]}},
   {"name": "default-status", "path": "/status/503"},
   {"name": "contains", "path": "/health", "validation": {"bodyContains": ["status", "nope"]}},
   {"name": "not-contains", "path": "/health", "validation": {"bodyNotContains": "ok"}},
   {"name": "regex", "path": "/health", "validation": {"bodyRegex": "^\\\\{\"status\":\"err"}},
   {"name": "slow", "path": "/health?delay_ms=30", "validation": {"maxResponseTime": 10}},
   {"name": "json", "path": "/json", "validation": {"json": [{"path": "user.id", "equals": 42},
      {"path": "user.name", "equals": "bob"}]}},
   {"name": "health", "path": "/health", "validation": {"statusCode": 200,
      "bodyContains": "ok", "bodyNotContains": "error", "bodyRegex": "^\\\\{\"status\":\"ok\"\\\\}$",
      "maxResponseTime": 5000}},
   {"name": "json-ok", "path": "/json", "validation": {"json": [{"path": "user.id", "equals": 42},
      {"path": "items[-1]", "equals": 3}, {"path": "\$.user.name", "equals": "ada"},
      {"path": "missing", "exists": false}]}}],
  "users": {"concurrent": 9, "thinkTime": {"min": 5, "max": 5}},
  "duration": {"total": 2}}}
JSON
run lt-run -q "$T/s.json"
expect_rc 0
jitems summary endpoints "$T/out" >"$T/endpoints"
jitems summary checks "$T/out" >"$T/checks"
requests_of() { grep "^{\"name\":\"$1\"," "$T/endpoints" | jfield requests; }
errors_of() { grep "^{\"name\":\"$1\"," "$T/endpoints" | jfield errors; }
all_errors=0
for spec in status:statusCode default-status:statusCode contains:bodyContains \
	not-contains:bodyNotContains regex:bodyRegex slow:maxResponseTime json:json; do
	name=${spec%%:*} check=${spec#*:}
	n=$(requests_of "$name")
	[ "${n:-0}" -gt 0 ] || { check_fail "$name" "no requests"; continue; }
	failed=$(grep -F "{\"endpoint\":\"$name\",\"check\":\"$check\"," "$T/checks" | jfield failed)
	if [ "$(errors_of "$name")" != "$n" ]; then
		check_fail "$name" "$(errors_of "$name") errors of $n requests"
	elif [ "$failed" != "$n" ]; then
		check_fail "$name" "checks: $(grep -F "\"$name\"" "$T/checks"), expected $check failed $n times"
	else
		check_ok "$name: $n failed $check"
	fi
	all_errors=$((all_errors + n))
done
for name in health json-ok; do
	n=$(requests_of "$name")
	if [ "${n:-0}" -gt 0 ] && [ "$(errors_of "$name")" = 0 ] && ! grep -qF "\"$name\"" "$T/checks"; then
		check_ok "$name: $n passed"
	else
		check_fail "$name" "$(grep "\"$name\"" "$T/endpoints" "$T/checks")"
	fi
done
[ "$(jget summary errors "$T/out")" = "$all_errors" ] ||
	check_fail "summary errors" "$(jget summary errors "$T/out"), expected $all_errors"
[ "$(jget summary errors_by_kind.check "$T/out")" = "$all_errors" ] ||
	check_fail "errors_by_kind" "$(jget summary errors_by_kind "$T/out"), expected check: $all_errors"
