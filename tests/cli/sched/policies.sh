# Concurrency policies, Kubernetes CronJob style, with a fire time coming
# while the previous execution still runs: forbid skips it, allow runs both
# at once, replace stops the running one (recorded as failed, "replaced",
# its run interrupted) and then runs.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/three.json" <<JSON
{"id": "three", "name": "three", "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
 "users": {"concurrent": 1, "thinkTime": {"min": 5, "max": 5}}, "duration": {"total": 3}}}
JSON
for p in forbid allow replace; do
	lt-sched add --now 2030-01-01T00:00:00Z --name "$p" --scenario "$T/three.json" \
		--schedule '*/5 * * * *' --concurrency-policy "$p" >/dev/null || fail "add $p"
done
lt-sched run-due --now 2030-01-01T00:05:01Z >"$T/a.out" 2>"$T/a.err" &
a=$!
cleanup_pids="$cleanup_pids $a"
sleep 1.2
run lt-sched run-due --now 2030-01-01T00:10:01Z
expect_rc 0
wait "$a"
arc=$?

expect_err '^lt-sched: forbid: skipped 2030-01-01T00:10:00\+00:00: an execution is still running \(concurrencyPolicy forbid\)$'
status_of() { # FILE SCHEDULE FIELD
	grep "\"schedule\":\"$2\"" "$1" | jget execution "$3" /dev/stdin
}
[ "$(status_of "$T/out" allow status)" = success ] || fail "allow, second: $(cat "$T/out")"
[ "$(status_of "$T/out" replace status)" = success ] || fail "replace, second: $(cat "$T/out")"
[ -z "$(status_of "$T/out" forbid status)" ] || fail "forbid ran the second fire time"
[ "$arc" -eq 1 ] || fail "the first run-due exited $arc, expected 1 (the replaced execution failed)"
[ "$(status_of "$T/a.out" forbid status)" = success ] || fail "forbid, first: $(cat "$T/a.out")"
[ "$(status_of "$T/a.out" allow status)" = success ] || fail "allow, first: $(cat "$T/a.out")"
[ "$(status_of "$T/a.out" replace status)" = failed ] || fail "replace, first: $(cat "$T/a.out")"
[ "$(status_of "$T/a.out" replace end)" = replaced ] || fail "replace, first: not replaced"
[ "$(status_of "$T/a.out" replace exit_code)" = 143 ] || fail "replace, first: exit code"
# allow: the two executions overlapped.
holds "$(status_of "$T/a.out" allow duration_s) >= 2.9" || fail "allow, first: cut short"
# replace: the new run started only after the old one had ended (the
# runs' own times: the two run-due clocks differ).
old_run=$(status_of "$T/a.out" replace run_id)
new_run=$(status_of "$T/out" replace run_id)
times=$(sqlite3 "$LT_DB" "SELECT o.finished_at, n.started_at, n.started_at >= o.finished_at
	FROM load_test_results o, load_test_results n
	WHERE o.run_id = '$old_run' AND n.run_id = '$new_run'")
[ "${times##*|}" = 1 ] || fail "replace: the new run started before the old one ended: $times"
run_id=$(status_of "$T/a.out" replace run_id)
[ -n "$run_id" ] || fail "replace: the stopped run was not recorded"
lt-store list --json | grep -q "\"run_id\":\"$run_id\".*\"status\":\"interrupted\"" ||
	fail "replace: run $run_id is not recorded as interrupted"
