# Concurrency soak: about a minute of everything on ONE database at once.
#   - lt-sched daemon with two schedules that fire every minute (its clock
#     set 1 s before a minute, so both fire at once and again 60 s later),
#     one through lt-regress check, one through lt-store, and lt-sched
#     run-due every 2 s on the same clock, competing for each fire time;
#   - lt-serve with a client polling its REST endpoints, a WebSocket
#     subscriber, and runs started over its API (recorded second by second);
#   - two loops of `lt-run --db` against lt-target (127.0.0.1), recording
#     runs sample by sample;
#   - lt-regress watch --interval 1, judging each run that arrives;
#   - a loop of lt-regress check and lt-baseline set;
#   - a loop of lt-store ingesting streams of 20 runs (a transaction each).
# Passes when no process printed "database is locked" (or any busy error)
# or failed because of the others; every run an lt-run reported on stdout
# is in the database, complete, with every sample it printed; PRAGMA
# integrity_check is ok; the scheduler's audit trail holds its runs; the
# WAL stays bounded (checkpoints keep up).
# Figures on stderr ("# "): writers at once, runs, samples, API requests,
# duration.  Bounded: every process is killed at the end (trap).
. "$SRC/tests/cli/serve/helpers.sh"
command -v sqlite3 >/dev/null 2>&1 || fail "sqlite3 is not installed (make deps)"
db=$LT_DB
soak_s=${LT_SOAK_SECONDS:-60}

start_target
# start_target's lt-target lives 60 s: this one lives past the soak.
kill "$target_pid" 2>/dev/null
rm -f "$T/port"
background lt-target --port-file "$T/port" --max-seconds $((soak_s + 60)) >"$T/target.out" 2>"$T/target.err"
i=0
while [ ! -s "$T/port" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/port" ] || fail "lt-target wrote no port file"
base="http://127.0.0.1:$(cat "$T/port")"

scenario() { # ID SECONDS
	cat <<JSON
{"id": "$1", "name": "$1",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/json?delay_ms=2", "weight": 3}, {"path": "/health", "weight": 1}],
            "users": {"concurrent": 2, "thinkTime": {"min": 5, "max": 20}},
            "duration": {"total": $2}}}
JSON
}
scenario soak-run 4 >"$T/run.json"
scenario soak-sched 5 >"$T/sched.json"
scenario soak-api 4 >"$T/api.json"

# Baselines first, so that watch and check have something to judge with.
lt-run -q --run-id soak-base "$T/run.json" 2>"$T/err" | lt-baseline set --db "$db" >/dev/null 2>>"$T/err" ||
	fail "baseline of soak-run: $(cat "$T/err")"
lt-run -q --run-id soak-sched-base "$T/sched.json" 2>"$T/err" | lt-baseline set --db "$db" >/dev/null 2>>"$T/err" ||
	fail "baseline of soak-sched: $(cat "$T/err")"

# ---- the scheduler: two schedules, due 2 s after it starts ----
lt-sched add --now 2030-01-01T00:00:00Z --name soak-check --scenario "$T/sched.json" \
	--schedule '* * * * *' --compare-baseline >/dev/null 2>"$T/err" || fail "lt-sched add: $(cat "$T/err")"
lt-sched add --now 2030-01-01T00:00:00Z --name soak-store --scenario "$T/sched.json" \
	--schedule '* * * * *' >/dev/null 2>"$T/err" || fail "lt-sched add: $(cat "$T/err")"

start=$(date +%s)
stop_at=$((start + soak_s))
background lt-sched daemon --poll 5 --grace 20 --now 2030-01-01T00:00:59Z >"$T/sched.out" 2>"$T/sched.err"
sched_pid=$bg

# A second scheduler on the same clock: lt-sched run-due every 2 s.  The
# lock in the database must give each fire time to one of them only.
clock0=$(date -u -d 2030-01-01T00:00:59Z +%s)
due_runner() {
	k=0
	while [ "$(date +%s)" -lt $((stop_at + 2)) ]; do
		k=$((k + 1))
		now=$(date -u -d "@$((clock0 + $(date +%s) - start))" +%Y-%m-%dT%H:%M:%SZ)
		lt-sched run-due -q --now "$now" >"$T/due-$k.out" 2>"$T/due-$k.err"
		echo "$? $k $now"
		sleep 2
	done >"$T/due.out"
}
background due_runner
due_pid=$bg

# ---- lt-serve, its pollers, a WebSocket subscriber ----
start_serve
http POST /api/load-testing/scenarios "$(cat "$T/api.json")"
expect_code 201

background ws-client -n 1000000 -w -t $((soak_s + 40)) "$sport" /api/load-testing/ws >"$T/ws.out" 2>"$T/ws.err"
ws_pid=$bg

poller() { # N: GET the read API until the end; one line per request
	paths="/health /api/load-testing/results /api/load-testing/status /api/load-testing/baselines
/api/load-testing/regression-alerts /api/load-testing/schedules /api/load-testing/scenarios
/api/load-testing/results/soak-run /api/load-testing/regression-monitoring /metrics"
	while [ "$(date +%s)" -lt "$stop_at" ]; do
		for p in $paths; do
			c=$(curl -sS --max-time 20 -o "$T/poll$1.body" -w '%{http_code}' "$api$p" 2>>"$T/poll$1.err") || c=000
			echo "$c $p"
			[ "$c" = 200 ] || { echo "--- $p: $(head -c 300 "$T/poll$1.body")" >>"$T/poll$1.err"; }
		done
	done >"$T/poll$1.out"
}
background poller 1
poll1=$bg

api_runner() { # start runs over the API, one after the other
	n=0
	while [ "$(date +%s)" -lt $((stop_at - 6)) ]; do
		c=$(curl -sS --max-time 20 -o "$T/apirun.body" -w '%{http_code}' -X POST \
			-H 'Content-Type: application/json' \
			--data-binary '{"scenarioId": "soak-api"}' "$api/api/load-testing/run") || c=000
		if [ "$c" = 202 ]; then
			n=$((n + 1))
			echo "started $(jfield runId <"$T/apirun.body")"
		elif [ "$c" != 409 ]; then
			echo "error $c $(head -c 300 "$T/apirun.body")"
		fi
		sleep 1
	done >"$T/apirun.out"
}
background api_runner
apirun_pid=$bg

# ---- the regression watcher ----
background lt-regress watch --interval 1 >"$T/watch.out" 2>"$T/watch.err"
watch_pid=$bg

# ---- two lt-run --db loops ----
runner() { # N: runs until the end, each its own stdout file
	k=0
	while [ "$(date +%s)" -lt $((stop_at - 5)) ]; do
		k=$((k + 1))
		lt-run -q --db "$db" "$T/run.json" >"$T/r$1-$k.out" 2>"$T/r$1-$k.err"
		echo "$? $T/r$1-$k"
	done >"$T/runner$1.out"
}
background runner 1
run1=$bg
background runner 2
run2=$bg

# ---- lt-regress check / lt-baseline set loop, from stored NDJSON ----
checker() {
	k=0
	while [ "$(date +%s)" -lt $((stop_at - 3)) ]; do
		k=$((k + 1))
		sed "s/\"run_id\":\"soak-base\"/\"run_id\":\"soak-check-$k\"/" "$T/base.ndjson" >"$T/check.ndjson"
		lt-regress check --db "$db" --json <"$T/check.ndjson" >"$T/check-$k.out" 2>"$T/check-$k.err"
		echo "check $? $k"
		if [ $((k % 4)) = 0 ]; then
			lt-baseline set --db "$db" --run "soak-check-$k" >/dev/null 2>"$T/baseline-$k.err"
			echo "baseline $? $k"
		fi
		sleep 0.5
	done >"$T/checker.out"
}
lt-store export --db "$db" soak-base >"$T/base.ndjson" 2>"$T/err" || fail "lt-store export: $(cat "$T/err")"
background checker
checker_pid=$bg

# ---- lt-store: streams of 20 runs of 8 samples, one transaction a run ----
ingester() {
	k=0
	while [ "$(date +%s)" -lt $((stop_at - 3)) ]; do
		k=$((k + 1))
		awk -v prefix="soak-store-$k" '
			{ line[NR] = $0 }
			END {
				for (i = 1; i <= 20; i++)
					for (j = 1; j <= NR; j++) {
						l = line[j]
						gsub(/"run_id":"[^"]*"/, "\"run_id\":\"" prefix "-" i "\"", l)
						print l
					}
			}' "$SRC/tests/data/run-small.ndjson" | lt-store -q --db "$db" >/dev/null 2>"$T/store-$k.err"
		echo "$? $k"
		sleep 0.2
	done >"$T/ingester.out"
}
background ingester
ingester_pid=$bg

# ---- while it runs: how many processes hold the database at once ----
writers_max=0 recording_max=0 wal_max=0
while [ "$(date +%s)" -lt "$stop_at" ]; do
	n=0
	for fd in /proc/[0-9]*/fd; do
		ls -l "$fd" 2>/dev/null | grep -q -- "-> $db\$" && n=$((n + 1))
	done
	[ "$n" -gt "$writers_max" ] && writers_max=$n
	# runs being recorded second by second right now
	n=$(sqlite3 -batch "$db" "SELECT count(*) FROM load_test_results WHERE status = 'incomplete'" 2>/dev/null)
	[ "${n:-0}" -gt "$recording_max" ] && recording_max=$n
	# the write-ahead log: checkpoints must keep up with the writers
	n=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
	[ "$n" -gt "$wal_max" ] && wal_max=$n
	sleep 0.3
done

wait "$run1" "$run2" "$checker_pid" "$ingester_pid" "$due_pid" "$apirun_pid" "$poll1"
# The daemon's second fire time comes at 61 s: let both schedules run it.
fires=1
[ "$soak_s" -ge 60 ] && fires=2
i=0
while [ "$i" -lt 250 ]; do
	done_n=$(sqlite3 -batch "$db" "SELECT count(*) FROM test_executions WHERE status NOT IN ('running', 'retrying')" 2>/dev/null)
	[ "${done_n:-0}" -ge $((fires * 2)) ] && break
	sleep 0.1
	i=$((i + 1))
done
kill -TERM "$sched_pid" "$watch_pid" 2>/dev/null
wait "$sched_pid"; sched_rc=$?
wait "$watch_pid"; watch_rc=$?
wait_idle 30
kill "$ws_pid" 2>/dev/null
stop_serve
duration=$(($(date +%s) - start))

# ---- the verdict ----
bad=0
complain() { echo "  $*" >&2; bad=1; }
# No busy error anywhere, from any program.
for f in "$T"/*.err; do
	if grep -Eiq 'locked|busy' "$f"; then
		complain "$(basename "$f"): $(grep -Ei 'locked|busy' "$f" | head -n 3)"
	fi
done
grep -Eiq 'locked|busy' "$T/sched.out" "$T/watch.out" && complain "lt-sched: $(grep -Ei 'locked|busy' "$T/sched.out" | head -n 3)"
[ "$sched_rc" = 0 ] || complain "lt-sched daemon exited $sched_rc: $(tail -n 5 "$T/sched.err")"
[ "$watch_rc" = 0 ] || complain "lt-regress watch exited $watch_rc: $(tail -n 5 "$T/watch.err")"
[ "$serve_rc" = 0 ] || complain "lt-serve exited $serve_rc: $(tail -n 5 "$T/serve.err")"

# Every lt-run --db run: exit 0, in the database complete with all its samples.
runs=0 samples=0
for r in $(cat "$T/runner1.out" "$T/runner2.out" | awk '{ print $1 ":" $2 }'); do
	st=${r%%:*} f=${r#*:}
	[ "$st" = 0 ] || { complain "lt-run --db ($f) exited $st: $(head -c 300 "$f.err")"; continue; }
	id=$(jget run_start run_id "$f.out")
	n=$(grep -c '"type":"sample"' "$f.out")
	[ -n "$id" ] && [ "$n" -gt 0 ] || { complain "$f: no run_id or no samples on stdout"; continue; }
	got=$(sqlite3 -batch "$db" "SELECT status, (SELECT count(*) FROM run_samples WHERE run_id = '$id') FROM load_test_results WHERE run_id = '$id'")
	[ "$got" = "complete|$n" ] || complain "run $id ($n samples on stdout) is recorded as '$got'"
	runs=$((runs + 1))
	samples=$((samples + n))
done
[ "$runs" -ge 4 ] || complain "only $runs lt-run --db runs in ${soak_s} s"

# The check loop: every check and baseline succeeded (a check may find a regression: 1).
checks=$(grep -c '^check' "$T/checker.out")
awk '$2 != 0 && !($1 == "check" && $2 == 1) { exit 1 }' "$T/checker.out" ||
	complain "check loop: $(awk '$2 != 0 && !($1 == "check" && $2 == 1)' "$T/checker.out" | head -n 3) $(cat "$T"/check-*.err "$T"/baseline-*.err | head -n 5)"
# lt-store: every stream recorded whole.
ingests=$(wc -l <"$T/ingester.out")
awk '$1 != 0 { exit 1 }' "$T/ingester.out" || complain "lt-store: $(awk '$1 != 0' "$T/ingester.out" | head -n 3) $(cat "$T"/store-*.err | head -n 5)"
r=$(sqlite3 -batch "$db" "SELECT count(*) FROM load_test_results r WHERE run_id LIKE 'soak-store-%' AND (status != 'complete' OR (SELECT count(*) FROM run_samples s WHERE s.run_id = r.run_id) != 8)")
[ "$r" = 0 ] || complain "lt-store: $r runs recorded in part"
stored=$(sqlite3 -batch "$db" "SELECT count(*) FROM load_test_results WHERE run_id LIKE 'soak-store-%'")
[ "$stored" = $((ingests * 20)) ] || complain "lt-store: $stored runs recorded of $((ingests * 20))"
# The API runs: started, complete in the database.
api_runs=$(grep -c '^started' "$T/apirun.out")
grep -q '^error' "$T/apirun.out" && complain "POST /run: $(grep '^error' "$T/apirun.out" | head -n 3)"
for id in $(awk '/^started/ { print $2 }' "$T/apirun.out"); do
	got=$(sqlite3 -batch "$db" "SELECT status FROM load_test_results WHERE run_id = '$id'")
	[ "$got" = complete ] || complain "API run $id is recorded as '$got'"
done
# The pollers: every request answered 200.
requests=$(wc -l <"$T/poll1.out")
non200=$(grep -vc '^200 ' "$T/poll1.out")
[ "$non200" = 0 ] || complain "$non200 of $requests polls not 200: $(grep -v '^200 ' "$T/poll1.out" | sort | uniq -c | head -n 5) $(head -c 500 "$T/poll1.err")"
[ "$requests" -ge 50 ] || complain "only $requests API requests"
ws_msgs=$(wc -l <"$T/ws.out")
grep -q '"type":"sample"' "$T/ws.out" && grep -q '"type":"summary"' "$T/ws.out" ||
	complain "the WebSocket subscriber got no sample or summary ($ws_msgs messages)"
# The scheduler's audit trail: both schedules ran, both fire times each.
lt-sched history --json --limit 0 >"$T/history" 2>"$T/err" || complain "lt-sched history: $(cat "$T/err")"
grep -Eiq 'locked|busy' "$T/history" && complain "an execution's stderr: $(grep -Ei 'locked|busy' "$T/history" | head -c 600)"
# success, or regression: a verdict of lt-regress check on a 5 s run, not a failure to run.
sched_runs=$(grep -Ec '"status":"(success|regression)"' "$T/history")
sched_bad=$(grep -Evc '"status":"(success|regression)"' "$T/history")
[ "$sched_bad" = 0 ] || complain "scheduler executions that failed: $(grep -Ev '"status":"(success|regression)"' "$T/history" | head -c 600)"
for s in soak-check soak-store; do
	n=$(grep -Ec "\"schedule\":\"$s\".*\"status\":\"(success|regression)\"" "$T/history")
	[ "$n" -ge "$fires" ] || complain "schedule $s: $n executions in the audit trail, expected its $fires fire times"
done
# One execution per schedule and fire time, whichever scheduler ran it.
dups=$(awk "$JSON_AWK"'{ k = jpath($0, "schedule") " " jpath($0, "fire_time") " " jpath($0, "attempt"); if (seen[k]++) print k }' "$T/history")
[ -z "$dups" ] || complain "fire times run twice: $dups"
# run-due: 0, or 1 for a regression it found; never an error.
dues=$(wc -l <"$T/due.out")
awk '$1 != 0 && $1 != 1 { exit 1 }' "$T/due.out" || complain "lt-sched run-due: $(awk '$1 != 0 && $1 != 1' "$T/due.out" | head -n 3)"
for id in $(jget execution run_id "$T/history"); do
	got=$(sqlite3 -batch "$db" "SELECT status FROM load_test_results WHERE run_id = '$id'")
	[ "$got" = complete ] || complain "scheduled run $id is recorded as '$got'"
done
# The watcher judged runs.
verdicts=$(grep -c '"type":"verdict"' "$T/watch.out")
[ "$verdicts" -ge 1 ] || complain "lt-regress watch judged nothing: $(tail -n 5 "$T/watch.err")"
# Checkpoints kept up: the WAL did not grow without bound (the automatic
# checkpoint runs at 4 MiB; readers that never let go would stop it).
[ "$wal_max" -le $((64 * 1024 * 1024)) ] || complain "the WAL grew to $wal_max bytes"
r=$(sqlite3 -batch "$db" 'PRAGMA integrity_check' 2>&1)
[ "$r" = ok ] || complain "integrity_check: $r"
r=$(sqlite3 -batch "$db" 'PRAGMA foreign_key_check' 2>&1)
[ -z "$r" ] || complain "foreign_key_check: $r"

total_runs=$(sqlite3 -batch "$db" 'SELECT count(*) FROM load_test_results')
total_samples=$(sqlite3 -batch "$db" 'SELECT count(*) FROM run_samples')
echo "# soak: ${duration} s; at most $writers_max processes held the database open at once, $recording_max runs were being recorded at once; the WAL reached $((wal_max / 1024)) KiB" >&2
echo "# lt-run --db: $runs runs, $samples samples, all recorded; API runs: $api_runs; scheduled: $sched_runs (daemon and $dues run-due passes); checks: $checks; lt-store: $stored runs in $ingests streams; watch verdicts: $verdicts" >&2
echo "# database: $total_runs runs, $total_samples samples; lt-serve: $requests API requests polled, $ws_msgs WebSocket messages" >&2
[ "$bad" = 0 ] || exit 1
