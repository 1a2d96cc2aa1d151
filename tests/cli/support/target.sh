# lt-target, the test server: the behaviours other tests rely on, through
# curl (Debian package `curl`).  Only 127.0.0.1; every wait is bounded.

command -v curl >/dev/null 2>&1 || fail "curl is not installed (make deps)"

# check NAME CMD...: one result per behaviour, so a failure names what broke.
check() {
	name=$1
	shift
	if "$@"; then
		check_ok "$name"
	else
		check_fail "$name" "${why:-failed}"
	fi
	why=
}

# get PATH [CURL-ARGS...]: status in $code, body in $T/body, curl's exit
# status in $crc, seconds taken in $secs.
get() {
	url=$1
	shift
	out=$(curl -sS --max-time 10 -o "$T/body" -w '%{http_code} %{time_total}' "$@" \
		"$base$url" 2>"$T/curl.err")
	crc=$?
	code=${out% *}
	secs=${out#* }
}

# at_least A B / below A B: float comparisons.
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

stats() {
	curl -sS --max-time 10 "$base/_control/stats" >"$T/stats" 2>"$T/curl.err"
}
stats_has() {
	grep -qF -- "$1" "$T/stats" || { why="stats lack $1: $(cat "$T/stats")"; return 1; }
}
reset() {
	[ "$(curl -sS --max-time 10 -X POST "$base/_control/reset")" = '{"status":"ok"}' ]
}

# --- options ---------------------------------------------------------------
run lt-target --listen 0.0.0.0:0 --max-seconds 5
check "refuses a non-loopback address" \
	eval '[ "$rc" = 2 ] && grep -q "only 127.0.0.1" "$T/err"'
run lt-target --threads 0
check "refuses --threads 0" eval '[ "$rc" = 2 ]'

# --- start -----------------------------------------------------------------
lt-target --listen 127.0.0.1:0 --port-file "$T/port" --max-seconds 60 \
	>"$T/target.out" 2>"$T/target.err" &
pid=$!
trap 'kill "$pid" 2>/dev/null' EXIT
i=0
while [ ! -s "$T/port" ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$T/port" ] || fail "lt-target wrote no port file: $(cat "$T/target.err")"
port=$(cat "$T/port")
base="http://127.0.0.1:$port"

get /health
check "/health is 200 {\"status\":\"ok\"}" \
	eval '[ "$code" = 200 ] && [ "$(cat "$T/body")" = "{\"status\":\"ok\"}" ]'
check "prints its address" grep -qx "listening 127.0.0.1:$port" "$T/target.out"

get /json
check "/json is the fixed document" eval '[ "$code" = 200 ] &&
	[ "$(cat "$T/body")" = "{\"status\":\"ok\",\"items\":[1,2,3],\"user\":{\"id\":42,\"name\":\"ada\"}}" ]'

get /nowhere
check "unknown path is 404" eval '[ "$code" = 404 ]'

get '/health?delay_ms=200'
why="took $secs s"
check "delay_ms=200 answers after >= 200 ms" eval '[ "$code" = 200 ] && at_least "$secs" 0.2 && below "$secs" 5'
get /delay/150
why="took $secs s"
check "/delay/150 answers after >= 150 ms" eval '[ "$code" = 200 ] && at_least "$secs" 0.15'

# 20 draws of U(0, 100 ms) on 50 ms: each at least 50 ms; their range under
# 30 ms has probability 20 * 0.3^19 < 1e-8, so all-alike means no jitter.
lo=9 hi=0 slow=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	get '/health?delay_ms=50&jitter_ms=100'
	[ "$code" = 200 ] || slow=1
	below "$secs" 0.05 && slow=1
	below "$secs" "$lo" && lo=$secs
	below "$hi" "$secs" && hi=$secs
done
why="times from $lo s to $hi s"
check "jitter_ms=100 adds a random 0..100 ms to delay_ms=50" \
	eval '[ "$slow" = 0 ] && at_least "$(awk -v a="$hi" -v b="$lo" "BEGIN { print a - b }")" 0.03'
get '/health?jitter_ms=x'
check "a bad jitter_ms is 400" eval '[ "$code" = 400 ] && [ "$(cat "$T/body")" = "{\"error\":\"bad jitter_ms\"}" ]'

get '/api/status?status=503'
check "status=503" eval '[ "$code" = 503 ] && [ "$(cat "$T/body")" = "{\"status\":503}" ]'
get /status/201
check "/status/201" eval '[ "$code" = 201 ]'
get '/?status=99'
check "status out of range is 400" eval '[ "$code" = 400 ]'

check "reset answers ok" reset
fails=0 oks=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	get '/health?fail_pct=50'
	case $code in
	500) fails=$((fails + 1)) ;;
	200) oks=$((oks + 1)) ;;
	esac
done
why="$fails failures, $oks successes"
check "fail_pct=50 fails exactly 5 of 10" eval '[ "$fails" = 5 ] && [ "$oks" = 5 ]'

get '/?size=1000000'
n=$(wc -c <"$T/body")
why="got $n bytes"
check "size=1000000 sends exactly 1000000 bytes" eval '[ "$code" = 200 ] && [ "$n" -eq 1000000 ] &&
	[ "$(head -n 1 "$T/body")" = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-" ]'
get /bytes/0
check "/bytes/0 is an empty body" eval '[ "$code" = 200 ] && [ ! -s "$T/body" ]'

get '/?drop=1'
why="curl exit $crc"
check "drop=1 closes without an answer" eval '[ "$crc" != 0 ] && [ "$code" = 000 ]'

get '/?garbage=1'
why="curl exit $crc, status $code"
check "garbage=1 is not HTTP" eval '[ "$crc" != 0 ]'

get '/?stall=1' --max-time 1
why="curl exit $crc"
check "stall=1 never answers" eval '[ "$crc" = 28 ]'

get '/?headers_forever=1&every_ms=20' --max-time 1
why="curl exit $crc"
check "headers_forever=1 never ends" eval '[ "$crc" != 0 ]'

get '/?body_forever=1' --max-time 1
why="curl exit $crc"
check "body_forever=1 never ends" eval '[ "$crc" = 28 ] && [ -s "$T/body" ]'

get /health -H 'Connection: close' -D "$T/headers"
check "Connection: close is honoured" grep -qi '^connection: close' "$T/headers"

big=$(head -c 20000 /dev/zero | tr '\0' a)
get /health -H "X-Big: $big"
check "headers over 16 KiB get 431" eval '[ "$code" = 431 ]'

# --- counting --------------------------------------------------------------
check "reset answers ok" reset
stats
check "reset zeroes the counters" eval 'stats_has "{\"requests\":0,\"by_path\":{},\"by_status\":{}" &&
	stats_has "\"bytes_in\":0,\"bytes_out\":0,\"bad_requests\":0}"'

for i in 1 2 3; do get /health; done
get /json
get /json
get /nowhere
head -c 100000 /dev/zero >"$T/upload"
get /api/upload --data-binary @"$T/upload"
why="took $secs s"
check "a 100000-byte upload (Expect: 100-continue) is quick" eval '[ "$code" = 200 ] && below "$secs" 0.9'
get /api/upload -H 'Transfer-Encoding: chunked' --data-binary @"$T/upload"
check "a chunked upload is read" eval '[ "$code" = 200 ]'
stats
# connections: the stats call after the reset, 8 requests, this stats call
check "stats count exactly the requests made" eval 'stats_has "\"requests\":8," &&
	stats_has "\"/health\":3" && stats_has "\"/json\":2" && stats_has "\"/nowhere\":1" &&
	stats_has "\"/api/upload\":2" && stats_has "\"by_status\":{\"200\":7,\"404\":1}" &&
	stats_has "\"connections\":10,"'
bytes_in=$(sed 's/.*"bytes_in":\([0-9]*\).*/\1/' "$T/stats")
why="bytes_in $bytes_in"
check "bytes_in counts the bodies" eval '[ "$bytes_in" -gt 200000 ] && [ "$bytes_in" -lt 205000 ]'

# --- global stall ----------------------------------------------------------
out=$(curl -sS --max-time 10 -X POST "$base/_control/stall?ms=600")
check "stall switch answers" eval '[ "$out" = "{\"status\":\"ok\",\"stall_ms\":600}" ]'
get /_control/stats
why="took $secs s"
check "control requests are not stalled" eval '[ "$code" = 200 ] && below "$secs" 0.3'
get /health
why="took $secs s"
check "a request during a stall waits for its end" eval '[ "$code" = 200 ] && at_least "$secs" 0.3'

# --- stopping --------------------------------------------------------------
kill -TERM "$pid"
wait "$pid"
rc=$?
check "SIGTERM exits 0" eval '[ "$rc" = 0 ]'

lt-target --max-seconds 1 --port-file "$T/port2" >"$T/t2.out" 2>"$T/t2.err" &
pid=$!
i=0
while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$pid" 2>/dev/null; then
	check_fail "--max-seconds 1 exits by itself" "still running after 5 s"
else
	wait "$pid"
	rc=$?
	check "--max-seconds 1 exits by itself" eval '[ "$rc" = 0 ] && grep -q "max-seconds" "$T/t2.err"'
fi
