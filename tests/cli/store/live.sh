# lt-store records a live stream as it comes: with a run_start and three
# samples written into a pipe that stays open, the database shows the run
# as incomplete with those three samples (and their figures) before any
# more arrives; the rest and the summary complete it.  A stream re-sent
# over the incomplete run a kill -9 left behind heals it.
data="$SRC/tests/data/run-small.ndjson"
id=6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b
mkfifo "$T/fifo" || fail "mkfifo"
lt-store --db "$T/live.db" <"$T/fifo" >"$T/out" 2>"$T/err" &
store=$!
exec 3>"$T/fifo"
head -n 4 "$data" >&3

# samples_are N: the database holds N samples of the run.
samples_are() {
	[ "$(sqlite3 -cmd '.timeout 5000' "$T/live.db" "SELECT count(*) FROM run_samples WHERE run_id = '$id'" 2>/dev/null)" = "$1" ]
}
wait_until 10 samples_are 3 || { exec 3>&-; fail "the three samples were not stored while the stream stayed open"; }
r=$(sqlite3 "$T/live.db" "SELECT status, summary IS NULL, requests > 0, duration_s FROM load_test_results WHERE run_id = '$id'")
[ "$r" = "incomplete|1|1|3.0" ] || fail "the open run: $r"
kill -0 "$store" 2>/dev/null || fail "lt-store ended before its input did"

tail -n +5 "$data" >&3
exec 3>&-
wait "$store" || fail "lt-store: exit $?: $(cat "$T/err")"
expect_out "^recorded run $id \\(api-health-check, complete, 8 samples\\)$"
r=$(sqlite3 "$T/live.db" "SELECT status, summary IS NOT NULL, (SELECT count(*) FROM run_samples WHERE run_id = '$id') FROM load_test_results WHERE run_id = '$id'")
[ "$r" = "complete|1|8" ] || fail "the ended run: $r"

# kill -9 while the run is open: it stays incomplete with what was stored,
# and the whole stream sent again replaces it.
lt-store --db "$T/kill.db" <"$T/fifo" >/dev/null 2>&1 &
store=$!
exec 3>"$T/fifo"
head -n 6 "$data" >&3
samples_kill() {
	[ "$(sqlite3 -cmd '.timeout 5000' "$T/kill.db" "SELECT count(*) FROM run_samples" 2>/dev/null)" = 5 ]
}
wait_until 10 samples_kill || { exec 3>&-; fail "five samples not stored"; }
kill -9 "$store"
wait "$store" 2>/dev/null
exec 3>&-
r=$(sqlite3 "$T/kill.db" "SELECT status, (SELECT count(*) FROM run_samples) FROM load_test_results")
[ "$r" = "incomplete|5" ] || fail "after kill -9: $r"
run lt-store --db "$T/kill.db" "$data"
expect_rc 0
expect_out "^recorded run $id \\(api-health-check, complete, 8 samples\\)$"
r=$(sqlite3 "$T/kill.db" "SELECT status, (SELECT count(*) FROM run_samples) FROM load_test_results")
[ "$r" = "complete|8" ] || fail "healed: $r"
# ... and once more is a no-op.
run lt-store --db "$T/kill.db" "$data"
expect_rc 0
expect_out "^already recorded run $id"
