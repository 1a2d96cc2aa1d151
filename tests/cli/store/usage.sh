# Bad usage and unknown runs exit 2 with a message; --help and --version exit 0.
run lt-store --help
expect_rc 0
expect_out '^usage: lt-store'
run lt-store --version
expect_rc 0
expect_out '^lt-store [0-9]'
run lt-store --no-such-option
expect_rc 2
run lt-store list --limit -3
expect_rc 2
expect_err 'lt-store: --limit: expected a whole number >= 0, got .-3.'
run lt-store show
expect_rc 2
expect_err 'expected one run id'
run lt-store "$SRC/tests/data/run-small.ndjson"
expect_rc 0
run lt-store show ffffffff
expect_rc 2
expect_err 'ffffffff'
run lt-store export --format xml 6b1f
expect_rc 2
expect_err "--format: expected ndjson or csv, got 'xml'"
run lt-store /nonexistent/runs.ndjson
expect_rc 2
expect_err '/nonexistent/runs.ndjson: No such file or directory'
# A missing file among several: nothing is recorded.
rm -f "$LT_DB"
run lt-store "$SRC/tests/data/run-small.ndjson" /nonexistent/b.ndjson
expect_rc 2
run lt-store list --json
expect_no_out
