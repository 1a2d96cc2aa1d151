# Bad usage and bad input: exit 2 with a message that names the field, the
# file or the schedule, and nothing stored.
run lt-sched
expect_rc 2; expect_err 'expected a command'
run lt-sched frobnicate
expect_rc 2; expect_err "unknown command 'frobnicate'"
run lt-sched --help
expect_rc 0; expect_out '^usage: lt-sched add'; expect_out '--concurrency-policy <policy>'
run lt-sched --version
expect_rc 0; expect_out '^lt-sched [0-9]+\.[0-9]+\.[0-9]+$'
run lt-sched list --from 2026-01-01
expect_rc 2; expect_err 'list: --from does not apply'

# Expressions: the message points at the field.
run lt-sched next '0 25 * * *'
expect_rc 2; expect_err 'cron: "0 25 \* \* \*": hour: 25 is out of range 0-23'
run lt-sched next '0 0 * *'
expect_rc 2; expect_err 'expected 5 fields'
run lt-sched next '0 0 * * moon'
expect_rc 2; expect_err 'day-of-week: unknown name "moon"'
run lt-sched next '*/0 * * * *'
expect_rc 2; expect_err 'minute: step must be >= 1'
run lt-sched next --tz Mars/Olympus_Mons @daily
expect_rc 2; expect_err 'Mars/Olympus_Mons'
run lt-sched next --count 0 @daily
expect_rc 2; expect_err '--count: expected a whole number 1-100000'
run lt-sched next --from yesterday @daily
expect_rc 2
run lt-sched next '0 0 30 2 *'
expect_rc 1; expect_err 'never fires'
run lt-sched next @daily extra
expect_rc 2

# Schedules: every field is checked before anything is stored.
cat >"$T/s.json" <<'JSON'
{"id": "s", "name": "s", "config": {"baseUrl": "http://127.0.0.1:9", "endpoints": [{"path": "/"}], "users": {"concurrent": 1}, "duration": {"total": 1}}}
JSON
bad() { # FILE-CONTENT ERE
	printf '%s\n' "$1" >"$T/nightly.json"
	run lt-sched add "$T/nightly.json"
	expect_rc 2
	expect_err "$2"
}
bad '{"name": "n", "scenarioId": "s.json", "schedule": "0 25 * * *"}' \
	'nightly.json: schedule: cron: "0 25 \* \* \*": hour: 25 is out of range 0-23'
bad '{"name": "n", "scenarioId": "s.json", "schedule": "@daily", "retries": {"max": -1}}' \
	'nightly.json: retries.max: expected a whole number 0-100'
bad '{"name": "n", "scenarioId": "s.json", "schedule": "@daily", "retries": {"backoff": "soon"}}' \
	'nightly.json: retries.backoff: expected a duration'
bad '{"name": "n", "scenarioId": "s.json", "schedule": "@daily", "concurrencyPolicy": "queue"}' \
	'nightly.json: concurrencyPolicy: expected forbid, allow or replace'
bad '{"name": "n", "scenarioId": "s.json", "schedule": "@daily", "timezone": "Europe/Atlantis"}' \
	'nightly.json: timezone: .*Europe/Atlantis'
bad '{"name": "n", "scenarioId": "s.json", "schedule": "@daily", "notify": ["webhok:http://x"]}' \
	'nightly.json: notify\[0\]: "webhok:http://x": unknown kind "webhok"'
bad '{"name": "n", "scenarioId": "s.json", "schedul": "@daily"}' \
	'nightly.json: schedul: unknown member'
bad '{"name": "n", "scenarioId": "s.json", "schedule": "@daily", "options": {"compareBaseline": "yes"}}' \
	'nightly.json: options.compareBaseline: expected true or false, got a string'
bad '{"name": "n", "scenarioId": "s.json", "schedule": "@daily", "options": {"thresholds": ["p95<<3"]}}' \
	'nightly.json: options.thresholds: \[0\]'
bad '{"name": "-n", "scenarioId": "s.json", "schedule": "@daily"}' 'nightly.json: name: expected a name'
bad '{"scenarioId": "s.json", "schedule": "@daily"}' 'nightly.json: name: missing'
bad '{"name": "n", "schedule": "@daily"}' 'nightly.json: scenarioId: missing'
bad '[{"name": "a", "scenarioId": "s.json", "schedule": "@daily"}, {"name": "b", "scenarioId": "s.json", "schedule": "61 * * * *"}]' \
	'nightly.json: \[1\]: schedule: cron: .*minute: 61 is out of range 0-59'
bad '{"name": "n", "scenarioId": "checkout", "schedule": "@daily"}' \
	'unknown scenario "checkout": not in the database'
bad '{"name": "n", "scenarioId": "missing.json", "schedule": "@daily"}' \
	'scenario file missing.json: No such file or directory'
bad 'not json' 'nightly.json: not valid JSON'
run lt-sched add --name n --scenario "$T/s.json"
expect_rc 2; expect_err 'required'
run lt-sched add --name n --scenario "$T/s.json" --schedule @daily --retries 1000
expect_rc 2; expect_err '--retries: expected a whole number 0-100'
run lt-sched add --name n --scenario "$T/s.json" --schedule @daily --backoff soon
expect_rc 2; expect_err '--backoff: expected a duration'
# Nothing of the above was stored (the array's good first item neither).
run lt-sched list
expect_rc 0; expect_no_out
run lt-sched rm nothing
expect_rc 2; expect_err 'no schedule nothing'
run lt-sched enable nothing
expect_rc 2; expect_err 'no schedule nothing'
run lt-sched batch
expect_rc 2; expect_err 'give --scenarios'
run lt-sched batch --scenarios nothing
expect_rc 2; expect_err 'unknown scenario "nothing"'
run lt-sched history extra
expect_rc 2
