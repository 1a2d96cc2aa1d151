# helpers.sh -- what the lt-serve cases of tests/cli/serve share.
#
# A case sources it with  . "$SRC/tests/cli/serve/helpers.sh"  and gets, on
# top of tests/cli/run/helpers.sh (start_target, $base, background, jfield,
# holds ...):
#   start_serve [OPT...]    lt-serve on a free port of 127.0.0.1 with the
#                           case's database ($LT_DB), -q; $sport its port,
#                           $api its URL; killed when the case exits
#   stop_serve              SIGTERM it and wait; $serve_rc its exit status
#   http METHOD PATH [BODY] [CURL-ARG...]
#                           one request to lt-serve: $code the status, the
#                           body in $T/body, the headers in $T/headers
#   expect_code N           fail unless $code is N (showing the body)
#   field PATH              the value at PATH (a.b.c) of the last body,
#                           strings unquoted
#   items PATH              the elements of the array at PATH, one a line
#   key PATH KEY            the member KEY (a name that may hold dots, like
#                           responseTime.p95) of the object at PATH
#   quickstart_scenario S   examples/api-health-check.json (the seed's Quick
#                           Start scenario) against lt-target, S seconds long
#   wait_idle [SECONDS]     poll GET /status until no run is running
# The harness does not run this file as a case.

. "$SRC/tests/cli/run/helpers.sh"

start_serve() {
	rm -f "$T/serve.port"
	background lt-serve --listen 127.0.0.1:0 --port-file "$T/serve.port" -q "$@" \
		>"$T/serve.out" 2>"$T/serve.err"
	serve_pid=$bg
	i=0
	while [ ! -s "$T/serve.port" ] && [ "$i" -lt "$(slow 100)" ]; do
		kill -0 "$serve_pid" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	[ -s "$T/serve.port" ] || fail "lt-serve did not start: $(cat "$T/serve.err")"
	sport=$(cat "$T/serve.port")
	api="http://127.0.0.1:$sport"
}

stop_serve() {
	kill -TERM "$serve_pid" 2>/dev/null
	wait "$serve_pid"
	serve_rc=$?
}

http() {
	method=$1 path=$2
	shift 2
	if [ $# -gt 0 ]; then
		body=$1
		shift
		code=$(curl -sS --max-time 20 -o "$T/body" -D "$T/headers" -w '%{http_code}' \
			-X "$method" -H 'Content-Type: application/json' --data-binary "$body" \
			"$@" "$api$path") || code=000
	else
		code=$(curl -sS --max-time 20 -o "$T/body" -D "$T/headers" -w '%{http_code}' \
			-X "$method" "$api$path") || code=000
	fi
}

expect_code() {
	[ "$code" = "$1" ] || {
		echo "  $method $path: expected $1, got $code: $(head -c 600 "$T/body")" >&2
		exit 1
	}
}

field() {
	jfield "$1" <"$T/body"
}

items() {
	awk -v path="$1" "$JSON_AWK"'{ n = jsplit(jpath($0, path), e); for (i = 1; i <= n; i++) print e[i] }' \
		"$T/body"
}

key() {
	awk -v path="$1" -v k="$2" "$JSON_AWK"'{ v = jmember(jpath($0, path), k)
		if (v ~ /^".*"$/) v = substr(v, 2, length(v) - 2); print v }' "$T/body"
}

quickstart_scenario() {
	seconds=$1
	sed -e "s|\"baseUrl\": \"http://127.0.0.1:3000\"|\"baseUrl\": \"$base\"|" \
	    -e "s|\"total\": 60, \"warmup\": 10, \"cooldown\": 5|\"total\": $seconds, \"warmup\": 1, \"cooldown\": 1|" \
	    -e 's|"rampUp": { "duration": 10,|"rampUp": { "duration": 1,|' \
	    -e 's|"rampDown": { "duration": 5,|"rampDown": { "duration": 1,|' \
	    "$SRC/examples/api-health-check.json" >"$T/quickstart.json"
	grep -q "\"baseUrl\": \"$base\"" "$T/quickstart.json" &&
		grep -q "\"total\": $seconds, \"warmup\": 1" "$T/quickstart.json" ||
		fail "examples/api-health-check.json changed shape: update quickstart_scenario"
	cat "$T/quickstart.json"
}

wait_idle() {
	limit=$(slow $(( ${1:-60} * 5 )))
	i=0
	while [ "$i" -lt "$limit" ]; do
		http GET /api/load-testing/status
		[ "$(field status)" = idle ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	fail "a run was still running after ${1:-60} s"
}
