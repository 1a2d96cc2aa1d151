# lt-store reads a stream of any length through a pipe in bounded memory
# (lt-store(1), lt-ndjson(5) RESOURCE LIMITS), stops at the first bad line
# with exit 2 naming it, and the database then holds the runs that ended
# before it, complete.  Nothing is written to disk but the database: the
# streams are generated on the fly by awk.
#
# Sizes: a stream of many 60-sample runs, $small_mb and $big_mb megabytes
# (10 and 40; 100 and 1000 with LT_TEST_SLOW=1: lt-store records samples at
# about 9 MB/s on one core, so 1 GB of runs takes minutes); 1 GB of blank
# lines and a 1 GB line, always; one run of $samples samples (20000; 200000).
data="$SRC/tests/data/run-small.ndjson"
# Under AddressSanitizer freed memory waits in a quarantine of up to 256 MB
# before reuse, so a peak RSS says how much was freed, not how much is
# held; a small quarantine keeps the figures about lt-store.
if grep -q __asan_init "$BUILD/bin/lt-store" 2>/dev/null; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
	slack=16384
else
	slack=8192
fi
if [ "${LT_TEST_SLOW:-0}" = 1 ]; then
	small_mb=100 big_mb=1000 samples=200000
else
	small_mb=10 big_mb=40 samples=20000
fi



# runs MB SAMPLES [FIRST]: copies of run-small's run (run_start, SAMPLES
# steady samples t = 1.. made from its t = 3 sample, summary), each with its
# own run id numbered from FIRST (default 1), until MB megabytes are out
# (SAMPLES 0 with MB 0: one run).  The number of runs goes to $T/runs.n.
runs() {
	awk -v mb="$1" -v samples="$2" -v first="${3:-1}" -v count="$T/runs.n" '
	function id(k) { return sprintf("6b1f7a52-3c4d-4e8f-9a0b-%012d", k) }
	NR == 1 { start = $0; next }
	NR == 4 { s = $0; next }
	/"type":"summary"/ { sum = $0 }
	END {
		old = "6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b"
		i = index(s, "\"t\":3,"); pre = substr(s, 1, i + 3); post = substr(s, i + 5)
		limit = mb * 1000000
		k = first
		do {
			r = id(k)
			line = start; sub(old, r, line); print line; bytes += length(line) + 1
			p = pre; sub(old, r, p)
			for (t = 1; t <= samples; t++) { line = p t post; print line; bytes += length(line) + 1 }
			line = sum; sub(old, r, line); print line; bytes += length(line) + 1
			k++
		} while (bytes < limit)
		print k - first > count
	}' "$data"
}

holds() {
	awk "BEGIN { exit !($1) }"
}

mkfifo "$T/fifo" || fail "mkfifo"

# 1. Many runs: each is recorded as it is read and forgotten at its
# summary, so memory does not grow with the stream.
for mb in "$small_mb" "$big_mb"; do
	runs "$mb" 60 >"$T/fifo" &
	peak_kb lt-store -q --db "$T/runs$mb.db" <"$T/fifo"
	wait
	expect_rc 0
	n=$(cat "$T/runs.n")
	stored=$(lt-store list --db "$T/runs$mb.db" --json --limit 0 | grep -c '"status":"complete"')
	[ "$stored" = "$n" ] || fail "$mb MB: $n runs sent, $stored stored complete"
	eval "peak_$mb=\$peak"
	echo "# $mb MB of $n runs of 60 samples: $secs s ($(awk -v m="$mb" -v s="$secs" 'BEGIN { printf "%.1f", m / s }') MB/s), peak RSS $peak kB" >&2
done
eval "small=\$peak_$small_mb big=\$peak_$big_mb"
# The same memory for 4 or 10 times the stream, give or take SQLite's page
# cache (2 MB by default) and malloc's fragmentation.
holds "$big <= $small + 6000" || fail "peak RSS grew with the stream: $small kB for $small_mb MB, $big kB for $big_mb MB"

# 2. 1 GB of blank lines between two runs: skipped, one line at a time.
# Then a line that is not JSON: exit 2 naming it; both runs are recorded.
{
	runs 0 8 1
	awk 'BEGIN { s = sprintf("%1023s", ""); for (i = 0; i < 1000000; i++) print s }'
	runs 0 8 2
	echo '{"type":'
} >"$T/fifo" &
peak_kb lt-store --db "$T/blank.db" <"$T/fifo"
wait
expect_rc 2
bad=$((10 + 1000000 + 10 + 1))
[ "$(cat "$T/err")" = "lt-store: <stdin>:$bad: line is not valid JSON (at column 9)" ] ||
	fail "message: $(cat "$T/err")"
echo "# 1.02 GB of blank lines between two runs: $secs s ($(awk -v s="$secs" 'BEGIN { printf "%.0f", 1024 / s }') MB/s), peak RSS $peak kB" >&2
holds "$peak <= $small + 6000" || fail "peak RSS $peak kB reading blank lines"
run lt-store list --db "$T/blank.db" --json --limit 0
expect_rc 0
expect_out_lines 2
expect_out '"run_id":"6b1f7a52-3c4d-4e8f-9a0b-000000000001".*"status":"complete"'
expect_out '"run_id":"6b1f7a52-3c4d-4e8f-9a0b-000000000002".*"status":"complete"'
run lt-store export --db "$T/blank.db" --format csv 6b1f7a52-3c4d-4e8f-9a0b-000000000002
expect_out_lines 9

# 3. After a run, a line of 1 GB: refused once it passes 4 MiB, without
# reading the rest; the run before it is recorded, nothing else.
{
	runs 0 8 1
	awk 'BEGIN { s = "x"; while (length(s) < 1048576) s = s s
		for (i = 0; i < 1024; i++) printf "%s", s; print "" }' 2>/dev/null
} >"$T/fifo" &
peak_kb lt-store --db "$T/long.db" <"$T/fifo"
wait
expect_rc 2
[ "$(cat "$T/err")" = "lt-store: <stdin>:11: line longer than 4194304 bytes" ] ||
	fail "message: $(cat "$T/err")"
echo "# a 1 GiB line after a run: refused in $secs s, peak RSS $peak kB" >&2
holds "$peak <= $small + 2 * 4096 + 2000" || fail "peak RSS $peak kB for an over-long line"
run lt-store list --db "$T/long.db" --json --limit 0
expect_out_lines 1
expect_out '"run_id":"6b1f7a52-3c4d-4e8f-9a0b-000000000001".*"status":"complete"'

# 4. One long run: recorded as it is read, its samples in batches of 256
# (lt-store(1) LIMITS), so it takes the memory of a stream of short runs
# whatever its length: the bound is the many-runs peak plus 8 MB, flat
# (16 MB under AddressSanitizer, whose redzones make each batch bigger).
runs 0 "$samples" 1 >"$T/fifo" &
peak_kb lt-store --db "$T/one.db" <"$T/fifo"
wait
expect_rc 0
expect_out "^recorded run 6b1f7a52-3c4d-4e8f-9a0b-000000000001 \\(api-health-check, complete, $samples samples\\)$"
echo "# one run of $samples samples: $secs s, peak RSS $peak kB (streams of 60-sample runs: $small kB)" >&2
holds "$peak <= $small + $slack" || fail "peak RSS $peak kB for one run of $samples samples, more than $small + $slack kB"
[ "$(sqlite3 "$T/one.db" "SELECT count(*) FROM run_samples")" = "$samples" ] || fail "samples stored"
