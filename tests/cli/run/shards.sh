# Sharding, open model: four shards of a 200/s scenario send 50/s each, so
# that together they are the whole, not four times it; `lt-store merge` of
# their streams has the whole run's request count, and judges the
# thresholds again on the merged whole: 'throughput>100' fails every shard
# (50/s) and passes the merged run (200/s) -- what a k6 run split over
# instances cannot do.  The shards take their segment from each of the
# ways a scheduler can give it: --segment, LT_SEGMENT, and a Kubernetes
# Indexed Job's JOB_COMPLETION_INDEX with LT_SEGMENTS; the run group from
# --run-group or LT_RUN_GROUP.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/s.json" <<JSON
{"id": "shards", "name": "shards",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
  "arrival": {"rate": 200, "maxUsers": 100}, "duration": {"total": 2},
  "thresholds": ["throughput>100", "errorRate<1"]}}
JSON
background lt-run -q "$T/s.json" >"$T/whole.out" 2>"$T/whole.err"; pid_whole=$bg
background lt-run -q --segment 1/4 --run-group g42 "$T/s.json" >"$T/shard1.ndjson" 2>"$T/1.err"; pid1=$bg
background env LT_SEGMENT=2/4 LT_RUN_GROUP=g42 lt-run -q "$T/s.json" >"$T/shard2.ndjson" 2>"$T/2.err"; pid2=$bg
background env JOB_COMPLETION_INDEX=2 LT_SEGMENTS=4 LT_RUN_GROUP=g42 lt-run -q "$T/s.json" \
	>"$T/shard3.ndjson" 2>"$T/3.err"; pid3=$bg
background env LT_RUN_GROUP=other lt-run -q --run-group g42 --segment 4/4 "$T/s.json" \
	>"$T/shard4.ndjson" 2>"$T/4.err"; pid4=$bg
wait "$pid_whole"; rc=$?
[ "$rc" = 0 ] || fail "the whole run exited $rc: $(cat "$T/whole.err")"
for i in 1 2 3 4; do
	eval "wait \$pid$i"; rc=$?
	[ "$rc" = 1 ] || fail "shard $i exited $rc, expected 1 (50/s < 100/s): $(cat "$T/$i.err")"
	[ "$(jget run_start segment "$T/shard$i.ndjson")" = "$i/4" ] ||
		fail "shard $i: segment $(jget run_start segment "$T/shard$i.ndjson")"
	[ "$(jget run_start run_group "$T/shard$i.ndjson")" = g42 ] ||
		fail "shard $i: run_group $(jget run_start run_group "$T/shard$i.ndjson")"
	n=$(jget summary requests "$T/shard$i.ndjson")
	holds "$n >= 98 && $n <= 102" || fail "shard $i sent $n requests, expected 100 (its quarter)"
done
run lt-store merge "$T/shard1.ndjson" "$T/shard2.ndjson" "$T/shard3.ndjson" "$T/shard4.ndjson"
expect_rc 0
cp "$T/out" "$T/merged.ndjson"
whole=$(jget summary requests "$T/whole.out")
merged=$(jget summary requests "$T/merged.ndjson")
served=$(target_requests)
# In-flight slack: a request or so per shard at the end.
holds "$merged >= $whole - 4 && $merged <= $whole + 4" || fail "merged $merged requests, the whole run $whole"
holds "$served == $merged + $whole" || fail "the server counted $served, the runs $merged + $whole"
[ "$(jget run_start run_id "$T/merged.ndjson")" = g42 ] || fail "the merged run's id is not the run group"
[ "$(jget summary passed "$T/merged.ndjson")" = true ] || fail "the merged run did not pass"
jget summary thresholds "$T/merged.ndjson" |
	grep -Eq '"metric":"throughput.avg","op":">","limit":100,"value":(19[6-9]|20[0-4])(\.[0-9]+)?,"ok":true' ||
	fail "merged thresholds: $(jget summary thresholds "$T/merged.ndjson")"
run sh -c 'lt-store merge "$1"/shard*.ndjson | lt-store' sh "$T"
expect_rc 0
expect_out '^recorded run g42 \(shards, complete, [0-9]+ samples\)$'
