#!/bin/sh
# Run the CLI cases tests/cli/*/*.sh against the programs of a build dir.
# A case's stderr is shown when it fails; when it passes, only its lines
# starting with "# " (figures it wants in the log).
# usage: tests/cli/run.sh BUILD [CASE...]
#
# With LT_VALGRIND=1 (make cli-check VALGRIND=1) every lt program a case
# runs is run under valgrind memcheck (tests/valgrind/wrappers.sh), and a
# case whose valgrind reports show a memory error or a definite or indirect
# leak fails even when the case itself passed; the reports of a failed
# case are kept in BUILD/valgrind/logs/<group>_<case>/.  The cases then see
# LT_TEST_SLOWDOWN (default 20): the factor by which they stretch their
# timeouts (lib.sh: `slow`).
build=$(cd "$1" && pwd) || exit 2
shift
src=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# -eq 0 ]; then
	set -- "$src"/tests/cli/*/*.sh
fi
passed=0 failed=0 skipped=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lt-cli.XXXXXX") || exit 3
trap 'rm -rf "$tmp"' EXIT INT TERM

vg=${LT_VALGRIND:-0} vgpath= slowdown=${LT_TEST_SLOWDOWN:-1}
if [ "$vg" = 1 ]; then
	command -v valgrind >/dev/null 2>&1 ||
		{ echo "cli: LT_VALGRIND=1 but valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
	sh "$src/tests/valgrind/wrappers.sh" "$build" || exit 3
	vgpath="$build/valgrind/bin:"
	slowdown=${LT_TEST_SLOWDOWN:-20}
fi

# The cases not run under valgrind, each with its reason: the ones that
# measure time or memory themselves (latencies, throughput, RSS) or would
# run for hours, where a slowdown factor cannot help.  Keep it short.
vg_skip() {
	case $1 in
	regress/experiment|regress/thresholds|sched/batch)
		echo "judges real latencies of 10 to 60 ms; lt-run at valgrind's pace measures valgrind" ;;
	sched/policies)
		echo "orders three overlapping real-clock executions of 3 s; under valgrind their start-up is longer than the overlap" ;;
	run/shards-closed)
		echo "compares the request counts of 4 shards and 1 generator: under valgrind they measure CPU shares" ;;
	bench/plausible|bench/sleep|bench/compare|bench/recommend|bench/status)
		echo "checks lt-bench's measured times and memory; under valgrind a spawn is a fork of valgrind itself (+30 ms, +50 MiB)" ;;
	run/many-endpoints)
		echo "bounds lt-run's peak RSS; under valgrind RSS is valgrind's shadow memory" ;;
	store/huge-stream) echo "streams 1 GB through lt-store, hours at valgrind's 0.2 MB/s" ;;
	reliability/kill9) echo "hundreds of kill -9 at random moments: a killed process leaves no leak report" ;;
	reliability/soak) echo "a minute of real-clock contention on one database; at valgrind's pace it is another test" ;;
	*) return 1 ;;
	esac
}

# vg_report DIR: print the valgrind reports in DIR whose ERROR SUMMARY is
# not 0 (the lines of those processes only; reports of traced children
# share their parent's file); fail when there is none.
vg_report() {
	bad=1
	for f in "$1"/*.vg; do
		[ -f "$f" ] || continue
		for pid in $(sed -n 's/^==\([0-9]*\)== ERROR SUMMARY: [1-9].*/\1/p' "$f"); do
			bad=0
			echo "  --- valgrind: $(basename "$f"), process $pid:"
			grep "^==$pid==" "$f" | grep -v "^==$pid== *$" |
				grep -Ev "^==$pid== (Memcheck, a memory|Copyright|Using Valgrind)" |
				head -n 120 | sed 's/^/  /'
		done
	done
	return $bad
}
for c in "$@"; do
	[ -f "$c" ] || continue
	# helpers.sh files hold functions the cases of their folder source.
	[ "$(basename "$c")" = helpers.sh ] && continue
	case $c in /*) ;; *) c="$PWD/$c" ;; esac
	name=$(basename "$(dirname "$c")")/$(basename "$c" .sh)
	T="$tmp/$(printf '%s' "$name" | tr '/' '_')"
	if [ "$vg" = 1 ] && why=$(vg_skip "$name"); then
		skipped=$((skipped + 1))
		echo "skip $name (valgrind: $why)"
		continue
	fi
	mkdir -p "$T" "$T.vg"
	out=$(cd "$T" && env T="$T" SRC="$src" BUILD="$build" LT_DB="$T/lt.db" \
		PATH="$vgpath$build/bin:$build/tests:$PATH" NO_COLOR=1 \
		LT_VALGRIND_LOGDIR="$T.vg" LT_TEST_SLOWDOWN="$slowdown" \
		sh -c '. "$SRC/tests/cli/lib.sh"; CHECK_FAILED=0; . "$1"; exit $CHECK_FAILED' sh "$c" 2>"$T/.stderr")
	rc=$?
	if [ "$vg" = 1 ] && vg_report "$T.vg" >"$T/.valgrind"; then
		keep="$build/valgrind/logs/$(basename "$T")"
		rm -rf "$keep" && mkdir -p "$keep" && cp "$T.vg"/*.vg "$keep"/ 2>/dev/null
		echo "FAIL $name (valgrind; reports in $keep)"
		cat "$T/.valgrind"
		failed=$((failed + 1))
		[ "$rc" -eq 0 ] || sed 's/^/  /' "$T/.stderr"
		continue
	fi
	sub_ok=$(printf '%s\n' "$out" | grep -c '^ok - ')
	sub_fail=$(printf '%s\n' "$out" | grep -c '^not ok - ')
	if [ "$sub_ok" -gt 0 ] || [ "$sub_fail" -gt 0 ]; then
		passed=$((passed + sub_ok)); failed=$((failed + sub_fail))
		if [ "$rc" -ne 0 ] && [ "$sub_fail" -eq 0 ]; then
			failed=$((failed + 1))
			sub_fail=1
		fi
		if [ "$sub_fail" -gt 0 ]; then
			echo "FAIL $name ($sub_ok ok, $sub_fail failed)"
			printf '%s\n' "$out" | grep '^not ok' | sed 's/^/  /'
			sed 's/^/  /' "$T/.stderr"
		else
			echo "ok   $name ($sub_ok cases)"
			grep '^# ' "$T/.stderr" | sed 's/^/  /'
		fi
	elif [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok   $name"
		# A passing case may report figures: its stderr lines that
		# start with "# " (the A/A rates, say).
		grep '^# ' "$T/.stderr" | sed 's/^/  /' 
	else
		failed=$((failed + 1))
		echo "FAIL $name"
		sed 's/^/  /' "$T/.stderr"
	fi
done
if [ "$vg" = 1 ]; then
	echo "cli: $passed passed, $failed failed, $skipped skipped (under valgrind memcheck)"
else
	echo "cli: $passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
