# lt-serve under load and under attack.
#
# Load: lt-serve on a database with recorded runs, a baseline and alerts;
# lt-run puts at least 10,000 requests on its read API (weighted across
# runs, one run, its timeline, results of a scenario, scenarios,
# baselines, alerts, report, schedules, health, metrics, the dashboard)
# with status checks on.  Passes with 0 errors, lt-serve still answering,
# and its RSS after the load at most RSS_BOUND_MB above its RSS before
# (both measured after a warm-up, so that caches and thread stacks are
# there already): a leak of a few hundred bytes a request, over the
# 10,000 and more requests, crosses it.  Smaller leaks are LeakSanitizer's
# to find: run the case on the sanitizer build.
#
# Attack: raw bytes on fresh connections (bash /dev/tcp): an oversized
# request line, huge headers, invalid methods, truncated requests, binary
# junk, bad Content-Lengths and chunks, bad WebSocket handshakes and
# frames, slow-loris connections that never finish their headers.  After
# each, GET /health must answer 200, and whatever lt-serve answered must
# be an HTTP response (a status line), never a 500 (503 for a full house
# and 505 for HTTP/9.9 are answers).  civetweb on its own answered a
# WebSocket handshake without a key with a bare "Error 400" line (no
# status line), one to another path with a bare "Error 404", took a
# one-byte key (101), failed a long one with 500 and hung up on a 33rd
# subscriber: the handshake cases expect 400 / 426 / 403 / 503 as
# lt-serve(1) says, and 200 for /health.
#
# lt-serve is stopped with SIGTERM and must exit 0 with a clean stderr: in
# the sanitizer build (sh tests/cli/run.sh build-san ...) that is where
# AddressSanitizer and LeakSanitizer report.
. "$SRC/tests/cli/serve/helpers.sh"
command -v bash >/dev/null 2>&1 || fail "bash is needed for /dev/tcp"
command -v timeout >/dev/null 2>&1 || fail "timeout (coreutils) is needed"

# Under valgrind (make cli-check VALGRIND=1, LT_TEST_SLOWDOWN > 1)
# memcheck judges the leaks; its pace and its own memory would make the
# request count and the RSS bound measure valgrind, so they are relaxed.
min_requests=10000 check_rss=1
if [ "${LT_TEST_SLOWDOWN:-1}" != 1 ]; then
	min_requests=$(awk -v f="$LT_TEST_SLOWDOWN" 'BEGIN { printf "%d", 10000 / f }')
	check_rss=0
fi

if grep -q __asan_init "$BUILD/bin/lt-serve" 2>/dev/null; then
	sanitized=1
	# ASan keeps 256 MiB of freed memory in quarantine by default: that
	# would be counted as growth.  A small quarantine still catches
	# use-after-free of recent blocks.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8:detect_leaks=1"
	export ASAN_OPTIONS
	RSS_BOUND_MB=64
else
	sanitized=0
	RSS_BOUND_MB=16
fi

# ---- a populated database: runs, a baseline, alerts ----
start_target
scenario() { # ID DELAY_MS
	cat <<JSON
{"id": "$1", "name": "$1",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/json?delay_ms=$2", "weight": 3}, {"path": "/health"}],
  "users": {"concurrent": 4}, "duration": {"total": 3}}}
JSON
}
scenario orders 5 >"$T/fast.json"
scenario orders 25 >"$T/slow.json"
scenario catalog 2 >"$T/catalog.json"
background lt-run -q --db "$LT_DB" "$T/fast.json" >"$T/fast.ndjson" 2>"$T/fast.err"; p1=$bg
background lt-run -q "$T/slow.json" >"$T/slow.ndjson" 2>"$T/slow.err"; p2=$bg
wait "$p1" || fail "lt-run: $(cat "$T/fast.err")"
wait "$p2" || fail "lt-run: $(cat "$T/slow.err")"
run lt-run -q --db "$LT_DB" "$T/catalog.json"
expect_rc 0
base_id=$(jget run_start run_id "$T/fast.ndjson")
run lt-baseline set --run "$base_id"
expect_rc 0
run lt-regress check <"$T/slow.ndjson"
[ "$rc" = 1 ] || fail "the slow run is no regression (exit $rc)"
lt-sched add --name nightly --scenario orders --schedule '0 2 * * *' >/dev/null 2>"$T/err" ||
	fail "lt-sched add: $(cat "$T/err")"

start_serve
# A run of the server's own, for GET /status?runId=&timeline=1.
http POST /api/load-testing/run '{"scenarioId": "catalog", "options": {"duration": 2}}'
expect_code 202
api_run=$(field runId)
wait_idle 30
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$serve_pid/status"; }

# ---- the scenario: weighted endpoints across the read API ----
cat >"$T/load.json" <<JSON
{"id": "serve-load", "name": "lt-serve read API",
 "config": {"baseUrl": "$api",
  "endpoints": [
   {"path": "/health", "weight": 10, "validation": {"statusCode": [200], "bodyContains": "\"status\":\"ok\""}},
   {"path": "/api/load-testing/results", "weight": 15, "validation": {"statusCode": [200], "bodyContains": "$base_id"}},
   {"path": "/api/load-testing/results/orders?limit=5", "weight": 10, "validation": {"statusCode": [200]}},
   {"path": "/api/load-testing/status?runId=$api_run&timeline=1", "weight": 5, "validation": {"statusCode": [200], "bodyContains": "\"type\":\"sample\""}},
   {"path": "/api/load-testing/status", "weight": 5, "validation": {"statusCode": [200]}},
   {"path": "/api/load-testing/scenarios", "weight": 10, "validation": {"statusCode": [200], "bodyContains": "catalog"}},
   {"path": "/api/load-testing/scenarios/orders", "weight": 5, "validation": {"statusCode": [200]}},
   {"path": "/api/load-testing/baselines", "weight": 10, "validation": {"statusCode": [200], "bodyContains": "$base_id"}},
   {"path": "/api/load-testing/regression-alerts", "weight": 10, "validation": {"statusCode": [200], "bodyContains": "orders"}},
   {"path": "/api/load-testing/regression-alerts?open=1&scenarioId=orders&limit=5", "weight": 3, "validation": {"statusCode": [200]}},
   {"path": "/api/load-testing/regression-thresholds?scenarioId=orders", "weight": 2, "validation": {"statusCode": [200]}},
   {"path": "/api/load-testing/regression-report/orders", "weight": 2, "validation": {"statusCode": [200]}},
   {"path": "/api/load-testing/regression-monitoring", "weight": 2, "validation": {"statusCode": [200]}},
   {"path": "/api/load-testing/schedules", "weight": 3, "validation": {"statusCode": [200], "bodyContains": "nightly"}},
   {"path": "/api/load-testing/no-such-route", "weight": 1, "validation": {"statusCode": [404]}},
   {"path": "/metrics", "weight": 3, "validation": {"statusCode": [200]}},
   {"path": "/", "weight": 4, "validation": {"statusCode": [200]}}
  ],
  "users": {"concurrent": 16}, "duration": {"total": 10}}}
JSON
http GET "/api/load-testing/status?runId=$api_run&timeline=1"
expect_code 200
grep -q '"type":"sample"' "$T/body" || fail "no timeline in $(head -c 300 "$T/body")"

# Warm-up: a few seconds of the same load, then RSS before.
run lt-run -q --duration 3 "$T/load.json"
[ "$rc" = 0 ] || fail "warm-up: lt-run exited $rc"
rss_before=$(rss)

sent=0 errors=0 runs=0 start=$(date +%s)
while [ "$sent" -lt "$min_requests" ] && [ "$runs" -lt 8 ]; do
	run lt-run -q "$T/load.json"
	runs=$((runs + 1))
	[ "$rc" = 0 ] || fail "lt-run exited $rc (run $runs)"
	n=$(jsum sample requests "$T/out")
	e=$(jsum sample errors "$T/out")
	se=$(jget summary errors "$T/out")
	[ "$e" = 0 ] && [ "$se" = 0 ] || fail "$e errors in the samples, $se in the summary (run $runs): $(jitems summary endpoints "$T/out" | grep -v '"errors":0' | head -c 800)"
	sent=$((sent + n))
done
took=$(($(date +%s) - start))
[ "$sent" -ge "$min_requests" ] || fail "only $sent requests in $runs runs of 10 s"
kill -0 "$serve_pid" 2>/dev/null || fail "lt-serve died under load: $(tail -c 2000 "$T/serve.err")"
http GET /health
expect_code 200
rss_after=$(rss)
growth_kb=$((rss_after - rss_before))
echo "# load: $sent requests in $runs runs (${took} s), 0 errors; lt-serve RSS ${rss_before} kB before, ${rss_after} kB after (+${growth_kb} kB, $([ "$check_rss" = 1 ] && echo "bound ${RSS_BOUND_MB} MiB" || echo "no bound under valgrind"))" >&2
[ "$check_rss" = 0 ] || [ "$growth_kb" -le $((RSS_BOUND_MB * 1024)) ] ||
	fail "lt-serve grew ${growth_kb} kB over $sent requests (bound ${RSS_BOUND_MB} MiB)"

# ---- malformed HTTP ----
# raw NAME [STATUS-ERE]: send the bytes of $T/raw.in on a new connection,
# read what comes back for up to 3 s, then require /health to answer.
# The answer, if any, must be an HTTP response (a status line) and not a
# server error; with STATUS-ERE its status must match.
bad=0
raw() {
	bad=$((bad + 1))
	timeout 15 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 9
		cat "$2" >&3 2>/dev/null
		timeout 3 cat <&3 >"$3" 2>/dev/null
		exit 0' sh "$sport" "$T/raw.in" "$T/raw.out"
	r=$?
	[ "$r" = 9 ] && fail "$1: lt-serve refused the connection"
	status_line=$(head -n 1 "$T/raw.out" | tr -d '\r' | head -c 80)
	printf '%-40s %s\n' "$1" "${status_line:-(closed, no answer)}" >>"$T/raw.log"
	alive "$1"
	if [ -n "$status_line" ]; then
		printf '%s\n' "$status_line" | grep -Eq '^HTTP/[0-9.]+ ([1-4][0-9][0-9]|503|505) ' ||
			fail "$1: answered \"$status_line\", not an HTTP response or a server error"
	fi
	if [ -n "$2" ]; then
		printf '%s\n' "$status_line" | grep -Eq "^HTTP/1\.[01] ($2) " ||
			fail "$1: answered \"${status_line:-nothing}\", expected $2"
	fi
	return 0
}
alive() {
	kill -0 "$serve_pid" 2>/dev/null || fail "after $1: lt-serve died: $(tail -c 3000 "$T/serve.err")"
	http GET /health
	[ "$code" = 200 ] || fail "after $1: GET /health answered $code"
}
crlf() { printf '%s\r\n' "$@"; }
rep() { # N STRING: STRING N times
	awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}
H="Host: 127.0.0.1:$sport"

{ printf 'GET /'; rep 100000 a; printf ' HTTP/1.1\r\n%s\r\n\r\n' "$H"; } >"$T/raw.in"; raw "request line of 100 kB"
{ printf 'GET /health?'; rep 20000 'a=b&'; printf ' HTTP/1.1\r\n%s\r\n\r\n' "$H"; } >"$T/raw.in"; raw "query of 80 kB"
{ printf 'GET /health HTTP/1.1\r\n%s\r\nX-Big: ' "$H"; rep 200000 x; printf '\r\n\r\n'; } >"$T/raw.in"; raw "one header of 200 kB"
{ printf 'GET /health HTTP/1.1\r\n%s\r\n' "$H"; i=0; while [ $i -lt 2000 ]; do printf 'X-H%d: v\r\n' $i; i=$((i + 1)); done; printf '\r\n'; } >"$T/raw.in"; raw "2000 headers"
{ printf 'FOO /health HTTP/1.1\r\n%s\r\n\r\n' "$H"; } >"$T/raw.in"; raw "method FOO" "400|405|501"
{ printf 'get /health HTTP/1.1\r\n%s\r\n\r\n' "$H"; } >"$T/raw.in"; raw "method get (lower case)"
{ printf 'DELETE /api/load-testing/results HTTP/1.1\r\n%s\r\n\r\n' "$H"; } >"$T/raw.in"; raw "method DELETE on a GET route" 405
{ printf 'CONNECT 127.0.0.1:22 HTTP/1.1\r\n%s\r\n\r\n' "$H"; } >"$T/raw.in"; raw "method CONNECT"
{ printf ' /health HTTP/1.1\r\n%s\r\n\r\n' "$H"; } >"$T/raw.in"; raw "no method"
{ rep 5000 G; printf ' /health HTTP/1.1\r\n%s\r\n\r\n' "$H"; } >"$T/raw.in"; raw "method of 5000 letters"
{ printf 'GET /health HTTP/9.9\r\n%s\r\n\r\n' "$H"; } >"$T/raw.in"; raw "version HTTP/9.9"
{ printf 'GET /health\r\n\r\n'; } >"$T/raw.in"; raw "HTTP/0.9 request"
{ printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'; } >"$T/raw.in"; raw "HTTP/2 preface"
{ printf 'GET /health HTTP/1.1\r\nno colon here\r\n%s\r\n\r\n' "$H"; } >"$T/raw.in"; raw "header without a colon"
{ printf 'GET /%%zz%%00/../../etc/passwd HTTP/1.1\r\n%s\r\n\r\n' "$H"; } >"$T/raw.in"; raw "bad escapes and dot-dot"
{ printf 'GET /health\0HTTP/1.1\r\n%s\r\n\r\n' "$H"; } >"$T/raw.in"; raw "NUL in the request line"
{ printf 'GET /health HTT'; } >"$T/raw.in"; raw "truncated request line"
{ printf 'GET /health HTTP/1.1\r\n%s\r\nX-Half: ' "$H"; } >"$T/raw.in"; raw "truncated headers"
{ printf 'POST /api/load-testing/scenarios HTTP/1.1\r\n%s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"id": "tr' "$H"; } >"$T/raw.in"; raw "truncated body"
{ printf 'POST /api/load-testing/scenarios HTTP/1.1\r\n%s\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n{}' "$H"; } >"$T/raw.in"; raw "Content-Length -5"
{ printf 'POST /api/load-testing/scenarios HTTP/1.1\r\n%s\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999999\r\n\r\n{}' "$H"; } >"$T/raw.in"; raw "Content-Length 10^23"
{ printf 'POST /api/load-testing/scenarios HTTP/1.1\r\n%s\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 7\r\n\r\n{}' "$H"; } >"$T/raw.in"; raw "two Content-Lengths"
{ printf 'POST /api/load-testing/scenarios HTTP/1.1\r\n%s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n' "$H"; } >"$T/raw.in"; raw "bad chunk size"
{ printf 'POST /api/load-testing/scenarios HTTP/1.1\r\n%s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n{}' "$H"; } >"$T/raw.in"; raw "chunk of 2^64-1 bytes"
{ printf 'POST /api/load-testing/scenarios HTTP/1.1\r\n%s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' "$H"; i=0; while [ $i -lt 3000 ]; do printf '1\r\n \r\n'; i=$((i + 1)); done; printf '0\r\n\r\n'; } >"$T/raw.in"; raw "3000 one-byte chunks"
{ printf 'POST /api/load-testing/run HTTP/1.1\r\n%s\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"a":"\377\376\0"}' "$H"; } >"$T/raw.in"; raw "invalid UTF-8 and NUL in a body"
{ printf 'GET /health HTTP/1.1\r\n%s\r\n\r\n' "$H"; rep 300 "GET /api/load-testing/results HTTP/1.1\r\n$H\r\n\r\n"; } >"$T/raw.in"; raw "301 pipelined requests" 200
head -c 65536 /dev/urandom >"$T/raw.in"; raw "64 KiB of random bytes"
{ printf 'GET / HTTP/1.1\r\n%s\r\n' "$H"; head -c 4096 /dev/urandom | tr -d '\r\n'; printf '\r\n\r\n'; } >"$T/raw.in"; raw "random bytes as a header"
head -c 300000 /dev/zero >"$T/raw.in"; raw "300 kB of NUL bytes"
rep 100000 '\r\n' >"$T/raw.in"; raw "100000 empty lines"

# WebSocket handshakes that are wrong, and frames that are.
ws() { # EXTRA-HEADER-LINES...
	printf 'GET /api/load-testing/ws HTTP/1.1\r\n%s\r\n' "$H"
	for l in "$@"; do printf '%s\r\n' "$l"; done
	printf '\r\n'
}
KEY='Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='
ws 'Upgrade: websocket' 'Connection: Upgrade' 'Sec-WebSocket-Version: 13' >"$T/raw.in"; raw "WebSocket without a key" 400
ws 'Upgrade: websocket' 'Connection: Upgrade' 'Sec-WebSocket-Version: 13' 'Sec-WebSocket-Key: x' >"$T/raw.in"; raw "WebSocket key of one byte" 400
ws 'Upgrade: websocket' 'Connection: Upgrade' 'Sec-WebSocket-Version: 13' "Sec-WebSocket-Key: $(rep 6000 A)" >"$T/raw.in"; raw "WebSocket key of 6000 bytes" 400
ws 'Upgrade: websocket' 'Connection: Upgrade' 'Sec-WebSocket-Version: 13' 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR==' >"$T/raw.in"; raw "WebSocket key of 16 bytes and 2 bits" 400
ws 'Upgrade: websocket' 'Connection: Upgrade' 'Sec-WebSocket-Version: 13' 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j*Q==' >"$T/raw.in"; raw "WebSocket key not in base64" 400
# a refused subscriber (cross-site) is told so, not hung up on
ws 'Upgrade: websocket' 'Connection: Upgrade' 'Sec-WebSocket-Version: 13' "$KEY" 'Origin: http://evil.example' >"$T/raw.in"; raw "WebSocket from another origin" 403
ws 'Upgrade: websocket' 'Connection: Upgrade' 'Sec-WebSocket-Version: 13' "$KEY" "$KEY" >"$T/raw.in"; raw "two WebSocket keys" 101
ws 'Upgrade: websocket' 'Connection: Upgrade' 'Sec-WebSocket-Version: 99' "$KEY" >"$T/raw.in"; raw "WebSocket version 99" 426
ws 'Upgrade: websocket' 'Connection: Upgrade' "$KEY" >"$T/raw.in"; raw "WebSocket without a version" 426
ws 'Upgrade: h2c' 'Connection: Upgrade' 'Sec-WebSocket-Version: 13' "$KEY" >"$T/raw.in"; raw "Upgrade: h2c" 426
ws 'Upgrade: websocket' 'Sec-WebSocket-Version: 13' "$KEY" >"$T/raw.in"; raw "Upgrade without Connection" 426
{ ws 'Upgrade: websocket' 'Connection: Upgrade' 'Sec-WebSocket-Version: 13' "$KEY"; head -c 20000 /dev/urandom; } >"$T/raw.in"; raw "WebSocket, then random frames"
{ printf 'GET /health HTTP/1.1\r\n%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n%s\r\n\r\n' "$H" "$KEY"; } >"$T/raw.in"; raw "WebSocket handshake to /health" 200
# the 33rd subscriber is told that there is no room (503)
ws_pids=
i=0
while [ $i -lt 32 ]; do
	background ws-client -n 1000 -w -t 30 "$sport" /api/load-testing/ws >/dev/null 2>&1
	ws_pids="$ws_pids $bg"
	i=$((i + 1))
done
i=0
while [ $i -lt "$(slow 100)" ]; do
	http GET /health
	[ "$(field subscribers)" = 32 ] && break
	sleep 0.1
	i=$((i + 1))
done
[ "$(field subscribers)" = 32 ] || fail "32 subscribers did not connect: $(field subscribers)"
ws 'Upgrade: websocket' 'Connection: Upgrade' 'Sec-WebSocket-Version: 13' "$KEY" >"$T/raw.in"; raw "a 33rd WebSocket subscriber" 503
kill $ws_pids 2>/dev/null
wait $ws_pids 2>/dev/null
# an unmasked text frame claiming 2^63-1 bytes
{ ws 'Upgrade: websocket' 'Connection: Upgrade' 'Sec-WebSocket-Version: 13' "$KEY"; printf '\201\177\177\377\377\377\377\377\377\377abc'; } >"$T/raw.in"; raw "WebSocket frame of 2^63-1 bytes"
# a masked text frame claiming 4 GiB
{ ws 'Upgrade: websocket' 'Connection: Upgrade' 'Sec-WebSocket-Version: 13' "$KEY"; printf '\201\377\0\0\0\001\0\0\0\0\1\2\3\4abc'; } >"$T/raw.in"; raw "WebSocket frame of 4 GiB"
# 100 masked continuation frames of 60 kB without a first one
{ ws 'Upgrade: websocket' 'Connection: Upgrade' 'Sec-WebSocket-Version: 13' "$KEY"
  i=0; while [ $i -lt 100 ]; do printf '\000\376\352\140\1\2\3\4'; head -c 60000 /dev/zero; i=$((i + 1)); done; } >"$T/raw.in"; raw "WebSocket, 6 MB of continuation frames"
# a ping of 126 bytes (control frames are at most 125)
{ ws 'Upgrade: websocket' 'Connection: Upgrade' 'Sec-WebSocket-Version: 13' "$KEY"; printf '\211\376\0\176\1\2\3\4'; head -c 126 /dev/zero; } >"$T/raw.in"; raw "WebSocket ping of 126 bytes"

# Slow loris: connections that send a header line every second and never
# finish; while they hang, the API answers.
loris() {
	timeout 12 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 9
		printf "GET /health HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n" "$1" >&3
		i=0
		while [ $i -lt 10 ]; do printf "X-Slow-%d: a\r\n" $i >&3 || exit 0; sleep 1; i=$((i + 1)); done' sh "$sport" \
		>/dev/null 2>&1
}
loris_pids=
i=0
while [ $i -lt 16 ]; do
	background loris
	loris_pids="$loris_pids $bg"
	i=$((i + 1))
done
bad=$((bad + 16))
sleep 2
i=0
while [ $i -lt 5 ]; do
	alive "16 slow-loris connections (${i} s)"
	sleep 1
	i=$((i + 1))
done
printf '%-40s %s\n' "16 slow-loris connections" "(API answered while they hung)" >>"$T/raw.log"
kill $loris_pids 2>/dev/null
wait $loris_pids 2>/dev/null

# A proper request still works end to end, and a write too.
http POST /api/load-testing/scenarios "$(cat "$T/catalog.json")"
[ "$code" = 200 ] || [ "$code" = 201 ] || fail "POST /scenarios after the attacks: $code $(cat "$T/body")"
run ws-client -n 1 -t 5 "$sport" /api/load-testing/ws
expect_rc 0
expect_out '^\{"type":"hello"'

http GET /metrics
served=$(awk '/^lt_http_requests_total\{/ { s += $2 } END { print s + 0 }' "$T/body")
echo "# malformed: $bad bad requests tried ($(wc -l <"$T/raw.log") kinds), lt-serve answered /health after each; $served requests served in all" >&2
rss_end=$(rss)
echo "# lt-serve RSS at the end: ${rss_end} kB" >&2

stop_serve
[ "$serve_rc" = 0 ] || fail "lt-serve exited $serve_rc on SIGTERM: $(tail -c 3000 "$T/serve.err")"
if grep -Eq 'Sanitizer|runtime error|LeakSanitizer|SUMMARY:' "$T/serve.err"; then
	echo "  lt-serve's stderr:" >&2
	head -c 6000 "$T/serve.err" >&2
	fail "lt-serve: sanitizer report at exit"
fi
[ "$sanitized" = 1 ] && echo "# sanitizer build: lt-serve exited 0, no ASan/LSan/UBSan report" >&2
exit 0
