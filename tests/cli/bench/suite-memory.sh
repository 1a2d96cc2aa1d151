# A short built-in suite emits valid bench records: lt-store validates and
# records each one.
export LT_BENCH_STATUS="$T/status.json"
run sh -c 'lt-bench run --suite memory --min-time 0.05 --runs 3 | lt-store'
expect_rc 0
expect_out_lines 4
expect_out '^recorded bench [0-9a-f-]{36}$'
run lt-bench run --suite memory --min-time 0.05 --runs 3
expect_rc 0
for b in malloc_free first_touch copy fill; do
	expect_out "\"suite\":\"memory\",\"name\":\"$b\",.*\"runs\":3,"
done
expect_out '"name":"copy","unit":"MB/s",'
expect_out '"name":"malloc_free","unit":"ns",'
expect_out '"iterations":[1-9][0-9]*,'
expect_out '"params":\{"bytes":67108864\}'
# The table on stderr (stdout is a pipe).
expect_err '^BENCHMARK +MEAN'
expect_err '^memory/copy +[0-9]'

# --db records them in the database as well.
run lt-bench run --suite memory --filter fill --min-time 0.02 --runs 3 --db
expect_rc 0
id=$(sed -n 's/.*"bench_id":"\([^"]*\)".*/\1/p' "$T/out")
n=$(sqlite3 "$LT_DB" "select count(*) from benchmark_results where bench_id = '$id' and suite = 'memory' and name = 'fill' and runs = 3")
[ "$n" = 1 ] || fail "expected bench $id in benchmark_results, got '$n' rows"
run lt-bench run --suite memory --filter fill --min-time 0.02 --runs 3 --db "$T/other.db"
expect_rc 0
[ -s "$T/other.db" ] || fail "--db PATH did not create $T/other.db"
