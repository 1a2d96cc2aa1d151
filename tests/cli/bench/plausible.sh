# Every built-in benchmark runs (--quick), its record is valid, and its
# figure is plausible for a machine: ranges wide enough for a loaded CI box
# or a sanitizer build, narrow enough that a broken benchmark (a loop the
# compiler removed, a unit off by 1000, a working set that is not walked)
# falls outside.  Cache latency must grow with the working set.
export LT_BENCH_STATUS="$T/status.json"
mkdir "$T/tmp"
export TMPDIR="$T/tmp"
run lt-bench run --quick
expect_rc 0
cp "$T/out" "$T/all.ndjson"
n=$(wc -l < "$T/all.ndjson")
expected=$(lt-bench list --json | wc -l)
[ "$n" -eq "$expected" ] || fail "expected $expected records, got $n"
run lt-store "$T/all.ndjson"
expect_rc 0
[ "$(grep -c '^recorded bench ' "$T/out")" -eq "$n" ] || fail "lt-store did not record them all"

# median SUITE/NAME: that benchmark's median
median() {
	suite=${1%/*} name=${1#*/}
	grep "\"suite\":\"$suite\",\"name\":\"$name\"," "$T/all.ndjson" |
		sed -n 's/.*"median":\([-0-9.e+]*\),.*/\1/p'
}
# within SUITE/NAME LOW HIGH
within() {
	v=$(median "$1")
	[ -n "$v" ] || fail "$1: no record"
	awk -v v="$v" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }' ||
		fail "$1: median $v outside $2 .. $3"
	echo "$1 $v" >&2
}
# less SUITE/NAME FACTOR SUITE/NAME: the first's median times FACTOR is
# below the second's
less() {
	a=$(median "$1") b=$(median "$3")
	awk -v a="$a" -v f="$2" -v b="$b" 'BEGIN { exit !(a * f < b) }' ||
		fail "$1 ($a) x $2 is not below $3 ($b)"
}

within database/insert 0.05 1000
within database/query_indexed 0.1 5000
within database/commit 10 10000000
within database/ingest_bench 1 100000
within cache/latency_16KiB 0.1 50
within cache/latency_128MiB 10 5000
less cache/latency_16KiB 1 cache/latency_512KiB
less cache/latency_512KiB 1 cache/latency_128MiB
less cache/latency_16KiB 3 cache/latency_128MiB
within cache/read_16KiB 500 1000000
within cache/read_128MiB 300 500000
within memory/malloc_free 1 10000
within memory/first_touch 10 200000
within memory/copy 300 500000
within memory/fill 300 500000
within concurrency/mutex_uncontended 1 2000
within concurrency/mutex_handoff 0.05 10000
within concurrency/thread_spawn 1 100000
within concurrency/scaling_1t 1000 1000000000
grep -q '"name":"scaling_2t",.*"params":{"threads":2}.*"efficiency":' "$T/all.ndjson" ||
	fail "scaling_2t: no threads or efficiency"
within analytics/hist_record 10 1000000
within analytics/hist_merge 0.01 100000
within analytics/hist_percentiles 0.01 100000
within analytics/bench_stats 0.5 10000
within analytics/stats_describe 0.1 10000
within analytics/stats_welch 10 1000000
within analytics/stats_mann_whitney 0.5 100000
within analytics/stats_mann_kendall 1 100000
within analytics/stats_sen 1 100000
within analytics/stats_pearson 10 1000000
within analytics/stats_spearman 0.5 100000
within analytics/stats_bootstrap_mean 0.5 100000
within analytics/stats_bootstrap_p99 0.01 10000
within reports/summary_render 10 10000000
within reports/summary_read 10 10000000
within reports/alert_render 0.5 100000
within http/loopback_rps 100 10000000
grep -q '"name":"loopback_rps",.*"latency_ms":{"p50":' "$T/all.ndjson" || fail "http: no latency"
within disk/fsync 0.0001 2000
within disk/seq_write 5 1000000
within disk/seq_read 5 1000000
# Nothing is left in the scratch space.
[ -z "$(ls -A "$T/tmp")" ] || fail "scratch left behind: $(ls -A "$T/tmp")"
