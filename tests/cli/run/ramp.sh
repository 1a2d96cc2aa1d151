# Ramp shape: the active users of each sample follow the strategy's curve of
# engine.h (lt_engine_ramp_offset), up and down.  User i is active from
# on(i) = offset_up(i) until off(i) = total - offset_down(i); a sample reads
# the count 5 ms after its second ends, and a user stops with its first
# answer after off(i), so the count must lie between the users surely active
# and those possibly active within 50 ms of that moment.  The durations are
# chosen so that no group of the step strategy starts or stops near a
# sample.  The three strategies run side by side, think time 0, against a
# fast endpoint (10 ms, to leave the CPU free).
. "$SRC/tests/cli/run/helpers.sh"
start_target
users=20 up=2.6 down=2.2 total=5 steps=4
for s in linear exponential step; do
	st="\"strategy\": \"$s\""
	[ $s = step ] && st="$st, \"steps\": $steps"
	cat >"$T/$s.json" <<JSON
{"id": "ramp-$s", "name": "ramp $s",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health?delay_ms=10"}],
  "users": {"concurrent": $users,
   "rampUp": {"duration": $up, $st}, "rampDown": {"duration": $down, $st}},
  "duration": {"total": $total}}}
JSON
	background lt-run -q "$T/$s.json" >"$T/$s.out" 2>"$T/$s.err"
	eval "pid_$s=\$bg"
done
for s in linear exponential step; do
	eval "wait \$pid_$s"
	rc=$?
	if [ "$rc" != 0 ]; then
		check_fail "$s" "exit status $rc: $(cat "$T/$s.err")"
		continue
	fi
	# Every sample but the last, which is read after the run has ended.
	why=$(awk -v s="$s" -v n="$users" -v up="$up" -v down="$down" -v total="$total" \
		-v steps="$steps" -v slack=0.05 "$JSON_AWK"'
		function offset(d, i) {
			if (s == "linear") return d * i / n
			if (s == "exponential") return d * log(i + 1) / log(n + 1)
			return d / steps * int(i * steps / n)
		}
		record("sample") { got[jpath($0, "t")] = jpath($0, "users") + 0; last = jpath($0, "t") + 0 }
		END {
			bad = last < total - 1
			for (sec = 0; sec < last; sec++) {
				t = sec + 1.005
				lo = hi = 0
				for (i = 0; i < n; i++) {
					on = offset(up, i); off = total - offset(down, i)
					lo += on <= t - slack && off > t + slack
					hi += on <= t + slack && off > t - slack
				}
				line = line sprintf(" t=%d: %s", sec + 1, got[sec])
				line = line (lo == hi ? sprintf(" (%d)", lo) : sprintf(" (%d-%d)", lo, hi))
				if (!(sec in got) || got[sec] < lo || got[sec] > hi) bad = 1
			}
			print (bad ? "active (expected):" : "ok") line
		}' "$T/$s.out")
	case $why in
	ok*) check_ok "$s:${why#ok}" ;;
	*) check_fail "$s" "$why" ;;
	esac
	peak=$(jget sample users "$T/$s.out" | sort -n | tail -n 1)
	[ "$(jget summary users.peak "$T/$s.out")" = "$peak" ] ||
		check_fail "$s: peak users" "$(jget summary users.peak "$T/$s.out"), the samples' peak $peak"
done
