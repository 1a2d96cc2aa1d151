# Schedules from the seed's object (a file, an array, stdin) and from flags;
# list, list --json (which add reads back), enable, disable, rm.
lt-store -q "$SRC/tests/data/run-small.ndjson" || fail "lt-store"
cat >"$T/shop.json" <<'JSON'
[{"id": "browse", "name": "browse", "config": {"baseUrl": "http://127.0.0.1:9", "endpoints": [{"path": "/"}], "users": {"concurrent": 1}, "duration": {"total": 1}}},
 {"id": "buy", "name": "buy", "config": {"baseUrl": "http://127.0.0.1:9", "endpoints": [{"path": "/"}], "users": {"concurrent": 1}, "duration": {"total": 1}}}]
JSON
cat >"$T/nightly.json" <<'JSON'
{"name": "nightly", "scenarioId": "api-health-check", "schedule": "0 2 * * *", "enabled": true,
 "options": {"compareBaseline": true, "notifyOnRegression": true, "duration": "30s"},
 "retries": {"max": 2, "backoff": "1m"}, "timeout": "15m", "concurrencyPolicy": "Forbid",
 "startingDeadlineSeconds": 600, "historyLimit": 30, "timezone": "Europe/Berlin",
 "environment": "staging", "notify": ["console"]}
JSON
run lt-sched add --now 2026-03-28T12:00:00Z "$T/nightly.json"
expect_rc 0
expect_out '^added schedule nightly: 0 2 \* \* \*, scenario api-health-check, next 2026-03-29T03:00:00\+02:00$'
printf '%s\n' '{"name": "buy", "scenarioFile": "shop.json", "scenarioId": "buy", "schedule": "*/15 9-17 * * mon-fri"}' |
	(cd "$T" && lt-sched add -) >"$T/out" 2>"$T/err" || fail "add from stdin"
expect_out '^added schedule buy: .*scenario buy, next '
run lt-sched add --name browse --scenario "$T/shop.json" --schedule @hourly
expect_rc 2; expect_err 'holds 2 scenarios: name one with scenarioId'
run lt-sched add --name hourly --scenario api-health-check --schedule @hourly --tz UTC \
	--retries 3 --backoff 10s --timeout 5m --concurrency-policy replace --starting-deadline 2m \
	--history-limit 5 --env prod --notify console --duration 20s --compare-baseline --disabled
expect_rc 0; expect_out '^added schedule hourly: @hourly, scenario api-health-check, next .*\(disabled\)$'
run lt-sched add --name hourly --scenario api-health-check --schedule @daily
expect_rc 2; expect_err 'schedule hourly exists already'

run lt-sched list
expect_rc 0
expect_out_lines 4
expect_out '^NAME +ENABLED +SCHEDULE'
expect_out '^buy +yes +\*/15 9-17 \* \* mon-fri +local +.* /.*/shop.json$'
expect_out '^hourly +no +@hourly +UTC +- +api-health-check$'
expect_out '^nightly +yes +0 2 \* \* \* +Europe/Berlin +[0-9T:+-]+ +api-health-check$'

run lt-sched list --json
expect_rc 0
expect_out '^\{"name":"hourly","scenarioId":"api-health-check","schedule":"@hourly","timezone":"UTC","enabled":false,"options":\{"duration":20,"compareBaseline":true,"notifyOnRegression":false\},"retries":\{"max":3,"backoff":10\},"timeout":300,"concurrencyPolicy":"replace","startingDeadlineSeconds":120,"historyLimit":5,"environment":"prod","notify":\["console"\],"createdAt":"'
expect_out '"name":"nightly",.*"options":\{"duration":"30s","compareBaseline":true,"notifyOnRegression":true\},"retries":\{"max":2,"backoff":60\},"timeout":900,"concurrencyPolicy":"forbid","startingDeadlineSeconds":600,"historyLimit":30,"environment":"staging","notify":\["console"\],"lastFiredAt"|"name":"nightly",.*"historyLimit":30,"environment":"staging","notify":\["console"\],"nextFireAt"'
# What list --json prints, add --replace takes back unchanged.
grep -v '"lastFiredAt"' "$T/out" | sed 's/,"nextFireAt":"[^"]*"//; s/,"createdAt":"[^"]*"//' >"$T/before"
(echo '['; sed '$!s/$/,/' "$T/out"; echo ']') >"$T/all.json"
run lt-sched add --replace "$T/all.json"
expect_rc 0; expect_out_lines 3; expect_out '^saved schedule nightly'
run lt-sched list --json
sed 's/,"nextFireAt":"[^"]*"//; s/,"createdAt":"[^"]*"//' "$T/out" >"$T/after"
cmp -s "$T/before" "$T/after" || fail "list --json changed after add --replace: $(diff "$T/before" "$T/after")"

run lt-sched disable nightly buy
expect_rc 0
run lt-sched enable hourly
expect_rc 0
run lt-sched list
expect_out '^hourly +yes'; expect_out '^nightly +no'; expect_out '^buy +no'
run lt-sched rm buy hourly
expect_rc 0
run lt-sched list
expect_out_lines 2; expect_out '^nightly '
