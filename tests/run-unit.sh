#!/bin/sh
# Run the Check suites given as arguments; print each suite's result and a
# closing "N passed, N failed" over all of them.  Exit 1 when any failed.
build=$1; shift
passed=0 failed=0 status=0
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
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
		echo "FAIL $(basename "$t"): $line" >&2
	else
		echo "ok   $(basename "$t"): $line"
	fi
done
echo "unit: $passed passed, $failed failed"
exit $status
