# lt-bench status: the running benchmark and its progress, then the last one.
export LT_BENCH_STATUS="$T/status.json"
run lt-bench status
expect_rc 0
expect_out '^no benchmark has run'
run lt-bench status --json
expect_out '^\{"state":"none"\}$'

lt-bench run --runs 4 -- sleep 0.5 > "$T/bg.out" 2>/dev/null &
pid=$!
sleep 1.2
run lt-bench status --json
expect_rc 0
expect_out '"state":"running"'
expect_out '"current":\{"suite":"command","name":"sleep 0.5","phase":"measuring","run":[2-4],"runs":4\}'
run lt-bench status
expect_out '^state +running \(pid [0-9]+\)$'
expect_out '^now +command/sleep 0\.5, measuring [2-4] of 4$'
wait $pid || fail "the background benchmark failed"
run lt-bench status
expect_rc 0
expect_out '^state +finished'
expect_out '^progress +1 of 1 benchmarks done, 0 failed, 0 skipped$'
expect_out '^last +command/sleep 0\.5 5[0-9][0-9]\.[0-9] ms$'

# Interrupted: what was measured is written, the status says so, exit 130.
lt-bench run --runs 2 -- sleep 0.2 -- sleep 5.0321 > "$T/int.out" 2>"$T/int.err" &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
rc=$?
expect_rc 130
grep -q '"name":"sleep 0.2"' "$T/int.out" || fail "the finished benchmark was not written"
grep -q 'interrupted after 1 benchmarks' "$T/int.err" || fail "no interrupt message"
run lt-bench status --json
expect_out '"state":"interrupted"'
pgrep -f '^sleep 5.0321$' >/dev/null && fail "the interrupted command is still running"
true
