# The A/A and A/B experiment of issue 4: how often does lt-regress check
# cry wolf, and does it catch a real slowdown?
#
# lt-target answers /health after delay_ms=50 plus a uniform 0..25 ms of
# jitter (mean 62.5 ms); version B of the "service" answers after 60 plus
# 0..30 ms: 20 % slower at every quantile of the server's time, with no
# stall.  Every run is real (lt-run, 20 users, 5 s, no warm-up: more than
# the 3 steady seconds LT_REGRESS_MIN_SECONDS asks for; a shorter run is
# judged inconclusive).
#
# Why 50 ms and not 10: the target, lt-run and the checks share the
# machine, and a shared CI runner freezes a whole VM for 5 to 30 ms at a
# time.  Against a 12.5 ms service such freezes moved a run's p95 and p99
# by 40 to 70 % between two runs of the same target (CI, 2026-11-27: 2/30
# false critical), a real difference between the runs that no per-second
# test can tell from a regression.  A service of tens of milliseconds is
# the common case, and the same freezes move it a quarter as much.  Under
# injected freezes (SIGSTOP of lt-target and lt-run for 2..30 ms, 0 to 8
# times a second, the rate changing every 4 s) the 10 ms target gave 2/30
# false critical, this one 1/30.
#
# The runs go one after the other, never side by side:
#     R0, R1, C1, R2, C2, ..., R10, C10, R11, ..., R30
# (R: the unchanged target, C: the slower one).  Each comparison gets a
# database of its own, so no pair sees another's history: the baseline is
# one run and the check uses the baseline-run model (per-second Welch,
# on the seconds, two-proportion z), the harder case for
# false alarms.
#   A/A pair k: lt-baseline set < R(k-1); lt-regress check < Rk
#   A/B pair k: lt-baseline set < Rk;     lt-regress check < Ck
# Consecutive A/A pairs share a run (Rk is the candidate of pair k and the
# baseline of pair k+1), so 30 pairs take 31 runs rather than 60; each
# comparison is still a baseline run and a later run of the same target,
# so the expected number of false alarms is that of 30 separate pairs.
#
# Passes when the 30 A/A pairs give at most one critical verdict and
# every A/B pair gives a warning or a critical one; every verdict must be
# decided (an inconclusive A/A verdict would make the count meaningless).
# The rates go to stderr ("A/A: 0/30 false critical ...").
#
# LT_AA_PAIRS (default 30) and LT_AB_PAIRS (default 10) set the sizes.
# Runtime: (max(AA, AB) + 1 + AB) runs of 5 s, plus a fraction of a second
# a check: 212 s measured with the defaults in the plain build, 228 s under
# ASan + UBSan (the runs are bound by the clock; only the checks slow
# down).  tests/cli/run.sh shows a passing case's stderr nowhere: run the
# case through a shell of your own, or fail it, to read the rates.
. "$SRC/tests/cli/run/helpers.sh"

aa=${LT_AA_PAIRS:-30}
ab=${LT_AB_PAIRS:-10}
case $aa$ab in *[!0-9]*) fail "LT_AA_PAIRS and LT_AB_PAIRS must be whole numbers" ;; esac
[ "$aa" -ge 1 ] && [ "$aa" -le 500 ] && [ "$ab" -ge 0 ] && [ "$ab" -le 500 ] ||
	fail "LT_AA_PAIRS must be 1..500 and LT_AB_PAIRS 0..500"
# One false critical in 30 pairs, as issue 4 asks; proportionally more for
# a bigger experiment.
max_false=$(( aa / 30 > 1 ? aa / 30 : 1 ))
n=$(( aa > ab ? aa : ab ))

rm -f "$T/port"
background lt-target --port-file "$T/port" --max-seconds 3600 >"$T/target.out" 2>"$T/target.err"
i=0
while [ ! -s "$T/port" ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$T/port" ] || fail "lt-target wrote no port file: $(cat "$T/target.err")"
base="http://127.0.0.1:$(cat "$T/port")"

scenario() { # FILE QUERY: the same scenario id for both versions
	cat >"$T/$1" <<JSON
{"id": "experiment", "name": "A/A and A/B experiment",
 "config": {"baseUrl": "$base", "endpoints": [{"path": "/health?$2"}],
  "users": {"concurrent": 20}, "duration": {"total": 5, "warmup": 0}}}
JSON
}
scenario a.json 'delay_ms=50&jitter_ms=25'
scenario b.json 'delay_ms=60&jitter_ms=30'

started=$(date +%s)
measure() { # SCENARIO OUT
	lt-run -q "$T/$1" >"$T/$2" 2>"$T/$2.err" || fail "lt-run $1 failed (exit $?): $(cat "$T/$2.err")"
}
k=0
while [ "$k" -le "$n" ]; do
	measure a.json "R$k.ndjson"
	if [ "$k" -ge 1 ] && [ "$k" -le "$ab" ]; then
		measure b.json "C$k.ndjson"
	fi
	k=$((k + 1))
done

# compare NAME BASELINE CANDIDATE: a fresh database; status in $status,
# model in $model, exit status in $rc, the alerts in $T/NAME.alerts as
# "metric severity change% q test" lines.
compare() {
	db="$T/$1.db"
	LT_DB=$db lt-baseline set <"$T/$2" >"$T/$1.set" 2>&1 || fail "$1: lt-baseline set: $(cat "$T/$1.set")"
	LT_DB=$db lt-regress check --json <"$T/$3" >"$T/$1.out" 2>"$T/$1.err"
	rc=$?
	status=$(jget verdict status "$T/$1.out")
	model=$(jget verdict model "$T/$1.out")
	awk "$JSON_AWK"'record("alert") {
		printf "%s %s %+.1f%% q=%s %s\n", jpath($0, "metric"), jpath($0, "severity"),
			jpath($0, "change_pct"), jpath($0, "p_value"), jpath($0, "method") }' \
		"$T/$1.out" >"$T/$1.alerts"
	case $status:$rc in
	critical:1 | warning:0 | pass:0 | inconclusive:0) ;;
	*) fail "$1: status '$status' with exit $rc: $(cat "$T/$1.err")" ;;
	esac
}

false_critical=0 aa_warning=0 undecided=0 details=
k=1
while [ "$k" -le "$aa" ]; do
	compare "aa$k" "R$((k - 1)).ndjson" "R$k.ndjson"
	case $status in
	critical) false_critical=$((false_critical + 1)) ;;
	warning) aa_warning=$((aa_warning + 1)) ;;
	inconclusive) undecided=$((undecided + 1)) ;;
	esac
	[ "$model" = baseline-run ] || undecided=$((undecided + 1))
	if [ -s "$T/aa$k.alerts" ]; then
		details="$details
#   A/A pair $k ($status): $(tr '\n' ';' <"$T/aa$k.alerts")"
	fi
	k=$((k + 1))
done

caught=0 ab_critical=0 missed=
k=1
while [ "$k" -le "$ab" ]; do
	compare "ab$k" "R$k.ndjson" "C$k.ndjson"
	case $status in
	critical) caught=$((caught + 1)); ab_critical=$((ab_critical + 1)) ;;
	warning) caught=$((caught + 1)) ;;
	*) missed="$missed
#   A/B pair $k missed ($status, model $model): $(jget verdict reason "$T/ab$k.out")" ;;
	esac
	k=$((k + 1))
done

elapsed=$(( $(date +%s) - started ))
summary="A/A: $false_critical/$aa false critical ($aa_warning warning); A/B: $caught/$ab caught ($ab_critical critical, $((caught - ab_critical)) warning); ${elapsed} s"
echo "# $summary" >&2
[ -z "$details" ] || echo "# false alerts:$details" >&2
[ -z "$missed" ] || echo "# missed:$missed" >&2

if [ "$undecided" -eq 0 ]; then
	check_ok "every A/A verdict is decided by the baseline-run model"
else
	check_fail "every A/A verdict is decided by the baseline-run model" \
		"$undecided inconclusive or of another model"
fi
if [ "$false_critical" -le "$max_false" ]; then
	check_ok "A/A: at most $max_false false critical in $aa pairs ($summary)"
else
	check_fail "A/A: at most $max_false false critical in $aa pairs" "$summary;$details"
fi
if [ "$caught" -eq "$ab" ]; then
	check_ok "A/B: a 20 % slower server is caught in every pair ($summary)"
else
	check_fail "A/B: a 20 % slower server is caught in every pair" "$summary;$missed"
fi
