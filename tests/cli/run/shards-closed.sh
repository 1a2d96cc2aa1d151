# Sharding, closed model: shard I of 4 runs every 4th of the scenario's
# users, so the shards ramp together exactly as one generator would (the
# merged users per second are the whole run's) and their merged request
# count is the whole run's within in-flight slack: a fixed 20 ms pause
# gives each user about 50 requests a second; a few per user may differ at
# the ends of the ramp and of the run.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/s.json" <<JSON
{"id": "shards-closed", "name": "shards closed",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
  "users": {"concurrent": 8, "rampUp": {"duration": 1.5, "strategy": "linear"},
   "thinkTime": {"min": 20, "max": 20}},
  "duration": {"total": 2}}}
JSON
background lt-run -q "$T/s.json" >"$T/whole.out" 2>"$T/whole.err"; pid_whole=$bg
for i in 1 2 3 4; do
	background lt-run -q --segment $i/4 --run-group g7 "$T/s.json" >"$T/shard$i.ndjson" 2>"$T/$i.err"
	eval "pid$i=\$bg"
done
users=
wait "$pid_whole" || fail "the whole run failed: $(cat "$T/whole.err")"
for i in 1 2 3 4; do
	eval "wait \$pid$i" || fail "shard $i failed: $(cat "$T/$i.err")"
	users="$users$(jget sample users "$T/shard$i.ndjson" | head -n 1) "
done
run lt-store merge "$T/shard1.ndjson" "$T/shard2.ndjson" "$T/shard3.ndjson" "$T/shard4.ndjson"
expect_rc 0
cp "$T/out" "$T/merged.ndjson"
# Users: user g starts at g * 1.5/8 s, in shard g mod 4 + 1, so at the end
# of the first second users 0 to 5 are active: 2, 2, 1 and 1 in the shards,
# 6 in all.  (The last sample is read after the run has ended.)
[ "$users" = "2 2 1 1 " ] || fail "the shards' users in the first second: $users"
[ "$(jget sample users "$T/whole.out" | head -n 1)" = 6 ] ||
	fail "whole run users: $(jget sample users "$T/whole.out" | tr '\n' ' ')"
[ "$(jget sample users "$T/merged.ndjson" | head -n 1)" = 6 ] ||
	fail "merged users: $(jget sample users "$T/merged.ndjson" | tr '\n' ' ')"
whole=$(jget summary requests "$T/whole.out")
merged=$(jget summary requests "$T/merged.ndjson")
holds "$whole > 300 && $merged >= $whole * 0.97 && $merged <= $whole * 1.03" ||
	fail "merged $merged requests, the whole run $whole"
