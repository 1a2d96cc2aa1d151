# Without lt-target the http suite is skipped, with the reason, and the run
# still succeeds.
export LT_BENCH_STATUS="$T/status.json"
export LT_TARGET=/nonexistent/lt-target
run lt-bench run --suite http --quick
expect_rc 0
expect_no_out
expect_err 'http/loopback_rps: skipped: /nonexistent/lt-target: No such file or directory'
