# Open model: a constant rate R for D seconds has exactly R x D arrivals,
# at t = k/R for 0 <= t < D, whatever the number of worker threads the
# schedule is split over; each is a request (completed or aborted at the
# end) or counted as dropped, never lost.  Rates whose period is not a
# binary fraction (1/75 s per thread) catch a schedule that accumulates
# rounding errors and sends one more at t = D.  A generator stopped for
# 0.6 s just before the end (SIGSTOP, as a loaded machine would) must still
# account for the arrivals it could not send in time.
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/s.json" <<JSON
{"id": "arrivals", "name": "arrivals",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
  "arrival": {"rate": 10, "maxUsers": 20}, "duration": {"total": 2}}}
JSON
n=0
for spec in 150:3:2 150:3:1 300:2:3 70:2:2 1000:1:2; do
	IFS=: read -r rate secs threads <<SPEC
$spec
SPEC
	background lt-run -q --rate "$rate" --duration "$secs" --threads "$threads" "$T/s.json" \
		>"$T/r$n.out" 2>"$T/r$n.err"
	eval "pid$n=\$bg spec$n=\$spec"
	n=$((n + 1))
done
background lt-run -q --rate 150 --duration 3 --threads 2 "$T/s.json" >"$T/r$n.out" 2>"$T/r$n.err"
eval "pid$n=\$bg spec$n=150:3:2:stopped"
stopped=$bg
n=$((n + 1))
sleep 2.5
kill -STOP "$stopped"
sleep 0.6
kill -CONT "$stopped"
k=0
while [ "$k" -lt "$n" ]; do
	eval "pid=\$pid$k spec=\$spec$k"
	IFS=: read -r rate secs threads how <<SPEC
$spec
SPEC
	name="rate $rate for $secs s on $threads threads${how:+, $how near the end}"
	wait "$pid"
	rc=$?
	sent=$(jsum sample requests "$T/r$k.out")
	aborted=$(jget summary aborted "$T/r$k.out")
	dropped=$(jget summary dropped "$T/r$k.out")
	got=$((sent + aborted + dropped))
	if [ "$rc" != 0 ]; then
		check_fail "$name" "exit status $rc: $(cat "$T/r$k.err")"
	elif [ "$got" != $((rate * secs)) ]; then
		check_fail "$name" "$got arrivals ($sent requests, $aborted aborted, $dropped dropped), expected $((rate * secs))"
	else
		check_ok "$name: $got arrivals"
	fi
	k=$((k + 1))
done
