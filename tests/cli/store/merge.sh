# Shards of one run merge into one stream whose figures come from the merged
# histograms; shards of different runs are refused.
small="$SRC/tests/data/run-small.ndjson"
id=6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b
shard() { # N: shard N of 2, its own run id, group g1
	sed -e "s/$id/shard-$1/g" -e "s/\"segment\":\"1\/1\"/\"segment\":\"$1\/2\",\"run_group\":\"g1\"/" "$small"
}
shard 1 > "$T/s1.ndjson"
shard 2 > "$T/s2.ndjson"
run lt-store merge "$T/s1.ndjson" "$T/s2.ndjson"
expect_rc 0
cp "$T/out" "$T/merged.ndjson"
expect_out '^\{"type":"run_start","v":1,"run_id":"g1",'
expect_out '"segment":"1/1"'
# Same samples twice: every count doubles, every percentile stays.
expect_out '^\{"type":"summary","v":1,"run_id":"g1",.*"requests":260,"errors":2,'
grep -q '"type":"summary".*"p95":39.631' "$T/merged.ndjson" || fail "merged p95 differs from the shard's"
[ "$(grep -c '"type":"sample"' "$T/merged.ndjson")" = 8 ] || fail "expected 8 merged samples"
# The merged stream is a valid run.
run lt-store "$T/merged.ndjson"
expect_rc 0
expect_out '^recorded run g1 \(api-health-check, complete, 8 samples\)$'

sed -e "s/$id/other/g" -e 's/"segment":"1\/1"/"segment":"2\/2","run_group":"g2"/' "$small" > "$T/other.ndjson"
run lt-store merge "$T/s1.ndjson" "$T/other.ndjson"
expect_rc 2
expect_err 'run_group "g2" is not "g1"'
run lt-store merge "$T/s1.ndjson" "$T/s1.ndjson"
expect_rc 2
expect_err 'segment 1/2 is also in'
run lt-store merge "$small"
expect_rc 2
expect_err 'no run_group'

# The thresholds are judged again on the merged whole, and decide the exit
# status: a crossed one exits 1 (the stream is still written).
sed 's/"limit":500/"limit":1/' "$T/s1.ndjson" > "$T/t1.ndjson"
sed 's/"limit":500/"limit":1/' "$T/s2.ndjson" > "$T/t2.ndjson"
run lt-store merge "$T/t1.ndjson" "$T/t2.ndjson"
expect_rc 1
expect_out '"type":"summary".*"passed":false'
