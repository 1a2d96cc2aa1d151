# Missed fire times (no lt-sched ran): only the latest is caught up, and
# only within startingDeadlineSeconds; older ones are counted and skipped.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/one.json" <<JSON
{"id": "one", "name": "one", "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
 "users": {"concurrent": 1}, "duration": {"total": 1}}}
JSON
lt-sched add --now 2030-01-01T00:00:00Z --name ten --scenario "$T/one.json" \
	--schedule '*/10 * * * *' --starting-deadline 2m >/dev/null || fail "add"
# 00:25: 00:10 and 00:20 were missed; 00:20 by 5 minutes, more than 2.
run lt-sched run-due --now 2030-01-01T00:25:00Z
expect_rc 0; expect_no_out
expect_err '^lt-sched: ten: 1 earlier fire time was missed while no lt-sched ran; only the latest, 2030-01-01T00:20:00\+00:00, is caught up$'
expect_err '^lt-sched: ten: skipped 2030-01-01T00:20:00\+00:00: missed by 300 s, more than startingDeadlineSeconds 120$'
# Not reported again.
run lt-sched run-due --now 2030-01-01T00:26:00Z
expect_rc 0; expect_no_out
grep -q skipped "$T/err" && fail "the skipped fire time was reported twice"
# 00:41:30: 00:30 missed (no lt-sched ran), 00:40 missed by 90 s: caught up.
run lt-sched run-due --now 2030-01-01T00:41:30Z
expect_rc 0
expect_out_lines 1
[ "$(jget execution fire_time "$T/out")" = 2030-01-01T00:40:00.000Z ] || fail "fire time: $(cat "$T/out")"
[ "$(jget execution status "$T/out")" = success ] || fail "status"
expect_err 'ten: 1 earlier fire time was missed'
run lt-sched history --name ten
expect_out_lines 2
