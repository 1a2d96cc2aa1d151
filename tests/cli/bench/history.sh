# lt-regress check of bench records by their history: with five or more
# earlier results of a benchmark on the same host, its mean is judged
# against the spread of theirs (test history-t, model history), which
# sees a drift that one session's runs do not.  The records are written
# here (no timing), one session a minute on host ci-1.

# bench_rec ID MINUTE MEAN [HOST]: a bench record of command/job whose 8
# runs spread 1 % around MEAN.
bench_rec() {
	awk -v id="$1" -v min="$2" -v m="$3" -v host="${4:-ci-1}" 'BEGIN {
		split("1.01 0.99 1.005 0.995 1.01 0.99 1 1", f, " ")
		vals = ""
		for (i = 1; i <= 8; i++) vals = vals (i > 1 ? "," : "") sprintf("%.4f", m * f[i])
		printf "{\"type\":\"bench\",\"v\":1,\"bench_id\":\"%s\",\"suite\":\"command\",\"name\":\"job\",\"unit\":\"ms\",\"runs\":8,\"mean\":%.4f,\"stddev\":%.4f,\"median\":%.4f,\"min\":%.4f,\"max\":%.4f,\"better\":\"lower\",\"values\":[%s],\"started_at\":\"2026-03-01T10:%02d:00Z\",\"host\":\"%s\",\"version\":\"0.1.0\",\"session_id\":\"%s\"}\n", id, m, m * 0.008, m, m * 0.99, m * 1.01, vals, min, host, id
	}'
}

# Six sessions whose means drift between 95 and 105 ms (more than any
# session's own runs spread), and one on another host far off.
{
	bench_rec s-0 0 100
	bench_rec s-1 1 104
	bench_rec s-2 2 96
	bench_rec s-3 3 103
	bench_rec s-4 4 97
	bench_rec s-5 5 101
	bench_rec other-0 6 300 ci-2
} >"$T/past.ndjson"
run lt-store "$T/past.ndjson"
expect_rc 0
bench_rec s-0 0 100 >"$T/s-0.ndjson"
run lt-baseline set --env ci <"$T/s-0.ndjson"
expect_rc 0

# 104 ms: +4 % on the baseline, well inside the sessions' drift.
bench_rec s-6 7 104 >"$T/s-6.ndjson"
run lt-regress check --env ci <"$T/s-6.ndjson"
expect_rc 0
expect_out '"type":"verdict".*"model":"history","status":"pass"'
expect_out '"metric":"bench:command/job".*"test":"history-t".*"history_runs":6,'

# 140 ms: +40 %, far outside it: critical, an alert by history-t.
bench_rec s-7 8 140 >"$T/s-7.ndjson"
run lt-regress check --env ci <"$T/s-7.ndjson"
expect_rc 1
expect_out '^\{"type":"alert".*"metric":"bench:command/job".*"method":"history-t","severity":"critical"'
expect_out '"type":"verdict".*"model":"history","status":"critical"'
# s-7's history: s-0 .. s-6, not ci-2's result.
expect_out '"history_runs":7,'

# The next one does not count s-7 (found critical) among its history.
bench_rec s-8 9 99 >"$T/s-8.ndjson"
run lt-regress check --env ci <"$T/s-8.ndjson"
expect_rc 0
expect_out '"history_runs":7,'

# history.minRuns above the results there are: back to Welch.
echo '{"history": {"runs": 20, "minRuns": 12}}' >"$T/th.json"
bench_rec s-9 10 100 >"$T/s-9.ndjson"
run lt-regress check --env ci --thresholds "$T/th.json" <"$T/s-9.ndjson"
expect_rc 0
expect_out '"model":"baseline-run"'
expect_out '"test":"welch"'
