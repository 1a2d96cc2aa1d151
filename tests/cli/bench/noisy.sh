# A command that is slow once in ten runs is flagged for outliers: in the
# record, in the warning and in the recommendations.
cat > noisy.sh <<'SH'
n=$(cat count 2>/dev/null || echo 0)
n=$((n + 1))
echo $n > count
if [ $((n % 10)) -eq 5 ]; then sleep 0.3; else sleep 0.02; fi
SH
run lt-bench run --runs 10 -- sh noisy.sh
expect_rc 0
expect_out '"name":"sh noisy.sh"'
expect_out '"outliers":1,'
expect_out '"rule":"outliers","evidence":"1 of 10 runs are outliers \(1 slower, 0 faster'
expect_err 'Warning: 1 of 10 runs are statistical outliers'
expect_err '^Recommendations$'
[ "$(cat count)" = 10 ] || fail "expected 10 runs, the counter says $(cat count)"

# A quiet command is not.
run lt-bench run --runs 10 -- sleep 0.02
expect_rc 0
expect_out '"outliers":0,'
grep -q 'statistical outliers' "$T/err" && fail "a steady command flagged for outliers"
true
