# lt-sched batch: the regression check of several scenarios, in parallel,
# one line each in the order given and an overall exit status (1: one did
# not pass).  A schedule with compareBaseline records a regression too.
. "$SRC/tests/cli/run/helpers.sh"
start_target
scenario() { # FILE ID PATH SECONDS THRESHOLDS
	cat >"$T/$1.json" <<JSON
{"id": "$2", "name": "$2", "config": {"baseUrl": "$base", "endpoints": [{"path": "$3"}],
 "users": {"concurrent": 2, "thinkTime": {"min": 5, "max": 5}}, "duration": {"total": $4},
 "thresholds": $5}}
JSON
}
scenario pass pass /health 2 '[]'
scenario fail-base fail /health 2 '[]'
scenario fail fail /health 2 '["p95<0.001"]'
scenario reg-base reg /health 5 '[]'
scenario reg reg '/health?delay_ms=20' 5 '[]'
for f in pass fail-base reg-base; do
	background sh -c "lt-run -q '$T/$f.json' | lt-baseline set >'$T/$f.bl' 2>&1"
	eval "pid_$(echo "$f" | tr - _)=\$bg"
done
for p in $pid_pass $pid_fail_base $pid_reg_base; do
	wait "$p" || fail "baseline: $(cat "$T"/*.bl)"
done

lt-sched add --now 2030-01-01T00:00:00Z --name nightly --scenario "$T/reg.json" \
	--schedule '0 2 * * *' --compare-baseline >/dev/null || fail "add"
background lt-sched run-due --now 2030-01-01T02:00:30Z
sched=$bg
run lt-sched batch --scenarios "pass,$T/fail.json,$T/reg.json" --parallel 3
expect_rc 1
expect_out_lines 3
sed -n 1p "$T/out" | grep -Eq '^pass +pass +run [0-9a-f]{8} +[0-9.]+ s +verdict (pass|inconclusive)' ||
	fail "line 1: $(sed -n 1p "$T/out")"
sed -n 2p "$T/out" | grep -Eq '^fail +failed +run [0-9a-f]{8} +[0-9.]+ s +thresholds crossed \(lt-run exit 1\); verdict ' || fail "line 2: $(sed -n 2p "$T/out")"
sed -n 3p "$T/out" | grep -Eq '^reg +regression +run [0-9a-f]{8} +[0-9.]+ s +verdict critical: .*responseTime\.p[0-9]+ \+[0-9.]+%' ||
	fail "line 3: $(sed -n 3p "$T/out")"
wait "$sched"
src=$?
[ "$src" -eq 1 ] || fail "run-due of a regression exited $src, expected 1"
lt-sched history --json --name nightly >"$T/h"
[ "$(jget execution status "$T/h")" = regression ] || fail "scheduled status: $(cat "$T/h")"
[ "$(jget execution exit_code "$T/h")" = 1 ] || fail "scheduled exit code"
[ -n "$(jget execution run_id "$T/h")" ] || fail "scheduled run id"

# --all: the scenarios with a baseline, here cut to a second each.
run lt-sched batch --all --parallel 3 --duration 1
expect_rc 1
expect_out_lines 3
expect_out '^fail +failed +run [0-9a-f]{8} +[0-9.]+ s +thresholds crossed'
expect_out '^pass +pass '
expect_out '^reg +pass +.*verdict inconclusive'
run lt-sched batch --all --env nowhere
expect_rc 2; expect_err 'no scenario has a baseline in environment nowhere'
