# An attempt that outlives the schedule's timeout (1 s; LT_TEST_SLOWDOWN
# times that under valgrind, where lt-run takes longer to start) is
# stopped: lt-run gets SIGTERM and records its run as interrupted, the
# attempt fails with exit code 124 (as timeout(1)) and, being a failure to
# run, is retried.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/long.json" <<JSON
{"id": "long", "name": "long", "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
 "users": {"concurrent": 1, "thinkTime": {"min": 5, "max": 5}}, "duration": {"total": 30}}}
JSON
lt-sched add --now 2030-01-01T00:00:00Z --name long --scenario "$T/long.json" --schedule @hourly \
	--timeout "$(slow 1)s" --retries 1 --backoff 100ms >/dev/null || fail "add"
start=$(date +%s)
run lt-sched run-due --now 2030-01-01T01:00:01Z
took=$(( $(date +%s) - start ))
expect_rc 1
expect_out_lines 2
[ "$(jget execution status "$T/out" | tr '\n' ' ')" = "retrying failed " ] || fail "statuses: $(cat "$T/out")"
[ "$(jget execution exit_code "$T/out" | sort -u)" = 124 ] || fail "exit codes"
[ "$(jget execution end "$T/out" | sort -u)" = timeout ] || fail "end"
holds "$took <= $(slow 8)" || fail "took $took s for two attempts of $(slow 1) s"
for run_id in $(jget execution run_id "$T/out"); do
	lt-store list --json | grep -q "\"run_id\":\"$run_id\".*\"status\":\"interrupted\"" ||
		fail "run $run_id is not recorded as interrupted"
done
[ "$(jget execution run_id "$T/out" | grep -c .)" -eq 2 ] || fail "runs not recorded: $(cat "$T/out")"
