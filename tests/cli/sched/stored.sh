# A schedule of a scenario stored in the database (recorded by an earlier
# run) rather than a file: its configuration is written to a temporary
# file for lt-run, which is gone afterwards.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/keep.json" <<JSON
{"id": "keep", "name": "keep", "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
 "users": {"concurrent": 1}, "duration": {"total": 1}}}
JSON
lt-run -q --db "$LT_DB" "$T/keep.json" >/dev/null || fail "lt-run --db"
rm "$T/keep.json"
run lt-sched add --now 2030-01-01T00:00:00Z --name kept --scenario keep --schedule @hourly
expect_rc 0; expect_out '^added schedule kept: @hourly, scenario keep, next '
run lt-sched list
expect_out '^kept +yes +@hourly +local +.* keep$'
mkdir "$T/tmp"
run env TMPDIR="$T/tmp" lt-sched run-due --now 2030-01-01T01:00:05Z
expect_rc 0
[ "$(jget execution status "$T/out")" = success ] || fail "status: $(cat "$T/out" "$T/err")"
[ "$(jget execution scenario_id "$T/out")" = keep ] || fail "scenario"
run_id=$(jget execution run_id "$T/out")
lt-store list --json | grep -q "\"run_id\":\"$run_id\",\"scenario_id\":\"keep\"" || fail "run $run_id not stored"
[ -z "$(ls "$T/tmp")" ] || fail "left in TMPDIR: $(ls "$T/tmp")"
# The file goes to $TMPDIR: where there is none, the attempt cannot start.
run env TMPDIR="$T/missing" lt-sched run-due --now 2030-01-01T02:00:05Z
expect_rc 1
expect_out '"status":"failed".*"exit_code":2.*"stderr":"lt-sched: .*/missing/lt-sched-[A-Za-z0-9]{6}\.json: No such file or directory'
