# lt-baseline: help and version on stdout with exit 0; bad usage and bad
# input exit 2 with a message on stderr, and write nothing.
run lt-baseline --help
expect_rc 0
expect_out "^usage: lt-baseline set \[--db <path>\]"
expect_out "^       lt-baseline list "
expect_out "^       lt-baseline show "
expect_out "^       lt-baseline delete "
[ ! -s "$T/err" ] || fail "--help wrote to stderr"
run lt-baseline set -h
expect_rc 0
expect_out "^usage: lt-baseline"

# Alone, --version is the program's; after set it is the baseline's label.
run lt-baseline --version
expect_rc 0
expect_out "^lt-baseline [0-9]+\.[0-9]+\.[0-9]+"
run lt-baseline --lt-version
expect_rc 0
expect_out "^lt-baseline [0-9]+\.[0-9]+\.[0-9]+"

bad() { # ERE ARGS...: exit 2, nothing on stdout, stderr matches
	ere=$1
	shift
	run lt-baseline "$@"
	[ "$rc" = 2 ] || fail "lt-baseline $*: exit $rc, expected 2"
	expect_no_out
	expect_err "$ere"
}
bad "expected a command: set, list, show or delete"
bad "expected a command" frob
bad "expected a command" --scenario x
bad "unexpected argument 'extra'" list extra
bad "unexpected argument 'x'" set x
bad "show: --scenario is required" show
bad "delete: --scenario is required" delete --env staging
bad "unrecognized option '--bogus'" set --bogus
bad "requires an argument" show --scenario
[ ! -e "$T/lt.db" ] || fail "bad usage created the database"

# Bad input on stdin: nothing to set, and nothing recorded.
bad "<stdin>: no run to set as the baseline" set </dev/null
echo 'not json' >"$T/garbage"
bad "<stdin>:1: line is not valid JSON" set <"$T/garbage"
echo '{"type":"nonsense","v":1}' >"$T/nonsense"
bad "<stdin>:1: type: unknown record type \"nonsense\"" set <"$T/nonsense"
bad "no run 'abcdef'" set --run abcdef
run lt-baseline list --json
expect_rc 0
expect_no_out
run lt-store list --json
expect_no_out

# Nothing to show or delete.
bad "no baseline for scenario nope in environment default: set one with lt-baseline set" show --scenario nope
bad "no baseline of scenario nope in environment default" delete --scenario nope
bad "no such database" list --db "$T/missing.db"
[ ! -e "$T/missing.db" ] || fail "list created a database"
