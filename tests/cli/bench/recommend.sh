# Recommendations come with their evidence and are stored in the record:
# memory that grows from run to run, and work that lives in the kernel.
export LT_BENCH_STATUS="$T/status.json"
cat > grow.sh <<'SH'
n=$(cat count 2>/dev/null || echo 0); n=$((n + 1)); echo $n > count
s=$(head -c $((n * 3000000)) /dev/zero | tr '\0' x)
echo ${#s} > /dev/null
SH
run lt-bench run --runs 5 -- sh grow.sh
expect_rc 0
expect_out '"rule":"memory-growth","evidence":"resident memory grew from [0-9.]+ MiB to [0-9.]+ MiB over 5 runs","suggestion":"something persists'
expect_err '^Recommendations$'
expect_err '^  memory-growth: something persists'
expect_err '^    command/sh grow.sh: resident memory grew from'

# One byte per read and write: nearly all of it is system calls.
run lt-bench run --runs 3 -- dd if=/dev/zero of=/dev/null bs=1 count=300000
expect_rc 0
expect_out '"rule":"system-time","evidence":"[0-9]+ % of the CPU time is in the kernel \(sys [0-9.]+ s, user [0-9.]+ s\)"'

# A command that does little has none of them.
run lt-bench run --runs 5 --warmup 1 -- sleep 0.05
expect_rc 0
grep -q '"rule":"memory-growth"\|"rule":"system-time"' "$T/out" && fail "a sleep got a recommendation"
true
