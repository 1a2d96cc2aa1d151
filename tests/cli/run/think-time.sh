# Think time, end to end: with N users and no ramp, each user's cycle is its
# latency plus its pause, so the pause's mean can be read back from the
# request count, N T / (requests - N/2) - mean latency (the N/2: on average
# half a cycle is cut off at the end).  Each distribution's mean must match
# lt_engine_think_mean_ms of engine.h within 10 % (loose: a 4 s run; the
# distributions themselves are checked over 10^5 draws in check_engine.c).
# The exponential range is wide so that its mean (min + 0.2313 (max - min))
# is far from the midpoint a wrong distribution would give.
. "$SRC/tests/cli/run/helpers.sh"
start_target
users=20 secs=4
for spec in uniform:50:150:100 normal:50:150:100 exponential:20:400:107.91; do
	IFS=: read -r dist min max mean <<SPEC
$spec
SPEC
	cat >"$T/$dist.json" <<JSON
{"id": "think-$dist", "name": "think $dist",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
  "users": {"concurrent": $users,
   "thinkTime": {"min": $min, "max": $max, "distribution": "$dist"}},
  "duration": {"total": $secs}}}
JSON
	background lt-run -q "$T/$dist.json" >"$T/$dist.out" 2>"$T/$dist.err"
	eval "pid_$dist=\$bg mean_$dist=\$mean"
done
for dist in uniform normal exponential; do
	eval "wait \$pid_$dist; rc=\$?; mean=\$mean_$dist"
	if [ "$rc" != 0 ]; then
		check_fail "$dist" "exit status $rc: $(cat "$T/$dist.err")"
		continue
	fi
	requests=$(jget summary requests "$T/$dist.out")
	duration=$(jget summary duration_s "$T/$dist.out")
	latency=$(jget summary latency_ms.mean "$T/$dist.out")
	think=$(awk -v n="$users" -v t="$duration" -v r="$requests" -v l="$latency" \
		'BEGIN { printf "%.1f", n * t * 1000 / (r - n / 2) - l }')
	if holds "$think > $mean * 0.9 && $think < $mean * 1.1"; then
		check_ok "$dist: mean think time $think ms, expected $mean"
	else
		check_fail "$dist" "mean think time $think ms ($requests requests in $duration s, latency $latency ms), expected $mean"
	fi
done
