# Scenario size limits (lt-scenario(5) LIMITS).  100000 endpoints are refused
# at load, naming config.endpoints, quickly and in bounded memory; 1000 (the
# limit) run for real, spread over the endpoints, and their stream (a
# summary with 1000 endpoint rows and histograms) is one lt-store records.
. "$SRC/tests/cli/run/helpers.sh"
start_target



# scenario N: N endpoints /api/e0 .. /api/e<N-1> of lt-target, weights 1..7.
scenario() {
	awk -v n="$1" -v base="$base" 'BEGIN {
		printf "{\"id\": \"many-endpoints\", \"name\": \"many endpoints\", \"config\": {"
		printf "\"baseUrl\": \"%s\", \"endpoints\": [", base
		for (i = 0; i < n; i++)
			printf "%s\n{\"name\": \"e%d\", \"path\": \"/api/e%d\", \"weight\": %d}",
				i ? "," : "", i, i, 1 + i % 7
		printf "],\n\"users\": {\"concurrent\": 4}, \"duration\": {\"total\": 2}}}\n"
	}'
}

# 100000 endpoints: a 5 MB file, parsed (syntax, then a JSON tree) before
# the count is checked.  Bound: 40 MB of base (libraries, the 5 MB text and
# its copies) + 1 kB per endpoint of JSON tree = 140 MB; measured 61 MB.
scenario 100000 >"$T/big.json"
peak_kb lt-run --dry-run "$T/big.json"
expect_rc 2
expect_no_out
[ "$(cat "$T/err")" = "lt-run: $T/big.json: config.endpoints: 100000 endpoints, more than the 1000 a scenario may have" ] ||
	fail "message: $(cat "$T/err")"
echo "# 100000 endpoints ($(wc -c <"$T/big.json") bytes): refused in $secs s, peak RSS $peak kB" >&2
holds "$peak < 40000 + 100000" || fail "refusing 100000 endpoints took $peak kB"
holds "$secs < 20" || fail "refusing 100000 endpoints took $secs s"

# The limit itself.  The plan (one line, the config inside) is printed.
scenario 1000 >"$T/s.json"
peak_kb lt-run --dry-run "$T/s.json"
expect_rc 0
expect_out_lines 1
[ "$(jget plan scenario_id "$T/out")" = many-endpoints ] || fail "no plan"
echo "# 1000 endpoints: --dry-run in $secs s, peak RSS $peak kB" >&2
holds "$secs < 10" || fail "the plan of 1000 endpoints took $secs s"

# A real run.  Bound: 30 MB of base (measured 17 MB for one endpoint) +
# 190 kB per endpoint, one whole latency histogram (23221 buckets of 8
# bytes) each, the most the engine keeps per endpoint: 220 MB.  Measured
# about 37 MB.
peak_kb lt-run -q "$T/s.json"
expect_rc 0
cp "$T/out" "$T/run.ndjson"
requests=$(jget summary requests "$T/run.ndjson")
rows=$(jitems summary endpoints "$T/run.ndjson" | wc -l)
hit=$(jitems summary endpoints "$T/run.ndjson" | jfield requests | awk '$1 > 0' | wc -l)
summary_bytes=$(grep '"type":"summary"' "$T/run.ndjson" | wc -c)
echo "# 1000 endpoints: $requests requests in 2 s, $hit endpoints hit, peak RSS $peak kB, summary line $summary_bytes bytes" >&2
[ "$rows" = 1000 ] || fail "summary has $rows endpoint rows"
[ "$(jget summary errors "$T/run.ndjson")" = 0 ] || fail "errors in the run"
# 4 users on loopback make thousands of requests: most endpoints are hit.
holds "$hit >= 500" || fail "only $hit of 1000 endpoints hit in $requests requests"
holds "$peak < 30000 + 1000 * 190" || fail "lt-run with 1000 endpoints took $peak kB"
# The stream, summary and all, is within lt-ndjson(5)'s line limit.
run lt-store "$T/run.ndjson"
expect_rc 0
expect_out '^recorded run .* \(many-endpoints, complete, [0-9]+ samples\)$'
