# An lt-sched killed in the middle of an execution (SIGKILL: no chance to
# record anything) leaves its attempt "running"; the next pass sees that
# the holder's process is gone and records the attempt as failed
# ("abandoned"), so that the forbid policy does not wait for it forever.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/two.json" <<JSON
{"id": "two", "name": "two", "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
 "users": {"concurrent": 1, "thinkTime": {"min": 5, "max": 5}}, "duration": {"total": 2}}}
JSON
lt-sched add --now 2030-01-01T00:00:00Z --name two --scenario "$T/two.json" \
	--schedule '*/10 * * * *' >/dev/null || fail "add"
lt-sched run-due --now 2030-01-01T00:10:01Z >"$T/a.out" 2>"$T/a.err" &
a=$!
# Killed once its lt-run sends: the attempt is then recorded as running.
sent() { [ "$(target_requests)" -gt 0 ]; }
wait_until 5 sent || fail "no request sent: $(cat "$T/a.err")"
kill -KILL "$a"
wait "$a" 2>/dev/null
# (its lt-run and lt-store, in their own process group, end by themselves)
run lt-sched history --json
[ "$(jget execution status "$T/out")" = running ] || fail "not left running: $(cat "$T/out")"
run lt-sched run-due --now 2030-01-01T00:20:01Z
expect_rc 0
expect_err "two: execution [0-9a-f]{8} attempt 1 abandoned by [^ ]+:$a: recorded as failed"
[ "$(jget execution status "$T/out")" = success ] || fail "the next fire time did not run: $(cat "$T/err")"
lt-sched history --json --name two >"$T/h"
[ "$(jget execution status "$T/h" | tr '\n' ' ')" = "success failed " ] || fail "history: $(cat "$T/h")"
grep -q '"stderr":"lt-sched: abandoned: [^ ]*:'"$a"' stopped without finishing this attempt"' "$T/h" ||
	fail "no abandoned note: $(cat "$T/h")"
# Let the orphaned run end before the target goes.
orphan_gone() { ! pgrep -f "$T/two.json" >/dev/null; }
wait_until 5 orphan_gone
