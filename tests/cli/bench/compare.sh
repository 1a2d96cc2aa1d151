# Two commands: both measured, the second carries its ratio to the first,
# and the summary says how many times faster the fastest ran.
export LT_BENCH_STATUS="$T/status.json"
run lt-bench run --runs 5 -- sleep 0.1 -- sleep 0.05
expect_rc 0
expect_out_lines 2
expect_out '"name":"sleep 0.1"'
expect_out '"name":"sleep 0.05".*"relative":\{"to":"sleep 0.1","ratio":0\.[45][0-9]*,"ci95":\['
expect_err '^Benchmark 2: sleep 0\.05$'
expect_err '^Summary$'
expect_err "^  'sleep 0\.05' ran$"
expect_err "^    (1\.[89][0-9]|2\.0[0-9]) ± 0\.[0-9]+ times faster than 'sleep 0\.1'$"

# The same with -c and names of our own.
run lt-bench run --runs 3 -n slow -n fast -c 'sleep 0.06' -c "sh -c 'sleep 0.02'"
expect_rc 0
expect_out '"name":"slow"'
expect_out '"name":"fast".*"command":\["sh","-c","sleep 0.02"\]'
expect_err "^  'fast' ran$"
expect_err "times faster than 'slow'$"
