# Bad usage and bad input exit 2 with a message; a failing, crashing or
# hanging command fails its benchmark (exit 1).
export LT_BENCH_STATUS="$T/status.json"
run lt-bench --help
expect_rc 0
expect_out '^usage: lt-bench list'
run lt-bench --version
expect_rc 0
expect_out '^lt-bench [0-9]'
run lt-bench
expect_rc 2
expect_err 'expected a command: list, run or status'
run lt-bench frobnicate
expect_rc 2
expect_err "unknown command 'frobnicate'"
run lt-bench run --suite nope
expect_rc 2
expect_err "lt-bench: unknown suite 'nope' \(known: database, cache, memory, concurrency, analytics, reports, http, disk, all\)"
expect_no_out
run lt-bench run --suite memory --filter 'nothing*'
expect_rc 2
expect_err "no benchmark matches 'nothing\*'"
run lt-bench run --runs 0 -- true
expect_rc 2
expect_err "--runs: expected a whole number 1 .. 100000, got '0'"
run lt-bench run --runs many -- true
expect_rc 2
run lt-bench run --min-time soon
expect_rc 2
expect_err "--min-time: expected a duration"
run lt-bench run --timeout -1 -- true
expect_rc 2
run lt-bench run sleep 1
expect_rc 2
expect_err "unexpected argument 'sleep' \(commands go after --\)"
run lt-bench run --runs 3 --
expect_rc 2
expect_err 'expected a command after --'
run lt-bench run --runs 3 -- true --
expect_rc 2
expect_err 'expected a command after --'
run lt-bench run --suite memory -- true
expect_rc 2
expect_err '--suite and --filter are for built-in benchmarks'
run lt-bench run --prepare 'true'
expect_rc 2
expect_err 'need a command'
run lt-bench run -c "echo 'unterminated"
expect_rc 2
expect_err "--command: unterminated ' quote"
run lt-bench list --runs 3
expect_rc 2
run lt-bench status extra
expect_rc 2

# A command that does not exist: nothing runs, exit 2.
run lt-bench run --runs 3 -- true -- lt-no-such-command-7c1 --flag
expect_rc 2
expect_err '^lt-bench: lt-no-such-command-7c1: command not found$'
expect_no_out

# A failing command: exit 1, the others still measured.
run lt-bench run --runs 3 -- false -- true
expect_rc 1
expect_err "lt-bench: command/false: failed: 'false' exited with status 1 on run 1 \(--ignore-failure measures it anyway\)"
expect_out_lines 1
expect_out '"name":"true"'
run lt-bench run --runs 3 -i -- false
expect_rc 0
expect_out '"failed_runs":3'

# A crash and a hang.
run lt-bench run --runs 3 -- sh -c 'kill -SEGV $$'
expect_rc 1
expect_err 'was killed by signal 11 \(Segmentation fault\) on run 1'
start=$(date +%s)
run lt-bench run --runs 3 --timeout 300ms -- sleep 10
expect_rc 1
expect_err "'sleep 10' timed out after 0.3 s on run 1 \(--timeout\)"
[ $(($(date +%s) - start)) -lt 5 ] || fail "--timeout did not stop the run"

# A --prepare that fails fails the benchmark.
run lt-bench run --runs 2 --prepare 'exit 4' -- true
expect_rc 1
expect_err 'the --prepare command exited with status 4'
