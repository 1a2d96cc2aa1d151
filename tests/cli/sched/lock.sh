# One execution per schedule and fire time, however many lt-sched run at
# once: four `lt-sched run-due` started at the same moment on five due
# schedules record exactly five executions, one per schedule, each for the
# fire time 00:10; every process exits 0.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/short.json" <<JSON
{"id": "short", "name": "short", "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
 "users": {"concurrent": 1}, "duration": {"total": 1}}}
JSON
for i in 1 2 3 4 5; do
	lt-sched add --now 2030-01-01T00:00:00Z --name "s$i" --scenario "$T/short.json" \
		--schedule '*/10 * * * *' >/dev/null || fail "add s$i"
done
pids=
for k in 1 2 3 4; do
	lt-sched run-due --now 2030-01-01T00:10:02Z >"$T/out$k" 2>"$T/err$k" &
	pids="$pids $!"
done
k=0
for p in $pids; do
	k=$((k + 1))
	wait "$p" || fail "run-due $k exited $?: $(cat "$T/err$k")"
done
cat "$T"/out1 "$T"/out2 "$T"/out3 "$T"/out4 >"$T/all"
[ "$(wc -l <"$T/all")" -eq 5 ] || fail "$(wc -l <"$T/all") executions recorded on stdout, expected 5"
[ "$(jget execution schedule "$T/all" | sort | tr '\n' ' ')" = "s1 s2 s3 s4 s5 " ] ||
	fail "schedules: $(jget execution schedule "$T/all" | sort | tr '\n' ' ')"
[ "$(jget execution status "$T/all" | sort -u)" = success ] || fail "statuses"
lt-sched history --json --limit 0 >"$T/h" || fail "history"
[ "$(wc -l <"$T/h")" -eq 5 ] || fail "$(wc -l <"$T/h") attempts in the history, expected 5"
[ "$(jget execution fire_time "$T/h" | sort -u)" = 2030-01-01T00:10:00.000Z ] || fail "fire times"
# Each fire time was started once, whichever process won it (the others
# found it taken or no longer due).
cat "$T"/err1 "$T"/err2 "$T"/err3 "$T"/err4 >"$T/allerr"
[ "$(grep -c ' started (scenario short)' "$T/allerr")" -eq 5 ] ||
	fail "expected 5 starts: $(cat "$T/allerr")"
# And once run, a fire time is not run again.
run lt-sched run-due --now 2030-01-01T00:10:30Z
expect_rc 0; expect_no_out
