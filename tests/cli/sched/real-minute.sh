# The real clock, no --now: `next` starts from the current minute, and --
# with LT_TEST_SLOW=1, since it waits for a minute to turn -- a daemon runs
# an every-minute schedule at the turn of the real minute.
for try in 1 2; do
	before=$(date -u +%Y-%m-%dT%H:%M)
	got=$(TZ=UTC lt-sched next '* * * * *' --count 1) || fail "next"
	after=$(date -u +%Y-%m-%dT%H:%M)
	[ "$before" = "$after" ] && break
done
want=$(date -u -d "$before UTC + 1 minute" +%Y-%m-%dT%H:%M:00+00:00)
[ "$got" = "$want" ] || fail "next without --from: $got, expected $want"

[ -n "$LT_TEST_SLOW" ] || exit 0
. "$SRC/tests/cli/run/helpers.sh"
start_target
cat >"$T/one.json" <<JSON
{"id": "one", "name": "one", "config": {"baseUrl": "$base", "endpoints": [{"path": "/health"}],
 "users": {"concurrent": 1}, "duration": {"total": 1}}}
JSON
lt-sched add --name every --scenario "$T/one.json" --schedule '* * * * *' >/dev/null || fail "add"
lt-sched daemon >"$T/d.out" 2>"$T/d.err" &
d=$!
cleanup_pids="$cleanup_pids $d"
i=0
while [ ! -s "$T/d.out" ] && [ "$i" -lt 75 ]; do
	sleep 1
	i=$((i + 1))
done
kill -TERM "$d"
wait "$d" || fail "daemon: $(cat "$T/d.err")"
[ "$(jget execution status "$T/d.out" | head -n 1)" = success ] || fail "no execution: $(cat "$T/d.err")"
fire=$(jget execution fire_time "$T/d.out" | head -n 1)
start=$(jget execution started_at "$T/d.out" | head -n 1)
case $fire in *:00.000Z) ;; *) fail "fire time $fire is not a minute" ;; esac
late=$(( $(date -u -d "$start" +%s) - $(date -u -d "$fire" +%s) ))
[ "$late" -le 2 ] || fail "started $late s after its fire time"
