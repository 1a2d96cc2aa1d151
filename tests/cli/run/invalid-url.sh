# An invalid base URL, in the scenario or from --base-url, is bad input: exit
# 2 with a message naming the field and the value, nothing on stdout, no
# request sent.
. "$SRC/tests/cli/run/helpers.sh"
start_target
scenario() { # URL
	cat >"$T/s.json" <<JSON
{"id": "invalid-url", "name": "invalid url",
 "config": {"baseUrl": "$1", "endpoints": [{"path": "/health"}],
  "users": {"concurrent": 1}, "duration": {"total": 1}}}
JSON
}
# try NAME ERE LT-RUN-ARGS...
try() {
	name=$1 ere=$2
	shift 2
	run lt-run -q "$@" "$T/s.json"
	if [ "$rc" != 2 ]; then
		check_fail "$name" "exit status $rc, expected 2: $(cat "$T/err")"
	elif [ -s "$T/out" ]; then
		check_fail "$name" "wrote to stdout"
	elif ! grep -Eq -- "$ere" "$T/err"; then
		check_fail "$name" "message: $(cat "$T/err")"
	else
		check_ok "$name"
	fi
}
scenario "htp:/127.0.0.1:$port"
try "scheme" '^lt-run: .*s\.json: config\.baseUrl: must start with http:// or https://, got "htp:/127\.0\.0\.1:[0-9]+"$'
scenario "http://127.0.0.1:99999"
try "port out of range" 'config\.baseUrl: .*port.*"http://127\.0\.0\.1:99999"'
scenario "http://[127.0.0.1"
try "unclosed bracket" 'config\.baseUrl: .*"http://\[127\.0\.0\.1"'
scenario "$base"
try "--base-url without a host" 'baseUrl: has no host, got "http://"' --base-url http://
try "--base-url with a space" 'baseUrl: .*got "http://127\.0\.0\.1/a b"' --base-url 'http://127.0.0.1/a b'
try "--base-url not a URL" 'baseUrl: must start with http:// or https://, got "not a url"' --base-url 'not a url'
n=$(target_requests)
[ "$n" = 0 ] || check_fail "nothing sent" "the server counted $n requests"
