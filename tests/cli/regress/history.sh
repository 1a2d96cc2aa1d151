# lt-regress check's history model: with five or more earlier runs of the
# scenario in the environment, a run is judged against their run-to-run
# spread (test history-t) instead of the one baseline run -- and only
# against runs that started before it, leaving out runs found critical:
# checking an old run again with --run does not measure it against what
# came later.  Runs are NDJSON written here (regress/helpers.sh: mkrun).
. "$SRC/tests/cli/run/helpers.sh"
. "$SRC/tests/cli/regress/helpers.sh"

# Six runs at a p95 of 100 ms (hours 0-5), then six at 300 ms (hours
# 6-11); all twelve are stored before any is checked.
i=0
while [ $i -lt 12 ]; do
	if [ $i -lt 6 ]; then p=100; else p=300; fi
	mkrun "svc-$i" svc $i $p
	i=$((i + 1))
done >"$T/svc.ndjson"
run lt-store "$T/svc.ndjson"
expect_rc 0
run lt-baseline set --version 1.0 --run svc-0
expect_rc 0

# p95 FIELD: FIELD of the responseTime.p95 row of the verdict on stdout.
p95() {
	jitems verdict metrics "$T/out" | awk '/"metric":"responseTime.p95"/' | jfield "$1"
}
# judged RUN MODEL HISTORY_RUNS TEST: the verdict's model, and the p95
# row's history_runs and test.
judged() {
	[ "$(jget verdict run_id "$T/out")" = "$1" ] || fail "$1: verdict of $(jget verdict run_id "$T/out")"
	[ "$(jget verdict model "$T/out")" = "$2" ] || fail "$1: model $(jget verdict model "$T/out"), expected $2"
	[ "$(p95 history_runs)" = "$3" ] || fail "$1: history_runs $(p95 history_runs), expected $3"
	[ "$(p95 test)" = "$4" ] || fail "$1: test $(p95 test), expected $4"
}

# svc-1 has one run before it: the baseline-run model (Welch), though
# ten other runs of the scenario are stored.
run lt-regress check --run svc-1
expect_rc 0
judged svc-1 baseline-run 1 welch

# svc-5: its history is svc-0 .. svc-4, not the 300 ms runs after it.
run lt-regress check --run svc-5
expect_rc 0
judged svc-5 history 5 history-t
[ "$(jget verdict status "$T/out")" = pass ] || fail "svc-5: $(jget verdict status "$T/out")"

# svc-6, the first slow run, against svc-0 .. svc-5: tripled, critical.
run lt-regress check --run svc-6
expect_rc 1
judged svc-6 history 6 history-t
[ "$(p95 severity)" = critical ] || fail "svc-6: p95 $(p95 severity)"
holds "$(p95 change_pct) > 150" || fail "svc-6: p95 change $(p95 change_pct) %"

# svc-9: eight runs before it count -- svc-6 was found critical and is
# left out, svc-7 and svc-8 are in, svc-10 and svc-11 came later.
run lt-regress check --run svc-9
judged svc-9 history 8 history-t

# The history's limit: with runs 3, the three newest earlier runs.
cat >"$T/three.json" <<'JSON'
{"history": {"runs": 3, "minRuns": 2}}
JSON
run lt-regress check --run svc-5 --thresholds "$T/three.json"
expect_rc 0
judged svc-5 history 3 history-t
