# Zero users (or zero rate, or no room for arrivals) is bad input: exit 2
# with a message naming where, nothing on stdout, no request sent.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/zero.json" <<JSON
{"id": "zero", "name": "zero", "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
  "users": {"concurrent": 0}, "duration": {"total": 1}}}
JSON
cat >"$T/one.json" <<JSON
{"id": "one", "name": "one", "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
  "users": {"concurrent": 1}, "duration": {"total": 1}}}
JSON
cat >"$T/open.json" <<JSON
{"id": "open", "name": "open", "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
  "arrival": {"rate": 10, "maxUsers": 0}, "duration": {"total": 1}}}
JSON
try() { # NAME ERE LT-RUN-ARGS...
	name=$1 ere=$2
	shift 2
	run lt-run -q "$@"
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
try "users.concurrent 0" '^lt-run: .*zero\.json: config\.users\.concurrent: must be > 0, got 0$' "$T/zero.json"
try "--users 0" "^lt-run: --users: .*got '0'$" --users 0 "$T/one.json"
try "--users -1" "^lt-run: --users: .*got '-1'$" --users -1 "$T/one.json"
try "--rate 0" "^lt-run: --rate: .*got '0'$" --rate 0 "$T/one.json"
try "arrival.maxUsers 0" 'open\.json: config\.arrival\.maxUsers: must be > 0, got 0$' "$T/open.json"
n=$(target_requests)
[ "$n" = 0 ] || check_fail "nothing sent" "the server counted $n requests"
