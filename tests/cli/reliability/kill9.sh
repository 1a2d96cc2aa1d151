# kill -9 at random moments: 62 kills of lt-run --db (against lt-target),
# lt-store ingesting a big stream (from a file and from a pipe),
# lt-regress check and lt-sched run-due.  After every kill the database passes
# `PRAGMA integrity_check` and `PRAGMA foreign_key_check`, no run shows as
# complete without its summary, and the command's work is all there or
# not there:
#   lt-run --db      every sample lt-run had written to stdout before the
#                    kill is in run_samples (it records second by second);
#   lt-store         every run is complete with all its samples, or
#                    incomplete with the first samples of its stream (it
#                    records as it reads; the summary completes a run in
#                    one transaction), and at most the one run being read
#                    is incomplete;
#   lt-regress check the run it was given is absent, complete with all
#                    its samples, or incomplete with its first samples.
# The next command on the same database works: each iteration is the
# next command of the one before, and a last uninterrupted run of each
# program must succeed and record everything.  The kill delays are drawn
# from /dev/urandom and printed with any failure, so a failure can be
# replayed by hand.  Bounded: about a minute in all.
command -v sqlite3 >/dev/null 2>&1 || fail "sqlite3 is not installed (make deps)"
command -v curl >/dev/null 2>&1 || fail "curl is not installed (make deps)"

pids=
trap 'kill $pids 2>/dev/null' EXIT

# rand N: a random integer in 0..N-1.
rand() {
	od -An -N4 -tu4 /dev/urandom | awk -v n="$1" '{ print $1 % n }'
}

# kill_after MS PID: SIGKILL PID after MS milliseconds and reap it; adds 1
# to $hits when the process was still running.
kill_after() {
	sleep "$(awk -v ms="$1" 'BEGIN { printf "%.3f", ms / 1000 }')"
	if kill -9 "$2" 2>/dev/null; then
		hits=$((hits + 1))
	fi
	wait "$2" 2>/dev/null
	kills=$((kills + 1))
}

# sql DB QUERY: one value (waiting, as lt does, for a writer that holds
# the database: a pipeline a killed lt-sched left behind may be recording)
sql() {
	sqlite3 -batch -cmd '.timeout 10000' "$1" "$2" 2>&1
}

# db_intact DB WHAT: the checks every database must pass after a kill.
db_intact() {
	r=$(sql "$1" 'PRAGMA integrity_check')
	[ "$r" = ok ] || { check_fail "$2" "integrity_check: $r"; return 1; }
	r=$(sql "$1" 'PRAGMA foreign_key_check')
	[ -z "$r" ] || { check_fail "$2" "foreign_key_check: $r"; return 1; }
	r=$(sql "$1" "SELECT count(*) FROM load_test_results WHERE status = 'complete' AND summary IS NULL")
	[ "$r" = 0 ] || { check_fail "$2" "$r runs complete without a summary"; return 1; }
	return 0
}

# the t of each whole sample line of an NDJSON file (a line the kill cut
# short does not count: it was never written), as %g
sample_ts() {
	awk '/"type":"sample"/ { if (match($0, /"t":[0-9.]+/)) printf "%g\n", substr($0, RSTART + 4, RLENGTH - 4) }' "$1" |
		if [ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" != '\n' ]; then sed '$d'; else cat; fi
}

# now_ms: milliseconds since the epoch (GNU date)
now_ms() {
	date +%s%3N
}

# trickle FILE: write FILE a line every 30 ms, as a live `lt-run |` does a
# line a second.
trickle() {
	while IFS= read -r line; do
		printf '%s\n' "$line" || return
		sleep 0.03
	done <"$1"
}

kills=0 hits=0 failed_before=$CHECK_FAILED

# ---- lt-run --db -------------------------------------------------------
rm -f "$T/port"
lt-target --port-file "$T/port" --max-seconds 200 >"$T/target.out" 2>"$T/target.err" &
pids="$pids $!"
i=0
while [ ! -s "$T/port" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/port" ] || fail "lt-target wrote no port file: $(cat "$T/target.err")"
base="http://127.0.0.1:$(cat "$T/port")"
cat >"$T/sc.json" <<JSON
{"id": "kill9", "name": "kill9",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/json?delay_ms=2"}],
            "users": {"concurrent": 2}, "duration": {"total": 3}}}
JSON
db="$T/run.db"
k0=$kills h0=$hits samples=0 lost=0

# wait_samples FILE N: until FILE holds N sample lines (10 s at most)
wait_samples() {
	n=0
	while [ "$(grep -c '"type":"sample"' "$1" 2>/dev/null)" -lt "$2" ] && [ "$n" -lt 500 ]; do
		sleep 0.02
		n=$((n + 1))
	done
}

# One kill not left to chance: while another writer holds the database,
# lt-run cannot record its next second; killed then, that second must
# not be on its stdout either (record first, then print).
what="lt-run --db, killed while another process holds the database"
: >"$T/run.out"
lt-run -q --db "$db" --run-id kill9-busy "$T/sc.json" >>"$T/run.out" 2>"$T/run.err" &
busy=$!
wait_samples "$T/run.out" 1
(echo 'BEGIN IMMEDIATE;'; sleep 3; echo 'COMMIT;') | sqlite3 -batch "$db" &
holder=$!
wait_samples "$T/run.out" 2
sleep 0.3
kill_after 0 $busy
wait "$holder"
if db_intact "$db" "$what"; then
	sample_ts "$T/run.out" | sort -u >"$T/out.t"
	sql "$db" "SELECT t FROM run_samples WHERE run_id = 'kill9-busy'" |
		awk '{ printf "%g\n", $1 }' | sort -u >"$T/db.t"
	missing=$(comm -23 "$T/out.t" "$T/db.t" | tr '\n' ' ')
	[ -z "$missing" ] || check_fail "$what" "samples on stdout but not in the database: t = $missing"
	samples=$((samples + $(wc -l <"$T/out.t")))
	lost=$((lost + $(comm -23 "$T/out.t" "$T/db.t" | wc -l)))
fi

for i in $(seq 1 16); do
	ms=$((50 + $(rand 3300)))
	what="lt-run --db, kill $i after $ms ms"
	lt-run -q --db "$db" --run-id "kill9-$i" "$T/sc.json" >"$T/run.out" 2>"$T/run.err" &
	kill_after "$ms" $!
	db_intact "$db" "$what" || continue
	sample_ts "$T/run.out" | sort -u >"$T/out.t"
	sql "$db" "SELECT t FROM run_samples WHERE run_id = 'kill9-$i'" |
		awk '{ printf "%g\n", $1 }' | sort -u >"$T/db.t"
	missing=$(comm -23 "$T/out.t" "$T/db.t" | tr '\n' ' ')
	[ -z "$missing" ] || check_fail "$what" "samples on stdout but not in the database: t = $missing"
	samples=$((samples + $(wc -l <"$T/out.t")))
	lost=$((lost + $(comm -23 "$T/out.t" "$T/db.t" | wc -l)))
done
# The next lt-run on the database runs to its end and records it all.
run lt-run -q --db "$db" --run-id kill9-after "$T/sc.json"
[ "$rc" = 0 ] || check_fail "lt-run --db after the kills" "exit $rc: $(cat "$T/err")"
r=$(sql "$db" "SELECT status, summary IS NOT NULL, (SELECT count(*) FROM run_samples WHERE run_id = 'kill9-after') FROM load_test_results WHERE run_id = 'kill9-after'")
[ "$r" = "complete|1|$(sample_ts "$T/out" | wc -l)" ] ||
	check_fail "lt-run --db after the kills" "recorded as $r"
run lt-store list --db "$db" --limit 0
[ "$rc" = 0 ] || check_fail "lt-store list after the kills" "exit $rc: $(cat "$T/err")"
echo "# lt-run --db: $((kills - k0)) kills ($((hits - h0)) while running), $samples samples on stdout, $lost of them not recorded" >&2
[ "$CHECK_FAILED" = "$failed_before" ] && check_ok "lt-run --db survives $((kills - k0)) kills"

# ---- lt-store ----------------------------------------------------------
# A stream of $runs runs of tests/data/run-small.ndjson (8 samples each),
# under run ids of their own: prefix-1 .. prefix-N.
big_stream() {
	awk -v n="$runs" -v prefix="$1" '
		{ line[NR] = $0 }
		END {
			for (i = 1; i <= n; i++)
				for (j = 1; j <= NR; j++) {
					l = line[j]
					gsub(/"run_id":"[^"]*"/, "\"run_id\":\"" prefix "-" i "\"", l)
					print l
				}
		}' "$SRC/tests/data/run-small.ndjson"
}
runs=100 partial=0
db="$T/store.db" failed_before=$CHECK_FAILED
k0=$kills h0=$hits
mkfifo "$T/fifo" || fail "mkfifo"
# An ingest left alone, to time it: the kills land within its length.
big_stream s0 >"$T/big.ndjson"
start=$(now_ms)
run lt-store -q --db "$db" "$T/big.ndjson"
[ "$rc" = 0 ] || fail "lt-store: exit $rc"
took=$(($(now_ms) - start + 1))
for i in $(seq 1 17); do
	big_stream "s$i" >"$T/big.ndjson"
	ms=$(rand $((took * 3 / 4 + 1)))
	if [ $((i % 2)) = 1 ]; then
		what="lt-store FILE, kill $i after $ms ms"
		lt-store -q --db "$db" "$T/big.ndjson" >/dev/null 2>"$T/store.err" &
		kill_after "$ms" $!
	else
		what="lt-store from a pipe, kill $i after $ms ms"
		lt-store -q --db "$db" <"$T/fifo" >/dev/null 2>"$T/store.err" &
		store=$!
		cat "$T/big.ndjson" >"$T/fifo" 2>/dev/null &
		cat_pid=$!
		kill_after "$ms" $store
		kill "$cat_pid" 2>/dev/null
		wait "$cat_pid" 2>/dev/null
	fi
	db_intact "$db" "$what" || continue
	r=$(sql "$db" "SELECT count(*) FROM load_test_results r WHERE status = 'complete' AND (SELECT count(*) FROM run_samples s WHERE s.run_id = r.run_id) != 8")
	[ "$r" = 0 ] || check_fail "$what" "$r complete runs without all their samples"
	# An incomplete run holds t = 1 .. k, the first k samples of the file.
	r=$(sql "$db" "SELECT count(*) FROM load_test_results r WHERE status = 'incomplete' AND (SELECT count(*) != coalesce(max(t), 0) OR count(*) > 8 FROM run_samples s WHERE s.run_id = r.run_id)")
	[ "$r" = 0 ] || check_fail "$what" "$r incomplete runs whose samples are not the first of their stream"
	r=$(sql "$db" "SELECT count(*) FROM load_test_results WHERE run_id LIKE 's$i-%' AND status != 'complete'")
	[ "$r" -le 1 ] || check_fail "$what" "$r runs of the stream left incomplete (at most the one being read may be)"
	partial=$((partial + r))
done
# The next lt-store records the whole of a stream the kills cut short.
big_stream s1 >"$T/big.ndjson"
run lt-store -q --db "$db" "$T/big.ndjson"
[ "$rc" = 0 ] || check_fail "lt-store after the kills" "exit $rc: $(cat "$T/err")"
r=$(sql "$db" "SELECT count(*) FROM load_test_results WHERE run_id LIKE 's1-%' AND status = 'complete' AND summary IS NOT NULL AND (SELECT count(*) FROM run_samples s WHERE s.run_id = load_test_results.run_id) = 8")
[ "$r" = "$runs" ] || check_fail "lt-store after the kills" "$r of $runs runs recorded whole"
stored=$(sql "$db" "SELECT count(*) FROM load_test_results WHERE status = 'complete'")
echo "# lt-store: $((kills - k0)) kills ($((hits - h0)) while running), $stored runs recorded whole, $partial left incomplete with their first samples" >&2
[ "$CHECK_FAILED" = "$failed_before" ] && check_ok "lt-store survives $((kills - k0)) kills"

# ---- lt-regress check ---------------------------------------------------
# A run of 12 steady seconds from tests/data/run-small.ndjson: long enough
# for the statistical model to judge it.
long_run() {
	awk -v id="$1" -v n=12 '
		/"type":"run_start"/ { start = $0 }
		/"type":"sample"/ && /"phase":"steady"/ && !sample { sample = $0 }
		/"type":"summary"/ { summary = $0 }
		END {
			gsub(/"run_id":"[^"]*"/, "\"run_id\":\"" id "\"", start)
			gsub(/"run_id":"[^"]*"/, "\"run_id\":\"" id "\"", sample)
			gsub(/"run_id":"[^"]*"/, "\"run_id\":\"" id "\"", summary)
			sub(/"duration_s":[0-9.]*/, "\"duration_s\":" n, summary)
			print start
			for (t = 0; t < n; t++) {
				s = sample
				sub(/"t":[0-9.]*/, "\"t\":" t, s)
				print s
			}
			print summary
		}' "$SRC/tests/data/run-small.ndjson"
}
db="$T/regress.db" failed_before=$CHECK_FAILED
k0=$kills h0=$hits
long_run kill9-base >"$T/base.ndjson"
run lt-baseline set --db "$db" <"$T/base.ndjson"
[ "$rc" = 0 ] || fail "lt-baseline set: exit $rc"
# A check left alone, to time it.
long_run check-0 >"$T/check.ndjson"
start=$(now_ms)
run lt-regress check --db "$db" <"$T/check.ndjson"
[ "$rc" = 0 ] || fail "lt-regress check: exit $rc"
took=$(($(now_ms) - start + 1))
lines=$(wc -l <"$T/check.ndjson")
for i in $(seq 1 16); do
	long_run "check-$i" >"$T/check.ndjson"
	if [ $((i % 2)) = 1 ]; then
		ms=$(rand "$took")
		what="lt-regress check <FILE, kill $i after $ms ms"
		lt-regress check --db "$db" <"$T/check.ndjson" >/dev/null 2>"$T/check.err" &
		kill_after "$ms" $!
	else
		# from a live pipe: the kill may come while it reads
		ms=$(rand $((took + 30 * lines)))
		what="lt-regress check from a pipe, kill $i after $ms ms"
		lt-regress check --db "$db" <"$T/fifo" >/dev/null 2>"$T/check.err" &
		check=$!
		trickle "$T/check.ndjson" >"$T/fifo" 2>/dev/null &
		feeder=$!
		kill_after "$ms" $check
		kill "$feeder" 2>/dev/null
		wait "$feeder" 2>/dev/null
	fi
	db_intact "$db" "$what" || continue
	# Absent, complete, or incomplete with its first samples (t = 0 .. k-1).
	r=$(sql "$db" "SELECT status, summary IS NOT NULL, count(s.t), CAST(coalesce(max(s.t) + 1, 0) AS INTEGER) FROM load_test_results r LEFT JOIN run_samples s ON s.run_id = r.run_id WHERE r.run_id = 'check-$i' GROUP BY r.run_id")
	case $r in
	'' | 'complete|1|12|12') ;;
	incomplete\|0\|*)
		k=$(echo "$r" | cut -d'|' -f3)
		[ "$r" = "incomplete|0|$k|$k" ] || check_fail "$what" "the run is recorded as $r (not its first samples)" ;;
	*) check_fail "$what" "the run is recorded as $r" ;;
	esac
done
# The next check of a run the kills cut short works.
long_run check-1 >"$T/check.ndjson"
run lt-regress check --db "$db" --json <"$T/check.ndjson"
[ "$rc" = 0 ] || check_fail "lt-regress check after the kills" "exit $rc: $(cat "$T/err")"
grep -q '"type":"verdict".*"status":"pass"' "$T/out" ||
	check_fail "lt-regress check after the kills" "no passing verdict: $(head -c 300 "$T/out")"
echo "# lt-regress check: $((kills - k0)) kills ($((hits - h0)) while running)" >&2
[ "$CHECK_FAILED" = "$failed_before" ] && check_ok "lt-regress check survives $((kills - k0)) kills"

# ---- lt-sched -------------------------------------------------------------
# lt-sched run-due killed at random moments of an execution: while it takes
# the fire time's lock, while its lt-run | lt-store pipeline runs (in a
# process group of its own, which ends by itself and records its run), or
# while it records the attempt.  Each kill hits a new fire time (minute i
# of a fixed day), so every pass has work.  Afterwards: the database is
# intact, an attempt recorded "success" has its run complete, a fire time
# holds at most one lock, and the next pass runs: it records an attempt
# the kill left "running" as failed ("abandoned") and runs its own fire
# time to success.
db="$T/sched.db" failed_before=$CHECK_FAILED
k0=$kills h0=$hits
cat >"$T/sched.json" <<JSON
{"id": "kill9-sched", "name": "kill9 sched",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/json?delay_ms=2"}],
            "users": {"concurrent": 1}, "duration": {"total": 1}}}
JSON
run lt-sched add --db "$db" --now 2030-01-01T00:00:00Z --name k9 --scenario "$T/sched.json" \
	--schedule '* * * * *'
[ "$rc" = 0 ] || fail "lt-sched add: exit $rc: $(cat "$T/err")"
# A pass left alone, to time it.
start=$(now_ms)
run lt-sched run-due --db "$db" -q --now 2030-01-01T01:00:01Z
[ "$rc" = 0 ] || fail "lt-sched run-due: exit $rc: $(cat "$T/err")"
took=$(($(now_ms) - start + 1))
# sched_settled: wait (5 s at most) for the pipelines a killed lt-sched
# left behind to finish, so that the next check sees their end.
sched_settled() {
	n=0
	while { pgrep -x lt-run || pgrep -x lt-store; } >/dev/null 2>&1 && [ "$n" -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
}
for i in $(seq 1 12); do
	ms=$(rand "$took")
	minute=$(printf '%02d' "$i")
	what="lt-sched run-due, kill $i after $ms ms"
	lt-sched run-due --db "$db" -q --now "2030-01-01T02:$minute:01Z" >/dev/null 2>"$T/sched.err" &
	kill_after "$ms" $!
	sched_settled
	db_intact "$db" "$what" || continue
	r=$(sql "$db" "SELECT count(*) FROM test_executions e WHERE e.status = 'success' AND NOT EXISTS (SELECT 1 FROM load_test_results r WHERE r.run_id = e.run_id AND r.status = 'complete' AND r.summary IS NOT NULL)")
	[ "$r" = 0 ] || check_fail "$what" "$r successful attempts without their run recorded complete"
	r=$(sql "$db" "SELECT count(*) FROM (SELECT schedule, fire_time FROM schedule_locks GROUP BY schedule, fire_time HAVING count(*) > 1)")
	[ "$r" = 0 ] || check_fail "$what" "$r fire times locked twice"
done
# The next pass works: attempts left running are closed, its own fire
# time runs to success.
run lt-sched run-due --db "$db" --now 2030-01-01T03:00:01Z
[ "$rc" = 0 ] || check_fail "lt-sched run-due after the kills" "exit $rc: $(cat "$T/err")"
r=$(sql "$db" "SELECT count(*) FROM test_executions WHERE status = 'running'")
[ "$r" = 0 ] || check_fail "lt-sched run-due after the kills" "$r attempts still shown running"
r=$(sql "$db" "SELECT e.status FROM test_executions e JOIN schedule_locks l ON l.execution_id = e.execution_id WHERE l.fire_time LIKE '2030-01-01T03:00%' ORDER BY e.attempt DESC LIMIT 1")
[ "$r" = success ] || check_fail "lt-sched run-due after the kills" "its own fire time: '$r' ($(cat "$T/err"))"
run lt-sched history --db "$db" --limit 0
[ "$rc" = 0 ] || check_fail "lt-sched history after the kills" "exit $rc: $(cat "$T/err")"
ok_runs=$(sql "$db" "SELECT count(*) FROM test_executions WHERE status = 'success'")
abandoned=$(sql "$db" "SELECT count(*) FROM test_executions WHERE status = 'failed' AND stderr LIKE '%abandoned%'")
echo "# lt-sched: $((kills - k0)) kills ($((hits - h0)) while running), $ok_runs attempts recorded successful, $abandoned found abandoned and closed" >&2
[ "$CHECK_FAILED" = "$failed_before" ] && check_ok "lt-sched survives $((kills - k0)) kills"

if [ "$CHECK_FAILED" = 0 ]; then
	echo "# kill9: $kills kills, $hits of them while the program ran, all survived" >&2
else
	echo "# kill9: $kills kills, $hits of them while the program ran, some NOT survived" >&2
fi
