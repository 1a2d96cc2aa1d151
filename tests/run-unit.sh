#!/bin/sh
# Run the Check suites given as arguments; print each suite's result and a
# closing "N passed, N failed" over all of them.  Exit 1 when any failed.
#
# With LT_VALGRIND=1 (make unit-check VALGRIND=1) each suite runs under
# valgrind memcheck with CK_FORK=no (one process, so one report; Check's
# timeouts are off in that mode), with the suppressions of
# tests/valgrind/lt.supp; a suite whose report shows a memory error or a
# definite or indirect leak fails, its report kept in
# BUILD/valgrind/logs/unit/<suite>.<pid>.vg (children: their own file).
# The suites see LT_TEST_SLOWDOWN (default 20 then) for their wall-clock
# bounds (unit.h: lt_test_slow).
build=$1; shift
src=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0 status=0
vg=
if [ "${LT_VALGRIND:-0}" = 1 ]; then
	command -v valgrind >/dev/null 2>&1 ||
		{ echo "unit: LT_VALGRIND=1 but valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
	logs="$build/valgrind/logs/unit"
	mkdir -p "$logs" || exit 3
	vg="valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect
		--show-leak-kinds=definite,indirect --error-exitcode=86 --track-fds=no
		--num-callers=30 --suppressions=$src/tests/valgrind/lt.supp"
fi
for t in "$@"; do
	if [ -n "$vg" ]; then
		name=$(basename "$t")
		rm -f "$logs/$name".*.vg
		out=$(CK_FORK=no LT_TEST_SLOWDOWN=${LT_TEST_SLOWDOWN:-20} \
			$vg --log-file="$logs/$name.%p.vg" "$t" 2>&1); rc=$?
		report=
		for f in "$logs/$name".*.vg; do
			grep -q 'ERROR SUMMARY: [1-9]' "$f" 2>/dev/null || { rm -f "$f"; continue; }
			rc=86
			report="$report
valgrind: $f
$(grep -v '^==[0-9]*== *$' "$f" | head -n 150)"
		done
	else
		out=$("$t" 2>&1); rc=$?
		report=
	fi
	line=$(printf '%s\n' "$out" | tail -n 1)
	p=$(printf '%s\n' "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ]; then
		# The suite died before its summary: count it as one failure.
		p=0 f=1
	fi
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
		status=1
		printf '%s\n' "$out" | grep -v '^100%' >&2
		[ -z "$report" ] || printf '%s\n' "$report" >&2
		echo "FAIL $(basename "$t"): $line" >&2
	else
		echo "ok   $(basename "$t"): $line"
	fi
done
echo "unit: $passed passed, $failed failed"
exit $status
