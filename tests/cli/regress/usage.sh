# lt-regress: help and version on stdout with exit 0; bad usage exits 2
# with a message on stderr and touches no database; a check with nothing
# on stdin is bad input.
run lt-regress --help
expect_rc 0
expect_out "^usage: lt-regress check "
for c in alerts ack "thresholds set" "thresholds show" stat; do
	expect_out "^       lt-regress $c "
done
[ ! -s "$T/err" ] || fail "--help wrote to stderr"
run lt-regress check -h
expect_rc 0
expect_out "^usage: lt-regress"
run lt-regress --version
expect_rc 0
expect_out "^lt-regress [0-9]+\.[0-9]+\.[0-9]+"

bad() { # ERE ARGS...: exit 2, nothing on stdout, stderr matches
	ere=$1
	shift
	run lt-regress "$@"
	[ "$rc" = 2 ] || fail "lt-regress $*: exit $rc, expected 2: $(cat "$T/err")"
	expect_no_out
	expect_err "$ere"
}
bad "expected a command: check, alerts, ack, thresholds"
bad "expected a command" frob
bad "expected a command" --db "$T/lt.db"
bad "unexpected argument 'extra'" check extra
bad "--fail-on: expected critical or warning, got 'never'" check --fail-on never
bad "requires an argument" check --notify
bad "unrecognized option '--bogus'" check --bogus
bad "--limit: expected a whole number >= 0, got 'x'" alerts --limit x
bad "expected one alert id" ack
bad "expected 'set <file>' or 'show'" thresholds frob
bad "expected a method and its file" stat
[ ! -e "$T/lt.db" ] || fail "bad usage created the database"

bad "<stdin>: no run to check" check </dev/null
echo '{"type":"summary"' >"$T/broken"
bad "<stdin>:1: " check <"$T/broken"
