# lt-regress trend, changepoints, seasonality, forecast, correlate, train
# and anomaly: the real program on --input files and on a small database
# of runs recorded with lt-store from NDJSON written here.  Each check is
# one result (check_ok / check_fail).

. "$SRC/tests/cli/regress/helpers.sh"

# expect NAME STATUS ERE...: the last command exited STATUS and each ERE
# matches a line of its stdout or stderr.
expect() {
	name=$1 want=$2
	shift 2
	if [ "$rc" != "$want" ]; then
		check_fail "$name" "exit $rc, expected $want: $(head -c 300 "$T/err")"
		return
	fi
	for ere in "$@"; do
		if ! grep -Eq -- "$ere" "$T/out" "$T/err"; then
			check_fail "$name" "no line matches '$ere': $(head -c 600 "$T/out") $(head -c 300 "$T/err")"
			return
		fi
	done
	check_ok "$name"
}

# ---- a database: scenario api, 30 runs an hour apart, p95 100 ms then
# 130 ms from run 15 on; scenario two, 2 runs ----
i=0
while [ $i -lt 30 ]; do
	p=100
	[ $i -ge 15 ] && p=130
	mkrun "api-$i" api $i $p
	i=$((i + 1))
done >"$T/api.ndjson"
{ mkrun two-0 two 0 100; mkrun two-1 two 1 100; } >"$T/two.ndjson"
run lt-store "$T/api.ndjson" "$T/two.ndjson"
expect "30 + 2 runs recorded" 0

run lt-regress changepoints api --json
expect "changepoints: the step at run 15 of 30" 0 '"changepoints":\[\{"index":15,"run_id":"api-15","at":"2026-01-01T15:00:00.000Z"' \
	'"outliers":\[\]' '"p_value":0.05,"permutations":199,"min_size":3'
run lt-regress changepoints api
expect "changepoints: a table on a terminal-less stdout is JSON" 0 '^\{"type":"changepoints"'

run lt-regress trend api --json
expect "trend: increasing and worse" 0 '"direction":"increasing"' '"worse":true' '"n":30'
run lt-regress trend api --window 10 --json
expect "trend: the newest 10 runs (within one regime)" 0 '"n":10' '"first":\{"index":0,"run_id":"api-20"'
run lt-regress trend api --metric throughput.avg --json
expect "trend of throughput" 0 '"metric":"throughput.avg"'

run lt-regress forecast api --threshold 150 --horizon 3 --json
expect "forecast: crossing of --threshold 150" 0 '"source":"option"' '"op":"<="' \
	'"status":"expected"' '"step":3'
run lt-regress forecast api --json
expect "forecast: the scenario's threshold p95 <= 200" 0 '"value":200,"op":"<=","source":"scenario"'

run lt-regress seasonality api --json
expect "seasonality of a step: none" 0 '"found":false' '"period":null'

run lt-regress correlate api --json
expect "correlate: matrices with p-values" 0 '"runs":30' '"pearson":\{"r":\[\[1,' '"spearman"' \
	'"metrics":\["responseTime.p50","responseTime.p90","responseTime.p95","responseTime.p99","throughput.avg","errorRate","generator.cpu_pct","host.cpu_pct","host.mem_used_kb"\]'

# ---- train and anomaly ----
run lt-regress train api --json
expect "train on 30 runs: stored, with a warning below 50" 0 '"n_vectors":30' '"model_ids":\[1\]' \
	'warning: only 30 vectors'
run lt-regress train api --per-second --seed 3 --json
expect "train per second: 180 vectors of 30 runs" 0 '"vectors":"second","n_vectors":180,"runs_used":30' \
	'"seed":3'

# 60 normal runs of scenario ae, the 50 or more anomaly.h advises.
i=0
while [ $i -lt 60 ]; do
	mkrun "ae-$i" ae $i 100
	i=$((i + 1))
done >"$T/ae.ndjson"
run lt-store "$T/ae.ndjson"
run lt-regress train ae --json
expect "train on 60 runs: no warning" 0 '"n_vectors":60' '"model_ids":\[3\]' '"warnings":\[\]'
mkrun ae-normal ae 70 100 1 0.5 center >"$T/normal.ndjson"
run lt-regress anomaly --json <"$T/normal.ndjson"
expect "anomaly: a typical run from stdin is recorded and scored normal" 0 '"anomalous":false' \
	'"run_id":"ae-normal"' '"alert_id":null'
mkrun ae-slow ae 71 100 3 0.5 center >"$T/slow.ndjson"
run lt-regress anomaly - --json <"$T/slow.ndjson"
expect "anomaly: p99 three times higher is flagged, with an alert" 1 '"type":"alert"' \
	'"method":"autoencoder"' '"anomalous":true' '"top_features":\[\{"feature":"responseTime.p99"'
mkrun ae-errors ae 72 100 1 8 center >"$T/errors.ndjson"
run lt-regress anomaly --json <"$T/errors.ndjson"
expect "anomaly: an error burst is flagged" 1 '"anomalous":true' '"top_features":\[\{"feature":"errorRate"'
run lt-regress anomaly ae-slow --json
expect "anomaly: scoring the stored run again" 1 '"anomalous":true'
run lt-regress alerts --json
n=$(grep -c autoencoder "$T/out")
if [ "$rc" = 0 ] && [ "$n" = 2 ]; then check_ok "two alerts (slow, errors) recorded once each, however often scored"
else check_fail "two alerts (slow, errors) recorded once each, however often scored" "exit $rc, $n alerts"; fi
run lt-store list --json
expect "the runs read by anomaly are in the database" 0 '"run_id":"ae-slow"'

# ---- --input ----
printf '%s\n' 10 12 11 13 15 14 16 18 17 19 21 20 >"$T/rising"
run lt-regress trend --input "$T/rising" --json
expect "trend --input: increasing, no run ids or times" 0 '"input":"'"$T"'/rising"' \
	'"direction":"increasing"' '"slope_per_day":null' '"run_id":null'
p_trend=$(sed -n 's/.*"mann_kendall":{[^}]*"p_value":\([^,]*\),.*/\1/p' "$T/out")
run lt-regress stat mannkendall "$T/rising"
p_stat=$(sed -n 's/.*"p_value":\([^,]*\),.*/\1/p' "$T/out")
if [ -n "$p_trend" ] && [ "$p_trend" = "$p_stat" ]; then check_ok "trend and stat mannkendall agree (p $p_trend)"
else check_fail "trend and stat mannkendall agree" "trend p '$p_trend', stat p '$p_stat'"; fi

printf '%s\n' 50 51 49 50 52 50 49 51 70 71 69 70 72 71 70 69 >"$T/step"
run lt-regress changepoints --input "$T/step" --json
expect "changepoints --input: index 8" 0 '"changepoints":\[\{"index":8,"run_id":null'
printf '%s\n' 50 51 49 50 52 50 49 51 250 50 51 49 50 52 50 49 >"$T/spike"
run lt-regress changepoints --input "$T/spike" --json
expect "changepoints --input: a spike is an outlier" 0 '"changepoints":\[\]' '"outliers":\[\{"index":8'
awk 'BEGIN { for (i = 0; i < 42; i++) print 100 + 10 * ((i % 6) < 3) + (i * 7 % 5) / 5 }' >"$T/weekly"
run lt-regress seasonality --input "$T/weekly" --json
expect "seasonality --input: period 6" 0 '"found":true' '"period":6'
run lt-regress forecast --input "$T/weekly" --horizon 6 --json
expect "forecast --input: seasonal" 0 '"model":"linear\+seasonal"' '"threshold":null'
run lt-regress forecast --input "$T/rising" --threshold 30 --json
expect "forecast --input: 30 is crossed about 12 runs after the last" 0 '"status":"expected"' '"at":null'
awk '{ print "{\"type\":\"sample\",\"latency_ms\":{\"p95\":" $1 "}}" }' "$T/rising" >"$T/rising.ndjson"
run lt-regress trend --input "$T/rising.ndjson" --field latency_ms.p95 --json
expect "trend --input --field: NDJSON lines" 0 '"direction":"increasing"' '"n":12'

# ---- bad input: exit 2, a message naming what and where, no result ----
: >"$T/empty"
printf 'NaN\nNaN\nNaN\n' >"$T/nans"
printf '1\n2\ninf\n4\n' >"$T/inf"
refused() {
	name=$1 ere=$2
	shift 2
	run lt-regress "$@"
	if [ "$rc" != 2 ]; then
		check_fail "$name" "exit $rc, expected 2: $(cat "$T/err")"
	elif [ -s "$T/out" ]; then
		check_fail "$name" "printed a result: $(head -c 300 "$T/out")"
	elif ! grep -Eq -- "$ere" "$T/err"; then
		check_fail "$name" "stderr '$(cat "$T/err")' does not match $ere"
	else
		check_ok "$name"
	fi
}
refused "an empty series" "^lt-regress: $T/empty: no numbers" trend --input "$T/empty"
refused "a NaN-filled series names file:line" "$T/nans:1: NaN is not a finite number" \
	changepoints --input "$T/nans"
refused "an infinity names its line" "$T/inf:3: inf is not a finite number" forecast --input "$T/inf"
refused "an unknown metric" "unknown metric 'responseTime.p96' \(expected one of responseTime.min" \
	trend api --metric responseTime.p96
refused "too few runs for a trend" "trend needs at least 3 runs; scenario two has 2 with responseTime.p95" \
	trend two
refused "too few runs for change points" "changepoints needs at least 6 runs; scenario two has 2" \
	changepoints two
refused "too few runs for correlate" "correlate needs at least 3 complete runs; scenario two has 2" \
	correlate two
refused "too few runs to train" "train needs at least 8 per-run vectors .*--per-second" train two
printf '1\n2\n3\n' >"$T/short"
refused "too few values in a file" "seasonality needs at least 6 values; $T/short has 3" \
	seasonality --input "$T/short"
refused "an unknown scenario" "unknown scenario 'nope': no run of it is recorded" trend nope
refused "no model for the scenario" "no anomaly model for scenario two: train one with lt-regress train two" \
	anomaly two-0
refused "no run on stdin" "no run to score" anomaly </dev/null
refused "a scenario and --input" "expected no scenario with --input" trend api --input "$T/rising"
refused "no scenario" "expected one scenario id" forecast
refused "--input for correlate" "--input is for trend, changepoints, seasonality and forecast" \
	correlate api --input "$T/rising"
refused "--window 0" "--window: expected a whole number from 1" trend api --window 0
refused "--threshold not a number" "--threshold: expected a number, got 'x'" forecast api --threshold x
