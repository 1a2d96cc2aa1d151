# The bash completions load and offer each program's commands and options.
bc=/usr/share/bash-completion/bash_completion
[ -f "$bc" ] || fail "bash-completion is not installed (make deps installs it)"
for f in "$SRC"/completions/bash/*; do
	bash -n "$f" || fail "$f: syntax error"
done
complete_words() { # FILE FUNCTION WORDS...: print the candidates for the last word
	file=$1 fn=$2; shift 2
	bash -c '. "$1"; . "$2"; fn=$3; shift 3; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; "$fn"; printf "%s\n" "${COMPREPLY[@]}"' \
		sh "$bc" "$file" "$fn" "$@"
}
out=$(complete_words "$SRC/completions/bash/lt-store" _lt_store lt-store "")
printf '%s\n' "$out" | grep -qx merge || fail "lt-store: no 'merge' among: $out"
out=$(complete_words "$SRC/completions/bash/lt-store" _lt_store lt-store export --f)
printf '%s\n' "$out" | grep -qx -- --format || fail "lt-store export: no --format among: $out"
out=$(complete_words "$SRC/completions/bash/lt-store" _lt_store lt-store export --format "")
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "csv ndjson " ] || fail "formats: $out"

# lt-run: options, option values, scenario files and the ids inside them.
run_words() { complete_words "$SRC/completions/bash/lt-run" _lt_run lt-run "$@"; }
out=$(run_words --seg)
[ "$out" = --segment ] || fail "lt-run --seg: $out"
out=$(run_words --d)
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "--db --dry-run --duration " ] || fail "lt-run --d: $out"
out=$(run_words --threshold e)
[ "$out" = errorRate ] || fail "lt-run --threshold e: $out"
mkdir -p "$T/lt-run" && cd "$T/lt-run" || fail "no scratch directory"
printf '%s\n' '[{"id": "smoke", "name": "a"},' ' {"id": "soak", "name": "b"}]' > suite.json
: > notes.txt
out=$(run_words "")
printf '%s\n' "$out" | grep -qx suite.json || fail "lt-run: no suite.json among: $out"
printf '%s\n' "$out" | grep -qx notes.txt && fail "lt-run offers notes.txt: $out"
out=$(run_words suite.json --scenario s)
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "smoke soak " ] || fail "lt-run --scenario: $out"
cd "$T" || fail "cd"

# lt-baseline: commands, options per command, scenarios from the database.
lt-baseline set <"$SRC/tests/data/run-small.ndjson" >/dev/null 2>&1 || fail "lt-baseline set failed"
out=$(complete_words "$SRC/completions/bash/lt-baseline" _lt_baseline lt-baseline "")
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "delete list set show " ] || fail "lt-baseline: commands: $out"
out=$(complete_words "$SRC/completions/bash/lt-baseline" _lt_baseline lt-baseline set --)
for o in --db --version --env --note --run; do
	printf '%s\n' "$out" | grep -qx -- "$o" || fail "lt-baseline set: no $o among: $out"
done
out=$(complete_words "$SRC/completions/bash/lt-baseline" _lt_baseline lt-baseline show --scenario "")
[ "$out" = api-health-check ] || fail "lt-baseline show --scenario: $out"
out=$(complete_words "$SRC/completions/bash/lt-baseline" _lt_baseline lt-baseline set --run 6b)
[ "$out" = 6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b ] || fail "lt-baseline set --run: $out"

# lt-regress: commands, levels, formats, stat methods, thresholds verbs,
# scenarios of report.
out=$(complete_words "$SRC/completions/bash/lt-regress" _lt_regress lt-regress "")
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "ack alerts anomaly changepoints check correlate forecast report seasonality stat thresholds train trend watch " ] ||
	fail "lt-regress: commands: $out"
out=$(complete_words "$SRC/completions/bash/lt-regress" _lt_regress lt-regress check --fail-on "")
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "critical warning " ] || fail "lt-regress check --fail-on: $out"
out=$(complete_words "$SRC/completions/bash/lt-regress" _lt_regress lt-regress check --n)
[ "$out" = --notify ] || fail "lt-regress check --n: $out"
out=$(complete_words "$SRC/completions/bash/lt-regress" _lt_regress lt-regress stat m)
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "mannkendall mannwhitney " ] || fail "lt-regress stat m: $out"
out=$(complete_words "$SRC/completions/bash/lt-regress" _lt_regress lt-regress thresholds "")
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "set show " ] || fail "lt-regress thresholds: $out"
out=$(complete_words "$SRC/completions/bash/lt-regress" _lt_regress lt-regress report --format j)
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "json junit " ] || fail "lt-regress report --format j: $out"
out=$(complete_words "$SRC/completions/bash/lt-regress" _lt_regress lt-regress report "")
[ "$out" = api-health-check ] || fail "lt-regress report: $out"
out=$(complete_words "$SRC/completions/bash/lt-regress" _lt_regress lt-regress alerts --un)
[ "$out" = --unacked ] || fail "lt-regress alerts --un: $out"
out=$(complete_words "$SRC/completions/bash/lt-regress" _lt_regress lt-regress watch --)
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "--db --env --help --interval --notify --once --thresholds " ] ||
	fail "lt-regress watch --: $out"
out=$(complete_words "$SRC/completions/bash/lt-regress" _lt_regress lt-regress trend --metric responseTime.p9)
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "responseTime.p90 responseTime.p95 responseTime.p99 " ] ||
	fail "lt-regress trend --metric: $out"
out=$(complete_words "$SRC/completions/bash/lt-regress" _lt_regress lt-regress forecast --h)
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "--help --horizon " ] || fail "lt-regress forecast --h: $out"
out=$(complete_words "$SRC/completions/bash/lt-regress" _lt_regress lt-regress changepoints --metric errorRate "")
[ "$out" = api-health-check ] || fail "lt-regress changepoints: $out"
out=$(complete_words "$SRC/completions/bash/lt-regress" _lt_regress lt-regress train --per)
[ "$out" = --per-second ] || fail "lt-regress train --per: $out"
if command -v zsh >/dev/null 2>&1; then
	for f in _lt-baseline _lt-regress; do
		zsh -n "$SRC/completions/zsh/$f" || fail "$f: syntax error"
	done
fi
