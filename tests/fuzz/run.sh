#!/bin/sh
# Run one libFuzzer target of a fuzz build for a number of seconds.
# usage: tests/fuzz/run.sh FUZZ_BUILD TARGET SECONDS
# (SECONDS 0: run the seeds once, no fuzzing)
#
# Seeds: tests/fuzz/corpus/TARGET/ and tests/fuzz/regressions/TARGET/
# (read only); the inputs the fuzzer finds go to FUZZ_BUILD/corpus/TARGET/,
# kept from run to run.  Dictionary: tests/fuzz/TARGET.dict when there is
# one.  stdin is /dev/null, so an input naming "@/dev/stdin" cannot hang.
# A crash, a sanitizer report, a leak, a timeout (an input taking over 25
# s) or running out of memory (2 GB) fails the run: the log's end is
# shown and the input kept in FUZZ_BUILD/crash/TARGET/.  A passing run
# prints one line and appends "TARGET SECONDS RUNS" to
# FUZZ_BUILD/seconds.log, whose first column sums to the fuzz time run.
set -u
build=$1 target=$2 seconds=$3
src=$(cd "$(dirname "$0")/../.." && pwd)
bin="$build/$target"
corpus="$build/corpus/$target" crash="$build/crash/$target" log="$build/$target.log"
mkdir -p "$corpus" "$crash" || exit 2
set -- "$corpus"
for d in "$src/tests/fuzz/corpus/$target" "$src/tests/fuzz/regressions/$target"; do
	[ -d "$d" ] && set -- "$@" "$d"
done
dict="$src/tests/fuzz/$target.dict"
[ -f "$dict" ] && set -- -dict="$dict" "$@"

# libFuzzer reads -max_total_time=0 as "no limit": 0 seconds means the
# seeds only, each run once.
if [ "$seconds" -gt 0 ] 2>/dev/null; then
	set -- -max_total_time="$seconds" "$@"
else
	set -- -runs=0 "$@"
fi

start=$(date +%s)
"$bin" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$crash/" "$@" </dev/null >"$log" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$rc" -ne 0 ]; then
	echo "FAIL $target after ${took} s (exit $rc); the log ends:"
	tail -n 40 "$log" | sed 's/^/  /'
	echo "  reproducer(s): $(ls "$crash" | sed "s|^|$crash/|" | tr '\n' ' ')"
	echo "  replay one:    $bin FILE"
	exit 1
fi
echo "ok   $target: ${took} s, ${runs:-?} inputs, corpus $(ls "$corpus" | wc -l) files"
echo "$target $took ${runs:-0}" >>"$build/seconds.log"
