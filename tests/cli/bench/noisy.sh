# A command that is slow once in ten runs is flagged for outliers: in the
# record, in the warning and in the recommendations.
export LT_BENCH_STATUS="$T/status.json"
cat > noisy.sh <<'SH'
n=$(cat count 2>/dev/null || echo 0)
n=$((n + 1))
echo $n > count
if [ $((n % 10)) -eq 5 ]; then sleep 0.3; else sleep 0.02; fi
SH
run lt-bench run --runs 10 -- sh noisy.sh
expect_rc 0
expect_out '"name":"sh noisy.sh"'
# At least the slow run; a loaded machine may slow another one too, or
# (rarely) speed one up by more than 5 %.
expect_out '"outliers":[1-3],'
expect_out '"rule":"outliers","evidence":"[1-3] of 10 runs are outliers \([1-3] slower, [0-1] faster'
expect_err 'Warning: [1-3] of 10 runs are statistical outliers'
expect_err '^Recommendations$'
[ "$(cat count)" = 10 ] || fail "expected 10 runs, the counter says $(cat count)"

# A steady command is not.  A loaded machine can stall any run, so one
# clean attempt in five suffices (after a warm-up run, which takes the
# cold start); a detector that flags everything fails.
clean=no
for attempt in 1 2 3 4 5; do
	run lt-bench run --runs 10 --warmup 1 -- sleep 0.05
	expect_rc 0
	if grep -q '"outliers":0,' "$T/out" && ! grep -q 'statistical outliers' "$T/err"; then
		clean=yes
		break
	fi
done
[ "$clean" = yes ] || fail "a steady command flagged for outliers in 5 attempts"
