# lt-regress watch: the runs no check has seen, each checked once.  A
# database with a baseline and runs recorded with lt-store (NDJSON written
# here, no server); `watch --once` checks exactly the unchecked runs --
# not the baseline run, not a run `check` already judged, not a scenario
# without a baseline -- a second pass checks nothing, a run recorded later
# is checked by the next pass, a step in the history is one change-point
# alert, and SIGTERM stops a running `watch --interval 1` cleanly (exit
# 0).  The state is the database's: every pass is a new process.
. "$SRC/tests/cli/run/helpers.sh"
. "$SRC/tests/cli/regress/helpers.sh"

# verdicts: the run ids of the verdicts on stdout, sorted, on one line.
verdicts() {
	jget verdict run_id "$T/out" | sort | tr '\n' ' '
}

# ---- usage ----
run lt-regress watch extra
expect_rc 2
expect_err "^lt-regress watch: unexpected argument 'extra'$"
run lt-regress watch --interval 0
expect_rc 2
expect_err "^lt-regress: --interval: expected a whole number from 1 to 86400, got '0'$"
run lt-regress watch --once --notify 'carrier-pigeon:x'
expect_rc 2

# ---- svc: a baseline and four runs, one of them checked already ----
i=0
while [ $i -lt 5 ]; do
	mkrun "svc-$i" svc $i 100
	i=$((i + 1))
done >"$T/svc.ndjson"
mkrun other-0 other 0 100 >"$T/other.ndjson"
run lt-store "$T/svc.ndjson" "$T/other.ndjson"
expect_rc 0
run lt-baseline set --version 1.0 --run svc-0
expect_rc 0
run lt-regress check --run svc-1
expect_rc 0

run lt-regress watch --once
expect_rc 0
[ "$(verdicts)" = "svc-2 svc-3 svc-4 " ] || fail "first pass checked: $(verdicts)"
# Too few runs for a trend or a change point: no findings.
[ "$(grep -c '"findings":\[\]' "$T/out")" -eq 3 ] || fail "findings in a short history"
# In the order the runs started, each with its verdict stored.
[ "$(jget verdict run_id "$T/out" | tr '\n' ' ')" = "svc-2 svc-3 svc-4 " ] || fail "order: $(verdicts)"
run lt-regress report --format json svc
expect_rc 0
expect_out '"run_id":"svc-4"'

# A second pass, a new process: nothing is left to check.
run lt-regress watch --once
expect_rc 0
expect_no_out

# A run recorded after the pass, three times slower: the next pass checks
# it alone, a critical regression, alerts before the verdict.
mkrun svc-5 svc 5 300 >"$T/slow.ndjson"
run lt-store "$T/slow.ndjson"
expect_rc 0
run lt-regress watch --once
expect_rc 0
[ "$(verdicts)" = "svc-5 " ] || fail "second run checked: $(verdicts)"
[ "$(jget verdict status "$T/out")" = critical ] || fail "svc-5: $(jget verdict status "$T/out")"
head -n 1 "$T/out" | grep -q '^{"type":"alert","v":1,' || fail "no alert before the verdict"
tail -n 1 "$T/out" | grep -q '^{"type":"verdict","v":1,' || fail "the last line is not the verdict"
run lt-regress alerts --json --scenario svc
expect_out '"run_id":"svc-5"'

# The scenario without a baseline gets one: its run is checked now.
run lt-baseline set --run other-0
expect_rc 0
mkrun other-1 other 1 100 >"$T/other1.ndjson"
run lt-store "$T/other1.ndjson"
run lt-regress watch --once
expect_rc 0
[ "$(verdicts)" = "other-1 " ] || fail "other checked: $(verdicts)"

# ---- step: a baseline, twelve runs at 100 ms, then three at 140 ms:
# the change point is told once, by the check of one of the three ----
i=0
while [ $i -lt 15 ]; do
	p=100
	[ $i -ge 12 ] && p=140
	mkrun "step-$i" step $i $p
	i=$((i + 1))
done >"$T/step.ndjson"
run lt-store "$T/step.ndjson"
run lt-baseline set --run step-0
run lt-regress watch --once
expect_rc 0
[ "$(jget verdict run_id "$T/out" | wc -l)" -eq 14 ] || fail "step: $(verdicts)"
grep '"type":"alert"' "$T/out" | grep '"method":"changepoint"' |
	grep '"metric":"responseTime.p95"' >"$T/cp"
[ "$(wc -l <"$T/cp")" -eq 1 ] || fail "expected one change point on p95: $(cat "$T/cp")"
cp_run=$(jfield run_id <"$T/cp")
case $cp_run in step-12|step-13|step-14) ;; *) fail "change point told at $cp_run" ;; esac
grep '"type":"verdict"' "$T/out" | grep "\"run_id\":\"$cp_run\"" |
	grep -q '"findings":\[{[^]]*"method":"changepoint"' || fail "$cp_run's verdict lists no change point"
grep -q '"message":"responseTime.p95 changed level ' "$T/cp" || fail "message: $(cat "$T/cp")"

# ---- SIGTERM: a watcher running every second checks a new run, then
# stops cleanly ----
background lt-regress watch --interval 1 >"$T/watch.out" 2>"$T/watch.err"; pid=$bg
sleep 1
mkrun svc-6 svc 6 100 >"$T/late.ndjson"
run lt-store "$T/late.ndjson"
n=0
until grep -q '"type":"verdict".*"run_id":"svc-6"' "$T/watch.out" || [ $n -ge 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
grep -q '"run_id":"svc-6"' "$T/watch.out" || fail "the watcher did not check svc-6: $(cat "$T/watch.err")"
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "watch exited $rc on SIGTERM: $(cat "$T/watch.err")"
[ "$(grep -c '"type":"verdict"' "$T/watch.out")" -eq 1 ] || fail "watch checked more: $(cat "$T/watch.out")"
