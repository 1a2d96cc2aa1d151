# The dashboard in headless Chromium: started from its own button, the
# run's charts fill second by second (points and drawn pixels grow), a
# screenshot is taken (kept as $BUILD/serve-dashboard.png), the Stop
# button stops the run, and the page logged no error or exception.
# Chromium is driven over the DevTools protocol with tests/support's
# ws-client.  Skipped, saying so, where no Chromium is installed.
. "$SRC/tests/cli/serve/helpers.sh"
browser=
for b in chromium chromium-browser google-chrome; do
	command -v "$b" >/dev/null 2>&1 && browser=$b && break
done
if [ -z "$browser" ]; then
	echo "skip: no chromium to open the dashboard in" >&2
	exit 0
fi
start_target
start_serve
http POST /api/load-testing/scenarios "$(quickstart_scenario 30)"
expect_code 201

background "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
	--disable-extensions --window-size=1280,1700 --remote-debugging-port=0 \
	--user-data-dir="$T/chrome" "$api/" >/dev/null 2>"$T/chrome.err"
chrome_pid=$bg
# Chromium's helper processes outlive the browser by a moment: wait for
# them to let go of the profile before the harness removes $T.
stop_chrome() {
	kill "$chrome_pid" 2>/dev/null
	wait "$chrome_pid" 2>/dev/null
	i=0
	while [ -d "$T/chrome" ] && ! rm -rf "$T/chrome" 2>/dev/null && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
trap 'stop_chrome; kill $cleanup_pids 2>/dev/null' EXIT
i=0
while ! grep -q '^DevTools listening on ws://127.0.0.1:' "$T/chrome.err" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 300 ] || fail "chromium did not start: $(tail -n 5 "$T/chrome.err")"
	sleep 0.1
done
dport=$(sed -n 's|^DevTools listening on ws://127.0.0.1:\([0-9]*\)/.*|\1|p' "$T/chrome.err")
page=$(curl -sS "http://127.0.0.1:$dport/json/list" | tr -d '\n' | sed 's/}, *{/}\n{/g' |
	grep "\"url\": \"$api/\"" | sed -n 's|.*"webSocketDebuggerUrl": "ws://[^/]*\(/devtools/page/[^"]*\)".*|\1|p')
[ -n "$page" ] || fail "no DevTools target for the page"

# js EXPR: the value of a JavaScript expression in the page (no double
# quotes in EXPR).
js() {
	ws-client -n 1 -t 10 -s "{\"id\":1,\"method\":\"Runtime.evaluate\",\"params\":{\"expression\":\"$1\",\"returnByValue\":true}}" \
		"$dport" "$page" | sed -n 's/.*"value":"\{0,1\}\([^",}]*\).*/\1/p'
}
until_js() { # EXPR EXPECTED-ERE SECONDS WHAT
	i=0
	while ! js "$1" | grep -Eqx "$2"; do
		i=$((i + 1))
		[ "$i" -lt $(($3 * 5)) ] || fail "$4: $(js "$1")"
		sleep 0.2
	done
}

until_js "document.querySelector('#scenario option') ? document.getElementById('scenario').value : ''" \
	api-health-check 15 "the scenario list did not load"
until_js "document.getElementById('conn').textContent" live 15 "the WebSocket did not connect"
js "document.getElementById('optSave').click(); document.getElementById('start').click(); 'ok'" >/dev/null
i=0
while :; do
	http GET /api/load-testing/status
	[ "$(field status)" = running ] && break
	i=$((i + 1))
	[ "$i" -lt 50 ] || fail "the Start button started no run"
	sleep 0.1
done
run_id=$(items runs | jfield runId)
[ "$(items runs | jfield options.saveBaseline)" = true ] || fail "the checkbox did not reach the run"

until_js "Number(document.getElementById('k-samples').textContent) >= 3" true 15 "no samples on the page"
points() {
	js "['c-rps','c-lat','c-err','c-users'].map(function (id) { return document.getElementById(id).dataset.points; }).join(' ')"
}
pixels="(function () { var c = document.getElementById('c-lat'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0; for (var i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })()"
p1=$(points)
x1=$(js "$pixels")
sleep 2.2
p2=$(points)
x2=$(js "$pixels")
set -- $p1
for b in $p2; do
	holds "$b >= $1 + 2" || fail "a chart did not grow: $p1 -> $p2"
	shift
done
holds "$x1 > 1000 && $x2 > $x1" || fail "the latency chart is not drawn or not growing: $x1 -> $x2 pixels"
[ "$(js "document.getElementById('runinfo').textContent.indexOf('$(printf '%s' "$run_id" | cut -c1-8)') >= 0")" = true ] ||
	fail "the page shows another run"

ws-client -n 1 -t 20 -s '{"id":2,"method":"Page.captureScreenshot","params":{"format":"png"}}' \
	"$dport" "$page" | sed -n 's/.*"data":"\([^"]*\)".*/\1/p' | base64 -d >"$T/dashboard.png" ||
	fail "no screenshot"
[ "$(head -c 8 "$T/dashboard.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "the screenshot is not a PNG"
[ "$(wc -c <"$T/dashboard.png")" -gt 20000 ] || fail "the screenshot is nearly empty"
cp "$T/dashboard.png" "$BUILD/serve-dashboard.png" 2>/dev/null

js "document.getElementById('stop').click(); 'ok'" >/dev/null
wait_idle 15
http GET "/api/load-testing/status?runId=$run_id"
[ "$(field run.status)" = interrupted ] || fail "the Stop button: run.status $(field run.status)"

# Everything the page logged since it loaded (the domains replay it).
ws-client -n 1000 -w -t 2 -s '{"id":1,"method":"Log.enable"}' -s '{"id":2,"method":"Runtime.enable"}' \
	"$dport" "$page" >"$T/devtools.out"
grep -q '"method":"Runtime.executionContextCreated"' "$T/devtools.out" || fail "no DevTools replay"
if grep -E '"method":"Runtime.exceptionThrown"|"method":"Runtime.consoleAPICalled","params":\{"type":"(error|assert)"|"level":"error"' \
	"$T/devtools.out" >"$T/errors"; then
	fail "the page logged errors: $(cut -c1-300 "$T/errors")"
fi
stop_chrome
