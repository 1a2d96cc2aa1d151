# Thresholds: `thresholds show` prints the defaults even before anything
# is stored (and creates nothing); `thresholds set` stores a document for
# one scenario or for all; check uses the stored document unless
# --thresholds names one; a bad document is refused with exit 2, naming
# the file and the metric, and changes nothing.
. "$SRC/tests/cli/run/helpers.sh"

# rule DOC METRIC: the rule of METRIC in the pretty-printed DOC, compact.
rule() {
	tr -d ' \t\n' <"$1" | grep -o "\"$2\":{[^}]*}"
}

# --- the defaults (lt-regress(1)), with no database at all.
run lt-regress thresholds show
expect_rc 0
[ ! -e "$T/lt.db" ] || fail "thresholds show created the database"
cp "$T/out" "$T/defaults.json"
for m in responseTime.mean responseTime.p50 responseTime.p90 responseTime.p95 responseTime.p99 throughput.avg; do
	[ "$(rule "$T/defaults.json" "$m")" = "\"$m\":{\"warning\":10,\"critical\":25,\"method\":\"statistical\",\"confidence\":0.95,\"enabled\":true}" ] ||
		fail "default $m: $(rule "$T/defaults.json" "$m")"
done
[ "$(rule "$T/defaults.json" errorRate)" = '"errorRate":{"warning":50,"critical":100,"method":"statistical","confidence":0.95,"enabled":true}' ] ||
	fail "default errorRate: $(rule "$T/defaults.json" errorRate)"
for m in responseTime.min responseTime.max; do
	[ "$(rule "$T/defaults.json" "$m")" = "\"$m\":{\"warning\":50,\"critical\":100,\"method\":\"absolute\",\"confidence\":0.95,\"enabled\":false}" ] ||
		fail "default $m: $(rule "$T/defaults.json" "$m")"
done
[ "$(rule "$T/defaults.json" throughput.peak)" = '"throughput.peak":{"warning":25,"critical":50,"method":"absolute","confidence":0.95,"enabled":false}' ] ||
	fail "default throughput.peak"
[ "$(rule "$T/defaults.json" history)" = '"history":{"runs":10,"minRuns":5}' ] || fail "default history"
tr -d ' \t\n' <"$T/defaults.json" | grep -q '"notify":\[\]' || fail "default notify"

# --- a custom document for one scenario: a tighter p95, judged on its
# size alone (a p95 of two 5-second runs on a loaded machine is too noisy
# for a test of significance to be certain every time).
cat >"$T/tight.json" <<'JSON'
{"responseTime.p95": {"warning": 2, "critical": 5, "method": "absolute"}}
JSON
run lt-regress thresholds set --scenario svc "$T/tight.json"
expect_rc 0
expect_out "^thresholds of svc set from $T/tight.json$"
run lt-regress thresholds show --scenario svc
expect_rc 0
[ "$(rule "$T/out" responseTime.p95)" = '"responseTime.p95":{"warning":2,"critical":5,"method":"absolute","confidence":0.95,"enabled":true}' ] ||
	fail "stored p95: $(rule "$T/out" responseTime.p95)"
[ "$(rule "$T/out" responseTime.p99)" = "$(rule "$T/defaults.json" responseTime.p99)" ] ||
	fail "a metric left out did not keep its default"
# Other scenarios keep the defaults.
run lt-regress thresholds show --scenario other
cmp -s "$T/out" "$T/defaults.json" || fail "another scenario's thresholds changed"
run lt-regress thresholds show
cmp -s "$T/out" "$T/defaults.json" || fail "the default thresholds changed"
# What show prints, set takes back.
run lt-regress thresholds set "$T/defaults.json"
expect_rc 0
expect_out "^thresholds of every scenario set from "

# --- check uses the stored document: a server 20 % slower (no jitter),
# p95 up some 18 %, is critical under p95 critical 5 % (the default 25 %
# would make it at most a warning) -- and exit 1.
start_target
scenario() { # FILE DELAY_MS
	cat >"$T/$1" <<JSON
{"id": "svc", "name": "svc",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health?delay_ms=$2"}],
  "users": {"concurrent": 4}, "duration": {"total": 5}}}
JSON
}
scenario base.json 10
scenario cur.json 12
background lt-run -q "$T/base.json" >"$T/base.ndjson" 2>"$T/base.err"; pid_base=$bg
background lt-run -q "$T/cur.json" >"$T/cur.ndjson" 2>"$T/cur.err"; pid_cur=$bg
wait "$pid_base" || fail "lt-run base: $(cat "$T/base.err")"
wait "$pid_cur" || fail "lt-run cur: $(cat "$T/cur.err")"
cur=$(jget run_start run_id "$T/cur.ndjson")
run lt-baseline set <"$T/base.ndjson"
expect_rc 0
run lt-regress check <"$T/cur.ndjson"
expect_rc 1
jitems verdict metrics "$T/out" | awk '/"metric":"responseTime.p95"/' >"$T/p95"
[ "$(jfield critical_pct <"$T/p95")" = 5 ] || fail "check did not use the stored thresholds: $(cat "$T/p95")"
[ "$(jfield severity <"$T/p95")" = critical ] || fail "p95: $(cat "$T/p95")"
holds "$(jfield worse_pct <"$T/p95") >= 5" || fail "p95 change too small to tell: $(cat "$T/p95")"

# --thresholds overrides the stored document.
cat >"$T/loose.json" <<'JSON'
{"responseTime.mean": {"warning": 50, "critical": 100},
 "responseTime.p50": {"warning": 50, "critical": 100},
 "responseTime.p90": {"warning": 50, "critical": 100},
 "responseTime.p95": {"warning": 50, "critical": 100, "method": "absolute"},
 "responseTime.p99": {"enabled": false},
 "throughput.avg": {"warning": 50, "critical": 100, "confidence": 0.99},
 "history": {"runs": 20, "minRuns": 8}}
JSON
run lt-regress check --run "$cur" --thresholds "$T/loose.json"
expect_rc 0
jitems verdict metrics "$T/out" | awk '/"metric":"responseTime.p95"/' >"$T/p95"
[ "$(jfield critical_pct <"$T/p95")" = 100 ] || fail "--thresholds not used: $(cat "$T/p95")"
[ "$(jfield method <"$T/p95")" = absolute ] || fail "p95 method: $(cat "$T/p95")"
[ "$(jfield test <"$T/p95")" = null ] || fail "an absolute rule ran a test: $(cat "$T/p95")"
[ "$(jfield severity <"$T/p95")" = none ] || fail "p95: $(cat "$T/p95")"
jitems verdict metrics "$T/out" | grep -q '"metric":"responseTime.p99"' && fail "a disabled metric was judged"

# --- bad documents: exit 2, the file and the metric named, nothing changed.
bad() { # NAME ERE FILE-CONTENT
	printf '%s\n' "$3" >"$T/bad.json"
	run lt-regress thresholds set --scenario svc "$T/bad.json"
	[ "$rc" = 2 ] || fail "$1: exit $rc, expected 2"
	expect_no_out
	expect_err "$2"
	run lt-regress check --run "$cur" --thresholds "$T/bad.json"
	[ "$rc" = 2 ] || fail "$1: check --thresholds: exit $rc, expected 2"
	expect_err "$2"
}
bad "unknown metric" "^lt-regress: $T/bad.json: responseTime\.p96: unknown metric \(expected one of responseTime\.min, .*errorRate, notify, history\)$" \
	'{"responseTime.p95": {"warning": 5, "critical": 10}, "responseTime.p96": {"warning": 5}}'
bad "a seed-style nested key" "$T/bad.json: responseTime: unknown metric" '{"responseTime": {"p95": 300}}'
bad "an unknown field" "$T/bad.json: responseTime\.p95\.warn: unknown field" '{"responseTime.p95": {"warn": 5}}'
bad "warning above critical" "$T/bad.json: responseTime\.p95: warning \(30\) must not be above critical \(25\)" \
	'{"responseTime.p95": {"warning": 30}}'
bad "a negative percentage" "$T/bad.json: errorRate\.critical: expected a percentage above 0" '{"errorRate": {"critical": -1}}'
bad "an unknown method" "$T/bad.json: throughput\.avg\.method: expected one of statistical, absolute" \
	'{"throughput.avg": {"method": "bayesian"}}'
bad "confidence out of range" "$T/bad.json: responseTime\.mean\.confidence: expected a number from 0\.5 to 0\.9999" \
	'{"responseTime.mean": {"confidence": 1}}'
bad "a bad history" "$T/bad.json: history" '{"history": {"runs": 3, "minRuns": 5}}'
bad "a bad notify target" "$T/bad.json: notify: " '{"notify": ["pager:123"]}'
bad "not an object" "$T/bad.json: expected an object keyed by metric name" '[1, 2]'
bad "not JSON" "$T/bad.json: not valid JSON" '{"responseTime.p95": '
run lt-regress thresholds set --scenario svc "$T/missing.json"
expect_rc 2
expect_err "$T/missing.json"
run lt-regress thresholds show --scenario svc
[ "$(rule "$T/out" responseTime.p95)" = '"responseTime.p95":{"warning":2,"critical":5,"method":"absolute","confidence":0.95,"enabled":true}' ] ||
	fail "a refused document changed the stored one: $(rule "$T/out" responseTime.p95)"

# Usage.
run lt-regress thresholds
expect_rc 2
expect_err "expected 'set <file>' or 'show'"
run lt-regress thresholds set
expect_rc 2
run lt-regress thresholds show extra
expect_rc 2
