# A WebSocket subscriber (tests/support/ws-client, a real RFC 6455
# client) receives the running test live: hello, run_start, one sample a
# second, the summary; with compareBaseline the verdict after it.  A
# subscriber without the token gets no upgrade.
. "$SRC/tests/cli/serve/helpers.sh"
start_target
start_serve
http POST /api/load-testing/scenarios "$(quickstart_scenario 5)"
expect_code 201

# Each line stamped with its arrival time.
subscribe() { # UNTIL-TYPE OUT
	ws-client -u "$1" -t 30 "$sport" /api/load-testing/ws | while IFS= read -r line; do
		printf '%s\t%s\n' "$(date +%s.%N)" "$line"
	done >"$2"
}
background subscribe summary "$T/ws.out"
ws_pid=$bg
sleep 0.3
http POST /api/load-testing/run '{"scenarioId": "api-health-check", "options": {"saveBaseline": true}}'
expect_code 202
run_id=$(field runId)
wait "$ws_pid"
cut -f2- "$T/ws.out" >"$T/records"
[ "$(sed -n 1p "$T/records" | jfield type)" = hello ] || fail "first message: $(head -c 200 "$T/records")"
[ "$(sed -n 2p "$T/records" | jfield type)" = run_start ] || fail "second message is not run_start"
[ "$(sed -n 2p "$T/records" | jfield run_id)" = "$run_id" ] || fail "run_start of another run"
[ "$(tail -n 1 "$T/records" | jfield type)" = summary ] || fail "last message is not the summary"
grep -q '"hist"' "$T/records" && fail "histograms were sent to subscribers"
# One sample a second: t = 0 .. 4, in order, about a second apart.
[ "$(jget sample t "$T/records" | tr '\n' ' ')" = "0 1 2 3 4 " ] ||
	fail "sample seconds: $(jget sample t "$T/records" | tr '\n' ' ')"
[ "$(jget sample run_id "$T/records" | sort -u)" = "$run_id" ] || fail "samples of another run"
grep '"type":"sample"' "$T/ws.out" | cut -f1 | awk '
	NR > 1 { gap = $1 - prev; if (gap < 0.5 || gap > 1.6) { print "gap " gap; bad = 1 } }
	{ prev = $1 } END { exit bad }' || fail "samples did not come one a second: $(cut -f1 "$T/ws.out" | tr '\n' ' ')"
wait_idle 20

# compareBaseline: the verdict follows the summary.
background ws-client -u verdict -t 30 "$sport" /api/load-testing/ws >"$T/ws2.out"
ws_pid=$bg
sleep 0.3
http POST /api/load-testing/run '{"scenarioId": "api-health-check", "options": {"compareBaseline": true}}'
expect_code 202
run2=$(field runId)
wait "$ws_pid" || fail "no verdict came: $(tail -c 300 "$T/ws2.out")"
[ "$(tail -n 1 "$T/ws2.out" | jfield run_id)" = "$run2" ] || fail "verdict of another run"
[ "$(tail -n 1 "$T/ws2.out" | jfield scenario_id)" = api-health-check ] || fail "verdict scenario"
tail -n 1 "$T/ws2.out" | jfield status | grep -Eqx 'pass|warning|critical|inconclusive' ||
	fail "verdict status: $(tail -n 1 "$T/ws2.out" | jfield status)"
# A subscriber joining mid-run gets the timeline so far in its hello.
wait_idle 20
http POST /api/load-testing/run '{"scenarioId": "api-health-check"}'
expect_code 202
sleep 2.5
ws-client -n 1 "$sport" /api/load-testing/ws >"$T/hello" || fail "no hello mid-run"
grep -q '"type":"hello".*"run_start":{"type":"run_start".*"samples":\[{"type":"sample"' "$T/hello" ||
	fail "the hello has no timeline: $(head -c 300 "$T/hello")"
http POST /api/load-testing/stop
expect_code 200
wait_idle 20
stop_serve

# With a token the subscriber must bring it.
printf '%s\n' 3f1e9c0b5a7d2e4f6a8b0c1d2e3f4a5b >"$T/token"
start_serve --token-file "$T/token"
run ws-client -n 1 -t 5 "$sport" /api/load-testing/ws
[ "$rc" = 3 ] || fail "no token: ws-client exited $rc"
run ws-client -n 1 -t 5 -H 'Authorization: Bearer wrong-token-wrong-token' "$sport" /api/load-testing/ws
[ "$rc" = 3 ] || fail "wrong token: ws-client exited $rc"
run ws-client -n 1 -t 5 -H 'Authorization: Bearer 3f1e9c0b5a7d2e4f6a8b0c1d2e3f4a5b' "$sport" /api/load-testing/ws
expect_rc 0
expect_out '^\{"type":"hello"'
run ws-client -n 1 -t 5 "$sport" '/api/load-testing/ws?access_token=3f1e9c0b5a7d2e4f6a8b0c1d2e3f4a5b'
expect_rc 0
# A cross-site page may not subscribe (Origin is not the server's).
run ws-client -n 1 -t 5 -H 'Origin: http://evil.example' -H 'Authorization: Bearer 3f1e9c0b5a7d2e4f6a8b0c1d2e3f4a5b' \
	"$sport" /api/load-testing/ws
[ "$rc" = 3 ] || fail "cross-origin subscriber: ws-client exited $rc"
