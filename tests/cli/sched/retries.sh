# A failed attempt is retried with exponential backoff, visible in the
# history: a scenario file that vanished fails every attempt (lt-run exits
# 2), so attempt 1 and 2 are "retrying" and attempt 3 "failed", with pauses
# of 0.5 s and 1 s between them.  The failure is announced once (console
# target), not again at the next failing fire time, and the success that
# follows is announced as a recovery.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/flaky.json" <<JSON
{"id": "flaky", "name": "flaky", "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
 "users": {"concurrent": 1}, "duration": {"total": 1}}}
JSON
run lt-sched add --now 2030-01-01T00:00:00Z --name flaky --scenario "$T/flaky.json" \
	--schedule '*/5 * * * *' --retries 2 --backoff 500ms --notify console
expect_rc 0
mv "$T/flaky.json" "$T/flaky.json.away"

run lt-sched run-due --now 2030-01-01T00:05:03Z
expect_rc 1
expect_out_lines 3
[ "$(jget execution status "$T/out" | tr '\n' ' ')" = "retrying retrying failed " ] ||
	fail "statuses: $(jget execution status "$T/out" | tr '\n' ' ')"
[ "$(jget execution attempt "$T/out" | tr '\n' ' ')" = "1 2 3 " ] || fail "attempts"
[ "$(jget execution retry_in_s "$T/out" | tr '\n' ' ')" = "0.5 1  " ] ||
	fail "retry_in_s: $(jget execution retry_in_s "$T/out" | tr '\n' ' ')"
[ "$(jget execution exit_code "$T/out" | sort -u)" = 2 ] || fail "exit codes"
[ "$(jget execution fire_time "$T/out" | sort -u)" = 2030-01-01T00:05:00.000Z ] || fail "fire time"
[ "$(jget execution execution_id "$T/out" | sort -u | wc -l)" -eq 1 ] || fail "one execution"
expect_out '"stderr":"lt-run: .*flaky.json: No such file or directory'
expect_err 'execution failed \(critical\): flaky: scheduled execution failed \(attempt 3, exit code 2\)'
[ "$(grep -c 'execution failed (critical)' "$T/err")" -eq 1 ] || fail "announced more than once"

# The pauses, from the history: attempt k+1 starts backoff * 2^(k-1) after
# attempt k ended.
lt-sched history --json --name flaky >"$T/h" || fail "history"
awk -F'"' '
	{ for (i = 1; i < NF; i++) { if ($i == "attempt") a = $(i + 1); if ($i == "started_at") s = $(i + 2);
	  if ($i == "finished_at") f = $(i + 2) } gsub(/[:,]/, "", a); print a, s, f }' "$T/h" | sort -n |
	while read -r a s f; do
		sec() { echo "$1" | awk -F'[T:Z]' '{ print $2 * 3600 + $3 * 60 + $4 }'; }
		if [ -n "$prev_end" ]; then
			gap=$(awk "BEGIN { print $(sec "$s") - $prev_end }")
			want=$(awk "BEGIN { print 0.5 * 2 ^ ($a - 2) }")
			holds "$gap >= $want - 0.01 && $gap < $want + 0.5" ||
				{ echo "attempt $a started $gap s after attempt $((a - 1)) ended, expected $want" >&2; exit 1; }
		fi
		prev_end=$(sec "$f")
	done || fail "backoff"
run lt-sched history --name flaky
expect_out '^[0-9a-f]{8} +flaky +2030-01-01T00:05:00 +3 failed '
expect_out '^[0-9a-f]{8} +flaky +2030-01-01T00:05:00 +1 retrying '

# Failing again: not announced again.
run lt-sched run-due --now 2030-01-01T00:10:01Z
expect_rc 1
grep -q 'execution failed (critical)' "$T/err" && fail "a failure after a failure was announced"
# Back: the success is a recovery.
mv "$T/flaky.json.away" "$T/flaky.json"
run lt-sched run-due --now 2030-01-01T00:15:01Z
expect_rc 0
[ "$(jget execution status "$T/out")" = success ] || fail "status $(jget execution status "$T/out")"
[ -n "$(jget execution run_id "$T/out")" ] || fail "no run id"
expect_err 'execution recovered \(info\): flaky: scheduled execution succeeds again'
