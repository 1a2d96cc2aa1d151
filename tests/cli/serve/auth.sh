# --token-file: every request but /health needs "Authorization: Bearer
# <token>" (or the access_token parameter of RFC 6750); a listen address
# off loopback is refused without one, before anything listens; without a
# token only loopback Host names are answered.
. "$SRC/tests/cli/serve/helpers.sh"
A=/api/load-testing
tok=5e0a1c2b3d4e5f60718293a4b5c6d7e8

# Refused at the start: exit 2, and nothing listens.
run lt-serve --listen 0.0.0.0:0 --port-file "$T/never.port"
expect_rc 2
expect_err 'not a loopback address.*--token-file'
[ ! -e "$T/never.port" ] || fail "it listened anyway"
run lt-serve --listen '[::]:0'
expect_rc 2
run lt-serve --listen 192.0.2.1:3001
expect_rc 2
run lt-serve --listen localhost:3001
expect_rc 2
expect_err 'expected an IP address'
printf 'short\n' >"$T/weak"
run lt-serve --token-file "$T/weak"
expect_rc 2
expect_err 'too short'
run lt-serve --token-file "$T/missing"
expect_rc 2

printf '%s\n' "$tok" >"$T/token"
chmod 600 "$T/token"
start_serve --token-file "$T/token"
http GET $A/scenarios
expect_code 401
[ "$(field error)" = unauthorized ] || fail "401 body"
grep -qi '^WWW-Authenticate: Bearer' "$T/headers" || fail "no WWW-Authenticate"
http GET /nope
expect_code 401
http GET /
expect_code 401
http GET /metrics
expect_code 401
code=$(curl -sS -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer ${tok}x" "$api$A/scenarios")
expect_code 401
code=$(curl -sS -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $tok" "$api$A/scenarios")
expect_code 200
code=$(curl -sS -o "$T/body" -w '%{http_code}' "$api/?access_token=$tok")
expect_code 200
code=$(curl -sS -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $tok" -X POST \
	-H 'Content-Type: application/json' -d '{}' "$api$A/stop")
expect_code 409
# /health is open, and says no more than it should.
http GET /health
expect_code 200
[ "$(field auth)" = true ] || fail "health.auth"
[ -z "$(field database.path)" ] || fail "health shows the database path to strangers"
stop_serve

# Without a token: a Host that is not loopback is refused (DNS rebinding),
# and so is a cross-site Origin.
start_serve
code=$(curl -sS -o "$T/body" -w '%{http_code}' -H 'Host: attacker.example' "$api$A/scenarios")
expect_code 403
code=$(curl -sS -o "$T/body" -w '%{http_code}' -H "Origin: http://attacker.example" -X POST \
	-H 'Content-Type: application/json' -d '{"scenarioId": "x"}' "$api$A/run")
expect_code 403
code=$(curl -sS -o "$T/body" -w '%{http_code}' -H "Origin: http://127.0.0.1:$sport" -X POST \
	-H 'Content-Type: application/json' -d '{"scenarioId": "x"}' "$api$A/run")
expect_code 404
# civetweb's open CORS default is off: no Access-Control-Allow-Origin.
curl -sS -D "$T/headers" -o /dev/null -X OPTIONS -H 'Origin: http://attacker.example' \
	-H 'Access-Control-Request-Method: POST' "$api$A/run"
grep -qi '^Access-Control-Allow' "$T/headers" && fail "CORS headers: $(cat "$T/headers")"
true
