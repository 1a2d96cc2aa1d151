# A database locked by another writer: lt-sched waits --busy-timeout, then
# says so and exits 2 (lt-db(5): "database is locked"), with nothing
# changed; once the lock is gone the same commands work.
command -v sqlite3 >/dev/null 2>&1 || fail "sqlite3 is not installed (make deps)"
cat >"$T/s.json" <<'JSON'
{"id": "s", "name": "s", "config": {"baseUrl": "http://127.0.0.1:9", "endpoints": [{"path": "/"}],
 "users": {"concurrent": 1}, "duration": {"total": 1}}}
JSON
lt-sched add --now 2030-01-01T00:00:00Z --name a --scenario "$T/s.json" --schedule @hourly >/dev/null ||
	fail "add"
# Another writer holds the write lock until $T/release (60 s at most): not
# a fixed 3 s, which valgrind's pace (make check VALGRIND=1) outlasts.
(echo 'BEGIN IMMEDIATE; INSERT INTO schedule_locks VALUES ("x", "y", NULL, "test", "z");';
 i=0; while [ ! -e "$T/release" ] && [ "$i" -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
 echo 'ROLLBACK;') | sqlite3 "$LT_DB" &
holder=$!
sleep 0.5
run lt-sched add --busy-timeout 300ms --name b --scenario "$T/s.json" --schedule @daily
expect_rc 2; expect_err 'lt-sched: .*lt.db: .*database is locked'
run lt-sched run-due --busy-timeout 300ms --now 2030-01-01T01:00:30Z
expect_rc 2; expect_err 'database is locked'; expect_no_out
run lt-sched disable --busy-timeout 300ms a
expect_rc 2; expect_err 'database is locked'
# Readers are not held up (WAL).
run lt-sched list
expect_rc 0; expect_out '^a +yes'
touch "$T/release"
wait "$holder"
run lt-sched list
expect_out_lines 2
run lt-sched history
expect_rc 0; expect_no_out
